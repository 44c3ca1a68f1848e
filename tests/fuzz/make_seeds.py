#!/usr/bin/env python3
"""Writes the binary seeds of tests/fuzz/corpus/ (README "Fuzzing"); the config seeds are
plain hv.cfg files (README's example, tests/emu/cases/*.cfg) and are not made here.

The seeds are checked in; this script documents what they are and remakes them:
    python3 tests/fuzz/make_seeds.py
Each is a small, valid input of the format its target's header comment describes, so the
fuzzer starts from inputs that get all the way through the code under test.
"""
import os
import struct
import subprocess
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
MB_MAGIC = 0x1BADB002


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def mb_header(flags, aout=None):
    h = struct.pack("<III", MB_MAGIC, flags, (-(MB_MAGIC + flags)) & 0xFFFFFFFF)
    if aout:
        h += struct.pack("<5I", *aout)
    return h


def code(n, seed):
    return bytes((i * 37 + seed) & 0xFF for i in range(n))


def elf(is64, entry, segs, mb_off, mb_flags=0x2):
    """segs: (paddr, vaddr, file bytes, memsz). Program headers right after the ELF header,
    the multiboot header at mb_off, segment bytes after it."""
    ehsize, phsize = (64, 56) if is64 else (52, 32)
    phoff = ehsize
    data_off = max(mb_off + 48, phoff + phsize * len(segs))
    body = bytearray(data_off)
    phdrs = b""
    off = data_off
    blobs = b""
    for paddr, vaddr, blob, memsz in segs:
        if is64:
            phdrs += struct.pack("<IIQQQQQQ", 1, 5, off, vaddr, paddr, len(blob), memsz, 0x1000)
        else:
            phdrs += struct.pack("<8I", 1, off, vaddr, paddr, len(blob), memsz, 5, 0x1000)
        blobs += blob
        off += len(blob)
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 1, 1]) + bytes(9)
    if is64:
        eh = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, phoff, 0, 0, ehsize, phsize,
                                 len(segs), 64, 0, 0)
    else:
        eh = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, entry, phoff, 0, 0, ehsize, phsize,
                                 len(segs), 40, 0, 0)
    body[0:len(eh)] = eh
    body[phoff:phoff + len(phdrs)] = phdrs
    body[mb_off:mb_off + 12] = mb_header(mb_flags)
    return bytes(body) + blobs


def multiboot_seeds():
    # Control bytes: c0 = modules | fix checksum (4) | memory size (bits 3-4) | no cmdline (32)
    # | no loader name (64); c1..c3 = module sizes / 67.
    k32 = elf(False, 0xC0100010,
              [(0x100000, 0xC0100000, code(96, 1), 0x1000),        # text, higher-half vaddr
               (0x102000, 0xC0102000, code(40, 2), 0x3000)],       # data + bss
              0x80)
    write("multiboot", "elf32_higher_half_2mods.bin", bytes([2, 3, 5, 0]) + k32)
    k64 = elf(True, 0x200000, [(0x200000, 0x200000, code(128, 3), 0x2000)], 0x100)
    write("multiboot", "elf64_1mod_8mib.bin", bytes([1 | (2 << 3), 9, 0, 0]) + k64)
    # ELF32 whose segment sits right at the top of a 4 MiB guest, boot info at 0x1000.
    top = elf(False, 0x3FF000, [(0x3FF000, 0x3FF000, code(64, 4), 0x1000)], 0x60)
    write("multiboot", "elf32_top_of_memory.bin", bytes([0 | 32 | 64, 0, 0, 0]) + top)
    # a.out kludge (section 3.1.3): header at 0x40 says header_addr 0x100040, text from file
    # offset 0 loaded at 0x100000, 0x200 bytes then bss to 0x101000, entry 0x100080.
    aout = bytearray(code(0x200, 5))
    aout[0x40:0x40 + 32] = mb_header(0x10002, (0x100040, 0x100000, 0x100200, 0x101000, 0x100080))
    write("multiboot", "aout_kludge_3mods.bin", bytes([3, 1, 2, 4]) + bytes(aout))
    # The checksum left wrong on purpose, fixed by the harness (c0 bit 2).
    bad = bytearray(k32)
    bad[0x88] ^= 0xFF
    write("multiboot", "elf32_checksum_fixed_by_harness.bin", bytes([4, 0, 0, 0]) + bytes(bad))


