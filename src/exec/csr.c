/*
 * csr.c — dense node indices and CSR/CSC adjacency per table version, and
 * their cache (read_int.h).
 *
 * A cold build (the first traversal after a write) is: the node index (one
 * scan of the key column into an open-addressing table), then the edge
 * table's two endpoint columns scanned and mapped to dense indices, one
 * column per thread, then each direction counting-sorted when a query first
 * needs it. Its cost is memory more than arithmetic: the lookups' cache
 * misses (prefetched a batch ahead, ids of up to 8 bytes compared inside the
 * slot) and the first-touch page faults of fresh arrays (huge pages).
 */
#include <pthread.h>
#include <sys/mman.h>
#include <stdint.h>
#include <string.h>

#include "exec/read_int.h"
#include "graph/topo.h"

/*==================== id table ====================*/

/* Large arrays: 2 MiB aligned and marked for transparent huge pages. A
 * cold build writes tens of MB of fresh memory, and on a VM each 4 KiB
 * first-touch fault costs ~10 us (measured 12 us on the 2-vCPU bench VM:
 * 1 MB = 3 ms), against ~0.3 us per 4 KiB with huge pages. The raw pointer
 * sits just before the array, so big_free needs nothing else. */
#define BIG_ALIGN ((size_t)2 << 20)

static void *big_alloc(size_t n, bool zero) {
  bool huge = n >= BIG_ALIGN / 2; /* (at most half the huge pages unused) */
  size_t pad = huge ? BIG_ALIGN : 16;
  if (!n) n = 1;
  /* a huge array covers whole huge pages: a 4 KiB tail would fault page by page */
  size_t span = huge ? (n + BIG_ALIGN - 1) & ~(BIG_ALIGN - 1) : n;
  if (span < n || span > SIZE_MAX - pad - 16) return NULL;
  char *raw = og_malloc(span + pad + 16);
  if (!raw) return NULL;
  uintptr_t a = ((uintptr_t)raw + 16 + pad - 1) & ~(uintptr_t)(pad - 1);
  char *p = (char *)a;
  memcpy(p - sizeof raw, &raw, sizeof raw);
#ifdef MADV_HUGEPAGE
  if (huge) (void)madvise(p, span, MADV_HUGEPAGE); /* a hint: failure is fine */
#endif
  if (zero) memset(p, 0, n);
  return p;
}

static void big_free(void *p) {
  if (!p) return;
  char *raw;
  memcpy(&raw, (char *)p - sizeof raw, sizeof raw);
  og_free(raw);
}

size_t og_csr_parallel_min = (size_t)1 << 16;
size_t og_topo_persist_min = (size_t)1 << 16;

static inline uint64_t mix64(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  x ^= x >> 32;
  return x;
}

/* The first min(n, 8) bytes as a little-endian word, zero padded, without
 * reading past p + n (overlapping loads instead of a byte loop). */
static inline uint64_t key_word(const char *p, size_t n) {
  const uint8_t *u = (const uint8_t *)p;
  if (n >= 8) return og_get_u64le(u);
  if (n >= 4) return og_get_u32le(u) | (uint64_t)og_get_u32le(u + n - 4) << ((n - 4) * 8);
  if (!n) return 0;
  return u[0] | (uint64_t)u[n / 2] << (n / 2 * 8) | (uint64_t)u[n - 1] << ((n - 1) * 8);
}

static inline uint64_t key_hash(const char *p, size_t n, uint64_t w) {
  uint64_t h = w ^ ((uint64_t)n * 0x9e3779b97f4a7c15ull);
  if (n > 8) h ^= og_hash64(p + 8, n - 8) * 0xc2b2ae3d27d4eb4full;
  return mix64(h);
}

static inline uint32_t key_tag(uint64_t h, size_t n) {
  return (uint32_t)(h >> 40) << 8 | (uint32_t)(n < 255 ? n : 255);
}

/* Byte equality without a libc call: ids are short, and the call dominated. */
static inline bool bytes_eq(const char *a, const char *b, size_t n) {
  while (n >= 8) {
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    if (x != y) return false;
    a += 8, b += 8, n -= 8;
  }
  while (n--)
    if (*a++ != *b++) return false;
  return true;
}

og_status og_idtab_init(og_idtab *t, size_t expect) {
  memset(t, 0, sizeof *t);
  size_t cap = 16;
  while (cap * 3 < expect * 4) cap <<= 1; /* load <= 3/4 */
  t->slots = big_alloc(cap * sizeof *t->slots, true);
  if (!t->slots) return OG_ENOMEM;
  t->mask = cap - 1;
  return OG_VEC_PUSH(&t->offs, 0);
}

void og_idtab_dispose(og_idtab *t) {
  if (!t) return;
  big_free(t->slots);
  og_buf_dispose(&t->blob);
  OG_VEC_FREE(&t->offs);
  memset(t, 0, sizeof *t);
}

static inline uint32_t idtab_probe(const og_idtab *t, const char *p, size_t n, uint64_t w, uint64_t h) {
  uint32_t tag = key_tag(h, n);
  for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
    const og_idslot *s = &t->slots[i];
    if (!s->idx1) return UINT32_MAX;
    if (s->word != w || s->tag != tag) continue;
    uint32_t k = s->idx1 - 1;
    if (n <= 8) return k; /* word and length identify the id */
    uint64_t a = t->offs.items[k], b = t->offs.items[k + 1];
    if (b - a == n && bytes_eq(t->blob.ptr + a + 8, p + 8, n - 8)) return k;
  }
}

uint32_t og_idtab_find(const og_idtab *t, const char *p, size_t n) {
  uint64_t w = key_word(p, n);
  return idtab_probe(t, p, n, w, key_hash(p, n, w));
}

static void slot_put(og_idslot *slots, size_t mask, uint64_t w, uint64_t h, size_t n, uint32_t k) {
  size_t i = h & mask;
  while (slots[i].idx1) i = (i + 1) & mask;
  slots[i] = (og_idslot){.word = w, .tag = key_tag(h, n), .idx1 = k + 1};
}

static og_status idtab_grow(og_idtab *t) {
  size_t cap = (t->mask + 1) * 2;
  og_idslot *slots = cap <= SIZE_MAX / sizeof *slots ? big_alloc(cap * sizeof *slots, true) : NULL;
  if (!slots) return OG_ENOMEM;
  for (size_t k = 0; k < t->count; k++) {
    const char *p = t->blob.ptr + t->offs.items[k];
    size_t n = t->offs.items[k + 1] - t->offs.items[k];
    uint64_t w = key_word(p, n);
    slot_put(slots, cap - 1, w, key_hash(p, n, w), n, (uint32_t)k);
  }
  big_free(t->slots);
  t->slots = slots;
  t->mask = cap - 1;
  return OG_OK;
}

