/* Write intents, recovery on open and the recovery audit log (DESIGN.md
 * §3.4; docs/durability.md has the protocol and the argument).
 *
 * Why a time window and not a list of keys: the table layer names every
 * object it writes with a fresh ULID (creation time in its first 48 bits)
 * and writers create objects only after og_graph_write_begin returned, i.e.
 * after their intent is durable. So every object of a write is younger than
 * its intent, and an unreferenced table object can belong only to a writer
 * whose intent is older than the object. Recovery deletes unreferenced table
 * objects younger than the oldest dead intent and older than every live
 * intent (and than the moment it looked): nothing a live writer made or
 * will make is in that range. Recording each key instead would cost one
 * store op per object on the hot path. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graph/graph_int.h"

/*==================== process identity ====================*/

typedef struct gproc {
  long pid;
  uint64_t start_ticks;
  char host[256];
  char boot[64];
} gproc;

static pthread_mutex_t g_reg_mu = PTHREAD_MUTEX_INITIALIZER;
static og_map g_active = OG_MAP_INIT; /* intent ids of this process's unfinished writes */
static gproc g_self;                  /* recomputed after a fork (pid differs) */

/* Field 22 (starttime, clock ticks since boot) and field 3 (state) of
 * /proc/<pid>/stat; false when the process does not exist. */
static bool proc_stat(long pid, uint64_t *start_out, char *state_out) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return false;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return false;
  p += 2; /* state */
  if (state_out) *state_out = *p;
  for (int field = 3; field < 22 && *p; field++) {
    p = strchr(p, ' ');
    if (!p) return false;
    p++;
  }
  *start_out = strtoull(p, NULL, 10);
  return true;
}

static void read_line(const char *path, char *out, size_t cap) {
  out[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f) return;
  if (fgets(out, (int)cap, f)) out[strcspn(out, "\r\n")] = 0;
  fclose(f);
}

static const gproc *self_proc(void) {
  long pid = (long)getpid();
  pthread_mutex_lock(&g_reg_mu);
  if (g_self.pid != pid) {
    gproc p = {0};
    p.pid = pid;
    (void)proc_stat(pid, &p.start_ticks, NULL);
    if (gethostname(p.host, sizeof p.host - 1) != 0) snprintf(p.host, sizeof p.host, "unknown");
    read_line("/proc/sys/kernel/random/boot_id", p.boot, sizeof p.boot);
    g_self = p;
    /* a forked child owns none of its parent's writes */
    og_map_dispose(&g_active);
    memset(&g_active, 0, sizeof g_active);
  }
  pthread_mutex_unlock(&g_reg_mu);
  return &g_self;
}

static void reg_set(const char *id, bool on) {
  pthread_mutex_lock(&g_reg_mu);
  if (on) (void)og_map_sput(&g_active, id, NULL);
  else (void)og_map_remove(&g_active, id, strlen(id), NULL);
  pthread_mutex_unlock(&g_reg_mu);
}

static bool reg_has(const char *id) {
  pthread_mutex_lock(&g_reg_mu);
  bool r = og_map_sget(&g_active, id, NULL);
  pthread_mutex_unlock(&g_reg_mu);
  return r;
}

/*==================== intent objects ====================*/

uint64_t og_gintent_lease_ms(void) { return og_graph_knob(OG_KNOB_INTENT_LEASE_MS); }

static uint64_t skew_ms(const og_recover_opts *o) {
  if (o && o->skew_ms) return o->skew_ms == UINT64_MAX ? 0 : o->skew_ms;
  return og_graph_knob(OG_KNOB_RECOVERY_SKEW_MS);
}

static og_status intent_encode(const og_gintent *in, const char *state, og_buf *out,
                               og_error *err) {
  const gproc *p = self_proc();
  json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:{s:s, s:s, s:I, s:I, s:I}}",
                        "format", 1, "kind", "write_intent", "id", in->id, "operation", in->op,
                        "state", state, "branch", in->branch, "generation",
                        (json_int_t)in->gen, "base_version", (json_int_t)in->base,
                        "started_ms", (json_int_t)og_ulid_time_ms(in->id), "owner", "host",
                        p->host, "boot_id", p->boot, "pid", (json_int_t)p->pid, "start_ticks",
                        (json_int_t)p->start_ticks, "lease_expiry_ms",
                        (json_int_t)in->lease_expiry);
  if (!o) return og_err_oom(err);
  /* a finished write (abandoned / sweep) made nothing after this moment:
   * recovery need not wait out the clock skew for it */
  if (strcmp(state, "active") != 0 &&
      json_object_set_new(o, "ended_ms", json_integer((json_int_t)og_now_ms())) != 0) {
    json_decref(o);
    return og_err_oom(err);
  }
  json_t *keys = json_array();
  if (!keys || json_object_set_new(o, "keys", keys) != 0) {
    json_decref(o);
    return og_err_oom(err);
  }
  if (in->schema_key) json_array_append_new(keys, json_string(in->schema_key));
  if (in->record_key) json_array_append_new(keys, json_string(in->record_key));
  og_status rc = og_gseal(o, out, err);
  json_decref(o);
  return rc;
}

