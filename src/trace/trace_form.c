/* trace_form.c - trace requests in the shape of ATF Form 3312.1: field table
 * (EN/ES labels), validation and submission, status workflow, rendering. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trace/trace_int.h"
#include "common/pu_parse.h"
#include "trace/trace_req.h"

/* Order and wording follow the sections of Form 3312.1 (request, firearm,
 * possessor, recovery); Spanish labels follow the bilingual eTrace 4.0. */
static const trace_form_field FIELDS[] = {
    {"request_date", "Request date", "Fecha de solicitud", 0},
    {"priority", "Priority (routine/urgent)", "Prioridad (rutina/urgente)", 0},
    {"agency", "Requesting agency", "Dependencia solicitante", 1},
    {"requester", "Requesting officer", "Agente solicitante", 0},
    {"case_number", "Agency case number", "Número de averiguación / carpeta", 0},
    {"crime_code", "Crime code", "Código de delito", 1},
    {"serial", "Serial number", "Número de serie", 0},
    {"obliterated", "Serial number obliterated", "Número de serie borrado o alterado", 0},
    {"manufacturer", "Manufacturer", "Fabricante", 1},
    {"importer", "Importer", "Importador", 0},
    {"type", "Firearm type", "Tipo de arma", 1},
    {"calibre", "Caliber", "Calibre", 0},
    {"model", "Model", "Modelo", 0},
    {"country", "Country of manufacture", "País de fabricación", 0},
    {"markings", "Other markings", "Otras marcas", 0},
    {"possessor", "Possessor name", "Nombre del poseedor", 0},
    {"possessor_alias", "Possessor alias", "Alias del poseedor", 0},
    {"possessor_dob", "Possessor date of birth", "Fecha de nacimiento del poseedor", 0},
    {"possessor_address", "Possessor address", "Domicilio del poseedor", 0},
    {"recovery_date", "Recovery date", "Fecha de aseguramiento", 1},
    {"recovery_state", "Recovery state (Mexico)", "Estado de aseguramiento", 1},
    {"recovery_place", "Recovery municipality / place", "Municipio / lugar de aseguramiento", 0},
};
#define NF (sizeof FIELDS / sizeof FIELDS[0])

const trace_form_field *trace_form_fields(size_t *n) {
    *n = NF;
    return FIELDS;
}

int trace_form_index(const char *key) {
    for (size_t i = 0; i < NF; i++)
        if (pu_strieq(key, FIELDS[i].key)) return (int)i;
    return -1;
}

const char *trace_type_norm(const char *raw) {
    static const struct { const char *in, *out; } T[] = {
        {"PISTOL", "PISTOL"}, {"PISTOLA", "PISTOL"}, {"REVOLVER", "REVOLVER"}, {"DERRINGER", "DERRINGER"},
        {"HANDGUN", "PISTOL"}, {"RIFLE", "RIFLE"}, {"FUSIL", "RIFLE"}, {"CARABINA", "RIFLE"},
        {"SHOTGUN", "SHOTGUN"}, {"ESCOPETA", "SHOTGUN"}, {"MACHINE GUN", "MACHINE GUN"},
        {"AMETRALLADORA", "MACHINE GUN"}, {"SUBMACHINE GUN", "MACHINE GUN"}, {"RECEIVER", "RECEIVER/FRAME"},
        {"FRAME", "RECEIVER/FRAME"}, {"RECEIVER/FRAME", "RECEIVER/FRAME"}, {"GRENADE LAUNCHER", "GRENADE LAUNCHER"},
    };
    if (!raw) return NULL;
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (pu_strieq(raw, T[i].in)) return T[i].out;
    return NULL;
}

const char *const *trace_types(size_t *n) {
    static const char *const TYPES[] = {"PISTOL", "REVOLVER", "DERRINGER", "RIFLE", "SHOTGUN", "MACHINE GUN",
                                        "RECEIVER/FRAME", "GRENADE LAUNCHER"};
    *n = sizeof TYPES / sizeof TYPES[0];
    return TYPES;
}

int trace_type_class(const char *type) {
    if (!type) return TRACE_CLASS_OTHER;
    if (!strcmp(type, "PISTOL") || !strcmp(type, "REVOLVER") || !strcmp(type, "DERRINGER")) return TRACE_CLASS_HANDGUN;
    if (!strcmp(type, "RIFLE") || !strcmp(type, "SHOTGUN")) return TRACE_CLASS_LONG;
    return TRACE_CLASS_OTHER;
}

static int yes(const char *s) {
    return s && (pu_strieq(s, "1") || pu_strieq(s, "yes") || pu_strieq(s, "y") || pu_strieq(s, "true") ||
                 pu_strieq(s, "si") || pu_strieq(s, "sí") || pu_strieq(s, "x"));
}

static int check_date(const trace_t *t, const char *s, const char *field, int64_t *out, pu_err *err) {
    if (pu_date_parse_days(s, NULL, field, out, err)) return PU_ERR_INVALID;
    if (*out > t->today) {
        char d[16];
        pu_format_date(t->today, d, sizeof d);
        return pu_fail(err, PU_ERR_INVALID, NULL, field, "date %s is in the future (today is %s)", s, d);
    }
    return PU_OK;
}

