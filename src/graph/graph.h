/*
 * graph — the graph commit log (DESIGN.md §3.2, §3.3, §3.6). Byte formats and
 * key layout: docs/format-graph.md; the protocol step by step:
 * docs/architecture.md.
 *
 * Model. A graph is a set of branches. Each branch incarnation has a log of
 * immutable *graph manifests* numbered 1, 2, 3, ... A manifest names the
 * schema object and, for every table, the table-version descriptor (table.h)
 * that is visible at that version, plus one commit record. Manifest n+1 of a
 * branch is created with og_store_put_if_absent: that single create is the
 * commit point of every write (data load, mutation, optimize, schema apply,
 * merge, branch create, branch delete). The table layer never commits.
 *
 * Invariants:
 *  G1 A manifest, once created, is never modified. A commit is visible iff its
 *     manifest object exists; before the put nothing of the write is visible,
 *     after it all of it is.
 *  G2 The versions of a branch incarnation are contiguous from 1 to its head,
 *     and manifests are never deleted (cleanup releases table objects of old
 *     versions, never the log): the head lookup relies on it.
 *  G3 Finding a head never lists the log: a head hint ("head/<branch>") is
 *     read, then the log is probed forward with head() until a version is
 *     absent. The hint is never trusted beyond a probe; open and head lookup
 *     cost the same number of store operations at any history depth. A
 *     handle remembers the newest head it has seen per branch, so a warm
 *     lookup is one probe of the next version (which any later commit,
 *     delete or re-creation creates), and keeps recently used table versions
 *     open (descriptors are immutable), so a warm read opens nothing.
 *  G4 table_version of a table entry increases by one on every change of the
 *     table on a branch; content_version increases only when the live rows
 *     change (not on compaction or index builds).
 *  G5 A writer pins head n. If another writer committed first, each table the
 *     write touched is checked: content changed since the pin → OG_ECONFLICT
 *     for strict tables (rebased by re-appending for non-strict ones, whose
 *     new keys are then checked against the new head);
 *     content-preserving drift → og_table_rebase; untouched tables → take
 *     theirs. Retries are bounded (OG_EBUSY after OG_GRAPH_MAX_RETRIES).
 *  G6 "main" exists from init and can never be deleted. Deleting a branch is
 *     one put_if_absent of a final "deleted" manifest on its log; a deleted
 *     name may be created again as a new incarnation (generation + 1).
 *  G7 og_snapshot objects are immutable and refcounted; later commits never
 *     change what a snapshot returns. They may be shared between threads.
 *  G8 An og_graph handle may be used from several threads; writers of one
 *     (graph handle, branch) are serialized by an in-process mutex so they do
 *     not waste optimistic retries on each other.
 *
 * API changes after first publication are noted here:
 *  - og_commit_info.intent; write intents and recovery (section at the end);
 *    og_graph_verify reports leftover intents and orphan objects as warnings.
 */
#ifndef OG_GRAPH_H
#define OG_GRAPH_H

#include "store/store.h"
#include "table/table.h"

#define OG_GRAPH_FORMAT 1
#define OG_GRAPH_MAX_RETRIES 32
#define OG_GRAPH_BRANCH_NAME_MAX 200
#define OG_GRAPH_MAIN "main"

/*==================== manifest (read-only view) ====================*/

typedef struct og_table_entry {
  char *table_key;          /* "node:Person", "edge:Knows" */
  uint64_t table_version;   /* +1 on every change of this table on this branch */
  char *descriptor;         /* store key of the table-version descriptor */
  uint64_t row_count;       /* live rows in that version */
  uint64_t content_version; /* +1 only when rows change */
} og_table_entry;

/* A reference to one commit: enough to find its manifest without an index:
 * key = log/<branch>@<generation>/<version>. */
typedef struct og_commit_ref {
  char *commit_id;          /* ULID */
  char *branch;
  uint64_t generation;
  uint64_t version;
} og_commit_ref;

