"""Shared by tests/emu/com2_relay.py and tests/emu/serial_bridge.py: connecting to an
emulator's serial port served as a TCP server (Bochs's socket-server mode), which appears
only once the emulator has started."""
import socket
import sys
import time


def connect_when_up(target, who, wait=60):
    """A connection to HOST:PORT target, retried every 0.2 s for wait seconds; exits naming
    who when nothing listens by then."""
    host, port = target.rsplit(":", 1)
    deadline = time.monotonic() + wait
    while True:
        try:
            return socket.create_connection((host, int(port)))
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("%s: nothing listens on %s" % (who, target))
            time.sleep(0.2)
