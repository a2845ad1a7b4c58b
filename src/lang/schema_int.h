/*
 * schema_int.h — private helpers shared by schema_*.c, catalog*.c, plan*.c.
 */
#ifndef OG_LANG_SCHEMA_INT_H
#define OG_LANG_SCHEMA_INT_H

#include <stdlib.h>

#include "lang/schema.h"

/* qsort that tolerates empty (possibly NULL) arrays. */
static inline void og_sch_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
  if (n > 1) qsort(base, n, size, cmp);
}

/* Owner of an og_schema / og_catalog / og_plan: one arena plus the maps whose
 * slot arrays live on the heap. */
typedef struct og_sch_mem {
  og_arena arena;
  og_map **maps;
  size_t n_maps, cap_maps;
  void **regexes; /* compiled regex_t *, regfree'd with the owner */
  size_t n_regexes, cap_regexes;
} og_sch_mem;

og_sch_mem *og_sch_mem_new(void);
void og_sch_mem_free(og_sch_mem *m);
/* A map registered for disposal with the owner. NULL on OOM. */
og_map *og_sch_map_new(og_sch_mem *m);

/* Grow an arena array to `need` elements; the old block is abandoned (the
 * doubling keeps the total waste linear). NULL on OOM. */
void *og_sch_grow(og_arena *a, void *items, size_t *cap, size_t need, size_t elsize);

#define OG_SCH_PUSH(arena, arr, n, cap, val, onfail)                                  \
  do {                                                                                \
    void *og__p = og_sch_grow((arena), (void *)(arr), &(cap), (n) + 1, sizeof(*(arr))); \
    if (!og__p) { onfail; }                                                           \
    (arr) = og__p;                                                                    \
    (arr)[(n)++] = (val);                                                             \
  } while (0)

/* Shortest round-trip rendering of a double the way serde_json/ryu prints it
 * (`0.0`, `-40.0`, `0.1`, `1e21`). */
void og_sch_fmt_f64(double v, char *out, size_t cap);

/* Catalog finalisation shared by og_catalog_build and og_catalog_from_ir:
 * the og_type arrays are already deep copies in cat's arena. Sorts, assigns
 * ids, builds maps and derived fields, validates collisions, renders IR JSON
 * and the hash. */
og_status og_catalog_finish(og_catalog *cat, og_sch_mem *mem, og_type *ifaces, size_t ni,
                            og_type *nodes, size_t nn, og_type *edges, size_t ne, og_error *err);

/* Compile the regex of a CHECK constraint (Rust-regex subset translated to
 * POSIX ERE). Stores c->regex or c->regex_error. */
og_status og_sch_compile_check(og_sch_mem *mem, og_constraint *c, og_error *err);
void og_sch_free_regex(void *re);

/* Append the display form of a type (og_proptype_display) to a buffer. */
void og_sch_put_type(og_buf *b, const og_proptype *t);

/* Render IR JSON (compact when indent is 0). */
og_status og_sch_render_ir(const og_catalog *cat, int indent, og_buf *out);

#endif
