/*
 * omnigraph.h — the public C API of Omnigraph in C. The CLI and the HTTP
 * server use nothing else.
 *
 * Conventions:
 *  - Every fallible call returns an og_status (OG_OK = 0) and fills the
 *    caller's og_error (may be NULL) with code, message, line/column for
 *    input errors, and JSON details.
 *  - Out-params (`**out`) belong to the caller and are released with the
 *    matching *_free, which accepts NULL.
 *  - Strings returned by accessors are borrowed from their handle and live
 *    until that handle is freed.
 *  - Handles are not shared between threads unless stated.
 */
#ifndef OMNIGRAPH_H
#define OMNIGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "og_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "0.6.2" — the reference version whose surface this build implements. */
const char *og_version(void);

/*==================== schema tools (no graph needed) ====================*/

/* Parse and validate `.pg` source (parse + catalog rules). On success the
 * canonical schema hash ("sha256:<hex>") is copied to hash_out (may be NULL). */
og_status og_schema_check(const char *src, size_t len, char hash_out[80], og_error *err);

/* Canonical `.pg` rendering of a schema (caller frees *out with og_string_free). */
og_status og_schema_render(const char *src, size_t len, char **out, og_error *err);

/* A migration plan between two schema sources (spec languages §10.1). */
typedef struct og_schema_plan og_schema_plan;
og_status og_schema_plan_new(og_schema_plan **out, const char *from_src, size_t from_len,
                             const char *to_src, size_t to_len, bool allow_data_loss,
                             og_error *err);
bool og_schema_plan_supported(const og_schema_plan *p);
size_t og_schema_plan_step_count(const og_schema_plan *p);
/* Human line of step i (`add property 'nickname' to node 'Person'`, ...). */
const char *og_schema_plan_step_text(const og_schema_plan *p, size_t i);
/* JSON array of the steps, each tagged by "kind". */
const char *og_schema_plan_steps_json(const og_schema_plan *p);
void og_schema_plan_free(og_schema_plan *p);

/* Lint a query file against a schema (spec languages §9). The report
 * carries the QueryLintOutput JSON object and the human rendering.
 * schema_kind is "file" (schema_ref = its path) or "graph" (schema_ref = the
 * graph URI; schema_src = the graph's accepted schema, og_db_schema_source);
 * both are only echoed into the report. Fails only on a schema that does not
 * compile or OOM: query errors are lint findings. */
typedef struct og_lint_report og_lint_report;
og_status og_lint_run(og_lint_report **out, const char *schema_src, size_t schema_len,
                      const char *schema_kind, const char *schema_ref, const char *query_src,
                      size_t query_len, const char *query_path, og_error *err);
bool og_lint_has_errors(const og_lint_report *r);
const char *og_lint_json(const og_lint_report *r);
/* OK/ERROR/WARN/INFO lines and the closing summary line. */
const char *og_lint_text(const og_lint_report *r);
void og_lint_report_free(og_lint_report *r);

/*==================== graphs ====================*/

/* An open graph. A handle may be used from several threads. */
typedef struct og_db og_db;

enum {
  OG_DB_READ_ONLY = 1u << 0 /* refuse writes; never writes anything, not even recovery */
};

/* Create a graph at `uri` (a local directory path or file:// URI; the
 * directory is created) from `.pg` schema source: one empty table per node
 * and edge type and version 1 of branch main. OG_EEXISTS with "graph already
 * initialized at '<uri>'" when one exists. Schema errors carry line:column
 * and nothing is written. */
og_status og_db_init(og_db **out, const char *uri, const char *schema_src, size_t schema_len,
                     const char *actor, og_error *err);
/* Open an existing graph. OG_ENOTFOUND when there is none at `uri`. */
og_status og_db_open(og_db **out, const char *uri, unsigned flags, og_error *err);
void og_db_close(og_db *db);

/* SnapshotOutput of a branch head as JSON:
 * {"branch":..,"manifest_version":n,"tables":[{"table_key":..,"table_version":n,
 *  "table_branch":null,"row_count":n}]} (caller frees with og_string_free). */
og_status og_db_snapshot_json(og_db *db, const char *branch, char **json_out, og_error *err);
/* The accepted schema source of a branch head. */
og_status og_db_schema_source(og_db *db, const char *branch, char **src_out, og_error *err);

/* Branches. `from` NULL → main. Names: [A-Za-z0-9._/-], at most 200 chars. */
og_status og_db_branch_create(og_db *db, const char *name, const char *from, const char *actor,
                              og_error *err);
og_status og_db_branch_delete(og_db *db, const char *name, const char *actor, og_error *err);
/* {"branches":["main",...]} sorted, main included. */
og_status og_db_branch_list_json(og_db *db, char **json_out, og_error *err);

/* {"commits":[CommitOutput...]} of a branch, oldest first. CommitOutput =
 * {"graph_commit_id","manifest_branch","manifest_version","parent_commit_id",
 *  "merged_parent_commit_id","actor_id","created_at" (epoch µs),"operation"}. */
og_status og_db_commit_list_json(og_db *db, const char *branch, char **json_out, og_error *err);
og_status og_db_commit_show_json(og_db *db, const char *commit_id, char **json_out,
                                 og_error *err);

/* Integrity check of every branch and retained version (no handle needed;
 * never writes). *report_json (may be NULL) receives
 * {"ok":bool,"manifests":n,"descriptors":n,"problems":[...]}. OG_ECORRUPT
 * when anything is inconsistent. */
og_status og_db_verify(const char *uri, char **report_json, og_error *err);

void og_string_free(char *s);

#ifdef __cplusplus
}
#endif

#include "omnigraph/config.h"
#include "omnigraph/read.h"
#include "omnigraph/write.h"
#include "omnigraph/merge.h"
#include "omnigraph/maint.h"
#include "omnigraph/recovery.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
