/*
 * test_query_fuzz.c — a deterministic regression fuzz of the `.gq` front end:
 * the spec's and the docs' example queries as a seed corpus, plus thousands
 * of random mutations (token inserts, deletions, duplications, byte flips,
 * splices, truncations) through parse → render round trip → typecheck →
 * lower → params → lint. Run under ASan (OG_SANITIZE=ON) it also proves no
 * leak. Invariants: no crash; every parse/type error carries a position and
 * its prefix; every successful parse renders to text that parses back to
 * the same rendering. OG_QUERY_FUZZ_ITERS overrides the iteration count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og_test.h"
#include "lang/query.h"
#include "lang/schema.h"

static const char SCHEMA[] =
    "node Person { name: String @key  age: I32?  tags: [String]?  at: DateTime?  on: Date? }\n"
    "node Company { name: String @key }\n"
    "node Doc { slug: String @key  title: String @index  body: String?  embedding: Vector(3)?  content: Blob? }\n"
    "edge Knows: Person -> Person { since: Date? }\n"
    "edge WorksAt: Person -> Company { title: String? }\n"
    "edge Wrote: Person -> Doc\n";

static const char *const SEEDS[] = {
    "query get_person($name: String) { match { $p: Person { name: $name } } return { $p.name, $p.age } }",
    "query adults() { match { $p: Person  $p.age > 30 } return { $p.name, $p.age } order { $p.age desc } }",
    "query friends_of($name: String) { match { $p: Person { name: $name }  $p knows $f } return { $f.name, $f.age } }",
    "query employees_of($company: String) { match { $c: Company { name: $company }  $p worksAt $c } return { $p.name } }",
    "query friends_of_friends($name: String) { match { $p: Person { name: $name }  $p knows $mid  $mid knows $fof } return { $fof.name } }",
    "query unemployed() { match { $p: Person  not { $p worksAt $_ } } return { $p.name } }",
    "query friend_counts() { match { $p: Person  $p knows $f } return { $p.name  count($f) as friends } order { friends desc } limit 20 }",
    "query total_people() { match { $p: Person } return { count($p) as total } }",
    "query age_stats() { match { $p: Person  $p worksAt $c } return { $c.name  sum($p.age) as total_age  avg($p.age) as avg_age  min($p.age) as youngest  max($p.age) as oldest  count($p) as headcount } }",
    "query insert_person($name: String, $age: I32) { insert Person { name: $name, age: $age } }",
    "query add_friend($from: String, $to: String) { insert Knows { from: $from, to: $to } }",
    "query set_age($name: String, $age: I32) { update Person set { age: $age } where name = $name }",
    "query remove_person($name: String) { delete Person where name = $name }",
    "query mixed($name: String, $age: I32, $victim: String) { insert Person { name: $name, age: $age }  delete Person where name = $victim }",
    "query stamp() { update Person set { at: now() } where name = \"launch\" }",
    "query v($q: Vector(3)) { match { $d: Doc } return { $d.slug, nearest($d.embedding, $q) as score } order { nearest($d.embedding, $q) } limit 5 }",
    "query b($q: String) { match { $d: Doc  search($d.title, $q)  fuzzy($d.body, $q, 2) } return { $d.slug, bm25($d.title, $q) as s } order { bm25($d.title, $q) desc } limit 5 }",
    "query r($vq: Vector(3), $tq: String) { match { $d: Doc } return { $d.slug } order { rrf(nearest($d.embedding, $vq), bm25($d.title, $tq), 60) } limit 5 }",
    "query h() @description(\"x\\n\\\"y\\\"\") { match { $p: Person { tags: \"a\", on: date(\"2026-02-14\") }  $p knows{1,3} $f  $f.at <= datetime(\"2026-02-14T10:00:00Z\")  $p.tags contains \"x\" } return { $f, now() as ts, [1, 2.5] as l } }",
    "query n() { match { $p: Person  not { $p worksAt $c  $c: Company { name: \"Acme\" } }  not { $p.age > 30 } } return { $p.name } }",
};

static const char *const TOKENS[] = {
    "{", "}", "(", ")", "[", "]", ",", ":", ".", "?", "@", "=", "!=", "<", "<=", ">", ">=", "-", "..", "$p", "$_",
    "$q", "$name", "not", "match", "return", "order", "limit", "query", "insert", "update", "delete", "set", "where",
    "contains", "as", "asc", "desc", "now()", "count(", "nearest(", "rrf(", "bm25(", "search(", "fuzzy(",
    "Person", "Knows", "knows", "Company", "Doc", "\"", "\"a\"", "\\", "1", "0", "99999999999999999999", "1.5",
    "true", "false", "true_x", "null", "date(", "datetime(\"x\")", "{1,", "{0,2}", "/*", "*/", "//", "\n", " ", "é",
    "\xff", "Vector(", "[String]", "I32?", "@description(\"d\")", "@instruction(\"i\")", "not {", "$p.age",
};

