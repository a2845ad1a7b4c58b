/* Shared fixture for the graph unit tests: a two-table graph (node:Person
 * with a key column, edge:Knows) and helpers to append rows. */
#ifndef OG_GRAPH_FIXTURE_H
#define OG_GRAPH_FIXTURE_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og_test.h"
#include "graph/graph.h"

__attribute__((unused)) static og_colspec fx_person_cols[] = {
    {"id", OG_COL_STRING, OG_COL_INVALID, 0, false},
    {"age", OG_COL_I64, OG_COL_INVALID, 0, true},
};
__attribute__((unused)) static og_table_schema fx_person = {fx_person_cols, 2, 0};
__attribute__((unused)) static og_colspec fx_knows_cols[] = {
    {"src", OG_COL_STRING, OG_COL_INVALID, 0, false},
    {"dst", OG_COL_STRING, OG_COL_INVALID, 0, false},
};
__attribute__((unused)) static og_table_schema fx_knows = {fx_knows_cols, 2, -1};
__attribute__((unused)) static const char fx_schema_text[] = "node Person { id: String @key, age: I32? }\n"
                                     "edge Knows: Person -> Person\n";

static inline og_graph *fx_init(og_store *st) {
  og_error err = OG_ERROR_INIT;
  og_graph_table_spec specs[] = {{"node:Person", &fx_person}, {"edge:Knows", &fx_knows}};
  og_graph_init_opts o = {fx_schema_text, sizeof fx_schema_text - 1, specs, 2, "tester", NULL};
  og_graph *g = NULL;
  OG_ASSERT_OK(og_graph_init(st, &o, &g, &err), &err);
  return g;
}

static inline og_store *fx_memory(void) {
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  OG_ASSERT_OK(og_store_open_memory(&st, &err), &err);
  return st;
}

/* A new version of `base` with n more Person rows "<tag>-<i>". */
static inline og_status fx_append_people(og_table *base, const char *tag, int n, og_table **out,
                                  og_error *err) {
  og_batch b = OG_BATCH_INIT;
  og_status rc = og_batch_init(&b, og_table_schema_get(base), err);
  for (int i = 0; rc == OG_OK && i < n; i++) {
    char id[128];
    snprintf(id, sizeof id, "%s-%d", tag, i);
    rc = og_column_push_bytes(&b.cols[0], id, strlen(id), err);
    if (rc == OG_OK) rc = og_column_push_int(&b.cols[1], i, err);
  }
  if (rc == OG_OK) rc = og_table_append(base, &b, out, err);
  og_batch_dispose(&b);
  return rc;
}

static inline og_status fx_append_knows(og_table *base, const char *tag, int n, og_table **out,
                                 og_error *err) {
  og_batch b = OG_BATCH_INIT;
  og_status rc = og_batch_init(&b, og_table_schema_get(base), err);
  for (int i = 0; rc == OG_OK && i < n; i++) {
    char id[128];
    snprintf(id, sizeof id, "%s-%d", tag, i);
    rc = og_column_push_bytes(&b.cols[0], id, strlen(id), err);
    if (rc == OG_OK) rc = og_column_push_bytes(&b.cols[1], id, strlen(id), err);
  }
  if (rc == OG_OK) rc = og_table_append(base, &b, out, err);
  og_batch_dispose(&b);
  return rc;
}

/* Begin a write on `branch`, append n rows to `table_key`, leave it staged. */
static inline og_status fx_stage_append(og_graph_write *w, const char *table_key, const char *tag, int n,
                                 unsigned flags, og_error *err) {
  og_table *base = NULL, *nt = NULL;
  og_status rc = og_snapshot_table(og_graph_write_base(w), table_key, &base, err);
  if (rc == OG_OK)
    rc = strcmp(table_key, "node:Person") == 0 ? fx_append_people(base, tag, n, &nt, err)
                                               : fx_append_knows(base, tag, n, &nt, err);
  if (rc == OG_OK) rc = og_graph_write_stage(w, table_key, nt, flags, err);
  og_table_free(base);
  og_table_free(nt);
  return rc;
}

/* One complete write: begin, append n rows, commit. */
static inline og_status fx_commit_append(og_graph *g, const char *branch, const char *table_key,
                                  const char *tag, int n, unsigned flags, const char *message,
                                  og_error *err) {
  og_graph_write *w = NULL;
  og_status rc = og_graph_write_begin(g, branch, &w, err);
  if (rc == OG_OK) rc = fx_stage_append(w, table_key, tag, n, flags, err);
  og_commit_opts co = {"load", "tester", message, NULL};
  if (rc == OG_OK) rc = og_graph_commit(w, &co, NULL, err);
  og_graph_write_free(w);
  return rc;
}

static inline uint64_t fx_rows(og_graph *g, const char *branch, uint64_t version, const char *table_key) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  og_table *t = NULL;
  OG_ASSERT_OK(og_graph_snapshot(g, branch, version, &s, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(s, table_key, &t, &err), &err);
  uint64_t n = og_table_row_count(t);
  og_table_free(t);
  og_snapshot_free(s);
  return n;
}

static inline uint64_t fx_head(og_graph *g, const char *branch) {
  og_error err = OG_ERROR_INIT;
  uint64_t v = 0;
  OG_ASSERT_OK(og_graph_head(g, branch, &v, &err), &err);
  return v;
}

static inline uint64_t fx_ops(const og_store_stats *s) {
  return s->gets + s->get_ranges + s->heads + s->puts + s->put_if_absents + s->lists + s->deletes;
}

#endif
