/*
 * Mutation executor: INSERT / UPDATE / DELETE statements over a pinned
 * snapshot plus an in-memory overlay of pending rows, then one graph commit.
 *
 * Overlay model: per touched table, one pending row per id (the newest
 * state): a new row (base_rowid = NONE), a replacement of a committed row
 * (base_rowid = its row id), or a tombstone (deleted). Statements read the
 * committed table through the overlay (a committed row whose id is pending is
 * shadowed), which gives read-your-writes in statement order.
 */
#include <stdio.h>
#include <string.h>

#include "exec/write.h"
#include "lang/query.h"

#define NONE UINT64_MAX

typedef struct prow {
  const char *id;
  size_t id_len;
  og_value *vals; /* by table column */
  uint64_t base_rowid;
  bool deleted;
} prow;

typedef struct mtable {
  const og_type *t;
  bool is_edge;
  char key[320];
  og_table *base;
  const og_table_schema *schema;
  int *prop_col;
  OG_VEC(prow *) rows; /* first-touch order */
  og_map by_id;        /* id → prow* */
  bool read_dep;       /* an edge insert relied on a committed row of this table */
} mtable;

typedef struct mctx {
  og_arena a;
  const og_catalog *cat;
  og_snapshot *snap;
  og_qparams *params;
  OG_VEC(mtable *) tables;
  og_map by_key;
  og_buf tmp;
  uint64_t affected_nodes, affected_edges;
} mctx;

void og_mutate_result_dispose(og_mutate_result *r) {
  if (!r) return;
  og_free(r->query_name);
  memset(r, 0, sizeof *r);
}

/*==================== tables ====================*/

static void mtable_free(mtable *T) {
  if (!T) return;
  og_table_free(T->base);
  og_free(T->prop_col);
  OG_VEC_FREE(&T->rows);
  og_map_dispose(&T->by_id);
  og_free(T);
}

static og_status get_mtable(mctx *M, const og_type *t, mtable **out, og_error *err) {
  char key[320];
  og_exec_table_key(t, key, sizeof key);
  void *found;
  if (og_map_sget(&M->by_key, key, &found)) {
    *out = found;
    return OG_OK;
  }
  og_status rc;
  mtable *T = og_calloc(1, sizeof *T);
  if (!T) return og_err_oom(err);
  T->t = t;
  T->is_edge = t->kind == OG_KIND_EDGE;
  snprintf(T->key, sizeof T->key, "%s", key);
  if ((rc = og_snapshot_table(M->snap, key, &T->base, err))) goto fail;
  T->schema = og_table_schema_get(T->base);
  T->prop_col = og_calloc(t->n_props ? t->n_props : 1, sizeof *T->prop_col);
  if (!T->prop_col) {
    rc = og_err_oom(err);
    goto fail;
  }
  for (size_t i = 0; i < t->n_props; i++)
    if ((T->prop_col[i] = og_table_schema_find(T->schema, t->props[i].name)) < 0) {
      rc = og_err_set(err, OG_ECORRUPT, "table %s has no column '%s'", key, t->props[i].name);
      goto fail;
    }
  if (OG_VEC_PUSH(&M->tables, T)) {
    rc = og_err_oom(err);
    goto fail;
  }
  if (og_map_sput(&M->by_key, key, T)) {
    M->tables.count--;
    rc = og_err_oom(err);
    goto fail;
  }
  *out = T;
  return OG_OK;
fail:
  mtable_free(T);
  return rc;
}

static og_status register_row(mtable *T, prow *r, og_error *err) {
  if (OG_VEC_PUSH(&T->rows, r)) return og_err_oom(err);
  if (og_map_put(&T->by_id, r->id, r->id_len, r)) return og_err_oom(err);
  return OG_OK;
}

static prow *new_prow(mctx *M, mtable *T, const char *id, size_t len, uint64_t base_rowid) {
  prow *r = og_arena_zalloc(&M->a, sizeof *r);
  if (!r) return NULL;
  r->vals = og_arena_zalloc(&M->a, T->schema->ncols * sizeof *r->vals);
  char *idc = og_arena_strndup(&M->a, id, len);
  if (!r->vals || !idc) return NULL;
  r->id = idc;
  r->id_len = len;
  r->base_rowid = base_rowid;
  r->vals[0] = (og_value){.kind = OG_V_STRING, .u.s = {idc, len}};
  return r;
}

/* Is a row with this id live (pending or committed and not shadowed)?
 * *pending_out: the pending row (live or tombstone) or NULL; *rowid_out: the
 * committed row id or NONE. */
static og_status find_id(mtable *T, const char *id, size_t len, prow **pending_out,
                         uint64_t *rowid_out, og_error *err) {
  void *p;
  *pending_out = NULL;
  *rowid_out = NONE;
  if (og_map_get(&T->by_id, id, len, &p)) {
    *pending_out = p;
    return OG_OK;
  }
  og_status rc = og_table_lookup(T->base, id, len, rowid_out, err);
  if (rc == OG_ENOTFOUND) {
    *rowid_out = NONE;
    if (err) og_err_clear(err);
    return OG_OK;
  }
  return rc;
}

