/* Persisted topologies (graph/topo.h): a fresh cache reads the adjacency
 * and node index of an edge version instead of building them, with answers
 * equal to a build's; later node versions remap through the stored keys;
 * ghosts, mismatches and corrupt objects fall back to a build; verify checks
 * the object and cleanup drops it with its descriptor. */
#include "query_fixture.h"

#include "exec/read_int.h"
#include "graph/maint.h"
#include "graph/topo.h"

static const char *SCHEMA = "node Person { name: String @key }\nnode City { name: String @key }\n"
                            "edge Knows: Person -> Person\nedge LivesIn: Person -> City\n";

static const char *DATA =
    "{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"B\"}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"C\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"Dee-longer-than-8\"}}\n"
    "{\"type\":\"City\",\"data\":{\"name\":\"Oslo\"}}\n{\"type\":\"City\",\"data\":{\"name\":\"Rome\"}}\n"
    "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"B\"}\n{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"C\"}\n"
    "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"B\"}\n{\"edge\":\"Knows\",\"from\":\"B\",\"to\":\"B\"}\n"
    "{\"edge\":\"Knows\",\"from\":\"B\",\"to\":\"Dee-longer-than-8\"}\n"
    "{\"edge\":\"Knows\",\"from\":\"C\",\"to\":\"A\"}\n"
    "{\"edge\":\"LivesIn\",\"from\":\"A\",\"to\":\"Oslo\"}\n{\"edge\":\"LivesIn\",\"from\":\"B\",\"to\":\"Rome\"}\n"
    "{\"edge\":\"LivesIn\",\"from\":\"Dee-longer-than-8\",\"to\":\"Rome\"}\n";

static const char *QUERIES[] = {
    "query q() { match { $a: Person  $a knows $b  $b knows $c } return { $a.name, $c.name } }",
    "query q() { match { $a: Person  $a knows $b  $b knows $c } return { count($c) as n } }",
    "query q() { match { $p: Person { name: \"A\" }  $p knows{1,3} $f } return { $f.name } }",
    "query q() { match { $c: City  $p livesIn $c  $q knows $p } return { $q.name, $c.name } }",
    "query q() { match { $p: Person  not { $p knows $x } } return { $p.name } }",
};
#define NQ (sizeof QUERIES / sizeof *QUERIES)

/* Every query's rows on a fresh cache; *loads = topologies read. */
static void answers(xq *x, char **out, uint64_t *loads) {
  og_xcache_free(x->cache);
  x->cache = og_xcache_new();
  for (size_t i = 0; i < NQ; i++) {
    og_error err = OG_ERROR_INIT;
    OG_ASSERT_OK(xq_run_at(x, "main", 0, QUERIES[i], NULL, NULL, true, &out[i], &err), &err);
  }
  og_xcache_stats s;
  og_xcache_get_stats(x->cache, &s);
  *loads = s.csr_loads;
}

/* Answers with persisted topologies equal answers built from scratch. */
static uint64_t check_same(xq *x) {
  char *built[NQ], *read[NQ];
  uint64_t loads, none;
  size_t saved = og_topo_persist_min;
  og_topo_persist_min = SIZE_MAX; /* reads ignore topologies */
  answers(x, built, &none);
  og_topo_persist_min = saved;
  assert_int_equal(none, 0);
  answers(x, read, &loads);
  for (size_t i = 0; i < NQ; i++) {
    assert_string_equal(read[i], built[i]);
    og_free(read[i]);
    og_free(built[i]);
  }
  return loads;
}

static void persist(xq *x, const char *edge) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *snap = NULL;
  OG_ASSERT_OK(og_graph_snapshot(x->g, "main", 0, &snap, &err), &err);
  og_xcache *c = og_xcache_new();
  OG_ASSERT_OK(og_exec_topo_persist(c, snap, x->cat, edge, &err), &err);
  og_xcache_stats s;
  og_xcache_get_stats(c, &s);
  assert_int_equal(s.csr_builds, 1); /* built into the writer's cache */
  og_xcache_free(c);
  og_snapshot_free(snap);
}

static void topo_key_of(xq *x, const char *edge_table, og_buf *key) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *snap = NULL;
  og_table *t = NULL;
  OG_ASSERT_OK(og_graph_snapshot(x->g, "main", 0, &snap, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, edge_table, &t, &err), &err);
  assert_true(og_topo_key(key, og_table_prefix(t), og_table_key(t)));
  og_table_free(t);
  og_snapshot_free(snap);
}

static void verify_ok(xq *x) {
  og_error err = OG_ERROR_INIT;
  og_buf rep = OG_BUF_INIT;
  og_status rc = og_graph_verify_retained(x->st, &rep, &err);
  if (rc) fail_msg("verify: %s", rep.ptr ? rep.ptr : err.message);
  if (!strstr(rep.ptr, "\"warnings\":[]")) fail_msg("verify: %s", rep.ptr); /* no orphan */
  og_buf_dispose(&rep);
}

