#!/usr/bin/env bash
# Data for the cases pages' browser test (tests/web/cases.mjs): agencies, the
# users it signs in as (password $WEB_TEST_PASSWORD), a SHARED HSI–FGR case
# with a warrant, an arrest and three extradition requests (one at each of
# provisional_arrest_requested, person_located_arrested with its 60-day clock
# close to running out, and executive_decision), and an HSI-only case.
# Usage: cases_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
. "$(dirname "$0")/fixture_lib.sh"
web_setup "$@"
HSI=(--agency HSI --country US)
web_users <<'USERS'
hsi.analyst HSI analyst
fgr.analyst FGR analyst
dea.analyst DEA analyst
USERS
c=$(p case new "${HSI[@]}" --title "Operación Coyote" --agencies HSI:US,FGR:MX --marking SHARED \
    --offences "alien smuggling; tráfico de personas" --opened 2026-01-12)
p case new "${HSI[@]}" --title "HSI internal lead" >/dev/null
ch=$(p case charge "$c" "${HSI[@]}" --statute "8 U.S.C. 1324" --law US --severity felony --count 2 --filed 2026-02-01)
w=$(p warrant add "$c" "${HSI[@]}" --court "U.S. District Court, D. Ariz." --judge "M. Whitaker" --issued 2026-02-04 \
    --jurisdiction US --charges "$ch" --subject "Héctor Salas Ibarra")
p case arrest "$c" "${HSI[@]}" --person "Héctor Salas Ibarra" --day 2026-03-05 --place "Nogales, Arizona" --country US \
  --arresting-agency HSI --warrant "$w" --charges "$ch" >/dev/null
p warrant status "$w" served "${HSI[@]}" --day 2026-03-05 >/dev/null
printf 'Solicitud formal de detención provisional con fines de extradición\n' > "$3/solicitud.txt"
p case document "$c" "$3/solicitud.txt" "${HSI[@]}" --name "solicitud formal.txt" --certified --translated >/dev/null
today=$(date -u +%Y-%m-%d)
ago() { date -u -d "$today - $1 days" +%Y-%m-%d; }
p extradition new "$c" "${HSI[@]}" --direction mx_to_us --person "Ramiro Olvera" --day "$(ago 3)" >/dev/null
p case task "$c" "${HSI[@]}" --title "Certified translation of the indictment" --due "$(date -u -d "$today + 3 days" +%Y-%m-%d)" >/dev/null
p case task "$c" "${HSI[@]}" --title "Next quarter review" --due "$(date -u -d "$today + 60 days" +%Y-%m-%d)" >/dev/null
x=$(p extradition new "$c" "${HSI[@]}" --direction mx_to_us --person "Lucía Mendoza" --day "$(ago 60)")
p extradition stage "$x" person_located_arrested --day "$(ago 55)" "${HSI[@]}" >/dev/null
y=$(p extradition new "$c" "${HSI[@]}" --direction us_to_mx --person "John Roe" --stage formal_request_filed --day "$(ago 90)")
p extradition stage "$y" judicial_phase --day "$(ago 80)" "${HSI[@]}" >/dev/null
p extradition stage "$y" executive_decision --day "$(ago 20)" --decision granted "${HSI[@]}" >/dev/null
