/*
 * descriptor.c — the table version descriptor: a compact binary record
 * (LEB128 varints, length-prefixed strings) closed by an xxh3-64 checksum of
 * everything before it (docs/format-table.md).
 */
#include <string.h>

#include "table/table_int.h"

static og_status put_str(og_buf *b, const char *s) {
  size_t n = s ? strlen(s) : 0;
  og_buf_put_varint(b, n);
  return n ? og_buf_put(b, s, n) : OG_OK;
}

/* A key as written: renamed by `map` when it answers. */
static const char *mapped(og_table_key_map map, void *ctx, const char *key) {
  const char *m = map && key && *key ? map(ctx, key) : NULL;
  return m ? m : key;
}

og_status og_desc_encode(const og_table *t, og_buf *out, og_error *err) {
  return og_desc_encode_mapped(t, NULL, NULL, out, err);
}

og_status og_desc_encode_mapped(const og_table *t, og_table_key_map map, void *ctx, og_buf *out,
                                og_error *err) {
  size_t start = out->len;
  og_buf_put_u32le(out, OG_TVER_MAGIC);
  og_buf_put_u32le(out, OG_TVER_FORMAT);
  put_str(out, t->prefix);
  put_str(out, mapped(map, ctx, t->parent));
  og_buf_put_varint(out, t->version);
  og_buf_put_varint(out, t->content_version);
  og_buf_put_varint(out, t->live_rows);
  og_buf_put_varint(out, t->next_row_id);
  og_buf_put_varint(out, t->schema.ncols);
  og_buf_put_varint(out, (uint64_t)(t->schema.key_col + 1));
  for (size_t i = 0; i < t->schema.ncols; i++) {
    const og_colspec *c = &t->schema.cols[i];
    put_str(out, c->name);
    og_buf_put_u8(out, (uint8_t)c->type);
    og_buf_put_u8(out, (uint8_t)(c->type == OG_COL_LIST ? c->elem : 0));
    og_buf_put_u8(out, c->nullable ? 1 : 0);
    og_buf_put_varint(out, c->type == OG_COL_VECTOR ? c->dim : 0);
  }
  og_buf_put_varint(out, t->nfrags);
  for (size_t i = 0; i < t->nfrags; i++) {
    const og_fragmeta *f = &t->frags[i];
    put_str(out, mapped(map, ctx, f->key));
    og_buf_put_varint(out, f->rows);
    og_buf_put_varint(out, f->min_rowid);
    og_buf_put_varint(out, f->max_rowid);
    og_buf_put_varint(out, f->bytes);
    put_str(out, mapped(map, ctx, f->dv_key));
    og_buf_put_varint(out, f->deleted);
    put_str(out, mapped(map, ctx, f->kidx_key));
  }
  og_buf_put_u64le(out, og_hash64(out->ptr + start, out->len - start));
  return out->oom ? og_err_oom(err) : OG_OK;
}

void og_fragmeta_dispose(og_fragmeta *f) {
  if (!f) return;
  og_free(f->key);
  og_free(f->dv_key);
  og_free(f->kidx_key);
  if (f->dv) roaring_bitmap_free(f->dv);
  og_fragcache_release(f->fc);
  memset(f, 0, sizeof *f);
}

/* Read a string; `allow_empty` for optional keys; keys are validated. */
static char *get_str(og_cursor *c, bool is_key, bool allow_empty, bool *bad) {
  uint64_t n = og_cursor_varint(c);
  if (c->bad || n > og_cursor_left(c) || n > 4096) { *bad = true; return NULL; }
  const uint8_t *p = og_cursor_bytes(c, (size_t)n);
  if (n && (!p || memchr(p, 0, (size_t)n))) { *bad = true; return NULL; }
  char *s = og_strndup(n ? (const char *)p : "", (size_t)n);
  if (!s) { *bad = true; return NULL; }
  if ((!allow_empty && n == 0) || (is_key && n && !og_store_key_valid(s))) {
    og_free(s);
    *bad = true;
    return NULL;
  }
  return s;
}

