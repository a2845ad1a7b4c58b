/* Topology cache: CSR/CSC per edge-table version, dense node indices per
 * node-table version; a new version misses, an old snapshot still hits. */
#include "query_fixture.h"

#include <pthread.h>

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
  OG_ASSERT_OK(og_xcache_csr(NULL, kn, pe, pe, OG_CSR_OUT | OG_CSR_IN, &g, &err), &err);
  assert_true(g->same);
  assert_int_equal(g->nedges, 3);
  assert_int_equal(g->nsrc, 3); /* A, B + ghost */
  /* A's out-neighbours in scan order: B, Ghost */
  uint32_t a = og_idtab_find(&g->src->ids, "A", 1);
  uint32_t b = og_idtab_find(&g->src->ids, "B", 1);
  assert_int_equal(g->out_off[a + 1] - g->out_off[a], 2);
  assert_int_equal(g->out_tgt[g->out_off[a]], b);
  assert_true(g->out_tgt[g->out_off[a] + 1] >= g->src->n);
  /* B's in-neighbours: A and the ghost */
  assert_int_equal(g->in_off[b + 1] - g->in_off[b], 2);
  og_xcache_release_csr(NULL, g);
  OG_ASSERT_OK(og_xcache_csr(x.cache, li, pe, ci, 0, &g, &err), &err);
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

/* The id table: ids of every length up to 24 (the 8-byte word inside the
 * slot, then the blob), ids sharing their first 8 bytes, embedded NULs, and
 * growth from a small start. */
static void test_idtab(void **state) {
  (void)state;
  og_idtab t;
  char ids[600][32];
  size_t lens[600];
  assert_int_equal(og_idtab_init(&t, 4), OG_OK);
  for (int i = 0; i < 600; i++) {
    int len = i % 25;
    for (int k = 0; k < len; k++) ids[i][k] = (char)('a' + (k * 7 + i / 25) % 26);
    if (len > 3 && i % 3 == 0) ids[i][len - 2] = '\0'; /* NUL inside */
    if (len > 9) ids[i][len - 1] = (char)('0' + i % 10); /* same first 8 bytes, differ late */
    lens[i] = (size_t)len;
  }
  int added = 0;
  for (int i = 0; i < 600; i++) {
    uint32_t d = og_idtab_find(&t, ids[i], lens[i]);
    if (d != UINT32_MAX) {
      assert_memory_equal(t.blob.ptr + t.offs.items[d], ids[i], lens[i]);
      continue;
    }
    assert_int_equal(og_idtab_add(&t, ids[i], lens[i], &d), OG_OK);
    assert_int_equal(d, added++);
  }
  assert_int_equal(t.count, added);
  for (int i = 0; i < 600; i++) {
    uint32_t d = og_idtab_find(&t, ids[i], lens[i]);
    assert_true(d < t.count);
    assert_int_equal(t.offs.items[d + 1] - t.offs.items[d], lens[i]);
    assert_memory_equal(t.blob.ptr + t.offs.items[d], ids[i], lens[i]);
  }
  /* a prefix, an extension and a zero-padded twin are other ids */
  assert_int_equal(og_idtab_find(&t, "abc", 3) == UINT32_MAX || lens[og_idtab_find(&t, "abc", 3)] == 3, true);
  assert_int_equal(og_idtab_find(&t, "zzzzzzzzzzzzzzzzzzzzzzzzzzz", 27), UINT32_MAX);
  uint32_t d;
  assert_int_equal(og_idtab_add(&t, "#", 1, &d), OG_OK);
  assert_int_equal(og_idtab_find(&t, "#\0", 2), UINT32_MAX);
  assert_int_equal(og_idtab_find(&t, "#", 1), d);
  og_idtab_dispose(&t);
}

static uint32_t lcg(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return *s >> 8;
}

static const char *pname(char *buf, size_t cap, uint32_t i) {
  /* short ids, long ids, and long ids that share their first 8 bytes */
  if (i % 3 == 0) snprintf(buf, cap, "p%u", i);
  else if (i % 3 == 1) snprintf(buf, cap, "person-number-%u", i);
  else snprintf(buf, cap, "samepref%u", i);
  return buf;
}

#define NP 400
#define NE 4000

