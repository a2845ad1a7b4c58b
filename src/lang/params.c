/*
 * params.c — binding JSON parameters to a query's declared params
 * (spec/languages.md §7), literal → value conversion, and the calendar
 * parsers shared with the executor.
 *
 * Differences from the reference (recommended fixes, spec §5.11 / §12):
 *  - a missing non-nullable declared param is rejected here with
 *    "parameter 'x' not provided" (never a silently dropped filter);
 *  - Date / DateTime params are validated and converted at bind time
 *    ("param 'x': invalid Date literal '…'").
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/query_int.h"

#define JS_SAFE_MAX 9007199254740991LL

typedef struct bind_ctx {
  og_qparams *p;
  og_qbind_mode mode;
  og_error *err;
  bool ints_as_real; /* the document held an integer beyond i64 */
  const char *src;   /* raw JSON text (for big integer digits), may be NULL */
  size_t src_len;
} bind_ctx;

/*---------------- calendar ----------------*/

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static bool digits(const char *s, size_t n, int *out) {
  int v = 0;
  for (size_t k = 0; k < n; k++) {
    if (s[k] < '0' || s[k] > '9') return false;
    v = v * 10 + (s[k] - '0');
  }
  *out = v;
  return true;
}

static bool parse_ymd(const char *s, size_t len, int64_t *days) {
  int y, m, d;
  if (len != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d)) return false;
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  int lim = mdays[m - 1] + (m == 2 && leap(y));
  if (d > lim) return false;
  *days = days_from_civil(y, (unsigned)m, (unsigned)d);
  return true;
}

bool og_qparse_date(const char *s, size_t len, int64_t *days_out) { return parse_ymd(s, len, days_out); }

/* RFC 3339 / ISO 8601: YYYY-MM-DD[(T|t| )HH:MM[:SS[.fff…]]][Z|z|±HH:MM|±HHMM].
 * No offset means UTC; a bare date is midnight UTC. */
bool og_qparse_datetime(const char *s, size_t len, int64_t *ms_out) {
  int64_t days;
  if (len < 10 || !parse_ymd(s, 10, &days)) return false;
  int64_t ms = days * 86400000LL;
  size_t i = 10;
  if (i == len) { *ms_out = ms; return true; }
  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
  i++;
  int hh, mi, ss = 0;
  if (i + 5 > len || s[i + 2] != ':' || !digits(s + i, 2, &hh) || !digits(s + i + 3, 2, &mi)) return false;
  i += 5;
  if (i < len && s[i] == ':') {
    if (i + 3 > len || !digits(s + i + 1, 2, &ss)) return false;
    i += 3;
  }
  if (hh > 23 || mi > 59 || ss > 60) return false;
  int frac_ms = 0;
  if (i < len && (s[i] == '.' || s[i] == ',')) {
    size_t st = ++i;
    int scale = 100;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
      frac_ms += (s[i] - '0') * scale;
      scale /= 10;
      i++;
    }
    if (i == st) return false;
  }
  ms += ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + frac_ms;
  if (i < len) {
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
      i++;
    } else if (s[i] == '+' || s[i] == '-') {
      int oh, om;
      int sign = s[i] == '-' ? -1 : 1;
      i++;
      if (i + 5 == len && s[i + 2] == ':') {
        if (!digits(s + i, 2, &oh) || !digits(s + i + 3, 2, &om)) return false;
      } else if (i + 4 == len) {
        if (!digits(s + i, 2, &oh) || !digits(s + i + 2, 2, &om)) return false;
      } else if (i + 2 == len) {
        if (!digits(s + i, 2, &oh)) return false;
        om = 0;
      } else {
        return false;
      }
      if (oh > 23 || om > 59) return false;
      ms -= sign * ((int64_t)oh * 3600 + om * 60) * 1000;
      i = len;
    } else {
      return false;
    }
  }
  if (i != len) return false;
  *ms_out = ms;
  return true;
}

/*---------------- literals ----------------*/

