#!/usr/bin/env bash
# make mutate: break the code on purpose, one mutation at a time, and check that the test
# named for it notices. Each tests/mutations/NAME.mut (format in tests/mutations/README.md)
# names the claim it breaks, the file(s), GNU sed expressions that break it and the tests
# expected to catch it. Everything happens in ONE scratch copy of the tree (tracked and
# untracked-but-not-ignored files, with ../shared reachable through a symlink): built once,
# then per mutation: apply, rebuild incrementally, run the named tests until one fails,
# restore. Prints "NAME: caught by TEST", "NAME: SURVIVED" or "NAME: BROKEN (why)" per
# mutation and "N caught, M survived, K broken" at the end; exits non-zero unless every
# mutation was caught.
# Usage: tests/mutate.sh [FILTER]   (or make mutate MUTATIONS=FILTER): only the mutations whose
#   name matches FILTER, an extended regular expression (a plain substring works)
#   MUTATE_VERBOSE=1 prints each mutant's diff; MUTATE_KEEP=1 keeps the scratch copy.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
filter=${1:-}
start_all=$SECONDS

muts=()
for f in tests/mutations/*.mut; do
  n=$(basename "$f" .mut)
  [ -z "$filter" ] || [[ $n =~ $filter ]] && muts+=("$f")
done
[ ${#muts[@]} -gt 0 ] || { echo "mutate: no mutation matches '$filter'"; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hv-mutate.XXXXXX")
if [ -n "${MUTATE_KEEP:-}" ]; then echo "mutate: scratch copy kept in $scratch"
else trap 'rm -rf "$scratch"' EXIT; fi
tree=$scratch/tree
mkdir -p "$tree" "$scratch/orig"
[ -d "$root/../shared" ] && ln -s "$(cd "$root/../shared" && pwd)" "$scratch/shared"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' p; do [ -f "$p" ] && printf '%s\0' "$p"; done |
  tar --null -T - -cf - | tar -xf - -C "$tree" || { echo "mutate: cannot copy the tree"; exit 1; }
cd "$tree"
export BUILD=build

mk() { make --no-print-directory -j2 -f tests/mutate.mk BUILD=build "$@" >>"$scratch/build.log" 2>&1; }
unit_bin=build/host/unit-incr

# The unmutated tree must build (what the selected mutations need) and pass their tests.
need_all=
grep -qE '^test: *(emu:|bochs:|sh:|compiler)' "${muts[@]}" && need_all=all
echo "mutate: building the scratch copy ($tree)"
if ! mk $need_all "$unit_bin"; then
  echo "mutate: the unmutated tree does not build:"
  grep -E 'error:|Error [0-9]|undefined reference|No rule' "$scratch/build.log" | head -n 20; exit 1
fi

# Reading a .mut: claim/file/sed/test lines (# comments, blank lines ignored).
parse() {
  m_claim=; m_files=(); m_seds=(); m_tests=()
  local key val cur=
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    key=${line%%:*}; val=${line#*:}; val=${val# }
    case $key in
      claim) m_claim=$val ;;
      file) cur=$val; m_files+=("$val") ;;
      sed) [ -n "$cur" ] || return 1; m_seds+=("$cur"$'\t'"$val") ;;
      test) m_tests+=("$val") ;;
      *) return 1 ;;
    esac
  done <"$1"
  [ -n "$m_claim" ] && [ ${#m_files[@]} -gt 0 ] && [ ${#m_seds[@]} -gt 0 ] && [ ${#m_tests[@]} -gt 0 ]
}

# run_test TEST -> 0 caught (sets why), 1 passed, 2 broken (sets why)
run_test() {
  local t=$1 log=$scratch/test.log line
  case $t in
    unit:*)
      timeout 300 "$unit_bin" "${t#unit:}" >"$log" 2>&1; local rc=$?
      line=$(grep -aE '^unit: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
      if [ $rc -eq 124 ]; then why="$t (timed out)"; return 0; fi
      if [ -z "$line" ]; then why="$t ($(grep -a -m1 -E 'ERROR|runtime error|FAIL' "$log" || echo crashed))"; return 0; fi
      if [[ $line == "unit: 0 passed, 0 failed" ]]; then why="test filter $t matches no test"; return 2; fi
      [ $rc -eq 0 ] && return 1
      why="$t ($(grep -a -m1 -E '^FAIL ' "$log" | cut -c6-))"; return 0 ;;
    emu:* | bochs:*)
      local runner=tests/emu/run_all.sh
      [[ $t == bochs:* ]] && runner=tests/emu/run_bochs.sh
      timeout 1200 "$runner" "${t#*:}" >"$log" 2>&1
      line=$(grep -aE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
      if [ -z "$line" ]; then why="$t (runner ended without a result)"; return 0; fi
      if [[ $line == *" 0 passed, 0 failed" ]]; then why="emulator case filter $t matches no case"; return 2; fi
      [[ $line == *" 0 failed" ]] && return 1
      why="$t ($(grep -a -m1 -E '^FAIL ' "$log" | cut -c6- | sed 's/ *(.*//'))"; return 0 ;;
    sh:*)
      timeout 1200 bash -c "${t#sh:}" >"$log" 2>&1; local rc=$?
      [ $rc -eq 0 ] && return 1
      why="$t (exit status $rc$(grep -a -m1 -E '^FAIL ' "$log" | sed 's/^FAIL /: /; s/ *(.*//'))"; return 0 ;;
    compiler) return 1 ;; # only a failed build catches it (see the build step)
    *) why="unknown test kind '$t'"; return 2 ;;
  esac
}

