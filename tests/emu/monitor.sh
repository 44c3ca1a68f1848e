# Sourced by tests/emu/run_all.sh: the serial monitor on QEMU (case monitor; README
# "Debugging" -> "Monitor"). Three guests (tests/emu/cases/monitor.cfg); the focus starts on
# the hypervisor. Every command is typed and its answer checked: regs of the console CPU's
# own guest and of a guest on another CPU (RIP inside the echo image's code, 0x100000-0x103fff),
# xstate, msrs, mem of the image's multiboot header by guest-physical and guest-virtual
# address, top (at least one frame, stopped by a key), log, bad arguments (one line each),
# stop of the never-exiting guest only; then both echo guests get their word and pass.
monitor_case() {
  local name=monitor
  selected $name || return 0
  local log=$out/$name.log start=$SECONDS sock=$out/$name.sock img
  local rip='rip 000000000010[0-3][0-9a-f]{3} rflags'
  local header='0000000000100000: 02 b0 ad 1b 03 00 00 00 fb 4f 52 e4 00 00 00 00'
  rm -f "$log" "$sock"
  img=$(image_with_cfg $name tests/emu/cases/monitor.cfg)
  if [ -f "$img" ]; then
    tests/emu/boot.sh --image "$img" --smp 4 --timeout 170 --serial-socket "$sock" \
      >"$out/$name.qemu.log" 2>&1 &
    local qpid=$!
    timeout 180 python3 tests/emu/serial_session.py --socket "$sock" --log "$log" --timeout 40 \
      seen '^\[irq\] echo: ready \(interrupts\)' seen '^\[poll\] echo: ready \(polling\)' \
      seen '^hv: guest spin starting on cpu 3' \
      send 'help' expect '^  guests +every guest' expect '^  log +the hypervisor' \
      send 'guests' expect '^irq +cpu 0  (running|halted)' expect '^poll +cpu 2  running, run time' \
      expect '^spin +cpu 3  running, run time' \
      send 'regs poll' expect '^guest poll cpu 2: 32-bit code, CPL 0$' expect "^$rip" \
      expect '^tr +0000 ' expect '^events: queued for the next entry: ' \
      send 'regs irq' expect '^guest irq cpu 0: 32-bit code, CPL 0$' expect "^$rip" \
      send 'xstate poll' expect '^guest poll cpu 2: XCR0 0x[0-9a-f]+ \(x87' expect '^in use' \
      send 'msrs poll' expect '^  0xc0000080 +EFER +dedicated field: 0x' \
      send 'mem poll p100000 16' expect "^$header" \
      send 'mem poll 0x100000 16' expect "^$header" \
      send 'mem poll p1000000' expect "^mem: guest-physical 0x1000000 is outside poll's memory \(0-0xffffff\)$" \
      send 'mem poll 0x1000000' expect "^mem: guest-virtual 0x1000000 maps to guest-physical 0x1000000, outside poll's memory$" \
      send 'mem poll pxyz' expect "^mem: ADDR 'pxyz' is not a hex address" \
      send 'mem poll p100000 0' expect "^mem: LEN '0' is not a byte count from 1 to 256$" \
      send 'regs nosuch' expect "^regs: no guest named 'nosuch' \(guests lists them\)$" \
      send 'regs' expect '^usage: regs NAME$' \
      send 'frobnicate' expect "^unknown command 'frobnicate' \(help lists the commands\)$" \
      send 'top' expect '^top: first figures in a second' \
      expect '^top: exits per second over the last [0-9]+ ms' expect '^  poll +cpu 2  [1-9][0-9]*/s io=' \
      type 'q' expect '^top: stopped after [1-9][0-9]* updates$' \
      send 'log' expect '^log: the last [0-9]+ bytes of hypervisor messages' \
      expect '^hv: guest poll starting on cpu 2 ' \
      send 'stop spin' expect '^stop: asked cpu 3 to stop guest spin$' \
      expect '^(hv> )?hv: guest spin cpu 3: stopped \(stopped by the hypervisor at the request of cpu 0 \(monitor: stop\)\)' \
      send 'stop spin' expect '^stop: guest spin is not running \(stopped ' \
      send 'regs spin' expect '^regs: guest spin is not running \(stopped ' \
      send 'guests' expect '^poll +cpu 2  running' expect '^spin +cpu 3  stopped \(' \
      focus '^hv: input -> irq on cpu 0 ' \
      send 'bye-irq' expect '^hv: guest irq cpu 0: passed' \
      focus '^hv: input -> poll on cpu 2 ' \
      send 'bye-poll' expect '^hv: all guests done: ' drain
    wait $qpid
  fi
  check_log $name "$log" "$start" \
    "^$rip" "^$header" "^in use" "^top: stopped after [1-9][0-9]* updates$" \
    "^(hv> )?hv: guest spin cpu 3: stopped \(stopped by the hypervisor at the request of cpu 0 \(monitor: stop\)\)" \
    "^hv: guest irq cpu 0: passed" "^hv: guest poll cpu 2: passed" \
    "^hv: all guests done: 2 passed, 1 failed$" "!^serial_session: " "!CRASH"
}


# Sourced by tests/emu/run_bochs.sh (case vmx-monitor, Bochs corei7_skylake_x, 2 CPUs): the
# monitor's cross-CPU requests on VMX, from the console CPU's idle loop (no guest on cpu 0)
# to a guest that polls its UART with IF = 0 on cpu 1 (tests/emu/cases/vmx-monitor.cfg):
# regs answers with its registers, stop stops it. Bochs 2.7 takes no external-interrupt
# exit from such a guest, so this fails unless the VMX fast path hands a pending request
# to the slow path (arch/x86/vmx/vmx_exit_fast.c).
monitor_vmx_case() {
  local name=vmx-monitor
  selected $name || return 0
  local log=$out/$name.log start=$SECONDS sock=$out/$name.sock img
  local rip='rip 000000000010[0-3][0-9a-f]{3} rflags'
  rm -f "$log" "$sock"
  img=$(image_with_cfg $name tests/emu/cases/vmx-monitor.cfg)
  if [ -f "$img" ]; then
    tests/emu/boot.sh --image "$img" --emu bochs --bochs-cpu corei7_skylake_x --smp 2 \
      --timeout 180 --serial-socket "$sock" >"$out/$name.emu.log" 2>&1 &
    local qpid=$!
    timeout 190 python3 tests/emu/serial_session.py --socket "$sock" --log "$log" --timeout 150 \
      seen '^\[poll\] echo: ready \(interrupts\)' timeout 30 \
      send 'regs poll' expect '^guest poll cpu 1: 32-bit code, CPL 0$' expect "^$rip" \
      send 'stop poll' expect '^stop: asked cpu 1 to stop guest poll$' \
      expect '^(hv> )?hv: guest poll cpu 1: stopped \(stopped by the hypervisor at the request of cpu 0 \(monitor: stop\)\)' \
      expect '^hv: all guests done: ' drain
    wait $qpid
  fi
  check_log $name "$log" "$start" \
    "^hv: using vmx$" "^$rip" \
    "^(hv> )?hv: guest poll cpu 1: stopped \(stopped by the hypervisor at the request of cpu 0 \(monitor: stop\)\)" \
    "^hv: all guests done: 0 passed, 1 failed$" "!no answer from cpu" "!^serial_session: " "!CRASH"
}
