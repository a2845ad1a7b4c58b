/*
 * omnigraph/maint.h — public API: maintenance and schema evolution
 * (optimize, cleanup, schema plan/apply against a graph). Included by
 * omnigraph.h; see its conventions. User documentation: docs/maintenance.md,
 * docs/schema-evolution.md.
 *
 * Every call that changes a graph commits through the same optimistic
 * protocol as any write: optimize commits content-preserving changes (a
 * concurrent writer rebases over them), schema apply commits the new schema
 * and every rewritten table in ONE manifest, cleanup commits nothing (it
 * deletes objects no retained version references).
 */
#ifndef OMNIGRAPH_MAINT_H
#define OMNIGRAPH_MAINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "og_status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct og_db;
struct og_schema_plan;

/*==================== optimize ====================*/

typedef struct og_optimize_db_opts {
  const char *branch;   /* NULL → main */
  const char *actor;    /* NULL → none */
} og_optimize_db_opts;

/* Compact every table of the branch head. *json_out (og_string_free):
 * {"uri","branch","manifest_version","tables":[{"table_key","fragments_removed",
 *  "fragments_added","fragments_before","fragments_after","rows","committed",
 *  "skipped"(null|token),"manifest_version"(null|n),"lance_head_version":null}]}.
 * Nothing to compact → no commit, every table committed:false. */
og_status og_db_optimize(struct og_db *db, const og_optimize_db_opts *opts, char **json_out,
                         og_error *err);

/*==================== schema plan / apply ====================*/

/* Plan from the accepted schema of `branch` (NULL → main) to `src`. */
og_status og_db_schema_plan(struct og_db *db, const char *branch, const char *src, size_t len,
                            bool allow_data_loss, struct og_schema_plan **out, og_error *err);

typedef struct og_schema_apply_opts {
  const char *branch;     /* NULL → main */
  bool allow_data_loss;   /* drops are hard: old versions of dropped data are purged */
  const char *actor;      /* NULL → none */
} og_schema_apply_opts;

typedef struct og_schema_apply_result {
  bool supported;
  bool applied;
  uint64_t manifest_version;  /* head after the apply (unchanged when not applied) */
  size_t step_count;
  char **step_text;           /* human lines ("add property 'x' to node 'T'") */
  char *steps_json;           /* JSON array of steps (same as schema plan) */
  char *warning;              /* hard-drop purge failure after the commit, or NULL */
} og_schema_apply_result;

/* Evolve the schema of a branch. Refusals write nothing:
 *  - bad schema source → OG_EPARSE with line:column;
 *  - unsupported plan → OG_EINVAL with the first unsupported step's message;
 *  - on main while other branches exist → OG_ECONFLICT "schema apply requires
 *    a graph with only main; found non-main branches: a, b" (apply to a
 *    branch with opts.branch instead: each branch keeps its own schema);
 *  - a concurrent write to a rewritten table or a concurrent apply →
 *    OG_ECONFLICT (409), nothing visible.
 * An unchanged schema → applied false. */
og_status og_db_schema_apply(struct og_db *db, const og_schema_apply_opts *opts, const char *src,
                             size_t len, og_schema_apply_result *out, og_error *err);
void og_schema_apply_result_dispose(og_schema_apply_result *r); /* NULL / zeroed ok */

/*==================== cleanup ====================*/

typedef struct og_cleanup_db_opts {
  bool keep_set;            /* retain the newest `keep` versions of every branch */
  uint64_t keep;
  bool older_than_set;      /* retain versions committed less than older_than_secs ago */
  uint64_t older_than_secs;
  bool grace_set;           /* unreferenced objects younger than this are kept; default 3600 */
  uint64_t grace_secs;
  bool dry_run;
} og_cleanup_db_opts;

/* Delete every table object no retained version of any live branch
 * references (and orphans older than the grace period). At least one of
 * keep / older_than is required (OG_EINVAL "cleanup requires at least one of
 * keep_versions or older_than"). *json_out: {"uri","keep_versions",
 * "older_than_secs","objects_removed","bytes_removed","orphans_removed",
 * "versions_released","tables":[{"table_key","bytes_removed",
 * "old_versions_removed","error"}]}. */
og_status og_db_cleanup(struct og_db *db, const og_cleanup_db_opts *opts, char **json_out,
                        og_error *err);

/* Parse `<int>[s|m|h|d|w]` (a bare integer is seconds) into seconds:
 * "duration is empty" / "unknown duration unit 'x'. Supported: s, m, h, d, w"
 * / "invalid duration '<s>'" (OG_EINVAL). */
og_status og_duration_parse(const char *s, uint64_t *secs_out, og_error *err);

/* Integrity check that honours cleanup's retention floors (versions below a
 * floor may have lost their table objects by design). Same report as
 * og_db_verify. */
og_status og_db_verify_retained(const char *uri, char **report_json, og_error *err);

#ifdef __cplusplus
}
#endif
#endif
