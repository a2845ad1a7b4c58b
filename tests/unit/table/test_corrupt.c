/* Table layer: every stored byte is untrusted — flipped bytes, truncations,
 * missing objects and injected store faults. */
#include "tt.h"
#include "table/table_int.h"

static og_table *make_table(og_store *st, uint64_t rows, uint64_t del_every) {
  og_error e = OG_ERROR_INIT;
  og_table *t0 = NULL, *t1 = NULL, *t2 = NULL;
  og_table_schema s = tt_schema();
  OG_ASSERT_OK(og_table_create(st, "t/c", &s, &t0, &e), &e);
  og_batch b;
  tt_make_batch(&b, 0, rows, 0);
  og_table_write_opts o = {0};
  o.page_bytes = 512;
  og_table_change c = {0};
  c.inserts = &b;
  OG_ASSERT_OK(og_table_apply(t0, &c, &o, &t1, NULL, &e), &e);
  og_batch_dispose(&b);
  og_table_free(t0);
  if (!del_every) return t1;
  uint64_t ids[64];
  size_t n = 0;
  for (uint64_t i = 0; i < rows && n < 64; i += del_every) ids[n++] = i;
  OG_ASSERT_OK(og_table_delete_rowids(t1, ids, n, &t2, &e), &e);
  og_table_free(t1);
  return t2;
}

/* Find the (single) object of a kind among the table's objects. */
static char *find_obj(og_table *t, const char *kind) {
  og_error e = OG_ERROR_INIT;
  og_keylist kl;
  char *r = NULL;
  OG_ASSERT_OK(og_table_objects(t, &kl, &e), &e);
  for (size_t i = 0; i < kl.count; i++)
    if (strstr(kl.keys[i], kind)) r = og_strdup(kl.keys[i]);
  og_keylist_dispose(&kl);
  assert_non_null(r);
  return r;
}

/* Open the descriptor afresh, scan everything and verify; return the first error. */
static og_status read_all(og_store *st, const char *key, og_error *e) {
  og_table *t = NULL;
  og_scan *s = NULL;
  og_status rc = og_table_open(st, key, &t, e);
  if (rc != OG_OK) return rc;
  rc = og_table_scan(t, NULL, &s, e);
  while (rc == OG_OK) {
    const og_batch *b;
    rc = og_scan_next(s, &b, e);
    if (!b) break;
  }
  og_scan_free(s);
  if (rc == OG_OK) {
    uint64_t id;
    rc = og_table_lookup(t, "k1", 2, &id, e);
  }
  if (rc == OG_OK) rc = og_table_verify(t, e);
  og_table_free(t);
  return rc;
}

static void check_every_flip(og_store *st, og_table *t, const char *kind, size_t step) {
  og_error e = OG_ERROR_INIT;
  char *key = find_obj(t, kind);
  og_buf orig = OG_BUF_INIT;
  OG_ASSERT_OK(og_store_get(st, key, &orig, &e), &e);
  char *mod = og_memdup(orig.ptr, orig.len);
  size_t tested = 0;
  for (size_t pos = 0; pos < orig.len; pos += step) {
    memcpy(mod, orig.ptr, orig.len);
    mod[pos] ^= 0x5a;
    OG_ASSERT_OK(og_store_put(st, key, mod, orig.len, &e), &e);
    og_status rc = read_all(st, og_table_key(t), &e);
    if (rc != OG_ECORRUPT && rc != OG_EUNSUPPORTED)
      fail_msg("%s: flip at %zu/%zu gave %s", kind, pos, orig.len, og_status_name(rc));
    if (rc == OG_ECORRUPT && !strstr(e.message, key) && strcmp(kind, "/ver/") != 0)
      fail_msg("message does not name the object: %s", e.message);
    tested++;
  }
  /* truncations */
  for (size_t len = 0; len < orig.len; len += step) {
    OG_ASSERT_OK(og_store_put(st, key, orig.ptr, len, &e), &e);
    og_status rc = read_all(st, og_table_key(t), &e);
    if (rc != OG_ECORRUPT) fail_msg("%s: truncation to %zu gave %s", kind, len, og_status_name(rc));
  }
  OG_ASSERT_OK(og_store_put(st, key, orig.ptr, orig.len, &e), &e);
  OG_ASSERT_OK(read_all(st, og_table_key(t), &e), &e);
  assert_true(tested > 0);
  og_free(mod);
  og_free(key);
  og_buf_dispose(&orig);
}