/* Validate v[NF] (NULL = absent) into a normalised request. */
int trace_req_validate(trace_t *t, const char *const *v, trace_req *r, pu_err *err) {
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < NF; i++) {
        r->v[i] = v[i] && !pu_blank(v[i]) ? v[i] : NULL;
        if (FIELDS[i].required && !r->v[i])
            return pu_fail(err, PU_ERR_INVALID, NULL, FIELDS[i].key, "required field is empty (%s / %s)",
                           FIELDS[i].label_en, FIELDS[i].label_es);
    }
    int64_t d;
    if (r->v[F_REQUEST_DATE]) {
        if (check_date(t, r->v[F_REQUEST_DATE], "request_date", &d, err)) return PU_ERR_INVALID;
    } else {
        d = t->today;
    }
    pu_format_date(d, r->request_date, sizeof r->request_date);
    const char *p = r->v[F_PRIORITY];
    if (!p || pu_strieq(p, "routine") || pu_strieq(p, "rutina")) r->priority = "ROUTINE";
    else if (pu_strieq(p, "urgent") || pu_strieq(p, "urgente")) r->priority = "URGENT";
    else return pu_fail(err, PU_ERR_INVALID, NULL, "priority", "expected routine or urgent, got '%s'", p);
    r->obliterated = yes(r->v[F_OBLITERATED]);
    if (r->v[F_OBLITERATED] && !r->obliterated && !pu_strieq(r->v[F_OBLITERATED], "0") &&
        !pu_strieq(r->v[F_OBLITERATED], "no") && !pu_strieq(r->v[F_OBLITERATED], "false"))
        return pu_fail(err, PU_ERR_INVALID, NULL, "obliterated", "expected yes/no (1/0), got '%s'",
                       r->v[F_OBLITERATED]);
    if (r->v[F_SERIAL]) {
        if (trace_serial_norm(r->v[F_SERIAL], 1, r->serial_norm, sizeof r->serial_norm, &r->wild, err))
            return PU_ERR_INVALID;
        if (r->wild) {
            int lit = 0;
            for (const char *q = r->serial_norm; *q; q++) lit += isalnum((unsigned char)*q) != 0;
            if (lit < 2)
                return pu_fail(err, PU_ERR_INVALID, NULL, "serial",
                               "a partial serial needs at least 2 legible characters, got '%s'", r->v[F_SERIAL]);
        }
    } else if (!r->obliterated) {
        return pu_fail(err, PU_ERR_INVALID, NULL, "serial",
                       "required unless the serial is obliterated (obliterated=yes)");
    }
    trace_mfr_norm(r->v[F_MANUFACTURER], r->mfr, sizeof r->mfr, &r->mfr_known);
    r->type = trace_type_norm(r->v[F_TYPE]);
    if (!r->type)
        return pu_fail(err, PU_ERR_INVALID, NULL, "type",
                       "expected pistol, revolver, derringer, rifle, shotgun, machine gun, receiver/frame "
                       "(or pistola, fusil, escopeta...), got '%s'", r->v[F_TYPE]);
    int64_t dob = INT64_MIN;
    if (r->v[F_POSSESSOR_DOB] && check_date(t, r->v[F_POSSESSOR_DOB], "possessor_dob", &dob, err))
        return PU_ERR_INVALID;
    int64_t rec;
    if (check_date(t, r->v[F_RECOVERY_DATE], "recovery_date", &rec, err)) return PU_ERR_INVALID;
    /* the dates of one record must agree: nobody possesses before being born */
    if (dob != INT64_MIN && dob > rec)
        return pu_fail(err, PU_ERR_INVALID, NULL, "possessor_dob", "born %s, after the recovery date %s",
                       r->v[F_POSSESSOR_DOB], r->v[F_RECOVERY_DATE]);
    pu_parse_date(r->request_date, &d);
    if (rec > d)
        return pu_fail(err, PU_ERR_INVALID, NULL, "recovery_date", "recovery date %s is after the request date %s",
                       r->v[F_RECOVERY_DATE], r->request_date);
    if (trace_mx_state_code(r->v[F_RECOVERY_STATE], r->recovery_state, sizeof r->recovery_state))
        return pu_fail(err, PU_ERR_INVALID, NULL, "recovery_state",
                       "expected a Mexican state name or ISO 3166-2:MX code (e.g. Chihuahua, CHH), got '%s'",
                       r->v[F_RECOVERY_STATE]);
    return PU_OK;
}

static const char *INSERT_REQ =
    "INSERT INTO trace_request(number, request_date, priority, agency, requester, case_number, crime_code,"
    " serial, serial_norm, serial_wild, obliterated, mfr, mfr_raw, mfr_known, importer, type, calibre, model,"
    " country, markings, possessor, possessor_alias, possessor_dob, possessor_address, recovery_date,"
    " recovery_state, recovery_place, status, notes, owner, marking, created, updated)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'submitted',?,?,?,?,?) RETURNING id";

static void bind_opt(db_stmt *st, int i, const char *s) {
    if (s) db_bind_text(st, i, s, -1);
    else db_bind_null(st, i);
}

