/*
 * exec — query and mutation execution over graph snapshots, and the mapping
 * from the catalog (lang) to physical tables (table/graph).
 *
 * Invariants:
 *  - A node type T is stored in table "node:T" with columns
 *    id (STRING, key, non-null) followed by T's properties in catalog order;
 *    an edge type E in "edge:E" with id, src, dst (STRING, non-null; id is
 *    the key) followed by E's properties (spec data.md §1).
 *  - Enums are stored as STRING, lists as LIST of the element type, Vector(n)
 *    as VECTOR with dim n, Date as DATE (days), DateTime as DATETIME (ms).
 */
#ifndef OG_EXEC_H
#define OG_EXEC_H

#include "graph/graph.h"
#include "lang/schema.h"

/* The physical tables of a catalog, in catalog order (nodes, then edges). */
typedef struct og_exec_tables {
  og_graph_table_spec *specs;  /* specs[i].schema points into schemas */
  og_table_schema *schemas;
  size_t count;
  og_arena arena;              /* names and column arrays */
} og_exec_tables;

og_status og_exec_tables_build(const og_catalog *cat, og_exec_tables *out, og_error *err);
void og_exec_tables_dispose(og_exec_tables *t);
/* Physical column spec of one property. */
og_colspec og_exec_colspec(const og_prop *p);
/* "node:T" / "edge:E" into buf. */
void og_exec_table_key(const og_type *t, char *buf, size_t cap);

#endif
