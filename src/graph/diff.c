/*
 * Row-level change detection between two versions of a table (merge.h M1,
 * M2) and the value helpers merge and diff share. Reads the table layer's
 * descriptor internals (table_int.h, read-only) to compare fragment lists and
 * deletion vectors without scanning.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "graph/merge.h"
#include "table/table_int.h"

/*==================== values ====================*/

static bool list_elem_eq(const og_column *a, size_t ea, const og_column *b, size_t eb) {
  if (og_coltype_is_varlen(a->elem)) {
    uint64_t a0 = a->elem_offsets.items[ea], a1 = a->elem_offsets.items[ea + 1];
    uint64_t b0 = b->elem_offsets.items[eb], b1 = b->elem_offsets.items[eb + 1];
    return a1 - a0 == b1 - b0 && memcmp(a->data.ptr + a0, b->data.ptr + b0, a1 - a0) == 0;
  }
  size_t w = og_coltype_width(a->elem);
  return memcmp(a->data.ptr + ea * w, b->data.ptr + eb * w, w) == 0;
}

bool og_merge_cell_eq(const og_column *a, size_t ra, const og_column *b, size_t rb) {
  bool an = og_column_is_null(a, ra), bn = og_column_is_null(b, rb);
  if (an || bn) return an == bn;
  switch (a->type) {
  case OG_COL_STRING:
  case OG_COL_BLOB: {
    size_t la, lb;
    const char *pa = og_column_get_bytes(a, ra, &la), *pb = og_column_get_bytes(b, rb, &lb);
    return la == lb && (la == 0 || memcmp(pa, pb, la) == 0);
  }
  case OG_COL_VECTOR:
    return a->dim == b->dim &&
           memcmp(a->data.ptr + ra * a->dim * 4, b->data.ptr + rb * b->dim * 4, a->dim * 4) == 0;
  case OG_COL_LIST: {
    uint64_t a0 = a->offsets.items[ra], a1 = a->offsets.items[ra + 1];
    uint64_t b0 = b->offsets.items[rb], b1 = b->offsets.items[rb + 1];
    if (a1 - a0 != b1 - b0) return false;
    for (uint64_t i = 0; i < a1 - a0; i++)
      if (!list_elem_eq(a, a0 + i, b, b0 + i)) return false;
    return true;
  }
  default: {
    size_t w = og_coltype_width(a->type);
    return memcmp(a->data.ptr + ra * w, b->data.ptr + rb * w, w) == 0;
  }
  }
}

bool og_merge_row_eq(const og_batch *a, size_t ra, const og_batch *b, size_t rb) {
  if (a->ncols != b->ncols) return false;
  for (size_t c = 0; c < a->ncols; c++)
    if (!og_merge_cell_eq(&a->cols[c], ra, &b->cols[c], rb)) return false;
  return true;
}

/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
static void date_text(int64_t days, char out[32]) {
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  snprintf(out, 32, "%04" PRId64 "-%02" PRId64 "-%02" PRId64, y, m, d);
}

static json_t *b64_json(const char *p, size_t n) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  og_buf b = OG_BUF_INIT;
  og_buf_puts(&b, "base64:");
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)(uint8_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)(uint8_t)p[i + 1] << 8;
    if (i + 2 < n) v |= (uint8_t)p[i + 2];
    og_buf_putc(&b, tbl[(v >> 18) & 63]);
    og_buf_putc(&b, tbl[(v >> 12) & 63]);
    og_buf_putc(&b, i + 1 < n ? tbl[(v >> 6) & 63] : '=');
    og_buf_putc(&b, i + 2 < n ? tbl[v & 63] : '=');
  }
  json_t *j = b.oom ? NULL : json_stringn(b.ptr, b.len);
  og_buf_dispose(&b);
  return j;
}

static json_t *scalar_json(og_coltype t, const og_column *c, const char *data, size_t len,
                           size_t idx) {
  switch (t) {
  case OG_COL_BOOL: return json_boolean(((const uint8_t *)data)[idx]);
  case OG_COL_I32: { int32_t v; memcpy(&v, data + idx * 4, 4); return json_integer(v); }
  case OG_COL_U32: { uint32_t v; memcpy(&v, data + idx * 4, 4); return json_integer(v); }
  case OG_COL_I64: { int64_t v; memcpy(&v, data + idx * 8, 8); return json_integer(v); }
  case OG_COL_U64: {
    uint64_t v;
    memcpy(&v, data + idx * 8, 8);
    return v <= INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
  }
  case OG_COL_F32: { float v; memcpy(&v, data + idx * 4, 4); return json_real(v); }
  case OG_COL_F64: { double v; memcpy(&v, data + idx * 8, 8); return json_real(v); }
  case OG_COL_DATE: {
    int32_t v;
    char buf[32];
    memcpy(&v, data + idx * 4, 4);
    date_text(v, buf);
    return json_string(buf);
  }
  case OG_COL_DATETIME: {
    int64_t v;
    char buf[32];
    memcpy(&v, data + idx * 8, 8);
    og_time_format_rfc3339((uint64_t)v, buf);
    return json_string(buf);
  }
  case OG_COL_STRING: return json_stringn(data, len);
  case OG_COL_BLOB: return b64_json(data, len);
  default: (void)c; return json_null();
  }
}

