/*
 * read.h — the read side of exec: query execution over one pinned graph
 * snapshot, typed results, their JSON / CLI renderings, and export
 * (spec languages.md §5, §8; data.md §6, §8, §9, §14).
 *
 * Invariants:
 *  - A query reads exactly one og_snapshot (snapshot isolation): every
 *    table it touches is the version that snapshot names.
 *  - Topology (CSR out / CSC in adjacency) is built per edge-table version
 *    on first use and cached in an og_xcache keyed by the descriptor keys of
 *    the edge table and its endpoint node tables: a new version of any of
 *    them simply misses. Cached entries are immutable and refcounted; the
 *    cache is thread-safe (own mutex) and bounded: unused entries are
 *    dropped least recently used first beyond 16 entries or 256 MiB.
 *  - Results own all their memory (one arena); strings are copied out of
 *    table batches before the query's tables are released.
 *  - Search operators (nearest / bm25 / rrf / search / fuzzy / match_text)
 *    are rejected at execution with OG_EUNSUPPORTED naming the function.
 */
#ifndef OG_EXEC_READ_H
#define OG_EXEC_READ_H

#include "exec/exec.h"
#include "lang/query.h"

/*==================== values ====================*/

typedef enum og_xkind {
  OG_XV_NULL = 0, OG_XV_BOOL, OG_XV_INT, OG_XV_UINT, OG_XV_FLOAT, OG_XV_STRING, OG_XV_DATE,
  OG_XV_DATETIME, OG_XV_LIST
} og_xkind;

typedef struct og_xval {
  og_xkind kind;
  bool f32;      /* FLOAT read from an F32 column: compared at f32 precision against
                  * other floats, so `ratio = 0.1` matches a stored 0.1f */
  union {
    bool b;
    int64_t i;   /* INT; DATE = days; DATETIME = ms since the epoch (UTC) */
    uint64_t u;  /* UINT */
    double f;    /* FLOAT (F32 widened) */
    struct { const char *p; size_t n; } s;
    struct { const struct og_xval *items; size_t n; } l;
  } v;
} og_xval;

/* Three-valued comparison: false when either side is null or the kinds are
 * incomparable; else *cmp_out = -1/0/1. Numbers compare numerically across
 * int/uint/float (no truncation: 30 < 30.5); strings by bytes; Date and
 * DateTime chronologically (a Date is its midnight). */
bool og_xval_cmp(const og_xval *a, const og_xval *b, int *cmp_out);
/* Total order for sorting (null smallest; kinds ordered by kind). */
int og_xval_order(const og_xval *a, const og_xval *b);
/* Deep copy into an arena. */
og_status og_xval_copy(og_arena *a, const og_xval *in, og_xval *out);
/* Query-result JSON ("Rust" native integers): Date "YYYY-MM-DD", DateTime
 * "YYYY-MM-DDTHH:MM:SS.mmmZ", floats shortest round trip (30.0), NaN/Inf as
 * strings. */
og_status og_xval_json(og_buf *b, const og_xval *v);
/* CLI cell text: null → "null", strings and dates raw, the rest as JSON. */
og_status og_xval_text(og_buf *b, const og_xval *v);
/* Shortest round-trip decimal of a double, always with '.' or an exponent
 * ("100.0", "37.5", "1e21", "1.5e-7"). Non-finite → "NaN"/"inf"/"-inf". */
void og_fmt_f64(double d, char out[40]);
void og_fmt_date(int64_t days, char out[32]);
/* "YYYY-MM-DDTHH:MM:SS.mmmZ" (query) */
void og_fmt_datetime(int64_t ms, char out[40]);

/*==================== results ====================*/

typedef struct og_xresult {
  og_arena arena;
  size_t ncols;
  const char **names;
  size_t nrows;
  og_xval *cells;   /* nrows × ncols, row-major */
} og_xresult;

void og_xresult_free(og_xresult *r);

/*==================== topology cache ====================*/

typedef struct og_xcache og_xcache;
og_xcache *og_xcache_new(void);
void og_xcache_free(void *cache); /* matches og_db.exec_cache_free */
typedef struct og_xcache_stats {
  uint64_t nodeidx_builds, nodeidx_hits, csr_builds, csr_hits;
  uint64_t csr_loads; /* of csr_builds: read from a persisted topology */
  size_t entries;
  size_t bytes; /* memory held by cached entries */
} og_xcache_stats;
void og_xcache_get_stats(og_xcache *c, og_xcache_stats *out);

/* Persist the topology of `edge_type` in `snap` (graph/topo.h), building it
 * into the cache first (cache may be NULL). A large load calls it after its
 * commit, so a fresh process's first traversal reads the adjacency instead
 * of building it. Nothing is written when the edge table's descriptor has no
 * topology key or the object exists. */
og_status og_exec_topo_persist(og_xcache *cache, og_snapshot *snap, const og_catalog *cat, const char *edge_type,
                               og_error *err);
/* Loads persist the topology of an edge type from this many loaded edges
 * on, and reads look for one from this many stored edges on (tests lower
 * it; default 65536: small writes never pay for it). */
extern size_t og_topo_persist_min;

/*==================== execution ====================*/

/* Run a lowered read query on a snapshot. `params` must already hold every
 * declared param and the now() value (og_qparams_set_now). `cache` may be
 * NULL (topology built for this query only). */
og_status og_exec_read(og_xcache *cache, og_snapshot *snap, const og_qir *ir,
                       const og_qparams *params, og_xresult **out, og_error *err);

/*==================== export ====================*/

typedef og_status (*og_xwrite_fn)(void *ctx, const char *data, size_t len, og_error *err);

/* NDJSON export of a snapshot (data.md §6.2). `schema_src` (may be NULL)
 * gives the declaration order of properties; without it catalog order is
 * used. types/tables select per §6.1 (both empty → every table). */
og_status og_exec_export(og_snapshot *snap, const og_catalog *cat, const char *schema_src,
                         size_t schema_len, const char *const *types, size_t ntypes,
                         const char *const *tables, size_t ntables, og_xwrite_fn fn, void *ctx,
                         og_error *err);

#endif
