/* Public API: read queries, results and their renderings, export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "exec/read.h"

struct og_result {
  og_xresult *x;
  char *query_name;
  char *branch;   /* NULL when the target is a snapshot */
  char *snapshot; /* NULL when the target is a branch */
};

static og_xcache *db_cache(og_db *db) {
  pthread_mutex_lock(&db->lock);
  if (!db->exec_cache) {
    db->exec_cache = og_xcache_new();
    db->exec_cache_free = og_xcache_free;
  }
  og_xcache *c = db->exec_cache;
  pthread_mutex_unlock(&db->lock);
  return c;
}

void *og_db__xcache(og_db *db) { return db_cache(db); }

void og_db_read_stats(og_db *db, og_read_stats *out) {
  memset(out, 0, sizeof *out);
  og_xcache *c = db_cache(db);
  if (!c) return;
  og_xcache_stats s;
  og_xcache_get_stats(c, &s);
  out->csr_builds = s.csr_builds;
  out->csr_hits = s.csr_hits;
  out->nodeidx_builds = s.nodeidx_builds;
  out->nodeidx_hits = s.nodeidx_hits;
  out->csr_loads = s.csr_loads;
}

/* "manifest:<branch>:v<n>" (the synthetic snapshot id of surface §5.4) or a commit id. */
static og_status resolve_snapshot(og_db *db, const char *id, og_snapshot **out, og_error *err) {
  if (og_str_startswith(id, "manifest:")) {
    const char *b = id + 9, *sep = strrchr(b, ':');
    if (sep && sep[1] == 'v' && sep[2]) {
      char *end = NULL;
      unsigned long long v = strtoull(sep + 2, &end, 10);
      char *branch = og_strndup(b, (size_t)(sep - b));
      if (!branch) return og_err_oom(err);
      og_status rc = OG_EINVAL;
      if (end && !*end && v > 0) rc = og_graph_snapshot(db->graph, branch, v, out, err);
      og_free(branch);
      if (rc != OG_EINVAL) return rc;
    }
    return og_err_set(err, OG_EINVAL, "invalid snapshot id '%s'", id);
  }
  og_error e = OG_ERROR_INIT;
  og_status rc = og_graph_snapshot_commit(db->graph, id, out, &e);
  /* an unknown commit; a commit whose version cleanup released keeps its
   * own message (details name the retention floor) */
  if (rc == OG_ENOTFOUND && !strstr(e.details, "\"retention_floor\""))
    og_err_set(&e, OG_ENOTFOUND, "snapshot '%s' not found", id);
  if (rc != OG_OK && err) *err = e;
  return rc;
}

