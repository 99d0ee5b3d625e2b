/* resolve_int.h - internals shared by the resolve module's files. */
#ifndef PU_RESOLVE_INT_H
#define PU_RESOLVE_INT_H

#include "resolve/resolve.h"

#define RESOLVE_SRC_ENTITY "entity"
#define RESOLVE_SRC_PURCHASER "trace.purchaser"
#define RESOLVE_SRC_POSSESSOR "trace.possessor"
#define RESOLVE_SRC_CARGO "cargo.party"
#define RESOLVE_SRC_TIP "tip.mention"
#define RESOLVE_PHONE_DIGITS 10
#define RESOLVE_LABEL_CTX "resolve_record.label"   /* names are sealed at rest like their sources' */

void resolve_norm_addr(const char *in, char *out, size_t size);
/* Index of a source name in resolve_run_stats.per_source, or -1. */
int resolve_source_index(const char *source);
/* Split "source:ref" (the source has no ':'); 0 on success. */
int resolve_key_split(const char *key, char *source, size_t ssize, const char **ref);

#endif