static og_status intent_put(og_store *st, const og_gintent *in, const char *state,
                            og_error *err) {
  og_buf body = OG_BUF_INIT;
  og_status rc = intent_encode(in, state, &body, err);
  /* not durable: a lost intent only leaves garbage for cleanup (docs/durability.md) */
  if (rc == OG_OK) rc = og_store_put_hint(st, in->key, body.ptr, body.len, err);
  og_buf_dispose(&body);
  return rc;
}

void og_gintent_free(og_gintent *in) {
  if (!in) return;
  og_free(in->op);
  og_free(in->branch);
  og_free(in->schema_key);
  og_free(in->record_key);
  og_free(in);
}

og_status og_gintent_prepare(const char *op, const char *branch, uint64_t gen, uint64_t base,
                             const char *record_key, og_gintent **out, og_error *err) {
  *out = NULL;
  og_gintent *in = og_calloc(1, sizeof *in);
  if (!in) return og_err_oom(err);
  if (og_ulid_new(in->id) != OG_OK) {
    og_free(in);
    return og_err_set(err, OG_ERROR, "write intent: no ULID");
  }
  snprintf(in->key, sizeof in->key, OG_GK_INTENTS "%s", in->id);
  in->op = og_strdup(op);
  in->branch = og_strdup(branch ? branch : "");
  in->record_key = record_key ? og_strdup(record_key) : NULL;
  in->gen = gen;
  in->base = base;
  if (!in->op || !in->branch || (record_key && !in->record_key)) {
    og_gintent_free(in);
    return og_err_oom(err);
  }
  *out = in;
  return OG_OK;
}

og_status og_gintent_write(og_store *st, og_gintent *in, og_error *err) {
  og_status rc;
  if (in->written) return OG_OK;
  in->lease_expiry = og_now_ms() + og_gintent_lease_ms();
  /* registered before the put: a recovery in this process that lists it
   * while we are still writing it must see it live */
  reg_set(in->id, true);
  if ((rc = OG_FAILPOINT(OG_FP_INTENT_WRITE_BEFORE, err)) != OG_OK) goto fail;
  if ((rc = intent_put(st, in, "active", err)) != OG_OK) {
    og_err_prefix(err, "write intent");
    goto fail;
  }
  if ((rc = OG_FAILPOINT(OG_FP_INTENT_WRITE_AFTER, err)) != OG_OK) {
    (void)og_store_delete(st, in->key, NULL);
    goto fail;
  }
  in->written = true;
  return OG_OK;
fail:
  reg_set(in->id, false);
  return rc;
}

og_status og_gintent_begin(og_store *st, const char *op, const char *branch, uint64_t gen,
                           uint64_t base, const char *record_key, og_gintent **out,
                           og_error *err) {
  og_gintent *in = NULL;
  og_status rc = og_gintent_prepare(op, branch, gen, base, record_key, &in, err);
  if (rc == OG_OK && (rc = og_gintent_write(st, in, err)) != OG_OK) {
    og_gintent_free(in);
    in = NULL;
  }
  *out = in;
  return rc;
}

og_status og_gintent_record_schema(og_store *st, og_gintent *in, const char *schema_key,
                                   og_error *err) {
  if (!in || !in->written) return OG_OK;
  og_free(in->schema_key);
  if (!(in->schema_key = og_strdup(schema_key))) return og_err_oom(err);
  og_status rc = intent_put(st, in, "active", err);
  if (rc != OG_OK) og_err_prefix(err, "write intent");
  return rc;
}

