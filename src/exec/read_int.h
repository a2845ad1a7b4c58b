/*
 * read_int.h — private to the exec read side: dense node indices and the
 * CSR/CSC topology (data.md §9, DESIGN.md §3.7).
 *
 * Invariants:
 *  - og_nodeidx: dense index 0..n-1 over the LIVE rows of one node-table
 *    version, in scan order; rowids[d] is the row id of dense d; by_rowid maps
 *    a row id back (UINT32_MAX when the row is not live). Ids are unique.
 *  - og_csr: adjacency of one edge-table version between the dense spaces of
 *    its endpoint node tables. Endpoint ids that are not live nodes
 *    ("dangling") get ghost indices >= the live count, so multi-hop paths may
 *    pass through them (§9.3) while they are never emitted. For a same-type
 *    edge the src and dst spaces are one space (ghosts shared).
 *    Neighbour lists are deduplicated (first occurrence, edge scan order) and
 *    same-type self loops dropped: traversal has set semantics (§5.2); nedges
 *    still counts the stored edges, out_any/in_any whether a node had any.
 *  - Both are immutable after build and refcounted by the cache.
 */
#ifndef OG_EXEC_READ_INT_H
#define OG_EXEC_READ_INT_H

#include "exec/read.h"

/* Open-addressing string → u32 table over ids stored in one blob. */
typedef struct og_idtab {
  uint64_t *slots; /* high 32 bits of the hash << 32 | index+1; 0 = empty */
  size_t mask;
  og_buf blob;
  OG_VEC(uint64_t) offs; /* n+1 offsets into blob */
  OG_VEC(uint64_t) hashes;
} og_idtab;

og_status og_idtab_init(og_idtab *t, size_t expect);
void og_idtab_dispose(og_idtab *t);
/* Index of id, or UINT32_MAX. */
uint32_t og_idtab_find(const og_idtab *t, const char *p, size_t n, uint64_t h);
/* Insert (must be absent); returns the new index. */
og_status og_idtab_add(og_idtab *t, const char *p, size_t n, uint64_t h, uint32_t *idx_out);

typedef struct og_nodeidx {
  char *key;          /* descriptor key of the node table version */
  size_t n;
  uint64_t *rowids;   /* n */
  uint32_t *by_rowid; /* nrowid */
  size_t nrowid;
  og_idtab ids;
  size_t bytes;       /* memory held (cache budget) */
  int refs;
  uint64_t last_use;
} og_nodeidx;

typedef struct og_csr {
  char *key;              /* edge desc | src desc | dst desc */
  bool same;              /* from type == to type */
  og_nodeidx *src, *dst;  /* referenced */
  size_t nsrc, ndst;      /* space sizes incl. ghosts */
  size_t nedges;
  uint64_t *out_off;      /* nsrc + 1 */
  uint32_t *out_tgt;      /* nedges (dst space) */
  uint64_t *in_off;       /* ndst + 1 */
  uint32_t *in_tgt;       /* nedges (src space) */
  uint8_t *out_any;       /* nsrc: the node has at least one out edge (before dedup) */
  uint8_t *in_any;        /* ndst */
  size_t bytes;
  int refs;
  uint64_t last_use;
} og_csr;

/* Get (build on miss) the dense index of a node table version. The result
 * is referenced; release with og_xcache_release_nodeidx. cache may be NULL. */
og_status og_xcache_nodeidx(og_xcache *c, og_table *t, og_nodeidx **out, og_error *err);
void og_xcache_release_nodeidx(og_xcache *c, og_nodeidx *n);
og_status og_xcache_csr(og_xcache *c, og_table *edges, og_table *src_nodes, og_table *dst_nodes,
                        og_csr **out, og_error *err);
void og_xcache_release_csr(og_xcache *c, og_csr *g);

#endif