og_status og_db_query(og_db *db, const char *source, size_t len, const og_query_opts *opts,
                      og_result **out, og_error *err) {
  og_query_opts none = {0};
  og_qfile *f = NULL;
  og_qtyped *typed = NULL;
  og_qir *ir = NULL;
  og_qparams *params = NULL;
  og_snapshot *snap = NULL;
  og_result *r = NULL;
  const og_catalog *cat = NULL;
  const og_qdecl *decl = NULL;
  og_status rc;
  *out = NULL;
  if (!opts) opts = &none;
  if ((rc = og_qfile_parse(source, len, &f, err))) goto cleanup;
  if ((rc = og_qfile_select(f, opts->name && *opts->name ? opts->name : NULL, &decl, err))) goto cleanup;
  if (opts->snapshot && *opts->snapshot) rc = resolve_snapshot(db, opts->snapshot, &snap, err);
  else rc = og_graph_snapshot(db->graph, opts->branch && *opts->branch ? opts->branch : OG_GRAPH_MAIN, 0,
                              &snap, err);
  if (rc) goto cleanup;
  if ((rc = og_db__catalog(db, snap, &cat, err))) goto cleanup;
  if ((rc = og_query_check_read(cat, decl, &typed, err))) goto cleanup;
  if ((rc = og_query_lower(typed, &ir, err))) goto cleanup;
  const char *pj = opts->params_json;
  if ((rc = og_qparams_bind(decl, pj, pj ? strlen(pj) : 0, OG_QBIND_STANDARD, &params, err))) goto cleanup;
  if ((rc = og_qparams_set_now(params, og_now_ms(), err))) goto cleanup;
  r = og_calloc(1, sizeof *r);
  if (!r || !(r->query_name = og_strdup(decl->name))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if (opts->snapshot && *opts->snapshot) r->snapshot = og_strdup(opts->snapshot);
  else r->branch = og_strdup(og_snapshot_branch(snap));
  if (!r->snapshot && !r->branch) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  og_xcache *cache = db_cache(db);
  if (!cache) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if ((rc = og_exec_read(cache, snap, ir, params, &r->x, err))) goto cleanup;
  *out = r;
  r = NULL;
cleanup:
  og_result_free(r);
  og_qparams_free(params);
  og_qir_free(ir);
  og_qtyped_free(typed);
  og_qfile_free(f);
  og_snapshot_free(snap);
  return rc;
}

void og_result_free(og_result *r) {
  if (!r) return;
  og_xresult_free(r->x);
  og_free(r->query_name);
  og_free(r->branch);
  og_free(r->snapshot);
  og_free(r);
}

const char *og_result_query_name(const og_result *r) { return r->query_name; }
const char *og_result_branch(const og_result *r) { return r->branch; }
const char *og_result_snapshot(const og_result *r) { return r->snapshot; }
size_t og_result_column_count(const og_result *r) { return r->x->ncols; }
const char *og_result_column_name(const og_result *r, size_t col) {
  return col < r->x->ncols ? r->x->names[col] : NULL;
}
size_t og_result_row_count(const og_result *r) { return r->x->nrows; }

static const og_xval *cell(const og_result *r, size_t row, size_t col) {
  static const og_xval null_cell = {.kind = OG_XV_NULL};
  if (row >= r->x->nrows || col >= r->x->ncols) return &null_cell;
  return &r->x->cells[row * r->x->ncols + col];
}

og_value_kind og_result_kind(const og_result *r, size_t row, size_t col) {
  switch (cell(r, row, col)->kind) {
    case OG_XV_BOOL: return OG_VALUE_BOOL;
    case OG_XV_INT: return OG_VALUE_INT;
    case OG_XV_UINT: return OG_VALUE_UINT;
    case OG_XV_FLOAT: return OG_VALUE_FLOAT;
    case OG_XV_STRING: return OG_VALUE_STRING;
    case OG_XV_DATE: return OG_VALUE_DATE;
    case OG_XV_DATETIME: return OG_VALUE_DATETIME;
    case OG_XV_LIST: return OG_VALUE_LIST;
    default: return OG_VALUE_NULL;
  }
}

bool og_result_bool(const og_result *r, size_t row, size_t col) {
  const og_xval *v = cell(r, row, col);
  return v->kind == OG_XV_BOOL && v->v.b;
}

int64_t og_result_int(const og_result *r, size_t row, size_t col) {
  const og_xval *v = cell(r, row, col);
  switch (v->kind) {
    case OG_XV_INT: case OG_XV_DATE: case OG_XV_DATETIME: return v->v.i;
    case OG_XV_UINT: return (int64_t)v->v.u;
    case OG_XV_FLOAT: return (int64_t)v->v.f;
    case OG_XV_BOOL: return v->v.b;
    default: return 0;
  }
}

uint64_t og_result_uint(const og_result *r, size_t row, size_t col) {
  const og_xval *v = cell(r, row, col);
  return v->kind == OG_XV_UINT ? v->v.u : (uint64_t)og_result_int(r, row, col);
}

double og_result_float(const og_result *r, size_t row, size_t col) {
  const og_xval *v = cell(r, row, col);
  switch (v->kind) {
    case OG_XV_FLOAT: return v->v.f;
    case OG_XV_UINT: return (double)v->v.u;
    default: return (double)og_result_int(r, row, col);
  }
}

const char *og_result_string(const og_result *r, size_t row, size_t col, size_t *len_out) {
  const og_xval *v = cell(r, row, col);
  if (v->kind != OG_XV_STRING) return NULL;
  if (len_out) *len_out = v->v.s.n;
  return v->v.s.p; /* copied NUL-terminated into the result arena */
}

char *og_result_cell_json(const og_result *r, size_t row, size_t col) {
  og_buf b = OG_BUF_INIT;
  if (og_xval_json(&b, cell(r, row, col)) || og_buf_putc(&b, '\0')) {
    og_buf_dispose(&b);
    return NULL;
  }
  return og_buf_detach(&b, NULL);
}

bool og_result_format_parse(const char *name, og_result_format *out) {
  static const struct { const char *n; og_result_format f; } names[] = {
      {"json", OG_FORMAT_JSON}, {"jsonl", OG_FORMAT_JSONL}, {"csv", OG_FORMAT_CSV},
      {"kv", OG_FORMAT_KV}, {"table", OG_FORMAT_TABLE}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (name && strcmp(name, names[i].n) == 0) {
      *out = names[i].f;
      return true;
    }
  return false;
}

/*==================== renderings ====================*/

static og_status put_target(og_buf *b, const og_result *r) {
  og_status rc = og_buf_puts(b, "\"target\":{\"branch\":");
  if (!rc) rc = r->branch ? og_buf_put_json_str(b, r->branch, strlen(r->branch)) : og_buf_puts(b, "null");
  if (!rc) rc = og_buf_puts(b, ",\"snapshot\":");
  if (!rc) rc = r->snapshot ? og_buf_put_json_str(b, r->snapshot, strlen(r->snapshot)) : og_buf_puts(b, "null");
  return rc ? rc : og_buf_putc(b, '}');
}

static og_status put_row(og_buf *b, const og_result *r, size_t row) {
  og_status rc = og_buf_putc(b, '{');
  for (size_t j = 0; j < r->x->ncols && !rc; j++) {
    if (j) rc = og_buf_putc(b, ',');
    if (!rc) rc = og_buf_put_json_str(b, r->x->names[j], strlen(r->x->names[j]));
    if (!rc) rc = og_buf_putc(b, ':');
    if (!rc) rc = og_xval_json(b, cell(r, row, j));
  }
  return rc ? rc : og_buf_putc(b, '}');
}

static og_status render_envelope(og_buf *b, const og_result *r) {
  og_status rc = og_buf_puts(b, "{\"query_name\":");
  if (!rc) rc = og_buf_put_json_str(b, r->query_name, strlen(r->query_name));
  if (!rc) rc = og_buf_putc(b, ',');
  if (!rc) rc = put_target(b, r);
  if (!rc) rc = og_buf_printf(b, ",\"row_count\":%zu", r->x->nrows);
  if (!rc && r->x->ncols) {
    rc = og_buf_puts(b, ",\"columns\":[");
    for (size_t j = 0; j < r->x->ncols && !rc; j++) {
      if (j) rc = og_buf_putc(b, ',');
      if (!rc) rc = og_buf_put_json_str(b, r->x->names[j], strlen(r->x->names[j]));
    }
    if (!rc) rc = og_buf_putc(b, ']');
  }
  if (!rc) rc = og_buf_puts(b, ",\"rows\":[");
  for (size_t i = 0; i < r->x->nrows && !rc; i++) {
    if (i) rc = og_buf_putc(b, ',');
    if (!rc) rc = put_row(b, r, i);
  }
  return rc ? rc : og_buf_puts(b, "]}");
}

/* Re-indent compact JSON the way serde_json's pretty printer does
 * (2 spaces, "key": value, empty containers stay [] / {}), copying number
 * tokens verbatim so 64-bit integers and float spellings survive. */
static og_status pretty(og_buf *out, const char *s, size_t n) {
  int depth = 0;
  og_status rc = OG_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    char ch = s[i];
    if (ch == '"') {
      size_t j = i + 1;
      while (j < n && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
      rc = og_buf_put(out, s + i, j + 1 - i);
      i = j;
    } else if (ch == '{' || ch == '[') {
      char close = ch == '{' ? '}' : ']';
      if (i + 1 < n && s[i + 1] == close) {
        rc = og_buf_putc(out, ch);
        if (!rc) rc = og_buf_putc(out, close);
        i++;
        continue;
      }
      depth++;
      rc = og_buf_putc(out, ch);
      if (!rc) rc = og_buf_putc(out, '\n');
      for (int k = 0; k < depth && !rc; k++) rc = og_buf_puts(out, "  ");
    } else if (ch == '}' || ch == ']') {
      depth--;
      rc = og_buf_putc(out, '\n');
      for (int k = 0; k < depth && !rc; k++) rc = og_buf_puts(out, "  ");
      if (!rc) rc = og_buf_putc(out, ch);
    } else if (ch == ',') {
      rc = og_buf_puts(out, ",\n");
      for (int k = 0; k < depth && !rc; k++) rc = og_buf_puts(out, "  ");
    } else if (ch == ':') {
      rc = og_buf_puts(out, ": ");
    } else {
      rc = og_buf_putc(out, ch);
    }
  }
  return rc;
}

static og_status header_line(og_buf *b, const og_result *r) {
  if (r->snapshot) return og_buf_printf(b, "%zu rows from snapshot %s via %s\n", r->x->nrows, r->snapshot, r->query_name);
  return og_buf_printf(b, "%zu rows from branch %s via %s\n", r->x->nrows, r->branch, r->query_name);
}

static og_status cell_text(og_buf *b, const og_result *r, size_t row, size_t col) {
  return og_xval_text(b, cell(r, row, col));
}

static og_status render_csv(og_buf *b, const og_result *r) {
  og_status rc = OG_OK;
  og_buf t = OG_BUF_INIT;
  for (size_t i = 0; i <= r->x->nrows && !rc; i++) {
    for (size_t j = 0; j < r->x->ncols && !rc; j++) {
      og_buf_clear(&t);
      if (j) rc = og_buf_putc(b, ',');
      if (!rc) rc = i == 0 ? og_buf_puts(&t, r->x->names[j]) : cell_text(&t, r, i - 1, j);
      if (rc) break;
      bool quote = false;
      for (size_t k = 0; k < t.len; k++)
        if (t.ptr[k] == ',' || t.ptr[k] == '"' || t.ptr[k] == '\n' || t.ptr[k] == '\r') quote = true;
      if (!quote) {
        rc = og_buf_put(b, t.ptr, t.len);
        continue;
      }
      rc = og_buf_putc(b, '"');
      for (size_t k = 0; k < t.len && !rc; k++) {
        if (t.ptr[k] == '"') rc = og_buf_putc(b, '"');
        if (!rc) rc = og_buf_putc(b, t.ptr[k]);
      }
      if (!rc) rc = og_buf_putc(b, '"');
    }
    if (!rc) rc = og_buf_putc(b, '\n');
  }
  og_buf_dispose(&t);
  return rc;
}

static og_status render_kv(og_buf *b, const og_result *r) {
  og_status rc = header_line(b, r);
  if (!rc && r->x->nrows == 0) return og_buf_puts(b, "(no rows)\n");
  for (size_t i = 0; i < r->x->nrows && !rc; i++) {
    if (i) rc = og_buf_putc(b, '\n');
    if (!rc) rc = og_buf_printf(b, "row %zu\n", i + 1);
    for (size_t j = 0; j < r->x->ncols && !rc; j++) {
      rc = og_buf_printf(b, "%s: ", r->x->names[j]);
      if (!rc) rc = cell_text(b, r, i, j);
      if (!rc) rc = og_buf_putc(b, '\n');
    }
  }
  return rc;
}

/* UTF-8 characters in s[0..n). */
static size_t nchars(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
  return c;
}

/* Byte offset of the k-th character. */
static size_t char_off(const char *s, size_t n, size_t k) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++) {
    if (((unsigned char)s[i] & 0xC0) != 0x80) {
      if (c == k) return i;
      c++;
    }
  }
  return n;
}

