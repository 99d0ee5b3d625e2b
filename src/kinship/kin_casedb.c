/* kin_casedb.c - the case database: tables, frequency databases, cases,
 * remains, families, references and consent (kin_cases.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/pu_io.h"
#include "kinship/kin_cases_int.h"

#define KCS_PROFILE_MAX ((size_t)64 << 10)   /* one profile as text */
#define KCS_PEDIGREE_MAX ((size_t)1 << 20)   /* one family's pedigree as CSV */

static const char *const MIGRATIONS[] = {
    /* v1 */
    "CREATE TABLE kin_freqdb (id {ID}, name TEXT NOT NULL, version {INT} NOT NULL, population TEXT NOT NULL,"
    " freqs TEXT NOT NULL, mutation TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (name, version));"
    "CREATE TABLE kin_case (id TEXT PRIMARY KEY, title TEXT NOT NULL, owner TEXT NOT NULL, marking TEXT NOT NULL,"
    " country TEXT NOT NULL, state_code TEXT NOT NULL, freqdb TEXT NOT NULL, created TEXT NOT NULL,"
    " created_by TEXT NOT NULL);"
    "CREATE TABLE kin_pm (id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES kin_case(id), owner TEXT NOT NULL,"
    " marking TEXT NOT NULL, sex {INT} NOT NULL, site TEXT NOT NULL, grave TEXT NOT NULL, lab TEXT NOT NULL,"
    " kit TEXT NOT NULL, quality TEXT NOT NULL, dropout {REAL} NOT NULL, dropin {REAL} NOT NULL,"
    " profile TEXT NOT NULL, searched {INT} NOT NULL, created TEXT NOT NULL);"
    "CREATE INDEX kin_pm_case ON kin_pm (case_id);"
    "CREATE TABLE kin_family (id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES kin_case(id),"
    " owner TEXT NOT NULL, marking TEXT NOT NULL, missing_name TEXT NOT NULL, disappeared TEXT NOT NULL,"
    " am_notes TEXT NOT NULL, pedigree TEXT NOT NULL, rev {INT} NOT NULL, scored_rev {INT} NOT NULL,"
    " created TEXT NOT NULL);"
    "CREATE INDEX kin_family_case ON kin_family (case_id);"
    "CREATE TABLE kin_ref (id TEXT PRIMARY KEY, family_id TEXT NOT NULL REFERENCES kin_family(id),"
    " person TEXT NOT NULL, owner TEXT NOT NULL, marking TEXT NOT NULL, donor TEXT NOT NULL,"
    " relation TEXT NOT NULL, profile TEXT NOT NULL, consent TEXT NOT NULL, created TEXT NOT NULL);"
    "CREATE INDEX kin_ref_family ON kin_ref (family_id);"
    "CREATE TABLE kin_consent (id {ID}, ref_id TEXT NOT NULL REFERENCES kin_ref(id), action TEXT NOT NULL,"
    " purpose TEXT NOT NULL, text TEXT NOT NULL, by_user TEXT NOT NULL, day TEXT NOT NULL);"
    "CREATE INDEX kin_consent_ref ON kin_consent (ref_id);"
    "CREATE TABLE kin_run (id {ID}, day TEXT NOT NULL, by_user TEXT NOT NULL, freqdb TEXT NOT NULL,"
    " freqdb_version {INT} NOT NULL, model TEXT NOT NULL, threshold {REAL} NOT NULL, new_pm {INT} NOT NULL,"
    " changed_families {INT} NOT NULL, pairs {INT} NOT NULL, hits {INT} NOT NULL, seconds {REAL} NOT NULL);"
    "CREATE TABLE kin_hit (id {ID}, run_id {INT} NOT NULL, pm_id TEXT NOT NULL, family_id TEXT NOT NULL,"
    " missing TEXT NOT NULL, case_id TEXT NOT NULL, lr {REAL} NOT NULL, log10_lr {REAL} NOT NULL,"
    " excluded {INT} NOT NULL, markers TEXT NOT NULL, freqdb TEXT NOT NULL, freqdb_version {INT} NOT NULL,"
    " model TEXT NOT NULL, status TEXT NOT NULL, owner TEXT NOT NULL, marking TEXT NOT NULL,"
    " state_code TEXT NOT NULL, reviewed_by TEXT NOT NULL, reviewed_day TEXT NOT NULL, decided_by TEXT NOT NULL,"
    " decided_day TEXT NOT NULL, prior {REAL}, posterior {REAL}, note TEXT NOT NULL, created TEXT NOT NULL);"
    "CREATE INDEX kin_hit_pair ON kin_hit (pm_id, family_id);"
    "CREATE INDEX kin_hit_status ON kin_hit (status);"
    "CREATE TABLE kin_hit_event (id {ID}, hit_id {INT} NOT NULL, action TEXT NOT NULL, by_user TEXT NOT NULL,"
    " day TEXT NOT NULL, note TEXT NOT NULL);"
    "CREATE INDEX kin_hit_event_hit ON kin_hit_event (hit_id);",
    /* v2: per-marker dropout of a PM sample ("MARKER=d/c;...", overriding
     * the sample's dropout/dropin) and the dropout values a hit was computed
     * with ("*=d/c;MARKER=d/c", empty = exact profile) */
    "ALTER TABLE kin_pm ADD COLUMN dropout_markers TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE kin_hit ADD COLUMN dropout TEXT NOT NULL DEFAULT '';",
};

