/*
 * monitor.h - ownership and control (the OFAC 50 % rule), ongoing monitoring
 * of customer lists against the designated entities, and the review queue
 * with four eyes. Method, references and decisions: docs/monitor.md.
 *
 * Visibility: every read of a record with owner/marking (entities,
 * relationships, customer lists, alerts) goes through store_scope_sql with
 * the reader's scope, so a hidden Ownership record is never followed and a
 * hidden alert is never listed or counted. Writes are checked with
 * store_check_file / store_check_owner.
 *
 * Ownership: everything returned through an out-parameter is the caller's
 * and is freed with the matching *_free function (all NULL-safe).
 */
#ifndef PU_MONITOR_H
#define PU_MONITOR_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "common/pu.h"
#include "common/pu_count.h"
#include "common/pu_report.h"
#include "store/store.h"

/* Bring the module's tables (monitor_list, monitor_subject, monitor_alert,
 * monitor_alert_event) up to date; run once by the registry. Errors:
 * PU_ERR_DB, PU_ERR_CONFLICT. */
int monitor_migrate(db_t *db, pu_err *err);

/* ---- designated ---------------------------------------------------------
 * The ONE place that says which entities are designated (a hit, an owner
 * that blocks): those carrying the FtM topic "sanction". Part A of issue #19
 * (the designated scope of screening) replaces the body of this function;
 * nothing else in the module decides it. */
#define MONITOR_DESIGNATED_TOPIC "sanction"
int monitor_is_designated(const ftm_entity *e);

/* ---- ownership and the 50 % rule (monitor_owner.c) ------------------------
 * A company owned 50 % or more in aggregate by designated persons or
 * companies, directly or indirectly, is blocked (OFAC, "Revised Guidance on
 * Entities Owned by Persons Whose Property and Interests in Property Are
 * Blocked", 13 August 2014). The aggregate is computed over the Ownership
 * records the reader may see, whose period covers today:
 *   share      = sum over every chain designated -> ... -> entity of the
 *                product of the percentages along it (look-through);
 *   ofac_share = sum of the direct stakes held by designated owners or by
 *                owners that are themselves blocked (>= 50 %), each counted
 *                in full, as the guidance counts a blocked entity's stake;
 * blocked when either reaches MONITOR_OWN_THRESHOLD. A chain never passes
 * an entity twice (cycles end there) and stops at its first designated
 * owner (whose stake already counts in full). */
#define MONITOR_OWN_THRESHOLD 0.5
#define MONITOR_OWN_MAX_DEPTH 8       /* links in one chain */
#define MONITOR_OWN_MAX_CHAINS 64     /* chains kept for the explanation */
#define MONITOR_OWN_MAX_EDGES 200000  /* Ownership records loaded at once */

typedef struct monitor_link {
    char *record_id;          /* the Ownership entity */
    char *owner_id, *owner_caption;
    char *asset_id, *asset_caption;
    double share;             /* 0..1 */
} monitor_link;

typedef struct monitor_chain {
    monitor_link *links;      /* from the designated owner down to the entity */
    size_t n;
    double share;             /* product of the links' shares */
} monitor_chain;

typedef struct monitor_ownership {
    char *entity_id;
    double share, ofac_share;
    int blocked;
    monitor_chain *chains;    /* the chains from designated owners, largest share first */
    size_t nchains;
    size_t more_chains;       /* chains found beyond MONITOR_OWN_MAX_CHAINS */
    int truncated;            /* 1: the work bound stopped the walk; the shares may be higher */
} monitor_ownership;

/* The visible ownership graph, loaded once and used for many entities (a
 * screening batch). Owned by the caller (monitor_graph_free). */
typedef struct monitor_graph monitor_graph;
/* Load the Ownership records scope may see (in force today). Errors:
 * PU_ERR_INTERNAL (NULL scope), PU_ERR_LIMIT (over MONITOR_OWN_MAX_EDGES),
 * PU_ERR_DB, PU_ERR_NOMEM. */
int monitor_graph_load(store_t *st, const store_scope *scope, monitor_graph **out, pu_err *err);
void monitor_graph_free(monitor_graph *g);
/* The 50 % rule for entity_id over g (entities read through store_get with
 * g's scope: an owner the reader may not see is not followed).
 * Errors: PU_ERR_INVALID (empty id), PU_ERR_DB, PU_ERR_NOMEM. */
int monitor_graph_ownership(monitor_graph *g, const char *entity_id, monitor_ownership **out, pu_err *err);
/* Load + compute for one entity. Errors: PU_ERR_NOTFOUND (entity absent or
 * hidden), monitor_graph_load's and monitor_graph_ownership's. */
int monitor_ownership_get(store_t *st, const store_scope *scope, const char *entity_id, monitor_ownership **out,
                          pu_err *err);
