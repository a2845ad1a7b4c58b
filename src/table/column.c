/*
 * column.c — schemas, in-memory columns and batches: builders, readers and
 * bulk row selection. Values are stored little-endian natively (the project
 * targets little-endian hosts; the fragment encoder writes these bytes as is).
 */
#include <math.h>
#include <string.h>

#include "table/table_int.h"

/*==================== types and schema ====================*/

const char *og_coltype_name(og_coltype t) {
  switch (t) {
  case OG_COL_BOOL: return "bool";
  case OG_COL_I32: return "i32";
  case OG_COL_I64: return "i64";
  case OG_COL_U32: return "u32";
  case OG_COL_U64: return "u64";
  case OG_COL_F32: return "f32";
  case OG_COL_F64: return "f64";
  case OG_COL_DATE: return "date";
  case OG_COL_DATETIME: return "datetime";
  case OG_COL_STRING: return "string";
  case OG_COL_BLOB: return "blob";
  case OG_COL_VECTOR: return "vector";
  case OG_COL_LIST: return "list";
  default: return "?";
  }
}

size_t og_coltype_width(og_coltype t) {
  switch (t) {
  case OG_COL_BOOL: return 1;
  case OG_COL_I32: case OG_COL_U32: case OG_COL_F32: case OG_COL_DATE: return 4;
  case OG_COL_I64: case OG_COL_U64: case OG_COL_F64: case OG_COL_DATETIME: return 8;
  default: return 0;
  }
}

bool og_coltype_fixed(og_coltype t) { return og_coltype_width(t) != 0; }
bool og_coltype_is_varlen(og_coltype t) { return t == OG_COL_STRING || t == OG_COL_BLOB; }

og_status og_colspec_check(const og_colspec *c, og_error *err) {
  if (!c->name || !c->name[0]) return og_err_set(err, OG_EINVAL, "table schema: empty column name");
  if (c->type < OG_COL_BOOL || c->type > OG_COL_LIST)
    return og_err_set(err, OG_EINVAL, "table schema: column '%s' has an invalid type %d", c->name,
                      (int)c->type);
  if (c->type == OG_COL_VECTOR && c->dim < 1)
    return og_err_set(err, OG_EINVAL, "table schema: vector column '%s' needs dim >= 1", c->name);
  if (c->type == OG_COL_VECTOR && c->dim > (1u << 24))
    return og_err_set(err, OG_EUNSUPPORTED, "table schema: vector column '%s' dim %u too large",
                      c->name, c->dim);
  if (c->type == OG_COL_LIST &&
      (c->elem < OG_COL_BOOL || c->elem > OG_COL_BLOB))
    return og_err_set(err, OG_EINVAL, "table schema: list column '%s' has invalid element type",
                      c->name);
  return OG_OK;
}

og_status og_table_schema_check(const og_table_schema *s, og_error *err) {
  og_status rc;
  if (!s) return og_err_set(err, OG_EINVAL, "table schema: NULL");
  if (s->ncols > 65535) return og_err_set(err, OG_EINVAL, "table schema: too many columns");
  for (size_t i = 0; i < s->ncols; i++) {
    if ((rc = og_colspec_check(&s->cols[i], err)) != OG_OK) return rc;
    for (size_t j = 0; j < i; j++)
      if (strcmp(s->cols[i].name, s->cols[j].name) == 0)
        return og_err_set(err, OG_EINVAL, "table schema: duplicate column '%s'", s->cols[i].name);
  }
  if (s->key_col >= 0) {
    if ((size_t)s->key_col >= s->ncols)
      return og_err_set(err, OG_EINVAL, "table schema: key column index out of range");
    const og_colspec *k = &s->cols[s->key_col];
    if (k->type != OG_COL_STRING || k->nullable)
      return og_err_set(err, OG_EINVAL, "table schema: key column '%s' must be a non-null string",
                        k->name);
  } else if (s->key_col != -1) {
    return og_err_set(err, OG_EINVAL, "table schema: bad key column index");
  }
  return OG_OK;
}

int og_table_schema_find(const og_table_schema *s, const char *name) {
  for (size_t i = 0; s && i < s->ncols; i++)
    if (strcmp(s->cols[i].name, name) == 0) return (int)i;
  return -1;
}

