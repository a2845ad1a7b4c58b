/* JSONL load: framing, classification, conversion and constraints
 * (spec/cases/data-cases.md sections A–C). */
#include "lfix.h"

#define O OG_LOAD_OVERWRITE
#define A OG_LOAD_APPEND
#define M OG_LOAD_MERGE

/* L01 */
static void test_basic_counts(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  uint64_t v0 = lfix_head(&f);
  og_error err = OG_ERROR_INIT;
  og_load_result res;
  lopts o = {.mode = O, .actor = "act-andrew"};
  OG_ASSERT_OK(lfix_load_opts(&f, &o, FTEST_DATA, &res, &err), &err);
  assert_true(res.committed);
  assert_int_equal(res.nodes_loaded, 6);
  assert_int_equal(res.edges_loaded, 5);
  assert_int_equal(res.node_types_loaded, 2);
  assert_int_equal(res.edge_types_loaded, 2);
  assert_int_equal(res.ntypes, 4);
  assert_string_equal(res.types[0].name, "Person");
  assert_int_equal(res.types[0].rows, 4);
  assert_string_equal(res.types[2].name, "Knows");
  assert_true(res.types[2].is_edge);
  assert_int_equal(res.manifest_version, v0 + 1);
  assert_int_equal(strlen(res.commit_id), 26);
  og_load_result_dispose(&res);
  assert_int_equal(lfix_head(&f), v0 + 1); /* exactly one commit */
  DUMP_EQ(&f, "node:Person", "id,age", "Alice|30\nBob|25\nCharlie|35\nDiana|28\n");
  DUMP_EQ(&f, "edge:Knows", "src,dst", "Alice|Bob\nAlice|Charlie\nBob|Diana\n");
  char *ids = lfix_dump(&f, "edge:Knows", "id");
  assert_int_equal(strlen(ids), 3 * 27); /* three distinct 26-char ULIDs */
  assert_true(strncmp(ids, ids + 27, 26) != 0);
  og_free(ids);
  og_commit_list l = {0};
  OG_ASSERT_OK(og_graph_log(f.g, "main", 1, &l, &err), &err);
  assert_string_equal(l.items[0]->commit.operation, "load");
  assert_string_equal(l.items[0]->commit.actor, "act-andrew");
  og_commit_list_dispose(&l);
  lfix_free(&f);
}

/* L02: records span lines; errors name the record and its line. */
static void test_multiline_and_record_numbers(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  const char *in = "{\"type\": \"Person\",\n \"data\": {\"name\": \"Ann\"}}\n{\"type\": \"Nope\", \"data\": {}}\n";
  og_error err = OG_ERROR_INIT;
  assert_int_equal(lfix_load(&f, O, in, &err), OG_EINVAL);
  assert_string_equal(err.message, "record 2: unknown node type 'Nope'");
  assert_int_equal(err.line, 3);
  LOAD_FAILS(&f, O, in, OG_EINVAL, "record 2: unknown node type 'Nope'");
  LOAD_OK(&f, O, "{\"type\": \"Person\",\n \"data\": {\"name\": \"Ann\"}} {\"type\":\"Person\",\"data\":{\"name\":\"Bo\"}}");
  DUMP_EQ(&f, "node:Person", "id", "Ann\nBo\n");
  /* invalid JSON, and '//' is not a comment */
  LOAD_FAILS(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"X\"}}\n// c\n", OG_EINVAL, "invalid JSON at record 2: ");
  LOAD_FAILS(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"X\"}}\n{\"type\":\n", OG_EINVAL, "invalid JSON at record 2: ");
  lfix_free(&f);
}

