/* Store semantics S1–S5 over the posix and memory backends, key rules,
 * counters, URIs, and the posix-only pieces (temp files, sweep, failpoints). */
#include "store_fixture.h"
#include "store/store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static void test_roundtrip(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  fx_put_str(f->s, "a", "alpha");
  fx_put_str(f->s, "dir/sub/deep/obj", "nested");
  fx_expect_str(f->s, "a", "alpha");
  fx_expect_str(f->s, "dir/sub/deep/obj", "nested");

  /* overwrite replaces whole (shorter value leaves no tail) */
  fx_put_str(f->s, "a", "be");
  fx_expect_str(f->s, "a", "be");

  /* empty object */
  OG_ASSERT_OK(og_store_put(f->s, "empty", NULL, 0, &err), &err);
  fx_expect(f->s, "empty", "", 0);
  uint64_t size = 99;
  OG_ASSERT_OK(og_store_head(f->s, "empty", &size, &err), &err);
  assert_int_equal(size, 0);

  /* binary bytes including NUL */
  const char bin[] = {'x', 0, 'y', (char)0xff, 0};
  OG_ASSERT_OK(og_store_put(f->s, "bin", bin, sizeof bin, &err), &err);
  fx_expect(f->s, "bin", bin, sizeof bin);

  /* get appends to the caller's buffer */
  og_buf_puts(&b, "pre:");
  OG_ASSERT_OK(og_store_get(f->s, "dir/sub/deep/obj", &b, &err), &err);
  assert_string_equal(b.ptr, "pre:nested");
  /* a failed get leaves it as it was */
  assert_int_equal(og_store_get(f->s, "nope", &b, &err), OG_ENOTFOUND);
  assert_string_equal(b.ptr, "pre:nested");
  og_buf_dispose(&b);
}

static void test_range_and_head(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  fx_put_str(f->s, "r/x", "0123456789");
  uint64_t size = 0;
  OG_ASSERT_OK(og_store_head(f->s, "r/x", &size, &err), &err);
  assert_int_equal(size, 10);

  OG_ASSERT_OK(og_store_get_range(f->s, "r/x", 2, 3, &b, &err), &err);
  assert_int_equal(b.len, 3);
  assert_memory_equal(b.ptr, "234", 3);
  og_buf_clear(&b);
  /* clipped at the end */
  OG_ASSERT_OK(og_store_get_range(f->s, "r/x", 7, 100, &b, &err), &err);
  assert_int_equal(b.len, 3);
  assert_memory_equal(b.ptr, "789", 3);
  og_buf_clear(&b);
  /* entirely past the end: empty, not an error */
  OG_ASSERT_OK(og_store_get_range(f->s, "r/x", 10, 5, &b, &err), &err);
  assert_int_equal(b.len, 0);
  OG_ASSERT_OK(og_store_get_range(f->s, "r/x", 1000, 5, &b, &err), &err);
  assert_int_equal(b.len, 0);
  OG_ASSERT_OK(og_store_get_range(f->s, "r/x", 0, 0, &b, &err), &err);
  assert_int_equal(b.len, 0);
  OG_ASSERT_OK(og_store_get_range(f->s, "r/x", 0, UINT64_MAX, &b, &err), &err);
  assert_int_equal(b.len, 10);
  og_buf_clear(&b);

  assert_int_equal(og_store_get_range(f->s, "r/missing", 0, 1, &b, &err), OG_ENOTFOUND);
  assert_int_equal(err.code, OG_ENOTFOUND);
  size = 5;
  assert_int_equal(og_store_head(f->s, "r/missing", &size, &err), OG_ENOTFOUND);
  /* a "directory" is not an object */
  assert_int_equal(og_store_head(f->s, "r", &size, &err), OG_ENOTFOUND);
  assert_int_equal(og_store_get(f->s, "r", &b, &err), OG_ENOTFOUND);
  /* a path running through an object is absent, not an I/O error */
  assert_int_equal(og_store_get(f->s, "r/x/y", &b, &err), OG_ENOTFOUND);
  assert_int_equal(og_store_head(f->s, "r/x/y", &size, &err), OG_ENOTFOUND);
  og_buf_dispose(&b);
}

static void test_put_if_absent(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_put_if_absent(f->s, "log/main/1", "first", 5, &err), &err);
  assert_int_equal(og_store_put_if_absent(f->s, "log/main/1", "second!", 7, &err), OG_EEXISTS);
  assert_int_equal(err.code, OG_EEXISTS);
  assert_non_null(strstr(err.message, "log/main/1"));
  fx_expect_str(f->s, "log/main/1", "first");
  /* after delete it can be created again */
  OG_ASSERT_OK(og_store_delete(f->s, "log/main/1", &err), &err);
  OG_ASSERT_OK(og_store_put_if_absent(f->s, "log/main/1", "third", 5, &err), &err);
  fx_expect_str(f->s, "log/main/1", "third");
  /* plain put still overwrites a put_if_absent object */
  fx_put_str(f->s, "log/main/1", "over");
  fx_expect_str(f->s, "log/main/1", "over");
}

