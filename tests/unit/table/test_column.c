/* Table layer: in-memory columns and batches (builders, readers, selection). */
#include "tt.h"

static void test_builders_and_rules(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_column c;
  og_colspec i32 = {"x", OG_COL_I32, 0, 0, false};
  assert_int_equal(og_column_init(&c, &i32), OG_OK);
  OG_ASSERT_OK(og_column_push_int(&c, -5, &e), &e);
  OG_ASSERT_OK(og_column_push_uint(&c, 7, &e), &e);
  assert_int_equal(og_column_push_int(&c, 1ll << 40, &e), OG_EINVAL);
  assert_int_equal(og_column_push_null(&c, &e), OG_ECONSTRAINT);
  assert_int_equal(og_column_push_f64(&c, 1.5, &e), OG_ETYPE);
  assert_int_equal(og_column_push_bytes(&c, "a", 1, &e), OG_ETYPE);
  assert_int_equal(c.count, 2);
  assert_int_equal(og_column_get_i64(&c, 0), -5);
  assert_int_equal(og_column_get_i64(&c, 1), 7);
  og_column_dispose(&c);

  og_colspec u64 = {"u", OG_COL_U64, 0, 0, true};
  assert_int_equal(og_column_init(&c, &u64), OG_OK);
  OG_ASSERT_OK(og_column_push_uint(&c, UINT64_MAX, &e), &e);
  assert_int_equal(og_column_push_int(&c, -1, &e), OG_EINVAL);
  OG_ASSERT_OK(og_column_push_null(&c, &e), &e);
  assert_int_equal(og_column_get_u64(&c, 0), UINT64_MAX);
  assert_true(og_column_is_null(&c, 1));
  assert_false(og_column_is_null(&c, 0));
  assert_int_equal(c.null_count, 1);
  og_column_dispose(&c);

  og_colspec str = {"s", OG_COL_STRING, 0, 0, true};
  assert_int_equal(og_column_init(&c, &str), OG_OK);
  assert_int_equal(og_column_push_bytes(&c, "\xff\xfe", 2, &e), OG_EINVAL); /* not UTF-8 */
  OG_ASSERT_OK(og_column_push_bytes(&c, "h\xc3\xa9llo", 6, &e), &e);
  OG_ASSERT_OK(og_column_push_bytes(&c, "", 0, &e), &e);
  OG_ASSERT_OK(og_column_push_null(&c, &e), &e);
  size_t n;
  const char *p = og_column_get_bytes(&c, 0, &n);
  assert_int_equal(n, 6);
  assert_memory_equal(p, "h\xc3\xa9llo", 6);
  og_column_get_bytes(&c, 1, &n);
  assert_int_equal(n, 0);
  assert_false(og_column_is_null(&c, 1));
  assert_true(og_column_is_null(&c, 2));
  og_column_dispose(&c);

  og_colspec vec = {"v", OG_COL_VECTOR, 0, 3, false};
  assert_int_equal(og_column_init(&c, &vec), OG_OK);
  float v3[3] = {1, 2, 3};
  assert_int_equal(og_column_push_vector(&c, v3, 2, &e), OG_EINVAL);
  OG_ASSERT_OK(og_column_push_vector(&c, v3, 3, &e), &e);
  assert_true(og_column_get_vector(&c, 0)[2] == 3.0f);
  og_column_dispose(&c);

  og_colspec lst = {"l", OG_COL_LIST, OG_COL_STRING, 0, false};
  assert_int_equal(og_column_init(&c, &lst), OG_OK);
  assert_int_equal(og_column_push_bytes(&c, "x", 1, &e), OG_EINVAL); /* outside list */
  OG_ASSERT_OK(og_column_list_begin(&c, &e), &e);
  OG_ASSERT_OK(og_column_push_bytes(&c, "ab", 2, &e), &e);
  OG_ASSERT_OK(og_column_push_bytes(&c, "", 0, &e), &e);
  assert_int_equal(og_column_push_int(&c, 1, &e), OG_ETYPE);
  OG_ASSERT_OK(og_column_list_end(&c, &e), &e);
  OG_ASSERT_OK(og_column_list_begin(&c, &e), &e);
  OG_ASSERT_OK(og_column_list_end(&c, &e), &e);
  assert_int_equal(c.count, 2);
  assert_int_equal(og_column_list_len(&c, 0), 2);
  assert_int_equal(og_column_list_len(&c, 1), 0);
  p = og_column_list_get_bytes(&c, 0, 0, &n);
  assert_int_equal(n, 2);
  assert_memory_equal(p, "ab", 2);
  og_column_dispose(&c);
}

static void test_take_and_batch(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_batch b, d;
  tt_make_batch(&b, 0, 50, 3);
  og_table_schema s = tt_schema();
  OG_ASSERT_OK(og_batch_init(&d, &s, &e), &e);
  /* copy rows in reverse via push_from */
  for (size_t r = 50; r-- > 0;)
    for (size_t j = 0; j < TT_NCOLS; j++) OG_ASSERT_OK(og_column_push_from(&d.cols[j], &b.cols[j], r, &e), &e);
  OG_ASSERT_OK(og_batch_check(&d, &e), &e);
  assert_int_equal(og_batch_rows(&d), 50);
  for (size_t r = 0; r < 50; r++)
    for (size_t j = 0; j < TT_NCOLS; j++) assert_true(tt_check_cell(&d.cols[j], r, j, 49 - r, 3));
  /* a ragged batch fails the check; clear makes it reusable */
  OG_ASSERT_OK(og_column_push_bytes(&d.cols[0], "x", 1, &e), &e);
  assert_int_equal(og_batch_check(&d, &e), OG_EINVAL);
  og_batch_clear(&d);
  assert_int_equal(og_batch_rows(&d), 0);
  tt_push_row(&d, 9, 1);
  for (size_t j = 0; j < TT_NCOLS; j++) assert_true(tt_check_cell(&d.cols[j], 0, j, 9, 1));
  uint32_t proj[] = {3, 0};
  og_batch pb;
  OG_ASSERT_OK(og_batch_init_cols(&pb, &s, proj, 2, &e), &e);
  assert_int_equal(og_batch_find(&pb, 0), 1);
  assert_int_equal(og_batch_find(&pb, 5), -1);
  og_batch_dispose(&pb);
  og_batch_dispose(&b);
  og_batch_dispose(&d);
  og_batch_dispose(&d); /* idempotent */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_builders_and_rules),
      cmocka_unit_test(test_take_and_batch),
  };
  return cmocka_run_group_tests_name("table.column", tests, NULL, NULL);
}
