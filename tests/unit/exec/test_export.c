/* NDJSON export (data.md §6, cases E01/E04/E06) and value formatting. */
#include "query_fixture.h"

#include <math.h>

static og_status sink(void *ctx, const char *data, size_t len, og_error *err) {
  (void)err;
  return og_buf_put(ctx, data, len);
}

static og_status export_main(xq *x, const char *schema, const char *const *types, size_t nt,
                             const char *const *tables, size_t nk, og_buf *out, og_error *err) {
  og_snapshot *snap = NULL;
  og_status rc = og_graph_snapshot(x->g, "main", 0, &snap, err);
  if (!rc)
    rc = og_exec_export(snap, x->cat, schema, schema ? strlen(schema) : 0, types, nt, tables, nk, sink, out, err);
  og_snapshot_free(snap);
  return rc;
}

static void test_e01_format_order_encodings(void **state) {
  (void)state;
  xq x;
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  xq_init(&x, XQ_TEST_SCHEMA);
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
              "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\"}}\n"
              "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Bob\",\"data\":{\"id\":\"k1\",\"since\":\"2024-06-15\"}}\n");
  OG_ASSERT_OK(export_main(&x, XQ_TEST_SCHEMA, NULL, 0, NULL, 0, &b, &err), &err);
  assert_string_equal(b.ptr,
                      "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Bob\",\"data\":{\"id\":\"k1\",\"since\":19889}}\n"
                      "{\"type\":\"Person\",\"data\":{\"id\":\"Alice\",\"name\":\"Alice\",\"age\":null}}\n"
                      "{\"type\":\"Person\",\"data\":{\"id\":\"Bob\",\"name\":\"Bob\",\"age\":25}}\n");
  /* without the schema source: catalog order (properties sorted) */
  og_buf_clear(&b);
  const char *only[] = {"node:Person"};
  OG_ASSERT_OK(export_main(&x, NULL, NULL, 0, only, 1, &b, &err), &err);
  assert_string_equal(b.ptr, "{\"type\":\"Person\",\"data\":{\"id\":\"Alice\",\"age\":null,\"name\":\"Alice\"}}\n"
                             "{\"type\":\"Person\",\"data\":{\"id\":\"Bob\",\"age\":25,\"name\":\"Bob\"}}\n");
  og_buf_dispose(&b);
  xq_dispose(&x);
}

static void test_e06_selection_and_errors(void **state) {
  (void)state;
  xq x;
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  xq_init(&x, XQ_TEST_SCHEMA);
  xq_load(&x, XQ_TEST_DATA);
  const char *knows[] = {"Knows"};
  OG_ASSERT_OK(export_main(&x, XQ_TEST_SCHEMA, knows, 1, NULL, 0, &b, &err), &err);
  size_t lines = 0;
  for (size_t i = 0; i < b.len; i++) lines += b.ptr[i] == '\n';
  assert_int_equal(lines, 3);
  assert_null(strstr(b.ptr, "\"type\""));
  og_buf_clear(&b);
  const char *two[] = {"Person", "WorksAt"};
  OG_ASSERT_OK(export_main(&x, XQ_TEST_SCHEMA, two, 2, NULL, 0, &b, &err), &err);
  assert_true(strncmp(b.ptr, "{\"edge\":\"WorksAt\"", 17) == 0);
  assert_non_null(strstr(b.ptr, "{\"type\":\"Person\",\"data\":{\"id\":\"Diana\",\"name\":\"Diana\",\"age\":28}}\n"));
  assert_null(strstr(b.ptr, "Company"));
  /* type and table selections overlap: each table once */
  og_buf_clear(&b);
  const char *tk[] = {"edge:WorksAt"};
  const char *ty[] = {"WorksAt"};
  OG_ASSERT_OK(export_main(&x, XQ_TEST_SCHEMA, ty, 1, tk, 1, &b, &err), &err);
  lines = 0;
  for (size_t i = 0; i < b.len; i++) lines += b.ptr[i] == '\n';
  assert_int_equal(lines, 2);
  const char *bad[] = {"knows"};
  assert_int_equal(export_main(&x, XQ_TEST_SCHEMA, bad, 1, NULL, 0, &b, &err), OG_ENOTFOUND);
  assert_string_equal(err.message, "unknown export type 'knows'");
  const char *badt[] = {"node:Nope"};
  assert_int_equal(export_main(&x, XQ_TEST_SCHEMA, NULL, 0, badt, 1, &b, &err), OG_ENOTFOUND);
  assert_string_equal(err.message, "unknown export table 'node:Nope'");
  og_buf_dispose(&b);
  xq_dispose(&x);
}

