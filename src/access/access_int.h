/* access_int.h - helpers shared by the access module's files (not public). */
#ifndef PU_ACCESS_INT_H
#define PU_ACCESS_INT_H
#include "db/db.h"

/* Join the caller's transaction, or open our own (*own = 1). */
int acl_tx_begin(db_t *db, int *own, pu_err *err);
/* Commit our own transaction when rc is PU_OK, else roll it back; returns rc
 * or the commit error. A joined transaction is left to its owner. */
int acl_tx_end(db_t *db, int own, int rc, pu_err *err);

#endif
