/* cleanup: retention floors and reclamation of table objects no retained
 * version references (maint.h; docs/maintenance.md). Not a hot path: it
 * reads every manifest of every incarnation once. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"
#include "graph/topo.h"
#include "graph/maint.h"

/*
 * Floor objects are immutable and created with put_if_absent; the floor is
 * the MAXIMUM over the objects present, so two cleanups racing can never
 * lower it. The key carries everything (the sealed body is for humans):
 *   floor/<enc>@<gen>/v/<20 digits>               incarnation floor
 *   floor/<enc>@<gen>/t/<table_key>/<20 digits>   table floor
 */

typedef struct tfloor {
  char *table_key;
  uint64_t old_v, new_v;
} tfloor;

typedef struct inc {
  char *seg;                 /* "<enc>@<gen>" (the log's key segment) */
  char name[OG_GRAPH_BRANCH_NAME_MAX + 1];
  uint64_t gen;
  OG_VEC(og_manifest *) ms;  /* ascending versions */
  uint64_t head;
  bool deleted;
  uint64_t floor_old, floor_new;
  OG_VEC(tfloor) tf;
} inc;

typedef struct scan {
  OG_VEC(inc) incs;
  og_keylist floor_keys;
} scan;

static void scan_dispose(scan *s) {
  for (size_t i = 0; i < s->incs.count; i++) {
    inc *c = &s->incs.items[i];
    og_free(c->seg);
    for (size_t j = 0; j < c->ms.count; j++) og_manifest_free(c->ms.items[j]);
    OG_VEC_FREE(&c->ms);
    for (size_t j = 0; j < c->tf.count; j++) og_free(c->tf.items[j].table_key);
    OG_VEC_FREE(&c->tf);
  }
  OG_VEC_FREE(&s->incs);
  og_keylist_dispose(&s->floor_keys);
}

static inc *find_inc(scan *s, const char *seg, size_t n) {
  for (size_t i = s->incs.count; i-- > 0;)
    if (strlen(s->incs.items[i].seg) == n && memcmp(s->incs.items[i].seg, seg, n) == 0)
      return &s->incs.items[i];
  return NULL;
}

static tfloor *find_tf(inc *c, const char *tk) {
  for (size_t i = 0; i < c->tf.count; i++)
    if (strcmp(c->tf.items[i].table_key, tk) == 0) return &c->tf.items[i];
  return NULL;
}

static og_status add_tf(inc *c, const char *tk, uint64_t v, bool as_old, og_error *err) {
  tfloor *f = find_tf(c, tk);
  if (!f) {
    tfloor n = {og_strdup(tk), 0, 0};
    if (!n.table_key || OG_VEC_PUSH(&c->tf, n) != OG_OK) {
      og_free(n.table_key);
      return og_err_oom(err);
    }
    f = &c->tf.items[c->tf.count - 1];
  }
  if (as_old && v > f->old_v) f->old_v = v;
  if (v > f->new_v) f->new_v = v;
  return OG_OK;
}

static bool parse_u64s(const char *s, uint64_t *out) {
  if (!*s || strlen(s) > 20) return false;
  uint64_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return false;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  *out = v;
  return true;
}

/* Read every manifest (grouped by incarnation) and every floor object. */
static og_status scan_load(og_store *st, scan *s, og_error *err) {
  og_keylist kl = {0};
  og_status rc = og_store_list(st, OG_GK_LOG, &kl, err);
  if (rc != OG_OK) goto cleanup;
  for (size_t i = 0; i < kl.count; i++) {
    char name[OG_GRAPH_BRANCH_NAME_MAX + 1];
    uint64_t gen, ver;
    const char *k = kl.keys[i];
    if (!og_gkey_parse_log(k, name, sizeof name, &gen, &ver)) {
      const char *rest = k + strlen(OG_GK_LOG);
      if (*rest == '.') continue; /* posix backend temp file */
      rc = og_err_set(err, OG_ECORRUPT, "cleanup: unexpected key '%s' in the log namespace", k);
      goto cleanup;
    }
    const char *seg = k + strlen(OG_GK_LOG);
    size_t n = (size_t)(strchr(seg, '/') - seg);
    inc *c = find_inc(s, seg, n);
    if (!c) {
      inc nc;
      memset(&nc, 0, sizeof nc);
      nc.seg = og_malloc(n + 1);
      if (!nc.seg) { rc = og_err_oom(err); goto cleanup; }
      memcpy(nc.seg, seg, n);
      nc.seg[n] = 0;
      snprintf(nc.name, sizeof nc.name, "%s", name);
      nc.gen = gen;
      nc.floor_old = nc.floor_new = 1;
      if (OG_VEC_PUSH(&s->incs, nc) != OG_OK) {
        og_free(nc.seg);
        rc = og_err_oom(err);
        goto cleanup;
      }
      c = &s->incs.items[s->incs.count - 1];
    }
    og_manifest *m = NULL;
    /* a manifest we cannot read may reference anything: refuse to delete */
    if ((rc = og_manifest_load(st, k, &m, err)) != OG_OK) {
      og_err_prefix(err, "cleanup refused (run verify)");
      goto cleanup;
    }
    if (OG_VEC_PUSH(&c->ms, m) != OG_OK) {
      og_manifest_free(m);
      rc = og_err_oom(err);
      goto cleanup;
    }
    c->head = ver;
    c->deleted = m->deleted;
  }
  if ((rc = og_store_list(st, OG_MAINT_FLOOR_PREFIX, &s->floor_keys, err)) != OG_OK) goto cleanup;
  for (size_t i = 0; i < s->floor_keys.count; i++) {
    const char *seg = s->floor_keys.keys[i] + strlen(OG_MAINT_FLOOR_PREFIX);
    const char *sl = strchr(seg, '/');
    if (!sl) continue;
    inc *c = find_inc(s, seg, (size_t)(sl - seg));
    if (!c) continue; /* floor of an incarnation without manifests: ignored */
    const char *last = strrchr(sl, '/');
    uint64_t v = 0;
    if (!parse_u64s(last + 1, &v)) continue;
    if (strncmp(sl, "/v/", 3) == 0 && last == sl + 2) {
      if (v > c->floor_old) c->floor_old = c->floor_new = v;
    } else if (strncmp(sl, "/t/", 3) == 0 && last > sl + 3) {
      char tk[512];
      size_t tn = (size_t)(last - (sl + 3));
      if (tn >= sizeof tk) continue;
      memcpy(tk, sl + 3, tn);
      tk[tn] = 0;
      if ((rc = add_tf(c, tk, v, true, err)) != OG_OK) goto cleanup;
    }
  }
cleanup:
  og_keylist_dispose(&kl);
  return rc;
}

