/* End-to-end tests of `omnigraph load` and `omnigraph mutate` / `change`
 * (spec surface.md §2.3, surface-cases.md A2, A4, C7). */
#include "og_cli_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *schema =
    "node Person { name: String @key\n age: I32? }\n"
    "node Company { name: String @key }\n"
    "edge Knows: Person -> Person { since: Date? }\n"
    "edge WorksAt: Person -> Company\n";

static const char *data =
    "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Charlie\",\"age\":35}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Diana\",\"age\":28}}\n"
    "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n"
    "{\"type\":\"Company\",\"data\":{\"name\":\"Globex\"}}\n"
    "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Bob\"}\n"
    "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Charlie\"}\n"
    "{\"edge\":\"Knows\",\"from\":\"Bob\",\"to\":\"Diana\"}\n"
    "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"}\n"
    "{\"edge\":\"WorksAt\",\"from\":\"Bob\",\"to\":\"Globex\"}\n";

static const char *mutations =
    "query insert_person($name: String, $age: I32) { insert Person { name: $name, age: $age } }\n"
    "query set_age($name: String, $age: I32) { update Person set { age: $age } where name = $name }\n";

static void init_graph(void) {
  og_cli_write("schema.pg", schema);
  og_cli_write("data.jsonl", data);
  og_cli_write("mutations.gq", mutations);
  OG_CLI_EXPECT(0, "initialized ./graph.omni", "init --schema schema.pg ./graph.omni");
}

/* A2 */
static void test_load(void **state) {
  (void)state;
  init_graph();
  OG_CLI_EXPECT(0, "loaded ./graph.omni on branch main with overwrite: 6 nodes across 2 node types, 5 edges across 2 edge types\n",
         "load --data ./data.jsonl ./graph.omni");
  OG_CLI_EXPECT(0,
         "{\n  \"uri\": \"./graph.omni\",\n  \"branch\": \"main\",\n  \"mode\": \"overwrite\",\n  \"nodes_loaded\": 6,\n"
         "  \"edges_loaded\": 5,\n  \"node_types_loaded\": 2,\n  \"edge_types_loaded\": 2\n}\n",
         "load --data ./data.jsonl ./graph.omni --json");
  OG_CLI_EXPECT(0, "with overwrite: 6 nodes", "load --data data.jsonl --mode overwrite --store ./graph.omni");
  OG_CLI_EXPECT(0, "node:Person v4 branch=main rows=4", "snapshot ./graph.omni");
  og_cli_write("more.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Eve\",\"age\":22}}\n");
  OG_CLI_EXPECT(0, "loaded ./graph.omni on branch main with append: 1 nodes across 1 node types, 0 edges across 0 edge types",
         "load --data more.jsonl --mode append --uri ./graph.omni --as loader-bot");
  OG_CLI_EXPECT(0, "actor=loader-bot", "commit list ./graph.omni");
  OG_CLI_EXPECT(0, "with merge: 1 nodes", "load --data more.jsonl --mode merge ./graph.omni");
  OG_CLI_EXPECT(0, "node:Person v6 branch=main rows=5", "snapshot ./graph.omni");
  /* branches */
  OG_CLI_EXPECT(0, "created branch dev", "branch create --uri ./graph.omni dev");
  og_cli_write("dev.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Dev\"}}\n");
  OG_CLI_EXPECT(0, "on branch dev with append", "load --data dev.jsonl --mode append --branch dev ./graph.omni");
  OG_CLI_EXPECT(0, "node:Person v6 branch=main rows=5", "snapshot ./graph.omni");
  OG_CLI_EXPECT(0, "rows=6", "snapshot ./graph.omni --branch dev");
}

static void test_ingest(void **state) {
  (void)state;
  init_graph();
  OG_CLI_EXPECT(0, "loaded", "load --data data.jsonl ./graph.omni");
  og_cli_write("in.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":31}}\n"
                         "{\"type\":\"Person\",\"data\":{\"name\":\"Ivy\"}}\n"
                         "{\"edge\":\"Knows\",\"from\":\"Ivy\",\"to\":\"Alice\"}\n");
  OG_CLI_EXPECT(0, "ingested ./graph.omni into branch feature from main with merge (branch created)\n"
            "edge:Knows rows_loaded=1\nnode:Person rows_loaded=2\nactor_id: act-ragnor\n",
         "ingest --data in.jsonl --branch feature --as act-ragnor ./graph.omni");
  OG_CLI_EXPECT(0, "\"branch_created\": false", "ingest --data in.jsonl --branch feature --from other --json ./graph.omni");
  OG_CLI_EXPECT(0, "\"base_branch\": \"other\"", "ingest --data in.jsonl --branch feature --from other --json ./graph.omni");
  OG_CLI_EXPECT(0, "node:Person v2 branch=main rows=4", "snapshot ./graph.omni --branch main");
  OG_CLI_EXPECT(0, "rows=5", "snapshot ./graph.omni --branch feature");
}

