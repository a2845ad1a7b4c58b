/* Mutation execution (languages-cases.md F, engine-cases.md C and D). */
#include "test_mutate_fix.h"

#include <pthread.h>

#define PEOPLE "Alice|30\nBob|25\nCharlie|35\nDiana|28\n"

/* M01, M02, C-12, C-15, M18 */
static void test_basic_statements(void **state) {
  (void)state;
  mfix f;
  mfix_loaded(&f);
  DUMP_EQ(&f, "node:Person", "id,age", PEOPLE);
  uint64_t v = mfix_head(&f);
  og_error err = OG_ERROR_INIT;
  og_mutate_result res;
  mopts o = {.name = "insert_person", .params = "{\"name\":\"Eve\",\"age\":22}", .actor = "act-andrew"};
  OG_ASSERT_OK(mfix_run(&f, MQ, &o, &res, &err), &err);
  assert_int_equal(res.affected_nodes, 1);
  assert_int_equal(res.affected_edges, 0);
  assert_string_equal(res.query_name, "insert_person");
  assert_true(res.committed);
  assert_int_equal(res.manifest_version, v + 1);
  og_mutate_result_dispose(&res);
  og_commit_list l = {0};
  OG_ASSERT_OK(og_graph_log(f.g, "main", 1, &l, &err), &err);
  assert_string_equal(l.items[0]->commit.operation, "mutation");
  assert_string_equal(l.items[0]->commit.actor, "act-andrew");
  og_commit_list_dispose(&l);
  MUT_OK(&f, MQ, "add_friend", "{\"from\":\"Eve\",\"to\":\"Alice\"}", 0, 1);
  DUMP_EQ(&f, "edge:Knows", "src,dst", "Alice|Bob\nAlice|Charlie\nBob|Diana\nEve|Alice\n");
  /* insert of an existing key is an upsert */
  MUT_OK(&f, MQ, "insert_person", "{\"name\":\"Alice\",\"age\":99}", 1, 0);
  DUMP_EQ(&f, "node:Person", "id,age", "Alice|99\nBob|25\nCharlie|35\nDiana|28\nEve|22\n");
  MUT_OK(&f, MQ, "set_age", "{\"name\":\"Alice\",\"age\":42}", 1, 0);
  MUT_OK(&f, MQ, "set_age", "{\"name\":\"Alice\",\"age\":43}", 1, 0);
  DUMP_EQ(&f, "node:Person", "id,age", "Alice|43\nBob|25\nCharlie|35\nDiana|28\nEve|22\n");
  /* no match: zero counts, no commit */
  v = mfix_head(&f);
  mopts n = {.name = "set_age", .params = "{\"name\":\"Nobody\",\"age\":1}"};
  OG_ASSERT_OK(mfix_run(&f, MQ, &n, &res, &err), &err);
  assert_int_equal(res.affected_nodes + res.affected_edges, 0);
  assert_false(res.committed);
  og_mutate_result_dispose(&res);
  assert_int_equal(mfix_head(&f), v);
  mfix_free(&f);
}

/* M05, M06, M17, C-10 */
static void test_deletes_and_cascade(void **state) {
  (void)state;
  mfix f;
  mfix_loaded(&f);
  MUT_OK(&f, MQ, "remove_person", "{\"name\":\"Alice\"}", 1, 3);
  DUMP_EQ(&f, "node:Person", "id", "Bob\nCharlie\nDiana\n");
  DUMP_EQ(&f, "edge:Knows", "src,dst", "Bob|Diana\n");
  DUMP_EQ(&f, "edge:WorksAt", "src,dst", "Bob|Globex\n");
  mfix_free(&f);

  mfix_loaded(&f);
  MUT_OK(&f, MQ, "remove_friendship", "{\"from\":\"Alice\"}", 0, 2);
  DUMP_EQ(&f, "node:Person", "id", "Alice\nBob\nCharlie\nDiana\n");
  DUMP_EQ(&f, "edge:Knows", "src,dst", "Bob|Diana\n");
  MUT_OK(&f, "query q($name: String, $other: String) { delete Person where name = $name  delete Knows where from = $other }",
         NULL, "{\"name\":\"Charlie\",\"other\":\"Bob\"}", 1, 1);
  DUMP_EQ(&f, "edge:Knows", "src,dst", "");
  /* cascade on the destination side and predicates other than = */
  MUT_OK(&f, "query q() { delete Person where age > 26 }", NULL, NULL, 2, 1);
  DUMP_EQ(&f, "node:Person", "id", "Bob\n");
  DUMP_EQ(&f, "edge:WorksAt", "src,dst", "Bob|Globex\n");
  mfix_free(&f);
}

