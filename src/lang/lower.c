/*
 * lower.c — typed query → IR pipeline (spec/languages.md §0, §5.1;
 * spec/data.md §8.1) and the IR debug rendering.
 *
 * Read lowering:
 *  1. Variables connected by traversals form components (`$_` never joins).
 *     In each component the first binding is the root and is scanned with its
 *     prop-matches pushed down; later bindings of a component variable are
 *     deferred: their prop-matches become destination filters of the Expand
 *     that introduces the variable (or Filters when it is already bound).
 *     A component with no binding scans its first traversal's source
 *     implicitly (recommended fix of §5.1 step 3). Further roots are
 *     cross-joined in declaration order.
 *  2. Traversals become Expands, repeatedly taking the first one with a bound
 *     endpoint: source bound → expand forward; only destination bound →
 *     expand backwards; both bound → expand into `__temp_<dst>` and keep rows
 *     whose temp equals dst (cycle closing).
 *  3. search/fuzzy/match_text clauses on a root variable are hoisted into its
 *     scan; elsewhere they are Filters (recommended fix of §5.8).
 *  4. Filters in source order, then AntiJoins (`not`) in source order; an
 *     AntiJoin's sub-pipeline starts from the outer row.
 *  5. A first order key nearest()/bm25()/rrf() becomes a ranking op right
 *     after the ranked variable's scan (or after the filters when that
 *     variable is not a root); later keys are then ignored (§5.8).
 *  6. Project (or Aggregate), Order, Limit.
 * `now()` is the runtime parameter OG_QNOW_PARAM.
 */
#include <inttypes.h>
#include <string.h>

#include "lang/query_int.h"

typedef struct lw {
  og_arena *a;
  const og_qtyped *t;
  const og_qdecl *d;
  og_error *err;
  og_status rc;
} lw;

typedef struct pipe_b {
  og_qir_pipe p;
  size_t cap;
} pipe_b;

/* An ordered set of variable names with O(1) membership. */
typedef struct names {
  og_qhmap map; /* name -> index + 1 */
  const char **v;
  size_t n, cap;
  const struct names *parent; /* outer set (a `not` block sees the outer row) */
} names;

static bool is_anon(const char *v) { return strcmp(v, "_") == 0; }

static void names_init(lw *L, names *s) {
  memset(s, 0, sizeof *s);
  og_qhmap_init(&s->map, L->a);
}

static bool names_has(const names *s, const char *v) {
  for (; s; s = s->parent)
    if (og_qhmap_sget(&s->map, v, NULL)) return true;
  return false;
}

static bool names_add(lw *L, names *s, const char *v) {
  if (names_has(s, v)) return true;
  OG_Q_PUSH(L->a, s->v, s->n, s->cap, v, { L->rc = og_err_oom(L->err); return false; });
  if (og_qhmap_sput(&s->map, v, (void *)(uintptr_t)s->n) != OG_OK) {
    L->rc = og_err_oom(L->err);
    return false;
  }
  return true;
}

static size_t var_index(const names *s, const char *v) {
  void *x;
  return og_qhmap_sget(&s->map, v, &x) ? (size_t)(uintptr_t)x - 1 : (size_t)-1;
}

static og_qir_op *emit(lw *L, pipe_b *pb, og_qir_kind k) {
  og_qir_op op;
  memset(&op, 0, sizeof op);
  op.kind = k;
  OG_Q_PUSH(L->a, pb->p.ops, pb->p.n_ops, pb->cap, op, { L->rc = og_err_oom(L->err); return NULL; });
  return &pb->p.ops[pb->p.n_ops - 1];
}

static const og_qc_prop *prop_of(lw *L, const char *type, const char *prop) {
  return og_qcat_prop(og_qcat_node(L->t->view, type), prop);
}

/* Append the prop-matches of a binding as predicates (EQ, or CONTAINS on list
 * properties). */
