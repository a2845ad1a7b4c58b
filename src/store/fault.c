/*
 * The fault-injecting wrapper: forwards every operation to an inner store
 * and, when armed, makes chosen operations fail the way real storage fails.
 * Fault state lives in the wrapper (not in a global), so tests running
 * several stores do not disturb each other.
 *
 * Matching: an operation matches when its bit is in spec.ops and (when set)
 * its key — the prefix for list — contains spec.key_substr. The Nth matching
 * operation fires (countdown N, 0 behaves as 1); with `persistent` every
 * matching operation after it fires too, otherwise the wrapper disarms itself.
 *
 * What a fired fault does (S5 is the contract being exercised):
 *  EIO / ENOSPC  nothing reaches the inner store; OG_EIO / OG_EFULL.
 *  TORN          put / put_if_absent: the inner store receives the first
 *                torn_bytes bytes only, then OG_EIO — what a device without
 *                atomic writes leaves after a crash. Other ops: like EIO.
 *  AFTER         the inner op runs; if it succeeded the caller still gets
 *                OG_EIO ("outcome unknown"), read results are withheld.
 *  CRASH         _exit(OG_FP_CRASH_EXIT) before the op reaches the store.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fault_store {
  og_store base;
  og_store *inner;
  pthread_mutex_t lock;
  bool armed;
  og_fault_spec spec; /* spec.key_substr points at key_substr below */
  bool has_substr;
  char key_substr[OG_STORE_KEY_MAX + 1]; /* inline: arming never allocates */
  uint64_t matched;   /* matching ops since arming */
  atomic_uint_fast64_t fired;
} fault_store;

static const og_store_vtab fault_vtab;

static const char *op_name(og_store_op op) {
  switch (op) {
  case OG_STORE_OP_GET: return "get";
  case OG_STORE_OP_GET_RANGE: return "get_range";
  case OG_STORE_OP_HEAD: return "head";
  case OG_STORE_OP_PUT: return "put";
  case OG_STORE_OP_PUT_IF_ABSENT: return "put_if_absent";
  case OG_STORE_OP_LIST: return "list";
  case OG_STORE_OP_DELETE: return "delete";
  default: return "?";
  }
}

/* Decide whether this operation fires; returns the fault kind (NONE = no). */
static og_fault_kind decide(fault_store *fs, og_store_op op, const char *key, size_t *torn) {
  og_fault_kind kind = OG_FAULT_NONE;
  pthread_mutex_lock(&fs->lock);
  if (fs->armed && (fs->spec.ops & (uint32_t)op) &&
      (!fs->has_substr || strstr(key, fs->key_substr))) {
    uint64_t n = ++fs->matched;
    uint64_t due = fs->spec.countdown ? fs->spec.countdown : 1;
    if (n == due || (fs->spec.persistent && n > due)) {
      kind = fs->spec.kind;
      *torn = fs->spec.torn_bytes;
      if (!fs->spec.persistent) fs->armed = false;
      if (kind != OG_FAULT_NONE) atomic_fetch_add(&fs->fired, 1);
    }
  }
  pthread_mutex_unlock(&fs->lock);
  if (kind == OG_FAULT_CRASH) {
    fflush(NULL);
    _exit(OG_FP_CRASH_EXIT);
  }
  return kind;
}

static og_status injected(fault_store *fs, og_error *err, og_fault_kind kind, og_store_op op,
                          const char *key) {
  switch (kind) {
  case OG_FAULT_ENOSPC:
    return og_err_set(err, OG_EFULL, "store: %s '%s': injected fault: no space left on device (%s)",
                      op_name(op), key, fs->base.desc);
  case OG_FAULT_TORN:
    return og_err_set(err, OG_EIO, "store: %s '%s': injected fault: torn write (%s)", op_name(op),
                      key, fs->base.desc);
  case OG_FAULT_AFTER:
    return og_err_set(err, OG_EIO,
                      "store: %s '%s': injected fault: I/O error after the operation, outcome "
                      "unknown (%s)",
                      op_name(op), key, fs->base.desc);
  default:
    return og_err_set(err, OG_EIO, "store: %s '%s': injected fault: I/O error (%s)", op_name(op),
                      key, fs->base.desc);
  }
}

