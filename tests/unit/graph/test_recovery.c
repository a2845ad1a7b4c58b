/* graph: write intents and recovery (docs/durability.md) — roll back / roll
 * forward of crashed writers, idempotence, the audit log, a live writer in
 * another process left alone, read-only opens that never write, the fault
 * suite (EIO, ENOSPC, torn writes at every store operation of each writer)
 * and the concurrency suite (processes writing while some are kill -9'd).
 * With OG_SOAK=1 in the environment the concurrency suite runs for minutes. */
#include "graph_fixture.h"
#include "graph/graph_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

/*---- helpers ----*/

static og_store *posix_at(const char *dir, bool create) {
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  OG_ASSERT_OK(og_store_open_posix(&st, dir, create, &err), &err);
  return st;
}

/* verify's warnings: orphan objects and write intents left. */
static void leftovers(og_store *st, int64_t *orphans, int64_t *intents) {
  og_error err = OG_ERROR_INIT;
  og_buf rep = OG_BUF_INIT;
  og_status rc = og_graph_verify(st, &rep, &err);
  if (rc != OG_OK) fail_msg("verify: %s\n%s", err.message, rep.ptr ? rep.ptr : "");
  json_t *j = json_loads(rep.ptr, 0, NULL);
  assert_non_null(j);
  *orphans = json_integer_value(json_object_get(j, "orphans"));
  *intents = json_integer_value(json_object_get(j, "intents"));
  if (*orphans || *intents) print_message("verify: %s\n", rep.ptr);
  json_decref(j);
  og_buf_dispose(&rep);
}

static void assert_clean(og_store *st) {
  int64_t o = -1, i = -1;
  leftovers(st, &o, &i);
  assert_int_equal(o, 0);
  assert_int_equal(i, 0);
}

static size_t count_keys(og_store *st, const char *prefix) {
  og_error err = OG_ERROR_INIT;
  og_keylist kl = {0};
  OG_ASSERT_OK(og_store_list(st, prefix, &kl, &err), &err);
  size_t n = kl.count;
  og_keylist_dispose(&kl);
  return n;
}

static og_recover_result recover(og_store *st) {
  og_error err = OG_ERROR_INIT;
  og_recover_result r;
  OG_ASSERT_OK(og_graph_recover(st, NULL, &r, &err), &err);
  return r;
}

static void seed(const char *dir) {
  og_error err = OG_ERROR_INIT;
  og_store *st = posix_at(dir, true);
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "seed", 3, 0, NULL, &err), &err);
  og_graph_free(g);
  og_store_free(st);
}

/* A child that appends 2 rows to main with `fp_spec` armed; returns its exit status. */
static int child_write(const char *dir, const char *fp_spec) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    og_error e = OG_ERROR_INIT;
    og_store *st = NULL;
    og_graph *g = NULL;
    if (fp_spec && og_fp_configure(fp_spec, &e) != OG_OK) _exit(2);
    if (og_store_open_posix(&st, dir, false, &e) != OG_OK) _exit(3);
    if (og_graph_open(st, 0, &g, &e) != OG_OK) _exit(4);
    og_status rc = fx_commit_append(g, "main", "node:Person", "child", 2, 0, NULL, &e);
    _exit(rc == OG_OK ? 0 : 5);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

/*---- crash → roll back / roll forward ----*/