og_status og_gintent_check_lease(og_store *st, og_gintent *in, og_error *err) {
  if (!in || !in->written) return OG_OK;
  uint64_t now = og_now_ms(), lease = og_gintent_lease_ms();
  if (now >= in->lease_expiry)
    return og_err_set(err, OG_EBUSY,
                      "write intent %s: lease expired before the commit (another host may have "
                      "rolled this write back); nothing visible, retry", in->id);
  if (in->lease_expiry - now > lease / 2) return OG_OK;
  uint64_t old = in->lease_expiry;
  in->lease_expiry = now + lease;
  og_status rc = intent_put(st, in, "active", err);
  if (rc != OG_OK) {
    in->lease_expiry = old;
    og_err_prefix(err, "write intent lease renewal");
  }
  return rc;
}

void og_gintent_end(og_store *st, og_gintent *in, bool clean) {
  og_gintent_end_state(st, in, clean ? NULL : "abandoned");
}

void og_gintent_end_state(og_store *st, og_gintent *in, const char *state) {
  og_error local = OG_ERROR_INIT;
  if (!in) return;
  if (!in->written) { /* prepared only: nothing in the store */
    og_gintent_free(in);
    return;
  }
  if (!state) {
    if (OG_FAILPOINT(OG_FP_INTENT_DELETE_BEFORE, &local) == OG_OK) {
      (void)og_store_delete(st, in->key, NULL);
      (void)OG_FAILPOINT(OG_FP_INTENT_DELETE_AFTER, &local);
    }
  } else {
    /* the write may have left objects: hand the intent to the next recovery
     * at once (an "abandoned" intent has no live owner) */
    (void)intent_put(st, in, state, NULL);
  }
  reg_set(in->id, false);
  og_gintent_free(in);
}

/*==================== reading intents ====================*/

typedef struct rintent {
  char id[OG_ULID_LEN + 1];
  char *key;
  json_t *j;           /* NULL when unreadable */
  uint64_t t;          /* ULID time */
  bool live;
  const char *why;     /* liveness reason */
  /* resolution */
  bool forward;
  uint64_t committed_version;
  const char *committed_operation; /* borrowed from a tail manifest copy */
  char *committed_op_own;
  char *committed_actor;   /* the committed write's actor */
  uint64_t commit_time;
  bool resolvable;
  json_t *removed;     /* keys attributed to this intent */
} rintent;

static const char *jstrf(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_string(v) ? json_string_value(v) : "";
}
static uint64_t ju64f(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_integer(v) && json_integer_value(v) >= 0 ? (uint64_t)json_integer_value(v) : 0;
}

/* Is the owner of an intent still running? */
static bool owner_live(json_t *j, const char *id, uint64_t now, const char **why) {
  const char *state = jstrf(j, "state");
  if (strcmp(state, "active") != 0) {
    *why = strcmp(state, "sweep") == 0 ? "committed; left superseded objects for recovery"
                                       : "abandoned by its writer";
    return false;
  }
  json_t *o = json_object_get(j, "owner");
  const gproc *me = self_proc();
  const char *host = jstrf(o, "host"), *boot = jstrf(o, "boot_id");
  long pid = (long)ju64f(o, "pid");
  uint64_t st = ju64f(o, "start_ticks"), lease = ju64f(o, "lease_expiry_ms");
  if (strcmp(host, me->host) != 0) {
    *why = now < lease ? "owner on another host, lease valid" : "owner on another host, lease expired";
    return now < lease;
  }
  if (*boot && *me->boot && strcmp(boot, me->boot) != 0) {
    *why = "owner's host rebooted since";
    return false;
  }
  if (pid == me->pid && st == me->start_ticks) {
    bool l = reg_has(id);
    *why = l ? "owned by this process, in progress" : "owned by this process, no longer in progress";
    return l;
  }
  uint64_t cur = 0;
  char pstate = 0;
  if (proc_stat(pid, &cur, &pstate)) {
    bool l = (st == 0 || cur == st) && pstate != 'Z' && pstate != 'X';
    *why = l ? "owner process running" : "owner pid reused or exited";
    return l;
  }
  if (kill((pid_t)pid, 0) == 0 || errno == EPERM) {
    *why = "owner process running (no /proc)";
    return true;
  }
  *why = "owner process gone";
  return false;
}

typedef OG_VEC(rintent) rintent_vec;

static void rintents_dispose(rintent_vec *v) {
  for (size_t i = 0; i < v->count; i++) {
    og_free(v->items[i].key);
    og_free(v->items[i].committed_op_own);
    og_free(v->items[i].committed_actor);
    json_decref(v->items[i].j);
    json_decref(v->items[i].removed);
  }
  OG_VEC_FREE(v);
}