static bool add_preds(lw *L, og_qir_op *op, size_t *cap, const og_qclause *b) {
  for (size_t k = 0; k < b->n_pmatches; k++) {
    const og_qc_prop *p = prop_of(L, b->type_name, b->pmatches[k].prop);
    og_qir_pred pr;
    memset(&pr, 0, sizeof pr);
    pr.prop = b->pmatches[k].prop;
    pr.value = b->pmatches[k].value;
    if (p) pr.prop_type = p->type;
    pr.op = p && p->type.list ? OG_QOP_CONTAINS : OG_QOP_EQ;
    OG_Q_PUSH(L->a, op->preds, op->n_preds, *cap, pr, { L->rc = og_err_oom(L->err); return false; });
  }
  return true;
}

static og_qexpr *mk_expr(lw *L, og_qexpr_kind k, og_qpos pos) {
  og_qexpr *e = og_arena_zalloc(L->a, sizeof *e);
  if (!e) { L->rc = og_err_oom(L->err); return NULL; }
  e->kind = k;
  e->pos = pos;
  return e;
}

/* A binding on an already-bound variable: its prop-matches become Filters. */
static bool binding_filters(lw *L, pipe_b *pb, const og_qclause *b) {
  for (size_t k = 0; k < b->n_pmatches; k++) {
    const og_qpmatch *m = &b->pmatches[k];
    const og_qc_prop *p = prop_of(L, b->type_name, m->prop);
    og_qexpr *l = mk_expr(L, OG_QE_PROP, m->pos), *r = mk_expr(L, OG_QE_LIT, m->value.pos);
    if (!l || !r) return false;
    l->var = b->var;
    l->name = m->prop;
    if (m->value.kind == OG_QVAL_LIT) r->lit = m->value.lit;
    else if (m->value.kind == OG_QVAL_VAR) { r->kind = OG_QE_VAR; r->var = m->value.var; }
    else r->kind = OG_QE_NOW;
    og_qir_op *op = emit(L, pb, OG_QIR_FILTER);
    if (!op) return false;
    op->left = l;
    op->right = r;
    op->op = p && p->type.list ? OG_QOP_CONTAINS : OG_QOP_EQ;
  }
  return true;
}

/* Root variable of the search clause's field, when it is `$v.prop`. */
static const char *search_var(const og_qclause *c) {
  const og_qexpr *f = c->left->args[0];
  return f && f->kind == OG_QE_PROP ? f->var : NULL;
}

typedef struct rank_req {
  const og_qexpr *rank; /* nearest / bm25 / rrf as first order key */
  const char *var;
  bool placed;
} rank_req;

static const char *rank_var(const og_qexpr *e) {
  if (e->kind == OG_QE_NEAREST) return e->var;
  if (e->kind == OG_QE_BM25) return e->args[0]->kind == OG_QE_PROP ? e->args[0]->var : NULL;
  if (e->kind == OG_QE_RRF) return rank_var(e->args[0]);
  return NULL;
}

static bool emit_rank(lw *L, pipe_b *pb, rank_req *rq) {
  og_qir_kind k = rq->rank->kind == OG_QE_NEAREST ? OG_QIR_VECTOR_TOPK
                  : rq->rank->kind == OG_QE_BM25  ? OG_QIR_BM25_RANK
                                                  : OG_QIR_RRF;
  og_qir_op *op = emit(L, pb, k);
  if (!op) return false;
  op->var = rq->var;
  op->rank = rq->rank;
  op->limit = L->d->has_limit ? L->d->limit : -1;
  rq->placed = true;
  return true;
}

static size_t uf_find(size_t *parent, size_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/* Per-variable clause lists (index chains), so each clause is visited O(1)
 * times whatever the shape of the match block. */
typedef struct clause_index {
  size_t *bind_head, *search_head, *trav_head; /* by variable index; n = none */
  size_t *bind_next, *search_next;             /* by clause index */
  size_t *trav_next;                           /* by 2*clause (+1 for the dst end) */
} clause_index;

/* Min-heap of ready traversal clause indices: taking the smallest ready one
 * reproduces "the first traversal in source order with a bound endpoint". */
typedef struct heap {
  size_t *v;
  size_t n, cap;
} heap;

static bool heap_push(lw *L, heap *h, size_t x) {
  OG_Q_PUSH(L->a, h->v, h->n, h->cap, x, { L->rc = og_err_oom(L->err); return false; });
  for (size_t i = h->n - 1; i > 0;) {
    size_t p = (i - 1) / 2;
    if (h->v[p] <= h->v[i]) break;
    size_t t = h->v[p];
    h->v[p] = h->v[i];
    h->v[i] = t;
    i = p;
  }
  return true;
}

static size_t heap_pop(heap *h) {
  size_t top = h->v[0];
  h->v[0] = h->v[--h->n];
  for (size_t i = 0;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->n && h->v[l] < h->v[m]) m = l;
    if (r < h->n && h->v[r] < h->v[m]) m = r;
    if (m == i) break;
    size_t t = h->v[m];
    h->v[m] = h->v[i];
    h->v[i] = t;
    i = m;
  }
  return top;
}

