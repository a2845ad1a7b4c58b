/*
 * The pack wrapper: the store a write creates its objects through. Objects
 * the owner chooses to hold (small ones) stay in memory, readable through
 * this handle only, until the owner embeds them in the object that commits
 * the write (the graph layer's manifest) or writes them out itself; the rest
 * pass through to the base store. Why: a small write then costs one durable
 * object instead of one per table object (docs/durability.md §6).
 *
 * Held objects are immutable once created (the table layer never rewrites a
 * key); a delete drops one. Reads of a held key are served from memory,
 * everything else is forwarded. list forwards to the base only: nobody lists
 * a write's own objects before it commits.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <string.h>

typedef struct held {
  char *key;
  char *data;
  size_t len;
  bool dropped;
} held;

typedef struct pack_store {
  og_store base;
  og_store *inner;
  og_pack_opts o;
  pthread_mutex_t mu;
  OG_VEC(held) objs;     /* creation order */
  og_map index;          /* key → index + 1 into objs */
  size_t held_bytes;
  bool created;          /* before_create has run successfully */
} pack_store;

static const og_store_vtab pack_vtab;

/* The held object of `key` (mu held), or NULL. */
static held *find(pack_store *ps, const char *key) {
  void *v = NULL;
  if (!og_map_sget(&ps->index, key, &v)) return NULL;
  held *h = &ps->objs.items[(size_t)(uintptr_t)v - 1];
  return h->dropped ? NULL : h;
}

static og_status pack_get_range(og_store *s, const char *key, uint64_t offset, uint64_t len,
                                og_buf *out, og_error *err) {
  pack_store *ps = (pack_store *)s;
  pthread_mutex_lock(&ps->mu);
  held *h = find(ps, key);
  og_status rc = OG_OK;
  if (h) {
    size_t want = offset >= h->len ? 0 : (len < h->len - offset ? (size_t)len : h->len - (size_t)offset);
    if (og_buf_put(out, h->data + (offset < h->len ? offset : 0), want)) rc = og_err_oom(err);
  }
  pthread_mutex_unlock(&ps->mu);
  if (h) return rc;
  return og_store_get_range(ps->inner, key, offset, len, out, err);
}

static og_status pack_get(og_store *s, const char *key, og_buf *out, og_error *err) {
  pack_store *ps = (pack_store *)s;
  pthread_mutex_lock(&ps->mu);
  bool mine = find(ps, key) != NULL;
  pthread_mutex_unlock(&ps->mu);
  if (mine) return pack_get_range(s, key, 0, UINT64_MAX, out, err);
  return og_store_get(ps->inner, key, out, err);
}

static og_status pack_head(og_store *s, const char *key, uint64_t *size_out, og_error *err) {
  pack_store *ps = (pack_store *)s;
  pthread_mutex_lock(&ps->mu);
  held *h = find(ps, key);
  if (h) *size_out = h->len;
  pthread_mutex_unlock(&ps->mu);
  if (h) return OG_OK;
  return og_store_head(ps->inner, key, size_out, err);
}

/* Run before_create once, before the first create that reaches the base. */
static og_status ensure_created(pack_store *ps, og_error *err) {
  og_status rc = OG_OK;
  pthread_mutex_lock(&ps->mu);
  if (!ps->created) {
    if (ps->o.before_create) rc = ps->o.before_create(ps->o.ctx, err);
    if (rc == OG_OK) ps->created = true;
  }
  pthread_mutex_unlock(&ps->mu);
  return rc;
}

/* Hold the object if the owner wants it: OG_OK and *took = true when held. */
static og_status try_hold(pack_store *ps, const char *key, const void *data, size_t len,
                          bool if_absent, bool *took, og_error *err) {
  og_status rc = OG_OK;
  *took = false;
  pthread_mutex_lock(&ps->mu);
  if (!ps->o.hold || !ps->o.hold(ps->o.ctx, key, len, ps->held_bytes)) goto cleanup;
  held *old = find(ps, key);
  if (old && if_absent) {
    rc = og_err_set(err, OG_EEXISTS, "store: put_if_absent '%s': object exists", key);
    *took = true;
    goto cleanup;
  }
  held h = {og_strdup(key), og_malloc(len + 1), len, false};
  if (!h.key || !h.data || OG_VEC_PUSH(&ps->objs, h) != OG_OK) {
    og_free(h.key);
    og_free(h.data);
    rc = og_err_oom(err);
    *took = true;
    goto cleanup;
  }
  memcpy(h.data, data, len);
  if (og_map_sput(&ps->index, key, (void *)(uintptr_t)ps->objs.count) != OG_OK) {
    ps->objs.count--;
    og_free(h.key);
    og_free(h.data);
    rc = og_err_oom(err);
    *took = true;
    goto cleanup;
  }
  if (old) { /* a replacing put: the new bytes win, the old entry is dead */
    old->dropped = true;
    ps->held_bytes -= old->len;
  }
  ps->held_bytes += len;
  *took = true;
cleanup:
  pthread_mutex_unlock(&ps->mu);
  return rc;
}