og_status og_qlit_value(og_arena *a, const og_qlit *l, og_qval *out, og_error *err) {
  memset(out, 0, sizeof *out);
  switch (l->kind) {
    case OG_QL_STRING: out->kind = OG_QV_STRING; out->s = l->s; out->len = l->len; return OG_OK;
    case OG_QL_INT: out->kind = OG_QV_INT; out->i = l->i; return OG_OK;
    case OG_QL_FLOAT: out->kind = OG_QV_FLOAT; out->f = l->f; return OG_OK;
    case OG_QL_BOOL: out->kind = OG_QV_BOOL; out->b = l->b; return OG_OK;
    case OG_QL_DATE:
      out->kind = OG_QV_DATE;
      out->s = l->s;
      out->len = l->len;
      if (!og_qparse_date(l->s, l->len, &out->i))
        return og_err_set_pos(err, OG_EINVAL, l->pos.line, l->pos.col, "invalid Date literal '%s'", l->s);
      return OG_OK;
    case OG_QL_DATETIME:
      out->kind = OG_QV_DATETIME;
      out->s = l->s;
      out->len = l->len;
      if (!og_qparse_datetime(l->s, l->len, &out->i))
        return og_err_set_pos(err, OG_EINVAL, l->pos.line, l->pos.col, "invalid DateTime literal '%s'", l->s);
      return OG_OK;
    case OG_QL_LIST: {
      out->kind = OG_QV_LIST;
      out->n_items = l->n_items;
      out->items = og_arena_zalloc(a, (l->n_items ? l->n_items : 1) * sizeof(og_qval));
      if (!out->items) return og_err_oom(err);
      for (size_t k = 0; k < l->n_items; k++) {
        og_status rc = og_qlit_value(a, &l->items[k], &out->items[k], err);
        if (rc != OG_OK) return rc;
      }
      return OG_OK;
    }
  }
  return OG_OK;
}

og_status og_qvalue_resolve(const og_qvalue *v, const og_qparams *p, og_arena *a, og_qval *out, og_error *err) {
  const og_qval *pv;
  switch (v->kind) {
    case OG_QVAL_LIT: return og_qlit_value(a, &v->lit, out, err);
    case OG_QVAL_VAR:
      if (!(pv = og_qparams_get(p, v->var)))
        return og_err_set_pos(err, OG_EINVAL, v->pos.line, v->pos.col, "parameter '%s' not provided", v->var);
      *out = *pv;
      return OG_OK;
    case OG_QVAL_NOW:
      if (!(pv = og_qparams_get(p, OG_QNOW_PARAM)))
        return og_err_set_pos(err, OG_EINVAL, v->pos.line, v->pos.col, "parameter '%s' not provided", OG_QNOW_PARAM);
      *out = *pv;
      return OG_OK;
  }
  return og_err_set(err, OG_ERROR, "bad value kind");
}

/*---------------- parameter map ----------------*/

static og_status put_param(bind_ctx *c, const char *name, const og_qval *v, bool declared) {
  og_qparams *p = c->p;
  void *slot;
  if (og_map_sget(&p->index, name, &slot)) {
    og_qparam_entry *e = &p->items[(size_t)(uintptr_t)slot - 1];
    e->value = *v;
    e->declared = declared;
    return OG_OK;
  }
  const char *nm = og_arena_strdup(&p->arena, name);
  if (!nm) return og_err_oom(c->err);
  og_qparam_entry e = {nm, *v, declared};
  OG_Q_PUSH(&p->arena, p->items, p->n, p->cap, e, return og_err_oom(c->err));
  if (og_map_sput(&p->index, nm, (void *)(uintptr_t)p->n) != OG_OK) return og_err_oom(c->err);
  return OG_OK;
}

const og_qval *og_qparams_get(const og_qparams *p, const char *name) {
  void *slot;
  if (!p || !og_map_sget(&p->index, name, &slot)) return NULL;
  return &p->items[(size_t)(uintptr_t)slot - 1].value;
}

void og_qparams_free(og_qparams *p) {
  if (!p) return;
  og_map_dispose(&p->index);
  og_arena_dispose(&p->arena);
  og_free(p);
}

