/*
 * Public API: branch merge (with validation of the merged result against
 * the catalog) and diff. The row-level machinery is src/graph/merge.c and
 * src/graph/diff.c; this file adds what needs the schema.
 *
 * Validation looks only at rows either side changed (og_merge_view), which
 * is enough when each branch was valid on its own: a violation in the merged
 * graph needs at least one row from each side (an orphan edge: an edge one
 * side added or changed whose endpoint the other side deleted; a unique
 * violation: a value both sides introduced). Cardinality is the exception:
 * it is counted over the merged edge table for the sources the changes touch
 * (one projected scan of that edge table, only for edge types with @card).
 * Nothing is written before validation: the merged table is read as the
 * target's version with the view's rows in place of theirs.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "exec/exec.h"
#include "exec/write.h"
#include "graph/merge.h"

const char *og_merge_outcome_name(og_merge_outcome o) {
  switch (o) {
  case OG_MERGE_ALREADY_UP_TO_DATE: return "already_up_to_date";
  case OG_MERGE_FAST_FORWARD: return "fast_forward";
  case OG_MERGE_MERGED: return "merged";
  }
  return "unknown";
}

void og_merge_result_dispose(og_merge_result *r) {
  if (!r) return;
  og_free(r->conflicts_json);
  memset(r, 0, sizeof *r);
}

/*==================== validation ====================*/

/* The merged table of a view is the target's version with the view's rows
 * in place of theirs; nothing of it is written yet. `ids` indexes the view's
 * rows by identity (built on first use). */
typedef struct vtable {
  const og_merge_view *mv;
  og_map ids;   /* id -> view row + 1 */
  bool indexed;
} vtable;

typedef struct vctx {
  og_db *db;
  const og_catalog *cat;
  vtable *vt;
  size_t nviews;
  og_arena arena;
} vctx;

static const og_table_schema *view_schema(const og_merge_view *mv) {
  return mv->target ? og_table_schema_get(mv->target) : NULL;
}

static const char *row_id(const og_merge_view *mv, size_t r, size_t *len) {
  const og_table_schema *s = view_schema(mv);
  if (!s || s->key_col < 0) {
    *len = 0;
    return "";
  }
  return og_column_get_bytes(&mv->rows->cols[s->key_col], r, len);
}

static vtable *find_view(vctx *v, const char *key) {
  for (size_t i = 0; i < v->nviews; i++)
    if (og_str_eq(v->vt[i].mv->table_key, key)) return &v->vt[i];
  return NULL;
}

static og_status index_view(vtable *t, og_error *err) {
  if (t->indexed) return OG_OK;
  for (size_t r = 0; r < t->mv->nrows; r++) {
    size_t n;
    const char *id = row_id(t->mv, r, &n);
    if (og_map_put(&t->ids, id, n, (void *)(uintptr_t)(r + 1)) != OG_OK) return og_err_oom(err);
  }
  t->indexed = true;
  return OG_OK;
}

/* View row of an id, or -1 (then the merged table has the target's row). */
static long view_row(vtable *t, const char *id, size_t n) {
  void *v = NULL;
  return og_map_get(&t->ids, id, n, &v) ? (long)(uintptr_t)v - 1 : -1;
}

static const og_type *view_type(vctx *v, const char *table_key) {
  if (og_str_startswith(table_key, "node:")) return og_catalog_node(v->cat, table_key + 5);
  if (og_str_startswith(table_key, "edge:")) return og_catalog_edge(v->cat, table_key + 5);
  return NULL;
}

/* Does a live node `id` of (node or interface) type `tname` exist in the
 * merged result? */
