#include "kin_internal.h"
void kin_search_opts_default(kin_search_opts *o){(void)o;}
int kin_search_run(const kin_case *c, const kin_opts *o, const kin_search_opts *so, kin_hit_cb cb, void *ud, uint64_t *n, pu_err *err){(void)c;(void)o;(void)so;(void)cb;(void)ud;(void)n;return pu_fail(err,PU_ERR_UNSUPPORTED,0,0,"x");}
int kin_search_pmpm(const kin_case *c, const kin_search_opts *so, kin_hit_cb cb, void *ud, pu_err *err){(void)c;(void)so;(void)cb;(void)ud;return pu_fail(err,PU_ERR_UNSUPPORTED,0,0,"x");}
int kin_simulate(kin_db *db, const kin_sim_opts *o, const char *dir, pu_err *err){(void)db;(void)o;(void)dir;return pu_fail(err,PU_ERR_UNSUPPORTED,0,0,"x");}
