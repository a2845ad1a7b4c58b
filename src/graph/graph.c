/* Graph handles, head lookup, snapshots, history, branches, init and open
 * (DESIGN.md §3.2, §3.6; docs/architecture.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph/graph_int.h"
#include "graph/maint.h"

/*==================== probes and head lookup ====================*/

static og_status probe_key(og_store *st, const char *key, bool *exists, og_error *err) {
  uint64_t sz = 0;
  og_status rc = og_store_head(st, key, &sz, err);
  if (rc == OG_OK) {
    *exists = true;
    return OG_OK;
  }
  if (rc == OG_ENOTFOUND) {
    og_err_clear(err);
    *exists = false;
    return OG_OK;
  }
  return rc;
}

/* gen == 0: probe generation `x` (its version 1); else probe version x of gen. */
static og_status probe_pos(og_store *st, const char *branch, uint64_t gen, uint64_t x,
                           bool *exists, og_error *err) {
  og_buf k = OG_BUF_INIT;
  og_status rc = gen ? og_gkey_log(&k, branch, gen, x) : og_gkey_log(&k, branch, x, 1);
  if (rc == OG_OK) rc = probe_key(st, k.ptr, exists, err);
  else rc = og_err_oom(err);
  og_buf_dispose(&k);
  return rc;
}

/* Largest x >= lo that exists, given that lo exists and presence is
 * prefix-closed (G2). Steady state (lo is the head): one probe. */
static og_status gallop(og_store *st, const char *branch, uint64_t gen, uint64_t lo,
                        uint64_t *out, og_error *err) {
  og_status rc = OG_OK;
  uint64_t step = 1, hi;
  for (;;) {
    bool ex = false;
    uint64_t x = lo + step;
    if ((rc = probe_pos(st, branch, gen, x, &ex, err)) != OG_OK) return rc;
    if (!ex) {
      hi = x;
      break;
    }
    lo = x;
    step *= 2;
  }
  while (hi - lo > 1) {
    bool ex = false;
    uint64_t mid = lo + (hi - lo) / 2;
    if ((rc = probe_pos(st, branch, gen, mid, &ex, err)) != OG_OK) return rc;
    if (ex) lo = mid;
    else hi = mid;
  }
  *out = lo;
  return OG_OK;
}

/* Slow path when version 1 is gone (e.g. removed by a future cleanup) and
 * there is no usable hint: list the incarnation's log. */
static og_status list_max_version(og_store *st, const char *branch, uint64_t gen,
                                  uint64_t *out, og_error *err) {
  og_buf p = OG_BUF_INIT;
  og_keylist kl = {0};
  og_status rc = og_gkey_log_prefix(&p, branch, gen);
  if (rc != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  if ((rc = og_store_list(st, p.ptr, &kl, err)) != OG_OK) goto cleanup;
  *out = 0;
  for (size_t i = 0; i < kl.count; i++) {
    char name[OG_GRAPH_BRANCH_NAME_MAX + 1];
    uint64_t g, v;
    if (og_gkey_parse_log(kl.keys[i], name, sizeof name, &g, &v) && g == gen && v > *out)
      *out = v;
  }
cleanup:
  og_keylist_dispose(&kl);
  og_buf_dispose(&p);
  return rc;
}

static og_status read_hint(og_store *st, const char *branch, uint64_t *gen, uint64_t *ver,
                           bool *found, og_error *err) {
  og_buf k = OG_BUF_INIT, b = OG_BUF_INIT;
  *found = false;
  og_status rc = og_gkey_head(&k, branch);
  if (rc != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  rc = og_store_get(st, k.ptr, &b, err);
  if (rc == OG_ENOTFOUND) {
    og_err_clear(err);
    rc = OG_OK;
    goto cleanup;
  }
  if (rc != OG_OK) goto cleanup;
  /* a corrupt hint is only a missing hint */
  *found = og_ghint_decode(b.ptr ? b.ptr : "", b.len, gen, ver);
cleanup:
  og_buf_dispose(&k);
  og_buf_dispose(&b);
  return rc;
}

static void ghead_dispose(og_ghead *h) {
  og_manifest_free(h->m);
  h->m = NULL;
}

og_status og_graph_resolve_gen(og_store *st, const char *branch, uint64_t gen, uint64_t from,
                               og_ghead *out, og_error *err) {
  og_status rc = OG_OK;
  uint64_t v = 0;
  memset(out, 0, sizeof *out);
  if (from == 0) from = 1;
  for (int pass = 0; pass < 2; pass++) {
    if ((rc = gallop(st, branch, gen, from, &v, err)) != OG_OK) return rc;
    rc = og_manifest_load_at(st, branch, gen, v, &out->m, err);
    if (rc != OG_ENOTFOUND) break;
    if (from == 1) {
      /* version 1 absent: either no such incarnation or its base was removed */
      og_err_clear(err);
      if ((rc = list_max_version(st, branch, gen, &v, err)) != OG_OK) return rc;
      if (v == 0) break;
      rc = og_manifest_load_at(st, branch, gen, v, &out->m, err);
      break;
    }
    /* the starting point did not exist (a bogus hint): start over from the base */
    og_err_clear(err);
    from = 1;
  }
  if (rc == OG_ENOTFOUND || (rc == OG_OK && !out->m))
    return og_err_set(err, OG_ENOTFOUND, "branch '%s' not found", branch);
  if (rc != OG_OK) return rc;
  out->gen = gen;
  out->version = v;
  return OG_OK;
}

/* The live (highest) generation of `name`; 0 when the name never existed.
 * `hint_gen` (0 = none) is only a starting point and is verified when
 * `verify_hint` is set. */
static og_status top_generation(og_store *st, const char *branch, uint64_t hint_gen,
                                bool verify_hint, uint64_t *out, og_error *err) {
  og_status rc;
  bool ex = false;
  if (strcmp(branch, OG_GRAPH_MAIN) == 0) {
    *out = 1;
    return OG_OK;
  }
  if (hint_gen && verify_hint) {
    if ((rc = probe_pos(st, branch, 0, hint_gen, &ex, err)) != OG_OK) return rc;
    if (!ex) hint_gen = 0;
  }
  if (!hint_gen) {
    if ((rc = probe_pos(st, branch, 0, 1, &ex, err)) != OG_OK) return rc;
    if (!ex) {
      *out = 0;
      return OG_OK;
    }
    hint_gen = 1;
  }
  return gallop(st, branch, 0, hint_gen, out, err);
}

og_status og_graph_resolve(og_store *st, const char *branch, bool deleted_ok, og_ghead *out,
                           og_error *err) {
  og_status rc;
  uint64_t hg = 0, hv = 0, gen = 0;
  bool hint = false;
  memset(out, 0, sizeof *out);
  if (!og_graph_branch_name_valid(branch))
    return og_err_set(err, OG_EINVAL, "invalid branch name '%s'", branch ? branch : "(null)");
  if ((rc = read_hint(st, branch, &hg, &hv, &hint, err)) != OG_OK) return rc;
  for (int pass = 0; pass < 2; pass++) {
    bool use = hint && pass == 0;
    if ((rc = top_generation(st, branch, use ? hg : 0, false, &gen, err)) != OG_OK) return rc;
    if (gen == 0) return og_err_set(err, OG_ENOTFOUND, "branch '%s' not found", branch);
    rc = og_graph_resolve_gen(st, branch, gen, use && hg == gen ? hv : 1, out, err);
    if (rc != OG_ENOTFOUND || !use) break;
    og_err_clear(err); /* the hint named a generation that does not exist */
  }
  if (rc != OG_OK) return rc;
  if (out->m->deleted && !deleted_ok) {
    ghead_dispose(out);
    return og_err_set(err, OG_ENOTFOUND, "branch '%s' not found (deleted)", branch);
  }
  return OG_OK;
}

og_status og_graph_publish(og_store *st, const char *key, const og_buf *body,
                           const char *commit_id, og_error *err) {
  og_status put_rc = og_store_put_if_absent(st, key, body->ptr, body->len, err);
  if (put_rc != OG_EIO && put_rc != OG_EFULL) return put_rc;
  /* outcome unknown (store.h S5): re-read to learn whether the create landed */
  og_manifest *m = NULL;
  og_error e2 = OG_ERROR_INIT;
  og_status rc = og_manifest_load(st, key, &m, &e2);
  if (rc == OG_OK) {
    bool ours = strcmp(m->commit.commit_id, commit_id) == 0;
    og_manifest_free(m);
    if (ours) {
      og_err_clear(err);
      return OG_OK;
    }
    return og_err_set(err, OG_EEXISTS, "graph: '%s' was created by another writer", key);
  }
  if (rc == OG_ENOTFOUND) og_err_prefix(err, "commit not applied (nothing visible)");
  else og_err_prefix(err, "commit outcome unknown — re-read the branch before retrying");
  return put_rc;
}

void og_graph_write_hint(og_store *st, const char *branch, uint64_t gen, uint64_t version) {
  og_buf k = OG_BUF_INIT, b = OG_BUF_INIT;
  if (og_gkey_head(&k, branch) == OG_OK && og_ghint_encode(gen, version, &b, NULL) == OG_OK)
    (void)og_store_overwrite_hint(st, k.ptr, b.ptr, b.len, NULL); /* a lagging, lost or torn hint is fine */
  og_buf_dispose(&k);
  og_buf_dispose(&b);
}

void og_graph_backoff(unsigned attempt) {
  uint32_t r = 0;
  (void)og_random_bytes(&r, sizeof r);
  uint64_t cap_us = 1000ull << (attempt < 5 ? attempt : 5); /* up to 32 ms */
  uint64_t us = 100 + r % cap_us;
  struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
  nanosleep(&ts, NULL);
}

/*==================== handles ====================*/

static og_status graph_new(og_store *st, unsigned flags, og_graph **out, og_error *err) {
  og_graph *g = og_calloc(1, sizeof *g);
  if (!g) return og_err_oom(err);
  g->st = og_store_ref(st);
  g->flags = flags;
  g->tables = og_gtcache_new();
  pthread_mutex_init(&g->mu, NULL);
  *out = g;
  return OG_OK;
}

void og_graph_free(og_graph *g) {
  if (!g) return;
  size_t pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(&g->branches, &pos))) {
    og_gbranch_state *bs = e->value;
    og_manifest_free(bs->cached);
    pthread_mutex_destroy(&bs->mu);
    pthread_mutex_destroy(&bs->cache_mu);
    og_free(bs);
  }
  og_map_dispose(&g->branches);
  og_gtcache_free(g->tables);
  pthread_mutex_destroy(&g->mu);
  og_store_free(g->st);
  og_free(g);
}

