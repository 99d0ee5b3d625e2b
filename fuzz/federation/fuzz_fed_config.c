/*
 * libFuzzer target: the federation config parser (fed_config_parse). What it
 * accepts must be safe to write into SQL and connection strings: node names
 * of a-z 0-9 _, URIs with the PostgreSQL scheme and without quotes,
 * backslashes, spaces or control characters, two different countries.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "federation/federation.h"

static void check_uri(const char *s) {
    if (strncmp(s, "postgresql://", 13) != 0 && strncmp(s, "postgres://", 11) != 0) abort();
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == '\'' || *p == '"' || *p == '\\') abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fed_config c;
    pu_err err;
    if (fed_config_parse((const char *)data, size, "fuzz", &c, &err) != PU_OK) {
        if (c.node[0].name[0] || c.node[1].uri[0]) abort(); /* nothing half-parsed is left */
        return 0;
    }
    for (int i = 0; i < FED_NODES; i++) {
        const char *n = c.node[i].name;
        if (!*n || strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(n)) abort();
        check_uri(c.node[i].uri);
        check_uri(c.node[i].peer_uri);
    }
    if (strcmp(c.node[0].country, c.node[1].country) == 0) abort();
    return 0;
}
