/* Migration planner and schema-lint codes (spec/languages.md §10; cases I:
 * G01–G13 of spec/cases/languages-cases.md). Apply-side cases (G03 apply,
 * G09 applied flag, G10 branches, G12 purge) belong to the graph layer. */
#include "og_test.h"

#include <stdio.h>
#include <string.h>

#include "lang/schema.h"

typedef struct plan_case {
  const char *id;
  const char *accepted;
  const char *desired;
  bool allow_data_loss;
  bool supported;
  const char *json; /* exact plan JSON, or NULL */
  const char *contains[4]; /* substrings of the plan JSON */
  const char *text; /* substring of the joined CLI step lines, or NULL */
} plan_case;

static const plan_case CASES[] = {
    {"G01", "node Person { name: String @key  age: I32? }",
     "node Person { name: String @key  age: I32? @index  nickname: String? }", false, true,
     "{\"supported\":true,\"steps\":[{\"kind\":\"add_property\",\"type_kind\":\"node\",\"type_name\":\"Person\","
     "\"property_name\":\"nickname\",\"property_type\":{\"scalar\":\"String\",\"nullable\":true,\"list\":false,"
     "\"enum_values\":null}},{\"kind\":\"add_constraint\",\"type_kind\":\"node\",\"type_name\":\"Person\","
     "\"constraint\":{\"Index\":[\"age\"]}}]}",
     {NULL}, "add property 'Person.nickname' (String?) on node 'Person'\nadd constraint @index(age) on node 'Person'"},
    {"G03", "node Person { name: String @key  age: I32? }", "node Person { name: String @key }", false, true,
     "{\"supported\":true,\"steps\":[{\"kind\":\"drop_property\",\"type_kind\":\"node\",\"type_name\":\"Person\","
     "\"property_name\":\"age\",\"mode\":\"soft\"}]}",
     {NULL}, "drop property 'Person.age' of node 'Person' (soft mode)"},
    {"G04", "node Person { name: String @key }  node Company { name: String @key }  edge WorksAt: Person -> Company",
     "node Person { name: String @key }", false, true,
     "{\"supported\":true,\"steps\":[{\"kind\":\"drop_type\",\"type_kind\":\"node\",\"name\":\"Company\",\"mode\":"
     "\"soft\"},{\"kind\":\"drop_type\",\"type_kind\":\"edge\",\"name\":\"WorksAt\",\"mode\":\"soft\"}]}",
     {NULL}, "drop node type 'Company' (soft mode)\ndrop edge type 'WorksAt' (soft mode)"},
    {"G06", "node Person @description(\"old\") { name: String @key }",
     "node Person @description(\"new\") { name: String @key }", false, true,
     "{\"supported\":true,\"steps\":[{\"kind\":\"update_type_metadata\",\"type_kind\":\"node\",\"name\":\"Person\","
     "\"annotations\":[{\"name\":\"description\",\"value\":\"new\"}]}]}",
     {NULL}, "update metadata on node 'Person' (@description(new))"},
    {"G09", "node Person { name: String @key  age: I32? }", "node Person {\n  age: I32?  // same\n  name: String @key\n}",
     false, true, "{\"supported\":true,\"steps\":[]}", {NULL}, NULL},
    {"G12a", "node Person { name: String @key  age: I32? }", "node Person { name: String @key }", true, true, NULL,
     {"\"mode\":\"hard\"", NULL}, "drop property 'Person.age' of node 'Person' (hard mode)"},
    {"G12b", "node Person { name: String @key }  node Company { name: String @key }  edge WorksAt: Person -> Company",
     "node Person { name: String @key }", true, true, NULL,
     {"{\"kind\":\"drop_type\",\"type_kind\":\"node\",\"name\":\"Company\",\"mode\":\"hard\"}",
      "{\"kind\":\"drop_type\",\"type_kind\":\"edge\",\"name\":\"WorksAt\",\"mode\":\"hard\"}", NULL},
     NULL},
    /* G13 unsupported shapes */
    {"G13-remove-constraint", "node Person { name: String @key  age: I32? @index }",
     "node Person { name: String @key  age: I32? }", false, false,
     "{\"supported\":false,\"steps\":[{\"kind\":\"unsupported_change\",\"entity\":\"node:Person\",\"reason\":"
     "\"removing constraints from 'Person' is not supported in schema migration v1\"}]}",
     {NULL}, "unsupported change on node:Person: removing constraints from 'Person'"},
    {"G13-add-unique", "node User { name: String @key  email: String }",
     "node User { name: String @key  email: String @unique }", false, false, NULL,
     {"\"entity\":\"node:User\"",
      "\"reason\":\"adding constraint 'unique:email' to 'User' is not supported in schema migration v1\"", NULL},
     NULL},
    {"G13-card", "node Person { n: String } node Company { n: String } edge WorksAt: Person -> Company @card(0..1)",
     "node Person { n: String } node Company { n: String } edge WorksAt: Person -> Company @card(0..2)", false, false,
     NULL,
     {"\"entity\":\"edge:WorksAt\"",
      "\"reason\":\"changing cardinality on edge 'WorksAt' is not supported in schema migration v1\"", NULL},
     NULL},
    {"G13-endpoints", "node Person { n: String } node Company { n: String } edge WorksAt: Person -> Company",
     "node Person { n: String } node Company { n: String } edge WorksAt: Person -> Person", false, false, NULL,
     {"\"reason\":\"changing edge endpoints on 'WorksAt' is not supported in schema migration v1\"", NULL}, NULL},
    {"G13-remove-interface", "interface Named { name: String }  node Person implements Named { age: I32? }",
     "node Person { name: String  age: I32? }", false, false, NULL,
     {"{\"kind\":\"unsupported_change\",\"entity\":\"interface:Named\",\"reason\":\"removing interface 'Named' is not "
      "supported in schema migration v1\"}",
      "changing implemented interfaces on node 'Person' is not supported in schema migration v1", NULL},
     NULL},
    {"G13-custom-annotation", "node Person { name: String @key }", "node Person @foo { name: String @key }", false,
     false, NULL,
     {"{\"kind\":\"unsupported_change\",\"entity\":\"node:Person\",\"reason\":\"changing annotations beyond "
      "@description/@instruction is not supported in schema migration v1\"}",
      NULL},
     NULL},
    {"G13-rename-ghost", "node Person { name: String @key }",
     "node Person { name: String @key }  node Account @rename_from(\"Ghost\") { id: String @key }", false, false,
     NULL,
     {"\"entity\":\"node:Account\"",
      "\"reason\":\"node 'Account' declares @rename_from(\\\"Ghost\\\") but no accepted node with that name exists\"",
      NULL},
     NULL},
    {"G13-tighten", "node Person { name: String @key  age: I32? }", "node Person { name: String @key  age: I32 }",
     false, false,
     "{\"supported\":false,\"steps\":[{\"kind\":\"unsupported_change\",\"entity\":\"node:Person.age\",\"reason\":"
     "\"changing property type for 'Person.age' is not supported in schema migration v1\",\"code\":\"OG-MF-106\"}]}",
     {NULL},
     "unsupported change on node:Person.age [OG-MF-106, destructive]: changing property type for 'Person.age'"},
    /* §10.1 remaining shapes */
    {"P-add-required", "node Person { name: String @key }", "node Person { name: String @key  email: String }", false,
     false,
     "{\"supported\":false,\"steps\":[{\"kind\":\"unsupported_change\",\"entity\":\"node:Person.email\",\"reason\":"
     "\"adding required property 'Person.email' requires a backfill and is not supported in schema migration v1\","
     "\"code\":\"OG-MF-103\"}]}",
     {NULL}, "unsupported change on node:Person.email [OG-MF-103, validated]: adding required property"},
    {"P-rename-type", "node User { name: String @key }  edge Knows: User -> User",
     "node Account @rename_from(\"User\") { name: String @key }  edge Knows: Account -> Account", false, true,
     "{\"supported\":true,\"steps\":[{\"kind\":\"rename_type\",\"type_kind\":\"node\",\"from\":\"User\",\"to\":"
     "\"Account\"}]}",
     {NULL}, "rename node type 'User' -> 'Account'"},
    {"P-rename-prop", "node Human { name: String  @index(name) }",
     "node Human { full_name: String @rename_from(\"name\")  @index(full_name) }", false, true,
     "{\"supported\":true,\"steps\":[{\"kind\":\"rename_property\",\"type_kind\":\"node\",\"type_name\":\"Human\","
     "\"from\":\"name\",\"to\":\"full_name\"}]}",
     {NULL}, "rename property 'Human.name' -> 'Human.full_name' on node 'Human'"},
    {"P-rename-prop-ghost", "node Human { name: String }",
     "node Human { name: String  full: String? @rename_from(\"x\") }", false, false, NULL,
     {"\"entity\":\"node:Human.full\"",
      "property 'Human.full' declares @rename_from(\\\"x\\\") but no accepted property with that name exists", NULL},
     NULL},
    {"P-add-types", "node A { n: String }",
     "interface I { x: String? }  node A { n: String }  node B implements I { m: String? }  edge E: A -> B", false,
     true, NULL,
     {"{\"kind\":\"add_type\",\"type_kind\":\"interface\",\"name\":\"I\"}",
      "{\"kind\":\"add_type\",\"type_kind\":\"node\",\"name\":\"B\"}",
      "{\"kind\":\"add_type\",\"type_kind\":\"edge\",\"name\":\"E\"}", NULL},
     "add node type 'B'"},
    {"P-enum-type", "node T { s: enum(a, b)? }", "node T { s: enum(a, b, c)? }", false, false, NULL,
     {"\"code\":\"OG-MF-106\"", NULL}, NULL},
    {"P-add-enum", "node T { n: String }", "node T { n: String  s: enum(b, a)? }", false, true, NULL,
     {"\"enum_values\":[\"a\",\"b\"]", NULL}, "add property 'T.s' (Enum(a|b)?) on node 'T'"},
    {"P-prop-meta", "node T { n: String }", "node T { n: String @description(\"the n\") }", false, true,
     "{\"supported\":true,\"steps\":[{\"kind\":\"update_property_metadata\",\"type_kind\":\"node\",\"type_name\":"
     "\"T\",\"property_name\":\"n\",\"annotations\":[{\"name\":\"description\",\"value\":\"the n\"}]}]}",
     {NULL}, NULL},
    {"P-prop-embed", "node D { b: String  v: Vector(3) }", "node D { b: String  v: Vector(3) @embed(b) }", false,
     false, NULL, {"\"entity\":\"node:D.v\"", "changing annotations beyond", NULL}, NULL},
    {"P-iface-prop", "interface I { a: String? }  node N implements I { x: String }",
     "interface I { a: String?  b: String? }  node N implements I { x: String }", false, true, NULL,
     {"{\"kind\":\"add_property\",\"type_kind\":\"interface\",\"type_name\":\"I\",\"property_name\":\"b\"",
      "{\"kind\":\"add_property\",\"type_kind\":\"node\",\"type_name\":\"N\",\"property_name\":\"b\"", NULL},
     NULL},
    {"P-edge-rename-endpoint", "node User { n: String }  edge Follows: User -> User",
     "node Member @rename_from(\"User\") { n: String }  edge Follows: Member -> Member", false, true, NULL,
     {"\"kind\":\"rename_type\"", NULL}, NULL},
    {"P-add-range", "node T { a: I32? }", "node T { a: I32?  @range(a, 0..10) }", false, false, NULL,
     {"adding constraint 'range:a:Some(Integer(0)):Some(Integer(10))' to 'T'", NULL}, NULL},
    /* constraint keys print bounds like Rust's {:?}: exponent below 1e-4 */
    {"P-add-range-float", "node T { a: F64? }", "node T { a: F64?  @range(a, 0.00001..0.0001) }", false, false,
     NULL, {"adding constraint 'range:a:Some(Float(1e-5)):Some(Float(0.0001))' to 'T'", NULL}, NULL},
};

