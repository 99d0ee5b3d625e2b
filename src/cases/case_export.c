/* case_export.c - a case as NIEM-aligned JSON (niem-core "nc:" and Justice
 * domain "j:" names: j:Charge, j:Warrant, j:Arrest; Red Notices and
 * extradition requests, which NIEM has no type for, under "puente:"), and
 * the module's named counts for the impact indicators. docs/cases.md. */
#include <string.h>

#include "cases/case_int.h"

#define S(o, k) json_string_value(json_object_get((o), (k)))
#define I(o, k) json_integer_value(json_object_get((o), (k)))

static json_t *date_of(const char *d) { return d ? json_pack("{s:s}", "nc:Date", d) : json_null(); }
static json_t *person(const char *name) { return json_pack("{s:{s:s}}", "nc:PersonName", "nc:PersonFullName", name ? name : ""); }
static json_t *country(const char *c) { return json_pack("{s:s}", "nc:LocationCountryISO3166Alpha2Code", c ? c : ""); }
static json_t *ident(const char *prefix, json_int_t id) {
    char b[48];
    (void)pu_snprintf(b, sizeof b, "%s-%lld", prefix, (long long)id);
    return json_pack("{s:s}", "nc:IdentificationID", b);
}

static json_t *charges(json_t *a) {
    json_t *out = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(a, i, c) json_array_append_new(out, json_pack(
        "{s:o,s:{s:{s:s},s:o},s:I,s:s,s:o,s:s,s:{s:s}}", "j:ChargeIdentification", ident("charge", I(c, "id")),
        "j:ChargeStatute", "j:StatuteCodeSectionIdentification", "nc:IdentificationID", S(c, "statute"),
        "j:StatuteJurisdiction", country(S(c, "country")), "j:ChargeCountQuantity", (json_int_t)I(c, "count"),
        "j:ChargeSeverityText", S(c, "severity"), "j:ChargeFilingDate", date_of(S(c, "filed")),
        "j:ChargeDescriptionText", S(c, "description"), "j:ChargeDisposition", "nc:DispositionText", S(c, "disposition")));
    return out;
}

static json_t *warrants(json_t *a) {
    json_t *out = json_array();
    size_t i;
    json_t *w;
    json_array_foreach(a, i, w) {
        json_t *o = json_pack("{s:o,s:{s:s},s:{s:o},s:o,s:{s:o},s:{s:s},s:o,s:s}", "nc:ActivityIdentification",
                              ident("warrant", I(w, "id")), "j:CourtOrderIssuingCourt", "nc:OrganizationName",
                              S(w, "court"), "j:CourtOrderIssuingJudicialOfficial", "nc:RoleOfPerson",
                              person(S(w, "judge")), "j:CourtOrderIssuingDate", date_of(S(w, "issued")),
                              "j:CourtOrderJurisdiction", "nc:LocationCountry", country(S(w, "jurisdiction")),
                              "nc:ActivityStatus", "nc:StatusText", S(w, "status"), "j:WarrantSubject",
                              person(S(w, "subject")), "puente:ChargeReferences", S(w, "charges"));
        if (S(w, "recall_reason")) json_object_set_new(o, "j:CourtOrderRecallReasonText", json_string(S(w, "recall_reason")));
        if (S(w, "status_day")) json_object_set_new(o, "nc:StatusDate", date_of(S(w, "status_day")));
        json_array_append_new(out, o);
    }
    return out;
}

static json_t *arrests(json_t *a) {
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(a, i, r) {
        json_t *o = json_pack("{s:o,s:o,s:{s:s,s:o},s:{s:s},s:s,s:{s:o},s:s,s:s}", "nc:ActivityIdentification",
                              ident("arrest", I(r, "id")), "nc:ActivityDate", date_of(S(r, "day")), "j:ArrestLocation",
                              "nc:LocationName", S(r, "place"), "nc:LocationCountry", country(S(r, "country")),
                              "j:ArrestAgency", "nc:OrganizationName", S(r, "agency"), "j:ArrestOfficialText",
                              S(r, "officers"), "j:ArrestSubject", "nc:RoleOfPerson", person(S(r, "person")),
                              "j:ArrestChargeReferences", S(r, "charges"), "j:CustodyStatusText", S(r, "custody"));
        if (I(r, "warrant")) json_object_set_new(o, "j:ArrestWarrant", json_pack("{s:o}", "nc:ActivityIdentification",
                                                                                 ident("warrant", I(r, "warrant"))));
        if (S(r, "released")) json_object_set_new(o, "j:ReleaseDate", date_of(S(r, "released")));
        json_array_append_new(out, o);
    }
    return out;
}