static bool lower_clauses(lw *L, pipe_b *pb, const og_qclause *cl, size_t n, names *bound, bool has_source,
                          rank_req *rq);

/* Scan a root variable (NodeScan, or CrossJoin of a scan when rows exist),
 * merging every binding of the variable and hoisting its text predicates. */
static bool emit_scan(lw *L, pipe_b *pb, bool *has_source, const char *var, size_t vi, const char *type,
                      const og_qclause *cl, size_t n, const clause_index *ix, bool *used, rank_req *rq) {
  pipe_b sub = {{NULL, 0}, 0};
  pipe_b *target = *has_source ? &sub : pb;
  og_qir_op *op = emit(L, target, OG_QIR_NODE_SCAN);
  if (!op) return false;
  op->var = var;
  op->type_name = type;
  size_t pcap = 0, tcap = 0;
  for (size_t k = ix->bind_head[vi]; k != n; k = ix->bind_next[k]) {
    if (used[k]) continue;
    used[k] = true;
    if (!add_preds(L, op, &pcap, &cl[k])) return false;
  }
  for (size_t k = ix->search_head[vi]; k != n; k = ix->search_next[k]) {
    if (used[k]) continue;
    used[k] = true;
    const og_qexpr *e = cl[k].left;
    OG_Q_PUSH(L->a, op->text_filters, op->n_text, tcap, e, { L->rc = og_err_oom(L->err); return false; });
  }
  if (rq && rq->rank && !rq->placed && rq->var && strcmp(rq->var, var) == 0 && !emit_rank(L, target, rq))
    return false;
  if (*has_source) {
    og_qir_op *cj = emit(L, pb, OG_QIR_CROSS_JOIN);
    if (!cj) return false;
    cj->sub = sub.p;
  }
  *has_source = true;
  return true;
}

static size_t *index_array(lw *L, size_t count, size_t fill) {
  size_t *a = og_arena_alloc(L->a, (count ? count : 1) * sizeof(size_t));
  if (!a) {
    L->rc = og_err_oom(L->err);
    return NULL;
  }
  for (size_t k = 0; k < count; k++) a[k] = fill;
  return a;
}

/* Push the undone traversals touching variable vi onto the ready heap. */
static bool wake(lw *L, heap *h, const clause_index *ix, size_t vi, const bool *done, size_t n) {
  for (size_t e = ix->trav_head[vi]; e != 2 * n; e = ix->trav_next[e])
    if (!done[e / 2] && !heap_push(L, h, e / 2)) return false;
  return true;
}