static void test_read_back_and_remap(void **state) {
  (void)state;
  size_t saved = og_topo_persist_min, par = og_csr_parallel_min;
  og_topo_persist_min = 1;
  og_csr_parallel_min = 1; /* the two-thread reads and builds */
  xq x;
  xq_init(&x, SCHEMA);
  xq_load(&x, DATA);
  assert_int_equal(check_same(&x), 0); /* nothing persisted yet */
  persist(&x, "Knows");
  persist(&x, "LivesIn");
  assert_int_equal(check_same(&x), 2); /* both read, node indexes with them */
  verify_ok(&x);
  /* a new Person version: the stored dense spaces move by key */
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"Aaron\"}}\n{\"type\":\"City\",\"data\":{\"name\":\"Bern\"}}\n");
  assert_int_equal(check_same(&x), 2);
  /* persisting again for the same edge version writes nothing new */
  persist(&x, "Knows");
  assert_int_equal(check_same(&x), 2);
  verify_ok(&x);
  xq_dispose(&x);
  og_topo_persist_min = saved;
  og_csr_parallel_min = par;
}

static void test_ghosts_and_fallbacks(void **state) {
  (void)state;
  size_t saved = og_topo_persist_min;
  og_topo_persist_min = 1;
  og_error err = OG_ERROR_INIT;
  xq x;
  xq_init(&x, SCHEMA);
  xq_load(&x, DATA);
  /* a dangling endpoint: read back exactly, but not movable */
  xq_load(&x, "{\"edge\":\"Knows\",\"from\":\"C\",\"to\":\"Ghost\"}\n{\"edge\":\"Knows\",\"from\":\"Ghost\",\"to\":\"A\"}\n");
  persist(&x, "Knows");
  assert_int_equal(check_same(&x), 1);
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"Zed\"}}\n");
  assert_int_equal(check_same(&x), 0); /* ghosts would renumber: built */
  /* the ghost becomes a node */
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"Ghost\"}}\n");
  assert_int_equal(check_same(&x), 0);
  /* a corrupt object: verify reports it, readers build */
  og_buf key = OG_BUF_INIT, body = OG_BUF_INIT;
  topo_key_of(&x, "edge:Knows", &key);
  xq_load(&x, "{\"edge\":\"Knows\",\"from\":\"Zed\",\"to\":\"A\"}\n");
  persist(&x, "Knows");
  topo_key_of(&x, "edge:Knows", &key);
  OG_ASSERT_OK(og_store_get(x.st, key.ptr, &body, &err), &err);
  assert_int_equal(check_same(&x), 1);
  /* a flipped row id: the node index is built, the adjacency still read */
  og_topo_hdr h;
  OG_ASSERT_OK(og_topo_read_header(x.st, key.ptr, &h, &err), &err);
  body.ptr[h.sect[OG_TOPO_SRC_ROWIDS].off + 1] ^= 0x40;
  OG_ASSERT_OK(og_store_put(x.st, key.ptr, body.ptr, body.len, &err), &err);
  assert_int_equal(check_same(&x), 1);
  /* a flipped target: built */
  body.ptr[h.sect[OG_TOPO_OUT_TGT].off + 1] ^= 0x40;
  og_topo_hdr_dispose(&h);
  OG_ASSERT_OK(og_store_put(x.st, key.ptr, body.ptr, body.len, &err), &err);
  assert_int_equal(check_same(&x), 0);
  og_buf rep = OG_BUF_INIT;
  assert_int_equal(og_graph_verify(x.st, &rep, &err), OG_ECORRUPT);
  assert_non_null(strstr(rep.ptr, "topology"));
  og_buf_dispose(&rep);
  /* truncated to its header */
  OG_ASSERT_OK(og_store_put(x.st, key.ptr, body.ptr, 200, &err), &err);
  assert_int_equal(check_same(&x), 0);
  og_buf_dispose(&key);
  og_buf_dispose(&body);
  xq_dispose(&x);
  og_topo_persist_min = saved;
}

/* Cleanup keeps the topology of a retained edge version and drops it with
 * its descriptor once released. */
static void test_cleanup(void **state) {
  (void)state;
  size_t saved = og_topo_persist_min;
  og_topo_persist_min = 1;
  og_error err = OG_ERROR_INIT;
  xq x;
  xq_init(&x, SCHEMA);
  xq_load(&x, DATA);
  persist(&x, "Knows");
  og_buf k1 = OG_BUF_INIT, k2 = OG_BUF_INIT;
  topo_key_of(&x, "edge:Knows", &k1);
  og_cleanup_opts o = {.keep_set = true, .keep = 1, .grace_set = true, .grace_ms = 0};
  og_cleanup_result r;
  memset(&r, 0, sizeof r);
  OG_ASSERT_OK(og_graph_cleanup(x.st, &o, &r, &err), &err);
  og_cleanup_result_dispose(&r);
  uint64_t size;
  OG_ASSERT_OK(og_store_head(x.st, k1.ptr, &size, &err), &err); /* still the head's */
  xq_load(&x, "{\"edge\":\"Knows\",\"from\":\"C\",\"to\":\"B\"}\n");
  persist(&x, "Knows");
  topo_key_of(&x, "edge:Knows", &k2);
  assert_string_not_equal(k1.ptr, k2.ptr);
  memset(&r, 0, sizeof r);
  OG_ASSERT_OK(og_graph_cleanup(x.st, &o, &r, &err), &err);
  og_cleanup_result_dispose(&r);
  assert_int_equal(og_store_head(x.st, k1.ptr, &size, &err), OG_ENOTFOUND);
  OG_ASSERT_OK(og_store_head(x.st, k2.ptr, &size, &err), &err);
  assert_int_equal(check_same(&x), 1);
  verify_ok(&x);
  og_buf_dispose(&k1);
  og_buf_dispose(&k2);
  xq_dispose(&x);
  og_topo_persist_min = saved;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_read_back_and_remap),
      cmocka_unit_test(test_ghosts_and_fallbacks),
      cmocka_unit_test(test_cleanup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
