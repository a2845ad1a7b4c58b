/* Shared fixture for the store tests: every semantic test runs once against a
 * posix store in a fresh temp directory and once against an anonymous memory
 * store (cmocka prestate selects which). Header-only: each test program is a
 * single translation unit. */
#ifndef OG_STORE_FIXTURE_H
#define OG_STORE_FIXTURE_H

#include "og_test.h"

#include <stdio.h>
#include <string.h>

#include "store/store.h"

typedef enum fx_kind { FX_POSIX = 0, FX_MEMORY = 1 } fx_kind;

typedef struct fx {
  fx_kind kind;
  char *dir;   /* posix root (NULL for memory) */
  og_store *s;
} fx;

static const fx_kind fx_posix_kind = FX_POSIX;
static const fx_kind fx_memory_kind = FX_MEMORY;

static int fx_setup(void **state) {
  fx_kind kind = *(const fx_kind *)*state;
  fx *f = og_calloc(1, sizeof *f);
  og_error err = OG_ERROR_INIT;
  f->kind = kind;
  if (kind == FX_POSIX) {
    f->dir = og_test_tmpdir("store");
    OG_ASSERT_OK(og_store_open_posix(&f->s, f->dir, false, &err), &err);
  } else {
    OG_ASSERT_OK(og_store_open_memory(&f->s, &err), &err);
  }
  *state = f;
  return 0;
}

static int fx_teardown(void **state) {
  fx *f = *state;
  og_store_free(f->s);
  if (f->dir) og_test_rmtree(f->dir);
  og_free(f->dir);
  og_free(f);
  return 0;
}

#define FX_TEST(fn)                                                                 \
  cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown,               \
                                           (void *)&fx_posix_kind),                 \
      cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown,           \
                                               (void *)&fx_memory_kind)
#define FX_POSIX_TEST(fn)                                                           \
  cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, (void *)&fx_posix_kind)

/* Assert the object `key` holds exactly `want` (len bytes). */
static inline void fx_expect(og_store *s, const char *key, const void *want, size_t len) {
  og_buf b = OG_BUF_INIT;
  og_error err = OG_ERROR_INIT;
  og_status rc = og_store_get(s, key, &b, &err);
  if (rc != OG_OK) fail_msg("get %s -> %s: %s", key, og_status_name(rc), err.message);
  if (b.len != len) fail_msg("get %s: %zu bytes, expected %zu", key, b.len, len);
  if (len && memcmp(b.ptr, want, len) != 0) fail_msg("get %s: bytes differ", key);
  og_buf_dispose(&b);
}

static inline void fx_expect_str(og_store *s, const char *key, const char *want) {
  fx_expect(s, key, want, strlen(want));
}

static inline void fx_put_str(og_store *s, const char *key, const char *val) {
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_store_put(s, key, val, strlen(val), &err), &err);
}

#endif
