/*
 * The memory backend: a sorted array of key → immutable blob under a
 * readers-writer lock. A put builds the new blob before taking the lock and
 * swaps it in, so readers see the old bytes or the new ones (S1); a
 * put_if_absent checks and inserts under the write lock (S2). Sorted order
 * makes list(prefix) a binary search plus a scan (S4). Durability is moot.
 *
 * Named stores ("memory://<name>") live in a process-wide registry that holds
 * one reference each until og_store_memory_drop.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct mem_obj {
  char *key;
  char *data; /* len bytes + a NUL (so an empty blob still has a pointer) */
  size_t len;
} mem_obj;

typedef struct mem_store {
  og_store base;
  pthread_rwlock_t lock;
  mem_obj *objs; /* sorted by key, bytewise */
  size_t count, cap;
} mem_store;

/* Index of the first object with key >= `key`. */
static size_t lower_bound(const mem_store *ms, const char *key) {
  size_t lo = 0, hi = ms->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(ms->objs[mid].key, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static mem_obj *find(mem_store *ms, const char *key) {
  size_t i = lower_bound(ms, key);
  return i < ms->count && strcmp(ms->objs[i].key, key) == 0 ? &ms->objs[i] : NULL;
}

static og_status not_found(mem_store *ms, og_error *err, const char *op, const char *key) {
  return og_err_set(err, OG_ENOTFOUND, "store: %s '%s': no such object (%s)", op, key,
                    ms->base.desc);
}

static og_status mem_get_range(og_store *s, const char *key, uint64_t offset, uint64_t len,
                               og_buf *out, og_error *err) {
  mem_store *ms = (mem_store *)s;
  og_status rc = OG_OK;
  pthread_rwlock_rdlock(&ms->lock);
  mem_obj *o = find(ms, key);
  if (!o) {
    rc = not_found(ms, err, len == UINT64_MAX && offset == 0 ? "get" : "get_range", key);
  } else {
    size_t want = offset >= o->len ? 0 : (len < o->len - offset ? (size_t)len : o->len - (size_t)offset);
    if (og_buf_put(out, o->data + (offset < o->len ? offset : 0), want)) rc = og_err_oom(err);
  }
  pthread_rwlock_unlock(&ms->lock);
  return rc;
}

static og_status mem_get(og_store *s, const char *key, og_buf *out, og_error *err) {
  return mem_get_range(s, key, 0, UINT64_MAX, out, err);
}

static og_status mem_head(og_store *s, const char *key, uint64_t *size_out, og_error *err) {
  mem_store *ms = (mem_store *)s;
  og_status rc = OG_OK;
  pthread_rwlock_rdlock(&ms->lock);
  mem_obj *o = find(ms, key);
  if (o) *size_out = o->len;
  else rc = not_found(ms, err, "head", key);
  pthread_rwlock_unlock(&ms->lock);
  return rc;
}

/* Insert or replace; `only_if_absent` turns an existing key into OG_EEXISTS.
 * Allocation happens before the lock so the critical section cannot fail
 * half-way. */
static og_status mem_write(mem_store *ms, const char *key, const void *data, size_t len,
                           bool only_if_absent, og_error *err) {
  og_status rc = OG_OK;
  char *blob = og_malloc(len + 1);
  char *kcopy = og_strdup(key);
  char *old = NULL;
  if (!blob || !kcopy) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if (len) memcpy(blob, data, len);
  blob[len] = '\0';
  pthread_rwlock_wrlock(&ms->lock);
  size_t i = lower_bound(ms, key);
  if (i < ms->count && strcmp(ms->objs[i].key, key) == 0) {
    if (only_if_absent) {
      rc = og_err_set(err, OG_EEXISTS, "store: put_if_absent '%s': object exists (%s)", key,
                      ms->base.desc);
    } else {
      old = ms->objs[i].data;
      ms->objs[i].data = blob;
      ms->objs[i].len = len;
      blob = NULL;
    }
  } else if (ms->count == ms->cap &&
             og_array_reserve((void **)&ms->objs, &ms->cap, ms->count + 1, sizeof *ms->objs)) {
    rc = og_err_oom(err);
  } else {
    memmove(ms->objs + i + 1, ms->objs + i, (ms->count - i) * sizeof *ms->objs);
    ms->objs[i] = (mem_obj){kcopy, blob, len};
    ms->count++;
    kcopy = NULL;
    blob = NULL;
  }
  pthread_rwlock_unlock(&ms->lock);
cleanup:
  og_free(old);
  og_free(blob);
  og_free(kcopy);
  return rc;
}

static og_status mem_put(og_store *s, const char *key, const void *data, size_t len,
                         og_error *err) {
  return mem_write((mem_store *)s, key, data, len, false, err);
}

static og_status mem_put_if_absent(og_store *s, const char *key, const void *data, size_t len,
                                   og_error *err) {
  return mem_write((mem_store *)s, key, data, len, true, err);
}

static og_status mem_list(og_store *s, const char *prefix, og_keylist *out, og_error *err) {
  mem_store *ms = (mem_store *)s;
  og_status rc = OG_OK;
  size_t plen = strlen(prefix);
  pthread_rwlock_rdlock(&ms->lock);
  for (size_t i = lower_bound(ms, prefix); i < ms->count; i++) {
    const char *k = ms->objs[i].key;
    if (strncmp(k, prefix, plen) != 0) break;
    if (og_keylist__push(out, k, strlen(k))) {
      rc = og_err_oom(err);
      break;
    }
  }
  pthread_rwlock_unlock(&ms->lock);
  return rc;
}

static og_status mem_delete(og_store *s, const char *key, og_error *err) {
  mem_store *ms = (mem_store *)s;
  mem_obj victim = {NULL, NULL, 0};
  pthread_rwlock_wrlock(&ms->lock);
  size_t i = lower_bound(ms, key);
  if (i < ms->count && strcmp(ms->objs[i].key, key) == 0) {
    victim = ms->objs[i];
    memmove(ms->objs + i, ms->objs + i + 1, (ms->count - i - 1) * sizeof *ms->objs);
    ms->count--;
  }
  pthread_rwlock_unlock(&ms->lock);
  og_free(victim.key);
  og_free(victim.data);
  return OG_OK;
}

static void mem_destroy(og_store *s) {
  mem_store *ms = (mem_store *)s;
  for (size_t i = 0; i < ms->count; i++) {
    og_free(ms->objs[i].key);
    og_free(ms->objs[i].data);
  }
  og_free(ms->objs);
  pthread_rwlock_destroy(&ms->lock);
  og_store__fini(s);
  og_free(ms);
}

static const og_store_vtab mem_vtab = {
    .kind = "memory",
    .get = mem_get,
    .get_range = mem_get_range,
    .head = mem_head,
    .put = mem_put,
    .put_if_absent = mem_put_if_absent,
    .list = mem_list,
    .del = mem_delete,
    .sweep_temp = NULL,
    .destroy = mem_destroy,
};

static og_status mem_new(og_store **out, const char *desc, og_error *err) {
  mem_store *ms = og_calloc(1, sizeof *ms);
  if (!ms) return og_err_oom(err);
  if (pthread_rwlock_init(&ms->lock, NULL) != 0) {
    og_free(ms);
    return og_err_set(err, OG_ERROR, "store: cannot initialise a lock");
  }
  if (og_store__init(&ms->base, &mem_vtab, desc)) {
    pthread_rwlock_destroy(&ms->lock);
    og_store__fini(&ms->base);
    og_free(ms);
    return og_err_oom(err);
  }
  *out = &ms->base;
  return OG_OK;
}

og_status og_store_open_memory(og_store **out, og_error *err) {
  *out = NULL;
  return mem_new(out, "memory", err);
}

/*==================== named stores ====================*/

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static og_map registry = OG_MAP_INIT; /* name → og_store* (one reference) */

og_status og_store__memory_named(og_store **out, const char *name, bool create, og_error *err) {
  og_status rc = OG_OK;
  og_buf desc = OG_BUF_INIT;
  *out = NULL;
  pthread_mutex_lock(&registry_lock);
  void *found = NULL;
  if (og_map_sget(&registry, name, &found)) {
    *out = og_store_ref(found);
    goto cleanup;
  }
  if (!create) {
    rc = og_err_set(err, OG_ENOTFOUND, "store: no memory store named '%s'", name);
    goto cleanup;
  }
  og_store *s = NULL;
  if (og_buf_printf(&desc, "memory://%s", name)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if ((rc = mem_new(&s, desc.ptr, err)) != OG_OK) goto cleanup;
  if (og_map_sput(&registry, name, s)) {
    og_store_free(s);
    rc = og_err_oom(err);
    goto cleanup;
  }
  *out = og_store_ref(s);
cleanup:
  pthread_mutex_unlock(&registry_lock);
  og_buf_dispose(&desc);
  return rc;
}

void og_store_memory_drop(const char *name) {
  if (!name) return;
  if (og_str_startswith(name, "memory://")) name += 9;
  void *victim = NULL;
  pthread_mutex_lock(&registry_lock);
  bool had = og_map_remove(&registry, name, strlen(name), &victim);
  if (registry.count == 0) og_map_dispose(&registry); /* leave no allocation behind */
  pthread_mutex_unlock(&registry_lock);
  if (had) og_store_free(victim);
}
