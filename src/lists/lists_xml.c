/*
 * lists_xml.c - the XML exports: OFAC's classic sdn.xml schema (SDN and
 * Consolidated), the UN Security Council consolidated list and the EU
 * financial sanctions export. libxml2 (Debian libxml2-dev) reads them:
 * well-formedness is checked for the whole file before one entity is made
 * (a cut-off export is not well-formed), no network, no DTD, no entity
 * expansion (XXE). The UK's two XML publications are at the end. Elements are matched by local name, so the publishers'
 * namespaces (tempuri.org for OFAC, the EU's fsd/export) need no setup.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "lists/lists_int.h"

/* Parse options: no network, no warnings to stderr, keep entities unexpanded. */
#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

static int is(const xmlNode *n, const char *name) {
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(const xmlNode *n, const char *name) {
    for (xmlNode *k = n ? n->children : NULL; k; k = k->next)
        if (is(k, name)) return k;
    return NULL;
}

/* Text of an element into buf (trimmed by ftm_entity_add later); "" when
 * absent. Long values are cut at the buffer size (names and ids are short). */
static const char *text(const xmlNode *n, char *buf, size_t size) {
    buf[0] = 0;
    if (!n) return buf;
    xmlChar *t = xmlNodeGetContent(n);
    if (t) {
        pu_strlcpy(buf, (const char *)t, size);
        xmlFree(t);
    }
    return buf;
}

static const char *ctext(const xmlNode *n, const char *name, char *buf, size_t size) {
    return text(child(n, name), buf, size);
}

static const char *attr(const xmlNode *n, const char *name, char *buf, size_t size) {
    buf[0] = 0;
    xmlChar *t = xmlGetProp(n, (const xmlChar *)name);
    if (t) {
        pu_strlcpy(buf, (const char *)t, size);
        xmlFree(t);
    }
    return buf;
}

/* Is n one of the '|'-separated root names? */
static int root_is(const xmlNode *n, const char *roots) {
    if (!n || n->type != XML_ELEMENT_NODE) return 0;
    size_t len = strlen((const char *)n->name);
    for (const char *p = roots; *p;) {
        size_t k = strcspn(p, "|");
        if (k == len && strncmp(p, (const char *)n->name, k) == 0) return 1;
        p += k + (p[k] == '|');
    }
    return 0;
}

/* Parse a whole document whose root is one of roots ("a|b"). */
static int read_doc(lp_ctx *c, const char *data, size_t n, const char *root, xmlDoc **out) {
    *out = NULL;
    if (n > LISTS_FILE_MAX || n > (size_t)INT32_MAX)
        return pu_fail(c->err, PU_ERR_LIMIT, c->file, NULL, "file over %zu MiB", LISTS_FILE_MAX >> 20);
    xmlDoc *d = xmlReadMemory(data, (int)n, c->file, NULL, XML_OPTS);
    if (!d) {
        const xmlError *e = xmlGetLastError();
        char where[PU_ERR_WHERE_MAX], msg[256];
        snprintf(where, sizeof where, "%s:%d", c->file, e ? e->line : 0);
        pu_strlcpy(msg, e && e->message ? e->message : "unknown error", sizeof msg);
        msg[strcspn(msg, "\n")] = 0;
        return pu_fail(c->err, PU_ERR_INVALID, where, NULL, "not well-formed XML (cut off or damaged): %s", msg);
    }
    xmlNode *r = xmlDocGetRootElement(d);
    if (!root_is(r, root)) {
        pu_fail(c->err, PU_ERR_INVALID, c->file, "root", "expected %s, got '%s'", root, r ? (const char *)r->name : "");
        xmlFreeDoc(d); /* after the message: it quotes the root's name */
        return PU_ERR_INVALID;
    }
    *out = d;
    return PU_OK;
}

static void reject_at(lp_ctx *c, const xmlNode *n, pu_err *why) {
    snprintf(why->where, sizeof why->where, "%s:%ld", c->file, (long)xmlGetLineNo(n));
    lp_reject(c, why);
}

#define V 1024 /* buffer for one value */

/* ---- OFAC sdn.xml / consolidated.xml (sdnList) ---- */

static const char *ofac_schema(const char *type) {
    if (strcmp(type, "Individual") == 0) return "Person";
    if (strcmp(type, "Vessel") == 0) return "Vessel";
    if (strcmp(type, "Aircraft") == 0) return "Airplane";
    return "Organization";
}

/* "LAST, First" as OFAC writes individuals (the CSV's form too). */
static void ofac_name(const xmlNode *n, char *out, size_t size) {
    char last[V], first[V];
    ctext(n, "lastName", last, sizeof last);
    ctext(n, "firstName", first, sizeof first);
    if (first[0] && last[0]) (void)pu_snprintf(out, size, "%s, %s", last, first);
    else snprintf(out, size, "%s", last[0] ? last : first);
}

static int ofac_ids(ftm_entity *e, const xmlNode *list, pu_err *err) {
    char type[V], num[V];
    int rc = PU_OK;
    for (xmlNode *k = list ? list->children : NULL; k && !rc; k = k->next) {
        if (!is(k, "id")) continue;
        ctext(k, "idType", type, sizeof type);
        ctext(k, "idNumber", num, sizeof num);
        const char *prop = strstr(type, "Passport") ? "passportNumber"
                           : (strstr(type, "R.F.C") || strstr(type, "Tax")) ? "taxNumber"
                           : (strstr(type, "IMO") || strncmp(num, "IMO ", 4) == 0) ? "imoNumber"
                           : strstr(type, "Digital Currency") ? "notes" : "idNumber";
        rc = lp_add(e, prop, strcmp(prop, "imoNumber") == 0 && strncmp(num, "IMO ", 4) == 0 ? num + 4 : num, err);
    }
    return rc;
}

static int ofac_lists(ftm_entity *e, const xmlNode *x, pu_err *err) {
    char v[V];
    int rc = PU_OK;
    const xmlNode *l;
    for (l = child(x, "akaList"), l = l ? l->children : NULL; l && !rc; l = l->next) {
        if (!is(l, "aka")) continue;
        char cat[64];
        ofac_name(l, v, sizeof v);
        ctext(l, "category", cat, sizeof cat);
        rc = lp_add(e, strcmp(cat, "weak") == 0 ? "weakAlias" : "alias", v, err);
    }
    for (l = child(x, "dateOfBirthList"), l = l ? l->children : NULL; l && !rc; l = l->next)
        if (is(l, "dateOfBirthItem")) rc = lp_add_date(e, "birthDate", ctext(l, "dateOfBirth", v, sizeof v), err);
    for (l = child(x, "placeOfBirthList"), l = l ? l->children : NULL; l && !rc; l = l->next)
        if (is(l, "placeOfBirthItem")) rc = lp_add(e, "birthPlace", ctext(l, "placeOfBirth", v, sizeof v), err);
    for (l = child(x, "nationalityList"), l = l ? l->children : NULL; l && !rc; l = l->next)
        if (is(l, "nationality")) rc = lp_add_country(e, "nationality", ctext(l, "country", v, sizeof v), err);
    for (l = child(x, "citizenshipList"), l = l ? l->children : NULL; l && !rc; l = l->next)
        if (is(l, "citizenship")) rc = lp_add_country(e, "citizenship", ctext(l, "country", v, sizeof v), err);
    for (l = child(x, "addressList"), l = l ? l->children : NULL; l && !rc; l = l->next) {
        if (!is(l, "address")) continue;
        char a1[V], city[V], country[V], full[3 * V + 8];
        ctext(l, "address1", a1, sizeof a1);
        ctext(l, "city", city, sizeof city);
        ctext(l, "country", country, sizeof country);
        snprintf(full, sizeof full, "%s%s%s%s%s", a1, a1[0] ? ", " : "", city, city[0] ? ", " : "", country);
        rc = lp_add(e, "address", full, err);
        if (!rc) rc = lp_add_country(e, "country", country, err);
    }
    if (!rc) rc = ofac_ids(e, child(x, "idList"), err);
    return rc;
}

static int ofac_entry(lp_ctx *c, const xmlNode *x) {
    char uid[64], type[64], name[V], v[V];
    ctext(x, "uid", uid, sizeof uid);
    ctext(x, "sdnType", type, sizeof type);
    ofac_name(x, name, sizeof name);
    pu_err why = {0};
    if (!uid[0] || !name[0]) {
        pu_fail(&why, PU_ERR_INVALID, NULL, uid[0] ? "lastName" : "uid", "expected %s, got '%s'",
                "an sdnEntry with uid and lastName", "");
        reject_at(c, x, &why);
        return PU_OK;
    }
    ftm_entity *e = NULL;
    int rc = lp_new(c, uid, ofac_schema(type), &e);
    if (!rc) rc = ftm_entity_add(e, "name", name, c->err);
    if (!rc && strcmp(type, "Individual") == 0) {
        rc = lp_add(e, "firstName", ctext(x, "firstName", v, sizeof v), c->err);
        if (!rc) rc = lp_add(e, "lastName", ctext(x, "lastName", v, sizeof v), c->err);
    }
    if (!rc) rc = lp_add(e, "notes", ctext(x, "remarks", v, sizeof v), c->err);
    if (!rc) rc = ofac_lists(e, x, c->err);
    char progs[16][128];
    const char *pv[16];
    size_t np = 0;
    const xmlNode *pl = child(x, "programList");
    for (xmlNode *k = pl ? pl->children : NULL; k && np < 16; k = k->next)
        if (is(k, "program")) pv[np] = text(k, progs[np], sizeof progs[np]), np++;
    for (size_t i = 0; !rc && i < np; i++) rc = lp_add(e, "program", pv[i], c->err);
    if (rc) {
        ftm_entity_free(e);
        return rc;
    }
    c->p->records++;
    rc = lp_sanction(c, e, pv, np, "Office of Foreign Assets Control", NULL);
    if (rc) {
        ftm_entity_free(e);
        return rc;
    }
    return lp_push(c, e);
}

int lists_parse_ofac_xml(lp_ctx *c, const char *data, size_t n) {
    xmlDoc *d = NULL;
    int rc = read_doc(c, data, n, "sdnList", &d);
    if (rc) return rc;
    xmlNode *r = xmlDocGetRootElement(d);
    char v[V];
    const xmlNode *pub = child(r, "publshInformation");
    if (pub) {
        lists_iso_date(ctext(pub, "Publish_Date", v, sizeof v), 1, c->p->published, sizeof c->p->published);
        if (ctext(pub, "Record_Count", v, sizeof v)[0]) c->p->declared = strtoll(v, NULL, 10);
    }
    for (xmlNode *k = r->children; k && !rc; k = k->next)
        if (is(k, "sdnEntry")) rc = ofac_entry(c, k);
    xmlFreeDoc(d);
    return rc;
}

/* ---- UN Security Council consolidated list ---- */

/* FIRST_NAME .. FOURTH_NAME joined: the UN writes names in their order. */
static void un_name(const xmlNode *x, char *out, size_t size) {
    static const char *const parts[] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"};
    out[0] = 0;
    char v[V];
    size_t len = 0;
    for (size_t i = 0; i < 4; i++) {
        ctext(x, parts[i], v, sizeof v);
        if (pu_blank(v)) continue;
        int w = snprintf(out + len, size - len, "%s%s", len ? " " : "", v);
        if (w < 0 || (size_t)w >= size - len) break;
        len += (size_t)w;
    }
}

static int un_details(ftm_entity *e, const xmlNode *x, int person, pu_err *err) {
    char v[V], w[V];
    int rc = PU_OK;
    const char *alias = person ? "INDIVIDUAL_ALIAS" : "ENTITY_ALIAS";
    const char *addr = person ? "INDIVIDUAL_ADDRESS" : "ENTITY_ADDRESS";
    for (xmlNode *k = x->children; k && !rc; k = k->next) {
        if (is(k, alias)) {
            ctext(k, "QUALITY", w, sizeof w);
            rc = lp_add(e, strcmp(w, "Low") == 0 ? "weakAlias" : "alias", ctext(k, "ALIAS_NAME", v, sizeof v), err);
        } else if (is(k, addr)) {
            rc = lp_add_country(e, "country", ctext(k, "COUNTRY", v, sizeof v), err);
        } else if (is(k, "NATIONALITY")) {
            for (xmlNode *q = k->children; q && !rc; q = q->next)
                if (is(q, "VALUE")) rc = lp_add_country(e, "nationality", text(q, v, sizeof v), err);
        } else if (is(k, "INDIVIDUAL_DATE_OF_BIRTH")) {
            ctext(k, "DATE", v, sizeof v);
            if (!v[0]) ctext(k, "YEAR", v, sizeof v);
            rc = lp_add_date(e, "birthDate", v, err);
        } else if (is(k, "INDIVIDUAL_PLACE_OF_BIRTH")) {
            rc = lp_add_country(e, "birthCountry", ctext(k, "COUNTRY", v, sizeof v), err);
        } else if (is(k, "INDIVIDUAL_DOCUMENT")) {
            ctext(k, "TYPE_OF_DOCUMENT", w, sizeof w);
            rc = lp_add(e, strstr(w, "Passport") ? "passportNumber" : "idNumber", ctext(k, "NUMBER", v, sizeof v), err);
        } else if (is(k, "NAME_ORIGINAL_SCRIPT")) {
            rc = lp_add(e, "alias", text(k, v, sizeof v), err);
        } else if (is(k, "COMMENTS1")) {
            rc = lp_add(e, "notes", text(k, v, sizeof v), err);
        }
    }
    return rc;
}

static int un_entry(lp_ctx *c, const xmlNode *x, int person) {
    char ref[64], id[64], name[V], prog[V], listed[64];
    ctext(x, "REFERENCE_NUMBER", ref, sizeof ref);
    ctext(x, "DATAID", id, sizeof id);
    un_name(x, name, sizeof name);
    if (!id[0] || !name[0]) {
        pu_err why = {0};
        pu_fail(&why, PU_ERR_INVALID, NULL, id[0] ? "FIRST_NAME" : "DATAID", "expected %s, got '%s'",
                "a record with DATAID and FIRST_NAME", "");
        reject_at(c, x, &why);
        return PU_OK;
    }
    ftm_entity *e = NULL;
    int rc = lp_new(c, ref[0] ? ref : id, person ? "Person" : "Organization", &e);
    if (!rc) rc = ftm_entity_add(e, "name", name, c->err);
    if (!rc) rc = un_details(e, x, person, c->err);
    ctext(x, "UN_LIST_TYPE", prog, sizeof prog);
    ctext(x, "LISTED_ON", listed, sizeof listed);
    if (!rc) rc = lp_add(e, "program", prog, c->err);
    const char *pv[1] = {prog};
    if (!rc) rc = lp_sanction(c, e, pv, prog[0] ? 1 : 0, "United Nations Security Council", listed);
    if (rc) {
        ftm_entity_free(e);
        return rc;
    }
    c->p->records++;
    return lp_push(c, e);
}

int lists_parse_un_xml(lp_ctx *c, const char *data, size_t n) {
    xmlDoc *d = NULL;
    int rc = read_doc(c, data, n, "CONSOLIDATED_LIST", &d);
    if (rc) return rc;
    xmlNode *r = xmlDocGetRootElement(d);
    char v[V];
    lists_iso_date(attr(r, "dateGenerated", v, sizeof v), 0, c->p->published, sizeof c->p->published);
    for (xmlNode *g = r->children; g && !rc; g = g->next) {
        int person = is(g, "INDIVIDUALS");
        if (!person && !is(g, "ENTITIES")) continue;
        for (xmlNode *k = g->children; k && !rc; k = k->next)
            if (is(k, person ? "INDIVIDUAL" : "ENTITY")) rc = un_entry(c, k, person);
    }
    xmlFreeDoc(d);
    return rc;
}

/* ---- EU financial sanctions (FSD export) ---- */

static int eu_name(ftm_entity *e, const xmlNode *k, int *first, pu_err *err) {
    char v[V], strong[16];
    attr(k, "wholeName", v, sizeof v);
    if (pu_blank(v)) return PU_OK;
    attr(k, "strong", strong, sizeof strong);
    const char *prop = *first ? "name" : strcmp(strong, "false") == 0 ? "weakAlias" : "alias";
    int rc = lp_add(e, prop, v, err);
    if (!rc && *first) {
        rc = lp_add(e, "firstName", attr(k, "firstName", v, sizeof v), err);
        if (!rc) rc = lp_add(e, "lastName", attr(k, "lastName", v, sizeof v), err);
        if (!rc && attr(k, "gender", v, sizeof v)[0])
            rc = lp_add(e, "gender", v[0] == 'M' ? "male" : v[0] == 'F' ? "female" : NULL, err);
    }
    *first = 0;
    return rc;
}

static int eu_details(ftm_entity *e, const xmlNode *x, pu_err *err) {
    char v[V], w[V];
    int rc = PU_OK, first = 1;
    for (xmlNode *k = x->children; k && !rc; k = k->next) {
        if (is(k, "nameAlias")) rc = eu_name(e, k, &first, err);
        else if (is(k, "birthdate")) {
            rc = lp_add_date(e, "birthDate", attr(k, "birthdate", v, sizeof v), err);
            if (!rc && !v[0]) rc = lp_add_date(e, "birthDate", attr(k, "year", v, sizeof v), err);
            if (!rc) rc = lp_add(e, "birthPlace", attr(k, "city", v, sizeof v), err);
        } else if (is(k, "citizenship")) {
            rc = lp_add_country(e, "nationality", attr(k, "countryIso2Code", v, sizeof v), err);
        } else if (is(k, "identification")) {
            attr(k, "identificationTypeCode", w, sizeof w);
            rc = lp_add(e, strcmp(w, "passport") == 0 ? "passportNumber" : "idNumber", attr(k, "number", v, sizeof v),
                        err);
        } else if (is(k, "address")) {
            rc = lp_add_country(e, "country", attr(k, "countryIso2Code", v, sizeof v), err);
        } else if (is(k, "remark")) {
            rc = lp_add(e, "notes", text(k, v, sizeof v), err);
        }
    }
    return rc;
}

static int eu_entry(lp_ctx *c, const xmlNode *x) {
    char lid[64], ref[64], code[32], prog[128], listed[64];
    attr(x, "logicalId", lid, sizeof lid);
    attr(x, "euReferenceNumber", ref, sizeof ref);
    const xmlNode *st = child(x, "subjectType");
    attr(st, "code", code, sizeof code);
    ftm_entity *e = NULL;
    int rc = lp_new(c, lid[0] ? lid : ref, strcmp(code, "person") == 0 ? "Person" : "Organization", &e);
    if (!rc) rc = eu_details(e, x, c->err);
    if (!rc && !ftm_entity_prop(e, "name")) {
        pu_err why = {0};
        pu_fail(&why, PU_ERR_INVALID, NULL, "nameAlias", "expected %s, got '%s'",
                "a sanctionEntity with a nameAlias wholeName", lid);
        reject_at(c, x, &why);
        ftm_entity_free(e);
        return PU_OK;
    }
    const xmlNode *reg = child(x, "regulation");
    attr(reg, "programme", prog, sizeof prog);
    attr(reg, "entryIntoForceDate", listed, sizeof listed);
    if (!rc) rc = lp_add(e, "program", prog, c->err);
    const char *pv[1] = {prog};
    if (!rc) rc = lp_sanction(c, e, pv, prog[0] ? 1 : 0, "European Union", listed);
    if (rc) {
        ftm_entity_free(e);
        return rc;
    }
    c->p->records++;
    return lp_push(c, e);
}

int lists_parse_eu_xml(lp_ctx *c, const char *data, size_t n) {
    xmlDoc *d = NULL;
    int rc = read_doc(c, data, n, "export", &d);
    if (rc) return rc;
    xmlNode *r = xmlDocGetRootElement(d);
    char v[V];
    lists_iso_date(attr(r, "generationDate", v, sizeof v), 0, c->p->published, sizeof c->p->published);
    for (xmlNode *k = r->children; k && !rc; k = k->next)
        if (is(k, "sanctionEntity")) rc = eu_entry(c, k);
    xmlFreeDoc(d);
    return rc;
}

/* ---- UK: the UK Sanctions List (FCDO) and OFSI's consolidated list XML ----
 * Two publications of the same designations (docs/lists.md, "uk_xml"):
 *  - the UK Sanctions List, root <Designations>: one <Designation> per
 *    designated person, entity or ship, its names under <Names><Name>
 *    (Name1..Name6, NameType, AliasStrength) and its details nested below
 *    (<IndividualDetails><Individual><DOBs><DOB>, ...);
 *  - OFSI's consolidated list (ConList.xml), root
 *    <ArrayOfFinancialSanctionsTarget>: one flat <FinancialSanctionsTarget>
 *    per NAME, the rows of one target sharing its <GroupID> (the CSV's shape).
 * Details are taken by element name wherever they sit under the record (the
 * table below), so the nesting differences between the two (and between
 * releases of the FCDO schema) need no code. */

#define UK_AUTH_FCDO "UK Foreign, Commonwealth and Development Office"
#define UK_AUTH_OFSI "UK Office of Financial Sanctions Implementation"

/* How one detail element becomes a property. */
enum { UK_PLAIN, UK_DATE, UK_COUNTRY, UK_GENDER };
typedef struct uk_field {
    const char *elem, *prop;
    int kind;
} uk_field;

static const uk_field UK_FIELDS[] = {
    {"DOB", "birthDate", UK_DATE},
    {"Nationality", "nationality", UK_COUNTRY},
    {"PassportNumber", "passportNumber", UK_PLAIN},
    {"NationalIdentifierNumber", "idNumber", UK_PLAIN}, /* FCDO */
    {"NationalIdNumber", "idNumber", UK_PLAIN},         /* OFSI */
    {"NINumber", "idNumber", UK_PLAIN},                 /* OFSI, older releases */
    {"TownOfBirth", "birthPlace", UK_PLAIN},
    {"CountryOfBirth", "birthCountry", UK_COUNTRY},
    {"Gender", "gender", UK_GENDER},
    {"Position", "position", UK_PLAIN},
    {"AddressCountry", "country", UK_COUNTRY},          /* FCDO */
    {"Country", "country", UK_COUNTRY},                 /* OFSI */
    {"BusinessRegistrationNumber", "registrationNumber", UK_PLAIN},
    {"IMONumber", "imoNumber", UK_PLAIN},
    {"CurrentFlag", "flag", UK_COUNTRY},
    {"NameNonLatinScript", "alias", UK_PLAIN},
    {"OtherInformation", "notes", UK_PLAIN},
};

static int uk_field_add(ftm_entity *e, const uk_field *f, const char *v, pu_err *err) {
    switch (f->kind) {
    case UK_DATE: return lp_add_date(e, f->prop, v, err);
    case UK_COUNTRY: return lp_add_country(e, f->prop, v, err);
    case UK_GENDER: return lp_add(e, f->prop, v[0] == 'M' || v[0] == 'm' ? "male"
                                              : v[0] == 'F' || v[0] == 'f' ? "female" : NULL, err);
    default: return lp_add(e, f->prop, v, err);
    }
}

/* Every detail element under n (not its names: those are read by uk_names). */
static int uk_details(ftm_entity *e, const xmlNode *n, pu_err *err) {
    char v[V];
    int rc = PU_OK;
    for (xmlNode *k = n->children; k && !rc; k = k->next) {
        if (k->type != XML_ELEMENT_NODE || is(k, "Names")) continue;
        int leaf = 1;
        for (xmlNode *q = k->children; q && leaf; q = q->next) leaf = q->type != XML_ELEMENT_NODE;
        if (!leaf) {
            rc = uk_details(e, k, err);
            continue;
        }
        for (size_t i = 0; i < sizeof UK_FIELDS / sizeof UK_FIELDS[0]; i++)
            if (is(k, UK_FIELDS[i].elem)) {
                rc = uk_field_add(e, &UK_FIELDS[i], text(k, v, sizeof v), err);
                break;
            }
    }
    return rc;
}

/* Name1..Name5 (given names) then Name6 (the family name or the entity's
 * name), as the UK writes them and people say them. */
static void uk_full_name(const xmlNode *n, char *out, size_t size) {
    static const char *const parts[] = {"Name1", "Name2", "Name3", "Name4", "Name5", "Name6"};
    char v[V];
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < 6; i++) {
        if (pu_blank(ctext(n, parts[i], v, sizeof v))) continue;
        int w = snprintf(out + len, size - len, "%s%s", len ? " " : "", v);
        if (w < 0 || (size_t)w >= size - len) break;
        len += (size_t)w;
    }
}

