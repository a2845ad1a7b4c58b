/* graph: manifests, commits, time travel, branches, head lookup cost,
 * optimistic concurrency, verify. */
#include "graph_fixture.h"

#include "graph/graph_int.h"

static void test_init_open(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g2 = NULL;
  assert_int_equal(og_graph_open(st, 0, &g2, &err), OG_ENOTFOUND);
  og_graph *g = fx_init(st);
  assert_int_equal(fx_head(g, "main"), 1);
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(g, "main", 0, &s, &err), &err);
  const og_manifest *m = og_snapshot_manifest(s);
  assert_int_equal(m->ntables, 2);
  assert_string_equal(m->tables[0].table_key, "edge:Knows");
  assert_string_equal(m->tables[1].table_key, "node:Person");
  assert_int_equal(m->tables[1].row_count, 0);
  assert_string_equal(m->commit.operation, "init");
  assert_int_equal(m->commit.nparents, 0);
  og_buf schema = OG_BUF_INIT;
  OG_ASSERT_OK(og_snapshot_schema(s, &schema, &err), &err);
  assert_string_equal(schema.ptr, fx_schema_text);
  og_buf_dispose(&schema);
  og_snapshot_free(s);
  /* a second init refuses */
  og_graph_table_spec specs[] = {{"node:Person", &fx_person}};
  og_graph_init_opts o = {"x", 1, specs, 1, NULL, NULL};
  assert_int_equal(og_graph_init(st, &o, NULL, &err), OG_EEXISTS);
  OG_ASSERT_OK(og_graph_open(st, OG_GRAPH_READ_ONLY, &g2, &err), &err);
  og_graph_write *w = NULL;
  assert_int_equal(og_graph_write_begin(g2, "main", &w, &err), OG_EPERM);
  assert_int_equal(og_graph_branch_create(g2, "b", "main", 0, NULL, &err), OG_EPERM);
  og_graph_free(g2);
  og_graph_free(g);
  og_store_free(st);
}

static void test_roundtrip_time_travel(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  char ids[12][OG_ULID_LEN + 1];
  for (int i = 0; i < 10; i++) {
    char tag[16], msg[32];
    snprintf(tag, sizeof tag, "p%d", i);
    snprintf(msg, sizeof msg, "commit %d", i);
    OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", tag, i + 1, OG_GRAPH_STAGE_STRICT, msg, &err), &err);
  }
  assert_int_equal(fx_head(g, "main"), 11);
  for (uint64_t v = 1; v <= 11; v++) {
    uint64_t expect = 0;
    for (uint64_t i = 1; i < v; i++) expect += i;
    assert_int_equal(fx_rows(g, "main", v, "node:Person"), expect);
    assert_int_equal(fx_rows(g, "main", v, "edge:Knows"), 0);
    og_snapshot *s = NULL;
    OG_ASSERT_OK(og_graph_snapshot(g, "main", v, &s, &err), &err);
    const og_manifest *m = og_snapshot_manifest(s);
    assert_int_equal(m->version, v);
    const og_table_entry *e = og_manifest_find(m, "node:Person");
    assert_int_equal(e->table_version, v);
    assert_int_equal(e->content_version, v);
    assert_int_equal(e->row_count, expect);
    strcpy(ids[v], m->commit.commit_id);
    if (v > 1) {
      assert_int_equal(m->commit.nparents, 1);
      assert_string_equal(m->commit.parents[0].commit_id, ids[v - 1]);
      assert_int_equal(m->commit.parents[0].version, v - 1);
      assert_string_equal(m->commit.operation, "load");
      assert_string_equal(m->commit.actor, "tester");
    }
    og_snapshot_free(s);
  }
  og_snapshot *s = NULL;
  assert_int_equal(og_graph_snapshot(g, "main", 12, &s, &err), OG_ENOTFOUND);
  /* history, newest first */
  og_commit_list log = {0};
  OG_ASSERT_OK(og_graph_log(g, "main", 0, &log, &err), &err);
  assert_int_equal(log.count, 11);
  for (size_t i = 0; i < log.count; i++) {
    assert_int_equal(log.items[i]->version, 11 - i);
    assert_string_equal(log.items[i]->commit.commit_id, ids[11 - i]);
  }
  assert_string_equal(log.items[10]->commit.operation, "init");
  og_commit_list_dispose(&log);
  OG_ASSERT_OK(og_graph_log(g, "main", 3, &log, &err), &err);
  assert_int_equal(log.count, 3);
  og_commit_list_dispose(&log);
  /* show / snapshot by commit id */
  og_manifest *m = NULL;
  OG_ASSERT_OK(og_graph_show_commit(g, ids[4], &m, &err), &err);
  assert_int_equal(m->version, 4);
  assert_string_equal(m->commit.message, "commit 2");
  og_manifest_free(m);
  OG_ASSERT_OK(og_graph_snapshot_commit(g, ids[7], &s, &err), &err);
  assert_int_equal(og_snapshot_version(s), 7);
  og_snapshot_free(s);
  assert_int_equal(og_graph_show_commit(g, "01ARZ3NDEKTSV4RRFFQ69G5FAV", &m, &err), OG_ENOTFOUND);
  og_buf rep = OG_BUF_INIT;
  OG_ASSERT_OK(og_graph_verify(st, &rep, &err), &err);
  assert_non_null(strstr(rep.ptr, "\"ok\":true"));
  og_buf_dispose(&rep);
  og_graph_free(g);
  og_store_free(st);
}

static void test_snapshot_immutable(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(g, "main", 0, &s, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "a", 5, 0, NULL, &err), &err);
  og_table *t = NULL;
  OG_ASSERT_OK(og_snapshot_table(s, "node:Person", &t, &err), &err);
  assert_int_equal(og_table_row_count(t), 0);
  og_table_free(t);
  assert_int_equal(og_snapshot_table(s, "node:Nope", &t, &err), OG_ENOTFOUND);
  og_snapshot_free(s);
  og_graph_free(g);
  og_store_free(st);
}

