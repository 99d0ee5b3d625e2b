/*
 * ftm_schema.c - the static FollowTheMoney schema registry.
 *
 * Each schema lists its own properties (FtM names and types) and up to two
 * parents, as in FtM's YAML model (Company extends Organization and Asset).
 * On first use the registry flattens every schema's own and inherited
 * properties into a sorted table so a property lookup is a binary search:
 * the importers call it for every value.
 */
#include "ftm/ftm.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct ftm_propdef {
    const char *name;
    int type;
} ftm_propdef;

struct ftm_schema {
    const char *name;
    const char *parents[2];
    int abstract;            /* FtM abstract schemata cannot be instantiated */
    int matchable;           /* FtM "matchable": a screening target */
    const ftm_propdef *own;  /* terminated by {NULL, 0} */
    /* filled by registry_init: own + inherited, sorted by name */
    ftm_propdef *all;
    size_t nall;
};

#define P(n, t) {n, t}
#define END {NULL, 0}

static const ftm_propdef thing_props[] = {
    P("name", FTM_NAME), P("alias", FTM_NAME), P("weakAlias", FTM_NAME), P("previousName", FTM_NAME),
    P("summary", FTM_TEXT), P("description", FTM_TEXT), P("notes", FTM_TEXT), P("indexText", FTM_TEXT),
    P("country", FTM_COUNTRY), P("sourceUrl", FTM_URL), P("publisher", FTM_STRING),
    P("publisherUrl", FTM_URL), P("alephUrl", FTM_URL), P("wikipediaUrl", FTM_URL),
    P("wikidataId", FTM_IDENTIFIER), P("keywords", FTM_STRING), P("topics", FTM_TOPIC),
    P("address", FTM_ADDRESS), P("addressEntity", FTM_ENTITY), P("program", FTM_STRING),
    P("programId", FTM_STRING), P("proof", FTM_ENTITY), P("createdAt", FTM_DATE),
    P("modifiedAt", FTM_DATE), P("retrievedAt", FTM_DATE), END};

static const ftm_propdef interval_props[] = {
    P("startDate", FTM_DATE), P("endDate", FTM_DATE), P("date", FTM_DATE), P("summary", FTM_TEXT),
    P("description", FTM_TEXT), P("recordId", FTM_STRING), P("sourceUrl", FTM_URL),
    P("publisher", FTM_STRING), P("publisherUrl", FTM_URL), P("alephUrl", FTM_URL),
    P("indexText", FTM_TEXT), P("namesMentioned", FTM_NAME), P("proof", FTM_ENTITY),
    P("modifiedAt", FTM_DATE), P("retrievedAt", FTM_DATE), END};

static const ftm_propdef value_props[] = {
    P("amount", FTM_NUMBER), P("currency", FTM_STRING), P("amountUsd", FTM_NUMBER),
    P("amountEur", FTM_NUMBER), END};

static const ftm_propdef no_props[] = {END};

static const ftm_propdef legal_entity_props[] = {
    P("email", FTM_EMAIL), P("phone", FTM_PHONE), P("website", FTM_URL), P("legalForm", FTM_STRING),
    P("incorporationDate", FTM_DATE), P("dissolutionDate", FTM_DATE), P("taxStatus", FTM_STRING),
    P("status", FTM_STRING), P("sector", FTM_STRING), P("classification", FTM_STRING),
    P("registrationNumber", FTM_IDENTIFIER), P("idNumber", FTM_IDENTIFIER),
    P("taxNumber", FTM_IDENTIFIER), P("vatCode", FTM_IDENTIFIER), P("jurisdiction", FTM_COUNTRY),
    P("mainCountry", FTM_COUNTRY), P("opencorporatesUrl", FTM_URL), P("bvdId", FTM_IDENTIFIER),
    P("sayariId", FTM_IDENTIFIER), P("icijId", FTM_IDENTIFIER), P("okpoCode", FTM_IDENTIFIER),
    P("innCode", FTM_IDENTIFIER), P("ogrnCode", FTM_IDENTIFIER), P("leiCode", FTM_IDENTIFIER),
    P("dunsCode", FTM_IDENTIFIER), P("uniqueEntityId", FTM_IDENTIFIER), P("npiCode", FTM_IDENTIFIER),
    P("swiftBic", FTM_IDENTIFIER), P("parent", FTM_ENTITY), END};