def acpi_table(sig, body, rev=1):
    length = 36 + len(body)
    h = bytearray(sig + struct.pack("<IBB", length, rev, 0) + b"HVTEST" + b"FUZZMADT" +
                  struct.pack("<III", 1, 0x4856, 1) + body)
    h[9] = (-sum(h)) & 0xFF
    return bytes(h)


def rsdp(rev, rsdt, xsdt):
    r = bytearray(b"RSD PTR " + b"\0" + b"HVTEST" + bytes([rev]) + struct.pack("<IIQ", rsdt, 36, xsdt)
                  + b"\0\0\0\0")
    r[8] = (-sum(r[:20])) & 0xFF
    r[32] = (-sum(r)) & 0xFF
    return bytes(r)


def madt(entries):
    return acpi_table(b"APIC", struct.pack("<II", 0xFEE00000, 1) + entries)


def lapic(uid, apic, flags):
    return struct.pack("<BBBBI", 0, 8, uid, apic, flags)


def x2apic(apic, flags, uid):
    return struct.pack("<BBHIII", 9, 16, 0, apic, flags, uid)


def acpi_seeds():
    # Input: flags byte (bit 0-2: fix RSDP/root/APIC checksums; max = 1 + (flags >> 4)), then
    # memory with the RSDP at offset 0; table pointers are offsets into that memory.
    ioapic = struct.pack("<BBBBII", 1, 12, 0, 0, 0xFEC00000, 0)
    mixed = madt(lapic(0, 0, 1) + lapic(1, 2, 0) + ioapic + lapic(2, 4, 2) + x2apic(256, 1, 3) +
                 lapic(3, 0, 1))
    facp = acpi_table(b"FACP", bytes(64))
    # XSDT at 64 -> [FACP at 160, MADT at 320]
    mem = bytearray(320 + len(mixed))
    mem[0:36] = rsdp(2, 0, 64)
    xsdt = acpi_table(b"XSDT", struct.pack("<QQ", 160, 320))
    mem[64:64 + len(xsdt)] = xsdt
    mem[160:160 + len(facp)] = facp
    mem[320:] = mixed
    write("acpi_madt", "xsdt_mixed_entries.bin", bytes([0x07 | (15 << 4)]) + bytes(mem))
    # ACPI 1.0: RSDT with 32-bit pointers, four enabled local APICs, max 2.
    four = madt(b"".join(lapic(i, i * 2, 1) for i in range(4)))
    mem = bytearray(128 + len(four))
    mem[0:36] = rsdp(0, 40, 0)
    rsdt = acpi_table(b"RSDT", struct.pack("<I", 128))
    mem[40:40 + len(rsdt)] = rsdt
    mem[128:] = four
    write("acpi_madt", "rsdt_four_cpus_max2.bin", bytes([0x07 | (1 << 4)]) + bytes(mem))
    # An entry whose length runs past the table, and a MADT with no usable CPU.
    for name, body in (("bad_entry_length.bin", lapic(0, 0, 1) + bytes([0, 40, 1, 1, 1, 0, 0, 0])),
                       ("no_enabled_cpu.bin", lapic(0, 1, 0) + x2apic(7, 0, 1))):
        t = madt(body)
        mem = bytearray(96 + len(t))
        mem[0:36] = rsdp(2, 0, 40)
        x = acpi_table(b"XSDT", struct.pack("<Q", 96))
        mem[40:40 + len(x)] = x
        mem[96:] = t
        write("acpi_madt", name, bytes([0x07 | (7 << 4)]) + bytes(mem))


