#!/usr/bin/env bash
# mkpxe.sh DIR HV.EFI [GUEST.ELF...] [--cfg FILE] [--file SRC:DEST]... [--boot-dir SUB]
# A TFTP root for network boot (README "Booting over the network (PXE)"): DIR/SUB/hv.efi,
# the guests in DIR/SUB/guests/ and, with --cfg, DIR/SUB/hv.cfg; --file copies SRC to
# DIR/SUB/DEST. The DHCP boot file name is then SUB/hv.efi (just hv.efi without --boot-dir),
# and hv.efi reads hv.cfg and the guests relative to SUB/. Nothing already in DIR is removed.
set -euo pipefail
dir=$1; efi=$2; shift 2
guests=(); cfg=""; extra=(); sub=""
while [ $# -gt 0 ]; do
  case $1 in
    --cfg) cfg=$2; shift 2 ;;
    --file) extra+=("$2"); shift 2 ;;
    --boot-dir) sub=$2; shift 2 ;;
    *) guests+=("$1"); shift ;;
  esac
done
[ -n "$dir" ] && [ "$dir" != / ] || { echo "mkpxe.sh: bad tree directory '$dir'" >&2; exit 2; }
top=$dir${sub:+/$sub}
mkdir -p "$top/guests"
cp "$efi" "$top/hv.efi"
for g in "${guests[@]}"; do cp "$g" "$top/guests/"; done
[ -z "$cfg" ] || cp "$cfg" "$top/hv.cfg"
for f in "${extra[@]}"; do mkdir -p "$(dirname "$top/${f#*:}")"; cp "${f%%:*}" "$top/${f#*:}"; done
