/*
 * The debugger's breakpoints in one guest. Software breakpoints (Z0) patch INT3 (0xCC)
 * into guest memory and keep the byte they replaced, so that gdb's reads see the guest's
 * own bytes and its writes over a patched byte change the kept one (invisible to the guest
 * except for the #BP it never receives: the stub intercepts #BP while one is set).
 * Hardware breakpoints and watchpoints (Z1-Z4) take one of the four debug-address
 * registers DR0-DR3 and their DR7 enable, R/W and LEN fields (SDM vol. 3B 17.2.4, APM vol.
 * 2 13.1.1). Pure logic: memory through hv/gdb_mem.h, the DR values computed here and
 * loaded by the caller.
 */
#ifndef HV_GDB_BREAK_H
#define HV_GDB_BREAK_H

#include "hv/types.h"
#include "hv/virt_backend.h"

struct guest_mem;

#define GDB_SW_BREAKS 64

enum gdb_hw_type { GDB_HW_EXEC = 0, GDB_HW_WRITE = 1, GDB_HW_ACCESS = 3 }; /* DR7 R/W codes */

struct gdb_breaks {
	struct {
		uint64_t addr;
		uint8_t orig;
		bool used;
	} sw[GDB_SW_BREAKS];
	struct {
		uint64_t addr;
		uint8_t type, len;
		bool used;
	} hw[4];
};

/* Z0/z0. 0, or -1: unmapped, table full, or (remove) no such breakpoint. */
int gdb_sw_insert(struct gdb_breaks *b, const struct guest_mem *mem, const struct guest_mode *m,
		  uint64_t addr);
int gdb_sw_remove(struct gdb_breaks *b, const struct guest_mem *mem, const struct guest_mode *m,
		  uint64_t addr);
bool gdb_sw_at(const struct gdb_breaks *b, uint64_t addr);
unsigned gdb_sw_count(const struct gdb_breaks *b);
/* Put every patched byte back (detach). */
void gdb_sw_remove_all(struct gdb_breaks *b, const struct guest_mem *mem, const struct guest_mode *m);
/* Memory as gdb sees it: read (patched bytes shown as the originals) and write (a write
 * over a patched byte changes the original and keeps the INT3). Bytes done. */
size_t gdb_mem_read(const struct gdb_breaks *b, const struct guest_mem *mem,
		    const struct guest_mode *m, uint64_t addr, uint8_t *buf, size_t n);
size_t gdb_mem_write(struct gdb_breaks *b, const struct guest_mem *mem, const struct guest_mode *m,
		     uint64_t addr, const uint8_t *buf, size_t n);

/* Z1-Z4 (kind = the packet's type: 1 hardware breakpoint, 2 write, 3 read, 4 access
 * watchpoint; read watchpoints take R/W = 11, reads or writes, as x86 has no read-only
 * kind: gdb is told only of the address). len 1, 2, 4 or 8 and addr aligned to it; a
 * breakpoint has len 1. -1 when no slot is free or the request cannot be encoded. */
int gdb_hw_insert(struct gdb_breaks *b, unsigned kind, uint64_t addr, unsigned len);
int gdb_hw_remove(struct gdb_breaks *b, unsigned kind, uint64_t addr, unsigned len);
unsigned gdb_hw_count(const struct gdb_breaks *b);
/* DR7 for the slots in use (L0-L3 enables, R/W, LEN; GE as the SDM recommends for data
 * breakpoints) and the addresses for DR0-DR3. */
uint64_t gdb_hw_dr7(const struct gdb_breaks *b);
void gdb_hw_addrs(const struct gdb_breaks *b, uint64_t dr[4]);
/* The slot a DR6 B0-B3 bit names that is ours, or -1. */
int gdb_hw_hit(const struct gdb_breaks *b, uint64_t dr6);

#endif