static og_status load_intents(og_store *st, uint64_t now, rintent_vec *out, og_error *err) {
  og_keylist kl = {0};
  og_status rc = og_store_list(st, OG_GK_INTENTS, &kl, err);
  if (rc != OG_OK) return rc;
  for (size_t i = 0; i < kl.count && rc == OG_OK; i++) {
    const char *id = kl.keys[i] + strlen(OG_GK_INTENTS);
    if (strlen(id) != OG_ULID_LEN || !og_ulid_valid(id)) continue; /* temp files etc. */
    rintent r = {0};
    memcpy(r.id, id, OG_ULID_LEN + 1);
    r.t = og_ulid_time_ms(id);
    if (!(r.key = og_strdup(kl.keys[i]))) { rc = og_err_oom(err); break; }
    og_buf b = OG_BUF_INIT;
    og_error e = OG_ERROR_INIT;
    og_status grc = og_store_get(st, r.key, &b, &e);
    if (grc == OG_ENOTFOUND) { /* finished meanwhile */
      og_free(r.key);
      og_buf_dispose(&b);
      continue;
    }
    if (grc == OG_OK && og_gunseal(r.key, b.ptr ? b.ptr : "", b.len, &r.j, &e) != OG_OK) r.j = NULL;
    og_buf_dispose(&b);
    if (grc != OG_OK && grc != OG_ECORRUPT) {
      og_free(r.key);
      rc = og_err_set(err, grc, "recovery: reading %s: %s", kl.keys[i], e.message);
      break;
    }
    if (r.j) {
      r.live = owner_live(r.j, r.id, now, &r.why);
    } else {
      /* a torn intent: its writer got an error from the put and stopped
       * before creating anything; only an in-progress put of this process
       * could still be live */
      r.live = reg_has(r.id);
      r.why = r.live ? "owned by this process, in progress" : "unreadable (torn write)";
    }
    if (OG_VEC_PUSH(out, r) != OG_OK) {
      og_free(r.key);
      json_decref(r.j);
      rc = og_err_oom(err);
    }
  }
  og_keylist_dispose(&kl);
  return rc;
}

/*==================== recovery ====================*/

static uint64_t key_time(const char *key) {
  const char *last = strrchr(key, '/');
  last = last ? last + 1 : key;
  if (strlen(last) < OG_ULID_LEN) return 0;
  char u[OG_ULID_LEN + 1];
  memcpy(u, last, OG_ULID_LEN);
  u[OG_ULID_LEN] = 0;
  return og_ulid_valid(u) ? og_ulid_time_ms(u) : 0;
}

typedef struct tailscan {
  og_map reach;     /* table object keys referenced by a tail manifest */
  og_map schemas;   /* schema keys referenced by a tail manifest */
  og_map logs;      /* "<enc>@<gen>/<version>" present → NULL */
  size_t removed;   /* torn commit objects removed */
} tailscan;

static void tailscan_dispose(tailscan *t) {
  og_map_dispose(&t->reach);
  og_map_dispose(&t->schemas);
  og_map_dispose(&t->logs);
}

static og_status add_descriptor(og_store *st, tailscan *ts, og_map *seen, const char *desc,
                                uint64_t lo, og_error *err) {
  if (og_map_sget(seen, desc, NULL)) return OG_OK;
  if (og_map_sput(seen, desc, NULL) != OG_OK) return og_err_oom(err);
  /* a descriptor is written after everything it references: one older than
   * the window references nothing in it */
  uint64_t t = key_time(desc);
  if (t && t < lo) return OG_OK;
  og_table *tb = NULL;
  og_keylist kl = {0};
  og_error e = OG_ERROR_INIT;
  og_status rc = og_table_open(st, desc, &tb, &e);
  if (rc == OG_OK) rc = og_table_objects(tb, &kl, &e);
  og_table_free(tb);
  if (rc == OG_ENOTFOUND) { /* released by cleanup */
    og_keylist_dispose(&kl);
    return og_map_sput(&ts->reach, desc, NULL) == OG_OK ? OG_OK : og_err_oom(err);
  }
  if (rc != OG_OK) {
    og_keylist_dispose(&kl);
    return og_err_set(err, rc, "recovery: reading descriptor %s: %s", desc, e.message);
  }
  for (size_t i = 0; i < kl.count && rc == OG_OK; i++)
    if (og_map_sput(&ts->reach, kl.keys[i], NULL) != OG_OK) rc = og_err_oom(err);
  if (rc == OG_OK && og_map_sput(&ts->reach, desc, NULL) != OG_OK) rc = og_err_oom(err);
  og_keylist_dispose(&kl);
  return rc;
}

