/*
 * Maintenance and schema evolution through the public API (omnigraph/maint.h):
 * the reference seed's lifecycle on main and on a branch, optimize racing
 * strict writers in another process, cleanup retention (verify after every
 * cleanup), deleted-branch and orphan reclamation, bad input, format stamp.
 */
#include "og_api_fix.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api_int.h"
#include "graph/graph_int.h"
#include "graph/maint.h"

static char *tmp;
static int seq;

static const char S0[] =
    "node Person { name: String @key  age: I32? }\n"
    "node Company { name: String @key }\n"
    "edge Knows: Person -> Person\n"
    "edge WorksAt: Person -> Company\n";

static const char D0[] =
    "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Charlie\",\"age\":35}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Diana\",\"age\":28}}\n"
    "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n"
    "{\"type\":\"Company\",\"data\":{\"name\":\"Globex\"}}\n"
    "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Bob\"}\n"
    "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Charlie\"}\n"
    "{\"edge\":\"Knows\",\"from\":\"Bob\",\"to\":\"Diana\"}\n"
    "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"}\n"
    "{\"edge\":\"WorksAt\",\"from\":\"Bob\",\"to\":\"Globex\"}\n";

static char *new_uri(void) {
  char *u = og_malloc(4200);
  snprintf(u, 4200, "%s/g%d", tmp, seq++);
  return u;
}

static og_db *fresh(char **uri_out) {
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  char *uri = new_uri();
  OG_ASSERT_OK(og_db_init(&db, uri, S0, strlen(S0), NULL, &err), &err);
  og_load_opts lo = {.mode = OG_LOAD_OVERWRITE};
  og_load_result lr = {0};
  OG_ASSERT_OK(og_db_load_mem(db, &lo, D0, strlen(D0), &lr, &err), &err);
  og_load_result_dispose(&lr);
  *uri_out = uri;
  return db;
}

static uint64_t head(og_db *db, const char *branch) {
  og_error err = OG_ERROR_INIT;
  uint64_t v = 0;
  OG_ASSERT_OK(og_graph_head(og_db__graph(db), branch ? branch : "main", &v, &err), &err);
  return v;
}

/* Every live row of a table as sorted "col=value|..." lines (a full scan). */
static char *scan_text(og_db *db, const char *branch, uint64_t version, const char *table_key) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  og_table *t = NULL;
  og_scan *sc = NULL;
  const og_batch *b = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), branch ? branch : "main", version, &s, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(s, table_key, &t, &err), &err);
  const og_table_schema *ts = og_table_schema_get(t);
  OG_ASSERT_OK(og_table_scan(t, NULL, &sc, &err), &err);
  OG_VEC(char *) lines = OG_VEC_INIT;
  for (;;) {
    OG_ASSERT_OK(og_scan_next(sc, &b, &err), &err);
    if (!b) break;
    for (size_t r = 0; r < og_batch_rows(b); r++) {
      og_buf l = OG_BUF_INIT;
      for (size_t c = 0; c < b->ncols; c++) {
        const og_column *col = &b->cols[c];
        og_buf_printf(&l, "%s%s=", c ? "|" : "", ts->cols[b->col_index[c]].name);
        if (og_column_is_null(col, r)) {
          og_buf_puts(&l, "null");
        } else if (col->type == OG_COL_STRING) {
          size_t n = 0;
          const char *p = og_column_get_bytes(col, r, &n);
          og_buf_put(&l, p, n);
        } else if (col->type == OG_COL_I32 || col->type == OG_COL_I64) {
          og_buf_printf(&l, "%lld", (long long)og_column_get_i64(col, r));
        } else {
          og_buf_puts(&l, "?");
        }
      }
      char *line = og_buf_detach(&l, NULL);
      assert_int_equal(OG_VEC_PUSH(&lines, line), OG_OK);
    }
  }
  qsort(lines.items, lines.count, sizeof *lines.items, og_afix_cmp_str);
  og_buf out = OG_BUF_INIT;
  for (size_t i = 0; i < lines.count; i++) {
    og_buf_printf(&out, "%s\n", lines.items[i]);
    og_free(lines.items[i]);
  }
  OG_VEC_FREE(&lines);
  og_scan_free(sc);
  og_table_free(t);
  og_snapshot_free(s);
  og_buf_puts(&out, "");
  return og_buf_detach(&out, NULL);
}

/* Run a read query; every row as "cell,cell" lines, sorted. */
static char *query_text(og_db *db, const char *branch, const char *gq) {
  og_error err = OG_ERROR_INIT;
  og_result *r = NULL;
  og_query_opts qo = {.branch = branch};
  OG_ASSERT_OK(og_db_query(db, gq, strlen(gq), &qo, &r, &err), &err);
  char *text = og_afix_rows_text(r);
  og_result_free(r);
  return text;
}

static void mutate(og_db *db, const char *branch, const char *gq) {
  og_error err = OG_ERROR_INIT;
  og_mutate_opts mo = {.branch = branch};
  og_mutate_result mr = {0};
  OG_ASSERT_OK(og_db_mutate(db, gq, strlen(gq), &mo, &mr, &err), &err);
  og_mutate_result_dispose(&mr);
}

static json_t *optimize(og_db *db, const char *branch) {
  og_error err = OG_ERROR_INIT;
  char *js = NULL;
  og_optimize_db_opts o = {.branch = branch};
  OG_ASSERT_OK(og_db_optimize(db, &o, &js, &err), &err);
  json_t *v = json_loads(js, 0, NULL);
  og_string_free(js);
  assert_non_null(v);
  return v;
}

