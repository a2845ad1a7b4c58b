/* End-to-end tests of the omnigraph CLI: the real binary in a temp directory. */
#include "og_cli_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *schema =
    "node Person {\n  name: String @key\n  age: I32?\n}\n"
    "node Company { name: String @key }\n"
    "edge WorksAt: Person -> Company\n";

static void test_version_and_usage(void **state) {
  (void)state;
  OG_CLI_EXPECT(0, "omnigraph 0.6.2\n", "version");
  OG_CLI_EXPECT(0, "omnigraph 0.6.2\n", "--version");
  OG_CLI_EXPECT(0, "omnigraph 0.6.2\n", "-v");
  OG_CLI_EXPECT(2, "unrecognized subcommand 'frobnicate'", "frobnicate");
  OG_CLI_EXPECT(2, "unexpected argument '--bogus'", "version --bogus");
  OG_CLI_EXPECT(2, "--schema", "init ./g");
  OG_CLI_EXPECT(0, "Usage: omnigraph init", "init --help");
  OG_CLI_EXPECT(0, "branch create", "--help");
}

static void test_init_and_inspect(void **state) {
  (void)state;
  og_cli_write("s.pg", schema);
  OG_CLI_EXPECT(0, "initialized ./g.omni", "init --schema s.pg ./g.omni");
  assert_true(og_cli_exists("omnigraph.yaml")); /* the starter config beside the graph */
  OG_CLI_EXPECT(1, "graph already initialized at './g.omni'", "init --schema s.pg ./g.omni");
  OG_CLI_EXPECT(0, "manifest_version: 1\nedge:WorksAt v1 branch=main rows=0\nnode:Company v1", "snapshot ./g.omni");
  OG_CLI_EXPECT(0, "\"manifest_version\": 1", "snapshot --store ./g.omni --json");
  OG_CLI_EXPECT(0, "node Person {", "schema show ./g.omni");
  OG_CLI_EXPECT(0, "\"schema_source\"", "schema get ./g.omni --json");

  OG_CLI_EXPECT(0, "created branch feature-x from main", "branch create --from main feature-x ./g.omni");
  OG_CLI_EXPECT(0, "created branch dev from main", "branch create --uri ./g.omni dev");
  OG_CLI_EXPECT(1, "feature-x", "branch create feature-x ./g.omni"); /* exists */
  OG_CLI_EXPECT(1, "", "branch create 'bad..name' ./g.omni");
  OG_CLI_EXPECT(0, "dev\nfeature-x\nmain\n", "branch list ./g.omni");
  OG_CLI_EXPECT(0, "{\n  \"branches\": [\n    \"dev\",", "branch list --uri ./g.omni --json");
  OG_CLI_EXPECT(1, "cannot delete branch 'main'", "branch delete main ./g.omni");
  OG_CLI_EXPECT(1, "branch 'nope' not found", "branch delete nope ./g.omni");
  OG_CLI_EXPECT(0, "deleted branch dev", "branch delete dev ./g.omni");
  OG_CLI_EXPECT(0, "feature-x\nmain\n", "branch list ./g.omni");

  OG_CLI_EXPECT(0, " branch=main version=1\n", "commit list ./g.omni");
  OG_CLI_EXPECT(0, "branch=feature-x version=1", "commit list --branch feature-x ./g.omni");
  char *out = NULL;
  assert_int_equal(og_cli(&out, "commit list ./g.omni --json"), 0);
  char *id = strstr(out, "\"graph_commit_id\": \"");
  assert_non_null(id);
  char cid[27] = {0};
  memcpy(cid, id + 20, 26);
  og_free(out);
  OG_CLI_EXPECT(0, "manifest_branch: main\nmanifest_version: 1\n", "commit show %s ./g.omni", cid);
  OG_CLI_EXPECT(1, "commit '01M8R6HN1FAGRBG6QWYV536TTX' not found", "commit show 01M8R6HN1FAGRBG6QWYV536TTX ./g.omni");
  OG_CLI_EXPECT(0, "ok: ", "verify ./g.omni");
  /* lint against the graph's accepted schema (positional URI, or cli.graph) */
  og_cli_write("q.gq", "query get($name: String) { match { $p: Person { name: $name } } return { $p.age } }\n"
                     "query bad() { match { $p: Persn } return { $p.name } }\n");
  OG_CLI_EXPECT(1, "OK    query `get` (read)", "lint --query q.gq ./g.omni");
  OG_CLI_EXPECT(1, "ERROR query `bad`:", "lint --query q.gq");
  OG_CLI_EXPECT(1, "\"kind\": \"graph\"", "lint --query q.gq --json ./g.omni");
  OG_CLI_EXPECT(0, "\"ok\": true", "verify ./g.omni --json");
  OG_CLI_EXPECT(1, "no graph at './nothing'", "snapshot ./nothing");
  /* init wrote omnigraph.yaml (cli.graph: local): commands find the graph without a URI */
  OG_CLI_EXPECT(0, "manifest_version: 1", "snapshot");
  OG_CLI_EXPECT(0, "manifest_version: 1", "snapshot --target local");
  OG_CLI_EXPECT(1, "graph 'nope' not found in omnigraph.yaml", "snapshot --target nope");
  og_cli_write("other.yaml", "graphs:\n  g2:\n    uri: g.omni\n");
  OG_CLI_EXPECT(0, "manifest_version: 1", "snapshot --config other.yaml --target g2");
  og_cli_write("broken.yaml", "graphs: [\n");
  OG_CLI_EXPECT(1, "invalid config", "snapshot --config broken.yaml");
  char yaml[4096];
  snprintf(yaml, sizeof yaml, "%s/omnigraph.yaml", og_cli_dir);
  remove(yaml);
  OG_CLI_EXPECT(1, "URI must be provided via <URI>, --target, or config", "snapshot");
}

