/* cargo_store.c - cargo tables: versions of watchlist and rules, queue,
 * dispositions, statistics (portable SQL through db/db.h). */
#include "cargo/cargo_engine.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static const char *const MIGRATIONS[] = {
    /* v1 */
    "CREATE TABLE cargo_watchlist_version (version {INT} PRIMARY KEY, created TEXT NOT NULL,"
    " owner TEXT NOT NULL, marking TEXT NOT NULL, author TEXT, note TEXT, nrows {INT} NOT NULL);"
    "CREATE TABLE cargo_chemical (version {INT} NOT NULL REFERENCES cargo_watchlist_version(version),"
    " pos {INT} NOT NULL, id TEXT NOT NULL, name_en TEXT NOT NULL, name_es TEXT, synonyms_en TEXT,"
    " synonyms_es TEXT, code_names TEXT, cas TEXT, hs_codes TEXT, incb TEXT, dea TEXT, mexico TEXT,"
    " tier TEXT NOT NULL, threshold_kg {REAL}, exclude TEXT, notes TEXT, source TEXT,"
    " PRIMARY KEY (version, id));"
    "CREATE TABLE cargo_rules_version (version {INT} PRIMARY KEY, created TEXT NOT NULL,"
    " owner TEXT NOT NULL, marking TEXT NOT NULL, author TEXT, note TEXT, nrows {INT} NOT NULL);"
    "CREATE TABLE cargo_rule (version {INT} NOT NULL REFERENCES cargo_rules_version(version),"
    " id TEXT NOT NULL, weight {REAL} NOT NULL, enabled {BOOL} NOT NULL, params TEXT, explanation TEXT,"
    " PRIMARY KEY (version, id));"
    "CREATE TABLE cargo_batch (id {ID}, created TEXT NOT NULL, source TEXT,"
    " nlines {INT} NOT NULL, nrejected {INT} NOT NULL, watchlist_version {INT},"
    " rules_version {INT}, parties_screened {BOOL} NOT NULL, owner TEXT NOT NULL,"
    " marking TEXT NOT NULL, author TEXT);"
    "CREATE TABLE cargo_shipment (id {ID}, batch_id {INT} NOT NULL REFERENCES cargo_batch(id),"
    " line {INT}, awb TEXT NOT NULL, hawb TEXT NOT NULL, shipper_name TEXT, shipper_address TEXT,"
    " shipper_country TEXT, consignee_name TEXT, consignee_address TEXT, consignee_country TEXT,"
    " notify_name TEXT, notify_address TEXT, description TEXT, hs_code TEXT, pieces {INT},"
    " weight_kg {REAL}, value_usd {REAL}, origin TEXT, origin_country TEXT, transshipment TEXT,"
    " destination TEXT, destination_country TEXT, carrier TEXT, forwarder TEXT, departure_date TEXT,"
    " arrival_date TEXT, day {INT}, shipper_key {INT}, consignee_key {INT}, address_key {INT},"
    " score {REAL} NOT NULL, decision TEXT NOT NULL, fired {INT} NOT NULL, reasons TEXT, chemicals TEXT,"
    " parties TEXT, owner TEXT NOT NULL, marking TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,"
    " UNIQUE (awb, hawb, owner));"
    "CREATE INDEX cargo_shipment_queue ON cargo_shipment (decision, score);"
    "CREATE INDEX cargo_shipment_consignee ON cargo_shipment (consignee_key);"
    "CREATE INDEX cargo_shipment_day ON cargo_shipment (day);"
    "CREATE TABLE cargo_disposition (id {ID},"
    " shipment_id {INT} NOT NULL REFERENCES cargo_shipment(id), outcome TEXT NOT NULL, note TEXT,"
    " author TEXT, owner TEXT NOT NULL, marking TEXT NOT NULL, created TEXT NOT NULL);"
    "CREATE INDEX cargo_disposition_shipment ON cargo_disposition (shipment_id);",
};