og_store *og_graph_store(og_graph *g) { return g->st; }

og_gbranch_state *og_graph_branch_state(og_graph *g, const char *branch) {
  og_gbranch_state *bs = NULL;
  pthread_mutex_lock(&g->mu);
  void *v = NULL;
  if (og_map_sget(&g->branches, branch, &v)) {
    bs = v;
  } else if ((bs = og_calloc(1, sizeof *bs))) {
    pthread_mutex_init(&bs->mu, NULL);
    pthread_mutex_init(&bs->cache_mu, NULL);
    if (og_map_sput(&g->branches, branch, bs) != OG_OK) {
      pthread_mutex_destroy(&bs->mu);
      pthread_mutex_destroy(&bs->cache_mu);
      og_free(bs);
      bs = NULL;
    }
  }
  pthread_mutex_unlock(&g->mu);
  return bs;
}

void og_graph_cache_head(og_graph *g, const char *branch, const og_manifest *m) {
  og_gbranch_state *bs = og_graph_branch_state(g, branch);
  if (!bs || m->deleted) return;
  pthread_mutex_lock(&bs->cache_mu);
  const og_manifest *c = bs->cached;
  if (!c || c->generation < m->generation ||
      (c->generation == m->generation && c->version < m->version)) {
    og_manifest *copy = og_manifest_clone(m, 0);
    if (copy) { /* a failed copy only costs the next read a cold lookup */
      og_manifest_free(bs->cached);
      bs->cached = copy;
    }
  }
  pthread_mutex_unlock(&bs->cache_mu);
}

void og_graph_cache_drop(og_graph *g, const char *branch) {
  og_gbranch_state *bs = og_graph_branch_state(g, branch);
  if (!bs) return;
  pthread_mutex_lock(&bs->cache_mu);
  og_manifest_free(bs->cached);
  bs->cached = NULL;
  pthread_mutex_unlock(&bs->cache_mu);
}

og_status og_graph_resolve_warm(og_graph *g, const char *branch, og_ghead *out, og_error *err) {
  og_status rc = OG_OK;
  og_manifest *m = NULL;
  memset(out, 0, sizeof *out);
  if (!og_graph_branch_name_valid(branch))
    return og_err_set(err, OG_EINVAL, "invalid branch name '%s'", branch ? branch : "(null)");
  og_gbranch_state *bs = og_graph_branch_state(g, branch);
  if (bs) {
    pthread_mutex_lock(&bs->cache_mu);
    if (bs->cached) m = og_manifest_clone(bs->cached, 0);
    pthread_mutex_unlock(&bs->cache_mu);
  }
  if (m) {
    /* the cached version exists (manifests are immutable); one probe of the
     * next version says whether it is still the head. A deletion (and so any
     * re-creation) of the incarnation shows up as a newer version. */
    uint64_t v = 0;
    rc = gallop(g->st, branch, m->generation, m->version, &v, err);
    if (rc == OG_OK && v == m->version) {
      out->gen = m->generation;
      out->version = v;
      out->m = m;
      return OG_OK;
    }
    uint64_t gen = m->generation;
    og_manifest_free(m);
    m = NULL;
    if (rc != OG_OK) return rc;
    rc = og_manifest_load_at(g->st, branch, gen, v, &out->m, err);
    if (rc == OG_OK && !out->m->deleted) {
      out->gen = gen;
      out->version = v;
      og_graph_cache_head(g, branch, out->m);
      return OG_OK;
    }
    if (rc != OG_OK && rc != OG_ENOTFOUND) return rc;
    ghead_dispose(out); /* deleted (maybe re-created since): full lookup */
    og_err_clear(err);
  }
  if ((rc = og_graph_resolve(g->st, branch, false, out, err)) != OG_OK) return rc;
  og_graph_cache_head(g, branch, out->m);
  return OG_OK;
}

