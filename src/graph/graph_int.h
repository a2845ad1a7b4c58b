/*
 * graph_int.h — private to src/graph: object codecs, key builders and the
 * handle internals shared by graph.c, write.c and verify.c.
 */
#ifndef OG_GRAPH_INT_H
#define OG_GRAPH_INT_H

#include <pthread.h>

#include <jansson.h>

#include "graph/graph.h"

/* Key prefixes (docs/format-graph.md §1). */
#define OG_GK_LOG "log/"
#define OG_GK_HEAD "head/"
#define OG_GK_BRANCHES "branches/"
#define OG_GK_SCHEMA "schema/"
#define OG_GK_INTENTS "intents/"
#define OG_GK_RECOVERY "recovery/"

/* Fixed-size trailer appended by og_gseal: ,"checksum":"<16 hex>"} */
#define OG_GSEAL_TRAILER_LEN 31

/*---- keys ----*/
/* Branch name as a single key segment: '/' → '~' (injective: '~' is not a
 * legal name character). */
og_status og_gkey_name(og_buf *out, const char *name);
/* Inverse; false if the segment is not a valid encoded name. */
bool og_gkey_name_decode(const char *seg, size_t n, char *out, size_t cap);
og_status og_gkey_log(og_buf *out, const char *branch, uint64_t gen, uint64_t version);
og_status og_gkey_log_prefix(og_buf *out, const char *branch, uint64_t gen);
og_status og_gkey_head(og_buf *out, const char *branch);
og_status og_gkey_branch(og_buf *out, const char *branch, uint64_t gen);
/* Parse "log/<enc>@<gen>/<20 digits>". */
bool og_gkey_parse_log(const char *key, char *name_out, size_t cap, uint64_t *gen_out,
                       uint64_t *version_out);

/*---- sealed JSON objects ----*/
/* Canonical JSON (sorted keys, compact) + checksum trailer. */
og_status og_gseal(json_t *obj, og_buf *out, og_error *err);
/* Verify the checksum and parse. Corruption → OG_ECORRUPT naming `key`. */
og_status og_gunseal(const char *key, const char *data, size_t len, json_t **out,
                     og_error *err);

/*---- manifests ----*/
/* A manifest and the arena that owns every string of it. */
og_manifest *og_manifest_new(void);
og_arena *og_manifest_arena(og_manifest *m);
char *og_manifest_strdup(og_manifest *m, const char *s);
og_status og_manifest_encode(const og_manifest *m, og_buf *out, og_error *err);
/* A manifest object that carries embedded objects: [embedded bytes][sealed
 * JSON][u64 embedded length, u64 xxh3(embedded), u32 format, u32 "OGMC"].
 * Objects embedded at offset o with length n are named by the slice key
 * "<manifest key>#o+n" (docs/format-graph.md). No embedded bytes → a plain
 * sealed manifest, as og_manifest_encode writes. */
#define OG_GMC_MAGIC 0x434d474fu /* "OGMC" */
#define OG_GMC_FORMAT 1u
#define OG_GMC_TRAILER 24u
og_status og_manifest_encode_container(const og_manifest *m, const og_buf *embedded, og_buf *out,
                                       og_error *err);
og_status og_manifest_decode(const char *key, const char *data, size_t len, og_manifest **out,
                             og_error *err);
/* Deep copy (optionally with room for `extra_tables` more table entries). */
og_manifest *og_manifest_clone(const og_manifest *m, size_t extra_tables);
/* Read and decode one manifest. */
og_status og_manifest_load(og_store *st, const char *key, og_manifest **out, og_error *err);
og_status og_manifest_load_at(og_store *st, const char *branch, uint64_t gen,
                              uint64_t version, og_manifest **out, og_error *err);
/* Sort table entries by key; false if a key repeats. */
bool og_manifest_sort_tables(og_manifest *m);

/*---- head hints and branch records ----*/
og_status og_ghint_encode(uint64_t gen, uint64_t version, og_buf *out, og_error *err);
bool og_ghint_decode(const char *data, size_t len, uint64_t *gen, uint64_t *version);
og_status og_gbranch_record_encode(const char *name, uint64_t gen, og_buf *out, og_error *err);

/*---- handle internals ----*/
typedef struct og_gbranch_state {
  pthread_mutex_t mu;     /* serializes this process's writers of the branch */
  uint64_t gen;           /* last generation this handle committed on, 0 = none */
  uint64_t known_head;    /* last head this handle committed (same gen) */
  pthread_mutex_t cache_mu; /* protects `cached` (never held across I/O) */
  og_manifest *cached;    /* newest head manifest this handle has seen, or NULL */
} og_gbranch_state;

/* Open table versions shared by a graph handle and its snapshots, keyed by
 * descriptor key (descriptors are immutable, og_table handles are shareable):
 * a repeated read of the same version opens nothing. Bounded; refcounted
 * because snapshots may outlive their graph handle. */
typedef struct og_gtcache og_gtcache;
#define OG_GTCACHE_CAP 128
og_gtcache *og_gtcache_new(void);
og_gtcache *og_gtcache_ref(og_gtcache *c);
void og_gtcache_free(og_gtcache *c); /* drops one reference; NULL ok */
/* The table at `descriptor` (new reference), opened on a miss. */
og_status og_gtcache_get(og_gtcache *c, og_store *st, const char *descriptor, og_table **out,
                         og_error *err);