static bool entry_released(const inc *c, const og_manifest *m, const char *tk) {
  if (m->version < c->floor_new) return true;
  for (size_t i = 0; i < c->tf.count; i++)
    if (strcmp(c->tf.items[i].table_key, tk) == 0 && m->version < c->tf.items[i].new_v)
      return true;
  return false;
}

/* New floors from the retention options (a floor never drops). */
static void compute_floors(scan *s, const og_cleanup_opts *o, uint64_t now) {
  for (size_t i = 0; i < s->incs.count; i++) {
    inc *c = &s->incs.items[i];
    uint64_t f = c->floor_old;
    if (c->deleted) {
      f = c->head + 1; /* nothing of a deleted incarnation is retained */
    } else if (o->keep_set || o->older_than_set) {
      uint64_t fk = c->head, ft = c->head;
      if (o->keep_set) fk = c->head >= o->keep ? c->head - o->keep + 1 : 1;
      if (o->older_than_set) {
        uint64_t cutoff = now > o->older_than_ms ? now - o->older_than_ms : 0;
        /* retained suffix: versions committed at or after the cutoff */
        for (size_t j = c->ms.count; j-- > 1;) {
          if (c->ms.items[j - 1]->commit.time_ms < cutoff) break;
          ft = c->ms.items[j - 1]->version;
        }
      }
      uint64_t nf = o->keep_set && o->older_than_set ? (fk < ft ? fk : ft)
                    : o->keep_set                    ? fk
                                                     : ft;
      if (nf < 1) nf = 1;
      if (nf > c->head) nf = c->head; /* the head is always retained */
      if (nf > f) f = nf;
    }
    c->floor_new = f;
  }
}

/*==================== merge bases stay retained ====================*/

/* The manifest of (branch, generation, version), or NULL (released history
 * of an older run, or an unknown incarnation). */
static const og_manifest *find_manifest(const scan *s, const og_commit_ref *r, size_t *inc_out) {
  for (size_t i = 0; i < s->incs.count; i++) {
    const inc *c = &s->incs.items[i];
    if (c->gen != r->generation || strcmp(c->name, r->branch) != 0) continue;
    size_t lo = 0, hi = c->ms.count;
    while (lo < hi) { /* ms is ascending by version */
      size_t mid = (lo + hi) / 2;
      if (c->ms.items[mid]->version < r->version) lo = mid + 1;
      else hi = mid;
    }
    if (lo < c->ms.count && c->ms.items[lo]->version == r->version) {
      *inc_out = i;
      return c->ms.items[lo];
    }
    return NULL;
  }
  return NULL;
}

static uint64_t node_id(size_t inc_index, uint64_t version) {
  return ((uint64_t)inc_index << 40) | version;
}

