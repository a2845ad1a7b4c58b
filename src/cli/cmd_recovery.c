/* omnigraph recovery list | intents | run (docs/durability.md). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "omnigraph.h"

#define NSPECS(s) (sizeof(s) / sizeof((s)[0]))

static const og_optspec specs[] = {
    {"uri", 0, true, false, "URI", "Graph URI (alternative to the positional)"},
    {"store", 0, true, false, "URI", "Alias of --uri"},
    {"target", 0, true, false, "NAME", "Graph name from omnigraph.yaml"},
    {"config", 0, true, false, "PATH", "Config file (default ./omnigraph.yaml)"},
    {"json", 0, false, false, NULL, "Print JSON"},
};

typedef og_status (*rec_fn)(const char *uri, char **json_out, og_error *err);
typedef void (*rec_print)(json_t *v);

static int run(int argc, char **argv, const char *usage, const char *about, rec_fn fn,
               rec_print print) {
  og_args a;
  int rc = og_args_parse(&a, specs, NSPECS(specs), argc, argv, 1, usage);
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, NSPECS(specs), usage, about);
    return 0;
  }
  const struct og_config *cfg = NULL;
  const char *uri = NULL;
  if ((rc = og_cli_resolve(&a, 0, &cfg, &uri))) return rc;
  og_error err = OG_ERROR_INIT;
  char *json = NULL;
  if (fn(uri, &json, &err) != OG_OK) return og_cli_fail(&err);
  if (og_args_has(&a, "json")) {
    og_cli_print_json(json);
  } else {
    json_t *v = json_loads(json, 0, NULL);
    if (v) print(v);
    json_decref(v);
  }
  og_string_free(json);
  return 0;
}

static void fmt_time(json_t *ms, char out[32]) {
  long long v = (long long)json_integer_value(ms);
  time_t secs = (time_t)(v / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(v % 1000));
}

static void print_records(json_t *v) {
  size_t i;
  json_t *r;
  json_t *recs = json_object_get(v, "records");
  if (!json_array_size(recs)) {
    printf("no recoveries recorded\n");
    return;
  }
  printf("%-26s  %-24s  %-14s  %-14s  %-12s  %s\n", "INTENT", "RESOLVED", "OUTCOME", "OPERATION",
         "BRANCH", "OBJECTS REMOVED");
  json_array_foreach(recs, i, r) {
    char t[32];
    fmt_time(json_object_get(r, "time_ms"), t);
    const char *cop = json_string_value(json_object_get(r, "committed_operation"));
    printf("%-26s  %-24s  %-14s  %-14s  %-12s  %zu\n",
           json_string_value(json_object_get(r, "intent")), t,
           json_string_value(json_object_get(r, "outcome")),
           cop ? cop : json_string_value(json_object_get(r, "operation")),
           json_string_value(json_object_get(r, "branch")),
           json_array_size(json_object_get(r, "objects_removed")));
  }
}

static void print_intents(json_t *v) {
  size_t i;
  json_t *r;
  json_t *l = json_object_get(v, "intents");
  if (!json_array_size(l)) {
    printf("no write intents\n");
    return;
  }
  json_array_foreach(l, i, r) {
    json_t *in = json_object_get(r, "intent");
    printf("%s  %-4s  %-14s  %-12s  %s\n", json_string_value(json_object_get(r, "id")),
           json_is_true(json_object_get(r, "live")) ? "live" : "dead",
           json_is_object(in) ? json_string_value(json_object_get(in, "operation")) : "?",
           json_is_object(in) ? json_string_value(json_object_get(in, "branch")) : "?",
           json_string_value(json_object_get(r, "reason")));
  }
}

static void print_run(json_t *v) {
  printf("recovery: %lld rolled forward, %lld rolled back, %lld deferred, %lld live, "
         "%lld objects removed\n",
         (long long)json_integer_value(json_object_get(v, "rolled_forward")),
         (long long)json_integer_value(json_object_get(v, "rolled_back")),
         (long long)json_integer_value(json_object_get(v, "deferred")),
         (long long)json_integer_value(json_object_get(v, "live")),
         (long long)json_integer_value(json_object_get(v, "objects_removed")));
}

static int cmd_recovery_list(int argc, char **argv) {
  return run(argc, argv, "omnigraph recovery list [--json] <URI>",
             "List the recovery audit log: every write intent a recovery resolved (read-only).",
             og_db_recovery_list, print_records);
}

static int cmd_recovery_intents(int argc, char **argv) {
  return run(argc, argv, "omnigraph recovery intents [--json] <URI>",
             "List the write intents present now and whether their writers are running (read-only).",
             og_db_intents, print_intents);
}

static int cmd_recovery_run(int argc, char **argv) {
  return run(argc, argv, "omnigraph recovery run [--json] <URI>",
             "Resolve the write intents of writers that are gone (what a read-write open does).",
             og_db_recover, print_run);
}

const og_cli_command og_cli_recovery_commands[] = {
    {"recovery", "list", "List the recovery audit log", cmd_recovery_list},
    {"recovery", "intents", "List pending write intents", cmd_recovery_intents},
    {"recovery", "run", "Recover what crashed writers left", cmd_recovery_run},
    {NULL, NULL, NULL, NULL},
};