static uint64_t g_rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng;
}
static size_t rndn(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

static og_catalog *g_cat;
static size_t g_parsed, g_checked;

static void run_one(const char *src, size_t len) {
  og_error err = OG_ERROR_INIT;
  og_qfile *f = NULL;
  og_status rc = og_qfile_parse(src, len, &f, &err);
  if (rc != OG_OK) {
    if (rc != OG_EPARSE) fail_msg("parse returned %d (%s) for:\n%.*s", rc, err.message, (int)len, src);
    if (err.line < 1 || err.column < 1 || strncmp(err.message, "parse error: ", 13) != 0)
      fail_msg("parse error without position/prefix: %s\n%.*s", err.message, (int)len, src);
    assert_null(f);
  } else {
    g_parsed++;
    for (size_t k = 0; k < f->n_decls; k++) {
      og_buf a = OG_BUF_INIT, b = OG_BUF_INIT;
      og_qdecl_render(&f->decls[k], &a);
      og_qfile *g = NULL;
      if (og_qfile_parse(a.ptr, a.len, &g, &err) != OG_OK)
        fail_msg("rendering does not re-parse: %s\n%s\nfrom:\n%.*s", err.message, a.ptr, (int)len, src);
      og_qdecl_render(&g->decls[0], &b);
      if (strcmp(a.ptr, b.ptr) != 0) fail_msg("round trip differs:\n%s\n---\n%s", a.ptr, b.ptr);
      og_qfile_free(g);
      og_buf_dispose(&a);
      og_buf_dispose(&b);
      og_qtyped *t = NULL;
      rc = og_query_check(g_cat, &f->decls[k], &t, &err);
      if (rc == OG_OK) {
        g_checked++;
        og_qir *ir = NULL;
        OG_ASSERT_OK(og_query_lower(t, &ir, &err), &err);
        og_buf r = OG_BUF_INIT;
        OG_ASSERT_OK(og_qir_render(ir, &r), &err);
        og_buf_dispose(&r);
        og_qir_free(ir);
        og_qtyped_free(t);
      } else if (rc != OG_ETYPE || err.line < 1 || strncmp(err.message, "type error: ", 12) != 0) {
        fail_msg("bad type error %d: %s (line %d)", rc, err.message, err.line);
      }
      og_qparams *p = NULL;
      if (og_qparams_bind(&f->decls[k], "{\"name\":\"x\",\"age\":3,\"q\":[1,2,3]}", 32, OG_QBIND_STANDARD, &p, &err) ==
          OG_OK)
        og_qparams_free(p);
    }
    og_qfile_free(f);
  }
  og_buf j = OG_BUF_INIT;
  bool se = false;
  OG_ASSERT_OK(og_qlint(g_cat, src, len, NULL, &j, NULL, &se, &err), &err);
  og_buf_dispose(&j);
}

static void mutate(og_buf *out, const char *seed) {
  og_buf_clear(out);
  og_buf_puts(out, seed);
  int n = 1 + (int)rndn(4);
  for (int m = 0; m < n; m++) {
    size_t len = out->len;
    size_t at = rndn(len + 1);
    og_buf tmp = OG_BUF_INIT;
    switch (rndn(6)) {
      case 0: { /* insert a token */
        const char *t = TOKENS[rndn(sizeof TOKENS / sizeof TOKENS[0])];
        og_buf_put(&tmp, out->ptr, at);
        og_buf_puts(&tmp, t);
        og_buf_put(&tmp, out->ptr + at, len - at);
        break;
      }
      case 1: { /* delete a range */
        size_t n2 = rndn(12) + 1;
        if (at + n2 > len) n2 = len - at;
        og_buf_put(&tmp, out->ptr, at);
        og_buf_put(&tmp, out->ptr + at + n2, len - at - n2);
        break;
      }
      case 2: { /* duplicate a range */
        size_t n2 = rndn(20) + 1;
        if (at + n2 > len) n2 = len - at;
        og_buf_put(&tmp, out->ptr, at + n2);
        og_buf_put(&tmp, out->ptr + at, len - at);
        break;
      }
      case 3: /* flip a byte */
        og_buf_put(&tmp, out->ptr, len);
        if (len) tmp.ptr[rndn(len)] = (char)(rndn(95) + 32);
        break;
      case 4: { /* splice with another seed */
        const char *o = SEEDS[rndn(sizeof SEEDS / sizeof SEEDS[0])];
        size_t ol = strlen(o), oa = rndn(ol + 1);
        og_buf_put(&tmp, out->ptr, at);
        og_buf_put(&tmp, o + oa, ol - oa);
        break;
      }
      default: /* truncate */
        og_buf_put(&tmp, out->ptr, at);
        break;
    }
    og_buf_clear(out);
    og_buf_put(out, tmp.ptr ? tmp.ptr : "", tmp.len);
    og_buf_dispose(&tmp);
  }
}

static void test_seed_corpus(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof SEEDS / sizeof SEEDS[0]; k++) run_one(SEEDS[k], strlen(SEEDS[k]));
  /* every seed parses; all but none type-check against the fixture */
  assert_int_equal(g_parsed, sizeof SEEDS / sizeof SEEDS[0]);
  assert_int_equal(g_checked, sizeof SEEDS / sizeof SEEDS[0]);
  /* the docs' examples too */
  size_t len;
  char *doc = og_test_read_file(og_test_source_path("docs/queries.md"), &len);
  assert_non_null(doc);
  run_one(doc, len); /* a whole markdown file: must fail cleanly */
  og_free(doc);
  /* empty / degenerate inputs */
  run_one("", 0);
  run_one("query", 5);
  run_one("\0\0\0", 3);
}

