/* ews_store_int.h - internals shared by ews_vocab.c and ews_store.c. */
#ifndef PU_EWS_STORE_INT_H
#define PU_EWS_STORE_INT_H

#include "db/db.h"

int ews_vocab_load_db(db_t *db, const char *path, int64_t *loaded, pu_err *err);
int ews_places_load_db(db_t *db, const char *path, pu_err *err);
int ews_synonym_add_db(db_t *db, const char *id, const char *name, const char *lang, const char *owner,
                       const char *marking, pu_err *err);
int ews_class_valid(const char *c);

#endif
