/*
 * posix_int.h — private to the posix backend: its handle and the helpers
 * that posix.c (objects as files) and posix_seq.c (log keys in segment
 * files) share. Paths are root-relative; every helper fills `err` itself.
 */
#ifndef OG_POSIX_INT_H
#define OG_POSIX_INT_H

#include "store/store_int.h"

#define PATH_BUF (OG_STORE_KEY_MAX + 96)
typedef struct posix_store {
  og_store base;
  int root_fd;
} posix_store;

og_status px_sys_fail(posix_store *ps, og_error *err, int e, const char *op, const char *key);
/* Directory part of a key ("a/b/c" → "a/b", "c" → ""); `out` holds PATH_BUF. */
void px_dir_of(const char *key, char *out);
/* fsync a root-relative directory ("" = the root); counted. */
og_status px_fsync_dir(posix_store *ps, const char *rel, const char *key, og_error *err);
/* mkdir -p for the parents of `key`, fsyncing the parent of each new one. */
og_status px_ensure_parents(posix_store *ps, const char *key, og_error *err);
/* A filled (and, with `sync`, fsynced) temp file beside `key`; its path in `tmp`. */
og_status px_write_temp(posix_store *ps, const char *key, const void *data, size_t len,
                        bool sync, char *tmp, og_error *err);
/* Link `tmp` as `key` unless `key` exists: 0 or an errno (EEXIST = lost). */
int px_create_noreplace(posix_store *ps, const char *tmp, const char *key, bool *linked);

/*==================== log segments (posix_seq.c) ====================*/

/* Log keys — "log/<name>/<20 decimal digits>" — live in segment files of
 * OG_PSEQ_SLOTS consecutive numbers ("log/<name>/.seq-<first>"), not one
 * file each: a create is one append and one fdatasync (docs/store.md). */
#define OG_PSEQ_PREFIX OG_STORE_SEQ_PREFIX
#define OG_PSEQ_SLOTS 256u

typedef struct px_seq_ref {
  char seg[PATH_BUF]; /* root-relative path of the segment file */
  uint64_t first;     /* the number of slot 0 */
  uint32_t idx;       /* the key's slot */
} px_seq_ref;

/* Whether `key` is a log key (and where it lives). */
bool px_seq_key(const char *key, px_seq_ref *r);
/* The operations on a log key; `want` = UINT64_MAX reads to the end. */
og_status px_seq_read(posix_store *ps, const px_seq_ref *r, const char *key, const char *op,
                      uint64_t offset, uint64_t want, og_buf *out, uint64_t *size_out,
                      og_error *err);
og_status px_seq_create(posix_store *ps, const px_seq_ref *r, const char *key, const void *data,
                        size_t len, bool replace, og_error *err);
og_status px_seq_delete(posix_store *ps, const px_seq_ref *r, const char *key, og_error *err);
/* list: append the live keys of segment file `dir`/`name` that start with
 * `prefix`; a file that is not a segment is skipped. */
og_status px_seq_list(posix_store *ps, const char *dir, const char *name, const char *prefix,
                      size_t prefix_len, og_keylist *out, og_error *err);

#endif
