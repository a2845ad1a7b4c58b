/* The write path: pin, stage, commit with optimistic concurrency
 * (DESIGN.md §3.3; docs/architecture.md §3). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"

typedef struct gstaged {
  og_table_entry base;  /* the version this change derives from (valid if has_base) */
  bool has_base;
  og_table_entry ours;  /* the staged version */
  og_table *table;      /* handle on `ours`, NULL for raw entries */
  unsigned flags;
  bool drop;
  bool expect_only;     /* read dependency: no change, conflict if rows change */
} gstaged;

struct og_graph_write {
  og_graph *g;
  og_snapshot *base;
  char *branch;
  uint64_t gen;
  OG_VEC(gstaged) staged;
  bool schema_set;
  og_buf schema;
  bool done;
  og_gintent *intent;   /* prepared at begin; written before the first object
                           that reaches the store, ended at commit or free */
  uint64_t creates0;    /* store creations counted right after the intent */
  bool garbage;         /* the write created objects its commit does not reference */
  unsigned flags;       /* OG_GRAPH_WRITE_* */
  og_store *pack;       /* og_graph_write_store: holds small objects back */
  og_map flushed;       /* held key → the key it was written out under (owned) */
  size_t embed_max;     /* bytes the committing manifest may carry */
};

/* What one manifest may carry of the objects of the write it commits
 * (OG_KNOB_EMBED_MAX, 64 KiB by default): small enough that reading a head
 * manifest stays cheap, large enough for the rows of a typical mutation
 * (docs/durability.md §6). Embedded bytes stay in the commit log for good
 * (cleanup never deletes manifests), so operators who prefer a lean log set
 * OMNIGRAPH_EMBED_MAX=0 (or a smaller size). */
static size_t embed_max(void) { return (size_t)og_graph_knob(OG_KNOB_EMBED_MAX); }

/* Dispose a map whose values are owned strings. */
static void names_clear(og_map *names) {
  size_t pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(names, &pos))) og_free(e->value);
  og_map_dispose(names);
  memset(names, 0, sizeof *names);
}

/* Creating calls made through this store handle so far (any thread). */
static uint64_t store_creates(og_store *st) {
  og_store_stats s;
  og_store_stats_get(st, &s);
  return s.puts + s.put_if_absents;
}

static void entry_dispose(og_table_entry *e) {
  og_free(e->table_key);
  og_free(e->descriptor);
  memset(e, 0, sizeof *e);
}

static og_status entry_copy(og_table_entry *d, const og_table_entry *s) {
  *d = *s;
  d->table_key = og_strdup(s->table_key);
  d->descriptor = og_strdup(s->descriptor);
  if (!d->table_key || !d->descriptor) {
    entry_dispose(d);
    return OG_ENOMEM;
  }
  return OG_OK;
}

static bool entry_same(const og_table_entry *a, const og_table_entry *b) {
  return a->table_version == b->table_version && a->content_version == b->content_version &&
         a->row_count == b->row_count && strcmp(a->descriptor, b->descriptor) == 0;
}

static void staged_dispose(gstaged *s) {
  entry_dispose(&s->base);
  entry_dispose(&s->ours);
  og_table_free(s->table);
  s->table = NULL;
}

/* The pack's policy. Holding an object costs memory until the commit; not
 * holding it costs a durable object (and the intent first). */
static bool hold_object(void *ctx, const char *key, size_t len, size_t held_bytes) {
  og_graph_write *w = ctx;
  if (!og_str_startswith(key, "t/")) return false;
  /* Without an intent on disk nothing may reach the store under a name
   * chosen before the intent was written: recovery could take it for a
   * dead writer's orphan (intent.c). Hold all; the commit writes big ones
   * out under fresh names. */
  if (w->flags & OG_GRAPH_WRITE_HOLD_ALL) return true;
  if (strstr(key, "/ver/")) return true; /* descriptors: small, often superseded */
  return held_bytes + len <= w->embed_max;
}

static og_status write_intent(void *ctx, og_error *err) {
  og_graph_write *w = ctx;
  og_status rc = og_gintent_write(w->g->st, w->intent, err);
  if (rc == OG_OK) w->creates0 = store_creates(w->g->st);
  return rc;
}