static og_status idtab_insert(og_idtab *t, const char *p, size_t n, uint64_t w, uint64_t h, uint32_t *idx_out) {
  if ((t->count + 1) * 4 > (t->mask + 1) * 3 && idtab_grow(t)) return OG_ENOMEM;
  if (og_buf_put(&t->blob, p, n) || OG_VEC_PUSH(&t->offs, (uint64_t)t->blob.len)) return OG_ENOMEM;
  uint32_t k = (uint32_t)t->count++;
  slot_put(t->slots, t->mask, w, h, n, k);
  *idx_out = k;
  return OG_OK;
}

og_status og_idtab_add(og_idtab *t, const char *p, size_t n, uint32_t *idx_out) {
  uint64_t w = key_word(p, n);
  return idtab_insert(t, p, n, w, key_hash(p, n, w), idx_out);
}

/*==================== helpers ====================*/

/* Run a(aa) and b(ba), b on a second thread when `par` (and one can be
 * started); the caller always works too. */
typedef og_status (*task_fn)(void *);
typedef struct task {
  task_fn fn;
  void *arg;
  og_status rc;
} task;

static void *task_main(void *p) {
  task *t = p;
  t->rc = t->fn(t->arg);
  return NULL;
}

static void run2(task *a, task *b, bool par) {
  pthread_t th;
  bool started = par && pthread_create(&th, NULL, task_main, b) == 0;
  a->rc = a->fn(a->arg);
  if (started) pthread_join(th, NULL);
  else b->rc = b->fn(b->arg);
}

/* Lookups of one batch of ids, pipelined: the slot of row r + PF is
 * prefetched while row r is probed, so the table's cache misses overlap. */
#define PF 16

/*==================== builds ====================*/

/* What a node index holds in memory (the cache's budget counts it). */
static size_t nodeidx_bytes(const og_nodeidx *n, size_t live) {
  return sizeof *n + live * sizeof *n->rowids + n->nrowid * sizeof *n->by_rowid +
         (n->ids.mask + 1) * sizeof *n->ids.slots + n->ids.blob.cap +
         n->ids.offs.cap * sizeof *n->ids.offs.items;
}

static void nodeidx_free(og_nodeidx *n) {
  if (!n) return;
  og_free(n->key);
  big_free(n->rowids); /* by_rowid shares the block */
  og_idtab_dispose(&n->ids);
  og_free(n);
}

