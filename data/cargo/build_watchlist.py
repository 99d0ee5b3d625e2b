#!/usr/bin/env python3
"""Build data/cargo/watchlist.csv from the research compilation precursors.csv.

Usage: build_watchlist.py PRECURSORS_CSV > data/cargo/watchlist.csv

Provenance tool only: the build and the tests read data/cargo/watchlist.csv,
never the input of this script. What it adds (see data/cargo/SOURCE.md):
  * code names split out of the synonyms (short trade codes such as 4-AP, NPP);
  * Spanish names (ES) translated by the Puente engineer, marked in `source`;
  * list membership split into incb / dea / mexico columns;
  * tier (controlled | watch) derived from the lists, editable by the curator;
  * exclusions: benign look-alike names that must never fuzzy-match.
"""
import csv, re, sys

CODES = {"P-2-P", "P2P", "BMK", "PPA", "PAA", "APAAN", "APAA", "MAPA", "PMK", "MDP2P",
         "3,4-MDP-2-P", "ANPP", "4-ANPP", "NPP", "4-AP", "1-boc-4-AP", "boc-4-AP", "KMnO4",
         "MEK", "GBL", "1,4-BD", "BDO"}

ES = {
    "Acetic anhydride": "anhídrido acético",
    "N-Acetylanthranilic acid": "ácido N-acetilantranílico",
    "Ephedrine": "efedrina",
    "Pseudoephedrine": "seudoefedrina;pseudoefedrina",
    "Norephedrine": "norefedrina;fenilpropanolamina",
    "Ergometrine": "ergometrina;ergonovina",
    "Ergotamine": "ergotamina",
    "Lysergic acid": "ácido lisérgico",
    "1-Phenyl-2-propanone": "1-fenil-2-propanona;fenilacetona;bencil metil cetona",
    "Phenylacetic acid": "ácido fenilacético",
    "alpha-Phenylacetoacetonitrile": "alfa-fenilacetoacetonitrilo",
    "alpha-Phenylacetoacetamide": "alfa-fenilacetoacetamida",
    "Methyl alpha-phenylacetoacetate": "alfa-fenilacetoacetato de metilo",
    "Isosafrole": "isosafrol",
    "Safrole": "safrol",
    "Piperonal": "piperonal;heliotropina",
    "3,4-Methylenedioxyphenyl-2-propanone": "3,4-metilendioxifenil-2-propanona",
    "4-Anilino-N-phenethylpiperidine": "4-anilino-N-fenetilpiperidina",
    "N-Phenethyl-4-piperidone": "N-fenetil-4-piperidona",
    "4-Anilinopiperidine": "4-anilinopiperidina",
    "Norfentanyl": "norfentanilo",
    "4-Piperidone": "4-piperidona",
    "1-boc-4-Piperidone": "1-boc-4-piperidona",
    "Potassium permanganate": "permanganato de potasio;permanganato potásico",
    "Acetone": "acetona",
    "Anthranilic acid": "ácido antranílico",
    "Ethyl ether": "éter etílico;éter dietílico",
    "Hydrochloric acid": "ácido clorhídrico;cloruro de hidrógeno",
    "Methyl ethyl ketone": "metiletilcetona;metil etil cetona;butanona",
    "Piperidine": "piperidina",
    "Sulphuric acid": "ácido sulfúrico",
    "Toluene": "tolueno",
    "Benzaldehyde": "benzaldehído",
    "Nitroethane": "nitroetano",
    "Methylamine": "metilamina",
    "Red phosphorus": "fósforo rojo",
    "Hydriodic acid": "ácido yodhídrico",
    "gamma-Butyrolactone": "gamma-butirolactona",
    "1,4-Butanediol": "1,4-butanodiol",
    "Benzyl cyanide": "cianuro de bencilo;fenilacetonitrilo",
    "Ethylamine": "etilamina",
    "Iodine": "yodo",
}
# Source-given Spanish synonyms (MX21) stay as given.
SOURCE_ES = {"N-Fenil-4-Piperidinamina", "anhídrido propiónico", "cloruro de propionilo"}

EXCLUDE = {  # benign names one edit away from a listed name
    "Piperonal": "piperonyl;piperonyl butoxide",
    "Nitroethane": "nitromethane;nitrometano",
    "Methylamine": "dimethylamine;trimethylamine",
    "Ethylamine": "diethylamine;triethylamine",
}

def slug(name, codes):
    for c in codes:
        if c in ("4-AP", "ANPP", "NPP", "1-boc-4-AP", "APAAN", "APAA", "MAPA", "PMK", "BMK", "GBL", "MEK"):
            return c.lower()
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return s

def main():
    rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["id", "name_en", "name_es", "synonyms_en", "synonyms_es", "code_names", "cas",
                  "hs_codes", "incb", "dea", "mexico", "tier", "threshold_kg", "exclude", "notes",
                  "source"])
    seen = set()
    for r in rows:
        syn = [s.strip() for s in r["synonyms"].split(";") if s.strip()]
        codes = [s for s in syn if s in CODES]
        es_src = [s for s in syn if s in SOURCE_ES]
        en = [s for s in syn if s not in CODES and s not in SOURCE_ES]
        es_added = [s for s in ES.get(r["name"], "").split(";") if s]
        name_es = es_added[0] if es_added else (es_src[0] if es_src else "")
        syn_es = es_added[1:] + [s for s in es_src if s != name_es]
        lists = [s.strip() for s in r["lists"].split(";") if s.strip()]
        incb = "; ".join(s.replace("INCB ", "") for s in lists if s.startswith("INCB"))
        dea = "; ".join(s.replace("DEA ", "") for s in lists if s.startswith("DEA"))
        mx = "; ".join(s.replace("Mexico ", "") for s in lists if s.startswith("Mexico"))
        other = [s for s in lists if not s.startswith(("INCB", "DEA", "Mexico"))]
        controlled = ("Table I" in incb and "Table II" not in incb) or mx or "immediate precursor" in dea
        tier = "controlled" if controlled else "watch"
        sid = slug(r["name"], codes)
        assert sid not in seen, sid
        seen.add(sid)
        notes = "; ".join(other)
        src = r["source"]
        if es_added:
            src += " | puente: Spanish names translated by the Puente engineer (not from an official list)"
        out.writerow([sid, r["name"], name_es, ";".join(en), ";".join(syn_es), ";".join(codes),
                      r["cas"], r["hs_code"], incb, dea, mx, tier, "", EXCLUDE.get(r["name"], ""),
                      notes, src])

main()