def bzimage(pref=0x200000, init_size=0x100000, pm_len=0x400, version=0x020F):
    """A bzImage (boot.rst): one setup sector, protected-mode code of pm_len bytes whose 64-bit
    entry is at +0x200, relocatable, 2 MiB aligned, loaded at pref."""
    img = bytearray(1024) + bytearray(code(pm_len, 6))
    put = lambda off, fmt, *v: struct.pack_into("<" + fmt, img, off, *v)
    put(0x1F1, "B", 1)                   # setup_sects
    put(0x1F4, "I", pm_len // 16)        # syssize
    put(0x1FE, "H", 0xAA55)              # boot_flag
    put(0x200, "BB", 0xEB, 0x66)         # jump: the header ends at 0x202 + 0x66
    img[0x202:0x206] = b"HdrS"
    put(0x206, "H", version)
    put(0x211, "B", 1)                   # loadflags: LOADED_HIGH
    put(0x22C, "I", 0x7FFFFFFF)          # initrd_addr_max
    put(0x230, "I", 0x200000)            # kernel_alignment
    put(0x234, "B", 1)                   # relocatable_kernel
    put(0x236, "H", 0x3)                 # xloadflags: KERNEL_64, CAN_BE_LOADED_ABOVE_4G
    put(0x238, "I", 2047)                # cmdline_size
    put(0x258, "Q", pref)                # pref_address
    put(0x260, "I", init_size)           # init_size
    return bytes(img)


def linux_seeds():
    # Control bytes: c0 = initrd (1) | memory 4/8/16/32 MiB (bits 1-2) | tsc_khz (8) |
    # cmdline choice (bits 4-5) | acpi_rsdp (64) | two modules (128); initrd c1 * 4099 + c2 bytes.
    write("linux_load", "bzimage_initrd_tsc_4mib.bin", bytes([1 | 8 | (2 << 4) | 64, 16, 5, 0]) + bzimage())
    write("linux_load", "bzimage_16mib_cmdline_has_tsc.bin",
          bytes([(2 << 1) | 8 | (3 << 4), 0, 0, 0]) + bzimage(pref=0x800000, init_size=0x400000))
    write("linux_load", "bzimage_init_size_too_big.bin", bytes([0, 0, 0, 0]) + bzimage(init_size=0x800000))
    # vmlinux: ELF64, text linked at 0xffffffff81000000, loaded at 2 MiB, entry physical 2 MiB.
    vm = elf(True, 0x200000, [(0x200000, 0xFFFFFFFF81000000, code(256, 7), 0x3000),
                              (0x400000, 0xFFFFFFFF81200000, code(64, 8), 0x1000)], 0x100, 0)
    vm = vm.replace(struct.pack("<III", MB_MAGIC, 0, (-MB_MAGIC) & 0xFFFFFFFF), bytes(12))
    write("linux_load", "vmlinux_8mib_initrd.bin", bytes([1 | (1 << 1), 2, 0, 0]) + vm)


def dhcp_reply(siaddr=b"\0\0\0\0", file=b"", sname=b"", options=None):
    """A BOOTP/DHCPv4 reply (RFC 2131 2): op 2, Ethernet, yiaddr 10.0.2.15; with options,
    the magic cookie and the options after it."""
    p = bytearray(236)
    p[0:4] = bytes([2, 1, 6, 0])
    p[4:8] = b"\x12\x34\x56\x78"
    p[16:20] = bytes([10, 0, 2, 15])
    p[20:24] = siaddr
    p[28:34] = bytes([0x52, 0x54, 0, 0x12, 0x34, 0x56])
    p[44:44 + len(sname)] = sname
    p[108:108 + len(file)] = file
    if options is not None:
        p += bytes([99, 130, 83, 99]) + options
    return bytes(p)


def opt(code, data):
    return bytes([code, len(data)]) + data


def dhcp_seeds():
    # QEMU user networking's DHCP ACK: server 10.0.2.2, boot file as option 67.
    common = opt(53, b"\x05") + opt(54, bytes([10, 0, 2, 2])) + opt(1, bytes([255, 255, 255, 0])) + \
        opt(3, bytes([10, 0, 2, 2])) + opt(51, struct.pack(">I", 86400))
    write("dhcp_boot", "ack_option67.bin",
          dhcp_reply(bytes([10, 0, 2, 2]), options=common + opt(67, b"EFI/BOOT/hv.efi\0") + b"\xff"))
    # Plain BOOTP: siaddr and the file field, no magic cookie.
    write("dhcp_boot", "bootp_file_field.bin", dhcp_reply(bytes([192, 168, 1, 1]), file=b"pxe/hv.efi"))
    # Option 52 = 3: the file field and sname hold options; the server only in option 54.
    write("dhcp_boot", "overload_file_sname.bin",
          dhcp_reply(file=opt(67, b"boot\\hv.efi") + b"\xff", sname=b"\0" + opt(12, b"pxehost") + b"\xff",
                     options=opt(53, b"\x05") + opt(52, b"\x03") + opt(54, bytes([10, 1, 1, 1])) + b"\xff"))
    # No siaddr and no option 54: refused.
    write("dhcp_boot", "no_server.bin", dhcp_reply(file=b"hv.efi", options=opt(53, b"\x05") + b"\xff"))


def tftp_error_seeds():
    # kind | reading (8) | no message (16), code (255 = -1), errlen, got, total, then the message.
    def f(kind, code, errlen, got, total, msg):
        return bytes([kind, code, errlen]) + struct.pack("<QQ", got, total) + msg
    write("tftp_error", "not_found_size_request.bin", f(0, 1, 200, 0, 0, b"File not found"))
    write("tftp_error", "access_violation.bin", f(0, 2, 200, 0, 0, b"Access violation"))
    write("tftp_error", "escape_bytes_message.bin", f(0, 0, 120, 0, 0, b"bad\x1b[31mred\nline\xff"))
    write("tftp_error", "cut_off_reading.bin", f(1 | 8, 0, 255, 3 << 20, 40 << 20, b""))
    write("tftp_error", "short_buffer_shrank.bin", f(3 | 8, 0, 17, 1000, 4096, b""))


def insn_seeds():
    # Byte 0 = mode (0: 16-bit, 1: 32-bit, 2: 64-bit), then instructions back to back, at most
    # 120 bytes (the targets run with -max_len=128): pieces of tests/host/data/insn_lengths.txt.
    cases = {m: {"asm": [], "special": []} for m in (16, 32, 64)}
    path = os.path.join(ROOT, "..", "..", "host", "data", "insn_lengths.txt")
    for line in open(path):
        f = line.split("#")[0].split()
        if len(f) < 4:
            continue
        modes = (16, 32, 64) if f[1] == "all" else tuple(int(x) for x in f[1].split(","))
        for m in modes:
            cases[m][f[0]].append(bytes.fromhex(f[2]))

    def pieces(insns, cap=120):
        out, cur = [], b""
        for b in insns:
            if len(cur) + len(b) > cap:
                out.append(cur)
                cur = b""
            cur += b
        return out + ([cur] if cur else [])

    for i, m in enumerate((16, 32, 64)):
        a, s = pieces(cases[m]["asm"]), pieces(cases[m]["special"])
        for k, idx in enumerate((0, len(a) // 2, len(a) - 1)):
            write("insn_len", "asm_%dbit_%d.bin" % (m, k), bytes([i]) + a[idx])
        write("insn_len", "special_%dbit.bin" % m, bytes([i]) + s[len(s) // 3])
        if m == 64:
            write("mmio_decode", "asm_64bit.bin", bytes([i]) + a[len(a) // 3])


# The MOV forms hv/mmio_decode.h accepts, with prefixes, and four it refuses (LOCK, REP,
# register operand, another opcode), assembled by nasm for each mode.
MOV_FORMS = """
mov eax, [{b}]
mov [{b}], eax
mov byte [{b}], 0x12
mov dword [{b}+0x30], 0xdeadbeef
mov al, [{b}]
mov [{b}], cl
movzx eax, byte [{b}]
movzx eax, word [{b}]
movsx ecx, byte [{b}]
movsx edx, word [{b}]
mov ax, [{b}]
mov [{b}], dx
mov eax, [fs:{b}]
mov [es:{b}], ebx
mov word [{b}], 0xbeef
"""
MOV_LEGACY = """
mov [esi], ah
mov bh, [edi]
mov ax, [0x0300]
mov word [bx+si], 0x1234
a16 mov eax, [bp+di+4]
lock add [eax], eax
rep movsb
mov eax, ebx
add [eax], al
o16 mov [eax], bx
"""
MOV_64 = """
mov [r8], r9
mov r10b, [rsi]
mov sil, [rdi]
mov qword [rax], -5
mov rax, [abs qword 0xfee00030]
mov [abs qword 0xfee000b0], eax
movzx r11, word [rcx]
movsx rax, byte [rdx+rsi*8+0x10]
mov [rel $+0x100], ecx
mov byte [r12], 0x7f
lock add [rax], eax
rep movsb
mov rax, rbx
add [rax], al
"""


def mmio_seeds():
    for i, m in enumerate((16, 32, 64)):
        src = "bits %d\n" % m + MOV_FORMS.format(b="rbx" if m == 64 else "ebx") + \
            (MOV_64 if m == 64 else MOV_LEGACY)
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "m.asm"), "w") as f:
                f.write(src)
            subprocess.run(["nasm", "-w-all", "-f", "bin", "m.asm", "-o", "m.bin"], cwd=d, check=True)
            code = open(os.path.join(d, "m.bin"), "rb").read()
        write("mmio_decode", "mov_forms_%dbit.bin" % m, bytes([i]) + code)


if __name__ == "__main__":
    multiboot_seeds()
    acpi_seeds()
    linux_seeds()
    dhcp_seeds()
    tftp_error_seeds()
    insn_seeds()
    mmio_seeds()
