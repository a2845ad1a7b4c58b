/* graph: threads sharing one handle — the in-process per-branch mutex
 * serializes commits so writers do not waste optimistic retries. */
#include "graph_fixture.h"

#include <pthread.h>
#include <time.h>

#include "graph/graph_int.h"

#define NTHREADS 8
#define PER_THREAD 10

typedef struct targ {
  og_graph *g;
  int id;
  unsigned flags;
  pthread_barrier_t *barrier; /* all writers pin before anyone commits */
  og_status rc;
  int committed, conflicts;
} targ;

static void *inserter(void *p) {
  targ *a = p;
  og_error err = OG_ERROR_INIT;
  for (int j = 0; j < PER_THREAD; j++) {
    char tag[32];
    snprintf(tag, sizeof tag, "t%d-%d", a->id, j);
    og_status rc = fx_commit_append(a->g, "main", "node:Person", tag, 1, a->flags, tag, &err);
    if (rc != OG_OK) {
      a->rc = rc;
      return NULL;
    }
    a->committed++;
  }
  return NULL;
}

static void test_threads_insert_same_table(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  og_store_stats_reset(st);
  pthread_t th[NTHREADS];
  targ args[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    args[i] = (targ){g, i, 0, NULL, OG_OK, 0, 0};
    assert_int_equal(pthread_create(&th[i], NULL, inserter, &args[i]), 0);
  }
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(args[i].rc, OG_OK);
  }
  og_store_stats s;
  og_store_stats_get(st, &s);
  /* one put_if_absent per commit: no writer of this handle lost a race */
  assert_int_equal(s.put_if_absents, NTHREADS * PER_THREAD);
  assert_int_equal(fx_head(g, "main"), 1 + NTHREADS * PER_THREAD);
  assert_int_equal(fx_rows(g, "main", 0, "node:Person"), NTHREADS * PER_THREAD);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_graph_free(g);
  og_store_free(st);
}

static void *updater(void *p) {
  targ *a = p;
  og_error err = OG_ERROR_INIT;
  og_graph_write *w = NULL;
  a->rc = og_graph_write_begin(a->g, "main", &w, &err);
  if (a->rc == OG_OK) a->rc = fx_stage_append(w, "node:Person", "u", 1, a->flags, &err);
  pthread_barrier_wait(a->barrier);
  og_commit_opts co = {"mutation", NULL, NULL, NULL};
  if (a->rc == OG_OK) {
    og_status rc = og_graph_commit(w, &co, NULL, &err);
    if (rc == OG_OK) a->committed++;
    else if (rc == OG_ECONFLICT) a->conflicts++;
    else a->rc = rc;
  }
  og_graph_write_free(w);
  return NULL;
}

static void test_threads_strict_same_pin(void **state) {
  (void)state;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, NTHREADS);
  pthread_t th[NTHREADS];
  targ args[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    args[i] = (targ){g, i, OG_GRAPH_STAGE_STRICT, &barrier, OG_OK, 0, 0};
    assert_int_equal(pthread_create(&th[i], NULL, updater, &args[i]), 0);
  }
  int ok = 0, conflicts = 0;
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(args[i].rc, OG_OK);
    ok += args[i].committed;
    conflicts += args[i].conflicts;
  }
  pthread_barrier_destroy(&barrier);
  /* N strict writers from the same pin: exactly one wins, never a 500 */
  assert_int_equal(ok, 1);
  assert_int_equal(conflicts, NTHREADS - 1);
  assert_int_equal(fx_head(g, "main"), 2);
  og_graph_free(g);
  og_store_free(st);
}

typedef struct rarg {
  og_store *st;
  int id;
  pthread_barrier_t *barrier;
  og_status rc;
  int commits;
} rarg;

static void *creator(void *p) {
  rarg *a = p;
  og_error err = OG_ERROR_INIT;
  og_graph *g = NULL; /* a handle per thread: only put_if_absent arbitrates */
  if ((a->rc = og_graph_open(a->st, 0, &g, &err)) != OG_OK) return NULL;
  pthread_barrier_wait(a->barrier);
  a->rc = og_graph_branch_create(g, "race", "main", 0, NULL, &err);
  og_graph_free(g);
  return NULL;
}

static void *initer(void *p) {
  rarg *a = p;
  og_error err = OG_ERROR_INIT;
  og_graph_table_spec specs[] = {{"node:Person", &fx_person}};
  og_graph_init_opts o = {"s", 1, specs, 1, NULL, NULL};
  pthread_barrier_wait(a->barrier);
  a->rc = og_graph_init(a->st, &o, NULL, &err);
  return NULL;
}

