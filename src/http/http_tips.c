/* http_tips.c - the tip line's routes (docs/tips.md).
 *
 * Public routes (no account): the questionnaire, a proof-of-work challenge,
 * intake, and the tipster's receipt routes. They have no audit action and
 * nothing about the request is kept: the handlers never read r->source or a
 * header, the engine takes none, and the server writes no access log. The
 * receipt travels in the body of a POST, never in a URL.
 *
 * Handler routes (permission tips, tip-handler role): audited by the
 * dispatcher like every staff action, each read included. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "http/http_int.h"
#include "i18n/i18n.h"
#include "tips/tips.h"

static int64_t now_s(void) { return (int64_t)time(NULL); }

static int engine_fail(http_req *r, int rc, const pu_err *e) {
    if (rc == PU_ERR_LIMIT && !strcmp(e->field, "receipt")) { /* receipt checks all busy */
        r->force_status = 503;
        r->force_code = "busy";
        r->retry_after = 2;
    } else if (rc == PU_ERR_LIMIT && !strcmp(e->field, "rate")) { /* the tip's hourly budget */
        r->force_status = 429;
        r->force_code = "rate_limited";
        r->retry_after = 3600;
    }
    return http_fail(r, rc, e->field[0] ? e->field : NULL, "%s", e->msg);
}