static og_status endpoint_exists(vctx *v, const char *tname, const char *id, size_t len,
                                 bool *found, og_error *err) {
  char key[600];
  *found = false;
  for (size_t i = 0; i < v->cat->n_nodes && !*found; i++) {
    const og_type *n = &v->cat->nodes[i];
    bool match = og_str_eq(n->name, tname);
    for (size_t k = 0; !match && k < n->n_implements; k++) match = og_str_eq(n->implements[k], tname);
    if (!match) continue;
    snprintf(key, sizeof key, "node:%s", n->name);
    vtable *nv = find_view(v, key);
    if (!nv) continue;
    og_status rc = index_view(nv, err);
    if (rc != OG_OK) return rc;
    long r = view_row(nv, id, len);
    if (r >= 0) {
      *found = !(nv->mv->flags[r] & OG_MERGE_ROW_REMOVED);
      continue;
    }
    if (!nv->mv->target) continue;
    uint64_t rid;
    rc = og_table_lookup(nv->mv->target, id, len, &rid, err);
    if (rc == OG_OK) *found = true;
    else if (rc == OG_ENOTFOUND) og_err_clear(err);
    else return rc;
  }
  return OG_OK;
}

static og_status check_edges(vctx *v, vtable *vt, const og_type *t, og_merge_conflicts *out,
                             og_error *err) {
  const og_merge_view *mv = vt->mv;
  const og_table_schema *s = view_schema(mv);
  int cs = og_table_schema_find(s, "src"), cd = og_table_schema_find(s, "dst");
  if (cs < 0 || cd < 0) return OG_OK;
  for (size_t r = 0; r < mv->nrows; r++) {
    if (mv->flags[r] & OG_MERGE_ROW_REMOVED) continue;
    for (int end = 0; end < 2; end++) {
      size_t n;
      const char *x = og_column_get_bytes(&mv->rows->cols[end ? cd : cs], r, &n);
      const char *tn = end ? t->to_type : t->from_type;
      bool found = false;
      og_status rc = endpoint_exists(v, tn, x, n, &found, err);
      if (rc != OG_OK) return rc;
      if (found) continue;
      size_t il;
      const char *id = row_id(mv, r, &il);
      json_t *vals = json_pack("{s:o}", "merged", og_merge_row_json(s, mv->rows, r));
      if (og_merge_conflict_add(out, "orphan_edge", mv->table_key, id, il, vals,
                                "%s '%.*s' not found in %s", end ? "dst" : "src", (int)n, x,
                                tn) != OG_OK)
        return og_err_oom(err);
    }
  }
  return OG_OK;
}

/* Properties of rows that combine both sides' values were never validated
 * together: check each value's constraints. */
static og_status check_values(vctx *v, const og_merge_view *mv, const og_type *t,
                              og_merge_conflicts *out, og_error *err) {
  const og_table_schema *s = view_schema(mv);
  for (size_t r = 0; r < mv->nrows; r++) {
    if (!(mv->flags[r] & OG_MERGE_ROW_COMBINED)) continue;
    for (size_t p = 0; p < t->n_props; p++) {
      int c = og_table_schema_find(s, t->props[p].name);
      if (c < 0) continue;
      og_value val;
      og_error e = OG_ERROR_INIT;
      og_status rc = og_write_get_value(&mv->rows->cols[c], r, &v->arena, &val, err);
      if (rc != OG_OK) return rc;
      if (og_validate_value(t, &t->props[p], &val, &e) == OG_OK) continue;
      size_t il;
      const char *id = row_id(mv, r, &il);
      if (og_merge_conflict_add(out, "value_constraint_violation", mv->table_key, id, il, NULL,
                                "%s", e.message) != OG_OK)
        return og_err_oom(err);
    }
  }
  return OG_OK;
}

static bool cell_of(const og_column *c, size_t r, og_cell *out) {
  switch (c->type) {
  case OG_COL_STRING:
  case OG_COL_BLOB:
    out->kind = OG_CELL_BYTES;
    out->v.s.p = og_column_get_bytes(c, r, &out->v.s.n);
    return true;
  case OG_COL_BOOL: out->kind = OG_CELL_BOOL; out->v.b = og_column_get_bool(c, r); return true;
  case OG_COL_U64: out->kind = OG_CELL_UINT; out->v.u = og_column_get_u64(c, r); return true;
  case OG_COL_F32:
  case OG_COL_F64: out->kind = OG_CELL_F64; out->v.f = og_column_get_f64(c, r); return true;
  case OG_COL_I32:
  case OG_COL_I64:
  case OG_COL_U32:
  case OG_COL_DATE:
  case OG_COL_DATETIME: out->kind = OG_CELL_INT; out->v.i = og_column_get_i64(c, r); return true;
  default: return false;
  }
}

