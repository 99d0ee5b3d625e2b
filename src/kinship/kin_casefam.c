/* kin_casefam.c - a Familias 3 case file into the kinship CSV formats and
 * into the case database in one transaction (kin_fam.h). */
#include <stdlib.h>
#include <string.h>

#include "kinship/kin_cases_int.h"
#include "kinship/kin_fam.h"

#define FAM_CSV_MAX ((size_t)64 << 20)
#define FAM_DEFAULT_FREQDB "familias"

void kin_fam_csv_free(kin_fam_csv *c) {
    if (!c) return;
    free(c->freqs), free(c->mutation), free(c->pedigrees), free(c->am), free(c->pm);
    memset(c, 0, sizeof *c);
}

/* A CSV field, always quoted (names may hold spaces and quotes). */
static int qf(pu_buf *b, const char *s, int last) {
    int rc = pu_buf_append(b, "\"", 1);
    for (const char *p = s; *p && !rc; p++) rc = *p == '"' ? pu_buf_append(b, "\"\"", 2) : pu_buf_append(b, p, 1);
    if (!rc) rc = pu_buf_append(b, last ? "\"\n" : "\",", 2);
    return rc;
}

typedef struct famv {      /* the chosen pedigree's persons: file persons, extras, added parents */
    int n;
    const char **name;
    int *male, *father, *mother;
    char **owned;          /* added parents' names */
    int nadded;
} famv;

static void famv_free(famv *v) {
    for (int i = 0; i < v->nadded; i++) free(v->owned[i]);
    free(v->name), free(v->male), free(v->father), free(v->mother), free(v->owned);
}

static int famv_init(const kin_famfile *f, const kin_fam_ped *q, famv *v, pu_err *err) {
    int cap = 2 * (f->nper + q->nextra) + 1;
    memset(v, 0, sizeof *v);
    v->name = calloc((size_t)cap, sizeof *v->name);
    v->male = calloc((size_t)cap, sizeof(int));
    v->father = malloc((size_t)cap * sizeof(int));
    v->mother = malloc((size_t)cap * sizeof(int));
    v->owned = calloc((size_t)cap, sizeof(char *));
    if (!v->name || !v->male || !v->father || !v->mother || !v->owned) return PU_ERR_NOMEM;
    for (int i = 0; i < f->nper + q->nextra; i++) {
        const kin_fam_person *p = i < f->nper ? &f->per[i] : &q->extra[i - f->nper];
        v->name[i] = p->name, v->male[i] = p->male, v->father[i] = v->mother[i] = -1;
        for (int k = 0; k < i; k++)
            if (!strcmp(v->name[k], p->name))
                return pu_fail(err, PU_ERR_INVALID, q->name, "person", "two persons are named '%s'", p->name);
    }
    v->n = f->nper + q->nextra;
    for (int k = 0; k < q->nrel; k++) {
        int pa = q->parent[k], ch = q->child[k];
        int *slot = v->male[pa] ? &v->father[ch] : &v->mother[ch];
        if (*slot >= 0 && *slot != pa && v->male[pa])
            return pu_fail(err, PU_ERR_INVALID, q->name, "relations", "'%s' has two fathers ('%s' and '%s')",
                           v->name[ch], v->name[*slot], v->name[pa]);
        if (*slot >= 0 && *slot != pa)
            return pu_fail(err, PU_ERR_INVALID, q->name, "relations", "'%s' has two mothers ('%s' and '%s')",
                           v->name[ch], v->name[*slot], v->name[pa]);
        *slot = pa;
    }
    return PU_OK;
}

/* A child with one parent gets an untyped other parent (as pedFamilias). */
static int add_parents(famv *v) {
    int n0 = v->n;
    for (int i = 0; i < n0; i++) {
        if ((v->father[i] < 0) == (v->mother[i] < 0)) continue;
        char nm[KIN_REC_ID_MAX];
        snprintf(nm, sizeof nm, "%s%d", KIN_FAM_ADDED_PREFIX, v->nadded + 1);
        int k = v->n++;
        if (!(v->owned[v->nadded++] = pu_strdup(nm))) return PU_ERR_NOMEM;
        v->name[k] = v->owned[v->nadded - 1];
        v->male[k] = v->father[i] < 0;
        v->father[k] = v->mother[k] = -1;
        if (v->male[k]) v->father[i] = k;
        else v->mother[i] = k;
    }
    return PU_OK;
}