int cargo_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "cargo", MIGRATIONS, (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]), err);
}

int cargo_stamp_valid(const cargo_stamp *s, pu_err *err) { return cargo_stamp_check(s, err); }

int cargo_stamp_check(const cargo_stamp *s, pu_err *err) {
    if (!s || !s->owner || pu_blank(s->owner))
        return pu_fail(err, PU_ERR_INVALID, NULL, "owner", "every cargo record needs an owner agency (--owner or $PUENTE_AGENCY)");
    if (!s->marking || !store_marking_valid(s->marking))
        return pu_fail(err, PU_ERR_INVALID, NULL, "marking",
                       "expected PUBLIC, SHARED, US-ONLY, MX-ONLY or AGENCY-ONLY, got '%s'", s->marking ? s->marking : "");
    return PU_OK;
}

/* Visibility of a cargo record: the store's rule (store_visible). */
int cargo_visible(const cargo_scope *scope, const char *owner, const char *marking) {
    if (!scope) return 1;
    store_scope s = {0, scope->country, scope->agency};
    return store_visible(&s, owner, marking);
}

static int visible(const cargo_scope *scope, const char *owner, const char *marking) {
    return cargo_visible(scope, owner, marking);
}

/* ---- versions ---------------------------------------------------------------- */

static int insert_version(db_t *db, const char *table, const cargo_stamp *st, int64_t nrows, int *version, pu_err *err) {
    char sql[256], now[32];
    pu_now_iso(now, sizeof now);
    int64_t maxv = 0;
    snprintf(sql, sizeof sql, "SELECT COALESCE(MAX(version), 0) FROM %s", table);
    int rc = db_query_int64(db, sql, NULL, &maxv, err);
    if (rc) return rc;
    snprintf(sql, sizeof sql, "INSERT INTO %s (version, created, owner, marking, author, note, nrows) VALUES (?,?,?,?,?,?,?)", table);
    db_stmt *s;
    if ((rc = db_prepare(db, sql, &s, err))) return rc;
    db_bind_int64(s, 1, maxv + 1);
    db_bind_text(s, 2, now, -1);
    db_bind_text(s, 3, st->owner, -1);
    db_bind_text(s, 4, st->marking, -1);
    db_bind_text(s, 5, st->author ? st->author : "", -1);
    db_bind_text(s, 6, st->note ? st->note : "", -1);
    db_bind_int64(s, 7, nrows);
    rc = db_step_done(s, err);
    db_finalize(s);
    *version = (int)(maxv + 1);
    return rc;
}

int cargo_watchlist_save(db_t *db, cargo_watchlist *w, const cargo_stamp *stamp, pu_err *err) {
    int rc = cargo_stamp_check(stamp, err);
    if (rc || (rc = cargo_migrate(db, err)) || (rc = db_begin(db, err))) return rc;
    int version = 0;
    db_stmt *s = NULL;
    rc = insert_version(db, "cargo_watchlist_version", stamp, (int64_t)w->n, &version, err);
    if (!rc)
        rc = db_prepare(db, "INSERT INTO cargo_chemical (version, pos, id, name_en, name_es, synonyms_en, synonyms_es,"
                            " code_names, cas, hs_codes, incb, dea, mexico, tier, threshold_kg, exclude, notes, source)"
                            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &s, err);
    for (size_t i = 0; !rc && i < w->n; i++) {
        const cargo_chemical *c = &w->chem[i];
        const char *t[] = {c->id, c->name_en, c->name_es, c->synonyms_en, c->synonyms_es, c->code_names,
                           c->cas, c->hs_codes, c->incb, c->dea, c->mexico, c->tier};
        db_bind_int64(s, 1, version);
        db_bind_int64(s, 2, (int64_t)i);
        for (int k = 0; k < 12; k++) db_bind_text(s, 3 + k, t[k], -1);
        db_bind_double(s, 15, c->threshold_kg);
        db_bind_text(s, 16, c->exclude, -1);
        db_bind_text(s, 17, c->notes, -1);
        db_bind_text(s, 18, c->source, -1);
        rc = db_step_done(s, err);
        db_reset(s);
    }
    db_finalize(s);
    if (!rc) rc = db_commit(db, err);
    if (rc) { db_rollback(db); return rc; }
    w->version = version;
    return PU_OK;
}

