/*
 * test_typecheck.c — `.gq` type checker: cases T02–T33 of
 * spec/cases/languages-cases.md (case id in each row), plus the
 * mixed-mutation rule we lift (statements apply in order) and the
 * recommended fixes (non-param `$var` in a binding is an error).
 */
#include <stdio.h>
#include <string.h>

#include "og_test.h"
#include "lang/query.h"
#include "lang/schema.h"

#define S_TC                                                                   \
  "node Person { name: String  age: I32? }\n"                                  \
  "node Company { name: String }\n"                                            \
  "edge Knows: Person -> Person { since: Date? }\n"                            \
  "edge WorksAt: Person -> Company { title: String? }\n"
#define S_VEC "node Doc { id_str: String  embedding: Vector(3) }"
#define S_LIST "node Person { name: String  tags: [String]? }"
#define S_EMBED "node Doc { slug: String  body: String?  embedding: Vector(3) @embed(body) }"
#define S_TEST                                                                 \
  "node Person { name: String @key  age: I32? }\n"                             \
  "node Company { name: String @key }\n"                                       \
  "edge Knows: Person -> Person { since: Date? }\n"                            \
  "edge WorksAt: Person -> Company\n"
#define S_EV_DT "node Event { slug: String @key  at: DateTime }"
#define S_EV_D "node Event { slug: String @key  on: Date }"
#define S_TICKET "node Ticket { slug: String @key  status: enum(open, closed, blocked) }"
#define S_F "node F { active: Bool }"
#define S_MISC                                                                 \
  "node Doc { slug: String @key  title: String  content: Blob?  tags: [String]?  n: I64?  emb: Vector(3)? }"

typedef struct row {
  const char *id;
  const char *schema;
  const char *query;
  const char *err; /* NULL = must typecheck */
  const char *err2;
} row;

static og_status check(const char *schema, const char *query, og_error *err) {
  og_catalog *cat = NULL;
  og_qfile *f = NULL;
  og_status rc = og_catalog_compile(schema, strlen(schema), &cat, err);
  if (rc != OG_OK) fail_msg("schema failed: %s\n%s", err->message, schema);
  rc = og_qfile_parse(query, strlen(query), &f, err);
  if (rc != OG_OK) fail_msg("query parse failed: %s\n%s", err->message, query);
  og_qtyped *t = NULL;
  rc = og_query_check(cat, &f->decls[0], &t, err);
  og_qtyped_free(t);
  og_qfile_free(f);
  og_catalog_free(cat);
  return rc;
}

static void run_rows(const row *rows, size_t n) {
  for (size_t k = 0; k < n; k++) {
    og_error err = OG_ERROR_INIT;
    og_status rc = check(rows[k].schema, rows[k].query, &err);
    if (!rows[k].err) {
      if (rc != OG_OK) fail_msg("[%s] expected OK, got: %s\n%s", rows[k].id, err.message, rows[k].query);
      continue;
    }
    if (rc != OG_ETYPE && rc != OG_EINVAL) fail_msg("[%s] expected a type error, got %d (%s)", rows[k].id, rc, err.message);
    if (!strstr(err.message, rows[k].err))
      fail_msg("[%s] '%s' not in '%s'", rows[k].id, rows[k].err, err.message);
    if (rows[k].err2 && !strstr(err.message, rows[k].err2))
      fail_msg("[%s] '%s' not in '%s'", rows[k].id, rows[k].err2, err.message);
    if (rc == OG_ETYPE && strncmp(err.message, "type error: ", 12) != 0)
      fail_msg("[%s] missing prefix: %s", rows[k].id, err.message);
    if (rc == OG_ETYPE && err.line < 1) fail_msg("[%s] no position: %s", rows[k].id, err.message);
  }
}

#define Q(match, ret) "query q() { match { " match " } return { " ret " } }"

