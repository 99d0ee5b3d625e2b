/*
 * fuzz_upload_name.c - libFuzzer target for the upload headers of the API
 * (http_upload.c): the X-Filename value (percent-encoded UTF-8) and the
 * Content-Type value, both from outside. Each input is used as both.
 * Invariants: an accepted name is 1..HTTP_UPLOAD_NAME_MAX bytes of valid
 * UTF-8 with no control character, no '/' or '\\', not "." or ".."; its
 * Content-Disposition is terminated, holds no line break and quotes only
 * ASCII; an accepted media type has exactly one '/', no space, ';' or
 * upper-case letter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    char *in = malloc(size + 1);
    if (!in) return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    char name[HTTP_UPLOAD_NAME_MAX + 1], type[HTTP_UPLOAD_TYPE_MAX + 1], disp[HTTP_EXTRA_HEADER_MAX];
    if (http_upload_name(in, name, sizeof name) == PU_OK) {
        size_t n = strlen(name);
        if (n == 0 || n > HTTP_UPLOAD_NAME_MAX || !pu_utf8_valid(name, n)) __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f || name[i] == '/' || name[i] == '\\') __builtin_trap();
        if (!strcmp(name, ".") || !strcmp(name, "..")) __builtin_trap();
        http_disposition(name, disp, sizeof disp);
        if (strchr(disp, '\r') || strchr(disp, '\n') || strncmp(disp, "attachment", 10)) __builtin_trap();
        for (const unsigned char *p = (const unsigned char *)disp; *p; p++)
            if (*p >= 0x7f || *p < 0x20) __builtin_trap();
    }
    if (http_upload_type(in, type, sizeof type) == PU_OK) {
        if (!strchr(type, '/') || strchr(type, '/') != strrchr(type, '/')) __builtin_trap();
        for (const char *p = type; *p; p++)
            if (*p == ' ' || *p == ';' || (*p >= 'A' && *p <= 'Z')) __builtin_trap();
    }
    free(in);
    return 0;
}