static og_status nodeidx_build(og_table *t, og_nodeidx **out, og_error *err) {
  og_status rc = OG_OK;
  og_scan *sc = NULL;
  og_nodeidx *n = og_calloc(1, sizeof *n);
  size_t live = og_table_row_count(t);
  if (!n) return og_err_oom(err);
  n->nrowid = og_table_next_row_id(t);
  n->key = og_strdup(og_table_key(t));
  n->rowids = big_alloc(live * sizeof *n->rowids + n->nrowid * sizeof *n->by_rowid, false);
  n->by_rowid = n->rowids ? (uint32_t *)(n->rowids + live) : NULL;
  if (!n->key || !n->rowids || !n->by_rowid || og_idtab_init(&n->ids, live) ||
      og_array_reserve((void **)&n->ids.offs.items, &n->ids.offs.cap, live + 1, sizeof *n->ids.offs.items)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  memset(n->by_rowid, 0xff, n->nrowid * sizeof *n->by_rowid);
  og_idtab *ids = &n->ids;
  uint32_t col = 0; /* id */
  og_scan_opts so = {.cols = &col, .ncols = 1};
  if ((rc = og_table_scan(t, &so, &sc, err))) goto cleanup;
  for (;;) {
    const og_batch *b = NULL;
    if ((rc = og_scan_next(sc, &b, err))) goto cleanup;
    if (!b) break;
    size_t rows = og_batch_rows(b);
    const og_column *c = &b->cols[0];
    if (n->n + rows > live) {
      rc = og_err_set(err, OG_ECORRUPT, "table %s: live row count mismatch", og_table_key(t));
      goto cleanup;
    }
    if (og_buf_grow(&ids->blob, c->data.len + 1)) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    uint64_t hs[PF], ws[PF];
    for (size_t r = 0; r < rows + PF; r++) {
      size_t j = r & (PF - 1);
      if (r >= PF) {
        size_t q = r - PF;
        const char *p = c->data.ptr + c->offsets.items[q];
        size_t len = c->offsets.items[q + 1] - c->offsets.items[q];
        uint64_t rid = b->rowids.items[q];
        if (rid >= n->nrowid) {
          rc = og_err_set(err, OG_ECORRUPT, "table %s: row id beyond the next row id", og_table_key(t));
          goto cleanup;
        }
        uint32_t d = idtab_probe(ids, p, len, ws[j], hs[j]);
        if (d == UINT32_MAX) {
          if (idtab_insert(ids, p, len, ws[j], hs[j], &d)) {
            rc = og_err_oom(err);
            goto cleanup;
          }
          n->n++;
        }
        /* duplicate ids (append quirk): the later row wins, like lookup */
        n->rowids[d] = rid;
        n->by_rowid[rid] = d;
      }
      if (r < rows) {
        const char *p = c->data.ptr + c->offsets.items[r];
        size_t len = c->offsets.items[r + 1] - c->offsets.items[r];
        ws[j] = key_word(p, len);
        hs[j] = key_hash(p, len, ws[j]);
        __builtin_prefetch(&ids->slots[hs[j] & ids->mask]);
      }
    }
  }
  n->bytes = nodeidx_bytes(n, live);
  *out = n;
  n = NULL;
cleanup:
  og_scan_free(sc);
  nodeidx_free(n);
  return rc;
}

/* One endpoint column of an edge table mapped to dense indices (one per
 * thread). Ids that are not live nodes are set aside as ghosts: their
 * indices depend on the order of first sight across both columns. */
typedef struct ghost {
  uint64_t pos, off, len; /* edge position; the id in gblob */
} ghost;

typedef struct side {
  og_table *edges;
  uint32_t col;
  const og_idtab *ids;
  uint32_t *map; /* cap entries */
  size_t cap, n;
  OG_VEC(ghost) ghosts;
  og_buf gblob;
  og_error err;
} side;

static og_status side_map(void *arg) {
  side *s = arg;
  og_status rc = OG_OK;
  og_scan *sc = NULL;
  const og_idtab *ids = s->ids;
  og_scan_opts so = {.cols = &s->col, .ncols = 1};
  if ((rc = og_table_scan(s->edges, &so, &sc, &s->err))) goto cleanup;
  for (;;) {
    const og_batch *b = NULL;
    if ((rc = og_scan_next(sc, &b, &s->err))) goto cleanup;
    if (!b) break;
    size_t rows = og_batch_rows(b);
    const og_column *c = &b->cols[0];
    if (s->n + rows > s->cap) {
      rc = og_err_set(&s->err, OG_ECORRUPT, "table %s: live row count mismatch", og_table_key(s->edges));
      goto cleanup;
    }
    uint32_t *map = s->map + s->n;
    uint64_t hs[PF], ws[PF];
    /* string columns: row r is data[offsets[r] .. offsets[r+1]) (table.h) */
    for (size_t r = 0; r < rows + PF; r++) {
      size_t j = r & (PF - 1);
      if (r >= PF) {
        size_t q = r - PF;
        const char *p = c->data.ptr + c->offsets.items[q];
        size_t len = c->offsets.items[q + 1] - c->offsets.items[q];
        uint32_t d = idtab_probe(ids, p, len, ws[j], hs[j]);
        if (d == UINT32_MAX) {
          ghost gh = {s->n + q, s->gblob.len, len};
          if (og_buf_put(&s->gblob, p, len) || OG_VEC_PUSH(&s->ghosts, gh)) {
            rc = og_err_oom(&s->err);
            goto cleanup;
          }
        }
        map[q] = d;
      }
      if (r < rows) {
        const char *p = c->data.ptr + c->offsets.items[r];
        size_t len = c->offsets.items[r + 1] - c->offsets.items[r];
        ws[j] = key_word(p, len);
        hs[j] = key_hash(p, len, ws[j]);
        __builtin_prefetch(&ids->slots[hs[j] & ids->mask]);
      }
    }
    s->n += rows;
  }
cleanup:
  og_scan_free(sc);
  return rc;
}

/* Ghost indices in order of first sight, source before destination within
 * an edge (one space when same). */
static og_status ghosts_resolve(og_csr *g, side *ss, side *sd, og_error *err) {
  og_status rc = OG_OK;
  og_idtab gsrc, gdst;
  memset(&gsrc, 0, sizeof gsrc);
  memset(&gdst, 0, sizeof gdst);
  if (og_idtab_init(&gsrc, 16) || og_idtab_init(&gdst, 16)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  og_idtab *gs = &gsrc, *gd = g->same ? &gsrc : &gdst;
  size_t i = 0, k = 0;
  while (i < ss->ghosts.count || k < sd->ghosts.count) {
    bool src = k == sd->ghosts.count || (i < ss->ghosts.count && ss->ghosts.items[i].pos <= sd->ghosts.items[k].pos);
    side *s = src ? ss : sd;
    const ghost *gh = src ? &ss->ghosts.items[i++] : &sd->ghosts.items[k++];
    og_idtab *t = src ? gs : gd;
    const char *p = s->gblob.ptr + gh->off;
    uint32_t d = og_idtab_find(t, p, gh->len);
    if (d == UINT32_MAX && og_idtab_add(t, p, gh->len, &d)) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    s->map[gh->pos] = (uint32_t)(src ? g->src : g->dst)->n + d;
  }
  g->nsrc = g->src->n + gs->count;
  g->ndst = g->dst->n + gd->count;
cleanup:
  og_idtab_dispose(&gsrc);
  og_idtab_dispose(&gdst);
  return rc;
}

/* Map both endpoint columns (in parallel when large) into g->es / g->ed. */
static og_status csr_map(og_table *edges, og_csr *g, og_error *err) {
  og_status rc = OG_OK;
  size_t ne = og_table_row_count(edges);
  side ss = {.edges = edges, .col = 1, .ids = &g->src->ids, .cap = ne, .err = OG_ERROR_INIT};
  side sd = {.edges = edges, .col = 2, .ids = &g->dst->ids, .cap = ne, .err = OG_ERROR_INIT};
  ss.map = g->es = big_alloc(ne * sizeof *g->es, false);
  sd.map = g->ed = big_alloc(ne * sizeof *g->ed, false);
  if (!g->es || !g->ed) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  task ta = {side_map, &ss, OG_OK}, tb = {side_map, &sd, OG_OK};
  run2(&ta, &tb, ne >= og_csr_parallel_min);
  if (ta.rc || tb.rc) {
    rc = ta.rc ? ta.rc : tb.rc;
    *err = ta.rc ? ss.err : sd.err;
    goto cleanup;
  }
  if (ss.n != sd.n) {
    rc = og_err_set(err, OG_ECORRUPT, "table %s: endpoint columns differ in length", og_table_key(edges));
    goto cleanup;
  }
  g->nedges = ss.n;
  rc = ghosts_resolve(g, &ss, &sd, err);
cleanup:
  OG_VEC_FREE(&ss.ghosts);
  OG_VEC_FREE(&sd.ghosts);
  og_buf_dispose(&ss.gblob);
  og_buf_dispose(&sd.gblob);
  return rc;
}

/* One direction: a counting sort of the edges by `key` (stable, so each
 * list keeps edge scan order), then each list deduplicated in place.
 * Traversal has set semantics (one row per distinct destination, a node is
 * never its own neighbour), so this happens once here, in first-occurrence
 * order, and self loops of same-type edges are dropped; the hop-1 expansion
 * then needs no per-source bookkeeping. Whether a node had any edge at all
 * (self loops and duplicates included) is kept for the anti-join fast path. */
typedef struct dir_job {
  const uint32_t *key, *val;
  size_t ne, nkey, nval;
  bool same;
  uint64_t *off;
  uint32_t *tgt;
  uint8_t *any;
} dir_job;

static og_status dir_build(void *arg) {
  dir_job *j = arg;
  size_t n = j->nkey;
  /* off[k + 2] counts key k, so after the prefix sum off[k + 1] is where
   * list k starts, and the scatter's increments leave off[k + 1] at its end:
   * off[0..n] are the final offsets, without a copy of the positions. */
  uint64_t *off = big_alloc((n + 2) * sizeof *off, true);
  uint32_t *tgt = big_alloc(j->ne * sizeof *tgt, false);
  uint32_t *seen = big_alloc((j->nval + 1) * sizeof *seen, true);
  uint8_t *any = og_malloc(n + 1);
  if (!off || !tgt || !seen || !any) {
    big_free(off);
    big_free(tgt);
    big_free(seen);
    og_free(any);
    return OG_ENOMEM;
  }
  const uint32_t *key = j->key, *val = j->val;
  for (size_t i = 0; i < j->ne; i++) off[key[i] + 2]++;
  for (size_t k = 2; k < n + 2; k++) off[k] += off[k - 1];
  for (size_t i = 0; i < j->ne; i++) tgt[off[key[i] + 1]++] = val[i];
  uint64_t w = 0, start = 0;
  for (size_t v = 0; v < n; v++) {
    uint64_t end = off[v + 1];
    any[v] = end > start;
    off[v] = w;
    uint32_t stamp = (uint32_t)v + 1;
    for (uint64_t e = start; e < end; e++) {
      uint32_t m = tgt[e];
      if ((j->same && m == v) || seen[m] == stamp) continue;
      seen[m] = stamp;
      tgt[w++] = m;
    }
    start = end;
  }
  off[n] = w;
  big_free(seen);
  j->off = off;
  j->tgt = tgt;
  j->any = any;
  return OG_OK;
}

static size_t csr_bytes(const og_csr *g) {
  size_t b = sizeof *g;
  if (g->es) b += 2 * g->nedges * sizeof *g->es;
  if (g->built & OG_CSR_OUT) b += (g->nsrc + 1) * (sizeof *g->out_off + 1) + g->out_off[g->nsrc] * sizeof *g->out_tgt;
  if (g->built & OG_CSR_IN) b += (g->ndst + 1) * (sizeof *g->in_off + 1) + g->in_off[g->ndst] * sizeof *g->in_tgt;
  return b;
}

/* Build the directions in `dirs` that g lacks (g->mu held). */
static og_status csr_build_dirs(og_csr *g, unsigned dirs, og_error *err) {
  /* With a second thread the other direction costs no wall time now and
   * spares the next query that reads it a build (on the 1M-edge bench: a
   * later push query's first run 18 ms lazily, 6 ms so); small builds stay
   * lazy. */
  if (dirs && g->nedges >= og_csr_parallel_min) dirs = OG_CSR_OUT | OG_CSR_IN;
  dirs &= ~g->built;
  if (!dirs) return OG_OK;
  dir_job out = {g->es, g->ed, g->nedges, g->nsrc, g->ndst, g->same, NULL, NULL, NULL};
  dir_job in = {g->ed, g->es, g->nedges, g->ndst, g->nsrc, g->same, NULL, NULL, NULL};
  task to = {dir_build, &out, OG_OK}, ti = {dir_build, &in, OG_OK};
  if (dirs == (OG_CSR_OUT | OG_CSR_IN)) run2(&to, &ti, g->nedges >= og_csr_parallel_min);
  else if (dirs == OG_CSR_OUT) to.rc = dir_build(&out);
  else ti.rc = dir_build(&in);
  if (to.rc || ti.rc) {
    big_free(out.off), big_free(out.tgt), og_free(out.any);
    big_free(in.off), big_free(in.tgt), og_free(in.any);
    return og_err_oom(err);
  }
  if (dirs & OG_CSR_OUT) g->out_off = out.off, g->out_tgt = out.tgt, g->out_any = out.any;
  if (dirs & OG_CSR_IN) g->in_off = in.off, g->in_tgt = in.tgt, g->in_any = in.any;
  g->built |= dirs;
  if (g->built == (OG_CSR_OUT | OG_CSR_IN)) {
    big_free(g->es);
    big_free(g->ed);
    g->es = g->ed = NULL;
  }
  return OG_OK;
}

static void csr_free(og_csr *g) {
  if (!g) return;
  og_free(g->key);
  big_free(g->es);
  big_free(g->ed);
  big_free(g->out_off);
  big_free(g->out_tgt);
  big_free(g->in_off);
  big_free(g->in_tgt);
  og_free(g->out_any);
  og_free(g->in_any);
  pthread_mutex_destroy(&g->mu);
  og_free(g);
}

/*==================== persisted topology (graph/topo.h) ====================*/

/* Sections are read straight into the in-memory arrays. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "persisted topologies are read in place: little-endian hosts only"
#endif

/* The persisted topology of one edge version, its header read once for
 * both node indexes and the adjacency. `ok`: present, readable and about
 * exactly this edge version. */
typedef struct topo_src {
  og_store *st;
  og_buf key;
  og_topo_hdr h;
  bool ok;
} topo_src;

static void topo_open(og_table *edges, topo_src *ts) {
  memset(ts, 0, sizeof *ts);
  ts->st = og_table_store(edges);
  og_error e = OG_ERROR_INIT;
  if (og_table_row_count(edges) < og_topo_persist_min ||
      !og_topo_key(&ts->key, og_table_prefix(edges), og_table_key(edges)) ||
      og_topo_read_header(ts->st, ts->key.ptr, &ts->h, &e))
    return;
  ts->ok = strcmp(ts->h.edge_key, og_table_key(edges)) == 0 && ts->h.nedges == og_table_row_count(edges);
}

static void topo_close(topo_src *ts) {
  og_topo_hdr_dispose(&ts->h);
  og_buf_dispose(&ts->key);
}

/* Index every id of t (blob/offs filled) in its slot table, prefetched a
 * batch ahead like the builds; false on a duplicate id. */
static bool idtab_index_all(og_idtab *t) {
  uint64_t hs[PF], ws[PF];
  size_t n = t->count;
  for (size_t r = 0; r < n + PF; r++) {
    size_t j = r & (PF - 1);
    if (r >= PF) {
      size_t q = r - PF;
      const char *p = t->blob.ptr + t->offs.items[q];
      size_t len = t->offs.items[q + 1] - t->offs.items[q];
      if (idtab_probe(t, p, len, ws[j], hs[j]) != UINT32_MAX) return false;
      slot_put(t->slots, t->mask, ws[j], hs[j], len, (uint32_t)q);
    }
    if (r < n) {
      const char *p = t->blob.ptr + t->offs.items[r];
      size_t len = t->offs.items[r + 1] - t->offs.items[r];
      ws[j] = key_word(p, len);
      hs[j] = key_hash(p, len, ws[j]);
      __builtin_prefetch(&t->slots[hs[j] & t->mask]);
    }
  }
  return true;
}

/* The dense index of node version t read from the topology that was built
 * on it (the keys and row ids of its live nodes, in dense order) instead of
 * scanning its key column. *out NULL: unusable, build it. */
static og_status nodeidx_from_topo(const topo_src *ts, bool dst, og_table *t, og_nodeidx **out, og_error *err) {
  og_status rc = OG_OK;
  const og_topo_hdr *h = &ts->h;
  og_error e = OG_ERROR_INIT;
  uint8_t *k = NULL;
  og_nodeidx *n = NULL;
  *out = NULL;
  bool other = dst && !h->same;
  int sk = other ? OG_TOPO_DST_KEYS : OG_TOPO_SRC_KEYS, sr = other ? OG_TOPO_DST_ROWIDS : OG_TOPO_SRC_ROWIDS;
  size_t live = dst ? h->ndst_live : h->nsrc_live;
  if (!ts->ok || strcmp(dst ? h->dst_key : h->src_key, og_table_key(t)) != 0 || live != og_table_row_count(t))
    return OG_OK;
  if (!(n = og_calloc(1, sizeof *n))) return og_err_oom(err);
  n->nrowid = og_table_next_row_id(t);
  n->key = og_strdup(og_table_key(t));
  n->rowids = big_alloc(live * sizeof *n->rowids + n->nrowid * sizeof *n->by_rowid, false);
  n->by_rowid = n->rowids ? (uint32_t *)(n->rowids + live) : NULL;
  uint64_t klen = h->sect[sk].len, blen = klen - (live + 1) * 8;
  k = og_malloc(klen);
  if (!n->key || !n->rowids || !k || og_idtab_init(&n->ids, live) ||
      og_array_reserve((void **)&n->ids.offs.items, &n->ids.offs.cap, live + 1, sizeof *n->ids.offs.items) ||
      og_buf_grow(&n->ids.blob, blen + 1)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if (og_topo_read_sect(ts->st, ts->key.ptr, h, sk, k, &e) ||
      og_topo_read_sect(ts->st, ts->key.ptr, h, sr, n->rowids, &e))
    goto cleanup;
  for (size_t i = 0; i <= live; i++) {
    uint64_t o = og_get_u64le(k + i * 8);
    if (o > blen || (i ? o < n->ids.offs.items[i - 1] : o != 0) || (i == live && o != blen)) goto cleanup;
    n->ids.offs.items[i] = o;
  }
  n->ids.offs.count = live + 1;
  og_buf_put(&n->ids.blob, k + (live + 1) * 8, blen); /* (room reserved) */
  n->ids.count = live;
  memset(n->by_rowid, 0xff, n->nrowid * sizeof *n->by_rowid);
  for (size_t d = 0; d < live; d++) {
    uint64_t r = n->rowids[d];
    if (r >= n->nrowid || n->by_rowid[r] != UINT32_MAX) goto cleanup;
    n->by_rowid[r] = (uint32_t)d;
  }
  if (!idtab_index_all(&n->ids)) goto cleanup;
  n->n = live;
  n->bytes = nodeidx_bytes(n, live);
  *out = n;
  n = NULL;
cleanup:
  og_free(k);
  nodeidx_free(n);
  return rc;
}

/* One direction of a persisted topology read into fresh arrays and checked
 * (offsets monotone from 0 to the target count, targets inside their space:
 * the bytes passed their checksum, but no byte read is trusted). */
typedef struct tdir {
  og_store *st;
  const char *key;
  const og_topo_hdr *h;
  int s_off, s_tgt, s_any;
  size_t n, space; /* keys of this direction; size of the target space */
  uint64_t *off;
  uint32_t *tgt;
  uint8_t *any;
  og_error err;
} tdir;

static void tdir_free(tdir *d) {
  big_free(d->off);
  big_free(d->tgt);
  og_free(d->any);
  d->off = NULL, d->tgt = NULL, d->any = NULL;
}

static og_status tdir_read(void *arg) {
  tdir *d = arg;
  og_status rc;
  uint64_t ntgt = d->h->sect[d->s_tgt].len / 4;
  d->off = big_alloc((d->n + 1) * sizeof *d->off, false);
  d->tgt = big_alloc(ntgt * sizeof *d->tgt, false);
  d->any = og_malloc(d->n + 1);
  if (!d->off || !d->tgt || !d->any) return og_err_oom(&d->err);
  if ((rc = og_topo_read_sect(d->st, d->key, d->h, d->s_off, d->off, &d->err)) ||
      (rc = og_topo_read_sect(d->st, d->key, d->h, d->s_tgt, d->tgt, &d->err)) ||
      (rc = og_topo_read_sect(d->st, d->key, d->h, d->s_any, d->any, &d->err)))
    return rc;
  bool ok = d->off[0] == 0 && d->off[d->n] == ntgt;
  for (size_t v = 0; v < d->n && ok; v++) ok = d->off[v] <= d->off[v + 1] && d->any[v] <= 1;
  uint32_t bad = 0;
  for (uint64_t e = 0; e < ntgt; e++) bad |= d->tgt[e] >= d->space;
  if (!ok || bad) return og_err_set(&d->err, OG_ECORRUPT, "graph: corrupt topology object '%s'", d->key);
  return OG_OK;
}

/* Keys section (offsets, then bytes) -> dense index in `ids` per stored
 * node (UINT32_MAX when not live there). */
static og_status topo_keymap(og_store *st, const char *key, const og_topo_hdr *h, int sect, size_t n,
                             const og_idtab *ids, uint32_t **out, og_error *err) {
  og_status rc = OG_OK;
  uint64_t len = h->sect[sect].len;
  uint8_t *k = og_malloc(len);
  uint32_t *m = big_alloc(n * sizeof *m, false);
  if (!k || !m) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if ((rc = og_topo_read_sect(st, key, h, sect, k, err))) goto cleanup;
  const uint8_t *bytes = k + (n + 1) * 8;
  uint64_t blen = len - (n + 1) * 8, prev = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t a = og_get_u64le(k + i * 8), b = og_get_u64le(k + (i + 1) * 8);
    if (a != prev || b < a || b > blen) {
      rc = og_err_set(err, OG_ECORRUPT, "graph: corrupt topology object '%s'", key);
      goto cleanup;
    }
    prev = b;
    m[i] = og_idtab_find(ids, (const char *)bytes + a, b - a);
  }
  *out = m;
  m = NULL;
cleanup:
  og_free(k);
  big_free(m);
  return rc;
}

/* A stored direction (key space n0) moved into the current dense spaces:
 * key node v0 becomes mk[v0] (UINT32_MAX: not live now, which a node with
 * edges must not be), targets t become mt[t]. Lists keep their order, so the
 * result equals what a build on the current versions would give. */
static bool topo_move(tdir *d, const uint32_t *mk, const uint32_t *mt, size_t n1) {
  uint64_t *off = big_alloc((n1 + 1) * sizeof *off, true);
  uint8_t *any = og_calloc(n1 + 1, 1);
  uint32_t *tgt = big_alloc(d->off[d->n] * sizeof *tgt, false);
  bool ok = off && any && tgt;
  for (size_t v = 0; v < d->n && ok; v++) {
    if (mk[v] == UINT32_MAX) {
      ok = !d->any[v];
      continue;
    }
    off[mk[v] + 1] = d->off[v + 1] - d->off[v];
    any[mk[v]] = d->any[v];
  }
  for (size_t v = 0; v < n1 && ok; v++) off[v + 1] += off[v];
  for (size_t v = 0; v < d->n && ok; v++) {
    if (mk[v] == UINT32_MAX) continue;
    uint32_t *w = tgt + off[mk[v]];
    for (uint64_t e = d->off[v]; e < d->off[v + 1]; e++) {
      uint32_t t = mt[d->tgt[e]];
      ok &= t != UINT32_MAX;
      *w++ = t;
    }
  }
  tdir_free(d);
  if (!ok) {
    big_free(off);
    big_free(tgt);
    og_free(any);
    return false;
  }
  d->off = off, d->tgt = tgt, d->any = any, d->n = n1;
  return true;
}

/* Fill g (spaces, both directions) from the persisted topology when it is
 * usable: *loaded false means build instead (absent, unreadable, or not
 * movable to the current node versions). Only running out of memory is an
 * error. */
static og_status topo_load(const topo_src *ts, og_csr *g, bool *loaded, og_error *err) {
  og_status rc = OG_OK;
  const og_topo_hdr *hp = &ts->h;
  og_error e = OG_ERROR_INIT;
  uint32_t *ms = NULL, *md = NULL;
  *loaded = false;
  tdir out = {ts->st, ts->key.ptr, hp, OG_TOPO_OUT_OFF, OG_TOPO_OUT_TGT, OG_TOPO_OUT_ANY, 0, 0, NULL, NULL, NULL,
              OG_ERROR_INIT};
  tdir in = {ts->st, ts->key.ptr, hp, OG_TOPO_IN_OFF, OG_TOPO_IN_TGT, OG_TOPO_IN_ANY, 0, 0, NULL, NULL, NULL,
             OG_ERROR_INIT};
  if (!ts->ok || hp->same != g->same) goto cleanup;
  const og_topo_hdr h = *hp;
  bool exact = strcmp(h.src_key, g->src->key) == 0 && strcmp(h.dst_key, g->dst->key) == 0;
  /* moving needs every stored node named: ghosts would be renumbered */
  if (exact ? h.nsrc_live != g->src->n || h.ndst_live != g->dst->n : h.nsrc != h.nsrc_live || h.ndst != h.ndst_live)
    goto cleanup;
  out.n = h.nsrc, out.space = h.ndst;
  in.n = h.ndst, in.space = h.nsrc;
  task to = {tdir_read, &out, OG_OK}, ti = {tdir_read, &in, OG_OK};
  run2(&to, &ti, h.nedges >= og_csr_parallel_min);
  if ((rc = to.rc ? to.rc : ti.rc)) {
    e = to.rc ? out.err : in.err;
    goto cleanup;
  }
  size_t nsrc = h.nsrc, ndst = h.ndst;
  if (!exact) {
    if ((rc = topo_keymap(ts->st, ts->key.ptr, hp, OG_TOPO_SRC_KEYS, h.nsrc_live, &g->src->ids, &ms, &e)))
      goto cleanup;
    if (g->same) md = ms;
    else if ((rc = topo_keymap(ts->st, ts->key.ptr, hp, OG_TOPO_DST_KEYS, h.ndst_live, &g->dst->ids, &md, &e)))
      goto cleanup;
    nsrc = g->src->n, ndst = g->dst->n;
    if (!topo_move(&out, ms, md, nsrc) || !topo_move(&in, md, ms, ndst)) goto cleanup;
  }
  g->nsrc = nsrc, g->ndst = ndst, g->nedges = h.nedges;
  g->out_off = out.off, g->out_tgt = out.tgt, g->out_any = out.any;
  g->in_off = in.off, g->in_tgt = in.tgt, g->in_any = in.any;
  out.off = in.off = NULL, out.tgt = in.tgt = NULL, out.any = in.any = NULL;
  g->built = OG_CSR_OUT | OG_CSR_IN;
  *loaded = true;
cleanup:
  /* a topology is a cache: anything but memory means "build it" */
  if (rc == OG_ENOMEM) *err = e;
  else rc = OG_OK;
  tdir_free(&out);
  tdir_free(&in);
  if (md != ms) big_free(md);
  big_free(ms);
  return rc;
}

/*==================== cache ====================*/

#define XCACHE_MAX_UNUSED 16
#define XCACHE_MAX_BYTES ((size_t)256 << 20)

struct og_xcache {
  pthread_mutex_t lock;
  og_map nodeidx; /* key -> og_nodeidx* */
  og_map csr;     /* key -> og_csr* */
  uint64_t clock;
  og_xcache_stats stats;
};

og_xcache *og_xcache_new(void) {
  og_xcache *c = og_calloc(1, sizeof *c);
  if (c) pthread_mutex_init(&c->lock, NULL);
  return c;
}

static void csr_drop(og_xcache *c, og_csr *g);

void og_xcache_free(void *cache) {
  og_xcache *c = cache;
  if (!c) return;
  size_t pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(&c->csr, &pos))) {
    og_csr *g = e->value;
    csr_free(g);
  }
  pos = 0;
  while ((e = og_map_next(&c->nodeidx, &pos))) nodeidx_free(e->value);
  og_map_dispose(&c->csr);
  og_map_dispose(&c->nodeidx);
  pthread_mutex_destroy(&c->lock);
  og_free(c);
}

