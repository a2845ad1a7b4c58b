/* Graph commands: init, snapshot, schema show, branch *, commit *, verify. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "omnigraph.h"
#include "util/util.h"

/* Parse an API JSON result (owned string), or NULL on a malformed one. */
static json_t *parse(char *s) {
  json_t *v = json_loads(s, 0, NULL);
  og_string_free(s);
  return v;
}

/*==================== init ====================*/

static void write_starter_config(const char *uri) {
  char dir[4096];
  if (strstr(uri, "://")) {
    snprintf(dir, sizeof dir, ".");
  } else {
    snprintf(dir, sizeof dir, "%s", uri);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') dir[--n] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
  }
  char path[4200];
  snprintf(path, sizeof path, "%s/omnigraph.yaml", dir);
  struct stat st;
  if (stat(path, &st) == 0) return;
  FILE *f = fopen(path, "wx");
  if (!f) return;
  og_buf q = OG_BUF_INIT; /* single-quoted YAML scalar: ' doubles */
  for (const char *p = uri; *p; p++) {
    if (*p == '\'') og_buf_putc(&q, '\'');
    og_buf_putc(&q, *p);
  }
  fprintf(f,
          "project:\n  name: Omnigraph Project\n"
          "graphs:\n  local:\n    uri: '%s'\n"
          "server:\n  graph: local\n  bind: 127.0.0.1:8080\n"
          "cli:\n  graph: local\n  branch: main\n  output_format: table\n"
          "  table_max_column_width: 80\n  table_cell_layout: truncate\n"
          "query:\n  roots: [queries, .]\n"
          "# aliases:\n#   person:\n#     query: queries.gq\n#     name: get_person\n#     args: [name]\n"
          "# auth:\n#   env_file: .env.omni\n"
          "# policy:\n#   file: ./policy.yaml\n",
          q.ptr ? q.ptr : "");
  og_buf_dispose(&q);
  fclose(f);
}

static int cmd_init(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"schema", 0, true, false, "SCHEMA", "Schema file (.pg)"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"store", 0, true, false, "URI", "Alias of --uri"},
      {"as", 0, true, false, "ACTOR", "Actor recorded on the init commit"},
  };
  const char *usage = "omnigraph init --schema <SCHEMA> <URI>";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage, "Create a graph from a schema.");
    return 0;
  }
  const char *spath = og_args_get(&a, "schema");
  const char *uri = og_args_get(&a, "uri") ? og_args_get(&a, "uri")
                    : og_args_get(&a, "store") ? og_args_get(&a, "store")
                    : a.npos ? a.pos[0] : NULL;
  if (!spath) return og_args_usage_error(usage, "the following required arguments were not provided: --schema <SCHEMA>");
  if (!uri) return og_args_usage_error(usage, "the following required arguments were not provided: <URI>");
  og_error err = OG_ERROR_INIT;
  char *src = NULL;
  og_db *db = NULL;
  int exit_code = 0;
  if (og_cli_read_file(spath, &src, &err) ||
      og_db_init(&db, uri, src, strlen(src), og_cli_actor(&a, NULL), &err)) {
    exit_code = og_cli_fail(&err);
  } else {
    write_starter_config(uri);
    printf("initialized %s\n", uri);
  }
  og_db_close(db);
  og_free(src);
  return exit_code;
}

/*==================== snapshot / schema show ====================*/

/*==================== the shared shape of a graph command ====================*/

