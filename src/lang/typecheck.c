/*
 * typecheck.c — the `.gq` type checker (spec/languages.md §4). Checks stop at
 * the first error; messages and their order follow the spec's T-codes.
 *
 * Deliberate differences from the reference (spec §12 recommendations):
 *  - a `$var` in a binding prop-match that is not a declared param is an
 *    error (`variable `$x` is not bound`) instead of a silently ignored match;
 *  - mutations may mix inserts/updates with deletes: statements apply in
 *    order and each sees the previous ones (docs/queries.md).
 */
#include <stdio.h>
#include <string.h>

#include "lang/query_int.h"

typedef enum rkind { RK_SCALAR, RK_NODE, RK_AGG } rkind;

typedef struct rtype {
  rkind k;
  og_qtype t;            /* RK_SCALAR */
  const char *node_type; /* RK_NODE */
  const og_qlit *lit;    /* the literal, when the expression is one */
} rtype;

typedef struct scope_var {
  const char *name;
  const char *type;
} scope_var;

/* Variables in scope. A `not` block gets a child scope whose parent is the
 * outer one, so inner bindings never leak and nothing is copied. */
typedef struct scope {
  og_qhmap map; /* name -> type name */
  const struct scope *parent;
  scope_var *vars; /* this level's variables in binding order */
  size_t n, cap;
} scope;

typedef struct alias_ent {
  const char *name;
  rtype type;
  const og_qexpr *expr;
  size_t proj; /* index of the return item */
} alias_ent;

typedef struct tc {
  og_arena *a;
  const og_qcat *cat;
  const og_qdecl *d;
  og_error *err;
  og_qtyped *out;
  size_t travs_cap;
  alias_ent *aliases;
  size_t n_aliases, aliases_cap;
  og_qhmap alias_map;  /* name -> alias index + 1 (the latest wins) */
  og_qhmap param_map;  /* name -> og_qparam* */
  og_qhmap *trav_map;  /* clause -> travs index + 1 */
} tc;

