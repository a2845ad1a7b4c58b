/* Shared fixture of the load tests: a graph in a memory store, loads from
 * strings, and readers for rows, versions and the manifest. */
#ifndef LFIX_H
#define LFIX_H

#include "og_test.h"

#include <stdio.h>
#include <string.h>

#include "load/load.h"

typedef struct lfix {
  og_store *st;
  og_graph *g;
} lfix;

static void lfix_init(lfix *f, const char *schema) {
  og_error err = OG_ERROR_INIT;
  og_catalog *cat = NULL;
  og_exec_tables tables;
  OG_ASSERT_OK(og_catalog_compile(schema, strlen(schema), &cat, &err), &err);
  OG_ASSERT_OK(og_exec_tables_build(cat, &tables, &err), &err);
  OG_ASSERT_OK(og_store_open_memory(&f->st, &err), &err);
  og_graph_init_opts o = {.schema = schema, .schema_len = strlen(schema), .tables = tables.specs,
                          .ntables = tables.count};
  OG_ASSERT_OK(og_graph_init(f->st, &o, &f->g, &err), &err);
  og_exec_tables_dispose(&tables);
  og_catalog_free(cat);
}

static void lfix_free(lfix *f) {
  og_graph_free(f->g);
  og_store_free(f->st);
  memset(f, 0, sizeof *f);
}

typedef struct lopts {
  og_load_mode mode;
  size_t chunk;
  const char *branch;
  const char *actor;
  void (*hook)(void *);
  void *hook_ctx;
} lopts;

static og_status lfix_load_opts(lfix *f, const lopts *o, const char *data, og_load_result *res,
                                og_error *err) {
  og_jsonl *r = NULL;
  og_status rc = og_jsonl_open_mem(&r, data, strlen(data), err);
  if (rc) return rc;
  og_load_req req = {.graph = f->g, .branch = o->branch, .mode = o->mode, .actor = o->actor,
                     .chunk_rows = o->chunk, .reader = r, .before_commit = o->hook,
                     .hook_ctx = o->hook_ctx};
  og_load_result tmp;
  rc = og_load_run(&req, res ? res : &tmp, err);
  if (!res && !rc) og_load_result_dispose(&tmp);
  og_jsonl_free(r);
  return rc;
}

static og_status lfix_load(lfix *f, og_load_mode mode, const char *data, og_error *err) {
  lopts o = {.mode = mode};
  return lfix_load_opts(f, &o, data, NULL, err);
}

/* Load that must succeed. */
#define LOAD_OK(f, mode, data)                                                  \
  do {                                                                          \
    og_error e_ = OG_ERROR_INIT;                                                \
    OG_ASSERT_OK(lfix_load((f), (mode), (data), &e_), &e_);                     \
  } while (0)

/* Load that must fail with `code` and a message containing `sub`; the branch
 * head must be exactly unchanged. */
#define LOAD_FAILS(f, mode, data, code, sub)                                     \
  do {                                                                          \
    og_error e_ = OG_ERROR_INIT;                                                \
    char *before_ = lfix_manifest_text(f);                                      \
    og_status rc_ = lfix_load((f), (mode), (data), &e_);                        \
    if (rc_ != (code) || !strstr(e_.message, (sub)))                            \
      fail_msg("load: got %s '%s', want %s containing '%s'", og_status_name(rc_), \
               e_.message, og_status_name(code), (sub));                        \
    char *after_ = lfix_manifest_text(f);                                       \
    assert_string_equal(before_, after_);                                       \
    og_free(before_);                                                           \
    og_free(after_);                                                            \
  } while (0)

static uint64_t lfix_head(lfix *f) {
  og_error err = OG_ERROR_INIT;
  uint64_t v = 0;
  OG_ASSERT_OK(og_graph_head(f->g, "main", &v, &err), &err);
  return v;
}

/* The head manifest as text: version, commit id, and every table entry. */
static char *lfix_manifest_text(lfix *f) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(f->g, "main", 0, &s, &err), &err);
  const og_manifest *m = og_snapshot_manifest(s);
  og_buf b = OG_BUF_INIT;
  og_buf_printf(&b, "v%llu %s\n", (unsigned long long)m->version, m->commit.commit_id);
  for (size_t i = 0; i < m->ntables; i++)
    og_buf_printf(&b, "%s v%llu c%llu rows=%llu %s\n", m->tables[i].table_key,
                  (unsigned long long)m->tables[i].table_version,
                  (unsigned long long)m->tables[i].content_version,
                  (unsigned long long)m->tables[i].row_count, m->tables[i].descriptor);
  og_snapshot_free(s);
  return og_buf_detach(&b, NULL);
}

static uint64_t lfix_rows(lfix *f, const char *key) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(f->g, "main", 0, &s, &err), &err);
  const og_table_entry *e = og_manifest_find(og_snapshot_manifest(s), key);
  assert_non_null(e);
  uint64_t n = e->row_count;
  og_snapshot_free(s);
  return n;
}

/* Every live row of a table as "v1|v2|...\n" lines (scan order), columns
 * listed by name ("id,age"). */
static char *lfix_dump(lfix *f, const char *key, const char *cols) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  og_table *t = NULL;
  OG_ASSERT_OK(og_graph_snapshot(f->g, "main", 0, &s, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(s, key, &t, &err), &err);
  const og_table_schema *sch = og_table_schema_get(t);
  uint32_t idx[16];
  size_t n = 0;
  char tmp[256];
  snprintf(tmp, sizeof tmp, "%s", cols);
  for (char *tok = strtok(tmp, ","); tok; tok = strtok(NULL, ",")) {
    int c = og_table_schema_find(sch, tok);
    if (c < 0) fail_msg("no column %s", tok);
    idx[n++] = (uint32_t)c;
  }
  og_scan_opts so = {.cols = idx, .ncols = n};
  og_scan *sc = NULL;
  const og_batch *b;
  og_buf out = OG_BUF_INIT;
  og_arena a;
  og_arena_init(&a, 4096);
  OG_ASSERT_OK(og_table_scan(t, &so, &sc, &err), &err);
  for (;;) {
    OG_ASSERT_OK(og_scan_next(sc, &b, &err), &err);
    if (!b) break;
    for (size_t r = 0; r < og_batch_rows(b); r++) {
      for (size_t c = 0; c < n; c++) {
        og_value v;
        OG_ASSERT_OK(og_write_get_value(&b->cols[c], r, &a, &v, &err), &err);
        if (c) og_buf_putc(&out, '|');
        og_value_text(&v, &out);
      }
      og_buf_putc(&out, '\n');
    }
  }
  og_scan_free(sc);
  og_arena_dispose(&a);
  og_table_free(t);
  og_snapshot_free(s);
  og_buf_puts(&out, "");
  return og_buf_detach(&out, NULL);
}

#define DUMP_EQ(f, key, cols, want)                                             \
  do {                                                                          \
    char *d_ = lfix_dump((f), (key), (cols));                                   \
    assert_string_equal(d_, (want));                                            \
    og_free(d_);                                                                \
  } while (0)

static const char *const FTEST_SCHEMA =
    "node Person { name: String @key\n age: I32? }\n"
    "node Company { name: String @key }\n"
    "edge Knows: Person -> Person { since: Date? }\n"
    "edge WorksAt: Person -> Company\n";

static const char *const FTEST_DATA =
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

#endif
