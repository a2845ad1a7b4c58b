/* The command table and shared CLI helpers. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "omnigraph.h"
#include "util/util.h"

#define OG_VERSION_STRING "0.6.2"

const char *og_cli_version(void) { return OG_VERSION_STRING; }

int og_cli_fail(const og_error *err) {
  if (err->line > 0)
    fprintf(stderr, "Error: %s (line %d, column %d)\n", err->message, err->line, err->column);
  else
    fprintf(stderr, "Error: %s\n", err->message);
  return og_status_exit(err->code ? err->code : OG_ERROR);
}

og_status og_cli_read_file(const char *path, char **out, og_error *err) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return og_err_set(err, errno == ENOENT ? OG_ENOTFOUND : OG_EIO, "%s: %s", path, strerror(errno));
  og_buf b = OG_BUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) og_buf_put(&b, chunk, n);
  bool failed = ferror(f);
  fclose(f);
  if (failed) {
    og_buf_dispose(&b);
    return og_err_set(err, OG_EIO, "%s: read error", path);
  }
  if (og_buf_puts(&b, "")) {
    og_buf_dispose(&b);
    return og_err_oom(err);
  }
  *out = og_buf_detach(&b, NULL);
  return OG_OK;
}

int og_cmd_version(int argc, char **argv) {
  static const og_optspec specs[] = {{0}};
  og_args a;
  int rc = og_args_parse(&a, specs, 0, argc, argv, 0, "omnigraph version");
  if (rc) return rc;
  if (a.help) {
    og_args_print_help(specs, 0, "omnigraph version", "Print the version.");
    return 0;
  }
  printf("omnigraph %s\n", og_cli_version());
  return 0;
}

const og_cli_command og_cli_commands[] = {
    {"version", NULL, "Print the version", og_cmd_version},
    {"lint", NULL, "Type-check and lint a query file against a schema", og_cmd_lint},
    {"schema", "plan", "Show the migration plan to a new schema", og_cmd_schema_plan},
    {NULL, NULL, NULL, NULL},
};

void og_cli_print_json(const char *json) {
  json_error_t jerr;
  json_t *v = json_loads(json, JSON_DECODE_ANY, &jerr);
  if (!v) {
    fputs(json, stdout);
    return;
  }
  char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
  if (s) printf("%s\n", s);
  free(s);
  json_decref(v);
}

void og_cli_print_json_value(const void *json_value) {
  char *s = json_dumps((const json_t *)json_value, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  if (s) printf("%s\n", s);
  free(s);
}

int og_cli_open(const char *uri, unsigned flags, og_db **db) {
  og_error err = OG_ERROR_INIT;
  if (og_str_startswith(uri, "http://") || og_str_startswith(uri, "https://")) {
    og_err_set(&err, OG_EUNSUPPORTED, "remote graph URIs are not supported by this build yet");
    return og_cli_fail(&err);
  }
  if (og_db_open(db, uri, flags, &err)) return og_cli_fail(&err);
  return 0;
}
