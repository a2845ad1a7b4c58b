/*
 * Branch merge through the public API: the merge truth table of
 * spec/cases/engine-cases.md (every row), fast-forward / up to date, merges
 * across several tables, property-level merges, conflict reporting (all of
 * them, structured, nothing written), validation conflicts, merge base over
 * criss-cross history, a merge racing a writer in another process, and diff.
 */
#include "og_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>

#include "api/api_int.h"
#include "graph/merge.h"
#include "omnigraph.h"

static char *tmp;
static int seq;

static int setup(void **state) {
  (void)state;
  tmp = og_test_tmpdir("merge");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  og_test_rmtree(tmp);
  og_free(tmp);
  return 0;
}

static const char *S0 =
    "node Person { name: String @key  age: I32? }\n"
    "node Company { name: String @key }\n"
    "edge Knows: Person -> Person { since: Date? }\n"
    "edge WorksAt: Person -> Company\n";

static const char *BASE =
    "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Charlie\",\"age\":35}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Diana\",\"age\":28}}\n"
    "{\"edge\":\"Knows\",\"from\":\"Bob\",\"to\":\"Charlie\"}\n";

static og_db *fresh(const char *schema, const char *data) {
  char uri[4096];
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  snprintf(uri, sizeof uri, "%s/g%d", tmp, seq++);
  OG_ASSERT_OK(og_db_init(&db, uri, schema, strlen(schema), NULL, &err), &err);
  if (data) {
    og_load_opts lo = {NULL, OG_LOAD_OVERWRITE, NULL, 0};
    og_load_result lr = {0};
    OG_ASSERT_OK(og_db_load_mem(db, &lo, data, strlen(data), &lr, &err), &err);
    og_load_result_dispose(&lr);
  }
  return db;
}

static void mutate(og_db *db, const char *branch, const char *gq) {
  og_error err = OG_ERROR_INIT;
  og_mutate_opts mo = {branch, NULL, NULL, NULL};
  og_mutate_result mr = {0};
  OG_ASSERT_OK(og_db_mutate(db, gq, strlen(gq), &mo, &mr, &err), &err);
  og_mutate_result_dispose(&mr);
}

static void load(og_db *db, const char *branch, og_load_mode mode, const char *data) {
  og_error err = OG_ERROR_INIT;
  og_load_opts lo = {branch, mode, NULL, 0};
  og_load_result lr = {0};
  OG_ASSERT_OK(og_db_load_mem(db, &lo, data, strlen(data), &lr, &err), &err);
  og_load_result_dispose(&lr);
}

static uint64_t rows(og_db *db, const char *branch, const char *table) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), branch, 0, &s, &err), &err);
  const og_table_entry *e = og_manifest_find(og_snapshot_manifest(s), table);
  uint64_t n = e ? e->row_count : 0;
  og_snapshot_free(s);
  return n;
}

/* Integer property of a node, -1 when the node is absent, -2 when null. */
static int64_t prop(og_db *db, const char *branch, const char *table, const char *id,
                    const char *col) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  og_table *t = NULL;
  og_batch b = OG_BATCH_INIT;
  int64_t v = -1;
  uint64_t rid;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), branch, 0, &s, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(s, table, &t, &err), &err);
  if (og_table_lookup(t, id, strlen(id), &rid, &err) == OG_OK) {
    uint32_t c = (uint32_t)og_table_schema_find(og_table_schema_get(t), col);
    OG_ASSERT_OK(og_table_fetch(t, &rid, 1, &c, 1, &b, &err), &err);
    v = og_column_is_null(&b.cols[0], 0) ? -2 : og_column_get_i64(&b.cols[0], 0);
    og_batch_dispose(&b);
  }
  og_table_free(t);
  og_snapshot_free(s);
  return v;
}

static char *snap(og_db *db, const char *branch) {
  og_error err = OG_ERROR_INIT;
  char *j = NULL, *c = NULL;
  OG_ASSERT_OK(og_db_snapshot_json(db, branch, &j, &err), &err);
  OG_ASSERT_OK(og_db_commit_list_json(db, branch, &c, &err), &err);
  og_buf b = OG_BUF_INIT;
  og_buf_printf(&b, "%s\n%s", j, c);
  og_string_free(j);
  og_string_free(c);
  return og_buf_detach(&b, NULL);
}

/* Number of objects in the store (nothing may be written on a conflict). */
static size_t objects(og_db *db) {
  og_error err = OG_ERROR_INIT;
  og_keylist l = {0};
  OG_ASSERT_OK(og_store_list(db->store, "", &l, &err), &err);
  size_t n = l.count;
  og_keylist_dispose(&l);
  return n;
}

static og_status merge(og_db *db, const char *src, const char *dst, og_merge_result *r,
                       og_error *err) {
  return og_db_branch_merge(db, src, dst, "tester", r, err);
}

/*==================== the truth table ====================*/

enum { NONE, ADD_NODE, REMOVE_NODE, ADD_EDGE, REMOVE_EDGE, SET_PROP };

static void apply_op(og_db *db, const char *branch, int op, int val) {
  char q[512];
  switch (op) {
  case NONE: return;
  case ADD_NODE:
    snprintf(q, sizeof q, "query q() { insert Person { name: \"Eve\", age: %d } }", val);
    break;
  case REMOVE_NODE: snprintf(q, sizeof q, "query q() { delete Person where name = \"Alice\" }"); break;
  case ADD_EDGE: snprintf(q, sizeof q, "query q() { insert Knows { from: \"Alice\", to: \"Diana\" } }"); break;
  case REMOVE_EDGE: snprintf(q, sizeof q, "query q() { delete Knows where from = \"Bob\" }"); break;
  case SET_PROP:
    snprintf(q, sizeof q, "query q() { update Person set { age: %d } where name = \"Alice\" }", val);
    break;
  }
  mutate(db, branch, q);
}

typedef struct tt_row {
  int left, right;
  int outcome;             /* og_merge_outcome, or -1 = conflict */
  const char *kind, *table, *id; /* expected conflict */
  uint64_t persons, knows;
  int64_t alice;           /* -1 absent */
  bool eve;
} tt_row;

#define UP OG_MERGE_ALREADY_UP_TO_DATE
#define FF OG_MERGE_FAST_FORWARD
#define MG OG_MERGE_MERGED
#define CF -1

