/*
 * query_hmap.c — a small arena-backed open-addressing hash map, so name
 * lookups in the checker and lowering stay O(1) and a query of n clauses
 * costs O(n), without per-map frees on every error path.
 */
#include <string.h>

#include "lang/query_int.h"

void og_qhmap_init(og_qhmap *m, og_arena *a) {
  memset(m, 0, sizeof *m);
  m->a = a;
}

static uint64_t hkey(const void *key, size_t klen) {
  if (klen) return og_hash64(key, klen);
  uintptr_t v = (uintptr_t)key;
  return og_hash64(&v, sizeof v);
}

static bool keq(const void *a, size_t al, const void *b, size_t bl) {
  if (al != bl) return false;
  return al ? memcmp(a, b, al) == 0 : a == b;
}

static size_t find_slot(const og_qhmap *m, const void *key, size_t klen, bool *found) {
  size_t mask = m->cap - 1, i = (size_t)hkey(key, klen) & mask;
  for (;;) {
    if (!m->keys[i]) { *found = false; return i; }
    if (keq(m->keys[i], m->klens[i], key, klen)) { *found = true; return i; }
    i = (i + 1) & mask;
  }
}

bool og_qhmap_get(const og_qhmap *m, const void *key, size_t klen, void **val) {
  if (!m->cap || !key) return false;
  bool found;
  size_t i = find_slot(m, key, klen, &found);
  if (found && val) *val = m->vals[i];
  return found;
}

static og_status grow(og_qhmap *m) {
  size_t nc = m->cap ? m->cap * 2 : 16;
  const void **ks = og_arena_zalloc(m->a, nc * sizeof *ks);
  size_t *ls = og_arena_alloc(m->a, nc * sizeof *ls);
  void **vs = og_arena_alloc(m->a, nc * sizeof *vs);
  if (!ks || !ls || !vs) return OG_ENOMEM;
  og_qhmap old = *m;
  m->keys = ks;
  m->klens = ls;
  m->vals = vs;
  m->cap = nc;
  for (size_t k = 0; k < old.cap; k++) {
    if (!old.keys[k]) continue;
    bool found;
    size_t i = find_slot(m, old.keys[k], old.klens[k], &found);
    m->keys[i] = old.keys[k];
    m->klens[i] = old.klens[k];
    m->vals[i] = old.vals[k];
  }
  return OG_OK;
}

og_status og_qhmap_put(og_qhmap *m, const void *key, size_t klen, void *val) {
  if ((m->n + 1) * 2 > m->cap && grow(m) != OG_OK) return OG_ENOMEM;
  bool found;
  size_t i = find_slot(m, key, klen, &found);
  if (!found) {
    m->keys[i] = key;
    m->klens[i] = klen;
    m->n++;
  }
  m->vals[i] = val;
  return OG_OK;
}
