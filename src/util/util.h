/*
 * util — the bottom layer: errors, memory, buffers, arenas, hash maps, ULIDs,
 * time, binary encoding helpers, hashing and failpoints. No I/O except the
 * failpoint harness (test builds) and the randomness source.
 *
 * Invariants:
 *  - All heap memory goes through og_malloc/og_realloc/og_free so a test can
 *    fail the Nth allocation (og_alloc_fail_after).
 *  - Every *_dispose / *_free accepts a zeroed (INIT) or NULL object.
 *  - Arenas free everything at once; nothing allocated in an arena is freed
 *    individually.
 */
#ifndef OG_UTIL_H
#define OG_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "og_status.h"

/*==================== errors ====================*/

/* Fill `err` (may be NULL) and return `code`. printf-style message. */
og_status og_err_set(og_error *err, og_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
og_status og_err_setv(og_error *err, og_status code, const char *fmt, va_list ap);
/* Same, with a 1-based line/column position (parse and input errors). */
og_status og_err_set_pos(og_error *err, og_status code, int line, int column,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Set the JSON details text (copied, truncated to fit). */
void og_err_details(og_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix context to an already-filled message: "ctx: <old message>". */
void og_err_prefix(og_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void og_err_clear(og_error *err);
/* Out of memory: never allocates. */
og_status og_err_oom(og_error *err);

/*==================== memory ====================*/

void *og_malloc(size_t n);
void *og_calloc(size_t count, size_t n);
void *og_realloc(void *p, size_t n);
void og_free(void *p);
/* Large scratch blocks kept for reuse (a small process-wide pool): a fresh
 * block costs a page fault per 4 KiB on first touch — on some VMs ~10 us
 * each — and the allocator hands big blocks back to the kernel when they are
 * freed, so a per-chunk encoder that allocates and frees tens of MiB pays
 * that again and again. og_scratch_take returns at least `n` bytes (NULL
 * when out of memory); give it back with og_scratch_give only (NULL ok).
 * The pool keeps up to 4 blocks of at most 64 MiB. */
void *og_scratch_take(size_t n);
void og_scratch_give(void *p);
char *og_strdup(const char *s);
char *og_strndup(const char *s, size_t n);
void *og_memdup(const void *p, size_t n);
/* Test hook: the Nth allocation from now (1-based) fails; persistent makes
 * every later one fail too. 0 disarms. Returns how many were failed so far. */
void og_alloc_fail_after(long n, bool persistent);
long og_alloc_failures(void);

/*==================== growable byte buffer ====================*/

typedef struct og_buf {
  char *ptr;  /* always NUL-terminated when non-NULL */
  size_t len;
  size_t cap;
  bool oom;   /* sticky: a failed grow; every later put is a no-op */
} og_buf;
#define OG_BUF_INIT {NULL, 0, 0, false}

og_status og_buf_grow(og_buf *b, size_t extra);
og_status og_buf_put(og_buf *b, const void *data, size_t n);
og_status og_buf_puts(og_buf *b, const char *s);
og_status og_buf_putc(og_buf *b, char c);
og_status og_buf_printf(og_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
og_status og_buf_vprintf(og_buf *b, const char *fmt, va_list ap);
og_status og_buf_put_u8(og_buf *b, uint8_t v);
og_status og_buf_put_u16le(og_buf *b, uint16_t v);
og_status og_buf_put_u32le(og_buf *b, uint32_t v);
og_status og_buf_put_u64le(og_buf *b, uint64_t v);
og_status og_buf_put_varint(og_buf *b, uint64_t v); /* LEB128 */
/* Append `s` as a JSON string literal with quotes and escapes. */
og_status og_buf_put_json_str(og_buf *b, const char *s, size_t n);
void og_buf_clear(og_buf *b);
/* Hand the memory to the caller (free with og_free); b becomes INIT. */
char *og_buf_detach(og_buf *b, size_t *len_out);
void og_buf_dispose(og_buf *b);

/* Little-endian readers over a bounded cursor; they never read past `end`. */
typedef struct og_cursor {
  const uint8_t *p;
  const uint8_t *end;
  bool bad; /* sticky: a read ran past the end */
} og_cursor;
void og_cursor_init(og_cursor *c, const void *data, size_t len);
uint8_t og_cursor_u8(og_cursor *c);
uint16_t og_cursor_u16le(og_cursor *c);
uint32_t og_cursor_u32le(og_cursor *c);
uint64_t og_cursor_u64le(og_cursor *c);
uint64_t og_cursor_varint(og_cursor *c);
/* Borrow n bytes (NULL and bad=true if fewer remain). */
const uint8_t *og_cursor_bytes(og_cursor *c, size_t n);
size_t og_cursor_left(const og_cursor *c);

static inline void og_put_u32le(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t og_get_u32le(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void og_put_u64le(uint8_t *p, uint64_t v) {
  og_put_u32le(p, (uint32_t)v); og_put_u32le(p + 4, (uint32_t)(v >> 32));
}
static inline uint64_t og_get_u64le(const uint8_t *p) {
  return (uint64_t)og_get_u32le(p) | (uint64_t)og_get_u32le(p + 4) << 32;
}

/*==================== growable array ====================*/

/* Ensure room for `need` elements of `elsize` in *items (capacity *cap). */
og_status og_array_reserve(void **items, size_t *cap, size_t need, size_t elsize);
#define OG_VEC(T) struct { T *items; size_t count; size_t cap; }
#define OG_VEC_INIT {NULL, 0, 0}
/* Evaluates to og_status; pushes a copy of `val`. */
#define OG_VEC_PUSH(v, val)                                                            \
  (og_array_reserve((void **)&(v)->items, &(v)->cap, (v)->count + 1, sizeof(*(v)->items)) \
       ? OG_ENOMEM                                                                     \
       : ((v)->items[(v)->count++] = (val), OG_OK))
#define OG_VEC_FREE(v) (og_free((v)->items), (v)->items = NULL, (v)->count = (v)->cap = 0)

/*==================== arena ====================*/

typedef struct og_arena_block og_arena_block;
typedef struct og_arena {
  og_arena_block *head;
  size_t block_size; /* default chunk size; large requests get their own block */
  size_t total;      /* bytes handed out (statistics) */
} og_arena;
#define OG_ARENA_INIT {NULL, 0, 0}

void og_arena_init(og_arena *a, size_t block_size);
/* 16-byte aligned; NULL on OOM. Memory lives until og_arena_dispose. */
void *og_arena_alloc(og_arena *a, size_t n);
void *og_arena_zalloc(og_arena *a, size_t n);
char *og_arena_strdup(og_arena *a, const char *s);
char *og_arena_strndup(og_arena *a, const char *s, size_t n);
void *og_arena_memdup(og_arena *a, const void *p, size_t n);
char *og_arena_printf(og_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void og_arena_dispose(og_arena *a);

/*==================== hashing ====================*/

uint64_t og_hash64(const void *data, size_t len);           /* XXH3-64 */
uint64_t og_hash64_seed(const void *data, size_t len, uint64_t seed);
uint64_t og_fnv1a64(const void *data, size_t len);          /* type-name → table dir */
/* SHA-256 as 64 lowercase hex chars + NUL. */
void og_sha256_hex(const void *data, size_t len, char out[65]);

/*==================== hash map (bytes key → void*) ====================*/

/* Open addressing, keys are copied, values are borrowed pointers / integers. */
typedef struct og_map_entry {
  char *key;      /* owned copy, NUL-terminated (keys may contain NUL: use key_len) */
  size_t key_len;
  uint64_t hash;
  void *value;
} og_map_entry;
typedef struct og_map {
  og_map_entry *slots;
  size_t cap;   /* power of two or 0 */
  size_t count;
  size_t tombs;
} og_map;
#define OG_MAP_INIT {NULL, 0, 0, 0}

og_status og_map_put(og_map *m, const void *key, size_t key_len, void *value);
/* Returns true and sets *value_out when present. */
bool og_map_get(const og_map *m, const void *key, size_t key_len, void **value_out);
bool og_map_remove(og_map *m, const void *key, size_t key_len, void **value_out);
static inline og_status og_map_sput(og_map *m, const char *key, void *value);
static inline bool og_map_sget(const og_map *m, const char *key, void **value_out);
/* Iterate: `*pos` starts at 0; returns NULL at the end. */
og_map_entry *og_map_next(const og_map *m, size_t *pos);
void og_map_dispose(og_map *m);

#include <string.h>
static inline og_status og_map_sput(og_map *m, const char *key, void *value) {
  return og_map_put(m, key, strlen(key), value);
}
static inline bool og_map_sget(const og_map *m, const char *key, void **value_out) {
  return og_map_get(m, key, strlen(key), value_out);
}

/* u64 → u64 map (row ids, keys' hashes). Key UINT64_MAX is reserved. */
typedef struct og_u64map {
  uint64_t *keys;
  uint64_t *vals;
  size_t cap;
  size_t count;
} og_u64map;
#define OG_U64MAP_INIT {NULL, NULL, 0, 0}
og_status og_u64map_put(og_u64map *m, uint64_t key, uint64_t val);
bool og_u64map_get(const og_u64map *m, uint64_t key, uint64_t *val_out);
void og_u64map_dispose(og_u64map *m);

/*==================== ULID, time, randomness ====================*/

#define OG_ULID_LEN 26
/* 26 Crockford base32 chars + NUL; monotonic within a process. */
og_status og_ulid_new(char out[OG_ULID_LEN + 1]);
/* The first of n consecutive ULIDs (same time, randomness +0..n-1), all
 * reserved at once: og_ulid_new never returns one of them, so a bulk writer
 * steps through the block with og_ulid_incr instead of taking the lock and
 * reading the clock per id. */
og_status og_ulid_new_block(char out[OG_ULID_LEN + 1], uint32_t n);
/* The next ULID after `id` in place (its randomness + 1). */
void og_ulid_incr(char id[OG_ULID_LEN + 1]);
/* Milliseconds since the epoch encoded in a ULID; 0 if malformed. */
uint64_t og_ulid_time_ms(const char *ulid);
bool og_ulid_valid(const char *s);
uint64_t og_now_ms(void);          /* wall clock, ms since epoch */
uint64_t og_monotonic_ns(void);    /* monotonic clock */
/* RFC 3339 UTC with milliseconds: 2026-12-01T06:34:58.123Z (25 bytes incl NUL). */
void og_time_format_rfc3339(uint64_t ms, char out[32]);
og_status og_random_bytes(void *out, size_t n);
/* A numeric setting from the environment: unset or empty → `dflt`; a whole
 * decimal number in [min, max] → it; anything else → OG_EINVAL naming the
 * variable, its value and the range (`*out` = dflt then; err may be NULL). */
og_status og_env_u64(const char *name, uint64_t dflt, uint64_t min, uint64_t max, uint64_t *out,
                     og_error *err);

/*==================== strings ====================*/

bool og_str_eq(const char *a, const char *b);
bool og_str_ieq(const char *a, const char *b); /* ASCII case-insensitive */
bool og_str_startswith(const char *s, const char *prefix);
bool og_str_endswith(const char *s, const char *suffix);
/* Validate UTF-8; returns false on any malformed sequence. */
bool og_utf8_valid(const char *s, size_t n);

/*==================== failpoints ====================*/

/*
 * Failpoints are declared once in failpoints.def. A call site is
 *     if ((rc = OG_FAILPOINT(OG_FP_GRAPH_COMMIT_BEFORE_PUBLISH, err)) != OG_OK) goto cleanup;
 * and compiles to OG_OK unless OG_ENABLE_FAILPOINTS is defined.
 * Arming: og_fp_configure("name=action;name2=action") or the environment
 * variable OMNIGRAPH_FAILPOINTS (read on first hit). Actions:
 *   off | error | error(<status-name>) | crash | pause
 * optionally followed by @N (fire on the Nth hit only) or * (every hit; the
 * default fires on every hit). `crash` calls _exit(OG_FP_CRASH_EXIT).
 * `pause` creates $OMNIGRAPH_FAILPOINT_DIR/<name>.paused and waits (at most
 * 60 s) until <name>.release exists there.
 * OMNIGRAPH_FAILPOINTS_TRACE=<file> appends "<name> <hit#>" for every hit.
 */
typedef enum og_fp_id {
#define OG_FP(id, name, outcome) id,
#include "util/failpoints.def"
#undef OG_FP
  OG_FP__COUNT
} og_fp_id;

#define OG_FP_CRASH_EXIT 86

const char *og_fp_name(og_fp_id id);
const char *og_fp_outcome(og_fp_id id);
og_status og_fp_configure(const char *spec, og_error *err);
void og_fp_reset(void);
uint64_t og_fp_hits(og_fp_id id);
og_status og_fp_hit(og_fp_id id, og_error *err);
#ifdef OG_ENABLE_FAILPOINTS
#define OG_FAILPOINT(id, err) og_fp_hit((id), (err))
#else
#define OG_FAILPOINT(id, err) ((void)(err), OG_OK)
#endif

#endif
