#!/usr/bin/env bash
# End-to-end: agency, user and token administration through the CLI.
. "$(dirname "$0")/../lib.sh"
DB="$(test_store acc.db)"
out=$("$PUENTE" agency seed --db "$DB"); assert_rc $? 0 "agency seed"
assert_eq "$out" "14 agencies added" "seed adds the 14 framework agencies"
assert_eq "$("$PUENTE" agency seed --db "$DB")" "0 agencies added" "seed is idempotent"
list=$("$PUENTE" agency list --db "$DB")
assert_eq "$(grep -c '^US' <<<"$list")" "7" "7 US agencies"
assert_eq "$(grep -c '^MX' <<<"$list")" "7" "7 MX agencies"
assert_contains "$list" "MX	ANAM	Agencia Nacional de Aduanas de México" "ANAM listed with its country"
"$PUENTE" agency add SSP_CDMX --name "Secretaría de Seguridad Ciudadana CDMX" --country mx --db "$DB"; assert_rc $? 0 "agency add"
err=$("$PUENTE" agency add XX --name X --country CA --db "$DB" 2>&1); assert_rc $? 3 "agency add with a bad country"
assert_contains "$err" "country" "the error names the field"
"$PUENTE" agency add DEA --name again --country US --db "$DB" 2>/dev/null; assert_rc $? 6 "duplicate agency is a conflict"
"$PUENTE" agency add --db "$DB" 2>/dev/null; assert_rc $? 2 "agency add without acronym is a usage error"

"$PUENTE" user add ana --agency DEA --role analyst --db "$DB"; assert_rc $? 0 "user add (token-only)"
printf 'a long enough password\n' | "$PUENTE" user add luis --agency fgr --role supervisor --password-stdin --permanent --db "$DB"
assert_rc $? 0 "user add with a password from stdin"
printf 'short\n' | "$PUENTE" user add bob --agency FGR --role analyst --password-stdin --db "$DB" 2>/dev/null
assert_rc $? 3 "a short password is refused"
"$PUENTE" user add eve --agency NOPE --role analyst --db "$DB" 2>/dev/null; assert_rc $? 4 "unknown agency"
err=$("$PUENTE" user add eve --agency DEA --role wizard --db "$DB" 2>&1); assert_rc $? 3 "unknown role"
assert_contains "$err" "analyst, supervisor, forensic, tip-handler, protection-officer, admin or auditor" "the error lists the roles"
"$PUENTE" user add ana --agency DEA --role analyst --db "$DB" 2>/dev/null; assert_rc $? 6 "duplicate user"
"$PUENTE" user add carl --role analyst --db "$DB" 2>/dev/null; assert_rc $? 2 "user add without --agency"
"$PUENTE" user role ana supervisor --db "$DB"; assert_rc $? 0 "user role"
assert_contains "$("$PUENTE" user list --agency DEA --db "$DB")" "ana	DEA	supervisor" "user list shows the new role"
"$PUENTE" user disable ana --db "$DB"; assert_rc $? 0 "user disable"
"$PUENTE" token create ana --db "$DB" 2>/dev/null; assert_rc $? 5 "no token for a disabled user"
"$PUENTE" user enable ana --db "$DB"; assert_rc $? 0 "user enable"

