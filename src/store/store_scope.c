/*
 * store_scope.c - markings, the releasability rule, the write rule, grants,
 * id namespaces and change generations (store.h, "markings ..." section).
 *
 * The rule is written once, as the table `country_sees` below; the SQL
 * condition (store_scope_sql) and the in-memory check (store_visible) are
 * both generated from it, and tests/store compares the two on every
 * combination of marking, owner and reader.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static const char *const marking_names[STORE_NMARKINGS] = {"PUBLIC", "SHARED", "US-ONLY", "MX-ONLY", "AGENCY-ONLY"};

/* Countries whose agencies read through a scope, and which markings every
 * agency of that country sees (besides its own records). Index 0 is the
 * "unknown country" row: only what every reader sees. */
static const struct {
    const char *country;
    unsigned char sees[STORE_NMARKINGS];
} country_sees[] = {
    {"", {1, 1, 0, 0, 0}},
    {"US", {1, 1, 1, 0, 0}},
    {"MX", {1, 1, 0, 1, 0}},
};
#define NCOUNTRIES (sizeof country_sees / sizeof country_sees[0])

static size_t country_row(const char *country) {
    for (size_t i = 1; country && i < NCOUNTRIES; i++)
        if (strcmp(country, country_sees[i].country) == 0) return i;
    return 0;
}

const char *store_marking_name(store_marking m) {
    return (unsigned)m < STORE_NMARKINGS ? marking_names[m] : "";
}

static int marking_index(const char *s) {
    for (int i = 0; s && i < STORE_NMARKINGS; i++)
        if (strcmp(s, marking_names[i]) == 0) return i;
    return -1;
}

int store_marking_valid(const char *m) { return marking_index(m) >= 0; }

int store_marking_parse(const char *s, const char *field, store_marking *out, pu_err *err) {
    int i = marking_index(s);
    if (i < 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, field ? field : "marking", "expected " STORE_MARKINGS_TEXT ", got '%.64s'",
                       s ? s : "");
    *out = (store_marking)i;
    return PU_OK;
}

static int strictness(store_marking m) {
    switch (m) {
    case STORE_PUBLIC: return 0;
    case STORE_SHARED: return 1;
    case STORE_US_ONLY:
    case STORE_MX_ONLY: return 2;
    default: return 3;
    }
}

store_marking store_marking_stricter(store_marking a, const char *owner_a, store_marking b, const char *owner_b,
                                     char *owner_out, size_t owner_size) {
    store_marking r = a;
    const char *o = owner_a;
    if ((a == STORE_US_ONLY && b == STORE_MX_ONLY) || (a == STORE_MX_ONLY && b == STORE_US_ONLY)) {
        r = STORE_AGENCY_ONLY; /* no country may see both: only the owner of the first */
    } else if (strictness(b) > strictness(a)) {
        r = b;
        o = owner_b;
    }
    if (owner_out && owner_size) pu_strlcpy(owner_out, o ? o : "", owner_size);
    return r;
}

int store_scope_sql(db_sql *q, const store_scope *scope, const char *alias) {
    if (!scope) {
        if (!q->rc) q->rc = PU_ERR_INTERNAL;
        return PU_ERR_INTERNAL;
    }
    const char *a = alias && *alias ? alias : "";
    const char *dot = *a ? "." : "";
    if (scope->system) return db_sql_add(q, "(1 = 1)");
    size_t c = country_row(scope->country);
    db_sql_addf(q, "(%s%smarking IN (", a, dot);
    int k = 0;
    for (int m = 0; m < STORE_NMARKINGS; m++)
        if (country_sees[c].sees[m]) db_sql_addf(q, "%s'%s'", k++ ? ", " : "", marking_names[m]);
    db_sql_addf(q, ") OR %s%sowner = ?)", a, dot);
    return db_sql_text(q, scope->agency ? scope->agency : "");
}

