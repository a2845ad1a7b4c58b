/*
 * query_fixture.h — read-side executor tests: graphs built directly through
 * the graph + table APIs (a small JSONL-shaped loader), queries run through
 * parse → check → lower → bind → og_exec_read, results as compact JSON rows.
 */
#ifndef OG_TEST_QUERY_FIXTURE_H
#define OG_TEST_QUERY_FIXTURE_H

#include "og_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/read.h"
#include "exec/write.h"
#include "lang/query.h"
#include "lang/schema.h"

typedef struct xq {
  og_store *st;
  og_graph *g;
  og_catalog *cat;
  og_xcache *cache;
  unsigned edge_seq;
} xq;

static inline void xq_init(xq *x, const char *schema) {
  og_error err = OG_ERROR_INIT;
  og_exec_tables tabs;
  memset(x, 0, sizeof *x);
  OG_ASSERT_OK(og_store_open_memory(&x->st, &err), &err);
  OG_ASSERT_OK(og_catalog_compile(schema, strlen(schema), &x->cat, &err), &err);
  OG_ASSERT_OK(og_exec_tables_build(x->cat, &tabs, &err), &err);
  og_graph_init_opts o = {.schema = schema, .schema_len = strlen(schema), .tables = tabs.specs,
                          .ntables = tabs.count};
  OG_ASSERT_OK(og_graph_init(x->st, &o, &x->g, &err), &err);
  og_exec_tables_dispose(&tabs);
  x->cache = og_xcache_new();
  assert_non_null(x->cache);
}

static inline void xq_dispose(xq *x) {
  og_xcache_free(x->cache);
  og_graph_free(x->g);
  og_catalog_free(x->cat);
  og_store_free(x->st);
}

/* Append JSONL records ({"type":T,"data":{..}} / {"edge":E,"from":a,"to":b,
 * "data":{..}}) to `branch` in one commit. Node ids = key value or data.id;
 * edge ids = data.id or "e<n>". Returns the new head version. */
