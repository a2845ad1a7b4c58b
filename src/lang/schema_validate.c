/*
 * schema_validate.c — write-time value conversion and validators (§2.9),
 * and the @check regex dialect bridge.
 *
 * Regex dialect: patterns are written in Rust `regex` syntax and searched
 * unanchored. We compile them with POSIX regcomp(REG_EXTENDED | REG_NOSUB)
 * after a small translation: \d \D \w \W \s \S become bracket classes (also
 * inside [...]), (?: becomes (, a leading (?i) sets REG_ICASE, and lazy
 * quantifiers (*? +? ?? {n,m}?) lose the `?` (match/no-match is the same).
 * Not supported (compile error at write time): \p{..} Unicode classes,
 * look-around, backreferences differ (POSIX ERE has none).
 */
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/schema_int.h"

/*==================== regex ====================*/

void og_sch_free_regex(void *re) {
  if (!re) return;
  regfree(re);
  og_free(re);
}

/* Translate Rust-regex text to POSIX ERE; returns false (with *why) for
 * constructs we cannot express. */
static bool rx_translate(const char *src, og_buf *out, int *flags, const char **why) {
  const char *s = src;
  bool in_br = false, last_quant = false, lazy = false;
  int depth = 0;
  unsigned long product = 1;
  if (strlen(src) > 2048) {
    *why = "pattern longer than 2048 bytes";
    return false;
  }
  if (strncmp(s, "(?i)", 4) == 0) {
    *flags |= REG_ICASE;
    s += 4;
  }
  for (; *s; s++) {
    char c = *s;
    if (c == '\\' && s[1]) {
      char e = *++s;
      last_quant = false;
      const char *cls = NULL, *inner = NULL;
      switch (e) {
        case 'd': cls = "[0-9]"; inner = "0-9"; break;
        case 'D': cls = "[^0-9]"; break;
        case 'w': cls = "[A-Za-z0-9_]"; inner = "A-Za-z0-9_"; break;
        case 'W': cls = "[^A-Za-z0-9_]"; break;
        case 's': cls = "[[:space:]]"; inner = "[:space:]"; break;
        case 'S': cls = "[^[:space:]]"; break;
        case 'n': og_buf_putc(out, '\n'); continue;
        case 't': og_buf_putc(out, '\t'); continue;
        case 'r': og_buf_putc(out, '\r'); continue;
        case 'p': case 'P': *why = "Unicode classes (\\p) are not supported"; return false;
        default: break;
      }
      if (in_br) {
        if (inner) og_buf_puts(out, inner);
        else if (cls) { *why = "negated classes inside [...] are not supported"; return false; }
        else if (e == '\\') og_buf_puts(out, "\\");
        else og_buf_putc(out, e); /* escaped punctuation is literal inside brackets */
        continue;
      }
      if (cls) og_buf_puts(out, cls);
      else {
        og_buf_putc(out, '\\');
        og_buf_putc(out, e);
      }
      continue;
    }
    if (in_br) {
      og_buf_putc(out, c);
      if (c == ']') in_br = false;
      continue;
    }
    if (c == '[') {
      in_br = true;
      last_quant = false;
      og_buf_putc(out, c);
      /* a leading ^ and/or ] belong to the set */
      if (s[1] == '^') og_buf_putc(out, *++s);
      if (s[1] == ']') og_buf_putc(out, *++s);
      continue;
    }
    if (c == '(' && s[1] == '?') {
      if (s[2] == ':') {
        if (++depth > 16) {
          *why = "regex too complex (groups nested deeper than 16)";
          return false;
        }
        og_buf_putc(out, '(');
        s += 2;
        last_quant = false;
        continue;
      }
      *why = "group flags and look-around are not supported";
      return false;
    }
    if (c == '*' || c == '+' || c == '?' || c == '{') {
      char bound[32];
      size_t bl = 0;
      if (c == '{') {
        /* {n} {n,} {n,m}; anything else is a literal brace */
        const char *q = s + 1;
        unsigned long lo = 0, hi = 0;
        bool digits = false, comma = false, hi_digits = false;
        while (*q >= '0' && *q <= '9') lo = lo * 10 + (unsigned long)(*q++ - '0'), digits = true;
        if (*q == ',') {
          comma = true;
          q++;
          while (*q >= '0' && *q <= '9') hi = hi * 10 + (unsigned long)(*q++ - '0'), hi_digits = true;
        }
        if (!digits || *q != '}' || q - s > 20) {
          og_buf_puts(out, "\\{");
          last_quant = false;
          continue;
        }
        if (!comma || !hi_digits) hi = lo;
        if (lo > 1000 || hi > 1000) {
          *why = "repetition bound exceeds 1000";
          return false;
        }
        if (comma && hi_digits && hi < lo) {
          *why = "invalid repetition bounds (min > max)";
          return false;
        }
        product *= hi > 1 ? hi : 1;
        bl = (size_t)(q - s + 1);
        memcpy(bound, s, bl);
        s = q;
      }
      if (last_quant) {
        if (c == '?' && !lazy) {
          lazy = true; /* lazy marker: the match set is the same */
          continue;
        }
        *why = "repetition operator applied to a repetition";
        return false;
      }
      if (product > 100000) {
        *why = "regex too complex (repetition budget exceeded)";
        return false;
      }
      last_quant = true;
      lazy = false;
      if (bl) og_buf_put(out, bound, bl);
      else og_buf_putc(out, c);
      continue;
    }
    last_quant = false;
    if (c == '(' && ++depth > 16) {
      *why = "regex too complex (groups nested deeper than 16)";
      return false;
    }
    if (c == ')' && depth > 0) depth--;
    og_buf_putc(out, c);
  }
  return true;
}

