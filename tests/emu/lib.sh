# Shared by the emulator test runners (run_all.sh: QEMU, run_bochs.sh: Bochs). Source it
# after setting build, out (the runner's output folder) and filter.
passed=0; failed=0

image_with_cfg() { # NAME CFG -> image whose hv.cfg is CFG, with every guest ELF beside it
  local img=$out/$1.img
  scripts/mkimg.sh "$img" "$build/hv.efi" "$build"/guest/*.elf --cfg "$2" >/dev/null
  echo "$img"
}

selected() { # NAME: is the case selected by the runner's FILTER argument?
  [ -z "$filter" ] || [[ $1 == *$filter* ]]
}

# check_log NAME LOG START PATTERN...: every extended regex must match a line of the serial
# log; a pattern starting with '!' must match none. Counts the case and prints its verdict
# with the time since START (a $SECONDS value).
check_log() {
  local name=$1 log=$2 start=$3; shift 3
  local missing=()
  for pat in "$@"; do
    if [[ $pat == !* ]]; then
      grep -aqE -- "${pat#!}" "$log" && missing+=("(must not appear) ${pat#!}")
    else
      grep -aqE -- "$pat" "$log" || missing+=("$pat")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $name ($((SECONDS - start))s)"
  else
    failed=$((failed + 1)); echo "FAIL $name ($((SECONDS - start))s): log $log"
    for m in "${missing[@]}"; do echo "     missing: $m"; done
    tail -n 15 "$log" | sed 's/^/     | /'
  fi
}

# The apic guest's result lines (guest/apic/main.c): every subtest ran, each with its own
# "ok" line, and nothing failed, on CPU $1. Sets the array APIC_OK for a runner's pattern list.
apic_ok_patterns() {
  APIC_OK=("^\[apic\] apic: 8 of 8 selected tests ran$" "^\[apic\] apic: [0-9]+ checks passed, 0 failed$"
           "^hv: guest apic cpu $1: passed" "!FAIL"
           # the hypervisor's one-line messages, once per guest (docs/interrupts.md)
           "^hv: guest apic: .*IPI .* dropped: a guest cannot reach another core; logged once$"
           "^hv: guest apic: IA32_APIC_BASE write 0xfed00900 refused \(#GP\)")
  local t
  for t in ipi-others pic timer hlt self-ipi nmi mmio-race apic-base; do
    APIC_OK+=("^\[apic\] apic: $t: ok, [1-9][0-9]* checks")
  done
}