static json_t *table_stat(json_t *v, const char *key) {
  json_t *ts = json_object_get(v, "tables");
  for (size_t i = 0; i < json_array_size(ts); i++)
    if (strcmp(json_string_value(json_object_get(json_array_get(ts, i), "table_key")), key) == 0)
      return json_array_get(ts, i);
  fail_msg("no stats for %s", key);
  return NULL;
}

static void apply(og_db *db, const char *branch, const char *src, bool hard, bool want_applied) {
  og_error err = OG_ERROR_INIT;
  og_schema_apply_opts o = {.branch = branch, .allow_data_loss = hard};
  og_schema_apply_result r = {0};
  OG_ASSERT_OK(og_db_schema_apply(db, &o, src, strlen(src), &r, &err), &err);
  assert_true(r.supported);
  assert_int_equal(r.applied, want_applied);
  assert_null(r.warning);
  og_schema_apply_result_dispose(&r);
}

static void verify_ok(const char *uri) {
  og_error err = OG_ERROR_INIT;
  char *rep = NULL;
  og_status rc = og_db_verify_retained(uri, &rep, &err);
  if (rc != OG_OK) fail_msg("verify: %s\n%s", err.message, rep ? rep : "");
  og_string_free(rep);
}

static json_t *cleanup(og_db *db, const og_cleanup_db_opts *o) {
  og_error err = OG_ERROR_INIT;
  char *js = NULL;
  OG_ASSERT_OK(og_db_cleanup(db, o, &js, &err), &err);
  json_t *v = json_loads(js, 0, NULL);
  og_string_free(js);
  return v;
}

/*==================== lifecycle ====================*/

static void lifecycle(const char *branch) {
  char *uri = NULL;
  og_db *db = fresh(&uri);
  og_error err = OG_ERROR_INIT;
  if (branch) OG_ASSERT_OK(og_db_branch_create(db, branch, "main", NULL, &err), &err);
  char *p0 = scan_text(db, branch, 0, "node:Person");
  assert_non_null(strstr(p0, "id=Alice|age=30|name=Alice\n"));

  /* strict updates in separate commits: one fragment per write */
  mutate(db, branch, "query q() { update Person set { age: 31 } where name = \"Alice\" }");
  mutate(db, branch, "query q() { insert Person { name: \"Eve\", age: 22 } }");
  mutate(db, branch, "query q() { update Person set { age: 26 } where name = \"Bob\" }");
  char *before = scan_text(db, branch, 0, "node:Person");
  assert_non_null(strstr(before, "age=31"));
  uint64_t v_before = head(db, branch);

  json_t *st = optimize(db, branch);
  json_t *ps = table_stat(st, "node:Person");
  assert_true(json_is_true(json_object_get(ps, "committed")));
  assert_true(json_integer_value(json_object_get(ps, "fragments_after")) <
              json_integer_value(json_object_get(ps, "fragments_before")));
  assert_int_equal(json_integer_value(json_object_get(ps, "rows")), 5);
  json_decref(st);
  assert_true(head(db, branch) > v_before);
  char *after = scan_text(db, branch, 0, "node:Person");
  assert_string_equal(before, after); /* same rows, same values */
  char *q1 = query_text(db, branch,
                        "query q() { match { $p: Person { name: \"Alice\" }  $p knows $f } return { $f.name, $f.age } }");
  assert_string_equal(q1, "\"Bob\",26\n\"Charlie\",35\n");
  og_free(q1);

  /* idempotent: nothing to do → no commit */
  uint64_t v_opt = head(db, branch);
  st = optimize(db, branch);
  for (size_t i = 0; i < json_array_size(json_object_get(st, "tables")); i++) {
    json_t *t = json_array_get(json_object_get(st, "tables"), i);
    assert_false(json_is_true(json_object_get(t, "committed")));
    assert_int_equal(json_integer_value(json_object_get(t, "fragments_removed")), 0);
  }
  json_decref(st);
  assert_int_equal(head(db, branch), v_opt);

  /* strict update on the compacted table still works */
  mutate(db, branch, "query q() { update Person set { age: 40 } where name = \"Charlie\" }");

  /* schema apply: add a property, then a rename, then a drop */
  const char *s1 = "node Person { name: String @key  age: I32?  nickname: String? }\n"
                   "node Company { name: String @key }\n"
                   "edge Knows: Person -> Person\nedge WorksAt: Person -> Company\n";
  apply(db, branch, s1, false, true);
  char *t1 = scan_text(db, branch, 0, "node:Person");
  assert_non_null(strstr(t1, "name=Charlie|nickname=null"));
  assert_non_null(strstr(t1, "age=40"));
  uint64_t v_add = head(db, branch);
  const char *s2 = "node Human @rename_from(\"Person\") { name: String @key  years: I32? @rename_from(\"age\")  nickname: String? }\n"
                   "node Company { name: String @key }\n"
                   "edge Knows: Human -> Human\nedge WorksAt: Human -> Company\n";
  apply(db, branch, s2, false, true);
  char *t2 = scan_text(db, branch, 0, "node:Human");
  char *q2 = query_text(db, branch,
                        "query q() { match { $h: Human { name: \"Alice\" }  $h knows $f } return { $f.name, $f.years } }");
  assert_string_equal(q2, "\"Bob\",26\n\"Charlie\",40\n");
  og_free(q2);
  assert_non_null(strstr(t2, "id=Charlie|name=Charlie|nickname=null|years=40"));
  const char *s3 = "node Human { name: String @key  nickname: String? }\n"
                   "node Company { name: String @key }\n"
                   "edge Knows: Human -> Human\n";
  apply(db, branch, s3, false, true);
  apply(db, branch, s3, false, false); /* unchanged → not applied */
  uint64_t v_final = head(db, branch);
  char *t3 = scan_text(db, branch, 0, "node:Human");
  assert_null(strstr(t3, "years"));
  assert_non_null(strstr(t3, "id=Eve|name=Eve|nickname=null"));
  /* soft drops: the old versions are still readable by time travel */
  char *old = scan_text(db, branch, v_add, "node:Person");
  assert_non_null(strstr(old, "age=40"));
  og_snapshot *snap = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), branch ? branch : "main", 0, &snap, &err), &err);
  assert_null(og_manifest_find(og_snapshot_manifest(snap), "edge:WorksAt"));
  assert_null(og_manifest_find(og_snapshot_manifest(snap), "node:Person"));
  og_snapshot_free(snap);
  og_db_close(db);

  /* reopen → scan */
  OG_ASSERT_OK(og_db_open(&db, uri, 0, &err), &err);
  assert_int_equal(head(db, branch), v_final);
  char *t4 = scan_text(db, branch, 0, "node:Human");
  assert_string_equal(t3, t4);
  if (branch) {
    /* main kept its own schema and rows */
    char *m = scan_text(db, NULL, 0, "node:Person");
    assert_non_null(strstr(m, "id=Alice|age=30|name=Alice"));
    og_free(m);
  }
  verify_ok(uri);
  og_db_close(db);
  og_free(p0);
  og_free(before);
  og_free(after);
  og_free(t1);
  og_free(t2);
  og_free(t3);
  og_free(t4);
  og_free(old);
  og_free(uri);
}

