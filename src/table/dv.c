/*
 * dv.c — deletion vectors: a roaring bitmap of deleted row OFFSETS within one
 * fragment (32-bit: a fragment holds far fewer than 2^32 rows), stored in the
 * portable roaring format behind a checksummed header.
 */
#include <string.h>

#include "table/table_int.h"

#define DV_HEADER 28u

og_status og_dv_encode(const roaring_bitmap_t *bm, og_buf *out, og_error *err) {
  size_t n = roaring_bitmap_portable_size_in_bytes(bm);
  char *tmp = og_malloc(n ? n : 1);
  if (!tmp) return og_err_oom(err);
  size_t w = roaring_bitmap_portable_serialize(bm, tmp);
  og_buf_put_u32le(out, OG_DV_MAGIC);
  og_buf_put_u32le(out, OG_DV_FORMAT);
  og_buf_put_u64le(out, roaring_bitmap_get_cardinality(bm));
  og_buf_put_u32le(out, (uint32_t)w);
  og_buf_put_u64le(out, og_hash64(tmp, w));
  og_buf_put(out, tmp, w);
  og_free(tmp);
  return out->oom ? og_err_oom(err) : OG_OK;
}

og_status og_dv_decode(const char *key, const uint8_t *data, size_t len, uint64_t frag_rows,
                       roaring_bitmap_t **out, og_error *err) {
  *out = NULL;
  if (len < DV_HEADER)
    return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': deletion vector too short", key);
  uint32_t magic = og_get_u32le(data), fmt = og_get_u32le(data + 4);
  uint64_t card = og_get_u64le(data + 8);
  uint32_t plen = og_get_u32le(data + 16);
  uint64_t h = og_get_u64le(data + 20);
  if (magic != OG_DV_MAGIC)
    return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': bad deletion-vector magic", key);
  if (fmt != OG_DV_FORMAT)
    return og_err_set(err, fmt > OG_DV_FORMAT ? OG_EUNSUPPORTED : OG_ECORRUPT,
                      "table: object '%s' has deletion-vector format %u, which this build does not read%s", key, fmt,
                      fmt > OG_DV_FORMAT ? " (written by a newer omnigraph: upgrade omnigraph)" : "");
  if ((uint64_t)plen != len - DV_HEADER || og_hash64(data + DV_HEADER, plen) != h)
    return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': deletion-vector checksum mismatch", key);
  const char *p = (const char *)data + DV_HEADER;
  if (roaring_bitmap_portable_deserialize_size(p, plen) != plen)
    return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': malformed deletion vector", key);
  roaring_bitmap_t *bm = roaring_bitmap_portable_deserialize_safe(p, plen);
  if (!bm)
    return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': malformed deletion vector", key);
  if (roaring_bitmap_get_cardinality(bm) != card ||
      (card && (uint64_t)roaring_bitmap_maximum(bm) >= frag_rows)) {
    roaring_bitmap_free(bm);
    return og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': deletion vector out of range", key);
  }
  *out = bm;
  return OG_OK;
}

og_status og_dv_load(og_store *st, const char *key, uint64_t frag_rows, roaring_bitmap_t **out,
                     og_error *err) {
  og_buf b = OG_BUF_INIT;
  og_status rc = og_store_get(st, key, &b, err);
  if (rc == OG_OK) rc = og_dv_decode(key, (const uint8_t *)b.ptr, b.len, frag_rows, out, err);
  og_buf_dispose(&b);
  return rc;
}