/* M03, C-04, C-06, M14, M15 and mixed statements (allowed here) */
static void test_multi_statement(void **state) {
  (void)state;
  mfix f;
  mfix_loaded(&f);
  uint64_t v = mfix_head(&f);
  MUT_OK(&f, MQ, "insert_person_and_friend", "{\"name\":\"Eve\",\"age\":22,\"friend\":\"Alice\"}", 1, 1);
  assert_int_equal(mfix_head(&f), v + 1);
  MUT_OK(&f, "query q() { insert Person { name: \"Yves\", age: 10 }  update Person set { age: 99 } where name = \"Yves\" }",
         NULL, NULL, 2, 0);
  assert_int_equal(mfix_head(&f), v + 2);
  MUT_OK(&f, "query q() { insert Person { name: \"Owen\", age: 50 }  insert Person { name: \"Pat\", age: 51 } }", NULL, NULL, 2, 0);
  assert_int_equal(mfix_head(&f), v + 3);
  MUT_OK(&f,
         "query q($first_name: String, $first_new_age: I32, $second_threshold: I32, $second_new_age: I32) {\n"
         "  update Person set { age: $first_new_age } where name = $first_name\n"
         "  update Person set { age: $second_new_age } where age > $second_threshold\n}",
         NULL, "{\"first_name\":\"Alice\",\"first_new_age\":99,\"second_threshold\":50,\"second_new_age\":10}", 4, 0);
  DUMP_EQ(&f, "node:Person", "id,age",
          "Alice|10\nBob|25\nCharlie|35\nDiana|28\nEve|22\nOwen|50\nPat|10\nYves|10\n");
  MUT_OK(&f, "query q($from: String, $a: String, $b: String) { insert Knows { from: $from, to: $a }  insert Knows { from: $from, to: $b } }",
         NULL, "{\"from\":\"Diana\",\"a\":\"Eve\",\"b\":\"Pat\"}", 0, 2);
  /* inserts, updates and deletes mixed: statements apply in order */
  MUT_OK(&f,
         "query q() {\n  delete Knows where to = \"Pat\"\n  insert Person { name: \"Zed\" }\n"
         "  insert Knows { from: \"Zed\", to: \"Alice\" }\n  delete Person where name = \"Owen\"\n}",
         NULL, NULL, 2, 2);
  DUMP_EQ(&f, "edge:Knows", "src,dst", "Alice|Bob\nAlice|Charlie\nBob|Diana\nDiana|Eve\nEve|Alice\nZed|Alice\n");
  /* delete then re-insert of the same key in one mutation */
  MUT_OK(&f, "query q() { delete Person where name = \"Zed\"  insert Person { name: \"Zed\", age: 7 } }", NULL, NULL, 2, 1);
  DUMP_EQ(&f, "edge:Knows", "src,dst", "Alice|Bob\nAlice|Charlie\nBob|Diana\nDiana|Eve\nEve|Alice\n");
  char *d = mfix_dump(&f, "node:Person", "id,age");
  assert_non_null(strstr(d, "Zed|7\n"));
  assert_null(strstr(d, "Owen"));
  og_free(d);
  /* an edge inserted then its node deleted in the same mutation goes too */
  MUT_OK(&f, "query q() { insert Knows { from: \"Zed\", to: \"Bob\" }  delete Person where name = \"Zed\" }", NULL, NULL, 1, 2);
  mfix_free(&f);
}