static const row READ_ROWS[] = {
    {"T02 T1", S_TC, Q("$p: Foo", "$p"), "T1: unknown node type `Foo`", NULL},
    {"T02 edge not bindable", S_TC, Q("$p: Knows", "$p"), "T1", NULL},
    {"T03 T2", S_TC, Q("$p: Person { salary: 100 }", "$p"), "T2: type `Person` has no property `salary`", NULL},
    {"T03 T3 literal", S_TC, Q("$p: Person { age: \"x\" }", "$p"), "T3: property `age` has type I32? but got String", NULL},
    {"T03 numeric literal ok", S_TC, Q("$p: Person { age: 30 }", "$p"), NULL, NULL},
    {"T03 float literal on int ok", S_TC, Q("$p: Person { age: 30.5 }", "$p"), NULL, NULL},
    {"§5.3 fractional literal on an int column (rec: no truncation)", S_TC, Q("$p: Person  $p.age < 30.5", "$p.name"),
     NULL, NULL},
    {"T05 membership literal", S_LIST, Q("$p: Person { tags: \"rust\" }", "$p.name"), NULL, NULL},
    {"T05 membership param", S_LIST,
     "query q($tag: String) { match { $p: Person { tags: $tag } } return { $p.name } }", NULL, NULL},
    {"T05 list equality", S_LIST, Q("$p: Person { tags: [\"rust\"] }", "$p.name"), "list equality is not supported",
     "membership"},
    {"T05 membership wrong type", S_LIST, Q("$p: Person { tags: 5 }", "$p.name"),
     "T3: property `tags` has type [String]? but membership match got I64", NULL},
    {"T05 list param", S_LIST, "query q($t: [String]) { match { $p: Person { tags: $t } } return { $p.name } }",
     "T7: list equality is not supported for property `tags`; use a scalar parameter for membership matching", NULL},
    {"T05 membership param type", S_LIST, "query q($t: I64) { match { $p: Person { tags: $t } } return { $p.name } }",
     "T7: cannot compare I64 membership against [String]? for property `tags`", NULL},
    {"T05 param type", S_TC, "query q($n: I64) { match { $p: Person { name: $n } } return { $p.name } }",
     "T7: cannot assign/compare I64 with String for property `name`", NULL},
    {"T06 contains param", S_LIST,
     "query q($tag: String) { match { $p: Person  $p.tags contains $tag } return { $p.name } }", NULL, NULL},
    {"T06 contains literal", S_LIST,
     "query q($tags: [String], $days: [Date]?) { match { $p: Person  $p.tags contains \"friend\" } return { $p.tags, $tags, $days } }",
     NULL, NULL},
    {"T06 contains non-list", S_TC, Q("$p: Person  $p.name contains \"Al\"", "$p"),
     "contains requires a list property on the left", NULL},
    {"T06 contains list right", S_LIST, Q("$p: Person  $p.tags contains [\"rust\"]", "$p"),
     "contains requires a scalar right operand", NULL},
    {"T06 contains element type", S_LIST, Q("$p: Person  $p.tags contains 5", "$p"),
     "T7: cannot test membership of I64 in [String]?", NULL},
    {"T08 T5", S_TC, Q("$c: Company  $c knows $f", "$f"), "T5", NULL},
    {"T08 T5 dst", S_TC, Q("$p: Person  $c: Company  $p knows $c", "$p"),
     "T5: variable `$c` has type `Company` but edge `Knows` expects `Person`", NULL},
    {"T08 T5 text", S_TC, Q("$c: Company  $c knows $f", "$f"),
     "T5: variable `$c` has type `Company`, which is not an endpoint of edge `Knows: Person -> Person`", NULL},
    {"T08 T4", S_TC, Q("$p: Person  $p likes $f", "$f"), "T4: unknown edge type `likes`", NULL},
    {"T08 case-insensitive edge", S_TC, Q("$p: Person  $p kNOWS $f  $p worksat $c", "$f.name, $c.name"), NULL, NULL},
    {"T08 works_at is not WorksAt", S_TC, Q("$p: Person  $p works_at $c", "$c"), "T4", NULL},
    {"T08 reverse traversal", S_TC,
     "query q($company: String) { match { $c: Company { name: $company }  $p worksAt $c } return { $p.name } }", NULL, NULL},
    {"T08 reverse binds source type", S_TC, Q("$c: Company  $p worksAt $c  $p.age > 3", "$p.name"), NULL, NULL},
    {"T09 T6 property", S_TC, Q("$p: Person  $p.salary > 100", "$p"), "T6: type `Person` has no property `salary`", NULL},
    {"T09 T6 unbound", S_TC, Q("$p: Person", "$z.name"), "T6: variable `$z` is not bound", NULL},
    {"T09 id not queryable", S_TC, Q("$p: Person  $p.id = \"x\"", "$p"), "T6", NULL},
    {"T11 T17", S_VEC,
     "query q($q: Vector(3)) { match { $d: Doc } return { $d.id_str } order { nearest($d.embedding, $q) } }", "T17",
     NULL},
    {"T11 limit ok", S_VEC,
     "query q($q: Vector(3)) { match { $d: Doc } return { $d.id_str } order { nearest($d.embedding, $q) } limit 3 }",
     NULL, NULL},
    {"T11 dim", S_VEC,
     "query q($q: Vector(2)) { match { $d: Doc } return { $d.id_str } order { nearest($d.embedding, $q) } limit 3 }",
     "T15: nearest vector dimension mismatch: property is Vector(3), query is Vector(2)", NULL},
    {"T11 string", S_VEC,
     "query q($q: String) { match { $d: Doc } return { $d.id_str } order { nearest($d.embedding, $q) } limit 3 }",
     NULL, NULL},
    {"T12 search", S_TC, "query q($q: String) { match { $p: Person  search($p.name, $q) } return { $p.name } }", NULL,
     NULL},
    {"T12 fuzzy I64", S_TC,
     "query q($q: String, $m: I64) { match { $p: Person  fuzzy($p.name, $q, $m) } return { $p.name } }", NULL, NULL},
    {"T12 fuzzy F64", S_TC,
     "query q($q: String, $m: F64) { match { $p: Person  fuzzy($p.name, $q, $m) } return { $p.name } }",
     "T19: fuzzy max_edits must be an integer scalar, got F64", NULL},
    {"T12 match_text", S_TC, "query q($q: String) { match { $p: Person  match_text($p.name, $q) } return { $p.name } }",
     NULL, NULL},
    {"T12 bm25", S_TC,
     "query q($q: String) { match { $p: Person } return { $p.name, bm25($p.name, $q) as score } order { bm25($p.name, $q) desc } }",
     NULL, NULL},
    {"T12 bm25 I64", S_TC,
     "query q($q: I64) { match { $p: Person } return { $p.name, bm25($p.name, $q) as score } }",
     "T20: bm25 query must be String, got I64", NULL},
    {"T14 T18", S_VEC,
     "query q($vq: Vector(3)) { match { $d: Doc } return { $d.id_str as score } order { nearest($d.embedding, $vq), score desc } limit 5 }",
     "T18", NULL},
    {"T15 T8 sum", S_TC, Q("$p: Person", "sum($p.name) as s"), "T8: sum requires numeric type, got String", NULL},
    {"T15 T8 min", S_F, Q("$f: F", "min($f.active) as m"), "T8: min requires numeric or string type, got Bool", NULL},
    {"T15 min string ok", S_TC, Q("$p: Person", "min($p.name) as first_name  max($p.name) as last_name"), NULL, NULL},
    {"T15 avg ok", S_TC, Q("$p: Person  $p worksAt $c", "$c.name  avg($p.age) as a  count($p) as n"), NULL, NULL},
    {"T15 T9 aggregate mix", S_TC, Q("$p: Person", "\"x\"  count($p) as n"),
     "T9: non-aggregate expressions in an aggregate query must be property accesses or variables", NULL},
    {"T17 bounds ok", S_TC, Q("$p: Person  $p knows{1,3} $f", "$f"), NULL, NULL},
    {"T17 bounds inverted", S_TC, Q("$p: Person  $p knows{3,1} $f", "$f"),
     "T15: invalid traversal bounds {3,1}; max must be >= min", NULL},
    {"T17 unbounded", S_TC, Q("$p: Person  $p knows{1,} $f", "$f"), "unbounded traversal is disabled", NULL},
    {"T17 zero", S_TC, Q("$p: Person  $p knows{0,2} $f", "$f"), "T15: traversal min hop bound must be >= 1", NULL},
    {"T18 negation ok", S_TC, Q("$p: Person  not { $p worksAt $_ }", "$p.name"), NULL, NULL},
    {"T18 negation T9", S_TC, Q("$p: Person  not { $x: Company }", "$p.name"),
     "T9: negation block must reference at least one outer-bound variable", NULL},
    {"T18 negation filter", S_TC, Q("$p: Person  not { $p.age > 30 }", "$p.name"), NULL, NULL},
    {"T18 negation inner binding", S_TC, Q("$p: Person  not { $p worksAt $c  $c: Company { name: \"Acme\" } }", "$p.name"),
     NULL, NULL},
    {"T18 inner vars do not leak", S_TC, Q("$p: Person  not { $p worksAt $c }", "$c.name"), "T6: variable `$c` is not bound",
     NULL},
    {"T20 rebind", S_TC, Q("$p: Person  $p: Company", "$p"),
     "variable `$p` already bound to type `Person`, cannot rebind to `Company`", NULL},
    {"T20 same-type rebind ok", S_TC, Q("$p: Person  $p: Person { name: \"x\" }", "$p"), NULL, NULL},
    {"T20 unbound param", S_TC, Q("$p: Person  $p.name = $zzz", "$p"), "variable `$zzz` is not bound", NULL},
    {"T20 unbound param in binding (rec)", S_TC, Q("$p: Person { name: $zzz }", "$p"), "variable `$zzz` is not bound",
     NULL},
    {"T21 reserved", S_TC, "query q($__nanograph_now: DateTime) { match { $p: Person } return { $p.name } }",
     "reserved for runtime timestamp injection", NULL},
    {"T21 Vector(0)", S_TC, "query q($x: Vector(0)) { match { $p: Person } return { $p.name } }",
     "unknown parameter type `Vector(0)` for `$x`", NULL},
    {"T23 nearest non-vector", S_VEC,
     "query q($q: Vector(3)) { match { $d: Doc } return { $d.id_str } order { nearest($d.id_str, $q) } limit 3 }",
     "T15: nearest requires a Vector property, got Doc.id_str: String", NULL},
    {"T23 literal dim", S_VEC,
     "query q() { match { $d: Doc } return { $d.id_str } order { nearest($d.embedding, [1.0, 2.0]) } limit 3 }",
     "T15: nearest vector dimension mismatch: property is Vector(3), query literal has 2 elements", NULL},
    {"T23 literal ok", S_VEC, "query q() { match { $d: Doc } return { $d.id_str } order { nearest($d.embedding, [1, 2, 3]) } limit 3 }",
     NULL, NULL},
    {"T23 string literal ok", S_VEC,
     "query q() { match { $d: Doc } return { $d.id_str } order { nearest($d.embedding, \"alpha\") } limit 3 }", NULL, NULL},
    {"T23 I64", S_VEC,
     "query q($q: I64) { match { $d: Doc } return { $d.id_str } order { nearest($d.embedding, $q) } limit 3 }",
     "T15: nearest query must be Vector(3) or String, got I64", NULL},
    {"T24 search field", S_TC, Q("$p: Person  search($p.age, \"x\")", "$p"), "T19: search field must be String, got I32?",
     NULL},
    {"T24 match_text query", S_TC, Q("$p: Person  match_text($p.name, 5)", "$p"), "T20: match_text query must be String, got I64",
     NULL},
    {"T24 rrf k", S_VEC,
     "query q($vq: Vector(3), $tq: String, $k: F64) { match { $d: Doc } return { $d.id_str } order { rrf(nearest($d.embedding, $vq), bm25($d.id_str, $tq), $k) } limit 3 }",
     "T21: rrf k must be an integer scalar, got F64", NULL},
    {"T24 rrf k zero", S_VEC,
     "query q($vq: Vector(3), $tq: String) { match { $d: Doc } return { $d.id_str } order { rrf(nearest($d.embedding, $vq), bm25($d.id_str, $tq), 0) } limit 3 }",
     "T21: rrf k must be greater than 0", NULL},
    {"T24 rrf needs limit", S_VEC,
     "query q($vq: Vector(3), $tq: String) { match { $d: Doc } return { $d.id_str } order { rrf(nearest($d.embedding, $vq), bm25($d.id_str, $tq)) } }",
     "T21: rrf ordering requires a limit clause", NULL},
    {"T24 rrf alias needs limit", S_VEC,
     "query q($vq: Vector(3), $tq: String) { match { $d: Doc } return { rrf(nearest($d.embedding, $vq), bm25($d.id_str, $tq)) as r } order { r desc } }",
     "T21", NULL},
    {"T30 now in read", S_EV_DT, "query q() { match { $e: Event  $e.at <= now() } return { now() as ts } }", NULL, NULL},
    {"T32 enum literal", S_TICKET, Q("$t: Ticket { status: \"bogus\" }", "$t"),
     "T3: property `status` expects one of [blocked, closed, open], got 'bogus'", NULL},
    {"T32 enum ok", S_TICKET, Q("$t: Ticket { status: \"open\" }", "$t"), NULL, NULL},
    {"T32 enum in filter not validated", S_TICKET, Q("$t: Ticket  $t.status = \"bogus\"", "$t"), NULL, NULL},
    {"§4.5 null alias", S_TC, Q("$p: Person  $p.age = null", "$p"),
     "T7: filter comparisons require scalar operands, got I32? and aggregate", NULL},
    {"§4.5 node operand", S_TC, Q("$p: Person  $p = 3", "$p"),
     "T7: filter comparisons require scalar operands, got node `Person` and I64", NULL},
    {"§4.5 incompatible", S_TC, Q("$p: Person  $p.age = \"x\"", "$p"), "T7: cannot compare I32? with String", NULL},
    {"§4.5 list compare", S_LIST, Q("$p: Person  $p.tags = \"x\"", "$p"), "T7: list comparisons in filters are not supported",
     NULL},
    {"§4.5 vector compare", S_VEC, Q("$d: Doc  $d.embedding = [1, 2, 3]", "$d"), "T7: list comparisons", NULL},
    {"§4.5 date vs datetime", S_EV_D, Q("$e: Event  $e.on < now()", "$e"), "T7: cannot compare Date with DateTime", NULL},
    {"§4.5 date literal", S_EV_D, Q("$e: Event  $e.on = date(\"2026-02-14\")", "$e.on"), NULL, NULL},
    {"§4.5 blob", S_MISC, "query q($b: Blob) { match { $d: Doc  $d.content = $b } return { $d } }",
     "T7: blob comparisons in filters are not supported", NULL},
    {"§4.4 blob pattern", S_MISC, Q("$d: Doc { content: \"x\" }", "$d"),
     "T3: blob property `Doc.content` cannot be used in match patterns", NULL},
    {"§3.3 nested list", S_MISC, Q("$d: Doc  $d.tags contains \"x\"", "[[1]] as z"), "nested list literals are not supported",
     NULL},
    {"§3.3 mixed list", S_MISC, Q("$d: Doc", "[1, \"a\"] as z"), "list literal elements must share a compatible scalar type",
     NULL},
    {"§3.3 numeric list ok", S_MISC, Q("$d: Doc", "[1, 2.5] as z"), NULL, NULL},
    {"§3.5 alias reference", S_TC, Q("$p: Person", "$p.age as a, a as b") " ", NULL, NULL},
    {"§3.5 order by unreturned prop", S_TC, "query q() { match { $p: Person } return { $p.name } order { $p.age desc } }",
     NULL, NULL},
    {"§3.4 anonymous", S_TC, Q("$p: Person  $p knows $_  $_ worksAt $c", "$p.name, $c.name"), NULL, NULL},
    {"§3.4 param shadows var", S_TC, "query q($p: String) { match { $x: Person { name: $p } } return { $p } }", NULL, NULL},
    {"R50 traversal only", S_TC, Q("$a knows $b", "$b.name"), NULL, NULL},
};

