/* cmd_kinship_case.c - `puente kinship case ...`: the thin CLI over the
 * identification case database (src/kinship/kin_cases.h, docs/kinship.md
 * "Case database"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/pu_io.h"
#include "i18n/i18n.h"
#include "kinship/kin_cases.h"

#define CMD "kinship case"
#define INPUT_MAX ((size_t)256 << 20)  /* one imported file */

int cmd_kinship_case(int argc, char **argv);

static const char *USAGE =
    "usage: puente kinship case <subcommand> [options]\n"
    "\n"
    "The identification case database: remains, families, references with consent, incremental\n"
    "search and the four-eyes review of hits.\n"
    "\n"
    "  freqdb NAME FILE [--mutation F] [--population P]   register the next version of a\n"
    "                                         frequency database (the kinship CSV formats)\n"
    "  new CASE --state MX-SIN [--title T] [--freqdb NAME] [--owner AG] [--marking M]\n"
    "  add-pm CASE FILE [--site S] [--grave G] [--lab L] [--kit K] [--quality Q]\n"
    "        [--dropout P] [--dropin C] [--dropout-file F] [--marking M]\n"
    "                                         PM samples (pm_genotypes.csv format); F: CSV\n"
    "                                         sample,marker,dropout[,dropin], * = every sample/marker\n"
    "  set-dropout PM [--dropout P] [--dropin C] [--dropout-file F]\n"
    "                                         replace a stored sample's dropout (per marker from F);\n"
    "                                         the sample is searched again, its open hits superseded\n"
    "  add-family CASE FILE [--name N] [--disappeared DATE] [--notes T] [--marking M]\n"
    "                                         pedigrees (am_pedigrees.csv format)\n"
    "  add-reference FILE --consent-document D [--donor N] [--relation R]\n"
    "                                         reference profiles (am_genotypes.csv format)\n"
    "  consent REF --withdraw --reason R | --give --document D\n"
    "  search [--freqdb NAME] [--threshold 1e4] [--max-incomp 2] [--threads N]\n"
    "                                         score only the pairs that are new\n"
    "  hits [--status S]                      CSV of the hits you may see\n"
    "  review HIT [--note T]                  a geneticist reviews a candidate\n"
    "  confirm HIT --prior P [--note T]       a second geneticist confirms a reviewed hit\n"
    "  exclude HIT [--note T]                 ... or excludes it\n"
    "  report HIT [--lang en|es] [--html]     report of a decided hit\n"
    "  export HIT                             the hit in Familias terms (pedigree, per-marker LR)\n"
    "\n"
    "Common options: --db PATH; --today YYYY-MM-DD;\n" CLI_SCOPE_HELP;

typedef struct copts {
    const char *db, *today, *agency, *country, *owner, *marking, *state, *title, *freqdb, *mutation, *population;
    const char *site, *grave, *lab, *kit, *quality, *name, *disappeared, *notes, *consent_doc, *donor, *relation;
    const char *reason, *document, *status, *note, *lang, *drop_file;
    double dropout, dropin, threshold, prior;
    long max_incomp, threads;
    int withdraw, give, html;
    int nargs;
    char **args;
    cli_scope sc;
} copts;

enum { O_DB = 1000, O_TODAY, O_AG, O_CO, O_OWNER, O_MARK, O_STATE, O_TITLE, O_FREQDB, O_MUT, O_POP, O_SITE,
       O_GRAVE, O_LAB, O_KIT, O_QUAL, O_NAME, O_DIS, O_NOTES, O_CDOC, O_DONOR, O_REL, O_REASON, O_DOC, O_STATUS,
       O_NOTE, O_LANG, O_DROP, O_DROPIN, O_THR, O_PRIOR, O_MAXI, O_THREADS, O_WITHDRAW, O_GIVE, O_HTML, O_DROPF };