static bool lower_clauses(lw *L, pipe_b *pb, const og_qclause *cl, size_t n, names *bound, bool has_source,
                          rank_req *rq) {
  names vars;
  names_init(L, &vars);
  bool *used = og_arena_zalloc(L->a, (n ? n : 1) * sizeof(bool));
  bool *done = og_arena_zalloc(L->a, (n ? n : 1) * sizeof(bool));
  if (!used || !done) { L->rc = og_err_oom(L->err); return false; }
  for (size_t k = 0; k < n; k++) {
    const og_qclause *c = &cl[k];
    if (c->kind == OG_QC_BINDING && !is_anon(c->var)) {
      if (!names_add(L, &vars, c->var)) return false;
    } else if (c->kind == OG_QC_TRAVERSAL) {
      if (!is_anon(c->var) && !names_add(L, &vars, c->var)) return false;
      if (!is_anon(c->dst) && !names_add(L, &vars, c->dst)) return false;
    }
  }
  size_t nv = vars.n;
  clause_index ix;
  size_t *parent = index_array(L, nv, 0);
  bool *rooted = og_arena_zalloc(L->a, (nv ? nv : 1) * sizeof(bool)); /* by component root index */
  bool *has_binding = og_arena_zalloc(L->a, (nv ? nv : 1) * sizeof(bool));
  ix.bind_head = index_array(L, nv, n);
  ix.search_head = index_array(L, nv, n);
  ix.trav_head = index_array(L, nv, 2 * n);
  ix.bind_next = index_array(L, n, n);
  ix.search_next = index_array(L, n, n);
  ix.trav_next = index_array(L, 2 * n, 2 * n);
  if (!parent || !rooted || !has_binding || !ix.bind_head || !ix.search_head || !ix.trav_head || !ix.bind_next ||
      !ix.search_next || !ix.trav_next) {
    if (L->rc == OG_OK) L->rc = og_err_oom(L->err);
    return false;
  }
  for (size_t k = 0; k < nv; k++) parent[k] = k;
  /* chains are built back to front so each lists its clauses in source order */
  for (size_t k = n; k-- > 0;) {
    const og_qclause *c = &cl[k];
    if (c->kind == OG_QC_BINDING && !is_anon(c->var)) {
      size_t vi = var_index(&vars, c->var);
      ix.bind_next[k] = ix.bind_head[vi];
      ix.bind_head[vi] = k;
    } else if (c->kind == OG_QC_SEARCH && search_var(c)) {
      size_t vi = var_index(&vars, search_var(c));
      if (vi != (size_t)-1) {
        ix.search_next[k] = ix.search_head[vi];
        ix.search_head[vi] = k;
      }
    } else if (c->kind == OG_QC_TRAVERSAL) {
      if (!is_anon(c->var)) {
        size_t vi = var_index(&vars, c->var);
        ix.trav_next[2 * k] = ix.trav_head[vi];
        ix.trav_head[vi] = 2 * k;
      }
      if (!is_anon(c->dst)) {
        size_t vi = var_index(&vars, c->dst);
        ix.trav_next[2 * k + 1] = ix.trav_head[vi];
        ix.trav_head[vi] = 2 * k + 1;
      }
      if (!is_anon(c->var) && !is_anon(c->dst)) {
        size_t a = uf_find(parent, var_index(&vars, c->var)), b = uf_find(parent, var_index(&vars, c->dst));
        if (a != b) parent[b] = a;
      }
    }
  }
  for (size_t k = 0; k < nv; k++)
    if (names_has(bound, vars.v[k])) rooted[uf_find(parent, k)] = true;
  for (size_t k = 0; k < n; k++)
    if (cl[k].kind == OG_QC_BINDING && !is_anon(cl[k].var))
      has_binding[uf_find(parent, var_index(&vars, cl[k].var))] = true;

  /* 1. roots, in declaration order */
  for (size_t k = 0; k < n; k++) {
    const og_qclause *c = &cl[k];
    const char *rv = NULL, *rt = NULL;
    if (c->kind == OG_QC_BINDING && !is_anon(c->var)) {
      size_t r = uf_find(parent, var_index(&vars, c->var));
      if (rooted[r]) continue;
      rooted[r] = true;
      rv = c->var;
      rt = c->type_name;
    } else if (c->kind == OG_QC_TRAVERSAL && !(is_anon(c->var) && is_anon(c->dst))) {
      const char *v = is_anon(c->var) ? c->dst : c->var;
      size_t r = uf_find(parent, var_index(&vars, v));
      if (rooted[r] || has_binding[r]) continue;
      rooted[r] = true;
      const og_qtrav_info *ti = og_qtyped_trav(L->t, c);
      rv = v;
      rt = ti ? (v == c->var ? ti->src_type : ti->dst_type) : NULL;
    } else {
      continue;
    }
    if (!emit_scan(L, pb, &has_source, rv, var_index(&vars, rv), rt, cl, n, &ix, used, rq) ||
        !names_add(L, bound, rv))
      return false;
  }
  /* bindings of variables bound before this block: Filters */
  for (size_t k = 0; k < n; k++) {
    const og_qclause *c = &cl[k];
    if (c->kind == OG_QC_BINDING && !used[k] && !is_anon(c->var) && names_has(bound, c->var)) {
      used[k] = true;
      if (!binding_filters(L, pb, c)) return false;
    }
  }
  /* 2. traversals: repeatedly the first one (in source order) with a bound end */
  heap h = {NULL, 0, 0};
  for (size_t k = 0; k < n; k++) {
    const og_qclause *c = &cl[k];
    if (c->kind != OG_QC_TRAVERSAL) continue;
    if ((!is_anon(c->var) && names_has(bound, c->var)) || (!is_anon(c->dst) && names_has(bound, c->dst)))
      if (!heap_push(L, &h, k)) return false;
  }
  while (h.n) {
    size_t pick = heap_pop(&h);
    if (done[pick]) continue;
    const og_qclause *c = &cl[pick];
    const og_qtrav_info *ti = og_qtyped_trav(L->t, c);
    done[pick] = true;
    if (!ti) continue;
    bool sb = !is_anon(c->var) && names_has(bound, c->var);
    bool db = !is_anon(c->dst) && names_has(bound, c->dst);
    og_qir_op *op = emit(L, pb, OG_QIR_EXPAND);
    if (!op) return false;
    op->edge = ti->edge_name;
    op->min_hops = c->min_hops;
    op->max_hops = c->max_hops;
    const char *to;
    if (sb) {
      op->var = c->var;
      op->dir = ti->dir;
      op->type_name = ti->dst_type;
      to = c->dst;
      if (db) {
        op->check_var = c->dst;
        op->dst = og_arena_printf(L->a, "__temp_%s", c->dst);
        if (!op->dst) { L->rc = og_err_oom(L->err); return false; }
        continue;
      }
    } else {
      op->var = c->dst;
      op->dir = ti->dir == OG_QDIR_OUT ? OG_QDIR_IN : OG_QDIR_OUT;
      op->type_name = ti->src_type;
      to = c->var;
    }
    op->dst = to;
    if (is_anon(to)) continue;
    size_t vi = var_index(&vars, to), pcap = 0;
    for (size_t k = ix.bind_head[vi]; k != n; k = ix.bind_next[k]) {
      if (used[k]) continue;
      used[k] = true;
      if (!add_preds(L, op, &pcap, &cl[k])) return false;
    }
    if (!names_add(L, bound, to) || !wake(L, &h, &ix, vi, done, n)) return false;
  }
  /* 3. filters (and text predicates not hoisted into a scan), in order */
  for (size_t k = 0; k < n; k++) {
    const og_qclause *c = &cl[k];
    if (used[k] || (c->kind != OG_QC_FILTER && c->kind != OG_QC_SEARCH)) continue;
    og_qir_op *op = emit(L, pb, OG_QIR_FILTER);
    if (!op) return false;
    op->left = c->left;
    op->op = c->op;
    if (c->kind == OG_QC_SEARCH) {
      og_qexpr *t = mk_expr(L, OG_QE_LIT, c->pos);
      if (!t) return false;
      t->lit.kind = OG_QL_BOOL;
      t->lit.b = true;
      op->right = t;
    } else {
      op->right = c->right;
    }
  }
  /* 4. negations: the sub-pipeline starts from the outer row; its own
   * bindings live in a child set layered over `bound` (no copy) */
  for (size_t k = 0; k < n; k++) {
    const og_qclause *c = &cl[k];
    if (c->kind != OG_QC_NOT) continue;
    names inner;
    names_init(L, &inner);
    inner.parent = bound;
    pipe_b sub = {{NULL, 0}, 0};
    if (!lower_clauses(L, &sub, c->inner, c->n_inner, &inner, true, NULL)) return false;
    og_qir_op *op = emit(L, pb, OG_QIR_ANTI_JOIN);
    if (!op) return false;
    op->sub = sub.p;
  }
  return L->rc == OG_OK;
}

