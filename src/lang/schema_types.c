/*
 * schema_types.c — property types, display forms, lookups and the textual
 * constraint key shared by the parser, catalog and planner.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/schema_int.h"

const char *og_scalar_name(og_scalar s) {
  static const char *const n[] = {"String", "Bool", "I32", "I64", "U32", "U64",
                                  "F32", "F64", "Date", "DateTime", "Blob", "Vector"};
  if ((int)s < 0 || s > OG_SC_VECTOR) return "?";
  return n[s];
}

bool og_scalar_numeric(og_scalar s) { return s >= OG_SC_I32 && s <= OG_SC_F64; }

const char *og_type_kind_name(og_type_kind k) {
  return k == OG_KIND_INTERFACE ? "interface" : k == OG_KIND_NODE ? "node" : "edge";
}

void og_sch_put_type(og_buf *b, const og_proptype *t) {
  if (t->list) og_buf_putc(b, '[');
  if (t->n_enum) {
    og_buf_puts(b, "enum(");
    for (size_t i = 0; i < t->n_enum; i++) {
      if (i) og_buf_puts(b, ", ");
      og_buf_puts(b, t->enum_values[i]);
    }
    og_buf_putc(b, ')');
  } else if (t->scalar == OG_SC_VECTOR) {
    og_buf_printf(b, "Vector(%u)", t->dim);
  } else {
    og_buf_puts(b, og_scalar_name(t->scalar));
  }
  if (t->list) og_buf_putc(b, ']');
  if (t->nullable) og_buf_putc(b, '?');
}

void og_proptype_display(const og_proptype *t, char *out, size_t cap) {
  og_buf b = OG_BUF_INIT;
  og_sch_put_type(&b, t);
  if (cap) snprintf(out, cap, "%s", b.ptr && !b.oom ? b.ptr : "");
  og_buf_dispose(&b);
}

bool og_proptype_equal(const og_proptype *a, const og_proptype *b) {
  if (a->scalar != b->scalar || a->list != b->list || a->nullable != b->nullable ||
      a->n_enum != b->n_enum)
    return false;
  if (a->scalar == OG_SC_VECTOR && a->dim != b->dim) return false;
  for (size_t i = 0; i < a->n_enum; i++)
    if (strcmp(a->enum_values[i], b->enum_values[i]) != 0) return false;
  return true;
}

bool og_annot_find(const og_annot *a, size_t n, const char *name, const char **value_out) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(a[i].name, name) == 0) {
      if (value_out) *value_out = a[i].value;
      return true;
    }
  return false;
}

const og_prop *og_type_prop(const og_type *t, const char *name) {
  void *v;
  if (!t || !name) return NULL;
  if (t->prop_map) {
    if (!og_map_sget((const og_map *)t->prop_map, name, &v)) return NULL;
    return &t->props[(uintptr_t)v - 1];
  }
  for (size_t i = 0; i < t->n_props; i++)
    if (strcmp(t->props[i].name, name) == 0) return &t->props[i];
  return NULL;
}

bool og_type_has_index(const og_type *t, const char *col) {
  for (size_t i = 0; i < t->n_cons; i++) {
    const og_constraint *c = &t->cons[i];
    if ((c->kind == OG_CK_INDEX || c->kind == OG_CK_KEY) && c->n_cols == 1 && strcmp(c->cols[0], col) == 0)
      return true;
  }
  return false;
}

og_index_kind og_prop_index_kind(const og_type *t, const og_prop *p) {
  if (!t || !p || t->kind != OG_KIND_NODE || p->type.list || !og_type_has_index(t, p->name)) return OG_IDX_NONE;
  if (p->type.scalar == OG_SC_STRING) return OG_IDX_FTS;
  if (p->type.scalar == OG_SC_VECTOR) return OG_IDX_VECTOR;
  return OG_IDX_NONE;
}

uint32_t og_schema_id32(const char *s) {
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    h ^= *p;
    h *= 16777619u;
  }
  return h ? h : 1;
}

/* ryu-style shortest representation: the fewest significant digits that
 * round-trip, then laid out as serde_json does (decimal for exponents in
 * [-5, 16], scientific `1e21` / `1.5e-7` otherwise; integers keep ".0"). */
