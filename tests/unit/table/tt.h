/*
 * tt.h — shared helpers for the table-layer tests (included by each
 * test_*.c; everything is static). Deterministic row generators over a
 * schema with every column type, and checkers for them.
 */
#ifndef TT_H
#define TT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og_test.h"
#include "store/store.h"
#include "table/table.h"

#define TT_VDIM 4

/* Every physical type, nullable except the key; lists of every element type. */
static og_colspec tt_cols[] = {
    {"key", OG_COL_STRING, 0, 0, false},
    {"b", OG_COL_BOOL, 0, 0, true},
    {"i32", OG_COL_I32, 0, 0, true},
    {"i64", OG_COL_I64, 0, 0, false},
    {"u32", OG_COL_U32, 0, 0, true},
    {"u64", OG_COL_U64, 0, 0, true},
    {"f32", OG_COL_F32, 0, 0, true},
    {"f64", OG_COL_F64, 0, 0, true},
    {"date", OG_COL_DATE, 0, 0, true},
    {"dt", OG_COL_DATETIME, 0, 0, true},
    {"s", OG_COL_STRING, 0, 0, true},
    {"blob", OG_COL_BLOB, 0, 0, true},
    {"vec", OG_COL_VECTOR, 0, TT_VDIM, true},
    {"l_bool", OG_COL_LIST, OG_COL_BOOL, 0, true},
    {"l_i32", OG_COL_LIST, OG_COL_I32, 0, true},
    {"l_i64", OG_COL_LIST, OG_COL_I64, 0, true},
    {"l_u32", OG_COL_LIST, OG_COL_U32, 0, false},
    {"l_u64", OG_COL_LIST, OG_COL_U64, 0, true},
    {"l_f32", OG_COL_LIST, OG_COL_F32, 0, true},
    {"l_f64", OG_COL_LIST, OG_COL_F64, 0, true},
    {"l_date", OG_COL_LIST, OG_COL_DATE, 0, true},
    {"l_dt", OG_COL_LIST, OG_COL_DATETIME, 0, true},
    {"l_str", OG_COL_LIST, OG_COL_STRING, 0, true},
    {"l_blob", OG_COL_LIST, OG_COL_BLOB, 0, true},
};
#define TT_NCOLS (sizeof tt_cols / sizeof tt_cols[0])

static inline og_table_schema tt_schema(void) {
  og_table_schema s = {tt_cols, TT_NCOLS, 0};
  return s;
}

/*---- backends ----*/

static int tt_backend; /* 0 memory, 1 posix */
static char *tt_dir;

static inline og_store *tt_store_open(void) {
  og_store *st = NULL;
  og_error e = OG_ERROR_INIT;
  if (tt_backend == 0) {
    OG_ASSERT_OK(og_store_open_memory(&st, &e), &e);
  } else {
    if (!tt_dir) tt_dir = og_test_tmpdir("table");
    OG_ASSERT_OK(og_store_open_posix(&st, tt_dir, true, &e), &e);
  }
  return st;
}

static inline void tt_store_close(og_store *st) {
  og_store_free(st);
  if (tt_dir) {
    og_test_rmtree(tt_dir);
    og_free(tt_dir);
    tt_dir = NULL;
  }
}

/*---- value generation ----*/

static inline uint64_t tt_mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

static inline bool tt_is_null(const og_colspec *c, uint64_t seed) {
  return c->nullable && tt_mix(seed) % 5 == 0;
}

static inline size_t tt_str(uint64_t seed, char *buf, size_t cap) {
  int n = snprintf(buf, cap, "s-%llu-\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80", (unsigned long long)seed);
  return (size_t)n;
}

static inline size_t tt_blob(uint64_t seed, char *buf) {
  size_t n = (size_t)(seed % 6);
  for (size_t k = 0; k < n; k++) buf[k] = (char)(k % 2 ? 0 : (char)(seed + k));
  return n;
}

