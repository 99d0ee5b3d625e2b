/* kin_review.c - hits of the case database: listing, the four-eyes review
 * (candidate -> reviewed -> confirmed / excluded, by two different users),
 * the report for the prosecutor and the family liaison (en/es, text/HTML),
 * the export for Familias users, and the named counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"
#include "kinship/kin_cases_int.h"

#define REPORT_LABEL_WIDTH 34   /* text report: label column, in characters */

#define HIT_COLS                                                                                              \
    "h.id, h.pm_id, h.family_id, h.missing, h.case_id, h.lr, h.log10_lr, h.prior, h.posterior, h.excluded," \
    " h.status, h.freqdb, h.freqdb_version, h.model, h.markers, h.reviewed_by, h.reviewed_day, h.decided_by," \
    " h.decided_day, h.note, h.owner, h.marking, h.dropout"

static void hit_of(db_stmt *st, kin_hit_rec *h) {
    memset(h, 0, sizeof *h);
    h->id = db_col_int64(st, 0);
    pu_strlcpy(h->pm, db_col_text(st, 1), sizeof h->pm);
    pu_strlcpy(h->family, db_col_text(st, 2), sizeof h->family);
    pu_strlcpy(h->missing, db_col_text(st, 3), sizeof h->missing);
    pu_strlcpy(h->case_id, db_col_text(st, 4), sizeof h->case_id);
    h->lr = db_col_double(st, 5);
    h->log10_lr = db_col_double(st, 6);
    h->prior = db_col_isnull(st, 7) ? NAN : db_col_double(st, 7);
    h->posterior = db_col_isnull(st, 8) ? NAN : db_col_double(st, 8);
    h->excluded = (int)db_col_int64(st, 9);
    pu_strlcpy(h->status, db_col_text(st, 10), sizeof h->status);
    pu_strlcpy(h->freqdb, db_col_text(st, 11), sizeof h->freqdb);
    h->freqdb_version = (int)db_col_int64(st, 12);
    pu_strlcpy(h->model, db_col_text(st, 13), sizeof h->model);
    pu_strlcpy(h->markers, db_col_text(st, 14), sizeof h->markers);
    pu_strlcpy(h->reviewed_by, db_col_text(st, 15), sizeof h->reviewed_by);
    pu_strlcpy(h->reviewed_day, db_col_text(st, 16), sizeof h->reviewed_day);
    pu_strlcpy(h->decided_by, db_col_text(st, 17), sizeof h->decided_by);
    pu_strlcpy(h->decided_day, db_col_text(st, 18), sizeof h->decided_day);
    pu_strlcpy(h->note, db_col_text(st, 19), sizeof h->note);
    pu_strlcpy(h->owner, db_col_text(st, 20), sizeof h->owner);
    pu_strlcpy(h->marking, db_col_text(st, 21), sizeof h->marking);
    pu_strlcpy(h->dropout, db_col_text(st, 22), sizeof h->dropout);
}

int kin_hits_list(db_t *db, const kin_actor *a, const char *status, kin_hit_rec_cb cb, void *ctx, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT " HIT_COLS " FROM kin_hit h WHERE ");
    store_scope_sql(&q, a->scope, "h");
    if (status) {
        db_sql_add(&q, " AND h.status = ?");
        db_sql_text(&q, status);
    }
    db_sql_add(&q, " ORDER BY h.log10_lr DESC, h.id");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    kin_hit_rec h;
    while ((rc = db_step(st, err)) == DB_ROW) {
        hit_of(st, &h);
        if ((rc = cb(&h, ctx, err))) break;
    }
    if (rc == DB_DONE) rc = PU_OK;
    db_finalize(st);
    return rc;
}

int kin_hit_get(db_t *db, const kin_actor *a, int64_t id, kin_hit_rec *out, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT " HIT_COLS " FROM kin_hit h WHERE h.id = ? AND ");
    db_sql_int64(&q, id);
    store_scope_sql(&q, a->scope, "h");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        hit_of(st, out);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        char w[32];
        snprintf(w, sizeof w, "hit %lld", (long long)id);
        rc = pu_fail(err, PU_ERR_NOTFOUND, w, "hit", "no such hit (or not visible to you)");
    }
    db_finalize(st);
    return rc;
}

/* ---- four eyes ---- */

