/* graph: store faults at every operation of a commit, failpoint `error` at
 * every graph failpoint, and crashes (fork + `crash`) at every failpoint. */
#include "graph_fixture.h"

#include <sys/wait.h>
#include <unistd.h>

/* A memory store holding a graph at main version 2 with 3 Person rows and a
 * branch "b". */
static og_store *seeded(void) {
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "seed", 3, 0, NULL, &err), &err);
  OG_ASSERT_OK(og_graph_branch_create(g, "b", "main", 0, NULL, &err), &err);
  og_graph_free(g);
  return st;
}

static void test_store_persistent_write_failure(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *inner = seeded();
  og_store *fs = NULL;
  OG_ASSERT_OK(og_store_open_fault(&fs, inner, &err), &err);
  og_graph *g = NULL;
  OG_ASSERT_OK(og_graph_open(fs, 0, &g, &err), &err);
  og_fault_spec spec = {OG_STORE_OP_PUT_IF_ABSENT, 1, true, OG_FAULT_ENOSPC, 0, "log/"};
  og_store_fault_arm(fs, &spec);
  assert_int_equal(fx_commit_append(g, "main", "node:Person", "x", 1, 0, NULL, &err), OG_EFULL);
  assert_non_null(strstr(err.message, "not applied"));
  assert_int_equal(og_graph_branch_create(g, "c", "main", 0, NULL, &err), OG_EFULL);
  assert_int_equal(og_graph_branch_delete(g, "b", NULL, &err), OG_EFULL);
  og_store_fault_disarm(fs);
  assert_int_equal(fx_head(g, "main"), 2);
  assert_int_equal(fx_head(g, "b"), 1);
  uint64_t v;
  assert_int_equal(og_graph_head(g, "c", &v, &err), OG_ENOTFOUND);
  OG_ASSERT_OK(og_graph_branch_create(g, "c", "main", 0, NULL, &err), &err);
  og_graph_free(g);
  og_store_free(fs);
  og_store_free(inner);
}

/*---- failpoints: error ----*/

typedef enum fp_op { OP_COMMIT, OP_BRANCH_CREATE, OP_BRANCH_DELETE, OP_INIT } fp_op;

typedef struct fp_case {
  const char *name;
  fp_op op;
  bool after; /* the failpoint sits after the commit point */
} fp_case;

static const fp_case fp_cases[] = {
    {"graph.commit.before_put", OP_COMMIT, false},
    {"graph.commit.after_put", OP_COMMIT, true},
    {"graph.commit.after_head_hint", OP_COMMIT, true},
    {"graph.branch_create.before_put", OP_BRANCH_CREATE, false},
    {"graph.branch_create.after_put", OP_BRANCH_CREATE, true},
    {"graph.branch_delete.before_put", OP_BRANCH_DELETE, false},
    {"graph.branch_delete.after_put", OP_BRANCH_DELETE, true},
    {"graph.init.after_tables", OP_INIT, false},
    {"graph.init.after_commit", OP_INIT, true},
};

static og_status run_op(og_store *st, fp_op op, og_error *err) {
  og_graph *g = NULL;
  og_status rc = OG_OK;
  if (op == OP_INIT) {
    og_graph_table_spec specs[] = {{"node:Person", &fx_person}};
    og_graph_init_opts o = {"s", 1, specs, 1, NULL, NULL};
    return og_graph_init(st, &o, NULL, err);
  }
  if ((rc = og_graph_open(st, 0, &g, err)) != OG_OK) return rc;
  switch (op) {
  case OP_COMMIT:
    rc = fx_commit_append(g, "main", "node:Person", "fp", 1, 0, NULL, err);
    break;
  case OP_BRANCH_CREATE:
    rc = og_graph_branch_create(g, "nb", "main", 0, NULL, err);
    break;
  case OP_BRANCH_DELETE:
    rc = og_graph_branch_delete(g, "b", NULL, err);
    break;
  default:
    break;
  }
  og_graph_free(g);
  return rc;
}

/* Is the after-state of `op` visible? */
static bool after_state(og_store *st, fp_op op) {
  og_error err = OG_ERROR_INIT;
  og_graph *g = NULL;
  if (og_graph_open(st, 0, &g, &err) != OG_OK) return false; /* OP_INIT before-state */
  uint64_t v = 0;
  bool after = true;
  switch (op) {
  case OP_COMMIT:
    after = fx_head(g, "main") == 3;
    if (!after) assert_int_equal(fx_head(g, "main"), 2);
    break;
  case OP_BRANCH_CREATE:
    after = og_graph_head(g, "nb", &v, &err) == OG_OK;
    break;
  case OP_BRANCH_DELETE:
    after = og_graph_head(g, "b", &v, &err) == OG_ENOTFOUND;
    break;
  default:
    break;
  }
  og_graph_free(g);
  return after;
}

static og_store *fixture_for(fp_op op) { return op == OP_INIT ? fx_memory() : seeded(); }