/* Delete the row whose id column equals `id` from one table, in one commit. */
static void delete_id(xq *x, const char *table, const char *id) {
  og_error err = OG_ERROR_INIT;
  og_graph_write *w = NULL;
  og_table *t = NULL, *nt = NULL;
  OG_ASSERT_OK(og_graph_write_begin(x->g, "main", &w, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(og_graph_write_base(w), table, &t, &err), &err);
  og_pred p = {.col = 0, .op = OG_CMP_EQ, .lit = {.kind = OG_CELL_BYTES, .v.s = {id, strlen(id)}}};
  uint64_t n = 0;
  OG_ASSERT_OK(og_table_delete_where(t, &p, 1, &nt, &n, &err), &err);
  assert_int_equal(n, 1);
  OG_ASSERT_OK(og_graph_write_stage(w, table, nt, 0, &err), &err);
  og_commit_opts co = {.operation = "delete"};
  og_snapshot *snap = NULL;
  OG_ASSERT_OK(og_graph_commit(w, &co, &snap, &err), &err);
  og_snapshot_free(snap);
  og_table_free(nt);
  og_table_free(t);
  og_graph_write_free(w);
}

typedef struct gen {
  uint32_t src[NE], dst[NE]; /* person index, or NP + k for the ghost id gk */
  bool edge_dead[NE], node_dead[NP];
} gen;

/* A graph with every case the build must keep: duplicate edges, self loops,
 * dangling endpoints (never-existing ids and deleted nodes) on both sides,
 * deleted edges, several fragments, a cross-type edge with its own ghosts. */
static void build_graph(xq *x, gen *G) {
  xq_init(x, "node Person { name: String @key }\nnode City { name: String @key }\n"
             "edge Knows: Person -> Person\nedge LivesIn: Person -> City\n");
  og_buf b = OG_BUF_INIT;
  char n1[64], n2[64];
  for (uint32_t i = 0; i < NP; i++)
    og_buf_printf(&b, "{\"type\":\"Person\",\"data\":{\"name\":\"%s\"}}\n", pname(n1, sizeof n1, i));
  for (int i = 0; i < 5; i++) og_buf_printf(&b, "{\"type\":\"City\",\"data\":{\"name\":\"c%d\"}}\n", i);
  xq_load(x, b.ptr);
  uint32_t s = 7;
  memset(G, 0, sizeof *G);
  for (int part = 0; part < 3; part++) { /* three loads: three edge fragments */
    og_buf_clear(&b);
    for (int i = part * NE / 3; i < (part == 2 ? NE : (part + 1) * NE / 3); i++) {
      uint32_t a = lcg(&s) % NP, c = lcg(&s) % NP, r = lcg(&s) % 100;
      if (r < 4) c = a;                                                   /* self loop */
      else if (r < 10 && i > 0) a = G->src[i - 1] % NP, c = G->dst[i - 1] % NP; /* duplicate */
      else if (r < 13) c = NP + lcg(&s) % 5;                              /* dangling dst */
      else if (r < 15) a = NP + lcg(&s) % 5;                              /* dangling src */
      G->src[i] = a, G->dst[i] = c;
      const char *fa = a < NP ? pname(n1, sizeof n1, a) : (snprintf(n1, sizeof n1, "g%u", a - NP), n1);
      const char *fc = c < NP ? pname(n2, sizeof n2, c) : (snprintf(n2, sizeof n2, "g%u", c - NP), n2);
      og_buf_printf(&b, "{\"edge\":\"Knows\",\"from\":\"%s\",\"to\":\"%s\",\"data\":{\"id\":\"k%d\"}}\n", fa, fc, i);
      if (i % 7 == 0)
        og_buf_printf(&b, "{\"edge\":\"LivesIn\",\"from\":\"%s\",\"to\":\"%s\"}\n", fa,
                      i % 21 == 0 ? "nowhere" : (snprintf(n2, sizeof n2, "c%u", r % 5), n2));
    }
    xq_load(x, b.ptr);
  }
  og_buf_dispose(&b);
  /* deleted nodes leave their edges dangling; deleted edges are gone */
  for (uint32_t i = 5; i < NP; i += 37) {
    delete_id(x, "node:Person", pname(n1, sizeof n1, i));
    G->node_dead[i] = true;
  }
  for (int i = 3; i < NE; i += 101) {
    snprintf(n1, sizeof n1, "k%d", i);
    delete_id(x, "edge:Knows", n1);
    G->edge_dead[i] = true;
  }
}

static void csr_equal(const og_csr *a, const og_csr *b) {
  assert_int_equal(a->nsrc, b->nsrc);
  assert_int_equal(a->ndst, b->ndst);
  assert_int_equal(a->nedges, b->nedges);
  assert_memory_equal(a->out_off, b->out_off, (a->nsrc + 1) * sizeof *a->out_off);
  assert_memory_equal(a->in_off, b->in_off, (a->ndst + 1) * sizeof *a->in_off);
  if (a->out_off[a->nsrc]) assert_memory_equal(a->out_tgt, b->out_tgt, a->out_off[a->nsrc] * sizeof *a->out_tgt);
  if (a->in_off[a->ndst]) assert_memory_equal(a->in_tgt, b->in_tgt, a->in_off[a->ndst] * sizeof *a->in_tgt);
  assert_memory_equal(a->out_any, b->out_any, a->nsrc);
  assert_memory_equal(a->in_any, b->in_any, a->ndst);
}

static const char *const TRAV_QUERIES[] = {
    "query q() { match { $a: Person  $a knows $b  $b knows $c } return { count($c) as n } }",
    "query q() { match { $a: Person  $a knows $b } return { $a.name, count($b) as n } }",
    "query q() { match { $b: Person  $a knows $b } return { $b.name, count($a) as n } }",
    "query q() { match { $a: Person { name: \"p3\" }  $a knows{1,3} $b } return { $b.name } }",
    "query q() { match { $a: Person { name: \"person-number-4\" }  $a knows{2,2} $b } return { $b.name } }",
    "query q() { match { $b: Person { name: \"samepref2\" }  $a knows{1,2} $b } return { $a.name } }",
    "query q() { match { $a: Person  not { $a knows $_ } } return { $a.name } }",
    "query q() { match { $p: Person  $p livesIn $c } return { $p.name, $c.name } }",
    "query q() { match { $c: City  $p livesIn $c } return { $c.name, count($p) as n } }",
};

static char *run_sorted(xq *x, const char *q) {
  og_error err = OG_ERROR_INIT;
  char *rows = NULL;
  OG_ASSERT_OK(xq_run_at(x, "main", 0, q, NULL, NULL, true, &rows, &err), &err);
  return rows;
}

/* The two-thread build and the lazily built directions give exactly the
 * arrays of the one-thread, both-at-once build, and the same answers; the
 * 2-hop count equals one computed here from the generated edges. */
static void test_parallel_and_lazy_builds(void **state) {
  (void)state;
  static gen G;
  xq x;
  og_error err = OG_ERROR_INIT;
  build_graph(&x, &G);
  size_t saved = og_csr_parallel_min;
  og_snapshot *snap = NULL;
  og_table *kn = NULL, *li = NULL, *pe = NULL, *ci = NULL;
  OG_ASSERT_OK(og_graph_snapshot(x.g, "main", 0, &snap, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, "edge:Knows", &kn, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, "edge:LivesIn", &li, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, "node:Person", &pe, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, "node:City", &ci, &err), &err);
  og_table *edges[2] = {kn, li}, *to[2] = {pe, ci};
  for (int e = 0; e < 2; e++) {
    og_csr *ref = NULL, *par = NULL;
    og_csr_parallel_min = SIZE_MAX;
    OG_ASSERT_OK(og_xcache_csr(NULL, edges[e], pe, to[e], OG_CSR_OUT | OG_CSR_IN, &ref, &err), &err);
    assert_null(ref->es);
    og_csr_parallel_min = 1;
    OG_ASSERT_OK(og_xcache_csr(NULL, edges[e], pe, to[e], 0, &par, &err), &err);
    assert_int_equal(par->built, 0);
    assert_null(par->out_off);
    assert_non_null(par->es);
    og_csr_parallel_min = SIZE_MAX; /* one thread: a need builds only what it asks */
    OG_ASSERT_OK(og_csr_need(NULL, par, e ? OG_CSR_IN : OG_CSR_OUT, &err), &err);
    assert_int_equal(par->built, e ? OG_CSR_IN : OG_CSR_OUT);
    assert_non_null(par->es); /* kept for the other direction */
    OG_ASSERT_OK(og_csr_need(NULL, par, OG_CSR_OUT | OG_CSR_IN, &err), &err);
    assert_null(par->es);
    csr_equal(ref, par);
    og_csr_parallel_min = 1;
    og_csr *both = NULL; /* two threads: asking one direction builds both at once */
    OG_ASSERT_OK(og_xcache_csr(NULL, edges[e], pe, to[e], OG_CSR_IN, &both, &err), &err);
    assert_int_equal(both->built, OG_CSR_OUT | OG_CSR_IN);
    csr_equal(ref, both);
    if (e == 0) {
      assert_int_equal(ref->nedges, NE - (NE - 3 + 100) / 101);
      assert_int_equal(ref->nsrc, NP + 5); /* ghosts: g0..g4 and the deleted persons */
      assert_int_equal(ref->src->n, NP - (NP - 5 + 36) / 37);
    } else {
      assert_int_equal(ref->ndst, 6); /* c0..c4 + nowhere */
    }
    og_xcache_release_csr(NULL, ref);
    og_xcache_release_csr(NULL, par);
    og_xcache_release_csr(NULL, both);
  }
  og_table_free(kn);
  og_table_free(li);
  og_table_free(pe);
  og_table_free(ci);
  og_snapshot_free(snap);

  /* the same answers through the executor, each with a fresh cache */
  for (size_t q = 0; q < sizeof TRAV_QUERIES / sizeof *TRAV_QUERIES; q++) {
    og_csr_parallel_min = SIZE_MAX;
    og_xcache_free(x.cache);
    x.cache = og_xcache_new();
    char *want = run_sorted(&x, TRAV_QUERIES[q]);
    og_csr_parallel_min = 1;
    og_xcache_free(x.cache);
    x.cache = og_xcache_new();
    char *got = run_sorted(&x, TRAV_QUERIES[q]);
    if (strcmp(want, got)) fail_msg("query %s\n  one thread %s\n  two        %s", TRAV_QUERIES[q], want, got);
    og_free(want);
    og_free(got);
  }

  /* 2-hop paths with set semantics, from the generated edges: live endpoints
   * only, no self loops, each (a, b) pair once */
  static uint8_t adj[NP][NP];
  memset(adj, 0, sizeof adj);
  for (int i = 0; i < NE; i++) {
    uint32_t a = G.src[i], c = G.dst[i];
    if (G.edge_dead[i] || a >= NP || c >= NP || a == c || G.node_dead[a] || G.node_dead[c]) continue;
    adj[a][c] = 1;
  }
  uint64_t paths = 0;
  for (int b = 0; b < NP; b++) {
    uint64_t in = 0, out = 0;
    for (int k = 0; k < NP; k++) in += adj[k][b], out += adj[b][k];
    paths += in * out;
  }
  assert_true(paths > 10000);
  char want[64];
  snprintf(want, sizeof want, "[{\"n\":%llu}]", (unsigned long long)paths);
  XQ_EXPECT(&x, TRAV_QUERIES[0], NULL, false, want);
  og_csr_parallel_min = saved;
  xq_dispose(&x);
}

typedef struct need_arg {
  og_xcache *cache;
  og_csr *g;
  unsigned dirs;
  og_status rc;
} need_arg;

static void *need_main(void *p) {
  need_arg *a = p;
  og_error err = OG_ERROR_INIT;
  a->rc = og_csr_need(a->cache, a->g, a->dirs, &err);
  og_xcache_stats s;
  og_xcache_get_stats(a->cache, &s);
  return NULL;
}

/* Queries sharing a cached CSR may ask for directions at the same time:
 * each is built once, and the cache's size account follows (TSan build). */
static void test_concurrent_need(void **state) {
  (void)state;
  static gen G;
  xq x;
  og_error err = OG_ERROR_INIT;
  build_graph(&x, &G);
  og_snapshot *snap = NULL;
  og_table *kn = NULL, *pe = NULL;
  OG_ASSERT_OK(og_graph_snapshot(x.g, "main", 0, &snap, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, "edge:Knows", &kn, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(snap, "node:Person", &pe, &err), &err);
  og_csr *g = NULL, *h = NULL;
  OG_ASSERT_OK(og_xcache_csr(x.cache, kn, pe, pe, 0, &g, &err), &err);
  og_xcache_stats before;
  og_xcache_get_stats(x.cache, &before);
  need_arg a[3] = {{x.cache, g, OG_CSR_OUT, OG_OK}, {x.cache, g, OG_CSR_IN, OG_OK}, {x.cache, g, OG_CSR_OUT | OG_CSR_IN, OG_OK}};
  pthread_t th[3];
  for (int i = 0; i < 3; i++) assert_int_equal(pthread_create(&th[i], NULL, need_main, &a[i]), 0);
  for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < 3; i++) assert_int_equal(a[i].rc, OG_OK);
  assert_int_equal(g->built, OG_CSR_OUT | OG_CSR_IN);
  assert_null(g->es);
  og_xcache_stats after;
  og_xcache_get_stats(x.cache, &after);
  assert_true(after.bytes > before.bytes);
  /* a hit asking for a direction gets the same entry */
  OG_ASSERT_OK(og_xcache_csr(x.cache, kn, pe, pe, OG_CSR_IN, &h, &err), &err);
  assert_ptr_equal(g, h);
  og_xcache_release_csr(x.cache, h);
  og_xcache_release_csr(x.cache, g);
  og_table_free(kn);
  og_table_free(pe);
  og_snapshot_free(snap);
  xq_dispose(&x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hit_and_miss_by_version),
      cmocka_unit_test(test_cache_is_bounded),
      cmocka_unit_test(test_uncached_and_ghosts),
      cmocka_unit_test(test_idtab),
      cmocka_unit_test(test_parallel_and_lazy_builds),
      cmocka_unit_test(test_concurrent_need),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