/* Read, newest first, every manifest committed at or after `since` (by its
 * commit time; clocks of other hosts may lag by `skew`) of every branch
 * incarnation: they are the only ones that can reference an object younger
 * than `since`. Marks the intents whose commit landed. */
static og_status scan_tail(og_store *st, uint64_t since, uint64_t skew, rintent_vec *iv,
                           tailscan *ts, og_error *err) {
  og_keylist kl = {0};
  og_map seen = OG_MAP_INIT;
  og_status rc = og_store_list(st, OG_GK_LOG, &kl, err);
  size_t i = kl.count;
  while (rc == OG_OK && i > 0) {
    /* one incarnation: keys [j, i) share "log/<enc>@<gen>/" */
    size_t j = i - 1;
    const char *sl = strrchr(kl.keys[j], '/');
    size_t plen = sl ? (size_t)(sl - kl.keys[j]) + 1 : 0;
    while (j > 0 && plen && strncmp(kl.keys[j - 1], kl.keys[j], plen) == 0) j--;
    bool head = true;
    for (size_t k = i; k-- > j && rc == OG_OK;) {
      char name[OG_GRAPH_BRANCH_NAME_MAX + 1];
      uint64_t gen, ver;
      if (!og_gkey_parse_log(kl.keys[k], name, sizeof name, &gen, &ver)) continue;
      (void)og_map_sput(&ts->logs, kl.keys[k], NULL);
      og_manifest *m = NULL;
      og_error e = OG_ERROR_INIT;
      og_status lrc = og_manifest_load(st, kl.keys[k], &m, &e);
      bool gone = false;
      if (lrc == OG_ECORRUPT && head) {
        /* a torn commit object (a backend without atomic puts, or the fault
         * wrapper) at the head of a log whose writer is dead: it never
         * committed anything, so it goes with the writer's other objects */
        for (size_t x = 0; x < iv->count; x++) {
          rintent *r = &iv->items[x];
          if (r->live || !r->j || strcmp(jstrf(r->j, "branch"), name) != 0 ||
              ju64f(r->j, "generation") != gen || ju64f(r->j, "base_version") >= ver)
            continue;
          if ((rc = og_store_delete(st, kl.keys[k], err)) != OG_OK) break;
          (void)og_map_remove(&ts->logs, kl.keys[k], strlen(kl.keys[k]), NULL);
          if (r->removed) json_array_append_new(r->removed, json_string(kl.keys[k]));
          ts->removed++;
          gone = true;
          break;
        }
        if (rc != OG_OK) break;
        head = gone; /* the version below is the head now */
        continue;
      }
      if (lrc != OG_OK) {
        if (lrc == OG_ECORRUPT) continue; /* verify reports it; reference nothing */
        rc = og_err_set(err, lrc, "recovery: reading %s: %s", kl.keys[k], e.message);
        break;
      }
      if (m->commit.time_ms + 2 * skew < since) {
        og_manifest_free(m);
        break;
      }
      if (m->schema_key && og_map_sput(&ts->schemas, m->schema_key, NULL) != OG_OK)
        rc = og_err_oom(err);
      for (size_t t = 0; t < m->ntables && rc == OG_OK; t++)
        rc = add_descriptor(st, ts, &seen, m->tables[t].descriptor, since, err);
      if (m->commit.intent) {
        for (size_t x = 0; x < iv->count; x++) {
          rintent *r = &iv->items[x];
          if (strcmp(r->id, m->commit.intent) != 0 || r->forward) continue;
          r->forward = true;
          r->committed_version = m->version;
          r->commit_time = m->commit.time_ms;
          r->committed_op_own = og_strdup(m->commit.operation);
          r->committed_operation = r->committed_op_own;
          og_free(r->committed_actor);
          r->committed_actor = og_strdup(m->commit.actor ? m->commit.actor : "");
          if (head) og_graph_write_hint(st, m->branch, m->generation, m->version);
        }
      }
      head = false;
      og_manifest_free(m);
    }
    i = j;
  }
  og_map_dispose(&seen);
  og_keylist_dispose(&kl);
  return rc;
}

