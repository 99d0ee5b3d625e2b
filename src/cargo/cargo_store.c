/* cargo_store.c - cargo tables: versions of watchlist and rules, queue,
 * dispositions, statistics (portable SQL through db/db.h). */
#include "cargo/cargo_int.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

const char *cargo_stamp_marking(const cargo_stamp *s) {
    return s && s->marking && *s->marking ? s->marking : STORE_DEFAULT_MARKING;
}

int cargo_stamp_check(const store_scope *scope, const cargo_stamp *s, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "a cargo write needs the writer's scope");
    if (!s || !s->owner || pu_blank(s->owner))
        return pu_fail(err, PU_ERR_INVALID, NULL, "owner", "every cargo record needs an owner agency (--owner or $PUENTE_AGENCY)");
    store_marking m;
    int rc = store_marking_parse(cargo_stamp_marking(s), "marking", &m, err);
    if (!rc) rc = store_check_act_for(scope, s->owner, err);
    if (!rc) rc = store_check_file(scope, m, err);
    return rc;
}

/* Prepare q (freed here) on db. */
static int prepare(db_t *db, db_sql *q, db_stmt **st, pu_err *err) {
    int rc = db_sql_prepare(db, q, st, err);
    db_sql_free(q);
    return rc;
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
    db_bind_text(s, 4, cargo_stamp_marking(st), -1);
    db_bind_text(s, 5, st->author ? st->author : "", -1);
    db_bind_text(s, 6, st->note ? st->note : "", -1);
    db_bind_int64(s, 7, nrows);
    rc = db_step_done(s, err);
    db_finalize(s);
    *version = (int)(maxv + 1);
    return rc;
}

