/* Public API: the write side (JSONL load, mutations). */
#include <string.h>

#include "api/api_int.h"
#include "exec/read.h"
#include "exec/write.h"
#include "load/load.h"

static og_status db_catalog(void *ctx, og_snapshot *snap, const og_catalog **out, og_error *err) {
  return og_db__catalog(ctx, snap, out, err);
}

/* After a commit that loaded many edges of a type: build that type's
 * topology into the read cache and persist it next to the new edge-table
 * version (exec/read.h og_exec_topo_persist), the way a bulk loader builds
 * its adjacency at load time. The commit is done: this is best effort, a
 * failure only leaves the first traversal to build it. */
static void persist_topology(og_db *db, const og_load_opts *opts, const og_load_result *res) {
  og_snapshot *snap = NULL;
  const og_catalog *cat = NULL;
  og_error e = OG_ERROR_INIT;
  bool any = false;
  for (size_t i = 0; i < res->ntypes; i++) any |= res->types[i].is_edge && res->types[i].rows >= og_topo_persist_min;
  if (!any) return;
  const char *branch = opts->branch && *opts->branch ? opts->branch : OG_GRAPH_MAIN;
  if (og_graph_snapshot(db->graph, branch, res->manifest_version, &snap, &e) == OG_OK &&
      og_db__catalog(db, snap, &cat, &e) == OG_OK)
    for (size_t i = 0; i < res->ntypes; i++)
      if (res->types[i].is_edge && res->types[i].rows >= og_topo_persist_min)
        (void)og_exec_topo_persist(og_db__xcache(db), snap, cat, res->types[i].name, &e);
  og_snapshot_free(snap);
}

static og_status run_load(og_db *db, const og_load_opts *opts, og_jsonl *r, og_load_result *out,
                          og_error *err) {
  og_load_opts dflt = {0};
  if (!opts) opts = &dflt;
  og_load_req req = {.graph = db->graph,
                     .catalog = db_catalog,
                     .catalog_ctx = db,
                     .branch = opts->branch,
                     .mode = opts->mode,
                     .actor = opts->actor,
                     .chunk_rows = opts->chunk_rows,
                     .reader = r};
  og_status rc = og_load_run(&req, out, err);
  if (!rc && out->committed) persist_topology(db, opts, out);
  return rc;
}

og_status og_db_load(og_db *db, const og_load_opts *opts, og_load_read_fn read, void *ctx,
                     og_load_result *out, og_error *err) {
  og_jsonl *r = NULL;
  memset(out, 0, sizeof *out);
  og_status rc = og_jsonl_open(&r, read, ctx, err);
  if (!rc) rc = run_load(db, opts, r, out, err);
  og_jsonl_free(r);
  return rc;
}

og_status og_db_load_mem(og_db *db, const og_load_opts *opts, const char *data, size_t len,
                         og_load_result *out, og_error *err) {
  og_jsonl *r = NULL;
  memset(out, 0, sizeof *out);
  og_status rc = og_jsonl_open_mem(&r, data ? data : "", data ? len : 0, err);
  if (!rc) rc = run_load(db, opts, r, out, err);
  og_jsonl_free(r);
  return rc;
}

static og_status ensure_branch(og_db *db, const og_load_opts *opts, const char *from, bool *created,
                               og_error *err) {
  const char *branch = opts && opts->branch && *opts->branch ? opts->branch : OG_GRAPH_MAIN;
  uint64_t v;
  *created = false;
  og_status rc = og_graph_head(db->graph, branch, &v, err);
  if (rc != OG_ENOTFOUND) return rc;
  if (err) og_err_clear(err);
  rc = og_db_branch_create(db, branch, from, opts ? opts->actor : NULL, err);
  if (rc == OG_EEXISTS) { /* a concurrent ingest created it first */
    if (err) og_err_clear(err);
    return OG_OK;
  }
  if (!rc) *created = true;
  return rc;
}

og_status og_db_ingest(og_db *db, const og_load_opts *opts, const char *from, og_load_read_fn read,
                       void *ctx, og_load_result *out, bool *created_out, og_error *err) {
  bool created = false;
  memset(out, 0, sizeof *out);
  og_status rc = ensure_branch(db, opts, from, &created, err);
  if (created_out) *created_out = created;
  return rc ? rc : og_db_load(db, opts, read, ctx, out, err);
}

og_status og_db_ingest_mem(og_db *db, const og_load_opts *opts, const char *from, const char *data,
                           size_t len, og_load_result *out, bool *created_out, og_error *err) {
  bool created = false;
  memset(out, 0, sizeof *out);
  og_status rc = ensure_branch(db, opts, from, &created, err);
  if (created_out) *created_out = created;
  return rc ? rc : og_db_load_mem(db, opts, data, len, out, err);
}

og_status og_db_mutate(og_db *db, const char *gq_src, size_t gq_len, const og_mutate_opts *opts,
                       og_mutate_result *out, og_error *err) {
  og_mutate_opts dflt = {0};
  if (!opts) opts = &dflt;
  og_mutate_req req = {.graph = db->graph,
                       .catalog = db_catalog,
                       .catalog_ctx = db,
                       .branch = opts->branch,
                       .source = gq_src,
                       .source_len = gq_len,
                       .query_name = opts->query_name,
                       .params_json = opts->params_json,
                       .params_len = opts->params_json ? strlen(opts->params_json) : 0,
                       .actor = opts->actor};
  return og_exec_mutate(&req, out, err);
}