static void test_branch_create_no_copy(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "big", 5000, 0, NULL, &err), &err);
  og_store_stats_reset(st);
  OG_ASSERT_OK(og_graph_branch_create(g, "feature/x", "main", 0, "alice", &err), &err);
  og_store_stats stats;
  og_store_stats_get(st, &stats);
  /* write intent + branch record + version 1 (+ head hint); no table object
   * read or written */
  assert_true(stats.puts + stats.put_if_absents <= 4);
  assert_true(stats.bytes_written < 4096);
  og_snapshot *a = NULL, *b = NULL;
  OG_ASSERT_OK(og_graph_snapshot(g, "main", 0, &a, &err), &err);
  OG_ASSERT_OK(og_graph_snapshot(g, "feature/x", 0, &b, &err), &err);
  const og_manifest *ma = og_snapshot_manifest(a), *mb = og_snapshot_manifest(b);
  assert_int_equal(mb->version, 1);
  assert_string_equal(mb->commit.operation, "branch_create");
  assert_string_equal(mb->commit.parents[0].commit_id, ma->commit.commit_id);
  assert_string_equal(mb->commit.parents[0].branch, "main");
  for (size_t i = 0; i < ma->ntables; i++)
    assert_string_equal(ma->tables[i].descriptor, mb->tables[i].descriptor);
  og_snapshot_free(a);
  og_snapshot_free(b);
  /* writes diverge */
  OG_ASSERT_OK(fx_commit_append(g, "feature/x", "node:Person", "fx", 3, 0, NULL, &err), &err);
  assert_int_equal(fx_rows(g, "feature/x", 0, "node:Person"), 5003);
  assert_int_equal(fx_rows(g, "main", 0, "node:Person"), 5000);
  assert_int_equal(fx_head(g, "main"), 2);
  assert_int_equal(fx_head(g, "feature/x"), 2);
  /* history crosses into the source branch */
  og_commit_list log = {0};
  OG_ASSERT_OK(og_graph_log(g, "feature/x", 0, &log, &err), &err);
  assert_int_equal(log.count, 4);
  assert_string_equal(log.items[2]->branch, "main");
  og_commit_list_dispose(&log);
  /* branch from a past version */
  OG_ASSERT_OK(og_graph_branch_create(g, "old", "main", 1, NULL, &err), &err);
  assert_int_equal(fx_rows(g, "old", 0, "node:Person"), 0);
  og_branch_list bl = {0};
  OG_ASSERT_OK(og_graph_branch_list(g, &bl, &err), &err);
  assert_int_equal(bl.count, 3);
  assert_string_equal(bl.items[0].name, "main");
  assert_string_equal(bl.items[1].name, "feature/x");
  assert_string_equal(bl.items[2].name, "old");
  assert_int_equal(bl.items[1].head_version, 2);
  og_branch_list_dispose(&bl);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_graph_free(g);
  og_store_free(st);
}

static void test_branch_names_and_main(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  const char *bad[] = {"", "/a", "a/", "a//b", "a..b", "..", ".", "a/./b", "a b", "a@b", "a~b", "ä"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    assert_false(og_graph_branch_name_valid(bad[i]));
    assert_int_equal(og_graph_branch_create(g, bad[i], "main", 0, NULL, &err), OG_EINVAL);
  }
  char longname[202];
  memset(longname, 'a', 201);
  longname[201] = 0;
  assert_false(og_graph_branch_name_valid(longname));
  longname[200] = 0;
  assert_true(og_graph_branch_name_valid(longname));
  assert_true(og_graph_branch_name_valid("Feature-1.2_x/y"));
  assert_int_equal(og_graph_branch_create(g, "main", "main", 0, NULL, &err), OG_EEXISTS);
  assert_int_equal(og_graph_branch_delete(g, "main", NULL, &err), OG_EINVAL);
  assert_int_equal(og_graph_branch_delete(g, "nope", NULL, &err), OG_ENOTFOUND);
  assert_int_equal(og_graph_branch_create(g, "x", "nope", 0, NULL, &err), OG_ENOTFOUND);
  assert_int_equal(og_graph_branch_create(g, "x", "main", 7, NULL, &err), OG_ENOTFOUND);
  OG_ASSERT_OK(og_graph_branch_create(g, "a", "main", 0, NULL, &err), &err);
  OG_ASSERT_OK(og_graph_branch_create(g, "a/b", "a", 0, NULL, &err), &err);
  assert_int_equal(og_graph_branch_create(g, "a", "main", 0, NULL, &err), OG_EEXISTS);
  og_graph_free(g);
  og_store_free(st);
}

