/* CLI surface of optimize, schema plan/apply against a graph, cleanup
 * (surface.md §2.3; surface-cases C18, C19, C24, C25). */
#include "og_cli_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_maint_cli(void **state) {
  (void)state;
  og_cli_write("s.pg", "node Person { name: String @key  age: I32? }\nnode Company { name: String @key }\n"
                     "edge WorksAt: Person -> Company\n");
  og_cli_write("s2.pg", "node Person { name: String @key  age: I32?  nickname: String? }\n"
                      "node Company { name: String @key }\nedge WorksAt: Person -> Company\n");
  og_cli_write("bad.pg", "node Person {\n  name: String @key\n  age: I32?? }\n");
  og_cli_write("d.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
                        "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n");
  og_cli_write("d2.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":3}}\n");
  OG_CLI_EXPECT(0, "initialized", "init --schema s.pg ./g");
  OG_CLI_EXPECT(0, "", "load --data d.jsonl ./g");
  OG_CLI_EXPECT(0, "", "load --mode append --data d2.jsonl ./g");
  OG_CLI_EXPECT(0, "\"committed\": true", "optimize --json ./g");
  OG_CLI_EXPECT(0, "nothing to optimize", "optimize ./g");
  /* the graph from omnigraph.yaml (init wrote cli.graph) */
  OG_CLI_EXPECT(0, "nothing to optimize", "optimize");
  OG_CLI_EXPECT(0, "cleanup is destructive", "cleanup --keep 3");
  /* graph-bound plan */
  OG_CLI_EXPECT(0, "- add property 'Person.nickname'", "schema plan --schema s2.pg ./g");
  OG_CLI_EXPECT(0, "\"step_count\": 1", "schema plan --schema s2.pg --json ./g");
  /* C24: unchanged */
  OG_CLI_EXPECT(0, "no schema changes", "schema apply --schema s.pg ./g");
  OG_CLI_EXPECT(0, "applied: no", "schema apply --schema s.pg ./g");
  /* bad schema: line:column, nothing written */
  OG_CLI_EXPECT(1, "line 3", "schema apply --schema bad.pg ./g");
  /* C25 */
  OG_CLI_EXPECT(0, "", "branch create feature ./g");
  OG_CLI_EXPECT(1, "schema apply requires a graph with only main", "schema apply --schema s2.pg ./g");
  OG_CLI_EXPECT(0, "applied: yes", "schema apply --schema s2.pg --branch feature ./g");
  OG_CLI_EXPECT(0, "", "branch delete feature ./g");
  OG_CLI_EXPECT(0, "\"applied\": true", "schema apply --schema s2.pg --json ./g");
  OG_CLI_EXPECT(0, "nickname", "schema show ./g");
  /* C18 / C19 and the other cleanup messages */
  OG_CLI_EXPECT(0, "cleanup is destructive — rerun with --confirm. Policy for ./g", "cleanup --keep 2 ./g");
  OG_CLI_EXPECT(1, "unknown duration unit 'x'. Supported: s, m, h, d, w", "cleanup --older-than 7x --confirm ./g");
  OG_CLI_EXPECT(1, "duration is empty", "cleanup --older-than '' --confirm ./g");
  OG_CLI_EXPECT(1, "cleanup requires at least one of --keep or --older-than", "cleanup --confirm ./g");
  OG_CLI_EXPECT(2, "", "cleanup --keep zero --confirm ./g");
  OG_CLI_EXPECT(0, "\"old_versions_removed\"", "cleanup --keep 1 --confirm --json ./g");
  OG_CLI_EXPECT(0, "ok:", "verify ./g");
  OG_CLI_EXPECT(0, "objects removed: 0", "cleanup --older-than 1d --confirm ./g");
}

/* cleanup --keep 1 must not release the merge base of open branches: the
 * merge after it still finds the common ancestor's table versions. */
static void test_cleanup_keeps_merge_base(void **state) {
  (void)state;
  og_cli_write("mb.pg", "node Person { name: String @key  age: I32? }\n");
  og_cli_write("mb.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Ann\",\"age\":1}}\n"
                           "{\"type\":\"Person\",\"data\":{\"name\":\"Ben\",\"age\":2}}\n");
  OG_CLI_EXPECT(0, "initialized", "init --schema mb.pg ./mb.omni");
  OG_CLI_EXPECT(0, "loaded", "load --data mb.jsonl ./mb.omni");
  OG_CLI_EXPECT(0, "created branch feat", "branch create --from main feat ./mb.omni");
  for (int i = 0; i < 3; i++) {
    OG_CLI_EXPECT(0, "changed main", "mutate -e 'query q() { insert Person { name: \"M%d\", age: 3 } }' ./mb.omni", i);
    OG_CLI_EXPECT(0, "changed feat", "mutate --branch feat -e 'query q() { update Person set { age: %d } where name = \"Ann\" }' ./mb.omni", 10 + i);
  }
  char *log = NULL;
  if (og_cli_stdout(&log, "commit list --json ./mb.omni")) fail_msg("commit list: %s", log);
  const char *c2 = strstr(log, "\"graph_commit_id\": \"");
  assert_non_null(c2); /* version 1 (init) */
  c2 = strstr(c2 + 1, "\"graph_commit_id\": \"");
  assert_non_null(c2); /* version 2 (the load) */
  char v2[64];
  snprintf(v2, sizeof v2, "%.26s", c2 + strlen("\"graph_commit_id\": \""));
  og_free(log);
  OG_CLI_EXPECT(0, "Ann", "query --snapshot %s -e 'query q() { match { $p: Person } return { $p.name } }' ./mb.omni", v2);
  OG_CLI_EXPECT(0, "", "cleanup --keep 1 --confirm ./mb.omni");
  OG_CLI_EXPECT(0, "ok: ", "verify ./mb.omni");
  /* time travel below the floor (version 2 is the merge base of feat, so
   * main's floor stops at it; version 1 is released) */
  OG_CLI_EXPECT(1, "Error: version 1 of branch 'main' was released by cleanup (retention floor 2)",
                "query --snapshot manifest:main:v1 -e 'query q() { match { $p: Person } return { $p.name } }' ./mb.omni");
  OG_CLI_EXPECT(0, "Ann", "query --snapshot %s -e 'query q() { match { $p: Person } return { $p.name } }' ./mb.omni", v2);
  OG_CLI_EXPECT(0, "merged feat into main: merged", "branch merge feat --into main ./mb.omni");
  OG_CLI_EXPECT(0, "\"p.age\": 12", "query --json -e 'query q() { match { $p: Person { name: \"Ann\" } } return { $p.age } }' ./mb.omni");
  OG_CLI_EXPECT(0, "ok: ", "verify ./mb.omni");
}

int main(void) {
  og_cli_dir = og_test_tmpdir("maintcli");
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_maint_cli),
                                     cmocka_unit_test(test_cleanup_keeps_merge_base)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  og_test_rmtree(og_cli_dir);
  og_free(og_cli_dir);
  return rc;
}
