/*
 * The posix backend: one object = one regular file at <root>/<key>.
 *
 * Durability protocol (docs/store.md has the argument in full):
 *  put(k)            write <dir>/.tmp-<unique>, fsync it, rename over k,
 *                    fsync <dir>. rename(2) is atomic, so a reader opens the
 *                    old inode or the new one, never a mix (S1).
 *  put_if_absent(k)  write + fsync the temp the same way, then link(2) it to
 *                    k. link fails with EEXIST when k exists, atomically with
 *                    respect to every other process on the host (S2); then the
 *                    temp name is unlinked and <dir> fsynced. Filesystems that
 *                    refuse hard links fall back to renameat2(RENAME_NOREPLACE).
 *  log keys          "log/<name>/<20 digits>" are not files: they live in
 *                    segment files of 256 slots, one append and one
 *                    fdatasync per create (posix_seq.c).
 *  new directories   created on demand (mkdir -p); each newly created
 *                    directory's parent is fsynced so the entry survives.
 * Every path is resolved relative to a directory fd on the root, so the
 * store keeps working if the process changes its cwd. Temp files of crashed
 * writers are skipped by list and removed by og_store_sweep_temp.
 */
#include "store/posix_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMP_PREFIX_LEN (sizeof OG_STORE_TEMP_PREFIX - 1)
#define IO_CHUNK ((size_t)1 << 30)

/*==================== errors ====================*/

static og_status errno_status(int e) {
  switch (e) {
  case ENOSPC:
  case EDQUOT:
    return OG_EFULL;
  case ENOENT:
    return OG_ENOTFOUND;
  case ENOMEM:
    return OG_ENOMEM;
  default:
    return OG_EIO;
  }
}

og_status px_sys_fail(posix_store *ps, og_error *err, int e, const char *op, const char *key) {
  char ebuf[128];
  const char *msg = strerror_r(e, ebuf, sizeof ebuf);
  return og_err_set(err, errno_status(e), "store: %s '%s': %s (%s)", op, key, msg, ps->base.desc);
}

/* A key whose path runs through an object ("a" exists, put "a/b"), or an
 * object name that is a directory of other keys: posix cannot hold both. */
static og_status shape_fail(posix_store *ps, og_error *err, const char *op, const char *key) {
  return og_err_set(err, OG_EINVAL,
                    "store: %s '%s': key conflicts with an existing key that is a prefix "
                    "directory of it or has it as a directory (%s)",
                    op, key, ps->base.desc);
}

/*==================== small helpers ====================*/

/* Directory part of a key ("a/b/c" → "a/b", "c" → ""). */
void px_dir_of(const char *key, char *out) {
  const char *slash = strrchr(key, '/');
  size_t n = slash ? (size_t)(slash - key) : 0;
  memcpy(out, key, n);
  out[n] = '\0';
}

static int fsync_retry(int fd) {
  int rc;
  do rc = fsync(fd);
  while (rc != 0 && errno == EINTR);
  return rc;
}