static void test_value_encodings(void **state) {
  (void)state;
  const char *schema =
      "node Doc { title: String @key  content: Blob?  score: F64?  ratio: F32?  at: DateTime?  on: Date?  "
      "tags: [String]?  nums: [I64]?  v: Vector(3)?  flag: Bool?  big: U64? }\n";
  xq x;
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  xq_init(&x, schema);
  xq_load(&x,
          "{\"type\":\"Doc\",\"data\":{\"title\":\"readme\",\"content\":\"base64:SGVsbG8=\",\"score\":100,\"ratio\":0.1,"
          "\"at\":\"2024-01-15T08:30:00.5Z\",\"on\":\"2024-06-15\",\"tags\":[\"a\",\"b\"],\"nums\":[1,-2],\"v\":[0.25,0.5,1],"
          "\"flag\":false,\"big\":9223372036854775807}}\n"
          "{\"type\":\"Doc\",\"data\":{\"title\":\"empty\",\"score\":1e21,\"at\":\"2024-01-15T08:30:00Z\"}}\n"
          "{\"type\":\"Doc\",\"data\":{\"title\":\"ext\",\"content\":\"s3://bucket/key.bin\",\"score\":37.5}}\n");
  OG_ASSERT_OK(export_main(&x, schema, NULL, 0, NULL, 0, &b, &err), &err);
  assert_string_equal(
      b.ptr,
      "{\"type\":\"Doc\",\"data\":{\"id\":\"empty\",\"title\":\"empty\",\"content\":null,\"score\":1e21,\"ratio\":null,"
      "\"at\":\"2024-01-15T08:30:00\",\"on\":null,\"tags\":null,\"nums\":null,\"v\":null,\"flag\":null,\"big\":null}}\n"
      "{\"type\":\"Doc\",\"data\":{\"id\":\"ext\",\"title\":\"ext\",\"content\":\"s3://bucket/key.bin\",\"score\":37.5,"
      "\"ratio\":null,\"at\":null,\"on\":null,\"tags\":null,\"nums\":null,\"v\":null,\"flag\":null,\"big\":null}}\n"
      "{\"type\":\"Doc\",\"data\":{\"id\":\"readme\",\"title\":\"readme\",\"content\":\"base64:SGVsbG8=\",\"score\":100.0,"
      "\"ratio\":0.10000000149011612,\"at\":\"2024-01-15T08:30:00.500\",\"on\":19889,\"tags\":[\"a\",\"b\"],"
      "\"nums\":[1,-2],\"v\":[0.25,0.5,1.0],\"flag\":false,\"big\":9223372036854775807}}\n");
  og_buf_dispose(&b);
  xq_dispose(&x);
}

static void test_formatting(void **state) {
  (void)state;
  struct { double d; const char *want; } f[] = {
      {30, "30.0"}, {37.5, "37.5"}, {100, "100.0"}, {1e21, "1e21"}, {1e16, "1e16"},
      {1234567890123456.0, "1234567890123456.0"}, {0.1, "0.1"}, {(double)0.1f, "0.10000000149011612"},
      {1e-7, "1e-7"}, {1.5e-7, "1.5e-7"}, {0.00012, "0.00012"}, {-2.5, "-2.5"}, {0, "0.0"},
      {123456.789, "123456.789"}, {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e308"}};
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    char out[40];
    og_fmt_f64(f[i].d, out);
    if (strcmp(out, f[i].want)) fail_msg("%.17g: got %s want %s", f[i].d, out, f[i].want);
  }
  char d[40];
  og_fmt_date(19889, d);
  assert_string_equal(d, "2024-06-15");
  og_fmt_date(-1, d);
  assert_string_equal(d, "1969-12-31");
  og_fmt_datetime(-1, d);
  assert_string_equal(d, "1969-12-31T23:59:59.999Z");
  og_fmt_datetime(1771063200000, d);
  assert_string_equal(d, "2026-02-14T10:00:00.000Z");
  /* mixed numeric comparisons */
  og_xval i30 = {.kind = OG_XV_INT, .v.i = 30}, f305 = {.kind = OG_XV_FLOAT, .v.f = 30.5},
          umax = {.kind = OG_XV_UINT, .v.u = UINT64_MAX}, neg = {.kind = OG_XV_INT, .v.i = -1},
          nul = {.kind = OG_XV_NULL}, f30 = {.kind = OG_XV_FLOAT, .v.f = 30.0};
  int c;
  assert_true(og_xval_cmp(&i30, &f305, &c) && c < 0);
  assert_true(og_xval_cmp(&f305, &i30, &c) && c > 0);
  assert_true(og_xval_cmp(&i30, &f30, &c) && c == 0);
  assert_true(og_xval_cmp(&umax, &neg, &c) && c > 0);
  assert_true(og_xval_cmp(&neg, &umax, &c) && c < 0);
  assert_false(og_xval_cmp(&nul, &i30, &c));
  assert_true(og_xval_order(&nul, &i30) < 0);
  og_buf b = OG_BUF_INIT;
  og_xval nan = {.kind = OG_XV_FLOAT, .v.f = NAN};
  og_xval_json(&b, &nan);
  og_xval_json(&b, &umax);
  assert_string_equal(b.ptr, "\"NaN\"18446744073709551615");
  og_buf_dispose(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_e01_format_order_encodings),
      cmocka_unit_test(test_e06_selection_and_errors),
      cmocka_unit_test(test_value_encodings),
      cmocka_unit_test(test_formatting),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
