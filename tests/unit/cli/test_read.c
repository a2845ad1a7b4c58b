/* End-to-end tests of `omnigraph query` / `read` / `export` (spec surface
 * §2.1, §2.3, §2.4; surface-cases B, C; data-cases E) and the read API. */
#include "og_cli_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "omnigraph.h"
#include "exec/read.h" /* og_topo_persist_min */

#define EXACT(want, ...)                                                                   \
  do {                                                                                     \
    char *o_ = NULL;                                                                       \
    int rc_ = og_cli_stdout(&o_, __VA_ARGS__);                                                 \
    if (rc_ != 0 || strcmp(o_, (want)))                                                    \
      fail_msg("omnigraph " #__VA_ARGS__ ": exit %d, output:\n[%s]\nwanted:\n[%s]", rc_, o_, (want)); \
    og_free(o_);                                                                           \
  } while (0)

static const char *SCHEMA =
    "node Person {\n    name: String @key\n    age: I32?\n}\n"
    "node Company {\n    name: String @key\n}\n"
    "edge Knows: Person -> Person {\n    since: Date?\n}\n"
    "edge WorksAt: Person -> Company\n";

static const char *DATA =
    "{\"type\": \"Person\", \"data\": {\"name\": \"Alice\", \"age\": 30}}\n"
    "{\"type\": \"Person\", \"data\": {\"name\": \"Bob\", \"age\": 25}}\n"
    "{\"type\": \"Person\", \"data\": {\"name\": \"Charlie\", \"age\": 35}}\n"
    "{\"type\": \"Person\", \"data\": {\"name\": \"Diana\", \"age\": 28}}\n"
    "{\"type\": \"Company\", \"data\": {\"name\": \"Acme\"}}\n"
    "{\"type\": \"Company\", \"data\": {\"name\": \"Globex\"}}\n"
    "{\"edge\": \"Knows\", \"from\": \"Alice\", \"to\": \"Bob\", \"data\": {\"since\": \"2024-06-15\"}}\n"
    "{\"edge\": \"Knows\", \"from\": \"Alice\", \"to\": \"Charlie\"}\n"
    "{\"edge\": \"Knows\", \"from\": \"Bob\", \"to\": \"Diana\"}\n"
    "{\"edge\": \"WorksAt\", \"from\": \"Alice\", \"to\": \"Acme\"}\n"
    "{\"edge\": \"WorksAt\", \"from\": \"Bob\", \"to\": \"Globex\"}\n";

static const char *QUERIES =
    "query get_person($name: String) { match { $p: Person { name: $name } } return { $p.name, $p.age } }\n"
    "query ordered_person($name: String) { match { $p: Person { name: $name } } return { $p.age, $p.name } }\n"
    "query friends_of($name: String) { match { $p: Person { name: $name }  $p knows $f } return { $f.name, $f.age } order { $f.name } }\n"
    "query all_people() { match { $p: Person } return { $p.name } order { $p.name } }\n";

static int setup(void **state) {
  (void)state;
  og_cli_dir = og_test_tmpdir("cli-read");
  og_cli_write("test.pg", SCHEMA);
  og_cli_write("test.jsonl", DATA);
  og_cli_write("queries.gq", QUERIES);
  char *out = NULL;
  int rc = og_cli(&out, "init --schema test.pg ./g.omni");
  if (rc == 0) {
    og_free(out);
    rc = og_cli(&out, "load --data test.jsonl ./g.omni");
  }
  if (rc) fprintf(stderr, "setup failed: %s\n", out);
  og_free(out);
  return rc;
}

static int teardown(void **state) {
  (void)state;
  og_test_rmtree(og_cli_dir);
  og_free(og_cli_dir);
  return 0;
}

#define GP "--query queries.gq --name get_person --params '{\"name\":\"Alice\"}'"

static void test_formats(void **state) {
  (void)state;
  /* B1 kv */
  EXACT("1 rows from branch main via get_person\nrow 1\np.name: Alice\np.age: 30\n", "query ./g.omni " GP " --format kv");
  /* B2 csv */
  EXACT("p.name,p.age\nAlice,30\n", "query ./g.omni " GP " --format csv");
  /* table (surface §2.4 example, trailing spaces kept) */
  EXACT("1 rows from branch main via get_person\np.name | p.age\n-------+------\nAlice  | 30   \n",
        "query ./g.omni " GP);
  EXACT("1 rows from branch main via get_person\np.name | p.age\n-------+------\nAlice  | 30   \n",
        "query ./g.omni " GP " --format table");
  /* B4 --json = --format json */
  const char *json =
      "{\n  \"query_name\": \"get_person\",\n  \"target\": {\n    \"branch\": \"main\",\n    \"snapshot\": null\n  },\n"
      "  \"row_count\": 1,\n  \"columns\": [\n    \"p.name\",\n    \"p.age\"\n  ],\n  \"rows\": [\n    {\n"
      "      \"p.name\": \"Alice\",\n      \"p.age\": 30\n    }\n  ]\n}\n";
  EXACT(json, "query ./g.omni " GP " --json");
  EXACT(json, "query ./g.omni " GP " --format json");
  OG_CLI_EXPECT(2, "cannot be used with", "query ./g.omni " GP " --json --format csv");
  OG_CLI_EXPECT(2, "invalid value 'xml'", "query ./g.omni " GP " --format xml");
  /* jsonl */
  EXACT("{\"kind\":\"metadata\",\"query_name\":\"get_person\",\"target\":{\"branch\":\"main\",\"snapshot\":null},\"row_count\":1}\n"
        "{\"p.name\":\"Alice\",\"p.age\":30}\n",
        "query ./g.omni " GP " --format jsonl");
  /* B5 projection order kept */
  EXACT("p.age,p.name\n30,Alice\n",
        "query ./g.omni --query queries.gq --name ordered_person --params '{\"name\":\"Alice\"}' --format csv");
  /* B7 empty result */
  EXACT("0 rows from branch main via get_person\n(no rows)\n",
        "query ./g.omni --query queries.gq --name get_person --params '{\"name\":\"Nobody\"}' --format kv");
  EXACT("0 rows from branch main via get_person\np.name | p.age\n-------+------\n",
        "query ./g.omni --query queries.gq --name get_person --params '{\"name\":\"Nobody\"}'");
  EXACT("p.name,p.age\n", "query ./g.omni --query queries.gq --name get_person --params '{\"name\":\"Nobody\"}' --format csv");
  EXACT("{\n  \"query_name\": \"get_person\",\n  \"target\": {\n    \"branch\": \"main\",\n    \"snapshot\": null\n  },\n"
        "  \"row_count\": 0,\n  \"columns\": [\n    \"p.name\",\n    \"p.age\"\n  ],\n  \"rows\": []\n}\n",
        "query ./g.omni --query queries.gq --name get_person --params '{\"name\":\"Nobody\"}' --json");
  /* kv with several rows: blank line between rows */
  EXACT("2 rows from branch main via friends_of\nrow 1\nf.name: Bob\nf.age: 25\n\nrow 2\nf.name: Charlie\nf.age: 35\n",
        "query ./g.omni --query queries.gq --name friends_of --params '{\"name\":\"Alice\"}' --format kv");
}

static void test_cells(void **state) {
  (void)state;
  /* csv quoting; table escapes newlines, truncates at the width cap, wraps */
  EXACT("a,b,c,d\n\"x,y\",\"say \"\"hi\"\"\",\"l1\nl2\",null\n",
        "query ./g.omni -e 'query q() { match { $p: Person { name: \"Alice\" } } return { \"x,y\" as a, \"say \\\"hi\\\"\" as b, \"l1\\nl2\" as c, $p.age as d } }' --format csv "
        "| sed 's/30$/null/'");
  EXACT("1 rows from branch main via q\nc     \n------\nl1\\nl2\n",
        "query ./g.omni -e 'query q() { match { $p: Person { name: \"Alice\" } } return { \"l1\\nl2\" as c } }'");
  char q[600], want[600];
  snprintf(q, sizeof q, "query ./g.omni -e 'query q() { match { $p: Person { name: \"Alice\" } } return { \"%s\" as c } }' "
                        "--max-column-width 10",
           "abcdefghijklmnopqrstuvwxyz");
  snprintf(want, sizeof want, "1 rows from branch main via q\nc         \n----------\nabcdefghi\xE2\x80\xA6\n");
  EXACT(want, "%s", q);
  snprintf(want, sizeof want, "1 rows from branch main via q\nc         \n----------\nabcdefghij\nklmnopqrst\nuvwxyz    \n");
  EXACT(want, "%s --wrap", q);
  /* a column name wider than the cap is cut too */
  EXACT("1 rows from branch main via q\nabcdefgh\xE2\x80\xA6\n---------\nx        \n",
        "query ./g.omni -e 'query q() { match { $p: Person { name: \"Alice\" } } return { \"x\" as abcdefghijklmn } }' "
        "--max-column-width 9");
  /* a 100-character cell is cut at the default 80 */
  char longv[101];
  memset(longv, 'x', 100);
  longv[100] = '\0';
  char *out = NULL;
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "query ./g.omni -e 'query q() { match { $p: Person { name: \"Alice\" } } return { \"%s\" as c } }'", longv);
  assert_int_equal(og_cli_stdout(&out, "%s", cmd), 0);
  char cut[100];
  memset(cut, 'x', 79);
  memcpy(cut + 79, "\xE2\x80\xA6\n", 5);
  assert_non_null(strstr(out, cut));
  og_free(out);
  /* a list and a date cell in csv are compact JSON / raw text */
  EXACT("l,d\n\"[1,2]\",2024-06-15\n",
        "query ./g.omni -e 'query q() { match { $a: Person { name: \"Alice\" }  $a knows $b  $b: Person { name: \"Bob\" } } "
        "return { [1,2] as l, date(\"2024-06-15\") as d } }' --format csv");
}