static void test_random_mutations(void **state) {
  (void)state;
  long iters = 20000;
  const char *env = getenv("OG_QUERY_FUZZ_ITERS");
  if (env) iters = atol(env);
  /* seed pool: the examples above plus every ```gq block of docs/queries.md */
  const char *pool[128];
  size_t np = 0;
  for (size_t k = 0; k < sizeof SEEDS / sizeof SEEDS[0]; k++) pool[np++] = SEEDS[k];
  size_t dlen;
  char *doc = og_test_read_file(og_test_source_path("docs/queries.md"), &dlen);
  assert_non_null(doc);
  for (char *p = doc; np < 128 && (p = strstr(p, "```gq\n")) != NULL;) {
    p += 6;
    char *e = strstr(p, "\n```");
    if (!e) break;
    *e = 0;
    pool[np++] = p;
    p = e + 4;
  }
  assert_true(np > sizeof SEEDS / sizeof SEEDS[0]);
  og_buf b = OG_BUF_INIT;
  g_parsed = g_checked = 0;
  for (long i = 0; i < iters; i++) {
    mutate(&b, pool[rndn(np)]);
    run_one(b.ptr ? b.ptr : "", b.len);
  }
  og_buf_dispose(&b);
  og_free(doc);
  print_message("mutations: %ld, parsed %zu, type-checked %zu\n", iters, g_parsed, g_checked);
  /* the mutator must exercise both paths */
  assert_true(g_parsed > (size_t)iters / 50);
  assert_true(g_checked > 0);
}

static int setup(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  if (og_catalog_compile(SCHEMA, sizeof SCHEMA - 1, &g_cat, &err) != OG_OK) {
    fprintf(stderr, "schema: %s\n", err.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  og_catalog_free(g_cat);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_seed_corpus),
      cmocka_unit_test(test_random_mutations),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