og_status og_table_schema_copy(og_table_schema *dst, const og_table_schema *src) {
  memset(dst, 0, sizeof *dst);
  dst->key_col = src->key_col;
  if (src->ncols == 0) return OG_OK;
  dst->cols = og_calloc(src->ncols, sizeof *dst->cols);
  if (!dst->cols) return OG_ENOMEM;
  dst->ncols = src->ncols;
  for (size_t i = 0; i < src->ncols; i++) {
    dst->cols[i] = src->cols[i];
    dst->cols[i].name = og_strdup(src->cols[i].name);
    if (!dst->cols[i].name) {
      og_table_schema_dispose(dst);
      return OG_ENOMEM;
    }
  }
  return OG_OK;
}

void og_table_schema_dispose(og_table_schema *s) {
  if (!s) return;
  for (size_t i = 0; i < s->ncols; i++) og_free((void *)s->cols[i].name);
  og_free(s->cols);
  s->cols = NULL;
  s->ncols = 0;
  s->key_col = -1;
}

/*==================== columns ====================*/

og_status og_column_init(og_column *c, const og_colspec *spec) {
  memset(c, 0, sizeof *c);
  c->type = spec->type;
  c->elem = spec->type == OG_COL_LIST ? spec->elem : OG_COL_INVALID;
  c->dim = spec->type == OG_COL_VECTOR ? spec->dim : 0;
  c->nullable = spec->nullable;
  if (og_coltype_is_varlen(c->type) || c->type == OG_COL_LIST) {
    if (OG_VEC_PUSH(&c->offsets, 0) != OG_OK) return OG_ENOMEM;
  }
  if (c->type == OG_COL_LIST && og_coltype_is_varlen(c->elem)) {
    if (OG_VEC_PUSH(&c->elem_offsets, 0) != OG_OK) {
      og_column_dispose(c);
      return OG_ENOMEM;
    }
  }
  return OG_OK;
}

void og_column_dispose(og_column *c) {
  if (!c) return;
  og_buf_dispose(&c->validity);
  og_buf_dispose(&c->data);
  OG_VEC_FREE(&c->offsets);
  OG_VEC_FREE(&c->elem_offsets);
  memset(c, 0, sizeof *c);
}

void og_column_clear(og_column *c) {
  c->count = 0;
  c->null_count = 0;
  c->in_list = false;
  og_buf_clear(&c->validity);
  og_buf_clear(&c->data);
  if (c->offsets.count) c->offsets.count = 1;
  if (c->elem_offsets.count) c->elem_offsets.count = 1;
}

og_status og_column_validity_push(og_column *c, bool valid) {
  if ((c->count & 7) == 0) {
    if (og_buf_put_u8(&c->validity, 0) != OG_OK) return OG_ENOMEM;
  }
  if (valid) ((uint8_t *)c->validity.ptr)[c->count >> 3] |= (uint8_t)(1u << (c->count & 7));
  return OG_OK;
}

static size_t list_nelems(const og_column *c) {
  if (og_coltype_is_varlen(c->elem)) return c->elem_offsets.count - 1;
  return c->data.len / og_coltype_width(c->elem);
}

/* Finish a row: validity bit, offsets (for varlen / list), count. */
static og_status row_done(og_column *c, bool valid) {
  if (c->type == OG_COL_LIST) {
    if (OG_VEC_PUSH(&c->offsets, (uint64_t)list_nelems(c)) != OG_OK) return OG_ENOMEM;
  } else if (og_coltype_is_varlen(c->type)) {
    if (OG_VEC_PUSH(&c->offsets, (uint64_t)c->data.len) != OG_OK) return OG_ENOMEM;
  }
  if (og_column_validity_push(c, valid) != OG_OK) return OG_ENOMEM;
  c->count++;
  if (!valid) c->null_count++;
  return OG_OK;
}

/* The type a push writes to: the element type while a list is open. */
static og_coltype target_type(const og_column *c, og_error *err, og_status *rc) {
  *rc = OG_OK;
  if (c->type == OG_COL_LIST) {
    if (!c->in_list) {
      *rc = og_err_set(err, OG_EINVAL, "list column: value pushed outside list_begin/list_end");
      return OG_COL_INVALID;
    }
    return c->elem;
  }
  if (c->in_list) {
    *rc = og_err_set(err, OG_EINVAL, "column: list state on a non-list column");
    return OG_COL_INVALID;
  }
  return c->type;
}