static int hit_for_change(db_t *db, const kin_actor *a, int64_t id, const char *want_status, kin_hit_rec *h,
                          pu_err *err) {
    int rc = kin_hit_get(db, a, id, h, err);
    if (!rc) rc = store_check_owner(db, a->scope, h->owner, err);
    if (rc) return rc;
    if (!a->user || !*a->user)
        return pu_fail(err, PU_ERR_DENIED, NULL, "user", "a review is signed by a named user");
    if (strcmp(h->status, want_status) != 0) {
        char w[32];
        snprintf(w, sizeof w, "hit %lld", (long long)id);
        return pu_fail(err, PU_ERR_CONFLICT, w, "status", "the hit is %s; this step needs a %s hit", h->status,
                       want_status);
    }
    return PU_OK;
}

int kin_hit_review(db_t *db, const kin_actor *a, int64_t id, const char *note, pu_err *err) {
    kin_hit_rec h;
    int rc = hit_for_change(db, a, id, "candidate", &h, err);
    if (rc) return rc;
    char day[11], ids[24];
    kcs_today(a, day);
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    if ((rc = db_begin(db, err))) return rc;
    const char *vals[] = {a->user, day, note ? note : "", ids};
    rc = kcs_exec(db, "UPDATE kin_hit SET status = 'reviewed', reviewed_by = ?, reviewed_day = ?, note = ?"
                      " WHERE id = CAST(? AS INTEGER) AND status = 'candidate'", 4, vals, err);
    if (!rc) rc = kcs_hit_event(db, id, "review", a->user, day, note, err);
    if (!rc) rc = db_commit(db, err);
    else db_rollback(db);
    return rc;
}

/* Confirm or exclude: a reviewed hit, by a user other than its reviewer. */
static int decide(db_t *db, const kin_actor *a, int64_t id, const char *to, double prior, const char *note,
                  pu_err *err) {
    kin_hit_rec h;
    int rc = hit_for_change(db, a, id, "reviewed", &h, err);
    if (rc) return rc;
    if (!strcmp(h.reviewed_by, a->user))
        return pu_fail(err, PU_ERR_DENIED, NULL, "user",
                       "four eyes: %s reviewed this hit and cannot also decide it; a second geneticist must", a->user);
    char day[11], ids[24], pr[40] = "", po[40] = "";
    kcs_today(a, day);
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    if (!isnan(prior)) {
        /* posterior odds = LR x prior odds */
        double post = h.lr * prior / (h.lr * prior + (1 - prior));
        snprintf(pr, sizeof pr, "%.17g", prior);
        snprintf(po, sizeof po, "%.17g", post);
    }
    if ((rc = db_begin(db, err))) return rc;
    const char *vals[] = {to, a->user, day, *pr ? pr : NULL, *po ? po : NULL, ids};
    rc = kcs_exec(db, "UPDATE kin_hit SET status = ?, decided_by = ?, decided_day = ?, prior = CAST(? AS DOUBLE PRECISION),"
                      " posterior = CAST(? AS DOUBLE PRECISION) WHERE id = CAST(? AS INTEGER) AND status = 'reviewed'", 6, vals,
                  err);
    if (!rc) rc = kcs_hit_event(db, id, !strcmp(to, "confirmed") ? "confirm" : "exclude", a->user, day, note, err);
    if (!rc) rc = db_commit(db, err);
    else db_rollback(db);
    return rc;
}

int kin_hit_confirm(db_t *db, const kin_actor *a, int64_t id, double prior, const char *note, pu_err *err) {
    if (!(prior > 0 && prior < 1))
        return pu_fail(err, PU_ERR_INVALID, NULL, "prior",
                       "state the prior probability used, a number in (0, 1) (e.g. 1/number of missing persons "
                       "the remains could be), got %g", prior);
    return decide(db, a, id, "confirmed", prior, note, err);
}

int kin_hit_exclude(db_t *db, const kin_actor *a, int64_t id, const char *note, pu_err *err) {
    return decide(db, a, id, "excluded", NAN, note, err);
}

/* ---- report ---- */

typedef struct rep_ctx {
    char site[256], grave[256], lab[256], kit[128], quality[128], state[16], missing_name[256], disappeared[64];
    char refs[2048];       /* "relation (person)" of the references with consent */
} rep_ctx;