int kin_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "kinship", MIGRATIONS, (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]), err);
}

/* ---- helpers ---- */

void kcs_today(const kin_actor *a, char out[11]) {
    if (a && a->today && strlen(a->today) == 10) {
        memcpy(out, a->today, 11);
        return;
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    (void)strftime(out, 11, "%Y-%m-%d", &tm);
}

int kcs_exec(db_t *db, const char *sql, int n, const char *const *vals, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        if (vals[i]) db_bind_text(st, i + 1, vals[i], -1);
        else db_bind_null(st, i + 1);
    }
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

int kcs_begin(db_t *db, int *own, pu_err *err) {
    *own = !db_in_tx(db);
    return *own ? db_begin(db, err) : PU_OK;
}

int kcs_commit(db_t *db, int own, pu_err *err) {
    return own ? db_commit(db, err) : PU_OK;
}

void kcs_rollback(db_t *db, int own) {
    if (own) db_rollback(db);
}

int kcs_hit_event(db_t *db, int64_t id, const char *action, const char *user, const char *day, const char *note,
                  pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO kin_hit_event (hit_id, action, by_user, day, note) VALUES (?, ?, ?, ?, ?)",
                        &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, action, -1);
    db_bind_text(st, 3, user ? user : "", -1);
    db_bind_text(st, 4, day, -1);
    db_bind_text(st, 5, note ? note : "", -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

int kcs_profile_text(const kin_db *db, const int16_t *g, pu_buf *buf) {
    int rc = PU_OK;
    for (int m = 0; m < db->n && !rc; m++) {
        if (g[2 * m] < 0) continue;
        rc = pu_buf_printf(buf, "%s%s=%s/%s", buf->len ? ";" : "", db->m[m].name, db->m[m].allele[g[2 * m]],
                           db->m[m].allele[g[2 * m + 1]]);
    }
    return rc;
}

int kcs_marker_pairs(const char *text, const char *where, const char *field, const char *expected, kcs_pair_cb cb,
                     void *ctx, pu_err *err) {
    if (!text || !*text) return PU_OK;
    char *s = pu_strdup(text), *save = NULL;
    if (!s) return PU_ERR_NOMEM;
    int rc = PU_OK;
    for (char *tok = strtok_r(s, ";", &save); tok && !rc; tok = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(tok, '='), *sl = eq ? strchr(eq, '/') : NULL;
        if (!eq || !sl) {
            rc = pu_fail(err, PU_ERR_INVALID, where, field, "expected %s, got '%s'", expected, tok);
            break;
        }
        *eq = 0, *sl = 0;
        rc = cb(tok, eq + 1, sl + 1, ctx, err);
    }
    free(s);
    return rc;
}

typedef struct profile_ctx {
    kin_db *db;
    int16_t *g;
    const char *where;
} profile_ctx;

static int profile_pair(const char *marker, const char *a_text, const char *b_text, void *ctx, pu_err *err) {
    profile_ctx *p = ctx;
    int m = kin_db_marker(p->db, marker);
    if (m < 0) return PU_OK; /* a marker the frequency database does not have: not used */
    int a = kin_db_allele(p->db, m, a_text, 1, p->where), b = kin_db_allele(p->db, m, b_text, 1, p->where);
    if (a < 0 || b < 0)
        return pu_fail(err, PU_ERR_LIMIT, p->where, "profile", "too many alleles at marker %s", marker);
    p->g[2 * m] = (int16_t)a, p->g[2 * m + 1] = (int16_t)b;
    return PU_OK;
}

int kcs_profile_parse(kin_db *db, const char *text, int16_t *g, const char *where, pu_err *err) {
    for (int m = 0; m < db->n; m++) g[2 * m] = g[2 * m + 1] = KIN_UNTYPED;
    profile_ctx p = {db, g, where};
    return kcs_marker_pairs(text, where, "profile", "MARKER=a/b", profile_pair, &p, err);
}

/* ---- frequency databases ---- */

int kin_freqdb_add(db_t *db, const char *name, const char *population, const char *freqs_csv,
                   const char *mutation_csv, int *version, pu_err *err) {
    if (!name || !*name || strlen(name) >= KIN_REC_ID_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "a frequency database needs a name (1-%d bytes)",
                       KIN_REC_ID_MAX - 1);
    kin_db *kd = NULL;
    int rc = kin_db_read_mem(freqs_csv, strlen(freqs_csv), "freqs", population, 0, &kd, err);
    if (!rc && mutation_csv && *mutation_csv)
        rc = kin_db_read_mutation_mem(kd, mutation_csv, strlen(mutation_csv), "mutation", err);
    if (!rc) rc = kin_db_prepare(kd, err);
    kin_db_free(kd);
    if (rc) return rc;
    int64_t v = 0;
    if ((rc = db_query_int64(db, "SELECT COALESCE(MAX(version), 0) FROM kin_freqdb WHERE name = ?", name, &v, err)))
        return rc;
    char vs[24], day[11];
    snprintf(vs, sizeof vs, "%lld", (long long)(v + 1));
    kcs_today(NULL, day);
    const char *vals[] = {name, vs, population ? population : "", freqs_csv, mutation_csv ? mutation_csv : "", day};
    rc = kcs_exec(db,
                  "INSERT INTO kin_freqdb (name, version, population, freqs, mutation, created)"
                  " VALUES (?, CAST(? AS INTEGER), ?, ?, ?, ?)", 6, vals, err);
    if (!rc && version) *version = (int)(v + 1);
    return rc;
}

int kin_freqdb_load(db_t *db, const char *name, int version, kin_db **out, char *out_name, int *out_version,
                    pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT name, version, population, freqs, mutation FROM kin_freqdb WHERE 1 = 1");
    if (name) {
        db_sql_add(&q, " AND name = ?");
        db_sql_text(&q, name);
    }
    if (version > 0) {
        db_sql_add(&q, " AND version = ?");
        db_sql_int64(&q, version);
    }
    db_sql_add(&q, " ORDER BY version DESC, id DESC LIMIT 1");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "freqdb",
                     "no frequency database%s%s: register one with 'puente kinship case freqdb NAME FILE'",
                     name ? " named " : "", name ? name : "");
    } else if (rc == DB_ROW) {
        const char *pop = db_col_text(st, 2), *fr = db_col_text(st, 3), *mu = db_col_text(st, 4);
        kin_db *kd = NULL;
        rc = kin_db_read_mem(fr, strlen(fr), "freqdb", *pop ? pop : NULL, 0, &kd, err);
        if (!rc && *mu) rc = kin_db_read_mutation_mem(kd, mu, strlen(mu), "freqdb.mutation", err);
        if (!rc) rc = kin_db_prepare(kd, err);
        if (!rc) {
            if (out_name) pu_strlcpy(out_name, db_col_text(st, 0), KIN_REC_ID_MAX);
            if (out_version) *out_version = (int)db_col_int64(st, 1);
            *out = kd;
        } else {
            kin_db_free(kd);
        }
    }
    db_finalize(st);
    return rc;
}