static og_status put_fixed(og_column *c, og_coltype t, const void *v) {
  return og_buf_put(&c->data, v, og_coltype_width(t)) == OG_OK ? OG_OK : OG_ENOMEM;
}

static og_status finish_value(og_column *c, og_error *err) {
  if (c->type == OG_COL_LIST) {
    if (og_coltype_is_varlen(c->elem) &&
        OG_VEC_PUSH(&c->elem_offsets, (uint64_t)c->data.len) != OG_OK)
      return og_err_oom(err);
    return OG_OK;
  }
  return row_done(c, true) == OG_OK ? OG_OK : og_err_oom(err);
}

static og_status type_mismatch(og_error *err, const char *what, og_coltype t) {
  return og_err_set(err, OG_ETYPE, "cannot store %s in a %s column", what, og_coltype_name(t));
}

og_status og_column_push_null(og_column *c, og_error *err) {
  if (c->in_list)
    return og_err_set(err, OG_EUNSUPPORTED, "null elements inside lists are not supported");
  if (!c->nullable) return og_err_set(err, OG_ECONSTRAINT, "null value in a non-nullable column");
  size_t w = 0;
  if (og_coltype_fixed(c->type)) w = og_coltype_width(c->type);
  else if (c->type == OG_COL_VECTOR) w = (size_t)c->dim * 4;
  if (w) {
    if (og_buf_grow(&c->data, w) != OG_OK) return og_err_oom(err);
    memset(c->data.ptr + c->data.len, 0, w);
    c->data.len += w;
    c->data.ptr[c->data.len] = 0;
  }
  return row_done(c, false) == OG_OK ? OG_OK : og_err_oom(err);
}

static og_status push_int_as(og_column *c, og_coltype t, int64_t v, og_error *err) {
  switch (t) {
  case OG_COL_I32: case OG_COL_DATE: {
    if (v < INT32_MIN || v > INT32_MAX)
      return og_err_set(err, OG_EINVAL, "value %lld out of range for %s", (long long)v,
                        og_coltype_name(t));
    int32_t x = (int32_t)v;
    if (put_fixed(c, t, &x) != OG_OK) return og_err_oom(err);
    break;
  }
  case OG_COL_U32: {
    if (v < 0 || v > (int64_t)UINT32_MAX)
      return og_err_set(err, OG_EINVAL, "value %lld out of range for u32", (long long)v);
    uint32_t x = (uint32_t)v;
    if (put_fixed(c, t, &x) != OG_OK) return og_err_oom(err);
    break;
  }
  case OG_COL_I64: case OG_COL_DATETIME:
    if (put_fixed(c, t, &v) != OG_OK) return og_err_oom(err);
    break;
  case OG_COL_U64: {
    if (v < 0) return og_err_set(err, OG_EINVAL, "value %lld out of range for u64", (long long)v);
    uint64_t x = (uint64_t)v;
    if (put_fixed(c, t, &x) != OG_OK) return og_err_oom(err);
    break;
  }
  case OG_COL_F32: {
    float x = (float)v;
    if (put_fixed(c, t, &x) != OG_OK) return og_err_oom(err);
    break;
  }
  case OG_COL_F64: {
    double x = (double)v;
    if (put_fixed(c, t, &x) != OG_OK) return og_err_oom(err);
    break;
  }
  default: return type_mismatch(err, "an integer", t);
  }
  return finish_value(c, err);
}

og_status og_column_push_int(og_column *c, int64_t v, og_error *err) {
  og_status rc;
  og_coltype t = target_type(c, err, &rc);
  if (rc != OG_OK) return rc;
  return push_int_as(c, t, v, err);
}

