/* Slice keys ("<key>#<off>+<len>") and the pack wrapper (held-back objects). */
#include "store_fixture.h"

static void test_slice_keys(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  const char *body = "0123456789abcdef";
  OG_ASSERT_OK(og_store_put(f->s, "log/m/1", body, 16, &err), &err);

  /* syntax */
  size_t bl = 0;
  uint64_t off = 0, len = 0;
  assert_true(og_store_slice_parse("log/m/1#4+6", &bl, &off, &len));
  assert_int_equal(bl, 7);
  assert_int_equal(off, 4);
  assert_int_equal(len, 6);
  const char *bad[] = {"log/m/1#", "log/m/1#4", "log/m/1#4+", "log/m/1#+4", "log/m/1#04+1",
                       "log/m/1#4+01", "log/m/1#-1+2", "#4+6", "log//m#1+2", "log/m/1#1+2#3+4",
                       "log/m/1#99999999999999999999+1", "log/m/1#1+2x"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    assert_false(og_store_slice_parse(bad[i], NULL, NULL, NULL));
    assert_false(og_store_key_valid(bad[i]));
  }
  assert_true(og_store_key_valid("log/m/1#0+0"));
  assert_false(og_store_key_plain("log/m/1#0+0"));
  assert_false(og_store_key_plain("a#b"));

  /* reads */
  og_buf b = OG_BUF_INIT;
  OG_ASSERT_OK(og_store_get(f->s, "log/m/1#4+6", &b, &err), &err);
  assert_int_equal(b.len, 6);
  assert_memory_equal(b.ptr, "456789", 6);
  og_buf_clear(&b);
  OG_ASSERT_OK(og_store_get_range(f->s, "log/m/1#4+6", 2, 100, &b, &err), &err);
  assert_int_equal(b.len, 4); /* clipped to the slice */
  assert_memory_equal(b.ptr, "6789", 4);
  og_buf_clear(&b);
  OG_ASSERT_OK(og_store_get_range(f->s, "log/m/1#4+6", 6, 1, &b, &err), &err);
  assert_int_equal(b.len, 0);
  uint64_t sz = 0;
  OG_ASSERT_OK(og_store_head(f->s, "log/m/1#4+6", &sz, &err), &err);
  assert_int_equal(sz, 6);

  /* a slice past the end is corruption; a missing base is not found */
  og_buf_clear(&b);
  assert_int_equal(og_store_get(f->s, "log/m/1#10+7", &b, &err), OG_ECORRUPT);
  assert_non_null(strstr(err.message, "past the end"));
  assert_int_equal(b.len, 0);
  assert_int_equal(og_store_get(f->s, "log/m/2#0+1", &b, &err), OG_ENOTFOUND);

  /* slices are read-only names */
  assert_int_equal(og_store_put(f->s, "log/m/1#0+1", "x", 1, &err), OG_EINVAL);
  assert_int_equal(og_store_put_if_absent(f->s, "log/m/9#0+1", "x", 1, &err), OG_EINVAL);
  assert_int_equal(og_store_put_hint(f->s, "log/m/9#0+1", "x", 1, &err), OG_EINVAL);
  assert_int_equal(og_store_delete(f->s, "log/m/1#0+1", &err), OG_EINVAL);
  assert_int_equal(og_store_put(f->s, "a#b", "x", 1, &err), OG_EINVAL);
  og_keylist kl = {0};
  OG_ASSERT_OK(og_store_list(f->s, "log/", &kl, &err), &err);
  assert_int_equal(kl.count, 1);
  og_keylist_dispose(&kl);
  og_buf_dispose(&b);
}

typedef struct hold_ctx {
  size_t max_bytes;
  int creates;
  og_status fail_create;
} hold_ctx;

static bool hold_small(void *ctx, const char *key, size_t len, size_t held) {
  hold_ctx *h = ctx;
  return og_str_startswith(key, "t/") && held + len <= h->max_bytes;
}

static og_status before_create(void *ctx, og_error *err) {
  hold_ctx *h = ctx;
  h->creates++;
  if (h->fail_create) return og_err_set(err, h->fail_create, "refused");
  return OG_OK;
}

