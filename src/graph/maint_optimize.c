/* optimize: per-table compaction committed as content-preserving changes
 * (maint.h; DESIGN.md §3.3 benign drift). */
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"
#include "graph/maint.h"

void og_optimize_result_dispose(og_optimize_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->count; i++) og_free(r->tables[i].table_key);
  og_free(r->tables);
  memset(r, 0, sizeof *r);
}

/* Fragment keys of a table version (sorted: og_table_objects sorts). */
static og_status frag_keys(og_table *t, og_keylist *out, og_error *err) {
  og_keylist all = {0};
  og_status rc = og_table_objects(t, &all, err);
  if (rc != OG_OK) return rc;
  out->keys = og_calloc(all.count + 1, sizeof *out->keys);
  out->count = 0;
  if (!out->keys) {
    og_keylist_dispose(&all);
    return og_err_oom(err);
  }
  for (size_t i = 0; i < all.count; i++) {
    if (strstr(all.keys[i], "/frag/")) {
      out->keys[out->count++] = all.keys[i];
      all.keys[i] = NULL;
    }
  }
  og_keylist_dispose(&all);
  return OG_OK;
}

static bool keylist_has(const og_keylist *l, const char *k) {
  size_t lo = 0, hi = l->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(l->keys[mid], k);
    if (c == 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

static og_status fill_frag_diff(og_table *before, og_table *after, og_optimize_stat *s,
                                og_error *err) {
  og_keylist a = {0}, b = {0};
  og_status rc = frag_keys(before, &a, err);
  if (rc == OG_OK) rc = frag_keys(after, &b, err);
  if (rc == OG_OK) {
    for (size_t i = 0; i < a.count; i++)
      if (!keylist_has(&b, a.keys[i])) s->fragments_removed++;
    for (size_t i = 0; i < b.count; i++)
      if (!keylist_has(&a, b.keys[i])) s->fragments_added++;
  }
  og_keylist_dispose(&a);
  og_keylist_dispose(&b);
  return rc;
}

/* One table: compact from a fresh pin and commit; recompact when a
 * concurrent row change wins the race. */
static og_status optimize_table(og_graph *g, const og_optimize_opts *o, const char *branch,
                                og_optimize_stat *s, og_error *err) {
  og_status rc = OG_OK;
  unsigned max = o->max_attempts ? o->max_attempts : 8;
  for (unsigned attempt = 0; attempt < max; attempt++) {
    og_graph_write *w = NULL;
    og_table *t = NULL, *nt = NULL;
    og_snapshot *done = NULL;
    bool changed = false, retry = false;
    if ((rc = og_graph_write_begin(g, branch, &w, err)) != OG_OK) goto step_end;
    og_snapshot *base = og_graph_write_base(w);
    if (!og_manifest_find(og_snapshot_manifest(base), s->table_key)) {
      s->skipped = "dropped"; /* removed by a concurrent schema apply */
      goto step_end;
    }
    if ((rc = og_snapshot_table(base, s->table_key, &t, err)) != OG_OK) goto step_end;
    s->fragments_before = og_table_fragment_count(t);
    s->fragments_after = s->fragments_before;
    s->rows = og_table_row_count(t);
    s->table_version = og_table_version(t);
    if ((rc = og_table_compact(t, &o->compact, &nt, &changed, err)) != OG_OK) goto step_end;
    if (!changed) goto step_end;
    if ((rc = OG_FAILPOINT(OG_FP_MAINT_OPTIMIZE_BEFORE_COMMIT, err)) != OG_OK) goto step_end;
    if ((rc = og_graph_write_stage(w, s->table_key, nt, 0, err)) != OG_OK) goto step_end;
    og_commit_opts co = {.operation = "optimize", .actor = o->actor};
    rc = og_graph_commit(w, &co, &done, err);
    if (rc == OG_ECONFLICT || rc == OG_EBUSY) {
      /* a row change of this table won: its new rows need compacting too */
      og_err_clear(err);
      rc = OG_OK;
      retry = true;
      goto step_end;
    }
    if (rc != OG_OK) goto step_end;
    s->committed = true;
    s->manifest_version = done ? og_snapshot_version(done) : 0;
    s->fragments_after = og_table_fragment_count(nt);
    s->table_version = og_table_version(nt);
    s->fragments_removed = s->fragments_added = 0;
    rc = fill_frag_diff(t, nt, s, err);
    if (rc != OG_OK) {
      /* the commit stands; only the statistics are incomplete */
      og_err_clear(err);
      rc = OG_OK;
    }
    (void)OG_FAILPOINT(OG_FP_MAINT_OPTIMIZE_AFTER_COMMIT, NULL);
  step_end:
    og_snapshot_free(done);
    og_table_free(nt);
    og_table_free(t);
    og_graph_write_free(w);
    if (rc != OG_OK || !retry) return rc;
    og_graph_backoff(attempt);
  }
  s->skipped = "concurrent_writes";
  return OG_OK;
}

og_status og_graph_optimize(og_graph *g, const og_optimize_opts *opts, og_optimize_result *out,
                            og_error *err) {
  og_optimize_opts o = opts ? *opts : (og_optimize_opts){0};
  const char *branch = o.branch && *o.branch ? o.branch : OG_GRAPH_MAIN;
  og_snapshot *head = NULL;
  og_status rc;
  memset(out, 0, sizeof *out);
  if ((rc = og_graph_snapshot(g, branch, 0, &head, err)) != OG_OK) return rc;
  const og_manifest *m = og_snapshot_manifest(head);
  if (m->ntables && !(out->tables = og_calloc(m->ntables, sizeof *out->tables))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (size_t i = 0; i < m->ntables; i++) {
    if (!(out->tables[i].table_key = og_strdup(m->tables[i].table_key))) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    out->count++;
  }
  for (size_t i = 0; i < out->count; i++)
    if ((rc = optimize_table(g, &o, branch, &out->tables[i], err)) != OG_OK) {
      og_err_prefix(err, "optimize %s", out->tables[i].table_key);
      goto cleanup;
    }
  rc = og_graph_head(g, branch, &out->manifest_version, err);
cleanup:
  og_snapshot_free(head);
  if (rc != OG_OK) og_optimize_result_dispose(out);
  return rc;
}