void og_xcache_get_stats(og_xcache *c, og_xcache_stats *out) {
  pthread_mutex_lock(&c->lock);
  *out = c->stats;
  out->entries = c->nodeidx.count + c->csr.count;
  out->bytes = 0;
  size_t pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(&c->csr, &pos))) out->bytes += ((og_csr *)e->value)->bytes;
  pos = 0;
  while ((e = og_map_next(&c->nodeidx, &pos))) out->bytes += ((og_nodeidx *)e->value)->bytes;
  pthread_mutex_unlock(&c->lock);
}

/* Drop least recently used unreferenced entries beyond the budget (lock held). */
static void evict(og_xcache *c) {
  for (;;) {
    size_t unused = 0, unused_bytes = 0, pos = 0;
    og_map_entry *e, *victim = NULL;
    bool victim_csr = false;
    uint64_t oldest = UINT64_MAX;
    while ((e = og_map_next(&c->csr, &pos))) {
      og_csr *g = e->value;
      if (g->refs) continue;
      unused++;
      unused_bytes += g->bytes;
      if (g->last_use < oldest) oldest = g->last_use, victim = e, victim_csr = true;
    }
    pos = 0;
    while ((e = og_map_next(&c->nodeidx, &pos))) {
      og_nodeidx *n = e->value;
      if (n->refs) continue;
      unused++;
      unused_bytes += n->bytes;
      if (n->last_use < oldest) oldest = n->last_use, victim = e, victim_csr = false;
    }
    /* the last unused entry stays, however large: a graph bigger than the
     * budget still gets its adjacency reused by the next query */
    if ((unused <= XCACHE_MAX_UNUSED && unused_bytes <= XCACHE_MAX_BYTES) || unused <= 1 || !victim) return;
    void *v;
    if (victim_csr) {
      og_csr *g = victim->value;
      og_map_remove(&c->csr, g->key, strlen(g->key), &v);
      csr_drop(c, g);
    } else {
      og_nodeidx *n = victim->value;
      og_map_remove(&c->nodeidx, n->key, strlen(n->key), &v);
      nodeidx_free(n);
    }
  }
}

