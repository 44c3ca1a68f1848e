#!/usr/bin/env python3
"""com2_relay.py LISTEN_PORT HOST:PORT: joins Bochs's COM2 (a TCP server at HOST:PORT in
socket-server mode, which holds the boot until a client connects) to the clients of
127.0.0.1:LISTEN_PORT, one after the other (a raw gdb client, then gdb), both ways. It
connects to Bochs at once, so the boot goes on; what COM2 sends while no client is there
is dropped, as on a serial line with nothing attached. Ends when Bochs closes COM2.
tests/emu/boot.sh --emu bochs --com2-tcp LISTEN_PORT uses it."""
import select
import socket
import sys

from emu_socket import connect_when_up


def main():
    listen_port, target = int(sys.argv[1]), sys.argv[2]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(1)
    emu = connect_when_up(target, "com2_relay")
    client = None
    while True:
        watch = [emu, srv] + ([client] if client else [])
        ready, _, _ = select.select(watch, [], [])
        if srv in ready:
            if client:
                client.close()
            client, _ = srv.accept()
        if emu in ready:
            data = emu.recv(65536)
            if not data:
                return 0
            if client:
                try:
                    client.sendall(data)
                except OSError:
                    client.close()
                    client = None
        if client and client in ready:
            try:
                data = client.recv(65536)
            except OSError:
                data = b""
            if data:
                emu.sendall(data)
            else:
                client.close()
                client = None


if __name__ == "__main__":
    sys.exit(main())
