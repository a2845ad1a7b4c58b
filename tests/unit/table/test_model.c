/* Table layer: random operation sequences checked against a simple model
 * (row id → generator row and variant), including compaction and rebase. */
#include "tt.h"

#define MAXROWS 4096

typedef struct model {
  bool live[MAXROWS];
  uint64_t gen[MAXROWS]; /* generator index i (the key is "k<i>") */
  uint64_t tag[MAXROWS];
  uint64_t next_id;
  uint64_t next_gen;
} model;

static uint64_t rng_state;
static uint64_t rnd(uint64_t n) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (rng_state >> 33) % (n ? n : 1);
}

static size_t model_live(const model *m, uint64_t *ids) {
  size_t n = 0;
  for (uint64_t id = 0; id < m->next_id; id++)
    if (m->live[id]) ids[n++] = id;
  return n;
}

static void check(og_table *t, const model *m, bool deep) {
  og_error e = OG_ERROR_INIT;
  static tt_expect ex[MAXROWS];
  size_t n = 0;
  for (uint64_t id = 0; id < m->next_id; id++)
    if (m->live[id]) ex[n++] = (tt_expect){id, m->gen[id], m->tag[id], false};
  tt_check_table(t, ex, n);
  assert_int_equal(og_table_next_row_id(t), m->next_id);
  /* lookups: a few live keys, a dead one, an absent one */
  for (int k = 0; k < 4 && n; k++) {
    const tt_expect *x = &ex[rnd(n)];
    char key[32];
    int kl = snprintf(key, sizeof key, "k%llu", (unsigned long long)x->i);
    uint64_t id;
    OG_ASSERT_OK(og_table_lookup(t, key, (size_t)kl, &id, &e), &e);
    assert_int_equal(id, x->rowid);
  }
  uint64_t id;
  assert_int_equal(og_table_lookup(t, "k-none", 6, &id, &e), OG_ENOTFOUND);
  if (deep) OG_ASSERT_OK(og_table_verify(t, &e), &e);
}

/* A random row change on t (and the model): deletes, updates, inserts. */
static og_table *random_change(og_table *t, model *m, const og_table_write_opts *o) {
  og_error e = OG_ERROR_INIT;
  static uint64_t ids[MAXROWS];
  size_t n = model_live(m, ids);
  og_table_schema s = tt_schema();
  OG_VEC(uint64_t) del = OG_VEC_INIT;
  og_batch ins, upd;
  OG_ASSERT_OK(og_batch_init(&ins, &s, &e), &e);
  OG_ASSERT_OK(og_batch_init(&upd, &s, &e), &e);
  bool used[MAXROWS] = {0};
  size_t ndel = n ? rnd(n / 4 + 1) : 0, nupd = n ? rnd(n / 6 + 1) : 0, nins = rnd(60);
  if (m->next_id + nins >= MAXROWS) nins = 0;
  for (size_t k = 0; k < ndel; k++) {
    uint64_t id = ids[rnd(n)];
    if (used[id]) continue;
    used[id] = true;
    assert_int_equal(OG_VEC_PUSH(&del, id), OG_OK);
  }
  uint64_t newtag = rnd(1000) + 1;
  for (size_t k = 0; k < nupd; k++) {
    uint64_t id = ids[rnd(n)];
    if (used[id]) continue;
    used[id] = true;
    tt_push_row(&upd, m->gen[id], newtag);
    assert_int_equal(OG_VEC_PUSH(&upd.rowids, id), OG_OK);
  }
  for (size_t k = 0; k < nins; k++) tt_push_row(&ins, m->next_gen + k, 0);
  og_table_change c = {0};
  c.deletes = del.items;
  c.ndeletes = del.count;
  c.inserts = &ins;
  c.updates = &upd;
  og_table *out = NULL;
  uint64_t *new_ids = NULL;
  OG_ASSERT_OK(og_table_apply(t, &c, o, &out, &new_ids, &e), &e);
  for (size_t k = 0; k < del.count; k++) m->live[del.items[k]] = false;
  for (size_t k = 0; k < upd.rowids.count; k++) m->tag[upd.rowids.items[k]] = newtag;
  for (size_t k = 0; k < nins; k++) {
    assert_int_equal(new_ids[k], m->next_id + k);
    m->live[m->next_id + k] = true;
    m->gen[m->next_id + k] = m->next_gen + k;
    m->tag[m->next_id + k] = 0;
  }
  m->next_id += nins;
  m->next_gen += nins;
  og_free(new_ids);
  OG_VEC_FREE(&del);
  og_batch_dispose(&ins);
  og_batch_dispose(&upd);
  return out;
}

