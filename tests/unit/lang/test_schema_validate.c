/* Write-time conversion and validators (spec/languages.md §2.9,
 * spec/data.md §2.5–§2.7; cases M20, M21, M23, M24). */
#include "og_test.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lang/schema.h"

static const char *SCHEMA =
    "node Person { name: String @key  age: I32?  role: enum(admin, guest, member)?  tags: [String]?\n"
    "  @range(age, 0..120) }\n"
    "node Order { code: String @key  @check(code, \"^[A-Z]{3}-[0-9]+$\") }\n"
    "node User { name: String @key  email: String?  @unique(email) }\n"
    "node M { t: F64?  n: U32?  big: I64?  d: Date?  dt: DateTime?  v: Vector(3)?  b: Blob?  ok: Bool?\n"
    "  s: [String]?  w: [I32]?  @range(t, -40.0..60.5) }\n"
    "node R { s: String?  i: String?  @check(s, \"\\\\d{2}x\")  @check(i, \"(?i)^ab+$\") }\n"
    "node Bad { s: String?  @check(s, \"a(b\") }\n"
    "node Rx { lazy: String?  stacked: String?  big: String?  nested: String?  brace: String?  nc: String?\n"
    "  @check(lazy, \"^a+?b*?c??$\")  @check(stacked, \"a**\")  @check(big, \"a{1001}\")\n"
    "  @check(nested, \"^((a|b)+c){2,3}$\")  @check(brace, \"x{y\")  @check(nc, \"^(?:ab)+$\") }\n"
    "node Company { name: String @key }\n"
    "node Pair { a: String  b: I64?  @unique(b, a) }\n"
    "edge WorksAt: Person -> Company @card(0..1)\n"
    "edge Knows: Person -> Person @card(2..)";

static og_catalog *cat;

static int setup(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_status rc = og_catalog_compile(SCHEMA, strlen(SCHEMA), &cat, &err);
  if (rc != OG_OK) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  og_catalog_free(cat);
  return 0;
}

/* Convert a JSON text for T.p and run the value validators. */
static og_status check_json(const char *type, const char *prop, const char *json, og_error *err) {
  og_arena a = OG_ARENA_INIT;
  json_error_t je;
  json_t *j = json_loads(json, JSON_DECODE_ANY, &je);
  if (!j) fail_msg("bad json %s", json);
  const og_type *t = og_catalog_node(cat, type);
  const og_prop *p = og_type_prop(t, prop);
  if (!t || !p) fail_msg("no %s.%s", type, prop);
  og_value in, out;
  og_status rc = og_value_from_json(j, &a, &in, err);
  if (rc == OG_OK) rc = og_value_convert(t, p, &in, &a, &out, err);
  if (rc == OG_OK) rc = og_validate_value(t, p, &out, err);
  json_decref(j);
  og_arena_dispose(&a);
  return rc;
}

typedef struct vcase {
  const char *id;
  const char *type, *prop, *json;
  og_status rc;
  const char *msg; /* exact message when rc != OK */
} vcase;