og_status og_qparams_set_now(og_qparams *p, uint64_t ms, og_error *err) {
  bind_ctx c = {p, OG_QBIND_STANDARD, err, false, NULL, 0};
  og_qval v;
  memset(&v, 0, sizeof v);
  const og_qval *cur = og_qparams_get(p, OG_QNOW_PARAM);
  if (cur && cur->kind == OG_QV_DATETIME) return OG_OK;
  if (cur && cur->kind == OG_QV_STRING) {
    int64_t t;
    if (og_qparse_datetime(cur->s, cur->len, &t)) {
      v = *cur;
      v.kind = OG_QV_DATETIME;
      v.i = t;
      return put_param(&c, OG_QNOW_PARAM, &v, false);
    }
    return og_err_set(err, OG_EINVAL, "cannot convert parameter '%s' to DateTime: '%s'", OG_QNOW_PARAM, cur->s);
  }
  char txt[32];
  og_time_format_rfc3339(ms, txt);
  v.kind = OG_QV_DATETIME;
  v.i = (int64_t)ms;
  v.s = og_arena_strdup(&p->arena, txt);
  if (!v.s) return og_err_oom(err);
  v.len = strlen(v.s);
  return put_param(&c, OG_QNOW_PARAM, &v, false);
}

/*---------------- JSON conversion ----------------*/

static const char *jtype(const json_t *v) {
  switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
  }
  return "value";
}

static og_status perr(bind_ctx *c, const char *name, const json_t *v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static og_status perr(bind_ctx *c, const char *name, const json_t *v, const char *fmt, ...) {
  char msg[700];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (c->mode == OG_QBIND_JS && v && !strstr(msg, ", got "))
    return og_err_set(c->err, OG_EINVAL, "param '%s': %s, got %s", name, msg, jtype(v));
  return og_err_set(c->err, OG_EINVAL, "param '%s': %s", name, msg);
}

/* Digits of a number too big for i64 (the document was re-read with
 * integers as reals): find the integer token in the source nearest the
 * value, so messages show the exact text. */
static void big_digits(const bind_ctx *c, double v, char *out, size_t cap) {
  snprintf(out, cap, "%.0f", v);
  if (!c->src) return;
  bool in_str = false;
  for (size_t i = 0; i < c->src_len; i++) {
    char ch = c->src[i];
    if (in_str) {
      if (ch == '\\') i++;
      else if (ch == '"') in_str = false;
      continue;
    }
    if (ch == '"') { in_str = true; continue; }
    if ((ch == '-' || (ch >= '0' && ch <= '9')) && (i == 0 || !(c->src[i - 1] >= '0' && c->src[i - 1] <= '9'))) {
      size_t j = i + (ch == '-');
      while (j < c->src_len && c->src[j] >= '0' && c->src[j] <= '9') j++;
      bool integral = !(j < c->src_len && (c->src[j] == '.' || c->src[j] == 'e' || c->src[j] == 'E'));
      if (integral && j - i < 40 && j - i > 18) {
        char tmp[48];
        memcpy(tmp, c->src + i, j - i);
        tmp[j - i] = 0;
        if (strtod(tmp, NULL) == v) {
          snprintf(out, cap, "%s", tmp);
          return;
        }
      }
      i = j - 1;
    }
  }
}

/* Integer view of a JSON number: 0 ok, 1 not integral, 2 beyond i64. */
static int json_int(bind_ctx *c, const json_t *v, int64_t *out, double *big) {
  if (json_is_integer(v)) {
    *out = (int64_t)json_integer_value(v);
    return 0;
  }
  double d = json_real_value(v);
  *big = d;
  bool integral = isfinite(d) && floor(d) == d;
  if (c->ints_as_real && integral) {
    if (d >= 9223372036854775808.0 || d < -9223372036854775808.0) return 2;
    *out = (int64_t)d;
    return 0;
  }
  if (c->mode == OG_QBIND_JS && integral && fabs(d) <= (double)JS_SAFE_MAX) {
    *out = (int64_t)d;
    return 0;
  }
  return 1;
}

static bool parse_int_text(const char *s, bool allow_neg, int64_t *out, bool *over) {
  const char *p = s;
  bool neg = false;
  *over = false;
  if (*p == '-' && allow_neg) { neg = true; p++; }
  else if (*p == '+') p++;
  if (!*p) return false;
  uint64_t v = 0;
  for (; *p; p++) {
    if (*p < '0' || *p > '9') return false;
    unsigned dg = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - dg) / 10) { *over = true; return false; }
    v = v * 10 + dg;
  }
  if (neg) {
    if (v > (uint64_t)INT64_MAX + 1) { *over = true; return false; }
    *out = (int64_t)(0 - v);
  } else {
    if (v > (uint64_t)INT64_MAX) { *over = true; return false; }
    *out = (int64_t)v;
  }
  return true;
}

