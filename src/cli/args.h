/*
 * args — the CLI's small declarative argument parser.
 *
 * A command declares its options (flags with or without a value, repeatable
 * or not) and positionals; og_args_parse fills an og_args or reports a usage
 * error (exit code 2) naming the offending argument, the way clap does.
 * Options may appear anywhere among positionals; "--" ends option parsing;
 * "--name=value" and "--name value" are both accepted.
 */
#ifndef OG_CLI_ARGS_H
#define OG_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct og_optspec {
  const char *name;   /* long name without dashes, e.g. "schema" */
  char short_name;    /* e.g. 'e', or 0 */
  bool takes_value;
  bool repeatable;
  const char *value_name; /* for help, e.g. "FILE" */
  const char *help;
} og_optspec;

/* Number of entries of a static og_optspec array. */
#define OG_NSPECS(s) (sizeof(s) / sizeof((s)[0]))

#define OG_ARGS_MAX_OPTS 32
#define OG_ARGS_MAX_POS 16
#define OG_ARGS_MAX_VALUES 64

typedef struct og_args {
  const og_optspec *specs;
  size_t nspecs;
  /* per spec: number of occurrences and their values (borrowed from argv) */
  int count[OG_ARGS_MAX_OPTS];
  const char *values[OG_ARGS_MAX_OPTS][OG_ARGS_MAX_VALUES];
  const char *pos[OG_ARGS_MAX_POS];
  int npos;
  bool help;
} og_args;

/* Parse argv[0..argc). Returns 0, or 2 after printing a usage error to stderr. */
int og_args_parse(og_args *a, const og_optspec *specs, size_t nspecs, int argc, char **argv,
                  int max_pos, const char *usage);
/* Last value of an option, or NULL. */
const char *og_args_get(const og_args *a, const char *name);
bool og_args_has(const og_args *a, const char *name);
int og_args_count(const og_args *a, const char *name);
const char *og_args_value_at(const og_args *a, const char *name, int i);
/* Print "Usage: ..." plus the option table. */
void og_args_print_help(const og_optspec *specs, size_t nspecs, const char *usage,
                        const char *about);
/* Report a usage error (to stderr) and return 2. */
int og_args_usage_error(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
