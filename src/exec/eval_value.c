/* Executor values: comparison, copying, JSON and text renderings. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/read.h"

/*==================== comparison ====================*/

static bool is_num(og_xkind k) { return k == OG_XV_INT || k == OG_XV_UINT || k == OG_XV_FLOAT; }
static bool is_time(og_xkind k) { return k == OG_XV_DATE || k == OG_XV_DATETIME; }

/* Exact int/uint/float comparison (a 64-bit integer and a double compare by
 * value, not after truncating either side). */
static int num_cmp(const og_xval *a, const og_xval *b) {
  if (a->kind == OG_XV_FLOAT || b->kind == OG_XV_FLOAT) {
    if (a->kind == OG_XV_FLOAT && b->kind == OG_XV_FLOAT) {
      double x = a->v.f, y = b->v.f;
      if (a->f32 != b->f32) { /* F32 column vs a double: compare at f32 precision */
        if (a->f32) y = (double)(float)y;
        else x = (double)(float)x;
      }
      return x < y ? -1 : x > y ? 1 : 0;
    }
    /* one integer, one float */
    bool flip = a->kind == OG_XV_FLOAT;
    const og_xval *iv = flip ? b : a;
    double f = flip ? a->v.f : b->v.f;
    int r;
    if (isnan(f)) r = -1;
    else if (f >= 18446744073709551616.0) r = -1;
    else if (f < -9223372036854775808.0) r = 1;
    else {
      double fl = floor(f);
      if (iv->kind == OG_XV_UINT) {
        if (fl < 0) r = 1;
        else {
          uint64_t u = (uint64_t)fl;
          r = iv->v.u < u ? -1 : iv->v.u > u ? 1 : (f > fl ? -1 : 0);
        }
      } else {
        if (fl >= 9223372036854775808.0) r = -1;
        else {
          int64_t i = (int64_t)fl;
          r = iv->v.i < i ? -1 : iv->v.i > i ? 1 : (f > fl ? -1 : 0);
        }
      }
    }
    return flip ? -r : r;
  }
  if (a->kind == OG_XV_INT && b->kind == OG_XV_INT) return a->v.i < b->v.i ? -1 : a->v.i > b->v.i;
  if (a->kind == OG_XV_UINT && b->kind == OG_XV_UINT) return a->v.u < b->v.u ? -1 : a->v.u > b->v.u;
  if (a->kind == OG_XV_INT) return a->v.i < 0 ? -1 : ((uint64_t)a->v.i < b->v.u ? -1 : (uint64_t)a->v.i > b->v.u);
  return b->v.i < 0 ? 1 : (a->v.u < (uint64_t)b->v.i ? -1 : a->v.u > (uint64_t)b->v.i);
}

static int64_t time_ms(const og_xval *v) { return v->kind == OG_XV_DATE ? v->v.i * 86400000 : v->v.i; }

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn) {
  size_t n = an < bn ? an : bn;
  int c = n ? memcmp(a, b, n) : 0;
  if (c) return c < 0 ? -1 : 1;
  return an < bn ? -1 : an > bn;
}

bool og_xval_cmp(const og_xval *a, const og_xval *b, int *out) {
  if (a->kind == OG_XV_NULL || b->kind == OG_XV_NULL) return false;
  if (is_num(a->kind) && is_num(b->kind)) {
    if ((a->kind == OG_XV_FLOAT && isnan(a->v.f)) || (b->kind == OG_XV_FLOAT && isnan(b->v.f))) return false;
    *out = num_cmp(a, b);
    return true;
  }
  if (is_time(a->kind) && is_time(b->kind)) {
    int64_t x = time_ms(a), y = time_ms(b);
    *out = x < y ? -1 : x > y;
    return true;
  }
  /* a Date/DateTime against its text form (params declared String) */
  if (is_time(a->kind) && b->kind == OG_XV_STRING) {
    int64_t t;
    og_xval tv = {.kind = OG_XV_DATETIME};
    if (og_qparse_date(b->v.s.p, b->v.s.n, &t)) tv.v.i = t * 86400000;
    else if (og_qparse_datetime(b->v.s.p, b->v.s.n, &t)) tv.v.i = t;
    else return false;
    return og_xval_cmp(a, &tv, out);
  }
  if (a->kind == OG_XV_STRING && is_time(b->kind)) {
    if (!og_xval_cmp(b, a, out)) return false;
    *out = -*out;
    return true;
  }
  if (a->kind == OG_XV_STRING && b->kind == OG_XV_STRING) {
    *out = bytes_cmp(a->v.s.p, a->v.s.n, b->v.s.p, b->v.s.n);
    return true;
  }
  if (a->kind == OG_XV_BOOL && b->kind == OG_XV_BOOL) {
    *out = (int)a->v.b - (int)b->v.b;
    return true;
  }
  if (a->kind == OG_XV_LIST && b->kind == OG_XV_LIST) {
    size_t n = a->v.l.n < b->v.l.n ? a->v.l.n : b->v.l.n;
    for (size_t i = 0; i < n; i++) {
      int c;
      if (!og_xval_cmp(&a->v.l.items[i], &b->v.l.items[i], &c)) return false;
      if (c) {
        *out = c;
        return true;
      }
    }
    *out = a->v.l.n < b->v.l.n ? -1 : a->v.l.n > b->v.l.n;
    return true;
  }
  return false;
}

