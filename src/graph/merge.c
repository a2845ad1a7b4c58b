/*
 * Branch merge: merge base (commit DAG walk), per-table three-way row merge,
 * conflict collection, and the single two-parent merge commit (merge.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "graph/graph_int.h"
#include "graph/merge.h"

#define MERGE_MAX_ATTEMPTS 8

/*==================== merge base ====================*/

enum { PAINT_A = 1, PAINT_B = 2 };

typedef struct mnode {
  og_manifest *m;
  unsigned flags;
} mnode;

typedef struct mwalk {
  og_map nodes;               /* commit id -> mnode* */
  OG_VEC(mnode *) queue;      /* pending; popped newest first */
  OG_VEC(mnode *) all;
} mwalk;

static og_status walk_push(mwalk *w, og_manifest *m, unsigned flags, og_error *err) {
  void *v = NULL;
  if (og_map_sget(&w->nodes, m->commit.commit_id, &v)) {
    mnode *n = v;
    og_manifest_free(m);
    if ((n->flags | flags) == n->flags) return OG_OK;
    n->flags |= flags;
    return OG_VEC_PUSH(&w->queue, n) != OG_OK ? og_err_oom(err) : OG_OK;
  }
  mnode *n = og_calloc(1, sizeof *n);
  if (!n) {
    og_manifest_free(m);
    return og_err_oom(err);
  }
  n->m = m;
  n->flags = flags;
  if (OG_VEC_PUSH(&w->all, n) != OG_OK) {
    og_manifest_free(m);
    og_free(n);
    return og_err_oom(err);
  }
  if (og_map_sput(&w->nodes, m->commit.commit_id, n) != OG_OK ||
      OG_VEC_PUSH(&w->queue, n) != OG_OK)
    return og_err_oom(err);
  return OG_OK;
}

static mnode *walk_pop(mwalk *w) {
  if (!w->queue.count) return NULL;
  size_t best = 0;
  for (size_t i = 1; i < w->queue.count; i++) {
    const og_commit_info *a = &w->queue.items[i]->m->commit, *b = &w->queue.items[best]->m->commit;
    if (a->time_ms > b->time_ms ||
        (a->time_ms == b->time_ms && strcmp(a->commit_id, b->commit_id) > 0))
      best = i;
  }
  mnode *n = w->queue.items[best];
  w->queue.items[best] = w->queue.items[--w->queue.count];
  return n;
}

og_status og_graph_merge_base(og_graph *g, const og_manifest *a, const og_manifest *b,
                              og_manifest **out, og_error *err) {
  og_status rc = OG_OK;
  mwalk w = {OG_MAP_INIT, OG_VEC_INIT, OG_VEC_INIT};
  og_manifest *ca = og_manifest_clone(a, 0), *cb = og_manifest_clone(b, 0);
  *out = NULL;
  if (!ca || !cb) {
    og_manifest_free(ca);
    og_manifest_free(cb);
    return og_err_oom(err);
  }
  if ((rc = walk_push(&w, ca, PAINT_A, err)) != OG_OK) {
    og_manifest_free(cb);
    goto cleanup;
  }
  if ((rc = walk_push(&w, cb, PAINT_B, err)) != OG_OK) goto cleanup;
  /* Newest first: with commit times non-decreasing along parent edges, every
   * descendant of a commit is popped before it, so the first commit popped
   * carrying both paints is the newest common ancestor and nothing older is
   * ever read. */
  mnode *n;
  while ((n = walk_pop(&w))) {
    if (n->flags == (PAINT_A | PAINT_B)) {
      if (!(*out = og_manifest_clone(n->m, 0))) rc = og_err_oom(err);
      goto cleanup;
    }
    for (size_t p = 0; p < n->m->commit.nparents; p++) {
      const og_commit_ref *r = &n->m->commit.parents[p];
      og_manifest *pm = NULL;
      rc = og_manifest_load_at(og_graph_store(g), r->branch, r->generation, r->version, &pm, err);
      if (rc == OG_ENOTFOUND) { /* the retention horizon: that path ends */
        og_err_clear(err);
        rc = OG_OK;
        continue;
      }
      if (rc != OG_OK) goto cleanup;
      if (!og_str_eq(pm->commit.commit_id, r->commit_id)) {
        og_manifest_free(pm);
        rc = og_err_set(err, OG_ECORRUPT, "graph: parent %s of commit %s not found where named",
                        r->commit_id, n->m->commit.commit_id);
        goto cleanup;
      }
      if ((rc = walk_push(&w, pm, n->flags, err)) != OG_OK) goto cleanup;
    }
  }
  rc = og_err_set(err, OG_ENOTFOUND, "branches have no common ancestor");
cleanup:
  for (size_t i = 0; i < w.all.count; i++) {
    og_manifest_free(w.all.items[i]->m);
    og_free(w.all.items[i]);
  }
  OG_VEC_FREE(&w.all);
  OG_VEC_FREE(&w.queue);
  og_map_dispose(&w.nodes);
  return rc;
}

