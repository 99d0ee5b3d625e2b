/* tips_form.c - categories, their questionnaires, handling states and the
 * routing table (docs/tips.md "Routing"). */
#include <string.h>

#include "tips/tips.h"

static const char *const CATEGORIES[] = {"firearms", "drugs", "precursors", "smuggling",
                                         "disappearance", "corruption", "other", NULL};

const char *const *tips_categories(void) { return CATEGORIES; }

int tips_category_valid(const char *code) {
    for (size_t i = 0; code && CATEGORIES[i]; i++)
        if (strcmp(code, CATEGORIES[i]) == 0) return 1;
    return 0;
}

/* Every category asks where, when, who and aliases; then what the category
 * is about. The free text is the tip's "text", not a question. */
#define COMMON "where", "when", "who", "aliases"
static const char *const Q_FIREARMS[] = {COMMON, "vehicles", "plates", "phones", "serials", "makes", NULL};
static const char *const Q_DRUGS[] = {COMMON, "vehicles", "plates", "phones", "substances", NULL};
static const char *const Q_PRECURSORS[] = {COMMON, "chemicals", "companies", "shipments", "phones", NULL};
static const char *const Q_SMUGGLING[] = {COMMON, "vehicles", "plates", "phones", "route", NULL};
static const char *const Q_DISAPPEARANCE[] = {COMMON, "person", "last_seen", "description", "phones", NULL};
static const char *const Q_CORRUPTION[] = {COMMON, "institution", "companies", NULL};
static const char *const Q_OTHER[] = {COMMON, "phones", NULL};

const char *const *tips_questions(const char *category) {
    static const struct { const char *cat; const char *const *q; } MAP[] = {
        {"firearms", Q_FIREARMS},     {"drugs", Q_DRUGS},           {"precursors", Q_PRECURSORS},
        {"smuggling", Q_SMUGGLING},   {"disappearance", Q_DISAPPEARANCE},
        {"corruption", Q_CORRUPTION}, {"other", Q_OTHER},
    };
    for (size_t i = 0; category && i < sizeof MAP / sizeof MAP[0]; i++)
        if (strcmp(category, MAP[i].cat) == 0) return MAP[i].q;
    return NULL;
}

/* ---- states ---- */
static const char *const STATES[] = {"new", "triaged", "assigned", "linked", "referred", "closed", NULL};

int tips_state_valid(const char *s) {
    for (size_t i = 0; s && STATES[i]; i++)
        if (strcmp(s, STATES[i]) == 0) return 1;
    return 0;
}

static int is_final(const char *s) { return !strcmp(s, "linked") || !strcmp(s, "referred") || !strcmp(s, "closed"); }

/* Forward moves only (a state may be skipped: a clear tip goes from new to
 * linked); leaving a final state is a reopening, to triaged, with a reason. */
int tips_transition_ok(const char *from, const char *to, int *needs_reason) {
    static const char *const ORDER[] = {"new", "triaged", "assigned", NULL};
    *needs_reason = 0;
    if (!tips_state_valid(from) || !tips_state_valid(to) || strcmp(from, to) == 0) return 0;
    if (is_final(from)) {
        *needs_reason = 1;
        return strcmp(to, "triaged") == 0;
    }
    if (is_final(to)) return 1;
    int a = -1, b = -1;
    for (int i = 0; ORDER[i]; i++) {
        if (!strcmp(ORDER[i], from)) a = i;
        if (!strcmp(ORDER[i], to)) b = i;
    }
    return b > a;
}

/* ---- routing: category x country -> primary agency ----
 * The agencies with the mandate for the category on each side (seeded by
 * `puente agency seed`); docs/tips.md has the table and the reasons. */
const char *tips_route(const char *category, const char *country, const char *lang) {
    static const struct { const char *cat, *us, *mx; } TABLE[] = {
        {"firearms", "ATF", "FGR"},  {"drugs", "DEA", "FGR"},        {"precursors", "DEA", "ANAM"},
        {"smuggling", "HSI", "FGR"}, {"disappearance", "FBI", "CNB"}, {"corruption", "FBI", "FGR"},
        {"other", "HSI", "SSPC"},
    };
    int mx = country && country[0] ? strcmp(country, "MX") == 0 : !(lang && strcmp(lang, "en") == 0);
    for (size_t i = 0; i < sizeof TABLE / sizeof TABLE[0]; i++)
        if (category && strcmp(category, TABLE[i].cat) == 0) return mx ? TABLE[i].mx : TABLE[i].us;
    return mx ? "SSPC" : "HSI";
}
