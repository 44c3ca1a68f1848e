#!/usr/bin/env bash
# linux_img.sh BUILD_DIR IMAGE CFG [mkimg.sh options...]: a boot image for Linux guests: hv.efi,
# the guests of BUILD_DIR/guest/, CFG as hv.cfg, and the Debian kernel and initramfs of
# scripts/linux_fetch.sh (fetched and cached on first use) as \EFI\BOOT\linux\bzImage,
# \EFI\BOOT\linux\vmlinux and \EFI\BOOT\linux\initrd.cpio, which a config names as
# linux/bzImage, linux/vmlinux and linux/initrd.cpio. Used by make run-linux, make
# bench-linux and the Linux emulator tests. The image is 192 MiB (the vmlinux is 66 MB).
# LINUX_FROM=DIR takes the Linux files from DIR/linux/ instead of BUILD_DIR/linux/ (make
# bench-linux: the bench build shares the main build's download).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/linux_img.sh BUILD_DIR IMAGE CFG}; img=${2:?}; cfg=${3:?}; shift 3
from=${LINUX_FROM:-$build}
scripts/linux_fetch.sh "$from" >/dev/null
l=$from/linux
rm -f "$img"
scripts/mkimg.sh "$img" "$build/hv.efi" "$build"/guest/*.elf --cfg "$cfg" --size 192 --dir linux \
  --file "$l/bzImage:linux/bzImage" --file "$l/vmlinux:linux/vmlinux" \
  --file "$l/initrd.cpio:linux/initrd.cpio" "$@"