static void set_cols(og_buf *b, const og_unique_set *u) {
  for (size_t c = 0; c < u->ncols; c++) og_buf_printf(b, "%s%s", c ? ", " : "", u->cols[c]);
}

/* A row combining both sides' properties may collide on a composite unique
 * constraint with a row neither side touched: look for one with a predicate
 * scan of the target's table (fragments excluded by their statistics are
 * skipped); rows the view holds are compared in memory instead. Only for
 * COMBINED rows and multi-column constraints — a single column comes from
 * one side, which was valid with that value. */
static og_status combined_unique(vtable *vt, const og_unique_set *u, size_t r,
                                 og_merge_conflicts *out, og_error *err) {
  const og_merge_view *mv = vt->mv;
  const og_table_schema *s = view_schema(mv);
  og_pred preds[8];
  if (!mv->target || s->key_col < 0) return OG_OK;
  for (size_t c = 0; c < u->ncols; c++) {
    const og_column *col = &mv->rows->cols[u->table_cols[c]];
    if (og_column_is_null(col, r) || !cell_of(col, r, &preds[c].lit)) return OG_OK;
    preds[c].col = (uint32_t)u->table_cols[c];
    preds[c].op = OG_CMP_EQ;
  }
  uint32_t kc = (uint32_t)s->key_col;
  og_scan_opts so = {&kc, 1, preds, u->ncols};
  og_scan *sc = NULL;
  og_status rc = og_table_scan(mv->target, &so, &sc, err);
  if (rc != OG_OK) return rc;
  const og_batch *b;
  size_t la;
  const char *a = row_id(mv, r, &la);
  while ((rc = og_scan_next(sc, &b, err)) == OG_OK && b) {
    for (size_t i = 0; i < og_batch_rows(b); i++) {
      size_t lb;
      const char *other = og_column_get_bytes(&b->cols[0], i, &lb);
      if (view_row(vt, other, lb) >= 0) continue; /* its merged value is in the view */
      og_buf cols = OG_BUF_INIT;
      set_cols(&cols, u);
      og_status arc = og_merge_conflict_add(out, "unique_violation", mv->table_key, a, la, NULL,
                                            "unique constraint [%s] violated by '%.*s' and '%.*s'",
                                            cols.ptr ? cols.ptr : "", (int)lb, other, (int)la, a);
      og_buf_dispose(&cols);
      if (arc != OG_OK) rc = og_err_oom(err);
      goto done;
    }
  }
done:
  og_scan_free(sc);
  return rc;
}