static void test_bad_schema_writes_nothing(void **state) {
  (void)state;
  og_cli_write("bad.pg", "node Person {\n  name: String @key\n  age: Int32\n}\n");
  char *out = NULL;
  assert_int_equal(og_cli(&out, "init --schema bad.pg ./bad.omni"), 1);
  assert_non_null(strstr(out, "Error: "));
  assert_non_null(strstr(out, "line 3"));
  og_free(out);
  assert_false(og_cli_exists("bad.omni/log")); /* nothing written */
  OG_CLI_EXPECT(1, "missing.pg", "init --schema missing.pg ./m.omni");
  assert_false(og_cli_exists("m.omni"));
}

static void test_verify_detects_corruption(void **state) {
  (void)state;
  og_cli_write("s.pg", schema);
  OG_CLI_EXPECT(0, "initialized", "init --schema s.pg ./c.omni");
  og_cli_write("d.jsonl", "{\"type\": \"Person\", \"data\": {\"name\": \"Ann\"}}\n");
  OG_CLI_EXPECT(0, "", "load --data d.jsonl ./c.omni");
  /* flip a byte of version 1's manifest (not the log's last record, so it
   * cannot pass for a create cut short by a power loss) */
  char root[4096], path[4096];
  uint64_t off = 0, len = 0;
  snprintf(root, sizeof root, "%s/c.omni", og_cli_dir);
  og_test_log_record(root, "log/main@1/00000000000000000001", path, sizeof path, &off, &len);
  assert_true(len > 20);
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  fseek(f, (long)off + 20, SEEK_SET);
  int c = fgetc(f);
  fseek(f, (long)off + 20, SEEK_SET);
  fputc(c ^ 0x20, f);
  fclose(f);
  OG_CLI_EXPECT(1, "corrupt", "verify ./c.omni");
}

/* A mistyped setting in the environment is refused with the variable's
 * name, value and range, before anything is written. */
static void test_bad_env_settings(void **state) {
  (void)state;
  og_cli_write("s.pg", schema);
  setenv("OMNIGRAPH_EMBED_MAX", "64k", 1);
  OG_CLI_EXPECT(1, "environment variable OMNIGRAPH_EMBED_MAX='64k': expected a whole number from 0 to 1048576",
                "init --schema s.pg ./e.omni");
  char path[4096];
  struct stat st;
  snprintf(path, sizeof path, "%s/e.omni", og_cli_dir);
  assert_int_not_equal(stat(path, &st), 0);
  setenv("OMNIGRAPH_EMBED_MAX", "2000000", 1);
  OG_CLI_EXPECT(1, "OMNIGRAPH_EMBED_MAX='2000000'", "init --schema s.pg ./e.omni");
  unsetenv("OMNIGRAPH_EMBED_MAX");
  OG_CLI_EXPECT(0, "initialized", "init --schema s.pg ./e.omni");
  setenv("OMNIGRAPH_MAINTENANCE_CONCURRENCY", "0", 1);
  OG_CLI_EXPECT(1, "OMNIGRAPH_MAINTENANCE_CONCURRENCY='0'", "verify ./e.omni");
  unsetenv("OMNIGRAPH_MAINTENANCE_CONCURRENCY");
  setenv("OMNIGRAPH_RECOVERY_SKEW_MS", "1s", 1);
  OG_CLI_EXPECT(1, "OMNIGRAPH_RECOVERY_SKEW_MS='1s'",
                "query ./e.omni -e 'query q() { match { $p: Person } return { $p.name } }'");
  unsetenv("OMNIGRAPH_RECOVERY_SKEW_MS");
  OG_CLI_EXPECT(0, "", "query ./e.omni -e 'query q() { match { $p: Person } return { $p.name } }'");
}

