/*
 * query_parse.c — tokenizer and recursive-descent parser for `.gq`
 * (spec/languages.md §1, §3.1). One token of lookahead (two at clause heads),
 * no backtracking: linear in the input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lex.h"
#include "lang/query_int.h"

/* Nesting bound for `not { … }` and list literals: keeps recursion shallow on
 * hostile input. */
#define MAX_DEPTH 64

typedef enum tk {
  T_EOF, T_IDENT, T_TYPE, T_VAR, T_INT, T_FLOAT, T_STRING,
  T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK,
  T_COMMA, T_COLON, T_DOT, T_QUEST, T_AT, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
  T_MINUS, T_OTHER, T_BAD
} tk;

typedef struct tok {
  tk kind;
  const char *p; /* word (T_VAR: without '$'); T_STRING: decoded value; else source text */
  size_t n;
  int line, col;
  uint64_t uval;   /* T_INT */
  bool overflow;   /* T_INT beyond u64 */
  double fval;     /* T_FLOAT */
  const char *bad; /* T_BAD: message */
} tok;

typedef struct parser {
  og_arena *a;
  tok *toks;
  size_t n_toks, cap_toks, i;
  og_error *err;
  og_status rc;
  int depth;
} parser;

void *og_q_arena_grow(og_arena *a, void *items, size_t *cap, size_t need, size_t elsize) {
  if (need <= *cap) return items;
  size_t nc = *cap ? *cap * 2 : 4;
  while (nc < need) nc *= 2;
  void *p = og_arena_alloc(a, nc * elsize);
  if (!p) return NULL;
  if (items && *cap) memcpy(p, items, *cap * elsize);
  *cap = nc;
  return p;
}

/*---------------- tokens (from the shared lexer, lang/lex.h) ----------------*/

static og_status push_tok(parser *ps, tok t) {
  if (ps->n_toks == ps->cap_toks) {
    size_t nc = ps->cap_toks ? ps->cap_toks * 2 : 256;
    tok *nt = og_realloc(ps->toks, nc * sizeof(tok));
    if (!nt) return OG_ENOMEM;
    ps->toks = nt;
    ps->cap_toks = nc;
  }
  ps->toks[ps->n_toks++] = t;
  return OG_OK;
}

/* The whole file is lexed up front so the parser can look two tokens ahead
 * at clause heads; a lexical error becomes a T_BAD token the parser reports
 * when it reaches it (so earlier syntax errors still win). */
static og_status tokenize(parser *ps, const char *s, size_t len) {
  og_lexer lx;
  og_lex_init(&lx, s, len, ps->a);
  for (;;) {
    og_token lt;
    og_error e = OG_ERROR_INIT;
    og_status rc = og_lex_next(&lx, &lt, &e);
    tok t;
    memset(&t, 0, sizeof t);
    if (rc != OG_OK) {
      if (rc == OG_ENOMEM) return rc;
      const char *m = e.message;
      if (strncmp(m, "parse error: ", 13) == 0) m += 13;
      t.kind = T_BAD;
      t.line = e.line ? e.line : lx.line;
      t.col = e.column ? e.column : lx.col;
      t.bad = og_arena_strdup(ps->a, m);
      if (!t.bad) return OG_ENOMEM;
      t.p = "";
      return push_tok(ps, t);
    }
    t.line = lt.line;
    t.col = lt.col;
    t.p = lt.text;
    t.n = lt.len;
    t.uval = lt.uval;
    t.overflow = lt.overflow;
    t.fval = lt.fval;
    switch (lt.kind) {
      case OG_TK_EOF: t.kind = T_EOF; break;
      case OG_TK_TYPENAME: t.kind = T_TYPE; t.p = lt.str; t.n = lt.str_len; break;
      case OG_TK_IDENT: t.kind = T_IDENT; t.p = lt.str; t.n = lt.str_len; break;
      case OG_TK_TRUE: t.kind = T_IDENT; t.p = "true"; t.n = 4; break;
      case OG_TK_FALSE: t.kind = T_IDENT; t.p = "false"; t.n = 5; break;
      case OG_TK_VAR: t.kind = T_VAR; t.p = lt.str; t.n = lt.str_len; break;
      case OG_TK_INT: t.kind = T_INT; break;
      case OG_TK_FLOAT: t.kind = T_FLOAT; break;
      case OG_TK_STRING: t.kind = T_STRING; t.p = lt.str; t.n = lt.str_len; break;
      case OG_TK_LBRACE: t.kind = T_LBRACE; break;
      case OG_TK_RBRACE: t.kind = T_RBRACE; break;
      case OG_TK_LPAREN: t.kind = T_LPAREN; break;
      case OG_TK_RPAREN: t.kind = T_RPAREN; break;
      case OG_TK_LBRACK: t.kind = T_LBRACK; break;
      case OG_TK_RBRACK: t.kind = T_RBRACK; break;
      case OG_TK_COMMA: t.kind = T_COMMA; break;
      case OG_TK_COLON: t.kind = T_COLON; break;
      case OG_TK_DOT: t.kind = T_DOT; break;
      case OG_TK_QUESTION: t.kind = T_QUEST; break;
      case OG_TK_AT: t.kind = T_AT; break;
      case OG_TK_EQ: t.kind = T_EQ; break;
      case OG_TK_NE: t.kind = T_NE; break;
      case OG_TK_LT: t.kind = T_LT; break;
      case OG_TK_LE: t.kind = T_LE; break;
      case OG_TK_GT: t.kind = T_GT; break;
      case OG_TK_GE: t.kind = T_GE; break;
      case OG_TK_MINUS: t.kind = T_MINUS; break;
      default: t.kind = T_OTHER; break;
    }
    if (t.p == NULL) t.p = "";
    og_status prc = push_tok(ps, t);
    if (prc != OG_OK) return prc;
    if (t.kind == T_EOF) return OG_OK;
  }
}

