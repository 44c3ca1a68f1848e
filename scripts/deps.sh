#!/usr/bin/env bash
# Installs the Debian packages the build, `make run` and `make test` need, if any are missing.
# Usage: scripts/deps.sh [build|run|bochs|all]
set -euo pipefail
want=(gcc make binutils nasm gnu-efi mtools gdisk dosfstools)
case "${1:-all}" in
  build) ;;
  run) want+=(qemu-system-x86 ovmf) ;;
  bochs) want+=(bochs bochsbios vgabios ovmf) ;;
  # gdb and python3: tests/bench/exit_promise.sh (make test)
  all) want+=(qemu-system-x86 ovmf bochs bochsbios vgabios gdb python3) ;;
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
