/* The loader's flat JSON parser: values, escapes, member lookup, and
 * agreement with jansson on what is valid. */
#include "og_test.h"

#include <jansson.h>
#include <string.h>

#include "load/jdom.h"

static bool parse(og_jdoc *d, og_arena *a, const char *s) {
  bool ok = false;
  assert_int_equal(og_jdoc_parse(d, s, strlen(s), a, &ok), OG_OK);
  return ok;
}

static void test_values(void **state) {
  (void)state;
  og_jdoc d = OG_JDOC_INIT;
  og_arena a;
  og_arena_init(&a, 1024);
  assert_true(parse(&d, &a, " {\"type\":\"P\", \"data\": {\"n\": -12, \"f\": 1.5e2, \"b\": true, \"z\": null,"
                            " \"l\": [1, \"x\", [false]], \"s\": \"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\"}, \"type\": \"Q\"} "));
  const og_jnode *r = og_jdoc_root(&d);
  assert_int_equal(r->k, OG_J_OBJ);
  const og_jnode *t = og_jobj_get(&d, r, "type");
  assert_int_equal(t->k, OG_J_STR);
  assert_int_equal(t->slen, 1);
  assert_memory_equal(t->s, "Q", 1); /* the last duplicate wins, like jansson */
  const og_jnode *data = og_jobj_get(&d, r, "data");
  assert_int_equal(og_jobj_get(&d, data, "n")->i, -12);
  assert_true(og_jobj_get(&d, data, "f")->k == OG_J_REAL && og_jobj_get(&d, data, "f")->d == 150.0);
  assert_int_equal(og_jobj_get(&d, data, "b")->k, OG_J_TRUE);
  assert_int_equal(og_jobj_get(&d, data, "z")->k, OG_J_NULL);
  assert_null(og_jobj_get(&d, data, "missing"));
  const og_jnode *l = og_jobj_get(&d, data, "l");
  assert_int_equal(l->n, 3);
  assert_int_equal(og_jnode_at(&d, l->first)->i, 1);
  assert_int_equal(l->rawlen, strlen("[1, \"x\", [false]]"));
  const og_jnode *s = og_jobj_get(&d, data, "s");
  assert_int_equal(s->slen, strlen("a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80"));
  assert_memory_equal(s->s, "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80", s->slen);
  assert_true(parse(&d, &a, "5"));
  assert_int_equal(og_jdoc_root(&d)->i, 5);
  assert_true(parse(&d, &a, "-9223372036854775808"));
  assert_int_equal(og_jdoc_root(&d)->i, INT64_MIN);
  og_jdoc_dispose(&d);
  og_arena_dispose(&a);
}

/* Whatever jansson accepts as a single value we accept (and vice versa),
 * except for NUL escapes, which we leave to jansson. */
static void test_agrees_with_jansson(void **state) {
  (void)state;
  const char *cases[] = {
      "{}", "[]", "{\"a\":}", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "tru", "nul", "01", "-", "1.", "1e", "1e+5",
      "\"abc", "\"a\\qb\"", "\"\\u12\"", "{\"a\":1}}", "[1] 2", "\"\\ud800\"", "9223372036854775808",
      "-9223372036854775809", "{\"a\":[{\"b\":[1,2,{\"c\":\"d\"}]}]}", "\"tab\there\"", "  true  ", "[[[[[]]]]]",
  };
  og_jdoc d = OG_JDOC_INIT;
  og_arena a;
  og_arena_init(&a, 1024);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *v = json_loadb(cases[i], strlen(cases[i]), JSON_DECODE_ANY, NULL);
    bool ours = parse(&d, &a, cases[i]);
    if (ours != (v != NULL)) fail_msg("'%s': jdom %d, jansson %d", cases[i], ours, v != NULL);
    json_decref(v);
  }
  og_jdoc_dispose(&d);
  og_arena_dispose(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_values),
      cmocka_unit_test(test_agrees_with_jansson),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
