/*
 * screen_lexicon.c - the word lists of name normalisation (particles,
 * honorifics, legal forms, number words, nicknames, word groups, Russian
 * stems, countries) and the one hash table over them, built once.
 * Method and references: docs/screening.md.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* ---- tables --------------------------------------------------------------- */

/* Name particles: kept, but weigh little (Spanish, Portuguese, Dutch, German,
 * French, Arabic). "abu"/"umm" are kunya markers and count as particles too. */
static const char *const particles[] = {
    "de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos", "du", "van", "von", "der", "den",
    "ter", "le", "di", "al", "el", "bin", "ibn", "bint", "ben", "abu", "abou", "umm", "ould", "and",
    "of", "the", "et", "und", "bou", /* Maghrebi spelling of abu */
    "for", "ash", /* ash-Sham: the article before a sun letter */
    /* the same particles as ICU romanises Arabic script (no short vowels):
     * abw = abu, bn = bin/ibn, bnt = bint */
    "abw", "bn", "bnt", NULL};

/* Honorifics and titles. They are kept as particles (low weight) rather
 * than dropped: dropping depends on the schema, and a query without schema
 * against a Person would then differ from the listed name ("Sayyid" and
 * "Haji" are also given names). */
static const char *const honorifics[] = {
    "mr", "mrs", "ms", "miss", "dr", "sr", "sra", "srta", "lic", "ing", "don", "dona", "licenciado",
    "licenciada", "ingeniero", "ingeniera", "doctor", "doctora", "senor", "senora", "sheikh", "shaikh",
    "shaykh", "haji", "hajji", "mullah", "maulana", "mawlana", "prof", "professor", "profesor", "gral",
    "general", "coronel", "colonel", "comandante", "commander", "capt", "sgt", "sir", "lord", "hon",
    "mister", "madame", "mme", "herr", "frau",
    /* Persian/Arabic "sayyid" as OFAC spells it in aliases */
    "seyyed", "seyed", "sayyed", "sayed", "sayyid", "syed", "sheykh",
    /* Persian "Mir" (a sayyid title, also hyphenated: MIR-HEJAZI) */
    "mir", NULL};

/* Legal forms: the letters of a trailing run of tokens (dots and spaces
 * removed) -> canonical form. "S.A. de C.V." = "SA DE CV" = "SADECV" -> sacv. */
static const struct { const char *k, *v; } legal_forms[] = {
    {"sadecv", "sacv"}, {"sacv", "sacv"}, {"sapidecv", "sapicv"}, {"sapicv", "sapicv"},
    {"sabdecv", "sabcv"}, {"sabcv", "sabcv"}, {"sderldecv", "srlcv"}, {"srldecv", "srlcv"},
    {"srlcv", "srlcv"}, {"sderl", "srl"}, {"srl", "srl"}, {"sdeprldecv", "sprlcv"}, {"spr", "spr"},
    {"sprdera", "sprrl"}, {"scdecv", "sccv"}, {"sdecv", "scv"}, {"sa", "sa"}, {"sas", "sas"},
    {"sab", "sab"}, {"saa", "saa"}, {"sac", "sac"}, {"saic", "saic"}, {"sl", "sl"}, {"sc", "sc"},
    {"sofom", "sofom"}, {"enr", "enr"}, {"er", "er"}, {"ltda", "ltda"}, {"limitada", "ltda"}, {"ltd", "ltd"},
    {"limited", "ltd"}, {"llc", "llc"}, {"limitedliabilitypartnership", "llp"}, {"llp", "llp"}, {"lp", "lp"}, {"inc", "inc"},
    {"incorporated", "inc"}, {"corp", "corp"}, {"corporation", "corp"}, {"co", "co"},
    {"company", "co"}, {"cia", "co"}, {"compania", "co"}, {"coltd", "coltd"}, {"gmbh", "gmbh"},
    {"ag", "ag"}, {"kg", "kg"}, {"bv", "bv"}, {"nv", "nv"}, {"plc", "plc"}, {"pte", "pte"},
    {"pteltd", "pteltd"}, {"pvt", "pvt"}, {"pvtltd", "pvtltd"}, {"spa", "spa"}, {"sarl", "sarl"},
    {"sprl", "sprl"},
    /* Russian and CIS forms, abbreviated, in English and transliterated
     * (OFAC's consolidated list writes all of them): one canonical code per
     * form, never longer than the letters it replaces */
    {"jsc", "ao"}, {"ao", "ao"}, {"jointstockcompany", "ao"}, {"jointstockco", "ao"},
    /* transliterated forms in one spelling each: legal_spelling() folds
     * OFAC's other spellings (OBSCHESTVO, AKTSIONERNOYE, ...) to these */
    {"aktsionernoeobshchestvo", "ao"}, {"aktsionernayakompaniya", "ao"},
    {"ojsc", "oao"}, {"oao", "oao"}, {"openjointstockcompany", "oao"},
    {"otkrytoeaktsionernoeobshchestvo", "oao"},
    {"cjsc", "zao"}, {"zao", "zao"}, {"closedjointstockcompany", "zao"},
    {"zakrytoeaktsionernoeobshchestvo", "zao"},
    {"pjsc", "pao"}, {"pao", "pao"}, {"publicjointstockcompany", "pao"},
    {"publichnoeaktsionernoeobshchestvo", "pao"}, {"publichnoejointstockcompany", "pao"},
    {"prjsc", "prao"}, {"privatejointstockcompany", "prao"}, {"privatejointstockcorporation", "prao"},
    {"privatejointstock", "prao"}, {"privatejsc", "prao"}, {"asaprivatejointstockcompany", "prao"},
    {"ooo", "llc"}, {"limitedliabilitycompany", "llc"}, {"limitedliabilitycorporation", "llc"},
    {"obshchestvosogranichennoiotvetstvennostyu", "llc"},
    /* Ukrainian (OFAC's romanisation): publichne / pryvatne aktsionerne
     * tovarystvo = PJSC / private JSC, tovarystvo z obmezhenoyu
     * vidpovidalnistyu = LLC */
    {"publichneaktsionernetovarystvo", "pao"}, {"pryvatneaktsionernetovarystvo", "prao"},
    {"aktsionernetovarystvo", "ao"}, {"tovarystvozobmezhenoyuvidpovidalnistyu", "llc"},
    /* South Slavic: AD (akcionarsko drushtvo) = JSC, d.o.o. = LLC */
    {"ad", "ao"}, {"doo", "llc"},
    /* the words for "corporation" and "company" in the translation lexicon
     * are legal forms at the end of a name like the English words */
    {"korporatsiya", "corp"}, {"korporatsiia", "corp"}, {"corporacion", "corp"}, {"kompaniya", "co"},
    {"kompaniia", "co"}, {"fze", "fze"}, {"fzco", "fzco"},
    /* Russian state enterprises and institutions (FGUP, GUP, FGBU, FKU, FAU,
     * MUP), spelt out in English or transliterated: "FEDERAL STATE UNITARY
     * ENTERPRISE 'CRIMEAN RAILWAY'". Not a bare SUE (a given name). */
    {"federalstateunitaryenterprise", "fgup"}, {"fsue", "fgup"}, {"federalsue", "fgup"}, {"fgup", "fgup"},
    {"federalnoegosudarstvennoeunitarnoepredpriyatie", "fgup"}, {"stateunitaryenterprise", "gup"},
    {"gup", "gup"}, {"gosudarstvennoeunitarnoepredpriyatie", "gup"},
    {"federalstatebudgetaryinstitution", "fgbu"}, {"federalstatebudgetaryestablishment", "fgbu"},
    {"fgbu", "fgbu"}, {"federalnoegosudarstvennoebyudzhetnoeuchrezhdenie", "fgbu"},
    {"federalstateinstitution", "fku"}, {"federalgovernmentinstitution", "fku"}, {"fku", "fku"},
    {"federalstateautonomousinstitution", "fau"}, {"fau", "fau"}, {"municipalunitaryenterprise", "mup"},
    {"mup", "mup"},
    {"fzc", "fzc"}, {"fzllc", "fzllc"}, {"wll", "wll"}, {"bsc", "bsc"}, {"sae", "sae"}, {"srls", "srls"},
    {"eirl", "eirl"}, {"cv", "cv"},
    /* the long forms of the European legal forms (issue #19): German GmbH,
     * AG, KG; French SARL, SA, SAS; Italian S.p.A., S.r.l.; Dutch B.V., N.V.
     * (accents are folded before: beschrankter, societe, societa) */
    {"gesellschaftmitbeschrankterhaftung", "gmbh"}, {"gesellschaftmbh", "gmbh"}, {"aktiengesellschaft", "ag"},
    {"kommanditgesellschaft", "kg"}, {"societearesponsabilitelimitee", "sarl"}, {"societeanonyme", "sa"},
    {"societeparactionssimplifiee", "sas"}, {"societaperazioni", "spa"},
    {"societaaresponsabilitalimitata", "srl"}, {"beslotenvennootschap", "bv"}, {"naamlozevennootschap", "nv"},
    {NULL, NULL}};

