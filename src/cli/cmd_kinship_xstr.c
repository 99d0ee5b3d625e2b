/* cmd_kinship_xstr.c - `puente kinship xstr`: X-STR LR of a pairwise
 * relationship (src/kinship/kin_xstr.h, docs/kinship.md "X-STR"), and
 * `puente kinship import-familias` (src/kinship/kin_fam.h, "Familias
 * import"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/pu_io.h"
#include "kinship/kin_fam.h"
#include "kinship/kin_xstr.h"

#define CMD "kinship xstr"

int cmd_kinship_xstr(int argc, char **argv);

static const char *USAGE =
    "usage: puente kinship xstr --freqs F --relationship R --sex1 M|F --person1 P1 --sex2 M|F --person2 P2\n"
    "                           [--population P] [--groups argus|none|FILE] [--kappa k0,k1,k2]\n"
    "                           [--autosomal-lr X]\n"
    "\n"
    "LR of 'person 1 is R of person 2' against 'unrelated' on X-chromosomal STRs.\n"
    "  R: parent-child (person 1 the parent), full-siblings, paternal-half-siblings,\n"
    "     maternal-half-siblings, paternal-grandparent, maternal-grandparent (person 1 the\n"
    "     grandparent through person 2's father / mother), or --kappa for any other\n"
    "  P1, P2: \"DXS8378=10/11;HPRTB=13\" (a man one allele, a woman two)\n"
    "  --freqs F          X-STR frequencies (marker,allele,frequency[,n_alleles_sampled])\n"
    "  --groups           argus (default): the four Argus X-12 linkage groups, each fully\n"
    "                     linked; none: every marker independent; FILE: CSV marker,group\n"
    "  --autosomal-lr X   multiply by an autosomal LR of the same pair and hypotheses\n"
    "Output: CSV marker,linkage_group,person1,person2,lr; a blank line; then\n"
    "relationship,sex1,sex2,kappa0,kappa1,kappa2,markers_compared,inconsistent_markers,lr,\n"
    "lr_markers_independent,status[,combined_lr]\n";

typedef struct xargs {
    const char *freqs, *pop, *rel, *p1, *p2, *groups, *kappa;
    int s1, s2;
    double auto_lr, k[3];
} xargs;

static int parse_sex(const char *s, int *out) {
    if (pu_strieq(s, "M") || pu_strieq(s, "1") || pu_strieq(s, "male") || pu_strieq(s, "H")) *out = 1;
    else if (pu_strieq(s, "F") || pu_strieq(s, "2") || pu_strieq(s, "female")) *out = 2;
    else return cli_usage_error(CMD, "expected a sex M or F, got '%s'", s);
    return 0;
}

static int parse_kappa(const char *s, double k[3]) {
    char *end;
    k[0] = strtod(s, &end);
    for (int i = 1; i < 3; i++) {
        if (*end != ',') {
            k[i] = 0;
            if (i == 2 && !*end) return 0; /* k0,k1 (kappa2 0) */
            return cli_usage_error(CMD, "--kappa expects k0,k1[,k2], got '%s'", s);
        }
        k[i] = strtod(end + 1, &end);
    }
    return *end ? cli_usage_error(CMD, "--kappa expects k0,k1[,k2], got '%s'", s) : 0;
}