/* Fail the Nth store operation of `op`, for every N: either the operation
 * fails with a message and the before-state is intact (and a retry
 * succeeds), or it succeeded (the fault hit best-effort work or an
 * outcome-unknown create that a re-read resolved). */
static void run_fault_sweep(og_fault_kind kind, fp_op op) {
  og_error err = OG_ERROR_INIT;
  int failures = 0;
  for (uint64_t n = 1;; n++) {
    og_store *inner = fixture_for(op);
    og_store *fs = NULL;
    OG_ASSERT_OK(og_store_open_fault(&fs, inner, &err), &err);
    og_fault_spec spec = {OG_STORE_OP_ALL, n, false, kind, 0, NULL};
    og_store_fault_arm(fs, &spec);
    og_error werr = OG_ERROR_INIT;
    og_status rc = run_op(fs, op, &werr);
    uint64_t fired = og_store_fault_fired(fs);
    og_store_fault_disarm(fs);
    bool after = after_state(inner, op);
    if (rc == OG_OK) {
      assert_true(after);
    } else {
      failures++;
      assert_true(werr.message[0] != 0);
      if (after) fail_msg("op %d, fault at store op %" PRIu64 ": error '%s' but the change is visible",
                          (int)op, n, werr.message);
      OG_ASSERT_OK(run_op(fs, op, &err), &err); /* the retry succeeds */
      assert_true(after_state(inner, op));
    }
    if (op != OP_INIT || after) OG_ASSERT_OK(og_graph_verify(inner, NULL, &err), &err);
    og_store_free(fs);
    og_store_free(inner);
    if (fired == 0) {
      assert_true(n > 3);
      print_message("op %d, fault kind %d: %" PRIu64 " store ops, %d failed visibly\n", (int)op,
                    (int)kind, n - 1, failures);
      break;
    }
  }
  assert_true(failures > 0);
}

static void test_store_eio_each_op(void **state) {
  (void)state;
  for (int op = OP_COMMIT; op <= OP_INIT; op++) run_fault_sweep(OG_FAULT_EIO, (fp_op)op);
}

static void test_store_after_each_op(void **state) {
  (void)state;
  for (int op = OP_COMMIT; op <= OP_INIT; op++) run_fault_sweep(OG_FAULT_AFTER, (fp_op)op);
}

static void test_failpoint_error(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof fp_cases / sizeof *fp_cases; i++) {
    const fp_case *c = &fp_cases[i];
    og_error err = OG_ERROR_INIT;
    og_store *st = fixture_for(c->op);
    char spec[128];
    snprintf(spec, sizeof spec, "%s=error", c->name);
    og_fp_reset();
    OG_ASSERT_OK(og_fp_configure(spec, &err), &err);
    og_status rc = run_op(st, c->op, &err);
    bool hit = false;
    for (int id = 0; id < OG_FP__COUNT; id++)
      if (strcmp(og_fp_name((og_fp_id)id), c->name) == 0) hit = og_fp_hits((og_fp_id)id) > 0;
    og_fp_reset();
    if (!hit) fail_msg("failpoint %s was not reached", c->name);
    if (c->after) {
      /* past the commit point an injected error is post-commit work failing:
       * the commit stands and is acknowledged */
      OG_ASSERT_OK(rc, &err);
      assert_true(after_state(st, c->op));
    } else {
      if (rc == OG_OK) fail_msg("failpoint %s: no error returned", c->name);
      assert_false(after_state(st, c->op));
      OG_ASSERT_OK(run_op(st, c->op, &err), &err); /* a retry succeeds */
      assert_true(after_state(st, c->op));
    }
    if (c->op != OP_INIT || c->after) OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
    og_store_free(st);
  }
}

/*---- failpoints: crash (a real process dies at the point) ----*/

static void seed_posix(const char *dir) {
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  OG_ASSERT_OK(og_store_open_posix(&st, dir, true, &err), &err);
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "seed", 3, 0, NULL, &err), &err);
  OG_ASSERT_OK(og_graph_branch_create(g, "b", "main", 0, NULL, &err), &err);
  og_graph_free(g);
  og_store_free(st);
}

