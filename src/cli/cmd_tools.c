/* Tool commands: lint, schema plan (--from a file, or against a graph). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "omnigraph.h"
#include "util/util.h"

int og_cmd_lint(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"query", 0, true, false, "QUERY", "Query file (.gq) to lint"},
      {"schema", 0, true, false, "SCHEMA", "Schema file (.pg) to lint against"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file"},
      {"json", 0, false, false, NULL, "Print the report as JSON"},
  };
  const char *usage = "omnigraph lint --query <QUERY> [--schema <SCHEMA>] [--json] [URI]";
  og_args a;
  int rc = og_args_parse(&a, specs, sizeof specs / sizeof specs[0], argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, sizeof specs / sizeof specs[0], usage,
                       "Type-check and lint every query of a .gq file against a schema.");
    return 0;
  }
  const char *qpath = og_args_get(&a, "query");
  const char *spath = og_args_get(&a, "schema");
  if (!qpath) return og_args_usage_error(usage, "the following required arguments were not provided: --query <QUERY>");
  og_error err = OG_ERROR_INIT;
  const og_config *cfg = NULL;
  const char *uri = NULL;
  if (!spath) {
    /* the graph-bound form: a resolvable local graph supplies the schema */
    og_config *c = NULL;
    if ((rc = og_cli_config(&a, &c))) return rc;
    cfg = c;
    uri = og_args_get(&a, "uri") ? og_args_get(&a, "uri") : (a.npos ? a.pos[0] : NULL);
    const char *name = og_args_get(&a, "target");
    if (!uri && !name) name = og_config_get(cfg, "cli.graph");
    if (!uri && !name) {
      og_err_set(&err, OG_EINVAL, "query lint requires --schema <schema.pg> or a resolvable graph target");
      return og_cli_fail(&err);
    }
    if (!uri && (rc = og_cli_target(&a, 0, cfg, &uri))) return rc;
  } else if (a.npos) {
    uri = a.pos[0];
  }
  if (uri && (og_str_startswith(uri, "http://") || og_str_startswith(uri, "https://"))) {
    og_err_set(&err, OG_EINVAL, "query lint is only supported against local graph URIs in this milestone");
    return og_cli_fail(&err);
  }
  char *schema = NULL, *query = NULL;
  og_lint_report *rep = NULL;
  og_db *db = NULL;
  int exit_code = 0;
  if (spath) {
    if (og_cli_read_file(spath, &schema, &err)) goto fail;
  } else if (og_db_open(&db, uri, OG_DB_READ_ONLY, &err) || og_db_schema_source(db, NULL, &schema, &err)) {
    goto fail;
  }
  if (og_cli_read_file(qpath, &query, &err) ||
      og_lint_run(&rep, schema, strlen(schema), spath ? "file" : "graph", spath ? spath : uri, query,
                  strlen(query), qpath, &err))
    goto fail;
  if (og_args_has(&a, "json")) og_cli_print_json(og_lint_json(rep));
  else fputs(og_lint_text(rep), stdout);
  exit_code = og_lint_has_errors(rep) ? 1 : 0;
  goto cleanup;
fail:
  exit_code = og_cli_fail(&err);
cleanup:
  og_db_close(db);
  og_lint_report_free(rep);
  og_free(schema);
  og_free(query);
  return exit_code;
}

int og_cmd_schema_plan(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"schema", 0, true, false, "SCHEMA", "The desired schema (.pg)"},
      {"from", 0, true, false, "SCHEMA", "The accepted schema to plan from (.pg), instead of a graph"},
      {"allow-data-loss", 0, false, false, NULL, "Plan drops as hard drops"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"json", 0, false, false, NULL, "Print the plan as JSON"},
  };
  const char *usage = "omnigraph schema plan --schema <SCHEMA> (--from <SCHEMA> | URI) [--allow-data-loss] [--json]";
  og_args a;
  int rc = og_args_parse(&a, specs, sizeof specs / sizeof specs[0], argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, sizeof specs / sizeof specs[0], usage,
                       "Show the migration steps from the accepted schema to a new one.");
    return 0;
  }
  const char *spath = og_args_get(&a, "schema");
  const char *from = og_args_get(&a, "from");
  const char *uri = og_args_get(&a, "uri") ? og_args_get(&a, "uri") : (a.npos ? a.pos[0] : NULL);
  if (!spath) return og_args_usage_error(usage, "the following required arguments were not provided: --schema <SCHEMA>");
  og_error err = OG_ERROR_INIT;
  if (!from && !uri) {
    og_err_set(&err, OG_EINVAL, "schema plan requires --from <schema.pg> or a graph URI");
    return og_cli_fail(&err);
  }
  if (!from && (og_str_startswith(uri, "http://") || og_str_startswith(uri, "https://"))) {
    og_err_set(&err, OG_EUNSUPPORTED, "schema plan is only supported against local graph URIs in this milestone");
    return og_cli_fail(&err);
  }
  char *old_src = NULL, *new_src = NULL;
  og_schema_plan *plan = NULL;
  og_db *db = NULL;
  int exit_code = 0;
  if (og_cli_read_file(spath, &new_src, &err) ||
      (from ? og_cli_read_file(from, &old_src, &err) ||
                  og_schema_plan_new(&plan, old_src, strlen(old_src), new_src, strlen(new_src),
                                     og_args_has(&a, "allow-data-loss"), &err)
            : og_db_open(&db, uri, OG_DB_READ_ONLY, &err) ||
                  og_db_schema_plan(db, NULL, new_src, strlen(new_src),
                                    og_args_has(&a, "allow-data-loss"), &plan, &err))) {
    exit_code = og_cli_fail(&err);
    goto cleanup;
  }
  const char *label = uri ? uri : from;
  size_t n = og_schema_plan_step_count(plan);
  if (og_args_has(&a, "json")) {
    og_buf b = OG_BUF_INIT;
    og_buf_puts(&b, "{\"uri\":");
    og_buf_put_json_str(&b, label, strlen(label));
    og_buf_printf(&b, ",\"supported\":%s,\"step_count\":%zu,\"steps\":%s}",
                  og_schema_plan_supported(plan) ? "true" : "false", n, og_schema_plan_steps_json(plan));
    og_cli_print_json(b.ptr ? b.ptr : "null");
    og_buf_dispose(&b);
  } else {
    printf("schema plan for %s\nsupported: %s\n", label, og_schema_plan_supported(plan) ? "yes" : "no");
    if (n == 0) printf("no schema changes\n");
    for (size_t i = 0; i < n; i++) printf("- %s\n", og_schema_plan_step_text(plan, i));
  }
cleanup:
  og_db_close(db);
  og_schema_plan_free(plan);
  og_free(old_src);
  og_free(new_src);
  return exit_code;
}
