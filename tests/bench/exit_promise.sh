#!/usr/bin/env bash
# The exit-path promise (README, "Design notes: the exit path"; issue 15): no hot exit kind
# (CPUID, hypercall, port I/O) executes an MSR access, XSAVE/XRSTOR, VMSAVE/VMLOAD or a
# host-state VMWRITE, and the bench guest's own figures are there and consistent.
#   static-svm, static-vmx  hot_path_insns.py on BUILD/hv.so (the product build): the hot
#                           path's code and everything it can reach (VMX: only Bochs runs it)
#   dynamic-svm             the bench guest (BUILD/bench, HV_BENCH) under QEMU TCG
#                           -icount shift=5 (the TSC counts 32 per instruction) with gdb on
#                           QEMU's gdbstub: hot_path_gdb.py breaks on every such instruction
#                           of hv.so while the guest runs its timed hot loops
#   bench-guest             that run's guest passed its own checks (guest/bench/checks.c)
# Usage: BUILD=build-x tests/bench/exit_promise.sh [FILTER]   (needs `make all` and the bench
#   build: make BUILD=build-x/bench HV_EXTRA_CFLAGS=-DHV_BENCH all). FILTER runs only the
#   checks whose name contains it: "static" (no emulator, a second), "svm", "vmx", "dynamic"
#   or "bench-guest" (these two are one QEMU run). Prints "exit-promise: N passed, M failed";
#   exits non-zero on a failure. Takes about 20 s.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
bench=$build/bench
out=$build/promise
mkdir -p "$out"
filter=${1:-}
passed=0; failed=0
selected() { [ -z "$filter" ] || [[ $1 == *$filter* ]]; }
verdict() { # NAME OK(0/1) START DETAIL-FILE
  if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   $1 ($((SECONDS - $3))s)"
  else failed=$((failed + 1)); echo "FAIL $1 ($((SECONDS - $3))s)"; fi
  [ -s "$4" ] && sed 's/^/     /' "$4"
}

start=$SECONDS
for be in svm vmx; do
  selected "static-$be" || continue
  s=$SECONDS
  if [ -f "$build/hv.so" ]; then
    python3 tests/bench/hot_path_insns.py "$build/hv.so" $be >"$out/static-$be.log" 2>&1
    rc=$?
    sed -E 's/^(ok   |FAIL )static-[a-z]+: //' "$out/static-$be.log" >"$out/static-$be.txt"
  else
    echo "no $build/hv.so (run make BUILD=$build all)" >"$out/static-$be.txt"; rc=1
  fi
  verdict "static-$be" $rc $s "$out/static-$be.txt"
done

if ! selected dynamic-svm && ! selected bench-guest; then
  echo "exit-promise: $passed passed, $failed failed ($((SECONDS - start))s)"
  [ $((passed + failed)) -gt 0 ] && [ $failed -eq 0 ]; exit
fi
s=$SECONDS
log=$out/dynamic-svm.log res=$out/dynamic-svm.txt sock=$out/gdb.sock
rm -f "$log" "$res" "$sock" "$out/promise.img"
begin=$(nm "$bench/guest/bench.elf" 2>/dev/null | awk '$3 == "hot_window_begin" {print "0x" $1}')
end=$(nm "$bench/guest/bench.elf" 2>/dev/null | awk '$3 == "hot_window_end" {print "0x" $1}')
if [ -z "$begin" ] || [ -z "$end" ] || [ ! -f "$bench/hv.so" ]; then
  echo "no bench build in $bench (make BUILD=$bench HV_EXTRA_CFLAGS=-DHV_BENCH all)" >"$res"
  verdict dynamic-svm 1 $s "$res"
  verdict bench-guest 1 $s /dev/null
elif ! scripts/mkimg.sh "$out/promise.img" "$bench/hv.efi" --cfg tests/bench/promise.cfg >"$out/mkimg.log" 2>&1; then
  echo "scripts/mkimg.sh failed: $(tail -n 1 "$out/mkimg.log")" >"$res"
  verdict dynamic-svm 1 $s "$res"
  verdict bench-guest 1 $s /dev/null
else
  cp /usr/share/OVMF/OVMF_VARS_4M.fd "$out/vars.fd"
  # -S: the CPU waits for gdb. The gdbstub listens on a Unix socket (no port to collide).
  timeout 150 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -icount shift=5,sleep=off \
    -smp 1 -m 1024 -display none -no-reboot -net none \
    -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
    -drive if=pflash,format=raw,file="$out/vars.fd" \
    -drive format=raw,file="$out/promise.img",if=ide \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:"$log" \
    -chardev socket,id=gdb0,path="$sock",server=on,wait=off -gdb chardev:gdb0 -S \
    >"$out/qemu.out" 2>&1 &
  qpid=$!
  trap 'kill $qpid 2>/dev/null' EXIT
  for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
  PROMISE_SOCK=$sock PROMISE_HV_SO=$bench/hv.so PROMISE_SERIAL=$log PROMISE_BEGIN=$begin \
    PROMISE_END=$end PROMISE_WINDOWS=3 PROMISE_OUT=$res PROMISE_DIR=$PWD/tests/bench \
    timeout 140 gdb -batch -nx -x tests/bench/hot_path_gdb.py >"$out/gdb.out" 2>&1
  [ -s "$res" ] || echo "gdb ended without a result (timed out?): see $out/gdb.out" >"$res"
  # gdb detached: the guest runs to its end (a few seconds) unless it hangs.
  for _ in $(seq 300); do kill -0 $qpid 2>/dev/null || break; sleep 0.1; done
  kill $qpid 2>/dev/null
  wait $qpid
  tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
  grep -q '^verdict: pass$' "$res"; rc=$?
  grep -v '^verdict:' "$res" >"$res.show"
  verdict dynamic-svm $rc $s "$res.show"
  # The guest's own checks, and every figure the bench prints for QEMU.
  missing=()
  for pat in '^\[bench\] bench: checks: all [0-9]+ passed$' '^hv: guest bench cpu 0: passed' \
             '^\[bench\] bench: floor [1-9]' '^\[bench\] bench: cpuid [1-9][0-9]* instr/exit msr=0 xsave=0 vmsave=0 vmload=0 ' \
             '^\[bench\] bench: hypercall [1-9][0-9]* instr/exit msr=0 xsave=0 vmsave=0 vmload=0 ' \
             '^\[bench\] bench: io [1-9][0-9]* instr/exit msr=0 xsave=0 vmsave=0 vmload=0 ' \
             '^\[bench\] bench: rdmsr [1-9]'; do
    grep -aqE -- "$pat" "$log" || missing+=("missing: $pat")
  done
  grep -aE '^\[bench\] bench: (FAIL|checks:)' "$log" >"$out/guest.txt"
  [ ${#missing[@]} -gt 0 ] && printf '%s\n' "${missing[@]}" "log: $log" >>"$out/guest.txt"
  verdict bench-guest ${#missing[@]} $s "$out/guest.txt"
fi
echo "exit-promise: $passed passed, $failed failed ($((SECONDS - start))s)"
[ $failed -eq 0 ]
