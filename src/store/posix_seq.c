/*
 * Log keys of the posix backend, held in segment files.
 *
 * A branch's log takes one create per commit. As a file per key that create
 * costs two device flushes (the file, then the directory entry naming it)
 * and an inode. Here the 256 consecutive numbers n..n+255 of a log
 * directory share one preallocated segment file, `<dir>/.seq-<n>`:
 *
 *   [0, 64)        header: magic, first number, slot count, slot size,
 *                  data start, xxh3 of the bytes before it
 *   [64, 8256)     256 slots of 32 bytes: offset u64, length u32, state u32
 *                  (0 empty — all bytes zero —, 1 live, 2 deleted), xxh3 of
 *                  the record u64, xxh3 of the slot's first 24 bytes u64
 *                  (both seeded with the slot's number)
 *   [12288, ...)   records, appended; the file is kept zero-filled ahead of
 *                  the tail so an append rarely changes its size
 *
 * Create (put_if_absent) of number k under flock(LOCK_EX) of the segment:
 * read the slot table; k's slot live → EEXIST; append the record at the
 * tail; write the slot; one fdatasync. Nothing is visible before the slot
 * is written (a reader finds the slot empty), and a reader that finds the
 * slot finds the record already in place (it was written first). Readers
 * take no lock: a slot read torn by a concurrent write fails its checksum
 * and is read again.
 *
 * After a power loss the last record of a segment may be torn (its slot
 * reached the disk, its bytes did not): it fails its checksum, is treated
 * as never written (it was never acknowledged) and its slot is reused. A
 * record that fails its checksum and is not the last is corruption.
 *
 * Order across segments: the first create of a segment fdatasyncs the
 * previous segment, so a durable number k+1 implies a durable k (the
 * graph's logs are prefix-closed, and a create of k+1 follows a read of k
 * that may not have been flushed yet).
 */
#include "store/posix_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define SEQ_HDR 64u
#define SEQ_SLOT 32u
#define SEQ_TABLE (SEQ_HDR + OG_PSEQ_SLOTS * SEQ_SLOT)
#define SEQ_DATA0 12288u
#define SEQ_INITIAL (32u * 1024u) /* zero-filled data room of a new segment */
#define SEQ_GROW (64u * 1024u)    /* zero fill added past a record that outgrows the file */
#define SEQ_READ_TRIES 1000

static const char seq_magic[8] = {'O', 'G', 'S', 'E', 'Q', '0', '0', '1'};

enum { SLOT_EMPTY = 0, SLOT_LIVE = 1, SLOT_DELETED = 2 };

typedef struct seq_slot {
  uint64_t off;
  uint32_t len;
  uint32_t state;
  uint64_t hash; /* of the record */
  bool bad;      /* fails its own checksum */
} seq_slot;

typedef struct seq_table {
  seq_slot s[OG_PSEQ_SLOTS];
  uint64_t tail; /* end of the last record (>= SEQ_DATA0); only when !partial */
  bool partial;  /* only the slot asked for was read */
} seq_table;

/*==================== keys ====================*/