static og_catalog *compile(const char *id, const char *src) {
  og_error err = OG_ERROR_INIT;
  og_catalog *c = NULL;
  if (og_catalog_compile(src, strlen(src), &c, &err) != OG_OK) fail_msg("%s: compile: %s", id, err.message);
  return c;
}

static void test_cases(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
    const plan_case *pc = &CASES[i];
    og_error err = OG_ERROR_INIT;
    og_catalog *a = compile(pc->id, pc->accepted), *d = compile(pc->id, pc->desired);
    og_plan *p = NULL;
    OG_ASSERT_OK(og_plan_build(a, d, pc->allow_data_loss, &p, &err), &err);
    og_buf j = OG_BUF_INIT, t = OG_BUF_INIT;
    assert_int_equal(og_plan_json(p, &j), OG_OK);
    for (size_t k = 0; k < p->n_steps; k++) {
      if (k) og_buf_putc(&t, '\n');
      og_plan_step_text(&p->steps[k], &t);
    }
    if (p->supported != pc->supported) fail_msg("%s: supported=%d: %s", pc->id, p->supported, j.ptr);
    if (pc->json && strcmp(j.ptr, pc->json) != 0) fail_msg("%s:\n got %s\nwant %s", pc->id, j.ptr, pc->json);
    for (size_t k = 0; k < 4 && pc->contains[k]; k++)
      if (!strstr(j.ptr, pc->contains[k])) fail_msg("%s: %s lacks %s", pc->id, j.ptr, pc->contains[k]);
    if (pc->text && !strstr(t.ptr ? t.ptr : "", pc->text)) fail_msg("%s: text '%s' lacks '%s'", pc->id, t.ptr, pc->text);
    if (pc->allow_data_loss && strstr(j.ptr, "\"soft\"")) fail_msg("%s: soft drop with allow_data_loss", pc->id);
    og_buf_dispose(&j);
    og_buf_dispose(&t);
    og_plan_free(p);
    og_catalog_free(a);
    og_catalog_free(d);
  }
}

