/* Shared fixture of the load tests: a graph in a memory store, loads from
 * strings, and readers for rows, versions and the manifest. */
#ifndef LFIX_H
#define LFIX_H

#include "og_graph_fix.h"

#include "load/load.h"

typedef og_gfix lfix;
#define lfix_init og_gfix_init
#define lfix_free og_gfix_free
#define lfix_head og_gfix_head
#define lfix_manifest_text og_gfix_manifest_text
#define FTEST_SCHEMA OG_GFIX_SCHEMA

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
#define LOAD_FAILS(f, mode, data, code, sub) \
  OG_GFIX_FAILS((f), "load", lfix_load((f), (mode), (data), &e_), (code), (sub))

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
  return og_gfix_dump(f, key, cols, false);
}

#define DUMP_EQ(f, key, cols, want)                                             \
  do {                                                                          \
    char *d_ = lfix_dump((f), (key), (cols));                                   \
    assert_string_equal(d_, (want));                                            \
    og_free(d_);                                                                \
  } while (0)

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