static void test_selection_and_errors(void **state) {
  (void)state;
  /* C1 (and the read alias warning) */
  OG_CLI_EXPECT(1, "query file contains multiple queries; pass --name", "read ./g.omni --query queries.gq");
  OG_CLI_EXPECT(1, "`omnigraph read` is deprecated; use `omnigraph query` instead", "read ./g.omni --query queries.gq");
  /* C3, C4 */
  OG_CLI_EXPECT(1, "--query-string must not be empty", "read ./g.omni -e ''");
  OG_CLI_EXPECT(1, "--query-string must not be empty", "query ./g.omni -e '   '");
  OG_CLI_EXPECT(1, "exactly one of --query, --query-string, or --alias must be provided", "query ./g.omni");
  OG_CLI_EXPECT(2, "cannot be used with", "query ./g.omni --query queries.gq -e 'query q() { match { $p: Person } return { $p } }'");
  OG_CLI_EXPECT(1, "query 'nope' not found", "query ./g.omni --query queries.gq --name nope");
  OG_CLI_EXPECT(1, "query file 'missing.gq' not found", "query ./g.omni --query missing.gq");
  OG_CLI_EXPECT(1, "params JSON must be an object", "query ./g.omni " "--query queries.gq --name get_person --params '[1]'");
  OG_CLI_EXPECT(1, "parameter 'name' not provided", "query ./g.omni --query queries.gq --name get_person");
  OG_CLI_EXPECT(1, "param 'name': expected string, got number", "query ./g.omni --query queries.gq --name get_person --params '{\"name\":5}'");
  OG_CLI_EXPECT(2, "cannot be used with", "query ./g.omni " GP " --branch main --snapshot x");
  OG_CLI_EXPECT(2, "cannot be used with", "query ./g.omni " GP " --params-file p.json");
  OG_CLI_EXPECT(1, "parse error", "query ./g.omni -e 'query q( { }'");
  OG_CLI_EXPECT(1, "branch", "query ./g.omni " GP " --branch nope");
  OG_CLI_EXPECT(1, "not supported", "query ./g.omni -e 'query q($q: String) { match { $p: Person  search($p.name, $q) } return { $p.name } }' --params '{\"q\":\"a\"}'");
  /* --params-file, --uri / --store */
  og_cli_write("p.json", "{\"name\":\"Bob\"}");
  OG_CLI_EXPECT(0, "Bob", "query --uri ./g.omni --query queries.gq --name get_person --params-file p.json --format csv");
  OG_CLI_EXPECT(0, "Bob,25", "query --store ./g.omni --query queries.gq --name get_person --params-file p.json --format csv");
  /* single query in -e needs no name */
  OG_CLI_EXPECT(0, "4 rows from branch main via q", "query ./g.omni -e 'query q() { match { $p: Person } return { $p.name } }' --format kv");
}

