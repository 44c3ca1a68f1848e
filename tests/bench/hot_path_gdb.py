# Dynamic half of the exit-path promise (tests/bench/exit_promise.sh), run inside gdb
# attached to QEMU's gdbstub (TCG runs the SVM path). The bench guest brackets the timed
# loops of each hot exit kind (CPUID, hypercall, port I/O) with hot_window_begin/_end
# (guest/bench/loops.asm). Inside those windows a breakpoint sits on every RDMSR, WRMSR,
# XSAVE*/XRSTOR*/FXSAVE/FXRSTOR, VMSAVE, VMLOAD and VMWRITE of hv.so, and on the entry and
# the return of svm_exit_slow. A hit fails the check when it is on the fast path (no slow
# exit in progress) or in the slow path of a CPUID, VMMCALL or IOIO exit; hits in the slow
# path of another exit (a host interrupt, say) are allowed and listed. QEMU's breakpoints
# are on linear addresses, matched as instructions are translated: they cost nothing until
# hit and cannot be missed by code that is executed.
# Settings (environment): PROMISE_SOCK (gdbstub socket), PROMISE_HV_SO, PROMISE_SERIAL (the
# serial log, where hv prints "hv: image loaded at 0x..."), PROMISE_BEGIN/PROMISE_END (the
# guest's marker addresses), PROMISE_WINDOWS (how many windows the guest opens),
# PROMISE_OUT (the result lines are written there).
import os
import re
import sys
import time

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals()
                else os.environ["PROMISE_DIR"])
import hot_path_insns  # noqa: E402

HOT_EXITS = {0x72: "CPUID", 0x81: "VMMCALL", 0x7B: "IOIO"}  # APM vol. 2 appendix C
out_lines = []


def result(line):
    out_lines.append(line)


def finish(ok):
    with open(os.environ["PROMISE_OUT"], "w") as f:
        f.write("\n".join(out_lines) + "\n")
        f.write("verdict: %s\n" % ("pass" if ok else "fail"))


def pc():
    return int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF


def image_base(serial, deadline):
    while time.time() < deadline:
        try:
            m = re.search(rb"^hv: image loaded at 0x([0-9a-f]+)", open(serial, "rb").read(), re.M)
        except OSError:
            m = None
        if m:
            return int(m.group(1), 16)
        time.sleep(0.2)
    return None


