/* Read execution under allocation failure: every allocation point of a
 * query (and of an export) fails once; the result is OG_ENOMEM or success,
 * never a crash, a leak (ASan builds) or a wrong answer on success. */
#include "query_fixture.h"

static const char *QUERIES[] = {
    "query q() { match { $p: Person  $p knows{1,2} $f  not { $f worksAt $_ } } return { $p.name, count($f) as n } order { n desc, $p.name } limit 3 }",
    "query q() { match { $a: Person  $a knows $b  $b knows $c } return { count($c) as n } }",
    "query q($n: String) { match { $p: Person { name: $n }  $p worksAt $c  $c.name != \"x\" } return { $p, $c.name, now() as t } }",
    "query q() { match { $p: Person  $c: Company  not { $p worksAt $c } } return { $p.name, $c.name } order { $p.age } }",
};

static og_status sink(void *ctx, const char *data, size_t len, og_error *err) {
  (void)err;
  return og_buf_put(ctx, data, len);
}

/* Runs the query with a fresh topology cache; *out is the result or NULL. */
static og_status run_one(og_snapshot *snap, const og_qir *ir, const og_qparams *pp, og_xresult **out) {
  og_error err = OG_ERROR_INIT;
  og_xcache *cache = og_xcache_new();
  *out = NULL;
  og_status rc = cache ? og_exec_read(cache, snap, ir, pp, out, &err) : OG_ENOMEM;
  og_xcache_free(cache);
  return rc;
}

static char *render(og_xresult *r) {
  og_buf b = OG_BUF_INIT;
  og_buf_putc(&b, '[');
  for (size_t i = 0; r && i < r->nrows * r->ncols; i++) og_xval_json(&b, &r->cells[i]);
  og_buf_putc(&b, ']');
  og_xresult_free(r);
  return og_buf_detach(&b, NULL);
}

static void test_every_allocation_fails(void **state) {
  (void)state;
  xq x;
  og_error err = OG_ERROR_INIT;
  xq_init(&x, XQ_TEST_SCHEMA);
  xq_load(&x, XQ_TEST_DATA);
  og_snapshot *snap = NULL;
  OG_ASSERT_OK(og_graph_snapshot(x.g, "main", 0, &snap, &err), &err);
  long total = 0;
  for (size_t k = 0; k < sizeof QUERIES / sizeof QUERIES[0]; k++) {
    og_qfile *f = NULL;
    og_qtyped *t = NULL;
    og_qir *ir = NULL;
    og_qparams *pp = NULL;
    const char *params = "{\"n\":\"Alice\"}";
    OG_ASSERT_OK(og_qfile_parse(QUERIES[k], strlen(QUERIES[k]), &f, &err), &err);
    OG_ASSERT_OK(og_query_check_read(x.cat, &f->decls[0], &t, &err), &err);
    OG_ASSERT_OK(og_query_lower(t, &ir, &err), &err);
    OG_ASSERT_OK(og_qparams_bind(&f->decls[0], params, strlen(params), OG_QBIND_STANDARD, &pp, &err), &err);
    OG_ASSERT_OK(og_qparams_set_now(pp, 1000, &err), &err);
    og_xresult *r = NULL;
    assert_int_equal(run_one(snap, ir, pp, &r), OG_OK);
    char *want = render(r);
    long n;
    for (n = 1; n < 200000; n++) {
      long before = og_alloc_failures();
      og_alloc_fail_after(n, false);
      og_status rc = run_one(snap, ir, pp, &r);
      long failed = og_alloc_failures() - before;
      og_alloc_fail_after(0, false);
      char *got = render(r);
      if (rc == OG_OK && strcmp(got, want)) fail_msg("query %zu, allocation %ld: wrong answer %s", k, n, got);
      og_free(got);
      if (rc == OG_OK && failed == 0) break;
      if (rc != OG_OK && rc != OG_ENOMEM)
        fail_msg("query %zu: allocation %ld failed with status %d, not OG_ENOMEM", k, n, rc);
    }
    total += n - 1;
    og_free(want);
    og_qparams_free(pp);
    og_qir_free(ir);
    og_qtyped_free(t);
    og_qfile_free(f);
  }
  /* export */
  char *want = NULL;
  {
    og_buf b = OG_BUF_INIT;
    OG_ASSERT_OK(og_exec_export(snap, x.cat, XQ_TEST_SCHEMA, strlen(XQ_TEST_SCHEMA), NULL, 0, NULL, 0, sink, &b, &err), &err);
    want = og_buf_detach(&b, NULL);
  }
  long n;
  for (n = 1; n < 200000; n++) {
    long before = og_alloc_failures();
    og_buf b = OG_BUF_INIT;
    og_alloc_fail_after(n, false);
    og_status rc = og_exec_export(snap, x.cat, XQ_TEST_SCHEMA, strlen(XQ_TEST_SCHEMA), NULL, 0, NULL, 0, sink, &b, &err);
    long failed = og_alloc_failures() - before;
    og_alloc_fail_after(0, false);
    if (rc == OG_OK && (b.oom || strcmp(b.ptr, want))) fail_msg("export, allocation %ld: wrong output", n);
    og_buf_dispose(&b);
    if (rc == OG_OK && failed == 0) break;
    if (rc != OG_OK && rc != OG_ENOMEM) fail_msg("export: allocation %ld failed with status %d, not OG_ENOMEM", n, rc);
  }
  total += n - 1;
  og_free(want);
  print_message("allocation points exercised: %ld\n", total);
  assert_true(total > 200);
  og_snapshot_free(snap);
  xq_dispose(&x);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_allocation_fails)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
