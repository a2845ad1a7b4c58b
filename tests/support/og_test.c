/* Test-only helpers: temp dirs, file reads and subprocess runs. */
#include "og_test.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *og_test_tmpdir(const char *tag) {
  const char *base = getenv("TMPDIR");
  char tmpl[4096];
  snprintf(tmpl, sizeof tmpl, "%s/og-%s-XXXXXX", base && *base ? base : "/tmp", tag ? tag : "t");
  if (!mkdtemp(tmpl)) {
    fail_msg("mkdtemp(%s): %s", tmpl, strerror(errno));
    return NULL;
  }
  return og_strdup(tmpl);
}

void og_test_rmtree(const char *path) {
  if (!path) return;
  struct stat st;
  if (lstat(path, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (d) {
      struct dirent *e;
      while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        og_test_rmtree(child);
      }
      closedir(d);
    }
    rmdir(path);
  } else {
    unlink(path);
  }
}

char *og_test_read_file(const char *path, size_t *len_out) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  og_buf b = OG_BUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) og_buf_put(&b, chunk, n);
  fclose(f);
  if (!b.ptr) og_buf_puts(&b, "");
  return og_buf_detach(&b, len_out);
}

static const char *env_path(const char *var, const char *fallback, const char *rel) {
  static char buf[8][4096];
  static int slot;
  const char *root = getenv(var);
  char *out = buf[slot++ & 7];
  snprintf(out, 4096, "%s/%s", root && *root ? root : fallback, rel);
  return out;
}

const char *og_test_source_path(const char *rel) { return env_path("OG_SOURCE_DIR", ".", rel); }
const char *og_test_shared_path(const char *rel) { return env_path("OG_SHARED_DIR", "../shared", rel); }
const char *og_test_bin_path(const char *name) { return env_path("OG_TEST_BIN_DIR", ".", name); }

int og_test_run(const char *cmd, char **out) {
  og_buf b = OG_BUF_INIT;
  og_buf_printf(&b, "%s 2>&1", cmd);
  FILE *p = popen(b.ptr, "r");
  og_buf_clear(&b);
  if (!p) {
    og_buf_dispose(&b);
    return -1;
  }
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) og_buf_put(&b, chunk, n);
  int st = pclose(p);
  if (!b.ptr) og_buf_puts(&b, "");
  if (out) *out = og_buf_detach(&b, NULL);
  else og_buf_dispose(&b);
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return -1;
}

void og_test_log_record(const char *root, const char *key, char *path, size_t cap,
                        uint64_t *off, uint64_t *len) {
  const char *num = strrchr(key, '/');
  assert_non_null(num);
  unsigned long long v = strtoull(num + 1, NULL, 10);
  unsigned long long first = v - v % 256;
  snprintf(path, cap, "%s/%.*s/.seq-%020llu", root, (int)(num - key), key, first);
  size_t n = 0;
  char *b = og_test_read_file(path, &n);
  assert_non_null(b);
  const uint8_t *slot = (const uint8_t *)b + 64 + (v % 256) * 32;
  assert_true(n >= 64 + 256 * 32);
  assert_int_equal(og_get_u32le(slot + 12), 1); /* live */
  *off = og_get_u64le(slot);
  *len = og_get_u32le(slot + 8);
  assert_true(*off + *len <= n);
  og_free(b);
}