og_status og_graph_open(og_store *st, unsigned flags, og_graph **out, og_error *err) {
  og_ghead h;
  *out = NULL;
  og_status rc = og_graph_resolve(st, OG_GRAPH_MAIN, false, &h, err);
  if (rc == OG_ENOTFOUND)
    return og_err_set(err, OG_ENOTFOUND, "no graph in store %s", og_store_describe(st));
  if (rc != OG_OK) return rc;
  rc = graph_new(st, flags, out, err);
  if (rc == OG_OK) og_graph_cache_head(*out, OG_GRAPH_MAIN, h.m);
  ghead_dispose(&h);
  /* resolve what crashed writers left (best effort: a failure leaves the
   * intents for the next open; a read-only open never writes) */
  if (rc == OG_OK && !(flags & OG_GRAPH_READ_ONLY)) (void)og_graph_recover(st, NULL, NULL, NULL);
  return rc;
}

/*==================== snapshots ====================*/

struct og_gtcache {
  int refs; /* atomic */
  pthread_mutex_t mu;
  og_map map;             /* descriptor key → og_table* (one reference each) */
  char *ring[OG_GTCACHE_CAP]; /* insertion order for eviction (map keys, borrowed) */
  size_t next;
};

og_gtcache *og_gtcache_new(void) {
  og_gtcache *c = og_calloc(1, sizeof *c);
  if (!c) return NULL;
  c->refs = 1;
  pthread_mutex_init(&c->mu, NULL);
  return c;
}

og_gtcache *og_gtcache_ref(og_gtcache *c) {
  if (c) __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
  return c;
}

void og_gtcache_free(og_gtcache *c) {
  if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
  size_t pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(&c->map, &pos))) og_table_free(e->value);
  og_map_dispose(&c->map);
  for (size_t i = 0; i < OG_GTCACHE_CAP; i++) og_free(c->ring[i]);
  pthread_mutex_destroy(&c->mu);
  og_free(c);
}

/* Insert under c->mu; evicts the oldest entry when full. Takes a reference. */
static void gtcache_insert_locked(og_gtcache *c, og_table *t) {
  const char *key = og_table_key(t);
  if (og_map_sget(&c->map, key, NULL)) return;
  char *slot_key = og_strdup(key);
  if (!slot_key) return;
  char *old = c->ring[c->next];
  if (old) {
    void *v = NULL;
    if (og_map_sget(&c->map, old, &v)) {
      og_map_remove(&c->map, old, strlen(old), NULL);
      og_table_free(v);
    }
    og_free(old);
    c->ring[c->next] = NULL;
  }
  if (og_map_sput(&c->map, slot_key, og_table_ref(t)) != OG_OK) {
    og_table_free(t);
    og_free(slot_key);
    return;
  }
  c->ring[c->next] = slot_key;
  c->next = (c->next + 1) % OG_GTCACHE_CAP;
}

og_status og_gtcache_get(og_gtcache *c, og_store *st, const char *descriptor, og_table **out,
                         og_error *err) {
  void *v = NULL;
  pthread_mutex_lock(&c->mu);
  if (og_map_sget(&c->map, descriptor, &v)) {
    *out = og_table_ref(v);
    pthread_mutex_unlock(&c->mu);
    return OG_OK;
  }
  pthread_mutex_unlock(&c->mu);
  og_table *t = NULL; /* open outside the lock: it is I/O */
  og_status rc = og_table_open(st, descriptor, &t, err);
  if (rc != OG_OK) return rc;
  pthread_mutex_lock(&c->mu);
  gtcache_insert_locked(c, t);
  pthread_mutex_unlock(&c->mu);
  *out = t;
  return OG_OK;
}

void og_gtcache_put(og_gtcache *c, og_table *t) {
  if (!c || !t) return;
  pthread_mutex_lock(&c->mu);
  gtcache_insert_locked(c, t);
  pthread_mutex_unlock(&c->mu);
}

void og_snapshot_attach(og_snapshot *s, og_graph *g) {
  if (s && g && !s->tc) s->tc = og_gtcache_ref(g->tables);
}

og_status og_snapshot_wrap(og_store *st, og_manifest *m, og_snapshot **out, og_error *err) {
  og_snapshot *s = og_calloc(1, sizeof *s);
  if (s) s->tables = og_calloc(m->ntables + 1, sizeof *s->tables);
  if (!s || !s->tables) {
    if (s) og_free(s);
    og_manifest_free(m);
    return og_err_oom(err);
  }
  s->refs = 1;
  s->st = og_store_ref(st);
  s->m = m;
  pthread_mutex_init(&s->mu, NULL);
  *out = s;
  return OG_OK;
}

og_snapshot *og_snapshot_ref(og_snapshot *s) {
  if (s) __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
  return s;
}

void og_snapshot_free(og_snapshot *s) {
  if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
  for (size_t i = 0; i < s->m->ntables; i++) og_table_free(s->tables[i]);
  og_free(s->tables);
  og_manifest_free(s->m);
  og_gtcache_free(s->tc);
  og_store_free(s->st);
  pthread_mutex_destroy(&s->mu);
  og_free(s);
}

const og_manifest *og_snapshot_manifest(const og_snapshot *s) { return s->m; }
uint64_t og_snapshot_version(const og_snapshot *s) { return s->m->version; }
const char *og_snapshot_branch(const og_snapshot *s) { return s->m->branch; }

/* Cleanup releases versions below a retention floor (docs/maintenance.md):
 * their manifests stay, their table objects may be gone. A past version is
 * checked before it is read, so time travel to it fails at once with the
 * reason instead of at the first table open; the head is always retained
 * and pays nothing. One list of the incarnation's floors. */
static og_status check_retained(og_store *st, const char *branch, uint64_t gen,
                                uint64_t version, og_error *err) {
  uint64_t floor = 1;
  og_status rc = og_graph_floors_of(st, branch, gen, NULL, &floor, NULL, err);
  if (rc != OG_OK || version >= floor) return rc;
  og_err_set(err, OG_ENOTFOUND,
             "version %" PRIu64 " of branch '%s' was released by cleanup (retention floor %" PRIu64
             ")", version, branch, floor);
  og_err_details(err, "{\"branch\":\"%s\",\"version\":%" PRIu64 ",\"retention_floor\":%" PRIu64 "}",
                 branch, version, floor);
  return OG_ENOTFOUND;
}