static int parse(int argc, char **argv, copts *o) {
    static const struct option lo[] = {
        {"db", 1, 0, O_DB}, {"today", 1, 0, O_TODAY}, {"agency", 1, 0, O_AG}, {"country", 1, 0, O_CO},
        {"owner", 1, 0, O_OWNER}, {"marking", 1, 0, O_MARK}, {"state", 1, 0, O_STATE}, {"title", 1, 0, O_TITLE},
        {"freqdb", 1, 0, O_FREQDB}, {"mutation", 1, 0, O_MUT}, {"population", 1, 0, O_POP},
        {"site", 1, 0, O_SITE}, {"grave", 1, 0, O_GRAVE}, {"lab", 1, 0, O_LAB}, {"kit", 1, 0, O_KIT},
        {"quality", 1, 0, O_QUAL}, {"name", 1, 0, O_NAME}, {"disappeared", 1, 0, O_DIS}, {"notes", 1, 0, O_NOTES},
        {"consent-document", 1, 0, O_CDOC}, {"donor", 1, 0, O_DONOR}, {"relation", 1, 0, O_REL},
        {"reason", 1, 0, O_REASON}, {"document", 1, 0, O_DOC}, {"status", 1, 0, O_STATUS}, {"note", 1, 0, O_NOTE},
        {"lang", 1, 0, O_LANG}, {"dropout", 1, 0, O_DROP}, {"dropin", 1, 0, O_DROPIN},
        {"threshold", 1, 0, O_THR}, {"prior", 1, 0, O_PRIOR}, {"max-incomp", 1, 0, O_MAXI},
        {"threads", 1, 0, O_THREADS}, {"withdraw", 0, 0, O_WITHDRAW}, {"give", 0, 0, O_GIVE},
        {"html", 0, 0, O_HTML}, {"dropout-file", 1, 0, O_DROPF}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->max_incomp = -1;
    o->prior = NAN;
    opterr = 0;
    optind = 1;
    int ch, r = 0;
    while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1 && !r) {
        switch (ch) {
        case O_DB: o->db = optarg; break;
        case O_TODAY: o->today = optarg; break;
        case O_AG: o->agency = optarg; break;
        case O_CO: o->country = optarg; break;
        case O_OWNER: o->owner = optarg; break;
        case O_MARK: o->marking = optarg; break;
        case O_STATE: o->state = optarg; break;
        case O_TITLE: o->title = optarg; break;
        case O_FREQDB: o->freqdb = optarg; break;
        case O_MUT: o->mutation = optarg; break;
        case O_POP: o->population = optarg; break;
        case O_SITE: o->site = optarg; break;
        case O_GRAVE: o->grave = optarg; break;
        case O_LAB: o->lab = optarg; break;
        case O_KIT: o->kit = optarg; break;
        case O_QUAL: o->quality = optarg; break;
        case O_NAME: o->name = optarg; break;
        case O_DIS: o->disappeared = optarg; break;
        case O_NOTES: o->notes = optarg; break;
        case O_CDOC: o->consent_doc = optarg; break;
        case O_DONOR: o->donor = optarg; break;
        case O_REL: o->relation = optarg; break;
        case O_REASON: o->reason = optarg; break;
        case O_DOC: o->document = optarg; break;
        case O_STATUS: o->status = optarg; break;
        case O_NOTE: o->note = optarg; break;
        case O_LANG: o->lang = optarg; break;
        case O_DROP: r = cli_parse_double(CMD, "--dropout", optarg, &o->dropout); break;
        case O_DROPIN: r = cli_parse_double(CMD, "--dropin", optarg, &o->dropin); break;
        case O_THR:
            r = cli_parse_double(CMD, "--threshold", optarg, &o->threshold);
            if (!r && !(o->threshold > 0 && o->threshold <= KIN_THRESHOLD_MAX))
                r = cli_usage_error(CMD, "--threshold is a likelihood ratio: expected a number > 0, got '%s'", optarg);
            break;
        case O_PRIOR: r = cli_parse_double(CMD, "--prior", optarg, &o->prior); break;
        case O_MAXI: r = cli_parse_long(CMD, "--max-incomp", optarg, &o->max_incomp); break;
        case O_THREADS: r = cli_parse_long(CMD, "--threads", optarg, &o->threads); break;
        case O_WITHDRAW: o->withdraw = 1; break;
        case O_GIVE: o->give = 1; break;
        case O_HTML: o->html = 1; break;
        case O_DROPF: o->drop_file = optarg; break;
        case 'h': fputs(T(USAGE), stdout); return -1;
        default: return cli_usage_error(CMD, "unknown option or missing value: '%s'", argv[optind - 1]);
        }
    }
    if (r) return r;
    o->nargs = argc - optind;
    o->args = argv + optind;
    return cli_scope_parse(CMD, o->agency, o->country, &o->sc);
}

