/* protect_records.c - people, contact channels, places, incidents, evidence
 * and prosecutions of a case: plain columns for what is counted and
 * clocked, sealed values for what identifies or locates a person. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "protect/protect_int.h"

static int one_of(const char *v, const char *const *allowed) {
    for (; v && *allowed; allowed++)
        if (!strcmp(v, *allowed)) return 1;
    return 0;
}

static int valid_day(const char *d) {
    int64_t days;
    return d && strlen(d) == 10 && pu_parse_date(d, &days) == PU_OK;
}

/* A row of `table` (id, case_id) of the case exists. */
static int exists(db_t *db, const char *table, const char *case_id, int64_t id, pu_err *err) {
    char sql[128];
    (void)pu_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE case_id = ? AND id = ?", table);
    db_stmt *st;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, case_id, -1);
    db_bind_int64(st, 2, id);
    int64_t n = 0;
    if ((rc = db_step(st, err)) == DB_ROW) n = db_col_int64(st, 0), rc = PU_OK;
    db_finalize(st);
    if (rc == PU_OK && n == 0) rc = pu_fail(err, PU_ERR_NOTFOUND, case_id, table, "no such record %lld in the case", (long long)id);
    return rc;
}

/* Shape of every write: unwrap the key, insert the plain row, seal the
 * fields under the new id, audit; one transaction. */
typedef struct write_ctx {
    protect_session *s;
    const char *case_id, *action;
    unsigned char key[PR_KEY_BYTES];
    int version;
    int64_t id;
    int (*insert)(struct write_ctx *c, pu_err *err);   /* plain row: sets c->id */
    int (*seal)(struct write_ctx *c, pu_err *err);     /* sealed fields of c->id */
    const void *in;
} write_ctx;

static int write_tx(void *vc, pu_err *err) {
    write_ctx *c = vc;
    int rc = pr_case_key(c->s, c->case_id, c->key, &c->version, err);
    if (rc == PU_OK) rc = c->insert(c, err);
    if (rc == PU_OK && c->seal) rc = c->seal(c, err);
    char t[32];
    (void)pu_snprintf(t, sizeof t, "%lld", (long long)c->id);
    if (rc == PU_OK) rc = pr_audit(c->s, c->action, c->case_id, t, "success", err);
    sodium_memzero(c->key, sizeof c->key);
    return rc;
}

static int run_write(write_ctx *c, int64_t *id, pu_err *err) {
    int rc = pr_ready(c->s, err);
    if (rc == PU_OK) rc = pr_tx(c->s->db, write_tx, c, err);
    if (id) *id = rc == PU_OK ? c->id : 0;
    return rc;
}

/* INSERT ... RETURNING id with text/int parameters given as a format: 't'
 * text, 'i' int64, 'n' int64 or NULL when 0, 'd' double. */
static int insert_row(db_t *db, const char *sql, const char *types, int64_t *id, pu_err *err, ...) {
    db_stmt *st;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    va_list ap;
    va_start(ap, err);
    for (int i = 0; types[i]; i++) {
        if (types[i] == 't') db_bind_text(st, i + 1, va_arg(ap, const char *), -1);
        else if (types[i] == 'd') db_bind_double(st, i + 1, va_arg(ap, double));
        else {
            int64_t v = va_arg(ap, int64_t);
            if (types[i] == 'n' && v == 0) db_bind_null(st, i + 1);
            else db_bind_int64(st, i + 1, v);
        }
    }
    va_end(ap);
    rc = db_insert_id(st, id, err);
    db_finalize(st);
    return rc;
}

/* ---- people ---- */
static int person_insert(write_ctx *c, pu_err *err) {
    const protect_person_in *in = c->in;
    return insert_row(c->s->db, "INSERT INTO protect_person (case_id, role, occupation) VALUES (?, ?, ?) RETURNING id",
                      "ttt", &c->id, err, c->case_id, in->role, in->occupation);
}
static int person_seal(write_ctx *c, pu_err *err) {
    const protect_person_in *in = c->in;
    int rc = pr_seal_text(c->s->db, c->case_id, c->key, c->version, "person", c->id, "name", in->name, err);
    if (rc == PU_OK) rc = pr_tags_put(c->s->db, c->case_id, c->key, c->id, in->name, err);
    return rc;
}