static void test_pack(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  hold_ctx hc = {10, 0, OG_OK};
  og_pack_opts o = {hold_small, before_create, &hc};
  og_store *p = NULL;
  OG_ASSERT_OK(og_store_put(f->s, "t/x/old", "base", 4, &err), &err);
  OG_ASSERT_OK(og_store_open_pack(&p, f->s, &o, &err), &err);
  assert_non_null(strstr(og_store_describe(p), "pack("));
  assert_ptr_equal(og_store_pack_base(p), f->s);
  assert_ptr_equal(og_store_pack_base(f->s), f->s);

  /* held: readable through the pack only, no create reached the base */
  OG_ASSERT_OK(og_store_put(p, "t/x/a", "hello", 5, &err), &err);
  OG_ASSERT_OK(og_store_put_if_absent(p, "t/x/b", "wor", 3, &err), &err);
  assert_int_equal(og_store_put_if_absent(p, "t/x/b", "zz", 2, &err), OG_EEXISTS);
  assert_int_equal(hc.creates, 0);
  assert_false(og_store_pack_created(p));
  assert_int_equal(og_store_pack_held_bytes(p), 8);
  fx_expect(p, "t/x/a", "hello", 5);
  og_buf b = OG_BUF_INIT;
  OG_ASSERT_OK(og_store_get_range(p, "t/x/a", 1, 3, &b, &err), &err);
  assert_memory_equal(b.ptr, "ell", 3);
  uint64_t sz = 0;
  OG_ASSERT_OK(og_store_head(p, "t/x/b", &sz, &err), &err);
  assert_int_equal(sz, 3);
  assert_int_equal(og_store_head(f->s, "t/x/a", &sz, &err), OG_ENOTFOUND);
  const void *data = NULL;
  size_t len = 0;
  assert_true(og_store_pack_held(p, "t/x/a", &data, &len));
  assert_int_equal(len, 5);
  assert_memory_equal(data, "hello", 5);
  assert_false(og_store_pack_held(p, "t/x/old", NULL, NULL));
  assert_false(og_store_pack_held(f->s, "t/x/a", NULL, NULL));
  /* base objects are read through */
  fx_expect(p, "t/x/old", "base", 4);

  /* over the budget (or not wanted): created in the base, after the hook */
  OG_ASSERT_OK(og_store_put(p, "t/x/big", "0123456789", 10, &err), &err);
  assert_int_equal(hc.creates, 1);
  OG_ASSERT_OK(og_store_put(p, "other/k", "v", 1, &err), &err);
  assert_int_equal(hc.creates, 1); /* once */
  fx_expect(f->s, "t/x/big", "0123456789", 10);
  fx_expect(f->s, "other/k", "v", 1);
  og_keylist kl = {0};
  OG_ASSERT_OK(og_store_list(p, "t/", &kl, &err), &err);
  assert_int_equal(kl.count, 2); /* t/x/big, t/x/old: held objects are not listed */
  og_keylist_dispose(&kl);

  /* delete drops a held object, forwards the rest */
  OG_ASSERT_OK(og_store_delete(p, "t/x/a", &err), &err);
  assert_false(og_store_pack_held(p, "t/x/a", NULL, NULL));
  assert_int_equal(og_store_pack_held_bytes(p), 3);
  og_buf_clear(&b);
  assert_int_equal(og_store_get(p, "t/x/a", &b, &err), OG_ENOTFOUND);
  OG_ASSERT_OK(og_store_delete(p, "t/x/big", &err), &err);
  assert_int_equal(og_store_head(f->s, "t/x/big", &sz, &err), OG_ENOTFOUND);

  /* hints pass through without the hook */
  OG_ASSERT_OK(og_store_put_hint(p, "head/x", "h", 1, &err), &err);
  fx_expect(f->s, "head/x", "h", 1);
  og_buf_dispose(&b);
  og_store_free(p);
}

static void test_pack_hook_failure(void **state) {
  fx *f = *state;
  og_error err = OG_ERROR_INIT;
  hold_ctx hc = {0, 0, OG_EIO};
  og_pack_opts o = {hold_small, before_create, &hc};
  og_store *p = NULL;
  OG_ASSERT_OK(og_store_open_pack(&p, f->s, &o, &err), &err);
  assert_int_equal(og_store_put(p, "t/x/a", "hello", 5, &err), OG_EIO);
  uint64_t sz = 0;
  assert_int_equal(og_store_head(f->s, "t/x/a", &sz, &err), OG_ENOTFOUND);
  hc.fail_create = OG_OK;
  OG_ASSERT_OK(og_store_pack_ensure_created(p, &err), &err);
  assert_int_equal(hc.creates, 2);
  OG_ASSERT_OK(og_store_put(p, "t/x/a", "hello", 5, &err), &err);
  assert_int_equal(hc.creates, 2);
  og_store_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      FX_TEST(test_slice_keys),
      FX_TEST(test_pack),
      FX_TEST(test_pack_hook_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