static const vcase CASES[] = {
    {"M21", "Person", "role", "\"superadmin\"", OG_ECONSTRAINT,
     "invalid enum value 'superadmin' for Person.role (expected: admin, guest, member)"},
    {"M21-ok", "Person", "role", "\"guest\"", OG_OK, NULL},
    {"M21-null", "Person", "role", "null", OG_OK, NULL},
    {"range-max", "Person", "age", "250", OG_ECONSTRAINT, "@range violation on Person.age: value 250 > max 120"},
    {"range-min", "Person", "age", "-1", OG_ECONSTRAINT, "@range violation on Person.age: value -1 < min 0"},
    {"range-edge", "Person", "age", "120", OG_OK, NULL},
    {"range-float", "M", "t", "60.75", OG_ECONSTRAINT, "@range violation on M.t: value 60.75 > max 60.5"},
    {"range-float-min", "M", "t", "-41", OG_ECONSTRAINT, "@range violation on M.t: value -41 < min -40"},
    {"M23", "Order", "code", "\"invalid\"", OG_ECONSTRAINT,
     "@check violation on Order.code: value 'invalid' does not match pattern '^[A-Z]{3}-[0-9]+$'"},
    {"M23-ok", "Order", "code", "\"ABC-123\"", OG_OK, NULL},
    {"check-unanchored", "R", "s", "\"zz12xzz\"", OG_OK, NULL},
    {"check-digit-class", "R", "s", "\"1x\"", OG_ECONSTRAINT,
     "@check violation on R.s: value '1x' does not match pattern '\\d{2}x'"},
    {"check-icase", "R", "i", "\"ABbB\"", OG_OK, NULL},
    {"check-bad-regex", "Bad", "s", "\"ab\"", OG_ECONSTRAINT, NULL},
    {"rx-lazy", "Rx", "lazy", "\"aab\"", OG_OK, NULL},
    {"rx-lazy-no", "Rx", "lazy", "\"b\"", OG_ECONSTRAINT, NULL},
    {"rx-stacked", "Rx", "stacked", "\"a\"", OG_ECONSTRAINT,
     "@check on Rx.stacked has invalid regex 'a**': repetition operator applied to a repetition"},
    {"rx-big", "Rx", "big", "\"a\"", OG_ECONSTRAINT,
     "@check on Rx.big has invalid regex 'a{1001}': repetition bound exceeds 1000"},
    {"rx-nested", "Rx", "nested", "\"abcbac\"", OG_OK, NULL},
    {"rx-nested-no", "Rx", "nested", "\"abc\"", OG_ECONSTRAINT, NULL},
    {"rx-brace", "Rx", "brace", "\"x{y\"", OG_OK, NULL},
    {"rx-noncap", "Rx", "nc", "\"abab\"", OG_OK, NULL},
    {"i32-range", "Person", "age", "3000000000", OG_EINVAL, NULL},
    {"i32-type", "Person", "age", "\"30\"", OG_EINVAL, NULL},
    {"u32-neg", "M", "n", "-1", OG_EINVAL, NULL},
    {"u32-ok", "M", "n", "4294967295", OG_OK, NULL},
    {"f64-int", "M", "t", "5", OG_OK, NULL},
    {"date-ok", "M", "d", "\"2024-02-29\"", OG_OK, NULL},
    {"date-bad", "M", "d", "\"2023-02-29\"", OG_EINVAL, "invalid Date literal '2023-02-29'"},
    {"date-int", "M", "d", "19000", OG_OK, NULL},
    {"date-short", "M", "d", "\"2024-1-2\"", OG_OK, NULL},
    {"date-compact", "M", "d", "\"20240102\"", OG_OK, NULL},
    {"date-ext", "M", "d", "\"+10999-12-31\"", OG_OK, NULL},
    {"i32-float", "Person", "age", "30.0", OG_EINVAL, NULL},
    {"date-range", "M", "d", "99999999999", OG_EINVAL, "Date value out of range: 99999999999"},
    {"date-from-datetime", "M", "d", "\"2024-01-02T23:30:00-02:00\"", OG_OK, NULL},
    {"dt-ok", "M", "dt", "\"2024-01-02T03:04:05.678Z\"", OG_OK, NULL},
    {"dt-offset", "M", "dt", "\"2024-01-02 03:04:05+01:30\"", OG_OK, NULL},
    {"dt-date", "M", "dt", "\"2024-01-02\"", OG_OK, NULL},
    {"dt-bad", "M", "dt", "\"yesterday\"", OG_EINVAL, "invalid DateTime literal 'yesterday'"},
    {"dt-int", "M", "dt", "1700000000000", OG_OK, NULL},
    {"vec-ok", "M", "v", "[1, 2.5, 3]", OG_OK, NULL},
    {"vec-dim", "M", "v", "[1, 2]", OG_EINVAL, "vector property 'v' expects 3 dimensions, got 2"},
    {"vec-type", "M", "v", "\"abc\"", OG_EINVAL, NULL},
    {"blob-b64", "M", "b", "\"base64:aGVsbG8=\"", OG_OK, NULL},
    {"blob-bad64", "M", "b", "\"base64:a$b\"", OG_EINVAL, NULL},
    {"blob-uri", "M", "b", "\"s3://bucket/key\"", OG_OK, NULL},
    {"blob-type", "M", "b", "5", OG_EINVAL, "blob property 'b' must be a URI string or base64: prefixed data"},
    {"bool", "M", "ok", "true", OG_OK, NULL},
    {"bool-type", "M", "ok", "1", OG_EINVAL, NULL},
    {"list-ok", "M", "s", "[\"a\", \"b\"]", OG_OK, NULL},
    {"list-type", "M", "s", "\"a\"", OG_EINVAL, "list property 's' expects a JSON array, got \"a\""},
    {"list-i32", "M", "w", "[1, 3000000000]", OG_EINVAL, NULL},
    {"object", "M", "s", "{}", OG_EINVAL, NULL},
};