/* OFAC spells the transliterated Russian and Ukrainian legal forms many
 * ways (OBSHCHESTVO, OBSCHESTVO, OBSHCESTVO, OBSCHCHESTVO; OGRANICHENNOI,
 * OGRANICHENNOY, ORGANICHENNOI; AKTSIONERNOE, AKTSIONERNOYE, AKTSIONERNOY;
 * OTVESTVENNOSTYU; ...: every one of these is in the bundled lists). The
 * letters of a candidate form are rewritten to the one spelling of the
 * legal_forms table, in this order (longer variants first), before lookup. */
static const struct { const char *from, *to; } legal_spell[] = {
    {"obschchestv", "obshchestv"}, {"obshcestv", "obshchestv"}, {"obschestv", "obshchestv"},
    {"obshestv", "obshchestv"}, {"organichenn", "ogranichenn"}, {"ogranichennoy", "ogranichennoi"},
    {"ogranichennoj", "ogranichennoi"}, {"otvestvenn", "otvetstvenn"}, {"otvetstvennostiu", "otvetstvennostyu"},
    {"otvetstvennostju", "otvetstvennostyu"}, {"aktsionernoye", "aktsionernoe"}, {"aktsionernoy", "aktsionernoe"},
    {"aktsionernoje", "aktsionernoe"}, {"publichnoye", "publichnoe"}, {"otkrytoye", "otkrytoe"},
    {"zakrytoye", "zakrytoe"}, {"obmezhenoiu", "obmezhenoyu"}, {"vidpovidalnistiu", "vidpovidalnistyu"},
    {"jointstok", "jointstock"}, {NULL, NULL}};

/* Rewrite s (NUL-terminated, in a buffer of size) with legal_spell;
 * returns 1 if anything changed. Stops rewriting when a result would not
 * fit. */
int legal_spelling(char *s, size_t size) {
    int changed = 0;
    for (size_t r = 0; legal_spell[r].from; r++) {
        const char *f = legal_spell[r].from, *t = legal_spell[r].to;
        size_t fl = strlen(f), tl = strlen(t);
        char *p;
        while ((p = strstr(s, f))) {
            size_t sl = strlen(s);
            if (sl - fl + tl + 1 > size) return changed;
            memmove(p + tl, p + fl, sl - (size_t)(p - s) - fl + 1);
            memcpy(p, t, tl);
            changed = 1;
        }
    }
    return changed;
}