/* M11, M08, M09, M21, T12 and runtime errors (graph unchanged each time) */
static void test_errors(void **state) {
  (void)state;
  mfix f;
  mfix_loaded(&f);
  MUT_FAILS(&f, MQ, "insert_person_and_friend", "{\"name\":\"Eve\",\"age\":22,\"friend\":\"Missing\"}", OG_ECONSTRAINT,
            "statement 2 (insert Knows): dst 'Missing' not found in Person");
  og_error err = OG_ERROR_INIT;
  mopts o = {.name = "insert_person_and_friend", .params = "{\"name\":\"Eve\",\"age\":22,\"friend\":\"Missing\"}"};
  assert_int_equal(mfix_run(&f, MQ, &o, NULL, &err), OG_ECONSTRAINT);
  assert_int_equal(err.line, 8); /* the failing statement */
  MUT_OK(&f, MQ, "insert_person", "{\"name\":\"Frank\",\"age\":33}", 1, 0);
  MUT_FAILS(&f, "query add_friend($from: String, $to: String) { insert Knows { from: $from, to: $to } }", NULL,
            "{\"from\":\"Ghost\",\"to\":\"Alice\"}", OG_ECONSTRAINT, "src 'Ghost' not found in Person");
  MUT_FAILS(&f, "query rename_person($old_name: String, $new_name: String) { update Person set { name: $new_name } where name = $old_name }",
            NULL, "{\"old_name\":\"Alice\",\"new_name\":\"Bob\"}", OG_EINVAL,
            "cannot update @key property 'name' — delete and re-insert instead");
  MUT_FAILS(&f, "query update_edge($from: String) { update Knows set { since: \"2025-01-01\" } where from = $from }", NULL,
            "{\"from\":\"Alice\"}", OG_ETYPE, "T16");
  MUT_FAILS(&f, "query q($age: I32) { insert Person { age: $age } }", NULL, "{\"age\":1}", OG_ETYPE, "T12");
  /* params */
  MUT_FAILS(&f, MQ, "insert_person", "{\"name\":\"Eve\"}", OG_EINVAL, "parameter 'age' not provided");
  MUT_FAILS(&f, MQ, "insert_person", "{\"name\":5,\"age\":1}", OG_EINVAL, "param 'name': expected string, got number");
  MUT_FAILS(&f, MQ, "insert_person", "[1]", OG_EINVAL, "params must be a JSON object");
  MUT_FAILS(&f, MQ, "insert_person", "{\"name\":\"E\",\"age\":3000000000}", OG_EINVAL, "exceeds I32");
  /* query selection and kind */
  MUT_FAILS(&f, MQ, NULL, NULL, OG_EINVAL, "query file contains multiple queries; pass --name");
  mopts nope = {.name = "nope"};
  assert_int_not_equal(mfix_run(&f, MQ, &nope, NULL, &err), OG_OK);
  assert_string_equal(err.message, "query 'nope' not found");
  MUT_FAILS(&f, "query r() { match { $p: Person } return { $p.name } }", NULL, NULL, OG_EINVAL,
            "mutation execution called on a read query; use query instead");
  assert_int_equal(mfix_run(&f, "query q( { }", &(mopts){0}, NULL, &err), OG_EPARSE);
  assert_true(err.line > 0 && err.column > 0);
  mfix_free(&f);

  mfix_init(&f, "node Person { name: String @key\n role: enum(admin, guest, member)?\n age: I32?\n @range(age, 0..120) }\n");
  MUT_FAILS(&f, "query q($role: String) { insert Person { name: \"a\", role: $role } }", NULL, "{\"role\":\"superadmin\"}",
            OG_ECONSTRAINT, "invalid enum value 'superadmin' for Person.role (expected: admin, guest, member)");
  MUT_OK(&f, "query q() { insert Person { name: \"a\", role: \"admin\" } }", NULL, NULL, 1, 0);
  MUT_FAILS(&f, "query q($role: String) { update Person set { role: $role } where name = \"a\" }", NULL,
            "{\"role\":\"superadmin\"}", OG_ECONSTRAINT, "invalid enum value 'superadmin'");
  MUT_FAILS(&f, "query q($a: I32) { update Person set { age: $a } where name = \"a\" }", NULL, "{\"a\":250}",
            OG_ECONSTRAINT, "@range violation on Person.age: value 250 > max 120");
  mfix_free(&f);
}

