/*
 * test_query_parse.c — `.gq` parser: acceptance cases Q01–Q25 of
 * spec/cases/languages-cases.md (case id in each row), positions, round
 * trips through og_qdecl_render, linear-time parsing of a 1,000-query file.
 */
#include <stdio.h>
#include <string.h>

#include "og_test.h"
#include "lang/query.h"

static og_qfile *parse_ok(const char *src) {
  og_qfile *f = NULL;
  og_error err = OG_ERROR_INIT;
  og_status rc = og_qfile_parse(src, strlen(src), &f, &err);
  if (rc != OG_OK) fail_msg("parse failed: %s\n%s", err.message, src);
  return f;
}

static void parse_err(const char *id, const char *src, const char *needle) {
  og_qfile *f = NULL;
  og_error err = OG_ERROR_INIT;
  og_status rc = og_qfile_parse(src, strlen(src), &f, &err);
  if (rc != OG_EPARSE) fail_msg("[%s] expected a parse error, got %d for:\n%s", id, rc, src);
  assert_null(f);
  if (strncmp(err.message, "parse error: ", 13) != 0) fail_msg("[%s] bad prefix: %s", id, err.message);
  if (needle && !strstr(err.message, needle)) fail_msg("[%s] '%s' not in '%s'", id, needle, err.message);
  if (err.line < 1 || err.column < 1) fail_msg("[%s] no position: %s", id, err.message);
}

static const char *Q_TEST =
    "query get_person($name: String) { match { $p: Person { name: $name } } return { $p.name, $p.age } }\n"
    "query adults() { match { $p: Person  $p.age > 30 } return { $p.name, $p.age } order { $p.age desc } }\n"
    "query friends_of($name: String) { match { $p: Person { name: $name }  $p knows $f } return { $f.name, $f.age } }\n"
    "query employees_of($company: String) { match { $c: Company { name: $company }  $p worksAt $c } return { $p.name } }\n"
    "query friends_of_friends($name: String) { match { $p: Person { name: $name }  $p knows $mid  $mid knows $fof } return { $fof.name } }\n"
    "query unemployed() { match { $p: Person  not { $p worksAt $_ } } return { $p.name } }\n"
    "query friend_counts() { match { $p: Person  $p knows $f } return { $p.name  count($f) as friends } order { friends desc } limit 20 }\n"
    "query top_by_age() { match { $p: Person } return { $p.name, $p.age } order { $p.age desc } limit 2 }\n"
    "query total_people() { match { $p: Person } return { count($p) as total } }\n"
    "query age_stats() { match { $p: Person  $p worksAt $c }\n"
    "  return { $c.name  sum($p.age) as total_age  avg($p.age) as avg_age  min($p.age) as youngest  max($p.age) as oldest  count($p) as headcount } }\n"
    "query top_connected() { match { $p: Person  $p knows $f } return { $p.name, count($f) as friends } order { friends desc } limit 1 }\n";

static void test_q01_basic(void **state) {
  (void)state;
  og_qfile *f = parse_ok(Q_TEST);
  assert_int_equal(f->n_decls, 11);
  const og_qdecl *d = og_qfile_find(f, "get_person"); /* Q01 */
  assert_non_null(d);
  assert_int_equal(d->n_params, 1);
  assert_string_equal(d->params[0].name, "name");
  assert_int_equal(d->n_clauses, 1);
  assert_int_equal(d->n_projs, 2);
  assert_false(d->is_mutation);
  assert_int_equal(d->clauses[0].kind, OG_QC_BINDING);
  assert_int_equal(d->clauses[0].pmatches[0].value.kind, OG_QVAL_VAR);
  d = og_qfile_find(f, "adults"); /* Q04 */
  assert_int_equal(d->n_params, 0);
  assert_int_equal(d->n_clauses, 2);
  assert_int_equal(d->n_orders, 1);
  assert_true(d->orders[0].desc);
  d = og_qfile_find(f, "unemployed"); /* Q06 */
  assert_int_equal(d->clauses[1].kind, OG_QC_NOT);
  assert_int_equal(d->clauses[1].n_inner, 1);
  assert_int_equal(d->clauses[1].inner[0].kind, OG_QC_TRAVERSAL);
  assert_string_equal(d->clauses[1].inner[0].dst, "_");
  assert_int_equal(d->clauses[1].inner[0].min_hops, 1);
  assert_int_equal(d->clauses[1].inner[0].max_hops, 1);
  d = og_qfile_find(f, "friend_counts"); /* Q07 */
  assert_int_equal(d->n_projs, 2);
  assert_int_equal(d->projs[1].expr->kind, OG_QE_AGG);
  assert_int_equal(d->projs[1].expr->agg, OG_QA_COUNT);
  assert_string_equal(d->projs[1].alias, "friends");
  assert_true(d->has_limit);
  assert_int_equal(d->limit, 20);
  assert_null(og_qfile_find(f, "nope"));
  og_qfile_free(f);
}

