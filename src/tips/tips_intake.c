/* tips_intake.c - the public intake body: parsed with jansson (which refuses
 * invalid UTF-8 and duplicate keys), checked field by field, nothing kept on
 * error. The fuzz target fuzz/tips/fuzz_intake.c drives this parser. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tips/tips_int.h"

/* A tip with every answer at its cap fits even when a client escapes every
 * character as \uXXXX (6 bytes for one). */
#define INTAKE_BODY_MAX ((size_t)512 << 10)

void tips_intake_free(tips_intake *t) {
    if (!t) return;
    free(t->text);
    for (size_t i = 0; i < t->nanswers; i++) {
        free(t->qkey[i]);
        free(t->answer[i]);
    }
    memset(t, 0, sizeof *t);
}

/* Text the handlers will read: valid UTF-8 (jansson checked it), no control
 * characters but tab, newline and carriage return, within max bytes. Script
 * in a field is kept as text: every reader (JSON API, CLI, web page with
 * textContent) shows it inert. */
static int text_ok(const char *s, size_t max, const char *field, pu_err *err) {
    size_t n = strlen(s);
    if (n > max) return pu_fail(err, PU_ERR_LIMIT, "body", field, "at most %zu bytes, got %zu", max, n);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
            return pu_fail(err, PU_ERR_INVALID, "body", field, "control character 0x%02x is not allowed", *p);
    return PU_OK;
}

static int only_keys(json_t *o, const char *const *allowed, const char *where, pu_err *err) {
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        int found = 0;
        for (size_t i = 0; allowed[i] && !found; i++) found = strcmp(k, allowed[i]) == 0;
        if (!found) return pu_fail(err, PU_ERR_INVALID, where, k, "unknown field '%.60s'", k);
    }
    return PU_OK;
}

static int str_member(json_t *o, const char *key, const char **out, pu_err *err) {
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v)) return PU_OK;
    if (!json_is_string(v)) return pu_fail(err, PU_ERR_INVALID, "body", key, "expected a string");
    *out = json_string_value(v);
    if (strlen(*out) != json_string_length(v)) return pu_fail(err, PU_ERR_INVALID, "body", key, "NUL in text");
    return PU_OK;
}

static int copy_small(char *dst, size_t size, const char *v, const char *field, pu_err *err) {
    if (v && strlen(v) >= size) return pu_fail(err, PU_ERR_INVALID, "body", field, "too long");
    pu_strlcpy(dst, v ? v : "", size);
    return PU_OK;
}

static int parse_place(json_t *o, tips_intake *t, pu_err *err) {
    const char *country, *state;
    int rc;
    if ((rc = str_member(o, "country", &country, err)) || (rc = str_member(o, "state", &state, err))) return rc;
    if (country && *country && strcmp(country, "US") && strcmp(country, "MX"))
        return pu_fail(err, PU_ERR_INVALID, "body", "country", "expected US or MX");
    if ((rc = copy_small(t->country, sizeof t->country, country, "country", err))) return rc;
    if (state && *state) {
        int mx = tips_mx_state_valid(state), us = tips_us_state_valid(state);
        if (!mx && !us)
            return pu_fail(err, PU_ERR_INVALID, "body", "state",
                           "expected a Mexican state code (ISO 3166-2:MX, e.g. CHH) or a US state code (e.g. TX)");
        if ((t->country[0] == 'U' && !us) || (t->country[0] == 'M' && !mx))
            return pu_fail(err, PU_ERR_INVALID, "body", "state", "the state is not in the country given");
        if (!t->country[0]) pu_strlcpy(t->country, mx ? "MX" : "US", sizeof t->country);
        if ((rc = copy_small(t->state, sizeof t->state, state, "state", err))) return rc;
    }
    return PU_OK;
}

static int asked(const char *category, const char *key) {
    const char *const *q = tips_questions(category);
    for (size_t i = 0; q && q[i]; i++)
        if (strcmp(q[i], key) == 0) return 1;
    return 0;
}