/* One name: the primary name is `name` (first/last for persons), an alias
 * of low quality or weak strength a weakAlias, any other an alias. */
static int uk_name(ftm_entity *e, const xmlNode *n, const char *type, const char *quality, pu_err *err) {
    char full[2 * V], v[V];
    uk_full_name(n, full, sizeof full);
    if (!full[0]) return PU_OK;
    int primary = strncmp(type, "Primary", 7) == 0 && !ftm_entity_prop(e, "name");
    const char *prop = primary ? "name" : (strstr(quality, "Low") || strstr(quality, "low") || strstr(quality, "Weak") ||
                                           strstr(quality, "weak"))
                                              ? "weakAlias"
                                              : "alias";
    int rc = lp_add(e, prop, full, err);
    if (!rc && primary && strcmp(e->schema, "Person") == 0) {
        rc = lp_add(e, "firstName", ctext(n, "Name1", v, sizeof v), err);
        if (!rc) rc = lp_add(e, "lastName", ctext(n, "Name6", v, sizeof v), err);
    }
    return rc;
}

static const char *uk_schema(const char *t) {
    if (strcmp(t, "Individual") == 0) return "Person";
    if (strcmp(t, "Ship") == 0) return "Vessel";
    return "Organization";
}

/* A record with only aliases still designates: its first alias is its name. */
static int uk_name_or_alias(ftm_entity *e, pu_err *err) {
    const ftm_prop *a = ftm_entity_prop(e, "name") ? NULL : ftm_entity_prop(e, "alias");
    return a && a->n ? lp_add(e, "name", a->values[0], err) : PU_OK;
}