static void test_snapshot_and_branch(void **state) {
  (void)state;
  char *out = NULL;
  /* the load commit id */
  assert_int_equal(og_cli_stdout(&out, "commit list ./g.omni --json"), 0);
  const char *last = NULL, *p = out;
  while ((p = strstr(p, "\"graph_commit_id\"")) != NULL) last = p++;
  assert_non_null(last);
  const char *q1 = strchr(last + 17, '"');
  char id[64] = {0};
  memcpy(id, q1 + 1, 26);
  og_free(out);
  OG_CLI_EXPECT(0, "changed main via add", "mutate ./g.omni -e 'query add() { insert Person { name: \"Eve\", age: 22 } }'");
  /* B-07: the pinned snapshot does not see Eve; the branch does */
  EXACT("p.name\nAlice\nBob\nCharlie\nDiana\n", "query ./g.omni --query queries.gq --name all_people --snapshot %s --format csv", id);
  EXACT("p.name\nAlice\nBob\nCharlie\nDiana\nEve\n", "query ./g.omni --query queries.gq --name all_people --format csv");
  OG_CLI_EXPECT(0, "4 rows from snapshot ", "query ./g.omni --query queries.gq --name all_people --snapshot %s --format kv", id);
  OG_CLI_EXPECT(0, "\"snapshot\":\"", "query ./g.omni --query queries.gq --name all_people --snapshot %s --format jsonl", id);
  OG_CLI_EXPECT(0, "\"branch\":null", "query ./g.omni --query queries.gq --name all_people --snapshot %s --format jsonl", id);
  OG_CLI_EXPECT(0, "4 rows from snapshot manifest:main:v2", "query ./g.omni --query queries.gq --name all_people --snapshot manifest:main:v2 --format kv");
  OG_CLI_EXPECT(1, "not found", "query ./g.omni --query queries.gq --name all_people --snapshot 01HXXXXXXXXXXXXXXXXXXXXXXX");
  /* branches */
  OG_CLI_EXPECT(0, "created branch feature", "branch create --uri ./g.omni feature");
  OG_CLI_EXPECT(0, "changed feature", "mutate ./g.omni --branch feature -e 'query add() { insert Person { name: \"Frank\" } }'");
  EXACT("p.name\nAlice\nBob\nCharlie\nDiana\nEve\nFrank\n",
        "query ./g.omni --query queries.gq --name all_people --branch feature --format csv");
  OG_CLI_EXPECT(0, "5 rows from branch main", "query ./g.omni --query queries.gq --name all_people --format kv");
  OG_CLI_EXPECT(0, "changed main via del", "mutate ./g.omni -e 'query del() { delete Person where name = \"Eve\" }'");
}

