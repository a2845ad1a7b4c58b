/* The one allocator choke point, with a fail-the-Nth-allocation test hook. */
#include "util/util.h"

#include <pthread.h>
#include <sys/mman.h>
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

/* Large blocks ask for transparent huge pages (where the kernel offers them
 * on request: "madvise" mode). A fresh block is paid for page by page on
 * first touch, and on a virtual machine each 4 KiB fault can cost ~10 us:
 * touching 12 MiB took 35 ms on the benchmark VM, 0.5-0.9 ms in 2 MiB
 * pages. Only the whole 2 MiB pages inside the block are advised, so the
 * advice never reaches memory the block does not own. */
#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HUGE_MIN ((size_t)4 << 20)

static void *advise_huge(void *p, size_t n) {
#ifdef MADV_HUGEPAGE
  if (p && n >= HUGE_MIN) {
    uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t e = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);
    if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
  }
#else
  (void)n;
#endif
  return p;
}

void *og_malloc(size_t n) {
  if (should_fail()) return NULL;
  return advise_huge(malloc(n ? n : 1), n);
}

void *og_calloc(size_t count, size_t n) {
  if (should_fail()) return NULL;
  count = count ? count : 1;
  n = n ? n : 1;
  return advise_huge(calloc(count, n), count <= SIZE_MAX / n ? count * n : 0);
}

void *og_realloc(void *p, size_t n) {
  if (should_fail()) return NULL;
  return advise_huge(realloc(p, n ? n : 1), n);
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

/*==================== scratch pool ====================*/

#define SCRATCH_KEEP 4
#define SCRATCH_MAX ((size_t)64 << 20)
#define SCRATCH_HDR 16 /* the block's capacity, keeping 16-byte alignment */

static pthread_mutex_t scratch_mu = PTHREAD_MUTEX_INITIALIZER;
static void *scratch_pool[SCRATCH_KEEP]; /* header pointers */

static size_t scratch_cap(void *h) { return *(size_t *)h; }

void *og_scratch_take(size_t n) {
  if (n > SIZE_MAX - SCRATCH_HDR - 4095) return NULL;
  void *best = NULL;
  int at = -1;
  pthread_mutex_lock(&scratch_mu);
  for (int i = 0; i < SCRATCH_KEEP; i++) /* the smallest block that fits */
    if (scratch_pool[i] && scratch_cap(scratch_pool[i]) >= n &&
        (!best || scratch_cap(scratch_pool[i]) < scratch_cap(best))) {
      best = scratch_pool[i];
      at = i;
    }
  if (at >= 0) scratch_pool[at] = NULL;
  pthread_mutex_unlock(&scratch_mu);
  if (!best) {
    size_t cap = (n + 4095) & ~(size_t)4095;
    if (!(best = og_malloc(cap + SCRATCH_HDR))) return NULL;
    *(size_t *)best = cap;
  }
  return (char *)best + SCRATCH_HDR;
}

void og_scratch_give(void *p) {
  if (!p) return;
  void *h = (char *)p - SCRATCH_HDR, *drop = h;
  if (scratch_cap(h) <= SCRATCH_MAX) {
    pthread_mutex_lock(&scratch_mu);
    int at = -1; /* an empty place, else the smallest block if smaller than h */
    for (int i = 0; i < SCRATCH_KEEP && at < 0; i++)
      if (!scratch_pool[i]) at = i;
    if (at < 0) {
      int small = 0;
      for (int i = 1; i < SCRATCH_KEEP; i++)
        if (scratch_cap(scratch_pool[i]) < scratch_cap(scratch_pool[small])) small = i;
      if (scratch_cap(scratch_pool[small]) < scratch_cap(h)) at = small;
    }
    if (at >= 0) {
      drop = scratch_pool[at];
      scratch_pool[at] = h;
    }
    pthread_mutex_unlock(&scratch_mu);
  }
  og_free(drop);
}
