/*
 * table_int.h — private structures of the table layer. Formats are described
 * in docs/format-table.md; the constants below are the on-disk values.
 */
#ifndef OG_TABLE_INT_H
#define OG_TABLE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <roaring/roaring.h>

#include "table/table.h"

#define OG_FRAG_MAGIC 0x3146474fu   /* "OGF1" little-endian */
#define OG_FRAG_FORMAT 1u
#define OG_FRAG_TRAILER 20u         /* u32 footer_len, u64 footer_xxh3, u32 format, u32 magic */
#define OG_DV_MAGIC 0x5644474fu     /* "OGDV" */
#define OG_DV_FORMAT 1u
#define OG_KIDX_MAGIC 0x494b474fu   /* "OGKI" */
#define OG_KIDX_FORMAT 1u
#define OG_TVER_MAGIC 0x5654474fu   /* "OGTV" */
#define OG_TVER_FORMAT 1u

/* Column statistics flags (footer). */
#define OG_STAT_MIN 1u
#define OG_STAT_MAX 2u
#define OG_STAT_STR_MAX 64u /* string min/max are kept only when this short */

typedef struct og_colstats {
  uint8_t flags;     /* OG_STAT_* */
  /* numeric: min/max as i64 (signed ints, date, datetime, bool), u64 (U64),
   * or f64 (floats); strings: bytes */
  int64_t imin, imax;
  uint64_t umin, umax;
  double fmin, fmax;
  char *smin, *smax;
  size_t sminlen, smaxlen;
} og_colstats;

/* One page of a column (or of the row-id column) inside a fragment object. */
typedef struct og_pageinfo {
  uint64_t offset;   /* byte offset of the compressed page */
  uint32_t comp_len;
  uint32_t raw_len;
  uint64_t hash;     /* xxh3-64 of the compressed bytes */
  uint32_t rows;
  og_colstats st;    /* per-page min/max (column pages only) */
} og_pageinfo;


typedef struct og_colmeta {
  og_coltype type, elem;
  uint32_t dim;
  bool nullable;
  uint64_t null_count;
  og_colstats stats;
  og_pageinfo *pages;
  size_t npages;
} og_colmeta;

/* A parsed fragment footer. */
typedef struct og_footer {
  uint64_t rows;
  uint64_t object_size;
  og_colmeta *cols;
  size_t ncols;
  og_pageinfo rowid_page;
} og_footer;

/* A fragment as listed in a descriptor. */
typedef struct og_fragmeta {
  char *key;
  uint64_t rows;        /* physical rows in the fragment object */
  uint64_t min_rowid, max_rowid;
  uint64_t bytes;       /* object size */
  char *dv_key;         /* "" when nothing is deleted */
  uint64_t deleted;     /* cardinality of the deletion vector */
  char *kidx_key;       /* "" when the schema has no key column */
  /* runtime only (not encoded): */
  struct og_fragcache *fc;  /* shared lazily-loaded state; NULL until needed */
  roaring_bitmap_t *dv;     /* loaded/derived deletion vector (NULL = none) */
  bool dv_loaded;
} og_fragmeta;

/* A loaded key-index segment (immutable once built). */
typedef struct og_kidx {
  uint64_t rows;
  uint64_t n;
  const uint8_t *entries;   /* n × {u64 hash, u32 row} */
  const uint8_t *koffs;     /* (rows+1) × u64 */
  const uint8_t *kbytes;
  uint64_t kbytes_len;
  og_buf raw;               /* owns the bytes */
} og_kidx;

/* Lazily loaded per-fragment state (immutable once loaded), shared between
 * handles that list the same fragment (refcounted). */
typedef struct og_fragcache {
  atomic_long refs;
  atomic_size_t bytes;      /* decoded bytes held (for the process-wide budget) */
  pthread_mutex_t mu;
  og_footer *footer;        /* NULL until loaded */
  uint64_t *rowids;         /* footer->rows entries, NULL until loaded */
  og_kidx *kidx;            /* NULL until loaded */
} og_fragcache;