typedef struct og_commit_info {
  char *commit_id;          /* ULID */
  og_commit_ref parents[2]; /* first parent, then the merged parent */
  size_t nparents;          /* 0 (init), 1, or 2 (merge) */
  char *actor;              /* "" when none */
  uint64_t time_ms;
  char *operation;          /* "init", "load", "mutation", "merge", ... */
  char *message;            /* NULL when none */
  char *intent;             /* ULID of the write intent that made this commit, NULL when none */
} og_commit_info;

typedef struct og_manifest {
  uint32_t format;
  char *branch;
  uint64_t generation;      /* incarnation of the branch name (1 for main) */
  uint64_t version;
  bool deleted;             /* the final manifest of a deleted branch */
  char *schema_key;         /* "schema/<sha256>" */
  char *schema_sha256;      /* 64 lowercase hex */
  og_table_entry *tables;   /* sorted by table_key, unique */
  size_t ntables;
  og_commit_info commit;
  char *key;                /* the log key this manifest was read from / written to */
} og_manifest;

/* Entry by table key (binary search), or NULL. */
const og_table_entry *og_manifest_find(const og_manifest *m, const char *table_key);

/*==================== graph handle ====================*/

typedef struct og_graph og_graph;
typedef struct og_snapshot og_snapshot;

enum { OG_GRAPH_READ_ONLY = 1u << 0 };

typedef struct og_graph_table_spec {
  const char *table_key;              /* "node:<Type>" / "edge:<Type>" */
  const og_table_schema *schema;
} og_graph_table_spec;

typedef struct og_graph_init_opts {
  const void *schema;       /* opaque schema blob (the lang layer's canonical text) */
  size_t schema_len;
  const og_graph_table_spec *tables;
  size_t ntables;
  const char *actor;        /* NULL → "" */
  const char *message;      /* NULL → none */
} og_graph_init_opts;

/* Create a graph in an empty store: the schema object, one empty table per
 * spec, and version 1 of "main" (operation "init"). OG_EEXISTS if the store
 * already holds a graph (also when a concurrent init won). */
og_status og_graph_init(og_store *st, const og_graph_init_opts *opts, og_graph **out,
                        og_error *err);
/* Open an existing graph (reads main's head: constant cost in history depth).
 * OG_ENOTFOUND when the store holds no graph. A read-only handle refuses
 * writes and branch changes with OG_EPERM. */
og_status og_graph_open(og_store *st, unsigned flags, og_graph **out, og_error *err);
void og_graph_free(og_graph *g); /* NULL ok */
og_store *og_graph_store(og_graph *g); /* borrowed */

/* Branch name rules: non-empty, at most 200 chars of [A-Za-z0-9._/-], no
 * leading or trailing '/', no "//", no "..", no "." segment. */
bool og_graph_branch_name_valid(const char *name);

/*==================== snapshots, time travel, history ====================*/

/* version 0 = the head (fresh lookup, never cached). A past version of a
 * live branch is read directly (one list of its retention floors, one get).
 * OG_ENOTFOUND for an unknown or deleted branch, a version beyond the head,
 * or a version cleanup released ("... was released by cleanup (retention
 * floor f)", details {"branch","version","retention_floor"}; also for
 * og_graph_snapshot_commit). */
og_status og_graph_snapshot(og_graph *g, const char *branch, uint64_t version,
                            og_snapshot **out, og_error *err);
/* Snapshot of the commit with this id (scans the logs: not a hot path). */
og_status og_graph_snapshot_commit(og_graph *g, const char *commit_id, og_snapshot **out,
                                   og_error *err);
og_snapshot *og_snapshot_ref(og_snapshot *s);
void og_snapshot_free(og_snapshot *s); /* drops one reference; NULL ok */
const og_manifest *og_snapshot_manifest(const og_snapshot *s);
uint64_t og_snapshot_version(const og_snapshot *s);
const char *og_snapshot_branch(const og_snapshot *s);
/* The table version visible in this snapshot, opened on first use and
 * cached; *out is a new reference. OG_ENOTFOUND for an unknown table key. */
