/*
 * load — JSONL bulk load into one branch as ONE graph commit (spec data.md
 * §2–§5; user doc docs/load.md).
 *
 * Pipeline (streaming): records are classified in input order; each record
 * becomes one row of its type's in-memory batch (values converted and
 * validated on the way); a batch of `chunk_rows` rows is written as a table
 * fragment onto that table's running version (nothing is visible: the graph
 * manifest is only written at the end). After the last record: deferred
 * edge endpoints are resolved, @card is counted over each resulting edge
 * table, every touched table is staged and the graph commit is made
 * (operation "load"). Any error before the commit leaves the branch exactly
 * as it was (fragments already written are unreferenced garbage).
 *
 * Threads: the caller's thread frames, parses (load/jdom.h; plain edge
 * records straight from the text), converts and validates records into a
 * type's batch; a full batch goes to one background writer thread, which
 * encodes and writes the fragment (og_table_apply; large fragments encode
 * on helper threads of the table layer). The chunk's edge-endpoint checks
 * against the committed rows ("phase B", reading the batch only) are run
 * by whichever thread gets to them first: the writer after its write, or
 * the caller when it comes to wait for the writer. At most one chunk is in
 * flight; the caller waits for it (and its phase B) before reusing a
 * batch, reading a running table version (merge) and at the end. The first
 * chunk of a load is a quarter of chunk_rows so the writer starts early.
 *
 * Invariants:
 *  - Memory: at most 2 x chunk_rows buffered rows per type, plus per-type id
 *    sets (and @unique key sets) and, per committed node table that edge
 *    endpoints are checked against, a cache of answers (bounded: at most
 *    2^20 keys, 32 MiB of key bytes), never the whole input.
 *  - Only types present in the input are touched (all modes).
 *  - Ids are unique in every table the load writes: duplicates inside the
 *    input are errors (merge: the last row with an explicit id wins for
 *    keyless types and edges), append rejects ids that are already live,
 *    merge replaces them in place (row ids preserved).
 *  - Overwrite and merge-with-replacements stage their tables STRICT (a
 *    concurrent content change is OG_ECONFLICT); append stages non-strict.
 */
#ifndef OG_LOAD_H
#define OG_LOAD_H

#include "exec/write.h"
#include "load/jsonl.h"

typedef struct og_load_req {
  og_graph *graph;
  og_catalog_get_fn catalog; /* NULL → compile the stored schema */
  void *catalog_ctx;
  const char *branch;        /* NULL → main */
  og_load_mode mode;
  const char *actor;
  size_t chunk_rows;         /* 0 → 262144 */
  og_jsonl *reader;          /* the input */
  void (*before_commit)(void *ctx); /* test hook (see og_mutate_req) */
  void *hook_ctx;
} og_load_req;

og_status og_load_run(const og_load_req *req, og_load_result *out, og_error *err);

#endif
