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
 *  - Both are refcounted by the cache. An og_nodeidx is immutable after
 *    build; an og_csr only gains directions (og_csr_need), never changes one.
 */
#ifndef OG_EXEC_READ_INT_H
#define OG_EXEC_READ_INT_H

#include <pthread.h>

#include "exec/read.h"

/* Open-addressing id -> dense index table. A slot carries the first 8 bytes
 * of its id, so ids of up to 8 bytes (the common case) are matched without
 * touching the blob: one cache miss per lookup, which the bulk mapping
 * prefetches. Ids are kept in one blob, offs[k]..offs[k+1] for index k. */
typedef struct og_idslot {
  uint64_t word; /* first min(len, 8) bytes, little-endian, zero padded */
  uint32_t tag;  /* hash bits << 8 | min(len, 255) */
  uint32_t idx1; /* index + 1; 0 = empty */
} og_idslot;

typedef struct og_idtab {
  og_idslot *slots;
  size_t mask;
  size_t count;
  og_buf blob;
  OG_VEC(uint64_t) offs; /* count+1 offsets into blob */
} og_idtab;

og_status og_idtab_init(og_idtab *t, size_t expect);
void og_idtab_dispose(og_idtab *t);
/* Index of id, or UINT32_MAX. */
uint32_t og_idtab_find(const og_idtab *t, const char *p, size_t n);
/* Insert (must be absent); returns the new index. */
og_status og_idtab_add(og_idtab *t, const char *p, size_t n, uint32_t *idx_out);

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

/* Directions of an og_csr (og_csr_need). */
#define OG_CSR_OUT 1u
#define OG_CSR_IN 2u

typedef struct og_csr {
  char *key;              /* edge desc | src desc | dst desc */
  bool same;              /* from type == to type */
  og_nodeidx *src, *dst;  /* referenced */
  size_t nsrc, ndst;      /* space sizes incl. ghosts */
  size_t nedges;
  /* Each direction is built on first need (og_csr_need) from the mapped
   * endpoints es/ed (per stored edge, scan order), which are dropped once
   * both directions exist. Fields of a direction are NULL until built and
   * immutable after. */
  pthread_mutex_t mu;     /* serializes the lazy builds */
  unsigned built;         /* OG_CSR_OUT | OG_CSR_IN */
  uint32_t *es, *ed;      /* nedges */
  uint64_t *out_off;      /* nsrc + 1 */
  uint32_t *out_tgt;      /* (dst space) */
  uint64_t *in_off;       /* ndst + 1 */
  uint32_t *in_tgt;       /* (src space) */
  uint8_t *out_any;       /* nsrc: the node has at least one out edge (before dedup) */
  uint8_t *in_any;        /* ndst */
  size_t bytes;           /* under the cache lock once cached */
  int refs;
  uint64_t last_use;
} og_csr;

/* Builds use a second thread from this many stored edges on (tests lower it). */
extern size_t og_csr_parallel_min;

/* Get (build on miss) the dense index of a node table version. The result
 * is referenced; release with og_xcache_release_nodeidx. cache may be NULL. */
og_status og_xcache_nodeidx(og_xcache *c, og_table *t, og_nodeidx **out, og_error *err);
void og_xcache_release_nodeidx(og_xcache *c, og_nodeidx *n);
/* Get (map on miss) the topology of an edge table version between its
 * endpoint tables, with at least the directions in `dirs` built (0: none yet,
 * the dense spaces only). Referenced; release with og_xcache_release_csr. */
og_status og_xcache_csr(og_xcache *c, og_table *edges, og_table *src_nodes, og_table *dst_nodes,
                        unsigned dirs, og_csr **out, og_error *err);
/* Build the missing directions of `dirs` (thread-safe; c as for the get). */
og_status og_csr_need(og_xcache *c, og_csr *g, unsigned dirs, og_error *err);
void og_xcache_release_csr(og_xcache *c, og_csr *g);
/* og_exec_topo_persist on resolved tables. */
og_status og_xcache_topo_persist(og_xcache *c, og_table *edges, og_table *src_nodes, og_table *dst_nodes,
                                 og_error *err);

#endif