static void test_lifecycle_main(void **state) {
  (void)state;
  lifecycle(NULL);
}

static void test_lifecycle_branch(void **state) {
  (void)state;
  lifecycle("feature/x");
}


/* Deterministic benign drift: a strict update pinned before optimize commits
 * after it, and keeps its change. */
static void test_strict_update_over_optimize(void **state) {
  (void)state;
  char *uri = NULL;
  og_db *db = fresh(&uri);
  og_error err = OG_ERROR_INIT;
  mutate(db, NULL, "query q() { insert Person { name: \"N1\" } }");
  mutate(db, NULL, "query q() { insert Person { name: \"N2\" } }");
  og_graph *g = og_db__graph(db);
  og_graph_write *w = NULL;
  og_table *t = NULL, *nt = NULL;
  og_batch b = OG_BATCH_INIT;
  OG_ASSERT_OK(og_graph_write_begin(g, "main", &w, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(og_graph_write_base(w), "node:Person", &t, &err), &err);
  uint64_t rid = 0;
  OG_ASSERT_OK(og_table_lookup(t, "Alice", 5, &rid, &err), &err);
  OG_ASSERT_OK(og_table_fetch(t, &rid, 1, NULL, 0, &b, &err), &err);
  int ac = og_table_schema_find(og_table_schema_get(t), "age");
  og_column_clear(&b.cols[ac]);
  OG_ASSERT_OK(og_column_push_int(&b.cols[ac], 77, &err), &err);
  OG_ASSERT_OK(og_table_update(t, &b, &nt, &err), &err);
  OG_ASSERT_OK(og_graph_write_stage(w, "node:Person", nt, OG_GRAPH_STAGE_STRICT, &err), &err);
  og_db *db2 = NULL;
  OG_ASSERT_OK(og_db_open(&db2, uri, 0, &err), &err);
  json_t *st = optimize(db2, NULL);
  assert_true(json_is_true(json_object_get(table_stat(st, "node:Person"), "committed")));
  json_decref(st);
  og_db_close(db2);
  og_commit_opts co = {.operation = "mutation"};
  OG_ASSERT_OK(og_graph_commit(w, &co, NULL, &err), &err);
  char *p = scan_text(db, NULL, 0, "node:Person");
  if (!strstr(p, "id=Alice|age=77|name=Alice\n")) fail_msg("update lost over optimize:\n%s", p);
  og_free(p);
  og_batch_dispose(&b);
  og_table_free(t);
  og_table_free(nt);
  og_graph_write_free(w);
  og_db_close(db);
  verify_ok(uri);
  og_free(uri);
}

/*==================== optimize racing strict writers ====================*/

static void test_optimize_races_strict_writers(void **state) {
  (void)state;
  char *uri = NULL;
  og_db *db = fresh(&uri);
  og_error err = OG_ERROR_INIT;
  og_db_close(db);
  enum { UPDATES = 25 };
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    og_db *cdb = NULL;
    og_error e = OG_ERROR_INIT;
    int failures = 0;
    if (og_db_open(&cdb, uri, 0, &e) != OG_OK) _exit(100);
    for (int i = 1; i <= UPDATES; i++) {
      char q[200];
      snprintf(q, sizeof q, "query q() { update Person set { age: %d } where name = \"Alice\" }", 100 + i);
      og_mutate_opts mo = {0};
      og_mutate_result mr = {0};
      if (og_db_mutate(cdb, q, strlen(q), &mo, &mr, &e) != OG_OK) {
        fprintf(stderr, "strict update %d failed: %s\n", i, e.message);
        failures++;
      } else if (!mr.committed || mr.affected_nodes != 1) {
        fprintf(stderr, "strict update %d: committed %d, affected %llu\n", i, (int)mr.committed,
                (unsigned long long)mr.affected_nodes);
        failures++;
      }
      og_mutate_result_dispose(&mr);
    }
    og_db_close(cdb);
    _exit(failures);
  }
  OG_ASSERT_OK(og_db_open(&db, uri, 0, &err), &err);
  int commits = 0, status = 0;
  bool reaped = false;
  while (!reaped) {
    json_t *st = optimize(db, NULL);
    if (json_is_true(json_object_get(table_stat(st, "node:Person"), "committed"))) commits++;
    json_decref(st);
    reaped = waitpid(pid, &status, WNOHANG) == pid;
  }
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0); /* every strict update committed */
  print_message("  optimize commits while racing: %d\n", commits);
  json_decref(optimize(db, NULL));
  char *p = scan_text(db, NULL, 0, "node:Person");
  if (!strstr(p, "id=Alice|age=125|name=Alice\n")) fail_msg("got:\n%s", p);
  assert_non_null(strstr(p, "id=Diana|age=28|name=Diana\n"));
  og_free(p);
  og_db_close(db);
  verify_ok(uri);
  og_free(uri);
}

