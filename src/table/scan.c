/*
 * scan.c — streaming scans with projection and conjunctive predicates,
 * fragment pruning by footer min/max statistics, and delete-where.
 */
#include <string.h>

#include "table/table_int.h"

/*==================== comparisons ====================*/

typedef struct num {
  int kind; /* 0 signed, 1 unsigned, 2 float */
  int64_t i;
  uint64_t u;
  double f;
} num;

static num num_i(int64_t v) { num n = {0, v, 0, 0}; return n; }
static num num_u(uint64_t v) { num n = {1, 0, v, 0}; return n; }
static num num_f(double v) { num n = {2, 0, 0, v}; return n; }

static double num_as_f(num a) { return a.kind == 0 ? (double)a.i : a.kind == 1 ? (double)a.u : a.f; }

/* -1/0/1, or 2 when unordered (NaN). */
static int num_cmp(num a, num b) {
  if (a.kind == 2 || b.kind == 2) {
    double x = num_as_f(a), y = num_as_f(b);
    if (x != x || y != y) return 2;
    return x < y ? -1 : x > y;
  }
  if (a.kind == 0 && b.kind == 0) return a.i < b.i ? -1 : a.i > b.i;
  if (a.kind == 1 && b.kind == 1) return a.u < b.u ? -1 : a.u > b.u;
  if (a.kind == 0) { /* signed vs unsigned */
    if (a.i < 0) return -1;
    uint64_t x = (uint64_t)a.i;
    return x < b.u ? -1 : x > b.u;
  }
  if (b.i < 0) return 1;
  uint64_t y = (uint64_t)b.i;
  return a.u < y ? -1 : a.u > y;
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn) {
  int c = an && bn ? memcmp(a, b, an < bn ? an : bn) : 0;
  if (c) return c < 0 ? -1 : 1;
  return an < bn ? -1 : an > bn;
}

static bool is_numeric(og_coltype t) {
  return og_coltype_fixed(t) && t != OG_COL_BOOL;
}

static num lit_num(const og_cell *v) {
  switch (v->kind) {
  case OG_CELL_INT: return num_i(v->v.i);
  case OG_CELL_UINT: return num_u(v->v.u);
  case OG_CELL_F64: return num_f(v->v.f);
  case OG_CELL_BOOL: return num_i(v->v.b ? 1 : 0);
  default: break;
  }
  return num_i(0);
}

static num cell_num(const og_column *c, size_t r) {
  switch (c->type) {
  case OG_COL_U64: return num_u(og_column_get_u64(c, r));
  case OG_COL_F32: case OG_COL_F64: return num_f(og_column_get_f64(c, r));
  default: return num_i(og_column_get_i64(c, r));
  }
}

static bool cmp_ok(og_cmp op, int c) {
  if (c == 2) return op == OG_CMP_NE;
  switch (op) {
  case OG_CMP_EQ: return c == 0;
  case OG_CMP_NE: return c != 0;
  case OG_CMP_LT: return c < 0;
  case OG_CMP_LE: return c <= 0;
  case OG_CMP_GT: return c > 0;
  case OG_CMP_GE: return c >= 0;
  default: return false;
  }
}

static bool pred_match_col(const og_column *c, size_t r, const og_pred *p) {
  bool null = og_column_is_null(c, r);
  if (p->op == OG_CMP_IS_NULL) return null;
  if (p->op == OG_CMP_NOT_NULL) return !null;
  if (null) return false;
  int k;
  if (og_coltype_is_varlen(c->type)) {
    size_t n;
    const char *s = og_column_get_bytes(c, r, &n);
    k = bytes_cmp(s, n, p->lit.v.s.p, p->lit.v.s.n);
  } else if (og_coltype_fixed(c->type)) {
    k = num_cmp(cell_num(c, r), lit_num(&p->lit));
  } else {
    return false;
  }
  return cmp_ok(p->op, k);
}

bool og_pred_match(const og_batch *b, size_t row, const og_pred *preds, size_t npreds) {
  for (size_t i = 0; i < npreds; i++) {
    int pos = og_batch_find(b, preds[i].col);
    if (pos < 0 || !pred_match_col(&b->cols[pos], row, &preds[i])) return false;
  }
  return true;
}

