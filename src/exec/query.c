/*
 * query.c — the read-query executor (spec languages.md §5, data.md §8–§9).
 *
 * Row model. A row set is a table of row ids, one column ("slot") per query
 * variable (UINT64_MAX = unbound), plus a multiplicity per row. Properties
 * are not carried in rows: they are hydrated on demand per node table (one
 * og_table_fetch of the distinct row ids a step needs, kept for the rest of
 * the query). When a step leaves a variable that no later step reads, that
 * slot is cleared and equal rows are merged by adding their multiplicities,
 * so counting paths over k hops costs frontier sizes, not path counts
 * (DESIGN.md §3.7). Multiplicities are expanded back only at projection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/read_int.h"

#define UNBOUND UINT64_MAX

typedef struct xtab {
  const og_type *type;
  og_table *table;
  const og_table_schema *schema;
  uint32_t *cols;   /* hydrated columns (table indexes) */
  size_t ncols;
  int *colpos;      /* table column -> position in cols, or -1 */
  OG_VEC(og_batch *) batches;
  og_u64map rowmap; /* rowid -> batch << 32 | row (sparse row-id spaces) */
  uint64_t *loc;    /* dense: loc[rowid] = (batch << 32 | row) + 1, 0 = not hydrated */
  const char *last_prop; /* memo of the last property name looked up (pointer identity) */
  int last_k;
  size_t nloc;
  og_nodeidx *nidx;
  const og_nodeidx *ids; /* borrowed from a CSR this query holds: node ids without a fetch */
} xtab;

typedef struct xslot {
  const char *name;
  xtab *tab;
} xslot;
typedef OG_VEC(xslot) xslotvec;

typedef struct xrows {
  size_t n, cap;
  uint64_t *ids; /* n × nslots */
  uint64_t *w;   /* multiplicities */
  size_t *org;   /* origin row (anti-join inner runs), or NULL */
} xrows;

typedef struct xmemo {
  const og_qir_op *op;
  OG_VEC(uint64_t) ids;
} xmemo;

typedef struct xgraph {
  const og_type *edge;
  og_csr *csr;
} xgraph;

typedef struct xctx {
  og_xcache *cache;
  og_snapshot *snap;
  const og_catalog *cat;
  const og_qdecl *decl;
  const og_qtyped *typed;
  const og_qparams *params;
  og_error *err;
  og_arena arena; /* values, literals */
  xslot *slots;
  size_t nslots;
  OG_VEC(xtab *) tabs;
  OG_VEC(xmemo *) memos;
  OG_VEC(xgraph) graphs;
  uint32_t *vis, *rep;
  size_t scratch_cap;
  uint32_t stamp;
} xctx;

/*==================== small helpers ====================*/

static og_status oom(xctx *c) { return og_err_oom(c->err); }

static int slot_of(const xctx *c, const char *name) {
  if (!name) return -1;
  for (size_t i = 0; i < c->nslots; i++)
    if (strcmp(c->slots[i].name, name) == 0) return (int)i;
  return -1;
}

static bool is_param(const xctx *c, const char *name) {
  for (size_t i = 0; i < c->decl->n_params; i++)
    if (strcmp(c->decl->params[i].name, name) == 0) return true;
  return slot_of(c, name) < 0;
}

static const char *search_fn_name(og_qexpr_kind k) {
  switch (k) {
    case OG_QE_NEAREST: return "nearest";
    case OG_QE_SEARCH: return "search";
    case OG_QE_FUZZY: return "fuzzy";
    case OG_QE_MATCH_TEXT: return "match_text";
    case OG_QE_BM25: return "bm25";
    case OG_QE_RRF: return "rrf";
    default: return NULL;
  }
}

static og_status unsupported(xctx *c, const char *fn) {
  return og_err_set(c->err, OG_EUNSUPPORTED,
                    "%s() is not supported by this build yet (search functions arrive in a later "
                    "milestone)", fn);
}

/*==================== values ====================*/

static og_status qval_to_x(og_arena *a, const og_qval *q, og_xval *out) {
  memset(out, 0, sizeof *out);
  switch (q->kind) {
    case OG_QV_NULL: out->kind = OG_XV_NULL; break;
    case OG_QV_STRING: out->kind = OG_XV_STRING; out->v.s.p = q->s; out->v.s.n = q->len; break;
    case OG_QV_INT: out->kind = OG_XV_INT; out->v.i = q->i; break;
    case OG_QV_FLOAT: out->kind = OG_XV_FLOAT; out->v.f = q->f; break;
    case OG_QV_BOOL: out->kind = OG_XV_BOOL; out->v.b = q->b; break;
    case OG_QV_DATE: out->kind = OG_XV_DATE; out->v.i = q->i; break;
    case OG_QV_DATETIME: out->kind = OG_XV_DATETIME; out->v.i = q->i; break;
    case OG_QV_LIST: {
      og_xval *items = og_arena_alloc(a, (q->n_items ? q->n_items : 1) * sizeof *items);
      if (!items) return OG_ENOMEM;
      for (size_t i = 0; i < q->n_items; i++)
        if (qval_to_x(a, &q->items[i], &items[i])) return OG_ENOMEM;
      out->kind = OG_XV_LIST;
      out->v.l.items = items;
      out->v.l.n = q->n_items;
      break;
    }
  }
  return OG_OK;
}

static og_status param_value(xctx *c, const char *name, og_xval *out) {
  const og_qval *q = og_qparams_get(c->params, name);
  if (!q) return og_err_set(c->err, OG_EINVAL, "parameter '%s' not provided", name);
  return qval_to_x(&c->arena, q, out) ? oom(c) : OG_OK;
}

static og_status lit_value(xctx *c, const og_qlit *l, og_xval *out) {
  og_qval q;
  og_status rc = og_qlit_value(&c->arena, l, &q, c->err);
  if (rc) return rc;
  return qval_to_x(&c->arena, &q, out) ? oom(c) : OG_OK;
}

static og_status qvalue(xctx *c, const og_qvalue *v, og_xval *out) {
  switch (v->kind) {
    case OG_QVAL_LIT: return lit_value(c, &v->lit, out);
    case OG_QVAL_VAR: return param_value(c, v->var, out);
    case OG_QVAL_NOW: return param_value(c, OG_QNOW_PARAM, out);
  }
  return OG_OK;
}

/* Value of one cell of a hydrated column. */
static og_status col_value(og_arena *a, const og_column *col, size_t row, og_xval *out) {
  memset(out, 0, sizeof *out);
  if (og_column_is_null(col, row)) return OG_OK;
  switch (col->type) {
    case OG_COL_BOOL: out->kind = OG_XV_BOOL; out->v.b = og_column_get_bool(col, row); break;
    case OG_COL_I32: case OG_COL_I64: case OG_COL_U32:
      out->kind = OG_XV_INT; out->v.i = og_column_get_i64(col, row); break;
    case OG_COL_U64: out->kind = OG_XV_UINT; out->v.u = og_column_get_u64(col, row); break;
    case OG_COL_F32: case OG_COL_F64:
      out->kind = OG_XV_FLOAT;
      out->v.f = og_column_get_f64(col, row);
      out->f32 = col->type == OG_COL_F32;
      break;
    case OG_COL_DATE: out->kind = OG_XV_DATE; out->v.i = og_column_get_i64(col, row); break;
    case OG_COL_DATETIME: out->kind = OG_XV_DATETIME; out->v.i = og_column_get_i64(col, row); break;
    case OG_COL_STRING:
      out->kind = OG_XV_STRING;
      out->v.s.p = og_column_get_bytes(col, row, &out->v.s.n);
      break;
    case OG_COL_VECTOR: {
      const float *f = og_column_get_vector(col, row);
      og_xval *items = og_arena_alloc(a, (col->dim ? col->dim : 1) * sizeof *items);
      if (!items) return OG_ENOMEM;
      for (uint32_t i = 0; i < col->dim; i++) {
        float x;
        memcpy(&x, f + i, sizeof x);
        items[i] = (og_xval){.kind = OG_XV_FLOAT, .f32 = true, .v.f = x};
      }
      out->kind = OG_XV_LIST;
      out->v.l.items = items;
      out->v.l.n = col->dim;
      break;
    }
    case OG_COL_LIST: {
      size_t n = og_column_list_len(col, row);
      og_xval *items = og_arena_alloc(a, (n ? n : 1) * sizeof *items);
      if (!items) return OG_ENOMEM;
      for (size_t i = 0; i < n; i++) {
        og_xval *it = &items[i];
        memset(it, 0, sizeof *it);
        switch (col->elem) {
          case OG_COL_BOOL: it->kind = OG_XV_BOOL; it->v.b = og_column_list_get_i64(col, row, i) != 0; break;
          case OG_COL_U64: it->kind = OG_XV_UINT; it->v.u = og_column_list_get_u64(col, row, i); break;
          case OG_COL_F32: case OG_COL_F64:
            it->kind = OG_XV_FLOAT;
            it->v.f = og_column_list_get_f64(col, row, i);
            it->f32 = col->elem == OG_COL_F32;
            break;
          case OG_COL_DATE: it->kind = OG_XV_DATE; it->v.i = og_column_list_get_i64(col, row, i); break;
          case OG_COL_DATETIME: it->kind = OG_XV_DATETIME; it->v.i = og_column_list_get_i64(col, row, i); break;
          case OG_COL_STRING:
            it->kind = OG_XV_STRING;
            it->v.s.p = og_column_list_get_bytes(col, row, i, &it->v.s.n);
            break;
          case OG_COL_BLOB: break;
          default: it->kind = OG_XV_INT; it->v.i = og_column_list_get_i64(col, row, i); break;
        }
      }
      out->kind = OG_XV_LIST;
      out->v.l.items = items;
      out->v.l.n = n;
      break;
    }
    case OG_COL_BLOB: /* blobs project as null (read through the blob API) */
    default: break;
  }
  return OG_OK;
}

/*==================== tables and hydration ====================*/

