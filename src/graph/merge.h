/*
 * graph/merge.h — row-level change detection between two table versions,
 * the merge base of two commits, and the three-way branch merge
 * (DESIGN.md §3.6; user documentation: docs/branches.md).
 *
 * Invariants:
 *  M1 Change detection never scans a table: it compares the two versions'
 *     descriptors. Fragments listed by both with the same deletion vector are
 *     skipped; only rows of fragments present on one side only, and rows
 *     whose deletion bit differs, are read. Cost is proportional to the
 *     changed fragments and deletion vectors, not to the table.
 *  M2 Row identity is the key column (`id`); a table without one falls back
 *     to the row id. A row rewritten with identical values (compaction, an
 *     update that nets to zero, delete + re-insert of the same values) is no
 *     change.
 *  M3 A merge writes nothing unless it commits: every conflict (row-level or
 *     found by validation of the merged result) is collected and returned
 *     together, with OG_ECONFLICT, before the first object is written
 *     (validation reads the target's tables plus the in-memory changes).
 *  M4 A merge is ONE commit on the target with two parents (first = the
 *     target head it was computed against, second = the source head). It is
 *     computed against a pinned target head and committed with the optimistic
 *     protocol; a writer that commits on the target first makes the merge
 *     recompute from the new head (bounded), never lose that write.
 *  M5 Tables changed on one side only take that side's descriptor (no rows
 *     are written); tables changed on both sides get one new version derived
 *     from the target's, holding only the rows the source contributes.
 */
#ifndef OG_GRAPH_MERGE_H
#define OG_GRAPH_MERGE_H

#include <jansson.h>

#include "graph/graph.h"

#define OG_MERGE_ABSENT SIZE_MAX

/*==================== row deltas ====================*/

typedef struct og_delta_entry {
  const char *id;        /* identity (key column value or row id text); arena */
  size_t id_len;
  size_t base_row;       /* row in base_rows, or OG_MERGE_ABSENT (inserted) */
  size_t side_row;       /* row in side_rows, or OG_MERGE_ABSENT (deleted) */
} og_delta_entry;

typedef struct og_table_delta {
  const og_table_schema *schema; /* borrowed from `side` (or `base`): side_rows' layout */
  const og_table_schema *base_schema; /* base_rows' layout (== schema unless a
                                         schema change altered the table) */
  int *base_col;                 /* per column of `schema`: its column in base_rows
                                    (matched by name and type), or -1 */
  og_table *base, *side;         /* references (either may be NULL) */
  og_batch base_rows;            /* every column; rowids filled */
  og_batch side_rows;
  OG_VEC(og_delta_entry) entries; /* changed rows only, in discovery order */
  og_map by_id;                   /* id -> entry index + 1 */
  OG_VEC(og_delta_entry) same;    /* rows rewritten with equal values (both rows set) */
  og_map same_by_id;
  og_arena arena;
  uint64_t rows_read;             /* rows fetched (base + side): the cost */
} og_table_delta;

/* Changes from `base` to `side` (either may be NULL: absent table). The
 * versions may have different columns (a schema change in between): columns
 * are matched by name and type, a row is unchanged when every column of the
 * side equals the base's (absent = null). */
og_status og_table_delta_compute(og_table *base, og_table *side, og_table_delta *out,
                                 og_error *err);
void og_table_delta_dispose(og_table_delta *d);
/* Entry of an id, or NULL. */
const og_delta_entry *og_table_delta_find(const og_table_delta *d, const char *id, size_t len);
/* Entry of an id among the unchanged rewrites, or NULL. An id in neither
 * list whose base row is live in `base` is live in `side` under the same
 * row id, in the same fragment (M1). */
const og_delta_entry *og_table_delta_find_same(const og_table_delta *d, const char *id,
                                               size_t len);

/* Cell / row equality of batches with the same column layout. */
bool og_merge_cell_eq(const og_column *a, size_t ra, const og_column *b, size_t rb);
bool og_merge_row_eq(const og_batch *a, size_t ra, const og_batch *b, size_t rb);
/* Is column c (of d->schema) equal between base row rb and side row rs? A
 * column the base lacks compares as null. */
bool og_table_delta_col_eq(const og_table_delta *d, size_t c, size_t rb, size_t rs);
/* Base cell of column c (of d->schema) as JSON (null when the base lacks it). */
json_t *og_table_delta_base_cell_json(const og_table_delta *d, size_t c, size_t rb);
/* One cell / row as JSON (dates ISO, datetimes RFC 3339, blobs base64). */
json_t *og_merge_cell_json(const og_column *c, size_t row);
json_t *og_merge_row_json(const og_table_schema *s, const og_batch *b, size_t row);
/* Append row `row` of `src` (same layout) to `dst`. */
og_status og_merge_batch_push(og_batch *dst, const og_batch *src, size_t row, og_error *err);

