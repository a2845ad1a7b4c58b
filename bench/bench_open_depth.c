/*
 * bench_open_depth — open cost versus history depth (perf.md §d3/§d4,
 * DESIGN.md §3.2). Builds graphs with history depth 10 and 2000 (default) on
 * the posix store in a temp directory, each commit appending one Person row,
 * then measures with store-op counters and wall time:
 *   open   = og_graph_open + og_graph_snapshot(main, head) + open Person table
 *   head   = og_graph_head(main) on an open handle
 *   write  = single-row insert commits (begin, append, commit): ops of the
 *            first, median wall time of WRITES
 * Usage: bench_open_depth [depth ...]   (e.g. bench_open_depth 10 100 2000)
 * The table it prints is recorded in bench/RESULTS.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graph/graph.h"

#define REPS 50
#define WRITES 7

static og_colspec person_cols[] = {
    {"id", OG_COL_STRING, OG_COL_INVALID, 0, false},
    {"age", OG_COL_I64, OG_COL_INVALID, 0, true},
};
static og_table_schema person = {person_cols, 2, 0};
static const char schema_text[] = "node Person { id: String @key, age: I32? }\n";

static void die(const char *what, og_status rc, const og_error *err) {
  fprintf(stderr, "bench_open_depth: %s: %s: %s\n", what, og_status_name(rc), err->message);
  exit(1);
}

#define CHECK(what, expr)                 \
  do {                                    \
    og_status rc_ = (expr);               \
    if (rc_ != OG_OK) die(what, rc_, &err); \
  } while (0)

static uint64_t ops(const og_store_stats *s) {
  return s->gets + s->get_ranges + s->heads + s->puts + s->put_if_absents + s->lists + s->deletes;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_u64);
  return v[n / 2];
}

static void insert_one(og_graph *g, int i) {
  og_error err = OG_ERROR_INIT;
  og_graph_write *w = NULL;
  og_table *base = NULL, *nt = NULL;
  og_batch b = OG_BATCH_INIT;
  char id[32];
  snprintf(id, sizeof id, "p%d", i);
  CHECK("begin", og_graph_write_begin(g, "main", &w, &err));
  CHECK("table", og_snapshot_table(og_graph_write_base(w), "node:Person", &base, &err));
  CHECK("batch", og_batch_init(&b, og_table_schema_get(base), &err));
  CHECK("push", og_column_push_bytes(&b.cols[0], id, strlen(id), &err));
  CHECK("push", og_column_push_int(&b.cols[1], i, &err));
  CHECK("append", og_table_append(base, &b, &nt, &err));
  CHECK("stage", og_graph_write_stage(w, "node:Person", nt, 0, &err));
  og_commit_opts co = {"mutation", "bench", NULL, NULL};
  CHECK("commit", og_graph_commit(w, &co, NULL, &err));
  og_batch_dispose(&b);
  og_table_free(base);
  og_table_free(nt);
  og_graph_write_free(w);
}

typedef struct result {
  int depth;
  bool compacted;
  uint64_t build_ms;
  og_store_stats open_stats, table_stats, head_stats, write_stats;
  uint64_t open_us, table_us, head_us, write_us;
} result;

/* optimize: compact Person (content-preserving) and commit it */
static void compact(og_graph *g) {
  og_error err = OG_ERROR_INIT;
  og_graph_write *w = NULL;
  og_table *base = NULL, *nt = NULL;
  bool changed = false;
  og_compact_opts co_opts = {65536, 0.1};
  CHECK("begin", og_graph_write_begin(g, "main", &w, &err));
  CHECK("table", og_snapshot_table(og_graph_write_base(w), "node:Person", &base, &err));
  CHECK("compact", og_table_compact(base, &co_opts, &nt, &changed, &err));
  if (changed) {
    CHECK("stage", og_graph_write_stage(w, "node:Person", nt, 0, &err));
    og_commit_opts co = {"optimize", "bench", NULL, NULL};
    CHECK("commit", og_graph_commit(w, &co, NULL, &err));
  }
  og_table_free(base);
  og_table_free(nt);
  og_graph_write_free(w);
}

static void measure(const char *dir, int depth, result *r);

static void run_depth(int depth, result *r, result *rc_out) {
  og_error err = OG_ERROR_INIT;
  char dir[] = "/tmp/og-bench-depth-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    exit(1);
  }
  og_store *st = NULL;
  og_graph *g = NULL;
  memset(r, 0, sizeof *r);
  r->depth = depth;
  uint64_t t0 = og_monotonic_ns();
  CHECK("open store", og_store_open_posix(&st, dir, true, &err));
  og_graph_table_spec specs[] = {{"node:Person", &person}};
  og_graph_init_opts o = {schema_text, sizeof schema_text - 1, specs, 1, "bench", NULL};
  CHECK("init", og_graph_init(st, &o, &g, &err));
  for (int i = 1; i < depth; i++) insert_one(g, i);
  r->build_ms = (og_monotonic_ns() - t0) / 1000000;
  og_graph_free(g);
  og_store_free(st);
  measure(dir, depth, r);
  /* the same graph after optimize (one more version) */
  *rc_out = *r;
  rc_out->compacted = true;
  CHECK("open store", og_store_open_posix(&st, dir, false, &err));
  CHECK("open", og_graph_open(st, 0, &g, &err));
  compact(g);
  og_graph_free(g);
  og_store_free(st);
  /* measure() committed WRITES writes, compact() one optimize */
  measure(dir, depth + WRITES + 1, rc_out);
  rc_out->depth = depth + WRITES + 1;

  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "bench_open_depth: could not remove %s\n", dir);
}

