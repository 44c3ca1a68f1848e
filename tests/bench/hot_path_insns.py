#!/usr/bin/env python3
"""Static half of the exit-path promise (tests/bench/exit_promise.sh).

Reads the disassembly of a linked hv.so and checks that the hot exit path of each backend,
and everything it can reach, contains no MSR access, no XSAVE/XRSTOR (or FXSAVE/FXRSTOR),
no VMSAVE/VMLOAD and, on VMX, no VMWRITE of a host-state field (README, "Design notes: the
exit path"; docs/exit-path.md). This is the check VMX gets under QEMU, which has no VMX:
only Bochs runs that backend.

The hot path of a backend is
  - the run loop's assembly between two labels: from the exit (after VMRUN; VMX: the
    HOST_RIP stub) to the branch into the slow path, scanned as it is, with no branch out
    of it followed (the slow path is allowed everything);
  - the fast-path handlers the run loop calls through its function pointer;
  - every function those reach by a direct call or jump, including GCC's .cold parts,
    whether or not the exits the benchmark makes take that branch (statically reachable).
An indirect call in reachable code fails the check unless its function is one of the
console's (HOOK_CALLERS below), whose function pointers are the device hooks registered
once at boot: their targets are taken from the code itself (every function whose address
is loaded right before a call to one of HOOK_SETTERS) and followed like direct calls.
Function pointers held in static data (struct virt_backend) are not followed: no hot-path
code may call through them, and any such call is an indirect call that fails the check.

VMWRITE: the field is the register operand; its value must be set by a MOV of an
immediate earlier in the same function with nothing else writing that register in
between, or the check fails ("cannot tell the field"). Host-state fields, SDM vol. 3D
appendix B: 0x0C00-0x0C0C (16-bit selectors), 0x2C00-0x2C05 (64-bit: PAT, EFER,
PERF_GLOBAL_CTRL, and the high halves), 0x4C00 (32-bit SYSENTER_CS), 0x6C00-0x6C16
(natural width: CR0, CR3, CR4, FS/GS/TR/GDTR/IDTR base, SYSENTER ESP/EIP, RSP, RIP, and
the newer S_CET/SSP/INTERRUPT_SSP_TABLE_ADDR).

Usage: hot_path_insns.py HV_SO [svm|vmx ...]   exit status 0 when every backend passes.
"""
import re
import subprocess
import sys

# Per backend: (first label, label that ends the range) of the run loop's hot part, and
# the fast-path handlers the run loop calls.
BACKENDS = {
    "svm": {
        "asm_range": ("svm_run_loop.resume", "svm_run_loop.slow"),
        "roots": ["svm_exit_fast_nrip", "svm_exit_fast_decode"],
    },
    "vmx": {
        "asm_range": ("vmx_exit_stub", "vmx_run_slow"),
        "roots": ["vmx_exit_fast"],
    },
}

# hv/console.c: the console's output hooks, set once at boot (boot/efi_main.c, takeover.c).
HOOK_SETTERS = ["console_set_sink", "console_set_nowait", "console_set_cpu_fn"]
HOOK_CALLERS = ["console_guest_put", "console_guest_room", "here", "console_drain", "console_write", "write_some", "lock", "unlock"]

FORBIDDEN = re.compile(r"^(rdmsr|wrmsr|rdmsrlist|wrmsrlist|wrmsrns|xsave\w*|xrstor\w*|fxsave\w*|"
                       r"fxrstor\w*|vmsave|vmload)$")
HOST_STATE = [(0x0C00, 0x0C0C), (0x2C00, 0x2C05), (0x4C00, 0x4C00), (0x6C00, 0x6C16)]

REGS64 = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"] + ["r%d" % i for i in range(8, 16)]
ALIASES = {}
for r in REGS64:
    if r.startswith("r") and r[1:].isdigit():
        names = [r, r + "d", r + "w", r + "b"]
    else:
        b = r[1:]
        names = [r, "e" + b, b]
    for n in names:
        ALIASES[n] = r


