/* End-to-end tests of `omnigraph branch merge` and `omnigraph diff`: the
 * real binary in a temp directory. */
#include "og_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmp;

static int setup(void **state) {
  (void)state;
  tmp = og_test_tmpdir("cli-merge");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  og_test_rmtree(tmp);
  og_free(tmp);
  return 0;
}

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

#define EXPECT(code, substr, ...)                                                     \
  do {                                                                                \
    char *o_ = NULL;                                                                  \
    int rc_ = og(&o_, __VA_ARGS__);                                                   \
    if (rc_ != (code) || !strstr(o_, (substr)))                                       \
      fail_msg("omnigraph " #__VA_ARGS__ ": exit %d (want %d), output:\n%s\n(wanted: %s)", \
               rc_, (code), o_, (substr));                                            \
    og_free(o_);                                                                      \
  } while (0)

static void prepare(void) {
  write_file("s.pg", "node Person { name: String @key  age: I32? }\n"
                     "edge Knows: Person -> Person\n");
  write_file("d.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
                        "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
                        "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Bob\"}\n");
  EXPECT(0, "initialized", "init --schema s.pg ./g");
  EXPECT(0, "loaded", "load --data d.jsonl ./g");
}

static void test_merge_outcomes(void **state) {
  (void)state;
  prepare();
  EXPECT(0, "created branch f", "branch create f --uri ./g");
  EXPECT(0, "merged f into main: already_up_to_date", "branch merge f ./g");
  EXPECT(0, "changed f", "mutate -e 'query q() { insert Person { name: \"Eve\", age: 1 } }' --branch f ./g");
  EXPECT(0, "merged f into main: fast_forward", "branch merge f --into main --uri ./g");
  EXPECT(0, "merged f into main: already_up_to_date", "branch merge f ./g");
  EXPECT(0, "changed f", "mutate -e 'query q() { update Person set { age: 31 } where name = \"Alice\" }' --branch f ./g");
  EXPECT(0, "changed main", "mutate -e 'query q() { update Person set { age: 26 } where name = \"Bob\" }' ./g");
  EXPECT(0, "\"outcome\": \"merged\"", "branch merge f --json ./g");
  EXPECT(0, "\"source\": \"f\",\n  \"target\": \"main\"", "branch merge f --json ./g");
  EXPECT(0, "merged_parent_commit_id", "commit list --json ./g");
  /* the merged main holds both changes */
  EXPECT(0, "age: 30 -> 31", "diff main@4 main ./g");
  EXPECT(0, "1 updated", "diff main@4 main --type Person ./g");
  EXPECT(0, "0 inserted, 0 updated, 0 deleted", "diff main@4 main --type Knows ./g");
  /* errors */
  EXPECT(1, "branch_merge requires distinct source and target branches", "branch merge main --into main ./g");
  EXPECT(1, "branch 'nope' not found", "branch merge nope ./g");
  EXPECT(2, "<SOURCE>", "branch merge --into main --uri ./g");
  /* the graph from omnigraph.yaml (written by init); the global --as */
  EXPECT(0, "merged f into main: already_up_to_date", "branch merge f");
  EXPECT(0, "\"actor_id\": \"alice\"", "--as alice branch merge f --json");
  EXPECT(1, "neither a branch nor a commit", "diff nope main ./g");
  EXPECT(2, "<FROM> <TO>", "diff main");
  EXPECT(0, "Usage: omnigraph branch merge", "branch merge --help");
  EXPECT(0, "diff", "--help");
}

static void test_merge_conflicts(void **state) {
  (void)state;
  prepare();
  EXPECT(0, "created branch c", "branch create c --uri ./g");
  EXPECT(0, "changed c", "mutate -e 'query q() { update Person set { age: 1 } where name = \"Alice\" delete Person where name = \"Bob\" }' --branch c ./g");
  EXPECT(0, "changed main", "mutate -e 'query q() { update Person set { age: 2 } where name = \"Alice\" update Person set { age: 3 } where name = \"Bob\" }' ./g");
  char *before = NULL, *after = NULL;
  assert_int_equal(og(&before, "snapshot --json ./g"), 0);
  EXPECT(1, "merge conflicts: node:Person:Alice (divergent_update)", "branch merge c ./g");
  EXPECT(1, "delete_vs_update node:Person:Bob", "branch merge c ./g");
  EXPECT(1, "\"code\": \"conflict\"", "branch merge c --json ./g");
  EXPECT(1, "\"merge_conflicts\": [", "branch merge c --json ./g");
  EXPECT(1, "\"theirs\": {", "branch merge c --json ./g");
  assert_int_equal(og(&after, "snapshot --json ./g"), 0);
  assert_string_equal(before, after); /* nothing written */
  og_free(before);
  og_free(after);
  EXPECT(0, "\"ok\": true", "verify --json ./g");
}

static void test_diff_json(void **state) {
  (void)state;
  prepare();
  EXPECT(0, "created branch d", "branch create d --uri ./g");
  EXPECT(0, "changed d", "mutate -e 'query q() { insert Person { name: \"Cy\", age: 9 } insert Knows { from: \"Cy\", to: \"Alice\" } }' --branch d ./g");
  EXPECT(0, "\"inserts\": 2", "diff main d --json ./g");
  EXPECT(0, "\"src\": \"Cy\"", "diff main d --json ./g");
  EXPECT(0, "+ node Person Cy", "diff main d ./g");
  EXPECT(0, "+ edge Knows", "diff main d ./g");
  EXPECT(0, "- node Person Cy", "diff d main ./g");
  /* review: only what the branch did since it diverged, not main's later work */
  EXPECT(0, "changed main", "mutate -e 'query q() { insert Person { name: \"Mo\", age: 1 } }' ./g");
  EXPECT(0, "- node Person Mo", "diff main d ./g");
  EXPECT(0, "1 inserted, 0 updated, 0 deleted", "diff main d --from-base --type Person ./g");
  EXPECT(0, "+ node Person Cy", "diff main d --from-base ./g");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_merge_outcomes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_merge_conflicts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_diff_json, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
