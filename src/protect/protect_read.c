/* protect_read.c - the members' reads: the case list (with the blind-index
 * search), one case unsealed, and the effectiveness view (every incident
 * after enrolment against the risk level and measures in force then). Every
 * read is audited with its purpose. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "protect/protect_int.h"

/* Aggressions that say the risk was grave: an incident of these while the
 * study said low/medium, or no measure was active, brings under-rated risk
 * to light. */
static const char *const GRAVE[] = {"physical_assault", "arbitrary_detention", "raid", "disappearance", "attempted_murder",
                                    "murder", NULL};

static int grave(const char *type) {
    for (const char *const *g = GRAVE; *g; g++)
        if (!strcmp(*g, type)) return 1;
    return 0;
}

/* ---- list ---- */
typedef struct list_case {
    char id[PROTECT_ID_MAX], kind[16], path[16], state[8], status[12], level[12], received[11];
} list_case;

static int member_cases(protect_session *s, list_case **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    db_stmt *st;
    int rc = db_prepare(s->db, "SELECT c.id, c.kind, c.path, c.state_code, c.status, c.received,"
                               " (SELECT level FROM protect_study y WHERE y.case_id = c.id ORDER BY version DESC LIMIT 1)"
                               " FROM protect_case c JOIN protect_member m ON m.case_id = c.id WHERE m.user_name = ?"
                               " ORDER BY c.received DESC, c.id", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, s->user, -1);
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            list_case *g = realloc(*out, cap * sizeof *g);
            if (!g) { rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); break; }
            *out = g;
        }
        list_case *c = &(*out)[(*n)++];
        pu_strlcpy(c->id, db_col_text(st, 0), sizeof c->id);
        pu_strlcpy(c->kind, db_col_text(st, 1), sizeof c->kind);
        pu_strlcpy(c->path, db_col_text(st, 2), sizeof c->path);
        pu_strlcpy(c->state, db_col_text(st, 3), sizeof c->state);
        pu_strlcpy(c->status, db_col_text(st, 4), sizeof c->status);
        pr_day(db_col_int64(st, 5), c->received);
        pu_strlcpy(c->level, db_col_isnull(st, 6) ? "" : db_col_text(st, 6), sizeof c->level);
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

