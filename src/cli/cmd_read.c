/* Read commands: query (alias read; main.c rewrites it), export. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "omnigraph.h"
#include "util/util.h"

#define NSPECS(s) (sizeof(s) / sizeof((s)[0]))

static const char *graph_uri(const og_args *a) {
  const char *u = og_args_get(a, "uri");
  if (!u) u = og_args_get(a, "store");
  if (!u && a->npos > 0) u = a->pos[0];
  return u;
}

static int fail_msg(og_status code, const char *fmt, const char *arg) {
  og_error err = OG_ERROR_INIT;
  og_err_set(&err, code, fmt, arg);
  return og_cli_fail(&err);
}

static bool is_remote(const char *uri) {
  return og_str_startswith(uri, "http://") || og_str_startswith(uri, "https://");
}

static bool blank(const char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
  return !*s;
}

/*==================== query ====================*/

static int cmd_query(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"query", 0, true, false, "FILE", "Query file (.gq)"},
      {"query-string", 'e', true, false, "GQ", "Query source text"},
      {"name", 0, true, false, "NAME", "Query to run (when the source has several)"},
      {"params", 0, true, false, "JSON", "Parameters as a JSON object"},
      {"params-file", 0, true, false, "FILE", "Parameters from a JSON file"},
      {"branch", 0, true, false, "BRANCH", "Branch to read (default main)"},
      {"snapshot", 0, true, false, "ID", "Commit id to read (time travel)"},
      {"format", 0, true, false, "FORMAT", "table (default) | kv | csv | jsonl | json"},
      {"json", 0, false, false, NULL, "Print the JSON envelope (same as --format json)"},
      {"max-column-width", 0, true, false, "N", "table: maximum column width (default 80)"},
      {"wrap", 0, false, false, NULL, "table: wrap long cells instead of truncating"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"store", 0, true, false, "URI", "Alias of --uri"},
  };
  const char *usage =
      "omnigraph query (--query <FILE> | -e <GQ>) [--name <NAME>] [--params <JSON> | --params-file <FILE>] "
      "[--branch <BRANCH> | --snapshot <ID>] [--format <FORMAT> | --json] <URI>";
  og_args a;
  int rc = og_args_parse(&a, specs, NSPECS(specs), argc, argv, OG_ARGS_MAX_POS, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, NSPECS(specs), usage, "Run a read query (alias: read).");
    return 0;
  }
  const char *qfile = og_args_get(&a, "query"), *qstr = og_args_get(&a, "query-string");
  if (qfile && qstr)
    return og_args_usage_error(usage, "the argument '--query <FILE>' cannot be used with '--query-string <GQ>'");
  const char *pjson = og_args_get(&a, "params"), *pfile = og_args_get(&a, "params-file");
  if (pjson && pfile)
    return og_args_usage_error(usage, "the argument '--params <JSON>' cannot be used with '--params-file <FILE>'");
  const char *branch = og_args_get(&a, "branch"), *snapshot = og_args_get(&a, "snapshot");
  if (branch && snapshot)
    return og_args_usage_error(usage, "the argument '--branch <BRANCH>' cannot be used with '--snapshot <ID>'");
  const char *fname = og_args_get(&a, "format");
  if (fname && og_args_has(&a, "json"))
    return og_args_usage_error(usage, "the argument '--format <FORMAT>' cannot be used with '--json'");
  og_result_format fmt = OG_FORMAT_TABLE;
  if (og_args_has(&a, "json")) fmt = OG_FORMAT_JSON;
  else if (fname && !og_result_format_parse(fname, &fmt))
    return og_args_usage_error(usage,
                               "invalid value '%s' for '--format <FORMAT>' [possible values: table, kv, csv, jsonl, json]",
                               fname);
  og_render_opts ro = {0};
  const char *mcw = og_args_get(&a, "max-column-width");
  if (mcw) ro.max_column_width = (size_t)strtoull(mcw, NULL, 10);
  ro.wrap = og_args_has(&a, "wrap");
  if (!qfile && !qstr)
    return fail_msg(OG_EINVAL, "%s", "exactly one of --query, --query-string, or --alias must be provided");
  if (qstr && blank(qstr)) return fail_msg(OG_EINVAL, "%s", "--query-string must not be empty");
  const char *uri = graph_uri(&a);
  if (!uri) return fail_msg(OG_EINVAL, "%s", "URI must be provided via <URI>, --target, or config");
  if (is_remote(uri))
    return fail_msg(OG_EUNSUPPORTED, "%s", "query against a remote URI is not supported by this build yet");
  og_error err = OG_ERROR_INIT;
  char *src = NULL, *params_text = NULL, *text = NULL;
  og_db *db = NULL;
  og_result *res = NULL;
  if (qfile) {
    FILE *f = fopen(qfile, "rb");
    if (!f) {
      rc = fail_msg(OG_ENOTFOUND, "query file '%s' not found", qfile);
      goto cleanup;
    }
    fclose(f);
    if (og_cli_read_file(qfile, &src, &err)) {
      rc = og_cli_fail(&err);
      goto cleanup;
    }
  }
  if (pfile && og_cli_read_file(pfile, &params_text, &err)) {
    rc = og_cli_fail(&err);
    goto cleanup;
  }
  const char *ptext = pfile ? params_text : pjson;
  if (ptext) {
    json_t *pv = json_loads(ptext, JSON_DECODE_ANY, NULL);
    bool obj = json_is_object(pv);
    json_decref(pv);
    if (!obj) {
      rc = fail_msg(OG_EINVAL, "%s", "params JSON must be an object");
      goto cleanup;
    }
  }
  og_query_opts qo = {.name = og_args_get(&a, "name"), .params_json = ptext, .branch = branch,
                      .snapshot = snapshot};
  const char *gq = qfile ? src : qstr;
  if (og_db_open(&db, uri, OG_DB_READ_ONLY, &err) || og_db_query(db, gq, strlen(gq), &qo, &res, &err) ||
      og_result_render(res, fmt, &ro, &text, &err)) {
    rc = og_cli_fail(&err);
    goto cleanup;
  }
  fputs(text, stdout);
cleanup:
  og_string_free(text);
  og_result_free(res);
  og_db_close(db);
  og_free(src);
  og_free(params_text);
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
  };
  const char *usage = "omnigraph export [--branch <BRANCH>] [--type <TYPE>]... [--table <KEY>]... <URI>";
  og_args a;
  int rc = og_args_parse(&a, specs, NSPECS(specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, NSPECS(specs), usage, "Export a branch as NDJSON to stdout.");
    return 0;
  }
  if (og_args_has(&a, "jsonl"))
    fprintf(stderr, "warning: `--jsonl` is deprecated and has no effect; export always writes JSONL\n");
  const char *uri = graph_uri(&a);
  if (!uri) return fail_msg(OG_EINVAL, "%s", "URI must be provided via <URI>, --target, or config");
  if (is_remote(uri))
    return fail_msg(OG_EUNSUPPORTED, "%s", "export against a remote URI is not supported by this build yet");
  const char *types[OG_ARGS_MAX_VALUES], *tables[OG_ARGS_MAX_VALUES];
  size_t nt = 0, nk = 0;
  for (int i = 0; i < og_args_count(&a, "type"); i++) types[nt++] = og_args_value_at(&a, "type", i);
  for (int i = 0; i < og_args_count(&a, "table"); i++) tables[nk++] = og_args_value_at(&a, "table", i);
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  if (og_db_open(&db, uri, OG_DB_READ_ONLY, &err) ||
      og_db_export(db, og_args_get(&a, "branch"), types, nt, tables, nk, write_stdout, NULL, &err))
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