/* L04, L05 */
static void test_classification(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  LOAD_FAILS(&f, O, "{\"kind\":\"Person\",\"data\":{}}", OG_EINVAL, "record 1: expected 'type' or 'edge' field");
  LOAD_FAILS(&f, O, "5", OG_EINVAL, "record 1: expected 'type' or 'edge' field");
  LOAD_FAILS(&f, O, "[1,2]", OG_EINVAL, "record 1: expected 'type' or 'edge' field");
  LOAD_FAILS(&f, O, "{\"type\":5}", OG_EINVAL, "record 1: expected 'type' or 'edge' field");
  const char *persons = "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"Bob\"}}\n";
  char buf[1024];
  snprintf(buf, sizeof buf, "%s{\"edge\":\"Likes\",\"from\":\"Alice\",\"to\":\"Bob\"}", persons);
  LOAD_FAILS(&f, O, buf, OG_EINVAL, "record 3: unknown edge type 'Likes'");
  snprintf(buf, sizeof buf, "%s{\"edge\":\"Knows\",\"to\":\"Bob\"}", persons);
  LOAD_FAILS(&f, O, buf, OG_EINVAL, "record 3: edge missing 'from'");
  snprintf(buf, sizeof buf, "%s{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":7}", persons);
  LOAD_FAILS(&f, O, buf, OG_EINVAL, "record 3: edge missing 'to'");
  snprintf(buf, sizeof buf, "%s{\"edge\":\"knows\",\"from\":\"Alice\",\"to\":\"Bob\"}", persons);
  LOAD_OK(&f, O, buf);
  DUMP_EQ(&f, "edge:Knows", "src,dst", "Alice|Bob\n");
  /* a record with both keys is a node; unknown data keys are ignored; data not an object = empty */
  LOAD_OK(&f, A, "{\"type\":\"Company\",\"edge\":\"Knows\",\"data\":{\"name\":\"Acme\",\"bogus\":1}}");
  LOAD_FAILS(&f, A, "{\"type\":\"Company\",\"data\":[1]}", OG_EINVAL, "record 1: node Company missing @key property 'name'");
  lfix_free(&f);
}

/* L07, L08 */
static void test_ids(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  LOAD_FAILS(&f, O, "{\"type\":\"Person\",\"data\":{\"age\":3}}", OG_EINVAL, "node Person missing @key property 'name'");
  LOAD_FAILS(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":5}}", OG_EINVAL, "node Person missing @key property 'name'");
  LOAD_FAILS(&f, O, "{\"type\":\"Person\",\"data\":{\"id\":\"X\",\"name\":\"Alice\"}}", OG_EINVAL,
             "node Person has explicit id 'X' that does not match @key property 'name' value 'Alice'");
  LOAD_OK(&f, O, "{\"type\":\"Person\",\"data\":{\"id\":\"Alice\",\"name\":\"Alice\"}}");
  DUMP_EQ(&f, "node:Person", "id,name", "Alice|Alice\n");
  lfix_free(&f);

  lfix_init(&f, "node Note { text: String }\nedge References: Note -> Note\n");
  LOAD_OK(&f, O,
          "{\"type\":\"Note\",\"data\":{\"id\":\"note-1\",\"text\":\"Alpha\"}}\n"
          "{\"type\":\"Note\",\"data\":{\"id\":\"note-2\",\"text\":\"Beta\"}}\n"
          "{\"edge\":\"References\",\"from\":\"note-1\",\"to\":\"note-2\",\"data\":{\"id\":\"edge-1\"}}\n");
  DUMP_EQ(&f, "node:Note", "id,text", "note-1|Alpha\nnote-2|Beta\n");
  DUMP_EQ(&f, "edge:References", "id,src,dst", "edge-1|note-1|note-2\n");
  LOAD_OK(&f, A, "{\"type\":\"Note\",\"data\":{\"text\":\"Gamma\",\"id\":7}}");
  char *d = lfix_dump(&f, "node:Note", "id");
  assert_int_equal(strlen(d), strlen("note-1\nnote-2\n") + 27);
  og_free(d);
  /* duplicate explicit ids inside one overwrite/append load are refused */
  LOAD_FAILS(&f, O, "{\"type\":\"Note\",\"data\":{\"id\":\"n\",\"text\":\"a\"}}{\"type\":\"Note\",\"data\":{\"id\":\"n\",\"text\":\"b\"}}",
             OG_ECONSTRAINT, "record 2: duplicate id 'n' for node Note in rows 0 and 1");
  lfix_free(&f);
}