og_status og_sch_compile_check(og_sch_mem *mem, og_constraint *c, og_error *err) {
  og_buf b = OG_BUF_INIT;
  int flags = REG_EXTENDED | REG_NOSUB;
  const char *why = NULL;
  og_status rc = OG_OK;
  regex_t *re = NULL;
  if (!rx_translate(c->pattern, &b, &flags, &why)) {
    c->regex_error = og_arena_strdup(&mem->arena, why);
    goto cleanup;
  }
  if (b.oom) goto oom;
  if (!(re = og_malloc(sizeof(*re)))) goto oom;
  int r = regcomp(re, b.ptr ? b.ptr : "", flags);
  if (r != 0) {
    char msg[256];
    regerror(r, re, msg, sizeof(msg));
    og_free(re);
    re = NULL;
    c->regex_error = og_arena_strdup(&mem->arena, msg);
    goto cleanup;
  }
  if (og_array_reserve((void **)&mem->regexes, &mem->cap_regexes, mem->n_regexes + 1, sizeof(void *))) {
    og_sch_free_regex(re);
    goto oom;
  }
  mem->regexes[mem->n_regexes++] = re;
  c->regex = re;
  goto cleanup;
oom:
  rc = og_err_oom(err);
cleanup:
  og_buf_dispose(&b);
  return rc;
}

/*==================== value text ====================*/

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = (int64_t)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)(yy + (*m <= 2));
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

/* Rust f64 Display: integral values print without ".0". */
static void num_display(double v, char *out, size_t cap) {
  og_sch_fmt_f64(v, out, cap);
  size_t n = strlen(out);
  if (n > 2 && strcmp(out + n - 2, ".0") == 0) out[n - 2] = '\0';
}