/* fsync a directory given relative to the root ("" = the root). */
og_status px_fsync_dir(posix_store *ps, const char *rel, const char *key, og_error *err) {
  int fd = openat(ps->root_fd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return px_sys_fail(ps, err, errno, "fsync directory of", key);
  int rc = fsync_retry(fd);
  int e = errno;
  close(fd);
  og_store__count_fsync(&ps->base);
  /* Some filesystems cannot fsync a directory; the data itself is synced. */
  if (rc != 0 && e != EINVAL && e != ENOTSUP) return px_sys_fail(ps, err, e, "fsync directory of", key);
  return OG_OK;
}

/* mkdir -p for the parent directories of `key`, fsyncing the parent of every
 * directory this call creates. */
og_status px_ensure_parents(posix_store *ps, const char *key, og_error *err) {
  char dir[PATH_BUF];
  px_dir_of(key, dir);
  if (!*dir) return OG_OK;
  struct stat st;
  if (fstatat(ps->root_fd, dir, &st, 0) == 0 && S_ISDIR(st.st_mode)) return OG_OK;
  char part[PATH_BUF];
  size_t n = strlen(dir);
  for (size_t i = 0; i <= n; i++) {
    if (dir[i] != '/' && dir[i] != '\0') continue;
    memcpy(part, dir, i);
    part[i] = '\0';
    if (mkdirat(ps->root_fd, part, 0755) == 0) {
      char parent[PATH_BUF];
      px_dir_of(part, parent);
      og_status rc = px_fsync_dir(ps, parent, key, err);
      if (rc) return rc;
      continue;
    }
    int e = errno;
    if (e == EEXIST) {
      if (fstatat(ps->root_fd, part, &st, 0) == 0 && S_ISDIR(st.st_mode)) continue;
      return shape_fail(ps, err, "put", key);
    }
    if (e == ENOTDIR) return shape_fail(ps, err, "put", key);
    return px_sys_fail(ps, err, e, "create directory for", key);
  }
  return OG_OK;
}

static og_status write_all(int fd, const void *data, size_t len, int *e_out) {
  const char *p = data;
  while (len) {
    ssize_t w = write(fd, p, len > IO_CHUNK ? IO_CHUNK : len);
    if (w < 0) {
      if (errno == EINTR) continue;
      *e_out = errno;
      return OG_EIO;
    }
    p += w;
    len -= (size_t)w;
  }
  return OG_OK;
}

/* Create, fill and fsync a uniquely named temp file beside `key`. On success
 * `tmp` holds its root-relative path; on failure nothing is left behind. */
og_status px_write_temp(posix_store *ps, const char *key, const void *data, size_t len,
                        bool sync, char *tmp, og_error *err) {
  char dir[PATH_BUF];
  px_dir_of(key, dir);
  int fd = -1;
  for (int attempt = 0; attempt < 4 && fd < 0; attempt++) {
    /* ULID for a human-readable age, plus pid and fresh randomness: a forked
     * child inherits the parent's ULID state, so the ULID alone could repeat. */
    char ulid[OG_ULID_LEN + 1];
    uint64_t rnd = 0;
    if (og_ulid_new(ulid) != OG_OK || og_random_bytes(&rnd, sizeof rnd) != OG_OK)
      return og_err_set(err, OG_EIO, "store: put '%s': no randomness for a temp name", key);
    snprintf(tmp, PATH_BUF, "%s%s%s%s%ld-%016llx", dir, *dir ? "/" : "", OG_STORE_TEMP_PREFIX,
             ulid, (long)getpid(), (unsigned long long)rnd);
    fd = openat(ps->root_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) return px_sys_fail(ps, err, errno, "create temp file for", key);
  }
  if (fd < 0) return px_sys_fail(ps, err, EEXIST, "create temp file for", key);
  int e = 0;
  og_status rc = write_all(fd, data, len, &e);
  if (rc == OG_OK && sync) {
    if (fsync_retry(fd) != 0) {
      e = errno;
      rc = OG_EIO;
    }
    og_store__count_fsync(&ps->base);
  }
  if (close(fd) != 0 && rc == OG_OK && errno != EINTR) {
    e = errno;
    rc = OG_EIO;
  }
  if (rc != OG_OK) {
    unlinkat(ps->root_fd, tmp, 0);
    return px_sys_fail(ps, err, e, "write", key);
  }
  return OG_OK;
}

/*==================== reads ====================*/

static og_status open_object(posix_store *ps, const char *key, const char *op, int *fd_out,
                             struct stat *st, og_error *err) {
  int fd = openat(ps->root_fd, key, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR)
      return og_err_set(err, OG_ENOTFOUND, "store: %s '%s': no such object (%s)", op, key,
                        ps->base.desc);
    return px_sys_fail(ps, err, e, op, key);
  }
  if (fstat(fd, st) != 0) {
    int e = errno;
    close(fd);
    return px_sys_fail(ps, err, e, op, key);
  }
  if (!S_ISREG(st->st_mode)) {
    close(fd);
    return og_err_set(err, OG_ENOTFOUND, "store: %s '%s': no such object (%s)", op, key,
                      ps->base.desc);
  }
  *fd_out = fd;
  return OG_OK;
}