/* Every commit reachable from incarnation a's head, as node ids. */
static og_status ancestors(const scan *s, size_t a, og_u64map *seen, og_error *err) {
  OG_VEC(const og_manifest *) stack = OG_VEC_INIT;
  const inc *c = &s->incs.items[a];
  og_status rc = OG_OK;
  if (!c->ms.count) return OG_OK;
  if (OG_VEC_PUSH(&stack, c->ms.items[c->ms.count - 1]) || og_u64map_put(seen, node_id(a, c->head), 1)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  while (stack.count) {
    const og_manifest *m = stack.items[--stack.count];
    for (size_t k = 0; k < m->commit.nparents; k++) {
      size_t pi = 0;
      const og_manifest *p = find_manifest(s, &m->commit.parents[k], &pi);
      if (!p || og_u64map_get(seen, node_id(pi, p->version), NULL)) continue;
      if (og_u64map_put(seen, node_id(pi, p->version), 1) || OG_VEC_PUSH(&stack, p)) {
        rc = og_err_oom(err);
        goto cleanup;
      }
    }
  }
cleanup:
  OG_VEC_FREE(&stack);
  return rc;
}

typedef struct walk_item {
  const og_manifest *m;
  size_t inc;
} walk_item;

/* A later merge of two live branches reads their common ancestor's table
 * versions, so cleanup must not release them: for every pair of live
 * incarnations, the common ancestors first reached from b's head (the
 * candidates og_graph_merge_base can pick) cap their incarnation's floor. */
static og_status protect_merge_bases(scan *s, og_error *err) {
  og_status rc = OG_OK;
  OG_VEC(walk_item) stack = OG_VEC_INIT;
  og_u64map anc = OG_U64MAP_INIT, seen = OG_U64MAP_INIT;
  for (size_t a = 0; a < s->incs.count && !rc; a++) {
    if (s->incs.items[a].deleted) continue;
    og_u64map_dispose(&anc);
    if ((rc = ancestors(s, a, &anc, err))) break;
    for (size_t b = 0; b < s->incs.count && !rc; b++) {
      inc *cb = &s->incs.items[b];
      if (b == a || cb->deleted || !cb->ms.count) continue;
      og_u64map_dispose(&seen);
      stack.count = 0;
      walk_item head = {cb->ms.items[cb->ms.count - 1], b};
      if (OG_VEC_PUSH(&stack, head)) rc = og_err_oom(err);
      while (stack.count && !rc) {
        walk_item w = stack.items[--stack.count];
        if (og_u64map_get(&anc, node_id(w.inc, w.m->version), NULL)) {
          inc *ci = &s->incs.items[w.inc];
          uint64_t cap = w.m->version > ci->floor_old ? w.m->version : ci->floor_old;
          if (ci->floor_new > cap) ci->floor_new = cap; /* a common ancestor: keep it */
          continue;                                     /* and do not walk below it */
        }
        for (size_t k = 0; k < w.m->commit.nparents && !rc; k++) {
          walk_item p = {NULL, 0};
          p.m = find_manifest(s, &w.m->commit.parents[k], &p.inc);
          if (!p.m || og_u64map_get(&seen, node_id(p.inc, p.m->version), NULL)) continue;
          if (og_u64map_put(&seen, node_id(p.inc, p.m->version), 1) || OG_VEC_PUSH(&stack, p))
            rc = og_err_oom(err);
        }
      }
    }
  }
  og_u64map_dispose(&anc);
  og_u64map_dispose(&seen);
  OG_VEC_FREE(&stack);
  return rc;
}

/*==================== object sets ====================*/

typedef struct objsets {
  og_map live;       /* object key → NULL: referenced by a retained entry */
  og_map live_desc;  /* descriptor key → NULL */
  og_map cand;       /* object key → table key (borrowed from a manifest) */
  og_map prefix_tk;  /* "t/<prefix>" → table key */
} objsets;

static void objsets_dispose(objsets *o) {
  og_map_dispose(&o->live);
  og_map_dispose(&o->live_desc);
  og_map_dispose(&o->cand);
  og_map_dispose(&o->prefix_tk);
}

static og_status note_prefix(objsets *o, const char *desc, const char *tk, og_error *err) {
  const char *v = strstr(desc, "/ver/");
  if (!v) return OG_OK;
  if (og_map_get(&o->prefix_tk, desc, (size_t)(v - desc), NULL)) return OG_OK;
  return og_map_put(&o->prefix_tk, desc, (size_t)(v - desc), (void *)tk) == OG_OK ? OG_OK
                                                                               : og_err_oom(err);
}

static og_status build_live(og_store *st, scan *s, objsets *o, og_error *err) {
  og_status rc = OG_OK;
  for (size_t i = 0; i < s->incs.count; i++) {
    inc *c = &s->incs.items[i];
    for (size_t j = 0; j < c->ms.count; j++) {
      og_manifest *m = c->ms.items[j];
      for (size_t t = 0; t < m->ntables; t++) {
        const og_table_entry *e = &m->tables[t];
        if ((rc = note_prefix(o, e->descriptor, e->table_key, err)) != OG_OK) return rc;
        if (entry_released(c, m, e->table_key)) continue;
        if (og_map_sget(&o->live_desc, e->descriptor, NULL)) continue;
        if (og_map_sput(&o->live_desc, e->descriptor, NULL) != OG_OK) return og_err_oom(err);
        og_table *tb = NULL;
        og_keylist kl = {0};
        rc = og_table_open(st, e->descriptor, &tb, err);
        if (rc == OG_OK) rc = og_table_objects(tb, &kl, err);
        for (size_t k = 0; rc == OG_OK && k < kl.count; k++)
          if (og_map_sput(&o->live, kl.keys[k], NULL) != OG_OK) rc = og_err_oom(err);
        og_keylist_dispose(&kl);
        og_table_free(tb);
        if (rc != OG_OK) {
          og_err_prefix(err, "cleanup refused: retained version %s of '%s' (run verify)", m->key,
                        e->table_key);
          return rc;
        }
      }
    }
  }
  return OG_OK;
}

static og_status build_candidates(og_store *st, scan *s, objsets *o, og_error *err) {
  og_map seen = OG_MAP_INIT;
  og_status rc = OG_OK;
  for (size_t i = 0; i < s->incs.count && rc == OG_OK; i++) {
    inc *c = &s->incs.items[i];
    for (size_t j = 0; j < c->ms.count && rc == OG_OK; j++) {
      og_manifest *m = c->ms.items[j];
      for (size_t t = 0; t < m->ntables && rc == OG_OK; t++) {
        const og_table_entry *e = &m->tables[t];
        if (!entry_released(c, m, e->table_key)) continue;
        if (og_map_sget(&o->live_desc, e->descriptor, NULL) || og_map_sget(&seen, e->descriptor, NULL))
          continue;
        if (og_map_sput(&seen, e->descriptor, NULL) != OG_OK) { rc = og_err_oom(err); break; }
        og_table *tb = NULL;
        og_keylist kl = {0};
        og_error e2 = OG_ERROR_INIT;
        /* already cleaned (or unreadable): its leftovers are found as orphans */
        if (og_table_open(st, e->descriptor, &tb, &e2) == OG_OK &&
            og_table_objects(tb, &kl, &e2) == OG_OK) {
          for (size_t k = 0; k < kl.count; k++) {
            /* embedded objects go with the manifest that carries them */
            if (og_map_sget(&o->live, kl.keys[k], NULL) || !og_store_key_plain(kl.keys[k])) continue;
            if (og_map_sput(&o->cand, kl.keys[k], (void *)e->table_key) != OG_OK) {
              rc = og_err_oom(err);
              break;
            }
          }
        } else if (og_store_key_plain(e->descriptor) &&
                   og_map_sput(&o->cand, e->descriptor, (void *)e->table_key) != OG_OK) {
          rc = og_err_oom(err); /* a corrupt released descriptor is itself reclaimable */
        }
        og_keylist_dispose(&kl);
        og_table_free(tb);
      }
    }
  }
  og_map_dispose(&seen);
  return rc;
}

/* ULID time of an object key's last segment (0 when it has none). */
static uint64_t key_time_ms(const char *key) {
  const char *last = strrchr(key, '/');
  last = last ? last + 1 : key;
  if (strlen(last) < OG_ULID_LEN) return 0;
  char u[OG_ULID_LEN + 1];
  memcpy(u, last, OG_ULID_LEN);
  u[OG_ULID_LEN] = 0;
  return og_ulid_valid(u) ? og_ulid_time_ms(u) : 0;
}

static const char *prefix_table(const objsets *o, const char *key) {
  /* "t/<prefix>/<kind>/<ULID>": the prefix is the first two segments */
  const char *a = strchr(key, '/');
  const char *b = a ? strchr(a + 1, '/') : NULL;
  void *tk = NULL;
  if (b && og_map_get(&o->prefix_tk, key, (size_t)(b - key), &tk)) return tk;
  return NULL;
}

/*==================== result ====================*/

void og_cleanup_result_dispose(og_cleanup_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->count; i++) {
    og_free(r->tables[i].table_key);
    og_free(r->tables[i].error);
  }
  og_free(r->tables);
  memset(r, 0, sizeof *r);
}

