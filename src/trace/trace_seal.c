/* trace_seal.c - seal persons' names and re-index buyers under the
 * configured key: the migration of a trace store written before its names
 * were sealed, or under another first key (trace.h trace_seal_all;
 * docs/security.md "Trace names"). */
#include <stdlib.h>
#include <string.h>

#include "trace/trace_int.h"

/* A person's name as stored, opened (with any key of the ring) and sealed
 * again under the current key; *out NULL for NULL. */
static int reseal(const char *stored, int isnull, char **out, pu_err *err) {
    *out = NULL;
    if (isnull) return PU_OK;
    char *plain = NULL;
    int rc = store_unseal(TRACE_PERSON_CTX, stored, &plain, err);
    if (!rc) rc = trace_person_seal(plain, out, err);
    free(plain);
    return rc;
}

static int exec1(db_t *db, const char *sql, pu_err *err) { return db_exec(db, sql, err); }

/* Events of persons: the name sealed again, the key made again from the
 * opened name and the date of birth; old key -> new key kept in trace_rekey. */
static int events(db_t *db, trace_seal_stats *s, pu_err *err) {
    db_stmt *q, *up, *map;
    int rc = db_prepare(db, "SELECT id, party, party IS NULL, COALESCE(dob, ''), party_key FROM trace_event"
                            " WHERE party_key IS NOT NULL ORDER BY id", &q, err);
    if (rc) return rc;
    if ((rc = db_prepare(db, "UPDATE trace_event SET party = ?, party_key = ? WHERE id = ?", &up, err))) {
        db_finalize(q);
        return rc;
    }
    if ((rc = db_prepare(db, "INSERT INTO trace_rekey(old, new) VALUES (?, ?) ON CONFLICT (old) DO NOTHING", &map,
                         err))) {
        db_finalize(q);
        db_finalize(up);
        return rc;
    }
    while ((rc = db_step(q, err)) == DB_ROW) {
        char *plain = NULL, *sealed = NULL, key[TRACE_KEY_MAX];
        const char *stored = db_col_text(q, 1);
        int isnull = db_col_int64(q, 2) != 0;
        rc = isnull ? PU_OK : store_unseal(TRACE_PERSON_CTX, stored, &plain, err);
        if (!rc) rc = trace_party_key(plain, db_col_text(q, 3), key, sizeof key, err);
        if (!rc && plain) rc = trace_person_seal(plain, &sealed, err);
        if (!rc) {
            db_reset(up);
            if (sealed) db_bind_text(up, 1, sealed, -1);
            else db_bind_null(up, 1);
            db_bind_text(up, 2, key, -1);
            db_bind_int64(up, 3, db_col_int64(q, 0));
            rc = db_step_done(up, err);
        }
        if (!rc) {
            db_reset(map);
            db_bind_text(map, 1, db_col_text(q, 4), -1);
            db_bind_text(map, 2, key, -1);
            rc = db_step_done(map, err);
        }
        free(plain);
        free(sealed);
        if (rc) break;
        s->events++;
    }
    db_finalize(q);
    db_finalize(up);
    db_finalize(map);
    return rc == DB_DONE ? PU_OK : rc;
}

/* Requests: the possessor's name, alias and address and the purchaser
 * sealed again. */
static int requests(db_t *db, trace_seal_stats *s, pu_err *err) {
    db_stmt *q, *up;
    int rc = db_prepare(db, "SELECT id, possessor, possessor IS NULL, possessor_alias, possessor_alias IS NULL,"
                            " possessor_address, possessor_address IS NULL, purchaser, purchaser IS NULL"
                            " FROM trace_request ORDER BY id", &q, err);
    if (rc) return rc;
    if ((rc = db_prepare(db, "UPDATE trace_request SET possessor = ?, possessor_alias = ?, possessor_address = ?,"
                             " purchaser = ? WHERE id = ?", &up, err))) {
        db_finalize(q);
        return rc;
    }
    while ((rc = db_step(q, err)) == DB_ROW) {
        char *v[4] = {NULL, NULL, NULL, NULL};
        rc = PU_OK;
        for (int i = 0; i < 4 && !rc; i++) rc = reseal(db_col_text(q, 1 + 2 * i), db_col_int64(q, 2 + 2 * i) != 0, &v[i], err);
        if (!rc) {
            db_reset(up);
            for (int i = 0; i < 4; i++) {
                if (v[i]) db_bind_text(up, i + 1, v[i], -1);
                else db_bind_null(up, i + 1);
            }
            db_bind_int64(up, 5, db_col_int64(q, 0));
            rc = db_step_done(up, err);
        }
        for (int i = 0; i < 4; i++) free(v[i]);
        if (rc) break;
        s->requests++;
    }
    db_finalize(q);
    db_finalize(up);
    return rc == DB_DONE ? PU_OK : rc;
}