og_status og_value_text(const og_value *v, og_buf *out) {
  char tmp[64];
  switch (v->kind) {
    case OG_V_NULL: og_buf_puts(out, "null"); break;
    case OG_V_BOOL: og_buf_puts(out, v->u.b ? "true" : "false"); break;
    case OG_V_INT: og_buf_printf(out, "%lld", (long long)v->u.i); break;
    case OG_V_UINT: og_buf_printf(out, "%llu", (unsigned long long)v->u.u); break;
    case OG_V_FLOAT: num_display(v->u.f, tmp, sizeof(tmp)); og_buf_puts(out, tmp); break;
    case OG_V_STRING:
    case OG_V_BLOB: og_buf_put(out, v->u.s.ptr, v->u.s.len); break;
    case OG_V_DATE: {
      int y;
      unsigned m, d;
      civil_from_days(v->u.days, &y, &m, &d);
      og_buf_printf(out, "%04d-%02u-%02u", y, m, d);
      break;
    }
    case OG_V_DATETIME: {
      int64_t ms = v->u.ms;
      int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
      int64_t rem = ms - days * 86400000;
      int y;
      unsigned m, d;
      civil_from_days(days, &y, &m, &d);
      og_buf_printf(out, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, (int)(rem / 3600000),
                    (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
      break;
    }
    case OG_V_VECTOR:
      og_buf_putc(out, '[');
      for (uint32_t i = 0; i < v->u.vec.dim; i++) {
        og_sch_fmt_f64(v->u.vec.v[i], tmp, sizeof(tmp));
        og_buf_printf(out, "%s%s", i ? ", " : "", tmp);
      }
      og_buf_putc(out, ']');
      break;
    case OG_V_LIST:
      og_buf_putc(out, '[');
      for (size_t i = 0; i < v->u.list.n; i++) {
        if (i) og_buf_puts(out, ", ");
        og_value_text(&v->u.list.items[i], out);
      }
      og_buf_putc(out, ']');
      break;
  }
  return out->oom ? OG_ENOMEM : OG_OK;
}

/*==================== conversion ====================*/

static const char *vkind_name(og_vkind k) {
  static const char *const n[] = {"null", "bool", "integer", "integer", "number", "string",
                                  "date", "datetime", "blob", "vector", "list"};
  return n[k];
}

static og_status conv_err(og_error *err, const og_type *t, const og_prop *p, const og_value *in,
                          const char *why) {
  char disp[256];
  og_proptype_display(&p->type, disp, sizeof(disp));
  if (why)
    return og_err_set(err, OG_EINVAL, "invalid value for %s.%s (%s): %s", t->name, p->name, disp, why);
  return og_err_set(err, OG_EINVAL, "invalid value for %s.%s: expected %s, got %s", t->name, p->name, disp,
                    vkind_name(in->kind));
}

/* 1-2 digits at s[*i]; -1 when none. */
static int small_num(const char *s, size_t n, size_t *i) {
  int v = 0, k = 0;
  while (*i < n && k < 2 && s[*i] >= '0' && s[*i] <= '9') v = v * 10 + (s[(*i)++] - '0'), k++;
  return k ? v : -1;
}

/* [+-]YYYY-M-D (4-6 year digits, 1-2 month/day digits) or compact YYYYMMDD. */
static bool parse_date(const char *s, size_t n, int64_t *days, size_t *used) {
  size_t i = 0;
  int sign = 1;
  if (i < n && (s[i] == '-' || s[i] == '+')) sign = s[i++] == '-' ? -1 : 1;
  size_t ds = i;
  while (i < n && s[i] >= '0' && s[i] <= '9' && i - ds < 9) i++;
  size_t nd = i - ds;
  int64_t y = 0;
  int m, d;
  if (nd == 8 && sign == 1 && ds == 0) {
    for (size_t k = 0; k < 4; k++) y = y * 10 + (s[k] - '0');
    m = (s[4] - '0') * 10 + (s[5] - '0');
    d = (s[6] - '0') * 10 + (s[7] - '0');
  } else {
    if (nd < 4 || nd > 6) return false;
    for (size_t k = ds; k < i; k++) y = y * 10 + (s[k] - '0');
    if (i >= n || s[i++] != '-') return false;
    if ((m = small_num(s, n, &i)) < 0) return false;
    if (i >= n || s[i++] != '-') return false;
    if ((d = small_num(s, n, &i)) < 0) return false;
  }
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return false;
  y *= sign;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return false;
  *days = days_from_civil(y, (unsigned)m, (unsigned)d);
  *used = i;
  return true;
}

static int two(const char *s) {
  if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return -1;
  return (s[0] - '0') * 10 + (s[1] - '0');
}

static bool parse_datetime(const char *s, size_t n, int64_t *ms) {
  int64_t days;
  size_t i;
  if (!parse_date(s, n, &days, &i)) return false;
  int64_t t = days * 86400000;
  if (i == n) {
    *ms = t;
    return true;
  }
  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
  i++;
  if (i + 5 > n) return false;
  int hh = two(s + i), mi = two(s + i + 3), ss = 0;
  if (hh < 0 || hh > 23 || s[i + 2] != ':' || mi < 0 || mi > 59) return false;
  i += 5;
  if (i < n && s[i] == ':') {
    if (i + 3 > n || (ss = two(s + i + 1)) < 0 || ss > 60) return false;
    i += 3;
  }
  int frac = 0;
  if (i < n && (s[i] == '.' || s[i] == ',')) {
    i++;
    int digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      if (digits < 3) frac = frac * 10 + (s[i] - '0');
      digits++;
      i++;
    }
    if (!digits) return false;
    for (; digits < 3; digits++) frac *= 10;
  }
  t += ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + frac;
  if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
    i++;
  } else if (i < n && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    if (i + 3 > n) return false;
    int oh = two(s + i + 1), om = 0;
    i += 3;
    if (i < n && s[i] == ':') i++;
    if (i + 2 <= n) {
      om = two(s + i);
      i += 2;
    }
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return false;
    t -= sign * ((int64_t)oh * 60 + om) * 60000;
  }
  if (i != n) return false;
  *ms = t;
  return true;
}