static int latest(db_t *db, const char *table, int *version, pu_err *err) {
    char sql[128];
    int64_t v = 0;
    snprintf(sql, sizeof sql, "SELECT COALESCE(MAX(version), 0) FROM %s", table);
    int rc = db_query_int64(db, sql, NULL, &v, err);
    *version = (int)v;
    return rc;
}

static char *dup_col(db_stmt *s, int col) { return pu_strdup(db_col_text(s, col)); }

int cargo_watchlist_load(db_t *db, int version, cargo_watchlist **out, pu_err *err) {
    *out = NULL;
    int rc = cargo_migrate(db, err);
    if (rc) return rc;
    int v = version;
    if (!v && (rc = latest(db, "cargo_watchlist_version", &v, err))) return rc;
    if (!v) {
        if (version) return pu_fail(err, PU_ERR_NOTFOUND, db_path(db), "version", "no watchlist version %d", version);
        return cargo_watchlist_default(out, err);
    }
    db_stmt *s;
    if ((rc = db_prepare(db, "SELECT id, name_en, name_es, synonyms_en, synonyms_es, code_names, cas, hs_codes,"
                             " incb, dea, mexico, tier, threshold_kg, exclude, notes, source FROM cargo_chemical"
                             " WHERE version = ? ORDER BY pos", &s, err)))
        return rc;
    db_bind_int64(s, 1, v);
    cargo_watchlist *w = calloc(1, sizeof *w);
    if (!w) { db_finalize(s); return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); }
    w->version = v;
    int st;
    while ((st = db_step(s, err)) == DB_ROW) {
        cargo_chemical *nc = realloc(w->chem, (w->n + 1) * sizeof *nc);
        if (!nc) { st = PU_ERR_NOMEM; break; }
        w->chem = nc;
        cargo_chemical *c = &w->chem[w->n++];
        memset(c, 0, sizeof *c);
        char **f[] = {&c->id, &c->name_en, &c->name_es, &c->synonyms_en, &c->synonyms_es, &c->code_names,
                      &c->cas, &c->hs_codes, &c->incb, &c->dea, &c->mexico, &c->tier};
        for (int k = 0; k < 12; k++) *f[k] = dup_col(s, k);
        c->threshold_kg = db_col_double(s, 12);
        c->exclude = dup_col(s, 13);
        c->notes = dup_col(s, 14);
        c->source = dup_col(s, 15);
    }
    db_finalize(s);
    if (st != DB_DONE) {
        cargo_watchlist_free(w);
        return st == PU_ERR_NOMEM ? pu_fail(err, st, NULL, NULL, "out of memory") : st;
    }
    if (!w->n) {
        cargo_watchlist_free(w);
        return pu_fail(err, PU_ERR_NOTFOUND, db_path(db), "version", "no watchlist version %d", v);
    }
    *out = w;
    return PU_OK;
}