static og_status check_unique(vctx *v, vtable *vt, const og_type *t, og_merge_conflicts *out,
                              og_error *err) {
  const og_merge_view *mv = vt->mv;
  const og_table_schema *s = view_schema(mv);
  og_unique_set sets[16];
  size_t nsets = og_write_unique_sets(t, s, sets, 16);
  og_status rc = OG_OK;
  og_buf k = OG_BUF_INIT;
  for (size_t u = 0; u < nsets && rc == OG_OK; u++) {
    /* a node's @key is its identity: equal keys are one row, never two */
    if (sets[u].is_key) continue;
    og_map seen = OG_MAP_INIT;
    for (size_t r = 0; r < mv->nrows && rc == OG_OK; r++) {
      if (mv->flags[r] & OG_MERGE_ROW_REMOVED) continue;
      og_buf_clear(&k);
      bool has_null = false;
      for (size_t c = 0; c < sets[u].ncols && !has_null; c++) {
        og_value val;
        int col = sets[u].table_cols[c];
        if (og_column_is_null(&mv->rows->cols[col], r)) {
          has_null = true;
          break;
        }
        if ((rc = og_write_get_value(&mv->rows->cols[col], r, &v->arena, &val, err)) != OG_OK) break;
        og_write_value_key(&val, &k);
        og_buf_putc(&k, '\x1f');
      }
      if (rc != OG_OK || has_null) continue;
      if ((mv->flags[r] & OG_MERGE_ROW_COMBINED) && sets[u].ncols > 1 &&
          (rc = combined_unique(vt, &sets[u], r, out, err)) != OG_OK)
        break;
      void *prev = NULL;
      if (og_map_get(&seen, k.ptr, k.len, &prev)) {
        size_t pr = (size_t)(uintptr_t)prev - 1, la, lb;
        const char *a = row_id(mv, pr, &la), *b = row_id(mv, r, &lb);
        og_buf cols = OG_BUF_INIT;
        set_cols(&cols, &sets[u]);
        if (og_merge_conflict_add(out, "unique_violation", mv->table_key, b, lb, NULL,
                                  "unique constraint [%s] violated by '%.*s' and '%.*s'",
                                  cols.ptr ? cols.ptr : "", (int)la, a, (int)lb, b) != OG_OK)
          rc = og_err_oom(err);
        og_buf_dispose(&cols);
      } else if (og_map_put(&seen, k.ptr, k.len, (void *)(uintptr_t)(r + 1)) != OG_OK) {
        rc = og_err_oom(err);
      }
    }
    og_map_dispose(&seen);
  }
  og_buf_dispose(&k);
  return rc;
}

/* @card over the merged edge table for every source the changes touch: the
 * target's edges (one projected scan of id and src) that the view does not
 * replace, plus the view's live rows. */
static og_status check_card(vctx *v, vtable *vt, const og_type *t, og_merge_conflicts *out,
                            og_error *err) {
  (void)v;
  const og_merge_view *mv = vt->mv;
  if (!t->card_has_max && t->card_min == 0) return OG_OK;
  const og_table_schema *s = view_schema(mv);
  int cs = og_table_schema_find(s, "src");
  if (cs < 0 || mv->nrows == 0 || s->key_col < 0) return OG_OK;
  og_map counts = OG_MAP_INIT; /* touched src -> count + 1 */
  og_status rc = OG_OK;
  og_scan *sc = NULL;
  for (size_t r = 0; r < mv->nrows; r++) {
    size_t n;
    const char *x = og_column_get_bytes(&mv->rows->cols[cs], r, &n);
    void *cnt = NULL;
    if (!og_map_get(&counts, x, n, &cnt)) cnt = (void *)(uintptr_t)1;
    if (!(mv->flags[r] & OG_MERGE_ROW_REMOVED)) cnt = (void *)((uintptr_t)cnt + 1);
    if (og_map_put(&counts, x, n, cnt) != OG_OK) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  }
  if (mv->target) {
    uint32_t cols[2] = {(uint32_t)s->key_col, (uint32_t)cs};
    og_scan_opts so = {cols, 2, NULL, 0};
    if ((rc = og_table_scan(mv->target, &so, &sc, err)) != OG_OK) goto cleanup;
    const og_batch *b;
    while ((rc = og_scan_next(sc, &b, err)) == OG_OK && b) {
      for (size_t r = 0; r < og_batch_rows(b); r++) {
        size_t n, idn;
        const char *x = og_column_get_bytes(&b->cols[1], r, &n);
        void *cnt;
        if (!og_map_get(&counts, x, n, &cnt)) continue;
        const char *id = og_column_get_bytes(&b->cols[0], r, &idn);
        if (view_row(vt, id, idn) >= 0) continue; /* replaced by the view's row */
        og_map_put(&counts, x, n, (void *)((uintptr_t)cnt + 1));
      }
    }
    if (rc != OG_OK) goto cleanup;
  }
  size_t pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(&counts, &pos))) {
    uint64_t cnt = (uint64_t)(uintptr_t)e->value - 1;
    og_error ve = OG_ERROR_INIT;
    char *src = og_strndup(e->key, e->key_len);
    if (!src) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    if (og_validate_card(t, src, cnt, &ve) != OG_OK &&
        og_merge_conflict_add(out, "cardinality_violation", mv->table_key, NULL, 0, NULL, "%s",
                              ve.message) != OG_OK)
      rc = og_err_oom(err);
    og_free(src);
    if (rc != OG_OK) goto cleanup;
  }