static int b64v(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

static bool b64_decode(og_arena *a, const char *s, size_t n, const char **out, size_t *olen) {
  char *o = og_arena_alloc(a, n * 3 / 4 + 3);
  if (!o) return false;
  size_t k = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '=') break;
    int v = b64v((unsigned char)s[i]);
    if (v < 0) return false;
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      o[k++] = (char)(acc >> bits & 0xff);
    }
  }
  *out = o;
  *olen = k;
  return true;
}

static bool to_i64(const og_value *in, int64_t *v) {
  if (in->kind == OG_V_INT) *v = in->u.i;
  else if (in->kind == OG_V_UINT && in->u.u <= INT64_MAX) *v = (int64_t)in->u.u;
  else return false;
  return true;
}

static og_status conv_scalar(const og_type *t, const og_prop *p, const og_proptype *ty, const og_value *in,
                             og_arena *a, og_value *out, og_error *err) {
  memset(out, 0, sizeof(*out));
  int64_t iv;
  switch (ty->scalar) {
    case OG_SC_STRING:
      if (in->kind != OG_V_STRING) return conv_err(err, t, p, in, NULL);
      *out = *in;
      return OG_OK;
    case OG_SC_BOOL:
      if (in->kind != OG_V_BOOL) return conv_err(err, t, p, in, NULL);
      *out = *in;
      return OG_OK;
    case OG_SC_I32:
    case OG_SC_I64:
      if (!to_i64(in, &iv)) return conv_err(err, t, p, in, in->kind == OG_V_UINT ? "out of range" : NULL);
      if (ty->scalar == OG_SC_I32 && (iv < INT32_MIN || iv > INT32_MAX))
        return conv_err(err, t, p, in, "out of range");
      out->kind = OG_V_INT;
      out->u.i = iv;
      return OG_OK;
    case OG_SC_U32:
    case OG_SC_U64: {
      uint64_t uv;
      if (in->kind == OG_V_UINT) uv = in->u.u;
      else if (to_i64(in, &iv) && iv >= 0) uv = (uint64_t)iv;
      else if (in->kind == OG_V_INT || in->kind == OG_V_FLOAT) return conv_err(err, t, p, in, "out of range");
      else return conv_err(err, t, p, in, NULL);
      if (ty->scalar == OG_SC_U32 && uv > UINT32_MAX) return conv_err(err, t, p, in, "out of range");
      out->kind = OG_V_UINT;
      out->u.u = uv;
      return OG_OK;
    }
    case OG_SC_F32:
    case OG_SC_F64:
      out->kind = OG_V_FLOAT;
      if (in->kind == OG_V_FLOAT) out->u.f = in->u.f;
      else if (in->kind == OG_V_INT) out->u.f = (double)in->u.i;
      else if (in->kind == OG_V_UINT) out->u.f = (double)in->u.u;
      else return conv_err(err, t, p, in, NULL);
      if (ty->scalar == OG_SC_F32) out->u.f = (double)(float)out->u.f;
      return OG_OK;
    case OG_SC_DATE: {
      int64_t days;
      size_t used;
      if (in->kind == OG_V_DATE) {
        *out = *in;
        return OG_OK;
      }
      if (to_i64(in, &iv) && in->kind != OG_V_FLOAT) days = iv;
      else if (in->kind == OG_V_STRING && parse_date(in->u.s.ptr, in->u.s.len, &days, &used) &&
               used == in->u.s.len) {
      } else if (in->kind == OG_V_STRING && in->u.s.len > 10 && parse_datetime(in->u.s.ptr, in->u.s.len, &iv)) {
        /* a date-time keeps the date of its UTC instant */
        days = iv >= 0 ? iv / 86400000 : -((-iv + 86399999) / 86400000);
      } else if (in->kind == OG_V_STRING) {
        return og_err_set(err, OG_EINVAL, "invalid Date literal '%.*s'", (int)(in->u.s.len > 200 ? 200 : in->u.s.len),
                          in->u.s.ptr);
      } else {
        return conv_err(err, t, p, in, NULL);
      }
      if (days < INT32_MIN || days > INT32_MAX)
        return og_err_set(err, OG_EINVAL, "Date value out of range: %lld", (long long)days);
      out->kind = OG_V_DATE;
      out->u.days = (int32_t)days;
      return OG_OK;
    }
    case OG_SC_DATETIME: {
      int64_t ms;
      if (in->kind == OG_V_DATETIME) {
        *out = *in;
        return OG_OK;
      }
      if (to_i64(in, &iv) && in->kind != OG_V_FLOAT) ms = iv;
      else if (in->kind == OG_V_STRING && parse_datetime(in->u.s.ptr, in->u.s.len, &ms)) {
      } else if (in->kind == OG_V_STRING) {
        return og_err_set(err, OG_EINVAL, "invalid DateTime literal '%.*s'",
                          (int)(in->u.s.len > 200 ? 200 : in->u.s.len), in->u.s.ptr);
      } else {
        return conv_err(err, t, p, in, NULL);
      }
      out->kind = OG_V_DATETIME;
      out->u.ms = ms;
      return OG_OK;
    }
    case OG_SC_BLOB:
      if (in->kind == OG_V_BLOB) {
        *out = *in;
        return OG_OK;
      }
      if (in->kind != OG_V_STRING)
        return og_err_set(err, OG_EINVAL, "blob property '%s' must be a URI string or base64: prefixed data",
                          p->name);
      if (in->u.s.len >= 7 && memcmp(in->u.s.ptr, "base64:", 7) == 0) {
        out->kind = OG_V_BLOB;
        if (!b64_decode(a, in->u.s.ptr + 7, in->u.s.len - 7, &out->u.s.ptr, &out->u.s.len))
          return og_err_set(err, OG_EINVAL, "invalid base64 blob data: invalid character or length");
        return OG_OK;
      }
      *out = *in; /* a URI reference stays a STRING */
      return OG_OK;
    case OG_SC_VECTOR: {
      if (in->kind == OG_V_VECTOR) {
        *out = *in;
      } else {
        if (in->kind != OG_V_LIST) return conv_err(err, t, p, in, NULL);
        float *v = og_arena_alloc(a, (in->u.list.n ? in->u.list.n : 1) * sizeof(float));
        if (!v) return og_err_oom(err);
        for (size_t i = 0; i < in->u.list.n; i++) {
          const og_value *e = &in->u.list.items[i];
          if (e->kind == OG_V_FLOAT) v[i] = (float)e->u.f;
          else if (e->kind == OG_V_INT) v[i] = (float)e->u.i;
          else if (e->kind == OG_V_UINT) v[i] = (float)e->u.u;
          else return conv_err(err, t, p, in, "vector elements must be numbers");
        }
        out->kind = OG_V_VECTOR;
        out->u.vec.v = v;
        out->u.vec.dim = (uint32_t)in->u.list.n;
        if (in->u.list.n > UINT32_MAX) out->u.vec.dim = UINT32_MAX;
      }
      if (out->u.vec.dim != ty->dim)
        return og_err_set(err, OG_EINVAL, "vector property '%s' expects %u dimensions, got %u", p->name, ty->dim,
                          out->u.vec.dim);
      return OG_OK;
    }
  }
  return conv_err(err, t, p, in, NULL);
}

