#!/usr/bin/env bash
# boot.sh --image IMG [--emu qemu|bochs] [--smp N | N,sockets=S,cores=C,threads=T (QEMU)] [--timeout S] [--log FILE] [--interactive]
#         [--bochs-cpu MODEL] [--icount] [--media disk|usb|pxe] [--efi HV.EFI] [--mem MIB]
#         [--serial-socket PATH] [--pxe DIR [--pxe-boot FILE]] [--com2-tcp PORT]
# --media usb attaches the image as a USB stick (xHCI); --media pxe boots --efi over the
# network from QEMU's built-in TFTP server (the image is then not used). --pxe DIR serves
# DIR as that server's root instead and boots FILE in it (--pxe-boot FILE, default hv.efi:
# the DHCP reply's boot file name).
# Boots a disk image under QEMU (TCG, or KVM when /dev/kvm can nest) with OVMF, or under
# Bochs 2.7 with OVMF, serial console on stdout. --interactive (make run) sets no time
# limit unless --timeout is given (tests always give one). Exits 0 only when the run printed
# "hv: all guests done: N passed, 0 failed" (the emulator's own status is not trusted).
# --serial-socket PATH: COM1 is served on that UNIX socket instead of stdout, and QEMU (Bochs:
# a TCP server joined to it by tests/emu/serial_bridge.py)
# waits for a client before it starts (tests/emu/serial_session.py types into it and logs
# it); the exit status is then QEMU's (the client's log is the one to check).
# --com2-tcp PORT: COM2 (0x2F8, IRQ 3: the gdb stub's port) on TCP 127.0.0.1:PORT, which
# QEMU serves without waiting for a client: gdb connects with 'target remote 127.0.0.1:PORT'.
# Bochs: COM2 is a TCP server that would hold the boot until a client came, so
# tests/emu/com2_relay.py connects to it at once and serves PORT (clients one after another).
set -uo pipefail
media=disk; efi=""; pxe_dir=""; pxe_boot=hv.efi; emu=qemu; smp=4; image=""; tmo=""; log=""; interactive=0; bochs_cpu=corei7_skylake_x; icount=0; mem=1024; sock=""; com2=""
while [ $# -gt 0 ]; do
  case $1 in
    --image) image=$2; shift 2 ;;
    --emu) emu=$2; shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --timeout) tmo=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --interactive) interactive=1; shift ;;
    --bochs-cpu) bochs_cpu=$2; shift 2 ;;
    --icount) icount=1; shift ;;
    --mem) mem=$2; shift 2 ;;
    --media) media=$2; shift 2 ;;
    --efi) efi=$2; shift 2 ;;
    --pxe) pxe_dir=$2; media=pxe; shift 2 ;;
    --pxe-boot) pxe_boot=$2; shift 2 ;;
    --serial-socket) sock=$2; shift 2 ;;
    --com2-tcp) com2=$2; shift 2 ;;
    *) echo "boot.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -z "$tmo" ] && { [ $interactive = 1 ] && tmo=0 || tmo=300; } # timeout 0: no limit
if [ -n "$pxe_dir" ]; then
  [ -f "$pxe_dir/$pxe_boot" ] || { echo "boot.sh: no '$pxe_boot' in the PXE tree '$pxe_dir'" >&2; exit 2; }
elif [ "$media" = pxe ]; then
  [ -f "$efi" ] || { echo "boot.sh: --media pxe needs --efi FILE (or --pxe DIR)" >&2; exit 2; }
else
  [ -f "$image" ] || { echo "boot.sh: no image '$image' (run make)" >&2; exit 2; }
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "$log" ] || log=$work/serial.log

free_port() { # a TCP port on 127.0.0.1 that is free now (the kernel picks it)
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

kvm_can_nest() {
  [ -w /dev/kvm ] || return 1
  grep -qsx 'Y\|1' /sys/module/kvm_amd/parameters/nested /sys/module/kvm_intel/parameters/nested
}

run_qemu() {
  local ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
  cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"
  local accel=(-accel tcg -cpu max)
  if [ $icount = 0 ] && kvm_can_nest; then accel=(-accel kvm -cpu host); fi
  [ $icount = 1 ] && accel=(-accel tcg -cpu max -icount shift=0,sleep=off)
  local boot_dev=() serial=(-serial stdio)
  [ -n "$sock" ] && serial=(-serial "unix:$sock,server=on,wait=on")
  [ -n "$com2" ] && serial+=(-serial "tcp:127.0.0.1:$com2,server=on,wait=off")
  case $media in
    disk) boot_dev=(-drive format=raw,file="$image",if=ide -net none) ;;
    usb) boot_dev=(-device qemu-xhci -drive if=none,id=stick,format=raw,file="$image"
                   -device usb-storage,drive=stick -net none) ;;
    pxe) local root=${pxe_dir:+$(realpath "$pxe_dir")}
         [ -n "$root" ] || { root=$work/tftp; mkdir -p "$root"; cp "$efi" "$root/hv.efi"; }
         boot_dev=(-netdev user,id=n0,tftp="$root",bootfile="$pxe_boot"
                   -device virtio-net-pci,romfile=,netdev=n0) ;;
    *) echo "boot.sh: unknown media $media" >&2; exit 2 ;;
  esac
  timeout --foreground "$tmo" qemu-system-x86_64 -machine q35 "${accel[@]}" -smp "$smp" -m "$mem" \
    -drive if=pflash,format=raw,readonly=on,file=$ovmf_code \
    -drive if=pflash,format=raw,file="$work/vars.fd" \
    "${boot_dev[@]}" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -display none "${serial[@]}" -no-reboot
}