static og_status pred_check(const og_table_schema *s, const og_pred *p, og_error *err) {
  if (p->col >= s->ncols) return og_err_set(err, OG_EINVAL, "scan: predicate column %u out of range", p->col);
  if (p->op < OG_CMP_EQ || p->op > OG_CMP_NOT_NULL)
    return og_err_set(err, OG_EINVAL, "scan: bad predicate operator");
  if (p->op == OG_CMP_IS_NULL || p->op == OG_CMP_NOT_NULL) return OG_OK;
  og_coltype t = s->cols[p->col].type;
  og_cellkind k = p->lit.kind;
  bool ok = false;
  if (is_numeric(t)) ok = k == OG_CELL_INT || k == OG_CELL_UINT || k == OG_CELL_F64;
  else if (t == OG_COL_BOOL) ok = k == OG_CELL_BOOL;
  else if (og_coltype_is_varlen(t)) ok = k == OG_CELL_BYTES;
  if (!ok)
    return og_err_set(err, OG_ETYPE, "scan: cannot compare %s column '%s' with this literal",
                      og_coltype_name(t), s->cols[p->col].name);
  return OG_OK;
}

/* Could a value within [min, max] (as far as known) satisfy the comparison?
 * IS_NULL / NOT_NULL are handled by the callers. */
static bool range_may_match(og_coltype type, const og_colstats *s, const og_pred *p) {
  int cmin = 3, cmax = 3; /* 3 = unknown */
  if (type == OG_COL_STRING) {
    if (s->flags & OG_STAT_MIN) cmin = bytes_cmp(s->smin, s->sminlen, p->lit.v.s.p, p->lit.v.s.n);
    if (s->flags & OG_STAT_MAX) cmax = bytes_cmp(s->smax, s->smaxlen, p->lit.v.s.p, p->lit.v.s.n);
  } else if (og_coltype_fixed(type)) {
    num lit = lit_num(&p->lit);
    num mn, mx;
    if (type == OG_COL_U64) { mn = num_u(s->umin); mx = num_u(s->umax); }
    else if (type == OG_COL_F32 || type == OG_COL_F64) { mn = num_f(s->fmin); mx = num_f(s->fmax); }
    else { mn = num_i(s->imin); mx = num_i(s->imax); }
    if (s->flags & OG_STAT_MIN) cmin = num_cmp(mn, lit);
    if (s->flags & OG_STAT_MAX) cmax = num_cmp(mx, lit);
    if (cmin == 2) cmin = 3;
    if (cmax == 2) cmax = 3;
  } else {
    return true;
  }
  switch (p->op) {
  case OG_CMP_EQ: return !((cmin != 3 && cmin > 0) || (cmax != 3 && cmax < 0));
  case OG_CMP_LT: return !(cmin != 3 && cmin >= 0);
  case OG_CMP_LE: return !(cmin != 3 && cmin > 0);
  case OG_CMP_GT: return !(cmax != 3 && cmax <= 0);
  case OG_CMP_GE: return !(cmax != 3 && cmax < 0);
  case OG_CMP_NE:
    if (type == OG_COL_F32 || type == OG_COL_F64) return true; /* NaN != x */
    return !(cmin == 0 && cmax == 0);
  default: return true;
  }
}

/* Could any row of the fragment satisfy p, judging by the footer stats? */
static bool stats_may_match(const og_footer *f, const og_pred *p) {
  const og_colmeta *m = &f->cols[p->col];
  if (p->op == OG_CMP_IS_NULL) return m->null_count > 0;
  if (p->op == OG_CMP_NOT_NULL) return m->null_count < f->rows;
  if (m->null_count == f->rows) return false;
  return range_may_match(m->type, &m->stats, p);
}

/* Same for one page (pages carry min/max but no null count). */
static bool page_may_match(og_coltype type, const og_colstats *s, const og_pred *p) {
  if (p->op == OG_CMP_IS_NULL || p->op == OG_CMP_NOT_NULL) return true;
  if (og_coltype_fixed(type) && s->flags == 0) /* every value null (or NaN) */
    return p->op == OG_CMP_NE && (type == OG_COL_F32 || type == OG_COL_F64);
  return range_may_match(type, s, p);
}

/*==================== scans ====================*/

struct og_scan {
  og_table *t;
  og_pred *preds;
  size_t npreds;
  int *pred_pos;       /* position of each predicate's column in work */
  bool *is_pred_col;   /* per work column */
  int *proj_pos;       /* position of each projected column in work */
  og_batch work, out;
  uint32_t *sel, *selk, *cand;
  uint8_t *mark;
  size_t sel_cap;
  size_t frag;
  og_arena lits;
  og_buf span, raw; /* read scratch, reused fragment after fragment */
};

void og_scan_free(og_scan *s) {
  if (!s) return;
  og_table_free(s->t);
  og_free(s->preds);
  og_free(s->pred_pos);
  og_free(s->is_pred_col);
  og_free(s->proj_pos);
  og_batch_dispose(&s->work);
  og_batch_dispose(&s->out);
  og_buf_dispose(&s->span);
  og_buf_dispose(&s->raw);
  og_free(s->sel);
  og_free(s->selk);
  og_free(s->cand);
  og_free(s->mark);
  og_arena_dispose(&s->lits);
  og_free(s);
}