static void test_flips_and_truncation(void **state) {
  (void)state;
  og_store *st = NULL;
  og_error e = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_open_memory(&st, &e), &e);
  og_table *t = make_table(st, 60, 7);
  OG_ASSERT_OK(read_all(st, og_table_key(t), &e), &e);
  check_every_flip(st, t, "/frag/", 1);
  check_every_flip(st, t, "/dv/", 1);
  check_every_flip(st, t, "/kidx/", 1);
  check_every_flip(st, t, "/ver/", 1);
  og_table_free(t);
  og_store_free(st);
}

static void test_missing_objects(void **state) {
  (void)state;
  og_store *st = NULL;
  og_error e = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_open_memory(&st, &e), &e);
  og_table *t = make_table(st, 30, 4);
  const char *kinds[] = {"/frag/", "/dv/", "/kidx/"};
  for (int k = 0; k < 3; k++) {
    char *key = find_obj(t, kinds[k]);
    og_buf orig = OG_BUF_INIT;
    OG_ASSERT_OK(og_store_get(st, key, &orig, &e), &e);
    OG_ASSERT_OK(og_store_delete(st, key, &e), &e);
    og_table *o = NULL;
    OG_ASSERT_OK(og_table_open(st, og_table_key(t), &o, &e), &e);
    og_status rc = og_table_verify(o, &e);
    assert_true(rc == OG_ENOTFOUND || rc == OG_ECORRUPT);
    og_table_free(o);
    OG_ASSERT_OK(og_store_put(st, key, orig.ptr, orig.len, &e), &e);
    og_buf_dispose(&orig);
    og_free(key);
  }
  OG_ASSERT_OK(read_all(st, og_table_key(t), &e), &e);
  og_table_free(t);
  og_store_free(st);
}

static void test_faults_during_append(void **state) {
  (void)state;
  og_store *mem = NULL, *fs = NULL;
  og_error e = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_open_memory(&mem, &e), &e);
  OG_ASSERT_OK(og_store_open_fault(&fs, mem, &e), &e);
  og_table *t = make_table(fs, 50, 0);
  og_batch b;
  tt_make_batch(&b, 50, 20, 0);
  struct { og_fault_kind kind; og_status want; } cases[] = {
      {OG_FAULT_EIO, OG_EIO}, {OG_FAULT_ENOSPC, OG_EFULL}, {OG_FAULT_TORN, OG_EIO},
      {OG_FAULT_AFTER, OG_EIO}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    for (uint64_t nth = 1; nth <= 3; nth++) { /* fragment, key index, descriptor */
      og_fault_spec sp = {0};
      sp.ops = OG_STORE_OP_WRITES;
      sp.countdown = nth;
      sp.kind = cases[k].kind;
      sp.torn_bytes = 10;
      og_store_fault_arm(fs, &sp);
      og_table *out = NULL;
      og_status rc = og_table_append(t, &b, &out, &e);
      og_store_fault_disarm(fs);
      assert_int_equal(rc, cases[k].want);
      assert_null(out);
      /* the input version is still fully readable */
      tt_expect ex[50];
      for (size_t i = 0; i < 50; i++) ex[i] = (tt_expect){i, i, 0, false};
      tt_check_table(t, ex, 50);
      OG_ASSERT_OK(og_table_verify(t, &e), &e);
    }
  }
  /* reads failing surface as errors too */
  og_fault_spec sp = {0};
  sp.ops = OG_STORE_OP_GET_RANGE;
  sp.countdown = 1;
  sp.kind = OG_FAULT_EIO;
  og_table *fresh = NULL;
  OG_ASSERT_OK(og_table_open(fs, og_table_key(t), &fresh, &e), &e);
  og_store_fault_arm(fs, &sp);
  og_scan *s = NULL;
  OG_ASSERT_OK(og_table_scan(fresh, NULL, &s, &e), &e);
  const og_batch *ob;
  assert_int_equal(og_scan_next(s, &ob, &e), OG_EIO);
  og_scan_free(s);
  og_store_fault_disarm(fs);
  og_table_free(fresh);
  og_batch_dispose(&b);
  og_table_free(t);
  og_store_free(fs);
  og_store_free(mem);
}