static og_status conv_scalar(bind_ctx *c, const char *name, const og_qtype *t, const json_t *v, og_qval *out);

static og_status copy_str(bind_ctx *c, const json_t *v, og_qval *out) {
  size_t n = json_string_length(v);
  char *s = og_arena_memdup(&c->p->arena, json_string_value(v), n + 1);
  if (!s) return og_err_oom(c->err);
  out->s = s;
  out->len = n;
  return OG_OK;
}

static og_status conv_int(bind_ctx *c, const char *name, og_qscalar sc, const json_t *v, og_qval *out) {
  bool uns = sc == OG_QS_U32 || sc == OG_QS_U64;
  const char *u = uns ? "unsigned " : "";
  int64_t iv = 0;
  double big = 0;
  char dg[64];
  out->kind = OG_QV_INT;
  if (json_is_number(v)) {
    int r = json_int(c, v, &iv, &big);
    if (r == 2) {
      big_digits(c, big, dg, sizeof dg);
      if (sc == OG_QS_U64 && big > 0)
        return perr(c, name, NULL, "value %s exceeds current engine range for U64 (max 9223372036854775807)", dg);
      if (sc == OG_QS_U32 && big > 0) return perr(c, name, NULL, "value %s exceeds U32", dg);
      if (sc == OG_QS_I32) return perr(c, name, NULL, "value %s exceeds I32", dg);
      return perr(c, name, v, "value %s exceeds %s", dg, og_qscalar_name(sc));
    }
    if (r == 1) return perr(c, name, v, "expected %sinteger number", u);
    if (c->mode == OG_QBIND_JS && (iv > JS_SAFE_MAX || iv < -JS_SAFE_MAX))
      return og_err_set(c->err, OG_EINVAL,
                        "param '%s': integer %lld exceeds JS safe integer range; pass a decimal string for exact values",
                        name, (long long)iv);
  } else if (json_is_string(v)) {
    bool over;
    const char *s = json_string_value(v);
    if (!parse_int_text(s, !uns, &iv, &over)) {
      if (over && uns && s[0] != '-')
        return perr(c, name, NULL, sc == OG_QS_U64 ? "value %s exceeds current engine range for U64 (max 9223372036854775807)"
                                                   : "value %s exceeds U32",
                    s);
      if (over && sc == OG_QS_I32) return perr(c, name, NULL, "value %s exceeds I32", s);
      return perr(c, name, NULL, "expected %sinteger string, got '%s'", u, s);
    }
  } else {
    return perr(c, name, v, "expected %sinteger", u);
  }
  if (uns && iv < 0) return perr(c, name, v, "expected unsigned integer number");
  if (sc == OG_QS_I32 && (iv > INT32_MAX || iv < INT32_MIN))
    return perr(c, name, NULL, "value %lld exceeds I32", (long long)iv);
  if (sc == OG_QS_U32 && iv > (int64_t)UINT32_MAX) return perr(c, name, NULL, "value %lld exceeds U32", (long long)iv);
  out->i = iv;
  return OG_OK;
}

