#!/usr/bin/env bash
# Demo: identification casework in the store (docs/kinship.md "Case database").
# A clandestine-grave case in Sinaloa: 60 families registered with their
# reference relatives (with consent), 90 remains of which a third are degraded
# (partial profiles, alleles lost: scored with a dropout model), an
# incremental search, and one hit taken through the four-eyes review by two
# forensic geneticists (accounts created here, passwords in credentials.txt).
# Then a case prepared in Familias is imported, and an X-STR LR computed.
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
cd "$(dirname "$0")/../.."
D=data/kinship
out_dir=$(dirname "$PUENTE_DB")
T="$out_dir/kinship-case"
rm -rf "$T"
K() { "$PUENTE" kinship case "$@" --db "$PUENTE_DB"; }
"$PUENTE" kinship simulate --freqs "$D/freq_fbi2015_swhispanic_codis20.csv" \
  --mutation "$D/mutation_codis20_sexspecific.csv" --families 60 --pm-true 40 --pm-unrelated 50 \
  --seed 35 --out "$T" --quiet
# degraded remains: every third sample loses a third of its markers and one
# allele of each heterozygote at random (seen as a homozygote), as burnt or
# long-buried bone does
python3 - "$T/pm_genotypes.csv" "$T/pm_good.csv" "$T/pm_degraded.csv" <<'PY'
import csv, random, sys
random.seed(35)
rows = list(csv.reader(open(sys.argv[1])))
head, body = rows[0], rows[1:]
good, bad = [head], [head]
for r in body:
    n = int(r[0][2:])
    if n % 3:
        good.append(r)
        continue
    if random.random() < 1 / 3:
        continue                      # the marker did not amplify
    if r[3] != r[4] and random.random() < 0.5:
        r[4] = r[3]                   # one allele dropped out
    bad.append(r)
csv.writer(open(sys.argv[2], "w", newline="")).writerows(good)
csv.writer(open(sys.argv[3], "w", newline="")).writerows(bad)
PY
K freqdb fbi2015-swhispanic "$D/freq_fbi2015_swhispanic_codis20.csv" --mutation "$D/mutation_codis20_sexspecific.csv" >/dev/null
K new FGR-SIN-2026-014 --state MX-SIN --title "Fosa clandestina, Culiacán" --freqdb fbi2015-swhispanic \
  --owner FGR --marking MX-ONLY
K add-family FGR-SIN-2026-014 "$T/am_pedigrees.csv" --name "Persona desaparecida (demo)" --disappeared 2019
K add-reference "$T/am_genotypes.csv" --consent-document "CONSENT-FGR-SIN-2026-014" --relation "familiar"
K add-pm FGR-SIN-2026-014 "$T/pm_good.csv" --site "Culiacán, predio El Pozo" --grave F1 --lab "LGF FGR" \
  --kit GlobalFiler --quality good
# degraded DNA loses long amplicons first: the largest CODIS loci get a
# higher dropout than the sample's 0.1 (per marker, stored with each sample)
printf 'sample,marker,dropout,dropin\n' > "$T/dropout_degraded.csv"
for m in FGA D18S51 D21S11 CSF1PO D2S1338 D1S1656; do printf '*,%s,0.25,0.01\n' "$m" >> "$T/dropout_degraded.csv"; done
K add-pm FGR-SIN-2026-014 "$T/pm_degraded.csv" --site "Culiacán, predio El Pozo" --grave F1 --lab "LGF FGR" \
  --kit GlobalFiler --quality degraded --dropout 0.1 --dropin 0.01 --dropout-file "$T/dropout_degraded.csv"
echo "-- incremental search (only new pairs are computed):"
K search --threads 2
echo "-- the five strongest candidates:"
K hits --status candidate | head -6 | cut -d, -f1-8
# two forensic geneticists of FGR: one reviews, the other confirms
creds="$out_dir/credentials.txt"
for u in fgr.genetista1 fgr.genetista2; do
  pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  printf '%s\n' "$pw" | "$PUENTE" user add "$u" --agency FGR --role forensic --password-stdin --permanent --db "$PUENTE_DB"
  printf '%-16s %-6s %-12s %-22s %s\n' "$u" FGR forensic "$pw" "-" >> "$creds"
  eval "PW_${u//[.]/_}=\$pw"
done
hit=$(K hits --status candidate | sed -n 2p | cut -d, -f1)
PUENTE_PASSWORD=$PW_fgr_genetista1 "$PUENTE" --user fgr.genetista1 kinship case review "$hit" --note "perfil completo, sin inconsistencias" --db "$PUENTE_DB"
PUENTE_PASSWORD=$PW_fgr_genetista2 "$PUENTE" --user fgr.genetista2 kinship case confirm "$hit" --prior 0.01 --note "confirmada" --db "$PUENTE_DB"
K report "$hit" --lang es > "$T/informe-$hit.txt"
K report "$hit" --lang en --html > "$T/report-$hit.html"
echo "-- hit $hit confirmed by two geneticists; report: $T/informe-$hit.txt (and .html in English)"
head -12 "$T/informe-$hit.txt"

# a case prepared in Familias 3 and imported (all or nothing): its frequency
# database, the family (mother and sister as references) and the remains
"$PUENTE" kinship import-familias data/kinship/familias_case_example.fam --case FGR-SON-2026-007 --pm Body \
  --pm-id SON-2026-007-R1 --state MX-SON --owner FGR --marking MX-ONLY --freqdb familias-son \
  --title "Restos en Hermosillo (caso de Familias)" --consent-document "CONSENT-FGR-SON-2026-007" --db "$PUENTE_DB"
# X-chromosomal STRs where the pedigree makes them informative: a father and
# his alleged daughter (illustrative frequencies, see data/kinship/SOURCE.md)
echo "-- X-STR, alleged father and daughter:"
"$PUENTE" kinship xstr --freqs "$D/freq_xstr_argus12_illustrative.csv" --relationship parent-child \
  --sex1 M --person1 "DXS10135=23;DXS8378=11;HPRTB=13;DXS7423=15" \
  --sex2 F --person2 "DXS10135=23/21;DXS8378=11/12;HPRTB=13/13;DXS7423=15/14" | tail -1