static og_cleanup_stat *stat_for(og_cleanup_result *r, const char *tk) {
  for (size_t i = 0; i < r->count; i++)
    if (strcmp(r->tables[i].table_key, tk) == 0) return &r->tables[i];
  return NULL;
}

static int stat_cmp(const void *a, const void *b) {
  return strcmp(((const og_cleanup_stat *)a)->table_key, ((const og_cleanup_stat *)b)->table_key);
}

static og_status init_stats(scan *s, og_cleanup_result *r, og_error *err) {
  size_t cap = 0;
  for (size_t i = 0; i < s->incs.count; i++) {
    inc *c = &s->incs.items[i];
    for (size_t j = 0; j < c->ms.count; j++) {
      const og_manifest *m = c->ms.items[j];
      for (size_t t = 0; t < m->ntables; t++) {
        if (stat_for(r, m->tables[t].table_key)) continue;
        if (r->count == cap) {
          cap = cap ? cap * 2 : 8;
          og_cleanup_stat *n = og_realloc(r->tables, cap * sizeof *n);
          if (!n) return og_err_oom(err);
          r->tables = n;
        }
        og_cleanup_stat *st = &r->tables[r->count];
        memset(st, 0, sizeof *st);
        if (!(st->table_key = og_strdup(m->tables[t].table_key))) return og_err_oom(err);
        r->count++;
      }
    }
  }
  if (r->count) qsort(r->tables, r->count, sizeof *r->tables, stat_cmp);
  return OG_OK;
}