static bool lower_read(lw *L, pipe_b *pb) {
  const og_qdecl *d = L->d;
  rank_req rq = {NULL, NULL, false};
  if (d->n_orders) {
    const og_qexpr *e = d->orders[0].expr;
    /* an alias of a ranking projection ranks too (rrf via alias, §4.3) */
    if (e->kind == OG_QE_ALIAS)
      for (size_t j = 0; j < d->n_projs; j++)
        if (d->projs[j].alias && strcmp(d->projs[j].alias, e->name) == 0) {
          e = d->projs[j].expr;
          break;
        }
    if (e->kind == OG_QE_NEAREST || e->kind == OG_QE_BM25 || e->kind == OG_QE_RRF) {
      rq.rank = e;
      rq.var = rank_var(e);
    }
  }
  names bound;
  names_init(L, &bound);
  if (!lower_clauses(L, pb, d->clauses, d->n_clauses, &bound, false, &rq)) return false;
  if (rq.rank && !rq.placed && !emit_rank(L, pb, &rq)) return false;
  og_qir_op *op = emit(L, pb, L->t->has_aggregate ? OG_QIR_AGGREGATE : OG_QIR_PROJECT);
  if (!op) return false;
  op->projs = og_arena_zalloc(L->a, (d->n_projs ? d->n_projs : 1) * sizeof(og_qir_proj));
  if (!op->projs) { L->rc = og_err_oom(L->err); return false; }
  op->n_projs = d->n_projs;
  og_qhmap amap, cmap; /* alias -> latest item index + 1; column -> first item index + 1 */
  og_qhmap_init(&amap, L->a);
  og_qhmap_init(&cmap, L->a);
  for (size_t k = 0; k < d->n_projs; k++) {
    void *x;
    op->projs[k].expr = d->projs[k].expr;
    op->projs[k].is_agg = d->projs[k].expr->kind == OG_QE_AGG;
    op->projs[k].column = d->projs[k].alias ? d->projs[k].alias : og_q_default_column(L->a, d->projs[k].expr);
    if (!op->projs[k].column) { L->rc = og_err_oom(L->err); return false; }
    op->projs[k].ref = -1;
    if (d->projs[k].expr->kind == OG_QE_ALIAS && og_qhmap_sget(&amap, d->projs[k].expr->name, &x))
      op->projs[k].ref = (int)((uintptr_t)x - 1);
    if ((d->projs[k].alias && og_qhmap_sput(&amap, d->projs[k].alias, (void *)(uintptr_t)(k + 1)) != OG_OK) ||
        (!og_qhmap_sget(&cmap, op->projs[k].column, NULL) &&
         og_qhmap_sput(&cmap, op->projs[k].column, (void *)(uintptr_t)(k + 1)) != OG_OK)) {
      L->rc = og_err_oom(L->err);
      return false;
    }
  }
  if (d->n_orders && !rq.rank) {
    og_qir_op *o = emit(L, pb, OG_QIR_ORDER);
    if (!o) return false;
    o->keys = og_arena_zalloc(L->a, d->n_orders * sizeof(og_qir_okey));
    if (!o->keys) { L->rc = og_err_oom(L->err); return false; }
    o->n_keys = d->n_orders;
    for (size_t k = 0; k < d->n_orders; k++) {
      const og_qexpr *e = d->orders[k].expr;
      o->keys[k].expr = e;
      o->keys[k].desc = d->orders[k].desc;
      if (e->kind == OG_QE_ALIAS) o->keys[k].column = e->name;
      else if (L->t->has_aggregate && e->kind == OG_QE_PROP) o->keys[k].column = og_q_default_column(L->a, e);
      o->keys[k].proj = -1;
      void *x;
      if (o->keys[k].column && og_qhmap_sget(&cmap, o->keys[k].column, &x)) o->keys[k].proj = (int)((uintptr_t)x - 1);
    }
  }
  if (d->has_limit) {
    og_qir_op *l = emit(L, pb, OG_QIR_LIMIT);
    if (!l) return false;
    l->limit = d->limit;
  }
  return true;
}

