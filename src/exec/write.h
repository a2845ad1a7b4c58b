/*
 * exec/write.h — the write path shared by mutations (this layer) and JSONL
 * loads (src/load): value ↔ column conversion, and the mutation executor.
 *
 * Invariants:
 *  - One mutation = one graph commit (operation "mutation") or none at all
 *    when it changed nothing. Statements run in order and each sees the
 *    previous ones' effects (docs/queries.md §5); nothing is staged before
 *    every statement and every constraint has passed.
 *  - Tables that only receive new rows are staged non-strict (they rebase
 *    onto a concurrent writer's rows); tables with updated or deleted rows
 *    are staged OG_GRAPH_STAGE_STRICT, so a concurrent content change is
 *    OG_ECONFLICT ("stale view — refresh and retry", details name the table).
 *  - Constraints are checked against the pinned head plus the mutation's
 *    own pending rows: enum/range/check per value, required properties,
 *    @unique (true composite keys) against live rows, edge endpoints against
 *    live nodes, @card per touched source over the resulting edge table.
 */
#ifndef OG_EXEC_WRITE_H
#define OG_EXEC_WRITE_H

#include "exec/exec.h"
#include "omnigraph.h"

/* Catalog of a snapshot's schema, borrowed for the duration of the write
 * (the api layer passes its per-handle cache). */
typedef og_status (*og_catalog_get_fn)(void *ctx, og_snapshot *snap, const og_catalog **out,
                                       og_error *err);

/* Resolves the catalog of `snap`: through `get` when non-NULL, otherwise
 * compiles the stored schema into *owned (free with og_catalog_free). */
og_status og_write_catalog(og_catalog_get_fn get, void *ctx, og_snapshot *snap,
                           const og_catalog **out, og_catalog **owned, og_error *err);

/*==================== values <-> columns ====================*/

/* Append a converted value (og_value_convert output, or NULL) to a column of
 * the matching physical type (exec.h mapping). */
og_status og_write_push_value(og_column *c, const og_value *v, og_error *err);
/* Read row `row` of a column as an og_value (memory from `a`). */
og_status og_write_get_value(const og_column *c, size_t row, og_arena *a, og_value *out,
                             og_error *err);
/* Text used for identity comparisons (ids, unique keys): strings raw, the
 * rest via og_value_text. Appends to `out`. */
og_status og_write_value_key(const og_value *v, og_buf *out);

/* Index into the type's constraint list of unique constraints: the column
 * sets of every @key and @unique, each deduplicated (a composite constraint is
 * one key). Edge constraints may name "src"/"dst". */
typedef struct og_unique_set {
  const char *const *cols;
  size_t ncols;
  int table_cols[8]; /* physical column index of each (ncols <= 8) */
  bool is_key;
} og_unique_set;
/* Fills at most `cap` sets; returns the count. Sets naming an unknown column
 * or with more than 8 columns are skipped. */
size_t og_write_unique_sets(const og_type *t, const og_table_schema *s, og_unique_set *out,
                            size_t cap);

/*==================== mutations ====================*/

typedef struct og_mutate_req {
  og_graph *graph;
  og_catalog_get_fn catalog;     /* NULL → compile the stored schema */
  void *catalog_ctx;
  const char *branch;            /* NULL → main */
  const char *source;            /* .gq text */
  size_t source_len;
  const char *query_name;        /* NULL → the single query of the file */
  const char *params_json;       /* NULL/empty → no params */
  size_t params_len;
  const char *actor;             /* NULL → none */
  uint64_t now_ms;               /* 0 → the clock */
  /* Test hook: called after staging, right before the graph commit (lets a
   * test commit a concurrent write in between). NULL in production. */
  void (*before_commit)(void *ctx);
  void *hook_ctx;
} og_mutate_req;

/* Parse, type-check, lower, bind and execute; commit once. out->query_name is
 * owned (og_mutate_result_dispose). */
og_status og_exec_mutate(const og_mutate_req *req, og_mutate_result *out, og_error *err);

#endif