/* The first person of the case whose name carries every search tag (0: none). */
static int search_match(db_t *db, const char *case_id, const unsigned char *key, const char *search, int64_t *person, pu_err *err) {
    char tags[PR_MAX_TOKENS][PR_TAG_HEX];
    size_t n = 0;
    *person = 0;
    pr_name_tags(key, search, tags, &n);
    if (n == 0) return PU_OK;
    pu_buf sql = PU_BUF_INIT(4096);
    (void)pu_buf_puts(&sql, "SELECT person_id FROM protect_tag WHERE case_id = ? AND tag IN (");
    for (size_t i = 0; i < n; i++) (void)pu_buf_puts(&sql, i ? ", ?" : "?");
    (void)pu_buf_printf(&sql, ") GROUP BY person_id HAVING COUNT(DISTINCT tag) = %zu ORDER BY person_id LIMIT 1", n);
    db_stmt *st;
    int rc = db_prepare(db, pu_buf_str(&sql), &st, err);
    pu_buf_free(&sql);
    if (rc) return rc;
    db_bind_text(st, 1, case_id, -1);
    for (size_t i = 0; i < n; i++) db_bind_text(st, (int)i + 2, tags[i], -1);
    if ((rc = db_step(st, err)) == DB_ROW) *person = db_col_int64(st, 0);
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

static int first_beneficiary(db_t *db, const char *case_id, int64_t *person, pu_err *err) {
    db_stmt *st;
    *person = 0;
    int rc = db_prepare(db, "SELECT id FROM protect_person WHERE case_id = ? ORDER BY CASE role WHEN 'beneficiary' THEN 0"
                            " WHEN 'collective' THEN 1 ELSE 2 END, id LIMIT 1", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, case_id, -1);
    if ((rc = db_step(st, err)) == DB_ROW) *person = db_col_int64(st, 0);
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

static int list_one(protect_session *s, const list_case *c, const char *search, protect_case_cb cb, void *ctx, int *shown, pu_err *err) {
    unsigned char key[PR_KEY_BYTES];
    int v;
    int rc = pr_case_key(s, c->id, key, &v, err);
    if (rc) return rc;
    int64_t person = 0;
    rc = search ? search_match(s->db, c->id, key, search, &person, err) : first_beneficiary(s->db, c->id, &person, err);
    char *name = NULL;
    size_t n = 0;
    if (rc == PU_OK && (person || !search)) {
        if (person) rc = pr_open(s->db, c->id, key, v, "person", person, "name", &name, &n, err);
        protect_case_row row = {c->id, name ? name : "", c->kind, c->path, c->state, c->status, c->level, c->received};
        if (rc == PU_OK) rc = cb(&row, ctx, err);
        (*shown)++;
    }
    if (name) sodium_memzero(name, n);
    free(name);
    sodium_memzero(key, sizeof key);
    return rc;
}

int protect_list(protect_session *s, const char *search, protect_case_cb cb, void *ctx, pu_err *err) {
    int rc = pr_ready_read(s, err);
    if (rc) return rc;
    if (search && pu_blank(search)) search = NULL;
    list_case *cases = NULL;
    size_t n = 0;
    int shown = 0;
    rc = member_cases(s, &cases, &n, err);
    for (size_t i = 0; rc == PU_OK && i < n; i++) rc = list_one(s, &cases[i], search, cb, ctx, &shown, err);
    free(cases);
    char t[48];
    (void)pu_snprintf(t, sizeof t, "shown:%d%s", shown, search ? ",search" : "");
    pu_err e2;
    int arc = pr_audit(s, search ? "protect.search" : "protect.list", NULL, t, rc == PU_OK ? "success" : pu_code_name(rc),
                       rc ? &e2 : err);
    return rc ? rc : arc;
}

/* ---- one case ---- */
typedef struct show_ctx {
    protect_session *s;
    const char *case_id;
    unsigned char key[PR_KEY_BYTES];
    int version;
    json_t *root;
} show_ctx;

/* Add the sealed field (kind, id, field) of the case to o as `name`. */
static int put_sealed(show_ctx *c, json_t *o, const char *kind, int64_t id, const char *field, const char *name, pu_err *err) {
    char *v = NULL;
    size_t n = 0;
    int rc = pr_open(c->s->db, c->case_id, c->key, c->version, kind, id, field, &v, &n, err);
    if (rc == PU_OK) json_object_set_new(o, name, v ? json_stringn(v, n) : json_null());
    if (v) sodium_memzero(v, n);
    free(v);
    return rc;
}

/* Rows of sql (first parameter the case id) as objects of plain columns,
 * each with its sealed fields (kind, "field:name" pairs). */
typedef struct table_spec {
    const char *key, *sql, *kind;
    const char *const *cols;        /* names of the plain columns, first = id */
    const char *const *ints;        /* plain columns that are integers */
    const char *const *sealed;      /* field names sealed under kind */
} table_spec;

static int is_in(const char *name, const char *const *list) {
    for (; list && *list; list++)
        if (!strcmp(*list, name)) return 1;
    return 0;
}

static int put_table(show_ctx *c, const table_spec *t, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(c->s->db, t->sql, &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, c->case_id, -1);
    json_t *a = json_array();
    json_object_set_new(c->root, t->key, a);
    while (rc == PU_OK && (rc = db_step(st, err)) == DB_ROW) {
        json_t *o = json_object();
        json_array_append_new(a, o);
        for (int i = 0; t->cols[i]; i++) {
            if (db_col_isnull(st, i)) json_object_set_new(o, t->cols[i], json_null());
            else if (is_in(t->cols[i], t->ints)) json_object_set_new(o, t->cols[i], json_integer(db_col_int64(st, i)));
            else json_object_set_new(o, t->cols[i], json_string(db_col_text(st, i)));
        }
        int64_t id = db_col_int64(st, 0);
        rc = PU_OK;
        for (int i = 0; rc == PU_OK && t->sealed && t->sealed[i]; i++) rc = put_sealed(c, o, t->kind, id, t->sealed[i], t->sealed[i], err);
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

static const char *const ID[] = {"id", NULL};
static const char *const PERSON_COLS[] = {"id", "role", "occupation", NULL};
static const char *const PERSON_SEALED[] = {"name", NULL};
static const char *const CONTACT_COLS[] = {"id", "person", "channel", NULL};
static const char *const CONTACT_INTS[] = {"id", "person", NULL};
static const char *const CONTACT_SEALED[] = {"value", NULL};
static const char *const PLACE_COLS[] = {"id", "person", "day", "state", NULL};
static const char *const PLACE_SEALED[] = {"address", NULL};
static const char *const INC_COLS[] = {"id", "day", "state", "type", "place", "entity", NULL};
static const char *const INC_INTS[] = {"id", "place", NULL};
static const char *const INC_SEALED[] = {"narrative", "aggressor", NULL};
static const char *const EVI_COLS[] = {"id", "incident", "size", NULL};
static const char *const EVI_INTS[] = {"id", "incident", "size", NULL};
static const char *const EVI_SEALED[] = {"name", "type", "sha256", NULL};
static const char *const STEP_COLS[] = {"step", "at", "by", NULL};
static const char *const STEP_INTS[] = {"at", NULL};
static const char *const STUDY_COLS[] = {"id", "version", "level", "analyst", "board", "next_review", "at", "by", NULL};
static const char *const STUDY_INTS[] = {"id", "version", "at", NULL};
static const char *const STUDY_SEALED[] = {"reasons", NULL};
static const char *const MEAS_COLS[] = {"id", "code", "provider", "cost", "urgent", "status", "requested", "updated", "active_from",
                                        "withdrawn_at", NULL};
static const char *const MEAS_INTS[] = {"id", "urgent", "requested", "updated", "active_from", "withdrawn_at", NULL};
static const char *const PROS_COLS[] = {"id", "incident", "authority", "outcome", NULL};
static const char *const PROS_INTS[] = {"id", "incident", NULL};
static const char *const PROS_SEALED[] = {"file_no", NULL};
static const char *const MEMBER_COLS[] = {"user", "added_by", "added_day", NULL};

static const table_spec TABLES[] = {
    {"people", "SELECT id, role, occupation FROM protect_person WHERE case_id = ? ORDER BY id", "person", PERSON_COLS, ID, PERSON_SEALED},
    {"contacts", "SELECT id, person_id, channel FROM protect_contact WHERE case_id = ? ORDER BY id", "contact", CONTACT_COLS, CONTACT_INTS,
     CONTACT_SEALED},
    {"places", "SELECT id, person_id, day, state_code FROM protect_place WHERE case_id = ? ORDER BY day, id", "place", PLACE_COLS,
     CONTACT_INTS, PLACE_SEALED},
    {"incidents", "SELECT id, day, state_code, type, place_id, entity_ref FROM protect_incident WHERE case_id = ? ORDER BY day, id",
     "incident", INC_COLS, INC_INTS, INC_SEALED},
    {"evidence", "SELECT id, incident_id, size FROM protect_evidence WHERE case_id = ? ORDER BY id", "evidence", EVI_COLS, EVI_INTS, EVI_SEALED},
    {"steps", "SELECT step, at, by_user FROM protect_step WHERE case_id = ? ORDER BY at", NULL, STEP_COLS, STEP_INTS, NULL},
    {"studies", "SELECT id, version, level, analyst, board, next_review, at, by_user FROM protect_study WHERE case_id = ? ORDER BY version",
     "study", STUDY_COLS, STUDY_INTS, STUDY_SEALED},
    {"measures", "SELECT id, code, provider, cost, urgent, status, requested, updated, active_from, withdrawn_at FROM protect_measure"
     " WHERE case_id = ? ORDER BY id", NULL, MEAS_COLS, MEAS_INTS, NULL},
    {"prosecutions", "SELECT id, incident_id, authority, outcome FROM protect_prosecution WHERE case_id = ? ORDER BY id", "prosecution",
     PROS_COLS, PROS_INTS, PROS_SEALED},
    {"members", "SELECT user_name, added_by, added_day FROM protect_member WHERE case_id = ? ORDER BY user_name", NULL, MEMBER_COLS, NULL,
     NULL},
};

/* ---- effectiveness ---- */
/* For each incident on or after the day of enrolment: the risk level of the
 * latest study before the end of that day, the measures active then, and
 * whether the incident says the risk was under-rated. */
static int put_effectiveness(show_ctx *c, int64_t received, pu_err *err) {
    char enrol[11];
    pr_day(received, enrol);
    json_t *a = json_array();
    json_object_set_new(c->root, "effectiveness", a);
    json_t *incs = json_object_get(c->root, "incidents"), *studies = json_object_get(c->root, "studies"),
           *measures = json_object_get(c->root, "measures");
    size_t i, j;
    json_t *inc, *x;
    json_array_foreach(incs, i, inc) {
        const char *day = json_string_value(json_object_get(inc, "day"));
        int64_t d = 0;
        if (!day || strcmp(day, enrol) < 0 || pu_parse_date(day, &d) != PU_OK) continue;
        int64_t end = (d + 1) * 86400; /* the incident's day ends */
        const char *level = NULL;
        json_array_foreach(studies, j, x)
            if (json_integer_value(json_object_get(x, "at")) < end) level = json_string_value(json_object_get(x, "level"));
        json_t *active = json_array();
        json_array_foreach(measures, j, x) {
            json_t *from = json_object_get(x, "active_from"), *to = json_object_get(x, "withdrawn_at");
            if (json_is_integer(from) && json_integer_value(from) < end && (!json_is_integer(to) || json_integer_value(to) >= d * 86400))
                json_array_append(active, json_object_get(x, "code"));
        }
        const char *type = json_string_value(json_object_get(inc, "type"));
        int under = grave(type) && (!level || !strcmp(level, "low") || !strcmp(level, "medium") || json_array_size(active) == 0);
        json_array_append_new(a, json_pack("{s:O,s:s,s:s,s:s?,s:o,s:b}", "incident", json_object_get(inc, "id"), "day", day, "type",
                                           type, "level", level, "measures_active", active, "under_rated", under));
    }
    (void)err;
    return PU_OK;
}

static int case_head(show_ctx *c, int64_t *received, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(c->s->db, "SELECT id, kind, path, state_code, status, received, owner, key_version FROM protect_case WHERE id = ?",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, c->case_id, -1);
    if ((rc = db_step(st, err)) == DB_ROW) {
        *received = db_col_int64(st, 5);
        json_object_set_new(c->root, "id", json_string(db_col_text(st, 0)));
        json_object_set_new(c->root, "kind", json_string(db_col_text(st, 1)));
        json_object_set_new(c->root, "path", json_string(db_col_text(st, 2)));
        json_object_set_new(c->root, "state", json_string(db_col_text(st, 3)));
        json_object_set_new(c->root, "status", json_string(db_col_text(st, 4)));
        json_object_set_new(c->root, "received", json_integer(*received));
        json_object_set_new(c->root, "owner", json_string(db_col_text(st, 6)));
        json_object_set_new(c->root, "key_version", json_integer(db_col_int64(st, 7)));
        rc = PU_OK;
    }
    db_finalize(st);
    return rc;
}

static int clock_json(const protect_clock_row *r, void *ctx, pu_err *err) {
    (void)err;
    json_array_append_new(ctx, json_pack("{s:s,s:I,s:I,s:I,s:b,s:s}", "rule", r->rule, "started", (json_int_t)r->started, "due",
                                         (json_int_t)r->due, "done", (json_int_t)r->done, "late", r->late, "source", r->source));
    return PU_OK;
}

int protect_show_json(protect_session *s, const char *case_id, char **out, pu_err *err) {
    *out = NULL;
    int rc = pr_ready_read(s, err);
    if (rc) return rc;
    show_ctx c = {.s = s, .case_id = case_id, .root = json_object()};
    int64_t received = 0;
    rc = pr_case_key(s, case_id, c.key, &c.version, err);
    if (rc == PU_OK) rc = case_head(&c, &received, err);
    for (size_t i = 0; rc == PU_OK && i < sizeof TABLES / sizeof TABLES[0]; i++) rc = put_table(&c, &TABLES[i], err);
    if (rc == PU_OK) rc = put_effectiveness(&c, received, err);
    json_t *clocks = json_array();
    json_object_set_new(c.root, "clocks", clocks);
    if (rc == PU_OK)
        rc = pr_case_clocks(s->db, case_id, json_string_value(json_object_get(c.root, "path")), received, pr_now(s), 0, clock_json,
                            clocks, err);
    sodium_memzero(c.key, sizeof c.key);
    pu_err e2;
    int arc = pr_audit(s, "protect.case.read", case_id, NULL, rc == PU_OK ? "success" : pu_code_name(rc), rc ? &e2 : err);
    if (rc == PU_OK) rc = arc;
    if (rc == PU_OK && !(*out = json_dumps(c.root, JSON_COMPACT)))
        rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    json_decref(c.root);
    return rc;
}
