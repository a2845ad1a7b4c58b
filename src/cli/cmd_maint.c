/* Maintenance commands: optimize, schema apply, cleanup
 * (spec surface.md §2.3; docs/maintenance.md, docs/schema-evolution.md). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "omnigraph.h"
#include "util/util.h"

/* The graph URI (positional, --uri, --target or cli.graph), local only. */
static int resolve_local(const og_args *a, const char *op, const og_config **cfg,
                         const char **uri) {
  int rc = og_cli_resolve(a, 0, cfg, uri);
  if (rc) return rc;
  if (og_str_startswith(*uri, "http://") || og_str_startswith(*uri, "https://")) {
    og_error err = OG_ERROR_INIT;
    og_err_set(&err, OG_EUNSUPPORTED, "%s is only supported against local graph URIs in this milestone", op);
    return og_cli_fail(&err);
  }
  return 0;
}

/*==================== optimize ====================*/

static int cmd_optimize(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
      {"branch", 0, true, false, "BRANCH", "Branch to optimize (default main)"},
      {"json", 0, false, false, NULL, "Print the statistics as JSON"},
      {"as", 0, true, false, "ACTOR", "Actor recorded on the commits"},
  };
  const char *usage = "omnigraph optimize [--branch <BRANCH>] [--json] <URI>";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage,
                       "Compact small fragments and purge deleted rows of every table (content-preserving).");
    return 0;
  }
  const og_config *cfg = NULL;
  const char *uri = NULL;
  og_db *db = NULL;
  if ((rc = resolve_local(&a, "optimize", &cfg, &uri)) || (rc = og_cli_open(uri, 0, &db))) return rc;
  og_error err = OG_ERROR_INIT;
  char *json = NULL;
  og_optimize_db_opts o = {.branch = og_cli_branch(&a, NULL, cfg), .actor = og_cli_actor(&a, cfg)};
  int exit_code = 0;
  if (og_db_optimize(db, &o, &json, &err)) {
    exit_code = og_cli_fail(&err);
  } else if (og_args_has(&a, "json")) {
    og_cli_print_json(json);
  } else {
    json_t *v = json_loads(json, 0, NULL);
    json_t *tables = json_object_get(v, "tables");
    size_t committed = 0;
    printf("optimize for %s (branch %s)\n", json_string_value(json_object_get(v, "uri")),
           json_string_value(json_object_get(v, "branch")));
    for (size_t i = 0; i < json_array_size(tables); i++) {
      json_t *t = json_array_get(tables, i);
      bool c = json_is_true(json_object_get(t, "committed"));
      const char *sk = json_string_value(json_object_get(t, "skipped"));
      committed += c;
      printf("%s: fragments %" JSON_INTEGER_FORMAT " -> %" JSON_INTEGER_FORMAT
             " (removed %" JSON_INTEGER_FORMAT ", added %" JSON_INTEGER_FORMAT "), rows %" JSON_INTEGER_FORMAT
             ", %s\n",
             json_string_value(json_object_get(t, "table_key")),
             json_integer_value(json_object_get(t, "fragments_before")),
             json_integer_value(json_object_get(t, "fragments_after")),
             json_integer_value(json_object_get(t, "fragments_removed")),
             json_integer_value(json_object_get(t, "fragments_added")),
             json_integer_value(json_object_get(t, "rows")),
             c ? "committed" : sk ? sk : "nothing to do");
    }
    printf("manifest_version: %" JSON_INTEGER_FORMAT "\n",
           json_integer_value(json_object_get(v, "manifest_version")));
    if (!committed) printf("nothing to optimize\n");
    json_decref(v);
  }
  og_string_free(json);
  og_db_close(db);
  return exit_code;
}

/*==================== schema apply ====================*/

static int cmd_schema_apply(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"schema", 0, true, false, "SCHEMA", "The desired schema (.pg)"},
      {"allow-data-loss", 0, false, false, NULL, "Drops are hard: purge the dropped data's history"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
      {"branch", 0, true, false, "BRANCH", "Branch whose schema evolves (default main)"},
      {"json", 0, false, false, NULL, "Print the result as JSON"},
      {"as", 0, true, false, "ACTOR", "Actor recorded on the commit"},
  };
  const char *usage = "omnigraph schema apply --schema <SCHEMA> [--allow-data-loss] [--json] <URI>";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage,
                       "Migrate the graph to a new schema in one atomic commit.");
    return 0;
  }
  const char *spath = og_args_get(&a, "schema");
  if (!spath) return og_args_usage_error(usage, "the following required arguments were not provided: --schema <SCHEMA>");
  const og_config *cfg = NULL;
  const char *uri = NULL;
  if ((rc = resolve_local(&a, "schema apply", &cfg, &uri))) return rc;
  og_error err = OG_ERROR_INIT;
  char *src = NULL;
  if (og_cli_read_file(spath, &src, &err)) return og_cli_fail(&err);
  og_db *db = NULL;
  if ((rc = og_cli_open(uri, 0, &db))) {
    og_free(src);
    return rc;
  }
  og_schema_apply_opts o = {.branch = og_cli_branch(&a, NULL, cfg),
                            .allow_data_loss = og_args_has(&a, "allow-data-loss"),
                            .actor = og_cli_actor(&a, cfg)};
  og_schema_apply_result r = {0};
  int exit_code = 0;
  if (og_db_schema_apply(db, &o, src, strlen(src), &r, &err)) {
    exit_code = og_cli_fail(&err);
  } else if (og_args_has(&a, "json")) {
    og_buf b = OG_BUF_INIT;
    og_buf_puts(&b, "{\"uri\":");
    og_buf_put_json_str(&b, uri, strlen(uri));
    og_buf_printf(&b, ",\"supported\":%s,\"applied\":%s,\"step_count\":%zu,\"manifest_version\":%llu,\"steps\":%s}",
                  r.supported ? "true" : "false", r.applied ? "true" : "false", r.step_count,
                  (unsigned long long)r.manifest_version, r.steps_json ? r.steps_json : "[]");
    og_cli_print_json(b.ptr ? b.ptr : "null");
    og_buf_dispose(&b);
  } else {
    printf("schema apply for %s\nsupported: %s\napplied: %s\nmanifest_version: %llu\n", uri,
           r.supported ? "yes" : "no", r.applied ? "yes" : "no", (unsigned long long)r.manifest_version);
    if (r.step_count == 0) printf("no schema changes\n");
    for (size_t i = 0; i < r.step_count; i++) printf("- %s\n", r.step_text[i]);
  }
  if (!exit_code && r.warning) fprintf(stderr, "warning: %s\n", r.warning);
  og_schema_apply_result_dispose(&r);
  og_db_close(db);
  og_free(src);
  return exit_code;
}

