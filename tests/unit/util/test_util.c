/* Unit tests for src/util: errors, buffers, cursors, arena, maps, ULID, failpoints. */
#include "og_test.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_errors(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  assert_int_equal(og_err_set(&e, OG_ECONFLICT, "table %s", "node:Person"), OG_ECONFLICT);
  assert_string_equal(e.message, "table node:Person");
  og_err_prefix(&e, "commit");
  assert_string_equal(e.message, "commit: table node:Person");
  og_err_set_pos(&e, OG_EPARSE, 3, 7, "bad token");
  assert_int_equal(e.line, 3);
  assert_int_equal(e.column, 7);
  assert_int_equal(og_status_http(OG_ECONFLICT), 409);
  assert_int_equal(og_status_http(OG_EPARSE), 400);
  assert_int_equal(og_status_http(OG_ENOTFOUND), 404);
  assert_string_equal(og_status_name(OG_ENOTFOUND), "not_found");
  assert_int_equal(og_err_set(NULL, OG_EIO, "x"), OG_EIO); /* NULL error object is fine */
}

static void test_buf_and_cursor(void **state) {
  (void)state;
  og_buf b = OG_BUF_INIT;
  og_buf_puts(&b, "ab");
  og_buf_printf(&b, "%d-%s", 42, "x");
  assert_string_equal(b.ptr, "ab42-x");
  og_buf_clear(&b);
  og_buf_put_u32le(&b, 0xdeadbeef);
  og_buf_put_u64le(&b, 0x0102030405060708ULL);
  og_buf_put_varint(&b, 300);
  og_buf_put_varint(&b, UINT64_MAX);
  og_cursor c;
  og_cursor_init(&c, b.ptr, b.len);
  assert_int_equal(og_cursor_u32le(&c), 0xdeadbeef);
  assert_true(og_cursor_u64le(&c) == 0x0102030405060708ULL);
  assert_int_equal(og_cursor_varint(&c), 300);
  assert_true(og_cursor_varint(&c) == UINT64_MAX);
  assert_false(c.bad);
  og_cursor_u8(&c);
  assert_true(c.bad); /* reading past the end is sticky, never out of bounds */
  og_buf_clear(&b);
  og_buf_put_json_str(&b, "a\"b\n\x01", 5);
  assert_string_equal(b.ptr, "\"a\\\"b\\n\\u0001\"");
  og_buf_dispose(&b);
  og_buf_dispose(&b); /* twice is fine */
}

static void test_arena(void **state) {
  (void)state;
  og_arena a;
  og_arena_init(&a, 256);
  char *big = og_arena_alloc(&a, 100000);
  memset(big, 1, 100000);
  for (int i = 0; i < 1000; i++) {
    char *s = og_arena_printf(&a, "item-%d", i);
    assert_non_null(s);
    assert_true(((uintptr_t)s & 15) == 0);
  }
  assert_string_equal(og_arena_strdup(&a, "hello"), "hello");
  og_arena_dispose(&a);
  og_arena_dispose(&a);
}

static void test_map(void **state) {
  (void)state;
  og_map m = OG_MAP_INIT;
  char key[32];
  for (long i = 0; i < 20000; i++) {
    snprintf(key, sizeof key, "k%ld", i);
    assert_int_equal(og_map_sput(&m, key, (void *)(i + 1)), OG_OK);
  }
  assert_int_equal(m.count, 20000);
  for (long i = 0; i < 20000; i += 2) {
    snprintf(key, sizeof key, "k%ld", i);
    assert_true(og_map_remove(&m, key, strlen(key), NULL));
  }
  for (long i = 0; i < 20000; i++) {
    void *v = NULL;
    snprintf(key, sizeof key, "k%ld", i);
    bool found = og_map_sget(&m, key, &v);
    assert_int_equal(found, i % 2 == 1);
    if (found) assert_true((long)v == i + 1);
  }
  size_t pos = 0, n = 0;
  while (og_map_next(&m, &pos)) n++;
  assert_int_equal(n, 10000);
  og_map_dispose(&m);

  og_u64map u = OG_U64MAP_INIT;
  for (uint64_t i = 0; i < 50000; i++) og_u64map_put(&u, i * 7919, i);
  uint64_t v;
  assert_true(og_u64map_get(&u, 7919 * 123, &v));
  assert_int_equal(v, 123);
  assert_false(og_u64map_get(&u, 5, &v));
  og_u64map_dispose(&u);
}

