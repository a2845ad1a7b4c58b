/*
 * store_int.h — private to src/store: the backend vtable and the common
 * og_store header every backend embeds as its first member.
 *
 * Division of labour:
 *  - store.c (the frontend) validates keys, counts every call, accounts bytes
 *    on success, and restores an `out` buffer to its original length when a
 *    read fails — so a backend never has to.
 *  - A backend implements the operations on already-validated keys and fills
 *    `err` itself; it counts fsyncs through og_store__count_fsync.
 */
#ifndef OG_STORE_INT_H
#define OG_STORE_INT_H

#include <stdatomic.h>

#include "store/store.h"

typedef struct og_store_vtab {
  const char *kind; /* "posix", "memory", "fault" */
  og_status (*get)(og_store *s, const char *key, og_buf *out, og_error *err);
  og_status (*get_range)(og_store *s, const char *key, uint64_t offset, uint64_t len,
                         og_buf *out, og_error *err);
  og_status (*head)(og_store *s, const char *key, uint64_t *size_out, og_error *err);
  og_status (*put)(og_store *s, const char *key, const void *data, size_t len, og_error *err);
  og_status (*put_if_absent)(og_store *s, const char *key, const void *data, size_t len,
                             og_error *err);
  /* Optional: put without durability (og_store_put_hint); NULL = use put. */
  og_status (*put_hint)(og_store *s, const char *key, const void *data, size_t len, og_error *err);
  /* Appends matching keys to `out` in any order; the frontend sorts. */
  og_status (*list)(og_store *s, const char *prefix, og_keylist *out, og_error *err);
  og_status (*del)(og_store *s, const char *key, og_error *err);
  /* Optional: og_store_overwrite_hint; NULL = use put_hint (or put). */
  og_status (*overwrite_hint)(og_store *s, const char *key, const void *data, size_t len,
                              og_error *err);
  /* Optional (NULL = creates are atomic: all of an object or none). */
  bool (*creates_atomic)(og_store *s);
  /* Optional (NULL = nothing to sweep). */
  og_status (*sweep_temp)(og_store *s, uint64_t older_than_ms, size_t *removed, og_error *err);
  /* Frees the backend's state and the struct itself (refcount reached 0). */
  void (*destroy)(og_store *s);
} og_store_vtab;

typedef struct og_store_counters {
  atomic_uint_fast64_t gets, get_ranges, heads, puts, put_if_absents, lists, deletes;
  atomic_uint_fast64_t bytes_read, bytes_written;
  atomic_uint_fast64_t fsyncs;
} og_store_counters;

struct og_store {
  const og_store_vtab *vt;
  atomic_uint refs;
  og_store_counters stats;
  char *desc; /* owned; og_store_describe */
  uint64_t instance; /* og_store_instance */
};

/* Initialise the common header (refs = 1, counters zero, desc copied).
 * Returns OG_ENOMEM when the description cannot be copied. */
og_status og_store__init(og_store *s, const og_store_vtab *vt, const char *desc);
/* Releases what og_store__init allocated (not `s` itself). */
void og_store__fini(og_store *s);


static inline void og_store__count_fsync(og_store *s) {
  atomic_fetch_add_explicit(&s->stats.fsyncs, 1, memory_order_relaxed);
}

/* Append an owned copy of `key` to a keylist (capacity tracked internally). */
og_status og_keylist__push(og_keylist *l, const char *key, size_t len);

/* Reserved last-segment prefix for the posix backend's temp files. */
#define OG_STORE_TEMP_PREFIX ".tmp-"
/* Reserved last-segment prefix for the posix backend's log segments. */
#define OG_STORE_SEQ_PREFIX ".seq-"
/* Longest key accepted (bytes, without the NUL) and longest segment. */
#define OG_STORE_KEY_MAX 1024
#define OG_STORE_SEGMENT_MAX 255

/* Backend constructors used by og_store_open (memory.c). */
og_status og_store__memory_named(og_store **out, const char *name, bool create, og_error *err);

#endif
