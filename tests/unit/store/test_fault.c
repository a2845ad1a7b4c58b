/* The fault-injecting wrapper: each kind surfaces its documented code and
 * leaves the documented state behind; countdown, persistence, key filters,
 * and crash faults in a forked child. Runs over posix and memory. */
#include "store_fixture.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* The fixture's store wrapped; the wrapper is the handle under test. */
static og_store *wrap(fx *f) {
  og_store *w = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_open_fault(&w, f->s, &err), &err);
  return w;
}

static void arm(og_store *w, uint32_t ops, og_fault_kind kind, uint64_t countdown, bool persistent) {
  og_fault_spec spec = {.ops = ops, .countdown = countdown, .persistent = persistent, .kind = kind};
  og_store_fault_arm(w, &spec);
}

static void test_passthrough(void **state) {
  fx *f = *state;
  og_store *w = wrap(f);
  og_error err = OG_ERROR_INIT;
  fx_put_str(w, "p/a", "1");
  fx_expect_str(f->s, "p/a", "1");
  fx_expect_str(w, "p/a", "1");
  assert_int_equal(og_store_put_if_absent(w, "p/a", "2", 1, &err), OG_EEXISTS);
  assert_true(og_str_startswith(og_store_describe(w), "fault("));
  assert_int_equal(og_store_fault_fired(w), 0);
  /* the wrapper holds its own reference to the inner store */
  og_store *inner = og_store_ref(f->s);
  og_store_free(w);
  fx_expect_str(inner, "p/a", "1");
  og_store_free(inner);
  /* arming a non-fault store is a harmless no-op */
  arm(f->s, OG_STORE_OP_ALL, OG_FAULT_EIO, 1, true);
  og_store_fault_disarm(f->s);
  assert_int_equal(og_store_fault_fired(f->s), 0);
  fx_expect_str(f->s, "p/a", "1");
}

static void test_eio_and_enospc(void **state) {
  fx *f = *state;
  og_store *w = wrap(f);
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  fx_put_str(w, "k", "old");

  arm(w, OG_STORE_OP_PUT, OG_FAULT_EIO, 1, false);
  assert_int_equal(og_store_put(w, "k", "new", 3, &err), OG_EIO);
  assert_int_equal(err.code, OG_EIO);
  assert_non_null(strstr(err.message, "'k'"));
  assert_int_equal(og_store_fault_fired(w), 1);
  fx_expect_str(w, "k", "old"); /* one-shot: it disarmed itself */

  arm(w, OG_STORE_OP_WRITES, OG_FAULT_ENOSPC, 1, true);
  assert_int_equal(og_store_put(w, "k", "new", 3, &err), OG_EFULL);
  assert_int_equal(og_store_put_if_absent(w, "k2", "new", 3, &err), OG_EFULL);
  assert_int_equal(og_store_delete(w, "k", &err), OG_EFULL);
  og_store_fault_disarm(w);
  fx_expect_str(w, "k", "old");
  assert_int_equal(og_store_get(w, "k2", &b, &err), OG_ENOTFOUND);
  assert_int_equal(og_store_fault_fired(w), 4);

  /* read faults: nothing returned, the caller's buffer untouched */
  arm(w, OG_STORE_OP_GET | OG_STORE_OP_GET_RANGE | OG_STORE_OP_HEAD | OG_STORE_OP_LIST,
      OG_FAULT_EIO, 1, true);
  og_buf_puts(&b, "keep");
  assert_int_equal(og_store_get(w, "k", &b, &err), OG_EIO);
  assert_int_equal(og_store_get_range(w, "k", 0, 1, &b, &err), OG_EIO);
  assert_string_equal(b.ptr, "keep");
  uint64_t size = 7;
  assert_int_equal(og_store_head(w, "k", &size, &err), OG_EIO);
  og_keylist l = {NULL, 0};
  assert_int_equal(og_store_list(w, "", &l, &err), OG_EIO);
  assert_null(l.keys);
  og_store_fault_disarm(w);
  OG_ASSERT_OK(og_store_head(w, "k", &size, &err), &err);
  assert_int_equal(size, 3);
  og_buf_dispose(&b);
  og_store_free(w);
}