og_status og_column_push_uint(og_column *c, uint64_t v, og_error *err) {
  og_status rc;
  og_coltype t = target_type(c, err, &rc);
  if (rc != OG_OK) return rc;
  if (t == OG_COL_U64) {
    if (put_fixed(c, t, &v) != OG_OK) return og_err_oom(err);
    return finish_value(c, err);
  }
  if (t == OG_COL_F32 || t == OG_COL_F64) {
    double d = (double)v;
    if (t == OG_COL_F32) {
      float f = (float)d;
      if (put_fixed(c, t, &f) != OG_OK) return og_err_oom(err);
    } else if (put_fixed(c, t, &d) != OG_OK) {
      return og_err_oom(err);
    }
    return finish_value(c, err);
  }
  if (v > (uint64_t)INT64_MAX)
    return og_err_set(err, OG_EINVAL, "value %llu out of range for %s", (unsigned long long)v,
                      og_coltype_name(t));
  return push_int_as(c, t, (int64_t)v, err);
}

og_status og_column_push_f64(og_column *c, double v, og_error *err) {
  og_status rc;
  og_coltype t = target_type(c, err, &rc);
  if (rc != OG_OK) return rc;
  if (t == OG_COL_F32) {
    float f = (float)v;
    if (put_fixed(c, t, &f) != OG_OK) return og_err_oom(err);
  } else if (t == OG_COL_F64) {
    if (put_fixed(c, t, &v) != OG_OK) return og_err_oom(err);
  } else {
    return type_mismatch(err, "a float", t);
  }
  return finish_value(c, err);
}

og_status og_column_push_bool(og_column *c, bool v, og_error *err) {
  og_status rc;
  og_coltype t = target_type(c, err, &rc);
  if (rc != OG_OK) return rc;
  if (t != OG_COL_BOOL) return type_mismatch(err, "a bool", t);
  uint8_t x = v ? 1 : 0;
  if (put_fixed(c, t, &x) != OG_OK) return og_err_oom(err);
  return finish_value(c, err);
}

og_status og_column_push_bytes(og_column *c, const void *p, size_t n, og_error *err) {
  og_status rc;
  og_coltype t = target_type(c, err, &rc);
  if (rc != OG_OK) return rc;
  if (!og_coltype_is_varlen(t)) return type_mismatch(err, "bytes", t);
  if (t == OG_COL_STRING && !og_utf8_valid(p, n))
    return og_err_set(err, OG_EINVAL, "string value is not valid UTF-8");
  if (n && og_buf_put(&c->data, p, n) != OG_OK) return og_err_oom(err);
  return finish_value(c, err);
}

og_status og_column_push_vector(og_column *c, const float *v, size_t n, og_error *err) {
  if (c->type != OG_COL_VECTOR || c->in_list) return type_mismatch(err, "a vector", c->type);
  if (n != c->dim)
    return og_err_set(err, OG_EINVAL, "vector has %zu elements, column expects %u", n, c->dim);
  if (og_buf_put(&c->data, v, n * sizeof(float)) != OG_OK) return og_err_oom(err);
  return row_done(c, true) == OG_OK ? OG_OK : og_err_oom(err);
}

og_status og_column_list_begin(og_column *c, og_error *err) {
  if (c->type != OG_COL_LIST) return type_mismatch(err, "a list", c->type);
  if (c->in_list) return og_err_set(err, OG_EINVAL, "list column: list_begin twice");
  c->in_list = true;
  return OG_OK;
}

og_status og_column_list_end(og_column *c, og_error *err) {
  if (c->type != OG_COL_LIST || !c->in_list)
    return og_err_set(err, OG_EINVAL, "list column: list_end without list_begin");
  c->in_list = false;
  return row_done(c, true) == OG_OK ? OG_OK : og_err_oom(err);
}

/*==================== readers ====================*/

static const uint8_t *fixed_at(const og_column *c, og_coltype t, size_t i) {
  return (const uint8_t *)c->data.ptr + i * og_coltype_width(t);
}

static int64_t load_i64(og_coltype t, const uint8_t *p) {
  switch (t) {
  case OG_COL_BOOL: return p[0];
  case OG_COL_I32: case OG_COL_DATE: { int32_t x; memcpy(&x, p, 4); return x; }
  case OG_COL_U32: { uint32_t x; memcpy(&x, p, 4); return x; }
  case OG_COL_I64: case OG_COL_DATETIME: case OG_COL_U64: { int64_t x; memcpy(&x, p, 8); return x; }
  case OG_COL_F32: { float x; memcpy(&x, p, 4); return (int64_t)x; }
  case OG_COL_F64: { double x; memcpy(&x, p, 8); return (int64_t)x; }
  default: return 0;
  }
}

