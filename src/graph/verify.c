/* og_graph_verify: the integrity checker (docs/format-graph.md §5). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "graph/graph_int.h"
#include "graph/topo.h"

typedef struct vdesc {   /* one verified table descriptor */
  og_status rc;
  uint64_t table_version, content_version, row_count;
} vdesc;

typedef struct ventry {  /* one table entry of one manifest, checked after the scan */
  char *manifest;
  char *table_key;
  char *descriptor;
  uint64_t table_version, content_version, row_count;
} ventry;

typedef struct vparent {
  char *child;           /* manifest key */
  char *parent_key;
  char *parent_id;
} vparent;

typedef struct vctx {
  og_store *st;
  json_t *problems;
  og_map commits;        /* manifest key → commit id (owned) */
  og_map ids;            /* commit id → manifest key (owned) */
  og_map schemas;        /* sha → (void*)1 ok / (void*)2 bad */
  og_map descs;          /* descriptor key → vdesc* */
  OG_VEC(vparent) parents;
  OG_VEC(ventry) entries;
  og_map covered;        /* table object keys already checked by og_table_verify */
  og_map reach;          /* every table object key some manifest's descriptor references */
  json_t *warnings;
  uint64_t manifests, descriptors;
  bool oom;
} vctx;

static void problem(vctx *v, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(vctx *v, const char *key, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_t *p = json_pack("{s:s, s:s}", "key", key, "problem", msg);
  if (!p || json_array_append_new(v->problems, p) != 0) v->oom = true;
}

static void check_schema(vctx *v, const og_manifest *m) {
  void *state = NULL;
  if (!og_map_sget(&v->schemas, m->schema_sha256, &state)) {
    og_buf b = OG_BUF_INIT;
    og_error e = OG_ERROR_INIT;
    og_status rc = og_store_get(v->st, m->schema_key, &b, &e);
    state = (void *)1;
    if (rc != OG_OK) {
      problem(v, m->schema_key, "schema object unreadable: %s", e.message);
      state = (void *)2;
    } else {
      char sha[65];
      og_sha256_hex(b.ptr ? b.ptr : "", b.len, sha);
      if (strcmp(sha, m->schema_sha256) != 0) {
        problem(v, m->schema_key, "schema object does not match its sha256");
        state = (void *)2;
      }
    }
    og_buf_dispose(&b);
    if (og_map_sput(&v->schemas, m->schema_sha256, state) != OG_OK) v->oom = true;
  }
  if (state == (void *)2)
    problem(v, m->key, "references a missing or corrupt schema object '%s'", m->schema_key);
}

/* Defer the table checks: they run newest manifest first (see
 * verify_tables) so each table object is verified once, not once per version
 * that references it. */
static void collect_tables(vctx *v, const og_manifest *m) {
  for (size_t i = 0; i < m->ntables; i++) {
    const og_table_entry *e = &m->tables[i];
    ventry ve = {og_strdup(m->key), og_strdup(e->table_key), og_strdup(e->descriptor),
                 e->table_version, e->content_version, e->row_count};
    if (!ve.manifest || !ve.table_key || !ve.descriptor || OG_VEC_PUSH(&v->entries, ve) != OG_OK) {
      og_free(ve.manifest);
      og_free(ve.table_key);
      og_free(ve.descriptor);
      v->oom = true;
      return;
    }
  }
}

/* Open the descriptor (its checksum is verified by the open) and run the
 * full og_table_verify only when it references an object no earlier
 * successful verify covered: a history of appends then costs O(objects),
 * not O(versions x objects). */
static vdesc *check_descriptor(vctx *v, const ventry *e) {
  og_table *t = NULL;
  og_error te = OG_ERROR_INIT;
  og_keylist kl = {0};
  vdesc *d = og_calloc(1, sizeof *d);
  if (!d || og_map_sput(&v->descs, e->descriptor, d) != OG_OK) {
    og_free(d);
    v->oom = true;
    return NULL;
  }
  v->descriptors++;
  d->rc = og_table_open(v->st, e->descriptor, &t, &te);
  if (d->rc == OG_OK) {
    d->table_version = og_table_version(t);
    d->content_version = og_table_content_version(t);
    d->row_count = og_table_row_count(t);
    d->rc = og_table_objects(t, &kl, &te);
  }
  for (size_t i = 0; d->rc == OG_OK && i < kl.count; i++)
    if (og_map_sput(&v->reach, kl.keys[i], NULL) != OG_OK) v->oom = true;
  bool full = false;
  for (size_t i = 0; d->rc == OG_OK && i < kl.count && !full; i++)
    full = strcmp(kl.keys[i], e->descriptor) != 0 && !og_map_sget(&v->covered, kl.keys[i], NULL);
  if (d->rc == OG_OK && full) {
    d->rc = og_table_verify(t, &te);
    for (size_t i = 0; d->rc == OG_OK && i < kl.count; i++)
      if (og_map_sput(&v->covered, kl.keys[i], NULL) != OG_OK) v->oom = true;
  }
  if (d->rc != OG_OK) problem(v, e->descriptor, "table '%s': %s", e->table_key, te.message);
  og_keylist_dispose(&kl);
  og_table_free(t);
  return d;
}

static void verify_tables(vctx *v) {
  for (size_t i = v->entries.count; i-- > 0 && !v->oom;) {
    const ventry *e = &v->entries.items[i];
    void *p = NULL;
    vdesc *d = og_map_sget(&v->descs, e->descriptor, &p) ? p : check_descriptor(v, e);
    if (!d) return;
    if (d->rc != OG_OK) {
      problem(v, e->manifest, "table '%s' descriptor '%s' failed verification", e->table_key,
              e->descriptor);
      continue;
    }
    if (d->table_version != e->table_version || d->content_version != e->content_version ||
        d->row_count != e->row_count)
      problem(v, e->manifest,
              "table '%s': manifest says version %" PRIu64 "/content %" PRIu64 "/rows %" PRIu64
              " but descriptor '%s' has %" PRIu64 "/%" PRIu64 "/%" PRIu64,
              e->table_key, e->table_version, e->content_version, e->row_count, e->descriptor,
              d->table_version, d->content_version, d->row_count);
  }
}

static void check_manifest(vctx *v, const char *key, const char *name, uint64_t gen,
                           uint64_t ver, uint64_t prev_ver, bool *deleted_seen) {
  og_manifest *m = NULL;
  og_error e = OG_ERROR_INIT;
  v->manifests++;
  if (og_manifest_load(v->st, key, &m, &e) != OG_OK) {
    problem(v, key, "%s", e.message);
    return;
  }
  if (strcmp(m->branch, name) != 0 || m->generation != gen || m->version != ver)
    problem(v, key, "body names %s@%" PRIu64 " version %" PRIu64 ", not its key's position",
            m->branch, m->generation, m->version);
  if (*deleted_seen) problem(v, key, "version after the branch's final (deleted) manifest");
  if (m->deleted) *deleted_seen = true;
  if (prev_ver && ver != prev_ver + 1)
    problem(v, key, "version chain is not contiguous: versions %" PRIu64 "..%" PRIu64 " missing",
            prev_ver + 1, ver - 1);
  if (!prev_ver && ver != 1)
    problem(v, key, "versions 1..%" PRIu64 " of this branch are missing", ver - 1);
  /* parent rules: version 1 of main has none (init); version 1 of another
   * branch names its source; later versions name version-1 first */
  const og_commit_info *c = &m->commit;
  bool is_init = strcmp(name, OG_GRAPH_MAIN) == 0 && gen == 1 && ver == 1;
  if (is_init && c->nparents != 0) problem(v, key, "the init commit has parents");
  if (!is_init && c->nparents == 0) problem(v, key, "commit has no parent");
  if (ver > 1 && c->nparents > 0 &&
      (strcmp(c->parents[0].branch, name) != 0 || c->parents[0].generation != gen ||
       c->parents[0].version != ver - 1))
    problem(v, key, "first parent is not the previous version of the branch");
  void *dup = NULL;
  if (og_map_sget(&v->ids, c->commit_id, &dup)) {
    problem(v, key, "commit id %s also used by '%s'", c->commit_id, (const char *)dup);
  } else {
    char *id = og_strdup(c->commit_id), *k = og_strdup(key);
    if (!id || !k || og_map_sput(&v->commits, key, id) != OG_OK) {
      og_free(id);
      og_free(k);
      v->oom = true;
    } else if (og_map_sput(&v->ids, c->commit_id, k) != OG_OK) {
      og_free(k);
      v->oom = true;
    }
  }
  for (size_t i = 0; i < c->nparents; i++) {
    og_buf pk = OG_BUF_INIT;
    const og_commit_ref *p = &c->parents[i];
    vparent vp = {og_strdup(key), NULL, og_strdup(p->commit_id)};
    if (og_gkey_log(&pk, p->branch, p->generation, p->version) == OG_OK)
      vp.parent_key = og_buf_detach(&pk, NULL);
    if (!vp.child || !vp.parent_key || !vp.parent_id || OG_VEC_PUSH(&v->parents, vp) != OG_OK) {
      og_free(vp.child);
      og_free(vp.parent_key);
      og_free(vp.parent_id);
      v->oom = true;
    }
    og_buf_dispose(&pk);
  }
  check_schema(v, m);
  collect_tables(v, m);
  og_manifest_free(m);
}

static void warning(vctx *v, const char *key, const char *msg) {
  json_t *p = json_pack("{s:s, s:s}", "key", key, "warning", msg);
  if (!p || json_array_append_new(v->warnings, p) != 0) v->oom = true;
}

/* A persisted topology (topo.h) of a descriptor some manifest references
 * is known and fully checked (a bad one is a problem: readers fall back to
 * building, but it should not be there); false when it belongs to no
 * referenced descriptor (an orphan, like any other). */
static bool check_topology(vctx *v, const char *key) {
  og_topo_hdr h;
  og_error e = OG_ERROR_INIT;
  if (og_topo_read_header(v->st, key, &h, &e) != OG_OK) {
    problem(v, key, "%s", e.message);
    return true;
  }
  bool ref = og_map_sget(&v->descs, h.edge_key, NULL);
  if (ref && og_topo_check(v->st, key, h.edge_key, &e) != OG_OK) problem(v, key, "%s", e.message);
  og_topo_hdr_dispose(&h);
  return ref;
}

/* Orphans (objects no manifest references: left by a crashed, failed or
 * in-flight writer; recovery or cleanup reclaims them) and leftover write
 * intents. Warnings, not problems: a running writer legitimately has both. */
static og_status check_leftovers(vctx *v, size_t *orphans, size_t *intents, og_error *err) {
  static const char *const prefixes[] = {"t/", OG_GK_SCHEMA};
  og_status rc = OG_OK;
  for (size_t p = 0; p < 2 && rc == OG_OK; p++) {
    og_keylist kl = {0};
    if ((rc = og_store_list(v->st, prefixes[p], &kl, err)) != OG_OK) break;
    for (size_t i = 0; i < kl.count; i++) {
      const char *k = kl.keys[i], *last = strrchr(k, '/');
      if (last && last[1] == '.') continue; /* backend temp files */
      bool known = p == 0 ? og_map_sget(&v->reach, k, NULL) || og_map_sget(&v->descs, k, NULL)
                          : og_map_sget(&v->schemas, k + strlen(OG_GK_SCHEMA), NULL);
      if (known) continue;
      if (p == 0 && og_topo_is_key(k) && check_topology(v, k)) continue;
      warning(v, k, "orphan object: no manifest references it");
      (*orphans)++;
    }
    og_keylist_dispose(&kl);
  }
  /* a branch record whose incarnation has no version 1: a branch create
   * that failed between its two puts */
  og_keylist bl = {0};
  if (rc == OG_OK && (rc = og_store_list(v->st, OG_GK_BRANCHES, &bl, err)) == OG_OK) {
    for (size_t i = 0; i < bl.count; i++) {
      const char *seg = bl.keys[i] + strlen(OG_GK_BRANCHES), *last = strrchr(bl.keys[i], '/');
      if (last && last[1] == '.') continue;
      char lk[1100];
      snprintf(lk, sizeof lk, OG_GK_LOG "%s/%020d", seg, 1);
      if (og_map_sget(&v->commits, lk, NULL)) continue;
      warning(v, bl.keys[i], "orphan object: branch record of a branch that was never created");
      (*orphans)++;
    }
  }
  og_keylist_dispose(&bl);
  og_intent_list il = {0};
  if (rc == OG_OK && (rc = og_graph_intents(v->st, &il, err)) == OG_OK) {
    for (size_t i = 0; i < il.count; i++) {
      char key[128], msg[512];
      snprintf(key, sizeof key, OG_GK_INTENTS "%s", il.items[i].id);
      snprintf(msg, sizeof msg, "write intent left: %s (%s)",
               il.items[i].live ? "its writer is running" : "its writer is gone; a read-write open recovers it",
               il.items[i].reason);
      warning(v, key, msg);
    }
    *intents = il.count;
  }
  og_intent_list_dispose(&il);
  return rc;
}

og_status og_graph_verify(og_store *st, og_buf *report, og_error *err) {
  og_status rc = OG_OK;
  og_keylist kl = {0};
  vctx v;
  memset(&v, 0, sizeof v);
  v.st = st;
  size_t norphans = 0, nintents = 0;
  if (!(v.problems = json_array())) return og_err_oom(err);
  if (!(v.warnings = json_array())) {
    json_decref(v.problems);
    return og_err_oom(err);
  }
  if ((rc = og_store_list(st, OG_GK_LOG, &kl, err)) != OG_OK) goto cleanup;
  bool main_seen = false;
  char cur_name[OG_GRAPH_BRANCH_NAME_MAX + 1] = "";
  uint64_t cur_gen = 0, prev_ver = 0;
  bool deleted_seen = false;
  for (size_t i = 0; i < kl.count; i++) {
    char name[OG_GRAPH_BRANCH_NAME_MAX + 1];
    uint64_t gen, ver;
    if (!og_gkey_parse_log(kl.keys[i], name, sizeof name, &gen, &ver)) {
      if (!og_str_startswith(kl.keys[i] + strlen(OG_GK_LOG), ".")) /* backend temp files */
        problem(&v, kl.keys[i], "unexpected key in the log namespace");
      continue;
    }
    if (strcmp(name, cur_name) != 0 || gen != cur_gen) {
      strcpy(cur_name, name);
      cur_gen = gen;
      prev_ver = 0;
      deleted_seen = false;
    }
    if (strcmp(name, OG_GRAPH_MAIN) == 0 && gen == 1) main_seen = true;
    check_manifest(&v, kl.keys[i], name, gen, ver, prev_ver, &deleted_seen);
    prev_ver = ver;
  }
  if (!main_seen) problem(&v, "log/main@1/", "no main branch: the store holds no graph");
  verify_tables(&v);
  for (size_t i = 0; i < v.parents.count; i++) {
    const vparent *p = &v.parents.items[i];
    void *id = NULL;
    if (!og_map_sget(&v.commits, p->parent_key, &id))
      problem(&v, p->child, "parent '%s' (commit %s) not found", p->parent_key, p->parent_id);
    else if (strcmp((const char *)id, p->parent_id) != 0)
      problem(&v, p->child, "parent '%s' holds commit %s, not %s", p->parent_key,
              (const char *)id, p->parent_id);
  }
  if ((rc = check_leftovers(&v, &norphans, &nintents, err)) != OG_OK) goto cleanup;
  if (v.oom) { rc = og_err_oom(err); goto cleanup; }
  size_t np = json_array_size(v.problems);
  if (report) {
    json_t *r = json_pack("{s:b, s:I, s:I, s:O, s:I, s:I, s:O}", "ok", np == 0, "manifests",
                          (json_int_t)v.manifests, "descriptors", (json_int_t)v.descriptors,
                          "problems", v.problems, "orphans", (json_int_t)norphans, "intents",
                          (json_int_t)nintents, "warnings", v.warnings);
    char *txt = r ? json_dumps(r, JSON_COMPACT) : NULL;
    if (!txt || og_buf_puts(report, txt) != OG_OK) rc = og_err_oom(err);
    free(txt); /* jansson's allocation */
    json_decref(r);
    if (rc != OG_OK) goto cleanup;
  }
  if (np) {
    json_t *first = json_array_get(v.problems, 0);
    rc = og_err_set(err, OG_ECORRUPT, "graph verify: %zu problem(s); first: %s: %s", np,
                    json_string_value(json_object_get(first, "key")),
                    json_string_value(json_object_get(first, "problem")));
  }
cleanup:
  og_keylist_dispose(&kl);
  json_decref(v.problems);
  json_decref(v.warnings);
  og_map_dispose(&v.reach);
  size_t pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(&v.commits, &pos))) og_free(e->value);
  pos = 0;
  while ((e = og_map_next(&v.descs, &pos))) og_free(e->value);
  pos = 0;
  while ((e = og_map_next(&v.ids, &pos))) og_free(e->value);
  og_map_dispose(&v.commits);
  og_map_dispose(&v.ids);
  og_map_dispose(&v.schemas);
  og_map_dispose(&v.descs);
  for (size_t i = 0; i < v.parents.count; i++) {
    og_free(v.parents.items[i].child);
    og_free(v.parents.items[i].parent_key);
    og_free(v.parents.items[i].parent_id);
  }
  OG_VEC_FREE(&v.parents);
  for (size_t i = 0; i < v.entries.count; i++) {
    og_free(v.entries.items[i].manifest);
    og_free(v.entries.items[i].table_key);
    og_free(v.entries.items[i].descriptor);
  }
  OG_VEC_FREE(&v.entries);
  og_map_dispose(&v.covered);
  return rc;
}