/* The tokens that legal_spell rewrites (flagged LX_SPELL in the lexicon):
 * the rewrite is tried only for names that have one. */
static const char *const legal_spell_tokens[] = {
    "obschchestvo", "obshcestvo", "obschestvo", "obshestvo", "organichennoi", "ogranichennoy", "ogranichennoj",
    "otvestvennostyu", "otvetstvennostiu", "otvetstvennostju", "aktsionernoye", "aktsionernoy", "aktsionernoje",
    "publichnoye", "otkrytoye", "zakrytoye", "obmezhenoiu", "vidpovidalnistiu", "stok", NULL};

/* Number words (English and Spanish) -> digits. */
static const struct { const char *k, *v; } numbers[] = {
    {"zero", "0"}, {"cero", "0"}, {"one", "1"}, {"uno", "1"}, {"una", "1"}, {"two", "2"}, {"dos", "2"},
    {"three", "3"}, {"tres", "3"}, {"four", "4"}, {"cuatro", "4"}, {"five", "5"}, {"cinco", "5"},
    {"six", "6"}, {"seis", "6"}, {"seven", "7"}, {"siete", "7"}, {"eight", "8"}, {"ocho", "8"},
    {"nine", "9"}, {"nueve", "9"}, {"ten", "10"}, {"diez", "10"}, {"eleven", "11"}, {"once", "11"},
    {"twelve", "12"}, {"doce", "12"}, {"twenty", "20"}, {"veinte", "20"}, {"hundred", "100"},
    {"cien", "100"}, {"ciento", "100"},
    /* ordinals (1ST = FIRST = PRIMERA); not the Spanish ones that are also
     * common words or names in company names (cuarto, quinta, sexto) */
    {"first", "1"}, {"second", "2"}, {"third", "3"}, {"fourth", "4"}, {"fifth", "5"}, {"sixth", "6"},
    {"seventh", "7"}, {"eighth", "8"}, {"ninth", "9"}, {"tenth", "10"}, {"primero", "1"}, {"primera", "1"},
    {"primer", "1"}, {"segundo", "2"}, {"segunda", "2"}, {"tercero", "3"}, {"tercera", "3"}, {"tercer", "3"},
    /* French, German, Italian and transliterated Russian (issue #19: "Trois
     * Frères" = "3 Frères", "Drei Brüder", "Sem Morey" = "Семь морей"). Not
     * the words that are also articles or common words of names: un, une,
     * een, ein, eine, elf, sei, otto (a given name), and English words
     * (cent, due, sto) or other languages (nove: Bulgarian and Portuguese
     * "new", in NOVE PARTNERS OOD) */
    {"deux", "2"}, {"trois", "3"}, {"quatre", "4"}, {"cinq", "5"}, {"sept", "7"}, {"huit", "8"},
    {"neuf", "9"}, {"dix", "10"}, {"douze", "12"}, {"vingt", "20"},
    {"zwei", "2"}, {"drei", "3"}, {"vier", "4"}, {"funf", "5"}, {"fuenf", "5"}, {"sechs", "6"}, {"sieben", "7"},
    {"acht", "8"}, {"neun", "9"}, {"zehn", "10"}, {"zwolf", "12"}, {"zwoelf", "12"}, {"hundert", "100"},
    {"tre", "3"}, {"quattro", "4"}, {"cinque", "5"}, {"sette", "7"}, {"dieci", "10"},
    {"odin", "1"}, {"odna", "1"}, {"dva", "2"}, {"dve", "2"}, {"tri", "3"}, {"chetyre", "4"}, {"pyat", "5"},
    {"shest", "6"}, {"sem", "7"}, {"vosem", "8"}, {"devyat", "9"}, {"desyat", "10"},
    {NULL, NULL}};

/* Nicknames (hypocorisms) -> formal given name. Spanish first, then a few
 * English/Russian ones seen in designation lists. A formal name is its own
 * group; a nickname that can stand for several names maps to the most common. */
