/* End-to-end tests of `omnigraph branch merge` and `omnigraph diff`: the
 * real binary in a temp directory. */
#include "og_cli_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void prepare(void) {
  og_cli_write("s.pg", "node Person { name: String @key  age: I32? }\n"
                     "edge Knows: Person -> Person\n");
  og_cli_write("d.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
                        "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
                        "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Bob\"}\n");
  OG_CLI_EXPECT(0, "initialized", "init --schema s.pg ./g");
  OG_CLI_EXPECT(0, "loaded", "load --data d.jsonl ./g");
}

static void test_merge_outcomes(void **state) {
  (void)state;
  prepare();
  OG_CLI_EXPECT(0, "created branch f", "branch create f --uri ./g");
  OG_CLI_EXPECT(0, "merged f into main: already_up_to_date", "branch merge f ./g");
  OG_CLI_EXPECT(0, "changed f", "mutate -e 'query q() { insert Person { name: \"Eve\", age: 1 } }' --branch f ./g");
  OG_CLI_EXPECT(0, "merged f into main: fast_forward", "branch merge f --into main --uri ./g");
  OG_CLI_EXPECT(0, "merged f into main: already_up_to_date", "branch merge f ./g");
  OG_CLI_EXPECT(0, "changed f", "mutate -e 'query q() { update Person set { age: 31 } where name = \"Alice\" }' --branch f ./g");
  OG_CLI_EXPECT(0, "changed main", "mutate -e 'query q() { update Person set { age: 26 } where name = \"Bob\" }' ./g");
  OG_CLI_EXPECT(0, "\"outcome\": \"merged\"", "branch merge f --json ./g");
  OG_CLI_EXPECT(0, "\"source\": \"f\",\n  \"target\": \"main\"", "branch merge f --json ./g");
  OG_CLI_EXPECT(0, "merged_parent_commit_id", "commit list --json ./g");
  /* the merged main holds both changes */
  OG_CLI_EXPECT(0, "age: 30 -> 31", "diff main@4 main ./g");
  OG_CLI_EXPECT(0, "1 updated", "diff main@4 main --type Person ./g");
  OG_CLI_EXPECT(0, "0 inserted, 0 updated, 0 deleted", "diff main@4 main --type Knows ./g");
  /* errors */
  OG_CLI_EXPECT(1, "branch_merge requires distinct source and target branches", "branch merge main --into main ./g");
  OG_CLI_EXPECT(1, "branch 'nope' not found", "branch merge nope ./g");
  OG_CLI_EXPECT(2, "<SOURCE>", "branch merge --into main --uri ./g");
  /* the graph from omnigraph.yaml (written by init); the global --as */
  OG_CLI_EXPECT(0, "merged f into main: already_up_to_date", "branch merge f");
  OG_CLI_EXPECT(0, "\"actor_id\": \"alice\"", "--as alice branch merge f --json");
  OG_CLI_EXPECT(1, "neither a branch nor a commit", "diff nope main ./g");
  OG_CLI_EXPECT(2, "<FROM> <TO>", "diff main");
  OG_CLI_EXPECT(0, "Usage: omnigraph branch merge", "branch merge --help");
  OG_CLI_EXPECT(0, "diff", "--help");
}

static void test_merge_conflicts(void **state) {
  (void)state;
  prepare();
  OG_CLI_EXPECT(0, "created branch c", "branch create c --uri ./g");
  OG_CLI_EXPECT(0, "changed c", "mutate -e 'query q() { update Person set { age: 1 } where name = \"Alice\" delete Person where name = \"Bob\" }' --branch c ./g");
  OG_CLI_EXPECT(0, "changed main", "mutate -e 'query q() { update Person set { age: 2 } where name = \"Alice\" update Person set { age: 3 } where name = \"Bob\" }' ./g");
  char *before = NULL, *after = NULL;
  assert_int_equal(og_cli(&before, "snapshot --json ./g"), 0);
  OG_CLI_EXPECT(1, "merge conflicts: node:Person:Alice (divergent_update)", "branch merge c ./g");
  OG_CLI_EXPECT(1, "delete_vs_update node:Person:Bob", "branch merge c ./g");
  OG_CLI_EXPECT(1, "\"code\": \"conflict\"", "branch merge c --json ./g");
  OG_CLI_EXPECT(1, "\"merge_conflicts\": [", "branch merge c --json ./g");
  OG_CLI_EXPECT(1, "\"theirs\": {", "branch merge c --json ./g");
  assert_int_equal(og_cli(&after, "snapshot --json ./g"), 0);
  assert_string_equal(before, after); /* nothing written */
  og_free(before);
  og_free(after);
  OG_CLI_EXPECT(0, "\"ok\": true", "verify --json ./g");
}

static void test_diff_json(void **state) {
  (void)state;
  prepare();
  OG_CLI_EXPECT(0, "created branch d", "branch create d --uri ./g");
  OG_CLI_EXPECT(0, "changed d", "mutate -e 'query q() { insert Person { name: \"Cy\", age: 9 } insert Knows { from: \"Cy\", to: \"Alice\" } }' --branch d ./g");
  OG_CLI_EXPECT(0, "\"inserts\": 2", "diff main d --json ./g");
  OG_CLI_EXPECT(0, "\"src\": \"Cy\"", "diff main d --json ./g");
  OG_CLI_EXPECT(0, "+ node Person Cy", "diff main d ./g");
  OG_CLI_EXPECT(0, "+ edge Knows", "diff main d ./g");
  OG_CLI_EXPECT(0, "- node Person Cy", "diff d main ./g");
  /* review: only what the branch did since it diverged, not main's later work */
  OG_CLI_EXPECT(0, "changed main", "mutate -e 'query q() { insert Person { name: \"Mo\", age: 1 } }' ./g");
  OG_CLI_EXPECT(0, "- node Person Mo", "diff main d ./g");
  OG_CLI_EXPECT(0, "1 inserted, 0 updated, 0 deleted", "diff main d --from-base --type Person ./g");
  OG_CLI_EXPECT(0, "+ node Person Cy", "diff main d --from-base ./g");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_merge_outcomes, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_merge_conflicts, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_diff_json, og_cli_setup, og_cli_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