/*==================== floors ====================*/

static og_status put_floor(og_store *st, const inc *c, const char *tk, uint64_t v, og_error *err) {
  og_buf key = OG_BUF_INIT, body = OG_BUF_INIT;
  og_status rc = OG_OK;
  og_buf_printf(&key, "%s%s/", OG_MAINT_FLOOR_PREFIX, c->seg);
  if (tk) og_buf_printf(&key, "t/%s/%020" PRIu64, tk, v);
  else og_buf_printf(&key, "v/%020" PRIu64, v);
  json_t *o = json_pack("{s:i, s:s, s:s, s:I, s:I, s:s?}", "format", 1, "kind", "retention_floor",
                        "branch", c->name, "generation", (json_int_t)c->gen, "version",
                        (json_int_t)v, "table", tk);
  if (key.oom || !o) { rc = og_err_oom(err); goto cleanup; }
  if ((rc = og_gseal(o, &body, err)) != OG_OK) goto cleanup;
  rc = og_store_put_if_absent(st, key.ptr, body.ptr, body.len, err);
  if (rc == OG_EEXISTS) {
    og_err_clear(err);
    rc = OG_OK;
  }
cleanup:
  json_decref(o);
  og_buf_dispose(&key);
  og_buf_dispose(&body);
  return rc;
}

/* Superseded floor objects (a higher one of the same scope now exists). */
static void drop_old_floors(og_store *st, scan *s) {
  for (size_t i = 0; i < s->floor_keys.count; i++) {
    const char *k = s->floor_keys.keys[i];
    const char *seg = k + strlen(OG_MAINT_FLOOR_PREFIX);
    const char *sl = strchr(seg, '/');
    if (!sl) continue;
    inc *c = find_inc(s, seg, (size_t)(sl - seg));
    const char *last = strrchr(sl, '/');
    uint64_t v = 0;
    if (!c || !parse_u64s(last + 1, &v)) continue;
    bool stale = false;
    if (strncmp(sl, "/v/", 3) == 0 && last == sl + 2) {
      stale = v < c->floor_new;
    } else if (strncmp(sl, "/t/", 3) == 0 && last > sl + 3) {
      char tk[512];
      size_t tn = (size_t)(last - (sl + 3));
      if (tn >= sizeof tk) continue;
      memcpy(tk, sl + 3, tn);
      tk[tn] = 0;
      tfloor *f = find_tf(c, tk);
      stale = f && v < f->new_v;
    }
    if (stale) (void)og_store_delete(st, k, NULL);
  }
}

static og_status write_floors(og_store *st, scan *s, og_cleanup_result *r, og_error *err) {
  for (size_t i = 0; i < s->incs.count; i++) {
    inc *c = &s->incs.items[i];
    if (c->floor_new > c->floor_old) {
      r->versions_released += c->floor_new - c->floor_old;
      og_status rc = put_floor(st, c, NULL, c->floor_new, err);
      if (rc != OG_OK) return rc;
    }
  }
  return OG_OK;
}

/*==================== cleanup ====================*/

/* Clock skew allowed between a writer's intent and its first object. */
#define OG_MAINT_INTENT_SKEW_MS 1000ull

static bool is_descriptor(const char *k) { return strstr(k, "/ver/") != NULL; }

static void record_error(og_cleanup_stat *st, const og_error *e) {
  if (st && !st->error) st->error = og_strdup(e->message);
}

/* Deletes run on a small pool: on posix every delete syncs its directory,
 * and GC deletes need no ordering within a phase. Width:
 * OMNIGRAPH_MAINTENANCE_CONCURRENCY (positive integer, default 8). */
typedef struct djob {
  const char *key;
  const char *tk;   /* table key or NULL */
  bool orphan;
} djob;

typedef struct dpool {
  og_store *st;
  const djob *jobs;
  size_t n, next;
  pthread_mutex_t mu;
  og_cleanup_result *r;
  og_status rc;     /* first failpoint error: stops the pool */
  og_error err;
} dpool;