static const struct { const char *nick, *formal; } nicknames[] = {
    {"pepe", "jose"}, {"pepito", "jose"}, {"chepe", "jose"}, {"che", "jose"}, {"chema", "jose"},
    {"paco", "francisco"}, {"pancho", "francisco"}, {"kiko", "francisco"}, {"curro", "francisco"},
    {"fco", "francisco"}, {"chuy", "jesus"}, {"chucho", "jesus"}, {"lupe", "guadalupe"},
    {"gpe", "guadalupe"}, {"nacho", "ignacio"}, {"memo", "guillermo"}, {"lalo", "eduardo"},
    {"quique", "enrique"}, {"rafa", "rafael"}, {"tono", "antonio"}, {"tony", "antonio"},
    {"ma", "maria"}, {"mari", "maria"}, {"beto", "alberto"}, {"concha", "concepcion"},
    {"charo", "rosario"}, {"lola", "dolores"}, {"pili", "pilar"}, {"nando", "fernando"},
    {"chava", "salvador"}, {"chente", "vicente"}, {"goyo", "gregorio"}, {"licha", "alicia"},
    {"meche", "mercedes"}, {"pepa", "josefa"}, {"tere", "teresa"}, {"rigo", "rigoberto"},
    {"poncho", "alfonso"}, {"manolo", "manuel"}, {"chalo", "gonzalo"}, {"moncho", "ramon"},
    {"nacho", "ignacio"}, {"juanca", "juan"}, {"mike", "michael"}, {"bill", "william"},
    {"bob", "robert"}, {"rob", "robert"}, {"bobby", "robert"}, {"jim", "james"}, {"jimmy", "james"},
    {"dick", "richard"}, {"rick", "richard"}, {"tom", "thomas"}, {"alex", "alexander"},
    {"sasha", "alexander"}, {"alejandro", "alexander"}, {"misha", "mikhail"}, {"vova", "vladimir"},
    {"kolya", "nikolai"}, {"dima", "dmitry"},
    /* romanisations of the same Arabic/Persian given names */
    {"mohammed", "muhammad"}, {"mohamed", "muhammad"}, {"mohammad", "muhammad"}, {"mohamad", "muhammad"},
    {"muhammed", "muhammad"}, {"muhamad", "muhammad"}, {"mohd", "muhammad"}, {"mhd", "muhammad"},
    {"hussein", "husayn"}, {"husein", "husayn"}, {"hussain", "husayn"}, {"husain", "husayn"},
    {"hosein", "husayn"}, {"hossein", "husayn"}, {"hassan", "hasan"}, {"ahmed", "ahmad"},
    {"abdallah", "abdullah"}, {"abdulla", "abdullah"}, {"yousef", "yusuf"}, {"youssef", "yusuf"},
    {"yousif", "yusuf"}, {"yusif", "yusuf"}, {"omar", "umar"}, {"osama", "usama"}, {"saeed", "said"},
    {"saied", "said"}, {"mahmoud", "mahmud"}, {"mustapha", "mustafa"}, {"moustafa", "mustafa"},
    {"ibraheem", "ibrahim"}, {"ebrahim", "ibrahim"}, {"khaled", "khalid"}, {"walid", "waleed"},
    {"abdel", "abdul"}, {"abd", "abdul"}, {"bd", "abdul"}, /* bd: ICU's abjad romanisation */ {"sergey", "sergei"}, {"sergiy", "sergei"}, {"serhiy", "sergei"},
    {"aleksandr", "alexander"}, {"oleksandr", "alexander"}, {"aleksei", "alexei"}, {"aleksey", "alexei"},
    {"alexey", "alexei"}, {"dmitriy", "dmitry"}, {"dmitri", "dmitry"}, {"yuriy", "yuri"}, {"yury", "yuri"},
    /* Ukrainian and Russian forms of one given name (lists romanise a
     * person's name from both languages: KATERYNA / YEKATERINA) */
    {"yekaterina", "ekaterina"}, {"katerina", "ekaterina"}, {"kateryna", "ekaterina"},
    {"oleksiy", "alexei"}, {"oleksii", "alexei"}, {"volodymyr", "vladimir"},
    {"mykola", "nikolai"}, {"nikolay", "nikolai"}, {"mykhailo", "mikhail"}, {"mykhaylo", "mikhail"},
    {"andriy", "andrey"}, {"andrii", "andrey"}, {"andrei", "andrey"}, {"dmytro", "dmitry"},
    {"hryhoriy", "grigory"}, {"grigoriy", "grigory"}, {"grigori", "grigory"}, {"pavlo", "pavel"},
    {"petro", "petr"}, {"pyotr", "petr"}, {"yurii", "yuri"}, {"ihor", "igor"},
    {"olena", "elena"}, {"yelena", "elena"}, {"vasyl", "vasily"}, {"vasiliy", "vasily"},
    {"yevgeny", "evgeny"}, {"yevgeniy", "evgeny"}, {"evgeniy", "evgeny"}, {"yevhen", "evgeny"},
    {"anatoliy", "anatoly"}, {"anatolii", "anatoly"}, {"viktor", "victor"}, {"serhii", "sergei"},
    /* Persian Reza = Arabic Rida (Alireza = Ali Rida) */
    {"rida", "reza"}, {"ridha", "reza"}, {"riza", "reza"},
    /* Korean surnames: North Korean / McCune-Reischauer, Revised and common
     * South Korean spellings */
    {"ri", "lee"}, {"yi", "lee"}, {"rhee", "lee"}, {"pak", "park"}, {"bak", "park"}, {"choe", "choi"},
    {"jeong", "jong"}, {"jung", "jong"}, {"chung", "jong"}, {"gim", "kim"}, {"gang", "kang"},
    {"jo", "cho"}, {"yun", "yoon"}, {"rim", "lim"}, {"sin", "shin"}, {"gwon", "kwon"}, {"noh", "roh"},
    {"ro", "roh"},
    /* the Korean syllable 성 in McCune-Reischauer (song), Revised (seong)
     * and the common spelling (sung) */
    {"sung", "song"}, {"seong", "song"},
    {NULL, NULL}};

/* Organisation vocabulary across languages: each row is one group (the
 * English word first, then its equivalents), compared like a nickname
 * group (similarity 0.9) so that a name and its translation match word by
 * word ("CARTEL DE JALISCO NUEVA GENERACION" = "JALISCO NEW GENERATION
 * CARTEL", "BANK REFAH KARGARAN" = "WORKERS WELFARE BANK", "VNESHNEY
 * TORGOVLI" = "FOREIGN TRADE"). Where the words come from: the
 * transliterated Russian/Ukrainian, Persian, Arabic and Spanish words that
 * occur in organisation names of the bundled OFAC lists (SDN, aliases,
 * consolidated list), each with its ordinary dictionary translation;
 * several are confirmed by OFAC's own bilingual aliases (BANK MASKAN =
 * HOUSING BANK, ALUMINIOM JONUB = SOUTH ALUMINUM). Only general vocabulary:
 * no word that names one listed entity. Words every sister company shares
 * and that would say nothing (BANK, BANCO) are left out. Russian
 * adjectives are listed as stems in ru_stems below (any case ending). */