static void test_values(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
    const vcase *c = &CASES[i];
    og_error err = OG_ERROR_INIT;
    og_status rc = check_json(c->type, c->prop, c->json, &err);
    if (rc != c->rc) fail_msg("%s: rc %d want %d: %s", c->id, rc, c->rc, err.message);
    if (c->msg && strcmp(err.message, c->msg) != 0) fail_msg("%s: '%s' want '%s'", c->id, err.message, c->msg);
  }
  /* bad regex message names the pattern */
  og_error err = OG_ERROR_INIT;
  check_json("Bad", "s", "\"x\"", &err);
  assert_true(og_str_startswith(err.message, "@check on Bad.s has invalid regex 'a(b': "));
}

static void test_converted_values(void **state) {
  (void)state;
  og_arena a = OG_ARENA_INIT;
  og_error err = OG_ERROR_INIT;
  const og_type *m = og_catalog_node(cat, "M");
  og_value in, out;
  og_buf b = OG_BUF_INIT;
  in.kind = OG_V_STRING;
  in.u.s.ptr = "2024-01-02T03:04:05.678+01:00";
  in.u.s.len = strlen(in.u.s.ptr);
  OG_ASSERT_OK(og_value_convert(m, og_type_prop(m, "dt"), &in, &a, &out, &err), &err);
  assert_int_equal(out.kind, OG_V_DATETIME);
  og_value_text(&out, &b);
  assert_string_equal(b.ptr, "2024-01-02T02:04:05.678Z");
  in.u.s.ptr = "1969-12-31";
  in.u.s.len = 10;
  OG_ASSERT_OK(og_value_convert(m, og_type_prop(m, "d"), &in, &a, &out, &err), &err);
  assert_int_equal(out.kind, OG_V_DATE);
  assert_int_equal(out.u.days, -1);
  in.u.s.ptr = "base64:aGVsbG8=";
  in.u.s.len = strlen(in.u.s.ptr);
  OG_ASSERT_OK(og_value_convert(m, og_type_prop(m, "b"), &in, &a, &out, &err), &err);
  assert_int_equal(out.kind, OG_V_BLOB);
  assert_int_equal(out.u.s.len, 5);
  assert_memory_equal(out.u.s.ptr, "hello", 5);
  og_buf_dispose(&b);
  og_arena_dispose(&a);
}

