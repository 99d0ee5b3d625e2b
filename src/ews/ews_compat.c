/*
 * ews_compat.c - weak fallbacks for store_visible / store_marking_valid
 * (src/store/store.h) while the store module is not on main yet. They follow
 * the rule documented in store.h word for word; when the store lands, its
 * strong definitions replace these at link time and this file can go.
 */
#include <string.h>

#include "store/store.h"

__attribute__((weak)) const store_scope store_scope_system = {1, NULL, NULL};

__attribute__((weak)) int store_marking_valid(const char *m) {
    static const char *const known[] = {"PUBLIC", "SHARED", "US-ONLY", "MX-ONLY", "AGENCY-ONLY"};
    if (!m) return 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0) return 1;
    return 0;
}

__attribute__((weak)) int store_visible(const store_scope *scope, const char *owner, const char *marking) {
    if (!scope) return 0;
    if (scope->system) return 1;
    if (owner && scope->agency && strcmp(owner, scope->agency) == 0) return 1;
    if (!marking || strcmp(marking, "PUBLIC") == 0 || strcmp(marking, "SHARED") == 0) return 1;
    if (strcmp(marking, "US-ONLY") == 0) return scope->country && strcmp(scope->country, "US") == 0;
    if (strcmp(marking, "MX-ONLY") == 0) return scope->country && strcmp(scope->country, "MX") == 0;
    return 0; /* AGENCY-ONLY and unknown markings: owner only */
}