static void test_bad_input(void **state) {
  (void)state;
  og_store *st = NULL;
  og_error e = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_open_memory(&st, &e), &e);
  og_table *t = NULL;
  og_colspec dup[] = {{"a", OG_COL_I32, 0, 0, false}, {"a", OG_COL_I64, 0, 0, false}};
  og_table_schema s1 = {dup, 2, -1};
  assert_int_equal(og_table_create(st, "t/x", &s1, &t, &e), OG_EINVAL);
  og_colspec key[] = {{"a", OG_COL_I32, 0, 0, false}};
  og_table_schema s2 = {key, 1, 0};
  assert_int_equal(og_table_create(st, "t/x", &s2, &t, &e), OG_EINVAL);
  og_colspec vec[] = {{"v", OG_COL_VECTOR, 0, 0, false}};
  og_table_schema s3 = {vec, 1, -1};
  assert_int_equal(og_table_create(st, "t/x", &s3, &t, &e), OG_EINVAL);
  og_table_schema ok = tt_schema();
  assert_int_equal(og_table_create(st, "/abs", &ok, &t, &e), OG_EINVAL);
  assert_int_equal(og_table_open(st, "t/x/ver/nope", &t, &e), OG_ENOTFOUND);
  /* a batch with a ragged column is refused */
  OG_ASSERT_OK(og_table_create(st, "t/x", &ok, &t, &e), &e);
  og_batch b;
  tt_make_batch(&b, 0, 3, 0);
  OG_ASSERT_OK(og_column_push_null(&b.cols[5], &e), &e);
  og_table *o = NULL;
  assert_int_equal(og_table_append(t, &b, &o, &e), OG_EINVAL);
  og_batch_dispose(&b);
  og_table_free(t);
  og_store_free(st);
}

/* Fail the Nth allocation of each operation in turn: never a crash or a leak
 * (ASan), always OG_OK or OG_ENOMEM, and the input stays readable. */
static void test_alloc_failures(void **state) {
  (void)state;
  og_store *st = NULL;
  og_error e = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_open_memory(&st, &e), &e);
  og_table *t = make_table(st, 40, 5);
  og_batch b;
  tt_make_batch(&b, 40, 10, 0);
  og_batch ub;
  og_table_schema s = tt_schema();
  OG_ASSERT_OK(og_batch_init(&ub, &s, &e), &e);
  tt_push_row(&ub, 1, 4);
  assert_int_equal(OG_VEC_PUSH(&ub.rowids, 1), OG_OK);
  uint64_t del[] = {2, 3};
  og_table_change c = {del, 2, false, &b, &ub};
  for (int op = 0; op < 4; op++) {
    int ok_runs = 0;
    for (long n = 1; n < 4000 && ok_runs < 3; n++) {
      og_table *out = NULL;
      og_table_cache_clear();
      og_alloc_fail_after(n, false);
      og_status rc;
      if (op == 0) {
        rc = og_table_apply(t, &c, NULL, &out, NULL, &e);
      } else if (op == 1) {
        og_compact_opts co = {0};
        bool ch;
        rc = og_table_compact(t, &co, &out, &ch, &e);
      } else if (op == 2) {
        og_scan *sc = NULL;
        rc = og_table_scan(t, NULL, &sc, &e);
        while (rc == OG_OK) {
          const og_batch *ob;
          rc = og_scan_next(sc, &ob, &e);
          if (!ob) break;
        }
        og_scan_free(sc);
      } else {
        uint64_t id;
        rc = og_table_lookup(t, "k7", 2, &id, &e);
      }
      og_alloc_fail_after(0, false);
      if (rc != OG_OK && rc != OG_ENOMEM)
        fail_msg("op %d alloc %ld: %s (%s)", op, n, og_status_name(rc), e.message);
      if (rc == OG_OK) ok_runs++;
      og_table_free(out);
    }
    assert_true(ok_runs > 0);
  }
  OG_ASSERT_OK(read_all(st, og_table_key(t), &e), &e);
  og_batch_dispose(&b);
  og_batch_dispose(&ub);
  og_table_free(t);
  og_store_free(st);
}

