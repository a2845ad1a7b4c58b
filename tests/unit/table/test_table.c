/* Table layer: round trips, deletes, updates, compaction, rebase, lookups,
 * predicate pushdown — against the memory store and a posix store. */
#include <pthread.h>

#include "tt.h"
#include "table/table_int.h"

static og_table *tt_create(og_store *st) {
  og_error e = OG_ERROR_INIT;
  og_table *t = NULL;
  og_table_schema s = tt_schema();
  OG_ASSERT_OK(og_table_create(st, "t/people", &s, &t, &e), &e);
  return t;
}

static og_table *tt_append(og_table *base, uint64_t from, uint64_t n, const og_table_write_opts *o) {
  og_error e = OG_ERROR_INIT;
  og_batch b;
  og_table *t = NULL;
  tt_make_batch(&b, from, n, 0);
  og_table_change c = {0};
  c.inserts = &b;
  OG_ASSERT_OK(og_table_apply(base, &c, o, &t, NULL, &e), &e);
  og_batch_dispose(&b);
  return t;
}

static void test_empty_and_roundtrip(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_table *t0 = tt_create(st);
  assert_int_equal(og_table_version(t0), 1);
  assert_int_equal(og_table_row_count(t0), 0);
  tt_check_table(t0, NULL, 0);
  OG_ASSERT_OK(og_table_verify(t0, &e), &e);

  /* reopen by key */
  og_table *r0 = NULL;
  OG_ASSERT_OK(og_table_open(st, og_table_key(t0), &r0, &e), &e);
  assert_int_equal(og_table_schema_get(r0)->ncols, TT_NCOLS);
  assert_int_equal(og_table_schema_get(r0)->key_col, 0);
  assert_string_equal(og_table_schema_get(r0)->cols[12].name, "vec");
  assert_int_equal(og_table_schema_get(r0)->cols[12].dim, TT_VDIM);
  assert_int_equal(og_table_schema_get(r0)->cols[22].elem, OG_COL_STRING);

  og_table *t1 = tt_append(r0, 0, 500, NULL);
  assert_int_equal(og_table_version(t1), 2);
  assert_int_equal(og_table_content_version(t1), 2);
  assert_string_equal(og_table_parent_key(t1), og_table_key(r0));
  tt_expect ex[500];
  for (size_t i = 0; i < 500; i++) ex[i] = (tt_expect){i, i, 0, false};
  tt_check_table(t1, ex, 500);
  /* the input version is unchanged */
  assert_int_equal(og_table_row_count(r0), 0);
  tt_check_table(r0, NULL, 0);

  /* reopen from the store: fresh caches */
  og_table *r1 = NULL;
  OG_ASSERT_OK(og_table_open(st, og_table_key(t1), &r1, &e), &e);
  tt_check_table(r1, ex, 500);
  OG_ASSERT_OK(og_table_verify(r1, &e), &e);

  og_keylist kl;
  OG_ASSERT_OK(og_table_objects(r1, &kl, &e), &e);
  assert_int_equal(kl.count, 3); /* descriptor, fragment, key index */
  og_keylist_dispose(&kl);

  og_table_free(t0);
  og_table_free(r0);
  og_table_free(t1);
  og_table_free(r1);
  tt_store_close(st);
}

static void test_big_values(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_colspec cols[] = {{"id", OG_COL_STRING, 0, 0, false},
                       {"text", OG_COL_STRING, 0, 0, true},
                       {"emb", OG_COL_VECTOR, 0, 1536, true},
                       {"bin", OG_COL_BLOB, 0, 0, false}};
  og_table_schema s = {cols, 4, 0};
  og_table *t0 = NULL, *t1 = NULL;
  OG_ASSERT_OK(og_table_create(st, "t/big", &s, &t0, &e), &e);
  og_batch b;
  OG_ASSERT_OK(og_batch_init(&b, &s, &e), &e);
  size_t big = 1u << 20;
  char *text = og_malloc(big);
  for (size_t i = 0; i < big; i++) text[i] = (char)('a' + (i * 7) % 26);
  float *v = og_malloc(1536 * sizeof *v);
  for (int r = 0; r < 5; r++) {
    char id[16];
    int n = snprintf(id, sizeof id, "r%d", r);
    OG_ASSERT_OK(og_column_push_bytes(&b.cols[0], id, (size_t)n, &e), &e);
    text[0] = (char)('A' + r);
    OG_ASSERT_OK(og_column_push_bytes(&b.cols[1], text, big, &e), &e);
    for (int k = 0; k < 1536; k++) v[k] = (float)(r * 10000 + k) / 3.0f;
    OG_ASSERT_OK(og_column_push_vector(&b.cols[2], v, 1536, &e), &e);
    char bin[5] = {0, (char)r, 0, 0, 'z'};
    OG_ASSERT_OK(og_column_push_bytes(&b.cols[3], bin, 5, &e), &e);
  }
  OG_ASSERT_OK(og_table_append(t0, &b, &t1, &e), &e);
  og_scan *sc = NULL;
  OG_ASSERT_OK(og_table_scan(t1, NULL, &sc, &e), &e);
  const og_batch *ob;
  size_t seen = 0;
  for (;;) {
    OG_ASSERT_OK(og_scan_next(sc, &ob, &e), &e);
    if (!ob) break;
    for (size_t r = 0; r < og_batch_rows(ob); r++, seen++) {
      size_t n;
      const char *p = og_column_get_bytes(&ob->cols[1], r, &n);
      assert_int_equal(n, big);
      assert_int_equal(p[0], 'A' + (int)ob->rowids.items[r]);
      assert_memory_equal(p + 1, text + 1, big - 1);
      const float *gv = og_column_get_vector(&ob->cols[2], r);
      for (int k = 0; k < 1536; k++)
        assert_true(gv[k] == (float)((int)ob->rowids.items[r] * 10000 + k) / 3.0f);
      p = og_column_get_bytes(&ob->cols[3], r, &n);
      assert_int_equal(n, 5);
      assert_int_equal(p[0], 0);
      assert_int_equal(p[4], 'z');
    }
  }
  assert_int_equal(seen, 5);
  og_scan_free(sc);
  OG_ASSERT_OK(og_table_verify(t1, &e), &e);
  og_free(text);
  og_free(v);
  og_batch_dispose(&b);
  og_table_free(t0);
  og_table_free(t1);
  tt_store_close(st);
}

