/*
 * bench_maint — maintenance costs (docs/maintenance.md):
 *  1. optimize of a 1M-row table written as 1,000 fragments: wall time and
 *     peak RSS of a fresh process that only opens the graph and optimizes
 *     (memory must be bounded by a merge group, not the table);
 *  2. history depth 10 vs 1,000 single-row commits: store ops of
 *     open (graph open + head snapshot + Person table open), a single-row
 *     write, and a warm key lookup, before and after optimize and cleanup;
 *     cleanup --keep 1 cost (store ops, time) at each depth.
 * Usage: bench_maint [rows]   (default 1000000). Results: bench/RESULTS.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "graph/graph.h"
#include "graph/maint.h"

static og_colspec cols[] = {
    {"id", OG_COL_STRING, OG_COL_INVALID, 0, false},
    {"age", OG_COL_I64, OG_COL_INVALID, 0, true},
};
static og_table_schema person = {cols, 2, 0};
static const char schema_text[] = "node Person { id: String @key, age: I64? }\n";

static void die(const char *what, const og_error *err) {
  fprintf(stderr, "bench_maint: %s: %s\n", what, err->message);
  exit(1);
}
#define CHECK(what, expr) \
  do {                    \
    if ((expr) != OG_OK) die(what, &err); \
  } while (0)

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t ops(og_store *st) {
  og_store_stats s;
  og_store_stats_get(st, &s);
  return s.gets + s.get_ranges + s.heads + s.puts + s.put_if_absents + s.lists + s.deletes;
}

static og_graph *make_graph(const char *dir, og_store **st_out) {
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  og_graph *g = NULL;
  CHECK("store", og_store_open_posix(&st, dir, true, &err));
  og_graph_table_spec spec = {"node:Person", &person};
  og_graph_init_opts io = {.schema = schema_text, .schema_len = sizeof schema_text - 1,
                           .tables = &spec, .ntables = 1};
  CHECK("init", og_graph_init(st, &io, &g, &err));
  *st_out = st;
  return g;
}

/* Append `frags` fragments of `per` rows each, in `commits` commits. */
static void fill(og_graph *g, uint64_t *next, size_t frags, size_t per, bool commit_each) {
  og_error err = OG_ERROR_INIT;
  og_graph_write *w = NULL;
  og_table *t = NULL;
  og_batch b = OG_BATCH_INIT;
  for (size_t f = 0; f < frags; f++) {
    if (!w) {
      CHECK("begin", og_graph_write_begin(g, "main", &w, &err));
      CHECK("table", og_snapshot_table(og_graph_write_base(w), "node:Person", &t, &err));
    }
    CHECK("batch", og_batch_init(&b, &person, &err));
    for (size_t r = 0; r < per; r++) {
      char id[32];
      int n = snprintf(id, sizeof id, "p%08" PRIu64, (*next)++);
      CHECK("push", og_column_push_bytes(&b.cols[0], id, (size_t)n, &err));
      CHECK("push", og_column_push_int(&b.cols[1], (int64_t)(*next % 97), &err));
    }
    og_table *nt = NULL;
    CHECK("append", og_table_append(t, &b, &nt, &err));
    og_batch_dispose(&b);
    og_table_free(t);
    t = nt;
    if (commit_each || f + 1 == frags) {
      CHECK("stage", og_graph_write_stage(w, "node:Person", t, 0, &err));
      og_commit_opts co = {.operation = "load"};
      CHECK("commit", og_graph_commit(w, &co, NULL, &err));
      og_graph_write_free(w);
      og_table_free(t);
      w = NULL;
      t = NULL;
    }
  }
}

