/* i18n_pref.c - each user's remembered language (see i18n.h). */
#include "i18n/i18n.h"

static const char *const migrations[] = {
    /* one row per user who chose; user names are unique (acl_user.name) */
    "CREATE TABLE i18n_user_lang ("
    " user_name TEXT PRIMARY KEY,"
    " lang TEXT NOT NULL CHECK (lang IN ('en','es')));",
};

int i18n_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "i18n", migrations, (int)(sizeof migrations / sizeof migrations[0]), err);
}

int i18n_pref_get(db_t *db, const char *user, i18n_lang *out, int *found, pu_err *err) {
    *found = 0;
    *out = I18N_EN;
    db_stmt *st;
    int rc = db_prepare(db, "SELECT lang FROM i18n_user_lang WHERE user_name = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, user, -1);
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        *found = 1;
        *out = db_col_text(st, 0)[0] == 'e' && db_col_text(st, 0)[1] == 's' ? I18N_ES : I18N_EN;
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = PU_OK;
    }
    db_finalize(st);
    return rc;
}

int i18n_pref_set(db_t *db, const char *user, i18n_lang lang, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO i18n_user_lang(user_name, lang) VALUES (?, ?) "
                        "ON CONFLICT (user_name) DO UPDATE SET lang = excluded.lang",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, user, -1);
    db_bind_text(st, 2, lang == I18N_ES ? "es" : "en", -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}