static void test_branch_delete_recreate(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(og_graph_branch_create(g, "tmp", "main", 0, NULL, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g, "tmp", "node:Person", "t", 4, 0, NULL, &err), &err);
  /* a writer pinned before the delete loses */
  og_graph_write *w = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g, "tmp", &w, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w, "node:Person", "late", 1, 0, &err), &err);
  OG_ASSERT_OK(og_graph_branch_delete(g, "tmp", "bob", &err), &err);
  og_commit_opts co = {"load", NULL, NULL, NULL};
  assert_int_equal(og_graph_commit(w, &co, NULL, &err), OG_ENOTFOUND);
  og_graph_write_free(w);
  uint64_t v = 0;
  assert_int_equal(og_graph_head(g, "tmp", &v, &err), OG_ENOTFOUND);
  og_snapshot *s = NULL;
  assert_int_equal(og_graph_snapshot(g, "tmp", 1, &s, &err), OG_ENOTFOUND);
  assert_int_equal(og_graph_branch_delete(g, "tmp", NULL, &err), OG_ENOTFOUND);
  og_branch_list bl = {0};
  OG_ASSERT_OK(og_graph_branch_list(g, &bl, &err), &err);
  assert_int_equal(bl.count, 1);
  og_branch_list_dispose(&bl);
  /* recreate: a fresh incarnation from the current main */
  OG_ASSERT_OK(og_graph_branch_create(g, "tmp", "main", 0, NULL, &err), &err);
  OG_ASSERT_OK(og_graph_snapshot(g, "tmp", 0, &s, &err), &err);
  assert_int_equal(og_snapshot_manifest(s)->generation, 2);
  assert_int_equal(og_snapshot_version(s), 1);
  og_snapshot_free(s);
  assert_int_equal(fx_rows(g, "tmp", 0, "node:Person"), 0);
  OG_ASSERT_OK(og_graph_branch_list(g, &bl, &err), &err);
  assert_int_equal(bl.count, 2);
  assert_int_equal(bl.items[1].generation, 2);
  og_branch_list_dispose(&bl);
  /* without head hints the generations are still found (fresh handle) */
  og_store_delete(st, "head/tmp", &err);
  og_graph *g3 = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g3, &err), &err);
  assert_int_equal(fx_head(g3, "tmp"), 1);
  og_graph_free(g3);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_graph_free(g);
  og_store_free(st);
}

/* Head of main through a fresh handle (its open goes through the hint). */
static uint64_t cold_head(og_store *st) {
  og_error err = OG_ERROR_INIT;
  og_graph *g = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g, &err), &err);
  og_store_stats_reset(st);
  uint64_t v = fx_head(g, "main");
  og_store_stats s;
  og_store_stats_get(st, &s);
  assert_int_equal(fx_ops(&s), 1); /* warm: one probe */
  og_graph_free(g);
  return v;
}

static void test_hint_lag_missing_bogus(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  for (int i = 0; i < 20; i++)
    OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "h", 1, 0, NULL, &err), &err);
  og_buf hint = OG_BUF_INIT;
  assert_int_equal(cold_head(st), 21);
  /* lagging */
  OG_ASSERT_OK(og_ghint_encode(1, 3, &hint, &err), &err);
  OG_ASSERT_OK(og_store_put(st, "head/main", hint.ptr, hint.len, &err), &err);
  assert_int_equal(cold_head(st), 21);
  /* ahead of the truth (never written by us, but must not be trusted) */
  og_buf_clear(&hint);
  OG_ASSERT_OK(og_ghint_encode(1, 999, &hint, &err), &err);
  OG_ASSERT_OK(og_store_put(st, "head/main", hint.ptr, hint.len, &err), &err);
  assert_int_equal(cold_head(st), 21);
  /* a wrong generation */
  og_buf_clear(&hint);
  OG_ASSERT_OK(og_ghint_encode(7, 2, &hint, &err), &err);
  OG_ASSERT_OK(og_store_put(st, "head/main", hint.ptr, hint.len, &err), &err);
  assert_int_equal(cold_head(st), 21);
  /* garbage */
  OG_ASSERT_OK(og_store_put(st, "head/main", "xx", 2, &err), &err);
  assert_int_equal(cold_head(st), 21);
  /* missing */
  OG_ASSERT_OK(og_store_delete(st, "head/main", &err), &err);
  assert_int_equal(cold_head(st), 21);
  /* the same for another branch and its generations */
  OG_ASSERT_OK(og_graph_branch_create(g, "x/y", "main", 0, NULL, &err), &err);
  OG_ASSERT_OK(og_graph_branch_delete(g, "x/y", NULL, &err), &err);
  OG_ASSERT_OK(og_graph_branch_create(g, "x/y", "main", 0, NULL, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g, "x/y", "node:Person", "xy", 1, 0, NULL, &err), &err);
  const char *hints[][2] = {{"1", "1"}, {"2", "1"}, {"3", "9"}, {"2", "50"}, {NULL, NULL}};
  for (size_t i = 0; i < sizeof hints / sizeof *hints; i++) {
    if (hints[i][0]) {
      og_buf_clear(&hint);
      OG_ASSERT_OK(og_ghint_encode(strtoull(hints[i][0], NULL, 10), strtoull(hints[i][1], NULL, 10),
                                   &hint, &err), &err);
      OG_ASSERT_OK(og_store_put(st, "head/x~y", hint.ptr, hint.len, &err), &err);
    } else {
      OG_ASSERT_OK(og_store_delete(st, "head/x~y", &err), &err);
    }
    og_graph *g2 = NULL;
    OG_ASSERT_OK(og_graph_open(st, 0, &g2, &err), &err);
    og_snapshot *s = NULL;
    OG_ASSERT_OK(og_graph_snapshot(g2, "x/y", 0, &s, &err), &err);
    assert_int_equal(og_snapshot_manifest(s)->generation, 2);
    assert_int_equal(og_snapshot_version(s), 2);
    og_snapshot_free(s);
    og_graph_free(g2);
  }
  og_buf_dispose(&hint);
  og_graph_free(g);
  og_store_free(st);
}

/* A handle's cached head never hides another handle's commits, deletes or
 * re-creations. */
