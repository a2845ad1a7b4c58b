/*
 * store — the object-store interface (DESIGN.md §3.1). Every byte the system
 * reads or writes goes through an og_store, so every I/O can be counted,
 * failed or crashed in a test.
 *
 * Keys, not paths: a key is a relative '/'-separated name of printable ASCII
 * ("log/main/00000000000000000007", "t/3f0a.../frag/01J..."), never starting
 * with '/', never containing "//", "." or ".." segments. Backends map keys to
 * their own namespace (a directory, an S3 prefix, a hash table).
 *
 * Semantics every backend guarantees:
 *  S1 put(k) replaces k atomically: a reader sees the old bytes or the new
 *     bytes, never a mix; after OG_OK the bytes are durable.
 *  S2 put_if_absent(k) creates k only if no object k exists, atomically even
 *     between processes; it returns OG_EEXISTS (and changes nothing) when k
 *     exists. After OG_OK the object is durable. This is the one atomic
 *     primitive the commit protocol is built on.
 *  S3 get of a missing key is OG_ENOTFOUND; delete of a missing key is OG_OK.
 *  S4 list(prefix) returns every key starting with prefix, sorted bytewise.
 *  S5 an I/O failure is OG_EIO (OG_EFULL when the device is full); after a
 *     failed put/put_if_absent the key holds its previous state or (for
 *     put_if_absent) may exist only if the failure was reported after the
 *     create became durable — callers treat EIO as "outcome unknown, re-read".
 * Backends: posix (a local directory), memory, fault (wraps another store);
 * s3 later. An og_store is safe to use from several threads at once.
 * posix cannot hold both "a" and "a/b" (a file cannot be a directory): the
 * second put is OG_EINVAL. Key schemes above never need both. docs/store.md
 * has the durability argument and the fault wrapper's use.
 */
#ifndef OG_STORE_H
#define OG_STORE_H

#include "util/util.h"

typedef struct og_store og_store;

/* Operation counters (monotonic; og_store_stats_reset zeroes them). */
typedef struct og_store_stats {
  uint64_t gets, get_ranges, heads, puts, put_if_absents, lists, deletes;
  uint64_t bytes_read, bytes_written;
  uint64_t fsyncs;
} og_store_stats;

typedef struct og_keylist {
  char **keys;  /* sorted bytewise; each owned */
  size_t count;
} og_keylist;
void og_keylist_dispose(og_keylist *l);

/* Open a backend from a URI: "file:///abs/dir", "/abs/dir", "rel/dir" (posix),
 * "memory://<name>" (a process-wide named in-memory store, shared by every
 * open of the same name until og_store_memory_drop). The posix root directory
 * is created when `create` is true; otherwise a missing root is OG_ENOTFOUND. */
og_status og_store_open(og_store **out, const char *uri, bool create, og_error *err);
og_status og_store_open_posix(og_store **out, const char *root_dir, bool create, og_error *err);
og_status og_store_open_memory(og_store **out, og_error *err); /* private, anonymous */
void og_store_memory_drop(const char *name);

/* Reference counting: a store may be shared by several handles. */
og_store *og_store_ref(og_store *s);
void og_store_free(og_store *s); /* drops one reference; NULL ok */

/* The operations. `out` buffers are appended to (callers clear them first). */
og_status og_store_get(og_store *s, const char *key, og_buf *out, og_error *err);
/* Bytes [offset, offset+len) clipped to the object's size: a range reaching
 * past the end yields a short (possibly empty) result, never an error, so
 * callers compare out->len with what they asked for. */
og_status og_store_get_range(og_store *s, const char *key, uint64_t offset, uint64_t len,
                             og_buf *out, og_error *err);
/* Size of an object; OG_ENOTFOUND when absent. */
og_status og_store_head(og_store *s, const char *key, uint64_t *size_out, og_error *err);
og_status og_store_put(og_store *s, const char *key, const void *data, size_t len, og_error *err);
og_status og_store_put_if_absent(og_store *s, const char *key, const void *data, size_t len,
                                 og_error *err);
/* Like put (an atomic replace: readers see the old or the new bytes), but
 * NOT durable: after a power loss the key may hold the old bytes, the new
 * bytes, or be absent or torn. Only for objects that are hints — checksummed,
 * never trusted, and whose loss costs nothing but work or garbage (head
 * hints, write intents). Counted as a put. Backends without a cheaper path
 * fall back to put. */
og_status og_store_put_hint(og_store *s, const char *key, const void *data, size_t len,
                            og_error *err);
/* Weaker still: the bytes may be written in place, so a concurrent reader
 * may see a torn mix of old and new. Only for sealed hints that a reader
 * treats as absent when they fail their checksum (the branch head hint,
 * rewritten by every commit: in place it costs no new file, and no
 * deleted file for the filesystem to step over later). Counted as a put. */
og_status og_store_overwrite_hint(og_store *s, const char *key, const void *data, size_t len,
                                  og_error *err);
og_status og_store_list(og_store *s, const char *prefix, og_keylist *out, og_error *err);
og_status og_store_delete(og_store *s, const char *key, og_error *err);

/* Remove temp files left by crashed writers whose mtime is at least
 * `older_than_ms` old (0 = all; only safe then when no writer is active).
 * posix only; a no-op (0 removed) on other backends, forwarded by fault.
 * `removed_out` may be NULL. */
og_status og_store_sweep_temp(og_store *s, uint64_t older_than_ms, size_t *removed_out,
                              og_error *err);