int trace_req_insert(trace_t *t, db_stmt **cache, const trace_req *r, const trace_import_opts *o, int64_t *id,
                     char *number, size_t nsize, pu_err *err) {
    char num[32], now[32];
    int rc = trace_next_number(t, num, sizeof num, err);
    if (rc) return rc;
    pu_now_iso(now, sizeof now);
    db_stmt *st = cache ? *cache : NULL;
    if (!st) {
        rc = db_prepare(t->db, INSERT_REQ, &st, err);
        if (rc) return rc;
        if (cache) *cache = st;
    }
    char notes[256] = "";
    if (!r->mfr_known)
        snprintf(notes, sizeof notes, "unknown manufacturer '%s' kept as given; matched on serial only",
                 r->v[F_MANUFACTURER]);
    int i = 1;
    db_bind_text(st, i++, num, -1);
    db_bind_text(st, i++, r->request_date, -1);
    db_bind_text(st, i++, r->priority, -1);
    bind_opt(st, i++, r->v[F_AGENCY]);
    bind_opt(st, i++, r->v[F_REQUESTER]);
    bind_opt(st, i++, r->v[F_CASE_NUMBER]);
    bind_opt(st, i++, r->v[F_CRIME_CODE]);
    bind_opt(st, i++, r->v[F_SERIAL]);
    bind_opt(st, i++, r->v[F_SERIAL] ? r->serial_norm : NULL);
    db_bind_int64(st, i++, r->wild);
    db_bind_int64(st, i++, r->obliterated);
    db_bind_text(st, i++, r->mfr, -1);
    bind_opt(st, i++, r->v[F_MANUFACTURER]);
    db_bind_int64(st, i++, r->mfr_known);
    bind_opt(st, i++, r->v[F_IMPORTER]);
    db_bind_text(st, i++, r->type, -1);
    bind_opt(st, i++, r->v[F_CALIBRE]);
    bind_opt(st, i++, r->v[F_MODEL]);
    bind_opt(st, i++, r->v[F_COUNTRY]);
    bind_opt(st, i++, r->v[F_MARKINGS]);
    /* the possessor's name, alias and address are sealed at rest */
    char *poss = NULL, *alias = NULL, *addr = NULL;
    if ((rc = trace_person_seal(r->v[F_POSSESSOR], &poss, err)) ||
        (rc = trace_person_seal(r->v[F_POSSESSOR_ALIAS], &alias, err)) ||
        (rc = trace_person_seal(r->v[F_POSSESSOR_ADDRESS], &addr, err))) {
        free(poss);
        free(alias);
        if (!cache) db_finalize(st);
        return rc;
    }
    bind_opt(st, i++, poss);
    bind_opt(st, i++, alias);
    bind_opt(st, i++, r->v[F_POSSESSOR_DOB]);
    bind_opt(st, i++, addr);
    bind_opt(st, i++, r->v[F_RECOVERY_DATE]);
    db_bind_text(st, i++, r->recovery_state, -1);
    bind_opt(st, i++, r->v[F_RECOVERY_PLACE]);
    bind_opt(st, i++, notes[0] ? notes : NULL);
    db_bind_text(st, i++, o->owner, -1);
    db_bind_text(st, i++, o->marking ? o->marking : STORE_DEFAULT_MARKING, -1);
    db_bind_text(st, i++, now, -1);
    db_bind_text(st, i++, now, -1);
    int64_t new_id;
    rc = db_insert_id(st, &new_id, err);
    free(poss);
    free(alias);
    free(addr);
    db_reset(st);
    if (!cache) db_finalize(st);
    if (rc) return rc;
    if (id) *id = new_id;
    if (number) pu_strlcpy(number, num, nsize);
    return PU_OK;
}

/* The columns of INSERT_REQ with status, in the order of the row below. */
static const char *const REQ_BULK_COLS[] = {
    "number",   "request_date",      "priority",      "agency",        "requester",       "case_number",
    "crime_code", "serial",          "serial_norm",   "serial_wild",   "obliterated",     "mfr",
    "mfr_raw",  "mfr_known",         "importer",      "type",          "calibre",         "model",
    "country",  "markings",          "possessor",     "possessor_alias", "possessor_dob", "possessor_address",
    "recovery_date", "recovery_state", "recovery_place", "status",     "notes",           "owner",
    "marking",  "created",           "updated"};
#define REQ_BULK_NCOLS ((int)(sizeof REQ_BULK_COLS / sizeof REQ_BULK_COLS[0]))

int trace_req_bulk_open(trace_t *t, db_bulk **out, pu_err *err) {
    return db_bulk_open(t->db, "trace_request", REQ_BULK_COLS, REQ_BULK_NCOLS, out, err);
}