json_t *og_merge_cell_json(const og_column *c, size_t row) {
  if (og_column_is_null(c, row)) return json_null();
  switch (c->type) {
  case OG_COL_STRING:
  case OG_COL_BLOB: {
    size_t n;
    const char *p = og_column_get_bytes(c, row, &n);
    return scalar_json(c->type, c, p, n, 0);
  }
  case OG_COL_VECTOR: {
    json_t *a = json_array();
    const float *v = (const float *)(const void *)(c->data.ptr + row * c->dim * 4);
    for (uint32_t i = 0; i < c->dim; i++) {
      float f;
      memcpy(&f, v + i, 4);
      json_array_append_new(a, json_real(f));
    }
    return a;
  }
  case OG_COL_LIST: {
    json_t *a = json_array();
    uint64_t e0 = c->offsets.items[row], e1 = c->offsets.items[row + 1];
    for (uint64_t e = e0; e < e1; e++) {
      if (og_coltype_is_varlen(c->elem)) {
        uint64_t b0 = c->elem_offsets.items[e], b1 = c->elem_offsets.items[e + 1];
        json_array_append_new(a, scalar_json(c->elem, c, c->data.ptr + b0, b1 - b0, 0));
      } else {
        json_array_append_new(a, scalar_json(c->elem, c, c->data.ptr, 0, e));
      }
    }
    return a;
  }
  default: return scalar_json(c->type, c, c->data.ptr, 0, row);
  }
}

json_t *og_merge_row_json(const og_table_schema *s, const og_batch *b, size_t row) {
  json_t *o = json_object();
  for (size_t c = 0; c < b->ncols && o; c++) {
    uint32_t tc = b->col_index ? b->col_index[c] : (uint32_t)c;
    const char *name = tc < s->ncols ? s->cols[tc].name : "?";
    json_object_set_new(o, name, og_merge_cell_json(&b->cols[c], row));
  }
  return o;
}

og_status og_merge_batch_push(og_batch *dst, const og_batch *src, size_t row, og_error *err) {
  og_status rc;
  for (size_t c = 0; c < dst->ncols; c++)
    if ((rc = og_column_push_from(&dst->cols[c], &src->cols[c], row, err)) != OG_OK) return rc;
  return OG_OK;
}

/*==================== deltas ====================*/

typedef OG_VEC(uint64_t) u64vec;

/* Live rows of fragment i of t (optionally only offsets not in `other`'s
 * deletion vector... see callers) appended to ids. */
static og_status frag_live(og_table *t, size_t i, const roaring_bitmap_t *skip_unless_in,
                           u64vec *ids, og_error *err) {
  const uint64_t *rowids = NULL;
  const roaring_bitmap_t *dv = NULL;
  og_status rc;
  if ((rc = og_table_frag_rowids(t, i, &rowids, err)) != OG_OK) return rc;
  if ((rc = og_table_frag_dv(t, i, &dv, err)) != OG_OK) return rc;
  uint64_t rows = t->frags[i].rows;
  if (skip_unless_in) {
    /* only rows deleted in the other version's copy: walk that (small)
     * deletion vector, not the fragment */
    roaring_uint32_iterator_t it;
    roaring_init_iterator(skip_unless_in, &it);
    for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
      uint32_t off = it.current_value;
      if (off >= rows || (dv && roaring_bitmap_contains(dv, off))) continue;
      if (OG_VEC_PUSH(ids, rowids[off]) != OG_OK) return og_err_oom(err);
    }
    return OG_OK;
  }
  for (uint64_t off = 0; off < rows; off++) {
    if (dv && roaring_bitmap_contains(dv, (uint32_t)off)) continue;
    if (OG_VEC_PUSH(ids, rowids[off]) != OG_OK) return og_err_oom(err);
  }
  return OG_OK;
}

/* ids of `a`'s live rows that differ between the copies of one shared
 * fragment (ia in a, ib in b): live in a, deleted in b. */