cleanup:
  og_scan_free(sc);
  og_map_dispose(&counts);
  return rc;
}

static og_status validate_merge(void *ctx, og_snapshot *target, const og_merge_view *views,
                                size_t nviews, og_merge_conflicts *out, og_error *err) {
  vctx v = {ctx, NULL, NULL, nviews, OG_ARENA_INIT};
  og_status rc = og_db__catalog(v.db, target, &v.cat, err);
  if (rc != OG_OK) return rc;
  if (!(v.vt = og_calloc(nviews + 1, sizeof *v.vt))) return og_err_oom(err);
  for (size_t i = 0; i < nviews; i++) v.vt[i].mv = &views[i];
  og_arena_init(&v.arena, 0);
  for (size_t i = 0; i < nviews && rc == OG_OK; i++) {
    vtable *vt = &v.vt[i];
    const og_type *t = view_type(&v, vt->mv->table_key);
    if (!t || !vt->mv->nrows || !vt->mv->target) continue;
    if ((rc = index_view(vt, err)) != OG_OK) break;
    if ((rc = check_values(&v, vt->mv, t, out, err)) != OG_OK) break;
    if ((rc = check_unique(&v, vt, t, out, err)) != OG_OK) break;
    if (t->kind == OG_KIND_EDGE) {
      if ((rc = check_edges(&v, vt, t, out, err)) != OG_OK) break;
      rc = check_card(&v, vt, t, out, err);
    }
  }
  for (size_t i = 0; i < nviews; i++) og_map_dispose(&v.vt[i].ids);
  og_free(v.vt);
  og_arena_dispose(&v.arena);
  return rc;
}

/*==================== merge ====================*/

og_status og_db_branch_merge(og_db *db, const char *source, const char *target,
                             const char *actor, og_merge_result *out, og_error *err) {
  og_graph_merge_result r;
  og_graph_merge_opts o = {actor, NULL, validate_merge, db};
  memset(out, 0, sizeof *out);
  if (!target || !*target) target = "main";
  og_status rc = og_graph_merge(db->graph, source, target, &o, &r, err);
  out->outcome = r.outcome == OG_GMERGE_FAST_FORWARD ? OG_MERGE_FAST_FORWARD
                 : r.outcome == OG_GMERGE_MERGED     ? OG_MERGE_MERGED
                                                     : OG_MERGE_ALREADY_UP_TO_DATE;
  snprintf(out->commit_id, sizeof out->commit_id, "%s", r.commit_id);
  out->manifest_version = r.version;
  out->tables_adopted = r.tables_adopted;
  out->tables_merged = r.tables_merged;
  out->rows_read = r.rows_read;
  out->rows_written = r.rows_written;
  out->nconflicts = r.conflicts.v.count;
  if (r.conflicts.v.count) {
    json_t *a = og_merge_conflicts_json(&r.conflicts);
    char *s = a ? json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (s) {
      out->conflicts_json = og_strdup(s);
      free(s);
    }
    json_decref(a);
  }
  og_graph_merge_result_dispose(&r);
  return rc;
}

/*==================== diff ====================*/

static og_status resolve(og_db *db, const char *spec, og_snapshot **out, og_error *err) {
  *out = NULL;
  if (!spec || !*spec) return og_err_set(err, OG_EINVAL, "diff: empty version");
  const char *at = strrchr(spec, '@');
  if (at) {
    char *end = NULL;
    unsigned long long ver = strtoull(at + 1, &end, 10);
    if (at == spec || !at[1] || *end)
      return og_err_set(err, OG_EINVAL, "diff: bad version '%s' (want BRANCH@VERSION)", spec);
    char *b = og_strndup(spec, (size_t)(at - spec));
    if (!b) return og_err_oom(err);
    og_status rc = og_graph_snapshot(db->graph, b, ver, out, err);
    og_free(b);
    return rc;
  }
  if (og_ulid_valid(spec)) {
    og_status rc = og_graph_snapshot_commit(db->graph, spec, out, err);
    if (rc != OG_ENOTFOUND) return rc;
    og_err_clear(err);
  }
  og_status rc = og_graph_snapshot(db->graph, spec, 0, out, err);
  if (rc == OG_ENOTFOUND)
    og_err_set(err, OG_ENOTFOUND, "'%s' is neither a branch nor a commit", spec);
  return rc;
}