/* Read up to `want` bytes at `offset` (stops early at end of file). */
static og_status pread_into(posix_store *ps, int fd, const char *key, const char *op,
                            uint64_t offset, uint64_t want, og_buf *out, og_error *err) {
  if (want > SIZE_MAX - 1) return og_err_set(err, OG_ENOMEM, "store: %s '%s': too large", op, key);
  if (og_buf_grow(out, (size_t)want)) return og_err_oom(err);
  while (want) {
    size_t chunk = want > IO_CHUNK ? IO_CHUNK : (size_t)want;
    ssize_t r = pread(fd, out->ptr + out->len, chunk, (off_t)offset);
    if (r < 0) {
      if (errno == EINTR) continue;
      return px_sys_fail(ps, err, errno, op, key);
    }
    if (r == 0) break;
    out->len += (size_t)r;
    offset += (uint64_t)r;
    want -= (uint64_t)r;
  }
  out->ptr[out->len] = '\0';
  return OG_OK;
}

static og_status posix_get(og_store *s, const char *key, og_buf *out, og_error *err) {
  posix_store *ps = (posix_store *)s;
  px_seq_ref r;
  if (px_seq_key(key, &r)) return px_seq_read(ps, &r, key, "get", 0, UINT64_MAX, out, NULL, err);
  struct stat st;
  int fd = -1;
  og_status rc = open_object(ps, key, "get", &fd, &st, err);
  if (rc) return rc;
  rc = pread_into(ps, fd, key, "get", 0, (uint64_t)st.st_size, out, err);
  close(fd);
  return rc;
}

static og_status posix_get_range(og_store *s, const char *key, uint64_t offset, uint64_t len,
                                 og_buf *out, og_error *err) {
  posix_store *ps = (posix_store *)s;
  px_seq_ref r;
  if (px_seq_key(key, &r)) return px_seq_read(ps, &r, key, "get_range", offset, len, out, NULL, err);
  struct stat st;
  int fd = -1;
  og_status rc = open_object(ps, key, "get_range", &fd, &st, err);
  if (rc) return rc;
  uint64_t size = (uint64_t)st.st_size;
  uint64_t want = offset >= size ? 0 : (len < size - offset ? len : size - offset);
  rc = pread_into(ps, fd, key, "get_range", offset, want, out, err);
  close(fd);
  return rc;
}

static og_status posix_head(og_store *s, const char *key, uint64_t *size_out, og_error *err) {
  posix_store *ps = (posix_store *)s;
  px_seq_ref r;
  if (px_seq_key(key, &r)) return px_seq_read(ps, &r, key, "head", 0, UINT64_MAX, NULL, size_out, err);
  struct stat st;
  if (fstatat(ps->root_fd, key, &st, 0) != 0) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR)
      return og_err_set(err, OG_ENOTFOUND, "store: head '%s': no such object (%s)", key,
                        ps->base.desc);
    return px_sys_fail(ps, err, e, "head", key);
  }
  if (!S_ISREG(st.st_mode))
    return og_err_set(err, OG_ENOTFOUND, "store: head '%s': no such object (%s)", key,
                      ps->base.desc);
  *size_out = (uint64_t)st.st_size;
  return OG_OK;
}

/*==================== writes ====================*/

