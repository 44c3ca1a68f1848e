#!/usr/bin/env python3
"""serial_bridge.py UNIX_PATH HOST:PORT: serves one client on the UNIX socket UNIX_PATH and
joins it to the TCP server at HOST:PORT (Bochs's COM1 in socket-server mode), both ways,
until either side closes. tests/emu/boot.sh --emu bochs --serial-socket uses it, so that
tests/emu/serial_session.py talks to Bochs as it does to QEMU's UNIX socket."""
import os
import select
import socket
import sys

from emu_socket import connect_when_up


def main():
    path, target = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    client, _ = srv.accept()
    emu = connect_when_up(target, "serial_bridge")
    pair = {client: emu, emu: client}
    while True:
        ready, _, _ = select.select(list(pair), [], [])
        for s in ready:
            data = s.recv(65536)
            if not data:
                return 0
            pair[s].sendall(data)


if __name__ == "__main__":
    sys.exit(main())