og_status og_snapshot_table(og_snapshot *s, const char *table_key, og_table **out,
                            og_error *err);
/* The schema blob (read and checked against its sha256). Appends to *out. */
og_status og_snapshot_schema(og_snapshot *s, og_buf *out, og_error *err);

/* Head version of a branch (fresh lookup). */
og_status og_graph_head(og_graph *g, const char *branch, uint64_t *version_out, og_error *err);

/* History: commits reachable from the head of `branch` by first parents
 * (crossing into the source branch at a branch's version 1), newest first,
 * at most `limit` (0 = all). */
typedef struct og_commit_list {
  og_manifest **items;      /* each owned; the commit is items[i]->commit */
  size_t count;
} og_commit_list;
og_status og_graph_log(og_graph *g, const char *branch, size_t limit, og_commit_list *out,
                       og_error *err);
void og_commit_list_dispose(og_commit_list *l);
/* The manifest of the commit with this id (scans every log). */
og_status og_graph_show_commit(og_graph *g, const char *commit_id, og_manifest **out,
                               og_error *err);
void og_manifest_free(og_manifest *m); /* NULL ok */

/*==================== branches ====================*/

/* Create `name` from `source` at `version` (0 = head). Writes a branch
 * record and version 1 of the new branch (operation "branch_create", parent =
 * the source commit) pointing at the source's table descriptors: no table
 * data is read or copied. OG_EEXISTS when the name is live, OG_EINVAL for a
 * bad name. */
og_status og_graph_branch_create(og_graph *g, const char *name, const char *source,
                                 uint64_t version, const char *actor, og_error *err);
/* Delete a branch in one atomic step. "main" → OG_EINVAL; unknown →
 * OG_ENOTFOUND. Racing writers on the branch lose. */
og_status og_graph_branch_delete(og_graph *g, const char *name, const char *actor,
                                 og_error *err);

typedef struct og_branch_info {
  char *name;
  uint64_t generation;
  uint64_t head_version;
} og_branch_info;
typedef struct og_branch_list {
  og_branch_info *items;    /* "main" first, then by name */
  size_t count;
} og_branch_list;
/* Live branches (lists "branches/": not a hot path). */
og_status og_graph_branch_list(og_graph *g, og_branch_list *out, og_error *err);
void og_branch_list_dispose(og_branch_list *l);

/*==================== writes ====================*/

typedef struct og_graph_write og_graph_write;

enum {
  /* Any content change of this table by another writer since the pin is a
   * conflict (update, delete, overwrite, schema apply). Without it the
   * staged change must be insert-only and is carried onto the newer table
   * version by re-appending its new rows (they get fresh row ids). */
  OG_GRAPH_STAGE_STRICT = 1u << 0
};

/* Pin the head of `branch`. The pinned snapshot is og_graph_write_base(). */
og_status og_graph_write_begin(og_graph *g, const char *branch, og_graph_write **out,
                               og_error *err);
enum {
  /* The write holds every table object it creates through
   * og_graph_write_store() in memory until its commit and writes its intent
   * only if it has to write one of them out: a small write (a few rows) then
   * costs one durable object, the manifest that embeds its objects. For
   * mutations, whose size the caller already holds in memory; a bulk
   * writer begins without it (its large objects stream to the store). */
  OG_GRAPH_WRITE_HOLD_ALL = 1u << 0
};
og_status og_graph_write_begin_flags(og_graph *g, const char *branch, unsigned flags,
                                     og_graph_write **out, og_error *err);
og_snapshot *og_graph_write_base(og_graph_write *w); /* borrowed */
/* The store this write's table versions should be created through
 * (og_table_write_opts.store): small objects are held back and embedded in
 * the committing manifest (slice keys, docs/format-graph.md), the rest pass
 * to the graph's store. Borrowed until og_graph_write_free; table handles
 * created through it keep it alive. */