/* ---- GET /api/v1/tips/form?lang=es ---- */
int h_tips_form(http_req *r) {
    static const char *const args[] = {"lang", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    i18n_lang lang = r->lang;
    const char *l = http_arg(r, "lang");
    pu_err e;
    if (l && i18n_lang_parse(l, &lang, &e)) return http_fail(r, PU_ERR_INVALID, "lang", "expected en or es");
    json_t *cats = json_array();
    char key[64];
    for (const char *const *c = tips_categories(); *c; c++) {
        json_t *qs = json_array();
        for (const char *const *q = tips_questions(*c); *q; q++) {
            (void)pu_snprintf(key, sizeof key, "tip.q.%s", *q);
            json_array_append_new(qs, json_pack("{s:s,s:s}", "key", *q, "label", i18n_get(lang, key)));
        }
        (void)pu_snprintf(key, sizeof key, "tip.cat.%s", *c);
        json_array_append_new(cats, json_pack("{s:s,s:s,s:o}", "code", *c, "label", i18n_get(lang, key), "questions", qs));
    }
    json_t *places = json_object();
    static const char *const countries[] = {"MX", "US"};
    for (size_t c = 0; c < 2; c++) {
        json_t *codes = json_array();
        char code[8];
        for (size_t i = 0; tips_state_code(countries[c], i, code); i++) json_array_append_new(codes, json_string(code));
        json_object_set_new(places, countries[c], codes);
    }
    return http_json(r, 200, json_pack("{s:s,s:o,s:s,s:i,s:o}", "lang", lang == I18N_ES ? "es" : "en", "categories", cats,
                                       "notice", i18n_get(lang, "tip.notice"), "text_max", TIPS_TEXT_MAX, "places", places));
}

/* ---- GET /api/v1/tips/challenge ---- */
int h_tips_challenge(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (rc) return rc;
    char ch[128];
    int bits;
    pu_err e;
    if ((rc = tips_pow_challenge(now_s(), ch, sizeof ch, &bits, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    return http_json(r, 200, json_pack("{s:s,s:i,s:s}", "challenge", ch, "bits", bits, "algorithm",
                                       "BLAKE2b-256(challenge + \":\" + nonce) has at least `bits` leading zero bits"));
}

/* ---- POST /api/v1/tips ---- */
int h_tips_submit(http_req *r) {
    tips_intake in;
    pu_err e;
    pu_err_clear(&e);
    int rc = tips_intake_parse(r->body.data ? r->body.data : "", r->body.len, &in, &e);
    if (rc) return http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    if ((rc = tips_pow_check(in.pow_challenge, in.pow_nonce, now_s(), &e))) {
        tips_intake_free(&in);
        return http_fail(r, rc, "pow", "%s", e.msg);
    }
    tips_receipt_out out;
    tips_prepared prep;
    /* the slow hash first, so the screening index is never held during it */
    if ((rc = tips_prepare_receipt(&prep, &e))) {
        tips_intake_free(&in);
        return http_fail(r, rc, NULL, "the tip could not be stored; nothing was kept");
    }
    /* names the tip gives are screened on the shared index when screening is on */
    const struct screen_index *ix = http_screen_index_acquire(r);
    rc = tips_submit_prepared(r->db, &in, ix, &prep, &out, &e);
    if (ix) http_screen_index_release(r);
    sodium_memzero(&prep, sizeof prep);
    tips_intake_free(&in);
    if (rc) return http_fail(r, rc == PU_ERR_INVALID ? rc : PU_ERR_DB, NULL, "the tip could not be stored; nothing was kept");
    tips_guard_note_tip(now_s());
    i18n_lang lang = !strcmp(in.lang, "es") ? I18N_ES : I18N_EN;
    return http_json(r, 201, json_pack("{s:s,s:s,s:s,s:s}", "receipt", out.receipt, "received", out.day, "notice",
                                       i18n_get(lang, "tip.receipt_notice"), "status", "new"));
}

/* The receipt of a tipster body; the rest of the keys as given. */
static int receipt_body(http_req *r, const char *const *keys, json_t **o, const char **receipt) {
    int rc = http_body_object(r, o);
    if (rc) return rc;
    if ((rc = http_only_keys(r, *o, keys, "body")) || (rc = http_str_member(r, *o, "receipt", "body", receipt))) {
        json_decref(*o);
        return rc;
    }
    if (!*receipt || !**receipt) {
        json_decref(*o);
        return http_fail(r, PU_ERR_INVALID, "receipt", "the receipt is required");
    }
    return PU_OK;
}

static json_t *messages_json(const tips_message *m, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "author", m[i].author, "day", m[i].day, "text",
                                           m[i].text ? m[i].text : ""));
    return a;
}

/* ---- POST /api/v1/tips/receipt {"receipt"} ---- */
int h_tips_receipt(http_req *r) {
    static const char *const keys[] = {"receipt", NULL};
    json_t *o;
    const char *receipt;
    int rc = receipt_body(r, keys, &o, &receipt);
    if (rc) return rc;
    tips_tipster_view v;
    pu_err e;
    pu_err_clear(&e);
    rc = tips_receipt_open(r->db, receipt, &v, &e);
    json_decref(o);
    if (rc) return engine_fail(r, rc, &e);
    json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:o}", "category", v.category, "lang", v.lang, "status", v.status,
                             "received", v.day, "messages", messages_json(v.messages, v.nmessages));
    tips_tipster_view_free(&v);
    return http_json(r, 200, body);
}

/* ---- POST /api/v1/tips/receipt/messages {"receipt", "text"} ---- */
int h_tips_receipt_reply(http_req *r) {
    static const char *const keys[] = {"receipt", "text", NULL};
    json_t *o;
    const char *receipt, *text = NULL;
    int rc = receipt_body(r, keys, &o, &receipt);
    if (rc) return rc;
    if ((rc = http_str_member(r, o, "text", "body", &text))) {
        json_decref(o);
        return rc;
    }
    char id[TIPS_ID_MAX];
    pu_err e;
    pu_err_clear(&e);
    rc = tips_tipster_reply(r->db, receipt, text, id, &e); /* the tip's hourly budget included */
    json_decref(o);
    if (rc) return engine_fail(r, rc, &e);
    return http_json(r, 201, json_pack("{s:s}", "status", "received"));
}

