/*
 * kidx.c — key-index segments: for one fragment, every row's key hash sorted
 * (hash, row) plus the key bytes by row, so a lookup is a binary search and
 * an exact comparison without reading the fragment.
 */
#include <stdlib.h>
#include <string.h>

#include "table/table_int.h"

#define KIDX_HEADER 28u /* magic, format, n, key_bytes, comp_len */
#define KIDX_ENTRY 12u

typedef og_hashrow kent;

/* Stable sort by hash (rows were inserted ascending, so ties stay ordered
 * by row). Hand-written because qsort dominated append time. Hashes of keys
 * are uniform: one counting scatter by the top bits into ~n/4 buckets, then
 * an insertion sort of each (tiny) bucket; two passes instead of an LSD
 * radix sort's eight. Skewed input (row ids, not hashes, also come here)
 * falls back to the radix sort when a bucket grows large. */
static void radix_sort(kent **ep, kent *b, size_t n) {
  kent *a = *ep;
  for (int pass = 0; pass < 8; pass++) {
    size_t cnt[256] = {0};
    int sh = pass * 8;
    for (size_t i = 0; i < n; i++) cnt[(a[i].h >> sh) & 0xff]++;
    bool trivial = false;
    for (int k = 0; k < 256; k++)
      if (cnt[k] == n) trivial = true;
    if (trivial) continue;
    size_t sum = 0;
    for (int k = 0; k < 256; k++) {
      size_t c = cnt[k];
      cnt[k] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; i++) b[cnt[(a[i].h >> sh) & 0xff]++] = a[i];
    kent *t = a;
    a = b;
    b = t;
  }
  *ep = a;
}

og_status og_hashrow_sort(og_hashrow **ep, size_t n) {
  kent *a = *ep;
  kent *tmp = og_scratch_take((n ? n : 1) * sizeof *tmp); /* reused: see og_scratch_take */
  kent *b = tmp;
  if (!tmp) return OG_ENOMEM;
  int bits = 8;
  while (bits < 20 && ((size_t)1 << (bits + 2)) < n) bits++;
  size_t nb = (size_t)1 << bits;
  uint32_t *cnt = n >= 4096 ? og_calloc(nb + 1, sizeof *cnt) : NULL;
  bool bucketed = false;
  if (cnt) {
    int sh = 64 - bits;
    for (size_t i = 0; i < n; i++) cnt[(a[i].h >> sh) + 1]++;
    size_t maxb = 0;
    for (size_t k = 1; k <= nb; k++) {
      if (cnt[k] > maxb) maxb = cnt[k];
      cnt[k] += cnt[k - 1];
    }
    if (maxb <= 64) { /* uniform enough for insertion sorts */
      for (size_t i = 0; i < n; i++) b[cnt[a[i].h >> sh]++] = a[i];
      /* cnt[k] is now the end of bucket k */
      size_t start = 0;
      for (size_t k = 0; k < nb; k++) {
        size_t end = cnt[k];
        for (size_t i = start + 1; i < end; i++) {
          kent x = b[i];
          size_t j = i;
          while (j > start && b[j - 1].h > x.h) {
            b[j] = b[j - 1];
            j--;
          }
          b[j] = x;
        }
        start = end;
      }
      *ep = b;
      b = a;
      bucketed = true;
    }
    og_free(cnt);
  }
  if (!bucketed) radix_sort(ep, b, n);
  if (*ep == tmp) { /* the caller owns a: the result goes there */
    memcpy(a, tmp, n * sizeof *a);
    *ep = a;
  }
  og_scratch_give(tmp);
  return OG_OK;
}

og_status og_kidx_encode(const og_column *keys, og_buf *out, og_error *err) {
  og_status rc = OG_OK;
  size_t n = keys->count;
  uint8_t *body = NULL;
  /* entries and body in reused scratch (a load encodes one per chunk) */
  kent *e = og_scratch_take((n ? n : 1) * sizeof *e);
  if (!e) return og_err_oom(err);
  uint64_t kb = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *p = og_column_get_bytes(keys, i, &len);
    e[i].h = og_hash64(p, len);
    e[i].r = (uint32_t)i;
    kb += len;
  }
  if (og_hashrow_sort(&e, n) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  if (kb > SIZE_MAX / 2 || n > SIZE_MAX / 64) { rc = og_err_oom(err); goto cleanup; }
  size_t blen = n * KIDX_ENTRY + (n + 1) * 8 + (size_t)kb;
  if (!(body = og_scratch_take(blen))) { rc = og_err_oom(err); goto cleanup; }
  uint8_t *w = body;
  for (size_t i = 0; i < n; i++, w += KIDX_ENTRY) {
    og_put_u64le(w, e[i].h);
    og_put_u32le(w + 8, e[i].r);
  }
  uint64_t off = 0;
  og_put_u64le(w, 0);
  w += 8;
  for (size_t i = 0; i < n; i++, w += 8) {
    size_t len;
    (void)og_column_get_bytes(keys, i, &len);
    off += len;
    og_put_u64le(w, off);
  }
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *p = og_column_get_bytes(keys, i, &len);
    if (len) memcpy(w, p, len);
    w += len;
  }
  size_t start = out->len;
  og_buf_put_u32le(out, OG_KIDX_MAGIC);
  og_buf_put_u32le(out, OG_KIDX_FORMAT);
  og_buf_put_u64le(out, n);
  og_buf_put_u64le(out, kb);
  size_t clen_at = out->len;
  og_buf_put_u32le(out, 0);
  if (out->oom) { rc = og_err_oom(err); goto cleanup; }
  size_t before = out->len;
  if ((rc = og_zstd_compress(body, blen, 1, out, err)) != OG_OK) goto cleanup;
  if (out->len - before > UINT32_MAX) {
    rc = og_err_set(err, OG_ETOOLARGE, "table: key index segment too large");
    goto cleanup;
  }
  og_put_u32le((uint8_t *)out->ptr + clen_at, (uint32_t)(out->len - before));
  og_buf_put_u64le(out, og_hash64(out->ptr + start, out->len - start));
  if (out->oom) rc = og_err_oom(err);