og_store *og_graph_write_store(og_graph_write *w);
/* Stage a new version of a table (derived from the pinned version of that
 * table, or a new table when the key is absent). Content-changing vs
 * content-preserving is read from the table's content_version. Staging the
 * same key again replaces the earlier staging. */
og_status og_graph_write_stage(og_graph_write *w, const char *table_key, og_table *t,
                               unsigned flags, og_error *err);
/* Same with a raw entry (no table handle: such a change can never be
 * rebased, so any change of that table since the pin is a conflict). */
og_status og_graph_write_stage_entry(og_graph_write *w, const og_table_entry *e,
                                     unsigned flags, og_error *err);
/* Declare a read dependency without changing the table: the commit fails
 * with OG_ECONFLICT if another writer changed the table's rows since the
 * pin (content-preserving changes are fine). E.g. an edge insert that
 * checked its endpoint nodes exist expects the node tables. Staging a change
 * of the same table later keeps it strict. */
og_status og_graph_write_expect(og_graph_write *w, const char *table_key, og_error *err);
/* Remove a table from the graph (schema apply). */
og_status og_graph_write_drop(og_graph_write *w, const char *table_key, og_error *err);
/* Replace the schema blob (schema apply); any schema change by another
 * writer since the pin is then a conflict. */
og_status og_graph_write_set_schema(og_graph_write *w, const void *schema, size_t len,
                                    og_error *err);

typedef struct og_commit_opts {
  const char *operation;     /* required: "load", "mutation", "optimize", ... */
  const char *actor;         /* NULL → "" */
  const char *message;       /* NULL → none */
  const og_commit_ref *merge_parent; /* second parent of a merge commit, or NULL */
} og_commit_opts;

/* Commit the staged changes as head+1 (DESIGN.md §3.3). On OG_ECONFLICT the
 * message is "stale view — refresh and retry" and err->details names the
 * table with its pinned and current table/content versions; nothing is
 * visible. *out (may be NULL) receives the committed snapshot (left NULL,
 * with OG_OK, if only that allocation failed: the commit stands). A write is
 * committed at most once; afterwards og_graph_commit returns OG_EINVAL. */
og_status og_graph_commit(og_graph_write *w, const og_commit_opts *opts, og_snapshot **out,
                          og_error *err);
void og_graph_write_free(og_graph_write *w); /* abandons an uncommitted write; NULL ok */

/*==================== integrity ====================*/

/* Check every retained manifest of every branch incarnation: checksum and
 * structure, contiguous versions, parent links, schema object and hash, and
 * every table descriptor (og_table_verify; row counts and versions equal to
 * the manifest's). `report` (may be NULL) receives a JSON object
 * {"ok":bool,"manifests":n,"descriptors":n,"problems":[{"key":..,"problem":..}]}.
 * OG_ECORRUPT when any problem was found, OG_OK otherwise. */
og_status og_graph_verify(og_store *st, og_buf *report, og_error *err);

/*==================== write intents and recovery ====================*/
/* DESIGN.md §3.4, docs/durability.md. Every multi-object writer of this
 * layer (og_graph_write_begin, og_graph_init, og_graph_branch_create)
 * first writes an intent "intents/<ULID>" {operation, branch, generation,
 * base version, owner {host, boot id, pid, process start, lease expiry}}
 * and deletes it after its commit; an abandoned write rewrites it as
 * "abandoned". Every object a write creates is younger than its intent (table
 * objects are ULID-named); non-ULID objects it creates (a schema object, a
 * branch record) are named in the intent before they are created.
 *
 * R1 Recovery touches only intents whose owner is gone: abandoned, the pid
 *    not running on this host (or a different process start / boot), this
 *    process but no longer in progress, or a lease expired for another host.
 * R2 It deletes table objects no manifest references whose ULID time lies in
 *    [oldest dead intent, min(now, oldest live intent) - skew): nothing a live
 *    writer made or will make is in that range. An intent is resolved (audit
 *    record "recovery/<intent ULID>", then the intent deleted) only when no
 *    object of it can lie beyond that range; otherwise it is deferred (its
 *    orphans so far are still deleted).
 * R3 Rolled forward when a manifest names the intent (commit.intent): the
 *    head hint is refreshed; otherwise rolled back. Either way the graph
 *    state does not change: recovery only removes unreferenced objects.
 * R4 Idempotent: the intent is deleted last and the audit key is the
 *    intent's id, so a crash anywhere in recovery is finished by the next.
 * A read-only open never recovers. */
