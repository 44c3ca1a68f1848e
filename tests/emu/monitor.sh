# Sourced by tests/emu/run_all.sh: the serial monitor on QEMU (case monitor; README
# "Debugging" -> "Monitor"). Three guests (tests/emu/cases/monitor.cfg); the focus starts on
# the hypervisor. Every command is typed and its answer checked: regs of the console CPU's
# own guest and of a guest on another CPU (RIP inside the echo image's code, 0x100000-0x103fff),
# xstate, msrs, mem of the image's multiboot header by guest-physical and guest-virtual
# address, top (at least one frame, stopped by a key), log, bad arguments (one line each),
# stop of the never-exiting guest only; restart of the polled echo guest (it starts again
# from its image: its start line says "after 1 restarts" and finds its data as in the image,
# then it is ready again and passes "after 1 restart"; the others run on), restart of the
# stopped guest refused; then both echo guests get their word and pass.
monitor_case() {
  local name=monitor
  selected $name || return 0
  local log=$out/$name.log start=$SECONDS sock=$out/$name.sock img
  local rip='rip 000000000010[0-3][0-9a-f]{3} rflags'
  local header='0000000000100000: 02 b0 ad 1b 03 00 00 00 fb 4f 52 e4 00 00 00 00'
  local rebooted='hv: guest poll cpu 2: rebooted \(restarted at the request of cpu 0 \(monitor: restart\)\); restart 1$'
  local restarted='\[poll\] echo: start after 1 restarts \(CPUID 0x40000001 EDX\), data as in the image$'
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
      send 'restart' expect '^usage: restart NAME$' \
      send 'restart poll now' expect '^usage: restart NAME$' \
      send 'restart nosuch' expect "^restart: no guest named 'nosuch' \(guests lists them\)$" \
      send 'restart poll' expect '^restart: asked cpu 2 to restart guest poll$' \
      seen "^(hv> )?$rebooted" expect "^(hv> )?$restarted" expect '^(hv> )?\[poll\] echo: ready \(polling\)' \
      send 'guests' expect '^irq +cpu 0  (running|halted)' expect '^poll +cpu 2  running' \
      expect '^spin +cpu 3  running' \
      send 'stop spin' expect '^stop: asked cpu 3 to stop guest spin$' \
      expect '^(hv> )?hv: guest spin cpu 3: stopped \(stopped by the hypervisor at the request of cpu 0 \(monitor: stop\)\)' \
      send 'stop spin' expect '^stop: guest spin is not running \(stopped ' \
      send 'regs spin' expect '^regs: guest spin is not running \(stopped ' \
      send 'restart spin' expect "^restart: guest spin is not running \(stopped .*\): an ended guest is not restarted$" \
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
    "^(hv> )?\[poll\] echo: start after 0 restarts \(CPUID 0x40000001 EDX\), data as in the image$" \
    "^(hv> )?$rebooted" "^(hv> )?$restarted" \
    "^hv: guest irq cpu 0: passed$" "^hv: guest poll cpu 2: passed after 1 restart$" \
    "^hv: all guests done: 2 passed, 1 failed, 1 restart$" "!^serial_session: " "!CRASH"
}


