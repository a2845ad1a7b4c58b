/* Read commands: query (alias read), export. */
#include "cli/cli.h"
#include "omnigraph.h"

const og_cli_command og_cli_read_commands[] = {
    {NULL, NULL, NULL, NULL},
};
