/* Read commands: query (alias read; main.c rewrites it), export. */
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

/*==================== query ====================*/

/* Scalar `aliases.<alias>.<key>` of the config, or NULL. */
static const char *alias_get(const og_config *cfg, const char *alias, const char *key) {
  char path[512];
  snprintf(path, sizeof path, "aliases.%s.%s", alias, key);
  return cfg ? og_config_get(cfg, path) : NULL;
}

/* graphs.<name>.uri resolved against the config, or NULL. Owned. */
static char *named_graph_uri(const og_config *cfg, const char *name) {
  char path[512];
  snprintf(path, sizeof path, "graphs.%s.uri", name);
  const char *u = cfg ? og_config_get(cfg, path) : NULL;
  return u ? og_config_resolve_path(cfg, u) : NULL;
}

static int cmd_query(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"query", 0, true, false, "FILE", "Query file (.gq)"},
      {"query-string", 'e', true, false, "GQ", "Query source text"},
      {"alias", 0, true, false, "ALIAS", "Run an alias from omnigraph.yaml (trailing args fill its params)"},
      {"name", 0, true, false, "NAME", "Query to run (when the source has several)"},
      {"params", 0, true, false, "JSON", "Parameters as a JSON object"},
      {"params-file", 0, true, false, "FILE", "Parameters from a JSON file"},
      {"branch", 0, true, false, "BRANCH", "Branch to read (default cli.branch, else main)"},
      {"snapshot", 0, true, false, "ID", "Commit id to read (time travel)"},
      {"format", 0, true, false, "FORMAT", "table (default) | kv | csv | jsonl | json"},
      {"json", 0, false, false, NULL, "Print the JSON envelope (same as --format json)"},
      {"max-column-width", 0, true, false, "N", "table: maximum column width (default 80)"},
      {"wrap", 0, false, false, NULL, "table: wrap long cells instead of truncating"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"store", 0, true, false, "URI", "Alias of --uri"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
  };
  const char *usage =
      "omnigraph query (--query <FILE> | -e <GQ> | --alias <ALIAS>) [--name <NAME>] [--params <JSON> | --params-file <FILE>] "
      "[--branch <BRANCH> | --snapshot <ID>] [--format <FORMAT> | --json] [URI] [ARGS]...";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, OG_ARGS_MAX_POS, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage, "Run a read query (alias: read).");
    return 0;
  }
  const char *alias = og_args_get(&a, "alias");
  og_cli_qsrc q;
  if ((rc = og_cli_qsrc_args(&q, &a, usage, alias))) return rc;
  const char *branch = og_args_get(&a, "branch"), *snapshot = og_args_get(&a, "snapshot");
  if (branch && snapshot)
    return og_args_usage_error(usage, "the argument '--branch <BRANCH>' cannot be used with '--snapshot <ID>'");
  const char *fname = og_args_get(&a, "format");
  if (fname && og_args_has(&a, "json"))
    return og_args_usage_error(usage, "the argument '--format <FORMAT>' cannot be used with '--json'");
  og_result_format fmt = OG_FORMAT_TABLE;
  if (fname && !og_result_format_parse(fname, &fmt))
    return og_args_usage_error(usage,
                               "invalid value '%s' for '--format <FORMAT>' [possible values: table, kv, csv, jsonl, json]",
                               fname);
  og_config *cfg = NULL;
  if ((rc = og_cli_config(&a, &cfg))) return rc;
  if (alias) {
    char path[512];
    snprintf(path, sizeof path, "aliases.%s", alias);
    const char *cmd = alias_get(cfg, alias, "command");
    if (!og_config_keys_len(cfg, path)) return fail_msg(OG_ENOTFOUND, "alias '%s' not found", alias);
    if (cmd && (!strcmp(cmd, "change") || !strcmp(cmd, "mutate")))
      return fail_msg(OG_EINVAL, "alias '%s' is a Change alias, not a Read alias", alias);
    q.file = alias_get(cfg, alias, "query");
    if (!q.file) return fail_msg(OG_EINVAL, "alias '%s' has no query file", alias);
  }
  if ((rc = og_cli_qsrc_check(&q))) return rc;
  /* output format: --json, --format, the alias's format, cli.output_format, table */
  if (og_args_has(&a, "json")) fmt = OG_FORMAT_JSON;
  else if (!fname) {
    const char *f = alias ? alias_get(cfg, alias, "format") : NULL;
    if (!f && cfg) f = og_config_get(cfg, "cli.output_format");
    if (f && !og_result_format_parse(f, &fmt)) return fail_msg(OG_EINVAL, "unknown output format '%s'", f);
  }
  og_render_opts ro = {0};
  const char *mcw = og_args_get(&a, "max-column-width");
  if (!mcw && cfg) mcw = og_config_get(cfg, "cli.table_max_column_width");
  if (mcw) ro.max_column_width = (size_t)strtoull(mcw, NULL, 10);
  const char *layout = cfg ? og_config_get(cfg, "cli.table_cell_layout") : NULL;
  ro.wrap = og_args_has(&a, "wrap") || (layout && !strcmp(layout, "wrap"));
  /* target: an explicit URI wins; with an alias and a configured target the
   * positionals are all alias args (surface §2.2) */
  const char *uri = og_args_get(&a, "uri");
  if (!uri) uri = og_args_get(&a, "store");
  int first_arg = 0;
  char *owned_uri = NULL;
  const char *target = og_args_get(&a, "target");
  if (!target && alias) target = alias_get(cfg, alias, "graph");
  if (!target && cfg) target = og_config_get(cfg, "cli.graph");
  if (!uri && !(alias && target) && a.npos > 0) {
    uri = a.pos[0];
    first_arg = 1;
  }
  if (!uri && target) {
    if (!(owned_uri = named_graph_uri(cfg, target)))
      return fail_msg(OG_ENOTFOUND, "graph '%s' not found in omnigraph.yaml", target);
    uri = owned_uri;
  }
  if (!uri) return fail_msg(OG_EINVAL, "%s", "URI must be provided via <URI>, --target, or config");
  int nargs = a.npos - first_arg;
  char apath[512];
  if (alias) snprintf(apath, sizeof apath, "aliases.%s.args", alias);
  size_t declared = alias ? og_config_list_len(cfg, apath) : 0;
  if (nargs > 0 && !alias) {
    og_free(owned_uri);
    return og_args_usage_error(usage, "unexpected argument '%s' found", a.pos[first_arg]);
  }
  if (alias && (size_t)nargs > declared) {
    og_error e = OG_ERROR_INIT;
    og_err_set(&e, OG_EINVAL, "alias '%s' expects at most %zu args but got %d", alias, declared, nargs);
    og_free(owned_uri);
    return og_cli_fail(&e);
  }
  if (!branch && !snapshot) {
    branch = alias ? alias_get(cfg, alias, "branch") : NULL;
    if (!branch) branch = og_cli_branch(&a, "branch", cfg);
  }
  og_error err = OG_ERROR_INIT;
  char *text = NULL, *merged = NULL;
  og_db *db = NULL;
  og_result *res = NULL;
  if (is_remote(uri)) {
    rc = fail_msg(OG_EUNSUPPORTED, "%s", "query against a remote URI is not supported by this build yet");
    goto cleanup;
  }
  if ((rc = og_cli_qsrc_load(&q, cfg))) goto cleanup;
  const char *ptext = q.params;
  if (nargs > 0) {
    /* alias args by declared name (JSON when it parses, else a string);
     * explicit --params keys win */
    json_t *pv = ptext ? json_loads(ptext, JSON_DECODE_ANY, NULL) : NULL;
    json_t *obj = json_object();
    for (int i = 0; i < nargs; i++) {
      const char *v = a.pos[first_arg + i];
      json_t *jv = json_loads(v, JSON_DECODE_ANY, NULL);
      if (!jv) jv = json_string(v);
      json_object_set_new(obj, og_config_list_get(cfg, apath, (size_t)i), jv);
    }
    if (pv) json_object_update(obj, pv);
    json_decref(pv);
    char *d = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    merged = d ? og_strdup(d) : NULL;
    free(d);
    ptext = merged;
  }
  og_query_opts qo = {.name = og_args_get(&a, "name"), .params_json = ptext, .branch = branch,
                      .snapshot = snapshot};
  if (!qo.name && alias) qo.name = alias_get(cfg, alias, "name");
  if (og_db_open(&db, uri, OG_DB_READ_ONLY, &err) ||
      og_db_query(db, q.gq, strlen(q.gq), &qo, &res, &err) ||
      og_result_render(res, fmt, &ro, &text, &err)) {
    rc = og_cli_fail(&err);
    goto cleanup;
  }
  fputs(text, stdout);