static void test_warm_cache_sees_others(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  og_graph *other = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &other, &err), &err);
  OG_ASSERT_OK(og_graph_branch_create(g, "b", "main", 0, NULL, &err), &err);
  assert_int_equal(fx_head(g, "b"), 1);
  OG_ASSERT_OK(fx_commit_append(other, "b", "node:Person", "o", 2, 0, NULL, &err), &err);
  assert_int_equal(fx_head(g, "b"), 2);
  assert_int_equal(fx_rows(g, "b", 0, "node:Person"), 2);
  OG_ASSERT_OK(og_graph_branch_delete(other, "b", NULL, &err), &err);
  uint64_t v;
  assert_int_equal(og_graph_head(g, "b", &v, &err), OG_ENOTFOUND);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "m", 1, 0, NULL, &err), &err);
  OG_ASSERT_OK(og_graph_branch_create(other, "b", "main", 0, NULL, &err), &err);
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(g, "b", 0, &s, &err), &err);
  assert_int_equal(og_snapshot_manifest(s)->generation, 2);
  og_snapshot_free(s);
  assert_int_equal(fx_rows(g, "b", 0, "node:Person"), 1);
  /* deleted and re-created again between two looks of the warm handle */
  OG_ASSERT_OK(og_graph_branch_delete(other, "b", NULL, &err), &err);
  OG_ASSERT_OK(og_graph_branch_create(other, "b", "main", 1, NULL, &err), &err);
  assert_int_equal(fx_rows(g, "b", 0, "node:Person"), 0);
  og_graph_free(other);
  og_graph_free(g);
  og_store_free(st);
}

/* open + head lookup cost at depth d (empty commits keep the test fast). */
static uint64_t open_cost_at_depth(int depth, og_store_stats *out, og_store_stats *write_out) {
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  for (int i = 1; i < depth; i++) {
    og_graph_write *w = NULL;
    OG_ASSERT_OK(og_graph_write_begin(g, "main", &w, &err), &err);
    og_commit_opts co = {"mutation", NULL, NULL, NULL};
    OG_ASSERT_OK(og_graph_commit(w, &co, NULL, &err), &err);
    og_graph_write_free(w);
  }
  og_graph_free(g);
  og_store_stats_reset(st);
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g2, &err), &err);
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(g2, "main", 0, &s, &err), &err);
  assert_int_equal(og_snapshot_version(s), (uint64_t)depth);
  og_table *t = NULL;
  OG_ASSERT_OK(og_snapshot_table(s, "node:Person", &t, &err), &err);
  og_table_free(t);
  og_snapshot_free(s);
  og_store_stats_get(st, out);
  /* and a single-row write */
  og_store_stats_reset(st);
  OG_ASSERT_OK(fx_commit_append(g2, "main", "node:Person", "w", 1, 0, NULL, &err), &err);
  og_store_stats_get(st, write_out);
  og_graph_free(g2);
  og_store_free(st);
  return fx_ops(out);
}

static void test_open_cost_flat(void **state) {
  (void)state;
  og_store_stats a, b, wa, wb;
  uint64_t shallow = open_cost_at_depth(10, &a, &wa);
  uint64_t deep = open_cost_at_depth(2000, &b, &wb);
  print_message("1-row write ops: depth 10 = %" PRIu64 ", depth 2000 = %" PRIu64 "\n", fx_ops(&wa),
                fx_ops(&wb));
  assert_int_equal(fx_ops(&wa), fx_ops(&wb));
  assert_int_equal(wa.put_if_absents, 1);
  assert_int_equal(wb.lists, 0);
  print_message("open+snapshot+table ops: depth 10 = %" PRIu64 ", depth 2000 = %" PRIu64 "\n",
                shallow, deep);
  assert_int_equal(shallow, deep);
  /* a read-write open lists "intents/" once (recovery, docs/durability.md) */
  assert_int_equal(a.lists, 1);
  assert_int_equal(b.lists, 1);
  assert_int_equal(a.gets, b.gets);
  assert_int_equal(a.heads, b.heads);
  /* bytes differ only by the width of the version numbers in the manifest */
  assert_true(b.bytes_read - a.bytes_read < 64);
  assert_true(deep <= 8);
}

static void test_two_writers_different_tables(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g1 = fx_init(st);
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g2, &err), &err);
  og_graph_write *w1 = NULL, *w2 = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g1, "main", &w1, &err), &err);
  OG_ASSERT_OK(og_graph_write_begin(g2, "main", &w2, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w1, "node:Person", "p", 2, OG_GRAPH_STAGE_STRICT, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w2, "edge:Knows", "k", 3, OG_GRAPH_STAGE_STRICT, &err), &err);
  og_commit_opts co = {"mutation", NULL, NULL, NULL};
  OG_ASSERT_OK(og_graph_commit(w1, &co, NULL, &err), &err);
  og_snapshot *s = NULL;
  /* g2 has never seen g1's commit: its put loses, it rebases (take theirs) */
  OG_ASSERT_OK(og_graph_commit(w2, &co, &s, &err), &err);
  assert_int_equal(og_snapshot_version(s), 3);
  og_snapshot_free(s);
  assert_int_equal(og_graph_commit(w2, &co, NULL, &err), OG_EINVAL);
  og_graph_write_free(w1);
  og_graph_write_free(w2);
  assert_int_equal(fx_rows(g1, "main", 3, "node:Person"), 2);
  assert_int_equal(fx_rows(g1, "main", 3, "edge:Knows"), 3);
  /* same handle: the in-process path rebases without losing a put */
  OG_ASSERT_OK(og_graph_write_begin(g1, "main", &w1, &err), &err);
  OG_ASSERT_OK(og_graph_write_begin(g1, "main", &w2, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w1, "node:Person", "q", 1, OG_GRAPH_STAGE_STRICT, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w2, "edge:Knows", "r", 1, OG_GRAPH_STAGE_STRICT, &err), &err);
  OG_ASSERT_OK(og_graph_commit(w1, &co, NULL, &err), &err);
  og_store_stats_reset(st);
  OG_ASSERT_OK(og_graph_commit(w2, &co, NULL, &err), &err);
  og_store_stats stats;
  og_store_stats_get(st, &stats);
  assert_int_equal(stats.put_if_absents, 1);
  og_graph_write_free(w1);
  og_graph_write_free(w2);
  assert_int_equal(fx_head(g1, "main"), 5);
  assert_int_equal(fx_rows(g1, "main", 0, "node:Person"), 3);
  assert_int_equal(fx_rows(g1, "main", 0, "edge:Knows"), 4);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_graph_free(g1);
  og_graph_free(g2);
  og_store_free(st);
}