struct og_table {
  atomic_long refs;
  og_store *st;
  char *key;
  char *prefix;
  char *parent;
  og_table_schema schema;
  uint64_t version, content_version, live_rows, next_row_id;
  og_fragmeta *frags;
  size_t nfrags, frags_cap;
  pthread_mutex_t mu;       /* guards frags[].fc creation, dv loading, kmap */
  struct og_keymap *kmap;   /* whole-table key hash → (fragment, row), built
                               lazily when a handle serves repeated large
                               batch lookups */
  atomic_int big_lookups;   /* large batch lookups served so far */
};

/* Open-addressing table over every live row's key hash. */
typedef struct og_keyslot {
  uint64_t hash;
  uint32_t frag;            /* UINT32_MAX = empty */
  uint32_t row;
} og_keyslot;
typedef struct og_keymap {
  og_keyslot *slots;
  size_t mask;
} og_keymap;

/*---- column.c ----*/
/* Append rows sel[0..n) of src (sel NULL → rows 0..n). */
og_status og_column_take(og_column *dst, const og_column *src, const uint32_t *sel, size_t n);
size_t og_column_byte_estimate(const og_column *c, size_t row);
bool og_coltype_fixed(og_coltype t);
bool og_coltype_is_varlen(og_coltype t);
og_status og_colspec_check(const og_colspec *c, og_error *err);
/* Internal: reserve room for `rows` more rows in validity. */
og_status og_column_validity_push(og_column *c, bool valid);

/*---- fragment.c ----*/
/* Encode rows sel[0..n) of `b` (all schema columns, schema order) with ids
 * rowids[0..n) (ascending) into a fragment object; collect stats. */
og_status og_frag_encode(const og_table_schema *s, const og_batch *b, const uint32_t *sel,
                         size_t n, const uint64_t *rowids, const og_table_write_opts *o,
                         og_buf *out, og_error *err);
og_status og_footer_read(og_store *st, const char *key, og_footer **out, og_error *err);
og_status og_footer_parse(const char *key, const uint8_t *data, size_t len, uint64_t obj_size,
                          og_footer **out, og_error *err);
void og_footer_free(og_footer *f);
/* Check the footer against the schema (types match). */
og_status og_footer_check_schema(const char *key, const og_footer *f, const og_table_schema *s,
                                 og_error *err);
og_status og_frag_read_rowids(og_store *st, const char *key, const og_footer *f,
                              uint64_t **out, og_error *err);
/* Decode column `col` fully, appending to dst (initialised for that column). */
og_status og_frag_read_column(og_store *st, const char *key, const og_footer *f, size_t col,
                              og_column *dst, og_error *err);
/* The same with the caller's scratch buffers for the compressed span and a
 * decompressed page (a scan reuses them fragment after fragment instead of
 * allocating and faulting in megabytes each time). */
og_status og_frag_read_column_scratch(og_store *st, const char *key, const og_footer *f, size_t col,
                                      og_column *dst, og_buf *span, og_buf *raw, og_error *err);
/* Decode only the pages covering rows[0..n) (ascending offsets) and append
 * exactly those rows to dst, in order. */
og_status og_frag_read_rows(og_store *st, const char *key, const og_footer *f, size_t col,
                            const uint32_t *rows, size_t n, og_column *dst, og_error *err);

/* Recompute a decoded column's fragment and page min/max; mismatch → ECORRUPT. */
og_status og_frag_check_stats(const char *key, const og_colmeta *m, const og_column *col,
                              og_error *err);

/*---- dv.c ----*/
og_status og_dv_encode(const roaring_bitmap_t *bm, og_buf *out, og_error *err);
og_status og_dv_decode(const char *key, const uint8_t *data, size_t len, uint64_t frag_rows,
                       roaring_bitmap_t **out, og_error *err);
og_status og_dv_load(og_store *st, const char *key, uint64_t frag_rows, roaring_bitmap_t **out,
                     og_error *err);