static void test_q03_q09_annotations_multi(void **state) {
  (void)state;
  /* Q03 */
  parse_err("Q03",
            "query q() @description(\"a\") @description(\"b\") { match { $p: Person } return { $p.name } }",
            "query `q` cannot include duplicate @description annotations");
  og_qfile *f = parse_ok(
      "query q() @description(\"Friends\") @instruction(\"Use it\") { match { $p: Person } return { $p } }\n"
      "query r() { match { $p: Person } return { $p } }");
  assert_int_equal(f->n_decls, 2); /* Q09 */
  assert_string_equal(f->decls[0].description, "Friends");
  assert_string_equal(f->decls[0].instruction, "Use it");
  const og_qdecl *d = NULL;
  og_error err = OG_ERROR_INIT;
  assert_int_equal(og_qfile_select(f, NULL, &d, &err), OG_EINVAL);
  assert_non_null(strstr(err.message, "query file contains multiple queries; pass --name"));
  assert_int_equal(og_qfile_select(f, "zz", &d, &err), OG_EINVAL);
  assert_non_null(strstr(err.message, "query 'zz' not found"));
  OG_ASSERT_OK(og_qfile_select(f, "r", &d, &err), &err);
  assert_string_equal(d->name, "r");
  og_qfile_free(f);
}

static void test_q10_escapes(void **state) {
  (void)state;
  og_qfile *f = parse_ok(
      "query q() { match { $p: Person  $p.name = \"Bob\\n\\\"Builder\\\"\\t\\\\\" } return { $p.name } }");
  const og_qclause *c = &f->decls[0].clauses[1];
  assert_int_equal(c->kind, OG_QC_FILTER);
  assert_string_equal(c->right->lit.s, "Bob\n\"Builder\"\t\\");
  og_qfile_free(f);
  parse_err("Q10", "query q() { match { $p: Person  $p.name = \"Bob\\q\" } return { $p.name } }",
            "unsupported escape sequence");
}

static void test_q12_q13_contains_mutations(void **state) {
  (void)state;
  og_qfile *f = parse_ok("query q($tag: String) { match { $p: Person  $p.tags contains $tag } return { $p.name } }");
  const og_qclause *c = &f->decls[0].clauses[1];
  assert_int_equal(c->op, OG_QOP_CONTAINS);
  assert_int_equal(c->left->kind, OG_QE_PROP);
  assert_string_equal(c->left->var, "p");
  assert_string_equal(c->left->name, "tags");
  assert_int_equal(c->right->kind, OG_QE_VAR);
  assert_string_equal(c->right->var, "tag");
  og_qfile_free(f);
  parse_err("Q12", "query q($tag: String) { delete Person where tags contains $tag }", "contains");

  f = parse_ok(
      "query a($name: String, $age: I32) { insert Person {\n name: $name\n age: $age\n } }\n"
      "query b($name: String, $age: I32) { update Person set { age: $age } where name = $name }\n"
      "query c($name: String) { delete Person where name = $name }\n"
      "query d($name: String, $age: I32, $friend: String) {\n"
      "  insert Person { name: $name, age: $age }\n  insert Knows { from: $name, to: $friend } }\n"
      "query e($name: String, $age: I32, $victim: String) { insert Person { name: $name, age: $age }\n"
      "  delete Person where name = $victim }\n");
  assert_int_equal(f->n_decls, 5);
  const og_qdecl *d = &f->decls[0]; /* Q13 */
  assert_true(d->is_mutation);
  assert_int_equal(d->n_muts, 1);
  assert_int_equal(d->muts[0].n_assigns, 2);
  d = &f->decls[1];
  assert_int_equal(d->muts[0].kind, OG_QM_UPDATE);
  assert_int_equal(d->muts[0].n_assigns, 1);
  assert_string_equal(d->muts[0].pred_prop, "name");
  assert_int_equal(d->muts[0].pred_op, OG_QOP_EQ);
  assert_int_equal(f->decls[2].muts[0].kind, OG_QM_DELETE);
  assert_int_equal(f->decls[3].n_muts, 2);
  assert_int_equal(f->decls[4].n_muts, 2);
  og_qfile_free(f);
}