int trace_req_bulk_row(db_bulk *b, const trace_req *r, const trace_import_opts *o, const char *number,
                       const char *now, pu_err *err) {
    char notes[256] = "";
    if (!r->mfr_known)
        snprintf(notes, sizeof notes, "unknown manufacturer '%s' kept as given; matched on serial only",
                 r->v[F_MANUFACTURER]);
    char *poss = NULL, *alias = NULL, *addr = NULL;
    int rc = trace_person_seal(r->v[F_POSSESSOR], &poss, err);
    if (!rc) rc = trace_person_seal(r->v[F_POSSESSOR_ALIAS], &alias, err);
    if (!rc) rc = trace_person_seal(r->v[F_POSSESSOR_ADDRESS], &addr, err);
    if (!rc) {
        const char *row[] = {number, r->request_date, r->priority, r->v[F_AGENCY], r->v[F_REQUESTER],
                             r->v[F_CASE_NUMBER], r->v[F_CRIME_CODE], r->v[F_SERIAL],
                             r->v[F_SERIAL] ? r->serial_norm : NULL, r->wild ? "1" : "0",
                             r->obliterated ? "1" : "0", r->mfr, r->v[F_MANUFACTURER], r->mfr_known ? "1" : "0",
                             r->v[F_IMPORTER], r->type, r->v[F_CALIBRE], r->v[F_MODEL], r->v[F_COUNTRY],
                             r->v[F_MARKINGS], poss, alias, r->v[F_POSSESSOR_DOB], addr, r->v[F_RECOVERY_DATE],
                             r->recovery_state, r->v[F_RECOVERY_PLACE], "submitted", notes[0] ? notes : NULL,
                             o->owner, o->marking ? o->marking : STORE_DEFAULT_MARKING, now, now};
        _Static_assert(sizeof row / sizeof row[0] == sizeof REQ_BULK_COLS / sizeof REQ_BULK_COLS[0], "one value per column");
        rc = db_bulk_row(b, row, err);
    }
    free(poss);
    free(alias);
    free(addr);
    return rc;
}

int trace_check_opts(const store_scope *scope, const trace_import_opts *o, int need_owner, pu_err *err) {
    if (!o || ((!o->owner || pu_blank(o->owner)) && need_owner))
        return pu_fail(err, PU_ERR_INVALID, NULL, "owner", "expected the owning agency (--owner)");
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    store_marking m;
    int rc = store_marking_parse(o->marking ? o->marking : STORE_DEFAULT_MARKING, "marking", &m, err);
    if (!rc) rc = store_check_file(scope, m, err);
    if (!rc && o->owner && !pu_blank(o->owner)) rc = store_check_act_for(scope, o->owner, err);
    return rc;
}

/* The write rule, the keys and the field rules of one request. */
static int request_validate(trace_t *t, const store_scope *scope, const char *const *keys, const char *const *vals,
                            size_t n, const trace_import_opts *o, trace_req *r, pu_err *err) {
    const char *v[NF] = {0};
    int rc = trace_check_opts(scope, o, 1, err);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        int k = trace_form_index(keys[i]);
        if (k < 0) return pu_fail(err, PU_ERR_INVALID, NULL, keys[i], "unknown field; see 'puente trace request --fields'");
        v[k] = vals[i];
    }
    return trace_req_validate(t, v, r, err);
}

int trace_request_check(trace_t *t, const store_scope *scope, const char *const *keys, const char *const *vals,
                        size_t n, const trace_import_opts *o, trace_checked *out, pu_err *err) {
    trace_req r;
    int rc = request_validate(t, scope, keys, vals, n, o, &r, err);
    if (rc) return rc;
    memset(out, 0, sizeof *out);
    pu_strlcpy(out->serial_norm, r.serial_norm, sizeof out->serial_norm);
    out->partial = r.wild;
    out->obliterated = r.obliterated;
    pu_strlcpy(out->manufacturer, r.mfr, sizeof out->manufacturer);
    out->manufacturer_known = r.mfr_known;
    out->type = r.type;
    out->priority = r.priority;
    pu_strlcpy(out->recovery_state, r.recovery_state, sizeof out->recovery_state);
    pu_strlcpy(out->request_date, r.request_date, sizeof out->request_date);
    return PU_OK;
}

int trace_request_submit(trace_t *t, const store_scope *scope, const char *const *keys, const char *const *vals,
                         size_t n, const trace_import_opts *o, int64_t *id, char *number, size_t nsize,
                         pu_err *err) {
    trace_req r;
    int rc = request_validate(t, scope, keys, vals, n, o, &r, err);
    if (rc) return rc;
    rc = db_begin(t->db, err);
    if (rc) return rc;
    rc = trace_req_insert(t, NULL, &r, o, id, number, nsize, err);
    if (!rc) rc = store_generation_bump(t->db, "trace", err);   /* caches of trace data (the graph) */
    if (rc) {
        db_rollback(t->db);
        return rc;
    }
    return db_commit(t->db, err);
}

int trace_request_resolve(trace_t *t, const store_scope *scope, const char *ref, int64_t *id, pu_err *err) {
    *id = 0;
    const char *s = ref ? ref : "";
    int digits = *s != '\0';
    for (const char *p = s; *p; p++) digits &= *p >= '0' && *p <= '9';
    /* the documented form: T, a year, '-', the sequence (trace_next_number) */
    int number = (s[0] == 'T' || s[0] == 't') && strlen(s) > 6 && strchr(s, '-') != NULL;
    if (!digits && !number)
        return pu_fail(err, PU_ERR_INVALID, NULL, "id", "expected a request number like T2026-000002 (or its row id), got '%s'",
                       s);
    if (digits && strlen(s) > 18) return pu_fail(err, PU_ERR_INVALID, NULL, "id", "request id '%s' is too long", s);
    db_sql q;
    db_sql_init(&q);
    if (digits) {
        db_sql_add(&q, "SELECT r.id FROM trace_request r WHERE r.id = ? AND ");
        db_sql_int64(&q, strtoll(s, NULL, 10));
    } else {
        char up[64];
        pu_strlcpy(up, s, sizeof up);
        up[0] = 'T';
        db_sql_add(&q, "SELECT r.id FROM trace_request r WHERE r.number = ? AND ");
        db_sql_text(&q, up);
    }
    store_scope_sql(&q, scope, "r");
    db_stmt *st;
    int rc = db_sql_prepare(t->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        *id = db_col_int64(st, 0);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "id", "no trace request %s", s);
    }
    db_finalize(st);
    return rc;
}

