/* monitor_int.h - internals shared by the monitor module's files (not public). */
#ifndef PU_MONITOR_INT_H
#define PU_MONITOR_INT_H

#include "monitor/monitor.h"
#include "screen/screen.h"

/* Alert statuses and decisions (stored as these words; translated for people). */
#define MON_OPEN "open"
#define MON_ASSIGNED "assigned"
#define MON_DECIDED "decided"
#define MON_ESCALATED "escalated"
#define MON_CLOSED "closed"

/* The visible list named name that scope may change (store_check_owner):
 * its id, owner and marking. Errors: PU_ERR_NOTFOUND, PU_ERR_DENIED, PU_ERR_DB. */
typedef struct mon_list {
    int64_t id;
    char name[MONITOR_NAME_MAX + 1];
    char owner[32];
    char marking[16];
    char last_run[32];
} mon_list;
int mon_list_find(db_t *db, const store_scope *scope, const char *name, mon_list *out, pu_err *err);

/* Append one step to an alert's history (inside the caller's transaction). */
int mon_event(db_t *db, int64_t alert_id, const char *actor, const char *action, const char *status,
              const char *note, pu_err *err);

/* Open an alert for a hit unless the same (owner, subject key, entity) has
 * one with the same basis; *opened = 1 when a row was added. */
typedef struct mon_hit {
    int64_t list_id, subject_id;   /* 0: none (an ad-hoc hit) */
    const char *source;            /* "monitor" or "screen" */
    const char *subject_name, *subject_key;
    const screen_match *m;
    const char *owner, *marking;
    const char *actor;
    json_t *ownership;             /* the 50 % rule's answer when the entity is blocked by it; may be NULL */
} mon_hit;
int mon_alert_open(db_t *db, const mon_hit *h, int64_t *id, int *opened, pu_err *err);

#endif
