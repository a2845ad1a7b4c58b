/* Fixture of the mutation tests: a graph in a memory store, mutations from
 * .gq text, row dumps and manifest snapshots. */
#ifndef TEST_MUTATE_FIX_H
#define TEST_MUTATE_FIX_H

#include "og_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/write.h"

typedef struct mfix {
  og_store *st;
  og_graph *g;
} mfix;

static void mfix_init(mfix *f, const char *schema) {
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

static void mfix_free(mfix *f) {
  og_graph_free(f->g);
  og_store_free(f->st);
  memset(f, 0, sizeof *f);
}

typedef struct mopts {
  const char *name;
  const char *params;
  const char *actor;
  const char *branch;
  uint64_t now_ms;
  void (*hook)(void *);
  void *hook_ctx;
} mopts;

static og_status mfix_run(mfix *f, const char *src, const mopts *o, og_mutate_result *res,
                          og_error *err) {
  og_mutate_req req = {.graph = f->g, .source = src, .source_len = strlen(src),
                       .query_name = o->name, .params_json = o->params,
                       .params_len = o->params ? strlen(o->params) : 0, .actor = o->actor,
                       .branch = o->branch, .now_ms = o->now_ms, .before_commit = o->hook,
                       .hook_ctx = o->hook_ctx};
  og_mutate_result tmp;
  og_status rc = og_exec_mutate(&req, res ? res : &tmp, err);
  if (!res && !rc) og_mutate_result_dispose(&tmp);
  return rc;
}

/* Run and expect success with the given counts. */
#define MUT_OK(f, src, nm, prm, nodes, edges)                                      \
  do {                                                                           \
    og_error e_ = OG_ERROR_INIT;                                                 \
    og_mutate_result r_;                                                         \
    mopts o_ = {.name = (nm), .params = (prm)};                                  \
    OG_ASSERT_OK(mfix_run((f), (src), &o_, &r_, &e_), &e_);                      \
    assert_int_equal(r_.affected_nodes, (nodes));                                \
    assert_int_equal(r_.affected_edges, (edges));                                \
    og_mutate_result_dispose(&r_);                                               \
  } while (0)

static char *mfix_manifest_text(mfix *f) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(f->g, "main", 0, &s, &err), &err);
  const og_manifest *m = og_snapshot_manifest(s);
  og_buf b = OG_BUF_INIT;
  og_buf_printf(&b, "v%llu %s\n", (unsigned long long)m->version, m->commit.commit_id);
  for (size_t i = 0; i < m->ntables; i++)
    og_buf_printf(&b, "%s v%llu rows=%llu %s\n", m->tables[i].table_key,
                  (unsigned long long)m->tables[i].table_version,
                  (unsigned long long)m->tables[i].row_count, m->tables[i].descriptor);
  og_snapshot_free(s);
  return og_buf_detach(&b, NULL);
}

/* Run and expect failure (code, message substring) leaving the head unchanged. */
#define MUT_FAILS(f, src, nm, prm, code, sub)                                     \
  do {                                                                           \
    og_error e_ = OG_ERROR_INIT;                                                 \
    mopts o_ = {.name = (nm), .params = (prm)};                                  \
    char *b_ = mfix_manifest_text(f);                                            \
    og_status rc_ = mfix_run((f), (src), &o_, NULL, &e_);                        \
    if (rc_ != (code) || !strstr(e_.message, (sub)))                             \
      fail_msg("mutate: got %s '%s', want %s containing '%s'", og_status_name(rc_), \
               e_.message, og_status_name(code), (sub));                         \
    char *a_ = mfix_manifest_text(f);                                            \
    assert_string_equal(b_, a_);                                                 \
    og_free(b_);                                                                 \
    og_free(a_);                                                                 \
  } while (0)

static uint64_t mfix_head(mfix *f) {
  og_error err = OG_ERROR_INIT;
  uint64_t v = 0;
  OG_ASSERT_OK(og_graph_head(f->g, "main", &v, &err), &err);
  return v;
}

/* Live rows of a table, "a|b\n" per row, sorted (scan order is not part of
 * the mutation contract). */
static int cmp_line(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *mfix_dump(mfix *f, const char *key, const char *cols) {
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
  if (lines.count) qsort(lines.items, lines.count, sizeof(char *), cmp_line);
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

#define DUMP_EQ(f, key, cols, want)                                              \
  do {                                                                           \
    char *d_ = mfix_dump((f), (key), (cols));                                    \
    assert_string_equal(d_, (want));                                             \
    og_free(d_);                                                                 \
  } while (0)

static const char *const S0 =
    "node Person { name: String @key\n age: I32? }\n"
    "node Company { name: String @key }\n"
    "edge Knows: Person -> Person { since: Date? }\n"
    "edge WorksAt: Person -> Company\n";

static const char *const MQ =
    "query insert_person($name: String, $age: I32) { insert Person { name: $name, age: $age } }\n"
    "query add_friend($from: String, $to: String) { insert Knows { from: $from, to: $to } }\n"
    "query set_age($name: String, $age: I32) { update Person set { age: $age } where name = $name }\n"
    "query remove_person($name: String) { delete Person where name = $name }\n"
    "query remove_friendship($from: String) { delete Knows where from = $from }\n"
    "query insert_person_and_friend($name: String, $age: I32, $friend: String) {\n"
    "  insert Person { name: $name, age: $age }\n"
    "  insert Knows { from: $name, to: $friend }\n"
    "}\n";

static const char *const SEED =
    "query seed() {\n"
    "  insert Person { name: \"Alice\", age: 30 }\n"
    "  insert Person { name: \"Bob\", age: 25 }\n"
    "  insert Person { name: \"Charlie\", age: 35 }\n"
    "  insert Person { name: \"Diana\", age: 28 }\n"
    "  insert Company { name: \"Acme\" }\n"
    "  insert Company { name: \"Globex\" }\n"
    "  insert Knows { from: \"Alice\", to: \"Bob\" }\n"
    "  insert Knows { from: \"Alice\", to: \"Charlie\" }\n"
    "  insert Knows { from: \"Bob\", to: \"Diana\" }\n"
    "  insert WorksAt { from: \"Alice\", to: \"Acme\" }\n"
    "  insert WorksAt { from: \"Bob\", to: \"Globex\" }\n"
    "}\n";

/* init(S0) + D0 */
static void mfix_loaded(mfix *f) {
  mfix_init(f, S0);
  MUT_OK(f, SEED, NULL, NULL, 6, 5);
}

#endif
