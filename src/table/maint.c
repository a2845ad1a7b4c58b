/*
 * maint.c — content-preserving compaction and rebase of row changes over a
 * content-preserving drift (DESIGN.md §3.3 "benign drift", §3.5).
 */
#include <string.h>

#include "table/table_int.h"

/*==================== compaction ====================*/

typedef OG_VEC(uint64_t) u64vec;

/* Read the live rows of fragments [lo, hi) of t into all/ids. */
static og_status gather_live(og_table *t, size_t lo, size_t hi, og_batch *all, u64vec *ids,
                             og_error *err) {
  og_status rc = OG_OK;
  og_batch tmp = OG_BATCH_INIT;
  uint32_t *sel = NULL;
  size_t sel_cap = 0;
  if ((rc = og_batch_init(&tmp, &t->schema, err)) != OG_OK) return rc;
  for (size_t i = lo; i < hi; i++) {
    const og_fragmeta *m = &t->frags[i];
    const og_footer *f;
    const uint64_t *rids;
    const roaring_bitmap_t *dv;
    if ((rc = og_table_frag_footer(t, i, &f, err)) != OG_OK) goto cleanup;
    if ((rc = og_table_frag_rowids(t, i, &rids, err)) != OG_OK) goto cleanup;
    if ((rc = og_table_frag_dv(t, i, &dv, err)) != OG_OK) goto cleanup;
    og_batch_clear(&tmp);
    for (size_t c = 0; c < tmp.ncols; c++)
      if ((rc = og_frag_read_column(t->st, m->key, f, c, &tmp.cols[c], err)) != OG_OK) goto cleanup;
    if (og_array_reserve((void **)&sel, &sel_cap, (size_t)m->rows, sizeof *sel) != OG_OK) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    size_t n = 0;
    for (uint64_t r = 0; r < m->rows; r++) {
      if (dv && roaring_bitmap_contains(dv, (uint32_t)r)) continue;
      sel[n++] = (uint32_t)r;
      if (OG_VEC_PUSH(ids, rids[r]) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
    }
    for (size_t c = 0; c < tmp.ncols; c++)
      if (og_column_take(&all->cols[c], &tmp.cols[c], sel, n) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  }
cleanup:
  og_batch_dispose(&tmp);
  og_free(sel);
  return rc;
}

og_status og_table_compact(og_table *base, const og_compact_opts *opts, og_table **out,
                           bool *changed_out, og_error *err) {
  og_status rc = OG_OK;
  og_table *t = NULL;
  size_t *group = NULL;      /* group id + 1 per fragment, 0 = kept as is */
  size_t *gstart = NULL;     /* per group: index in t->frags of its first new fragment */
  size_t *gend = NULL;
  og_fragmeta *nf = NULL;
  og_batch all = OG_BATCH_INIT;
  u64vec ids = OG_VEC_INIT;
  uint32_t *perm = NULL;
  uint64_t *sorted = NULL;
  uint32_t target = opts && opts->target_rows ? opts->target_rows : 65536;
  double ratio = opts && opts->max_deleted_ratio > 0 ? opts->max_deleted_ratio : 0.1;
  *out = NULL;
  if (changed_out) *changed_out = false;
  size_t nfr = base->nfrags;
  group = og_calloc(nfr + 1, sizeof *group);
  if (!group) return og_err_oom(err);
  /* plan: runs of consecutive candidates, each closed at ~target live rows;
   * a run is worth rewriting if it merges >= 2 fragments or drops deletions */
  size_t ngroups = 0;
  {
    size_t i = 0;
    while (i < nfr) {
      const og_fragmeta *m = &base->frags[i];
      uint64_t live = m->rows - m->deleted;
      bool cand = live < target / 2 || (double)m->deleted > ratio * (double)m->rows;
      if (!cand) { i++; continue; }
      size_t j = i;
      uint64_t acc = 0;
      bool dels = false;
      while (j < nfr) {
        const og_fragmeta *q = &base->frags[j];
        uint64_t ql = q->rows - q->deleted;
        bool qc = ql < target / 2 || (double)q->deleted > ratio * (double)q->rows;
        if (!qc || (j > i && acc + ql > target)) break;
        acc += ql;
        dels |= q->deleted > 0;
        j++;
      }
      if (j - i >= 2 || dels) {
        ngroups++;
        for (size_t k = i; k < j; k++) group[k] = ngroups;
      }
      i = j;
    }
  }
  if (ngroups == 0) {
    *out = og_table_ref(base);
    goto cleanup;
  }
  if ((rc = og_table_derive(base, &t, err)) != OG_OK) goto cleanup;
  gstart = og_calloc(ngroups + 1, sizeof *gstart);
  gend = og_calloc(ngroups + 1, sizeof *gend);
  if (!gstart || !gend) { rc = og_err_oom(err); goto cleanup; }
  og_table_write_opts wo = {0};
  wo.max_fragment_rows = target;
  for (size_t g = 1; g <= ngroups; g++) {
    size_t lo = 0;
    while (group[lo] != g) lo++;
    size_t hi = lo;
    while (hi < nfr && group[hi] == g) hi++;
    og_batch_dispose(&all);
    ids.count = 0;
    if ((rc = og_batch_init(&all, &t->schema, err)) != OG_OK) goto cleanup;
    if ((rc = gather_live(t, lo, hi, &all, &ids, err)) != OG_OK) goto cleanup;
    og_free(perm);
    perm = NULL;
    if ((rc = og_table_sort_by_id(ids.items, ids.count, &perm, err)) != OG_OK) goto cleanup;
    og_free(sorted);
    sorted = og_malloc((ids.count ? ids.count : 1) * sizeof *sorted);
    if (!sorted) { rc = og_err_oom(err); goto cleanup; }
    for (size_t k = 0; k < ids.count; k++) sorted[k] = ids.items[perm[k]];
    gstart[g] = t->nfrags;
    if ((rc = og_table_write_rows(t, &all, perm, ids.count, sorted, &wo, err)) != OG_OK) goto cleanup;
    gend[g] = t->nfrags;
  }
  /* rebuild the fragment list: new fragments take their group's place */
  nf = og_calloc(t->nfrags + 1, sizeof *nf);
  if (!nf) { rc = og_err_oom(err); goto cleanup; }
  size_t w = 0;
  for (size_t i = 0; i < nfr; i++) {
    if (!group[i]) {
      nf[w++] = t->frags[i];
      continue;
    }
    size_t g = group[i];
    if (i == 0 || group[i - 1] != g)
      for (size_t k = gstart[g]; k < gend[g]; k++) {
        nf[w++] = t->frags[k];
        memset(&t->frags[k], 0, sizeof t->frags[k]);
      }
    og_fragmeta_dispose(&t->frags[i]);
  }
  og_free(t->frags);
  t->frags = nf;
  t->frags_cap = t->nfrags + 1;
  t->nfrags = w;
  nf = NULL;
  t->live_rows = 0;
  for (size_t i = 0; i < t->nfrags; i++) t->live_rows += t->frags[i].rows - t->frags[i].deleted;
  if (t->live_rows != base->live_rows) {
    rc = og_err_set(err, OG_ERROR, "table: compaction changed the live row count");
    goto cleanup;
  }
  if ((rc = og_table_save(t, err)) != OG_OK) goto cleanup;
  *out = t;
  t = NULL;
  if (changed_out) *changed_out = true;
cleanup:
  og_table_free(t);
  og_free(group);
  og_free(gstart);
  og_free(gend);
  og_free(nf);
  og_batch_dispose(&all);
  OG_VEC_FREE(&ids);
  og_free(perm);
  og_free(sorted);
  return rc;
}

/*==================== rebase ====================*/

static bool same_schema(const og_table_schema *a, const og_table_schema *b) {
  if (a->ncols != b->ncols || a->key_col != b->key_col) return false;
  for (size_t i = 0; i < a->ncols; i++) {
    const og_colspec *x = &a->cols[i], *y = &b->cols[i];
    if (strcmp(x->name, y->name) || x->type != y->type || x->elem != y->elem || x->dim != y->dim ||
        x->nullable != y->nullable)
      return false;
  }
  return true;
}

og_status og_table_rebase(og_table *base, og_table *ours, og_table *theirs, og_table **out,
                          og_error *err) {
  og_status rc = OG_OK;
  og_table *t = NULL;
  og_map base_keys = OG_MAP_INIT, ours_keys = OG_MAP_INIT;
  OG_VEC(uint64_t) del = OG_VEC_INIT;
  bool *dirty = NULL;
  *out = NULL;
  if (theirs->content_version != base->content_version) {
    rc = og_err_set(err, OG_ECONFLICT, "table: rows changed concurrently (content version %llu -> %llu)",
                    (unsigned long long)base->content_version,
                    (unsigned long long)theirs->content_version);
    og_err_details(err, "{\"expected_version\":%llu,\"actual_version\":%llu}",
                   (unsigned long long)base->content_version,
                   (unsigned long long)theirs->content_version);
    return rc;
  }
  if (!same_schema(&base->schema, &ours->schema) || !same_schema(&base->schema, &theirs->schema))
    return og_err_set(err, OG_ECONFLICT, "table: schema changed concurrently");
  for (size_t i = 0; i < base->nfrags; i++)
    if (og_map_sput(&base_keys, base->frags[i].key, (void *)(uintptr_t)(i + 1)) != OG_OK) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  for (size_t j = 0; j < ours->nfrags; j++)
    if (og_map_sput(&ours_keys, ours->frags[j].key, (void *)(uintptr_t)(j + 1)) != OG_OK) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  /* row ids ours deleted relative to base */
  for (size_t i = 0; i < base->nfrags; i++) {
    const og_fragmeta *bm = &base->frags[i];
    void *v;
    const roaring_bitmap_t *bdv, *odv = NULL;
    const uint64_t *rids;
    bool in_ours = og_map_sget(&ours_keys, bm->key, &v);
    size_t j = in_ours ? (size_t)(uintptr_t)v - 1 : 0;
    if (in_ours && strcmp(ours->frags[j].dv_key, bm->dv_key) == 0) continue;
    if ((rc = og_table_frag_dv(base, i, &bdv, err)) != OG_OK) goto cleanup;
    if ((rc = og_table_frag_rowids(base, i, &rids, err)) != OG_OK) goto cleanup;
    if (in_ours && (rc = og_table_frag_dv(ours, j, &odv, err)) != OG_OK) goto cleanup;
    for (uint64_t r = 0; r < bm->rows; r++) {
      if (bdv && roaring_bitmap_contains(bdv, (uint32_t)r)) continue;
      if (in_ours && !(odv && roaring_bitmap_contains(odv, (uint32_t)r))) continue;
      if (OG_VEC_PUSH(&del, rids[r]) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
    }
  }
  if ((rc = og_table_derive(theirs, &t, err)) != OG_OK) goto cleanup;
  /* ours' new objects may exist only in ours' store (a write's pack) */
  if (ours->st != t->st) {
    og_store_free(t->st);
    t->st = og_store_ref(ours->st);
  }
  t->content_version = ours->content_version;
  t->next_row_id = ours->next_row_id > theirs->next_row_id ? ours->next_row_id : theirs->next_row_id;
  dirty = og_calloc(t->nfrags + 1, sizeof *dirty);
  if (!dirty) { rc = og_err_oom(err); goto cleanup; }
  rc = og_table_mark_deleted(t, del.items, del.count, false, dirty, NULL, err);
  if (rc == OG_ENOTFOUND) {
    rc = og_err_set(err, OG_ECONFLICT, "table: a row deleted by this write is gone from the new head");
    goto cleanup;
  }
  if (rc != OG_OK) goto cleanup;
  if ((rc = og_table_flush_dvs(t, dirty, err)) != OG_OK) goto cleanup;
  /* fragments ours added */
  for (size_t j = 0; j < ours->nfrags; j++) {
    void *v;
    const og_fragmeta *om = &ours->frags[j];
    if (og_map_sget(&base_keys, om->key, &v)) continue;
    if (og_array_reserve((void **)&t->frags, &t->frags_cap, t->nfrags + 1, sizeof *t->frags) != OG_OK) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    og_fragmeta *m = &t->frags[t->nfrags];
    memset(m, 0, sizeof *m);
    m->key = og_strdup(om->key);
    m->dv_key = og_strdup(om->dv_key);
    m->kidx_key = og_strdup(om->kidx_key);
    m->rows = om->rows;
    m->min_rowid = om->min_rowid;
    m->max_rowid = om->max_rowid;
    m->bytes = om->bytes;
    m->deleted = om->deleted;
    t->nfrags++;
    if (!m->key || !m->dv_key || !m->kidx_key) { rc = og_err_oom(err); goto cleanup; }
    t->live_rows += om->rows - om->deleted;
  }
  if ((rc = og_table_save(t, err)) != OG_OK) goto cleanup;
  *out = t;
  t = NULL;
cleanup:
  og_table_free(t);
  og_map_dispose(&base_keys);
  og_map_dispose(&ours_keys);
  OG_VEC_FREE(&del);
  og_free(dirty);
  return rc;
}

/*==================== schema change ====================*/

og_status og_table_alter(og_table *base, const char *new_prefix, const og_table_schema *schema,
                         const int *src_cols, og_table **out, og_error *err) {
  og_status rc;
  og_table *t = NULL;
  og_batch old = OG_BATCH_INIT, nb = OG_BATCH_INIT;
  u64vec ids = OG_VEC_INIT;
  *out = NULL;
  if ((rc = og_table_schema_check(schema, err)) != OG_OK) return rc;
  if (new_prefix && (!new_prefix[0] || !og_store_key_valid(new_prefix) || og_str_endswith(new_prefix, "/")))
    return og_err_set(err, OG_EINVAL, "table: invalid prefix '%s'", new_prefix);
  bool same_prefix = !new_prefix || strcmp(new_prefix, base->prefix) == 0;
  bool meta_only = same_prefix && schema->ncols == base->schema.ncols &&
                   schema->key_col == base->schema.key_col;
  for (size_t i = 0; i < schema->ncols; i++) {
    const og_colspec *nc = &schema->cols[i];
    int sc = src_cols[i];
    if (sc < 0) {
      if (!nc->nullable && base->live_rows)
        return og_err_set(err, OG_ECONSTRAINT, "table: new column '%s' must be nullable", nc->name);
      meta_only = false;
      continue;
    }
    if ((size_t)sc >= base->schema.ncols)
      return og_err_set(err, OG_EINVAL, "table: source column %d out of range", sc);
    const og_colspec *oc = &base->schema.cols[sc];
    if (oc->type != nc->type || (oc->type == OG_COL_LIST && oc->elem != nc->elem) ||
        (oc->type == OG_COL_VECTOR && oc->dim != nc->dim))
      return og_err_set(err, OG_EUNSUPPORTED, "table: column '%s' cannot change type (%s -> %s)",
                        nc->name, og_coltype_name(oc->type), og_coltype_name(nc->type));
    if ((size_t)sc != i || oc->nullable != nc->nullable) meta_only = false;
  }
  if ((rc = og_table_derive(base, &t, err)) != OG_OK) return rc;
  t->content_version = base->content_version + 1;
  og_table_schema_dispose(&t->schema);
  if (og_table_schema_copy(&t->schema, schema) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  for (size_t i = 0; i < t->schema.ncols; i++) {
    if (t->schema.cols[i].type != OG_COL_LIST) t->schema.cols[i].elem = OG_COL_INVALID;
    if (t->schema.cols[i].type != OG_COL_VECTOR) t->schema.cols[i].dim = 0;
  }
  if (meta_only) goto save;
  if (new_prefix && !same_prefix) {
    char *p = og_strdup(new_prefix);
    if (!p) { rc = og_err_oom(err); goto cleanup; }
    og_free(t->prefix);
    t->prefix = p;
  }
  size_t nold = t->nfrags;
  og_fragmeta *oldf = t->frags;
  t->frags = NULL;
  t->nfrags = t->frags_cap = 0;
  t->live_rows = 0;
  for (size_t i = 0; i < nold; i++) og_fragmeta_dispose(&oldf[i]);
  og_free(oldf);
  for (size_t f = 0; f < base->nfrags; f++) {
    og_batch_dispose(&old);
    og_batch_dispose(&nb);
    ids.count = 0;
    if ((rc = og_batch_init(&old, &base->schema, err)) != OG_OK) goto cleanup;
    if ((rc = og_batch_init(&nb, schema, err)) != OG_OK) goto cleanup;
    if ((rc = gather_live(base, f, f + 1, &old, &ids, err)) != OG_OK) goto cleanup;
    size_t n = ids.count;
    if (n == 0) continue;
    for (size_t i = 0; i < schema->ncols; i++) {
      og_column *dst = &nb.cols[i];
      int sc = src_cols[i];
      if (sc < 0) {
        for (size_t r = 0; r < n; r++)
          if ((rc = og_column_push_null(dst, err)) != OG_OK) goto cleanup;
        continue;
      }
      og_column *src = &old.cols[sc];
      if (!schema->cols[i].nullable && src->null_count) {
        rc = og_err_set(err, OG_ECONSTRAINT, "table: column '%s' has nulls; it cannot become required",
                        schema->cols[i].name);
        goto cleanup;
      }
      if (og_column_take(dst, src, NULL, n) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
    }
    if ((rc = og_table_write_rows(t, &nb, NULL, n, ids.items, NULL, err)) != OG_OK) goto cleanup;
  }
  if (t->live_rows != base->live_rows) {
    rc = og_err_set(err, OG_ERROR, "table: alter changed the live row count");
    goto cleanup;
  }
save:
  if ((rc = og_table_save(t, err)) != OG_OK) goto cleanup;
  *out = t;
  t = NULL;
cleanup:
  og_table_free(t);
  og_batch_dispose(&old);
  og_batch_dispose(&nb);
  OG_VEC_FREE(&ids);
  return rc;
}