/* L10, L11, L13, L14 */
static void test_conversions(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, "node Thing { key: String @key\n value: String }\n");
  LOAD_FAILS(&f, O, "{\"type\":\"Thing\",\"data\":{\"key\":\"k1\"}}", OG_ECONSTRAINT,
             "record 1: non-nullable property 'value' has null or invalid values");
  LOAD_FAILS(&f, O, "{\"type\":\"Thing\",\"data\":{\"key\":\"k1\",\"value\":7}}", OG_ECONSTRAINT,
             "non-nullable property 'value' has null or invalid values");
  lfix_free(&f);

  lfix_init(&f, FTEST_SCHEMA);
  /* L11: the reference truncates; we refuse out-of-range integers */
  LOAD_FAILS(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"Big\",\"age\":3000000000}}", OG_EINVAL,
             "invalid value for Person.age (I32?): out of range");
  /* a float or a string for an integer column is null (age is nullable) */
  LOAD_OK(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"F\",\"age\":30.0}}{\"type\":\"Person\",\"data\":{\"name\":\"S\",\"age\":\"30\"}}");
  DUMP_EQ(&f, "node:Person", "id,age", "F|null\nS|null\n");
  lfix_free(&f);

  lfix_init(&f, "node Ev { code: String @key\n day: Date?\n at: DateTime? }\n");
  LOAD_OK(&f, O,
          "{\"type\":\"Ev\",\"data\":{\"code\":\"a\",\"day\":\"2024-06-15\",\"at\":\"2024-01-15T10:30:00Z\"}}\n"
          "{\"type\":\"Ev\",\"data\":{\"code\":\"b\",\"day\":19889,\"at\":1705314600000}}\n"
          "{\"type\":\"Ev\",\"data\":{\"code\":\"c\",\"at\":\"2024-01-15T10:30:00.5+02:00\"}}\n"
          "{\"type\":\"Ev\",\"data\":{\"code\":\"d\",\"at\":\"2024-01-15\"}}\n");
  DUMP_EQ(&f, "node:Ev", "code,day,at",
          "a|2024-06-15|2024-01-15T10:30:00.000Z\n"
          "b|2024-06-15|2024-01-15T10:30:00.000Z\n"
          "c|null|2024-01-15T08:30:00.500Z\n"
          "d|null|2024-01-15T00:00:00.000Z\n");
  LOAD_FAILS(&f, O, "{\"type\":\"Ev\",\"data\":{\"code\":\"a\",\"day\":\"2024-13-45\"}}", OG_EINVAL,
             "invalid Date literal '2024-13-45'");
  LOAD_FAILS(&f, O, "{\"type\":\"Ev\",\"data\":{\"code\":\"a\",\"at\":\"yesterday\"}}", OG_EINVAL,
             "invalid DateTime literal 'yesterday'");
  lfix_free(&f);

  lfix_init(&f, "node Doc { slug: String @key\n tags: [String] }\n");
  LOAD_OK(&f, O,
          "{\"type\":\"Doc\",\"data\":{\"slug\":\"alpha\",\"tags\":[\"red\",\"blue\"]}}\n"
          "{\"type\":\"Doc\",\"data\":{\"slug\":\"bravo\",\"tags\":[\"green\"]}}\n"
          "{\"type\":\"Doc\",\"data\":{\"slug\":\"charlie\",\"tags\":[\"red\",\"green\"]}}\n"
          "{\"type\":\"Doc\",\"data\":{\"slug\":\"delta\",\"tags\":[]}}\n");
  DUMP_EQ(&f, "node:Doc", "slug,tags", "alpha|[red, blue]\nbravo|[green]\ncharlie|[red, green]\ndelta|[]\n");
  LOAD_FAILS(&f, O, "{\"type\":\"Doc\",\"data\":{\"slug\":\"x\",\"tags\":\"red\"}}", OG_EINVAL,
             "list property 'tags' expects a JSON array, got \"red\"");
  /* the reference stores a wrong-typed element as a null element; lists
   * here cannot hold nulls, so it is an error */
  LOAD_FAILS(&f, O, "{\"type\":\"Doc\",\"data\":{\"slug\":\"x\",\"tags\":[\"red\",5]}}", OG_EINVAL, "Doc.tags");
  LOAD_FAILS(&f, O, "{\"type\":\"Doc\",\"data\":{\"slug\":\"x\"}}", OG_ECONSTRAINT,
             "non-nullable property 'tags' has null or invalid values");
  lfix_free(&f);
}

