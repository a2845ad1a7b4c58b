/* End-to-end tests of the omnigraph CLI: the real binary in a temp directory. */
#include "og_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *tmp;

static int setup(void **state) {
  (void)state;
  tmp = og_test_tmpdir("cli");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  og_test_rmtree(tmp);
  og_free(tmp);
  return 0;
}

/* Run `omnigraph <args>` inside the temp dir; returns the exit code. */
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

static bool exists(const char *rel) {
  char path[4096];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", tmp, rel);
  return stat(path, &st) == 0;
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

static const char *schema =
    "node Person {\n  name: String @key\n  age: I32?\n}\n"
    "node Company { name: String @key }\n"
    "edge WorksAt: Person -> Company\n";

static void test_version_and_usage(void **state) {
  (void)state;
  EXPECT(0, "omnigraph 0.6.2\n", "version");
  EXPECT(0, "omnigraph 0.6.2\n", "--version");
  EXPECT(0, "omnigraph 0.6.2\n", "-v");
  EXPECT(2, "unrecognized subcommand 'frobnicate'", "frobnicate");
  EXPECT(2, "unexpected argument '--bogus'", "version --bogus");
  EXPECT(2, "--schema", "init ./g");
  EXPECT(0, "Usage: omnigraph init", "init --help");
  EXPECT(0, "branch create", "--help");
}

static void test_init_and_inspect(void **state) {
  (void)state;
  write_file("s.pg", schema);
  EXPECT(0, "initialized ./g.omni", "init --schema s.pg ./g.omni");
  assert_true(exists("omnigraph.yaml")); /* the starter config beside the graph */
  EXPECT(1, "graph already initialized at './g.omni'", "init --schema s.pg ./g.omni");
  EXPECT(0, "manifest_version: 1\nedge:WorksAt v1 branch=main rows=0\nnode:Company v1", "snapshot ./g.omni");
  EXPECT(0, "\"manifest_version\": 1", "snapshot --store ./g.omni --json");
  EXPECT(0, "node Person {", "schema show ./g.omni");
  EXPECT(0, "\"schema_source\"", "schema get ./g.omni --json");

  EXPECT(0, "created branch feature-x from main", "branch create --from main feature-x ./g.omni");
  EXPECT(0, "created branch dev from main", "branch create --uri ./g.omni dev");
  EXPECT(1, "feature-x", "branch create feature-x ./g.omni"); /* exists */
  EXPECT(1, "", "branch create 'bad..name' ./g.omni");
  EXPECT(0, "dev\nfeature-x\nmain\n", "branch list ./g.omni");
  EXPECT(0, "{\n  \"branches\": [\n    \"dev\",", "branch list --uri ./g.omni --json");
  EXPECT(1, "cannot delete branch 'main'", "branch delete main ./g.omni");
  EXPECT(1, "branch 'nope' not found", "branch delete nope ./g.omni");
  EXPECT(0, "deleted branch dev", "branch delete dev ./g.omni");
  EXPECT(0, "feature-x\nmain\n", "branch list ./g.omni");

  EXPECT(0, " branch=main version=1\n", "commit list ./g.omni");
  EXPECT(0, "branch=feature-x version=1", "commit list --branch feature-x ./g.omni");
  char *out = NULL;
  assert_int_equal(og(&out, "commit list ./g.omni --json"), 0);
  char *id = strstr(out, "\"graph_commit_id\": \"");
  assert_non_null(id);
  char cid[27] = {0};
  memcpy(cid, id + 20, 26);
  og_free(out);
  EXPECT(0, "manifest_branch: main\nmanifest_version: 1\n", "commit show %s ./g.omni", cid);
  EXPECT(1, "commit '01M8R6HN1FAGRBG6QWYV536TTX' not found", "commit show 01M8R6HN1FAGRBG6QWYV536TTX ./g.omni");
  EXPECT(0, "ok: ", "verify ./g.omni");
  /* lint against the graph's accepted schema (positional URI, or cli.graph) */
  write_file("q.gq", "query get($name: String) { match { $p: Person { name: $name } } return { $p.age } }\n"
                     "query bad() { match { $p: Persn } return { $p.name } }\n");
  EXPECT(1, "OK    query `get` (read)", "lint --query q.gq ./g.omni");
  EXPECT(1, "ERROR query `bad`:", "lint --query q.gq");
  EXPECT(1, "\"kind\": \"graph\"", "lint --query q.gq --json ./g.omni");
  EXPECT(0, "\"ok\": true", "verify ./g.omni --json");
  EXPECT(1, "no graph at './nothing'", "snapshot ./nothing");
  /* init wrote omnigraph.yaml (cli.graph: local): commands find the graph without a URI */
  EXPECT(0, "manifest_version: 1", "snapshot");
  EXPECT(0, "manifest_version: 1", "snapshot --target local");
  EXPECT(1, "graph 'nope' not found in omnigraph.yaml", "snapshot --target nope");
  write_file("other.yaml", "graphs:\n  g2:\n    uri: g.omni\n");
  EXPECT(0, "manifest_version: 1", "snapshot --config other.yaml --target g2");
  write_file("broken.yaml", "graphs: [\n");
  EXPECT(1, "invalid config", "snapshot --config broken.yaml");
  char yaml[4096];
  snprintf(yaml, sizeof yaml, "%s/omnigraph.yaml", tmp);
  remove(yaml);
  EXPECT(1, "URI must be provided via <URI>, --target, or config", "snapshot");
}

static void test_bad_schema_writes_nothing(void **state) {
  (void)state;
  write_file("bad.pg", "node Person {\n  name: String @key\n  age: Int32\n}\n");
  char *out = NULL;
  assert_int_equal(og(&out, "init --schema bad.pg ./bad.omni"), 1);
  assert_non_null(strstr(out, "Error: "));
  assert_non_null(strstr(out, "line 3"));
  og_free(out);
  assert_false(exists("bad.omni/log")); /* nothing written */
  EXPECT(1, "missing.pg", "init --schema missing.pg ./m.omni");
  assert_false(exists("m.omni"));
}

static void test_verify_detects_corruption(void **state) {
  (void)state;
  write_file("s.pg", schema);
  EXPECT(0, "initialized", "init --schema s.pg ./c.omni");
  char path[4096];
  snprintf(path, sizeof path, "%s/c.omni/log/main@1/00000000000000000001", tmp);
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  fseek(f, 20, SEEK_SET);
  int c = fgetc(f);
  fseek(f, 20, SEEK_SET);
  fputc(c ^ 0x20, f);
  fclose(f);
  EXPECT(1, "corrupt", "verify ./c.omni");
}

static void test_schema_plan_and_lint(void **state) {
  (void)state;
  write_file("old.pg", schema);
  write_file("next.pg",
             "node Person {\n  name: String @key\n  age: I32?\n  nickname: String?\n}\n"
             "node Company { name: String @key }\n"
             "edge WorksAt: Person -> Company\n");
  EXPECT(0, "supported: yes\n- ", "schema plan --schema next.pg --from old.pg");
  EXPECT(0, "\"step_count\": 1", "schema plan --schema next.pg --from old.pg --json");
  EXPECT(0, "\"kind\": \"add_property\"", "schema plan --schema next.pg --from old.pg --json");
  EXPECT(0, "no schema changes", "schema plan --schema old.pg --from old.pg");
  /* surface case C13 */
  write_file("p.pg", "node Policy { slug: String @key  name: String? }\n");
  write_file("bad.gq",
             "query bad_update($slug: String) { update Policy set { priority_level: \"high\" } where slug = $slug }\n");
  EXPECT(1, "ERROR query `bad_update`:", "lint --query bad.gq --schema p.pg");
  EXPECT(1, "INFO  Lint complete: 1 queries processed (1 error(s), 0 warning(s), 0 info item(s))",
         "lint --query bad.gq --schema p.pg");
  /* surface case C15: deprecated alias prints a warning, same output */
  write_file("ok.gq", "query get($name: String) { match { $p: Person { name: $name } } return { $p.age } }\n");
  EXPECT(0, "`omnigraph check` is deprecated", "check --query ok.gq --schema old.pg --json");
  EXPECT(0, "\"status\": \"ok\"", "lint --query ok.gq --schema old.pg --json");
  EXPECT(1, "query lint requires --schema <schema.pg> or a resolvable graph target", "lint --query ok.gq");
  EXPECT(1, "query lint is only supported against local graph URIs in this milestone",
         "query lint --query ok.gq http://127.0.0.1:8080");
}

/* docs/cli.md carries every command's --help verbatim (scripts/gen-cli-doc.sh). */
static void test_docs_cli_match_help(void **state) {
  (void)state;
  char *doc = og_test_read_file(og_test_source_path("docs/cli.md"), NULL);
  assert_non_null(doc);
  char *list = NULL;
  assert_int_equal(og(&list, "--help"), 0);
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
    og(&help, "%s --help", cmd);
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
      cmocka_unit_test_setup_teardown(test_version_and_usage, setup, teardown),
      cmocka_unit_test_setup_teardown(test_init_and_inspect, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_schema_writes_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_verify_detects_corruption, setup, teardown),
      cmocka_unit_test_setup_teardown(test_schema_plan_and_lint, setup, teardown),
      cmocka_unit_test_setup_teardown(test_docs_cli_match_help, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