/*==================== cleanup ====================*/

static bool object_exists(og_db *db, const char *key) {
  uint64_t sz = 0;
  return og_store_head(db->store, key, &sz, NULL) == OG_OK;
}

/* Run with small writes embedded in their manifests (the default) and
 * without (OMNIGRAPH_EMBED_MAX=0: every table object its own). Embedded
 * bytes stay in the log, released or not; what a release means for readers
 * is the same either way. */
static void cleanup_retention(bool embed) {
  if (!embed) setenv("OMNIGRAPH_EMBED_MAX", "0", 1);
  char *uri = NULL;
  og_db *db = fresh(&uri);
  og_error err = OG_ERROR_INIT;
  for (int i = 0; i < 4; i++) {
    char q[200];
    snprintf(q, sizeof q, "query q() { update Person set { age: %d } where name = \"Bob\" }", 50 + i);
    mutate(db, NULL, q);
  }
  uint64_t h = head(db, NULL);
  char *at_h1 = scan_text(db, NULL, h - 1, "node:Person");
  char *at_h = scan_text(db, NULL, 0, "node:Person");
  if (!strstr(at_h, "id=Bob|age=53|name=Bob\n")) fail_msg("sequential strict updates lost:\n%s", at_h);
  /* the descriptor of version 2 (the load) */
  og_snapshot *s2 = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "main", 2, &s2, &err), &err);
  char *v2desc = og_strdup(og_manifest_find(og_snapshot_manifest(s2), "node:Person")->descriptor);
  assert_int_equal(og_store_key_plain(v2desc), !embed);
  char *v2commit = og_strdup(og_snapshot_manifest(s2)->commit.commit_id);
  og_snapshot_free(s2);

  /* missing policy */
  char *js = NULL;
  og_cleanup_db_opts none = {0};
  assert_int_equal(og_db_cleanup(db, &none, &js, &err), OG_EINVAL);
  assert_non_null(strstr(err.message, "keep_versions"));
  assert_non_null(strstr(err.message, "older_than"));

  /* dry run deletes nothing */
  og_cleanup_db_opts dry = {.keep_set = true, .keep = 1, .dry_run = true};
  json_decref(cleanup(db, &dry));
  assert_true(object_exists(db, v2desc));

  /* keep 2: head and head-1 stay readable, version 2 is released */
  og_cleanup_db_opts k2 = {.keep_set = true, .keep = 2};
  json_t *r = cleanup(db, &k2);
  if (!embed) {
    assert_true(json_integer_value(json_object_get(r, "objects_removed")) > 0);
    assert_true(json_integer_value(json_object_get(table_stat(r, "node:Person"), "old_versions_removed")) > 0);
  }
  json_decref(r);
  verify_ok(uri);
  assert_int_equal(object_exists(db, v2desc), embed);
  char *x = scan_text(db, NULL, h - 1, "node:Person");
  assert_string_equal(x, at_h1);
  og_free(x);
  x = scan_text(db, NULL, 0, "node:Person");
  assert_string_equal(x, at_h);
  og_free(x);
  uint64_t floor = 0;
  OG_ASSERT_OK(og_graph_floor_get(db->store, "main", &floor, &err), &err);
  assert_int_equal(floor, h - 1);
  /* time travel to a released version refuses at once, by version and by
   * commit id, naming the floor; the oldest retained version still opens */
  char want[200];
  snprintf(want, sizeof want,
           "version 2 of branch 'main' was released by cleanup (retention floor %llu)",
           (unsigned long long)floor);
  assert_int_equal(og_graph_snapshot(og_db__graph(db), "main", 2, &s2, &err), OG_ENOTFOUND);
  assert_null(s2);
  assert_string_equal(err.message, want);
  assert_non_null(strstr(err.details, "\"retention_floor\":"));
  assert_int_equal(og_graph_snapshot_commit(og_db__graph(db), v2commit, &s2, &err), OG_ENOTFOUND);
  assert_string_equal(err.message, want);
  og_query_opts qo = {.snapshot = v2commit};
  og_result *qr = NULL;
  const char *rq = "query q() { match { $p: Person } return { $p.name } }";
  assert_int_equal(og_db_query(db, rq, strlen(rq), &qo, &qr, &err), OG_ENOTFOUND);
  assert_null(qr);
  assert_string_equal(err.message, want);
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "main", h - 1, &s2, &err), &err);
  og_snapshot_free(s2);
  /* the log is intact: history still lists every commit */
  char *log = NULL;
  OG_ASSERT_OK(og_db_commit_list_json(db, "main", &log, &err), &err);
  json_t *lj = json_loads(log, 0, NULL);
  assert_int_equal(json_array_size(json_object_get(lj, "commits")), h);
  json_decref(lj);
  og_string_free(log);

  /* a second run has nothing left to do; older-than 0 keeps only the head */
  r = cleanup(db, &k2);
  assert_int_equal(json_integer_value(json_object_get(r, "objects_removed")), 0);
  json_decref(r);
  og_cleanup_db_opts o0 = {.older_than_set = true, .older_than_secs = 0};
  json_decref(cleanup(db, &o0));
  verify_ok(uri);
  x = scan_text(db, NULL, 0, "node:Person");
  assert_string_equal(x, at_h);
  og_free(x);
  /* the table stays writable and optimizable after cleanup */
  mutate(db, NULL, "query q() { insert Person { name: \"Zed\", age: 9 } }");
  json_decref(optimize(db, NULL));
  verify_ok(uri);
  og_free(at_h1);
  og_free(at_h);
  og_free(v2desc);
  og_free(v2commit);
  og_db_close(db);
  og_free(uri);
  unsetenv("OMNIGRAPH_EMBED_MAX");
}

