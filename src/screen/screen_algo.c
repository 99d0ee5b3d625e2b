/*
 * screen_algo.c - the scorer's self-description (screen_algo.h).
 */
#include <math.h>
#include <string.h>

#include "screen/screen_algo.h"
#include "screen/screen_int.h"

static const screen_feature_doc features[] = {
    {"name_similarity", 1.0, "main",
     "Token-aligned name similarity (IDF-weighted coverage of both names; Jaro-Winkler, phonetic, nickname, "
     "transliteration and acronym token rules), at most the name-only cap"},
    {"identifier_match", Q_ID_MATCH, "qualifier",
     "An identifier (passport, tax number, crypto-wallet address...) of the query equals a listed one: the score "
     "is at least 0.9 plus this"},
    {"identifier_mismatch", Q_ID_CONFLICT, "qualifier", "Both sides have identifiers of one kind and none agree"},
    {"birth_date_match", Q_DOB_EXACT, "qualifier", "The full birth date agrees"},
    {"birth_year_match", Q_DOB_YEAR, "qualifier", "The birth year agrees (no full date on one side)"},
    {"birth_year_mismatch", Q_DOB_YEAR_CONFLICT, "qualifier", "The birth years differ"},
    {"birth_date_mismatch", Q_DOB_DAY_CONFLICT, "qualifier", "Same birth year, different day"},
    {"country_match", Q_COUNTRY_MATCH, "qualifier", "A country (nationality, citizenship, jurisdiction) agrees"},
    {"country_mismatch", Q_COUNTRY_CONFLICT, "qualifier", "Both sides name countries and none agree"},
    {"gender_mismatch", Q_GENDER_CONFLICT, "qualifier", "The genders differ"},
    {"address_match", Q_ADDRESS_MATCH, "qualifier",
     "A postal address of the query agrees with a listed one (words and house numbers; no penalty for another "
     "address)"},
    {"legal_form_mismatch", Q_LEGAL_CONFLICT, "factor", "The company legal forms differ (relative, on the name score)"},
    {"legal_form_one_sided", Q_LEGAL_ONE_SIDED, "factor", "Only one name carries a legal form (relative)"},
    {"name_kind", 1.0, "factor",
     "The kind of the best listed name: primary 1.0, alias 0.995, weak alias 0.97, previous name 0.98"},
    {"name_only_cap", SCREEN_NAME_ONLY_CAP, "factor",
     "A name-only match scores at most this; confirming qualifiers lift it to 1.0"},
    {"name_weight", 1.0, "factor",
     "The request's weight of name_similarity (POST /match weights), shown when it is not 1"},
};

const char *screen_algo_description(void) {
    return "Puente's name screening: normalised, transliterated names aligned token by token with IDF weights, "
           "nickname and legal-form tables, then qualifiers (birth date, country, gender, identifiers). Scores are "
           "not saturated: a name-only exact match is 0.95. docs/screening.md.";
}

const screen_feature_doc *screen_algo_features(size_t *n) {
    *n = sizeof features / sizeof features[0];
    return features;
}

int screen_algo_known(const char *name) {
    static const char *const names[] = {SCREEN_ALGO_NAME, "puente", "best", "default", "logic-v1", "logic-v2",
                                        "name-based", "name-qualified", "regression-v1", "regression-v2", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(name, names[i]) == 0) return 1;
    return 0;
}

/* ---- weights ---- */

/* Weightable features: our name, the default, the accepted range. */
static const struct {
    const char *name;
    int id;
    double dflt, lo, hi;
} weightable[] = {
    {"name_similarity", SCREEN_W_NAME, 1.0, 0, 2},
    {"name_only_cap", SCREEN_W_CAP, SCREEN_NAME_ONLY_CAP, 0.01, 1},
    {"identifier_match", SCREEN_W_ID_MATCH, Q_ID_MATCH, -1, 1},
    {"identifier_mismatch", SCREEN_W_ID_MISMATCH, Q_ID_CONFLICT, -1, 1},
    {"birth_date_match", SCREEN_W_DOB_MATCH, Q_DOB_EXACT, -1, 1},
    {"birth_year_match", SCREEN_W_YEAR_MATCH, Q_DOB_YEAR, -1, 1},
    {"birth_year_mismatch", SCREEN_W_YEAR_MISMATCH, Q_DOB_YEAR_CONFLICT, -1, 1},
    {"birth_date_mismatch", SCREEN_W_DAY_MISMATCH, Q_DOB_DAY_CONFLICT, -1, 1},
    {"country_match", SCREEN_W_COUNTRY_MATCH, Q_COUNTRY_MATCH, -1, 1},
    {"country_mismatch", SCREEN_W_COUNTRY_MISMATCH, Q_COUNTRY_CONFLICT, -1, 1},
    {"gender_mismatch", SCREEN_W_GENDER_MISMATCH, Q_GENDER_CONFLICT, -1, 1},
    {"address_match", SCREEN_W_ADDRESS_MATCH, Q_ADDRESS_MATCH, -1, 1},
};
#define NWEIGHTABLE (sizeof weightable / sizeof weightable[0])

/* yente's names (logic-v1/v2, name-based) of the same qualifiers. */
static const struct { const char *yente, *ours; } weight_aliases[] = {
    {"dob_year_disjoint", "birth_year_mismatch"},
    {"dob_day_disjoint", "birth_date_mismatch"},
    {"address_entity_match", "address_match"},
};

void screen_weights_default(screen_weights *w) {
    for (size_t i = 0; i < NWEIGHTABLE; i++) w->w[weightable[i].id] = weightable[i].dflt;
}

static int weight_index(const char *feature) {
    for (size_t i = 0; i < sizeof weight_aliases / sizeof weight_aliases[0]; i++)
        if (strcmp(feature, weight_aliases[i].yente) == 0) feature = weight_aliases[i].ours;
    for (size_t i = 0; i < NWEIGHTABLE; i++)
        if (strcmp(feature, weightable[i].name) == 0) return (int)i;
    return -1;
}

int screen_weights_set(screen_weights *w, const char *feature, double value, pu_err *err) {
    int i = weight_index(feature);
    if (i < 0)
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, feature,
                       "not a weightable feature of %s (GET /algorithms lists them)", SCREEN_ALGO_NAME);
    if (!isfinite(value) || value < weightable[i].lo || value > weightable[i].hi)
        return pu_fail(err, PU_ERR_INVALID, NULL, feature, "expected a number from %g to %g", weightable[i].lo,
                       weightable[i].hi);
    w->w[weightable[i].id] = value;
    return PU_OK;
}

double screen_weight_of(const screen_weights *w, const char *feature, double dflt) {
    if (!w) return dflt;
    int i = weight_index(feature);
    return i < 0 ? dflt : w->w[weightable[i].id];
}

int screen_algo_weightable(const char *feature) { return weight_index(feature) >= 0; }