int protect_person_add(protect_session *s, const char *case_id, const protect_person_in *in, int64_t *id, pu_err *err) {
    static const char *const roles[] = {"beneficiary", "family", "collective", NULL};
    static const char *const occ[] = {"journalist", "defender", "relative", "organisation", NULL};
    if (!one_of(in->role, roles)) return pu_fail(err, PU_ERR_INVALID, NULL, "role", "expected beneficiary, family or collective");
    if (!one_of(in->occupation, occ))
        return pu_fail(err, PU_ERR_INVALID, NULL, "occupation", "expected journalist, defender, relative or organisation");
    if (pu_blank(in->name)) return pu_fail(err, PU_ERR_INVALID, NULL, "name", "a person has a name");
    write_ctx c = {.s = s, .case_id = case_id, .action = "protect.person.add", .insert = person_insert, .seal = person_seal, .in = in};
    return run_write(&c, id, err);
}

/* ---- contact channels ---- */
typedef struct contact_in {
    int64_t person;
    const char *channel, *value;
} contact_in;
static int contact_insert(write_ctx *c, pu_err *err) {
    const contact_in *in = c->in;
    int rc = exists(c->s->db, "protect_person", c->case_id, in->person, err);
    if (rc) return rc;
    return insert_row(c->s->db, "INSERT INTO protect_contact (case_id, person_id, channel) VALUES (?, ?, ?) RETURNING id",
                      "tit", &c->id, err, c->case_id, in->person, in->channel);
}
static int contact_seal(write_ctx *c, pu_err *err) {
    const contact_in *in = c->in;
    return pr_seal_text(c->s->db, c->case_id, c->key, c->version, "contact", c->id, "value", in->value, err);
}

int protect_contact_add(protect_session *s, const char *case_id, int64_t person, const char *channel,
                        const char *value, int64_t *id, pu_err *err) {
    static const char *const channels[] = {"phone", "email", "messaging", "radio", "satellite", NULL};
    if (!one_of(channel, channels))
        return pu_fail(err, PU_ERR_INVALID, NULL, "channel", "expected phone, email, messaging, radio or satellite");
    if (pu_blank(value)) return pu_fail(err, PU_ERR_INVALID, NULL, "value", "a contact channel has a value");
    contact_in in = {person, channel, value};
    write_ctx c = {.s = s, .case_id = case_id, .action = "protect.contact.add", .insert = contact_insert, .seal = contact_seal, .in = &in};
    return run_write(&c, id, err);
}

/* ---- places ---- */
typedef struct place_in {
    int64_t person;
    const char *day, *state, *address;
} place_in;
static int place_insert(write_ctx *c, pu_err *err) {
    const place_in *in = c->in;
    int rc = exists(c->s->db, "protect_person", c->case_id, in->person, err);
    if (rc) return rc;
    return insert_row(c->s->db, "INSERT INTO protect_place (case_id, person_id, day, state_code) VALUES (?, ?, ?, ?) RETURNING id",
                      "titt", &c->id, err, c->case_id, in->person, in->day, in->state);
}
static int place_seal(write_ctx *c, pu_err *err) {
    const place_in *in = c->in;
    return pr_seal_text(c->s->db, c->case_id, c->key, c->version, "place", c->id, "address", in->address, err);
}