/* Vectors (L31), blobs, floats, bools */
static void test_vectors_blobs(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, "node Doc { slug: String @key\n body: String\n embedding: Vector(3) @embed(body) }\n");
  LOAD_FAILS(&f, O, "{\"type\":\"Doc\",\"data\":{\"slug\":\"a\",\"body\":\"x\"}}", OG_ECONSTRAINT,
             "non-nullable vector property 'embedding' has null values");
  LOAD_FAILS(&f, O, "{\"type\":\"Doc\",\"data\":{\"slug\":\"a\",\"body\":\"x\",\"embedding\":[1,2]}}", OG_EINVAL,
             "vector property 'embedding' expects 3 dimensions, got 2");
  LOAD_FAILS(&f, O, "{\"type\":\"Doc\",\"data\":{\"slug\":\"a\",\"body\":\"x\",\"embedding\":[1,\"a\",2]}}", OG_EINVAL,
             "vector elements must be numbers");
  LOAD_OK(&f, O, "{\"type\":\"Doc\",\"data\":{\"slug\":\"a\",\"body\":\"x\",\"embedding\":[1,0.5,-2]}}");
  DUMP_EQ(&f, "node:Doc", "slug,embedding", "a|[1.0, 0.5, -2.0]\n");
  lfix_free(&f);

  lfix_init(&f, "node Doc { slug: String @key\n embedding: Vector(3)? @embed(slug) }\n");
  LOAD_OK(&f, O, "{\"type\":\"Doc\",\"data\":{\"slug\":\"a\"}}");
  DUMP_EQ(&f, "node:Doc", "slug,embedding", "a|null\n");
  lfix_free(&f);

  lfix_init(&f, "node File { slug: String @key\n content: Blob?\n size: F32?\n ok: Bool? }\n");
  LOAD_OK(&f, O,
          "{\"type\":\"File\",\"data\":{\"slug\":\"a\",\"content\":\"base64:aGVsbG8=\",\"size\":1.5,\"ok\":true}}\n"
          "{\"type\":\"File\",\"data\":{\"slug\":\"b\",\"content\":\"s3://bucket/x\",\"size\":2,\"ok\":\"yes\"}}\n");
  DUMP_EQ(&f, "node:File", "slug,content,size,ok", "a|hello|1.5|true\nb|s3://bucket/x|2|null\n");
  LOAD_FAILS(&f, O, "{\"type\":\"File\",\"data\":{\"slug\":\"c\",\"content\":5}}", OG_EINVAL,
             "blob property 'content' must be a URI string or base64: prefixed data");
  lfix_free(&f);
}

/* L16, L17, M23 */
static void test_value_constraints(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, "node Person { name: String @key\n role: enum(admin, guest, member)\n age: I32?\n @range(age, 0..120) }\n"
                "node Measurement { id2: String @key\n temperature: F64?\n @range(temperature, 0.0..100.0) }\n"
                "node Order { code: String @key\n @check(code, \"^[A-Z]{3}-[0-9]+$\") }\n");
  LOAD_FAILS(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"a\",\"role\":\"superadmin\"}}", OG_ECONSTRAINT,
             "record 1: invalid enum value 'superadmin' for Person.role (expected: admin, guest, member)");
  LOAD_FAILS(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"a\",\"role\":\"admin\",\"age\":250}}", OG_ECONSTRAINT,
             "@range violation on Person.age: value 250 > max 120");
  LOAD_FAILS(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"a\",\"role\":\"admin\",\"age\":-1}}", OG_ECONSTRAINT,
             "@range violation on Person.age: value -1 < min 0");
  LOAD_FAILS(&f, O, "{\"type\":\"Measurement\",\"data\":{\"id2\":\"m\",\"temperature\":150.5}}", OG_ECONSTRAINT,
             "@range violation on Measurement.temperature: value 150.5 > max 100");
  LOAD_FAILS(&f, O, "{\"type\":\"Order\",\"data\":{\"code\":\"invalid\"}}", OG_ECONSTRAINT,
             "@check violation on Order.code: value 'invalid' does not match pattern '^[A-Z]{3}-[0-9]+$'");
  LOAD_OK(&f, O, "{\"type\":\"Order\",\"data\":{\"code\":\"ABC-123\"}}\n"
                 "{\"type\":\"Person\",\"data\":{\"name\":\"a\",\"role\":\"admin\",\"age\":null}}\n");
  DUMP_EQ(&f, "node:Person", "id,role,age", "a|admin|null\n");
  lfix_free(&f);
}