static const ftm_propdef person_props[] = {
    P("title", FTM_STRING), P("firstName", FTM_NAME), P("secondName", FTM_NAME),
    P("middleName", FTM_NAME), P("fatherName", FTM_NAME), P("motherName", FTM_NAME),
    P("lastName", FTM_NAME), P("nameSuffix", FTM_NAME), P("birthDate", FTM_DATE),
    P("birthPlace", FTM_STRING), P("birthCountry", FTM_COUNTRY), P("deathDate", FTM_DATE),
    P("position", FTM_STRING), P("nationality", FTM_COUNTRY), P("citizenship", FTM_COUNTRY),
    P("passportNumber", FTM_IDENTIFIER), P("socialSecurityNumber", FTM_IDENTIFIER),
    P("gender", FTM_GENDER), P("ethnicity", FTM_STRING), P("height", FTM_NUMBER),
    P("weight", FTM_NUMBER), P("eyeColor", FTM_STRING), P("hairColor", FTM_STRING),
    P("appearance", FTM_STRING), P("religion", FTM_STRING), P("political", FTM_STRING),
    P("education", FTM_STRING), P("spokenLanguage", FTM_STRING), END};

static const ftm_propdef organization_props[] = {
    P("imoNumber", FTM_IDENTIFIER), P("cageCode", FTM_IDENTIFIER), P("permId", FTM_IDENTIFIER),
    P("giiNumber", FTM_IDENTIFIER), P("numEmployees", FTM_NUMBER), END};

static const ftm_propdef company_props[] = {
    P("capital", FTM_STRING), P("cikCode", FTM_IDENTIFIER), P("irsCode", FTM_IDENTIFIER),
    P("ticker", FTM_IDENTIFIER), P("isinCode", FTM_IDENTIFIER), P("ricCode", FTM_IDENTIFIER),
    P("kppCode", FTM_IDENTIFIER), P("okvedCode", FTM_IDENTIFIER), P("bikCode", FTM_IDENTIFIER),
    P("voenCode", FTM_IDENTIFIER), P("ibcRuc", FTM_IDENTIFIER), P("jibCode", FTM_IDENTIFIER), END};

static const ftm_propdef address_props[] = {
    P("full", FTM_ADDRESS), P("remarks", FTM_TEXT), P("postOfficeBox", FTM_STRING),
    P("street", FTM_STRING), P("street2", FTM_STRING), P("city", FTM_STRING),
    P("postalCode", FTM_STRING), P("region", FTM_STRING), P("state", FTM_STRING),
    P("latitude", FTM_NUMBER), P("longitude", FTM_NUMBER), P("osmId", FTM_STRING),
    P("googlePlaceId", FTM_STRING), END};

static const ftm_propdef sanction_props[] = {
    P("entity", FTM_ENTITY), P("authority", FTM_STRING), P("authorityId", FTM_IDENTIFIER),
    P("unscId", FTM_IDENTIFIER), P("program", FTM_STRING), P("programId", FTM_STRING),
    P("programUrl", FTM_URL), P("provisions", FTM_STRING), P("status", FTM_STRING),
    P("duration", FTM_STRING), P("reason", FTM_TEXT), P("country", FTM_COUNTRY),
    P("listingDate", FTM_DATE), END};

static const ftm_propdef identification_props[] = {
    P("holder", FTM_ENTITY), P("type", FTM_STRING), P("country", FTM_COUNTRY),
    P("number", FTM_IDENTIFIER), P("authority", FTM_STRING), END};

static const ftm_propdef unknown_link_props[] = {
    P("subject", FTM_ENTITY), P("object", FTM_ENTITY), P("role", FTM_STRING), END};

static const ftm_propdef vehicle_props[] = {
    P("registrationNumber", FTM_IDENTIFIER), P("type", FTM_STRING), P("model", FTM_STRING),
    P("owner", FTM_ENTITY), P("operator", FTM_ENTITY), P("buildDate", FTM_DATE),
    P("registrationDate", FTM_DATE), P("deregistrationDate", FTM_DATE), END};

