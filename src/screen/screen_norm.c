/*
 * screen_norm.c - name normalisation: Unicode folding, transliteration,
 * nickname splitting, tokenisation with Spanish/Arabic particles, honorifics,
 * company legal forms and number words; phonetic keys, nickname groups and
 * token similarity. Method and references: docs/screening.md.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <utf8proc.h>

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
    {"eirl", "eirl"}, {"cv", "cv"}, {NULL, NULL}};

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
    "brothers", "hermanos", NULL,
    "exchange", "cambio", "cambios", "sarafi", "sarrafi", NULL,
    "center", "centre", "centro", "centros", "tsentr", "tsentra", "centr", "markaz", "markaze", NULL,
    "industry", "industries", "industria", "industrias", "sanat", "sanaat", "sanaye", "sanayi", "sanaee",
    "promyshlennost", "promyshlennosti", NULL,
    "system", "systems", "sistema", "sistemy", "sistemas", NULL,
    "association", "asociacion", "assotsiatsiya", "obedinenie", "obyedinenie", "obedinenye",
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

enum { LX_PARTICLE = 1, LX_HONORIFIC = 2, LX_LEGAL = 4, LX_NUMBER = 8, LX_STEM = 16, LX_PLACE = 32, LX_SPELL = 64 };

typedef struct lx_entry {
    const char *key;
    uint8_t flags;
    const char *legal, *number; /* canonical legal form, digits */
    uint16_t group;             /* nickname group */
    uint16_t stem_group;        /* LX_STEM: the group of a Russian adjective stem */
} lx_entry;

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
    /* word groups after the name groups (sn_group_is_name) */
    size_t base = 0;
    while (nicknames[base].nick) base++;
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

static const lx_entry *lx_get(const char *k, size_t n) {
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

/* ---- Unicode folding -------------------------------------------------------- */

/* ICU transliterators are not safe for concurrent use: keep a pool of them
 * (each thread takes one, uses it and puts it back). The pool stays
 * reachable for the life of the process. */
static pthread_mutex_t tr_mu = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *tr_pool[64];
static int tr_n;

static UTransliterator *tr_take(void) {
    UTransliterator *t = NULL;
    pthread_mutex_lock(&tr_mu);
    if (tr_n > 0) t = tr_pool[--tr_n];
    pthread_mutex_unlock(&tr_mu);
    if (t) return t;
    /* BGN/PCGN for Russian first: it is how OFAC and most lists romanise
     * Cyrillic ("Yatsenko", not ISO 9 "Jacenko"); then everything else. */
    static const char id[] = "Russian-Latin/BGN; Any-Latin; Latin-ASCII";
    UChar uid[64];
    u_uastrcpy(uid, id);
    UErrorCode st = U_ZERO_ERROR;
    t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
    return U_FAILURE(st) ? NULL : t;
}

static void tr_give(UTransliterator *t) {
    pthread_mutex_lock(&tr_mu);
    if (tr_n < (int)(sizeof tr_pool / sizeof tr_pool[0])) {
        tr_pool[tr_n++] = t;
        t = NULL;
    }
    pthread_mutex_unlock(&tr_mu);
    if (t) utrans_close(t);
}

/* Transliterate UTF-8 `in` to ASCII with ICU; result malloc'ed. */
static int translit(const char *in, size_t n, char **out) {
    int32_t cap = (int32_t)(n * 4 + 64), len = 0;
    UChar *u = malloc((size_t)cap * sizeof(UChar));
    if (!u) return PU_ERR_NOMEM;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(u, cap, &len, in, (int32_t)n, &st);
    UTransliterator *t = U_SUCCESS(st) ? tr_take() : NULL;
    if (t) {
        int32_t limit = len;
        utrans_transUChars(t, u, &len, cap, 0, &limit, &st);
        tr_give(t);
    }
    if (!t || U_FAILURE(st)) {
        free(u);
        return PU_ERR_INTERNAL;
    }
    int32_t blen = 0;
    st = U_ZERO_ERROR;
    u_strToUTF8(NULL, 0, &blen, u, len, &st);
    char *b = malloc((size_t)blen + 1);
    if (!b) {
        free(u);
        return PU_ERR_NOMEM;
    }
    st = U_ZERO_ERROR;
    u_strToUTF8(b, blen + 1, &blen, u, len, &st);
    free(u);
    b[blen] = 0;
    *out = b;
    return PU_OK;
}

#define FOLD_MEMO_OUT 4096
static int fold_unicode(const char *in, size_t n, char **out, pu_err *err, const char *field);

int sn_fold(const char *in, char **out, pu_err *err, const char *field) {
    *out = NULL;
    if (!in) return pu_fail(err, PU_ERR_INVALID, NULL, field, "expected a name, got nothing");
    size_t n = strlen(in);
    if (n > SCREEN_NAME_MAX)
        return pu_fail(err, PU_ERR_LIMIT, NULL, field, "name is %zu bytes; the maximum is %d", n,
                       SCREEN_NAME_MAX);
    if (!pu_utf8_valid(in, n))
        return pu_fail(err, PU_ERR_INVALID, NULL, field, "name is not valid UTF-8");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return pu_fail(err, PU_ERR_INVALID, NULL, field, "name contains control character 0x%02x", c);
    }
    int all_ascii = 1;
    for (size_t i = 0; i < n && all_ascii; i++)
        if ((unsigned char)in[i] >= 0x80) all_ascii = 0;
    if (all_ascii) { /* NFKC and case folding of ASCII are tolower */
        char *s = malloc(n + 1);
        if (!s) return pu_fail(err, PU_ERR_NOMEM, NULL, field, "out of memory");
        for (size_t i = 0; i < n; i++) s[i] = (char)tolower((unsigned char)in[i]);
        s[n] = 0;
        *out = s;
        return PU_OK;
    }
    /* a query is folded twice (screening, then its subject key): the last
     * non-ASCII fold of this thread is kept (ICU transliteration is costly) */
    static _Thread_local char memo_in[SCREEN_NAME_MAX + 1], memo_out[FOLD_MEMO_OUT];
    static _Thread_local size_t memo_inl, memo_outl;
    if (memo_inl && memo_inl == n && memcmp(memo_in, in, n) == 0) {
        char *c = malloc(memo_outl + 1);
        if (!c) return pu_fail(err, PU_ERR_NOMEM, NULL, field, "out of memory");
        memcpy(c, memo_out, memo_outl + 1);
        *out = c;
        return PU_OK;
    }
    int rc = fold_unicode(in, n, out, err, field);
    if (rc) return rc;
    size_t ol = strlen(*out);
    if (ol < sizeof memo_out) {
        memcpy(memo_in, in, n);
        memcpy(memo_out, *out, ol + 1);
        memo_inl = n;
        memo_outl = ol;
    }
    return PU_OK;
}