static void csr_drop(og_xcache *c, og_csr *g) {
  /* a cached CSR holds one reference on each endpoint index */
  if (g->src) g->src->refs--;
  if (g->dst) g->dst->refs--;
  (void)c;
  csr_free(g);
}

static og_status nodeidx_get(og_xcache *c, og_table *t, const topo_src *ts, bool dst, og_nodeidx **out,
                             og_error *err) {
  const char *key = og_table_key(t);
  *out = NULL;
  if (c) {
    void *v;
    pthread_mutex_lock(&c->lock);
    if (og_map_sget(&c->nodeidx, key, &v)) {
      og_nodeidx *n = v;
      n->refs++;
      n->last_use = ++c->clock;
      c->stats.nodeidx_hits++;
      pthread_mutex_unlock(&c->lock);
      *out = n;
      return OG_OK;
    }
    pthread_mutex_unlock(&c->lock);
  }
  og_nodeidx *n = NULL;
  og_status rc = ts ? nodeidx_from_topo(ts, dst, t, &n, err) : OG_OK;
  if (!rc && !n) rc = nodeidx_build(t, &n, err);
  if (rc) return rc;
  n->refs = 1;
  if (!c) {
    *out = n;
    return OG_OK;
  }
  pthread_mutex_lock(&c->lock);
  void *v;
  c->stats.nodeidx_builds++;
  if (og_map_sget(&c->nodeidx, key, &v)) { /* another thread built it first */
    nodeidx_free(n);
    n = v;
    n->refs++;
  } else if (og_map_sput(&c->nodeidx, n->key, n)) {
    pthread_mutex_unlock(&c->lock);
    nodeidx_free(n);
    return og_err_oom(err);
  }
  n->last_use = ++c->clock;
  evict(c);
  pthread_mutex_unlock(&c->lock);
  *out = n;
  return OG_OK;
}