og_status og_desc_decode(og_table *t, const uint8_t *data, size_t len, og_error *err) {
  const char *key = t->key;
  bool bad = false;
  if (len < 16)
    return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': descriptor too short", key);
  if (og_get_u32le(data) != OG_TVER_MAGIC)
    return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': bad descriptor magic", key);
  uint32_t fmt = og_get_u32le(data + 4);
  if (fmt != OG_TVER_FORMAT)
    return og_err_set(err, fmt > OG_TVER_FORMAT ? OG_EUNSUPPORTED : OG_ECORRUPT,
                      "table: object '%s' has descriptor format %u, which this build does not read%s", key, fmt,
                      fmt > OG_TVER_FORMAT ? " (written by a newer omnigraph: upgrade omnigraph)" : "");
  if (og_hash64(data, len - 8) != og_get_u64le(data + len - 8))
    return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': descriptor checksum mismatch", key);
  og_cursor c;
  og_cursor_init(&c, data + 8, len - 16);
  t->prefix = get_str(&c, true, false, &bad);
  t->parent = get_str(&c, true, true, &bad);
  t->version = og_cursor_varint(&c);
  t->content_version = og_cursor_varint(&c);
  t->live_rows = og_cursor_varint(&c);
  t->next_row_id = og_cursor_varint(&c);
  uint64_t ncols = og_cursor_varint(&c);
  uint64_t kc = og_cursor_varint(&c);
  if (bad || c.bad || ncols > 65535 || kc > ncols) goto corrupt;
  t->schema.key_col = (int)kc - 1;
  if (ncols) {
    t->schema.cols = og_calloc((size_t)ncols, sizeof *t->schema.cols);
    if (!t->schema.cols) return og_err_oom(err);
  }
  for (size_t i = 0; i < ncols; i++) {
    og_colspec *cs = &t->schema.cols[i];
    cs->name = get_str(&c, false, false, &bad);
    t->schema.ncols = i + 1;
    cs->type = (og_coltype)og_cursor_u8(&c);
    cs->elem = (og_coltype)og_cursor_u8(&c);
    cs->nullable = og_cursor_u8(&c) != 0;
    uint64_t dim = og_cursor_varint(&c);
    if (bad || c.bad || dim > UINT32_MAX) goto corrupt;
    cs->dim = (uint32_t)dim;
  }
  if (og_table_schema_check(&t->schema, NULL) != OG_OK) goto corrupt;
  uint64_t nf = og_cursor_varint(&c);
  if (c.bad || nf > og_cursor_left(&c)) goto corrupt;
  if (nf) {
    t->frags = og_calloc((size_t)nf, sizeof *t->frags);
    if (!t->frags) return og_err_oom(err);
    t->frags_cap = (size_t)nf;
  }
  uint64_t live = 0;
  for (size_t i = 0; i < nf; i++) {
    og_fragmeta *f = &t->frags[i];
    t->nfrags = i + 1;
    f->key = get_str(&c, true, false, &bad);
    f->rows = og_cursor_varint(&c);
    f->min_rowid = og_cursor_varint(&c);
    f->max_rowid = og_cursor_varint(&c);
    f->bytes = og_cursor_varint(&c);
    f->dv_key = get_str(&c, true, true, &bad);
    f->deleted = og_cursor_varint(&c);
    f->kidx_key = get_str(&c, true, true, &bad);
    if (bad || c.bad || f->rows == 0 || f->rows > UINT32_MAX || f->deleted > f->rows ||
        f->min_rowid > f->max_rowid || f->max_rowid - f->min_rowid < f->rows - 1 ||
        f->max_rowid >= t->next_row_id || (f->deleted > 0) != (f->dv_key[0] != 0) ||
        (t->schema.key_col >= 0) != (f->kidx_key[0] != 0))
      goto corrupt;
    live += f->rows - f->deleted;
  }
  if (og_cursor_left(&c) != 0 || live != t->live_rows || t->version == 0 ||
      t->content_version == 0)
    goto corrupt;
  return OG_OK;
corrupt:
  return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': malformed descriptor", key);
}
