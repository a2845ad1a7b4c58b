/* Catalog → physical table schemas (spec data.md §1). */
#include "exec/exec.h"

#include <stdio.h>
#include <string.h>

static og_coltype scalar_col(og_scalar s) {
  switch (s) {
  case OG_SC_STRING: return OG_COL_STRING;
  case OG_SC_BOOL: return OG_COL_BOOL;
  case OG_SC_I32: return OG_COL_I32;
  case OG_SC_I64: return OG_COL_I64;
  case OG_SC_U32: return OG_COL_U32;
  case OG_SC_U64: return OG_COL_U64;
  case OG_SC_F32: return OG_COL_F32;
  case OG_SC_F64: return OG_COL_F64;
  case OG_SC_DATE: return OG_COL_DATE;
  case OG_SC_DATETIME: return OG_COL_DATETIME;
  case OG_SC_BLOB: return OG_COL_BLOB;
  case OG_SC_VECTOR: return OG_COL_VECTOR;
  }
  return OG_COL_INVALID;
}

og_colspec og_exec_colspec(const og_prop *p) {
  og_colspec c = {.name = p->name, .nullable = p->type.nullable};
  if (p->type.list) {
    c.type = OG_COL_LIST;
    c.elem = scalar_col(p->type.scalar);
  } else {
    c.type = scalar_col(p->type.scalar);
    if (c.type == OG_COL_VECTOR) c.dim = p->type.dim;
  }
  return c;
}

void og_exec_table_key(const og_type *t, char *buf, size_t cap) {
  snprintf(buf, cap, "%s:%s", t->kind == OG_KIND_EDGE ? "edge" : "node", t->name);
}

static og_status build_one(og_exec_tables *out, size_t i, const og_type *t, og_error *err) {
  size_t implicit = t->kind == OG_KIND_EDGE ? 3 : 1;
  size_t ncols = implicit + t->n_props;
  og_colspec *cols = og_arena_zalloc(&out->arena, ncols * sizeof *cols);
  char *key = og_arena_alloc(&out->arena, strlen(t->name) + 6);
  if (!cols || !key) return og_err_oom(err);
  og_exec_table_key(t, key, strlen(t->name) + 6);
  static const char *const implicit_names[] = {"id", "src", "dst"};
  for (size_t k = 0; k < implicit; k++)
    cols[k] = (og_colspec){.name = implicit_names[k], .type = OG_COL_STRING, .nullable = false};
  for (size_t k = 0; k < t->n_props; k++) cols[implicit + k] = og_exec_colspec(&t->props[k]);
  out->schemas[i] = (og_table_schema){.cols = cols, .ncols = ncols, .key_col = 0};
  out->specs[i] = (og_graph_table_spec){.table_key = key, .schema = &out->schemas[i]};
  return og_table_schema_check(&out->schemas[i], err);
}

og_status og_exec_tables_build(const og_catalog *cat, og_exec_tables *out, og_error *err) {
  og_status rc = OG_OK;
  memset(out, 0, sizeof *out);
  og_arena_init(&out->arena, 8192);
  size_t n = cat->n_nodes + cat->n_edges;
  out->specs = og_arena_zalloc(&out->arena, (n ? n : 1) * sizeof *out->specs);
  out->schemas = og_arena_zalloc(&out->arena, (n ? n : 1) * sizeof *out->schemas);
  if (!out->specs || !out->schemas) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (size_t i = 0; i < cat->n_nodes && !rc; i++) rc = build_one(out, i, &cat->nodes[i], err);
  for (size_t i = 0; i < cat->n_edges && !rc; i++)
    rc = build_one(out, cat->n_nodes + i, &cat->edges[i], err);
  out->count = n;
cleanup:
  if (rc) og_exec_tables_dispose(out);
  return rc;
}

void og_exec_tables_dispose(og_exec_tables *t) {
  if (!t) return;
  og_arena_dispose(&t->arena);
  memset(t, 0, sizeof *t);
}