og_status og_xcache_nodeidx(og_xcache *c, og_table *t, og_nodeidx **out, og_error *err) {
  return nodeidx_get(c, t, NULL, false, out, err);
}

void og_xcache_release_nodeidx(og_xcache *c, og_nodeidx *n) {
  if (!n) return;
  if (!c) {
    if (--n->refs == 0) nodeidx_free(n);
    return;
  }
  pthread_mutex_lock(&c->lock);
  n->refs--;
  evict(c);
  pthread_mutex_unlock(&c->lock);
}

og_status og_csr_need(og_xcache *c, og_csr *g, unsigned dirs, og_error *err) {
  pthread_mutex_lock(&g->mu);
  unsigned had = g->built;
  og_status rc = csr_build_dirs(g, dirs, err);
  bool grew = g->built != had;
  pthread_mutex_unlock(&g->mu);
  if (!grew) return rc;
  /* the size changed: the cache reads it under its lock */
  if (c) pthread_mutex_lock(&c->lock);
  pthread_mutex_lock(&g->mu);
  g->bytes = csr_bytes(g);
  pthread_mutex_unlock(&g->mu);
  if (c) {
    evict(c);
    pthread_mutex_unlock(&c->lock);
  }
  return rc;
}

og_status og_xcache_csr(og_xcache *c, og_table *edges, og_table *src_nodes, og_table *dst_nodes,
                        unsigned dirs, og_csr **out, og_error *err) {
  og_status rc = OG_OK;
  og_buf key = OG_BUF_INIT;
  og_nodeidx *si = NULL, *di = NULL;
  og_csr *g = NULL, *got = NULL;
  topo_src ts;
  memset(&ts, 0, sizeof ts);
  *out = NULL;
  if (og_buf_printf(&key, "%s|%s|%s", og_table_key(edges), og_table_key(src_nodes),
                    og_table_key(dst_nodes))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if (c) {
    void *v;
    pthread_mutex_lock(&c->lock);
    if (og_map_sget(&c->csr, key.ptr, &v)) {
      got = v;
      got->refs++;
      got->last_use = ++c->clock;
      c->stats.csr_hits++;
      pthread_mutex_unlock(&c->lock);
      goto need;
    }
    pthread_mutex_unlock(&c->lock);
  }
  topo_open(edges, &ts);
  if ((rc = nodeidx_get(c, src_nodes, &ts, false, &si, err))) goto cleanup;
  if ((rc = nodeidx_get(c, dst_nodes, &ts, true, &di, err))) goto cleanup;
  if (!(g = og_calloc(1, sizeof *g))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  pthread_mutex_init(&g->mu, NULL);
  if (!(g->key = og_strdup(key.ptr))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  g->same = strcmp(og_table_key(src_nodes), og_table_key(dst_nodes)) == 0;
  g->src = si;
  g->dst = di;
  bool loaded = false;
  if ((rc = topo_load(&ts, g, &loaded, err))) goto cleanup;
  if (!loaded && ((rc = csr_map(edges, g, err)) || (rc = csr_build_dirs(g, dirs, err)))) goto cleanup;
  g->bytes = csr_bytes(g);
  g->refs = 1;
  if (!c) {
    /* uncached: the CSR owns the index references */
    si = di = NULL;
    *out = g;
    g = NULL;
    goto cleanup;
  }
  pthread_mutex_lock(&c->lock);
  void *v;
  c->stats.csr_builds++;
  c->stats.csr_loads += loaded;
  if (og_map_sget(&c->csr, key.ptr, &v)) {
    /* lost a build race: use the cached one (g freed below, si/di released) */
    got = v;
    got->refs++;
    pthread_mutex_unlock(&c->lock);
    goto need;
  }
  if (og_map_sput(&c->csr, g->key, g)) {
    pthread_mutex_unlock(&c->lock);
    rc = og_err_oom(err);
    goto cleanup;
  }
  g->last_use = ++c->clock;
  /* the cached CSR keeps the endpoint index references it took */
  si = di = NULL;
  *out = g;
  g = NULL;
  evict(c);
  pthread_mutex_unlock(&c->lock);
  goto cleanup;
need:
  if ((rc = og_csr_need(c, got, dirs, err))) og_xcache_release_csr(c, got);
  else *out = got;
cleanup:
  if (g) {
    g->src = g->dst = NULL;
    csr_free(g);
  }
  og_xcache_release_nodeidx(c, si);
  og_xcache_release_nodeidx(c, di);
  topo_close(&ts);
  og_buf_dispose(&key);
  return rc;
}

void og_xcache_release_csr(og_xcache *c, og_csr *g) {
  if (!g) return;
  if (!c) {
    if (--g->refs == 0) {
      og_xcache_release_nodeidx(NULL, g->src);
      og_xcache_release_nodeidx(NULL, g->dst);
      csr_free(g);
    }
    return;
  }
  pthread_mutex_lock(&c->lock);
  g->refs--;
  evict(c);
  pthread_mutex_unlock(&c->lock);
}

/*==================== persisting a topology ====================*/

og_status og_xcache_topo_persist(og_xcache *c, og_table *edges, og_table *src_nodes, og_table *dst_nodes,
                                 og_error *err) {
  og_status rc = OG_OK;
  og_buf key = OG_BUF_INIT;
  og_csr *g = NULL;
  og_store *st = og_table_store(edges);
  if (!og_topo_key(&key, og_table_prefix(edges), og_table_key(edges))) goto cleanup; /* e.g. a slice: no topology */
  /* (into the cache too: the writer's own next query is warm) */
  if ((rc = og_xcache_csr(c, edges, src_nodes, dst_nodes, OG_CSR_OUT | OG_CSR_IN, &g, err))) goto cleanup;
  uint64_t size;
  og_error e = OG_ERROR_INIT;
  if (og_store_head(st, key.ptr, &size, &e) == OG_OK) goto cleanup; /* written before */
  og_topo_hdr h = {.same = g->same,
                   .nedges = g->nedges,
                   .nsrc_live = g->src->n,
                   .nsrc = g->nsrc,
                   .ndst_live = g->dst->n,
                   .ndst = g->ndst,
                   .edge_key = (char *)og_table_key(edges),
                   .src_key = g->src->key,
                   .dst_key = g->dst->key};
  og_topo_piece p[OG_TOPO_NSECT + 1];
  memset(p, 0, sizeof p);
  p[OG_TOPO_OUT_OFF] = (og_topo_piece){{g->out_off}, {(g->nsrc + 1) * sizeof *g->out_off}};
  p[OG_TOPO_OUT_TGT] = (og_topo_piece){{g->out_tgt}, {g->out_off[g->nsrc] * sizeof *g->out_tgt}};
  p[OG_TOPO_OUT_ANY] = (og_topo_piece){{g->out_any}, {g->nsrc}};
  p[OG_TOPO_IN_OFF] = (og_topo_piece){{g->in_off}, {(g->ndst + 1) * sizeof *g->in_off}};
  p[OG_TOPO_IN_TGT] = (og_topo_piece){{g->in_tgt}, {g->in_off[g->ndst] * sizeof *g->in_tgt}};
  p[OG_TOPO_IN_ANY] = (og_topo_piece){{g->in_any}, {g->ndst}};
  /* the keys of the live nodes in dense order (remapping to later node
   * versions): the index's own offsets and blob */
  const og_idtab *si = &g->src->ids, *di = &g->dst->ids;
  p[OG_TOPO_SRC_KEYS] = (og_topo_piece){{si->offs.items, si->blob.ptr},
                                        {(si->count + 1) * sizeof *si->offs.items, si->offs.items[si->count]}};
  p[OG_TOPO_SRC_ROWIDS] = (og_topo_piece){{g->src->rowids}, {g->src->n * sizeof *g->src->rowids}};
  if (!g->same)
    p[OG_TOPO_DST_ROWIDS] = (og_topo_piece){{g->dst->rowids}, {g->dst->n * sizeof *g->dst->rowids}};
  if (!g->same)
    p[OG_TOPO_DST_KEYS] = (og_topo_piece){{di->offs.items, di->blob.ptr},
                                          {(di->count + 1) * sizeof *di->offs.items, di->offs.items[di->count]}};
  rc = og_topo_write(st, key.ptr, &h, p, err);
cleanup:
  og_xcache_release_csr(c, g);
  og_buf_dispose(&key);
  return rc;
}

og_status og_exec_topo_persist(og_xcache *c, og_snapshot *snap, const og_catalog *cat, const char *edge_type,
                               og_error *err) {
  og_status rc = OG_OK;
  og_table *et = NULL, *st = NULL, *dt = NULL;
  const og_type *e = og_catalog_edge(cat, edge_type);
  const og_type *s = e ? og_catalog_node(cat, e->from_type) : NULL, *d = e ? og_catalog_node(cat, e->to_type) : NULL;
  if (!s || !d) return og_err_set(err, OG_ENOTFOUND, "unknown edge type '%s'", edge_type);
  char key[512];
  og_exec_table_key(e, key, sizeof key);
  if ((rc = og_snapshot_table(snap, key, &et, err))) goto cleanup;
  og_exec_table_key(s, key, sizeof key);
  if ((rc = og_snapshot_table(snap, key, &st, err))) goto cleanup;
  og_exec_table_key(d, key, sizeof key);
  if ((rc = og_snapshot_table(snap, key, &dt, err))) goto cleanup;
  rc = og_xcache_topo_persist(c, et, st, dt, err);
cleanup:
  og_table_free(et);
  og_table_free(st);
  og_table_free(dt);
  return rc;
}