og_status og_graph_write_begin_flags(og_graph *g, const char *branch, unsigned flags,
                                     og_graph_write **out, og_error *err) {
  og_graph_write *w = NULL;
  og_status rc;
  *out = NULL;
  if (g->flags & OG_GRAPH_READ_ONLY) return og_err_set(err, OG_EPERM, "graph handle is read-only");
  if (!(w = og_calloc(1, sizeof *w))) return og_err_oom(err);
  w->g = g;
  w->embed_max = embed_max();
  /* an intent-less write is safe only if its one object cannot be torn: a
   * torn manifest is cleared by recovery on behalf of its dead intent */
  if (!og_store_creates_atomic(g->st)) flags &= ~(unsigned)OG_GRAPH_WRITE_HOLD_ALL;
  w->flags = flags;
  if (!(w->branch = og_strdup(branch ? branch : ""))) { rc = og_err_oom(err); goto fail; }
  if ((rc = og_graph_snapshot(g, branch, 0, &w->base, err)) != OG_OK) goto fail;
  w->gen = w->base->m->generation;
  /* named now: its ULID time bounds every object the write will create */
  if ((rc = og_gintent_prepare("write", w->branch, w->gen, w->base->m->version, NULL, &w->intent,
                               err)) != OG_OK)
    goto fail;
  w->creates0 = store_creates(g->st);
  og_pack_opts po = {hold_object, write_intent, w};
  if ((rc = og_store_open_pack(&w->pack, g->st, &po, err)) != OG_OK) goto fail;
  /* the intent is durable before the caller creates any object (R2),
   * unless every object is held until the commit decides */
  if (!(flags & OG_GRAPH_WRITE_HOLD_ALL) && (rc = og_store_pack_ensure_created(w->pack, err)) != OG_OK)
    goto fail;
  *out = w;
  return OG_OK;
fail:
  og_graph_write_free(w);
  return rc;
}

og_status og_graph_write_begin(og_graph *g, const char *branch, og_graph_write **out,
                               og_error *err) {
  return og_graph_write_begin_flags(g, branch, 0, out, err);
}

og_store *og_graph_write_store(og_graph_write *w) { return w->pack; }

og_snapshot *og_graph_write_base(og_graph_write *w) { return w->base; }

void og_graph_write_free(og_graph_write *w) {
  if (!w) return;
  /* abandoned: when nothing was created through the store since the intent
   * there is nothing to reclaim, else leave it to recovery */
  if (w->intent) og_gintent_end(w->g->st, w->intent, store_creates(w->g->st) == w->creates0);
  for (size_t i = 0; i < w->staged.count; i++) staged_dispose(&w->staged.items[i]);
  OG_VEC_FREE(&w->staged);
  og_buf_dispose(&w->schema);
  names_clear(&w->flushed);
  og_store_free(w->pack);
  og_snapshot_free(w->base);
  og_free(w->branch);
  og_free(w);
}

static gstaged *find_staged(og_graph_write *w, const char *key) {
  for (size_t i = 0; i < w->staged.count; i++)
    if (strcmp(w->staged.items[i].ours.table_key, key) == 0) return &w->staged.items[i];
  return NULL;
}

static og_status stage(og_graph_write *w, const og_table_entry *e, og_table *t, unsigned flags,
                       bool drop, og_error *err) {
  if (w->done) return og_err_set(err, OG_EINVAL, "graph write already committed");
  if (!e->table_key || !*e->table_key || (!drop && (!e->descriptor || !*e->descriptor)))
    return og_err_set(err, OG_EINVAL, "graph write: table entry without key or descriptor");
  const og_table_entry *b = og_manifest_find(w->base->m, e->table_key);
  if (drop && !b)
    return og_err_set(err, OG_ENOTFOUND, "table '%s' not found in %s version %" PRIu64,
                      e->table_key, w->base->m->branch, w->base->m->version);
  if (!drop && b && e->table_version <= b->table_version)
    return og_err_set(err, OG_EINVAL,
                      "graph write: staged version %" PRIu64 " of '%s' does not follow the pinned "
                      "version %" PRIu64, e->table_version, e->table_key, b->table_version);
  gstaged n = {0};
  n.flags = flags;
  n.drop = drop;
  n.has_base = b != NULL;
  if (entry_copy(&n.ours, e) != OG_OK) return og_err_oom(err);
  if (b && entry_copy(&n.base, b) != OG_OK) {
    staged_dispose(&n);
    return og_err_oom(err);
  }
  n.table = og_table_ref(t);
  gstaged *old = find_staged(w, e->table_key);
  if (old) {
    if (old->expect_only) n.flags |= OG_GRAPH_STAGE_STRICT; /* the read dependency stays */
    staged_dispose(old);
    *old = n;
    return OG_OK;
  }
  if (OG_VEC_PUSH(&w->staged, n) != OG_OK) {
    staged_dispose(&n);
    return og_err_oom(err);
  }
  return OG_OK;
}

og_status og_graph_write_stage(og_graph_write *w, const char *table_key, og_table *t,
                               unsigned flags, og_error *err) {
  if (!t) return og_err_set(err, OG_EINVAL, "graph write: no table");
  og_table_entry e = {(char *)table_key, og_table_version(t), (char *)og_table_key(t),
                      og_table_row_count(t), og_table_content_version(t)};
  return stage(w, &e, t, flags, false, err);
}