# Bochs 2.7 (see ../shared/PLATFORM.md): OVMF.fd as the ROM, the image as an ATA disk (the
# GPT + FAT image of scripts/mkimg.sh boots as it is), COM1 into a file that is followed
# while Bochs runs. It is a debugger build: the rc file continues, then quits. Bochs ends with
# status 1 on an ACPI power-off, so only the printed result counts. Bochs's own log is kept
# beside the serial log as LOG.bochs for diagnosing VM-entry failures.
run_bochs() {
  cp "$image" "$work/disk.img"
  rm -f "$work/disk.img.lock"
  # OVMF reads MSR 0x17 (PLATFORM_ID), which Bochs's Intel models lack unless defined here.
  printf '017 1 00000000 00000000 00000000 00000000 00000000 00000000\n' >"$work/msrs.txt"
  local ignore=0
  # No sound: with no ALSA card, Debian's Bochs aborts while loading its ALSA plugin
  # ("buffer overflow detected"), so the speaker is off and every sound driver a dummy.
  # On the AMD models OVMF reads MSR 0xC0010131, which an MSR file cannot define.
  case $bochs_cpu in ryzen|zambezi|trinity_apu|phenom_8650_toliman) ignore=1 ;; esac
  local cyl=$(( $(stat -c %s "$work/disk.img") / (16 * 63 * 512) ))
  # --serial-socket: COM1 is a TCP server Bochs waits on before it starts, joined to the UNIX
  # socket by tests/emu/serial_bridge.py (the client's log is the one to check).
  local com1="com1: enabled=1, mode=file, dev=$work/com1.txt" bridge=""
  if [ -n "$sock" ]; then
    local port
    port=$(free_port)
    com1="com1: enabled=1, mode=socket-server, dev=127.0.0.1:$port"
    python3 tests/emu/serial_bridge.py "$sock" "127.0.0.1:$port" &
    bridge=$!
  fi
  local com2_line="" relay=""
  if [ -n "$com2" ]; then
    local c2port
    c2port=$(free_port)
    com2_line="com2: enabled=1, mode=socket-server, dev=127.0.0.1:$c2port"
    python3 tests/emu/com2_relay.py "$com2" "127.0.0.1:$c2port" &
    relay=$!
  fi
  cat >"$work/bochsrc" <<EOC
megs: $mem
romimage: file=/usr/share/ovmf/OVMF.fd
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=$bochs_cpu, count=$smp, ips=100000000, reset_on_triple_fault=0, ignore_bad_msrs=$ignore, msrs="$work/msrs.txt"
pci: enabled=1, chipset=i440fx
ata0-master: type=disk, path="$work/disk.img", mode=flat, cylinders=$cyl, heads=16, spt=63
boot: disk
$com1
$com2_line
port_e9_hack: enabled=1
magic_break: enabled=1
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
display_library: rfb, options="timeout=0"
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
EOC
  printf 'c\nq\n' >"$work/rc"
  : >"$work/com1.txt"
  timeout --foreground "$tmo" bochs -q -f "$work/bochsrc" -rc "$work/rc" </dev/null >"$work/bochs.out" 2>&1 &
  local pid=$!
  tail -n +1 -f "$work/com1.txt" --pid=$pid 2>/dev/null &
  local tailpid=$!
  wait $pid
  local rc=$?
  wait $tailpid 2>/dev/null
  # A power-off can cut the last newline off in the UART: end the log with one.
  [ -s "$work/com1.txt" ] && [ -n "$(tail -c 1 "$work/com1.txt")" ] && echo
  cat "$work/bochs.log" "$work/bochs.out" >"$log.bochs" 2>/dev/null # Bochs's log, then its console
  [ -n "$bridge" ] && kill "$bridge" 2>/dev/null
  [ -n "$relay" ] && kill "$relay" 2>/dev/null
  return $rc
}

if [ -n "$sock" ]; then
  if [ $emu = bochs ]; then run_bochs; else run_qemu; fi
  exit $?
fi
# Interactive: what arrives is shown at once (tr would otherwise hold it back in its buffer);
# with --com2-tcp the log is followed while the run goes on (the gdb case waits on it).
unbuf=(); { [ $interactive = 1 ] || [ -n "$com2" ]; } && unbuf=(stdbuf -o0)
if [ $emu = bochs ]; then
  run_bochs | "${unbuf[@]}" tr -d '\r' | tee "$log"
else
  run_qemu | "${unbuf[@]}" tr -d '\r' | tee "$log"
fi
status=${PIPESTATUS[0]}
[ $status = 124 ] && echo "boot.sh: timed out after ${tmo}s" >&2
if grep -qE '^hv: all guests done: [0-9]+ passed, 0 failed' "$log"; then
  exit 0
fi
exit 1