static og_status get_tab(xctx *c, const char *type_name, xtab **out) {
  for (size_t i = 0; i < c->tabs.count; i++)
    if (strcmp(c->tabs.items[i]->type->name, type_name) == 0) {
      *out = c->tabs.items[i];
      return OG_OK;
    }
  const og_type *t = og_catalog_node(c->cat, type_name);
  if (!t) return og_err_set(c->err, OG_ENOTFOUND, "unknown node type '%s'", type_name);
  xtab *x = og_calloc(1, sizeof *x);
  if (!x || OG_VEC_PUSH(&c->tabs, x)) {
    og_free(x);
    return oom(c);
  }
  x->type = t;
  char key[512];
  og_exec_table_key(t, key, sizeof key);
  og_status rc = og_snapshot_table(c->snap, key, &x->table, c->err);
  if (rc) return rc;
  x->schema = og_table_schema_get(x->table);
  x->colpos = og_malloc((x->schema->ncols ? x->schema->ncols : 1) * sizeof *x->colpos);
  x->cols = og_malloc((x->schema->ncols ? x->schema->ncols : 1) * sizeof *x->cols);
  if (!x->colpos || !x->cols) return oom(c);
  for (size_t i = 0; i < x->schema->ncols; i++) x->colpos[i] = -1;
  *out = x;
  return OG_OK;
}

static void tab_free(xctx *c, xtab *x) {
  if (!x) return;
  for (size_t i = 0; i < x->batches.count; i++) {
    og_batch_dispose(x->batches.items[i]);
    og_free(x->batches.items[i]);
  }
  OG_VEC_FREE(&x->batches);
  og_u64map_dispose(&x->rowmap);
  og_free(x->loc);
  og_xcache_release_nodeidx(c->cache, x->nidx);
  og_free(x->colpos);
  og_free(x->cols);
  og_table_free(x->table);
  og_free(x);
}

