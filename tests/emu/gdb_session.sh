# Sourced by tests/emu/run_all.sh: the gdb stub on QEMU (case gdb). The gdbtarget guest on
# cpu 1 is debugged by the real gdb in batch mode over COM2 (a TCP socket) while two
# bystanders run on cpus 0 and 2 (a raw client first stops one with Ctrl-C and kills a third
# on cpu 3): attach, the guests as threads, thread 2, a breakpoint on a
# function from the guest's ELF symbols, registers and variables, a single step, a
# hardware watchpoint (passed twice, so that the guest's own INT3s run while the
# stub intercepts #BP for the breakpoint it also has), the variable changed, detach; the guest must then report the new
# value and pass, and so must both bystanders, which ran on meanwhile: while gdb holds the
# target at its first breakpoint each must print two more lines (tests/emu/bystanders_ran.sh).

# gdb_script PORT [N]: the session, with the target as gdb's thread N (default 2) (gdb's
# output is checked line by line: gdb_ok_patterns). GDB_HOLD: gdb commands run while the
# target is stopped at its first breakpoint (the cases: tests/emu/bystanders_ran.sh).
gdb_script() {
  cat <<EOG
set pagination off
set confirm off

target remote 127.0.0.1:$1
info threads
thread ${2:-2}
break gdb_target_tick
continue
print \$pc == (int)&gdb_target_tick
${GDB_HOLD:-}
info registers eip
print gdb_target_value
print/x gdb_target_counter
x/1i \$pc
stepi
print \$pc != (int)&gdb_target_tick
delete
break bystander
watch gdb_target_counter
ignore 3 2
continue
print gdb_target_counter
delete
break *gdb_step_cpuid
continue
x/3i \$pc
stepi
print \$pc == (int)&gdb_step_add
stepi
print \$pc == (int)&gdb_step_out
stepi
print \$pc == (int)&gdb_step_end
set var trap_db.count = 0
set var \$eflags = \$eflags | 0x100
stepi
set var \$landed = (int)\$pc
delete
break gdb_target_tick
continue
print trap_db.count == 1 && trap_db.eip == \$landed
delete
set var gdb_target_value = 42
print gdb_target_value
info threads
detach
EOG
}

# gdb_ok_patterns [nocpu0]: with nocpu0, cpu 0 runs no guest and the bystander has ended: the
# target (cpu 1) is gdb's only thread.
gdb_ok_patterns() {
  if [ "${1:-}" = nocpu0 ]; then
    GDB_OK=("^\* 1 +Thread 2 \"target\" " "^\[Switching to thread 1 \(Thread 2\)\]")
  else
    GDB_OK=("^\* 1 +Thread 1 \"by0\" " "^  2 +Thread 2 \"target\" " "^  3 +Thread 3 \"by2\" "
            "^\[Switching to thread 2 \(Thread 2\)\]")
  fi
  GDB_OK+=(
          "^Breakpoint 1 at 0x[0-9a-f]+: file guest/gdbtarget/main.c"
          "^Thread 2 \"target\" hit Breakpoint 1, gdb_target_tick \(round=[0-9]+\)"
          "^\\\$1 = 1$" "^eip +0x[0-9a-f]+ +0x[0-9a-f]+ <gdb_target_tick>" "^\\\$2 = 1$"
          "^\\\$4 = 1$" "^Breakpoint 2 at 0x[0-9a-f]+: file guest/gdbtarget/main.c"
          "^Hardware watchpoint 3: gdb_target_counter$"
          "^Thread 2 \"target\" hit Hardware watchpoint 3: gdb_target_counter$"
          "^Old value = [0-9]+$" "^New value = [0-9]+$"
          "^Breakpoint 4 at 0x[0-9a-f]+" "^=> 0x[0-9a-f]+ <step_targets\+[0-9]+>:[[:space:]]+cpuid$"
          "^\\\$6 = 1$" "^\\\$7 = 1$" "^\\\$8 = 1$" "^\\\$9 = 1$" "^\\\$10 = 42$" "^\[Inferior 1 \(Remote target\) detached\]$" "!Remote connection closed"
          "!Ignoring packet error" "!warning: ")
  if [ "${1:-}" = nocpu0 ]; then
    # One thread: gdb names none in its stop lines.
    local p keep=()
    for p in "${GDB_OK[@]}"; do
      keep+=("${p/Thread 2 \"target\" hit /}")
    done
    GDB_OK=("${keep[@]}")
  fi
}