static double load_f64(og_coltype t, const uint8_t *p) {
  switch (t) {
  case OG_COL_F32: { float x; memcpy(&x, p, 4); return x; }
  case OG_COL_F64: { double x; memcpy(&x, p, 8); return x; }
  case OG_COL_U64: { uint64_t x; memcpy(&x, p, 8); return (double)x; }
  default: return (double)load_i64(t, p);
  }
}

int64_t og_column_get_i64(const og_column *c, size_t row) {
  if (!og_coltype_fixed(c->type)) return 0;
  return load_i64(c->type, fixed_at(c, c->type, row));
}

uint64_t og_column_get_u64(const og_column *c, size_t row) {
  return (uint64_t)og_column_get_i64(c, row);
}

double og_column_get_f64(const og_column *c, size_t row) {
  if (!og_coltype_fixed(c->type)) return 0;
  return load_f64(c->type, fixed_at(c, c->type, row));
}

bool og_column_get_bool(const og_column *c, size_t row) {
  return c->type == OG_COL_BOOL && ((const uint8_t *)c->data.ptr)[row] != 0;
}

const char *og_column_get_bytes(const og_column *c, size_t row, size_t *len_out) {
  if (!og_coltype_is_varlen(c->type)) {
    *len_out = 0;
    return "";
  }
  uint64_t a = c->offsets.items[row], b = c->offsets.items[row + 1];
  *len_out = (size_t)(b - a);
  return c->data.ptr ? c->data.ptr + a : "";
}

const float *og_column_get_vector(const og_column *c, size_t row) {
  if (c->type != OG_COL_VECTOR) return NULL;
  return (const float *)(void *)(c->data.ptr + row * (size_t)c->dim * 4);
}

size_t og_column_list_len(const og_column *c, size_t row) {
  if (c->type != OG_COL_LIST) return 0;
  return (size_t)(c->offsets.items[row + 1] - c->offsets.items[row]);
}

int64_t og_column_list_get_i64(const og_column *c, size_t row, size_t i) {
  if (c->type != OG_COL_LIST || !og_coltype_fixed(c->elem)) return 0;
  return load_i64(c->elem, fixed_at(c, c->elem, (size_t)c->offsets.items[row] + i));
}

uint64_t og_column_list_get_u64(const og_column *c, size_t row, size_t i) {
  return (uint64_t)og_column_list_get_i64(c, row, i);
}

double og_column_list_get_f64(const og_column *c, size_t row, size_t i) {
  if (c->type != OG_COL_LIST || !og_coltype_fixed(c->elem)) return 0;
  return load_f64(c->elem, fixed_at(c, c->elem, (size_t)c->offsets.items[row] + i));
}

const char *og_column_list_get_bytes(const og_column *c, size_t row, size_t i, size_t *len_out) {
  if (c->type != OG_COL_LIST || !og_coltype_is_varlen(c->elem)) {
    *len_out = 0;
    return "";
  }
  size_t e = (size_t)c->offsets.items[row] + i;
  uint64_t a = c->elem_offsets.items[e], b = c->elem_offsets.items[e + 1];
  *len_out = (size_t)(b - a);
  return c->data.ptr ? c->data.ptr + a : "";
}

/*==================== bulk selection ====================*/

static og_status vec_reserve_u64(void *vec_items, size_t *cap, size_t need) {
  return og_array_reserve((void **)vec_items, cap, need, sizeof(uint64_t));
}