/* The status and owner of request id as scope sees it: PU_ERR_NOTFOUND
 * when absent or hidden (the two are indistinguishable). */
static int req_status(trace_t *t, const store_scope *scope, int64_t id, char *status, size_t ssize, char *owner,
                      size_t osize, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.status, r.owner FROM trace_request r WHERE r.id = ? AND ");
    db_sql_int64(&q, id);
    store_scope_sql(&q, scope, "r");
    db_stmt *st;
    int rc = db_sql_prepare(t->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        pu_strlcpy(status, db_col_text(st, 0), ssize);
        pu_strlcpy(owner, db_col_text(st, 1), osize);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "id", "no trace request %lld", (long long)id);
    }
    db_finalize(st);
    return rc;
}

int trace_request_set_status(trace_t *t, const store_scope *scope, int64_t id, const char *status,
                             const char *reason, pu_err *err) {
    static const char *const S[] = {"submitted", "in_progress", "completed", "cannot_trace"};
    int to = -1;
    for (int i = 0; i < 4; i++)
        if (status && pu_strieq(status, S[i])) to = i;
    if (to < 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "status",
                       "expected submitted, in_progress, completed or cannot_trace, got '%s'", status ? status : "");
    if (to == 3 && pu_blank(reason))
        return pu_fail(err, PU_ERR_INVALID, NULL, "reason",
                       "cannot_trace needs a reason (obliterated serial, no purchaser record, ...)");
    char cur[32], owner[64];
    int rc = req_status(t, scope, id, cur, sizeof cur, owner, sizeof owner, err);
    if (!rc) rc = store_check_owner(t->db, scope, owner, err);
    if (rc) return rc;
    int from = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(cur, S[i])) from = i;
    if (from < 0) return pu_fail(err, PU_ERR_INTERNAL, NULL, "status", "request %lld has status '%s'", (long long)id, cur);
    db_stmt *st;
    /* allowed: submitted->in_progress|cannot_trace, in_progress->any other,
     * completed/cannot_trace are final except re-opening to in_progress */
    int ok = (from == 0 && (to == 1 || to == 3)) || (from == 1 && to != 1) || (from >= 2 && to == 1);
    if (!ok)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "status", "request %lld is %s; cannot move to %s", (long long)id,
                       S[from], S[to]);
    char now[32];
    pu_now_iso(now, sizeof now);
    rc = db_prepare(t->db, "UPDATE trace_request SET status = ?, reason = ?, updated = ? WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, S[to], -1);
    if (to == 3) db_bind_text(st, 2, reason, -1);
    else db_bind_null(st, 2);
    db_bind_text(st, 3, now, -1);
    db_bind_int64(st, 4, id);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

/* ---- rendering --------------------------------------------------------------- */

static const char *REQ_COLS =
    "SELECT request_date, priority, agency, requester, case_number, crime_code, serial, obliterated, mfr_raw,"
    " importer, type, calibre, model, country, markings, possessor, possessor_alias, possessor_dob,"
    " possessor_address, recovery_date, recovery_state, recovery_place,"
    " number, status, reason, firearm_id, purchaser, purchase_date, purchase_state, dealer, dealer_ffl,"
    " ttc_days, possessor_differs, us_sourced, notes, owner, marking, mfr, mfr_known, ";
enum { C_RESULT_OK = 39, C_DEALER_OK = 40 };

/* "  label<pad> " with the label padded to 34 characters (not bytes, so
 * Spanish accents keep the columns aligned). */
static void label(pu_buf *out, const char *l) {
    size_t chars = 0;
    for (const char *p = l; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
    pu_buf_printf(out, "  %s%*s ", l, chars < 34 ? (int)(34 - chars) : 0, "");
}

static int render_chain(trace_t *t, const store_scope *scope, int64_t fid, int json, json_t *arr, pu_buf *out,
                        pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT e.kind, e.date, e.party, e.ffl, e.state FROM trace_event e WHERE e.firearm_id = ? AND ");
    db_sql_int64(&q, fid);
    store_scope_sql(&q, scope, "e");
    db_sql_add(&q, " ORDER BY e.date, e.id");
    db_stmt *st;
    int rc = db_sql_prepare(t->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        char party[512];
        trace_person_open(db_col_text(st, 2), party, sizeof party);
        if (json) {
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", db_col_text(st, 0), "date",
                                                 db_col_text(st, 1), "party", party, "ffl",
                                                 db_col_text(st, 3), "state", db_col_text(st, 4)));
        } else {
            pu_buf_printf(out, "    %s  %-11s %-40s %s %s\n", db_col_text(st, 1), db_col_text(st, 0),
                          party, db_col_text(st, 3), db_col_text(st, 4));
        }
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

int trace_request_render(trace_t *t, const store_scope *scope, int64_t id, const char *lang, int json,
                         pu_buf *out, pu_err *err) {
    int es = lang && pu_strieq(lang, "es");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, REQ_COLS);
    trace_result_visible_sql(&q, scope, "r");
    db_sql_add(&q, ", ");
    trace_dealer_visible_sql(&q, scope, "r");
    db_sql_add(&q, " FROM trace_request r WHERE r.id = ? AND ");
    db_sql_int64(&q, id);
    store_scope_sql(&q, scope, "r");
    db_stmt *st;
    int rc = db_sql_prepare(t->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    if ((rc = db_step(st, err)) != DB_ROW) {
        db_finalize(st);
        if (rc != DB_DONE) return rc;
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, "id", "no trace request %lld", (long long)id);
    }
    rc = PU_OK;
    json_t *o = json ? json_object() : NULL, *form = json ? json_object() : NULL;
    if (!json) pu_buf_printf(out, "%s %s  [%s]\n", es ? "Solicitud de rastreo" : "Trace request",
                             db_col_text(st, 22), db_col_text(st, 36));
    for (size_t i = 0; i < NF; i++) {
        const char *v = db_col_text(st, (int)i);
        char opened[512];
        if (i == F_POSSESSOR || i == F_POSSESSOR_ALIAS || i == F_POSSESSOR_ADDRESS)
            v = trace_person_open(v, opened, sizeof opened);
        if (i == F_OBLITERATED) v = db_col_int64(st, 7) ? (es ? "sí" : "yes") : (es ? "no" : "no");
        if (json) json_object_set_new(form, FIELDS[i].key, json_string(v));
        else if (*v) {
            label(out, es ? FIELDS[i].label_es : FIELDS[i].label_en);
            pu_buf_printf(out, "%s\n", v);
        }
    }
    const char *status = db_col_text(st, 23), *reason = db_col_text(st, 24);
    /* a result read from records the reader may not see is not shown */
    int64_t fid = db_col_int64(st, C_RESULT_OK) ? db_col_int64(st, 25) : 0;
    int dealer_ok = (int)db_col_int64(st, C_DEALER_OK);
    if (json) {
        json_object_set_new(o, "id", json_integer(id));
        json_object_set_new(o, "number", json_string(db_col_text(st, 22)));
        json_object_set_new(o, "status", json_string(status));
        json_object_set_new(o, "reason", *reason ? json_string(reason) : json_null());
        json_object_set_new(o, "manufacturer_canonical", json_string(db_col_text(st, 37)));
        json_object_set_new(o, "manufacturer_known", json_boolean(db_col_int64(st, 38)));
        json_object_set_new(o, "owner", json_string(db_col_text(st, 35)));
        json_object_set_new(o, "marking", json_string(db_col_text(st, 36)));
        json_object_set_new(o, "notes", *db_col_text(st, 34) ? json_string(db_col_text(st, 34)) : json_null());
        json_object_set_new(o, "form", form);
    } else {
        label(out, es ? "Estado" : "Status");
        pu_buf_printf(out, "%s%s%s\n", status, *reason ? ": " : "", reason);
        if (!db_col_int64(st, 38)) {
            label(out, es ? "Aviso" : "Flag");
            pu_buf_printf(out, "%s\n", es ? "fabricante desconocido (conservado tal cual)" : "unknown manufacturer (kept as given)");
        }
    }
    if (fid) {
        const char *labels_en[] = {"First retail purchaser", "Purchase date", "Purchase state", "Dealer",
                                   "Dealer FFL"};
        const char *labels_es[] = {"Primer comprador al menudeo", "Fecha de compra", "Estado de compra",
                                   "Armería", "Licencia FFL"};
        const char *keys[] = {"purchaser", "purchase_date", "purchase_state", "dealer", "dealer_ffl"};
        json_t *res = json ? json_object() : NULL;
        if (!json) pu_buf_printf(out, "%s\n", es ? "Resultado" : "Result");
        for (int i = 0; i < 5; i++) {
            char opened[512];
            const char *v = i == 3 && !dealer_ok ? "" : db_col_text(st, 26 + i);
            if (i == 0) v = trace_person_open(v, opened, sizeof opened); /* the purchaser */
            if (json) json_object_set_new(res, keys[i], *v ? json_string(v) : json_null());
            else if (*v) {
                label(out, es ? labels_es[i] : labels_en[i]);
                pu_buf_printf(out, "%s\n", v);
            }
        }
        int has_ttc = !db_col_isnull(st, 31);
        int64_t ttc = db_col_int64(st, 31);
        if (json) {
            json_object_set_new(res, "firearm_id", json_integer(fid));
            json_object_set_new(res, "ttc_days", has_ttc ? json_integer(ttc) : json_null());
            json_object_set_new(res, "possessor_differs", db_col_isnull(st, 32) ? json_null()
                                                                                 : json_boolean(db_col_int64(st, 32)));
            json_object_set_new(res, "us_sourced", json_boolean(db_col_int64(st, 33)));
            json_t *chain = json_array();
            rc = render_chain(t, scope, fid, 1, chain, out, err);
            json_object_set_new(res, "chain", chain);
            json_object_set_new(o, "result", res);
        } else {
            if (has_ttc) {
                label(out, es ? "Tiempo al delito" : "Time-to-crime");
                pu_buf_printf(out, "%lld %s (%.1f %s)\n", (long long)ttc, es ? "días" : "days", (double)ttc / 365.25,
                              es ? "años" : "years");
            }
            if (!db_col_isnull(st, 32)) {
                label(out, es ? "Poseedor distinto del comprador" : "Possessor is not purchaser");
                pu_buf_printf(out, "%s\n", db_col_int64(st, 32) ? (es ? "sí" : "yes") : "no");
            }
            pu_buf_printf(out, "  %s\n", es ? "Cadena de custodia:" : "Chain of custody:");
            rc = render_chain(t, scope, fid, 0, NULL, out, err);
        }
    }
    if (!json && *db_col_text(st, 34)) {
        label(out, es ? "Notas" : "Notes");
        pu_buf_printf(out, "%s\n", db_col_text(st, 34));
    }
    db_finalize(st);
    if (rc) {
        json_decref(o);
        return rc;
    }
    /* ranked candidates for partial serials */
    db_stmt *c;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT c.rank, c.score, f.mfr, f.serial, COALESCE(f.model, ''), f.id FROM trace_candidate c"
                   " JOIN trace_firearm f ON f.id = c.firearm_id WHERE c.request_id = ? AND ");
    db_sql_int64(&q, id);
    store_scope_sql(&q, scope, "f");
    db_sql_add(&q, " ORDER BY c.rank");
    rc = db_sql_prepare(t->db, &q, &c, err);
    db_sql_free(&q);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *cands = json ? json_array() : NULL;
    int any = 0;
    while (db_step(c, err) == DB_ROW) {
        if (!any && !json) pu_buf_printf(out, "%s\n", es ? "Candidatos (serie parcial)" : "Candidates (partial serial)");
        any = 1;
        if (json)
            json_array_append_new(cands, json_pack("{s:I,s:f,s:s,s:s,s:s,s:I}", "rank", (json_int_t)db_col_int64(c, 0),
                                                   "score", db_col_double(c, 1), "manufacturer", db_col_text(c, 2),
                                                   "serial", db_col_text(c, 3), "model", db_col_text(c, 4),
                                                   "firearm_id", (json_int_t)db_col_int64(c, 5)));
        else
            pu_buf_printf(out, "  %2lld. %.2f  %s %s %s (firearm %lld)\n", (long long)db_col_int64(c, 0),
                          db_col_double(c, 1), db_col_text(c, 2), db_col_text(c, 3), db_col_text(c, 4),
                          (long long)db_col_int64(c, 5));
    }
    db_finalize(c);
    if (json) {
        json_object_set_new(o, "candidates", cands);
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) pu_buf_puts(out, s);
        pu_buf_putc(out, '\n');
        free(s);
        json_decref(o);
    }
    return PU_OK;
}