/* The entity is complete: count it, its Sanction, push it (owned). */
static int uk_finish(lp_ctx *c, ftm_entity *e, const char *regime, const char *listed, const char *authority) {
    int rc = uk_name_or_alias(e, c->err);
    if (!rc) rc = lp_add(e, "program", regime, c->err);
    const char *pv[1] = {regime};
    if (!rc) rc = lp_sanction(c, e, pv, regime[0] ? 1 : 0, authority, listed);
    if (rc) {
        ftm_entity_free(e);
        return rc;
    }
    c->p->records++;
    return lp_push(c, e);
}

/* The latest LastUpdated seen (ISO), the publication date when the file
 * names none itself. */
static void uk_last_updated(lp_ctx *c, const xmlNode *x, char *latest, size_t size) {
    char v[V], iso[16];
    if (lists_iso_date(ctext(x, "LastUpdated", v, sizeof v), 0, iso, sizeof iso) && strcmp(iso, latest) > 0)
        pu_strlcpy(latest, iso, size);
    (void)c;
}

static int uk_designation(lp_ctx *c, const xmlNode *x) {
    char uid[128], type[64], regime[V], listed[64], v[V], q[V];
    ctext(x, "UniqueID", uid, sizeof uid);
    ctext(x, "IndividualEntityShip", type, sizeof type);
    const xmlNode *names = child(x, "Names");
    const xmlNode *first = NULL;
    for (const xmlNode *k = names ? names->children : NULL; k && !first; k = k->next)
        if (is(k, "Name")) first = k;
    if (pu_blank(uid) || !first) {
        pu_err why = {0};
        pu_fail(&why, PU_ERR_INVALID, NULL, pu_blank(uid) ? "UniqueID" : "Names", "expected %s, got '%s'",
                "a Designation with a UniqueID and at least one Name", uid);
        reject_at(c, x, &why);
        return PU_OK;
    }
    ftm_entity *e = NULL;
    int rc = lp_new(c, uid, uk_schema(type), &e);
    for (const xmlNode *k = names->children; k && !rc; k = k->next)
        if (is(k, "Name"))
            rc = uk_name(e, k, ctext(k, "NameType", v, sizeof v), ctext(k, "AliasStrength", q, sizeof q), c->err);
    if (!rc) rc = uk_details(e, x, c->err);
    if (rc) {
        ftm_entity_free(e);
        return rc;
    }
    ctext(x, "RegimeName", regime, sizeof regime);
    ctext(x, "DateDesignated", listed, sizeof listed);
    return uk_finish(c, e, regime, listed, UK_AUTH_FCDO);
}