og_status og_graph_merge_base_snapshot(og_graph *g, og_snapshot *a, og_snapshot *b,
                                       og_snapshot **out, og_error *err) {
  og_manifest *m = NULL;
  *out = NULL;
  og_status rc = og_graph_merge_base(g, og_snapshot_manifest(a), og_snapshot_manifest(b), &m, err);
  if (rc != OG_OK) return rc;
  rc = og_snapshot_wrap(og_graph_store(g), m, out, err); /* takes m */
  if (rc == OG_OK) og_snapshot_attach(*out, g);
  return rc;
}

/*==================== conflicts ====================*/

og_status og_merge_conflict_add(og_merge_conflicts *c, const char *kind, const char *table_key,
                                const char *id, size_t id_len, json_t *values, const char *fmt,
                                ...) {
  og_merge_conflict k = {0};
  og_buf msg = OG_BUF_INIT;
  va_list ap;
  va_start(ap, fmt);
  og_buf_vprintf(&msg, fmt, ap);
  va_end(ap);
  k.kind = og_strdup(kind);
  k.table_key = og_strdup(table_key);
  k.id = id ? og_strndup(id, id_len) : NULL;
  k.message = msg.oom ? NULL : og_buf_detach(&msg, NULL);
  k.values = values;
  if (!k.kind || !k.table_key || (id && !k.id) || !k.message || OG_VEC_PUSH(&c->v, k) != OG_OK) {
    og_free(k.kind);
    og_free(k.table_key);
    og_free(k.id);
    og_free(k.message);
    if (values) json_decref(values);
    og_buf_dispose(&msg);
    return OG_ENOMEM;
  }
  return OG_OK;
}

void og_merge_conflicts_dispose(og_merge_conflicts *c) {
  if (!c) return;
  for (size_t i = 0; i < c->v.count; i++) {
    og_merge_conflict *k = &c->v.items[i];
    og_free(k->kind);
    og_free(k->table_key);
    og_free(k->id);
    og_free(k->message);
    if (k->values) json_decref(k->values);
  }
  OG_VEC_FREE(&c->v);
}

static json_t *conflict_json(const og_merge_conflict *k, bool with_values) {
  json_t *o = json_object();
  json_object_set_new(o, "table_key", json_string(k->table_key));
  json_object_set_new(o, "row_id", k->id ? json_string(k->id) : json_null());
  json_object_set_new(o, "kind", json_string(k->kind));
  json_object_set_new(o, "message", json_string(k->message));
  if (with_values && k->values) json_object_update(o, k->values);
  return o;
}

json_t *og_merge_conflicts_json(const og_merge_conflicts *c) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < c->v.count; i++)
    json_array_append_new(a, conflict_json(&c->v.items[i], true));
  return a;
}

og_status og_merge_conflicts_error(const og_merge_conflicts *c, og_error *err) {
  og_buf m = OG_BUF_INIT;
  og_buf_puts(&m, "merge conflicts: ");
  for (size_t i = 0; i < c->v.count && i < 3; i++) {
    const og_merge_conflict *k = &c->v.items[i];
    og_buf_printf(&m, "%s%s:%s (%s)", i ? "; " : "", k->table_key, k->id ? k->id : "-", k->kind);
  }
  if (c->v.count > 3) og_buf_printf(&m, "; and %zu more", c->v.count - 3);
  og_err_set(err, OG_ECONFLICT, "%s", m.ptr ? m.ptr : "merge conflicts");
  og_buf_dispose(&m);
  if (!err) return OG_ECONFLICT;
  /* as many structured conflicts as the fixed-size details hold */
  json_t *arr = json_array();
  json_t *o = json_pack("{s:I}", "count", (json_int_t)c->v.count);
  json_object_set(o, "conflicts", arr);
  char *best = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  for (size_t i = 0; i < c->v.count; i++) {
    json_array_append_new(arr, conflict_json(&c->v.items[i], true));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!s || strlen(s) >= OG_ERROR_DETAILS_MAX) {
      json_array_remove(arr, json_array_size(arr) - 1);
      json_array_append_new(arr, conflict_json(&c->v.items[i], false));
      free(s);
      s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
      if (!s || strlen(s) >= OG_ERROR_DETAILS_MAX) {
        free(s);
        break;
      }
    }
    free(best);
    best = s;
  }
  if (best) og_err_details(err, "%s", best);
  free(best);
  json_decref(arr);
  json_decref(o);
  return OG_ECONFLICT;
}

