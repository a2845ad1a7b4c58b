/*
 * test_lint.c — query lint (spec/languages.md §9; cases L01–L10 of
 * spec/cases/languages-cases.md): JSON shape, counters, ordering, text.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "og_test.h"
#include "lang/query.h"
#include "lang/schema.h"

typedef struct lint_out {
  json_t *json;
  char *text;
  bool status_error;
} lint_out;

static lint_out lint(const char *schema, const char *queries) {
  og_catalog *cat = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_compile(schema, strlen(schema), &cat, &err), &err);
  og_buf j = OG_BUF_INIT, t = OG_BUF_INIT;
  og_qlint_opts o = {"file", "s.pg", "q.gq"};
  lint_out r = {NULL, NULL, false};
  OG_ASSERT_OK(og_qlint(cat, queries, strlen(queries), &o, &j, &t, &r.status_error, &err), &err);
  json_error_t je;
  r.json = json_loads(j.ptr, 0, &je);
  if (!r.json) fail_msg("lint JSON does not parse: %s\n%s", je.text, j.ptr);
  r.text = og_buf_detach(&t, NULL);
  og_buf_dispose(&j);
  og_catalog_free(cat);
  return r;
}

static void lint_free(lint_out *r) {
  json_decref(r->json);
  og_free(r->text);
}

static const char *sget(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static long long iget(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static void test_l01_parse_failure(void **state) {
  (void)state;
  lint_out r = lint("node Person { name: String }", "query broken(");
  assert_string_equal(sget(r.json, "status"), "error");
  assert_int_equal(iget(r.json, "queries_processed"), 0);
  assert_int_equal(iget(r.json, "errors"), 1);
  assert_int_equal(json_array_size(json_object_get(r.json, "results")), 0);
  json_t *fs = json_object_get(r.json, "findings");
  assert_int_equal(json_array_size(fs), 1);
  assert_string_equal(sget(json_array_get(fs, 0), "severity"), "error");
  assert_string_equal(sget(json_array_get(fs, 0), "code"), "Q000");
  assert_true(strncmp(sget(json_array_get(fs, 0), "message"), "parse error: ", 13) == 0);
  assert_null(json_object_get(json_array_get(fs, 0), "type_name"));
  assert_true(r.status_error);
  lint_free(&r);
}

static void test_l02_mixed(void **state) {
  (void)state;
  lint_out r = lint("node Person { slug: String @key  name: String? }",
                    "query list_people() { match { $p: Person } return { $p.slug, $p.name } }\n"
                    "query bad_update($slug: String) { update Person set { missing: \"nope\" } where slug = $slug }\n");
  assert_int_equal(iget(r.json, "queries_processed"), 2);
  json_t *res = json_object_get(r.json, "results");
  assert_string_equal(sget(json_array_get(res, 0), "name"), "list_people");
  assert_string_equal(sget(json_array_get(res, 0), "kind"), "read");
  assert_string_equal(sget(json_array_get(res, 0), "status"), "ok");
  assert_null(json_object_get(json_array_get(res, 0), "error"));
  assert_null(json_object_get(json_array_get(res, 0), "warnings"));
  assert_string_equal(sget(json_array_get(res, 1), "name"), "bad_update");
  assert_string_equal(sget(json_array_get(res, 1), "kind"), "mutation");
  assert_string_equal(sget(json_array_get(res, 1), "status"), "error");
  assert_non_null(strstr(sget(json_array_get(res, 1), "error"), "has no property"));
  assert_string_equal(sget(r.json, "status"), "error");
  assert_int_equal(iget(r.json, "errors"), 1);
  assert_true(r.status_error);
  assert_non_null(strstr(r.text, "OK    query `list_people` (read)\n"));
  assert_non_null(strstr(r.text, "ERROR query `bad_update`: type error: T11"));
  lint_free(&r);
}

static void test_l04_l10_l201(void **state) {
  (void)state;
  lint_out r = lint("node Policy { slug: String @key  name: String?  effectiveTo: DateTime? }",
                    "query update_policy($slug: String, $name: String) { update Policy set { name: $name } where slug = $slug }");
  assert_string_equal(sget(r.json, "status"), "ok"); /* L04 */
  assert_int_equal(iget(r.json, "warnings"), 1);
  assert_int_equal(iget(r.json, "errors"), 0);
  json_t *fs = json_object_get(r.json, "findings");
  assert_int_equal(json_array_size(fs), 1);
  json_t *f0 = json_array_get(fs, 0);
  assert_string_equal(sget(f0, "code"), "L201");
  assert_string_equal(sget(f0, "severity"), "warning");
  assert_string_equal(sget(f0, "message"), "Policy.effectiveTo exists in schema but no update query sets it");
  assert_string_equal(sget(f0, "type_name"), "Policy");
  assert_string_equal(sget(f0, "property"), "effectiveTo");
  assert_int_equal(json_array_size(json_object_get(f0, "query_names")), 1);
  assert_string_equal(json_string_value(json_array_get(json_object_get(f0, "query_names"), 0)), "update_policy");
  /* L10: the JSON shape and field order */
  json_t *src = json_object_get(r.json, "schema_source");
  assert_string_equal(sget(src, "kind"), "file");
  assert_string_equal(sget(src, "path"), "s.pg");
  assert_string_equal(sget(r.json, "query_path"), "q.gq");
  assert_int_equal(iget(r.json, "queries_processed"), 1);
  const char *order[] = {"status", "schema_source", "query_path", "queries_processed", "errors",
                         "warnings", "infos", "results", "findings"};
  char *dump = json_dumps(r.json, JSON_COMPACT | JSON_PRESERVE_ORDER);
  const char *prev = dump;
  for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", order[k]);
    const char *at = strstr(prev, key);
    if (!at) fail_msg("field %s out of order in %s", order[k], dump);
    prev = at;
  }
  free(dump);
  assert_false(r.status_error);
  assert_non_null(strstr(r.text, "WARN  Policy.effectiveTo exists in schema but no update query sets it\n"));
  assert_non_null(strstr(r.text, "INFO  Lint complete: 1 queries processed (0 error(s), 1 warning(s), 0 info item(s))"));
  lint_free(&r);
}