static inline void tt_push_elem(og_column *col, og_coltype t, uint64_t seed) {
  og_error e = OG_ERROR_INIT;
  char buf[64];
  switch (t) {
  case OG_COL_BOOL: OG_ASSERT_OK(og_column_push_bool(col, seed & 1, &e), &e); break;
  case OG_COL_I32: OG_ASSERT_OK(og_column_push_int(col, (int32_t)(uint32_t)tt_mix(seed), &e), &e); break;
  case OG_COL_I64: OG_ASSERT_OK(og_column_push_int(col, (int64_t)tt_mix(seed), &e), &e); break;
  case OG_COL_U32: OG_ASSERT_OK(og_column_push_uint(col, (uint32_t)tt_mix(seed), &e), &e); break;
  case OG_COL_U64: OG_ASSERT_OK(og_column_push_uint(col, tt_mix(seed), &e), &e); break;
  case OG_COL_F32: OG_ASSERT_OK(og_column_push_f64(col, (double)(float)((double)seed * 0.5), &e), &e); break;
  case OG_COL_F64: OG_ASSERT_OK(og_column_push_f64(col, (double)seed * 1.25, &e), &e); break;
  case OG_COL_DATE: OG_ASSERT_OK(og_column_push_int(col, (int64_t)(seed % 40000) - 1000, &e), &e); break;
  case OG_COL_DATETIME: OG_ASSERT_OK(og_column_push_int(col, (int64_t)seed * 1000 - 5, &e), &e); break;
  case OG_COL_STRING: {
    size_t n = tt_str(seed, buf, sizeof buf);
    OG_ASSERT_OK(og_column_push_bytes(col, buf, n, &e), &e);
    break;
  }
  case OG_COL_BLOB: {
    size_t n = tt_blob(seed, buf);
    OG_ASSERT_OK(og_column_push_bytes(col, buf, n, &e), &e);
    break;
  }
  default: fail_msg("bad elem type");
  }
}

static inline bool tt_check_elem_fixed(og_coltype t, uint64_t seed, int64_t gi, double gf) {
  switch (t) {
  case OG_COL_BOOL: return gi == (int64_t)(seed & 1);
  case OG_COL_I32: return gi == (int32_t)(uint32_t)tt_mix(seed);
  case OG_COL_I64: return gi == (int64_t)tt_mix(seed);
  case OG_COL_U32: return (uint64_t)gi == (uint32_t)tt_mix(seed);
  case OG_COL_U64: return (uint64_t)gi == tt_mix(seed);
  case OG_COL_F32: return gf == (double)(float)((double)seed * 0.5);
  case OG_COL_F64: return gf == (double)seed * 1.25;
  case OG_COL_DATE: return gi == (int64_t)(seed % 40000) - 1000;
  case OG_COL_DATETIME: return gi == (int64_t)seed * 1000 - 5;
  default: return false;
  }
}

/* Append row `i` (variant `tag`) to a full-schema batch. */
static inline void tt_push_row(og_batch *b, uint64_t i, uint64_t tag) {
  og_error e = OG_ERROR_INIT;
  for (size_t j = 0; j < TT_NCOLS; j++) {
    const og_colspec *c = &tt_cols[j];
    og_column *col = &b->cols[j];
    uint64_t seed = i * 131 + j + tag * 1000003;
    if (j == 0) {
      char k[32];
      int n = snprintf(k, sizeof k, "k%llu", (unsigned long long)i);
      OG_ASSERT_OK(og_column_push_bytes(col, k, (size_t)n, &e), &e);
      continue;
    }
    if (tt_is_null(c, seed)) {
      OG_ASSERT_OK(og_column_push_null(col, &e), &e);
      continue;
    }
    if (c->type == OG_COL_VECTOR) {
      float v[TT_VDIM];
      for (int k = 0; k < TT_VDIM; k++) v[k] = (float)seed + (float)k * 0.25f;
      OG_ASSERT_OK(og_column_push_vector(col, v, TT_VDIM, &e), &e);
    } else if (c->type == OG_COL_LIST) {
      OG_ASSERT_OK(og_column_list_begin(col, &e), &e);
      for (uint64_t k = 0; k < seed % 4; k++) tt_push_elem(col, c->elem, seed + k);
      OG_ASSERT_OK(og_column_list_end(col, &e), &e);
    } else {
      tt_push_elem(col, c->type, seed);
    }
  }
}