/*---------------- parser helpers ----------------*/

static const tok *peek(parser *ps, size_t k) {
  size_t j = ps->i + k;
  if (j >= ps->n_toks) j = ps->n_toks - 1; /* the last token is EOF or BAD */
  return &ps->toks[j];
}
static const tok *next(parser *ps) {
  const tok *t = peek(ps, 0);
  if (ps->i < ps->n_toks - 1) ps->i++;
  return t;
}

static bool tok_is(const tok *t, tk kind, const char *word) {
  if (t->kind != kind) return false;
  if (!word) return true;
  size_t n = strlen(word);
  return t->n == n && memcmp(t->p, word, n) == 0;
}

static void describe(const tok *t, char *out, size_t cap) {
  switch (t->kind) {
    case T_EOF: snprintf(out, cap, "end of input"); return;
    case T_VAR: snprintf(out, cap, "`$%.*s`", (int)(t->n > 40 ? 40 : t->n), t->p); return;
    case T_BAD: snprintf(out, cap, "%s", t->bad ? t->bad : "invalid token"); return;
    case T_STRING: snprintf(out, cap, "a string literal"); return;
    default: snprintf(out, cap, "`%.*s`", (int)(t->n > 40 ? 40 : t->n), t->p); return;
  }
}

/* Record the first error only; later failures on the unwinding path keep it. */
static void fail_at(parser *ps, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail_at(parser *ps, int line, int col, const char *fmt, ...) {
  if (ps->rc != OG_OK) return;
  char msg[700];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  ps->rc = og_err_set_pos(ps->err, OG_EPARSE, line, col, "parse error: line %d, column %d: %s",
                          line, col, msg);
}

static void expected(parser *ps, const char *what) {
  const tok *t = peek(ps, 0);
  char d[96];
  describe(t, d, sizeof d);
  if (t->kind == T_BAD) fail_at(ps, t->line, t->col, "%s", t->bad ? t->bad : d);
  else fail_at(ps, t->line, t->col, "expected %s, found %s", what, d);
}

static void oom(parser *ps) {
  if (ps->rc == OG_OK) ps->rc = og_err_oom(ps->err);
}

static bool expect(parser *ps, tk kind, const char *what) {
  if (peek(ps, 0)->kind != kind) { expected(ps, what); return false; }
  next(ps);
  return true;
}

static const char *tok_str(parser *ps, const tok *t) {
  const char *s = og_arena_strndup(ps->a, t->p, t->n);
  if (!s) oom(ps);
  return s;
}

static og_qpos pos_of(const tok *t) { og_qpos p = {t->line, t->col}; return p; }

/* String tokens arrive decoded from the lexer. */
static bool decode_string(parser *ps, const tok *t, const char **out, size_t *len_out) {
  (void)ps;
  *out = t->p;
  *len_out = t->n;
  return true;
}

static bool parse_u64(const tok *t, uint64_t *out) {
  *out = t->uval;
  return !t->overflow;
}

static bool int_token(parser *ps, const tok *t, int64_t *out) {
  uint64_t v;
  if (!parse_u64(t, &v) || v > (uint64_t)INT64_MAX) {
    fail_at(ps, t->line, t->col, "integer literal %.*s is out of range", (int)(t->n > 40 ? 40 : t->n), t->p);
    return false;
  }
  *out = (int64_t)v;
  return true;
}

/*---------------- literals, values ----------------*/

static bool parse_literal(parser *ps, og_qlit *out);

static bool is_word(const tok *t, const char *w) { return tok_is(t, T_IDENT, w); }

/* Does the token start a literal? */
static bool at_literal(parser *ps) {
  const tok *t = peek(ps, 0);
  switch (t->kind) {
    case T_INT: case T_FLOAT: case T_STRING: case T_LBRACK: return true;
    case T_IDENT:
      if (is_word(t, "true") || is_word(t, "false")) return true;
      if ((is_word(t, "date") || is_word(t, "datetime")) && peek(ps, 1)->kind == T_LPAREN) return true;
      return false;
    default: return false;
  }
}

static bool parse_literal(parser *ps, og_qlit *out) {
  const tok *t = peek(ps, 0);
  memset(out, 0, sizeof *out);
  out->pos = pos_of(t);
  switch (t->kind) {
    case T_INT:
      next(ps);
      out->kind = OG_QL_INT;
      return int_token(ps, t, &out->i);
    case T_FLOAT: {
      next(ps);
      out->f = t->fval;
      out->kind = OG_QL_FLOAT;
      return ps->rc == OG_OK;
    }
    case T_STRING:
      next(ps);
      out->kind = OG_QL_STRING;
      return decode_string(ps, t, &out->s, &out->len);
    case T_LBRACK: {
      next(ps);
      if (++ps->depth > MAX_DEPTH) { fail_at(ps, t->line, t->col, "literal nesting is too deep"); return false; }
      out->kind = OG_QL_LIST;
      size_t cap = 0;
      if (peek(ps, 0)->kind != T_RBRACK) {
        for (;;) {
          og_qlit item;
          if (!at_literal(ps)) { expected(ps, "a literal"); return false; }
          if (!parse_literal(ps, &item)) return false;
          OG_Q_PUSH(ps->a, out->items, out->n_items, cap, item, { oom(ps); return false; });
          if (peek(ps, 0)->kind == T_COMMA) { next(ps); continue; }
          break;
        }
      }
      ps->depth--;
      return expect(ps, T_RBRACK, "`,` or `]`");
    }
    case T_IDENT:
      if (is_word(t, "true") || is_word(t, "false")) {
        next(ps);
        out->kind = OG_QL_BOOL;
        out->b = is_word(t, "true");
        return true;
      }
      if (is_word(t, "date") || is_word(t, "datetime")) {
        next(ps);
        out->kind = is_word(t, "date") ? OG_QL_DATE : OG_QL_DATETIME;
        if (!expect(ps, T_LPAREN, "`(`")) return false;
        const tok *st = peek(ps, 0);
        if (st->kind != T_STRING) { expected(ps, "a string literal"); return false; }
        next(ps);
        if (!decode_string(ps, st, &out->s, &out->len)) return false;
        return expect(ps, T_RPAREN, "`)`");
      }
      break;
    default: break;
  }
  expected(ps, "a literal");
  return false;
}

/* value = literal | $param | now() */
static bool parse_value(parser *ps, og_qvalue *v) {
  const tok *t = peek(ps, 0);
  memset(v, 0, sizeof *v);
  v->pos = pos_of(t);
  if (t->kind == T_VAR) {
    next(ps);
    v->kind = OG_QVAL_VAR;
    v->var = tok_str(ps, t);
    return v->var != NULL;
  }
  if (is_word(t, "now") && peek(ps, 1)->kind == T_LPAREN) {
    next(ps);
    next(ps);
    v->kind = OG_QVAL_NOW;
    return expect(ps, T_RPAREN, "`)`");
  }
  if (t->kind == T_MINUS) {
    fail_at(ps, t->line, t->col, "negative literals are not supported; pass negative values as parameters");
    return false;
  }
  if (!at_literal(ps)) {
    expected(ps, "a value (literal, $param or now())");
    return false;
  }
  v->kind = OG_QVAL_LIT;
  return parse_literal(ps, &v->lit);
}

/*---------------- expressions ----------------*/

static og_qexpr *new_expr(parser *ps, og_qexpr_kind k, const tok *t) {
  og_qexpr *e = og_arena_zalloc(ps->a, sizeof *e);
  if (!e) { oom(ps); return NULL; }
  e->kind = k;
  e->pos = pos_of(t);
  return e;
}

static og_qexpr *parse_expr(parser *ps);

static og_qexpr *parse_nearest(parser *ps, const tok *head) {
  og_qexpr *e = new_expr(ps, OG_QE_NEAREST, head);
  if (!e || !expect(ps, T_LPAREN, "`(`")) return NULL;
  const tok *v = peek(ps, 0);
  if (v->kind != T_VAR) { expected(ps, "a property access `$var.property`"); return NULL; }
  next(ps);
  if (!expect(ps, T_DOT, "`.`")) return NULL;
  const tok *p = peek(ps, 0);
  if (p->kind != T_IDENT) { expected(ps, "a property name"); return NULL; }
  next(ps);
  e->var = tok_str(ps, v);
  e->name = tok_str(ps, p);
  if (!expect(ps, T_COMMA, "`,`")) return NULL;
  if (!(e->args[0] = parse_expr(ps))) return NULL;
  e->nargs = 1;
  if (!expect(ps, T_RPAREN, "`)`")) return NULL;
  return e;
}

/* call(args) with nmin..nmax expression arguments */
static og_qexpr *parse_call(parser *ps, const tok *head, og_qexpr_kind k, int nmin, int nmax) {
  og_qexpr *e = new_expr(ps, k, head);
  if (!e || !expect(ps, T_LPAREN, "`(`")) return NULL;
  for (;;) {
    if (e->nargs == nmax) break;
    if (!(e->args[e->nargs++] = parse_expr(ps))) return NULL;
    if (e->nargs < nmin) {
      if (!expect(ps, T_COMMA, "`,`")) return NULL;
      continue;
    }
    if (e->nargs < nmax && peek(ps, 0)->kind == T_COMMA) { next(ps); continue; }
    break;
  }
  if (!expect(ps, T_RPAREN, e->nargs < nmax ? "`,` or `)`" : "`)`")) return NULL;
  return e;
}

static og_qexpr *parse_rank(parser *ps) {
  const tok *t = peek(ps, 0);
  if (is_word(t, "nearest") && peek(ps, 1)->kind == T_LPAREN) { next(ps); return parse_nearest(ps, t); }
  if (is_word(t, "bm25") && peek(ps, 1)->kind == T_LPAREN) { next(ps); return parse_call(ps, t, OG_QE_BM25, 2, 2); }
  char d[96];
  describe(t, d, sizeof d);
  fail_at(ps, t->line, t->col, "rrf arguments must be nearest(...) or bm25(...), found %s", d);
  return NULL;
}

static og_qexpr *parse_expr(parser *ps) {
  const tok *t = peek(ps, 0);
  if (++ps->depth > MAX_DEPTH) {
    fail_at(ps, t->line, t->col, "expression nesting is too deep");
    return NULL;
  }
  og_qexpr *e = NULL;
  if (t->kind == T_VAR) {
    next(ps);
    if (peek(ps, 0)->kind == T_DOT) {
      next(ps);
      const tok *p = peek(ps, 0);
      if (p->kind != T_IDENT) { expected(ps, "a property name"); return NULL; }
      next(ps);
      if (!(e = new_expr(ps, OG_QE_PROP, t))) return NULL;
      e->var = tok_str(ps, t);
      e->name = tok_str(ps, p);
    } else {
      if (!(e = new_expr(ps, OG_QE_VAR, t))) return NULL;
      e->var = tok_str(ps, t);
    }
  } else if (t->kind == T_IDENT && peek(ps, 1)->kind == T_LPAREN && !at_literal(ps)) {
    static const struct { const char *w; og_qexpr_kind k; int nmin, nmax; og_qagg agg; } fns[] = {
        {"search", OG_QE_SEARCH, 2, 2, 0},         {"fuzzy", OG_QE_FUZZY, 2, 3, 0},
        {"match_text", OG_QE_MATCH_TEXT, 2, 2, 0}, {"bm25", OG_QE_BM25, 2, 2, 0},
        {"count", OG_QE_AGG, 1, 1, OG_QA_COUNT},   {"sum", OG_QE_AGG, 1, 1, OG_QA_SUM},
        {"avg", OG_QE_AGG, 1, 1, OG_QA_AVG},       {"min", OG_QE_AGG, 1, 1, OG_QA_MIN},
        {"max", OG_QE_AGG, 1, 1, OG_QA_MAX},
    };
    if (is_word(t, "now")) {
      next(ps);
      next(ps);
      if (!expect(ps, T_RPAREN, "`)`")) return NULL;
      e = new_expr(ps, OG_QE_NOW, t);
    } else if (is_word(t, "nearest")) {
      next(ps);
      e = parse_nearest(ps, t);
    } else if (is_word(t, "rrf")) {
      next(ps);
      if (!(e = new_expr(ps, OG_QE_RRF, t)) || !expect(ps, T_LPAREN, "`(`")) return NULL;
      if (!(e->args[0] = parse_rank(ps)) || !expect(ps, T_COMMA, "`,`") ||
          !(e->args[1] = parse_rank(ps)))
        return NULL;
      e->nargs = 2;
      if (peek(ps, 0)->kind == T_COMMA) {
        next(ps);
        if (!(e->args[2] = parse_expr(ps))) return NULL;
        e->nargs = 3;
      }
      if (!expect(ps, T_RPAREN, "`)`")) return NULL;
    } else {
      size_t k;
      for (k = 0; k < sizeof fns / sizeof fns[0]; k++)
        if (is_word(t, fns[k].w)) break;
      if (k == sizeof fns / sizeof fns[0]) {
        char d[96];
        describe(t, d, sizeof d);
        fail_at(ps, t->line, t->col, "unknown function %s", d);
        return NULL;
      }
      next(ps);
      e = parse_call(ps, t, fns[k].k, fns[k].nmin, fns[k].nmax);
      if (e) e->agg = fns[k].agg;
    }
  } else if (at_literal(ps)) {
    if (!(e = new_expr(ps, OG_QE_LIT, t))) return NULL;
    if (!parse_literal(ps, &e->lit)) return NULL;
  } else if (t->kind == T_IDENT) {
    next(ps);
    if (!(e = new_expr(ps, OG_QE_ALIAS, t))) return NULL;
    e->name = tok_str(ps, t);
  } else if (t->kind == T_MINUS) {
    fail_at(ps, t->line, t->col, "negative literals are not supported; pass negative values as parameters");
    return NULL;
  } else {
    expected(ps, "an expression");
    return NULL;
  }
  ps->depth--;
  return ps->rc == OG_OK ? e : NULL;
}

static bool parse_cop(parser *ps, og_qop *op, bool allow_contains) {
  const tok *t = peek(ps, 0);
  switch (t->kind) {
    case T_EQ: *op = OG_QOP_EQ; break;
    case T_NE: *op = OG_QOP_NE; break;
    case T_LT: *op = OG_QOP_LT; break;
    case T_LE: *op = OG_QOP_LE; break;
    case T_GT: *op = OG_QOP_GT; break;
    case T_GE: *op = OG_QOP_GE; break;
    default:
      if (allow_contains && is_word(t, "contains")) { *op = OG_QOP_CONTAINS; break; }
      expected(ps, allow_contains ? "a comparison operator (=, !=, <, <=, >, >=, contains)"
                                  : "a comparison operator (=, !=, <, <=, >, >=)");
      return false;
  }
  next(ps);
  return true;
}

/*---------------- match clauses ----------------*/

static bool parse_clause(parser *ps, og_qclause *c);

static bool parse_clause_block(parser *ps, og_qclause **items, size_t *n, const char *what) {
  size_t cap = 0;
  if (!expect(ps, T_LBRACE, "`{`")) return false;
  if (peek(ps, 0)->kind == T_RBRACE) {
    const tok *t = peek(ps, 0);
    fail_at(ps, t->line, t->col, "%s block must contain at least one clause", what);
    return false;
  }
  while (peek(ps, 0)->kind != T_RBRACE) {
    og_qclause c;
    if (!parse_clause(ps, &c)) return false;
    OG_Q_PUSH(ps->a, *items, *n, cap, c, { oom(ps); return false; });
  }
  next(ps);
  return true;
}

static bool parse_clause(parser *ps, og_qclause *c) {
  const tok *t = peek(ps, 0);
  memset(c, 0, sizeof *c);
  c->pos = pos_of(t);
  if (is_word(t, "not") && peek(ps, 1)->kind == T_LBRACE) {
    next(ps);
    if (++ps->depth > MAX_DEPTH) { fail_at(ps, t->line, t->col, "`not` nesting is too deep"); return false; }
    c->kind = OG_QC_NOT;
    if (!parse_clause_block(ps, &c->inner, &c->n_inner, "not")) return false;
    ps->depth--;
    return true;
  }
  if (t->kind == T_VAR && peek(ps, 1)->kind == T_COLON) {
    next(ps);
    next(ps);
    c->kind = OG_QC_BINDING;
    c->var = tok_str(ps, t);
    const tok *ty = peek(ps, 0);
    if (ty->kind != T_TYPE) { expected(ps, "a type name (e.g. `Person`)"); return false; }
    next(ps);
    c->type_name = tok_str(ps, ty);
    if (peek(ps, 0)->kind == T_LBRACE) {
      next(ps);
      size_t cap = 0;
      for (;;) {
        const tok *pt = peek(ps, 0);
        if (pt->kind == T_RBRACE && c->n_pmatches > 0) break;
        if (pt->kind != T_IDENT) { expected(ps, "a property name"); return false; }
        next(ps);
        og_qpmatch m;
        memset(&m, 0, sizeof m);
        m.prop = tok_str(ps, pt);
        m.pos = pos_of(pt);
        if (!expect(ps, T_COLON, "`:`") || !parse_value(ps, &m.value)) return false;
        OG_Q_PUSH(ps->a, c->pmatches, c->n_pmatches, cap, m, { oom(ps); return false; });
        if (peek(ps, 0)->kind == T_COMMA) { next(ps); continue; }
        break;
      }
      if (!expect(ps, T_RBRACE, "`,` or `}`")) return false;
    }
    return ps->rc == OG_OK;
  }
  if (t->kind == T_VAR && peek(ps, 1)->kind == T_TYPE &&
      (peek(ps, 2)->kind == T_VAR || peek(ps, 2)->kind == T_LBRACE)) {
    const tok *w = peek(ps, 1);
    fail_at(ps, w->line, w->col,
            "edge `%.*s` in a traversal must be written lowercase-initial (e.g. `%c%.*s`)",
            (int)w->n, w->p, w->p[0] - 'A' + 'a', (int)(w->n - 1), w->p + 1);
    return false;
  }
  if (t->kind == T_VAR && peek(ps, 1)->kind == T_IDENT && !is_word(peek(ps, 1), "not") &&
      (peek(ps, 2)->kind == T_VAR || peek(ps, 2)->kind == T_LBRACE)) {
    const tok *w = peek(ps, 1);
    next(ps);
    next(ps);
    c->kind = OG_QC_TRAVERSAL;
    c->var = tok_str(ps, t);
    c->edge = tok_str(ps, w);
    c->min_hops = c->max_hops = 1;
    if (peek(ps, 0)->kind == T_LBRACE) {
      next(ps);
      c->has_bounds = true;
      const tok *a = peek(ps, 0);
      uint64_t v;
      if (a->kind != T_INT) { expected(ps, "a hop count"); return false; }
      next(ps);
      if (!parse_u64(a, &v) || v > UINT32_MAX) { fail_at(ps, a->line, a->col, "hop bound is out of range"); return false; }
      c->min_hops = (uint32_t)v;
      if (!expect(ps, T_COMMA, "`,` (hop bounds are written {min,max})")) return false;
      const tok *b = peek(ps, 0);
      if (b->kind == T_INT) {
        next(ps);
        if (!parse_u64(b, &v) || v > UINT32_MAX) { fail_at(ps, b->line, b->col, "hop bound is out of range"); return false; }
        c->max_hops = (uint32_t)v;
        c->has_max = true;
      } else {
        c->max_hops = 0;
      }
      if (!expect(ps, T_RBRACE, "`}`")) return false;
    } else {
      c->has_max = true;
    }
    const tok *d = peek(ps, 0);
    if (d->kind != T_VAR) { expected(ps, "a destination variable"); return false; }
    next(ps);
    c->dst = tok_str(ps, d);
    return ps->rc == OG_OK;
  }
  /* filter or text-search clause */
  og_qexpr *l = parse_expr(ps);
  if (!l) return false;
  const tok *o = peek(ps, 0);
  bool is_op = o->kind == T_EQ || o->kind == T_NE || o->kind == T_LT || o->kind == T_LE ||
               o->kind == T_GT || o->kind == T_GE || is_word(o, "contains");
  if (!is_op && (l->kind == OG_QE_SEARCH || l->kind == OG_QE_FUZZY || l->kind == OG_QE_MATCH_TEXT)) {
    c->kind = OG_QC_SEARCH;
    c->left = l;
    c->op = OG_QOP_EQ;
    return true;
  }
  c->kind = OG_QC_FILTER;
  c->left = l;
  if (!parse_cop(ps, &c->op, true)) return false;
  c->right = parse_expr(ps);
  return c->right != NULL;
}

/*---------------- read body ----------------*/

static bool parse_read(parser *ps, og_qdecl *d) {
  next(ps); /* match */
  if (!parse_clause_block(ps, &d->clauses, &d->n_clauses, "match")) return false;
  if (!is_word(peek(ps, 0), "return")) { expected(ps, "`return`"); return false; }
  next(ps);
  if (!expect(ps, T_LBRACE, "`{`")) return false;
  if (peek(ps, 0)->kind == T_RBRACE) {
    const tok *t = peek(ps, 0);
    fail_at(ps, t->line, t->col, "return block must contain at least one item");
    return false;
  }
  size_t cap = 0;
  while (peek(ps, 0)->kind != T_RBRACE) {
    og_qproj p = {NULL, NULL};
    if (!(p.expr = parse_expr(ps))) return false;
    if (is_word(peek(ps, 0), "as")) {
      next(ps);
      const tok *a = peek(ps, 0);
      if (a->kind != T_IDENT) { expected(ps, "an alias (lowercase identifier)"); return false; }
      next(ps);
      p.alias = tok_str(ps, a);
    }
    OG_Q_PUSH(ps->a, d->projs, d->n_projs, cap, p, { oom(ps); return false; });
    if (peek(ps, 0)->kind == T_COMMA) next(ps);
  }
  next(ps);
  if (is_word(peek(ps, 0), "order")) {
    next(ps);
    if (!expect(ps, T_LBRACE, "`{`")) return false;
    cap = 0;
    for (;;) {
      og_qorder o = {NULL, false, false};
      const tok *t = peek(ps, 0);
      if (!(o.expr = parse_expr(ps))) return false;
      const tok *dt = peek(ps, 0);
      if (is_word(dt, "asc") || is_word(dt, "desc")) {
        if (o.expr->kind == OG_QE_NEAREST) {
          fail_at(ps, dt->line, dt->col, "nearest() ordering cannot take asc/desc (it is always ascending by distance)");
          return false;
        }
        next(ps);
        o.has_dir = true;
        o.desc = is_word(dt, "desc");
      }
      (void)t;
      OG_Q_PUSH(ps->a, d->orders, d->n_orders, cap, o, { oom(ps); return false; });
      if (peek(ps, 0)->kind == T_COMMA) { next(ps); continue; }
      break;
    }
    if (!expect(ps, T_RBRACE, "`,` or `}`")) return false;
  }
  if (is_word(peek(ps, 0), "limit")) {
    next(ps);
    const tok *n = peek(ps, 0);
    if (n->kind != T_INT) { expected(ps, "a non-negative integer"); return false; }
    next(ps);
    if (!int_token(ps, n, &d->limit)) return false;
    d->has_limit = true;
  }
  return true;
}

/*---------------- mutations ----------------*/

static bool parse_assigns(parser *ps, og_qmut *m) {
  size_t cap = 0;
  if (!expect(ps, T_LBRACE, "`{`")) return false;
  if (peek(ps, 0)->kind == T_RBRACE) {
    const tok *t = peek(ps, 0);
    fail_at(ps, t->line, t->col, "%s requires at least one assignment",
            m->kind == OG_QM_INSERT ? "insert" : "update");
    return false;
  }
  while (peek(ps, 0)->kind != T_RBRACE) {
    const tok *p = peek(ps, 0);
    if (p->kind != T_IDENT) { expected(ps, "a property name"); return false; }
    next(ps);
    og_qassign a;
    memset(&a, 0, sizeof a);
    a.prop = tok_str(ps, p);
    a.pos = pos_of(p);
    if (!expect(ps, T_COLON, "`:`") || !parse_value(ps, &a.value)) return false;
    OG_Q_PUSH(ps->a, m->assigns, m->n_assigns, cap, a, { oom(ps); return false; });
    if (peek(ps, 0)->kind == T_COMMA) next(ps);
  }
  next(ps);
  return true;
}

static bool parse_pred(parser *ps, og_qmut *m) {
  if (!is_word(peek(ps, 0), "where")) { expected(ps, "`where`"); return false; }
  next(ps);
  const tok *p = peek(ps, 0);
  if (p->kind != T_IDENT) { expected(ps, "a property name"); return false; }
  next(ps);
  m->pred_prop = tok_str(ps, p);
  m->pred_pos = pos_of(p);
  if (is_word(peek(ps, 0), "contains")) {
    const tok *t = peek(ps, 0);
    fail_at(ps, t->line, t->col, "`contains` is not supported in mutation predicates");
    return false;
  }
  return parse_cop(ps, &m->pred_op, false) && parse_value(ps, &m->pred_value);
}

static bool parse_mutation(parser *ps, og_qmut *m) {
  const tok *t = next(ps);
  memset(m, 0, sizeof *m);
  m->pos = pos_of(t);
  m->kind = is_word(t, "insert") ? OG_QM_INSERT : is_word(t, "update") ? OG_QM_UPDATE : OG_QM_DELETE;
  const tok *ty = peek(ps, 0);
  if (ty->kind != T_TYPE) { expected(ps, "a type name"); return false; }
  next(ps);
  m->type_name = tok_str(ps, ty);
  if (m->kind == OG_QM_INSERT) return parse_assigns(ps, m);
  if (m->kind == OG_QM_UPDATE) {
    if (!is_word(peek(ps, 0), "set")) { expected(ps, "`set`"); return false; }
    next(ps);
    if (!parse_assigns(ps, m)) return false;
  }
  return parse_pred(ps, m);
}

static bool at_mutation(parser *ps) {
  const tok *t = peek(ps, 0);
  return (is_word(t, "insert") || is_word(t, "update") || is_word(t, "delete")) &&
         peek(ps, 1)->kind == T_TYPE;
}

/*---------------- declarations ----------------*/

static const struct { const char *name; og_qscalar s; } BASETYPES[] = {
    {"String", OG_QS_STRING}, {"Blob", OG_QS_BLOB}, {"Bool", OG_QS_BOOL},
    {"I32", OG_QS_I32},       {"I64", OG_QS_I64},   {"U32", OG_QS_U32},
    {"U64", OG_QS_U64},       {"F32", OG_QS_F32},   {"F64", OG_QS_F64},
    {"DateTime", OG_QS_DATETIME}, {"Date", OG_QS_DATE},
};

static bool parse_basetype(parser *ps, og_qscalar *s) {
  const tok *t = peek(ps, 0);
  if (t->kind == T_TYPE) {
    for (size_t k = 0; k < sizeof BASETYPES / sizeof BASETYPES[0]; k++)
      if (tok_is(t, T_TYPE, BASETYPES[k].name)) {
        next(ps);
        *s = BASETYPES[k].s;
        return true;
      }
  }
  expected(ps, "a parameter type (String, Bool, I32, I64, U32, U64, F32, F64, Date, DateTime, Blob, Vector(n) or [T])");
  return false;
}

static bool parse_param(parser *ps, og_qparam *p) {
  const tok *v = peek(ps, 0);
  memset(p, 0, sizeof *p);
  if (v->kind != T_VAR) { expected(ps, "a parameter `$name`"); return false; }
  next(ps);
  p->name = tok_str(ps, v);
  p->pos = pos_of(v);
  if (!expect(ps, T_COLON, "`:`")) return false;
  p->type_ok = true;
  const tok *t = peek(ps, 0);
  if (t->kind == T_LBRACK) {
    next(ps);
    if (!parse_basetype(ps, &p->type.scalar) || !expect(ps, T_RBRACK, "`]`")) return false;
    p->type.list = true;
    p->type_text = og_arena_printf(ps->a, "[%s]", og_qscalar_name(p->type.scalar));
  } else if (tok_is(t, T_TYPE, "Vector")) {
    next(ps);
    if (!expect(ps, T_LPAREN, "`(`")) return false;
    const tok *n = peek(ps, 0);
    if (n->kind != T_INT) { expected(ps, "a vector dimension"); return false; }
    next(ps);
    if (!expect(ps, T_RPAREN, "`)`")) return false;
    uint64_t dim;
    p->type.scalar = OG_QS_VECTOR;
    if (!parse_u64(n, &dim) || dim == 0 || dim > 2147483647u) {
      p->type_ok = false;
      /* keep the digits as written (minus leading zeros) for the message */
      size_t k = 0;
      while (k + 1 < n->n && n->p[k] == '0') k++;
      p->type_text = og_arena_printf(ps->a, "Vector(%.*s)", (int)(n->n - k), n->p + k);
    } else {
      p->type.dim = (uint32_t)dim;
      p->type_text = og_arena_printf(ps->a, "Vector(%u)", p->type.dim);
    }
  } else {
    if (!parse_basetype(ps, &p->type.scalar)) return false;
    p->type_text = og_qscalar_name(p->type.scalar);
  }
  if (!p->type_text) { oom(ps); return false; }
  if (peek(ps, 0)->kind == T_QUEST) {
    next(ps);
    p->type.nullable = true;
  }
  return true;
}

static bool parse_decl(parser *ps, og_qdecl *d) {
  memset(d, 0, sizeof *d);
  const tok *q = peek(ps, 0);
  if (!is_word(q, "query")) { expected(ps, "`query`"); return false; }
  next(ps);
  const tok *n = peek(ps, 0);
  if (n->kind == T_TYPE) {
    fail_at(ps, n->line, n->col, "query name `%.*s` must start with a lowercase letter or `_`",
            (int)(n->n > 60 ? 60 : n->n), n->p);
    return false;
  }
  if (n->kind != T_IDENT) { expected(ps, "a query name"); return false; }
  next(ps);
  d->name = tok_str(ps, n);
  d->pos = pos_of(q);
  if (!expect(ps, T_LPAREN, "`(`")) return false;
  size_t cap = 0;
  if (peek(ps, 0)->kind != T_RPAREN) {
    for (;;) {
      og_qparam p;
      if (!parse_param(ps, &p)) return false;
      OG_Q_PUSH(ps->a, d->params, d->n_params, cap, p, { oom(ps); return false; });
      if (peek(ps, 0)->kind == T_COMMA) {
        next(ps);
        if (peek(ps, 0)->kind != T_VAR) { expected(ps, "a parameter `$name` after `,`"); return false; }
        continue;
      }
      break;
    }
  }
  if (!expect(ps, T_RPAREN, "`,` or `)`")) return false;
  while (peek(ps, 0)->kind == T_AT) {
    const tok *at = next(ps);
    const tok *an = peek(ps, 0);
    bool is_desc = is_word(an, "description"), is_instr = is_word(an, "instruction");
    if (!is_desc && !is_instr) {
      char dd[96];
      describe(an, dd, sizeof dd);
      fail_at(ps, an->line, an->col,
              "unknown query annotation %s (only @description and @instruction are allowed)", dd);
      return false;
    }
    next(ps);
    const tok *st;
    if (!expect(ps, T_LPAREN, "`(`")) return false;
    st = peek(ps, 0);
    if (st->kind != T_STRING) { expected(ps, "a string literal"); return false; }
    next(ps);
    const char *val;
    size_t vlen;
    if (!decode_string(ps, st, &val, &vlen) || !expect(ps, T_RPAREN, "`)`")) return false;
    const char **slot = is_desc ? &d->description : &d->instruction;
    if (*slot) {
      fail_at(ps, at->line, at->col, "query `%s` cannot include duplicate @%s annotations", d->name,
              is_desc ? "description" : "instruction");
      return false;
    }
    *slot = val;
  }
  if (!expect(ps, T_LBRACE, "`{`")) return false;
  const tok *b = peek(ps, 0);
  if (is_word(b, "match")) {
    if (!parse_read(ps, d)) return false;
    if (at_mutation(ps)) {
      const tok *t = peek(ps, 0);
      fail_at(ps, t->line, t->col, "a query body cannot mix match/return with insert/update/delete");
      return false;
    }
  } else if (at_mutation(ps)) {
    d->is_mutation = true;
    cap = 0;
    while (at_mutation(ps)) {
      og_qmut m;
      if (!parse_mutation(ps, &m)) return false;
      OG_Q_PUSH(ps->a, d->muts, d->n_muts, cap, m, { oom(ps); return false; });
    }
    if (is_word(peek(ps, 0), "match")) {
      const tok *t = peek(ps, 0);
      fail_at(ps, t->line, t->col, "a query body cannot mix match/return with insert/update/delete");
      return false;
    }
  } else {
    expected(ps, "`match`, `insert`, `update` or `delete`");
    return false;
  }
  return expect(ps, T_RBRACE, d->is_mutation ? "`insert`, `update`, `delete` or `}`"
                              : d->has_limit ? "`}`"
                              : d->n_orders  ? "`limit` or `}`"
                                             : "`order`, `limit` or `}`");
}

og_status og_qfile_parse(const char *src, size_t len, og_qfile **out, og_error *err) {
  og_status rc = OG_OK;
  parser ps;
  memset(&ps, 0, sizeof ps);
  *out = NULL;
  og_qfile *f = og_calloc(1, sizeof *f);
  if (!f) return og_err_oom(err);
  og_arena_init(&f->arena, 0);
  ps.a = &f->arena;
  ps.err = err;
  if (!src) len = 0;
  if ((rc = tokenize(&ps, src ? src : "", len)) != OG_OK) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  size_t cap = 0;
  while (peek(&ps, 0)->kind != T_EOF) {
    og_qdecl d;
    if (!parse_decl(&ps, &d)) break;
    OG_Q_PUSH(ps.a, f->decls, f->n_decls, cap, d, { oom(&ps); break; });
  }
  rc = ps.rc;
cleanup:
  og_free(ps.toks);
  if (rc != OG_OK) og_qfile_free(f);
  else *out = f;
  return rc;
}

void og_qfile_free(og_qfile *f) {
  if (!f) return;
  og_arena_dispose(&f->arena);
  og_free(f);
}

const og_qdecl *og_qfile_find(const og_qfile *f, const char *name) {
  if (!f || !name) return NULL;
  for (size_t k = 0; k < f->n_decls; k++)
    if (strcmp(f->decls[k].name, name) == 0) return &f->decls[k];
  return NULL;
}

og_status og_qfile_select(const og_qfile *f, const char *name, const og_qdecl **out,
                          og_error *err) {
  *out = NULL;
  if (name) {
    if (!(*out = og_qfile_find(f, name)))
      return og_err_set(err, OG_EINVAL, "query '%s' not found", name); /* 400 (surface §5.3) */
    return OG_OK;
  }
  if (f->n_decls == 1) {
    *out = &f->decls[0];
    return OG_OK;
  }
  if (f->n_decls == 0) return og_err_set(err, OG_EINVAL, "query file contains no queries");
  return og_err_set(err, OG_EINVAL, "query file contains multiple queries; pass --name");
}