/* ---- cases ---- */

static int id_ok(const char *id, const char *field, pu_err *err) {
    if (!id || !*id || strlen(id) >= KIN_REC_ID_MAX || strpbrk(id, ";=/,\n\r\t"))
        return pu_fail(err, PU_ERR_INVALID, NULL, field, "expected an id of 1-%d characters without ; = / , or "
                       "control characters, got '%s'", KIN_REC_ID_MAX - 1, id ? id : "");
    return PU_OK;
}

int kin_case_create(db_t *db, const kin_actor *a, const kin_case_new *n, pu_err *err) {
    int rc = id_ok(n->id, "case", err);
    if (rc) return rc;
    const char *owner = n->owner && *n->owner ? n->owner : a->scope->agency;
    if (!owner || !*owner)
        return pu_fail(err, PU_ERR_INVALID, NULL, "owner", "the operator must name the owning agency (--owner)");
    store_marking mk;
    if ((rc = store_marking_parse(n->marking ? n->marking : STORE_DEFAULT_MARKING, "marking", &mk, err))) return rc;
    if ((rc = store_check_file(a->scope, mk, err))) return rc;
    if ((rc = store_check_owner(db, a->scope, owner, err))) return rc;
    if (!n->state || strlen(n->state) < 4 || n->state[2] != '-')
        return pu_fail(err, PU_ERR_INVALID, NULL, "state", "expected an ISO 3166-2 state such as MX-SIN, got '%s'",
                       n->state ? n->state : "");
    int64_t exists = 0;
    if ((rc = db_query_int64(db, "SELECT count(*) FROM kin_case WHERE id = ?", n->id, &exists, err))) return rc;
    if (exists) return pu_fail(err, PU_ERR_CONFLICT, n->id, "case", "a case with this id already exists");
    char day[11], country[3] = {n->state[0], n->state[1], 0};
    kcs_today(a, day);
    const char *vals[] = {n->id, n->title ? n->title : "", owner, store_marking_name(mk), country, n->state,
                          n->freqdb ? n->freqdb : "", day, a->user ? a->user : ""};
    return kcs_exec(db,
                    "INSERT INTO kin_case (id, title, owner, marking, country, state_code, freqdb, created, created_by)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", 9, vals, err);
}