static void test_q15_q22_search(void **state) {
  (void)state;
  og_qfile *f = parse_ok(
      "query a() { match { $p: Person { tags: [\"rust\", \"db\"] } } return { $p.name } }\n" /* Q15 */
      "query similar($q: Vector(3)) { match { $d: Doc } return { $d.slug } order { nearest($d.embedding, $q) } limit 5 }\n"
      "query b($q: Vector( 3 ) ?) { match { $d: Doc } return { $d.slug } }\n"
      "query c($q: Vector(3)) { match { $d: Doc } return { $d.id, nearest($d.embedding, $q) as score } }\n"
      "query d($q: String) { match { $s: Doc } return { $s.slug, bm25($s.summary, $q) as score } order { bm25($s.summary, $q) desc } limit 5 }\n"
      "query e($vq: Vector(3), $tq: String) { match { $s: Doc } return { $s.slug } order { rrf(nearest($s.embedding, $vq), bm25($s.summary, $tq), 60) desc } limit 5 }\n");
  const og_qlit *l = &f->decls[0].clauses[0].pmatches[0].value.lit;
  assert_int_equal(l->kind, OG_QL_LIST);
  assert_int_equal(l->n_items, 2);
  const og_qdecl *d = &f->decls[1]; /* Q16 */
  assert_string_equal(d->params[0].type_text, "Vector(3)");
  assert_int_equal(d->params[0].type.dim, 3);
  assert_false(d->params[0].type.nullable);
  assert_int_equal(d->orders[0].expr->kind, OG_QE_NEAREST);
  assert_string_equal(d->orders[0].expr->var, "d");
  assert_string_equal(d->orders[0].expr->name, "embedding");
  assert_false(d->orders[0].desc);
  d = &f->decls[2];
  assert_string_equal(d->params[0].type_text, "Vector(3)");
  assert_true(d->params[0].type.nullable);
  d = &f->decls[3]; /* Q19 */
  assert_int_equal(d->projs[1].expr->kind, OG_QE_NEAREST);
  assert_string_equal(d->projs[1].alias, "score");
  d = &f->decls[4]; /* Q21 */
  assert_int_equal(d->projs[1].expr->kind, OG_QE_BM25);
  assert_true(d->orders[0].desc);
  d = &f->decls[5];
  const og_qexpr *r = d->orders[0].expr;
  assert_int_equal(r->kind, OG_QE_RRF);
  assert_int_equal(r->nargs, 3);
  assert_int_equal(r->args[0]->kind, OG_QE_NEAREST);
  assert_int_equal(r->args[1]->kind, OG_QE_BM25);
  assert_int_equal(r->args[2]->lit.i, 60);
  assert_true(d->orders[0].desc);
  og_qfile_free(f);
  parse_err("Q18",
            "query q($q: Vector(3)) { match { $d: Doc } return { $d.slug } order { nearest($d.embedding, $q) desc } limit 5 }",
            "nearest");
  parse_err("Q22",
            "query q($q: String) { match { $d: Doc } return { $d.slug } order { rrf(bm25($d.id_str, $q), search($d.id_str, $q), 60) } limit 3 }",
            "rrf arguments must be nearest(...) or bm25(...)");
}