/* A table that cannot be opened may have been released alone (a hard schema
 * drop raises a table floor): say so instead of "no such object" (true when
 * it was). Checked before a past version's table is opened: a release
 * holds whether or not its bytes are gone yet (embedded bytes outlive it,
 * cleanup never deletes manifests; a cleanup may have stopped half-way).
 * The head is never released and pays nothing. */
static bool explain_released_table(og_snapshot *s, const char *table_key, og_error *err) {
  uint64_t vf = 1, tf = 1;
  const og_manifest *m = s->m;
  if (og_graph_floors_of(s->st, m->branch, m->generation, table_key, &vf, &tf, NULL) != OG_OK)
    return false;
  uint64_t floor = vf > tf ? vf : tf;
  if (m->version >= floor) return false;
  og_err_set(err, OG_ENOTFOUND,
             "table '%s' of version %" PRIu64 " of branch '%s' was released by cleanup "
             "(retention floor %" PRIu64 ")", table_key, m->version, m->branch, floor);
  og_err_details(err,
                 "{\"branch\":\"%s\",\"version\":%" PRIu64 ",\"table\":\"%s\",\"retention_floor\":%" PRIu64 "}",
                 m->branch, m->version, table_key, floor);
  return true;
}

og_status og_snapshot_table(og_snapshot *s, const char *table_key, og_table **out,
                            og_error *err) {
  og_status rc = OG_OK;
  *out = NULL;
  const og_table_entry *e = og_manifest_find(s->m, table_key);
  if (!e)
    return og_err_set(err, OG_ENOTFOUND, "table '%s' not found in %s version %" PRIu64,
                      table_key, s->m->branch, s->m->version);
  size_t i = (size_t)(e - s->m->tables);
  pthread_mutex_lock(&s->mu);
  if (!s->tables[i]) {
    og_table *t = NULL;
    if (s->past && explain_released_table(s, table_key, err)) {
      rc = OG_ENOTFOUND;
      goto cleanup;
    }
    rc = s->tc ? og_gtcache_get(s->tc, s->st, e->descriptor, &t, err)
               : og_table_open(s->st, e->descriptor, &t, err);
    if (rc == OG_ENOTFOUND) explain_released_table(s, table_key, err);
    if (rc != OG_OK) goto cleanup;
    if (og_table_version(t) != e->table_version ||
        og_table_content_version(t) != e->content_version ||
        og_table_row_count(t) != e->row_count) {
      og_table_free(t);
      rc = og_err_set(err, OG_ECORRUPT,
                      "graph: descriptor '%s' of table '%s' disagrees with manifest '%s'",
                      e->descriptor, table_key, s->m->key);
      goto cleanup;
    }
    s->tables[i] = t;
  }
  *out = og_table_ref(s->tables[i]);
cleanup:
  pthread_mutex_unlock(&s->mu);
  return rc;
}

og_status og_snapshot_schema(og_snapshot *s, og_buf *out, og_error *err) {
  og_buf b = OG_BUF_INIT;
  og_status rc = og_store_get(s->st, s->m->schema_key, &b, err);
  if (rc != OG_OK) goto cleanup;
  char sha[65];
  og_sha256_hex(b.ptr ? b.ptr : "", b.len, sha);
  if (strcmp(sha, s->m->schema_sha256) != 0) {
    rc = og_err_set(err, OG_ECORRUPT, "graph: schema object '%s' does not match its hash",
                    s->m->schema_key);
    goto cleanup;
  }
  if (og_buf_put(out, b.ptr ? b.ptr : "", b.len) != OG_OK) rc = og_err_oom(err);
cleanup:
  og_buf_dispose(&b);
  return rc;
}

og_status og_graph_head(og_graph *g, const char *branch, uint64_t *version_out, og_error *err) {
  og_ghead h;
  og_status rc = og_graph_resolve_warm(g, branch, &h, err);
  if (rc != OG_OK) return rc;
  *version_out = h.version;
  ghead_dispose(&h);
  return OG_OK;
}

og_status og_graph_snapshot(og_graph *g, const char *branch, uint64_t version,
                            og_snapshot **out, og_error *err) {
  og_ghead h;
  og_manifest *m = NULL;
  *out = NULL;
  og_status rc = og_graph_resolve_warm(g, branch, &h, err);
  if (rc != OG_OK) return rc;
  if (version == 0 || version == h.version) {
    m = h.m;
    h.m = NULL;
  } else if (version > h.version) {
    rc = og_err_set(err, OG_ENOTFOUND,
                    "version %" PRIu64 " of branch '%s' not found (head is %" PRIu64 ")",
                    version, branch, h.version);
  } else if ((rc = check_retained(g->st, branch, h.gen, version, err)) == OG_OK) {
    rc = og_manifest_load_at(g->st, branch, h.gen, version, &m, err);
    if (rc == OG_ENOTFOUND)
      rc = og_err_set(err, OG_ENOTFOUND,
                      "version %" PRIu64 " of branch '%s' is no longer retained", version,
                      branch);
  }
  bool past = version != 0 && version != h.version;
  ghead_dispose(&h);
  if (rc != OG_OK) return rc;
  if ((rc = og_snapshot_wrap(g->st, m, out, err)) == OG_OK) {
    og_snapshot_attach(*out, g);
    (*out)->past = past;
  }
  return rc;
}

/*==================== history ====================*/

void og_commit_list_dispose(og_commit_list *l) {
  if (!l) return;
  for (size_t i = 0; i < l->count; i++) og_manifest_free(l->items[i]);
  og_free(l->items);
  l->items = NULL;
  l->count = 0;
}

og_status og_graph_log(og_graph *g, const char *branch, size_t limit, og_commit_list *out,
                       og_error *err) {
  og_ghead h;
  size_t cap = 0;
  memset(out, 0, sizeof *out);
  og_status rc = og_graph_resolve_warm(g, branch, &h, err);
  if (rc != OG_OK) return rc;
  og_manifest *m = h.m;
  while (m) {
    if (og_array_reserve((void **)&out->items, &cap, out->count + 1, sizeof *out->items) != OG_OK) {
      og_manifest_free(m);
      rc = og_err_oom(err);
      break;
    }
    out->items[out->count++] = m;
    if ((limit && out->count >= limit) || m->commit.nparents == 0) break;
    const og_commit_ref *p = &m->commit.parents[0];
    og_manifest *next = NULL;
    rc = og_manifest_load_at(g->st, p->branch, p->generation, p->version, &next, err);
    if (rc == OG_ENOTFOUND) { /* history horizon: older versions were reclaimed */
      og_err_clear(err);
      rc = OG_OK;
      break;
    }
    if (rc != OG_OK) break;
    if (strcmp(next->commit.commit_id, p->commit_id) != 0) {
      og_manifest_free(next);
      rc = og_err_set(err, OG_ECORRUPT, "graph: parent link of '%s' names commit %s but '%s' holds %s",
                      m->key, p->commit_id, next->key, next->commit.commit_id);
      break;
    }
    m = next;
  }
  if (rc != OG_OK) og_commit_list_dispose(out);
  return rc;
}