og_status og_graph_write_stage_entry(og_graph_write *w, const og_table_entry *e, unsigned flags,
                                     og_error *err) {
  if (!e) return og_err_set(err, OG_EINVAL, "graph write: no entry");
  return stage(w, e, NULL, flags, false, err);
}

og_status og_graph_write_expect(og_graph_write *w, const char *table_key, og_error *err) {
  if (w->done) return og_err_set(err, OG_EINVAL, "graph write already committed");
  if (!table_key) return og_err_set(err, OG_EINVAL, "graph write: no table key");
  const og_table_entry *b = og_manifest_find(w->base->m, table_key);
  if (!b)
    return og_err_set(err, OG_ENOTFOUND, "table '%s' not found in %s version %" PRIu64, table_key,
                      w->base->m->branch, w->base->m->version);
  if (find_staged(w, table_key)) return OG_OK; /* a staged change already pins it */
  gstaged n = {0};
  n.has_base = true;
  n.expect_only = true;
  n.flags = OG_GRAPH_STAGE_STRICT;
  if (entry_copy(&n.base, b) != OG_OK || entry_copy(&n.ours, b) != OG_OK) {
    staged_dispose(&n);
    return og_err_oom(err);
  }
  if (OG_VEC_PUSH(&w->staged, n) != OG_OK) {
    staged_dispose(&n);
    return og_err_oom(err);
  }
  return OG_OK;
}

og_status og_graph_write_drop(og_graph_write *w, const char *table_key, og_error *err) {
  og_table_entry e = {(char *)table_key, 0, (char *)"", 0, 0};
  return stage(w, &e, NULL, OG_GRAPH_STAGE_STRICT, true, err);
}

og_status og_graph_write_set_schema(og_graph_write *w, const void *schema, size_t len,
                                    og_error *err) {
  if (w->done) return og_err_set(err, OG_EINVAL, "graph write already committed");
  og_buf_clear(&w->schema);
  if (og_buf_put(&w->schema, schema ? schema : "", len) != OG_OK) return og_err_oom(err);
  w->schema_set = true;
  return OG_OK;
}

/*==================== conflict resolution ====================*/

static og_status conflict(og_error *err, const gstaged *s, const og_table_entry *cur,
                          const char *why) {
  og_err_set(err, OG_ECONFLICT, "stale view — refresh and retry: table '%s' %s", s->ours.table_key,
             why);
  og_err_details(err,
                 "{\"table\":\"%s\",\"pinned_version\":%" PRIu64
                 ",\"pinned_content_version\":%" PRIu64 ",\"current_version\":%" PRIu64
                 ",\"current_content_version\":%" PRIu64 "}",
                 s->ours.table_key, s->has_base ? s->base.table_version : 0,
                 s->has_base ? s->base.content_version : 0, cur ? cur->table_version : 0,
                 cur ? cur->content_version : 0);
  return OG_ECONFLICT;
}

/* Carry an insert-only change onto a table whose rows changed: re-append the
 * rows ours added (their ids are contiguous from base's next_row_id). */
/* Open a table version through the handle's cache (retries reuse them). */
static og_status open_version(og_graph *g, const char *descriptor, og_table **out, og_error *err) {
  return g->tables ? og_gtcache_get(g->tables, g->st, descriptor, out, err)
                   : og_table_open(g->st, descriptor, out, err);
}