static void test_read_rows(void **state) {
  (void)state;
  run_rows(READ_ROWS, sizeof READ_ROWS / sizeof READ_ROWS[0]);
}

static const row MUT_ROWS[] = {
    {"T26 insert", S_TC, "query add_person($name: String, $age: I32) { insert Person { name: $name  age: $age } }", NULL,
     NULL},
    {"T26 insert edge", S_TC, "query q($from: String, $to: String) { insert Knows { from: $from  to: $to } }", NULL, NULL},
    {"T26 delete edge", S_TC, "query q($from: String) { delete Knows where from = $from }", NULL, NULL},
    {"T26 multi", S_TC,
     "query q($name: String, $age: I32, $friend: String) { insert Person { name: $name, age: $age }  insert Knows { from: $name, to: $friend } }",
     NULL, NULL},
    {"T27 T12 node", S_TC, "query add_person($age: I32) { insert Person { age: $age } }",
     "T12: insert for `Person` must provide non-nullable property `name`", NULL},
    {"T27 T12 edge to", S_TC, "query q($from: String) { insert Knows { from: $from } }",
     "T12: insert for `Knows` must provide required endpoint `to`", NULL},
    {"T27 T12 edge from", S_TC, "query q($to: String) { insert Knows { to: $to } }",
     "T12: insert for `Knows` must provide required endpoint `from`", NULL},
    {"T29 T11", S_TC, "query q($name: String) { update Person set { salary: 100 } where name = $name }",
     "T11: type `Person` has no property `salary`", NULL},
    {"T29 T10", S_TC, "query q($name: String) { delete Unknown where name = $name }",
     "T10: unknown node/edge type `Unknown`", NULL},
    {"T29 T16", S_TC, "query q($from: String) { update Knows set { since: 2000 } where from = $from }",
     "T16: update mutation for edge type `Knows` is not supported", NULL},
    {"M09 T16", S_TEST, "query update_edge($from: String) { update Knows set { since: \"2025-01-01\" } where from = $from }",
     "T16: update mutation for edge type `Knows` is not supported", NULL},
    {"T29 T10 second", S_TC,
     "query q($name: String) { insert Person { name: $name }  insert Unknown { foo: $name } }",
     "T10: unknown node/edge type `Unknown`", NULL},
    {"T30 now on Date", S_EV_D, "query q() { update Event set { on: now() } where slug = \"launch\" }", "DateTime",
     "property `on`"},
    {"T30 now on DateTime ok", S_EV_DT, "query stamp() { update Event set { at: now() } where slug = \"launch\" }", NULL, NULL},
    {"T32 enum insert", S_TICKET, "query q() { insert Ticket { slug: \"a\", status: \"bogus\" } }",
     "T3: property `status` expects one of [blocked, closed, open], got 'bogus'", NULL},
    {"T32 enum insert ok", S_TICKET, "query q() { insert Ticket { slug: \"a\", status: \"open\" } }", NULL, NULL},
    {"§4.8 T13", S_TC, "query q($a: I32) { insert Person { name: \"x\", age: $a, age: $a } }",
     "T13: duplicate assignment for property `age`", NULL},
    {"§4.8 T14", S_TC, "query q() { insert Person { name: $who } }",
     "T14: mutation variable `$who` must be a declared query parameter", NULL},
    {"§4.8 T7 param", S_TC, "query q($a: String) { insert Person { name: \"x\", age: $a } }",
     "T7: cannot assign/compare String with I32? for property `age`", NULL},
    {"§4.8 T3 literal", S_TC, "query q() { insert Person { name: 5 } }", "T3: property `name` has type String but got I64",
     NULL},
    {"§4.8 string param to blob ok", S_MISC, "query q($u: String) { insert Doc { slug: \"a\", title: \"t\", content: $u } }",
     NULL, NULL},
    {"§4.8 blob predicate", S_MISC, "query q($u: String) { delete Doc where content = $u }",
     "T11: blob property `content` cannot be used in WHERE predicates", NULL},
    {"§4.8 list assign", S_MISC, "query q() { insert Doc { slug: \"a\", title: \"t\", tags: [\"x\", \"y\"] } }", NULL, NULL},
    {"§4.8 list assign param", S_MISC, "query q($t: [String]) { update Doc set { tags: $t } where slug = \"a\" }", NULL, NULL},
    {"§4.8 vector literal", S_MISC, "query q() { update Doc set { emb: [1, 2] } where slug = \"a\" }",
     "T3: property `emb` has type Vector(3)? but got vector literal with 2 elements", NULL},
    {"§4.8 edge unknown prop", S_TC, "query q() { insert Knows { from: \"a\", to: \"b\", weight: 3 } }",
     "T11: type `Knows` has no property `weight`", NULL},
    {"§4.8 edge prop ok", S_TC, "query q() { insert Knows { from: \"a\", to: \"b\", since: date(\"2020-01-01\") } }", NULL, NULL},
    {"§4.8 embed exemption", S_EMBED, "query q($s: String, $b: String) { insert Doc { slug: $s, body: $b } }", NULL, NULL},
    {"§4.8 embed missing", S_EMBED, "query q($s: String) { insert Doc { slug: $s } }",
     "T12: insert for `Doc` must provide non-nullable property `embedding` or @embed source `body`", NULL},
    {"§4.8 delete node where unknown", S_TC, "query q() { delete Person where salary = 3 }",
     "T11: type `Person` has no property `salary`", NULL},
    {"§4.8 delete edge to", S_TC, "query q() { delete Knows where to = \"Bob\" }", NULL, NULL},
    /* D2 lifted: statements apply in order, atomically (docs/queries.md) */
    {"M12 mixed insert+delete accepted", S_TEST,
     "query mixed_insert_and_delete($name: String, $age: I32, $victim: String) { insert Person { name: $name, age: $age }  delete Person where name = $victim }",
     NULL, NULL},
    {"M12 update+delete accepted", S_TEST,
     "query q($n: String, $a: I32) { update Person set { age: $a } where name = $n  delete Knows where from = $n }", NULL,
     NULL},
    {"M14 chained updates", S_TEST,
     "query q($first_name: String, $first_new_age: I32, $second_threshold: I32, $second_new_age: I32) {"
     " update Person set { age: $first_new_age } where name = $first_name"
     " update Person set { age: $second_new_age } where age > $second_threshold }",
     NULL, NULL},
    {"M17 delete then delete", S_TEST,
     "query q($name: String, $other: String) { delete Person where name = $name  delete Knows where from = $other }", NULL,
     NULL},
};

