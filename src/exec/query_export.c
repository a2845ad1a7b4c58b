/*
 * query_export.c — NDJSON export of a snapshot (spec data.md §6).
 * Tables in byte order of their keys (edge:* before node:*), rows by id;
 * memory is bounded by the id column of one table plus one fetch chunk.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/read.h"
#include "lang/schema.h"

#define EXPORT_CHUNK 4096

typedef struct idrow {
  const char *p;
  size_t n;
  uint64_t rowid;
} idrow;

static int idrow_cmp(const void *a, const void *b) {
  const idrow *x = a, *y = b;
  size_t n = x->n < y->n ? x->n : y->n;
  int c = n ? memcmp(x->p, y->p, n) : 0;
  if (c) return c;
  if (x->n != y->n) return x->n < y->n ? -1 : 1;
  return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

static int str_cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static og_status put_base64(og_buf *b, const unsigned char *p, size_t n) {
  og_status rc = og_buf_puts(b, "\"base64:");
  for (size_t i = 0; i < n && !rc; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    char q[4] = {B64[v >> 18 & 63], B64[v >> 12 & 63], i + 1 < n ? B64[v >> 6 & 63] : '=',
                 i + 2 < n ? B64[v & 63] : '='};
    rc = og_buf_put(b, q, 4);
  }
  return rc ? rc : og_buf_putc(b, '"');
}

/* Blob bytes that read as an external reference (a URI) export as that
 * string; anything else as inline base64 (the column stores both as bytes). */
static bool looks_like_uri(const char *p, size_t n) {
  if (!og_utf8_valid(p, n)) return false;
  for (size_t i = 0; i + 2 < n; i++)
    if (p[i] == ':' && p[i + 1] == '/' && p[i + 2] == '/') return i > 0;
  return false;
}

static og_status put_f64(og_buf *b, double d, bool f32, og_error *err) {
  if (!isfinite(d))
    return og_err_set(err, OG_EINVAL, "storage: cannot encode %s value '%s' as JSON", f32 ? "f32" : "f64",
                      isnan(d) ? "NaN" : d < 0 ? "-inf" : "inf");
  char tmp[40];
  og_fmt_f64(d, tmp);
  return og_buf_puts(b, tmp);
}

static og_status put_datetime(og_buf *b, int64_t ms) {
  char tmp[40];
  og_fmt_datetime(ms, tmp); /* YYYY-MM-DDTHH:MM:SS.mmmZ */
  size_t n = strlen(tmp);
  tmp[--n] = '\0';          /* no zone */
  if (n >= 4 && strcmp(tmp + n - 4, ".000") == 0) tmp[n - 4] = '\0';
  return og_buf_printf(b, "\"%s\"", tmp);
}

static og_status put_scalar_elem(og_buf *b, const og_column *c, size_t row, size_t i, og_error *err) {
  size_t n;
  const char *p;
  switch (c->elem) {
    case OG_COL_BOOL: return og_buf_puts(b, og_column_list_get_i64(c, row, i) ? "true" : "false");
    case OG_COL_U64: return og_buf_printf(b, "%llu", (unsigned long long)og_column_list_get_u64(c, row, i));
    case OG_COL_F32: case OG_COL_F64: return put_f64(b, og_column_list_get_f64(c, row, i), c->elem == OG_COL_F32, err);
    case OG_COL_DATETIME: return put_datetime(b, og_column_list_get_i64(c, row, i));
    case OG_COL_STRING:
      p = og_column_list_get_bytes(c, row, i, &n);
      return og_buf_put_json_str(b, p, n);
    case OG_COL_BLOB:
      p = og_column_list_get_bytes(c, row, i, &n);
      return put_base64(b, (const unsigned char *)p, n);
    default: return og_buf_printf(b, "%lld", (long long)og_column_list_get_i64(c, row, i));
  }
}

static og_status put_cell(og_buf *b, const og_column *c, size_t row, og_error *err) {
  if (og_column_is_null(c, row)) return og_buf_puts(b, "null");
  size_t n;
  const char *p;
  og_status rc = OG_OK;
  switch (c->type) {
    case OG_COL_BOOL: return og_buf_puts(b, og_column_get_bool(c, row) ? "true" : "false");
    case OG_COL_I32: case OG_COL_I64: case OG_COL_U32: case OG_COL_DATE:
      return og_buf_printf(b, "%lld", (long long)og_column_get_i64(c, row));
    case OG_COL_U64: return og_buf_printf(b, "%llu", (unsigned long long)og_column_get_u64(c, row));
    case OG_COL_F32: case OG_COL_F64: return put_f64(b, og_column_get_f64(c, row), c->type == OG_COL_F32, err);
    case OG_COL_DATETIME: return put_datetime(b, og_column_get_i64(c, row));
    case OG_COL_STRING:
      p = og_column_get_bytes(c, row, &n);
      return og_buf_put_json_str(b, p, n);
    case OG_COL_BLOB:
      p = og_column_get_bytes(c, row, &n);
      if (!n) return og_buf_puts(b, "null");
      if (looks_like_uri(p, n)) return og_buf_put_json_str(b, p, n);
      return put_base64(b, (const unsigned char *)p, n);
    case OG_COL_VECTOR: {
      const float *v = og_column_get_vector(c, row);
      rc = og_buf_putc(b, '[');
      for (uint32_t i = 0; i < c->dim && !rc; i++) {
        float x;
        memcpy(&x, v + i, sizeof x);
        if (i) rc = og_buf_putc(b, ',');
        if (!rc) rc = put_f64(b, x, true, err);
      }
      return rc ? rc : og_buf_putc(b, ']');
    }
    case OG_COL_LIST: {
      size_t len = og_column_list_len(c, row);
      rc = og_buf_putc(b, '[');
      for (size_t i = 0; i < len && !rc; i++) {
        if (i) rc = og_buf_putc(b, ',');
        if (!rc) rc = put_scalar_elem(b, c, row, i, err);
      }
      return rc ? rc : og_buf_putc(b, ']');
    }
    default: return og_buf_puts(b, "null");
  }
}