static void need_col(xtab *x, const char *prop) {
  int k = og_table_schema_find(x->schema, prop);
  if (k < 0 || x->colpos[k] >= 0) return;
  if (x->schema->cols[k].type == OG_COL_BLOB) return; /* never read */
  x->colpos[k] = (int)x->ncols;
  x->cols[x->ncols++] = (uint32_t)k;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Where a hydrated row lives. Row ids are below next_row_id, so a dense
 * array is used unless the id space is much larger than the live rows. */
#define LOC_PENDING UINT64_MAX
static bool loc_get(const xtab *x, uint64_t id, uint64_t *v) {
  if (x->loc) {
    if (id >= x->nloc || !x->loc[id] || x->loc[id] == LOC_PENDING) return false;
    *v = x->loc[id] - 1;
    return true;
  }
  return og_u64map_get(&x->rowmap, id, v);
}

static og_status loc_init(xctx *c, xtab *x) {
  if (x->loc || x->rowmap.count) return OG_OK;
  uint64_t next = og_table_next_row_id(x->table), live = og_table_row_count(x->table);
  if (next > ((uint64_t)1 << 26) && next > live * 4) return OG_OK;
  x->nloc = (size_t)next;
  x->loc = og_calloc(x->nloc + 1, sizeof *x->loc);
  return x->loc ? OG_OK : oom(c);
}

/* Make sure every row id bound in `slot` is hydrated. */
static og_status hydrate(xctx *c, const xrows *r, int slot) {
  if (slot < 0) return OG_OK;
  xtab *x = c->slots[slot].tab;
  if (!x || !x->ncols) return OG_OK;
  if (x->ids && x->ncols == 1 && x->cols[0] == 0) return OG_OK; /* ids come from the index */
  OG_VEC(uint64_t) miss = OG_VEC_INIT;
  og_u64map seen = OG_U64MAP_INIT;
  og_status rc = OG_OK;
  og_batch *b = NULL;
  if ((rc = loc_init(c, x))) return rc;
  for (size_t i = 0; i < r->n; i++) {
    uint64_t id = r->ids[i * c->nslots + (size_t)slot], v;
    if (id == UNBOUND) continue;
    if (x->loc) {
      if (id >= x->nloc || x->loc[id]) continue;
      x->loc[id] = LOC_PENDING;
    } else {
      if (og_u64map_get(&x->rowmap, id, &v) || og_u64map_get(&seen, id, &v)) continue;
      if (og_u64map_put(&seen, id, 1)) {
        rc = oom(c);
        goto cleanup;
      }
    }
    if (OG_VEC_PUSH(&miss, id)) {
      rc = oom(c);
      goto cleanup;
    }
  }
  if (!miss.count) goto cleanup;
  qsort(miss.items, miss.count, sizeof *miss.items, cmp_u64);
  b = og_calloc(1, sizeof *b);
  if (!b) {
    rc = oom(c);
    goto cleanup;
  }
  if ((rc = og_table_fetch(x->table, miss.items, miss.count, x->cols, x->ncols, b, c->err))) {
    og_batch_dispose(b);
    og_free(b);
    b = NULL;
    goto cleanup;
  }
  if (OG_VEC_PUSH(&x->batches, b)) {
    og_batch_dispose(b);
    og_free(b);
    rc = oom(c);
    goto cleanup;
  }
  uint64_t bi = x->batches.count - 1;
  for (size_t i = 0; i < miss.count; i++) {
    if (x->loc) x->loc[miss.items[i]] = (bi << 32 | i) + 1;
    else if (og_u64map_put(&x->rowmap, miss.items[i], bi << 32 | i)) {
      rc = oom(c);
      goto cleanup;
    }
  }
cleanup:
  OG_VEC_FREE(&miss);
  og_u64map_dispose(&seen);
  return rc;
}

/* Value of property `prop` (or "id") of the node in `slot` of row `row`. */
static og_status node_prop(xctx *c, const xrows *r, size_t row, int slot, const char *prop,
                           og_xval *out) {
  memset(out, 0, sizeof *out);
  uint64_t id = r->ids[row * c->nslots + (size_t)slot], v;
  xtab *x = c->slots[slot].tab;
  if (id == UNBOUND || !x) return OG_OK;
  if (x->ids && prop[0] == 'i' && prop[1] == 'd' && !prop[2] && id < x->ids->nrowid &&
      x->ids->by_rowid[id] != UINT32_MAX) {
    uint32_t dn = x->ids->by_rowid[id];
    out->kind = OG_XV_STRING;
    out->v.s.p = x->ids->ids.blob.ptr + x->ids->ids.offs.items[dn];
    out->v.s.n = x->ids->ids.offs.items[dn + 1] - x->ids->ids.offs.items[dn];
    return OG_OK;
  }
  int k;
  if (prop == x->last_prop) {
    k = x->last_k;
  } else {
    k = og_table_schema_find(x->schema, prop);
    x->last_prop = prop;
    x->last_k = k;
  }
  if (k < 0 || x->colpos[k] < 0) return OG_OK; /* blob, or not requested */
  if (!loc_get(x, id, &v))
    return og_err_set(c->err, OG_ERROR, "internal: row %llu of %s not hydrated",
                      (unsigned long long)id, x->type->name);
  const og_batch *b = x->batches.items[v >> 32];
  return col_value(&c->arena, &b->cols[x->colpos[k]], (size_t)(v & 0xffffffffu), out) ? oom(c) : OG_OK;
}

/*==================== rows ====================*/

static void rows_free(xrows *r) {
  og_free(r->ids);
  og_free(r->w);
  og_free(r->org);
  memset(r, 0, sizeof *r);
}

/* Room for at least `need` rows (doubling; a known final size up front
 * spares the copies and page faults of the doublings). */
static og_status rows_reserve(xctx *c, xrows *r, size_t need, bool with_org) {
  if (need <= r->cap) return OG_OK;
  {
    size_t cap = r->cap ? r->cap * 2 : 64;
    if (cap < need) cap = need;
    uint64_t *ni = og_realloc(r->ids, cap * (c->nslots ? c->nslots : 1) * sizeof *ni);
    if (!ni) return oom(c);
    r->ids = ni;
    uint64_t *nw = og_realloc(r->w, cap * sizeof *nw);
    if (!nw) return oom(c);
    r->w = nw;
    if (with_org) {
      size_t *no = og_realloc(r->org, cap * sizeof *no);
      if (!no) return oom(c);
      r->org = no;
    }
    r->cap = cap;
  }
  return OG_OK;
}

static inline og_status rows_push(xctx *c, xrows *r, const uint64_t *ids, uint64_t w, size_t org,
                                  bool with_org) {
  if (r->n == r->cap && rows_reserve(c, r, r->n + 1, with_org)) return OG_ENOMEM;
  uint64_t *dst = r->ids + r->n * c->nslots;
  for (size_t j = 0; j < c->nslots; j++) dst[j] = ids[j];
  r->w[r->n] = w;
  if (with_org) r->org[r->n] = org;
  r->n++;
  return OG_OK;
}

static og_status rows_unit(xctx *c, xrows *r) {
  memset(r, 0, sizeof *r);
  uint64_t *ids = og_malloc((c->nslots ? c->nslots : 1) * sizeof *ids);
  if (!ids) return oom(c);
  for (size_t i = 0; i < c->nslots; i++) ids[i] = UNBOUND;
  og_status rc = rows_push(c, r, ids, 1, 0, false);
  og_free(ids);
  return rc;
}

#define ROW(r, i) ((r)->ids + (i) * c->nslots)

/*==================== expressions ====================*/

static og_status expr_hydrate(xctx *c, const xrows *r, const og_qexpr *e) {
  if (!e) return OG_OK;
  og_status rc = OG_OK;
  if (e->kind == OG_QE_PROP || (e->kind == OG_QE_VAR && !is_param(c, e->var))) {
    int s = slot_of(c, e->var);
    xtab *x = s >= 0 ? c->slots[s].tab : NULL;
    /* a node's id is read from the topology index when the query holds one */
    bool id_only = e->kind == OG_QE_VAR || strcmp(e->name, "id") == 0;
    if (!(id_only && x && x->ids)) rc = hydrate(c, r, s);
  }
  for (int i = 0; i < e->nargs && !rc; i++) rc = expr_hydrate(c, r, e->args[i]);
  return rc;
}

static og_status eval(xctx *c, const xrows *r, size_t row, const og_qexpr *e, og_xval *out) {
  memset(out, 0, sizeof *out);
  const char *fn = search_fn_name(e->kind);
  if (fn) return unsupported(c, fn);
  switch (e->kind) {
    case OG_QE_PROP: {
      int s = slot_of(c, e->var);
      if (s < 0) return og_err_set(c->err, OG_EINVAL, "column '%s.%s' not found in wide batch", e->var, e->name);
      return node_prop(c, r, row, s, e->name, out);
    }
    case OG_QE_VAR:
      if (is_param(c, e->var)) return param_value(c, e->var, out);
      return node_prop(c, r, row, slot_of(c, e->var), "id", out);
    case OG_QE_LIT: return lit_value(c, &e->lit, out);
    case OG_QE_NOW: return param_value(c, OG_QNOW_PARAM, out);
    case OG_QE_ALIAS: return og_err_set(c->err, OG_EINVAL, "alias '%s' cannot be used here", e->name);
    case OG_QE_AGG: return og_err_set(c->err, OG_EINVAL, "aggregate used outside return");
    default: return og_err_set(c->err, OG_ERROR, "internal: unknown expression");
  }
}

static bool xval_eq_text(const og_xval *a, const og_xval *b) {
  int cmp;
  if (og_xval_cmp(a, b, &cmp)) return cmp == 0;
  og_buf x = OG_BUF_INIT, y = OG_BUF_INIT;
  bool eq = false;
  if (!og_xval_text(&x, a) && !og_xval_text(&y, b)) eq = x.len == y.len && (!x.len || !memcmp(x.ptr, y.ptr, x.len));
  og_buf_dispose(&x);
  og_buf_dispose(&y);
  return eq;
}

/* left op right under three-valued logic (unknown → false). */
static bool apply_op(og_qop op, const og_xval *l, const og_xval *r) {
  if (op == OG_QOP_CONTAINS) {
    if (l->kind != OG_XV_LIST || r->kind == OG_XV_NULL) return false;
    for (size_t i = 0; i < l->v.l.n; i++)
      if (xval_eq_text(&l->v.l.items[i], r)) return true;
    return false;
  }
  int cmp;
  if (!og_xval_cmp(l, r, &cmp)) return false;
  switch (op) {
    case OG_QOP_EQ: return cmp == 0;
    case OG_QOP_NE: return cmp != 0;
    case OG_QOP_LT: return cmp < 0;
    case OG_QOP_LE: return cmp <= 0;
    case OG_QOP_GT: return cmp > 0;
    case OG_QOP_GE: return cmp >= 0;
    default: return false;
  }
}

/*==================== pipeline ====================*/

static og_status run_pipe(xctx *c, const og_qir_pipe *p, xrows *io, bool main);

/* Keep the rows for which keep[i]. */
static void rows_filter(xctx *c, xrows *r, const bool *keep) {
  size_t o = 0;
  for (size_t i = 0; i < r->n; i++) {
    if (!keep[i]) continue;
    if (o != i) {
      memmove(ROW(r, o), ROW(r, i), c->nslots * sizeof *r->ids);
      r->w[o] = r->w[i];
      if (r->org) r->org[o] = r->org[i];
    }
    o++;
  }
  r->n = o;
}

/* Filter rows by `prop op value` on the node in `slot`. */
static og_status filter_preds(xctx *c, xrows *r, int slot, const og_qir_pred *preds, size_t n) {
  if (!n || !r->n) return OG_OK;
  og_status rc = hydrate(c, r, slot);
  if (rc) return rc;
  bool *keep = og_malloc(r->n * sizeof *keep);
  if (!keep) return oom(c);
  og_xval *vals = og_malloc(n * sizeof *vals);
  if (!vals) {
    og_free(keep);
    return oom(c);
  }
  for (size_t k = 0; k < n && !rc; k++) rc = qvalue(c, &preds[k].value, &vals[k]);
  for (size_t i = 0; i < r->n && !rc; i++) {
    keep[i] = true;
    for (size_t k = 0; k < n && keep[i] && !rc; k++) {
      og_xval v;
      rc = node_prop(c, r, i, slot, preds[k].prop, &v);
      if (!rc) keep[i] = apply_op(preds[k].op, &v, &vals[k]);
    }
  }
  if (!rc) rows_filter(c, r, keep);
  og_free(vals);
  og_free(keep);
  return rc;
}

static bool pushable(const og_colspec *cs, const og_xval *v, og_cell *cell) {
  memset(cell, 0, sizeof *cell);
  switch (cs->type) {
    case OG_COL_STRING:
      if (v->kind != OG_XV_STRING) return false;
      cell->kind = OG_CELL_BYTES;
      cell->v.s.p = v->v.s.p;
      cell->v.s.n = v->v.s.n;
      return true;
    case OG_COL_BOOL:
      if (v->kind != OG_XV_BOOL) return false;
      cell->kind = OG_CELL_BOOL;
      cell->v.b = v->v.b;
      return true;
    case OG_COL_I32: case OG_COL_I64: case OG_COL_U32: case OG_COL_U64: case OG_COL_F32: case OG_COL_F64:
      if (v->kind == OG_XV_INT) { cell->kind = OG_CELL_INT; cell->v.i = v->v.i; return true; }
      if (v->kind == OG_XV_UINT) { cell->kind = OG_CELL_UINT; cell->v.u = v->v.u; return true; }
      if (v->kind == OG_XV_FLOAT) {
        cell->kind = OG_CELL_F64;
        /* an F32 column compares at its own precision (see og_xval.f32) */
        cell->v.f = cs->type == OG_COL_F32 ? (double)(float)v->v.f : v->v.f;
        return true;
      }
      return false;
    case OG_COL_DATE:
      if (v->kind != OG_XV_DATE) return false;
      cell->kind = OG_CELL_INT;
      cell->v.i = v->v.i;
      return true;
    case OG_COL_DATETIME:
      if (v->kind == OG_XV_DATETIME) { cell->kind = OG_CELL_INT; cell->v.i = v->v.i; return true; }
      if (v->kind == OG_XV_DATE) { cell->kind = OG_CELL_INT; cell->v.i = v->v.i * 86400000; return true; }
      return false;
    default: return false;
  }
}

static og_cmp qop_cmp(og_qop op) {
  switch (op) {
    case OG_QOP_NE: return OG_CMP_NE;
    case OG_QOP_LT: return OG_CMP_LT;
    case OG_QOP_LE: return OG_CMP_LE;
    case OG_QOP_GT: return OG_CMP_GT;
    case OG_QOP_GE: return OG_CMP_GE;
    default: return OG_CMP_EQ;
  }
}

/* Keep the ids of a scan memo that satisfy `preds` (in memory). */
static og_status filter_ids(xctx *c, xmemo *m, int slot, const og_qir_pred *preds, size_t n) {
  xrows r = {0};
  og_status rc = OG_OK;
  uint64_t *ids = og_malloc((c->nslots ? c->nslots : 1) * sizeof *ids);
  if (!ids) return oom(c);
  for (size_t i = 0; i < c->nslots; i++) ids[i] = UNBOUND;
  for (size_t i = 0; i < m->ids.count && !rc; i++) {
    ids[slot] = m->ids.items[i];
    rc = rows_push(c, &r, ids, 1, 0, false);
  }
  if (!rc) rc = filter_preds(c, &r, slot, preds, n);
  if (!rc) {
    m->ids.count = 0;
    for (size_t i = 0; i < r.n; i++) m->ids.items[m->ids.count++] = r.ids[i * c->nslots + (size_t)slot];
  }
  og_free(ids);
  rows_free(&r);
  return rc;
}

/* Row ids of the nodes a NODE_SCAN selects (memoized per op). */
static og_status scan_ids(xctx *c, const og_qir_op *op, int slot, xmemo **out) {
  for (size_t i = 0; i < c->memos.count; i++)
    if (c->memos.items[i]->op == op) {
      *out = c->memos.items[i];
      return OG_OK;
    }
  if (op->n_text) return unsupported(c, search_fn_name(op->text_filters[0]->kind));
  xmemo *m = og_calloc(1, sizeof *m);
  if (!m || OG_VEC_PUSH(&c->memos, m)) {
    og_free(m);
    return oom(c);
  }
  m->op = op;
  xtab *x = c->slots[slot].tab;
  og_status rc = OG_OK;
  og_pred *preds = og_calloc(op->n_preds + 1, sizeof *preds);
  bool *pushed = og_calloc(op->n_preds + 1, sizeof *pushed);
  og_scan *sc = NULL;
  if (!preds || !pushed) {
    rc = oom(c);
    goto cleanup;
  }
  size_t np = 0;
  bool empty = false, looked_up = false;
  size_t key_pred = SIZE_MAX;
  for (size_t k = 0; k < op->n_preds; k++) {
    og_xval v;
    if ((rc = qvalue(c, &op->preds[k].value, &v))) goto cleanup;
    if (v.kind == OG_XV_NULL) empty = true; /* null never matches */
    int col = og_table_schema_find(x->schema, op->preds[k].prop);
    if (col < 0 || op->preds[k].op == OG_QOP_CONTAINS) continue;
    /* equality on the key: an index lookup instead of a scan */
    if (!looked_up && x->type->key_prop && strcmp(x->type->key_prop->name, op->preds[k].prop) == 0 &&
        op->preds[k].op == OG_QOP_EQ && v.kind == OG_XV_STRING) {
      looked_up = true;
      key_pred = k;
      pushed[k] = true;
      uint64_t rid;
      og_error lerr = OG_ERROR_INIT;
      og_status lrc = og_table_lookup(x->table, v.v.s.p, v.v.s.n, &rid, &lerr);
      if (lrc == OG_ENOTFOUND) empty = true;
      else if (lrc) {
        *c->err = lerr;
        rc = lrc;
        goto cleanup;
      } else if (OG_VEC_PUSH(&m->ids, rid)) {
        rc = oom(c);
        goto cleanup;
      }
      continue;
    }
    if (pushable(&x->schema->cols[col], &v, &preds[np].lit)) {
      preds[np].col = (uint32_t)col;
      preds[np].op = qop_cmp(op->preds[k].op);
      np++;
      pushed[k] = true;
    }
  }
  if (empty) {
    m->ids.count = 0;
    goto cleanup;
  }
  if (!looked_up) {
    static const uint32_t none = 0; /* non-NULL with ncols 0: row ids only */
    og_scan_opts so = {.cols = &none, .ncols = 0, .preds = preds, .npreds = np};
    if ((rc = og_table_scan(x->table, &so, &sc, c->err))) goto cleanup;
    if (og_array_reserve((void **)&m->ids.items, &m->ids.cap, og_table_row_count(x->table),
                         sizeof *m->ids.items)) {
      rc = oom(c);
      goto cleanup;
    }
    for (;;) {
      const og_batch *b = NULL;
      if ((rc = og_scan_next(sc, &b, c->err))) goto cleanup;
      if (!b) break;
      for (size_t i = 0; i < b->rowids.count; i++)
        if (OG_VEC_PUSH(&m->ids, b->rowids.items[i])) {
          rc = oom(c);
          goto cleanup;
        }
    }
  } else if (np) {
    /* the looked-up row must also satisfy the pushable predicates */
    og_qir_pred *rest = og_arena_alloc(&c->arena, op->n_preds * sizeof *rest);
    if (!rest) {
      rc = oom(c);
      goto cleanup;
    }
    size_t nr = 0;
    for (size_t k = 0; k < op->n_preds; k++)
      if (k != key_pred) rest[nr++] = op->preds[k];
    for (size_t k = 0; k < op->n_preds; k++) pushed[k] = true;
    if ((rc = filter_ids(c, m, slot, rest, nr))) goto cleanup;
  }
  /* predicates the storage scan cannot evaluate (list contains, mixed kinds) */
  {
    og_qir_pred *rest = og_arena_alloc(&c->arena, (op->n_preds + 1) * sizeof *rest);
    if (!rest) {
      rc = oom(c);
      goto cleanup;
    }
    size_t nr = 0;
    for (size_t k = 0; k < op->n_preds; k++)
      if (!pushed[k]) rest[nr++] = op->preds[k];
    if (nr) rc = filter_ids(c, m, slot, rest, nr);
  }
cleanup:
  og_scan_free(sc);
  og_free(preds);
  og_free(pushed);
  if (!rc) *out = m;
  return rc;
}

/*---------------- NODE_SCAN ----------------*/

static og_status op_scan(xctx *c, const og_qir_op *op, xrows *io) {
  int s = slot_of(c, op->var);
  xmemo *m = NULL;
  og_status rc = scan_ids(c, op, s, &m);
  if (rc) return rc;
  xrows out = {0};
  bool with_org = io->org != NULL;
  bool bound = io->n && ROW(io, 0)[s] != UNBOUND;
  og_u64map set = OG_U64MAP_INIT;
  uint64_t *tmp = og_malloc((c->nslots ? c->nslots : 1) * sizeof *tmp);
  if (!tmp) return oom(c);
  if (bound) { /* a second binding of a bound variable filters it */
    for (size_t i = 0; i < m->ids.count && !rc; i++) rc = og_u64map_put(&set, m->ids.items[i], 1) ? oom(c) : OG_OK;
    for (size_t i = 0; i < io->n && !rc; i++) {
      uint64_t v;
      if (og_u64map_get(&set, ROW(io, i)[s], &v))
        rc = rows_push(c, &out, ROW(io, i), io->w[i], with_org ? io->org[i] : 0, with_org);
    }
  } else {
    if (m->ids.count && io->n <= SIZE_MAX / m->ids.count) rc = rows_reserve(c, &out, io->n * m->ids.count, with_org);
    for (size_t i = 0; i < io->n && !rc; i++) {
      memcpy(tmp, ROW(io, i), c->nslots * sizeof *tmp);
      for (size_t k = 0; k < m->ids.count && !rc; k++) {
        tmp[s] = m->ids.items[k];
        rc = rows_push(c, &out, tmp, io->w[i], with_org ? io->org[i] : 0, with_org);
      }
    }
  }
  og_free(tmp);
  og_u64map_dispose(&set);
  if (rc) {
    rows_free(&out);
    return rc;
  }
  rows_free(io);
  *io = out;
  return OG_OK;
}

/*---------------- EXPAND ----------------*/

static const og_type *edge_type(xctx *c, const char *name) {
  const og_type *e = og_catalog_edge(c->cat, name);
  return e ? e : og_catalog_edge_ci(c->cat, name);
}

static og_status get_graph(xctx *c, const og_type *edge, og_csr **out) {
  for (size_t i = 0; i < c->graphs.count; i++)
    if (c->graphs.items[i].edge == edge) {
      *out = c->graphs.items[i].csr;
      return OG_OK;
    }
  xtab *src = NULL, *dst = NULL;
  og_status rc;
  if ((rc = get_tab(c, edge->from_type, &src)) || (rc = get_tab(c, edge->to_type, &dst))) return rc;
  char key[512];
  og_exec_table_key(edge, key, sizeof key);
  og_table *et = NULL;
  if ((rc = og_snapshot_table(c->snap, key, &et, c->err))) return rc;
  og_csr *g = NULL;
  rc = og_xcache_csr(c->cache, et, src->table, dst->table, 0, &g, c->err);
  og_table_free(et);
  if (rc) return rc;
  src->ids = g->src; /* same versions: the CSR keeps them alive until the query ends */
  dst->ids = g->dst;
  xgraph xg = {edge, g};
  if (OG_VEC_PUSH(&c->graphs, xg)) {
    og_xcache_release_csr(c->cache, g);
    return oom(c);
  }
  *out = g;
  return OG_OK;
}

static og_status scratch(xctx *c, size_t n) {
  if (n <= c->scratch_cap) return OG_OK;
  og_free(c->vis);
  og_free(c->rep);
  c->vis = og_calloc(n, sizeof *c->vis);
  c->rep = og_calloc(n, sizeof *c->rep);
  c->scratch_cap = n;
  c->stamp = 0;
  return c->vis && c->rep ? OG_OK : oom(c);
}

static uint32_t next_stamp(xctx *c) {
  if (++c->stamp == UINT32_MAX) {
    memset(c->vis, 0, c->scratch_cap * sizeof *c->vis);
    memset(c->rep, 0, c->scratch_cap * sizeof *c->rep);
    c->stamp = 1;
  }
  return c->stamp;
}

/* Adjacency seen from the expansion's source side. Only the lists asked
 * for (adj_need) are set: each direction of a CSR is built on first need. */
typedef struct adj {
  const og_nodeidx *from, *to; /* dense spaces of source and target */
  const uint64_t *off;
  const uint32_t *tgt;
  const uint8_t *any; /* the source had any edge (self loops, dangling included) */
  const uint64_t *roff; /* the reverse adjacency, indexed in the target space */
  const uint32_t *rtgt;
  size_t from_space;    /* source space size, dangling ids included */
  bool same;
  bool fwd_dir;         /* the op follows edges from src to dst */
  og_csr *g;
} adj;

static og_status get_adj(xctx *c, const og_qir_op *op, adj *a) {
  const og_type *e = edge_type(c, op->edge);
  if (!e) return og_err_set(c->err, OG_ENOTFOUND, "unknown edge type '%s'", op->edge);
  og_csr *g = NULL;
  og_status rc = get_graph(c, e, &g);
  if (rc) return rc;
  memset(a, 0, sizeof *a);
  a->g = g;
  a->same = g->same;
  a->fwd_dir = op->dir == OG_QDIR_OUT;
  a->from = a->fwd_dir ? g->src : g->dst;
  a->to = a->fwd_dir ? g->dst : g->src;
  a->from_space = a->fwd_dir ? g->nsrc : g->ndst;
  return scratch(c, (g->nsrc > g->ndst ? g->nsrc : g->ndst) + 1);
}

/* Make the forward (off/tgt/any) and/or reverse (roff/rtgt) lists available. */
static og_status adj_need(xctx *c, adj *a, bool fwd, bool rev) {
  unsigned out = fwd ? (a->fwd_dir ? OG_CSR_OUT : OG_CSR_IN) : 0;
  unsigned in = rev ? (a->fwd_dir ? OG_CSR_IN : OG_CSR_OUT) : 0;
  og_status rc = og_csr_need(c->cache, a->g, out | in, c->err);
  if (rc) return rc;
  const og_csr *g = a->g;
  if (out) {
    a->off = a->fwd_dir ? g->out_off : g->in_off;
    a->tgt = a->fwd_dir ? g->out_tgt : g->in_tgt;
    a->any = a->fwd_dir ? g->out_any : g->in_any;
  }
  if (in) {
    a->roff = a->fwd_dir ? g->in_off : g->out_off;
    a->rtgt = a->fwd_dir ? g->in_tgt : g->out_tgt;
  }
  return OG_OK;
}

static uint32_t dense_of(const og_nodeidx *n, uint64_t rid) {
  return rid < n->nrowid ? n->by_rowid[rid] : UINT32_MAX;
}

/* `live` (main pipeline only, else NULL): the slots later ops read. When
 * only the destination stays live, rows are not materialized: the
 * multiplicities of the destinations are summed in a dense array (frontier
 * expansion), so k-hop path counts cost O(edges) per hop, not O(paths). */
static og_status op_expand(xctx *c, const og_qir_op *op, xrows *io, const bool *live) {
  int s = slot_of(c, op->var), d = slot_of(c, op->dst), chk = slot_of(c, op->check_var);
  adj a;
  og_status rc = get_adj(c, op, &a);
  if (rc) return rc;
  xrows out = {0};
  bool with_org = io->org != NULL;
  bool fused = live && !with_org && chk < 0 && io->n;
  for (size_t j = 0; fused && j < c->nslots; j++)
    if ((int)j != d && live[j] && ROW(io, 0)[j] != UNBOUND) fused = false;
  uint64_t *acc = NULL;
  OG_VEC(uint32_t) touched = OG_VEC_INIT;
  if (fused && !(acc = og_calloc(a.to->n + 1, sizeof *acc))) return oom(c);
  OG_VEC(uint32_t) cur = OG_VEC_INIT;
  OG_VEC(uint32_t) nxt = OG_VEC_INIT;
  uint64_t *tmp = og_malloc((c->nslots ? c->nslots : 1) * sizeof *tmp);
  if (!tmp) {
    og_free(acc);
    return oom(c);
  }
  uint32_t maxh = op->max_hops ? op->max_hops : 1, minh = op->min_hops ? op->min_hops : 1;
  bool pulled = false, pull = acc && maxh == 1 && io->n * 8 >= a.from->n;
  rc = io->n ? adj_need(c, &a, !pull, pull) : OG_OK; /* (no rows: no lists read) */
  if (pull && !rc) {
    pulled = true;
    /* dense frontier: pull each destination's sum over its in-list (reads
     * of the source weights instead of scattered read-modify-writes) */
    uint64_t *win = og_calloc(a.from->n + 1, sizeof *win);
    uint32_t *win32 = NULL;
    uint64_t total = 0;
    bool uniform = true; /* every live source exactly once, weight 1 */
    if (!win) rc = oom(c);
    for (size_t i = 0; i < io->n && !rc; i++) {
      uint32_t sd = dense_of(a.from, ROW(io, i)[s]);
      if (sd != UINT32_MAX) win[sd] += io->w[i];
      total += io->w[i];
    }
    size_t nfrom = a.from->n;
    for (size_t k = 0; k < nfrom && uniform && !rc; k++) uniform = win[k] == 1;
    if (uniform && a.from_space == nfrom) { /* (dangling sources need the per-edge check) */
      /* the multiplicity of each destination is its in-degree */
      for (uint32_t m = 0; m < a.to->n && !rc; m++) {
        uint64_t sum = a.roff[m + 1] - a.roff[m];
        if (sum && OG_VEC_PUSH(&touched, m)) rc = oom(c);
        acc[m] = sum;
      }
    } else if (!rc && total < UINT32_MAX && (win32 = og_malloc((nfrom + 1) * sizeof *win32))) {
      /* narrow weights: half the cache footprint of the random reads */
      for (size_t k = 0; k < nfrom; k++) win32[k] = (uint32_t)win[k];
      for (uint32_t m = 0; m < a.to->n && !rc; m++) {
        uint64_t sum = 0;
        for (uint64_t e = a.roff[m]; e < a.roff[m + 1]; e++) {
          uint32_t n = a.rtgt[e];
          if (n < nfrom) sum += win32[n];
        }
        if (sum && OG_VEC_PUSH(&touched, m)) rc = oom(c);
        acc[m] = sum;
      }
    } else {
      for (uint32_t m = 0; m < a.to->n && !rc; m++) {
        uint64_t sum = 0;
        for (uint64_t e = a.roff[m]; e < a.roff[m + 1]; e++) {
          uint32_t n = a.rtgt[e];
          if (n < nfrom) sum += win[n];
        }
        if (sum && OG_VEC_PUSH(&touched, m)) rc = oom(c);
        acc[m] = sum;
      }
    }
    og_free(win32);
    og_free(win);
  }
  for (size_t i = 0; i < io->n && !rc && !pulled; i++) {
    uint64_t rid = ROW(io, i)[s];
    if (rid == UNBOUND) continue;
    uint32_t sd = dense_of(a.from, rid);
    if (sd == UINT32_MAX) continue;
    memcpy(tmp, ROW(io, i), c->nslots * sizeof *tmp);
    if (maxh == 1) {
      /* one hop: lists are already distinct and free of self loops */
      for (uint64_t e = a.off[sd]; e < a.off[sd + 1] && !rc; e++) {
        uint32_t m = a.tgt[e];
        if (m >= a.to->n) continue; /* dangling */
        if (acc) {
          if (!acc[m] && OG_VEC_PUSH(&touched, m)) rc = oom(c);
          acc[m] += io->w[i];
          continue;
        }
        uint64_t trid = a.to->rowids[m];
        if (chk >= 0 && ROW(io, i)[chk] != trid) continue;
        tmp[d] = trid;
        rc = rows_push(c, &out, tmp, io->w[i], with_org ? io->org[i] : 0, with_org);
      }
      continue;
    }
    uint32_t st = next_stamp(c);
    cur.count = 0;
    if (OG_VEC_PUSH(&cur, sd)) {
      rc = oom(c);
      break;
    }
    if (a.same) c->vis[sd] = st;
    for (uint32_t hop = 1; hop <= maxh && cur.count && !rc; hop++) {
      nxt.count = 0;
      for (size_t f = 0; f < cur.count && !rc; f++) {
        uint32_t n = cur.items[f];
        for (uint64_t e = a.off[n]; e < a.off[n + 1] && !rc; e++) {
          uint32_t m = a.tgt[e];
          if (a.same) {
            if (c->vis[m] == st) continue;
            c->vis[m] = st;
            if (OG_VEC_PUSH(&nxt, m)) {
              rc = oom(c);
              break;
            }
          }
          if (hop < minh || c->rep[m] == st) continue;
          c->rep[m] = st;
          if (m >= a.to->n) continue; /* dangling: traversable, never returned */
          if (acc) {
            if (!acc[m] && OG_VEC_PUSH(&touched, m)) rc = oom(c);
            acc[m] += io->w[i];
            continue;
          }
          uint64_t trid = a.to->rowids[m];
          if (chk >= 0 && ROW(io, i)[chk] != trid) continue;
          tmp[d] = trid;
          rc = rows_push(c, &out, tmp, io->w[i], with_org ? io->org[i] : 0, with_org);
        }
      }
      /* cross-type edges: only hop 1 is meaningful (spec §5.2 recommendation) */
      if (!a.same) break;
      uint32_t *ti = cur.items;
      size_t tc = cur.count, tp = cur.cap;
      cur.items = nxt.items, cur.count = nxt.count, cur.cap = nxt.cap;
      nxt.items = ti, nxt.count = tc, nxt.cap = tp;
    }
  }
  if (acc && !rc) {
    for (size_t j = 0; j < c->nslots; j++) tmp[j] = UNBOUND;
    for (size_t k = 0; k < touched.count && !rc; k++) {
      tmp[d] = a.to->rowids[touched.items[k]];
      rc = rows_push(c, &out, tmp, acc[touched.items[k]], 0, false);
    }
  }
  og_free(acc);
  OG_VEC_FREE(&touched);
  og_free(tmp);
  OG_VEC_FREE(&cur);
  OG_VEC_FREE(&nxt);
  if (!rc && op->n_preds) rc = filter_preds(c, &out, d, op->preds, op->n_preds);
  if (rc) {
    rows_free(&out);
    return rc;
  }
  rows_free(io);
  *io = out;
  return OG_OK;
}

/*---------------- FILTER / ANTI_JOIN / CROSS_JOIN ----------------*/

static og_status op_filter(xctx *c, const og_qir_op *op, xrows *io) {
  const char *fn = search_fn_name(op->left->kind);
  if (!fn && op->right) fn = search_fn_name(op->right->kind);
  if (fn) return unsupported(c, fn);
  og_status rc = expr_hydrate(c, io, op->left);
  if (!rc) rc = expr_hydrate(c, io, op->right);
  if (rc || !io->n) return rc;
  bool *keep = og_malloc(io->n * sizeof *keep);
  if (!keep) return oom(c);
  for (size_t i = 0; i < io->n && !rc; i++) {
    og_xval l, r;
    rc = eval(c, io, i, op->left, &l);
    if (!rc) rc = eval(c, io, i, op->right, &r);
    if (!rc) keep[i] = apply_op(op->op, &l, &r);
  }
  if (!rc) rows_filter(c, io, keep);
  og_free(keep);
  return rc;
}

/* Is any live node at BFS distance [minh, maxh] from sd (same traversal
 * rules as op_expand)? */
static og_status reach_any(xctx *c, const adj *a, uint32_t sd, uint32_t minh, uint32_t maxh, bool *found) {
  OG_VEC(uint32_t) cur = OG_VEC_INIT;
  OG_VEC(uint32_t) nxt = OG_VEC_INIT;
  og_status rc = OG_OK;
  uint32_t st = next_stamp(c);
  *found = false;
  if (OG_VEC_PUSH(&cur, sd)) return oom(c);
  if (a->same) c->vis[sd] = st;
  for (uint32_t hop = 1; hop <= maxh && cur.count && !rc && !*found; hop++) {
    nxt.count = 0;
    for (size_t f = 0; f < cur.count && !rc && !*found; f++) {
      uint32_t n = cur.items[f];
      for (uint64_t e = a->off[n]; e < a->off[n + 1]; e++) {
        uint32_t m = a->tgt[e];
        if (a->same) {
          if (c->vis[m] == st) continue;
          c->vis[m] = st;
          if (OG_VEC_PUSH(&nxt, m)) {
            rc = oom(c);
            break;
          }
        }
        if (hop >= minh && m < a->to->n) {
          *found = true;
          break;
        }
      }
    }
    if (!a->same) break;
    uint32_t *ti = cur.items;
    size_t tc = cur.count, tp = cur.cap;
    cur.items = nxt.items, cur.count = nxt.count, cur.cap = nxt.cap;
    nxt.items = ti, nxt.count = tc, nxt.cap = tp;
  }
  OG_VEC_FREE(&cur);
  OG_VEC_FREE(&nxt);
  return rc;
}

static og_status op_anti(xctx *c, const og_qir_op *op, xrows *io) {
  og_status rc = OG_OK;
  if (!io->n) return OG_OK;
  bool *keep = og_malloc(io->n * sizeof *keep);
  if (!keep) return oom(c);
  const og_qir_op *e = op->sub.n_ops == 1 ? &op->sub.ops[0] : NULL;
  int s = e ? slot_of(c, e->var) : -1, d = e ? slot_of(c, e->dst) : -1;
  if (e && e->kind == OG_QIR_EXPAND && e->min_hops <= 1 && e->max_hops <= 1 && !e->n_preds &&
      !e->check_var && s >= 0 && d >= 0 && ROW(io, 0)[s] != UNBOUND && ROW(io, 0)[d] == UNBOUND) {
    /* fast path: keep a row iff its node has no neighbour at all (dangling
     * and self-loop edges count, data.md §9.7) */
    adj a;
    if ((rc = get_adj(c, e, &a)) || (rc = adj_need(c, &a, true, false))) goto cleanup;
    for (size_t i = 0; i < io->n; i++) {
      uint32_t sd = dense_of(a.from, ROW(io, i)[s]);
      keep[i] = sd == UINT32_MAX || !a.any[sd];
    }
  } else if (e && e->kind == OG_QIR_EXPAND && !e->n_preds && !e->check_var && s >= 0 && d >= 0 &&
             ROW(io, 0)[s] != UNBOUND && ROW(io, 0)[d] == UNBOUND) {
    /* a multi-hop existence test: stop each search at its first destination */
    adj a;
    if ((rc = get_adj(c, e, &a)) || (rc = adj_need(c, &a, true, false))) goto cleanup;
    for (size_t i = 0; i < io->n && !rc; i++) {
      uint32_t sd = dense_of(a.from, ROW(io, i)[s]);
      bool found = false;
      if (sd != UINT32_MAX) rc = reach_any(c, &a, sd, e->min_hops ? e->min_hops : 1, e->max_hops ? e->max_hops : 1, &found);
      keep[i] = !found;
    }
  } else {
    /* evaluate the inner clauses over the outer rows, tagging each inner row
     * with the outer row it extends; in chunks, so a wide inner expansion
     * never holds more than a chunk's worth of rows */
    for (size_t i = 0; i < io->n; i++) keep[i] = true;
    for (size_t base = 0; base < io->n && !rc; base += 1024) {
      size_t end = base + 1024 < io->n ? base + 1024 : io->n;
      xrows in = {0};
      for (size_t i = base; i < end && !rc; i++) rc = rows_push(c, &in, ROW(io, i), 1, i, true);
      if (!rc) rc = run_pipe(c, &op->sub, &in, false);
      for (size_t i = 0; i < in.n && !rc; i++) keep[in.org[i]] = false;
      rows_free(&in);
    }
  }
  if (!rc) rows_filter(c, io, keep);
cleanup:
  og_free(keep);
  return rc;
}

static og_status op_cross(xctx *c, const og_qir_op *op, xrows *io) {
  xrows right = {0}, out = {0};
  og_status rc = rows_unit(c, &right);
  if (!rc) rc = run_pipe(c, &op->sub, &right, false);
  uint64_t *tmp = og_malloc((c->nslots ? c->nslots : 1) * sizeof *tmp);
  if (!tmp && !rc) rc = oom(c);
  bool with_org = io->org != NULL;
  for (size_t i = 0; i < io->n && !rc; i++)
    for (size_t k = 0; k < right.n && !rc; k++) {
      const uint64_t *l = ROW(io, i), *r = ROW(&right, k);
      for (size_t j = 0; j < c->nslots; j++) tmp[j] = r[j] != UNBOUND ? r[j] : l[j];
      rc = rows_push(c, &out, tmp, io->w[i] * right.w[k], with_org ? io->org[i] : 0, with_org);
    }
  og_free(tmp);
  rows_free(&right);
  if (rc) {
    rows_free(&out);
    return rc;
  }
  rows_free(io);
  *io = out;
  return OG_OK;
}

/*---------------- liveness and merging ----------------*/

static void mark_expr(const xctx *c, const og_qexpr *e, bool *live) {
  if (!e) return;
  if ((e->kind == OG_QE_PROP || e->kind == OG_QE_VAR || e->kind == OG_QE_NEAREST) && e->var) {
    int s = slot_of(c, e->var);
    if (s >= 0) live[s] = true;
  }
  for (int i = 0; i < e->nargs; i++) mark_expr(c, e->args[i], live);
}

static void mark_op(const xctx *c, const og_qir_op *op, bool *live) {
  int s;
  switch (op->kind) {
    case OG_QIR_NODE_SCAN:
      break;
    case OG_QIR_EXPAND:
      if ((s = slot_of(c, op->var)) >= 0) live[s] = true;
      if ((s = slot_of(c, op->check_var)) >= 0) live[s] = true;
      break;
    case OG_QIR_FILTER:
      mark_expr(c, op->left, live);
      mark_expr(c, op->right, live);
      break;
    case OG_QIR_ANTI_JOIN:
    case OG_QIR_CROSS_JOIN:
      for (size_t i = 0; i < op->sub.n_ops; i++) {
        const og_qir_op *o = &op->sub.ops[i];
        if ((o->kind == OG_QIR_NODE_SCAN || o->kind == OG_QIR_EXPAND) && (s = slot_of(c, o->var)) >= 0) live[s] = true;
        if (o->kind == OG_QIR_EXPAND && (s = slot_of(c, o->dst)) >= 0) live[s] = true;
        mark_op(c, o, live);
      }
      break;
    case OG_QIR_PROJECT:
    case OG_QIR_AGGREGATE:
      for (size_t i = 0; i < op->n_projs; i++) mark_expr(c, op->projs[i].expr, live);
      break;
    case OG_QIR_ORDER:
      for (size_t i = 0; i < op->n_keys; i++) mark_expr(c, op->keys[i].expr, live);
      break;
    default:
      mark_expr(c, op->rank, live);
      if ((s = slot_of(c, op->var)) >= 0) live[s] = true;
      break;
  }
}

/* Clear the slots no later op reads and merge equal rows (multiplicities add). */
static og_status compact(xctx *c, xrows *io, const bool *live) {
  bool any = false;
  if (!io->n || io->org) return OG_OK;
  for (size_t j = 0; j < c->nslots; j++)
    if (!live[j] && ROW(io, 0)[j] != UNBOUND) any = true;
  if (!any) return OG_OK;
  for (size_t i = 0; i < io->n; i++)
    for (size_t j = 0; j < c->nslots; j++)
      if (!live[j]) ROW(io, i)[j] = UNBOUND;
  size_t cap = 16;
  while (cap < io->n * 2) cap <<= 1;
  uint32_t *tab = og_calloc(cap, sizeof *tab);
  if (!tab) return oom(c);
  size_t o = 0, rb = c->nslots * sizeof *io->ids;
  for (size_t i = 0; i < io->n; i++) {
    uint64_t h = og_hash64(ROW(io, i), rb);
    size_t k = h & (cap - 1);
    bool merged = false;
    while (tab[k]) {
      size_t r = tab[k] - 1;
      if (memcmp(ROW(io, r), ROW(io, i), rb) == 0) {
        io->w[r] += io->w[i];
        merged = true;
        break;
      }
      k = (k + 1) & (cap - 1);
    }
    if (merged) continue;
    if (o != i) {
      memmove(ROW(io, o), ROW(io, i), rb);
      io->w[o] = io->w[i];
    }
    tab[k] = (uint32_t)o + 1;
    o++;
  }
  io->n = o;
  og_free(tab);
  return OG_OK;
}

static og_status run_op(xctx *c, const og_qir_op *op, xrows *io, const bool *live) {
  switch (op->kind) {
    case OG_QIR_NODE_SCAN: return op_scan(c, op, io);
    case OG_QIR_EXPAND: return op_expand(c, op, io, live);
    case OG_QIR_FILTER: return op_filter(c, op, io);
    case OG_QIR_ANTI_JOIN: return op_anti(c, op, io);
    case OG_QIR_CROSS_JOIN: return op_cross(c, op, io);
    case OG_QIR_VECTOR_TOPK: return unsupported(c, "nearest");
    case OG_QIR_BM25_RANK: return unsupported(c, "bm25");
    case OG_QIR_RRF: return unsupported(c, "rrf");
    default: return og_err_set(c->err, OG_EINVAL, "mutation operator in a read query");
  }
}

static bool is_tail(og_qir_kind k) {
  return k == OG_QIR_PROJECT || k == OG_QIR_AGGREGATE || k == OG_QIR_ORDER || k == OG_QIR_LIMIT;
}

static og_status run_pipe(xctx *c, const og_qir_pipe *p, xrows *io, bool main) {
  og_status rc = OG_OK;
  bool *live = main ? og_malloc((c->nslots ? c->nslots : 1) * sizeof *live) : NULL;
  if (main && !live) return oom(c);
  for (size_t i = 0; i < p->n_ops && !rc; i++) {
    if (is_tail(p->ops[i].kind)) break;
    if (main) {
      memset(live, 0, c->nslots * sizeof *live);
      for (size_t j = i + 1; j < p->n_ops; j++) mark_op(c, &p->ops[j], live);
    }
    rc = run_op(c, &p->ops[i], io, live);
    if (rc || !main) continue;
    rc = compact(c, io, live);
  }
  og_free(live);
  return rc;
}

/*==================== tail: project / aggregate / order / limit ====================*/

typedef struct xout {
  size_t ncols, n, cap;
  og_xval *cells;
  size_t *src; /* wide row of each output row (SIZE_MAX for aggregate rows) */
} xout;

static og_status out_row(xctx *c, og_xresult *res, xout *o, const og_xval *vals, size_t src) {
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 64;
    og_xval *nc = og_realloc(o->cells, cap * (o->ncols ? o->ncols : 1) * sizeof *nc);
    if (!nc) return oom(c);
    o->cells = nc;
    size_t *ns = og_realloc(o->src, cap * sizeof *ns);
    if (!ns) return oom(c);
    o->src = ns;
    o->cap = cap;
  }
  for (size_t j = 0; j < o->ncols; j++)
    if (og_xval_copy(&res->arena, &vals[j], &o->cells[o->n * o->ncols + j])) return oom(c);
  o->src[o->n++] = src;
  return OG_OK;
}

