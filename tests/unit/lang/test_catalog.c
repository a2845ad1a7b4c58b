/* Catalog, canonical IR, hash, IR reader and .pg rendering
 * (spec/languages.md §2.7–§2.8; cases S41, S43). */
#include "og_test.h"

#include <stdio.h>
#include <string.h>

#include "lang/schema.h"

static og_catalog *compile(const char *src) {
  og_error err = OG_ERROR_INIT;
  og_catalog *c = NULL;
  og_status rc = og_catalog_compile(src, strlen(src), &c, &err);
  if (rc != OG_OK) fail_msg("compile: %s (%d:%d)", err.message, err.line, err.column);
  return c;
}

static const char *S_TC = "node Person { name: String  age: I32? }\nnode Company { name: String }\n"
                          "edge Knows: Person -> Person { since: Date? }\n"
                          "edge WorksAt: Person -> Company { title: String? }";

/* S41 */
static void test_layout_lookup(void **state) {
  (void)state;
  og_catalog *c = compile(S_TC);
  const og_type *p = og_catalog_node(c, "Person");
  assert_non_null(p);
  assert_int_equal(p->n_props, 2); /* layout: id + 2 = 3 fields */
  assert_null(p->key_prop);        /* no key */
  assert_string_equal(og_catalog_edge_ci(c, "knows")->name, "Knows");
  assert_string_equal(og_catalog_edge_ci(c, "KNOWS")->name, "Knows");
  assert_string_equal(og_catalog_edge_ci(c, "worksAt")->name, "WorksAt");
  assert_null(og_catalog_edge_ci(c, "works_at"));
  assert_null(og_catalog_edge(c, "knows"));
  assert_non_null(og_catalog_edge(c, "Knows"));
  assert_null(og_catalog_node(c, "Knows"));
  assert_null(og_catalog_node(c, NULL));
  const og_type *k = og_catalog_edge(c, "Knows");
  assert_string_equal(k->from_type, "Person");
  assert_string_equal(k->to_type, "Person");
  assert_string_equal(k->lower_name, "knows");
  assert_non_null(og_type_prop(k, "since"));
  assert_null(og_type_prop(k, "src"));
  /* catalog order: sorted by name */
  assert_string_equal(c->nodes[0].name, "Company");
  assert_string_equal(c->nodes[1].name, "Person");
  assert_string_equal(p->props[0].name, "age");
  assert_int_equal(p->props[1].index, 1);
  og_catalog_free(c);

  c = compile("node Signal { slug: String @key  title: String }");
  const og_type *s = og_catalog_node(c, "Signal");
  assert_true(og_type_has_index(s, "slug")); /* key implies index */
  assert_false(og_type_has_index(s, "title"));
  assert_string_equal(s->key_prop->name, "slug");
  assert_true(s->key_prop->is_key);
  assert_false(og_type_prop(s, "title")->is_key);
  og_catalog_free(c);

  c = compile("node D { k: String @key  t: String? @index  v: Vector(2)? @index  n: I32? @index  l: [String]? "
              "u: String? @unique  a: String?  b: String?  @index(a, b) }  edge E: D -> D { w: String? @index }");
  const og_type *dt = og_catalog_node(c, "D");
  assert_int_equal(og_prop_index_kind(dt, og_type_prop(dt, "k")), OG_IDX_FTS); /* key implies index */
  assert_int_equal(og_prop_index_kind(dt, og_type_prop(dt, "t")), OG_IDX_FTS);
  assert_int_equal(og_prop_index_kind(dt, og_type_prop(dt, "v")), OG_IDX_VECTOR);
  assert_int_equal(og_prop_index_kind(dt, og_type_prop(dt, "n")), OG_IDX_NONE);
  assert_int_equal(og_prop_index_kind(dt, og_type_prop(dt, "u")), OG_IDX_NONE);
  assert_int_equal(og_prop_index_kind(dt, og_type_prop(dt, "a")), OG_IDX_NONE); /* composite only */
  const og_type *et = og_catalog_edge(c, "E");
  assert_int_equal(og_prop_index_kind(et, og_type_prop(et, "w")), OG_IDX_NONE);
  og_catalog_free(c);

  c = compile("node Doc { slug: String  body: String?  embedding: Vector(3) @embed(body) }");
  const og_prop *em = og_type_prop(og_catalog_node(c, "Doc"), "embedding");
  assert_string_equal(em->embed_source, "body");
  assert_int_equal(em->type.scalar, OG_SC_VECTOR);
  assert_int_equal(em->type.dim, 3);
  og_catalog_free(c);
}

