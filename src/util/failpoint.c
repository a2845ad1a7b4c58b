/*
 * Named failpoints (DESIGN.md §4). The catalogue is failpoints.def; this file
 * parses the arming spec and fires actions. Hit counters are always kept so a
 * test can prove a point was reached; actions need OG_ENABLE_FAILPOINTS at the
 * call sites (OG_FAILPOINT compiles to OG_OK otherwise).
 */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef enum fp_action { FP_OFF = 0, FP_ERROR, FP_CRASH, FP_PAUSE } fp_action;

typedef struct fp_state {
  fp_action action;
  og_status code;   /* for FP_ERROR */
  uint64_t nth;     /* 0 = every hit; else only the nth */
  atomic_uint_fast64_t hits;
} fp_state;

static const char *const fp_names[] = {
#define OG_FP(id, name, outcome) name,
#include "util/failpoints.def"
#undef OG_FP
};
static const char *const fp_outcomes[] = {
#define OG_FP(id, name, outcome) outcome,
#include "util/failpoints.def"
#undef OG_FP
};

static fp_state fp_table[OG_FP__COUNT];
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t fp_lock = PTHREAD_MUTEX_INITIALIZER;

const char *og_fp_name(og_fp_id id) { return id < OG_FP__COUNT ? fp_names[id] : "?"; }
const char *og_fp_outcome(og_fp_id id) { return id < OG_FP__COUNT ? fp_outcomes[id] : "?"; }

static og_status parse_code(const char *s, size_t n, og_status *out) {
  static const og_status all[] = {OG_ERROR, OG_ENOMEM, OG_EINVAL, OG_ENOTFOUND, OG_EEXISTS,
                                  OG_ECONFLICT, OG_ESTALE, OG_EBUSY, OG_EIO, OG_EFULL,
                                  OG_ECORRUPT, OG_EINTERRUPTED};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    const char *name = og_status_name(all[i]);
    if (strlen(name) == n && strncmp(name, s, n) == 0) {
      *out = all[i];
      return OG_OK;
    }
  }
  return OG_EINVAL;
}

static og_status configure_one(const char *item, size_t len, og_error *err) {
  const char *eq = memchr(item, '=', len);
  if (!eq) return og_err_set(err, OG_EINVAL, "failpoint spec '%.*s': expected name=action", (int)len, item);
  size_t nlen = (size_t)(eq - item);
  int id = -1;
  for (int i = 0; i < OG_FP__COUNT; i++)
    if (strlen(fp_names[i]) == nlen && strncmp(fp_names[i], item, nlen) == 0) id = i;
  if (id < 0) return og_err_set(err, OG_EINVAL, "unknown failpoint '%.*s'", (int)nlen, item);

  const char *a = eq + 1, *end = item + len;
  const char *mod = a;
  while (mod < end && *mod != '@' && *mod != '*') mod++;
  size_t alen = (size_t)(mod - a);
  fp_state st = {.action = FP_OFF, .code = OG_EIO, .nth = 0};
  if (alen == 3 && !strncmp(a, "off", 3)) {
    st.action = FP_OFF;
  } else if (alen >= 5 && !strncmp(a, "error", 5)) {
    st.action = FP_ERROR;
    if (alen > 5) {
      if (a[5] != '(' || a[alen - 1] != ')' || parse_code(a + 6, alen - 7, &st.code))
        return og_err_set(err, OG_EINVAL, "failpoint '%.*s': bad error action '%.*s'", (int)nlen,
                          item, (int)alen, a);
    }
  } else if (alen == 5 && !strncmp(a, "crash", 5)) {
    st.action = FP_CRASH;
  } else if (alen == 5 && !strncmp(a, "pause", 5)) {
    st.action = FP_PAUSE;
  } else {
    return og_err_set(err, OG_EINVAL, "failpoint '%.*s': unknown action '%.*s' (off|error|crash|pause)",
                      (int)nlen, item, (int)alen, a);
  }
  if (mod < end && *mod == '@') {
    char *e = NULL;
    char num[32] = {0};
    size_t k = (size_t)(end - mod - 1);
    if (k == 0 || k >= sizeof num)
      return og_err_set(err, OG_EINVAL, "failpoint '%.*s': bad @N", (int)nlen, item);
    memcpy(num, mod + 1, k);
    unsigned long long v = strtoull(num, &e, 10);
    if (*e || v == 0) return og_err_set(err, OG_EINVAL, "failpoint '%.*s': bad @N", (int)nlen, item);
    st.nth = v;
  }
  pthread_mutex_lock(&fp_lock);
  fp_table[id].action = st.action;
  fp_table[id].code = st.code;
  fp_table[id].nth = st.nth;
  atomic_store(&fp_table[id].hits, 0);
  pthread_mutex_unlock(&fp_lock);
  return OG_OK;
}