/* Filters of a request list, applied in SQL after the reader's scope. */
static void list_where(db_sql *q, const store_scope *scope, const trace_list_query *lq) {
    store_scope_sql(q, scope, "r");
    if (lq->status) {
        db_sql_add(q, " AND r.status = ?");
        db_sql_text(q, lq->status);
    }
    if (lq->recovery_state) {
        db_sql_add(q, " AND r.recovery_state = ?");
        db_sql_text(q, lq->recovery_state);
    }
    if (lq->crime) { /* "0999 HOMICIDE": the code is the first four characters */
        db_sql_add(q, " AND substr(r.crime_code, 1, 4) = ?");
        db_sql_text(q, lq->crime);
    }
}

typedef struct each_ctx {
    trace_request_cb fn;
    void *ctx;
} each_ctx;

static int each_row(db_stmt *st, void *vctx) {
    each_ctx *c = vctx;
    trace_request_row row = {
        .id = db_col_int64(st, 0), .number = db_col_text(st, 1), .status = db_col_text(st, 2),
        .reason = db_col_text(st, 3), .manufacturer = db_col_text(st, 4), .serial = db_col_text(st, 5),
        .recovery_date = db_col_text(st, 6), .recovery_state = db_col_text(st, 7), .priority = db_col_text(st, 8),
        .request_date = db_col_text(st, 9), .agency = db_col_text(st, 10), .crime_code = db_col_text(st, 11),
        .type = db_col_text(st, 12), .owner = db_col_text(st, 13), .marking = db_col_text(st, 14),
        .updated = db_col_text(st, 15), .candidates = db_col_int64(st, 16)};
    return c->fn(&row, c->ctx);
}