/* S43 and §2.8 test vectors */
static void test_ids(void **state) {
  (void)state;
  assert_int_equal(og_schema_id32("node:Person"), 3227219152u);
  assert_int_equal(og_schema_id32("edge:Knows"), 2041814322u);
  assert_int_equal(og_schema_id32("node:Person:name"), 1466009789u);
  assert_int_equal(og_schema_id32("node:Person:age"), 3446138241u);
  assert_int_equal(og_schema_id32("interface:Named"), 1580757211u);
  og_catalog *c = compile("interface Named { name: String }\n"
                          "node Person implements Named { age: I32? }\nedge Knows: Person -> Person");
  const og_type *p = og_catalog_node(c, "Person");
  assert_int_equal(p->type_id, 3227219152u);
  assert_int_equal(og_type_prop(p, "name")->prop_id, 1466009789u);
  assert_int_equal(og_type_prop(p, "age")->prop_id, 3446138241u);
  assert_int_equal(og_catalog_edge(c, "Knows")->type_id, 2041814322u);
  assert_int_equal(og_catalog_interface(c, "Named")->type_id, 1580757211u);
  og_catalog_free(c);
}

static void test_ir_json(void **state) {
  (void)state;
  og_catalog *c = compile("node Person { name: String @key  age: I32? }");
  assert_string_equal(
      c->ir_json,
      "{\"ir_version\":1,\"interfaces\":[],\"nodes\":[{\"name\":\"Person\",\"type_id\":3227219152,"
      "\"annotations\":[],\"implements\":[],\"properties\":[{\"name\":\"age\",\"prop_id\":3446138241,"
      "\"prop_type\":{\"scalar\":\"I32\",\"nullable\":true,\"list\":false,\"enum_values\":null},"
      "\"annotations\":[]},{\"name\":\"name\",\"prop_id\":1466009789,\"prop_type\":{\"scalar\":\"String\","
      "\"nullable\":false,\"list\":false,\"enum_values\":null},\"annotations\":[{\"name\":\"key\","
      "\"value\":null}]}],\"constraints\":[{\"Key\":[\"name\"]}]}],\"edges\":[]}");
  char hex[65], want[80];
  og_sha256_hex(c->ir_json, c->ir_json_len, hex);
  snprintf(want, sizeof(want), "sha256:%s", hex);
  assert_string_equal(c->hash, want);
  og_buf b = OG_BUF_INIT;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_ir_pretty(c, &b, &err), &err);
  assert_true(og_str_startswith(b.ptr, "{\n  \"ir_version\": 1,\n  \"interfaces\": [],\n  \"nodes\": [\n    {\n"
                                       "      \"name\": \"Person\",\n      \"type_id\": 3227219152,\n"
                                       "      \"annotations\": [],\n"));
  assert_true(og_str_endswith(b.ptr, "\n  ],\n  \"edges\": []\n}"));
  og_buf_dispose(&b);
  og_catalog_free(c);

  /* edges, ranges, checks, vectors, enums */
  c = compile("node P { v: Vector(3)?  t: F64?  s: enum(b, a)  @range(t, -40.0..60.5) @check(s, \"^a$\") }\n"
              "edge E: P -> P @card(1..2)");
  assert_non_null(strstr(c->ir_json, "\"scalar\":{\"Vector\":3},\"nullable\":true"));
  assert_non_null(strstr(c->ir_json, "\"enum_values\":[\"a\",\"b\"]"));
  assert_non_null(strstr(c->ir_json, "{\"Check\":{\"property\":\"s\",\"pattern\":\"^a$\"}},"
                                     "{\"Range\":{\"property\":\"t\",\"min\":{\"Float\":-40.0},\"max\":{\"Float\":60.5}}}"));
  assert_non_null(strstr(c->ir_json, "\"from_type\":\"P\",\"to_type\":\"P\",\"cardinality\":{\"min\":1,\"max\":2}"));
  og_catalog_free(c);
}