static void bench_optimize(const char *dir, size_t rows) {
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  og_graph *g = make_graph(dir, &st);
  uint64_t next = 0;
  size_t frags = 1000, per = rows / frags;
  double t0 = now_s();
  fill(g, &next, frags, per, false);
  double build = now_s() - t0;
  og_graph_free(g);
  og_store_free(st);
  og_table_cache_clear();
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    og_store *cst = NULL;
    og_graph *cg = NULL;
    CHECK("store", og_store_open_posix(&cst, dir, false, &err));
    CHECK("open", og_graph_open(cst, 0, &cg, &err));
    og_optimize_result r = {0};
    double s = now_s();
    CHECK("optimize", og_graph_optimize(cg, NULL, &r, &err));
    double el = now_s() - s;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("optimize %zu rows: %" PRIu64 " -> %" PRIu64 " fragments, %.2f s, peak RSS %ld MiB "
           "(build %.2f s in a separate process)\n",
           rows, r.tables[0].fragments_before, r.tables[0].fragments_after, el, ru.ru_maxrss / 1024,
           build);
    og_optimize_result_dispose(&r);
    og_graph_free(cg);
    og_store_free(cst);
    fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
}

static void measure(const char *dir, const char *label) {
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  og_graph *g = NULL;
  og_snapshot *s = NULL;
  og_table *t = NULL;
  og_table_cache_clear();
  CHECK("store", og_store_open_posix(&st, dir, false, &err));
  uint64_t o0 = ops(st);
  CHECK("open", og_graph_open(st, 0, &g, &err));
  CHECK("snap", og_graph_snapshot(g, "main", 0, &s, &err));
  CHECK("table", og_snapshot_table(s, "node:Person", &t, &err));
  uint64_t o_open = ops(st) - o0;
  uint64_t rid = 0;
  CHECK("lookup", og_table_lookup(t, "p00000003", 9, &rid, &err)); /* warms the caches */
  o0 = ops(st);
  CHECK("lookup", og_table_lookup(t, "p00000004", 9, &rid, &err));
  uint64_t o_read = ops(st) - o0;
  og_table_free(t);
  og_snapshot_free(s);
  uint64_t next = 1000000;
  o0 = ops(st);
  fill(g, &next, 1, 1, true);
  uint64_t o_write = ops(st) - o0;
  uint64_t h = 0;
  CHECK("head", og_graph_head(g, "main", &h, &err));
  printf("%-28s depth %5" PRIu64 ": open %3" PRIu64 " ops, 1-row write %3" PRIu64
         " ops, warm lookup %3" PRIu64 " ops\n",
         label, h, o_open, o_write, o_read);
  og_graph_free(g);
  og_store_free(st);
}

static void bench_depth(const char *base, size_t depth) {
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/depth%zu", base, depth);
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  og_graph *g = make_graph(dir, &st);
  uint64_t next = 0;
  fill(g, &next, depth, 1, true);
  og_graph_free(g);
  og_store_free(st);
  measure(dir, "uncompacted");
  CHECK("store", og_store_open_posix(&st, dir, false, &err));
  CHECK("open", og_graph_open(st, 0, &g, &err));
  og_optimize_result r = {0};
  CHECK("optimize", og_graph_optimize(g, NULL, &r, &err));
  og_optimize_result_dispose(&r);
  og_graph_free(g);
  og_store_free(st);
  measure(dir, "after optimize");
  CHECK("store", og_store_open_posix(&st, dir, false, &err));
  og_cleanup_opts co = {.keep_set = true, .keep = 1};
  og_cleanup_result cr = {0};
  uint64_t o0 = ops(st);
  double t0 = now_s();
  CHECK("cleanup", og_graph_cleanup(st, &co, &cr, &err));
  double el = now_s() - t0;
  printf("%-28s depth %5zu: %" PRIu64 " ops, %.3f s, %" PRIu64 " objects (%" PRIu64
         " bytes) removed, %" PRIu64 " manifests read\n",
         "cleanup --keep 1", depth, ops(st) - o0, el, cr.objects_removed, cr.bytes_removed,
         cr.manifests);
  og_cleanup_result_dispose(&cr);
  og_store_free(st);
  measure(dir, "after cleanup");
}

int main(int argc, char **argv) {
  size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
  char tmpl[] = "/tmp/bench_maint_XXXXXX";
  char *base = mkdtemp(tmpl);
  if (!base) return 1;
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/big", base);
  bench_optimize(dir, rows);
  bench_depth(base, 10);
  bench_depth(base, 1000);
  if (getenv("BENCH_KEEP")) { printf("kept %s\n", base); return 0; }
  char cmd[4300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
  if (system(cmd) != 0) return 1;
  return 0;
}
