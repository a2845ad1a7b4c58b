/*
 * table.c — table handles, descriptors on the store, per-fragment caches,
 * the write path (apply), point access (lookup, fetch) and inventory
 * (objects, verify). Scans are in scan.c, compaction and rebase in maint.c.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "table/table_int.h"

/*==================== small helpers ====================*/

og_status og_table_new_key(const char *prefix, const char *kind, char **out, og_error *err) {
  char ulid[OG_ULID_LEN + 1];
  og_status rc = og_ulid_new(ulid);
  if (rc != OG_OK) return og_err_set(err, rc, "table: cannot make a ULID");
  og_buf b = OG_BUF_INIT;
  og_buf_printf(&b, "%s/%s/%s", prefix, kind, ulid);
  if (b.oom) {
    og_buf_dispose(&b);
    return og_err_oom(err);
  }
  *out = og_buf_detach(&b, NULL);
  return OG_OK;
}

/* Decoded bytes held by every live fragment cache entry (cheap budget check). */
static atomic_size_t g_cached_bytes;

static void fc_account(og_fragcache *fc, size_t n) {
  atomic_fetch_add(&fc->bytes, n);
  atomic_fetch_add(&g_cached_bytes, n);
}

void og_fragcache_release(og_fragcache *fc) {
  if (!fc) return;
  if (atomic_fetch_sub(&fc->refs, 1) != 1) return;
  atomic_fetch_sub(&g_cached_bytes, atomic_load(&fc->bytes));
  pthread_mutex_destroy(&fc->mu);
  og_footer_free(fc->footer);
  og_free(fc->rowids);
  og_kidx_free(fc->kidx);
  og_free(fc);
}

static og_fragcache *fragcache_new(void) {
  og_fragcache *fc = og_calloc(1, sizeof *fc);
  if (!fc) return NULL;
  atomic_init(&fc->refs, 1);
  atomic_init(&fc->bytes, 0);
  pthread_mutex_init(&fc->mu, NULL);
  return fc;
}

/*==================== process-wide fragment cache ====================*/

/* Key: the store handle's instance number + the fragment key (a freed
 * handle's address may be reused, and slice keys repeat across graphs).
 * Each entry holds one reference; entries only the cache references are
 * evicted over budget. */
static pthread_mutex_t g_cache_mu = PTHREAD_MUTEX_INITIALIZER;
static og_map g_cache;
static size_t g_cache_budget = 256u << 20;

static size_t cache_key(og_store *st, const char *key, char *buf, size_t cap) {
  size_t n = strlen(key);
  uint64_t id = og_store_instance(st);
  if (n + sizeof id > cap) return 0;
  memcpy(buf, &id, sizeof id);
  memcpy(buf + sizeof id, key, n);
  return n + sizeof id;
}

/* Drop entries nobody else holds until under budget (g_cache_mu held). */
static void cache_evict_locked(size_t budget) {
  if (atomic_load(&g_cached_bytes) + 256 * g_cache.count <= budget) return;
  size_t total = 0, pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(&g_cache, &pos)) != NULL)
    total += atomic_load(&((og_fragcache *)e->value)->bytes) + 256;
  if (total <= budget) return;
  pos = 0;
  while (total > budget && (e = og_map_next(&g_cache, &pos)) != NULL) {
    og_fragcache *fc = e->value;
    if (atomic_load(&fc->refs) != 1) continue;
    total -= atomic_load(&fc->bytes) + 256;
    void *v;
    char kbuf[4200];
    size_t kl = e->key_len < sizeof kbuf ? e->key_len : 0;
    if (!kl) continue;
    memcpy(kbuf, e->key, kl);
    og_map_remove(&g_cache, kbuf, kl, &v);
    og_fragcache_release(fc);
  }
}

void og_table_cache_set_budget(size_t bytes) {
  pthread_mutex_lock(&g_cache_mu);
  g_cache_budget = bytes;
  cache_evict_locked(bytes);
  pthread_mutex_unlock(&g_cache_mu);
}

void og_table_cache_clear(void) {
  pthread_mutex_lock(&g_cache_mu);
  size_t pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(&g_cache, &pos)) != NULL) og_fragcache_release(e->value);
  og_map_dispose(&g_cache);
  memset(&g_cache, 0, sizeof g_cache);
  pthread_mutex_unlock(&g_cache_mu);
}

/* A referenced cache entry for (st, key): shared or new. NULL on OOM. */
static og_fragcache *cache_get(og_store *st, const char *key) {
  char kbuf[4200];
  size_t kl = cache_key(st, key, kbuf, sizeof kbuf);
  og_fragcache *fc = NULL;
  pthread_mutex_lock(&g_cache_mu);
  void *v;
  if (kl && g_cache_budget && og_map_get(&g_cache, kbuf, kl, &v)) {
    fc = v;
    atomic_fetch_add(&fc->refs, 1);
  } else if ((fc = fragcache_new()) != NULL && kl && g_cache_budget) {
    atomic_fetch_add(&fc->refs, 1); /* the cache's reference */
    if (og_map_put(&g_cache, kbuf, kl, fc) != OG_OK) atomic_fetch_sub(&fc->refs, 1);
    else cache_evict_locked(g_cache_budget);
  }
  pthread_mutex_unlock(&g_cache_mu);
  return fc;
}

static og_table *table_alloc(og_store *st) {
  og_table *t = og_calloc(1, sizeof *t);
  if (!t) return NULL;
  atomic_init(&t->refs, 1);
  atomic_init(&t->big_lookups, 0);
  pthread_mutex_init(&t->mu, NULL);
  t->st = og_store_ref(st);
  t->schema.key_col = -1;
  return t;
}

og_table *og_table_ref(og_table *t) {
  if (t) atomic_fetch_add(&t->refs, 1);
  return t;
}

void og_table_free(og_table *t) {
  if (!t) return;
  if (atomic_fetch_sub(&t->refs, 1) != 1) return;
  for (size_t i = 0; i < t->nfrags; i++) og_fragmeta_dispose(&t->frags[i]);
  og_free(t->frags);
  if (t->kmap) {
    og_free(t->kmap->slots);
    og_free(t->kmap);
  }
  og_table_schema_dispose(&t->schema);
  og_free(t->key);
  og_free(t->prefix);
  og_free(t->parent);
  og_store_free(t->st);
  pthread_mutex_destroy(&t->mu);
  og_free(t);
}

const char *og_table_key(const og_table *t) { return t->key; }
const char *og_table_prefix(const og_table *t) { return t->prefix; }
const char *og_table_parent_key(const og_table *t) { return t->parent ? t->parent : ""; }
const og_table_schema *og_table_schema_get(const og_table *t) { return &t->schema; }
uint64_t og_table_version(const og_table *t) { return t->version; }
uint64_t og_table_content_version(const og_table *t) { return t->content_version; }
uint64_t og_table_row_count(const og_table *t) { return t->live_rows; }
uint64_t og_table_next_row_id(const og_table *t) { return t->next_row_id; }
size_t og_table_fragment_count(const og_table *t) { return t->nfrags; }
og_store *og_table_store(const og_table *t) { return t->st; }

static og_status frags_reserve(og_table *t, size_t need) {
  return og_array_reserve((void **)&t->frags, &t->frags_cap, need, sizeof *t->frags);
}

