/* Write commands: load, mutate (alias change; main.c rewrites it). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "omnigraph.h"
#include "util/util.h"

static int fail_msg(og_status code, const char *fmt, const char *arg) {
  og_error err = OG_ERROR_INIT;
  og_err_set(&err, code, fmt, arg);
  return og_cli_fail(&err);
}

static bool is_remote(const char *uri) {
  return og_str_startswith(uri, "http://") || og_str_startswith(uri, "https://");
}

/*==================== load ====================*/

static long file_read(void *ctx, char *buf, size_t cap) {
  FILE *f = ctx;
  size_t n = fread(buf, 1, cap, f);
  if (n == 0 && ferror(f)) return -1;
  return (long)n;
}

/* The shared front of load and ingest: --data, --mode (default `mode`),
 * the graph target and the opened data file. 0, or the exit code after the
 * error was printed. */
static int load_front(const og_args *a, const char *usage, const char *op, og_load_mode *mode,
                      const og_config **cfg, const char **uri, FILE **f) {
  const char *data = og_args_get(a, "data");
  if (!data)
    return og_args_usage_error(usage, "the following required arguments were not provided: --data <PATH>");
  og_error err = OG_ERROR_INIT;
  const char *mname = og_args_get(a, "mode");
  if (mname && og_load_mode_parse(mname, mode, &err))
    return og_args_usage_error(usage, "invalid value '%s' for '--mode <MODE>' [possible values: overwrite, append, merge]",
                               mname);
  int rc = og_cli_resolve(a, 0, cfg, uri);
  if (rc) return rc;
  if (is_remote(*uri))
    return fail_msg(OG_EUNSUPPORTED, "%s is only supported against local graph URIs in this milestone", op);
  if (!(*f = fopen(data, "rb"))) {
    og_err_set(&err, errno == ENOENT ? OG_ENOTFOUND : OG_EIO, "%s: %s", data, strerror(errno));
    return og_cli_fail(&err);
  }
  return 0;
}

static int cmd_load(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"data", 0, true, false, "PATH", "JSONL data file"},
      {"mode", 0, true, false, "MODE", "overwrite (default) | append | merge"},
      {"branch", 0, true, false, "BRANCH", "Target branch (default main)"},
      {"json", 0, false, false, NULL, "Print JSON"},
      {"as", 0, true, false, "ACTOR", "Actor recorded on the commit"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"store", 0, true, false, "URI", "Alias of --uri"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
  };
  const char *usage = "omnigraph load --data <PATH> [--mode overwrite|append|merge] [--branch <BRANCH>] [--json] <URI>";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage, "Load a JSONL file into a branch (one commit).");
    return 0;
  }
  og_load_mode mode = OG_LOAD_OVERWRITE;
  const og_config *cfg = NULL;
  const char *uri = NULL;
  FILE *f = NULL;
  if ((rc = load_front(&a, usage, "load", &mode, &cfg, &uri, &f))) return rc;
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  og_load_result res = {0};
  const char *branch = og_cli_branch(&a, NULL, cfg);
  og_load_opts opts = {.branch = branch, .mode = mode, .actor = og_cli_actor(&a, cfg)};
  if (og_db_open(&db, uri, 0, &err) || og_db_load(db, &opts, file_read, f, &res, &err)) {
    rc = og_cli_fail(&err);
  } else if (og_args_has(&a, "json")) {
    json_t *o = json_object();
    json_object_set_new(o, "uri", json_string(uri));
    json_object_set_new(o, "branch", json_string(branch));
    json_object_set_new(o, "mode", json_string(og_load_mode_name(mode)));
    json_object_set_new(o, "nodes_loaded", json_integer((json_int_t)res.nodes_loaded));
    json_object_set_new(o, "edges_loaded", json_integer((json_int_t)res.edges_loaded));
    json_object_set_new(o, "node_types_loaded", json_integer((json_int_t)res.node_types_loaded));
    json_object_set_new(o, "edge_types_loaded", json_integer((json_int_t)res.edge_types_loaded));
    og_cli_print_json_value(o);
    json_decref(o);
  } else {
    printf("loaded %s on branch %s with %s: %llu nodes across %zu node types, %llu edges across %zu edge types\n",
           uri, branch, og_load_mode_name(mode), (unsigned long long)res.nodes_loaded, res.node_types_loaded,
           (unsigned long long)res.edges_loaded, res.edge_types_loaded);
  }
  og_load_result_dispose(&res);
  og_db_close(db);
  fclose(f);
  return rc;
}