static const og_optspec uri_specs[] = {
    {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
    {"store", 0, true, false, "URI", "Alias of --uri"},
    {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
    {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
    {"branch", 0, true, false, "BRANCH", "Branch (default cli.branch, else main)"},
    {"from", 0, true, false, "BRANCH", "Source branch (branch create; default main)"},
    {"as", 0, true, false, "ACTOR", "Actor recorded on the commit"},
    {"json", 0, false, false, NULL, "Print JSON"},
};

typedef struct graph_cmd graph_cmd;
/* `name` is the leading positional (branch or commit id) or NULL. */
typedef int (*graph_body)(const og_args *a, const og_config *cfg, const char *uri, og_db *db,
                          const char *name, og_error *err);

struct graph_cmd {
  const char *usage;
  const char *about;
  const char *name_arg;  /* e.g. "<NAME>": a required leading positional, or NULL */
  unsigned open_flags;   /* OG_DB_READ_ONLY for commands that never write */
  graph_body body;       /* returns 0 or an og_status (then err is printed) */
};

/* Parse, print help, resolve the target, open the graph, run the body. */
static int run_graph_cmd(const graph_cmd *c, int argc, char **argv) {
  og_args a;
  int npos = c->name_arg ? 2 : 1;
  int rc = og_args_parse(&a, uri_specs, OG_NSPECS(uri_specs), argc, argv, npos, c->usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(uri_specs, OG_NSPECS(uri_specs), c->usage, c->about);
    return 0;
  }
  if (c->name_arg && a.npos < 1)
    return og_args_usage_error(c->usage, "the following required arguments were not provided: %s", c->name_arg);
  const og_config *cfg = NULL;
  const char *uri = NULL;
  if ((rc = og_cli_resolve(&a, c->name_arg ? 1 : 0, &cfg, &uri))) return rc;
  og_db *db = NULL;
  if ((rc = og_cli_open(uri, c->open_flags, &db))) return rc;
  og_error err = OG_ERROR_INIT;
  rc = c->body(&a, cfg, uri, db, c->name_arg ? a.pos[0] : NULL, &err);
  og_db_close(db);
  return rc ? og_cli_fail(&err) : 0;
}

/* Print an API JSON result: pretty with --json, else through `human`. */
static void emit(const og_args *a, char *json, void (*human)(json_t *v)) {
  if (og_args_has(a, "json")) {
    og_cli_print_json(json);
    og_string_free(json);
    return;
  }
  json_t *v = parse(json);
  if (v) human(v);
  json_decref(v);
}

/*==================== snapshot / schema show ====================*/

static void snapshot_human(json_t *v) {
  printf("branch: %s\nmanifest_version: %lld\n", json_string_value(json_object_get(v, "branch")),
         (long long)json_integer_value(json_object_get(v, "manifest_version")));
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(v, "tables"), i, t) {
    printf("%s v%lld branch=main rows=%lld\n", json_string_value(json_object_get(t, "table_key")),
           (long long)json_integer_value(json_object_get(t, "table_version")),
           (long long)json_integer_value(json_object_get(t, "row_count")));
  }
}

static int snapshot_body(const og_args *a, const og_config *cfg, const char *uri, og_db *db,
                         const char *name, og_error *err) {
  char *json = NULL;
  og_status st = og_db_snapshot_json(db, og_cli_branch(a, NULL, cfg), &json, err);
  if (!st) emit(a, json, snapshot_human);
  return st;
}

static int schema_show_body(const og_args *a, const og_config *cfg, const char *uri, og_db *db,
                            const char *name, og_error *err) {
  char *src = NULL;
  og_status st = og_db_schema_source(db, og_cli_branch(a, NULL, cfg), &src, err);
  if (st) return st;
  if (og_args_has(a, "json")) {
    json_t *o = json_object();
    json_object_set_new(o, "schema_source", json_string(src));
    og_cli_print_json_value(o);
    json_decref(o);
  } else {
    fputs(src, stdout);
    if (*src && src[strlen(src) - 1] != '\n') putchar('\n');
  }
  og_string_free(src);
  return 0;
}

/*==================== branches ====================*/

/* {uri, <key>: <value>..., name, actor_id} as BranchCreate/DeleteOutput. */
static void branch_output(const og_args *a, const char *uri, const char *from, const char *name,
                          const char *actor, const char *human) {
  if (!og_args_has(a, "json")) {
    printf("%s\n", human);
    return;
  }
  json_t *o = json_object();
  json_object_set_new(o, "uri", json_string(uri));
  if (from) json_object_set_new(o, "from", json_string(from));
  json_object_set_new(o, "name", json_string(name));
  json_object_set_new(o, "actor_id", actor ? json_string(actor) : json_null());
  og_cli_print_json_value(o);
  json_decref(o);
}

static int branch_create_body(const og_args *a, const og_config *cfg, const char *uri, og_db *db,
                              const char *name, og_error *err) {
  const char *from = og_cli_branch(a, "from", cfg);
  const char *actor = og_cli_actor(a, cfg);
  og_status st = og_db_branch_create(db, name, from, actor, err);
  if (st) return st;
  char human[512];
  snprintf(human, sizeof human, "created branch %s from %s", name, from);
  branch_output(a, uri, from, name, actor, human);
  return 0;
}

static int branch_delete_body(const og_args *a, const og_config *cfg, const char *uri, og_db *db,
                              const char *name, og_error *err) {
  const char *actor = og_cli_actor(a, cfg);
  og_status st = og_db_branch_delete(db, name, actor, err);
  if (st) return st;
  char human[512];
  snprintf(human, sizeof human, "deleted branch %s", name);
  branch_output(a, uri, NULL, name, actor, human);
  return 0;
}

static void branch_list_human(json_t *v) {
  size_t i;
  json_t *b;
  json_array_foreach(json_object_get(v, "branches"), i, b) printf("%s\n", json_string_value(b));
}

static int branch_list_body(const og_args *a, const og_config *cfg, const char *uri, og_db *db,
                            const char *name, og_error *err) {
  char *json = NULL;
  og_status st = og_db_branch_list_json(db, &json, err);
  if (!st) emit(a, json, branch_list_human);
  return st;
}

/*==================== commits ====================*/

static void commit_list_human(json_t *v) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(v, "commits"), i, c) {
    json_t *br = json_object_get(c, "manifest_branch");
    printf("%s branch=%s version=%lld", json_string_value(json_object_get(c, "graph_commit_id")),
           json_is_string(br) ? json_string_value(br) : "main",
           (long long)json_integer_value(json_object_get(c, "manifest_version")));
    json_t *actor = json_object_get(c, "actor_id");
    if (json_is_string(actor)) printf(" actor=%s", json_string_value(actor));
    putchar('\n');
  }
}