og_status og_fp_configure(const char *spec, og_error *err) {
  if (!spec) return OG_OK;
  const char *p = spec;
  while (*p) {
    const char *end = p;
    while (*end && *end != ';' && *end != ',') end++;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    if (end > p) {
      og_status rc = configure_one(p, (size_t)(end - p), err);
      if (rc) return rc;
    }
    p = *end ? end + 1 : end;
  }
  return OG_OK;
}

static void load_env(void) {
  const char *spec = getenv("OMNIGRAPH_FAILPOINTS");
  og_error e = OG_ERROR_INIT;
  if (spec && og_fp_configure(spec, &e) != OG_OK)
    fprintf(stderr, "omnigraph: ignoring OMNIGRAPH_FAILPOINTS: %s\n", e.message);
}

void og_fp_reset(void) {
  pthread_once(&env_once, load_env);
  pthread_mutex_lock(&fp_lock);
  for (int i = 0; i < OG_FP__COUNT; i++) {
    fp_table[i].action = FP_OFF;
    fp_table[i].nth = 0;
    atomic_store(&fp_table[i].hits, 0);
  }
  pthread_mutex_unlock(&fp_lock);
}

uint64_t og_fp_hits(og_fp_id id) { return id < OG_FP__COUNT ? atomic_load(&fp_table[id].hits) : 0; }

static void pause_here(og_fp_id id) {
  const char *dir = getenv("OMNIGRAPH_FAILPOINT_DIR");
  if (!dir || !*dir) dir = ".";
  char paused[4096], release[4096];
  snprintf(paused, sizeof paused, "%s/%s.paused", dir, fp_names[id]);
  snprintf(release, sizeof release, "%s/%s.release", dir, fp_names[id]);
  int fd = open(paused, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd >= 0) close(fd);
  for (int i = 0; i < 6000; i++) { /* at most 60 s, then fail loudly */
    struct stat st;
    if (stat(release, &st) == 0) return;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  fprintf(stderr, "omnigraph: failpoint %s paused for 60 s without release\n", fp_names[id]);
}

/* OMNIGRAPH_FAILPOINTS_TRACE=<file>: append "<name> <hit#>" per hit, so the
 * crash suite can learn which points an operation passes, in order. */
static void trace_hit(og_fp_id id, uint64_t n) {
  const char *path = getenv("OMNIGRAPH_FAILPOINTS_TRACE");
  if (!path || !*path) return;
  char line[256];
  int len = snprintf(line, sizeof line, "%s %llu\n", fp_names[id], (unsigned long long)n);
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  if (write(fd, line, (size_t)len) < 0) { /* best effort: tracing is a test aid */ }
  close(fd);
}

og_status og_fp_hit(og_fp_id id, og_error *err) {
  pthread_once(&env_once, load_env);
  if (id >= OG_FP__COUNT) return OG_OK;
  fp_state *st = &fp_table[id];
  uint64_t n = atomic_fetch_add(&st->hits, 1) + 1;
  trace_hit(id, n);
  fp_action action = st->action;
  if (action == FP_OFF || (st->nth && st->nth != n)) return OG_OK;
  switch (action) {
  case FP_ERROR:
    return og_err_set(err, st->code, "failpoint %s: injected %s", fp_names[id],
                      og_status_name(st->code));
  case FP_CRASH:
    fflush(NULL);
    _exit(OG_FP_CRASH_EXIT);
  case FP_PAUSE:
    pause_here(id);
    return OG_OK;
  default:
    return OG_OK;
  }
}