/* Page bodies: short ones and incompressible ones are stored as they are,
 * the rest as zstd frames; each kind reads back (one fragment each). */
static void test_stored_pages(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_colspec cols[] = {{"id", OG_COL_STRING, 0, 0, false}, {"bin", OG_COL_BLOB, 0, 0, false}};
  og_table_schema s = {cols, 2, 0};
  og_table *t = NULL;
  OG_ASSERT_OK(og_table_create(st, "t/pages", &s, &t, &e), &e);
  enum { BIG = 8192 };
  static char vals[3][BIG];
  size_t lens[3] = {5, BIG, BIG};
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < BIG; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    vals[1][i] = (char)x;   /* random: does not compress */
    vals[2][i] = (char)('x' + i % 2);
  }
  memcpy(vals[0], "tiny!", 5);
  for (int r = 0; r < 3; r++) {
    og_batch b;
    OG_ASSERT_OK(og_batch_init(&b, &s, &e), &e);
    char id[8];
    int n = snprintf(id, sizeof id, "r%d", r);
    OG_ASSERT_OK(og_column_push_bytes(&b.cols[0], id, (size_t)n, &e), &e);
    OG_ASSERT_OK(og_column_push_bytes(&b.cols[1], vals[r], lens[r], &e), &e);
    og_table *next = NULL;
    OG_ASSERT_OK(og_table_append(t, &b, &next, &e), &e);
    og_table_free(t);
    t = next;
    og_batch_dispose(&b);
  }
  og_scan *sc = NULL;
  OG_ASSERT_OK(og_table_scan(t, NULL, &sc, &e), &e);
  const og_batch *ob;
  size_t seen = 0;
  for (;;) {
    OG_ASSERT_OK(og_scan_next(sc, &ob, &e), &e);
    if (!ob) break;
    for (size_t r = 0; r < og_batch_rows(ob); r++, seen++) {
      size_t n, k = (size_t)ob->rowids.items[r];
      const char *p = og_column_get_bytes(&ob->cols[1], r, &n);
      assert_true(k < 3);
      assert_int_equal(n, lens[k]);
      assert_memory_equal(p, vals[k], n);
    }
  }
  assert_int_equal(seen, 3);
  og_scan_free(sc);
  OG_ASSERT_OK(og_table_verify(t, &e), &e);
  og_table_free(t);
  tt_store_close(st);
}