/* Copy a fragment entry (strings duplicated, cache shared, dv copied). */
static og_status fragmeta_copy(og_fragmeta *dst, const og_fragmeta *src) {
  memset(dst, 0, sizeof *dst);
  *dst = *src;
  dst->key = og_strdup(src->key);
  dst->dv_key = og_strdup(src->dv_key);
  dst->kidx_key = og_strdup(src->kidx_key);
  dst->fc = NULL;
  dst->dv = NULL;
  dst->dv_loaded = false;
  if (!dst->key || !dst->dv_key || !dst->kidx_key) {
    og_fragmeta_dispose(dst);
    return OG_ENOMEM;
  }
  if (src->fc) {
    atomic_fetch_add(&src->fc->refs, 1);
    dst->fc = src->fc;
  }
  if (src->dv_loaded) {
    if (src->dv) {
      dst->dv = roaring_bitmap_copy(src->dv);
      if (!dst->dv) {
        og_fragmeta_dispose(dst);
        return OG_ENOMEM;
      }
    }
    dst->dv_loaded = true;
  }
  return OG_OK;
}

/* A new unsaved handle that starts as a copy of base (version base+1). */
og_status og_table_derive(og_table *base, og_table **out, og_error *err) {
  og_table *t = table_alloc(base->st);
  if (!t) return og_err_oom(err);
  pthread_mutex_lock(&base->mu);
  og_status rc = OG_OK;
  t->prefix = og_strdup(base->prefix);
  t->parent = og_strdup(base->key);
  if (!t->prefix || !t->parent || og_table_schema_copy(&t->schema, &base->schema) != OG_OK ||
      frags_reserve(t, base->nfrags + 1) != OG_OK) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (size_t i = 0; i < base->nfrags; i++) {
    if (fragmeta_copy(&t->frags[i], &base->frags[i]) != OG_OK) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    t->nfrags = i + 1;
  }
  t->version = base->version + 1;
  t->content_version = base->content_version;
  t->live_rows = base->live_rows;
  t->next_row_id = base->next_row_id;
cleanup:
  pthread_mutex_unlock(&base->mu);
  if (rc != OG_OK) og_table_free(t);
  else *out = t;
  return rc;
}

/* Encode and store t's descriptor under a fresh key; t->key is set on success. */
og_status og_table_save(og_table *t, og_error *err) {
  og_buf b = OG_BUF_INIT;
  char *key = NULL;
  og_status rc;
  uint64_t live = 0;
  for (size_t i = 0; i < t->nfrags; i++) live += t->frags[i].rows - t->frags[i].deleted;
  if (live != t->live_rows) return og_err_set(err, OG_ERROR, "table: live row count drifted");
  if ((rc = og_desc_encode(t, &b, err)) != OG_OK) goto cleanup;
  if ((rc = og_table_new_key(t->prefix, "ver", &key, err)) != OG_OK) goto cleanup;
  if ((rc = og_store_put(t->st, key, b.ptr, b.len, err)) != OG_OK) goto cleanup;
  og_free(t->key);
  t->key = key;
  key = NULL;
cleanup:
  og_free(key);
  og_buf_dispose(&b);
  return rc;
}

og_status og_table_encode_moved(const og_table *t, og_table_key_map map, void *ctx, og_buf *out,
                                og_error *err) {
  return og_desc_encode_mapped(t, map, ctx, out, err);
}

/*==================== create / open ====================*/

og_status og_table_create(og_store *st, const char *prefix, const og_table_schema *schema,
                          og_table **out, og_error *err) {
  og_status rc;
  og_table *t = NULL;
  *out = NULL;
  if ((rc = og_table_schema_check(schema, err)) != OG_OK) return rc;
  if (!prefix || !prefix[0] || !og_store_key_valid(prefix) || og_str_endswith(prefix, "/"))
    return og_err_set(err, OG_EINVAL, "table: invalid prefix '%s'", prefix ? prefix : "(null)");
  if (!(t = table_alloc(st))) return og_err_oom(err);
  t->prefix = og_strdup(prefix);
  t->parent = og_strdup("");
  if (!t->prefix || !t->parent || og_table_schema_copy(&t->schema, schema) != OG_OK) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (size_t i = 0; i < t->schema.ncols; i++) {
    if (t->schema.cols[i].type != OG_COL_LIST) t->schema.cols[i].elem = OG_COL_INVALID;
    if (t->schema.cols[i].type != OG_COL_VECTOR) t->schema.cols[i].dim = 0;
  }
  t->version = 1;
  t->content_version = 1;
  if ((rc = og_table_save(t, err)) != OG_OK) goto cleanup;
  *out = t;
  t = NULL;
cleanup:
  og_table_free(t);
  return rc;
}