static void test_conflict_same_table(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g1 = fx_init(st);
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g2, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g1, "main", "node:Person", "seed", 2, 0, NULL, &err), &err);
  og_graph_write *w1 = NULL, *w2 = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g1, "main", &w1, &err), &err);
  OG_ASSERT_OK(og_graph_write_begin(g2, "main", &w2, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w1, "node:Person", "a", 1, OG_GRAPH_STAGE_STRICT, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w2, "node:Person", "b", 1, OG_GRAPH_STAGE_STRICT, &err), &err);
  og_commit_opts co = {"mutation", NULL, NULL, NULL};
  OG_ASSERT_OK(og_graph_commit(w1, &co, NULL, &err), &err);
  assert_int_equal(og_graph_commit(w2, &co, NULL, &err), OG_ECONFLICT);
  assert_non_null(strstr(err.message, "stale view — refresh and retry"));
  assert_non_null(strstr(err.details, "\"table\":\"node:Person\""));
  assert_non_null(strstr(err.details, "\"pinned_version\":2"));
  assert_non_null(strstr(err.details, "\"current_version\":3"));
  og_graph_write_free(w1);
  og_graph_write_free(w2);
  assert_int_equal(fx_head(g1, "main"), 3);
  assert_int_equal(fx_rows(g1, "main", 0, "node:Person"), 3);
  /* same handle, strict: conflict too (in-process path) */
  OG_ASSERT_OK(og_graph_write_begin(g1, "main", &w1, &err), &err);
  OG_ASSERT_OK(og_graph_write_begin(g1, "main", &w2, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w1, "node:Person", "c", 1, OG_GRAPH_STAGE_STRICT, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w2, "node:Person", "d", 1, OG_GRAPH_STAGE_STRICT, &err), &err);
  OG_ASSERT_OK(og_graph_commit(w1, &co, NULL, &err), &err);
  assert_int_equal(og_graph_commit(w2, &co, NULL, &err), OG_ECONFLICT);
  og_graph_write_free(w1);
  og_graph_write_free(w2);
  /* raw entries can never be rebased */
  OG_ASSERT_OK(og_graph_write_begin(g2, "main", &w2, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g1, "main", "node:Person", "e", 1, 0, NULL, &err), &err);
  og_table_entry e = *og_manifest_find(og_snapshot_manifest(og_graph_write_base(w2)), "node:Person");
  e.table_version++;
  OG_ASSERT_OK(og_graph_write_stage_entry(w2, &e, 0, &err), &err);
  assert_int_equal(og_graph_commit(w2, &co, NULL, &err), OG_ECONFLICT);
  og_graph_write_free(w2);
  og_graph_free(g1);
  og_graph_free(g2);
  og_store_free(st);
}

static void test_insert_rebases_over_content_change(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g1 = fx_init(st);
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g2, &err), &err);
  og_graph_write *w1 = NULL, *w2 = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g1, "main", &w1, &err), &err);
  OG_ASSERT_OK(og_graph_write_begin(g2, "main", &w2, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w1, "node:Person", "a", 4, 0, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w2, "node:Person", "b", 3, 0, &err), &err);
  og_commit_opts co = {"load", NULL, NULL, NULL};
  OG_ASSERT_OK(og_graph_commit(w1, &co, NULL, &err), &err);
  OG_ASSERT_OK(og_graph_commit(w2, &co, NULL, &err), &err);
  og_graph_write_free(w1);
  og_graph_write_free(w2);
  assert_int_equal(fx_head(g1, "main"), 3);
  assert_int_equal(fx_rows(g1, "main", 0, "node:Person"), 7);
  og_snapshot *s = NULL;
  og_table *t = NULL;
  OG_ASSERT_OK(og_graph_snapshot(g1, "main", 0, &s, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(s, "node:Person", &t, &err), &err);
  uint64_t rid = 0;
  OG_ASSERT_OK(og_table_lookup(t, "a-3", 3, &rid, &err), &err);
  OG_ASSERT_OK(og_table_lookup(t, "b-2", 3, &rid, &err), &err);
  const og_table_entry *e = og_manifest_find(og_snapshot_manifest(s), "node:Person");
  assert_int_equal(e->table_version, 3);
  assert_int_equal(e->content_version, 3);
  og_table_free(t);
  og_snapshot_free(s);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_graph_free(g1);
  og_graph_free(g2);
  og_store_free(st);
}

static void test_insert_same_key_conflicts(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g1 = fx_init(st);
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g2, &err), &err);
  og_graph_write *w1 = NULL, *w2 = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g1, "main", &w1, &err), &err);
  OG_ASSERT_OK(og_graph_write_begin(g2, "main", &w2, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w1, "node:Person", "same", 2, 0, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w2, "node:Person", "same", 1, 0, &err), &err);
  og_commit_opts co = {"load", NULL, NULL, NULL};
  OG_ASSERT_OK(og_graph_commit(w1, &co, NULL, &err), &err);
  /* the key check runs against the head the insert would commit on */
  assert_int_equal(og_graph_commit(w2, &co, NULL, &err), OG_ECONFLICT);
  assert_non_null(strstr(err.message, "same-0"));
  og_graph_write_free(w1);
  og_graph_write_free(w2);
  assert_int_equal(fx_head(g1, "main"), 2);
  og_graph_free(g1);
  og_graph_free(g2);
  og_store_free(st);
}