static int commit_list_body(const og_args *a, const og_config *cfg, const char *uri, og_db *db,
                            const char *name, og_error *err) {
  char *json = NULL;
  og_status st = og_db_commit_list_json(db, og_cli_branch(a, NULL, cfg), &json, err);
  if (!st) emit(a, json, commit_list_human);
  return st;
}

static void commit_show_human(json_t *c) {
  json_t *br = json_object_get(c, "manifest_branch");
  printf("graph_commit_id: %s\nmanifest_branch: %s\nmanifest_version: %lld\n",
         json_string_value(json_object_get(c, "graph_commit_id")),
         json_is_string(br) ? json_string_value(br) : "main",
         (long long)json_integer_value(json_object_get(c, "manifest_version")));
  static const char *const optional[] = {"parent_commit_id", "merged_parent_commit_id", "actor_id"};
  for (size_t k = 0; k < 3; k++) {
    json_t *f = json_object_get(c, optional[k]);
    if (json_is_string(f)) printf("%s: %s\n", optional[k], json_string_value(f));
  }
  printf("created_at: %lld\n", (long long)json_integer_value(json_object_get(c, "created_at")));
}

static int commit_show_body(const og_args *a, const og_config *cfg, const char *uri, og_db *db,
                            const char *name, og_error *err) {
  char *json = NULL;
  og_status st = og_db_commit_show_json(db, name, &json, err);
  if (!st) emit(a, json, commit_show_human);
  return st;
}

static const graph_cmd snapshot_cmd = {"omnigraph snapshot [--branch <BRANCH>] [--json] <URI>",
                                       "Show the table versions of a branch head.", NULL,
                                       OG_DB_READ_ONLY, snapshot_body};
static const graph_cmd schema_show_cmd = {"omnigraph schema show [--branch <BRANCH>] [--json] <URI>",
                                          "Print the graph's schema source.", NULL, OG_DB_READ_ONLY,
                                          schema_show_body};
static const graph_cmd branch_create_cmd = {"omnigraph branch create [--from <BRANCH>] <NAME> [URI]",
                                            "Create a branch of the whole graph (no data is copied).",
                                            "<NAME>", 0, branch_create_body};
static const graph_cmd branch_delete_cmd = {"omnigraph branch delete <NAME> [URI]",
                                            "Delete a branch (main cannot be deleted).", "<NAME>", 0,
                                            branch_delete_body};
static const graph_cmd branch_list_cmd = {"omnigraph branch list [--json] [URI]",
                                          "List branches, sorted (main included).", NULL,
                                          OG_DB_READ_ONLY, branch_list_body};
