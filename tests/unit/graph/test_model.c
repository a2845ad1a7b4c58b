/* graph: a randomized run of commits, branch creates / deletes /
 * re-creates, compactions and time-travel reads through two handles,
 * checked step by step against an in-memory model. */
#include "graph_fixture.h"

#define MAXB 8
#define MAXV 512

typedef struct mbranch {
  const char *name;
  bool live;
  uint64_t gen;
  int nver;                  /* versions 1..nver */
  uint64_t persons[MAXV + 1]; /* row counts per version */
  uint64_t knows[MAXV + 1];
} mbranch;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state % n);
}

static void check_version(og_graph *g, const mbranch *b, int v) {
  assert_int_equal(fx_rows(g, b->name, (uint64_t)v, "node:Person"), b->persons[v]);
  assert_int_equal(fx_rows(g, b->name, (uint64_t)v, "edge:Knows"), b->knows[v]);
}

static void compact_commit(og_graph *g, const char *branch, const char *table) {
  og_error err = OG_ERROR_INIT;
  og_graph_write *w = NULL;
  og_table *base = NULL, *nt = NULL;
  bool changed = false;
  OG_ASSERT_OK(og_graph_write_begin(g, branch, &w, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(og_graph_write_base(w), table, &base, &err), &err);
  og_compact_opts co = {65536, 0.1};
  OG_ASSERT_OK(og_table_compact(base, &co, &nt, &changed, &err), &err);
  if (!changed) { /* nothing to compact: an empty commit keeps the model simple */
    og_table_free(nt);
    nt = NULL;
  } else {
    OG_ASSERT_OK(og_graph_write_stage(w, table, nt, 0, &err), &err);
  }
  og_commit_opts cc = {"optimize", NULL, NULL, NULL};
  OG_ASSERT_OK(og_graph_commit(w, &cc, NULL, &err), &err);
  og_table_free(base);
  og_table_free(nt);
  og_graph_write_free(w);
}

static void test_model_run(void **state) {
  (void)state;
  og_error err = OG_ERROR_INIT;
  og_store *st = fx_memory();
  og_graph *h[2];
  h[0] = fx_init(st);
  OG_ASSERT_OK(og_graph_open(st, 0, &h[1], &err), &err);
  static mbranch m[MAXB];
  const char *names[MAXB] = {"main", "a", "b", "c/d", "e.f", "x-1", "y_2", "z/z/z"};
  memset(m, 0, sizeof m);
  for (int i = 0; i < MAXB; i++) m[i].name = names[i];
  m[0].live = true;
  m[0].gen = 1;
  m[0].nver = 1;
  int counts[5] = {0};
  for (int step = 0; step < 3000; step++) {
    og_graph *g = h[rnd(2)];
    int op = (int)rnd(100);
    int bi = (int)rnd(MAXB);
    mbranch *b = &m[bi];
    if (op < 50) { /* commit */
      if (!b->live || b->nver >= MAXV) continue;
      bool person = rnd(2) == 0;
      int k = 1 + (int)rnd(3);
      char tag[32];
      snprintf(tag, sizeof tag, "s%d", step);
      OG_ASSERT_OK(fx_commit_append(g, b->name, person ? "node:Person" : "edge:Knows", tag, k,
                                    rnd(2) ? OG_GRAPH_STAGE_STRICT : 0, NULL, &err), &err);
      b->nver++;
      b->persons[b->nver] = b->persons[b->nver - 1] + (person ? (uint64_t)k : 0);
      b->knows[b->nver] = b->knows[b->nver - 1] + (person ? 0 : (uint64_t)k);
      counts[0]++;
    } else if (op < 62) { /* branch create */
      if (b->live) {
        assert_int_equal(og_graph_branch_create(g, b->name, "main", 0, NULL, &err), OG_EEXISTS);
        continue;
      }
      mbranch *src = &m[rnd(MAXB)];
      if (!src->live) continue;
      int v = 1 + (int)rnd((uint32_t)src->nver);
      OG_ASSERT_OK(og_graph_branch_create(g, b->name, src->name, (uint64_t)v, NULL, &err), &err);
      b->live = true;
      b->gen++;
      b->nver = 1;
      b->persons[1] = src->persons[v];
      b->knows[1] = src->knows[v];
      counts[1]++;
    } else if (op < 70) { /* branch delete */
      if (bi == 0) {
        assert_int_equal(og_graph_branch_delete(g, "main", NULL, &err), OG_EINVAL);
        continue;
      }
      if (!b->live) {
        assert_int_equal(og_graph_branch_delete(g, b->name, NULL, &err), OG_ENOTFOUND);
        continue;
      }
      OG_ASSERT_OK(og_graph_branch_delete(g, b->name, NULL, &err), &err);
      b->live = false;
      counts[2]++;
    } else if (op < 76) { /* optimize */
      if (!b->live || b->nver >= MAXV) continue;
      compact_commit(g, b->name, rnd(2) ? "node:Person" : "edge:Knows");
      b->nver++;
      b->persons[b->nver] = b->persons[b->nver - 1];
      b->knows[b->nver] = b->knows[b->nver - 1];
      counts[3]++;
    } else { /* read: head and a random past version */
      uint64_t v = 0;
      if (!b->live) {
        assert_int_equal(og_graph_head(g, b->name, &v, &err), OG_ENOTFOUND);
        continue;
      }
      OG_ASSERT_OK(og_graph_head(g, b->name, &v, &err), &err);
      assert_int_equal(v, (uint64_t)b->nver);
      og_snapshot *s = NULL;
      OG_ASSERT_OK(og_graph_snapshot(g, b->name, 0, &s, &err), &err);
      assert_int_equal(og_snapshot_manifest(s)->generation, b->gen);
      og_snapshot_free(s);
      check_version(g, b, b->nver);
      check_version(g, b, 1 + (int)rnd((uint32_t)b->nver));
      counts[4]++;
    }
  }
  print_message("model: %d commits, %d creates, %d deletes, %d optimizes, %d reads\n", counts[0],
                counts[1], counts[2], counts[3], counts[4]);
  /* final: every version of every live branch, through a fresh handle */
  og_graph *fresh = NULL;
  OG_ASSERT_OK(og_graph_open(st, OG_GRAPH_READ_ONLY, &fresh, &err), &err);
  og_branch_list bl = {0};
  OG_ASSERT_OK(og_graph_branch_list(fresh, &bl, &err), &err);
  size_t live = 0;
  for (int i = 0; i < MAXB; i++) {
    if (!m[i].live) continue;
    live++;
    for (int v = 1; v <= m[i].nver; v++) check_version(fresh, &m[i], v);
  }
  assert_int_equal(bl.count, live);
  og_branch_list_dispose(&bl);
  og_buf rep = OG_BUF_INIT;
  OG_ASSERT_OK(og_graph_verify(st, &rep, &err), &err);
  og_buf_dispose(&rep);
  og_graph_free(fresh);
  og_graph_free(h[0]);
  og_graph_free(h[1]);
  og_store_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_model_run),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