static const tt_row TT[] = {
    /* 1 */ {NONE, NONE, UP, 0, 0, 0, 4, 1, 30, false},
    /* 2 */ {NONE, ADD_NODE, UP, 0, 0, 0, 5, 1, 30, true},
    /* 3 */ {NONE, REMOVE_NODE, UP, 0, 0, 0, 3, 1, -1, false},
    /* 4 */ {NONE, ADD_EDGE, UP, 0, 0, 0, 4, 2, 30, false},
    /* 5 */ {NONE, REMOVE_EDGE, UP, 0, 0, 0, 4, 0, 30, false},
    /* 6 */ {NONE, SET_PROP, UP, 0, 0, 0, 4, 1, 31, false},
    /* 7 */ {ADD_NODE, NONE, FF, 0, 0, 0, 5, 1, 30, true},
    /* 8 */ {ADD_NODE, ADD_NODE, CF, "divergent_insert", "node:Person", "Eve", 5, 1, 30, true},
    /* 9 */ {ADD_NODE, REMOVE_NODE, MG, 0, 0, 0, 4, 1, -1, true},
    /* 10 */ {ADD_NODE, ADD_EDGE, MG, 0, 0, 0, 5, 2, 30, true},
    /* 11 */ {ADD_NODE, REMOVE_EDGE, MG, 0, 0, 0, 5, 0, 30, true},
    /* 12 */ {ADD_NODE, SET_PROP, MG, 0, 0, 0, 5, 1, 31, true},
    /* 13 */ {REMOVE_NODE, NONE, FF, 0, 0, 0, 3, 1, -1, false},
    /* 14 */ {REMOVE_NODE, ADD_NODE, MG, 0, 0, 0, 4, 1, -1, true},
    /* 15 */ {REMOVE_NODE, REMOVE_NODE, MG, 0, 0, 0, 3, 1, -1, false},
    /* 16 */ {REMOVE_NODE, ADD_EDGE, CF, "orphan_edge", "edge:Knows", NULL, 4, 2, 30, false},
    /* 17 */ {REMOVE_NODE, REMOVE_EDGE, MG, 0, 0, 0, 3, 0, -1, false},
    /* 18 */ {REMOVE_NODE, SET_PROP, CF, "delete_vs_update", "node:Person", "Alice", 4, 1, 31, false},
    /* 19 */ {ADD_EDGE, NONE, FF, 0, 0, 0, 4, 2, 30, false},
    /* 20 */ {ADD_EDGE, ADD_NODE, MG, 0, 0, 0, 5, 2, 30, true},
    /* 21 */ {ADD_EDGE, REMOVE_NODE, CF, "orphan_edge", "edge:Knows", NULL, 3, 1, -1, false},
    /* 22 */ {ADD_EDGE, ADD_EDGE, MG, 0, 0, 0, 4, 3, 30, false},
    /* 23 */ {ADD_EDGE, REMOVE_EDGE, MG, 0, 0, 0, 4, 1, 30, false},
    /* 24 */ {ADD_EDGE, SET_PROP, MG, 0, 0, 0, 4, 2, 31, false},
    /* 25 */ {REMOVE_EDGE, NONE, FF, 0, 0, 0, 4, 0, 30, false},
    /* 26 */ {REMOVE_EDGE, ADD_NODE, MG, 0, 0, 0, 5, 0, 30, true},
    /* 27 */ {REMOVE_EDGE, REMOVE_NODE, MG, 0, 0, 0, 3, 0, -1, false},
    /* 28 */ {REMOVE_EDGE, ADD_EDGE, MG, 0, 0, 0, 4, 1, 30, false},
    /* 29 */ {REMOVE_EDGE, REMOVE_EDGE, MG, 0, 0, 0, 4, 0, 30, false},
    /* 30 */ {REMOVE_EDGE, SET_PROP, MG, 0, 0, 0, 4, 0, 31, false},
    /* 31 */ {SET_PROP, NONE, FF, 0, 0, 0, 4, 1, 31, false},
    /* 32 */ {SET_PROP, ADD_NODE, MG, 0, 0, 0, 5, 1, 31, true},
    /* 33 */ {SET_PROP, REMOVE_NODE, CF, "delete_vs_update", "node:Person", "Alice", 3, 1, -1, false},
    /* 34 */ {SET_PROP, ADD_EDGE, MG, 0, 0, 0, 4, 2, 31, false},
    /* 35 */ {SET_PROP, REMOVE_EDGE, MG, 0, 0, 0, 4, 0, 31, false},
    /* 36 */ {SET_PROP, SET_PROP, CF, "divergent_update", "node:Person", "Alice", 4, 1, 32, false},
};

static void test_truth_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof TT / sizeof TT[0]; i++) {
    const tt_row *r = &TT[i];
    og_error err = OG_ERROR_INIT;
    og_db *db = fresh(S0, BASE);
    OG_ASSERT_OK(og_db_branch_create(db, "feature", NULL, NULL, &err), &err);
    apply_op(db, "feature", r->left, r->left == ADD_NODE ? 21 : 31);
    apply_op(db, "main", r->right, r->right == ADD_NODE ? 22 : r->left == SET_PROP ? 32 : 31);
    char *before = snap(db, "main");
    size_t nobj = objects(db);
    og_merge_result mr;
    og_status rc = merge(db, "feature", "main", &mr, &err);
    if (r->outcome == CF) {
      if (rc != OG_ECONFLICT) fail_msg("row %zu: want conflict, got %d %s", i + 1, rc, err.message);
      assert_int_equal(objects(db), nobj);
      json_t *a = json_loads(mr.conflicts_json, 0, NULL);
      assert_non_null(a);
      json_t *c0 = json_array_get(a, 0);
      if (!og_str_eq(json_string_value(json_object_get(c0, "kind")), r->kind) ||
          !og_str_eq(json_string_value(json_object_get(c0, "table_key")), r->table))
        fail_msg("row %zu: conflicts %s", i + 1, mr.conflicts_json);
      if (r->id) assert_string_equal(json_string_value(json_object_get(c0, "row_id")), r->id);
      json_decref(a);
      assert_non_null(strstr(err.message, "merge conflicts: "));
      assert_non_null(strstr(err.details, r->kind));
      char *after = snap(db, "main");
      assert_string_equal(before, after); /* nothing written */
      og_free(after);
    } else {
      if (rc != OG_OK) fail_msg("row %zu: %s", i + 1, err.message);
      if ((int)mr.outcome != r->outcome)
        fail_msg("row %zu: outcome %s", i + 1, og_merge_outcome_name(mr.outcome));
      if (r->outcome == UP) {
        char *after = snap(db, "main");
        assert_string_equal(before, after);
        og_free(after);
      }
    }
    og_free(before);
    if (rows(db, "main", "node:Person") != r->persons || rows(db, "main", "edge:Knows") != r->knows ||
        prop(db, "main", "node:Person", "Alice", "age") != r->alice ||
        (prop(db, "main", "node:Person", "Eve", "age") != -1) != r->eve)
      fail_msg("row %zu: main (%llu,%llu,%lld,%d)", i + 1,
               (unsigned long long)rows(db, "main", "node:Person"),
               (unsigned long long)rows(db, "main", "edge:Knows"),
               (long long)prop(db, "main", "node:Person", "Alice", "age"),
               prop(db, "main", "node:Person", "Eve", "age") != -1);
    char *report = NULL;
    og_merge_result_dispose(&mr);
    og_db_close(db);
    char uri[4096];
    snprintf(uri, sizeof uri, "%s/g%d", tmp, seq - 1);
    OG_ASSERT_OK(og_db_verify(uri, &report, &err), &err);
    og_string_free(report);
  }
}

