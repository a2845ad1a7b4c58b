/*
 * The store frontend: URI dispatch, key validation, reference counting and
 * the per-operation counters. Backends (posix.c, memory.c, fault.c) see only
 * validated keys; everything that is the same for every backend lives here so
 * it is implemented (and tested) once.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(s, field) atomic_fetch_add_explicit(&(s)->stats.field, 1, memory_order_relaxed)
#define ADD(s, field, n) atomic_fetch_add_explicit(&(s)->stats.field, (n), memory_order_relaxed)

/*==================== common header ====================*/

static atomic_uint_fast64_t g_instances;

uint64_t og_store_instance(const og_store *s) { return s ? s->instance : 0; }

bool og_store_creates_atomic(og_store *s) {
  return !s || !s->vt->creates_atomic || s->vt->creates_atomic(s);
}

og_status og_store__init(og_store *s, const og_store_vtab *vt, const char *desc) {
  s->vt = vt;
  s->instance = (uint64_t)atomic_fetch_add(&g_instances, 1) + 1;
  atomic_init(&s->refs, 1);
  atomic_init(&s->stats.gets, 0);
  atomic_init(&s->stats.get_ranges, 0);
  atomic_init(&s->stats.heads, 0);
  atomic_init(&s->stats.puts, 0);
  atomic_init(&s->stats.put_if_absents, 0);
  atomic_init(&s->stats.lists, 0);
  atomic_init(&s->stats.deletes, 0);
  atomic_init(&s->stats.bytes_read, 0);
  atomic_init(&s->stats.bytes_written, 0);
  atomic_init(&s->stats.fsyncs, 0);
  s->desc = og_strdup(desc ? desc : vt->kind);
  return s->desc ? OG_OK : OG_ENOMEM;
}

void og_store__fini(og_store *s) {
  if (!s) return;
  og_free(s->desc);
  s->desc = NULL;
}

og_store *og_store_ref(og_store *s) {
  if (s) atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
  return s;
}

void og_store_free(og_store *s) {
  if (!s) return;
  /* acq_rel: the last owner must see every write the others made. */
  if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) s->vt->destroy(s);
}

const char *og_store_describe(og_store *s) { return s ? s->desc : "(null)"; }

void og_store_stats_get(og_store *s, og_store_stats *out) {
  memset(out, 0, sizeof *out);
  if (!s) return;
  out->gets = atomic_load(&s->stats.gets);
  out->get_ranges = atomic_load(&s->stats.get_ranges);
  out->heads = atomic_load(&s->stats.heads);
  out->puts = atomic_load(&s->stats.puts);
  out->put_if_absents = atomic_load(&s->stats.put_if_absents);
  out->lists = atomic_load(&s->stats.lists);
  out->deletes = atomic_load(&s->stats.deletes);
  out->bytes_read = atomic_load(&s->stats.bytes_read);
  out->bytes_written = atomic_load(&s->stats.bytes_written);
  out->fsyncs = atomic_load(&s->stats.fsyncs);
}

void og_store_stats_reset(og_store *s) {
  if (!s) return;
  atomic_store(&s->stats.gets, 0);
  atomic_store(&s->stats.get_ranges, 0);
  atomic_store(&s->stats.heads, 0);
  atomic_store(&s->stats.puts, 0);
  atomic_store(&s->stats.put_if_absents, 0);
  atomic_store(&s->stats.lists, 0);
  atomic_store(&s->stats.deletes, 0);
  atomic_store(&s->stats.bytes_read, 0);
  atomic_store(&s->stats.bytes_written, 0);
  atomic_store(&s->stats.fsyncs, 0);
}

/*==================== keys ====================*/