static og_status terr(tc *c, og_qpos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static og_status terr(tc *c, og_qpos pos, const char *fmt, ...) {
  char msg[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return og_err_set_pos(c->err, OG_ETYPE, pos.line, pos.col, "type error: %s", msg);
}

static const og_qparam *find_param(const tc *c, const char *name) {
  void *v;
  return og_qhmap_sget(&c->param_map, name, &v) ? v : NULL;
}

static void scope_init(tc *c, scope *s, const scope *parent) {
  memset(s, 0, sizeof *s);
  og_qhmap_init(&s->map, c->a);
  s->parent = parent;
}

static const char *scope_get(const scope *s, const char *name) {
  for (; s; s = s->parent) {
    void *v;
    if (og_qhmap_sget(&s->map, name, &v)) return v;
  }
  return NULL;
}

static og_status scope_bind(tc *c, scope *s, const char *name, const char *type) {
  scope_var v = {name, type};
  OG_Q_PUSH(c->a, s->vars, s->n, s->cap, v, return og_err_oom(c->err));
  if (og_qhmap_sput(&s->map, name, (void *)type) != OG_OK) return og_err_oom(c->err);
  return OG_OK;
}

static bool is_anon(const char *v) { return strcmp(v, "_") == 0; }

/*---------------- type helpers ----------------*/

static void disp(const og_qtype *t, char *out, size_t cap) { og_qtype_display(t, out, cap); }

static void rdisp(const rtype *r, char *out, size_t cap) {
  if (r->k == RK_NODE) snprintf(out, cap, "node `%s`", r->node_type);
  else if (r->k == RK_AGG) snprintf(out, cap, "aggregate");
  else disp(&r->t, out, cap);
}

static bool scalar_compat(og_qscalar a, uint32_t ad, og_qscalar b, uint32_t bd) {
  if (og_qscalar_numeric(a) && og_qscalar_numeric(b)) return true;
  if (a != b) return false;
  return a != OG_QS_VECTOR || ad == bd;
}

/* §4.1: list-ness equal, scalar equal or both numeric; nullability and
 * enum-ness ignored; Vector(n) equal only to the same n. */
static bool compatible(const og_qtype *a, const og_qtype *b) {
  return a->list == b->list && scalar_compat(a->scalar, a->dim, b->scalar, b->dim);
}

static bool lit_is_numeric_list(const og_qlit *l) {
  if (l->kind != OG_QL_LIST || l->n_items == 0) return false;
  for (size_t k = 0; k < l->n_items; k++)
    if (l->items[k].kind != OG_QL_INT && l->items[k].kind != OG_QL_FLOAT) return false;
  return true;
}

static og_qscalar lit_scalar(og_qlit_kind k) {
  switch (k) {
    case OG_QL_STRING: return OG_QS_STRING;
    case OG_QL_INT: return OG_QS_I64;
    case OG_QL_FLOAT: return OG_QS_F64;
    case OG_QL_BOOL: return OG_QS_BOOL;
    case OG_QL_DATE: return OG_QS_DATE;
    case OG_QL_DATETIME: return OG_QS_DATETIME;
    default: return OG_QS_STRING;
  }
}

/* §3.3 literal typing (nested / mixed lists are errors). */
static og_status lit_type(tc *c, const og_qlit *l, og_qtype *t) {
  memset(t, 0, sizeof *t);
  if (l->kind != OG_QL_LIST) {
    t->scalar = lit_scalar(l->kind);
    return OG_OK;
  }
  t->list = true;
  t->scalar = OG_QS_STRING;
  for (size_t k = 0; k < l->n_items; k++) {
    const og_qlit *it = &l->items[k];
    if (it->kind == OG_QL_LIST) return terr(c, it->pos, "nested list literals are not supported");
    og_qscalar s = lit_scalar(it->kind);
    if (k == 0) t->scalar = s;
    else if (!scalar_compat(t->scalar, 0, s, 0))
      return terr(c, it->pos, "list literal elements must share a compatible scalar type");
  }
  return OG_OK;
}

static bool enum_has(const og_qtype *t, const char *s) {
  for (size_t k = 0; k < t->n_enum; k++)
    if (strcmp(t->enum_values[k], s) == 0) return true;
  return false;
}

static void enum_list(const og_qtype *t, char *out, size_t cap) {
  size_t o = 0;
  out[0] = 0;
  for (size_t k = 0; k < t->n_enum && o + 1 < cap; k++) {
    int w = snprintf(out + o, cap - o, "%s%s", k ? ", " : "", t->enum_values[k]);
    if (w < 0) break;
    o += (size_t)w;
  }
}

/*---------------- value checks (bindings, assignments, predicates) ----------------*/

typedef enum vctx { VC_MATCH, VC_ASSIGN, VC_PRED } vctx;

/* A literal against a property (T3). In MATCH/PRED context a scalar against a
 * list property means membership; in ASSIGN context the value replaces it. */
static og_status check_lit(tc *c, const og_qlit *l, const char *prop, const og_qtype *pt, vctx ctx) {
  char pd[256], ld[256];
  og_qtype lt;
  og_status rc = lit_type(c, l, &lt);
  if (rc != OG_OK) return rc;
  disp(pt, pd, sizeof pd);
  if (l->kind == OG_QL_LIST) {
    if (pt->scalar == OG_QS_VECTOR && !pt->list) {
      if (lit_is_numeric_list(l) && l->n_items != pt->dim)
        return terr(c, l->pos, "T3: property `%s` has type %s but got vector literal with %zu elements",
                    prop, pd, l->n_items);
      if (lit_is_numeric_list(l)) return OG_OK;
    }
    if (pt->list && ctx != VC_ASSIGN)
      return terr(c, l->pos,
                  "T3: list equality is not supported for property `%s`; use a scalar value to match list membership",
                  prop);
    if (pt->list && (l->n_items == 0 || scalar_compat(pt->scalar, 0, lt.scalar, 0))) {
      if (pt->n_enum)
        for (size_t k = 0; k < l->n_items; k++)
          if (!enum_has(pt, l->items[k].s)) {
            enum_list(pt, ld, sizeof ld);
            return terr(c, l->items[k].pos, "T3: property `%s` expects one of [%s], got '%s'", prop, ld,
                        l->items[k].s);
          }
      return OG_OK;
    }
    disp(&lt, ld, sizeof ld);
    return terr(c, l->pos, "T3: property `%s` has type %s but got %s", prop, pd, ld);
  }
  disp(&lt, ld, sizeof ld);
  if (pt->list) {
    if (ctx == VC_ASSIGN)
      return terr(c, l->pos, "T3: property `%s` has type %s but got %s", prop, pd, ld);
    if (!scalar_compat(pt->scalar, 0, lt.scalar, 0))
      return terr(c, l->pos, "T3: property `%s` has type %s but membership match got %s", prop, pd, ld);
  } else if (!scalar_compat(pt->scalar, pt->dim, lt.scalar, 0) || pt->scalar == OG_QS_VECTOR) {
    return terr(c, l->pos, "T3: property `%s` has type %s but got %s", prop, pd, ld);
  }
  if (pt->n_enum && l->kind == OG_QL_STRING && !enum_has(pt, l->s)) {
    enum_list(pt, ld, sizeof ld);
    return terr(c, l->pos, "T3: property `%s` expects one of [%s], got '%s'", prop, ld, l->s);
  }
  return OG_OK;
}

static og_status check_value(tc *c, const og_qvalue *v, const char *prop, const og_qtype *pt, vctx ctx) {
  char pd[256], vd[256];
  disp(pt, pd, sizeof pd);
  switch (v->kind) {
    case OG_QVAL_LIT: return check_lit(c, &v->lit, prop, pt, ctx);
    case OG_QVAL_NOW:
      if (pt->list || pt->scalar != OG_QS_DATETIME)
        return terr(c, v->pos, "T7: cannot assign/compare DateTime with %s for property `%s`", pd, prop);
      return OG_OK;
    case OG_QVAL_VAR: {
      const og_qparam *p = find_param(c, v->var);
      if (!p) {
        if (ctx == VC_MATCH) return terr(c, v->pos, "T6: variable `$%s` is not bound", v->var);
        return terr(c, v->pos, "T14: mutation variable `$%s` must be a declared query parameter", v->var);
      }
      disp(&p->type, vd, sizeof vd);
      if (pt->list && ctx != VC_ASSIGN) {
        if (p->type.list)
          return terr(c, v->pos,
                      "T7: list equality is not supported for property `%s`; use a scalar parameter for membership matching",
                      prop);
        if (!scalar_compat(pt->scalar, 0, p->type.scalar, p->type.dim) || p->type.scalar == OG_QS_VECTOR)
          return terr(c, v->pos, "T7: cannot compare %s membership against %s for property `%s`", vd, pd, prop);
        return OG_OK;
      }
      /* a String param may carry a Blob URI */
      if (ctx == VC_ASSIGN && pt->scalar == OG_QS_BLOB && !pt->list && !p->type.list &&
          p->type.scalar == OG_QS_STRING)
        return OG_OK;
      if (!compatible(&p->type, pt))
        return terr(c, v->pos, "T7: cannot assign/compare %s with %s for property `%s`", vd, pd, prop);
      return OG_OK;
    }
  }
  return OG_OK;
}

/*---------------- expressions ----------------*/

static og_status type_expr(tc *c, const scope *s, const og_qexpr *e, rtype *r);

static bool scalar_string(const rtype *r) {
  return r->k == RK_SCALAR && !r->t.list && r->t.scalar == OG_QS_STRING;
}

/* search/fuzzy/match_text/bm25 argument checks (T19 / T20). */
static og_status check_text_fn(tc *c, const scope *s, const og_qexpr *e, const char *fn, const char *code,
                               rtype *r) {
  rtype f, q;
  char d[256];
  og_status rc;
  if ((rc = type_expr(c, s, e->args[0], &f)) != OG_OK) return rc;
  rdisp(&f, d, sizeof d);
  if (f.k != RK_SCALAR)
    return terr(c, e->args[0]->pos, "%s: %s field must be a scalar String expression, got %s", code, fn, d);
  if (!scalar_string(&f)) return terr(c, e->args[0]->pos, "%s: %s field must be String, got %s", code, fn, d);
  if ((rc = type_expr(c, s, e->args[1], &q)) != OG_OK) return rc;
  rdisp(&q, d, sizeof d);
  if (q.k != RK_SCALAR)
    return terr(c, e->args[1]->pos, "%s: %s query must be a scalar String expression, got %s", code, fn, d);
  if (!scalar_string(&q)) return terr(c, e->args[1]->pos, "%s: %s query must be String, got %s", code, fn, d);
  if (e->nargs == 3) {
    rtype m;
    if ((rc = type_expr(c, s, e->args[2], &m)) != OG_OK) return rc;
    rdisp(&m, d, sizeof d);
    if (m.k != RK_SCALAR || m.t.list || !og_qscalar_integer(m.t.scalar))
      return terr(c, e->args[2]->pos, "%s: %s max_edits must be an integer scalar, got %s", code, fn, d);
  }
  memset(r, 0, sizeof *r);
  r->k = RK_SCALAR;
  r->t.scalar = e->kind == OG_QE_BM25 ? OG_QS_F64 : OG_QS_BOOL;
  return OG_OK;
}

static og_status check_nearest(tc *c, const scope *s, const og_qexpr *e, rtype *r) {
  const char *vt = is_anon(e->var) ? NULL : scope_get(s, e->var);
  char d[256], pd[256];
  og_status rc;
  if (!vt) return terr(c, e->pos, "T15: variable `$%s` is not bound", e->var);
  const og_qc_prop *p = og_qcat_prop(og_qcat_node(c->cat, vt), e->name);
  if (!p) return terr(c, e->pos, "T15: type `%s` has no property `%s`", vt, e->name);
  disp(&p->type, pd, sizeof pd);
  if (p->type.scalar != OG_QS_VECTOR || p->type.list)
    return terr(c, e->pos, "T15: nearest requires a Vector property, got %s.%s: %s", vt, e->name, pd);
  const og_qexpr *q = e->args[0];
  if (q->kind == OG_QE_LIT && lit_is_numeric_list(&q->lit)) {
    if (q->lit.n_items != p->type.dim)
      return terr(c, q->pos,
                  "T15: nearest vector dimension mismatch: property is Vector(%u), query literal has %zu elements",
                  p->type.dim, q->lit.n_items);
  } else {
    rtype qt;
    if ((rc = type_expr(c, s, q, &qt)) != OG_OK) return rc;
    rdisp(&qt, d, sizeof d);
    if (qt.k == RK_SCALAR && !qt.t.list && qt.t.scalar == OG_QS_VECTOR) {
      if (qt.t.dim != p->type.dim)
        return terr(c, q->pos, "T15: nearest vector dimension mismatch: property is Vector(%u), query is Vector(%u)",
                    p->type.dim, qt.t.dim);
    } else if (!scalar_string(&qt)) {
      return terr(c, q->pos, "T15: nearest query must be Vector(%u) or String, got %s", p->type.dim, d);
    }
  }
  memset(r, 0, sizeof *r);
  r->k = RK_SCALAR;
  r->t.scalar = OG_QS_F64;
  return OG_OK;
}

static const alias_ent *find_alias(const tc *c, const char *name) {
  void *v;
  return og_qhmap_sget(&c->alias_map, name, &v) ? &c->aliases[(size_t)(uintptr_t)v - 1] : NULL;
}

static og_status type_expr(tc *c, const scope *s, const og_qexpr *e, rtype *r) {
  og_status rc;
  char d[256];
  memset(r, 0, sizeof *r);
  r->k = RK_SCALAR;
  switch (e->kind) {
    case OG_QE_NOW: r->t.scalar = OG_QS_DATETIME; return OG_OK;
    case OG_QE_LIT:
      r->lit = &e->lit;
      return lit_type(c, &e->lit, &r->t);
    case OG_QE_PROP: {
      const char *vt = is_anon(e->var) ? NULL : scope_get(s, e->var);
      if (!vt) return terr(c, e->pos, "T6: variable `$%s` is not bound", e->var);
      const og_qc_prop *p = og_qcat_prop(og_qcat_node(c->cat, vt), e->name);
      if (!p) return terr(c, e->pos, "T6: type `%s` has no property `%s`", vt, e->name);
      r->t = p->type;
      return OG_OK;
    }
    case OG_QE_VAR: {
      const og_qparam *p = find_param(c, e->var);
      if (p) { r->t = p->type; return OG_OK; }
      const char *vt = is_anon(e->var) ? NULL : scope_get(s, e->var);
      if (!vt) return terr(c, e->pos, "variable `$%s` is not bound", e->var);
      r->k = RK_NODE;
      r->node_type = vt;
      return OG_OK;
    }
    case OG_QE_ALIAS: {
      const alias_ent *al = find_alias(c, e->name);
      if (al) *r = al->type;
      else r->k = RK_AGG; /* unknown alias: the reference types it "aggregate" */
      return OG_OK;
    }
    case OG_QE_AGG: {
      static const char *const names[] = {"count", "sum", "avg", "min", "max"};
      rtype a;
      if ((rc = type_expr(c, s, e->args[0], &a)) != OG_OK) return rc;
      rdisp(&a, d, sizeof d);
      if (e->agg == OG_QA_SUM || e->agg == OG_QA_AVG) {
        if (a.k != RK_SCALAR || a.t.list || !og_qscalar_numeric(a.t.scalar))
          return terr(c, e->args[0]->pos, "T8: %s requires numeric type, got %s", names[e->agg], d);
      } else if (e->agg == OG_QA_MIN || e->agg == OG_QA_MAX) {
        if (a.k != RK_SCALAR || a.t.list || !(og_qscalar_numeric(a.t.scalar) || a.t.scalar == OG_QS_STRING))
          return terr(c, e->args[0]->pos, "T8: %s requires numeric or string type, got %s", names[e->agg], d);
      }
      memset(r, 0, sizeof *r);
      r->k = RK_AGG;
      return OG_OK;
    }
    case OG_QE_NEAREST: return check_nearest(c, s, e, r);
    case OG_QE_SEARCH: return check_text_fn(c, s, e, "search", "T19", r);
    case OG_QE_FUZZY: return check_text_fn(c, s, e, "fuzzy", "T19", r);
    case OG_QE_MATCH_TEXT: return check_text_fn(c, s, e, "match_text", "T20", r);
    case OG_QE_BM25: return check_text_fn(c, s, e, "bm25", "T20", r);
    case OG_QE_RRF: {
      for (int k = 0; k < 2; k++) {
        const og_qexpr *a = e->args[k];
        rtype ar;
        if (a->kind != OG_QE_NEAREST && a->kind != OG_QE_BM25)
          return terr(c, a->pos, "T21: rrf arguments must be nearest(...) or bm25(...)");
        if ((rc = type_expr(c, s, a, &ar)) != OG_OK) return rc;
      }
      if (e->nargs == 3) {
        rtype kt;
        if ((rc = type_expr(c, s, e->args[2], &kt)) != OG_OK) return rc;
        rdisp(&kt, d, sizeof d);
        if (kt.k != RK_SCALAR || kt.t.list || !og_qscalar_integer(kt.t.scalar))
          return terr(c, e->args[2]->pos, "T21: rrf k must be an integer scalar, got %s", d);
        if (e->args[2]->kind == OG_QE_LIT && e->args[2]->lit.i <= 0)
          return terr(c, e->args[2]->pos, "T21: rrf k must be greater than 0");
      }
      r->t.scalar = OG_QS_F64;
      return OG_OK;
    }
  }
  return OG_OK;
}

/*---------------- match clauses ----------------*/

static og_status check_clauses(tc *c, scope *s, const og_qclause *cl, size_t n);

static og_status check_binding(tc *c, scope *s, const og_qclause *b) {
  og_status rc;
  const og_qc_type *t = og_qcat_node(c->cat, b->type_name);
  if (!t) return terr(c, b->pos, "T1: unknown node type `%s`", b->type_name);
  for (size_t k = 0; k < b->n_pmatches; k++) {
    const og_qpmatch *m = &b->pmatches[k];
    const og_qc_prop *p = og_qcat_prop(t, m->prop);
    if (!p) return terr(c, m->pos, "T2: type `%s` has no property `%s`", t->name, m->prop);
    if (p->type.scalar == OG_QS_BLOB)
      return terr(c, m->pos, "T3: blob property `%s.%s` cannot be used in match patterns", t->name, m->prop);
    if ((rc = check_value(c, &m->value, m->prop, &p->type, VC_MATCH)) != OG_OK) return rc;
  }
  if (is_anon(b->var)) return OG_OK;
  const char *prev = scope_get(s, b->var);
  if (prev && strcmp(prev, t->name) != 0)
    return terr(c, b->pos, "variable `$%s` already bound to type `%s`, cannot rebind to `%s`", b->var, prev,
                t->name);
  if (!prev) return scope_bind(c, s, b->var, t->name);
  return OG_OK;
}

static og_status check_traversal(tc *c, scope *s, const og_qclause *tr) {
  og_status rc;
  const og_qc_type *e = og_qcat_edge_ci(c->cat, tr->edge);
  if (!e) return terr(c, tr->pos, "T4: unknown edge type `%s`", tr->edge);
  if (tr->min_hops == 0) return terr(c, tr->pos, "T15: traversal min hop bound must be >= 1");
  if (!tr->has_max)
    return terr(c, tr->pos, "T15: unbounded traversal is disabled; use bounded traversal {min,max}");
  if (tr->max_hops < tr->min_hops)
    return terr(c, tr->pos, "T15: invalid traversal bounds {%u,%u}; max must be >= min", tr->min_hops,
                tr->max_hops);
  const char *F = e->from_type, *T = e->to_type;
  bool a_anon = is_anon(tr->var), b_anon = is_anon(tr->dst);
  const char *at = a_anon ? NULL : scope_get(s, tr->var);
  const char *bt = b_anon ? NULL : scope_get(s, tr->dst);
  og_qdir dir = OG_QDIR_OUT;
  if (at) {
    if (strcmp(at, F) == 0) dir = OG_QDIR_OUT;
    else if (strcmp(at, T) == 0) dir = OG_QDIR_IN;
    else
      return terr(c, tr->pos, "T5: variable `$%s` has type `%s`, which is not an endpoint of edge `%s: %s -> %s`",
                  tr->var, at, e->name, F, T);
  } else if (bt) {
    if (strcmp(bt, T) == 0) dir = OG_QDIR_OUT;
    else if (strcmp(bt, F) == 0) dir = OG_QDIR_IN;
    else
      return terr(c, tr->pos, "T5: variable `$%s` has type `%s`, which is not an endpoint of edge `%s: %s -> %s`",
                  tr->dst, bt, e->name, F, T);
  }
  const char *want_a = dir == OG_QDIR_OUT ? F : T, *want_b = dir == OG_QDIR_OUT ? T : F;
  if (bt && strcmp(bt, want_b) != 0)
    return terr(c, tr->pos, "T5: variable `$%s` has type `%s` but edge `%s` expects `%s`", tr->dst, bt, e->name,
                want_b);
  if (!a_anon && !at && (rc = scope_bind(c, s, tr->var, want_a)) != OG_OK) return rc;
  if (!b_anon && !bt && (rc = scope_bind(c, s, tr->dst, want_b)) != OG_OK) return rc;
  og_qtrav_info ti = {tr, e->name, dir, want_a, want_b};
  OG_Q_PUSH(c->a, c->out->travs, c->out->n_travs, c->travs_cap, ti, return og_err_oom(c->err));
  if (og_qhmap_put(c->trav_map, tr, 0, (void *)(uintptr_t)c->out->n_travs) != OG_OK) return og_err_oom(c->err);
  return OG_OK;
}

static og_status check_filter(tc *c, scope *s, const og_qclause *f) {
  og_status rc;
  rtype l, r;
  char ld[256], rd[256];
  if ((rc = type_expr(c, s, f->left, &l)) != OG_OK) return rc;
  if (f->kind == OG_QC_SEARCH) return OG_OK; /* `call = true`: the call is Bool by construction */
  if ((rc = type_expr(c, s, f->right, &r)) != OG_OK) return rc;
  rdisp(&l, ld, sizeof ld);
  rdisp(&r, rd, sizeof rd);
  if (l.k != RK_SCALAR || r.k != RK_SCALAR)
    return terr(c, f->pos, "T7: filter comparisons require scalar operands, got %s and %s", ld, rd);
  if (f->op == OG_QOP_CONTAINS) {
    if (!l.t.list) return terr(c, f->pos, "T7: contains requires a list property on the left, got %s", ld);
    if (r.t.list) return terr(c, f->pos, "T7: contains requires a scalar right operand");
    if (l.t.scalar == OG_QS_VECTOR || r.t.scalar == OG_QS_VECTOR)
      return terr(c, f->pos, "T7: vector membership filters are not supported");
    if (!scalar_compat(l.t.scalar, 0, r.t.scalar, 0))
      return terr(c, f->pos, "T7: cannot test membership of %s in %s", rd, ld);
    return OG_OK;
  }
  if (l.t.list || r.t.list)
    return terr(c, f->pos, "T7: list comparisons in filters are not supported; use `contains` for list membership");
  if (l.t.scalar == OG_QS_VECTOR || r.t.scalar == OG_QS_VECTOR)
    return terr(c, f->pos, "T7: vector comparisons in filters are not supported");
  if (l.t.scalar == OG_QS_BLOB || r.t.scalar == OG_QS_BLOB)
    return terr(c, f->pos, "T7: blob comparisons in filters are not supported");
  if (!compatible(&l.t, &r.t)) return terr(c, f->pos, "T7: cannot compare %s with %s", ld, rd);
  return OG_OK;
}

/* Does the expression / clause mention a variable of the outer scope? */
static bool expr_mentions(const og_qexpr *e, const scope *outer) {
  if (!e) return false;
  if ((e->kind == OG_QE_PROP || e->kind == OG_QE_VAR || e->kind == OG_QE_NEAREST) && !is_anon(e->var) &&
      scope_get(outer, e->var))
    return true;
  for (int k = 0; k < e->nargs; k++)
    if (expr_mentions(e->args[k], outer)) return true;
  return false;
}

static bool clause_mentions(const og_qclause *cl, const scope *outer) {
  switch (cl->kind) {
    case OG_QC_BINDING: return !is_anon(cl->var) && scope_get(outer, cl->var);
    case OG_QC_TRAVERSAL:
      return (!is_anon(cl->var) && scope_get(outer, cl->var)) || (!is_anon(cl->dst) && scope_get(outer, cl->dst));
    case OG_QC_FILTER:
    case OG_QC_SEARCH: return expr_mentions(cl->left, outer) || expr_mentions(cl->right, outer);
    case OG_QC_NOT:
      for (size_t k = 0; k < cl->n_inner; k++)
        if (clause_mentions(&cl->inner[k], outer)) return true;
      return false;
  }
  return false;
}

static og_status check_clauses(tc *c, scope *s, const og_qclause *cl, size_t n) {
  og_status rc = OG_OK;
  for (size_t k = 0; k < n && rc == OG_OK; k++) {
    const og_qclause *x = &cl[k];
    switch (x->kind) {
      case OG_QC_BINDING: rc = check_binding(c, s, x); break;
      case OG_QC_TRAVERSAL: rc = check_traversal(c, s, x); break;
      case OG_QC_FILTER:
      case OG_QC_SEARCH: rc = check_filter(c, s, x); break;
      case OG_QC_NOT: {
        /* inner bindings do not leak: a child scope */
        scope inner;
        scope_init(c, &inner, s);
        rc = check_clauses(c, &inner, x->inner, x->n_inner);
        if (rc == OG_OK && !clause_mentions(x, s))
          rc = terr(c, x->pos, "T9: negation block must reference at least one outer-bound variable");
        break;
      }
    }
  }
  return rc;
}

/*---------------- read queries ----------------*/

static bool expr_is_nearest_like(const tc *c, const og_qexpr *e, og_qexpr_kind k) {
  if (e->kind == k) return true;
  if (e->kind == OG_QE_ALIAS) {
    const alias_ent *al = find_alias(c, e->name);
    return al && al->expr->kind == k;
  }
  return false;
}

static og_status check_read(tc *c) {
  og_status rc;
  const og_qdecl *d = c->d;
  scope s;
  scope_init(c, &s, NULL);
  if ((rc = check_clauses(c, &s, d->clauses, d->n_clauses)) != OG_OK) return rc;
  c->out->vars = og_arena_alloc(c->a, (s.n ? s.n : 1) * sizeof(og_qvar));
  if (!c->out->vars) return og_err_oom(c->err);
  for (size_t k = 0; k < s.n; k++) {
    c->out->vars[k].name = s.vars[k].name;
    c->out->vars[k].type_name = s.vars[k].type;
  }
  c->out->n_vars = s.n;
  bool any_agg = false;
  c->out->cols = og_arena_zalloc(c->a, (d->n_projs ? d->n_projs : 1) * sizeof(og_qcol));
  if (!c->out->cols) return og_err_oom(c->err);
  c->out->n_cols = d->n_projs;
  for (size_t k = 0; k < d->n_projs; k++) {
    rtype r;
    const og_qexpr *pe = d->projs[k].expr;
    if ((rc = type_expr(c, &s, pe, &r)) != OG_OK) return rc;
    if (pe->kind == OG_QE_AGG) any_agg = true;
    og_qcol *col = &c->out->cols[k];
    col->name = d->projs[k].alias ? d->projs[k].alias : og_q_default_column(c->a, pe);
    if (!col->name) return og_err_oom(c->err);
    if (pe->kind == OG_QE_AGG) {
      col->is_agg = true;
      if (pe->agg == OG_QA_COUNT) {
        col->type.scalar = OG_QS_I64;
      } else if (pe->agg == OG_QA_SUM || pe->agg == OG_QA_AVG) {
        col->type.scalar = OG_QS_F64;
        col->type.nullable = true;
      } else {
        rtype a;
        if ((rc = type_expr(c, &s, pe->args[0], &a)) != OG_OK) return rc;
        col->type = a.t;
        col->type.nullable = true;
      }
    } else if (pe->kind == OG_QE_ALIAS) {
      const alias_ent *al = find_alias(c, pe->name);
      if (al) {
        *col = c->out->cols[al->proj];
        col->name = d->projs[k].alias ? d->projs[k].alias : pe->name;
      } else {
        col->unknown = true;
      }
    } else if (r.k == RK_NODE) {
      col->node_type = r.node_type;
      col->type.scalar = OG_QS_STRING;
    } else {
      col->type = r.t;
    }
    if (d->projs[k].alias) {
      alias_ent al = {d->projs[k].alias, r, d->projs[k].expr, k};
      OG_Q_PUSH(c->a, c->aliases, c->n_aliases, c->aliases_cap, al, return og_err_oom(c->err));
      if (og_qhmap_sput(&c->alias_map, al.name, (void *)(uintptr_t)c->n_aliases) != OG_OK) return og_err_oom(c->err);
    }
  }
  bool has_rrf = false, has_nearest = false, has_alias_key = false;
  for (size_t k = 0; k < d->n_orders; k++) {
    rtype r;
    const og_qexpr *e = d->orders[k].expr;
    if ((rc = type_expr(c, &s, e, &r)) != OG_OK) return rc;
    if (expr_is_nearest_like(c, e, OG_QE_RRF)) has_rrf = true;
    if (expr_is_nearest_like(c, e, OG_QE_NEAREST)) has_nearest = true;
    if (e->kind == OG_QE_ALIAS) has_alias_key = true;
  }
  og_qpos p0 = d->n_orders ? d->orders[0].expr->pos : d->pos;
  if (has_rrf && !d->has_limit) return terr(c, p0, "T21: rrf ordering requires a limit clause");
  if (has_nearest && !d->has_limit) return terr(c, p0, "T17: nearest ordering requires a limit clause");
  if (has_nearest && has_alias_key)
    return terr(c, p0, "T18: alias-based ordering is not supported together with nearest in phase 1");
  if (any_agg) {
    for (size_t k = 0; k < d->n_projs; k++) {
      og_qexpr_kind ek = d->projs[k].expr->kind;
      if (ek != OG_QE_AGG && ek != OG_QE_PROP && ek != OG_QE_VAR)
        return terr(c, d->projs[k].expr->pos,
                    "T9: non-aggregate expressions in an aggregate query must be property accesses or variables");
    }
  }
  c->out->has_aggregate = any_agg;
  return OG_OK;
}

/*---------------- mutations ----------------*/

static og_status check_pred(tc *c, const og_qc_type *t, const og_qmut *m) {
  og_qtype st;
  memset(&st, 0, sizeof st);
  st.scalar = OG_QS_STRING;
  const og_qtype *pt;
  if (t->is_edge && (strcmp(m->pred_prop, "from") == 0 || strcmp(m->pred_prop, "to") == 0)) {
    pt = &st;
  } else {
    const og_qc_prop *p = og_qcat_prop(t, m->pred_prop);
    if (!p) return terr(c, m->pred_pos, "T11: type `%s` has no property `%s`", t->name, m->pred_prop);
    if (p->type.scalar == OG_QS_BLOB)
      return terr(c, m->pred_pos, "T11: blob property `%s` cannot be used in WHERE predicates", m->pred_prop);
    pt = &p->type;
  }
  return check_value(c, &m->pred_value, m->pred_prop, pt, VC_PRED);
}

static og_status check_assigns(tc *c, const og_qc_type *t, const og_qmut *m) {
  og_status rc;
  og_qtype st;
  memset(&st, 0, sizeof st);
  st.scalar = OG_QS_STRING;
  if (m->n_assigns == 0)
    return terr(c, m->pos, "T10: %s mutation requires at least one assignment",
                m->kind == OG_QM_INSERT ? "insert" : "update");
  og_qhmap seen;
  og_qhmap_init(&seen, c->a);
  for (size_t k = 0; k < m->n_assigns; k++) {
    if (og_qhmap_sget(&seen, m->assigns[k].prop, NULL))
      return terr(c, m->assigns[k].pos, "T13: duplicate assignment for property `%s`", m->assigns[k].prop);
    if (og_qhmap_sput(&seen, m->assigns[k].prop, (void *)1) != OG_OK) return og_err_oom(c->err);
  }
  for (size_t k = 0; k < m->n_assigns; k++) {
    const og_qassign *a = &m->assigns[k];
    const og_qtype *pt;
    if (t->is_edge && m->kind == OG_QM_INSERT && (strcmp(a->prop, "from") == 0 || strcmp(a->prop, "to") == 0)) {
      pt = &st;
    } else {
      const og_qc_prop *p = og_qcat_prop(t, a->prop);
      if (!p) return terr(c, a->pos, "T11: type `%s` has no property `%s`", t->name, a->prop);
      pt = &p->type;
    }
    if ((rc = check_value(c, &a->value, a->prop, pt, VC_ASSIGN)) != OG_OK) return rc;
  }
  return OG_OK;
}

static bool assigned(const og_qmut *m, const char *prop) {
  for (size_t k = 0; k < m->n_assigns; k++)
    if (strcmp(m->assigns[k].prop, prop) == 0) return true;
  return false;
}

static og_status check_mutation(tc *c) {
  og_status rc;
  const og_qdecl *d = c->d;
  c->out->targets = og_arena_alloc(c->a, (d->n_muts ? d->n_muts : 1) * sizeof(char *));
  c->out->target_is_edge = og_arena_alloc(c->a, (d->n_muts ? d->n_muts : 1) * sizeof(bool));
  if (!c->out->targets || !c->out->target_is_edge) return og_err_oom(c->err);
  for (size_t k = 0; k < d->n_muts; k++) {
    const og_qmut *m = &d->muts[k];
    const og_qc_type *t = og_qcat_node(c->cat, m->type_name);
    if (!t) t = og_qcat_edge_ci(c->cat, m->type_name);
    if (!t) return terr(c, m->pos, "T10: unknown node/edge type `%s`", m->type_name);
    switch (m->kind) {
      case OG_QM_INSERT:
        if ((rc = check_assigns(c, t, m)) != OG_OK) return rc;
        if (t->is_edge) {
          if (!assigned(m, "from"))
            return terr(c, m->pos, "T12: insert for `%s` must provide required endpoint `from`", t->name);
          if (!assigned(m, "to"))
            return terr(c, m->pos, "T12: insert for `%s` must provide required endpoint `to`", t->name);
        }
        for (size_t j = 0; j < t->n_props; j++) {
          const og_qc_prop *p = &t->props[j];
          if (p->type.nullable || assigned(m, p->name)) continue;
          if (p->embed_src && assigned(m, p->embed_src)) continue;
          if (p->embed_src)
            return terr(c, m->pos, "T12: insert for `%s` must provide non-nullable property `%s` or @embed source `%s`",
                        t->name, p->name, p->embed_src);
          return terr(c, m->pos, "T12: insert for `%s` must provide non-nullable property `%s`", t->name, p->name);
        }
        break;
      case OG_QM_UPDATE:
        if (t->is_edge)
          return terr(c, m->pos, "T16: update mutation for edge type `%s` is not supported", t->name);
        if ((rc = check_assigns(c, t, m)) != OG_OK) return rc;
        if ((rc = check_pred(c, t, m)) != OG_OK) return rc;
        break;
      case OG_QM_DELETE:
        if ((rc = check_pred(c, t, m)) != OG_OK) return rc;
        break;
    }
    c->out->targets[k] = t->name;
    c->out->target_is_edge[k] = t->is_edge;
  }
  c->out->n_targets = d->n_muts;
  return OG_OK;
}

/*---------------- entry points ----------------*/

static og_status check_params(tc *c) {
  for (size_t k = c->d->n_params; k-- > 0;) /* the first declaration of a name wins */
    if (og_qhmap_sput(&c->param_map, c->d->params[k].name, (void *)&c->d->params[k]) != OG_OK)
      return og_err_oom(c->err);
  for (size_t k = 0; k < c->d->n_params; k++) {
    const og_qparam *p = &c->d->params[k];
    if (strcmp(p->name, OG_QNOW_PARAM) == 0)
      return terr(c, p->pos, "parameter name `$%s` is reserved for runtime timestamp injection", p->name);
    if (!p->type_ok)
      return terr(c, p->pos, "unknown parameter type `%s` for `$%s`", p->type_text, p->name);
  }
  return OG_OK;
}

og_status og_query_check_view(const og_qcat *view, const struct og_catalog *cat, const og_qdecl *d,
                              og_qtyped **out, og_error *err) {
  og_status rc = OG_OK;
  *out = NULL;
  og_qtyped *t = og_calloc(1, sizeof *t);
  if (!t) return og_err_oom(err);
  og_arena_init(&t->arena, 0);
  t->decl = d;
  t->cat = cat;
  t->is_mutation = d->is_mutation;
  t->view = view;
  tc c;
  memset(&c, 0, sizeof c);
  c.a = &t->arena;
  c.cat = view;
  c.d = d;
  c.err = err;
  c.out = t;
  og_qhmap_init(&c.alias_map, c.a);
  og_qhmap_init(&c.param_map, c.a);
  c.trav_map = og_arena_zalloc(c.a, sizeof *c.trav_map);
  if (!c.trav_map) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  og_qhmap_init(c.trav_map, c.a);
  t->trav_index = c.trav_map;
  if ((rc = check_params(&c)) != OG_OK) goto cleanup;
  rc = d->is_mutation ? check_mutation(&c) : check_read(&c);
cleanup:
  if (rc != OG_OK) og_qtyped_free(t);
  else *out = t;
  return rc;
}

og_status og_query_check(const struct og_catalog *cat, const og_qdecl *d, og_qtyped **out, og_error *err) {
  og_status rc;
  og_arena tmp;
  og_qcat *view;
  *out = NULL;
  /* the view lives in the typed query's arena: build it in a scratch arena
   * first, then move ownership by checking with it and keeping the arena */
  og_arena_init(&tmp, 0);
  view = og_arena_zalloc(&tmp, sizeof *view);
  if (!view) {
    og_arena_dispose(&tmp);
    return og_err_oom(err);
  }
  if ((rc = og_qcat_build(&tmp, cat, view, err)) != OG_OK) {
    og_arena_dispose(&tmp);
    return rc;
  }
  rc = og_query_check_view(view, cat, d, out, err);
  if (rc != OG_OK) {
    og_arena_dispose(&tmp);
    return rc;
  }
  (*out)->view_arena = tmp;
  return OG_OK;
}

og_status og_query_check_read(const struct og_catalog *cat, const og_qdecl *d, og_qtyped **out, og_error *err) {
  *out = NULL;
  if (d->is_mutation)
    return og_err_set_pos(err, OG_ETYPE, d->pos.line, d->pos.col,
                          "type error: mutation query cannot be typechecked with read-query API");
  return og_query_check(cat, d, out, err);
}

og_status og_query_check_mutation(const struct og_catalog *cat, const og_qdecl *d, og_qtyped **out,
                                  og_error *err) {
  *out = NULL;
  if (!d->is_mutation)
    return og_err_set_pos(err, OG_EINVAL, d->pos.line, d->pos.col,
                          "mutation execution called on a read query; use query instead");
  return og_query_check(cat, d, out, err);
}

void og_qtyped_free(og_qtyped *t) {
  if (!t) return;
  og_arena_dispose(&t->arena);
  og_arena_dispose(&t->view_arena);
  og_free(t);
}

const char *og_qtyped_var_type(const og_qtyped *t, const char *var) {
  for (size_t k = 0; k < t->n_vars; k++)
    if (strcmp(t->vars[k].name, var) == 0) return t->vars[k].type_name;
  return NULL;
}

const og_qtrav_info *og_qtyped_trav(const og_qtyped *t, const og_qclause *c) {
  void *v;
  if (!t->trav_index || !og_qhmap_get(t->trav_index, c, 0, &v)) return NULL;
  return &t->travs[(size_t)(uintptr_t)v - 1];
}