static og_status enum_check(const og_type *t, const og_prop *p, const og_value *v, og_error *err) {
  if (v->kind != OG_V_STRING) return OG_OK;
  size_t lo = 0, hi = p->type.n_enum;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const char *e = p->type.enum_values[mid];
    size_t el = strlen(e);
    size_t m = el < v->u.s.len ? el : v->u.s.len;
    int c = memcmp(e, v->u.s.ptr, m);
    if (c == 0) c = el < v->u.s.len ? -1 : el > v->u.s.len ? 1 : 0;
    if (c == 0) return OG_OK;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  og_buf b = OG_BUF_INIT;
  for (size_t i = 0; i < p->type.n_enum; i++) {
    if (i) og_buf_puts(&b, ", ");
    og_buf_puts(&b, p->type.enum_values[i]);
  }
  og_status rc = og_err_set(err, OG_ECONSTRAINT, "invalid enum value '%.*s' for %s.%s (expected: %s)",
                            (int)(v->u.s.len > 200 ? 200 : v->u.s.len), v->u.s.ptr, t->name, p->name,
                            b.ptr ? b.ptr : "");
  og_buf_dispose(&b);
  return rc;
}

og_status og_value_convert(const og_type *t, const og_prop *p, const og_value *in, og_arena *a, og_value *out,
                           og_error *err) {
  og_status rc;
  if (in->kind == OG_V_NULL) {
    memset(out, 0, sizeof(*out));
    return OG_OK;
  }
  og_proptype elem = p->type;
  elem.list = false;
  elem.nullable = false;
  if (p->type.list) {
    if (in->kind != OG_V_LIST) {
      og_buf jb = OG_BUF_INIT;
      if (in->kind == OG_V_STRING) og_buf_put_json_str(&jb, in->u.s.ptr, in->u.s.len);
      else og_value_text(in, &jb);
      rc = og_err_set(err, OG_EINVAL, "list property '%s' expects a JSON array, got %s", p->name,
                      jb.ptr ? jb.ptr : "");
      og_buf_dispose(&jb);
      return rc;
    }
    og_value *items = og_arena_alloc(a, (in->u.list.n ? in->u.list.n : 1) * sizeof(*items));
    if (!items) return og_err_oom(err);
    for (size_t i = 0; i < in->u.list.n; i++) {
      if (in->u.list.items[i].kind == OG_V_NULL) return conv_err(err, t, p, in, "list elements cannot be null");
      if ((rc = conv_scalar(t, p, &elem, &in->u.list.items[i], a, &items[i], err)) != OG_OK) return rc;
      if (p->type.n_enum && (rc = enum_check(t, p, &items[i], err)) != OG_OK) return rc;
    }
    out->kind = OG_V_LIST;
    out->u.list.items = items;
    out->u.list.n = in->u.list.n;
    return OG_OK;
  }
  if ((rc = conv_scalar(t, p, &elem, in, a, out, err)) != OG_OK) return rc;
  if (p->type.n_enum) return enum_check(t, p, out, err);
  return OG_OK;
}

