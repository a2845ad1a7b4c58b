/*
 * bench_traversal — 2-hop traversal on the shared peer graph
 * (shared/peers/gen.js: N persons, E Knows edges from mulberry32(seed 42),
 * self-loops skipped, duplicates kept), the same two questions the kuzu and
 * DuckDB peers answer:
 *   paths2             count of all 2-hop paths a→b→c
 *   distinct2FromNode0 distinct c with 0→b→c
 * Usage: bench_traversal [N] [E]   (defaults 10000 80000)
 *
 * Omnigraph's traversal has edge-set semantics (spec languages §5.2: one row
 * per distinct (source, destination), a node is never its own neighbour), so
 * with duplicate edges our paths2 differs from the peers' multigraph count;
 * both expected values are computed here and each checked against its engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "omnigraph.h"
#include "util/util.h"

static uint32_t rng_state;
/* mulberry32, bit-exact with gen.js (Math.imul = wrapping u32 multiply) */
static double mulberry32(void) {
  rng_state += 0x6D2B79F5u;
  uint32_t a = rng_state;
  uint32_t t = (a ^ (a >> 15)) * (1u | a);
  t = (t + (t ^ (t >> 7)) * (61u | t)) ^ t;
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}
static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void die(const char *what, const og_error *e) {
  fprintf(stderr, "%s: %s\n", what, e->message);
  exit(1);
}

typedef struct timing {
  double first, cpu_first, median, cpu_median;
  uint64_t value;
} timing;

static double cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static timing run(og_db *db, const char *q, bool rows) {
  timing t = {0};
  double ts[5], cs[5];
  for (int i = 0; i < 5; i++) {
    og_error err = OG_ERROR_INIT;
    og_result *r = NULL;
    double t0 = now_ms(), c0 = cpu_ms();
    if (og_db_query(db, q, strlen(q), NULL, &r, &err)) die("query", &err);
    ts[i] = now_ms() - t0;
    cs[i] = cpu_ms() - c0;
    t.value = rows ? og_result_row_count(r) : (uint64_t)og_result_int(r, 0, 0);
    og_result_free(r);
  }
  t.first = ts[0];
  t.cpu_first = cs[0];
  qsort(ts, 5, sizeof ts[0], cmp_d);
  t.median = ts[2];
  qsort(cs, 5, sizeof cs[0], cmp_d);
  t.cpu_median = cs[2];
  return t;
}