static og_status conv_scalar(bind_ctx *c, const char *name, const og_qtype *t, const json_t *v, og_qval *out) {
  memset(out, 0, sizeof *out);
  switch (t->scalar) {
    case OG_QS_STRING:
      if (!json_is_string(v)) return perr(c, name, NULL, "expected string, got %s", jtype(v));
      out->kind = OG_QV_STRING;
      return copy_str(c, v, out);
    case OG_QS_BLOB:
      if (!json_is_string(v)) return perr(c, name, NULL, "expected blob URI string, got %s", jtype(v));
      out->kind = OG_QV_STRING;
      return copy_str(c, v, out);
    case OG_QS_I32:
    case OG_QS_I64:
    case OG_QS_U32:
    case OG_QS_U64: return conv_int(c, name, t->scalar, v, out);
    case OG_QS_F32:
    case OG_QS_F64:
      if (!json_is_number(v)) return perr(c, name, v, "expected float");
      out->kind = OG_QV_FLOAT;
      out->f = json_number_value(v);
      return OG_OK;
    case OG_QS_BOOL:
      if (!json_is_boolean(v)) return perr(c, name, v, "expected boolean");
      out->kind = OG_QV_BOOL;
      out->b = json_is_true(v);
      return OG_OK;
    case OG_QS_DATE:
    case OG_QS_DATETIME: {
      bool date = t->scalar == OG_QS_DATE;
      if (!json_is_string(v)) return perr(c, name, v, date ? "expected date string" : "expected datetime string");
      out->kind = date ? OG_QV_DATE : OG_QV_DATETIME;
      og_status rc = copy_str(c, v, out);
      if (rc != OG_OK) return rc;
      bool ok = date ? og_qparse_date(out->s, out->len, &out->i) : og_qparse_datetime(out->s, out->len, &out->i);
      if (!ok) return perr(c, name, NULL, "invalid %s literal '%s'", date ? "Date" : "DateTime", out->s);
      return OG_OK;
    }
    case OG_QS_VECTOR: {
      if (!json_is_array(v)) return perr(c, name, NULL, "expected array for Vector(%u)", t->dim);
      size_t n = json_array_size(v);
      if (n != t->dim) return perr(c, name, NULL, "expected %u values for Vector(%u), got %zu", t->dim, t->dim, n);
      out->kind = OG_QV_LIST;
      out->n_items = n;
      out->items = og_arena_zalloc(&c->p->arena, (n ? n : 1) * sizeof(og_qval));
      if (!out->items) return og_err_oom(c->err);
      for (size_t k = 0; k < n; k++) {
        const json_t *it = json_array_get(v, k);
        if (!json_is_number(it)) return perr(c, name, NULL, "vector element is not numeric");
        out->items[k].kind = OG_QV_FLOAT;
        out->items[k].f = json_number_value(it);
      }
      return OG_OK;
    }
  }
  return OG_OK;
}

static og_status conv_declared(bind_ctx *c, const og_qparam *p, const json_t *v, og_qval *out) {
  memset(out, 0, sizeof *out);
  if (!p->type.list) return conv_scalar(c, p->name, &p->type, v, out);
  if (!json_is_array(v)) return perr(c, p->name, NULL, "expected array for %s", p->type_text);
  size_t n = json_array_size(v);
  og_qtype et = p->type;
  et.list = false;
  out->kind = OG_QV_LIST;
  out->n_items = n;
  out->items = og_arena_zalloc(&c->p->arena, (n ? n : 1) * sizeof(og_qval));
  if (!out->items) return og_err_oom(c->err);
  for (size_t k = 0; k < n; k++) {
    og_status rc = conv_scalar(c, p->name, &et, json_array_get(v, k), &out->items[k]);
    if (rc != OG_OK) return rc;
  }
  return OG_OK;
}

static og_status infer(bind_ctx *c, const char *name, const json_t *v, og_qval *out) {
  memset(out, 0, sizeof *out);
  switch (json_typeof(v)) {
    case JSON_NULL: out->kind = OG_QV_NULL; return OG_OK;
    case JSON_TRUE:
    case JSON_FALSE: out->kind = OG_QV_BOOL; out->b = json_is_true(v); return OG_OK;
    case JSON_STRING: out->kind = OG_QV_STRING; return copy_str(c, v, out);
    case JSON_INTEGER: out->kind = OG_QV_INT; out->i = (int64_t)json_integer_value(v); return OG_OK;
    case JSON_REAL: {
      double d = json_real_value(v);
      if (c->ints_as_real && floor(d) == d && fabs(d) < 9223372036854775808.0) {
        out->kind = OG_QV_INT;
        out->i = (int64_t)d;
      } else {
        out->kind = OG_QV_FLOAT;
        out->f = d;
      }
      return OG_OK;
    }
    case JSON_ARRAY: {
      size_t n = json_array_size(v);
      out->kind = OG_QV_LIST;
      out->n_items = n;
      out->items = og_arena_zalloc(&c->p->arena, (n ? n : 1) * sizeof(og_qval));
      if (!out->items) return og_err_oom(c->err);
      for (size_t k = 0; k < n; k++) {
        og_status rc = infer(c, name, json_array_get(v, k), &out->items[k]);
        if (rc != OG_OK) return rc;
      }
      return OG_OK;
    }
    case JSON_OBJECT: return og_err_set(c->err, OG_EINVAL, "param '%s': object is not supported", name);
  }
  return OG_OK;
}