static void test_multifrag_delete_update(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_table_write_opts o = {0};
  o.max_fragment_rows = 100;
  o.page_bytes = 2048;
  og_table *t0 = tt_create(st);
  og_table *t1 = tt_append(t0, 0, 1000, &o);
  assert_int_equal(og_table_fragment_count(t1), 10);
  enum { N = 1000 };
  static tt_expect ex[N];
  for (size_t i = 0; i < N; i++) ex[i] = (tt_expect){i, i, 0, false};
  tt_check_table(t1, ex, N);

  /* delete every 3rd row and an entire fragment (300..399) */
  OG_VEC(uint64_t) del = OG_VEC_INIT;
  for (uint64_t i = 0; i < N; i++)
    if (i % 3 == 0 || (i >= 300 && i < 400)) assert_int_equal(OG_VEC_PUSH(&del, i), OG_OK);
  og_table *t2 = NULL;
  OG_ASSERT_OK(og_table_delete_rowids(t1, del.items, del.count, &t2, &e), &e);
  assert_int_equal(og_table_fragment_count(t2), 9); /* fully deleted fragment dropped */
  static tt_expect ex2[N];
  size_t n2 = 0;
  for (uint64_t i = 0; i < N; i++)
    if (!(i % 3 == 0 || (i >= 300 && i < 400))) ex2[n2++] = (tt_expect){i, i, 0, false};
  tt_check_table(t2, ex2, n2);
  tt_check_table(t1, ex, N); /* parent unchanged */
  OG_ASSERT_OK(og_table_verify(t2, &e), &e);

  /* deleting a dead row is not found; ignore_missing tolerates it */
  og_table *tx = NULL;
  uint64_t dead = 3;
  assert_int_equal(og_table_delete_rowids(t2, &dead, 1, &tx, &e), OG_ENOTFOUND);
  og_table_change c = {0};
  c.deletes = &dead;
  c.ndeletes = 1;
  c.ignore_missing = true;
  OG_ASSERT_OK(og_table_apply(t2, &c, NULL, &tx, NULL, &e), &e);
  assert_int_equal(og_table_version(tx), og_table_version(t2) + 1);
  assert_int_equal(og_table_row_count(tx), og_table_row_count(t2));
  og_table_free(tx);

  /* update rows 1, 500, 998 with tag 7: same row ids, new values */
  og_batch ub;
  og_table_schema s = tt_schema();
  OG_ASSERT_OK(og_batch_init(&ub, &s, &e), &e);
  uint64_t upd[] = {998, 1, 500};
  for (int k = 0; k < 3; k++) {
    tt_push_row(&ub, upd[k], 7);
    assert_int_equal(OG_VEC_PUSH(&ub.rowids, upd[k]), OG_OK);
  }
  og_table *t3 = NULL;
  OG_ASSERT_OK(og_table_update(t2, &ub, &t3, &e), &e);
  for (size_t k = 0; k < n2; k++)
    if (ex2[k].rowid == 1 || ex2[k].rowid == 500 || ex2[k].rowid == 998) ex2[k].tag = 7;
  tt_check_table(t3, ex2, n2);
  assert_int_equal(og_table_next_row_id(t3), N);
  OG_ASSERT_OK(og_table_verify(t3, &e), &e);
  /* updating a deleted row fails */
  og_batch_clear(&ub);
  tt_push_row(&ub, 3, 1);
  assert_int_equal(OG_VEC_PUSH(&ub.rowids, 3), OG_OK);
  assert_int_equal(og_table_update(t3, &ub, &tx, &e), OG_ENOTFOUND);

  /* fetch by id in arbitrary order, projected */
  og_batch fb;
  uint64_t want[] = {998, 2, 500, 2};
  uint32_t pc[] = {15, 0};
  OG_ASSERT_OK(og_table_fetch(t3, want, 4, pc, 2, &fb, &e), &e);
  assert_int_equal(og_batch_rows(&fb), 4);
  for (int k = 0; k < 4; k++) {
    uint64_t tag = want[k] == 2 ? 0 : 7;
    assert_true(tt_check_cell(&fb.cols[0], (size_t)k, 15, want[k], tag));
    assert_true(tt_check_cell(&fb.cols[1], (size_t)k, 0, want[k], tag));
    assert_int_equal(fb.rowids.items[k], want[k]);
  }
  og_batch_dispose(&fb);
  uint64_t gone = 300;
  assert_int_equal(og_table_fetch(t3, &gone, 1, NULL, 0, &fb, &e), OG_ENOTFOUND);

  /* key lookups: present, absent, deleted, after update */
  uint64_t id;
  OG_ASSERT_OK(og_table_lookup(t3, "k500", 4, &id, &e), &e);
  assert_int_equal(id, 500);
  OG_ASSERT_OK(og_table_lookup(t3, "k2", 2, &id, &e), &e);
  assert_int_equal(id, 2);
  assert_int_equal(og_table_lookup(t3, "k3", 2, &id, &e), OG_ENOTFOUND);
  assert_int_equal(og_table_lookup(t3, "k350", 4, &id, &e), OG_ENOTFOUND);
  assert_int_equal(og_table_lookup(t3, "nope", 4, &id, &e), OG_ENOTFOUND);
  const char *keys[] = {"k1", "k3", "k997", "zz", "k998"};
  size_t lens[] = {2, 2, 4, 2, 4};
  uint64_t got[5];
  OG_ASSERT_OK(og_table_lookup_many(t3, keys, lens, 5, got, &e), &e);
  assert_int_equal(got[0], 1);
  assert_int_equal(got[1], UINT64_MAX);
  assert_int_equal(got[2], 997);
  assert_int_equal(got[3], UINT64_MAX);
  assert_int_equal(got[4], 998);
  /* a large batch goes through the whole-table key map: same answers */
  {
    enum { NK = 1300 };
    static char kbuf[NK][16];
    static const char *kp[NK];
    static size_t kl[NK];
    static uint64_t kr[NK];
    for (size_t k = 0; k < NK; k++) {
      kl[k] = (size_t)snprintf(kbuf[k], sizeof kbuf[k], "k%zu", k);
      kp[k] = kbuf[k];
    }
    static uint64_t kr2[NK];
    /* first large batch: sorted merge per fragment; second: whole-table map */
    OG_ASSERT_OK(og_table_lookup_many(t3, kp, kl, NK, kr2, &e), &e);
    OG_ASSERT_OK(og_table_lookup_many(t3, kp, kl, NK, kr, &e), &e);
    assert_memory_equal(kr, kr2, sizeof kr);
    for (size_t k = 0; k < NK; k++) {
      uint64_t one = UINT64_MAX;
      og_status rc = og_table_lookup(t3, kp[k], kl[k], &one, &e);
      assert_true(rc == OG_OK || rc == OG_ENOTFOUND);
      bool wantk = k < N && !(k % 3 == 0 || (k >= 300 && k < 400));
      assert_int_equal(rc == OG_OK, wantk);
      assert_int_equal(kr[k], wantk ? k : UINT64_MAX);
      if (wantk) assert_int_equal(one, k);
    }
  }
  bool live;
  OG_ASSERT_OK(og_table_row_live(t3, 998, &live, &e), &e);
  assert_true(live);
  OG_ASSERT_OK(og_table_row_live(t3, 999999, &live, &e), &e);
  assert_false(live);

  /* compaction: content and row ids preserved, deleted rows dropped */
  og_compact_opts co = {0};
  co.target_rows = 400;
  og_table *t4 = NULL;
  bool changed = false;
  OG_ASSERT_OK(og_table_compact(t3, &co, &t4, &changed, &e), &e);
  assert_true(changed);
  assert_int_equal(og_table_content_version(t4), og_table_content_version(t3));
  assert_int_equal(og_table_version(t4), og_table_version(t3) + 1);
  assert_true(og_table_fragment_count(t4) < og_table_fragment_count(t3));
  tt_check_table(t4, ex2, n2);
  OG_ASSERT_OK(og_table_verify(t4, &e), &e);
  OG_ASSERT_OK(og_table_lookup(t4, "k998", 4, &id, &e), &e);
  assert_int_equal(id, 998);
  assert_int_equal(og_table_lookup(t4, "k3", 2, &id, &e), OG_ENOTFOUND);
  og_keylist kl;
  OG_ASSERT_OK(og_table_objects(t4, &kl, &e), &e);
  for (size_t k = 0; k < kl.count; k++) assert_null(strstr(kl.keys[k], "/dv/"));
  og_keylist_dispose(&kl);
  /* compacting again has nothing to do */
  og_table *t5 = NULL;
  OG_ASSERT_OK(og_table_compact(t4, &co, &t5, &changed, &e), &e);
  assert_false(changed);
  assert_ptr_equal(t5, t4);
  og_table_free(t5);

  og_batch_dispose(&ub);
  OG_VEC_FREE(&del);
  og_table_free(t0);
  og_table_free(t1);
  og_table_free(t2);
  og_table_free(t3);
  og_table_free(t4);
  tt_store_close(st);
}

