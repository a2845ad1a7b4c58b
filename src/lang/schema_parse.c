/*
 * schema_parse.c — `.pg` recursive-descent parser and the parse-phase
 * validations of spec/languages.md §2.1–§2.6.
 *
 * The grammar needs at most three tokens of lookahead (`@ key (` decides
 * between a property annotation and a body constraint), kept in a small
 * ring in front of the shared lexer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lex.h"
#include "lang/schema_int.h"

/*==================== memory helpers ====================*/

og_sch_mem *og_sch_mem_new(void) {
  og_sch_mem *m = og_calloc(1, sizeof(*m));
  if (m) og_arena_init(&m->arena, 16384);
  return m;
}

void og_sch_mem_free(og_sch_mem *m) {
  if (!m) return;
  for (size_t i = 0; i < m->n_maps; i++) og_map_dispose(m->maps[i]);
  for (size_t i = 0; i < m->n_regexes; i++) og_sch_free_regex(m->regexes[i]);
  og_free(m->maps);
  og_free(m->regexes);
  og_arena_dispose(&m->arena);
  og_free(m);
}

og_map *og_sch_map_new(og_sch_mem *m) {
  og_map *map = og_arena_zalloc(&m->arena, sizeof(*map));
  if (!map) return NULL;
  if (og_array_reserve((void **)&m->maps, &m->cap_maps, m->n_maps + 1, sizeof(*m->maps)) != OG_OK)
    return NULL;
  m->maps[m->n_maps++] = map;
  return map;
}

void *og_sch_grow(og_arena *a, void *items, size_t *cap, size_t need, size_t elsize) {
  if (need <= *cap) return items;
  size_t ncap = *cap ? *cap * 2 : 4;
  while (ncap < need) ncap *= 2;
  void *n = og_arena_alloc(a, ncap * elsize);
  if (!n) return NULL;
  if (items && *cap) memcpy(n, items, *cap * elsize);
  *cap = ncap;
  return n;
}

/*==================== parser state ====================*/

typedef struct bt_type {
  og_type t;
  og_annot *annots;
  size_t n_annots, cap_annots;
  og_prop *props;
  size_t n_props, cap_props;
  og_constraint *cons;
  size_t n_cons, cap_cons;
  const char **impl;
  og_spos *impl_pos;
  size_t n_impl, cap_impl, cap_impl_pos;
  og_map *pmap; /* name -> og_prop index + 1 (first declaration wins) */
} bt_type;

typedef struct sp {
  og_lexer lx;
  og_token la[3];
  int nla;
  og_sch_mem *mem;
  og_arena *a;
  og_error *err;
  bt_type **decls;
  size_t n_decls, cap_decls;
  og_map *ifaces; /* name -> bt_type* (first wins) */
} sp;

static og_status sp_fill(sp *p, int k) {
  while (p->nla <= k) {
    og_status rc = og_lex_next(&p->lx, &p->la[p->nla], p->err);
    if (rc != OG_OK) return rc;
    p->nla++;
  }
  return OG_OK;
}

/* Peek the k-th token ahead (0 = next). */
static og_status sp_peek(sp *p, int k, og_token **t) {
  og_status rc = sp_fill(p, k);
  if (rc != OG_OK) return rc;
  *t = &p->la[k];
  return OG_OK;
}

static og_status sp_next(sp *p, og_token *t) {
  og_status rc = sp_fill(p, 0);
  if (rc != OG_OK) return rc;
  *t = p->la[0];
  memmove(&p->la[0], &p->la[1], sizeof(p->la[0]) * 2);
  p->nla--;
  return OG_OK;
}

static og_status sp_errv(sp *p, og_spos pos, const char *fmt, va_list ap) {
  char msg[OG_ERROR_MESSAGE_MAX];
  vsnprintf(msg, sizeof(msg), fmt, ap);
  og_status rc = og_err_set_pos(p->err, OG_EPARSE, pos.line ? pos.line : 1, pos.col ? pos.col : 1,
                                "parse error: %s", msg);
  og_err_details(p->err, "{\"span\":{\"start\":%zu,\"end\":%zu}}", pos.off, pos.off + 1);
  return rc;
}