/* export → load (overwrite, then merge) reproduces the graph, ids included */
static void test_round_trip(void **state) {
  (void)state;
  init_graph();
  OG_CLI_EXPECT(0, "loaded", "load --data data.jsonl ./graph.omni");
  char *a = NULL, *b = NULL, *c = NULL;
  assert_int_equal(og_cli(&a, "export ./graph.omni | LC_ALL=C sort > x.jsonl && cat x.jsonl"), 0);
  OG_CLI_EXPECT(0, "initialized", "init --schema schema.pg ./g2.omni");
  OG_CLI_EXPECT(0, "6 nodes across 2 node types, 5 edges across 2 edge types", "load --data x.jsonl ./g2.omni");
  assert_int_equal(og_cli(&b, "export ./g2.omni | LC_ALL=C sort"), 0);
  assert_string_equal(a, b);
  OG_CLI_EXPECT(0, "with merge", "load --data x.jsonl --mode merge ./g2.omni");
  assert_int_equal(og_cli(&c, "export ./g2.omni | LC_ALL=C sort"), 0);
  assert_string_equal(a, c);
  og_free(a);
  og_free(b);
  og_free(c);
}

/* C7 and other failures */
static void test_load_errors(void **state) {
  (void)state;
  init_graph();
  OG_CLI_EXPECT(1, "No such file", "load --data missing.jsonl ./graph.omni");
  OG_CLI_EXPECT(2, "--data", "load ./graph.omni");
  OG_CLI_EXPECT(2, "possible values: overwrite, append, merge", "load --data data.jsonl --mode upsert ./graph.omni");
  OG_CLI_EXPECT(1, "no graph at", "load --data data.jsonl ./nowhere.omni");
  og_cli_write("bad.jsonl", "{\"type\": \"Person\",\n \"data\": {\"name\": \"Ann\"}}\n{\"type\": \"Nope\", \"data\": {}}\n");
  OG_CLI_EXPECT(1, "Error: record 2: unknown node type 'Nope' (line 3", "load --data bad.jsonl ./graph.omni");
  og_cli_write("dangling.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Mallory\"}}\n{\"edge\":\"Knows\",\"from\":\"Mallory\",\"to\":\"Ghost\"}\n");
  OG_CLI_EXPECT(1, "edge Knows row 1: dst 'Ghost' not found in Person", "load --data dangling.jsonl ./graph.omni");
  OG_CLI_EXPECT(0, "manifest_version: 1\n", "snapshot ./graph.omni"); /* nothing was written */
  OG_CLI_EXPECT(1, "only supported against local graph URIs", "load --data data.jsonl http://localhost:1/g");
}

