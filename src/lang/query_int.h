/*
 * query_int.h — private helpers shared by the query front end files.
 */
#ifndef OG_LANG_QUERY_INT_H
#define OG_LANG_QUERY_INT_H

#include <string.h>

#include "lang/query.h"

/* Grow an arena-held array to hold `need` elements; the old block is simply
 * abandoned in the arena (doubling keeps the total waste linear). */
void *og_q_arena_grow(og_arena *a, void *items, size_t *cap, size_t need, size_t elsize);

#define OG_Q_PUSH(arena, arr, n, cap, val, fail)                                        \
  do {                                                                                  \
    void *og__p = og_q_arena_grow((arena), (arr), &(cap), (n) + 1, sizeof(*(arr)));     \
    if (!og__p) { fail; }                                                               \
    (arr) = og__p;                                                                      \
    (arr)[(n)++] = (val);                                                               \
  } while (0)

/* Arena-backed hash map for the checker and lowering (no frees: the owner's
 * arena holds it). String keys (klen > 0) are borrowed, not copied; klen 0
 * means the key is a pointer compared by identity. */
typedef struct og_qhmap {
  og_arena *a;
  const void **keys;
  size_t *klens;
  void **vals;
  size_t cap, n;
} og_qhmap;
void og_qhmap_init(og_qhmap *m, og_arena *a);
bool og_qhmap_get(const og_qhmap *m, const void *key, size_t klen, void **val);
og_status og_qhmap_put(og_qhmap *m, const void *key, size_t klen, void *val);
/* String keys include their NUL so no key has length 0. */
static inline bool og_qhmap_sget(const og_qhmap *m, const char *k, void **v) {
  return og_qhmap_get(m, k, strlen(k) + 1, v);
}
static inline og_status og_qhmap_sput(og_qhmap *m, const char *k, void *v) {
  return og_qhmap_put(m, k, strlen(k) + 1, v);
}

/* Column name of an un-aliased return item (§5.5). */
const char *og_q_default_column(og_arena *a, const og_qexpr *e);

/* Render helpers (query_render.c). */
og_status og_q_render_expr(og_buf *b, const og_qexpr *e);
og_status og_q_render_value(og_buf *b, const og_qvalue *v);
og_status og_q_render_lit(og_buf *b, const og_qlit *l);

/*---- catalog view (query_catalog.c): the only file that reads schema.h ----*/

typedef struct og_qc_prop {
  const char *name;
  og_qtype type;
  bool is_key;             /* first key column */
  const char *embed_src;   /* @embed(src) on a Vector property, else NULL */
} og_qc_prop;

typedef struct og_qc_type {
  const char *name;
  bool is_edge;
  const char *from_type, *to_type; /* edges */
  og_qc_prop *props;
  size_t n_props;
} og_qc_type;

typedef struct og_qcat {
  const struct og_catalog *cat;
  og_qc_type *nodes;
  size_t n_nodes;
  og_qc_type *edges;
  size_t n_edges;
} og_qcat;

/* Build the view in `a` (borrows strings from the catalog). */
og_status og_qcat_build(og_arena *a, const struct og_catalog *cat, og_qcat *out, og_error *err);
const og_qc_type *og_qcat_node(const og_qcat *c, const char *name);
const og_qc_type *og_qcat_edge(const og_qcat *c, const char *name); /* exact */
const og_qc_type *og_qcat_edge_ci(const og_qcat *c, const char *name);
const og_qc_prop *og_qcat_prop(const og_qc_type *t, const char *name);

/* Check with a prebuilt view (lint reuses one view for a whole file). */
og_status og_query_check_view(const og_qcat *view, const struct og_catalog *cat,
                              const og_qdecl *d, og_qtyped **out, og_error *err);

#endif
