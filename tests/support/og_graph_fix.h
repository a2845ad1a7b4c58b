/*
 * og_graph_fix.h — the graph fixture shared by the load and mutation tests
 * (tests/unit/load/lfix.h, tests/unit/exec/test_mutate_fix.h): a graph in a
 * memory store made from schema text, and readers for the head version, the
 * head manifest and a table's live rows.
 *
 * Header-only because it needs the exec layer, which og_testsupport (linked
 * by every test, util only) must not depend on: include it only from tests
 * of exec or a layer above it.
 */
#ifndef OG_GRAPH_FIX_H
#define OG_GRAPH_FIX_H

#include "og_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/write.h"

#define OG_GFIX_UNUSED __attribute__((unused))

typedef struct og_gfix {
  og_store *st;
  og_graph *g;
} og_gfix;

/* The schema of the reference's test fixture (spec cases: Person, Company,
 * Knows, WorksAt). */
static const char *const OG_GFIX_SCHEMA OG_GFIX_UNUSED =
    "node Person { name: String @key\n age: I32? }\n"
    "node Company { name: String @key }\n"
    "edge Knows: Person -> Person { since: Date? }\n"
    "edge WorksAt: Person -> Company\n";

/* A fresh graph (version 1 of main) in a memory store. */
static OG_GFIX_UNUSED void og_gfix_init(og_gfix *f, const char *schema) {
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

static OG_GFIX_UNUSED void og_gfix_free(og_gfix *f) {
  og_graph_free(f->g);
  og_store_free(f->st);
  memset(f, 0, sizeof *f);
}

static OG_GFIX_UNUSED uint64_t og_gfix_head(og_gfix *f) {
  og_error err = OG_ERROR_INIT;
  uint64_t v = 0;
  OG_ASSERT_OK(og_graph_head(f->g, "main", &v, &err), &err);
  return v;
}

/* The head manifest of main as text: version, commit id, and every table
 * entry (version, content version, rows, descriptor) — equal before and
 * after a failed write. og_free the result. */
static OG_GFIX_UNUSED char *og_gfix_manifest_text(og_gfix *f) {
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

static OG_GFIX_UNUSED int og_gfix_cmp_line(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every live row of a table of main's head as "v1|v2|...\n" lines, columns
 * listed by name ("id,age"); in scan order, or sorted. og_free the result. */
static OG_GFIX_UNUSED char *og_gfix_dump(og_gfix *f, const char *key, const char *cols, bool sorted) {
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
  og_arena a;
  og_arena_init(&a, 4096);
  OG_VEC(char *) lines = OG_VEC_INIT;
  OG_ASSERT_OK(og_table_scan(t, &so, &sc, &err), &err);
  for (;;) {
    OG_ASSERT_OK(og_scan_next(sc, &b, &err), &err);
    if (!b) break;
    for (size_t r = 0; r < og_batch_rows(b); r++) {
      og_buf line = OG_BUF_INIT;
      for (size_t c = 0; c < n; c++) {
        og_value v;
        OG_ASSERT_OK(og_write_get_value(&b->cols[c], r, &a, &v, &err), &err);
        if (c) og_buf_putc(&line, '|');
        og_value_text(&v, &line);
      }
      og_buf_putc(&line, '\n');
      assert_int_equal(OG_VEC_PUSH(&lines, og_buf_detach(&line, NULL)), OG_OK);
    }
  }
  if (sorted && lines.count) qsort(lines.items, lines.count, sizeof(char *), og_gfix_cmp_line);
  og_buf out = OG_BUF_INIT;
  og_buf_puts(&out, "");
  for (size_t i = 0; i < lines.count; i++) {
    og_buf_puts(&out, lines.items[i]);
    og_free(lines.items[i]);
  }
  OG_VEC_FREE(&lines);
  og_scan_free(sc);
  og_arena_dispose(&a);
  og_table_free(t);
  og_snapshot_free(s);
  return og_buf_detach(&out, NULL);
}

/* Evaluate `call` and require a status and a message substring, with main's
 * head manifest exactly unchanged; `call` passes `&e_`, the og_error this
 * macro declares, and `what` names the operation in the failure message. */
#define OG_GFIX_FAILS(f, what, call, code, sub)                                                \
  do {                                                                                         \
    og_error e_ = OG_ERROR_INIT;                                                               \
    char *before_ = og_gfix_manifest_text(f);                                                  \
    og_status rc_ = (call);                                                                    \
    if (rc_ != (code) || !strstr(e_.message, (sub)))                                           \
      fail_msg("%s: got %s '%s', want %s containing '%s'", (what), og_status_name(rc_),        \
               e_.message, og_status_name(code), (sub));                                       \
    char *after_ = og_gfix_manifest_text(f);                                                   \
    assert_string_equal(before_, after_);                                                      \
    og_free(before_);                                                                          \
    og_free(after_);                                                                           \
  } while (0)

#endif