void monitor_ownership_free(monitor_ownership *o);
/* {"entity_id", "blocked", "share", "ofac_share", "threshold", "chains":
 * [{"share", "links": [{"record", "owner", "owner_caption", "asset",
 * "asset_caption", "share"}]}], "more_chains", "truncated"}. New reference
 * or NULL. */
json_t *monitor_ownership_to_json(const monitor_ownership *o);
/* Add "blocked_by_ownership" (monitor_ownership_to_json) to every match of
 * a screening result (screen_result_to_json) whose entity can be owned and
 * is blocked by ownership over g. g may be NULL (nothing to add).
 * Errors: monitor_graph_ownership's. */
int monitor_annotate_result(monitor_graph *g, json_t *result, pu_err *err);
/* The ids of every entity blocked by ownership over g (each asset of a
 * visible Ownership record, computed once), sorted by strcmp, for the
 * designated scope of a screening (screen_params.also_designated): a
 * company owned 50 % or more by designated persons is screened as one.
 * *ids (the caller's: free each and the array) may be NULL with *n = 0.
 * Errors: monitor_graph_ownership's, PU_ERR_NOMEM. */
int monitor_graph_blocked_ids(monitor_graph *g, char ***ids, size_t *n, pu_err *err);
/* 1 when id is in the sorted set of monitor_graph_blocked_ids (a
 * screen_params.also_designated callback: ctx is a monitor_blocked_set). */
typedef struct monitor_blocked_set {
    char **ids;
    size_t n;
} monitor_blocked_set;
int monitor_blocked_has(const void *ctx, const char *id);
void monitor_blocked_set_free(monitor_blocked_set *s);   /* NULL-safe */

/* Human-readable explanation in the CLI's language. */
void monitor_ownership_print(const monitor_ownership *o, FILE *out);

/* ---- customer lists (monitor_list.c) --------------------------------------
 * A customer list is a named set of subjects (persons, companies, vessels)
 * with qualifiers, owned by an agency and marked like any record. */
#define MONITOR_NAME_MAX 128          /* list name, bytes */
#define MONITOR_SUBJECTS_MAX 1000000  /* subjects per list */
#define MONITOR_RECORD_MAX 16384      /* one CSV record, bytes */

typedef struct monitor_add_opts {
    const char *marking;      /* NULL: STORE_DEFAULT_MARKING for a new list */
    FILE *diag;               /* rejects and warnings as they happen; may be NULL */
} monitor_add_opts;

/* Add or update the subjects of `path` (CSV with header: name (required);
 * id, schema, birth_date, country, id_numbers (';'-separated)) to list
 * `list`, created for scope's agency when absent. A subject is keyed by its
 * id, else by name and birth date; a subject whose values changed is
 * screened in full at the next run. Bad records are refused with
 * file:line and field and counted in *rep (initialised by the caller);
 * the rest is stored in ONE transaction. Errors: PU_ERR_INVALID (bad list
 * name or header, empty file), PU_ERR_DENIED (another agency's list,
 * marking not allowed), PU_ERR_IO, PU_ERR_LIMIT, PU_ERR_DB. */
int monitor_list_add(store_t *st, const store_scope *scope, const char *list, const char *path,
                     const monitor_add_opts *o, pu_report *rep, pu_err *err);
/* The same from memory (fuzzing, API uploads): name names it in messages. */
int monitor_list_add_mem(store_t *st, const store_scope *scope, const char *list, const char *name, const char *data,
                         size_t n, const monitor_add_opts *o, pu_report *rep, pu_err *err);

typedef struct monitor_list_row {
    int64_t id;
    const char *name, *owner, *marking, *created, *last_run; /* last_run "" before the first run */
    int64_t subjects, open_alerts;
} monitor_list_row;
typedef int (*monitor_list_cb)(const monitor_list_row *row, void *ctx);
/* Every list scope may see, by name. Errors: PU_ERR_INTERNAL, PU_ERR_DB. */
int monitor_lists(store_t *st, const store_scope *scope, monitor_list_cb cb, void *ctx, pu_err *err);

/* ---- monitoring runs (monitor_run.c) --------------------------------------
 * A run re-screens a list's subjects against the DELTA: the designated
 * entities created or changed since the list's last run (entity.updated),
 * and subjects new or changed since then against every designated entity;
 * the first run screens everything. A hit opens an alert unless the same
 * (subject, entity) was alerted before with the same basis (matched name and
 * score): an unchanged hit opens nothing, a changed one a new alert. Open
 * alerts whose entity was deleted are flagged basis_removed. */
typedef struct monitor_run_summary {
    int64_t lists, subjects, full_screens, delta_entities, hits, alerts_opened, unchanged, suppressed,
        basis_removed;
} monitor_run_summary;
/* Run list `list` (NULL: every list scope may change). Errors:
 * PU_ERR_NOTFOUND (no such list visible), PU_ERR_DENIED (not the list's
 * agency), PU_ERR_DB, PU_ERR_NOMEM. */