/*==================== ingest ====================*/

static int cmp_keys(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* load into a branch that is created from --from first when missing */
static int cmd_ingest(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"data", 0, true, false, "PATH", "JSONL data file"},
      {"branch", 0, true, false, "BRANCH", "Target branch (created when missing)"},
      {"from", 0, true, false, "BRANCH", "Base of a new branch (default main)"},
      {"mode", 0, true, false, "MODE", "merge (default) | append | overwrite"},
      {"json", 0, false, false, NULL, "Print JSON"},
      {"as", 0, true, false, "ACTOR", "Actor recorded on the commits"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"store", 0, true, false, "URI", "Alias of --uri"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
  };
  const char *usage = "omnigraph ingest --data <PATH> --branch <BRANCH> [--from <BRANCH>] [--mode merge|append|overwrite] [--json] <URI>";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage, "Load a JSONL file into a branch, creating it first when missing.");
    return 0;
  }
  og_load_mode mode = OG_LOAD_MERGE;
  const og_config *cfg = NULL;
  const char *uri = NULL;
  FILE *f = NULL;
  if ((rc = load_front(&a, usage, "ingest", &mode, &cfg, &uri, &f))) return rc;
  og_error err = OG_ERROR_INIT;
  const char *branch = og_cli_branch(&a, NULL, cfg), *from = og_cli_branch(&a, "from", cfg);
  const char *actor = og_cli_actor(&a, cfg);
  og_db *db = NULL;
  og_load_result res = {0};
  bool created = false;
  char **keys = NULL;
  if (og_db_open(&db, uri, 0, &err)) {
    rc = og_cli_fail(&err);
    goto cleanup;
  }
  og_load_opts opts = {.branch = branch, .mode = mode, .actor = actor};
  if (og_db_ingest(db, &opts, from, file_read, f, &res, &created, &err)) {
    rc = og_cli_fail(&err);
    goto cleanup;
  }
  keys = og_calloc(res.ntypes ? res.ntypes : 1, sizeof *keys);
  for (size_t i = 0; keys && i < res.ntypes; i++) {
    og_buf b = OG_BUF_INIT;
    og_buf_printf(&b, "%s:%s\t%llu", res.types[i].is_edge ? "edge" : "node", res.types[i].name,
                  (unsigned long long)res.types[i].rows);
    keys[i] = og_buf_detach(&b, NULL);
  }
  if (keys) qsort(keys, res.ntypes, sizeof *keys, cmp_keys);
  if (og_args_has(&a, "json")) {
    json_t *o = json_object(), *tables = json_array();
    json_object_set_new(o, "uri", json_string(uri));
    json_object_set_new(o, "branch", json_string(branch));
    json_object_set_new(o, "base_branch", json_string(from));
    json_object_set_new(o, "branch_created", json_boolean(created));
    json_object_set_new(o, "mode", json_string(og_load_mode_name(mode)));
    for (size_t i = 0; keys && i < res.ntypes; i++) {
      char *tab = strchr(keys[i], '\t');
      json_t *t = json_object();
      json_object_set_new(t, "table_key", json_stringn(keys[i], (size_t)(tab - keys[i])));
      json_object_set_new(t, "rows_loaded", json_integer((json_int_t)strtoull(tab + 1, NULL, 10)));
      json_array_append_new(tables, t);
    }
    json_object_set_new(o, "tables", tables);
    json_object_set_new(o, "actor_id", actor ? json_string(actor) : json_null());
    og_cli_print_json_value(o);
    json_decref(o);
  } else {
    printf("ingested %s into branch %s from %s with %s (%s)\n", uri, branch, from, og_load_mode_name(mode),
           created ? "branch created" : "branch exists");
    for (size_t i = 0; keys && i < res.ntypes; i++) {
      char *tab = strchr(keys[i], '\t');
      printf("%.*s rows_loaded=%s\n", (int)(tab - keys[i]), keys[i], tab + 1);
    }
    if (actor) printf("actor_id: %s\n", actor);
  }
