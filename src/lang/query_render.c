/*
 * query_render.c — type names and canonical source rendering of the AST.
 * The rendering parses back to an equal AST (tests round-trip it); it is
 * also what the IR debug text uses for expressions.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/query_int.h"

static const char *const SCALAR_NAMES[] = {"String", "Bool", "I32",  "I64",      "U32",  "U64",
                                           "F32",    "F64",  "Date", "DateTime", "Blob", "Vector"};

const char *og_qscalar_name(og_qscalar s) {
  return (unsigned)s < sizeof SCALAR_NAMES / sizeof SCALAR_NAMES[0] ? SCALAR_NAMES[s] : "?";
}

bool og_qscalar_numeric(og_qscalar s) { return s >= OG_QS_I32 && s <= OG_QS_F64; }
bool og_qscalar_integer(og_qscalar s) { return s >= OG_QS_I32 && s <= OG_QS_U64; }

void og_qtype_display(const og_qtype *t, char *out, size_t cap) {
  og_buf b = OG_BUF_INIT;
  if (t->list) og_buf_putc(&b, '[');
  if (t->n_enum) {
    og_buf_puts(&b, "enum(");
    for (size_t k = 0; k < t->n_enum; k++) {
      if (k) og_buf_puts(&b, ", ");
      og_buf_puts(&b, t->enum_values[k]);
    }
    og_buf_putc(&b, ')');
  } else if (t->scalar == OG_QS_VECTOR) {
    og_buf_printf(&b, "Vector(%u)", t->dim);
  } else {
    og_buf_puts(&b, og_qscalar_name(t->scalar));
  }
  if (t->list) og_buf_putc(&b, ']');
  if (t->nullable) og_buf_putc(&b, '?');
  if (cap) {
    if (b.ptr) snprintf(out, cap, "%s", b.ptr);
    else out[0] = 0;
  }
  og_buf_dispose(&b);
}

const char *og_qop_text(og_qop op) {
  switch (op) {
    case OG_QOP_EQ: return "=";
    case OG_QOP_NE: return "!=";
    case OG_QOP_LT: return "<";
    case OG_QOP_LE: return "<=";
    case OG_QOP_GT: return ">";
    case OG_QOP_GE: return ">=";
    case OG_QOP_CONTAINS: return "contains";
  }
  return "?";
}

static og_status put_quoted(og_buf *b, const char *s, size_t n) {
  og_buf_putc(b, '"');
  for (size_t k = 0; k < n; k++) {
    char c = s[k];
    switch (c) {
      case '"': og_buf_puts(b, "\\\""); break;
      case '\\': og_buf_puts(b, "\\\\"); break;
      case '\n': og_buf_puts(b, "\\n"); break;
      case '\r': og_buf_puts(b, "\\r"); break;
      case '\t': og_buf_puts(b, "\\t"); break;
      default: og_buf_putc(b, c); break;
    }
  }
  return og_buf_putc(b, '"');
}

og_status og_q_render_lit(og_buf *b, const og_qlit *l) {
  switch (l->kind) {
    case OG_QL_STRING: return put_quoted(b, l->s, l->len);
    case OG_QL_INT: return og_buf_printf(b, "%" PRId64, l->i);
    case OG_QL_FLOAT: {
      /* shortest text that reads back to the same double, always with a '.' */
      char tmp[64];
      for (int prec = 1; prec <= 60; prec++) {
        snprintf(tmp, sizeof tmp, "%.*f", prec, l->f);
        if (strtod(tmp, NULL) == l->f) break;
      }
      if (!isfinite(l->f)) snprintf(tmp, sizeof tmp, "0.0");
      return og_buf_puts(b, tmp);
    }
    case OG_QL_BOOL: return og_buf_puts(b, l->b ? "true" : "false");
    case OG_QL_DATE:
    case OG_QL_DATETIME:
      og_buf_puts(b, l->kind == OG_QL_DATE ? "date(" : "datetime(");
      put_quoted(b, l->s, l->len);
      return og_buf_putc(b, ')');
    case OG_QL_LIST:
      og_buf_putc(b, '[');
      for (size_t k = 0; k < l->n_items; k++) {
        if (k) og_buf_puts(b, ", ");
        og_q_render_lit(b, &l->items[k]);
      }
      return og_buf_putc(b, ']');
  }
  return OG_OK;
}