int protect_place_add(protect_session *s, const char *case_id, int64_t person, const char *day, const char *state,
                      const char *address, int64_t *id, pu_err *err) {
    if (!valid_day(day)) return pu_fail(err, PU_ERR_INVALID, NULL, "day", "expected YYYY-MM-DD");
    if (!pr_valid_state(state)) return pu_fail(err, PU_ERR_INVALID, NULL, "state", "expected a state code such as GRO");
    if (pu_blank(address)) return pu_fail(err, PU_ERR_INVALID, NULL, "address", "a place has an address or description");
    place_in in = {person, day, state, address};
    write_ctx c = {.s = s, .case_id = case_id, .action = "protect.place.add", .insert = place_insert, .seal = place_seal, .in = &in};
    return run_write(&c, id, err);
}

/* ---- incidents ---- */
static int incident_insert(write_ctx *c, pu_err *err) {
    const protect_incident_in *in = c->in;
    if (in->place) {
        int rc = exists(c->s->db, "protect_place", c->case_id, in->place, err);
        if (rc) return rc;
    }
    return insert_row(c->s->db, "INSERT INTO protect_incident (case_id, day, state_code, type, place_id, entity_ref)"
                                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                      "ttttnt", &c->id, err, c->case_id, in->day, in->state, in->type, in->place,
                      in->entity && *in->entity ? in->entity : "");
}
static int incident_seal(write_ctx *c, pu_err *err) {
    const protect_incident_in *in = c->in;
    int rc = pr_seal_text(c->s->db, c->case_id, c->key, c->version, "incident", c->id, "narrative", in->narrative, err);
    if (rc == PU_OK) rc = pr_seal_text(c->s->db, c->case_id, c->key, c->version, "incident", c->id, "aggressor", in->aggressor, err);
    return rc;
}

int protect_incident_add(protect_session *s, const char *case_id, const protect_incident_in *in, int64_t *id,
                         pu_err *err) {
    if (!valid_day(in->day)) return pu_fail(err, PU_ERR_INVALID, NULL, "day", "expected YYYY-MM-DD");
    if (!pr_valid_state(in->state)) return pu_fail(err, PU_ERR_INVALID, NULL, "state", "expected a state code such as GRO");
    if (!protect_aggression_known(in->type))
        return pu_fail(err, PU_ERR_INVALID, NULL, "type", "not a type of aggression of the catalogue (data/protect/aggressions.csv)");
    write_ctx c = {.s = s, .case_id = case_id, .action = "protect.incident.add", .insert = incident_insert, .seal = incident_seal, .in = in};
    return run_write(&c, id, err);
}

/* ---- evidence ---- */
typedef struct evidence_in {
    int64_t incident;
    const unsigned char *data;
    size_t n;
    const char *name, *type;   /* NULL: not sealed (files of protect_evidence_add) */
    char sha256[65];
} evidence_in;
static int evidence_insert(write_ctx *c, pu_err *err) {
    const evidence_in *in = c->in;
    int rc = exists(c->s->db, "protect_incident", c->case_id, in->incident, err);
    if (rc) return rc;
    return insert_row(c->s->db, "INSERT INTO protect_evidence (case_id, incident_id, size) VALUES (?, ?, ?) RETURNING id",
                      "tii", &c->id, err, c->case_id, in->incident, (int64_t)in->n);
}
static int evidence_seal(write_ctx *c, pu_err *err) {
    const evidence_in *in = c->in;
    int rc = pr_seal(c->s->db, c->case_id, c->key, c->version, "evidence", c->id, "file", in->data, in->n, err);
    if (rc || !in->name) return rc;
    if ((rc = pr_seal_text(c->s->db, c->case_id, c->key, c->version, "evidence", c->id, "name", in->name, err))) return rc;
    if ((rc = pr_seal_text(c->s->db, c->case_id, c->key, c->version, "evidence", c->id, "type", in->type, err))) return rc;
    return pr_seal_text(c->s->db, c->case_id, c->key, c->version, "evidence", c->id, "sha256", in->sha256, err);
}

static void evidence_hash(const unsigned char *d, size_t n, char hex[65]) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, d, n);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

