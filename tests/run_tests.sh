#!/usr/bin/env bash
# Everything `make test` runs: host unit tests, the fuzz corpora replay, then emulator tests. Closing line: "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
total_pass=0; total_fail=0
tally() { # read "...: N passed, M failed" from a log
  local line
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [ -z "$line" ]; then total_fail=$((total_fail + 1)); return; fi
  total_pass=$((total_pass + $(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")))
  total_fail=$((total_fail + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
}
mkdir -p "$build"
echo "== host unit tests"
make --no-print-directory unit 2>&1 | tee "$build/unit.log" | grep -vE '^ok ' 
tally "$build/unit.log"
echo "== fuzz corpora replay (tests/fuzz: each libFuzzer target once over its seeds, no fuzzing)"
make --no-print-directory BUILD="$build" fuzz-replay 2>&1 | tee "$build/fuzz-replay.log" | grep -vE '^(clang |ar |BUILD=)'
tally "$build/fuzz-replay.log"
echo "== exit-path promise (tests/bench/exit_promise.sh: the hot path's code, and the bench guest under QEMU -icount with gdb)"
if make --no-print-directory BUILD="$build/bench" HV_EXTRA_CFLAGS=-DHV_BENCH all >"$build/bench-build.log" 2>&1; then
  BUILD=$build timeout 300 tests/bench/exit_promise.sh 2>&1 | tee "$build/promise.log"
else
  echo "exit-promise: 0 passed, 1 failed (the bench build failed: $build/bench-build.log)" | tee "$build/promise.log"
fi
tally "$build/promise.log"
echo "== emulator tests (QEMU TCG, SVM)"
timeout 1500 tests/emu/run_all.sh 2>&1 | tee "$build/emu.log"
tally "$build/emu.log"
echo "== emulator tests (Bochs 2.7: VMX on corei7_skylake_x, SVM on ryzen, CPUID probe also on tigerlake)"
timeout 1500 tests/emu/run_bochs.sh 2>&1 | tee "$build/emu-bochs.log"
tally "$build/emu-bochs.log"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
