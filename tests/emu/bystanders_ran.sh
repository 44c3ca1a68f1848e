#!/bin/sh
# bystanders_ran.sh LOG NAME...: run from gdb's script (its "shell" command,
# tests/emu/gdb_session.sh) while gdb holds the target stopped at a breakpoint. Waits, at most
# 60 s, until each bystander guest NAME has printed two more of its lines
# ("[NAME] gdbtarget: bystander: N s, ...", one every 5 s of its own TSC) into the serial log
# LOG, and says in one line whether they all did. Two, not one: a line the guest printed
# before the hold may still come out of the console's per-CPU buffer after it started. A stub
# that stopped every guest while gdb holds one fails this ("held: no new lines from ...").
log=$1
shift
from=$(($(wc -l <"$log") + 1))
i=0
while [ $i -lt 300 ]; do # 0.2 s each
  missing=""
  for g in "$@"; do
    n=$(tail -n +$from "$log" | grep -c "^\[$g\] gdbtarget: bystander: ")
    [ "$n" -ge 2 ] || missing="$missing $g"
  done
  if [ -z "$missing" ]; then
    echo "held: $* ran on while gdb held the target (two lines each within $((i / 5)).$((i % 5 * 2)) s)"
    exit 0
  fi
  sleep 0.2
  i=$((i + 1))
done
echo "held: no new lines from$missing within 60 s while gdb held the target"
exit 1