def main():
    begin, end = int(os.environ["PROMISE_BEGIN"], 0), int(os.environ["PROMISE_END"], 0)
    nwin = int(os.environ["PROMISE_WINDOWS"])
    hv_so = os.environ["PROMISE_HV_SO"]
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    # Insert breakpoints once, not around every stop: each insertion makes QEMU drop the
    # translated code of that page.
    gdb.execute("set breakpoint always-inserted on")
    gdb.execute("target remote %s" % os.environ["PROMISE_SOCK"])
    gdb.execute("break *0x%x" % begin)
    gdb.execute("break *0x%x" % end)
    # The first stop at the guest's marker (32-bit protected mode: EFER.LMA clear).
    while True:
        gdb.execute("continue")
        if pc() == begin and not int(gdb.parse_and_eval("$efer")) & 0x400:
            break
    base = image_base(os.environ["PROMISE_SERIAL"], time.time() + 10)
    if base is None:
        result("no 'hv: image loaded at' line in the serial log: cannot place the breakpoints")
        return False
    funcs, order = hot_path_insns.disassemble(hv_so)
    forbidden = {}
    for f, insns in funcs.items():
        for addr, mnem, _, _ in insns:
            if hot_path_insns.FORBIDDEN.match(mnem) or mnem.startswith("vmwrite"):
                forbidden[base + addr] = "%s in %s" % (mnem, f)
    starts = {s: a for a, s in order}
    slow_entry = base + starts["svm_exit_slow"]
    # svm_run_loop's return address from svm_exit_slow: the instruction after the call.
    calls = [a for a, m, _, t in funcs["svm_run_loop.slow"] if m.startswith("call") and t == "svm_exit_slow"]
    nxt = [a for a, _, _, _ in funcs["svm_run_loop.slow"] if calls and a > calls[0]]
    if not forbidden or not calls or not nxt:
        result("cannot find the forbidden instructions or svm_exit_slow's call in %s" % hv_so)
        return False
    slow_ret = base + nxt[0]
    # gdb takes a stop one byte past a breakpoint for an INT3 trap and moves the PC back
    # (x86 decr_pc_after_break): no two breakpoints may be one byte apart.
    addrs = sorted(list(forbidden) + [slow_entry, slow_ret, begin, end])
    if any(b - a == 1 for a, b in zip(addrs, addrs[1:])):
        result("two breakpoints one byte apart: gdb would misreport the second")
        return False
    gdb.execute("add-symbol-file %s -o 0x%x" % (hv_so, base), to_string=True)
    bps = []
    for a in sorted(forbidden) + [slow_entry, slow_ret]:
        bps.append(gdb.Breakpoint("*0x%x" % a, internal=True))

    def arm(on):
        for b in bps:
            b.enabled = on

    windows, in_slow, code = 1, False, None
    bad, allowed, slow_exits, armed_proof = {}, {}, {}, None
    arm(True)
    stops, max_stops = 0, int(os.environ.get("PROMISE_MAX_STOPS", "400"))
    while True:
        try:
            gdb.execute("continue")
        except gdb.error as e:
            result("QEMU went away during window %d of %d (the guest opened fewer windows, or "
                   "ended): %s" % (windows, nwin, e))
            return False
        p = pc()
        stops += 1
        if os.environ.get("PROMISE_TRACE"):
            result("stop %d: pc 0x%x efer 0x%x in_slow %s" % (stops, p, int(gdb.parse_and_eval("$efer")), in_slow))
        if stops > max_stops or sum(bad.values()) >= 20:
            result("stopped early in window %d after %d stops (slow exits: %s)" % (
                windows, stops, ", ".join("0x%x x%d" % (c, n) for c, n in sorted(slow_exits.items())) or "none"))
            for b, n in bad.items():
                result("FORBIDDEN: %s (x%d)" % (b, n))
            return False
        if p == begin:
            windows += 1
            arm(True)
        elif p == end:
            if windows == nwin:
                break
            arm(False)
        elif p == slow_entry:
            in_slow = True
            code = int(gdb.parse_and_eval(
                "((struct svm_vcpu *)((struct vcpu *)$rdi)->arch)->vmcb->control.exit_code")) & 0xFFFFFFFF
            slow_exits[code] = slow_exits.get(code, 0) + 1
        elif p == slow_ret:
            in_slow = False
        elif p in forbidden:
            what = "%s at hv.so+0x%x" % (forbidden[p], p - base)
            if not in_slow:
                why = "%s, on the fast path (window %d)" % (what, windows)
                bad[why] = bad.get(why, 0) + 1
            elif code in HOT_EXITS:
                why = "%s, in the slow path of exit %s (window %d)" % (what, HOT_EXITS[code], windows)
                bad[why] = bad.get(why, 0) + 1
            else:
                why = "%s (slow path of exit 0x%x)" % (what, code)
                allowed[why] = allowed.get(why, 0) + 1
    # After the last window: the breakpoints must fire on the slow path that follows (the
    # guest's HC_EXIT_COSTS hypercall: VMSAVE), or they prove nothing.
    for b in bps:
        b.enabled = b.location not in ("*0x%x" % slow_entry, "*0x%x" % slow_ret)
    gdb.execute("continue")
    p = pc()
    if p in forbidden:
        armed_proof = "%s at hv.so+0x%x" % (forbidden[p], p - base)
    for b in bps:
        b.delete()
    hot_slow = {HOT_EXITS[c]: n for c, n in slow_exits.items() if c in HOT_EXITS}
    result("windows: %d of %d; breakpoints on %d instructions; slow exits in the windows: %s" % (
        windows, nwin, len(forbidden),
        ", ".join("0x%x x%d" % (c, n) for c, n in sorted(slow_exits.items())) or "none"))
    for a, n in allowed.items():
        result("allowed: %s (x%d)" % (a, n))
    for b, n in bad.items():
        result("FORBIDDEN: %s (x%d)" % (b, n))
    if hot_slow:
        result("note: hot exits that took the slow path in the windows: %s" % hot_slow)
    result("breakpoints proven live after the windows: %s" % (armed_proof or "NO (none hit)"))
    return windows == nwin and not bad and armed_proof is not None


try:
    ok = main()
except Exception as e:  # a gdb error (QEMU gone, symbol missing) is a failed check
    result("gdb: %s" % e)
    ok = False
finish(ok)
try:  # let the guest finish its run (its own checks) without gdb
    gdb.execute("delete")
    gdb.execute("detach")
except gdb.error:
    pass