static void test_read_dependency(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g1 = fx_init(st);
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g2, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g1, "main", "node:Person", "p", 3, 0, NULL, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g1, "main", "node:Person", "q", 3, 0, NULL, &err), &err);
  og_commit_opts co = {"mutation", NULL, NULL, NULL};
  /* rows of the expected table changed: conflict naming it */
  og_graph_write *w = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g2, "main", &w, &err), &err);
  OG_ASSERT_OK(og_graph_write_expect(w, "node:Person", &err), &err);
  assert_int_equal(og_graph_write_expect(w, "node:Nope", &err), OG_ENOTFOUND);
  OG_ASSERT_OK(fx_stage_append(w, "edge:Knows", "e", 1, 0, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g1, "main", "node:Person", "r", 1, 0, NULL, &err), &err);
  assert_int_equal(og_graph_commit(w, &co, NULL, &err), OG_ECONFLICT);
  assert_non_null(strstr(err.details, "\"table\":\"node:Person\""));
  og_graph_write_free(w);
  /* only a compaction of it: fine, and the manifest keeps the compacted version */
  OG_ASSERT_OK(og_graph_write_begin(g2, "main", &w, &err), &err);
  OG_ASSERT_OK(og_graph_write_expect(w, "node:Person", &err), &err);
  OG_ASSERT_OK(fx_stage_append(w, "edge:Knows", "e", 1, 0, &err), &err);
  og_graph_write *opt = NULL;
  og_table *base = NULL, *compacted = NULL;
  bool changed = false;
  OG_ASSERT_OK(og_graph_write_begin(g1, "main", &opt, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(og_graph_write_base(opt), "node:Person", &base, &err), &err);
  OG_ASSERT_OK(og_table_compact(base, NULL, &compacted, &changed, &err), &err);
  assert_true(changed);
  OG_ASSERT_OK(og_graph_write_stage(opt, "node:Person", compacted, 0, &err), &err);
  og_commit_opts oco = {"optimize", NULL, NULL, NULL};
  OG_ASSERT_OK(og_graph_commit(opt, &oco, NULL, &err), &err);
  og_graph_write_free(opt);
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_commit(w, &co, &s, &err), &err);
  const og_table_entry *e = og_manifest_find(og_snapshot_manifest(s), "node:Person");
  assert_string_equal(e->descriptor, og_table_key(compacted));
  assert_int_equal(og_manifest_find(og_snapshot_manifest(s), "edge:Knows")->row_count, 1);
  og_snapshot_free(s);
  og_table_free(base);
  og_table_free(compacted);
  og_graph_write_free(w);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_graph_free(g1);
  og_graph_free(g2);
  og_store_free(st);
}

static void test_compaction_does_not_conflict(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g1 = fx_init(st);
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(st, 0, &g2, &err), &err);
  for (int i = 0; i < 4; i++) {
    char tag[8];
    snprintf(tag, sizeof tag, "s%d", i);
    OG_ASSERT_OK(fx_commit_append(g1, "main", "node:Person", tag, 3, 0, NULL, &err), &err);
  }
  og_graph_write *w = NULL, *opt = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g1, "main", &w, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w, "node:Person", "new", 2, OG_GRAPH_STAGE_STRICT, &err), &err);
  /* another handle compacts Person and commits first */
  OG_ASSERT_OK(og_graph_write_begin(g2, "main", &opt, &err), &err);
  og_table *base = NULL, *compacted = NULL;
  OG_ASSERT_OK(og_snapshot_table(og_graph_write_base(opt), "node:Person", &base, &err), &err);
  bool changed = false;
  OG_ASSERT_OK(og_table_compact(base, NULL, &compacted, &changed, &err), &err);
  assert_true(changed);
  assert_int_equal(og_table_content_version(compacted), og_table_content_version(base));
  OG_ASSERT_OK(og_graph_write_stage(opt, "node:Person", compacted, 0, &err), &err);
  og_commit_opts oco = {"optimize", NULL, NULL, NULL};
  OG_ASSERT_OK(og_graph_commit(opt, &oco, NULL, &err), &err);
  og_table_free(base);
  og_table_free(compacted);
  og_graph_write_free(opt);
  /* the strict write pinned before the compaction still commits */
  og_commit_opts co = {"mutation", NULL, NULL, NULL};
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_commit(w, &co, &s, &err), &err);
  og_graph_write_free(w);
  const og_table_entry *e = og_manifest_find(og_snapshot_manifest(s), "node:Person");
  assert_int_equal(og_snapshot_version(s), 7);
  assert_int_equal(e->row_count, 14);
  assert_int_equal(e->table_version, 7);
  assert_int_equal(e->content_version, 6);
  og_snapshot_free(s);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_graph_free(g1);
  og_graph_free(g2);
  og_store_free(st);
}

static void test_schema_change_and_tables(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  og_graph_write *w = NULL, *w2 = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g, "main", &w2, &err), &err);
  OG_ASSERT_OK(fx_stage_append(w2, "node:Person", "x", 1, 0, &err), &err);
  OG_ASSERT_OK(og_graph_write_begin(g, "main", &w, &err), &err);
  OG_ASSERT_OK(og_graph_write_set_schema(w, "node Person {}\n", 15, &err), &err);
  OG_ASSERT_OK(og_graph_write_drop(w, "edge:Knows", &err), &err);
  assert_int_equal(og_graph_write_drop(w, "edge:Nope", &err), OG_ENOTFOUND);
  og_table *t = NULL;
  OG_ASSERT_OK(og_table_create(st, "t/node-Company-test", &fx_person, &t, &err), &err);
  OG_ASSERT_OK(og_graph_write_stage(w, "node:Company", t, 0, &err), &err);
  og_table_free(t);
  og_commit_opts co = {"schema_apply", NULL, "add Company", NULL};
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_commit(w, &co, &s, &err), &err);
  const og_manifest *m = og_snapshot_manifest(s);
  assert_int_equal(m->ntables, 2);
  assert_non_null(og_manifest_find(m, "node:Company"));
  assert_null(og_manifest_find(m, "edge:Knows"));
  og_buf b = OG_BUF_INIT;
  OG_ASSERT_OK(og_snapshot_schema(s, &b, &err), &err);
  assert_string_equal(b.ptr, "node Person {}\n");
  og_buf_dispose(&b);
  og_snapshot_free(s);
  og_graph_write_free(w);
  /* a writer pinned under the old schema conflicts */
  co.operation = "load";
  assert_int_equal(og_graph_commit(w2, &co, NULL, &err), OG_ECONFLICT);
  og_graph_write_free(w2);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_graph_free(g);
  og_store_free(st);
}

