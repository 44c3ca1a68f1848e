#!/usr/bin/env bash
# Runs the libFuzzer targets one after another (README "Fuzzing"); make fuzz and make fuzz-replay.
#   tests/fuzz/run_fuzz.sh SECONDS NAME...   fuzz each target for SECONDS, one line per target:
#                                            executions, coverage (cov/ft), corpus, findings
#   tests/fuzz/run_fuzz.sh replay NAME...    run each target once over its seeds (make test)
# Binaries: $BUILD/fuzz/fuzz_NAME. Seeds: tests/fuzz/corpus/NAME/ (read-only here; what a run
# discovers goes to $BUILD/fuzz/corpus/NAME/). Dictionary: tests/fuzz/NAME.dict if present;
# more libFuzzer flags for a target: tests/fuzz/NAME.flags (one line, e.g. -max_len=128).
# A crash, leak, timeout or out-of-memory input is moved to tests/fuzz/findings/NAME/ and
# the command that replays it is printed and appended to tests/fuzz/findings/NAME/REPLAY.
# FUZZ_RUNS=N in the environment also stops each target after N executions (-runs=N).
# One fuzzer at a time, in-process (no -jobs/-workers): the machine's cores are shared.
# Closing line: "fuzz: N passed, M failed" (a target passes when it found nothing).
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
mode=${1:?usage: run_fuzz.sh SECONDS|replay NAME...}
shift
pass=0
fail=0

replay() { # name
	local name=$1 bin=$build/fuzz/fuzz_$1 log=$build/fuzz/replay-$1.log
	local seeds=(tests/fuzz/corpus/"$name"/*)
	if [ ! -e "${seeds[0]}" ]; then
		echo "fuzz-replay $name: FAIL (no seeds in tests/fuzz/corpus/$name/)"
		return 1
	fi
	if "$bin" "${seeds[@]}" >"$log" 2>&1; then
		echo "fuzz-replay $name: ${#seeds[@]} seeds ok"
		return 0
	fi
	echo "fuzz-replay $name: FAIL ($log):"
	grep -E 'FUZZ_CHECK|ERROR: |Running: ' "$log" | tail -n 5 | sed 's/^/    /'
	return 1
}

fuzz() { # name seconds
	local name=$1 secs=$2 bin=$build/fuzz/fuzz_$1
	local work=$build/fuzz/corpus/$name art=$build/fuzz/artifacts/$name/
	local log=$build/fuzz/fuzz-$name.log findings=tests/fuzz/findings/$name
	local dict=()
	[ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
	local flags=()
	[ -f "tests/fuzz/$name.flags" ] && read -r -a flags <"tests/fuzz/$name.flags"
	[ "${FUZZ_RUNS:-0}" -gt 0 ] && flags+=(-runs="$FUZZ_RUNS")
	rm -rf "$art"
	mkdir -p "$work" "$art"
	local start=$SECONDS
	timeout $((secs * 2 + 120)) "$bin" "${dict[@]}" "${flags[@]}" -max_total_time="$secs" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art" "$work" "tests/fuzz/corpus/$name" \
		>"$log" 2>&1
	local rc=$?
	local execs cov ft corp
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	# The last status line: "#N  DONE|pulse|NEW ... cov: C ft: F corp: U/S ...".
	local status
	status=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
	corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$status")
	local found=("$art"*)
	local nfound=0
	if [ -e "${found[0]}" ]; then
		mkdir -p "$findings"
		for f in "${found[@]}"; do
			mv "$f" "$findings/"
			local cmd="make BUILD=$build fuzz-build && $bin $findings/$(basename "$f")"
			echo "$cmd" >>"$findings/REPLAY"
			echo "    finding: $findings/$(basename "$f")   replay: $cmd"
			nfound=$((nfound + 1))
		done
	fi
	echo "fuzz $name: ${execs:-?} executions in $((SECONDS - start))s, cov ${cov:-?} ft ${ft:-?}," \
		"corpus ${corp:-?}, findings $nfound"
	if [ "$nfound" -ne 0 ] || [ "$rc" -ne 0 ] || [ -z "$execs" ]; then
		[ "$nfound" -eq 0 ] && echo "    the fuzzer failed (exit $rc): $log"
		grep -E 'FUZZ_CHECK|ERROR: |SUMMARY' "$log" | head -n 5 | sed 's/^/    /'
		return 1
	fi
	return 0
}

for name in "$@"; do
	if [ "$mode" = replay ]; then
		replay "$name"
	else
		fuzz "$name" "$mode"
	fi && pass=$((pass + 1)) || fail=$((fail + 1))
done
echo "fuzz$([ "$mode" = replay ] && echo -replay): $pass passed, $fail failed"
[ "$fail" -eq 0 ]
