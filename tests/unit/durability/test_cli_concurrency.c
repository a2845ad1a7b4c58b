/* The concurrency suite through the CLI (docs/durability.md §7): several
 * writer loops run `omnigraph mutate` against one graph at once, on two
 * branches, and some invocations are killed with SIGKILL at a random moment.
 * A writer logs a mutation as acknowledged only when the command exited 0.
 * Afterwards: every acknowledged insert is present exactly once, verify
 * passes, and after a read-write open no orphan object and no write intent
 * is left. */
#include "og_test.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NWRITERS 4
#define NMUTS 8

static const char *OG(void) { return og_test_bin_path("omnigraph"); }

/* One writer loop: NMUTS inserts; every third invocation is killed after a
 * random delay. Appends "<branch> <name>\n" to its ack log for each exit 0. */
static int writer(const char *dir, int id, unsigned seed) {
  char logpath[4096];
  snprintf(logpath, sizeof logpath, "%s/ack-%d", dir, id);
  FILE *log = fopen(logpath, "a");
  if (!log) return 9;
  srand(seed);
  const char *branch = id % 2 ? "b" : "main";
  for (int j = 0; j < NMUTS; j++) {
    char name[64], gq[256], graph[4096];
    snprintf(name, sizeof name, "w%d-%d", id, j);
    snprintf(gq, sizeof gq, "query q() { insert Person { name: \"%s\", age: %d } }", name, j);
    snprintf(graph, sizeof graph, "%s/g", dir);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return 10;
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      if (devnull >= 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
      }
      execl(OG(), "omnigraph", "mutate", "--branch", branch, "-e", gq, graph, (char *)NULL);
      _exit(127);
    }
    if (j % 3 == 2) {
      usleep((useconds_t)(rand() % 20000));
      kill(pid, SIGKILL);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 11;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      fprintf(log, "%s %s\n", branch, name);
      fflush(log);
    } else if (WIFEXITED(status)) {
      /* a lost race or contention is a clean failure: nothing visible */
      if (WEXITSTATUS(status) != 1) return 12;
    }
  }
  fclose(log);
  return 0;
}

static int sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(char **out, const char *fmt, ...) {
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  return og_test_run(cmd, out);
}

static void test_cli_writers_with_kills(void **state) {
  (void)state;
  char *dir = og_test_tmpdir("dur-cli");
  char *out = NULL;
  char path[4096];
  snprintf(path, sizeof path, "%s/s.pg", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("node Person { name: String @key  age: I32? }\n", f);
  fclose(f);
  if (sh(&out, "cd '%s' && '%s' init --schema s.pg ./g && '%s' branch create b ./g", dir, OG(), OG()))
    fail_msg("setup: %s", out);
  og_free(out);
  unsigned seed = (unsigned)time(NULL);
  print_message("  seed %u\n", seed);
  pid_t pids[NWRITERS];
  fflush(NULL);
  for (int i = 0; i < NWRITERS; i++) {
    pids[i] = fork();
    assert_true(pids[i] >= 0);
    if (pids[i] == 0) _exit(writer(dir, i, seed + (unsigned)i));
  }
  for (int i = 0; i < NWRITERS; i++) {
    int status = 0;
    assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0) fail_msg("writer %d exited %d", i, WEXITSTATUS(status));
  }
  /* a read-write open (the follow-up write) recovers the killed ones */
  if (sh(&out, "cd '%s' && '%s' branch create after ./g", dir, OG())) fail_msg("follow-up: %s", out);
  og_free(out);
  char *exports[2] = {NULL, NULL};
  const char *branches[2] = {"main", "b"};
  for (int b = 0; b < 2; b++)
    if (sh(&exports[b], "cd '%s' && '%s' export --branch %s ./g", dir, OG(), branches[b]))
      fail_msg("export: %s", exports[b]);
  int acked = 0;
  for (int i = 0; i < NWRITERS; i++) {
    snprintf(path, sizeof path, "%s/ack-%d", dir, i);
    char *txt = og_test_read_file(path, NULL);
    if (!txt) continue;
    char *save = NULL;
    for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      char br[16], name[64], needle[96];
      if (sscanf(line, "%15s %63s", br, name) != 2) continue;
      snprintf(needle, sizeof needle, "\"name\":\"%s\"", name);
      const char *e = exports[strcmp(br, "main") == 0 ? 0 : 1];
      const char *hit = strstr(e, needle);
      if (!hit) fail_msg("acknowledged insert %s on %s is missing", name, br);
      if (strstr(hit + 1, needle)) fail_msg("acknowledged insert %s on %s is present twice", name, br);
      acked++;
    }
    og_free(txt);
  }
  print_message("  %d acknowledged inserts present\n", acked);
  assert_true(acked > 0);
  og_free(exports[0]);
  og_free(exports[1]);
  int rc = sh(&out, "cd '%s' && '%s' verify --json ./g", dir, OG());
  if (rc != 0 || !strstr(out, "\"orphans\": 0") || !strstr(out, "\"intents\": 0"))
    fail_msg("verify after recovery:\n%s", out);
  og_free(out);
  og_test_rmtree(dir);
  og_free(dir);
}

int main(void) {
  setenv("OMNIGRAPH_RECOVERY_SKEW_MS", "0", 1);
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_cli_writers_with_kills)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
