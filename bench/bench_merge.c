/*
 * bench_merge — merge cost follows the delta, not the tables (DESIGN.md §3.6;
 * bench/RESULTS.md).
 *
 *  1. For table sizes N (default 10000 and 100000): a graph with 8 node types
 *     T0..T7 of N rows each on main; branch `f`; then for a delta of D rows
 *     (default 1 and 50) per table: on f, D/2 updates + the rest inserts in
 *     every table (1 row = 1 update); on main, one update of a different row
 *     in every table, so every table needs a real three-way row merge. The
 *     merge f → main runs in a FRESH process (this binary re-executed: cold
 *     process caches, clean peak RSS); it reports wall time, peak RSS, store
 *     ops and bytes read, and rows read/written. Each (N, D) is measured on
 *     its own copy of the prepared graph.
 *  2. Branch create cost at 1k and 1M rows in one table: wall time and store
 *     ops of og_db_branch_create (median of 5, fresh handle each).
 *
 * Usage: bench_merge [dir]      (a temp dir by default)
 *        bench_merge --merge-child <uri>   (internal)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api/api_int.h"
#include "omnigraph.h"

#define NTYPES 8

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what, const og_error *e) {
  fprintf(stderr, "bench_merge: %s: %s\n", what, e->message);
  exit(1);
}

static void load_rows(og_db *db, const char *branch, const char *type, long from, long n,
                      og_load_mode mode) {
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  for (long i = from; i < from + n; i++)
    og_buf_printf(&b, "{\"type\":\"%s\",\"data\":{\"name\":\"%s-%ld\",\"v\":%ld}}\n", type, type, i, i);
  og_load_opts lo = {branch, mode, NULL, 0};
  og_load_result lr = {0};
  if (og_db_load_mem(db, &lo, b.ptr, b.len, &lr, &err)) die("load", &err);
  og_load_result_dispose(&lr);
  og_buf_dispose(&b);
}

/* One load (one commit) per call: updates of rows [0, nupd) of each type by
 * upsert (merge mode) plus nins new rows from `ins_from`. */
static void delta(og_db *db, const char *branch, long nupd, long upd_from, long nins, long ins_from,
                  long value) {
  og_error err = OG_ERROR_INIT;
  og_buf b = OG_BUF_INIT;
  for (int t = 0; t < NTYPES; t++) {
    for (long i = upd_from; i < upd_from + nupd; i++)
      og_buf_printf(&b, "{\"type\":\"T%d\",\"data\":{\"name\":\"T%d-%ld\",\"v\":%ld}}\n", t, t, i, value);
    for (long i = ins_from; i < ins_from + nins; i++)
      og_buf_printf(&b, "{\"type\":\"T%d\",\"data\":{\"name\":\"T%d-%ld\",\"v\":%ld}}\n", t, t, i, value);
  }
  og_load_opts lo = {branch, OG_LOAD_MERGE, NULL, 0};
  og_load_result lr = {0};
  if (og_db_load_mem(db, &lo, b.ptr, b.len, &lr, &err)) die("delta load", &err);
  og_load_result_dispose(&lr);
  og_buf_dispose(&b);
}