int store_visible(const store_scope *scope, const char *owner, const char *marking) {
    if (!scope) return 0;
    if (scope->system) return 1;
    int m = marking_index(marking);
    if (m >= 0 && country_sees[country_row(scope->country)].sees[m]) return 1;
    return owner && scope->agency && *scope->agency && strcmp(owner, scope->agency) == 0;
}

int store_check_file(const store_scope *scope, store_marking m, pu_err *err) {
    if (scope && scope->system) return PU_OK;
    if ((unsigned)m >= STORE_NMARKINGS)
        return pu_fail(err, PU_ERR_INVALID, NULL, "marking", "expected " STORE_MARKINGS_TEXT);
    if (m == STORE_AGENCY_ONLY || country_sees[country_row(scope ? scope->country : NULL)].sees[m]) return PU_OK;
    return pu_fail(err, PU_ERR_DENIED, NULL, "marking", "an agency of %s may not file records marked %s",
                   scope && scope->country && *scope->country ? scope->country : pu_tr("an unknown country"),
                   marking_names[m]);
}

int store_check_owner(db_t *db, const store_scope *scope, const char *owner, pu_err *err) {
    /* first the home rule, for every scope: a replica is read-only here */
    int rc = store_check_home(db, owner, NULL, err);
    if (rc) return rc;
    if (scope && scope->system) return PU_OK;
    const char *agency = scope && scope->agency ? scope->agency : "";
    if (owner && *agency && strcmp(owner, agency) == 0) return PU_OK;
    if (owner && *owner && *agency) {
        int64_t n = 0;
        db_sql q;
        db_sql_init(&q);
        db_sql_add(&q, "SELECT count(*) FROM store_grant WHERE owner = ? AND grantee = ?");
        db_sql_text(&q, owner);
        db_sql_text(&q, agency);
        db_stmt *st;
        int rc = db_sql_prepare(db, &q, &st, err);
        db_sql_free(&q);
        if (rc) return rc;
        int s = db_step(st, err);
        if (s == DB_ROW) n = db_col_int64(st, 0);
        db_finalize(st);
        if (s != DB_ROW) return s == DB_DONE ? pu_fail(err, PU_ERR_DB, NULL, NULL, "count returned no row") : s;
        if (n > 0) return PU_OK;
    }
    return pu_fail(err, PU_ERR_DENIED, NULL, "owner", "only the owning agency (%s) or an agency it granted may change this record",
                   owner && *owner ? owner : "none");
}

int store_check_act_for(const store_scope *scope, const char *agency, pu_err *err) {
    if (pu_blank(agency)) return pu_fail(err, PU_ERR_INVALID, NULL, "agency", "the acting agency is required");
    if (scope && scope->system) return PU_OK;
    if (scope && scope->agency && strcmp(scope->agency, agency) == 0) return PU_OK;
    return pu_fail(err, PU_ERR_DENIED, NULL, "agency", "%s may only act for itself, not for %s",
                   scope && scope->agency ? scope->agency : pu_tr("this user"), agency);
}

static int grant_change(db_t *db, const char *sql, const char *owner, const char *grantee, int with_time, pu_err *err) {
    if (pu_blank(owner) || pu_blank(grantee) || strcmp(owner, grantee) == 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "grantee", "a grant names two different agencies");
    char now[32];
    pu_now_iso(now, sizeof now);
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, sql);
    db_sql_text(&q, owner);
    db_sql_text(&q, grantee);
    if (with_time) db_sql_text(&q, now);
    db_stmt *st;
    int own = !db_in_tx(db);
    int rc = own ? db_begin(db, err) : PU_OK;
    if (!rc) rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (!rc) {
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (!rc) rc = store_generation_bump(db, "grant", err);
    if (own) {
        if (rc) db_rollback(db);
        else rc = db_commit(db, err);
    }
    return rc;
}

int store_grant_add(db_t *db, const char *owner, const char *grantee, pu_err *err) {
    return grant_change(db, "INSERT INTO store_grant (owner, grantee, created) VALUES (?, ?, ?)"
                            " ON CONFLICT (owner, grantee) DO NOTHING", owner, grantee, 1, err);
}