/* ---- POST /api/v1/tips/receipt/attachments {"receipt", "content_base64"} ---- */
int h_tips_receipt_attach(http_req *r) {
    static const char *const keys[] = {"receipt", "content_base64", NULL};
    json_t *o;
    const char *receipt, *b64 = NULL;
    int rc = receipt_body(r, keys, &o, &receipt);
    if (rc) return rc;
    if ((rc = http_str_member(r, o, "content_base64", "body", &b64))) goto out;
    if (!b64 || !*b64) {
        rc = http_fail(r, PU_ERR_INVALID, "content_base64", "the file is required (base64)");
        goto out;
    }
    size_t cap = strlen(b64) / 4 * 3 + 3, n = 0;
    if (cap > (size_t)TIPS_ATTACH_MAX + 3) {
        rc = http_fail(r, PU_ERR_LIMIT, "content_base64", "at most %d bytes per file", TIPS_ATTACH_MAX);
        goto out;
    }
    unsigned char *bin = malloc(cap);
    if (!bin || sodium_base642bin(bin, cap, b64, strlen(b64), "\r\n", &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(bin);
        rc = http_fail(r, PU_ERR_INVALID, "content_base64", "not valid base64");
        goto out;
    }
    tips_attachment_out a;
    char id[TIPS_ID_MAX];
    pu_err e;
    pu_err_clear(&e);
    rc = tips_tipster_attach(r->db, receipt, bin, n, &a, id, &e);
    free(bin);
    if (rc) {
        rc = engine_fail(r, rc, &e);
        goto out;
    }
    rc = http_json(r, 201, json_pack("{s:s,s:I,s:b}", "type", a.type, "size", (json_int_t)a.size, "metadata_stripped",
                                     a.stripped));
out:
    json_decref(o);
    return rc;
}

/* ---- the handlers' routes ---- */
static int tip_row(const tips_row *t, void *ctx) {
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:b}", "id", t->id, "category",
                          t->category, "lang", t->lang, "country", t->country, "state", t->state_code, "status",
                          t->status, "owner", t->owner, "marking", t->marking, "received", t->received_day,
                          "duplicate_of", t->dup_of, "messages", (json_int_t)t->messages, "links_proposed",
                          (json_int_t)t->links_proposed, "links_confirmed", (json_int_t)t->links_confirmed, "spam",
                          t->spam);
    return o && json_array_append_new(ctx, o) == 0 ? PU_OK : PU_ERR_NOMEM;
}

int h_tips_list(http_req *r) {
    static const char *const args[] = {"status", "category", "limit", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    int64_t limit;
    if ((rc = http_arg_int(r, "limit", 1, 10000, 1000, &limit))) return rc;
    tips_query q = {http_arg(r, "status"), http_arg(r, "category"), limit};
    json_t *arr = json_array();
    pu_err e;
    pu_err_clear(&e);
    if ((rc = tips_list(r->db, &r->scope, &q, tip_row, arr, &e))) {
        json_decref(arr);
        return http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    }
    (void)pu_buf_printf(&r->detail, "rows=%zu", json_array_size(arr));
    return http_json(r, 200, json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(arr), "results", arr));
}

static json_t *detail_json(const tips_detail *d) {
    json_t *answers = json_object(), *ents = json_array(), *links = json_array(), *events = json_array(),
           *files = json_array();
    for (size_t i = 0; i < d->nattachments; i++) {
        const tips_attachment_row *a = &d->attachments[i];
        json_array_append_new(files, json_pack("{s:I,s:s,s:I,s:s,s:s,s:b}", "id", (json_int_t)a->id, "type", a->type,
                                               "size", (json_int_t)a->size, "agency", a->agency, "day", a->day,
                                               "metadata_stripped", a->stripped));
    }
    for (size_t i = 0; i < d->nanswers; i++) json_object_set_new(answers, d->qkey[i], json_string(d->answer[i]));
    for (size_t i = 0; i < d->nentities; i++)
        json_array_append_new(ents, json_pack("{s:s,s:s}", "kind", d->entities[i].kind, "value", d->entities[i].value));
    for (size_t i = 0; i < d->nlinks; i++) {
        const tips_link *l = &d->links[i];
        json_array_append_new(links, json_pack("{s:I,s:s,s:s,s:s,s:f,s:s}", "id", (json_int_t)l->id, "kind", l->kind,
                                               "target", l->target, "status", l->status, "score", l->score,
                                               "evidence", l->evidence ? l->evidence : ""));
    }
    for (size_t i = 0; i < d->nevents; i++) {
        const tips_event *e = &d->events[i];
        json_array_append_new(events, json_pack("{s:s,s:s,s:s,s:s,s:s}", "day", e->day, "from", e->from, "to", e->to,
                                                "by", e->by, "reason", e->reason ? e->reason : ""));
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "id", d->id, "category",
                     d->category, "lang", d->lang, "country", d->country, "state", d->state_code, "status", d->status,
                     "owner", d->owner, "marking", d->marking, "received", d->received_day, "duplicate_of", d->dup_of,
                     "spam", d->spam, "text", d->text ? d->text : "", "answers", answers, "messages",
                     messages_json(d->messages, d->nmessages), "entities", ents, "links", links, "events", events,
                     "attachments", files);
}