#define OG_INTENT_LEASE_MS (10ull * 60ull * 1000ull) /* env OMNIGRAPH_INTENT_LEASE_MS */
#define OG_RECOVERY_SKEW_MS 1000ull /* env OMNIGRAPH_RECOVERY_SKEW_MS */
#define OG_RECOVERY_ACTOR "omnigraph:recovery"

/* Settings read from the environment (docs/cli.md lists them), one table in
 * graph.c with each one's default and range. og_graph_knob returns the
 * setting, or its default when the variable is unset or invalid;
 * og_graph_env_check reports the first invalid one (OG_EINVAL), so the API
 * refuses to open a graph under a mistyped setting instead of ignoring it. */
typedef enum og_graph_knob_id {
  OG_KNOB_EMBED_MAX,              /* OMNIGRAPH_EMBED_MAX, bytes */
  OG_KNOB_INTENT_LEASE_MS,        /* OMNIGRAPH_INTENT_LEASE_MS */
  OG_KNOB_RECOVERY_SKEW_MS,       /* OMNIGRAPH_RECOVERY_SKEW_MS */
  OG_KNOB_MAINTENANCE_CONCURRENCY /* OMNIGRAPH_MAINTENANCE_CONCURRENCY */
} og_graph_knob_id;
uint64_t og_graph_knob(og_graph_knob_id k);
og_status og_graph_env_check(og_error *err);

typedef struct og_recover_opts {
  uint64_t skew_ms;          /* clock skew allowance; 0 = default/env, UINT64_MAX = none */
} og_recover_opts;

typedef struct og_recover_result {
  size_t live;               /* intents of running writers (untouched) */
  size_t rolled_forward, rolled_back;
  size_t deferred;           /* dead intents kept because a live writer overlaps */
  size_t objects_removed;
} og_recover_result;

/* Resolve the intents of dead writers (og_graph_open does this for a
 * read-write handle, best effort; cleanup may call it). Steady state (no
 * intent): one list. With a dead intent: waits skew_ms, lists "t/" and reads
 * the manifests committed since the oldest dead intent. */
og_status og_graph_recover(og_store *st, const og_recover_opts *opts, og_recover_result *out,
                           og_error *err);

typedef struct og_recovery_record {
  char *id;                  /* the intent's ULID (key "recovery/<id>") */
  char *outcome;             /* "rolled_forward" | "rolled_back" */
  char *operation;           /* the intent's operation ("write", "init", "branch_create") */
  char *branch;
  uint64_t time_ms;          /* when it was resolved */
  size_t objects_removed;
  char *json;                /* the whole record (compact JSON, sorted keys) */
} og_recovery_record;
typedef struct og_recovery_list {
  og_recovery_record *items; /* by intent id (chronological) */
  size_t count;
} og_recovery_list;
og_status og_graph_recovery_list(og_store *st, og_recovery_list *out, og_error *err);
void og_recovery_list_dispose(og_recovery_list *l);

typedef struct og_intent_info {
  char *id;
  bool live;                 /* its owner is running (R1) */
  char *reason;              /* why it is judged live or dead */
  char *json;                /* the intent ("null" when unreadable) */
} og_intent_info;
typedef struct og_intent_list {
  og_intent_info *items;
  size_t count;
} og_intent_list;
/* Intents present now (a cleanup must not delete unreferenced objects
 * younger than the oldest live one). */
og_status og_graph_intents(og_store *st, og_intent_list *out, og_error *err);
void og_intent_list_dispose(og_intent_list *l);

#endif