/*==================== three-way table merge ====================*/

typedef struct tchange {
  OG_VEC(uint64_t) deletes;
  og_batch updates, inserts;
} tchange;

typedef struct mtable {
  const char *key;            /* borrowed from a manifest */
  og_table *target;           /* the target's version (own ref; NULL when absent) */
  og_table *merged;           /* the result's version once known (own ref) */
  tchange *pending;           /* rows to apply to `target` once nothing conflicts */
  og_batch rows;              /* view rows */
  OG_VEC(unsigned char) flags;
  bool has_rows;
  bool changed;               /* differs from the target's entry */
  const og_table_entry *adopt; /* stage this entry (source's) instead of a table */
  bool conflicted;
} mtable;

typedef struct mctx {
  og_graph *g;
  og_snapshot *base, *src, *tgt;
  OG_VEC(mtable) tables;
  og_merge_conflicts *conflicts;
  og_graph_merge_result *res;
} mctx;

/* View rows carry the row's id in the merged table where it is known (rows
 * the target holds), UINT64_MAX otherwise. */
static og_status view_push_id(mtable *mt, const og_table_schema *s, const og_batch *src,
                              size_t row, unsigned char flag, uint64_t rowid, og_error *err) {
  og_status rc;
  if (!mt->has_rows) {
    if ((rc = og_batch_init(&mt->rows, s, err)) != OG_OK) return rc;
    mt->has_rows = true;
  }
  if ((rc = og_merge_batch_push(&mt->rows, src, row, err)) != OG_OK) return rc;
  if (OG_VEC_PUSH(&mt->rows.rowids, rowid) != OG_OK) return og_err_oom(err);
  return OG_VEC_PUSH(&mt->flags, flag) != OG_OK ? og_err_oom(err) : OG_OK;
}

static og_status view_push(mtable *mt, const og_table_schema *s, const og_batch *src, size_t row,
                           unsigned char flag, og_error *err) {
  return view_push_id(mt, s, src, row, flag, UINT64_MAX, err);
}

static json_t *side_json(const og_table_delta *d, size_t row, bool base) {
  if (row == OG_MERGE_ABSENT) return json_null();
  return og_merge_row_json(base ? d->base_schema : d->schema, base ? &d->base_rows : &d->side_rows,
                           row);
}

static json_t *values3(const og_table_delta *ds, const og_delta_entry *es, const og_table_delta *dt,
                       const og_delta_entry *et) {
  json_t *o = json_object();
  json_object_set_new(o, "base", side_json(ds, es->base_row, true));
  json_object_set_new(o, "ours", side_json(dt, et->side_row, false));
  json_object_set_new(o, "theirs", side_json(ds, es->side_row, false));
  return o;
}

/* Row id in the target of a base row the target did not change: where the
 * target rewrote it with equal values (compaction, a lineage joined by an
 * earlier merge) the delta says where it lives now; otherwise it is still in
 * the base's fragment under the base's row id (M1). No index is read. */
static void target_rowid(const og_table_delta *dt, const og_table_delta *ds,
                         const og_delta_entry *es, uint64_t *out, bool *found) {
  const og_delta_entry *same = og_table_delta_find_same(dt, es->id, es->id_len);
  *found = true;
  if (same) {
    *out = dt->side_rows.rowids.items[same->side_row];
    return;
  }
  *out = ds->base_rows.rowids.items[es->base_row];
}

static bool same_layout(const og_table_schema *a, const og_table_schema *b) {
  if (a->ncols != b->ncols || a->key_col != b->key_col) return false;
  for (size_t c = 0; c < a->ncols; c++)
    if (a->cols[c].type != b->cols[c].type || a->cols[c].elem != b->cols[c].elem ||
        a->cols[c].dim != b->cols[c].dim || strcmp(a->cols[c].name, b->cols[c].name) != 0)
      return false;
  return true;
}

static void tchange_dispose(tchange *ch) {
  if (!ch) return;
  OG_VEC_FREE(&ch->deletes);
  og_batch_dispose(&ch->updates);
  og_batch_dispose(&ch->inserts);
}

