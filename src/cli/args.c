/* The CLI's declarative argument parser (see args.h). */
#include "cli/args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int og_args_usage_error(const char *usage, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  if (usage) fprintf(stderr, "\nUsage: %s\n\nFor more information, try '--help'.\n", usage);
  return 2;
}

static int find_long(const og_optspec *specs, size_t n, const char *name, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(specs[i].name) == len && strncmp(specs[i].name, name, len) == 0) return (int)i;
  return -1;
}

static int find_short(const og_optspec *specs, size_t n, char c) {
  for (size_t i = 0; i < n; i++)
    if (specs[i].short_name && specs[i].short_name == c) return (int)i;
  return -1;
}

static int add_value(og_args *a, int idx, const char *value, const char *usage) {
  const og_optspec *s = &a->specs[idx];
  if (a->count[idx] > 0 && !s->repeatable)
    return og_args_usage_error(usage, "the argument '--%s' cannot be used multiple times", s->name);
  if (a->count[idx] >= OG_ARGS_MAX_VALUES)
    return og_args_usage_error(usage, "too many '--%s' arguments", s->name);
  a->values[idx][a->count[idx]++] = value;
  return 0;
}

int og_args_parse(og_args *a, const og_optspec *specs, size_t nspecs, int argc, char **argv,
                  int max_pos, const char *usage) {
  memset(a, 0, sizeof *a);
  a->specs = specs;
  a->nspecs = nspecs < OG_ARGS_MAX_OPTS ? nspecs : OG_ARGS_MAX_OPTS;
  bool opts_done = false;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (!opts_done && strcmp(arg, "--") == 0) {
      opts_done = true;
      continue;
    }
    if (!opts_done && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
      a->help = true;
      continue;
    }
    if (!opts_done && arg[0] == '-' && arg[1] == '-' && arg[2]) {
      const char *name = arg + 2;
      const char *eq = strchr(name, '=');
      size_t len = eq ? (size_t)(eq - name) : strlen(name);
      int idx = find_long(specs, a->nspecs, name, len);
      if (idx < 0) return og_args_usage_error(usage, "unexpected argument '%s' found", arg);
      const char *value = NULL;
      if (specs[idx].takes_value) {
        if (eq) value = eq + 1;
        else if (i + 1 < argc) value = argv[++i];
        else
          return og_args_usage_error(usage, "a value is required for '--%s <%s>' but none was supplied",
                                     specs[idx].name, specs[idx].value_name ? specs[idx].value_name : "VALUE");
      } else if (eq) {
        return og_args_usage_error(usage, "unexpected value for flag '--%s'", specs[idx].name);
      } else {
        value = "true";
      }
      int rc = add_value(a, idx, value, usage);
      if (rc) return rc;
      continue;
    }
    if (!opts_done && arg[0] == '-' && arg[1] && arg[1] != '-' && !(arg[1] >= '0' && arg[1] <= '9')) {
      int idx = find_short(specs, a->nspecs, arg[1]);
      if (idx < 0) return og_args_usage_error(usage, "unexpected argument '%s' found", arg);
      const char *value = "true";
      if (specs[idx].takes_value) {
        if (arg[2]) value = arg + 2;
        else if (i + 1 < argc) value = argv[++i];
        else
          return og_args_usage_error(usage, "a value is required for '-%c' but none was supplied", arg[1]);
      } else if (arg[2]) {
        return og_args_usage_error(usage, "unexpected argument '%s' found", arg);
      }
      int rc = add_value(a, idx, value, usage);
      if (rc) return rc;
      continue;
    }
    if (a->npos >= max_pos || a->npos >= OG_ARGS_MAX_POS)
      return og_args_usage_error(usage, "unexpected argument '%s' found", arg);
    a->pos[a->npos++] = arg;
  }
  /* The global `--as <ACTOR>` (stripped by main wherever it stood) fills a
   * command's own "as" option when the command has one. */
  extern const char *og_cli_global_actor;
  int as = find_long(specs, a->nspecs, "as", 2);
  if (as >= 0 && a->count[as] == 0 && og_cli_global_actor) {
    a->values[as][0] = og_cli_global_actor;
    a->count[as] = 1;
  }
  return 0;
}

static int index_of(const og_args *a, const char *name) {
  return find_long(a->specs, a->nspecs, name, strlen(name));
}

const char *og_args_get(const og_args *a, const char *name) {
  int i = index_of(a, name);
  return i >= 0 && a->count[i] ? a->values[i][a->count[i] - 1] : NULL;
}

bool og_args_has(const og_args *a, const char *name) { return og_args_count(a, name) > 0; }

int og_args_count(const og_args *a, const char *name) {
  int i = index_of(a, name);
  return i >= 0 ? a->count[i] : 0;
}

const char *og_args_value_at(const og_args *a, const char *name, int k) {
  int i = index_of(a, name);
  return i >= 0 && k < a->count[i] ? a->values[i][k] : NULL;
}

void og_args_print_help(const og_optspec *specs, size_t nspecs, const char *usage,
                        const char *about) {
  if (about) printf("%s\n\n", about);
  printf("Usage: %s\n\nOptions:\n", usage);
  for (size_t i = 0; i < nspecs; i++) {
    char left[96];
    if (specs[i].short_name)
      snprintf(left, sizeof left, "-%c, --%s%s%s%s", specs[i].short_name, specs[i].name,
               specs[i].takes_value ? " <" : "", specs[i].takes_value ? specs[i].value_name : "",
               specs[i].takes_value ? ">" : "");
    else
      snprintf(left, sizeof left, "    --%s%s%s%s", specs[i].name, specs[i].takes_value ? " <" : "",
               specs[i].takes_value ? specs[i].value_name : "", specs[i].takes_value ? ">" : "");
    printf("  %-34s %s\n", left, specs[i].help ? specs[i].help : "");
  }
  printf("  %-34s %s\n", "-h, --help", "Print help");
}
