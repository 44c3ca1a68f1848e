#!/usr/bin/env bash
# build.sh BUILD OUT NAME CFG: the stand-in Linux kernels of entry.asm (a bzImage, a vmlinux
# ELF64, a bzImage without the 64-bit entry that the loader must refuse) and an initrd, on
# a boot image OUT/NAME.img with hv.cfg = CFG; prints the image's path. On failure no image
# is left behind, so the case cannot pass on a stale one.
set -euo pipefail
build=$1 out=$2 name=$3 cfg=$4
src=tests/emu/linux_entry
dir=$out/linux-entry
img=$out/$name.img
rm -f "$img"
mkdir -p "$dir"
nasm -f bin -DBZIMAGE -o "$dir/bzImage" $src/entry.asm
cp "$dir/bzImage" "$dir/bad-bzImage"
printf '\0\0' | dd of="$dir/bad-bzImage" bs=1 seek=$((0x236)) conv=notrunc status=none # xloadflags = 0
nasm -f elf64 -o "$dir/entry.o" $src/entry.asm
ld -m elf_x86_64 -nostdlib -static --build-id=none -z noexecstack -T $src/vmlinux.ld "$dir/entry.o" -o "$dir/vmlinux"
printf 'initrd for the linux-entry test\n' > "$dir/initrd"
scripts/mkimg.sh "$img" "$build/hv.efi" "$build"/guest/*.elf --cfg "$cfg" --dir linux-entry \
  --file "$dir/bzImage:linux-entry/bzImage" --file "$dir/vmlinux:linux-entry/vmlinux" \
  --file "$dir/bad-bzImage:linux-entry/bad-bzImage" --file "$dir/initrd:linux-entry/initrd" >/dev/null
echo "$img"