/* sn_fold of a valid name with non-ASCII letters. */
static int fold_unicode(const char *in, size_t n, char **out, pu_err *err, const char *field) {
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t ml = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)n, &m,
                                       UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                           UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
    if (ml < 0) return pu_fail(err, PU_ERR_INVALID, NULL, field, "name: %s", utf8proc_errmsg(ml));
    char *s = (char *)m;
    int ascii = 1;
    for (utf8proc_ssize_t i = 0; i < ml; i++)
        if ((unsigned char)s[i] >= 0x80) ascii = 0;
    if (!ascii) {
        char *k = NULL;
        if (sn_korean(s, (size_t)ml, &k)) {
            free(s);
            return pu_fail(err, PU_ERR_NOMEM, NULL, field, "out of memory");
        }
        if (k) {
            free(s);
            s = k;
            ml = (utf8proc_ssize_t)strlen(s);
        }
    }
    ascii = 1;
    for (utf8proc_ssize_t i = 0; i < ml; i++)
        if ((unsigned char)s[i] >= 0x80) ascii = 0;
    if (!ascii) {
        char *t = NULL;
        int rc = translit(s, (size_t)ml, &t);
        free(s);
        if (rc) return pu_fail(err, rc, NULL, field, "transliteration failed");
        s = t;
    }
    for (char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80) *p = ' '; /* what ICU could not map is a separator */
        else *p = (char)tolower(c);
    }
    *out = s;
    return PU_OK;
}

/* ---- nickname splitting ----------------------------------------------------- */

static int word_at(const char *s, size_t i, const char *w) {
    size_t n = strlen(w);
    if (strncmp(s + i, w, n) != 0) return 0;
    int before = i == 0 || !isalnum((unsigned char)s[i - 1]);
    int after = !isalnum((unsigned char)s[i + n]);
    return before && after;
}

/* Find the next quoted ("x", 'x') or parenthesised segment in s: returns
 * the opening position and sets *end to the closing mark, or NULL. */
static char *next_segment(char *s, char **end) {
    for (char *p = s; *p; p++) {
        char close;
        if (*p == '"') close = '"';
        else if (*p == '(') close = ')';
        else if (*p == '\'' && (p == s || p[-1] == ' ')) close = '\'';
        else continue;
        char *e = strchr(p + 1, close);
        while (e && close == '\'' && e[1] && isalnum((unsigned char)e[1])) e = strchr(e + 1, close); /* O'Brien */
        if (!e) continue;
        *end = e;
        return p;
    }
    return NULL;
}

static const char *lookup_kv(const char *s, int which);
static const char *lookup_legal(const char *s, int spell);

/* 1 if everything outside the segment [p, e] is a legal form: in
 * "OOO 'Prominvest'" or "Aktsionernoe Obshchestvo 'Druzhba'" the quotes hold
 * the company's name itself, not a nickname. */
static int only_legal_outside(const char *work, const char *p, const char *e) {
    char cat[64];
    size_t cl = 0;
    for (const char *q = work; *q; q++) {
        if (q >= p && q <= e) continue;
        if (!isalnum((unsigned char)*q)) continue;
        if (cl + 1 >= sizeof cat) return 0;
        cat[cl++] = *q;
    }
    cat[cl] = 0;
    return cl > 0 && cl <= 48 && lookup_legal(cat, 1) != NULL;
}

/* 1 if the segment [p, e] holds one country name: "VTB BANK (AUSTRIA) AG"
 * names the Austrian subsidiary, it is no alias "AUSTRIA". */
static int only_place_inside(const char *p, const char *e) {
    const char *a = p + 1, *b = e;
    while (a < b && !isalnum((unsigned char)*a)) a++;
    while (b > a && !isalnum((unsigned char)b[-1])) b--;
    for (const char *q = a; q < b; q++)
        if (!isalpha((unsigned char)*q)) return 0;
    return b > a && sn_is_place(a, (size_t)(b - a));
}

/* 1 if a word outside the segment [p, e] is a legal form ("JSC 'ALMAZ-ANTEY'
 * MSDB"): a company's name even when the schema is unknown. */
static int legal_word_outside(const char *work, const char *p, const char *e) {
    char w[24];
    size_t wl = 0;
    int longer = 0; /* a word longer than w is no legal form */
    for (const char *q = work;; q++) {
        int inside = q >= p && q <= e;
        if (*q && !inside && isalnum((unsigned char)*q)) {
            if (wl + 1 < sizeof w) w[wl++] = *q;
            else longer = 1;
            continue;
        }
        if (wl && !longer) {
            w[wl] = 0;
            if (lookup_kv(w, 0)) return 1;
        }
        wl = 0;
        longer = 0;
        if (!*q) return 0;
    }
}

/* 1 if s[0..n) is one word of >= 3 letters or digits (no space or dot). */
static int one_word(const char *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i])) return 0;
        k++;
    }
    return k >= 3;
}

int sn_split_cls(const char *folded, enum sn_class cls, char *work, size_t worksz, char **pieces, int maxpieces) {
    size_t n = strlen(folded);
    if (n + 1 > worksz / 2) n = worksz / 2 - 1;
    /* first half of work: the main part; second half: segments cut out of it */
    memcpy(work, folded, n);
    work[n] = 0;
    char *store = work + worksz / 2;
    size_t storesz = worksz - worksz / 2;
    int np = 1;
    pieces[0] = work;
    /* without a schema, "X (Y)" may be a person with a nickname or an
     * organisation with its name or place in brackets: besides "x" and "y"
     * the whole "x y" is a name too (added last, when room allows) */
    char *full = NULL;
    int cut = 0, marker = 0;
    if (cls == SC_ANY && 2 * (n + 1) <= storesz) {
        full = store;
        memcpy(full, work, n + 1);
        store += n + 1;
        storesz -= n + 1;
    }
    char *e, *p;
    while (np < maxpieces && (p = next_segment(work, &e))) {
        size_t l = (size_t)(e - p - 1);
        if (full) full[p - work] = full[e - work] = ' ';
        if (l == 1 && p[1] == 'a' && *p == '(') { /* "(a)" is an alias marker */
            memset(p, ' ', 3);
            *p = '|';
            marker = 1;
            continue;
        }
        if (only_legal_outside(work, p, e) || (*p == '(' && only_place_inside(p, e))) {
            *p = *e = ' ';
            continue;
        }
        /* a company's quoted or bracketed text stays in its name: the quoted
         * name proper, or a place that tells a subsidiary from its parent
         * ("VTB BANK (AUSTRIA) AG", "LEADER (HONG KONG) INTERNATIONAL
         * TRADING"); brackets hold a name of their own only as one word
         * (an acronym: "(IRGC)", "(NICO)"), never as a place of two */
        int company = cls == SC_ORG || (cls == SC_ANY && legal_word_outside(work, p, e));
        int own = !company || *p != '(' || one_word(p + 1, l);
        if (own && l + 1 <= storesz) {
            memcpy(store, p + 1, l);
            store[l] = 0;
            pieces[np++] = store;
            store += l + 1;
            storesz -= l + 1;
        }
        if (company) *p = *e = ' ';
        else {
            memset(p, ' ', l + 2);
            cut = 1;
        }
    }
    /* alias markers split the main part: "x alias y", "x a.k.a. y", "x (a) y" */
    static const char *const markers[] = {"alias", "aka", "a.k.a", "a/k/a", "apodo", NULL};
    for (size_t i = 0; work[i] && np < maxpieces; i++) {
        if (work[i] == '|') {
            work[i] = 0;
            pieces[np++] = work + i + 1;
            continue;
        }
        /* a marker starts a word: most positions are inside one (cheap) */
        if (i > 0 && isalnum((unsigned char)work[i - 1])) continue;
        for (size_t m = 0; markers[m]; m++) {
            if (work[i] != markers[m][0] || !word_at(work, i, markers[m])) continue;
            size_t ml = strlen(markers[m]);
            work[i] = 0;
            size_t j = i + ml;
            while (work[j] == '.' || work[j] == ':' || work[j] == ' ') j++;
            pieces[np++] = work + j;
            i = j - 1;
            marker = 1;
            break;
        }
    }
    if (full && cut && !marker && np < maxpieces) pieces[np++] = full;
    return np;
}