/* put, or (durable == false) put_hint: the same rename, no fsyncs. */
static og_status replace(og_store *s, const char *key, const void *data, size_t len, bool durable,
                         og_error *err) {
  posix_store *ps = (posix_store *)s;
  char tmp[PATH_BUF], dir[PATH_BUF];
  og_status rc;
  bool have_tmp = false;
  px_seq_ref r;
  /* a log key lives in its segment, where every write is durable */
  if (px_seq_key(key, &r)) return px_seq_create(ps, &r, key, data, len, true, err);
  if ((rc = px_ensure_parents(ps, key, err)) != OG_OK) goto cleanup;
  if ((rc = px_write_temp(ps, key, data, len, durable, tmp, err)) != OG_OK) goto cleanup;
  have_tmp = true;
  if ((rc = OG_FAILPOINT(OG_FP_STORE_PUT_BEFORE_RENAME, err)) != OG_OK) goto cleanup;
  if (renameat(ps->root_fd, tmp, ps->root_fd, key) != 0) {
    int e = errno;
    rc = (e == EISDIR || e == ENOTDIR || e == ENOTEMPTY || e == EEXIST)
             ? shape_fail(ps, err, "put", key)
             : px_sys_fail(ps, err, e, "rename into place", key);
    goto cleanup;
  }
  have_tmp = false;
  px_dir_of(key, dir);
  if (durable) rc = px_fsync_dir(ps, dir, key, err);
cleanup:
  if (have_tmp) unlinkat(ps->root_fd, tmp, 0);
  return rc;
}

static og_status posix_put(og_store *s, const char *key, const void *data, size_t len,
                           og_error *err) {
  return replace(s, key, data, len, true, err);
}

static og_status posix_put_hint(og_store *s, const char *key, const void *data, size_t len,
                                og_error *err) {
  return replace(s, key, data, len, false, err);
}

/* In place when the object exists (no new inode, no rename), else created
 * like put_hint. A shorter body leaves a moment where old bytes trail the
 * new ones: the reader's checksum rejects that, as the contract allows. */
