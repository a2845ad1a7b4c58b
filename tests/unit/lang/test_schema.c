/* .pg parser and parse-phase validation: acceptance cases A (S01–S43) of
 * spec/cases/languages-cases.md plus the §2.2–§2.5 message catalogue. */
#include "og_test.h"

#include <stdio.h>
#include <string.h>

#include "lang/schema.h"

typedef struct pcase {
  const char *id;
  const char *src;
  int phase;           /* 0 = parse, 1 = catalog build */
  og_status rc;        /* expected status (OG_OK or OG_EPARSE) */
  const char *contains; /* expected message substring */
} pcase;

#define P 0
#define C 1

static const pcase CASES[] = {
    /* S01 */
    {"S01", "node Person { name: String  age: I32? }\nnode Company { name: String }\n"
            "edge Knows: Person -> Person { since: Date? }\nedge WorksAt: Person -> Company { title: String? }",
     C, OG_OK, NULL},
    {"S02", "interface Named { name: String }\nnode Person implements Named { age: I32? }", C, OG_OK, NULL},
    {"S04", "node Person implements Unknown { name: String }", P, OG_EPARSE,
     "parse error: node Person implements unknown interface 'Unknown'"},
    {"S05", "interface Named { name: I32 }  node Person implements Named { name: String }", P, OG_EPARSE,
     "node Person property 'name' has type String but interface Named declares it as I32"},
    {"S05b", "interface Named { name: String? }  node Person implements Named { name: String }", P, OG_EPARSE,
     "has type String but interface Named declares it as String?"},
    {"S05c", "interface E { s: enum(a, b) }  node P implements E { s: enum(b, a) }", C, OG_OK, NULL},
    {"S07a", "node Person { first: String  last: String  @unique(first, last) }", C, OG_OK, NULL},
    {"S07b", "node Event { category: String  date: Date  @index(category, date) }", C, OG_OK, NULL},
    {"S07c", "node Person { name: String  @key(name) }", C, OG_OK, NULL},
    {"S08a", "node Person { age: I32?  @range(age, 0..200) }", C, OG_OK, NULL},
    {"S08b", "node M { name: String @key  temperature: F64?  @range(temperature, -40.0..60.0) }", C, OG_OK, NULL},
    {"S08c", "node A { name: String @key  balance: I64?  @range(balance, -1000..1000) }", C, OG_OK, NULL},
    {"S08d", "node Person { age: I32?  @range(age, 10..) }", C, OG_OK, NULL},
    {"S08e", "node Person { age: I32?  @range(age, ..100) }", C, OG_OK, NULL},
    {"S10", "node Person { name: String  @range(name, 0..100) }", P, OG_EPARSE,
     "parse error: @range on Person.name requires a numeric type, got String"},
    {"S11", "node Person { age: I32  @check(age, \"[0-9]+\") }", P, OG_EPARSE,
     "parse error: @check on Person.age requires String type, got I32"},
    {"S13a", "node P { n: String }  edge E: P -> P @card(2..1)", P, OG_EPARSE,
     "parse error: cardinality min (2) exceeds max (1)"},
    {"S13b", "node P { n: String }  edge E: P -> P @card(0..*)", P, OG_EPARSE, "parse error: "},
    {"S13c", "node P { n: String }  edge E: P -> P @card(1..) @description(\"x\")", C, OG_OK, NULL},
    {"S13d", "node P { n: String }  edge E: P -> P @description(\"x\") @card(1..2)", P, OG_EPARSE, "parse error: "},
    {"S14a", "node Person { name: String }  edge Knows: Person -> Person { @unique(src, dst) }", C, OG_OK, NULL},
    {"S14b", "node Person { name: String }  node Company { name: String }\n"
             "edge WorksAt: Person -> Company { since: Date? @index }", C, OG_OK, NULL},
    {"S14c", "node Person { name: String }  edge Knows: Person -> Person { weight: I32 @unique }", C, OG_OK, NULL},
    {"S14d", "node Person { name: String }  edge Knows: Person -> Person { weight: I32 @index }", C, OG_OK, NULL},
    {"S16", "edge WorksAt: Person -> Company", P, OG_OK, NULL},
    {"S16b", "edge WorksAt: Person -> Company", C, OG_EPARSE,
     "catalog error: edge WorksAt references unknown source type: Person"},
    {"S16c", "node Person { n: String }  edge WorksAt: Person -> Company", C, OG_EPARSE,
     "catalog error: edge WorksAt references unknown target type: Company"},
    {"S17", "node Account @rename_from(\"User\") { full_name: String @rename_from(\"name\") }\n"
            "edge ConnectedTo: Account -> Account @rename_from(\"Knows\")", C, OG_OK, NULL},
    {"S19a", "node Person { email: String @unique(\"x\") }", P, OG_EPARSE,
     "parse error: expected property name in constraint"},
    {"S19b", "node Person { email: String @index(\"x\") }", P, OG_EPARSE, "expected property name in constraint"},
    {"S20a", "node Person @unique { email: String }", P, OG_EPARSE,
     "parse error: @unique is only supported on node properties or as body constraint (node Person)"},
    {"S20b", "node Person @index { email: String }", P, OG_EPARSE, "only supported on node properties"},
    {"S20c", "node P { n: String } edge Knows: P -> P @key", P, OG_EPARSE,
     "parse error: @key is not supported on edges (edge Knows)"},
    {"S22", "node Ticket { status: enum(open, closed, blocked)  tags: [String] }", C, OG_OK, NULL},
    {"S22b", "node Ticket { status: enum(open, in-progress, p1)? }", C, OG_OK, NULL},
    {"S23", "node Ticket { status: enum(open, closed, open) }", P, OG_EPARSE,
     "parse error: enum type cannot include duplicate values"},
    {"S25", "node Task @description(\"Tracked\\n\\\"work\\\"\\\\item\") { slug: String @key "
            "@description(\"Stable\\tidentifier\") }", C, OG_OK, NULL},
    {"S26", "node Task @description(\"Tracked\\q\") { slug: String }", P, OG_EPARSE,
     "parse error: unsupported escape sequence: \\q"},
    {"S28", "node Task { slug: String @instruction(\"bad\") }", P, OG_EPARSE,
     "parse error: @instruction is only supported on node and edge types (property Task.slug)"},
    {"S29", "node Ticket { tags: [String] @key }", P, OG_EPARSE,
     "parse error: @key is not supported on list property Ticket.tags"},
    {"S31a", "node D { v: Vector(0) }", P, OG_EPARSE, "parse error: Vector dimension must be greater than zero"},
    {"S31b", "node D { v: Vector(2147483648) }", P, OG_EPARSE,
     "parse error: Vector dimension 2147483648 exceeds maximum supported 2147483647"},
    {"S31c", "node D { v: Vector(2147483647) }", C, OG_OK, NULL},
    {"S31d", "node D { v: Vector(99999999999) }", P, OG_EPARSE, "parse error: invalid Vector dimension: "},
    {"S32", "node { }", P, OG_EPARSE, "parse error: "},
    {"S34a", "node D { content: Blob @index }", P, OG_EPARSE,
     "parse error: @index is not supported on blob property D.content"},
    {"S34b", "node D { tags: [Blob] }", P, OG_EPARSE, "parse error: list of Blob is not supported"},
    {"S34c", "node D { content: Blob?  @index(content) }", P, OG_EPARSE,
     "@index is not supported on blob property D.content"},
    {"S35a", "node P { n: String }  edge E: P -> P { w: I32  @range(w, 0..1) }", P, OG_EPARSE,
     "parse error: @range constraint is not supported on edges (edge E)"},
    {"S35b", "node P { n: String }  edge E: P -> P { k: String @key }", P, OG_EPARSE,
     "parse error: @key is not supported on edge properties (edge E.k)"},
    {"S35c", "node P { n: String }  edge E: P -> P { k: String  @key(k) }", P, OG_EPARSE,
     "parse error: @key constraint is not supported on edges (edge E)"},
    {"S35d", "node P { n: String }  edge E: P -> P { k: String  @check(k, \"x\") }", P, OG_EPARSE,
     "parse error: @check constraint is not supported on edges (edge E)"},
    {"S35e", "node P { n: String }  edge Linked: P -> P { embedding: Vector(3) @embed(n) }", P, OG_EPARSE,
     "parse error: @embed is not supported on edge properties (edge Linked.embedding)"},
    {"S37", "// header\nnode /* a */ Person /* b */ { // c\n name /* d */ : /* e */ String /* f */ @key // g\n}"
            "/* tail */",
     C, OG_OK, NULL},
    {"S38", "node Person { name: String }  node Person { age: I32 }", C, OG_EPARSE,
     "catalog error: duplicate node type: Person"},
    {"S38b", "node Person { name: String }  edge Knows: Person -> Person  edge Knows: Person -> Person", C, OG_EPARSE,
     "catalog error: duplicate edge type: Knows"},
    {"S40", "node Person { name: String }  edge Knows: Person -> Person  edge KNOWS: Person -> Person", C, OG_EPARSE,
     "catalog error: edge name collision after case folding: 'KNOWS' conflicts with 'Knows'"},
    {"S40b", "node Knows { name: String }  edge Knows: Knows -> Knows", C, OG_OK, NULL},
    /* §2.3 annotation validation */
    {"A-desc-dup", "node Task @description(\"a\") @description(\"b\") { s: String }", P, OG_EPARSE,
     "parse error: node Task declares @description multiple times"},
    {"A-desc-empty", "node Task @description(\"  \") { s: String }", P, OG_EPARSE,
     "parse error: @description on node Task requires a non-empty value"},
    {"A-desc-none", "node Task @instruction { s: String }", P, OG_EPARSE,
     "parse error: @instruction on node Task requires a non-empty value"},
    {"A-desc-edge", "node P { n: String } edge E: P -> P @description(\"a\") @description(\"a\")", P, OG_EPARSE,
     "edge E declares @description multiple times"},
    {"A-desc-prop", "node T { p: String @description(\"a\") @description(\"b\") }", P, OG_EPARSE,
     "property T.p declares @description multiple times"},
    {"A-vec-unique", "node Doc { embedding: Vector(3) @unique }", P, OG_EPARSE,
     "parse error: @unique is not supported on vector property Doc.embedding"},
    {"A-vec-key", "node Doc { embedding: Vector(3)  @key(embedding) }", P, OG_EPARSE,
     "@key is not supported on vector property Doc.embedding"},
    {"A-key-dup", "node Person { id: String @key @key }", P, OG_EPARSE,
     "parse error: property Person.id declares @key multiple times"},
    {"A-embed-nonvec", "node Doc { title: String @embed(body) body: String }", P, OG_EPARSE,
     "parse error: @embed is only supported on vector properties (Doc.title)"},
    {"A-embed-noarg", "node Doc { embedding: Vector(3) @embed }", P, OG_EPARSE,
     "parse error: @embed on Doc.embedding requires a source property name"},
    {"A-embed-blank", "node Doc { embedding: Vector(3) @embed(\" \") }", P, OG_EPARSE,
     "parse error: @embed on Doc.embedding requires a non-empty source property name"},
    {"A-embed-unknown", "node Doc { embedding: Vector(3) @embed(body) }", P, OG_EPARSE,
     "parse error: @embed on Doc.embedding references unknown source property body"},
    {"A-embed-type", "node Doc { body: [String]  embedding: Vector(3) @embed(body) }", P, OG_EPARSE,
     "parse error: @embed source property Doc.body must be String"},
    {"A-embed-enum", "node Doc { body: enum(a, b)  embedding: Vector(3) @embed(body) }", C, OG_OK, NULL},
    {"A-instr-prop-noval", "node Task { slug: String @instruction }", P, OG_EPARSE,
     "parse error: @instruction is only supported on node and edge types (property Task.slug)"},
    {"A-embed-ok", "node Doc { slug: String  body: String?  embedding: Vector(3) @embed(body) }", C, OG_OK, NULL},
    {"A-embed-str", "node Doc { body: String  embedding: Vector(3) @embed(\"body\") }", C, OG_OK, NULL},
    {"A-node-embed", "node Doc @embed(x) { x: String }", P, OG_EPARSE,
     "@embed is only supported on node properties or as body constraint (node Doc)"},
    /* §2.4 body constraints */
    {"B-key-multi", "node Person { a: String @key  b: String  @key(b) }", P, OG_EPARSE,
     "parse error: node type Person has multiple @key constraints; only one is supported"},
    {"B-key-unknown", "node Person { a: String  @key(x) }", P, OG_EPARSE,
     "parse error: @key on Person references unknown property 'x'"},
    {"B-key-null", "node Person { name: String?  @key(name) }", P, OG_EPARSE,
     "parse error: @key property Person.name cannot be nullable"},
    {"B-key-list", "node T { p: [String]  @key(p) }", P, OG_EPARSE, "@key is not supported on list property T.p"},
    {"B-key-blob", "node T { p: Blob  @key(p) }", P, OG_EPARSE, "@key is not supported on blob property T.p"},
    {"B-unique-unknown", "node T { p: String  @unique(p, q) }", P, OG_EPARSE,
     "parse error: @unique on T references unknown property 'q'"},
    {"B-index-unknown", "node T { p: String  @index(q) }", P, OG_EPARSE, "@index on T references unknown property 'q'"},
    {"B-edge-src", "node P { n: String } edge E: P -> P { @index(src) @index(dst) @unique(src) }", C, OG_OK, NULL},
    {"B-edge-unknown", "node P { n: String } edge E: P -> P { @index(x) }", P, OG_EPARSE,
     "@index on E references unknown property 'x'"},
    {"B-range-unknown", "node T { p: I32  @range(q, 0..1) }", P, OG_EPARSE,
     "@range on T references unknown property 'q'"},
    {"B-range-args", "node T { p: I32  @range(p) }", P, OG_EPARSE,
     "parse error: @range requires property name and bounds: @range(prop, min..max)"},
    {"B-range-bounds", "node T { p: I32  @range(p, 5) }", P, OG_EPARSE,
     "parse error: expected range bounds (min..max) in @range constraint"},
    {"B-range-prop-lit", "node T { p: I32  @range(\"p\", 0..1) }", P, OG_EPARSE, "expected property name in constraint"},
    {"B-check-args", "node T { p: String  @check(p) }", P, OG_EPARSE,
     "parse error: @check requires property name and pattern: @check(prop, \"regex\")"},
    {"B-check-pattern", "node T { p: String  @check(p, 5) }", P, OG_EPARSE,
     "parse error: expected string argument in constraint"},
    {"B-range-nullable", "node T { s: String?  @range(s, 0..1) }", P, OG_EPARSE,
     "parse error: @range on T.s requires a numeric type, got String?"},
    {"B-range-list", "node T { s: [I32]?  @range(s, 0..1) }", C, OG_OK, NULL},
    {"B-check-list", "node T { s: [I32]  @check(s, \"x\") }", P, OG_EPARSE,
     "parse error: @check on T.s requires String type, got [I32]"},
    {"B-check-enum", "node T { p: enum(a, b)  @check(p, \"a\") }", C, OG_OK, NULL},
    {"B-check-null", "node T { p: String?  @check(p, \"a\") }", C, OG_OK, NULL},
    {"B-range-float", "node T { p: F32?  @range(p, 0.5..1.5) }", C, OG_OK, NULL},
    {"B-prop-constraint", "node T { name: String @key(name) }", C, OG_OK, NULL},
    /* phase order (reference): all injections, then all annotations, then all constraints */
    {"O-phases", "node A { x: String  @range(x, 0..1) }  node B @unique { y: String }", P, OG_EPARSE,
     "@unique is only supported on node properties"},
    {"O-phases2", "node A @unique { x: String }  node B implements Nope { y: String }", P, OG_EPARSE,
     "node B implements unknown interface 'Nope'"},
    /* grammar facts */
    {"G-one-line", "node P { a: String b: I32 }", C, OG_OK, NULL},
    {"G-empty-edge-body", "node P { a: String } edge E: P -> P {}", C, OG_OK, NULL},
    {"G-list-vec", "node P { a: [Vector(3)] }", P, OG_EPARSE, "parse error: "},
    {"G-list-enum", "node P { a: [enum(a)] }", P, OG_EPARSE, "parse error: "},
    {"G-list-list", "node P { a: [[String]] }", P, OG_EPARSE, "parse error: "},
    {"G-opt-all", "node P { a: [String]?  b: Vector(4)?  c: enum(a,b)?  d: Blob?  e: DateTime  f: U64  g: U32 }",
     C, OG_OK, NULL},
    {"G-iface-annot", "interface I @description(\"x\") { a: String }", P, OG_EPARSE, "parse error: "},
    {"G-iface-cons", "interface I { a: String  @key(a) }", P, OG_EPARSE, "parse error: "},
    {"G-true-ident", "node P { true_count: I32  false_flag: Bool  @index(true_count) }", C, OG_OK, NULL},
    {"G-typename-prop", "node P { Name: String }", P, OG_EPARSE, "parse error: "},
    {"G-lower-type", "node person { name: String }", P, OG_EPARSE, "parse error: "},
    {"G-unknown-type", "node P { name: Text }", P, OG_EPARSE, "parse error: "},
    {"G-dup-prop", "node P { a: String  a: I32 }", C, OG_EPARSE, "catalog error: duplicate property 'a' on node P"},
    {"G-dup-iface", "interface I { a: String } interface I { b: String }", C, OG_EPARSE,
     "catalog error: duplicate interface type: I"},
    {"G-custom-annot", "node P @foo @bar(baz) @n(1) @f(1.5) @b(true) { a: String @x(\"y\") }", C, OG_OK, NULL},
    {"G-comment-unterminated", "node P { a: String } /* oops", P, OG_EPARSE, "parse error: unterminated block comment"},
    {"G-neg-lit", "node P { a: I32  @range(a, -5) }", P, OG_EPARSE, "parse error: "},
    {"G-empty", "", C, OG_OK, NULL},
    {"G-only-comments", "// nothing\n/* here */", C, OG_OK, NULL},
};