/* OFSI rows: one name each, grouped by GroupID (not necessarily adjacent). */
typedef struct uk_row {
    char gid[64];
    const xmlNode *x;
    size_t order; /* document order: the first row of a group decides its type */
} uk_row;

static int uk_row_cmp(const void *a, const void *b) {
    const uk_row *x = a, *y = b;
    int d = strcmp(x->gid, y->gid);
    return d ? d : (x->order > y->order) - (x->order < y->order);
}

static int uk_group(lp_ctx *c, const uk_row *rows, size_t n) {
    char type[64], regime[V], listed[64], v[V], q[V];
    const xmlNode *x0 = rows[0].x;
    ctext(x0, "GroupTypeDescription", type, sizeof type);
    if (!type[0]) ctext(x0, "GroupType", type, sizeof type);
    ftm_entity *e = NULL;
    int rc = lp_new(c, rows[0].gid, uk_schema(type), &e);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = uk_name(e, rows[i].x, ctext(rows[i].x, "AliasType", v, sizeof v),
                     ctext(rows[i].x, "AliasQuality", q, sizeof q), c->err);
        if (!rc) rc = uk_details(e, rows[i].x, c->err);
    }
    if (!rc && !ftm_entity_prop(e, "name") && !ftm_entity_prop(e, "alias")) {
        pu_err why = {0};
        pu_fail(&why, PU_ERR_INVALID, NULL, "Name6", "expected %s, got '%s'", "a target with a name", rows[0].gid);
        reject_at(c, x0, &why);
        ftm_entity_free(e);
        return PU_OK;
    }
    if (rc) {
        ftm_entity_free(e);
        return rc;
    }
    ctext(x0, "RegimeName", regime, sizeof regime);
    if (!regime[0]) ctext(x0, "Regime", regime, sizeof regime);
    ctext(x0, "DateListed", listed, sizeof listed);
    return uk_finish(c, e, regime, listed, UK_AUTH_OFSI);
}