/* ---- tokenisation ------------------------------------------------------------ */



/* Rewrite s (NUL-terminated, in a buffer of size) with legal_spell;
 * returns 1 if anything changed. Stops rewriting when a result would not
 * fit. */
static int legal_spelling(char *s, size_t size) {
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



static int has_flag(const char *s, size_t n, int flag);

/* 1 if a token of n is spelt as legal_spell rewrites. */
static int legal_spell_needed(const sn_name *n) {
    for (int i = 0; i < n->ntok; i++)
        if (has_flag(n->tok[i].s, n->tok[i].len, LX_SPELL)) return 1;
    return 0;
}

static const char *lookup_kv(const char *s, int which) {
    const lx_entry *e = lx_get(s, strlen(s));
    if (!e) return NULL;
    return which == 0 ? e->legal : e->number;
}

/* The canonical legal form spelt by the letters s, also in another
 * spelling (legal_spell) when spell is set. */
static const char *lookup_legal(const char *s, int spell) {
    const lx_entry *e = lx_get(s, strlen(s));
    if (spell && (!e || !e->legal)) {
        /* another spelling of a transliterated form? (only long keys: the
         * abbreviations have one spelling) */
        char sp[72];
        size_t n = strlen(s);
        if (n < 8 || n >= sizeof sp - 8) return NULL;
        memcpy(sp, s, n + 1);
        if (!legal_spelling(sp, sizeof sp)) return NULL;
        e = lx_get(sp, strlen(sp));
    }
    return e ? e->legal : NULL;
}

static int has_flag(const char *s, size_t n, int flag) {
    const lx_entry *e = lx_get(s, n);
    return e && (e->flags & flag);
}

static void add_tok(sn_name *n, const char *s, size_t len, int kind) {
    if (len == 0) return;
    if (len > SN_TOK_MAX) len = SN_TOK_MAX;
    if (n->ntok >= SN_MAX_TOK || n->used + len + 1 > sizeof n->buf) {
        n->dropped++;
        return;
    }
    char *d = n->buf + n->used;
    memcpy(d, s, len);
    d[len] = 0;
    n->used += len + 1;
    n->tok[n->ntok].s = d;
    n->tok[n->ntok].len = (uint8_t)len;
    n->tok[n->ntok].kind = (uint8_t)kind;
    n->ntok++;
}

/* ---- compound given names ------------------------------------------------------ */


/* Arabic and Persian given names are compounds written joined or apart:
 * Abdulrahman = Abdul Rahman = Abd al-Rahman (= Abdelrahman, Abdurrahman),
 * Abdullah = Abd Allah, Mohammadreza = Mohammad Reza, Alireza = Ali Rida,
 * Nourddin = Nour Addin, Salahuddin = Salah al-Din. sn_compound_canon writes
 * one canonical spelling of such a compound (joined): abd + connective ->
 * "abdul", -ullah/-ollah/-alla -> "allah", -eddin/-uddin/-addin -> "din",
 * -rida/-ridha -> "reza". The join rule of screen_score.c compares two
 * adjacent tokens with one token in this form. Tokens are NOT split at
 * tokenisation: a split would count one given name as two matched tokens
 * (Fazlullah = Fazl + Allah) and change the coverage rules. */
typedef struct csuf { const char *s; uint8_t n; uint8_t part; } csuf;
enum { CP_ALLAH, CP_DIN, CP_REZA };
static const char *const cpart[] = {"allah", "din", "reza"};
static const uint8_t cpart_len[] = {5, 3, 4};

static int compound_split(const char *s, size_t n, size_t *alen, const char **b, size_t *blen) {
    /* second parts by their last letter (most tokens end otherwise) */
    static const csuf end_h[] = {{"ullah", 5, CP_ALLAH}, {"ollah", 5, CP_ALLAH}, {"allah", 5, CP_ALLAH},
                                 {"ellah", 5, CP_ALLAH}, {"illah", 5, CP_ALLAH}, {"allh", 4, CP_ALLAH},
                                 {NULL, 0, 0}};
    static const csuf end_a[] = {{"ulla", 4, CP_ALLAH}, {"alla", 4, CP_ALLAH}, {"reza", 4, CP_REZA},
                                 {"rida", 4, CP_REZA}, {"ridha", 5, CP_REZA}, {NULL, 0, 0}};
    static const csuf end_n[] = {{"eddin", 5, CP_DIN}, {"uddin", 5, CP_DIN}, {"addin", 5, CP_DIN},
                                 {"aldin", 5, CP_DIN}, {"eldin", 5, CP_DIN}, {"oddin", 5, CP_DIN},
                                 {"iddin", 5, CP_DIN}, {"ddin", 4, CP_DIN}, {"din", 3, CP_DIN}, {NULL, 0, 0}};
    static const csuf end_e[] = {{"eddine", 6, CP_DIN}, {NULL, 0, 0}};
    if (n < 6) return 0;
    char z = s[n - 1];
    const csuf *t = z == 'h' ? end_h : z == 'a' ? end_a : z == 'n' ? end_n : z == 'e' ? end_e : NULL;
    for (; t && t->s; t++)
        if (n >= t->n + 3u && memcmp(s + n - t->n, t->s, t->n) == 0) {
            *alen = n - t->n, *b = cpart[t->part], *blen = cpart_len[t->part];
            return 1;
        }
    /* abd + connective (ul, el, al, ol, or a vowel before an assimilated
     * consonant: abdurrahman, abdussalam) + a name of >= 3 letters */
    if (n >= 7 && s[0] == 'a' && s[1] == 'b' && s[2] == 'd') {
        const char *r = s + 3;
        size_t rl = n - 3;
        int v = r[0] == 'a' || r[0] == 'e' || r[0] == 'i' || r[0] == 'o' || r[0] == 'u';
        if (v && r[1] == 'l' && rl >= 5) r += 2, rl -= 2;
        else if (v && r[1] == r[2] && rl >= 6) r += 2, rl -= 2;
        else return 0;
        *alen = 3, *b = r, *blen = rl;
        return 2; /* first part: abd + connective, canonical "abdul" */
    }
    return 0;
}

size_t sn_compound_canon(const char *s, size_t n, char *out, size_t size) {
    size_t al, bl, k;
    const char *b;
    int r = compound_split(s, n, &al, &b, &bl);
    if (!r) {
        k = n < size - 1 ? n : size - 1;
        memcpy(out, s, k);
    } else {
        const char *a = r == 2 ? "abdul" : s;
        if (r == 2) al = 5;
        if (al + bl >= size) return 0;
        memcpy(out, a, al);
        memcpy(out + al, b, bl);
        k = al + bl;
    }
    out[k] = 0;
    return k;
}

int sn_join_keys(const char *a, size_t al, uint16_t agroup, const char *b, size_t bl, uint64_t out[3]) {
    static uint16_t abdul;
    char buf[2 * SN_TOK_MAX + 8], j[2 * SN_TOK_MAX + 8];
    int n = 0;
    if (!abdul) abdul = sn_nick_group("abdul", 5);
    if (al > SN_TOK_MAX || bl > SN_TOK_MAX) return 0;
    for (int v = 0; v < (abdul && agroup == abdul ? 3 : 1); v++) {
        const char *as = v == 0 ? a : v == 1 ? "abdul" : "abd";
        size_t asl = v == 0 ? al : v == 1 ? 5 : 3;
        memcpy(buf, as, asl);
        memcpy(buf + asl, b, bl);
        size_t l = sn_compound_canon(buf, asl + bl, j, sizeof j);
        if (l) out[n++] = sn_hash(j, l);
    }
    /* RUSSIAN + word = ROS/RUS + word (sn_ros_key) */
    if (agroup && agroup == sn_russian_group() && bl >= 5 && n < 3) out[n++] = sn_ros_key(b, bl);
    return n;
}

/* Russian compound names abbreviate "Russian" to ROS-/RUS-: ROSELEKTRONIKA
 * = RUSSIAN ELECTRONICS, RUSELECTRONICS, ROSSELKHOZ... */
int sn_ros_split(const char *s, size_t n, const char **rest, size_t *rl) {
    if (n < 8 || s[0] != 'r' || !((s[1] == 'o' || s[1] == 'u') && s[2] == 's')) return 0;
    *rest = s + 3;
    *rl = n - 3;
    return 1;
}

uint16_t sn_russian_group(void) {
    static uint16_t g;
    if (!g) g = sn_nick_group("russian", 7);
    return g;
}

uint64_t sn_ros_key(const char *rest, size_t rl) {
    /* the word, or its lexicon group (ELEKTRONIKA = ELECTRONICS) */
    uint16_t g = sn_nick_group(rest, rl);
    char buf[SN_TOK_MAX + 8];
    size_t k;
    if (g && !sn_group_is_name(g)) k = (size_t)snprintf(buf, sizeof buf, "ros#%u", (unsigned)g);
    else {
        if (rl > SN_TOK_MAX) rl = SN_TOK_MAX;
        memcpy(buf, "ros#", 4);
        memcpy(buf + 4, rest, rl);
        k = 4 + rl;
    }
    return sn_hash(buf, k);
}

int sn_acronym_ok(const char *s, size_t n, uint16_t group) {
    if (n < 3 || n > 10 || sn_group_is_name(group)) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z') return 0;
    return 1;
}

/* Legal forms that may also open a name ("OOO Yargeo", "Public Joint Stock
 * Company Sberbank of Russia"): only the unambiguous Russian/CIS codes and
 * LLC; "SA" or "Co" at the start are too often part of the name. */
static int leading_ok(const char *canon) {
    static const char *const ok[] = {"ao", "oao", "zao", "pao", "prao", "llc", "fgup", "gup", "fgbu", "fku", "fau", "mup", NULL};
    for (int i = 0; ok[i]; i++)
        if (strcmp(canon, ok[i]) == 0) return 1;
    return 0;
}

/* The canonical legal form spelt by tokens [from, from + k), or NULL. */
static const char *legal_run(const sn_name *n, int from, int k, int spell) {
    char cat[64];
    size_t cl = 0;
    for (int i = from; i < from + k; i++) {
        if (n->tok[i].kind == SN_LEGAL || cl + n->tok[i].len >= sizeof cat) return NULL;
        memcpy(cat + cl, n->tok[i].s, n->tok[i].len);
        cl += n->tok[i].len;
    }
    cat[cl] = 0;
    return cl <= 48 ? lookup_legal(cat, spell) : NULL; /* no legal form is longer */
}

/* Replace tokens [from, from + k) by the canonical token v (in place:
 * canonical forms are never longer than the letters they replace). */
static void legal_replace(sn_name *n, int from, int k, const char *v) {
    sn_token *t = &n->tok[from];
    char *d = (char *)t->s;
    size_t vl = strlen(v);
    memcpy(d, v, vl + 1);
    t->len = (uint8_t)vl;
    t->kind = SN_LEGAL;
    for (int i = from + k; i < n->ntok; i++) n->tok[i - k + 1] = n->tok[i];
    n->ntok -= k - 1;
}

/* A leading run of tokens that spells an unambiguous legal form becomes its
 * canonical token. Keeps >= 1 other token. */
static void fold_legal_leading_at(sn_name *n, int from, int spell) {
    for (int k = n->ntok - from - 1 < 8 ? n->ntok - from - 1 : 8; k >= 1; k--) {
        const char *v = legal_run(n, from, k, spell);
        if (v && leading_ok(v)) {
            legal_replace(n, from, k, v);
            return;
        }
    }
}

/* Two leading forms happen too ("OAO JSC ORENBURGNEFT": the Russian and
 * the English abbreviation of one form). */
static void fold_legal_leading(sn_name *n, int spell) {
    fold_legal_leading_at(n, 0, spell);
    if (n->ntok > 2 && n->tok[0].kind == SN_LEGAL) fold_legal_leading_at(n, 1, spell);
}

/* Replace the longest trailing run of tokens that spells a legal form by its
 * canonical token; repeat (e.g. "sa de cv sofom enr"). Keeps >= 1 other token. */
static void fold_legal(sn_name *n) {
    int end = n->ntok, spell = legal_spell_needed(n);
    for (int round = 0; round < 4 && end > 1; round++) {
        int found = 0;
        for (int k = end - 1 < 8 ? end - 1 : 8; k >= 1 && !found; k--) {
            char cat[64];
            size_t cl = 0;
            int ok = 1;
            for (int i = end - k; i < end && ok; i++) {
                if (n->tok[i].kind == SN_LEGAL) ok = 0;
                else if (cl + n->tok[i].len >= sizeof cat) ok = 0;
                else {
                    memcpy(cat + cl, n->tok[i].s, n->tok[i].len);
                    cl += n->tok[i].len;
                }
            }
            if (!ok || cl > 48) continue; /* no legal form is longer */
            cat[cl] = 0;
            const char *v = lookup_legal(cat, spell);
            if (!v) continue;
            /* rewrite token end-k in place: canonical forms are never longer
             * than the letters they replace */
            sn_token *t = &n->tok[end - k];
            char *d = (char *)t->s;
            size_t vl = strlen(v);
            memcpy(d, v, vl + 1);
            t->len = (uint8_t)vl;
            t->kind = SN_LEGAL;
            for (int i = end; i < n->ntok; i++) n->tok[end - k + 1 + (i - end)] = n->tok[i];
            n->ntok -= k - 1;
            end = end - k;
            found = 1;
        }
        if (!found) break;
    }
    fold_legal_leading(n, spell);
}

static int ordinal_suffix(const char *s, size_t n) {
    static const char *const suf[] = {"st", "nd", "rd", "th", "o", "a", "er", "eme", "e", NULL};
    for (size_t i = 0; suf[i]; i++)
        if (strlen(suf[i]) == n && memcmp(s, suf[i], n) == 0) return 1;
    return 0;
}

static void classify(sn_name *n, enum sn_class cls) {
    int out = 0;
    for (int i = 0; i < n->ntok; i++) {
        sn_token t = n->tok[i];
        if (t.kind == SN_WORD) {
            int hon = cls != SC_ORG && cls != SC_VEHICLE && n->ntok > 1 && has_flag(t.s, t.len, LX_HONORIFIC);
            const char *num = lookup_kv(t.s, 1);
            int isdigit_tok = 1;
            for (size_t j = 0; j < t.len; j++)
                if (!isdigit((unsigned char)t.s[j])) isdigit_tok = 0;
            /* an ordinal is its number: 27TH SCIENTIFIC CENTER = 27 ...,
             * 1ST, 2ND, 3RD; Spanish 1O / 1A (1º, 1ª after NFKC) */
            if (!isdigit_tok) {
                size_t d = 0;
                while (d < t.len && isdigit((unsigned char)t.s[d])) d++;
                if (d > 0 && ordinal_suffix(t.s + d, t.len - d)) {
                    t.len = (uint8_t)d;
                    isdigit_tok = 1;
                }
            }
            if (num && !(cls == SC_PERSON || has_flag(t.s, t.len, LX_PARTICLE))) {
                char *d = (char *)t.s; /* digits are never longer than the word */
                size_t nl = strlen(num);
                memcpy(d, num, nl + 1);
                t.len = (uint8_t)nl;
                t.kind = SN_NUMBER;
            } else if (isdigit_tok) t.kind = SN_NUMBER;
            else if (hon || has_flag(t.s, t.len, LX_PARTICLE)) t.kind = SN_PARTICLE;
            else if (t.len == 1) t.kind = SN_INITIAL;
        }
        n->tok[out++] = t;
    }
    n->ntok = out;
}

void sn_tokenize(const char *piece, enum sn_class cls, sn_name *n) {
    n->used = 0;
    n->ntok = 0;
    n->dropped = 0;
    n->person_form = 0;
    int comma_at = -1, commas = 0;
    char cur[SN_TOK_MAX + 1];
    size_t cl = 0;
    for (const char *p = piece;; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c)) {
            if (cl < SN_TOK_MAX) cur[cl++] = (char)c;
            continue;
        }
        if (c == '\'' || c == '`') continue; /* O'Brien -> obrien */
        if (cl) add_tok(n, cur, cl, SN_WORD);
        cl = 0;
        if (c == 0) break;
        if (c == '&') add_tok(n, "and", 3, SN_WORD);
        if (c == ',') {
            if (commas++ == 0) comma_at = n->ntok;
        }
    }
    if (cls != SC_PERSON && cls != SC_VEHICLE) fold_legal(n);
    classify(n, cls);
    /* "SURNAME, Given" -> "Given SURNAME" for persons (and unknown schemas
     * when the part after the comma is no legal form). Only one comma: lists
     * like "a, b, c" are left alone. */
    if (commas == 1 && comma_at > 0 && comma_at < n->ntok && cls != SC_ORG && cls != SC_VEHICLE) {
        int legal_after = 0;
        for (int i = comma_at; i < n->ntok; i++)
            if (n->tok[i].kind == SN_LEGAL) legal_after = 1;
        if (!legal_after) {
            sn_token tmp[SN_MAX_TOK];
            int k = 0;
            for (int i = comma_at; i < n->ntok; i++) tmp[k++] = n->tok[i];
            for (int i = 0; i < comma_at; i++) tmp[k++] = n->tok[i];
            memcpy(n->tok, tmp, sizeof(sn_token) * (size_t)n->ntok);
            n->person_form = 1;
        }
    }
}