static const ftm_propdef vessel_props[] = {
    P("imoNumber", FTM_IDENTIFIER), P("crsNumber", FTM_IDENTIFIER), P("flag", FTM_COUNTRY),
    P("callSign", FTM_IDENTIFIER), P("tonnage", FTM_NUMBER), P("grossRegisteredTonnage", FTM_NUMBER),
    P("netRegisteredTonnage", FTM_NUMBER), P("nameChangeDate", FTM_DATE), P("pastFlags", FTM_COUNTRY),
    P("pastTypes", FTM_STRING), P("mmsi", FTM_IDENTIFIER), P("navigationArea", FTM_STRING), END};

static const ftm_propdef airplane_props[] = {
    P("serialNumber", FTM_IDENTIFIER), P("icaoCode", FTM_IDENTIFIER), P("manufacturer", FTM_STRING), END};

/* Relationship schemata (FtM interval links; src/monitor reads Ownership for
 * the OFAC 50 % rule): each names its two ends with entity-typed properties.
 * percentage stays a string as in FtM ("50", "50.5%"): monitor_owner.c parses it. */
static const ftm_propdef ownership_props[] = {
    P("owner", FTM_ENTITY), P("asset", FTM_ENTITY), P("percentage", FTM_STRING),
    P("sharesCount", FTM_STRING), P("sharesValue", FTM_STRING), P("sharesCurrency", FTM_STRING),
    P("sharesType", FTM_STRING), P("legalBasis", FTM_STRING), P("ownershipType", FTM_STRING),
    P("role", FTM_STRING), P("status", FTM_STRING), END};

static const ftm_propdef directorship_props[] = {
    P("director", FTM_ENTITY), P("organization", FTM_ENTITY), P("role", FTM_STRING),
    P("secretary", FTM_STRING), P("status", FTM_STRING), END};

static const ftm_propdef membership_props[] = {
    P("member", FTM_ENTITY), P("organization", FTM_ENTITY), P("role", FTM_STRING), P("status", FTM_STRING), END};

static const ftm_propdef family_props[] = {
    P("person", FTM_ENTITY), P("relative", FTM_ENTITY), P("relationship", FTM_STRING), END};

static const ftm_propdef associate_props[] = {
    P("person", FTM_ENTITY), P("associate", FTM_ENTITY), P("relationship", FTM_STRING), END};

/* Parents come before children so a single pass can resolve them. */
static struct ftm_schema registry[] = {
    {"Thing", {NULL, NULL}, 1, 0, thing_props, NULL, 0},
    {"Interval", {NULL, NULL}, 1, 0, interval_props, NULL, 0},
    {"Value", {NULL, NULL}, 1, 0, value_props, NULL, 0},
    {"Asset", {"Thing", "Value"}, 0, 0, no_props, NULL, 0},
    {"LegalEntity", {"Thing", NULL}, 0, 1, legal_entity_props, NULL, 0},
    {"Person", {"LegalEntity", NULL}, 0, 1, person_props, NULL, 0},
    {"Organization", {"LegalEntity", NULL}, 0, 1, organization_props, NULL, 0},
    {"Company", {"Organization", "Asset"}, 0, 1, company_props, NULL, 0},
    {"Address", {"Thing", NULL}, 0, 0, address_props, NULL, 0},
    {"Sanction", {"Interval", NULL}, 0, 0, sanction_props, NULL, 0},
    {"Identification", {"Interval", NULL}, 0, 0, identification_props, NULL, 0},
    {"UnknownLink", {"Interval", NULL}, 0, 0, unknown_link_props, NULL, 0},
    {"Vehicle", {"Thing", "Asset"}, 0, 1, vehicle_props, NULL, 0},
    {"Vessel", {"Vehicle", NULL}, 0, 1, vessel_props, NULL, 0},
    {"Airplane", {"Vehicle", NULL}, 0, 1, airplane_props, NULL, 0},
    {"Ownership", {"Interval", NULL}, 0, 0, ownership_props, NULL, 0},
    {"Directorship", {"Interval", NULL}, 0, 0, directorship_props, NULL, 0},
    {"Membership", {"Interval", NULL}, 0, 0, membership_props, NULL, 0},
    {"Family", {"Interval", NULL}, 0, 0, family_props, NULL, 0},
    {"Associate", {"Interval", NULL}, 0, 0, associate_props, NULL, 0},
};
#define NSCHEMA (sizeof registry / sizeof registry[0])