int cargo_watchlist_save(db_t *db, const store_scope *scope, cargo_watchlist *w, const cargo_stamp *stamp,
                         pu_err *err) {
    int rc = cargo_stamp_check(scope, stamp, err);
    if (rc || (rc = db_begin(db, err))) return rc;
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

/* The version to load: `version` when scope may see it (0 when it may not,
 * or when it does not exist), else the latest scope may see (0 = none). */
static int pick_version(db_t *db, const store_scope *scope, const char *table, int version, int *out, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_addf(&q, "SELECT COALESCE(MAX(v.version), 0) FROM %s v WHERE ", table);
    store_scope_sql(&q, scope, "v");
    if (version) {
        db_sql_add(&q, " AND v.version = ?");
        db_sql_int64(&q, version);
    }
    db_stmt *st;
    int rc = prepare(db, &q, &st, err);
    if (rc) return rc;
    int s = db_step(st, err);
    *out = s == DB_ROW ? (int)db_col_int64(st, 0) : 0;
    db_finalize(st);
    return s == DB_ROW ? PU_OK : s == DB_DONE ? pu_fail(err, PU_ERR_DB, NULL, NULL, "MAX returned no row") : s;
}

static char *dup_col(db_stmt *s, int col) { return pu_strdup(db_col_text(s, col)); }

int cargo_watchlist_load(db_t *db, const store_scope *scope, int version, cargo_watchlist **out, pu_err *err) {
    *out = NULL;
    int v = 0;
    int rc = pick_version(db, scope, "cargo_watchlist_version", version, &v, err);
    if (rc) return rc;
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

int cargo_rules_save(db_t *db, const store_scope *scope, cargo_rules *r, const cargo_stamp *stamp, pu_err *err) {
    int rc = cargo_stamp_check(scope, stamp, err);
    if (rc || (rc = db_begin(db, err))) return rc;
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

int cargo_rules_load(db_t *db, const store_scope *scope, int version, cargo_rules **out, pu_err *err) {
    *out = NULL;
    int v = 0;
    int rc = pick_version(db, scope, "cargo_rules_version", version, &v, err);
    if (rc) return rc;
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

int cargo_versions(db_t *db, const store_scope *scope, const char *kind, cargo_version_info **out, size_t *n,
                   pu_err *err) {
    *out = NULL;
    *n = 0;
    const char *table;
    if (strcmp(kind, "watchlist") == 0) table = "cargo_watchlist_version";
    else if (strcmp(kind, "rules") == 0) table = "cargo_rules_version";
    else return pu_fail(err, PU_ERR_INVALID, NULL, "kind", "expected watchlist or rules, got '%s'", kind);
    db_sql q;
    db_sql_init(&q);
    db_sql_addf(&q, "SELECT v.version, v.created, v.owner, v.marking, v.author, v.note, v.nrows FROM %s v WHERE ", table);
    store_scope_sql(&q, scope, "v");
    db_sql_add(&q, " ORDER BY v.version DESC");
    db_stmt *s;
    int rc = prepare(db, &q, &s, err);
    if (rc) return rc;
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

int cargo_versions_write(db_t *db, const store_scope *scope, const char *kind, FILE *out, pu_err *err) {
    cargo_version_info *v;
    size_t n;
    int rc = cargo_versions(db, scope, kind, &v, &n, err);
    if (rc) return rc;
    fprintf(out, "%-7s %-20s %-10s %-11s %6s  %s\n", "VERSION", "CREATED", "OWNER", "MARKING", "ROWS", "AUTHOR / NOTE");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%-7d %-20s %-10s %-11s %6lld  %s%s%s\n", v[i].version, v[i].created, v[i].owner, v[i].marking,
                (long long)v[i].rows, v[i].author, *v[i].author && *v[i].note ? " / " : "", v[i].note);
    if (!n) fputs(pu_tr("(no stored version: the bundled default is in use)\n"), out);
    free(v);
    return ferror(out) ? pu_fail(err, PU_ERR_IO, NULL, NULL, "write error") : PU_OK;
}

/* ---- queue ----------------------------------------------------------------------- */

/* FROM clause shared by the queue and the statistics: the lines scope may
 * see (alias s), each with the latest of its dispositions scope may see
 * (alias d; NULL columns when there is none). A disposition is a record
 * derived from its line: the reader must see both, so the condition is the
 * line's rule (WHERE) and the disposition's rule (inside the join). */
static void visible_lines(db_sql *q, const store_scope *scope) {
    db_sql_add(q, " FROM cargo_shipment s LEFT JOIN cargo_disposition d ON d.id ="
                  " (SELECT MAX(x.id) FROM cargo_disposition x WHERE x.shipment_id = s.id AND ");
    store_scope_sql(q, scope, "x");
    db_sql_add(q, ") WHERE ");
    store_scope_sql(q, scope, "s");
}

int cargo_queue(db_t *db, const store_scope *scope, const cargo_queue_opts *o, cargo_queue_cb cb,
                void *ctx, pu_err *err) {
    cargo_queue_opts def = {0};
    if (!o) o = &def;
    if (o->decision && strcmp(o->decision, "hold") && strcmp(o->decision, "review") && strcmp(o->decision, "release"))
        return pu_fail(err, PU_ERR_INVALID, NULL, "decision", "expected hold, review or release, got '%s'", o->decision);
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "the cargo queue needs the reader's scope");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT s.id, s.awb, s.hawb, s.score, s.decision, s.reasons, s.chemicals, s.parties, s.shipper_name,"
                   " s.consignee_name, s.arrival_date, s.owner, s.marking, COALESCE(d.outcome, ''), COALESCE(d.note, ''),"
                   " COALESCE(d.author, ''), COALESCE(d.created, ''), COALESCE(d.owner, ''), COALESCE(d.marking, '')");
    visible_lines(&q, scope);
    if (o->decision) {
        db_sql_add(&q, " AND s.decision = ?");
        db_sql_text(&q, o->decision);
    } else {
        db_sql_add(&q, " AND s.decision IN ('hold', 'review')");
    }
    if (!o->include_disposed) db_sql_add(&q, " AND d.id IS NULL");
    db_sql_add(&q, " ORDER BY s.score DESC, s.id");
    if (o->limit > 0) {
        db_sql_add(&q, " LIMIT ?");
        db_sql_int64(&q, o->limit);
    }
    db_stmt *s;
    int rc = prepare(db, &q, &s, err);
    if (rc) return rc;
    int st;
    while ((st = db_step(s, err)) == DB_ROW) {
        cargo_queue_row r;
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
        r.owner = db_col_text(s, 11);
        r.marking = db_col_text(s, 12);
        r.disposition = db_col_text(s, 13);
        char *note = NULL;
        if ((rc = store_unseal("cargo_disposition.note", db_col_text(s, 14), &note, err))) break;
        r.disposition_note = note;
        r.disposition_author = db_col_text(s, 15);
        r.disposition_at = db_col_text(s, 16);
        r.disposition_owner = db_col_text(s, 17);
        r.disposition_marking = db_col_text(s, 18);
        int stop = cb(&r, ctx);
        free(note);
        if (stop) break;
    }
    db_finalize(s);
    if (rc) return rc;
    return st == DB_ROW || st == DB_DONE ? PU_OK : st;
}

/* ---- queue writers ------------------------------------------------------------------ */

int cargo_queue_format_parse(const char *s, cargo_queue_format *out, pu_err *err) {
    static const char *const NAMES[] = {"table", "csv", "json"};
    for (int i = 0; i < 3; i++)
        if (s && !strcmp(s, NAMES[i])) return (*out = (cargo_queue_format)i), PU_OK;
    return pu_fail(err, PU_ERR_INVALID, NULL, "format", "expected table, csv or json, got '%s'", s ? s : "");
}

int cargo_queue_row_to_json(const cargo_queue_row *q, json_t **out) {
    const char *keys[] = {"awb", "hawb", "decision", "reasons", "chemicals", "parties", "shipper", "consignee",
                          "arrival_date", "disposition", "owner", "marking", "disposition_note",
                          "disposition_author", "disposition_at", "disposition_owner", "disposition_marking"};
    const char *vals[] = {q->awb, q->hawb, q->decision, q->reasons, q->chemicals, q->parties, q->shipper,
                          q->consignee, q->arrival_date, q->disposition, q->owner, q->marking, q->disposition_note,
                          q->disposition_author, q->disposition_at, q->disposition_owner, q->disposition_marking};
    json_t *o = json_object();
    int bad = !o || json_object_set_new(o, "id", json_integer((json_int_t)q->id)) ||
              json_object_set_new(o, "score", json_real(q->score));
    for (size_t i = 0; !bad && i < sizeof keys / sizeof keys[0]; i++)
        bad = json_object_set_new(o, keys[i], json_string(vals[i] ? vals[i] : "")) != 0;
    if (bad) {
        json_decref(o);
        *out = NULL;
        return PU_ERR_NOMEM;
    }
    *out = o;
    return PU_OK;
}

typedef struct qwrite { FILE *out; cargo_queue_format fmt; int rc; } qwrite;

static int queue_write_row(const cargo_queue_row *r, void *ctx) {
    qwrite *w = ctx;
    if (w->fmt == CARGO_QUEUE_TABLE) {
        fprintf(w->out, "%-14s %-10s %6.0f %-7s %-20.20s %s%s%s\n", r->awb, r->hawb, r->score, r->decision,
                *r->chemicals ? r->chemicals : *r->parties ? r->parties : "-", r->reasons, *r->disposition ? " => " : "",
                r->disposition);
    } else if (w->fmt == CARGO_QUEUE_CSV) {
        const char *f[] = {r->awb, r->hawb};
        for (int i = 0; i < 2; i++) {
            cargo_csv_field(w->out, f[i]);
            fputc(',', w->out);
        }
        fprintf(w->out, "%g,%s,", r->score, r->decision);
        const char *g[] = {r->reasons, r->chemicals, r->parties, r->shipper, r->consignee, r->arrival_date,
                           r->disposition, r->owner, r->marking, r->disposition_note, r->disposition_author,
                           r->disposition_at, r->disposition_owner, r->disposition_marking};
        size_t n = sizeof g / sizeof g[0];
        for (size_t i = 0; i < n; i++) {
            cargo_csv_field(w->out, g[i]);
            fputc(i + 1 < n ? ',' : '\n', w->out);
        }
    } else {
        json_t *o;
        char *txt = NULL;
        if (cargo_queue_row_to_json(r, &o) || !(txt = json_dumps(o, JSON_COMPACT))) {
            json_decref(o);
            w->rc = PU_ERR_NOMEM;
            return 1;
        }
        json_decref(o);
        fputs(txt, w->out);
        fputc('\n', w->out);
        free(txt);
    }
    return 0;
}

int cargo_queue_write(db_t *db, const store_scope *scope, const cargo_queue_opts *o, cargo_queue_format fmt,
                      FILE *out, pu_err *err) {
    qwrite w = {out, fmt, PU_OK};
    if (fmt == CARGO_QUEUE_TABLE)
        fprintf(out, "%-14s %-10s %6s %-7s %-20s %s\n", "AWB", "HAWB", "SCORE", "DECIS.", "MATCHED", "REASONS");
    else if (fmt == CARGO_QUEUE_CSV)
        fputs("awb,hawb,score,decision,reasons,chemicals,parties,shipper,consignee,arrival_date,disposition,owner,"
              "marking,disposition_note,disposition_author,disposition_at,disposition_owner,disposition_marking\n", out);
    int rc = cargo_queue(db, scope, o, queue_write_row, &w, err);
    if (!rc && w.rc) rc = pu_fail(err, w.rc, NULL, NULL, "out of memory");
    if (!rc && ferror(out)) rc = pu_fail(err, PU_ERR_IO, NULL, NULL, "write error");
    return rc;
}

/* ---- dispositions ------------------------------------------------------------------- */

int cargo_outcome_valid(const char *o) {
    return o && (!strcmp(o, "released") || !strcmp(o, "held") || !strcmp(o, "inspected_found") ||
                 !strcmp(o, "inspected_not_found"));
}

/* The one line scope may see with awb (+hawb): *id and its owner. Each
 * agency keeps its own record of an AWB; among the visible ones the
 * stamp owner's own record wins. */
static int find_line(db_t *db, const store_scope *scope, const char *awb, const char *hawb, const char *own_agency,
                     int64_t *id, char *owner, size_t owner_size, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT s.id, s.owner FROM cargo_shipment s WHERE s.awb = ?");
    db_sql_text(&q, awb);
    if (hawb && *hawb) {
        db_sql_add(&q, " AND s.hawb = ?");
        db_sql_text(&q, hawb);
    }
    db_sql_add(&q, " AND ");
    store_scope_sql(&q, scope, "s");
    db_sql_add(&q, " ORDER BY s.id");
    db_stmt *s;
    int rc = prepare(db, &q, &s, err);
    if (rc) return rc;
    int64_t matches = 0, own = 0;
    char any_owner[64] = "", own_owner[64] = "";
    int64_t any_id = 0, own_id = 0;
    int st;
    while ((st = db_step(s, err)) == DB_ROW) {
        matches++;
        any_id = db_col_int64(s, 0);
        pu_strlcpy(any_owner, db_col_text(s, 1), sizeof any_owner);
        if (strcmp(any_owner, own_agency) == 0) {
            own++;
            own_id = any_id;
            pu_strlcpy(own_owner, any_owner, sizeof own_owner);
        }
    }
    db_finalize(s);
    if (st != DB_DONE) return st;
    if (!matches)
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, "awb", "no screened shipment with AWB '%s'%s%s", awb,
                       hawb && *hawb ? pu_tr(" and HAWB ") : "", hawb && *hawb ? hawb : "");
    if (matches > 1 && own != 1)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "hawb",
                       "AWB '%s' matches %lld screened shipments (house bills or agencies); give --hawb", awb,
                       (long long)matches);
    *id = matches > 1 ? own_id : any_id;
    pu_strlcpy(owner, matches > 1 ? own_owner : any_owner, owner_size);
    return PU_OK;
}

