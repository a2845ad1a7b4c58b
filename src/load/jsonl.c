/*
 * JSONL framing: find the extent of one JSON value with a small scanner
 * (strings, escapes and nesting depth), then hand exactly that slice to
 * jansson. Scanning first lets us read more input when a record is cut by a
 * chunk boundary without re-parsing, and gives exact record numbers.
 */
#include "load/jsonl.h"

#include <string.h>

#define CHUNK (256 * 1024)

struct og_jsonl {
  og_read_fn read;
  void *ctx;
  const char *mem; /* in-memory mode: the whole input */
  size_t mem_len;
  og_buf buf;      /* streaming mode: unconsumed bytes start at buf.ptr + pos */
  size_t pos;
  bool eof;
  uint64_t record_no;
  uint64_t line;        /* current line (1-based) at pos */
  uint64_t record_line; /* first line of the last record */
};

og_status og_jsonl_open(og_jsonl **out, og_read_fn read, void *ctx, og_error *err) {
  og_jsonl *r = og_calloc(1, sizeof *r);
  if (!r) return og_err_oom(err);
  r->read = read;
  r->ctx = ctx;
  r->line = 1;
  *out = r;
  return OG_OK;
}

og_status og_jsonl_open_mem(og_jsonl **out, const char *data, size_t len, og_error *err) {
  og_jsonl *r = og_calloc(1, sizeof *r);
  if (!r) return og_err_oom(err);
  r->mem = data;
  r->mem_len = len;
  r->eof = true;
  r->line = 1;
  *out = r;
  return OG_OK;
}

static const char *data_ptr(const og_jsonl *r) { return r->mem ? r->mem : r->buf.ptr; }
static size_t data_len(const og_jsonl *r) { return r->mem ? r->mem_len : r->buf.len; }