int monitor_run(store_t *st, const store_scope *scope, const char *list, monitor_run_summary *sum, pu_err *err);

/* ---- the review queue (monitor_alert.c) -----------------------------------
 * open -> assigned -> decided: true_match waits for a second reviewer
 * (status "decided") who confirms it (status "closed"); false_positive
 * closes it at once and records a reviewed decision on the subject
 * (screen_review_add) so screening suppresses the pair; escalated goes to
 * status "escalated" and may be assigned and decided again.
 * Four eyes: the reviewer who decided can never confirm; the confirmer
 * needs ACL_P_OVERSIGHT (supervisor) and the owning agency (or its grant).
 * Every step is written to monitor_alert_event in the same transaction. */
#define MONITOR_NOTE_MAX 4000

typedef struct monitor_actor {
    const char *user;         /* who acts: an account, "cli:<login>" */
    unsigned perms;           /* ACL_P_* of that user */
} monitor_actor;

typedef struct monitor_alert_filter {
    const char *status;       /* NULL: any; else open/assigned/decided/escalated/closed */
    const char *list;         /* NULL: any */
    const char *assignee;     /* NULL: any */
    int64_t limit, offset;    /* limit 0: MONITOR_ALERTS_DEFAULT_LIMIT */
} monitor_alert_filter;
#define MONITOR_ALERTS_DEFAULT_LIMIT 200

typedef struct monitor_alert {
    int64_t id;
    const char *list, *source, *subject_name, *subject_key, *entity_id, *entity_caption, *matched_name;
    double score;
    const char *owner, *marking, *status, *assignee, *decision, *note, *decided_by, *decided_at, *confirmed_by,
        *confirmed_at, *confirm_note, *created;
    int basis_removed;
    const char *explain;      /* the hit's JSON (screen_match_to_json) */
} monitor_alert;
typedef int (*monitor_alert_cb)(const monitor_alert *a, void *ctx);
/* Alerts scope may see, newest first. Errors: PU_ERR_INVALID (unknown
 * status), PU_ERR_INTERNAL, PU_ERR_DB. */
int monitor_alerts(store_t *st, const store_scope *scope, const monitor_alert_filter *f, monitor_alert_cb cb,
                   void *ctx, pu_err *err);
/* One alert (cb called once). Errors: PU_ERR_NOTFOUND (absent or hidden). */
int monitor_alert_get(store_t *st, const store_scope *scope, int64_t id, monitor_alert_cb cb, void *ctx, pu_err *err);
/* The alert's history (cb gets an alert whose status/decided_by/note/created
 * hold the step's to-status, actor, note and time). Errors: as get. */
int monitor_alert_history(store_t *st, const store_scope *scope, int64_t id, monitor_alert_cb cb, void *ctx,
                          pu_err *err);
/* JSON of an alert (new reference, NULL on NOMEM). */
json_t *monitor_alert_to_json(const monitor_alert *a);

/* Send an ad-hoc screening hit to the queue: the subject (names[0], birth
 * date, ids as screen_query) scored against entity_id. Opens one alert of
 * source "screen" (or returns the open one of the same pair in *id).
 * Errors: PU_ERR_NOTFOUND (entity hidden), PU_ERR_INVALID, PU_ERR_DB. */
struct screen_query;
int monitor_alert_send(store_t *st, const store_scope *scope, const monitor_actor *who, const struct screen_query *q,
                       const char *entity_id, int64_t *id, pu_err *err);
/* assignee NULL: the actor. Errors: PU_ERR_NOTFOUND, PU_ERR_DENIED (another
 * agency's alert), PU_ERR_CONFLICT (the alert is decided or closed). */
int monitor_alert_assign(store_t *st, const store_scope *scope, const monitor_actor *who, int64_t id,
                         const char *assignee, pu_err *err);
/* decision: true_match, false_positive or escalated; note required.
 * Errors: PU_ERR_INVALID, PU_ERR_NOTFOUND, PU_ERR_DENIED (not the assignee),
 * PU_ERR_CONFLICT (not assigned). */
int monitor_alert_decide(store_t *st, const store_scope *scope, const monitor_actor *who, int64_t id,
                         const char *decision, const char *note, pu_err *err);
/* The second reviewer's confirmation of a true match (closes it).
 * Errors: PU_ERR_DENIED (the decider, or no oversight permission, or
 * another agency), PU_ERR_CONFLICT (not a decided true match),
 * PU_ERR_NOTFOUND, PU_ERR_INVALID (note). */
int monitor_alert_confirm(store_t *st, const store_scope *scope, const monitor_actor *who, int64_t id,
                          const char *note, pu_err *err);

/* ---- impact counts (monitor_counts.c) ---------------------------------------
 * monitor.alerts_opened (by month of opening, owning agency) and
 * monitor.true_matches (confirmed true matches, by month of confirmation). */
int monitor_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);

#endif