static bool lower_mutation(lw *L, pipe_b *pb) {
  const og_qdecl *d = L->d;
  for (size_t k = 0; k < d->n_muts; k++) {
    const og_qmut *m = &d->muts[k];
    og_qir_op *op = emit(L, pb, m->kind == OG_QM_INSERT ? OG_QIR_INSERT
                                : m->kind == OG_QM_UPDATE ? OG_QIR_UPDATE
                                                          : OG_QIR_DELETE);
    if (!op) return false;
    op->type_name = L->t->targets[k];
    op->is_edge = L->t->target_is_edge[k];
    op->assigns = m->assigns;
    op->n_assigns = m->n_assigns;
    if (m->kind != OG_QM_INSERT) {
      op->preds = og_arena_zalloc(L->a, sizeof(og_qir_pred));
      if (!op->preds) { L->rc = og_err_oom(L->err); return false; }
      op->n_preds = 1;
      op->preds[0].prop = m->pred_prop;
      op->preds[0].op = m->pred_op;
      op->preds[0].value = m->pred_value;
      const og_qc_type *t = op->is_edge ? og_qcat_edge(L->t->view, op->type_name)
                                        : og_qcat_node(L->t->view, op->type_name);
      const og_qc_prop *p = og_qcat_prop(t, m->pred_prop);
      if (p) op->preds[0].prop_type = p->type;
      else op->preds[0].prop_type.scalar = OG_QS_STRING; /* edge from/to */
      /* `where tags = "x"` on a list property is membership, as in bindings */
      if (p && p->type.list && m->pred_op == OG_QOP_EQ) op->preds[0].op = OG_QOP_CONTAINS;
    }
  }
  return true;
}