/* Read another chunk, compacting consumed bytes first. */
static og_status fill(og_jsonl *r, og_error *err) {
  if (r->eof) return OG_OK;
  if (r->pos > 0) {
    memmove(r->buf.ptr, r->buf.ptr + r->pos, r->buf.len - r->pos);
    r->buf.len -= r->pos;
    r->pos = 0;
  }
  if (og_buf_grow(&r->buf, CHUNK)) return og_err_oom(err);
  long n = r->read(r->ctx, r->buf.ptr + r->buf.len, CHUNK);
  if (n < 0) return og_err_set(err, OG_EIO, "read error in load input after record %llu",
                               (unsigned long long)r->record_no);
  if (n == 0) r->eof = true;
  r->buf.len += (size_t)n;
  r->buf.ptr[r->buf.len] = '\0';
  return OG_OK;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_delim(char c) {
  return is_space(c) || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' ||
         c == '"';
}

/* Scan one value starting at p (non-space). Returns its length, or 0 when the
 * value is not complete within [p, end). */
static size_t scan_value(const char *p, const char *end) {
  const char *s = p;
  if (*s == '{' || *s == '[') {
    int depth = 0;
    bool in_str = false;
    for (; s < end; s++) {
      char c = *s;
      if (in_str) {
        if (c == '\\') s++;
        else if (c == '"') in_str = false;
        continue;
      }
      if (c == '"') in_str = true;
      else if (c == '{' || c == '[') depth++;
      else if (c == '}' || c == ']') {
        if (--depth == 0) return (size_t)(s - p) + 1;
      }
    }
    return 0;
  }
  if (*s == '"') {
    for (s++; s < end; s++) {
      if (*s == '\\') s++;
      else if (*s == '"') return (size_t)(s - p) + 1;
    }
    return 0;
  }
  /* a bare scalar (or junk): up to the next delimiter */
  while (s < end && !is_delim(*s)) s++;
  if (s == p) return 1; /* a lone delimiter such as '}' — let jansson reject it */
  return s < end ? (size_t)(s - p) : 0;
}

/* Skip whitespace (counting lines), reading more input as needed: after it
 * the next record starts at r->pos, or the input is exhausted. */
static og_status skip_space(og_jsonl *r, og_error *err) {
  og_status rc;
  for (;;) {
    const char *d = data_ptr(r);
    size_t len = data_len(r);
    while (r->pos < len && is_space(d[r->pos])) {
      if (d[r->pos] == '\n') r->line++;
      r->pos++;
    }
    if (r->pos < len || r->eof) return OG_OK;
    if ((rc = fill(r, err))) return rc;
  }
}

og_status og_jsonl_next_raw(og_jsonl *r, const char **p_out, size_t *n_out, og_error *err) {
  og_status rc;
  *p_out = NULL;
  *n_out = 0;
  for (;;) {
    if ((rc = skip_space(r, err))) return rc;
    const char *d = data_ptr(r);
    size_t len = data_len(r);
    if (r->pos >= len) return OG_OK; /* end of input */
    size_t n = scan_value(d + r->pos, d + len);
    if (n == 0 && !r->eof) {
      if ((rc = fill(r, err))) return rc;
      continue;
    }
    if (n == 0) n = len - r->pos; /* truncated at end of input: the parser explains */
    *p_out = d + r->pos;
    *n_out = n;
    og_jsonl_consume(r, n);
    return OG_OK;
  }
}

og_status og_jsonl_peek(og_jsonl *r, const char **p_out, size_t *avail_out, og_error *err) {
  og_status rc = skip_space(r, err);
  if (rc) return rc;
  *p_out = data_ptr(r) + r->pos;
  *avail_out = data_len(r) - r->pos;
  return OG_OK;
}

void og_jsonl_consume(og_jsonl *r, size_t n) {
  const char *d = data_ptr(r) + r->pos;
  r->record_no++;
  r->record_line = r->line;
  for (const char *q = d, *e = d + n; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++) r->line++;
  r->pos += n;
}

og_status og_jsonl_next_doc(og_jsonl *r, og_jdoc *doc, og_arena *a, bool *got, og_error *err) {
  og_status rc;
  *got = false;
  /* whitespace before the record, reading more input as needed */
  if ((rc = skip_space(r, err))) return rc;
  const char *d = data_ptr(r);
  size_t len = data_len(r);
  if (r->pos < len && d[r->pos] == '{') {
    /* an object ends at its matching brace, exactly where scan_value would
     * frame it; a parse that fails (bad JSON, or cut by the end of the
     * buffer) takes the framed path below, which refills or explains */
    bool ok;
    size_t n;
    if (og_jdoc_parse_prefix(doc, d + r->pos, len - r->pos, a, &ok, &n)) return og_err_oom(err);
    if (ok) {
      og_jsonl_consume(r, n);
      *got = true;
      return OG_OK;
    }
  }
  const char *p;
  size_t n;
  bool ok;
  if ((rc = og_jsonl_next_raw(r, &p, &n, err)) || !p) return rc;
  if (og_jdoc_parse(doc, p, n, a, &ok)) return og_err_oom(err);
  if (!ok) return og_jsonl_raw_error(r, p, n, err);
  *got = true;
  return OG_OK;
}

og_status og_jsonl_raw_error(og_jsonl *r, const char *p, size_t n, og_error *err) {
  json_error_t jerr;
  json_t *v = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  if (v) {
    json_decref(v);
    return og_err_set_pos(err, OG_EINVAL, (int)r->record_line, 1,
                          "invalid JSON at record %llu: unsupported value", (unsigned long long)r->record_no);
  }
  return og_err_set_pos(err, OG_EINVAL, (int)(r->record_line + (uint64_t)(jerr.line > 0 ? jerr.line - 1 : 0)),
                        jerr.column > 0 ? jerr.column : 1, "invalid JSON at record %llu: %s",
                        (unsigned long long)r->record_no, jerr.text);
}

og_status og_jsonl_next(og_jsonl *r, json_t **value_out, og_error *err) {
  const char *p;
  size_t n;
  *value_out = NULL;
  og_status rc = og_jsonl_next_raw(r, &p, &n, err);
  if (rc || !p) return rc;
  json_t *v = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
  if (!v) return og_jsonl_raw_error(r, p, n, err);
  *value_out = v;
  return OG_OK;
}

uint64_t og_jsonl_record_no(const og_jsonl *r) { return r->record_no; }
uint64_t og_jsonl_record_line(const og_jsonl *r) { return r->record_line; }

void og_jsonl_free(og_jsonl *r) {
  if (!r) return;
  og_buf_dispose(&r->buf);
  og_free(r);
}