# Sourced by tests/emu/run_bochs.sh (case vmx-monitor, Bochs corei7_skylake_x, 2 CPUs): the
# monitor's cross-CPU requests on VMX, from the console CPU's idle loop (no guest on cpu 0)
# to the echo guest on cpu 1, which waits for UART input with HLT and interrupts on
# (tests/emu/cases/vmx-monitor.cfg):
# regs answers with its registers (from VMREADs on cpu 1); guests, xstate, msrs, mem by
# guest-physical and guest-virtual address (through its page tables), top (one frame, then a
# key) and log answer as on QEMU; restart reloads its image and starts it again (its start
# line says "after 1 restarts" and finds its data as in the image; a bad name gets one line);
# stop stops it. A restart of an ended guest is refused (case monitor: here the run ends with
# its only guest). Not a guest polling with IF = 0: Bochs 2.7 gives such a guest no
# external-interrupt exit at all (docs/interrupts.md).
monitor_vmx_case() {
  local name=vmx-monitor
  selected $name || return 0
  local log=$out/$name.log start=$SECONDS sock=$out/$name.sock img
  local rip='rip 000000000010[0-3][0-9a-f]{3} rflags'
  local header='0000000000100000: 02 b0 ad 1b 03 00 00 00 fb 4f 52 e4 00 00 00 00'
  local rebooted='hv: guest poll cpu 1: rebooted \(restarted at the request of cpu 0 \(monitor: restart\)\); restart 1$'
  local restarted='\[poll\] echo: start after 1 restarts \(CPUID 0x40000001 EDX\), data as in the image$'
  rm -f "$log" "$sock"
  img=$(image_with_cfg $name tests/emu/cases/vmx-monitor.cfg)
  if [ -f "$img" ]; then
    tests/emu/boot.sh --image "$img" --emu bochs --bochs-cpu corei7_skylake_x --smp 2 \
      --timeout 180 --serial-socket "$sock" >"$out/$name.emu.log" 2>&1 &
    local qpid=$!
    timeout 190 python3 tests/emu/serial_session.py --socket "$sock" --log "$log" --timeout 150 \
      seen '^\[poll\] echo: ready \(interrupts\)' timeout 30 \
      send 'regs poll' expect '^guest poll cpu 1: 32-bit code, CPL 0$' expect "^$rip" \
      expect '^tr +0000 ' expect '^events: queued for the next entry: ' \
      send 'guests' expect '^poll +cpu 1  (running|halted)' \
      send 'xstate poll' expect '^guest poll cpu 1: XCR0 0x[0-9a-f]+ \(x87' expect '^in use' \
      send 'msrs poll' expect '^  0xc0000080 +EFER +dedicated field: 0x' \
      send 'mem poll p100000 16' expect "^$header" \
      send 'mem poll 0x100000 16' expect "^$header" \
      send 'mem poll 0x1000000' expect "^mem: guest-virtual 0x1000000 maps to guest-physical 0x1000000, outside poll's memory$" \
      send 'top' expect '^top: first figures in a second' \
      expect '^top: exits per second over the last [0-9]+ ms' expect '^  poll +cpu 1  [0-9]+/s' \
      type 'q' expect '^top: stopped after [1-9][0-9]* updates$' \
      send 'log' expect '^log: the last [0-9]+ bytes of hypervisor messages' \
      expect '^hv: guest poll starting on cpu 1 ' \
      send 'restart nosuch' expect "^restart: no guest named 'nosuch' \(guests lists them\)$" \
      send 'restart poll' expect '^restart: asked cpu 1 to restart guest poll$' \
      seen "^(hv> )?$rebooted" expect "^(hv> )?$restarted" \
      expect '^(hv> )?\[poll\] echo: ready \(interrupts\)' \
      send 'stop poll' expect '^stop: asked cpu 1 to stop guest poll$' \
      expect '^(hv> )?hv: guest poll cpu 1: stopped \(stopped by the hypervisor at the request of cpu 0 \(monitor: stop\)\)' \
      expect '^hv: all guests done: ' drain
    wait $qpid
  fi
  check_log $name "$log" "$start" \
    "^hv: using vmx$" "^$rip" "^$header" "^in use" "^top: stopped after [1-9][0-9]* updates$" \
    "^(hv> )?$rebooted" "^(hv> )?$restarted" \
    "^(hv> )?hv: guest poll cpu 1: stopped \(stopped by the hypervisor at the request of cpu 0 \(monitor: stop\)\) after 1 restart$" \
    "^hv: all guests done: 0 passed, 1 failed, 1 restart$" "!no answer from cpu" "!^serial_session: " "!CRASH"
}