static const og_qparam *find_decl(const og_qdecl *d, const char *name) {
  for (size_t k = 0; k < d->n_params; k++)
    if (strcmp(d->params[k].name, name) == 0) return &d->params[k];
  return NULL;
}

static og_status bind_obj(bind_ctx *c, const og_qdecl *d, const json_t *obj) {
  og_status rc;
  og_qval nullv;
  memset(&nullv, 0, sizeof nullv);
  if (obj && !json_is_null(obj)) {
    if (!json_is_object(obj)) {
      if (c->mode == OG_QBIND_JS)
        return og_err_set(c->err, OG_EINVAL, "params must be an object, got %s", jtype(obj));
      return og_err_set(c->err, OG_EINVAL, "params must be a JSON object");
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) {
      const og_qparam *p = find_decl(d, key);
      og_qval v;
      if (p) {
        if (json_is_null(val)) {
          if (!p->type.nullable)
            return og_err_set(c->err, OG_EINVAL, "param '%s': null is not accepted for non-nullable parameter", key);
          v = nullv;
        } else if ((rc = conv_declared(c, p, val, &v)) != OG_OK) {
          return rc;
        }
      } else if ((rc = infer(c, key, val, &v)) != OG_OK) {
        return rc;
      }
      if ((rc = put_param(c, key, &v, p != NULL)) != OG_OK) return rc;
    }
  }
  for (size_t k = 0; k < d->n_params; k++) {
    const og_qparam *p = &d->params[k];
    if (og_qparams_get(c->p, p->name)) continue;
    if (!p->type.nullable)
      return og_err_set_pos(c->err, OG_EINVAL, p->pos.line, p->pos.col, "parameter '%s' not provided", p->name);
    if ((rc = put_param(c, p->name, &nullv, true)) != OG_OK) return rc;
  }
  return OG_OK;
}

static og_status bind_common(const og_qdecl *d, const json_t *obj, bind_ctx *c, og_qparams **out) {
  og_status rc = bind_obj(c, d, obj);
  if (rc != OG_OK) {
    og_qparams_free(c->p);
    return rc;
  }
  *out = c->p;
  return OG_OK;
}

static og_qparams *new_params(void) {
  og_qparams *p = og_calloc(1, sizeof *p);
  if (p) og_arena_init(&p->arena, 0);
  return p;
}

og_status og_qparams_bind_json(const og_qdecl *d, const struct json_t *obj, og_qbind_mode mode, og_qparams **out,
                               og_error *err) {
  *out = NULL;
  bind_ctx c = {new_params(), mode, err, false, NULL, 0};
  if (!c.p) return og_err_oom(err);
  return bind_common(d, obj, &c, out);
}

og_status og_qparams_bind(const og_qdecl *d, const char *json, size_t len, og_qbind_mode mode, og_qparams **out,
                          og_error *err) {
  *out = NULL;
  bind_ctx c = {NULL, mode, err, false, json, len};
  json_t *root = NULL;
  og_status rc;
  bool blank = true;
  for (size_t k = 0; json && k < len; k++)
    if (json[k] != ' ' && json[k] != '\t' && json[k] != '\r' && json[k] != '\n') { blank = false; break; }
  if (!blank) {
    json_error_t je;
    root = json_loadb(json, len, JSON_DECODE_ANY, &je);
    if (!root && strstr(je.text, "too big")) {
      /* an integer beyond i64: re-read with integers as reals so the
       * converter can name the value and the parameter */
      c.ints_as_real = true;
      root = json_loadb(json, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &je);
    }
    if (!root) return og_err_set(err, OG_EINVAL, "params must be valid JSON: %s (line %d, column %d)", je.text,
                                 je.line, je.column);
  }
  if (!(c.p = new_params())) {
    json_decref(root);
    return og_err_oom(err);
  }
  rc = bind_common(d, root, &c, out);
  json_decref(root);
  return rc;
}