int trace_request_each(trace_t *t, const store_scope *scope, const trace_list_query *lq, trace_request_cb fn,
                       void *ctx, int64_t *total, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    trace_list_query none = {0};
    if (!lq) lq = &none;
    db_sql q;
    int rc = PU_OK;
    if (total) { /* the count of every row the filters give, for paging */
        db_sql_init(&q);
        db_sql_add(&q, "SELECT COUNT(*) FROM trace_request r WHERE ");
        list_where(&q, scope, lq);
        db_stmt *st;
        rc = db_sql_prepare(t->db, &q, &st, err);
        db_sql_free(&q);
        if (rc) return rc;
        rc = db_step(st, err);
        *total = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
        if (rc != DB_ROW) return rc == DB_DONE ? pu_fail(err, PU_ERR_DB, NULL, NULL, "no count") : rc;
    }
    db_sql_init(&q);
    /* candidates are counted only when their firearm is visible, as shown */
    db_sql_add(&q, "SELECT r.id, r.number, r.status, COALESCE(r.reason, ''), COALESCE(r.mfr_raw, ''),"
                   " COALESCE(r.serial, ''), r.recovery_date, r.recovery_state, r.priority, r.request_date,"
                   " r.agency, r.crime_code, COALESCE(r.type, ''), r.owner, r.marking, r.updated,"
                   " (SELECT COUNT(*) FROM trace_candidate c JOIN trace_firearm f ON f.id = c.firearm_id"
                   " WHERE c.request_id = r.id AND ");
    store_scope_sql(&q, scope, "f");
    db_sql_add(&q, ") FROM trace_request r WHERE ");
    list_where(&q, scope, lq);
    db_sql_add(&q, lq->newest_first ? " ORDER BY r.id DESC" : " ORDER BY r.id");
    if (lq->limit > 0 || lq->offset > 0) {
        db_sql_add(&q, " LIMIT ? OFFSET ?");
        db_sql_int64(&q, lq->limit > 0 ? lq->limit : INT64_MAX);
        db_sql_int64(&q, lq->offset > 0 ? lq->offset : 0);
    }
    each_ctx c = {fn, ctx};
    rc = trace_query_sql(t->db, &q, each_row, &c, err);
    db_sql_free(&q);
    return rc;
}