static void test_l05_l07_l08(void **state) {
  (void)state;
  /* L05: only inserts → no L201 */
  lint_out r = lint("node Policy { slug: String @key  effectiveTo: DateTime? }",
                    "query add($slug: String) { insert Policy { slug: $slug } }");
  assert_int_equal(json_array_size(json_object_get(r.json, "findings")), 0);
  lint_free(&r);
  /* L07: keys never reported; embed targets neither; failed updates do not count */
  r = lint("node Doc { slug: String @key  body: String?  emb: Vector(3)? @embed(body)  note: String? }",
           "query up($s: String, $b: String) { update Doc set { body: $b } where slug = $s }\n"
           "query bad($s: String) { update Doc set { nope: 1 } where slug = $s }\n");
  json_t *fs = json_object_get(r.json, "findings");
  assert_int_equal(json_array_size(fs), 1);
  assert_string_equal(sget(json_array_get(fs, 0), "property"), "note");
  assert_int_equal(json_array_size(json_object_get(json_array_get(fs, 0), "query_names")), 1);
  lint_free(&r);
  /* L08: deterministic ordering, sorted query names */
  r = lint("node Policy { slug: String @key  c_field: String?  b_field: String?  a_field: String? }",
           "query update_b($s: String, $v: String) { update Policy set { a_field: $v } where slug = $s }\n"
           "query update_a($s: String, $v: String) { update Policy set { a_field: $v } where slug = $s }\n");
  fs = json_object_get(r.json, "findings");
  assert_int_equal(json_array_size(fs), 2);
  assert_string_equal(sget(json_array_get(fs, 0), "property"), "b_field");
  assert_string_equal(sget(json_array_get(fs, 1), "property"), "c_field");
  json_t *names = json_object_get(json_array_get(fs, 0), "query_names");
  assert_string_equal(json_string_value(json_array_get(names, 0)), "update_a");
  assert_string_equal(json_string_value(json_array_get(names, 1)), "update_b");
  lint_free(&r);
}

static void test_no_param_mutation_warning(void **state) {
  (void)state;
  lint_out r = lint("node Person { name: String @key }",
                    "query seed() { insert Person { name: \"Alice\" } }\n");
  json_t *res0 = json_array_get(json_object_get(r.json, "results"), 0);
  json_t *w = json_object_get(res0, "warnings");
  assert_int_equal(json_array_size(w), 1);
  assert_string_equal(json_string_value(json_array_get(w, 0)),
                      "mutation declares no params; hardcoded mutations are easy to miss");
  assert_int_equal(iget(r.json, "warnings"), 1);
  assert_string_equal(sget(r.json, "status"), "ok");
  assert_non_null(strstr(r.text, "WARN  query `seed`: mutation declares no params"));
  lint_free(&r);
}

/* lint of a large file costs linear time */
static void test_lint_linear(void **state) {
  (void)state;
  og_catalog *cat = NULL;
  og_error err = OG_ERROR_INIT;
  const char *schema = "node Person { name: String @key  age: I32?  nick: String? }  edge Knows: Person -> Person";
  OG_ASSERT_OK(og_catalog_compile(schema, strlen(schema), &cat, &err), &err);
  uint64_t dt[2];
  for (int r = 0; r < 2; r++) {
    int n = r ? 8000 : 1000;
    og_buf q = OG_BUF_INIT, j = OG_BUF_INIT;
    for (int k = 0; k < n; k++)
      og_buf_printf(&q,
                    "query r%d($n: String) { match { $p: Person { name: $n }  $p knows{1,2} $f } return { $f.name } }\n"
                    "query u%d($n: String, $a: I32) { update Person set { age: $a } where name = $n }\n",
                    k, k);
    bool se;
    uint64_t t0 = og_monotonic_ns();
    OG_ASSERT_OK(og_qlint(cat, q.ptr, q.len, NULL, &j, NULL, &se, &err), &err);
    dt[r] = og_monotonic_ns() - t0;
    assert_false(se);
    assert_non_null(strstr(j.ptr, "Person.nick exists in schema but no update query sets it"));
    og_buf_dispose(&q);
    og_buf_dispose(&j);
  }
  double ratio = (double)dt[1] / (double)(dt[0] ? dt[0] : 1);
  if (ratio > 40.0) fail_msg("lint time ratio %.1f for 8x input: not linear", ratio);
  og_catalog_free(cat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_l01_parse_failure), cmocka_unit_test(test_l02_mixed),
      cmocka_unit_test(test_l04_l10_l201),      cmocka_unit_test(test_l05_l07_l08),
      cmocka_unit_test(test_no_param_mutation_warning),
      cmocka_unit_test(test_lint_linear),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
