/*
 * test_params.c — JSON parameter binding (spec/languages.md §7; cases P02–P12
 * of spec/cases/languages-cases.md), every declared type and every error.
 */
#include <stdio.h>
#include <string.h>

#include "og_test.h"
#include "lang/query.h"

static og_qfile *g_file;

static const og_qdecl *decl(const char *params) {
  char src[1024];
  snprintf(src, sizeof src, "query q(%s) { match { $p: Person } return { $p.name } }", params);
  og_qfile_free(g_file);
  g_file = NULL;
  og_error err = OG_ERROR_INIT;
  if (og_qfile_parse(src, strlen(src), &g_file, &err) != OG_OK) fail_msg("parse: %s", err.message);
  return &g_file->decls[0];
}

static og_qparams *bind_ok(const char *params, const char *json, og_qbind_mode mode) {
  og_qparams *p = NULL;
  og_error err = OG_ERROR_INIT;
  og_status rc = og_qparams_bind(decl(params), json, json ? strlen(json) : 0, mode, &p, &err);
  if (rc != OG_OK) fail_msg("bind (%s) %s: %s", params, json ? json : "(null)", err.message);
  return p;
}

static void bind_err(const char *id, const char *params, const char *json, og_qbind_mode mode, const char *needle,
                     bool exact) {
  og_qparams *p = NULL;
  og_error err = OG_ERROR_INIT;
  og_status rc = og_qparams_bind(decl(params), json, strlen(json), mode, &p, &err);
  if (rc != OG_EINVAL) fail_msg("[%s] expected OG_EINVAL, got %d", id, rc);
  assert_null(p);
  if (exact ? strcmp(err.message, needle) != 0 : strstr(err.message, needle) == NULL)
    fail_msg("[%s] expected '%s', got '%s'", id, needle, err.message);
}

static void test_p02_p06_nulls(void **state) {
  (void)state;
  og_qparams *p = bind_ok("$name: String, $bio: String?", "{\"name\":\"Alice\"}", OG_QBIND_STANDARD); /* P02 */
  assert_int_equal(og_qparams_get(p, "name")->kind, OG_QV_STRING);
  assert_string_equal(og_qparams_get(p, "name")->s, "Alice");
  assert_int_equal(og_qparams_get(p, "bio")->kind, OG_QV_NULL);
  og_qparams_free(p);
  p = bind_ok("$name: String, $bio: String?", "{\"name\":\"Alice\",\"bio\":null}", OG_QBIND_STANDARD); /* P03 */
  assert_int_equal(og_qparams_get(p, "bio")->kind, OG_QV_NULL);
  og_qparams_free(p);
  p = bind_ok("$bio: String?", "{\"bio\":\"hello\"}", OG_QBIND_STANDARD); /* P05 */
  assert_string_equal(og_qparams_get(p, "bio")->s, "hello");
  og_qparams_free(p);
  p = bind_ok("", "{\"extra\":null}", OG_QBIND_STANDARD); /* P06 */
  assert_int_equal(og_qparams_get(p, "extra")->kind, OG_QV_NULL);
  og_qparams_free(p);
  /* §7.1: absent / null params: nullable declared params bind to null */
  p = bind_ok("$bio: String?", NULL, OG_QBIND_STANDARD);
  assert_int_equal(og_qparams_get(p, "bio")->kind, OG_QV_NULL);
  og_qparams_free(p);
  p = bind_ok("$bio: String?", " null ", OG_QBIND_STANDARD);
  assert_int_equal(og_qparams_get(p, "bio")->kind, OG_QV_NULL);
  assert_null(og_qparams_get(p, "nope"));
  og_qparams_free(p);
  bind_err("P03 non-nullable null", "$name: String", "{\"name\":null}", OG_QBIND_STANDARD,
           "param 'name': null is not accepted for non-nullable parameter", true);
  /* recommended fix (§5.11): a missing required param is an error at bind time */
  bind_err("missing required", "$name: String, $age: I32?", "{\"age\":3}", OG_QBIND_STANDARD,
           "parameter 'name' not provided", true);
  bind_err("missing required (no params object)", "$name: String", "null", OG_QBIND_STANDARD,
           "parameter 'name' not provided", true);
}