static og_status op_project(xctx *c, const og_qir_op *op, xrows *rows, og_xresult *res, xout *o) {
  og_status rc = OG_OK;
  for (size_t j = 0; j < op->n_projs && !rc; j++)
    if (op->projs[j].ref < 0) rc = expr_hydrate(c, rows, op->projs[j].expr);
  og_xval *vals = og_calloc(op->n_projs + 1, sizeof *vals);
  if (!vals) return oom(c);
  for (size_t i = 0; i < rows->n && !rc; i++) {
    for (size_t j = 0; j < op->n_projs && !rc; j++) {
      const og_qir_proj *p = &op->projs[j];
      if (p->ref >= 0 && (size_t)p->ref < j) vals[j] = vals[p->ref];
      else rc = eval(c, rows, i, p->expr, &vals[j]);
    }
    for (uint64_t k = 0; k < rows->w[i] && !rc; k++) rc = out_row(c, res, o, vals, i);
  }
  og_free(vals);
  return rc;
}

typedef struct xagg {
  uint64_t count;
  double sum;
  og_xval ext; /* min / max */
} xagg;

typedef struct xgroup {
  og_xval *keys; /* n_projs (only the key positions are used) */
  xagg *aggs;    /* n_projs */
} xgroup;

static og_status op_aggregate(xctx *c, const og_qir_op *op, xrows *rows, og_xresult *res, xout *o) {
  og_status rc = OG_OK;
  size_t np = op->n_projs;
  og_map groups = OG_MAP_INIT;
  OG_VEC(xgroup) gs = OG_VEC_INIT;
  og_buf key = OG_BUF_INIT;
  og_xval *vals = og_calloc(np + 1, sizeof *vals);
  if (!vals) return oom(c);
  bool no_keys = true;
  int *cslot = og_malloc((np + 1) * sizeof *cslot); /* count($x) of a node variable: its slot */
  if (!cslot) {
    og_free(vals);
    return oom(c);
  }
  for (size_t j = 0; j < np; j++) {
    if (!op->projs[j].is_agg) no_keys = false;
    const og_qexpr *ae = op->projs[j].expr;
    cslot[j] = op->projs[j].is_agg && ae->agg == OG_QA_COUNT && ae->args[0]->kind == OG_QE_VAR &&
                       !is_param(c, ae->args[0]->var)
                   ? slot_of(c, ae->args[0]->var)
                   : -1;
  }
  for (size_t j = 0; j < np && !rc; j++) {
    const og_qexpr *e = op->projs[j].expr;
    if (op->projs[j].is_agg) e = e->args[0];
    /* count($x) of a node variable needs no hydration: bound = non-null */
    if (op->projs[j].is_agg && op->projs[j].expr->agg == OG_QA_COUNT && e->kind == OG_QE_VAR && !is_param(c, e->var))
      continue;
    rc = expr_hydrate(c, rows, e);
  }
  for (size_t i = 0; i < rows->n && !rc; i++) {
    og_buf_clear(&key);
    for (size_t j = 0; j < np && !rc; j++) {
      if (op->projs[j].is_agg) continue;
      if ((rc = eval(c, rows, i, op->projs[j].expr, &vals[j]))) break;
      if (og_buf_printf(&key, "%d:", (int)vals[j].kind) || og_xval_json(&key, &vals[j]) || og_buf_putc(&key, '\x1f'))
        rc = oom(c);
    }
    if (rc) break;
    void *gv;
    size_t gi;
    if (no_keys && gs.count) {
      gi = 0; /* global aggregate: one group */
    } else if (og_map_get(&groups, key.ptr ? key.ptr : "", key.len, &gv)) {
      gi = (size_t)(uintptr_t)gv - 1;
    } else {
      xgroup g = {og_arena_zalloc(&res->arena, (np + 1) * sizeof *g.keys),
                  og_arena_zalloc(&res->arena, (np + 1) * sizeof *g.aggs)};
      if (!g.keys || !g.aggs || OG_VEC_PUSH(&gs, g) ||
          og_map_put(&groups, key.ptr ? key.ptr : "", key.len, (void *)(uintptr_t)gs.count)) {
        rc = oom(c);
        break;
      }
      gi = gs.count - 1;
      for (size_t j = 0; j < np && !rc; j++)
        if (!op->projs[j].is_agg && og_xval_copy(&res->arena, &vals[j], &gs.items[gi].keys[j])) rc = oom(c);
    }
    xgroup *g = &gs.items[gi];
    uint64_t w = rows->w[i];
    for (size_t j = 0; j < np && !rc; j++) {
      if (!op->projs[j].is_agg) continue;
      const og_qexpr *ae = op->projs[j].expr;
      const og_qexpr *arg = ae->args[0];
      xagg *a = &g->aggs[j];
      og_xval v;
      if (cslot[j] >= 0) {
        if (ROW(rows, i)[cslot[j]] != UNBOUND) a->count += w;
        continue;
      }
      if ((rc = eval(c, rows, i, arg, &v))) break;
      if (v.kind == OG_XV_NULL) continue;
      a->count += w;
      if (ae->agg == OG_QA_SUM || ae->agg == OG_QA_AVG) {
        double x = v.kind == OG_XV_INT ? (double)v.v.i : v.kind == OG_XV_UINT ? (double)v.v.u
                 : v.kind == OG_XV_FLOAT ? v.v.f : 0.0;
        a->sum += x * (double)w;
      } else if (ae->agg == OG_QA_MIN || ae->agg == OG_QA_MAX) {
        int cmp = a->ext.kind == OG_XV_NULL ? 0 : og_xval_order(&v, &a->ext);
        if (a->ext.kind == OG_XV_NULL || (ae->agg == OG_QA_MIN ? cmp < 0 : cmp > 0))
          if (og_xval_copy(&res->arena, &v, &a->ext)) rc = oom(c);
      }
    }
  }
  bool global = true;
  for (size_t j = 0; j < np; j++)
    if (!op->projs[j].is_agg) global = false;
  if (!rc && global && gs.count == 0) {
    xgroup g = {og_arena_zalloc(&res->arena, (np + 1) * sizeof *g.keys),
                og_arena_zalloc(&res->arena, (np + 1) * sizeof *g.aggs)};
    if (!g.keys || !g.aggs || OG_VEC_PUSH(&gs, g)) rc = oom(c);
  }
  for (size_t gi = 0; gi < gs.count && !rc; gi++) {
    xgroup *g = &gs.items[gi];
    for (size_t j = 0; j < np; j++) {
      og_xval *v = &vals[j];
      memset(v, 0, sizeof *v);
      if (!op->projs[j].is_agg) {
        *v = g->keys[j];
        continue;
      }
      xagg *a = &g->aggs[j];
      switch (op->projs[j].expr->agg) {
        case OG_QA_COUNT: v->kind = OG_XV_INT; v->v.i = (int64_t)a->count; break;
        case OG_QA_SUM: if (a->count) { v->kind = OG_XV_FLOAT; v->v.f = a->sum; } break;
        case OG_QA_AVG: if (a->count) { v->kind = OG_XV_FLOAT; v->v.f = a->sum / (double)a->count; } break;
        default: *v = a->ext; break;
      }
    }
    rc = out_row(c, res, o, vals, SIZE_MAX);
  }
  og_free(vals);
  og_free(cslot);
  og_map_dispose(&groups);
  OG_VEC_FREE(&gs);
  og_buf_dispose(&key);
  return rc;
}

