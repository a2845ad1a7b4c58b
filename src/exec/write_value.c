/* Write path helpers shared with the loader: og_value <-> og_column, unique
 * column sets, catalog resolution. */
#include <string.h>

#include "exec/write.h"

og_status og_write_catalog(og_catalog_get_fn get, void *ctx, og_snapshot *snap,
                           const og_catalog **out, og_catalog **owned, og_error *err) {
  *owned = NULL;
  *out = NULL;
  if (get) return get(ctx, snap, out, err);
  og_buf src = OG_BUF_INIT;
  og_status rc = og_snapshot_schema(snap, &src, err);
  if (!rc) rc = og_catalog_compile(src.ptr ? src.ptr : "", src.len, owned, err);
  if (!rc) *out = *owned;
  og_buf_dispose(&src);
  return rc;
}

static og_status push_scalar(og_column *c, og_coltype type, const og_value *v, og_error *err) {
  switch (v->kind) {
  case OG_V_BOOL: return og_column_push_bool(c, v->u.b, err);
  case OG_V_INT: return og_column_push_int(c, v->u.i, err);
  case OG_V_UINT: return og_column_push_uint(c, v->u.u, err);
  case OG_V_FLOAT:
    if (type == OG_COL_F32 || type == OG_COL_F64) return og_column_push_f64(c, v->u.f, err);
    break;
  case OG_V_DATE: return og_column_push_int(c, v->u.days, err);
  case OG_V_DATETIME: return og_column_push_int(c, v->u.ms, err);
  case OG_V_STRING:
  case OG_V_BLOB: return og_column_push_bytes(c, v->u.s.ptr, v->u.s.len, err);
  default: break;
  }
  return og_err_set(err, OG_ETYPE, "value of kind %d does not fit a %s column", (int)v->kind,
                    og_coltype_name(type));
}

og_status og_write_push_value(og_column *c, const og_value *v, og_error *err) {
  og_status rc;
  if (!v || v->kind == OG_V_NULL) return og_column_push_null(c, err);
  if (c->type == OG_COL_VECTOR) {
    if (v->kind != OG_V_VECTOR)
      return og_err_set(err, OG_ETYPE, "expected a vector value for a vector column");
    return og_column_push_vector(c, v->u.vec.v, v->u.vec.dim, err);
  }
  if (c->type == OG_COL_LIST) {
    if (v->kind != OG_V_LIST) return og_err_set(err, OG_ETYPE, "expected a list value");
    if ((rc = og_column_list_begin(c, err))) return rc;
    for (size_t i = 0; i < v->u.list.n; i++) {
      if ((rc = push_scalar(c, c->elem, &v->u.list.items[i], err))) {
        og_column_list_end(c, NULL);
        return rc;
      }
    }
    return og_column_list_end(c, err);
  }
  return push_scalar(c, c->type, v, err);
}

static og_status scalar_at(og_coltype t, const og_column *c, size_t row, size_t i, bool in_list,
                           og_value *out) {
  memset(out, 0, sizeof *out);
  switch (t) {
  case OG_COL_BOOL:
    out->kind = OG_V_BOOL;
    out->u.b = in_list ? og_column_list_get_i64(c, row, i) != 0 : og_column_get_bool(c, row);
    break;
  case OG_COL_I32:
  case OG_COL_I64:
    out->kind = OG_V_INT;
    out->u.i = in_list ? og_column_list_get_i64(c, row, i) : og_column_get_i64(c, row);
    break;
  case OG_COL_U32:
  case OG_COL_U64:
    out->kind = OG_V_UINT;
    out->u.u = in_list ? og_column_list_get_u64(c, row, i) : og_column_get_u64(c, row);
    break;
  case OG_COL_F32:
  case OG_COL_F64:
    out->kind = OG_V_FLOAT;
    out->u.f = in_list ? og_column_list_get_f64(c, row, i) : og_column_get_f64(c, row);
    break;
  case OG_COL_DATE:
    out->kind = OG_V_DATE;
    out->u.days = (int32_t)(in_list ? og_column_list_get_i64(c, row, i) : og_column_get_i64(c, row));
    break;
  case OG_COL_DATETIME:
    out->kind = OG_V_DATETIME;
    out->u.ms = in_list ? og_column_list_get_i64(c, row, i) : og_column_get_i64(c, row);
    break;
  case OG_COL_STRING:
  case OG_COL_BLOB: {
    size_t n = 0;
    const char *p = in_list ? og_column_list_get_bytes(c, row, i, &n) : og_column_get_bytes(c, row, &n);
    out->kind = t == OG_COL_STRING ? OG_V_STRING : OG_V_BLOB;
    out->u.s.ptr = p ? p : "";
    out->u.s.len = n;
    break;
  }
  default: return OG_EINVAL;
  }
  return OG_OK;
}