static const char *const word_groups[] = {
    /* Spanish and English organisation words (SDNTK: cartels and their companies) */
    "cartel", "carteles", "cartels", NULL,
    "gulf", "golfo", "khalij", "khaleej", NULL,
    "new", "nueva", "nuevo", "nuevas", "nuevos", "novye", "novaya", "novy", "novyi", "novyy", "novoe", NULL,
    "generation", "generacion", "pokolenie", NULL,
    "group", "grupo", "gruppa", "gruppy", "groupe", "grupp", NULL,
    "organization", "organisation", "organizacion", "organizatsiya", "organizatsii", "sazman", "sazeman",
    "sazmane", "munazzamat", "munazzama", NULL,
    "trade", "trading", "comercio", "comercializadora", "comercializacion", "torgovli", "torgovlya", "torgov",
    "tejarat", "tijarat", "tijara", NULL,
    "commercial", "comercial", "comerciales", "tejari", "tijari", "tijariya", NULL,
    "construction", "constructions", "constructora", "construcciones", "construccion", "stroitelstvo",
    "stroitelstva", NULL,
    "property", "properties", "inmobiliaria", "inmobiliario", "inmobiliarias", "inmuebles", "nedvizhimost",
    "nedvizhimosti", NULL,
    "transport", "transportation", "transportes", "transporte", "transporta", "transportu", NULL,
    "pharmacy", "pharmacies", "farmacia", "farmacias", "apteka", NULL,
    "pharmaceutical", "pharmaceuticals", "farmaceutica", "farmaceuticos", "farmaceuticas", NULL,
    "services", "service", "servicios", "servicio", "uslugi", "servis", NULL,
    "investment", "investments", "inversiones", "inversion", "inversora", "investitsii", NULL,
    "distribution", "distributor", "distribuidora", "distribuciones", NULL,
    "agricultural", "agriculture", "agricola", "agricolas", "agricultura", "agropecuaria", "agropecuarias",
    "keshavarzi", NULL,
    "foundation", "fundacion", "fundacao", "bonyad", "bonyade", NULL,
    "corporation", "corporacion", "korporatsiya", "korporatsii", "korporatsiia", "korporatsiyu", NULL,
    "company", "kompaniya", "kompanii", "kompaniia", "sherkat", "sherkate", "shirkat", "sharikat", "sharika",
    NULL,
    "development", "developments", "desarrollo", "desarrollos", "razvitiya", "razvitie", "razvitiye",
    "tose", "tosee", "toseh", "tosse", "tanmiya", "tanmiyah", NULL,
    "import", "imports", "importadora", "importaciones", "importer", NULL,
    "export", "exports", "exportadora", "exportaciones", "eksport", "eksporta", "exporter", NULL,
    "enterprise", "enterprises", "empresa", "empresas", "predpriyatie", "predpriyatiye", "predpriyatiya",
    "pidpryemstvo", "pidpryiemstvo", NULL,
    "brothers", "hermanos", "bros", "freres", "bruder", "brueder", "fratelli", "broeders", "bratya", NULL,
    /* abbreviations of organisation words (issue #19: Int'l, Intl, Mfg, Assn) */
    "international", "intl", "internacional", "internationale", "internazionale", "internationaal", NULL,
    "manufacturing", "mfg", "manufacturers", "manufacturer", "manufactures", "manufacture", NULL,
    "exchange", "cambio", "cambios", "sarafi", "sarrafi", NULL,
    "center", "centre", "centro", "centros", "tsentr", "tsentra", "centr", "markaz", "markaze", NULL,
    "industry", "industries", "industria", "industrias", "sanat", "sanaat", "sanaye", "sanayi", "sanaee",
    "promyshlennost", "promyshlennosti", NULL,
    "system", "systems", "sistema", "sistemy", "sistemas", NULL,
    "association", "assn", "assoc", "asociacion", "assotsiatsiya", "obedinenie", "obyedinenie", "obedinenye",
    "obyedinenye", NULL,
    "consulting", "consultoria", "consultores", "consultants", "konsalting", NULL,
    "fuel", "fuels", "combustible", "combustibles", "toplivo", NULL,
    "mining", "minera", "mineras", "mineria", NULL,
    "fishing", "fisheries", "pesca", "pesquera", NULL,
    "army", "ejercito", "armiya", "jaish", "jaysh", "artesh", NULL,
    "force", "forces", "fuerza", "fuerzas", "niru", "niroo", "nirou", "niroye", "nirooye", "niruye",
    "niruyeh", "niroohaye", NULL,
    "revolutionary", "revolution", "revolucion", "revolucionaria", "revolucionarias", "revolucionario",
    "revolucionarios", "enghelab", "enqelab", "engelab", "inqilab", NULL,
    "armed", "armadas", "armados", "armada", "mosallah", "mosalah", NULL,
    "front", "frente", "jabhat", "jabha", "jabhet", NULL,
    "national", "nacional", "melli", NULL,
    "liberation", "liberacion", "tahrir", NULL,
    "united", "unidas", "unidos", "unida", "unido", NULL,
    "family", "familia", NULL,
    "knights", "caballeros", NULL,
    "pacific", "pacifico", "tikhi", "tikhiy", NULL,
    "movement", "movimiento", "harakat", "haraka", "harakah", "dvizhenie", NULL,
    "party", "partido", "partiya", "hizb", NULL,
    "brigade", "brigades", "brigada", "brigadas", "kataib", "katibat", "katiba", "kataeb", "liwa", "liwaa",
    NULL,
    "council", "consejo", "sovet", "majlis", "majles", NULL,
    "ministry", "ministerio", "ministerstvo", "ministerstva", "vezarat", "vezarate", "wizarat", "wizarah",
    "vizarat", NULL,
    "defense", "defence", "defensa", "oborony", "oborona", "defa", "defae", "difa", "difaa", NULL,
    "province", "provincia", "wilayat", "wilayah", "vilayat", "velayat", "ostan", NULL,
    "state", "estado", "dawla", "dawlat", "dowlat", "gosudarstvo", NULL,
    "islamic", "islami", "islamiya", "islamiyah", "islamiyya", "islamiyyah", "islamia", "eslami", NULL,
    "republic", "republica", "respublika", "respubliki", "jomhouri", "jomhuri", "jumhuriya", "jumhuriyah",
    NULL,
    "peoples", "narodnaya", NULL,
    "housing", "maskan", "vivienda", NULL,
    "welfare", "refah", "bienestar", NULL,
    "workers", "kargaran", "trabajadores", NULL,
    "south", "southern", "sur", "jonub", "jonoub", "jonoob", "janub", "janoub", NULL,
    "north", "northern", "norte", "shomal", "sever", NULL,
    "east", "eastern", "oriente", "sharq", "shargh", "vostok", NULL,
    "west", "western", "occidente", "gharb", "zapad", NULL,
    "aluminum", "aluminium", "aluminio", "aluminiom", "alyuminiy", NULL,
    "steel", "steels", "acero", "aceros", "foolad", "fulad", "stal", NULL,
    "petrochemical", "petrochemicals", "petroquimica", "petroquimicos", "petrokhimiya", "petroshimi", NULL,
    "shipping", "kashtirani", "naviera", NULL,
    "airline", "airlines", "aerolineas", "aerolinea", "aviakompaniya", NULL,
    "communications", "comunicaciones", "svyazi", "ertebatat", NULL,
    "energy", "energia", "energii", "energetika", NULL,
    "oil", "neft", "nefti", "naft", "nafte", NULL,
    "petroleum", "petroleo", "petroleos", "petrolera", NULL,
    "gas", "gaz", NULL,
    "refinery", "refining", "npz", "refineria", "palayesh", NULL,
    "subsidiary", "subsidiaria", NULL,
    "moscow", "moskva", "moskvy", NULL,
    "caucasus", "kavkaz", "kavkaza", NULL,
    "siberia", "sibir", "sibiri", NULL,
    "insurance", "strakhovanie", "strahovanie", "strakhovaniya", "seguros", "aseguradora", "bimeh", NULL,
    "cis", "sng", NULL,
    "fund", "fond", "fonda", "fondo", "fondos", NULL,
    "plant", "factory", "zavod", "zavoda", "fabrika", "fabrica", NULL,
    "concern", "kontsern", NULL,
    "production", "produccion", "proizvodstvo", "proizvodstva", NULL,
    "research", "nauchno", "issledovaniy", "issledovaniya", "tahghighat", "tahqiqat", NULL,
    "technologies", "technology", "tekhnologii", "tekhnologiya", "tecnologia", "tecnologias", "tekhnolodzhis", NULL,
    "materials", "materialy", "materiales", NULL,
    "complexes", "complex", "kompleksy", "kompleks", "complejo", NULL,
    "money", "dengi", NULL,
    "engineering", "inzhiniring", "ingenieria", NULL,
    "electronics", "elektronika", "elektroniki", "electronica", NULL,
    "federation", "federatsii", "federatsiya", "federacion", NULL,
    "security", "bezopasnosti", "bezopasnost", "seguridad", "amniat", NULL,
    "intelligence", "razvedki", "razvedka", "etelaat", "ettelaat", "inteligencia", NULL,
    "guard", "guards", "okhrana", "okhrany", "pasdaran", "guardia", NULL,
    "corps", "sepah", "korpus", NULL,
    "jerusalem", "quds", "qods", "ghods", NULL,
    "resistance", "moghavemat", "moqavemat", "moghavemate", "resistencia", "soprotivlenie", NULL,
    "oppressed", "mostazafan", "mostazafin", "mostazafeen", NULL,
    "charitable", "khayriyya", "khayriyah", "khairiya", "khairiyah", "benefica", NULL,
    "management", "upravleniya", "upravlenie", "menedzhment", NULL,
    "financial", "financiera", "financiero", NULL,
    "finance", "finansirovaniya", "finanzas", "finans", NULL,
    /* English words as Russian company names write them (MENEDZHMENT,
     * KHOLDING, FAKTORING: OFAC lists both spellings of one company) */
    "holding", "holdings", "kholding", NULL,
    "factoring", "faktoring", NULL,
    "logistics", "logistic", "logistik", "logistiks", "logistika", "logistica", NULL,
    "capital", "kapital", NULL,
    "chemical", "chemicals", "quimica", "quimicos", NULL,
    "composite", "kompozit", NULL,
    "leasing", "lizing", NULL,
    "precision", "vysokotochnye", "vysokotochnykh", "vysokotochnyi", "vysokotochny", NULL,
    "automated", "avtomatizirovannaya", "avtomatizirovannye", "avtomatizirovannoy", NULL,
    "private", "negosudarstvenny", "negosudarstvennyi", "negosudarstvennyy", "negosudarstvennogo", NULL,
    "institute", "moassese", "moasseseh", "moassesseh", NULL,
    "scientific", "cientifico", "cientifica", "elmi", NULL,
    "university", "universidad", "universitet", "daneshgah", NULL,
    "agency", "agencia", "agentstvo", "agentstva", NULL,
    NULL};

