#!/usr/bin/env bash
# make bench: boots the benchmark guest alone on one CPU and prints its lines.
#  - SVM under QEMU TCG with -icount shift=0,sleep=off: the TSC then counts executed
#    instructions exactly (../shared/PLATFORM.md). Lines start "bench:".
#  - VMX under Bochs 2.7 corei7_skylake_x: Bochs's TSC also advances by one per executed
#    instruction (on one CPU). Lines start "bench-vmx:"; then again with EFER and PAT
#    through the MSR autoload lists ([hv] debug_vmx_msr_lists = 1), "bench-vmx-lists:".
# Usage: tests/bench/run_bench.sh BUILD_DIR [svm|vmx|all]
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/bench}
which=${2:-all}
img=$build/bench.img
scripts/mkimg.sh "$img" "$build/hv.efi" --cfg tests/bench/bench.cfg >/dev/null
status=0

# report LOG PREFIX: the guest's bench lines with PREFIX instead of "bench:"
report() {
  grep -aE '^\[bench\] bench:' "$1" | sed "s/^\[bench\] bench:/$2/"
  grep -aqE '^hv: guest bench cpu 0: passed' "$1" && return 0
  echo "$2 run failed, see $1" >&2
  status=1
}

if [ "$which" != vmx ]; then
  log=$build/bench-svm.log
  tests/emu/boot.sh --image "$img" --smp 1 --icount --timeout 300 --log "$log" >/dev/null 2>&1
  report "$log" "bench:"
fi
if [ "$which" != svm ]; then
  log=$build/bench-vmx.log
  tests/emu/boot.sh --emu bochs --bochs-cpu corei7_skylake_x --image "$img" --smp 1 \
    --timeout 600 --log "$log" >/dev/null 2>&1
  report "$log" "bench-vmx:"
  # The same with EFER and PAT through the MSR autoload lists ([hv] debug_vmx_msr_lists).
  lists_img=$build/bench-msr-lists.img
  scripts/mkimg.sh "$lists_img" "$build/hv.efi" --cfg tests/bench/bench-msr-lists.cfg >/dev/null
  log=$build/bench-vmx-lists.log
  tests/emu/boot.sh --emu bochs --bochs-cpu corei7_skylake_x --image "$lists_img" --smp 1 \
    --timeout 600 --log "$log" >/dev/null 2>&1
  grep -aqE '^hv: vmx: EFER/PAT switched through the MSR autoload lists' "$log" ||
    { echo "bench-vmx-lists: the lists were not in use, see $log" >&2; status=1; }
  report "$log" "bench-vmx-lists:"
fi
exit $status
