/* Concurrency: real processes racing put_if_absent and put on one posix
 * directory (S1, S2 between processes), and threads sharing one handle over
 * posix and memory (run under ASan/TSan-friendly atomics). */
#include "store_fixture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define NPROC 8
#define NKEYS 200

/* Each test runs twice on posix: with plain keys (a file each) and with log
 * keys ("log/<name>/<20 digits>", kept in segment files of 256 slots; the
 * numbers are spread so that several segments are involved). */
static bool log_keys;

static void race_key(char *out, size_t cap, int k) {
  if (log_keys) snprintf(out, cap, "log/r%02d/%020d", k % 7, k * 3);
  else snprintf(out, cap, "race/%02d/k%03d", k % 7, k);
}
static void shared_key(char *out, size_t cap, int j) {
  if (log_keys) snprintf(out, cap, "log/shared/%020d", j * 5);
  else snprintf(out, cap, "shared/%03d", j);
}
static const char *hot_key(void) { return log_keys ? "log/hot/00000000000000000300" : "hot/obj"; }

/* Each contender's value is distinct and of a distinct length, so a mix of
 * two writers' bytes could never pass for either. */
static void race_value(og_buf *b, int who, int k) {
  og_buf_clear(b);
  og_buf_printf(b, "child-%d-key-%03d|", who, k);
  for (int i = 0; i < 50 + who * 97 + k % 13; i++) og_buf_putc(b, (char)('a' + (who + i) % 26));
}

static void test_processes_race_put_if_absent(void **state) {
  fx *f = *state;
  int start[2], results[NPROC][2];
  pid_t pids[NPROC];
  assert_int_equal(pipe(start), 0);
  fflush(NULL);
  for (int c = 0; c < NPROC; c++) {
    assert_int_equal(pipe(results[c]), 0);
    pids[c] = fork();
    assert_true(pids[c] >= 0);
    if (pids[c] == 0) {
      close(start[1]);
      close(results[c][0]);
      char go;
      /* every child blocks here until the parent closes the pipe: they all
       * start racing at once */
      (void)!read(start[0], &go, 1);
      og_store *s = NULL;
      og_error e = OG_ERROR_INIT;
      if (og_store_open_posix(&s, f->dir, false, &e)) _exit(2);
      char out[NKEYS];
      og_buf v = OG_BUF_INIT;
      for (int k = 0; k < NKEYS; k++) {
        char key[64];
        race_key(key, sizeof key, k);
        race_value(&v, c, k);
        og_status rc = og_store_put_if_absent(s, key, v.ptr, v.len, &e);
        out[k] = rc == OG_OK ? 'W' : rc == OG_EEXISTS ? 'L' : 'E';
      }
      if (write(results[c][1], out, sizeof out) != (ssize_t)sizeof out) _exit(3);
      _exit(0);
    }
    close(results[c][1]);
  }
  close(start[0]);
  close(start[1]);
  char got[NPROC][NKEYS];
  for (int c = 0; c < NPROC; c++) {
    size_t have = 0;
    while (have < NKEYS) {
      ssize_t r = read(results[c][0], got[c] + have, NKEYS - have);
      if (r <= 0) break;
      have += (size_t)r;
    }
    close(results[c][0]);
    int status = 0;
    assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(have, NKEYS);
  }
  og_buf v = OG_BUF_INIT;
  og_error err = OG_ERROR_INIT;
  for (int k = 0; k < NKEYS; k++) {
    int winners = 0, winner = -1;
    for (int c = 0; c < NPROC; c++) {
      if (got[c][k] == 'E') fail_msg("child %d key %d: I/O error", c, k);
      if (got[c][k] == 'W') winners++, winner = c;
    }
    if (winners != 1) fail_msg("key %d: %d winners", k, winners);
    char key[64];
    race_key(key, sizeof key, k);
    race_value(&v, winner, k);
    fx_expect(f->s, key, v.ptr, v.len);
  }
  og_keylist l = {NULL, 0};
  OG_ASSERT_OK(og_store_list(f->s, log_keys ? "log/" : "race/", &l, &err), &err);
  assert_int_equal(l.count, NKEYS);
  og_keylist_dispose(&l);
  size_t removed = 1;
  OG_ASSERT_OK(og_store_sweep_temp(f->s, 0, &removed, &err), &err);
  assert_int_equal(removed, 0); /* losers cleaned up after themselves */
  og_buf_dispose(&v);
}

/* S1 between processes: writers replace one key with uniform values of
 * different lengths while readers check every read is exactly one of them. */