static void test_torn(void **state) {
  fx *f = *state;
  og_store *w = wrap(f);
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  fx_put_str(w, "torn/x", "previous value");
  og_fault_spec spec = {.ops = OG_STORE_OP_PUT, .countdown = 1, .kind = OG_FAULT_TORN, .torn_bytes = 4};
  og_store_fault_arm(w, &spec);
  assert_int_equal(og_store_put(w, "torn/x", "0123456789", 10, &err), OG_EIO);
  assert_non_null(strstr(err.message, "torn"));
  /* the raw device really holds a prefix of the new bytes */
  fx_expect_str(w, "torn/x", "0123");
  fx_expect_str(f->s, "torn/x", "0123");

  /* put_if_absent torn: a short object appears */
  spec.ops = OG_STORE_OP_PUT_IF_ABSENT;
  spec.torn_bytes = 2;
  og_store_fault_arm(w, &spec);
  assert_int_equal(og_store_put_if_absent(w, "torn/y", "abcdef", 6, &err), OG_EIO);
  fx_expect_str(w, "torn/y", "ab");
  /* ... but on an existing key nothing is written and the truth is told */
  og_store_fault_arm(w, &spec);
  assert_int_equal(og_store_put_if_absent(w, "torn/y", "zzzzzz", 6, &err), OG_EEXISTS);
  fx_expect_str(w, "torn/y", "ab");
  og_store_fault_disarm(w);

  /* torn_bytes larger than the value: the whole value lands, still EIO */
  spec.ops = OG_STORE_OP_PUT;
  spec.torn_bytes = 1000;
  og_store_fault_arm(w, &spec);
  assert_int_equal(og_store_put(w, "torn/z", "full", 4, &err), OG_EIO);
  fx_expect_str(w, "torn/z", "full");
  /* TORN on a read behaves as EIO */
  spec.ops = OG_STORE_OP_GET;
  og_store_fault_arm(w, &spec);
  assert_int_equal(og_store_get(w, "torn/z", &b, &err), OG_EIO);
  assert_int_equal(b.len, 0);
  og_buf_dispose(&b);
  og_store_free(w);
}

static void test_after(void **state) {
  fx *f = *state;
  og_store *w = wrap(f);
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  arm(w, OG_STORE_OP_PUT_IF_ABSENT, OG_FAULT_AFTER, 1, false);
  assert_int_equal(og_store_put_if_absent(w, "log/1", "commit", 6, &err), OG_EIO);
  assert_non_null(strstr(err.message, "outcome unknown"));
  /* the create took effect: re-reading tells the truth */
  fx_expect_str(w, "log/1", "commit");
  assert_int_equal(og_store_put_if_absent(w, "log/1", "again", 5, &err), OG_EEXISTS);

  /* AFTER on a put_if_absent that loses reports the real EEXISTS */
  arm(w, OG_STORE_OP_PUT_IF_ABSENT, OG_FAULT_AFTER, 1, false);
  assert_int_equal(og_store_put_if_absent(w, "log/1", "again", 5, &err), OG_EEXISTS);
  assert_int_equal(og_store_fault_fired(w), 2);

  arm(w, OG_STORE_OP_PUT, OG_FAULT_AFTER, 1, false);
  assert_int_equal(og_store_put(w, "log/1", "replaced", 8, &err), OG_EIO);
  fx_expect_str(w, "log/1", "replaced");

  arm(w, OG_STORE_OP_DELETE, OG_FAULT_AFTER, 1, false);
  assert_int_equal(og_store_delete(w, "log/1", &err), OG_EIO);
  assert_int_equal(og_store_get(w, "log/1", &b, &err), OG_ENOTFOUND);

  /* AFTER on a read: the read ran (counted inside) but nothing is returned */
  fx_put_str(w, "r", "data");
  og_store_stats st;
  og_store_stats_reset(f->s);
  arm(w, OG_STORE_OP_GET, OG_FAULT_AFTER, 1, false);
  assert_int_equal(og_store_get(w, "r", &b, &err), OG_EIO);
  assert_int_equal(b.len, 0);
  og_store_stats_get(f->s, &st);
  assert_int_equal(st.gets, 1);
  og_buf_dispose(&b);
  og_store_free(w);
}

static void test_countdown_persistent_filter(void **state) {
  fx *f = *state;
  og_store *w = wrap(f);
  og_error err = OG_ERROR_INIT;
  char key[32];

  /* the 3rd matching op fails, only it */
  arm(w, OG_STORE_OP_PUT, OG_FAULT_EIO, 3, false);
  for (int i = 1; i <= 6; i++) {
    snprintf(key, sizeof key, "c/%d", i);
    og_status rc = og_store_put(w, key, "v", 1, &err);
    assert_int_equal(rc, i == 3 ? OG_EIO : OG_OK);
  }
  assert_int_equal(og_store_fault_fired(w), 1);

  /* persistent from the 2nd on; other ops do not count toward the countdown */
  arm(w, OG_STORE_OP_PUT, OG_FAULT_EIO, 2, true);
  og_buf b = OG_BUF_INIT;
  OG_ASSERT_OK(og_store_get(w, "c/1", &b, &err), &err);
  OG_ASSERT_OK(og_store_put(w, "d/1", "v", 1, &err), &err);
  for (int i = 2; i <= 5; i++) {
    snprintf(key, sizeof key, "d/%d", i);
    assert_int_equal(og_store_put(w, key, "v", 1, &err), OG_EIO);
  }
  assert_int_equal(og_store_fault_fired(w), 5);
  og_store_fault_disarm(w);
  OG_ASSERT_OK(og_store_put(w, "d/6", "v", 1, &err), &err);

  /* key filter: only keys containing "log/" are hit */
  og_fault_spec spec = {.ops = OG_STORE_OP_ALL, .countdown = 1, .persistent = true,
                        .kind = OG_FAULT_EIO, .key_substr = "log/"};
  char filter[8];
  strcpy(filter, "log/");
  spec.key_substr = filter;
  og_store_fault_arm(w, &spec);
  strcpy(filter, "xxx"); /* the wrapper copied it */
  OG_ASSERT_OK(og_store_put(w, "t/frag", "v", 1, &err), &err);
  assert_int_equal(og_store_put(w, "log/main/1", "v", 1, &err), OG_EIO);
  assert_int_equal(og_store_get(w, "log/main/1", &b, &err), OG_EIO);
  og_keylist l = {NULL, 0};
  assert_int_equal(og_store_list(w, "log/", &l, &err), OG_EIO);
  OG_ASSERT_OK(og_store_list(w, "t/", &l, &err), &err);
  assert_int_equal(l.count, 1);
  og_keylist_dispose(&l);
  og_store_fault_disarm(w);
  assert_int_equal(og_store_get(w, "log/main/1", &b, &err), OG_ENOTFOUND);

  /* re-arming resets the countdown */
  arm(w, OG_STORE_OP_PUT, OG_FAULT_EIO, 2, false);
  OG_ASSERT_OK(og_store_put(w, "e/1", "v", 1, &err), &err);
  arm(w, OG_STORE_OP_PUT, OG_FAULT_EIO, 2, false);
  OG_ASSERT_OK(og_store_put(w, "e/2", "v", 1, &err), &err);
  assert_int_equal(og_store_put(w, "e/3", "v", 1, &err), OG_EIO);
  og_buf_dispose(&b);
  og_store_free(w);
}