static int read_input(const char *path, char **data, size_t *len, pu_err *err) {
    FILE *f;
    int rc = pu_input_open(path, &f, err);
    if (rc) return rc;
    pu_buf b = PU_BUF_INIT(INPUT_MAX);
    char chunk[65536];
    size_t n;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = pu_buf_append(&b, chunk, n);
    if (ferror(f) && !rc) rc = pu_fail(err, PU_ERR_IO, path, NULL, "read failed");
    if (rc == PU_ERR_LIMIT) rc = pu_fail(err, PU_ERR_LIMIT, path, NULL, "larger than %zu bytes", INPUT_MAX);
    fclose(f);
    if (rc) {
        pu_buf_free(&b);
        return rc;
    }
    *len = b.len;
    *data = b.len ? pu_buf_detach(&b) : pu_strdup("");
    return *data ? PU_OK : PU_ERR_NOMEM;
}

static int need_args(const copts *o, int n, const char *what) {
    if (o->nargs != n) return cli_usage_error(CMD, "%s", what);
    return 0;
}

static int hit_id(const copts *o, int64_t *id) {
    char *end;
    long long v = o->nargs == 1 ? strtoll(o->args[0], &end, 10) : 0;
    if (o->nargs != 1 || *end || v <= 0) return cli_usage_error(CMD, "expected one hit number (see 'hits')");
    *id = v;
    return 0;
}

static int print_hit(const kin_hit_rec *h, void *ctx, pu_err *err) {
    (void)ctx, (void)err;
    printf("%lld,", (long long)h->id);
    pu_csv_write_field(stdout, h->pm);
    putchar(',');
    pu_csv_write_field(stdout, h->family);
    putchar(',');
    pu_csv_write_field(stdout, h->missing);
    printf(",%.10g,%.4f,%d,%s,", h->lr, h->log10_lr, h->excluded, h->status);
    pu_csv_write_field(stdout, h->reviewed_by);
    putchar(',');
    pu_csv_write_field(stdout, h->decided_by);
    putchar(',');
    if (!isnan(h->posterior)) printf("%.10g", h->posterior);
    printf(",%s,%d,", h->freqdb, h->freqdb_version);
    pu_csv_write_field(stdout, h->dropout);
    putchar('\n');
    return PU_OK;
}

static int run_file_cmd(const char *sub, db_t *db, const kin_actor *a, const copts *o, pu_err *err) {
    int files = !strcmp(sub, "add-reference") ? 1 : 2;
    if (o->nargs != files)
        return cli_usage_error(CMD, "%s expects %s", sub, files == 1 ? "FILE" : "CASE FILE");
    char *data = NULL;
    size_t len = 0;
    const char *path = o->args[files - 1];
    int rc = read_input(path, &data, &len, err), n = 0;
    if (rc) return cli_fail(err);
    if (!strcmp(sub, "add-pm")) {
        kin_pm_meta m = {o->site, o->grave, o->lab, o->kit, o->quality, o->marking, o->dropout, o->dropin,
                         NULL, 0, o->drop_file};
        char *dd = NULL;
        if (o->drop_file) rc = read_input(o->drop_file, &dd, &m.dropout_len, err);
        m.dropout_csv = dd;
        if (!rc) rc = kin_pm_import(db, a, o->args[0], data, len, path, &m, &n, err);
        free(dd);
    } else if (!strcmp(sub, "add-family")) {
        kin_family_meta m = {o->name, o->disappeared, o->notes, o->marking};
        rc = kin_family_import(db, a, o->args[0], data, len, path, &m, &n, err);
    } else {
        kin_ref_meta m = {o->donor, o->relation, o->consent_doc};
        rc = kin_ref_import(db, a, data, len, path, &m, &n, err);
    }
    free(data);
    if (rc) return cli_fail(err);
    fprintf(stderr, T("puente: kinship case %s: %d record(s) stored\n"), sub, n);
    return 0;
}

/* set-dropout PM: replace the stored values, then show them as stored. */
static int run_set_dropout(db_t *db, const kin_actor *a, const copts *o, pu_err *err) {
    int rc = need_args(o, 1, "set-dropout expects PM (a stored sample id)");
    if (rc) return rc;
    char *dd = NULL;
    size_t dl = 0;
    if (o->drop_file && (rc = read_input(o->drop_file, &dd, &dl, err))) return cli_fail(err);
    rc = kin_pm_set_dropout(db, a, o->args[0], o->dropout, o->dropin, dd, dl, o->drop_file, err);
    free(dd);
    char *text = rc ? NULL : malloc(KIN_DROP_TEXT_MAX);
    if (!rc && !text) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (!rc) rc = kin_pm_dropout(db, a, o->args[0], text, err);
    if (!rc) printf("pm_sample,dropout\n%s,%s\n", o->args[0], text);
    free(text);
    return rc ? cli_fail(err) : 0;
}