static void test_q24_restrictions(void **state) {
  (void)state;
  static const struct { const char *id, *src, *needle; } rows[] = {
      {"Q24 uppercase name", "query GetPerson() { match { $p: Person } return { $p.name } }", "lowercase"},
      {"Q24 trailing comma", "query q($a: String,) { match { $p: Person } return { $p.name } }", NULL},
      {"Q24 empty match", "query q() { match { } return { $p.name } }", "at least one"},
      {"Q24 empty return", "query q() { match { $p: Person } return { } }", "at least one"},
      {"Q24 bounds no comma", "query q() { match { $p: Person  $p knows{2} $f } return { $f.name } }", "{min,max}"},
      {"Q24 uppercase edge", "query q() { match { $p: Person  $p Knows $f } return { $f.name } }", "lowercase"},
      {"Q24 negative literal", "query q() { match { $p: Person  $p.age > -1 } return { $p.name } }", "negative"},
      {"Q24 null literal", "query q() { update Person set { age: null } where name = \"x\" }", "expected a value"},
      {"Q24 unknown annotation", "query q() @tag(\"x\") { match { $p: Person } return { $p.name } }", "@description"},
      {"Q24 match + insert", "query q() { match { $p: Person } return { $p.name } insert Person { name: \"x\" } }", "mix"},
      {"Q24 insert + match", "query q() { insert Person { name: \"x\" } match { $p: Person } return { $p.name } }", "mix"},
      {"Q24 empty insert", "query q() { insert Person { } }", "at least one assignment"},
      {"Q24 order missing comma", "query q() { match { $p: Person } return { $p.name } order { $p.age desc $p.name } }", NULL},
      {"Q24 unterminated", "query broken(", NULL},
      {"Q24 garbage", "query q() { match { $p: Person } return { $p.name } } }", "`query`"},
      {"Q24 bad char", "query q() { match { $p: Person  $p.age # 3 } return { $p.name } }", NULL},
      {"Q24 unterminated string", "query q() { match { $p: Person  $p.name = \"abc } return { $p.name } }", NULL},
      {"Q24 int overflow", "query q() { match { $p: Person  $p.age > 99999999999999999999 } return { $p.name } }", "range"},
      {"Q24 limit not int", "query q() { match { $p: Person } return { $p.name } limit \"x\" }", NULL},
      {"Q24 param no type", "query q($a) { match { $p: Person } return { $p.name } }", NULL},
      {"Q24 param bad type", "query q($a: Foo) { match { $p: Person } return { $p.name } }", "parameter type"},
      {"Q24 lower type", "query q() { match { $p: person } return { $p.name } }", "type name"},
      {"Q24 mut pred contains", "query q() { delete Person where tags contains \"x\" }", "contains"},
      {"Q24 two preds", "query q() { delete Person where name = \"a\" age = 3 }", NULL},
      {"Q24 enum param", "query q($a: enum(a)) { match { $p: Person } return { $p.name } }", NULL},
      {"Q24 deep not", NULL, "too deep"},
  };
  for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
    if (rows[k].src) {
      parse_err(rows[k].id, rows[k].src, rows[k].needle);
      continue;
    }
    og_buf b = OG_BUF_INIT;
    og_buf_puts(&b, "query q() { match { $p: Person ");
    for (int i = 0; i < 200; i++) og_buf_puts(&b, "not { ");
    og_buf_puts(&b, "$p.age > 3");
    for (int i = 0; i < 200; i++) og_buf_puts(&b, " }");
    og_buf_puts(&b, " } return { $p.name } }");
    parse_err(rows[k].id, b.ptr, rows[k].needle);
    og_buf_dispose(&b);
  }
}