typedef struct tcell {
  char *p;
  size_t n;
} tcell;

static og_status put_padded(og_buf *b, const char *p, size_t n, size_t width) {
  og_status rc = og_buf_put(b, p, n);
  for (size_t k = nchars(p, n); k < width && !rc; k++) rc = og_buf_putc(b, ' ');
  return rc;
}

static og_status render_table(og_buf *b, const og_result *r, const og_render_opts *o) {
  size_t maxw = o && o->max_column_width ? o->max_column_width : 80;
  size_t cap = maxw < 8 ? 8 : maxw;
  bool wrap = o && o->wrap;
  size_t nc = r->x->ncols, nr = r->x->nrows;
  og_status rc = header_line(b, r);
  if (rc) return rc;
  if (!nc) return og_buf_puts(b, "(no rows)\n");
  tcell *cells = og_calloc(nr * nc + 1, sizeof *cells);
  size_t *w = og_calloc(nc, sizeof *w);
  og_buf t = OG_BUF_INIT;
  if (!cells || !w) {
    rc = OG_ENOMEM;
    goto cleanup;
  }
  for (size_t j = 0; j < nc; j++) w[j] = nchars(r->x->names[j], strlen(r->x->names[j]));
  for (size_t i = 0; i < nr && !rc; i++)
    for (size_t j = 0; j < nc && !rc; j++) {
      og_buf_clear(&t);
      if ((rc = cell_text(&t, r, i, j))) break;
      og_buf e = OG_BUF_INIT;
      for (size_t k = 0; k < t.len && !rc; k++)
        rc = t.ptr[k] == '\n' ? og_buf_puts(&e, "\\n") : og_buf_putc(&e, t.ptr[k]);
      if (!rc) rc = og_buf_putc(&e, '\0');
      if (rc) {
        og_buf_dispose(&e);
        break;
      }
      cells[i * nc + j].n = e.len - 1;
      cells[i * nc + j].p = og_buf_detach(&e, NULL);
      size_t cw = nchars(cells[i * nc + j].p, cells[i * nc + j].n);
      if (cw > maxw) cw = maxw;
      if (cw > w[j]) w[j] = cw;
    }
  for (size_t j = 0; j < nc; j++)
    if (w[j] > cap) w[j] = cap;
  for (size_t j = 0; j < nc && !rc; j++) {
    if (j) rc = og_buf_puts(b, " | ");
    if (rc) break;
    const char *nm = r->x->names[j];
    size_t nl = strlen(nm);
    if (nchars(nm, nl) > w[j]) { /* a name wider than the cap is cut like a cell */
      rc = og_buf_put(b, nm, char_off(nm, nl, w[j] - 1));
      if (!rc) rc = og_buf_puts(b, "\xE2\x80\xA6");
    } else {
      rc = put_padded(b, nm, nl, w[j]);
    }
  }
  if (!rc) rc = og_buf_putc(b, '\n');
  for (size_t j = 0; j < nc && !rc; j++) {
    if (j) rc = og_buf_puts(b, "-+-");
    for (size_t k = 0; k < w[j] && !rc; k++) rc = og_buf_putc(b, '-');
  }
  if (!rc) rc = og_buf_putc(b, '\n');
  for (size_t i = 0; i < nr && !rc; i++) {
    /* lines of this row: 1 unless wrapping */
    size_t lines = 1;
    if (wrap)
      for (size_t j = 0; j < nc; j++) {
        size_t cw = nchars(cells[i * nc + j].p, cells[i * nc + j].n);
        size_t l = cw ? (cw + w[j] - 1) / w[j] : 1;
        if (l > lines) lines = l;
      }
    for (size_t l = 0; l < lines && !rc; l++) {
      for (size_t j = 0; j < nc && !rc; j++) {
        if (j) rc = og_buf_puts(b, " | ");
        if (rc) break;
        const char *p = cells[i * nc + j].p;
        size_t n = cells[i * nc + j].n, cw = nchars(p, n);
        if (wrap) {
          size_t a = char_off(p, n, l * w[j]), z = char_off(p, n, (l + 1) * w[j]);
          rc = put_padded(b, p + a, z - a, w[j]);
        } else if (cw > w[j]) {
          size_t z = char_off(p, n, w[j] - 1);
          rc = og_buf_put(b, p, z);
          if (!rc) rc = og_buf_puts(b, "\xE2\x80\xA6"); /* … */
        } else {
          rc = put_padded(b, p, n, w[j]);
        }
      }
      if (!rc) rc = og_buf_putc(b, '\n');
    }
  }
cleanup:
  if (cells)
    for (size_t i = 0; i < nr * nc; i++) og_free(cells[i].p);
  og_free(cells);
  og_free(w);
  og_buf_dispose(&t);
  return rc;
}