/* Golden hash of the S-TEST fixture: any change to the IR layout, ids or
 * canonical order shows up here (and would orphan every stored graph). */
static void test_golden_hash(void **state) {
  (void)state;
  og_catalog *c = compile("node Person {\n    name: String @key\n    age: I32?\n}\nnode Company {\n    name: String @key\n}\n"
                          "edge Knows: Person -> Person {\n    since: Date?\n}\nedge WorksAt: Person -> Company\n");
  assert_string_equal(c->hash, "sha256:e37013207fea258e1168975dae0d8a540c99e9f0aaa47da43171bed900a51a95");
  og_catalog_free(c);
}

/* The hash ignores formatting, comments and declaration/property order. */
static void test_hash_stability(void **state) {
  (void)state;
  static const char *const variants[] = {
      "interface Named { name: String }\n"
      "node Person @description(\"p\") implements Named { age: I32? @index  email: String @unique  @range(age, 0..150) }\n"
      "node Company { name: String @key }\n"
      "edge WorksAt: Person -> Company @card(0..1) { since: Date? }",
      /* reordered + reformatted + comments */
      "// the companies\nedge WorksAt : Person->Company @card( 0 .. 1 ) {\n  since : Date ? // when\n}\n"
      "node Company {\n    name: String\n       @key\n}\n"
      "/* people */ node Person @description(\"p\") implements Named {\n"
      "  @range(age, 0..150)\n  email: String @unique\n  age: I32?   @index\n}\n"
      "interface Named {\n  name: String\n}\n",
      /* node declares the interface property itself (identical type) */
      "interface Named { name: String }\n"
      "node Company { name: String @key }\n"
      "node Person @description(\"p\") implements Named { name: String  age: I32? @index  email: String @unique "
      "@range(age, 0..150) }\n"
      "edge WorksAt: Person -> Company @card(0..1) { since: Date? }",
  };
  og_catalog *c0 = compile(variants[0]);
  for (size_t i = 1; i < sizeof(variants) / sizeof(variants[0]); i++) {
    og_catalog *c = compile(variants[i]);
    if (strcmp(c->hash, c0->hash) != 0) fail_msg("variant %zu: %s\nvs\n%s", i, c->ir_json, c0->ir_json);
    og_catalog_free(c);
  }
  /* but a semantic change does change it */
  og_catalog *c = compile("interface Named { name: String }\n"
                          "node Person @description(\"q\") implements Named { age: I32? @index  email: String @unique "
                          " @range(age, 0..150) }\nnode Company { name: String @key }\n"
                          "edge WorksAt: Person -> Company @card(0..1) { since: Date? }");
  assert_string_not_equal(c->hash, c0->hash);
  og_catalog_free(c);
  og_catalog_free(c0);
}

static const char *RICH =
    "interface Named { name: String @key @description(\"the name\") }\n"
    "interface Aged { age: I32? }\n"
    "node Person @instruction(\"be nice\") implements Named, Aged {\n"
    "  role: enum(member, admin, in-progress)?\n  tags: [String]?\n  score: F64? @index\n"
    "  bio: String? @custom(\"a \\\"q\\\" \\\\ b\\n\")\n"
    "  @range(age, 0..150) @range(score, -0.5..) @unique(role, score)\n}\n"
    "node Doc { slug: String @key  body: String?  embedding: Vector(4)? @embed(body) @index  data: Blob?\n"
    "  code: String? @check(code, \"^[A-Z]{3}-[0-9]+$\")  when: DateTime?  day: Date  big: U64  n: U32? }\n"
    "edge Wrote: Person -> Doc @card(1..) @description(\"authorship\") { at: DateTime? @index  @unique(src, dst) }\n"
    "edge Knows: Person -> Person";