static og_status carry_append(og_graph *g, og_store *pack, gstaged *s, const og_table_entry *cur,
                              og_table **out, og_error *err) {
  og_status rc = OG_OK;
  og_table *base = NULL, *theirs = NULL;
  uint64_t *ids = NULL, *found = NULL;
  const char **keys = NULL;
  size_t *lens = NULL;
  og_batch batch = OG_BATCH_INIT;
  if ((rc = open_version(g, s->base.descriptor, &base, err)) != OG_OK) goto cleanup;
  if ((rc = open_version(g, cur->descriptor, &theirs, err)) != OG_OK) goto cleanup;
  uint64_t bn = og_table_next_row_id(base), on = og_table_next_row_id(s->table);
  uint64_t nnew = on >= bn ? on - bn : 0;
  if (on < bn || nnew == 0 || og_table_row_count(s->table) != og_table_row_count(base) + nnew) {
    rc = conflict(err, s, cur, "changed since the pin and this change is not insert-only");
    goto cleanup;
  }
  if (!(ids = og_malloc(nnew * sizeof *ids))) { rc = og_err_oom(err); goto cleanup; }
  for (uint64_t i = 0; i < nnew; i++) ids[i] = bn + i;
  if ((rc = og_table_fetch(s->table, ids, (size_t)nnew, NULL, 0, &batch, err)) != OG_OK) goto cleanup;
  /* keys are checked against the head the insert finally commits on
   * (DESIGN.md §3.3): a key another writer inserted meanwhile conflicts */
  int kc = og_table_schema_get(theirs)->key_col;
  int bk = kc >= 0 ? og_batch_find(&batch, (uint32_t)kc) : -1;
  if (bk >= 0) {
    const og_column *col = &batch.cols[bk];
    size_t n = og_batch_rows(&batch);
    keys = og_calloc(n + 1, sizeof *keys);
    lens = og_calloc(n + 1, sizeof *lens);
    found = og_calloc(n + 1, sizeof *found);
    if (!keys || !lens || !found) { rc = og_err_oom(err); goto cleanup; }
    for (size_t i = 0; i < n; i++) keys[i] = og_column_get_bytes(col, i, &lens[i]);
    if ((rc = og_table_lookup_many(theirs, keys, lens, n, found, err)) != OG_OK) goto cleanup;
    for (size_t i = 0; i < n; i++)
      if (found[i] != UINT64_MAX) {
        char why[300];
        snprintf(why, sizeof why, "got key '%.*s' from another writer since the pin",
                 (int)(lens[i] > 200 ? 200 : lens[i]), keys[i]);
        rc = conflict(err, s, cur, why);
        goto cleanup;
      }
  }
  batch.rowids.count = 0; /* re-appended rows get fresh ids on theirs */
  og_table_change chg = {.inserts = &batch};
  og_table_write_opts wo = {.store = pack, .merge_tail_rows = OG_TABLE_MERGE_TAIL_ROWS}; /* as the first attempt */
  rc = og_table_apply(theirs, &chg, &wo, out, NULL, err);
cleanup:
  og_batch_dispose(&batch);
  og_free(ids);
  og_free(found);
  og_free((void *)keys);
  og_free(lens);
  og_table_free(base);
  og_table_free(theirs);
  return rc;
}

static og_status rebase_preserving(og_graph *g, gstaged *s, const og_table_entry *cur,
                                   og_table **out, og_error *err) {
  og_table *base = NULL, *theirs = NULL;
  og_status rc = open_version(g, s->base.descriptor, &base, err);
  if (rc == OG_OK) rc = open_version(g, cur->descriptor, &theirs, err);
  if (rc == OG_OK) rc = og_table_rebase(base, s->table, theirs, out, err);
  if (rc == OG_ECONFLICT) {
    char why[OG_ERROR_MESSAGE_MAX];
    snprintf(why, sizeof why, "cannot be rebased (%s)", err ? err->message : "");
    rc = conflict(err, s, cur, why);
  }
  og_table_free(base);
  og_table_free(theirs);
  return rc;
}

/* `cur` is a newer head than the one the staged changes derive from. Decide
 * per touched table (G5) and move every staged change onto `cur`. */
static og_status reconcile(og_graph_write *w, const og_manifest *cur, og_error *err) {
  og_status rc = OG_OK;
  if (cur->deleted)
    return og_err_set(err, OG_ENOTFOUND, "branch '%s' not found (deleted concurrently)",
                      w->branch);
  if (strcmp(cur->schema_sha256, w->base->m->schema_sha256) != 0) {
    og_err_set(err, OG_ECONFLICT, "stale view — refresh and retry: the schema changed");
    og_err_details(err, "{\"schema\":{\"pinned\":\"%s\",\"current\":\"%s\"}}",
                   w->base->m->schema_sha256, cur->schema_sha256);
    return OG_ECONFLICT;
  }
  for (size_t i = 0; i < w->staged.count; i++) {
    gstaged *s = &w->staged.items[i];
    const og_table_entry *c = og_manifest_find(cur, s->ours.table_key);
    if (!s->has_base) {
      if (c) return conflict(err, s, c, "was created by another writer");
      continue;
    }
    if (!c) return conflict(err, s, NULL, "was dropped by another writer");
    if (entry_same(c, &s->base)) continue;
    if (s->expect_only) { /* read dependency: only a row change matters */
      if (c->content_version != s->base.content_version)
        return conflict(err, s, c, "(read by this write) changed since the pin");
      og_table_entry nb;
      if (entry_copy(&nb, c) != OG_OK) return og_err_oom(err);
      entry_dispose(&s->base);
      s->base = nb;
      continue;
    }
    if (s->drop) return conflict(err, s, c, "changed since the pin");
    bool ours_content = s->ours.content_version != s->base.content_version;
    og_table *nt = NULL;
    if (c->content_version != s->base.content_version) {
      if ((s->flags & OG_GRAPH_STAGE_STRICT) || !ours_content || !s->table)
        return conflict(err, s, c, "changed since the pin");
      rc = carry_append(w->g, w->pack, s, c, &nt, err);
    } else {
      /* benign drift (compaction, index build) under our change */
      if (!ours_content || !s->table)
        return conflict(err, s, c, "was rewritten by another writer since the pin");
      rc = rebase_preserving(w->g, s, c, &nt, err);
    }
    if (rc != OG_OK) return rc;
    og_table_entry ne = {s->ours.table_key, og_table_version(nt), (char *)og_table_key(nt),
                         og_table_row_count(nt), og_table_content_version(nt)};
    og_table_entry nb, no;
    if (entry_copy(&nb, c) != OG_OK) {
      og_table_free(nt);
      return og_err_oom(err);
    }
    if (entry_copy(&no, &ne) != OG_OK) {
      entry_dispose(&nb);
      og_table_free(nt);
      return og_err_oom(err);
    }
    staged_dispose(s);
    s->base = nb;
    s->ours = no;
    s->table = nt;
    w->garbage = true; /* the superseded version's new objects */
  }
  return OG_OK;
}

