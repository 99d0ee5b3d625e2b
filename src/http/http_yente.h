/* http_yente.h - yente API parity (docs/screening.md "yente and watchman
 * parity"): the /match filters shared with http_screen.c, and the handlers
 * of GET /search/{dataset}, GET /entities/{id}, GET /catalog and
 * GET /algorithms (http_yente.c). */
#ifndef PU_HTTP_YENTE_H
#define PU_HTTP_YENTE_H

#include "http/http_int.h"
#include "screen/screen.h"

#define YENTE_FILTER_MAX 50  /* values per list parameter (yente: 50 exclude_entity_ids) */

/* The candidate filters of POST /match and GET /search, from the query
 * string. Strings point into the request (valid for its lifetime). */
typedef struct yente_filter {
    const char *exclude_ids[YENTE_FILTER_MAX];
    size_t nexclude_ids;
    const char *include_ds[YENTE_FILTER_MAX]; /* include_dataset / datasets: any of */
    size_t ninclude_ds;
    const char *exclude_ds[YENTE_FILTER_MAX]; /* exclude_dataset: none of */
    size_t nexclude_ds;
    const char *topics[YENTE_FILTER_MAX];     /* topics: any of (FtM `topics`) */
    size_t ntopics;
    const char *exclude_schema[YENTE_FILTER_MAX]; /* the schema or a descendant is left out */
    size_t nexclude_schema;
    const char *programs[YENTE_FILTER_MAX];   /* /match: any of the sanctions programs (a Puente extension) */
    size_t nprograms;
    const char *countries[YENTE_FILTER_MAX];  /* /search: any of */
    size_t ncountries;
    const char *changed_since;                /* ISO date or timestamp: last change at or after */
    int target;                               /* /search target=true: listed entities only */
    int active;                               /* any filter given */
    int needs_entity;                         /* topics, countries, changed_since: the entity is read */
} yente_filter;

/* Parse the filter parameters of the request into f. search = 1 for
 * /search (countries, target accepted). Errors (request failed): 400 for
 * more than YENTE_FILTER_MAX values, an unknown schema in exclude_schema, a
 * changed_since that is no ISO date. */
int yente_filter_parse(http_req *r, int search, yente_filter *f);

/* Whether a scored candidate passes f (the reader's scope applies to every
 * read it makes: an entity the reader may not see never passes). For
 * needs_entity filters the entity is read from the store (store_get). */
int yente_filter_keep(http_req *r, const yente_filter *f, const screen_match *m);

/* The same for an entity in hand. */
int yente_filter_keep_entity(const yente_filter *f, const ftm_entity *e);

/* Handlers (http_yente.c). */
int h_yente_search(http_req *r);
int h_yente_entity(http_req *r);
int h_yente_catalog(http_req *r);
int h_yente_algorithms(http_req *r);

#endif
