/*
 * test_schema_fuzz.c — deterministic regression fuzz of the `.pg` front end:
 * every file of the seed corpus (tests/fuzz/corpus/schema) plus thousands of
 * random mutations of them (token inserts, deletions, duplications, byte
 * flips, splices, truncations) through parse → catalog → canonical .pg →
 * IR read-back → self-plan, with the invariants of fuzz_schema_check.h.
 * Under OG_SANITIZE=ON this also proves no leak and no UB.
 * OG_SCHEMA_FUZZ_ITERS overrides the number of mutations (default 4000).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og_test.h"
#include "../../fuzz/fuzz_schema_check.h"

static const char *const TOKENS[] = {
    "{", "}", "(", ")", "[", "]", ",", ":", "?", "@", "..", "-", "->", "node", "edge", "interface", "implements",
    "Person", "P", "Q", "name", "age", "src", "dst", "String", "I32", "F64", "Blob", "Vector(3)", "Vector(0)",
    "enum(a, b)", "enum(", "[String]", "@key", "@unique", "@index", "@range(", "@check(", "@card(", "@embed(",
    "@description(\"d\")", "@instruction(\"i\")", "@rename_from(\"x\")", "@key(", "0..1", "1..", "..5", "-40.0",
    "\"", "\"a\\qb\"", "\\", "1", "0", "99999999999999999999", "1.5", "true", "false", "true_count", "/*", "*/",
    "//", "\n", " ", "\xc3\xa9", "\xff", "\t",
};

static uint64_t g_rng = 0x243F6A8885A308D3ULL;
static uint64_t rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng;
}

typedef struct seed {
  char *text;
  size_t len;
} seed;

static size_t load_corpus(seed *out, size_t cap) {
  const char *dir = og_test_source_path("tests/fuzz/corpus/schema");
  char path[4096];
  snprintf(path, sizeof(path), "%s", dir);
  DIR *d = opendir(path);
  if (!d) fail_msg("no corpus dir %s", path);
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < cap) {
    if (!og_str_endswith(e->d_name, ".pg")) continue;
    char f[4200];
    snprintf(f, sizeof(f), "%s/%s", path, e->d_name);
    out[n].text = og_test_read_file(f, &out[n].len);
    if (!out[n].text) fail_msg("cannot read %s", f);
    /* every seed must compile */
    og_error err = OG_ERROR_INIT;
    og_catalog *c = NULL;
    if (og_catalog_compile(out[n].text, out[n].len, &c, &err) != OG_OK)
      fail_msg("seed %s: %s (%d:%d)", e->d_name, err.message, err.line, err.column);
    og_catalog_free(c);
    n++;
  }
  closedir(d);
  return n;
}

static void mutate(og_buf *b, const seed *seeds, size_t n) {
  int ops = 1 + (int)(rnd() % 4);
  for (int k = 0; k < ops; k++) {
    size_t pos = b->len ? rnd() % (b->len + 1) : 0;
    switch (rnd() % 6) {
      case 0: { /* insert a token */
        const char *t = TOKENS[rnd() % (sizeof(TOKENS) / sizeof(TOKENS[0]))];
        og_buf tail = OG_BUF_INIT;
        og_buf_put(&tail, b->ptr + pos, b->len - pos);
        b->len = pos;
        og_buf_puts(b, t);
        og_buf_put(b, tail.ptr ? tail.ptr : "", tail.len);
        og_buf_dispose(&tail);
        break;
      }
      case 1: { /* delete a span */
        size_t l = rnd() % 12;
        if (pos + l > b->len) l = b->len - pos;
        memmove(b->ptr + pos, b->ptr + pos + l, b->len - pos - l);
        b->len -= l;
        break;
      }
      case 2: /* flip a byte */
        if (b->len) b->ptr[rnd() % b->len] = (char)(rnd() & 0xff);
        break;
      case 3: { /* duplicate a span */
        size_t l = rnd() % 40;
        if (pos + l > b->len) l = b->len - pos;
        og_buf tail = OG_BUF_INIT;
        og_buf_put(&tail, b->ptr + pos, b->len - pos);
        og_buf_put(b, tail.ptr ? tail.ptr : "", 0);
        b->len = pos + l;
        og_buf_put(b, tail.ptr ? tail.ptr : "", tail.len);
        og_buf_dispose(&tail);
        break;
      }
      case 4: { /* splice the tail of another seed */
        const seed *o = &seeds[rnd() % n];
        size_t from = o->len ? rnd() % o->len : 0;
        b->len = pos;
        og_buf_put(b, o->text + from, o->len - from);
        break;
      }
      default: /* truncate */
        b->len = pos;
        break;
    }
    if (b->ptr) b->ptr[b->len] = '\0';
  }
}