int cargo_rules_save(db_t *db, cargo_rules *r, const cargo_stamp *stamp, pu_err *err) {
    int rc = cargo_stamp_check(stamp, err);
    if (rc || (rc = cargo_migrate(db, err)) || (rc = db_begin(db, err))) return rc;
    int version = 0;
    db_stmt *s = NULL;
    rc = insert_version(db, "cargo_rules_version", stamp, CARGO_NRULES, &version, err);
    if (!rc)
        rc = db_prepare(db, "INSERT INTO cargo_rule (version, id, weight, enabled, params, explanation)"
                            " VALUES (?,?,?,?,?,?)", &s, err);
    for (int i = 0; !rc && i < CARGO_NRULES; i++) {
        db_bind_int64(s, 1, version);
        db_bind_text(s, 2, cargo_rule_name(i), -1);
        db_bind_double(s, 3, r->rule[i].weight);
        db_bind_int64(s, 4, r->rule[i].enabled);
        db_bind_text(s, 5, r->rule[i].params, -1);
        db_bind_text(s, 6, r->rule[i].explanation, -1);
        rc = db_step_done(s, err);
        db_reset(s);
    }
    db_finalize(s);
    if (!rc) rc = db_commit(db, err);
    if (rc) { db_rollback(db); return rc; }
    r->version = version;
    return PU_OK;
}

int cargo_rules_load(db_t *db, int version, cargo_rules **out, pu_err *err) {
    *out = NULL;
    int rc = cargo_migrate(db, err);
    if (rc) return rc;
    int v = version;
    if (!v && (rc = latest(db, "cargo_rules_version", &v, err))) return rc;
    if (!v) {
        if (version) return pu_fail(err, PU_ERR_NOTFOUND, db_path(db), "version", "no rules version %d", version);
        return cargo_rules_default(out, err);
    }
    db_stmt *s;
    if ((rc = db_prepare(db, "SELECT id, weight, enabled, params, explanation FROM cargo_rule WHERE version = ?", &s, err)))
        return rc;
    db_bind_int64(s, 1, v);
    cargo_rules *r = calloc(1, sizeof *r);
    if (!r) { db_finalize(s); return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); }
    r->version = v;
    int st, n = 0;
    while ((st = db_step(s, err)) == DB_ROW) {
        int id = cargo_rule_lookup(db_col_text(s, 0));
        if (id < 0) continue; /* a rule this binary no longer knows */
        r->rule[id].weight = db_col_double(s, 1);
        r->rule[id].enabled = (int)db_col_int64(s, 2);
        free(r->rule[id].params);
        free(r->rule[id].explanation);
        r->rule[id].params = dup_col(s, 3);
        r->rule[id].explanation = dup_col(s, 4);
        n++;
    }
    db_finalize(s);
    if (st != DB_DONE) { cargo_rules_free(r); return st; }
    for (int i = 0; i < CARGO_NRULES; i++)
        if (!r->rule[i].params) {
            /* stored by an older binary: take the bundled default for this rule */
            cargo_rules *d;
            if ((rc = cargo_rules_default(&d, err))) { cargo_rules_free(r); return rc; }
            r->rule[i] = d->rule[i];
            d->rule[i].params = d->rule[i].explanation = NULL;
            cargo_rules_free(d);
        }
    if (!n) {
        cargo_rules_free(r);
        return pu_fail(err, PU_ERR_NOTFOUND, db_path(db), "version", "no rules version %d", v);
    }
    *out = r;
    return PU_OK;
}

int cargo_versions(db_t *db, const char *kind, cargo_version_info **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    const char *sql;
    if (strcmp(kind, "watchlist") == 0)
        sql = "SELECT version, created, owner, marking, author, note, nrows FROM cargo_watchlist_version ORDER BY version DESC";
    else if (strcmp(kind, "rules") == 0)
        sql = "SELECT version, created, owner, marking, author, note, nrows FROM cargo_rules_version ORDER BY version DESC";
    else
        return pu_fail(err, PU_ERR_INVALID, NULL, "kind", "expected watchlist or rules, got '%s'", kind);
    int rc = cargo_migrate(db, err);
    db_stmt *s;
    if (rc || (rc = db_prepare(db, sql, &s, err))) return rc;
    cargo_version_info *v = NULL;
    size_t k = 0;
    int st;
    while ((st = db_step(s, err)) == DB_ROW) {
        cargo_version_info *nv = realloc(v, (k + 1) * sizeof *nv);
        if (!nv) { st = PU_ERR_NOMEM; break; }
        v = nv;
        cargo_version_info *i = &v[k++];
        memset(i, 0, sizeof *i);
        i->version = (int)db_col_int64(s, 0);
        pu_strlcpy(i->created, db_col_text(s, 1), sizeof i->created);
        pu_strlcpy(i->owner, db_col_text(s, 2), sizeof i->owner);
        pu_strlcpy(i->marking, db_col_text(s, 3), sizeof i->marking);
        pu_strlcpy(i->author, db_col_text(s, 4), sizeof i->author);
        pu_strlcpy(i->note, db_col_text(s, 5), sizeof i->note);
        i->rows = db_col_int64(s, 6);
    }
    db_finalize(s);
    if (st != DB_DONE) { free(v); return st == PU_ERR_NOMEM ? pu_fail(err, st, NULL, NULL, "out of memory") : st; }
    *out = v;
    *n = k;
    return PU_OK;
}