static inline uint64_t xq_load_on(xq *x, const char *branch, const char *jsonl) {
  og_error err = OG_ERROR_INIT;
  og_graph_write *w = NULL;
  OG_ASSERT_OK(og_graph_write_begin(x->g, branch, &w, &err), &err);
  size_t ntypes = x->cat->n_nodes + x->cat->n_edges;
  og_batch *batches = calloc(ntypes, sizeof *batches);
  bool *used = calloc(ntypes, sizeof *used);
  og_table **tables = calloc(ntypes, sizeof *tables);
  og_arena a;
  og_arena_init(&a, 4096);
  const char *p = jsonl;
  while (*p) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    json_error_t je;
    json_t *rec = json_loadb(p, n, 0, &je);
    p += n + (e ? 1 : 0);
    if (!rec) {
      if (n) fail_msg("fixture: bad JSONL line: %s", je.text);
      continue;
    }
    const char *tn = json_string_value(json_object_get(rec, "type"));
    bool is_edge = tn == NULL;
    if (is_edge) tn = json_string_value(json_object_get(rec, "edge"));
    size_t ti = 0;
    const og_type *t = NULL;
    for (size_t i = 0; i < x->cat->n_nodes; i++)
      if (!is_edge && !strcmp(x->cat->nodes[i].name, tn)) t = &x->cat->nodes[i], ti = i;
    for (size_t i = 0; i < x->cat->n_edges; i++)
      if (is_edge && !strcmp(x->cat->edges[i].name, tn)) t = &x->cat->edges[i], ti = x->cat->n_nodes + i;
    if (!t) fail_msg("unknown type %s", tn);
    if (!used[ti]) {
      char key[256];
      og_snapshot *base = og_graph_write_base(w);
      og_exec_table_key(t, key, sizeof key);
      OG_ASSERT_OK(og_snapshot_table(base, key, &tables[ti], &err), &err);
      OG_ASSERT_OK(og_batch_init(&batches[ti], og_table_schema_get(tables[ti]), &err), &err);
      used[ti] = true;
    }
    og_batch *b = &batches[ti];
    json_t *data = json_object_get(rec, "data");
    char idbuf[64];
    const char *id = json_string_value(json_object_get(data, "id"));
    if (!is_edge && t->key_prop) id = json_string_value(json_object_get(data, t->key_prop->name));
    if (!id && is_edge) {
      snprintf(idbuf, sizeof idbuf, "e%04u", ++x->edge_seq);
      id = idbuf;
    }
    assert_non_null(id);
    size_t col = 0;
    OG_ASSERT_OK(og_column_push_bytes(&b->cols[col++], id, strlen(id), &err), &err);
    if (is_edge) {
      const char *f = json_string_value(json_object_get(rec, "from"));
      const char *to = json_string_value(json_object_get(rec, "to"));
      OG_ASSERT_OK(og_column_push_bytes(&b->cols[col++], f, strlen(f), &err), &err);
      OG_ASSERT_OK(og_column_push_bytes(&b->cols[col++], to, strlen(to), &err), &err);
    }
    for (size_t k = 0; k < t->n_props; k++, col++) {
      const og_prop *pr = &t->props[k];
      json_t *jv = json_object_get(data, pr->name);
      og_value in = {.kind = OG_V_NULL}, out = {.kind = OG_V_NULL};
      if (jv && !json_is_null(jv)) {
        OG_ASSERT_OK(og_value_from_json(jv, &a, &in, &err), &err);
        OG_ASSERT_OK(og_value_convert(t, pr, &in, &a, &out, &err), &err);
      }
      OG_ASSERT_OK(og_write_push_value(&b->cols[col], &out, &err), &err);
    }
    json_decref(rec);
  }
  for (size_t i = 0; i < ntypes; i++) {
    if (!used[i]) continue;
    og_table *nt = NULL;
    const og_type *t = i < x->cat->n_nodes ? &x->cat->nodes[i] : &x->cat->edges[i - x->cat->n_nodes];
    char key[256];
    og_exec_table_key(t, key, sizeof key);
    OG_ASSERT_OK(og_table_append(tables[i], &batches[i], &nt, &err), &err);
    OG_ASSERT_OK(og_graph_write_stage(w, key, nt, 0, &err), &err);
    og_table_free(nt);
    og_table_free(tables[i]);
    og_batch_dispose(&batches[i]);
  }
  og_commit_opts co = {.operation = "load"};
  og_snapshot *snap = NULL;
  OG_ASSERT_OK(og_graph_commit(w, &co, &snap, &err), &err);
  uint64_t v = og_snapshot_version(snap);
  og_snapshot_free(snap);
  og_graph_write_free(w);
  og_arena_dispose(&a);
  free(batches);
  free(used);
  free(tables);
  return v;
}

static inline uint64_t xq_load(xq *x, const char *jsonl) { return xq_load_on(x, "main", jsonl); }

/* Run a query; on success *rows receives the result rows as a compact JSON
 * array (og_free); `sorted` sorts the row texts (set comparisons). */
static inline og_status xq_run_at(xq *x, const char *branch, uint64_t version, const char *src,
                                  const char *name, const char *params, bool sorted, char **rows,
                                  og_error *err) {
  og_qfile *f = NULL;
  og_qtyped *t = NULL;
  og_qir *ir = NULL;
  og_qparams *pp = NULL;
  og_snapshot *snap = NULL;
  og_xresult *r = NULL;
  const og_qdecl *d = NULL;
  og_status rc;
  *rows = NULL;
  if ((rc = og_qfile_parse(src, strlen(src), &f, err))) goto out;
  if ((rc = og_qfile_select(f, name, &d, err))) goto out;
  if ((rc = og_graph_snapshot(x->g, branch, version, &snap, err))) goto out;
  if ((rc = og_query_check_read(x->cat, d, &t, err))) goto out;
  if ((rc = og_query_lower(t, &ir, err))) goto out;
  if ((rc = og_qparams_bind(d, params, params ? strlen(params) : 0, OG_QBIND_STANDARD, &pp, err))) goto out;
  if ((rc = og_qparams_set_now(pp, 1767225600000ull /* 2026-01-01 */, err))) goto out;
  if ((rc = og_exec_read(x->cache, snap, ir, pp, &r, err))) goto out;
  {
    char **lines = calloc(r->nrows + 1, sizeof *lines);
    for (size_t i = 0; i < r->nrows; i++) {
      og_buf b = OG_BUF_INIT;
      og_buf_putc(&b, '{');
      for (size_t j = 0; j < r->ncols; j++) {
        if (j) og_buf_putc(&b, ',');
        og_buf_put_json_str(&b, r->names[j], strlen(r->names[j]));
        og_buf_putc(&b, ':');
        og_xval_json(&b, &r->cells[i * r->ncols + j]);
      }
      og_buf_putc(&b, '}');
      lines[i] = og_buf_detach(&b, NULL);
    }
    if (sorted)
      for (size_t i = 1; i < r->nrows; i++)
        for (size_t k = i; k > 0 && strcmp(lines[k - 1], lines[k]) > 0; k--) {
          char *tmp = lines[k];
          lines[k] = lines[k - 1];
          lines[k - 1] = tmp;
        }
    og_buf all = OG_BUF_INIT;
    og_buf_putc(&all, '[');
    for (size_t i = 0; i < r->nrows; i++) {
      if (i) og_buf_putc(&all, ',');
      og_buf_puts(&all, lines[i]);
      og_free(lines[i]);
    }
    og_buf_putc(&all, ']');
    free(lines);
    *rows = og_buf_detach(&all, NULL);
  }
out:
  og_xresult_free(r);
  og_snapshot_free(snap);
  og_qparams_free(pp);
  og_qir_free(ir);
  og_qtyped_free(t);
  og_qfile_free(f);
  return rc;
}

