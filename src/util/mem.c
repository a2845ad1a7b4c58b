/* The one allocator choke point, with a fail-the-Nth-allocation test hook. */
#include "util/util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long fail_countdown; /* 0 = disarmed */
static atomic_bool fail_persistent;
static atomic_bool fail_tripped;
static atomic_long fail_count;

void og_alloc_fail_after(long n, bool persistent) {
  atomic_store(&fail_tripped, false);
  atomic_store(&fail_persistent, persistent);
  atomic_store(&fail_countdown, n);
}

long og_alloc_failures(void) { return atomic_load(&fail_count); }

static bool should_fail(void) {
  if (atomic_load(&fail_tripped)) {
    if (atomic_load(&fail_persistent)) {
      atomic_fetch_add(&fail_count, 1);
      return true;
    }
    return false;
  }
  if (atomic_load(&fail_countdown) <= 0) return false;
  if (atomic_fetch_sub(&fail_countdown, 1) == 1) {
    atomic_store(&fail_tripped, true);
    atomic_fetch_add(&fail_count, 1);
    return true;
  }
  return false;
}

void *og_malloc(size_t n) {
  if (should_fail()) return NULL;
  return malloc(n ? n : 1);
}

void *og_calloc(size_t count, size_t n) {
  if (should_fail()) return NULL;
  return calloc(count ? count : 1, n ? n : 1);
}

void *og_realloc(void *p, size_t n) {
  if (should_fail()) return NULL;
  return realloc(p, n ? n : 1);
}

void og_free(void *p) { free(p); }

char *og_strdup(const char *s) { return s ? og_strndup(s, strlen(s)) : NULL; }

char *og_strndup(const char *s, size_t n) {
  if (!s) return NULL;
  size_t len = strnlen(s, n);
  char *p = og_malloc(len + 1);
  if (!p) return NULL;
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

void *og_memdup(const void *p, size_t n) {
  void *q = og_malloc(n);
  if (q && n) memcpy(q, p, n);
  return q;
}

og_status og_array_reserve(void **items, size_t *cap, size_t need, size_t elsize) {
  if (need <= *cap) return OG_OK;
  size_t ncap = *cap ? *cap : 8;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) return OG_ENOMEM;
    ncap *= 2;
  }
  if (elsize && ncap > SIZE_MAX / elsize) return OG_ENOMEM;
  void *p = og_realloc(*items, ncap * elsize);
  if (!p) return OG_ENOMEM;
  *items = p;
  *cap = ncap;
  return OG_OK;
}