/* Printable ASCII "type/subtype" (it goes back out in a header). */
static int evidence_type_ok(const char *t) {
    size_t n = strlen(t);
    if (n < 3 || n > PROTECT_EVIDENCE_TYPE_MAX || !strchr(t, '/')) return 0;
    for (const char *p = t; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("\"\\;,", *p)) return 0;
    return 1;
}

int protect_evidence_put(protect_session *s, const char *case_id, const protect_evidence_in *pin, int64_t *id,
                         char *sha256, pu_err *err) {
    if (pin->n == 0) return pu_fail(err, PU_ERR_INVALID, NULL, "file", "the file is empty");
    if (pin->n > PROTECT_EVIDENCE_MAX) return pu_fail(err, PU_ERR_LIMIT, NULL, "file", "at most %d bytes per file", PROTECT_EVIDENCE_MAX);
    const char *name = pin->name && *pin->name ? pin->name : "evidence";
    const char *type = pin->content_type && *pin->content_type ? pin->content_type : "application/octet-stream";
    if (strlen(name) > PROTECT_EVIDENCE_NAME_MAX || !pu_utf8_valid(name, strlen(name)))
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "at most %d bytes of UTF-8", PROTECT_EVIDENCE_NAME_MAX);
    if (!evidence_type_ok(type)) return pu_fail(err, PU_ERR_INVALID, NULL, "content_type", "not a media type");
    evidence_in in = {pin->incident, pin->data, pin->n, name, type, ""};
    evidence_hash(pin->data, pin->n, in.sha256);
    write_ctx c = {.s = s, .case_id = case_id, .action = "protect.evidence.add", .insert = evidence_insert, .seal = evidence_seal, .in = &in};
    int rc = run_write(&c, id, err);
    if (rc == PU_OK && sha256) memcpy(sha256, in.sha256, 65);
    sodium_memzero(in.sha256, sizeof in.sha256);
    return rc;
}

int protect_evidence_add(protect_session *s, const char *case_id, int64_t incident, const unsigned char *data,
                         size_t n, int64_t *id, pu_err *err) {
    if (n == 0) return pu_fail(err, PU_ERR_INVALID, NULL, "file", "the file is empty");
    if (n > PROTECT_EVIDENCE_MAX) return pu_fail(err, PU_ERR_LIMIT, NULL, "file", "at most %d bytes per file", PROTECT_EVIDENCE_MAX);
    evidence_in in = {incident, data, n, NULL, NULL, ""};
    write_ctx c = {.s = s, .case_id = case_id, .action = "protect.evidence.add", .insert = evidence_insert, .seal = evidence_seal, .in = &in};
    return run_write(&c, id, err);
}

/* Open the sealed text field of evidence into out ("" when absent). */
static int evidence_field(protect_session *s, const char *case_id, const unsigned char *key, int version, int64_t ev,
                          const char *field, char *out, size_t size, pu_err *err) {
    char *v = NULL;
    size_t n = 0;
    int rc = pr_open(s->db, case_id, key, version, "evidence", ev, field, &v, &n, err);
    out[0] = '\0';
    if (rc == PU_OK && v) pu_strlcpy(out, v, size);
    if (v) sodium_memzero(v, n);
    free(v);
    return rc;
}

int protect_evidence_read(protect_session *s, const char *case_id, int64_t evidence, unsigned char **data, size_t *n,
                          protect_evidence_meta *meta, pu_err *err) {
    int rc = protect_evidence_get(s, case_id, evidence, data, n, err);
    if (rc || !meta) return rc;
    unsigned char key[PR_KEY_BYTES];
    int version = 0;
    char got[65];
    rc = pr_case_key(s, case_id, key, &version, err);
    if (rc == PU_OK) rc = evidence_field(s, case_id, key, version, evidence, "name", meta->name, sizeof meta->name, err);
    if (rc == PU_OK) rc = evidence_field(s, case_id, key, version, evidence, "type", meta->content_type, sizeof meta->content_type, err);
    if (rc == PU_OK) rc = evidence_field(s, case_id, key, version, evidence, "sha256", meta->sha256, sizeof meta->sha256, err);
    sodium_memzero(key, sizeof key);
    evidence_hash(*data, *n, got);
    if (rc == PU_OK && meta->sha256[0] && strcmp(got, meta->sha256))
        rc = pu_fail(err, PU_ERR_INTERNAL, case_id, "sha256", "evidence %lld does not match its recorded hash", (long long)evidence);
    if (rc) {
        sodium_memzero(*data, *n);
        free(*data);
        *data = NULL;
        *n = 0;
        return rc;
    }
    if (!meta->name[0]) (void)pu_snprintf(meta->name, sizeof meta->name, "evidence-%lld", (long long)evidence);
    if (!meta->content_type[0]) pu_strlcpy(meta->content_type, "application/octet-stream", sizeof meta->content_type);
    if (!meta->sha256[0]) memcpy(meta->sha256, got, sizeof got);
    return PU_OK;
}