static void test_ir_roundtrip(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_catalog *c = compile(RICH);
  og_buf b = OG_BUF_INIT;
  /* compact and pretty IR read back to the same hash */
  og_catalog *r = NULL;
  OG_ASSERT_OK(og_catalog_from_ir(c->ir_json, c->ir_json_len, &r, &err), &err);
  assert_string_equal(r->hash, c->hash);
  assert_string_equal(r->ir_json, c->ir_json);
  assert_string_equal(og_catalog_node(r, "Person")->key_prop->name, "name");
  assert_string_equal(og_catalog_edge_ci(r, "WROTE")->name, "Wrote");
  og_catalog_free(r);
  OG_ASSERT_OK(og_catalog_ir_pretty(c, &b, &err), &err);
  OG_ASSERT_OK(og_catalog_from_ir(b.ptr, b.len, &r, &err), &err);
  assert_string_equal(r->hash, c->hash);
  og_catalog_free(r);
  /* canonical .pg re-compiles to the same hash, and is a fixed point */
  og_buf_clear(&b);
  OG_ASSERT_OK(og_catalog_render_pg(c, &b, &err), &err);
  og_catalog *p = compile(b.ptr);
  if (strcmp(p->hash, c->hash) != 0) fail_msg("render_pg changed the hash:\n%s", b.ptr);
  og_buf b2 = OG_BUF_INIT;
  OG_ASSERT_OK(og_catalog_render_pg(p, &b2, &err), &err);
  assert_string_equal(b.ptr, b2.ptr);
  og_buf_dispose(&b2);
  og_catalog_free(p);
  og_buf_dispose(&b);
  og_catalog_free(c);
}

