/*
 * test_lower.c — IR lowering: debug renderings of representative queries
 * (Q-TEST of spec/cases/languages-cases.md and the search / mutation shapes).
 * Each row was checked by hand against spec/data.md §8.1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og_test.h"
#include "lang/query.h"
#include "lang/schema.h"

static const char *SCHEMA =
"node Person { name: String @key  age: I32?  tags: [String]?  at: DateTime? }\n"
     "node Company { name: String @key }\n"
     "node Doc { slug: String @key  title: String @index  body: String  embedding: Vector(3) }\n"
     "edge Knows: Person -> Person { since: Date? }\n"
     "edge WorksAt: Person -> Company\n"
     "edge Wrote: Person -> Doc\n"
     "";

static const struct { const char *id, *query, *ir; } ROWS[] = {
    {"Q-TEST get_person",
     "query q($name: String) { match { $p: Person { name: $name } } return { $p.name, $p.age } }",
     "NodeScan $p: Person [name = $name]\n"
     "Project $p.name AS p.name, $p.age AS p.age\n"
     ""},
    {"Q-TEST adults",
     "query q() { match { $p: Person  $p.age > 30 } return { $p.name, $p.age } order { $p.age desc } }",
     "NodeScan $p: Person\n"
     "Filter $p.age > 30\n"
     "Project $p.name AS p.name, $p.age AS p.age\n"
     "Order $p.age DESC\n"
     ""},
    {"Q-TEST friends_of_friends",
     "query q($name: String) { match { $p: Person { name: $name }  $p knows $mid  $mid knows $fof } return { $fof.name } }",
     "NodeScan $p: Person [name = $name]\n"
     "Expand $p -[Knows out 1..1]-> $mid: Person\n"
     "Expand $mid -[Knows out 1..1]-> $fof: Person\n"
     "Project $fof.name AS fof.name\n"
     ""},
    {"Q-TEST unemployed (Q06/R08)",
     "query q() { match { $p: Person  not { $p worksAt $_ } } return { $p.name } }",
     "NodeScan $p: Person\n"
     "AntiJoin\n"
     "  Expand $p -[WorksAt out 1..1]-> $_: Company\n"
     "Project $p.name AS p.name\n"
     ""},
    {"Q-TEST friend_counts (R10)",
     "query q() { match { $p: Person  $p knows $f } return { $p.name  count($f) as friends } order { friends desc } limit 20 }",
     "NodeScan $p: Person\n"
     "Expand $p -[Knows out 1..1]-> $f: Person\n"
     "Aggregate key $p.name AS p.name, agg count($f) AS friends\n"
     "Order #1(friends) DESC\n"
     "Limit 20\n"
     ""},
    {"Q-TEST total_people (R11)",
     "query q() { match { $p: Person } return { count($p) as total } }",
     "NodeScan $p: Person\n"
     "Aggregate agg count($p) AS total\n"
     ""},
    {"R28 deferred destination binding",
     "query q() { match { $p: Person  $p worksAt $c  $c: Company { name: \"Acme\" } } return { $p.name, $c.name } }",
     "NodeScan $p: Person\n"
     "Expand $p -[WorksAt out 1..1]-> $c: Company [name = \"Acme\"]\n"
     "Project $p.name AS p.name, $c.name AS c.name\n"
     ""},
    {"employees_of reverse expand",
     "query q($company: String) { match { $c: Company { name: $company }  $p worksAt $c } return { $p.name } }",
     "NodeScan $c: Company [name = $company]\n"
     "Expand $c -[WorksAt in 1..1]-> $p: Person\n"
     "Project $p.name AS p.name\n"
     ""},
    {"cross join of independent roots",
     "query q() { match { $p: Person  $c: Company } return { $p.name, $c.name } }",
     "NodeScan $p: Person\n"
     "CrossJoin\n"
     "  NodeScan $c: Company\n"
     "Project $p.name AS p.name, $c.name AS c.name\n"
     ""},
    {"cycle closing",
     "query q() { match { $p: Person  $p knows $f  $f knows $p } return { $p.name } }",
     "NodeScan $p: Person\n"
     "Expand $p -[Knows out 1..1]-> $f: Person\n"
     "Expand $f -[Knows out 1..1]-> $__temp_p: Person check $__temp_p.id = $p.id\n"
     "Project $p.name AS p.name\n"
     ""},
    {"R50 implicit scan (rec)",
     "query q() { match { $a knows $b } return { $b.name } }",
     "NodeScan $a: Person\n"
     "Expand $a -[Knows out 1..1]-> $b: Person\n"
     "Project $b.name AS b.name\n"
     ""},
    {"R19/R20 negations",
     "query q() { match { $p: Person  not { $p worksAt $c  $c: Company { name: \"Acme\" } }  not { $p.age > 30 } } return { $p.name } }",
     "NodeScan $p: Person\n"
     "AntiJoin\n"
     "  Expand $p -[WorksAt out 1..1]-> $c: Company [name = \"Acme\"]\n"
     "AntiJoin\n"
     "  Filter $p.age > 30\n"
     "Project $p.name AS p.name\n"
     ""},
    {"R40 search hoisted; fuzzy on traversed var stays a filter (rec)",
     "query q($q: String) { match { $d: Doc  search($d.title, $q)  $p wrote $d  fuzzy($p.name, $q, 1) } return { $d.slug } }",
     "NodeScan $d: Doc text [search($d.title, $q)]\n"
     "Expand $d -[Wrote in 1..1]-> $p: Person\n"
     "Filter fuzzy($p.name, $q, 1) = true\n"
     "Project $d.slug AS d.slug\n"
     ""},
    {"R43 nearest",
     "query q($q: Vector(3)) { match { $d: Doc  $d.slug != \"x\" } return { $d.slug, nearest($d.embedding, $q) as dist } order { nearest($d.embedding, $q) } limit 3 }",
     "NodeScan $d: Doc\n"
     "VectorTopK $d nearest($d.embedding, $q) k=3\n"
     "Filter $d.slug != \"x\"\n"
     "Project $d.slug AS d.slug, nearest($d.embedding, $q) AS dist\n"
     "Limit 3\n"
     ""},
    {"R44 bm25",
     "query q($q: String) { match { $d: Doc } return { $d.slug, bm25($d.title, $q) as s } order { bm25($d.title, $q) desc } limit 5 }",
     "NodeScan $d: Doc\n"
     "Bm25Rank $d bm25($d.title, $q) k=5\n"
     "Project $d.slug AS d.slug, bm25($d.title, $q) AS s\n"
     "Limit 5\n"
     ""},
    {"rrf",
     "query q($vq: Vector(3), $tq: String) { match { $d: Doc } return { $d.slug } order { rrf(nearest($d.embedding, $vq), bm25($d.title, $tq), 60) } limit 5 }",
     "NodeScan $d: Doc\n"
     "Rrf $d rrf(nearest($d.embedding, $vq), bm25($d.title, $tq), 60) k=5\n"
     "Project $d.slug AS d.slug\n"
     "Limit 5\n"
     ""},
    {"list membership, now(), hops, anonymous",
     "query q() { match { $p: Person { tags: \"x\", at: now() }  $p knows{1,3} $_ } return { $p, now() as ts } }",
     "NodeScan $p: Person [tags contains \"x\", at = now()]\n"
     "Expand $p -[Knows out 1..3]-> $_: Person\n"
     "Project $p AS p, now() AS ts\n"
     ""},
    {"mutation statements in order",
     "query q($n: String, $a: I32) { insert Person { name: $n, age: $a } insert Knows { from: $n, to: \"Bob\" } update Person set { at: now() } where name = $n delete Knows where to = \"Bob\" delete Person where age < 3 }",
     "Insert node Person {name: $n, age: $a}\n"
     "Insert edge Knows {from: $n, to: \"Bob\"}\n"
     "Update node Person set {at: now()} where name = $n\n"
     "Delete edge Knows where to = \"Bob\"\n"
     "Delete node Person where age < 3\n"
     ""},
    {"score aliases in return and order (rec)",
     "query q($q: String) { match { $d: Doc } return { $d.slug, bm25($d.title, $q) as s, s as again } order { again desc, $d.slug } limit 2 }",
     "NodeScan $d: Doc\n"
     "Project $d.slug AS d.slug, bm25($d.title, $q) AS s, s=#1 AS again\n"
     "Order #2(again) DESC, $d.slug ASC\n"
     "Limit 2\n"},
    {"rrf through an alias ranks",
     "query q($vq: Vector(3), $tq: String) { match { $d: Doc } return { $d.slug, rrf(nearest($d.embedding, $vq), bm25($d.title, $tq)) as r } order { r desc } limit 5 }",
     "NodeScan $d: Doc\n"
     "Rrf $d rrf(nearest($d.embedding, $vq), bm25($d.title, $tq)) k=5\n"
     "Project $d.slug AS d.slug, rrf(nearest($d.embedding, $vq), bm25($d.title, $tq)) AS r\n"
     "Limit 5\n"},
    {"mutation predicate on a list property is membership",
     "query q() { delete Person where tags = \"x\" }",
     "Delete node Person where tags contains \"x\"\n"},
    {"§5.3 fractional literal kept as a float (rec)",
     "query q() { match { $p: Person  $p.age < 30.5 } return { $p.name } }",
     "NodeScan $p: Person\n"
     "Filter $p.age < 30.5\n"
     "Project $p.name AS p.name\n"},
};

static void test_renderings(void **state) {
  (void)state;
  og_catalog *cat = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_compile(SCHEMA, strlen(SCHEMA), &cat, &err), &err);
  for (size_t k = 0; k < sizeof ROWS / sizeof ROWS[0]; k++) {
    og_qfile *f = NULL;
    og_qtyped *t = NULL;
    og_qir *ir = NULL;
    og_buf b = OG_BUF_INIT;
    OG_ASSERT_OK(og_qfile_parse(ROWS[k].query, strlen(ROWS[k].query), &f, &err), &err);
    OG_ASSERT_OK(og_query_check(cat, &f->decls[0], &t, &err), &err);
    OG_ASSERT_OK(og_query_lower(t, &ir, &err), &err);
    OG_ASSERT_OK(og_qir_render(ir, &b), &err);
    if (strcmp(b.ptr ? b.ptr : "", ROWS[k].ir) != 0)
      fail_msg("[%s] IR differs:\n--- got\n%s--- want\n%s", ROWS[k].id, b.ptr ? b.ptr : "", ROWS[k].ir);
    og_buf_dispose(&b);
    og_qir_free(ir);
    og_qtyped_free(t);
    og_qfile_free(f);
  }
  og_catalog_free(cat);
}

static void test_structure(void **state) {
  (void)state;
  og_catalog *cat = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_compile(SCHEMA, strlen(SCHEMA), &cat, &err), &err);
  const char *src = "query q($name: String) { match { $p: Person { name: $name, tags: \"x\" }  $p knows{1,3} $f } "
                    "return { $f.name as n } order { n desc } limit 4 }";
  og_qfile *f = NULL;
  og_qtyped *t = NULL;
  og_qir *ir = NULL;
  OG_ASSERT_OK(og_qfile_parse(src, strlen(src), &f, &err), &err);
  OG_ASSERT_OK(og_query_check(cat, &f->decls[0], &t, &err), &err);
  OG_ASSERT_OK(og_query_lower(t, &ir, &err), &err);
  assert_int_equal(ir->pipe.n_ops, 5);
  const og_qir_op *scan = &ir->pipe.ops[0];
  assert_int_equal(scan->kind, OG_QIR_NODE_SCAN);
  assert_string_equal(scan->type_name, "Person");
  assert_int_equal(scan->n_preds, 2);
  assert_int_equal(scan->preds[0].op, OG_QOP_EQ);
  assert_int_equal(scan->preds[0].value.kind, OG_QVAL_VAR);
  assert_int_equal(scan->preds[1].op, OG_QOP_CONTAINS);
  assert_true(scan->preds[1].prop_type.list);
  const og_qir_op *ex = &ir->pipe.ops[1];
  assert_int_equal(ex->kind, OG_QIR_EXPAND);
  assert_string_equal(ex->edge, "Knows");
  assert_int_equal(ex->dir, OG_QDIR_OUT);
  assert_int_equal(ex->min_hops, 1);
  assert_int_equal(ex->max_hops, 3);
  assert_string_equal(ex->dst, "f");
  assert_int_equal(ir->pipe.ops[2].kind, OG_QIR_PROJECT);
  assert_string_equal(ir->pipe.ops[2].projs[0].column, "n");
  assert_int_equal(ir->pipe.ops[3].kind, OG_QIR_ORDER);
  assert_string_equal(ir->pipe.ops[3].keys[0].column, "n");
  assert_int_equal(ir->pipe.ops[3].keys[0].proj, 0);
  assert_int_equal(ir->pipe.ops[2].projs[0].ref, -1);
  assert_true(ir->pipe.ops[3].keys[0].desc);
  assert_int_equal(ir->pipe.ops[4].kind, OG_QIR_LIMIT);
  assert_int_equal(ir->pipe.ops[4].limit, 4);
  og_qir_free(ir);
  og_qtyped_free(t);
  og_qfile_free(f);
  og_catalog_free(cat);
}

/* check + lower cost O(size): a reversed traversal chain (each step becomes
 * ready only after the previous one), many negations, params and aliases */