/* Look for `id` in versions [lo, hi] of one incarnation. */
static og_status scan_versions(og_store *st, const char *branch, uint64_t gen, uint64_t lo,
                               uint64_t hi, const char *id, og_manifest **out) {
  for (uint64_t v = lo; v <= hi; v++) {
    og_manifest *m = NULL;
    if (og_manifest_load_at(st, branch, gen, v, &m, NULL) != OG_OK) continue;
    if (strcmp(m->commit.commit_id, id) == 0) {
      *out = m;
      return OG_OK;
    }
    og_manifest_free(m);
  }
  return OG_ENOTFOUND;
}

/* Fast path of og_graph_show_commit within one incarnation. Commit ids are
 * ULIDs (time-ordered, monotonic within a process) created just before the
 * commit, so along a branch log they are nearly sorted: binary-search on the
 * id, then look at a window around the landing point (concurrent writers and
 * clock skew can interleave them a little). O(log n) reads; OG_ENOTFOUND
 * sends the caller to the full scan. */
#define OG_GSHOW_WINDOW 16
static og_status find_commit_by_time(og_store *st, const char *branch, uint64_t gen,
                                     const char *id, og_manifest **out) {
  bool ex = false;
  uint64_t head = 0;
  if (probe_pos(st, branch, gen, 1, &ex, NULL) != OG_OK || !ex) return OG_ENOTFOUND;
  if (gallop(st, branch, gen, 1, &head, NULL) != OG_OK) return OG_ENOTFOUND;
  if (head <= 4 * OG_GSHOW_WINDOW) return scan_versions(st, branch, gen, 1, head, id, out);
  uint64_t lo = 1, hi = head + 1;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    og_manifest *m = NULL;
    if (og_manifest_load_at(st, branch, gen, mid, &m, NULL) != OG_OK) return OG_ENOTFOUND;
    if (strcmp(m->commit.commit_id, id) == 0) {
      *out = m;
      return OG_OK;
    }
    bool before = strcmp(m->commit.commit_id, id) < 0;
    og_manifest_free(m);
    if (before) lo = mid + 1;
    else hi = mid;
  }
  uint64_t a = lo > OG_GSHOW_WINDOW ? lo - OG_GSHOW_WINDOW : 1;
  uint64_t b = lo + OG_GSHOW_WINDOW < head ? lo + OG_GSHOW_WINDOW : head;
  return scan_versions(st, branch, gen, a, b, id, out);
}

og_status og_graph_show_commit(og_graph *g, const char *commit_id, og_manifest **out,
                               og_error *err) {
  og_keylist kl = {0};
  *out = NULL;
  if (!commit_id || !og_ulid_valid(commit_id))
    return og_err_set(err, OG_EINVAL, "invalid commit id '%s'", commit_id ? commit_id : "");
  /* every incarnation has a branch record (written before its version 1;
   * main's may be missing after a crash in init, so main is tried first) */
  og_status rc = og_store_list(g->st, OG_GK_BRANCHES, &kl, err);
  if (rc != OG_OK) goto cleanup;
  for (size_t i = 0; i <= kl.count; i++) {
    char name[OG_GRAPH_BRANCH_NAME_MAX + 1];
    uint64_t gen = 1;
    if (i == 0) {
      strcpy(name, OG_GRAPH_MAIN);
    } else {
      const char *seg = kl.keys[i - 1] + strlen(OG_GK_BRANCHES);
      const char *at = strrchr(seg, '@');
      char *end = NULL;
      if (!at || !og_gkey_name_decode(seg, (size_t)(at - seg), name, sizeof name)) continue;
      gen = strtoull(at + 1, &end, 10);
      if (!end || *end || gen == 0 || (strcmp(name, OG_GRAPH_MAIN) == 0 && gen == 1)) continue;
    }
    if (find_commit_by_time(g->st, name, gen, commit_id, out) == OG_OK) goto cleanup;
  }
  og_keylist_dispose(&kl);
  /* slow path: every manifest, newest keys last (recent commits are the
   * usual question) */
  if ((rc = og_store_list(g->st, OG_GK_LOG, &kl, err)) != OG_OK) goto cleanup;
  for (size_t i = kl.count; i-- > 0;) {
    og_manifest *m = NULL;
    if (og_manifest_load(g->st, kl.keys[i], &m, NULL) != OG_OK) continue;
    if (strcmp(m->commit.commit_id, commit_id) == 0) {
      *out = m;
      goto cleanup;
    }
    og_manifest_free(m);
  }
  rc = og_err_set(err, OG_ENOTFOUND, "commit '%s' not found", commit_id);
cleanup:
  og_keylist_dispose(&kl);
  return rc;
}

og_status og_graph_snapshot_commit(og_graph *g, const char *commit_id, og_snapshot **out,
                                   og_error *err) {
  og_manifest *m = NULL;
  *out = NULL;
  og_status rc = og_graph_show_commit(g, commit_id, &m, err);
  if (rc != OG_OK) return rc;
  if ((rc = check_retained(g->st, m->branch, m->generation, m->version, err)) != OG_OK) {
    og_manifest_free(m);
    return rc;
  }
  if ((rc = og_snapshot_wrap(g->st, m, out, err)) == OG_OK) {
    og_snapshot_attach(*out, g);
    (*out)->past = true;
  }
  return rc;
}

/*==================== init ====================*/

static bool table_key_valid(const char *k) {
  if (!k || !*k || strlen(k) > 512) return false;
  for (const char *p = k; *p; p++) {
    char c = *p;
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          c == '_' || c == ':' || c == '.' || c == '-'))
      return false;
  }
  return true;
}

/* Store the schema blob as an immutable content-addressed object. */
static og_status put_schema(og_store *st, const void *blob, size_t len, char sha[65],
                            og_buf *key, og_error *err) {
  og_sha256_hex(blob ? blob : "", len, sha);
  og_buf_printf(key, OG_GK_SCHEMA "%s", sha);
  if (key->oom) return og_err_oom(err);
  og_status rc = og_store_put_if_absent(st, key->ptr, blob ? blob : "", len, err);
  if (rc == OG_EEXISTS) { /* content-addressed: the same bytes are already there */
    og_err_clear(err);
    rc = OG_OK;
  }
  return rc;
}

og_status og_graph_put_schema(og_store *st, const void *blob, size_t len, char sha[65],
                              og_buf *key, og_error *err) {
  return put_schema(st, blob, len, sha, key, err);
}

static og_status table_prefix(og_buf *out, const char *table_key) {
  char ulid[OG_ULID_LEN + 1];
  if (og_ulid_new(ulid) != OG_OK) return OG_ERROR;
  og_buf_puts(out, "t/");
  for (const char *p = table_key; *p; p++) og_buf_putc(out, *p == ':' || *p == '.' ? '-' : *p);
  og_buf_printf(out, "-%s", ulid);
  return out->oom ? OG_ENOMEM : OG_OK;
}