/* L19, L20 */
static void test_uniqueness(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, "node User { name: String @key\n email: String?\n @unique(email) }\n");
  const char *dup = "{\"type\":\"User\",\"data\":{\"name\":\"a\",\"email\":\"dup@example.com\"}}\n"
                    "{\"type\":\"User\",\"data\":{\"name\":\"b\",\"email\":\"dup@example.com\"}}\n";
  LOAD_FAILS(&f, O, dup, OG_ECONSTRAINT, "@unique violation on User.email: value 'dup@example.com' appears in rows 0 and 1");
  LOAD_OK(&f, O, "{\"type\":\"User\",\"data\":{\"name\":\"a\"}}{\"type\":\"User\",\"data\":{\"name\":\"b\",\"email\":null}}");
  /* L19(d): not checked against committed rows */
  LOAD_OK(&f, O, "{\"type\":\"User\",\"data\":{\"name\":\"Alice\",\"email\":\"dup@example.com\"}}");
  LOAD_OK(&f, A, "{\"type\":\"User\",\"data\":{\"name\":\"Bob\",\"email\":\"dup@example.com\"}}");
  lfix_free(&f);

  lfix_init(&f, "node Thing { key: String @key\n value: String }\n");
  const char *dk = "{\"type\":\"Thing\",\"data\":{\"key\":\"DUP\",\"value\":\"a\"}}\n"
                   "{\"type\":\"Thing\",\"data\":{\"key\":\"DUP\",\"value\":\"b\"}}\n";
  for (int m = 0; m < 3; m++) {
    LOAD_FAILS(&f, (og_load_mode)m, dk, OG_ECONSTRAINT, "@unique violation on Thing.key: value 'DUP' appears in rows 0 and 1");
    assert_int_equal(lfix_rows(&f, "node:Thing"), 0);
  }
  lfix_free(&f);

  /* L20: composite unique is a true composite key (reference quirk fixed) */
  lfix_init(&f, "node S { slug: String @key }\nedge Correlates: S -> S { @unique(src, dst) }\n");
  const char *nodes = "{\"type\":\"S\",\"data\":{\"slug\":\"s1\"}}{\"type\":\"S\",\"data\":{\"slug\":\"s2\"}}{\"type\":\"S\",\"data\":{\"slug\":\"s3\"}}\n";
  char buf[1024];
  snprintf(buf, sizeof buf, "%s{\"edge\":\"Correlates\",\"from\":\"s1\",\"to\":\"s2\"}\n{\"edge\":\"Correlates\",\"from\":\"s1\",\"to\":\"s3\"}\n", nodes);
  LOAD_OK(&f, O, buf);
  snprintf(buf, sizeof buf, "%s{\"edge\":\"Correlates\",\"from\":\"s1\",\"to\":\"s2\"}\n{\"edge\":\"Correlates\",\"from\":\"s1\",\"to\":\"s2\"}\n", nodes);
  LOAD_FAILS(&f, O, buf, OG_ECONSTRAINT, "record 5: @unique violation on Correlates.(dst, src): value 's2, s1' appears in rows 0 and 1");
  lfix_free(&f);
}