static void test_merge_parent(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(og_graph_branch_create(g, "f", "main", 0, NULL, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g, "f", "node:Person", "f", 1, 0, NULL, &err), &err);
  og_snapshot *fs = NULL;
  OG_ASSERT_OK(og_graph_snapshot(g, "f", 0, &fs, &err), &err);
  const og_manifest *fm = og_snapshot_manifest(fs);
  og_commit_ref mp = {fm->commit.commit_id, fm->branch, fm->generation, fm->version};
  og_graph_write *w = NULL;
  OG_ASSERT_OK(og_graph_write_begin(g, "main", &w, &err), &err);
  og_table *t = NULL;
  OG_ASSERT_OK(og_snapshot_table(fs, "node:Person", &t, &err), &err);
  OG_ASSERT_OK(og_graph_write_stage(w, "node:Person", t, OG_GRAPH_STAGE_STRICT, &err), &err);
  og_table_free(t);
  og_commit_opts co = {"merge", "m", NULL, &mp};
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_commit(w, &co, &s, &err), &err);
  const og_manifest *m = og_snapshot_manifest(s);
  assert_int_equal(m->commit.nparents, 2);
  assert_string_equal(m->commit.parents[1].branch, "f");
  assert_string_equal(m->commit.parents[1].commit_id, fm->commit.commit_id);
  og_snapshot_free(s);
  og_snapshot_free(fs);
  og_graph_write_free(w);
  OG_ASSERT_OK(og_graph_verify(st, NULL, &err), &err);
  og_graph_free(g);
  og_store_free(st);
}

/* perf.md §a5: a warm same-branch read is one version probe; reading the
 * table a handle just committed opens nothing; the bounded table cache
 * evicts correctly across many versions. */
static void test_warm_read_costs(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "a", 3, 0, NULL, &err), &err);
  og_store_stats s;
  for (int rep = 0; rep < 2; rep++) {
    og_store_stats_reset(st);
    og_snapshot *snap = NULL;
    og_table *t = NULL;
    OG_ASSERT_OK(og_graph_snapshot(g, "main", 0, &snap, &err), &err);
    OG_ASSERT_OK(og_snapshot_table(snap, "node:Person", &t, &err), &err);
    assert_int_equal(og_table_row_count(t), 3);
    og_store_stats_get(st, &s);
    assert_int_equal(fx_ops(&s), 1); /* the probe; the table is already open */
    og_table_free(t);
    og_snapshot_free(snap);
  }
  const int n = OG_GTCACHE_CAP + 40;
  for (int i = 0; i < n; i++)
    OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "x", 1, 0, NULL, &err), &err);
  for (int pass = 0; pass < 2; pass++)
    for (uint64_t v = 2; v <= (uint64_t)n + 2; v++)
      assert_int_equal(fx_rows(g, "main", v, "node:Person"), 3 + (v - 2));
  og_graph_free(g);
  og_store_free(st);
}

/* Find the first store key under `prefix` containing `needle`. */
static char *find_key(og_store *st, const char *prefix, const char *needle) {
  og_error err = OG_ERROR_INIT;
  og_keylist kl = {0};
  OG_ASSERT_OK(og_store_list(st, prefix, &kl, &err), &err);
  char *found = NULL;
  for (size_t i = 0; i < kl.count && !found; i++)
    if (strstr(kl.keys[i], needle)) found = og_strdup(kl.keys[i]);
  og_keylist_dispose(&kl);
  return found;
}

static og_store *verify_fixture(void) {
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", "v", 10, 0, NULL, &err), &err);
  OG_ASSERT_OK(og_graph_branch_create(g, "b", "main", 0, NULL, &err), &err);
  OG_ASSERT_OK(fx_commit_append(g, "b", "edge:Knows", "k", 2, 0, NULL, &err), &err);
  og_graph_free(g);
  og_buf rep = OG_BUF_INIT;
  OG_ASSERT_OK(og_graph_verify(st, &rep, &err), &err);
  assert_non_null(strstr(rep.ptr, "\"ok\":true"));
  assert_non_null(strstr(rep.ptr, "\"manifests\":4"));
  og_buf_dispose(&rep);
  return st;
}

static void expect_corrupt(og_store *st, const char *needle) {
  og_error err = OG_ERROR_INIT;
  og_buf rep = OG_BUF_INIT;
  assert_int_equal(og_graph_verify(st, &rep, &err), OG_ECORRUPT);
  if (!strstr(rep.ptr, needle)) fail_msg("report lacks '%s': %s", needle, rep.ptr);
  assert_non_null(strstr(rep.ptr, "\"ok\":false"));
  og_buf_dispose(&rep);
}

