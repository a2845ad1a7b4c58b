/*
 * bench_load — the write path through the public C API (bench/RESULTS.md).
 *
 *  1. Bulk load of the shared peer graph (shared/peers/gen.js: N persons
 *     "p<i>", E Knows edges from mulberry32(42), self-loops skipped) as JSONL
 *     files written beforehand (untimed, like the peers' CSV files), streamed
 *     through a fread callback: one overwrite load of the persons, then one
 *     append load of the edges (what kuzu's two COPY statements do). Reports
 *     wall and CPU ms, rows/s, store ops and the peak RSS of the process.
 *  2. Single-row inserts: R mutations `insert Person {...}` through
 *     og_db_mutate on the loaded graph, each its own commit: p50/p90 latency
 *     and store puts/fsyncs per insert.
 *
 * Usage: bench_load [N] [E] [R] [dir]   (defaults 100000 1000000 200, a temp dir)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "api/api_int.h"
#include "omnigraph.h"

typedef struct gen {
  uint64_t n, e;
  uint64_t i;       /* next record */
  int phase;        /* 0 persons, 1 edges */
  uint32_t a;       /* mulberry32 state */
  char pend[128];   /* a record that did not fit the caller's buffer */
  size_t npend, pend_off;
} gen;

static double rnd(uint32_t *a) {
  *a += 0x6D2B79F5u;
  uint32_t t = *a;
  t = (t ^ (t >> 15)) * (1u | t);
  t = (t + ((t ^ (t >> 7)) * (61u | t))) ^ t;
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

static long gen_read(void *ctx, char *buf, size_t cap) {
  gen *g = ctx;
  size_t n = 0;
  for (;;) {
    if (g->npend) {
      size_t k = g->npend - g->pend_off;
      if (k > cap - n) k = cap - n;
      memcpy(buf + n, g->pend + g->pend_off, k);
      n += k;
      g->pend_off += k;
      if (g->pend_off < g->npend) return (long)n;
      g->npend = g->pend_off = 0;
    }
    if (g->phase == 0) {
      if (g->i >= g->n) return (long)n;
      g->npend = (size_t)snprintf(g->pend, sizeof g->pend,
                                  "{\"type\":\"Person\",\"data\":{\"name\":\"p%llu\",\"pid\":%llu}}\n",
                                  (unsigned long long)g->i, (unsigned long long)g->i);
    } else {
      if (g->i >= g->e) return (long)n;
      uint64_t s, d;
      do {
        s = (uint64_t)(rnd(&g->a) * (double)g->n);
        d = (uint64_t)(rnd(&g->a) * (double)g->n);
      } while (s == d);
      g->npend = (size_t)snprintf(g->pend, sizeof g->pend, "{\"edge\":\"Knows\",\"from\":\"p%llu\",\"to\":\"p%llu\"}\n",
                                  (unsigned long long)s, (unsigned long long)d);
    }
    g->i++;
  }
}

/* Write the generated JSONL to a file first (untimed), as the peers' COPY
 * reads a pre-written CSV; then load it through a plain fread callback. */
static void gen_file(gen *g, const char *path) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(1);
  }
  char buf[1 << 16];
  long n;
  while ((n = gen_read(g, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, f);
  fclose(f);
}

static long file_read(void *ctx, char *buf, size_t cap) {
  FILE *f = ctx;
  size_t n = fread(buf, 1, cap, f);
  return n == 0 && ferror(f) ? -1 : (long)n;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The calling thread only: the rest of the process CPU is the loader's
 * background writer thread. */
static double thread_cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long peak_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void die(const char *what, const og_error *err) {
  fprintf(stderr, "%s: %s\n", what, err->message);
  exit(1);
}

int main(int argc, char **argv) {
  uint64_t N = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000;
  uint64_t E = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
  int R = argc > 3 ? atoi(argv[3]) : 200;
  char dir[512];
  if (argc > 4) snprintf(dir, sizeof dir, "%s", argv[4]);
  else snprintf(dir, sizeof dir, "/tmp/bench_load.%d", (int)getpid());
  const char *schema = "node Person { name: String @key\n pid: I64 }\nedge Knows: Person -> Person\n";
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  if (og_db_init(&db, dir, schema, strlen(schema), NULL, &err)) die("init", &err);
  og_store *st = og_graph_store(og_db__graph(db));
  og_store_stats s0, s1;

  printf("bench_load: N=%llu persons, E=%llu Knows edges, posix store %s\n", (unsigned long long)N,
         (unsigned long long)E, dir);
  og_load_result res;
  char pfile[600], efile[600];
  snprintf(pfile, sizeof pfile, "%s.persons.jsonl", dir);
  snprintf(efile, sizeof efile, "%s.knows.jsonl", dir);
  gen g = {.n = N, .e = E, .a = 42};
  gen_file(&g, pfile);
  g = (gen){.n = N, .e = E, .a = 42, .phase = 1};
  gen_file(&g, efile);
  FILE *pf = fopen(pfile, "rb"), *ef = fopen(efile, "rb");
  og_load_opts lo = {.mode = OG_LOAD_OVERWRITE};
  og_store_stats_reset(st);
  double t0 = now_ms(), c0 = cpu_ms(), m0 = thread_cpu_ms();
  if (og_db_load(db, &lo, file_read, pf, &res, &err)) die("load persons", &err);
  double t_nodes = now_ms() - t0, c_nodes = cpu_ms() - c0, m_nodes = thread_cpu_ms() - m0;
  og_store_stats_get(st, &s0);
  og_load_result_dispose(&res);
  long rss_nodes = peak_rss_kb();

  lo.mode = OG_LOAD_APPEND;
  og_store_stats_reset(st);
  t0 = now_ms();
  c0 = cpu_ms();
  m0 = thread_cpu_ms();
  if (og_db_load(db, &lo, file_read, ef, &res, &err)) die("load edges", &err);
  double t_edges = now_ms() - t0, c_edges = cpu_ms() - c0, m_edges = thread_cpu_ms() - m0;
  og_store_stats_get(st, &s1);
  if (res.edges_loaded != E) {
    fprintf(stderr, "loaded %llu edges\n", (unsigned long long)res.edges_loaded);
    return 1;
  }
  og_load_result_dispose(&res);
  long rss_edges = peak_rss_kb();
  {
    og_snapshot *snap = NULL;
    if (og_graph_snapshot(og_db__graph(db), "main", 0, &snap, &err)) die("snapshot", &err);
    const og_table_entry *ke = og_manifest_find(og_snapshot_manifest(snap), "edge:Knows");
    const og_table_entry *pe = og_manifest_find(og_snapshot_manifest(snap), "node:Person");
    if (!ke || ke->row_count != E || !pe || pe->row_count != N) {
      fprintf(stderr, "row counts in the manifest do not match the input\n");
      return 1;
    }
    og_snapshot_free(snap);
  }
  printf("load persons: wall %8.1f ms (%9.0f rows/s)  cpu %8.1f ms (%9.0f rows/s)  puts %llu  MB %.1f  fsyncs %llu\n",
         t_nodes, (double)N / (t_nodes / 1e3), c_nodes, (double)N / (c_nodes / 1e3), (unsigned long long)s0.puts,
         (double)s0.bytes_written / 1048576.0, (unsigned long long)s0.fsyncs);
  printf("load edges:   wall %8.1f ms (%9.0f rows/s)  cpu %8.1f ms (%9.0f rows/s)  puts %llu  MB %.1f  fsyncs %llu\n",
         t_edges, (double)E / (t_edges / 1e3), c_edges, (double)E / (c_edges / 1e3), (unsigned long long)s1.puts,
         (double)s1.bytes_written / 1048576.0, (unsigned long long)s1.fsyncs);
  printf("cpu by thread: persons caller %.1f ms writer %.1f ms; edges caller %.1f ms writer %.1f ms\n", m_nodes,
         c_nodes - m_nodes, m_edges, c_edges - m_edges);
  printf("peak RSS: %.1f MiB after persons, %.1f MiB after edges\n", rss_nodes / 1024.0, rss_edges / 1024.0);

  /* single-row inserts */
  double *lat = calloc((size_t)R, sizeof *lat), *clat = calloc((size_t)R, sizeof *clat);
  const char *q = "query add($name: String, $pid: I64) { insert Person { name: $name, pid: $pid } }";
  uint64_t fsyncs = 0, puts = 0, ops = 0;
  for (int i = 0; i < R; i++) {
    char params[128];
    snprintf(params, sizeof params, "{\"name\":\"new%d\",\"pid\":%d}", i, i);
    og_mutate_opts mo = {.params_json = params};
    og_mutate_result mr;
    og_store_stats_reset(st);
    t0 = now_ms();
    c0 = cpu_ms();
    if (og_db_mutate(db, q, strlen(q), &mo, &mr, &err)) die("insert", &err);
    lat[i] = now_ms() - t0;
    clat[i] = cpu_ms() - c0;
    og_store_stats_get(st, &s0);
    fsyncs += s0.fsyncs;
    puts += s0.puts + s0.put_if_absents;
    ops += s0.gets + s0.get_ranges + s0.heads + s0.puts + s0.put_if_absents + s0.lists;
    og_mutate_result_dispose(&mr);
  }
  if (R > 0) { /* R = 0: the loads only */
    qsort(lat, (size_t)R, sizeof *lat, cmp_d);
    qsort(clat, (size_t)R, sizeof *clat, cmp_d);
    printf("single-row insert (og_db_mutate, %d runs): wall p50 %.3f ms p90 %.3f ms; cpu p50 %.3f ms; per insert: "
           "%.1f store ops, %.1f puts, %.1f fsyncs\n",
           R, lat[R / 2], lat[R * 9 / 10], clat[R / 2], (double)ops / R, (double)puts / R, (double)fsyncs / R);
  }
  free(lat);
  free(clat);
  og_db_close(db);
  fclose(pf);
  fclose(ef);
  remove(pfile);
  remove(efile);
  if (argc <= 4) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  }
  return 0;
}