/*---- kidx.c ----*/
typedef struct og_hashrow {
  uint64_t h;
  uint32_t r;
} og_hashrow;
/* Stable radix sort by h; *a may be replaced (same length). */
og_status og_hashrow_sort(og_hashrow **a, size_t n);
og_status og_kidx_encode(const og_column *keys, og_buf *out, og_error *err);
og_status og_kidx_parse(const char *key, og_buf *raw, uint64_t frag_rows, og_kidx **out,
                        og_error *err);
og_status og_kidx_load(og_store *st, const char *key, uint64_t frag_rows, og_kidx **out,
                       og_error *err);
void og_kidx_free(og_kidx *k);
/* Calls cb for every row offset whose key equals key; stops when cb returns false. */
typedef bool (*og_kidx_cb)(void *ctx, uint32_t row);
void og_kidx_find(const og_kidx *k, uint64_t hash, const char *key, size_t klen, og_kidx_cb cb,
                  void *ctx);
const char *og_kidx_key_at(const og_kidx *k, uint32_t row, size_t *len_out);

/*---- descriptor.c ----*/
og_status og_desc_encode(const og_table *t, og_buf *out, og_error *err);
og_status og_desc_encode_mapped(const og_table *t, og_table_key_map map, void *ctx, og_buf *out,
                                og_error *err);
/* Decode into t (fields key must already be set; fills the rest). */
og_status og_desc_decode(og_table *t, const uint8_t *data, size_t len, og_error *err);
void og_fragmeta_dispose(og_fragmeta *f);
void og_fragcache_release(og_fragcache *fc);

/*---- table.c internals (shared with scan.c / maint.c) ----*/
/* A new unsaved handle copying base (version base+1, same content version). */
og_status og_table_derive(og_table *base, og_table **out, og_error *err);
/* Store t's descriptor under a fresh key and set t->key. */
og_status og_table_save(og_table *t, og_error *err);
/* Lazily loaded, cached per-fragment state (borrowed; lives with the handle). */
og_status og_table_frag_footer(og_table *t, size_t i, const og_footer **out, og_error *err);
og_status og_table_frag_rowids(og_table *t, size_t i, const uint64_t **out, og_error *err);
og_status og_table_frag_kidx(og_table *t, size_t i, const og_kidx **out, og_error *err);
/* NULL *out when nothing is deleted in the fragment. */
og_status og_table_frag_dv(og_table *t, size_t i, const roaring_bitmap_t **out, og_error *err);
/* Live location of a row id; *frag_out = SIZE_MAX when not live. */
og_status og_table_locate(og_table *t, uint64_t rowid, size_t *frag_out, uint32_t *off_out,
                          og_error *err);
/* On an unsaved handle: add ids to in-memory deletion vectors (dirty[i] set). */
og_status og_table_mark_deleted(og_table *t, const uint64_t *ids, size_t n, bool ignore_missing,
                                bool *dirty, uint64_t *ndeleted_out, og_error *err);
/* Write dirty deletion vectors; drop fully deleted fragments. */
og_status og_table_flush_dvs(og_table *t, bool *dirty, og_error *err);
/* Write rows sel[0..n) of b (ids ascending) as new fragments of t. */
og_status og_table_write_rows(og_table *t, const og_batch *b, const uint32_t *sel, size_t n,
                              const uint64_t *ids, const og_table_write_opts *opts, og_error *err);
/* Indices 0..n-1 ordered by ids[]. */
og_status og_table_sort_by_id(const uint64_t *ids, size_t n, uint32_t **out, og_error *err);

/*---- shared helpers ----*/
og_status og_table_new_key(const char *prefix, const char *kind, char **out, og_error *err);
og_status og_zstd_compress(const void *src, size_t n, int level, og_buf *out, og_error *err);
og_status og_zstd_decompress(const char *key, const void *src, size_t n, size_t raw_len,
                             og_buf *out, og_error *err);

#endif