cleanup:
  og_scratch_give(e);
  og_scratch_give(body);
  return rc;
}

void og_kidx_free(og_kidx *k) {
  if (!k) return;
  og_buf_dispose(&k->raw);
  og_free(k);
}

static og_status kcorrupt(og_error *err, const char *key, const char *what) {
  return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': %s", key, what);
}

og_status og_kidx_parse(const char *key, og_buf *raw, uint64_t frag_rows, og_kidx **out,
                        og_error *err) {
  og_status rc;
  *out = NULL;
  const uint8_t *d = (const uint8_t *)raw->ptr;
  size_t len = raw->len;
  if (len < KIDX_HEADER + 8) return kcorrupt(err, key, "key index too short");
  if (og_get_u32le(d) != OG_KIDX_MAGIC) return kcorrupt(err, key, "bad key-index magic");
  uint32_t fmt = og_get_u32le(d + 4);
  if (fmt != OG_KIDX_FORMAT)
    return og_err_set(err, fmt > OG_KIDX_FORMAT ? OG_EUNSUPPORTED : OG_ECORRUPT,
                      "table: object '%s' has key-index format %u, which this build does not read%s", key, fmt,
                      fmt > OG_KIDX_FORMAT ? " (written by a newer omnigraph: upgrade omnigraph)" : "");
  if (og_hash64(d, len - 8) != og_get_u64le(d + len - 8))
    return kcorrupt(err, key, "key-index checksum mismatch");
  uint64_t n = og_get_u64le(d + 8), kb = og_get_u64le(d + 16);
  uint32_t clen = og_get_u32le(d + 24);
  if (n != frag_rows || n > UINT32_MAX || kb > (1ull << 40) ||
      (uint64_t)KIDX_HEADER + clen + 8 != len)
    return kcorrupt(err, key, "key-index sizes inconsistent");
  uint64_t body_len = n * KIDX_ENTRY + (n + 1) * 8 + kb;
  og_kidx *k = og_calloc(1, sizeof *k);
  if (!k) return og_err_oom(err);
  if ((rc = og_zstd_decompress(key, d + KIDX_HEADER, clen, (size_t)body_len, &k->raw, err)) != OG_OK) {
    og_kidx_free(k);
    return rc;
  }
  const uint8_t *b = (const uint8_t *)k->raw.ptr;
  k->rows = n;
  k->n = n;
  k->entries = b;
  k->koffs = k->entries + n * KIDX_ENTRY;
  k->kbytes = k->koffs + (n + 1) * 8;
  k->kbytes_len = kb;
  uint64_t prev = 0;
  if (og_get_u64le(k->koffs) != 0 || og_get_u64le(k->koffs + n * 8) != kb) goto bad;
  for (uint64_t i = 1; i <= n; i++) {
    uint64_t o = og_get_u64le(k->koffs + i * 8);
    if (o < prev) goto bad;
    prev = o;
  }
  for (uint64_t i = 0; i < n; i++) {
    const uint8_t *e = k->entries + i * KIDX_ENTRY;
    if (og_get_u32le(e + 8) >= n) goto bad;
    if (i) {
      const uint8_t *pe = e - KIDX_ENTRY;
      uint64_t ph = og_get_u64le(pe), h = og_get_u64le(e);
      if (ph > h || (ph == h && og_get_u32le(pe + 8) >= og_get_u32le(e + 8))) goto bad;
    }
  }
  *out = k;
  return OG_OK;
bad:
  og_kidx_free(k);
  return kcorrupt(err, key, "key index malformed");
}

og_status og_kidx_load(og_store *st, const char *key, uint64_t frag_rows, og_kidx **out,
                       og_error *err) {
  og_buf b = OG_BUF_INIT;
  og_status rc = og_store_get(st, key, &b, err);
  if (rc == OG_OK) rc = og_kidx_parse(key, &b, frag_rows, out, err);
  og_buf_dispose(&b);
  return rc;
}

const char *og_kidx_key_at(const og_kidx *k, uint32_t row, size_t *len_out) {
  uint64_t a = og_get_u64le(k->koffs + (size_t)row * 8), b = og_get_u64le(k->koffs + ((size_t)row + 1) * 8);
  *len_out = (size_t)(b - a);
  return (const char *)k->kbytes + a;
}

void og_kidx_find(const og_kidx *k, uint64_t hash, const char *key, size_t klen, og_kidx_cb cb,
                  void *ctx) {
  size_t lo = 0, hi = (size_t)k->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (og_get_u64le(k->entries + mid * KIDX_ENTRY) < hash) lo = mid + 1;
    else hi = mid;
  }
  for (size_t i = lo; i < k->n; i++) {
    const uint8_t *e = k->entries + i * KIDX_ENTRY;
    if (og_get_u64le(e) != hash) break;
    uint32_t r = og_get_u32le(e + 8);
    size_t n;
    const char *p = og_kidx_key_at(k, r, &n);
    if (n == klen && memcmp(p, key, klen) == 0 && !cb(ctx, r)) break;
  }
}