static void test_cleanup_retention(void **state) {
  (void)state;
  cleanup_retention(false);
}

static void test_cleanup_retention_embedded(void **state) {
  (void)state;
  cleanup_retention(true);
}

static void test_cleanup_deleted_branch_and_orphans(void **state) {
  (void)state;
  setenv("OMNIGRAPH_EMBED_MAX", "0", 1); /* builds keys from plain object names */
  char *uri = NULL;
  og_db *db = fresh(&uri);
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_db_branch_create(db, "tmp", "main", NULL, &err), &err);
  mutate(db, "tmp", "query q() { insert Person { name: \"Only-On-Branch\", age: 1 } }");
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "tmp", 0, &s, &err), &err);
  char *bdesc = og_strdup(og_manifest_find(og_snapshot_manifest(s), "node:Person")->descriptor);
  og_snapshot_free(s);
  OG_ASSERT_OK(og_db_branch_delete(db, "tmp", NULL, &err), &err);

  /* an orphan of a failed write: young ones survive the grace period */
  char ulid[OG_ULID_LEN + 1], okey[200];
  assert_int_equal(og_ulid_new(ulid), OG_OK);
  const og_table_entry *pe = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "main", 0, &s, &err), &err);
  pe = og_manifest_find(og_snapshot_manifest(s), "node:Person");
  snprintf(okey, sizeof okey, "%.*s/frag/%s", (int)(strstr(pe->descriptor, "/ver/") - pe->descriptor),
           pe->descriptor, ulid);
  og_snapshot_free(s);
  OG_ASSERT_OK(og_store_put(db->store, okey, "junk", 4, &err), &err);

  og_cleanup_db_opts keep_all = {.keep_set = true, .keep = 1000};
  json_t *r = cleanup(db, &keep_all);
  assert_true(json_integer_value(json_object_get(r, "objects_removed")) > 0);
  assert_int_equal(json_integer_value(json_object_get(r, "orphans_removed")), 0);
  json_decref(r);
  assert_false(object_exists(db, bdesc)); /* the deleted branch's own version */
  assert_true(object_exists(db, okey));   /* young orphan kept */
  verify_ok(uri);
  char *p = scan_text(db, NULL, 0, "node:Person");
  assert_null(strstr(p, "Only-On-Branch"));
  og_free(p);

  og_cleanup_db_opts g0 = {.keep_set = true, .keep = 1000, .grace_set = true, .grace_secs = 0};
  /* a write intent as old as the orphan protects it even without grace */
  char ikey[64];
  snprintf(ikey, sizeof ikey, "intents/%s", ulid);
  OG_ASSERT_OK(og_store_put(db->store, ikey, "{}", 2, &err), &err);
  og_cleanup_opts gg = {.keep_set = true, .keep = 1000, .grace_set = true, .grace_ms = 0};
  og_cleanup_result gr = {0};
  OG_ASSERT_OK(og_graph_cleanup(db->store, &gg, &gr, &err), &err);
  assert_int_equal(gr.orphans_removed, 0);
  og_cleanup_result_dispose(&gr);
  assert_true(object_exists(db, okey));
  OG_ASSERT_OK(og_store_delete(db->store, ikey, &err), &err);
  usleep(5000);
  r = cleanup(db, &g0);
  assert_int_equal(json_integer_value(json_object_get(r, "orphans_removed")), 1);
  json_decref(r);
  assert_false(object_exists(db, okey));
  verify_ok(uri);
  /* the name can be created again and written */
  OG_ASSERT_OK(og_db_branch_create(db, "tmp", "main", NULL, &err), &err);
  mutate(db, "tmp", "query q() { insert Person { name: \"Again\", age: 2 } }");
  verify_ok(uri);
  og_free(bdesc);
  og_db_close(db);
  og_free(uri);
  unsetenv("OMNIGRAPH_EMBED_MAX");
}