/* ---- queue ----------------------------------------------------------------------- */

#define LAST_OUTCOME "(SELECT d.outcome FROM cargo_disposition d WHERE d.shipment_id = s.id ORDER BY d.id DESC LIMIT 1)"

int cargo_queue(db_t *db, const cargo_scope *scope, const cargo_queue_opts *o, cargo_queue_cb cb,
                void *ctx, pu_err *err) {
    cargo_queue_opts def = {0};
    if (!o) o = &def;
    if (o->decision && strcmp(o->decision, "hold") && strcmp(o->decision, "review") && strcmp(o->decision, "release"))
        return pu_fail(err, PU_ERR_INVALID, NULL, "decision", "expected hold, review or release, got '%s'", o->decision);
    int rc = cargo_migrate(db, err);
    if (rc) return rc;
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT s.id, s.awb, s.hawb, s.score, s.decision, s.reasons, s.chemicals, s.parties, s.shipper_name,"
             " s.consignee_name, s.arrival_date, COALESCE(" LAST_OUTCOME ", ''), s.owner, s.marking"
             " FROM cargo_shipment s WHERE %s ORDER BY s.score DESC, s.id",
             o->decision ? "s.decision = ?" : "s.decision IN ('hold', 'review')");
    db_stmt *s;
    if ((rc = db_prepare(db, sql, &s, err))) return rc;
    if (o->decision) db_bind_text(s, 1, o->decision, -1);
    int64_t shown = 0;
    int st;
    while ((st = db_step(s, err)) == DB_ROW) {
        cargo_queue_row r;
        r.owner = db_col_text(s, 12);
        r.marking = db_col_text(s, 13);
        if (!visible(scope, r.owner, r.marking)) continue;
        r.disposition = db_col_text(s, 11);
        if (*r.disposition && !o->include_disposed) continue;
        r.id = db_col_int64(s, 0);
        r.awb = db_col_text(s, 1);
        r.hawb = db_col_text(s, 2);
        r.score = db_col_double(s, 3);
        r.decision = db_col_text(s, 4);
        r.reasons = db_col_text(s, 5);
        r.chemicals = db_col_text(s, 6);
        r.parties = db_col_text(s, 7);
        r.shipper = db_col_text(s, 8);
        r.consignee = db_col_text(s, 9);
        r.arrival_date = db_col_text(s, 10);
        if (cb(&r, ctx)) break;
        if (o->limit && ++shown >= o->limit) break;
    }
    db_finalize(s);
    return st == DB_ROW || st == DB_DONE ? PU_OK : st;
}

/* ---- dispositions ------------------------------------------------------------------- */

int cargo_outcome_valid(const char *o) {
    return o && (!strcmp(o, "released") || !strcmp(o, "held") || !strcmp(o, "inspected_found") ||
                 !strcmp(o, "inspected_not_found"));
}

