/*
 * Graph target, branch and actor resolution shared by every command
 * (spec surface.md §2.1): an explicit URI (positional, --uri or --store)
 * wins; otherwise --target <name> or cli.graph picks graphs.<name>.uri from
 * omnigraph.yaml (--config <path>, else ./omnigraph.yaml).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "omnigraph.h"
#include "util/util.h"

const char *og_cli_global_actor;

/* One command runs per process: the loaded config and the resolved URI live
 * in these globals until exit (reachable, so leak checkers stay quiet). */
static og_config *loaded_config;
static char *resolved_uri;

int og_cli_config(const og_args *a, og_config **cfg) {
  og_error err = OG_ERROR_INIT;
  if (!loaded_config && og_config_load(&loaded_config, og_args_get(a, "config"), &err))
    return og_cli_fail(&err);
  *cfg = loaded_config;
  return 0;
}

int og_cli_target(const og_args *a, int pos_index, const og_config *cfg, const char **uri_out) {
  og_error err = OG_ERROR_INIT;
  *uri_out = NULL;
  const char *u = og_args_get(a, "uri");
  if (!u) u = og_args_get(a, "store");
  if (!u && a->npos > pos_index) u = a->pos[pos_index];
  if (u) {
    *uri_out = u;
    return 0;
  }
  const char *name = og_args_get(a, "target");
  if (!name && cfg) name = og_config_get(cfg, "cli.graph");
  if (!name) {
    og_err_set(&err, OG_EINVAL, "URI must be provided via <URI>, --target, or config");
    return og_cli_fail(&err);
  }
  char path[512];
  snprintf(path, sizeof path, "graphs.%s.uri", name);
  const char *cu = cfg ? og_config_get(cfg, path) : NULL;
  if (!cu) {
    og_err_set(&err, OG_ENOTFOUND, "graph '%s' not found in omnigraph.yaml", name);
    return og_cli_fail(&err);
  }
  og_free(resolved_uri);
  resolved_uri = og_config_resolve_path(cfg, cu);
  *uri_out = resolved_uri;
  return 0;
}

const char *og_cli_branch(const og_args *a, const char *flag, const og_config *cfg) {
  const char *b = og_args_get(a, flag ? flag : "branch");
  if (!b && cfg) b = og_config_get(cfg, "cli.branch");
  return b ? b : "main";
}

const char *og_cli_actor(const og_args *a, const og_config *cfg) {
  const char *actor = og_args_get(a, "as");
  if (!actor) actor = og_cli_global_actor;
  if (!actor && cfg) actor = og_config_get(cfg, "cli.actor");
  return actor;
}

int og_cli_resolve(const og_args *a, int pos_index, const og_config **cfg_out, const char **uri_out) {
  og_config *cfg = NULL;
  int rc = og_cli_config(a, &cfg);
  if (rc) return rc;
  *cfg_out = cfg;
  return og_cli_target(a, pos_index, cfg, uri_out);
}