cleanup:
  for (size_t i = 0; keys && i < res.ntypes; i++) og_free(keys[i]);
  og_free(keys);
  og_load_result_dispose(&res);
  og_db_close(db);
  fclose(f);
  return rc;
}

/*==================== mutate ====================*/

static int cmd_mutate(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"query", 0, true, false, "FILE", "Query file (.gq)"},
      {"query-string", 'e', true, false, "GQ", "Query source text"},
      {"name", 0, true, false, "NAME", "Query to run (when the file has several)"},
      {"params", 0, true, false, "JSON", "Parameters as a JSON object"},
      {"params-file", 0, true, false, "FILE", "Parameters from a JSON file"},
      {"branch", 0, true, false, "BRANCH", "Target branch (default main)"},
      {"json", 0, false, false, NULL, "Print JSON"},
      {"as", 0, true, false, "ACTOR", "Actor recorded on the commit"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"store", 0, true, false, "URI", "Alias of --uri"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
  };
  const char *usage =
      "omnigraph mutate (--query <FILE> [--name <NAME>] | -e <GQ>) [--params <JSON> | --params-file <FILE>] "
      "[--branch <BRANCH>] [--json] <URI>";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage, "Run a mutation query (one atomic commit).");
    return 0;
  }
  og_cli_qsrc q;
  if ((rc = og_cli_qsrc_args(&q, &a, usage, NULL)) || (rc = og_cli_qsrc_check(&q))) return rc;
  const og_config *cfg = NULL;
  const char *uri = NULL;
  if ((rc = og_cli_resolve(&a, 0, &cfg, &uri))) return rc;
  if (is_remote(uri))
    return fail_msg(OG_EUNSUPPORTED, "%s", "mutate against a remote URI is not supported by this build yet");
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  og_mutate_result res = {0};
  if ((rc = og_cli_qsrc_load(&q, cfg))) goto cleanup;
  const char *branch = og_cli_branch(&a, NULL, cfg);
  const char *actor = og_cli_actor(&a, cfg);
  og_mutate_opts mo = {.branch = branch, .query_name = og_args_get(&a, "name"), .params_json = q.params,
                      .actor = actor};
  if (og_db_open(&db, uri, 0, &err) || og_db_mutate(db, q.gq, strlen(q.gq), &mo, &res, &err)) {
    rc = og_cli_fail(&err);
    goto cleanup;
  }
  if (og_args_has(&a, "json")) {
    json_t *o = json_object();
    json_object_set_new(o, "branch", json_string(branch));
    json_object_set_new(o, "query_name", json_string(res.query_name));
    json_object_set_new(o, "affected_nodes", json_integer((json_int_t)res.affected_nodes));
    json_object_set_new(o, "affected_edges", json_integer((json_int_t)res.affected_edges));
    json_object_set_new(o, "actor_id", actor ? json_string(actor) : json_null());
    og_cli_print_json_value(o);
    json_decref(o);
  } else {
    printf("changed %s via %s: %llu nodes, %llu edges\n", branch, res.query_name,
           (unsigned long long)res.affected_nodes, (unsigned long long)res.affected_edges);
    if (actor) printf("actor_id: %s\n", actor);
  }
cleanup:
  og_mutate_result_dispose(&res);
  og_db_close(db);
  og_cli_qsrc_dispose(&q);
  return rc;
}

const og_cli_command og_cli_write_commands[] = {
    {"load", NULL, "Load a JSONL file into a branch", cmd_load},
    {"ingest", NULL, "Load a JSONL file into a branch, creating the branch when missing", cmd_ingest},
    {"mutate", NULL, "Run a mutation query (alias: change)", cmd_mutate},
    {NULL, NULL, NULL, NULL},
};