static void test_corpus_and_mutations(void **state) {
  (void)state;
  seed seeds[64];
  size_t n = load_corpus(seeds, 64);
  assert_true(n >= 5);
  for (size_t i = 0; i < n; i++) og_fuzz_schema_one((const uint8_t *)seeds[i].text, seeds[i].len);
  long iters = 4000;
  const char *env = getenv("OG_SCHEMA_FUZZ_ITERS");
  if (env) iters = atol(env);
  og_buf b = OG_BUF_INIT;
  for (long it = 0; it < iters; it++) {
    const seed *s = &seeds[rnd() % n];
    og_buf_clear(&b);
    og_buf_put(&b, s->text, s->len);
    mutate(&b, seeds, n);
    og_fuzz_schema_one((const uint8_t *)(b.ptr ? b.ptr : ""), b.len);
  }
  og_buf_dispose(&b);
  for (size_t i = 0; i < n; i++) og_free(seeds[i].text);
}

/* The IR reader (the engine's open path) on mutated IR JSON, with the
 * invariants of og_fuzz_schema_ir. */
static void test_ir_mutations(void **state) {
  (void)state;
  seed seeds[64];
  size_t n = load_corpus(seeds, 64);
  seed irs[64];
  for (size_t i = 0; i < n; i++) {
    og_error err = OG_ERROR_INIT;
    og_catalog *c = NULL;
    OG_ASSERT_OK(og_catalog_compile(seeds[i].text, seeds[i].len, &c, &err), &err);
    og_buf b = OG_BUF_INIT;
    OG_ASSERT_OK(og_catalog_ir_pretty(c, &b, &err), &err);
    irs[i].len = b.len;
    irs[i].text = og_buf_detach(&b, NULL);
    og_catalog_free(c);
  }
  long iters = 3000;
  const char *env = getenv("OG_SCHEMA_FUZZ_ITERS");
  if (env) iters = atol(env) / 2;
  og_buf b = OG_BUF_INIT;
  for (long it = 0; it < iters; it++) {
    const seed *s = &irs[rnd() % n];
    og_buf_clear(&b);
    og_buf_put(&b, s->text, s->len);
    mutate(&b, irs, n);
    og_fuzz_schema_one((const uint8_t *)(b.ptr ? b.ptr : ""), b.len);
  }
  og_buf_dispose(&b);
  for (size_t i = 0; i < n; i++) {
    og_free(seeds[i].text);
    og_free(irs[i].text);
  }
}

/* Allocation failure anywhere in the pipeline is clean (ASan: no leak). */
static void test_alloc_failures(void **state) {
  (void)state;
  seed seeds[64];
  size_t n = load_corpus(seeds, 64);
  for (size_t i = 0; i < n; i++) {
    for (long k = 1; k < 2000; k += 7) {
      og_alloc_fail_after(k, false);
      og_fuzz_schema_one((const uint8_t *)seeds[i].text, seeds[i].len);
      og_alloc_fail_after(0, false);
    }
    og_free(seeds[i].text);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_corpus_and_mutations),
      cmocka_unit_test(test_ir_mutations),
      cmocka_unit_test(test_alloc_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