static void test_hashes(void **state) {
  (void)state;
  /* FNV-1a 64 of "a" is a published test vector */
  assert_true(og_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cULL);
  char hex[65];
  og_sha256_hex("abc", 3, hex);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_ulid(void **state) {
  (void)state;
  char prev[OG_ULID_LEN + 1] = "";
  for (int i = 0; i < 10000; i++) {
    char u[OG_ULID_LEN + 1];
    assert_int_equal(og_ulid_new(u), OG_OK);
    assert_true(og_ulid_valid(u));
    assert_true(strcmp(u, prev) > 0); /* monotonic */
    strcpy(prev, u);
  }
  /* a block: consecutive ids by og_ulid_incr, then og_ulid_new continues
   * after the block (never inside it); incr carries across chars */
  for (int round = 0; round < 200; round++) {
    char b[OG_ULID_LEN + 1];
    assert_int_equal(og_ulid_new_block(b, 1000), OG_OK);
    assert_true(strcmp(b, prev) > 0);
    for (int i = 0; i < 1000; i++) {
      assert_true(og_ulid_valid(b));
      assert_true(i == 0 || strcmp(b, prev) > 0);
      strcpy(prev, b);
      og_ulid_incr(b);
    }
  }
  {
    char c[OG_ULID_LEN + 1] = "01ARZ3NDEKTSV4RRFFQ69G5FAZ";
    og_ulid_incr(c);
    assert_string_equal(c, "01ARZ3NDEKTSV4RRFFQ69G5FB0");
    strcpy(c, "01ARZ3NDEKTSV4RRFFQ69G5F9Z");
    og_ulid_incr(c);
    assert_string_equal(c, "01ARZ3NDEKTSV4RRFFQ69G5FA0");
    strcpy(c, "01ARZ3NDEKTSV4RRFFQ69G5FHZ");
    og_ulid_incr(c);
    assert_string_equal(c, "01ARZ3NDEKTSV4RRFFQ69G5FJ0");
  }
  uint64_t now = og_now_ms();
  uint64_t t = og_ulid_time_ms(prev);
  assert_true(t <= now && now - t < 60000);
  assert_false(og_ulid_valid("not-a-ulid"));
  char ts[32];
  og_time_format_rfc3339(0, ts);
  /* forked children do not repeat each other's (or the parent's) ULIDs */
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  for (int k = 0; k < 4; k++) {
    if (fork() == 0) {
      char c[OG_ULID_LEN + 1];
      og_ulid_new(c);
      if (write(fds[1], c, OG_ULID_LEN) != OG_ULID_LEN) _exit(1);
      _exit(0);
    }
  }
  char kids[4][OG_ULID_LEN + 1];
  for (int k = 0; k < 4; k++) {
    size_t got = 0;
    while (got < OG_ULID_LEN) {
      ssize_t r = read(fds[0], kids[k] + got, OG_ULID_LEN - got);
      assert_true(r > 0);
      got += (size_t)r;
    }
    kids[k][OG_ULID_LEN] = 0;
    wait(NULL);
  }
  for (int x = 0; x < 4; x++)
    for (int y = x + 1; y < 4; y++) assert_string_not_equal(kids[x], kids[y]);
  close(fds[0]);
  close(fds[1]);
  assert_string_equal(ts, "1970-01-01T00:00:00.000Z");
}

static void test_utf8(void **state) {
  (void)state;
  assert_true(og_utf8_valid("h\xc3\xa9llo \xf0\x9f\x98\x80", 11));
  assert_false(og_utf8_valid("\xc3", 1));
  assert_false(og_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
  assert_false(og_utf8_valid("\xc0\xaf", 2));     /* overlong */
  assert_true(og_str_ieq("WorksAt", "worksat"));
}

static void test_alloc_fail(void **state) {
  (void)state;
  og_alloc_fail_after(2, false);
  void *a = og_malloc(10);
  void *b = og_malloc(10);
  void *c = og_malloc(10);
  assert_non_null(a);
  assert_null(b);
  assert_non_null(c);
  og_free(a);
  og_free(c);
  og_alloc_fail_after(0, false);
  og_buf buf = OG_BUF_INIT;
  og_alloc_fail_after(1, false);
  assert_int_equal(og_buf_puts(&buf, "x"), OG_ENOMEM);
  assert_int_equal(og_buf_puts(&buf, "y"), OG_ENOMEM); /* sticky */
  og_alloc_fail_after(0, false);
  og_buf_dispose(&buf);
}

static void test_failpoints(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_fp_reset();
  assert_int_equal(OG_FAILPOINT(OG_FP_UTIL_SELFTEST, &e), OG_OK);
  assert_int_equal(og_fp_configure("util.selftest=error(conflict)", &e), OG_OK);
  assert_int_equal(og_fp_hit(OG_FP_UTIL_SELFTEST, &e), OG_ECONFLICT);
  assert_non_null(strstr(e.message, "util.selftest"));
  assert_int_equal(og_fp_configure("util.selftest=error@2", &e), OG_OK);
  assert_int_equal(og_fp_hit(OG_FP_UTIL_SELFTEST, &e), OG_OK);
  assert_int_equal(og_fp_hit(OG_FP_UTIL_SELFTEST, &e), OG_EIO);
  assert_int_equal(og_fp_hit(OG_FP_UTIL_SELFTEST, &e), OG_OK);
  assert_int_equal(og_fp_hits(OG_FP_UTIL_SELFTEST), 3);
  assert_int_equal(og_fp_configure("nope=error", &e), OG_EINVAL);
  assert_int_equal(og_fp_configure("util.selftest=explode", &e), OG_EINVAL);
  /* crash: _exit with the documented status in a child */
  pid_t pid = fork();
  if (pid == 0) {
    og_fp_configure("util.selftest=crash", NULL);
    og_fp_hit(OG_FP_UTIL_SELFTEST, NULL);
    _exit(0);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), OG_FP_CRASH_EXIT);
  og_fp_reset();
  assert_int_equal(og_fp_hit(OG_FP_UTIL_SELFTEST, &e), OG_OK);
}

/* docs/failpoints.md lists exactly the catalogue (scripts/gen-failpoints-doc.sh). */
static void test_failpoint_docs(void **state) {
  (void)state;
  char *doc = og_test_read_file(og_test_source_path("docs/failpoints.md"), NULL);
  assert_non_null(doc);
  size_t rows = 0;
  for (const char *p = doc; (p = strstr(p, "\n| `")); p++) rows++;
  for (int i = 0; i < OG_FP__COUNT; i++) {
    char line[1024];
    snprintf(line, sizeof line, "| `%s` | %s |", og_fp_name((og_fp_id)i), og_fp_outcome((og_fp_id)i));
    if (!strstr(doc, line))
      fail_msg("docs/failpoints.md lacks '%s' (run scripts/gen-failpoints-doc.sh)", line);
  }
  if (rows != OG_FP__COUNT)
    fail_msg("docs/failpoints.md has %zu rows, the catalogue %d (run scripts/gen-failpoints-doc.sh)", rows,
             (int)OG_FP__COUNT);
  og_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_errors),   cmocka_unit_test(test_buf_and_cursor),
      cmocka_unit_test(test_arena),    cmocka_unit_test(test_map),
      cmocka_unit_test(test_hashes),   cmocka_unit_test(test_ulid),
      cmocka_unit_test(test_utf8),     cmocka_unit_test(test_alloc_fail),
      cmocka_unit_test(test_failpoints),  cmocka_unit_test(test_failpoint_docs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