/* Russian adjectives (OFAC writes them in any case and gender: TSENTRALNY,
 * TSENTRALNAYA, TSENTRALNOGO, TSENTRALNOI, ...): the stem and the English
 * word; sn_nick_group folds the case ending (ru_endings) before looking
 * the stem up. Stems of >= 5 letters only. */
static const struct { const char *stem, *word; } ru_stems[] = {
    {"tsentraln", "central"}, {"rossiisk", "russian"}, {"rossisk", "russian"}, {"rossiysk", "russian"},
    {"rossijsk", "russian"}, {"federaln", "federal"}, {"strakhov", "insurance"},
    {"pensionn", "pension"}, {"investitsionn", "investment"}, {"vneshn", "foreign"},
    {"eksperimentaln", "experimental"}, {"proizvodstvenn", "production"}, {"neftyan", "oil"},
    {"gazov", "gas"}, {"torgov", "trade"}, {"kommerchesk", "commercial"}, {"natsionaln", "national"},
    {"mezhdunarodn", "international"}, {"obedinenn", "united"}, {"obyedinenn", "united"},
    {"gosudarstvenn", "state"}, {"finansov", "financial"}, {"stroiteln", "construction"},
    {"khimichesk", "chemical"}, {"kompozitsionn", "composite"}, {"moskovsk", "moscow"},
    {"severn", "north"}, {"yuzhn", "south"}, {"vostochn", "east"}, {"zapadn", "west"},
    {"sibirsk", "siberia"}, {"kavkazsk", "caucasus"}, {"upravlyayushch", "management"},
    {"nauchn", "scientific"}, {"issledovatelsk", "research"}, {"avtomatizirovann", "automated"},
    {"vysokotochn", "precision"}, {"negosudarstvenn", "private"}, {"promyshlenn", "industrial"},
    {"elektrichesk", "electric"}, {"energetichesk", "energy"}, {"aviatsionn", "aviation"},
    {"transportn", "transport"}, {"narodn", "peoples"},
    {"regionaln", "regional"}, {"oblastn", "regional"}, {"tekhnichesk", "technical"},
    {"mashinostroiteln", "engineering"}, {NULL, NULL}};