/* A failing delete is isolated on its table; a rerun finishes. Retention by
 * age uses the commit times. */
static void test_cleanup_fault_isolation_and_age(void **state) {
  (void)state;
  char *uri = NULL;
  og_db *db = fresh(&uri);
  og_error err = OG_ERROR_INIT;
  for (int i = 0; i < 3; i++) {
    char q[200];
    snprintf(q, sizeof q, "query q() { update Person set { age: %d } where name = \"Diana\" }", 60 + i);
    mutate(db, NULL, q);
  }
  uint64_t h = head(db, NULL);
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "main", 0, &s, &err), &err);
  uint64_t head_ms = og_snapshot_manifest(s)->commit.time_ms;
  og_snapshot_free(s);
  og_store *fault = NULL;
  OG_ASSERT_OK(og_store_open_fault(&fault, db->store, &err), &err);
  /* older-than 1 h, evaluated 30 min after the head: nothing is released */
  og_cleanup_opts age = {.older_than_set = true, .older_than_ms = 3600000, .now_ms = head_ms + 1800000};
  og_cleanup_result r = {0};
  OG_ASSERT_OK(og_graph_cleanup(fault, &age, &r, &err), &err);
  assert_int_equal(r.objects_removed, 0);
  og_cleanup_result_dispose(&r);
  /* ... evaluated a day later: only the head is retained */
  age.now_ms = head_ms + 86400000;
  og_fault_spec fs = {.ops = OG_STORE_OP_DELETE, .countdown = 1, .kind = OG_FAULT_EIO};
  og_store_fault_arm(fault, &fs);
  OG_ASSERT_OK(og_graph_cleanup(fault, &age, &r, &err), &err);
  assert_int_equal(r.errors, 1);
  size_t with_error = 0;
  for (size_t i = 0; i < r.count; i++) with_error += r.tables[i].error != NULL;
  assert_int_equal(with_error, 1);
  assert_true(r.objects_removed > 0);
  og_cleanup_result_dispose(&r);
  og_store_fault_disarm(fault);
  uint64_t floor = 0;
  OG_ASSERT_OK(og_graph_floor_get(db->store, "main", &floor, &err), &err);
  assert_int_equal(floor, h);
  verify_ok(uri);
  OG_ASSERT_OK(og_graph_cleanup(fault, &age, &r, &err), &err);
  assert_int_equal(r.errors, 0);
  assert_int_equal(r.objects_removed, 1); /* the one that failed */
  og_cleanup_result_dispose(&r);
  verify_ok(uri);
  og_store_free(fault);
  char *p = scan_text(db, NULL, 0, "node:Person");
  assert_non_null(strstr(p, "id=Diana|age=62|name=Diana"));
  og_free(p);
  og_db_close(db);
  og_free(uri);
}

static void test_hard_drop(void **state) {
  (void)state;
  char *uri = NULL;
  og_db *db = fresh(&uri);
  uint64_t v0 = head(db, NULL);
  const char *s = "node Person { name: String @key }\nnode Company { name: String @key }\n"
                  "edge Knows: Person -> Person\n";
  apply(db, NULL, s, true, true);
  og_error err = OG_ERROR_INIT;
  og_snapshot *snap = NULL;
  /* a fresh handle: the graph's table-handle cache may still hold the purged versions */
  og_db_close(db);
  OG_ASSERT_OK(og_db_open(&db, uri, 0, &err), &err);
  og_table *t = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "main", v0, &snap, &err), &err);
  /* pre-drop versions of the dropped data are purged, and opening them says why */
  assert_int_equal(og_snapshot_table(snap, "node:Person", &t, &err), OG_ENOTFOUND);
  char want[200];
  snprintf(want, sizeof want, "table 'node:Person' of version %llu of branch 'main' was released by cleanup",
           (unsigned long long)v0);
  if (!strstr(err.message, want)) fail_msg("got '%s', want '%s'", err.message, want);
  og_table_free(t);
  t = NULL;
  assert_int_not_equal(og_snapshot_table(snap, "edge:WorksAt", &t, &err), OG_OK);
  og_table_free(t);
  t = NULL;
  /* untouched tables keep their history */
  OG_ASSERT_OK(og_snapshot_table(snap, "node:Company", &t, &err), &err);
  og_table_free(t);
  og_snapshot_free(snap);
  char *p = scan_text(db, NULL, 0, "node:Person");
  assert_non_null(strstr(p, "id=Alice|name=Alice\n"));
  og_free(p);
  verify_ok(uri);
  og_db_close(db);
  og_free(uri);
}

/* Metadata-only and index-only steps leave the tables untouched; an added
 * type gets an empty table that takes inserts. */
