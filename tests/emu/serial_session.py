#!/usr/bin/env python3
"""serial_session.py: types into an emulator's serial port and waits for what comes back.

    serial_session.py --socket PATH --log FILE [--timeout S] [--connect-timeout S] STEP...

Connects to the UNIX socket an emulator serves its COM1 on (QEMU: -serial
unix:PATH,server=on,wait=on; tests/emu/boot.sh --serial-socket PATH), logs every byte it
receives to FILE (carriage returns dropped), and carries out the steps in order:

    expect REGEX     wait for REGEX (Python re, MULTILINE) in what arrived since the last
                     match; at most --timeout seconds per step
    seen REGEX       the same, but anywhere in what arrived so far (for lines whose order
                     is not fixed, such as two guests' markers)
    send TEXT        type TEXT and a carriage return (what a terminal's Enter key sends)
    type TEXT        type TEXT alone (Python escapes such as \\x01 are decoded)
    focus REGEX      press Ctrl-A three times (the console's input-focus key sequence,
                     README "Serial console") until REGEX arrives, at most 8 rounds
    sleep SECONDS    wait, still logging
    timeout SECONDS  the wait allowed to each following step (instead of --timeout)
    drain            log until the emulator closes the connection (or --timeout)

Typed text goes one byte at a time with a short gap, as a person types (a UART with a
small FIFO and no flow control must not lose it). Each step's end and its time since the
connection are printed on stdout. Exit status 0 when every step succeeded;
otherwise 1, after logging what arrives for up to 30 more seconds, with the step that
failed on stderr and as a last line "serial_session: ..." in the log (the caller ends
the emulator).
"""
import argparse
import os
import re
import socket
import sys
import time


class Session:
    def __init__(self, path, log, timeout, connect_timeout, gap):
        self.timeout = timeout
        self.gap = gap
        self.log = open(log, "w", encoding="latin-1", newline="")
        self.text = ""
        self.cursor = 0
        self.closed = False
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise SystemExit("serial_session: no emulator serves %s" % path)
                time.sleep(0.1)

    def _receive(self, until):
        """Read what arrives until the monotonic time `until` or until the peer closes."""
        while not self.closed:
            left = until - time.monotonic()
            if left <= 0:
                return
            self.sock.settimeout(min(left, 0.5))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return
            s = data.decode("latin-1").replace("\r", "")
            self.text += s
            self.log.write(s)
            self.log.flush()
            return

    def expect(self, pattern, timeout=None, anywhere=False):
        rx = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            m = rx.search(self.text, 0 if anywhere else self.cursor)
            if m:
                self.cursor = max(self.cursor, m.end())
                return True
            if self.closed or time.monotonic() >= deadline:
                return False
            self._receive(deadline)

    def type(self, data):
        for b in data:
            self.sock.sendall(bytes([b]))
            self._receive(time.monotonic() + self.gap)
            time.sleep(max(0.0, self.gap))

    def sleep(self, seconds):
        deadline = time.monotonic() + seconds
        while not self.closed and time.monotonic() < deadline:
            self._receive(deadline)

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        while not self.closed and time.monotonic() < deadline:
            self._receive(deadline)

    def note(self, msg):
        self.log.write("\nserial_session: %s\n" % msg)
        self.log.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per step")
    ap.add_argument("--connect-timeout", type=float, default=30.0)
    ap.add_argument("--gap", type=float, default=0.01, help="seconds between typed bytes")
    ap.add_argument("steps", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    steps = args.steps
    arity = {"timeout": 1, "expect": 1, "seen": 1, "send": 1, "type": 1, "focus": 1, "sleep": 1, "drain": 0}
    i = 0
    plan = []
    while i < len(steps):
        op = steps[i]
        if op not in arity:
            sys.exit("serial_session: unknown step '%s'" % op)
        if arity[op] and i + 1 >= len(steps):
            sys.exit("serial_session: step '%s' needs an argument" % op)
        plan.append((op, steps[i + 1] if arity[op] else None))
        i += 1 + arity[op]

    s = Session(args.socket, args.log, args.timeout, args.connect_timeout, args.gap)
    t0 = time.monotonic()
    for n, (op, arg) in enumerate(plan, start=1):
        ok = True
        if op == "expect":
            ok = s.expect(arg)
        elif op == "seen":
            ok = s.expect(arg, anywhere=True)
        elif op == "send":
            s.type(arg.encode("latin-1") + b"\r")
        elif op == "type":
            s.type(arg.encode("latin-1").decode("unicode_escape").encode("latin-1"))
        elif op == "focus":
            ok = False
            for _ in range(8):
                s.type(b"\x01\x01\x01")
                if s.expect(arg, timeout=min(10.0, s.timeout)):
                    ok = True
                    break
        elif op == "sleep":
            s.sleep(float(arg))
        elif op == "timeout":
            s.timeout = float(arg)
        elif op == "drain":
            s.drain(s.timeout)
        print("serial_session: %6.1f s: step %d (%s %r) %s" % (
            time.monotonic() - t0, n, op, arg, "done" if ok else "FAILED"), flush=True)
        if not ok:
            why = "step %d (%s %r) failed: %s" % (
                n, op, arg, "the emulator ended" if s.closed else "not seen within %g s" % s.timeout)
            s.drain(min(30.0, s.timeout))  # what follows, for the diagnosis; the runner ends the emulator
            s.note(why)
            print("serial_session: " + why, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