int cargo_dispose(db_t *db, const cargo_scope *scope, const char *awb, const char *hawb,
                  const char *outcome, const cargo_stamp *stamp, pu_err *err) {
    if (!cargo_outcome_valid(outcome))
        return pu_fail(err, PU_ERR_INVALID, NULL, "outcome", "expected one of %s, got '%s'", CARGO_OUTCOMES,
                       outcome ? outcome : "");
    int rc = cargo_stamp_check(stamp, err);
    if (rc || (rc = cargo_migrate(db, err))) return rc;
    db_stmt *s;
    if ((rc = db_prepare(db, "SELECT id, hawb, owner, marking FROM cargo_shipment WHERE awb = ? ORDER BY id", &s, err)))
        return rc;
    db_bind_text(s, 1, awb, -1);
    /* Each agency keeps its own record of an AWB; among the visible ones the
     * disposing agency's own record wins. */
    int64_t id = 0, matches = 0, own_id = 0, own = 0;
    int st;
    while ((st = db_step(s, err)) == DB_ROW) {
        if (!visible(scope, db_col_text(s, 2), db_col_text(s, 3))) continue;
        const char *h = db_col_text(s, 1);
        if (hawb && *hawb && strcmp(h, hawb) != 0) continue;
        matches++;
        id = db_col_int64(s, 0);
        if (strcmp(db_col_text(s, 2), stamp->owner) == 0) { own++; own_id = id; }
    }
    if (matches > 1 && own == 1) { matches = 1; id = own_id; }
    db_finalize(s);
    if (st != DB_DONE) return st;
    if (!matches)
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, "awb", "no screened shipment with AWB '%s'%s%s", awb,
                       hawb && *hawb ? " and HAWB " : "", hawb && *hawb ? hawb : "");
    if (matches > 1)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "hawb",
                       "AWB '%s' matches %lld screened shipments (house bills or agencies); give --hawb", awb,
                       (long long)matches);
    char now[32];
    pu_now_iso(now, sizeof now);
    if ((rc = db_begin(db, err))) return rc;
    rc = db_prepare(db, "INSERT INTO cargo_disposition (shipment_id, outcome, note, author, owner, marking, created)"
                        " VALUES (?,?,?,?,?,?,?)", &s, err);
    if (!rc) {
        db_bind_int64(s, 1, id);
        db_bind_text(s, 2, outcome, -1);
        db_bind_text(s, 3, stamp->note ? stamp->note : "", -1);
        db_bind_text(s, 4, stamp->author ? stamp->author : "", -1);
        db_bind_text(s, 5, stamp->owner, -1);
        db_bind_text(s, 6, stamp->marking, -1);
        db_bind_text(s, 7, now, -1);
        rc = db_step_done(s, err);
        db_finalize(s);
    }
    if (!rc) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    return rc;
}

/* ---- statistics ------------------------------------------------------------------------ */

enum { O_NONE, O_RELEASED, O_HELD, O_FOUND, O_NOTFOUND, O_N };
static const char *const ONAMES[O_N] = {"none", "released", "held", "inspected_found", "inspected_not_found"};

static int outcome_index(const char *o) {
    for (int i = 1; i < O_N; i++) if (strcmp(o, ONAMES[i]) == 0) return i;
    return O_NONE;
}