og_status og_result_render(const og_result *r, og_result_format fmt, const og_render_opts *opts,
                           char **out, og_error *err) {
  og_buf b = OG_BUF_INIT, tmp = OG_BUF_INIT;
  og_status rc = OG_OK;
  *out = NULL;
  switch (fmt) {
    case OG_FORMAT_JSON_COMPACT:
      rc = render_envelope(&b, r);
      if (!rc) rc = og_buf_putc(&b, '\n');
      break;
    case OG_FORMAT_JSON:
      rc = render_envelope(&tmp, r);
      if (!rc) rc = pretty(&b, tmp.ptr, tmp.len);
      if (!rc) rc = og_buf_putc(&b, '\n');
      break;
    case OG_FORMAT_JSONL:
      rc = og_buf_puts(&b, "{\"kind\":\"metadata\",\"query_name\":");
      if (!rc) rc = og_buf_put_json_str(&b, r->query_name, strlen(r->query_name));
      if (!rc) rc = og_buf_putc(&b, ',');
      if (!rc) rc = put_target(&b, r);
      if (!rc) rc = og_buf_printf(&b, ",\"row_count\":%zu}\n", r->x->nrows);
      for (size_t i = 0; i < r->x->nrows && !rc; i++) {
        rc = put_row(&b, r, i);
        if (!rc) rc = og_buf_putc(&b, '\n');
      }
      break;
    case OG_FORMAT_CSV: rc = render_csv(&b, r); break;
    case OG_FORMAT_KV: rc = render_kv(&b, r); break;
    case OG_FORMAT_TABLE: rc = render_table(&b, r, opts); break;
    default: rc = og_err_set(err, OG_EINVAL, "unknown output format");
  }
  if (!rc) rc = og_buf_putc(&b, '\0');
  og_buf_dispose(&tmp);
  if (rc) {
    og_buf_dispose(&b);
    return rc == OG_ENOMEM ? og_err_oom(err) : rc;
  }
  *out = og_buf_detach(&b, NULL);
  return OG_OK;
}

/*==================== export ====================*/

og_status og_db_export(og_db *db, const char *branch, const char *const *types, size_t ntypes,
                       const char *const *tables, size_t ntables, og_write_fn fn, void *ctx,
                       og_error *err) {
  og_snapshot *snap = NULL;
  const og_catalog *cat = NULL;
  og_buf src = OG_BUF_INIT;
  og_status rc = og_graph_snapshot(db->graph, branch && *branch ? branch : OG_GRAPH_MAIN, 0, &snap, err);
  if (!rc) rc = og_db__catalog(db, snap, &cat, err);
  if (!rc) rc = og_snapshot_schema(snap, &src, err);
  if (!rc)
    rc = og_exec_export(snap, cat, src.ptr, src.len, types, ntypes, tables, ntables, fn, ctx, err);
  og_buf_dispose(&src);
  og_snapshot_free(snap);
  return rc;
}