/* The case as the actor sees it, checked for writing; owner/marking (32/16
 * bytes) and freqdb name (KIN_REC_ID_MAX) out. */
static int case_for_write(db_t *db, const kin_actor *a, const char *case_id, char *owner, char *marking,
                          char *freqdb, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT c.owner, c.marking, c.freqdb FROM kin_case c WHERE c.id = ? AND ");
    db_sql_text(&q, case_id);
    store_scope_sql(&q, a->scope, "c");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        pu_strlcpy(owner, db_col_text(st, 0), 32);
        pu_strlcpy(marking, db_col_text(st, 1), 16);
        pu_strlcpy(freqdb, db_col_text(st, 2), KIN_REC_ID_MAX);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, case_id, "case", "no such case (or not visible to you)");
    }
    db_finalize(st);
    if (!rc) rc = store_check_owner(db, a->scope, owner, err);
    return rc;
}

/* The marking of a new record: the given one (checked) or the case's. */
static int record_marking(const kin_actor *a, const char *given, const char *case_marking, char out[16], pu_err *err) {
    store_marking mk;
    int rc = store_marking_parse(given && *given ? given : case_marking, "marking", &mk, err);
    if (!rc) rc = store_check_file(a->scope, mk, err);
    if (!rc) pu_strlcpy(out, store_marking_name(mk), 16);
    return rc;
}

/* ---- remains (PM samples) ---- */