static void expect_list(og_store *s, const char *prefix, const char *const *want, size_t n) {
  og_keylist l = {NULL, 0};
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_list(s, prefix, &l, &err), &err);
  if (l.count != n) {
    for (size_t i = 0; i < l.count; i++) print_message("  got %s\n", l.keys[i]);
    fail_msg("list '%s': %zu keys, expected %zu", prefix, l.count, n);
  }
  for (size_t i = 0; i < n; i++) assert_string_equal(l.keys[i], want[i]);
  og_keylist_dispose(&l);
}

static void test_list(void **state) {
  fx *f = *state;
  static const char *const keys[] = {"log/main/00000000000000000010", "log/main/00000000000000000002",
                                     "log/main/00000000000000000001", "log/dev/00000000000000000001",
                                     "log/main-x/1", "logs", "t/abc/frag/01J", "t/abc/frag/01K",
                                     "t/abd/x", "Z", "a-b", "a/b", "a.b"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) fx_put_str(f->s, keys[i], keys[i]);

  static const char *const all[] = {"Z", "a-b", "a.b", "a/b", "log/dev/00000000000000000001",
                                    "log/main-x/1", "log/main/00000000000000000001",
                                    "log/main/00000000000000000002",
                                    "log/main/00000000000000000010", "logs", "t/abc/frag/01J",
                                    "t/abc/frag/01K", "t/abd/x"};
  expect_list(f->s, "", all, 13);
  expect_list(f->s, "log/main/", all + 6, 3);
  static const char *const logm[] = {"log/main-x/1", "log/main/00000000000000000001",
                                     "log/main/00000000000000000002",
                                     "log/main/00000000000000000010"};
  expect_list(f->s, "log/main", logm, 4);
  expect_list(f->s, "log/main/0000000000000000000", all + 6, 2);
  static const char *const logs[] = {"log/dev/00000000000000000001", "log/main-x/1",
                                     "log/main/00000000000000000001",
                                     "log/main/00000000000000000002",
                                     "log/main/00000000000000000010", "logs"};
  expect_list(f->s, "log", logs, 6);
  expect_list(f->s, "t/ab", all + 10, 3);
  expect_list(f->s, "t/abc/", all + 10, 2);
  expect_list(f->s, "nothing/here/", NULL, 0);
  expect_list(f->s, "log/main/00000000000000000001", all + 6, 1);
  expect_list(f->s, "log/main/00000000000000000001/", NULL, 0);
  expect_list(f->s, "a", all + 1, 3);

  /* deleted keys vanish from the listing */
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_delete(f->s, "t/abc/frag/01J", &err), &err);
  expect_list(f->s, "t/abc/", all + 11, 1);

  og_keylist l = {NULL, 0};
  assert_int_equal(og_store_list(f->s, "/abs", &l, &err), OG_EINVAL);
  assert_int_equal(og_store_list(f->s, "a//", &l, &err), OG_EINVAL);
  assert_int_equal(og_store_list(f->s, "../", &l, &err), OG_EINVAL);
  assert_null(l.keys);
}

static void test_delete(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  fx_put_str(f->s, "d/x", "1");
  OG_ASSERT_OK(og_store_delete(f->s, "d/x", &err), &err);
  og_buf b = OG_BUF_INIT;
  assert_int_equal(og_store_get(f->s, "d/x", &b, &err), OG_ENOTFOUND);
  /* S3: deleting a missing key (or a "directory") is OK */
  OG_ASSERT_OK(og_store_delete(f->s, "d/x", &err), &err);
  OG_ASSERT_OK(og_store_delete(f->s, "never/was", &err), &err);
  fx_put_str(f->s, "d/y/z", "1");
  OG_ASSERT_OK(og_store_delete(f->s, "d/y", &err), &err);
  fx_expect_str(f->s, "d/y/z", "1");
  og_buf_dispose(&b);
}

static void test_invalid_keys(void **state) {
  fx *f = *state;
  static const char *const bad[] = {"", "/abs", "a//b", "a/", "./a", "a/./b", "a/..", "..",
                                    ".", "a\\b", "tab\there", "nl\n", "del\x7f", "utf\xc3\xa9",
                                    "x/.tmp-123", ".tmp-foo"};
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  uint64_t size;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *k = bad[i];
    assert_false(og_store_key_valid(k));
    err = (og_error)OG_ERROR_INIT;
    assert_int_equal(og_store_put(f->s, k, "x", 1, &err), OG_EINVAL);
    assert_int_equal(err.code, OG_EINVAL);
    assert_int_equal(og_store_put_if_absent(f->s, k, "x", 1, &err), OG_EINVAL);
    assert_int_equal(og_store_get(f->s, k, &b, &err), OG_EINVAL);
    assert_int_equal(og_store_get_range(f->s, k, 0, 1, &b, &err), OG_EINVAL);
    assert_int_equal(og_store_head(f->s, k, &size, &err), OG_EINVAL);
    assert_int_equal(og_store_delete(f->s, k, &err), OG_EINVAL);
  }
  assert_false(og_store_key_valid(NULL));
  char longkey[1100];
  memset(longkey, 'a', sizeof longkey);
  longkey[1025] = '\0';
  assert_false(og_store_key_valid(longkey));
  for (int i = 100; i < 1025; i += 101) longkey[i] = '/';
  longkey[1024] = '\0';
  assert_true(og_store_key_valid(longkey));
  char longseg[300];
  memset(longseg, 's', sizeof longseg);
  longseg[256] = '\0';
  assert_false(og_store_key_valid(longseg));
  longseg[255] = '\0';
  assert_true(og_store_key_valid(longseg));

  static const char *const good[] = {"a", "b/c", "log/main/00000000000000000007", "..a", "a..",
                                     ".hidden", "with space", "x.tmp-", "q/b.c/d-e_f~g", "A=B"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    assert_true(og_store_key_valid(good[i]));
    OG_ASSERT_OK(og_store_put(f->s, good[i], good[i], strlen(good[i]), &err), &err);
    fx_expect_str(f->s, good[i], good[i]);
  }
  assert_true(og_store_prefix_valid(""));
  assert_true(og_store_prefix_valid("log/"));
  assert_true(og_store_prefix_valid("log/."));
  assert_false(og_store_prefix_valid("log//"));
  assert_false(og_store_prefix_valid(NULL));
  og_buf_dispose(&b);
}

