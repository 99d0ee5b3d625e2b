#!/usr/bin/env bash
# Demo: joint investigations (docs/cases.md). An HSI–FGR human-smuggling
# case (the Transnational Criminal Investigative Unit) with charges, arrest
# warrants, a Red Notice, arrests on both sides and evidence links to the
# other engines' demo records; a JTF Alpha case; and extradition requests
# at every stage of the workflow, with their legal clocks (two of them
# suspended by amparo for a while). Simulated data:
# names and numbers are invented.
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
export PUENTE_DB
HSI=(--agency HSI --country US); FGR=(--agency FGR --country MX)
C() { "$PUENTE" case "$@"; }
W() { "$PUENTE" warrant "$@"; }
X() { "$PUENTE" extradition "$@"; }

tciu=$(C new "${HSI[@]}" --title "TCIU Operación Coyote — human smuggling network, Sonora–Arizona" \
  --summary "HSI–FGR Transnational Criminal Investigative Unit: a smuggling organisation moving migrants through Nogales and Altar in stash houses; payments by wire to Sinaloa." \
  --agencies HSI:US,FGR:MX,CBP:US --marking SHARED --opened 2026-01-12 \
  --offences "alien smuggling resulting in death; conspiracy; tráfico de personas; operaciones con recursos de procedencia ilícita")
C member "$tciu" "${HSI[@]}" --member-agency FGR --right write >/dev/null
s1=$(C subject "$tciu" "${HSI[@]}" --name "Ramiro Olvera Castañeda (alias 'El Güero')" --role leader)
s2=$(C subject "$tciu" "${HSI[@]}" --name "Lucía Mendoza Ortiz" --role coordinator)
s3=$(C subject "$tciu" "${HSI[@]}" --name "Héctor Salas Ibarra" --role driver)
c1=$(C charge "$tciu" "${HSI[@]}" --statute "8 U.S.C. 1324(a)(1)(A)(v)(I), (a)(1)(B)(iv)" --law US --severity felony \
  --count 4 --filed 2026-02-03 --description "conspiracy to transport aliens resulting in death" --subject "$s1")
c2=$(C charge "$tciu" "${FGR[@]}" --statute "Ley de Migración art. 159" --law MX --severity delito_grave \
  --count 12 --filed 2026-02-10 --description "tráfico de personas" --subject "$s2")
c3=$(C charge "$tciu" "${HSI[@]}" --statute "18 U.S.C. 1956(h)" --law US --severity felony --count 1 \
  --filed 2026-02-03 --description "money laundering conspiracy" --subject "$s1")
w1=$(W add "$tciu" "${HSI[@]}" --court "U.S. District Court, District of Arizona" --judge "Hon. M. Whitaker" \
  --issued 2026-02-04 --jurisdiction US --charges "$c1,$c3" --subject "Ramiro Olvera Castañeda")
w2=$(W add "$tciu" "${FGR[@]}" --court "Juzgado Tercero de Distrito de Procesos Penales Federales, Hermosillo" \
  --judge "Juez L. Esquer Valenzuela" --issued 2026-02-11 --jurisdiction MX --charges "$c2" --subject "Lucía Mendoza Ortiz")
w3=$(W add "$tciu" "${HSI[@]}" --court "U.S. District Court, District of Arizona" --judge "Hon. M. Whitaker" \
  --issued 2026-02-04 --jurisdiction US --charges "$c1" --subject "Héctor Salas Ibarra")
C notice "$tciu" "${HSI[@]}" --warrant "$w1" --name "OLVERA CASTAÑEDA" --forename "RAMIRO" --dob 1979-08-14 \
  --place-of-birth "Caborca, Sonora" --nationalities MX --sex M \
  --charge "Conspiracy to transport aliens resulting in death (8 U.S.C. 1324)" \
  --charge-translation "Asociación para transportar extranjeros con resultado de muerte (8 U.S.C. 1324)" >/dev/null
