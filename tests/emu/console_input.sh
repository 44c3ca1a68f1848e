# Sourced by tests/emu/run_all.sh (case console-input, QEMU TCG, SVM) and run_bochs.sh (case
# vmx-console-input, Bochs corei7_skylake_x, VMX): serial console input.
# console_input_case NAME [boot.sh options]
# The echo guest (guest/echo) interrupt-driven on cpu 0 and polled on cpu 2. The input
# focus starts on the hypervisor; Ctrl-A x3 moves it to irq, then poll, then the monitor,
# then irq again; each guest must echo only what was typed while it had the focus, a
# Ctrl-A Ctrl-A x that is no switch passes through, the receive interrupts must have come,
# and when irq has ended cpu 0 (no guest any more) still serves the console.
console_input_case() {
  local name=$1; shift
  selected $name || return 0
  local log=$out/$name.log start=$SECONDS sock=$out/$name.sock img
  rm -f "$log" "$sock"
  img=$(image_with_cfg $name tests/emu/cases/console-input.cfg)
  if [ -f "$img" ]; then
    # Bochs boots in minutes where QEMU takes seconds: its limits are longer.
    local run=280 step=90
    [[ " $* " == *" bochs "* ]] && run=900 step=400
    tests/emu/boot.sh --image "$img" --smp 3 --timeout $run --serial-socket "$sock" "$@" \
      >"$out/$name.emu.log" 2>&1 &
    local qpid=$!
    timeout $((run + 10)) python3 tests/emu/serial_session.py --socket "$sock" --log "$log" --timeout $step \
      seen '^\[irq\] echo: ready \(interrupts\)' seen '^\[poll\] echo: ready \(polling\)' \
      focus '^hv: input -> irq on cpu 0 ' \
      send 'hello-irq' expect "^\[irq\] echo: got 'hello-irq'$" \
      focus '^hv: input -> poll on cpu 2 ' \
      send 'hello-poll' expect "^\[poll\] echo: got 'hello-poll'$" \
      type '\x01\x01xy\r' expect "^\[poll\] echo: got '\.\.xy'$" \
      focus '^hv: input -> hypervisor monitor ' \
      send 'help' sleep 1 \
      focus '^hv: input -> irq on cpu 0 ' \
      send 'bye-irq' expect '^hv: guest irq cpu 0: passed' \
      focus '^hv: input -> poll on cpu 2 ' \
      send 'bye-poll' expect '^hv: all guests done: ' drain
    wait $qpid
  fi
  check_log $name "$log" "$start" \
    "^hv: console input: COM1 IRQ 4 -> GSI 4 " \
    "^\[irq\] echo: I/O APIC id 0x01000000 version 0x00170011$" \
    "^\[irq\] echo: got 'hello-irq'$" "^\[poll\] echo: got 'hello-poll'$" \
    "^\[poll\] echo: got '\.\.xy'$" "^\[irq\] echo: [1-9][0-9]* receive interrupts$" \
    "!^\[poll\] echo: got 'hello-irq'" "!^\[irq\] echo: got 'hello-poll'" \
    "!^\[irq\] echo: got 'help'" "!^\[poll\] echo: got 'help'" \
    "^\[poll\] echo: got 'bye-poll'$" "!has ended: input goes to the hypervisor" \
    "^hv: guest irq cpu 0: passed" "^hv: guest poll cpu 2: passed" \
    "^hv: all guests done: 2 passed, 0 failed$" "!^serial_session: " "!CRASH"
}
