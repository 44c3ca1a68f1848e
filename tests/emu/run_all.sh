#!/usr/bin/env bash
# Emulator tests: boot build/hv.img (and images built here from tests/emu/cases/*.cfg)
# under QEMU TCG and check what the hypervisor prints. Prints "emu: N passed, M failed".
# Usage: tests/emu/run_all.sh [FILTER]   (runs only cases whose name contains FILTER)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
out=$build/emu
mkdir -p "$out"
filter=${1:-}
. tests/emu/lib.sh

# run_case NAME SMP IMAGE [BOOT OPTIONS...] -- PATTERN... (patterns as in check_log)
run_case() {
  local name=$1 smp=$2 img=$3; shift 3
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  selected "$name" || return 0
  local log=$out/$name.log start=$SECONDS
  tests/emu/boot.sh --image "$img" --smp "$smp" --timeout 120 --log "$log" "${opts[@]}" >/dev/null 2>&1
  check_log "$name" "$log" "$start" "$@"
}

for n in 1 2 4; do
  run_case "default-smp$n" $n "$build/hv.img" -- \
    "^hv: configuration: built-in config" "^hv: $n of $n CPUs online" \
    "^hv: all guests done: $n passed, 0 failed$"
done

run_case usb-stick 2 "$build/hv.img" --media usb -- "^hv: all guests done: 2 passed, 0 failed$"
run_case pxe 2 none --media pxe --efi "$build/hv.efi" -- \
  "^hv: configuration: built-in config" "^hv: all guests done: 2 passed, 0 failed$"

run_case containment 4 "$(image_with_cfg containment tests/emu/cases/containment.cfg)" -- \
  "^hv: guest good cpu 0: passed" \
  '^\[good\] selftest: module 0: .* "the-module"' \
  "^hv: guest triple cpu 1: stopped \(triple fault \(shutdown\)\)" \
  "^hv: guest outside cpu 2: stopped \(write of guest-physical 0x800000 outside its 8 MiB partition\)" \
  "^hv: guest forbidden cpu 3: stopped \(forbidden instruction VM(RUN|XON)\)" \
  "^hv: all guests done: 1 passed, 3 failed$"

run_case hlt-badimage 4 "$(image_with_cfg hlt_badimage tests/emu/cases/hlt_badimage.cfg)" -- \
  "^hv: guest sleeper cpu 0: stopped \(HLT with interrupts disabled" \
  "^hv: guest notakernel cpu 1: stopped \(hv.cfg: kernel: no multiboot header" \
  "^hv: guest ok cpu 2: passed" \
  "^hv: all guests done: 1 passed, 2 failed$"

# Guest extended state on every core at once, 100,000 exits each, patterns per core.
run_case xstate 4 "$(image_with_cfg xstate tests/emu/cases/xstate.cfg)" -- \
  '^\[xstate-0\] xstate: pattern 337f36a6' '^\[xstate-3\] xstate: pattern ' \
  "^\[xstate-[0-3]\] xstate: registers: ok" "^hv: guest xstate-3 exits: 1004[0-9][0-9] total" \
  "!FAIL" "^hv: all guests done: 4 passed, 0 failed$"

run_case hypervisor-crash 2 "$(image_with_cfg crash tests/emu/cases/crash.cfg)" -- \
  "^hv: CRASH on cpu 1 \(APIC ID [0-9]+\): vector 6 #UD invalid opcode" "^  rip [0-9a-f]{16} \(addr2line -e build/hv.so 0x[0-9a-f]+\)" \
  "^hv: guest selftest-1 cpu 1: stopped \(hypervisor fault on cpu 1 \(crash report above\)\)" \
  "^hv: guest selftest-0 cpu 0: passed" "^hv: all guests done: 1 passed, 1 failed$"

# A VM entry the CPU refuses (EFER.SVME clear: VMEXIT_INVALID) stops only that guest, with why.
run_case bad-entry 2 "$(image_with_cfg bad-entry tests/emu/cases/bad-entry-state.cfg)" -- \
  "^hv: debug_bad_entry: cpu 1 enters its guest with a bad guest state" \
  "^hv: guest selftest-1 cpu 1: stopped \(VM entry refused the guest state: VMRUN consistency checks failed" \
  "^hv: guest selftest-0 cpu 0: passed" "^hv: all guests done: 1 passed, 1 failed$"

# Host NMIs while a guest runs with its registers live: all taken by the hypervisor.
run_case nmi 2 "$(image_with_cfg nmi tests/emu/cases/nmi.cfg)" -- \
  "^hv: debug_nmi: cpu 0 sends NMIs to cpu 1" "^\[xstate\] xstate: registers: ok" \
  "^hv: guest xstate exits: .* host-event=[1-9]" "^hv: all guests done: 1 passed, 0 failed$"

run_case malformed-config 2 "$(image_with_cfg malformed tests/emu/cases/malformed.cfg)" -- \
  "^hv: hv.cfg:3: unknown key 'memroy' in \[guest a\]" \
  "^hv: configuration error; nothing started" "!starting on cpu"

echo "emu: $passed passed, $failed failed"
[ $failed -eq 0 ]
