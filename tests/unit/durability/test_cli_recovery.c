/* `omnigraph recovery list | intents | run` and verify's leftover report
 * (docs/durability.md §8), end to end on a graph a crashed load left. */
#include "og_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *OG(void) { return og_test_bin_path("omnigraph"); }

static int sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(char **out, const char *fmt, ...) {
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  return og_test_run(cmd, out);
}

#define EXPECT(code, needle, ...)                                                  \
  do {                                                                             \
    char *o_ = NULL;                                                               \
    int rc_ = sh(&o_, __VA_ARGS__);                                                \
    if (rc_ != (code) || !strstr(o_, needle))                                      \
      fail_msg("exit %d (want %d), output lacks '%s':\n%s", rc_, code, needle, o_); \
    og_free(o_);                                                                   \
  } while (0)

static void test_recovery_commands(void **state) {
  (void)state;
  char *dir = og_test_tmpdir("dur-clirec");
  char path[4096];
  snprintf(path, sizeof path, "%s/s.pg", dir);
  FILE *f = fopen(path, "w");
  fputs("node Person { name: String @key  age: I32? }\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/d.jsonl", dir);
  f = fopen(path, "w");
  fputs("{\"type\":\"Person\",\"data\":{\"name\":\"A\",\"age\":1}}\n", f);
  fclose(f);
  EXPECT(0, "initialized", "cd '%s' && '%s' init --schema s.pg ./g", dir, OG());
  EXPECT(0, "no recoveries recorded", "cd '%s' && '%s' recovery list ./g", dir, OG());
  EXPECT(0, "no write intents", "cd '%s' && '%s' recovery intents ./g", dir, OG());
  char *out = NULL;
  /* a load small enough to embed leaves nothing but its intent behind: an
   * embedding limit of 0 makes it write its three table objects out */
  int rc = sh(&out, "cd '%s' && OMNIGRAPH_EMBED_MAX=0 OMNIGRAPH_FAILPOINTS=graph.commit.before_put=crash '%s' load --data d.jsonl ./g",
              dir, OG());
  assert_int_equal(rc, 86);
  og_free(out);
  EXPECT(0, "dead  write", "cd '%s' && '%s' recovery intents ./g", dir, OG());
  EXPECT(0, "\"orphans\": 3", "cd '%s' && '%s' verify --json ./g", dir, OG());
  EXPECT(0, "\"intents\": 1", "cd '%s' && '%s' verify --json ./g", dir, OG());
  EXPECT(0, "1 rolled back, 0 deferred, 0 live, 3 objects removed",
         "cd '%s' && '%s' recovery run ./g", dir, OG());
  EXPECT(0, "rolled_back", "cd '%s' && '%s' recovery list ./g", dir, OG());
  EXPECT(0, "\"actor\": \"omnigraph:recovery\"", "cd '%s' && '%s' recovery list --json ./g", dir, OG());
  EXPECT(0, "\"orphans\": 0", "cd '%s' && '%s' verify --json ./g", dir, OG());
  EXPECT(0, "\"rolled_back\": 0", "cd '%s' && '%s' recovery run --json ./g", dir, OG());
  EXPECT(1, "no graph", "cd '%s' && '%s' recovery list ./nothing", dir, OG());
  og_test_rmtree(dir);
  og_free(dir);
}

int main(void) {
  setenv("OMNIGRAPH_RECOVERY_SKEW_MS", "0", 1);
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_recovery_commands)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
