#!/usr/bin/env bash
# make bench-linux: what booting a Debian kernel costs under hv, in exact figures.
# One Linux guest alone on one CPU under QEMU TCG with -icount shift=0,sleep=off, where the
# TSC counts executed instructions (../shared/PLATFORM.md), in the HV_BENCH build, whose end
# line "hv: guest NAME ran N TSC ticks" is the guest's run from its first VM entry to its
# end, hypervisor work included. Each kernel (vmlinux, bzImage) boots twice with
# scripts/linux_init.sh's poweroff_after=: 0 (power off right after the marker line) and 1
# (sleep one second first). Printed per kernel:
#   bench-linux: KERNEL boot: N instructions to the marker and power-off; exits: ...
#   bench-linux: KERNEL idle second: exits: ...; N TSC ticks   (the second run minus the first)
# A halted guest executes nothing: -icount moves the clock forward over it (sleep=off), so
# the idle second's ticks are virtual time (about 10^9), not instructions; the boot runs
# halt only about once.
# The loader adds tsc_early_khz= (the kernel's "Command line:" line shows the value used).
# Usage: tests/bench/linux_bench.sh BENCH_BUILD_DIR [LINUX_BUILD_DIR]   (the second holds linux/)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/bench}
from=${2:-$build}
status=0

# exits LOG: "total=N kind=N ..." from the guest's end line.
exits_of() {
  sed -nE 's/^hv: guest bench exits: ([0-9]+) total(.*)$/total=\1\2/p' "$1" | head -n 1
}
ticks_of() {
  sed -nE 's/^hv: guest bench ran ([0-9]+) TSC ticks$/\1/p' "$1" | head -n 1
}
# diff_exits A B: B minus A, kind by kind (kinds only in B count from 0).
diff_exits() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    n = split(a, x, " "); for (i = 1; i <= n; i++) { split(x[i], kv, "="); va[kv[1]] = kv[2] }
    n = split(b, y, " "); out = ""
    for (i = 1; i <= n; i++) { split(y[i], kv, "="); d = kv[2] - va[kv[1]]; if (d) out = out " " kv[1] "=" d }
    print substr(out, 2) }'
}

run() { # KERNEL AFTER -> sets log
  local kernel=$1 after=$2 cfg=$build/linux-bench-$1-$2.cfg img=$build/linux-bench.img
  log=$build/linux-bench-$1-$2.log
  printf '[guest bench]\ncpu = 0\nmemory = 256M\nkernel = linux/%s\nmodule = linux/initrd.cpio\ncmdline = console=ttyS0 tag=bench nokaslr poweroff_after=%s\n' \
    "$kernel" "$after" >"$cfg"
  rm -f "$log"
  if ! LINUX_FROM=$from scripts/linux_img.sh "$build" "$img" "$cfg" >/dev/null; then
    echo "bench-linux: building the image failed" >&2; status=1; return 1
  fi
  tests/emu/boot.sh --image "$img" --smp 1 --mem 1024 --icount --timeout 900 --log "$log" >/dev/null 2>&1
  if ! grep -aqE '^\[bench\] LINUX-GUEST-READY bench ' "$log" ||
     ! grep -aqE '^hv: guest bench cpu 0: powered off' "$log" || [ -z "$(ticks_of "$log")" ]; then
    echo "bench-linux: $kernel poweroff_after=$after: no marker, power-off or TSC figure, see $log" >&2
    status=1; return 1
  fi
}

for kernel in vmlinux bzImage; do
  run $kernel 0 || continue
  boot_ticks=$(ticks_of "$log") boot_exits=$(exits_of "$log")
  khz=$(grep -aoE 'tsc_early_khz=[0-9]+' "$log" | head -n 1)
  echo "bench-linux: $kernel boot: $boot_ticks instructions to the marker and power-off; exits: $boot_exits (${khz:-no tsc_early_khz})"
  run $kernel 1 || continue
  idle_ticks=$(ticks_of "$log") idle_exits=$(exits_of "$log")
  echo "bench-linux: $kernel idle second: exits: $(diff_exits "$boot_exits" "$idle_exits"); $((idle_ticks - boot_ticks)) TSC ticks"
done
exit $status