/* A crash fault kills the process before the op: the parent sees the state
 * as it was. Only meaningful for posix (a memory store dies with the child). */
static void test_crash_in_child(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  fx_put_str(f->s, "cr/obj", "before");
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    og_store *s = NULL, *w = NULL;
    og_error e = OG_ERROR_INIT;
    if (og_store_open_posix(&s, f->dir, false, &e) || og_store_open_fault(&w, s, &e)) _exit(2);
    if (og_store_put(w, "cr/other", "x", 1, &e)) _exit(3);
    og_fault_spec spec = {.ops = OG_STORE_OP_PUT, .countdown = 1, .kind = OG_FAULT_CRASH};
    og_store_fault_arm(w, &spec);
    og_store_put(w, "cr/obj", "after", 5, &e);
    _exit(4); /* not reached */
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), OG_FP_CRASH_EXIT);
  fx_expect_str(f->s, "cr/obj", "before");
  fx_expect_str(f->s, "cr/other", "x");

  /* a crash failpoint between temp write and link leaves the key absent and
   * only temp garbage behind, which list ignores and sweep removes */
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    og_store *s = NULL;
    og_error e = OG_ERROR_INIT;
    if (og_store_open_posix(&s, f->dir, false, &e)) _exit(2);
    if (og_fp_configure("store.put_if_absent.before_link=crash", &e)) _exit(3);
    og_store_put_if_absent(s, "cr/pia", "never", 5, &e);
    _exit(4);
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), OG_FP_CRASH_EXIT);
  og_buf b = OG_BUF_INIT;
  assert_int_equal(og_store_get(f->s, "cr/pia", &b, &err), OG_ENOTFOUND);
  og_keylist l = {NULL, 0};
  OG_ASSERT_OK(og_store_list(f->s, "cr/", &l, &err), &err);
  assert_int_equal(l.count, 2);
  og_keylist_dispose(&l);
  size_t removed = 0;
  OG_ASSERT_OK(og_store_sweep_temp(f->s, 0, &removed, &err), &err);
  assert_int_equal(removed, 1);

  /* crash after the link: the object is there and complete */
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    og_store *s = NULL;
    og_error e = OG_ERROR_INIT;
    if (og_store_open_posix(&s, f->dir, false, &e)) _exit(2);
    if (og_fp_configure("store.put_if_absent.after_link=crash", &e)) _exit(3);
    og_store_put_if_absent(s, "cr/pia", "landed", 6, &e);
    _exit(4);
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_int_equal(WEXITSTATUS(status), OG_FP_CRASH_EXIT);
  fx_expect_str(f->s, "cr/pia", "landed");
  OG_ASSERT_OK(og_store_sweep_temp(f->s, 0, &removed, &err), &err);
  assert_int_equal(removed, 0);

  /* crash before the rename of a put: the old bytes stay */
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    og_store *s = NULL;
    og_error e = OG_ERROR_INIT;
    if (og_store_open_posix(&s, f->dir, false, &e)) _exit(2);
    if (og_fp_configure("store.put.before_rename=crash", &e)) _exit(3);
    og_store_put(s, "cr/obj", "after", 5, &e);
    _exit(4);
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_int_equal(WEXITSTATUS(status), OG_FP_CRASH_EXIT);
  fx_expect_str(f->s, "cr/obj", "before");
  og_buf_dispose(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      FX_TEST(test_passthrough),
      FX_TEST(test_eio_and_enospc),
      FX_TEST(test_torn),
      FX_TEST(test_after),
      FX_TEST(test_countdown_persistent_filter),
      FX_POSIX_TEST(test_crash_in_child),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