static int uk_ofsi(lp_ctx *c, const xmlNode *r, char *latest, size_t size) {
    size_t n = 0, cap = 0;
    uk_row *rows = NULL;
    int rc = PU_OK;
    for (const xmlNode *k = r->children; k && !rc; k = k->next) {
        if (!is(k, "FinancialSanctionsTarget")) continue;
        char gid[64];
        if (pu_blank(ctext(k, "GroupID", gid, sizeof gid))) {
            pu_err why = {0};
            pu_fail(&why, PU_ERR_INVALID, NULL, "GroupID", "expected %s, got '%s'", "a target row with a GroupID", "");
            reject_at(c, k, &why);
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 256;
            uk_row *nr = n < LISTS_RECORDS_MAX ? realloc(rows, nc * sizeof *nr) : NULL;
            if (!nr) {
                rc = pu_fail(c->err, n < LISTS_RECORDS_MAX ? PU_ERR_NOMEM : PU_ERR_LIMIT, c->file, NULL,
                             "too many target rows");
                break;
            }
            rows = nr;
            cap = nc;
        }
        pu_strlcpy(rows[n].gid, gid, sizeof rows[n].gid);
        rows[n].x = k;
        rows[n].order = n;
        n++;
        uk_last_updated(c, k, latest, size);
    }
    if (!rc && n) qsort(rows, n, sizeof *rows, uk_row_cmp);
    for (size_t i = 0, j; !rc && i < n; i = j) {
        for (j = i + 1; j < n && strcmp(rows[j].gid, rows[i].gid) == 0; j++) {}
        rc = uk_group(c, rows + i, j - i);
    }
    free(rows);
    return rc;
}

int lists_parse_uk_xml(lp_ctx *c, const char *data, size_t n) {
    xmlDoc *d = NULL;
    int rc = read_doc(c, data, n, "Designations|ArrayOfFinancialSanctionsTarget", &d);
    if (rc) return rc;
    xmlNode *r = xmlDocGetRootElement(d);
    char v[V], latest[16] = "";
    if (is(r, "Designations")) {
        for (xmlNode *k = r->children; k && !rc; k = k->next)
            if (is(k, "Designation")) {
                uk_last_updated(c, k, latest, sizeof latest);
                rc = uk_designation(c, k);
            }
    } else {
        rc = uk_ofsi(c, r, latest, sizeof latest);
    }
    /* the file's own date (<DateGenerated> or the attribute), else its newest entry */
    if (!ctext(r, "DateGenerated", v, sizeof v)[0]) attr(r, "DateGenerated", v, sizeof v);
    if (!lists_iso_date(v, 0, c->p->published, sizeof c->p->published))
        pu_strlcpy(c->p->published, latest, sizeof c->p->published);
    xmlFreeDoc(d);
    return rc;
}
