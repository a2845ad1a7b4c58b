/*
 * query_catalog.c — adapter from the schema catalog (lang/schema.h) to the
 * query checker's view (query_int.h). The view mirrors the catalog arrays
 * index for index, so lookups go through the catalog's O(1) maps.
 */
#include <string.h>

#include "lang/query_int.h"
#include "lang/schema.h"

static og_qtype conv_type(const og_proptype *p) {
  og_qtype t;
  memset(&t, 0, sizeof t);
  t.scalar = (og_qscalar)p->scalar; /* same order by design (schema.h) */
  t.dim = p->dim;
  t.list = p->list;
  t.nullable = p->nullable;
  t.enum_values = p->enum_values;
  t.n_enum = p->n_enum;
  return t;
}

static og_status conv_types(og_arena *a, const og_type *src, size_t n, og_qc_type **out, og_error *err) {
  og_qc_type *ts = og_arena_zalloc(a, (n ? n : 1) * sizeof *ts);
  if (!ts) return og_err_oom(err);
  for (size_t k = 0; k < n; k++) {
    const og_type *s = &src[k];
    og_qc_type *t = &ts[k];
    t->name = s->name;
    t->is_edge = s->kind == OG_KIND_EDGE;
    t->from_type = s->from_type;
    t->to_type = s->to_type;
    t->n_props = s->n_props;
    t->props = og_arena_zalloc(a, (s->n_props ? s->n_props : 1) * sizeof *t->props);
    if (!t->props) return og_err_oom(err);
    for (size_t j = 0; j < s->n_props; j++) {
      const og_prop *p = &s->props[j];
      t->props[j].name = p->name;
      t->props[j].type = conv_type(&p->type);
      t->props[j].is_key = p->is_key;
      t->props[j].embed_src = p->embed_source;
    }
  }
  *out = ts;
  return OG_OK;
}

og_status og_qcat_build(og_arena *a, const struct og_catalog *cat, og_qcat *out, og_error *err) {
  og_status rc;
  memset(out, 0, sizeof *out);
  if (!cat) return og_err_set(err, OG_EINVAL, "no catalog");
  out->cat = cat;
  if ((rc = conv_types(a, cat->nodes, cat->n_nodes, &out->nodes, err)) != OG_OK) return rc;
  out->n_nodes = cat->n_nodes;
  if ((rc = conv_types(a, cat->edges, cat->n_edges, &out->edges, err)) != OG_OK) return rc;
  out->n_edges = cat->n_edges;
  return OG_OK;
}

const og_qc_type *og_qcat_node(const og_qcat *c, const char *name) {
  const og_type *t = og_catalog_node(c->cat, name);
  return t ? &c->nodes[t - c->cat->nodes] : NULL;
}

const og_qc_type *og_qcat_edge(const og_qcat *c, const char *name) {
  const og_type *t = og_catalog_edge(c->cat, name);
  return t ? &c->edges[t - c->cat->edges] : NULL;
}

const og_qc_type *og_qcat_edge_ci(const og_qcat *c, const char *name) {
  const og_type *t = og_catalog_edge_ci(c->cat, name);
  return t ? &c->edges[t - c->cat->edges] : NULL;
}

const og_qc_prop *og_qcat_prop(const og_qc_type *t, const char *name) {
  if (!t) return NULL;
  /* small per-type property lists: a scan beats a map here */
  for (size_t k = 0; k < t->n_props; k++)
    if (strcmp(t->props[k].name, name) == 0) return &t->props[k];
  return NULL;
}