static int write_db(const kin_famfile *f, kin_fam_csv *o) {
    pu_buf fr = PU_BUF_INIT(FAM_CSV_MAX), mu = PU_BUF_INIT(FAM_CSV_MAX);
    int rc = pu_buf_printf(&fr, "marker,allele,frequency\n");
    if (!rc) rc = pu_buf_printf(&mu, "marker,female_model,female_rate,female_rate2,female_range,male_model,"
                                     "male_rate,male_rate2,male_range\n");
    for (int i = 0; i < f->nloc && !rc; i++) {
        const kin_fam_locus *l = &f->loc[i];
        for (int k = 0; k < l->nall && !rc; k++) {
            rc = qf(&fr, l->name, 0);
            if (!rc) rc = qf(&fr, l->allele[k], 0);
            if (!rc) rc = pu_buf_printf(&fr, "%.17g\n", l->freq[k]);
        }
        if (!rc) rc = qf(&mu, l->name, 0);
        for (int s = 0; s < 2 && !rc; s++)
            rc = pu_buf_printf(&mu, "%s,%.17g,0,%.17g%s", l->rate[s] > 0 ? l->model[s] : "none", l->rate[s],
                               l->range[s], s ? "\n" : ",");
    }
    if (!rc) o->freqs = pu_buf_detach(&fr), o->mutation = pu_buf_detach(&mu);
    pu_buf_free(&fr), pu_buf_free(&mu);
    return rc ? rc : (o->freqs && o->mutation ? PU_OK : PU_ERR_NOMEM);
}

static int write_gt(pu_buf *b, const kin_famfile *f, const kin_fam_person *p, const char *c1, const char *c2) {
    int rc = PU_OK;
    for (int j = 0; j < p->ngt && !rc; j++) {
        const kin_fam_locus *l = &f->loc[p->gt[j].locus];
        rc = qf(b, c1, 0);
        if (!rc && c2) rc = pu_buf_append(b, c2, strlen(c2));
        if (!rc) rc = qf(b, l->name, 0);
        if (!rc) rc = qf(b, l->allele[p->gt[j].a1], 0);
        if (!rc) rc = qf(b, l->allele[p->gt[j].a2], 1);
    }
    return rc;
}

static int write_case(const kin_famfile *f, const famv *v, int pm, const char *pm_id, const char *family,
                      kin_fam_csv *o) {
    pu_buf pe = PU_BUF_INIT(FAM_CSV_MAX), am = PU_BUF_INIT(FAM_CSV_MAX), pb = PU_BUF_INIT(FAM_CSV_MAX);
    int rc = pu_buf_printf(&pe, "family,id,fid,mid,sex,role\n");
    if (!rc) rc = pu_buf_printf(&am, "family,id,marker,allele1,allele2\n");
    if (!rc) rc = pu_buf_printf(&pb, "sample,sex,marker,allele1,allele2\n");
    for (int i = 0; i < v->n && !rc; i++) {
        int typed = i < f->nper && f->per[i].ngt > 0;
        const char *role = i == pm ? "missing" : typed ? "reference" : "untyped";
        rc = qf(&pe, family, 0);
        if (!rc) rc = qf(&pe, v->name[i], 0);
        if (!rc) rc = qf(&pe, v->father[i] >= 0 ? v->name[v->father[i]] : "0", 0);
        if (!rc) rc = qf(&pe, v->mother[i] >= 0 ? v->name[v->mother[i]] : "0", 0);
        if (!rc) rc = pu_buf_printf(&pe, "%d,%s\n", v->male[i] ? 1 : 2, role);
        if (!rc && typed && i != pm) {
            char fam_id[KIN_REC_ID_MAX + 4];
            snprintf(fam_id, sizeof fam_id, "\"%s\",", v->name[i]);
            rc = write_gt(&am, f, &f->per[i], family, fam_id);
            o->references++;
        }
    }
    char sx[8];
    snprintf(sx, sizeof sx, "%d,", v->male[pm] ? 1 : 2);
    if (!rc) rc = write_gt(&pb, f, &f->per[pm], pm_id, sx);
    if (!rc) o->pedigrees = pu_buf_detach(&pe), o->am = pu_buf_detach(&am), o->pm = pu_buf_detach(&pb);
    pu_buf_free(&pe), pu_buf_free(&am), pu_buf_free(&pb);
    return rc ? rc : (o->pedigrees && o->am && o->pm ? PU_OK : PU_ERR_NOMEM);
}

static int find_ped(const kin_famfile *f, const char *pedigree, pu_err *err) {
    for (int i = 0; i < f->nped; i++)
        if (pedigree ? !strcmp(f->ped[i].name, pedigree) : f->ped[i].nrel > 0) return i;
    if (pedigree)
        return pu_fail(err, PU_ERR_INVALID, NULL, "pedigree", "the file has no pedigree named '%s'", pedigree), -1;
    return pu_fail(err, PU_ERR_INVALID, NULL, "pedigree", "the file has no pedigree with relations%s", ""), -1;
}

int kin_fam_to_csv(const kin_famfile *f, const char *pedigree, const char *pm_person, const char *pm_id,
                   const char *family, kin_fam_csv *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    int qi = find_ped(f, pedigree, err), pm = -1;
    if (qi < 0) return PU_ERR_INVALID;
    for (int i = 0; pm_person && i < f->nper; i++)
        if (!strcmp(f->per[i].name, pm_person)) pm = i;
    if (pm < 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "pm", "no person '%s' in the file: name the typed person that is "
                       "the remains (--pm)", pm_person ? pm_person : "");
    if (!f->per[pm].ngt)
        return pu_fail(err, PU_ERR_INVALID, NULL, "pm", "person '%s' has no DNA data: the remains must be typed",
                       pm_person);
    famv v;
    int rc = famv_init(f, &f->ped[qi], &v, err);
    if (!rc) rc = add_parents(&v);
    if (!rc) rc = write_db(f, out);
    if (!rc) rc = write_case(f, &v, pm, pm_id ? pm_id : pm_person, family, out);
    out->persons = v.n;
    out->added = v.nadded;
    famv_free(&v);
    if (rc) kin_fam_csv_free(out);
    return rc;
}