int og_xval_order(const og_xval *a, const og_xval *b) {
  if (a->kind == OG_XV_NULL || b->kind == OG_XV_NULL)
    return (b->kind == OG_XV_NULL) - (a->kind == OG_XV_NULL);
  int c;
  if (og_xval_cmp(a, b, &c)) return c;
  if (a->kind == OG_XV_FLOAT && isnan(a->v.f)) return (b->kind == OG_XV_FLOAT && isnan(b->v.f)) ? 0 : 1;
  if (b->kind == OG_XV_FLOAT && isnan(b->v.f)) return -1;
  return a->kind < b->kind ? -1 : a->kind > b->kind;
}

og_status og_xval_copy(og_arena *a, const og_xval *in, og_xval *out) {
  *out = *in;
  if (in->kind == OG_XV_STRING) {
    char *p = og_arena_alloc(a, in->v.s.n + 1);
    if (!p) return OG_ENOMEM;
    if (in->v.s.n) memcpy(p, in->v.s.p, in->v.s.n);
    p[in->v.s.n] = '\0';
    out->v.s.p = p;
  } else if (in->kind == OG_XV_LIST) {
    og_xval *items = og_arena_alloc(a, (in->v.l.n ? in->v.l.n : 1) * sizeof *items);
    if (!items) return OG_ENOMEM;
    for (size_t i = 0; i < in->v.l.n; i++)
      if (og_xval_copy(a, &in->v.l.items[i], &items[i])) return OG_ENOMEM;
    out->v.l.items = items;
  }
  return OG_OK;
}

/*==================== formatting ====================*/

/* Digits and decimal exponent of the shortest representation that reads
 * back as `d` (d finite, > 0). */
static void shortest_digits(double d, char digits[24], int *exp10) {
  char tmp[40];
  for (int p = 0; p <= 17; p++) {
    snprintf(tmp, sizeof tmp, "%.*e", p, d);
    if (p == 17 || strtod(tmp, NULL) == d) break;
  }
  /* tmp = D.DDDDe±XX */
  int n = 0;
  const char *s = tmp;
  for (; *s && *s != 'e'; s++)
    if (*s >= '0' && *s <= '9') digits[n++] = *s;
  digits[n] = '\0';
  int e = atoi(s + 1);
  while (n > 1 && digits[n - 1] == '0') digits[--n] = '\0';
  *exp10 = e; /* value = 0.D1D2... × 10^(e+1) */
}

