#!/usr/bin/env bash
# mkimg.sh IMAGE HV.EFI [GUEST.ELF...] [--cfg FILE] [--file SRC:DEST]... [--dir DEST]... [--size MIB]
# A raw GPT disk image (64 MiB, or --size MiB: at least 64; the partition is 4 MiB less) with one FAT EFI system partition holding
# \EFI\BOOT\BOOTX64.EFI (hv.efi), the guests in \EFI\BOOT\guests\ and, with
# --cfg, \EFI\BOOT\hv.cfg; --dir makes a directory there (before the --file copies, which may go
# into it). Needs no root and no loop devices (sgdisk + mtools).
set -euo pipefail
img=$1; efi=$2; shift 2
guests=(); cfg=""; extra=(); dirs=(); size=64
while [ $# -gt 0 ]; do
  case $1 in
    --cfg) cfg=$2; shift 2 ;;
    --file) extra+=("$2"); shift 2 ;;
    --dir) dirs+=("$2"); shift 2 ;;
    --size) size=$2; shift 2 ;;
    *) guests+=("$1"); shift ;;
  esac
done
tmp=$img.tmp
rm -f "$tmp"
trap 'rm -f "$tmp"' EXIT # a failed build leaves nothing behind (tests/emu/lib.sh relies on it)
[[ $size =~ ^[0-9]+$ ]] && [ "$size" -ge 64 ] || { echo "mkimg.sh: --size $size: want MiB, at least 64" >&2; exit 2; }
truncate -s "${size}M" "$tmp"
sgdisk --clear -n 1:2048:+$((size - 4))M -t 1:ef00 -c 1:"EFI system" "$tmp" >/dev/null
part="$tmp@@1M"
mformat -i "$part" -F -T $(((size - 4) * 2048)) -v HVBOOT ::
mmd -i "$part" ::/EFI ::/EFI/BOOT ::/EFI/BOOT/guests
mcopy -i "$part" "$efi" ::/EFI/BOOT/BOOTX64.EFI
for g in "${guests[@]}"; do mcopy -i "$part" "$g" ::/EFI/BOOT/guests/; done
[ -n "$cfg" ] && mcopy -i "$part" "$cfg" ::/EFI/BOOT/hv.cfg
for d in "${dirs[@]}"; do mmd -i "$part" "::/EFI/BOOT/$d"; done
for f in "${extra[@]}"; do mcopy -i "$part" "${f%%:*}" "::/EFI/BOOT/${f#*:}"; done
mv "$tmp" "$img"