typedef struct sortctx {
  const og_xval *keys; /* n × nk */
  size_t nk;
  const bool *desc;
} sortctx;

static int key_cmp(const sortctx *s, size_t a, size_t b) {
  for (size_t k = 0; k < s->nk; k++) {
    const og_xval *x = &s->keys[a * s->nk + k], *y = &s->keys[b * s->nk + k];
    int c = og_xval_order(x, y); /* null smallest: first ascending, last descending */
    if (c) return s->desc[k] ? -c : c;
  }
  return 0;
}

static void merge_sort(const sortctx *s, size_t *idx, size_t *tmp, size_t n) {
  if (n < 2) return;
  size_t h = n / 2;
  merge_sort(s, idx, tmp, h);
  merge_sort(s, idx + h, tmp, n - h);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) tmp[k++] = key_cmp(s, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
  while (i < h) tmp[k++] = idx[i++];
  while (j < n) tmp[k++] = idx[j++];
  memcpy(idx, tmp, n * sizeof *idx);
}

/* The first k of a stable sort, by insertion into a bounded sorted array
 * (the comparison falls back to the row index, so the order is total). */
static size_t top_k(const sortctx *s, size_t *idx, size_t n, size_t k) {
  size_t m = 0;
  if (!k) return 0;
  for (size_t i = 0; i < n; i++) {
    if (m == k) {
      int c = key_cmp(s, i, idx[m - 1]);
      if (c > 0 || (c == 0 && i > idx[m - 1])) continue;
      m--;
    }
    size_t j = m++;
    while (j > 0) {
      int c = key_cmp(s, i, idx[j - 1]);
      if (c > 0 || (c == 0 && i > idx[j - 1])) break;
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = i;
  }
  return m;
}

static og_status op_order(xctx *c, const og_qir_op *op, xrows *rows, xout *o, int64_t limit) {
  og_status rc = OG_OK;
  size_t nk = op->n_keys, n = o->n;
  og_xval *keys = og_calloc(n * nk + 1, sizeof *keys);
  bool *desc = og_calloc(nk + 1, sizeof *desc);
  size_t *idx = og_malloc((n + 1) * sizeof *idx), *tmp = og_malloc((n + 1) * sizeof *tmp);
  og_xval *cells = og_malloc((n * o->ncols + 1) * sizeof *cells);
  size_t *src = og_malloc((n + 1) * sizeof *src);
  if (!keys || !desc || !idx || !tmp || !cells || !src) {
    rc = oom(c);
    goto cleanup;
  }
  for (size_t k = 0; k < nk && !rc; k++) {
    const og_qir_okey *key = &op->keys[k];
    desc[k] = key->desc;
    if (key->proj >= 0) {
      for (size_t i = 0; i < n; i++) keys[i * nk + k] = o->cells[i * o->ncols + (size_t)key->proj];
      continue;
    }
    const char *fn = search_fn_name(key->expr->kind);
    if (fn) {
      rc = unsupported(c, fn);
      break;
    }
    if (key->expr->kind == OG_QE_ALIAS) {
      rc = og_err_set(c->err, OG_EINVAL, "alias '%s' not found for ordering", key->expr->name);
      break;
    }
    if (key->expr->kind == OG_QE_AGG || (n && o->src[0] == SIZE_MAX)) {
      rc = og_err_set(c->err, OG_EINVAL, "unsupported ordering expression");
      break;
    }
    if ((rc = expr_hydrate(c, rows, key->expr))) break;
    for (size_t i = 0; i < n && !rc; i++) rc = eval(c, rows, o->src[i], key->expr, &keys[i * nk + k]);
  }
  if (rc) goto cleanup;
  sortctx s = {keys, nk, desc};
  if (limit >= 0 && (uint64_t)limit <= 256 && (uint64_t)limit * 4 < n) {
    n = top_k(&s, idx, n, (size_t)limit);
    o->n = n;
  } else {
    for (size_t i = 0; i < n; i++) idx[i] = i;
    merge_sort(&s, idx, tmp, n);
  }
  for (size_t i = 0; i < n; i++) {
    memcpy(cells + i * o->ncols, o->cells + idx[i] * o->ncols, o->ncols * sizeof *cells);
    src[i] = o->src[idx[i]];
  }
  if (n) {
    memcpy(o->cells, cells, n * o->ncols * sizeof *cells);
    memcpy(o->src, src, n * sizeof *src);
  }
cleanup:
  og_free(keys);
  og_free(desc);
  og_free(idx);
  og_free(tmp);
  og_free(cells);
  og_free(src);
  return rc;
}

/*==================== setup ====================*/

static og_status add_slot(xctx *c, xslotvec *v, const char *name, const char *type_name) {
  if (!name) return OG_OK;
  for (size_t i = 0; i < v->count; i++)
    if (strcmp(v->items[i].name, name) == 0) return OG_OK;
  xslot s = {name, NULL};
  if (type_name) {
    og_status rc = get_tab(c, type_name, &s.tab);
    if (rc) return rc;
  }
  return OG_VEC_PUSH(v, s) ? oom(c) : OG_OK;
}

static og_status collect_slots(xctx *c, const og_qir_pipe *p, void *vv) {
  xslotvec *v = vv;
  og_status rc = OG_OK;
  for (size_t i = 0; i < p->n_ops && !rc; i++) {
    const og_qir_op *op = &p->ops[i];
    if (op->kind == OG_QIR_NODE_SCAN) rc = add_slot(c, (void *)v, op->var, op->type_name);
    else if (op->kind == OG_QIR_EXPAND) {
      const og_type *e = edge_type(c, op->edge);
      if (!e) return og_err_set(c->err, OG_ENOTFOUND, "unknown edge type '%s'", op->edge);
      const char *src_type = op->dir == OG_QDIR_OUT ? e->from_type : e->to_type;
      rc = add_slot(c, (void *)v, op->var, src_type);
      if (!rc) rc = add_slot(c, (void *)v, op->dst, op->type_name);
    } else if (op->kind == OG_QIR_ANTI_JOIN || op->kind == OG_QIR_CROSS_JOIN) {
      rc = collect_slots(c, &op->sub, vv);
    }
  }
  return rc;
}

static void need_expr(xctx *c, const og_qexpr *e) {
  if (!e) return;
  if (e->kind == OG_QE_PROP || (e->kind == OG_QE_VAR && !is_param(c, e->var))) {
    int s = slot_of(c, e->var);
    if (s >= 0 && c->slots[s].tab) need_col(c->slots[s].tab, e->kind == OG_QE_PROP ? e->name : "id");
  }
  for (int i = 0; i < e->nargs; i++) need_expr(c, e->args[i]);
}

static void need_pipe(xctx *c, const og_qir_pipe *p) {
  for (size_t i = 0; i < p->n_ops; i++) {
    const og_qir_op *op = &p->ops[i];
    int s = -1;
    if (op->kind == OG_QIR_NODE_SCAN) s = slot_of(c, op->var);
    if (op->kind == OG_QIR_EXPAND) s = slot_of(c, op->dst);
    if (s >= 0 && c->slots[s].tab)
      for (size_t k = 0; k < op->n_preds; k++) need_col(c->slots[s].tab, op->preds[k].prop);
    need_expr(c, op->left);
    need_expr(c, op->right);
    for (size_t k = 0; k < op->n_projs; k++) need_expr(c, op->projs[k].expr);
    for (size_t k = 0; k < op->n_keys; k++) need_expr(c, op->keys[k].expr);
    if (op->kind == OG_QIR_ANTI_JOIN || op->kind == OG_QIR_CROSS_JOIN) need_pipe(c, &op->sub);
  }
}

static og_qop flip_op(og_qop op) {
  switch (op) {
    case OG_QOP_LT: return OG_QOP_GT;
    case OG_QOP_LE: return OG_QOP_GE;
    case OG_QOP_GT: return OG_QOP_LT;
    case OG_QOP_GE: return OG_QOP_LE;
    default: return op;
  }
}

/* `expr` as a scan-predicate value: a scalar literal, a parameter or now(). */
static bool as_value(const xctx *c, const og_qexpr *e, og_qvalue *v) {
  memset(v, 0, sizeof *v);
  if (e->kind == OG_QE_LIT && e->lit.kind != OG_QL_LIST) {
    v->kind = OG_QVAL_LIT;
    v->lit = e->lit;
    return true;
  }
  if (e->kind == OG_QE_VAR && is_param(c, e->var)) {
    v->kind = OG_QVAL_VAR;
    v->var = e->var;
    return true;
  }
  if (e->kind == OG_QE_NOW) {
    v->kind = OG_QVAL_NOW;
    return true;
  }
  return false;
}

/* Explicit filters `$root.prop op value` on the first scan's variable are
 * evaluated by that scan (storage predicates: fragment skipping, no row
 * fetch) instead of in memory after the expansions. Rows only ever extend
 * scanned roots, so filtering the roots first gives the same rows. */
static og_status pushdown_filters(xctx *c, const og_qir_pipe *in, og_qir_pipe *out) {
  *out = *in;
  if (!in->n_ops || in->ops[0].kind != OG_QIR_NODE_SCAN || in->ops[0].n_text) return OG_OK;
  const og_qir_op *scan = &in->ops[0];
  size_t extra = 0;
  og_qir_op *ops = og_arena_alloc(&c->arena, in->n_ops * sizeof *ops);
  og_qir_pred *preds = og_arena_alloc(&c->arena, (scan->n_preds + in->n_ops) * sizeof *preds);
  if (!ops || !preds) return oom(c);
  if (scan->n_preds) memcpy(preds, scan->preds, scan->n_preds * sizeof *preds);
  size_t n = 1;
  for (size_t i = 1; i < in->n_ops; i++) {
    const og_qir_op *f = &in->ops[i];
    if (f->kind == OG_QIR_FILTER && f->op != OG_QOP_CONTAINS && f->left && f->right) {
      const og_qexpr *prop = NULL, *val = NULL;
      og_qop op = f->op;
      if (f->left->kind == OG_QE_PROP) prop = f->left, val = f->right;
      else if (f->right->kind == OG_QE_PROP) prop = f->right, val = f->left, op = flip_op(op);
      og_qvalue v;
      if (prop && strcmp(prop->var, scan->var) == 0 && as_value(c, val, &v)) {
        og_qir_pred *p = &preds[scan->n_preds + extra++];
        memset(p, 0, sizeof *p);
        p->prop = prop->name;
        p->op = op;
        p->value = v;
        continue;
      }
    }
    ops[n++] = *f;
  }
  if (!extra) return OG_OK;
  ops[0] = *scan;
  ops[0].preds = preds;
  ops[0].n_preds = scan->n_preds + extra;
  out->ops = ops;
  out->n_ops = n;
  return OG_OK;
}

og_status og_exec_read(og_xcache *cache, og_snapshot *snap, const og_qir *ir,
                       const og_qparams *params, og_xresult **out, og_error *err) {
  og_status rc = OG_OK;
  xctx cx;
  xctx *c = &cx;
  memset(c, 0, sizeof *c);
  xrows rows = {0};
  xout o = {0};
  xslotvec slots = OG_VEC_INIT;
  og_xresult *res = NULL;
  *out = NULL;
  c->cache = cache ? cache : og_xcache_new();
  if (!c->cache) return og_err_oom(err);
  c->snap = snap;
  c->typed = ir->typed;
  c->cat = ir->typed->cat;
  c->decl = ir->typed->decl;
  c->params = params;
  c->err = err;
  og_arena_init(&c->arena, 16384);
  res = og_calloc(1, sizeof *res);
  if (!res) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  og_arena_init(&res->arena, 16384);
  if ((rc = collect_slots(c, &ir->pipe, &slots))) goto cleanup;
  c->slots = slots.items;
  c->nslots = slots.count;
  need_pipe(c, &ir->pipe);
  og_qir_pipe pipe;
  if ((rc = pushdown_filters(c, &ir->pipe, &pipe))) goto cleanup;
  if ((rc = rows_unit(c, &rows))) goto cleanup;
  if ((rc = run_pipe(c, &pipe, &rows, true))) goto cleanup;
  for (size_t i = 0; i < pipe.n_ops && !rc; i++) {
    const og_qir_op *op = &pipe.ops[i];
    switch (op->kind) {
      case OG_QIR_PROJECT:
      case OG_QIR_AGGREGATE:
        o.ncols = op->n_projs;
        res->ncols = op->n_projs;
        res->names = og_arena_zalloc(&res->arena, (op->n_projs + 1) * sizeof *res->names);
        if (!res->names) {
          rc = og_err_oom(err);
          break;
        }
        for (size_t j = 0; j < op->n_projs; j++) {
          res->names[j] = og_arena_strdup(&res->arena, op->projs[j].column);
          if (!res->names[j]) rc = og_err_oom(err);
        }
        if (!rc) rc = op->kind == OG_QIR_PROJECT ? op_project(c, op, &rows, res, &o)
                                                 : op_aggregate(c, op, &rows, res, &o);
        break;
      case OG_QIR_ORDER: {
        /* a limit right after the ordering lets the sort keep only the top k */
        int64_t lim = i + 1 < pipe.n_ops && pipe.ops[i + 1].kind == OG_QIR_LIMIT ? pipe.ops[i + 1].limit : -1;
        rc = op_order(c, op, &rows, &o, lim);
        break;
      }
      case OG_QIR_LIMIT:
        if (op->limit >= 0 && (uint64_t)op->limit < o.n) o.n = (size_t)op->limit;
        break;
      default: break;
    }
  }
  if (rc) goto cleanup;
  res->nrows = o.n;
  res->cells = og_arena_alloc(&res->arena, (o.n * o.ncols + 1) * sizeof *res->cells);
  if (!res->cells) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if (o.n) memcpy(res->cells, o.cells, o.n * o.ncols * sizeof *res->cells);
  *out = res;
  res = NULL;
cleanup:
  og_xresult_free(res);
  og_free(o.cells);
  og_free(o.src);
  rows_free(&rows);
  for (size_t i = 0; i < c->graphs.count; i++) og_xcache_release_csr(c->cache, c->graphs.items[i].csr);
  OG_VEC_FREE(&c->graphs);
  for (size_t i = 0; i < c->memos.count; i++) {
    OG_VEC_FREE(&c->memos.items[i]->ids);
    og_free(c->memos.items[i]);
  }
  OG_VEC_FREE(&c->memos);
  for (size_t i = 0; i < c->tabs.count; i++) tab_free(c, c->tabs.items[i]);
  OG_VEC_FREE(&c->tabs);
  OG_VEC_FREE(&slots);
  og_free(c->vis);
  og_free(c->rep);
  og_arena_dispose(&c->arena);
  if (!cache) og_xcache_free(c->cache);
  return rc;
}

void og_xresult_free(og_xresult *r) {
  if (!r) return;
  og_arena_dispose(&r->arena);
  og_free(r);
}