static void test_schema_plan_and_lint(void **state) {
  (void)state;
  og_cli_write("old.pg", schema);
  og_cli_write("next.pg",
             "node Person {\n  name: String @key\n  age: I32?\n  nickname: String?\n}\n"
             "node Company { name: String @key }\n"
             "edge WorksAt: Person -> Company\n");
  OG_CLI_EXPECT(0, "supported: yes\n- ", "schema plan --schema next.pg --from old.pg");
  OG_CLI_EXPECT(0, "\"step_count\": 1", "schema plan --schema next.pg --from old.pg --json");
  OG_CLI_EXPECT(0, "\"kind\": \"add_property\"", "schema plan --schema next.pg --from old.pg --json");
  OG_CLI_EXPECT(0, "no schema changes", "schema plan --schema old.pg --from old.pg");
  /* surface case C13 */
  og_cli_write("p.pg", "node Policy { slug: String @key  name: String? }\n");
  og_cli_write("bad.gq",
             "query bad_update($slug: String) { update Policy set { priority_level: \"high\" } where slug = $slug }\n");
  OG_CLI_EXPECT(1, "ERROR query `bad_update`:", "lint --query bad.gq --schema p.pg");
  OG_CLI_EXPECT(1, "INFO  Lint complete: 1 queries processed (1 error(s), 0 warning(s), 0 info item(s))",
         "lint --query bad.gq --schema p.pg");
  /* surface case C15: deprecated alias prints a warning, same output */
  og_cli_write("ok.gq", "query get($name: String) { match { $p: Person { name: $name } } return { $p.age } }\n");
  OG_CLI_EXPECT(0, "`omnigraph check` is deprecated", "check --query ok.gq --schema old.pg --json");
  OG_CLI_EXPECT(0, "\"status\": \"ok\"", "lint --query ok.gq --schema old.pg --json");
  OG_CLI_EXPECT(1, "query lint requires --schema <schema.pg> or a resolvable graph target", "lint --query ok.gq");
  OG_CLI_EXPECT(1, "query lint is only supported against local graph URIs in this milestone",
         "query lint --query ok.gq http://127.0.0.1:8080");
}

/* docs/cli.md carries every command's --help verbatim (scripts/gen-cli-doc.sh). */
static void test_docs_cli_match_help(void **state) {
  (void)state;
  char *doc = og_test_read_file(og_test_source_path("docs/cli.md"), NULL);
  assert_non_null(doc);
  char *list = NULL;
  assert_int_equal(og_cli(&list, "--help"), 0);
  int commands = 0;
  char *save = NULL;
  bool in_cmds = false;
  for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (!strcmp(line, "Commands:")) {
      in_cmds = true;
      continue;
    }
    if (!in_cmds || strncmp(line, "  ", 2) != 0) continue;
    char w1[64] = {0}, w2[64] = {0};
    /* "  branch create      Create a branch": one or two lowercase words */
    if (sscanf(line, " %63[a-z] %63[a-z]", w1, w2) < 1) continue;
    bool two = w2[0] && strstr(line, w2) - line < 22; /* the second word is part of the name column */
    char cmd[160], heading[200];
    snprintf(cmd, sizeof cmd, two ? "%s %s" : "%s", w1, w2);
    snprintf(heading, sizeof heading, "## omnigraph %s\n", cmd);
    if (!strstr(doc, heading)) fail_msg("docs/cli.md has no section '%s' (run scripts/gen-cli-doc.sh)", heading);
    char *help = NULL;
    og_cli(&help, "%s --help", cmd);
    if (!strstr(doc, help))
      fail_msg("docs/cli.md: the section of `%s` differs from its --help (run scripts/gen-cli-doc.sh):\n%s", cmd, help);
    og_free(help);
    commands++;
  }
  assert_true(commands >= 10);
  og_free(list);
  og_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_version_and_usage, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_init_and_inspect, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_bad_schema_writes_nothing, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_verify_detects_corruption, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_bad_env_settings, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_schema_plan_and_lint, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_docs_cli_match_help, og_cli_setup, og_cli_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