static void test_crash_rolls_back(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  char *dir = og_test_tmpdir("rec-back");
  seed(dir);
  assert_int_equal(child_write(dir, "graph.commit.before_put=crash"), OG_FP_CRASH_EXIT);
  og_store *st = posix_at(dir, false);
  int64_t o, i;
  leftovers(st, &o, &i);
  assert_true(o >= 3); /* fragment, key index, descriptor */
  assert_int_equal(i, 1);
  /* a read-only open never writes */
  og_graph *g = NULL;
  OG_ASSERT_OK(og_graph_open(st, OG_GRAPH_READ_ONLY, &g, &err), &err);
  og_graph_free(g);
  assert_int_equal(count_keys(st, "intents/"), 1);
  assert_int_equal(count_keys(st, "recovery/"), 0);
  og_recover_result r = recover(st);
  assert_int_equal(r.rolled_back, 1);
  assert_int_equal(r.rolled_forward, 0);
  assert_int_equal((int64_t)r.objects_removed, o);
  assert_clean(st);
  /* idempotent: a second recovery finds nothing */
  r = recover(st);
  assert_int_equal(r.rolled_back + r.rolled_forward + r.objects_removed, 0);
  og_recovery_list l = {0};
  OG_ASSERT_OK(og_graph_recovery_list(st, &l, &err), &err);
  assert_int_equal(l.count, 1);
  assert_string_equal(l.items[0].outcome, "rolled_back");
  assert_string_equal(l.items[0].operation, "write");
  assert_string_equal(l.items[0].branch, "main");
  assert_int_equal((int64_t)l.items[0].objects_removed, o);
  assert_non_null(strstr(l.items[0].json, "\"actor\":\"omnigraph:recovery\""));
  og_recovery_list_dispose(&l);
  /* the graph is the before-state and writable */
  OG_ASSERT_OK(og_graph_open(st, 0, &g, &err), &err);
  assert_int_equal(fx_head(g, "main"), 2);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "after", 1, 0, NULL, &err), &err);
  assert_int_equal(fx_rows(g, "main", 0, "node:Person"), 4);
  og_graph_free(g);
  assert_clean(st);
  og_store_free(st);
  og_test_rmtree(dir);
  og_free(dir);
}

static void test_crash_after_commit_rolls_forward(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  const char *points[] = {"intent.delete.before=crash", "graph.commit.after_put=crash"};
  for (size_t k = 0; k < 2; k++) {
    char *dir = og_test_tmpdir("rec-fwd");
    seed(dir);
    assert_int_equal(child_write(dir, points[k]), OG_FP_CRASH_EXIT);
    og_store *st = posix_at(dir, false);
    og_graph *g = NULL;
    OG_ASSERT_OK(og_graph_open(st, 0, &g, &err), &err); /* recovers */
    assert_int_equal(fx_head(g, "main"), 3);
    assert_int_equal(fx_rows(g, "main", 0, "node:Person"), 5);
    og_graph_free(g);
    assert_clean(st);
    og_recovery_list l = {0};
    OG_ASSERT_OK(og_graph_recovery_list(st, &l, &err), &err);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.items[0].outcome, "rolled_forward");
    assert_non_null(strstr(l.items[0].json, "\"committed_version\":3"));
    assert_non_null(strstr(l.items[0].json, "\"committed_actor\":\"tester\""));
    assert_non_null(strstr(l.items[0].json, "\"committed_operation\":\"load\""));
    og_recovery_list_dispose(&l);
    og_store_free(st);
    og_test_rmtree(dir);
    og_free(dir);
  }
}

/* A crash inside recovery itself is finished by the next recovery. */
static void test_crash_inside_recovery(void **state) {
  (void)state;
  const char *points[] = {"recovery.between_deletes=crash@2", "recovery.after_audit=crash"};
  for (size_t k = 0; k < 2; k++) {
    char *dir = og_test_tmpdir("rec-rec");
    seed(dir);
    assert_int_equal(child_write(dir, "graph.commit.before_put=crash"), OG_FP_CRASH_EXIT);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
      og_error e = OG_ERROR_INIT;
      og_store *st = NULL;
      if (og_fp_configure(points[k], &e) != OG_OK) _exit(2);
      if (og_store_open_posix(&st, dir, false, &e) != OG_OK) _exit(3);
      og_recover_opts ro = {UINT64_MAX};
      _exit(og_graph_recover(st, &ro, NULL, &e) == OG_OK ? 0 : 5);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), OG_FP_CRASH_EXIT);
    og_store *st = posix_at(dir, false);
    assert_int_equal(count_keys(st, "intents/"), 1);
    og_recover_result r = recover(st);
    assert_int_equal(r.rolled_back, 1);
    assert_clean(st);
    og_recovery_list l = {0};
    og_error err = OG_ERROR_INIT;
    OG_ASSERT_OK(og_graph_recovery_list(st, &l, &err), &err);
    assert_int_equal(l.count, 1); /* one record per intent, also after a re-run */
    og_recovery_list_dispose(&l);
    og_store_free(st);
    og_test_rmtree(dir);
    og_free(dir);
  }
}