int cargo_dispose(db_t *db, const store_scope *scope, const char *awb, const char *hawb,
                  const char *outcome, const cargo_stamp *stamp, pu_err *err) {
    if (!cargo_outcome_valid(outcome))
        return pu_fail(err, PU_ERR_INVALID, NULL, "outcome", "expected one of %s, got '%s'", CARGO_OUTCOMES,
                       outcome ? outcome : "");
    int rc = cargo_stamp_check(scope, stamp, err);
    if (rc) return rc;
    int64_t id = 0;
    char owner[64];
    if ((rc = find_line(db, scope, awb ? awb : "", hawb, stamp->owner, &id, owner, sizeof owner, err))) return rc;
    /* the write rule: the line's owner decides who may dispose it */
    if ((rc = store_check_owner(db, scope, owner, err))) return rc;
    char now[32];
    pu_now_iso(now, sizeof now);
    char *note = NULL; /* sealed at rest (store_seal) */
    if ((rc = store_seal("cargo_disposition.note", stamp->note ? stamp->note : "", &note, err))) return rc;
    int own_tx = !db_in_tx(db);
    if (own_tx && (rc = db_begin(db, err))) {
        free(note);
        return rc;
    }
    db_stmt *s;
    rc = db_prepare(db, "INSERT INTO cargo_disposition (shipment_id, outcome, note, author, owner, marking, created)"
                        " VALUES (?,?,?,?,?,?,?)", &s, err);
    if (!rc) {
        db_bind_int64(s, 1, id);
        db_bind_text(s, 2, outcome, -1);
        db_bind_text(s, 3, note, -1);
        db_bind_text(s, 4, stamp->author ? stamp->author : "", -1);
        db_bind_text(s, 5, stamp->owner, -1);
        db_bind_text(s, 6, cargo_stamp_marking(stamp), -1);
        db_bind_text(s, 7, now, -1);
        rc = db_step_done(s, err);
        db_finalize(s);
    }
    free(note);
    if (own_tx) {
        if (!rc) rc = db_commit(db, err);
        if (rc) db_rollback(db);
    }
    return rc;
}

