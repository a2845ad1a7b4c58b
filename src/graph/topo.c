/*
 * topo.c — persisted topology objects of edge-table versions (topo.h,
 * docs/format-graph.md §9).
 */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "graph/topo.h"

#define HDR_FIXED 64u
#define SECT_ENTRY 32u
#define HDR_MAX 8192u        /* 3 keys of <= 1024 bytes + the table fit */
#define READ_CHUNK ((uint64_t)1 << 20)

/*==================== keys ====================*/

bool og_topo_key(og_buf *out, const char *table_prefix, const char *edge_desc_key) {
  og_buf_clear(out);
  return og_buf_printf(out, "%s/topo/%016llx", table_prefix,
                       (unsigned long long)og_hash64(edge_desc_key, strlen(edge_desc_key))) == OG_OK &&
         og_store_key_plain(out->ptr);
}

bool og_topo_is_key(const char *key) {
  const char *last = strrchr(key, '/');
  return last && last - key >= 5 && memcmp(last - 5, "/topo", 5) == 0 && strlen(last + 1) == 16;
}

/*==================== write ====================*/

static og_status put_str(og_buf *b, const char *s) {
  size_t n = strlen(s);
  if (og_buf_put_u32le(b, (uint32_t)n)) return OG_ENOMEM;
  return og_buf_put(b, s, n);
}

static og_status pad8(og_buf *b) {
  while (b->len & 7)
    if (og_buf_putc(b, 0)) return OG_ENOMEM;
  return OG_OK;
}