static void test_p08_p09_modes(void **state) {
  (void)state;
  bind_err("P08", "", "[\"nope\"]", OG_QBIND_STANDARD, "params must be a JSON object", true);
  bind_err("P08 js", "", "[\"nope\"]", OG_QBIND_JS, "params must be an object, got array", true);
  bind_err("P09", "$id: U64", "{\"id\": 9007199254740992}", OG_QBIND_JS,
           "param 'id': integer 9007199254740992 exceeds JS safe integer range; pass a decimal string for exact values",
           true);
  og_qparams *p = bind_ok("$id: U64", "{\"id\": \"9007199254740993\"}", OG_QBIND_JS);
  assert_int_equal(og_qparams_get(p, "id")->i, 9007199254740993LL);
  og_qparams_free(p);
  p = bind_ok("$n: I32", "{\"n\": 5.0}", OG_QBIND_JS); /* JS: integral floats are integers */
  assert_int_equal(og_qparams_get(p, "n")->i, 5);
  og_qparams_free(p);
  bind_err("JS got", "$n: I32", "{\"n\": true}", OG_QBIND_JS, "param 'n': expected integer, got boolean", true);
  bind_err("bad json", "", "{", OG_QBIND_STANDARD, "params must be valid JSON", false);
}

static void test_every_type(void **state) {
  (void)state;
  og_qparams *p = bind_ok(
      "$s: String, $b: Bool, $i: I32, $l: I64, $u: U32, $w: U64, $f: F32, $g: F64, $d: Date, $t: DateTime, "
      "$blob: Blob, $tags: [String], $ns: [I32], $v: Vector(3), $o: I64?",
      "{\"s\":\"x\",\"b\":true,\"i\":-5,\"l\":\"-9000000000\",\"u\":\"7\",\"w\":9223372036854775807,\"f\":1.5,\"g\":2,"
      "\"d\":\"2024-02-29\",\"t\":\"2026-02-14T10:00:00+01:00\",\"blob\":\"base64:AAE=\",\"tags\":[\"a\",\"b\"],"
      "\"ns\":[1,\"2\"],\"v\":[1,2,3]}",
      OG_QBIND_STANDARD);
  assert_int_equal(og_qparams_get(p, "s")->kind, OG_QV_STRING);
  assert_true(og_qparams_get(p, "b")->b);
  assert_int_equal(og_qparams_get(p, "i")->i, -5);
  assert_int_equal(og_qparams_get(p, "l")->i, -9000000000LL);
  assert_int_equal(og_qparams_get(p, "u")->i, 7);
  assert_int_equal(og_qparams_get(p, "w")->i, INT64_MAX);
  assert_true(og_qparams_get(p, "f")->f == 1.5);
  assert_int_equal(og_qparams_get(p, "g")->kind, OG_QV_FLOAT);
  assert_true(og_qparams_get(p, "g")->f == 2.0);
  assert_int_equal(og_qparams_get(p, "d")->kind, OG_QV_DATE);
  assert_int_equal(og_qparams_get(p, "d")->i, 19782); /* 2024-02-29 */
  assert_int_equal(og_qparams_get(p, "t")->kind, OG_QV_DATETIME);
  assert_int_equal(og_qparams_get(p, "t")->i, 1771059600000LL); /* 09:00Z */
  assert_string_equal(og_qparams_get(p, "blob")->s, "base64:AAE=");
  assert_int_equal(og_qparams_get(p, "tags")->n_items, 2);
  assert_int_equal(og_qparams_get(p, "ns")->items[1].i, 2);
  const og_qval *v = og_qparams_get(p, "v"); /* P11 */
  assert_int_equal(v->kind, OG_QV_LIST);
  assert_int_equal(v->n_items, 3);
  assert_int_equal(v->items[2].kind, OG_QV_FLOAT);
  assert_true(v->items[2].f == 3.0);
  assert_int_equal(og_qparams_get(p, "o")->kind, OG_QV_NULL);
  og_qparams_free(p);
}