/* Read-type ops share one shape: fault before, or run and then withhold. */
#define FAULT_READ(fs, op, key, err, call)                              \
  do {                                                                  \
    size_t torn_ = 0;                                                   \
    og_fault_kind k_ = decide((fs), (op), (key), &torn_);               \
    if (k_ != OG_FAULT_NONE && k_ != OG_FAULT_AFTER)                    \
      return injected((fs), (err), k_, (op), (key));                    \
    og_status rc_ = (call);                                             \
    if (rc_ == OG_OK && k_ == OG_FAULT_AFTER)                           \
      rc_ = injected((fs), (err), k_, (op), (key));                     \
    return rc_;                                                         \
  } while (0)

static og_status f_get(og_store *s, const char *key, og_buf *out, og_error *err) {
  fault_store *fs = (fault_store *)s;
  FAULT_READ(fs, OG_STORE_OP_GET, key, err, og_store_get(fs->inner, key, out, err));
}

static og_status f_get_range(og_store *s, const char *key, uint64_t offset, uint64_t len,
                             og_buf *out, og_error *err) {
  fault_store *fs = (fault_store *)s;
  FAULT_READ(fs, OG_STORE_OP_GET_RANGE, key, err,
             og_store_get_range(fs->inner, key, offset, len, out, err));
}

static og_status f_head(og_store *s, const char *key, uint64_t *size_out, og_error *err) {
  fault_store *fs = (fault_store *)s;
  FAULT_READ(fs, OG_STORE_OP_HEAD, key, err, og_store_head(fs->inner, key, size_out, err));
}

static og_status f_list(og_store *s, const char *prefix, og_keylist *out, og_error *err) {
  fault_store *fs = (fault_store *)s;
  size_t torn = 0;
  og_fault_kind k = decide(fs, OG_STORE_OP_LIST, prefix, &torn);
  if (k != OG_FAULT_NONE && k != OG_FAULT_AFTER)
    return injected(fs, err, k, OG_STORE_OP_LIST, prefix);
  og_keylist l = {NULL, 0};
  og_status rc = og_store_list(fs->inner, prefix, &l, err);
  if (rc == OG_OK && k == OG_FAULT_AFTER) rc = injected(fs, err, k, OG_STORE_OP_LIST, prefix);
  if (rc == OG_OK) {
    /* Hand over the inner list (the frontend re-sorts; already sorted). */
    *out = l;
    return OG_OK;
  }
  og_keylist_dispose(&l);
  return rc;
}

static og_status f_write(fault_store *fs, og_store_op op, const char *key, const void *data,
                         size_t len, og_error *err) {
  size_t torn = 0;
  og_fault_kind k = decide(fs, op, key, &torn);
  if (k == OG_FAULT_EIO || k == OG_FAULT_ENOSPC) return injected(fs, err, k, op, key);
  og_status rc;
  if (k == OG_FAULT_TORN && op != OG_STORE_OP_DELETE) {
    size_t n = torn < len ? torn : len;
    rc = op == OG_STORE_OP_PUT ? og_store_put(fs->inner, key, data, n, err)
                               : og_store_put_if_absent(fs->inner, key, data, n, err);
    /* put_if_absent on an existing key is refused whole: report that truth. */
    if (rc == OG_EEXISTS) return rc;
    return injected(fs, err, k, op, key);
  }
  if (k == OG_FAULT_TORN) return injected(fs, err, k, op, key);
  switch (op) {
  case OG_STORE_OP_PUT: rc = og_store_put(fs->inner, key, data, len, err); break;
  case OG_STORE_OP_PUT_IF_ABSENT: rc = og_store_put_if_absent(fs->inner, key, data, len, err); break;
  default: rc = og_store_delete(fs->inner, key, err); break;
  }
  if (rc == OG_OK && k == OG_FAULT_AFTER) rc = injected(fs, err, k, op, key);
  return rc;
}