int h_tips_get(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (rc) return rc;
    http_target(r, r->params[0]);
    tips_detail d;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = tips_get(r->db, &r->scope, r->params[0], &d, &e))) return http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    json_t *body = detail_json(&d);
    tips_detail_free(&d);
    return http_json(r, 200, body);
}

int h_tips_message(http_req *r) {
    static const char *const keys[] = {"text", NULL};
    json_t *o;
    const char *text = NULL;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    http_target(r, r->params[0]);
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "text", "body", &text))) goto out;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = tips_handler_message(r->db, &r->scope, r->params[0], r->p.user, text, &e))) {
        rc = http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
        goto out;
    }
    rc = http_json(r, 201, json_pack("{s:s,s:s}", "id", r->params[0], "status", "sent"));
out:
    json_decref(o);
    return rc;
}

int h_tips_state(http_req *r) {
    static const char *const keys[] = {"state", "reason", "agency", "marking", "new_case", NULL};
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    http_target(r, r->params[0]);
    tips_change c = {0};
    c.user = r->p.user;
    json_t *nc = json_object_get(o, "new_case");
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "state", "body", &c.to)) ||
        (rc = http_str_member(r, o, "reason", "body", &c.reason)) || (rc = http_str_member(r, o, "agency", "body", &c.agency)) ||
        (rc = http_str_member(r, o, "marking", "body", &c.marking)))
        goto out;
    if (nc && !json_is_boolean(nc)) {
        rc = http_fail(r, PU_ERR_INVALID, "new_case", "expected true or false");
        goto out;
    }
    c.opened_new = nc && json_is_true(nc);
    if (!c.to) {
        rc = http_fail(r, PU_ERR_INVALID, "state", "expected " TIPS_STATES);
        goto out;
    }
    pu_err e;
    pu_err_clear(&e);
    if ((rc = tips_set_state(r->db, &r->scope, r->params[0], &c, &e))) {
        rc = http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
        goto out;
    }
    (void)pu_buf_printf(&r->detail, "state=%s%s%s", c.to, c.agency ? "; agency=" : "", c.agency ? c.agency : "");
    rc = http_json(r, 200, json_pack("{s:s,s:s}", "id", r->params[0], "status", c.to));
out:
    json_decref(o);
    return rc;
}

/* ---- POST /api/v1/tips/{id}/split {"country", "state", "text", "marking"} ---- */
int h_tips_split(http_req *r) {
    static const char *const keys[] = {"country", "state", "text", "marking", NULL};
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    http_target(r, r->params[0]);
    tips_split_req q = {0};
    q.user = r->p.user;
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "country", "body", &q.country)) ||
        (rc = http_str_member(r, o, "state", "body", &q.state)) || (rc = http_str_member(r, o, "text", "body", &q.text)) ||
        (rc = http_str_member(r, o, "marking", "body", &q.marking)))
        goto out;
    char part[TIPS_ID_MAX];
    pu_err e;
    pu_err_clear(&e);
    q.ix = http_screen_index_acquire(r);
    rc = tips_split(r->db, &r->scope, r->params[0], &q, part, &e);
    if (q.ix) http_screen_index_release(r);
    if (rc) {
        rc = http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
        goto out;
    }
    http_target(r, part);
    (void)pu_buf_printf(&r->detail, "part=%s; country=%s", part, q.country);
    rc = http_json(r, 201, json_pack("{s:s,s:s,s:s}", "id", r->params[0], "part", part, "country", q.country));