static int list_line(const trace_request_row *r, void *ctx) {
    pu_buf *out = ctx;
    return pu_buf_printf(out, "%lld\t%s\t%s\t%s %s\t%s %s\t%s\n", (long long)r->id, r->number, r->status,
                         r->manufacturer, r->serial, r->recovery_date, r->recovery_state, r->reason);
}

int trace_request_list(trace_t *t, const store_scope *scope, const char *status, long limit, pu_buf *out,
                       pu_err *err) {
    trace_list_query lq = {.status = status, .limit = limit};
    return trace_request_each(t, scope, &lq, list_line, out, NULL, err);
}

int trace_request_pick(trace_t *t, const store_scope *scope, int64_t id, int rank, pu_err *err) {
    /* the request through the scope; the candidate only when its firearm
     * is visible too (a hidden firearm is no candidate for this reader) */
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.status, f.mfr, f.serial_norm, f.serial, r.owner FROM trace_request r"
                   " LEFT JOIN trace_candidate c ON c.request_id = r.id AND c.rank = ?"
                   " LEFT JOIN trace_firearm f ON f.id = c.firearm_id AND ");
    db_sql_int64(&q, rank);
    store_scope_sql(&q, scope, "f");
    db_sql_add(&q, " WHERE r.id = ? AND ");
    db_sql_int64(&q, id);
    store_scope_sql(&q, scope, "r");
    db_stmt *st;
    int rc = db_sql_prepare(t->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    if ((rc = db_step(st, err)) != DB_ROW) {
        db_finalize(st);
        if (rc != DB_DONE) return rc;
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, "id", "no trace request %lld", (long long)id);
    }
    char owner[64];
    pu_strlcpy(owner, db_col_text(st, 4), sizeof owner);
    char status[32], mfr[TRACE_NAME_MAX], sn[TRACE_SERIAL_MAX], note[256];
    pu_strlcpy(status, db_col_text(st, 0), sizeof status);
    int has = !db_col_isnull(st, 2);
    pu_strlcpy(mfr, db_col_text(st, 1), sizeof mfr);
    pu_strlcpy(sn, db_col_text(st, 2), sizeof sn);
    snprintf(note, sizeof note, "examiner picked candidate %d: %s %s", rank, mfr, db_col_text(st, 3));
    db_finalize(st);
    if ((rc = store_check_owner(t->db, scope, owner, err))) return rc;
    if (strcmp(status, "in_progress") != 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "status", "request %lld is %s; candidates are picked in in_progress",
                       (long long)id, status);
    if (!has) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "candidate", "request %lld has no candidate %d", (long long)id, rank);
    char now[32];
    pu_now_iso(now, sizeof now);
    rc = db_prepare(t->db, "UPDATE trace_request SET serial_norm = ?, serial_wild = 0, mfr = ?, mfr_known = 1,"
                           " status = 'submitted', notes = ?, updated = ? WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, sn, -1);
    db_bind_text(st, 2, mfr, -1);
    db_bind_text(st, 3, note, -1);
    db_bind_text(st, 4, now, -1);
    db_bind_int64(st, 5, id);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

/* ---- the request list as CSV ---- */
static int csv_row(const trace_request_row *x, void *ctx) {
    FILE *out = ctx;
    const char *v[] = {x->number, x->status, x->reason, x->priority, x->request_date, x->agency, x->crime_code,
                       x->manufacturer, x->serial, x->type, x->recovery_date, x->recovery_state, x->owner,
                       x->marking, x->updated};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (i) fputc(',', out);
        pu_csv_write_field(out, v[i] ? v[i] : "");
    }
    fputc('\n', out);
    return ferror(out) ? PU_ERR_IO : PU_OK;
}

int trace_request_write_csv(trace_t *t, const store_scope *scope, const trace_list_query *lq, FILE *out, pu_err *err) {
    fputs("number,status,reason,priority,request_date,agency,crime_code,manufacturer,serial,type,recovery_date,"
          "recovery_state,owner,marking,updated\n", out);
    int rc = trace_request_each(t, scope, lq, csv_row, out, NULL, err);
    if (rc == PU_ERR_IO) return pu_fail(err, PU_ERR_IO, NULL, "out", "write failed");
    return rc;
}