static void test_export_round_trip(void **state) {
  (void)state;
  char *a = NULL, *b = NULL, *out = NULL;
  /* E01-shaped header lines */
  OG_CLI_EXPECT(0, "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Bob\",\"data\":{\"id\":", "export ./g.omni");
  OG_CLI_EXPECT(0, ",\"since\":19889}}\n", "export ./g.omni --type Knows");
  OG_CLI_EXPECT(0, "{\"type\":\"Person\",\"data\":{\"id\":\"Alice\",\"name\":\"Alice\",\"age\":30}}\n", "export ./g.omni --table node:Person");
  OG_CLI_EXPECT(1, "unknown export type 'knows'", "export ./g.omni --type knows");
  OG_CLI_EXPECT(1, "unknown export table 'node:Nope'", "export ./g.omni --table node:Nope");
  OG_CLI_EXPECT(0, "deprecated", "export ./g.omni --jsonl --type Company");
  /* export → load into a fresh graph → export again: identical bytes */
  assert_int_equal(og_cli_stdout(&a, "export ./g.omni > e1.jsonl && cat e1.jsonl"), 0);
  assert_int_equal(og_cli(&out, "init --schema test.pg ./g2.omni && %s load --data e1.jsonl ./g2.omni",
                      og_test_bin_path("omnigraph")), 0);
  og_free(out);
  assert_int_equal(og_cli_stdout(&b, "export ./g2.omni"), 0);
  assert_string_equal(a, b);
  assert_true(strlen(a) > 200);
  og_free(a);
  og_free(b);
  /* E03: keyless nodes and explicit edge ids survive */
  og_cli_write("notes.pg", "node Note { title: String  at: DateTime?  score: F64?  tags: [String]?  v: Vector(2)?  body: Blob? }\n"
                         "edge Links: Note -> Note { w: F32? }\n");
  og_cli_write("notes.jsonl",
             "{\"type\":\"Note\",\"data\":{\"id\":\"note-1\",\"title\":\"one\",\"at\":\"2024-01-15T08:30:00.500Z\",\"score\":0.1,\"tags\":[\"a\"],\"v\":[0.5,1],\"body\":\"base64:SGVsbG8=\"}}\n"
             "{\"type\":\"Note\",\"data\":{\"id\":\"note-2\",\"title\":\"two\",\"score\":1e21,\"body\":\"s3://bucket/b.bin\"}}\n"
             "{\"edge\":\"Links\",\"from\":\"note-1\",\"to\":\"note-2\",\"data\":{\"id\":\"edge-1\",\"w\":0.1}}\n");
  assert_int_equal(og_cli(&out, "init --schema notes.pg ./n1.omni && %s load --data notes.jsonl ./n1.omni",
                      og_test_bin_path("omnigraph")), 0);
  og_free(out);
  assert_int_equal(og_cli_stdout(&a, "export ./n1.omni > n1.jsonl && cat n1.jsonl"), 0);
  assert_string_equal(a,
                      "{\"edge\":\"Links\",\"from\":\"note-1\",\"to\":\"note-2\",\"data\":{\"id\":\"edge-1\",\"w\":0.10000000149011612}}\n"
                      "{\"type\":\"Note\",\"data\":{\"id\":\"note-1\",\"title\":\"one\",\"at\":\"2024-01-15T08:30:00.500\",\"score\":0.1,\"tags\":[\"a\"],\"v\":[0.5,1.0],\"body\":\"base64:SGVsbG8=\"}}\n"
                      "{\"type\":\"Note\",\"data\":{\"id\":\"note-2\",\"title\":\"two\",\"at\":null,\"score\":1e21,\"tags\":null,\"v\":null,\"body\":\"s3://bucket/b.bin\"}}\n");
  /* blobs project as null in query results */
  OG_CLI_EXPECT(0, "b\nnull\n", "query ./n1.omni -e 'query q() { match { $n: Note { title: \"one\" } } return { $n.body as b } }' --format csv");
  assert_int_equal(og_cli(&out, "init --schema notes.pg ./n2.omni && %s load --data n1.jsonl ./n2.omni",
                      og_test_bin_path("omnigraph")), 0);
  og_free(out);
  assert_int_equal(og_cli_stdout(&b, "export ./n2.omni"), 0);
  assert_string_equal(a, b);
  og_free(a);
  og_free(b);
}

