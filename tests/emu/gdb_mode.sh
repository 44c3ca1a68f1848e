# Sourced by tests/emu/run_all.sh: case gdb-mode (QEMU, 2 CPUs, one boot:
# tests/emu/cases/gdb-mode.cfg), two gdb stub checks; by tests/emu/run_bochs.sh: the same
# on VMX, vmx-gdb-mode (Bochs corei7_skylake_x, 2 CPUs, about 30 s).
# 1. Hand-over to a guest that ends at that moment: a raw client (gdb_raw.py PORT gone) attaches
#    (thread 1 stops) and selects thread 2, whose guest [hv] debug_gdb_end_cpu ends just as it
#    is handed the stub. cpu 0, which handed it over, takes the session back: E02 for the
#    thread gone, a thread list without it, then continue, Ctrl-C and detach as usual.
# 2. A mode switch while attached: gdb attaches to gdbtarget "longmode" in 32-bit protected
#    mode (the i386 description), lets it enter long mode and stops it in 64-bit code with a
#    hardware breakpoint. The stub keeps the i386 layout gdb holds (EDX is RDX's low half; a
#    write keeps the upper half) and, before the stop, says that the guest is now in long mode
#    and how to read the amd64 description; gdb does that (detach, unset tdesc filename, set
#    architecture, target remote), sees RIP and the breakpoint it kept, and lets the guest end.
#    The guest passes only with the value gdb set and RDX = 0x600dcafe_00000005.

gdb_mode_script() {
  cat <<EOG
set pagination off
set confirm off
target remote 127.0.0.1:$1
show architecture
info registers eip
set var gdb_target_value = 2
hbreak gdb_target_tick64_at
continue
show architecture
info registers eip
print/x \$edx
set var \$edx = 5
detach
unset tdesc filename
set architecture i386:x86-64
target remote 127.0.0.1:$1
show architecture
x/gx &gdb_target_rdx
info registers rip
set var gdb_target_value = 42
info breakpoints
detach
EOG
}

gdb_mode_case() { # QEMU (SVM)
  gdb_mode_run gdb-mode 60 "" --smp 2 --timeout 90
}

# The same checks on VMX (tests/emu/run_bochs.sh): Bochs 2.7 corei7_skylake_x, 2 CPUs. The
# guests' loops execute CLI each round (guest/gdbtarget: Bochs 2.7 gives a guest entered with
# IF = 0 no interrupt exit until it does, docs/interrupts.md).
vmx_gdb_mode_case() {
  gdb_mode_run vmx-gdb-mode 150 "^hv: using vmx$" --emu bochs --bochs-cpu corei7_skylake_x \
    --smp 2 --timeout 150
}

# gdb_mode_run NAME BOOT_WAIT EXTRA_PATTERN BOOT_ARGS...: boot (tests/emu/boot.sh BOOT_ARGS),
# wait up to BOOT_WAIT s for both guests, run both checks; EXTRA_PATTERN (if not empty) must
# be in the serial log too.
gdb_mode_run() {
  local name=$1 boot_wait=$2 extra=$3; shift 3
  selected $name || return 0
  local log=$out/$name.log glog=$out/$name.gdb.log start=$SECONDS img port i
  rm -f "$log" "$log.bochs" "$glog" "$out/$name.raw.log"
  img=$(image_with_cfg $name tests/emu/cases/gdb-mode.cfg)
  port=$((20000 + RANDOM % 20000))
  if [ -f "$img" ]; then
    tests/emu/boot.sh --image "$img" "$@" --log "$log" --com2-tcp $port >/dev/null 2>&1 &
    local qpid=$!
    # Both guests started (the hypervisor's lines; the guests' own wait in its buffer until
    # they exit).
    for i in $(seq 1 $boot_wait); do
      grep -qs '^hv: guest target starting on cpu 0' "$log" &&
        grep -qs '^hv: guest gone starting on cpu 1' "$log" && break
      sleep 1
    done
    sleep 1
    timeout 30 python3 tests/emu/gdb_raw.py $port gone >"$out/$name.raw.log" 2>&1
    gdb_mode_script $port >"$out/$name.gdb"
    timeout 60 gdb -nx -batch -x "$out/$name.gdb" "$build/guest/gdbtarget.elf" >"$glog" 2>&1
    wait $qpid
  fi
  check_log $name-handover "$out/$name.raw.log" "$start" "^gdb_raw: Hg2 -> OK$" \
    "^gdb_raw: g -> E02$" "^gdb_raw: m101000,4 -> E02$" "^gdb_raw: T2 -> E02$" \
    "^gdb_raw: qfThreadInfo -> m1$" "^gdb_raw: Hg2 -> E02$" "^gdb_raw: g -> [0-9a-fx]{352}$" \
    "^gdb_raw: Ctrl-C -> T02thread:1;$" "^gdb_raw: D -> OK$"
  check_log $name-session "$glog" "$start" \
    "^The target architecture is set to \"auto\" \(currently \"i386\"\)\.$" \
    "^eip +0x[0-9a-f]+ +0x[0-9a-f]+ <[a-z_0-9]+(\+[0-9]+)?>$" \
    "^hv: guest target \(thread 1\) is now in long mode: gdb's i386 description shows the low halves of its registers; for the amd64 one: detach, \`unset tdesc filename\`, \`set architecture i386:x86-64\`, \`target remote\` again$" \
    "^Breakpoint 1, 0x[0-9a-f]+ in gdb_target_tick64_at \(\)$" \
    "^eip +0x[0-9a-f]+ +0x[0-9a-f]+ <gdb_target_tick64_at>$" "^\\\$1 = 0x[0-9a-f]{1,8}$" \
    "^The target architecture is set to \"i386:x86-64\"\.$" \
    "^0x[0-9a-f]+( <gdb_target_rdx>)?:\s+0x600dcafe00000005$" \
    "^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <" "^1 +hw breakpoint +keep y +0x[0-9a-f]+ <gdb_target_tick64_at>$" \
    "^\[Inferior 1 \(Remote target\) detached\]$" \
    "!Remote 'g' packet" "!Truncated register" "!Remote connection closed" \
    "!warning: (Selected|Architecture|Could not)"
  check_log $name "$log" "$start" \
    "^hv: guest gone cpu 1: stopped \(debug_gdb_end_cpu: ended as gdb handed it the stub\)$" \
    "^\[target\] gdbtarget: longmode: in long mode$" \
    "^\[target\] gdbtarget: longmode: gdb_target_value = 42, RDX at the first 64-bit stop 0x600dcafe00000005$" \
    "^hv: guest target cpu 0: passed" "^hv: all guests done: 1 passed, 1 failed$" "!CRASH" \
    ${extra:+"$extra"}
}