static void test_apply_metadata_index_add_type(void **state) {
  (void)state;
  char *uri = NULL;
  og_db *db = fresh(&uri);
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "main", 0, &s, &err), &err);
  char *pdesc = og_strdup(og_manifest_find(og_snapshot_manifest(s), "node:Person")->descriptor);
  og_snapshot_free(s);
  const char *s1 = "node Person @description(\"people\") { name: String @key  age: I32? @index }\n"
                   "node Company { name: String @key }\n"
                   "node City { name: String @key  pop: I64? }\n"
                   "edge Knows: Person -> Person\nedge WorksAt: Person -> Company\n";
  apply(db, NULL, s1, false, true);
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "main", 0, &s, &err), &err);
  const og_manifest *m = og_snapshot_manifest(s);
  assert_string_equal(og_manifest_find(m, "node:Person")->descriptor, pdesc);
  assert_non_null(og_manifest_find(m, "node:City"));
  assert_int_equal(og_manifest_find(m, "node:City")->row_count, 0);
  og_snapshot_free(s);
  mutate(db, NULL, "query q() { insert City { name: \"Oslo\", pop: 700000 } }");
  char *c = scan_text(db, NULL, 0, "node:City");
  assert_string_equal(c, "id=Oslo|name=Oslo|pop=700000\n");
  og_free(c);
  char *src = NULL;
  OG_ASSERT_OK(og_db_schema_source(db, "main", &src, &err), &err);
  assert_string_equal(src, s1);
  og_free(src);
  verify_ok(uri);
  og_free(pdesc);
  og_db_close(db);
  og_free(uri);
}

/* J-10: a handle opened before another handle's apply sees the new schema on
 * its next write and read; branch operations keep working. */
static void test_peer_handle_after_apply(void **state) {
  (void)state;
  char *uri = NULL;
  og_db *a = fresh(&uri), *b = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_db_open(&b, uri, 0, &err), &err);
  json_decref(optimize(b, NULL)); /* b has read the old schema */
  const char *s1 = "node Person { name: String @key  age: I32?  nickname: String? }\nnode Company { name: String @key }\n"
                   "edge Knows: Person -> Person\nedge WorksAt: Person -> Company\n";
  apply(a, NULL, s1, false, true);
  OG_ASSERT_OK(og_db_branch_create(b, "tmp", "main", NULL, &err), &err);
  OG_ASSERT_OK(og_db_branch_delete(b, "tmp", NULL, &err), &err);
  mutate(b, NULL, "query q() { update Person set { nickname: \"Al\" } where name = \"Alice\" }");
  char *p = scan_text(a, NULL, 0, "node:Person");
  assert_non_null(strstr(p, "id=Alice|age=30|name=Alice|nickname=Al\n"));
  og_free(p);
  og_db_close(a);
  og_db_close(b);
  verify_ok(uri);
  og_free(uri);
}

/*==================== refusals ====================*/

static void test_refusals_write_nothing(void **state) {
  (void)state;
  char *uri = NULL;
  og_db *db = fresh(&uri);
  og_error err = OG_ERROR_INIT;
  uint64_t v = head(db, NULL);
  og_schema_apply_result r = {0};
  og_schema_apply_opts o = {0};
  const char *bad = "node Person {\n  name: String @key\n  age: I32?? }\n";
  og_status rc = og_db_schema_apply(db, &o, bad, strlen(bad), &r, &err);
  assert_int_equal(rc, OG_EPARSE);
  assert_true(err.line > 0);
  og_err_clear(&err);
  const char *narrow = "node Person { name: String @key  age: I64? }\nnode Company { name: String @key }\n"
                       "edge Knows: Person -> Person\nedge WorksAt: Person -> Company\n";
  assert_int_equal(og_db_schema_apply(db, &o, narrow, strlen(narrow), &r, &err), OG_EINVAL);
  assert_non_null(strstr(err.message, "changing property type"));
  const char *req = "node Person { name: String @key  age: I32?  email: String }\nnode Company { name: String @key }\n"
                    "edge Knows: Person -> Person\nedge WorksAt: Person -> Company\n";
  assert_int_equal(og_db_schema_apply(db, &o, req, strlen(req), &r, &err), OG_EINVAL);
  assert_non_null(strstr(err.message, "OG-MF-103"));
  /* main with another branch: the reference rule (docs/schema-evolution.md) */
  OG_ASSERT_OK(og_db_branch_create(db, "feature", "main", NULL, &err), &err);
  uint64_t vb = head(db, NULL);
  const char *add = "node Person { name: String @key  age: I32?  nickname: String? }\nnode Company { name: String @key }\n"
                    "edge Knows: Person -> Person\nedge WorksAt: Person -> Company\n";
  assert_int_equal(og_db_schema_apply(db, &o, add, strlen(add), &r, &err), OG_ECONFLICT);
  assert_non_null(strstr(err.message, "schema apply requires a graph with only main; found non-main branches: feature"));
  assert_int_equal(head(db, NULL), vb);
  assert_int_equal(vb, v);
  /* ... while the branch itself may evolve */
  apply(db, "feature", add, false, true);
  assert_int_equal(head(db, NULL), v);
  /* graph-bound plan */
  og_schema_plan *plan = NULL;
  OG_ASSERT_OK(og_db_schema_plan(db, NULL, add, strlen(add), false, &plan, &err), &err);
  assert_true(og_schema_plan_supported(plan));
  assert_int_equal(og_schema_plan_step_count(plan), 1);
  og_schema_plan_free(plan);
  OG_ASSERT_OK(og_db_schema_plan(db, "feature", add, strlen(add), false, &plan, &err), &err);
  assert_int_equal(og_schema_plan_step_count(plan), 0);
  og_schema_plan_free(plan);
  /* durations */
  uint64_t secs = 0;
  assert_int_equal(og_duration_parse("", &secs, &err), OG_EINVAL);
  assert_string_equal(err.message, "duration is empty");
  assert_int_equal(og_duration_parse("7x", &secs, &err), OG_EINVAL);
  assert_string_equal(err.message, "unknown duration unit 'x'. Supported: s, m, h, d, w");
  OG_ASSERT_OK(og_duration_parse("90", &secs, &err), &err);
  assert_int_equal(secs, 90);
  OG_ASSERT_OK(og_duration_parse("2w", &secs, &err), &err);
  assert_int_equal(secs, 2 * 604800);
  OG_ASSERT_OK(og_duration_parse("3h", &secs, &err), &err);
  assert_int_equal(secs, 3 * 3600);
  assert_int_equal(og_duration_parse("h", &secs, &err), OG_EINVAL);
  verify_ok(uri);
  og_db_close(db);
  og_free(uri);
}