og_status og_q_render_value(og_buf *b, const og_qvalue *v) {
  switch (v->kind) {
    case OG_QVAL_LIT: return og_q_render_lit(b, &v->lit);
    case OG_QVAL_VAR: return og_buf_printf(b, "$%s", v->var);
    case OG_QVAL_NOW: return og_buf_puts(b, "now()");
  }
  return OG_OK;
}

static const char *agg_name(og_qagg a) {
  static const char *const n[] = {"count", "sum", "avg", "min", "max"};
  return n[a];
}

og_status og_q_render_expr(og_buf *b, const og_qexpr *e) {
  const char *fn = NULL;
  switch (e->kind) {
    case OG_QE_NOW: return og_buf_puts(b, "now()");
    case OG_QE_PROP: return og_buf_printf(b, "$%s.%s", e->var, e->name);
    case OG_QE_VAR: return og_buf_printf(b, "$%s", e->var);
    case OG_QE_LIT: return og_q_render_lit(b, &e->lit);
    case OG_QE_ALIAS: return og_buf_puts(b, e->name);
    case OG_QE_NEAREST:
      og_buf_printf(b, "nearest($%s.%s, ", e->var, e->name);
      og_q_render_expr(b, e->args[0]);
      return og_buf_putc(b, ')');
    case OG_QE_AGG: fn = agg_name(e->agg); break;
    case OG_QE_SEARCH: fn = "search"; break;
    case OG_QE_FUZZY: fn = "fuzzy"; break;
    case OG_QE_MATCH_TEXT: fn = "match_text"; break;
    case OG_QE_BM25: fn = "bm25"; break;
    case OG_QE_RRF: fn = "rrf"; break;
  }
  og_buf_printf(b, "%s(", fn);
  for (int k = 0; k < e->nargs; k++) {
    if (k) og_buf_puts(b, ", ");
    og_q_render_expr(b, e->args[k]);
  }
  return og_buf_putc(b, ')');
}

static void render_clause(og_buf *b, const og_qclause *c) {
  switch (c->kind) {
    case OG_QC_BINDING:
      og_buf_printf(b, "$%s: %s", c->var, c->type_name);
      if (c->n_pmatches) {
        og_buf_puts(b, " { ");
        for (size_t k = 0; k < c->n_pmatches; k++) {
          if (k) og_buf_puts(b, ", ");
          og_buf_printf(b, "%s: ", c->pmatches[k].prop);
          og_q_render_value(b, &c->pmatches[k].value);
        }
        og_buf_puts(b, " }");
      }
      break;
    case OG_QC_TRAVERSAL:
      og_buf_printf(b, "$%s %s", c->var, c->edge);
      if (c->has_bounds) {
        if (c->has_max) og_buf_printf(b, "{%u,%u}", c->min_hops, c->max_hops);
        else og_buf_printf(b, "{%u,}", c->min_hops);
      }
      og_buf_printf(b, " $%s", c->dst);
      break;
    case OG_QC_FILTER:
      og_q_render_expr(b, c->left);
      og_buf_printf(b, " %s ", og_qop_text(c->op));
      og_q_render_expr(b, c->right);
      break;
    case OG_QC_SEARCH: og_q_render_expr(b, c->left); break;
    case OG_QC_NOT:
      og_buf_puts(b, "not { ");
      for (size_t k = 0; k < c->n_inner; k++) {
        if (k) og_buf_putc(b, ' ');
        render_clause(b, &c->inner[k]);
      }
      og_buf_puts(b, " }");
      break;
  }
}

static void render_mut(og_buf *b, const og_qmut *m) {
  static const char *const kw[] = {"insert", "update", "delete"};
  og_buf_printf(b, "  %s %s", kw[m->kind], m->type_name);
  if (m->kind == OG_QM_UPDATE) og_buf_puts(b, " set");
  if (m->kind != OG_QM_DELETE) {
    og_buf_puts(b, " { ");
    for (size_t k = 0; k < m->n_assigns; k++) {
      if (k) og_buf_puts(b, ", ");
      og_buf_printf(b, "%s: ", m->assigns[k].prop);
      og_q_render_value(b, &m->assigns[k].value);
    }
    og_buf_puts(b, " }");
  }
  if (m->kind != OG_QM_INSERT) {
    og_buf_printf(b, " where %s %s ", m->pred_prop, og_qop_text(m->pred_op));
    og_q_render_value(b, &m->pred_value);
  }
  og_buf_putc(b, '\n');
}