static og_status frag_dv_diff(og_table *a, size_t ia, og_table *b, size_t ib, u64vec *ids,
                              og_error *err) {
  const roaring_bitmap_t *bdv = NULL;
  og_status rc = og_table_frag_dv(b, ib, &bdv, err);
  if (rc != OG_OK) return rc;
  if (!bdv) return OG_OK;
  return frag_live(a, ia, bdv, ids, err);
}

static og_status collect_ids(og_table *base, og_table *side, u64vec *base_ids, u64vec *side_ids,
                             og_error *err) {
  og_status rc = OG_OK;
  og_map bfr = OG_MAP_INIT;
  bool *seen = NULL;
  size_t bn = base ? base->nfrags : 0, sn = side ? side->nfrags : 0;
  if (bn && !(seen = og_calloc(bn, sizeof *seen))) return og_err_oom(err);
  for (size_t j = 0; j < bn; j++)
    if (og_map_sput(&bfr, base->frags[j].key, (void *)(uintptr_t)(j + 1)) != OG_OK) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  for (size_t i = 0; i < sn; i++) {
    void *v = NULL;
    if (!og_map_sget(&bfr, side->frags[i].key, &v)) {
      if ((rc = frag_live(side, i, NULL, side_ids, err)) != OG_OK) goto cleanup;
      continue;
    }
    size_t j = (size_t)(uintptr_t)v - 1;
    seen[j] = true;
    if (strcmp(base->frags[j].dv_key, side->frags[i].dv_key) == 0) continue;
    /* live in base, deleted in side; and (never by the table's rules, but
     * cheap to honour) live in side, deleted in base */
    if ((rc = frag_dv_diff(base, j, side, i, base_ids, err)) != OG_OK) goto cleanup;
    if ((rc = frag_dv_diff(side, i, base, j, side_ids, err)) != OG_OK) goto cleanup;
  }
  for (size_t j = 0; j < bn; j++)
    if (!seen[j] && (rc = frag_live(base, j, NULL, base_ids, err)) != OG_OK) goto cleanup;
cleanup:
  og_free(seen);
  og_map_dispose(&bfr);
  return rc;
}

bool og_table_delta_col_eq(const og_table_delta *d, size_t c, size_t rb, size_t rs) {
  int bc = d->base_col[c];
  const og_column *sc = &d->side_rows.cols[c];
  if (bc < 0) return og_column_is_null(sc, rs);
  return og_merge_cell_eq(&d->base_rows.cols[bc], rb, sc, rs);
}

json_t *og_table_delta_base_cell_json(const og_table_delta *d, size_t c, size_t rb) {
  int bc = d->base_col[c];
  return bc < 0 ? json_null() : og_merge_cell_json(&d->base_rows.cols[bc], rb);
}

static bool delta_row_eq(const og_table_delta *d, size_t rb, size_t rs) {
  for (size_t c = 0; c < d->schema->ncols; c++)
    if (!og_table_delta_col_eq(d, c, rb, rs)) return false;
  return true;
}

static og_status row_identity(og_table_delta *d, const og_table_schema *s, const og_batch *b,
                              size_t row, const char **id, size_t *len, og_error *err) {
  int kc = s->key_col;
  if (kc >= 0) {
    int bc = og_batch_find(b, (uint32_t)kc);
    if (bc >= 0) {
      *id = og_column_get_bytes(&b->cols[bc], row, len);
      return OG_OK;
    }
  }
  char *txt = og_arena_printf(&d->arena, "%" PRIu64, b->rowids.items[row]);
  if (!txt) return og_err_oom(err);
  *id = txt;
  *len = strlen(txt);
  return OG_OK;
}

const og_delta_entry *og_table_delta_find(const og_table_delta *d, const char *id, size_t len) {
  void *v = NULL;
  if (!og_map_get(&d->by_id, id, len, &v)) return NULL;
  return &d->entries.items[(size_t)(uintptr_t)v - 1];
}

const og_delta_entry *og_table_delta_find_same(const og_table_delta *d, const char *id,
                                               size_t len) {
  void *v = NULL;
  if (!og_map_get(&d->same_by_id, id, len, &v)) return NULL;
  return &d->same.items[(size_t)(uintptr_t)v - 1];
}