int kin_pm_import(db_t *db, const kin_actor *a, const char *case_id, const char *csv, size_t len, const char *name,
                  const kin_pm_meta *meta, int *added, pu_err *err) {
    char owner[32], cmark[16], fname[KIN_REC_ID_MAX], mark[16];
    *added = 0;
    int rc = case_for_write(db, a, case_id, owner, cmark, fname, err);
    if (!rc) rc = record_marking(a, meta->marking, cmark, mark, err);
    if (rc) return rc;
    if (!(meta->dropout >= 0 && meta->dropout <= KIN_DROP_MAX) || !(meta->dropin >= 0 && meta->dropin <= KIN_DROP_MAX))
        return pu_fail(err, PU_ERR_INVALID, NULL, "dropout", "expected probabilities in [0, %g]", KIN_DROP_MAX);
    kin_db *kd = NULL;
    if ((rc = kin_freqdb_load(db, *fname ? fname : NULL, 0, &kd, NULL, NULL, err))) return rc;
    kd->warn = stderr;
    kin_case *c = calloc(1, sizeof *c);
    if (!c) {
        kin_db_free(kd);
        return PU_ERR_NOMEM;
    }
    c->db = kd;
    rc = kin_case_read_pm_mem(c, csv, len, name, err);
    if (!rc) rc = kcs_drop_apply(c, meta->dropout, meta->dropin, meta->dropout_csv, meta->dropout_len,
                                 meta->dropout_name, err);
    pu_buf dm = PU_BUF_INIT(KCS_PROFILE_MAX);
    char day[11];
    kcs_today(a, day);
    pu_buf prof = PU_BUF_INIT(KCS_PROFILE_MAX);
    db_stmt *ins = NULL;
    if (!rc)
        rc = db_prepare(db,
                        "INSERT INTO kin_pm (id, case_id, owner, marking, sex, site, grave, lab, kit, quality, dropout,"
                        " dropin, profile, searched, created, dropout_markers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                        " ?, ?, 0, ?, ?)",
                        &ins, err);
    int own_tx = 0; /* inside kin_fam_import's transaction: its caller commits */
    if (!rc) rc = kcs_begin(db, &own_tx, err);
    for (int v = 0; !rc && v < c->nvic; v++) {
        int64_t exists = 0;
        rc = db_query_int64(db, "SELECT count(*) FROM kin_pm WHERE id = ?", c->vic[v].id, &exists, err);
        if (!rc && exists)
            rc = pu_fail(err, PU_ERR_CONFLICT, name, "sample", "sample '%s' is already in the store", c->vic[v].id);
        if (!rc && (rc = id_ok(c->vic[v].id, "sample", err))) break;
        pu_buf_reset(&prof);
        if (!rc) rc = kcs_profile_text(kd, c->vic[v].g, &prof);
        pu_buf_reset(&dm);
        if (!rc && c->vic_ev)
            rc = kcs_drop_text(kd, &c->vic_ev[(size_t)v * kd->n], meta->dropout, meta->dropin, 0, &dm);
        if (rc) break;
        db_reset(ins);
        db_bind_text(ins, 1, c->vic[v].id, -1);
        db_bind_text(ins, 2, case_id, -1);
        db_bind_text(ins, 3, owner, -1);
        db_bind_text(ins, 4, mark, -1);
        db_bind_int64(ins, 5, c->vic[v].sex);
        db_bind_text(ins, 6, meta->site ? meta->site : "", -1);
        db_bind_text(ins, 7, meta->grave ? meta->grave : "", -1);
        db_bind_text(ins, 8, meta->lab ? meta->lab : "", -1);
        db_bind_text(ins, 9, meta->kit ? meta->kit : "", -1);
        db_bind_text(ins, 10, meta->quality ? meta->quality : "", -1);
        db_bind_double(ins, 11, meta->dropout);
        db_bind_double(ins, 12, meta->dropin);
        db_bind_text(ins, 13, pu_buf_str(&prof), -1);
        db_bind_text(ins, 14, day, -1);
        db_bind_text(ins, 15, pu_buf_str(&dm), -1);
        rc = db_step_done(ins, err);
        if (!rc) ++*added;
    }
    if (!rc) rc = kcs_commit(db, own_tx, err);
    else kcs_rollback(db, own_tx);
    if (rc) *added = 0;
    db_finalize(ins);
    pu_buf_free(&prof);
    pu_buf_free(&dm);
    kin_case_free(c);
    kin_db_free(kd);
    return rc;
}

/* ---- families ---- */

static int pedigree_text(const kin_family *F, pu_buf *b) {
    int rc = PU_OK;
    for (int i = 0; i < F->n && !rc; i++) {
        const kin_person *p = &F->p[i];
        static const char *const roles[] = {"untyped", "reference", "missing"};
        rc = pu_buf_printf(b, "%s,%s,%s,%d,%s\n", p->id, p->father >= 0 ? F->p[p->father].id : "0",
                           p->mother >= 0 ? F->p[p->mother].id : "0", p->sex, roles[p->role]);
    }
    return rc;
}

