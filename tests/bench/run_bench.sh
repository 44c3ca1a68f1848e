#!/usr/bin/env bash
# make bench: boots the benchmark guest on one CPU under QEMU with -icount shift=0,sleep=off
# (the TSC then counts executed instructions exactly; see ../shared/PLATFORM.md) and prints
# its "bench:" lines. Usage: tests/bench/run_bench.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/bench}
img=$build/bench.img
scripts/mkimg.sh "$img" "$build/hv.efi" --cfg tests/bench/bench.cfg >/dev/null
log=$build/bench-svm.log
tests/emu/boot.sh --image "$img" --smp 1 --icount --timeout 300 --log "$log" >/dev/null 2>&1
grep -E '^\[bench\] bench:' "$log" | sed 's/^\[bench\] //'
grep -qE '^hv: guest bench cpu 0: passed' "$log" || { echo "bench: SVM run failed, see $log" >&2; exit 1; }