static void test_cases(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
    const pcase *c = &CASES[i];
    og_error err = OG_ERROR_INIT;
    og_schema *s = NULL;
    og_catalog *cat = NULL;
    og_status rc = og_schema_parse(c->src, strlen(c->src), &s, &err);
    if (rc == OG_OK && c->phase == C) rc = og_catalog_build(s, &cat, &err);
    if (rc != c->rc) fail_msg("%s: rc %d (expected %d): %s", c->id, rc, c->rc, err.message);
    if (c->contains && !strstr(err.message, c->contains))
      fail_msg("%s: message '%s' lacks '%s'", c->id, err.message, c->contains);
    if (rc != OG_OK && (err.line < 1 || err.column < 1))
      fail_msg("%s: error without position: %s", c->id, err.message);
    if (rc == OG_OK) assert_non_null(s);
    og_catalog_free(cat);
    og_schema_free(s);
  }
}

static og_catalog *compile(const char *src) {
  og_error err = OG_ERROR_INIT;
  og_catalog *c = NULL;
  og_status rc = og_catalog_compile(src, strlen(src), &c, &err);
  if (rc != OG_OK) fail_msg("compile: %s", err.message);
  return c;
}

static const og_constraint *find_con(const og_type *t, og_ckind k, size_t nth) {
  for (size_t i = 0; i < t->n_cons; i++)
    if (t->cons[i].kind == k && nth-- == 0) return &t->cons[i];
  return NULL;
}