int main(int argc, char **argv) {
  long N = argc > 1 ? atol(argv[1]) : 10000, E = argc > 2 ? atol(argv[2]) : 80000;
  uint32_t *src = malloc(E * sizeof *src), *dst = malloc(E * sizeof *dst);
  rng_state = 42;
  for (long i = 0; i < E;) {
    uint32_t s = (uint32_t)(mulberry32() * N), d = (uint32_t)(mulberry32() * N);
    if (s == d) continue;
    src[i] = s;
    dst[i] = d;
    i++;
  }
  /* expected answers: the peers' multigraph ones (gen.js) and our set ones */
  uint64_t *in = calloc(N, 8), *out = calloc(N, 8), *pairs = malloc(E * 8);
  for (long i = 0; i < E; i++) out[src[i]]++, in[dst[i]]++;
  uint64_t paths2 = 0;
  for (long v = 0; v < N; v++) paths2 += in[v] * out[v];
  for (long i = 0; i < E; i++) pairs[i] = (uint64_t)src[i] << 32 | dst[i];
  qsort(pairs, E, 8, cmp_u64);
  long ne = 0;
  for (long i = 0; i < E; i++)
    if (i == 0 || pairs[i] != pairs[i - 1]) pairs[ne++] = pairs[i];
  memset(in, 0, N * 8);
  memset(out, 0, N * 8);
  for (long i = 0; i < ne; i++) out[pairs[i] >> 32]++, in[pairs[i] & 0xffffffffu]++;
  uint64_t paths2_set = 0;
  for (long v = 0; v < N; v++) paths2_set += in[v] * out[v];
  char *mark = calloc(N, 1);
  uint64_t distinct2 = 0;
  for (long i = 0; i < E; i++)
    if (src[i] == 0)
      for (long k = 0; k < E; k++)
        if (src[k] == dst[i] && !mark[dst[k]]) mark[dst[k]] = 1, distinct2++;
  printf("bench_traversal: N=%ld E=%ld (distinct edges %ld)\n", N, E, ne);
  printf("expected (gen.js multigraph): paths2=%llu distinct2FromNode0=%llu\n", (unsigned long long)paths2,
         (unsigned long long)distinct2);
  printf("expected (edge-set semantics): paths2=%llu\n", (unsigned long long)paths2_set);

  /* OG_BENCH_KEEP=<dir>: load into <dir> once and reuse it on later runs */
  const char *keep = getenv("OG_BENCH_KEEP");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", keep ? keep : "/tmp/og-bench-trav-XXXXXX");
  if (!keep && !mkdtemp(dir)) return 1;
  og_db *db = NULL;
  og_error err = OG_ERROR_INIT;
  const char *schema = "node Person { name: String @key }\nedge Knows: Person -> Person\n";
  bool reuse = keep && og_db_open(&db, dir, OG_DB_READ_ONLY, &err) == OG_OK;
  og_db_close(db);
  db = NULL;
  double load_ms = 0;
  if (!reuse) {
  if (og_db_init(&db, dir, schema, strlen(schema), NULL, &err)) die("init", &err);
  og_buf jl = OG_BUF_INIT;
  for (long i = 0; i < N; i++) og_buf_printf(&jl, "{\"type\":\"Person\",\"data\":{\"name\":\"p%ld\"}}\n", i);
  for (long i = 0; i < E; i++)
    og_buf_printf(&jl, "{\"edge\":\"Knows\",\"from\":\"p%u\",\"to\":\"p%u\"}\n", src[i], dst[i]);
  og_load_opts lo = {0};
  og_load_result lr = {0};
  double t0 = now_ms();
  if (og_db_load_mem(db, &lo, jl.ptr, jl.len, &lr, &err)) die("load", &err);
  load_ms = now_ms() - t0;
  og_load_result_dispose(&lr);
  og_buf_dispose(&jl);
  og_db_close(db);
  }
  if (og_db_open(&db, dir, OG_DB_READ_ONLY, &err)) die("open", &err);

  const char *q2 = "query paths2() { match { $a: Person  $a knows $b  $b knows $c } return { count($c) as n } }";
  const char *qd = "query distinct2() { match { $a: Person { name: \"p0\" }  $a knows $b  $b knows $c } "
                   "return { $c, count($b) as n } }";
  /* OG_BENCH_PROFILE=n: run the paths2 query n extra times (for perf) */
  for (long k = getenv("OG_BENCH_PROFILE") ? atol(getenv("OG_BENCH_PROFILE")) : 0; k > 0; k--)
    run(db, getenv("OG_BENCH_DISTINCT") ? qd : q2, getenv("OG_BENCH_DISTINCT") != NULL);
  timing tp = run(db, q2, false);
  timing td = run(db, qd, true);
  printf("load (JSONL, one commit): %.1f ms\n", load_ms);
  printf("paths2:             value=%llu ok=%s first_ms=%.1f cpu_first_ms=%.1f (incl. CSR build) median_ms=%.2f "
         "cpu_median_ms=%.2f\n",
         (unsigned long long)tp.value, tp.value == paths2_set ? "yes" : "NO", tp.first, tp.cpu_first, tp.median,
         tp.cpu_median);
  printf("distinct2FromNode0: value=%llu ok=%s first_ms=%.2f cpu_first_ms=%.2f median_ms=%.2f cpu_median_ms=%.2f\n",
         (unsigned long long)td.value, td.value == distinct2 ? "yes" : "NO", td.first, td.cpu_first, td.median,
         td.cpu_median);
  og_db_close(db);
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (!keep && system(cmd)) return 1;
  free(src);
  free(dst);
  free(in);
  free(out);
  free(pairs);
  free(mark);
  return tp.value == paths2_set && td.value == distinct2 ? 0 : 1;
}
