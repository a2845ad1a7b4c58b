/* CLI surface of optimize, schema plan/apply against a graph, cleanup
 * (surface.md §2.3; surface-cases C18, C19, C24, C25). */
#include "og_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmp;

static int og(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int og(char **out, const char *fmt, ...) {
  char args[4096], cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", tmp, og_test_bin_path("omnigraph"), args);
  return og_test_run(cmd, out);
}

static void write_file(const char *name, const char *text) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", tmp, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

#define EXPECT(code, substr, ...)                                                          \
  do {                                                                                     \
    char *o_ = NULL;                                                                       \
    int rc_ = og(&o_, __VA_ARGS__);                                                        \
    if (rc_ != (code) || !strstr(o_, (substr)))                                            \
      fail_msg("omnigraph " #__VA_ARGS__ ": exit %d (want %d), output:\n%s\n(wanted: %s)", \
               rc_, (code), o_, (substr));                                                 \
    og_free(o_);                                                                           \
  } while (0)

static void test_maint_cli(void **state) {
  (void)state;
  write_file("s.pg", "node Person { name: String @key  age: I32? }\nnode Company { name: String @key }\n"
                     "edge WorksAt: Person -> Company\n");
  write_file("s2.pg", "node Person { name: String @key  age: I32?  nickname: String? }\n"
                      "node Company { name: String @key }\nedge WorksAt: Person -> Company\n");
  write_file("bad.pg", "node Person {\n  name: String @key\n  age: I32?? }\n");
  write_file("d.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
                        "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n");
  write_file("d2.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":3}}\n");
  EXPECT(0, "initialized", "init --schema s.pg ./g");
  EXPECT(0, "", "load --data d.jsonl ./g");
  EXPECT(0, "", "load --mode append --data d2.jsonl ./g");
  EXPECT(0, "\"committed\": true", "optimize --json ./g");
  EXPECT(0, "nothing to optimize", "optimize ./g");
  /* the graph from omnigraph.yaml (init wrote cli.graph) */
  EXPECT(0, "nothing to optimize", "optimize");
  EXPECT(0, "cleanup is destructive", "cleanup --keep 3");
  /* graph-bound plan */
  EXPECT(0, "- add property 'Person.nickname'", "schema plan --schema s2.pg ./g");
  EXPECT(0, "\"step_count\": 1", "schema plan --schema s2.pg --json ./g");
  /* C24: unchanged */
  EXPECT(0, "no schema changes", "schema apply --schema s.pg ./g");
  EXPECT(0, "applied: no", "schema apply --schema s.pg ./g");
  /* bad schema: line:column, nothing written */
  EXPECT(1, "line 3", "schema apply --schema bad.pg ./g");
  /* C25 */
  EXPECT(0, "", "branch create feature ./g");
  EXPECT(1, "schema apply requires a graph with only main", "schema apply --schema s2.pg ./g");
  EXPECT(0, "applied: yes", "schema apply --schema s2.pg --branch feature ./g");
  EXPECT(0, "", "branch delete feature ./g");
  EXPECT(0, "\"applied\": true", "schema apply --schema s2.pg --json ./g");
  EXPECT(0, "nickname", "schema show ./g");
  /* C18 / C19 and the other cleanup messages */
  EXPECT(0, "cleanup is destructive — rerun with --confirm. Policy for ./g", "cleanup --keep 2 ./g");
  EXPECT(1, "unknown duration unit 'x'. Supported: s, m, h, d, w", "cleanup --older-than 7x --confirm ./g");
  EXPECT(1, "duration is empty", "cleanup --older-than '' --confirm ./g");
  EXPECT(1, "cleanup requires at least one of --keep or --older-than", "cleanup --confirm ./g");
  EXPECT(2, "", "cleanup --keep zero --confirm ./g");
  EXPECT(0, "\"old_versions_removed\"", "cleanup --keep 1 --confirm --json ./g");
  EXPECT(0, "ok:", "verify ./g");
  EXPECT(0, "objects removed: 0", "cleanup --older-than 1d --confirm ./g");
}

int main(void) {
  tmp = og_test_tmpdir("maintcli");
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_maint_cli)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  og_test_rmtree(tmp);
  og_free(tmp);
  return rc;
}