/* The manifest that would be version cur+1. */
static og_status build_next(og_graph_write *w, const og_manifest *cur, const char *commit_id,
                            uint64_t time_ms, const og_commit_opts *opts, const char *schema_key,
                            const char *schema_sha, og_manifest **out, og_error *err) {
  og_buf key = OG_BUF_INIT;
  og_manifest *m = og_manifest_clone(cur, w->staged.count);
  *out = NULL;
  if (!m || og_gkey_log(&key, w->branch, w->gen, cur->version + 1) != OG_OK) goto oom;
  m->version = cur->version + 1;
  m->deleted = false;
  m->key = og_manifest_strdup(m, key.ptr);
  if (schema_key) {
    m->schema_key = og_manifest_strdup(m, schema_key);
    m->schema_sha256 = og_manifest_strdup(m, schema_sha);
  }
  for (size_t i = 0; i < w->staged.count; i++) {
    const gstaged *s = &w->staged.items[i];
    og_table_entry *slot = NULL;
    if (s->expect_only) continue; /* theirs stands */
    for (size_t j = 0; j < m->ntables; j++)
      if (strcmp(m->tables[j].table_key, s->ours.table_key) == 0) slot = &m->tables[j];
    if (s->drop) {
      if (slot) *slot = m->tables[--m->ntables];
      continue;
    }
    if (!slot) slot = &m->tables[m->ntables++];
    slot->table_key = og_manifest_strdup(m, s->ours.table_key);
    slot->descriptor = og_manifest_strdup(m, s->ours.descriptor);
    slot->table_version = s->ours.table_version;
    slot->content_version = s->ours.content_version;
    slot->row_count = s->ours.row_count;
    if (!slot->table_key || !slot->descriptor) goto oom;
  }
  if (!og_manifest_sort_tables(m)) goto oom; /* cannot happen: keys were unique */
  og_commit_info *c = &m->commit;
  c->commit_id = og_manifest_strdup(m, commit_id);
  c->actor = og_manifest_strdup(m, opts->actor ? opts->actor : "");
  c->operation = og_manifest_strdup(m, opts->operation);
  c->message = og_manifest_strdup(m, opts->message);
  c->time_ms = time_ms;
  c->intent = w->intent && w->intent->written ? og_manifest_strdup(m, w->intent->id) : NULL;
  c->nparents = 1;
  c->parents[0].commit_id = og_manifest_strdup(m, cur->commit.commit_id);
  c->parents[0].branch = og_manifest_strdup(m, cur->branch);
  c->parents[0].generation = cur->generation;
  c->parents[0].version = cur->version;
  if (opts->merge_parent) {
    const og_commit_ref *mp = opts->merge_parent;
    c->parents[1].commit_id = og_manifest_strdup(m, mp->commit_id);
    c->parents[1].branch = og_manifest_strdup(m, mp->branch);
    c->parents[1].generation = mp->generation;
    c->parents[1].version = mp->version;
    c->nparents = 2;
    if (!c->parents[1].commit_id || !c->parents[1].branch) goto oom;
  }
  if (!m->key || !m->schema_key || !m->schema_sha256 || !c->commit_id || !c->actor ||
      !c->operation || (opts->message && !c->message) || !c->parents[0].commit_id ||
      !c->parents[0].branch)
    goto oom;
  og_buf_dispose(&key);
  *out = m;
  return OG_OK;
oom:
  og_buf_dispose(&key);
  og_manifest_free(m);
  return og_err_oom(err);
}

/* Objects the staged versions reference that their bases do not: what the
 * table layer must have created for this write if it wrote nothing else. */