/* G07: steps render as JSON with "soft"/"hard"; the message form of §10.2. */
static void test_messages_and_lint(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_catalog *a = compile("m", "node Person { name: String @key  age: I32? }");
  og_catalog *d = compile("m", "node Person { name: String @key  age: I64?  email: String }");
  og_plan *p = NULL;
  OG_ASSERT_OK(og_plan_build(a, d, false, &p, &err), &err);
  assert_false(p->supported);
  assert_int_equal(p->n_steps, 2);
  og_buf b = OG_BUF_INIT;
  og_plan_step_message(&p->steps[0], &b);
  assert_string_equal(b.ptr,
                      "[OG-MF-106] changing property type for 'Person.age' is not supported in schema migration v1");
  og_buf_clear(&b);
  /* desired props are visited in name order: age (106) then email (103) */
  og_plan_step_message(&p->steps[1], &b);
  assert_string_equal(b.ptr, "[OG-MF-103] adding required property 'Person.email' requires a backfill and is not "
                             "supported in schema migration v1");
  og_buf_clear(&b);
  og_plan_lint_json(p, &b);
  assert_non_null(strstr(b.ptr, "{\"code\":\"OG-MF-106\",\"family\":\"MF\",\"tier\":\"destructive\",\"severity\":"
                                "\"error\",\"entity\":\"node:Person.age\",\"message\":\"[OG-MF-106] changing"));
  assert_non_null(strstr(b.ptr, "\"code\":\"OG-MF-103\",\"family\":\"MF\",\"tier\":\"validated\""));
  og_buf_clear(&b);
  og_plan_step_json(&p->steps[0], &b);
  assert_true(og_str_startswith(b.ptr, "{\"kind\":\"unsupported_change\",\"entity\":\"node:Person.age\""));
  og_buf_dispose(&b);
  og_plan_free(p);
  og_catalog_free(a);
  og_catalog_free(d);
}