/*---- a live writer in another process is never touched ----*/

static bool exists(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0;
}

static void test_live_writer_untouched(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  char *dir = og_test_tmpdir("rec-live");
  char *fpdir = og_test_tmpdir("rec-live-fp");
  seed(dir);
  setenv("OMNIGRAPH_FAILPOINT_DIR", fpdir, 1);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    og_error e = OG_ERROR_INIT;
    og_store *st = NULL;
    og_graph *g = NULL;
    if (og_fp_configure("graph.commit.before_put=pause", &e) != OG_OK) _exit(2);
    if (og_store_open_posix(&st, dir, false, &e) != OG_OK) _exit(3);
    if (og_graph_open(st, 0, &g, &e) != OG_OK) _exit(4);
    og_status rc = fx_commit_append(g, "main", "node:Person", "live", 2, 0, NULL, &e);
    _exit(rc == OG_OK ? 0 : 5);
  }
  char paused[4096], release[4096];
  snprintf(paused, sizeof paused, "%s/graph.commit.before_put.paused", fpdir);
  snprintf(release, sizeof release, "%s/graph.commit.before_put.release", fpdir);
  for (int i = 0; i < 3000 && !exists(paused); i++) usleep(10000);
  assert_true(exists(paused));
  og_store *st = posix_at(dir, false);
  size_t before = count_keys(st, "t/");
  /* a read-write open in this process recovers: the paused writer is live */
  og_graph *g = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g, &err), &err);
  og_recover_opts ro = {UINT64_MAX};
  og_recover_result r;
  OG_ASSERT_OK(og_graph_recover(st, &ro, &r, &err), &err);
  assert_int_equal(r.live, 1);
  assert_int_equal(r.rolled_back + r.rolled_forward + r.objects_removed, 0);
  assert_int_equal(count_keys(st, "t/"), before);
  assert_int_equal(count_keys(st, "intents/"), 1);
  og_intent_list il = {0};
  OG_ASSERT_OK(og_graph_intents(st, &il, &err), &err);
  assert_int_equal(il.count, 1);
  assert_true(il.items[0].live);
  og_intent_list_dispose(&il);
  /* let it finish: its commit must land intact */
  FILE *f = fopen(release, "w");
  assert_non_null(f);
  fclose(f);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(fx_head(g, "main"), 3);
  assert_int_equal(fx_rows(g, "main", 0, "node:Person"), 5);
  og_graph_free(g);
  assert_clean(st);
  unsetenv("OMNIGRAPH_FAILPOINT_DIR");
  og_store_free(st);
  og_test_rmtree(dir);
  og_test_rmtree(fpdir);
  og_free(dir);
  og_free(fpdir);
}

/* A write abandoned after creating objects is reclaimed by the next
 * recovery in the same process; a write that created nothing leaves no
 * intent at all. */