bool px_seq_key(const char *key, px_seq_ref *r) {
  if (strncmp(key, "log/", 4) != 0) return false;
  const char *slash = strchr(key + 4, '/');
  if (!slash || slash == key + 4) return false;
  const char *num = slash + 1;
  if (strlen(num) != 20) return false;
  uint64_t v = 0;
  for (int i = 0; i < 20; i++) {
    if (num[i] < '0' || num[i] > '9') return false;
    uint64_t d = (uint64_t)(num[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (r) {
    r->first = v - v % OG_PSEQ_SLOTS;
    r->idx = (uint32_t)(v % OG_PSEQ_SLOTS);
    snprintf(r->seg, sizeof r->seg, "%.*s/" OG_PSEQ_PREFIX "%020llu", (int)(slash - key), key,
             (unsigned long long)r->first);
  }
  return true;
}

static uint64_t slot_seed(uint64_t first, uint32_t idx) { return first + idx; }

/* Open a segment without touching its inode's times on reads: an atime
 * update (relatime: every read after a write) dirties the inode, and on
 * ext4 the next fdatasync then writes the inode block too, one more
 * device round trip per commit. O_NOATIME needs the file's owner (or
 * CAP_FOWNER); anyone else opens it plainly. */
static int seg_open(posix_store *ps, const char *seg, int flags) {
#ifdef O_NOATIME
  int fd = openat(ps->root_fd, seg, flags | O_CLOEXEC | O_NOATIME);
  if (fd >= 0 || errno != EPERM) return fd;
#endif
  return openat(ps->root_fd, seg, flags | O_CLOEXEC);
}

/*==================== table codec ====================*/

static void header_encode(uint8_t *b, uint64_t first) {
  memset(b, 0, SEQ_HDR);
  memcpy(b, seq_magic, sizeof seq_magic);
  og_put_u64le(b + 8, first);
  og_put_u32le(b + 16, OG_PSEQ_SLOTS);
  og_put_u32le(b + 20, SEQ_SLOT);
  og_put_u64le(b + 24, SEQ_DATA0);
  og_put_u64le(b + 56, XXH3_64bits(b, 56));
}

static bool header_ok(const uint8_t *b, uint64_t first) {
  return memcmp(b, seq_magic, sizeof seq_magic) == 0 && og_get_u64le(b + 8) == first &&
         og_get_u32le(b + 16) == OG_PSEQ_SLOTS && og_get_u32le(b + 20) == SEQ_SLOT &&
         og_get_u64le(b + 24) == SEQ_DATA0 && og_get_u64le(b + 56) == XXH3_64bits(b, 56);
}

static void slot_encode(uint8_t *b, uint64_t seed, const seq_slot *s) {
  og_put_u64le(b, s->off);
  og_put_u32le(b + 8, s->len);
  og_put_u32le(b + 12, s->state);
  og_put_u64le(b + 16, s->hash);
  og_put_u64le(b + 24, XXH3_64bits_withSeed(b, 24, seed));
}

static void slot_decode(const uint8_t *b, uint64_t seed, seq_slot *s) {
  static const uint8_t zero[SEQ_SLOT];
  memset(s, 0, sizeof *s);
  if (memcmp(b, zero, SEQ_SLOT) == 0) return; /* empty */
  s->off = og_get_u64le(b);
  s->len = og_get_u32le(b + 8);
  s->state = og_get_u32le(b + 12);
  s->hash = og_get_u64le(b + 16);
  s->bad = og_get_u64le(b + 24) != XXH3_64bits_withSeed(b, 24, seed) ||
           (s->state != SLOT_LIVE && s->state != SLOT_DELETED) || s->off < SEQ_DATA0 ||
           s->off + s->len < s->off;
}

static og_status pread_full(posix_store *ps, int fd, void *buf, size_t len, uint64_t off,
                            size_t *got, const char *op, const char *key, og_error *err) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return px_sys_fail(ps, err, errno, op, key);
    if (n == 0) break;
    done += (size_t)n;
  }
  *got = done;
  return OG_OK;
}

static og_status pwrite_full(posix_store *ps, int fd, const void *buf, size_t len, uint64_t off,
                             const char *op, const char *key, og_error *err) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return px_sys_fail(ps, err, n < 0 ? errno : EIO, op, key);
    done += (size_t)n;
  }
  return OG_OK;
}

/* The header and slot `need`, or (need == UINT32_MAX: a writer under the
 * lock, list) every slot. A slot that fails its checksum is read again: a
 * writer may be halfway through it. */