static og_status node_exists(mctx *M, const char *type_name, const char *id, size_t len,
                             bool *out, og_error *err) {
  const og_type *nt = og_catalog_node(M->cat, type_name);
  if (!nt) return og_err_set(err, OG_ECORRUPT, "edge endpoint type '%s' is not a node type", type_name);
  mtable *N;
  og_status rc = get_mtable(M, nt, &N, err);
  if (rc) return rc;
  prow *p;
  uint64_t rid;
  if ((rc = find_id(N, id, len, &p, &rid, err))) return rc;
  *out = p ? !p->deleted : rid != NONE;
  if (!p && rid != NONE) N->read_dep = true;
  return OG_OK;
}

/*==================== values ====================*/

static og_status qval_to_value(mctx *M, const og_qval *q, og_value *out, og_error *err) {
  memset(out, 0, sizeof *out);
  switch (q->kind) {
  case OG_QV_NULL: return OG_OK;
  case OG_QV_STRING:
    out->kind = OG_V_STRING;
    out->u.s.ptr = q->s ? q->s : "";
    out->u.s.len = q->len;
    return OG_OK;
  case OG_QV_INT: out->kind = OG_V_INT; out->u.i = q->i; return OG_OK;
  case OG_QV_FLOAT: out->kind = OG_V_FLOAT; out->u.f = q->f; return OG_OK;
  case OG_QV_BOOL: out->kind = OG_V_BOOL; out->u.b = q->b; return OG_OK;
  case OG_QV_DATE: out->kind = OG_V_DATE; out->u.days = (int32_t)q->i; return OG_OK;
  case OG_QV_DATETIME: out->kind = OG_V_DATETIME; out->u.ms = q->i; return OG_OK;
  case OG_QV_LIST: {
    og_value *items = og_arena_zalloc(&M->a, (q->n_items ? q->n_items : 1) * sizeof *items);
    if (!items) return og_err_oom(err);
    for (size_t i = 0; i < q->n_items; i++) {
      og_status rc = qval_to_value(M, &q->items[i], &items[i], err);
      if (rc) return rc;
    }
    out->kind = OG_V_LIST;
    out->u.list.items = items;
    out->u.list.n = q->n_items;
    return OG_OK;
  }
  }
  return og_err_set(err, OG_ERROR, "unknown parameter value kind");
}

/* A statement value (literal, $param or now()) before type conversion. */
static og_status resolve(mctx *M, const og_qvalue *v, og_value *out, og_error *err) {
  og_qval q;
  if (v->kind == OG_QVAL_LIT) {
    og_status rc = og_qlit_value(&M->a, &v->lit, &q, err);
    if (rc) return rc;
    return qval_to_value(M, &q, out, err);
  }
  const char *name = v->kind == OG_QVAL_NOW ? OG_QNOW_PARAM : v->var;
  const og_qval *p = og_qparams_get(M->params, name);
  if (!p) return og_err_set(err, OG_EINVAL, "parameter '%s' not provided", name);
  return qval_to_value(M, p, out, err);
}

/* Resolve and convert to property p of t (validators included). */
static og_status prop_value(mctx *M, const og_type *t, const og_prop *p, const og_qvalue *v,
                            og_value *out, og_error *err) {
  og_value in;
  og_status rc = resolve(M, v, &in, err);
  if (rc) return rc;
  if ((rc = og_value_convert(t, p, &in, &M->a, out, err))) {
    if (v->kind == OG_QVAL_VAR) og_err_prefix(err, "param '%s'", v->var);
    return rc;
  }
  return og_validate_value(t, p, out, err);
}

static int cmp_values(const og_value *a, const og_value *b, bool *ok) {
  *ok = true;
  if (a->kind == OG_V_NULL || b->kind == OG_V_NULL) {
    *ok = false;
    return 0;
  }
  if ((a->kind == OG_V_STRING || a->kind == OG_V_BLOB) && (b->kind == OG_V_STRING || b->kind == OG_V_BLOB)) {
    size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
    int c = memcmp(a->u.s.ptr, b->u.s.ptr, n);
    if (c) return c < 0 ? -1 : 1;
    return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
  }
  if (a->kind == OG_V_BOOL && b->kind == OG_V_BOOL) return (int)a->u.b - (int)b->u.b;
  long double x, y;
  switch (a->kind) {
  case OG_V_INT: x = a->u.i; break;
  case OG_V_UINT: x = a->u.u; break;
  case OG_V_FLOAT: x = a->u.f; break;
  case OG_V_DATE: x = a->u.days; break;
  case OG_V_DATETIME: x = a->u.ms; break;
  default: *ok = false; return 0;
  }
  switch (b->kind) {
  case OG_V_INT: y = b->u.i; break;
  case OG_V_UINT: y = b->u.u; break;
  case OG_V_FLOAT: y = b->u.f; break;
  case OG_V_DATE: y = b->u.days; break;
  case OG_V_DATETIME: y = b->u.ms; break;
  default: *ok = false; return 0;
  }
  return x < y ? -1 : x > y;
}