W attempt "$w2" "${FGR[@]}" --day 2026-02-20 --place "Altar, Sonora" --outcome not_found >/dev/null
C arrest "$tciu" "${FGR[@]}" --person "Lucía Mendoza Ortiz" --day 2026-03-02 --place "Hermosillo, Sonora" --country MX \
  --arresting-agency FGR --officers "AIC, Célula TCIU-2" --warrant "$w2" --charges "$c2" --custody "prisión preventiva" >/dev/null
W status "$w2" served "${FGR[@]}" --day 2026-03-02 >/dev/null
C arrest "$tciu" "${HSI[@]}" --person "Héctor Salas Ibarra" --day 2026-03-05 --place "Nogales, Arizona" --country US \
  --arresting-agency HSI --officers "SA J. Romero, SA K. Ortiz" --warrant "$w3" --charges "$c1" --custody detained >/dev/null
W status "$w3" served "${HSI[@]}" --day 2026-03-05 >/dev/null
C task "$tciu" "${HSI[@]}" --title "Certified translation of the indictment for the formal request" --due 2026-04-15 --assignee "HSI Phoenix" >/dev/null
C task "$tciu" "${FGR[@]}" --title "Solicitar a la UIF los reportes de operaciones relevantes" --due 2026-04-01 --assignee "FGR FEMDO" >/dev/null
C note "$tciu" "${FGR[@]}" --text "Cateo en casa de seguridad de Altar: 23 personas migrantes rescatadas, 4 teléfonos asegurados." >/dev/null
C event "$tciu" "${HSI[@]}" --day 2026-01-28 --kind operation --text "Stash house in Rio Rico found; 31 migrants, 2 deaths in the desert the week before" >/dev/null
printf 'INDICTMENT (simulated) — United States v. Olvera Castañeda et al., CR-26-0142-PHX\n' > "${TMPDIR:-/tmp}/indictment.txt"
C document "$tciu" "${TMPDIR:-/tmp}/indictment.txt" "${HSI[@]}" --name "indictment-CR-26-0142.txt" --certified --translated >/dev/null
# evidence links to the other engines' demo records, where the demo loaded them
link_first() { # kind, SQL giving target ids the system may link
  local t; t=$(sqlite3 "$PUENTE_DB" "$2" 2>/dev/null | head -1 || true)
  [ -n "$t" ] && C link "$tciu" "$1" "$t" --note "$3" >/dev/null || true
}
if [ -f "$PUENTE_DB" ]; then
  link_first trace "SELECT number FROM trace_request ORDER BY id LIMIT 1" "rifle recovered at the Altar stash house"
  link_first cargo "SELECT id FROM cargo_shipment WHERE decision = 'hold' ORDER BY id LIMIT 1" "shipment paid by the same wire sender"
  link_first tip "SELECT id FROM tip WHERE category = 'smuggling' ORDER BY received_day LIMIT 1" "tip on the Altar stash house"
  link_first ews "SELECT id FROM ews_alert ORDER BY id LIMIT 1" "substance found with the drivers"
  link_first screening "SELECT id FROM entity WHERE schema = 'Person' AND owner = 'OFAC' ORDER BY id LIMIT 1" "screening hit on a money courier"
fi