static void test_lint_codes(void **state) {
  (void)state;
  size_t n;
  const og_lint_code *codes = og_lint_codes(&n);
  assert_int_equal(n, 8);
  for (size_t i = 0; i < n; i++) assert_true(og_lint_code_valid(codes[i].code));
  const og_lint_code *c = og_lint_code_find("OG-MF-103");
  assert_non_null(c);
  assert_string_equal(c->family, "MF");
  assert_string_equal(c->tier, "validated");
  assert_string_equal(c->severity, "error");
  assert_true(c->emitted);
  assert_false(og_lint_code_find("OG-DS-102")->emitted);
  assert_false(og_lint_code_find("OG-MF-104")->emitted);
  assert_true(og_lint_code_find("OG-MF-106")->emitted);
  assert_null(og_lint_code_find("OG-XX-999"));
  assert_true(og_lint_code_valid("OG-VE-201"));
  assert_false(og_lint_code_valid("OG-XX-201"));
  assert_false(og_lint_code_valid("OG-MF-10"));
  assert_false(og_lint_code_valid("og-MF-103"));
  assert_false(og_lint_code_valid(NULL));
}

/* Every allocation failure in planning and rendering is reported as
 * OG_ENOMEM and leaks nothing (ASan build). */
static void test_oom(void **state) {
  (void)state;
  og_catalog *a = compile("oom", "interface I { x: String? }  node User { name: String @key  age: I32?  e: String }\n"
                                 "node Gone { x: String }  edge Knows: User -> User @card(0..1) { w: I32? }");
  og_catalog *d = compile("oom", "interface J { y: String? }  node Account @rename_from(\"User\") @description(\"d\") "
                                 "{ name: String @key  years: I32? @rename_from(\"age\") @index  e: I64  n: String? "
                                 "@unique(n) }\nedge Knows: Account -> Account @card(0..2) { w: I32? @index }");
  for (long k = 1; k < 400; k++) {
    og_error err = OG_ERROR_INIT;
    og_plan *p = NULL;
    og_alloc_fail_after(k, false);
    og_status rc = og_plan_build(a, d, true, &p, &err);
    og_buf b = OG_BUF_INIT;
    if (rc == OG_OK) {
      og_plan_json(p, &b);
      og_plan_lint_json(p, &b);
    }
    og_alloc_fail_after(0, false);
    og_buf_dispose(&b);
    if (rc == OG_OK) {
      og_plan_free(p);
      if (k > 200) break;
      continue;
    }
    assert_int_equal(rc, OG_ENOMEM);
    assert_null(p);
  }
  og_catalog_free(a);
  og_catalog_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_messages_and_lint),
      cmocka_unit_test(test_lint_codes),
      cmocka_unit_test(test_oom),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