static void test_mutation_rows(void **state) {
  (void)state;
  run_rows(MUT_ROWS, sizeof MUT_ROWS / sizeof MUT_ROWS[0]);
}

static void test_targets_and_api(void **state) {
  (void)state;
  og_catalog *cat = NULL;
  og_qfile *f = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_compile(S_TC, strlen(S_TC), &cat, &err), &err);
  const char *src =
      "query m($name: String, $age: I32, $friend: String) { insert Person { name: $name, age: $age }\n"
      "  insert knows { from: $name, to: $friend } delete Person where name = $friend }\n"
      "query r() { match { $p: Person  $p knows $f } return { $f.name } }\n";
  /* `insert knows` is a parse error (targets are TypeNames) — use Knows */
  og_status rc = og_qfile_parse(src, strlen(src), &f, &err);
  assert_int_equal(rc, OG_EPARSE);
  src =
      "query m($name: String, $age: I32, $friend: String) { insert Person { name: $name, age: $age }\n"
      "  insert Knows { from: $name, to: $friend } delete Person where name = $friend }\n"
      "query r() { match { $p: Person  $c: Company  $p worksAt $c  $p knows $f } return { $f.name } }\n";
  OG_ASSERT_OK(og_qfile_parse(src, strlen(src), &f, &err), &err);
  og_qtyped *t = NULL;
  OG_ASSERT_OK(og_query_check(cat, &f->decls[0], &t, &err), &err);
  assert_true(t->is_mutation);
  assert_int_equal(t->n_targets, 3); /* T26: [Person, Knows, Person] */
  assert_string_equal(t->targets[0], "Person");
  assert_string_equal(t->targets[1], "Knows");
  assert_true(t->target_is_edge[1]);
  assert_string_equal(t->targets[2], "Person");
  og_qtyped_free(t);
  /* T33 API misuse */
  assert_int_equal(og_query_check_read(cat, &f->decls[0], &t, &err), OG_ETYPE);
  assert_non_null(strstr(err.message, "mutation query cannot be typechecked with read-query API"));
  assert_int_equal(og_query_check_mutation(cat, &f->decls[1], &t, &err), OG_EINVAL);
  assert_non_null(strstr(err.message, "mutation execution called on a read query; use query instead"));
  OG_ASSERT_OK(og_query_check_read(cat, &f->decls[1], &t, &err), &err);
  assert_false(t->is_mutation);
  assert_string_equal(og_qtyped_var_type(t, "f"), "Person");
  assert_string_equal(og_qtyped_var_type(t, "c"), "Company");
  assert_int_equal(t->n_travs, 2);
  assert_string_equal(t->travs[0].edge_name, "WorksAt");
  assert_int_equal(t->travs[0].dir, OG_QDIR_OUT);
  og_qtyped_free(t);
  OG_ASSERT_OK(og_query_check_mutation(cat, &f->decls[0], &t, &err), &err);
  og_qtyped_free(t);
  og_qfile_free(f);

  /* direction: reverse traversal binds the source to the edge's from type */
  src = "query r() { match { $c: Company  $p worksAt $c } return { $p.name } }";
  OG_ASSERT_OK(og_qfile_parse(src, strlen(src), &f, &err), &err);
  OG_ASSERT_OK(og_query_check(cat, &f->decls[0], &t, &err), &err);
  assert_string_equal(og_qtyped_var_type(t, "p"), "Person");
  assert_int_equal(t->travs[0].dir, OG_QDIR_OUT); /* $c bound to the to-type: walks Out from $p's side */
  og_qtyped_free(t);
  og_qfile_free(f);
  og_catalog_free(cat);
}