int kin_family_import(db_t *db, const kin_actor *a, const char *case_id, const char *csv, size_t len,
                      const char *name, const kin_family_meta *meta, int *added, pu_err *err) {
    char owner[32], cmark[16], fname[KIN_REC_ID_MAX], mark[16];
    *added = 0;
    int rc = case_for_write(db, a, case_id, owner, cmark, fname, err);
    if (!rc) rc = record_marking(a, meta->marking, cmark, mark, err);
    if (rc) return rc;
    kin_db *kd = NULL;
    if ((rc = kin_freqdb_load(db, *fname ? fname : NULL, 0, &kd, NULL, NULL, err))) return rc;
    kin_case *c = NULL;
    rc = kin_case_read_pedigrees_mem(kd, csv, len, name, &c, err);
    char day[11];
    kcs_today(a, day);
    pu_buf ped = PU_BUF_INIT(KCS_PEDIGREE_MAX);
    int own_tx = 0; /* inside kin_fam_import's transaction: its caller commits */
    if (!rc) rc = kcs_begin(db, &own_tx, err);
    for (int f = 0; !rc && f < c->nfam; f++) {
        const kin_family *F = &c->fam[f];
        int nmiss = 0;
        for (int i = 0; i < F->n; i++) nmiss += F->p[i].role == KIN_ROLE_MISSING;
        if (nmiss == 0) {
            rc = pu_fail(err, PU_ERR_INVALID, name, "role", "family '%s' has no missing person (role 'missing')",
                         F->name);
            break;
        }
        if ((rc = id_ok(F->name, "family", err))) break;
        int64_t exists = 0;
        if ((rc = db_query_int64(db, "SELECT count(*) FROM kin_family WHERE id = ?", F->name, &exists, err))) break;
        if (exists) {
            rc = pu_fail(err, PU_ERR_CONFLICT, name, "family", "family '%s' is already in the store", F->name);
            break;
        }
        pu_buf_reset(&ped);
        if ((rc = pedigree_text(F, &ped))) break;
        const char *vals[] = {F->name, case_id, owner, mark, meta->missing_name ? meta->missing_name : "",
                              meta->disappeared ? meta->disappeared : "", meta->am_notes ? meta->am_notes : "",
                              pu_buf_str(&ped), day};
        rc = kcs_exec(db,
                      "INSERT INTO kin_family (id, case_id, owner, marking, missing_name, disappeared, am_notes,"
                      " pedigree, rev, scored_rev, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)", 9, vals, err);
        if (!rc) ++*added;
    }
    if (!rc) rc = kcs_commit(db, own_tx, err);
    else kcs_rollback(db, own_tx);
    if (rc) *added = 0;
    pu_buf_free(&ped);
    kin_case_free(c);
    kin_db_free(kd);
    return rc;
}

/* ---- references ---- */

/* Family ids named in an am_genotypes CSV (for loading their pedigrees). */
static int csv_families(const char *csv, size_t len, const char *name, char ***ids, int *n, pu_err *err) {
    pu_csv_opts o = {.max_record = 1 << 16, .max_fields = 64, .check_utf8 = 1};
    pu_csv *r;
    int rc = pu_csv_open_mem(csv, len, &o, &r, err);
    if (rc) return rc;
    if (name) pu_csv_set_name(r, name);
    const pu_csv_row *h, *row;
    *ids = NULL, *n = 0;
    rc = pu_csv_next(r, &h, err);
    int col = !rc && h ? pu_csv_col(h, "family") : -1;
    if (!rc && col < 0) rc = pu_fail(err, PU_ERR_INVALID, name, "family", "missing column 'family' in the header");
    while (!rc && (rc = pu_csv_next(r, &row, err)) == PU_OK && row) {
        if ((size_t)col >= row->n) continue;
        int seen = 0;
        for (int i = 0; i < *n && !seen; i++) seen = !strcmp((*ids)[i], row->fields[col]);
        if (seen) continue;
        char **ni = realloc(*ids, (size_t)(*n + 1) * sizeof *ni);
        if (!ni) {
            rc = PU_ERR_NOMEM;
            break;
        }
        *ids = ni;
        if (!((*ids)[*n] = pu_strdup(row->fields[col]))) rc = PU_ERR_NOMEM;
        else ++*n;
    }
    pu_csv_close(r);
    return rc;
}

