/*
 * omnigraph/write.h — public API: the write side (load JSONL, mutations).
 * Included by omnigraph.h; see its conventions. User documentation:
 * docs/load.md, docs/mutations.md.
 *
 * Every successful write that changes data is exactly one atomic graph
 * commit on the target branch; a failed write leaves the branch unchanged
 * (no new version, no commit record).
 */
#ifndef OMNIGRAPH_WRITE_H
#define OMNIGRAPH_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "og_status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct og_db;

/*==================== JSONL load ====================*/

typedef enum og_load_mode {
  OG_LOAD_OVERWRITE = 0, /* each type in the input replaces its table */
  OG_LOAD_APPEND = 1,    /* new rows only; an existing id is an error */
  OG_LOAD_MERGE = 2      /* upsert by id (whole-row replace, row ids kept) */
} og_load_mode;

/* "overwrite" | "append" | "merge". */
const char *og_load_mode_name(og_load_mode m);
/* Parse a mode name; OG_EINVAL for anything else. */
og_status og_load_mode_parse(const char *s, og_load_mode *out, og_error *err);

typedef struct og_load_opts {
  const char *branch;   /* NULL → "main" */
  og_load_mode mode;
  const char *actor;    /* recorded on the commit; NULL → none */
  size_t chunk_rows;    /* rows buffered per type before a fragment is written; 0 → 262144 */
} og_load_opts;

/* Rows loaded for one type (input order of first appearance). */
typedef struct og_load_type_count {
  char *name;           /* declared type name */
  bool is_edge;
  uint64_t rows;
} og_load_type_count;

typedef struct og_load_result {
  uint64_t nodes_loaded, edges_loaded;
  size_t node_types_loaded, edge_types_loaded;
  og_load_type_count *types;
  size_t ntypes;
  bool committed;             /* false for empty input (nothing written) */
  uint64_t manifest_version;  /* branch head after the load */
  char commit_id[32];         /* "" when not committed */
} og_load_result;

void og_load_result_dispose(og_load_result *r); /* NULL / zeroed ok */

/* Fill buf with up to cap bytes; return the count, 0 at the end, -1 on error. */
typedef long (*og_load_read_fn)(void *ctx, char *buf, size_t cap);

/* Load a JSONL stream (data.md §2; docs/load.md) into a branch. Memory is
 * bounded by opts->chunk_rows rows per type plus the id sets, not by the
 * input size. Errors name the record: "record 7: ..." with err->line set to
 * the input line where that record starts. */
og_status og_db_load(struct og_db *db, const og_load_opts *opts, og_load_read_fn read, void *ctx,
                     og_load_result *out, og_error *err);
og_status og_db_load_mem(struct og_db *db, const og_load_opts *opts, const char *data,
                         size_t len, og_load_result *out, og_error *err);

/* ingest (spec data.md §4.4): load into `opts->branch`, first creating it
 * from `from` (NULL → main) when it does not exist (that creation is its own
 * commit, made even if the load then fails). *created_out (may be NULL)
 * tells whether it was created. The CLI and HTTP default mode is merge. */
og_status og_db_ingest(struct og_db *db, const og_load_opts *opts, const char *from,
                       og_load_read_fn read, void *ctx, og_load_result *out, bool *created_out,
                       og_error *err);
og_status og_db_ingest_mem(struct og_db *db, const og_load_opts *opts, const char *from,
                           const char *data, size_t len, og_load_result *out, bool *created_out,
                           og_error *err);

/*==================== mutations ====================*/

typedef struct og_mutate_opts {
  const char *branch;       /* NULL → "main" */
  const char *query_name;   /* NULL → the file must hold exactly one query */
  const char *params_json;  /* JSON object text; NULL/"" → no params */
  const char *actor;        /* NULL → none */
} og_mutate_opts;

typedef struct og_mutate_result {
  uint64_t affected_nodes;
  uint64_t affected_edges;
  char *query_name;           /* the query that ran (owned) */
  bool committed;             /* false when nothing changed */
  uint64_t manifest_version;  /* branch head after the mutation */
} og_mutate_result;

void og_mutate_result_dispose(og_mutate_result *r); /* NULL / zeroed ok */

/* Run a mutation query from `.gq` source. Parse/type errors carry line and
 * column; runtime errors name the statement ("statement 2 (insert Knows):
 * ..."). A concurrent change of a table this mutation updates or deletes
 * from is OG_ECONFLICT (HTTP 409) with JSON details naming the table. */
og_status og_db_mutate(struct og_db *db, const char *gq_src, size_t gq_len,
                       const og_mutate_opts *opts, og_mutate_result *out, og_error *err);

#ifdef __cplusplus
}
#endif
#endif