static void test_missing(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  assert_int_equal(og_store_get(f->s, "no/such/key", &b, &err), OG_ENOTFOUND);
  assert_int_equal(err.code, OG_ENOTFOUND);
  assert_non_null(strstr(err.message, "no/such/key"));
  assert_int_equal(b.len, 0);
  og_buf_dispose(&b);
}

static void test_big_objects(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  size_t n = 8u << 20;
  unsigned char *data = og_malloc(n);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    data[i] = (unsigned char)x;
  }
  OG_ASSERT_OK(og_store_put(f->s, "big/one", data, n, &err), &err);
  fx_expect(f->s, "big/one", data, n);
  uint64_t size = 0;
  OG_ASSERT_OK(og_store_head(f->s, "big/one", &size, &err), &err);
  assert_int_equal(size, n);
  og_buf b = OG_BUF_INIT;
  OG_ASSERT_OK(og_store_get_range(f->s, "big/one", n - 4097, 8192, &b, &err), &err);
  assert_int_equal(b.len, 4097);
  assert_memory_equal(b.ptr, data + n - 4097, 4097);
  og_buf_clear(&b);
  OG_ASSERT_OK(og_store_get_range(f->s, "big/one", 3u << 20, 2u << 20, &b, &err), &err);
  assert_int_equal(b.len, 2u << 20);
  assert_memory_equal(b.ptr, data + (3u << 20), 2u << 20);
  OG_ASSERT_OK(og_store_put_if_absent(f->s, "big/two", data, n, &err), &err);
  fx_expect(f->s, "big/two", data, n);
  og_buf_dispose(&b);
  og_free(data);
}

static void test_counters(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  og_keylist l = {NULL, 0};
  og_store_stats st;
  og_store_stats_reset(f->s);
  og_store_stats_get(f->s, &st);
  assert_int_equal(st.puts + st.gets + st.bytes_written + st.fsyncs, 0);

  fx_put_str(f->s, "c/1", "12345");
  OG_ASSERT_OK(og_store_put_if_absent(f->s, "c/2", "abc", 3, &err), &err);
  assert_int_equal(og_store_put_if_absent(f->s, "c/2", "zzzz", 4, &err), OG_EEXISTS);
  OG_ASSERT_OK(og_store_get(f->s, "c/1", &b, &err), &err);
  OG_ASSERT_OK(og_store_get_range(f->s, "c/1", 1, 2, &b, &err), &err);
  assert_int_equal(og_store_get(f->s, "c/none", &b, &err), OG_ENOTFOUND);
  uint64_t size;
  OG_ASSERT_OK(og_store_head(f->s, "c/1", &size, &err), &err);
  OG_ASSERT_OK(og_store_list(f->s, "c/", &l, &err), &err);
  og_keylist_dispose(&l);
  OG_ASSERT_OK(og_store_delete(f->s, "c/1", &err), &err);
  /* invalid keys are rejected before they count */
  assert_int_equal(og_store_put(f->s, "/bad", "x", 1, &err), OG_EINVAL);

  og_store_stats_get(f->s, &st);
  assert_int_equal(st.puts, 1);
  assert_int_equal(st.put_if_absents, 2);
  assert_int_equal(st.gets, 2);
  assert_int_equal(st.get_ranges, 1);
  assert_int_equal(st.heads, 1);
  assert_int_equal(st.lists, 1);
  assert_int_equal(st.deletes, 1);
  assert_int_equal(st.bytes_written, 5 + 3);
  assert_int_equal(st.bytes_read, 5 + 2);
  if (f->kind == FX_POSIX) {
    /* put: temp + dir + new dir's parent; pia: temp + dir; delete: dir */
    assert_true(st.fsyncs >= 5);
  } else {
    assert_int_equal(st.fsyncs, 0);
  }
  og_store_stats_reset(f->s);
  og_store_stats_get(f->s, &st);
  assert_int_equal(st.gets + st.puts + st.bytes_read + st.fsyncs, 0);
  og_buf_dispose(&b);
}

