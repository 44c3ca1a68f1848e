#!/usr/bin/env python3
"""linux_cpio.py OUT BUSYBOX INIT: writes a Linux initramfs (cpio "newc", uncompressed).

The archive holds busybox as /bin/busybox, INIT as /init, the usual empty directories and
the /dev/console and /dev/ttyS0 character devices the kernel opens before /init runs. It is
written here rather than with cpio(1) so that no device node has to exist on the build
machine (mknod needs root). Format: Documentation/driver-api/early-userspace/buffer-format.rst
(magic 070701, 13 eight-digit hex fields, name padded to 4 bytes, data padded to 4 bytes,
ended by the entry "TRAILER!!!").
"""
import stat
import sys


def entry(ino, name, mode, data=b"", rdev=(0, 0), nlink=1):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = head + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: linux_cpio.py OUT BUSYBOX INIT")
    out, busybox, init = sys.argv[1:]
    with open(busybox, "rb") as f:
        bb = f.read()
    with open(init, "rb") as f:
        init_b = f.read()
    if bb[:4] != b"\x7fELF":
        sys.exit("linux_cpio.py: %s is not an ELF file" % busybox)
    d = stat.S_IFDIR | 0o755
    items = [
        ("bin", d, b"", (0, 0)), ("sbin", d, b"", (0, 0)), ("usr", d, b"", (0, 0)),
        ("usr/bin", d, b"", (0, 0)), ("usr/sbin", d, b"", (0, 0)), ("etc", d, b"", (0, 0)),
        ("proc", d, b"", (0, 0)), ("sys", d, b"", (0, 0)), ("dev", d, b"", (0, 0)),
        ("tmp", stat.S_IFDIR | 0o1777, b"", (0, 0)), ("root", d, b"", (0, 0)),
        ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
        ("dev/ttyS0", stat.S_IFCHR | 0o600, b"", (4, 64)),
        ("bin/busybox", stat.S_IFREG | 0o755, bb, (0, 0)),
        ("init", stat.S_IFREG | 0o755, init_b, (0, 0)),
    ]
    blob = b""
    for ino, (name, mode, data, rdev) in enumerate(items, start=1):
        blob += entry(ino, name, mode, data, rdev, nlink=2 if stat.S_ISDIR(mode) else 1)
    blob += entry(0, "TRAILER!!!", 0)
    blob += b"\0" * (-len(blob) % 512)
    with open(out, "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