/* A4 and the mutate command */
static void test_mutate(void **state) {
  (void)state;
  init_graph();
  OG_CLI_EXPECT(0, "loaded", "load --data data.jsonl ./graph.omni");
  og_cli_write("more.jsonl", "{\"type\":\"Person\",\"data\":{\"name\":\"Late\"}}\n");
  char *out = NULL;
  int rc = og_cli(&out, "change --query ./mutations.gq --name insert_person --params '{\"name\":\"Mina\",\"age\":28}' ./graph.omni --json");
  if (rc != 0) fail_msg("change failed: %s", out);
  assert_non_null(strstr(out, "`omnigraph change` is deprecated; use `omnigraph mutate` instead"));
  assert_non_null(strstr(out, "{\n  \"branch\": \"main\",\n  \"query_name\": \"insert_person\",\n  \"affected_nodes\": 1,\n"
                              "  \"affected_edges\": 0,\n  \"actor_id\": null\n}\n"));
  og_free(out);
  OG_CLI_EXPECT(0, "changed main via set_age: 1 nodes, 0 edges\nactor_id: act-andrew\n",
         "mutate --query mutations.gq --name set_age --params '{\"name\":\"Mina\",\"age\":29}' --as act-andrew ./graph.omni");
  OG_CLI_EXPECT(0, "actor=act-andrew", "commit list ./graph.omni");
  OG_CLI_EXPECT(0, "\"actor_id\": \"act-andrew\"",
         "mutate --query mutations.gq --name set_age --params '{\"name\":\"Mina\",\"age\":30}' --as act-andrew --json ./graph.omni");
  OG_CLI_EXPECT(0, "changed main via q: 1 nodes, 3 edges", "mutate -e 'query q() { delete Person where name = \"Alice\" }' ./graph.omni");
  og_cli_write("p.json", "{\"name\":\"Zoe\",\"age\":5}");
  OG_CLI_EXPECT(0, "changed main via insert_person: 1 nodes", "mutate --query mutations.gq --name insert_person --params-file p.json --uri ./graph.omni");
  og_cli_write("one.gq", "query only($n: String) { insert Company { name: $n } }\n");
  OG_CLI_EXPECT(0, "changed main via only: 1 nodes, 0 edges", "mutate --query one.gq --params '{\"n\":\"Initech\"}' ./graph.omni");
  OG_CLI_EXPECT(0, "node:Company v3 branch=main rows=3", "snapshot ./graph.omni");
  /* the graph from omnigraph.yaml (written by init), query files under query.roots, global --as */
  OG_CLI_EXPECT(0, "changed main via only: 1 nodes", "mutate --query one.gq --params '{\"n\":\"Umbrella\"}'");
  OG_CLI_EXPECT(0, "changed main via only: 1 nodes", "--as bot mutate --target local --query one.gq --params '{\"n\":\"Hooli\"}'");
  OG_CLI_EXPECT(0, "actor=bot", "commit list ./graph.omni");
  char qdir[4096];
  snprintf(qdir, sizeof qdir, "%s/queries", og_cli_dir);
  mkdir(qdir, 0755);
  og_cli_write("queries/deep.gq", "query deep() { insert Company { name: \"Deep\" } }\n");
  OG_CLI_EXPECT(0, "changed main via deep: 1 nodes", "mutate --query deep.gq");
  /* an absolute query.roots entry (query_src.c, shared with query) */
  snprintf(qdir, sizeof qdir, "%s/absq", og_cli_dir);
  mkdir(qdir, 0755);
  og_cli_write("absq/abs.gq", "query abs() { insert Company { name: \"Abs\" } }\n");
  char yaml[8192];
  snprintf(yaml, sizeof yaml, "graphs:\n  local:\n    uri: ./graph.omni\ncli:\n  graph: local\nquery:\n  roots: ['%s']\n", qdir);
  og_cli_write("abs.yaml", yaml);
  OG_CLI_EXPECT(0, "changed main via abs: 1 nodes", "mutate --config abs.yaml --query abs.gq");
  OG_CLI_EXPECT(1, "query file 'abs.gq' not found", "mutate --query abs.gq");
  OG_CLI_EXPECT(0, "with append: 1 nodes", "load --data more.jsonl --mode append");
}

static void test_mutate_errors(void **state) {
  (void)state;
  init_graph();
  OG_CLI_EXPECT(2, "cannot be used with", "mutate --query mutations.gq -e 'query q() {}' ./graph.omni");
  OG_CLI_EXPECT(2, "cannot be used with", "mutate --query mutations.gq --params '{}' --params-file p.json ./graph.omni");
  OG_CLI_EXPECT(1, "exactly one of --query, --query-string, or --alias must be provided", "mutate ./graph.omni");
  OG_CLI_EXPECT(1, "--query-string must not be empty", "mutate -e '  ' ./graph.omni");
  OG_CLI_EXPECT(1, "query file 'nope.gq' not found", "mutate --query nope.gq ./graph.omni");
  OG_CLI_EXPECT(1, "query file contains multiple queries; pass --name", "mutate --query mutations.gq ./graph.omni");
  OG_CLI_EXPECT(1, "query 'nope' not found", "mutate --query mutations.gq --name nope ./graph.omni");
  OG_CLI_EXPECT(1, "params JSON must be an object", "mutate --query mutations.gq --name set_age --params '[1]' ./graph.omni");
  OG_CLI_EXPECT(1, "param 'name': expected string, got number",
         "mutate --query mutations.gq --name set_age --params '{\"name\":5,\"age\":1}' ./graph.omni");
  OG_CLI_EXPECT(1, "Error: parse error", "mutate -e 'query q( {' ./graph.omni");
  OG_CLI_EXPECT(1, "T11", "mutate -e 'query q() { insert Person { name: \"x\", salary: 1 } }' ./graph.omni");
  OG_CLI_EXPECT(1, "dst 'Ghost' not found in Person",
         "mutate -e 'query q() { insert Person { name: \"x\" }  insert Knows { from: \"x\", to: \"Ghost\" } }' ./graph.omni");
  OG_CLI_EXPECT(0, "manifest_version: 1\n", "snapshot ./graph.omni");
  OG_CLI_EXPECT(1, "branch 'nope' not found", "mutate --query mutations.gq --name set_age --params '{\"name\":\"a\",\"age\":1}' --branch nope ./graph.omni");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_load, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_load_errors, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_ingest, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_round_trip, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_mutate, og_cli_setup, og_cli_teardown),
      cmocka_unit_test_setup_teardown(test_mutate_errors, og_cli_setup, og_cli_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