static og_status read_table(posix_store *ps, int fd, const px_seq_ref *r, uint32_t need,
                            int tries, seq_table *t, const char *op, const char *key,
                            og_error *err) {
  uint8_t b[SEQ_TABLE];
  uint32_t lo = need == UINT32_MAX ? 0 : need, hi = need == UINT32_MAX ? OG_PSEQ_SLOTS : need + 1;
  size_t want = SEQ_HDR + hi * SEQ_SLOT;
  t->partial = need != UINT32_MAX;
  for (int attempt = 0;; attempt++) {
    size_t got = 0;
    og_status rc = pread_full(ps, fd, b, want, 0, &got, op, key, err);
    if (rc != OG_OK) return rc;
    if (got < want || !header_ok(b, r->first))
      return og_err_set(err, OG_ECORRUPT, "store: %s '%s': '%s' is not a valid log segment (%s)",
                        op, key, r->seg, ps->base.desc);
    bool torn = false;
    t->tail = SEQ_DATA0;
    for (uint32_t i = lo; i < hi; i++) {
      seq_slot *s = &t->s[i];
      slot_decode(b + SEQ_HDR + i * SEQ_SLOT, slot_seed(r->first, i), s);
      torn |= s->bad;
      if (!s->bad && s->state != SLOT_EMPTY && s->off + s->len > t->tail) t->tail = s->off + s->len;
    }
    if (!torn) return OG_OK;
    if (attempt + 1 >= tries)
      return og_err_set(err, OG_ECORRUPT,
                        "store: %s '%s': a slot of log segment '%s' fails its checksum (%s)", op,
                        key, r->seg, ps->base.desc);
    sched_yield();
  }
}

/* Whether slot `idx` holds the record that ends the segment (by offset:
 * records are appended in the order they were created). */
static bool slot_is_last(const seq_table *t, uint32_t idx) {
  for (uint32_t i = 0; i < OG_PSEQ_SLOTS; i++)
    if (i != idx && !t->s[i].bad && t->s[i].state != SLOT_EMPTY && t->s[i].off > t->s[idx].off)
      return false;
  return true;
}

static bool table_empty(const seq_table *t) {
  for (uint32_t i = 0; i < OG_PSEQ_SLOTS; i++)
    if (t->s[i].bad || t->s[i].state != SLOT_EMPTY) return false;
  return true;
}

/* The segment `delta` segments away from r (±1). */
static void seg_neighbour(const px_seq_ref *r, int delta, px_seq_ref *out) {
  *out = *r;
  out->first = delta > 0 ? r->first + OG_PSEQ_SLOTS : r->first - OG_PSEQ_SLOTS;
  size_t at = (size_t)(strrchr(r->seg, '/') - r->seg) + 1;
  snprintf(out->seg + at, sizeof out->seg - at, OG_PSEQ_PREFIX "%020llu",
           (unsigned long long)out->first);
}

/* Whether the next segment holds any slot. Its first create made this
 * segment durable before writing (px_seq_create), so then nothing here can
 * be torn. Unreadable counts as started: the caller reports damage rather
 * than guess. */
static bool successor_started(posix_store *ps, const px_seq_ref *r) {
  if (r->first > UINT64_MAX - 2 * OG_PSEQ_SLOTS) return false;
  px_seq_ref next;
  seg_neighbour(r, 1, &next);
  int fd = seg_open(ps, next.seg, O_RDONLY);
  if (fd < 0) return errno != ENOENT && errno != ENOTDIR;
  seq_table t;
  og_error e = OG_ERROR_INIT;
  bool started = read_table(ps, fd, &next, UINT32_MAX, SEQ_READ_TRIES, &t, "read", next.seg, &e) !=
                     OG_OK ||
                 !table_empty(&t);
  close(fd);
  return started;
}

/* Append live record `idx` to `out`. *torn: it failed its checksum and can
 * only be a create cut short by a power loss — the last record of its
 * segment, with nothing in the next segment yet — so it was never
 * acknowledged and reads as absent; out is unchanged then. Any other record
 * that fails its checksum is damage. */