og_status og_value_from_json(const void *jv, og_arena *a, og_value *out, og_error *err) {
  const json_t *j = jv;
  memset(out, 0, sizeof(*out));
  if (!j || json_is_null(j)) return OG_OK;
  if (json_is_boolean(j)) {
    out->kind = OG_V_BOOL;
    out->u.b = json_is_true(j);
  } else if (json_is_integer(j)) {
    out->kind = OG_V_INT;
    out->u.i = json_integer_value(j);
  } else if (json_is_real(j)) {
    out->kind = OG_V_FLOAT;
    out->u.f = json_real_value(j);
  } else if (json_is_string(j)) {
    out->kind = OG_V_STRING;
    out->u.s.ptr = json_string_value(j);
    out->u.s.len = json_string_length(j);
  } else if (json_is_array(j)) {
    size_t n = json_array_size(j);
    og_value *items = og_arena_alloc(a, (n ? n : 1) * sizeof(*items));
    if (!items) return og_err_oom(err);
    for (size_t i = 0; i < n; i++) {
      og_status rc = og_value_from_json(json_array_get(j, i), a, &items[i], err);
      if (rc != OG_OK) return rc;
    }
    out->kind = OG_V_LIST;
    out->u.list.items = items;
    out->u.list.n = n;
  } else {
    return og_err_set(err, OG_EINVAL, "unsupported JSON value (object) for a property");
  }
  return OG_OK;
}

/*==================== validators ====================*/

static double num_of(const og_value *v, bool *ok) {
  *ok = true;
  switch (v->kind) {
    case OG_V_INT: return (double)v->u.i;
    case OG_V_UINT: return (double)v->u.u;
    case OG_V_FLOAT: return v->u.f;
    default: *ok = false; return 0;
  }
}