/* Plain object keys: the rules of store.h; '#' is reserved for slices. */
static bool plain_key_valid(const char *key, size_t n) {
  if (n == 0 || n > OG_STORE_KEY_MAX) return false;
  const char *seg = key;
  for (size_t i = 0; i <= n; i++) {
    unsigned char c = i < n ? (unsigned char)key[i] : '\0';
    if (c == '/' || c == '\0') {
      size_t len = (size_t)(key + i - seg);
      if (len == 0 || len > OG_STORE_SEGMENT_MAX) return false;
      if (len == 1 && seg[0] == '.') return false;
      if (len == 2 && seg[0] == '.' && seg[1] == '.') return false;
      if (len >= sizeof OG_STORE_TEMP_PREFIX - 1 &&
          memcmp(seg, OG_STORE_TEMP_PREFIX, sizeof OG_STORE_TEMP_PREFIX - 1) == 0)
        return false;
      if (len >= sizeof OG_STORE_SEQ_PREFIX - 1 &&
          memcmp(seg, OG_STORE_SEQ_PREFIX, sizeof OG_STORE_SEQ_PREFIX - 1) == 0)
        return false;
      seg = key + i + 1;
      continue;
    }
    if (c < 0x20 || c > 0x7e || c == '\\' || c == '#') return false;
  }
  return true;
}