og_status og_query_lower(const og_qtyped *t, og_qir **out, og_error *err) {
  *out = NULL;
  og_qir *ir = og_calloc(1, sizeof *ir);
  if (!ir) return og_err_oom(err);
  og_arena_init(&ir->arena, 0);
  ir->typed = t;
  lw L = {&ir->arena, t, t->decl, err, OG_OK};
  pipe_b pb = {{NULL, 0}, 0};
  bool ok = t->is_mutation ? lower_mutation(&L, &pb) : lower_read(&L, &pb);
  if (!ok || L.rc != OG_OK) {
    og_status rc = L.rc != OG_OK ? L.rc : og_err_set(err, OG_ERROR, "query lowering failed");
    og_qir_free(ir);
    return rc;
  }
  ir->pipe = pb.p;
  *out = ir;
  return OG_OK;
}

void og_qir_free(og_qir *ir) {
  if (!ir) return;
  og_arena_dispose(&ir->arena);
  og_free(ir);
}

/*---------------- rendering ----------------*/

static void render_preds(og_buf *b, const og_qir_pred *p, size_t n) {
  if (!n) return;
  og_buf_puts(b, " [");
  for (size_t k = 0; k < n; k++) {
    if (k) og_buf_puts(b, ", ");
    og_buf_printf(b, "%s %s ", p[k].prop, og_qop_text(p[k].op));
    og_q_render_value(b, &p[k].value);
  }
  og_buf_putc(b, ']');
}

static void render_pipe(og_buf *b, const og_qir_pipe *p, int depth);