static int rep_context(db_t *db, const kin_actor *a, const kin_hit_rec *h, rep_ctx *r, pu_err *err) {
    memset(r, 0, sizeof *r);
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT p.site, p.grave, p.lab, p.kit, p.quality, c.state_code FROM kin_pm p"
                   " JOIN kin_case c ON c.id = p.case_id WHERE p.id = ? AND ");
    db_sql_text(&q, h->pm);
    store_scope_sql(&q, a->scope, "p");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    if ((rc = db_step(st, err)) == DB_ROW) {
        pu_strlcpy(r->site, db_col_text(st, 0), sizeof r->site);
        pu_strlcpy(r->grave, db_col_text(st, 1), sizeof r->grave);
        pu_strlcpy(r->lab, db_col_text(st, 2), sizeof r->lab);
        pu_strlcpy(r->kit, db_col_text(st, 3), sizeof r->kit);
        pu_strlcpy(r->quality, db_col_text(st, 4), sizeof r->quality);
        pu_strlcpy(r->state, db_col_text(st, 5), sizeof r->state);
    }
    db_finalize(st);
    if (rc != DB_ROW && rc != DB_DONE) return rc;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT f.missing_name, f.disappeared FROM kin_family f WHERE f.id = ? AND ");
    db_sql_text(&q, h->family);
    store_scope_sql(&q, a->scope, "f");
    if ((rc = db_sql_prepare(db, &q, &st, err))) {
        db_sql_free(&q);
        return rc;
    }
    db_sql_free(&q);
    if ((rc = db_step(st, err)) == DB_ROW) {
        pu_strlcpy(r->missing_name, db_col_text(st, 0), sizeof r->missing_name);
        pu_strlcpy(r->disappeared, db_col_text(st, 1), sizeof r->disappeared);
    }
    db_finalize(st);
    if (rc != DB_ROW && rc != DB_DONE) return rc;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.relation, r.person FROM kin_ref r WHERE r.family_id = ? AND r.consent = 'given' AND ");
    db_sql_text(&q, h->family);
    store_scope_sql(&q, a->scope, "r");
    db_sql_add(&q, " ORDER BY r.id");
    if ((rc = db_sql_prepare(db, &q, &st, err))) {
        db_sql_free(&q);
        return rc;
    }
    db_sql_free(&q);
    size_t at = 0;
    while ((rc = db_step(st, err)) == DB_ROW && at + 1 < sizeof r->refs) {
        int k = snprintf(r->refs + at, sizeof r->refs - at, "%s%s (%s)", at ? ", " : "",
                         *db_col_text(st, 0) ? db_col_text(st, 0) : "-", db_col_text(st, 1));
        if (k < 0) break;
        at += (size_t)k;
        if (at >= sizeof r->refs) at = sizeof r->refs - 1;
    }
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

/* Escape for HTML (the report's values come from users' input). */
static void put_esc(FILE *o, const char *s, int html) {
    if (!html) {
        fputs(s, o);
        return;
    }
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", o); break;
        case '>': fputs("&gt;", o); break;
        case '&': fputs("&amp;", o); break;
        case '"': fputs("&quot;", o); break;
        default: fputc(*s, o);
        }
    }
}