static og_status sp_err(sp *p, og_spos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static og_status sp_err(sp *p, og_spos pos, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  og_status rc = sp_errv(p, pos, fmt, ap);
  va_end(ap);
  return rc;
}

static og_spos tpos(const og_token *t) {
  og_spos s = {t->line, t->col, t->off};
  return s;
}

static og_status sp_unexpected(sp *p, const og_token *t, const char *expected) {
  char d[96];
  og_tok_describe(t, d, sizeof(d));
  return sp_err(p, tpos(t), "expected %s, found %s", expected, d);
}

static og_status sp_expect(sp *p, og_tok_kind k, og_token *out) {
  og_token t;
  og_status rc = sp_next(p, &t);
  if (rc != OG_OK) return rc;
  if (t.kind != k) return sp_unexpected(p, &t, og_tok_kind_name(k));
  if (out) *out = t;
  return OG_OK;
}

static bool is_constraint_word(const og_token *t) {
  return og_tok_is(t, "key") || og_tok_is(t, "unique") || og_tok_is(t, "index") ||
         og_tok_is(t, "range") || og_tok_is(t, "check");
}

/*==================== types ====================*/

static const struct {
  const char *name;
  og_scalar sc;
} BASE_TYPES[] = {{"String", OG_SC_STRING}, {"Blob", OG_SC_BLOB},   {"Bool", OG_SC_BOOL},
                  {"I32", OG_SC_I32},       {"I64", OG_SC_I64},     {"U32", OG_SC_U32},
                  {"U64", OG_SC_U64},       {"F32", OG_SC_F32},     {"F64", OG_SC_F64},
                  {"DateTime", OG_SC_DATETIME}, {"Date", OG_SC_DATE}};

static bool base_type(const og_token *t, og_scalar *sc) {
  if (t->kind != OG_TK_TYPENAME) return false;
  for (size_t i = 0; i < sizeof(BASE_TYPES) / sizeof(BASE_TYPES[0]); i++)
    if (og_tok_is(t, BASE_TYPES[i].name)) {
      *sc = BASE_TYPES[i].sc;
      return true;
    }
  return false;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static og_status sp_typeref(sp *p, og_proptype *pt) {
  og_status rc;
  og_token t, *pk;
  memset(pt, 0, sizeof(*pt));
  if ((rc = sp_next(p, &t)) != OG_OK) return rc;
  if (t.kind == OG_TK_LBRACK) {
    og_token e;
    if ((rc = sp_next(p, &e)) != OG_OK) return rc;
    if (!base_type(&e, &pt->scalar)) return sp_unexpected(p, &e, "list element type");
    if ((rc = sp_expect(p, OG_TK_RBRACK, NULL)) != OG_OK) return rc;
    if (pt->scalar == OG_SC_BLOB) return sp_err(p, tpos(&t), "list of Blob is not supported");
    pt->list = true;
  } else if (og_tok_is(&t, "enum")) {
    if ((rc = sp_expect(p, OG_TK_LPAREN, NULL)) != OG_OK) return rc;
    const char **vals = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
      og_token w;
      /* The ring is empty here: enum words are scanned by the lexer directly. */
      if (og_lex_enum_word(&p->lx, &w, p->err) != OG_OK) {
        if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
        return sp_unexpected(p, pk, "enum value");
      }
      OG_SCH_PUSH(p->a, vals, n, cap, w.str, return og_err_oom(p->err));
      og_token s;
      if ((rc = sp_next(p, &s)) != OG_OK) return rc;
      if (s.kind == OG_TK_RPAREN) break;
      if (s.kind != OG_TK_COMMA) return sp_unexpected(p, &s, "',' or ')'");
    }
    og_sch_sort(vals, n, sizeof(*vals), cmp_str);
    for (size_t i = 1; i < n; i++)
      if (strcmp(vals[i - 1], vals[i]) == 0)
        return sp_err(p, tpos(&t), "enum type cannot include duplicate values");
    pt->scalar = OG_SC_STRING;
    pt->enum_values = vals;
    pt->n_enum = n;
  } else if (og_tok_is(&t, "Vector")) {
    og_token d;
    if ((rc = sp_expect(p, OG_TK_LPAREN, NULL)) != OG_OK) return rc;
    if ((rc = sp_next(p, &d)) != OG_OK) return rc;
    if (d.kind != OG_TK_INT) return sp_unexpected(p, &d, "vector dimension");
    if (d.overflow || d.uval > UINT32_MAX)
      return sp_err(p, tpos(&d), "invalid Vector dimension: %.*s: number too large to fit in target type",
                    (int)(d.len > 64 ? 64 : d.len), d.text);
    if (d.uval == 0) return sp_err(p, tpos(&d), "Vector dimension must be greater than zero");
    if (d.uval > 2147483647u)
      return sp_err(p, tpos(&d), "Vector dimension %llu exceeds maximum supported 2147483647",
                    (unsigned long long)d.uval);
    if ((rc = sp_expect(p, OG_TK_RPAREN, NULL)) != OG_OK) return rc;
    pt->scalar = OG_SC_VECTOR;
    pt->dim = (uint32_t)d.uval;
  } else if (!base_type(&t, &pt->scalar)) {
    return sp_unexpected(p, &t, "type");
  }
  if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
  if (pk->kind == OG_TK_QUESTION) {
    pt->nullable = true;
    if ((rc = sp_next(p, &t)) != OG_OK) return rc;
  }
  return OG_OK;
}

/*==================== annotations and constraints ====================*/

/* Literal text of an annotation argument. */
static const char *lit_text(sp *p, const og_token *t) {
  if (t->kind == OG_TK_STRING || t->kind == OG_TK_IDENT) return t->str;
  return og_arena_strndup(p->a, t->text, t->len);
}

/* `@name [ "(" (literal | ident) ")" ]`; the '@' is the next token. */
static og_status sp_annotation(sp *p, og_annot *out) {
  og_status rc;
  og_token at, name, *pk;
  if ((rc = sp_next(p, &at)) != OG_OK) return rc;
  if ((rc = sp_next(p, &name)) != OG_OK) return rc;
  if (name.kind != OG_TK_IDENT) return sp_unexpected(p, &name, "annotation name");
  out->name = name.str;
  out->value = NULL;
  out->pos = tpos(&at);
  if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
  if (pk->kind == OG_TK_LPAREN) {
    og_token v;
    if ((rc = sp_next(p, &v)) != OG_OK) return rc;
    if ((rc = sp_next(p, &v)) != OG_OK) return rc;
    switch (v.kind) {
      case OG_TK_STRING: case OG_TK_IDENT: case OG_TK_INT: case OG_TK_FLOAT:
      case OG_TK_TRUE: case OG_TK_FALSE:
        break;
      default:
        return sp_unexpected(p, &v, "annotation argument");
    }
    out->value = lit_text(p, &v);
    if (!out->value) return og_err_oom(p->err);
    if ((rc = sp_expect(p, OG_TK_RPAREN, NULL)) != OG_OK) return rc;
  }
  return OG_OK;
}

typedef enum { CA_IDENT, CA_LIT, CA_RANGE } carg_kind;
typedef struct carg {
  carg_kind kind;
  og_token tok; /* IDENT / literal */
  og_bound lo, hi;
  og_spos pos;
} carg;

static og_status sp_num(sp *p, og_bound *b) {
  og_status rc;
  og_token t;
  bool neg = false;
  if ((rc = sp_next(p, &t)) != OG_OK) return rc;
  if (t.kind == OG_TK_MINUS) {
    neg = true;
    if ((rc = sp_next(p, &t)) != OG_OK) return rc;
  }
  if (t.kind != OG_TK_INT && t.kind != OG_TK_FLOAT) return sp_unexpected(p, &t, "number");
  b->present = true;
  if (t.kind == OG_TK_INT && !t.overflow && t.uval <= (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
    b->is_float = false;
    b->i = neg ? (int64_t)(0 - t.uval) : (int64_t)t.uval;
    b->f = (double)b->i;
  } else {
    b->is_float = true;
    /* i64 overflow falls back to f64, like the reference's parse order */
    char buf[128];
    size_t n = t.len < sizeof(buf) - 2 ? t.len : sizeof(buf) - 2;
    buf[0] = '-';
    memcpy(buf + 1, t.text, n);
    buf[n + 1] = '\0';
    b->f = strtod(neg ? buf : buf + 1, NULL);
  }
  return OG_OK;
}

static og_status sp_carg(sp *p, carg *c) {
  og_status rc;
  og_token *pk;
  memset(c, 0, sizeof(*c));
  if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
  c->pos = tpos(pk);
  if (pk->kind == OG_TK_DOTDOT) {
    og_token t;
    if ((rc = sp_next(p, &t)) != OG_OK) return rc;
    c->kind = CA_RANGE;
    return sp_num(p, &c->hi);
  }
  if (pk->kind == OG_TK_MINUS || pk->kind == OG_TK_INT || pk->kind == OG_TK_FLOAT) {
    og_token first = *pk;
    og_bound b;
    memset(&b, 0, sizeof(b));
    if ((rc = sp_num(p, &b)) != OG_OK) return rc;
    if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
    if (pk->kind == OG_TK_DOTDOT) {
      og_token t;
      if ((rc = sp_next(p, &t)) != OG_OK) return rc;
      c->kind = CA_RANGE;
      c->lo = b;
      if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
      if (pk->kind == OG_TK_MINUS || pk->kind == OG_TK_INT || pk->kind == OG_TK_FLOAT)
        return sp_num(p, &c->hi);
      return OG_OK;
    }
    if (first.kind == OG_TK_MINUS) return sp_unexpected(p, pk, "'..'");
    c->kind = CA_LIT;
    c->tok = first;
    return OG_OK;
  }
  og_token t;
  if ((rc = sp_next(p, &t)) != OG_OK) return rc;
  switch (t.kind) {
    case OG_TK_IDENT: c->kind = CA_IDENT; break;
    case OG_TK_STRING: case OG_TK_TRUE: case OG_TK_FALSE: c->kind = CA_LIT; break;
    default: return sp_unexpected(p, &t, "constraint argument");
  }
  c->tok = t;
  return OG_OK;
}

/* `@kw ( carg {, carg} )` with the per-kind argument shape checks. */
static og_status sp_constraint(sp *p, og_constraint *out) {
  og_status rc;
  og_token at, kw;
  carg *args = NULL;
  size_t n = 0, cap = 0;
  if ((rc = sp_next(p, &at)) != OG_OK) return rc;
  if ((rc = sp_next(p, &kw)) != OG_OK) return rc;
  if ((rc = sp_expect(p, OG_TK_LPAREN, NULL)) != OG_OK) return rc;
  for (;;) {
    carg c;
    if ((rc = sp_carg(p, &c)) != OG_OK) return rc;
    OG_SCH_PUSH(p->a, args, n, cap, c, return og_err_oom(p->err));
    og_token s;
    if ((rc = sp_next(p, &s)) != OG_OK) return rc;
    if (s.kind == OG_TK_RPAREN) break;
    if (s.kind != OG_TK_COMMA) return sp_unexpected(p, &s, "',' or ')'");
  }
  memset(out, 0, sizeof(*out));
  out->pos = tpos(&at);
  if (og_tok_is(&kw, "key") || og_tok_is(&kw, "unique") || og_tok_is(&kw, "index")) {
    out->kind = og_tok_is(&kw, "key") ? OG_CK_KEY : og_tok_is(&kw, "unique") ? OG_CK_UNIQUE : OG_CK_INDEX;
    const char **cols = og_arena_alloc(p->a, n * sizeof(*cols));
    if (!cols) return og_err_oom(p->err);
    for (size_t i = 0; i < n; i++) {
      if (args[i].kind != CA_IDENT) return sp_err(p, args[i].pos, "expected property name in constraint");
      cols[i] = args[i].tok.str;
    }
    out->cols = cols;
    out->n_cols = n;
  } else if (og_tok_is(&kw, "range")) {
    out->kind = OG_CK_RANGE;
    if (n < 2) return sp_err(p, out->pos, "@range requires property name and bounds: @range(prop, min..max)");
    if (args[0].kind != CA_IDENT) return sp_err(p, args[0].pos, "expected property name in constraint");
    if (args[1].kind != CA_RANGE)
      return sp_err(p, args[1].pos, "expected range bounds (min..max) in @range constraint");
    const char **cols = og_arena_alloc(p->a, sizeof(*cols));
    if (!cols) return og_err_oom(p->err);
    cols[0] = args[0].tok.str;
    out->cols = cols;
    out->n_cols = 1;
    out->min = args[1].lo;
    out->max = args[1].hi;
  } else {
    out->kind = OG_CK_CHECK;
    if (n < 2) return sp_err(p, out->pos, "@check requires property name and pattern: @check(prop, \"regex\")");
    if (args[0].kind != CA_IDENT) return sp_err(p, args[0].pos, "expected property name in constraint");
    if (args[1].kind != CA_LIT || args[1].tok.kind != OG_TK_STRING)
      return sp_err(p, args[1].pos, "expected string argument in constraint");
    const char **cols = og_arena_alloc(p->a, sizeof(*cols));
    if (!cols) return og_err_oom(p->err);
    cols[0] = args[0].tok.str;
    out->cols = cols;
    out->n_cols = 1;
    out->pattern = args[1].tok.str;
  }
  return OG_OK;
}

/* Is the next thing `@ <constraint-word> (`? */
static og_status sp_at_constraint(sp *p, bool *yes) {
  og_status rc;
  og_token *t0, *t1, *t2;
  *yes = false;
  if ((rc = sp_peek(p, 0, &t0)) != OG_OK) return rc;
  if (t0->kind != OG_TK_AT) return OG_OK;
  if ((rc = sp_peek(p, 1, &t1)) != OG_OK) return rc;
  if (!is_constraint_word(t1)) return OG_OK;
  if ((rc = sp_peek(p, 2, &t2)) != OG_OK) return rc;
  *yes = t2->kind == OG_TK_LPAREN;
  return OG_OK;
}

/*==================== declarations ====================*/

static bt_type *bt_new(sp *p, og_type_kind kind, const og_token *kw, const og_token *name) {
  bt_type *b = og_arena_zalloc(p->a, sizeof(*b));
  if (!b) return NULL;
  b->t.kind = kind;
  b->t.name = name->str;
  b->t.pos = tpos(kw);
  b->pmap = og_sch_map_new(p->mem);
  if (!b->pmap) return NULL;
  return b;
}

static og_status bt_add_prop(sp *p, bt_type *b, const og_prop *pr) {
  OG_SCH_PUSH(p->a, b->props, b->n_props, b->cap_props, *pr, return og_err_oom(p->err));
  void *v;
  if (!og_map_sget(b->pmap, pr->name, &v)) {
    if (og_map_sput(b->pmap, pr->name, (void *)(uintptr_t)b->n_props) != OG_OK) return og_err_oom(p->err);
  }
  return OG_OK;
}

static og_prop *bt_prop(bt_type *b, const char *name) {
  void *v;
  if (!og_map_sget(b->pmap, name, &v)) return NULL;
  return &b->props[(uintptr_t)v - 1];
}

/* prop = ident ":" typeref { annotation } — stops before `@kw(`. */
static og_status sp_prop(sp *p, og_prop *pr) {
  og_status rc;
  og_token name;
  og_annot *annots = NULL;
  size_t n = 0, cap = 0;
  memset(pr, 0, sizeof(*pr));
  if ((rc = sp_next(p, &name)) != OG_OK) return rc;
  if (name.kind != OG_TK_IDENT) return sp_unexpected(p, &name, "property name");
  pr->name = name.str;
  pr->pos = tpos(&name);
  if ((rc = sp_expect(p, OG_TK_COLON, NULL)) != OG_OK) return rc;
  if ((rc = sp_typeref(p, &pr->type)) != OG_OK) return rc;
  for (;;) {
    og_token *pk;
    bool is_c;
    if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
    if (pk->kind != OG_TK_AT) break;
    if ((rc = sp_at_constraint(p, &is_c)) != OG_OK) return rc;
    if (is_c) break;
    og_annot an;
    if ((rc = sp_annotation(p, &an)) != OG_OK) return rc;
    OG_SCH_PUSH(p->a, annots, n, cap, an, return og_err_oom(p->err));
  }
  pr->annots = annots;
  pr->n_annots = n;
  return OG_OK;
}

/* "{" { prop | constraint } "}" (interfaces: props only). */
static og_status sp_body(sp *p, bt_type *b, bool allow_constraints) {
  og_status rc;
  if ((rc = sp_expect(p, OG_TK_LBRACE, NULL)) != OG_OK) return rc;
  for (;;) {
    og_token *pk;
    if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
    if (pk->kind == OG_TK_RBRACE) {
      og_token t;
      return sp_next(p, &t);
    }
    if (pk->kind == OG_TK_AT && allow_constraints) {
      bool is_c;
      if ((rc = sp_at_constraint(p, &is_c)) != OG_OK) return rc;
      if (!is_c) {
        og_token *t1;
        if ((rc = sp_peek(p, 1, &t1)) != OG_OK) return rc;
        return sp_unexpected(p, t1, "constraint (@key, @unique, @index, @range or @check with arguments)");
      }
      og_constraint c;
      if ((rc = sp_constraint(p, &c)) != OG_OK) return rc;
      OG_SCH_PUSH(p->a, b->cons, b->n_cons, b->cap_cons, c, return og_err_oom(p->err));
      continue;
    }
    if (pk->kind != OG_TK_IDENT) return sp_unexpected(p, pk, allow_constraints ? "property or constraint" : "property");
    og_prop pr;
    if ((rc = sp_prop(p, &pr)) != OG_OK) return rc;
    if ((rc = bt_add_prop(p, b, &pr)) != OG_OK) return rc;
  }
}

static og_status sp_decl_annots(sp *p, bt_type *b) {
  og_status rc;
  for (;;) {
    og_token *pk;
    if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
    if (pk->kind != OG_TK_AT) return OG_OK;
    bool is_c;
    if ((rc = sp_at_constraint(p, &is_c)) != OG_OK) return rc;
    if (is_c) {
      og_token *t1;
      if ((rc = sp_peek(p, 1, &t1)) != OG_OK) return rc;
      return sp_err(p, tpos(pk), "@%s(...) constraints belong in the declaration body", t1->str);
    }
    og_annot an;
    if ((rc = sp_annotation(p, &an)) != OG_OK) return rc;
    OG_SCH_PUSH(p->a, b->annots, b->n_annots, b->cap_annots, an, return og_err_oom(p->err));
  }
}

static og_status sp_u32(sp *p, uint32_t *out) {
  og_token t;
  og_status rc = sp_next(p, &t);
  if (rc != OG_OK) return rc;
  if (t.kind != OG_TK_INT) return sp_unexpected(p, &t, "integer");
  if (t.overflow || t.uval > UINT32_MAX)
    return sp_err(p, tpos(&t), "cardinality bound %.*s does not fit in u32", (int)(t.len > 64 ? 64 : t.len),
                  t.text);
  *out = (uint32_t)t.uval;
  return OG_OK;
}

static og_status sp_decl(sp *p) {
  og_status rc;
  og_token kw, name, *pk;
  bt_type *b;
  if ((rc = sp_next(p, &kw)) != OG_OK) return rc;
  og_type_kind kind;
  if (og_tok_is(&kw, "interface")) kind = OG_KIND_INTERFACE;
  else if (og_tok_is(&kw, "node")) kind = OG_KIND_NODE;
  else if (og_tok_is(&kw, "edge")) kind = OG_KIND_EDGE;
  else return sp_unexpected(p, &kw, "'node', 'edge' or 'interface'");
  if ((rc = sp_next(p, &name)) != OG_OK) return rc;
  if (name.kind != OG_TK_TYPENAME) return sp_unexpected(p, &name, "type name");
  if (!(b = bt_new(p, kind, &kw, &name))) return og_err_oom(p->err);
  if (kind == OG_KIND_INTERFACE) {
    if ((rc = sp_body(p, b, false)) != OG_OK) return rc;
    void *v;
    if (!og_map_sget(p->ifaces, b->t.name, &v) && og_map_sput(p->ifaces, b->t.name, b) != OG_OK)
      return og_err_oom(p->err);
  } else if (kind == OG_KIND_NODE) {
    if ((rc = sp_decl_annots(p, b)) != OG_OK) return rc;
    if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
    if (og_tok_is(pk, "implements")) {
      og_token t;
      if ((rc = sp_next(p, &t)) != OG_OK) return rc;
      for (;;) {
        og_token in;
        if ((rc = sp_next(p, &in)) != OG_OK) return rc;
        if (in.kind != OG_TK_TYPENAME) return sp_unexpected(p, &in, "interface name");
        /* impl and impl_pos grow in step; the second push counts its own copy */
        size_t npos = b->n_impl;
        OG_SCH_PUSH(p->a, b->impl, b->n_impl, b->cap_impl, in.str, return og_err_oom(p->err));
        OG_SCH_PUSH(p->a, b->impl_pos, npos, b->cap_impl_pos, tpos(&in), return og_err_oom(p->err));
        if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
        if (pk->kind != OG_TK_COMMA) break;
        if ((rc = sp_next(p, &t)) != OG_OK) return rc;
      }
    }
    if ((rc = sp_body(p, b, true)) != OG_OK) return rc;
  } else {
    og_token from, to;
    if ((rc = sp_expect(p, OG_TK_COLON, NULL)) != OG_OK) return rc;
    if ((rc = sp_next(p, &from)) != OG_OK) return rc;
    if (from.kind != OG_TK_TYPENAME) return sp_unexpected(p, &from, "source type name");
    if ((rc = sp_expect(p, OG_TK_ARROW, NULL)) != OG_OK) return rc;
    if ((rc = sp_next(p, &to)) != OG_OK) return rc;
    if (to.kind != OG_TK_TYPENAME) return sp_unexpected(p, &to, "target type name");
    b->t.from_type = from.str;
    b->t.to_type = to.str;
    og_token *t1, *t2;
    if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
    if (pk->kind == OG_TK_AT) {
      if ((rc = sp_peek(p, 1, &t1)) != OG_OK) return rc;
      if ((rc = sp_peek(p, 2, &t2)) != OG_OK) return rc;
      if (og_tok_is(t1, "card") && t2->kind == OG_TK_LPAREN) {
        og_token t, *mx;
        og_spos cpos = tpos(pk);
        if ((rc = sp_next(p, &t)) != OG_OK) return rc;
        if ((rc = sp_next(p, &t)) != OG_OK) return rc;
        if ((rc = sp_next(p, &t)) != OG_OK) return rc;
        if ((rc = sp_u32(p, &b->t.card_min)) != OG_OK) return rc;
        if ((rc = sp_expect(p, OG_TK_DOTDOT, NULL)) != OG_OK) return rc;
        if ((rc = sp_peek(p, 0, &mx)) != OG_OK) return rc;
        if (mx->kind == OG_TK_INT) {
          if ((rc = sp_u32(p, &b->t.card_max)) != OG_OK) return rc;
          b->t.card_has_max = true;
        }
        if ((rc = sp_expect(p, OG_TK_RPAREN, NULL)) != OG_OK) return rc;
        if (b->t.card_has_max && b->t.card_min > b->t.card_max)
          return sp_err(p, cpos, "cardinality min (%u) exceeds max (%u)", b->t.card_min, b->t.card_max);
      }
    }
    if ((rc = sp_decl_annots(p, b)) != OG_OK) return rc;
    for (size_t i = 0; i < b->n_annots; i++)
      if (strcmp(b->annots[i].name, "card") == 0)
        return sp_err(p, b->annots[i].pos, "@card must come before other edge annotations and take (min..max)");
    if ((rc = sp_peek(p, 0, &pk)) != OG_OK) return rc;
    if (pk->kind == OG_TK_LBRACE && (rc = sp_body(p, b, true)) != OG_OK) return rc;
  }
  OG_SCH_PUSH(p->a, p->decls, p->n_decls, p->cap_decls, b, return og_err_oom(p->err));
  return OG_OK;
}

/*==================== validation ====================*/

static const char *decl_target(sp *p, const bt_type *b) {
  return og_arena_printf(p->a, "%s %s", b->t.kind == OG_KIND_EDGE ? "edge" : "node", b->t.name);
}

static bool blank(const char *v) {
  if (!v) return true;
  for (; *v; v++)
    if (*v != ' ' && *v != '\t' && *v != '\n' && *v != '\r') return false;
  return true;
}

/* @description / @instruction: at most once, non-empty. */
static og_status check_meta(sp *p, const og_annot *an, size_t n, const char *target, bool with_instruction) {
  static const char *const metas[] = {"description", "instruction"};
  for (size_t m = 0; m < (with_instruction ? 2u : 1u); m++) {
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
      if (strcmp(an[i].name, metas[m]) != 0) continue;
      if (++seen > 1) return sp_err(p, an[i].pos, "%s declares @%s multiple times", target, metas[m]);
      if (blank(an[i].value))
        return sp_err(p, an[i].pos, "@%s on %s requires a non-empty value", metas[m], target);
    }
  }
  return OG_OK;
}

static bool kuie(const char *n) {
  return !strcmp(n, "key") || !strcmp(n, "unique") || !strcmp(n, "index") || !strcmp(n, "embed");
}

static og_status check_prop(sp *p, bt_type *b, const og_prop *pr) {
  og_status rc;
  const char *T = b->t.name;
  bool edge = b->t.kind == OG_KIND_EDGE;
  const char *seen[4] = {0};
  size_t nseen = 0;
  const char *target = og_arena_printf(p->a, "property %s.%s", T, pr->name);
  if (!target) return og_err_oom(p->err);
  if ((rc = check_meta(p, pr->annots, pr->n_annots, target, false)) != OG_OK) return rc;
  for (size_t i = 0; i < pr->n_annots; i++) {
    const og_annot *an = &pr->annots[i];
    const char *n = an->name;
    if (kuie(n) && pr->type.list)
      return sp_err(p, an->pos, "@%s is not supported on list property %s.%s", n, T, pr->name);
    if (pr->type.scalar == OG_SC_VECTOR && (!strcmp(n, "key") || !strcmp(n, "unique")))
      return sp_err(p, an->pos, "@%s is not supported on vector property %s.%s", n, T, pr->name);
    if (pr->type.scalar == OG_SC_BLOB && kuie(n))
      return sp_err(p, an->pos, "@%s is not supported on blob property %s.%s", n, T, pr->name);
    if (!strcmp(n, "instruction"))
      return sp_err(p, an->pos, "@instruction is only supported on node and edge types (property %s.%s)", T,
                    pr->name);
    if (edge && (!strcmp(n, "key") || !strcmp(n, "embed")))
      return sp_err(p, an->pos, "@%s is not supported on edge properties (edge %s.%s)", n, T, pr->name);
    if (kuie(n)) {
      for (size_t k = 0; k < nseen; k++)
        if (!strcmp(seen[k], n))
          return sp_err(p, an->pos, "property %s.%s declares @%s multiple times", T, pr->name, n);
      seen[nseen++] = n;
    }
    if (!strcmp(n, "embed")) {
      if (pr->type.scalar != OG_SC_VECTOR)
        return sp_err(p, an->pos, "@embed is only supported on vector properties (%s.%s)", T, pr->name);
      if (!an->value)
        return sp_err(p, an->pos, "@embed on %s.%s requires a source property name", T, pr->name);
      if (blank(an->value))
        return sp_err(p, an->pos, "@embed on %s.%s requires a non-empty source property name", T, pr->name);
      const og_prop *src = bt_prop(b, an->value);
      if (!src)
        return sp_err(p, an->pos, "@embed on %s.%s references unknown source property %s", T, pr->name,
                      an->value);
      if (src->type.scalar != OG_SC_STRING || src->type.list)
        return sp_err(p, an->pos, "@embed source property %s.%s must be String", T, src->name);
    }
  }
  return OG_OK;
}

static og_status desugar_prop(sp *p, bt_type *b, const og_prop *pr) {
  for (size_t i = 0; i < pr->n_annots; i++) {
    const og_annot *an = &pr->annots[i];
    og_constraint c;
    memset(&c, 0, sizeof(c));
    if (!strcmp(an->name, "key")) c.kind = OG_CK_KEY;
    else if (!strcmp(an->name, "unique")) c.kind = OG_CK_UNIQUE;
    else if (!strcmp(an->name, "index")) c.kind = OG_CK_INDEX;
    else continue;
    /* `@key` written with a value cannot reach here (it is a constraint). */
    const char **cols = og_arena_alloc(p->a, sizeof(*cols));
    if (!cols) return og_err_oom(p->err);
    cols[0] = pr->name;
    c.cols = cols;
    c.n_cols = 1;
    c.pos = an->pos;
    OG_SCH_PUSH(p->a, b->cons, b->n_cons, b->cap_cons, c, return og_err_oom(p->err));
  }
  return OG_OK;
}

static const char *ck_name(og_ckind k) {
  static const char *const n[] = {"key", "unique", "index", "range", "check"};
  return n[k];
}

static og_status check_constraints(sp *p, bt_type *b) {
  const char *T = b->t.name;
  bool edge = b->t.kind == OG_KIND_EDGE;
  int keys = 0;
  for (size_t i = 0; i < b->n_cons; i++) {
    const og_constraint *c = &b->cons[i];
    const char *kn = ck_name(c->kind);
    if (edge && (c->kind == OG_CK_KEY || c->kind == OG_CK_RANGE || c->kind == OG_CK_CHECK))
      return sp_err(p, c->pos, "@%s constraint is not supported on edges (edge %s)", kn, T);
    if (c->kind == OG_CK_KEY && ++keys > 1)
      return sp_err(p, c->pos, "node type %s has multiple @key constraints; only one is supported", T);
    for (size_t k = 0; k < c->n_cols; k++) {
      const char *col = c->cols[k];
      if (edge && (!strcmp(col, "src") || !strcmp(col, "dst"))) continue;
      const og_prop *pr = bt_prop(b, col);
      if (!pr) return sp_err(p, c->pos, "@%s on %s references unknown property '%s'", kn, T, col);
      const og_proptype *ty = &pr->type;
      char disp[256];
      switch (c->kind) {
        case OG_CK_KEY:
          if (ty->nullable) return sp_err(p, c->pos, "@key property %s.%s cannot be nullable", T, col);
          if (ty->list) return sp_err(p, c->pos, "@key is not supported on list property %s.%s", T, col);
          if (ty->scalar == OG_SC_VECTOR)
            return sp_err(p, c->pos, "@key is not supported on vector property %s.%s", T, col);
          if (ty->scalar == OG_SC_BLOB)
            return sp_err(p, c->pos, "@key is not supported on blob property %s.%s", T, col);
          break;
        case OG_CK_INDEX:
          if (ty->scalar == OG_SC_BLOB)
            return sp_err(p, c->pos, "@index is not supported on blob property %s.%s", T, col);
          break;
        case OG_CK_RANGE:
          if (!og_scalar_numeric(ty->scalar)) {
            og_proptype_display(ty, disp, sizeof(disp));
            return sp_err(p, c->pos, "@range on %s.%s requires a numeric type, got %s", T, col, disp);
          }
          break;
        case OG_CK_CHECK:
          if (ty->scalar != OG_SC_STRING) {
            og_proptype_display(ty, disp, sizeof(disp));
            return sp_err(p, c->pos, "@check on %s.%s requires String type, got %s", T, col, disp);
          }
          break;
        default:
          break;
      }
    }
  }
  return OG_OK;
}

/* Pass 1 (all nodes, in order): interface injection; a redeclared property
 * must have the identical type. */
static og_status inject_decl(sp *p, bt_type *b) {
  og_status rc;
  if (b->t.kind != OG_KIND_NODE) return OG_OK;
  for (size_t i = 0; i < b->n_impl; i++) {
    void *v;
    if (!og_map_sget(p->ifaces, b->impl[i], &v))
      return sp_err(p, b->impl_pos[i], "node %s implements unknown interface '%s'", b->t.name, b->impl[i]);
    const bt_type *in = v;
    for (size_t k = 0; k < in->n_props; k++) {
      const og_prop *ip = &in->props[k];
      og_prop *np = bt_prop(b, ip->name);
      if (np) {
        if (!og_proptype_equal(&np->type, &ip->type)) {
          char a1[256], a2[256];
          og_proptype_display(&np->type, a1, sizeof(a1));
          og_proptype_display(&ip->type, a2, sizeof(a2));
          return sp_err(p, np->pos, "node %s property '%s' has type %s but interface %s declares it as %s",
                        b->t.name, ip->name, a1, in->t.name, a2);
        }
        continue;
      }
      if ((rc = bt_add_prop(p, b, ip)) != OG_OK) return rc;
    }
  }
  return OG_OK;
}

/* Pass 2 (all declarations): declaration and property annotations. */
static og_status annots_decl(sp *p, bt_type *b) {
  og_status rc;
  if (b->t.kind == OG_KIND_INTERFACE) return OG_OK;
  const char *target = decl_target(p, b);
  if (!target) return og_err_oom(p->err);
  for (size_t i = 0; i < b->n_annots; i++) {
    const og_annot *an = &b->annots[i];
    if (!kuie(an->name)) continue;
    if (b->t.kind == OG_KIND_NODE)
      return sp_err(p, an->pos, "@%s is only supported on node properties or as body constraint (node %s)",
                    an->name, b->t.name);
    return sp_err(p, an->pos, "@%s is not supported on edges (edge %s)", an->name, b->t.name);
  }
  if ((rc = check_meta(p, b->annots, b->n_annots, target, true)) != OG_OK) return rc;
  for (size_t i = 0; i < b->n_props; i++)
    if ((rc = check_prop(p, b, &b->props[i])) != OG_OK) return rc;
  return OG_OK;
}

/* Pass 3 (all declarations): desugar property @key/@unique/@index after the
 * body constraints, then validate every constraint. */
static og_status cons_decl(sp *p, bt_type *b) {
  og_status rc;
  if (b->t.kind == OG_KIND_INTERFACE) return OG_OK;
  for (size_t i = 0; i < b->n_props; i++)
    if ((rc = desugar_prop(p, b, &b->props[i])) != OG_OK) return rc;
  return check_constraints(p, b);
}

/*==================== entry ====================*/

static void bt_freeze(bt_type *b) {
  b->t.annots = b->annots;
  b->t.n_annots = b->n_annots;
  b->t.props = b->props;
  b->t.n_props = b->n_props;
  b->t.cons = b->cons;
  b->t.n_cons = b->n_cons;
  b->t.implements = b->impl;
  b->t.n_implements = b->n_impl;
  b->t.prop_map = b->pmap;
  for (size_t i = 0; i < b->n_props; i++) {
    og_prop *pr = &b->props[i];
    pr->index = (uint32_t)i;
    og_annot_find(pr->annots, pr->n_annots, "embed", &pr->embed_source);
    og_annot_find(pr->annots, pr->n_annots, "description", &pr->description);
  }
  for (size_t i = 0; i < b->n_cons; i++)
    if (b->cons[i].kind == OG_CK_KEY && b->cons[i].n_cols > 0) {
      og_prop *kp = bt_prop(b, b->cons[i].cols[0]);
      if (kp) {
        kp->is_key = true;
        b->t.key_prop = kp;
      }
      break;
    }
  og_annot_find(b->annots, b->n_annots, "description", &b->t.description);
  og_annot_find(b->annots, b->n_annots, "instruction", &b->t.instruction);
}

og_status og_schema_parse(const char *src, size_t len, og_schema **out, og_error *err) {
  og_status rc = OG_OK;
  sp p;
  og_schema *s = NULL;
  memset(&p, 0, sizeof(p));
  *out = NULL;
  p.err = err;
  if (!(p.mem = og_sch_mem_new())) return og_err_oom(err);
  p.a = &p.mem->arena;
  og_lex_init(&p.lx, src, len, p.a);
  if (!(p.ifaces = og_sch_map_new(p.mem))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (;;) {
    og_token *pk;
    if ((rc = sp_peek(&p, 0, &pk)) != OG_OK) goto cleanup;
    if (pk->kind == OG_TK_EOF) break;
    if ((rc = sp_decl(&p)) != OG_OK) goto cleanup;
  }
  /* Same phase order as the reference: injection, annotations, constraints
   * (each over every declaration), so the first error reported matches. */
  for (size_t i = 0; i < p.n_decls; i++)
    if ((rc = inject_decl(&p, p.decls[i])) != OG_OK) goto cleanup;
  for (size_t i = 0; i < p.n_decls; i++)
    if ((rc = annots_decl(&p, p.decls[i])) != OG_OK) goto cleanup;
  for (size_t i = 0; i < p.n_decls; i++)
    if ((rc = cons_decl(&p, p.decls[i])) != OG_OK) goto cleanup;
  s = og_arena_zalloc(p.a, sizeof(*s));
  og_type *decls = og_arena_alloc(p.a, (p.n_decls ? p.n_decls : 1) * sizeof(*decls));
  if (!s || !decls) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (size_t i = 0; i < p.n_decls; i++) {
    bt_freeze(p.decls[i]);
    decls[i] = p.decls[i]->t;
  }
  s->decls = decls;
  s->n_decls = p.n_decls;
  s->priv = p.mem;
  *out = s;
  p.mem = NULL;
cleanup:
  og_sch_mem_free(p.mem);
  return rc;
}

void og_schema_free(og_schema *s) {
  if (!s) return;
  og_sch_mem_free(s->priv);
}