static uint64_t time_big(const og_catalog *cat, int n) {
  og_buf q = OG_BUF_INIT;
  og_buf_puts(&q, "query q(");
  for (int k = 0; k < n; k++) og_buf_printf(&q, "%s$p%d: String", k ? ", " : "", k);
  og_buf_puts(&q, ") { match { $a0: Person { name: $p0 } ");
  for (int k = n - 1; k >= 0; k--) og_buf_printf(&q, " $a%d knows $a%d", k, k + 1);
  for (int k = 0; k < n; k++) og_buf_printf(&q, " not { $a%d.name = $p%d }", k, k);
  og_buf_puts(&q, " } return { ");
  for (int k = 0; k < n; k++) og_buf_printf(&q, "$a%d.name as n%d ", k, k);
  og_buf_puts(&q, "} order { ");
  for (int k = 0; k < n; k++) og_buf_printf(&q, "%sn%d", k ? ", " : "", k);
  og_buf_puts(&q, " } }");
  og_error err = OG_ERROR_INIT;
  og_qfile *f = NULL;
  og_qtyped *t = NULL;
  og_qir *ir = NULL;
  uint64_t t0 = og_monotonic_ns();
  OG_ASSERT_OK(og_qfile_parse(q.ptr, q.len, &f, &err), &err);
  OG_ASSERT_OK(og_query_check(cat, &f->decls[0], &t, &err), &err);
  OG_ASSERT_OK(og_query_lower(t, &ir, &err), &err);
  uint64_t dt = og_monotonic_ns() - t0;
  /* scan, then the n expands in chain order */
  assert_int_equal(ir->pipe.ops[1].kind, OG_QIR_EXPAND);
  assert_string_equal(ir->pipe.ops[1].dst, "a1");
  assert_int_equal(ir->pipe.ops[n].kind, OG_QIR_EXPAND);
  assert_int_equal(atoi(ir->pipe.ops[n].dst + 1), n);
  og_qir_free(ir);
  og_qtyped_free(t);
  og_qfile_free(f);
  og_buf_dispose(&q);
  return dt;
}

static void test_linear_size(void **state) {
  (void)state;
  og_catalog *cat = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_compile(SCHEMA, strlen(SCHEMA), &cat, &err), &err);
  uint64_t small = time_big(cat, 1000), large = time_big(cat, 8000);
  double ratio = (double)large / (double)(small ? small : 1);
  print_message("check+lower: 1000 -> %.1f ms, 8000 -> %.1f ms\n", small / 1e6, large / 1e6);
  if (ratio > 40.0) fail_msg("check+lower time ratio %.1f for 8x input: not linear", ratio);
  og_catalog_free(cat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_renderings),
      cmocka_unit_test(test_structure),
      cmocka_unit_test(test_linear_size),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