static int run_search(db_t *db, const kin_actor *a, const copts *o, pu_err *err) {
    kin_run_opts ro = {.freqdb = o->freqdb, .threshold = o->threshold, .max_incomp = (int)o->max_incomp,
                       .threads = (int)o->threads};
    kin_run_result r;
    int rc = kin_cases_search(db, a, &ro, &r, err);
    if (rc) return cli_fail(err);
    printf("run,new_pm,changed_families,pms,families,pairs,hits,seconds\n%lld,%ld,%ld,%ld,%ld,%llu,%ld,%.3f\n",
           (long long)r.run_id, r.new_pm, r.changed_families, r.pms, r.families, (unsigned long long)r.pairs, r.hits,
           r.seconds);
    return 0;
}

static int run_hit_cmd(const char *sub, db_t *db, const kin_actor *a, const copts *o, pu_err *err) {
    int64_t id = 0;
    int rc = hit_id(o, &id);
    if (rc) return rc;
    if (!strcmp(sub, "review")) rc = kin_hit_review(db, a, id, o->note, err);
    else if (!strcmp(sub, "confirm")) {
        if (isnan(o->prior)) return cli_usage_error(CMD, "confirm needs --prior P: the prior probability used");
        rc = kin_hit_confirm(db, a, id, o->prior, o->note, err);
    } else if (!strcmp(sub, "exclude")) rc = kin_hit_exclude(db, a, id, o->note, err);
    /* `--lang` is taken by main for the CLI's language (src/cli/main.c): the
     * report is written in it */
    else if (!strcmp(sub, "report"))
        rc = kin_hit_report(db, a, id, o->lang ? o->lang : i18n_code(i18n_cli()), o->html, stdout, err);
    else rc = kin_hit_export_familias(db, a, id, stdout, err);
    if (rc) return cli_fail(err);
    if (strcmp(sub, "report") && strcmp(sub, "export"))
        fprintf(stderr, T("puente: kinship case %s: hit %lld done\n"), sub, (long long)id);
    return 0;
}

static int dispatch(const char *sub, db_t *db, const kin_actor *a, const copts *o, pu_err *err) {
    int rc;
    if (!strcmp(sub, "freqdb")) {
        if ((rc = need_args(o, 2, "freqdb expects NAME FILE"))) return rc;
        char *fr = NULL, *mu = NULL;
        size_t fl, ml;
        int v = 0;
        rc = read_input(o->args[1], &fr, &fl, err);
        if (!rc && o->mutation) rc = read_input(o->mutation, &mu, &ml, err);
        if (!rc) rc = kin_freqdb_add(db, o->args[0], o->population, fr, mu, &v, err);
        free(fr), free(mu);
        if (rc) return cli_fail(err);
        printf("%s,%d\n", o->args[0], v);
        return 0;
    }
    if (!strcmp(sub, "new")) {
        if ((rc = need_args(o, 1, "new expects CASE"))) return rc;
        kin_case_new n = {o->args[0], o->title, NULL, o->state, o->freqdb, o->owner, o->marking};
        if ((rc = kin_case_create(db, a, &n, err))) return cli_fail(err);
        return 0;
    }
    if (!strcmp(sub, "add-pm") || !strcmp(sub, "add-family") || !strcmp(sub, "add-reference"))
        return run_file_cmd(sub, db, a, o, err);
    if (!strcmp(sub, "consent")) {
        if ((rc = need_args(o, 1, "consent expects REF (FAMILY/ID)"))) return rc;
        if (o->withdraw == o->give) return cli_usage_error(CMD, "consent needs --withdraw --reason R or --give --document D");
        rc = kin_consent_set(db, a, o->args[0], o->give, o->give ? o->document : o->reason, err);
        return rc ? cli_fail(err) : 0;
    }
    if (!strcmp(sub, "search")) return run_search(db, a, o, err);
    if (!strcmp(sub, "set-dropout")) return run_set_dropout(db, a, o, err);
    if (!strcmp(sub, "hits")) {
        puts("hit,pm_sample,family,missing,lr,log10_lr,excluded_markers,status,reviewed_by,decided_by,posterior,"
             "freqdb,freqdb_version,dropout");
        rc = kin_hits_list(db, a, o->status, print_hit, NULL, err);
        return rc ? cli_fail(err) : 0;
    }
    if (!strcmp(sub, "review") || !strcmp(sub, "confirm") || !strcmp(sub, "exclude") || !strcmp(sub, "report") ||
        !strcmp(sub, "export"))
        return run_hit_cmd(sub, db, a, o, err);
    return cli_usage_error(CMD, "unknown subcommand '%s'", sub);
}

