#!/usr/bin/env bash
# Demo: protection of journalists and human-rights defenders. The Mechanism's
# agency (SEGOB), two protection officers (random passwords and protection
# passphrases, saved next to the store, mode 600), forty generated cases with
# invented people, the clocks board and the suppressed aggregates. The key
# derivation is weakened for the demo only (deployments keep the default).
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
export PUENTE_DB PUENTE_PROTECT_KDF=${PUENTE_PROTECT_KDF:-1:8192}
out_dir=$(dirname "$PUENTE_DB")
creds="$out_dir/protect-credentials.txt"
"$PUENTE" agency add SEGOB --name "Secretaría de Gobernación (Mecanismo de Protección)" --country mx >/dev/null 2>&1 || true
printf '%-18s %-6s %-22s %s\n' USER AGENCY PASSWORD PASSPHRASE > "$creds"
for name in mec.officer mec.officer2; do
  pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  pp=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  printf '%s\n' "$pw" | "$PUENTE" user add "$name" --agency SEGOB --role protection-officer --password-stdin --permanent
  PUENTE_PASSWORD=$pw PUENTE_PROTECT_PASSPHRASE=$pp "$PUENTE" --user "$name" protect keygen
  printf '%-18s %-6s %-22s %s\n' "$name" SEGOB "$pw" "$pp" >> "$creds"
done
chmod 600 "$creds"
pw=$(awk '$1=="mec.officer"{print $3}' "$creds"); pp=$(awk '$1=="mec.officer"{print $4}' "$creds")
P() { PUENTE_PASSWORD=$pw PUENTE_PROTECT_PASSPHRASE=$pp "$PUENTE" --user mec.officer protect "$@"; }
P generate --count "${PROTECT_COUNT:-40}" --seed 2026
first=$(P list --purpose "Demostración: revisión de casos" | sed -n 2p | cut -d, -f1)
P member add "$first" mec.officer2
echo "-- the officer's cases (first lines; names are invented)"
P list --purpose "Demostración: revisión de casos" | head -6
echo "-- the clocks board: late urgent orders and studies (first lines)"
P clocks --late | head -6
echo "-- the aggregates the indicators receive (cells under 5 suppressed)"
"$PUENTE" protect counts | head -8
echo "Protection officers (sign in, then unlock with the passphrase): $creds"