/*==================== concurrent applies ====================*/

typedef struct applier {
  const char *uri;
  const char *src;
  og_status rc;
  og_error err;
} applier;

static void *apply_thread(void *arg) {
  applier *a = arg;
  og_db *db = NULL;
  a->rc = og_db_open(&db, a->uri, 0, &a->err);
  if (a->rc == OG_OK) {
    og_schema_apply_result r = {0};
    a->rc = og_db_schema_apply(db, NULL, a->src, strlen(a->src), &r, &a->err);
    og_schema_apply_result_dispose(&r);
  }
  og_db_close(db);
  return NULL;
}

static void test_concurrent_applies_serialize(void **state) {
  (void)state;
  for (int round = 0; round < 5; round++) {
    char *uri = NULL;
    og_db *db = fresh(&uri);
    og_db_close(db);
    applier a[2] = {
        {uri, "node Person { name: String @key  age: I32?  a: String? }\nnode Company { name: String @key }\n"
              "edge Knows: Person -> Person\nedge WorksAt: Person -> Company\n", OG_OK, OG_ERROR_INIT},
        {uri, "node Person { name: String @key  age: I32?  b: String? }\nnode Company { name: String @key }\n"
              "edge Knows: Person -> Person\nedge WorksAt: Person -> Company\n", OG_OK, OG_ERROR_INIT}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, apply_thread, &a[i]);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    int ok = 0;
    for (int i = 0; i < 2; i++) {
      if (a[i].rc == OG_OK) ok++;
      else if (a[i].rc != OG_ECONFLICT) fail_msg("apply %d: %s", i, a[i].err.message);
    }
    assert_true(ok >= 1);
    verify_ok(uri);
    og_free(uri);
  }
}

/*==================== format stamp ====================*/

static void test_newer_format_refused(void **state) {
  (void)state;
  setenv("OMNIGRAPH_EMBED_MAX", "0", 1); /* edits a plain sealed manifest */
  char *uri = NULL;
  og_db *db = fresh(&uri);
  og_error err = OG_ERROR_INIT;
  uint64_t v = head(db, NULL);
  og_buf key = OG_BUF_INIT, body = OG_BUF_INIT, old = OG_BUF_INIT;
  og_gkey_log(&key, "main", 1, v);
  OG_ASSERT_OK(og_store_get(db->store, key.ptr, &old, &err), &err);
  json_t *j = NULL;
  OG_ASSERT_OK(og_gunseal(key.ptr, old.ptr, old.len, &j, &err), &err);
  json_object_del(j, "checksum");
  json_object_set_new(j, "format", json_integer(OG_GRAPH_FORMAT + 1));
  json_object_set_new(j, "version", json_integer((json_int_t)v + 1));
  json_t *parents = json_object_get(json_object_get(j, "commit"), "parents");
  json_object_set_new(json_array_get(parents, 0), "version", json_integer((json_int_t)v));
  OG_ASSERT_OK(og_gseal(j, &body, &err), &err);
  json_decref(j);
  og_buf_clear(&key);
  og_gkey_log(&key, "main", 1, v + 1);
  OG_ASSERT_OK(og_store_put_if_absent(db->store, key.ptr, body.ptr, body.len, &err), &err);
  og_db_close(db);
  db = NULL;
  og_status rc = og_db_open(&db, uri, 0, &err);
  assert_int_equal(rc, OG_EUNSUPPORTED);
  assert_non_null(strstr(err.message, "format"));
  assert_non_null(strstr(err.message, "upgrade omnigraph"));
  og_db_close(db);
  og_buf_dispose(&key);
  og_buf_dispose(&body);
  og_buf_dispose(&old);
  og_free(uri);
  unsetenv("OMNIGRAPH_EMBED_MAX");
}

int main(void) {
  tmp = og_test_tmpdir("maint");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lifecycle_main),
      cmocka_unit_test(test_lifecycle_branch),
      cmocka_unit_test(test_strict_update_over_optimize),
      cmocka_unit_test(test_optimize_races_strict_writers),
      cmocka_unit_test(test_cleanup_retention),
      cmocka_unit_test(test_cleanup_retention_embedded),
      cmocka_unit_test(test_cleanup_deleted_branch_and_orphans),
      cmocka_unit_test(test_cleanup_fault_isolation_and_age),
      cmocka_unit_test(test_hard_drop),
      cmocka_unit_test(test_apply_metadata_index_add_type),
      cmocka_unit_test(test_peer_handle_after_apply),
      cmocka_unit_test(test_refusals_write_nothing),
      cmocka_unit_test(test_concurrent_applies_serialize),
      cmocka_unit_test(test_newer_format_refused),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  og_test_rmtree(tmp);
  og_free(tmp);
  return rc;
}
