/* The query source and params of `query` and `mutate` (surface.md §2.1):
 * which of --query / -e (/ --alias) and --params / --params-file were given,
 * the query file resolution and the params object check. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "omnigraph.h"
#include "util/util.h"

int og_cli_qsrc_args(og_cli_qsrc *q, const og_args *a, const char *usage, const char *alias) {
  memset(q, 0, sizeof *q);
  q->file = og_args_get(a, "query");
  q->text = og_args_get(a, "query-string");
  q->params_json = og_args_get(a, "params");
  q->params_file = og_args_get(a, "params-file");
  if (q->file && (q->text || alias))
    return og_args_usage_error(usage, "the argument '--query <FILE>' cannot be used with '%s'",
                               q->text ? "--query-string <GQ>" : "--alias <ALIAS>");
  if (q->text && alias)
    return og_args_usage_error(usage, "the argument '--query-string <GQ>' cannot be used with '--alias <ALIAS>'");
  if (q->params_json && q->params_file)
    return og_args_usage_error(usage, "the argument '--params <JSON>' cannot be used with '--params-file <FILE>'");
  return 0;
}

static int fail(og_status code, const char *fmt, const char *arg) {
  og_error err = OG_ERROR_INIT;
  og_err_set(&err, code, fmt, arg);
  return og_cli_fail(&err);
}

int og_cli_qsrc_check(const og_cli_qsrc *q) {
  if (!q->file && !q->text)
    return fail(OG_EINVAL, "%s", "exactly one of --query, --query-string, or --alias must be provided");
  if (q->text) {
    const char *p = q->text;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (!*p) return fail(OG_EINVAL, "%s", "--query-string must not be empty");
  }
  return 0;
}

static bool readable(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f) fclose(f);
  return f != NULL;
}

/* Absolute as is, else <base>/<path>, else <base>/<root>/<path> (or
 * <root>/<path> for an absolute root) for each query.roots entry; NULL when
 * none exists. Owned result. */
static char *resolve_query_file(const og_config *cfg, const char *path) {
  if (path[0] == '/') return og_strdup(path);
  const char *base = cfg ? og_config_base_dir(cfg) : ".";
  char buf[8192];
  snprintf(buf, sizeof buf, "%s/%s", base, path);
  if (readable(buf)) return og_strdup(buf);
  size_t n = cfg ? og_config_list_len(cfg, "query.roots") : 0;
  for (size_t i = 0; i < n; i++) {
    const char *root = og_config_list_get(cfg, "query.roots", i);
    if (!root) continue;
    if (root[0] == '/') snprintf(buf, sizeof buf, "%s/%s", root, path);
    else snprintf(buf, sizeof buf, "%s/%s/%s", base, root, path);
    if (readable(buf)) return og_strdup(buf);
  }
  return NULL;
}

int og_cli_qsrc_load(og_cli_qsrc *q, const og_config *cfg) {
  og_error err = OG_ERROR_INIT;
  if (q->file) {
    if (!(q->path_ = resolve_query_file(cfg, q->file)))
      return fail(OG_ENOTFOUND, "query file '%s' not found", q->file);
    if (og_cli_read_file(q->path_, &q->src_, &err)) return og_cli_fail(&err);
  }
  if (q->params_file && og_cli_read_file(q->params_file, &q->params_text_, &err))
    return og_cli_fail(&err);
  q->gq = q->file ? q->src_ : q->text;
  q->params = q->params_file ? q->params_text_ : q->params_json;
  if (q->params) {
    json_t *pv = json_loads(q->params, JSON_DECODE_ANY, NULL);
    bool obj = json_is_object(pv);
    json_decref(pv);
    if (!obj) return fail(OG_EINVAL, "%s", "params JSON must be an object");
  }
  return 0;
}

void og_cli_qsrc_dispose(og_cli_qsrc *q) {
  if (!q) return;
  og_free(q->src_);
  og_free(q->params_text_);
  og_free(q->path_);
  q->src_ = q->params_text_ = q->path_ = NULL;
}
