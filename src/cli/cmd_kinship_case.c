/* cmd_kinship_case.c - `puente kinship case ...`: the identification case database. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_kinship_case(int argc, char **argv);

int cmd_kinship_case(int argc, char **argv) {
    (void)argc, (void)argv;
    return cli_usage_error("kinship case", "not yet");
}