og_status og_write_get_value(const og_column *c, size_t row, og_arena *a, og_value *out,
                             og_error *err) {
  memset(out, 0, sizeof *out);
  if (og_column_is_null(c, row)) return OG_OK;
  if (c->type == OG_COL_VECTOR) {
    float *v = og_arena_memdup(a, og_column_get_vector(c, row), (size_t)c->dim * sizeof(float));
    if (!v) return og_err_oom(err);
    out->kind = OG_V_VECTOR;
    out->u.vec.v = v;
    out->u.vec.dim = c->dim;
    return OG_OK;
  }
  if (c->type == OG_COL_LIST) {
    size_t n = og_column_list_len(c, row);
    og_value *items = og_arena_zalloc(a, (n ? n : 1) * sizeof *items);
    if (!items) return og_err_oom(err);
    for (size_t i = 0; i < n; i++) {
      if (scalar_at(c->elem, c, row, i, true, &items[i]))
        return og_err_set(err, OG_ETYPE, "unsupported list element type");
      if (items[i].kind == OG_V_STRING || items[i].kind == OG_V_BLOB) {
        char *p = og_arena_memdup(a, items[i].u.s.ptr, items[i].u.s.len + 1);
        if (!p) return og_err_oom(err);
        items[i].u.s.ptr = p;
      }
    }
    out->kind = OG_V_LIST;
    out->u.list.items = items;
    out->u.list.n = n;
    return OG_OK;
  }
  if (scalar_at(c->type, c, row, 0, false, out))
    return og_err_set(err, OG_ETYPE, "unsupported column type %s", og_coltype_name(c->type));
  if (out->kind == OG_V_STRING || out->kind == OG_V_BLOB) {
    /* copy: the column may be a scan buffer that is reused */
    char *p = og_arena_alloc(a, out->u.s.len + 1);
    if (!p) return og_err_oom(err);
    memcpy(p, out->u.s.ptr, out->u.s.len);
    p[out->u.s.len] = '\0';
    out->u.s.ptr = p;
  }
  return OG_OK;
}

og_status og_write_value_key(const og_value *v, og_buf *out) {
  if (v->kind == OG_V_STRING || v->kind == OG_V_BLOB) return og_buf_put(out, v->u.s.ptr, v->u.s.len);
  return og_value_text(v, out);
}

static bool same_cols(const og_unique_set *s, const og_constraint *c) {
  if (s->ncols != c->n_cols) return false;
  for (size_t i = 0; i < c->n_cols; i++)
    if (strcmp(s->cols[i], c->cols[i]) != 0) return false;
  return true;
}

size_t og_write_unique_sets(const og_type *t, const og_table_schema *s, og_unique_set *out,
                            size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < t->n_cons && n < cap; i++) {
    const og_constraint *c = &t->cons[i];
    if (c->kind != OG_CK_KEY && c->kind != OG_CK_UNIQUE) continue;
    if (c->n_cols == 0 || c->n_cols > 8) continue;
    bool dup = false;
    for (size_t k = 0; k < n && !dup; k++) {
      if (same_cols(&out[k], c)) {
        dup = true;
        if (c->kind == OG_CK_KEY) out[k].is_key = true;
      }
    }
    if (dup) continue;
    og_unique_set u = {.cols = c->cols, .ncols = c->n_cols, .is_key = c->kind == OG_CK_KEY};
    bool ok = true;
    for (size_t k = 0; k < c->n_cols && ok; k++) {
      int col = og_table_schema_find(s, c->cols[k]);
      if (col < 0) ok = false;
      u.table_cols[k] = col;
    }
    if (ok) out[n++] = u;
  }
  return n;
}