og_status og_graph_init(og_store *st, const og_graph_init_opts *opts, og_graph **out,
                        og_error *err) {
  og_status rc = OG_OK;
  og_manifest *m = NULL;
  og_buf key = OG_BUF_INIT, body = OG_BUF_INIT, skey = OG_BUF_INIT, tmp = OG_BUF_INIT;
  og_error local = OG_ERROR_INIT;
  og_gintent *intent = NULL;
  bool ex = false, committed = false;
  char sha[65];
  if (out) *out = NULL;
  if (!opts || (opts->ntables && !opts->tables))
    return og_err_set(err, OG_EINVAL, "graph init: missing options");
  for (size_t i = 0; i < opts->ntables; i++)
    if (!table_key_valid(opts->tables[i].table_key) || !opts->tables[i].schema)
      return og_err_set(err, OG_EINVAL, "graph init: invalid table key '%s'",
                        opts->tables[i].table_key ? opts->tables[i].table_key : "(null)");
  if ((rc = og_gkey_log(&key, OG_GRAPH_MAIN, 1, 1)) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  if ((rc = probe_key(st, key.ptr, &ex, err)) != OG_OK) goto cleanup;
  if (ex) {
    rc = og_err_set(err, OG_EEXISTS, "graph already initialized in %s", og_store_describe(st));
    goto cleanup;
  }
  /* leftovers of an init that crashed before its commit */
  (void)og_graph_recover(st, NULL, NULL, NULL);
  {
    /* the schema object is named in the intent when this init creates it */
    uint64_t sz;
    og_sha256_hex(opts->schema ? opts->schema : "", opts->schema_len, sha);
    og_buf_printf(&tmp, OG_GK_SCHEMA "%s", sha);
    if (tmp.oom) { rc = og_err_oom(err); goto cleanup; }
    og_status hr = og_store_head(st, tmp.ptr, &sz, NULL);
    if ((rc = og_gintent_begin(st, "init", OG_GRAPH_MAIN, 1, 0, hr == OG_OK ? NULL : tmp.ptr,
                               &intent, err)) != OG_OK)
      goto cleanup;
    og_buf_clear(&tmp);
  }
  if ((rc = put_schema(st, opts->schema, opts->schema_len, sha, &skey, err)) != OG_OK) goto cleanup;
  if (!(m = og_manifest_new())) { rc = og_err_oom(err); goto cleanup; }
  og_arena *a = og_manifest_arena(m);
  m->branch = og_manifest_strdup(m, OG_GRAPH_MAIN);
  m->generation = 1;
  m->version = 1;
  m->schema_key = og_manifest_strdup(m, skey.ptr);
  m->schema_sha256 = og_manifest_strdup(m, sha);
  m->key = og_manifest_strdup(m, key.ptr);
  m->tables = og_arena_zalloc(a, (opts->ntables + 1) * sizeof *m->tables);
  char ulid[OG_ULID_LEN + 1];
  if (og_ulid_new(ulid) != OG_OK) { rc = og_err_set(err, OG_ERROR, "graph init: no ULID"); goto cleanup; }
  m->commit.commit_id = og_manifest_strdup(m, ulid);
  m->commit.actor = og_manifest_strdup(m, opts->actor ? opts->actor : "");
  m->commit.operation = og_manifest_strdup(m, "init");
  m->commit.message = og_manifest_strdup(m, opts->message);
  m->commit.time_ms = og_now_ms();
  if (!m->branch || !m->schema_key || !m->schema_sha256 || !m->key || !m->tables ||
      !m->commit.commit_id || !m->commit.actor || !m->commit.operation ||
      (opts->message && !m->commit.message)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (size_t i = 0; i < opts->ntables; i++) {
    og_table *t = NULL;
    og_buf_clear(&tmp);
    if (table_prefix(&tmp, opts->tables[i].table_key) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
    if ((rc = og_table_create(st, tmp.ptr, opts->tables[i].schema, &t, err)) != OG_OK) {
      og_err_prefix(err, "graph init: table '%s'", opts->tables[i].table_key);
      goto cleanup;
    }
    og_table_entry *e = &m->tables[m->ntables++];
    e->table_key = og_manifest_strdup(m, opts->tables[i].table_key);
    e->descriptor = og_manifest_strdup(m, og_table_key(t));
    e->table_version = og_table_version(t);
    e->content_version = og_table_content_version(t);
    e->row_count = og_table_row_count(t);
    og_table_free(t);
    if (!e->table_key || !e->descriptor) { rc = og_err_oom(err); goto cleanup; }
  }
  if (!og_manifest_sort_tables(m)) {
    rc = og_err_set(err, OG_EINVAL, "graph init: duplicate table key");
    goto cleanup;
  }
  if ((rc = OG_FAILPOINT(OG_FP_GRAPH_INIT_AFTER_TABLES, err)) != OG_OK) goto cleanup;
  m->commit.time_ms = og_now_ms(); /* not older than the tables (intent.c) */
  m->commit.intent = og_manifest_strdup(m, intent->id);
  if (!m->commit.intent) { rc = og_err_oom(err); goto cleanup; }
  if ((rc = og_manifest_encode(m, &body, err)) != OG_OK) goto cleanup;
  rc = og_graph_publish(st, key.ptr, &body, m->commit.commit_id, err);
  if (rc == OG_EEXISTS) {
    rc = og_err_set(err, OG_EEXISTS, "graph already initialized in %s (a concurrent init won)",
                    og_store_describe(st));
    goto cleanup;
  }
  if (rc != OG_OK) goto cleanup;
  committed = true;
  /* committed: later steps are best effort and never turn success into failure */
  (void)OG_FAILPOINT(OG_FP_GRAPH_INIT_AFTER_COMMIT, &local);
  og_buf_clear(&tmp);
  if (og_gkey_branch(&tmp, OG_GRAPH_MAIN, 1) == OG_OK) {
    og_buf rec = OG_BUF_INIT;
    if (og_gbranch_record_encode(OG_GRAPH_MAIN, 1, &rec, NULL) == OG_OK)
      (void)og_store_put_if_absent(st, tmp.ptr, rec.ptr, rec.len, NULL);
    og_buf_dispose(&rec);
  }
  og_graph_write_hint(st, OG_GRAPH_MAIN, 1, 1);
  og_gintent_end(st, intent, true);
  intent = NULL;
  if (out) rc = graph_new(st, 0, out, err);
cleanup:
  og_gintent_end(st, intent, committed);
  og_manifest_free(m);
  og_buf_dispose(&key);
  og_buf_dispose(&body);
  og_buf_dispose(&skey);
  og_buf_dispose(&tmp);
  return rc;
}

/*==================== branches ====================*/

static og_status check_writable(og_graph *g, og_error *err) {
  if (g->flags & OG_GRAPH_READ_ONLY)
    return og_err_set(err, OG_EPERM, "graph handle is read-only");
  return OG_OK;
}

og_status og_graph_branch_create(og_graph *g, const char *name, const char *source,
                                 uint64_t version, const char *actor, og_error *err) {
  og_status rc;
  og_snapshot *src = NULL;
  og_manifest *m = NULL;
  og_ghead top = {0};
  og_buf key = OG_BUF_INIT, body = OG_BUF_INIT, rec = OG_BUF_INIT, rkey = OG_BUF_INIT;
  og_error local = OG_ERROR_INIT;
  og_gintent *intent = NULL;
  uint64_t hg = 0, hv = 0, gen = 0;
  bool hint = false, committed = false;
  if ((rc = check_writable(g, err)) != OG_OK) return rc;
  if (!og_graph_branch_name_valid(name))
    return og_err_set(err, OG_EINVAL, "invalid branch name '%s'", name ? name : "(null)");
  if (strcmp(name, OG_GRAPH_MAIN) == 0)
    return og_err_set(err, OG_EEXISTS, "cannot create branch 'main': it always exists");
  og_gbranch_state *bs = og_graph_branch_state(g, name);
  if (!bs) return og_err_oom(err);
  pthread_mutex_lock(&bs->mu);
  if ((rc = og_graph_snapshot(g, source, version, &src, err)) != OG_OK) {
    og_err_prefix(err, "branch create from '%s'", source ? source : "(null)");
    goto cleanup;
  }
  /* the live generation must be found exactly: a new one must be gap-free */
  if ((rc = read_hint(g->st, name, &hg, &hv, &hint, err)) != OG_OK) goto cleanup;
  if ((rc = top_generation(g->st, name, hint ? hg : 0, true, &gen, err)) != OG_OK) goto cleanup;
  if (gen) {
    rc = og_graph_resolve_gen(g->st, name, gen, hint && hg == gen ? hv : 1, &top, err);
    if (rc == OG_OK && !top.m->deleted) {
      rc = og_err_set(err, OG_EEXISTS, "branch '%s' already exists", name);
      goto cleanup;
    }
    if (rc != OG_OK) goto cleanup;
  }
  gen++;
  /* the record only announces the name for listing; the log is the authority */
  if ((rc = og_gkey_branch(&rkey, name, gen)) != OG_OK ||
      (rc = og_gbranch_record_encode(name, gen, &rec, err)) != OG_OK) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  /* two objects (record, then version 1): the intent names the record */
  if ((rc = og_gintent_begin(g->st, "branch_create", name, gen, 0, rkey.ptr,
                             &intent, err)) != OG_OK)
    goto cleanup;
  rc = og_store_put_if_absent(g->st, rkey.ptr, rec.ptr, rec.len, err);
  if (rc == OG_EEXISTS) { og_err_clear(err); rc = OG_OK; }
  if (rc != OG_OK) goto cleanup;
  if ((rc = OG_FAILPOINT(OG_FP_GRAPH_BRANCH_CREATE_BEFORE_PUT, err)) != OG_OK) goto cleanup;
  const og_manifest *sm = src->m;
  if (!(m = og_manifest_clone(sm, 0))) { rc = og_err_oom(err); goto cleanup; }
  char ulid[OG_ULID_LEN + 1];
  if (og_ulid_new(ulid) != OG_OK) { rc = og_err_set(err, OG_ERROR, "no ULID"); goto cleanup; }
  if ((rc = og_gkey_log(&key, name, gen, 1)) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  m->branch = og_manifest_strdup(m, name);
  m->generation = gen;
  m->version = 1;
  m->deleted = false;
  m->key = og_manifest_strdup(m, key.ptr);
  og_commit_info *c = &m->commit;
  c->commit_id = og_manifest_strdup(m, ulid);
  c->actor = og_manifest_strdup(m, actor ? actor : "");
  c->operation = og_manifest_strdup(m, "branch_create");
  c->message = NULL;
  c->intent = og_manifest_strdup(m, intent->id);
  c->time_ms = og_now_ms();
  c->nparents = 1;
  c->parents[0].commit_id = og_manifest_strdup(m, sm->commit.commit_id);
  c->parents[0].branch = og_manifest_strdup(m, sm->branch);
  c->parents[0].generation = sm->generation;
  c->parents[0].version = sm->version;
  if (!m->branch || !m->key || !c->commit_id || !c->actor || !c->operation ||
      !c->parents[0].commit_id || !c->parents[0].branch) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if ((rc = og_manifest_encode(m, &body, err)) != OG_OK) goto cleanup;
  rc = og_graph_publish(g->st, key.ptr, &body, m->commit.commit_id, err);
  if (rc == OG_EEXISTS) {
    rc = og_err_set(err, OG_EEXISTS, "branch '%s' already exists (a concurrent create won)", name);
    goto cleanup;
  }
  if (rc != OG_OK) goto cleanup;
  committed = true;
  (void)OG_FAILPOINT(OG_FP_GRAPH_BRANCH_CREATE_AFTER_PUT, &local);
  og_graph_write_hint(g->st, name, gen, 1);
  og_graph_cache_drop(g, name);
  og_graph_cache_head(g, name, m);
  bs->gen = gen;
  bs->known_head = 1;
cleanup:
  og_gintent_end(g->st, intent, committed);
  pthread_mutex_unlock(&bs->mu);
  og_snapshot_free(src);
  og_manifest_free(m);
  ghead_dispose(&top);
  og_buf_dispose(&key);
  og_buf_dispose(&body);
  og_buf_dispose(&rec);
  og_buf_dispose(&rkey);
  return rc;
}

og_status og_graph_branch_delete(og_graph *g, const char *name, const char *actor,
                                 og_error *err) {
  og_status rc;
  og_ghead h = {0};
  og_manifest *m = NULL;
  og_buf body = OG_BUF_INIT, key = OG_BUF_INIT;
  og_error local = OG_ERROR_INIT;
  og_gintent *intent = NULL;
  bool committed = false;
  char ulid[OG_ULID_LEN + 1];
  if ((rc = check_writable(g, err)) != OG_OK) return rc;
  if (!og_graph_branch_name_valid(name))
    return og_err_set(err, OG_EINVAL, "invalid branch name '%s'", name ? name : "(null)");
  if (strcmp(name, OG_GRAPH_MAIN) == 0)
    return og_err_set(err, OG_EINVAL, "cannot delete branch 'main'");
  if (og_ulid_new(ulid) != OG_OK) return og_err_set(err, OG_ERROR, "no ULID");
  og_gbranch_state *bs = og_graph_branch_state(g, name);
  if (!bs) return og_err_oom(err);
  pthread_mutex_lock(&bs->mu);
  if ((rc = og_graph_resolve(g->st, name, false, &h, err)) != OG_OK) goto cleanup;
  /* one object, but on a backend without atomic puts a torn final manifest
   * must be attributable to a dead writer (intent.c) */
  if ((rc = og_gintent_begin(g->st, "branch_delete", name, h.gen, h.version, NULL, &intent,
                             err)) != OG_OK)
    goto cleanup;
  for (unsigned attempt = 0;; attempt++) {
    if (attempt >= OG_GRAPH_MAX_RETRIES) {
      rc = og_err_set(err, OG_EBUSY, "branch delete '%s': too much write contention", name);
      goto cleanup;
    }
    og_manifest_free(m);
    if (!(m = og_manifest_clone(h.m, 0))) { rc = og_err_oom(err); goto cleanup; }
    og_buf_clear(&key);
    og_buf_clear(&body);
    if (og_gkey_log(&key, name, h.gen, h.version + 1) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
    m->version = h.version + 1;
    m->deleted = true;
    m->ntables = 0; /* the final manifest references no table: its objects become reclaimable */
    m->key = og_manifest_strdup(m, key.ptr);
    og_commit_info *c = &m->commit;
    c->nparents = 1;
    c->parents[0].commit_id = og_manifest_strdup(m, h.m->commit.commit_id);
    c->parents[0].branch = og_manifest_strdup(m, name);
    c->parents[0].generation = h.gen;
    c->parents[0].version = h.version;
    c->commit_id = og_manifest_strdup(m, ulid);
    c->actor = og_manifest_strdup(m, actor ? actor : "");
    c->operation = og_manifest_strdup(m, "branch_delete");
    c->intent = og_manifest_strdup(m, intent->id);
    c->message = NULL;
    c->time_ms = og_now_ms();
    if (!m->key || !c->parents[0].commit_id || !c->parents[0].branch || !c->commit_id ||
        !c->actor || !c->operation) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    if ((rc = og_manifest_encode(m, &body, err)) != OG_OK) goto cleanup;
    if ((rc = OG_FAILPOINT(OG_FP_GRAPH_BRANCH_DELETE_BEFORE_PUT, err)) != OG_OK) goto cleanup;
    rc = og_graph_publish(g->st, key.ptr, &body, ulid, err);
    if (rc == OG_OK) break;
    if (rc != OG_EEXISTS) goto cleanup;
    /* a writer committed first: delete on top of its commit */
    og_err_clear(err);
    og_ghead nh;
    rc = og_graph_resolve_gen(g->st, name, h.gen, h.version + 1, &nh, err);
    if (rc != OG_OK) goto cleanup;
    ghead_dispose(&h);
    h = nh;
    if (h.m->deleted) {
      rc = og_err_set(err, OG_ENOTFOUND, "branch '%s' not found (deleted concurrently)", name);
      goto cleanup;
    }
  }
  committed = true;
  (void)OG_FAILPOINT(OG_FP_GRAPH_BRANCH_DELETE_AFTER_PUT, &local);
  og_graph_write_hint(g->st, name, h.gen, h.version + 1);
  og_graph_cache_drop(g, name);
  bs->gen = h.gen;
  bs->known_head = h.version + 1;
cleanup:
  og_gintent_end(g->st, intent, committed || !intent);
  pthread_mutex_unlock(&bs->mu);
  ghead_dispose(&h);
  og_manifest_free(m);
  og_buf_dispose(&body);
  og_buf_dispose(&key);
  return rc;
}

void og_branch_list_dispose(og_branch_list *l) {
  if (!l) return;
  for (size_t i = 0; i < l->count; i++) og_free(l->items[i].name);
  og_free(l->items);
  l->items = NULL;
  l->count = 0;
}

static int branch_cmp(const void *a, const void *b) {
  const og_branch_info *x = a, *y = b;
  bool xm = strcmp(x->name, OG_GRAPH_MAIN) == 0, ym = strcmp(y->name, OG_GRAPH_MAIN) == 0;
  if (xm != ym) return xm ? -1 : 1;
  return strcmp(x->name, y->name);
}

og_status og_graph_branch_list(og_graph *g, og_branch_list *out, og_error *err) {
  og_keylist kl = {0};
  og_map seen = OG_MAP_INIT;
  size_t cap = 0;
  memset(out, 0, sizeof *out);
  og_status rc = og_store_list(g->st, OG_GK_BRANCHES, &kl, err);
  if (rc != OG_OK) goto cleanup;
  /* main is listed even if its record was never written (crash after init) */
  for (size_t i = 0; i <= kl.count; i++) {
    char name[OG_GRAPH_BRANCH_NAME_MAX + 1];
    if (i == kl.count) {
      strcpy(name, OG_GRAPH_MAIN);
    } else {
      const char *seg = kl.keys[i] + strlen(OG_GK_BRANCHES);
      const char *at = strrchr(seg, '@');
      if (!at || !og_gkey_name_decode(seg, (size_t)(at - seg), name, sizeof name)) continue;
    }
    if (og_map_sget(&seen, name, NULL)) continue;
    if (og_map_sput(&seen, name, NULL) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
    og_ghead h;
    rc = og_graph_resolve(g->st, name, false, &h, err);
    if (rc == OG_ENOTFOUND) {
      og_err_clear(err);
      rc = OG_OK;
      continue;
    }
    if (rc != OG_OK) goto cleanup;
    og_branch_info bi = {og_strdup(name), h.gen, h.version};
    ghead_dispose(&h);
    if (!bi.name ||
        og_array_reserve((void **)&out->items, &cap, out->count + 1, sizeof *out->items) != OG_OK) {
      og_free(bi.name);
      rc = og_err_oom(err);
      goto cleanup;
    }
    out->items[out->count++] = bi;
  }
  if (out->count > 1) qsort(out->items, out->count, sizeof *out->items, branch_cmp);
cleanup:
  if (rc != OG_OK) og_branch_list_dispose(out);
  og_map_dispose(&seen);
  og_keylist_dispose(&kl);
  return rc;
}

/*==================== settings from the environment ====================*/

static const struct {
  const char *name;
  uint64_t dflt, min, max;
} knobs[] = {
    /* what one manifest may carry of its write's objects (write.c) */
    [OG_KNOB_EMBED_MAX] = {"OMNIGRAPH_EMBED_MAX", 64u * 1024u, 0, 1024u * 1024u},
    [OG_KNOB_INTENT_LEASE_MS] = {"OMNIGRAPH_INTENT_LEASE_MS", OG_INTENT_LEASE_MS, 1,
                                 365ull * 24 * 3600 * 1000},
    [OG_KNOB_RECOVERY_SKEW_MS] = {"OMNIGRAPH_RECOVERY_SKEW_MS", OG_RECOVERY_SKEW_MS, 0,
                                  24ull * 3600 * 1000},
    [OG_KNOB_MAINTENANCE_CONCURRENCY] = {"OMNIGRAPH_MAINTENANCE_CONCURRENCY", 8, 1, 64},
};

uint64_t og_graph_knob(og_graph_knob_id k) {
  uint64_t v;
  (void)og_env_u64(knobs[k].name, knobs[k].dflt, knobs[k].min, knobs[k].max, &v, NULL);
  return v;
}

og_status og_graph_env_check(og_error *err) {
  for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++) {
    uint64_t v;
    og_status rc = og_env_u64(knobs[i].name, knobs[i].dflt, knobs[i].min, knobs[i].max, &v, err);
    if (rc != OG_OK) return rc;
  }
  return OG_OK;
}