static void test_q25_optional_commas_and_words(void **state) {
  (void)state;
  og_qfile *f = parse_ok(
      "query a() { match { $p: Person } return { $p.name $p.age } }\n"
      "query b($n: String, $a: I32) { insert Person { name: $n age: $a } }\n"
      /* identifiers that start with keywords stay identifiers (§1 quirk fixed) */
      "query c() { match { $p: Person } return { count($p) as true_count } order { true_count desc } }\n"
      "query d() { match { $p: Person { nowhere: true, dates: false } } return { $p.nowhere } }\n"
      "query e() { match { $p: Person  $p.at <= now()  $p.on = date(\"2026-02-14\") } return { now() as ts } }\n"
      "query f() { match { $p: Person  $p knows{1,3} $f  $p . name != \"x\" } return { $f } }\n"
      "query g($q: String) { match { $d: Doc  search($d.title, $q)  fuzzy($d.title, $q, 2)  match_text($d.body, $q) } return { $d.slug } }\n"
      "query h() { match { $a: A  $a contains $b } return { $b } }\n");
  assert_int_equal(f->decls[0].n_projs, 2);
  assert_int_equal(f->decls[1].muts[0].n_assigns, 2);
  assert_string_equal(f->decls[2].projs[0].alias, "true_count");
  assert_int_equal(f->decls[2].orders[0].expr->kind, OG_QE_ALIAS);
  assert_string_equal(f->decls[3].clauses[0].pmatches[0].prop, "nowhere");
  assert_int_equal(f->decls[4].clauses[1].right->kind, OG_QE_NOW);
  assert_int_equal(f->decls[4].clauses[2].right->lit.kind, OG_QL_DATE);
  const og_qclause *t = &f->decls[5].clauses[1];
  assert_int_equal(t->kind, OG_QC_TRAVERSAL);
  assert_int_equal(t->min_hops, 1);
  assert_int_equal(t->max_hops, 3);
  assert_int_equal(f->decls[5].clauses[2].left->kind, OG_QE_PROP);
  assert_int_equal(f->decls[6].clauses[1].kind, OG_QC_SEARCH);
  assert_int_equal(f->decls[6].clauses[2].left->nargs, 3);
  assert_int_equal(f->decls[6].clauses[3].left->kind, OG_QE_MATCH_TEXT);
  assert_int_equal(f->decls[7].clauses[1].kind, OG_QC_TRAVERSAL); /* §3.1: `$a contains $b` is a traversal */
  og_qfile_free(f);
  f = parse_ok("query q() { match { $p: Person  $p knows{1,} $f } return { $f } }");
  assert_false(f->decls[0].clauses[1].has_max);
  og_qfile_free(f);
}

static void test_error_position(void **state) {
  (void)state;
  og_qfile *f = NULL;
  og_error err = OG_ERROR_INIT;
  const char *src = "query q() {\n  match {\n    $p: Person\n    $p.age > \n  }\n  return { $p.name }\n}";
  assert_int_equal(og_qfile_parse(src, strlen(src), &f, &err), OG_EPARSE);
  assert_int_equal(err.line, 5);
  assert_int_equal(err.column, 3);
  assert_non_null(strstr(err.message, "line 5, column 3"));
}

static void round_trip(const char *src) {
  og_qfile *f = parse_ok(src);
  for (size_t k = 0; k < f->n_decls; k++) {
    og_buf a = OG_BUF_INIT, b = OG_BUF_INIT;
    OG_ASSERT_OK(og_qdecl_render(&f->decls[k], &a), (&(og_error)OG_ERROR_INIT));
    og_qfile *g = parse_ok(a.ptr);
    assert_int_equal(g->n_decls, 1);
    og_qdecl_render(&g->decls[0], &b);
    if (strcmp(a.ptr, b.ptr) != 0) fail_msg("round trip differs:\n%s\n---\n%s", a.ptr, b.ptr);
    og_qfile_free(g);
    og_buf_dispose(&a);
    og_buf_dispose(&b);
  }
  og_qfile_free(f);
}

static void test_round_trip(void **state) {
  (void)state;
  round_trip(Q_TEST);
  round_trip(
      "query a($n: String, $a: I32?, $t: [String], $v: Vector(4)?) @description(\"d \\\"q\\\"\") @instruction(\"i\") {\n"
      "  match { $p: Person { name: $n, age: 3, score: 1.25, on: date(\"2020-01-01\"), at: datetime(\"2020-01-01T00:00:00Z\"), tags: [\"a\", \"b\"] }\n"
      "  $p knows{1,3} $f  not { $f worksAt $_  $f.age >= 10 }  $p.tags contains \"x\"  search($p.name, $n)\n"
      "  fuzzy($p.name, $n, 1) }\n"
      "  return { $p.name as n, $f, count($f) as c, nearest($p.v, $v) as d, rrf(nearest($p.v, $v), bm25($p.name, $n)) as r, now() as t, 0.1 }\n"
      "  order { nearest($p.v, $v), n desc, $p.age asc } limit 7 }\n"
      "query m($n: String) { insert Person { name: $n, age: 3 } update Person set { at: now() } where name = $n delete Knows where from != \"x\" }\n");
}