int case_export_niem(db_t *db, const case_reader *rd, int64_t id, json_t **out, pu_err *err) {
    json_t *c;
    int rc = case_show(db, rd, id, &c, err);
    if (rc) return rc;
    json_t *subjects = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(c, "subjects"), i, s) {
        json_t *p = person(S(s, "name"));
        json_object_set_new(p, "nc:PersonCategoryText", json_string(S(s, "role")));
        if (S(s, "entity_id")) json_object_set_new(p, "puente:EntityID", json_string(S(s, "entity_id")));
        json_array_append_new(subjects, p);
    }
    *out = json_pack(
        "{s:{s:s,s:s,s:s},s:{s:o,s:s,s:s,s:{s:s},s:o,s:{s:s,s:s},s:O},s:o,s:o,s:o,s:o,s:O,s:O,s:O,s:O}",
        "@context", "nc", "https://docs.oasis-open.org/niemopen/ns/model/niem-core/6.0/", "j",
        "https://docs.oasis-open.org/niemopen/ns/model/domains/justice/6.0/", "puente", "urn:puente:cases:1",
        "nc:Case", "nc:CaseTrackingID", ident("case", id), "nc:CaseTitleText", S(c, "title"),
        "nc:CaseSynopsisText", S(c, "summary"), "nc:ActivityStatus", "nc:StatusText", S(c, "status"),
        "nc:ActivityDate", date_of(S(c, "opened")), "puente:Releasability", "puente:Owner", S(c, "owner"),
        "puente:Marking", S(c, "marking"), "puente:Offences", json_object_get(c, "offences"),
        "nc:Person", subjects, "j:Charge", charges(json_object_get(c, "charges")),
        "j:Warrant", warrants(json_object_get(c, "warrants")), "j:Arrest", arrests(json_object_get(c, "arrests")),
        "puente:RedNotice", json_object_get(c, "notices"), "puente:ExtraditionRequest", json_object_get(c, "extraditions"),
        "puente:EvidenceLink", json_object_get(c, "links"), "nc:Document", json_object_get(c, "documents"));
    json_decref(c);
    return *out ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
}

/* ---- counts ---- */
/* count_records: the record a row counts, built from the trailing columns
 * of a counts SELECT (id, case id, marking, label); NULL from case_counts. */
typedef struct case_rec {
    const char *kind;
    int first_col;          /* index of the record's id column */
    char link[64];
    pu_count_record rec;
} case_rec;

static const pu_count_record *record_of(case_rec *k, db_stmt *st, const char *day) {
    if (!k) return NULL;
    int c = k->first_col;
    (void)pu_snprintf(k->link, sizeof k->link, "/app/cases/%s", db_col_text(st, c + 1));
    k->rec = (pu_count_record){.kind = k->kind, .id = db_col_text(st, c), .label = db_col_text(st, c + 3),
                               .date = day ? day : "", .marking = db_col_text(st, c + 2), .link = k->link};
    return &k->rec;
}

static int emit(pu_count_cb cb, void *ctx, const char *name, const char *day, const char *country, const char *agency,
                double value, const pu_count_record *rec, pu_err *err) {
    pu_count_row r = {.name = name, .year = 0, .month = 0, .country = country, .state = "", .agency = agency,
                      .value = value, .rec = rec};
    if (day && strlen(day) >= 7) {
        r.year = (day[0] - '0') * 1000 + (day[1] - '0') * 100 + (day[2] - '0') * 10 + (day[3] - '0');
        r.month = (day[5] - '0') * 10 + (day[6] - '0');
    }
    return cb(&r, ctx, err);
}

/* Rows of sql (a SELECT over records r joined to their case c, then a
 * WHERE the visibility rule is appended to) for each visible record. */
static int visible_rows(db_t *db, const case_reader *rd, const char *select, const char *kind, db_stmt **st,
                        pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, select);
    db_sql_add(&q, " WHERE ");
    if (kind) {
        case_record_sql(&q, rd, kind, "r");
        db_sql_add(&q, " AND ");
    }
    case_visible_sql(&q, rd, "c");
    int rc = db_sql_prepare(db, &q, st, err);
    db_sql_free(&q);
    return rc;
}