static void test_type_errors(void **state) {
  (void)state;
  static const struct { const char *id, *params, *json, *msg; } rows[] = {
      {"§7 String", "$x: String", "{\"x\":5}", "param 'x': expected string, got number"},
      {"§7 I32 float", "$x: I32", "{\"x\":1.5}", "param 'x': expected integer number"},
      {"§7 I32 string", "$x: I32", "{\"x\":\"abc\"}", "param 'x': expected integer string, got 'abc'"},
      {"§7 I32 other", "$x: I32", "{\"x\":true}", "param 'x': expected integer"},
      {"§7 I32 range", "$x: I32", "{\"x\":3000000000}", "param 'x': value 3000000000 exceeds I32"},
      {"§7 I32 range neg", "$x: I32", "{\"x\":-3000000000}", "param 'x': value -3000000000 exceeds I32"},
      {"§7 I64 float", "$x: I64", "{\"x\":2.5}", "param 'x': expected integer number"},
      {"§7 U32 neg", "$x: U32", "{\"x\":-1}", "param 'x': expected unsigned integer number"},
      {"§7 U32 string", "$x: U32", "{\"x\":\"-4\"}", "param 'x': expected unsigned integer string, got '-4'"},
      {"§7 U32 other", "$x: U32", "{\"x\":[]}", "param 'x': expected unsigned integer"},
      {"§7 U32 range", "$x: U32", "{\"x\":5000000000}", "param 'x': value 5000000000 exceeds U32"},
      {"§7 U64 range", "$x: U64", "{\"x\":18446744073709551615}",
       "param 'x': value 18446744073709551615 exceeds current engine range for U64 (max 9223372036854775807)"},
      {"§7 U64 range str", "$x: U64", "{\"x\":\"18446744073709551615\"}",
       "param 'x': value 18446744073709551615 exceeds current engine range for U64 (max 9223372036854775807)"},
      {"§7 F64", "$x: F64", "{\"x\":\"1.5\"}", "param 'x': expected float"},
      {"§7 Bool", "$x: Bool", "{\"x\":1}", "param 'x': expected boolean"},
      {"§7 Date", "$x: Date", "{\"x\":5}", "param 'x': expected date string"},
      {"§7 Date bad", "$x: Date", "{\"x\":\"2023-02-29\"}", "param 'x': invalid Date literal '2023-02-29'"},
      {"§7 DateTime", "$x: DateTime", "{\"x\":false}", "param 'x': expected datetime string"},
      {"§7 DateTime bad", "$x: DateTime", "{\"x\":\"yesterday\"}", "param 'x': invalid DateTime literal 'yesterday'"},
      {"§7 Blob", "$x: Blob", "{\"x\":5}", "param 'x': expected blob URI string, got number"},
      {"§7 list", "$x: [String]", "{\"x\":\"a\"}", "param 'x': expected array for [String]"},
      {"§7 list item", "$x: [I32]", "{\"x\":[1,\"z\"]}", "param 'x': expected integer string, got 'z'"},
      {"P11 vec type", "$q: Vector(3)", "{\"q\":\"abc\"}", "param 'q': expected array for Vector(3)"},
      {"P11 vec len", "$q: Vector(3)", "{\"q\":[1,2]}", "param 'q': expected 3 values for Vector(3), got 2"},
      {"P11 vec elem", "$q: Vector(3)", "{\"q\":[1,\"x\",3]}", "param 'q': vector element is not numeric"},
      {"P12 object", "", "{\"n\": 5, \"x\": 1.5, \"s\": \"a\", \"l\": [1, \"b\"], \"o\": {}}",
       "param 'o': object is not supported"},
  };
  for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
    bind_err(rows[k].id, rows[k].params, rows[k].json, OG_QBIND_STANDARD, rows[k].msg, true);
}

static void test_p12_inferred(void **state) {
  (void)state;
  og_qparams *p = bind_ok("", "{\"n\": 5, \"x\": 1.5, \"s\": \"a\", \"l\": [1, \"b\"], \"t\": true}", OG_QBIND_STANDARD);
  assert_int_equal(og_qparams_get(p, "n")->kind, OG_QV_INT);
  assert_int_equal(og_qparams_get(p, "x")->kind, OG_QV_FLOAT);
  assert_int_equal(og_qparams_get(p, "s")->kind, OG_QV_STRING);
  assert_int_equal(og_qparams_get(p, "l")->kind, OG_QV_LIST);
  assert_int_equal(og_qparams_get(p, "l")->items[1].kind, OG_QV_STRING);
  assert_int_equal(og_qparams_get(p, "t")->kind, OG_QV_BOOL);
  og_qparams_free(p);
}

static void test_now_and_calendar(void **state) {
  (void)state;
  og_qparams *p = bind_ok("", "{}", OG_QBIND_STANDARD);
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_qparams_set_now(p, 1771063200000ULL, &err), &err);
  const og_qval *v = og_qparams_get(p, OG_QNOW_PARAM);
  assert_int_equal(v->kind, OG_QV_DATETIME);
  assert_int_equal(v->i, 1771063200000LL);
  assert_string_equal(v->s, "2026-02-14T10:00:00.000Z");
  og_qparams_free(p);
  /* a caller-supplied clock wins (deterministic tests) */
  p = bind_ok("", "{\"__nanograph_now\":\"2020-01-01T00:00:00Z\"}", OG_QBIND_STANDARD);
  OG_ASSERT_OK(og_qparams_set_now(p, 1771063200000ULL, &err), &err);
  assert_int_equal(og_qparams_get(p, OG_QNOW_PARAM)->i, 1577836800000LL);
  og_qparams_free(p);

  int64_t x;
  assert_true(og_qparse_date("1970-01-01", 10, &x) && x == 0);
  assert_true(og_qparse_date("2026-02-14", 10, &x) && x == 20498);
  assert_true(og_qparse_date("1969-12-31", 10, &x) && x == -1);
  assert_false(og_qparse_date("2026-2-14", 9, &x));
  assert_false(og_qparse_date("2026-13-01", 10, &x));
  assert_false(og_qparse_date("1900-02-29", 10, &x));
  assert_true(og_qparse_date("2000-02-29", 10, &x));
  assert_true(og_qparse_datetime("2024-06-01T12:00:00Z", 20, &x) && x == 1717243200000LL);
  assert_true(og_qparse_datetime("2024-06-01T12:00:00.5Z", 22, &x) && x == 1717243200500LL);
  assert_true(og_qparse_datetime("2024-06-01T14:00:00+02:00", 25, &x) && x == 1717243200000LL);
  assert_true(og_qparse_datetime("2024-06-01", 10, &x) && x == 1717200000000LL);
  assert_false(og_qparse_datetime("2024-06-01T25:00:00Z", 20, &x));
  assert_false(og_qparse_datetime("2024-06-01T12:00:00Zjunk", 24, &x));

  /* literals → values */
  og_qfile *f = NULL;
  const char *src = "query q() { match { $p: P  $p.d = date(\"2026-02-30\") } return { $p } }";
  OG_ASSERT_OK(og_qfile_parse(src, strlen(src), &f, &err), &err);
  og_arena a;
  og_arena_init(&a, 0);
  og_qval out;
  assert_int_equal(og_qlit_value(&a, &f->decls[0].clauses[1].right->lit, &out, &err), OG_EINVAL);
  assert_string_equal(err.message, "invalid Date literal '2026-02-30'");
  og_arena_dispose(&a);
  og_qfile_free(f);
}