gdb_case() {
  local name=gdb
  selected $name || return 0
  local log=$out/$name.log glog=$out/$name.gdb.log start=$SECONDS img port i
  rm -f "$log" "$glog"
  img=$(image_with_cfg $name tests/emu/cases/gdb.cfg)
  port=$((20000 + RANDOM % 20000))
  if [ -f "$img" ]; then
    tests/emu/boot.sh --image "$img" --smp 4 --timeout 200 --log "$log" --com2-tcp $port \
      >/dev/null 2>&1 &
    local qpid=$!
    for i in $(seq 1 90); do # every guest has started: the bystanders' first lines
      grep -qs '^\[by0\] gdbtarget: bystander: 5 s' "$log" &&
        grep -qs '^\[by2\] gdbtarget: bystander: 5 s' "$log" &&
        grep -qs '^\[victim\] gdbtarget: bystander: 5 s' "$log" && break
      sleep 1
    done
    # First a raw client: attach, continue, Ctrl-C, detach (gdb's batch mode cannot send
    # Ctrl-C); then gdb itself.
    timeout 60 python3 tests/emu/gdb_raw.py $port >"$out/$name.raw.log" 2>&1
    GDB_HOLD="shell tests/emu/bystanders_ran.sh $log by0 by2" gdb_script $port >"$out/$name.gdb"
    timeout 120 gdb -nx -batch -x "$out/$name.gdb" "$build/guest/gdbtarget.elf" >"$glog" 2>&1
    wait $qpid
  fi
  check_log $name-ctrl-c "$out/$name.raw.log" "$start" "^gdb_raw: \\? -> T05thread:1;$" \
    "^gdb_raw: Ctrl-C -> T02thread:1;$" "^gdb_raw: detached$" "^gdb_raw: qC -> QC4$" \
    "^gdb_raw: killed thread 4$"
  gdb_ok_patterns
  check_log $name-session "$glog" "$start" "${GDB_OK[@]}" \
    "^held: by0 by2 ran on while gdb held the target"
  # The target's exception exits: the breakpoint's #BP, the step's #DB, three watchpoint #DBs
  # and the two INT3s of its own between them, intercepted and handed back; then the second
  # breakpoint's #BP and one #DB for the three steps (the CPUID's and the OUT's end in the
  # slow path that carries them out), the #DB of the step the guest takes with its own TF
  # too (its trap is injected, no exit), and the third breakpoint's #BP with one more own INT3.
  check_log $name "$log" "$start" \
    "^hv: gdb stub on COM2 \(0x2f8, 115200 8N1\)" "^hv: gdb stub: COM2 IRQ 3 -> GSI 3 " \
    "^\[target\] gdbtarget: gdb_target_value = 42 after [0-9]+ rounds, set by the debugger$" \
    "^\[target\] gdbtarget: own INT3 handled ([0-9]+) of \1 times$" \
    "^hv: guest target exits: .* exception=12 " \
    "^hv: guest target cpu 1: passed" "^hv: guest by0 cpu 0: passed" "^hv: guest by2 cpu 2: passed" \
    "@bystanders_outlived_target by0 by2" \
    "^\[by0\] gdbtarget: bystander: 60 s" "^\[by2\] gdbtarget: bystander: 60 s" "^hv: guest victim cpu 3: stopped \(killed by gdb\)$" \
    "^hv: all guests done: 3 passed, 1 failed$" "!CRASH"
}