static void render_op(og_buf *b, const og_qir_op *op, int depth) {
  for (int i = 0; i < depth; i++) og_buf_puts(b, "  ");
  switch (op->kind) {
    case OG_QIR_NODE_SCAN:
      og_buf_printf(b, "NodeScan $%s: %s", op->var, op->type_name ? op->type_name : "?");
      render_preds(b, op->preds, op->n_preds);
      if (op->n_text) {
        og_buf_puts(b, " text [");
        for (size_t k = 0; k < op->n_text; k++) {
          if (k) og_buf_puts(b, ", ");
          og_q_render_expr(b, op->text_filters[k]);
        }
        og_buf_putc(b, ']');
      }
      og_buf_putc(b, '\n');
      break;
    case OG_QIR_CROSS_JOIN:
      og_buf_puts(b, "CrossJoin\n");
      render_pipe(b, &op->sub, depth + 1);
      break;
    case OG_QIR_EXPAND:
      og_buf_printf(b, "Expand $%s -[%s %s %u..%u]-> $%s: %s", op->var, op->edge,
                    op->dir == OG_QDIR_OUT ? "out" : "in", op->min_hops, op->max_hops, op->dst,
                    op->type_name ? op->type_name : "?");
      render_preds(b, op->preds, op->n_preds);
      if (op->check_var) og_buf_printf(b, " check $%s.id = $%s.id", op->dst, op->check_var);
      og_buf_putc(b, '\n');
      break;
    case OG_QIR_FILTER:
      og_buf_puts(b, "Filter ");
      og_q_render_expr(b, op->left);
      og_buf_printf(b, " %s ", og_qop_text(op->op));
      og_q_render_expr(b, op->right);
      og_buf_putc(b, '\n');
      break;
    case OG_QIR_ANTI_JOIN:
      og_buf_puts(b, "AntiJoin\n");
      render_pipe(b, &op->sub, depth + 1);
      break;
    case OG_QIR_PROJECT:
    case OG_QIR_AGGREGATE:
      og_buf_puts(b, op->kind == OG_QIR_PROJECT ? "Project" : "Aggregate");
      for (size_t k = 0; k < op->n_projs; k++) {
        og_buf_puts(b, k ? ", " : " ");
        if (op->kind == OG_QIR_AGGREGATE) og_buf_puts(b, op->projs[k].is_agg ? "agg " : "key ");
        og_q_render_expr(b, op->projs[k].expr);
        if (op->projs[k].ref >= 0) og_buf_printf(b, "=#%d", op->projs[k].ref);
        og_buf_printf(b, " AS %s", op->projs[k].column);
      }
      og_buf_putc(b, '\n');
      break;
    case OG_QIR_ORDER:
      og_buf_puts(b, "Order");
      for (size_t k = 0; k < op->n_keys; k++) {
        og_buf_puts(b, k ? ", " : " ");
        if (op->keys[k].column && op->keys[k].proj >= 0) og_buf_printf(b, "#%d(%s)", op->keys[k].proj, op->keys[k].column);
        else if (op->keys[k].column) og_buf_printf(b, "col(%s)", op->keys[k].column);
        else og_q_render_expr(b, op->keys[k].expr);
        og_buf_puts(b, op->keys[k].desc ? " DESC" : " ASC");
      }
      og_buf_putc(b, '\n');
      break;
    case OG_QIR_LIMIT: og_buf_printf(b, "Limit %" PRId64 "\n", op->limit); break;
    case OG_QIR_VECTOR_TOPK:
    case OG_QIR_BM25_RANK:
    case OG_QIR_RRF:
      og_buf_printf(b, "%s $%s ",
                    op->kind == OG_QIR_VECTOR_TOPK ? "VectorTopK" : op->kind == OG_QIR_BM25_RANK ? "Bm25Rank" : "Rrf",
                    op->var ? op->var : "?");
      og_q_render_expr(b, op->rank);
      if (op->limit >= 0) og_buf_printf(b, " k=%" PRId64, op->limit);
      og_buf_putc(b, '\n');
      break;
    case OG_QIR_INSERT:
    case OG_QIR_UPDATE:
    case OG_QIR_DELETE:
      og_buf_printf(b, "%s %s %s",
                    op->kind == OG_QIR_INSERT ? "Insert" : op->kind == OG_QIR_UPDATE ? "Update" : "Delete",
                    op->is_edge ? "edge" : "node", op->type_name);
      if (op->n_assigns) {
        og_buf_puts(b, op->kind == OG_QIR_UPDATE ? " set {" : " {");
        for (size_t k = 0; k < op->n_assigns; k++) {
          og_buf_printf(b, "%s%s: ", k ? ", " : "", op->assigns[k].prop);
          og_q_render_value(b, &op->assigns[k].value);
        }
        og_buf_putc(b, '}');
      }
      if (op->n_preds) {
        og_buf_printf(b, " where %s %s ", op->preds[0].prop, og_qop_text(op->preds[0].op));
        og_q_render_value(b, &op->preds[0].value);
      }
      og_buf_putc(b, '\n');
      break;
  }
}

static void render_pipe(og_buf *b, const og_qir_pipe *p, int depth) {
  for (size_t k = 0; k < p->n_ops; k++) render_op(b, &p->ops[k], depth);
}

og_status og_qir_render(const og_qir *ir, og_buf *out) {
  render_pipe(out, &ir->pipe, 0);
  return out->oom ? OG_ENOMEM : OG_OK;
}