/*==================== merge base ====================*/

/* The best common ancestor of the commits of manifests a and b, walking
 * parents newest first (by commit time): the first commit reached from both
 * sides; commits below it are not visited. Cost: one manifest read per
 * commit made on either side since the fork. *out = a new manifest, or
 * OG_ENOTFOUND "branches have no common ancestor". */
og_status og_graph_merge_base(og_graph *g, const og_manifest *a, const og_manifest *b,
                              og_manifest **out, og_error *err);

/* The same as a snapshot (for diffs from the merge base). */
og_status og_graph_merge_base_snapshot(og_graph *g, og_snapshot *a, og_snapshot *b,
                                       og_snapshot **out, og_error *err);

/*==================== conflicts ====================*/

typedef struct og_merge_conflict {
  char *kind;       /* divergent_insert | divergent_update | delete_vs_update |
                       orphan_edge | unique_violation | cardinality_violation |
                       value_constraint_violation */
  char *table_key;
  char *id;         /* NULL when the conflict is not about one row */
  char *message;
  json_t *values;   /* {"base":..,"ours":..,"theirs":..} or NULL (owned) */
} og_merge_conflict;

typedef struct og_merge_conflicts {
  OG_VEC(og_merge_conflict) v;
} og_merge_conflicts;

/* Takes ownership of `values` (even on failure). */
og_status og_merge_conflict_add(og_merge_conflicts *c, const char *kind, const char *table_key,
                                const char *id, size_t id_len, json_t *values, const char *fmt,
                                ...) __attribute__((format(printf, 7, 8)));
void og_merge_conflicts_dispose(og_merge_conflicts *c);
/* JSON array of {table_key,row_id,kind,message[,base,ours,theirs]}. */
json_t *og_merge_conflicts_json(const og_merge_conflicts *c);
/* Fill err: OG_ECONFLICT "merge conflicts: <t>:<row> (<kind>); … and N more"
 * with details {"count":n,"conflicts":[as many as fit]}. */
og_status og_merge_conflicts_error(const og_merge_conflicts *c, og_error *err);

/*==================== merge ====================*/

enum { OG_MERGE_SIDE_SOURCE = 1, OG_MERGE_SIDE_TARGET = 2, OG_MERGE_ROW_REMOVED = 4,
       OG_MERGE_ROW_COMBINED = 8 };

/* One table of the merged result, for validation, before anything is
 * written: the merged table is the target's version with the view's rows
 * replacing theirs. `rows` holds the merged values of every row either side
 * changed, except rows in conflict (flags: which side; REMOVED rows are not
 * in the result and carry their base values; COMBINED rows mix properties
 * of both sides). An id not among `rows` has the target's value (neither
 * side changed it, or it is in conflict). Unchanged tables have no rows. */
typedef struct og_merge_view {
  const char *table_key;
  og_table *target;              /* the target's version (borrowed; NULL if absent) */
  const og_batch *rows;
  const unsigned char *flags;
  size_t nrows;
} og_merge_view;

/* Validate the merged result; append conflicts (cost should follow nrows). */
typedef og_status (*og_merge_validate_fn)(void *ctx, og_snapshot *target,
                                          const og_merge_view *views, size_t nviews,
                                          og_merge_conflicts *out, og_error *err);

typedef enum og_merge_outcome_kind {
  OG_GMERGE_UP_TO_DATE = 0,
  OG_GMERGE_FAST_FORWARD = 1,
  OG_GMERGE_MERGED = 2
} og_merge_outcome_kind;

typedef struct og_graph_merge_opts {
  const char *actor;
  const char *message;
  og_merge_validate_fn validate; /* NULL → none */
  void *validate_ctx;
} og_graph_merge_opts;

typedef struct og_graph_merge_result {
  og_merge_outcome_kind outcome;
  og_merge_conflicts conflicts;  /* filled on OG_ECONFLICT from conflicts */
  char commit_id[32];            /* "" when up to date */
  uint64_t version;              /* target head after */
  size_t tables_adopted, tables_merged;
  uint64_t rows_read, rows_written;
  unsigned attempts;
} og_graph_merge_result;
void og_graph_merge_result_dispose(og_graph_merge_result *r);

/* Merge branch `source` into branch `target` (M1–M5). Errors: same names →
 * OG_EINVAL "branch_merge requires distinct source and target branches";
 * unknown branch → OG_ENOTFOUND; different schemas that are not a
 * fast-forward → OG_EUNSUPPORTED; conflicts → OG_ECONFLICT (out->conflicts). */
og_status og_graph_merge(og_graph *g, const char *source, const char *target,
                         const og_graph_merge_opts *opts, og_graph_merge_result *out,
                         og_error *err);

#endif