/*==================== cleanup ====================*/

static int cmd_cleanup(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"keep", 0, true, false, "N", "Keep the newest N versions of every branch"},
      {"older-than", 0, true, false, "DUR", "Keep versions younger than DUR (<int>[s|m|h|d|w])"},
      {"grace", 0, true, false, "DUR", "Unreferenced objects younger than DUR are kept (default 1h)"},
      {"confirm", 0, false, false, NULL, "Actually delete (otherwise only preview)"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
      {"json", 0, false, false, NULL, "Print the statistics as JSON"},
  };
  const char *usage = "omnigraph cleanup (--keep <N> | --older-than <DUR>) [--confirm] [--json] <URI>";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage,
                       "Delete table objects that no retained version of any branch references.");
    return 0;
  }
  og_error err = OG_ERROR_INIT;
  og_cleanup_db_opts o = {0};
  const char *keep = og_args_get(&a, "keep"), *older = og_args_get(&a, "older-than");
  const char *grace = og_args_get(&a, "grace");
  if (!keep && !older) {
    og_err_set(&err, OG_EINVAL, "cleanup requires at least one of --keep or --older-than");
    return og_cli_fail(&err);
  }
  if (keep) {
    char *end = NULL;
    unsigned long long k = strtoull(keep, &end, 10);
    if (!*keep || *end || keep[0] == '-' || k == 0) {
      return og_args_usage_error(usage, "invalid value '%s' for '--keep <N>': expected a positive integer", keep);
    }
    o.keep_set = true;
    o.keep = k;
  }
  if (older) {
    if (og_duration_parse(older, &o.older_than_secs, &err)) return og_cli_fail(&err);
    o.older_than_set = true;
  }
  if (grace) {
    if (og_duration_parse(grace, &o.grace_secs, &err)) return og_cli_fail(&err);
    o.grace_set = true;
  }
  const og_config *cfg = NULL;
  const char *uri = NULL;
  if ((rc = resolve_local(&a, "cleanup", &cfg, &uri))) return rc;
  if (!og_args_has(&a, "confirm")) {
    char desc[200] = "";
    if (keep && older) snprintf(desc, sizeof desc, "keep the newest %s version(s), or versions newer than %s", keep, older);
    else if (keep) snprintf(desc, sizeof desc, "keep the newest %s version(s)", keep);
    else snprintf(desc, sizeof desc, "keep versions newer than %s", older);
    fprintf(stderr, "cleanup is destructive — rerun with --confirm. Policy for %s: %s\n", uri, desc);
    return 0;
  }
  og_db *db = NULL;
  if ((rc = og_cli_open(uri, 0, &db))) return rc;
  char *json = NULL;
  int exit_code = 0;
  if (og_db_cleanup(db, &o, &json, &err)) {
    exit_code = og_cli_fail(&err);
  } else if (og_args_has(&a, "json")) {
    og_cli_print_json(json);
  } else {
    json_t *v = json_loads(json, 0, NULL);
    printf("cleanup for %s\n", uri);
    json_t *tables = json_object_get(v, "tables");
    for (size_t i = 0; i < json_array_size(tables); i++) {
      json_t *t = json_array_get(tables, i);
      const char *e = json_string_value(json_object_get(t, "error"));
      printf("%s: %" JSON_INTEGER_FORMAT " old version(s), %" JSON_INTEGER_FORMAT " bytes removed%s%s\n",
             json_string_value(json_object_get(t, "table_key")),
             json_integer_value(json_object_get(t, "old_versions_removed")),
             json_integer_value(json_object_get(t, "bytes_removed")), e ? "; error: " : "", e ? e : "");
    }
    printf("objects removed: %" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT " bytes, %" JSON_INTEGER_FORMAT
           " orphans)\n",
           json_integer_value(json_object_get(v, "objects_removed")),
           json_integer_value(json_object_get(v, "bytes_removed")),
           json_integer_value(json_object_get(v, "orphans_removed")));
    json_decref(v);
  }
  og_string_free(json);
  og_db_close(db);
  return exit_code;
}

const og_cli_command og_cli_maint_commands[] = {
    {"optimize", NULL, "Compact the tables of a branch (content-preserving)", cmd_optimize},
    {"schema", "apply", "Migrate a graph to a new schema", cmd_schema_apply},
    {"cleanup", NULL, "Delete objects no retained version references", cmd_cleanup},
    {NULL, NULL, NULL, NULL},
};