/* put_hint: an atomic replace like put, counted as a put, but with no fsync
 * on posix (a hint may be lost on power loss; nothing depends on it). */
static void test_put_hint(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  og_store_stats st;
  og_store_stats_reset(f->s);
  OG_ASSERT_OK(og_store_put_hint(f->s, "hint/main", "v1", 2, &err), &err);
  OG_ASSERT_OK(og_store_put_hint(f->s, "hint/main", "version-2", 9, &err), &err);
  OG_ASSERT_OK(og_store_get(f->s, "hint/main", &b, &err), &err);
  assert_int_equal(b.len, 9);
  assert_memory_equal(b.ptr, "version-2", 9);
  assert_int_equal(og_store_put_hint(f->s, "/bad", "x", 1, &err), OG_EINVAL);
  og_store_stats_get(f->s, &st);
  assert_int_equal(st.puts, 2);
  if (f->kind == FX_POSIX) {
    /* the first put_hint created hint/ (its parent fsync is durable), no file fsyncs */
    og_store_stats_reset(f->s);
    OG_ASSERT_OK(og_store_put_hint(f->s, "hint/main", "v3", 2, &err), &err);
    og_store_stats_get(f->s, &st);
    assert_int_equal(st.fsyncs, 0);
    og_keylist l = {NULL, 0};
    OG_ASSERT_OK(og_store_list(f->s, "hint/", &l, &err), &err);
    assert_int_equal(l.count, 1); /* no temp file left behind */
    og_keylist_dispose(&l);
  }
  og_buf_dispose(&b);
}

static void test_refcount_and_describe(void **state) {
  fx *f = *state;
  og_store *again = og_store_ref(f->s);
  assert_ptr_equal(again, f->s);
  og_store_free(again); /* still alive: fixture holds a reference */
  fx_put_str(f->s, "still", "alive");
  const char *d = og_store_describe(f->s);
  if (f->kind == FX_POSIX) {
    assert_true(og_str_startswith(d, "posix:/"));
  } else {
    assert_string_equal(d, "memory");
  }
  og_store_free(NULL);
}

/*==================== URIs and the named memory registry ====================*/

static void test_open_uris(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *a = NULL, *b = NULL;
  char *dir = og_test_tmpdir("uri");
  char path[4200], uri[4300];
  snprintf(path, sizeof path, "%s/new/nested/root", dir);
  /* create=false on a missing root */
  assert_int_equal(og_store_open_posix(&a, path, false, &err), OG_ENOTFOUND);
  assert_null(a);
  snprintf(uri, sizeof uri, "file://%s", path);
  OG_ASSERT_OK(og_store_open(&a, uri, true, &err), &err);
  fx_put_str(a, "k", "v");
  OG_ASSERT_OK(og_store_open(&b, path, false, &err), &err);
  fx_expect_str(b, "k", "v");
  og_store_free(b);
  char expect[4300];
  snprintf(expect, sizeof expect, "posix:%s", path);
  assert_string_equal(og_store_describe(a), expect);
  og_store_free(a);

  /* a relative path is resolved at open and survives a chdir */
  char cwd[4096];
  assert_non_null(getcwd(cwd, sizeof cwd));
  assert_int_equal(chdir(dir), 0);
  OG_ASSERT_OK(og_store_open(&a, "rel/root", true, &err), &err);
  assert_int_equal(chdir("/"), 0);
  fx_put_str(a, "x/y", "z");
  assert_int_equal(chdir(cwd), 0);
  og_store_free(a);
  snprintf(path, sizeof path, "%s/rel/root", dir);
  OG_ASSERT_OK(og_store_open(&a, path, false, &err), &err);
  fx_expect_str(a, "x/y", "z");
  og_store_free(a);

  /* a root that is a file */
  snprintf(path, sizeof path, "%s/rel/root/x/y", dir);
  assert_int_equal(og_store_open(&a, path, false, &err), OG_EINVAL);

  assert_int_equal(og_store_open(&a, "s3://bucket/prefix", true, &err), OG_EUNSUPPORTED);
  assert_non_null(strstr(err.message, "s3"));
  assert_int_equal(og_store_open(&a, "gs://bucket", true, &err), OG_EUNSUPPORTED);
  assert_int_equal(og_store_open(&a, "", true, &err), OG_EINVAL);
  assert_int_equal(og_store_open(&a, "memory://", true, &err), OG_EINVAL);
  assert_null(a);
  og_test_rmtree(dir);
  og_free(dir);
}