static void measure(const char *dir, int depth, result *r) {
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  og_graph *g = NULL;

  uint64_t t_open[REPS], t_table[REPS], t_head[REPS];
  for (int rep = 0; rep < REPS; rep++) {
    /* a fresh store handle each time: nothing cached in-process */
    CHECK("open store", og_store_open_posix(&st, dir, false, &err));
    og_snapshot *s = NULL;
    og_table *t = NULL;
    uint64_t a = og_monotonic_ns();
    CHECK("open", og_graph_open(st, 0, &g, &err));
    CHECK("snapshot", og_graph_snapshot(g, "main", 0, &s, &err));
    t_open[rep] = og_monotonic_ns() - a;
    if (rep == 0) og_store_stats_get(st, &r->open_stats);
    og_store_stats_reset(st);
    a = og_monotonic_ns();
    CHECK("table", og_snapshot_table(s, "node:Person", &t, &err));
    t_table[rep] = og_monotonic_ns() - a;
    if (rep == 0) og_store_stats_get(st, &r->table_stats);
    if (og_snapshot_version(s) != (uint64_t)depth) {
      fprintf(stderr, "bench_open_depth: head is %" PRIu64 ", expected %d\n",
              og_snapshot_version(s), depth);
      exit(1);
    }
    og_store_stats_reset(st);
    uint64_t v = 0;
    a = og_monotonic_ns();
    CHECK("head", og_graph_head(g, "main", &v, &err));
    t_head[rep] = og_monotonic_ns() - a;
    if (rep == 0) og_store_stats_get(st, &r->head_stats);
    og_table_free(t);
    og_snapshot_free(s);
    og_graph_free(g);
    og_store_free(st);
  }
  r->open_us = median(t_open, REPS) / 1000;
  r->table_us = median(t_table, REPS) / 1000;
  r->head_us = median(t_head, REPS) / 1000;

  /* single-row writes at this depth (ops of the first, median time) */
  CHECK("open store", og_store_open_posix(&st, dir, false, &err));
  CHECK("open", og_graph_open(st, 0, &g, &err));
  uint64_t t_write[WRITES];
  for (int k = 0; k < WRITES; k++) {
    if (k == 0) og_store_stats_reset(st);
    uint64_t a = og_monotonic_ns();
    insert_one(g, depth + k);
    t_write[k] = og_monotonic_ns() - a;
    if (k == 0) og_store_stats_get(st, &r->write_stats);
  }
  r->write_us = median(t_write, WRITES) / 1000;
  og_graph_free(g);
  og_store_free(st);
}

int main(int argc, char **argv) {
  int depths[8] = {10, 2000};
  int nd = 2;
  if (argc > 1) {
    nd = 0;
    for (int i = 1; i < argc && nd < 8; i++) depths[nd++] = atoi(argv[i]);
  }
  result res[16];
  for (int i = 0; i < nd; i++) {
    if (depths[i] < 1) {
      fprintf(stderr, "bench_open_depth: depth must be >= 1\n");
      return 2;
    }
    run_depth(depths[i], &res[2 * i], &res[2 * i + 1]);
  }
  printf("bench_open_depth: posix store, one Person row per commit; times are medians of %d "
         "cold-handle runs\n", REPS);
  printf("%5s %4s %8s | %-22s | %-22s | %-9s | %-15s\n", "depth", "opt", "build_ms",
         "graph open+snapshot", "Person table open", "head", "1-row write");
  printf("%5s %4s %8s | %4s %5s %5s %5s | %4s %8s %7s | %3s %5s | %3s %3s %7s\n", "", "", "",
         "ops", "lists", "bytes", "us", "ops", "bytes", "us", "ops", "us", "ops", "pia", "us");
  for (int i = 0; i < 2 * nd; i++) {
    const result *r = &res[i];
    printf("%5d %4s %8" PRIu64 " | %4" PRIu64 " %5" PRIu64 " %5" PRIu64 " %5" PRIu64 " | %4" PRIu64
           " %8" PRIu64 " %7" PRIu64 " | %3" PRIu64 " %5" PRIu64 " | %3" PRIu64 " %3" PRIu64
           " %7" PRIu64 "\n",
           r->depth, r->compacted ? "yes" : "no", r->compacted ? (uint64_t)0 : r->build_ms,
           ops(&r->open_stats), r->open_stats.lists, r->open_stats.bytes_read, r->open_us,
           ops(&r->table_stats), r->table_stats.bytes_read, r->table_us, ops(&r->head_stats),
           r->head_us, ops(&r->write_stats), r->write_stats.put_if_absents, r->write_us);
  }
  bool flat = true;
  for (int i = 1; i < 2 * nd; i++)
    if (ops(&res[i].open_stats) != ops(&res[0].open_stats) ||
        ops(&res[i].table_stats) != ops(&res[0].table_stats) ||
        ops(&res[i].head_stats) != ops(&res[0].head_stats) ||
        ops(&res[i].write_stats) != ops(&res[0].write_stats) ||
        /* the one list is "intents/" (recovery on a read-write open): its
         * size is the number of writers in flight, not the history */
        res[i].open_stats.lists > 1)
      flat = false;
  printf("store ops flat across depths: %s\n", flat ? "yes" : "NO");
  return flat ? 0 : 1;
}
