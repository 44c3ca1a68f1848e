#!/usr/bin/env python3
"""A raw GDB remote protocol client for the gdb stub's emulator test (tests/emu/gdb_session.sh):
attach by packet, continue, interrupt with Ctrl-C (0x03), detach; attach again, select the
guest on cpu 3 (thread 4) and kill it (gdb_raw.py PORT; gdb_raw.py PORT nokill stops after the
detach, for runs with fewer than 4 CPUs). The first guest (thread 1, cpu 0) is the one stopped. Prints one line per step and exits 1 at the first reply
that is not what the protocol says (GDB manual, appendix E)."""
import re, socket, sys, time

def packet(payload):
    return b"$" + payload + b"#%02x" % (sum(payload) % 256)

class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.settimeout(20)
        self.buf = b""

    def reply(self):
        """The next packet's payload (acknowledged), skipping acks."""
        while True:
            m = re.search(rb"\$([^#]*)#([0-9a-f]{2})", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                if int(m.group(2), 16) != sum(m.group(1)) % 256:
                    sys.exit("gdb_raw: bad checksum in reply %r" % m.group(0))
                self.s.sendall(b"+")
                return m.group(1)
            data = self.s.recv(4096)
            if not data:
                sys.exit("gdb_raw: connection closed")
            self.buf += data

    def ask(self, payload, want):
        self.s.sendall(packet(payload))
        got = self.reply()
        if not re.fullmatch(want, got):
            sys.exit("gdb_raw: %s -> %r, want %r" % (payload.decode(), got, want))
        print("gdb_raw: %s -> %s" % (payload.decode(), got.decode()))
        return got

c = Conn(int(sys.argv[1]))
if sys.argv[2:] == ["gone"]:
    # gdb_raw.py PORT gone (tests/emu/gdb_mode.sh, case gdb-mode): [hv] debug_gdb_end_cpu = 1
    # ends thread 2's guest as the stub is handed to it; cpu 0 must take the session back.
    c.ask(b"?", rb"T05thread:1;")
    c.ask(b"Hg2", rb"OK")                  # cpu 1 ends its guest instead of serving
    c.ask(b"g", rb"E02")                   # answered by cpu 0: the selected thread is gone
    c.ask(b"m101000,4", rb"E02")
    c.ask(b"T2", rb"E02")
    c.ask(b"qfThreadInfo", rb"m1")
    c.ask(b"Hg2", rb"E02")                 # ended before: refused at once
    c.ask(b"Hg1", rb"OK")
    c.ask(b"g", rb"[0-9a-fx]{352}")        # thread 1's registers (i386)
    c.s.sendall(packet(b"c"))              # continuing works: Ctrl-C stops thread 1 again
    time.sleep(1)
    c.s.sendall(b"\x03")
    print("gdb_raw: Ctrl-C -> %s" % c.reply().decode())
    c.ask(b"D", rb"OK")
    sys.exit(0)
first = b"1" # the guest on cpu 0, whose CPU also takes COM2's interrupt
c.ask(b"?", rb"T05thread:" + first + b";")  # attach: the first guest stops
c.ask(b"qC", rb"QC" + first)
c.s.sendall(packet(b"c"))                  # continue: no reply until it stops again
time.sleep(1)
c.s.sendall(b"\x03")                       # Ctrl-C
got = c.reply()
if got != b"T02thread:" + first + b";":
    sys.exit("gdb_raw: Ctrl-C -> %r, want T02thread:%s; (SIGINT)" % (got, first.decode()))
print("gdb_raw: Ctrl-C -> %s" % got.decode())
c.ask(b"D", rb"OK")
print("gdb_raw: detached")
if sys.argv[2:] == ["nokill"]:
    sys.exit(0)
time.sleep(1)
c.ask(b"?", rb"T05thread:1;")            # again: the guest gdb looked at last
c.ask(b"Hg4", rb"OK")                      # the victim's CPU takes the stub over
c.ask(b"qC", rb"QC4")
c.s.sendall(packet(b"k"))                  # kill: no reply; only that guest ends
time.sleep(2)
print("gdb_raw: killed thread 4")