static void test_memory_registry(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *a = NULL, *b = NULL, *c = NULL;
  assert_int_equal(og_store_open(&a, "memory://reg-test", false, &err), OG_ENOTFOUND);
  OG_ASSERT_OK(og_store_open(&a, "memory://reg-test", true, &err), &err);
  OG_ASSERT_OK(og_store_open(&b, "memory://reg-test", false, &err), &err);
  assert_ptr_equal(a, b);
  assert_string_equal(og_store_describe(a), "memory://reg-test");
  fx_put_str(a, "k", "shared");
  fx_expect_str(b, "k", "shared");
  OG_ASSERT_OK(og_store_open(&c, "memory://other", true, &err), &err);
  og_buf buf = OG_BUF_INIT;
  assert_int_equal(og_store_get(c, "k", &buf, &err), OG_ENOTFOUND);
  og_store_free(c);
  og_store_memory_drop("memory://other");

  og_store_free(a);
  og_store_free(b);
  /* still registered: the registry holds a reference */
  OG_ASSERT_OK(og_store_open(&a, "memory://reg-test", false, &err), &err);
  fx_expect_str(a, "k", "shared");
  og_store_memory_drop("reg-test");
  /* a handle outlives the drop; a new open sees a fresh store */
  fx_expect_str(a, "k", "shared");
  OG_ASSERT_OK(og_store_open(&b, "memory://reg-test", true, &err), &err);
  assert_ptr_not_equal(a, b);
  assert_int_equal(og_store_get(b, "k", &buf, &err), OG_ENOTFOUND);
  og_store_free(a);
  og_store_free(b);
  og_store_memory_drop("reg-test");
  og_store_memory_drop("never-existed");
  og_buf_dispose(&buf);
}

/*==================== posix specifics ====================*/

static int count_temps(const char *dir) {
  char *out = NULL;
  char cmd[4300];
  snprintf(cmd, sizeof cmd, "find '%s' -name '.tmp-*' | wc -l", dir);
  assert_int_equal(og_test_run(cmd, &out), 0);
  int n = atoi(out);
  og_free(out);
  return n;
}

static void test_posix_temp_files(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  fx_put_str(f->s, "t/a", "1");
  assert_int_equal(count_temps(f->dir), 0); /* a successful put leaves none */
  /* plant crash garbage at several depths */
  char p[4300];
  snprintf(p, sizeof p, "%s/t/.tmp-01JCRASHED", f->dir);
  FILE *fp = fopen(p, "w");
  fputs("garbage", fp);
  fclose(fp);
  snprintf(p, sizeof p, "%s/.tmp-rootgarbage", f->dir);
  fp = fopen(p, "w");
  fclose(fp);
  static const char *const want[] = {"t/a"};
  expect_list(f->s, "", want, 1);
  expect_list(f->s, "t/", want, 1);
  assert_int_equal(count_temps(f->dir), 2);
  size_t removed = 99;
  /* too young for a one-hour cutoff */
  OG_ASSERT_OK(og_store_sweep_temp(f->s, 3600 * 1000, &removed, &err), &err);
  assert_int_equal(removed, 0);
  OG_ASSERT_OK(og_store_sweep_temp(f->s, 0, &removed, &err), &err);
  assert_int_equal(removed, 2);
  assert_int_equal(count_temps(f->dir), 0);
  fx_expect_str(f->s, "t/a", "1");
  /* stray non-key files are not objects */
  snprintf(p, sizeof p, "%s/t/bad\\name", f->dir);
  fp = fopen(p, "w");
  fclose(fp);
  expect_list(f->s, "", want, 1);
}

static void test_posix_shape_conflicts(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  fx_put_str(f->s, "a", "file");
  /* "a" is an object, so "a/b" cannot be a file under it on posix */
  assert_int_equal(og_store_put(f->s, "a/b", "x", 1, &err), OG_EINVAL);
  assert_int_equal(og_store_put_if_absent(f->s, "a/b/c", "x", 1, &err), OG_EINVAL);
  fx_put_str(f->s, "d/e", "x");
  assert_int_equal(og_store_put(f->s, "d", "x", 1, &err), OG_EINVAL);
  assert_int_equal(og_store_put_if_absent(f->s, "d", "x", 1, &err), OG_EINVAL);
  fx_expect_str(f->s, "a", "file");
  fx_expect_str(f->s, "d/e", "x");
  assert_int_equal(count_temps(f->dir), 0);
}

static void test_posix_failpoints(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  og_fp_reset();
  fx_put_str(f->s, "fp/obj", "old");

  OG_ASSERT_OK(og_fp_configure("store.put.before_rename=error", &err), &err);
  assert_int_equal(og_store_put(f->s, "fp/obj", "new", 3, &err), OG_EIO);
  assert_non_null(strstr(err.message, "store.put.before_rename"));
  fx_expect_str(f->s, "fp/obj", "old");
  assert_int_equal(count_temps(f->dir), 0);
  assert_int_equal(og_fp_hits(OG_FP_STORE_PUT_BEFORE_RENAME), 1);

  OG_ASSERT_OK(og_fp_configure("store.put.before_rename=off;store.put_if_absent.before_link=error(storage_full)", &err), &err);
  assert_int_equal(og_store_put_if_absent(f->s, "fp/new", "n", 1, &err), OG_EFULL);
  assert_int_equal(og_store_get(f->s, "fp/new", &b, &err), OG_ENOTFOUND);
  fx_put_str(f->s, "fp/obj", "newer");
  fx_expect_str(f->s, "fp/obj", "newer");

  OG_ASSERT_OK(og_fp_configure("store.put_if_absent.before_link=off;store.put_if_absent.after_link=error", &err), &err);
  assert_int_equal(og_store_put_if_absent(f->s, "fp/new", "n", 1, &err), OG_EIO);
  /* outcome unknown to the caller, but the object is in fact there */
  fx_expect_str(f->s, "fp/new", "n");
  assert_int_equal(count_temps(f->dir), 0);
  assert_int_equal(og_fp_hits(OG_FP_STORE_PIA_AFTER_LINK), 1);
  /* the losing path never reaches the link points */
  assert_int_equal(og_store_put_if_absent(f->s, "fp/new", "m", 1, &err), OG_EEXISTS);
  assert_int_equal(og_fp_hits(OG_FP_STORE_PIA_AFTER_LINK), 1);
  og_fp_reset();
  og_buf_dispose(&b);
}