/* many keys bind in linear time */
static void test_many_keys(void **state) {
  (void)state;
  og_buf j = OG_BUF_INIT;
  og_buf_putc(&j, '{');
  for (int k = 0; k < 50000; k++) og_buf_printf(&j, "%s\"k%d\":%d", k ? "," : "", k, k);
  og_buf_puts(&j, ",\"k7\":\"last wins\"}");
  og_qparams *p = bind_ok("$k1: I64", j.ptr, OG_QBIND_STANDARD);
  assert_int_equal(p->n, 50000);
  assert_int_equal(og_qparams_get(p, "k1")->i, 1);
  assert_int_equal(og_qparams_get(p, "k49999")->i, 49999);
  og_qparams_free(p);
  og_buf_dispose(&j);
}

static void test_value_resolve(void **state) {
  (void)state;
  og_qfile *f = NULL;
  og_error err = OG_ERROR_INIT;
  const char *src = "query q($n: String, $o: I32?) { update P set { a: [1, 2], b: now(), c: $o, d: $zz } where n = $n }";
  OG_ASSERT_OK(og_qfile_parse(src, strlen(src), &f, &err), &err);
  og_qparams *p = NULL;
  OG_ASSERT_OK(og_qparams_bind(&f->decls[0], "{\"n\":\"x\"}", 9, OG_QBIND_STANDARD, &p, &err), &err);
  og_arena a;
  og_arena_init(&a, 0);
  const og_qmut *m = &f->decls[0].muts[0];
  og_qval v;
  OG_ASSERT_OK(og_qvalue_resolve(&m->pred_value, p, &a, &v, &err), &err);
  assert_string_equal(v.s, "x");
  OG_ASSERT_OK(og_qvalue_resolve(&m->assigns[0].value, p, &a, &v, &err), &err);
  assert_int_equal(v.kind, OG_QV_LIST);
  assert_int_equal(v.items[1].i, 2);
  assert_int_equal(og_qvalue_resolve(&m->assigns[1].value, p, &a, &v, &err), OG_EINVAL);
  assert_string_equal(err.message, "parameter '__nanograph_now' not provided");
  OG_ASSERT_OK(og_qparams_set_now(p, 86400000, &err), &err);
  OG_ASSERT_OK(og_qvalue_resolve(&m->assigns[1].value, p, &a, &v, &err), &err);
  assert_int_equal(v.kind, OG_QV_DATETIME);
  assert_int_equal(v.i, 86400000);
  OG_ASSERT_OK(og_qvalue_resolve(&m->assigns[2].value, p, &a, &v, &err), &err);
  assert_int_equal(v.kind, OG_QV_NULL);
  assert_int_equal(og_qvalue_resolve(&m->assigns[3].value, p, &a, &v, &err), OG_EINVAL);
  assert_string_equal(err.message, "parameter 'zz' not provided");
  og_arena_dispose(&a);
  og_qparams_free(p);
  og_qfile_free(f);
}

static int teardown(void **state) {
  (void)state;
  og_qfile_free(g_file);
  g_file = NULL;
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_p02_p06_nulls),   cmocka_unit_test(test_p08_p09_modes),
      cmocka_unit_test(test_every_type),      cmocka_unit_test(test_type_errors),
      cmocka_unit_test(test_p12_inferred),    cmocka_unit_test(test_now_and_calendar),
      cmocka_unit_test(test_many_keys),        cmocka_unit_test(test_value_resolve),
  };
  return cmocka_run_group_tests(tests, NULL, teardown);
}