static og_status merge_rows(mctx *c, mtable *mt, og_table *B, og_table *S, og_table *T,
                            og_error *err) {
  og_status rc = OG_OK;
  og_table_delta ds, dt;
  tchange ch = {OG_VEC_INIT, OG_BATCH_INIT, OG_BATCH_INIT};
  og_batch comb = OG_BATCH_INIT;
  bool have_ds = false, have_dt = false;
  const og_table_schema *sch = og_table_schema_get(T);
  size_t nconf0 = c->conflicts->v.count;
  if ((rc = og_table_delta_compute(B, S, &ds, err)) != OG_OK) goto cleanup;
  have_ds = true;
  if ((rc = og_table_delta_compute(B, T, &dt, err)) != OG_OK) goto cleanup;
  have_dt = true;
  c->res->rows_read += ds.rows_read + dt.rows_read;
  if ((B && !same_layout(og_table_schema_get(B), sch)) || !same_layout(og_table_schema_get(S), sch)) {
    rc = og_err_set(err, OG_EUNSUPPORTED, "branch_merge: table '%s' has different columns on the "
                    "two branches", mt->key);
    goto cleanup;
  }
  if ((rc = og_batch_init(&ch.updates, sch, err)) != OG_OK) goto cleanup;
  if ((rc = og_batch_init(&ch.inserts, sch, err)) != OG_OK) goto cleanup;
  if ((rc = og_batch_init(&comb, sch, err)) != OG_OK) goto cleanup;
  for (size_t i = 0; i < ds.entries.count; i++) {
    const og_delta_entry *es = &ds.entries.items[i];
    const og_delta_entry *et = og_table_delta_find(&dt, es->id, es->id_len);
    bool bp = es->base_row != OG_MERGE_ABSENT, sp = es->side_row != OG_MERGE_ABSENT;
    if (!et) { /* only the source changed this row: take it */
      uint64_t rid = 0;
      bool found = false;
      if (bp) target_rowid(&dt, &ds, es, &rid, &found);
      if (!sp) {
        if (found && OG_VEC_PUSH(&ch.deletes, rid) != OG_OK) goto oom;
        if ((rc = view_push(mt, sch, &ds.base_rows, es->base_row,
                            OG_MERGE_SIDE_SOURCE | OG_MERGE_ROW_REMOVED, err)) != OG_OK)
          goto cleanup;
        continue;
      }
      og_batch *dst = found ? &ch.updates : &ch.inserts;
      if ((rc = og_merge_batch_push(dst, &ds.side_rows, es->side_row, err)) != OG_OK) goto cleanup;
      if (found && OG_VEC_PUSH(&ch.updates.rowids, rid) != OG_OK) goto oom;
      if ((rc = view_push(mt, sch, &ds.side_rows, es->side_row, OG_MERGE_SIDE_SOURCE, err)) != OG_OK)
        goto cleanup;
      continue;
    }
    bool tp = et->side_row != OG_MERGE_ABSENT;
    const unsigned char both = OG_MERGE_SIDE_SOURCE | OG_MERGE_SIDE_TARGET;
    if (!bp) {
      if (sp && tp && og_merge_row_eq(&ds.side_rows, es->side_row, &dt.side_rows, et->side_row)) {
        if ((rc = view_push(mt, sch, &dt.side_rows, et->side_row, both, err)) != OG_OK) goto cleanup;
        continue;
      }
      if (og_merge_conflict_add(c->conflicts, "divergent_insert", mt->key, es->id, es->id_len,
                                values3(&ds, es, &dt, et), "divergent insert for id '%.*s'",
                                (int)es->id_len, es->id) != OG_OK)
        goto oom;
      continue;
    }
    if (!sp && !tp) {
      if ((rc = view_push(mt, sch, &ds.base_rows, es->base_row, both | OG_MERGE_ROW_REMOVED,
                          err)) != OG_OK)
        goto cleanup;
      continue;
    }
    if (!sp || !tp) {
      if (og_merge_conflict_add(c->conflicts, "delete_vs_update", mt->key, es->id, es->id_len,
                                values3(&ds, es, &dt, et), "delete/update conflict for id '%.*s'",
                                (int)es->id_len, es->id) != OG_OK)
        goto oom;
      continue;
    }
    /* both updated: property by property; a property both changed to
     * different values is a divergent update */
    og_buf props = OG_BUF_INIT;
    bool from_src = false;
    og_batch_clear(&comb);
    for (size_t col = 0; col < sch->ncols; col++) {
      const og_column *bc = &ds.base_rows.cols[col], *sc = &ds.side_rows.cols[col],
                      *tc = &dt.side_rows.cols[col];
      const og_column *pick = tc;
      size_t prow = et->side_row;
      if (og_merge_cell_eq(sc, es->side_row, tc, et->side_row) ||
          og_merge_cell_eq(sc, es->side_row, bc, es->base_row)) {
        pick = tc;
      } else if (og_merge_cell_eq(tc, et->side_row, bc, es->base_row)) {
        pick = sc;
        prow = es->side_row;
        from_src = true;
      } else {
        og_buf_printf(&props, "%s'%s'", props.len ? ", " : "", sch->cols[col].name);
      }
      if ((rc = og_column_push_from(&comb.cols[col], pick, prow, err)) != OG_OK) {
        og_buf_dispose(&props);
        goto cleanup;
      }
    }
    if (props.len) {
      og_status arc = og_merge_conflict_add(
          c->conflicts, "divergent_update", mt->key, es->id, es->id_len, values3(&ds, es, &dt, et),
          "divergent update for id '%.*s' (property %s)", (int)es->id_len, es->id, props.ptr);
      og_buf_dispose(&props);
      if (arc != OG_OK) goto oom;
      continue;
    }
    og_buf_dispose(&props);
    unsigned char fl = both | (from_src ? OG_MERGE_ROW_COMBINED : 0);
    if ((rc = view_push_id(mt, sch, &comb, 0, fl, dt.side_rows.rowids.items[et->side_row], err)) !=
        OG_OK)
      goto cleanup;
    if (!from_src) continue; /* the target already holds this row */
    if ((rc = og_merge_batch_push(&ch.updates, &comb, 0, err)) != OG_OK) goto cleanup;
    if (OG_VEC_PUSH(&ch.updates.rowids, dt.side_rows.rowids.items[et->side_row]) != OG_OK) goto oom;
  }
  /* rows only the target changed stay as they are; they join the view */
  for (size_t i = 0; i < dt.entries.count; i++) {
    const og_delta_entry *et = &dt.entries.items[i];
    if (og_table_delta_find(&ds, et->id, et->id_len)) continue;
    if (et->side_row != OG_MERGE_ABSENT)
      rc = view_push(mt, sch, &dt.side_rows, et->side_row, OG_MERGE_SIDE_TARGET, err);
    else
      rc = view_push(mt, sch, &dt.base_rows, et->base_row,
                     OG_MERGE_SIDE_TARGET | OG_MERGE_ROW_REMOVED, err);
    if (rc != OG_OK) goto cleanup;
  }
  if (c->conflicts->v.count != nconf0) {
    /* no result for this table; the other tables are still validated
     * (against the target plus the views) so every conflict is reported in
     * the same round */
    mt->conflicted = true;
    goto cleanup;
  }
  if (!ch.deletes.count && !og_batch_rows(&ch.updates) && !og_batch_rows(&ch.inserts)) {
    mt->merged = og_table_ref(T);
    goto cleanup;
  }
  /* applied only once no table conflicts (M3: nothing is written before) */
  if (!(mt->pending = og_calloc(1, sizeof *mt->pending))) goto oom;
  *mt->pending = ch;
  memset(&ch, 0, sizeof ch);
  goto cleanup;
oom:
  rc = og_err_oom(err);
cleanup:
  if (have_ds) og_table_delta_dispose(&ds);
  if (have_dt) og_table_delta_dispose(&dt);
  tchange_dispose(&ch);
  og_batch_dispose(&comb);
  return rc;
}