og_status og_table_scan(og_table *t, const og_scan_opts *opts, og_scan **out, og_error *err) {
  og_status rc = OG_OK;
  og_scan *s = NULL;
  uint32_t *wcols = NULL, *allcols = NULL;
  og_scan_opts none = {0};
  *out = NULL;
  if (!opts) opts = &none;
  const uint32_t *proj = opts->cols;
  size_t nproj = opts->ncols;
  if (!proj) {
    nproj = t->schema.ncols;
    allcols = og_malloc((nproj ? nproj : 1) * sizeof *allcols);
    if (!allcols) return og_err_oom(err);
    for (size_t i = 0; i < nproj; i++) allcols[i] = (uint32_t)i;
    proj = allcols;
  }
  for (size_t i = 0; i < nproj; i++)
    if (proj[i] >= t->schema.ncols) {
      rc = og_err_set(err, OG_EINVAL, "scan: projected column %u out of range", proj[i]);
      goto cleanup;
    }
  for (size_t i = 0; i < opts->npreds; i++)
    if ((rc = pred_check(&t->schema, &opts->preds[i], err)) != OG_OK) goto cleanup;
  s = og_calloc(1, sizeof *s);
  if (!s) { rc = og_err_oom(err); goto cleanup; }
  og_arena_init(&s->lits, 1024);
  s->t = og_table_ref(t);
  s->npreds = opts->npreds;
  size_t nw_cap = nproj + opts->npreds + 1;
  wcols = og_malloc(nw_cap * sizeof *wcols);
  s->preds = og_calloc(opts->npreds + 1, sizeof *s->preds);
  s->pred_pos = og_calloc(opts->npreds + 1, sizeof *s->pred_pos);
  s->proj_pos = og_calloc(nproj + 1, sizeof *s->proj_pos);
  if (!wcols || !s->preds || !s->pred_pos || !s->proj_pos) { rc = og_err_oom(err); goto cleanup; }
  size_t nw = 0;
  for (size_t i = 0; i < opts->npreds; i++) {
    s->preds[i] = opts->preds[i];
    if (s->preds[i].lit.kind == OG_CELL_BYTES && s->preds[i].lit.v.s.n) {
      char *copy = og_arena_memdup(&s->lits, s->preds[i].lit.v.s.p, s->preds[i].lit.v.s.n);
      if (!copy) { rc = og_err_oom(err); goto cleanup; }
      s->preds[i].lit.v.s.p = copy;
    }
    size_t k = 0;
    while (k < nw && wcols[k] != s->preds[i].col) k++;
    if (k == nw) wcols[nw++] = s->preds[i].col;
    s->pred_pos[i] = (int)k;
  }
  size_t npredcols = nw;
  for (size_t i = 0; i < nproj; i++) {
    size_t k = 0;
    while (k < nw && wcols[k] != proj[i]) k++;
    if (k == nw) wcols[nw++] = proj[i];
    s->proj_pos[i] = (int)k;
  }
  s->is_pred_col = og_calloc(nw + 1, sizeof *s->is_pred_col);
  if (!s->is_pred_col) { rc = og_err_oom(err); goto cleanup; }
  for (size_t k = 0; k < npredcols; k++) s->is_pred_col[k] = true;
  if ((rc = og_batch_init_cols(&s->work, &t->schema, wcols, nw, err)) != OG_OK) goto cleanup;
  if ((rc = og_batch_init_cols(&s->out, &t->schema, proj, nproj, err)) != OG_OK) goto cleanup;
  *out = s;
  s = NULL;
cleanup:
  og_scan_free(s);
  og_free(wcols);
  og_free(allcols);
  return rc;
}