/* C-22 dangling endpoints, RI per mode, edges before nodes */
static void test_referential_integrity(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  char buf[2048];
  snprintf(buf, sizeof buf, "%s{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"NonExistent\"}\n", FTEST_DATA);
  LOAD_FAILS(&f, O, buf, OG_ECONSTRAINT, "record 12: edge Knows row 4: dst 'NonExistent' not found in Person");
  snprintf(buf, sizeof buf, "%s{\"edge\":\"WorksAt\",\"from\":\"Ghost\",\"to\":\"Acme\"}\n", FTEST_DATA);
  LOAD_FAILS(&f, O, buf, OG_ECONSTRAINT, "edge WorksAt row 3: src 'Ghost' not found in Person");
  /* edges may come before their nodes */
  LOAD_OK(&f, O, "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"B\"}\n{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\n"
                 "{\"type\":\"Person\",\"data\":{\"name\":\"B\"}}\n");
  /* append: committed nodes count; the Company table is untouched */
  LOAD_OK(&f, A, "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n{\"edge\":\"WorksAt\",\"from\":\"A\",\"to\":\"Acme\"}\n");
  LOAD_OK(&f, A, "{\"edge\":\"WorksAt\",\"from\":\"B\",\"to\":\"Acme\"}\n");
  DUMP_EQ(&f, "edge:WorksAt", "src,dst", "A|Acme\nB|Acme\n");
  /* overwrite of Person: the removed nodes are not visible to edges of the same load */
  LOAD_FAILS(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"Z\"}}\n{\"edge\":\"Knows\",\"from\":\"Z\",\"to\":\"A\"}\n",
             OG_ECONSTRAINT, "edge Knows row 1: dst 'A' not found in Person");
  /* ... but a type absent from the input keeps its committed ids */
  LOAD_OK(&f, O, "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"A\"}\n");
  DUMP_EQ(&f, "edge:Knows", "src,dst", "A|A\n");
  /* edges first, resolved against committed persons, then the input replaces
   * Person without one of them: rechecked at the end */
  LOAD_FAILS(&f, O, "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"B\"}\n{\"edge\":\"Knows\",\"from\":\"B\",\"to\":\"A\"}\n"
                    "{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\n",
             OG_ECONSTRAINT, "edge Knows row 1: dst 'B' not found in Person");
  LOAD_OK(&f, O, "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"B\"}\n{\"type\":\"Person\",\"data\":{\"name\":\"B\"}}\n"
                 "{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\n");
  DUMP_EQ(&f, "edge:Knows", "src,dst", "A|B\n");
  LOAD_OK(&f, O, "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"A\"}\n");
  /* no cascade: overwriting Person leaves dangling WorksAt rows */
  LOAD_OK(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"Zara\"}}\n");
  DUMP_EQ(&f, "node:Person", "id", "Zara\n");
  assert_int_equal(lfix_rows(&f, "edge:WorksAt"), 2);
  lfix_free(&f);
}

/* L22, C-21 */
static void test_cardinality(void **state) {
  (void)state;
  lfix f;
  const char *schema = "node Person { name: String @key }\nnode Company { name: String @key }\n"
                       "edge WorksAt: Person -> Company @card(0..1)\n";
  lfix_init(&f, schema);
  LOAD_FAILS(&f, O,
             "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\"}}{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}"
             "{\"type\":\"Company\",\"data\":{\"name\":\"Globex\"}}"
             "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"}{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Globex\"}",
             OG_ECONSTRAINT, "@card violation on edge WorksAt: source 'Alice' has 2 edges (max 1)");
  LOAD_OK(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\"}}{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}"
                 "{\"type\":\"Company\",\"data\":{\"name\":\"Beta\"}}");
  LOAD_FAILS(&f, A, "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"}{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Beta\"}",
             OG_ECONSTRAINT, "@card violation on edge WorksAt: source 'Alice' has 2 edges (max 1)");
  LOAD_OK(&f, A, "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"}");
  LOAD_FAILS(&f, A, "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Beta\"}", OG_ECONSTRAINT,
             "source 'Alice' has 2 edges (max 1)");
  /* overwrite counts the new edge table only */
  LOAD_OK(&f, O, "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Beta\"}");
  DUMP_EQ(&f, "edge:WorksAt", "src,dst", "Alice|Beta\n");
  lfix_free(&f);

  lfix_init(&f, "node Person { name: String @key }\nnode Company { name: String @key }\n"
                "edge WorksAt: Person -> Company @card(1..1)\n");
  LOAD_OK(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"Loner\"}}");
  lfix_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_basic_counts),
      cmocka_unit_test(test_multiline_and_record_numbers),
      cmocka_unit_test(test_classification),
      cmocka_unit_test(test_ids),
      cmocka_unit_test(test_conversions),
      cmocka_unit_test(test_vectors_blobs),
      cmocka_unit_test(test_value_constraints),
      cmocka_unit_test(test_uniqueness),
      cmocka_unit_test(test_referential_integrity),
      cmocka_unit_test(test_cardinality),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
