/*
 * omnigraph/read.h — public API: the read side (queries, results, export).
 * Included by omnigraph.h; see its conventions.
 *
 * A query reads one pinned snapshot (a branch head at the time of the call,
 * or a past commit): later commits never change its result.
 */
#ifndef OMNIGRAPH_READ_H
#define OMNIGRAPH_READ_H

#ifdef __cplusplus
extern "C" {
#endif

/*==================== queries ====================*/

typedef struct og_query_opts {
  const char *name;        /* query to run; NULL → the single query of the source */
  const char *params_json; /* JSON object text, NULL/"" = none */
  const char *branch;      /* NULL → "main" (ignored when snapshot is set) */
  const char *snapshot;    /* a graph_commit_id, or "manifest:<branch>:v<n>"; NULL → branch head */
} og_query_opts;

/* A read result. Strings returned by accessors live until og_result_free. */
typedef struct og_result og_result;

/* Parse `.gq` source, select the query (spec surface §2.1: "query 'x' not
 * found", "query file contains multiple queries; pass --name"), type-check
 * it as a read, bind params ("params JSON must be an object", "parameter 'x'
 * not provided", §7 messages), and run it. Search functions (nearest, bm25,
 * rrf, search, fuzzy, match_text) are OG_EUNSUPPORTED in this build. */
og_status og_db_query(og_db *db, const char *source, size_t len, const og_query_opts *opts,
                      og_result **out, og_error *err);
void og_result_free(og_result *r);

const char *og_result_query_name(const og_result *r);
/* Target: exactly one of these is non-NULL. */
const char *og_result_branch(const og_result *r);
const char *og_result_snapshot(const og_result *r);

size_t og_result_column_count(const og_result *r);
const char *og_result_column_name(const og_result *r, size_t col);
size_t og_result_row_count(const og_result *r);

typedef enum og_value_kind {
  OG_VALUE_NULL = 0, OG_VALUE_BOOL, OG_VALUE_INT, OG_VALUE_UINT, OG_VALUE_FLOAT,
  OG_VALUE_STRING, OG_VALUE_DATE, OG_VALUE_DATETIME, OG_VALUE_LIST
} og_value_kind;

/* Typed cell access (row < row_count, col < column_count). INT also holds
 * DATE (days since 1970-01-01) and DATETIME (ms since the epoch, UTC). */
og_value_kind og_result_kind(const og_result *r, size_t row, size_t col);
bool og_result_bool(const og_result *r, size_t row, size_t col);
int64_t og_result_int(const og_result *r, size_t row, size_t col);
uint64_t og_result_uint(const og_result *r, size_t row, size_t col);
double og_result_float(const og_result *r, size_t row, size_t col);
/* STRING cells (NUL-terminated; len_out may be NULL); NULL for other kinds. */
const char *og_result_string(const og_result *r, size_t row, size_t col, size_t *len_out);
/* Any cell as query-result JSON (spec languages §8.1): caller frees with og_string_free. */
char *og_result_cell_json(const og_result *r, size_t row, size_t col);

/* Renderings (spec surface §2.4). */
typedef enum og_result_format {
  OG_FORMAT_JSON = 0,  /* ReadOutput, pretty-printed (2-space indent) */
  OG_FORMAT_JSONL,     /* metadata line, then one compact row per line */
  OG_FORMAT_CSV,
  OG_FORMAT_KV,
  OG_FORMAT_TABLE,
  OG_FORMAT_JSON_COMPACT /* ReadOutput on one line (HTTP bodies) */
} og_result_format;
/* "json" | "jsonl" | "csv" | "kv" | "table" → format; false when unknown. */
bool og_result_format_parse(const char *name, og_result_format *out);

typedef struct og_render_opts {
  size_t max_column_width; /* table: default 80, minimum 8 */
  bool wrap;               /* table: wrap overlong cells instead of truncating with … */
} og_render_opts;

/* Render the result; *out is NUL-terminated and ends with a newline
 * (caller frees with og_string_free). opts may be NULL. */
og_status og_result_render(const og_result *r, og_result_format fmt, const og_render_opts *opts,
                           char **out, og_error *err);

/*==================== export ====================*/

/* Receives NDJSON bytes in order; a non-OK return aborts the export. */
typedef og_status (*og_write_fn)(void *ctx, const char *data, size_t len, og_error *err);

/* NDJSON export of a branch head (spec data.md §6): edge tables then node
 * tables (table keys in byte order), rows by id. `types` select node:T and/or
 * edge:T ("unknown export type 'T'"), `tables` select table keys ("unknown
 * export table 'K'"); none → everything. */
og_status og_db_export(og_db *db, const char *branch, const char *const *types, size_t ntypes,
                       const char *const *tables, size_t ntables, og_write_fn fn, void *ctx,
                       og_error *err);

/* Topology-cache counters of a handle (tests and diagnostics): adjacency
 * made on a miss (csr_builds; of those, csr_loads were read from the
 * topology a large load persisted instead of built from the edge table),
 * found in the cache (csr_hits), and the same for node indexes. */
typedef struct og_read_stats {
  uint64_t csr_builds, csr_hits, nodeidx_builds, nodeidx_hits;
  uint64_t csr_loads;
} og_read_stats;
void og_db_read_stats(og_db *db, og_read_stats *out);

#ifdef __cplusplus
}
#endif
#endif