/*==================== shapes and outcomes ====================*/

static json_t *commit(og_db *db, const char *id) {
  og_error err = OG_ERROR_INIT;
  char *s = NULL;
  OG_ASSERT_OK(og_db_commit_show_json(db, id, &s, &err), &err);
  json_t *j = json_loads(s, 0, NULL);
  og_string_free(s);
  return j;
}

static const char *head_id(og_db *db, const char *branch, char out[32]) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), branch, 0, &s, &err), &err);
  snprintf(out, 32, "%s", og_snapshot_manifest(s)->commit.commit_id);
  og_snapshot_free(s);
  return out;
}

static void test_commit_shape_and_errors(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  og_db *db = fresh(S0, BASE);
  char t[32], s[32];
  /* I-03: a fresh branch is up to date, no commit */
  OG_ASSERT_OK(og_db_branch_create(db, "feature", NULL, NULL, &err), &err);
  head_id(db, "main", t);
  OG_ASSERT_OK(merge(db, "feature", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_ALREADY_UP_TO_DATE);
  assert_string_equal(mr.commit_id, "");
  char t2[32];
  assert_string_equal(head_id(db, "main", t2), t);
  /* H-06 and friends */
  assert_int_equal(merge(db, "main", "main", &mr, &err), OG_EINVAL);
  assert_string_equal(err.message, "branch_merge requires distinct source and target branches");
  assert_int_equal(merge(db, "nope", "main", &mr, &err), OG_ENOTFOUND);
  assert_string_equal(err.message, "branch 'nope' not found");
  assert_int_equal(merge(db, "feature", "nope", &mr, &err), OG_ENOTFOUND);
  /* I-02: fast-forward records ONE commit with two parents and the actor */
  mutate(db, "feature", "query q() { insert Person { name: \"Eve\", age: 22 } }");
  head_id(db, "feature", s);
  OG_ASSERT_OK(merge(db, "feature", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_FAST_FORWARD);
  assert_int_equal(mr.tables_merged, 0); /* no rows copied */
  assert_int_equal(mr.rows_written, 0);
  json_t *c = commit(db, mr.commit_id);
  assert_string_equal(json_string_value(json_object_get(c, "parent_commit_id")), t);
  assert_string_equal(json_string_value(json_object_get(c, "merged_parent_commit_id")), s);
  assert_string_equal(json_string_value(json_object_get(c, "actor_id")), "tester");
  assert_string_equal(json_string_value(json_object_get(c, "operation")), "merge");
  json_decref(c);
  /* the fast-forwarded table is the source's very descriptor */
  og_snapshot *a = NULL, *b = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "main", 0, &a, &err), &err);
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "feature", 0, &b, &err), &err);
  assert_string_equal(og_manifest_find(og_snapshot_manifest(a), "node:Person")->descriptor,
                      og_manifest_find(og_snapshot_manifest(b), "node:Person")->descriptor);
  og_snapshot_free(a);
  og_snapshot_free(b);
  /* merging again: up to date; merging main back into feature: up to date
   * too? No — main has the merge commit feature lacks: fast-forward */
  OG_ASSERT_OK(merge(db, "feature", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_ALREADY_UP_TO_DATE);
  OG_ASSERT_OK(merge(db, "main", "feature", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_FAST_FORWARD);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* Three-way merge touching every table, with a non-main target (I-06), and
 * repeated merges with interleaved writes (I-11 shape). */
static void test_many_tables_and_sequential(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  og_db *db = fresh(S0, BASE);
  OG_ASSERT_OK(og_db_branch_create(db, "feat-a", NULL, NULL, &err), &err);
  mutate(db, "main", "query q() { insert Person { name: \"Bob2\", age: 1 } }");
  mutate(db, "feat-a",
         "query q() { insert Person { name: \"Eve\", age: 2 } insert Company { name: \"Acme\" } "
         "insert WorksAt { from: \"Eve\", to: \"Acme\" } insert Knows { from: \"Eve\", to: \"Bob\" } }");
  mutate(db, "main", "query q() { insert Company { name: \"Globex\" } insert WorksAt { from: \"Bob\", to: \"Globex\" } }");
  mutate(db, "main", "query q() { update Person set { age: 26 } where name = \"Bob\" }");
  mutate(db, "feat-a", "query q() { update Person set { age: 31 } where name = \"Alice\" }");
  OG_ASSERT_OK(og_db_branch_create(db, "feat-b", "main", NULL, &err), &err);
  mutate(db, "feat-b", "query q() { insert Person { name: \"Frank\", age: 3 } }");
  OG_ASSERT_OK(merge(db, "feat-a", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_MERGED);
  assert_true(mr.tables_merged >= 3);
  assert_int_equal(rows(db, "main", "node:Person"), 6);
  assert_int_equal(rows(db, "main", "node:Company"), 2);
  assert_int_equal(rows(db, "main", "edge:WorksAt"), 2);
  assert_int_equal(rows(db, "main", "edge:Knows"), 2);
  assert_int_equal(prop(db, "main", "node:Person", "Alice", "age"), 31);
  assert_int_equal(prop(db, "main", "node:Person", "Bob", "age"), 26);
  mutate(db, "main", "query q() { insert Person { name: \"Helen\", age: 4 } }");
  OG_ASSERT_OK(merge(db, "feat-b", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_MERGED);
  assert_int_equal(rows(db, "main", "node:Person"), 8);
  /* merge main into a non-main target that is behind: fast-forward */
  OG_ASSERT_OK(merge(db, "main", "feat-b", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_FAST_FORWARD);
  assert_int_equal(rows(db, "feat-b", "node:Person"), 8);
  /* feat-a keeps going and merges again: the base is now the first merge */
  mutate(db, "feat-a", "query q() { insert Person { name: \"Grace\", age: 5 } }");
  OG_ASSERT_OK(merge(db, "feat-a", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_MERGED);
  assert_int_equal(rows(db, "main", "node:Person"), 9);
  assert_int_equal(prop(db, "main", "node:Person", "Bob", "age"), 26);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* Non-overlapping property updates of one row merge; the same property to
 * different values conflicts; identical changes on both sides are fine; a
 * branch whose edits net to zero merges cleanly. */
static void test_property_merge_and_net_zero(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  const char *sch = "node Person { name: String @key  age: I32?  city: String? }\n";
  og_db *db = fresh(sch, "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30,\"city\":\"Oslo\"}}\n"
                         "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n");
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  mutate(db, "f", "query q() { update Person set { age: 31 } where name = \"Alice\" }");
  mutate(db, "main", "query q() { update Person set { city: \"Rome\" } where name = \"Alice\" }");
  mutate(db, "f", "query q() { update Person set { age: 40 } where name = \"Bob\" }");
  mutate(db, "main", "query q() { update Person set { age: 40 } where name = \"Bob\" }");
  OG_ASSERT_OK(merge(db, "f", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_MERGED);
  assert_int_equal(prop(db, "main", "node:Person", "Alice", "age"), 31);
  assert_int_equal(prop(db, "main", "node:Person", "Bob", "age"), 40);
  char *d = NULL;
  OG_ASSERT_OK(og_db_diff_json(db, "f", "main", NULL, &d, &err), &err);
  assert_non_null(strstr(d, "\"city\":{\"old\":\"Oslo\",\"new\":\"Rome\"}"));
  og_string_free(d);
  /* net zero: insert then delete on a branch; main moved meanwhile */
  OG_ASSERT_OK(og_db_branch_create(db, "z", NULL, NULL, &err), &err);
  mutate(db, "z", "query q() { insert Person { name: \"Tmp\", age: 1 } }");
  mutate(db, "z", "query q() { delete Person where name = \"Tmp\" }");
  mutate(db, "main", "query q() { update Person set { age: 50 } where name = \"Bob\" }");
  OG_ASSERT_OK(merge(db, "z", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_MERGED);
  assert_int_equal(mr.rows_written, 0);
  assert_int_equal(prop(db, "main", "node:Person", "Bob", "age"), 50);
  assert_int_equal(rows(db, "main", "node:Person"), 2);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* Every conflict reported at once, structured, across tables; nothing written. */
static void test_all_conflicts_reported(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  const char *sch =
      "node Person { name: String @key  age: I32?  email: String? @unique }\n"
      "node Company { name: String @key }\n"
      "edge WorksAt: Person -> Company @card(0..1)\n";
  og_db *db = fresh(sch, "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
                         "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
                         "{\"type\":\"Person\",\"data\":{\"name\":\"Cy\",\"age\":20}}\n"
                         "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n"
                         "{\"type\":\"Company\",\"data\":{\"name\":\"Globex\"}}\n");
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  mutate(db, "f", "query q() { update Person set { age: 1 } where name = \"Alice\" "
                  "insert Person { name: \"Eve\", age: 1 } delete Person where name = \"Bob\" "
                  "update Person set { email: \"x@y\" } where name = \"Cy\" "
                  "insert WorksAt { from: \"Cy\", to: \"Acme\" } delete Company where name = \"Globex\" }");
  mutate(db, "main", "query q() { update Person set { age: 2 } where name = \"Alice\" "
                     "insert Person { name: \"Eve\", age: 2 } update Person set { age: 9 } where name = \"Bob\" "
                     "insert Person { name: \"Dan\", email: \"x@y\" } "
                     "insert WorksAt { from: \"Cy\", to: \"Globex\" } }");
  char *before = snap(db, "main");
  size_t nobj = objects(db);
  assert_int_equal(merge(db, "f", "main", &mr, &err), OG_ECONFLICT);
  assert_int_equal(objects(db), nobj); /* not even an invisible object */
  json_t *a = json_loads(mr.conflicts_json, 0, NULL);
  assert_non_null(a);
  const char *want[] = {"divergent_update", "divergent_insert", "delete_vs_update",
                        "unique_violation", "orphan_edge", "cardinality_violation"};
  for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
    bool found = false;
    size_t i;
    json_t *c;
    json_array_foreach(a, i, c) found |= og_str_eq(json_string_value(json_object_get(c, "kind")), want[w]);
    if (!found) fail_msg("missing %s in %s", want[w], mr.conflicts_json);
  }
  assert_int_equal(mr.nconflicts, json_array_size(a));
  /* base/ours/theirs values of the divergent update */
  size_t i;
  json_t *c;
  json_array_foreach(a, i, c) {
    if (!og_str_eq(json_string_value(json_object_get(c, "kind")), "divergent_update")) continue;
    assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "base"), "age")), 30);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "ours"), "age")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "theirs"), "age")), 1);
  }
  json_decref(a);
  json_t *det = json_loads(err.details, 0, NULL);
  assert_non_null(det);
  assert_int_equal(json_integer_value(json_object_get(det, "count")), mr.nconflicts);
  json_decref(det);
  assert_non_null(strstr(err.message, "more"));
  char *after = snap(db, "main");
  assert_string_equal(before, after);
  og_free(before);
  og_free(after);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* A row combining both sides' properties collides with an untouched row on a
 * composite @unique; and two rows both sides changed collide on a single one. */