/* `lo_exp`: smallest decimal exponent printed positionally (-5 for ryu /
 * serde_json, -4 for Rust's `{:?}` of f64); both go exponential at 1e16. */
static void fmt_f64_ex(double v, char *out, size_t cap, int lo_exp) {
  if (isnan(v) || isinf(v)) {
    snprintf(out, cap, "null");
    return;
  }
  if (v == 0) {
    snprintf(out, cap, signbit(v) ? "-0.0" : "0.0");
    return;
  }
  char tmp[64];
  int prec;
  for (prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
    if (strtod(tmp, NULL) == v) break;
  }
  /* tmp = [-]d.ddde[+-]XX */
  bool neg = tmp[0] == '-';
  const char *m = tmp + (neg ? 1 : 0);
  char digits[32];
  size_t nd = 0;
  const char *e = strchr(m, 'e');
  for (const char *q = m; q < e; q++)
    if (*q != '.') digits[nd++] = *q;
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  digits[nd] = '\0';
  int exp10 = atoi(e + 1); /* value = d.ddd * 10^exp10 */
  /* no allocation here: callers rely on this never failing */
  char r[64];
  size_t k = 0;
  if (neg) r[k++] = '-';
  int kk = exp10 + 1; /* position of the decimal point relative to digits */
  if (exp10 >= lo_exp && exp10 < 16) {
    if (kk <= 0) {
      r[k++] = '0';
      r[k++] = '.';
      for (int i = 0; i < -kk; i++) r[k++] = '0';
      for (size_t i = 0; i < nd; i++) r[k++] = digits[i];
    } else if ((size_t)kk >= nd) {
      for (size_t i = 0; i < nd; i++) r[k++] = digits[i];
      for (size_t i = nd; i < (size_t)kk; i++) r[k++] = '0';
      r[k++] = '.';
      r[k++] = '0';
    } else {
      for (int i = 0; i < kk; i++) r[k++] = digits[i];
      r[k++] = '.';
      for (size_t i = (size_t)kk; i < nd; i++) r[k++] = digits[i];
    }
    r[k] = '\0';
  } else {
    r[k++] = digits[0];
    if (nd > 1) {
      r[k++] = '.';
      for (size_t i = 1; i < nd; i++) r[k++] = digits[i];
    }
    snprintf(r + k, sizeof(r) - k, "e%d", exp10);
  }
  snprintf(out, cap, "%s", r);
}

void og_sch_fmt_f64(double v, char *out, size_t cap) { fmt_f64_ex(v, out, cap, -5); }

static void put_bound_debug(og_buf *b, const og_bound *x) {
  if (!x->present) {
    og_buf_puts(b, "None");
    return;
  }
  if (x->is_float) {
    char f[64];
    fmt_f64_ex(x->f, f, sizeof(f), -4);
    og_buf_printf(b, "Some(Float(%s))", f);
  } else {
    og_buf_printf(b, "Some(Integer(%lld))", (long long)x->i);
  }
}

og_status og_constraint_key(const og_constraint *c, og_buf *out) {
  switch (c->kind) {
    case OG_CK_KEY:
    case OG_CK_UNIQUE:
    case OG_CK_INDEX:
      og_buf_puts(out, c->kind == OG_CK_KEY ? "key:" : c->kind == OG_CK_UNIQUE ? "unique:" : "index:");
      for (size_t i = 0; i < c->n_cols; i++) {
        if (i) og_buf_putc(out, ',');
        og_buf_puts(out, c->cols[i]);
      }
      break;
    case OG_CK_RANGE:
      og_buf_printf(out, "range:%s:", c->cols[0]);
      put_bound_debug(out, &c->min);
      og_buf_putc(out, ':');
      put_bound_debug(out, &c->max);
      break;
    case OG_CK_CHECK:
      og_buf_printf(out, "check:%s:%s", c->cols[0], c->pattern);
      break;
  }
  return out->oom ? OG_ENOMEM : OG_OK;
}