int cmd_kinship_case(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(T(USAGE), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    copts o;
    int rc = parse(argc - 1, argv + 1, &o);
    if (rc) return rc < 0 ? 0 : rc;
    store_t *st;
    if ((rc = cli_open_store(o.db, &st))) return rc;
    pu_err err;
    pu_err_clear(&err);
    kin_actor a = {.scope = &o.sc.scope, .user = cli_operator_get()->user, .today = o.today};
    rc = dispatch(sub, store_db(st), &a, &o, &err);
    store_close(st);
    return rc;
}

/* ---- `puente kinship lineage y|mt`: lineage-marker LRs ---- */

int cmd_kinship_lineage(int argc, char **argv);

static const char *LIN_USAGE =
    "usage: puente kinship lineage y|mt --haplotypes F --pm P --ref R [options]\n"
    "\n"
    "  y    Y-STR haplotypes (paternal line): P and R as \"DYS19=14;DYS390=23;...\"\n"
    "       --meioses M (between the PM and the reference, e.g. 2 for brothers)\n"
    "       --rates F   CSV locus,rate (per meiosis; default 0.002 per locus)\n"
    "  mt   mtDNA (maternal line): P and R as differences from the rCRS (\"16223T 16311C\")\n"
    "       or haplogroups\n"
    "  --haplotypes F     the population database: CSV haplotype,locus,allele\n"
    "  --autosomal-lr X   multiply by an autosomal LR of the same pair (independent markers)\n"
    "Output: CSV x,n,freq_cp95,freq_x1_n1,loci_compared,differences,lr[,combined_lr]\n";

static int read_rates(const kin_hapdb *h, const char *path, double *mu, pu_err *err) {
    char *data = NULL;
    size_t len = 0;
    int rc = read_input(path, &data, &len, err);
    if (rc) return rc;
    pu_csv_opts co = {.max_record = 1 << 16, .max_fields = 8, .check_utf8 = 1};
    pu_csv *r;
    if ((rc = pu_csv_open_mem(data, len, &co, &r, err))) {
        free(data);
        return rc;
    }
    pu_csv_set_name(r, path);
    const pu_csv_row *hd, *row;
    rc = pu_csv_next(r, &hd, err);
    int cl = hd ? pu_csv_col(hd, "locus") : -1, cr = hd ? pu_csv_col(hd, "rate") : -1;
    if (!rc && (cl < 0 || cr < 0)) rc = pu_fail(err, PU_ERR_INVALID, path, "locus", "expected the columns locus,rate");
    while (!rc && (rc = pu_csv_next(r, &row, err)) == PU_OK && row) {
        char w[PU_ERR_WHERE_MAX], *end;
        snprintf(w, sizeof w, "%s:%llu", path, (unsigned long long)row->line);
        if ((size_t)cl >= row->n || (size_t)cr >= row->n) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "rate", "expected locus,rate");
            break;
        }
        double v = strtod(row->fields[cr], &end);
        if (*end || end == row->fields[cr] || !(v >= 0 && v <= 0.5)) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "rate", "expected a rate in [0, 0.5], got '%s'", row->fields[cr]);
            break;
        }
        for (int l = 0; l < h->nloci; l++)
            if (pu_strieq(h->locus[l], row->fields[cl])) mu[l] = v;
    }
    pu_csv_close(r);
    free(data);
    return rc;
}

/* "DYS19=14;DYS390=23" onto the database's loci (unknown loci: error). */
static int parse_hap(const kin_hapdb *h, const char *s, char **out, pu_err *err) {
    char *c = pu_strdup(s), *save = NULL;
    if (!c) return PU_ERR_NOMEM;
    int rc = PU_OK;
    for (char *t = strtok_r(c, ";", &save); t && !rc; t = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(t, '=');
        if (!eq) {
            rc = pu_fail(err, PU_ERR_INVALID, NULL, "haplotype", "expected LOCUS=allele, got '%s'", t);
            break;
        }
        *eq = 0;
        int l = -1;
        for (int i = 0; i < h->nloci; i++)
            if (pu_strieq(h->locus[i], t)) l = i;
        if (l < 0) rc = pu_fail(err, PU_ERR_INVALID, NULL, "haplotype", "locus '%s' is not in the haplotype database", t);
        else if (!(out[l] = pu_strdup(eq + 1))) rc = PU_ERR_NOMEM;
    }
    free(c);
    return rc;
}