static void test_combined_unique(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  const char *sch = "node P { name: String @key  a: String?  b: String?  @unique(a, b) }\n";
  og_db *db = fresh(sch, "{\"type\":\"P\",\"data\":{\"name\":\"x\",\"a\":\"1\",\"b\":\"1\"}}\n"
                         "{\"type\":\"P\",\"data\":{\"name\":\"y\",\"a\":\"2\",\"b\":\"2\"}}\n");
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  mutate(db, "f", "query q() { update P set { a: \"2\" } where name = \"x\" }");
  mutate(db, "main", "query q() { update P set { b: \"2\" } where name = \"x\" }");
  char *before = snap(db, "main");
  size_t nobj = objects(db);
  assert_int_equal(merge(db, "f", "main", &mr, &err), OG_ECONFLICT);
  assert_int_equal(objects(db), nobj);
  assert_non_null(strstr(mr.conflicts_json, "unique_violation"));
  assert_non_null(strstr(mr.conflicts_json, "[a, b]"));
  char *after = snap(db, "main");
  assert_string_equal(before, after);
  og_free(before);
  og_free(after);
  og_merge_result_dispose(&mr);
  /* the same combination without the colliding row merges */
  mutate(db, "main", "query q() { delete P where name = \"y\" }");
  OG_ASSERT_OK(merge(db, "f", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_MERGED);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* Both sides add the same (src, dst) under @unique(src, dst): a unique
 * violation; without the constraint both edges are kept (truth table 22). */
static void test_edge_unique(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  const char *sch = "node P { name: String @key }\n"
                    "edge L: P -> P { @unique(src, dst) }\n";
  og_db *db = fresh(sch, "{\"type\":\"P\",\"data\":{\"name\":\"a\"}}\n"
                         "{\"type\":\"P\",\"data\":{\"name\":\"b\"}}\n");
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  mutate(db, "f", "query q() { insert L { from: \"a\", to: \"b\" } }");
  mutate(db, "main", "query q() { insert L { from: \"a\", to: \"b\" } }");
  assert_int_equal(merge(db, "f", "main", &mr, &err), OG_ECONFLICT);
  assert_non_null(strstr(mr.conflicts_json, "\"kind\":\"unique_violation\""));
  assert_non_null(strstr(mr.conflicts_json, "unique constraint [dst, src]"));
  assert_int_equal(rows(db, "main", "edge:L"), 1);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* Every column type survives a row-level merge (blobs, lists, vectors,
 * dates...) and renders in diff JSON (I-08). */
static void test_all_types(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  const char *sch =
      "node Doc { slug: String @key  note: Blob?  tags: [String]?  nums: [I64]?  emb: Vector(3)?\n"
      "  day: Date?  at: DateTime?  score: F64?  flag: Bool?  n: U64? }\n";
  og_db *db = fresh(sch, "{\"type\":\"Doc\",\"data\":{\"slug\":\"seed\",\"note\":\"base64:U2VlZA==\"}}\n"
                         "{\"type\":\"Doc\",\"data\":{\"slug\":\"main-doc\",\"note\":\"base64:TWFpbg==\"}}\n");
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  load(db, "f", OG_LOAD_MERGE,
       "{\"type\":\"Doc\",\"data\":{\"slug\":\"readme\",\"note\":\"base64:SGVsbG8=\",\"tags\":[\"a\",\"b\"],"
       "\"nums\":[1,2,3],\"emb\":[0.5,1,2],\"day\":\"2024-02-29\",\"at\":\"2024-02-29T12:00:00Z\","
       "\"score\":1.5,\"flag\":true,\"n\":7}}\n"
       "{\"type\":\"Doc\",\"data\":{\"slug\":\"seed\",\"note\":\"base64:U2VlZA==\",\"score\":2.5}}\n");
  load(db, "main", OG_LOAD_MERGE, "{\"type\":\"Doc\",\"data\":{\"slug\":\"main-doc\",\"note\":\"base64:TWFpbjI=\"}}\n");
  char before[32];
  head_id(db, "main", before);
  OG_ASSERT_OK(merge(db, "f", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_MERGED);
  assert_int_equal(rows(db, "main", "node:Doc"), 3);
  char *d = NULL;
  OG_ASSERT_OK(og_db_diff_json(db, before, "main", NULL, &d, &err), &err);
  const char *want[] = {"\"note\":\"base64:SGVsbG8=\"", "\"tags\":[\"a\",\"b\"]", "\"nums\":[1,2,3]",
                        "\"emb\":[0.5,1.0,2.0]", "\"day\":\"2024-02-29\"", "\"at\":\"2024-02-29T12:00:00",
                        "\"score\":1.5", "\"flag\":true", "\"n\":7",
                        "\"score\":{\"old\":null,\"new\":2.5}"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    if (!strstr(d, want[i])) fail_msg("missing %s in %s", want[i], d);
  assert_null(strstr(d, "main-doc")); /* main's own change is not in what the merge brought */
  og_string_free(d);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* Schemas that differ: refused unless the merge is a fast-forward. */
static void test_schema_difference(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  og_db *db = fresh(S0, BASE);
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  mutate(db, "main", "query q() { insert Person { name: \"M\", age: 1 } }");
  mutate(db, "f", "query q() { insert Person { name: \"F\", age: 1 } }");
  /* emulate a schema change on f: commit a different schema blob */
  og_graph_write *w = NULL;
  const char *s2 = "node Person { name: String @key  age: I32? }\nnode Company { name: String @key }\n"
                   "edge Knows: Person -> Person { since: Date? }\nedge WorksAt: Person -> Company\n"
                   "node Extra { name: String @key }\n";
  OG_ASSERT_OK(og_graph_write_begin(og_db__graph(db), "f", &w, &err), &err);
  OG_ASSERT_OK(og_graph_write_set_schema(w, s2, strlen(s2), &err), &err);
  og_commit_opts co = {"schema_apply", NULL, NULL, NULL};
  OG_ASSERT_OK(og_graph_commit(w, &co, NULL, &err), &err);
  og_graph_write_free(w);
  assert_int_equal(merge(db, "f", "main", &mr, &err), OG_EUNSUPPORTED);
  assert_non_null(strstr(err.message, "same schema"));
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* A schema change on a branch: diff across it (columns matched by name, a
 * new nullable property is no change until set), and a fast-forward merge
 * takes the branch's schema with its tables. */
static void test_schema_change_on_branch(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  og_db *db = fresh(S0, BASE);
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  const char *s2 =
      "node Person { name: String @key  age: I32?  nickname: String? }\n"
      "node Company { name: String @key }\n"
      "edge Knows: Person -> Person { since: Date? }\n"
      "edge WorksAt: Person -> Company\n";
  og_schema_apply_opts ao = {"f", false, NULL};
  og_schema_apply_result ar = {0};
  OG_ASSERT_OK(og_db_schema_apply(db, &ao, s2, strlen(s2), &ar, &err), &err);
  assert_true(ar.applied);
  og_schema_apply_result_dispose(&ar);
  char *d = NULL;
  OG_ASSERT_OK(og_db_diff_json(db, "main", "f", NULL, &d, &err), &err);
  assert_non_null(strstr(d, "\"changes\":[]"));
  og_string_free(d);
  mutate(db, "f", "query q() { update Person set { nickname: \"Al\" } where name = \"Alice\" }");
  OG_ASSERT_OK(og_db_diff_json(db, "main", "f", NULL, &d, &err), &err);
  assert_non_null(strstr(d, "\"fields\":{\"nickname\":{\"old\":null,\"new\":\"Al\"}}"));
  assert_non_null(strstr(d, "\"updates\":1"));
  assert_non_null(strstr(d, "\"inserts\":0"));
  og_string_free(d);
  OG_ASSERT_OK(merge(db, "f", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_FAST_FORWARD);
  char *src = NULL;
  OG_ASSERT_OK(og_db_schema_source(db, "main", &src, &err), &err);
  assert_non_null(strstr(src, "nickname"));
  og_string_free(src);
  assert_int_equal(rows(db, "main", "node:Person"), 4);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* Merge base over criss-cross history and deleted branches. */
static void test_merge_base(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  og_db *db = fresh(S0, BASE);
  OG_ASSERT_OK(og_db_branch_create(db, "a", NULL, NULL, &err), &err);
  OG_ASSERT_OK(og_db_branch_create(db, "b", NULL, NULL, &err), &err);
  mutate(db, "a", "query q() { insert Person { name: \"A1\", age: 1 } }");
  mutate(db, "b", "query q() { insert Person { name: \"B1\", age: 1 } }");
  OG_ASSERT_OK(merge(db, "a", "b", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_MERGED);
  OG_ASSERT_OK(merge(db, "b", "a", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_FAST_FORWARD);
  mutate(db, "a", "query q() { update Person set { age: 7 } where name = \"B1\" }");
  mutate(db, "b", "query q() { update Person set { age: 8 } where name = \"A1\" }");
  OG_ASSERT_OK(merge(db, "a", "b", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_MERGED);
  assert_int_equal(prop(db, "b", "node:Person", "B1", "age"), 7);
  assert_int_equal(prop(db, "b", "node:Person", "A1", "age"), 8);
  /* the base of b and main is main's head (b started there) */
  og_snapshot *sa = NULL, *sb = NULL;
  og_manifest *base = NULL;
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "main", 0, &sa, &err), &err);
  OG_ASSERT_OK(og_graph_snapshot(og_db__graph(db), "b", 0, &sb, &err), &err);
  OG_ASSERT_OK(og_graph_merge_base(og_db__graph(db), og_snapshot_manifest(sa),
                                   og_snapshot_manifest(sb), &base, &err), &err);
  assert_string_equal(base->commit.commit_id, og_snapshot_manifest(sa)->commit.commit_id);
  og_manifest_free(base);
  og_snapshot_free(sa);
  og_snapshot_free(sb);
  /* deleting a merged branch does not affect the target */
  OG_ASSERT_OK(og_db_branch_delete(db, "a", NULL, &err), &err);
  assert_int_equal(rows(db, "b", "node:Person"), 6);
  OG_ASSERT_OK(merge(db, "b", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_FAST_FORWARD);
  assert_int_equal(rows(db, "main", "node:Person"), 6);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* A merge racing a writer on the target in another process: the merge (a
 * child process) is paused after computing (failpoint `pause`), this process
 * commits on main, the merge then finds the target moved, recomputes against
 * the new head and commits; no write is lost. Returns the child's status. */
static og_status race(const char *uri, const char *fpdir, const char *gq) {
  og_error err = OG_ERROR_INIT;
  char path[4200];
  setenv("OMNIGRAPH_FAILPOINT_DIR", fpdir, 1);
  snprintf(path, sizeof path, "%s/merge.before_commit.paused", fpdir);
  unlink(path);
  snprintf(path, sizeof path, "%s/merge.before_commit.release", fpdir);
  unlink(path);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    og_error e = OG_ERROR_INIT;
    og_db *d = NULL;
    og_merge_result r;
    if (og_fp_configure("merge.before_commit=pause@1", &e) || og_db_open(&d, uri, 0, &e)) _exit(100);
    og_status rc = og_db_branch_merge(d, "f", "main", NULL, &r, &e);
    if (rc == OG_OK && r.outcome != OG_MERGE_MERGED) rc = OG_ERROR;
    if (rc == OG_ECONFLICT && !strstr(e.message, "merge conflicts")) rc = OG_ERROR;
    og_merge_result_dispose(&r);
    og_db_close(d);
    _exit(-rc);
  }
  struct stat st;
  snprintf(path, sizeof path, "%s/merge.before_commit.paused", fpdir);
  for (int i = 0; i < 3000 && stat(path, &st) != 0; i++) usleep(10000);
  assert_int_equal(stat(path, &st), 0);
  og_db *db = NULL;
  OG_ASSERT_OK(og_db_open(&db, uri, 0, &err), &err);
  mutate(db, "main", gq);
  og_db_close(db);
  snprintf(path, sizeof path, "%s/merge.before_commit.release", fpdir);
  FILE *f = fopen(path, "w");
  fclose(f);
  int status = 0;
  waitpid(pid, &status, 0);
  assert_true(WIFEXITED(status));
  return (og_status)-WEXITSTATUS(status);
}

static void test_race_two_processes(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_db *db = fresh(S0, BASE);
  char uri[4096], fpdir[4096];
  snprintf(uri, sizeof uri, "%s/g%d", tmp, seq - 1);
  snprintf(fpdir, sizeof fpdir, "%s/fp", tmp);
  mkdir(fpdir, 0755);
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  mutate(db, "f", "query q() { insert Person { name: \"Eve\", age: 1 } update Person set { age: 5 } where name = \"Bob\" }");
  mutate(db, "main", "query q() { update Person set { age: 6 } where name = \"Charlie\" }");
  og_db_close(db);
  assert_int_equal(race(uri, fpdir, "query q() { insert Person { name: \"Zed\", age: 9 } update Person set { age: 7 } where name = \"Diana\" }"),
                   OG_OK);
  OG_ASSERT_OK(og_db_open(&db, uri, 0, &err), &err);
  assert_int_equal(prop(db, "main", "node:Person", "Zed", "age"), 9);
  assert_int_equal(prop(db, "main", "node:Person", "Diana", "age"), 7);
  assert_int_equal(prop(db, "main", "node:Person", "Eve", "age"), 1);
  assert_int_equal(prop(db, "main", "node:Person", "Bob", "age"), 5);
  assert_int_equal(prop(db, "main", "node:Person", "Charlie", "age"), 6);
  /* write skew: the branch adds an edge to Diana; while the merge is paused
   * main deletes Diana (a table the merge does not write). The recomputed
   * merge sees the orphan edge and writes nothing; the delete stays. */
  mutate(db, "f", "query q() { insert Knows { from: \"Eve\", to: \"Diana\" } }");
  og_db_close(db);
  assert_int_equal(race(uri, fpdir, "query q() { delete Person where name = \"Diana\" }"), OG_ECONFLICT);
  OG_ASSERT_OK(og_db_open(&db, uri, 0, &err), &err);
  assert_int_equal(prop(db, "main", "node:Person", "Diana", "age"), -1);
  assert_int_equal(rows(db, "main", "edge:Knows"), 1);
  og_db_close(db);
  char *report = NULL;
  OG_ASSERT_OK(og_db_verify(uri, &report, &err), &err);
  og_string_free(report);
}

/* Two merges into main at the same time from two handles (threads): both
 * commit, one after recomputing; main has both branches' rows. */
typedef struct mthread {
  const char *uri, *branch;
  og_status rc;
  og_merge_outcome outcome;
} mthread;

static void *merge_thread(void *arg) {
  mthread *m = arg;
  og_error e = OG_ERROR_INIT;
  og_db *d = NULL;
  og_merge_result r;
  m->rc = og_db_open(&d, m->uri, 0, &e);
  if (m->rc == OG_OK) {
    m->rc = og_db_branch_merge(d, m->branch, "main", NULL, &r, &e);
    m->outcome = r.outcome;
    og_merge_result_dispose(&r);
  }
  og_db_close(d);
  return NULL;
}

static void test_concurrent_merges(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_db *db = fresh(S0, BASE);
  char uri[4096];
  snprintf(uri, sizeof uri, "%s/g%d", tmp, seq - 1);
  OG_ASSERT_OK(og_db_branch_create(db, "a", NULL, NULL, &err), &err);
  OG_ASSERT_OK(og_db_branch_create(db, "b", NULL, NULL, &err), &err);
  mutate(db, "a", "query q() { insert Person { name: \"A\", age: 1 } update Person set { age: 2 } where name = \"Bob\" }");
  mutate(db, "b", "query q() { insert Person { name: \"B\", age: 1 } update Person set { age: 3 } where name = \"Diana\" }");
  mutate(db, "main", "query q() { insert Person { name: \"M\", age: 1 } }");
  og_db_close(db);
  mthread t[2] = {{uri, "a", OG_OK, 0}, {uri, "b", OG_OK, 0}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, merge_thread, &t[i]);
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  assert_int_equal(t[0].rc, OG_OK);
  assert_int_equal(t[1].rc, OG_OK);
  assert_int_equal(t[0].outcome, OG_MERGE_MERGED);
  assert_int_equal(t[1].outcome, OG_MERGE_MERGED);
  OG_ASSERT_OK(og_db_open(&db, uri, 0, &err), &err);
  assert_int_equal(rows(db, "main", "node:Person"), 7);
  assert_int_equal(prop(db, "main", "node:Person", "Bob", "age"), 2);
  assert_int_equal(prop(db, "main", "node:Person", "Diana", "age"), 3);
  og_db_close(db);
}

/*==================== diff ====================*/

static void test_diff(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  og_db *db = fresh(S0, BASE);
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  mutate(db, "f", "query q() { insert Person { name: \"Eve\", age: 1 } update Person set { age: 31 } where name = \"Alice\" "
                  "delete Knows where from = \"Bob\" insert Knows { from: \"Eve\", to: \"Alice\" } }");
  mutate(db, "main", "query q() { delete Person where name = \"Diana\" }");
  char *d = NULL;
  OG_ASSERT_OK(og_db_diff_json(db, "main@2", "f", NULL, &d, &err), &err);
  json_t *j = json_loads(d, 0, NULL);
  og_string_free(d);
  json_t *stats = json_object_get(j, "stats");
  assert_int_equal(json_integer_value(json_object_get(stats, "inserts")), 2);
  assert_int_equal(json_integer_value(json_object_get(stats, "updates")), 1);
  assert_int_equal(json_integer_value(json_object_get(stats, "deletes")), 1);
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(j, "changes"), i, c) {
    const char *op = json_string_value(json_object_get(c, "op"));
    if (og_str_eq(op, "update")) {
      assert_string_equal(json_string_value(json_object_get(c, "id")), "Alice");
      json_t *age = json_object_get(json_object_get(c, "fields"), "age");
      assert_int_equal(json_integer_value(json_object_get(age, "old")), 30);
      assert_int_equal(json_integer_value(json_object_get(age, "new")), 31);
      assert_int_equal(json_object_size(json_object_get(c, "fields")), 1);
    }
    if (og_str_eq(json_string_value(json_object_get(c, "kind")), "edge") && og_str_eq(op, "insert")) {
      json_t *ep = json_object_get(c, "endpoints");
      assert_string_equal(json_string_value(json_object_get(ep, "src")), "Eve");
      assert_string_equal(json_string_value(json_object_get(ep, "dst")), "Alice");
    }
  }
  json_decref(j);
  /* type filter */
  OG_ASSERT_OK(og_db_diff_json(db, "main@2", "f", "Knows", &d, &err), &err);
  assert_null(strstr(d, "\"Person\""));
  assert_non_null(strstr(d, "\"Knows\""));
  og_string_free(d);
  /* diff of a merge commit: exactly what the merge brought to main */
  char before[32];
  head_id(db, "main", before);
  OG_ASSERT_OK(merge(db, "f", "main", &mr, &err), &err);
  OG_ASSERT_OK(og_db_diff_json(db, before, mr.commit_id, NULL, &d, &err), &err);
  j = json_loads(d, 0, NULL);
  og_string_free(d);
  stats = json_object_get(j, "stats");
  assert_int_equal(json_integer_value(json_object_get(stats, "inserts")), 2);
  assert_int_equal(json_integer_value(json_object_get(stats, "updates")), 1);
  assert_int_equal(json_integer_value(json_object_get(stats, "deletes")), 1);
  json_decref(j);
  /* identical versions: nothing, and nothing read */
  OG_ASSERT_OK(og_db_diff_json(db, "main", "main", NULL, &d, &err), &err);
  assert_non_null(strstr(d, "\"changes\":[]"));
  assert_non_null(strstr(d, "\"rows_read\":0"));
  og_string_free(d);
  assert_int_equal(og_db_diff_json(db, "nope", "main", NULL, &d, &err), OG_ENOTFOUND);
  assert_int_equal(og_db_diff_json(db, "main@99", "main", NULL, &d, &err), OG_ENOTFOUND);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

/* Change detection reads only what changed: a one-row update of a big
 * table reads two rows (the old and the new), whatever the table size. */
static void test_delta_cost(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_db *db = fresh(S0, NULL);
  og_buf data = OG_BUF_INIT;
  for (int i = 0; i < 5000; i++)
    og_buf_printf(&data, "{\"type\":\"Person\",\"data\":{\"name\":\"p%d\",\"age\":%d}}\n", i, i % 90);
  load(db, NULL, OG_LOAD_OVERWRITE, data.ptr);
  og_buf_dispose(&data);
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  mutate(db, "f", "query q() { update Person set { age: 99 } where name = \"p4000\" }");
  char *d = NULL;
  OG_ASSERT_OK(og_db_diff_json(db, "main", "f", NULL, &d, &err), &err);
  assert_non_null(strstr(d, "\"rows_read\":2"));
  og_string_free(d);
  og_db_close(db);
}

/*==================== branch lifecycle (spec §12) ====================*/

static void test_branch_lifecycle(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_db *db = fresh(S0, BASE);
  assert_int_equal(og_db_branch_delete(db, "main", NULL, &err), OG_EINVAL);
  assert_string_equal(err.message, "cannot delete branch 'main'");
  assert_int_equal(og_db_branch_create(db, "main", NULL, NULL, &err), OG_EEXISTS);
  assert_int_equal(og_db_branch_delete(db, "ghost", NULL, &err), OG_ENOTFOUND);
  assert_string_equal(err.message, "branch 'ghost' not found");
  /* H-08: the reference refuses deleting a branch a descendant was created
   * from; here branches share descriptors by key, so deleting the parent is
   * safe and the descendant keeps its data (documented difference). */
  OG_ASSERT_OK(og_db_branch_create(db, "feature", NULL, NULL, &err), &err);
  mutate(db, "feature", "query q() { insert Person { name: \"Eve\", age: 1 } }");
  OG_ASSERT_OK(og_db_branch_create(db, "experiment", "feature", NULL, &err), &err);
  OG_ASSERT_OK(og_db_branch_delete(db, "feature", NULL, &err), &err);
  assert_int_equal(rows(db, "experiment", "node:Person"), 5);
  og_merge_result mr;
  OG_ASSERT_OK(merge(db, "experiment", "main", &mr, &err), &err);
  assert_int_equal(mr.outcome, OG_MERGE_FAST_FORWARD);
  og_merge_result_dispose(&mr);
  /* a re-created name is a new incarnation: merging it is a fresh start */
  OG_ASSERT_OK(og_db_branch_create(db, "feature", NULL, NULL, &err), &err);
  assert_int_equal(rows(db, "feature", "node:Person"), 5);
  og_db_close(db);
}

/* cleanup below the fork point of a live branch: the merge says why it
 * cannot proceed (the base's table versions are gone) and writes nothing. */
static void test_base_not_retained(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_merge_result mr;
  og_db *db = fresh(S0, BASE);
  OG_ASSERT_OK(og_db_branch_create(db, "f", NULL, NULL, &err), &err);
  for (int i = 0; i < 3; i++) {
    char q[200];
    snprintf(q, sizeof q, "query q() { insert Person { name: \"M%d\", age: %d } }", i, i);
    mutate(db, "main", q);
  }
  mutate(db, "f", "query q() { insert Person { name: \"F1\", age: 1 } }");
  og_cleanup_db_opts co = {0};
  co.keep_set = true;
  co.keep = 1;
  char *out = NULL;
  OG_ASSERT_OK(og_db_cleanup(db, &co, &out, &err), &err);
  og_string_free(out);
  char *before = snap(db, "main");
  og_status rc = merge(db, "f", "main", &mr, &err);
  if (rc == OG_OK) {
    /* cleanup kept the fork point: the merge must then be right */
    assert_int_equal(rows(db, "main", "node:Person"), 8);
  } else {
    assert_int_equal(rc, OG_ENOTFOUND);
    assert_non_null(strstr(err.message, "no longer retained"));
    char *after = snap(db, "main");
    assert_string_equal(before, after);
    og_free(after);
  }
  og_free(before);
  og_merge_result_dispose(&mr);
  og_db_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_truth_table),
      cmocka_unit_test(test_commit_shape_and_errors),
      cmocka_unit_test(test_many_tables_and_sequential),
      cmocka_unit_test(test_property_merge_and_net_zero),
      cmocka_unit_test(test_all_conflicts_reported),
      cmocka_unit_test(test_combined_unique),
      cmocka_unit_test(test_all_types),
      cmocka_unit_test(test_edge_unique),
      cmocka_unit_test(test_schema_difference),
      cmocka_unit_test(test_schema_change_on_branch),
      cmocka_unit_test(test_merge_base),
      cmocka_unit_test(test_race_two_processes),
      cmocka_unit_test(test_concurrent_merges),
      cmocka_unit_test(test_diff),
      cmocka_unit_test(test_delta_cost),
      cmocka_unit_test(test_branch_lifecycle),
      cmocka_unit_test(test_base_not_retained),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