/* A canonical decimal u64 (no sign, no leading zero unless "0"). */
static bool parse_dec(const char *p, size_t n, uint64_t *out) {
  if (n == 0 || n > 20 || (n > 1 && p[0] == '0')) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return false;
    uint64_t d = (uint64_t)(p[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool og_store_slice_parse(const char *key, size_t *base_len, uint64_t *offset, uint64_t *len) {
  if (!key) return false;
  const char *hash = strchr(key, '#');
  if (!hash) return false;
  const char *plus = strchr(hash + 1, '+');
  uint64_t off = 0, n = 0;
  if (!plus || !parse_dec(hash + 1, (size_t)(plus - hash - 1), &off) ||
      !parse_dec(plus + 1, strlen(plus + 1), &n) || off > UINT64_MAX - n)
    return false;
  if (!plain_key_valid(key, (size_t)(hash - key)) || strlen(key) > OG_STORE_KEY_MAX) return false;
  if (base_len) *base_len = (size_t)(hash - key);
  if (offset) *offset = off;
  if (len) *len = n;
  return true;
}

og_status og_store_slice_key(og_buf *out, const char *base, uint64_t offset, uint64_t len) {
  og_buf_printf(out, "%s#%llu+%llu", base, (unsigned long long)offset, (unsigned long long)len);
  return out->oom ? OG_ENOMEM : OG_OK;
}

bool og_store_key_valid(const char *key) {
  if (!key) return false;
  return plain_key_valid(key, strlen(key)) || og_store_slice_parse(key, NULL, NULL, NULL);
}

bool og_store_key_plain(const char *key) { return key && plain_key_valid(key, strlen(key)); }

bool og_store_prefix_valid(const char *prefix) {
  if (!prefix) return false;
  size_t n = strlen(prefix);
  if (n == 0) return true;
  if (n >= OG_STORE_KEY_MAX) return false;
  /* A prefix may stop anywhere inside a key ("log/ma", "log/main/"): it is
   * valid exactly when some key starts with it; appending one ordinary
   * character gives such a key unless the prefix itself breaks a rule.
   * "log/." and "log/.." are fine as prefixes (of "log/.x", "log/..x"). */
  char tmp[OG_STORE_KEY_MAX + 2];
  memcpy(tmp, prefix, n);
  tmp[n] = 'x';
  tmp[n + 1] = '\0';
  return plain_key_valid(tmp, n + 1);
}

static og_status bad_key(og_error *err, const char *op, const char *key) {
  return og_err_set(err, OG_EINVAL, "store: %s: invalid key '%.200s'%s", op, key ? key : "(null)",
                    key && strlen(key) > 200 ? "..." : "");
}

/*==================== keylists ====================*/

og_status og_keylist__push(og_keylist *l, const char *key, size_t len) {
  /* Capacity is implicit: 8, then doubling, so it is full exactly when the
   * count is 0 or a power of two >= 8. */
  size_t n = l->count;
  if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
    size_t ncap = n == 0 ? 8 : n * 2;
    char **p = og_realloc(l->keys, ncap * sizeof *p);
    if (!p) return OG_ENOMEM;
    l->keys = p;
  }
  char *k = og_strndup(key, len);
  if (!k) return OG_ENOMEM;
  l->keys[l->count++] = k;
  return OG_OK;
}

void og_keylist_dispose(og_keylist *l) {
  if (!l) return;
  for (size_t i = 0; i < l->count; i++) og_free(l->keys[i]);
  og_free(l->keys);
  l->keys = NULL;
  l->count = 0;
}

static int cmp_keys(const void *a, const void *b) {
  /* strcmp compares as unsigned char: bytewise order. */
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/*==================== operations ====================*/

/* A failed read leaves `out` as the caller passed it. */
static void buf_restore(og_buf *out, size_t len) {
  if (out->len > len) {
    out->len = len;
    if (out->ptr) out->ptr[len] = '\0';
  }
}

/* A slice key resolved: the base key copied into `base` (NUL-terminated). */
typedef struct slice {
  char base[OG_STORE_KEY_MAX + 1];
  uint64_t off, len;
} slice;

static bool slice_of(const char *key, slice *sl) {
  size_t bl = 0;
  if (!og_store_slice_parse(key, &bl, &sl->off, &sl->len)) return false;
  memcpy(sl->base, key, bl);
  sl->base[bl] = '\0';
  return true;
}

og_status og_store_get(og_store *s, const char *key, og_buf *out, og_error *err) {
  slice sl;
  bool is_slice = !og_store_key_plain(key) && slice_of(key, &sl);
  if (!is_slice && !og_store_key_plain(key)) return bad_key(err, "get", key);
  size_t before = out->len;
  og_status rc;
  if (is_slice) {
    COUNT(s, get_ranges);
    rc = s->vt->get_range(s, sl.base, sl.off, sl.len, out, err);
    if (rc == OG_OK && out->len - before != sl.len)
      rc = og_err_set(err, OG_ECORRUPT, "store: slice '%.200s' reaches past the end of '%.200s'",
                      key, sl.base);
  } else {
    COUNT(s, gets);
    rc = s->vt->get(s, key, out, err);
  }
  if (rc == OG_OK) ADD(s, bytes_read, out->len - before);
  else buf_restore(out, before);
  return rc;
}

og_status og_store_get_range(og_store *s, const char *key, uint64_t offset, uint64_t len,
                             og_buf *out, og_error *err) {
  slice sl;
  bool is_slice = !og_store_key_plain(key) && slice_of(key, &sl);
  if (!is_slice && !og_store_key_plain(key)) return bad_key(err, "get_range", key);
  COUNT(s, get_ranges);
  size_t before = out->len;
  og_status rc;
  if (is_slice) {
    /* clipped to the slice, as a range of a plain object is to the object */
    uint64_t n = offset >= sl.len ? 0 : (len < sl.len - offset ? len : sl.len - offset);
    rc = n ? s->vt->get_range(s, sl.base, sl.off + offset, n, out, err) : OG_OK;
  } else {
    rc = s->vt->get_range(s, key, offset, len, out, err);
  }
  if (rc == OG_OK) ADD(s, bytes_read, out->len - before);
  else buf_restore(out, before);
  return rc;
}

og_status og_store_head(og_store *s, const char *key, uint64_t *size_out, og_error *err) {
  slice sl;
  if (!og_store_key_plain(key)) {
    if (!slice_of(key, &sl)) return bad_key(err, "head", key);
    /* no I/O: a slice's presence shows when it is read */
    if (size_out) *size_out = sl.len;
    return OG_OK;
  }
  COUNT(s, heads);
  uint64_t size = 0;
  og_status rc = s->vt->head(s, key, &size, err);
  if (size_out) *size_out = rc == OG_OK ? size : 0;
  return rc;
}

og_status og_store_put(og_store *s, const char *key, const void *data, size_t len, og_error *err) {
  if (!og_store_key_plain(key)) return bad_key(err, "put", key);
  if (len && !data) return og_err_set(err, OG_EINVAL, "store: put '%s': NULL data", key);
  COUNT(s, puts);
  og_status rc = s->vt->put(s, key, data ? data : "", len, err);
  if (rc == OG_OK) ADD(s, bytes_written, len);
  return rc;
}

og_status og_store_put_hint(og_store *s, const char *key, const void *data, size_t len,
                            og_error *err) {
  if (!og_store_key_plain(key)) return bad_key(err, "put", key);
  if (len && !data) return og_err_set(err, OG_EINVAL, "store: put '%s': NULL data", key);
  COUNT(s, puts);
  og_status rc = (s->vt->put_hint ? s->vt->put_hint : s->vt->put)(s, key, data ? data : "", len, err);
  if (rc == OG_OK) ADD(s, bytes_written, len);
  return rc;
}

og_status og_store_overwrite_hint(og_store *s, const char *key, const void *data, size_t len,
                                  og_error *err) {
  if (!og_store_key_plain(key)) return bad_key(err, "put", key);
  if (len && !data) return og_err_set(err, OG_EINVAL, "store: put '%s': NULL data", key);
  COUNT(s, puts);
  og_status (*f)(og_store *, const char *, const void *, size_t, og_error *) =
      s->vt->overwrite_hint ? s->vt->overwrite_hint : s->vt->put_hint ? s->vt->put_hint : s->vt->put;
  og_status rc = f(s, key, data ? data : "", len, err);
  if (rc == OG_OK) ADD(s, bytes_written, len);
  return rc;
}

og_status og_store_put_if_absent(og_store *s, const char *key, const void *data, size_t len,
                                 og_error *err) {
  if (!og_store_key_plain(key)) return bad_key(err, "put_if_absent", key);
  if (len && !data) return og_err_set(err, OG_EINVAL, "store: put_if_absent '%s': NULL data", key);
  COUNT(s, put_if_absents);
  og_status rc = s->vt->put_if_absent(s, key, data ? data : "", len, err);
  if (rc == OG_OK) ADD(s, bytes_written, len);
  return rc;
}

og_status og_store_list(og_store *s, const char *prefix, og_keylist *out, og_error *err) {
  if (!prefix) prefix = "";
  if (!og_store_prefix_valid(prefix))
    return og_err_set(err, OG_EINVAL, "store: list: invalid prefix '%.200s'", prefix);
  COUNT(s, lists);
  og_keylist l = {NULL, 0};
  og_status rc = s->vt->list(s, prefix, &l, err);
  if (rc != OG_OK) {
    og_keylist_dispose(&l);
    return rc;
  }
  if (l.count > 1) qsort(l.keys, l.count, sizeof *l.keys, cmp_keys);
  *out = l;
  return OG_OK;
}

og_status og_store_delete(og_store *s, const char *key, og_error *err) {
  if (!og_store_key_plain(key)) return bad_key(err, "delete", key);
  COUNT(s, deletes);
  return s->vt->del(s, key, err);
}

og_status og_store_sweep_temp(og_store *s, uint64_t older_than_ms, size_t *removed_out,
                              og_error *err) {
  size_t removed = 0;
  og_status rc = OG_OK;
  if (s->vt->sweep_temp) rc = s->vt->sweep_temp(s, older_than_ms, &removed, err);
  if (removed_out) *removed_out = removed;
  return rc;
}

/*==================== opening by URI ====================*/

og_status og_store_open(og_store **out, const char *uri, bool create, og_error *err) {
  *out = NULL;
  if (!uri || !*uri) return og_err_set(err, OG_EINVAL, "store: empty storage URI");
  if (og_str_startswith(uri, "file://")) {
    const char *path = uri + 7;
    if (!*path) return og_err_set(err, OG_EINVAL, "store: '%s': missing path", uri);
    return og_store_open_posix(out, path, create, err);
  }
  if (og_str_startswith(uri, "memory://")) {
    const char *name = uri + 9;
    if (!*name) return og_err_set(err, OG_EINVAL, "store: '%s': missing memory store name", uri);
    return og_store__memory_named(out, name, create, err);
  }
  if (og_str_startswith(uri, "s3://"))
    return og_err_set(err, OG_EUNSUPPORTED,
                      "store: '%s': the s3 backend is not available in this build", uri);
  const char *colon = strstr(uri, "://");
  if (colon) {
    bool scheme = colon > uri;
    for (const char *p = uri; p < colon; p++)
      if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '+' || *p == '-' || *p == '.'))
        scheme = false;
    if (scheme)
      return og_err_set(err, OG_EUNSUPPORTED,
                        "store: '%s': unsupported storage scheme '%.*s' (file, memory)", uri,
                        (int)(colon - uri), uri);
  }
  return og_store_open_posix(out, uri, create, err);
}