og_status og_table_open(og_store *st, const char *key, og_table **out, og_error *err) {
  og_status rc;
  og_buf b = OG_BUF_INIT;
  og_table *t = NULL;
  *out = NULL;
  if (!key || !og_store_key_valid(key))
    return og_err_set(err, OG_EINVAL, "table: invalid descriptor key");
  if ((rc = og_store_get(st, key, &b, err)) != OG_OK) goto cleanup;
  if (!(t = table_alloc(st)) || !(t->key = og_strdup(key))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if ((rc = og_desc_decode(t, (const uint8_t *)b.ptr, b.len, err)) != OG_OK) goto cleanup;
  *out = t;
  t = NULL;
cleanup:
  og_table_free(t);
  og_buf_dispose(&b);
  return rc;
}

/*==================== caches ====================*/

static og_fragcache *frag_fc(og_table *t, size_t i) {
  pthread_mutex_lock(&t->mu);
  if (!t->frags[i].fc) t->frags[i].fc = cache_get(t->st, t->frags[i].key);
  og_fragcache *fc = t->frags[i].fc;
  pthread_mutex_unlock(&t->mu);
  return fc;
}

static og_status load_footer_locked(og_table *t, size_t i, og_fragcache *fc, og_error *err) {
  if (fc->footer) return OG_OK;
  og_footer *f = NULL;
  const og_fragmeta *m = &t->frags[i];
  og_status rc = og_footer_read(t->st, m->key, &f, err);
  if (rc != OG_OK) return rc;
  if (f->rows != m->rows || f->object_size != m->bytes) {
    og_footer_free(f);
    return og_err_set(err, OG_ECORRUPT,
                      "table: corrupt object '%s': rows/size differ from the descriptor", m->key);
  }
  if ((rc = og_footer_check_schema(m->key, f, &t->schema, err)) != OG_OK) {
    og_footer_free(f);
    return rc;
  }
  fc->footer = f;
  size_t fb = sizeof *f;
  for (size_t c = 0; c < f->ncols; c++) fb += sizeof(og_colmeta) + f->cols[c].npages * sizeof(og_pageinfo);
  fc_account(fc, fb);
  return OG_OK;
}

og_status og_table_frag_footer(og_table *t, size_t i, const og_footer **out, og_error *err) {
  og_fragcache *fc = frag_fc(t, i);
  if (!fc) return og_err_oom(err);
  pthread_mutex_lock(&fc->mu);
  og_status rc = load_footer_locked(t, i, fc, err);
  pthread_mutex_unlock(&fc->mu);
  *out = fc->footer;
  return rc;
}

og_status og_table_frag_rowids(og_table *t, size_t i, const uint64_t **out, og_error *err) {
  og_fragcache *fc = frag_fc(t, i);
  if (!fc) return og_err_oom(err);
  og_status rc;
  const og_fragmeta *m = &t->frags[i];
  pthread_mutex_lock(&fc->mu);
  if ((rc = load_footer_locked(t, i, fc, err)) == OG_OK && !fc->rowids) {
    uint64_t *ids = NULL;
    rc = og_frag_read_rowids(t->st, m->key, fc->footer, &ids, err);
    if (rc == OG_OK && (ids[0] != m->min_rowid || ids[m->rows - 1] != m->max_rowid)) {
      og_free(ids);
      rc = og_err_set(err, OG_ECORRUPT,
                      "table: corrupt object '%s': row ids differ from the descriptor", m->key);
    }
    if (rc == OG_OK) {
      fc->rowids = ids;
      fc_account(fc, (size_t)m->rows * sizeof *ids);
    }
  }
  pthread_mutex_unlock(&fc->mu);
  *out = fc->rowids;
  return rc;
}

og_status og_table_frag_kidx(og_table *t, size_t i, const og_kidx **out, og_error *err) {
  og_fragcache *fc = frag_fc(t, i);
  if (!fc) return og_err_oom(err);
  og_status rc = OG_OK;
  const og_fragmeta *m = &t->frags[i];
  pthread_mutex_lock(&fc->mu);
  if (!fc->kidx) {
    rc = og_kidx_load(t->st, m->kidx_key, m->rows, &fc->kidx, err);
    if (rc == OG_OK) fc_account(fc, fc->kidx->raw.cap);
  }
  pthread_mutex_unlock(&fc->mu);
  *out = fc->kidx;
  return rc;
}

/* The fragment's deletion vector (NULL when nothing is deleted). */
og_status og_table_frag_dv(og_table *t, size_t i, const roaring_bitmap_t **out, og_error *err) {
  og_status rc = OG_OK;
  og_fragmeta *m = &t->frags[i];
  pthread_mutex_lock(&t->mu);
  if (!m->dv_loaded) {
    if (m->dv_key[0]) {
      rc = og_dv_load(t->st, m->dv_key, m->rows, &m->dv, err);
      if (rc == OG_OK && roaring_bitmap_get_cardinality(m->dv) != m->deleted) {
        roaring_bitmap_free(m->dv);
        m->dv = NULL;
        rc = og_err_set(err, OG_ECORRUPT,
                        "table: corrupt object '%s': deleted count differs from the descriptor",
                        m->dv_key);
      }
    }
    if (rc == OG_OK) m->dv_loaded = true;
  }
  pthread_mutex_unlock(&t->mu);
  *out = m->dv;
  return rc;
}

/*==================== locating rows ====================*/

/* Find the live location of rowid; *frag_out = SIZE_MAX when not live. */
og_status og_table_locate(og_table *t, uint64_t rowid, size_t *frag_out, uint32_t *off_out,
                          og_error *err) {
  og_status rc;
  *frag_out = SIZE_MAX;
  for (size_t i = 0; i < t->nfrags; i++) {
    const og_fragmeta *m = &t->frags[i];
    if (rowid < m->min_rowid || rowid > m->max_rowid) continue;
    const uint64_t *ids;
    if ((rc = og_table_frag_rowids(t, i, &ids, err)) != OG_OK) return rc;
    size_t lo = 0, hi = (size_t)m->rows;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (ids[mid] < rowid) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= m->rows || ids[lo] != rowid) continue;
    const roaring_bitmap_t *dv;
    if ((rc = og_table_frag_dv(t, i, &dv, err)) != OG_OK) return rc;
    if (dv && roaring_bitmap_contains(dv, (uint32_t)lo)) continue;
    *frag_out = i;
    *off_out = (uint32_t)lo;
    return OG_OK;
  }
  return OG_OK;
}

og_status og_table_row_live(og_table *t, uint64_t rowid, bool *live_out, og_error *err) {
  size_t f;
  uint32_t off;
  og_status rc = og_table_locate(t, rowid, &f, &off, err);
  *live_out = rc == OG_OK && f != SIZE_MAX;
  return rc;
}

static int u64_cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Mark the given row ids deleted in t (a derived, unsaved handle): each id
 * must be live unless ignore_missing. Builds new in-memory deletion vectors;
 * dirty[i] is set for touched fragments. *ndeleted_out counts rows newly
 * deleted. */
og_status og_table_mark_deleted(og_table *t, const uint64_t *ids, size_t n, bool ignore_missing,
                                bool *dirty, uint64_t *ndeleted_out, og_error *err) {
  og_status rc = OG_OK;
  uint64_t *sorted = NULL;
  bool *found = NULL;
  uint64_t ndel = 0;
  if (n == 0) goto done;
  sorted = og_malloc(n * sizeof *sorted);
  found = og_calloc(n, sizeof *found);
  if (!sorted || !found) { rc = og_err_oom(err); goto cleanup; }
  memcpy(sorted, ids, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, u64_cmp);
  for (size_t i = 0; i < t->nfrags; i++) {
    og_fragmeta *m = &t->frags[i];
    /* first id >= min_rowid */
    size_t lo = 0, hi = n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (sorted[mid] < m->min_rowid) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= n || sorted[lo] > m->max_rowid) continue;
    const uint64_t *rids;
    const roaring_bitmap_t *dv0;
    if ((rc = og_table_frag_rowids(t, i, &rids, err)) != OG_OK) goto cleanup;
    if ((rc = og_table_frag_dv(t, i, &dv0, err)) != OG_OK) goto cleanup;
    size_t p = 0; /* merge-walk: both sorted */
    for (size_t k = lo; k < n && sorted[k] <= m->max_rowid; k++) {
      if (k > lo && sorted[k] == sorted[k - 1]) { found[k] = found[k - 1]; continue; }
      while (p < m->rows && rids[p] < sorted[k]) p++;
      if (p >= m->rows) break;
      if (rids[p] != sorted[k]) continue;
      if (m->dv && roaring_bitmap_contains(m->dv, (uint32_t)p)) continue;
      if (!m->dv) {
        m->dv = roaring_bitmap_create();
        if (!m->dv) { rc = og_err_oom(err); goto cleanup; }
      }
      roaring_bitmap_add(m->dv, (uint32_t)p);
      m->deleted++;
      t->live_rows--;
      ndel++;
      dirty[i] = true;
      found[k] = true;
    }
  }
  if (!ignore_missing) {
    for (size_t k = 0; k < n; k++)
      if (!found[k]) {
        rc = og_err_set(err, OG_ENOTFOUND, "table: row id %llu is not live",
                        (unsigned long long)sorted[k]);
        og_err_details(err, "{\"row_id\":%llu}", (unsigned long long)sorted[k]);
        goto cleanup;
      }
  }
done:
  if (ndeleted_out) *ndeleted_out = ndel;
cleanup:
  og_free(sorted);
  og_free(found);
  return rc;
}

/* Write a deletion vector object for every dirty fragment; drop fragments
 * whose rows are all deleted. dirty has t->nfrags entries (compacted too). */