og_status og_table_delta_compute(og_table *base, og_table *side, og_table_delta *d,
                                 og_error *err) {
  og_status rc = OG_OK;
  u64vec bids = OG_VEC_INIT, sids = OG_VEC_INIT;
  memset(d, 0, sizeof *d);
  og_arena_init(&d->arena, 0);
  if (!base && !side) return og_err_set(err, OG_EINVAL, "delta: no table");
  d->base = base ? og_table_ref(base) : NULL;
  d->side = side ? og_table_ref(side) : NULL;
  d->schema = og_table_schema_get(side ? side : base);
  d->base_schema = og_table_schema_get(base ? base : side);
  if (!(d->base_col = og_calloc(d->schema->ncols + 1, sizeof *d->base_col))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (size_t c = 0; c < d->schema->ncols; c++) {
    const og_colspec *cs = &d->schema->cols[c];
    int bc = og_table_schema_find(d->base_schema, cs->name);
    if (bc >= 0) {
      const og_colspec *b = &d->base_schema->cols[bc];
      if (b->type != cs->type || b->elem != cs->elem || b->dim != cs->dim) bc = -1;
    }
    d->base_col[c] = bc;
  }
  og_table *any = side ? side : base;
  if ((rc = collect_ids(base, side, &bids, &sids, err)) != OG_OK) goto cleanup;
  if ((rc = og_table_fetch(base ? base : any, bids.items, base ? bids.count : 0, NULL, 0,
                           &d->base_rows, err)) != OG_OK)
    goto cleanup;
  if ((rc = og_table_fetch(side ? side : any, sids.items, side ? sids.count : 0, NULL, 0,
                           &d->side_rows, err)) != OG_OK)
    goto cleanup;
  d->rows_read = bids.count + sids.count;
  /* base rows first, then pair side rows with them by identity */
  for (size_t r = 0; r < bids.count; r++) {
    og_delta_entry e = {NULL, 0, r, OG_MERGE_ABSENT};
    if ((rc = row_identity(d, d->base_schema, &d->base_rows, r, &e.id, &e.id_len, err)) != OG_OK)
      goto cleanup;
    if (OG_VEC_PUSH(&d->entries, e) != OG_OK ||
        og_map_put(&d->by_id, e.id, e.id_len, (void *)(uintptr_t)d->entries.count) != OG_OK) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  }
  for (size_t r = 0; r < sids.count; r++) {
    const char *id;
    size_t len;
    void *v = NULL;
    if ((rc = row_identity(d, d->schema, &d->side_rows, r, &id, &len, err)) != OG_OK) goto cleanup;
    if (og_map_get(&d->by_id, id, len, &v)) {
      d->entries.items[(size_t)(uintptr_t)v - 1].side_row = r;
      continue;
    }
    og_delta_entry e = {id, len, OG_MERGE_ABSENT, r};
    if (OG_VEC_PUSH(&d->entries, e) != OG_OK ||
        og_map_put(&d->by_id, id, len, (void *)(uintptr_t)d->entries.count) != OG_OK) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  }
  /* rewrites that changed nothing (M2) move to `same` (kept: they tell a
   * merge where the row lives now), then re-index */
  size_t k = 0;
  for (size_t i = 0; i < d->entries.count; i++) {
    og_delta_entry *e = &d->entries.items[i];
    if (e->base_row != OG_MERGE_ABSENT && e->side_row != OG_MERGE_ABSENT &&
        delta_row_eq(d, e->base_row, e->side_row)) {
      if (OG_VEC_PUSH(&d->same, *e) != OG_OK ||
          og_map_put(&d->same_by_id, e->id, e->id_len, (void *)(uintptr_t)d->same.count) != OG_OK) {
        rc = og_err_oom(err);
        goto cleanup;
      }
      continue;
    }
    d->entries.items[k++] = *e;
  }
  if (k != d->entries.count) {
    d->entries.count = k;
    og_map_dispose(&d->by_id);
    memset(&d->by_id, 0, sizeof d->by_id);
    for (size_t i = 0; i < k; i++) {
      og_delta_entry *e = &d->entries.items[i];
      if (og_map_put(&d->by_id, e->id, e->id_len, (void *)(uintptr_t)(i + 1)) != OG_OK) {
        rc = og_err_oom(err);
        goto cleanup;
      }
    }
  }
cleanup:
  OG_VEC_FREE(&bids);
  OG_VEC_FREE(&sids);
  if (rc != OG_OK) og_table_delta_dispose(d);
  return rc;
}

void og_table_delta_dispose(og_table_delta *d) {
  if (!d) return;
  og_batch_dispose(&d->base_rows);
  og_batch_dispose(&d->side_rows);
  OG_VEC_FREE(&d->entries);
  og_map_dispose(&d->by_id);
  OG_VEC_FREE(&d->same);
  og_map_dispose(&d->same_by_id);
  og_arena_dispose(&d->arena);
  og_free(d->base_col);
  og_table_free(d->base);
  og_table_free(d->side);
  memset(d, 0, sizeof *d);
}