static og_status range_one(const og_type *t, const og_prop *p, const og_constraint *c, const og_value *v,
                           og_error *err) {
  bool ok;
  double x = num_of(v, &ok);
  if (!ok) return OG_OK;
  char xs[64], bs[64];
  if (isnan(x)) return og_err_set(err, OG_ECONSTRAINT, "@range violation on %s.%s: value is NaN", t->name, p->name);
  num_display(x, xs, sizeof(xs));
  if (c->min.present) {
    double lo = c->min.is_float ? c->min.f : (double)c->min.i;
    if (x < lo) {
      num_display(lo, bs, sizeof(bs));
      return og_err_set(err, OG_ECONSTRAINT, "@range violation on %s.%s: value %s < min %s", t->name, p->name, xs,
                        bs);
    }
  }
  if (c->max.present) {
    double hi = c->max.is_float ? c->max.f : (double)c->max.i;
    if (x > hi) {
      num_display(hi, bs, sizeof(bs));
      return og_err_set(err, OG_ECONSTRAINT, "@range violation on %s.%s: value %s > max %s", t->name, p->name, xs,
                        bs);
    }
  }
  return OG_OK;
}

static og_status check_one(const og_type *t, const og_prop *p, const og_constraint *c, const og_value *v,
                           og_error *err) {
  if (v->kind != OG_V_STRING) return OG_OK;
  if (!c->regex)
    return og_err_set(err, OG_ECONSTRAINT, "@check on %s.%s has invalid regex '%s': %s", t->name, p->name,
                      c->pattern, c->regex_error ? c->regex_error : "not compiled");
  /* regexec needs a NUL-terminated subject */
  char stack[256];
  char *s = v->u.s.len < sizeof(stack) ? stack : og_malloc(v->u.s.len + 1);
  if (!s) return og_err_oom(err);
  memcpy(s, v->u.s.ptr, v->u.s.len);
  s[v->u.s.len] = '\0';
  int r = regexec((const regex_t *)c->regex, s, 0, NULL, 0);
  if (s != stack) og_free(s);
  if (r == 0) return OG_OK;
  return og_err_set(err, OG_ECONSTRAINT, "@check violation on %s.%s: value '%.*s' does not match pattern '%s'",
                    t->name, p->name, (int)(v->u.s.len > 200 ? 200 : v->u.s.len), v->u.s.ptr, c->pattern);
}

og_status og_validate_value(const og_type *t, const og_prop *p, const og_value *v, og_error *err) {
  og_status rc;
  if (v->kind == OG_V_NULL) return OG_OK;
  if (v->kind == OG_V_LIST) {
    for (size_t i = 0; i < v->u.list.n; i++)
      if (v->u.list.items[i].kind != OG_V_LIST &&
          (rc = og_validate_value(t, p, &v->u.list.items[i], err)) != OG_OK)
        return rc;
    return OG_OK;
  }
  if (p->type.n_enum && (rc = enum_check(t, p, v, err)) != OG_OK) return rc;
  if (p->type.scalar == OG_SC_VECTOR && v->kind == OG_V_VECTOR && v->u.vec.dim != p->type.dim)
    return og_err_set(err, OG_EINVAL, "vector property '%s' expects %u dimensions, got %u", p->name, p->type.dim,
                      v->u.vec.dim);
  for (size_t i = 0; i < t->n_cons; i++) {
    const og_constraint *c = &t->cons[i];
    if (c->kind != OG_CK_RANGE && c->kind != OG_CK_CHECK) continue;
    if (strcmp(c->cols[0], p->name) != 0) continue;
    rc = c->kind == OG_CK_RANGE ? range_one(t, p, c, v, err) : check_one(t, p, c, v, err);
    if (rc != OG_OK) return rc;
  }
  return OG_OK;
}

og_status og_validate_required(const og_type *t, const og_prop *p, const og_value *v, int mode, og_error *err) {
  if (p->type.nullable || (v && v->kind != OG_V_NULL)) return OG_OK;
  if (mode == OG_REQ_LOAD)
    return og_err_set(err, OG_ECONSTRAINT, "non-nullable property '%s' has null or invalid values", p->name);
  return og_err_set(err, OG_ECONSTRAINT, "missing required property '%s'", p->name);
}