# bystanders_outlived_target NAME... LOG: each bystander NAME printed a line after the target
# reported the value gdb set (which it does once gdb has detached): it ran for the whole session.
bystanders_outlived_target() {
  local log=${!#} g end last
  end=$(grep -an '^\[target\] gdbtarget: gdb_target_value = ' "$log" | head -n 1 | cut -d: -f1)
  [ -n "$end" ] || { echo "the target never reported its value"; return 1; }
  for g in "${@:1:$#-1}"; do
    last=$(grep -an "^\[$g\] gdbtarget: bystander: " "$log" | tail -n 1 | cut -d: -f1)
    [ -n "$last" ] && [ "$last" -gt "$end" ] ||
      { echo "$g printed nothing after the target's end (line $end)"; return 1; }
  done
}

# Case vmx-gdb (tests/emu/run_bochs.sh): the same session on the VMX backend under Bochs
# corei7_skylake_x with 3 CPUs (tests/emu/cases/gdb-3cpu.cfg: the target on cpu 1, bystanders
# on cpus 0 and 2 for the whole session). COM2 reaches TCP through tests/emu/com2_relay.py
# (boot.sh). The raw client's attach and Ctrl-C come first (without the kill): COM2's interrupt
# must reach cpu 0 while its bystander runs; then gdb (both bystanders print on while it holds
# the target, as on QEMU): the software breakpoint
# (#BP in the exception bitmap), the step (monitor trap flag), the watchpoint (DR0-DR3 live,
# DR7 in the VMCS, #DB's bits in the exit qualification) and the guest's own INT3s handed back
# as software exceptions. The bystander loop executes CLI each round: without it Bochs 2.7 gives
# that IF = 0 loop no interrupt exit at all (docs/interrupts.md), and the attach times out.
gdb_bochs_case() {
  local name=vmx-gdb
  selected $name || return 0
  local log=$out/$name.log glog=$out/$name.gdb.log start=$SECONDS img port i
  rm -f "$log" "$log.bochs" "$glog" "$out/$name.raw.log"
  img=$(image_with_cfg $name tests/emu/cases/gdb-3cpu.cfg)
  port=$((20000 + RANDOM % 20000))
  if [ -f "$img" ]; then
    tests/emu/boot.sh --emu bochs --bochs-cpu corei7_skylake_x --image "$img" --smp 3 \
      --timeout 300 --log "$log" --com2-tcp $port >/dev/null 2>&1 &
    local bpid=$!
    for i in $(seq 1 200); do # every guest has started: the bystanders' first lines
      grep -qs '^\[by0\] gdbtarget: bystander: ' "$log" &&
        grep -qs '^\[by2\] gdbtarget: bystander: ' "$log" &&
        grep -qs '^\[target\] gdbtarget: waiting for a debugger' "$log" && break
      sleep 1
    done
    timeout 60 python3 tests/emu/gdb_raw.py $port nokill >"$out/$name.raw.log" 2>&1
    GDB_HOLD="shell tests/emu/bystanders_ran.sh $log by0 by2" gdb_script $port 2 >"$out/$name.gdb"
    timeout 150 gdb -nx -batch -x "$out/$name.gdb" "$build/guest/gdbtarget.elf" >"$glog" 2>&1
    wait $bpid
  fi
  # Attach and Ctrl-C: COM2's interrupt reached cpu 0 while its guest ran.
  check_log $name-ctrl-c "$out/$name.raw.log" "$start" "^gdb_raw: \\? -> T05thread:1;$" \
    "^gdb_raw: Ctrl-C -> T02thread:1;$" "^gdb_raw: detached$"
  gdb_ok_patterns
  check_log $name-session "$glog" "$start" "${GDB_OK[@]}" \
    "^held: by0 by2 ran on while gdb held the target"
  check_log $name "$log" "$start" "^hv: using vmx$" \
    "^hv: gdb stub on COM2 \(0x2f8, 115200 8N1\)" \
    "^\[target\] gdbtarget: gdb_target_value = 42 after [0-9]+ rounds, set by the debugger$" \
    "^\[target\] gdbtarget: own INT3 handled ([0-9]+) of \\1 times$" \
    "^hv: guest target exits: .* exception=12 " \
    "^hv: guest target cpu 1: passed" "^hv: guest by0 cpu 0: passed" "^hv: guest by2 cpu 2: passed" \
    "^\[by0\] gdbtarget: bystander: 6 s" "^\[by2\] gdbtarget: bystander: 6 s" \
    "@bystanders_outlived_target by0 by2" \
    "^hv: all guests done: 3 passed, 0 failed$" "!CRASH"
}