/* Property names of a type in declaration order (from the schema source),
 * falling back to catalog order. */
static og_status prop_order(const og_schema *s, const og_type *t, const char ***out, size_t *n,
                            og_arena *a) {
  *n = 0;
  *out = og_arena_alloc(a, (t->n_props + 1) * sizeof **out);
  if (!*out) return OG_ENOMEM;
  const og_type *d = NULL;
  for (size_t i = 0; s && i < s->n_decls; i++)
    if (s->decls[i].kind == t->kind && strcmp(s->decls[i].name, t->name) == 0) d = &s->decls[i];
  if (d && d->n_props == t->n_props) {
    for (size_t i = 0; i < d->n_props; i++) (*out)[(*n)++] = d->props[i].name;
    /* interface properties not redeclared come after the node's own: the
     * parsed declaration already lists them after its own properties */
    return OG_OK;
  }
  for (size_t i = 0; i < t->n_props; i++) (*out)[(*n)++] = t->props[i].name;
  return OG_OK;
}

static og_status export_table(og_snapshot *snap, const og_catalog *cat, const og_schema *sch,
                              const char *key, og_xwrite_fn fn, void *ctx, og_error *err) {
  bool is_edge = strncmp(key, "edge:", 5) == 0;
  const char *tname = key + 5;
  const og_type *t = is_edge ? og_catalog_edge(cat, tname) : og_catalog_node(cat, tname);
  og_table *tab = NULL;
  og_scan *sc = NULL;
  og_arena a;
  og_buf ids = OG_BUF_INIT, line = OG_BUF_INIT;
  OG_VEC(idrow) rows = OG_VEC_INIT;
  OG_VEC(uint64_t) offs = OG_VEC_INIT;
  og_batch chunk = OG_BATCH_INIT;
  og_status rc;
  og_arena_init(&a, 4096);
  if (!t) {
    rc = og_err_set(err, OG_ECORRUPT, "table '%s' has no type in the schema", key);
    goto cleanup;
  }
  if ((rc = og_snapshot_table(snap, key, &tab, err))) goto cleanup;
  const og_table_schema *ts = og_table_schema_get(tab);
  const char **props = NULL;
  size_t nprops = 0;
  if (prop_order(sch, t, &props, &nprops, &a)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  size_t ncols = (is_edge ? 3 : 1) + nprops;
  uint32_t *cols = og_arena_alloc(&a, ncols * sizeof *cols);
  if (!cols) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  cols[0] = 0;
  if (is_edge) {
    cols[1] = (uint32_t)og_table_schema_find(ts, "src");
    cols[2] = (uint32_t)og_table_schema_find(ts, "dst");
  }
  for (size_t i = 0; i < nprops; i++) {
    int k = og_table_schema_find(ts, props[i]);
    if (k < 0) {
      rc = og_err_set(err, OG_ECORRUPT, "table '%s' lacks column '%s'", key, props[i]);
      goto cleanup;
    }
    cols[(is_edge ? 3 : 1) + i] = (uint32_t)k;
  }
  /* 1. ids and row ids; 2. sort by id; 3. fetch in chunks in that order */
  uint32_t idcol = 0;
  og_scan_opts so = {.cols = &idcol, .ncols = 1};
  if ((rc = og_table_scan(tab, &so, &sc, err))) goto cleanup;
  for (;;) {
    const og_batch *b = NULL;
    if ((rc = og_scan_next(sc, &b, err))) goto cleanup;
    if (!b) break;
    for (size_t r = 0; r < og_batch_rows(b); r++) {
      size_t n;
      const char *p = og_column_get_bytes(&b->cols[0], r, &n);
      idrow ir = {NULL, n, b->rowids.items[r]};
      if (OG_VEC_PUSH(&offs, (uint64_t)ids.len) || og_buf_put(&ids, p, n) || OG_VEC_PUSH(&rows, ir)) {
        rc = og_err_oom(err);
        goto cleanup;
      }
    }
  }
  for (size_t i = 0; i < rows.count; i++) rows.items[i].p = ids.ptr ? ids.ptr + offs.items[i] : "";
  if (rows.count) qsort(rows.items, rows.count, sizeof *rows.items, idrow_cmp);
  uint64_t *rid = og_arena_alloc(&a, EXPORT_CHUNK * sizeof *rid);
  if (!rid) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (size_t base = 0; base < rows.count; base += EXPORT_CHUNK) {
    size_t n = rows.count - base < EXPORT_CHUNK ? rows.count - base : EXPORT_CHUNK;
    for (size_t i = 0; i < n; i++) rid[i] = rows.items[base + i].rowid;
    og_batch_dispose(&chunk);
    if ((rc = og_table_fetch(tab, rid, n, cols, ncols, &chunk, err))) goto cleanup;
    og_buf_clear(&line);
    for (size_t r = 0; r < n && !rc; r++) {
      if (is_edge) {
        rc = og_buf_puts(&line, "{\"edge\":");
        if (!rc) rc = og_buf_put_json_str(&line, t->name, strlen(t->name));
        if (!rc) rc = og_buf_puts(&line, ",\"from\":");
        if (!rc) rc = put_cell(&line, &chunk.cols[1], r, err);
        if (!rc) rc = og_buf_puts(&line, ",\"to\":");
        if (!rc) rc = put_cell(&line, &chunk.cols[2], r, err);
      } else {
        rc = og_buf_puts(&line, "{\"type\":");
        if (!rc) rc = og_buf_put_json_str(&line, t->name, strlen(t->name));
      }
      if (!rc) rc = og_buf_puts(&line, ",\"data\":{\"id\":");
      if (!rc) rc = put_cell(&line, &chunk.cols[0], r, err);
      for (size_t i = 0; i < nprops && !rc; i++) {
        rc = og_buf_putc(&line, ',');
        if (!rc) rc = og_buf_put_json_str(&line, props[i], strlen(props[i]));
        if (!rc) rc = og_buf_putc(&line, ':');
        if (!rc) rc = put_cell(&line, &chunk.cols[(is_edge ? 3 : 1) + i], r, err);
      }
      if (!rc) rc = og_buf_puts(&line, "}}\n");
    }
    if (rc) goto cleanup;
    if (line.oom) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    if ((rc = fn(ctx, line.ptr, line.len, err))) goto cleanup;
  }
cleanup:
  og_batch_dispose(&chunk);
  og_scan_free(sc);
  og_table_free(tab);
  og_buf_dispose(&ids);
  og_buf_dispose(&line);
  OG_VEC_FREE(&rows);
  OG_VEC_FREE(&offs);
  og_arena_dispose(&a);
  return rc;
}

og_status og_exec_export(og_snapshot *snap, const og_catalog *cat, const char *schema_src,
                         size_t schema_len, const char *const *types, size_t ntypes,
                         const char *const *tables, size_t ntables, og_xwrite_fn fn, void *ctx,
                         og_error *err) {
  const og_manifest *m = og_snapshot_manifest(snap);
  OG_VEC(const char *) sel = OG_VEC_INIT;
  og_schema *sch = NULL;
  og_status rc = OG_OK;
  if (schema_src) {
    /* a stored schema always parses; only running out of memory can fail */
    og_error perr = OG_ERROR_INIT;
    og_status prc = og_schema_parse(schema_src, schema_len, &sch, &perr);
    if (prc == OG_ENOMEM) return og_err_oom(err);
    if (prc) sch = NULL;
  }
  for (size_t i = 0; i < ntables && !rc; i++) {
    if (!og_manifest_find(m, tables[i])) rc = og_err_set(err, OG_ENOTFOUND, "unknown export table '%s'", tables[i]);
    else if (OG_VEC_PUSH(&sel, og_manifest_find(m, tables[i])->table_key)) rc = og_err_oom(err);
  }
  for (size_t i = 0; i < ntypes && !rc; i++) {
    char key[600];
    bool found = false;
    static const char *const prefixes[] = {"node:", "edge:"};
    for (int k = 0; k < 2 && !rc; k++) {
      snprintf(key, sizeof key, "%s%s", prefixes[k], types[i]);
      const og_table_entry *e = og_manifest_find(m, key);
      if (!e) continue;
      found = true;
      if (OG_VEC_PUSH(&sel, e->table_key)) rc = og_err_oom(err);
    }
    if (!rc && !found) rc = og_err_set(err, OG_ENOTFOUND, "unknown export type '%s'", types[i]);
  }
  if (!rc && !ntables && !ntypes)
    for (size_t i = 0; i < m->ntables && !rc; i++)
      if (OG_VEC_PUSH(&sel, m->tables[i].table_key)) rc = og_err_oom(err);
  if (!rc && sel.count) qsort(sel.items, sel.count, sizeof *sel.items, str_cmp);
  for (size_t i = 0; i < sel.count && !rc; i++) {
    if (i && strcmp(sel.items[i], sel.items[i - 1]) == 0) continue;
    rc = export_table(snap, cat, sch, sel.items[i], fn, ctx, err);
  }
  og_schema_free(sch);
  OG_VEC_FREE(&sel);
  return rc;
}