static void test_rebase_over_compaction(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_table_write_opts o = {0};
  o.max_fragment_rows = 50;
  og_table *t0 = tt_create(st);
  og_table *base = tt_append(t0, 0, 300, &o);
  /* pre-existing deletions in base */
  uint64_t d0[] = {5, 6, 7, 120};
  og_table *base2 = NULL;
  OG_ASSERT_OK(og_table_delete_rowids(base, d0, 4, &base2, &e), &e);
  /* theirs: compaction of base2 */
  og_compact_opts co = {0};
  co.target_rows = 1000;
  og_table *theirs = NULL;
  bool changed;
  OG_ASSERT_OK(og_table_compact(base2, &co, &theirs, &changed, &e), &e);
  assert_true(changed);
  assert_int_equal(og_table_fragment_count(theirs), 1);
  /* ours: delete some, append some, update one */
  og_batch ins, upd;
  tt_make_batch(&ins, 300, 20, 0);
  og_table_schema s = tt_schema();
  OG_ASSERT_OK(og_batch_init(&upd, &s, &e), &e);
  tt_push_row(&upd, 42, 9);
  assert_int_equal(OG_VEC_PUSH(&upd.rowids, 42), OG_OK);
  uint64_t d1[] = {0, 1, 299, 150};
  og_table_change c = {0};
  c.deletes = d1;
  c.ndeletes = 4;
  c.inserts = &ins;
  c.updates = &upd;
  og_table *ours = NULL;
  uint64_t *new_ids = NULL;
  OG_ASSERT_OK(og_table_apply(base2, &c, &o, &ours, &new_ids, &e), &e);
  assert_int_equal(new_ids[0], 300);
  assert_int_equal(new_ids[19], 319);
  og_free(new_ids);
  og_table *merged = NULL;
  OG_ASSERT_OK(og_table_rebase(base2, ours, theirs, &merged, &e), &e);
  assert_int_equal(og_table_version(merged), og_table_version(theirs) + 1);
  assert_int_equal(og_table_content_version(merged), og_table_content_version(ours));
  assert_int_equal(og_table_next_row_id(merged), 320);
  static tt_expect ex[400];
  size_t n = 0;
  for (uint64_t i = 0; i < 320; i++) {
    if (i == 5 || i == 6 || i == 7 || i == 120 || i == 0 || i == 1 || i == 299 || i == 150) continue;
    ex[n++] = (tt_expect){i, i, i == 42 ? 9 : 0, false};
  }
  tt_check_table(ours, ex, n);
  tt_check_table(merged, ex, n);
  OG_ASSERT_OK(og_table_verify(merged, &e), &e);
  uint64_t id;
  OG_ASSERT_OK(og_table_lookup(merged, "k42", 3, &id, &e), &e);
  assert_int_equal(id, 42);
  OG_ASSERT_OK(og_table_lookup(merged, "k310", 4, &id, &e), &e);
  assert_int_equal(id, 310);
  assert_int_equal(og_table_lookup(merged, "k150", 4, &id, &e), OG_ENOTFOUND);

  /* theirs with a content change → conflict */
  og_table *bad = NULL;
  assert_int_equal(og_table_rebase(base2, ours, ours, &bad, &e), OG_ECONFLICT);
  /* ours deleting a row that theirs no longer has → conflict (theirs compacted
   * after deleting row 2 counts as a content change: simulate with base=base) */
  assert_int_equal(og_table_rebase(base, ours, theirs, &bad, &e), OG_ECONFLICT);

  og_batch_dispose(&ins);
  og_batch_dispose(&upd);
  og_table_free(t0);
  og_table_free(base);
  og_table_free(base2);
  og_table_free(theirs);
  og_table_free(ours);
  og_table_free(merged);
  tt_store_close(st);
}

/* merge_tail_rows: row-by-row appends keep the small tail at O(log)
 * fragments, ids and values survive, deleted rows go, lookups work, older
 * versions still read their own fragments, and a merged tail rebases onto
 * a compacted head (its absorbed rows are re-homed, not duplicated). */
static void test_merge_tail(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_table_write_opts o = {0};
  o.merge_tail_rows = 64;
  og_table *t = tt_create(st);
  og_table *v10 = NULL;
  for (uint64_t i = 0; i < 200; i++) {
    og_table *n = tt_append(t, i, 1, &o);
    og_table_free(t);
    t = n;
    if (i == 9) v10 = og_table_ref(t);
    /* full 64-row fragments plus a binary counter of smaller ones */
    assert_true(og_table_fragment_count(t) <= (i + 1) / 64 + 7);
  }
  static tt_expect ex[256];
  size_t n = 0;
  for (uint64_t i = 0; i < 200; i++) ex[n++] = (tt_expect){i, i, 0, false};
  tt_check_table(t, ex, n);
  OG_ASSERT_OK(og_table_verify(t, &e), &e);
  tt_check_table(v10, ex, 10); /* an older version reads its own fragments */
  /* a deleted row of the tail is dropped when the tail is rewritten */
  uint64_t d[] = {198};
  og_table *t2 = NULL;
  OG_ASSERT_OK(og_table_delete_rowids(t, d, 1, &t2, &e), &e);
  og_table *t3 = tt_append(t2, 200, 1, &o);
  uint64_t id;
  assert_int_equal(og_table_lookup(t3, "k198", 4, &id, &e), OG_ENOTFOUND);
  OG_ASSERT_OK(og_table_lookup(t3, "k200", 4, &id, &e), &e);
  assert_int_equal(id, 200);
  OG_ASSERT_OK(og_table_lookup(t3, "k3", 2, &id, &e), &e);
  assert_int_equal(id, 3);
  OG_ASSERT_OK(og_table_verify(t3, &e), &e);
  /* ours merges the tail of base; theirs compacted base meanwhile */
  og_compact_opts co = {0};
  co.target_rows = 1000;
  og_table *theirs = NULL, *ours = tt_append(t3, 201, 1, &o), *merged = NULL;
  bool changed;
  OG_ASSERT_OK(og_table_compact(t3, &co, &theirs, &changed, &e), &e);
  OG_ASSERT_OK(og_table_rebase(t3, ours, theirs, &merged, &e), &e);
  n = 0;
  for (uint64_t i = 0; i < 202; i++)
    if (i != 198) ex[n++] = (tt_expect){i, i, 0, false};
  tt_check_table(ours, ex, n);
  tt_check_table(merged, ex, n);
  OG_ASSERT_OK(og_table_verify(merged, &e), &e);
  assert_int_equal(og_table_row_count(merged), n);
  og_table_free(t);
  og_table_free(v10);
  og_table_free(t2);
  og_table_free(t3);
  og_table_free(theirs);
  og_table_free(ours);
  og_table_free(merged);
  tt_store_close(st);
}