og_status og_column_take(og_column *dst, const og_column *src, const uint32_t *sel, size_t n) {
  if (n == 0) return OG_OK;
  /* validity */
  size_t need_bytes = (dst->count + n + 7) / 8;
  if (need_bytes > dst->validity.len) {
    size_t add = need_bytes - dst->validity.len;
    if (og_buf_grow(&dst->validity, add) != OG_OK) return OG_ENOMEM;
    memset(dst->validity.ptr + dst->validity.len, 0, add);
    dst->validity.len += add;
    dst->validity.ptr[dst->validity.len] = 0;
  }
  uint8_t *vb = (uint8_t *)dst->validity.ptr;
  size_t nulls = 0;
  for (size_t i = 0; i < n; i++) {
    size_t r = sel ? sel[i] : i;
    size_t d = dst->count + i;
    if (!og_column_is_null(src, r)) vb[d >> 3] |= (uint8_t)(1u << (d & 7));
    else nulls++;
  }
  size_t w = og_coltype_width(src->type);
  if (src->type == OG_COL_VECTOR) w = (size_t)src->dim * 4;
  if (w) {
    if (og_buf_grow(&dst->data, n * w) != OG_OK) return OG_ENOMEM;
    char *o = dst->data.ptr + dst->data.len;
    if (!sel) {
      memcpy(o, src->data.ptr, n * w);
    } else if (w == 8) {
      for (size_t i = 0; i < n; i++) memcpy(o + i * 8, src->data.ptr + (size_t)sel[i] * 8, 8);
    } else if (w == 4) {
      for (size_t i = 0; i < n; i++) memcpy(o + i * 4, src->data.ptr + (size_t)sel[i] * 4, 4);
    } else {
      for (size_t i = 0; i < n; i++) memcpy(o + i * w, src->data.ptr + (size_t)sel[i] * w, w);
    }
    dst->data.len += n * w;
    dst->data.ptr[dst->data.len] = 0;
  } else if (og_coltype_is_varlen(src->type)) {
    if (vec_reserve_u64(&dst->offsets.items, &dst->offsets.cap, dst->offsets.count + n) != OG_OK)
      return OG_ENOMEM;
    if (!sel) {
      uint64_t a = src->offsets.items[0], b = src->offsets.items[n];
      if (b > a && og_buf_put(&dst->data, src->data.ptr + a, (size_t)(b - a)) != OG_OK)
        return OG_ENOMEM;
      uint64_t base = dst->offsets.items[dst->offsets.count - 1];
      for (size_t i = 1; i <= n; i++)
        dst->offsets.items[dst->offsets.count++] = base + src->offsets.items[i] - a;
    } else {
      uint64_t total = 0;
      for (size_t i = 0; i < n; i++)
        total += src->offsets.items[sel[i] + 1] - src->offsets.items[sel[i]];
      if (og_buf_grow(&dst->data, (size_t)total) != OG_OK) return OG_ENOMEM;
      for (size_t i = 0; i < n; i++) {
        uint64_t a = src->offsets.items[sel[i]], b = src->offsets.items[sel[i] + 1];
        if (b == a) {
          dst->offsets.items[dst->offsets.count++] = dst->data.len;
          continue;
        }
        memcpy(dst->data.ptr + dst->data.len, src->data.ptr + a, (size_t)(b - a));
        dst->data.len += (size_t)(b - a);
        dst->offsets.items[dst->offsets.count++] = dst->data.len;
      }
      if (dst->data.ptr) dst->data.ptr[dst->data.len] = 0;
    }
  } else if (src->type == OG_COL_LIST) {
    if (vec_reserve_u64(&dst->offsets.items, &dst->offsets.cap, dst->offsets.count + n) != OG_OK)
      return OG_ENOMEM;
    size_t ew = og_coltype_width(src->elem);
    for (size_t i = 0; i < n; i++) {
      size_t r = sel ? sel[i] : i;
      uint64_t a = src->offsets.items[r], b = src->offsets.items[r + 1];
      if (ew) {
        if (b > a && og_buf_put(&dst->data, src->data.ptr + a * ew, (size_t)(b - a) * ew) != OG_OK)
          return OG_ENOMEM;
      } else {
        if (vec_reserve_u64(&dst->elem_offsets.items, &dst->elem_offsets.cap,
                            dst->elem_offsets.count + (size_t)(b - a)) != OG_OK)
          return OG_ENOMEM;
        for (uint64_t e = a; e < b; e++) {
          uint64_t x = src->elem_offsets.items[e], y = src->elem_offsets.items[e + 1];
          if (y > x && og_buf_put(&dst->data, src->data.ptr + x, (size_t)(y - x)) != OG_OK)
            return OG_ENOMEM;
          dst->elem_offsets.items[dst->elem_offsets.count++] = dst->data.len;
        }
      }
      uint64_t prev = dst->offsets.items[dst->offsets.count - 1];
      dst->offsets.items[dst->offsets.count++] = prev + (b - a);
    }
  }
  dst->count += n;
  dst->null_count += nulls;
  return OG_OK;
}