static void test_shapes(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  /* S01 */
  og_schema *s = NULL;
  const char *s01 = "node Person { name: String  age: I32? }\nnode Company { name: String }\n"
                    "edge Knows: Person -> Person { since: Date? }\nedge WorksAt: Person -> Company { title: String? }";
  OG_ASSERT_OK(og_schema_parse(s01, strlen(s01), &s, &err), &err);
  assert_int_equal(s->n_decls, 4);
  assert_string_equal(s->decls[0].props[0].name, "name");
  assert_false(s->decls[0].props[0].type.nullable);
  assert_true(s->decls[0].props[1].type.nullable);
  assert_string_equal(s->decls[2].from_type, "Person");
  assert_int_equal(s->decls[2].card_min, 0);
  assert_false(s->decls[2].card_has_max);
  assert_int_equal(s->decls[2].pos.line, 3);
  assert_int_equal(s->decls[2].pos.col, 1);
  og_schema_free(s);

  /* S02 */
  og_catalog *c = compile("interface Named { name: String }\nnode Person implements Named { age: I32? }");
  const og_type *p = og_catalog_node(c, "Person");
  assert_int_equal(p->n_props, 2);
  assert_string_equal(p->props[0].name, "age");
  assert_string_equal(p->props[1].name, "name");
  assert_int_equal(p->n_implements, 1);
  assert_string_equal(p->implements[0], "Named");
  og_catalog_free(c);

  /* §2.5 example: interface annotations desugar into the node */
  c = compile("interface Slugged { slug: String @key }  node Signal implements Slugged { strength: F64 }");
  p = og_catalog_node(c, "Signal");
  assert_int_equal(p->n_props, 2);
  assert_non_null(p->key_prop);
  assert_string_equal(p->key_prop->name, "slug");
  assert_non_null(find_con(p, OG_CK_KEY, 0));
  og_catalog_free(c);

  /* S07 */
  c = compile("node Person { first: String  last: String  @unique(last, first) }");
  const og_constraint *k = find_con(og_catalog_node(c, "Person"), OG_CK_UNIQUE, 0);
  assert_int_equal(k->n_cols, 2);
  assert_string_equal(k->cols[0], "first"); /* canonical: sorted */
  assert_string_equal(k->cols[1], "last");
  og_catalog_free(c);

  /* S08 */
  c = compile("node M { name: String @key  t: F64?  a: I64?  b: I32?  c: I32?\n"
              "@range(t, -40.0..60.0) @range(a, -1000..1000) @range(b, 10..) @range(c, ..100) }");
  p = og_catalog_node(c, "M");
  const og_constraint *r;
  for (size_t i = 0; (r = find_con(p, OG_CK_RANGE, i)) != NULL; i++) {
    if (!strcmp(r->cols[0], "t")) {
      assert_true(r->min.present && r->min.is_float && r->min.f == -40.0);
      assert_true(r->max.present && r->max.is_float && r->max.f == 60.0);
    } else if (!strcmp(r->cols[0], "a")) {
      assert_true(!r->min.is_float && r->min.i == -1000 && r->max.i == 1000);
    } else if (!strcmp(r->cols[0], "b")) {
      assert_true(r->min.present && r->min.i == 10 && !r->max.present);
    } else {
      assert_true(!r->min.present && r->max.present && r->max.i == 100);
    }
  }
  og_catalog_free(c);

  /* S14 */
  c = compile("node Person { name: String }  edge Knows: Person -> Person { @unique(src, dst) weight: I32 @index }");
  const og_type *e = og_catalog_edge(c, "Knows");
  k = find_con(e, OG_CK_UNIQUE, 0);
  assert_string_equal(k->cols[0], "dst");
  assert_string_equal(k->cols[1], "src");
  assert_true(og_type_has_index(e, "weight"));
  og_catalog_free(c);

  /* S16: parses, one edge, nothing else */
  const char *s16 = "edge WorksAt: Person -> Company";
  OG_ASSERT_OK(og_schema_parse(s16, strlen(s16), &s, &err), &err);
  assert_int_equal(s->n_decls, 1);
  assert_int_equal(s->decls[0].kind, OG_KIND_EDGE);
  assert_int_equal(s->decls[0].n_annots, 0);
  assert_int_equal(s->decls[0].n_props, 0);
  og_schema_free(s);

  /* S17 */
  c = compile("node Account @rename_from(\"User\") { full_name: String @rename_from(\"name\") }\n"
              "edge ConnectedTo: Account -> Account @rename_from(\"Knows\")");
  const char *v = NULL;
  p = og_catalog_node(c, "Account");
  assert_true(og_annot_find(p->annots, p->n_annots, "rename_from", &v));
  assert_string_equal(v, "User");
  assert_true(og_annot_find(p->props[0].annots, p->props[0].n_annots, "rename_from", &v));
  assert_string_equal(v, "name");
  e = og_catalog_edge(c, "ConnectedTo");
  assert_true(og_annot_find(e->annots, e->n_annots, "rename_from", &v));
  assert_string_equal(v, "Knows");
  og_catalog_free(c);

  /* S22 */
  c = compile("node Ticket { status: enum(open, closed, blocked)  tags: [String] }");
  p = og_catalog_node(c, "Ticket");
  const og_prop *st = og_type_prop(p, "status");
  assert_int_equal(st->type.n_enum, 3);
  assert_string_equal(st->type.enum_values[0], "blocked");
  assert_string_equal(st->type.enum_values[1], "closed");
  assert_string_equal(st->type.enum_values[2], "open");
  assert_false(st->type.list);
  const og_prop *tg = og_type_prop(p, "tags");
  assert_true(tg->type.list);
  assert_int_equal(tg->type.n_enum, 0);
  char disp[128];
  og_proptype_display(&st->type, disp, sizeof(disp));
  assert_string_equal(disp, "enum(blocked, closed, open)");
  og_catalog_free(c);

  /* S25 */
  c = compile("node Task @description(\"Tracked\\n\\\"work\\\"\\\\item\") { slug: String @key "
              "@description(\"Stable\\tidentifier\") }");
  p = og_catalog_node(c, "Task");
  assert_string_equal(p->description, "Tracked\n\"work\"\\item");
  assert_string_equal(og_type_prop(p, "slug")->description, "Stable\tidentifier");
  og_catalog_free(c);

  /* custom annotation values keep their source text */
  c = compile("node P @foo @bar(baz) @n(1) @f(1.5) @b(true) { a: String }");
  p = og_catalog_node(c, "P");
  assert_true(og_annot_find(p->annots, p->n_annots, "foo", &v));
  assert_null(v);
  assert_true(og_annot_find(p->annots, p->n_annots, "bar", &v));
  assert_string_equal(v, "baz");
  assert_true(og_annot_find(p->annots, p->n_annots, "f", &v));
  assert_string_equal(v, "1.5");
  assert_true(og_annot_find(p->annots, p->n_annots, "b", &v));
  assert_string_equal(v, "true");
  og_catalog_free(c);
}