int protect_evidence_get(protect_session *s, const char *case_id, int64_t evidence, unsigned char **data, size_t *n,
                         pu_err *err) {
    *data = NULL;
    *n = 0;
    unsigned char key[PR_KEY_BYTES];
    int version = 0;
    int rc = pr_ready_read(s, err);
    if (rc == PU_OK) rc = pr_case_key(s, case_id, key, &version, err);
    if (rc) return rc;
    char *v = NULL;
    rc = pr_open(s->db, case_id, key, version, "evidence", evidence, "file", &v, n, err);
    sodium_memzero(key, sizeof key);
    if (rc == PU_OK && !v) rc = pu_fail(err, PU_ERR_NOTFOUND, case_id, "evidence", "no such file in the case");
    char t[32];
    (void)pu_snprintf(t, sizeof t, "evidence:%lld", (long long)evidence);
    pu_err e2;
    int arc = pr_audit(s, "protect.evidence.read", case_id, t, rc == PU_OK ? "success" : pu_code_name(rc), rc ? &e2 : err);
    if (rc == PU_OK && arc != PU_OK) rc = arc;
    if (rc) {
        free(v);
        return rc;
    }
    *data = (unsigned char *)v;
    return PU_OK;
}

/* ---- prosecutions ---- */
typedef struct pros_in {
    int64_t incident;
    const char *authority, *file_no, *outcome;
} pros_in;
static int pros_insert(write_ctx *c, pu_err *err) {
    const pros_in *in = c->in;
    int rc = exists(c->s->db, "protect_incident", c->case_id, in->incident, err);
    if (rc) return rc;
    return insert_row(c->s->db, "INSERT INTO protect_prosecution (case_id, incident_id, authority, outcome) VALUES (?, ?, ?, ?)"
                                " RETURNING id", "titt", &c->id, err, c->case_id, in->incident, in->authority, in->outcome);
}
static int pros_seal(write_ctx *c, pu_err *err) {
    const pros_in *in = c->in;
    return pr_seal_text(c->s->db, c->case_id, c->key, c->version, "prosecution", c->id, "file_no", in->file_no, err);
}

int protect_prosecution_add(protect_session *s, const char *case_id, int64_t incident, const char *authority,
                            const char *file_no, const char *outcome, int64_t *id, pu_err *err) {
    static const char *const auth[] = {"FEADLE", "state", NULL};
    static const char *const outcomes[] = {"open", "not_prosecuted", "declined_jurisdiction", "to_court", "sentence", NULL};
    if (!one_of(authority, auth)) return pu_fail(err, PU_ERR_INVALID, NULL, "authority", "expected FEADLE or state");
    if (!one_of(outcome, outcomes))
        return pu_fail(err, PU_ERR_INVALID, NULL, "outcome", "expected open, not_prosecuted, declined_jurisdiction, to_court or sentence");
    pros_in in = {incident, authority, file_no, outcome};
    write_ctx c = {.s = s, .case_id = case_id, .action = "protect.prosecution.add", .insert = pros_insert, .seal = pros_seal, .in = &in};
    return run_write(&c, id, err);
}