static int merge_child(const char *uri) {
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  og_merge_result r;
  if (og_db_open(&db, uri, 0, &err)) die("open", &err);
  og_store_stats_reset(db->store);
  double t0 = now_ms();
  if (og_db_branch_merge(db, "f", "main", "bench", &r, &err)) die("merge", &err);
  double ms = now_ms() - t0;
  og_store_stats st;
  og_store_stats_get(db->store, &st);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
               (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  printf("%s %.1f %.1f %ld %llu %llu %llu %llu %zu %zu\n", og_merge_outcome_name(r.outcome), ms, cpu,
         ru.ru_maxrss, (unsigned long long)(st.gets + st.get_ranges + st.heads + st.puts +
                                            st.put_if_absents + st.lists + st.deletes),
         (unsigned long long)st.bytes_read, (unsigned long long)r.rows_read,
         (unsigned long long)r.rows_written, r.tables_merged, r.tables_adopted);
  og_merge_result_dispose(&r);
  og_db_close(db);
  return 0;
}

static void run_cmd(const char *cmd, char *out, size_t cap) {
  FILE *p = popen(cmd, "r");
  if (!p) {
    perror("popen");
    exit(1);
  }
  size_t n = fread(out, 1, cap - 1, p);
  out[n] = '\0';
  if (pclose(p) != 0) {
    fprintf(stderr, "bench_merge: `%s` failed: %s\n", cmd, out);
    exit(1);
  }
}

static const char *schema(void) {
  static char s[2048];
  size_t n = 0;
  for (int t = 0; t < NTYPES; t++)
    n += (size_t)snprintf(s + n, sizeof s - n, "node T%d { name: String @key  v: I64? }\n", t);
  return s;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--merge-child")) return merge_child(argv[2]);
  char dir[4096];
  if (argc > 1) snprintf(dir, sizeof dir, "%s", argv[1]);
  else snprintf(dir, sizeof dir, "/tmp/bench_merge.%d", (int)getpid());
  char cmd[16384], out[4096];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
  run_cmd(cmd, out, sizeof out);
  og_error err = OG_ERROR_INIT;
  const long sizes[] = {10000, 100000};
  const long deltas[] = {1, 50};
  printf("bench_merge: 8 node types x N rows; delta D rows per table on f (updates+inserts),\n"
         "1 update per table on main; merge f -> main in a fresh process (median of 3)\n");
  printf("%8s %4s | %-7s %9s %7s %9s %7s %10s %9s %8s %7s\n", "N", "D", "outcome", "merge_ms", "cpu_ms",
         "maxrss_kb", "ops", "bytes_rd", "rows_rd", "rows_wr", "merged");
  for (size_t si = 0; si < 2; si++) {
    char tmpl[4200];
    snprintf(tmpl, sizeof tmpl, "%s/n%ld", dir, sizes[si]);
    og_db *db = NULL;
    const char *sch = schema();
    double t0 = now_ms();
    if (og_db_init(&db, tmpl, sch, strlen(sch), NULL, &err)) die("init", &err);
    for (int t = 0; t < NTYPES; t++) {
      char ty[8];
      snprintf(ty, sizeof ty, "T%d", t);
      load_rows(db, "main", ty, 0, sizes[si], OG_LOAD_APPEND);
    }
    double build = now_ms() - t0;
    og_db_close(db);
    for (size_t di = 0; di < 2; di++) {
      char work[4300];
      snprintf(work, sizeof work, "%s-d%ld", tmpl, deltas[di]);
      snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -a '%s' '%s'", work, tmpl, work);
      run_cmd(cmd, out, sizeof out);
      if (og_db_open(&db, work, 0, &err)) die("open", &err);
      if (og_db_branch_create(db, "f", NULL, NULL, &err)) die("branch", &err);
      long d = deltas[di], nupd = d == 1 ? 1 : d / 2, nins = d - nupd;
      delta(db, "f", nupd, 10, nins, sizes[si], 7);
      delta(db, "main", 1, 5, 0, 0, 9);
      og_db_close(db);
      char self[64], exe[4096];
      snprintf(self, sizeof self, "/proc/%d/exe", (int)getpid());
      ssize_t n = readlink(self, exe, sizeof exe - 1);
      if (n <= 0) {
        perror("readlink");
        return 1;
      }
      exe[n] = '\0';
      /* median of 3 merges, each of a fresh copy in a fresh process */
      char oc[32];
      double times[3], cpus[3], ms = 0;
      long rss = 0;
      unsigned long long ops = 0, bytes = 0, rr = 0, rw = 0;
      size_t merged = 0, adopted = 0;
      for (int rep = 0; rep < 3; rep++) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s-r' && cp -a '%s' '%s-r' && '%s' --merge-child '%s-r'",
                 work, work, work, exe, work);
        run_cmd(cmd, out, sizeof out);
        if (sscanf(out, "%31s %lf %lf %ld %llu %llu %llu %llu %zu %zu", oc, &times[rep], &cpus[rep],
                   &rss, &ops, &bytes, &rr, &rw, &merged, &adopted) != 10) {
          fprintf(stderr, "bench_merge: bad child output: %s\n", out);
          return 1;
        }
      }
      for (int a = 0; a < 3; a++)
        for (int b2 = a + 1; b2 < 3; b2++)
          if (times[b2] < times[a]) {
            double x = times[a];
            times[a] = times[b2];
            times[b2] = x;
          }
      ms = times[1];
      double cpu = cpus[0] < cpus[1] ? cpus[0] : cpus[1];
      if (cpus[2] < cpu) cpu = cpus[2];
      printf("%8ld %4ld | %-7s %9.1f %7.1f %9ld %7llu %10llu %9llu %8llu %7zu   (build %.0f ms)\n",
             sizes[si], d, oc, ms, cpu, rss, ops, bytes, rr, rw, merged, build);
      fflush(stdout);
    }
  }
  /* branch create cost vs data size */
  printf("\nbranch create: one table of N rows; median of 5 creates, fresh handle each\n");
  printf("%9s | %9s %5s %9s\n", "N", "create_us", "ops", "bytes_rd");
  const long bsizes[] = {1000, 1000000};
  for (size_t si = 0; si < 2; si++) {
    char uri[4200];
    snprintf(uri, sizeof uri, "%s/bc%ld", dir, bsizes[si]);
    og_db *db = NULL;
    const char *sch = "node T0 { name: String @key  v: I64? }\n";
    if (og_db_init(&db, uri, sch, strlen(sch), NULL, &err)) die("init", &err);
    for (long off = 0; off < bsizes[si]; off += 200000)
      load_rows(db, "main", "T0", off, bsizes[si] - off < 200000 ? bsizes[si] - off : 200000,
                OG_LOAD_APPEND);
    og_db_close(db);
    double t[5];
    unsigned long long ops = 0, bytes = 0;
    for (int k = 0; k < 5; k++) {
      if (og_db_open(&db, uri, 0, &err)) die("open", &err);
      char name[32];
      snprintf(name, sizeof name, "b%d", k);
      og_store_stats_reset(db->store);
      double t0 = now_ms();
      if (og_db_branch_create(db, name, NULL, NULL, &err)) die("branch create", &err);
      t[k] = (now_ms() - t0) * 1000;
      og_store_stats st;
      og_store_stats_get(db->store, &st);
      ops = st.gets + st.get_ranges + st.heads + st.puts + st.put_if_absents + st.lists + st.deletes;
      bytes = st.bytes_read;
      og_db_close(db);
    }
    for (int a = 0; a < 5; a++)
      for (int b2 = a + 1; b2 < 5; b2++)
        if (t[b2] < t[a]) {
          double x = t[a];
          t[a] = t[b2];
          t[b2] = x;
        }
    printf("%9ld | %9.0f %5llu %9llu\n", bsizes[si], t[2], ops, bytes);
  }
  if (argc <= 1) {
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    run_cmd(cmd, out, sizeof out);
  }
  return 0;
}
