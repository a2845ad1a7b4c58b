/*
 * jdom — a small, allocation-free (in steady state) JSON parser for load
 * records. The loader parses ~1M records per second; building a jansson
 * tree per record (a malloc per value) cost more than everything else, so
 * records are parsed into a flat node array that is reused record after
 * record. Strings without escapes point into the input; escaped strings are
 * decoded into the caller's arena.
 *
 * Invariants:
 *  - Nodes are addressed by index; node 0 is the root. Children of a
 *    container are linked by `next` (0 = end) from `first` (0 = none).
 *  - A parse either succeeds on exactly one JSON value spanning the whole
 *    input (surrounding whitespace allowed) or reports failure; callers then
 *    ask jansson for the diagnostic, so error texts stay jansson's.
 *  - Object lookup returns the LAST member with the key (jansson semantics).
 *  - Strings are not UTF-8 validated here (the table layer validates every
 *    STRING value it stores).
 */
#ifndef OG_LOAD_JDOM_H
#define OG_LOAD_JDOM_H

#include "util/util.h"

typedef enum og_jk {
  OG_J_NULL, OG_J_FALSE, OG_J_TRUE, OG_J_INT, OG_J_REAL, OG_J_STR, OG_J_ARR, OG_J_OBJ
} og_jk;

typedef struct og_jnode {
  og_jk k;
  uint32_t next, first, n;
  const char *key;   /* member key (inside an object) */
  size_t klen;
  const char *s;     /* STR */
  size_t slen;
  int64_t i;         /* INT */
  double d;          /* REAL */
  const char *raw;   /* the value's source text */
  size_t rawlen;
} og_jnode;

typedef struct og_jdoc {
  OG_VEC(og_jnode) nodes;
} og_jdoc;
#define OG_JDOC_INIT {OG_VEC_INIT}

/* Parse text[0..n) (escaped strings decoded into `a`). Returns OG_OK and sets
 * *ok; *ok = false on a syntax error, OG_ENOMEM on allocation failure. */
og_status og_jdoc_parse(og_jdoc *d, const char *text, size_t n, og_arena *a, bool *ok);
/* Parse the one value that starts text[0..n) (leading whitespace allowed)
 * and may be followed by anything: *used = its end. Meant for objects and
 * arrays, whose end is unambiguous; *ok = false also when the value runs
 * past n. */
og_status og_jdoc_parse_prefix(og_jdoc *d, const char *text, size_t n, og_arena *a, bool *ok,
                               size_t *used);
void og_jdoc_dispose(og_jdoc *d);

static inline const og_jnode *og_jdoc_root(const og_jdoc *d) { return &d->nodes.items[0]; }
static inline const og_jnode *og_jnode_at(const og_jdoc *d, uint32_t i) {
  return i ? &d->nodes.items[i] : NULL;
}
/* Member of an object (NULL when absent or `obj` is not an object). */
const og_jnode *og_jobj_get(const og_jdoc *d, const og_jnode *obj, const char *key);

#endif