void sn_join(const sn_name *n, char *buf, size_t size) {
    pu_buf b = PU_BUF_INIT(size ? size - 1 : 0);
    size_t l = 0;
    if (size) buf[0] = 0;
    for (int i = 0; i < n->ntok; i++) {
        size_t need = n->tok[i].len + (i ? 1 : 0);
        if (l + need + 1 > size) break;
        if (i) buf[l++] = ' ';
        memcpy(buf + l, n->tok[i].s, n->tok[i].len);
        l += n->tok[i].len;
        buf[l] = 0;
    }
    pu_buf_free(&b);
}

/* ---- phonetic key ------------------------------------------------------------- */

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

/* A consonant skeleton tuned for Spanish and romanised Arabic: vowels, h and
 * w dropped (an initial vowel is kept as 'A'), b=v, s=z=soft c, k=q=hard c,
 * ge/gi=j, ll=y, ph=f, th=t, kh=k, sh/ch=x, doubled letters collapsed.
 * So muhammad = mohamed = mohammed, husayn = hussein, jose = hose. */
void sn_phonetic(const char *t, size_t n, char *key, size_t size) {
    size_t k = 0;
    char last = 0;
    if (size == 0) return;
    for (size_t i = 0; i < n && k + 1 < size; i++) {
        char c = t[i], nx = i + 1 < n ? t[i + 1] : 0, o = 0;
        if (i == 0 && (is_vowel(c) || c == 'y')) o = 'A';
        else if (is_vowel(c) || c == 'w') o = 0;
        else if (c == 'y') o = (nx && is_vowel(nx) && is_vowel(t[i - 1])) ? 'y' : 0; /* cryo = krio */
        else if (c == 'h') o = 0;
        else if (c == 'c') {
            if (nx == 'e' || nx == 'i') o = 's';
            else if (nx == 'h') { o = 'x'; i++; }
            else o = 'k';
        } else if (c == 'q') o = 'k';
        else if (c == 'g') {
            if (nx == 'e' || nx == 'i') o = 'j';
            else if (nx == 'h') { o = 'g'; i++; }
            else o = 'g';
        } else if (c == 'j') o = 'j';
        else if (c == 'z') o = 's';
        else if (c == 'v') o = 'b';
        else if (c == 'l' && nx == 'l') { o = 'y'; i++; }
        else if (c == 'p' && nx == 'h') { o = 'f'; i++; }
        else if ((c == 't' || c == 'k' || c == 'd') && nx == 'h') { o = c; i++; }
        else if (c == 's' && nx == 'h') { o = 'x'; i++; }
        else if (c == 'x') o = 'x';
        else o = c;
        if (o && o != last) key[k++] = o;
        if (o) last = o;
        else if (c != 'h') last = 0; /* a vowel separates repeated consonants */
    }
    key[k] = 0;
}