static og_status read_record(posix_store *ps, int fd, const px_seq_ref *r, const seq_table *t,
                             uint32_t idx, og_buf *out, bool *torn, const char *op,
                             const char *key, og_error *err) {
  const seq_slot *s = &t->s[idx];
  size_t base = out->len, got = 0;
  *torn = false;
  if (og_buf_grow(out, s->len)) return og_err_oom(err);
  og_status rc = pread_full(ps, fd, out->ptr + base, s->len, s->off, &got, op, key, err);
  if (rc != OG_OK) return rc;
  if (got == s->len &&
      XXH3_64bits_withSeed(out->ptr + base, s->len, slot_seed(r->first, idx)) == s->hash) {
    out->len = base + s->len;
    out->ptr[out->len] = '\0';
    return OG_OK;
  }
  out->ptr[base] = '\0';
  seq_table all;
  if (t->partial) { /* rare: the other slots decide */
    if ((rc = read_table(ps, fd, r, UINT32_MAX, SEQ_READ_TRIES, &all, op, key, err)) != OG_OK)
      return rc;
    all.s[idx] = *s;
    t = &all;
  }
  if (slot_is_last(t, idx) && !successor_started(ps, r)) {
    *torn = true;
    return OG_OK;
  }
  return og_err_set(err, OG_ECORRUPT, "store: %s '%s': record fails its checksum in '%s' (%s)",
                    op, key, r->seg, ps->base.desc);
}

static og_status not_found(posix_store *ps, const char *op, const char *key, og_error *err) {
  return og_err_set(err, OG_ENOTFOUND, "store: %s '%s': no such object (%s)", op, key,
                    ps->base.desc);
}

/*==================== reads ====================*/

og_status px_seq_read(posix_store *ps, const px_seq_ref *r, const char *key, const char *op,
                      uint64_t offset, uint64_t want, og_buf *out, uint64_t *size_out,
                      og_error *err) {
  og_buf scratch = OG_BUF_INIT;
  og_buf *dst = out ? out : &scratch;
  seq_table t;
  og_status rc = OG_OK;
  int fd = seg_open(ps, r->seg, O_RDONLY);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR) return not_found(ps, op, key, err);
    return px_sys_fail(ps, err, e, op, key);
  }
  if ((rc = read_table(ps, fd, r, r->idx, SEQ_READ_TRIES, &t, op, key, err)) != OG_OK)
    goto cleanup;
  if (t.s[r->idx].state != SLOT_LIVE) {
    rc = not_found(ps, op, key, err);
    goto cleanup;
  }
  size_t base = dst->len;
  bool torn = false;
  if ((rc = read_record(ps, fd, r, &t, r->idx, dst, &torn, op, key, err)) != OG_OK) goto cleanup;
  if (torn) {
    rc = not_found(ps, op, key, err);
    goto cleanup;
  }
  uint64_t size = t.s[r->idx].len;
  if (size_out) *size_out = size;
  if (offset || want < size) { /* a range: keep [offset, offset+want) clipped */
    uint64_t from = offset < size ? offset : size;
    uint64_t n = size - from < want ? size - from : want;
    memmove(dst->ptr + base, dst->ptr + base + from, (size_t)n);
    dst->len = base + (size_t)n;
    dst->ptr[dst->len] = '\0';
  }
cleanup:
  close(fd);
  og_buf_dispose(&scratch);
  return rc;
}

/*==================== writes ====================*/

/* Create segment `r` unless it exists: zero slots, zero-filled data room,
 * fsynced, linked under its name, its directory fsynced (*made: by us). */