static bool count_new_objects(og_graph_write *w, uint64_t *out) {
  uint64_t n = 0;
  for (size_t i = 0; i < w->staged.count; i++) {
    gstaged *s = &w->staged.items[i];
    if (s->expect_only || s->drop) continue;
    og_table *ours = og_table_ref(s->table), *base = NULL;
    og_keylist ko = {0}, kb = {0};
    bool ok = (ours || open_version(w->g, s->ours.descriptor, &ours, NULL) == OG_OK) &&
              og_table_objects(ours, &ko, NULL) == OG_OK &&
              (!s->has_base || (open_version(w->g, s->base.descriptor, &base, NULL) == OG_OK &&
                                og_table_objects(base, &kb, NULL) == OG_OK));
    og_map inbase = OG_MAP_INIT;
    for (size_t b = 0; ok && b < kb.count; b++) ok = og_map_sput(&inbase, kb.keys[b], NULL) == OG_OK;
    /* held objects reach the store only at the commit, under new names */
    for (size_t a = 0; ok && a < ko.count; a++)
      n += !og_map_sget(&inbase, ko.keys[a], NULL) && !og_store_pack_held(w->pack, ko.keys[a], NULL, NULL);
    og_map_dispose(&inbase);
    og_keylist_dispose(&ko);
    og_keylist_dispose(&kb);
    og_table_free(ours);
    og_table_free(base);
    if (!ok) return false;
  }
  *out = n;
  return true;
}

/*==================== held objects at the commit ====================*/

static const char *mapped_name(void *ctx, const char *key) {
  void *v = NULL;
  return og_map_sget((og_map *)ctx, key, &v) ? v : NULL;
}

static og_status name_put(og_map *names, const char *key, const char *name, og_error *err) {
  char *v = og_strdup(name);
  void *old = NULL;
  if (og_map_sget(names, key, &old)) og_free(old);
  if (!v || og_map_sput(names, key, v) != OG_OK) {
    og_free(v);
    return og_err_oom(err);
  }
  return OG_OK;
}

/* A held object written out, durable, under a fresh name minted after the
 * intent was written (a name older than a concurrent recovery's look at the
 * intents could be taken for an orphan). Once per object across attempts. */
static og_status flush_held(og_graph_write *w, const char *key, const void *data, size_t len,
                            const char **out, og_error *err) {
  void *v = NULL;
  og_buf nk = OG_BUF_INIT;
  char ulid[OG_ULID_LEN + 1];
  const char *sl = strrchr(key, '/');
  og_status rc = OG_OK;
  if (og_map_sget(&w->flushed, key, &v)) {
    *out = v;
    return OG_OK;
  }
  if ((rc = og_store_pack_ensure_created(w->pack, err)) != OG_OK) return rc;
  if (!sl || og_ulid_new(ulid) != OG_OK)
    return og_err_set(err, OG_ERROR, "graph write: cannot name held object '%s'", key);
  og_buf_put(&nk, key, (size_t)(sl - key) + 1);
  og_buf_puts(&nk, ulid);
  if (nk.oom) { rc = og_err_oom(err); goto cleanup; }
  if ((rc = og_store_put(w->g->st, nk.ptr, data, len, err)) != OG_OK) goto cleanup;
  char *k = og_buf_detach(&nk, NULL);
  if (!k || og_map_sput(&w->flushed, key, k) != OG_OK) {
    og_free(k);
    rc = og_err_oom(err);
    goto cleanup;
  }
  *out = k;
cleanup:
  og_buf_dispose(&nk);
  return rc;
}

/* Place the held objects of one staged version: embedded in `emb` (named by
 * slices of the manifest `next` becomes) when they and the re-encoded
 * descriptor fit, else all written out (a descriptor written out must not
 * name slices of an attempt that may lose). Then `next` names the version's
 * final descriptor. */