static void test_ir_errors(void **state) {
  (void)state;
  static const struct {
    const char *json;
    og_status rc;
    const char *msg;
  } cases[] = {
      {"{\"ir_version\":2,\"interfaces\":[],\"nodes\":[],\"edges\":[]}", OG_EPARSE,
       "catalog error: unsupported schema ir_version 2 (expected 1)"},
      {"{\"ir_version\":1", OG_ECORRUPT, "schema IR"},
      {"[]", OG_ECORRUPT, "schema IR"},
      {"{\"ir_version\":1,\"interfaces\":[],\"nodes\":[{}],\"edges\":[]}", OG_ECORRUPT, "schema IR: malformed"},
      {"{\"ir_version\":1,\"interfaces\":[],\"nodes\":[],\"edges\":[{\"name\":\"E\",\"type_id\":1,\"from_type\":\"A\","
       "\"to_type\":\"A\",\"cardinality\":{\"min\":0,\"max\":null},\"annotations\":[],\"properties\":[],"
       "\"constraints\":[]}]}",
       OG_EPARSE, "catalog error: edge E references unknown source type: A"},
      {"{\"ir_version\":1,\"interfaces\":[],\"nodes\":[{\"name\":\"P\",\"type_id\":1,\"annotations\":[],"
       "\"implements\":[],\"properties\":[{\"name\":\"a\",\"prop_id\":1,\"prop_type\":{\"scalar\":\"Text\","
       "\"nullable\":false,\"list\":false,\"enum_values\":null},\"annotations\":[]}],\"constraints\":[]}],"
       "\"edges\":[]}",
       OG_ECORRUPT, "schema IR: malformed scalar"},
      {"{\"ir_version\":1,\"interfaces\":[],\"nodes\":[{\"name\":\"P\",\"type_id\":1,\"annotations\":[],"
       "\"implements\":[],\"properties\":[],\"constraints\":[{\"Bogus\":[]}]}],\"edges\":[]}",
       OG_ECORRUPT, "constraint"},
      {"{\"ir_version\":1,\"interfaces\":[],\"nodes\":[{\"name\":\"bad name\",\"type_id\":1,\"annotations\":[],"
       "\"implements\":[],\"properties\":[],\"constraints\":[]}],\"edges\":[]}",
       OG_ECORRUPT, "schema IR: malformed name"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    og_error err = OG_ERROR_INIT;
    og_catalog *c = NULL;
    og_status rc = og_catalog_from_ir(cases[i].json, strlen(cases[i].json), &c, &err);
    if (rc != cases[i].rc) fail_msg("case %zu: rc %d: %s", i, rc, err.message);
    if (!strstr(err.message, cases[i].msg)) fail_msg("case %zu: %s", i, err.message);
    assert_null(c);
  }
}

static void test_display(void **state) {
  (void)state;
  static const char *const enums[] = {"blocked", "closed", "open"};
  static const struct {
    og_proptype t;
    const char *want;
  } cases[] = {
      {{OG_SC_STRING, 0, true, true, NULL, 0}, "[String]?"},
      {{OG_SC_VECTOR, 3, false, false, NULL, 0}, "Vector(3)"},
      {{OG_SC_STRING, 0, false, false, enums, 3}, "enum(blocked, closed, open)"},
      {{OG_SC_I32, 0, false, true, NULL, 0}, "I32?"},
      {{OG_SC_DATETIME, 0, false, false, NULL, 0}, "DateTime"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char out[128];
    og_proptype_display(&cases[i].t, out, sizeof(out));
    assert_string_equal(out, cases[i].want);
  }
  assert_true(og_scalar_numeric(OG_SC_U64));
  assert_false(og_scalar_numeric(OG_SC_DATE));
}

/* Floats in the IR are printed the way serde_json (ryu) prints them. */
static void test_float_format(void **state) {
  (void)state;
  og_catalog *c = compile("node P { a: F64?  b: F64?  c: F64?  d: F64?  e: F64?\n"
                          "@range(a, 0.000001..1000000000000000000000.0)  @range(b, 0.00001..0.1)\n"
                          "@range(c, 100.0..1234567.125)  @range(d, -0.5..10000000000000000.0)\n"
                          "@range(e, 123456789012345680.0..) }");
  assert_non_null(strstr(c->ir_json, "\"min\":{\"Float\":1e-6},\"max\":{\"Float\":1e21}"));
  assert_non_null(strstr(c->ir_json, "\"min\":{\"Float\":0.00001},\"max\":{\"Float\":0.1}"));
  assert_non_null(strstr(c->ir_json, "\"min\":{\"Float\":100.0},\"max\":{\"Float\":1234567.125}"));
  assert_non_null(strstr(c->ir_json, "\"min\":{\"Float\":-0.5},\"max\":{\"Float\":1e16}"));
  assert_non_null(strstr(c->ir_json, "\"min\":{\"Float\":1.2345678901234568e17},\"max\":null"));
  /* and the canonical .pg of such bounds compiles back to the same hash */
  og_buf b = OG_BUF_INIT;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_render_pg(c, &b, &err), &err);
  og_catalog *c2 = compile(b.ptr);
  assert_string_equal(c->hash, c2->hash);
  og_catalog_free(c2);
  og_buf_dispose(&b);
  og_catalog_free(c);
}

/* IR string escaping equals serde_json's (og_buf_put_json_str). */
static void test_json_escapes(void **state) {
  (void)state;
  og_catalog *c = compile("node P @description(\"a\\\"b\\\\c\\nd\\re\\tf\x01g\x1fh/\xc3\xa9\") { x: String }");
  const char *d = og_catalog_node(c, "P")->description;
  og_buf want = OG_BUF_INIT;
  og_buf_puts(&want, "{\"name\":\"description\",\"value\":");
  og_buf_put_json_str(&want, d, strlen(d));
  og_buf_putc(&want, '}');
  if (!strstr(c->ir_json, want.ptr)) fail_msg("%s not in %s", want.ptr, c->ir_json);
  assert_non_null(strstr(c->ir_json, "a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001fh/\xc3\xa9"));
  og_buf_dispose(&want);
  og_catalog_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_layout_lookup), cmocka_unit_test(test_ids),
      cmocka_unit_test(test_ir_json),       cmocka_unit_test(test_hash_stability),
      cmocka_unit_test(test_ir_roundtrip),  cmocka_unit_test(test_ir_errors),
      cmocka_unit_test(test_display),       cmocka_unit_test(test_float_format),
      cmocka_unit_test(test_json_escapes),
      cmocka_unit_test(test_golden_hash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
