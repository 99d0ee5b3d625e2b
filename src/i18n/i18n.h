/*
 * i18n.h - the one message catalogue of Puente: English and Spanish (es-MX)
 * for the web pages, the API's error messages and the CLI (docs/web.md,
 * "Languages").
 *
 * The catalogue is src/i18n/messages.tsv (key, English, Spanish), compiled
 * into the binary by gen.py, which fails the build when a key lacks either
 * language, when a key repeats, or when the two texts do not carry the same
 * {placeholders}. Keys are dotted names ("nav.search", "error.denied",
 * "status.open"); values shown to users (statuses, decisions, markings,
 * rule names) have keys too, so the pages translate values, not only labels.
 *
 * Language selection: the web from a per-user remembered choice, else
 * Accept-Language (i18n_accept_language); the CLI from --lang, else
 * PUENTE_LANG, else LANG (i18n_cli_lang). Only "en" and "es" (any region:
 * es-MX, es_MX.UTF-8) are supported; an explicit unsupported choice is
 * refused, never silently replaced.
 */
#ifndef PU_I18N_H
#define PU_I18N_H

#include <stddef.h>
#include "common/pu.h"

typedef enum { I18N_EN = 0, I18N_ES = 1, I18N_NLANGS = 2 } i18n_lang;

/* Parse a language tag: "en", "en-US", "es", "es-MX", "es_MX.UTF-8"...
 * (case-insensitive; the region and encoding are ignored).
 * Errors: PU_ERR_INVALID (empty or unsupported language; field "lang"). */
int i18n_lang_parse(const char *tag, i18n_lang *out, pu_err *err);

/* The language an Accept-Language header asks for: the supported one with
 * the highest q (ties: the first listed); English when the header is NULL,
 * empty, malformed or names no supported language. Never fails. */
i18n_lang i18n_accept_language(const char *header);

/* The CLI's language: flag (--lang, may be NULL), else $PUENTE_LANG, else
 * $LANG. --lang and PUENTE_LANG must name a supported language (refused with
 * PU_ERR_INVALID otherwise); LANG is the system's setting, so "C", "POSIX"
 * or an unsupported LANG means English. */
int i18n_cli_lang(const char *flag, i18n_lang *out, pu_err *err);

/* The BCP 47 code of a language: "en" or "es-MX" (static). */
const char *i18n_code(i18n_lang lang);

/* The text of key in lang (static storage, never NULL). An unknown key
 * returns the key itself, so a missing entry shows up instead of crashing;
 * the catalogue test (tests/i18n) makes every used key exist. */
const char *i18n_get(i18n_lang lang, const char *key);

/* 1 if the catalogue has key. */
int i18n_has(const char *key);

/* Number of entries, and entry i (0 <= i < i18n_count()) in key order:
 * *key and *text point to static storage. */
size_t i18n_count(void);
void i18n_entry(size_t i, i18n_lang lang, const char **key, const char **text);

/* The message format for the English printf format fmt in lang (gettext's
 * convention: the English format is the id; es.po holds the Spanish format
 * with the same conversions in the same order, checked at build time).
 * fmt itself for English or when there is no entry (static storage). */
const char *i18n_tr(i18n_lang lang, const char *fmt) __attribute__((format_arg(2)));

/* The CLI's current language (set once by main from i18n_cli_lang;
 * English until then). Setting it installs the process's translator of
 * pu_tr (src/common/pu.h), so pu_fail and T() speak that language. */
void i18n_set_cli(i18n_lang lang);
i18n_lang i18n_cli(void);


/* ---- remembered choice (module "i18n", table i18n_user_lang) ---- */
#include "db/db.h"
/* Register/upgrade the module's table. Errors: PU_ERR_DB. */
int i18n_migrate(db_t *db, pu_err *err);
/* The language a user chose last; *found 0 when none is recorded.
 * Errors: PU_ERR_DB. */
int i18n_pref_get(db_t *db, const char *user, i18n_lang *out, int *found, pu_err *err);
/* Remember a user's choice (inside the caller's transaction if one is
 * open). Errors: PU_ERR_DB. */
int i18n_pref_set(db_t *db, const char *user, i18n_lang lang, pu_err *err);

#endif