cleanup:
  og_string_free(text);
  og_result_free(res);
  og_db_close(db);
  og_cli_qsrc_dispose(&q);
  og_free(merged);
  og_free(owned_uri);
  return rc;
}

/*==================== export ====================*/

static og_status write_stdout(void *ctx, const char *data, size_t len, og_error *err) {
  (void)ctx;
  if (fwrite(data, 1, len, stdout) != len) return og_err_set(err, OG_EIO, "cannot write to stdout");
  return OG_OK;
}

static int cmd_export(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"branch", 0, true, false, "BRANCH", "Branch to export (default main)"},
      {"type", 0, true, true, "TYPE", "Export this node/edge type (repeatable)"},
      {"table", 0, true, true, "KEY", "Export this table key, e.g. node:Person (repeatable)"},
      {"jsonl", 0, false, false, NULL, "Deprecated; has no effect"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"store", 0, true, false, "URI", "Alias of --uri"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
  };
  const char *usage = "omnigraph export [--branch <BRANCH>] [--type <TYPE>]... [--table <KEY>]... <URI>";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage, "Export a branch as NDJSON to stdout.");
    return 0;
  }
  if (og_args_has(&a, "jsonl"))
    fprintf(stderr, "warning: `--jsonl` is deprecated and has no effect; export always writes JSONL\n");
  const og_config *cfg = NULL;
  const char *uri = NULL;
  if ((rc = og_cli_resolve(&a, 0, &cfg, &uri))) return rc;
  if (is_remote(uri))
    return fail_msg(OG_EUNSUPPORTED, "%s", "export against a remote URI is not supported by this build yet");
  const char *types[OG_ARGS_MAX_VALUES], *tables[OG_ARGS_MAX_VALUES];
  size_t nt = 0, nk = 0;
  for (int i = 0; i < og_args_count(&a, "type"); i++) types[nt++] = og_args_value_at(&a, "type", i);
  for (int i = 0; i < og_args_count(&a, "table"); i++) tables[nk++] = og_args_value_at(&a, "table", i);
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  if (og_db_open(&db, uri, OG_DB_READ_ONLY, &err) ||
      og_db_export(db, og_cli_branch(&a, "branch", cfg), types, nt, tables, nk, write_stdout, NULL, &err))
    rc = og_cli_fail(&err);
  fflush(stdout);
  og_db_close(db);
  return rc;
}

const og_cli_command og_cli_read_commands[] = {
    {"query", NULL, "Run a read query (alias: read)", cmd_query},
    {"export", NULL, "Export a branch as NDJSON", cmd_export},
    {NULL, NULL, NULL, NULL},
};