static const graph_cmd commit_list_cmd = {"omnigraph commit list [--branch <BRANCH>] [--json] <URI>",
                                          "List the commits of a branch, oldest first.", NULL,
                                          OG_DB_READ_ONLY, commit_list_body};
static const graph_cmd commit_show_cmd = {"omnigraph commit show <COMMIT_ID> [URI]", "Show one commit.",
                                          "<COMMIT_ID>", OG_DB_READ_ONLY, commit_show_body};

static int cmd_snapshot(int argc, char **argv) { return run_graph_cmd(&snapshot_cmd, argc, argv); }
static int cmd_schema_show(int argc, char **argv) { return run_graph_cmd(&schema_show_cmd, argc, argv); }
static int cmd_branch_create(int argc, char **argv) { return run_graph_cmd(&branch_create_cmd, argc, argv); }
static int cmd_branch_delete(int argc, char **argv) { return run_graph_cmd(&branch_delete_cmd, argc, argv); }
static int cmd_branch_list(int argc, char **argv) { return run_graph_cmd(&branch_list_cmd, argc, argv); }
static int cmd_commit_list(int argc, char **argv) { return run_graph_cmd(&commit_list_cmd, argc, argv); }
static int cmd_commit_show(int argc, char **argv) { return run_graph_cmd(&commit_show_cmd, argc, argv); }

/*==================== verify ====================*/

/* verify opens no handle (it must never write, not even recovery), so it
 * does not go through run_graph_cmd. */
static int cmd_verify(int argc, char **argv) {
  const char *usage = "omnigraph verify [--json] <URI>";
  og_args a;
  int rc = og_args_parse(&a, uri_specs, OG_NSPECS(uri_specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(uri_specs, OG_NSPECS(uri_specs), usage,
                       "Check the integrity of every branch and retained version (read-only).");
    return 0;
  }
  const og_config *cfg = NULL;
  const char *uri = NULL;
  if ((rc = og_cli_resolve(&a, 0, &cfg, &uri))) return rc;
  og_error err = OG_ERROR_INIT;
  char *report = NULL;
  og_status st = og_db_verify(uri, &report, &err);
  if (st && st != OG_ECORRUPT) {
    og_string_free(report);
    return og_cli_fail(&err);
  }
  if (og_args_has(&a, "json")) {
    og_cli_print_json(report ? report : "{}");
  } else if (report) {
    json_t *v = json_loads(report, 0, NULL);
    printf("%s: %lld manifests, %lld table versions checked\n", st ? "corrupt" : "ok",
           (long long)json_integer_value(json_object_get(v, "manifests")),
           (long long)json_integer_value(json_object_get(v, "descriptors")));
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(v, "problems"), i, p) {
      printf("problem: %s: %s\n", json_string_value(json_object_get(p, "key")),
             json_string_value(json_object_get(p, "problem")));
    }
    /* leftovers of crashed or running writers: not corruption (recovery and
     * cleanup reclaim them), so warnings that do not change the exit code */
    json_int_t orphans = json_integer_value(json_object_get(v, "orphans"));
    json_int_t intents = json_integer_value(json_object_get(v, "intents"));
    if (orphans || intents)
      printf("warning: %lld orphan object(s), %lld write intent(s) left (see `omnigraph recovery intents`)\n",
             (long long)orphans, (long long)intents);
    json_decref(v);
  }
  og_string_free(report);
  if (st) fprintf(stderr, "Error: %s\n", err.message);
  return st ? 1 : 0;
}

const og_cli_command og_cli_graph_commands[] = {
    {"init", NULL, "Create a graph from a schema", cmd_init},
    {"snapshot", NULL, "Show the table versions of a branch head", cmd_snapshot},
    {"schema", "show", "Print the graph's schema source", cmd_schema_show},
    {"branch", "create", "Create a branch", cmd_branch_create},
    {"branch", "list", "List branches", cmd_branch_list},
    {"branch", "delete", "Delete a branch", cmd_branch_delete},
    {"commit", "list", "List the commits of a branch", cmd_commit_list},
    {"commit", "show", "Show one commit", cmd_commit_show},
    {"verify", NULL, "Check the integrity of a graph", cmd_verify},
    {NULL, NULL, NULL, NULL},
};