static og_status f_put(og_store *s, const char *key, const void *data, size_t len, og_error *err) {
  return f_write((fault_store *)s, OG_STORE_OP_PUT, key, data, len, err);
}

static og_status f_put_if_absent(og_store *s, const char *key, const void *data, size_t len,
                                 og_error *err) {
  return f_write((fault_store *)s, OG_STORE_OP_PUT_IF_ABSENT, key, data, len, err);
}

static og_status f_delete(og_store *s, const char *key, og_error *err) {
  return f_write((fault_store *)s, OG_STORE_OP_DELETE, key, NULL, 0, err);
}

static og_status f_sweep(og_store *s, uint64_t older_than_ms, size_t *removed, og_error *err) {
  return og_store_sweep_temp(((fault_store *)s)->inner, older_than_ms, removed, err);
}

static void f_destroy(og_store *s) {
  fault_store *fs = (fault_store *)s;
  og_store_free(fs->inner);
  pthread_mutex_destroy(&fs->lock);
  og_store__fini(s);
  og_free(fs);
}

static bool f_creates_atomic(og_store *s) {
  fault_store *fs = (fault_store *)s;
  pthread_mutex_lock(&fs->lock);
  bool torn = fs->armed && fs->spec.kind == OG_FAULT_TORN;
  pthread_mutex_unlock(&fs->lock);
  return !torn && og_store_creates_atomic(fs->inner);
}

static const og_store_vtab fault_vtab = {
    .kind = "fault",
    .creates_atomic = f_creates_atomic,
    .get = f_get,
    .get_range = f_get_range,
    .head = f_head,
    .put = f_put,
    .put_if_absent = f_put_if_absent,
    .list = f_list,
    .del = f_delete,
    .sweep_temp = f_sweep,
    .destroy = f_destroy,
};

og_status og_store_open_fault(og_store **out, og_store *inner, og_error *err) {
  *out = NULL;
  if (!inner) return og_err_set(err, OG_EINVAL, "store: fault wrapper needs an inner store");
  og_status rc = OG_OK;
  og_buf desc = OG_BUF_INIT;
  fault_store *fs = og_calloc(1, sizeof *fs);
  if (!fs || og_buf_printf(&desc, "fault(%s)", og_store_describe(inner))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if (pthread_mutex_init(&fs->lock, NULL) != 0) {
    rc = og_err_set(err, OG_ERROR, "store: cannot initialise a lock");
    goto cleanup;
  }
  if (og_store__init(&fs->base, &fault_vtab, desc.ptr)) {
    pthread_mutex_destroy(&fs->lock);
    og_store__fini(&fs->base);
    rc = og_err_oom(err);
    goto cleanup;
  }
  atomic_init(&fs->fired, 0);
  fs->inner = og_store_ref(inner);
  *out = &fs->base;
  fs = NULL;
cleanup:
  og_free(fs);
  og_buf_dispose(&desc);
  return rc;
}

static fault_store *as_fault(og_store *s) {
  return s && s->vt == &fault_vtab ? (fault_store *)s : NULL;
}

void og_store_fault_arm(og_store *s, const og_fault_spec *spec) {
  fault_store *fs = as_fault(s);
  if (!fs || !spec) return;
  pthread_mutex_lock(&fs->lock);
  fs->spec = *spec;
  fs->has_substr = spec->key_substr != NULL;
  if (fs->has_substr) snprintf(fs->key_substr, sizeof fs->key_substr, "%s", spec->key_substr);
  fs->spec.key_substr = fs->has_substr ? fs->key_substr : NULL;
  fs->matched = 0;
  fs->armed = spec->kind != OG_FAULT_NONE && spec->ops != 0;
  pthread_mutex_unlock(&fs->lock);
}

void og_store_fault_disarm(og_store *s) {
  fault_store *fs = as_fault(s);
  if (!fs) return;
  pthread_mutex_lock(&fs->lock);
  fs->armed = false;
  fs->matched = 0;
  pthread_mutex_unlock(&fs->lock);
}

uint64_t og_store_fault_fired(og_store *s) {
  fault_store *fs = as_fault(s);
  return fs ? atomic_load(&fs->fired) : 0;
}