static int parse(int argc, char **argv, xargs *a) {
    enum { X_FREQS = 1, X_POP, X_REL, X_S1, X_S2, X_P1, X_P2, X_GROUPS, X_KAPPA, X_AUTO };
    static const struct option lo[] = {{"freqs", 1, 0, X_FREQS}, {"population", 1, 0, X_POP},
                                       {"relationship", 1, 0, X_REL}, {"sex1", 1, 0, X_S1}, {"sex2", 1, 0, X_S2},
                                       {"person1", 1, 0, X_P1}, {"person2", 1, 0, X_P2},
                                       {"groups", 1, 0, X_GROUPS}, {"kappa", 1, 0, X_KAPPA},
                                       {"autosomal-lr", 1, 0, X_AUTO}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->auto_lr = NAN;
    optind = 1;
    opterr = 0;
    int ch, r = 0;
    while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1 && !r) {
        switch (ch) {
        case X_FREQS: a->freqs = optarg; break;
        case X_POP: a->pop = optarg; break;
        case X_REL: a->rel = optarg; break;
        case X_S1: r = parse_sex(optarg, &a->s1); break;
        case X_S2: r = parse_sex(optarg, &a->s2); break;
        case X_P1: a->p1 = optarg; break;
        case X_P2: a->p2 = optarg; break;
        case X_GROUPS: a->groups = optarg; break;
        case X_KAPPA: a->kappa = optarg; break;
        case X_AUTO:
            r = cli_parse_double(CMD, "--autosomal-lr", optarg, &a->auto_lr);
            if (!r && !(a->auto_lr >= 0 && isfinite(a->auto_lr)))
                r = cli_usage_error(CMD, "--autosomal-lr expects a likelihood ratio >= 0, got '%s'", optarg);
            break;
        case 'h': fputs(T(USAGE), stdout); return -1;
        default: return cli_usage_error(CMD, "unknown option or missing value: '%s'", argv[optind - 1]);
        }
    }
    if (r) return r;
    if (optind < argc) return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (!a->freqs || !a->p1 || !a->p2 || !a->s1 || !a->s2)
        return cli_usage_error(CMD, "give --freqs, --sex1, --person1, --sex2 and --person2");
    if (!a->rel == !a->kappa) return cli_usage_error(CMD, "give either --relationship or --kappa");
    return a->kappa ? parse_kappa(a->kappa, a->k) : 0;
}

static int read_file(const char *path, char **data, size_t *len, pu_err *err) {
    FILE *f;
    int rc = pu_input_open(path, &f, err);
    if (rc) return rc;
    pu_buf b = PU_BUF_INIT((size_t)64 << 20);
    char chunk[65536];
    size_t n;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = pu_buf_append(&b, chunk, n);
    fclose(f);
    if (rc) {
        pu_buf_free(&b);
        return pu_fail(err, rc, path, NULL, "could not read the file");
    }
    *len = b.len;
    *data = b.len ? pu_buf_detach(&b) : pu_strdup("");
    return *data ? PU_OK : PU_ERR_NOMEM;
}

static int load_groups(const xargs *a, const kin_db *db, int *group, pu_err *err) {
    if (!a->groups || !strcmp(a->groups, "argus") || !strcmp(a->groups, "none")) {
        kin_xgroups_default(db, !a->groups || !strcmp(a->groups, "argus"), group);
        return PU_OK;
    }
    char *data = NULL;
    size_t len = 0;
    int rc = read_file(a->groups, &data, &len, err);
    if (!rc) rc = kin_xgroups_read_mem(db, data, len, a->groups, group, err);
    free(data);
    return rc;
}

static void put_alleles(const kin_db *db, int m, const int16_t *g, int sex) {
    if (g[2 * m] < 0) return;
    fputs(db->m[m].allele[g[2 * m]], stdout);
    if (sex == 2) printf("/%s", db->m[m].allele[g[2 * m + 1]]);
}

static int group_size(const kin_db *db, const int *group, int m) {
    int n = 0;
    for (int k = 0; k < db->n; k++) n += group[k] == group[m];
    return n;
}

