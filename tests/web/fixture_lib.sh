# fixture_lib.sh - what the browser tests' fixture scripts share (sourced):
#   web_setup BIN DB WORKDIR   sets $bin $db $work $pw, defines p() (puente
#                              on the test's store), seeds the agencies and
#                              turns the second factor off (e2e.mjs tests it)
#   web_users <<'USERS'        one "name agency role" per line: each user with
#                              the test password, permanent (no change forced)
web_setup() {
  bin=$1 db=$2 work=$3
  pw=${WEB_TEST_PASSWORD:-web-test-password-1}
  p agency seed >/dev/null
  p policy set mfa-roles "" >/dev/null
}
p() { "$bin" "$@" --db "$db"; }
web_users() {
  local name agency role
  while read -r name agency role; do
    [ -n "$name" ] || continue
    printf '%s\n' "$pw" | p user add "$name" --agency "$agency" --role "$role" --password-stdin --permanent >/dev/null
  done
}