int kin_ref_import(db_t *db, const kin_actor *a, const char *csv, size_t len, const char *name,
                   const kin_ref_meta *meta, int *added, pu_err *err) {
    *added = 0;
    if (!meta->consent_document || !*meta->consent_document)
        return pu_fail(err, PU_ERR_INVALID, NULL, "consent-document",
                       "a reference sample is stored only with the donor's consent for identification: name the "
                       "signed consent (--consent-document)");
    char **fids = NULL;
    int nf = 0;
    int rc = csv_families(csv, len, name, &fids, &nf, err);
    pu_buf ped = PU_BUF_INIT((size_t)64 << 20);
    char owner[32] = "", mark[16] = "", fname[KIN_REC_ID_MAX] = "", cid[KIN_REC_ID_MAX] = "";
    if (!rc) rc = pu_buf_puts(&ped, "family,id,fid,mid,sex,role\n");
    for (int i = 0; !rc && i < nf; i++) {
        db_sql q;
        db_sql_init(&q);
        db_sql_add(&q, "SELECT f.pedigree, f.owner, f.marking, f.case_id, c.freqdb FROM kin_family f"
                       " JOIN kin_case c ON c.id = f.case_id WHERE f.id = ? AND ");
        db_sql_text(&q, fids[i]);
        store_scope_sql(&q, a->scope, "f");
        db_stmt *st;
        rc = db_sql_prepare(db, &q, &st, err);
        db_sql_free(&q);
        if (rc) break;
        rc = db_step(st, err);
        if (rc == DB_DONE) rc = pu_fail(err, PU_ERR_NOTFOUND, name, "family", "no family '%s' (add it first with "
                                      "'puente kinship case add-family')", fids[i]);
        if (rc == DB_ROW) {
            rc = PU_OK;
            pu_strlcpy(owner, db_col_text(st, 1), sizeof owner);
            pu_strlcpy(mark, db_col_text(st, 2), sizeof mark);
            pu_strlcpy(cid, db_col_text(st, 3), sizeof cid);
            pu_strlcpy(fname, db_col_text(st, 4), sizeof fname);
            /* prefix every pedigree line with the family id */
            const char *p = db_col_text(st, 0);
            while (!rc && *p) {
                const char *nl = strchr(p, '\n');
                size_t l = nl ? (size_t)(nl - p) : strlen(p);
                rc = pu_buf_printf(&ped, "%s,%.*s\n", fids[i], (int)l, p);
                p += l + (nl ? 1 : 0);
            }
        }
        db_finalize(st);
        if (!rc) rc = store_check_owner(db, a->scope, owner, err);
    }
    kin_db *kd = NULL;
    kin_case *c = NULL;
    if (!rc && nf == 0) rc = pu_fail(err, PU_ERR_INVALID, name, NULL, "no records: expected rows family,id,marker,allele1,allele2");
    if (!rc) rc = kin_freqdb_load(db, *fname ? fname : NULL, 0, &kd, NULL, NULL, err);
    if (!rc) {
        kd->warn = stderr;
        rc = kin_case_read_pedigrees_mem(kd, pu_buf_str(&ped), ped.len, "stored pedigree", &c, err);
    }
    if (!rc) rc = kin_case_read_am_mem(c, csv, len, name, err);
    char day[11];
    kcs_today(a, day);
    pu_buf prof = PU_BUF_INIT(KCS_PROFILE_MAX);
    int own_tx = 0; /* inside kin_fam_import's transaction: its caller commits */
    if (!rc) rc = kcs_begin(db, &own_tx, err);
    for (int f = 0; !rc && c && f < c->nfam; f++) {
        const kin_family *F = &c->fam[f];
        int any_new = 0;
        for (int i = 0; !rc && i < F->n; i++) {
            const int16_t *g = &F->g[(size_t)i * kd->n * 2];
            int typed = 0;
            for (int m = 0; m < kd->n; m++) typed |= g[2 * m] >= 0;
            if (!typed) continue;
            char rid[2 * KIN_REC_ID_MAX + 2];
            snprintf(rid, sizeof rid, "%s/%s", F->name, F->p[i].id);
            int64_t exists = 0;
            if ((rc = db_query_int64(db, "SELECT count(*) FROM kin_ref WHERE id = ?", rid, &exists, err))) break;
            if (exists) {
                rc = pu_fail(err, PU_ERR_CONFLICT, name, "id", "reference '%s' is already in the store", rid);
                break;
            }
            pu_buf_reset(&prof);
            if ((rc = kcs_profile_text(kd, g, &prof))) break;
            const char *vals[] = {rid, F->name, F->p[i].id, owner, mark, meta->donor ? meta->donor : "",
                                  meta->relation ? meta->relation : "", pu_buf_str(&prof), day};
            rc = kcs_exec(db,
                          "INSERT INTO kin_ref (id, family_id, person, owner, marking, donor, relation, profile,"
                          " consent, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'given', ?)", 9, vals, err);
            const char *cv[] = {rid, KIN_PURPOSE_IDENTIFICATION, meta->consent_document, a->user ? a->user : "", day};
            if (!rc)
                rc = kcs_exec(db, "INSERT INTO kin_consent (ref_id, action, purpose, text, by_user, day)"
                                  " VALUES (?, 'given', ?, ?, ?, ?)", 5, cv, err);
            if (!rc) ++*added, any_new = 1;
        }
        const char *fv[] = {F->name};
        if (!rc && any_new) rc = kcs_exec(db, "UPDATE kin_family SET rev = rev + 1 WHERE id = ?", 1, fv, err);
    }
    if (!rc) rc = kcs_commit(db, own_tx, err);
    else kcs_rollback(db, own_tx);
    if (rc) *added = 0;
    (void)cid;
    pu_buf_free(&prof);
    pu_buf_free(&ped);
    kin_case_free(c);
    kin_db_free(kd);
    for (int i = 0; i < nf; i++) free(fids[i]);
    free(fids);
    return rc;
}

/* ---- consent ---- */

