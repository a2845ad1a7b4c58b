/*
 * cli — shared declarations of the omnigraph command: the command table and
 * small output helpers. Each cmd_*.c file implements commands through the
 * public API only.
 */
#ifndef OG_CLI_H
#define OG_CLI_H

#include <stdbool.h>

#include "cli/args.h"
#include "og_status.h"

typedef struct og_cli_command {
  const char *name;
  const char *sub; /* NULL for single-word commands */
  const char *about;
  int (*run)(int argc, char **argv); /* argv excludes the command words */
} og_cli_command;

extern const og_cli_command og_cli_commands[];       /* commands.c: tools */
extern const og_cli_command og_cli_graph_commands[]; /* cmd_graph.c */
extern const og_cli_command og_cli_write_commands[]; /* cmd_write.c: load, mutate */
extern const og_cli_command og_cli_read_commands[];  /* cmd_read.c: query, export */
extern const og_cli_command og_cli_merge_commands[]; /* cmd_merge.c: branch merge, diff */
extern const og_cli_command og_cli_maint_commands[]; /* cmd_maint.c: optimize, schema apply, cleanup */
extern const og_cli_command og_cli_recovery_commands[]; /* cmd_recovery.c: recovery list/intents/run */

const char *og_cli_version(void);
/* Print "Error: <message>" (plus " at line L, column C" when known) and return
 * the exit code for the status. */
int og_cli_fail(const og_error *err);
/* Read a whole file (for --schema, --query, --data); fills err naming the path. */
/* Pretty-print a JSON text with 2-space indent, keeping key order. */
void og_cli_print_json(const char *json);
/* The same for a jansson value (json_t *). */
void og_cli_print_json_value(const void *json_value);
/* Open a local graph (remote http(s) URIs are refused here); 0 or the exit
 * code after printing the error. */
struct og_db;
int og_cli_open(const char *uri, unsigned flags, struct og_db **db);
og_status og_cli_read_file(const char *path, char **out, og_error *err);

/* Target resolution (target.c). Each returns 0 or the exit code after
 * printing the error. og_cli_config loads --config <path> or ./omnigraph.yaml
 * (an empty config when there is none) once per process; the config and the
 * resolved URI are borrowed and live until exit. */
struct og_config;
int og_cli_config(const og_args *a, struct og_config **cfg);
/* The graph URI: --uri / --store / the positional at pos_index, else
 * --target or cli.graph through graphs.<name>.uri (relative to the config). */
int og_cli_target(const og_args *a, int pos_index, const struct og_config *cfg,
                  const char **uri_out);
/* og_cli_config + og_cli_target in one call. */
int og_cli_resolve(const og_args *a, int pos_index, const struct og_config **cfg_out,
                   const char **uri_out);
/* --<flag> (default "branch"), else cli.branch, else "main". */
const char *og_cli_branch(const og_args *a, const char *flag, const struct og_config *cfg);
/* --as (anywhere on the command line), else cli.actor, else NULL. */
const char *og_cli_actor(const og_args *a, const struct og_config *cfg);
extern const char *og_cli_global_actor; /* set by main() from a global --as */

/* The query source and params of query and mutate (query_src.c; surface.md
 * §2.1). og_cli_qsrc_args takes --query, -e, --params and --params-file and
 * refuses their conflicts (usage errors, exit 2); `alias` is query's
 * --alias value (NULL for mutate). A caller may then set `file` (an
 * alias's query file). og_cli_qsrc_check refuses no source or an empty -e;
 * og_cli_qsrc_load resolves and reads the query file (query.roots),
 * reads --params-file and checks the params are a JSON object, setting `gq`
 * and `params`. Each returns 0 or the exit code after printing the error;
 * og_cli_qsrc_dispose frees what load read. */
typedef struct og_cli_qsrc {
  const char *file, *text, *params_json, *params_file; /* the arguments */
  const char *gq;     /* after load: the query source text */
  const char *params; /* after load: the params object text, or NULL */
  char *src_, *params_text_, *path_; /* owned */
} og_cli_qsrc;
int og_cli_qsrc_args(og_cli_qsrc *q, const og_args *a, const char *usage, const char *alias);
int og_cli_qsrc_check(const og_cli_qsrc *q);
int og_cli_qsrc_load(og_cli_qsrc *q, const struct og_config *cfg);
void og_cli_qsrc_dispose(og_cli_qsrc *q);

int og_cmd_version(int argc, char **argv);
int og_cmd_lint(int argc, char **argv);
int og_cmd_schema_plan(int argc, char **argv);

#endif