static void test_quickstart(void **state) {
  (void)state;
  char *out = NULL;
  const char *ex = og_test_source_path("examples/signals");
  assert_int_equal(og_cli(&out, "init --schema '%s/schema.pg' ./sig.omni && '%s' load --data '%s/data.jsonl' ./sig.omni", ex,
                      og_test_bin_path("omnigraph"), ex), 0);
  og_free(out);
  OG_CLI_EXPECT(0, "adoption",
         "query --store ./sig.omni -e 'query indicates() { match { $s: Signal { slug: \"s1\" }  $s indicates $p } return { $p.name } }'");
  OG_CLI_EXPECT(0, "1 rows from branch main via indicates",
         "query --store ./sig.omni --query '%s/queries.gq' --name indicates --params '{\"slug\":\"s1\"}'", ex);
  OG_CLI_EXPECT(0, "strong_signals", "query ./sig.omni --query '%s/queries.gq' --name strong_signals --params '{\"min\":0.5}' --format kv", ex);
  OG_CLI_EXPECT(0, "signals", "query ./sig.omni --query '%s/queries.gq' --name pattern_support", ex);
}

static void test_config_and_aliases(void **state) {
  (void)state;
  char path[4200];
  snprintf(path, sizeof path, "%s/queries", og_cli_dir);
  mkdir(path, 0755);
  og_cli_write("queries/aliases.gq", QUERIES);
  og_cli_write("cfg.yaml",
             "graphs:\n  local:\n    uri: ./g.omni\n"
             "cli:\n  graph: local\n  output_format: csv\n  table_max_column_width: 9\n"
             "query:\n  roots: [queries]\n"
             "aliases:\n"
             "  owner:\n    command: read\n    query: aliases.gq\n    name: get_person\n    args: [name]\n    format: kv\n"
             "  people:\n    command: query\n    query: aliases.gq\n    name: all_people\n"
             "  add_person:\n    command: change\n    query: aliases.gq\n");
  /* D2: with cli.graph the positional is an alias arg; the alias's format */
  OG_CLI_EXPECT(0, "row 1\np.name: Alice", "read --config cfg.yaml --alias owner Alice");
  /* D3: an arg that looks like a URL is an arg, not a URI */
  OG_CLI_EXPECT(0, "0 rows from branch main via get_person\n(no rows)", "read --config cfg.yaml --alias owner https://example.com");
  /* D5, unknown alias, too many args */
  OG_CLI_EXPECT(1, "alias 'add_person' is a Change alias, not a Read alias", "query --config cfg.yaml --alias add_person");
  OG_CLI_EXPECT(1, "alias 'nope' not found", "query --config cfg.yaml --alias nope");
  OG_CLI_EXPECT(1, "alias 'owner' expects at most 1 args but got 2", "query --config cfg.yaml --alias owner Alice Bob");
  /* explicit --params keys override alias args; --format overrides the alias's */
  OG_CLI_EXPECT(0, "Bob,25", "query --config cfg.yaml --alias owner Alice --params '{\"name\":\"Bob\"}' --format csv");
  /* cli.output_format, query.roots, --target */
  OG_CLI_EXPECT(0, "p.name\nAlice\n", "query --config cfg.yaml --alias people");
  OG_CLI_EXPECT(0, "p.name,p.age\nAlice,30\n", "query --config cfg.yaml --query aliases.gq --name get_person --params '{\"name\":\"Alice\"}'");
  OG_CLI_EXPECT(0, "p.name,p.age\nAlice,30\n", "query --config cfg.yaml --target local --query aliases.gq --name get_person --params '{\"name\":\"Alice\"}'");
  OG_CLI_EXPECT(1, "graph 'nope' not found in omnigraph.yaml", "query --config cfg.yaml --target nope --alias people");
  /* table width from the config (9) */
  OG_CLI_EXPECT(0, "c        \n---------\nabcdefgh\xE2\x80\xA6", "query --config cfg.yaml -e 'query q() { match { $p: Person { name: \"Alice\" } } return { \"abcdefghijklmnop\" as c } }' --format table");
  /* export resolves the target through the config too */
  OG_CLI_EXPECT(0, "{\"type\":\"Company\",\"data\":{\"id\":\"Acme\",\"name\":\"Acme\"}}", "export --config cfg.yaml --type Company");
  OG_CLI_EXPECT(2, "unexpected argument", "query ./g.omni --query queries.gq --name all_people extra");
}