static og_status write_audit(og_store *st, const rintent *r, uint64_t now, og_error *err) {
  const gproc *me = self_proc();
  json_t *j = r->j;
  json_t *o = json_pack(
      "{s:i, s:s, s:s, s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:O, s:s, s:{s:s, s:I}, s:I, s:O}",
      "format", 1, "kind", "recovery", "intent", r->id, "outcome",
      r->forward ? "rolled_forward" : "rolled_back", "operation",
      j ? jstrf(j, "operation") : "unknown", "committed_operation", r->committed_operation,
      "branch", j ? jstrf(j, "branch") : "", "generation", (json_int_t)(j ? ju64f(j, "generation") : 0),
      "base_version", (json_int_t)(j ? ju64f(j, "base_version") : 0), "committed_version",
      (json_int_t)r->committed_version, "owner",
      j && json_object_get(j, "owner") ? json_object_get(j, "owner") : json_null(), "actor",
      OG_RECOVERY_ACTOR, "recovered_by", "host", me->host, "pid", (json_int_t)me->pid,
      "time_ms", (json_int_t)now, "objects_removed", r->removed);
  if (!o) return og_err_oom(err);
  if (json_object_set_new(o, "reason", json_string(r->why ? r->why : "")) != 0 ||
      json_object_set_new(o, "committed_actor",
                          r->committed_actor ? json_string(r->committed_actor) : json_null()) != 0) {
    json_decref(o);
    return og_err_oom(err);
  }
  og_buf body = OG_BUF_INIT, key = OG_BUF_INIT;
  og_status rc = og_gseal(o, &body, err);
  json_decref(o);
  og_buf_printf(&key, OG_GK_RECOVERY "%s", r->id);
  if (rc == OG_OK && key.oom) rc = og_err_oom(err);
  if (rc == OG_OK) {
    /* keyed by the intent: a re-run after a crash finds it written */
    rc = og_store_put_if_absent(st, key.ptr, body.ptr, body.len, err);
    if (rc == OG_EEXISTS) {
      og_err_clear(err);
      rc = OG_OK;
    }
  }
  og_buf_dispose(&body);
  og_buf_dispose(&key);
  return rc;
}