/* Country names (English, and Spanish where different), one token each: a
 * country in an organisation's name tells sister companies apart
 * ("GAZPROMBANK (SWITZERLAND) LTD" is not GAZPROMBANK, "VTB BANK (AUSTRIA)
 * AG" not VTB BANK). sn_is_place; used by sn_split_cls and sc_name_score. */
static const char *const countries[] = {
    "afghanistan", "albania", "algeria", "andorra", "angola", "argentina", "armenia", "australia", "austria",
    "azerbaijan", "bahamas", "bahrain", "bangladesh", "barbados", "belarus", "belgium", "belize", "benin",
    "bermuda", "bhutan", "bolivia", "bosnia", "botswana", "brazil", "brasil", "brunei", "bulgaria", "burma",
    "burundi", "cambodia", "cameroon", "canada", "chile", "china", "colombia", "comoros", "congo", "croatia",
    "cuba", "curacao", "cyprus", "czechia", "denmark", "djibouti", "ecuador", "egypt", "eritrea", "estonia",
    "eswatini", "ethiopia", "fiji", "finland", "france", "francia", "gabon", "gambia", "germany", "alemania",
    "ghana", "gibraltar", "greece", "guatemala", "guyana", "haiti", "honduras", "hungary", "iceland", "india",
    "indonesia", "iran", "iraq", "ireland", "italy", "italia", "jamaica", "japan", "kazakhstan", "kenya", "korea",
    "kosovo", "kuwait", "kyrgyzstan", "laos", "latvia", "lebanon", "lesotho", "liberia", "libya",
    "liechtenstein", "lithuania", "luxembourg", "macau", "macao", "madagascar", "malawi", "malaysia",
    "maldives", "mali", "malta", "mauritania", "mauritius", "mexico", "moldova", "monaco", "mongolia",
    "montenegro", "morocco", "mozambique", "myanmar", "namibia", "nepal", "netherlands", "holland",
    "nicaragua", "niger", "nigeria", "norway", "oman", "pakistan", "palestine", "panama", "paraguay", "peru",
    "philippines", "poland", "portugal", "qatar", "romania", "russia", "rusia", "rwanda", "senegal", "serbia",
    "seychelles", "singapore", "slovakia", "slovenia", "somalia", "spain", "espana", "sudan", "suriname",
    "sweden", "switzerland", "suiza", "syria", "taiwan", "tajikistan", "tanzania", "thailand", "togo",
    "tunisia", "turkey", "turkiye", "turkmenistan", "uganda", "ukraine", "uruguay", "uzbekistan", "venezuela",
    "vietnam", "yemen", "zambia", "zimbabwe", NULL};

/* ---- lexicon: one hash table over the word lists, built once ----------------- */

#define LX_SLOTS 4096
static lx_entry lx[LX_SLOTS];
static uint16_t name_groups_end; /* groups below this are given names */
static pthread_once_t lx_once = PTHREAD_ONCE_INIT;

static lx_entry *lx_slot(const char *k, size_t n, int create) {
    size_t i = sn_hash(k, n) & (LX_SLOTS - 1);
    for (size_t probes = 0; probes < LX_SLOTS; probes++, i = (i + 1) & (LX_SLOTS - 1)) {
        if (!lx[i].key) {
            if (!create) return NULL;
            lx[i].key = k;
            return &lx[i];
        }
        if (strlen(lx[i].key) == n && memcmp(lx[i].key, k, n) == 0) return &lx[i];
    }
    return NULL;
}

