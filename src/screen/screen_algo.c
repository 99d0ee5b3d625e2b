/*
 * screen_algo.c - the scorer's self-description (screen_algo.h).
 */
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