/* ---- import ---- */

/* The case's frequency database name (KIN_REC_ID_MAX); the case is created
 * when absent and o->state is given. */
static int case_freqdb(db_t *db, const kin_actor *a, const kin_fam_import_opts *o, char *fname, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT c.freqdb FROM kin_case c WHERE c.id = ? AND ");
    db_sql_text(&q, o->case_id ? o->case_id : "");
    store_scope_sql(&q, a->scope, "c");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) pu_strlcpy(fname, db_col_text(st, 0), KIN_REC_ID_MAX), rc = PU_OK;
    db_finalize(st);
    if (rc == DB_DONE && o->state) {
        pu_strlcpy(fname, o->freqdb && *o->freqdb ? o->freqdb : FAM_DEFAULT_FREQDB, KIN_REC_ID_MAX);
        kin_case_new n = {o->case_id, o->title, NULL, o->state, fname, o->owner, o->marking};
        return kin_case_create(db, a, &n, err);
    }
    if (rc == DB_DONE)
        return pu_fail(err, PU_ERR_NOTFOUND, o->case_id, "case", "no such case (or not visible to you); give --state "
                       "to create it");
    if (!rc && !*fname)
        return pu_fail(err, PU_ERR_INVALID, o->case_id, "freqdb", "the case names no frequency database, so the "
                       "file's could not become its next version; create the case with --freqdb");
    return rc;
}

static int import_parts(db_t *db, const kin_actor *a, const kin_fam_csv *c, const kin_fam_import_opts *o,
                        const char *name, kin_fam_import_result *res, pu_err *err) {
    char part[PU_ERR_WHERE_MAX];
    int rc = case_freqdb(db, a, o, res->freqdb, err), n = 0;
    if (!rc) rc = kin_freqdb_add(db, res->freqdb, NULL, c->freqs, c->mutation, &res->freqdb_version, err);
    kin_family_meta fm = {o->pm_person, NULL, "imported from a Familias file", NULL};
    snprintf(part, sizeof part, "%s(pedigree)", name);
    if (!rc) rc = kin_family_import(db, a, o->case_id, c->pedigrees, strlen(c->pedigrees), part, &fm, &n, err);
    kin_ref_meta rm = {NULL, o->relation, o->consent_document};
    snprintf(part, sizeof part, "%s(references)", name);
    if (!rc && c->references) rc = kin_ref_import(db, a, c->am, strlen(c->am), part, &rm, &res->references, err);
    kin_pm_meta pm = {.quality = "imported from a Familias file"};
    snprintf(part, sizeof part, "%s(remains)", name);
    if (!rc) rc = kin_pm_import(db, a, o->case_id, c->pm, strlen(c->pm), part, &pm, &res->pm_samples, err);
    return rc;
}

int kin_fam_import(db_t *db, const kin_actor *a, const char *data, size_t len, const char *name,
                   const kin_fam_import_opts *o, kin_fam_import_result *res, pu_err *err) {
    memset(res, 0, sizeof *res);
    if (!o->consent_document || !*o->consent_document)
        return pu_fail(err, PU_ERR_INVALID, NULL, "consent_document",
                       "the references' consent document is required (identification only)");
    if (!o->case_id || !*o->case_id) return pu_fail(err, PU_ERR_INVALID, NULL, "case", "name the case");
    kin_famfile *f = NULL;
    kin_fam_csv c;
    memset(&c, 0, sizeof c);
    const char *nm = name ? name : "<memory>";
    if (o->family) pu_strlcpy(res->family, o->family, sizeof res->family);
    else snprintf(res->family, sizeof res->family, "%s:%s", o->case_id, o->pm_person ? o->pm_person : "");
    int rc = kin_fam_parse(data, len, nm, &f, err);
    if (!rc) rc = kin_fam_to_csv(f, o->pedigree, o->pm_person, o->pm_id, res->family, &c, err);
    int own = 0;
    if (!rc) rc = kcs_begin(db, &own, err);
    if (!rc) {
        rc = import_parts(db, a, &c, o, nm, res, err);
        /* all or nothing: a refused part leaves the store as it was */
        if (!rc) rc = kcs_commit(db, own, err);
        else kcs_rollback(db, own);
    }
    res->persons = c.persons, res->added = c.added;
    if (rc) res->references = res->pm_samples = res->freqdb_version = 0;
    kin_fam_csv_free(&c);
    kin_famfile_free(f);
    return rc;
}