/*==================== allocation failures ====================*/

/* Fail the Nth allocation of one operation for N = 1, 2, ... until the
 * operation no longer allocates past N: each run must return OG_OK or
 * OG_ENOMEM, leak nothing (ASan), and leave a consistent store. */
typedef og_status (*oom_op)(fx *f, int round, og_error *err);

static og_status op_put(fx *f, int round, og_error *err) {
  char key[32];
  snprintf(key, sizeof key, "oom/put/%d", round);
  og_status rc = og_store_put(f->s, key, "value", 5, err);
  og_store_put(f->s, "oom/same", "v2", 2, err);
  return rc;
}
static og_status op_pia(fx *f, int round, og_error *err) {
  char key[32];
  snprintf(key, sizeof key, "oom/pia/%d", round);
  return og_store_put_if_absent(f->s, key, "value", 5, err);
}
static og_status op_get(fx *f, int round, og_error *err) {
  og_buf b = OG_BUF_INIT;
  og_status rc = og_store_get(f->s, "oom/base", &b, err);
  if (rc == OG_OK && strcmp(b.ptr, "base") != 0) rc = OG_ERROR;
  og_buf_clear(&b);
  if (rc == OG_OK) rc = og_store_get_range(f->s, "oom/base", 1, 2, &b, err);
  og_buf_dispose(&b);
  return rc;
}
static og_status op_list(fx *f, int round, og_error *err) {
  og_keylist l = {NULL, 0};
  og_status rc = og_store_list(f->s, "", &l, err);
  if (rc == OG_OK && l.count < 11) rc = OG_ERROR;
  og_keylist_dispose(&l);
  return rc;
}
static og_status op_open(fx *f, int round, og_error *err) {
  og_store *m = NULL, *w = NULL;
  og_status rc = og_store_open(&m, "memory://oom", true, err);
  if (rc == OG_OK) rc = og_store_open_fault(&w, f->s, err);
  og_store_free(w);
  og_store_free(m);
  og_store_memory_drop("oom");
  if (rc == OG_OK && f->dir) {
    rc = og_store_open_posix(&m, f->dir, false, err);
    og_store_free(m);
  }
  return rc;
}

static void test_alloc_failures(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  fx_put_str(f->s, "oom/base", "base");
  for (int i = 0; i < 10; i++) {
    char key[32];
    snprintf(key, sizeof key, "oom/l/%d", i);
    fx_put_str(f->s, key, "x");
  }
  static const oom_op ops[] = {op_put, op_pia, op_get, op_list, op_open};
  for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
    bool done = false;
    for (int n = 1; n < 500 && !done; n++) {
      long before = og_alloc_failures();
      og_alloc_fail_after(n, false);
      og_status rc = ops[o](f, n, &err);
      og_alloc_fail_after(0, false);
      bool failed_alloc = og_alloc_failures() != before;
      if (rc != OG_OK && rc != OG_ENOMEM) fail_msg("op %zu n=%d: %s (%s)", o, n, og_status_name(rc), err.message);
      if (!failed_alloc) {
        assert_int_equal(rc, OG_OK);
        done = true;
      }
    }
    assert_true(done);
  }
  fx_expect_str(f->s, "oom/base", "base");
  fx_expect_str(f->s, "oom/same", "v2");
}

/* Log keys on posix: kept in segment files of 256 slots, one append and one
 * fdatasync per create; a torn last record reads as absent, damage anywhere
 * else is OG_ECORRUPT (docs/store.md "Log segments"). */
static void flip_byte(const char *path, uint64_t at) {
  int fd = open(path, O_RDWR);
  assert_true(fd >= 0);
  unsigned char c = 0;
  assert_int_equal(pread(fd, &c, 1, (off_t)at), 1);
  c ^= 0x10;
  assert_int_equal(pwrite(fd, &c, 1, (off_t)at), 1);
  close(fd);
}

static size_t count_files(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.' || strncmp(e->d_name, ".seq-", 5) == 0;
  closedir(d);
  return n;
}

#define LK(n) "log/a@1/000000000000000000" #n

