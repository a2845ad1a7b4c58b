/*
 * schema_json.c — serde_json-compatible writer (see schema_json.h).
 */
#include <string.h>

#include "lang/schema_int.h"
#include "lang/schema_json.h"

void og_jw_init(og_jw *w, og_buf *b, int indent) {
  memset(w, 0, sizeof(*w));
  w->b = b;
  w->indent = indent;
}


static void jw_newline(og_jw *w) {
  og_buf_putc(w->b, '\n');
  for (int i = 0; i < w->depth * w->indent; i++) og_buf_putc(w->b, ' ');
}

/* Separator before a value (or key) in the current container. */
static void jw_pre(og_jw *w) {
  if (w->after_key) {
    w->after_key = false;
    return;
  }
  if (w->depth == 0) return;
  if (w->count[w->depth]++) og_buf_putc(w->b, ',');
  if (w->indent) jw_newline(w);
}

static void jw_open(og_jw *w, char c) {
  jw_pre(w);
  og_buf_putc(w->b, c);
  if (w->depth < 63) w->depth++;
  w->count[w->depth] = 0;
}

static void jw_close(og_jw *w, char c) {
  size_t n = w->count[w->depth];
  if (w->depth > 0) w->depth--;
  if (n && w->indent) jw_newline(w);
  og_buf_putc(w->b, c);
}

void og_jw_obj(og_jw *w) { jw_open(w, '{'); }
void og_jw_arr(og_jw *w) { jw_open(w, '['); }
void og_jw_end_obj(og_jw *w) { jw_close(w, '}'); }
void og_jw_end_arr(og_jw *w) { jw_close(w, ']'); }

void og_jw_key(og_jw *w, const char *k) {
  jw_pre(w);
  og_buf_put_json_str(w->b, k, strlen(k));
  og_buf_puts(w->b, w->indent ? ": " : ":");
  w->after_key = true;
}

void og_jw_strn(og_jw *w, const char *s, size_t n) {
  jw_pre(w);
  og_buf_put_json_str(w->b, s, n);
}
void og_jw_str(og_jw *w, const char *s) { og_jw_strn(w, s, strlen(s)); }
void og_jw_null(og_jw *w) {
  jw_pre(w);
  og_buf_puts(w->b, "null");
}
void og_jw_bool(og_jw *w, bool v) {
  jw_pre(w);
  og_buf_puts(w->b, v ? "true" : "false");
}
void og_jw_i64(og_jw *w, int64_t v) {
  jw_pre(w);
  og_buf_printf(w->b, "%lld", (long long)v);
}
void og_jw_u64(og_jw *w, uint64_t v) {
  jw_pre(w);
  og_buf_printf(w->b, "%llu", (unsigned long long)v);
}
void og_jw_f64(og_jw *w, double v) {
  char f[64];
  og_sch_fmt_f64(v, f, sizeof(f));
  jw_pre(w);
  og_buf_puts(w->b, f);
}
void og_jw_kstr(og_jw *w, const char *k, const char *s) {
  og_jw_key(w, k);
  if (s) og_jw_str(w, s);
  else og_jw_null(w);
}

/*==================== schema IR pieces ====================*/

void og_jw_proptype(og_jw *w, const og_proptype *t) {
  og_jw_obj(w);
  og_jw_key(w, "scalar");
  if (t->scalar == OG_SC_VECTOR) {
    og_jw_obj(w);
    og_jw_key(w, "Vector");
    og_jw_u64(w, t->dim);
    og_jw_end_obj(w);
  } else {
    og_jw_str(w, og_scalar_name(t->scalar));
  }
  og_jw_key(w, "nullable");
  og_jw_bool(w, t->nullable);
  og_jw_key(w, "list");
  og_jw_bool(w, t->list);
  og_jw_key(w, "enum_values");
  if (t->n_enum) {
    og_jw_arr(w);
    for (size_t i = 0; i < t->n_enum; i++) og_jw_str(w, t->enum_values[i]);
    og_jw_end_arr(w);
  } else {
    og_jw_null(w);
  }
  og_jw_end_obj(w);
}

static void jw_bound(og_jw *w, const og_bound *b) {
  if (!b->present) {
    og_jw_null(w);
    return;
  }
  og_jw_obj(w);
  og_jw_key(w, b->is_float ? "Float" : "Integer");
  if (b->is_float) og_jw_f64(w, b->f);
  else og_jw_i64(w, b->i);
  og_jw_end_obj(w);
}

void og_jw_constraint(og_jw *w, const og_constraint *c) {
  og_jw_obj(w);
  switch (c->kind) {
    case OG_CK_KEY:
    case OG_CK_UNIQUE:
    case OG_CK_INDEX:
      og_jw_key(w, c->kind == OG_CK_KEY ? "Key" : c->kind == OG_CK_UNIQUE ? "Unique" : "Index");
      og_jw_arr(w);
      for (size_t i = 0; i < c->n_cols; i++) og_jw_str(w, c->cols[i]);
      og_jw_end_arr(w);
      break;
    case OG_CK_RANGE:
      og_jw_key(w, "Range");
      og_jw_obj(w);
      og_jw_kstr(w, "property", c->cols[0]);
      og_jw_key(w, "min");
      jw_bound(w, &c->min);
      og_jw_key(w, "max");
      jw_bound(w, &c->max);
      og_jw_end_obj(w);
      break;
    case OG_CK_CHECK:
      og_jw_key(w, "Check");
      og_jw_obj(w);
      og_jw_kstr(w, "property", c->cols[0]);
      og_jw_kstr(w, "pattern", c->pattern);
      og_jw_end_obj(w);
      break;
  }
  og_jw_end_obj(w);
}
