#!/usr/bin/env bash
# Installs the Debian packages the build, `make run` and `make test` need, if any are missing.
# Usage: scripts/deps.sh [build|run|bochs|fuzz|linux|acpi|all]
set -euo pipefail
want=(gcc make binutils nasm gnu-efi mtools gdisk dosfstools)
case "${1:-all}" in
  build) ;;
  run) want+=(qemu-system-x86 ovmf) ;;
  bochs) want+=(bochs bochsbios vgabios ovmf) ;;
  # clang with libFuzzer and the sanitizer runtimes: make fuzz, make fuzz-replay (tests/fuzz/)
  fuzz) want+=(clang libclang-rt-14-dev) ;;
  # xz-utils and python3: scripts/linux_fetch.sh (make run-linux, bench-linux, the Linux tests)
  linux) want+=(qemu-system-x86 ovmf xz-utils python3) ;;
  # acpica-tools (iasl): make unit reads the guests' ACPI tables back with ACPICA
  # (tests/host/acpi_iasl.sh)
  acpi) want+=(acpica-tools) ;;
  # gdb and python3: tests/bench/exit_promise.sh (make test); clang: the fuzz corpora replay;
  # xz-utils: the Linux tests; acpica-tools: make unit
  all) want+=(qemu-system-x86 ovmf bochs bochsbios vgabios gdb python3 clang libclang-rt-14-dev xz-utils acpica-tools) ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
