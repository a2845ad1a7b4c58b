/*
 * csr.c — dense node indices and CSR/CSC adjacency per table version, and
 * their cache (read_int.h). Built by one pass over the tables' string
 * columns; the string → dense map is a flat open-addressing table over one
 * blob because og_map's per-key allocations dominate at a million edges.
 */
#include <pthread.h>
#include <string.h>

#include "exec/read_int.h"

/*==================== id table ====================*/

og_status og_idtab_init(og_idtab *t, size_t expect) {
  memset(t, 0, sizeof *t);
  size_t cap = 16;
  while (cap < expect * 2) cap <<= 1;
  t->slots = og_calloc(cap, sizeof *t->slots);
  if (!t->slots) return OG_ENOMEM;
  t->mask = cap - 1;
  return OG_VEC_PUSH(&t->offs, 0);
}

void og_idtab_dispose(og_idtab *t) {
  if (!t) return;
  og_free(t->slots);
  og_buf_dispose(&t->blob);
  OG_VEC_FREE(&t->offs);
  OG_VEC_FREE(&t->hashes);
  memset(t, 0, sizeof *t);
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

uint32_t og_idtab_find(const og_idtab *t, const char *p, size_t n, uint64_t h) {
  size_t i = h & t->mask;
  uint64_t tag = h >> 32;
  for (;;) {
    uint64_t s = t->slots[i];
    if (!s) return UINT32_MAX;
    if (s >> 32 == tag) {
      uint32_t k = (uint32_t)s - 1;
      uint64_t a = t->offs.items[k], b = t->offs.items[k + 1];
      if (b - a == n && bytes_eq(t->blob.ptr + a, p, n)) return k;
    }
    i = (i + 1) & t->mask;
  }
}

static og_status idtab_grow(og_idtab *t) {
  size_t cap = (t->mask + 1) * 2;
  uint64_t *slots = og_calloc(cap, sizeof *slots);
  if (!slots) return OG_ENOMEM;
  for (size_t k = 0; k < t->hashes.count; k++) {
    uint64_t h = t->hashes.items[k];
    size_t i = h & (cap - 1);
    while (slots[i]) i = (i + 1) & (cap - 1);
    slots[i] = (h >> 32) << 32 | ((uint64_t)k + 1);
  }
  og_free(t->slots);
  t->slots = slots;
  t->mask = cap - 1;
  return OG_OK;
}

og_status og_idtab_add(og_idtab *t, const char *p, size_t n, uint64_t h, uint32_t *idx_out) {
  if ((t->hashes.count + 1) * 2 > t->mask + 1 && idtab_grow(t)) return OG_ENOMEM;
  uint32_t k = (uint32_t)t->hashes.count;
  if (og_buf_put(&t->blob, p, n) || OG_VEC_PUSH(&t->hashes, h) ||
      OG_VEC_PUSH(&t->offs, (uint64_t)t->blob.len))
    return OG_ENOMEM;
  size_t i = h & t->mask;
  while (t->slots[i]) i = (i + 1) & t->mask;
  t->slots[i] = (h >> 32) << 32 | ((uint64_t)k + 1);
  *idx_out = k;
  return OG_OK;
}

/*==================== builds ====================*/

static void nodeidx_free(og_nodeidx *n) {
  if (!n) return;
  og_free(n->key);
  og_free(n->rowids);
  og_free(n->by_rowid);
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
  n->rowids = og_malloc((live ? live : 1) * sizeof *n->rowids);
  n->by_rowid = og_malloc((n->nrowid ? n->nrowid : 1) * sizeof *n->by_rowid);
  if (!n->key || !n->rowids || !n->by_rowid || og_idtab_init(&n->ids, live)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  memset(n->by_rowid, 0xff, (n->nrowid ? n->nrowid : 1) * sizeof *n->by_rowid);
  uint32_t col = 0; /* id */
  og_scan_opts so = {.cols = &col, .ncols = 1};
  if ((rc = og_table_scan(t, &so, &sc, err))) goto cleanup;
  for (;;) {
    const og_batch *b = NULL;
    if ((rc = og_scan_next(sc, &b, err))) goto cleanup;
    if (!b) break;
    size_t rows = og_batch_rows(b);
    for (size_t r = 0; r < rows; r++) {
      size_t len;
      const char *p = og_column_get_bytes(&b->cols[0], r, &len);
      uint64_t h = og_hash64(p, len);
      uint64_t rid = b->rowids.items[r];
      if (n->n >= live || rid >= n->nrowid) {
        rc = og_err_set(err, OG_ECORRUPT, "table %s: live row count mismatch", og_table_key(t));
        goto cleanup;
      }
      uint32_t d = og_idtab_find(&n->ids, p, len, h);
      if (d != UINT32_MAX) {
        /* duplicate ids (append quirk): the later row wins, like lookup */
        n->rowids[d] = rid;
        n->by_rowid[rid] = d;
        continue;
      }
      if (og_idtab_add(&n->ids, p, len, h, &d)) {
        rc = og_err_oom(err);
        goto cleanup;
      }
      n->rowids[d] = rid;
      n->by_rowid[rid] = d;
      n->n++;
    }
  }
  n->bytes = sizeof *n + live * sizeof *n->rowids + n->nrowid * sizeof *n->by_rowid +
             (n->ids.mask + 1) * sizeof *n->ids.slots + n->ids.blob.cap +
             n->ids.offs.cap * sizeof *n->ids.offs.items + n->ids.hashes.cap * sizeof *n->ids.hashes.items;
  *out = n;
  n = NULL;
cleanup:
  og_scan_free(sc);
  nodeidx_free(n);
  return rc;
}

static void csr_free(og_csr *g);

/* Dense index of an endpoint id: a live node, else a ghost of this edge
 * table (created on first sight). */
static og_status endpoint(og_nodeidx *ni, og_idtab *ghosts, const char *p, size_t len,
                          uint32_t *out) {
  uint64_t h = og_hash64(p, len);
  uint32_t d = og_idtab_find(&ni->ids, p, len, h);
  if (d != UINT32_MAX) {
    *out = d;
    return OG_OK;
  }
  d = og_idtab_find(ghosts, p, len, h);
  if (d == UINT32_MAX && og_idtab_add(ghosts, p, len, h, &d)) return OG_ENOMEM;
  *out = (uint32_t)ni->n + d;
  return OG_OK;
}

static og_status dedup(uint64_t *off, uint32_t *tgt, size_t n, size_t ntgt, bool same, uint8_t **any_out,
                       og_error *err) {
  uint32_t *seen = og_calloc(ntgt + 1, sizeof *seen);
  uint8_t *any = og_calloc(n + 1, 1);
  if (!seen || !any) {
    og_free(seen);
    og_free(any);
    return og_err_oom(err);
  }
  uint64_t w = 0, start = off[0];
  for (size_t v = 0; v < n; v++) {
    uint64_t end = off[v + 1];
    any[v] = end > start;
    off[v] = w;
    uint32_t stamp = (uint32_t)v + 1;
    for (uint64_t e = start; e < end; e++) {
      uint32_t m = tgt[e];
      if ((same && m == v) || seen[m] == stamp) continue;
      seen[m] = stamp;
      tgt[w++] = m;
    }
    start = end;
  }
  off[n] = w;
  og_free(seen);
  *any_out = any;
  return OG_OK;
}

static og_status csr_build(og_table *edges, og_nodeidx *src, og_nodeidx *dst, og_csr *g,
                           og_error *err) {
  og_status rc = OG_OK;
  og_scan *sc = NULL;
  og_idtab gsrc, gdst;
  OG_VEC(uint32_t) es = OG_VEC_INIT;
  OG_VEC(uint32_t) ed = OG_VEC_INIT;
  memset(&gsrc, 0, sizeof gsrc);
  memset(&gdst, 0, sizeof gdst);
  if (og_idtab_init(&gsrc, 16) || og_idtab_init(&gdst, 16)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  og_idtab *gs = &gsrc, *gd = g->same ? &gsrc : &gdst;
  size_t ne = og_table_row_count(edges);
  if (og_array_reserve((void **)&es.items, &es.cap, ne ? ne : 1, sizeof *es.items) ||
      og_array_reserve((void **)&ed.items, &ed.cap, ne ? ne : 1, sizeof *ed.items)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  const char *last_ps = NULL;
  size_t last_ls = SIZE_MAX;
  uint32_t last_s = 0;
  uint32_t cols[2] = {1, 2}; /* src, dst */
  og_scan_opts so = {.cols = cols, .ncols = 2};
  if ((rc = og_table_scan(edges, &so, &sc, err))) goto cleanup;
  for (;;) {
    const og_batch *b = NULL;
    if ((rc = og_scan_next(sc, &b, err))) goto cleanup;
    if (!b) break;
    size_t rows = og_batch_rows(b);
    const og_column *cs = &b->cols[0], *cd = &b->cols[1];
    if (og_array_reserve((void **)&es.items, &es.cap, es.count + rows, sizeof *es.items) ||
        og_array_reserve((void **)&ed.items, &ed.cap, ed.count + rows, sizeof *ed.items)) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    for (size_t r = 0; r < rows; r++) {
      /* string columns: row r is data[offsets[r] .. offsets[r+1]) (table.h) */
      const char *ps = cs->data.ptr + cs->offsets.items[r], *pd = cd->data.ptr + cd->offsets.items[r];
      size_t ls = cs->offsets.items[r + 1] - cs->offsets.items[r];
      size_t ld = cd->offsets.items[r + 1] - cd->offsets.items[r];
      uint32_t s, d;
      /* edges usually arrive grouped by source: reuse the previous mapping */
      if (ls == last_ls && ls && bytes_eq(ps, last_ps, ls)) s = last_s;
      else if (endpoint(src, gs, ps, ls, &s)) {
        rc = og_err_oom(err);
        goto cleanup;
      }
      last_ps = ps, last_ls = ls, last_s = s;
      if (endpoint(dst, gd, pd, ld, &d)) {
        rc = og_err_oom(err);
        goto cleanup;
      }
      es.items[es.count++] = s;
      ed.items[ed.count++] = d;
    }
    last_ls = SIZE_MAX; /* the batch's memory is not kept */
  }
  g->nedges = es.count;
  g->nsrc = src->n + gs->hashes.count;
  g->ndst = dst->n + gd->hashes.count;
  if (g->same) g->nsrc = g->ndst = src->n + gsrc.hashes.count;
  g->out_off = og_calloc(g->nsrc + 1, sizeof *g->out_off);
  g->in_off = og_calloc(g->ndst + 1, sizeof *g->in_off);
  g->out_tgt = og_malloc((g->nedges ? g->nedges : 1) * sizeof *g->out_tgt);
  g->in_tgt = og_malloc((g->nedges ? g->nedges : 1) * sizeof *g->in_tgt);
  if (!g->out_off || !g->in_off || !g->out_tgt || !g->in_tgt) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  /* counting sort keeps edge scan order within each node */
  for (size_t i = 0; i < g->nedges; i++) {
    g->out_off[es.items[i] + 1]++;
    g->in_off[ed.items[i] + 1]++;
  }
  for (size_t i = 0; i < g->nsrc; i++) g->out_off[i + 1] += g->out_off[i];
  for (size_t i = 0; i < g->ndst; i++) g->in_off[i + 1] += g->in_off[i];
  {
    uint64_t *po = og_malloc((g->nsrc + 1) * sizeof *po), *pi = og_malloc((g->ndst + 1) * sizeof *pi);
    if (!po || !pi) {
      og_free(po);
      og_free(pi);
      rc = og_err_oom(err);
      goto cleanup;
    }
    memcpy(po, g->out_off, (g->nsrc + 1) * sizeof *po);
    memcpy(pi, g->in_off, (g->ndst + 1) * sizeof *pi);
    for (size_t i = 0; i < g->nedges; i++) {
      g->out_tgt[po[es.items[i]]++] = ed.items[i];
      g->in_tgt[pi[ed.items[i]]++] = es.items[i];
    }
    og_free(po);
    og_free(pi);
  }
  /* Traversal has set semantics (one row per distinct destination, a node is
   * never its own neighbour), so each list is deduplicated once here, in
   * first-occurrence order, and self loops of same-type edges dropped; the
   * hop-1 expansion then needs no per-source bookkeeping. Whether a node had
   * any edge at all (self loops and duplicates included) is kept for the
   * anti-join fast path. */
  if ((rc = dedup(g->out_off, g->out_tgt, g->nsrc, g->ndst, g->same, &g->out_any, err)) ||
      (rc = dedup(g->in_off, g->in_tgt, g->ndst, g->nsrc, g->same, &g->in_any, err)))
    goto cleanup;
  g->bytes = sizeof *g + (g->nsrc + g->ndst + 2) * (sizeof *g->out_off + 1) +
             2 * g->nedges * sizeof *g->out_tgt;
cleanup:
  og_scan_free(sc);
  og_idtab_dispose(&gsrc);
  og_idtab_dispose(&gdst);
  OG_VEC_FREE(&es);
  OG_VEC_FREE(&ed);
  return rc;
}

static void csr_free(og_csr *g) {
  if (!g) return;
  og_free(g->key);
  og_free(g->out_off);
  og_free(g->out_tgt);
  og_free(g->in_off);
  og_free(g->in_tgt);
  og_free(g->out_any);
  og_free(g->in_any);
  og_free(g);
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

og_status og_xcache_nodeidx(og_xcache *c, og_table *t, og_nodeidx **out, og_error *err) {
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
  og_status rc = nodeidx_build(t, &n, err);
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

og_status og_xcache_csr(og_xcache *c, og_table *edges, og_table *src_nodes, og_table *dst_nodes,
                        og_csr **out, og_error *err) {
  og_status rc = OG_OK;
  og_buf key = OG_BUF_INIT;
  og_nodeidx *si = NULL, *di = NULL;
  og_csr *g = NULL;
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
      g = v;
      g->refs++;
      g->last_use = ++c->clock;
      c->stats.csr_hits++;
      pthread_mutex_unlock(&c->lock);
      *out = g;
      g = NULL;
      goto cleanup;
    }
    pthread_mutex_unlock(&c->lock);
  }
  if ((rc = og_xcache_nodeidx(c, src_nodes, &si, err))) goto cleanup;
  if ((rc = og_xcache_nodeidx(c, dst_nodes, &di, err))) goto cleanup;
  g = og_calloc(1, sizeof *g);
  if (!g || !(g->key = og_strdup(key.ptr))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  g->same = strcmp(og_table_key(src_nodes), og_table_key(dst_nodes)) == 0;
  g->src = si;
  g->dst = di;
  if ((rc = csr_build(edges, si, di, g, err))) goto cleanup;
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
  if (og_map_sget(&c->csr, key.ptr, &v)) {
    pthread_mutex_unlock(&c->lock);
    og_csr *other = v;
    /* lost a build race: use the cached one */
    pthread_mutex_lock(&c->lock);
    other->refs++;
    pthread_mutex_unlock(&c->lock);
    *out = other;
    goto cleanup; /* g freed below, si/di released */
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
cleanup:
  if (g) {
    g->src = g->dst = NULL;
    csr_free(g);
  }
  og_xcache_release_nodeidx(c, si);
  og_xcache_release_nodeidx(c, di);
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
