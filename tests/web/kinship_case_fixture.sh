#!/usr/bin/env bash
# Data for the identification-cases page's browser test (tests/web/kinship_case.mjs):
# agencies, two forensic geneticists of FGR and an analyst (password
# $WEB_TEST_PASSWORD, no second factor), and the planecrash example stored as
# a case (families, references with consent, remains) searched once, so the
# page has candidate hits. Usage: kinship_case_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
. "$(dirname "$0")/fixture_lib.sh"
web_setup "$@"
src=${PUENTE_SRC:-.}
D="$src/data/kinship/dvi_planecrash"
web_users <<'USERS'
fgr.gen1 FGR forensic
fgr.gen2 FGR forensic
fgr.analyst FGR analyst
USERS
p kinship case freqdb planecrash "$D/freqs.csv" --mutation "$D/mutation_models.csv" >/dev/null
p kinship case new FGR-SIN-1 --state MX-SIN --owner FGR --marking MX-ONLY --freqdb planecrash
p kinship case add-family FGR-SIN-1 "$D/am_pedigrees.csv" --name "M. Pérez" 2>/dev/null
p kinship case add-pm FGR-SIN-1 "$D/pm_genotypes.csv" --site "El Pozo" --grave F1 2>/dev/null
p kinship case add-reference "$D/am_genotypes.csv" --consent-document CONS-1 --relation hermano 2>/dev/null
p kinship case search >/dev/null
