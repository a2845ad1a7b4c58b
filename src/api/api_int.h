/*
 * api_int.h — private to the api layer: the og_db handle and services the
 * api_*.c files share.
 *
 * Invariants:
 *  - og_db owns one og_store reference and one og_graph; both live until
 *    og_db_close.
 *  - Compiled catalogs are cached per schema sha256 for the life of the
 *    handle (a catalog is immutable, so a pointer handed out stays valid
 *    until og_db_close). The cache is guarded by `lock`.
 */
#ifndef OG_API_INT_H
#define OG_API_INT_H

#include <pthread.h>

#include "graph/graph.h"
#include "lang/schema.h"
#include "omnigraph.h"
#include "store/store.h"

struct og_db {
  og_store *store;
  og_graph *graph;
  char *uri;
  pthread_mutex_t lock;
  og_map catalogs; /* schema sha256 -> og_catalog* */
  /* Read-side caches (topology indexes per edge-table version, ...), created
   * lazily by the exec layer under `lock`; freed with exec_cache_free. */
  void *exec_cache;
  void (*exec_cache_free)(void *cache);
};

/* The catalog of a snapshot's schema (borrowed until og_db_close). */
og_status og_db__catalog(og_db *db, og_snapshot *snap, const og_catalog **out, og_error *err);
og_graph *og_db__graph(og_db *db);
/* The store of the graph at `uri` for calls that need no og_db (verify,
 * recovery): settings checked, a missing graph reported as such. */
og_status og_db__open_store(const char *uri, og_store **st, og_error *err);
/* The read-side topology cache (og_xcache*, created on first use). */
void *og_db__xcache(og_db *db);

#endif