static void test_abandoned_write(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  og_graph_write *w = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g, "main", &w, &err), &err);
  og_graph_write_free(w); /* nothing created */
  assert_int_equal(count_keys(st, "intents/"), 0);
  OG_ASSERT_OK(og_graph_write_begin(g, "main", &w, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w, "node:Person", "x", 5, 0, &err), &err);
  og_graph_write_free(w); /* abandoned with objects */
  assert_int_equal(count_keys(st, "intents/"), 1);
  og_recover_opts ro = {UINT64_MAX};
  og_recover_result r;
  OG_ASSERT_OK(og_graph_recover(st, &ro, &r, &err), &err);
  assert_int_equal(r.rolled_back, 1);
  assert_true(r.objects_removed >= 3);
  assert_clean(st);
  og_graph_free(g);
  og_store_free(st);
}

/* An intent of another host is live until its lease expires. */
static void put_foreign_intent(og_store *st, const char *id, uint64_t lease_expiry) {
  og_error err = OG_ERROR_INIT;
  json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:[], s:{s:s, s:s, s:I, s:I, s:I}}",
                        "format", 1, "kind", "write_intent", "id", id, "operation", "write",
                        "state", "active", "branch", "main", "generation", (json_int_t)1,
                        "base_version", (json_int_t)2, "started_ms",
                        (json_int_t)og_ulid_time_ms(id), "keys", "owner", "host",
                        "some-other-host", "boot_id", "x", "pid", (json_int_t)1, "start_ticks",
                        (json_int_t)1, "lease_expiry_ms", (json_int_t)lease_expiry);
  og_buf body = OG_BUF_INIT;
  OG_ASSERT_OK(og_gseal(o, &body, &err), &err);
  json_decref(o);
  char key[64];
  snprintf(key, sizeof key, "intents/%s", id);
  OG_ASSERT_OK(og_store_put(st, key, body.ptr, body.len, &err), &err);
  og_buf_dispose(&body);
}

static void test_other_host_lease(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  char id[OG_ULID_LEN + 1];
  assert_int_equal(og_ulid_new(id), OG_OK);
  put_foreign_intent(st, id, og_now_ms() + 60000);
  /* an object of that writer */
  og_graph_write *w = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g, "main", &w, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w, "node:Person", "remote", 2, 0, &err), &err);
  og_recover_opts ro = {UINT64_MAX};
  og_recover_result r;
  size_t objs = count_keys(st, "t/");
  OG_ASSERT_OK(og_graph_recover(st, &ro, &r, &err), &err);
  assert_int_equal(r.live, 2); /* the foreign one and ours */
  assert_int_equal(count_keys(st, "t/"), objs);
  og_graph_write_free(w); /* abandoned: ours is dead now */
  OG_ASSERT_OK(og_graph_recover(st, &ro, &r, &err), &err);
  assert_int_equal(r.live, 1);
  assert_int_equal(r.deferred, 1); /* the foreign writer's window overlaps ours */
  /* its lease expires: both are resolved */
  put_foreign_intent(st, id, og_now_ms() - 1);
  OG_ASSERT_OK(og_graph_recover(st, &ro, &r, &err), &err);
  assert_int_equal(r.live, 0);
  assert_int_equal(r.rolled_back, 2);
  assert_clean(st);
  og_graph_free(g);
  og_store_free(st);
}

/* Intent overhead of a single-row insert (bench/RESULTS.md). */
static void test_intent_cost(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  char *dir = og_test_tmpdir("rec-cost");
  seed(dir);
  og_store *st = posix_at(dir, false);
  og_graph *g = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "warm", 1, 0, NULL, &err), &err);
  og_store_stats s;
  og_store_stats_reset(st);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "one", 1, 0, NULL, &err), &err);
  og_store_stats_get(st, &s);
  print_message("warm 1-row insert (posix): %" PRIu64 " ops (%" PRIu64 " puts, %" PRIu64
                " put_if_absent, %" PRIu64 " deletes, %" PRIu64 " heads, %" PRIu64 " gets), %" PRIu64
                " fsyncs\n",
                fx_ops(&s), s.puts, s.put_if_absents, s.deletes, s.heads, s.gets, s.fsyncs);
  /* intent put + intent delete on top of the 6 ops of docs/architecture.md §5 */
  assert_int_equal(fx_ops(&s), 8);
  assert_int_equal(s.deletes, 1);
  og_graph_free(g);
  og_store_free(st);
  og_test_rmtree(dir);
  og_free(dir);
}