int cargo_stats_write(db_t *db, const cargo_scope *scope, int json, FILE *out, pu_err *err) {
    int rc = cargo_migrate(db, err);
    if (rc) return rc;
    db_stmt *s;
    if ((rc = db_prepare(db, "SELECT s.decision, s.fired, COALESCE(" LAST_OUTCOME ", ''), s.owner, s.marking"
                             " FROM cargo_shipment s", &s, err)))
        return rc;
    static const char *const DEC[3] = {"hold", "review", "release"};
    int64_t dec[3][O_N] = {{0}}, rule[CARGO_NRULES][O_N] = {{0}}, total = 0;
    int st;
    while ((st = db_step(s, err)) == DB_ROW) {
        if (!visible(scope, db_col_text(s, 3), db_col_text(s, 4))) continue;
        const char *d = db_col_text(s, 0);
        int di = !strcmp(d, "hold") ? 0 : !strcmp(d, "review") ? 1 : 2;
        int oi = outcome_index(db_col_text(s, 2));
        uint32_t fired = (uint32_t)db_col_int64(s, 1);
        dec[di][oi]++;
        total++;
        for (int r = 0; r < CARGO_NRULES; r++)
            if (fired & (1u << r)) rule[r][oi]++;
    }
    db_finalize(s);
    if (st != DB_DONE) return st;
    if (json) {
        fprintf(out, "{\"shipments\":%lld,\"decisions\":{", (long long)total);
        for (int d = 0; d < 3; d++) {
            fprintf(out, "%s\"%s\":{", d ? "," : "", DEC[d]);
            for (int o = 0; o < O_N; o++) fprintf(out, "%s\"%s\":%lld", o ? "," : "", ONAMES[o], (long long)dec[d][o]);
            fputc('}', out);
        }
        fputs("},\"rules\":{", out);
        int first = 1;
        for (int r = CARGO_CHEM_CONTROLLED; r < CARGO_NRULES; r++) {
            int64_t n = 0;
            for (int o = 0; o < O_N; o++) n += rule[r][o];
            fprintf(out, "%s\"%s\":{\"fired\":%lld", first ? "" : ",", cargo_rule_name(r), (long long)n);
            for (int o = 1; o < O_N; o++) fprintf(out, ",\"%s\":%lld", ONAMES[o], (long long)rule[r][o]);
            int64_t insp = rule[r][O_FOUND] + rule[r][O_NOTFOUND];
            if (insp) fprintf(out, ",\"hit_rate\":%.4f", (double)rule[r][O_FOUND] / (double)insp);
            else fputs(",\"hit_rate\":null", out);
            fputc('}', out);
            first = 0;
        }
        fputs("}}\n", out);
        return PU_OK;
    }
    fprintf(out, "shipments screened: %lld\n\n%-8s %8s %9s %6s %6s %10s %10s %9s\n", (long long)total, "decision",
            "total", "pending", "rel.", "held", "insp.found", "insp.none", "hit rate");
    for (int d = 0; d < 3; d++) {
        int64_t n = 0;
        for (int o = 0; o < O_N; o++) n += dec[d][o];
        int64_t insp = dec[d][O_FOUND] + dec[d][O_NOTFOUND];
        char hr[16] = "-";
        if (insp) snprintf(hr, sizeof hr, "%.1f%%", 100.0 * (double)dec[d][O_FOUND] / (double)insp);
        fprintf(out, "%-8s %8lld %9lld %6lld %6lld %10lld %10lld %9s\n", DEC[d], (long long)n, (long long)dec[d][O_NONE],
                (long long)dec[d][O_RELEASED], (long long)dec[d][O_HELD], (long long)dec[d][O_FOUND],
                (long long)dec[d][O_NOTFOUND], hr);
    }
    fprintf(out, "\n%-22s %8s %10s %10s %9s\n", "rule", "fired", "insp.found", "insp.none", "hit rate");
    for (int r = CARGO_CHEM_CONTROLLED; r < CARGO_NRULES; r++) {
        int64_t n = 0;
        for (int o = 0; o < O_N; o++) n += rule[r][o];
        int64_t insp = rule[r][O_FOUND] + rule[r][O_NOTFOUND];
        char hr[16] = "-";
        if (insp) snprintf(hr, sizeof hr, "%.1f%%", 100.0 * (double)rule[r][O_FOUND] / (double)insp);
        fprintf(out, "%-22s %8lld %10lld %10lld %9s\n", cargo_rule_name(r), (long long)n, (long long)rule[r][O_FOUND],
                (long long)rule[r][O_NOTFOUND], hr);
    }
    return PU_OK;
}