static void sleep_ms(uint64_t ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* The intent an orphan is attributed to: the youngest dead intent not
 * younger than the object. */
static rintent *attribute(rintent_vec *iv, uint64_t t) {
  rintent *best = NULL;
  for (size_t i = 0; i < iv->count; i++) {
    rintent *r = &iv->items[i];
    if (r->live || r->t > t) continue;
    if (!best || r->t > best->t) best = r;
  }
  return best;
}

og_status og_graph_recover(og_store *st, const og_recover_opts *opts, og_recover_result *out,
                           og_error *err) {
  og_status rc = OG_OK;
  rintent_vec iv = OG_VEC_INIT;
  tailscan ts = {OG_MAP_INIT, OG_MAP_INIT, OG_MAP_INIT, 0};
  og_keylist objs = {0};
  og_recover_result res = {0};
  uint64_t skew = skew_ms(opts);
  if (out) memset(out, 0, sizeof *out);
  uint64_t t0 = og_now_ms();
  if ((rc = load_intents(st, t0, &iv, err)) != OG_OK) goto cleanup;
  size_t ndead = 0;
  for (size_t i = 0; i < iv.count; i++) ndead += !iv.items[i].live;
  if (ndead == 0) {
    res.live = iv.count;
    goto done;
  }
  /* The window [lo, hi) with hi = t1 - skew must pass every object of a
   * dead writer: those of a crashed one carry times <= t0, those of a write
   * that ended (abandoned / sweep) times <= its ended_ms (+ skew for another
   * host's clock). A writer that starts after the second look below may run
   * on a clock up to `skew` behind ours: its objects are still >= hi. */
  uint64_t need = 0;
  for (size_t i = 0; i < iv.count; i++) {
    rintent *r = &iv.items[i];
    if (r->live) continue;
    uint64_t ended = r->j ? ju64f(r->j, "ended_ms") : 0;
    bool here = r->j && strcmp(jstrf(json_object_get(r->j, "owner"), "host"), self_proc()->host) == 0;
    uint64_t n = ended ? ended + (here ? 0 : skew) : t0;
    if (n > need) need = n;
  }
  uint64_t t1 = og_now_ms();
  while (t1 <= need + skew) {
    uint64_t gap = need + skew + 1 - t1;
    sleep_ms(gap < 1 ? 1 : gap);
    t1 = og_now_ms();
  }
  {
    rintent_vec again = OG_VEC_INIT;
    if ((rc = load_intents(st, t1, &again, err)) != OG_OK) {
      rintents_dispose(&again);
      goto cleanup;
    }
    /* an intent first seen now is live by construction; one that vanished
     * was finished by its owner or another recovery */
    for (size_t i = 0; i < again.count; i++) {
      rintent *a = &again.items[i];
      rintent *old = NULL;
      for (size_t k = 0; k < iv.count && !old; k++)
        if (strcmp(iv.items[k].id, a->id) == 0) old = &iv.items[k];
      if (old && !old->live) a->live = false, a->why = old->why;
    }
    rintents_dispose(&iv);
    iv = again;
  }
  uint64_t lo = UINT64_MAX, hi = t1 > skew ? t1 - skew : 0;
  size_t nlive = 0;
  for (size_t i = 0; i < iv.count; i++) {
    rintent *r = &iv.items[i];
    if (r->live) {
      nlive++;
      uint64_t p = r->t > skew ? r->t - skew : 0;
      if (p < hi) hi = p;
    } else if (r->t < lo) {
      lo = r->t;
    }
    if (!r->live && !(r->removed = json_array())) { rc = og_err_oom(err); goto cleanup; }
  }
  res.live = nlive;
  if (lo == UINT64_MAX) goto done;
  if ((rc = scan_tail(st, lo, skew, &iv, &ts, err)) != OG_OK) goto cleanup;
  res.objects_removed += ts.removed;
  /* resolvable: nothing of it can lie beyond `hi` — always when no writer
   * is live; with live writers only a committed write whose commit time
   * bounds its objects */
  for (size_t i = 0; i < iv.count; i++) {
    rintent *r = &iv.items[i];
    if (r->live) continue;
    r->resolvable = nlive == 0 || (r->forward && r->commit_time + skew < hi);
  }
  if (hi > lo) {
    if ((rc = og_store_list(st, "t/", &objs, err)) != OG_OK) goto cleanup;
    for (size_t i = 0; i < objs.count; i++) {
      const char *k = objs.keys[i];
      uint64_t t = key_time(k);
      if (!t || t < lo || t >= hi || og_map_sget(&ts.reach, k, NULL)) continue;
      rc = og_store_delete(st, k, err);
      if (rc != OG_OK) {
        og_err_prefix(err, "recovery: deleting orphan %s", k);
        goto cleanup;
      }
      res.objects_removed++;
      rintent *r = attribute(&iv, t);
      if (r) json_array_append_new(r->removed, json_string(k));
      if ((rc = OG_FAILPOINT(OG_FP_RECOVERY_BETWEEN_DELETES, err)) != OG_OK) goto cleanup;
    }
  }
  for (size_t i = 0; i < iv.count; i++) {
    rintent *r = &iv.items[i];
    if (r->live) continue;
    if (!r->resolvable) {
      res.deferred++;
      continue;
    }
    /* objects named by the intent (not ULID-named) */
    json_t *keys = r->j ? json_object_get(r->j, "keys") : NULL;
    bool defer = false;
    for (size_t k = 0; k < json_array_size(keys) && rc == OG_OK; k++) {
      const char *key = json_string_value(json_array_get(keys, k));
      if (!key) continue;
      bool drop = false;
      if (og_str_startswith(key, OG_GK_SCHEMA)) {
        /* content-addressed and shareable: only when no live writer could
         * be about to reference it */
        if (nlive) defer = true;
        else drop = !r->forward && !og_map_sget(&ts.schemas, key, NULL);
      } else if (og_str_startswith(key, OG_GK_BRANCHES)) {
        if (nlive) defer = true;
        else {
          og_buf lk = OG_BUF_INIT;
          if (og_gkey_log(&lk, jstrf(r->j, "branch"), ju64f(r->j, "generation"), 1) != OG_OK) {
            rc = og_err_oom(err);
          } else {
            bool ex = og_map_sget(&ts.logs, lk.ptr, NULL);
            if (!ex) {
              uint64_t sz;
              og_status hr = og_store_head(st, lk.ptr, &sz, NULL);
              ex = hr != OG_ENOTFOUND;
            }
            drop = !ex;
          }
          og_buf_dispose(&lk);
        }
      }
      if (drop && rc == OG_OK) {
        if ((rc = og_store_delete(st, key, err)) != OG_OK) goto cleanup;
        res.objects_removed++;
        json_array_append_new(r->removed, json_string(key));
      }
    }
    if (rc != OG_OK) goto cleanup;
    if (defer) {
      res.deferred++;
      continue;
    }
    if ((rc = write_audit(st, r, og_now_ms(), err)) != OG_OK) goto cleanup;
    if ((rc = OG_FAILPOINT(OG_FP_RECOVERY_AFTER_AUDIT, err)) != OG_OK) goto cleanup;
    if ((rc = og_store_delete(st, r->key, err)) != OG_OK) goto cleanup;
    if (r->forward) res.rolled_forward++;
    else res.rolled_back++;
  }
done:
  if (out) *out = res;
cleanup:
  og_keylist_dispose(&objs);
  tailscan_dispose(&ts);
  rintents_dispose(&iv);
  return rc;
}

/*==================== listing ====================*/

void og_recovery_list_dispose(og_recovery_list *l) {
  if (!l) return;
  for (size_t i = 0; i < l->count; i++) {
    og_free(l->items[i].id);
    og_free(l->items[i].outcome);
    og_free(l->items[i].operation);
    og_free(l->items[i].branch);
    og_free(l->items[i].json);
  }
  og_free(l->items);
  memset(l, 0, sizeof *l);
}

og_status og_graph_recovery_list(og_store *st, og_recovery_list *out, og_error *err) {
  og_keylist kl = {0};
  memset(out, 0, sizeof *out);
  og_status rc = og_store_list(st, OG_GK_RECOVERY, &kl, err);
  if (rc != OG_OK) return rc;
  if (kl.count && !(out->items = og_calloc(kl.count, sizeof *out->items))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (size_t i = 0; i < kl.count && rc == OG_OK; i++) {
    const char *id = kl.keys[i] + strlen(OG_GK_RECOVERY);
    if (strlen(id) != OG_ULID_LEN || !og_ulid_valid(id)) continue;
    og_buf b = OG_BUF_INIT;
    json_t *j = NULL;
    rc = og_store_get(st, kl.keys[i], &b, err);
    if (rc == OG_ENOTFOUND) {
      og_err_clear(err);
      rc = OG_OK;
      og_buf_dispose(&b);
      continue;
    }
    if (rc == OG_OK) rc = og_gunseal(kl.keys[i], b.ptr ? b.ptr : "", b.len, &j, err);
    og_buf_dispose(&b);
    if (rc != OG_OK) break;
    og_recovery_record *r = &out->items[out->count++];
    r->id = og_strdup(id);
    r->outcome = og_strdup(jstrf(j, "outcome"));
    r->operation = og_strdup(jstrf(j, "operation"));
    r->branch = og_strdup(jstrf(j, "branch"));
    r->time_ms = ju64f(j, "time_ms");
    r->objects_removed = json_array_size(json_object_get(j, "objects_removed"));
    char *txt = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    r->json = txt ? og_strdup(txt) : NULL;
    free(txt); /* jansson's allocation */
    json_decref(j);
    if (!r->id || !r->outcome || !r->operation || !r->branch || !r->json) rc = og_err_oom(err);
  }
cleanup:
  if (rc != OG_OK) og_recovery_list_dispose(out);
  og_keylist_dispose(&kl);
  return rc;
}

void og_intent_list_dispose(og_intent_list *l) {
  if (!l) return;
  for (size_t i = 0; i < l->count; i++) {
    og_free(l->items[i].id);
    og_free(l->items[i].reason);
    og_free(l->items[i].json);
  }
  og_free(l->items);
  memset(l, 0, sizeof *l);
}

og_status og_graph_intents(og_store *st, og_intent_list *out, og_error *err) {
  rintent_vec iv = OG_VEC_INIT;
  memset(out, 0, sizeof *out);
  og_status rc = load_intents(st, og_now_ms(), &iv, err);
  if (rc == OG_OK && iv.count && !(out->items = og_calloc(iv.count, sizeof *out->items)))
    rc = og_err_oom(err);
  for (size_t i = 0; i < iv.count && rc == OG_OK; i++) {
    rintent *r = &iv.items[i];
    og_intent_info *o = &out->items[out->count++];
    o->id = og_strdup(r->id);
    o->live = r->live;
    o->reason = og_strdup(r->why ? r->why : "");
    char *txt = r->j ? json_dumps(r->j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    o->json = og_strdup(txt ? txt : "null");
    free(txt); /* jansson's allocation */
    if (!o->id || !o->reason || !o->json) rc = og_err_oom(err);
  }
  if (rc != OG_OK) og_intent_list_dispose(out);
  rintents_dispose(&iv);
  return rc;
}