static void test_posix_log_segments(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  char seg[4300], path[4300];
  uint64_t off = 0, len = 0, size = 0;
  og_fp_reset();
  OG_ASSERT_OK(og_store_put_if_absent(f->s, LK(01), "one", 3, &err), &err);
  og_store_stats st;
  og_store_stats_reset(f->s);
  OG_ASSERT_OK(og_store_put_if_absent(f->s, LK(02), "two", 3, &err), &err);
  og_store_stats_get(f->s, &st);
  assert_int_equal(st.fsyncs, 1); /* one fdatasync, no file, no directory flush */
  assert_int_equal(og_store_put_if_absent(f->s, LK(02), "2", 1, &err), OG_EEXISTS);
  fx_expect_str(f->s, LK(02), "two");
  snprintf(seg, sizeof seg, "%s/log/a@1", f->dir);
  assert_int_equal(count_files(seg), 1); /* the segment only */
  static const char *const both[] = {LK(01), LK(02)};
  expect_list(f->s, "log/", both, 2);
  expect_list(f->s, LK(0), both, 2);
  static const char *const first[] = {LK(01)};
  expect_list(f->s, LK(01), first, 1);
  OG_ASSERT_OK(og_store_head(f->s, LK(02), &size, &err), &err);
  assert_int_equal(size, 3);
  og_buf_clear(&b);
  OG_ASSERT_OK(og_store_get_range(f->s, LK(02), 1, 10, &b, &err), &err);
  assert_string_equal(b.ptr, "wo");
  /* segment names are reserved: never a key */
  assert_int_equal(og_store_put(f->s, "log/a@1/.seq-00000000000000000000", "x", 1, &err), OG_EINVAL);

  /* a torn last record (its slot reached the disk, its bytes did not) is
   * as if never written, and the key can be created again */
  og_test_log_record(f->dir, LK(02), path, sizeof path, &off, &len);
  flip_byte(path, off + 1);
  assert_int_equal(og_store_get(f->s, LK(02), &b, &err), OG_ENOTFOUND);
  assert_int_equal(og_store_head(f->s, LK(02), &size, &err), OG_ENOTFOUND);
  expect_list(f->s, "log/", first, 1);
  OG_ASSERT_OK(og_store_put_if_absent(f->s, LK(02), "again", 5, &err), &err);
  fx_expect_str(f->s, LK(02), "again");
  /* a damaged record that is not the last one is corruption */
  og_test_log_record(f->dir, LK(01), path, sizeof path, &off, &len);
  flip_byte(path, off);
  assert_int_equal(og_store_get(f->s, LK(01), &b, &err), OG_ECORRUPT);
  assert_non_null(strstr(err.message, "checksum"));
  assert_int_equal(og_store_get_range(f->s, LK(01), 0, 1, &b, &err), OG_ECORRUPT);
  flip_byte(path, off);
  fx_expect_str(f->s, LK(01), "one");
  /* a damaged slot fails readers of that slot and every writer */
  flip_byte(path, 64 + 1 * 32 + 3);
  assert_int_equal(og_store_get(f->s, LK(01), &b, &err), OG_ECORRUPT);
  fx_expect_str(f->s, LK(02), "again");
  assert_int_equal(og_store_put_if_absent(f->s, LK(03), "3", 1, &err), OG_ECORRUPT);
  flip_byte(path, 64 + 1 * 32 + 3);

  /* failpoints: before the slot nothing is visible; before the flush it is */
  OG_ASSERT_OK(og_fp_configure("store.put_if_absent.before_link=error", &err), &err);
  assert_int_equal(og_store_put_if_absent(f->s, LK(03), "3", 1, &err), OG_EIO);
  assert_int_equal(og_store_get(f->s, LK(03), &b, &err), OG_ENOTFOUND);
  OG_ASSERT_OK(og_fp_configure("store.put_if_absent.before_link=off;store.put_if_absent.before_sync=error", &err), &err);
  assert_int_equal(og_store_put_if_absent(f->s, LK(03), "three", 5, &err), OG_EIO);
  fx_expect_str(f->s, LK(03), "three");
  assert_int_equal(og_fp_hits(OG_FP_STORE_PIA_BEFORE_SYNC), 1);
  og_fp_reset();

  /* delete, then create again; put replaces */
  OG_ASSERT_OK(og_store_delete(f->s, LK(03), &err), &err);
  assert_int_equal(og_store_get(f->s, LK(03), &b, &err), OG_ENOTFOUND);
  OG_ASSERT_OK(og_store_delete(f->s, LK(03), &err), &err);
  OG_ASSERT_OK(og_store_delete(f->s, "log/none@1/00000000000000000001", &err), &err);
  OG_ASSERT_OK(og_store_put_if_absent(f->s, LK(03), "3rd", 3, &err), &err);
  fx_put_str(f->s, LK(03), "replaced");
  fx_expect_str(f->s, LK(03), "replaced");

  /* records past the preallocated room, and across segments */
  og_buf big = OG_BUF_INIT;
  char key[64];
  for (int i = 4; i < 300; i++) {
    og_buf_clear(&big);
    for (int k = 0; k < 700 + i * 3; k++) og_buf_putc(&big, (char)('a' + (i + k) % 26));
    snprintf(key, sizeof key, "log/a@1/%020d", i);
    OG_ASSERT_OK(og_store_put_if_absent(f->s, key, big.ptr, big.len, &err), &err);
  }
  for (int i = 4; i < 300; i += 37) {
    og_buf_clear(&big);
    for (int k = 0; k < 700 + i * 3; k++) og_buf_putc(&big, (char)('a' + (i + k) % 26));
    snprintf(key, sizeof key, "log/a@1/%020d", i);
    fx_expect(f->s, key, big.ptr, big.len);
  }
  og_buf_dispose(&big);
  assert_int_equal(count_files(seg), 2);
  /* the last record of a segment that has a successor cannot be torn (the
   * successor's first create flushed it first): damage */
  og_test_log_record(f->dir, "log/a@1/00000000000000000255", path, sizeof path, &off, &len);
  flip_byte(path, off + 2);
  assert_int_equal(og_store_get(f->s, "log/a@1/00000000000000000255", &b, &err), OG_ECORRUPT);
  assert_int_equal(og_store_put_if_absent(f->s, "log/a@1/00000000000000000255", "x", 1, &err),
                   OG_ECORRUPT);
  flip_byte(path, off + 2);
  /* the first create in a segment makes the directory entry and the
   * previous segment durable: record, directory, previous segment */
  og_store_stats_reset(f->s);
  snprintf(path, sizeof path, "%s/log/a@1/.seq-00000000000000000512", f->dir);
  OG_ASSERT_OK(og_store_put_if_absent(f->s, "log/a@1/00000000000000000600", "x", 1, &err), &err);
  og_store_stats_get(f->s, &st);
  assert_int_equal(st.fsyncs, 4); /* segment file, its directory, previous segment, record */
  /* a segment made by someone else who did not flush its directory yet */
  snprintf(path, sizeof path, "%s/log/a@1/.seq-00000000000000000768", f->dir);
  snprintf(seg, sizeof seg, "%s/log/a@1/.seq-00000000000000000512", f->dir);
  size_t n = 0;
  char *copy = og_test_read_file(seg, &n);
  assert_non_null(copy);
  memset(copy + 64, 0, 256 * 32); /* empty slots */
  og_put_u64le((uint8_t *)copy + 8, 768);
  og_put_u64le((uint8_t *)copy + 56, XXH3_64bits(copy, 56));
  FILE *sf = fopen(path, "wb");
  assert_int_equal(fwrite(copy, 1, n, sf), n);
  fclose(sf);
  og_free(copy);
  og_store_stats_reset(f->s);
  OG_ASSERT_OK(og_store_put_if_absent(f->s, "log/a@1/00000000000000000770", "y", 1, &err), &err);
  og_store_stats_get(f->s, &st);
  assert_int_equal(st.fsyncs, 3); /* directory, previous segment, record */
  fx_expect_str(f->s, "log/a@1/00000000000000000770", "y");
  snprintf(seg, sizeof seg, "%s/log/a@1", f->dir);
  /* a path component that is an object: the shape error of plain keys */
  fx_put_str(f->s, "log/obj", "x");
  assert_int_equal(og_store_put_if_absent(f->s, "log/obj/00000000000000000001", "x", 1, &err), OG_EINVAL);
  assert_int_equal(og_store_get(f->s, "log/obj/00000000000000000001", &b, &err), OG_ENOTFOUND);
  /* a file named like a log key is not one */
  snprintf(path, sizeof path, "%s/log/a@1/00000000000000000007", f->dir);
  FILE *lf = fopen(path, "w");
  fputs("old layout", lf);
  fclose(lf);
  og_keylist l = {NULL, 0};
  OG_ASSERT_OK(og_store_list(f->s, "log/a@1/", &l, &err), &err);
  assert_int_equal(l.count, 301);
  assert_string_equal(l.keys[298], "log/a@1/00000000000000000299");
  assert_string_equal(l.keys[300], "log/a@1/00000000000000000770");
  og_keylist_dispose(&l);
  /* a file where a segment should be is not one */
  snprintf(path, sizeof path, "%s/log/b@1", f->dir);
  assert_int_equal(mkdir(path, 0755), 0);
  snprintf(path, sizeof path, "%s/log/b@1/.seq-00000000000000000000", f->dir);
  FILE *fp = fopen(path, "w");
  fputs("not a segment", fp);
  fclose(fp);
  assert_int_equal(og_store_get(f->s, "log/b@1/00000000000000000001", &b, &err), OG_ECORRUPT);
  assert_int_equal(og_store_list(f->s, "log/b@1/", &l, &err), OG_ECORRUPT);
  og_buf_dispose(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      FX_TEST(test_roundtrip),
      FX_TEST(test_range_and_head),
      FX_TEST(test_put_if_absent),
      FX_TEST(test_list),
      FX_TEST(test_delete),
      FX_TEST(test_invalid_keys),
      FX_TEST(test_missing),
      FX_TEST(test_big_objects),
      FX_TEST(test_counters),
      FX_TEST(test_refcount_and_describe),
      FX_TEST(test_alloc_failures),
      FX_TEST(test_put_hint),
      cmocka_unit_test(test_open_uris),
      cmocka_unit_test(test_memory_registry),
      FX_POSIX_TEST(test_posix_temp_files),
      FX_POSIX_TEST(test_posix_shape_conflicts),
      FX_POSIX_TEST(test_posix_failpoints),
      FX_POSIX_TEST(test_posix_log_segments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
