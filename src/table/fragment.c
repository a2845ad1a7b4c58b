/*
 * fragment.c — the fragment object: per-column zstd pages with xxh3
 * checksums, a row-id page and a checksummed footer (docs/format-table.md).
 * Every byte read back is untrusted: each length, offset and count is
 * bounds-checked before use and any inconsistency is OG_ECORRUPT naming the
 * object key.
 */
#include <pthread.h>
#include <string.h>

#include <zstd.h>

#include "table/table_int.h"

#define MAX_PAGE_RAW (1u << 31)
#define PAGE_MAX_ROWS 65536u
#define TAIL_READ (64u * 1024u)

static og_status corrupt(og_error *err, const char *key, const char *what) {
  return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': %s", key, what);
}

/*==================== zstd ====================*/

/* One compression and one decompression context per thread, kept for the
 * thread's life: a context made per call costs allocations and page faults
 * that dominate small fragments (a one-row write, a point read). Freed by
 * the key destructors when a thread exits. */
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;
static pthread_key_t tl_ckey, tl_dkey;

static void free_cctx(void *p) { ZSTD_freeCCtx(p); }
static void free_dctx(void *p) { ZSTD_freeDCtx(p); }
static void tl_init(void) {
  (void)pthread_key_create(&tl_ckey, free_cctx);
  (void)pthread_key_create(&tl_dkey, free_dctx);
}

/* This thread's object under `key`, made by `make` on first use (NULL only
 * when out of memory). */
static void *thread_ctx(pthread_key_t *key, void *(*make)(void), void (*drop)(void *)) {
  pthread_once(&tl_once, tl_init);
  void *c = pthread_getspecific(*key);
  if (!c && (c = make()) && pthread_setspecific(*key, c) != 0) {
    drop(c);
    c = NULL;
  }
  return c;
}

static void *make_cctx(void) { return ZSTD_createCCtx(); }
static void *make_dctx(void) { return ZSTD_createDCtx(); }
static ZSTD_CCtx *thread_cctx(void) { return thread_ctx(&tl_ckey, make_cctx, free_cctx); }
static ZSTD_DCtx *thread_dctx(void) { return thread_ctx(&tl_dkey, make_dctx, free_dctx); }

/* Bodies stored as they are: one shorter than this is not worth a frame
 * (the frame header alone is ~10 bytes), and each compression costs a
 * `cpuid` in zstd's context reset — a trap to the hypervisor on a VM that
 * can outweigh the rest of a one-row write. */
#define OG_ZSTD_MIN_BYTES 128

/* Appends the body of n bytes: a zstd frame, or the n bytes themselves when
 * they are short or do not compress. A stored length equal to the raw
 * length therefore means "stored" (og_zstd_decompress). cctx NULL: a
 * one-off context (ZSTD_compress). */
static og_status zstd_compress_with(ZSTD_CCtx *cctx, const void *src, size_t n, int level, og_buf *out,
                                    og_error *err) {
  if (n < OG_ZSTD_MIN_BYTES) return og_buf_put(out, src, n) != OG_OK ? og_err_oom(err) : OG_OK;
  size_t bound = ZSTD_compressBound(n);
  if (og_buf_grow(out, bound) != OG_OK) return og_err_oom(err);
  size_t r = cctx ? ZSTD_compressCCtx(cctx, out->ptr + out->len, bound, src, n, level)
                  : ZSTD_compress(out->ptr + out->len, bound, src, n, level);
  if (ZSTD_isError(r)) return og_err_set(err, OG_ERROR, "zstd: %s", ZSTD_getErrorName(r));
  if (r >= n) { /* incompressible: store it */
    memcpy(out->ptr + out->len, src, n);
    r = n;
  }
  out->len += r;
  out->ptr[out->len] = 0;
  return OG_OK;
}

og_status og_zstd_compress(const void *src, size_t n, int level, og_buf *out, og_error *err) {
  return zstd_compress_with(NULL, src, n, level, out, err);
}

og_status og_zstd_decompress(const char *key, const void *src, size_t n, size_t raw_len,
                             og_buf *out, og_error *err) {
  if (n == raw_len) { /* stored (zstd_compress_with) */
    og_buf_clear(out);
    return og_buf_put(out, src, n) != OG_OK ? og_err_oom(err) : OG_OK;
  }
  unsigned long long fs = ZSTD_getFrameContentSize(src, n);
  if (fs == ZSTD_CONTENTSIZE_ERROR || (fs != ZSTD_CONTENTSIZE_UNKNOWN && fs != raw_len))
    return corrupt(err, key, "page frame size mismatch");
  og_buf_clear(out);
  if (og_buf_grow(out, raw_len) != OG_OK) return og_err_oom(err);
  ZSTD_DCtx *d = thread_dctx();
  size_t r = d ? ZSTD_decompressDCtx(d, out->ptr, raw_len, src, n) : ZSTD_decompress(out->ptr, raw_len, src, n);
  if (ZSTD_isError(r) || r != raw_len) return corrupt(err, key, "page does not decompress");
  out->len = raw_len;
  out->ptr[out->len] = 0;
  return OG_OK;
}

/*==================== encoding ====================*/

typedef struct page_writer {
  og_buf raw, a, b, c, comp;
  ZSTD_CCtx *cctx; /* the thread's (thread_cctx), reused page after page;
                    * NULL → one-off contexts */
} page_writer;

static void pw_dispose(page_writer *w) {
  og_buf_dispose(&w->raw);
  og_buf_dispose(&w->a);
  og_buf_dispose(&w->b);
  og_buf_dispose(&w->c);
  og_buf_dispose(&w->comp);
}

/* Compress w->raw and append it to out as one page. */
static og_status emit_page(page_writer *w, og_buf *out, int level, uint32_t rows,
                           og_pageinfo *pi, og_error *err) {
  og_status rc;
  if (w->raw.len >= MAX_PAGE_RAW)
    return og_err_set(err, OG_ETOOLARGE, "table: a page exceeds 2 GiB (value too large)");
  og_buf_clear(&w->comp);
  if ((rc = zstd_compress_with(w->cctx, w->raw.ptr ? w->raw.ptr : "", w->raw.len, level, &w->comp, err)) != OG_OK)
    return rc;
  pi->offset = out->len;
  pi->comp_len = (uint32_t)w->comp.len;
  pi->raw_len = (uint32_t)w->raw.len;
  pi->hash = og_hash64(w->comp.ptr, w->comp.len);
  pi->rows = rows;
  if (og_buf_put(out, w->comp.ptr, w->comp.len) != OG_OK) return og_err_oom(err);
  return OG_OK;
}