static const char *const schema_names[NSCHEMA + 1] = {
    "Thing", "Interval", "Value", "Asset", "LegalEntity", "Person", "Organization", "Company",
    "Address", "Sanction", "Identification", "UnknownLink", "Vehicle", "Vessel", "Airplane",
    "Ownership", "Directorship", "Membership", "Family", "Associate", NULL};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static const struct ftm_schema *lookup(const char *name) {
    if (!name) return NULL;
    /* the importers look up the same few schemata millions of times */
    static _Thread_local const struct ftm_schema *last;
    if (last && strcmp(last->name, name) == 0) return last;
    for (size_t i = 0; i < NSCHEMA; i++)
        if (strcmp(registry[i].name, name) == 0) return last = &registry[i];
    return NULL;
}

static int propdef_cmp(const void *a, const void *b) {
    return strcmp(((const ftm_propdef *)a)->name, ((const ftm_propdef *)b)->name);
}

/* Append the props of s and its ancestors to out (duplicates: first wins, so
 * a child's redefinition of an inherited property takes precedence). */
static void collect(const struct ftm_schema *s, ftm_propdef *out, size_t *n, size_t cap) {
    for (const ftm_propdef *p = s->own; p->name; p++) {
        int dup = 0;
        for (size_t i = 0; i < *n; i++)
            if (strcmp(out[i].name, p->name) == 0) { dup = 1; break; }
        if (!dup && *n < cap) out[(*n)++] = *p;
    }
    for (int k = 0; k < 2; k++)
        if (s->parents[k]) collect(lookup(s->parents[k]), out, n, cap);
}

static void registry_init(void) {
    enum { CAP = 256 };
    ftm_propdef tmp[CAP];
    for (size_t i = 0; i < NSCHEMA; i++) {
        size_t n = 0;
        collect(&registry[i], tmp, &n, CAP);
        qsort(tmp, n, sizeof tmp[0], propdef_cmp);
        registry[i].all = malloc(n * sizeof tmp[0]);
        if (!registry[i].all) abort(); /* a few KiB at startup: nothing sensible to do */
        memcpy(registry[i].all, tmp, n * sizeof tmp[0]);
        registry[i].nall = n;
    }
}

const ftm_schema *ftm_schema_get(const char *name) {
    pthread_once(&init_once, registry_init);
    return lookup(name);
}

const char *ftm_schema_name(const ftm_schema *s) { return s ? s->name : NULL; }

int ftm_schema_is_a(const ftm_schema *s, const char *ancestor) {
    if (!s || !ancestor) return 0;
    if (strcmp(s->name, ancestor) == 0) return 1;
    for (int k = 0; k < 2; k++)
        if (s->parents[k] && ftm_schema_is_a(lookup(s->parents[k]), ancestor)) return 1;
    return 0;
}

int ftm_schema_prop_type(const ftm_schema *s, const char *prop) {
    if (!s || !prop) return -1;
    pthread_once(&init_once, registry_init);
    ftm_propdef key = {prop, 0};
    const ftm_propdef *p = bsearch(&key, s->all, s->nall, sizeof key, propdef_cmp);
    return p ? p->type : -1;
}

const char *const *ftm_schema_names(void) { return schema_names; }

int ftm_schema_abstract(const ftm_schema *s) { return s ? s->abstract : 0; }
int ftm_schema_matchable(const ftm_schema *s) { return s ? s->matchable : 0; }

size_t ftm_schema_prop_count(const ftm_schema *s) {
    if (!s) return 0;
    pthread_once(&init_once, registry_init);
    return s->nall;
}

const char *ftm_schema_prop_at(const ftm_schema *s, size_t i, int *type) {
    if (!s) return NULL;
    pthread_once(&init_once, registry_init);
    if (i >= s->nall) return NULL;
    if (type) *type = s->all[i].type;
    return s->all[i].name;
}

static const char *const type_names[] = {"string", "name", "date", "country", "identifier", "entity",
                                         "address", "gender", "text", "url", "number", "topic",
                                         "email", "phone"};

const char *ftm_type_name(int type) {
    if (type < 0 || (size_t)type >= sizeof type_names / sizeof type_names[0]) return "unknown";
    return type_names[type];
}