static og_status pack_put(og_store *s, const char *key, const void *data, size_t len,
                          og_error *err) {
  pack_store *ps = (pack_store *)s;
  bool took;
  og_status rc = try_hold(ps, key, data, len, false, &took, err);
  if (took) return rc;
  if ((rc = ensure_created(ps, err)) != OG_OK) return rc;
  return og_store_put(ps->inner, key, data, len, err);
}

static og_status pack_put_if_absent(og_store *s, const char *key, const void *data, size_t len,
                                    og_error *err) {
  pack_store *ps = (pack_store *)s;
  bool took;
  og_status rc = try_hold(ps, key, data, len, true, &took, err);
  if (took) return rc;
  if ((rc = ensure_created(ps, err)) != OG_OK) return rc;
  return og_store_put_if_absent(ps->inner, key, data, len, err);
}

static og_status pack_put_hint(og_store *s, const char *key, const void *data, size_t len,
                               og_error *err) {
  pack_store *ps = (pack_store *)s;
  return og_store_put_hint(ps->inner, key, data, len, err);
}

static og_status pack_list(og_store *s, const char *prefix, og_keylist *out, og_error *err) {
  pack_store *ps = (pack_store *)s;
  og_keylist l = {0};
  og_status rc = og_store_list(ps->inner, prefix, &l, err);
  for (size_t i = 0; rc == OG_OK && i < l.count; i++)
    if (og_keylist__push(out, l.keys[i], strlen(l.keys[i]))) rc = og_err_oom(err);
  og_keylist_dispose(&l);
  return rc;
}

static og_status pack_delete(og_store *s, const char *key, og_error *err) {
  pack_store *ps = (pack_store *)s;
  pthread_mutex_lock(&ps->mu);
  held *h = find(ps, key);
  if (h) {
    h->dropped = true;
    ps->held_bytes -= h->len;
  }
  pthread_mutex_unlock(&ps->mu);
  return h ? OG_OK : og_store_delete(ps->inner, key, err);
}

static void pack_destroy(og_store *s) {
  pack_store *ps = (pack_store *)s;
  for (size_t i = 0; i < ps->objs.count; i++) {
    og_free(ps->objs.items[i].key);
    og_free(ps->objs.items[i].data);
  }
  OG_VEC_FREE(&ps->objs);
  og_map_dispose(&ps->index);
  pthread_mutex_destroy(&ps->mu);
  og_store_free(ps->inner);
  og_store__fini(&ps->base);
  og_free(ps);
}

static bool pack_creates_atomic(og_store *s) {
  return og_store_creates_atomic(((pack_store *)s)->inner);
}

static const og_store_vtab pack_vtab = {
    .creates_atomic = pack_creates_atomic,
    .kind = "pack",
    .get = pack_get,
    .get_range = pack_get_range,
    .head = pack_head,
    .put = pack_put,
    .put_if_absent = pack_put_if_absent,
    .put_hint = pack_put_hint,
    .list = pack_list,
    .del = pack_delete,
    .sweep_temp = NULL,
    .destroy = pack_destroy,
};

og_status og_store_open_pack(og_store **out, og_store *base, const og_pack_opts *o,
                             og_error *err) {
  *out = NULL;
  pack_store *ps = og_calloc(1, sizeof *ps);
  og_buf desc = OG_BUF_INIT;
  if (!ps) return og_err_oom(err);
  og_buf_printf(&desc, "pack(%s)", og_store_describe(base));
  if (desc.oom || og_store__init(&ps->base, &pack_vtab, desc.ptr) != OG_OK) {
    og_buf_dispose(&desc);
    og_store__fini(&ps->base);
    og_free(ps);
    return og_err_oom(err);
  }
  og_buf_dispose(&desc);
  pthread_mutex_init(&ps->mu, NULL);
  ps->inner = og_store_ref(base);
  if (o) ps->o = *o;
  *out = &ps->base;
  return OG_OK;
}

static pack_store *as_pack(og_store *s) {
  return s && s->vt == &pack_vtab ? (pack_store *)s : NULL;
}

bool og_store_pack_held(og_store *pack, const char *key, const void **data, size_t *len) {
  pack_store *ps = as_pack(pack);
  if (!ps || !key) return false;
  pthread_mutex_lock(&ps->mu);
  held *h = find(ps, key);
  if (h) {
    if (data) *data = h->data;
    if (len) *len = h->len;
  }
  pthread_mutex_unlock(&ps->mu);
  return h != NULL;
}

size_t og_store_pack_held_bytes(og_store *pack) {
  pack_store *ps = as_pack(pack);
  if (!ps) return 0;
  pthread_mutex_lock(&ps->mu);
  size_t n = ps->held_bytes;
  pthread_mutex_unlock(&ps->mu);
  return n;
}

og_store *og_store_pack_base(og_store *pack) {
  pack_store *ps = as_pack(pack);
  return ps ? ps->inner : pack;
}

og_status og_store_pack_ensure_created(og_store *pack, og_error *err) {
  pack_store *ps = as_pack(pack);
  return ps ? ensure_created(ps, err) : OG_OK;
}

bool og_store_pack_created(og_store *pack) {
  pack_store *ps = as_pack(pack);
  if (!ps) return false;
  pthread_mutex_lock(&ps->mu);
  bool c = ps->created;
  pthread_mutex_unlock(&ps->mu);
  return c;
}