typedef OG_VEC(og_pageinfo) pagevec;
typedef struct stat_acc stat_acc;

/* Stats over the encoded rows. */
struct stat_acc {
  bool any;
  int64_t imin, imax;
  uint64_t umin, umax;
  double fmin, fmax;
  const char *smin, *smax;
  size_t sminlen, smaxlen;
};
typedef OG_VEC(stat_acc) statvec;

/* Byte order, then length. Keys are short (ids, names): eight bytes at a
 * time inline, since a memcmp call per value and stat showed in profiles of
 * bulk loads. */
static inline int bytes_cmp(const char *a, size_t an, const char *b, size_t bn) {
  size_t m = an < bn ? an : bn, i = 0;
  for (; i + 8 <= m; i += 8) {
    uint64_t x, y;
    memcpy(&x, a + i, 8);
    memcpy(&y, b + i, 8);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
  }
  for (; i < m; i++)
    if (a[i] != b[i]) return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

static void stat_add(stat_acc *s, const og_column *c, size_t r) {
  switch (c->type) {
  case OG_COL_BOOL: case OG_COL_I32: case OG_COL_I64: case OG_COL_U32: case OG_COL_DATE:
  case OG_COL_DATETIME: {
    int64_t v = og_column_get_i64(c, r);
    if (!s->any || v < s->imin) s->imin = v;
    if (!s->any || v > s->imax) s->imax = v;
    s->any = true;
    break;
  }
  case OG_COL_U64: {
    uint64_t v = og_column_get_u64(c, r);
    if (!s->any || v < s->umin) s->umin = v;
    if (!s->any || v > s->umax) s->umax = v;
    s->any = true;
    break;
  }
  case OG_COL_F32: case OG_COL_F64: {
    double v = og_column_get_f64(c, r);
    if (v != v) break; /* NaN never satisfies a comparison; leave it out */
    if (!s->any || v < s->fmin) s->fmin = v;
    if (!s->any || v > s->fmax) s->fmax = v;
    s->any = true;
    break;
  }
  case OG_COL_STRING: {
    size_t n = (size_t)(c->offsets.items[r + 1] - c->offsets.items[r]);
    const char *p = c->data.ptr ? c->data.ptr + c->offsets.items[r] : "";
    if (!s->any || bytes_cmp(p, n, s->smin, s->sminlen) < 0) { s->smin = p; s->sminlen = n; }
    if (!s->any || bytes_cmp(p, n, s->smax, s->smaxlen) > 0) { s->smax = p; s->smaxlen = n; }
    s->any = true;
    break;
  }
  default: break;
  }
}

/* Fold the stats of a page into its column's. */
static void stat_merge(stat_acc *s, const stat_acc *p, og_coltype t) {
  if (!p->any) return;
  if (!s->any) {
    *s = *p;
    return;
  }
  switch (t) {
  case OG_COL_U64:
    if (p->umin < s->umin) s->umin = p->umin;
    if (p->umax > s->umax) s->umax = p->umax;
    break;
  case OG_COL_F32: case OG_COL_F64:
    if (p->fmin < s->fmin) s->fmin = p->fmin;
    if (p->fmax > s->fmax) s->fmax = p->fmax;
    break;
  case OG_COL_STRING:
    if (bytes_cmp(p->smin, p->sminlen, s->smin, s->sminlen) < 0) { s->smin = p->smin; s->sminlen = p->sminlen; }
    if (bytes_cmp(p->smax, p->smaxlen, s->smax, s->smaxlen) > 0) { s->smax = p->smax; s->smaxlen = p->smaxlen; }
    break;
  default:
    if (p->imin < s->imin) s->imin = p->imin;
    if (p->imax > s->imax) s->imax = p->imax;
    break;
  }
}

static og_status put_stat_value(og_buf *f, og_coltype t, int64_t i, uint64_t u, double d,
                                const char *s, size_t sn) {
  switch (t) {
  case OG_COL_U64: return og_buf_put_u64le(f, u);
  case OG_COL_F32: case OG_COL_F64: {
    uint64_t bits;
    memcpy(&bits, &d, 8);
    return og_buf_put_u64le(f, bits);
  }
  case OG_COL_STRING:
    if (og_buf_put_u32le(f, (uint32_t)sn) != OG_OK) return OG_ENOMEM;
    return sn ? og_buf_put(f, s, sn) : OG_OK;
  default: return og_buf_put_u64le(f, (uint64_t)i);
  }
}

static bool has_stats(og_coltype t) {
  return og_coltype_fixed(t) || t == OG_COL_STRING;
}

/* flags byte + present values */
static void put_stats(og_buf *f, og_coltype t, const stat_acc *st) {
  uint8_t flags = 0;
  if (st->any && has_stats(t)) {
    if (t != OG_COL_STRING || st->sminlen <= OG_STAT_STR_MAX) flags |= OG_STAT_MIN;
    if (t != OG_COL_STRING || st->smaxlen <= OG_STAT_STR_MAX) flags |= OG_STAT_MAX;
  }
  og_buf_put_u8(f, flags);
  if (flags & OG_STAT_MIN) put_stat_value(f, t, st->imin, st->umin, st->fmin, st->smin, st->sminlen);
  if (flags & OG_STAT_MAX) put_stat_value(f, t, st->imax, st->umax, st->fmax, st->smax, st->smaxlen);
}

static og_status put_pageinfo(og_buf *f, const og_pageinfo *p) {
  og_buf_put_u64le(f, p->offset);
  og_buf_put_u32le(f, p->comp_len);
  og_buf_put_u32le(f, p->raw_len);
  og_buf_put_u64le(f, p->hash);
  return og_buf_put_u32le(f, p->rows);
}

/* Encode the rows sel[lo..hi) of column c into w->raw. */
static og_status encode_rows(page_writer *w, const og_column *c, const uint32_t *sel, size_t lo,
                             size_t hi) {
  size_t k = hi - lo;
  og_buf_clear(&w->raw);
  if (c->nullable) {
    size_t nb = (k + 7) / 8;
    if (og_buf_grow(&w->raw, nb) != OG_OK) return OG_ENOMEM;
    memset(w->raw.ptr, 0, nb);
    for (size_t i = 0; i < k; i++) {
      size_t r = sel ? sel[lo + i] : lo + i;
      if (!og_column_is_null(c, r)) ((uint8_t *)w->raw.ptr)[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    w->raw.len = nb;
  }
  size_t fw = og_coltype_width(c->type);
  if (c->type == OG_COL_VECTOR) fw = (size_t)c->dim * 4;
  if (fw) {
    if (og_buf_grow(&w->raw, k * fw) != OG_OK) return OG_ENOMEM;
    char *o = w->raw.ptr + w->raw.len;
    if (!sel) memcpy(o, c->data.ptr + lo * fw, k * fw);
    else
      for (size_t i = 0; i < k; i++) memcpy(o + i * fw, c->data.ptr + (size_t)sel[lo + i] * fw, fw);
    w->raw.len += k * fw;
    return OG_OK;
  }
  og_buf_clear(&w->a);
  og_buf_clear(&w->b);
  og_buf_clear(&w->c);
  if (og_coltype_is_varlen(c->type)) {
    /* offsets then bytes, written in place: one sizing pass, no per-value
     * buffer calls (the hot loop of bulk loads) */
    const uint64_t *offs = c->offsets.items;
    uint64_t total = 0;
    if (!sel) total = offs[hi] - offs[lo];
    else
      for (size_t i = 0; i < k; i++) total += offs[sel[lo + i] + 1] - offs[sel[lo + i]];
    if (total > MAX_PAGE_RAW || og_buf_grow(&w->raw, (k + 1) * 4 + (size_t)total) != OG_OK) return OG_ENOMEM;
    uint8_t *o = (uint8_t *)w->raw.ptr + w->raw.len;
    char *bytes = (char *)o + (k + 1) * 4;
    uint32_t off = 0;
    og_put_u32le(o, 0);
    if (!sel) {
      uint64_t base = offs[lo];
      for (size_t i = 0; i < k; i++) og_put_u32le(o + 4 * (i + 1), (uint32_t)(offs[lo + i + 1] - base));
      if (total) memcpy(bytes, c->data.ptr + base, (size_t)total);
    } else {
      for (size_t i = 0; i < k; i++) {
        size_t r = sel[lo + i], n = (size_t)(offs[r + 1] - offs[r]);
        if (n) memcpy(bytes + off, c->data.ptr + offs[r], n);
        off += (uint32_t)n;
        og_put_u32le(o + 4 * (i + 1), off);
      }
    }
    w->raw.len += (k + 1) * 4 + (size_t)total;
    w->raw.ptr[w->raw.len] = '\0';
    return OG_OK;
  } else { /* LIST */
    size_t ew = og_coltype_width(c->elem);
    uint32_t eoff = 0, boff = 0;
    og_buf_put_u32le(&w->a, 0);
    if (!ew) og_buf_put_u32le(&w->b, 0);
    for (size_t i = 0; i < k; i++) {
      size_t r = sel ? sel[lo + i] : lo + i;
      size_t ea = (size_t)c->offsets.items[r], eb = (size_t)c->offsets.items[r + 1];
      if (ew) {
        if (eb > ea && og_buf_put(&w->c, c->data.ptr + ea * ew, (eb - ea) * ew) != OG_OK)
          return OG_ENOMEM;
      } else {
        for (size_t e = ea; e < eb; e++) {
          uint64_t x = c->elem_offsets.items[e], y = c->elem_offsets.items[e + 1];
          if (y > x && og_buf_put(&w->c, c->data.ptr + x, (size_t)(y - x)) != OG_OK)
            return OG_ENOMEM;
          boff += (uint32_t)(y - x);
          og_buf_put_u32le(&w->b, boff);
        }
      }
      eoff += (uint32_t)(eb - ea);
      og_buf_put_u32le(&w->a, eoff);
    }
  }
  if (w->a.oom || w->b.oom || w->c.oom) return OG_ENOMEM;
  og_buf_put(&w->raw, w->a.ptr, w->a.len);
  if (w->b.len) og_buf_put(&w->raw, w->b.ptr, w->b.len);
  if (w->c.len) og_buf_put(&w->raw, w->c.ptr, w->c.len);
  return w->raw.oom ? OG_ENOMEM : OG_OK;
}

/* One column's pages and stats (see og_frag_encode). */
typedef struct colenc {
  const og_column *c;
  const uint32_t *sel;
  size_t n;
  int level;
  size_t page_bytes;
  og_buf *data;    /* the pages go here; page offsets are positions in it */
  og_buf own;      /* data when the column is encoded apart */
  pagevec pages;
  statvec pstats;
  stat_acc st;
  uint64_t nulls;
  og_status rc;
  og_error err;
} colenc;

static void colenc_dispose(colenc *ce) {
  og_buf_dispose(&ce->own);
  OG_VEC_FREE(&ce->pages);
  OG_VEC_FREE(&ce->pstats);
}

static og_status encode_col(colenc *ce, page_writer *w, og_error *err) {
  og_status rc = OG_OK;
  const og_column *c = ce->c;
  const uint32_t *sel = ce->sel;
  size_t n = ce->n;
  stat_acc pst;
  memset(&ce->st, 0, sizeof ce->st);
  memset(&pst, 0, sizeof pst);
  ce->nulls = 0;
  ce->pages.count = 0;
  ce->pstats.count = 0;
  size_t lo = 0, acc = 0;
  bool stats = has_stats(c->type), varlen = og_coltype_is_varlen(c->type);
  size_t fw = og_coltype_width(c->type);
  bool str = c->type == OG_COL_STRING;
  const uint64_t *offs = c->offsets.items;
  for (size_t i = 0; i < n; i++) {
    size_t r = sel ? sel[i] : i;
    if (c->nullable && og_column_is_null(c, r)) {
      ce->nulls++;
    } else if (str) {
      /* strings inline (the hot case of bulk loads): the page's min/max */
      size_t sn = (size_t)(offs[r + 1] - offs[r]);
      const char *sp = c->data.ptr ? c->data.ptr + offs[r] : "";
      if (!pst.any) {
        pst.smin = pst.smax = sp;
        pst.sminlen = pst.smaxlen = sn;
        pst.any = true;
      } else if (bytes_cmp(sp, sn, pst.smax, pst.smaxlen) > 0) {
        pst.smax = sp;
        pst.smaxlen = sn;
      } else if (bytes_cmp(sp, sn, pst.smin, pst.sminlen) < 0) {
        pst.smin = sp;
        pst.sminlen = sn;
      }
    } else if (stats) {
      stat_add(&pst, c, r); /* the column's: folded in per page */
    }
    acc += (varlen ? (size_t)(offs[r + 1] - offs[r]) + 4 : fw ? fw : og_column_byte_estimate(c, r)) + 1;
    if (acc >= ce->page_bytes || i + 1 - lo >= PAGE_MAX_ROWS || i + 1 == n) {
      og_pageinfo pi;
      if (encode_rows(w, c, sel, lo, i + 1) != OG_OK) return og_err_oom(err);
      if ((rc = emit_page(w, ce->data, ce->level, (uint32_t)(i + 1 - lo), &pi, err)) != OG_OK) return rc;
      stat_merge(&ce->st, &pst, c->type);
      if (OG_VEC_PUSH(&ce->pages, pi) != OG_OK || OG_VEC_PUSH(&ce->pstats, pst) != OG_OK) return og_err_oom(err);
      memset(&pst, 0, sizeof pst);
      lo = i + 1;
      acc = 0;
    }
  }
  return OG_OK;
}

/* Columns of a large fragment are encoded on two threads (zstd is most of
 * the work): the helper takes its share of the columns, each into its own
 * buffer, and the pages are laid out in column order afterwards. */
#define FRAG_PARALLEL_ROWS 32768

typedef struct colgroup {
  colenc *ce;
  size_t nce;
  const bool *mine; /* per column: this group's */
  og_status rc;
} colgroup;

static void *colgroup_main(void *arg) {
  colgroup *g = arg;
  page_writer w;
  memset(&w, 0, sizeof w);
  w.cctx = thread_cctx();
  g->rc = OG_OK;
  for (size_t i = 0; i < g->nce && !g->rc; i++)
    if (g->mine[i]) g->rc = g->ce[i].rc = encode_col(&g->ce[i], &w, &g->ce[i].err);
  pw_dispose(&w);
  return NULL;
}

og_status og_frag_encode(const og_table_schema *s, const og_batch *b, const uint32_t *sel,
                         size_t n, const uint64_t *rowids, const og_table_write_opts *o,
                         og_buf *out, og_error *err) {
  og_status rc = OG_OK;
  page_writer w;
  memset(&w, 0, sizeof w);
  w.cctx = thread_cctx();
  og_buf footer = OG_BUF_INIT;
  size_t page_bytes = o->page_bytes ? o->page_bytes : 128u * 1024u;
  size_t nc = s->ncols;
  colenc *ce = og_calloc(nc ? nc : 1, sizeof *ce);
  bool *helper = og_calloc(nc ? nc : 1, sizeof *helper);
  pthread_t th;
  bool th_running = false;
  colgroup hg = {ce, nc, helper, OG_OK};
  if (!ce || !helper) goto oom;
  for (size_t ci = 0; ci < nc; ci++)
    ce[ci] = (colenc){.c = &b->cols[ci], .sel = sel, .n = n, .level = o->zstd_level, .page_bytes = page_bytes,
                      .data = out, .err = OG_ERROR_INIT};
  if (n >= FRAG_PARALLEL_ROWS && nc >= 2) {
    /* split the columns by size, largest first to the lighter side */
    uint64_t load[2] = {0, 0};
    bool *done = og_calloc(nc, sizeof *done);
    if (!done) goto oom;
    for (size_t k = 0; k < nc; k++) {
      size_t best = nc;
      uint64_t bsz = 0;
      for (size_t ci = 0; ci < nc; ci++) {
        const og_column *c = &b->cols[ci];
        uint64_t sz = c->data.len + c->offsets.count * 4 + 1;
        if (!done[ci] && (best == nc || sz > bsz)) best = ci, bsz = sz;
      }
      done[best] = true;
      int side = load[1] < load[0];
      helper[best] = side == 1;
      load[side] += bsz;
    }
    og_free(done);
    for (size_t ci = 0; ci < nc; ci++)
      if (helper[ci]) ce[ci].data = &ce[ci].own;
    th_running = pthread_create(&th, NULL, colgroup_main, &hg) == 0;
    if (!th_running) /* no thread: all here, in place */
      for (size_t ci = 0; ci < nc; ci++) helper[ci] = false, ce[ci].data = out;
    else /* this side's columns apart too: the layout is in column order */
      for (size_t ci = 0; ci < nc; ci++)
        if (!helper[ci]) ce[ci].data = &ce[ci].own;
  }
  for (size_t ci = 0; ci < nc; ci++)
    if (!helper[ci] && (rc = encode_col(&ce[ci], &w, err)) != OG_OK) goto cleanup;
  if (th_running) {
    pthread_join(th, NULL);
    th_running = false;
    if (hg.rc) {
      for (size_t ci = 0; ci < nc; ci++)
        if (ce[ci].rc) {
          if (err) *err = ce[ci].err;
          break;
        }
      rc = hg.rc;
      goto cleanup;
    }
  }

  og_buf_put_u64le(&footer, n);
  og_buf_put_u32le(&footer, (uint32_t)nc);
  for (size_t ci = 0; ci < nc; ci++) {
    const og_column *c = &b->cols[ci];
    uint64_t shift = 0;
    if (ce[ci].data != out) { /* encoded apart: its pages move to here */
      shift = out->len;
      if (og_buf_put(out, ce[ci].own.ptr ? ce[ci].own.ptr : "", ce[ci].own.len) != OG_OK) goto oom;
    }
    og_buf_put_u8(&footer, (uint8_t)c->type);
    og_buf_put_u8(&footer, (uint8_t)c->elem);
    og_buf_put_u8(&footer, c->nullable ? 1 : 0);
    og_buf_put_u32le(&footer, c->dim);
    og_buf_put_u64le(&footer, ce[ci].nulls);
    put_stats(&footer, c->type, &ce[ci].st);
    og_buf_put_u32le(&footer, (uint32_t)ce[ci].pages.count);
    for (size_t p = 0; p < ce[ci].pages.count; p++) {
      og_pageinfo pi = ce[ci].pages.items[p];
      pi.offset += shift;
      put_pageinfo(&footer, &pi);
      put_stats(&footer, c->type, &ce[ci].pstats.items[p]);
    }
  }
  /* row ids: first absolute, then deltas (all >= 1: ids ascend strictly) */
  og_buf_clear(&w.raw);
  for (size_t i = 0; i < n; i++) {
    if (i && rowids[i] <= rowids[i - 1]) {
      rc = og_err_set(err, OG_ERROR, "table: fragment row ids not ascending");
      goto cleanup;
    }
    og_buf_put_varint(&w.raw, i ? rowids[i] - rowids[i - 1] : rowids[0]);
  }
  if (w.raw.oom) goto oom;
  {
    og_pageinfo pi;
    if ((rc = emit_page(&w, out, o->zstd_level, (uint32_t)n, &pi, err)) != OG_OK) goto cleanup;
    put_pageinfo(&footer, &pi);
  }
  if (footer.oom) goto oom;
  {
    uint64_t fh = og_hash64(footer.ptr, footer.len);
    og_buf_put(out, footer.ptr, footer.len);
    og_buf_put_u32le(out, (uint32_t)footer.len);
    og_buf_put_u64le(out, fh);
    og_buf_put_u32le(out, OG_FRAG_FORMAT);
    og_buf_put_u32le(out, OG_FRAG_MAGIC);
    if (out->oom) goto oom;
  }
  rc = OG_OK;
  goto cleanup;
oom:
  rc = og_err_oom(err);
cleanup:
  if (th_running) pthread_join(th, NULL);
  pw_dispose(&w);
  og_buf_dispose(&footer);
  for (size_t ci = 0; ce && ci < nc; ci++) colenc_dispose(&ce[ci]);
  og_free(ce);
  og_free(helper);
  return rc;
}

/*==================== footer ====================*/

void og_footer_free(og_footer *f) {
  if (!f) return;
  for (size_t i = 0; i < f->ncols; i++) {
    for (size_t p = 0; p < f->cols[i].npages; p++) {
      og_free(f->cols[i].pages[p].st.smin);
      og_free(f->cols[i].pages[p].st.smax);
    }
    og_free(f->cols[i].pages);
    og_free(f->cols[i].stats.smin);
    og_free(f->cols[i].stats.smax);
  }
  og_free(f->cols);
  og_free(f);
}

static void read_pageinfo(og_cursor *c, og_pageinfo *p) {
  p->offset = og_cursor_u64le(c);
  p->comp_len = og_cursor_u32le(c);
  p->raw_len = og_cursor_u32le(c);
  p->hash = og_cursor_u64le(c);
  p->rows = og_cursor_u32le(c);
}

static bool read_stat(og_cursor *c, og_coltype t, int64_t *i, uint64_t *u, double *d, char **s,
                      size_t *sn) {
  switch (t) {
  case OG_COL_U64: *u = og_cursor_u64le(c); return !c->bad;
  case OG_COL_F32: case OG_COL_F64: {
    uint64_t bits = og_cursor_u64le(c);
    memcpy(d, &bits, 8);
    return !c->bad;
  }
  case OG_COL_STRING: {
    uint32_t n = og_cursor_u32le(c);
    if (c->bad || n > OG_STAT_STR_MAX) return false;
    const uint8_t *p = og_cursor_bytes(c, n);
    if (!p) return false;
    /* not strndup: a string value may contain NUL bytes */
    *s = og_malloc((size_t)n + 1);
    if (!*s) return false;
    if (n) memcpy(*s, p, n);
    (*s)[n] = 0;
    *sn = n;
    return true;
  }
  default: *i = (int64_t)og_cursor_u64le(c); return !c->bad;
  }
}

static bool read_stats(og_cursor *c, og_coltype t, og_colstats *st) {
  st->flags = og_cursor_u8(c);
  if (c->bad || (st->flags & ~(OG_STAT_MIN | OG_STAT_MAX)) || (st->flags && !has_stats(t)))
    return false;
  if ((st->flags & OG_STAT_MIN) &&
      !read_stat(c, t, &st->imin, &st->umin, &st->fmin, &st->smin, &st->sminlen))
    return false;
  if ((st->flags & OG_STAT_MAX) &&
      !read_stat(c, t, &st->imax, &st->umax, &st->fmax, &st->smax, &st->smaxlen))
    return false;
  return true;
}

og_status og_footer_parse(const char *key, const uint8_t *data, size_t len, uint64_t obj_size,
                          og_footer **out, og_error *err) {
  /* data = the footer bytes (already checksum-verified); pages must end at
   * data_end = obj_size - TRAILER - len */
  og_status rc = OG_OK;
  og_cursor c;
  og_cursor_init(&c, data, len);
  uint64_t data_end = obj_size - OG_FRAG_TRAILER - len;
  og_footer *f = og_calloc(1, sizeof *f);
  if (!f) return og_err_oom(err);
  f->object_size = obj_size;
  f->rows = og_cursor_u64le(&c);
  uint32_t ncols = og_cursor_u32le(&c);
  if (c.bad || ncols > 65535) { rc = corrupt(err, key, "bad footer header"); goto cleanup; }
  if (ncols) {
    f->cols = og_calloc(ncols, sizeof *f->cols);
    if (!f->cols) { rc = og_err_oom(err); goto cleanup; }
  }
  f->ncols = ncols;
  for (uint32_t i = 0; i < ncols; i++) {
    og_colmeta *m = &f->cols[i];
    m->type = (og_coltype)og_cursor_u8(&c);
    m->elem = (og_coltype)og_cursor_u8(&c);
    m->nullable = og_cursor_u8(&c) != 0;
    m->dim = og_cursor_u32le(&c);
    m->null_count = og_cursor_u64le(&c);
    if (c.bad || m->type < OG_COL_BOOL || m->type > OG_COL_LIST || m->null_count > f->rows) {
      rc = corrupt(err, key, "bad column entry");
      goto cleanup;
    }
    if (!read_stats(&c, m->type, &m->stats)) { rc = corrupt(err, key, "bad column stats"); goto cleanup; }
    uint32_t np = og_cursor_u32le(&c);
    if (c.bad || (uint64_t)np * 29 > og_cursor_left(&c)) { rc = corrupt(err, key, "bad page count"); goto cleanup; }
    if (np) {
      m->pages = og_calloc(np, sizeof *m->pages);
      if (!m->pages) { rc = og_err_oom(err); goto cleanup; }
    }
    m->npages = np;
    uint64_t rows = 0;
    for (uint32_t p = 0; p < np; p++) {
      og_pageinfo *pi = &m->pages[p];
      read_pageinfo(&c, pi);
      if (!read_stats(&c, m->type, &pi->st)) { rc = corrupt(err, key, "bad page stats"); goto cleanup; }
      if (c.bad || pi->offset > data_end || pi->comp_len > data_end - pi->offset ||
          pi->raw_len >= MAX_PAGE_RAW || pi->rows == 0 ||
          (p && pi->offset < m->pages[p - 1].offset + m->pages[p - 1].comp_len)) {
        rc = corrupt(err, key, "bad page entry");
        goto cleanup;
      }
      rows += pi->rows;
    }
    if (rows != f->rows) { rc = corrupt(err, key, "column page rows do not add up"); goto cleanup; }
  }
  read_pageinfo(&c, &f->rowid_page);
  if (c.bad || f->rowid_page.offset > data_end ||
      f->rowid_page.comp_len > data_end - f->rowid_page.offset ||
      f->rowid_page.raw_len >= MAX_PAGE_RAW || f->rowid_page.rows != f->rows ||
      og_cursor_left(&c) != 0) {
    rc = corrupt(err, key, "bad row-id entry");
    goto cleanup;
  }
  *out = f;
  f = NULL;
cleanup:
  og_footer_free(f);
  return rc;
}

og_status og_footer_read(og_store *st, const char *key, og_footer **out, og_error *err) {
  og_status rc;
  og_buf tail = OG_BUF_INIT, fb = OG_BUF_INIT;
  uint64_t size = 0;
  *out = NULL;
  if ((rc = og_store_head(st, key, &size, err)) != OG_OK) goto cleanup;
  if (size < OG_FRAG_TRAILER) { rc = corrupt(err, key, "too short for a fragment"); goto cleanup; }
  uint64_t want = size < TAIL_READ ? size : TAIL_READ;
  if ((rc = og_store_get_range(st, key, size - want, want, &tail, err)) != OG_OK) goto cleanup;
  if (tail.len != want) { rc = corrupt(err, key, "short read (truncated?)"); goto cleanup; }
  const uint8_t *t = (const uint8_t *)tail.ptr + tail.len - OG_FRAG_TRAILER;
  uint32_t flen = og_get_u32le(t);
  uint64_t fh = og_get_u64le(t + 4);
  uint32_t fmt = og_get_u32le(t + 12);
  uint32_t magic = og_get_u32le(t + 16);
  if (magic != OG_FRAG_MAGIC) { rc = corrupt(err, key, "bad magic (truncated?)"); goto cleanup; }
  if (fmt != OG_FRAG_FORMAT) {
    rc = og_err_set(err, fmt > OG_FRAG_FORMAT ? OG_EUNSUPPORTED : OG_ECORRUPT,
                    "table: object '%s' has fragment format %u, which this build does not read%s", key, fmt,
                      fmt > OG_FRAG_FORMAT ? " (written by a newer omnigraph: upgrade omnigraph)" : "");
    goto cleanup;
  }
  if ((uint64_t)flen + OG_FRAG_TRAILER > size) { rc = corrupt(err, key, "bad footer length"); goto cleanup; }
  const uint8_t *fp;
  if ((uint64_t)flen + OG_FRAG_TRAILER <= want) {
    fp = t - flen;
  } else {
    if ((rc = og_store_get_range(st, key, size - OG_FRAG_TRAILER - flen, flen, &fb, err)) != OG_OK)
      goto cleanup;
    if (fb.len != flen) { rc = corrupt(err, key, "short footer read"); goto cleanup; }
    fp = (const uint8_t *)fb.ptr;
  }
  if (og_hash64(fp, flen) != fh) { rc = corrupt(err, key, "footer checksum mismatch"); goto cleanup; }
  rc = og_footer_parse(key, fp, flen, size, out, err);
cleanup:
  og_buf_dispose(&tail);
  og_buf_dispose(&fb);
  return rc;
}

og_status og_footer_check_schema(const char *key, const og_footer *f, const og_table_schema *s,
                                 og_error *err) {
  if (f->ncols != s->ncols) return corrupt(err, key, "column count differs from the schema");
  for (size_t i = 0; i < s->ncols; i++) {
    const og_colspec *sc = &s->cols[i];
    const og_colmeta *m = &f->cols[i];
    og_coltype elem = sc->type == OG_COL_LIST ? sc->elem : OG_COL_INVALID;
    uint32_t dim = sc->type == OG_COL_VECTOR ? sc->dim : 0;
    if (m->type != sc->type || m->elem != elem || m->dim != dim || m->nullable != sc->nullable)
      return corrupt(err, key, "column type differs from the schema");
    if (!m->nullable && m->null_count) return corrupt(err, key, "nulls in a non-null column");
  }
  return OG_OK;
}

/*==================== decoding ====================*/

static og_status fetch_page(og_store *st, const char *key, const og_pageinfo *pi, og_buf *comp,
                            og_buf *raw, og_error *err) {
  og_status rc;
  og_buf_clear(comp);
  if ((rc = og_store_get_range(st, key, pi->offset, pi->comp_len, comp, err)) != OG_OK) return rc;
  if (comp->len != pi->comp_len) return corrupt(err, key, "short page read (truncated?)");
  if (og_hash64(comp->ptr, comp->len) != pi->hash) return corrupt(err, key, "page checksum mismatch");
  return og_zstd_decompress(key, comp->ptr, comp->len, pi->raw_len, raw, err);
}

og_status og_frag_read_rowids(og_store *st, const char *key, const og_footer *f, uint64_t **out,
                              og_error *err) {
  og_status rc;
  og_buf comp = OG_BUF_INIT, raw = OG_BUF_INIT;
  uint64_t *ids = NULL;
  *out = NULL;
  if ((rc = fetch_page(st, key, &f->rowid_page, &comp, &raw, err)) != OG_OK) goto cleanup;
  ids = og_malloc((size_t)(f->rows ? f->rows : 1) * sizeof *ids);
  if (!ids) { rc = og_err_oom(err); goto cleanup; }
  og_cursor c;
  og_cursor_init(&c, raw.ptr, raw.len);
  for (uint64_t i = 0; i < f->rows; i++) {
    uint64_t d = og_cursor_varint(&c);
    if (c.bad || (i && (d == 0 || ids[i - 1] + d < ids[i - 1]))) {
      rc = corrupt(err, key, "bad row-id page");
      goto cleanup;
    }
    ids[i] = i ? ids[i - 1] + d : d;
  }
  if (og_cursor_left(&c)) { rc = corrupt(err, key, "trailing bytes in row-id page"); goto cleanup; }
  *out = ids;
  ids = NULL;
cleanup:
  og_free(ids);
  og_buf_dispose(&comp);
  og_buf_dispose(&raw);
  return rc;
}

/* Decode one raw page of `rows` rows, appending them to dst. */
static og_status decode_page(const char *key, const og_buf *raw, uint32_t rows, og_column *dst,
                             og_error *err) {
  og_cursor c;
  og_cursor_init(&c, raw->ptr, raw->len);
  const uint8_t *vbits = NULL;
  if (dst->nullable) {
    vbits = og_cursor_bytes(&c, (rows + 7) / 8);
    if (!vbits) return corrupt(err, key, "page too short for validity");
  }
  size_t start = dst->count;
  size_t fw = og_coltype_width(dst->type);
  if (dst->type == OG_COL_VECTOR) fw = (size_t)dst->dim * 4;
  if (fw) {
    if ((uint64_t)rows * fw != og_cursor_left(&c)) return corrupt(err, key, "page size mismatch");
    const uint8_t *p = og_cursor_bytes(&c, (size_t)rows * fw);
    if (og_buf_put(&dst->data, p, (size_t)rows * fw) != OG_OK) return og_err_oom(err);
  } else if (og_coltype_is_varlen(dst->type)) {
    const uint8_t *offs = og_cursor_bytes(&c, ((size_t)rows + 1) * 4);
    if (!offs) return corrupt(err, key, "page too short for offsets");
    size_t blen = og_cursor_left(&c);
    const uint8_t *bytes = og_cursor_bytes(&c, blen);
    if (og_get_u32le(offs) != 0 || og_get_u32le(offs + (size_t)rows * 4) != blen)
      return corrupt(err, key, "bad string offsets");
    if (og_array_reserve((void **)&dst->offsets.items, &dst->offsets.cap,
                         dst->offsets.count + rows, sizeof(uint64_t)) != OG_OK)
      return og_err_oom(err);
    uint64_t base = dst->data.len;
    uint32_t prev = 0;
    for (uint32_t i = 1; i <= rows; i++) {
      uint32_t o = og_get_u32le(offs + (size_t)i * 4);
      if (o < prev) return corrupt(err, key, "string offsets not monotonic");
      prev = o;
      dst->offsets.items[dst->offsets.count++] = base + o;
    }
    if (blen && og_buf_put(&dst->data, bytes, blen) != OG_OK) return og_err_oom(err);
  } else if (dst->type == OG_COL_LIST) {
    const uint8_t *offs = og_cursor_bytes(&c, ((size_t)rows + 1) * 4);
    if (!offs) return corrupt(err, key, "page too short for list offsets");
    uint32_t nel = og_get_u32le(offs + (size_t)rows * 4);
    if (og_get_u32le(offs) != 0) return corrupt(err, key, "bad list offsets");
    size_t ew = og_coltype_width(dst->elem);
    uint64_t ebase = ew ? dst->data.len / ew : dst->elem_offsets.count - 1;
    if (og_array_reserve((void **)&dst->offsets.items, &dst->offsets.cap,
                         dst->offsets.count + rows, sizeof(uint64_t)) != OG_OK)
      return og_err_oom(err);
    uint32_t prev = 0;
    for (uint32_t i = 1; i <= rows; i++) {
      uint32_t o = og_get_u32le(offs + (size_t)i * 4);
      if (o < prev) return corrupt(err, key, "list offsets not monotonic");
      prev = o;
    }
    if (ew) {
      if ((uint64_t)nel * ew != og_cursor_left(&c)) return corrupt(err, key, "list page size mismatch");
      const uint8_t *p = og_cursor_bytes(&c, (size_t)nel * ew);
      if (nel && og_buf_put(&dst->data, p, (size_t)nel * ew) != OG_OK) return og_err_oom(err);
    } else {
      const uint8_t *eoffs = og_cursor_bytes(&c, ((size_t)nel + 1) * 4);
      if (!eoffs) return corrupt(err, key, "page too short for element offsets");
      size_t blen = og_cursor_left(&c);
      const uint8_t *bytes = og_cursor_bytes(&c, blen);
      if (og_get_u32le(eoffs) != 0 || og_get_u32le(eoffs + (size_t)nel * 4) != blen)
        return corrupt(err, key, "bad element offsets");
      if (og_array_reserve((void **)&dst->elem_offsets.items, &dst->elem_offsets.cap,
                           dst->elem_offsets.count + nel, sizeof(uint64_t)) != OG_OK)
        return og_err_oom(err);
      uint64_t bbase = dst->data.len;
      uint32_t p2 = 0;
      for (uint32_t i = 1; i <= nel; i++) {
        uint32_t o = og_get_u32le(eoffs + (size_t)i * 4);
        if (o < p2) return corrupt(err, key, "element offsets not monotonic");
        p2 = o;
        dst->elem_offsets.items[dst->elem_offsets.count++] = bbase + o;
      }
      if (blen && og_buf_put(&dst->data, bytes, blen) != OG_OK) return og_err_oom(err);
    }
    for (uint32_t i = 1; i <= rows; i++)
      dst->offsets.items[dst->offsets.count++] = ebase + og_get_u32le(offs + (size_t)i * 4);
  }
  /* validity last, so a corrupt page leaves counts consistent enough to dispose */
  size_t nulls = 0;
  uint32_t i0 = 0;
  if (!vbits && rows >= 16) {
    /* no nulls: whole bytes of set bits at once (the per-row push was a
     * visible share of scanning a string column); the bits up to a byte
     * boundary and the tail go one by one below */
    for (; (dst->count & 7) != 0; i0++) {
      if (og_column_validity_push(dst, true) != OG_OK) return og_err_oom(err);
      dst->count++;
    }
    size_t full = (rows - i0) / 8;
    if (og_buf_grow(&dst->validity, full) != OG_OK) return og_err_oom(err);
    memset(dst->validity.ptr + dst->validity.len, 0xff, full);
    dst->validity.len += full;
    dst->validity.ptr[dst->validity.len] = '\0';
    dst->count += full * 8;
    i0 += (uint32_t)(full * 8);
  }
  for (uint32_t i = i0; i < rows; i++) {
    bool valid = vbits ? (vbits[i >> 3] >> (i & 7)) & 1 : true;
    if (dst->count != start + i) return og_err_set(err, OG_ERROR, "decode: count drift");
    if (og_column_validity_push(dst, valid) != OG_OK) return og_err_oom(err);
    dst->count++;
    if (!valid) nulls++;
  }
  dst->null_count += nulls;
  if (dst->data.oom) return og_err_oom(err);
  return OG_OK;
}

og_status og_frag_read_column_scratch(og_store *st, const char *key, const og_footer *f, size_t col,
                                      og_column *dst, og_buf *span, og_buf *raw, og_error *err) {
  og_status rc;
  const og_colmeta *m = &f->cols[col];
  if (m->npages == 0) return OG_OK;
  uint64_t lo = m->pages[0].offset;
  uint64_t hi = m->pages[m->npages - 1].offset + m->pages[m->npages - 1].comp_len;
  og_buf_clear(span);
  if ((rc = og_store_get_range(st, key, lo, hi - lo, span, err)) != OG_OK) return rc;
  if (span->len != hi - lo) return corrupt(err, key, "short column read (truncated?)");
  for (size_t p = 0; p < m->npages; p++) {
    const og_pageinfo *pi = &m->pages[p];
    const char *cp = span->ptr + (pi->offset - lo);
    if (og_hash64(cp, pi->comp_len) != pi->hash) return corrupt(err, key, "page checksum mismatch");
    if ((rc = og_zstd_decompress(key, cp, pi->comp_len, pi->raw_len, raw, err)) != OG_OK) return rc;
    if ((rc = decode_page(key, raw, pi->rows, dst, err)) != OG_OK) return rc;
  }
  return OG_OK;
}

og_status og_frag_read_column(og_store *st, const char *key, const og_footer *f, size_t col,
                              og_column *dst, og_error *err) {
  og_buf span = OG_BUF_INIT, raw = OG_BUF_INIT;
  og_status rc = og_frag_read_column_scratch(st, key, f, col, dst, &span, &raw, err);
  og_buf_dispose(&span);
  og_buf_dispose(&raw);
  return rc;
}

og_status og_frag_read_rows(og_store *st, const char *key, const og_footer *f, size_t col,
                            const uint32_t *rows, size_t n, og_column *dst, og_error *err) {
  og_status rc = OG_OK;
  const og_colmeta *m = &f->cols[col];
  og_buf span = OG_BUF_INIT, raw = OG_BUF_INIT;
  og_column tmp;
  og_colspec spec = {"", dst->type, dst->elem, dst->dim, dst->nullable};
  uint32_t *sel = NULL;
  size_t *first = NULL; /* per page: index into rows of its first requested row, or SIZE_MAX */
  if ((rc = og_column_init(&tmp, &spec)) != OG_OK) return og_err_oom(err);
  sel = og_malloc((n ? n : 1) * sizeof *sel);
  first = og_malloc((m->npages ? m->npages : 1) * sizeof *first);
  if (!sel || !first) { rc = og_err_oom(err); goto cleanup; }
  {
    size_t i = 0;
    uint64_t ps = 0;
    for (size_t p = 0; p < m->npages; p++) {
      uint64_t pe = ps + m->pages[p].rows;
      first[p] = i < n && rows[i] < pe ? i : SIZE_MAX;
      while (i < n && rows[i] < pe) i++;
      ps = pe;
    }
    if (i != n) { rc = og_err_set(err, OG_ERROR, "table: row offset beyond fragment '%s'", key); goto cleanup; }
  }
  /* needed pages in runs: a gap of at most 256 KiB is read through rather
   * than paying another request */
  size_t p = 0;
  uint64_t page_start = 0;
  size_t i = 0;
  while (p < m->npages) {
    if (first[p] == SIZE_MAX) {
      page_start += m->pages[p].rows;
      p++;
      continue;
    }
    size_t q = p, last = p;
    while (q + 1 < m->npages) {
      size_t nx = q + 1;
      while (nx < m->npages && first[nx] == SIZE_MAX) nx++;
      if (nx >= m->npages) break;
      uint64_t gap = m->pages[nx].offset - (m->pages[last].offset + m->pages[last].comp_len);
      if (gap > (256u << 10)) break;
      q = nx;
      last = nx;
    }
    uint64_t lo = m->pages[p].offset, hi = m->pages[last].offset + m->pages[last].comp_len;
    og_buf_clear(&span);
    if ((rc = og_store_get_range(st, key, lo, hi - lo, &span, err)) != OG_OK) goto cleanup;
    if (span.len != hi - lo) { rc = corrupt(err, key, "short page read (truncated?)"); goto cleanup; }
    for (; p <= last; p++) {
      const og_pageinfo *pi = &m->pages[p];
      uint64_t page_end = page_start + pi->rows;
      if (first[p] != SIZE_MAX) {
        const char *cp = span.ptr + (pi->offset - lo);
        if (og_hash64(cp, pi->comp_len) != pi->hash) { rc = corrupt(err, key, "page checksum mismatch"); goto cleanup; }
        if ((rc = og_zstd_decompress(key, cp, pi->comp_len, pi->raw_len, &raw, err)) != OG_OK) goto cleanup;
        og_column_clear(&tmp);
        if ((rc = decode_page(key, &raw, pi->rows, &tmp, err)) != OG_OK) goto cleanup;
        size_t k = 0;
        while (i < n && rows[i] < page_end) sel[k++] = (uint32_t)(rows[i++] - page_start);
        if (og_column_take(dst, &tmp, sel, k) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
      }
      page_start = page_end;
    }
  }
cleanup:
  og_free(sel);
  og_free(first);
  og_column_dispose(&tmp);
  og_buf_dispose(&span);
  og_buf_dispose(&raw);
  return rc;
}

/*==================== stats verification ====================*/

static bool stats_equal(og_coltype t, const stat_acc *a, const og_colstats *b) {
  uint8_t flags = 0;
  if (a->any && has_stats(t)) {
    if (t != OG_COL_STRING || a->sminlen <= OG_STAT_STR_MAX) flags |= OG_STAT_MIN;
    if (t != OG_COL_STRING || a->smaxlen <= OG_STAT_STR_MAX) flags |= OG_STAT_MAX;
  }
  if (flags != b->flags) return false;
  switch (t) {
  case OG_COL_U64:
    return (!(flags & OG_STAT_MIN) || a->umin == b->umin) && (!(flags & OG_STAT_MAX) || a->umax == b->umax);
  case OG_COL_F32: case OG_COL_F64:
    return (!(flags & OG_STAT_MIN) || a->fmin == b->fmin) && (!(flags & OG_STAT_MAX) || a->fmax == b->fmax);
  case OG_COL_STRING:
    return (!(flags & OG_STAT_MIN) || bytes_cmp(a->smin, a->sminlen, b->smin, b->sminlen) == 0) &&
           (!(flags & OG_STAT_MAX) || bytes_cmp(a->smax, a->smaxlen, b->smax, b->smaxlen) == 0);
  default:
    return (!(flags & OG_STAT_MIN) || a->imin == b->imin) && (!(flags & OG_STAT_MAX) || a->imax == b->imax);
  }
}

og_status og_frag_check_stats(const char *key, const og_colmeta *m, const og_column *col,
                              og_error *err) {
  if (!has_stats(m->type)) return OG_OK;
  stat_acc all, pg;
  memset(&all, 0, sizeof all);
  size_t r = 0;
  for (size_t p = 0; p < m->npages; p++) {
    memset(&pg, 0, sizeof pg);
    for (uint32_t k = 0; k < m->pages[p].rows; k++, r++) {
      if (og_column_is_null(col, r)) continue;
      stat_add(&all, col, r);
      stat_add(&pg, col, r);
    }
    if (!stats_equal(m->type, &pg, &m->pages[p].st)) return corrupt(err, key, "page statistics disagree with the data");
  }
  if (!stats_equal(m->type, &all, &m->stats)) return corrupt(err, key, "column statistics disagree with the data");
  return OG_OK;
}