int store_grant_remove(db_t *db, const char *owner, const char *grantee, pu_err *err) {
    return grant_change(db, "DELETE FROM store_grant WHERE owner = ? AND grantee = ?", owner, grantee, 0, err);
}

int store_grant_list(db_t *db, const char *agency, store_grant **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT owner, grantee, created FROM store_grant");
    if (agency) {
        db_sql_add(&q, " WHERE owner = ? OR grantee = ?");
        db_sql_text(&q, agency);
        db_sql_text(&q, agency);
    }
    db_sql_add(&q, " ORDER BY owner, grantee");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    size_t cap = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            store_grant *v = realloc(*out, ncap * sizeof *v);
            if (!v) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory listing grants");
                break;
            }
            *out = v;
            cap = ncap;
        }
        store_grant *g = &(*out)[(*n)++];
        pu_strlcpy(g->owner, db_col_text(st, 0), sizeof g->owner);
        pu_strlcpy(g->grantee, db_col_text(st, 1), sizeof g->grantee);
        pu_strlcpy(g->created, db_col_text(st, 2), sizeof g->created);
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc == DB_ROW ? PU_ERR_DB : rc;
    }
    return PU_OK;
}

int store_id_in_namespace(const char *agency, const char *id, char *out, size_t size, pu_err *err) {
    if (pu_blank(agency) || strchr(agency, '-'))
        return pu_fail(err, PU_ERR_INVALID, NULL, "agency", "an agency acronym is required and may not contain '-'");
    if (pu_blank(id)) return pu_fail(err, PU_ERR_INVALID, NULL, "id", "the id is empty");
    char prefix[64];
    size_t i;
    for (i = 0; agency[i] && i < sizeof prefix - 2; i++)
        prefix[i] = (char)((agency[i] >= 'A' && agency[i] <= 'Z') ? agency[i] + 32 : agency[i]);
    prefix[i++] = '-';
    prefix[i] = '\0';
    int rc = pu_starts_with(id, prefix) ? pu_snprintf(out, size, "%s", id) : pu_snprintf(out, size, "%s%s", prefix, id);
    return rc ? pu_fail(err, PU_ERR_LIMIT, NULL, "id", "the id is too long") : PU_OK;
}

int store_generation_bump(db_t *db, const char *domain, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO store_generation (domain, n) VALUES (?, 1)"
                            " ON CONFLICT (domain) DO UPDATE SET n = store_generation.n + 1", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, domain, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

int store_generation_get(db_t *db, const char *domain, int64_t *out, pu_err *err) {
    if (store_generation_watched(db, domain, out)) return PU_OK; /* notified (store_watch.c) */
    *out = 0;
    db_stmt *st;
    int rc = db_prepare(db, "SELECT n FROM store_generation WHERE domain = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, domain, -1);
    int s = db_step(st, err);
    if (s == DB_ROW) *out = db_col_int64(st, 0);
    db_finalize(st);
    return s == DB_ROW || s == DB_DONE ? PU_OK : s;
}

int store_release_sql(const char *to, char *out, size_t size, pu_err *err) {
    size_t c = country_row(to);
    if (c == 0) return pu_fail(err, PU_ERR_INVALID, NULL, "country", "expected US or MX, got '%.8s'", to ? to : "");
    pu_buf b = PU_BUF_INIT(size ? size - 1 : 0);
    int rc = pu_buf_printf(&b, "marking IN (");
    int k = 0;
    for (int m = 0; m < STORE_NMARKINGS && !rc; m++)
        if (country_sees[c].sees[m]) rc = pu_buf_printf(&b, "%s'%s'", k++ ? ", " : "", marking_names[m]);
    if (!rc) rc = pu_buf_printf(&b, ")");
    if (!rc && size) pu_strlcpy(out, pu_buf_str(&b), size);
    pu_buf_free(&b);
    return rc ? pu_fail(err, PU_ERR_LIMIT, NULL, NULL, "the release condition does not fit") : PU_OK;
}
