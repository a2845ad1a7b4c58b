/* Write commands: load, mutate (alias change). */
#include "cli/cli.h"
#include "omnigraph.h"

const og_cli_command og_cli_write_commands[] = {
    {NULL, NULL, NULL, NULL},
};