static void row(FILE *o, int html, const char *label, const char *value) {
    if (html) {
        fputs("<tr><th>", o);
        put_esc(o, label, 1);
        fputs("</th><td>", o);
        put_esc(o, value, 1);
        fputs("</td></tr>\n", o);
    } else {
        /* pad by characters, not bytes: the Spanish labels have accents */
        int chars = 0;
        for (const char *p = label; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
        fprintf(o, "  %s%*s %s\n", label, chars < REPORT_LABEL_WIDTH ? REPORT_LABEL_WIDTH - chars : 0, "", value);
    }
}

static const char *status_text(i18n_lang L, const char *status) {
    if (!strcmp(status, "confirmed")) return i18n_tr(L, "confirmed identification");
    if (!strcmp(status, "excluded")) return i18n_tr(L, "excluded");
    if (!strcmp(status, "reviewed")) return i18n_tr(L, "reviewed");
    if (!strcmp(status, "superseded")) return i18n_tr(L, "superseded");
    return i18n_tr(L, "candidate");
}

static void report_markers(FILE *o, int html, i18n_lang L, const char *markers) {
    if (html) fprintf(o, "<h2>%s</h2>\n<table class=\"markers\">\n<tr><th>%s</th><th>LR</th></tr>\n",
                      i18n_tr(L, "Likelihood ratio per marker"), i18n_tr(L, "Marker"));
    else fprintf(o, "\n%s\n", i18n_tr(L, "Likelihood ratio per marker"));
    char *s = pu_strdup(markers), *save = NULL;
    for (char *t = s ? strtok_r(s, ";", &save) : NULL; t; t = strtok_r(NULL, ";", &save)) {
        char *c = strrchr(t, ':');
        if (!c) continue;
        *c = 0;
        double l10 = strtod(c + 1, NULL);
        char v[48];
        snprintf(v, sizeof v, "%.4g", pow(10, l10));
        if (html) {
            fputs("<tr><td>", o);
            put_esc(o, t, 1);
            fprintf(o, "</td><td>%s</td></tr>\n", v);
        } else {
            fprintf(o, "  %-34s %s\n", t, v);
        }
    }
    free(s);
    if (html) fputs("</table>\n", o);
}

int kin_hit_report(db_t *db, const kin_actor *a, int64_t id, const char *lang, int html, FILE *out, pu_err *err) {
    i18n_lang L;
    int rc = i18n_lang_parse(lang ? lang : "en", &L, err);
    kin_hit_rec h;
    if (!rc) rc = kin_hit_get(db, a, id, &h, err);
    if (rc) return rc;
    if (strcmp(h.status, "confirmed") != 0 && strcmp(h.status, "excluded") != 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "status",
                       "a report is made only after the four-eyes decision (the hit is %s)", h.status);
    rep_ctx r;
    if ((rc = rep_context(db, a, &h, &r, err))) return rc;
    const char *title = i18n_tr(L, "Human identification report");
    if (html)
        fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s</title></head>"
                     "<body>\n<h1>%s</h1>\n<table>\n", L == I18N_ES ? "es" : "en", title, title);
    else
        fprintf(out, "%s\n\n", title);
    char v[2048];
    snprintf(v, sizeof v, "%lld", (long long)h.id);
    row(out, html, i18n_tr(L, "Hit"), v);
    row(out, html, i18n_tr(L, "Conclusion"), status_text(L, h.status));
    row(out, html, i18n_tr(L, "Case"), h.case_id);
    row(out, html, i18n_tr(L, "Remains (PM sample)"), h.pm);
    snprintf(v, sizeof v, "%s / %s / %s", r.site, r.grave, r.state);
    row(out, html, i18n_tr(L, "Site / grave / state"), v);
    snprintf(v, sizeof v, "%s / %s / %s", r.lab, r.kit, r.quality);
    row(out, html, i18n_tr(L, "Laboratory / kit / quality"), v);
    snprintf(v, sizeof v, "%s (%s, %s)", r.missing_name, h.family, h.missing);
    row(out, html, i18n_tr(L, "Missing person (family, pedigree id)"), v);
    row(out, html, i18n_tr(L, "Disappeared"), r.disappeared);
    row(out, html, i18n_tr(L, "Reference relatives (with consent)"), r.refs);
    snprintf(v, sizeof v, "%.6g", h.lr);
    row(out, html, i18n_tr(L, "Likelihood ratio (LR)"), v);
    if (!isnan(h.prior)) {
        snprintf(v, sizeof v, "%.6g", h.prior);
        row(out, html, i18n_tr(L, "Prior probability"), v);
        snprintf(v, sizeof v, "%.10g", h.posterior);
        row(out, html, i18n_tr(L, "Posterior probability"), v);
    }
    snprintf(v, sizeof v, "%d", h.excluded);
    row(out, html, i18n_tr(L, "Markers with a Mendelian inconsistency"), v);
    snprintf(v, sizeof v, "%s v%d", h.freqdb, h.freqdb_version);
    row(out, html, i18n_tr(L, "Allele frequency database"), v);
    row(out, html, i18n_tr(L, "Model"), h.model);
    if (*h.dropout) row(out, html, i18n_tr(L, "Dropout/drop-in used (* = every marker)"), h.dropout);
    snprintf(v, sizeof v, "%s (%s)", h.reviewed_by, h.reviewed_day);
    row(out, html, i18n_tr(L, "Reviewed by"), v);
    snprintf(v, sizeof v, "%s (%s)", h.decided_by, h.decided_day);
    row(out, html, i18n_tr(L, "Decided by"), v);
    if (html) fputs("</table>\n", out);
    report_markers(out, html, L, h.markers);
    const char *foot = i18n_tr(L, "The reference profiles were given for identification only and may not be used "
                                  "for any other purpose.");
    if (html) fprintf(out, "<p>%s</p>\n</body></html>\n", foot);
    else fprintf(out, "\n%s\n", foot);
    return PU_OK;
}

/* ---- export for Familias users ---- */