/* Reference filter evaluated on the full scan. */
static size_t count_matching(og_table *t, const og_pred *p, size_t np, uint64_t *ids) {
  og_error e = OG_ERROR_INIT;
  og_scan *s = NULL;
  OG_ASSERT_OK(og_table_scan(t, NULL, &s, &e), &e);
  size_t n = 0;
  for (;;) {
    const og_batch *b;
    OG_ASSERT_OK(og_scan_next(s, &b, &e), &e);
    if (!b) break;
    for (size_t r = 0; r < og_batch_rows(b); r++)
      if (og_pred_match(b, r, p, np)) ids[n++] = b->rowids.items[r];
  }
  og_scan_free(s);
  return n;
}

static void test_predicates(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_table_write_opts o = {0};
  o.max_fragment_rows = 64;
  o.page_bytes = 200; /* several pages per column: page-level pruning */
  og_table *t0 = tt_create(st);
  og_table *t1 = tt_append(t0, 0, 640, &o);
  uint64_t d[] = {3, 4, 100, 639};
  og_table *t = NULL;
  OG_ASSERT_OK(og_table_delete_rowids(t1, d, 4, &t, &e), &e);
  static uint64_t ref[700], got[700];
  struct { og_pred p[2]; size_t n; } cases[] = {
      {{{3, OG_CMP_GT, {.kind = OG_CELL_INT, .v.i = 0}}}, 1},
      {{{3, OG_CMP_LE, {.kind = OG_CELL_INT, .v.i = -1000}}}, 1},
      {{{2, OG_CMP_EQ, {.kind = OG_CELL_INT, .v.i = 12345}}}, 1},
      {{{2, OG_CMP_IS_NULL, {.kind = OG_CELL_NULL}}}, 1},
      {{{2, OG_CMP_NOT_NULL, {.kind = OG_CELL_NULL}}, {5, OG_CMP_GE, {.kind = OG_CELL_UINT, .v.u = 1ull << 63}}}, 2},
      {{{7, OG_CMP_LT, {.kind = OG_CELL_F64, .v.f = 20000.0}}}, 1},
      {{{7, OG_CMP_NE, {.kind = OG_CELL_INT, .v.i = 131 * 10 + 7}}}, 1},
      {{{0, OG_CMP_EQ, {.kind = OG_CELL_BYTES, .v.s = {"k77", 3}}}}, 1},
      {{{0, OG_CMP_GE, {.kind = OG_CELL_BYTES, .v.s = {"k6", 2}}}, {0, OG_CMP_LT, {.kind = OG_CELL_BYTES, .v.s = {"k7", 2}}}}, 2},
      {{{1, OG_CMP_EQ, {.kind = OG_CELL_BOOL, .v.b = true}}}, 1},
      {{{9, OG_CMP_GT, {.kind = OG_CELL_INT, .v.i = 131 * 600 * 1000}}}, 1},
      {{{12, OG_CMP_IS_NULL, {.kind = OG_CELL_NULL}}}, 1},
      {{{0, OG_CMP_EQ, {.kind = OG_CELL_BYTES, .v.s = {"none", 4}}}}, 1},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    size_t nref = count_matching(t, cases[k].p, cases[k].n, ref);
    og_scan *s = NULL;
    uint32_t proj[] = {0, 4};
    og_scan_opts so = {proj, 2, cases[k].p, cases[k].n};
    OG_ASSERT_OK(og_table_scan(t, &so, &s, &e), &e);
    size_t n = 0;
    for (;;) {
      const og_batch *b;
      OG_ASSERT_OK(og_scan_next(s, &b, &e), &e);
      if (!b) break;
      assert_int_equal(b->ncols, 2);
      assert_int_equal(b->col_index[1], 4);
      for (size_t r = 0; r < og_batch_rows(b); r++) {
        got[n] = b->rowids.items[r];
        assert_true(tt_check_cell(&b->cols[0], r, 0, got[n], 0));
        assert_true(tt_check_cell(&b->cols[1], r, 4, got[n], 0));
        n++;
      }
    }
    og_scan_free(s);
    if (n != nref) fail_msg("case %zu: pushdown %zu rows, full-scan filter %zu", k, n, nref);
    assert_memory_equal(got, ref, n * sizeof *got);
  }
  /* fragment pruning actually skips reads: an impossible key reads no pages */
  og_store_stats before, after;
  og_table *fresh = NULL;
  og_table_cache_clear();
  OG_ASSERT_OK(og_table_open(st, og_table_key(t), &fresh, &e), &e);
  og_store_stats_get(st, &before);
  og_pred pz = {0, OG_CMP_EQ, {.kind = OG_CELL_BYTES, .v.s = {"zzz", 3}}};
  og_scan_opts so = {NULL, 0, &pz, 1};
  og_scan *s = NULL;
  OG_ASSERT_OK(og_table_scan(fresh, &so, &s, &e), &e);
  const og_batch *b;
  OG_ASSERT_OK(og_scan_next(s, &b, &e), &e);
  assert_null(b);
  og_scan_free(s);
  og_store_stats_get(st, &after);
  /* one head + one tail range per fragment, nothing else */
  assert_int_equal(after.get_ranges - before.get_ranges, og_table_fragment_count(fresh));
  og_table_free(fresh);
  /* a second open of the same version reuses the cached footers: no reads */
  OG_ASSERT_OK(og_table_open(st, og_table_key(t), &fresh, &e), &e);
  og_store_stats_get(st, &before);
  OG_ASSERT_OK(og_table_scan(fresh, &so, &s, &e), &e);
  OG_ASSERT_OK(og_scan_next(s, &b, &e), &e);
  assert_null(b);
  og_scan_free(s);
  og_store_stats_get(st, &after);
  assert_int_equal(after.get_ranges - before.get_ranges, 0);
  assert_int_equal(after.heads - before.heads, 0);
  og_table_free(fresh);
  /* page-level pruning reads far fewer bytes than a full scan */
  {
    uint64_t bytes[2];
    og_pred pk[2] = {{0, OG_CMP_EQ, {.kind = OG_CELL_BYTES, .v.s = {"k77", 3}}},
                     {0, OG_CMP_NOT_NULL, {.kind = OG_CELL_NULL}}};
    for (int v = 0; v < 2; v++) {
      og_table_cache_clear();
      OG_ASSERT_OK(og_table_open(st, og_table_key(t), &fresh, &e), &e);
      /* load the footers first (a scan every fragment's stats exclude) */
      og_scan_opts o0 = {NULL, 0, &pz, 1};
      OG_ASSERT_OK(og_table_scan(fresh, &o0, &s, &e), &e);
      OG_ASSERT_OK(og_scan_next(s, &b, &e), &e);
      og_scan_free(s);
      og_store_stats_get(st, &before);
      og_scan_opts o2 = {NULL, 0, &pk[v], 1};
      OG_ASSERT_OK(og_table_scan(fresh, &o2, &s, &e), &e);
      size_t rows = 0;
      for (;;) {
        OG_ASSERT_OK(og_scan_next(s, &b, &e), &e);
        if (!b) break;
        rows += og_batch_rows(b);
      }
      og_scan_free(s);
      og_store_stats_get(st, &after);
      bytes[v] = after.bytes_read - before.bytes_read;
      assert_int_equal(rows, v == 0 ? 1 : og_table_row_count(fresh));
      og_table_free(fresh);
    }
    if (bytes[0] * 3 > bytes[1])
      fail_msg("selective scan read %llu bytes, full scan %llu", (unsigned long long)bytes[0],
               (unsigned long long)bytes[1]);
  }
  /* type errors */
  og_pred pbad = {3, OG_CMP_EQ, {.kind = OG_CELL_BYTES, .v.s = {"x", 1}}};
  so.preds = &pbad;
  assert_int_equal(og_table_scan(t, &so, &s, &e), OG_ETYPE);

  /* delete where */
  og_pred pdel = {3, OG_CMP_LT, {.kind = OG_CELL_INT, .v.i = 0}};
  size_t nneg = count_matching(t, &pdel, 1, ref);
  og_table *t2 = NULL;
  uint64_t ndel = 0;
  OG_ASSERT_OK(og_table_delete_where(t, &pdel, 1, &t2, &ndel, &e), &e);
  assert_int_equal(ndel, nneg);
  assert_true(nneg > 0);
  assert_int_equal(og_table_row_count(t2), og_table_row_count(t) - nneg);
  assert_int_equal(count_matching(t2, &pdel, 1, ref), 0);
  /* a never-matching delete still makes a new version */
  og_table *t3 = NULL;
  OG_ASSERT_OK(og_table_delete_where(t2, &pdel, 1, &t3, &ndel, &e), &e);
  assert_int_equal(ndel, 0);
  assert_int_equal(og_table_version(t3), og_table_version(t2) + 1);
  assert_int_equal(og_table_content_version(t3), og_table_content_version(t2));
  og_table_free(t0);
  og_table_free(t1);
  og_table_free(t);
  og_table_free(t2);
  og_table_free(t3);
  tt_store_close(st);
}