/* ---- statistics ------------------------------------------------------------------------ */

enum { O_NONE, O_RELEASED, O_HELD, O_FOUND, O_NOTFOUND, O_N };
static const char *const ONAMES[O_N] = {"none", "released", "held", "inspected_found", "inspected_not_found"};

static int outcome_index(const char *o) {
    for (int i = 1; i < O_N; i++) if (strcmp(o, ONAMES[i]) == 0) return i;
    return O_NONE;
}

int cargo_stats_write(db_t *db, const store_scope *scope, int json, FILE *out, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "cargo statistics need the reader's scope");
    db_sql q;
    db_sql_init(&q);
    /* grouped in SQL: one row per (decision, fired rules, outcome) */
    db_sql_add(&q, "SELECT s.decision, s.fired, COALESCE(d.outcome, ''), COUNT(*)");
    visible_lines(&q, scope);
    db_sql_add(&q, " GROUP BY s.decision, s.fired, COALESCE(d.outcome, '')");
    db_stmt *s;
    int rc = prepare(db, &q, &s, err);
    if (rc) return rc;
    static const char *const DEC[3] = {"hold", "review", "release"};
    int64_t dec[3][O_N] = {{0}}, rule[CARGO_NRULES][O_N] = {{0}}, total = 0;
    int st;
    while ((st = db_step(s, err)) == DB_ROW) {
        const char *d = db_col_text(s, 0);
        int di = !strcmp(d, "hold") ? 0 : !strcmp(d, "review") ? 1 : 2;
        uint32_t fired = (uint32_t)db_col_int64(s, 1);
        int oi = outcome_index(db_col_text(s, 2));
        int64_t n = db_col_int64(s, 3);
        dec[di][oi] += n;
        total += n;
        for (int r = 0; r < CARGO_NRULES; r++)
            if (fired & (1u << r)) rule[r][oi] += n;
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