static void run_seed(uint64_t seed) {
  og_error e = OG_ERROR_INIT;
  og_store *st = NULL;
  OG_ASSERT_OK(og_store_open_memory(&st, &e), &e);
  rng_state = seed;
  static model m;
  memset(&m, 0, sizeof m);
  og_table_schema s = tt_schema();
  og_table *t = NULL;
  OG_ASSERT_OK(og_table_create(st, "t/m", &s, &t, &e), &e);
  og_table_write_opts o = {0};
  o.max_fragment_rows = (uint32_t)(8 + rnd(40));
  o.page_bytes = (uint32_t)(256 + rnd(4000));
  for (int step = 0; step < 40; step++) {
    og_table *nt = NULL;
    uint64_t op = rnd(10);
    if (op < 6) {
      nt = random_change(t, &m, &o);
    } else if (op == 6 && rnd(2) == 0) {
      /* delete where i64 < threshold (column 3 is non-null: tt_mix(seed)) */
      int64_t thr = (int64_t)(tt_mix(rnd(1u << 30)) >> 1) - (INT64_MAX / 2);
      og_pred p = {3, OG_CMP_LT, {.kind = OG_CELL_INT, .v.i = thr}};
      uint64_t ndel = 0, want = 0;
      OG_ASSERT_OK(og_table_delete_where(t, &p, 1, &nt, &ndel, &e), &e);
      for (uint64_t id = 0; id < m.next_id; id++) {
        if (!m.live[id]) continue;
        int64_t v = (int64_t)tt_mix(m.gen[id] * 131 + 3 + m.tag[id] * 1000003);
        if (v < thr) {
          m.live[id] = false;
          want++;
        }
      }
      assert_int_equal(ndel, want);
    } else if (op < 8) {
      og_compact_opts co = {0};
      co.target_rows = (uint32_t)(16 + rnd(200));
      bool changed;
      OG_ASSERT_OK(og_table_compact(t, &co, &nt, &changed, &e), &e);
      if (!changed) assert_ptr_equal(nt, t);
    } else {
      /* concurrent writer vs. compaction, then rebase */
      og_table *ours = random_change(t, &m, &o);
      og_compact_opts co = {0};
      co.target_rows = (uint32_t)(16 + rnd(300));
      og_table *theirs = NULL;
      bool changed;
      OG_ASSERT_OK(og_table_compact(t, &co, &theirs, &changed, &e), &e);
      OG_ASSERT_OK(og_table_rebase(t, ours, theirs, &nt, &e), &e);
      assert_int_equal(og_table_content_version(nt), og_table_content_version(ours));
      og_table_free(ours);
      og_table_free(theirs);
    }
    og_table_free(t);
    t = nt;
    /* sometimes continue from a fresh open (cold handle caches) */
    if (rnd(3) == 0) {
      og_table *r = NULL;
      OG_ASSERT_OK(og_table_open(st, og_table_key(t), &r, &e), &e);
      og_table_free(t);
      t = r;
    }
    check(t, &m, step % 8 == 7);
  }
  OG_ASSERT_OK(og_table_verify(t, &e), &e);
  og_table_free(t);
  og_store_free(st);
}

static void test_random_sequences(void **state) {
  (void)state;
  const char *env = getenv("OG_TABLE_MODEL_SEEDS");
  int seeds = env ? atoi(env) : 12;
  for (int k = 0; k < seeds; k++) run_seed(0x9e3779b97f4a7c15ULL * (uint64_t)(k + 1));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_sequences),
  };
  int rc = cmocka_run_group_tests_name("table.model", tests, NULL, NULL);
  og_table_cache_clear();
  return rc;
}