static void test_alter(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_table_write_opts o = {0};
  o.max_fragment_rows = 40;
  og_table *t0 = tt_create(st);
  og_table *t1 = tt_append(t0, 0, 100, &o);
  uint64_t d[] = {10, 50};
  og_table *t = NULL;
  OG_ASSERT_OK(og_table_delete_rowids(t1, d, 2, &t, &e), &e);

  /* rename only: fragments shared */
  og_colspec rcols[TT_NCOLS];
  memcpy(rcols, tt_cols, sizeof rcols);
  rcols[3].name = "i64_renamed";
  og_table_schema rs = {rcols, TT_NCOLS, 0};
  int ident[TT_NCOLS];
  for (size_t i = 0; i < TT_NCOLS; i++) ident[i] = (int)i;
  og_table *ren = NULL;
  OG_ASSERT_OK(og_table_alter(t, NULL, &rs, ident, &ren, &e), &e);
  assert_string_equal(og_table_schema_get(ren)->cols[3].name, "i64_renamed");
  og_keylist a, b;
  OG_ASSERT_OK(og_table_objects(t, &a, &e), &e);
  OG_ASSERT_OK(og_table_objects(ren, &b, &e), &e);
  assert_int_equal(a.count, b.count);
  og_keylist_dispose(&a);
  og_keylist_dispose(&b);
  static tt_expect ex[100];
  size_t n = 0;
  for (uint64_t i = 0; i < 100; i++)
    if (i != 10 && i != 50) ex[n++] = (tt_expect){i, i, 0, false};
  tt_check_table(ren, ex, n);

  /* drop column 2, add a nullable i64 at the end, move under a new prefix */
  og_colspec acols[TT_NCOLS];
  int map[TT_NCOLS];
  size_t k = 0;
  for (size_t i = 0; i < TT_NCOLS; i++) {
    if (i == 2) continue;
    acols[k] = tt_cols[i];
    map[k++] = (int)i;
  }
  acols[k] = (og_colspec){"extra", OG_COL_I64, 0, 0, true};
  map[k++] = -1;
  og_table_schema as = {acols, k, 0};
  og_table *alt = NULL;
  OG_ASSERT_OK(og_table_alter(t, "t/renamed", &as, map, &alt, &e), &e);
  assert_int_equal(og_table_row_count(alt), n);
  assert_string_equal(og_table_prefix(alt), "t/renamed");
  OG_ASSERT_OK(og_table_verify(alt, &e), &e);
  og_scan *s = NULL;
  OG_ASSERT_OK(og_table_scan(alt, NULL, &s, &e), &e);
  size_t seen = 0;
  for (;;) {
    const og_batch *ob;
    OG_ASSERT_OK(og_scan_next(s, &ob, &e), &e);
    if (!ob) break;
    for (size_t r = 0; r < og_batch_rows(ob); r++, seen++) {
      uint64_t id = ob->rowids.items[r];
      for (size_t c = 0; c + 1 < k; c++) assert_true(tt_check_cell(&ob->cols[c], r, (size_t)map[c], id, 0));
      assert_true(og_column_is_null(&ob->cols[k - 1], r));
    }
  }
  og_scan_free(s);
  assert_int_equal(seen, n);
  uint64_t id;
  OG_ASSERT_OK(og_table_lookup(alt, "k99", 3, &id, &e), &e);
  assert_int_equal(id, 99);
  OG_ASSERT_OK(og_table_objects(alt, &a, &e), &e);
  for (size_t i = 0; i < a.count; i++) assert_true(og_str_startswith(a.keys[i], "t/renamed/"));
  og_keylist_dispose(&a);

  /* refused changes */
  og_table *bad = NULL;
  as.cols[k - 1].nullable = false;
  assert_int_equal(og_table_alter(t, NULL, &as, map, &bad, &e), OG_ECONSTRAINT);
  as.cols[k - 1].nullable = true;
  rcols[3].type = OG_COL_I32;
  assert_int_equal(og_table_alter(t, NULL, &rs, ident, &bad, &e), OG_EUNSUPPORTED);
  rcols[3].type = OG_COL_I64;
  rcols[2].nullable = false; /* i32 has nulls */
  assert_int_equal(og_table_alter(t, NULL, &rs, ident, &bad, &e), OG_ECONSTRAINT);

  og_table_free(t0);
  og_table_free(t1);
  og_table_free(t);
  og_table_free(ren);
  og_table_free(alt);
  tt_store_close(st);
}