/* Offer an open table (e.g. one a commit just made visible). */
void og_gtcache_put(og_gtcache *c, og_table *t);

struct og_graph {
  og_store *st;
  unsigned flags;
  pthread_mutex_t mu;     /* protects `branches` */
  og_map branches;        /* name → og_gbranch_state* */
  og_gtcache *tables;     /* may be NULL (allocation failed): no caching */
};

struct og_snapshot {
  int refs;               /* atomic */
  og_store *st;
  og_manifest *m;
  pthread_mutex_t mu;     /* protects `tables` */
  og_table **tables;      /* lazily opened, parallel to m->tables */
  og_gtcache *tc;         /* shared table cache or NULL */
  bool past;              /* opened as a past version (time travel) */
};
/* Attach a graph handle's table cache to a snapshot (before sharing it). */
void og_snapshot_attach(og_snapshot *s, og_graph *g);

/* A resolved branch head. */
typedef struct og_ghead {
  uint64_t gen;
  uint64_t version;
  og_manifest *m;         /* owned */
} og_ghead;

/* Find the live generation and head of `branch` (G3). `deleted_ok` returns a
 * deleted head instead of OG_ENOTFOUND. */
og_status og_graph_resolve(og_store *st, const char *branch, bool deleted_ok, og_ghead *out,
                           og_error *err);
/* Head of a known generation, starting the forward probe at `from` (a
 * version known or believed to exist; 0 = use the hint). */
og_status og_graph_resolve_gen(og_store *st, const char *branch, uint64_t gen, uint64_t from,
                               og_ghead *out, og_error *err);
og_gbranch_state *og_graph_branch_state(og_graph *g, const char *branch);
/* Head lookup through the handle's cache: when this handle has seen head v
 * of the branch, one head() probe of v+1 confirms it (warm reads cost one
 * store op); otherwise og_graph_resolve. Never returns a deleted head. */
og_status og_graph_resolve_warm(og_graph *g, const char *branch, og_ghead *out, og_error *err);
/* Remember `m` (copied) as a head this handle has seen, if it is newer. */
void og_graph_cache_head(og_graph *g, const char *branch, const og_manifest *m);
void og_graph_cache_drop(og_graph *g, const char *branch);
og_status og_snapshot_wrap(og_store *st, og_manifest *m, og_snapshot **out, og_error *err);
/* Store a schema blob as "schema/<sha256>" (EEXISTS is success); fills
 * `sha` and appends the key to `key`. */
og_status og_graph_put_schema(og_store *st, const void *blob, size_t len, char sha[65],
                              og_buf *key, og_error *err);
/* The commit point: put_if_absent of a manifest. An I/O error (outcome
 * unknown) is resolved by re-reading the key: our commit id → OG_OK, another
 * → OG_EEXISTS, absent → the original error. */
og_status og_graph_publish(og_store *st, const char *key, const og_buf *body,
                           const char *commit_id, og_error *err);
/* Best-effort head hint write. */
void og_graph_write_hint(og_store *st, const char *branch, uint64_t gen, uint64_t version);
/* Jitter sleep before retry `attempt` (0-based). */
void og_graph_backoff(unsigned attempt);

/*---- write intents (intent.c) ----*/
typedef struct og_gintent {
  char id[OG_ULID_LEN + 1];
  char key[64];
  char *op, *branch;
  uint64_t gen, base;
  char *schema_key;       /* a schema object this write is about to create */
  char *record_key;       /* the branch record a branch create writes */
  uint64_t lease_expiry;
  bool written;           /* the intent object exists (og_gintent_write) */
} og_gintent;
uint64_t og_gintent_lease_ms(void);
/* An intent named now (its ULID time bounds every object the write will
 * create) but not yet written: a write that may create nothing but its
 * commit object writes it only before its first other object. */
og_status og_gintent_prepare(const char *op, const char *branch, uint64_t gen, uint64_t base,
                             const char *record_key, og_gintent **out, og_error *err);
/* Write a prepared intent (once; OG_OK when already written). */
og_status og_gintent_write(og_store *st, og_gintent *in, og_error *err);
/* Prepare and write (durable before any object of the write). */
og_status og_gintent_begin(og_store *st, const char *op, const char *branch, uint64_t gen,
                           uint64_t base, const char *record_key, og_gintent **out,
                           og_error *err);
/* Name a schema object in the intent before creating it (no-op for an
 * intent not written). */
og_status og_gintent_record_schema(og_store *st, og_gintent *in, const char *schema_key,
                                   og_error *err);
/* Before the commit point: refuse an expired lease, renew a half-spent one. */
og_status og_gintent_check_lease(og_store *st, og_gintent *in, og_error *err);
/* Finish: clean → delete the intent; otherwise mark it abandoned so the next
 * recovery reclaims what the write left. Frees `in` (NULL ok). */
void og_gintent_end(og_store *st, og_gintent *in, bool clean);
/* Leave the intent with `state` ("abandoned", "sweep": committed but left
 * superseded objects) for the next recovery; NULL = delete it. */
void og_gintent_end_state(og_store *st, og_gintent *in, const char *state);
void og_gintent_free(og_gintent *in);

#endif