tok=$("$PUENTE" token create ana --db "$DB" 2>/dev/null); assert_rc $? 0 "token create"
[[ "$tok" =~ ^pt_[A-Za-z0-9_-]{43}$ ]] && ok "token create prints only the token" || nok "token output: '$tok'"
tok2=$("$PUENTE" token create ana --db "$DB")
[ "$tok" != "$tok2" ] && ok "tokens are random" || nok "two equal tokens"
n=$(store_sql "$DB" "SELECT count(*) FROM acl_secret WHERE hash='$tok' OR prefix='$tok'")
assert_eq "$n" "0" "the token itself is not stored"
"$PUENTE" token create nobody --db "$DB" 2>/dev/null; assert_rc $? 4 "token for an unknown user"
"$PUENTE" token --db "$DB" 2>/dev/null; assert_rc $? 2 "token without subcommand"
"$PUENTE" agency add DEA-X --name squatter --country us --db "$DB" 2>/dev/null; assert_rc $? 3 "an acronym with '-' (the id namespace separator) is refused"
"$PUENTE" agency seed --db "$DB" >/dev/null
"$PUENTE" agency grant cbp hsi --db "$DB"; assert_rc $? 0 "agency grant"
n=$(store_sql "$DB" "SELECT count(*) FROM store_grant WHERE owner='CBP' AND grantee='HSI'")
assert_eq "$n" "1" "the grant is stored under the normalised acronyms"
"$PUENTE" agency grant cbp nobody --db "$DB" 2>/dev/null; assert_rc $? 4 "grant to an unknown agency"
"$PUENTE" agency grant cbp cbp --db "$DB" 2>/dev/null; assert_rc $? 3 "grant to itself"
"$PUENTE" agency revoke cbp hsi --db "$DB"; assert_rc $? 0 "agency revoke"
n=$(store_sql "$DB" "SELECT count(*) FROM store_grant")
assert_eq "$n" "0" "revoked"
audit=$("$PUENTE" audit export --db "$DB" 2>/dev/null)
assert_contains "$audit" '"action":"agency.grant","targets":"CBP>HSI","outcome":"success"' "grant audited"
assert_contains "$audit" '"action":"agency.revoke","targets":"CBP>HSI","outcome":"success"' "revoke audited"
assert_contains "$audit" '"action":"user.update","targets":"ana","outcome":"success","detail":"role=supervisor"' "role change audited"
assert_contains "$audit" '"action":"token.create","targets":"ana"' "token creation audited"
assert_not_contains "$audit" "$tok" "the token never reaches the audit trail"

# ---- authentication policy, token options, grants, second factor (issue #15) ----
printf 'Password2024!\n' | "$PUENTE" user password luis --password-stdin --db "$DB" 2>/dev/null
assert_rc $? 3 "a common password is refused (blocklist)"
"$PUENTE" token create ana --expires-days 366 --db "$DB" 2>/dev/null; assert_rc $? 2 "token lifetime is capped at 365 days"
rot=$("$PUENTE" token create ana --read-only --expires-days 1 --db "$DB"); assert_rc $? 0 "a read-only token"
n=$(store_sql "$DB" "SELECT readonly || ':' || (expires - created) FROM acl_secret WHERE prefix = '${rot:0:11}'")
assert_eq "$n" "1:86400" "stored read-only, expiring after one day"
"$PUENTE" policy set token-days 0 --db "$DB" 2>/dev/null; assert_rc $? 3 "token-days must be 1-365"
"$PUENTE" policy set nonsense 1 --db "$DB" 2>/dev/null; assert_rc $? 3 "unknown policy key"
"$PUENTE" policy set mfa-roles admin,auditor,supervisor --db "$DB"; assert_rc $? 0 "policy set mfa-roles"
assert_contains "$("$PUENTE" policy show --db "$DB")" "mfa-roles	admin,auditor,supervisor" "policy show"
assert_contains "$("$PUENTE" policy banner --db "$DB")" "official use" "the default banner"
"$PUENTE" user approve 999 --db "$DB" 2>/dev/null; assert_rc $? 4 "approving an unknown grant"
qr=$("$PUENTE" user totp luis --db "$DB"); assert_rc $? 0 "user totp"
assert_contains "$qr" "otpauth://totp/Puente:luis?secret=" "user totp prints the otpauth URI"
"$PUENTE" user totp-confirm luis 000000x --db "$DB" 2>/dev/null; assert_rc $? 5 "a wrong code does not confirm"
"$PUENTE" user totp-reset luis --db "$DB"; assert_rc $? 0 "user totp-reset"
audit=$("$PUENTE" audit export --db "$DB" 2>/dev/null)
assert_contains "$audit" '"action":"policy.set","targets":"mfa-roles"' "policy changes are audited"
assert_contains "$audit" '"action":"totp.reset","targets":"luis","outcome":"success"' "second-factor resets are audited"
finish
