/*
 * maint — graph maintenance over the commit protocol (DESIGN.md §3.3, §3.5;
 * user documentation: docs/maintenance.md).
 *
 *  optimize  compacts every table of a branch head (og_table_compact) and
 *            commits each compacted table as its own content-preserving
 *            change (operation "optimize"). Because content_version does not
 *            move, a concurrent writer that pinned the older version rebases
 *            over it (benign drift, G5) instead of conflicting. Optimize
 *            itself loses to a concurrent row change of the same table and
 *            simply recompacts from the new head (bounded attempts).
 *  cleanup   deletes table objects ("t/...") that no retained version of any
 *            live branch references: objects only referenced by versions
 *            below the new retention floors, by deleted branch incarnations,
 *            and orphans of failed or lost writes (unreferenced objects whose
 *            ULID is older than a grace period, so an in-flight writer's fresh
 *            objects are never touched). Manifests, branch records, head
 *            hints and schema objects are never deleted: the log stays
 *            contiguous from version 1 (G2) and history stays listable.
 *
 * Retention floors. Before deleting anything, cleanup records per branch
 * incarnation a sealed object
 *     floor/<enc>@<gen>  {"format":1,"kind":"retention_floor","branch":b,
 *                         "generation":g,"version":k,"tables":{"node:X":k2}}
 * meaning: table entries of versions < k (and entries of table "node:X" in
 * versions < k2) may reference deleted table objects; their manifests still
 * exist and stay valid. A floor only ever rises (deleted incarnations get
 * head+1: nothing of them is retained). Readers of such versions get
 * OG_ENOTFOUND from the table layer; og_graph_verify must skip the table
 * checks of released entries — og_graph_verify_retained does exactly that
 * until verify.c integrates floors.
 *
 * Invariants:
 *  M1 cleanup never deletes an object referenced by a table entry of a
 *     retained version (version >= floor, and >= the table's floor) of any
 *     incarnation, nor an unreferenced object younger than the grace period
 *     or than any write intent ("intents/<ULID>", DESIGN.md §3.4).
 *  M2 floors are written (put) before the first delete; deletes remove data
 *     objects before descriptors, so a crash at any point leaves a state a
 *     rerun finishes.
 *  M3 optimize never changes live rows or row ids, and a head with nothing
 *     to compact produces no commit.
 */
#ifndef OG_GRAPH_MAINT_H
#define OG_GRAPH_MAINT_H

#include "graph/graph.h"

#define OG_MAINT_FLOOR_PREFIX "floor/"
#define OG_MAINT_DEFAULT_GRACE_MS (3600ull * 1000ull)

/*==================== optimize ====================*/

typedef struct og_optimize_opts {
  const char *branch;         /* NULL → main */
  og_compact_opts compact;    /* zeros → table-layer defaults */
  const char *actor;          /* NULL → "" */
  unsigned max_attempts;      /* per table against concurrent row changes; 0 → 8 */
} og_optimize_opts;

typedef struct og_optimize_stat {
  char *table_key;
  uint64_t fragments_before, fragments_after;
  uint64_t fragments_removed, fragments_added;
  uint64_t rows;              /* live rows (unchanged by optimize) */
  bool committed;
  const char *skipped;        /* NULL, or a static token ("concurrent_writes") */
  uint64_t manifest_version;  /* the version that committed it, 0 when not committed */
  uint64_t table_version;     /* table version after the run */
} og_optimize_stat;

typedef struct og_optimize_result {
  og_optimize_stat *tables;   /* sorted by table key */
  size_t count;
  uint64_t manifest_version;  /* branch head after the run */
} og_optimize_result;

og_status og_graph_optimize(og_graph *g, const og_optimize_opts *opts, og_optimize_result *out,
                            og_error *err);
void og_optimize_result_dispose(og_optimize_result *r); /* NULL / zeroed ok */

/*==================== cleanup ====================*/

typedef struct og_cleanup_opts {
  bool keep_set;              /* retain the newest `keep` versions of every live branch */
  uint64_t keep;              /* >= 1 */
  bool older_than_set;        /* retain versions committed less than this long ago */
  uint64_t older_than_ms;
  bool grace_set;             /* orphan grace period; default OG_MAINT_DEFAULT_GRACE_MS */
  uint64_t grace_ms;
  bool dry_run;               /* compute everything, write and delete nothing */
  uint64_t now_ms;            /* 0 → the clock (tests pass a fixed time) */
} og_cleanup_opts;

typedef struct og_cleanup_stat {
  char *table_key;
  uint64_t objects_removed;
  uint64_t bytes_removed;
  uint64_t old_versions_removed; /* table-version descriptors deleted */
  char *error;                /* first delete error of this table, NULL when none */
} og_cleanup_stat;

typedef struct og_cleanup_result {
  og_cleanup_stat *tables;    /* sorted by table key (tables of every incarnation) */
  size_t count;
  uint64_t objects_removed, bytes_removed;
  uint64_t orphans_removed;   /* unreferenced objects (included in the totals) */
  uint64_t versions_released; /* manifest versions newly below a floor */
  uint64_t manifests;         /* manifests examined */
  uint64_t errors;            /* objects that could not be deleted */
} og_cleanup_result;

/* Without keep_set and older_than_set no floor is raised: only existing
 * floors (e.g. table floors of a hard schema drop), deleted incarnations and
 * orphans are acted on. */
og_status og_graph_cleanup(og_store *st, const og_cleanup_opts *opts, og_cleanup_result *out,
                           og_error *err);
void og_cleanup_result_dispose(og_cleanup_result *r); /* NULL / zeroed ok */

/* Raise the floor of table `table_key` on the live incarnation of `branch`
 * to `version` (hard drops: entries of that table in versions < version are
 * released). */
og_status og_graph_floor_table(og_store *st, const char *branch, const char *table_key,
                               uint64_t version, og_error *err);

/* Current floor of a branch's live incarnation (1 when none). */
og_status og_graph_floor_get(og_store *st, const char *branch, uint64_t *version_out,
                             og_error *err);

/* The retention floors of incarnation (branch, gen), read with one list of
 * floor/<enc>@<gen>/: *floor_out = its version floor (versions below it were
 * released by cleanup), and when table_key is given *table_floor_out = that
 * table's floor (its entries below it were released); 1 when none. Used by
 * og_graph_snapshot to refuse a released version. */
og_status og_graph_floors_of(og_store *st, const char *branch, uint64_t gen,
                             const char *table_key, uint64_t *floor_out,
                             uint64_t *table_floor_out, og_error *err);

/* og_graph_verify that honours retention floors: problems that only concern
 * released table entries (their descriptors or objects were cleaned) are
 * dropped from the report; everything else is reported as by
 * og_graph_verify. Same report format and return codes. */
og_status og_graph_verify_retained(og_store *st, og_buf *report, og_error *err);

#endif
