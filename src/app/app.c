/* app.c - the module registry's lookups and the application context (app.h). */
#include "app/app.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const app_module *app_module_find(const char *name) {
    for (const app_module *const *m = app_modules(); name && *m; m++)
        if (strcmp((*m)->name, name) == 0) return *m;
    return NULL;
}

const app_command *app_command_find(const char *name) {
    for (const app_module *const *m = app_modules(); name && *m; m++)
        for (size_t i = 0; i < (*m)->ncommands; i++)
            if (strcmp((*m)->commands[i].name, name) == 0) return &(*m)->commands[i];
    return NULL;
}

int app_migrate(db_t *db, pu_err *err) {
    for (const app_module *const *m = app_modules(); *m; m++) {
        if (!(*m)->migrate) continue;
        int rc = (*m)->migrate(db, err);
        if (rc) return rc;
    }
    return PU_OK;
}

#define APP_MAX_MODULES 32

struct app {
    store_t *st;
    pthread_mutex_t mu;            /* guards state[] creation */
    void *state[APP_MAX_MODULES];  /* indexed like app_modules() */
};

int app_open(const app_opts *o, app_t **out, pu_err *err) {
    *out = NULL;
    app_t *app = calloc(1, sizeof *app);
    if (!app) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pthread_mutex_init(&app->mu, NULL);
    int rc = store_open(o && o->db_path ? o->db_path : ":memory:", &app->st, err);
    if (!rc) rc = app_migrate(store_db(app->st), err);
    if (rc) {
        app_close(app);
        return rc;
    }
    *out = app;
    return PU_OK;
}

void app_close(app_t *app) {
    if (!app) return;
    const app_module *const *mods = app_modules();
    size_t n = 0;
    while (mods[n] && n < APP_MAX_MODULES) n++;
    for (size_t i = n; i-- > 0;)
        if (app->state[i] && mods[i]->state_close) mods[i]->state_close(app->state[i]);
    store_close(app->st);
    pthread_mutex_destroy(&app->mu);
    free(app);
}

store_t *app_store(app_t *app) { return app->st; }
db_t *app_db(app_t *app) { return store_db(app->st); }

int app_state(app_t *app, const char *name, void **out, pu_err *err) {
    *out = NULL;
    const app_module *const *mods = app_modules();
    size_t i = 0;
    while (mods[i] && i < APP_MAX_MODULES && strcmp(mods[i]->name, name) != 0) i++;
    if (!mods[i] || i == APP_MAX_MODULES || !mods[i]->state_open)
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, "module", "module '%s' keeps no engine state", name);
    pthread_mutex_lock(&app->mu);
    int rc = PU_OK;
    if (!app->state[i]) rc = mods[i]->state_open(app->st, &app->state[i], err);
    *out = app->state[i];
    pthread_mutex_unlock(&app->mu);
    return rc;
}
