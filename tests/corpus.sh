# tests/corpus.sh - the shared bad-input corpus for engine importers (issue 16).
# Source it after tests/lib.sh; corpus_csv writes one file per case, built from
# rows the caller gives, so every importer meets the same kinds of bad input:
#   missing.csv (absent)   dir/ (a directory)   empty.csv   header.csv (header only)
#   bom.csv  crlf.csv  semicolon.csv (';' delimiter)  utf8.csv (invalid UTF-8)
#   big.csv (a 2 MB field)  dup.csv (the same record twice)  future.csv  negative.csv
# usage: corpus_csv DIR HEADER GOOD1 GOOD2 FUTURE NEGATIVE
# GOOD1 and GOOD2 are valid rows with different ids; FUTURE has a date after
# today; NEGATIVE a negative number. Each bad file also holds GOOD1 (or GOOD2)
# so a test can check that the good rows of a partially bad file are kept.
corpus_csv() {
  local d=$1 h=$2 g1=$3 g2=$4 fut=$5 neg=$6
  mkdir -p "$d/dir"
  : > "$d/empty.csv"
  printf '%s\n' "$h" > "$d/header.csv"
  printf '\357\273\277%s\n%s\n' "$h" "$g1" > "$d/bom.csv"
  printf '%s\r\n%s\r\n' "$h" "$g1" > "$d/crlf.csv"
  printf '%s\n%s\n' "$h" "$g1" | tr ',' ';' > "$d/semicolon.csv"
  printf '%s\n%s\377\n%s\n' "$h" "$g2" "$g1" > "$d/utf8.csv"
  { printf '%s\n%s' "$h" "$g2"; head -c 2200000 /dev/zero | tr '\0' a; printf '\n%s\n' "$g1"; } > "$d/big.csv"
  printf '%s\n%s\n%s\n' "$h" "$g1" "$g1" > "$d/dup.csv"
  printf '%s\n%s\n%s\n' "$h" "$g1" "$fut" > "$d/future.csv"
  printf '%s\n%s\n%s\n' "$h" "$g1" "$neg" > "$d/negative.csv"
}

# corpus_run LABEL CASE WANT_RC MESSAGE CMD...: run CMD (stdout+stderr captured)
# and assert its exit code and, when MESSAGE is not empty, that it says MESSAGE.
corpus_run() {
  local label=$1 case=$2 want=$3 msg=$4 out rc
  shift 4
  out=$("$@" 2>&1); rc=$?
  assert_rc "$rc" "$want" "$label $case: exit $want"
  [ -z "$msg" ] || assert_contains "$out" "$msg" "$label $case: says '$msg'"
}