/* M20 @card, @unique against committed rows and inside the mutation */
static void test_constraints(void **state) {
  (void)state;
  mfix f;
  mfix_init(&f, "node Person { name: String @key }\nnode Company { name: String @key }\n"
                "edge WorksAt: Person -> Company @card(0..1)\n");
  MUT_OK(&f, "query s() { insert Person { name: \"Alice\" } insert Company { name: \"Acme\" } insert Company { name: \"Beta\" } }",
         NULL, NULL, 3, 0);
  const char *w = "query w($person: String, $company: String) { insert WorksAt { from: $person, to: $company } }";
  MUT_OK(&f, w, NULL, "{\"person\":\"Alice\",\"company\":\"Acme\"}", 0, 1);
  MUT_FAILS(&f, w, NULL, "{\"person\":\"Alice\",\"company\":\"Beta\"}", OG_ECONSTRAINT,
            "@card violation on edge WorksAt: source 'Alice' has 2 edges (max 1)");
  /* replacing the edge in one mutation is fine */
  MUT_OK(&f, "query r() { delete WorksAt where from = \"Alice\"  insert WorksAt { from: \"Alice\", to: \"Beta\" } }", NULL, NULL, 0, 2);
  mfix_free(&f);

  mfix_init(&f, "node User { name: String @key\n email: String?\n @unique(email) }\n"
                "edge Follows: User -> User { @unique(src, dst) }\n");
  const char *ins = "query i($n: String, $e: String?) { insert User { name: $n, email: $e } }";
  MUT_OK(&f, ins, NULL, "{\"n\":\"alice\",\"e\":\"a@x\"}", 1, 0);
  MUT_OK(&f, ins, NULL, "{\"n\":\"bob\"}", 1, 0);
  MUT_OK(&f, ins, NULL, "{\"n\":\"carl\"}", 1, 0); /* nulls are exempt */
  MUT_FAILS(&f, ins, NULL, "{\"n\":\"bob\",\"e\":\"a@x\"}", OG_ECONSTRAINT,
            "@unique violation on User.email: value 'a@x' already used by 'alice'");
  MUT_OK(&f, ins, NULL, "{\"n\":\"alice\",\"e\":\"a@x\"}", 1, 0); /* upsert of the owner itself */
  MUT_FAILS(&f, "query q() { insert User { name: \"d\", email: \"z\" }  insert User { name: \"e\", email: \"z\" } }", NULL, NULL,
            OG_ECONSTRAINT, "@unique violation on User.email: value 'z' is used by 'd' and 'e'");
  /* moving a value: the old owner changes in the same mutation */
  MUT_OK(&f, "query q() { update User set { email: \"b@x\" } where name = \"alice\"  update User set { email: \"a@x\" } where name = \"bob\" }",
         NULL, NULL, 2, 0);
  const char *fo = "query f() { insert Follows { from: \"alice\", to: \"bob\" } }";
  MUT_OK(&f, fo, NULL, NULL, 0, 1);
  MUT_OK(&f, "query f() { insert Follows { from: \"alice\", to: \"carl\" } }", NULL, NULL, 0, 1);
  MUT_FAILS(&f, fo, NULL, NULL, OG_ECONSTRAINT, "@unique violation on Follows.(dst, src): value 'bob, alice' already used by");
  mfix_free(&f);
}

/* M26 now(), value kinds, keyless nodes */
static void test_values(void **state) {
  (void)state;
  mfix f;
  mfix_init(&f, "node Event { slug: String @key\n updated_at: DateTime?\n on: Date?\n tags: [String]?\n score: F64?\n v: Vector(2)? }\n"
                "node Note { text: String }\n");
  MUT_OK(&f, "query q($d: Date, $tags: [String], $v: Vector(2)) { insert Event { slug: \"launch\", on: $d, tags: $tags, score: 1.5, v: $v } }",
         NULL, "{\"d\":\"2024-06-15\",\"tags\":[\"a\",\"b\"],\"v\":[0.5,1]}", 1, 0);
  og_error err = OG_ERROR_INIT;
  mopts o = {.now_ms = 1705314600000ull};
  OG_ASSERT_OK(mfix_run(&f, "query stamp() { update Event set { updated_at: now() } where slug = \"launch\" }", &o, NULL, &err), &err);
  DUMP_EQ(&f, "node:Event", "slug,updated_at,on,tags,score,v",
          "launch|2024-01-15T10:30:00.000Z|2024-06-15|[a, b]|1.5|[0.5, 1.0]\n");
  MUT_OK(&f, "query q() { update Event set { score: 2.0 } where on = date(\"2024-06-15\") }", NULL, NULL, 1, 0);
  MUT_OK(&f, "query q() { update Event set { score: 3.0 } where updated_at >= datetime(\"2024-01-15T10:30:00Z\") }", NULL, NULL, 1, 0);
  MUT_OK(&f, "query n($t: String) { insert Note { text: $t } }", NULL, "{\"t\":\"x\"}", 1, 0);
  MUT_OK(&f, "query n($t: String) { insert Note { text: $t } }", NULL, "{\"t\":\"x\"}", 1, 0);
  char *d = mfix_dump(&f, "node:Note", "id,text");
  assert_int_equal(strlen(d), 2 * (26 + 3));
  og_free(d);
  MUT_OK(&f, "query n() { delete Note where text = \"x\" }", NULL, NULL, 2, 0);
  mfix_free(&f);
}