static og_status place_table(og_graph_write *w, gstaged *s, og_manifest *next, og_buf *emb,
                             og_error *err) {
  og_keylist kl = {0};
  og_map names = OG_MAP_INIT; /* held key → final name */
  og_buf desc = OG_BUF_INIT, name = OG_BUF_INIT;
  const char *dk = og_table_key(s->table), *pk = og_table_parent_key(s->table);
  size_t mark = emb->len;
  og_status rc = og_table_objects(s->table, &kl, err);
  for (int embed = 1; rc == OG_OK && embed >= 0; embed--) {
    emb->len = mark;
    names_clear(&names);
    og_buf_clear(&desc);
    og_buf_clear(&name);
    bool fits = true;
    for (size_t i = 0; rc == OG_OK && fits && i < kl.count; i++) {
      const void *d = NULL;
      size_t l = 0;
      const char *k = kl.keys[i];
      if (strcmp(k, dk) == 0 || !og_store_pack_held(w->pack, k, &d, &l)) continue;
      if (embed) {
        if (!(fits = emb->len + l <= w->embed_max)) break;
        og_buf_clear(&name);
        if ((rc = og_store_slice_key(&name, next->key, emb->len, l)) != OG_OK) break;
        og_buf_put(emb, d, l);
        rc = emb->oom ? og_err_oom(err) : name_put(&names, k, name.ptr, err);
      } else {
        const char *nk = NULL;
        if ((rc = flush_held(w, k, d, l, &nk, err)) == OG_OK) rc = name_put(&names, k, nk, err);
      }
    }
    if (rc != OG_OK) break;
    if (!fits) continue;
    /* an earlier version of this write (an earlier statement, a load chunk)
     * never reaches the store: the parent becomes the pinned version */
    if (*pk && og_store_pack_held(w->pack, pk, NULL, NULL) &&
        (rc = name_put(&names, pk, s->has_base ? s->base.descriptor : "", err)) != OG_OK)
      break;
    if ((rc = og_table_encode_moved(s->table, mapped_name, &names, &desc, err)) != OG_OK) break;
    og_buf_clear(&name);
    if (embed) {
      if (emb->len + desc.len > w->embed_max) continue;
      if ((rc = og_store_slice_key(&name, next->key, emb->len, desc.len)) != OG_OK) break;
      og_buf_put(emb, desc.ptr, desc.len);
      if (emb->oom) { rc = og_err_oom(err); break; }
    } else {
      const char *nk = NULL;
      if ((rc = flush_held(w, dk, desc.ptr, desc.len, &nk, err)) != OG_OK) break;
      og_buf_puts(&name, nk);
    }
    if (name.oom) { rc = og_err_oom(err); break; }
    og_table_entry *slot = NULL;
    for (size_t j = 0; j < next->ntables; j++)
      if (strcmp(next->tables[j].table_key, s->ours.table_key) == 0) slot = &next->tables[j];
    if (!slot || !(slot->descriptor = og_manifest_strdup(next, name.ptr))) rc = og_err_oom(err);
    break;
  }
  if (rc != OG_OK) emb->len = mark;
  names_clear(&names);
  og_keylist_dispose(&kl);
  og_buf_dispose(&desc);
  og_buf_dispose(&name);
  return rc;
}

/* The staged versions whose descriptor is still held name their final
 * objects in `next`; `emb` gets the bytes `next` carries. */
static og_status place_held(og_graph_write *w, og_manifest *next, og_buf *emb, og_error *err) {
  og_buf_clear(emb);
  for (size_t i = 0; i < w->staged.count; i++) {
    gstaged *s = &w->staged.items[i];
    if (s->expect_only || s->drop || !s->table) continue;
    if (!og_store_pack_held(w->pack, og_table_key(s->table), NULL, NULL)) continue;
    og_status rc = place_table(w, s, next, emb, err);
    if (rc != OG_OK) return rc;
  }
  return OG_OK;
}