/* Rows one side changed, for the validation view of an adopted/kept table. */
static og_status side_view(mctx *c, mtable *mt, og_table *B, og_table *X, unsigned char side,
                           og_error *err) {
  og_table_delta d;
  og_status rc = og_table_delta_compute(B, X, &d, err);
  if (rc != OG_OK) return rc;
  c->res->rows_read += d.rows_read;
  for (size_t i = 0; rc == OG_OK && i < d.entries.count; i++) {
    const og_delta_entry *e = &d.entries.items[i];
    if (e->side_row != OG_MERGE_ABSENT)
      rc = view_push(mt, d.schema, &d.side_rows, e->side_row, side, err);
    else if (same_layout(d.base_schema, d.schema)) /* removed rows: only for @card counts */
      rc = view_push(mt, d.schema, &d.base_rows, e->base_row, side | OG_MERGE_ROW_REMOVED, err);
  }
  og_table_delta_dispose(&d);
  return rc;
}

static const char *entry_desc(const og_manifest *m, const char *key) {
  const og_table_entry *e = m ? og_manifest_find(m, key) : NULL;
  return e ? e->descriptor : NULL;
}

static og_status open_opt(og_snapshot *s, const char *key, og_table **out, og_error *err) {
  *out = NULL;
  if (!og_manifest_find(og_snapshot_manifest(s), key)) return OG_OK;
  return og_snapshot_table(s, key, out, err);
}

