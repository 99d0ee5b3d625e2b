#!/usr/bin/env bash
# Early warning for emerging drugs: a generated weekly report stream for US and
# MX states (about 28,000 reports over 300 weeks) with injected emergences:
# isotonitazene in Sinaloa and Arizona, medetomidine in Pennsylvania, a burst
# of 4-FF in Baja California and an unknown nitazene name in Sonora.
set -euo pipefail
out="$(dirname "$PUENTE_DB")"
"$PUENTE" ews generate --start 2020-01-06 --weeks 300 --seed 2026 > "$out/ews-reports.csv"
"$PUENTE" ews import "$out/ews-reports.csv"
# weekly aberration scan (Farrington flexible, as an operational run would do
# each week), then EARS C3 over the last 8 weeks for comparison
"$PUENTE" ews scan --method farrington --last 8
"$PUENTE" ews scan --method c3 --last 8
echo "-- alerts on isotonitazene (Spanish text, as the Mexican agencies read them):"
"$PUENTE" ews alerts --substance isotonitazene --lang es > "$out/ews-alerts-isotonitazene.txt"
head -12 "$out/ews-alerts-isotonitazene.txt"
echo "-- alerts addressed to the Arizona health department, as CDC sees them:"
"$PUENTE" ews alerts --to US-AZ-DOH --agency CDC --country US --lang en > "$out/ews-alerts-az.txt"
grep -E '^#' "$out/ews-alerts-az.txt" | sed -n 1,8p
echo "-- curator queue (unknown names are kept, never dropped):"
"$PUENTE" ews queue
# the curator identifies the new name: a vocabulary entry, and the queued
# reports are linked (raising their first-detection alert)
cat > "$out/ews-new-substances.csv" <<'CSV'
id,name_en,name_es,class,cas,inchikey,synonyms_en,synonyms_es
protonitazepyne,N-pyrrolidino protonitazene,N-pirrolidino protonitaceno,nitazene,,,protonitazepyne,protonitacepina
CSV
"$PUENTE" ews vocab load "$out/ews-new-substances.csv"
"$PUENTE" ews alerts --substance protonitazepyne --lang en | grep -E '^#|en:'
"$PUENTE" ews counts --substance isotonitazene --place MX-SIN > "$out/ews-sinaloa-isotonitazene.csv"
echo "-- weekly counts of isotonitazene in Sinaloa: $out/ews-sinaloa-isotonitazene.csv"
