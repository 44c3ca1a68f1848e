#!/usr/bin/env bash
# linux_fetch.sh BUILD_DIR: the Debian kernel and initramfs that make run-linux, the Linux
# emulator tests and make bench-linux boot, cached in BUILD_DIR/linux/ (never committed):
#   BUILD_DIR/linux/bzImage     the Debian kernel as packaged (linux-image-amd64's 6.1 kernel)
#   BUILD_DIR/linux/vmlinux     the same kernel uncompressed (ELF64), cut out of the bzImage
#   BUILD_DIR/linux/initrd.cpio busybox-static + scripts/linux_init.sh as /init (cpio newc)
#   BUILD_DIR/linux/release     the kernel release (uname -r)
# The packages are fetched with apt-get download (no root needed for that: nothing is
# installed) into BUILD_DIR/linux/deb/ and unpacked with dpkg-deb -x. A later run reuses
# what is there; the initramfs is rebuilt when its /init or builder changed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/linux_fetch.sh BUILD_DIR}
dir=$build/linux
mkdir -p "$dir/deb"
die() { echo "linux_fetch: $*" >&2; exit 1; }
for t in apt-get dpkg-deb xz readelf python3; do
  command -v $t >/dev/null || die "needs $t (scripts/deps.sh linux installs it)"
done

# ---- the packages ----------------------------------------------------------------------
# The kernel package is the one linux-image-amd64 depends on (linux-image-6.1.*-amd64).
kdeb=$(ls "$dir"/deb/linux-image-6.1.*-amd64_*.deb 2>/dev/null | grep -v unsigned | head -n 1 || true)
bdeb=$(ls "$dir"/deb/busybox-static_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$kdeb" ] || [ -z "$bdeb" ]; then
  kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -nE 's/^ *Depends: (linux-image-6\.1\.[^ ]*-amd64)$/\1/p' | head -n 1)
  if [ -z "$kpkg" ]; then # no package lists yet
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    kpkg=$(apt-cache depends linux-image-amd64 | sed -nE 's/^ *Depends: (linux-image-6\.1\.[^ ]*-amd64)$/\1/p' | head -n 1)
  fi
  [ -n "$kpkg" ] || die "apt-cache finds no linux-image-6.1.*-amd64 that linux-image-amd64 depends on"
  echo "linux_fetch: downloading $kpkg busybox-static into $dir/deb"
  (cd "$dir/deb" && apt-get download -q "$kpkg" busybox-static 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  kdeb=$(ls "$dir"/deb/"$kpkg"_*.deb 2>/dev/null | head -n 1 || true)
  bdeb=$(ls "$dir"/deb/busybox-static_*.deb 2>/dev/null | head -n 1 || true)
  [ -n "$kdeb" ] && [ -n "$bdeb" ] || die "apt-get download of $kpkg busybox-static failed"
fi

# ---- the kernel: bzImage and vmlinux -----------------------------------------------------
if [ ! -s "$dir/bzImage" ] || [ ! -s "$dir/vmlinux" ] || [ "$kdeb" -nt "$dir/vmlinux" ]; then
  rm -rf "$dir/kpkg" "$dir/bzImage" "$dir/vmlinux" "$dir/release"
  dpkg-deb -x "$kdeb" "$dir/kpkg"
  vmlinuz=$(ls "$dir"/kpkg/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
  [ -f "$vmlinuz" ] || die "$kdeb holds no boot/vmlinuz-*"
  release=${vmlinuz##*/vmlinuz-}
  # The payload is one XZ stream (magic FD 37 7A 58 5A 00) followed by other data: decompress
  # from the first magic, stopping at the end of that stream.
  off=$(LC_ALL=C grep -obUaP '\xfd\x37\x7a\x58\x5a\x00' "$vmlinuz" | head -n 1 | cut -d: -f1 || true)
  [ -n "$off" ] || die "no XZ stream in $vmlinuz"
  tail -c +$((off + 1)) "$vmlinuz" >"$dir/payload.xz"
  xz -dc --single-stream "$dir/payload.xz" >"$dir/vmlinux.tmp" ||
    die "decompressing the XZ stream at offset $off of $vmlinuz failed"
  rm -f "$dir/payload.xz"
  readelf -h "$dir/vmlinux.tmp" 2>/dev/null | grep -qE 'Class:[[:space:]]+ELF64' ||
    die "what the XZ stream of $vmlinuz holds is not an ELF64 file"
  cp "$vmlinuz" "$dir/bzImage"
  mv "$dir/vmlinux.tmp" "$dir/vmlinux"
  echo "$release" >"$dir/release"
  rm -rf "$dir/kpkg"
fi

# ---- the initramfs -------------------------------------------------------------------------
if [ ! -s "$dir/initrd.cpio" ] || [ "$bdeb" -nt "$dir/initrd.cpio" ] ||
   [ scripts/linux_init.sh -nt "$dir/initrd.cpio" ] || [ scripts/linux_cpio.py -nt "$dir/initrd.cpio" ]; then
  rm -rf "$dir/bpkg"
  dpkg-deb -x "$bdeb" "$dir/bpkg"
  [ -x "$dir/bpkg/bin/busybox" ] || die "$bdeb holds no bin/busybox"
  python3 scripts/linux_cpio.py "$dir/initrd.cpio.tmp" "$dir/bpkg/bin/busybox" scripts/linux_init.sh
  mv "$dir/initrd.cpio.tmp" "$dir/initrd.cpio"
  rm -rf "$dir/bpkg"
fi
echo "linux_fetch: $(cat "$dir/release"): $dir/bzImage $dir/vmlinux $dir/initrd.cpio"