static void test_params_catalog_json(void **state) {
  (void)state;
  og_qfile *f = parse_ok(
      "query q($s: String, $b: Bool?, $i: I32, $u: U32, $l: I64, $w: U64, $f: F32, $d: Date, $t: DateTime, "
      "$x: Blob, $v: Vector(4)?, $tags: [String], $ns: [I64]?) { match { $p: P } return { $p } }");
  og_buf b = OG_BUF_INIT;
  OG_ASSERT_OK(og_qdecl_params_json(&f->decls[0], &b), (&(og_error)OG_ERROR_INIT));
  assert_string_equal(
      b.ptr,
      "[{\"name\":\"s\",\"kind\":\"string\",\"nullable\":false},{\"name\":\"b\",\"kind\":\"bool\",\"nullable\":true},"
      "{\"name\":\"i\",\"kind\":\"int\",\"nullable\":false},{\"name\":\"u\",\"kind\":\"int\",\"nullable\":false},"
      "{\"name\":\"l\",\"kind\":\"bigint\",\"nullable\":false},{\"name\":\"w\",\"kind\":\"bigint\",\"nullable\":false},"
      "{\"name\":\"f\",\"kind\":\"float\",\"nullable\":false},{\"name\":\"d\",\"kind\":\"date\",\"nullable\":false},"
      "{\"name\":\"t\",\"kind\":\"datetime\",\"nullable\":false},{\"name\":\"x\",\"kind\":\"blob\",\"nullable\":false},"
      "{\"name\":\"v\",\"kind\":\"vector\",\"vector_dim\":4,\"nullable\":true},"
      "{\"name\":\"tags\",\"kind\":\"list\",\"item_kind\":\"string\",\"nullable\":false},"
      "{\"name\":\"ns\",\"kind\":\"list\",\"item_kind\":\"bigint\",\"nullable\":true}]");
  og_buf_dispose(&b);
  og_qfile_free(f);
}

/* A 1,000-query file and 8x that parse completely. Linearity itself is a
 * benchmark figure (wall-clock ratios are noise on a shared 2-core machine),
 * so this test checks the work instead: the parse arena of 8x the input
 * stays within 8x (+slack) of the 1x arena — a quadratic structure would not. */
static void test_linear_1000(void **state) {
  (void)state;
  og_buf b = OG_BUF_INIT;
  for (int k = 0; k < 1000; k++)
    og_buf_printf(&b,
                  "query q%d($name: String) { match { $p: Person { name: $name }  $p knows $f  not { $f worksAt $_ } } "
                  "return { $f.name, count($f) as c } order { c desc } limit 10 }\n",
                  k);
  og_buf big = OG_BUF_INIT;
  for (int k = 0; k < 8; k++) og_buf_put(&big, b.ptr, b.len);
  og_qfile *f = parse_ok(b.ptr);
  assert_int_equal(f->n_decls, 1000);
  size_t one = f->arena.total;
  og_qfile_free(f);
  f = parse_ok(big.ptr);
  assert_int_equal(f->n_decls, 8000);
  size_t eight = f->arena.total;
  og_qfile_free(f);
  if (eight > 9 * one) fail_msg("8x input used %zu arena bytes vs %zu for 1x: not linear", eight, one);
  og_buf_dispose(&b);
  og_buf_dispose(&big);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_q01_basic),
      cmocka_unit_test(test_q03_q09_annotations_multi),
      cmocka_unit_test(test_q10_escapes),
      cmocka_unit_test(test_q12_q13_contains_mutations),
      cmocka_unit_test(test_q15_q22_search),
      cmocka_unit_test(test_q24_restrictions),
      cmocka_unit_test(test_q25_optional_commas_and_words),
      cmocka_unit_test(test_error_position),
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_params_catalog_json),
      cmocka_unit_test(test_linear_1000),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
