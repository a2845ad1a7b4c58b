/* Merge commands: branch merge, diff (docs/branches.md). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "omnigraph.h"
#include "util/util.h"

/*==================== branch merge ====================*/

static int cmd_branch_merge(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"into", 0, true, false, "BRANCH", "Target branch (default main)"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"store", 0, true, false, "URI", "Alias of --uri"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
      {"as", 0, true, false, "ACTOR", "Actor recorded on the merge commit"},
      {"json", 0, false, false, NULL, "Print JSON"},
  };
  const char *usage = "omnigraph branch merge <SOURCE> [--into <BRANCH>] [--json] [URI]";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, 2, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage,
                       "Merge a branch into another (three-way, row-level; one merge commit).");
    return 0;
  }
  if (a.npos < 1) return og_args_usage_error(usage, "the following required arguments were not provided: <SOURCE>");
  const char *source = a.pos[0];
  const char *target = og_args_get(&a, "into");
  if (!target) target = "main";
  bool json = og_args_has(&a, "json");
  const og_config *cfg = NULL;
  const char *uri = NULL;
  if ((rc = og_cli_resolve(&a, 1, &cfg, &uri))) return rc;
  const char *actor = og_cli_actor(&a, cfg);
  og_db *db = NULL;
  if ((rc = og_cli_open(uri, 0, &db))) return rc;
  og_error err = OG_ERROR_INIT;
  og_merge_result r;
  og_status st = og_db_branch_merge(db, source, target, actor, &r, &err);
  if (st == OG_OK) {
    if (json) {
      json_t *o = json_object();
      json_object_set_new(o, "source", json_string(source));
      json_object_set_new(o, "target", json_string(target));
      json_object_set_new(o, "outcome", json_string(og_merge_outcome_name(r.outcome)));
      json_object_set_new(o, "actor_id", actor ? json_string(actor) : json_null());
      json_object_set_new(o, "graph_commit_id", r.commit_id[0] ? json_string(r.commit_id) : json_null());
      json_object_set_new(o, "manifest_version", json_integer((json_int_t)r.manifest_version));
      og_cli_print_json_value(o);
      json_decref(o);
    } else {
      printf("merged %s into %s: %s\n", source, target, og_merge_outcome_name(r.outcome));
    }
  } else if (r.conflicts_json) {
    json_t *list = json_loads(r.conflicts_json, 0, NULL);
    if (json) {
      json_t *o = json_object();
      json_object_set_new(o, "error", json_string(err.message));
      json_object_set_new(o, "code", json_string("conflict"));
      json_object_set_new(o, "merge_conflicts", list ? json_incref(list) : json_array());
      og_cli_print_json_value(o);
      json_decref(o);
      rc = og_status_exit(st);
    } else {
      rc = og_cli_fail(&err);
      size_t i;
      json_t *c;
      json_array_foreach(list, i, c) {
        json_t *id = json_object_get(c, "row_id");
        fprintf(stderr, "  %s %s:%s: %s\n", json_string_value(json_object_get(c, "kind")),
                json_string_value(json_object_get(c, "table_key")),
                json_is_string(id) ? json_string_value(id) : "-",
                json_string_value(json_object_get(c, "message")));
      }
    }
    json_decref(list);
  } else {
    rc = og_cli_fail(&err);
  }
  og_merge_result_dispose(&r);
  og_db_close(db);
  return rc;
}

/*==================== diff ====================*/

static void print_value(FILE *f, json_t *v) {
  if (json_is_string(v)) {
    fputs(json_string_value(v), f);
    return;
  }
  char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  fputs(s ? s : "?", f);
  free(s);
}

static int cmd_diff(int argc, char **argv) {
  static const og_optspec specs[] = {
      {"type", 0, true, false, "TYPE", "Only this node or edge type"},
      {"from-base", 0, false, false, NULL,
       "Diff from the common ancestor of FROM and TO: what TO changed since it diverged"},
      {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
      {"store", 0, true, false, "URI", "Alias of --uri"},
      {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
      {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
      {"json", 0, false, false, NULL, "Print JSON"},
  };
  const char *usage = "omnigraph diff <FROM> <TO> [--type <TYPE>] [--from-base] [--json] [URI]";
  og_args a;
  int rc = og_args_parse(&a, specs, OG_NSPECS(specs), argc, argv, 3, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, OG_NSPECS(specs), usage,
                       "Entity-level changes between two versions (commit id, branch, or "
                       "branch@version).");
    return 0;
  }
  if (a.npos < 2)
    return og_args_usage_error(usage, "the following required arguments were not provided: <FROM> <TO>");
  const og_config *cfg = NULL;
  const char *uri = NULL;
  if ((rc = og_cli_resolve(&a, 2, &cfg, &uri))) return rc;
  og_db *db = NULL;
  if ((rc = og_cli_open(uri, OG_DB_READ_ONLY, &db))) return rc;
  og_error err = OG_ERROR_INIT;
  char *out = NULL;
  og_status drc = og_args_has(&a, "from-base")
                     ? og_db_diff_from_base_json(db, a.pos[0], a.pos[1], og_args_get(&a, "type"), &out, &err)
                     : og_db_diff_json(db, a.pos[0], a.pos[1], og_args_get(&a, "type"), &out, &err);
  if (drc) {
    rc = og_cli_fail(&err);
  } else if (og_args_has(&a, "json")) {
    og_cli_print_json(out);
  } else {
    json_t *d = json_loads(out, 0, NULL);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(d, "changes"), i, c) {
      const char *op = json_string_value(json_object_get(c, "op"));
      printf("%c %s %s %s", op[0] == 'i' ? '+' : op[0] == 'd' ? '-' : '~',
             json_string_value(json_object_get(c, "kind")),
             json_string_value(json_object_get(c, "type_name")),
             json_string_value(json_object_get(c, "id")));
      json_t *ep = json_object_get(c, "endpoints");
      if (ep) {
        printf(" (");
        print_value(stdout, json_object_get(ep, "src"));
        printf(" -> ");
        print_value(stdout, json_object_get(ep, "dst"));
        printf(")");
      }
      const char *k;
      json_t *f;
      json_object_foreach(json_object_get(c, "fields"), k, f) {
        printf(" %s: ", k);
        print_value(stdout, json_object_get(f, "old"));
        printf(" -> ");
        print_value(stdout, json_object_get(f, "new"));
      }
      putchar('\n');
    }
    json_t *st = json_object_get(d, "stats");
    printf("%lld inserted, %lld updated, %lld deleted\n",
           (long long)json_integer_value(json_object_get(st, "inserts")),
           (long long)json_integer_value(json_object_get(st, "updates")),
           (long long)json_integer_value(json_object_get(st, "deletes")));
    json_decref(d);
  }
  og_string_free(out);
  og_db_close(db);
  return rc;
}

const og_cli_command og_cli_merge_commands[] = {
    {"branch", "merge", "Merge a branch into another", cmd_branch_merge},
    {"diff", NULL, "Show changes between two versions", cmd_diff},
    {NULL, NULL, NULL, NULL},
};