static void test_failpoint_crash(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof fp_cases / sizeof *fp_cases; i++) {
    const fp_case *c = &fp_cases[i];
    og_error err = OG_ERROR_INIT;
    char *dir = og_test_tmpdir("graph-crash");
    if (c->op != OP_INIT) seed_posix(dir);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      char spec[128];
      snprintf(spec, sizeof spec, "%s=crash", c->name);
      og_error e = OG_ERROR_INIT;
      og_store *st = NULL;
      if (og_fp_configure(spec, &e) != OG_OK) _exit(2);
      if (og_store_open_posix(&st, dir, true, &e) != OG_OK) _exit(3);
      (void)run_op(st, c->op, &e);
      _exit(0); /* not reached when the failpoint fires */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != OG_FP_CRASH_EXIT)
      fail_msg("%s: child exited %d, expected a crash", c->name, WEXITSTATUS(status));
    og_store *st = NULL;
    OG_ASSERT_OK(og_store_open_posix(&st, dir, true, &err), &err);
    /* before- or after-state, exactly as the catalogue says */
    bool after = after_state(st, c->op);
    if (after != c->after) fail_msg("%s: wrong state after the crash", c->name);
    if (c->op != OP_INIT || c->after) OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
    /* a second look changes nothing, and the operation can be redone */
    assert_true(after_state(st, c->op) == after);
    if (!after) {
      OG_ASSERT_OK(run_op(st, c->op, &err), &err);
      assert_true(after_state(st, c->op));
      OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
    }
    og_store_free(st);
    og_test_rmtree(dir);
    og_free(dir);
  }
}

/* A process dies before the Nth store operation of an operation, for every
 * N: a reopen sees the before- or the after-state and verify passes. */
static void test_store_crash_each_op(void **state) {
  (void)state;
  const fp_op ops[] = {OP_COMMIT, OP_BRANCH_CREATE, OP_BRANCH_DELETE};
  for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
    int befores = 0, afters = 0;
    for (uint64_t n = 1;; n++) {
      og_error err = OG_ERROR_INIT;
      char *dir = og_test_tmpdir("graph-scrash");
      seed_posix(dir);
      fflush(NULL);
      pid_t pid = fork();
      assert_true(pid >= 0);
      if (pid == 0) {
        og_error e = OG_ERROR_INIT;
        og_store *inner = NULL, *fs = NULL;
        if (og_store_open_posix(&inner, dir, false, &e) != OG_OK) _exit(3);
        if (og_store_open_fault(&fs, inner, &e) != OG_OK) _exit(4);
        og_fault_spec spec = {OG_STORE_OP_ALL, n, false, OG_FAULT_CRASH, 0, NULL};
        og_store_fault_arm(fs, &spec);
        og_status rc = run_op(fs, ops[k], &e);
        _exit(rc == OG_OK ? 0 : 5); /* reached only when op n does not exist */
      }
      int status = 0;
      assert_int_equal(waitpid(pid, &status, 0), pid);
      assert_true(WIFEXITED(status));
      int code = WEXITSTATUS(status);
      og_store *st = NULL;
      OG_ASSERT_OK(og_store_open_posix(&st, dir, false, &err), &err);
      bool after = after_state(st, ops[k]);
      OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
      if (code == 0) {
        assert_true(after);
      } else {
        assert_int_equal(code, OG_FP_CRASH_EXIT);
        after ? afters++ : befores++;
        if (!after) { /* redo works */
          OG_ASSERT_OK(run_op(st, ops[k], &err), &err);
          assert_true(after_state(st, ops[k]));
        }
      }
      og_store_free(st);
      og_test_rmtree(dir);
      og_free(dir);
      if (code == 0) break;
    }
    print_message("op %d: crash before each store op: %d before-states, %d after-states\n",
                  (int)ops[k], befores, afters);
    assert_true(befores > 0 && afters > 0);
  }
}

/* The Nth allocation fails, for every N, in every operation: the call fails
 * cleanly (no crash, no leak under ASan) or succeeds, and the store is left
 * in the before- or after-state. */
static void test_alloc_failure_each(void **state) {
  (void)state;
  for (int op = OP_COMMIT; op <= OP_INIT; op++) {
    int failed = 0;
    for (long n = 1;; n++) {
      og_error err = OG_ERROR_INIT;
      og_store *st = fixture_for((fp_op)op);
      long before = og_alloc_failures();
      og_alloc_fail_after(n, false);
      og_status rc = run_op(st, (fp_op)op, &err);
      og_alloc_fail_after(0, false);
      bool tripped = og_alloc_failures() != before;
      bool after = after_state(st, (fp_op)op);
      if (rc == OG_OK) assert_true(after);
      else {
        failed++;
        assert_true(err.message[0] != 0);
        /* past the commit point an allocation failure cannot undo the commit;
         * before it, nothing is visible */
        if (!after) OG_ASSERT_OK(run_op(st, (fp_op)op, &err), &err);
      }
      og_store_free(st);
      if (!tripped) {
        print_message("op %d: %ld allocations, %d failed calls\n", op, n - 1, failed);
        break;
      }
    }
  }
}

int main(void) {
  /* one host: recovery need not wait out clock skew (docs/durability.md) */
  setenv("OMNIGRAPH_RECOVERY_SKEW_MS", "0", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_store_eio_each_op),
      cmocka_unit_test(test_store_after_each_op),
      cmocka_unit_test(test_store_persistent_write_failure),
      cmocka_unit_test(test_failpoint_error),
      cmocka_unit_test(test_failpoint_crash),
      cmocka_unit_test(test_store_crash_each_op),
      cmocka_unit_test(test_alloc_failure_each),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
