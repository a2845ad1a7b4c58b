/* Bump-pointer arena: per-compilation and per-query memory freed at once. */
#include "util/util.h"

#include <stdio.h>
#include <string.h>

struct og_arena_block {
  og_arena_block *next;
  size_t cap;
  size_t used;
  _Alignas(16) unsigned char data[];
};

void og_arena_init(og_arena *a, size_t block_size) {
  a->head = NULL;
  a->block_size = block_size ? block_size : 16384;
  a->total = 0;
}

void *og_arena_alloc(og_arena *a, size_t n) {
  if (!a->block_size) a->block_size = 16384;
  n = (n + 15) & ~(size_t)15;
  if (n == 0) n = 16;
  og_arena_block *b = a->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > a->block_size / 2 ? n : a->block_size;
    og_arena_block *nb = og_malloc(sizeof *nb + cap);
    if (!nb) return NULL;
    nb->cap = cap;
    nb->used = 0;
    if (b && cap == n && b->cap - b->used > 256) {
      /* a large one-off: keep the current block as the head for small allocations */
      nb->next = b->next;
      b->next = nb;
    } else {
      nb->next = b;
      a->head = nb;
    }
    b = nb;
  }
  void *p = b->data + b->used;
  b->used += n;
  a->total += n;
  return p;
}

void *og_arena_zalloc(og_arena *a, size_t n) {
  void *p = og_arena_alloc(a, n);
  if (p) memset(p, 0, n);
  return p;
}

char *og_arena_strndup(og_arena *a, const char *s, size_t n) {
  char *p = og_arena_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *og_arena_strdup(og_arena *a, const char *s) { return og_arena_strndup(a, s, strlen(s)); }

void *og_arena_memdup(og_arena *a, const void *p, size_t n) {
  void *q = og_arena_alloc(a, n);
  if (q && n) memcpy(q, p, n);
  return q;
}

char *og_arena_printf(og_arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return NULL;
  char *p = og_arena_alloc(a, (size_t)n + 1);
  if (!p) return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

void og_arena_dispose(og_arena *a) {
  if (!a) return;
  og_arena_block *b = a->head;
  while (b) {
    og_arena_block *next = b->next;
    og_free(b);
    b = next;
  }
  a->head = NULL;
  a->total = 0;
}