# Every test the mutations name must pass on the unmutated tree first (else its mutations
# are BROKEN: a failure would prove nothing).
declare -A baseline_ok=()
for f in "${muts[@]}"; do
  parse "$f" || continue
  for t in "${m_tests[@]}"; do
    [ "$t" = compiler ] && continue
    [ -n "${baseline_ok[$t]:-}" ] && continue
    s=$SECONDS; run_test "$t"; rc=$?
    baseline_ok[$t]=$rc
    [[ $t == unit:* && $rc -eq 1 ]] && continue
    echo "mutate: baseline $t: $([ $rc -eq 1 ] && echo passed || echo "FAILS on the unmutated tree: $why") ($((SECONDS - s)) s)"
  done
done

caught=0; survived=0; broken=0
results=()
report() { # NAME TARGET TESTS RESULT
  printf '%s: %s (%d s)\n' "$1" "$4" $((SECONDS - m_start))
  results+=("| $1 | $2 | $3 | $4 |")
}
for f in "${muts[@]}"; do
  name=$(basename "$f" .mut); m_start=$SECONDS
  if ! parse "$f"; then
    broken=$((broken + 1)); report "$name" "?" "?" "BROKEN (malformed: needs claim, file, sed and test lines)"; continue
  fi
  target=$(IFS=' '; echo "${m_files[*]}"); tests=$(IFS=' '; echo "${m_tests[*]}")
  # Apply: every sed expression must change its file.
  why=; i=0; rm -f "$scratch"/orig/*
  for fl in "${m_files[@]}"; do
    i=$((i + 1))
    [ -f "$fl" ] || { why="no file $fl"; break; }
    cp "$fl" "$scratch/orig/$i"
  done
  if [ -z "$why" ]; then
    for s in "${m_seds[@]}"; do
      fl=${s%%$'\t'*}; ex=${s#*$'\t'}
      before=$(md5sum <"$fl")
      sed -i -e "$ex" "$fl" 2>"$scratch/sed.err" || { why="sed error on $fl: $(head -c 200 "$scratch/sed.err")"; break; }
      [ "$before" != "$(md5sum <"$fl")" ] || { why="'$ex' changes nothing in $fl"; break; }
    done
  fi
  if [ -n "${MUTATE_VERBOSE:-}" ]; then
    i=0; for fl in "${m_files[@]}"; do i=$((i + 1)); diff -u "$scratch/orig/$i" "$fl" | sed "s|^|    |"; done
  fi
  result=
  if [ -n "$why" ]; then
    result="BROKEN ($why)"
  else
    # Rebuild what the named tests need.
    targets=()
    for t in "${m_tests[@]}"; do
      case $t in unit:*) targets+=("$unit_bin") ;; emu:* | bochs:* | sh:*) targets+=(all) ;; compiler) targets+=(all "$unit_bin") ;; esac
    done
    if ! mk "${targets[@]}"; then
      if [[ " ${m_tests[*]} " == *" compiler "* ]]; then result="caught by compiler"
      else result="BROKEN (does not build; add 'test: compiler' if that is the point)"; fi
    else
      unusable=
      for t in "${m_tests[@]}"; do
        if [ "$t" != compiler ] && [ "${baseline_ok[$t]}" != 1 ]; then
          unusable="$t fails on the unmutated tree"; continue
        fi
        run_test "$t"; rc=$?
        if [ $rc -eq 0 ]; then result="caught by $why"; break; fi
        if [ $rc -eq 2 ]; then result="BROKEN ($why)"; break; fi
      done
      [ -n "$result" ] || result=${unusable:+BROKEN ($unusable)}
      [ -n "$result" ] || result="SURVIVED"
    fi
  fi
  # Restore the files with a fresh timestamp: the next build recompiles them.
  i=0
  for fl in "${m_files[@]}"; do
    i=$((i + 1)); [ -f "$scratch/orig/$i" ] && cp "$scratch/orig/$i" "$fl" && touch "$fl"
  done
  case $result in caught*) caught=$((caught + 1)) ;; SURVIVED) survived=$((survived + 1)) ;; *) broken=$((broken + 1)) ;; esac
  report "$name" "$target" "$tests" "$result"
done

echo
echo "| mutation | target | expected test | result |"
echo "| --- | --- | --- | --- |"
printf '%s\n' "${results[@]}"
echo
echo "mutate: ${#muts[@]} mutations in $((SECONDS - start_all)) s"
echo "mutate: $caught caught, $survived survived, $broken broken"
[ $survived -eq 0 ] && [ $broken -eq 0 ]