/* Decide and compute every table of the merged result. */
static og_status merge_tables(mctx *c, bool fast_forward, og_error *err) {
  og_status rc = OG_OK;
  const og_manifest *bm = og_snapshot_manifest(c->base), *sm = og_snapshot_manifest(c->src),
                    *tm = og_snapshot_manifest(c->tgt);
  /* the result has exactly the source's tables on a fast-forward, and the
   * (identical-schema) target's otherwise */
  const og_manifest *keys = fast_forward ? sm : tm;
  for (size_t i = 0; i < keys->ntables; i++) {
    mtable mt = {0};
    mt.key = keys->tables[i].table_key;
    if (OG_VEC_PUSH(&c->tables, mt) != OG_OK) return og_err_oom(err);
  }
  for (size_t i = 0; i < c->tables.count; i++) {
    mtable *mt = &c->tables.items[i];
    const char *bd = entry_desc(bm, mt->key), *sd = entry_desc(sm, mt->key),
               *td = entry_desc(tm, mt->key);
    og_table *B = NULL, *S = NULL, *T = NULL;
    if ((rc = open_opt(c->src, mt->key, &S, err)) != OG_OK ||
        (rc = open_opt(c->tgt, mt->key, &T, err)) != OG_OK)
      goto next;
    if ((rc = open_opt(c->base, mt->key, &B, err)) == OG_ENOTFOUND) {
      /* cleanup released the base's table versions (below a retention
       * floor): without them the two sides' changes cannot be told apart */
      rc = og_err_set(err, OG_ENOTFOUND,
                      "branch_merge: the merge base (commit %s, %s version %" PRIu64 ") is no "
                      "longer retained: cleanup removed its version of table '%s'",
                      bm->commit.commit_id, bm->branch, bm->version, mt->key);
      goto next;
    }
    if (rc != OG_OK) goto next;
    mt->target = T ? og_table_ref(T) : NULL;
    bool s_changed = !og_str_eq(sd, bd), t_changed = !og_str_eq(td, bd);
    if (!sd) { /* cannot happen with identical schemas; keep the target */
      mt->merged = T ? og_table_ref(T) : NULL;
    } else if (og_str_eq(sd, td) || !s_changed) {
      mt->merged = og_table_ref(T);
      if (t_changed && (rc = side_view(c, mt, B, T, OG_MERGE_SIDE_TARGET, err)) != OG_OK) goto next;
    } else if (!t_changed || !T) {
      /* only the source changed it: take the source's version (M5) —
       * unless its version number does not follow the target's (lineages
       * joined by an earlier merge), then carry the rows over instead */
      const og_table_entry *se = og_manifest_find(sm, mt->key), *te = og_manifest_find(tm, mt->key);
      if (!te || se->table_version > te->table_version) {
        mt->merged = og_table_ref(S);
        mt->adopt = se;
        mt->changed = true;
        c->res->tables_adopted++;
        /* a fast-forward's result is the source's own (valid) state */
        if (!fast_forward && (rc = side_view(c, mt, B, S, OG_MERGE_SIDE_SOURCE, err)) != OG_OK)
          goto next;
      } else {
        rc = merge_rows(c, mt, B, S, T, err);
      }
    } else {
      rc = merge_rows(c, mt, B, S, T, err);
    }
  next:
    og_table_free(B);
    og_table_free(S);
    og_table_free(T);
    if (rc != OG_OK) return rc;
  }
  return OG_OK;
}

static void mctx_dispose(mctx *c) {
  for (size_t i = 0; i < c->tables.count; i++) {
    mtable *mt = &c->tables.items[i];
    og_table_free(mt->merged);
    og_table_free(mt->target);
    tchange_dispose(mt->pending);
    og_free(mt->pending);
    if (mt->has_rows) og_batch_dispose(&mt->rows);
    OG_VEC_FREE(&mt->flags);
  }
  OG_VEC_FREE(&c->tables);
  og_snapshot_free(c->base);
  og_snapshot_free(c->src);
  c->base = c->src = NULL;
}

void og_graph_merge_result_dispose(og_graph_merge_result *r) {
  if (!r) return;
  og_merge_conflicts_dispose(&r->conflicts);
  memset(r, 0, sizeof *r);
}