static void print_result(const xargs *a, const kin_db *db, const int *group, const int16_t *g1, const int16_t *g2,
                         const double *mlr, const kin_xlr *r) {
    puts("marker,linkage_group,person1,person2,lr");
    for (int m = 0; m < db->n; m++) {
        if (g1[2 * m] < 0 && g2[2 * m] < 0) continue;
        pu_csv_write_field(stdout, db->m[m].name);
        if (group_size(db, group, m) > 1) printf(",%d,", group[m]);
        else fputs(",,", stdout);
        put_alleles(db, m, g1, a->s1);
        putchar(',');
        put_alleles(db, m, g2, a->s2);
        putchar(',');
        if (!isnan(mlr[m])) printf("%.10g", mlr[m]);
        putchar('\n');
    }
    printf("\nrelationship,sex1,sex2,kappa0,kappa1,kappa2,markers_compared,inconsistent_markers,lr,"
           "lr_markers_independent,status%s\n", isnan(a->auto_lr) ? "" : ",combined_lr");
    printf("%s,%s,%s,%.10g,%.10g,%.10g,%d,%d,%.10g,%.10g,%s", a->rel ? a->rel : "custom", a->s1 == 1 ? "M" : "F",
           a->s2 == 1 ? "M" : "F", r->kappa[0], r->kappa[1], r->kappa[2], r->compared, r->inconsistent, r->lr,
           r->lr_independent, r->informative ? "informative" : "uninformative");
    /* X and the autosomes are inherited independently given the pedigree: the LRs multiply */
    if (!isnan(a->auto_lr)) printf(",%.10g", r->lr * a->auto_lr);
    putchar('\n');
    if (!r->informative)
        fputs(T("puente: kinship xstr: uninformative: under this relationship and these sexes no X allele is shared "
                "by descent (a father passes his X to daughters only), so the X-STR LR is 1 whatever the profiles\n"),
              stderr);
}

static int run(const xargs *a, pu_err *err) {
    char *data = NULL;
    size_t len = 0;
    kin_db *db = NULL;
    int rc = read_file(a->freqs, &data, &len, err);
    if (!rc) rc = kin_db_read_mem(data, len, a->freqs, a->pop, 0, &db, err);
    free(data);
    if (rc) return rc;
    db->warn = stderr;
    int n = db->n ? db->n : 1, rel = KIN_X_CUSTOM;
    int *group = malloc((size_t)n * sizeof *group);
    int16_t *g1 = malloc((size_t)n * 2 * sizeof *g1), *g2 = malloc((size_t)n * 2 * sizeof *g2);
    double *mlr = malloc((size_t)n * sizeof *mlr), k[3] = {a->k[0], a->k[1], a->k[2]};
    rc = group && g1 && g2 && mlr ? PU_OK : PU_ERR_NOMEM;
    if (!rc && a->rel && kin_xrel_parse(a->rel, &rel))
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "relationship", "unknown relationship '%s' (see --help)", a->rel);
    if (!rc && a->rel) rc = kin_x_kappa(rel, a->s1, a->s2, k, err);
    if (!rc) rc = load_groups(a, db, group, err);
    if (!rc) rc = kin_x_profile_parse(db, a->p1, a->s1, g1, "person1", err);
    if (!rc) rc = kin_x_profile_parse(db, a->p2, a->s2, g2, "person2", err);
    kin_xlr r;
    if (!rc) rc = kin_x_lr(db, group, k, a->s1, g1, a->s2, g2, mlr, &r, err);
    if (!rc) print_result(a, db, group, g1, g2, mlr, &r);
    free(group), free(g1), free(g2), free(mlr);
    kin_db_free(db);
    return rc;
}

int cmd_kinship_xstr(int argc, char **argv) {
    if (argc < 2) {
        fputs(T(USAGE), stderr);
        return CLI_EXIT_USAGE;
    }
    xargs a;
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? 0 : rc;
    pu_err err;
    pu_err_clear(&err);
    rc = run(&a, &err);
    return rc ? cli_fail(&err) : 0;
}

/* ---- `puente kinship import-familias FILE.fam` ---- */

#define FCMD "kinship import-familias"

int cmd_kinship_import_familias(int argc, char **argv);

static const char *FAM_USAGE =
    "usage: puente kinship import-familias FILE.fam --case CASE --pm PERSON --consent-document D\n"
    "           [--pedigree NAME] [--pm-id ID] [--family ID] [--relation R]\n"
    "           [--state MX-SIN --freqdb NAME --owner AG --marking M --title T]   (create the case)\n"
    "           [--db PATH] [--agency A --country C]\n"
    "\n"
    "Imports a Familias 3 case file into the case database, all or nothing: its allele\n"
    "frequencies as the next version of the case's frequency database, pedigree NAME (default\n"
    "the first with relations) as a family in which PERSON (the typed remains) is the missing\n"
    "person, the other typed persons as references with consent D, and PERSON's profile as a\n"
    "PM sample. docs/kinship.md \"Familias import\" lists what is read and what is refused.\n";