/* One handle, several threads: queries share the topology cache. */
typedef struct tq {
  og_db *db;
  int bad;
} tq;

static void *query_thread(void *arg) {
  tq *t = arg;
  const char *q = "query q() { match { $p: Person { name: \"Alice\" }  $p knows{1,2} $f } return { $f.name } order { $f.name } }";
  for (int i = 0; i < 25; i++) {
    og_error err = OG_ERROR_INIT;
    og_result *r = NULL;
    char *text = NULL;
    if (og_db_query(t->db, q, strlen(q), NULL, &r, &err) || og_result_render(r, OG_FORMAT_CSV, NULL, &text, &err) ||
        strcmp(text, "f.name\nBob\nCharlie\nDiana\n") != 0)
      t->bad++;
    og_string_free(text);
    og_result_free(r);
  }
  return NULL;
}

static void test_threads(void **state) {
  (void)state;
  char uri[4200];
  snprintf(uri, sizeof uri, "%s/g.omni", og_cli_dir);
  og_db *db = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_db_open(&db, uri, OG_DB_READ_ONLY, &err), &err);
  pthread_t th[4];
  tq t[4];
  for (int i = 0; i < 4; i++) {
    t[i] = (tq){db, 0};
    assert_int_equal(pthread_create(&th[i], NULL, query_thread, &t[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(t[i].bad, 0);
  }
  og_read_stats st;
  og_db_read_stats(db, &st);
  assert_true(st.csr_builds >= 1 && st.csr_builds <= 4);
  assert_true(st.csr_hits + st.csr_builds >= 100);
  og_db_close(db);
}

/* The public API: typed cells and renderings. */
static void test_api(void **state) {
  (void)state;
  char uri[4200];
  snprintf(uri, sizeof uri, "%s/g.omni", og_cli_dir);
  og_db *db = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_db_open(&db, uri, OG_DB_READ_ONLY, &err), &err);
  og_result *r = NULL;
  const char *q = "query q() { match { $p: Person  $p knows $f } return { $p.name, $f.age, $f.age > 0 as dummy } }";
  /* a filter-only expression is not a projection: expect a type error */
  assert_int_not_equal(og_db_query(db, q, strlen(q), NULL, &r, &err), OG_OK);
  q = "query q() { match { $p: Person { name: \"Alice\" }  $p knows $f } return { $f.name, $f.age, 2.5 as x, $f } order { $f.name desc } }";
  og_query_opts o = {.branch = "main"};
  OG_ASSERT_OK(og_db_query(db, q, strlen(q), &o, &r, &err), &err);
  assert_string_equal(og_result_query_name(r), "q");
  assert_string_equal(og_result_branch(r), "main");
  assert_null(og_result_snapshot(r));
  assert_int_equal(og_result_column_count(r), 4);
  assert_string_equal(og_result_column_name(r, 0), "f.name");
  assert_string_equal(og_result_column_name(r, 3), "f");
  assert_int_equal(og_result_row_count(r), 2);
  assert_int_equal(og_result_kind(r, 0, 0), OG_VALUE_STRING);
  assert_string_equal(og_result_string(r, 0, 0, NULL), "Charlie");
  assert_int_equal(og_result_kind(r, 0, 1), OG_VALUE_INT);
  assert_int_equal(og_result_int(r, 0, 1), 35);
  assert_int_equal(og_result_kind(r, 1, 2), OG_VALUE_FLOAT);
  assert_true(og_result_float(r, 1, 2) == 2.5);
  char *cj = og_result_cell_json(r, 1, 3);
  assert_string_equal(cj, "\"Bob\"");
  og_string_free(cj);
  char *text = NULL;
  OG_ASSERT_OK(og_result_render(r, OG_FORMAT_JSON_COMPACT, NULL, &text, &err), &err);
  assert_string_equal(text,
                      "{\"query_name\":\"q\",\"target\":{\"branch\":\"main\",\"snapshot\":null},\"row_count\":2,"
                      "\"columns\":[\"f.name\",\"f.age\",\"x\",\"f\"],\"rows\":[{\"f.name\":\"Charlie\",\"f.age\":35,\"x\":2.5,\"f\":\"Charlie\"},"
                      "{\"f.name\":\"Bob\",\"f.age\":25,\"x\":2.5,\"f\":\"Bob\"}]}\n");
  og_string_free(text);
  og_result_free(r);
  /* the topology cache of the handle is reused across queries */
  OG_ASSERT_OK(og_db_query(db, q, strlen(q), &o, &r, &err), &err);
  og_result_free(r);
  og_read_stats st;
  og_db_read_stats(db, &st);
  assert_int_equal(st.csr_builds, 1);
  assert_int_equal(st.csr_hits, 1);
  assert_int_equal(st.csr_loads, 0); /* a small load persists no topology */
  og_db_close(db);
}

/* A load at or over og_topo_persist_min edges of a type persists that edge
 * version's topology; a fresh handle reads it instead of building. */
static void test_persisted_topology_counted(void **state) {
  (void)state;
  char uri[4200];
  snprintf(uri, sizeof uri, "%s/p.omni", og_cli_dir);
  og_db *db = NULL;
  og_error err = OG_ERROR_INIT;
  size_t saved = og_topo_persist_min;
  og_topo_persist_min = 2;
  OG_ASSERT_OK(og_db_init(&db, uri, SCHEMA, strlen(SCHEMA), "t", &err), &err);
  og_load_opts lo = {NULL, OG_LOAD_OVERWRITE, "t", 0};
  og_load_result lr = {0};
  OG_ASSERT_OK(og_db_load_mem(db, &lo, DATA, strlen(DATA), &lr, &err), &err);
  og_load_result_dispose(&lr);
  og_db_close(db);
  /* (readers look for a persisted topology only as large, too) */
  OG_ASSERT_OK(og_db_open(&db, uri, OG_DB_READ_ONLY, &err), &err);
  const char *q = "query q() { match { $p: Person { name: \"Alice\" }  $p knows $f } return { $f.name } }";
  og_result *r = NULL;
  for (int i = 0; i < 2; i++) {
    OG_ASSERT_OK(og_db_query(db, q, strlen(q), NULL, &r, &err), &err);
    assert_int_equal(og_result_row_count(r), 2);
    og_result_free(r);
  }
  og_read_stats st;
  og_db_read_stats(db, &st);
  assert_int_equal(st.csr_builds, 1);
  assert_int_equal(st.csr_loads, 1);
  assert_int_equal(st.csr_hits, 1);
  og_db_close(db);
  og_topo_persist_min = saved;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_formats),       cmocka_unit_test(test_cells),
      cmocka_unit_test(test_selection_and_errors), cmocka_unit_test(test_api),
      cmocka_unit_test(test_snapshot_and_branch), cmocka_unit_test(test_export_round_trip),
      cmocka_unit_test(test_quickstart),  cmocka_unit_test(test_config_and_aliases),
      cmocka_unit_test(test_threads),     cmocka_unit_test(test_persisted_topology_counted),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