/* type errors point at the offending node */
static void test_error_positions(void **state) {
  (void)state;
  static const struct { const char *id, *query; int line, col; } rows[] = {
      {"T2 at the prop-match", "query q() {\n  match {\n    $p: Person { salary: 1 }\n  }\n  return { $p }\n}", 3, 18},
      {"T6 at the property access", "query q() {\n  match { $p: Person }\n  return { $p.name,\n    $p.salary }\n}", 4, 5},
      {"T4 at the traversal", "query q() { match { $p: Person\n  $p likes $f } return { $f } }", 2, 3},
      {"T12 at the statement", "query q($a: I32) {\n  insert Person { age: $a }\n}", 2, 3},
      {"reserved param at the param", "query q($x: I32,\n        $__nanograph_now: DateTime) { match { $p: Person } return { $p } }", 2, 9},
  };
  og_catalog *cat = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_compile(S_TC, strlen(S_TC), &cat, &err), &err);
  for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
    og_qfile *f = NULL;
    og_qtyped *t = NULL;
    OG_ASSERT_OK(og_qfile_parse(rows[k].query, strlen(rows[k].query), &f, &err), &err);
    assert_int_equal(og_query_check(cat, &f->decls[0], &t, &err), OG_ETYPE);
    if (err.line != rows[k].line || err.column != rows[k].col)
      fail_msg("[%s] at %d:%d, want %d:%d (%s)", rows[k].id, err.line, err.column, rows[k].line, rows[k].col, err.message);
    og_qfile_free(f);
  }
  og_catalog_free(cat);
}

