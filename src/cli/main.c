/*
 * omnigraph — the command-line interface. It uses the public API only
 * (include/omnigraph.h) and maps og_status to exit codes: 0 success, 1 any
 * runtime error (message on stderr as "Error: ..."), 2 argument errors.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const og_cli_command *const command_tables[] = {og_cli_commands, og_cli_graph_commands,
                                                       og_cli_write_commands, og_cli_read_commands,
                                                       og_cli_maint_commands, og_cli_merge_commands,
                                                       og_cli_recovery_commands};
#define FOREACH_COMMAND(c)                                                              \
  for (size_t t_ = 0; t_ < sizeof command_tables / sizeof command_tables[0]; t_++)     \
    for (const og_cli_command *c = command_tables[t_]; c->name; c++)

static const og_cli_command *find_command(const char *name, const char *sub) {
  FOREACH_COMMAND(c) {
    if (strcmp(c->name, name) != 0) continue;
    if (!c->sub && !sub) return c;
    if (c->sub && sub && strcmp(c->sub, sub) == 0) return c;
  }
  return NULL;
}

static bool has_subcommands(const char *name) {
  FOREACH_COMMAND(c) {
    if (strcmp(c->name, name) == 0 && c->sub) return true;
  }
  return false;
}

static void print_main_help(void) {
  printf("omnigraph %s — a typed, versioned property-graph database\n\n", og_cli_version());
  printf("Usage: omnigraph <COMMAND> [OPTIONS]\n\nCommands:\n");
  FOREACH_COMMAND(c) {
    char left[64];
    snprintf(left, sizeof left, "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
    printf("  %-18s %s\n", left, c->about);
  }
  printf("\nRun 'omnigraph <COMMAND> --help' for the options of a command.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    print_main_help();
    return 2;
  }
  /* `--as <ACTOR>` is global: it may appear anywhere (spec surface.md §2.1). */
  int w = 1;
  for (int r = 1; r < argc; r++) {
    if (!strcmp(argv[r], "--as") && r + 1 < argc) {
      og_cli_global_actor = argv[++r];
    } else if (!strncmp(argv[r], "--as=", 5)) {
      og_cli_global_actor = argv[r] + 5;
    } else {
      argv[w++] = argv[r];
    }
  }
  argc = w;
  argv[argc] = NULL;
  if (argc < 2) {
    print_main_help();
    return 2;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    print_main_help();
    return 0;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "-v") || !strcmp(cmd, "-V")) cmd = "version";
  /* deprecation shims of the reference CLI */
  if (!strcmp(cmd, "check")) {
    fprintf(stderr, "warning: `omnigraph check` is deprecated; use `omnigraph lint` instead\n");
    cmd = "lint";
  } else if (!strcmp(cmd, "query") && argc > 2 && (!strcmp(argv[2], "lint") || !strcmp(argv[2], "check"))) {
    fprintf(stderr, "warning: `omnigraph query %s` is deprecated; use `omnigraph lint` instead\n", argv[2]);
    cmd = "lint";
    argv++;
    argc--;
  } else if (!strcmp(cmd, "read")) {
    fprintf(stderr, "warning: `omnigraph read` is deprecated; use `omnigraph query` instead\n");
    cmd = "query";
  } else if (!strcmp(cmd, "change")) {
    fprintf(stderr, "warning: `omnigraph change` is deprecated; use `omnigraph mutate` instead\n");
    cmd = "mutate";
  }
  const og_cli_command *c = NULL;
  int first = 2;
  if (has_subcommands(cmd)) {
    if (argc < 3 || argv[2][0] == '-') {
      if (argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        print_main_help();
        return 0;
      }
      fprintf(stderr, "error: '%s' requires a subcommand\n\nFor more information, try '--help'.\n", cmd);
      return 2;
    }
    const char *sub = argv[2];
    if (!strcmp(cmd, "schema") && !strcmp(sub, "get")) sub = "show"; /* visible alias */
    c = find_command(cmd, sub);
    first = 3;
    if (!c) {
      fprintf(stderr, "error: unrecognized subcommand '%s %s'\n\nFor more information, try '--help'.\n",
              cmd, argv[2]);
      return 2;
    }
  } else {
    c = find_command(cmd, NULL);
    if (!c) {
      fprintf(stderr, "error: unrecognized subcommand '%s'\n\nFor more information, try '--help'.\n", cmd);
      return 2;
    }
  }
  return c->run(argc - first, argv + first);
}