static bool value_whole(const og_buf *b) {
  if (b->len == 0) return false;
  char c = b->ptr[0];
  if (c < 'a' || c > 'z') return false;
  if (b->len != (size_t)(1000 + (c - 'a') * 3001)) return false;
  for (size_t i = 1; i < b->len; i++)
    if (b->ptr[i] != c) return false;
  return true;
}

static void test_processes_put_readers(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  og_buf v = OG_BUF_INIT;
  for (int i = 0; i < 1000; i++) og_buf_putc(&v, 'a');
  OG_ASSERT_OK(og_store_put(f->s, hot_key(), v.ptr, v.len, &err), &err);
  og_buf_dispose(&v);
  enum { WRITERS = 4, READERS = 3 };
  pid_t pids[WRITERS + READERS];
  fflush(NULL);
  for (int c = 0; c < WRITERS + READERS; c++) {
    pids[c] = fork();
    assert_true(pids[c] >= 0);
    if (pids[c] != 0) continue;
    og_store *s = NULL;
    og_error e = OG_ERROR_INIT;
    og_buf b = OG_BUF_INIT;
    if (og_store_open_posix(&s, f->dir, false, &e)) _exit(2);
    for (int it = 0; it < 150; it++) {
      og_buf_clear(&b);
      if (c < WRITERS) {
        char ch = (char)('a' + (c * 5 + it) % 26);
        size_t n = (size_t)(1000 + (ch - 'a') * 3001);
        for (size_t i = 0; i < n; i++) og_buf_putc(&b, ch);
        if (og_store_put(s, hot_key(), b.ptr, b.len, &e)) _exit(3);
      } else {
        if (og_store_get(s, hot_key(), &b, &e)) _exit(4);
        if (!value_whole(&b)) _exit(5);
      }
    }
    _exit(0);
  }
  for (int c = 0; c < WRITERS + READERS; c++) {
    int status = 0;
    assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0) fail_msg("process %d exited %d", c, WEXITSTATUS(status));
  }
  og_buf b = OG_BUF_INIT;
  OG_ASSERT_OK(og_store_get(f->s, hot_key(), &b, &err), &err);
  assert_true(value_whole(&b));
  og_buf_dispose(&b);
}

/*==================== threads on one handle ====================*/

#define NTHREADS 8
#define NSHARED 100

typedef struct thr_ctx {
  og_store *s;
  int id;
  atomic_int *wins; /* [NSHARED]: winner id + 1 */
  atomic_int *nwins;
  int failures;
  char why[256];
} thr_ctx;

static void *thread_main(void *arg) {
  thr_ctx *t = arg;
  og_error e = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  char key[64], val[64];
  for (int j = 0; j < NSHARED && !t->failures; j++) {
    /* private keys: put, read back, overwrite, list, delete */
    snprintf(key, sizeof key, "th/%d/%03d", t->id, j);
    snprintf(val, sizeof val, "v-%d-%d", t->id, j);
    og_buf_clear(&b);
    if (og_store_put(t->s, key, val, strlen(val), &e) ||
        og_store_get(t->s, key, &b, &e) || strcmp(b.ptr, val) != 0) {
      t->failures++;
      snprintf(t->why, sizeof t->why, "private %s: %s", key, e.message);
      break;
    }
    if (j % 10 == 9) {
      og_keylist l = {NULL, 0};
      char prefix[32];
      snprintf(prefix, sizeof prefix, "th/%d/", t->id);
      if (og_store_list(t->s, prefix, &l, &e) || l.count != (size_t)(j + 1 - j / 10)) {
        t->failures++;
        snprintf(t->why, sizeof t->why, "list %s: %zu keys at j=%d", prefix, l.count, j);
      }
      og_keylist_dispose(&l);
      snprintf(key, sizeof key, "th/%d/%03d", t->id, j);
      if (og_store_delete(t->s, key, &e)) t->failures++;
    }
    /* shared keys: everybody races put_if_absent */
    shared_key(key, sizeof key, j);
    snprintf(val, sizeof val, "winner-%d", t->id);
    og_status rc = og_store_put_if_absent(t->s, key, val, strlen(val), &e);
    if (rc == OG_OK) {
      int expected = 0;
      if (!atomic_compare_exchange_strong(&t->wins[j], &expected, t->id + 1)) {
        t->failures++;
        snprintf(t->why, sizeof t->why, "%s: second winner %d after %d", key, t->id, expected - 1);
      }
      atomic_fetch_add(t->nwins, 1);
    } else if (rc != OG_EEXISTS) {
      t->failures++;
      snprintf(t->why, sizeof t->why, "pia %s: %s", key, e.message);
    }
    /* whoever won, the key now reads as a whole winner value */
    og_buf_clear(&b);
    if (og_store_get(t->s, key, &b, &e) || !og_str_startswith(b.ptr, "winner-")) {
      t->failures++;
      snprintf(t->why, sizeof t->why, "read shared %s: %s", key, e.message);
    }
    /* and a hot key replaced by everybody stays whole */
    og_buf_clear(&b);
    char ch = (char)('a' + (t->id * 3 + j) % 26);
    size_t n = (size_t)(1000 + (ch - 'a') * 3001);
    for (size_t i = 0; i < n; i++) og_buf_putc(&b, ch);
    if (og_store_put(t->s, hot_key(), b.ptr, b.len, &e)) t->failures++;
    og_buf_clear(&b);
    if (og_store_get(t->s, hot_key(), &b, &e) || !value_whole(&b)) {
      t->failures++;
      snprintf(t->why, sizeof t->why, "hot value torn (%zu bytes)", b.len);
    }
  }
  og_buf_dispose(&b);
  return NULL;
}