/* ---- similarity ----------------------------------------------------------------- */

double screen_jaro_winkler(const char *a, size_t na, const char *b, size_t nb) {
    if (na == 0 && nb == 0) return 1.0;
    if (na == 0 || nb == 0) return 0.0;
    if (na > 64) na = 64;
    if (nb > 64) nb = 64;
    size_t range = (na > nb ? na : nb) / 2;
    range = range > 0 ? range - 1 : 0;
    /* Bit-parallel form of the classic matching loop (same result): pos[c]
     * has a bit for every position of letter c in b; each a[i] takes the
     * first unmatched position of its letter inside its window. Only the
     * entries of letters of a and b are cleared (this runs ~100 times per
     * query, a 2 kB memset would cost more than the matching). */
    uint64_t pos[256];
    for (size_t i = 0; i < na; i++) pos[(unsigned char)a[i]] = 0;
    for (size_t j = 0; j < nb; j++) pos[(unsigned char)b[j]] = 0;
    for (size_t j = 0; j < nb; j++) pos[(unsigned char)b[j]] |= 1ull << j;
    uint64_t ma = 0, mb = 0;
    size_t m = 0;
    for (size_t i = 0; i < na; i++) {
        size_t lo = i > range ? i - range : 0, hi = i + range + 1 < nb ? i + range + 1 : nb;
        if (lo >= hi) continue;
        uint64_t win = (hi >= 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
        uint64_t av = pos[(unsigned char)a[i]] & ~mb & win;
        if (!av) continue;
        mb |= av & (~av + 1); /* the lowest available position */
        ma |= 1ull << i;
        m++;
    }
    if (m == 0) return 0.0;
    /* transpositions: matched letters of a and b in order */
    size_t t = 0;
    for (uint64_t x = ma, y = mb; x; x &= x - 1, y &= y - 1)
        if (a[__builtin_ctzll(x)] != b[__builtin_ctzll(y)]) t++;
    double md = (double)m;
    double jaro = (md / (double)na + md / (double)nb + (md - (double)t / 2.0) / md) / 3.0;
    size_t l = 0;
    while (l < 4 && l < na && l < nb && a[l] == b[l]) l++;
    return jaro + (double)l * 0.1 * (1.0 - jaro);
}

uint64_t sn_letter_mask(const char *s, size_t len) {
    uint64_t m = 0;
    for (size_t i = 0; i < len; i++) m |= 1ull << ((unsigned char)s[i] & 63);
    return m;
}

/* Bit count without a libgcc call (the build targets baseline x86-64,
 * which has no popcnt instruction). */
static inline size_t popcount64(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (size_t)((x * 0x0101010101010101ull) >> 56);
}

double sn_jw_bound(const char *a, size_t na, uint64_t ma, const char *b, size_t nb, uint64_t mb) {
    if (na == 0 || nb == 0 || na > 64 || nb > 64) return 1.0; /* not bounded here */
    /* every letter of a that b lacks (one bit per distinct letter, or per
     * group of letters sharing a bit) leaves at least one position of a
     * unmatched, and the reverse */
    size_t xa = popcount64(ma & ~mb), xb = popcount64(mb & ~ma);
    size_t m = na - xa < nb - xb ? na - xa : nb - xb;
    if (m == 0 || xa >= na || xb >= nb) return 0.0; /* no match: Jaro-Winkler is 0 */
    /* Jaro with m matches and no transposition; Winkler's prefix exactly */
    double md = (double)m;
    double jaro = (md / (double)na + md / (double)nb + 1.0) / 3.0;
    size_t l = 0;
    while (l < 4 && l < na && l < nb && a[l] == b[l]) l++;
    return jaro + (double)l * 0.1 * (1.0 - jaro);
}

/* Floor and stretch: Jaro-Winkler is generous (maria~mario 0.92), so the
 * distance to 1 is multiplied by 2.5 and pairs below 0.5 count as unmatched. */
#define SIM_STRETCH 2.5
#define SIM_FLOOR 0.5
#define PHON_SIM 0.85

static int gender_pair(const sn_tokinfo *a, const sn_tokinfo *b) {
    if (a->len > b->len) {
        const sn_tokinfo *t = a;
        a = b;
        b = t;
    }
    if (a->len < 3) return 0;
    if (a->len == b->len) {
        char x = a->s[a->len - 1], y = b->s[b->len - 1];
        return memcmp(a->s, b->s, a->len - 1u) == 0 && ((x == 'a' && y == 'o') || (x == 'o' && y == 'a'));
    }
    return b->len == a->len + 1u && b->s[a->len] == 'a' && memcmp(a->s, b->s, a->len) == 0;
}

int sn_no_vowels(const char *s, size_t len) {
    if (len < 3) return 0;
    for (size_t i = 0; i < len; i++)
        if (is_vowel(s[i]) || s[i] == 'y') return 0;
    return 1;
}

static int no_vowels(const sn_tokinfo *t) {
    if (t->nv) return t->nv - 1;
    return sn_no_vowels(t->s, t->len);
}

/* 1 if the token starts with an attached Arabic article (al, el, ad, ar, as,
 * at, az, an, ash: "al-", "ar-Rahman", ...); *rest gets the remainder. */
int sn_article(const char *s, size_t n, const char **rest) {
    if (n < 5 || !((s[0] == 'a' || s[0] == 'e') && s[1] == 'l')) return 0;
    *rest = s + 2;
    return 1;
}

static double skeleton_sim(const sn_tokinfo *a, const sn_tokinfo *b);

static double article_sim(const sn_tokinfo *a, const sn_tokinfo *b) {
    const char *r;
    double best = 0;
    if (sn_article(a->s, a->len, &r)) {
        double jw = screen_jaro_winkler(r, a->len - 2, b->s, b->len);
        best = 1.0 - SIM_STRETCH * (1.0 - jw);
        /* ICU writes Arabic script without short vowels: "alrhmn" ~ "rahman" */
        sn_tokinfo ra = *a;
        ra.s = r, ra.len = (uint8_t)(a->len - 2), ra.tk = ra.sk = NULL, ra.nv = 0, ra.lm = 0;
        if (no_vowels(&ra)) {
            double sk = skeleton_sim(&ra, b);
            if (sk > best) best = sk;
        }
    }
    if (sn_article(b->s, b->len, &r)) {
        double jw = screen_jaro_winkler(a->s, a->len, r, b->len - 2);
        double s = 1.0 - SIM_STRETCH * (1.0 - jw);
        if (s > best) best = s;
        sn_tokinfo rb = *b;
        rb.s = r, rb.len = (uint8_t)(b->len - 2), rb.tk = rb.sk = NULL, rb.nv = 0, rb.lm = 0;
        if (no_vowels(&rb)) {
            double sk = skeleton_sim(a, &rb);
            if (sk > best) best = sk;
        }
    }
    return best * 0.95; /* the article itself is a small difference */
}

/* Consonant skeleton for romanised Arabic (and Persian): the romanisations
 * of one name differ mostly in vowels, semivowels and h (tair/teir/tayr,
 * dwaik/dweik, tawtah/tutah, thouaib/thweib, shehab/shihab), and ICU writes
 * Arabic script without short vowels (mhmd, hsn). So: digraphs th/dh/kh/gh
 * = t/d/k/g, sh/ch = x, q = k, c = k; vowels, w, y and h dropped (an initial
 * vowel too: adwan = udwan); a doubled letter counts once, but the same
 * consonant twice across a vowel stays (tawtah = tt). Returns the length. */
size_t sn_skeleton(const char *t, size_t n, char *key, size_t size) {
    size_t k = 0;
    if (size == 0) return 0;
    for (size_t i = 0; i < n && k + 1 < size; i++) {
        char c = t[i], nx = i + 1 < n ? t[i + 1] : 0, o;
        if (i > 0 && t[i - 1] == c) continue; /* a doubled letter */
        if (is_vowel(c) || c == 'w' || c == 'y' || c == 'h') continue;
        if ((c == 't' || c == 'd' || c == 'k' || c == 'g') && nx == 'h') {
            o = c;
            i++;
        } else if ((c == 's' || c == 'c') && nx == 'h') {
            o = 'x';
            i++;
        } else if (c == 'q' || c == 'c') o = 'k';
        else o = c;
        key[k++] = o;
    }
    key[k] = 0;
    return k;
}

/* Similarity from the Arabic skeleton: equal skeletons of >= 2 consonants.
 * Written without vowels (abjad romanisation) that is as good as a phonetic
 * match; between two vowelled spellings it is weaker evidence (mario/mauro
 * share a skeleton too), so it needs the same first letter (or two initial
 * vowels) and counts 0.75. */
#define SKEL_SIM 0.75
static double skeleton_sim(const sn_tokinfo *a, const sn_tokinfo *b) {
    int abjad = no_vowels(a) || no_vowels(b);
    int va = is_vowel(a->s[0]), vb = is_vowel(b->s[0]);
    char fa = a->s[0] == 'q' || a->s[0] == 'c' ? 'k' : a->s[0], fb = b->s[0] == 'q' || b->s[0] == 'c' ? 'k' : b->s[0];
    /* cheap rejections first: this runs for most blocked token pairs */
    if (!abjad && !(va && vb) && fa != fb) return 0; /* "bush" ~ "habbash" stays apart */
    /* the skeletons cached with the tokens when they are (sn_tokinfo.sk) */
    char ba[SN_TOK_MAX + 1], bb[SN_TOK_MAX + 1];
    const char *ka = a->sk, *kb = b->sk;
    size_t la = a->skl, lb = b->skl;
    if (!ka) la = sn_skeleton(a->s, a->len, ba, sizeof ba), ka = ba;
    if (!kb) lb = sn_skeleton(b->s, b->len, bb, sizeof bb), kb = bb;
    /* ta marbuta: ICU writes a final "t" that romanisations write as a/ah/eh */
    if (abjad && la != lb && la > 2 && lb > 1 && ka[la - 1] == 't' && no_vowels(a)) --la;
    else if (abjad && la != lb && lb > 2 && la > 1 && kb[lb - 1] == 't' && no_vowels(b)) --lb;
    if (la < 2 || la != lb || memcmp(ka, kb, la) != 0) return 0;
    return abjad ? PHON_SIM : SKEL_SIM;
}

/* Transliteration key of a romanised Arabic/Persian token: the spellings
 * of one name differ in vowel letters and digraphs, not in consonants:
 * ou = oo = u (ABOU/ABU, ABOOD/ABUD), ee = i, inner e = a and o = u
 * (YEHIA/YAHIA, SEIR/SAIR, MOHAMMED/MOHAMMAD), y before a consonant or at
 * the end = i (YAHYA/YAHIA), dh = d (QADHAFI/QADDAFI), doubled letters once
 * (RADDAD/RADAD). q is k (Iraqi/Gulf QASIM = KASIM) in variant 0 and g in
 * variant 1 (Libyan/Egyptian/Gulf dialects say q as g: GADDAFI/QADHAFI);
 * g and k stay apart (GAMAL = JAMAL, KAMAL is another name). The last
 * letter keeps its vowel (FELIPE/FELIPA, MARIO/MARIA stay apart). Returns
 * the key length (0 when it does not fit). */
/* One output letter of the key at a time (so that two keys can be compared
 * letter by letter and stop at the first difference): *i is the input
 * position, *prev the last output letter; 0 at the end. */
static char tk_next(const char *t, size_t n, size_t *i, int variant, char *prev) {
    while (*i < n) {
        size_t p = *i;
        char c = t[p], nx = p + 1 < n ? t[p + 1] : 0, o = c;
        /* German/Polish/Czech-style romanisation of Slavic names writes j
         * for y: MURAVJOV = MURAVYOV, KOVALEVSKIJ = KOVALEVSKIY; variant 2:
         * Russian writes G for H (Ukrainian HUBAREVA = Russian GUBAREVA,
         * GASAN = HASAN, GERMAN = HERMAN) */
        if (c == 'j' && p > 0) c = 'y';
        if (variant == 2 && c == 'h' && (p == 0 || !strchr("cdkgsz", t[p - 1]))) c = 'g';
        o = c;
        int last = p + 1 == n;
        *i = p + 1;
        if ((c == 'o' && (nx == 'u' || nx == 'o')) || (c == 'e' && nx == 'e')) {
            o = c == 'e' ? 'i' : 'u';
            *i = p + 2;
        } else if (c == 'd' && nx == 'h') {
            o = 'd';
            *i = p + 2;
        } else if (c == 'q') o = variant == 1 ? 'g' : 'k';
        else if (c == 'e' && !last && p > 0) o = 'a';
        else if (c == 'o' && !last && p > 0) o = 'u';
        else if (c == 'y' && p > 0 && (last || !is_vowel(nx))) o = 'i';
        if (o == *prev) continue; /* a doubled letter */
        *prev = o;
        return o;
    }
    return 0;
}

size_t sn_translit_key(const char *t, size_t n, int variant, char *key, size_t size) {
    size_t k = 0, i = 0;
    char prev = 0, o;
    while ((o = tk_next(t, n, &i, variant, &prev))) {
        if (k + 1 >= size) return 0;
        key[k++] = o;
    }
    key[k] = 0;
    return k;
}

static int translit_eq(const sn_tokinfo *a, const sn_tokinfo *b, int variant) {
    size_t i = 0, j = 0, k = 0;
    char pa = 0, pb = 0;
    for (;;) {
        char x = tk_next(a->s, a->len, &i, variant, &pa), y = tk_next(b->s, b->len, &j, variant, &pb);
        if (x != y) return 0;
        if (!x) return k >= 3;
        k++;
    }
}

/* Equal transliteration keys (either variant) of two vowelled tokens. */
#define TRANSLIT_SIM 0.9
static double translit_sim(const sn_tokinfo *a, const sn_tokinfo *b) {
    if (a->len < 3 || b->len < 3 || a->len > b->len + 3 || b->len > a->len + 3) return 0;
    /* the first letters agree, or are q/g/k (GADDAFI, QADHAFI, KADDAFI),
     * or h/g (HUBAREVA, GUBAREVA) */
    char fa = a->s[0], fb = b->s[0];
    if (fa != fb && !((fa == 'q' || fa == 'g' || fa == 'k') && (fb == 'q' || fb == 'g' || fb == 'k')) &&
        !((fa == 'h' && fb == 'g') || (fa == 'g' && fb == 'h')))
        return 0;
    /* variant 1 (q = g) only matters when a q is there, variant 2 (h = g)
     * when one side has an h and the other a g */
    int q = memchr(a->s, 'q', a->len) || memchr(b->s, 'q', b->len);
    int hg = (memchr(a->s, 'h', a->len) && memchr(b->s, 'g', b->len)) ||
             (memchr(a->s, 'g', a->len) && memchr(b->s, 'h', b->len));
    for (int v = 0; v < 3; v++) {
        if ((v == 1 && !q) || (v == 2 && !hg)) continue;
        /* variant 0 from the cached keys when both have one */
        int eq = v == 0 && a->tk && b->tk ? strlen(a->tk) >= 3 && strcmp(a->tk, b->tk) == 0 : translit_eq(a, b, v);
        if (eq) return no_vowels(a) || no_vowels(b) ? 0 : TRANSLIT_SIM;
    }
    return 0;
}

/* Two joined compound given names: 1 = one name (equal canonical forms:
 * abdulrahman / abdelrahman), -1 = two names (both compounds, with
 * different parts: abdallatif / abdallah, abdulrahman / abdulrahim),
 * 0 = not both compounds. */
static int compound_pair(const sn_tokinfo *a, const sn_tokinfo *b) {
    size_t aal, abl, bal, bbl;
    const char *ab, *bb;
    int ka = compound_split(a->s, a->len, &aal, &ab, &abl), kb = compound_split(b->s, b->len, &bal, &bb, &bbl);
    if (!ka || !kb) return 0;
    if (ka == 2) aal = 3; /* abd + connective: compare from "abd" */
    if (kb == 2) bal = 3;
    if (abl == bbl && memcmp(ab, bb, abl) == 0 &&
        (aal == bal ? memcmp(a->s, b->s, aal) == 0 : 0))
        return 1;
    /* the same first part with a clearly different second part is another
     * name (abd + latif, abd + allah); anything else (typos in either part)
     * stays with Jaro-Winkler */
    if (aal != bal || memcmp(a->s, b->s, aal) != 0 || abl < 4 || bbl < 4) return 0;
    return screen_jaro_winkler(ab, abl, bb, bbl) < 0.8 ? -1 : 0;
}

/* 1 if the longer token is the shorter one + an East Slavic patronymic
 * suffix: ROMANOVYCH is the son of ROMAN, not ROMAN (Jaro-Winkler's
 * prefix bonus would call them close). */
static int patronymic_of(const sn_tokinfo *a, const sn_tokinfo *b) {
    static const char *const suf[] = {"ovich", "evich", "ovych", "evych", "yevich", "ovna", "evna", "ivna",
                                      "yevna", "ich", "ych", NULL};
    if (a->len > b->len) {
        const sn_tokinfo *t = a;
        a = b;
        b = t;
    }
    if (a->len < 3 || memcmp(a->s, b->s, a->len) != 0) return 0;
    size_t rest = b->len - a->len;
    for (int i = 0; suf[i]; i++)
        if (strlen(suf[i]) == rest && memcmp(b->s + a->len, suf[i], rest) == 0) return 1;
    return 0;
}

double sn_token_sim(const sn_tokinfo *a, const sn_tokinfo *b, int *how) {
    *how = SIM_NONE;
    if (a->len == b->len && memcmp(a->s, b->s, a->len) == 0) {
        *how = SIM_EXACT;
        return 1.0;
    }

    if (a->kind == SN_LEGAL || b->kind == SN_LEGAL) return 0.0;
    if (a->kind == SN_INITIAL || b->kind == SN_INITIAL) {
        if (a->s[0] == b->s[0] && a->kind != SN_NUMBER && b->kind != SN_NUMBER) {
            *how = SIM_INITIAL;
            return 0.85;
        }
        return 0.0;
    }
    if (a->kind == SN_NUMBER || b->kind == SN_NUMBER) return 0.0;
    /* Below 0.75 the value of jw changes nothing below: every rule that
     * reads it needs jw >= 0.75 (or s >= SIM_FLOOR, jw >= 0.8), and the
     * rules that do not (nickname, article, skeleton, phonetic without
     * vowels) set s to a value of their own; a result below SIM_FLOOR is 0
     * either way. So a cheap upper bound below 0.75 stands for it (most
     * token pairs of two names are unrelated: juan / perez). */
    double jw = a->lm && b->lm && sn_jw_bound(a->s, a->len, a->lm, b->s, b->len, b->lm) < 0.75 - 1e-9
                    ? 0.0
                    : screen_jaro_winkler(a->s, a->len, b->s, b->len);
    double s = 1.0 - SIM_STRETCH * (1.0 - jw);
    if (jw >= 0.8 && a->len != b->len && patronymic_of(a, b)) return 0.0;
    /* Spanish given names of the other gender are other names, not typos:
     * mario/maria, juan/juana, francisco/francisca */
    if (gender_pair(a, b)) {
        *how = SIM_JW;
        return SIM_FLOOR;
    }
    if (s >= SIM_FLOOR) *how = SIM_JW;
    if (a->group && a->group == b->group && s < 0.9) {
        s = 0.9;
        *how = SIM_NICK;
    }
    /* romanisations of one Arabic/Persian name (sn_translit_key) */
    if (s < TRANSLIT_SIM && jw >= 0.8 && !(a->group && b->group && a->group != b->group)) {
        double st = translit_sim(a, b);
        if (st > s && !gender_pair(a, b)) {
            s = st;
            *how = SIM_TRANSLIT;
        }
    }
    /* one compound given name, joined in two spellings: abdulrahman /
     * abdelrahman / abdurrahman, abdullah / abdallah (sn_compound_canon) */
    if (s < TRANSLIT_SIM && jw >= 0.75 && a->len >= 6 && b->len >= 6 && a->s[0] == b->s[0]) {
        int cp = compound_pair(a, b);
        if (cp > 0) {
            s = TRANSLIT_SIM;
            *how = SIM_TRANSLIT;
        } else if (cp < 0) {
            *how = SIM_NONE; /* Abdul Latif is not Abdullah */
            return 0.0;
        }
    }
    /* Arabic article written attached: "alfadhli" ~ "fadhli" */
    if (s < 0.9) {
        double sa = article_sim(a, b);
        if (sa > s) {
            s = sa;
            *how = SIM_JW;
        }
    }
    /* phonetic keys raise recall but hurt precision ("george bush" ~
     * "habbash"): only skeletons of >= 3 consonants, on tokens already close
     * (or written without vowels, as abjad scripts romanise: "mhmd") */
    if (s < PHON_SIM && a->phon && b->phon && (jw >= 0.75 || no_vowels(a) || no_vowels(b)) &&
        a->phon[0] == b->phon[0] && strlen(a->phon) - (a->phon[0] == 'A') >= 3 && strcmp(a->phon, b->phon) == 0) {
        s = PHON_SIM;
        *how = SIM_PHON;
    }
    /* known distinct names keep apart (hasan / husayn share a skeleton) */
    if (s < SKEL_SIM && a->len >= 3 && b->len >= 3 && !(a->group && b->group && a->group != b->group)) {
        double sk = skeleton_sim(a, b);
        if (sk > s) {
            s = sk;
            *how = SIM_SKEL;
        }
    }
    if (s < SIM_FLOOR) {
        *how = SIM_NONE;
        return 0.0;
    }
    return s;
}

const char *sn_how_name(int how) {
    switch (how) {
    case SIM_EXACT: return "exact";
    case SIM_JW: return "jaro-winkler";
    case SIM_PHON: return "phonetic";
    case SIM_NICK: return "nickname";
    case SIM_INITIAL: return "initial";
    case SIM_SKEL: return "consonant skeleton";
    case SIM_TRANSLIT: return "transliteration";
    case SIM_ACRONYM: return "acronym";
    default: return "none";
    }
}

uint64_t sn_hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}