og_status og_validate_unique_column(const og_type *t, const og_prop *p, const og_value *values, size_t n,
                                    og_error *err) {
  og_map seen = OG_MAP_INIT;
  og_buf b = OG_BUF_INIT;
  og_status rc = OG_OK;
  for (size_t i = 0; i < n; i++) {
    if (values[i].kind == OG_V_NULL) continue;
    og_buf_clear(&b);
    /* kind prefix keeps 1 and "1" apart */
    og_buf_putc(&b, (char)('A' + values[i].kind));
    og_value_text(&values[i], &b);
    if (b.oom) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    void *prev;
    if (og_map_get(&seen, b.ptr, b.len, &prev)) {
      rc = og_err_set(err, OG_ECONSTRAINT, "@unique violation on %s.%s: value '%.*s' appears in rows %zu and %zu",
                      t->name, p->name, (int)(b.len - 1 > 200 ? 200 : b.len - 1), b.ptr + 1,
                      (size_t)(uintptr_t)prev - 1, i);
      goto cleanup;
    }
    if (og_map_put(&seen, b.ptr, b.len, (void *)(uintptr_t)(i + 1))) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  }
cleanup:
  og_map_dispose(&seen);
  og_buf_dispose(&b);
  return rc;
}

og_status og_validate_unique_constraint(const og_type *t, const og_constraint *c, const og_value *const *columns,
                                        size_t n, og_error *err) {
  og_map seen = OG_MAP_INIT;
  og_buf key = OG_BUF_INIT, shown = OG_BUF_INIT;
  og_status rc = OG_OK;
  if (c->n_cols == 1) {
    const og_prop *p = og_type_prop(t, c->cols[0]);
    og_prop tmp;
    if (!p) { /* edge src/dst */
      memset(&tmp, 0, sizeof(tmp));
      tmp.name = c->cols[0];
      p = &tmp;
    }
    return og_validate_unique_column(t, p, columns[0], n, err);
  }
  for (size_t i = 0; i < n; i++) {
    bool has_null = false;
    og_buf_clear(&key);
    for (size_t k = 0; k < c->n_cols && !has_null; k++) {
      const og_value *v = &columns[k][i];
      if (v->kind == OG_V_NULL) has_null = true;
      og_buf_clear(&shown);
      og_value_text(v, &shown);
      og_buf_printf(&key, "%c%zu:", 'A' + v->kind, shown.len);
      og_buf_put(&key, shown.ptr ? shown.ptr : "", shown.len);
    }
    if (has_null) continue;
    if (key.oom || shown.oom) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    void *prev;
    if (og_map_get(&seen, key.ptr, key.len, &prev)) {
      og_buf cols = OG_BUF_INIT, vals = OG_BUF_INIT;
      for (size_t k = 0; k < c->n_cols; k++) {
        og_buf_printf(&cols, "%s%s", k ? ", " : "", c->cols[k]);
        if (k) og_buf_puts(&vals, ", ");
        og_value_text(&columns[k][i], &vals);
      }
      rc = og_err_set(err, OG_ECONSTRAINT, "@unique violation on %s.(%s): value '(%.*s)' appears in rows %zu and %zu",
                      t->name, cols.ptr ? cols.ptr : "", (int)(vals.len > 300 ? 300 : vals.len),
                      vals.ptr ? vals.ptr : "", (size_t)(uintptr_t)prev - 1, i);
      og_buf_dispose(&cols);
      og_buf_dispose(&vals);
      goto cleanup;
    }
    if (og_map_put(&seen, key.ptr, key.len, (void *)(uintptr_t)(i + 1))) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  }
cleanup:
  og_map_dispose(&seen);
  og_buf_dispose(&key);
  og_buf_dispose(&shown);
  return rc;
}

og_status og_key_text(const og_type *t, const og_value *v, og_buf *out, og_error *err) {
  if (!t->key_prop) return og_err_set(err, OG_EINVAL, "node %s has no @key", t->name);
  if (!v || v->kind == OG_V_NULL || v->kind == OG_V_LIST || v->kind == OG_V_VECTOR)
    return og_err_set(err, OG_ECONSTRAINT, "node %s missing @key property '%s'", t->name, t->key_prop->name);
  if (og_value_text(v, out) != OG_OK) return og_err_oom(err);
  return OG_OK;
}

og_status og_validate_card(const og_type *e, const char *source_id, uint64_t count, og_error *err) {
  if (count == 0) return OG_OK;
  if (e->card_has_max && count > e->card_max)
    return og_err_set(err, OG_ECONSTRAINT, "@card violation on edge %s: source '%s' has %llu edges (max %u)",
                      e->name, source_id, (unsigned long long)count, e->card_max);
  if (count < e->card_min)
    return og_err_set(err, OG_ECONSTRAINT, "@card violation on edge %s: source '%s' has %llu edges (min %u)",
                      e->name, source_id, (unsigned long long)count, e->card_min);
  return OG_OK;
}