og_status og_table_flush_dvs(og_table *t, bool *dirty, og_error *err) {
  og_status rc = OG_OK;
  og_buf b = OG_BUF_INIT;
  size_t w = 0;
  for (size_t i = 0; i < t->nfrags; i++) {
    og_fragmeta *m = &t->frags[i];
    if (dirty[i] && m->deleted == m->rows) {
      og_fragmeta_dispose(m);
      continue;
    }
    if (dirty[i]) {
      char *key = NULL;
      og_buf_clear(&b);
      roaring_bitmap_run_optimize(m->dv);
      if ((rc = og_dv_encode(m->dv, &b, err)) != OG_OK) goto cleanup;
      if ((rc = og_table_new_key(t->prefix, "dv", &key, err)) != OG_OK) goto cleanup;
      if ((rc = og_store_put(t->st, key, b.ptr, b.len, err)) != OG_OK) {
        og_free(key);
        goto cleanup;
      }
      og_free(m->dv_key);
      m->dv_key = key;
      dirty[i] = false;
    }
    if (w != i) {
      t->frags[w] = *m;
      memset(m, 0, sizeof *m);
    }
    w++;
  }
  t->nfrags = w;
cleanup:
  if (rc != OG_OK) {
    /* compact the array anyway so disposed slots are not left in place */
    size_t k = 0;
    for (size_t i = 0; i < t->nfrags; i++)
      if (t->frags[i].key) {
        if (k != i) {
          t->frags[k] = t->frags[i];
          memset(&t->frags[i], 0, sizeof t->frags[i]);
        }
        k++;
      }
    t->nfrags = k;
  }
  og_buf_dispose(&b);
  return rc;
}

/*==================== writing fragments ====================*/

static void opts_defaults(og_table_write_opts *o, const og_table_write_opts *in) {
  memset(o, 0, sizeof *o);
  if (in) *o = *in;
  if (!o->max_fragment_rows) o->max_fragment_rows = 65536;
  if (o->max_fragment_rows > (1u << 30)) o->max_fragment_rows = 1u << 30; /* 32-bit row offsets */
  if (!o->max_fragment_bytes) o->max_fragment_bytes = 64ull << 20;
  if (!o->page_bytes) o->page_bytes = 128u << 10;
  if (!o->zstd_level) o->zstd_level = 1;
}

/* The key index of a large fragment is encoded on a second thread while
 * the fragment itself is encoded and durably written (a bulk load's writer
 * spends a quarter of its time on key indexes, and waits on the fragment's
 * fsyncs): from this many rows. */
#define KIDX_PARALLEL_ROWS 32768

typedef struct kidx_task {
  const og_column *col;
  og_buf *out;
  og_status rc;
  og_error err;
} kidx_task;

static void *kidx_task_main(void *arg) {
  kidx_task *k = arg;
  k->rc = og_kidx_encode(k->col, k->out, &k->err);
  return NULL;
}

/* Write rows sel[0..n) (NULL → 0..n) of b, with ascending ids, as one or more
 * fragments appended to t->frags. */
