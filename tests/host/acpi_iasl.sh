#!/usr/bin/env bash
# The guest's ACPI tables (hv/guest_acpi.c) through ACPICA, a reader that is not ours:
# tests/host/test_guest_acpi.c writes them to DIR/{ioapic,no-ioapic}/*.dat and runs this.
# For each: `iasl -d` disassembles every table without a checksum complaint; the FADT, MADT
# and DSDT say what the platform promises; the DSDT's ASL compiles back (iasl -oa: no
# optimizations) to the very AML bytes we wrote. Exit 0 only if everything holds; never
# skips: without iasl it fails and says how to install it (scripts/deps.sh installs
# acpica-tools for make unit).
set -uo pipefail
dir=${1:?usage: acpi_iasl.sh DIR}
if ! command -v iasl >/dev/null; then
  echo "acpi_iasl: FAIL: iasl not found (Debian package acpica-tools: scripts/deps.sh acpi)"
  exit 1
fi
fails=0
fail() { echo "acpi_iasl: FAIL: $*"; fails=$((fails + 1)); }
has() { grep -Eq -- "$2" "$1" || fail "$1: no line matching '$2'"; }
hasnt() { ! grep -Eq -- "$2" "$1" || fail "$1: a line matches '$2'"; }

for v in ioapic no-ioapic; do
  d=$dir/$v
  for t in xsdt facp apic dsdt; do
    [ -s "$d/$t.dat" ] || { fail "$d/$t.dat missing"; continue; }
    (cd "$d" && iasl -d "$t.dat" >"$t.iasl.log" 2>&1) || fail "iasl -d $d/$t.dat (log: $d/$t.iasl.log)"
    [ -s "$d/$t.dsl" ] || { fail "$d/$t.dsl not written"; continue; }
    hasnt "$d/$t.dsl" 'Incorrect checksum|[Ii]nvalid|\*\*\*\* '
  done
  f=$d/facp.dsl a=$d/apic.dsl s=$d/dsdt.dsl
  [ -s "$f" ] && {
    has "$f" 'Revision : 06'
    has "$f" 'Hardware Reduced \(V5\) : 1'
    has "$f" 'Reset Register Supported \(V2\) : 1'
    has "$f" 'CMOS RTC Not Present \(V5\) : 0'
    has "$f" 'RTC Century Index : 32'
    has "$f" '8042 Present on ports 60/64 \(V2\) : 0'
    has "$f" 'DSDT Address : 00000000000E0400'
    has "$f" 'Address : 0000000000000604'   # sleep control
    has "$f" 'Address : 0000000000000605'   # sleep status
    has "$f" 'Address : 0000000000000606'   # reset
    has "$f" 'Value to cause reset : 0E'
  }
  [ -s "$a" ] && {
    has "$a" 'Local Apic Address : FEE00000'
    has "$a" 'PC-AT Compatibility : 0'
    has "$a" 'Local Apic ID : 00'
    has "$a" 'Processor Enabled : 1'
    if [ $v = ioapic ]; then has "$a" 'Address : FEC00000'; else hasnt "$a" 'I/O APIC'; fi
  }
  [ -s "$s" ] && {
    has "$s" 'Device \(COM1\)'
    has "$s" 'EisaId \("PNP0501"\)'
    has "$s" 'Name \(_UID, One\)'
    has "$s" 'Name \(_STA, 0x0F\)'
    has "$s" '0x03F8,'
    has "$s" 'Name \(\\_S5, Package'
    has "$s" 'Device \(RTC\)'
    has "$s" 'EisaId \("PNP0B00"\)'
    has "$s" 'IO \(Decode16,$'
    has "$s" '0x0070,'
    if [ $v = ioapic ]; then has "$s" 'IRQNoFlags \(\)$'; else hasnt "$s" 'IRQ'; fi
    [ "$(grep -c 'IRQNoFlags' "$s")" -le 1 ] || fail "$s: an IRQ beside COM1's (the RTC raises none)"
    # Compile the disassembly back: the same AML, byte for byte after the header.
    if (cd "$d" && iasl -oa -p dsdtre dsdt.dsl >dsdtre.log 2>&1); then
      cmp -s <(tail -c +37 "$d/dsdtre.aml") <(tail -c +37 "$d/dsdt.dat") ||
        fail "$d: the DSDT's ASL compiles to other AML than ours"
    else
      fail "iasl could not compile $s back (log: $d/dsdtre.log)"
    fi
  }
done
[ "$fails" -eq 0 ] && echo "acpi_iasl: every table of both guests read back by ACPICA $(iasl -v 2>/dev/null | grep -o 'version [0-9]*' | head -1)"
[ "$fails" -eq 0 ]