static void lx_build(void) {
    for (size_t i = 0; particles[i]; i++) lx_slot(particles[i], strlen(particles[i]), 1)->flags |= LX_PARTICLE;
    for (size_t i = 0; honorifics[i]; i++) lx_slot(honorifics[i], strlen(honorifics[i]), 1)->flags |= LX_HONORIFIC;
    for (size_t i = 0; legal_forms[i].k; i++) {
        lx_entry *e = lx_slot(legal_forms[i].k, strlen(legal_forms[i].k), 1);
        e->flags |= LX_LEGAL;
        e->legal = legal_forms[i].v;
    }
    for (size_t i = 0; numbers[i].k; i++) {
        lx_entry *e = lx_slot(numbers[i].k, strlen(numbers[i].k), 1);
        e->flags |= LX_NUMBER;
        e->number = numbers[i].v;
    }
    /* nickname groups: the group of a formal name is the index of its first
     * row; nicknames join the group of their formal name */
    for (size_t i = 0; nicknames[i].nick; i++) {
        lx_entry *f = lx_slot(nicknames[i].formal, strlen(nicknames[i].formal), 1);
        if (!f->group) f->group = (uint16_t)(i + 1);
    }
    for (size_t i = 0; nicknames[i].nick; i++) {
        lx_entry *f = lx_slot(nicknames[i].formal, strlen(nicknames[i].formal), 0);
        lx_entry *n = lx_slot(nicknames[i].nick, strlen(nicknames[i].nick), 1);
        if (!n->group) n->group = f->group;
    }
    size_t base = 0;
    while (nicknames[base].nick) base++;
    /* hypocoristics beyond Spanish (data/screen/hypocoristics.tsv): a formal
     * name without a group gets one after the table above */
    size_t nh = 0;
    for (; sn_hypocoristics[nh].nick; nh++) {
        lx_entry *f = lx_slot(sn_hypocoristics[nh].formal, strlen(sn_hypocoristics[nh].formal), 1);
        if (!f->group) f->group = (uint16_t)(base + 1 + nh);
    }
    for (size_t i = 0; i < nh; i++) {
        lx_entry *f = lx_slot(sn_hypocoristics[i].formal, strlen(sn_hypocoristics[i].formal), 0);
        lx_entry *n = lx_slot(sn_hypocoristics[i].nick, strlen(sn_hypocoristics[i].nick), 1);
        if (!n->group) n->group = f->group;
    }
    base += nh;
    /* word groups after the name groups (sn_group_is_name) */
    name_groups_end = (uint16_t)(base + 1);
    for (size_t i = 0; legal_spell_tokens[i]; i++)
        lx_slot(legal_spell_tokens[i], strlen(legal_spell_tokens[i]), 1)->flags |= LX_SPELL;
    for (size_t i = 0; countries[i]; i++) lx_slot(countries[i], strlen(countries[i]), 1)->flags |= LX_PLACE;
    uint16_t next = (uint16_t)(base + 1);
    for (size_t i = 0; word_groups[i];) {
        /* one row: the head word, its equivalents, NULL */
        lx_entry *f = lx_slot(word_groups[i], strlen(word_groups[i]), 1);
        if (!f->group) f->group = next++;
        for (i++; word_groups[i]; i++) {
            lx_entry *n = lx_slot(word_groups[i], strlen(word_groups[i]), 1);
            if (!n->group) n->group = f->group;
        }
        i++;
    }
    for (size_t i = 0; ru_stems[i].stem; i++) {
        lx_entry *f = lx_slot(ru_stems[i].word, strlen(ru_stems[i].word), 1);
        if (!f->group) f->group = next++;
        lx_entry *n = lx_slot(ru_stems[i].stem, strlen(ru_stems[i].stem), 1);
        n->flags |= LX_STEM;
        n->stem_group = f->group;
    }
}

const lx_entry *lx_get(const char *k, size_t n) {
    pthread_once(&lx_once, lx_build);
    return lx_slot(k, n, 0);
}

int sn_is_place(const char *tok, size_t len) {
    const lx_entry *e = lx_get(tok, len);
    return e && (e->flags & LX_PLACE);
}

int sn_group_is_name(uint16_t g) {
    pthread_once(&lx_once, lx_build);
    return g && g < name_groups_end;
}

/* Case and gender endings of Russian adjectives as OFAC romanises them
 * (longest first): TSENTRALNY / -YY / -YI / -AYA / -OE / -OYE / -OGO / -OI /
 * -YE / -YKH ... */
static const struct { const char *s; uint8_t n; } ru_endings[] = {
    {"yaya", 4}, {"aya", 3}, {"aia", 3}, {"oye", 3}, {"oie", 3}, {"eye", 3}, {"ogo", 3}, {"ego", 3}, {"uyu", 3},
    {"yye", 3}, {"iye", 3}, {"ykh", 3}, {"ikh", 3}, {"oe", 2}, {"ee", 2}, {"ye", 2}, {"ie", 2}, {"yy", 2},
    {"yi", 2}, {"iy", 2}, {"ii", 2}, {"yj", 2}, {"ij", 2}, {"oy", 2}, {"oi", 2}, {"oj", 2}, {"ey", 2},
    {"ei", 2}, {"ym", 2}, {"im", 2}, {"y", 1}, {"i", 1}, {NULL, 0}};

uint16_t sn_nick_group(const char *tok, size_t len) {
    const lx_entry *e = lx_get(tok, len);
    if (e && e->group) return e->group;
    /* a Russian adjective in another case: its stem (>= 5 letters) */
    if (len < 6 || !strchr("aeiouyhmj", tok[len - 1])) return 0;
    for (size_t i = 0; ru_endings[i].s; i++) {
        size_t el = ru_endings[i].n;
        if (len < el + 5 || tok[len - 1] != ru_endings[i].s[el - 1] || memcmp(tok + len - el, ru_endings[i].s, el) != 0)
            continue;
        const lx_entry *s = lx_get(tok, len - el);
        if (s && (s->flags & LX_STEM)) return s->stem_group;
    }
    return 0;
}

enum sn_class sn_class_of(const char *schema) {
    if (!schema || !*schema) return SC_ANY;
    if (strcmp(schema, "Person") == 0) return SC_PERSON;
    if (strcmp(schema, "Company") == 0 || strcmp(schema, "Organization") == 0 ||
        strcmp(schema, "PublicBody") == 0)
        return SC_ORG;
    if (strcmp(schema, "Vessel") == 0 || strcmp(schema, "Airplane") == 0 || strcmp(schema, "Vehicle") == 0)
        return SC_VEHICLE;
    return SC_ANY;
}

/* Public face of the nickname groups for other engines (screen.h). */
unsigned screen_given_group(const char *tok, size_t len) {
    uint16_t g = sn_nick_group(tok, len);
    return sn_group_is_name(g) ? g : 0;
}
