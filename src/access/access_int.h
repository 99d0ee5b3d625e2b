/* access_int.h - helpers shared by the access module's files (not public). */
#ifndef PU_ACCESS_INT_H
#define PU_ACCESS_INT_H
#include "db/db.h"

/* Join the caller's transaction, or open our own (*own = 1). */
int acl_tx_begin(db_t *db, int *own, pu_err *err);
/* Commit our own transaction when rc is PU_OK, else roll it back; returns rc
 * or the commit error. A joined transaction is left to its owner. */
int acl_tx_end(db_t *db, int own, int rc, pu_err *err);

/* A real role, or ACL_ROLE_NONE. */
int acl_role_storable(const char *role);
/* libsodium ready (once). Errors: PU_ERR_NOMEM. */
int acl_sodium(pu_err *err);
/* Hex BLAKE2b-256 of a secret into hex[65]. */
void acl_secret_hash(const char *secret, char hex[65]);
/* Run one statement with text params (NULL = SQL NULL); *changed = rows. */
int acl_exec(db_t *db, const char *sql, const char *const *p, int np, int64_t *changed, pu_err *err);
/* Delete every session and token of a user (by name). */
int acl_revoke_user(db_t *db, const char *name, pu_err *err);

#endif