static void test_threads_one_handle(void **state) {
  fx *f = *state;
  pthread_t th[NTHREADS];
  thr_ctx ctx[NTHREADS];
  atomic_int wins[NSHARED];
  atomic_int nwins;
  atomic_init(&nwins, 0);
  for (int j = 0; j < NSHARED; j++) atomic_init(&wins[j], 0);
  og_store_stats_reset(f->s);
  for (int i = 0; i < NTHREADS; i++) {
    ctx[i] = (thr_ctx){.s = f->s, .id = i, .wins = wins, .nwins = &nwins};
    assert_int_equal(pthread_create(&th[i], NULL, thread_main, &ctx[i]), 0);
  }
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(th[i], NULL);
    if (ctx[i].failures) fail_msg("thread %d: %d failures, last: %s", i, ctx[i].failures, ctx[i].why);
  }
  assert_int_equal(atomic_load(&nwins), NSHARED);
  char key[64], val[64];
  for (int j = 0; j < NSHARED; j++) {
    int w = atomic_load(&wins[j]);
    assert_true(w > 0);
    shared_key(key, sizeof key, j);
    snprintf(val, sizeof val, "winner-%d", w - 1);
    fx_expect_str(f->s, key, val);
  }
  og_store_stats st;
  og_store_stats_get(f->s, &st);
  assert_int_equal(st.put_if_absents, NTHREADS * NSHARED);
  assert_int_equal(st.puts, 2 * NTHREADS * NSHARED);
  assert_int_equal(st.lists, NTHREADS * (NSHARED / 10));
  assert_int_equal(st.deletes, NTHREADS * (NSHARED / 10));
}

/* Opening, using and dropping one named memory store from many threads. */
static void *registry_main(void *arg) {
  int id = *(int *)arg;
  for (int i = 0; i < 200; i++) {
    og_store *s = NULL;
    og_error e = OG_ERROR_INIT;
    if (og_store_open(&s, "memory://conc-registry", true, &e)) return (void *)1;
    char key[32];
    snprintf(key, sizeof key, "k/%d/%d", id, i);
    if (og_store_put(s, key, "v", 1, &e)) return (void *)1;
    og_store_free(s);
    if (i % 50 == 49) og_store_memory_drop("conc-registry");
  }
  return NULL;
}

static void test_memory_registry_threads(void **state) {
  (void)state;
  pthread_t th[NTHREADS];
  int ids[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    ids[i] = i;
    assert_int_equal(pthread_create(&th[i], NULL, registry_main, &ids[i]), 0);
  }
  for (int i = 0; i < NTHREADS; i++) {
    void *rv = NULL;
    pthread_join(th[i], &rv);
    assert_null(rv);
  }
  og_store_memory_drop("conc-registry");
}

static void test_log_keys_on(void **state) {
  (void)state;
  log_keys = true;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      FX_POSIX_TEST(test_processes_race_put_if_absent),
      FX_POSIX_TEST(test_processes_put_readers),
      FX_TEST(test_threads_one_handle),
      cmocka_unit_test(test_log_keys_on),
      FX_POSIX_TEST(test_processes_race_put_if_absent),
      FX_POSIX_TEST(test_processes_put_readers),
      FX_TEST(test_threads_one_handle),
      cmocka_unit_test(test_memory_registry_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