out:
    json_decref(o);
    return rc;
}

int h_tips_link(http_req *r) {
    static const char *const keys[] = {"decision", NULL};
    json_t *o;
    const char *decision = NULL;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    http_target(r, r->params[0]);
    char *end;
    long long lid = strtoll(r->params[1], &end, 10);
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "decision", "body", &decision))) goto out;
    if (*end || lid <= 0) {
        rc = http_fail(r, PU_ERR_NOTFOUND, "link", "no such link on this tip");
        goto out;
    }
    pu_err e;
    pu_err_clear(&e);
    if ((rc = tips_link_decide(r->db, &r->scope, r->params[0], lid, decision, r->p.user, &e))) {
        rc = http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
        goto out;
    }
    (void)pu_buf_printf(&r->detail, "link=%lld; decision=%s", lid, decision);
    rc = http_json(r, 200, json_pack("{s:s,s:I,s:s}", "id", r->params[0], "link", (json_int_t)lid, "status", decision));
out:
    json_decref(o);
    return rc;
}

int h_tips_indicators(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (rc) return rc;
    tips_indicators x;
    pu_err e;
    if ((rc = tips_indicators_get(r->db, &r->scope, &x, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    return http_json(r, 200,
                     json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:{s:I,s:I,s:I}}", "received", (json_int_t)x.received,
                               "open", (json_int_t)x.open, "linked", (json_int_t)x.linked, "opened_new",
                               (json_int_t)x.opened_new, "referred", (json_int_t)x.referred, "closed",
                               (json_int_t)x.closed, "duplicates", (json_int_t)x.duplicates, "spam", (json_int_t)x.spam,
                               "links", "proposed", (json_int_t)x.links_proposed, "confirmed",
                               (json_int_t)x.links_confirmed, "rejected", (json_int_t)x.links_rejected));
}

/* ---- GET /api/v1/tips/{id}/attachments/{n}?copy=clean|original ---- */
int h_tips_attachment(http_req *r) {
    static const char *const args[] = {"copy", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    http_target(r, r->params[0]);
    const char *copy = http_arg(r, "copy");
    if (copy && strcmp(copy, "clean") && strcmp(copy, "original"))
        return http_fail(r, PU_ERR_INVALID, "copy", "expected clean or original");
    char *end;
    long long aid = strtoll(r->params[1], &end, 10);
    if (*end || aid <= 0) return http_fail(r, PU_ERR_NOTFOUND, "attachment", "no such attachment on this tip");
    unsigned char *data;
    size_t n;
    char type[32];
    pu_err e;
    pu_err_clear(&e);
    if ((rc = tips_attach_open(r->db, &r->scope, r->params[0], aid, copy && !strcmp(copy, "original"), &data, &n, type, &e)))
        return http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    (void)pu_buf_printf(&r->detail, "attachment=%lld; copy=%s", aid, copy ? copy : "clean");
    pu_buf_reset(&r->out);
    rc = pu_buf_append(&r->out, data, n);
    free(data);
    if (rc) return http_fail(r, rc, NULL, "the file is too large to send");
    /* a static string: the answer may be sent after this returns (deferred audit) */
    static const char *const TYPES[] = {"image/jpeg", "image/png", "application/pdf", "text/plain", NULL};
    r->content_type = "application/octet-stream";
    for (size_t i = 0; TYPES[i]; i++)
        if (!strcmp(type, TYPES[i])) r->content_type = TYPES[i];
    r->status = 200;
    return PU_OK;
}