static int parse_answers(json_t *o, tips_intake *t, pu_err *err) {
    json_t *a = json_object_get(o, "answers");
    if (!a || json_is_null(a)) return PU_OK;
    if (!json_is_object(a)) return pu_fail(err, PU_ERR_INVALID, "body", "answers", "expected an object");
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v) {
        if (!asked(t->category, k))
            return pu_fail(err, PU_ERR_INVALID, "body", "answers", "the %s questionnaire has no question '%.40s'",
                           t->category, k);
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
            return pu_fail(err, PU_ERR_INVALID, "body", "answers", "answer '%.40s': expected a string", k);
        int rc = text_ok(json_string_value(v), TIPS_ANSWER_MAX, "answers", err);
        if (rc) return rc;
        if (!*json_string_value(v)) continue;
        if (t->nanswers >= TIPS_MAX_ANSWERS) return pu_fail(err, PU_ERR_LIMIT, "body", "answers", "too many answers");
        t->qkey[t->nanswers] = strdup(k);
        t->answer[t->nanswers] = strdup(json_string_value(v));
        if (!t->qkey[t->nanswers++] || !t->answer[t->nanswers - 1]) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    return PU_OK;
}

static int parse_pow(json_t *o, tips_intake *t, pu_err *err) {
    json_t *p = json_object_get(o, "pow");
    if (!p || json_is_null(p)) return PU_OK;
    static const char *const KEYS[] = {"challenge", "nonce", NULL};
    const char *c, *n;
    int rc;
    if (!json_is_object(p)) return pu_fail(err, PU_ERR_INVALID, "body", "pow", "expected an object");
    if ((rc = only_keys(p, KEYS, "pow", err)) || (rc = str_member(p, "challenge", &c, err)) ||
        (rc = str_member(p, "nonce", &n, err)))
        return rc;
    if ((rc = copy_small(t->pow_challenge, sizeof t->pow_challenge, c, "pow", err))) return rc;
    return copy_small(t->pow_nonce, sizeof t->pow_nonce, n, "pow", err);
}

static int parse_object(json_t *o, tips_intake *t, pu_err *err) {
    static const char *const KEYS[] = {"category", "lang", "text", "answers", "country", "state", "pow", NULL};
    const char *cat, *lang, *text;
    int rc;
    if ((rc = only_keys(o, KEYS, "body", err)) || (rc = str_member(o, "category", &cat, err)) ||
        (rc = str_member(o, "lang", &lang, err)) || (rc = str_member(o, "text", &text, err)))
        return rc;
    if (!tips_category_valid(cat))
        return pu_fail(err, PU_ERR_INVALID, "body", "category",
                       "expected firearms, drugs, precursors, smuggling, disappearance, corruption or other");
    pu_strlcpy(t->category, cat, sizeof t->category);
    if (!lang || (strcmp(lang, "en") && strcmp(lang, "es")))
        return pu_fail(err, PU_ERR_INVALID, "body", "lang", "expected en or es");
    pu_strlcpy(t->lang, lang, sizeof t->lang);
    if (!text || !text[strspn(text, " \t\r\n")]) return pu_fail(err, PU_ERR_INVALID, "body", "text", "the tip's text is required");
    if ((rc = text_ok(text, TIPS_TEXT_MAX, "text", err))) return rc;
    if (!(t->text = strdup(text))) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if ((rc = parse_place(o, t, err)) || (rc = parse_answers(o, t, err))) return rc;
    return parse_pow(o, t, err);
}

int tips_intake_parse(const char *body, size_t len, tips_intake *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    if (len > INTAKE_BODY_MAX) return pu_fail(err, PU_ERR_LIMIT, "body", "body", "at most %zu bytes", INTAKE_BODY_MAX);
    json_error_t je;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!o) return pu_fail(err, PU_ERR_INVALID, "body", "body", "not valid JSON (UTF-8): %s at %d", je.text, je.position);
    int rc = json_is_object(o) ? parse_object(o, out, err) : pu_fail(err, PU_ERR_INVALID, "body", "body", "expected a JSON object");
    json_decref(o);
    if (rc) tips_intake_free(out);
    return rc;
}