static uint64_t fz_state = 12345;
static uint64_t fz(uint64_t n) {
  fz_state = fz_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (fz_state >> 33) % n;
}

/* Mutate the checksummed body of an object and repair its checksum, so the
 * structural validation behind the checksum is what must catch it. */
static void mutate_rechecksum(const char *kind, char *d, size_t len) {
  size_t lo = 0, hi = len;
  if (strcmp(kind, "/frag/") == 0) {
    uint32_t flen = og_get_u32le((uint8_t *)d + len - 20);
    lo = len - 20 - flen;
    hi = len - 20;
  } else if (strcmp(kind, "/dv/") == 0) {
    lo = 8; /* header fields after magic/format, and the payload */
  } else {
    lo = 8;
    hi = len - 8;
  }
  if (hi <= lo) return;
  int nmut = 1 + (int)fz(3);
  for (int k = 0; k < nmut; k++) {
    size_t pos = lo + fz(hi - lo);
    switch (fz(3)) {
    case 0: d[pos] ^= (char)(1u << fz(8)); break;
    case 1: d[pos] = (char)fz(256); break;
    default: d[pos] = (char)(fz(2) ? 0 : 0xff); break;
    }
  }
  if (strcmp(kind, "/frag/") == 0) {
    og_put_u64le((uint8_t *)d + len - 16, og_hash64(d + lo, hi - lo));
  } else if (strcmp(kind, "/dv/") == 0) {
    if (len >= 28) og_put_u64le((uint8_t *)d + 20, og_hash64(d + 28, len - 28));
  } else {
    og_put_u64le((uint8_t *)d + len - 8, og_hash64(d, len - 8));
  }
}

static void test_rechecksummed_mutations(void **state) {
  (void)state;
  og_store *st = NULL;
  og_error e = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_open_memory(&st, &e), &e);
  og_table *t = make_table(st, 50, 6);
  const char *kinds[] = {"/frag/", "/dv/", "/kidx/", "/ver/"};
  const char *iters_env = getenv("OG_TABLE_FUZZ_ITERS");
  int iters = iters_env ? atoi(iters_env) : 250;
  for (int k = 0; k < 4; k++) {
    char *key = find_obj(t, kinds[k]);
    og_buf orig = OG_BUF_INIT;
    OG_ASSERT_OK(og_store_get(st, key, &orig, &e), &e);
    char *mod = og_malloc(orig.len);
    for (int it = 0; it < iters; it++) {
      memcpy(mod, orig.ptr, orig.len);
      mutate_rechecksum(kinds[k], mod, orig.len);
      OG_ASSERT_OK(og_store_put(st, key, mod, orig.len, &e), &e);
      og_table_cache_clear();
      og_status rc = read_all(st, og_table_key(t), &e);
      if (rc != OG_OK && rc != OG_ECORRUPT && rc != OG_EUNSUPPORTED && rc != OG_ENOTFOUND)
        fail_msg("%s mutation %d: %s (%s)", kinds[k], it, og_status_name(rc), e.message);
    }
    OG_ASSERT_OK(og_store_put(st, key, orig.ptr, orig.len, &e), &e);
    og_free(mod);
    og_free(key);
    og_buf_dispose(&orig);
  }
  og_table_cache_clear();
  OG_ASSERT_OK(read_all(st, og_table_key(t), &e), &e);
  og_table_free(t);
  og_store_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_flips_and_truncation),
      cmocka_unit_test(test_missing_objects),
      cmocka_unit_test(test_faults_during_append),
      cmocka_unit_test(test_bad_input),
      cmocka_unit_test(test_alloc_failures),
      cmocka_unit_test(test_rechecksummed_mutations),
  };
  int rc_ = cmocka_run_group_tests_name("table.corrupt", tests, NULL, NULL);
  og_table_cache_clear(); /* at exit */
  return rc_;
}
