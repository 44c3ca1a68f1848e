/* Software and hardware breakpoints of one guest (see gdb_break.h). */
#include "hv/gdb_break.h"
#include "hv/gdb_mem.h"

#define INT3 0xcc

static int sw_find(const struct gdb_breaks *b, uint64_t addr)
{
	for (int i = 0; i < GDB_SW_BREAKS; i++)
		if (b->sw[i].used && b->sw[i].addr == addr)
			return i;
	return -1;
}

bool gdb_sw_at(const struct gdb_breaks *b, uint64_t addr)
{
	return sw_find(b, addr) >= 0;
}

unsigned gdb_sw_count(const struct gdb_breaks *b)
{
	unsigned n = 0;
	for (int i = 0; i < GDB_SW_BREAKS; i++)
		n += b->sw[i].used;
	return n;
}

int gdb_sw_insert(struct gdb_breaks *b, const struct guest_mem *mem, const struct guest_mode *m,
		  uint64_t addr)
{
	if (sw_find(b, addr) >= 0)
		return 0; /* already there: gdb may insert twice (E.1 "Z0": idempotent) */
	int i;
	for (i = 0; i < GDB_SW_BREAKS && b->sw[i].used; i++)
		;
	if (i == GDB_SW_BREAKS)
		return -1;
	uint8_t orig, int3 = INT3;
	if (gdb_mem_read_raw(mem, m, addr, &orig, 1) != 1 ||
	    gdb_mem_write_raw(mem, m, addr, &int3, 1) != 1)
		return -1;
	b->sw[i].addr = addr;
	b->sw[i].orig = orig;
	b->sw[i].used = true;
	return 0;
}

int gdb_sw_remove(struct gdb_breaks *b, const struct guest_mem *mem, const struct guest_mode *m,
		  uint64_t addr)
{
	int i = sw_find(b, addr);
	if (i < 0)
		return -1;
	b->sw[i].used = false;
	/* Unmapped meanwhile (the guest changed its page tables): nothing to put back here. */
	gdb_mem_write_raw(mem, m, addr, &b->sw[i].orig, 1);
	return 0;
}

void gdb_sw_remove_all(struct gdb_breaks *b, const struct guest_mem *mem, const struct guest_mode *m)
{
	for (int i = 0; i < GDB_SW_BREAKS; i++)
		if (b->sw[i].used)
			gdb_sw_remove(b, mem, m, b->sw[i].addr);
}

size_t gdb_mem_read(const struct gdb_breaks *b, const struct guest_mem *mem,
		    const struct guest_mode *m, uint64_t addr, uint8_t *buf, size_t n)
{
	size_t done = gdb_mem_read_raw(mem, m, addr, buf, n);
	for (int i = 0; i < GDB_SW_BREAKS; i++)
		if (b->sw[i].used && b->sw[i].addr - addr < done)
			buf[b->sw[i].addr - addr] = b->sw[i].orig;
	return done;
}

size_t gdb_mem_write(struct gdb_breaks *b, const struct guest_mem *mem, const struct guest_mode *m,
		     uint64_t addr, const uint8_t *buf, size_t n)
{
	size_t done = gdb_mem_write_raw(mem, m, addr, buf, n);
	uint8_t int3 = INT3;
	for (int i = 0; i < GDB_SW_BREAKS; i++) {
		if (b->sw[i].used && b->sw[i].addr - addr < done) {
			b->sw[i].orig = buf[b->sw[i].addr - addr];
			gdb_mem_write_raw(mem, m, b->sw[i].addr, &int3, 1);
		}
	}
	return done;
}

static uint8_t hw_type(unsigned kind)
{
	return kind == 1 ? GDB_HW_EXEC : kind == 2 ? GDB_HW_WRITE : GDB_HW_ACCESS;
}

int gdb_hw_insert(struct gdb_breaks *b, unsigned kind, uint64_t addr, unsigned len)
{
	if (kind < 1 || kind > 4)
		return -1;
	if (kind == 1)
		len = 1; /* an instruction breakpoint has LEN 00 (SDM vol. 3B 17.2.5) */
	if ((len != 1 && len != 2 && len != 4 && len != 8) || (addr & (len - 1)))
		return -1;
	for (int i = 0; i < 4; i++) {
		if (!b->hw[i].used) {
			b->hw[i].used = true;
			b->hw[i].addr = addr;
			b->hw[i].type = hw_type(kind);
			b->hw[i].len = (uint8_t)len;
			return 0;
		}
	}
	return -1;
}

int gdb_hw_remove(struct gdb_breaks *b, unsigned kind, uint64_t addr, unsigned len)
{
	if (kind == 1)
		len = 1;
	for (int i = 0; i < 4; i++) {
		if (b->hw[i].used && b->hw[i].addr == addr && b->hw[i].type == hw_type(kind) &&
		    b->hw[i].len == len) {
			b->hw[i].used = false;
			return 0;
		}
	}
	return -1;
}

unsigned gdb_hw_count(const struct gdb_breaks *b)
{
	unsigned n = 0;
	for (int i = 0; i < 4; i++)
		n += b->hw[i].used;
	return n;
}

/* DR7 LEN encoding (SDM vol. 3B 17.2.5): 00 1 byte, 01 2, 11 4, 10 8. */
static uint64_t len_code(unsigned len)
{
	return len == 1 ? 0 : len == 2 ? 1 : len == 8 ? 2 : 3;
}

uint64_t gdb_hw_dr7(const struct gdb_breaks *b)
{
	uint64_t dr7 = BIT(10); /* bit 10 reads as 1 */
	bool data = false;
	for (unsigned i = 0; i < 4; i++) {
		if (!b->hw[i].used)
			continue;
		dr7 |= BIT(2 * i);                              /* Li */
		dr7 |= (uint64_t)b->hw[i].type << (16 + 4 * i); /* R/Wi */
		dr7 |= len_code(b->hw[i].len) << (18 + 4 * i);  /* LENi */
		data |= b->hw[i].type != GDB_HW_EXEC;
	}
	if (data)
		dr7 |= BIT(8); /* LE: exact data breakpoints (SDM vol. 3B 17.2.4) */
	return dr7;
}

void gdb_hw_addrs(const struct gdb_breaks *b, uint64_t dr[4])
{
	for (unsigned i = 0; i < 4; i++)
		dr[i] = b->hw[i].used ? b->hw[i].addr : 0;
}

int gdb_hw_hit(const struct gdb_breaks *b, uint64_t dr6)
{
	for (int i = 0; i < 4; i++)
		if (b->hw[i].used && (dr6 & BIT(i)))
			return i;
	return -1;
}