og_status og_graph_commit(og_graph_write *w, const og_commit_opts *opts, og_snapshot **out,
                          og_error *err) {
  og_status rc = OG_OK;
  og_store *st = w->g->st;
  og_manifest *next = NULL;
  og_ghead cur = {0};
  const og_manifest *curm = w->base->m;
  og_buf body = OG_BUF_INIT, skey = OG_BUF_INIT, emb = OG_BUF_INIT;
  og_error local = OG_ERROR_INIT;
  char sha[65] = {0}, commit_id[OG_ULID_LEN + 1];
  if (out) *out = NULL;
  if (w->done) return og_err_set(err, OG_EINVAL, "graph write already committed");
  if (!opts || !opts->operation || !*opts->operation)
    return og_err_set(err, OG_EINVAL, "graph commit: operation is required");
  if (opts->merge_parent && (!opts->merge_parent->commit_id || !opts->merge_parent->branch))
    return og_err_set(err, OG_EINVAL, "graph commit: incomplete merge parent");
  if (og_ulid_new(commit_id) != OG_OK) return og_err_set(err, OG_ERROR, "no ULID");
  /* more creations than the staged versions newly reference: intermediate
   * versions (a chunked load, several statements) are garbage the next
   * recovery reclaims (docs/durability.md). Fewer is fine: a merge stages
   * versions another branch created. */
  uint64_t made = store_creates(st) - w->creates0, expected = 0;
  if (!count_new_objects(w, &expected) || made > expected) w->garbage = true;
  og_gbranch_state *bs = og_graph_branch_state(w->g, w->branch);
  if (!bs) return og_err_oom(err);
  pthread_mutex_lock(&bs->mu);
  uint64_t time_ms = og_now_ms();
  if (w->schema_set) {
    /* a schema object this write creates is named in the intent first */
    if ((rc = og_store_pack_ensure_created(w->pack, err)) != OG_OK) goto cleanup;
    uint64_t sz;
    og_buf_printf(&skey, OG_GK_SCHEMA);
    og_sha256_hex(w->schema.ptr ? w->schema.ptr : "", w->schema.len, sha);
    og_buf_puts(&skey, sha);
    if (skey.oom) { rc = og_err_oom(err); goto cleanup; }
    rc = og_store_head(st, skey.ptr, &sz, err);
    if (rc == OG_ENOTFOUND) {
      og_err_clear(err);
      rc = og_gintent_record_schema(st, w->intent, skey.ptr, err);
    }
    if (rc != OG_OK) goto cleanup;
    og_buf_clear(&skey);
    if ((rc = og_graph_put_schema(st, w->schema.ptr, w->schema.len, sha, &skey, err)) != OG_OK)
      goto cleanup;
  }
  /* another writer of this process already moved the head: rebase before
   * the first attempt instead of losing a put to it */
  if (bs->gen == w->gen && bs->known_head > curm->version) {
    if ((rc = og_graph_resolve_gen(st, w->branch, w->gen, bs->known_head, &cur, err)) != OG_OK)
      goto cleanup;
    curm = cur.m;
    if ((rc = reconcile(w, curm, err)) != OG_OK) goto cleanup;
  }
  for (unsigned attempt = 0;; attempt++) {
    if (attempt >= OG_GRAPH_MAX_RETRIES) {
      rc = og_err_set(err, OG_EBUSY,
                      "commit on branch '%s' lost %d races in a row: too much write contention",
                      w->branch, OG_GRAPH_MAX_RETRIES);
      goto cleanup;
    }
    og_manifest_free(next);
    next = NULL;
    og_buf_clear(&body);
    /* the commit time bounds the creation time of every object this
     * attempt references (recovery relies on it, intent.c) */
    time_ms = og_now_ms();
    if ((rc = og_gintent_check_lease(st, w->intent, err)) != OG_OK) goto cleanup;
    if ((rc = build_next(w, curm, commit_id, time_ms, opts, w->schema_set ? skey.ptr : NULL, sha,
                         &next, err)) != OG_OK)
      goto cleanup;
    if ((rc = place_held(w, next, &emb, err)) != OG_OK) goto cleanup;
    /* placing may have written the intent (objects written out) */
    if (w->intent->written && !next->commit.intent &&
        !(next->commit.intent = og_manifest_strdup(next, w->intent->id))) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    if ((rc = og_manifest_encode_container(next, &emb, &body, err)) != OG_OK) goto cleanup;
    if ((rc = OG_FAILPOINT(OG_FP_GRAPH_COMMIT_BEFORE_PUT, err)) != OG_OK) goto cleanup;
    rc = og_graph_publish(st, next->key, &body, commit_id, err);
    if (rc == OG_OK) break;
    if (rc != OG_EEXISTS) goto cleanup;
    og_err_clear(err);
    /* back off before re-reading: sleeping after the rebase would only
     * widen the window for the next loss */
    og_graph_backoff(attempt);
    og_ghead nh;
    if ((rc = og_graph_resolve_gen(st, w->branch, w->gen, curm->version + 1, &nh, err)) != OG_OK)
      goto cleanup;
    og_manifest_free(cur.m);
    cur = nh;
    curm = cur.m;
    if ((rc = reconcile(w, curm, err)) != OG_OK) goto cleanup;
  }
  /* committed (G1): nothing below may turn success into failure */
  w->done = true;
  (void)OG_FAILPOINT(OG_FP_GRAPH_COMMIT_AFTER_PUT, &local);
  og_graph_write_hint(st, w->branch, w->gen, next->version);
  og_graph_cache_head(w->g, w->branch, next);
  (void)OG_FAILPOINT(OG_FP_GRAPH_COMMIT_AFTER_HINT, &local);
  if (bs->gen != w->gen || bs->known_head < next->version) {
    bs->gen = w->gen;
    bs->known_head = next->version;
  }
  og_gintent_end_state(st, w->intent, w->garbage ? "sweep" : NULL);
  w->intent = NULL;
  /* the next write of this handle reads these versions: keep them open
   * (not those whose objects moved: their handles name held keys) */
  for (size_t i = 0; i < w->staged.count; i++) {
    og_table *t = w->staged.items[i].table;
    if (t && !og_store_pack_held(w->pack, og_table_key(t), NULL, NULL)) og_gtcache_put(w->g->tables, t);
  }
  if (out) {
    rc = og_snapshot_wrap(st, next, out, err);
    if (rc == OG_OK) og_snapshot_attach(*out, w->g);
    next = NULL;
    if (rc != OG_OK) rc = OG_OK; /* the commit stands; only the snapshot is missing */
  }
cleanup:
  pthread_mutex_unlock(&bs->mu);
  og_manifest_free(next);
  og_manifest_free(cur.m);
  og_buf_dispose(&body);
  og_buf_dispose(&emb);
  og_buf_dispose(&skey);
  return rc;
}