int kin_hit_export_familias(db_t *db, const kin_actor *a, int64_t id, FILE *out, pu_err *err) {
    kin_hit_rec h;
    int rc = kin_hit_get(db, a, id, &h, err);
    if (rc) return rc;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT f.pedigree FROM kin_family f WHERE f.id = ? AND ");
    db_sql_text(&q, h.family);
    store_scope_sql(&q, a->scope, "f");
    db_stmt *st;
    if ((rc = db_sql_prepare(db, &q, &st, err))) {
        db_sql_free(&q);
        return rc;
    }
    db_sql_free(&q);
    fprintf(out, "# Puente kinship hit %lld: %s as %s of family %s\n", (long long)h.id, h.pm, h.missing, h.family);
    fprintf(out, "# Familias terms: H1 = the pedigree with %s as the missing person; H2 = %s unrelated\n", h.pm, h.pm);
    fprintf(out, "# Frequency database %s v%d; model: %s\n", h.freqdb, h.freqdb_version, h.model);
    if (*h.dropout) fprintf(out, "# Dropout/drop-in of %s (Familias 'dropout' per marker; * = every marker): %s\n", h.pm, h.dropout);
    fputs("[Persons]\nid,sex,father,mother,role\n", out);
    if ((rc = db_step(st, err)) == DB_ROW) {
        const char *p = db_col_text(st, 0);
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t l = nl ? (size_t)(nl - p) : strlen(p);
            /* stored as id,fid,mid,sex,role: Familias lists id, sex, father, mother */
            char line[1024];
            pu_strlcpy(line, p, l + 1 < sizeof line ? l + 1 : sizeof line);
            char *f[5] = {0};
            char *save = NULL, *t = strtok_r(line, ",", &save);
            for (int i = 0; i < 5 && t; i++, t = strtok_r(NULL, ",", &save)) f[i] = t;
            if (f[4]) fprintf(out, "%s,%s,%s,%s,%s\n", f[0], !strcmp(f[3], "1") ? "male" : !strcmp(f[3], "2") ? "female" : "unknown",
                              !strcmp(f[1], "0") ? "" : f[1], !strcmp(f[2], "0") ? "" : f[2],
                              !strcmp(f[4], "missing") ? "unknown (H1: the PM sample)" : f[4]);
            p += l + (nl ? 1 : 0);
        }
    }
    db_finalize(st);
    if (rc != DB_ROW && rc != DB_DONE) return rc;
    fputs("[Per-marker LR]\nmarker,lr,log10_lr\n", out);
    char *s = pu_strdup(h.markers), *save = NULL;
    for (char *t = s ? strtok_r(s, ";", &save) : NULL; t; t = strtok_r(NULL, ";", &save)) {
        char *c = strrchr(t, ':');
        if (!c) continue;
        *c = 0;
        double l10 = strtod(c + 1, NULL);
        fprintf(out, "%s,%.10g,%.6f\n", t, pow(10, l10), l10);
    }
    free(s);
    fprintf(out, "[Total]\nlr,%.10g\n", h.lr);
    return PU_OK;
}

/* ---- named counts ---- */

static int emit(db_t *db, const char *sql, const store_scope *scope, const char *alias, const char *name,
                pu_count_cb cb, void *ctx, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, sql);
    store_scope_sql(&q, scope, alias);
    db_sql_add(&q, " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        const char *day = db_col_text(st, 0);
        char cc[3] = {0};
        pu_strlcpy(cc, db_col_text(st, 1), sizeof cc);
        pu_count_row r = {.name = name, .year = atoi(day), .month = (int)strtol(day + 5, NULL, 10), .country = cc,
                          .state = db_col_text(st, 1), .agency = db_col_text(st, 2),
                          .value = (double)db_col_int64(st, 3)};
        if ((rc = cb(&r, ctx, err))) break;
    }
    if (rc == DB_DONE) rc = PU_OK;
    db_finalize(st);
    return rc;
}

int kin_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    /* the finest cell: month, state, agency (the month is the day's first 7 characters) */
    int rc = emit(db,
                  "SELECT substr(p.created, 1, 7), c.state_code, p.owner, count(*) FROM kin_pm p"
                  " JOIN kin_case c ON c.id = p.case_id WHERE ", scope, "p", "kinship.pm_samples", cb, ctx, err);
    if (!rc)
        rc = emit(db,
                  "SELECT substr(r.created, 1, 7), c.state_code, r.owner, count(*) FROM kin_ref r"
                  " JOIN kin_family f ON f.id = r.family_id JOIN kin_case c ON c.id = f.case_id"
                  " WHERE r.consent = 'given' AND ", scope, "r", "kinship.family_references", cb, ctx, err);
    if (!rc)
        rc = emit(db,
                  "SELECT substr(h.decided_day, 1, 7), h.state_code, h.owner, count(*) FROM kin_hit h"
                  " WHERE h.status = 'confirmed' AND ", scope, "h", "kinship.identifications", cb, ctx, err);
    return rc;
}