static void delete_job(dpool *p, const djob *j) {
  og_error e2 = OG_ERROR_INIT;
  uint64_t size = 0;
  og_status rc = OG_FAILPOINT(OG_FP_MAINT_CLEANUP_DELETE, &e2);
  bool gone = false, failed = false;
  if (rc == OG_OK) {
    if (og_store_head(p->st, j->key, &size, &e2) == OG_ENOTFOUND) gone = true;
    else failed = og_store_delete(p->st, j->key, &e2) != OG_OK;
  }
  pthread_mutex_lock(&p->mu);
  og_cleanup_stat *s = j->tk ? stat_for(p->r, j->tk) : NULL;
  if (rc != OG_OK) {
    if (p->rc == OG_OK) {
      p->rc = rc;
      p->err = e2;
    }
  } else if (failed) {
    p->r->errors++;
    record_error(s, &e2); /* isolated: other objects and tables continue */
  } else if (!gone) {
    p->r->objects_removed++;
    p->r->bytes_removed += size;
    if (j->orphan) p->r->orphans_removed++;
    if (s) {
      s->objects_removed++;
      s->bytes_removed += size;
      if (is_descriptor(j->key)) s->old_versions_removed++;
    }
  }
  pthread_mutex_unlock(&p->mu);
}

static void *delete_worker(void *arg) {
  dpool *p = arg;
  for (;;) {
    pthread_mutex_lock(&p->mu);
    size_t i = p->next < p->n && p->rc == OG_OK ? p->next++ : p->n;
    pthread_mutex_unlock(&p->mu);
    if (i >= p->n) return NULL;
    delete_job(p, &p->jobs[i]);
  }
}

static unsigned pool_width(void) {
  return (unsigned)og_graph_knob(OG_KNOB_MAINTENANCE_CONCURRENCY);
}

static og_status delete_all(og_store *st, const djob *jobs, size_t n, og_cleanup_result *r,
                            og_error *err) {
  dpool p;
  memset(&p, 0, sizeof p);
  p.st = st;
  p.jobs = jobs;
  p.n = n;
  p.r = r;
  pthread_mutex_init(&p.mu, NULL);
  unsigned w = pool_width();
  if (w > n) w = (unsigned)n;
  pthread_t th[64];
  unsigned started = 0;
  for (unsigned i = 1; i < w; i++)
    if (pthread_create(&th[started], NULL, delete_worker, &p) == 0) started++;
  delete_worker(&p); /* the caller works too: width 1 needs no thread */
  for (unsigned i = 0; i < started; i++) pthread_join(th[i], NULL);
  pthread_mutex_destroy(&p.mu);
  if (p.rc != OG_OK && err) *err = p.err;
  return p.rc;
}

