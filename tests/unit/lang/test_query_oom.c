/*
 * test_query_oom.c — allocation failure at every step of the `.gq` front end
 * (parse, typecheck, lower, render, params, lint): each call either succeeds
 * or fails cleanly with OG_ENOMEM; nothing crashes or leaks (ASan build).
 */
#include <string.h>

#include "og_test.h"
#include "lang/query.h"
#include "lang/schema.h"

static const char SCHEMA[] =
    "node Person { name: String @key  age: I32?  tags: [String]? }\n"
    "node Company { name: String @key }\n"
    "node Doc { slug: String @key  title: String @index  emb: Vector(3)? }\n"
    "edge Knows: Person -> Person { since: Date? }\n"
    "edge WorksAt: Person -> Company\n";

static const char QUERIES[] =
    "query a($name: String, $q: Vector(3), $t: String) @description(\"d\") {\n"
    "  match { $p: Person { name: $name, tags: \"x\" }  $p knows{1,2} $f  $c: Company  $f worksAt $c\n"
    "          not { $f worksAt $_  $f.age > 3 }  $f knows $p }\n"
    "  return { $f.name as n, count($c) as k }\n"
    "  order { k desc } limit 5 }\n"
    "query b($q: Vector(3), $t: String) { match { $d: Doc  search($d.title, $t) }\n"
    "  return { $d.slug, nearest($d.emb, $q) as s } order { rrf(nearest($d.emb, $q), bm25($d.title, $t)) } limit 3 }\n"
    "query c($n: String, $a: I32) { insert Person { name: $n, age: $a } update Person set { age: $a } where name = $n\n"
    "  delete Knows where from = $n }\n"
    "query d() { update Person set { tags: [\"a\"] } where name = \"x\" }\n";

static const char PARAMS[] = "{\"name\":\"x\",\"q\":[1,2,3],\"t\":\"a\",\"n\":\"n\",\"a\":3,\"extra\":[1,[2]]}";

static og_status run_all(const og_catalog *cat) {
  og_error err = OG_ERROR_INIT;
  og_qfile *f = NULL;
  og_status rc = og_qfile_parse(QUERIES, sizeof QUERIES - 1, &f, &err);
  if (rc != OG_OK) return rc;
  for (size_t k = 0; k < f->n_decls && rc == OG_OK; k++) {
    og_qtyped *t = NULL;
    og_qir *ir = NULL;
    og_qparams *p = NULL;
    og_buf b = OG_BUF_INIT;
    if ((rc = og_query_check(cat, &f->decls[k], &t, &err)) == OG_OK &&
        (rc = og_query_lower(t, &ir, &err)) == OG_OK && (rc = og_qir_render(ir, &b)) == OG_OK &&
        (rc = og_qdecl_render(&f->decls[k], &b)) == OG_OK)
      rc = og_qparams_bind(&f->decls[k], PARAMS, strlen(PARAMS), OG_QBIND_STANDARD, &p, &err);
    if (rc == OG_OK) rc = og_qparams_set_now(p, 1000, &err);
    if (b.oom && rc == OG_OK) rc = OG_ENOMEM;
    og_buf_dispose(&b);
    og_qparams_free(p);
    og_qir_free(ir);
    og_qtyped_free(t);
  }
  og_qfile_free(f);
  if (rc != OG_OK) return rc;
  og_buf j = OG_BUF_INIT, tx = OG_BUF_INIT;
  bool se;
  rc = og_qlint(cat, QUERIES, sizeof QUERIES - 1, NULL, &j, &tx, &se, &err);
  og_buf_dispose(&j);
  og_buf_dispose(&tx);
  return rc;
}

static void test_every_allocation_fails(void **state) {
  (void)state;
  og_catalog *cat = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_compile(SCHEMA, sizeof SCHEMA - 1, &cat, &err), &err);
  OG_ASSERT_OK(run_all(cat), &err);
  long n;
  for (n = 1; n < 100000; n++) {
    long before = og_alloc_failures();
    og_alloc_fail_after(n, false);
    og_status rc = run_all(cat);
    long failed = og_alloc_failures() - before;
    og_alloc_fail_after(0, false);
    if (rc == OG_OK && failed == 0) break; /* got through without hitting the failure */
    if (rc != OG_OK && rc != OG_ENOMEM) fail_msg("allocation %ld failed with status %d, not OG_ENOMEM", n, rc);
  }
  print_message("allocation points exercised: %ld\n", n - 1);
  assert_true(n > 50);
  og_catalog_free(cat);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_allocation_fails)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