/* D-01, D-04, 7.9: concurrent writers through a second graph handle. */
typedef struct race {
  mfix *f;
  const char *src, *name, *params;
} race;

static void racer(void *ctx) {
  race *r = ctx;
  og_error err = OG_ERROR_INIT;
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(r->f->st, 0, &g2, &err), &err);
  mfix other = {r->f->st, g2};
  mopts o = {.name = r->name, .params = r->params};
  OG_ASSERT_OK(mfix_run(&other, r->src, &o, NULL, &err), &err);
  og_graph_free(g2);
}

static void test_concurrency(void **state) {
  (void)state;
  mfix f;
  mfix_loaded(&f);
  og_error err = OG_ERROR_INIT;
  /* strict update vs a concurrent update of the same table: 409 */
  race r = {&f, MQ, "set_age", "{\"name\":\"Alice\",\"age\":31}"};
  mopts o = {.name = "set_age", .params = "{\"name\":\"Alice\",\"age\":33}", .hook = racer, .hook_ctx = &r};
  assert_int_equal(mfix_run(&f, MQ, &o, NULL, &err), OG_ECONFLICT);
  assert_non_null(strstr(err.details, "node:Person"));
  DUMP_EQ(&f, "node:Person", "id,age", "Alice|31\nBob|25\nCharlie|35\nDiana|28\n");
  /* refresh and retry works */
  o.hook = NULL;
  OG_ASSERT_OK(mfix_run(&f, MQ, &o, NULL, &err), &err);
  /* insert racing insert: both succeed */
  r = (race){&f, MQ, "insert_person", "{\"name\":\"Frank\",\"age\":1}"};
  o = (mopts){.name = "insert_person", .params = "{\"name\":\"Eve\",\"age\":2}", .hook = racer, .hook_ctx = &r};
  OG_ASSERT_OK(mfix_run(&f, MQ, &o, NULL, &err), &err);
  DUMP_EQ(&f, "node:Person", "id,age", "Alice|33\nBob|25\nCharlie|35\nDiana|28\nEve|2\nFrank|1\n");
  /* a delete vs a concurrent insert into the same table: conflict */
  o = (mopts){.name = "remove_person", .params = "{\"name\":\"Bob\"}", .hook = racer, .hook_ctx = &r};
  r.params = "{\"name\":\"Gus\",\"age\":3}";
  assert_int_equal(mfix_run(&f, MQ, &o, NULL, &err), OG_ECONFLICT);
  assert_non_null(strstr(err.message, "refresh and retry"));
  /* an edge to a committed node racing the deletion of that node: conflict,
   * never a dangling edge */
  r = (race){&f, MQ, "remove_person", "{\"name\":\"Charlie\"}"};
  o = (mopts){.name = "add_friend", .params = "{\"from\":\"Diana\",\"to\":\"Charlie\"}", .hook = racer, .hook_ctx = &r};
  assert_int_equal(mfix_run(&f, MQ, &o, NULL, &err), OG_ECONFLICT);
  assert_non_null(strstr(err.details, "node:Person"));
  char *d = mfix_dump(&f, "edge:Knows", "src,dst");
  assert_null(strstr(d, "Charlie"));
  og_free(d);
  mfix_free(&f);
}

/* D-04: concurrent inserts on one handle all succeed; concurrent updates of
 * one row: every call either succeeds or is a clean 409. */