# extraditions: one request at each stage (days in the past so the clocks are live)
ext() { # person, direction, start stage, start day, then stage:day[:decision] ...
  local person=$1 dir=$2 start=$3 day=$4; shift 4
  local id; id=$(X new "$tciu" "${HSI[@]}" --direction "$dir" --person "$person" --stage "$start" --day "$day" \
    --notes "SRE/DGAJ/$RANDOM/2026, Dip. Note 26-$RANDOM" --assurances "no death penalty; rule of specialty")
  for step in "$@"; do
    IFS=: read -r st d dec <<<"$step"
    X stage "$id" "$st" --day "$d" ${dec:+--decision "$dec"} "${HSI[@]}" >/dev/null
  done
}
today=$(date -u +%Y-%m-%d)
ago() { date -u -d "$today - $1 days" +%Y-%m-%d; }
ext "Ramiro Olvera Castañeda" mx_to_us provisional_arrest_requested "$(ago 5)"
ext "Armando Quiroz Beltrán" mx_to_us provisional_arrest_requested "$(ago 60)" "person_located_arrested:$(ago 52)"
ext "Mario Cárdenas Treviño" mx_to_us provisional_arrest_requested "$(ago 70)" "person_located_arrested:$(ago 55)" "formal_request_due:$(ago 30)"
ext "Adán Salgado Casas" mx_to_us provisional_arrest_requested "$(ago 120)" "person_located_arrested:$(ago 110)" "formal_request_filed:$(ago 60)"
ext "Carlos Quintero Arteaga" mx_to_us formal_request_filed "$(ago 40)" "judicial_phase:$(ago 20)"
ext "Jesús Villarreal Pineda" mx_to_us formal_request_filed "$(ago 200)" "judicial_phase:$(ago 150)" "executive_decision:$(ago 12)"
ext "Rafael Ontiveros Luna" mx_to_us formal_request_filed "$(ago 300)" "judicial_phase:$(ago 250)" "executive_decision:$(ago 90):granted" "review:$(ago 60)"
ext "Joaquín Ledezma Rubio" us_to_mx formal_request_filed "$(ago 200)" "judicial_phase:$(ago 150)" "executive_decision:$(ago 50):granted" "surrender_scheduled:$(ago 10)"
ext "Ernesto Valdivia Soto" mx_to_us formal_request_filed "$(ago 400)" "judicial_phase:$(ago 330)" "executive_decision:$(ago 200):granted" "surrender_scheduled:$(ago 150)" "surrendered:$(ago 140)"
ext "Tomás Ibarra Nieto" mx_to_us formal_request_filed "$(ago 300)" "judicial_phase:$(ago 250)" "executive_decision:$(ago 100):denied" "released:$(ago 95)"
ext "Gilberto Ruelas Peña" us_to_mx provisional_arrest_requested "$(ago 90)" "withdrawn:$(ago 80)"
ext "Samuel Arreola Vega" mx_to_us provisional_arrest_requested "$(ago 150)" "person_located_arrested:$(ago 140)" "formal_request_due:$(ago 100)" "lapsed:$(ago 78)"
# amparo suspensions (docs/cases.md "Amparo"): one open against the SRE's grant (no surrender
# while it holds), one that held the judicial phase's clocks for a week
xid() { X list --format csv "${HSI[@]}" | awk -F, -v p="$1" '$4 == p {print $1}'; }
X amparo "$(xid "Rafael Ontiveros Luna")" "${HSI[@]}" --court "Juzgado Cuarto de Distrito de Amparo en Materia Penal, CDMX" \
  --reference "812/2026" --day "$(ago 55)" --note "amparo indirecto contra el acuerdo de extradición de la SRE" >/dev/null
qa=$(xid "Carlos Quintero Arteaga")
X amparo "$qa" "${HSI[@]}" --court "Juzgado Segundo de Distrito de Amparo, Hermosillo" --reference "233/2026" \
  --day "$(ago 19)" --note "amparo contra la orden de detención provisional" >/dev/null
X amparo-end "$qa" "${HSI[@]}" --day "$(ago 12)" --note "suspensión negada en revisión" >/dev/null

# a JTF Alpha case owned by the Department of Justice's partners, AGENCY-ONLY to HSI
jtf=$(C new "${HSI[@]}" --title "JTF Alpha — smuggling-death indictments, Rio Grande Valley" --opened 2026-02-01 \
  --agencies HSI:US,FGR:MX --marking US-ONLY --offences "alien smuggling resulting in death")
C share case "$jtf" "${HSI[@]}" --to FGR --reason "JTF Alpha coordination with FGR under the Bicentennial Framework" >/dev/null

echo "-- cases (HSI)"
C list "${HSI[@]}"
echo "-- the TCIU case as FGR sees it (Spanish)"
"$PUENTE" --lang es case show "$tciu" "${FGR[@]}"
echo "-- extraditions"
X list "${HSI[@]}"
echo "-- legal clocks due within 30 days"
C due "${HSI[@]}" --within 30