/*---- fault suite ----*/

typedef enum { FOP_INIT, FOP_COMMIT, FOP_BRANCH_CREATE, FOP_BRANCH_DELETE, FOP_COMMIT_SCHEMA } fop;
static const char *const fop_names[] = {"init", "commit", "branch_create", "branch_delete",
                                        "commit+schema"};

static og_status run_fop(og_store *st, fop op, og_error *err) {
  og_graph *g = NULL;
  og_status rc;
  if (op == FOP_INIT) {
    og_graph_table_spec specs[] = {{"node:Person", &fx_person}, {"edge:Knows", &fx_knows}};
    og_graph_init_opts o = {fx_schema_text, sizeof fx_schema_text - 1, specs, 2, "t", NULL};
    rc = og_graph_init(st, &o, &g, err);
    og_graph_free(g);
    return rc;
  }
  if ((rc = og_graph_open(st, 0, &g, err)) != OG_OK) return rc;
  switch (op) {
  case FOP_COMMIT:
    rc = fx_commit_append(g, "main", "node:Person", "f", 3, 0, NULL, err);
    break;
  case FOP_BRANCH_CREATE:
    rc = og_graph_branch_create(g, "nb", "main", 0, NULL, err);
    break;
  case FOP_BRANCH_DELETE:
    rc = og_graph_branch_delete(g, "b", NULL, err);
    break;
  case FOP_COMMIT_SCHEMA: {
    og_graph_write *w = NULL;
    static const char s2[] = "node Person { id: String @key, age: I32?, nick: String? }\n";
    rc = og_graph_write_begin(g, "main", &w, err);
    if (rc == OG_OK) rc = fx_stage_append(w, "node:Person", "s", 1, OG_GRAPH_STAGE_STRICT, err);
    if (rc == OG_OK) rc = og_graph_write_set_schema(w, s2, sizeof s2 - 1, err);
    og_commit_opts co = {"schema_apply", NULL, NULL, NULL};
    if (rc == OG_OK) rc = og_graph_commit(w, &co, NULL, err);
    og_graph_write_free(w);
    break;
  }
  default:
    rc = OG_EINVAL;
  }
  og_graph_free(g);
  return rc;
}

/* Logical state: for each branch its head and Person rows ("" = no graph). */
static void logical(og_store *st, char *out, size_t cap) {
  og_error err = OG_ERROR_INIT;
  og_graph *g = NULL;
  out[0] = 0;
  if (og_graph_open(st, OG_GRAPH_READ_ONLY, &g, &err) != OG_OK) return;
  og_branch_list bl = {0};
  OG_ASSERT_OK(og_graph_branch_list(g, &bl, &err), &err);
  size_t n = 0;
  for (size_t i = 0; i < bl.count; i++)
    n += (size_t)snprintf(out + n, cap - n, "%s@%" PRIu64 ":%" PRIu64 ";", bl.items[i].name,
                          bl.items[i].head_version,
                          fx_rows(g, bl.items[i].name, 0, "node:Person"));
  og_branch_list_dispose(&bl);
  og_graph_free(g);
}