static void test_positions(void **state) {
  (void)state;
  static const struct {
    const char *src;
    int line, col;
  } cases[] = {
      {"node Person {\n  name: String\n  age: Int\n}", 3, 8},
      {"node Person implements\n  Unknown { name: String }", 2, 3},
      {"node P {\n  a: String\n  @key(b)\n}", 3, 3},
      {"node P { n: String }\nedge E: P -> P @card(3..1)", 2, 16},
      {"node { }", 1, 6},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    og_error err = OG_ERROR_INIT;
    og_schema *s = NULL;
    assert_int_equal(og_schema_parse(cases[i].src, strlen(cases[i].src), &s, &err), OG_EPARSE);
    if (err.line != cases[i].line || err.column != cases[i].col)
      fail_msg("case %zu: %d:%d expected %d:%d (%s)", i, err.line, err.column, cases[i].line, cases[i].col,
               err.message);
    assert_true(og_str_startswith(err.details, "{\"span\":{\"start\":"));
  }
}

/* Linear parse: 5,000+ lines. */
static void test_large(void **state) {
  (void)state;
  og_buf b = OG_BUF_INIT;
  for (int i = 0; i < 600; i++) {
    og_buf_printf(&b, "node N%d @description(\"node %d\") {\n  id: String @key\n", i, i);
    for (int k = 0; k < 6; k++) og_buf_printf(&b, "  p%d: I32? @index\n", k);
    og_buf_puts(&b, "}\n");
    if (i > 0) og_buf_printf(&b, "edge E%d: N%d -> N%d @card(0..3)\n", i, i - 1, i);
  }
  /* one type with very many properties exercises per-type property lookup */
  og_buf_puts(&b, "node Wide {\n");
  for (int k = 0; k < 3000; k++) og_buf_printf(&b, "  w%d: String?\n", k);
  og_buf_puts(&b, "  @index(w2999)\n}\n");
  og_error err = OG_ERROR_INIT;
  og_catalog *c = NULL;
  uint64_t t0 = og_monotonic_ns();
  OG_ASSERT_OK(og_catalog_compile(b.ptr, b.len, &c, &err), &err);
  uint64_t ms = (og_monotonic_ns() - t0) / 1000000;
  assert_int_equal(c->n_nodes, 601);
  assert_int_equal(c->n_edges, 599);
  assert_non_null(og_type_prop(og_catalog_node(c, "Wide"), "w1234"));
  assert_true(ms < 5000);
  og_catalog_free(c);
  og_buf_dispose(&b);
}

static void test_oom(void **state) {
  (void)state;
  const char *src = "interface Named { name: String @key }\n"
                    "node Person implements Named { age: I32? @index  role: enum(a, b)?  @range(age, 0..9) }\n"
                    "node Co { code: String  @check(code, \"^[A-Z]+$\") }\n"
                    "edge WorksAt: Person -> Co @card(0..1) { since: Date? }";
  for (long n = 1; n < 400; n++) {
    og_error err = OG_ERROR_INIT;
    og_catalog *c = NULL;
    og_alloc_fail_after(n, false);
    og_status rc = og_catalog_compile(src, strlen(src), &c, &err);
    og_alloc_fail_after(0, false);
    if (rc == OG_OK) {
      og_catalog_free(c);
      break;
    }
    assert_int_equal(rc, OG_ENOMEM);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_shapes),
      cmocka_unit_test(test_positions),
      cmocka_unit_test(test_large),
      cmocka_unit_test(test_oom),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