int kin_consent_set(db_t *db, const kin_actor *a, const char *ref_id, int give, const char *text, pu_err *err) {
    if (!text || !*text)
        return pu_fail(err, PU_ERR_INVALID, NULL, give ? "document" : "reason",
                       give ? "name the signed consent document" : "record the reason of the withdrawal");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.owner, r.consent, r.family_id FROM kin_ref r WHERE r.id = ? AND ");
    db_sql_text(&q, ref_id);
    store_scope_sql(&q, a->scope, "r");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    char owner[32] = "", consent[16] = "", fam[KIN_REC_ID_MAX] = "";
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        pu_strlcpy(owner, db_col_text(st, 0), sizeof owner);
        pu_strlcpy(consent, db_col_text(st, 1), sizeof consent);
        pu_strlcpy(fam, db_col_text(st, 2), sizeof fam);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, ref_id, "reference", "no such reference (or not visible to you)");
    }
    db_finalize(st);
    if (!rc) rc = store_check_owner(db, a->scope, owner, err);
    if (rc) return rc;
    const char *want = give ? "given" : "withdrawn";
    if (!strcmp(consent, want))
        return pu_fail(err, PU_ERR_CONFLICT, ref_id, "consent", "the consent is already %s", want);
    char day[11];
    kcs_today(a, day);
    if ((rc = db_begin(db, err))) return rc;
    const char *v1[] = {want, ref_id};
    rc = kcs_exec(db, "UPDATE kin_ref SET consent = ? WHERE id = ?", 2, v1, err);
    const char *v2[] = {ref_id, want, KIN_PURPOSE_IDENTIFICATION, text, a->user ? a->user : "", day};
    if (!rc)
        rc = kcs_exec(db, "INSERT INTO kin_consent (ref_id, action, purpose, text, by_user, day) VALUES (?, ?, ?, ?, ?, ?)",
                      6, v2, err);
    /* the family is scored again with the references it may still use;
     * open hits computed with the withdrawn profile no longer stand */
    const char *v3[] = {fam};
    if (!rc) rc = kcs_exec(db, "UPDATE kin_family SET rev = rev + 1 WHERE id = ?", 1, v3, err);
    if (!rc && !give)
        rc = kcs_exec(db, "UPDATE kin_hit SET status = 'superseded' WHERE family_id = ? AND status IN ('candidate',"
                          " 'reviewed')", 1, v3, err);
    if (!rc) rc = db_commit(db, err);
    else db_rollback(db);
    return rc;
}

/* ---- a pedigree for drawing ---- */

static int typed_people(db_t *db, const kin_actor *a, const char *family, pu_buf *ids, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.person FROM kin_ref r WHERE r.family_id = ? AND r.consent = 'given' AND ");
    db_sql_text(&q, family);
    store_scope_sql(&q, a->scope, "r");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) rc = pu_buf_printf(ids, ",%s,", db_col_text(st, 0));
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

int kin_family_pedigree(db_t *db, const kin_actor *a, const char *family, char **out, pu_err *err) {
    *out = NULL;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT f.pedigree FROM kin_family f WHERE f.id = ? AND ");
    db_sql_text(&q, family);
    store_scope_sql(&q, a->scope, "f");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    pu_buf ids = PU_BUF_INIT(KCS_PEDIGREE_MAX), res = PU_BUF_INIT(KCS_PEDIGREE_MAX);
    rc = db_step(st, err);
    if (rc == DB_DONE) rc = pu_fail(err, PU_ERR_NOTFOUND, family, "family", "no such family (or not visible to you)");
    if (rc == DB_ROW) {
        char *ped = pu_strdup(db_col_text(st, 0)), *save = NULL;
        rc = ped ? typed_people(db, a, family, &ids, err) : PU_ERR_NOMEM;
        for (char *line = ped && !rc ? strtok_r(ped, "\n", &save) : NULL; line && !rc; line = strtok_r(NULL, "\n", &save)) {
            char key[KIN_REC_ID_MAX + 3];
            size_t n = strcspn(line, ",");
            snprintf(key, sizeof key, ",%.*s,", (int)(n < KIN_REC_ID_MAX ? n : KIN_REC_ID_MAX), line);
            rc = pu_buf_printf(&res, "%s,%d\n", line, strstr(pu_buf_str(&ids), key) != NULL);
        }
        free(ped);
    }
    db_finalize(st);
    if (!rc) *out = res.len ? pu_buf_detach(&res) : pu_strdup("");
    pu_buf_free(&res);
    pu_buf_free(&ids);
    if (!rc && !*out) rc = PU_ERR_NOMEM;
    return rc;
}
