/*
 * libFuzzer target: the designation-list parsers (src/lists) on bytes in
 * memory. The first byte picks the format (ofac_xml, un_xml, eu_xml, eu_csv,
 * uk_csv, generic_csv with a fixed mapping, ftm, uk_xml); the rest is the export.
 * Any outcome but a crash, a leak or a sanitizer report is fine; a parse
 * that succeeds has read at least one record (an empty export is refused).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lists/lists.h"

/* uk_xml last: the corpus files' first bytes keep naming the same formats */
static const char *const formats[] = {"ofac_xml", "un_xml", "eu_xml", "eu_csv", "uk_csv", "generic_csv", "ftm", "uk_xml"};
static char mapping[64];

static void write_mapping(void) {
    pu_strlcpy(mapping, "/tmp/fuzz-lists-map-XXXXXX", sizeof mapping);
    int fd = mkstemp(mapping);
    if (fd < 0) abort();
    static const char m[] = "id = id\nname = name\nalias = alias\nalias_separator = |\nbirth_date = dob\n"
                            "schema = type\nschema_map = P:Person,C:Company\ncountry = country\n";
    if (write(fd, m, sizeof m - 1) != (ssize_t)(sizeof m - 1)) abort();
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!mapping[0]) write_mapping();
    if (size < 1) return 0;
    lists_source src;
    memset(&src, 0, sizeof src);
    pu_strlcpy(src.name, "fz", sizeof src.name);
    pu_strlcpy(src.format, formats[data[0] % (sizeof formats / sizeof formats[0])], sizeof src.format);
    pu_strlcpy(src.dataset, "fz", sizeof src.dataset);
    pu_strlcpy(src.topics, "sanction", sizeof src.topics);
    pu_strlcpy(src.mapping, mapping, sizeof src.mapping);
    lists_parsed *p = NULL;
    pu_err err;
    int rc = lists_parse_mem(&src, (const char *)data + 1, size - 1, &p, &err);
    if (rc == PU_OK && (!p || p->records < 1)) abort();
    lists_parsed_free(p);
    return 0;
}