static json_t *ref_json(og_snapshot *s) {
  const og_manifest *m = og_snapshot_manifest(s);
  return json_pack("{s:s,s:s,s:I}", "commit_id", m->commit.commit_id, "branch", m->branch,
                   "version", (json_int_t)m->version);
}

typedef struct dstats {
  uint64_t ins, upd, del, rows_read;
  json_t *types;
  uint64_t to_version;
} dstats;

static int cmp_json_str(const void *a, const void *b) {
  return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* Sorted, without duplicates (a type name can be both a node and an edge
 * table only in theory: names are unique across kinds). */
static json_t *sorted_types(json_t *arr) {
  size_t n = json_array_size(arr);
  json_t **v = og_calloc(n + 1, sizeof *v);
  json_t *out = json_array();
  if (!v) return out;
  for (size_t i = 0; i < n; i++) v[i] = json_array_get(arr, i);
  qsort(v, n, sizeof *v, cmp_json_str);
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp(json_string_value(v[i]), json_string_value(v[i - 1])) != 0)
      json_array_append(out, v[i]);
  og_free(v);
  return out;
}

static og_status diff_table(const char *key, og_table *A, og_table *B, json_t *changes,
                            dstats *st, og_error *err) {
  og_table_delta d;
  og_status rc = og_table_delta_compute(A, B, &d, err);
  if (rc != OG_OK) return rc;
  st->rows_read += d.rows_read;
  bool edge = og_str_startswith(key, "edge:");
  const og_table_schema *s = d.schema;
  for (size_t i = 0; i < d.entries.count; i++) {
    const og_delta_entry *e = &d.entries.items[i];
    json_t *c = json_object();
    const char *op = e->base_row == OG_MERGE_ABSENT ? "insert"
                     : e->side_row == OG_MERGE_ABSENT ? "delete" : "update";
    json_object_set_new(c, "table_key", json_string(key));
    json_object_set_new(c, "kind", json_string(edge ? "edge" : "node"));
    json_object_set_new(c, "type_name", json_string(key + 5));
    json_object_set_new(c, "id", json_stringn(e->id, e->id_len));
    json_object_set_new(c, "op", json_string(op));
    json_object_set_new(c, "manifest_version", json_integer((json_int_t)st->to_version));
    bool from_side = e->side_row != OG_MERGE_ABSENT;
    const og_batch *rb = from_side ? &d.side_rows : &d.base_rows;
    const og_table_schema *rs = from_side ? d.schema : d.base_schema;
    size_t rr = from_side ? e->side_row : e->base_row;
    int cs = og_table_schema_find(rs, "src"), cd = og_table_schema_find(rs, "dst");
    if (edge && cs >= 0 && cd >= 0)
      json_object_set_new(c, "endpoints",
                          json_pack("{s:o,s:o}", "src", og_merge_cell_json(&rb->cols[cs], rr),
                                    "dst", og_merge_cell_json(&rb->cols[cd], rr)));
    if (op[0] == 'u') {
      json_t *f = json_object();
      for (size_t col = 0; col < s->ncols; col++) {
        if (og_table_delta_col_eq(&d, col, e->base_row, e->side_row)) continue;
        json_object_set_new(f, s->cols[col].name,
                            json_pack("{s:o,s:o}", "old",
                                      og_table_delta_base_cell_json(&d, col, e->base_row), "new",
                                      og_merge_cell_json(&d.side_rows.cols[col], e->side_row)));
      }
      json_object_set_new(c, "fields", f);
      st->upd++;
    } else {
      json_object_set_new(c, "values", og_merge_row_json(rs, rb, rr));
      if (op[0] == 'i') st->ins++;
      else st->del++;
    }
    json_array_append_new(changes, c);
  }
  if (d.entries.count) json_array_append_new(st->types, json_string(key + 5));
  og_table_delta_dispose(&d);
  return OG_OK;
}