typedef struct thr_arg {
  og_table *t;
  int id;
  int failures;
} thr_arg;

static void *reader_thread(void *vp) {
  thr_arg *a = vp;
  og_error e = OG_ERROR_INIT;
  for (int it = 0; it < 5; it++) {
    uint64_t id;
    char k[16];
    int n = snprintf(k, sizeof k, "k%d", (a->id * 37 + it * 11) % 300);
    if (og_table_lookup(a->t, k, (size_t)n, &id, &e) != OG_OK) a->failures++;
    og_scan *s = NULL;
    if (og_table_scan(a->t, NULL, &s, &e) != OG_OK) { a->failures++; continue; }
    size_t rows = 0;
    for (;;) {
      const og_batch *b;
      if (og_scan_next(s, &b, &e) != OG_OK) { a->failures++; break; }
      if (!b) break;
      rows += og_batch_rows(b);
    }
    og_scan_free(s);
    if (rows != 300) a->failures++;
    {
      /* large batches: the second one per handle builds the shared key map */
      char kb[300][8];
      const char *kp[300];
      size_t kl[300];
      uint64_t kr[300];
      for (int q = 0; q < 300; q++) {
        kl[q] = (size_t)snprintf(kb[q], sizeof kb[q], "k%d", q);
        kp[q] = kb[q];
      }
      if (og_table_lookup_many(a->t, kp, kl, 300, kr, &e) != OG_OK) a->failures++;
      for (int q = 0; q < 300; q++)
        if (kr[q] != (uint64_t)q) a->failures++;
    }
    og_batch fb;
    uint64_t ids[2] = {(uint64_t)(a->id * 13 + it) % 300, 7};
    if (og_table_fetch(a->t, ids, 2, NULL, 0, &fb, &e) != OG_OK) a->failures++;
    else og_batch_dispose(&fb);
  }
  return NULL;
}

static void test_threads(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_table_write_opts o = {0};
  o.max_fragment_rows = 30;
  og_table *t0 = tt_create(st);
  og_table *t1 = tt_append(t0, 0, 300, &o);
  og_table_cache_clear();
  og_table *t = NULL;
  OG_ASSERT_OK(og_table_open(st, og_table_key(t1), &t, &e), &e);
  pthread_t th[8];
  thr_arg args[8];
  for (int i = 0; i < 8; i++) {
    args[i] = (thr_arg){t, i, 0};
    assert_int_equal(pthread_create(&th[i], NULL, reader_thread, &args[i]), 0);
  }
  for (int i = 0; i < 8; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(args[i].failures, 0);
  }
  og_table_free(t);
  og_table_free(t0);
  og_table_free(t1);
  tt_store_close(st);
}