static og_status seg_make(posix_store *ps, const px_seq_ref *r, bool *made, og_error *err) {
  char tmp[PATH_BUF], dir[PATH_BUF];
  og_status rc;
  uint8_t *b = NULL;
  bool have_tmp = false, linked = false;
  if ((rc = px_ensure_parents(ps, r->seg, err)) != OG_OK) goto cleanup;
  if (!(b = og_calloc(1, SEQ_DATA0 + SEQ_INITIAL))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  header_encode(b, r->first);
  if ((rc = px_write_temp(ps, r->seg, b, SEQ_DATA0 + SEQ_INITIAL, true, tmp, err)) != OG_OK)
    goto cleanup;
  have_tmp = true;
  int e = px_create_noreplace(ps, tmp, r->seg, &linked);
  have_tmp = e || linked; /* a rename consumed the temp name */
  if (e == EEXIST) goto cleanup; /* another writer made it */
  if (e) {
    rc = px_sys_fail(ps, err, e, "create log segment", r->seg);
    goto cleanup;
  }
  px_dir_of(r->seg, dir);
  rc = px_fsync_dir(ps, dir, r->seg, err);
  *made = rc == OG_OK;
cleanup:
  if (have_tmp) unlinkat(ps->root_fd, tmp, 0);
  og_free(b);
  return rc;
}

/* The segment open for writing, made first when `make` is given and it is
 * missing (*make then says whether this call made it). */
static og_status seg_open_rw(posix_store *ps, const px_seq_ref *r, const char *op,
                             const char *key, bool *make, int *fd_out, og_error *err) {
  for (int attempt = 0;; attempt++) {
    int fd = seg_open(ps, r->seg, O_RDWR);
    if (fd >= 0) {
      *fd_out = fd;
      return OG_OK;
    }
    int e = errno;
    /* ENOTDIR: a path component is an object; seg_make reports the shape */
    if ((e != ENOENT && e != ENOTDIR) || !make || attempt == 2) {
      if (e == ENOENT || e == ENOTDIR) return not_found(ps, op, key, err);
      return px_sys_fail(ps, err, e, op, key);
    }
    og_status rc = seg_make(ps, r, make, err);
    if (rc != OG_OK) return rc;
  }
}

/* fdatasync the segment before r (absent: nothing to do). */
static og_status sync_previous(posix_store *ps, const px_seq_ref *r, const char *key,
                               og_error *err) {
  px_seq_ref prev;
  seg_neighbour(r, -1, &prev);
  int fd = seg_open(ps, prev.seg, O_RDONLY);
  if (fd < 0) return errno == ENOENT ? OG_OK : px_sys_fail(ps, err, errno, "sync log segment of", key);
  int rc = fdatasync(fd);
  int e = errno;
  close(fd);
  og_store__count_fsync(&ps->base);
  return rc == 0 ? OG_OK : px_sys_fail(ps, err, e, "sync log segment of", key);
}

static int lock_ex(int fd) {
  int rc;
  do rc = flock(fd, LOCK_EX);
  while (rc != 0 && errno == EINTR);
  return rc;
}

og_status px_seq_create(posix_store *ps, const px_seq_ref *r, const char *key, const void *data,
                        size_t len, bool replace, og_error *err) {
  static const uint8_t zeros[4096];
  const char *op = replace ? "put" : "put_if_absent";
  int fd = -1;
  seq_table t;
  og_buf cur = OG_BUF_INIT;
  og_status rc = OG_OK;
  if (len > UINT32_MAX)
    return og_err_set(err, OG_EINVAL, "store: %s '%s': too large for a log segment (%s)", op, key,
                      ps->base.desc);
  bool made = false;
  if ((rc = seg_open_rw(ps, r, op, key, &made, &fd, err)) != OG_OK) return rc;
  if (lock_ex(fd) != 0) {
    rc = px_sys_fail(ps, err, errno, "lock log segment for", key);
    goto cleanup;
  }
  /* under the lock no write is in flight: a bad slot is damage */
  if ((rc = read_table(ps, fd, r, UINT32_MAX, 1, &t, op, key, err)) != OG_OK) goto cleanup;
  if (t.s[r->idx].state == SLOT_LIVE && !replace) {
    bool torn = false;
    if ((rc = read_record(ps, fd, r, &t, r->idx, &cur, &torn, op, key, err)) != OG_OK)
      goto cleanup;
    if (!torn) {
      rc = og_err_set(err, OG_EEXISTS, "store: put_if_absent '%s': object exists (%s)", key,
                      ps->base.desc);
      goto cleanup;
    }
  }
  if (table_empty(&t)) {
    /* The first create here. Whoever made the segment may not have made its
     * name durable yet (it lost the race to link, or died before the
     * directory fsync), and a create of k follows a read of k-1 that may
     * still be in the page cache of the previous segment: both must reach
     * the disk before this create can (the log stays prefix-closed). */
    char dir[PATH_BUF];
    px_dir_of(r->seg, dir);
    if (!made && (rc = px_fsync_dir(ps, dir, key, err)) != OG_OK) goto cleanup;
    if (r->first > 0 && (rc = sync_previous(ps, r, key, err)) != OG_OK) goto cleanup;
  }
  /* the size by lseek, not fstat: a stat asks the kernel for fine-grained
   * change times, and the next write then dirties the inode every time
   * (one more device write per fdatasync, as with atime above) */
  off_t size = lseek(fd, 0, SEEK_END);
  if (size < 0) {
    rc = px_sys_fail(ps, err, errno, op, key);
    goto cleanup;
  }
  uint64_t at = (t.tail + 7) & ~(uint64_t)7, end = at + len;
  if ((rc = pwrite_full(ps, fd, data, len, at, op, key, err)) != OG_OK) goto cleanup;
  if (end > (uint64_t)size) {
    /* outgrown: zero-fill ahead so the next appends do not change the size */
    uint64_t to = (end + SEQ_GROW + 4095) & ~(uint64_t)4095;
    for (uint64_t p = end; p < to && rc == OG_OK;) {
      size_t n = to - p < sizeof zeros ? (size_t)(to - p) : sizeof zeros;
      rc = pwrite_full(ps, fd, zeros, n, p, op, key, err);
      p += n;
    }
    if (rc != OG_OK) goto cleanup;
  }
  if ((rc = OG_FAILPOINT(OG_FP_STORE_PIA_BEFORE_LINK, err)) != OG_OK) goto cleanup;
  if (t.s[r->idx].state == SLOT_LIVE) {
    /* a replace: the new bytes must be durable before the slot switches to
     * them, or a power loss could leave the key with neither (S1) */
    int src = fdatasync(fd);
    og_store__count_fsync(&ps->base);
    if (src != 0) {
      rc = px_sys_fail(ps, err, errno, "sync", key);
      goto cleanup;
    }
  }
  uint8_t old[SEQ_SLOT] = {0};
  if (t.s[r->idx].state != SLOT_EMPTY) slot_encode(old, slot_seed(r->first, r->idx), &t.s[r->idx]);
  seq_slot s = {.off = at, .len = (uint32_t)len, .state = SLOT_LIVE,
                .hash = XXH3_64bits_withSeed(data, len, slot_seed(r->first, r->idx))};
  uint8_t sb[SEQ_SLOT];
  slot_encode(sb, slot_seed(r->first, r->idx), &s);
  if ((rc = pwrite_full(ps, fd, sb, sizeof sb, SEQ_HDR + r->idx * SEQ_SLOT, op, key, err)) != OG_OK)
    goto cleanup;
  /* visible now; an injected error here still syncs (S5: a reported
   * failure after the object exists means it is durable) */
  og_status fp = OG_FAILPOINT(OG_FP_STORE_PIA_BEFORE_SYNC, err);
  int src = fdatasync(fd);
  int e = errno;
  og_store__count_fsync(&ps->base);
  if (fp != OG_OK) {
    rc = fp;
    goto cleanup;
  }
  if (src != 0) {
    /* The flush failed: the kernel may now count the pages as clean, so a
     * later flush could "succeed" without them. Take the slot back (best
     * effort) so nobody builds on a create that may not be on disk. */
    (void)pwrite_full(ps, fd, old, sizeof old, SEQ_HDR + r->idx * SEQ_SLOT, op, key, NULL);
    rc = px_sys_fail(ps, err, e, "sync", key);
    goto cleanup;
  }
  rc = OG_FAILPOINT(OG_FP_STORE_PIA_AFTER_LINK, err);
cleanup:
  if (fd >= 0) close(fd); /* releases the lock */
  og_buf_dispose(&cur);
  return rc;
}

og_status px_seq_delete(posix_store *ps, const px_seq_ref *r, const char *key, og_error *err) {
  int fd = -1;
  seq_table t;
  og_status rc = seg_open_rw(ps, r, "delete", key, NULL, &fd, err);
  if (rc == OG_ENOTFOUND) {
    og_err_clear(err);
    return OG_OK;
  }
  if (rc != OG_OK) return rc;
  if (lock_ex(fd) != 0) {
    rc = px_sys_fail(ps, err, errno, "lock log segment for", key);
    goto cleanup;
  }
  if ((rc = read_table(ps, fd, r, UINT32_MAX, 1, &t, "delete", key, err)) != OG_OK) goto cleanup;
  if (t.s[r->idx].state != SLOT_LIVE) goto cleanup;
  seq_slot s = t.s[r->idx];
  s.state = SLOT_DELETED;
  uint8_t sb[SEQ_SLOT];
  slot_encode(sb, slot_seed(r->first, r->idx), &s);
  if ((rc = pwrite_full(ps, fd, sb, sizeof sb, SEQ_HDR + r->idx * SEQ_SLOT, "delete", key, err)) !=
      OG_OK)
    goto cleanup;
  if (fdatasync(fd) != 0) rc = px_sys_fail(ps, err, errno, "sync", key);
  og_store__count_fsync(&ps->base);
cleanup:
  close(fd);
  return rc;
}

/*==================== list ====================*/

og_status px_seq_list(posix_store *ps, const char *dir, const char *name, const char *prefix,
                      size_t prefix_len, og_keylist *out, og_error *err) {
  char key[PATH_BUF];
  px_seq_ref r;
  seq_table t;
  og_buf rec = OG_BUF_INIT;
  og_status rc = OG_OK;
  const char *num = name + strlen(OG_PSEQ_PREFIX);
  /* only a segment file where one belongs: its slot-0 key maps back to it */
  if (strlen(num) != 20 || (size_t)snprintf(key, sizeof key, "%s/%s", dir, num) >= sizeof key ||
      !px_seq_key(key, &r) || r.idx != 0 || strcmp(r.seg + strlen(dir) + 1, name) != 0)
    return OG_OK;
  int fd = seg_open(ps, r.seg, O_RDONLY);
  if (fd < 0) return errno == ENOENT ? OG_OK : px_sys_fail(ps, err, errno, "list", r.seg);
  if ((rc = read_table(ps, fd, &r, UINT32_MAX, SEQ_READ_TRIES, &t, "list", r.seg, err)) != OG_OK)
    goto cleanup;
  uint32_t last = UINT32_MAX; /* the one record a power loss can have torn */
  for (uint32_t i = 0; i < OG_PSEQ_SLOTS && last == UINT32_MAX; i++)
    if (t.s[i].state == SLOT_LIVE && slot_is_last(&t, i)) last = i;
  for (uint32_t i = 0; i < OG_PSEQ_SLOTS && rc == OG_OK; i++) {
    if (t.s[i].state != SLOT_LIVE) continue;
    int n = snprintf(key, sizeof key, "%s/%020llu", dir, (unsigned long long)(r.first + i));
    if (n < 0 || (size_t)n < prefix_len || memcmp(key, prefix, prefix_len) != 0) continue;
    if (i == last) {
      bool torn = false;
      rec.len = 0;
      if ((rc = read_record(ps, fd, &r, &t, i, &rec, &torn, "list", key, err)) != OG_OK || torn)
        continue;
    }
    if (og_keylist__push(out, key, (size_t)n)) rc = og_err_oom(err);
  }
cleanup:
  close(fd);
  og_buf_dispose(&rec);
  return rc;
}