def disassemble(path):
    """{symbol: [(addr, mnemonic, operands, target_symbol_or_None)]} in address order, and
    the symbols sorted by address."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-w", path], check=True,
                         capture_output=True, text=True).stdout
    funcs, order, cur = {}, [], None
    head = re.compile(r"^([0-9a-f]+) <([^>]+)>:$")
    line_re = re.compile(r"^\s*([0-9a-f]+):\s+(.*)$")
    for line in out.splitlines():
        m = head.match(line)
        if m:
            cur = m.group(2)
            funcs[cur] = []
            order.append((int(m.group(1), 16), cur))
            continue
        m = line_re.match(line)
        if not m or cur is None:
            continue
        text, _, comment = m.group(2).partition("#")
        text = text.strip()
        parts = text.split(None, 1)
        if not parts:
            continue
        mnem, ops = parts[0], parts[1] if len(parts) > 1 else ""
        while mnem in ("notrack", "bnd", "rep", "repz", "repnz", "lock", "ds", "cs") and ops:
            p = ops.split(None, 1)
            mnem, ops = p[0], p[1] if len(p) > 1 else ""
        target = None
        t = re.match(r"^([0-9a-f]+) <([^>+]+)(\+0x[0-9a-f]+)?>$", ops.strip())
        if t and (mnem.startswith("j") or mnem.startswith("call")):
            target = t.group(2)
        elif mnem.startswith("lea") and "(%rip)" in ops:
            c = re.search(r"<([^>+]+)>", comment)
            target = ("&", c.group(1)) if c else None  # an address taken, not a branch
        funcs[cur].append((int(m.group(1), 16), mnem, ops, target))
    order.sort()
    return funcs, order


def hook_targets(funcs):
    """Functions whose address is loaded within the six instructions before a call to one
    of HOOK_SETTERS: the console hooks an indirect call in HOOK_CALLERS can reach."""
    found = set()
    for insns in funcs.values():
        for i, (_, mnem, _, target) in enumerate(insns):
            if mnem.startswith("call") and target in HOOK_SETTERS:
                for _, m2, _, t2 in insns[max(0, i - 6):i]:
                    if isinstance(t2, tuple) and t2[1] in funcs:
                        found.add(t2[1])
    return sorted(found)


def field_of(insns, i, reg, targets):
    """The immediate last moved into reg before insns[i], or None when it cannot be told
    (another path may reach the VMWRITE: a branch target or a branch in between)."""
    base = ALIASES.get(reg.lstrip("%"))
    if base is None:
        return None
    for j in range(i - 1, -1, -1):
        if insns[j + 1][0] in targets:
            return None
        _, mnem, ops, _ = insns[j]
        if mnem.startswith("j") or mnem.startswith("call") or mnem.startswith("ret"):
            return None  # another path may reach the VMWRITE: not followed
        operands = [o.strip() for o in re.split(r",(?![^(]*\))", ops)] if ops else []
        if not operands:
            continue
        dest = operands[-1]
        if dest.startswith("%") and ALIASES.get(dest[1:]) == base:
            m = re.match(r"^\$0x([0-9a-f]+)$", operands[0]) if mnem.startswith("mov") else None
            return int(m.group(1), 16) if m else None
        if mnem in ("cpuid", "rdtsc", "rdtscp", "syscall", "cqo", "cdq", "mul", "div", "imul") and \
                base in ("rax", "rdx", "rbx", "rcx"):
            return None
    return None


def check_backend(name, funcs, order):
    cfg = BACKENDS[name]
    problems, seen, work, parent = [], set(), [], {}
    start, end = cfg["asm_range"]
    for sym in (start, end):
        if sym not in funcs:
            return ["%s: no symbol %s in the binary (renamed? update %s)" % (name, sym, __file__)], 0, 0, []
    lo = next(a for a, s in order if s == start)
    hi = next(a for a, s in order if s == end)
    region = [ins for s in funcs for ins in funcs[s] if lo <= ins[0] < hi]
    if not region:
        problems.append("%s: the run loop's range %s..%s is empty" % (name, start, end))
    for r in cfg["roots"]:
        if r not in funcs:
            problems.append("%s: no fast-path handler %s in the binary (renamed? update %s)" % (name, r, __file__))
        else:
            work.append(r)
    scanned = [("run loop %s..%s" % (start, end), region)]
    hooks = hook_targets(funcs)
    while work:
        f = work.pop()
        if f in seen:
            continue
        seen.add(f)
        scanned.append((f, funcs[f]))
        for _, mnem, ops, target in funcs[f]:
            if isinstance(target, tuple):
                continue
            if target and target not in seen and target in funcs:
                work.append(target)
                parent.setdefault(target, f)
            elif mnem.startswith("call") and target is None and f in HOOK_CALLERS and hooks:
                for h in hooks:
                    if h not in seen:
                        work.append(h)
                        parent.setdefault(h, f)
            elif mnem.startswith("call") and target is None:
                problems.append("%s: %s makes an indirect call (%s %s): cannot follow it" % (name, f, mnem, ops))
    fields, ninsns = [], 0
    targets = set()
    for insns in funcs.values():
        for _, mnem, ops, t in insns:
            m = re.match(r"^([0-9a-f]+) <", ops.strip())
            if m and (mnem.startswith("j") or mnem.startswith("call")):
                targets.add(int(m.group(1), 16))
    for where, insns in scanned:
        for i, (addr, mnem, ops, _) in enumerate(insns):
            ninsns += 1
            if FORBIDDEN.match(mnem):
                problems.append("%s: %s at hv.so+0x%x, reached %s" % (name, mnem, addr, chain(where, parent)))
            elif mnem.startswith("vmwrite"):
                if name == "svm":
                    problems.append("%s: %s executes vmwrite at 0x%x" % (name, where, addr))
                    continue
                reg = [o.strip() for o in re.split(r",(?![^(]*\))", ops)][-1]
                f = field_of(insns, i, reg, targets)
                if f is None:
                    problems.append("%s: vmwrite at hv.so+0x%x: cannot tell the field (%s), reached %s" % (
                        name, addr, reg, chain(where, parent)))
                elif any(a <= f <= b for a, b in HOST_STATE):
                    problems.append("%s: vmwrite of host-state field 0x%04x at hv.so+0x%x, reached %s" % (
                        name, f, addr, chain(where, parent)))
                else:
                    fields.append(f)
    return problems, len(scanned), ninsns, fields


def chain(where, parent):
    """How the scan reached `where`: root -> ... -> where."""
    path = [where]
    while path[-1] in parent and len(path) < 20:
        path.append(parent[path[-1]])
    return " -> ".join(reversed(path))


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    funcs, order = disassemble(sys.argv[1])
    failed = 0
    for name in sys.argv[2:] or ["svm", "vmx"]:
        problems, nf, ni, fields = check_backend(name, funcs, order)
        fl = ", ".join("0x%04x" % f for f in sorted(set(fields))) or "none"
        if problems:
            failed += 1
            print("FAIL static-%s: the hot exit path (%d functions, %d instructions) breaks the promise:" % (name, nf, ni))
            for p in problems:
                print("     " + p)
        else:
            print("ok   static-%s: %d functions, %d instructions on the hot exit path: no MSR access, "
                  "XSAVE/XRSTOR, VMSAVE/VMLOAD; VMWRITE fields: %s" % (name, nf, ni, fl))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