static void test_verify_catches(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  /* deleted fragment */
  og_store *st = verify_fixture();
  char *frag = find_key(st, "t/", "/frag/");
  assert_non_null(frag);
  OG_ASSERT_OK(og_store_delete(st, frag, &err), &err);
  expect_corrupt(st, "frag");
  og_free(frag);
  og_store_free(st);
  /* one corrupted manifest byte */
  st = verify_fixture();
  const char *mk = "log/main@1/00000000000000000002";
  og_buf b = OG_BUF_INIT;
  OG_ASSERT_OK(og_store_get(st, mk, &b, &err), &err);
  b.ptr[b.len / 2] ^= 0x01;
  OG_ASSERT_OK(og_store_put(st, mk, b.ptr, b.len, &err), &err);
  og_buf_dispose(&b);
  expect_corrupt(st, mk);
  /* the read path reports it too (version 2 is main's head) */
  og_graph *g = NULL;
  assert_int_equal(og_graph_open(st, 0, &g, &err), OG_ECORRUPT);
  assert_non_null(strstr(err.message, mk));
  og_store_free(st);
  /* missing schema object */
  st = verify_fixture();
  char *sk = find_key(st, "schema/", "schema/");
  OG_ASSERT_OK(og_store_delete(st, sk, &err), &err);
  expect_corrupt(st, "schema");
  og_free(sk);
  og_store_free(st);
  /* a missing version in the middle of a log */
  st = verify_fixture();
  OG_ASSERT_OK(og_store_delete(st, "log/main@1/00000000000000000001", &err), &err);
  expect_corrupt(st, "missing");
  og_store_free(st);
  /* a manifest copied to another position */
  st = verify_fixture();
  OG_ASSERT_OK(og_store_get(st, "log/b@1/00000000000000000002", &b, &err), &err);
  OG_ASSERT_OK(og_store_put(st, "log/b@1/00000000000000000003", b.ptr, b.len, &err), &err);
  og_buf_dispose(&b);
  expect_corrupt(st, "log/b@1/00000000000000000003");
  og_store_free(st);
}

/* Verify reads each table object about once, not once per version. */
static void test_verify_linear(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  const int depth = 300;
  for (int i = 0; i < depth; i++) {
    char tag[16];
    snprintf(tag, sizeof tag, "v%d", i);
    OG_ASSERT_OK(fx_commit_append(g, "main", "node:Person", tag, 1, 0, NULL, &err), &err);
  }
  og_keylist kl = {0};
  OG_ASSERT_OK(og_store_list(st, "", &kl, &err), &err);
  uint64_t objects = kl.count;
  og_keylist_dispose(&kl);
  og_store_stats_reset(st);
  og_buf rep = OG_BUF_INIT;
  OG_ASSERT_OK(og_graph_verify(st, &rep, &err), &err);
  og_store_stats s;
  og_store_stats_get(st, &s);
  print_message("verify at depth %d: %" PRIu64 " objects, %" PRIu64 " reads: %s\n", depth + 1,
                objects, s.gets + s.get_ranges + s.heads, rep.ptr);
  assert_true(s.gets + s.get_ranges + s.heads < 4 * objects);
  og_buf_dispose(&rep);
  og_graph_free(g);
  og_store_free(st);
}

/* Commit lookup by id reads O(log n) manifests per incarnation, not all. */
static void test_show_commit_fast(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *g = fx_init(st);
  OG_ASSERT_OK(og_graph_branch_create(g, "side", "main", 0, NULL, &err), &err);
  enum { N = 600 };
  static char ids[N + 2][OG_ULID_LEN + 1];
  for (int i = 0; i < N; i++) {
    og_graph_write *w = NULL;
    OG_ASSERT_OK(og_graph_write_begin(g, i % 3 ? "main" : "side", &w, &err), &err);
    og_commit_opts co = {"mutation", NULL, NULL, NULL};
    og_snapshot *s = NULL;
    OG_ASSERT_OK(og_graph_commit(w, &co, &s, &err), &err);
    strcpy(ids[i], og_snapshot_manifest(s)->commit.commit_id);
    og_snapshot_free(s);
    og_graph_write_free(w);
  }
  uint64_t worst = 0;
  for (int i = 0; i < N; i += 37) {
    og_store_stats_reset(st);
    og_manifest *m = NULL;
    OG_ASSERT_OK(og_graph_show_commit(g, ids[i], &m, &err), &err);
    assert_string_equal(m->commit.commit_id, ids[i]);
    assert_string_equal(m->branch, i % 3 ? "main" : "side");
    og_manifest_free(m);
    og_store_stats s;
    og_store_stats_get(st, &s);
    if (s.gets > worst) worst = s.gets;
    assert_int_equal(s.lists, 1);
  }
  print_message("show commit: at most %" PRIu64 " manifest reads among %d commits\n", worst, N);
  assert_true(worst < 120);
  /* a commit that lies outside the time window is still found (full scan) */
  og_manifest *m = NULL;
  assert_int_equal(og_graph_show_commit(g, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ", &m, &err), OG_ENOTFOUND);
  og_graph_free(g);
  og_store_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init_open),
      cmocka_unit_test(test_roundtrip_time_travel),
      cmocka_unit_test(test_snapshot_immutable),
      cmocka_unit_test(test_branch_create_no_copy),
      cmocka_unit_test(test_branch_names_and_main),
      cmocka_unit_test(test_branch_delete_recreate),
      cmocka_unit_test(test_hint_lag_missing_bogus),
      cmocka_unit_test(test_warm_cache_sees_others),
      cmocka_unit_test(test_warm_read_costs),
      cmocka_unit_test(test_open_cost_flat),
      cmocka_unit_test(test_two_writers_different_tables),
      cmocka_unit_test(test_conflict_same_table),
      cmocka_unit_test(test_insert_rebases_over_content_change),
      cmocka_unit_test(test_insert_same_key_conflicts),
      cmocka_unit_test(test_read_dependency),
      cmocka_unit_test(test_compaction_does_not_conflict),
      cmocka_unit_test(test_schema_change_and_tables),
      cmocka_unit_test(test_merge_parent),
      cmocka_unit_test(test_verify_catches),
      cmocka_unit_test(test_verify_linear),
      cmocka_unit_test(test_show_commit_fast),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