static void fault_sweep(fop op, og_fault_kind kind, uint32_t ops) {
  int failures = 0;
  for (uint64_t n = 1;; n++) {
    og_error err = OG_ERROR_INIT;
    og_store *inner = fx_memory(), *fs = NULL;
    if (op != FOP_INIT) {
      og_graph *g = fx_init(inner);
      OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "seed", 2, 0, NULL, &err), &err);
      OG_ASSERT_OK(og_graph_branch_create(g, "b", "main", 0, NULL, &err), &err);
      og_graph_free(g);
    }
    char before[1024], after[1024], now[1024];
    logical(inner, before, sizeof before);
    OG_ASSERT_OK(og_store_open_fault(&fs, inner, &err), &err);
    og_fault_spec spec = {ops, n, false, kind, 7, NULL};
    og_store_fault_arm(fs, &spec);
    og_status rc = run_fop(fs, op, &err);
    bool fired = og_store_fault_fired(fs) > 0;
    og_store_fault_disarm(fs);
    og_store_free(fs);
    if (!fired) { /* past the last store operation: the sweep is complete */
      OG_ASSERT_OK(rc, &err);
      og_store_free(inner);
      break;
    }
    if (rc != OG_OK) {
      failures++;
      if (!err.message[0]) fail_msg("%s: fault at op %" PRIu64 ": error without a message", fop_names[op], n);
    }
    /* recovery (what the next read-write open does) leaves no orphan */
    og_recover_opts ro = {UINT64_MAX};
    og_error re = OG_ERROR_INIT;
    OG_ASSERT_OK(og_graph_recover(inner, &ro, NULL, &re), &re);
    logical(inner, now, sizeof now);
    if (rc != OG_OK && strcmp(now, before) != 0) {
      /* an error reported after the commit point (outcome unknown) may
       * leave the after-state: it must then be the complete one */
      og_store *ref = fx_memory();
      if (op != FOP_INIT) {
        og_graph *g = fx_init(ref);
        OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "seed", 2, 0, NULL, &err), &err);
        OG_ASSERT_OK(og_graph_branch_create(g, "b", "main", 0, NULL, &err), &err);
        og_graph_free(g);
      }
      OG_ASSERT_OK(run_fop(ref, op, &err), &err);
      logical(ref, after, sizeof after);
      og_store_free(ref);
      if (strcmp(now, after) != 0)
        fail_msg("%s: fault %d at op %" PRIu64 ": state %s is neither before %s nor after %s",
                 fop_names[op], (int)kind, n, now, before, after);
    }
    if (now[0]) {
      assert_clean(inner);
      /* writable afterwards */
      og_graph *g = NULL;
      OG_ASSERT_OK(og_graph_open(inner, 0, &g, &err), &err);
      OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "next", 1, 0, NULL, &err), &err);
      og_graph_free(g);
    } else {
      /* no graph: nothing of the failed init may be left */
      size_t left = count_keys(inner, "t/") + count_keys(inner, "schema/") +
                    count_keys(inner, "intents/") + count_keys(inner, "log/");
      if (left) {
        og_keylist kl = {0};
        og_store_list(inner, "", &kl, NULL);
        for (size_t q = 0; q < kl.count; q++) print_message("left: %s\n", kl.keys[q]);
        og_keylist_dispose(&kl);
        fail_msg("init, fault %d at op %" PRIu64 ": %zu objects left (%s)", (int)kind, n, left, err.message);
      }
      OG_ASSERT_OK(run_fop(inner, FOP_INIT, &err), &err);
    }
    assert_clean(inner);
    og_store_free(inner);
  }
  print_message("  %s, fault %d: %d failing operations checked\n", fop_names[op], (int)kind, failures);
}

static void test_fault_suite(void **state) {
  (void)state;
  const og_fault_kind kinds[] = {OG_FAULT_EIO, OG_FAULT_ENOSPC, OG_FAULT_TORN};
  for (int op = FOP_INIT; op <= FOP_COMMIT_SCHEMA; op++)
    for (size_t k = 0; k < 3; k++)
      fault_sweep((fop)op, kinds[k], kinds[k] == OG_FAULT_TORN ? OG_STORE_OP_WRITES : OG_STORE_OP_ALL);
}

/*---- concurrency suite ----*/

typedef struct conc_cfg {
  int nproc, ncommits, kills;
} conc_cfg;