og_status og_topo_write(og_store *st, const char *key, const og_topo_hdr *h,
                        const og_topo_piece pieces[OG_TOPO_NSECT + 1], og_error *err) {
  og_status rc = OG_OK;
  og_buf b = OG_BUF_INIT;
  og_topo_sect sect[OG_TOPO_NSECT + 1];
  memset(sect, 0, sizeof sect);
  size_t nk = strlen(h->edge_key) + strlen(h->src_key) + strlen(h->dst_key);
  if (nk > 3 * 1024) return og_err_set(err, OG_EINVAL, "topology: descriptor keys too long");
  /* header length first: the section offsets depend on it */
  uint64_t hlen = HDR_FIXED + OG_TOPO_NSECT * SECT_ENTRY + 12 + nk;
  hlen = (hlen + 7) & ~(uint64_t)7;
  hlen += 8; /* checksum */
  uint64_t total = 0, at = hlen;
  for (int i = 1; i <= OG_TOPO_NSECT; i++) {
    uint64_t n = (uint64_t)pieces[i].n[0] + pieces[i].n[1];
    if (!n) continue;
    XXH3_state_t *x = XXH3_createState();
    if (!x) return og_err_oom(err);
    XXH3_64bits_reset(x);
    for (int k = 0; k < 2; k++)
      if (pieces[i].n[k]) XXH3_64bits_update(x, pieces[i].p[k], pieces[i].n[k]);
    sect[i] = (og_topo_sect){at, n, XXH3_64bits_digest(x)};
    XXH3_freeState(x);
    at = (at + n + 7) & ~(uint64_t)7;
  }
  total = at;
  if (og_buf_grow(&b, total)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  bool bad = og_buf_put_u32le(&b, OG_TOPO_MAGIC) || og_buf_put_u32le(&b, OG_TOPO_FORMAT) ||
             og_buf_put_u32le(&b, (uint32_t)hlen) || og_buf_put_u32le(&b, h->same ? 1u : 0u) ||
             og_buf_put_u64le(&b, h->nedges) || og_buf_put_u64le(&b, h->nsrc_live) ||
             og_buf_put_u64le(&b, h->nsrc) || og_buf_put_u64le(&b, h->ndst_live) ||
             og_buf_put_u64le(&b, h->ndst) || og_buf_put_u32le(&b, OG_TOPO_NSECT) ||
             og_buf_put_u32le(&b, 0);
  for (int i = 1; i <= OG_TOPO_NSECT && !bad; i++)
    bad = og_buf_put_u32le(&b, (uint32_t)i) || og_buf_put_u32le(&b, 0) || og_buf_put_u64le(&b, sect[i].off) ||
          og_buf_put_u64le(&b, sect[i].len) || og_buf_put_u64le(&b, sect[i].hash);
  bad = bad || put_str(&b, h->edge_key) || put_str(&b, h->src_key) || put_str(&b, h->dst_key) || pad8(&b);
  bad = bad || og_buf_put_u64le(&b, og_hash64(b.ptr, b.len));
  for (int i = 1; i <= OG_TOPO_NSECT && !bad; i++) {
    if (!sect[i].len) continue;
    bad = og_buf_put(&b, pieces[i].p[0], pieces[i].n[0]) || og_buf_put(&b, pieces[i].p[1], pieces[i].n[1]) ||
          pad8(&b);
  }
  if (bad) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if (b.len != total) {
    rc = og_err_set(err, OG_ERROR, "topology: encoded %zu bytes, expected %llu", b.len,
                    (unsigned long long)total);
    goto cleanup;
  }
  rc = og_store_put_hint(st, key, b.ptr, b.len, err);
cleanup:
  og_buf_dispose(&b);
  return rc;
}

/*==================== read ====================*/

static og_status corrupt(og_error *err, const char *key, const char *what) {
  return og_err_set(err, OG_ECORRUPT, "graph: corrupt topology object '%s': %s", key, what);
}

void og_topo_hdr_dispose(og_topo_hdr *h) {
  if (!h) return;
  og_free(h->edge_key);
  og_free(h->src_key);
  og_free(h->dst_key);
  memset(h, 0, sizeof *h);
}

static char *get_str(og_cursor *c) {
  uint32_t n = og_cursor_u32le(c);
  const uint8_t *p = n <= 1024 ? og_cursor_bytes(c, n) : NULL;
  if (!p) {
    c->bad = true;
    return NULL;
  }
  return og_strndup((const char *)p, n);
}

og_status og_topo_read_header(og_store *st, const char *key, og_topo_hdr *out, og_error *err) {
  og_status rc = OG_OK;
  og_buf b = OG_BUF_INIT;
  memset(out, 0, sizeof *out);
  if ((rc = og_store_head(st, key, &out->size, err))) goto cleanup;
  if ((rc = og_store_get_range(st, key, 0, HDR_MAX, &b, err))) goto cleanup;
  og_cursor c;
  og_cursor_init(&c, b.ptr, b.len);
  uint32_t magic = og_cursor_u32le(&c), format = og_cursor_u32le(&c), hlen = og_cursor_u32le(&c);
  uint32_t flags = og_cursor_u32le(&c);
  if (c.bad || magic != OG_TOPO_MAGIC) {
    rc = corrupt(err, key, "bad magic");
    goto cleanup;
  }
  if (format > OG_TOPO_FORMAT) {
    rc = og_err_set(err, OG_EUNSUPPORTED, "graph: topology object '%s' has format %u (this build reads %u)", key,
                    format, OG_TOPO_FORMAT);
    goto cleanup;
  }
  if (format != OG_TOPO_FORMAT || hlen < HDR_FIXED + 8 || hlen > b.len || (hlen & 7) || flags > 1) {
    rc = corrupt(err, key, "bad header");
    goto cleanup;
  }
  if (og_get_u64le((const uint8_t *)b.ptr + hlen - 8) != og_hash64(b.ptr, hlen - 8)) {
    rc = corrupt(err, key, "header checksum mismatch");
    goto cleanup;
  }
  og_cursor_init(&c, b.ptr + 16, hlen - 16 - 8);
  out->same = flags & 1;
  out->nedges = og_cursor_u64le(&c);
  out->nsrc_live = og_cursor_u64le(&c);
  out->nsrc = og_cursor_u64le(&c);
  out->ndst_live = og_cursor_u64le(&c);
  out->ndst = og_cursor_u64le(&c);
  uint32_t nsect = og_cursor_u32le(&c);
  (void)og_cursor_u32le(&c);
  if (nsect != OG_TOPO_NSECT) c.bad = true;
  for (uint32_t i = 1; i <= nsect && !c.bad; i++) {
    uint32_t id = og_cursor_u32le(&c);
    (void)og_cursor_u32le(&c);
    og_topo_sect s = {og_cursor_u64le(&c), og_cursor_u64le(&c), og_cursor_u64le(&c)};
    if (id != i || (s.len && (s.off < hlen || s.off > out->size || s.len > out->size - s.off))) c.bad = true;
    else out->sect[i] = s;
  }
  out->edge_key = get_str(&c);
  out->src_key = get_str(&c);
  out->dst_key = get_str(&c);
  /* counts: dense indices are u32; offsets tables sized by the counts */
  const og_topo_sect *s = out->sect;
  bool ok = !c.bad && out->nsrc_live <= out->nsrc && out->ndst_live <= out->ndst && out->nsrc < UINT32_MAX &&
            out->ndst < UINT32_MAX && s[OG_TOPO_OUT_OFF].len == (out->nsrc + 1) * 8 &&
            s[OG_TOPO_IN_OFF].len == (out->ndst + 1) * 8 && s[OG_TOPO_OUT_ANY].len == out->nsrc &&
            s[OG_TOPO_IN_ANY].len == out->ndst && s[OG_TOPO_OUT_TGT].len % 4 == 0 &&
            s[OG_TOPO_IN_TGT].len % 4 == 0 && s[OG_TOPO_OUT_TGT].len / 4 <= out->nedges &&
            s[OG_TOPO_IN_TGT].len / 4 <= out->nedges && s[OG_TOPO_SRC_KEYS].len >= (out->nsrc_live + 1) * 8 &&
            s[OG_TOPO_SRC_ROWIDS].len == out->nsrc_live * 8 &&
            (out->same ? s[OG_TOPO_DST_KEYS].len == 0 && s[OG_TOPO_DST_ROWIDS].len == 0 && out->nsrc == out->ndst &&
                             out->nsrc_live == out->ndst_live
                       : s[OG_TOPO_DST_KEYS].len >= (out->ndst_live + 1) * 8 &&
                             s[OG_TOPO_DST_ROWIDS].len == out->ndst_live * 8);
  if (!ok) {
    bool oom = !c.bad && (!out->edge_key || !out->src_key || !out->dst_key);
    rc = oom ? og_err_oom(err) : corrupt(err, key, "bad counts or section table");
    goto cleanup;
  }
cleanup:
  if (rc) og_topo_hdr_dispose(out);
  og_buf_dispose(&b);
  return rc;
}

og_status og_topo_read_sect(og_store *st, const char *key, const og_topo_hdr *h, int id, void *dst,
                            og_error *err) {
  og_status rc = OG_OK;
  og_buf b = OG_BUF_INIT;
  const og_topo_sect *s = &h->sect[id];
  XXH3_state_t *x = XXH3_createState();
  if (!x) return og_err_oom(err);
  XXH3_64bits_reset(x);
  /* chunked through one small buffer: the destination is the caller's
   * (huge-page) array, and a whole-object buffer would cost a first-touch
   * fault per 4 KiB page on top of the copy */
  for (uint64_t at = 0; at < s->len;) {
    uint64_t n = s->len - at < READ_CHUNK ? s->len - at : READ_CHUNK;
    og_buf_clear(&b);
    if ((rc = og_store_get_range(st, key, s->off + at, n, &b, err))) goto cleanup;
    if (b.len != n) {
      rc = corrupt(err, key, "short section");
      goto cleanup;
    }
    XXH3_64bits_update(x, b.ptr, n);
    memcpy((char *)dst + at, b.ptr, n);
    at += n;
  }
  if (XXH3_64bits_digest(x) != s->hash) rc = corrupt(err, key, "section checksum mismatch");
cleanup:
  XXH3_freeState(x);
  og_buf_dispose(&b);
  return rc;
}

/*==================== full check ====================*/

static bool check_off(const uint8_t *off, uint64_t n, uint64_t ntgt) {
  uint64_t prev = 0;
  for (uint64_t i = 0; i <= n; i++) {
    uint64_t v = og_get_u64le(off + i * 8);
    if ((i == 0 && v) || v < prev) return false;
    prev = v;
  }
  return prev == ntgt;
}

static bool check_tgt(const uint8_t *t, uint64_t n, uint64_t space) {
  for (uint64_t i = 0; i < n; i++)
    if (og_get_u32le(t + i * 4) >= space) return false;
  return true;
}

static bool check_any(const uint8_t *a, uint64_t n) {
  for (uint64_t i = 0; i < n; i++)
    if (a[i] > 1) return false;
  return true;
}

/* Row ids of one node space: distinct (sorted copy). */
static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static bool check_rowids(const uint8_t *r, uint64_t n) {
  uint64_t *v = og_malloc((n ? n : 1) * sizeof *v);
  if (!v) return false;
  for (uint64_t i = 0; i < n; i++) v[i] = og_get_u64le(r + i * 8);
  qsort(v, n, sizeof *v, cmp_u64);
  bool ok = true;
  for (uint64_t i = 1; i < n && ok; i++) ok = v[i] != v[i - 1];
  og_free(v);
  return ok;
}

static bool check_keys(const uint8_t *k, uint64_t len, uint64_t n) {
  uint64_t prev = 0, bytes = len - (n + 1) * 8;
  for (uint64_t i = 0; i <= n; i++) {
    uint64_t v = og_get_u64le(k + i * 8);
    if ((i == 0 && v) || v < prev) return false;
    prev = v;
  }
  return prev == bytes;
}

og_status og_topo_check(og_store *st, const char *key, const char *edge_desc_key, og_error *err) {
  og_topo_hdr h;
  og_status rc = og_topo_read_header(st, key, &h, err);
  if (rc) return rc;
  uint8_t *data[OG_TOPO_NSECT + 1] = {0};
  if (strcmp(h.edge_key, edge_desc_key) != 0) {
    rc = corrupt(err, key, "names another edge descriptor");
    goto cleanup;
  }
  for (int i = 1; i <= OG_TOPO_NSECT; i++) {
    if (!h.sect[i].len) continue;
    if (!(data[i] = og_malloc(h.sect[i].len))) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    if ((rc = og_topo_read_sect(st, key, &h, i, data[i], err))) goto cleanup;
  }
  bool ok = check_off(data[OG_TOPO_OUT_OFF], h.nsrc, h.sect[OG_TOPO_OUT_TGT].len / 4) &&
            check_off(data[OG_TOPO_IN_OFF], h.ndst, h.sect[OG_TOPO_IN_TGT].len / 4) &&
            check_tgt(data[OG_TOPO_OUT_TGT], h.sect[OG_TOPO_OUT_TGT].len / 4, h.ndst) &&
            check_tgt(data[OG_TOPO_IN_TGT], h.sect[OG_TOPO_IN_TGT].len / 4, h.nsrc) &&
            check_any(data[OG_TOPO_OUT_ANY], h.nsrc) && check_any(data[OG_TOPO_IN_ANY], h.ndst) &&
            check_keys(data[OG_TOPO_SRC_KEYS], h.sect[OG_TOPO_SRC_KEYS].len, h.nsrc_live) &&
            (h.same || check_keys(data[OG_TOPO_DST_KEYS], h.sect[OG_TOPO_DST_KEYS].len, h.ndst_live)) &&
            check_rowids(data[OG_TOPO_SRC_ROWIDS], h.nsrc_live) &&
            (h.same || check_rowids(data[OG_TOPO_DST_ROWIDS], h.ndst_live));
  if (!ok) rc = corrupt(err, key, "inconsistent adjacency");
cleanup:
  for (int i = 1; i <= OG_TOPO_NSECT; i++) og_free(data[i]);
  og_topo_hdr_dispose(&h);
  return rc;
}