/* Expect exact rows (JSON array text) from a query on main's head. */
#define XQ_EXPECT(x, src, params, sorted, want)                                              \
  do {                                                                                       \
    og_error e_ = OG_ERROR_INIT;                                                             \
    char *rows_ = NULL;                                                                      \
    og_status rc_ = xq_run_at((x), "main", 0, (src), NULL, (params), (sorted), &rows_, &e_); \
    if (rc_) fail_msg("query failed: %s\n  %s", e_.message, (src));                          \
    if (strcmp(rows_, (want)))                                                               \
      fail_msg("query %s\n  got  %s\n  want %s", (src), rows_, (want));                      \
    og_free(rows_);                                                                          \
  } while (0)

/* Expect an error whose message contains `substr`. */
#define XQ_EXPECT_ERR(x, src, params, code, substr)                                           \
  do {                                                                                        \
    og_error e_ = OG_ERROR_INIT;                                                              \
    char *rows_ = NULL;                                                                       \
    og_status rc_ = xq_run_at((x), "main", 0, (src), NULL, (params), false, &rows_, &e_);     \
    if (rc_ != (code) || !strstr(e_.message, (substr)))                                       \
      fail_msg("query %s\n  got %s '%s' rows %s\n  want %s containing '%s'", (src),           \
               og_status_name(rc_), e_.message, rows_ ? rows_ : "-", og_status_name(code), (substr)); \
    og_free(rows_);                                                                           \
  } while (0)

static const char *const XQ_TEST_SCHEMA =
    "node Person {\n    name: String @key\n    age: I32?\n}\n"
    "node Company {\n    name: String @key\n}\n"
    "edge Knows: Person -> Person {\n    since: Date?\n}\n"
    "edge WorksAt: Person -> Company\n";

static const char *const XQ_TEST_DATA =
    "{\"type\": \"Person\", \"data\": {\"name\": \"Alice\", \"age\": 30}}\n"
    "{\"type\": \"Person\", \"data\": {\"name\": \"Bob\", \"age\": 25}}\n"
    "{\"type\": \"Person\", \"data\": {\"name\": \"Charlie\", \"age\": 35}}\n"
    "{\"type\": \"Person\", \"data\": {\"name\": \"Diana\", \"age\": 28}}\n"
    "{\"type\": \"Company\", \"data\": {\"name\": \"Acme\"}}\n"
    "{\"type\": \"Company\", \"data\": {\"name\": \"Globex\"}}\n"
    "{\"edge\": \"Knows\", \"from\": \"Alice\", \"to\": \"Bob\"}\n"
    "{\"edge\": \"Knows\", \"from\": \"Alice\", \"to\": \"Charlie\"}\n"
    "{\"edge\": \"Knows\", \"from\": \"Bob\", \"to\": \"Diana\"}\n"
    "{\"edge\": \"WorksAt\", \"from\": \"Alice\", \"to\": \"Acme\"}\n"
    "{\"edge\": \"WorksAt\", \"from\": \"Bob\", \"to\": \"Globex\"}\n";

#endif