static og_status run_cleanup(og_store *st, const og_cleanup_opts *o, og_cleanup_result *out,
                             og_error *err) {
  scan s;
  objsets os;
  og_keylist objs = {0}, intents = {0};
  OG_VEC(djob) order = OG_VEC_INIT;
  OG_VEC(const char *) orphans = OG_VEC_INIT;
  memset(&s, 0, sizeof s);
  memset(&os, 0, sizeof os);
  uint64_t now = o->now_ms ? o->now_ms : og_now_ms();
  uint64_t grace = o->grace_set ? o->grace_ms : OG_MAINT_DEFAULT_GRACE_MS;
  og_status rc = scan_load(st, &s, err);
  if (rc != OG_OK) goto cleanup;
  for (size_t i = 0; i < s.incs.count; i++) out->manifests += s.incs.items[i].ms.count;
  compute_floors(&s, o, now);
  if ((rc = protect_merge_bases(&s, err)) != OG_OK) goto cleanup;
  if ((rc = init_stats(&s, out, err)) != OG_OK) goto cleanup;
  if ((rc = build_live(st, &s, &os, err)) != OG_OK) goto cleanup;
  if ((rc = build_candidates(st, &s, &os, err)) != OG_OK) goto cleanup;
  /* orphans: unreferenced table objects older than the grace period and
   * older than every write intent (DESIGN.md §3.4: a writer's objects are
   * all younger than its intent "intents/<ULID>", so a writer running for
   * longer than the grace period is still protected) */
  uint64_t cutoff = now > grace ? now - grace : 0;
  if ((rc = og_store_list(st, "intents/", &intents, err)) != OG_OK) goto cleanup;
  for (size_t i = 0; i < intents.count; i++) {
    uint64_t t = key_time_ms(intents.keys[i]);
    uint64_t guard = t > OG_MAINT_INTENT_SKEW_MS ? t - OG_MAINT_INTENT_SKEW_MS : 0;
    if (t && guard < cutoff) cutoff = guard;
  }
  if ((rc = og_store_list(st, "t/", &objs, err)) != OG_OK) goto cleanup;
  for (size_t i = 0; i < objs.count; i++) {
    const char *k = objs.keys[i];
    if (og_map_sget(&os.live, k, NULL) || og_map_sget(&os.cand, k, NULL)) continue;
    if (og_topo_is_key(k)) {
      /* a persisted topology (topo.h) lives while its descriptor is
       * retained; unreadable or not retained, it goes (a cache: losing one
       * a racing load just wrote costs a rebuild, nothing else) */
      og_topo_hdr h;
      og_error e = OG_ERROR_INIT;
      bool keep = og_topo_read_header(st, k, &h, &e) == OG_OK && og_map_sget(&os.live_desc, h.edge_key, NULL);
      og_topo_hdr_dispose(&h);
      if (!keep && OG_VEC_PUSH(&orphans, k) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
      continue;
    }
    uint64_t t = key_time_ms(k);
    if (t == 0 || t >= cutoff) continue;
    if (OG_VEC_PUSH(&orphans, k) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  }
  if (o->dry_run) {
    for (size_t i = 0; i < s.incs.count; i++) {
      inc *c = &s.incs.items[i];
      if (c->floor_new > c->floor_old) out->versions_released += c->floor_new - c->floor_old;
    }
    goto cleanup;
  }
  /* M2: floors first, then data objects, then descriptors */
  if ((rc = write_floors(st, &s, out, err)) != OG_OK) goto cleanup;
  if ((rc = OG_FAILPOINT(OG_FP_MAINT_CLEANUP_AFTER_FLOORS, err)) != OG_OK) goto cleanup;
  /* pass 0: fragments, deletion vectors, key indexes; pass 1: descriptors
   * (a crash in between leaves descriptors that still list the survivors) */
  for (int pass = 0; pass < 2; pass++) {
    order.count = 0;
    size_t pos = 0;
    og_map_entry *e;
    while ((e = og_map_next(&os.cand, &pos))) {
      djob j = {e->key, e->value, false};
      if (is_descriptor(e->key) == (pass == 1) && OG_VEC_PUSH(&order, j) != OG_OK) {
        rc = og_err_oom(err);
        goto cleanup;
      }
    }
    for (size_t i = 0; i < orphans.count; i++) {
      djob j = {orphans.items[i], prefix_table(&os, orphans.items[i]), true};
      if (is_descriptor(j.key) == (pass == 1) && OG_VEC_PUSH(&order, j) != OG_OK) {
        rc = og_err_oom(err);
        goto cleanup;
      }
    }
    if ((rc = delete_all(st, order.items, order.count, out, err)) != OG_OK) goto cleanup;
  }
  drop_old_floors(st, &s);
  /* crashed writers' temp files (posix), with the same grace */
  (void)og_store_sweep_temp(st, grace, NULL, NULL);
cleanup:
  OG_VEC_FREE(&order);
  OG_VEC_FREE(&orphans);
  og_keylist_dispose(&objs);
  og_keylist_dispose(&intents);
  objsets_dispose(&os);
  scan_dispose(&s);
  return rc;
}

og_status og_graph_cleanup(og_store *st, const og_cleanup_opts *opts, og_cleanup_result *out,
                           og_error *err) {
  og_cleanup_opts o = opts ? *opts : (og_cleanup_opts){0};
  memset(out, 0, sizeof *out);
  if (o.keep_set && o.keep == 0)
    return og_err_set(err, OG_EINVAL, "cleanup: keep must be at least 1 (the head is always kept)");
  og_status rc = run_cleanup(st, &o, out, err);
  if (rc != OG_OK) og_cleanup_result_dispose(out);
  return rc;
}

/*==================== floors: single-table, get ====================*/

static og_status live_inc(og_store *st, const char *branch, inc *c, og_ghead *h, og_error *err) {
  og_buf seg = OG_BUF_INIT;
  og_status rc = og_graph_resolve(st, branch, false, h, err);
  if (rc != OG_OK) return rc;
  og_gkey_name(&seg, branch);
  og_buf_printf(&seg, "@%" PRIu64, h->gen);
  if (seg.oom) {
    og_buf_dispose(&seg);
    return og_err_oom(err);
  }
  memset(c, 0, sizeof *c);
  c->seg = og_buf_detach(&seg, NULL);
  snprintf(c->name, sizeof c->name, "%s", branch);
  c->gen = h->gen;
  return OG_OK;
}

og_status og_graph_floor_table(og_store *st, const char *branch, const char *table_key,
                               uint64_t version, og_error *err) {
  inc c;
  og_ghead h = {0};
  og_status rc = live_inc(st, branch, &c, &h, err);
  if (rc != OG_OK) return rc;
  rc = put_floor(st, &c, table_key, version, err);
  og_free(c.seg);
  og_manifest_free(h.m);
  return rc;
}

og_status og_graph_floors_of(og_store *st, const char *branch, uint64_t gen,
                             const char *table_key, uint64_t *floor_out,
                             uint64_t *table_floor_out, og_error *err) {
  og_keylist kl = {0};
  og_buf p = OG_BUF_INIT;
  og_status rc = OG_OK;
  *floor_out = 1;
  if (table_floor_out) *table_floor_out = 1;
  og_buf_puts(&p, OG_MAINT_FLOOR_PREFIX);
  og_gkey_name(&p, branch);
  og_buf_printf(&p, "@%" PRIu64 "/", gen);
  if (p.oom) { rc = og_err_oom(err); goto cleanup; }
  /* one list of the incarnation's floors: "v/<n>" and "t/<table_key>/<n>" */
  if ((rc = og_store_list(st, p.ptr, &kl, err)) != OG_OK) goto cleanup;
  size_t tkl = table_key ? strlen(table_key) : 0;
  for (size_t i = 0; i < kl.count; i++) {
    const char *rest = kl.keys[i] + p.len;
    uint64_t v = 0;
    if (strncmp(rest, "v/", 2) == 0) {
      if (parse_u64s(rest + 2, &v) && v > *floor_out) *floor_out = v;
    } else if (table_floor_out && strncmp(rest, "t/", 2) == 0 &&
               strncmp(rest + 2, table_key, tkl) == 0 && rest[2 + tkl] == '/') {
      if (parse_u64s(rest + 3 + tkl, &v) && v > *table_floor_out) *table_floor_out = v;
    }
  }
cleanup:
  og_keylist_dispose(&kl);
  og_buf_dispose(&p);
  return rc;
}

og_status og_graph_floor_get(og_store *st, const char *branch, uint64_t *version_out,
                             og_error *err) {
  og_ghead h = {0};
  *version_out = 1;
  og_status rc = og_graph_resolve(st, branch, false, &h, err);
  if (rc != OG_OK) return rc;
  rc = og_graph_floors_of(st, branch, h.gen, NULL, version_out, NULL, err);
  og_manifest_free(h.m);
  return rc;
}

/*==================== floor-aware verify ====================*/

og_status og_graph_verify_retained(og_store *st, og_buf *report, og_error *err) {
  scan s;
  objsets os;
  og_buf full = OG_BUF_INIT;
  og_error verr = OG_ERROR_INIT;
  json_t *rep = NULL;
  memset(&s, 0, sizeof s);
  memset(&os, 0, sizeof os);
  og_status vrc = og_graph_verify(st, &full, &verr);
  og_status rc = OG_OK;
  if (vrc != OG_OK && vrc != OG_ECORRUPT) {
    if (err) *err = verr;
    return vrc;
  }
  if (vrc == OG_ECORRUPT) {
    /* which descriptors does a retained entry reference? When the log
     * itself cannot be read, nothing is excused: report verify's findings. */
    og_error se = OG_ERROR_INIT;
    og_status src = scan_load(st, &s, &se);
    if (src == OG_ENOMEM) { rc = og_err_oom(err); goto cleanup; }
    for (size_t i = 0; src == OG_OK && i < s.incs.count; i++)
      for (size_t j = 0; j < s.incs.items[i].ms.count; j++) {
        const og_manifest *m = s.incs.items[i].ms.items[j];
        for (size_t t = 0; t < m->ntables; t++)
          if (!entry_released(&s.incs.items[i], m, m->tables[t].table_key) &&
              og_map_sput(&os.live_desc, m->tables[t].descriptor, NULL) != OG_OK) {
            rc = og_err_oom(err);
            goto cleanup;
          }
      }
  }
  json_error_t je;
  rep = json_loadb(full.ptr ? full.ptr : "{}", full.len ? full.len : 2, 0, &je);
  json_t *probs = rep ? json_object_get(rep, "problems") : NULL;
  if (!rep || !json_is_array(probs)) {
    rc = og_err_set(err, OG_ERROR, "verify: unreadable report");
    goto cleanup;
  }
  for (size_t i = json_array_size(probs); i-- > 0;) {
    json_t *p = json_array_get(probs, i);
    const char *key = json_string_value(json_object_get(p, "key"));
    const char *msg = json_string_value(json_object_get(p, "problem"));
    bool excused = false;
    if (!s.incs.count) break; /* no scan: nothing is excused */
    if (key && og_str_startswith(key, "t/")) {
      excused = !og_map_sget(&os.live_desc, key, NULL);
    } else if (key && msg && og_str_startswith(key, OG_GK_LOG)) {
      const char *d = strstr(msg, "' descriptor '");
      if (d && og_str_endswith(msg, "' failed verification")) {
        d += strlen("' descriptor '");
        size_t n = strlen(d) - strlen("' failed verification");
        char *desc = og_malloc(n + 1);
        if (!desc) { rc = og_err_oom(err); goto cleanup; }
        memcpy(desc, d, n);
        desc[n] = 0;
        excused = !og_map_sget(&os.live_desc, desc, NULL);
        og_free(desc);
      }
    }
    if (excused) json_array_remove(probs, i);
  }
  size_t np = json_array_size(probs);
  json_object_set_new(rep, "ok", json_boolean(np == 0));
  if (report) {
    char *txt = json_dumps(rep, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!txt || og_buf_puts(report, txt) != OG_OK) rc = og_err_oom(err);
    free(txt);
    if (rc != OG_OK) goto cleanup;
  }
  if (np) {
    json_t *first = json_array_get(probs, 0);
    rc = og_err_set(err, OG_ECORRUPT, "graph verify: %zu problem(s); first: %s: %s", np,
                    json_string_value(json_object_get(first, "key")),
                    json_string_value(json_object_get(first, "problem")));
  }
cleanup:
  json_decref(rep);
  og_buf_dispose(&full);
  objsets_dispose(&os);
  scan_dispose(&s);
  return rc;
}