static og_status diff_json(og_db *db, const char *from, const char *to, const char *type_name,
                           bool from_base, char **json_out, og_error *err) {
  og_snapshot *a = NULL, *b = NULL;
  og_status rc;
  json_t *changes = json_array();
  dstats st = {0, 0, 0, 0, json_array(), 0};
  *json_out = NULL;
  if ((rc = resolve(db, from, &a, err)) != OG_OK) goto cleanup;
  if ((rc = resolve(db, to, &b, err)) != OG_OK) goto cleanup;
  if (from_base) {
    og_snapshot *base = NULL;
    if ((rc = og_graph_merge_base_snapshot(db->graph, a, b, &base, err)) != OG_OK) goto cleanup;
    og_snapshot_free(a);
    a = base;
  }
  const og_manifest *ma = og_snapshot_manifest(a), *mb = og_snapshot_manifest(b);
  st.to_version = mb->version;
  /* both table lists are sorted: walk their union in order */
  size_t i = 0, j = 0;
  while (i < ma->ntables || j < mb->ntables) {
    const og_table_entry *ea = i < ma->ntables ? &ma->tables[i] : NULL;
    const og_table_entry *eb = j < mb->ntables ? &mb->tables[j] : NULL;
    int cmp = !ea ? 1 : !eb ? -1 : strcmp(ea->table_key, eb->table_key);
    const char *key = cmp <= 0 ? ea->table_key : eb->table_key;
    if (cmp <= 0) i++;
    if (cmp >= 0) j++;
    if (type_name && *type_name && !og_str_eq(key + 5, type_name)) continue;
    if (cmp == 0 && og_str_eq(ea->descriptor, eb->descriptor)) continue;
    og_table *ta = NULL, *tb = NULL;
    if (cmp <= 0 && (rc = og_snapshot_table(a, key, &ta, err)) != OG_OK) goto cleanup;
    if (cmp >= 0 && (rc = og_snapshot_table(b, key, &tb, err)) != OG_OK) {
      og_table_free(ta);
      goto cleanup;
    }
    rc = diff_table(key, ta, tb, changes, &st, err);
    og_table_free(ta);
    og_table_free(tb);
    if (rc != OG_OK) goto cleanup;
  }
  json_t *o = json_object();
  json_object_set_new(o, "from", ref_json(a));
  json_object_set_new(o, "to", ref_json(b));
  json_object_set_new(o, "from_version", json_integer((json_int_t)ma->version));
  json_object_set_new(o, "to_version", json_integer((json_int_t)mb->version));
  json_object_set_new(o, "branch", json_string(mb->branch));
  json_object_set_new(o, "changes", changes);
  changes = NULL;
  json_object_set_new(o, "stats",
                      json_pack("{s:I,s:I,s:I,s:o,s:I}", "inserts", (json_int_t)st.ins, "updates",
                                (json_int_t)st.upd, "deletes", (json_int_t)st.del,
                                "types_affected", sorted_types(st.types), "rows_read",
                                (json_int_t)st.rows_read));
  char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (!s || !(*json_out = og_strdup(s))) rc = og_err_oom(err);
  free(s);
cleanup:
  if (changes) json_decref(changes);
  json_decref(st.types);
  og_snapshot_free(a);
  og_snapshot_free(b);
  return rc;
}

og_status og_db_diff_json(og_db *db, const char *from, const char *to, const char *type_name,
                          char **json_out, og_error *err) {
  return diff_json(db, from, to, type_name, false, json_out, err);
}

og_status og_db_diff_from_base_json(og_db *db, const char *from, const char *to,
                                    const char *type_name, char **json_out, og_error *err) {
  return diff_json(db, from, to, type_name, true, json_out, err);
}