typedef struct fargs {
    kin_fam_import_opts o;
    const char *db, *agency, *country, *file;
} fargs;

static int fam_parse_args(int argc, char **argv, fargs *a) {
    enum { F_CASE = 1, F_PM, F_CDOC, F_PED, F_PMID, F_FAM, F_REL, F_STATE, F_FREQDB, F_OWNER, F_MARK, F_TITLE, F_DB,
           F_AG, F_CO };
    static const struct option lo[] = {
        {"case", 1, 0, F_CASE}, {"pm", 1, 0, F_PM}, {"consent-document", 1, 0, F_CDOC}, {"pedigree", 1, 0, F_PED},
        {"pm-id", 1, 0, F_PMID}, {"family", 1, 0, F_FAM}, {"relation", 1, 0, F_REL}, {"state", 1, 0, F_STATE},
        {"freqdb", 1, 0, F_FREQDB}, {"owner", 1, 0, F_OWNER}, {"marking", 1, 0, F_MARK}, {"title", 1, 0, F_TITLE},
        {"db", 1, 0, F_DB}, {"agency", 1, 0, F_AG}, {"country", 1, 0, F_CO}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (ch) {
        case F_CASE: a->o.case_id = optarg; break;
        case F_PM: a->o.pm_person = optarg; break;
        case F_CDOC: a->o.consent_document = optarg; break;
        case F_PED: a->o.pedigree = optarg; break;
        case F_PMID: a->o.pm_id = optarg; break;
        case F_FAM: a->o.family = optarg; break;
        case F_REL: a->o.relation = optarg; break;
        case F_STATE: a->o.state = optarg; break;
        case F_FREQDB: a->o.freqdb = optarg; break;
        case F_OWNER: a->o.owner = optarg; break;
        case F_MARK: a->o.marking = optarg; break;
        case F_TITLE: a->o.title = optarg; break;
        case F_DB: a->db = optarg; break;
        case F_AG: a->agency = optarg; break;
        case F_CO: a->country = optarg; break;
        case 'h': fputs(T(FAM_USAGE), stdout); return -1;
        default: return cli_usage_error(FCMD, "unknown option or missing value: '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) return cli_usage_error(FCMD, "expected one FILE.fam");
    a->file = argv[optind];
    if (!a->o.case_id || !a->o.pm_person)
        return cli_usage_error(FCMD, "give --case CASE and --pm PERSON (the typed remains in the file)");
    return 0;
}

int cmd_kinship_import_familias(int argc, char **argv) {
    if (argc < 2) {
        fputs(T(FAM_USAGE), stderr);
        return CLI_EXIT_USAGE;
    }
    fargs a;
    int rc = fam_parse_args(argc, argv, &a);
    if (rc) return rc < 0 ? 0 : rc;
    cli_scope sc;
    if ((rc = cli_scope_parse(FCMD, a.agency, a.country, &sc))) return rc;
    pu_err err;
    pu_err_clear(&err);
    char *data = NULL;
    size_t len = 0;
    if (read_file(a.file, &data, &len, &err)) return cli_fail(&err);
    store_t *st;
    if ((rc = cli_open_store(a.db, &st))) {
        free(data);
        return rc;
    }
    kin_actor act = {.scope = &sc.scope, .user = cli_operator_get()->user};
    kin_fam_import_result r;
    rc = kin_fam_import(store_db(st), &act, data, len, a.file, &a.o, &r, &err);
    free(data);
    store_close(st);
    if (rc) return cli_fail(&err);
    puts("case,family,pm_sample,references,persons,added_parents,freqdb,freqdb_version");
    printf("%s,%s,%s,%d,%d,%d,%s,%d\n", a.o.case_id, r.family, a.o.pm_id ? a.o.pm_id : a.o.pm_person, r.references,
           r.persons, r.added, r.freqdb, r.freqdb_version);
    return 0;
}