static void test_required_unique_card(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  const og_type *p = og_catalog_node(cat, "Person");
  og_value nul = {0};
  assert_int_equal(og_validate_required(p, og_type_prop(p, "name"), &nul, OG_REQ_MUTATION, &err), OG_ECONSTRAINT);
  assert_string_equal(err.message, "missing required property 'name'");
  assert_int_equal(og_validate_required(p, og_type_prop(p, "name"), NULL, OG_REQ_LOAD, &err), OG_ECONSTRAINT);
  assert_string_equal(err.message, "non-nullable property 'name' has null or invalid values");
  assert_int_equal(og_validate_required(p, og_type_prop(p, "age"), NULL, OG_REQ_LOAD, &err), OG_OK);

  /* key text */
  og_buf kb = OG_BUF_INIT;
  og_value kv;
  kv.kind = OG_V_STRING;
  kv.u.s.ptr = "Alice";
  kv.u.s.len = 5;
  OG_ASSERT_OK(og_key_text(p, &kv, &kb, &err), &err);
  assert_string_equal(kb.ptr, "Alice");
  assert_int_equal(og_key_text(p, &nul, &kb, &err), OG_ECONSTRAINT);
  assert_string_equal(err.message, "node Person missing @key property 'name'");
  og_buf_dispose(&kb);

  /* M24 */
  const og_type *u = og_catalog_node(cat, "User");
  og_value col[4];
  memset(col, 0, sizeof(col));
  col[0].kind = OG_V_STRING;
  col[0].u.s.ptr = "dup@example.com";
  col[0].u.s.len = 15;
  col[2] = col[0];
  assert_int_equal(og_validate_unique_column(u, og_type_prop(u, "email"), col, 4, &err), OG_ECONSTRAINT);
  assert_string_equal(err.message, "@unique violation on User.email: value 'dup@example.com' appears in rows 0 and 2");
  col[2].kind = OG_V_NULL;
  col[3].kind = OG_V_NULL;
  assert_int_equal(og_validate_unique_column(u, og_type_prop(u, "email"), col, 4, &err), OG_OK);

  /* composite @unique: the tuple must be unique */
  const og_type *pe = og_catalog_node(cat, "Pair");
  const og_constraint *uc = NULL;
  for (size_t i = 0; i < pe->n_cons; i++)
    if (pe->cons[i].kind == OG_CK_UNIQUE) uc = &pe->cons[i];
  og_value ca[3], cb[3];
  memset(ca, 0, sizeof(ca));
  memset(cb, 0, sizeof(cb));
  for (int i = 0; i < 3; i++) {
    ca[i].kind = OG_V_STRING;
    ca[i].u.s.ptr = "x";
    ca[i].u.s.len = 1;
    cb[i].kind = OG_V_INT;
    cb[i].u.i = i;
  }
  const og_value *cols2[2] = {ca, cb};
  assert_int_equal(og_validate_unique_constraint(pe, uc, cols2, 3, &err), OG_OK);
  cb[2].u.i = 0;
  assert_int_equal(og_validate_unique_constraint(pe, uc, cols2, 3, &err), OG_ECONSTRAINT);
  assert_string_equal(err.message, "@unique violation on Pair.(a, b): value '(x, 0)' appears in rows 0 and 2");
  cb[2].kind = OG_V_NULL;
  assert_int_equal(og_validate_unique_constraint(pe, uc, cols2, 3, &err), OG_OK);

  /* M20 and §2.6 */
  const og_type *w = og_catalog_edge(cat, "WorksAt");
  assert_int_equal(og_validate_card(w, "Alice", 1, &err), OG_OK);
  assert_int_equal(og_validate_card(w, "Alice", 2, &err), OG_ECONSTRAINT);
  assert_string_equal(err.message, "@card violation on edge WorksAt: source 'Alice' has 2 edges (max 1)");
  const og_type *k = og_catalog_edge(cat, "Knows");
  assert_int_equal(og_validate_card(k, "Alice", 1, &err), OG_ECONSTRAINT);
  assert_string_equal(err.message, "@card violation on edge Knows: source 'Alice' has 1 edges (min 2)");
  assert_int_equal(og_validate_card(k, "Alice", 0, &err), OG_OK); /* zero edges never checked */

  /* NaN (not reachable from JSON) */
  const og_type *m = og_catalog_node(cat, "M");
  og_value nan_v;
  nan_v.kind = OG_V_FLOAT;
  nan_v.u.f = NAN;
  assert_int_equal(og_validate_value(m, og_type_prop(m, "t"), &nan_v, &err), OG_ECONSTRAINT);
  assert_string_equal(err.message, "@range violation on M.t: value is NaN");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_values),
      cmocka_unit_test(test_converted_values),
      cmocka_unit_test(test_required_unique_card),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