/* ---- public wrappers ---------------------------------------------------------- */

int screen_normalize(const char *name, const char *schema, char **out, pu_err *err) {
    *out = NULL;
    char *f = NULL;
    int rc = sn_fold(name, &f, err, "name");
    if (rc) return rc;
    char *work = malloc(SN_BUF_MAX * 2);
    sn_name *n = malloc(sizeof *n);
    if (!work || !n) {
        free(work);
        free(n);
        free(f);
        return PU_ERR_NOMEM;
    }
    char *pieces[SN_MAX_PIECES];
    int np = sn_split_cls(f, sn_class_of(schema), work, SN_BUF_MAX * 2, pieces, SN_MAX_PIECES);
    pu_buf b = PU_BUF_INIT(SN_BUF_MAX * 2);
    char tmp[SN_BUF_MAX];
    for (int i = 0; i < np; i++) {
        sn_tokenize(pieces[i], sn_class_of(schema), n);
        if (n->ntok == 0) continue;
        sn_join(n, tmp, sizeof tmp);
        if (b.len) pu_buf_puts(&b, " / ");
        pu_buf_puts(&b, tmp);
    }
    free(work);
    free(n);
    free(f);
    if (b.len == 0) {
        pu_buf_free(&b);
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "expected a name with letters or digits, got '%s'",
                       name);
    }
    *out = pu_buf_detach(&b);
    return *out ? PU_OK : PU_ERR_NOMEM;
}

int screen_normalize_id(const char *id, char *buf, size_t size) {
    size_t k = 0;
    if (!id || size == 0) return PU_ERR_INVALID;
    for (const char *p = id; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!isalnum(c) || c >= 0x80) continue;
        if (k + 1 >= size) return PU_ERR_LIMIT;
        buf[k++] = (char)toupper(c);
    }
    buf[k] = 0;
    return k ? PU_OK : PU_ERR_INVALID;
}