int cmd_kinship_lineage(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(T(LIN_USAGE), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *kind = argv[1], *hap = NULL, *pm = NULL, *ref = NULL, *rates = NULL;
    long meioses = 1;
    double auto_lr = NAN;
    enum { L_HAP = 1, L_PM, L_REF, L_MEI, L_RATES, L_AUTO };
    static const struct option lo[] = {{"haplotypes", 1, 0, L_HAP}, {"pm", 1, 0, L_PM}, {"ref", 1, 0, L_REF},
                                       {"meioses", 1, 0, L_MEI}, {"rates", 1, 0, L_RATES},
                                       {"autosomal-lr", 1, 0, L_AUTO}, {0, 0, 0, 0}};
    optind = 1;
    opterr = 0;
    int ch, r = 0;
    while ((ch = getopt_long(argc - 1, argv + 1, "", lo, NULL)) != -1 && !r) {
        switch (ch) {
        case L_HAP: hap = optarg; break;
        case L_PM: pm = optarg; break;
        case L_REF: ref = optarg; break;
        case L_MEI: r = cli_parse_long("kinship lineage", "--meioses", optarg, &meioses); break;
        case L_RATES: rates = optarg; break;
        case L_AUTO: r = cli_parse_double("kinship lineage", "--autosomal-lr", optarg, &auto_lr); break;
        default: return cli_usage_error("kinship lineage", "unknown option or missing value: '%s'", argv[optind]);
        }
    }
    if (r) return r;
    if (strcmp(kind, "y") && strcmp(kind, "mt")) return cli_usage_error("kinship lineage", "expected y or mt, got '%s'", kind);
    if (!hap || !pm || !ref) return cli_usage_error("kinship lineage", "give --haplotypes, --pm and --ref");
    pu_err err;
    pu_err_clear(&err);
    char *data = NULL;
    size_t len = 0;
    kin_hapdb *h = NULL;
    int rc = read_input(hap, &data, &len, &err);
    if (!rc) rc = kin_hapdb_read_mem(data, len, hap, &h, &err);
    free(data);
    kin_lineage_lr res;
    if (!rc && !strcmp(kind, "mt")) {
        rc = kin_mt_lr(h, pm, ref, &res, &err);
    } else if (!rc) {
        char **p = calloc((size_t)h->nloci, sizeof *p), **q = calloc((size_t)h->nloci, sizeof *q);
        double *mu = malloc((size_t)h->nloci * sizeof *mu);
        rc = p && q && mu ? PU_OK : PU_ERR_NOMEM;
        for (int l = 0; !rc && l < h->nloci; l++) mu[l] = 0.002;
        if (!rc && rates) rc = read_rates(h, rates, mu, &err);
        if (!rc) rc = parse_hap(h, pm, p, &err);
        if (!rc) rc = parse_hap(h, ref, q, &err);
        if (!rc) rc = kin_y_lr(h, (const char *const *)p, (const char *const *)q, (int)meioses, mu, &res, &err);
        for (int l = 0; p && q && l < h->nloci; l++) free(p[l]), free(q[l]);
        free(p), free(q), free(mu);
    }
    kin_hapdb_free(h);
    if (rc) return cli_fail(&err);
    printf("x,n,freq_cp95,freq_x1_n1,loci_compared,differences,lr%s\n", isnan(auto_lr) ? "" : ",combined_lr");
    printf("%ld,%ld,%.10g,%.10g,%d,%d,", res.x, res.n, res.freq_cp, res.freq_aug, res.compared, res.diffs);
    if (isnan(res.lr)) fputs("inconclusive", stdout);
    else printf("%.10g", res.lr);
    if (!isnan(auto_lr)) {
        /* lineage and autosomal markers lie on different chromosomes: independent, so the LRs multiply */
        if (isnan(res.lr)) fputs(",", stdout);
        else printf(",%.10g", res.lr * auto_lr);
    }
    putchar('\n');
    return 0;
}
