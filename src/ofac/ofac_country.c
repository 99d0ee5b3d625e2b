/*
 * ofac_country.c - country names as OFAC writes them -> ISO 3166-1 alpha-2.
 *
 * The English names of every ISO country come from ICU (so we carry no table
 * of our own to go stale); OFAC's own spellings ("Korea, North", "Burma",
 * "Bahamas, The", "Congo, Democratic Republic of the") are a small override
 * list. Names are compared after folding: lower case, accents stripped,
 * punctuation as spaces.
 */
#include "ofac/ofac.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

typedef struct cname {
    char key[96];
    char code[8];
} cname;

static const char *const overrides[][2] = {
    {"korea north", "kp"}, {"korea south", "kr"}, {"democratic people s republic of korea", "kp"},
    {"north korea", "kp"}, {"south korea", "kr"}, {"burma", "mm"},
    {"congo democratic republic of the", "cd"}, {"congo republic of the", "cg"},
    {"bahamas the", "bs"}, {"the bahamas", "bs"}, {"the gambia", "gm"}, {"gambia the", "gm"},
    {"cote d ivoire", "ci"}, {"ivory coast", "ci"},
    {"macedonia the former yugoslav republic of", "mk"}, {"macedonia", "mk"},
    {"virgin islands british", "vg"}, {"netherlands antilles", "an"}, {"palestinian", "ps"},
    {"palestinian authority", "ps"}, {"west bank", "ps"}, {"region gaza", "ps"}, {"gaza", "ps"},
    {"kosovo", "xk"}, {"cabo verde", "cv"}, {"cape verde", "cv"}, {"czech republic", "cz"},
    {"russia", "ru"}, {"iran", "ir"}, {"syria", "sy"}, {"laos", "la"}, {"vietnam", "vn"},
    {"brunei", "bn"}, {"macau", "mo"}, {"taiwan", "tw"}, {"moldova", "md"}, {"tanzania", "tz"},
    {"bolivia", "bo"}, {"venezuela", "ve"}, {"united states", "us"}, {"usa", "us"},
    {"u k", "gb"}, {"uk", "gb"}, {"united kingdom", "gb"}, {"st kitts and nevis", "kn"},
    {"saint kitts and nevis", "kn"}, {"st vincent and the grenadines", "vc"},
    {"saint vincent and the grenadines", "vc"}, {"region crimea", "ua"}, {"crimea", "ua"},
    {"region northern mali", "ml"}, {"hong kong", "hk"}, {"eswatini", "sz"}, {"swaziland", "sz"},
    {"timor leste", "tl"}, {"east timor", "tl"}, {"micronesia federated states of", "fm"},
    {"holy see", "va"}, {"yugoslavia", "yu"}, {"serbia and montenegro", "cs"}, {"ussr", "su"},
};

static cname *table;
static size_t ntable;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Fold a name into key (size bytes): accents off, lower case, runs of
 * non-alphanumerics as one space, no leading/trailing space. */
static void fold_key(const char *name, char *key, size_t size) {
    char *f = NULL;
    const char *src = store_fold(name, &f) == PU_OK ? f : name;
    size_t n = 0;
    int space = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p && n + 2 < size; p++) {
        if (*p == '&') { /* ICU writes "Bosnia & Herzegovina", OFAC "Bosnia and Herzegovina" */
            if (n && n + 6 < size) {
                memcpy(key + n, " and", 4);
                n += 4;
            }
            space = 1;
        } else if (isalnum(*p) || *p >= 0x80) {
            if (space && n) key[n++] = ' ';
            key[n++] = (char)tolower(*p);
            space = 0;
        } else {
            space = 1;
        }
    }
    key[n] = '\0';
    free(f);
}

static int cname_cmp(const void *a, const void *b) {
    return strcmp(((const cname *)a)->key, ((const cname *)b)->key);
}

static void build(void) {
    const char *const *codes = uloc_getISOCountries();
    size_t n = 0;
    while (codes[n]) n++;
    table = calloc(n ? n : 1, sizeof *table);
    if (!table) return;
    for (size_t i = 0; i < n; i++) {
        char loc[16], utf8[192];
        UChar name[96];
        UErrorCode st = U_ZERO_ERROR;
        snprintf(loc, sizeof loc, "_%s", codes[i]);
        int32_t len = uloc_getDisplayCountry(loc, "en", name, 96, &st);
        if (U_FAILURE(st) || len <= 0) continue;
        int32_t out = 0;
        st = U_ZERO_ERROR;
        u_strToUTF8(utf8, (int32_t)sizeof utf8, &out, name, len, &st);
        if (U_FAILURE(st) || out <= 0 || (size_t)out >= sizeof utf8) continue;
        utf8[out] = '\0';
        fold_key(utf8, table[ntable].key, sizeof table[ntable].key);
        size_t k = 0;
        for (const char *c = codes[i]; *c && k + 1 < sizeof table[ntable].code; c++)
            table[ntable].code[k++] = (char)tolower((unsigned char)*c);
        table[ntable].code[k] = '\0';
        if (table[ntable].key[0]) ntable++;
    }
    qsort(table, ntable, sizeof *table, cname_cmp);
}

int ofac_country_none(const char *name) {
    static const char *const none[] = {"undetermined", "none identified", "unknown", "not known", NULL};
    char key[96];
    if (!name || pu_blank(name)) return 1;
    fold_key(name, key, sizeof key);
    for (int i = 0; none[i]; i++)
        if (strcmp(key, none[i]) == 0) return 1;
    return 0;
}

const char *ofac_country_code(const char *name) {
    if (!name || pu_blank(name)) return NULL;
    pthread_once(&once, build);
    cname key;
    fold_key(name, key.key, sizeof key.key);
    for (size_t i = 0; i < sizeof overrides / sizeof overrides[0]; i++)
        if (strcmp(overrides[i][0], key.key) == 0) return overrides[i][1];
    const cname *c = table ? bsearch(&key, table, ntable, sizeof *table, cname_cmp) : NULL;
    return c ? c->code : NULL;
}