static void *branch_writer(void *p) {
  rarg *a = p;
  og_error err = OG_ERROR_INIT;
  og_graph *g = NULL;
  if ((a->rc = og_graph_open(a->st, 0, &g, &err)) != OG_OK) return NULL;
  pthread_barrier_wait(a->barrier);
  for (int j = 0; j < 50; j++) {
    char tag[32];
    snprintf(tag, sizeof tag, "bw%d-%d", a->id, j);
    og_status rc = fx_commit_append(g, "doomed", "edge:Knows", tag, 1, 0, NULL, &err);
    if (rc == OG_ENOTFOUND) break; /* the branch is gone: expected */
    if (rc == OG_EBUSY) continue;
    if (rc != OG_OK) {
      a->rc = rc;
      break;
    }
    a->commits++;
  }
  og_graph_free(g);
  return NULL;
}

static void *deleter(void *p) {
  rarg *a = p;
  og_error err = OG_ERROR_INIT;
  og_graph *g = NULL;
  if ((a->rc = og_graph_open(a->st, 0, &g, &err)) != OG_OK) return NULL;
  pthread_barrier_wait(a->barrier);
  struct timespec ts = {0, 2000000};
  nanosleep(&ts, NULL);
  a->rc = og_graph_branch_delete(g, "doomed", NULL, &err);
  og_graph_free(g);
  return NULL;
}

static void run_threads(void *(*fn)(void *), rarg *args, int n, og_store *st) {
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, (unsigned)n);
  pthread_t th[16];
  for (int i = 0; i < n; i++) {
    args[i] = (rarg){st, i, &barrier, OG_OK, 0};
    assert_int_equal(pthread_create(&th[i], NULL, fn, &args[i]), 0);
  }
  for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&barrier);
}

static void test_threads_races(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  rarg args[NTHREADS];
  /* concurrent inits: exactly one wins */
  og_store *st = fx_memory();
  run_threads(initer, args, NTHREADS, st);
  int ok = 0;
  for (int i = 0; i < NTHREADS; i++) {
    if (args[i].rc == OG_OK) ok++;
    else assert_int_equal(args[i].rc, OG_EEXISTS);
  }
  assert_int_equal(ok, 1);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_store_free(st);
  /* concurrent creates of one name: exactly one wins */
  st = fx_memory();
  og_graph *g = fx_init(st);
  run_threads(creator, args, NTHREADS, st);
  ok = 0;
  for (int i = 0; i < NTHREADS; i++) {
    if (args[i].rc == OG_OK) ok++;
    else assert_int_equal(args[i].rc, OG_EEXISTS);
  }
  assert_int_equal(ok, 1);
  assert_int_equal(fx_head(g, "race"), 1);
  og_graph_free(g);
  og_store_free(st);
}

/* Writers racing a delete: every acknowledged commit precedes the delete,
 * nothing lands after it. */
static void test_threads_delete_race(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(og_graph_branch_create(g, "doomed", "main", 0, NULL, &err), &err);
  rarg args[NTHREADS];
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, NTHREADS);
  pthread_t th[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    args[i] = (rarg){st, i, &barrier, OG_OK, 0};
    assert_int_equal(pthread_create(&th[i], NULL, i == 0 ? deleter : branch_writer, &args[i]), 0);
  }
  int commits = 0;
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(args[i].rc, OG_OK);
    commits += args[i].commits;
  }
  pthread_barrier_destroy(&barrier);
  uint64_t v;
  assert_int_equal(og_graph_head(g, "doomed", &v, &err), OG_ENOTFOUND);
  /* the deleted incarnation: 1 (create) + every acknowledged commit + the delete */
  char key[64];
  snprintf(key, sizeof key, "log/doomed@1/%020d", 2 + commits);
  og_manifest *m = NULL;
  OG_ASSERT_OK(og_manifest_load(st, key, &m, &err), &err);
  assert_true(m->deleted);
  og_manifest_free(m);
  snprintf(key, sizeof key, "log/doomed@1/%020d", 3 + commits);
  uint64_t sz;
  assert_int_equal(og_store_head(st, key, &sz, &err), OG_ENOTFOUND);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_graph_free(g);
  og_store_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_threads_insert_same_table),
      cmocka_unit_test(test_threads_strict_same_pin),
      cmocka_unit_test(test_threads_races),
      cmocka_unit_test(test_threads_delete_race),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