typedef struct tjob {
  mfix *f;
  int i;
  og_status rc;
} tjob;

static void *insert_thread(void *arg) {
  tjob *j = arg;
  char params[128];
  snprintf(params, sizeof params, "{\"name\":\"T%d\",\"age\":%d}", j->i, j->i);
  og_error err = OG_ERROR_INIT;
  mopts o = {.name = "insert_person", .params = params};
  j->rc = mfix_run(j->f, MQ, &o, NULL, &err);
  return NULL;
}

static void *update_thread(void *arg) {
  tjob *j = arg;
  char params[128];
  snprintf(params, sizeof params, "{\"name\":\"Alice\",\"age\":%d}", 100 + j->i);
  og_error err = OG_ERROR_INIT;
  mopts o = {.name = "set_age", .params = params};
  j->rc = mfix_run(j->f, MQ, &o, NULL, &err);
  return NULL;
}

static void test_threads(void **state) {
  (void)state;
  mfix f;
  mfix_loaded(&f);
  enum { NT = 12 };
  pthread_t th[NT];
  tjob jobs[NT];
  for (int i = 0; i < NT; i++) {
    jobs[i] = (tjob){&f, i, OG_ERROR};
    assert_int_equal(pthread_create(&th[i], NULL, insert_thread, &jobs[i]), 0);
  }
  for (int i = 0; i < NT; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < NT; i++) assert_int_equal(jobs[i].rc, OG_OK);
  char *d = mfix_dump(&f, "node:Person", "id");
  size_t lines = 0;
  for (char *p = d; *p; p++) lines += *p == '\n';
  assert_int_equal(lines, 4 + NT);
  og_free(d);
  for (int i = 0; i < NT; i++) {
    jobs[i] = (tjob){&f, i, OG_ERROR};
    assert_int_equal(pthread_create(&th[i], NULL, update_thread, &jobs[i]), 0);
  }
  for (int i = 0; i < NT; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < NT; i++) assert_true(jobs[i].rc == OG_OK || jobs[i].rc == OG_ECONFLICT);
  mfix_free(&f);
}

/* Every store write of a mutation failing in turn leaves the graph as it was. */
static void test_fault_sweep(void **state) {
  (void)state;
  mfix f;
  mfix_loaded(&f);
  og_error err = OG_ERROR_INIT;
  og_store *fs = NULL;
  OG_ASSERT_OK(og_store_open_fault(&fs, f.st, &err), &err);
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(fs, 0, &g2, &err), &err);
  mfix ff = {fs, g2};
  const char *q = "query q() {\n  insert Person { name: \"Eve\", age: 1 }\n  insert Knows { from: \"Eve\", to: \"Bob\" }\n"
                  "  update Person set { age: 2 } where name = \"Bob\"\n  delete Person where name = \"Alice\"\n}";
  bool done = false;
  for (uint64_t n = 1; n < 200 && !done; n++) {
    char *before = mfix_manifest_text(&f);
    og_fault_spec spec = {.ops = OG_STORE_OP_WRITES, .countdown = n, .kind = OG_FAULT_EIO};
    og_store_fault_arm(fs, &spec);
    og_status rc = mfix_run(&ff, q, &(mopts){0}, NULL, &err);
    bool fired = og_store_fault_fired(fs) > 0;
    og_store_fault_disarm(fs);
    char *after = mfix_manifest_text(&f);
    if (rc) {
      if (!fired) fail_msg("failed without a fault: %s", err.message);
      assert_string_equal(before, after);
    } else {
      assert_string_not_equal(before, after);
      done = true;
    }
    og_free(before);
    og_free(after);
  }
  assert_true(done);
  DUMP_EQ(&f, "node:Person", "id,age", "Bob|2\nCharlie|35\nDiana|28\nEve|1\n");
  DUMP_EQ(&f, "edge:Knows", "src,dst", "Bob|Diana\nEve|Bob\n");
  og_graph_free(g2);
  og_store_free(fs);
  mfix_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_basic_statements),
      cmocka_unit_test(test_deletes_and_cascade),
      cmocka_unit_test(test_multi_statement),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_constraints),
      cmocka_unit_test(test_values),
      cmocka_unit_test(test_concurrency),
      cmocka_unit_test(test_fault_sweep),
      cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