static void test_edge_cases(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_table *t0 = tt_create(st);
  /* an empty append still makes a version */
  og_batch b;
  tt_make_batch(&b, 0, 0, 0);
  og_table *t1 = NULL;
  OG_ASSERT_OK(og_table_append(t0, &b, &t1, &e), &e);
  assert_int_equal(og_table_version(t1), 2);
  assert_int_equal(og_table_fragment_count(t1), 0);
  og_batch_dispose(&b);
  /* duplicate keys across fragments: the highest live row id wins */
  og_table *t2 = NULL, *t3 = NULL, *t4 = NULL;
  tt_make_batch(&b, 5, 1, 0);
  OG_ASSERT_OK(og_table_append(t1, &b, &t2, &e), &e);
  OG_ASSERT_OK(og_table_append(t2, &b, &t3, &e), &e);
  uint64_t id;
  OG_ASSERT_OK(og_table_lookup(t3, "k5", 2, &id, &e), &e);
  assert_int_equal(id, 1);
  OG_ASSERT_OK(og_table_delete_rowids(t3, &id, 1, &t4, &e), &e);
  OG_ASSERT_OK(og_table_lookup(t4, "k5", 2, &id, &e), &e);
  assert_int_equal(id, 0);
  og_batch_dispose(&b);
  /* scan projection with a repeated column and row ids only */
  uint32_t proj[] = {0, 0};
  og_scan_opts so = {proj, 2, NULL, 0};
  og_scan *s = NULL;
  OG_ASSERT_OK(og_table_scan(t3, &so, &s, &e), &e);
  const og_batch *ob;
  OG_ASSERT_OK(og_scan_next(s, &ob, &e), &e);
  assert_non_null(ob);
  assert_int_equal(ob->ncols, 2);
  assert_true(tt_check_cell(&ob->cols[1], 0, 0, 5, 0));
  og_scan_free(s);
  so.ncols = 0;
  OG_ASSERT_OK(og_table_scan(t3, &so, &s, &e), &e);
  size_t n = 0;
  for (;;) {
    OG_ASSERT_OK(og_scan_next(s, &ob, &e), &e);
    if (!ob) break;
    assert_int_equal(ob->ncols, 0);
    n += og_batch_rows(ob);
  }
  assert_int_equal(n, 2);
  og_scan_free(s);
  /* strings with NUL bytes: stats, pruning and verify keep their length */
  {
    og_colspec nc[] = {{"id", OG_COL_STRING, 0, 0, false}, {"v", OG_COL_STRING, 0, 0, true}};
    og_table_schema ns = {nc, 2, 0};
    og_table *z0 = NULL, *z1 = NULL;
    OG_ASSERT_OK(og_table_create(st, "t/nul", &ns, &z0, &e), &e);
    og_batch nb;
    OG_ASSERT_OK(og_batch_init(&nb, &ns, &e), &e);
    const char *vals[] = {"a\0b", "\0", "a\0c"};
    size_t vl[] = {3, 1, 3};
    for (int k = 0; k < 3; k++) {
      char idb[8];
      int il = snprintf(idb, sizeof idb, "n%d", k);
      OG_ASSERT_OK(og_column_push_bytes(&nb.cols[0], idb, (size_t)il, &e), &e);
      OG_ASSERT_OK(og_column_push_bytes(&nb.cols[1], vals[k], vl[k], &e), &e);
    }
    OG_ASSERT_OK(og_table_append(z0, &nb, &z1, &e), &e);
    og_table_cache_clear();
    og_pred pn = {1, OG_CMP_EQ, {.kind = OG_CELL_BYTES, .v.s = {"a\0c", 3}}};
    og_scan_opts no = {NULL, 0, &pn, 1};
    OG_ASSERT_OK(og_table_scan(z1, &no, &s, &e), &e);
    OG_ASSERT_OK(og_scan_next(s, &ob, &e), &e);
    assert_non_null(ob);
    assert_int_equal(og_batch_rows(ob), 1);
    assert_int_equal(ob->rowids.items[0], 2);
    og_scan_free(s);
    OG_ASSERT_OK(og_table_verify(z1, &e), &e);
    og_batch_dispose(&nb);
    og_table_free(z0);
    og_table_free(z1);
  }
  /* a tiny cache budget (and none at all) still works */
  for (size_t budget = 0; budget < 2; budget++) {
    og_table_cache_set_budget(budget);
    og_table *r = NULL;
    OG_ASSERT_OK(og_table_open(st, og_table_key(t4), &r, &e), &e);
    OG_ASSERT_OK(og_table_lookup(r, "k5", 2, &id, &e), &e);
    assert_int_equal(id, 0);
    og_table_free(r);
  }
  og_table_cache_set_budget(256u << 20);
  og_table_free(t0);
  og_table_free(t1);
  og_table_free(t2);
  og_table_free(t3);
  og_table_free(t4);
  tt_store_close(st);
}

static int use_memory(void **state) {
  (void)state;
  tt_backend = 0;
  return 0;
}
static int use_posix(void **state) {
  (void)state;
  tt_backend = 1;
  return 0;
}

/* A fragment of >= 32k rows encodes its columns on two threads (and its
 * key index on a third): it reads back the same as one encoded by one. */
static void test_large_fragment(void **state) {
  (void)state;
  og_error e = OG_ERROR_INIT;
  og_store *st = tt_store_open();
  og_table *t0 = tt_create(st);
  enum { N = 33000 };
  og_table_write_opts o = {.page_bytes = 8192};
  og_table *t1 = tt_append(t0, 0, N, &o);
  tt_expect *ex = og_calloc(N, sizeof *ex);
  assert_non_null(ex);
  for (size_t i = 0; i < N; i++) ex[i] = (tt_expect){i, i, 0, false};
  tt_check_table(t1, ex, N);
  og_table *r1 = NULL;
  OG_ASSERT_OK(og_table_open(st, og_table_key(t1), &r1, &e), &e);
  tt_check_table(r1, ex, N);
  OG_ASSERT_OK(og_table_verify(r1, &e), &e);
  og_keylist kl;
  OG_ASSERT_OK(og_table_objects(r1, &kl, &e), &e);
  assert_int_equal(kl.count, 3); /* descriptor, one fragment, its key index */
  og_keylist_dispose(&kl);
  og_free(ex);
  og_table_free(t0);
  og_table_free(t1);
  og_table_free(r1);
  tt_store_close(st);
}

/* og_hashrow_sort: stable ascending by hash for uniform hashes (bucketed
 * path), for skewed values such as row ids (radix fallback) and small n. */
static void check_hashrow_sort(og_hashrow *a, size_t n) {
  assert_int_equal(og_hashrow_sort(&a, n), OG_OK);
  for (size_t i = 1; i < n; i++) {
    assert_true(a[i - 1].h <= a[i].h);
    if (a[i - 1].h == a[i].h) assert_true(a[i - 1].r < a[i].r);
  }
  og_free(a);
}

static void test_hashrow_sort(void **state) {
  (void)state;
  size_t sizes[] = {0, 1, 100, 5000, 300000};
  for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
    size_t n = sizes[si];
    for (int kind = 0; kind < 3; kind++) {
      og_hashrow *a = og_malloc((n ? n : 1) * sizeof *a);
      assert_non_null(a);
      uint64_t x = 88172645463325252ull;
      for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        /* 0 uniform with some repeated hashes, 1 descending small ints, 2 few distinct */
        a[i].h = kind == 0 ? (i % 7 == 3 && i ? a[i - 1].h : og_hash64(&x, 8)) : kind == 1 ? n - i : x % 5;
        a[i].r = (uint32_t)i;
      }
      check_hashrow_sort(a, n);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_and_roundtrip),
      cmocka_unit_test(test_hashrow_sort),
      cmocka_unit_test(test_large_fragment),
      cmocka_unit_test(test_big_values),
      cmocka_unit_test(test_stored_pages),
      cmocka_unit_test(test_multifrag_delete_update),
      cmocka_unit_test(test_rebase_over_compaction),
      cmocka_unit_test(test_merge_tail),
      cmocka_unit_test(test_predicates),
      cmocka_unit_test(test_alter),
      cmocka_unit_test(test_threads),
      cmocka_unit_test(test_edge_cases),
  };
  int rc = cmocka_run_group_tests_name("table.memory", tests, use_memory, NULL);
  rc += cmocka_run_group_tests_name("table.posix", tests, use_posix, NULL);
  og_table_cache_clear(); /* at exit */
  return rc;
}
