/*
 * omnigraph/merge.h — public API: branch merge and diff (change feed).
 * Included by omnigraph.h; see its conventions. User documentation:
 * docs/branches.md.
 *
 * Merge is three-way by row identity (the `id` key) against the common
 * ancestor of the two branch heads in the commit DAG. Its cost follows the
 * size of the changes since that ancestor, not the size of the tables.
 */
#ifndef OMNIGRAPH_MERGE_H
#define OMNIGRAPH_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "og_status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct og_db;

typedef enum og_merge_outcome {
  OG_MERGE_ALREADY_UP_TO_DATE = 0, /* nothing written, no commit */
  OG_MERGE_FAST_FORWARD = 1,       /* target head was the common ancestor */
  OG_MERGE_MERGED = 2              /* three-way merge commit */
} og_merge_outcome;

/* "already_up_to_date" | "fast_forward" | "merged". */
const char *og_merge_outcome_name(og_merge_outcome o);

typedef struct og_merge_result {
  og_merge_outcome outcome;
  char commit_id[32];         /* the merge commit; "" when already up to date */
  uint64_t manifest_version;  /* target head after the merge */
  /* On OG_ECONFLICT: every conflict, as a JSON array of
   * {"table_key","row_id"(string|null),"kind","message"[,"base","ours","theirs"]}
   * where kind is divergent_insert | divergent_update | delete_vs_update |
   * orphan_edge | unique_violation | cardinality_violation |
   * value_constraint_violation and base/ours/theirs are the row's values
   * (null = absent). NULL otherwise. */
  char *conflicts_json;
  size_t nconflicts;
  /* cost accounting */
  size_t tables_adopted;      /* tables that took the source's version as is */
  size_t tables_merged;       /* tables that got a new row-merged version */
  uint64_t rows_read, rows_written;
} og_merge_result;

void og_merge_result_dispose(og_merge_result *r); /* NULL / zeroed ok */

/* Merge branch `source` into branch `target` (NULL → main) as ONE commit
 * with two parents on the target. Errors: source == target → OG_EINVAL
 * "branch_merge requires distinct source and target branches"; unknown
 * branch → OG_ENOTFOUND "branch '<b>' not found"; conflicts → OG_ECONFLICT
 * "merge conflicts: <table>:<id> (<kind>); …" with err->details
 * {"count":n,"conflicts":[…as many as fit…]} and out->conflicts_json
 * holding all of them — nothing is written. Schemas that differ when the
 * merge is not a fast-forward → OG_EUNSUPPORTED. A concurrent writer on the
 * target makes the merge recompute against the new head (never a lost write;
 * OG_ECONFLICT/OG_EBUSY after repeated losses). */
og_status og_db_branch_merge(struct og_db *db, const char *source, const char *target,
                             const char *actor, og_merge_result *out, og_error *err);

/* Entity-level changes between two graph versions, as JSON:
 * {"from":{"commit_id","branch","version"},"to":{…},"from_version","to_version",
 *  "branch" (to's),
 *  "changes":[{"table_key","kind":"node"|"edge","type_name","id",
 *              "op":"insert"|"update"|"delete","manifest_version" (to's),
 *              "endpoints":{"src","dst"}            (edges),
 *              "values":{…}                          (insert: new, delete: old),
 *              "fields":{"<prop>":{"old":…,"new":…}} (update)}],
 *  "stats":{"inserts","updates","deletes","types_affected":[sorted],"rows_read"}}
 * `from`/`to` are commit ids, branch names (head) or "branch@version".
 * `type_name` (NULL = all) restricts to one node or edge type. Tables whose
 * versions share fragments are compared by their differing fragments and
 * deletion vectors only: cost follows the changes. */
og_status og_db_diff_json(struct og_db *db, const char *from, const char *to,
                          const char *type_name, char **json_out, og_error *err);
/* The same from the common ancestor of `from` and `to` (their merge base)
 * to `to`: what `to` changed since it diverged — what merging `to` into
 * `from` would bring ("from" in the output is the merge base). */
og_status og_db_diff_from_base_json(struct og_db *db, const char *from, const char *to,
                                    const char *type_name, char **json_out, og_error *err);

#ifdef __cplusplus
}
#endif
#endif