/* §5.5 column names and §3.6 result types */
static void test_result_columns(void **state) {
  (void)state;
  og_catalog *cat = NULL;
  og_qfile *f = NULL;
  og_qtyped *t = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_compile(S_TC, strlen(S_TC), &cat, &err), &err);
  const char *src =
      "query q($n: String) { match { $p: Person  $p worksAt $c } return { $c.name  $c  count($p) as headcount "
      "sum($p.age) as total  min($p.age)  max($p.name) as last  $c.name as cn } }\n"
      "query r($n: String) { match { $p: Person } return { $p.age, $n, 3, now(), search($p.name, $n) as hit, "
      "bm25($p.name, $n) as s, s as s2, nope } }\n";
  OG_ASSERT_OK(og_qfile_parse(src, strlen(src), &f, &err), &err);
  OG_ASSERT_OK(og_query_check(cat, &f->decls[0], &t, &err), &err);
  assert_true(t->has_aggregate);
  assert_int_equal(t->n_cols, 7);
  assert_string_equal(t->cols[0].name, "c.name");
  assert_int_equal(t->cols[0].type.scalar, OG_QS_STRING);
  assert_string_equal(t->cols[1].name, "c");
  assert_string_equal(t->cols[1].node_type, "Company");
  assert_string_equal(t->cols[2].name, "headcount");
  assert_int_equal(t->cols[2].type.scalar, OG_QS_I64);
  assert_true(t->cols[2].is_agg);
  assert_int_equal(t->cols[3].type.scalar, OG_QS_F64);
  assert_true(t->cols[3].type.nullable);
  assert_string_equal(t->cols[4].name, "p.age"); /* un-aliased aggregate: the argument's column */
  assert_int_equal(t->cols[4].type.scalar, OG_QS_I32);
  assert_int_equal(t->cols[5].type.scalar, OG_QS_STRING);
  assert_string_equal(t->cols[6].name, "cn");
  og_qtyped_free(t);
  OG_ASSERT_OK(og_query_check(cat, &f->decls[1], &t, &err), &err);
  assert_false(t->has_aggregate);
  assert_int_equal(t->n_cols, 8);
  assert_string_equal(t->cols[0].name, "p.age");
  assert_true(t->cols[0].type.nullable);
  assert_string_equal(t->cols[1].name, "n");
  assert_string_equal(t->cols[2].name, "literal");
  assert_int_equal(t->cols[2].type.scalar, OG_QS_I64);
  assert_int_equal(t->cols[3].type.scalar, OG_QS_DATETIME);
  assert_int_equal(t->cols[4].type.scalar, OG_QS_BOOL);
  assert_int_equal(t->cols[5].type.scalar, OG_QS_F64);
  assert_string_equal(t->cols[6].name, "s2");
  assert_int_equal(t->cols[6].type.scalar, OG_QS_F64);
  assert_true(t->cols[7].unknown);
  og_qtyped_free(t);
  og_qfile_free(f);
  og_catalog_free(cat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_read_rows),
      cmocka_unit_test(test_mutation_rows),
      cmocka_unit_test(test_targets_and_api),
      cmocka_unit_test(test_result_columns),
      cmocka_unit_test(test_error_positions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
