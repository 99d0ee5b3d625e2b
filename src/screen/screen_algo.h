/*
 * screen_algo.h - what the scorer is, for yente's GET /algorithms and the
 * documentation: the algorithm's name, its description and every feature
 * an explanation may name, with its weight (the constants of screen_int.h,
 * read from the same place screen_run uses, so the published weights
 * cannot drift from the computed ones).
 */
#ifndef PU_SCREEN_ALGO_H
#define PU_SCREEN_ALGO_H

#include <stddef.h>

/* The scorer's name as /match reports it (matcher.name) and /algorithms lists. */
#define SCREEN_ALGO_NAME "puente-v1"

typedef struct screen_feature_doc {
    const char *name;        /* as in explanations ("birth_date_mismatch") */
    double weight;           /* added to the score (qualifiers), a factor (name kinds), or 1 (the name score) */
    const char *kind;        /* "main", "qualifier", "factor" */
    const char *description; /* one English sentence */
} screen_feature_doc;

/* The scorer's description (static). */
const char *screen_algo_description(void);
/* Every feature, static, *n entries. */
const screen_feature_doc *screen_algo_features(size_t *n);

/* yente's algorithm names that /match accepts as names of this scorer
 * (yente clients send them hard-coded): 1 when name is ours or one of
 * them, 0 otherwise. */
int screen_algo_known(const char *name);

/* 1 when POST /match `weights` may set feature (screen_weights_set). */
int screen_algo_weightable(const char *feature);

#endif