og_status og_qdecl_render(const og_qdecl *d, og_buf *b) {
  og_buf_printf(b, "query %s(", d->name);
  for (size_t k = 0; k < d->n_params; k++) {
    if (k) og_buf_puts(b, ", ");
    og_buf_printf(b, "$%s: %s%s", d->params[k].name, d->params[k].type_text,
                  d->params[k].type.nullable ? "?" : "");
  }
  og_buf_putc(b, ')');
  if (d->description) {
    og_buf_puts(b, " @description(");
    put_quoted(b, d->description, strlen(d->description));
    og_buf_putc(b, ')');
  }
  if (d->instruction) {
    og_buf_puts(b, " @instruction(");
    put_quoted(b, d->instruction, strlen(d->instruction));
    og_buf_putc(b, ')');
  }
  og_buf_puts(b, " {\n");
  if (d->is_mutation) {
    for (size_t k = 0; k < d->n_muts; k++) render_mut(b, &d->muts[k]);
  } else {
    og_buf_puts(b, "  match {\n");
    for (size_t k = 0; k < d->n_clauses; k++) {
      og_buf_puts(b, "    ");
      render_clause(b, &d->clauses[k]);
      og_buf_putc(b, '\n');
    }
    og_buf_puts(b, "  }\n  return { ");
    for (size_t k = 0; k < d->n_projs; k++) {
      if (k) og_buf_puts(b, ", ");
      og_q_render_expr(b, d->projs[k].expr);
      if (d->projs[k].alias) og_buf_printf(b, " as %s", d->projs[k].alias);
    }
    og_buf_puts(b, " }\n");
    if (d->n_orders) {
      og_buf_puts(b, "  order { ");
      for (size_t k = 0; k < d->n_orders; k++) {
        if (k) og_buf_puts(b, ", ");
        og_q_render_expr(b, d->orders[k].expr);
        if (d->orders[k].has_dir) og_buf_puts(b, d->orders[k].desc ? " desc" : " asc");
      }
      og_buf_puts(b, " }\n");
    }
    if (d->has_limit) og_buf_printf(b, "  limit %" PRId64 "\n", d->limit);
  }
  return og_buf_puts(b, "}\n");
}

const char *og_q_default_column(og_arena *a, const og_qexpr *e) {
  switch (e->kind) {
    case OG_QE_PROP: return og_arena_printf(a, "%s.%s", e->var, e->name);
    case OG_QE_VAR: return e->var;
    case OG_QE_LIT: return "literal";
    case OG_QE_ALIAS: return e->name;
    case OG_QE_AGG: return og_q_default_column(a, e->args[0]);
    case OG_QE_NOW: return "now";
    default: {
      og_buf b = OG_BUF_INIT;
      og_q_render_expr(&b, e);
      const char *s = b.ptr ? og_arena_strdup(a, b.ptr) : NULL;
      og_buf_dispose(&b);
      return s;
    }
  }
}

static const char *scalar_kind(og_qscalar s) {
  switch (s) {
    case OG_QS_STRING: return "string";
    case OG_QS_BOOL: return "bool";
    case OG_QS_I32:
    case OG_QS_U32: return "int";
    case OG_QS_I64:
    case OG_QS_U64: return "bigint";
    case OG_QS_F32:
    case OG_QS_F64: return "float";
    case OG_QS_DATE: return "date";
    case OG_QS_DATETIME: return "datetime";
    case OG_QS_BLOB: return "blob";
    case OG_QS_VECTOR: return "vector";
  }
  return "string";
}

const char *og_qparam_kind(const og_qtype *t) { return t->list ? "list" : scalar_kind(t->scalar); }

og_status og_qdecl_params_json(const og_qdecl *d, og_buf *b) {
  og_buf_putc(b, '[');
  for (size_t k = 0; k < d->n_params; k++) {
    const og_qparam *p = &d->params[k];
    og_buf_puts(b, k ? ",{\"name\":" : "{\"name\":");
    og_buf_put_json_str(b, p->name, strlen(p->name));
    og_buf_printf(b, ",\"kind\":\"%s\"", og_qparam_kind(&p->type));
    if (p->type.list) og_buf_printf(b, ",\"item_kind\":\"%s\"", scalar_kind(p->type.scalar));
    if (!p->type.list && p->type.scalar == OG_QS_VECTOR) og_buf_printf(b, ",\"vector_dim\":%u", p->type.dim);
    og_buf_printf(b, ",\"nullable\":%s}", p->type.nullable ? "true" : "false");
  }
  og_buf_putc(b, ']');
  return b->oom ? OG_ENOMEM : OG_OK;
}