void og_fmt_f64(double d, char out[40]) {
  if (isnan(d)) {
    strcpy(out, "NaN");
    return;
  }
  if (isinf(d)) {
    strcpy(out, d < 0 ? "-inf" : "inf");
    return;
  }
  char *o = out;
  if (signbit(d)) {
    *o++ = '-';
    d = -d;
  }
  if (d == 0) {
    strcpy(o, "0.0");
    return;
  }
  char dg[24];
  int e;
  shortest_digits(d, dg, &e);
  int n = (int)strlen(dg);
  int k = e - n + 1; /* value = dg × 10^k */
  int kk = n + k;    /* position of the decimal point */
  if (k >= 0 && kk <= 16) {
    memcpy(o, dg, (size_t)n);
    o += n;
    for (int i = 0; i < k; i++) *o++ = '0';
    strcpy(o, ".0");
  } else if (kk > 0 && kk <= 16) {
    memcpy(o, dg, (size_t)kk);
    o += kk;
    *o++ = '.';
    memcpy(o, dg + kk, (size_t)(n - kk));
    o[n - kk] = '\0';
  } else if (kk > -5 && kk <= 0) {
    *o++ = '0';
    *o++ = '.';
    for (int i = 0; i < -kk; i++) *o++ = '0';
    memcpy(o, dg, (size_t)n);
    o[n] = '\0';
  } else if (n == 1) {
    sprintf(o, "%ce%d", dg[0], kk - 1);
  } else {
    sprintf(o, "%c.%se%d", dg[0], dg + 1, kk - 1);
  }
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = (int64_t)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

void og_fmt_date(int64_t days, char out[32]) {
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, 32, "%04lld-%02u-%02u", (long long)y, m, d);
}

static void split_ms(int64_t ms, int64_t *days, int *h, int *mi, int *s, int *milli) {
  int64_t dd = ms >= 0 ? ms / 86400000 : -((-ms + 86400000 - 1) / 86400000);
  int64_t rem = ms - dd * 86400000;
  *days = dd;
  *h = (int)(rem / 3600000);
  *mi = (int)(rem / 60000 % 60);
  *s = (int)(rem / 1000 % 60);
  *milli = (int)(rem % 1000);
}

void og_fmt_datetime(int64_t ms, char out[40]) {
  int64_t days;
  int h, mi, s, milli;
  split_ms(ms, &days, &h, &mi, &s, &milli);
  char date[32];
  og_fmt_date(days, date);
  snprintf(out, 40, "%s"
           "T%02d:%02d:%02d.%03dZ", date, h, mi, s, milli);
}

og_status og_xval_json(og_buf *b, const og_xval *v) {
  char tmp[48];
  switch (v->kind) {
    case OG_XV_NULL: return og_buf_puts(b, "null");
    case OG_XV_BOOL: return og_buf_puts(b, v->v.b ? "true" : "false");
    case OG_XV_INT: return og_buf_printf(b, "%lld", (long long)v->v.i);
    case OG_XV_UINT: return og_buf_printf(b, "%llu", (unsigned long long)v->v.u);
    case OG_XV_FLOAT:
      if (isnan(v->v.f)) return og_buf_puts(b, "\"NaN\"");
      if (isinf(v->v.f)) return og_buf_puts(b, v->v.f < 0 ? "\"-Infinity\"" : "\"Infinity\"");
      og_fmt_f64(v->v.f, tmp);
      return og_buf_puts(b, tmp);
    case OG_XV_STRING: return og_buf_put_json_str(b, v->v.s.p, v->v.s.n);
    case OG_XV_DATE:
      og_fmt_date(v->v.i, tmp);
      return og_buf_printf(b, "\"%s\"", tmp);
    case OG_XV_DATETIME:
      og_fmt_datetime(v->v.i, tmp);
      return og_buf_printf(b, "\"%s\"", tmp);
    case OG_XV_LIST: {
      og_status rc = og_buf_putc(b, '[');
      for (size_t i = 0; i < v->v.l.n && !rc; i++) {
        if (i) rc = og_buf_putc(b, ',');
        if (!rc) rc = og_xval_json(b, &v->v.l.items[i]);
      }
      return rc ? rc : og_buf_putc(b, ']');
    }
  }
  return OG_OK;
}

og_status og_xval_text(og_buf *b, const og_xval *v) {
  char tmp[48];
  switch (v->kind) {
    case OG_XV_STRING: return og_buf_put(b, v->v.s.p, v->v.s.n);
    case OG_XV_DATE: og_fmt_date(v->v.i, tmp); return og_buf_puts(b, tmp);
    case OG_XV_DATETIME: og_fmt_datetime(v->v.i, tmp); return og_buf_puts(b, tmp);
    case OG_XV_FLOAT:
      if (isnan(v->v.f)) return og_buf_puts(b, "NaN");
      if (isinf(v->v.f)) return og_buf_puts(b, v->v.f < 0 ? "-Infinity" : "Infinity");
      return og_xval_json(b, v);
    default: return og_xval_json(b, v);
  }
}