/* One writer: ncommits commits of 2 rows "<tag>-0", "<tag>-1"; after each
 * acknowledged commit, "<branch> <table> <tag>\n" goes to its ack log. */
static int conc_child(const char *dir, const char *logpath, int id, int ncommits) {
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  og_graph *g = NULL;
  int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return 9;
  if (og_store_open_posix(&st, dir, false, &err) != OG_OK) return 10;
  if (og_graph_open(st, 0, &g, &err) != OG_OK) return 11;
  const char *branch = id % 3 == 2 ? "b" : "main";
  const char *table = id % 2 == 0 ? "node:Person" : "edge:Knows";
  for (int j = 0; j < ncommits; j++) {
    char tag[64], line[128];
    snprintf(tag, sizeof tag, "p%d.%d-%d", id, (int)getpid(), j);
    og_status rc;
    int busy = 0;
    while ((rc = fx_commit_append(g, branch, table, tag, 2, 0, NULL, &err)) == OG_EBUSY && busy < 50)
      busy++;
    if (rc != OG_OK) {
      fprintf(stderr, "writer %d commit %d: %s: %s\n", id, j, og_status_name(rc), err.message);
      return 12;
    }
    int n = snprintf(line, sizeof line, "%s %s %s\n", branch, table, tag);
    if (write(fd, line, (size_t)n) != n) return 13;
  }
  og_graph_free(g);
  og_store_free(st);
  close(fd);
  return 0;
}

static void collect_ids(og_graph *g, const char *branch, const char *table, og_map *ids) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  og_table *t = NULL;
  og_scan *sc = NULL;
  const og_batch *b = NULL;
  uint32_t col = 0;
  og_scan_opts o = {&col, 1, NULL, 0};
  OG_ASSERT_OK(og_graph_snapshot(g, branch, 0, &s, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(s, table, &t, &err), &err);
  OG_ASSERT_OK(og_table_scan(t, &o, &sc, &err), &err);
  while (og_scan_next(sc, &b, &err) == OG_OK && b) {
    for (size_t i = 0; i < og_batch_rows(b); i++) {
      size_t len;
      const char *p = og_column_get_bytes(&b->cols[0], i, &len);
      char k[256];
      snprintf(k, sizeof k, "%s|%s|%.*s", branch, table, (int)len, p);
      void *v = NULL;
      og_map_sget(ids, k, &v);
      assert_int_equal(og_map_sput(ids, k, (void *)((uintptr_t)v + 1)), OG_OK);
    }
  }
  og_scan_free(sc);
  og_table_free(t);
  og_snapshot_free(s);
}