static og_status validate(mctx *c, const og_graph_merge_opts *o, og_error *err) {
  if (!o || !o->validate) return OG_OK;
  og_merge_view *v = og_calloc(c->tables.count + 1, sizeof *v);
  if (!v) return og_err_oom(err);
  size_t n = 0;
  for (size_t i = 0; i < c->tables.count; i++) {
    mtable *mt = &c->tables.items[i];
    v[n].table_key = mt->key;
    v[n].target = mt->target;
    v[n].rows = mt->has_rows ? &mt->rows : NULL;
    v[n].flags = mt->flags.items;
    v[n].nrows = mt->flags.count;
    n++;
  }
  og_status rc = o->validate(o->validate_ctx, c->tgt, v, n, c->conflicts, err);
  og_free(v);
  return rc;
}

/* A branch's version 1 (branch_create) is its source commit's content under
 * a new name: for "up to date" and "fast-forward" it counts as that commit.
 * (Only a head that is itself the create is looked through: a create
 * followed by writes has its own content.) */
static const char *effective_commit(const og_manifest *m) {
  if (m->version == 1 && m->commit.nparents == 1 && og_str_eq(m->commit.operation, "branch_create"))
    return m->commit.parents[0].commit_id;
  return m->commit.commit_id;
}

/* One attempt against fresh heads. *retry is set when the commit lost a race. */
static og_status merge_once(og_graph *g, const char *source, const char *target,
                            const og_graph_merge_opts *o, og_graph_merge_result *res, bool *retry,
                            og_error *err) {
  og_status rc = OG_OK;
  og_graph_write *w = NULL;
  og_manifest *basem = NULL;
  og_buf schema = OG_BUF_INIT;
  mctx c = {0};
  c.g = g;
  c.conflicts = &res->conflicts;
  c.res = res;
  *retry = false;
  if ((rc = og_graph_write_begin(g, target, &w, err)) != OG_OK) {
    if (rc == OG_ENOTFOUND) og_err_set(err, OG_ENOTFOUND, "branch '%s' not found", target);
    goto cleanup;
  }
  c.tgt = og_graph_write_base(w);
  if ((rc = og_graph_snapshot(g, source, 0, &c.src, err)) != OG_OK) {
    if (rc == OG_ENOTFOUND) og_err_set(err, OG_ENOTFOUND, "branch '%s' not found", source);
    goto cleanup;
  }
  const og_manifest *sm = og_snapshot_manifest(c.src), *tm = og_snapshot_manifest(c.tgt);
  res->version = tm->version;
  const char *s_eff = effective_commit(sm), *t_eff = effective_commit(tm);
  if (og_str_eq(s_eff, t_eff)) {
    res->outcome = OG_GMERGE_UP_TO_DATE;
    goto cleanup;
  }
  if ((rc = og_graph_merge_base(g, sm, tm, &basem, err)) != OG_OK) goto cleanup;
  if (og_str_eq(basem->commit.commit_id, s_eff)) {
    res->outcome = OG_GMERGE_UP_TO_DATE;
    goto cleanup;
  }
  bool ff = og_str_eq(basem->commit.commit_id, t_eff);
  if ((rc = og_snapshot_wrap(og_graph_store(g), basem, &c.base, err)) != OG_OK) {
    basem = NULL;
    goto cleanup;
  }
  og_snapshot_attach(c.base, g); /* share the handle's table cache */
  basem = NULL;
  if (!ff && !og_str_eq(sm->schema_sha256, tm->schema_sha256)) {
    rc = og_err_set(err, OG_EUNSUPPORTED,
                    "branch_merge requires the same schema on both branches ('%s' and '%s' "
                    "differ and '%s' is not an ancestor of '%s'); apply the schema to both first",
                    source, target, target, source);
    goto cleanup;
  }
  res->outcome = ff ? OG_GMERGE_FAST_FORWARD : OG_GMERGE_MERGED;
  if ((rc = merge_tables(&c, ff, err)) != OG_OK) goto cleanup;
  if (!ff && (rc = validate(&c, o, err)) != OG_OK) goto cleanup;
  if (res->conflicts.v.count) {
    rc = og_merge_conflicts_error(&res->conflicts, err);
    goto cleanup;
  }
  /* the first write: new versions of the tables both sides changed */
  for (size_t i = 0; i < c.tables.count; i++) {
    mtable *mt = &c.tables.items[i];
    tchange *ch = mt->pending;
    if (!ch) continue;
    og_table_change chg = {ch->deletes.items, ch->deletes.count, false,
                           og_batch_rows(&ch->inserts) ? &ch->inserts : NULL,
                           og_batch_rows(&ch->updates) ? &ch->updates : NULL};
    if ((rc = og_table_apply(mt->target, &chg, NULL, &mt->merged, NULL, err)) != OG_OK) goto cleanup;
    mt->changed = true;
    res->rows_written += og_batch_rows(&ch->inserts) + og_batch_rows(&ch->updates);
    res->tables_merged++;
  }
  /* stage: adopted entries as they are, merged tables as new versions
   * (strict: the target must not have changed them since the pin) */
  for (size_t i = 0; i < c.tables.count; i++) {
    mtable *mt = &c.tables.items[i];
    if (!mt->changed) continue;
    if (mt->adopt)
      rc = og_graph_write_stage_entry(w, mt->adopt, OG_GRAPH_STAGE_STRICT, err);
    else
      rc = og_graph_write_stage(w, mt->key, mt->merged, OG_GRAPH_STAGE_STRICT, err);
    if (rc != OG_OK) goto cleanup;
  }
  if (ff) {
    for (size_t i = 0; i < tm->ntables; i++)
      if (!og_manifest_find(sm, tm->tables[i].table_key) &&
          (rc = og_graph_write_drop(w, tm->tables[i].table_key, err)) != OG_OK)
        goto cleanup;
    if (!og_str_eq(sm->schema_sha256, tm->schema_sha256)) {
      if ((rc = og_snapshot_schema(c.src, &schema, err)) != OG_OK) goto cleanup;
      if ((rc = og_graph_write_set_schema(w, schema.ptr ? schema.ptr : "", schema.len, err)) != OG_OK)
        goto cleanup;
    }
  }
  if ((rc = OG_FAILPOINT(OG_FP_MERGE_BEFORE_COMMIT, err)) != OG_OK) goto cleanup;
  /* The merge was validated against the pinned head: if the target moved,
   * recompute rather than let the commit carry the merge onto a head whose
   * other tables it never looked at (an endpoint deleted meanwhile). */
  uint64_t head = 0;
  if ((rc = og_graph_head(g, target, &head, err)) != OG_OK) goto cleanup;
  if (head != tm->version) {
    *retry = true;
    rc = og_err_set(err, OG_ECONFLICT, "stale view — refresh and retry: branch '%s' moved during "
                    "the merge", target);
    goto cleanup;
  }
  og_commit_ref mp = {sm->commit.commit_id, sm->branch, sm->generation, sm->version};
  og_commit_opts co = {"merge", o ? o->actor : NULL, o ? o->message : NULL, &mp};
  og_snapshot *after = NULL;
  rc = og_graph_commit(w, &co, &after, err);
  if (rc == OG_ECONFLICT) {
    *retry = true;
    goto cleanup;
  }
  if (rc != OG_OK) goto cleanup;
  const og_manifest *am = og_snapshot_manifest(after);
  snprintf(res->commit_id, sizeof res->commit_id, "%s", am->commit.commit_id);
  res->version = am->version;
  og_snapshot_free(after);
  (void)OG_FAILPOINT(OG_FP_MERGE_AFTER_COMMIT, NULL);
cleanup:
  mctx_dispose(&c);
  og_manifest_free(basem);
  og_buf_dispose(&schema);
  og_graph_write_free(w);
  return rc;
}

og_status og_graph_merge(og_graph *g, const char *source, const char *target,
                         const og_graph_merge_opts *opts, og_graph_merge_result *out,
                         og_error *err) {
  memset(out, 0, sizeof *out);
  if (!source || !target || !*source || !*target)
    return og_err_set(err, OG_EINVAL, "branch name cannot be empty");
  if (og_str_eq(source, target))
    return og_err_set(err, OG_EINVAL, "branch_merge requires distinct source and target branches");
  for (unsigned attempt = 0;; attempt++) {
    bool retry = false;
    out->attempts = attempt + 1;
    og_status rc = merge_once(g, source, target, opts, out, &retry, err);
    if (!retry) return rc;
    /* a writer committed on the target after the pin: recompute against
     * the new head (M4) */
    if (attempt + 1 >= MERGE_MAX_ATTEMPTS) return rc;
    og_merge_conflicts_dispose(&out->conflicts);
    out->tables_adopted = out->tables_merged = 0;
    out->rows_read = out->rows_written = 0;
    og_err_clear(err);
    og_graph_backoff(attempt);
  }
}