og_status og_scan_next(og_scan *s, const og_batch **out, og_error *err) {
  og_status rc;
  og_table *t = s->t;
  *out = NULL;
  while (s->frag < t->nfrags) {
    size_t fi = s->frag++;
    const og_fragmeta *m = &t->frags[fi];
    const og_footer *f;
    if ((rc = og_table_frag_footer(t, fi, &f, err)) != OG_OK) return rc;
    bool may = true;
    for (size_t p = 0; p < s->npreds && may; p++) may = stats_may_match(f, &s->preds[p]);
    if (!may) continue;
    const roaring_bitmap_t *dv;
    const uint64_t *rids;
    if ((rc = og_table_frag_dv(t, fi, &dv, err)) != OG_OK) return rc;
    if ((rc = og_table_frag_rowids(t, fi, &rids, err)) != OG_OK) return rc;
    size_t n = (size_t)m->rows;
    if (n > s->sel_cap) {
      uint32_t *a = og_realloc(s->sel, n * sizeof *a);
      if (a) s->sel = a;
      uint32_t *b = og_realloc(s->selk, n * sizeof *b);
      if (b) s->selk = b;
      uint32_t *c = og_realloc(s->cand, n * sizeof *c);
      if (c) s->cand = c;
      uint8_t *d = og_realloc(s->mark, n);
      if (d) s->mark = d;
      if (!a || !b || !c || !d) return og_err_oom(err);
      s->sel_cap = n;
    }
    /* page statistics narrow the candidate rows */
    bool all = true;
    for (size_t p = 0; p < s->npreds; p++) {
      const og_pred *pr = &s->preds[p];
      const og_colmeta *cm = &f->cols[pr->col];
      uint64_t ps = 0;
      for (size_t pg = 0; pg < cm->npages; pg++) {
        uint32_t pr_rows = cm->pages[pg].rows;
        if (!page_may_match(cm->type, &cm->pages[pg].st, pr)) {
          if (all) memset(s->mark, 1, n);
          all = false;
          memset(s->mark + ps, 0, pr_rows);
        }
        ps += pr_rows;
      }
    }
    size_t ncand = 0;
    for (size_t r = 0; r < n; r++) {
      if (!all && !s->mark[r]) continue;
      if (dv && roaring_bitmap_contains(dv, (uint32_t)r)) continue;
      s->cand[ncand++] = (uint32_t)r;
    }
    if (ncand == 0) continue;
    og_batch_clear(&s->work);
    og_batch_clear(&s->out);
    /* predicate columns: whole (indexes = row offsets) or only candidate pages
     * (indexes = positions in cand) */
    for (size_t w = 0; w < s->work.ncols; w++) {
      if (!s->is_pred_col[w]) continue;
      rc = all ? og_frag_read_column_scratch(t->st, m->key, f, s->work.col_index[w], &s->work.cols[w], &s->span,
                                             &s->raw, err)
               : og_frag_read_rows(t->st, m->key, f, s->work.col_index[w], s->cand, ncand,
                                   &s->work.cols[w], err);
      if (rc != OG_OK) return rc;
    }
    size_t nsel = 0;
    for (size_t k = 0; k < ncand; k++) {
      uint32_t r = s->cand[k];
      uint32_t idx = all ? r : (uint32_t)k;
      bool ok = true;
      for (size_t p = 0; p < s->npreds && ok; p++)
        ok = pred_match_col(&s->work.cols[s->pred_pos[p]], idx, &s->preds[p]);
      if (ok) {
        s->sel[nsel] = r;
        s->selk[nsel] = idx;
        nsel++;
      }
    }
    if (nsel == 0) continue;
    for (size_t j = 0; j < s->out.ncols; j++) {
      int w = s->proj_pos[j];
      og_column *dst = &s->out.cols[j];
      if (s->is_pred_col[w]) {
        if (og_column_take(dst, &s->work.cols[w], all && nsel == n ? NULL : s->selk, nsel) != OG_OK)
          return og_err_oom(err);
      } else if (nsel == n) {
        if ((rc = og_frag_read_column_scratch(t->st, m->key, f, s->out.col_index[j], dst, &s->span, &s->raw, err)) !=
            OG_OK)
          return rc;
      } else if ((rc = og_frag_read_rows(t->st, m->key, f, s->out.col_index[j], s->sel, nsel, dst, err)) != OG_OK) {
        return rc;
      }
    }
    if (og_array_reserve((void **)&s->out.rowids.items, &s->out.rowids.cap, nsel,
                         sizeof(uint64_t)) != OG_OK)
      return og_err_oom(err);
    for (size_t i = 0; i < nsel; i++) s->out.rowids.items[i] = rids[s->sel[i]];
    s->out.rowids.count = nsel;
    *out = &s->out;
    return OG_OK;
  }
  return OG_OK;
}

og_status og_table_delete_where(og_table *base, const og_pred *preds, size_t npreds,
                                og_table **out, uint64_t *deleted_out, og_error *err) {
  og_status rc;
  og_scan *s = NULL;
  OG_VEC(uint64_t) ids = OG_VEC_INIT;
  uint32_t nocols = 0;
  og_scan_opts o = {&nocols, 0, preds, npreds};
  *out = NULL;
  if ((rc = og_table_scan(base, &o, &s, err)) != OG_OK) goto cleanup;
  for (;;) {
    const og_batch *b;
    if ((rc = og_scan_next(s, &b, err)) != OG_OK) goto cleanup;
    if (!b) break;
    for (size_t i = 0; i < b->rowids.count; i++)
      if (OG_VEC_PUSH(&ids, b->rowids.items[i]) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  }
  og_table_change c = {0};
  c.deletes = ids.items;
  c.ndeletes = ids.count;
  if ((rc = og_table_apply(base, &c, NULL, out, NULL, err)) != OG_OK) goto cleanup;
  if (deleted_out) *deleted_out = ids.count;
cleanup:
  og_scan_free(s);
  OG_VEC_FREE(&ids);
  return rc;
}