static bool op_holds(og_qop op, int c) {
  switch (op) {
  case OG_QOP_EQ: return c == 0;
  case OG_QOP_NE: return c != 0;
  case OG_QOP_LT: return c < 0;
  case OG_QOP_LE: return c <= 0;
  case OG_QOP_GT: return c > 0;
  case OG_QOP_GE: return c >= 0;
  default: return false;
  }
}

static bool value_cell(const og_value *v, og_cell *c) {
  memset(c, 0, sizeof *c);
  switch (v->kind) {
  case OG_V_STRING:
  case OG_V_BLOB: c->kind = OG_CELL_BYTES; c->v.s.p = v->u.s.ptr; c->v.s.n = v->u.s.len; return true;
  case OG_V_INT: c->kind = OG_CELL_INT; c->v.i = v->u.i; return true;
  case OG_V_UINT: c->kind = OG_CELL_UINT; c->v.u = v->u.u; return true;
  case OG_V_FLOAT: c->kind = OG_CELL_F64; c->v.f = v->u.f; return true;
  case OG_V_BOOL: c->kind = OG_CELL_BOOL; c->v.b = v->u.b; return true;
  case OG_V_DATE: c->kind = OG_CELL_INT; c->v.i = v->u.days; return true;
  case OG_V_DATETIME: c->kind = OG_CELL_INT; c->v.i = v->u.ms; return true;
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

/*==================== matching (committed ∪ pending) ====================*/

typedef OG_VEC(prow *) prow_vec;

/* Rows currently live that satisfy `col op value`: pending rows first, then
 * committed rows not shadowed by a pending one (those get a fresh prow, not
 * yet registered). */
static og_status match_rows(mctx *M, mtable *T, int col, og_qop op, const og_value *val,
                            prow_vec *out, og_error *err) {
  og_status rc = OG_OK;
  if (val->kind == OG_V_NULL) return OG_OK; /* null compares to nothing */
  for (size_t i = 0; i < T->rows.count; i++) {
    prow *r = T->rows.items[i];
    if (r->deleted) continue;
    bool ok;
    int c = cmp_values(&r->vals[col], val, &ok);
    if (ok && op_holds(op, c) && OG_VEC_PUSH(out, r)) return og_err_oom(err);
  }
  og_pred pred = {.col = (uint32_t)col, .op = qop_cmp(op)};
  if (!value_cell(val, &pred.lit))
    return og_err_set(err, OG_EUNSUPPORTED, "predicates on list or vector properties are not supported");
  /* `key = value` (or `id = ...`): a key-index lookup instead of a scan */
  bool by_key = op == OG_QOP_EQ && val->kind == OG_V_STRING &&
                (col == 0 || (!T->is_edge && T->t->key_prop &&
                              T->t->key_prop->type.scalar == OG_SC_STRING && !T->t->key_prop->type.list &&
                              col == T->prop_col[T->t->key_prop->index]));
  if (by_key) {
    void *dummy;
    if (og_map_get(&T->by_id, val->u.s.ptr, val->u.s.len, &dummy)) return OG_OK; /* pending: seen above */
    uint64_t rid;
    rc = og_table_lookup(T->base, val->u.s.ptr, val->u.s.len, &rid, err);
    if (rc == OG_ENOTFOUND) {
      if (err) og_err_clear(err);
      return OG_OK;
    }
    if (rc) return rc;
    og_batch fb = OG_BATCH_INIT;
    if ((rc = og_table_fetch(T->base, &rid, 1, NULL, 0, &fb, err))) return rc;
    prow *r = new_prow(M, T, val->u.s.ptr, val->u.s.len, rid);
    if (!r) rc = og_err_oom(err);
    for (size_t c = 1; !rc && c < T->schema->ncols; c++)
      rc = og_write_get_value(&fb.cols[c], 0, &M->a, &r->vals[c], err);
    if (!rc && OG_VEC_PUSH(out, r)) rc = og_err_oom(err);
    og_batch_dispose(&fb);
    return rc;
  }
  og_scan_opts so = {.preds = &pred, .npreds = 1};
  og_scan *s = NULL;
  const og_batch *b;
  if ((rc = og_table_scan(T->base, &so, &s, err))) return rc;
  while (!(rc = og_scan_next(s, &b, err)) && b) {
    for (size_t i = 0; i < og_batch_rows(b) && !rc; i++) {
      size_t len;
      const char *id = og_column_get_bytes(&b->cols[0], i, &len);
      void *dummy;
      if (og_map_get(&T->by_id, id, len, &dummy)) continue; /* shadowed */
      prow *r = new_prow(M, T, id, len, b->rowids.items[i]);
      if (!r) {
        rc = og_err_oom(err);
        break;
      }
      for (size_t c = 1; c < T->schema->ncols && !rc; c++)
        rc = og_write_get_value(&b->cols[c], i, &M->a, &r->vals[c], err);
      if (!rc && OG_VEC_PUSH(out, r)) rc = og_err_oom(err);
    }
    if (rc) break;
  }
  og_scan_free(s);
  return rc;
}

static bool is_registered(mtable *T, prow *r) {
  void *p;
  return og_map_get(&T->by_id, r->id, r->id_len, &p) && p == r;
}

static og_status pred_target(mctx *M, mtable *T, const og_qir_pred *pr, int *col, og_value *val,
                             og_error *err) {
  if (T->is_edge && (strcmp(pr->prop, "from") == 0 || strcmp(pr->prop, "to") == 0)) {
    *col = pr->prop[0] == 'f' ? 1 : 2;
    og_status rc = resolve(M, &pr->value, val, err);
    if (rc) return rc;
    if (val->kind != OG_V_STRING && val->kind != OG_V_NULL)
      return og_err_set(err, OG_ETYPE, "edge %s %s endpoint must be a string id", T->t->name, pr->prop);
    return OG_OK;
  }
  const og_prop *p = og_type_prop(T->t, pr->prop);
  if (!p) return og_err_set(err, OG_ETYPE, "type %s has no property '%s'", T->t->name, pr->prop);
  *col = T->prop_col[p->index];
  og_value in;
  og_status rc = resolve(M, &pr->value, &in, err);
  if (rc || in.kind == OG_V_NULL) {
    *val = in;
    return rc;
  }
  return og_value_convert(T->t, p, &in, &M->a, val, err);
}

/*==================== statements ====================*/

static og_status do_insert(mctx *M, const og_qir_op *op, og_error *err) {
  const og_type *t = op->is_edge ? og_catalog_edge(M->cat, op->type_name)
                                 : og_catalog_node(M->cat, op->type_name);
  if (!t) return og_err_set(err, OG_ETYPE, "unknown type '%s'", op->type_name);
  mtable *T;
  og_status rc = get_mtable(M, t, &T, err);
  if (rc) return rc;
  size_t ncols = T->schema->ncols;
  og_value *vals = og_arena_zalloc(&M->a, ncols * sizeof *vals);
  if (!vals) return og_err_oom(err);
  for (size_t k = 0; k < op->n_assigns; k++) {
    const og_qassign *as = &op->assigns[k];
    if (T->is_edge && (strcmp(as->prop, "from") == 0 || strcmp(as->prop, "to") == 0)) {
      og_value v;
      if ((rc = resolve(M, &as->value, &v, err))) return rc;
      if (v.kind != OG_V_STRING) {
        og_buf_clear(&M->tmp);
        og_value_text(&v, &M->tmp);
        return og_err_set(err, OG_EINVAL, "edge %s %s endpoint must be a string id, got %s", t->name,
                          as->prop, M->tmp.ptr ? M->tmp.ptr : "null");
      }
      vals[as->prop[0] == 'f' ? 1 : 2] = v;
      continue;
    }
    const og_prop *p = og_type_prop(t, as->prop);
    if (!p) return og_err_set(err, OG_ETYPE, "type %s has no property '%s'", t->name, as->prop);
    if ((rc = prop_value(M, t, p, &as->value, &vals[T->prop_col[p->index]], err))) return rc;
  }
  for (size_t i = 0; i < t->n_props; i++)
    if ((rc = og_validate_required(t, &t->props[i], &vals[T->prop_col[i]], OG_REQ_MUTATION, err)))
      return rc;
  if (T->is_edge) {
    if (vals[1].kind != OG_V_STRING)
      return og_err_set(err, OG_EINVAL, "insert for %s must provide required endpoint 'from'", t->name);
    if (vals[2].kind != OG_V_STRING)
      return og_err_set(err, OG_EINVAL, "insert for %s must provide required endpoint 'to'", t->name);
    for (int side = 0; side < 2; side++) {
      bool ok = false;
      const og_value *e = &vals[1 + side];
      if ((rc = node_exists(M, side ? t->to_type : t->from_type, e->u.s.ptr, e->u.s.len, &ok, err)))
        return rc;
      if (!ok)
        return og_err_set(err, OG_ECONSTRAINT, "%s '%.*s' not found in %s", side ? "dst" : "src",
                          (int)(e->u.s.len > 300 ? 300 : e->u.s.len), e->u.s.ptr,
                          side ? t->to_type : t->from_type);
    }
    char ulid[OG_ULID_LEN + 1];
    if (og_ulid_new(ulid)) return og_err_oom(err);
    prow *r = new_prow(M, T, ulid, OG_ULID_LEN, NONE);
    if (!r) return og_err_oom(err);
    for (size_t c = 1; c < ncols; c++) r->vals[c] = vals[c];
    if ((rc = register_row(T, r, err))) return rc;
    M->affected_edges++;
    return OG_OK;
  }
  /* node id: the key value, else a fresh ULID */
  char ulid[OG_ULID_LEN + 1];
  const char *id;
  size_t id_len;
  if (t->key_prop) {
    const og_value *kv = &vals[T->prop_col[t->key_prop->index]];
    if (kv->kind == OG_V_NULL)
      return og_err_set(err, OG_EINVAL, "insert missing @key property '%s'", t->key_prop->name);
    og_buf_clear(&M->tmp);
    og_write_value_key(kv, &M->tmp);
    if (M->tmp.oom) return og_err_oom(err);
    id = M->tmp.ptr;
    id_len = M->tmp.len;
  } else {
    if (og_ulid_new(ulid)) return og_err_oom(err);
    id = ulid;
    id_len = OG_ULID_LEN;
  }
  prow *p;
  uint64_t rid;
  if ((rc = find_id(T, id, id_len, &p, &rid, err))) return rc;
  if (p) {
    /* upsert over a pending row (or re-create a deleted one in place) */
    p->deleted = false;
    for (size_t c = 1; c < ncols; c++) p->vals[c] = vals[c];
  } else {
    prow *r = new_prow(M, T, id, id_len, rid);
    if (!r) return og_err_oom(err);
    for (size_t c = 1; c < ncols; c++) r->vals[c] = vals[c];
    if ((rc = register_row(T, r, err))) return rc;
  }
  M->affected_nodes++;
  return OG_OK;
}

static og_status do_update(mctx *M, const og_qir_op *op, og_error *err) {
  if (op->is_edge)
    return og_err_set(err, OG_EINVAL, "update is only supported for node types, not '%s'", op->type_name);
  const og_type *t = og_catalog_node(M->cat, op->type_name);
  if (!t) return og_err_set(err, OG_ETYPE, "unknown type '%s'", op->type_name);
  mtable *T;
  og_status rc = get_mtable(M, t, &T, err);
  if (rc) return rc;
  og_value *newv = og_arena_zalloc(&M->a, op->n_assigns * sizeof *newv + 1);
  int *cols = og_arena_zalloc(&M->a, op->n_assigns * sizeof *cols + 1);
  if (!newv || !cols) return og_err_oom(err);
  for (size_t k = 0; k < op->n_assigns; k++) {
    const og_qassign *as = &op->assigns[k];
    const og_prop *p = og_type_prop(t, as->prop);
    if (!p) return og_err_set(err, OG_ETYPE, "type %s has no property '%s'", t->name, as->prop);
    for (size_t c = 0; c < t->n_cons; c++)
      if (t->cons[c].kind == OG_CK_KEY)
        for (size_t j = 0; j < t->cons[c].n_cols; j++)
          if (strcmp(t->cons[c].cols[j], p->name) == 0)
            return og_err_set(err, OG_EINVAL,
                              "cannot update @key property '%s' — delete and re-insert instead", p->name);
    if ((rc = prop_value(M, t, p, &as->value, &newv[k], err))) return rc;
    if ((rc = og_validate_required(t, p, &newv[k], OG_REQ_MUTATION, err))) return rc;
    cols[k] = T->prop_col[p->index];
  }
  if (op->n_preds != 1) return og_err_set(err, OG_EINVAL, "update needs one where predicate");
  int pcol;
  og_value pval;
  if ((rc = pred_target(M, T, &op->preds[0], &pcol, &pval, err))) return rc;
  prow_vec m = OG_VEC_INIT;
  if ((rc = match_rows(M, T, pcol, op->preds[0].op, &pval, (void *)&m, err))) goto cleanup;
  for (size_t i = 0; i < m.count; i++) {
    prow *r = m.items[i];
    for (size_t k = 0; k < op->n_assigns; k++) r->vals[cols[k]] = newv[k];
    if (!is_registered(T, r) && (rc = register_row(T, r, err))) goto cleanup;
  }
  M->affected_nodes += m.count;
cleanup:
  OG_VEC_FREE(&m);
  return rc;
}

/* Delete every live edge of E whose endpoint column `col` is in `ids`. */
static og_status cascade(mctx *M, const og_type *e, int col, og_map *ids, og_error *err) {
  mtable *E;
  og_status rc = get_mtable(M, e, &E, err);
  if (rc) return rc;
  uint64_t n = 0;
  void *dummy;
  for (size_t i = 0; i < E->rows.count; i++) {
    prow *r = E->rows.items[i];
    if (r->deleted) continue;
    if (og_map_get(ids, r->vals[col].u.s.ptr, r->vals[col].u.s.len, &dummy)) {
      r->deleted = true;
      n++;
    }
  }
  uint32_t proj[2] = {0, (uint32_t)col};
  og_scan_opts so = {.cols = proj, .ncols = 2};
  og_scan *s = NULL;
  const og_batch *b;
  if ((rc = og_table_scan(E->base, &so, &s, err))) return rc;
  while (!(rc = og_scan_next(s, &b, err)) && b) {
    for (size_t i = 0; i < og_batch_rows(b) && !rc; i++) {
      size_t len, elen;
      const char *ep = og_column_get_bytes(&b->cols[1], i, &elen);
      if (!og_map_get(ids, ep, elen, &dummy)) continue;
      const char *id = og_column_get_bytes(&b->cols[0], i, &len);
      if (og_map_get(&E->by_id, id, len, &dummy)) continue; /* pending: handled above */
      prow *r = new_prow(M, E, id, len, b->rowids.items[i]);
      if (!r) rc = og_err_oom(err);
      else {
        r->deleted = true;
        rc = register_row(E, r, err);
        n++;
      }
    }
    if (rc) break;
  }
  og_scan_free(s);
  M->affected_edges += n;
  return rc;
}

static og_status do_delete(mctx *M, const og_qir_op *op, og_error *err) {
  const og_type *t = op->is_edge ? og_catalog_edge(M->cat, op->type_name)
                                 : og_catalog_node(M->cat, op->type_name);
  if (!t) return og_err_set(err, OG_ETYPE, "unknown type '%s'", op->type_name);
  mtable *T;
  og_status rc = get_mtable(M, t, &T, err);
  if (rc) return rc;
  if (op->n_preds != 1) return og_err_set(err, OG_EINVAL, "delete needs one where predicate");
  int pcol;
  og_value pval;
  if ((rc = pred_target(M, T, &op->preds[0], &pcol, &pval, err))) return rc;
  prow_vec m = OG_VEC_INIT;
  og_map ids = OG_MAP_INIT;
  if ((rc = match_rows(M, T, pcol, op->preds[0].op, &pval, (void *)&m, err))) goto cleanup;
  for (size_t i = 0; i < m.count; i++) {
    prow *r = m.items[i];
    r->deleted = true;
    if (!is_registered(T, r) && (rc = register_row(T, r, err))) goto cleanup;
    if (!T->is_edge && og_map_put(&ids, r->id, r->id_len, r)) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  }
  if (T->is_edge) {
    M->affected_edges += m.count;
    goto cleanup;
  }
  M->affected_nodes += m.count;
  if (m.count == 0) goto cleanup;
  for (size_t i = 0; i < M->cat->n_edges && !rc; i++) {
    const og_type *e = &M->cat->edges[i];
    if (strcmp(e->from_type, t->name) == 0) rc = cascade(M, e, 1, &ids, err);
    if (!rc && strcmp(e->to_type, t->name) == 0) rc = cascade(M, e, 2, &ids, err);
  }
cleanup:
  OG_VEC_FREE(&m);
  og_map_dispose(&ids);
  return rc;
}

/*==================== end-of-mutation constraints ====================*/

/* @unique / composite keys of the rows this mutation wrote, against each
 * other and against live committed rows. */
static og_status check_unique(mctx *M, mtable *T, og_error *err) {
  og_unique_set sets[16];
  size_t nsets = og_write_unique_sets(T->t, T->schema, sets, 16);
  og_status rc = OG_OK;
  for (size_t u = 0; u < nsets && !rc; u++) {
    const og_unique_set *s = &sets[u];
    if (!T->is_edge && s->is_key && s->ncols == 1) continue; /* = the id */
    og_map seen = OG_MAP_INIT;
    for (size_t i = 0; i < T->rows.count && !rc; i++) {
      prow *r = T->rows.items[i];
      if (r->deleted) continue;
      og_pred preds[8];
      bool skip = false;
      og_buf_clear(&M->tmp);
      for (size_t k = 0; k < s->ncols && !skip; k++) {
        const og_value *v = &r->vals[s->table_cols[k]];
        if (v->kind == OG_V_NULL || !value_cell(v, &preds[k].lit)) skip = true;
        preds[k].col = (uint32_t)s->table_cols[k];
        preds[k].op = OG_CMP_EQ;
        if (k) og_buf_putc(&M->tmp, '\x1f'); /* map key; shown as ", " */
        og_write_value_key(v, &M->tmp);
      }
      if (skip) continue;
      if (M->tmp.oom) {
        rc = og_err_oom(err);
        break;
      }
      char cols[256] = "";
      size_t cl = 0;
      for (size_t k = 0; k < s->ncols; k++)
        cl += (size_t)snprintf(cols + cl, sizeof cols - (cl < sizeof cols ? cl : sizeof cols), "%s%s",
                               k ? ", " : "", s->cols[k]);
      const char *lp = s->ncols > 1 ? "(" : "", *rp = s->ncols > 1 ? ")" : "";
      char shown[320];
      size_t sl = 0;
      for (size_t k = 0; k < M->tmp.len && sl + 3 < sizeof shown; k++) {
        if (M->tmp.ptr[k] == '\x1f') {
          shown[sl++] = ',';
          shown[sl++] = ' ';
        } else {
          shown[sl++] = M->tmp.ptr[k];
        }
      }
      shown[sl] = '\0';
      void *prev;
      if (og_map_get(&seen, M->tmp.ptr, M->tmp.len, &prev)) {
        const prow *o = prev;
        rc = og_err_set(err, OG_ECONSTRAINT, "@unique violation on %s.%s%s%s: value '%s' is used by '%s' and '%s'",
                        T->t->name, lp, cols, rp, shown, o->id, r->id);
        break;
      }
      if (og_map_put(&seen, M->tmp.ptr, M->tmp.len, r)) {
        rc = og_err_oom(err);
        break;
      }
      uint32_t idcol = 0;
      og_scan_opts so = {.cols = &idcol, .ncols = 1, .preds = preds, .npreds = s->ncols};
      og_scan *sc = NULL;
      const og_batch *b;
      if ((rc = og_table_scan(T->base, &so, &sc, err))) break;
      while (!rc && !(rc = og_scan_next(sc, &b, err)) && b) {
        for (size_t j = 0; j < og_batch_rows(b); j++) {
          size_t len;
          const char *id = og_column_get_bytes(&b->cols[0], j, &len);
          void *dummy;
          if (og_map_get(&T->by_id, id, len, &dummy)) continue; /* replaced or deleted here */
          rc = og_err_set(err, OG_ECONSTRAINT,
                          "@unique violation on %s.%s%s%s: value '%s' already used by '%.*s'", T->t->name,
                          lp, cols, rp, shown, (int)(len > 300 ? 300 : len), id);
          break;
        }
      }
      og_scan_free(sc);
    }
    og_map_dispose(&seen);
  }
  return rc;
}

/* @card of every source that received a new edge: committed edges not
 * deleted here plus pending ones. */
static og_status check_card(mctx *M, mtable *T, og_error *err) {
  const og_type *e = T->t;
  if (e->card_min == 0 && !e->card_has_max) return OG_OK;
  og_map done = OG_MAP_INIT;
  og_status rc = OG_OK;
  for (size_t i = 0; i < T->rows.count && !rc; i++) {
    prow *r = T->rows.items[i];
    if (r->deleted || r->base_rowid != NONE) continue;
    const og_value *src = &r->vals[1];
    void *dummy;
    if (og_map_get(&done, src->u.s.ptr, src->u.s.len, &dummy)) continue;
    if (og_map_put(&done, src->u.s.ptr, src->u.s.len, NULL)) {
      rc = og_err_oom(err);
      break;
    }
    uint64_t n = 0;
    for (size_t j = 0; j < T->rows.count; j++) {
      prow *o = T->rows.items[j];
      if (!o->deleted && o->vals[1].u.s.len == src->u.s.len &&
          memcmp(o->vals[1].u.s.ptr, src->u.s.ptr, src->u.s.len) == 0)
        n++;
    }
    uint32_t idcol = 0;
    og_pred pred = {.col = 1, .op = OG_CMP_EQ, .lit = {.kind = OG_CELL_BYTES, .v.s = {src->u.s.ptr, src->u.s.len}}};
    og_scan_opts so = {.cols = &idcol, .ncols = 1, .preds = &pred, .npreds = 1};
    og_scan *sc = NULL;
    const og_batch *b;
    if ((rc = og_table_scan(T->base, &so, &sc, err))) break;
    while (!(rc = og_scan_next(sc, &b, err)) && b)
      for (size_t j = 0; j < og_batch_rows(b); j++) {
        size_t len;
        const char *id = og_column_get_bytes(&b->cols[0], j, &len);
        if (!og_map_get(&T->by_id, id, len, &dummy)) n++;
      }
    og_scan_free(sc);
    if (rc) break;
    char *s = og_strndup(src->u.s.ptr, src->u.s.len);
    if (!s) {
      rc = og_err_oom(err);
      break;
    }
    rc = og_validate_card(e, s, n, err);
    og_free(s);
  }
  og_map_dispose(&done);
  return rc;
}

/*==================== staging ====================*/

static og_status stage_table(mctx *M, og_graph_write *w, mtable *T, bool *staged, og_error *err) {
  OG_VEC(uint64_t) dels = OG_VEC_INIT;
  og_batch ins = OG_BATCH_INIT, upd = OG_BATCH_INIT;
  og_table *nt = NULL;
  og_status rc;
  *staged = false;
  if ((rc = og_batch_init(&ins, T->schema, err)) || (rc = og_batch_init(&upd, T->schema, err))) goto cleanup;
  for (size_t i = 0; i < T->rows.count; i++) {
    prow *r = T->rows.items[i];
    if (r->deleted) {
      if (r->base_rowid != NONE && OG_VEC_PUSH(&dels, r->base_rowid)) {
        rc = og_err_oom(err);
        goto cleanup;
      }
      continue;
    }
    og_batch *b = r->base_rowid == NONE ? &ins : &upd;
    for (size_t c = 0; c < T->schema->ncols; c++)
      if ((rc = og_write_push_value(&b->cols[c], &r->vals[c], err))) {
        og_err_prefix(err, "%s.%s", T->t->name, T->schema->cols[c].name);
        goto cleanup;
      }
    if (b == &upd && OG_VEC_PUSH(&upd.rowids, r->base_rowid)) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  }
  size_t nins = og_batch_rows(&ins), nupd = og_batch_rows(&upd);
  if (!nins && !nupd && !dels.count) goto cleanup;
  og_table_change chg = {.deletes = dels.items,
                         .ndeletes = dels.count,
                         .inserts = nins ? &ins : NULL,
                         .updates = nupd ? &upd : NULL};
  /* small writes stay in memory; row-by-row inserts keep the tail compact */
  og_table_write_opts wo = {.store = og_graph_write_store(w), .merge_tail_rows = OG_TABLE_MERGE_TAIL_ROWS};
  if ((rc = og_table_apply(T->base, &chg, &wo, &nt, NULL, err))) goto cleanup;
  unsigned flags = (nupd || dels.count) ? OG_GRAPH_STAGE_STRICT : 0;
  if ((rc = og_graph_write_stage(w, T->key, nt, flags, err))) goto cleanup;
  *staged = true;
cleanup:
  og_table_free(nt);
  OG_VEC_FREE(&dels);
  og_batch_dispose(&ins);
  og_batch_dispose(&upd);
  return rc;
}

/*==================== entry point ====================*/

static const char *stmt_word(og_qir_kind k) {
  return k == OG_QIR_INSERT ? "insert" : k == OG_QIR_UPDATE ? "update" : "delete";
}

og_status og_exec_mutate(const og_mutate_req *req, og_mutate_result *out, og_error *err) {
  mctx M = {0};
  og_qfile *qf = NULL;
  const og_qdecl *d = NULL;
  og_qtyped *typed = NULL;
  og_qir *ir = NULL;
  og_graph_write *w = NULL;
  og_catalog *owned = NULL;
  og_snapshot *committed = NULL;
  og_status rc;
  memset(out, 0, sizeof *out);
  og_arena_init(&M.a, 16384);
  const char *branch = req->branch && *req->branch ? req->branch : OG_GRAPH_MAIN;
  if ((rc = og_qfile_parse(req->source ? req->source : "", req->source ? req->source_len : 0, &qf, err)))
    goto cleanup;
  if ((rc = og_qfile_select(qf, req->query_name, &d, err))) goto cleanup;
  if (!(out->query_name = og_strdup(d->name))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  /* a mutation's rows are in memory already: hold its objects to the commit */
  if ((rc = og_graph_write_begin_flags(req->graph, branch, OG_GRAPH_WRITE_HOLD_ALL, &w, err))) {
    if (rc == OG_ENOTFOUND) og_err_set(err, OG_ENOTFOUND, "branch '%s' not found", branch);
    goto cleanup;
  }
  M.snap = og_graph_write_base(w);
  if ((rc = og_write_catalog(req->catalog, req->catalog_ctx, M.snap, &M.cat, &owned, err))) goto cleanup;
  if ((rc = og_query_check_mutation(M.cat, d, &typed, err))) goto cleanup;
  if ((rc = og_query_lower(typed, &ir, err))) goto cleanup;
  if ((rc = og_qparams_bind(d, req->params_json, req->params_json ? req->params_len : 0,
                            OG_QBIND_STANDARD, &M.params, err)))
    goto cleanup;
  if ((rc = og_qparams_set_now(M.params, req->now_ms ? req->now_ms : og_now_ms(), err))) goto cleanup;
  size_t stmt = 0;
  for (size_t k = 0; k < ir->pipe.n_ops; k++) {
    const og_qir_op *op = &ir->pipe.ops[k];
    if (op->kind != OG_QIR_INSERT && op->kind != OG_QIR_UPDATE && op->kind != OG_QIR_DELETE) continue;
    rc = op->kind == OG_QIR_INSERT ? do_insert(&M, op, err)
         : op->kind == OG_QIR_UPDATE ? do_update(&M, op, err)
                                     : do_delete(&M, op, err);
    if (rc) {
      og_err_prefix(err, "statement %zu (%s %s)", stmt + 1, stmt_word(op->kind), op->type_name);
      if (err && !err->line && stmt < d->n_muts) {
        err->line = d->muts[stmt].pos.line;
        err->column = d->muts[stmt].pos.col;
      }
      goto cleanup;
    }
    stmt++;
  }
  for (size_t i = 0; i < M.tables.count; i++) {
    mtable *T = M.tables.items[i];
    if (!T->rows.count) continue;
    if ((rc = check_unique(&M, T, err))) goto cleanup;
    if (T->is_edge && (rc = check_card(&M, T, err))) goto cleanup;
  }
  bool any = false;
  for (size_t i = 0; i < M.tables.count; i++) {
    bool staged;
    if ((rc = stage_table(&M, w, M.tables.items[i], &staged, err))) goto cleanup;
    any |= staged;
  }
  out->affected_nodes = M.affected_nodes;
  out->affected_edges = M.affected_edges;
  out->manifest_version = og_snapshot_version(M.snap);
  if (!any) goto cleanup;
  /* endpoints found among committed rows must still be there at commit: a
   * concurrent change of those node tables is a conflict (tables this
   * mutation changes itself keep their own staging) */
  for (size_t i = 0; i < M.tables.count; i++)
    if (M.tables.items[i]->read_dep && (rc = og_graph_write_expect(w, M.tables.items[i]->key, err)))
      goto cleanup;
  if (req->before_commit) req->before_commit(req->hook_ctx);
  og_commit_opts co = {.operation = "mutation", .actor = req->actor};
  if ((rc = og_graph_commit(w, &co, &committed, err))) goto cleanup;
  out->committed = true;
  out->manifest_version = og_snapshot_version(committed);
cleanup:
  if (rc) og_mutate_result_dispose(out);
  og_snapshot_free(committed);
  for (size_t i = 0; i < M.tables.count; i++) mtable_free(M.tables.items[i]);
  OG_VEC_FREE(&M.tables);
  og_map_dispose(&M.by_key);
  og_buf_dispose(&M.tmp);
  og_qparams_free(M.params);
  og_qir_free(ir);
  og_qtyped_free(typed);
  og_graph_write_free(w);
  og_catalog_free(owned);
  og_qfile_free(qf);
  og_arena_dispose(&M.a);
  return rc;
}