/* Does batch row r (batch column bc = table column j) hold row i / tag? */
static inline bool tt_check_cell(const og_column *col, size_t r, size_t j, uint64_t i, uint64_t tag) {
  const og_colspec *c = &tt_cols[j];
  uint64_t seed = i * 131 + j + tag * 1000003;
  char buf[64];
  size_t n;
  if (j == 0) {
    char k[32];
    int kn = snprintf(k, sizeof k, "k%llu", (unsigned long long)i);
    const char *p = og_column_get_bytes(col, r, &n);
    return n == (size_t)kn && memcmp(p, k, n) == 0;
  }
  if (tt_is_null(c, seed)) return og_column_is_null(col, r);
  if (og_column_is_null(col, r)) return false;
  switch (c->type) {
  case OG_COL_STRING: {
    size_t en = tt_str(seed, buf, sizeof buf);
    const char *p = og_column_get_bytes(col, r, &n);
    return n == en && memcmp(p, buf, n) == 0;
  }
  case OG_COL_BLOB: {
    size_t en = tt_blob(seed, buf);
    const char *p = og_column_get_bytes(col, r, &n);
    return n == en && (n == 0 || memcmp(p, buf, n) == 0);
  }
  case OG_COL_VECTOR: {
    const float *v = og_column_get_vector(col, r);
    for (int k = 0; k < TT_VDIM; k++)
      if (v[k] != (float)seed + (float)k * 0.25f) return false;
    return true;
  }
  case OG_COL_LIST: {
    if (og_column_list_len(col, r) != seed % 4) return false;
    for (uint64_t k = 0; k < seed % 4; k++) {
      if (c->elem == OG_COL_STRING || c->elem == OG_COL_BLOB) {
        size_t en = c->elem == OG_COL_STRING ? tt_str(seed + k, buf, sizeof buf) : tt_blob(seed + k, buf);
        const char *p = og_column_list_get_bytes(col, r, (size_t)k, &n);
        if (n != en || (n && memcmp(p, buf, n) != 0)) return false;
      } else if (!tt_check_elem_fixed(c->elem, seed + k, og_column_list_get_i64(col, r, (size_t)k),
                                      og_column_list_get_f64(col, r, (size_t)k))) {
        return false;
      }
    }
    return true;
  }
  default:
    return tt_check_elem_fixed(c->type, seed, og_column_get_i64(col, r), og_column_get_f64(col, r));
  }
}

/* Row id → (i, tag) expectations for a whole table scan. */
typedef struct tt_expect {
  uint64_t rowid, i, tag;
  bool seen;
} tt_expect;

/* Scan the whole table and check every live row matches exactly the expected set. */
static inline void tt_check_table(og_table *t, tt_expect *ex, size_t nex) {
  og_error e = OG_ERROR_INIT;
  og_scan *s = NULL;
  for (size_t k = 0; k < nex; k++) ex[k].seen = false;
  OG_ASSERT_OK(og_table_scan(t, NULL, &s, &e), &e);
  size_t total = 0;
  for (;;) {
    const og_batch *b;
    OG_ASSERT_OK(og_scan_next(s, &b, &e), &e);
    if (!b) break;
    assert_int_equal(b->ncols, TT_NCOLS);
    for (size_t r = 0; r < og_batch_rows(b); r++) {
      uint64_t id = b->rowids.items[r];
      size_t k = 0;
      while (k < nex && ex[k].rowid != id) k++;
      if (k == nex) fail_msg("unexpected row id %llu", (unsigned long long)id);
      assert_false(ex[k].seen);
      ex[k].seen = true;
      for (size_t j = 0; j < TT_NCOLS; j++)
        if (!tt_check_cell(&b->cols[j], r, j, ex[k].i, ex[k].tag))
          fail_msg("row id %llu column %s differs", (unsigned long long)id, tt_cols[j].name);
      total++;
    }
  }
  og_scan_free(s);
  assert_int_equal(total, nex);
  assert_int_equal(og_table_row_count(t), nex);
}

static inline void tt_make_batch(og_batch *b, uint64_t from, uint64_t n, uint64_t tag) {
  og_error e = OG_ERROR_INIT;
  og_table_schema s = tt_schema();
  OG_ASSERT_OK(og_batch_init(b, &s, &e), &e);
  for (uint64_t i = from; i < from + n; i++) tt_push_row(b, i, tag);
  OG_ASSERT_OK(og_batch_check(b, &e), &e);
}

#endif
