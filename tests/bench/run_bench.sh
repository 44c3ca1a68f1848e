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
scripts/mkimg.sh "$img" "$build/hv.efi" --cfg tests/bench/bench.cfg >/dev/null ||
  { echo "bench: scripts/mkimg.sh failed" >&2; exit 1; }
status=0

# Every figure each run must print (the x2APIC lines only where the CPU has x2APIC: not
# QEMU TCG 7.2; docs/exit-path.md).
KINDS="floor cpuid hypercall io rdmsr eoi-xapic self-ipi-xapic tsc-deadline hlt"
X2APIC_KINDS="eoi-x2apic self-ipi-x2apic"

# report LOG PREFIX KIND...: the guest's bench lines with PREFIX instead of "bench:"; the
# run fails unless the guest passed (its own checks, guest/bench/checks.c) and printed a
# non-zero figure with all of the hypervisor's columns for every KIND.
report() {
  local log=$1 prefix=$2 kind; shift 2
  grep -aE '^\[bench\] bench:' "$log" | sed "s/^\[bench\] bench:/$prefix/"
  for kind in "$@"; do
    if [ "$kind" = floor ]; then
      grep -aqE '^\[bench\] bench: floor [1-9][0-9]* instr/exit' "$log" && continue
    else
      grep -aqE "^\[bench\] bench: $kind [1-9][0-9]* instr/exit msr=[0-9.]+ xsave=[0-9.]+ vmsave=[0-9.]+ vmload=[0-9.]+ vmwrite=[0-9.]+ autoload=[0-9.]+ ratio=[0-9]" "$log" && continue
    fi
    echo "$prefix no figure for $kind, see $log" >&2
    status=1
  done
  grep -aqE '^hv: guest bench cpu 0: passed' "$log" && return 0
  echo "$prefix run failed, see $log" >&2
  status=1
}

if [ "$which" != vmx ]; then
  log=$build/bench-svm.log
  rm -f "$log"
  tests/emu/boot.sh --image "$img" --smp 1 --icount --timeout 300 --log "$log" >/dev/null 2>&1
  report "$log" "bench:" $KINDS
fi
if [ "$which" != svm ]; then
  log=$build/bench-vmx.log
  rm -f "$log"
  tests/emu/boot.sh --emu bochs --bochs-cpu corei7_skylake_x --image "$img" --smp 1 \
    --timeout 600 --log "$log" >/dev/null 2>&1
  report "$log" "bench-vmx:" $KINDS $X2APIC_KINDS
  # The same with EFER and PAT through the MSR autoload lists ([hv] debug_vmx_msr_lists).
  lists_img=$build/bench-msr-lists.img
  scripts/mkimg.sh "$lists_img" "$build/hv.efi" --cfg tests/bench/bench-msr-lists.cfg >/dev/null ||
    { echo "bench-vmx-lists: scripts/mkimg.sh failed" >&2; exit 1; }
  log=$build/bench-vmx-lists.log
  rm -f "$log"
  tests/emu/boot.sh --emu bochs --bochs-cpu corei7_skylake_x --image "$lists_img" --smp 1 \
    --timeout 600 --log "$log" >/dev/null 2>&1
  grep -aqE '^hv: vmx: EFER/PAT switched through the MSR autoload lists' "$log" ||
    { echo "bench-vmx-lists: the lists were not in use, see $log" >&2; status=1; }
  report "$log" "bench-vmx-lists:" $KINDS $X2APIC_KINDS
fi
exit $status
