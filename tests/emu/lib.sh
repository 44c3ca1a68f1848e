# Shared by the emulator test runners (run_all.sh: QEMU, run_bochs.sh: Bochs). Source it
# after setting build, out (the runner's output folder) and filter.
passed=0; failed=0

image_with_cfg() { # NAME CFG -> image whose hv.cfg is CFG, with every guest ELF beside it
  # The old image goes first: when the builder fails there is no image, so the case cannot
  # boot a stale one and pass (boot.sh then refuses, the case has no log and fails).
  local img=$out/$1.img
  rm -f "$img"
  scripts/mkimg.sh "$img" "$build/hv.efi" "$build"/guest/*.elf --cfg "$2" >/dev/null ||
    { rm -f "$img"; echo "image_with_cfg: building $img from $2 failed" >&2; }
  echo "$img"
}

selected() { # NAME: is the case selected by the runner's FILTER argument?
  [ -z "$filter" ] || [[ $1 == *$filter* ]]
}

# check_log NAME LOG START PATTERN...: every extended regex must match a line of the serial
# log; a pattern starting with '!' must match none; "@FUNCTION ARGS..." runs FUNCTION ARGS...
# LOG, which must succeed (what it prints says why not). Counts the case and prints its
# verdict with the time since START (a $SECONDS value).
check_log() {
  local name=$1 log=$2 start=$3; shift 3
  local missing=()
  # The runners delete the log before each boot: none means the emulator never ran (no
  # image, a failed image build, a boot.sh error), and '!' patterns must not pass on it.
  [ -s "$log" ] || missing+=("(no serial log: the case did not boot; was its image built?)")
  for pat in "$@"; do
    if [[ $pat == !* ]]; then
      grep -saqE -- "${pat#!}" "$log" && missing+=("(must not appear) ${pat#!}")
    elif [[ $pat == @* ]]; then
      local why
      why=$(${pat#@} "$log") || missing+=("${pat#@}: $why")
    else
      grep -saqE -- "$pat" "$log" || missing+=("$pat")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $name ($((SECONDS - start))s)"
  else
    failed=$((failed + 1)); echo "FAIL $name ($((SECONDS - start))s): log $log"
    for m in "${missing[@]}"; do echo "     missing: $m"; done
    tail -n 15 "$log" 2>/dev/null | sed 's/^/     | /'
  fi
}

# [hv] debug_nmi_cpu = 1 (hv/debug_nmi.c): NMIs were sent to cpu 1 and its hypervisor's
# handler took every one (\1, a GNU grep extension, makes the two counts equal).
nmis_all_taken='^hv: debug_nmi: ([1-9][0-9]*) NMIs sent to cpu 1, \1 taken by its hypervisor$'

# guests_overlapped NAME... LOG: the guests NAME... ran at the same time: each printed its
# TSC at start and at exit (guest/lib/tsc_marks.c: "tsc-marks" on its command line), and
# every start comes before every exit, so there was a moment when all of them were running.
# The marks are compared, not the order of the lines, which the hypervisor's console may
# hold back per CPU. Fixed-width hex compares as a string.
guests_overlapped() {
  local log=${!#}
  awk -v want="${*:1:$#-1}" '
    $3 == "TSC" && $4 == "at" && ($5 == "start" || $5 == "exit") && $6 ~ /^0x[0-9a-f]+$/ &&
    length($6) == 18 && $1 ~ /^\[.*\]$/ {
      g = substr($1, 2, length($1) - 2)
      if ($5 == "start") start[g] = $6; else stop[g] = $6
    }
    END {
      n = split(want, w, " ")
      for (i = 1; i <= n; i++) {
        g = w[i]
        if (!(g in start) || !(g in stop)) { printf "no TSC marks (start and exit) from guest %s", g; exit 1 }
        if (last == "" || start[g] > last) { last = start[g]; lg = g }
        if (first == "" || stop[g] < first) { first = stop[g]; fg = g }
      }
      if (n < 2 || last >= first) {
        printf "guest %s exited (TSC %s) before guest %s started (TSC %s)", fg, first, lg, last
        exit 1
      }
    }' "$log"
}

# The apic guest's result lines (guest/apic/main.c): every subtest ran, each with its own
# "ok" line, and nothing failed, on CPU $1. Sets the array APIC_OK for a runner's pattern list.
# strio_ok_patterns: guest/strio on cpu 0 beside the self-test guest on cpu 1
# (tests/emu/cases/strio.cfg): every line it sends by INS/OUTS, its groups, both guests passed.
strio_ok_patterns() {
  STRIO_OK=("!FAIL" "!must not appear" "^hv: guest strio cpu 0: passed" "^hv: guest selftest cpu 1: passed"
            "^\[strio\] strio: [0-9]+ checks passed, 0 failed$" "^hv: all guests done: 2 passed, 0 failed$")
  local l
  for l in "rep outsb" "outsw" "rep outsb df=1" "a16 rep outsb" "64-bit a32 rep outsb" \
           "64-bit fs rep outsb" "64-bit gs rep outsw" "64-bit rep outsb df=1"; do
    STRIO_OK+=("^\[strio\] strio: $l line$")
  done
  for l in 32-bit paging 64-bit; do
    STRIO_OK+=("^\[strio\] strio: $l: ok, [1-9][0-9]* checks")
  done
}

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