og_status og_table_write_rows(og_table *t, const og_batch *b, const uint32_t *sel, size_t n,
                              const uint64_t *ids, const og_table_write_opts *opts,
                              og_error *err) {
  og_status rc = OG_OK;
  og_table_write_opts o;
  og_buf obj = OG_BUF_INIT, kb = OG_BUF_INIT;
  uint32_t *ident = NULL;
  og_column keys;
  bool keys_init = false;
  char *fkey = NULL, *kkey = NULL;
  pthread_t kth;
  bool kth_running = false;
  kidx_task kt = {.err = OG_ERROR_INIT};
  opts_defaults(&o, opts);
  int kc = t->schema.key_col;
  if (kc >= 0) {
    if (og_column_init(&keys, &t->schema.cols[kc]) != OG_OK) return og_err_oom(err);
    keys_init = true;
  }
  /* the size estimate of a row, per column kind (0 fixed width: summed
   * once, 1 strings and blobs, 2 other) without a call per value */
  uint64_t fixed_bytes = 0;
  uint8_t ckind[64];
  for (size_t c = 0; c < b->ncols && c < 64; c++) {
    size_t w = og_coltype_width(b->cols[c].type);
    fixed_bytes += w;
    ckind[c] = w ? 0 : og_coltype_is_varlen(b->cols[c].type) ? 1 : 2;
  }
  size_t lo = 0;
  while (lo < n) {
    size_t hi = lo;
    uint64_t bytes = 0;
    while (hi < n && hi - lo < o.max_fragment_rows) {
      size_t r = sel ? sel[hi] : hi;
      uint64_t rb = fixed_bytes;
      for (size_t c = 0; c < b->ncols; c++) {
        if (c < 64 && ckind[c] == 0) continue;
        if (c < 64 && ckind[c] == 1)
          rb += b->cols[c].offsets.items[r + 1] - b->cols[c].offsets.items[r] + 4;
        else
          rb += og_column_byte_estimate(&b->cols[c], r);
      }
      if (hi > lo && bytes + rb > o.max_fragment_bytes) break;
      bytes += rb;
      hi++;
    }
    const uint32_t *csel = sel ? sel + lo : NULL;
    if (!sel && (lo != 0 || hi != n)) {
      if (!ident) {
        ident = og_malloc(n * sizeof *ident);
        if (!ident) { rc = og_err_oom(err); goto cleanup; }
        for (size_t i = 0; i < n; i++) ident[i] = (uint32_t)i;
      }
      csel = ident + lo;
    }
    const og_column *kcol = NULL;
    if (kc >= 0) {
      const og_column *src = &b->cols[kc];
      kcol = src;
      if (csel) {
        og_column_clear(&keys);
        if (og_column_take(&keys, src, csel, hi - lo) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
        kcol = &keys;
      }
      og_buf_clear(&kb);
      /* both only read kcol and b; the objects are still put in the same
       * order (fragment, then key index) */
      kt = (kidx_task){.col = kcol, .out = &kb, .rc = OG_OK, .err = OG_ERROR_INIT};
      kth_running = hi - lo >= KIDX_PARALLEL_ROWS && pthread_create(&kth, NULL, kidx_task_main, &kt) == 0;
    }
    og_buf_clear(&obj);
    if ((rc = og_frag_encode(&t->schema, b, csel, hi - lo, ids + lo, &o, &obj, err)) != OG_OK)
      goto cleanup;
    if ((rc = og_table_new_key(t->prefix, "frag", &fkey, err)) != OG_OK) goto cleanup;
    if ((rc = og_store_put(t->st, fkey, obj.ptr, obj.len, err)) != OG_OK) goto cleanup;
    if (kc >= 0) {
      if (kth_running) {
        pthread_join(kth, NULL);
        kth_running = false;
        if ((rc = kt.rc) != OG_OK) {
          if (err) *err = kt.err;
          goto cleanup;
        }
      } else if ((rc = og_kidx_encode(kcol, &kb, err)) != OG_OK) {
        goto cleanup;
      }
      if ((rc = og_table_new_key(t->prefix, "kidx", &kkey, err)) != OG_OK) goto cleanup;
      if ((rc = og_store_put(t->st, kkey, kb.ptr, kb.len, err)) != OG_OK) goto cleanup;
    }
    if (frags_reserve(t, t->nfrags + 1) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
    og_fragmeta *m = &t->frags[t->nfrags];
    memset(m, 0, sizeof *m);
    m->key = fkey;
    fkey = NULL;
    m->kidx_key = kkey ? kkey : og_strdup("");
    kkey = NULL;
    m->dv_key = og_strdup("");
    m->rows = hi - lo;
    m->min_rowid = ids[lo];
    m->max_rowid = ids[hi - 1];
    m->bytes = obj.len;
    m->dv_loaded = true;
    t->nfrags++;
    if (!m->kidx_key || !m->dv_key) { rc = og_err_oom(err); goto cleanup; }
    t->live_rows += hi - lo;
    lo = hi;
  }
cleanup:
  if (kth_running) pthread_join(kth, NULL); /* before what it reads goes */
  og_free(fkey);
  og_free(kkey);
  og_free(ident);
  if (keys_init) og_column_dispose(&keys);
  og_buf_dispose(&obj);
  og_buf_dispose(&kb);
  return rc;
}

/* The batch must carry every schema column in order with matching types. */
static og_status check_full_batch(const og_table *t, const og_batch *b, const char *what,
                                  og_error *err) {
  og_status rc;
  if (b->ncols != t->schema.ncols)
    return og_err_set(err, OG_EINVAL, "table: %s batch has %zu columns, schema has %zu", what,
                      b->ncols, t->schema.ncols);
  if ((rc = og_batch_check(b, err)) != OG_OK) return rc;
  for (size_t i = 0; i < b->ncols; i++) {
    const og_colspec *s = &t->schema.cols[i];
    const og_column *c = &b->cols[i];
    if (b->col_index[i] != i || c->type != s->type ||
        (s->type == OG_COL_LIST && c->elem != s->elem) ||
        (s->type == OG_COL_VECTOR && c->dim != s->dim))
      return og_err_set(err, OG_ETYPE, "table: %s batch column %zu ('%s') does not match the schema",
                        what, i, s->name);
    if (!s->nullable && c->null_count)
      return og_err_set(err, OG_ECONSTRAINT, "table: null in non-nullable column '%s'", s->name);
  }
  return OG_OK;
}

/* Indices 0..n ordered by ids[] (radix sort on (id, index) pairs). */
og_status og_table_sort_by_id(const uint64_t *ids, size_t n, uint32_t **out, og_error *err) {
  og_status rc = OG_OK;
  og_hashrow *hr = NULL;
  uint32_t *sel = og_malloc((n ? n : 1) * sizeof *sel);
  if (!sel) return og_err_oom(err);
  bool sorted = true;
  for (size_t i = 1; i < n && sorted; i++)
    if (ids[i] <= ids[i - 1]) sorted = false;
  if (sorted) {
    for (size_t i = 0; i < n; i++) sel[i] = (uint32_t)i;
    *out = sel;
    return OG_OK;
  }
  hr = og_malloc(n * sizeof *hr);
  if (!hr) { rc = og_err_oom(err); goto cleanup; }
  for (size_t i = 0; i < n; i++) {
    hr[i].h = ids[i];
    hr[i].r = (uint32_t)i;
  }
  if (og_hashrow_sort(&hr, n) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  for (size_t i = 0; i < n; i++) sel[i] = hr[i].r;
  *out = sel;
  sel = NULL;
cleanup:
  og_free(hr);
  og_free(sel);
  return rc;
}

/* Append inserted rows to t. With merge_tail_rows, the trailing fragments
 * are absorbed while each is no larger than what is being written (a
 * binary counter: the small tail stays O(log) fragments and a row is
 * rewritten O(log) times) and the total stays within the limit. The merged
 * fragment keeps every live row's id (sorted, as fragments are); deleted
 * rows are dropped. Older versions keep the absorbed fragments. */
static og_status append_rows(og_table *t, const og_batch *ins, const uint64_t *ids, size_t nins,
                             const og_table_write_opts *opts, og_error *err) {
  uint32_t limit = opts ? opts->merge_tail_rows : 0;
  size_t j = t->nfrags;
  uint64_t acc = nins;
  while (limit && j > 0) {
    const og_fragmeta *m = &t->frags[j - 1];
    uint64_t live = m->rows - m->deleted;
    if (m->rows > acc || acc + live > limit) break;
    acc += live;
    j--;
  }
  if (j == t->nfrags) return og_table_write_rows(t, ins, NULL, nins, ids, opts, err);
  og_status rc = OG_OK;
  OG_VEC(uint64_t) all = OG_VEC_INIT;
  og_batch mb = OG_BATCH_INIT;
  uint32_t *sel = NULL;
  uint64_t *sorted = NULL;
  for (size_t i = j; i < t->nfrags && rc == OG_OK; i++) {
    const uint64_t *rids = NULL;
    const roaring_bitmap_t *dv = NULL;
    if ((rc = og_table_frag_rowids(t, i, &rids, err)) != OG_OK) break;
    if ((rc = og_table_frag_dv(t, i, &dv, err)) != OG_OK) break;
    for (uint64_t r = 0; r < t->frags[i].rows && rc == OG_OK; r++)
      if (!(dv && roaring_bitmap_contains(dv, (uint32_t)r)) && OG_VEC_PUSH(&all, rids[r]) != OG_OK)
        rc = og_err_oom(err);
  }
  if (rc != OG_OK) goto cleanup;
  size_t nold = all.count;
  if ((rc = og_table_fetch(t, all.items, nold, NULL, 0, &mb, err)) != OG_OK) goto cleanup;
  for (size_t r = 0; r < nins && rc == OG_OK; r++) {
    for (size_t c = 0; c < mb.ncols && rc == OG_OK; c++)
      rc = og_column_push_from(&mb.cols[c], &ins->cols[c], r, err);
    if (rc == OG_OK && OG_VEC_PUSH(&all, ids[r]) != OG_OK) rc = og_err_oom(err);
  }
  if (rc != OG_OK) goto cleanup;
  size_t n = all.count;
  if ((rc = og_table_sort_by_id(all.items, n, &sel, err)) != OG_OK) goto cleanup;
  if (!(sorted = og_malloc(n * sizeof *sorted))) { rc = og_err_oom(err); goto cleanup; }
  for (size_t k = 0; k < n; k++) sorted[k] = all.items[sel[k]];
  for (size_t i = j; i < t->nfrags; i++) {
    t->live_rows -= t->frags[i].rows - t->frags[i].deleted;
    og_fragmeta_dispose(&t->frags[i]);
  }
  t->nfrags = j;
  rc = og_table_write_rows(t, &mb, sel, n, sorted, opts, err);
cleanup:
  OG_VEC_FREE(&all);
  og_batch_dispose(&mb);
  og_free(sel);
  og_free(sorted);
  return rc;
}

og_status og_table_apply(og_table *base, const og_table_change *chg,
                         const og_table_write_opts *opts, og_table **out, uint64_t **new_ids_out,
                         og_error *err) {
  og_status rc = OG_OK;
  og_table *t = NULL;
  bool *dirty = NULL;
  uint64_t *ids = NULL, *sorted_ids = NULL;
  uint32_t *sel = NULL;
  *out = NULL;
  if (new_ids_out) *new_ids_out = NULL;
  const og_batch *ins = chg->inserts, *upd = chg->updates;
  size_t nins = ins ? og_batch_rows(ins) : 0, nupd = upd ? og_batch_rows(upd) : 0;
  if (ins && (rc = check_full_batch(base, ins, "insert", err)) != OG_OK) return rc;
  if (upd) {
    if ((rc = check_full_batch(base, upd, "update", err)) != OG_OK) return rc;
    if (upd->rowids.count != nupd)
      return og_err_set(err, OG_EINVAL, "table: update batch needs a row id per row");
  }
  if ((rc = og_table_derive(base, &t, err)) != OG_OK) return rc;
  if (opts && opts->store && opts->store != t->st) {
    og_store_free(t->st);
    t->st = og_store_ref(opts->store);
  }
  t->content_version = base->content_version + 1;
  dirty = og_calloc(t->nfrags + 1, sizeof *dirty);
  if (!dirty) { rc = og_err_oom(err); goto cleanup; }
  /* update ids must be live and distinct */
  if (nupd) {
    if ((rc = og_table_sort_by_id(upd->rowids.items, nupd, &sel, err)) != OG_OK) goto cleanup;
    sorted_ids = og_malloc(nupd * sizeof *sorted_ids);
    if (!sorted_ids) { rc = og_err_oom(err); goto cleanup; }
    for (size_t i = 0; i < nupd; i++) {
      sorted_ids[i] = upd->rowids.items[sel[i]];
      if (i && sorted_ids[i] == sorted_ids[i - 1]) {
        rc = og_err_set(err, OG_EINVAL, "table: row id %llu updated twice in one batch",
                        (unsigned long long)sorted_ids[i]);
        goto cleanup;
      }
    }
    uint64_t nd = 0;
    if ((rc = og_table_mark_deleted(t, sorted_ids, nupd, false, dirty, &nd, err)) != OG_OK)
      goto cleanup;
  }
  uint64_t ndeleted = 0;
  if (chg->ndeletes) {
    if ((rc = og_table_mark_deleted(t, chg->deletes, chg->ndeletes, chg->ignore_missing, dirty,
                                    &ndeleted, err)) != OG_OK)
      goto cleanup;
  }
  /* a change that touched no row (a delete matching nothing) is a new
   * version with the same content */
  if (ndeleted == 0 && nupd == 0 && nins == 0) t->content_version = base->content_version;
  if ((rc = og_table_flush_dvs(t, dirty, err)) != OG_OK) goto cleanup;
  if (nupd) {
    if ((rc = og_table_write_rows(t, upd, sel, nupd, sorted_ids, opts, err)) != OG_OK)
      goto cleanup;
  }
  if (nins) {
    ids = og_malloc(nins * sizeof *ids);
    if (!ids) { rc = og_err_oom(err); goto cleanup; }
    for (size_t i = 0; i < nins; i++) ids[i] = base->next_row_id + i;
    t->next_row_id = base->next_row_id + nins;
    const og_table_write_opts *ao = nupd || chg->ndeletes ? NULL : opts; /* merge only pure appends */
    og_table_write_opts plain;
    if (!ao && opts) {
      plain = *opts;
      plain.merge_tail_rows = 0;
      ao = &plain;
    }
    if ((rc = append_rows(t, ins, ids, nins, ao, err)) != OG_OK) goto cleanup;
  }
  if ((rc = og_table_save(t, err)) != OG_OK) goto cleanup;
  *out = t;
  t = NULL;
  if (new_ids_out) {
    *new_ids_out = ids;
    ids = NULL;
  }
cleanup:
  og_table_free(t);
  og_free(dirty);
  og_free(ids);
  og_free(sorted_ids);
  og_free(sel);
  return rc;
}

og_status og_table_append(og_table *base, const og_batch *rows, og_table **out, og_error *err) {
  og_table_change c = {0};
  c.inserts = rows;
  return og_table_apply(base, &c, NULL, out, NULL, err);
}

og_status og_table_delete_rowids(og_table *base, const uint64_t *ids, size_t n, og_table **out,
                                 og_error *err) {
  og_table_change c = {0};
  c.deletes = ids;
  c.ndeletes = n;
  return og_table_apply(base, &c, NULL, out, NULL, err);
}

og_status og_table_update(og_table *base, const og_batch *rows, og_table **out, og_error *err) {
  og_table_change c = {0};
  c.updates = rows;
  return og_table_apply(base, &c, NULL, out, NULL, err);
}

/*==================== lookup and fetch ====================*/

typedef struct lk_ctx {
  const roaring_bitmap_t *dv;
  const uint64_t *rowids;
  uint64_t best;
  bool any;
} lk_ctx;

static bool lk_cb(void *vctx, uint32_t row) {
  lk_ctx *c = vctx;
  if (c->dv && roaring_bitmap_contains(c->dv, row)) return true;
  uint64_t id = c->rowids[row];
  if (!c->any || id > c->best) c->best = id;
  c->any = true;
  return true;
}

/* Build the whole-table key map (caller holds no locks). */
static og_status build_kmap(og_table *t, og_keymap **out, og_error *err) {
  og_status rc = OG_OK;
  og_keymap *km = og_calloc(1, sizeof *km);
  if (!km) return og_err_oom(err);
  size_t cap = 16;
  while (cap < t->live_rows * 2) cap <<= 1;
  km->slots = og_malloc(cap * sizeof *km->slots);
  if (!km->slots) { rc = og_err_oom(err); goto cleanup; }
  km->mask = cap - 1;
  for (size_t i = 0; i < cap; i++) km->slots[i].frag = UINT32_MAX;
  for (size_t f = 0; f < t->nfrags; f++) {
    const og_kidx *kx;
    const roaring_bitmap_t *dv;
    if ((rc = og_table_frag_kidx(t, f, &kx, err)) != OG_OK) goto cleanup;
    if ((rc = og_table_frag_dv(t, f, &dv, err)) != OG_OK) goto cleanup;
    for (uint64_t k = 0; k < kx->n; k++) {
      const uint8_t *e = kx->entries + k * 12;
      uint32_t row = og_get_u32le(e + 8);
      if (dv && roaring_bitmap_contains(dv, row)) continue;
      uint64_t h = og_get_u64le(e);
      size_t pos = (size_t)h & km->mask;
      while (km->slots[pos].frag != UINT32_MAX) pos = (pos + 1) & km->mask;
      km->slots[pos].hash = h;
      km->slots[pos].frag = (uint32_t)f;
      km->slots[pos].row = row;
    }
  }
  *out = km;
  km = NULL;
cleanup:
  if (km) {
    og_free(km->slots);
    og_free(km);
  }
  return rc;
}

/* Batch lookups big enough to amortize it go through the key map. */
#define KMAP_MIN_BATCH 256

/* One fragment against sorted query hashes: a merge walk when the batch is
 * large relative to the segment, binary searches otherwise. */
static void lookup_frag_sorted(const og_kidx *kx, const roaring_bitmap_t *dv, const uint64_t *rids,
                               const og_hashrow *q, size_t n, const char *const *keys,
                               const size_t *key_lens, uint64_t *rowids_out) {
  size_t E = (size_t)kx->n;
  if (E == 0) return;
  if ((uint64_t)n * 24 < E) {
    for (size_t i = 0; i < n; i++) {
      size_t k = q[i].r;
      lk_ctx c = {dv, rids, 0, false};
      og_kidx_find(kx, q[i].h, keys[k], key_lens[k], lk_cb, &c);
      if (c.any && (rowids_out[k] == UINT64_MAX || c.best > rowids_out[k])) rowids_out[k] = c.best;
    }
    return;
  }
  size_t i = 0, j = 0;
  while (i < n && j < E) {
    uint64_t eh = og_get_u64le(kx->entries + j * 12);
    if (q[i].h < eh) { i++; continue; }
    if (q[i].h > eh) { j++; continue; }
    size_t j2 = j;
    while (j2 < E && og_get_u64le(kx->entries + j2 * 12) == eh) j2++;
    for (; i < n && q[i].h == eh; i++) {
      size_t k = q[i].r;
      for (size_t x = j; x < j2; x++) {
        uint32_t row = og_get_u32le(kx->entries + x * 12 + 8);
        size_t len;
        const char *kp = og_kidx_key_at(kx, row, &len);
        if (len != key_lens[k] || memcmp(kp, keys[k], len) != 0) continue;
        if (dv && roaring_bitmap_contains(dv, row)) continue;
        uint64_t id = rids[row];
        if (rowids_out[k] == UINT64_MAX || id > rowids_out[k]) rowids_out[k] = id;
      }
    }
    j = j2;
  }
}

og_status og_table_lookup_many(og_table *t, const char *const *keys, const size_t *key_lens,
                               size_t n, uint64_t *rowids_out, og_error *err) {
  og_status rc = OG_OK;
  og_hashrow *q = NULL;
  if (t->schema.key_col < 0) return og_err_set(err, OG_EINVAL, "table: schema has no key column");
  for (size_t k = 0; k < n; k++) rowids_out[k] = UINT64_MAX;
  if (n == 0 || t->nfrags == 0) return OG_OK;
  if (n > UINT32_MAX) return og_err_set(err, OG_ETOOLARGE, "table: too many keys in one lookup");
  pthread_mutex_lock(&t->mu);
  og_keymap *km = t->kmap;
  pthread_mutex_unlock(&t->mu);
  /* a handle serving repeated large batches (a load resolving endpoints
   * chunk after chunk) amortizes a whole-table map; a one-off batch merges */
  if (!km && n >= KMAP_MIN_BATCH && t->nfrags > 1 && atomic_fetch_add(&t->big_lookups, 1) >= 1) {
    og_keymap *built = NULL;
    if ((rc = build_kmap(t, &built, err)) != OG_OK) return rc;
    pthread_mutex_lock(&t->mu);
    if (!t->kmap) {
      t->kmap = built;
      built = NULL;
    }
    km = t->kmap;
    pthread_mutex_unlock(&t->mu);
    if (built) {
      og_free(built->slots);
      og_free(built);
    }
  }
  if (km) {
    for (size_t k = 0; k < n; k++) {
      uint64_t h = og_hash64(keys[k], key_lens[k]);
      for (size_t pos = (size_t)h & km->mask; km->slots[pos].frag != UINT32_MAX;
           pos = (pos + 1) & km->mask) {
        const og_keyslot *sl = &km->slots[pos];
        if (sl->hash != h) continue;
        const og_kidx *kx;
        const uint64_t *rids;
        if ((rc = og_table_frag_kidx(t, sl->frag, &kx, err)) != OG_OK) return rc;
        size_t len;
        const char *kp = og_kidx_key_at(kx, sl->row, &len);
        if (len != key_lens[k] || memcmp(kp, keys[k], len) != 0) continue;
        if ((rc = og_table_frag_rowids(t, sl->frag, &rids, err)) != OG_OK) return rc;
        uint64_t id = rids[sl->row];
        if (rowids_out[k] == UINT64_MAX || id > rowids_out[k]) rowids_out[k] = id;
      }
    }
    return OG_OK;
  }
  q = og_malloc(n * sizeof *q);
  if (!q) return og_err_oom(err);
  for (size_t k = 0; k < n; k++) {
    q[k].h = og_hash64(keys[k], key_lens[k]);
    q[k].r = (uint32_t)k;
  }
  if (og_hashrow_sort(&q, n) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  for (size_t i = 0; i < t->nfrags; i++) {
    const og_kidx *kx;
    const uint64_t *rids;
    const roaring_bitmap_t *dv;
    if ((rc = og_table_frag_kidx(t, i, &kx, err)) != OG_OK) goto cleanup;
    if ((rc = og_table_frag_rowids(t, i, &rids, err)) != OG_OK) goto cleanup;
    if ((rc = og_table_frag_dv(t, i, &dv, err)) != OG_OK) goto cleanup;
    lookup_frag_sorted(kx, dv, rids, q, n, keys, key_lens, rowids_out);
  }
cleanup:
  og_free(q);
  return rc;
}

og_status og_table_lookup(og_table *t, const char *key, size_t key_len, uint64_t *rowid_out,
                          og_error *err) {
  uint64_t id;
  og_status rc = og_table_lookup_many(t, &key, &key_len, 1, &id, err);
  if (rc != OG_OK) return rc;
  if (id == UINT64_MAX)
    return og_err_set(err, OG_ENOTFOUND, "table: key '%.*s' not found", (int)(key_len > 200 ? 200 : key_len), key);
  *rowid_out = id;
  return OG_OK;
}

typedef struct fetch_loc {
  size_t frag;
  uint32_t off;
  uint32_t idx; /* position in the request */
} fetch_loc;

static int loc_cmp(const void *a, const void *b) {
  const fetch_loc *x = a, *y = b;
  if (x->frag != y->frag) return x->frag < y->frag ? -1 : 1;
  if (x->off != y->off) return x->off < y->off ? -1 : 1;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

og_status og_table_fetch(og_table *t, const uint64_t *rowids, size_t n, const uint32_t *cols,
                         size_t ncols, og_batch *out, og_error *err) {
  og_status rc;
  fetch_loc *locs = NULL;
  uint32_t *offs = NULL, *pos = NULL;
  og_batch tmp = OG_BATCH_INIT;
  if ((rc = og_batch_init_cols(out, &t->schema, cols, ncols, err)) != OG_OK) return rc;
  if (n == 0) return OG_OK;
  if ((rc = og_batch_init_cols(&tmp, &t->schema, cols, ncols, err)) != OG_OK) goto cleanup;
  locs = og_malloc(n * sizeof *locs);
  offs = og_malloc(n * sizeof *offs);
  pos = og_malloc(n * sizeof *pos);
  if (!locs || !offs || !pos) { rc = og_err_oom(err); goto cleanup; }
  for (size_t i = 0; i < n; i++) {
    if ((rc = og_table_locate(t, rowids[i], &locs[i].frag, &locs[i].off, err)) != OG_OK) goto cleanup;
    if (locs[i].frag == SIZE_MAX) {
      rc = og_err_set(err, OG_ENOTFOUND, "table: row id %llu is not live",
                      (unsigned long long)rowids[i]);
      goto cleanup;
    }
    locs[i].idx = (uint32_t)i;
  }
  qsort(locs, n, sizeof *locs, loc_cmp);
  size_t g = 0;
  while (g < n) {
    size_t e = g;
    while (e < n && locs[e].frag == locs[g].frag) {
      offs[e - g] = locs[e].off;
      pos[locs[e].idx] = (uint32_t)e;
      e++;
    }
    const og_footer *f;
    if ((rc = og_table_frag_footer(t, locs[g].frag, &f, err)) != OG_OK) goto cleanup;
    for (size_t c = 0; c < tmp.ncols; c++) {
      if ((rc = og_frag_read_rows(t->st, t->frags[locs[g].frag].key, f, tmp.col_index[c], offs,
                                  e - g, &tmp.cols[c], err)) != OG_OK)
        goto cleanup;
    }
    g = e;
  }
  for (size_t c = 0; c < out->ncols; c++)
    if (og_column_take(&out->cols[c], &tmp.cols[c], pos, n) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  if (og_array_reserve((void **)&out->rowids.items, &out->rowids.cap, n, sizeof(uint64_t)) != OG_OK) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  memcpy(out->rowids.items, rowids, n * sizeof *rowids);
  out->rowids.count = n;
cleanup:
  if (rc != OG_OK) og_batch_dispose(out);
  og_batch_dispose(&tmp);
  og_free(locs);
  og_free(offs);
  og_free(pos);
  return rc;
}

/*==================== inventory ====================*/

static int str_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

og_status og_table_objects(og_table *t, og_keylist *out, og_error *err) {
  memset(out, 0, sizeof *out);
  size_t cap = 1 + t->nfrags * 3;
  out->keys = og_calloc(cap, sizeof *out->keys);
  if (!out->keys) return og_err_oom(err);
  out->keys[out->count++] = og_strdup(t->key);
  for (size_t i = 0; i < t->nfrags; i++) {
    const og_fragmeta *m = &t->frags[i];
    out->keys[out->count++] = og_strdup(m->key);
    if (m->dv_key[0]) out->keys[out->count++] = og_strdup(m->dv_key);
    if (m->kidx_key[0]) out->keys[out->count++] = og_strdup(m->kidx_key);
  }
  for (size_t i = 0; i < out->count; i++)
    if (!out->keys[i]) {
      og_keylist_dispose(out);
      return og_err_oom(err);
    }
  qsort(out->keys, out->count, sizeof *out->keys, str_cmp);
  size_t w = 0;
  for (size_t i = 0; i < out->count; i++) {
    if (w && strcmp(out->keys[w - 1], out->keys[i]) == 0) {
      og_free(out->keys[i]);
      continue;
    }
    out->keys[w++] = out->keys[i];
  }
  out->count = w;
  return OG_OK;
}

og_status og_table_verify(og_table *t, og_error *err) {
  og_status rc = OG_OK;
  og_footer *f = NULL;
  uint64_t *rids = NULL, *live = NULL;
  roaring_bitmap_t *dv = NULL;
  og_kidx *kx = NULL;
  og_column col;
  bool col_init = false;
  size_t nlive = 0;
  uint64_t total_live = 0;
  og_buf b = OG_BUF_INIT;
  /* the descriptor object itself must still be there and decode identically */
  if ((rc = og_store_get(t->st, t->key, &b, err)) != OG_OK) goto cleanup;
  {
    og_table *again = NULL;
    if ((rc = og_table_open(t->st, t->key, &again, err)) != OG_OK) goto cleanup;
    og_table_free(again);
  }
  live = og_malloc((size_t)(t->live_rows ? t->live_rows : 1) * sizeof *live);
  if (!live) { rc = og_err_oom(err); goto cleanup; }
  /* every object of a version lives under its prefix (cleanup relies on
   * it), or is embedded in another object (a slice: the graph layer embeds
   * small writes in the manifest that commits them and checks those) */
  {
    size_t pl = strlen(t->prefix);
    for (size_t i = 0; i < t->nfrags; i++) {
      const og_fragmeta *m = &t->frags[i];
      const char *ks[3] = {m->key, m->dv_key, m->kidx_key};
      for (int k = 0; k < 3; k++)
        if (ks[k][0] && og_store_key_plain(ks[k]) &&
            (strncmp(ks[k], t->prefix, pl) != 0 || ks[k][pl] != '/')) {
          rc = og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': references '%s' outside prefix '%s'",
                          t->key, ks[k], t->prefix);
          goto cleanup;
        }
    }
  }
  for (size_t i = 0; i < t->nfrags; i++) {
    const og_fragmeta *m = &t->frags[i];
    if ((rc = og_footer_read(t->st, m->key, &f, err)) != OG_OK) goto cleanup;
    if (f->rows != m->rows || f->object_size != m->bytes) {
      rc = og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': rows/size differ from the descriptor", m->key);
      goto cleanup;
    }
    if ((rc = og_footer_check_schema(m->key, f, &t->schema, err)) != OG_OK) goto cleanup;
    if ((rc = og_frag_read_rowids(t->st, m->key, f, &rids, err)) != OG_OK) goto cleanup;
    if (rids[0] != m->min_rowid || rids[m->rows - 1] != m->max_rowid) {
      rc = og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': row ids differ from the descriptor", m->key);
      goto cleanup;
    }
    if (m->dv_key[0]) {
      if ((rc = og_dv_load(t->st, m->dv_key, m->rows, &dv, err)) != OG_OK) goto cleanup;
      if (roaring_bitmap_get_cardinality(dv) != m->deleted) {
        rc = og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': deleted count differs", m->dv_key);
        goto cleanup;
      }
    }
    if (m->kidx_key[0] && (rc = og_kidx_load(t->st, m->kidx_key, m->rows, &kx, err)) != OG_OK)
      goto cleanup;
    for (size_t c = 0; c < t->schema.ncols; c++) {
      if (og_column_init(&col, &t->schema.cols[c]) != OG_OK) { rc = og_err_oom(err); goto cleanup; }
      col_init = true;
      if ((rc = og_frag_read_column(t->st, m->key, f, c, &col, err)) != OG_OK) goto cleanup;
      if (col.count != m->rows || col.null_count != f->cols[c].null_count) {
        rc = og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': column %zu row/null count", m->key, c);
        goto cleanup;
      }
      if ((rc = og_frag_check_stats(m->key, &f->cols[c], &col, err)) != OG_OK) goto cleanup;
      if (kx && (int)c == t->schema.key_col) {
        for (size_t r = 0; r < m->rows; r++) {
          size_t a, bl;
          const char *x = og_column_get_bytes(&col, r, &a);
          const char *y = og_kidx_key_at(kx, (uint32_t)r, &bl);
          if (a != bl || memcmp(x, y, a) != 0) {
            rc = og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': key index disagrees with the data", m->kidx_key);
            goto cleanup;
          }
        }
      }
      og_column_dispose(&col);
      col_init = false;
    }
    for (uint64_t r = 0; r < m->rows; r++) {
      if (dv && roaring_bitmap_contains(dv, (uint32_t)r)) continue;
      if (nlive >= t->live_rows) {
        rc = og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': more live rows than recorded", t->key);
        goto cleanup;
      }
      live[nlive++] = rids[r];
    }
    total_live += m->rows - m->deleted;
    og_footer_free(f);
    f = NULL;
    og_free(rids);
    rids = NULL;
    if (dv) roaring_bitmap_free(dv);
    dv = NULL;
    og_kidx_free(kx);
    kx = NULL;
  }
  if (total_live != t->live_rows || nlive != t->live_rows) {
    rc = og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': live row count mismatch", t->key);
    goto cleanup;
  }
  qsort(live, nlive, sizeof *live, u64_cmp);
  for (size_t i = 1; i < nlive; i++)
    if (live[i] == live[i - 1]) {
      rc = og_err_set(err, OG_ECORRUPT, "table: corrupt object '%s': row id %llu live twice", t->key,
                      (unsigned long long)live[i]);
      goto cleanup;
    }
cleanup:
  og_buf_dispose(&b);
  og_footer_free(f);
  og_free(rids);
  og_free(live);
  if (dv) roaring_bitmap_free(dv);
  og_kidx_free(kx);
  if (col_init) og_column_dispose(&col);
  return rc;
}
