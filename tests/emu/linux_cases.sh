# The Linux guest cases (issue 12; README "Running Linux in a partition"), sourced by the
# runners after lib.sh: tests/emu/run_all.sh (QEMU: linux_qemu_case) and tests/emu/run_bochs.sh
# (Bochs: linux_bochs_case, in make test-slow). The Debian kernel and initramfs come from
# scripts/linux_fetch.sh (cached in $build/linux/).

# The line the console prints when the input focus moves (hv/console_input.c), up to the
# name of the guest that has it.
LINUX_FOCUS_RE='^hv: input -> '

# linux_image NAME CFG -> an image with CFG as hv.cfg and the Linux files (scripts/linux_img.sh).
# The old image goes first, so a failed build cannot boot a stale one.
linux_image() {
  local img=$out/$1.img
  rm -f "$img"
  scripts/linux_img.sh "$build" "$img" "$2" >"$out/$1.img.log" 2>&1 ||
    { rm -f "$img"; echo "linux_image: building $img failed, see $out/$1.img.log" >&2; }
  echo "$img"
}

# loc_grows GUEST LOG: GUEST's /proc/interrupts was read twice and its local APIC timer count
# (the LOC line) grew between the two reads.
loc_grows() {
  local counts
  counts=$(sed -nE "s/^\[$1\] LOC: +([0-9]+) .*/\1/p" "$2" | tr '\n' ' ')
  set -- $counts
  [ $# -eq 2 ] || { echo "$# LOC lines, want 2 (${counts:-none})"; return 1; }
  [ "$2" -gt "$1" ] || { echo "the local timer did not count: LOC $1, then $2"; return 1; }
}

# Two Debian kernels, a bzImage (linux-a, cpu 1) and a vmlinux (linux-b, cpu 2), beside the
# self-test guest (cpu 0), on 4 CPUs: the README's example config. Both boot to their marker
# while the self-test guest passes; then the test types into linux-a over COM1 (taking the
# input focus with Ctrl-A three times): uname -r, the local timer counting in
# /proc/interrupts, `time sleep 1` taking about one second of guest time, and poweroff -f,
# which ends only linux-a (powered off); linux-b still answers, finds its real-time clock
# through the DSDT's PNP0B00 device (rtc_cmos, /sys/class/rtc/rtc0), then powers off too.
# tests/emu/serial_session.py types and logs; its steps must all succeed (a failed one
# leaves a "serial_session:" line in the log).
linux_qemu_case() {
  local name=linux-qemu
  selected $name || return 0
  local log=$out/$name.log start=$SECONDS sock=$out/$name.sock img rel
  rm -f "$log" "$sock"
  # LINUX_QEMU_CFG: another config for a deliberate breakage (checking that the case can fail).
  img=$(linux_image $name "${LINUX_QEMU_CFG:-tests/emu/cases/linux.cfg}")
  rel=$(cat "$build/linux/release" 2>/dev/null || echo "(no release file)")
  if [ -f "$img" ]; then
    tests/emu/boot.sh --image "$img" --smp 4 --mem 2048 --timeout 600 --serial-socket "$sock" \
      >"$out/$name.qemu.log" 2>&1 &
    local qpid=$!
    timeout 620 python3 tests/emu/serial_session.py --socket "$sock" --log "$log" --timeout 300 \
      seen '^\[linux-a\] LINUX-GUEST-READY linux-a ' seen '^\[linux-b\] LINUX-GUEST-READY linux-b ' \
      timeout 60 \
      focus "${LINUX_FOCUS_RE}linux-a on cpu 1 " \
      send 'uname -r; echo END-$((1+1))' expect '^\[linux-a\] END-2$' \
      send 'cat /proc/interrupts; echo END-$((2+1))' expect '^\[linux-a\] END-3$' \
      send 'time sleep 1; echo END-$((3+1))' expect '^\[linux-a\] END-4$' \
      send 'cat /proc/interrupts; echo END-$((4+1))' expect '^\[linux-a\] END-5$' \
      send 'poweroff -f' seen '^hv: guest linux-a cpu 1: powered off' \
      focus "${LINUX_FOCUS_RE}linux-b on cpu 2 " \
      send 'uname -n; echo END-$((5+1))' expect '^\[linux-b\] END-6$' \
      send 'cat /sys/class/rtc/rtc0/name /sys/class/rtc/rtc0/date; echo END-$((6+1))' \
      expect '^\[linux-b\] END-7$' \
      send 'poweroff -f' expect '^hv: all guests done: ' drain >"$out/$name.steps"
    # A failed step leaves the emulator running: end it (boot.sh's child, timeout, passes
    # the signal on to QEMU).
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $qpid 2>/dev/null && sleep 0.5; done
    kill -0 $qpid 2>/dev/null && pkill -TERM -P $qpid
    wait $qpid
  fi
  check_log $name "$log" "$start" \
    "^\[linux-a\] LINUX-GUEST-READY linux-a $rel$" "^\[linux-b\] LINUX-GUEST-READY linux-b $rel$" \
    "^hv: guest selftest cpu 0: passed" \
    "^\[linux-a\] $rel$" "@loc_grows linux-a" \
    "^\[linux-a\] real[[:space:]]+0m 1\.[01][0-9]s$" \
    "^hv: guest linux-a cpu 1: powered off" "^\[linux-b\] linux-b$" \
    "^\[linux-b\] rtc_cmos( |$)" "^\[linux-b\] 20[0-9][0-9]-[01][0-9]-[0-3][0-9]$" "!rtc_cmos: probe of" \
    "^hv: guest linux-b cpu 2: powered off" "^hv: all guests done: 3 passed, 0 failed$" \
    "!^serial_session: " "!unchecked MSR access error" "!CRASH"
}

# Bochs corei7_skylake_x (Intel VMX): one vmlinux guest boots to its marker and powers itself
# off (poweroff_after=0, scripts/linux_init.sh). Slow: make test-slow.
linux_bochs_case() {
  local name=linux-vmx
  selected $name || return 0
  local log=$out/$name.log start=$SECONDS img rel
  rm -f "$log" "$log.bochs"
  img=$(linux_image $name tests/emu/cases/linux-bochs.cfg)
  rel=$(cat "$build/linux/release" 2>/dev/null || echo "(no release file)")
  tests/emu/boot.sh --emu bochs --bochs-cpu corei7_skylake_x --image "$img" --smp 1 --mem 512 \
    --timeout "${LINUX_BOCHS_TIMEOUT:-1200}" --log "$log" >/dev/null 2>&1
  check_log $name "$log" "$start" "^hv: using vmx$" \
    "^\[linux\] LINUX-GUEST-READY linux $rel$" "^hv: guest linux cpu 0: powered off" \
    "^hv: all guests done: 1 passed, 0 failed$" "!CRASH"
}