/* warrants_issued, arrests: one row per record in its finest cell. */
static int simple_counts(db_t *db, const case_reader *rd, const char *name, const char *select, const char *kind,
                         case_rec *k, pu_count_cb cb, void *ctx, pu_err *err) {
    db_stmt *st;
    int rc = visible_rows(db, rd, select, kind, &st, err);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW)
        if ((rc = emit(cb, ctx, name, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2), 1,
                       record_of(k, st, db_col_text(st, 0)), err)))
            break;
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

/* The requested (surrendering) state of a direction. */
static const char *requested(const char *direction) { return !strcmp(direction, "us_to_mx") ? "US" : "MX"; }

static int extradition_counts(db_t *db, const case_reader *rd, int records, pu_count_cb cb, void *ctx, pu_err *err) {
    db_stmt *st;
    char name[96];
    case_rec k = {.kind = "extradition", .first_col = 4}, *kr = records ? &k : NULL;
    int rc = visible_rows(db, rd, "SELECT r.stage, r.stage_since, r.direction, r.owner,"
                                  " r.id, r.case_id, r.marking, r.treaty FROM case_extradition r"
                                  " JOIN case_file c ON c.id = r.case_id", "extradition", &st, err);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        (void)pu_snprintf(name, sizeof name, "cases.extraditions_%s", db_col_text(st, 0));
        if ((rc = emit(cb, ctx, name, db_col_text(st, 1), requested(db_col_text(st, 2)), db_col_text(st, 3), 1,
                       record_of(kr, st, db_col_text(st, 1)), err)))
            break;
    }
    db_finalize(st);
    if (rc != DB_DONE) return rc;
    /* time in each stage: completed periods only, in the year they ended */
    k.first_col = 5;
    rc = visible_rows(db, rd, "SELECT h.stage, h.entered, h.left_day, r.direction, r.owner,"
                              " r.id, r.case_id, r.marking, r.treaty FROM case_stage_history h"
                              " JOIN case_extradition r ON r.id = h.extradition_id JOIN case_file c ON c.id = r.case_id"
                              " AND h.left_day IS NOT NULL", "extradition", &st, err);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        int64_t a, b;
        if (pu_parse_date(db_col_text(st, 1), &a) || pu_parse_date(db_col_text(st, 2), &b)) continue;
        const char *c = requested(db_col_text(st, 3)), *ag = db_col_text(st, 4);
        (void)pu_snprintf(name, sizeof name, "cases.extradition_days_in_stage_%s", db_col_text(st, 0));
        const pu_count_record *rec = record_of(kr, st, db_col_text(st, 2));
        if ((rc = emit(cb, ctx, name, db_col_text(st, 2), c, ag, (double)(b - a), rec, err))) break;
        (void)pu_snprintf(name, sizeof name, "cases.extradition_stage_exits_%s", db_col_text(st, 0));
        if ((rc = emit(cb, ctx, name, db_col_text(st, 2), c, ag, 1, rec, err))) break;
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

/* The labels: the court (warrants), the place (arrests), the treaty
 * (extraditions); never the person, who shows on the case's own page. */
static int walk(db_t *db, const store_scope *scope, int records, pu_count_cb cb, void *ctx, pu_err *err) {
    case_reader rd = {scope, NULL};
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "a reader must be named");
    case_rec w = {.kind = "warrant", .first_col = 3}, a = {.kind = "arrest", .first_col = 3};
    int rc = simple_counts(db, &rd, "cases.warrants_issued", "SELECT r.issued, r.jurisdiction, r.owner,"
                           " r.id, r.case_id, r.marking, r.court FROM case_warrant r"
                           " JOIN case_file c ON c.id = r.case_id", "warrant", records ? &w : NULL, cb, ctx, err);
    if (!rc) rc = simple_counts(db, &rd, "cases.arrests", "SELECT r.day, r.country, r.owner,"
                                " r.id, r.case_id, r.marking, r.place FROM case_arrest r"
                                " JOIN case_file c ON c.id = r.case_id", "arrest", records ? &a : NULL, cb, ctx, err);
    if (!rc) rc = extradition_counts(db, &rd, records, cb, ctx, err);
    return rc;
}

int case_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    return walk(db, scope, 0, cb, ctx, err);
}

int case_count_records(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    return walk(db, scope, 1, cb, ctx, err);
}