void og_store_stats_get(og_store *s, og_store_stats *out);
void og_store_stats_reset(og_store *s);
/* Human description ("posix:/abs/dir", "memory", "fault(posix:...)"). */
const char *og_store_describe(og_store *s);
/* A number no other store handle of this process has had or will have:
 * caches keyed by object name must include it, because names are unique
 * only within one store (a manifest's slices are named after its version). */
uint64_t og_store_instance(const og_store *s);
/* Whether a put / put_if_absent that fails leaves all of the object or none
 * (S1; true for posix, memory and S3). The fault wrapper armed with torn
 * writes says no: writers that count on atomic creates to skip their write
 * intent must not skip it there. */
bool og_store_creates_atomic(og_store *s);
/* Key rules: 1..1024 bytes of printable ASCII (0x20..0x7e) except backslash
 * and '#'; segments separated by single '/', none empty (so no leading,
 * trailing or doubled '/'), none "." or "..", none longer than 255 bytes, none
 * starting with ".tmp-" or ".seq-" (reserved for the posix backend's temp
 * files and log segments).
 *
 * Slices. "<key>#<offset>+<length>" (canonical decimals) names bytes
 * [offset, offset+length) of object <key>: an object embedded in another
 * (the graph layer embeds small table objects in the manifest that commits
 * them). Slices are read-only names: get, get_range and head accept them
 * (get = a ranged read that must return exactly `length` bytes, else
 * OG_ECORRUPT; head answers `length` without I/O); put, put_if_absent and
 * delete refuse them, list never returns them. og_store_key_valid accepts
 * both forms, og_store_key_plain only object keys. */
bool og_store_key_valid(const char *key);
bool og_store_key_plain(const char *key);
/* Split a slice key; false when `key` is not a valid slice. */
bool og_store_slice_parse(const char *key, size_t *base_len, uint64_t *offset, uint64_t *len);
/* Append "<base>#<offset>+<len>" to out. */
og_status og_store_slice_key(og_buf *out, const char *base, uint64_t offset, uint64_t len);
/* A list prefix is valid when it is "" or could begin a valid key. */
bool og_store_prefix_valid(const char *prefix);

/*==================== pack: a write's held-back objects ====================*/

/* A store over `base` for one write (pack.c). A put / put_if_absent of an
 * object that `hold` accepts (called with the key, its size and the bytes
 * held so far) is kept in memory: readable through the pack at once,
 * invisible to every other handle, never durable. Every other create goes to
 * `base`, after `before_create` ran once (its error fails that create: the
 * graph layer writes its write intent there). Reads of other keys, list and
 * put_hint are forwarded. The owner embeds the held objects in the object
 * that commits the write, or writes them out under new keys. */
typedef struct og_pack_opts {
  bool (*hold)(void *ctx, const char *key, size_t len, size_t held_bytes);
  og_status (*before_create)(void *ctx, og_error *err);
  void *ctx;
} og_pack_opts;
og_status og_store_open_pack(og_store **out, og_store *base, const og_pack_opts *o,
                             og_error *err);
/* The bytes of held object `key` (borrowed until the pack is freed); false
 * when `key` is not held (or `pack` is not a pack). */
bool og_store_pack_held(og_store *pack, const char *key, const void **data, size_t *len);
size_t og_store_pack_held_bytes(og_store *pack);
/* The base store (borrowed); `pack` itself when it is not a pack. */
og_store *og_store_pack_base(og_store *pack);
/* Run before_create now if it has not run (a no-op for other stores). */
og_status og_store_pack_ensure_created(og_store *pack, og_error *err);
bool og_store_pack_created(og_store *pack);

/*==================== fault-injecting wrapper ====================*/

typedef enum og_store_op {
  OG_STORE_OP_GET = 1u << 0,
  OG_STORE_OP_GET_RANGE = 1u << 1,
  OG_STORE_OP_HEAD = 1u << 2,
  OG_STORE_OP_PUT = 1u << 3,
  OG_STORE_OP_PUT_IF_ABSENT = 1u << 4,
  OG_STORE_OP_LIST = 1u << 5,
  OG_STORE_OP_DELETE = 1u << 6,
  OG_STORE_OP_ALL = 0x7f,
  OG_STORE_OP_WRITES = (1u << 3) | (1u << 4) | (1u << 6)
} og_store_op;

typedef enum og_fault_kind {
  OG_FAULT_NONE = 0,
  OG_FAULT_EIO,        /* the op fails with OG_EIO, nothing happens */
  OG_FAULT_ENOSPC,     /* the op fails with OG_EFULL, nothing happens */
  OG_FAULT_TORN,       /* a put lands only its first `torn_bytes` bytes (as a raw
                          backend would after a crash mid-write), then OG_EIO */
  OG_FAULT_AFTER,      /* the op takes effect, then OG_EIO is reported */
  OG_FAULT_CRASH       /* _exit(OG_FP_CRASH_EXIT) before the op */
} og_fault_kind;

typedef struct og_fault_spec {
  uint32_t ops;          /* mask of og_store_op the fault applies to */
  uint64_t countdown;    /* fire on the Nth matching op (1 = the next one) */
  bool persistent;       /* keep firing on every later matching op */
  og_fault_kind kind;
  size_t torn_bytes;     /* OG_FAULT_TORN */
  const char *key_substr;/* only keys containing this (copied); NULL = all */
} og_fault_spec;

/* Wrap `inner` (a reference is taken). The wrapper starts disarmed. */
og_status og_store_open_fault(og_store **out, og_store *inner, og_error *err);
void og_store_fault_arm(og_store *fault, const og_fault_spec *spec);
void og_store_fault_disarm(og_store *fault);
uint64_t og_store_fault_fired(og_store *fault); /* faults injected so far */

#endif