og_status og_column_push_from(og_column *dst, const og_column *src, size_t row, og_error *err) {
  if (dst->type != src->type || dst->elem != src->elem || dst->dim != src->dim)
    return og_err_set(err, OG_ETYPE, "push_from: column types differ");
  if (dst->in_list) return og_err_set(err, OG_EINVAL, "push_from: a list row is open");
  if (!dst->nullable && og_column_is_null(src, row))
    return og_err_set(err, OG_ECONSTRAINT, "null value in a non-nullable column");
  uint32_t r = (uint32_t)row;
  if (og_column_take(dst, src, &r, 1) != OG_OK) return og_err_oom(err);
  return OG_OK;
}

size_t og_column_byte_estimate(const og_column *c, size_t row) {
  size_t w = og_coltype_width(c->type);
  if (w) return w;
  if (c->type == OG_COL_VECTOR) return (size_t)c->dim * 4;
  if (og_coltype_is_varlen(c->type))
    return (size_t)(c->offsets.items[row + 1] - c->offsets.items[row]) + 4;
  if (c->type == OG_COL_LIST) {
    size_t a = (size_t)c->offsets.items[row], b = (size_t)c->offsets.items[row + 1];
    size_t ew = og_coltype_width(c->elem);
    if (ew) return (b - a) * ew + 4;
    return (size_t)(c->elem_offsets.items[b] - c->elem_offsets.items[a]) + 4 * (b - a) + 4;
  }
  return 0;
}

/*==================== batches ====================*/

og_status og_batch_init_cols(og_batch *b, const og_table_schema *s, const uint32_t *cols,
                             size_t ncols, og_error *err) {
  memset(b, 0, sizeof *b);
  if (!cols) ncols = s->ncols;
  if (ncols == 0) return OG_OK;
  b->cols = og_calloc(ncols, sizeof *b->cols);
  b->col_index = og_calloc(ncols, sizeof *b->col_index);
  if (!b->cols || !b->col_index) goto oom;
  for (size_t i = 0; i < ncols; i++) {
    uint32_t ci = cols ? cols[i] : (uint32_t)i;
    if (ci >= s->ncols) {
      og_batch_dispose(b);
      return og_err_set(err, OG_EINVAL, "batch: column index %u out of range", ci);
    }
    b->col_index[i] = ci;
    b->ncols = i + 1;
    if (og_column_init(&b->cols[i], &s->cols[ci]) != OG_OK) goto oom;
  }
  return OG_OK;
oom:
  og_batch_dispose(b);
  return og_err_oom(err);
}

og_status og_batch_init(og_batch *b, const og_table_schema *s, og_error *err) {
  return og_batch_init_cols(b, s, NULL, 0, err);
}

void og_batch_clear(og_batch *b) {
  for (size_t i = 0; i < b->ncols; i++) og_column_clear(&b->cols[i]);
  b->rowids.count = 0;
}

void og_batch_dispose(og_batch *b) {
  if (!b) return;
  for (size_t i = 0; i < b->ncols; i++) og_column_dispose(&b->cols[i]);
  og_free(b->cols);
  og_free(b->col_index);
  OG_VEC_FREE(&b->rowids);
  memset(b, 0, sizeof *b);
}

size_t og_batch_rows(const og_batch *b) {
  if (b->ncols) return b->cols[0].count;
  return b->rowids.count;
}

og_status og_batch_check(const og_batch *b, og_error *err) {
  size_t n = og_batch_rows(b);
  for (size_t i = 0; i < b->ncols; i++) {
    if (b->cols[i].in_list)
      return og_err_set(err, OG_EINVAL, "batch: column %zu has an open list row", i);
    if (b->cols[i].count != n)
      return og_err_set(err, OG_EINVAL, "batch: column %zu has %zu rows, expected %zu", i,
                        b->cols[i].count, n);
  }
  if (b->rowids.count != 0 && b->rowids.count != n)
    return og_err_set(err, OG_EINVAL, "batch: %zu row ids for %zu rows", b->rowids.count, n);
  return OG_OK;
}

int og_batch_find(const og_batch *b, uint32_t table_col) {
  for (size_t i = 0; i < b->ncols; i++)
    if (b->col_index[i] == table_col) return (int)i;
  return -1;
}
