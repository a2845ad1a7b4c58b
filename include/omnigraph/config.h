/*
 * omnigraph/config.h — public API: the `omnigraph.yaml` project config
 * (spec surface.md §3), shared by the CLI and the server. Included by
 * omnigraph.h.
 *
 * The file is parsed into a tree once; lookups take dotted paths
 * ("cli.graph", "graphs.local.uri"). Unknown keys are kept and ignored.
 * Relative paths are resolved against the config's directory (base dir).
 */
#ifndef OMNIGRAPH_CONFIG_H
#define OMNIGRAPH_CONFIG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct og_config og_config;

/* Load `path`; with path NULL, ./omnigraph.yaml when it exists, otherwise an
 * empty config whose base dir is the current directory. A malformed file is
 * OG_EINVAL naming the file, line and column. A named but missing file is
 * OG_ENOTFOUND. */
og_status og_config_load(og_config **out, const char *path, og_error *err);
void og_config_free(og_config *c);
/* Directory the relative paths of the config resolve against. */
const char *og_config_base_dir(const og_config *c);
/* The file that was loaded, or NULL when none. */
const char *og_config_path(const og_config *c);

/* Scalar at a dotted path (borrowed), or NULL when absent or not a scalar. */
const char *og_config_get(const og_config *c, const char *path);
/* Sequence at a dotted path: length (0 when absent) and scalar items. */
size_t og_config_list_len(const og_config *c, const char *path);
const char *og_config_list_get(const og_config *c, const char *path, size_t i);
/* Keys of the mapping at a dotted path: count and i-th key (source order). */
size_t og_config_keys_len(const og_config *c, const char *path);
const char *og_config_key(const og_config *c, const char *path, size_t i);
/* Resolve a path from the config against its base dir, unless it contains
 * "://" or is absolute. Caller frees with og_string_free. */
char *og_config_resolve_path(const og_config *c, const char *p);

#ifdef __cplusplus
}
#endif
#endif