static void run_concurrency(const conc_cfg *c) {
  og_error err = OG_ERROR_INIT;
  char *dir = og_test_tmpdir("rec-conc");
  char *logs = og_test_tmpdir("rec-conc-log");
  og_store *st = posix_at(dir, true);
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(og_graph_branch_create(g, "b", "main", 0, NULL, &err), &err);
  og_graph_free(g);
  unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
  print_message("  concurrency: %d writers x %d commits, %d kills, seed %u\n", c->nproc, c->ncommits,
                c->kills, seed);
  srand(seed);
  pid_t *pids = og_calloc((size_t)c->nproc, sizeof *pids);
  assert_non_null(pids);
  fflush(NULL);
  for (int i = 0; i < c->nproc; i++) {
    char lp[4096];
    snprintf(lp, sizeof lp, "%s/ack-%d", logs, i);
    pids[i] = fork();
    assert_true(pids[i] >= 0);
    if (pids[i] == 0) _exit(conc_child(dir, lp, i, c->ncommits));
  }
  /* kill -9 some writers at random moments */
  for (int k = 0; k < c->kills; k++) {
    usleep((useconds_t)(20000 + rand() % 200000));
    int v = rand() % c->nproc;
    if (pids[v] > 0) kill(pids[v], SIGKILL);
  }
  int killed = 0;
  for (int i = 0; i < c->nproc; i++) {
    int status = 0;
    assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
    if (WIFSIGNALED(status)) {
      killed++;
      continue;
    }
    if (WEXITSTATUS(status) != 0) fail_msg("writer %d exited %d", i, WEXITSTATUS(status));
  }
  print_message("  %d writers killed\n", killed);
  /* recovery (read-write open), then the checks */
  OG_ASSERT_OK(og_graph_open(st, 0, &g, &err), &err);
  og_map ids = OG_MAP_INIT;
  const char *branches[] = {"main", "b"}, *tables[] = {"node:Person", "edge:Knows"};
  for (int b = 0; b < 2; b++)
    for (int t = 0; t < 2; t++) collect_ids(g, branches[b], tables[t], &ids);
  /* every acknowledged write is present, exactly once */
  size_t acked = 0;
  for (int i = 0; i < c->nproc; i++) {
    char lp[4096];
    snprintf(lp, sizeof lp, "%s/ack-%d", logs, i);
    char *txt = og_test_read_file(lp, NULL);
    if (!txt) continue;
    char *save = NULL;
    for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      char br[64], tb[64], tag[64];
      if (sscanf(line, "%63s %63s %63s", br, tb, tag) != 3) continue;
      for (int r = 0; r < 2; r++) {
        char k[256];
        void *v = NULL;
        snprintf(k, sizeof k, "%s|%s|%s-%d", br, tb, tag, r);
        if (!og_map_sget(&ids, k, &v) || (uintptr_t)v != 1)
          fail_msg("acknowledged write %s row %d: present %d times", tag, r, (int)(uintptr_t)v);
      }
      acked++;
    }
    og_free(txt);
  }
  /* nothing is half-present: every tag has both of its rows */
  size_t pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(&ids, &pos))) {
    if ((uintptr_t)e->value != 1) fail_msg("row %s present %d times", e->key, (int)(uintptr_t)e->value);
    size_t n = strlen(e->key);
    if (strncmp(e->key + n - 2, "-0", 2) != 0 && strncmp(e->key + n - 2, "-1", 2) != 0) continue;
    if (strstr(e->key, "|seed")) continue;
    char other[256];
    snprintf(other, sizeof other, "%.*s-%c", (int)(n - 2), e->key, e->key[n - 1] == '0' ? '1' : '0');
    if (!og_map_sget(&ids, other, NULL)) fail_msg("half-present write: %s without %s", e->key, other);
  }
  print_message("  %zu acknowledged writes present\n", acked);
  og_map_dispose(&ids);
  og_graph_free(g);
  assert_clean(st);
  og_free(pids);
  og_store_free(st);
  og_test_rmtree(dir);
  og_test_rmtree(logs);
  og_free(dir);
  og_free(logs);
}

static void test_concurrency_with_kills(void **state) {
  (void)state;
  conc_cfg c = {6, 12, 3};
  run_concurrency(&c);
  const char *soak = getenv("OG_SOAK");
  if (soak && *soak && strcmp(soak, "0") != 0) {
    /* the long version: larger rounds, repeated */
    for (int round = 0; round < 20; round++) {
      conc_cfg s = {12, 60, 10};
      run_concurrency(&s);
    }
  }
}

int main(void) {
  /* one host: no clock skew to wait out */
  setenv("OMNIGRAPH_RECOVERY_SKEW_MS", "0", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_crash_rolls_back),
      cmocka_unit_test(test_crash_after_commit_rolls_forward),
      cmocka_unit_test(test_crash_inside_recovery),
      cmocka_unit_test(test_live_writer_untouched),
      cmocka_unit_test(test_abandoned_write),
      cmocka_unit_test(test_other_host_lease),
      cmocka_unit_test(test_intent_cost),
      cmocka_unit_test(test_fault_suite),
      cmocka_unit_test(test_concurrency_with_kills),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