static og_status posix_overwrite_hint(og_store *s, const char *key, const void *data, size_t len,
                                      og_error *err) {
  posix_store *ps = (posix_store *)s;
  if (px_seq_key(key, NULL)) return replace(s, key, data, len, false, err);
  int fd = openat(ps->root_fd, key, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return replace(s, key, data, len, false, err);
  /* The size by lseek (which also refuses what is not a regular file), not
   * fstat: a stat makes the kernel hand out fine-grained change times, and
   * those move the time every other file's writes see too — each commit's
   * write to its log segment would then dirty the segment's inode and its
   * fdatasync write the inode block as well. */
  off_t size = lseek(fd, 0, SEEK_END);
  bool ok = size >= 0;
  const char *p = data;
  size_t done = 0;
  while (ok && done < len) {
    ssize_t n = pwrite(fd, p + done, len - done, (off_t)done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    else done += (size_t)n;
  }
  if (ok && (off_t)len != size && ftruncate(fd, (off_t)len) != 0) ok = false;
  int e = errno;
  close(fd);
  if (!ok) return px_sys_fail(ps, err, e ? e : EIO, "overwrite", key);
  return OG_OK;
}

/* Create `key` from `tmp` unless it exists: 0, or an errno (EEXIST = lost). */
int px_create_noreplace(posix_store *ps, const char *tmp, const char *key, bool *linked) {
  if (linkat(ps->root_fd, tmp, ps->root_fd, key, 0) == 0) {
    *linked = true;
    return 0;
  }
  int e = errno;
  if (e != EPERM && e != ENOTSUP && e != EOPNOTSUPP && e != ENOSYS) return e;
  /* No hard links here (some FUSE / network filesystems): the rename variant
   * is just as atomic and consumes the temp name. */
  if (renameat2(ps->root_fd, tmp, ps->root_fd, key, RENAME_NOREPLACE) == 0) {
    *linked = false;
    return 0;
  }
  return errno;
}

static og_status posix_put_if_absent(og_store *s, const char *key, const void *data, size_t len,
                                     og_error *err) {
  posix_store *ps = (posix_store *)s;
  char tmp[PATH_BUF], dir[PATH_BUF];
  og_status rc;
  bool have_tmp = false;
  px_seq_ref r;
  if (px_seq_key(key, &r)) return px_seq_create(ps, &r, key, data, len, false, err);
  if ((rc = px_ensure_parents(ps, key, err)) != OG_OK) goto cleanup;
  /* Cheap early answer for the common losing case; link() below decides. */
  struct stat st;
  if (fstatat(ps->root_fd, key, &st, 0) == 0 && S_ISREG(st.st_mode)) {
    rc = og_err_set(err, OG_EEXISTS, "store: put_if_absent '%s': object exists (%s)", key,
                    ps->base.desc);
    goto cleanup;
  }
  px_dir_of(key, dir);
  bool linked = false;
  if ((rc = px_write_temp(ps, key, data, len, true, tmp, err)) != OG_OK) goto cleanup;
  have_tmp = true;
  if ((rc = OG_FAILPOINT(OG_FP_STORE_PIA_BEFORE_LINK, err)) != OG_OK) goto cleanup;
  int e = px_create_noreplace(ps, tmp, key, &linked);
  if (e == EEXIST) {
    if (fstatat(ps->root_fd, key, &st, 0) == 0 && !S_ISREG(st.st_mode))
      rc = shape_fail(ps, err, "put_if_absent", key);
    else
      rc = og_err_set(err, OG_EEXISTS, "store: put_if_absent '%s': object exists (%s)", key,
                      ps->base.desc);
    goto cleanup;
  }
  if (e == ENOTDIR) {
    rc = shape_fail(ps, err, "put_if_absent", key);
    goto cleanup;
  }
  if (e) {
    rc = px_sys_fail(ps, err, e, "link into place", key);
    goto cleanup;
  }
  if (have_tmp && linked) unlinkat(ps->root_fd, tmp, 0);
  have_tmp = false;
  if ((rc = px_fsync_dir(ps, dir, key, err)) != OG_OK) goto cleanup;
  rc = OG_FAILPOINT(OG_FP_STORE_PIA_AFTER_LINK, err);
cleanup:
  if (have_tmp) unlinkat(ps->root_fd, tmp, 0);
  return rc;
}

static og_status posix_delete(og_store *s, const char *key, og_error *err) {
  posix_store *ps = (posix_store *)s;
  px_seq_ref r;
  if (px_seq_key(key, &r)) return px_seq_delete(ps, &r, key, err);
  if (unlinkat(ps->root_fd, key, 0) != 0) {
    int e = errno;
    /* Absent, or a directory (not an object): S3 — deleting nothing is OK. */
    if (e == ENOENT || e == ENOTDIR || e == EISDIR) return OG_OK;
    return px_sys_fail(ps, err, e, "delete", key);
  }
  char dir[PATH_BUF];
  px_dir_of(key, dir);
  return px_fsync_dir(ps, dir, key, err);
}

/*==================== list and sweep ====================*/

typedef struct walk_ctx {
  posix_store *ps;
  const char *prefix; /* list: keys must start with this */
  size_t prefix_len;
  og_keylist *out;    /* list mode when non-NULL */
  bool sweep;
  uint64_t cutoff_ms; /* sweep: remove temps with mtime <= cutoff */
  size_t removed;
} walk_ctx;

static bool is_temp(const char *name) {
  return strncmp(name, OG_STORE_TEMP_PREFIX, TEMP_PREFIX_LEN) == 0;
}

/* Could a key under directory `rel` start with the prefix? */
static bool dir_relevant(const walk_ctx *c, const char *rel, size_t rlen) {
  if (!c->out) return true;
  /* compare rel + "/" with prefix on their common length */
  size_t n = rlen + 1 < c->prefix_len ? rlen + 1 : c->prefix_len;
  for (size_t i = 0; i < n; i++) {
    char ch = i < rlen ? rel[i] : '/';
    if (ch != c->prefix[i]) return false;
  }
  return true;
}

static og_status walk(walk_ctx *c, const char *rel, og_error *err) {
  posix_store *ps = c->ps;
  og_status rc = OG_OK;
  int fd = openat(ps->root_fd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    /* A vanished or never-created directory holds no keys. */
    if (e == ENOENT || e == ENOTDIR) return OG_OK;
    return px_sys_fail(ps, err, e, c->out ? "list" : "sweep", *rel ? rel : ".");
  }
  DIR *d = fdopendir(fd);
  if (!d) {
    int e = errno;
    close(fd);
    return px_sys_fail(ps, err, e, c->out ? "list" : "sweep", *rel ? rel : ".");
  }
  size_t rlen = strlen(rel);
  char child[PATH_BUF + NAME_MAX + 2];
  for (;;) {
    errno = 0;
    struct dirent *de = readdir(d);
    if (!de) {
      if (errno) rc = px_sys_fail(ps, err, errno, c->out ? "list" : "sweep", *rel ? rel : ".");
      break;
    }
    const char *name = de->d_name;
    if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
    size_t nlen = strlen(name);
    if (rlen + 1 + nlen >= PATH_BUF) continue; /* cannot be a valid key */
    if (rlen) {
      memcpy(child, rel, rlen);
      child[rlen] = '/';
      memcpy(child + rlen + 1, name, nlen + 1);
    } else {
      memcpy(child, name, nlen + 1);
    }
    size_t clen = rlen ? rlen + 1 + nlen : nlen;
    unsigned char type = de->d_type;
    struct stat st;
    bool have_st = false;
    if (type == DT_UNKNOWN || (c->sweep && is_temp(name))) {
      if (fstatat(ps->root_fd, child, &st, AT_SYMLINK_NOFOLLOW) != 0) continue; /* raced away */
      have_st = true;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (is_temp(name)) {
      if (c->sweep && type == DT_REG && have_st) {
        uint64_t mtime_ms = (uint64_t)st.st_mtim.tv_sec * 1000u + (uint64_t)st.st_mtim.tv_nsec / 1000000u;
        if (mtime_ms <= c->cutoff_ms && unlinkat(ps->root_fd, child, 0) == 0) c->removed++;
      }
      continue;
    }
    if (type == DT_DIR) {
      if (!dir_relevant(c, child, clen)) continue;
      if ((rc = walk(c, child, err)) != OG_OK) break;
    } else if (type == DT_REG && c->out && !strncmp(name, OG_PSEQ_PREFIX, strlen(OG_PSEQ_PREFIX))) {
      if ((rc = px_seq_list(ps, rel, name, c->prefix, c->prefix_len, c->out, err)) != OG_OK) break;
    } else if (type == DT_REG && c->out) {
      if (clen < c->prefix_len || memcmp(child, c->prefix, c->prefix_len) != 0) continue;
      if (!og_store_key_plain(child)) continue; /* stray file, not an object */
      if (px_seq_key(child, NULL)) continue;   /* log keys live in segments, never as files */
      if (og_keylist__push(c->out, child, clen)) {
        rc = og_err_oom(err);
        break;
      }
    }
  }
  closedir(d);
  return rc;
}

static og_status posix_list(og_store *s, const char *prefix, og_keylist *out, og_error *err) {
  walk_ctx c = {.ps = (posix_store *)s, .prefix = prefix, .prefix_len = strlen(prefix), .out = out};
  char start[PATH_BUF];
  px_dir_of(prefix, start); /* "log/main/000" starts at "log/main" */
  return walk(&c, start, err);
}

static og_status posix_sweep(og_store *s, uint64_t older_than_ms, size_t *removed, og_error *err) {
  uint64_t now = og_now_ms();
  walk_ctx c = {.ps = (posix_store *)s, .prefix = "", .sweep = true,
                .cutoff_ms = older_than_ms >= now ? 0 : now - older_than_ms};
  if (older_than_ms == 0) c.cutoff_ms = UINT64_MAX;
  og_status rc = walk(&c, "", err);
  /* No directory fsync: nothing depends on a sweep being durable, and a
   * temp file that reappears after a power loss is simply swept again. */
  *removed = c.removed;
  return rc;
}

/*==================== open / close ====================*/

static void posix_destroy(og_store *s) {
  posix_store *ps = (posix_store *)s;
  if (ps->root_fd >= 0) close(ps->root_fd);
  og_store__fini(s);
  og_free(ps);
}

static const og_store_vtab posix_vtab = {
    .kind = "posix",
    .get = posix_get,
    .get_range = posix_get_range,
    .head = posix_head,
    .put = posix_put,
    .put_hint = posix_put_hint,
    .overwrite_hint = posix_overwrite_hint,
    .put_if_absent = posix_put_if_absent,
    .list = posix_list,
    .del = posix_delete,
    .sweep_temp = posix_sweep,
    .destroy = posix_destroy,
};

static og_status fsync_path_dir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return OG_EIO;
  int rc = fsync_retry(fd);
  close(fd);
  return rc == 0 ? OG_OK : OG_EIO;
}

/* mkdir -p for the root directory itself; fsyncs the parent of each new one. */
static og_status mkdir_root(const char *root, og_error *err) {
  size_t n = strlen(root);
  if (n >= PATH_MAX) return og_err_set(err, OG_EINVAL, "store: root path too long");
  char part[PATH_MAX];
  for (size_t i = 1; i <= n; i++) {
    if (root[i] != '/' && root[i] != '\0') continue;
    memcpy(part, root, i);
    part[i] = '\0';
    if (mkdir(part, 0755) == 0) {
      char parent[PATH_MAX];
      memcpy(parent, part, i + 1);
      char *slash = strrchr(parent, '/');
      if (!slash) strcpy(parent, ".");
      else if (slash == parent) parent[1] = '\0';
      else *slash = '\0';
      (void)fsync_path_dir(parent);
      continue;
    }
    int e = errno;
    if (e == EEXIST) continue; /* a file here surfaces as ENOTDIR at open */
    char ebuf[128];
    return og_err_set(err, errno_status(e) == OG_ENOTFOUND ? OG_EIO : errno_status(e),
                      "store: cannot create directory '%s': %s", part,
                      strerror_r(e, ebuf, sizeof ebuf));
  }
  return OG_OK;
}

og_status og_store_open_posix(og_store **out, const char *root_dir, bool create, og_error *err) {
  *out = NULL;
  og_status rc = OG_OK;
  posix_store *ps = NULL;
  char *real = NULL;
  og_buf desc = OG_BUF_INIT;
  if (!root_dir || !*root_dir) return og_err_set(err, OG_EINVAL, "store: empty root directory");
  if (create && (rc = mkdir_root(root_dir, err)) != OG_OK) goto cleanup;
  ps = og_calloc(1, sizeof *ps);
  if (!ps) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  ps->root_fd = open(root_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ps->root_fd < 0) {
    int e = errno;
    char ebuf[128];
    const char *m = strerror_r(e, ebuf, sizeof ebuf);
    if (e == ENOENT)
      rc = og_err_set(err, OG_ENOTFOUND, "store: root directory '%s' does not exist", root_dir);
    else if (e == ENOTDIR)
      rc = og_err_set(err, OG_EINVAL, "store: root '%s' is not a directory", root_dir);
    else
      rc = og_err_set(err, errno_status(e), "store: cannot open root '%s': %s", root_dir, m);
    goto cleanup;
  }
  real = realpath(root_dir, NULL); /* libc-allocated: freed with free() */
  if (og_buf_printf(&desc, "posix:%s", real ? real : root_dir)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if (og_store__init(&ps->base, &posix_vtab, desc.ptr)) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  *out = &ps->base;
  ps = NULL;
cleanup:
  if (ps) {
    if (ps->root_fd >= 0) close(ps->root_fd);
    og_store__fini(&ps->base);
    og_free(ps);
  }
  free(real);
  og_buf_dispose(&desc);
  return rc;
}