/* Multiple-sale reports: the purchaser's name sealed again. */
static int reports(db_t *db, trace_seal_stats *s, pu_err *err) {
    db_stmt *q, *up;
    int rc = db_prepare(db, "SELECT id, purchaser, purchaser IS NULL FROM trace_msr ORDER BY id", &q, err);
    if (rc) return rc;
    if ((rc = db_prepare(db, "UPDATE trace_msr SET purchaser = ? WHERE id = ?", &up, err))) {
        db_finalize(q);
        return rc;
    }
    while ((rc = db_step(q, err)) == DB_ROW) {
        char *v = NULL;
        rc = reseal(db_col_text(q, 1), db_col_int64(q, 2) != 0, &v, err);
        if (!rc) {
            db_reset(up);
            if (v) db_bind_text(up, 1, v, -1);
            else db_bind_null(up, 1);
            db_bind_int64(up, 2, db_col_int64(q, 0));
            rc = db_step_done(up, err);
        }
        free(v);
        if (rc) break;
        s->reports++;
    }
    db_finalize(q);
    db_finalize(up);
    return rc == DB_DONE ? PU_OK : rc;
}

/* Keys copied from events elsewhere follow the map; the buyer volume is
 * derived from the events again. An import key made from a row as given
 * (plain) becomes its blind index; one blind under another key cannot be
 * made again (its row is not kept) and is dropped: that request is then
 * not recognised by a re-import of its file. */
static int rekey_copies(db_t *db, pu_err *err) {
    static const char *const sql[] = {
        "UPDATE trace_request SET purchaser_key = (SELECT k.new FROM trace_rekey k WHERE k.old = trace_request.purchaser_key)"
        " WHERE purchaser_key IS NOT NULL",
        "UPDATE trace_msr SET purchaser_key = COALESCE((SELECT k.new FROM trace_rekey k"
        " WHERE k.old = trace_msr.purchaser_key), purchaser_key)",
        "DELETE FROM trace_gen_truth WHERE party_key NOT IN (SELECT old FROM trace_rekey)",
        "UPDATE trace_gen_truth SET party_key = (SELECT k.new FROM trace_rekey k WHERE k.old = trace_gen_truth.party_key)",
        "DELETE FROM trace_purchaser",
        TRACE_PURCHASER_FILL,
    };
    int rc = PU_OK;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0] && !rc; i++) rc = exec1(db, sql[i], err);
    return rc;
}

static int import_keys(db_t *db, trace_seal_stats *s, pu_err *err) {
    db_stmt *q, *up;
    int rc = db_prepare(db, "SELECT id, import_key FROM trace_request WHERE import_key IS NOT NULL ORDER BY id", &q, err);
    if (rc) return rc;
    if ((rc = db_prepare(db, "UPDATE trace_request SET import_key = ? WHERE id = ?", &up, err))) {
        db_finalize(q);
        return rc;
    }
    int keyed = store_seal_configured();
    while ((rc = db_step(q, err)) == DB_ROW) {
        const char *k = db_col_text(q, 1);
        char bi[STORE_BLIND_MAX];
        int blind = strncmp(k, "bi1:", 4) == 0;
        const char *nk = NULL; /* NULL: drop */
        rc = PU_OK;
        if (!blind && keyed) {
            if (!(rc = store_blind_index("trace_request.import_key", k, bi, sizeof bi, err))) nk = bi;
        } else if (!blind) {
            continue; /* no key: a plain key stays as it is */
        } else {
            s->import_keys_dropped++;
        }
        if (!rc) {
            db_reset(up);
            if (nk) db_bind_text(up, 1, nk, -1);
            else db_bind_null(up, 1);
            db_bind_int64(up, 2, db_col_int64(q, 0));
            rc = db_step_done(up, err);
        }
        if (rc) break;
    }
    db_finalize(q);
    db_finalize(up);
    return rc == DB_DONE ? PU_OK : rc;
}

int trace_seal_all(db_t *db, trace_seal_stats *s, pu_err *err) {
    memset(s, 0, sizeof *s);
    int rc = store_seal_check(err);
    if (rc) return rc;
    if ((rc = db_begin(db, err))) return rc;
    char id[17];
    store_blind_key_id(id);
    rc = exec1(db, "CREATE TEMP TABLE trace_rekey (old TEXT PRIMARY KEY, new TEXT NOT NULL)", err);
    if (!rc) rc = events(db, s, err);
    if (!rc) rc = requests(db, s, err);
    if (!rc) rc = reports(db, s, err);
    if (!rc) rc = rekey_copies(db, err);
    if (!rc) rc = import_keys(db, s, err);
    if (!rc) rc = exec1(db, "DROP TABLE trace_rekey", err);
    db_stmt *st;
    if (!rc && !(rc = db_prepare(db, "INSERT INTO trace_meta(key, value) VALUES ('blind_key', ?)"
                                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value", &st, err))) {
        db_bind_text(st, 1, id, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (!rc) rc = store_generation_bump(db, "trace", err);   /* caches of trace data (the graph) */
    if (rc) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, err);
}
