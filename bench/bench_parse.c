/*
 * bench_parse: the front end's cost must grow linearly with input size
 * (issue: a 5,000-line schema and a 1,000-query file). Generates a schema of
 * S node types (6 lines each) plus edges, and a file of Q queries, at 1x and
 * 8x, and reports parse+catalog and parse+typecheck times (median of 5) and
 * the 8x/1x ratio (linear ≈ 8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/query.h"
#include "lang/schema.h"
#include "util/util.h"

static void gen_schema(og_buf *b, int types) {
  for (int t = 0; t < types; t++)
    og_buf_printf(b, "node T%d {\n  name: String @key\n  age: I32?\n  score: F64?\n  tags: [String]?\n}\n", t);
  for (int t = 0; t + 1 < types; t++) og_buf_printf(b, "edge E%d: T%d -> T%d\n", t, t, t + 1);
}

static void gen_queries(og_buf *b, int n, int types) {
  for (int k = 0; k < n; k++) {
    int t = k % (types - 1);
    og_buf_printf(b,
                  "query q%d($name: String, $min: F64) { match { $a: T%d { name: $name }  $a e%d $b  "
                  "$b.score > $min  not { $b e%d $_ } } return { $b.name, count($b) as c } order { c desc } "
                  "limit 10 }\n",
                  k, t, t, t + 1 < types - 1 ? t + 1 : t);
  }
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* median ns of 5 runs of: compile schema (+ parse and check every query) */
static uint64_t run(const og_buf *schema, const og_buf *queries) {
  uint64_t t[5];
  for (int r = 0; r < 5; r++) {
    og_error err = OG_ERROR_INIT;
    og_catalog *cat = NULL;
    og_qfile *f = NULL;
    uint64_t t0 = og_monotonic_ns();
    if (og_catalog_compile(schema->ptr, schema->len, &cat, &err)) {
      fprintf(stderr, "schema: %s\n", err.message);
      exit(1);
    }
    if (queries) {
      if (og_qfile_parse(queries->ptr, queries->len, &f, &err)) {
        fprintf(stderr, "queries: %s\n", err.message);
        exit(1);
      }
      for (size_t i = 0; i < f->n_decls; i++) {
        og_qtyped *ty = NULL;
        if (og_query_check(cat, &f->decls[i], &ty, &err)) {
          fprintf(stderr, "check: %s\n", err.message);
          exit(1);
        }
        og_qtyped_free(ty);
      }
    }
    t[r] = og_monotonic_ns() - t0;
    og_qfile_free(f);
    og_catalog_free(cat);
  }
  qsort(t, 5, sizeof t[0], cmp_u64);
  return t[2];
}

int main(int argc, char **argv) {
  int types = argc > 1 ? atoi(argv[1]) : 834; /* 834 types x 6 lines ≈ 5,000 lines */
  int queries = argc > 2 ? atoi(argv[2]) : 1000;
  og_buf s1 = OG_BUF_INIT, s8 = OG_BUF_INIT, q1 = OG_BUF_INIT, q8 = OG_BUF_INIT;
  gen_schema(&s1, types);
  gen_schema(&s8, types * 8);
  gen_queries(&q1, queries, types);
  gen_queries(&q8, queries * 8, types);
  size_t lines1 = 0;
  for (size_t i = 0; i < s1.len; i++) lines1 += s1.ptr[i] == '\n';
  uint64_t a = run(&s1, NULL), b = run(&s8, NULL);
  printf("schema  %7zu lines: %8.2f ms   x8: %8.2f ms   ratio %.1f (linear = 8)\n", lines1, a / 1e6, b / 1e6,
         (double)b / (double)a);
  uint64_t c = run(&s1, &q1) - a, d = run(&s1, &q8) - a;
  printf("queries %7d      : %8.2f ms   x8: %8.2f ms   ratio %.1f (parse + type check)\n", queries, c / 1e6,
         d / 1e6, (double)d / (double)(c ? c : 1));
  og_buf_dispose(&s1);
  og_buf_dispose(&s8);
  og_buf_dispose(&q1);
  og_buf_dispose(&q8);
  return 0;
}
