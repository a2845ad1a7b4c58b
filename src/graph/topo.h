/*
 * topo — the persisted topology of an edge-table version (format:
 * docs/format-graph.md §topology).
 *
 * A topology object is a derived cache: the CSR/CSC adjacency the exec layer
 * builds for an edge-table version (exec/read_int.h og_csr), written once
 * after a large load so that the first traversal in a fresh process reads
 * it back instead of mapping every endpoint string. It is never required:
 * a missing, unreadable or mismatching object means "build it".
 *
 * Invariants:
 *  - Key: og_topo_key (one object per edge-table version, named by a hash
 *    of its descriptor key; the header names the descriptor in full, and a
 *    reader uses an object only when that name matches). It lives as long as
 *    its descriptor: cleanup deletes a topology whose descriptor no retained
 *    version references, verify checks the others.
 *  - The adjacency is in the dense spaces of the node-table versions named
 *    in the header (src_key, dst_key); readers with other node versions
 *    remap through the stored keys or rebuild.
 *  - Written with og_store_put_hint (no fsync): a torn object fails its
 *    checksums and is rebuilt, never trusted.
 */
#ifndef OG_GRAPH_TOPO_H
#define OG_GRAPH_TOPO_H

#include "store/store.h"

#define OG_TOPO_MAGIC 0x50544F47u /* "OGTP" */
#define OG_TOPO_FORMAT 1u

/* Section ids (1-based; 0 unused). */
enum {
  OG_TOPO_OUT_OFF = 1,  /* u64 × (nsrc + 1) */
  OG_TOPO_OUT_TGT = 2,  /* u32 × out_off[nsrc] (dst space) */
  OG_TOPO_OUT_ANY = 3,  /* u8 × nsrc */
  OG_TOPO_IN_OFF = 4,   /* u64 × (ndst + 1) */
  OG_TOPO_IN_TGT = 5,   /* u32 × in_off[ndst] (src space) */
  OG_TOPO_IN_ANY = 6,   /* u8 × ndst */
  OG_TOPO_SRC_KEYS = 7, /* u64 × (nsrc_live + 1) offsets, then the key bytes */
  OG_TOPO_DST_KEYS = 8, /* likewise; absent (len 0) when same */
  OG_TOPO_SRC_ROWIDS = 9, /* u64 × nsrc_live: row id of each live node, dense order */
  OG_TOPO_DST_ROWIDS = 10, /* likewise; absent when same */
  OG_TOPO_NSECT = 10
};

typedef struct og_topo_sect {
  uint64_t off, len, hash; /* hash: xxh3-64 of the section's bytes */
} og_topo_sect;

typedef struct og_topo_hdr {
  bool same;                           /* from type == to type: one node space */
  uint64_t nedges;                     /* stored (live) edges of the version */
  uint64_t nsrc_live, nsrc;            /* live nodes; space size incl. ghosts */
  uint64_t ndst_live, ndst;
  char *edge_key, *src_key, *dst_key;  /* descriptor keys (owned) */
  og_topo_sect sect[OG_TOPO_NSECT + 1];
  uint64_t size;                       /* object bytes (read) */
} og_topo_hdr;

/* One section's bytes as up to two pieces (offsets + blob for the keys). */
typedef struct og_topo_piece {
  const void *p[2];
  size_t n[2];
} og_topo_piece;

/* The topology key of an edge descriptor: "<table prefix>/topo/<16 hex
 * digits of xxh3(descriptor key)>" (descriptors may be store slices, so the
 * name cannot be derived from theirs); false when it cannot be formed. */
bool og_topo_key(og_buf *out, const char *table_prefix, const char *edge_desc_key);
/* Whether a store key names a topology object (cleanup, verify). */
bool og_topo_is_key(const char *key);

/* Encode and write (og_store_put_hint). h's counts and keys are used; the
 * section table is computed from `pieces` (index by section id). */
og_status og_topo_write(og_store *st, const char *key, const og_topo_hdr *h,
                        const og_topo_piece pieces[OG_TOPO_NSECT + 1], og_error *err);

/* Read and check the header (magic, format, checksum, counts, section
 * bounds). OG_ENOTFOUND when absent, OG_ECORRUPT / OG_EUNSUPPORTED else. */
og_status og_topo_read_header(og_store *st, const char *key, og_topo_hdr *out, og_error *err);
void og_topo_hdr_dispose(og_topo_hdr *h);
/* Read section `id` into dst (h->sect[id].len bytes) and check its hash. */
og_status og_topo_read_sect(og_store *st, const char *key, const og_topo_hdr *h, int id, void *dst,
                            og_error *err);

/* Full check of a topology object against its descriptor key (verify):
 * header, every section's hash, and the structure (offsets monotone and in
 * range, targets inside their space, flags 0/1, keys offsets well formed). */
og_status og_topo_check(og_store *st, const char *key, const char *edge_desc_key, og_error *err);

#endif
