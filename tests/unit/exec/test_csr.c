/* Topology cache: CSR/CSC per edge-table version, dense node indices per
 * node-table version; a new version misses, an old snapshot still hits. */
#include "query_fixture.h"

#include "exec/read_int.h"

static const char *FRIENDS =
    "query q() { match { $p: Person { name: \"Alice\" }  $p knows $f } return { $f.name } order { $f.name } }";

static void stats(xq *x, og_xcache_stats *s) { og_xcache_get_stats(x->cache, s); }

static void test_hit_and_miss_by_version(void **state) {
  (void)state;
  xq x;
  og_xcache_stats s;
  xq_init(&x, XQ_TEST_SCHEMA);
  uint64_t v1 = xq_load(&x, XQ_TEST_DATA);
  XQ_EXPECT(&x, FRIENDS, NULL, false, "[{\"f.name\":\"Bob\"},{\"f.name\":\"Charlie\"}]");
  stats(&x, &s);
  assert_int_equal(s.csr_builds, 1);
  assert_int_equal(s.csr_hits, 0);
  assert_int_equal(s.nodeidx_builds, 1); /* Person, shared by both endpoints */
  XQ_EXPECT(&x, FRIENDS, NULL, false, "[{\"f.name\":\"Bob\"},{\"f.name\":\"Charlie\"}]");
  stats(&x, &s);
  assert_int_equal(s.csr_builds, 1);
  assert_int_equal(s.csr_hits, 1);
  /* a commit that does not touch Person or Knows keeps hitting */
  xq_load(&x, "{\"type\":\"Company\",\"data\":{\"name\":\"Initech\"}}\n");
  XQ_EXPECT(&x, FRIENDS, NULL, false, "[{\"f.name\":\"Bob\"},{\"f.name\":\"Charlie\"}]");
  stats(&x, &s);
  assert_int_equal(s.csr_builds, 1);
  assert_int_equal(s.csr_hits, 2);
  /* a new Knows version misses */
  xq_load(&x, "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Diana\"}\n");
  XQ_EXPECT(&x, FRIENDS, NULL, false, "[{\"f.name\":\"Bob\"},{\"f.name\":\"Charlie\"},{\"f.name\":\"Diana\"}]");
  stats(&x, &s);
  assert_int_equal(s.csr_builds, 2);
  assert_int_equal(s.nodeidx_builds, 1); /* Person unchanged */
  /* a new Person version misses both the node index and the CSR */
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"Zoe\"}}\n");
  XQ_EXPECT(&x, FRIENDS, NULL, false, "[{\"f.name\":\"Bob\"},{\"f.name\":\"Charlie\"},{\"f.name\":\"Diana\"}]");
  stats(&x, &s);
  assert_int_equal(s.csr_builds, 3);
  assert_int_equal(s.nodeidx_builds, 2);
  /* the first snapshot still finds its own (cached) versions */
  og_error err = OG_ERROR_INIT;
  char *rows = NULL;
  OG_ASSERT_OK(xq_run_at(&x, "main", v1, FRIENDS, NULL, NULL, false, &rows, &err), &err);
  assert_string_equal(rows, "[{\"f.name\":\"Bob\"},{\"f.name\":\"Charlie\"}]");
  og_free(rows);
  stats(&x, &s);
  assert_int_equal(s.csr_builds, 3);
  assert_int_equal(s.csr_hits, 3);
  xq_dispose(&x);
}

static void test_cache_is_bounded(void **state) {
  (void)state;
  xq x;
  og_xcache_stats s;
  xq_init(&x, XQ_TEST_SCHEMA);
  xq_load(&x, XQ_TEST_DATA);
  for (int i = 0; i < 40; i++) {
    char line[128];
    snprintf(line, sizeof line, "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"N%d\"}\n", i);
    xq_load(&x, line);
    XQ_EXPECT(&x, FRIENDS, NULL, false, "[{\"f.name\":\"Bob\"},{\"f.name\":\"Charlie\"}]");
  }
  stats(&x, &s);
  assert_int_equal(s.csr_builds, 40);
  assert_true(s.entries <= 17);
  assert_true(s.bytes > 0 && s.bytes < (size_t)1 << 20);
  xq_dispose(&x);
}

static void test_uncached_and_ghosts(void **state) {
  (void)state;
  xq x;
  og_error err = OG_ERROR_INIT;
  xq_init(&x, "node Person { name: String @key }\nnode City { name: String @key }\n"
              "edge Knows: Person -> Person\nedge LivesIn: Person -> City\n");
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"B\"}}\n"
              "{\"type\":\"City\",\"data\":{\"name\":\"Oslo\"}}\n"
              "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"B\"}\n{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"Ghost\"}\n"
              "{\"edge\":\"Knows\",\"from\":\"Ghost\",\"to\":\"B\"}\n"
              "{\"edge\":\"LivesIn\",\"from\":\"A\",\"to\":\"Oslo\"}\n{\"edge\":\"LivesIn\",\"from\":\"B\",\"to\":\"Nowhere\"}\n");
  og_snapshot *snap = NULL;
  og_table *kn = NULL, *pe = NULL, *li = NULL, *ci = NULL;
  OG_ASSERT_OK(og_graph_snapshot(x.g, "main", 0, &snap, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, "edge:Knows", &kn, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, "edge:LivesIn", &li, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, "node:Person", &pe, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, "node:City", &ci, &err), &err);
  /* no cache: built for the caller alone */
  og_csr *g = NULL;
  OG_ASSERT_OK(og_xcache_csr(NULL, kn, pe, pe, &g, &err), &err);
  assert_true(g->same);
  assert_int_equal(g->nedges, 3);
  assert_int_equal(g->nsrc, 3); /* A, B + ghost */
  /* A's out-neighbours in scan order: B, Ghost */
  uint32_t a = og_idtab_find(&g->src->ids, "A", 1, og_hash64("A", 1));
  uint32_t b = og_idtab_find(&g->src->ids, "B", 1, og_hash64("B", 1));
  assert_int_equal(g->out_off[a + 1] - g->out_off[a], 2);
  assert_int_equal(g->out_tgt[g->out_off[a]], b);
  assert_true(g->out_tgt[g->out_off[a] + 1] >= g->src->n);
  /* B's in-neighbours: A and the ghost */
  assert_int_equal(g->in_off[b + 1] - g->in_off[b], 2);
  og_xcache_release_csr(NULL, g);
  OG_ASSERT_OK(og_xcache_csr(x.cache, li, pe, ci, &g, &err), &err);
  assert_false(g->same);
  assert_int_equal(g->nsrc, 2);
  assert_int_equal(g->ndst, 2); /* Oslo + ghost Nowhere */
  og_xcache_release_csr(x.cache, g);
  og_table_free(kn);
  og_table_free(li);
  og_table_free(pe);
  og_table_free(ci);
  og_snapshot_free(snap);
  /* through the executor: 2 hops via the ghost reach B once */
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"A\" }  $p knows{1,2} $f } return { $f.name } }", NULL, false,
            "[{\"f.name\":\"B\"}]");
  XQ_EXPECT(&x, "query q() { match { $c: City  $p livesIn $c } return { $p.name, $c.name } }", NULL, false,
            "[{\"p.name\":\"A\",\"c.name\":\"Oslo\"}]");
  xq_dispose(&x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hit_and_miss_by_version),
      cmocka_unit_test(test_cache_is_bounded),
      cmocka_unit_test(test_uncached_and_ghosts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
