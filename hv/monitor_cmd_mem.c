/*
 * The monitor's `mem NAME ADDR [LEN]`: a hex dump of the guest's memory. ADDR with a `p`
 * prefix is guest-physical; without, guest-virtual, translated through the guest's own
 * page tables in its current paging mode (CR0/CR3/CR4/EFER from a snapshot its CPU takes;
 * hv/guest_walk.c, only translating: no rights checked, no accessed/dirty flags set). The
 * bytes are read while the guest runs: a moment's view. A page that does not translate or
 * lies outside the partition ends the dump with one line saying so.
 */
#include "hv/fmt.h"
#include "hv/guest_fetch.h"
#include "hv/guest_walk.h"
#include "hv/lib.h"
#include "hv/monitor_cmds.h"
#include "hv/vcpu.h"

#define MEM_DEFAULT_LEN 64
#define MEM_MAX_LEN 256
#define PAGE 4096ull

static struct guest_state st;

static void dump(uint64_t addr, const uint8_t *b, size_t n)
{
	for (size_t off = 0; off < n; off += 16) {
		char hex[16 * 3 + 1], text[17];
		size_t k = MIN((size_t)16, n - off), h = 0;
		for (size_t i = 0; i < 16; i++) {
			if (i < k)
				h += (size_t)hv_snprintf(hex + h, sizeof(hex) - h, " %02x", b[off + i]);
			else
				h += (size_t)hv_snprintf(hex + h, sizeof(hex) - h, "   ");
			text[i] = i < k ? (b[off + i] >= 0x20 && b[off + i] < 0x7f ? (char)b[off + i] : '.')
					: 0;
		}
		text[k] = 0;
		mon_printf("%016llx:%s  |%s|\n", (unsigned long long)(addr + off), hex, text);
	}
}

/* Guest-virtual bytes, page by page: how many were read before a page failed (err set). */
static size_t read_virtual(const struct vcpu *v, const struct guest_mode *m, uint64_t addr,
			   uint8_t *b, size_t n, char *err, size_t errlen)
{
	size_t done = 0;
	while (done < n) {
		uint64_t la = addr + done, gpa;
		uint32_t pf = 0;
		size_t chunk = (size_t)MIN((uint64_t)(n - done), PAGE - (la & (PAGE - 1)));
		int rc = guest_walk(&v->mem, m, la, GUEST_WALK_PEEK, &gpa, &pf);
		if (rc == GUEST_WALK_FAULT) {
			hv_snprintf(err, errlen, "mem: guest-virtual 0x%llx is not mapped in %s's page "
				    "tables (CR3 0x%llx, #PF error code 0x%x)", (unsigned long long)la,
				    v->cfg->name, (unsigned long long)m->cr3, pf);
			return done;
		}
		if (rc == GUEST_WALK_OUTSIDE) {
			hv_snprintf(err, errlen, "mem: guest-virtual 0x%llx: a paging-structure entry of "
				    "%s lies outside its memory", (unsigned long long)la, v->cfg->name);
			return done;
		}
		if (rc != GUEST_WALK_OK) {
			hv_snprintf(err, errlen, "mem: %s's paging mode (5-level) cannot be walked",
				    v->cfg->name);
			return done;
		}
		if (guest_phys_read(&v->mem, gpa, b + done, chunk)) {
			hv_snprintf(err, errlen, "mem: guest-virtual 0x%llx maps to guest-physical "
				    "0x%llx, outside %s's memory", (unsigned long long)la,
				    (unsigned long long)gpa, v->cfg->name);
			return done;
		}
		done += chunk;
	}
	return done;
}

static void run_mem(unsigned argc, char **argv)
{
	struct vcpu *v = mon_guest("mem", argv[1]);
	if (!v)
		return;
	const char *a = argv[2];
	bool phys = a[0] == 'p' || a[0] == 'P';
	uint64_t addr, len = MEM_DEFAULT_LEN;
	if (!mon_parse_u64(a + phys, true, &addr)) {
		char shown[64];
		hv_escape(shown, sizeof(shown), a);
		mon_printf("mem: ADDR '%s' is not a hex address (p prefix: guest-physical)\n", shown);
		return;
	}
	if (argc > 3 && (!mon_parse_u64(argv[3], false, &len) || !len)) {
		char shown[64];
		hv_escape(shown, sizeof(shown), argv[3]);
		mon_printf("mem: LEN '%s' is not a byte count from 1 to %u\n", shown, MEM_MAX_LEN);
		return;
	}
	if (len > MEM_MAX_LEN) {
		mon_printf("mem: LEN %llu capped at %u bytes\n", (unsigned long long)len, MEM_MAX_LEN);
		len = MEM_MAX_LEN;
	}
	if (addr + len - 1 < addr)
		len = 0 - addr; /* stop at the top of the address space */
	static uint8_t buf[MEM_MAX_LEN];
	char err[200] = "";
	size_t got;
	if (phys) {
		if (addr >= v->mem.size) {
			mon_printf("mem: guest-physical 0x%llx is outside %s's memory (0-0x%llx)\n",
				   (unsigned long long)addr, v->cfg->name,
				   (unsigned long long)(v->mem.size - 1));
			return;
		}
		got = (size_t)MIN(len, v->mem.size - addr);
		memcpy(buf, v->mem.base + addr, got);
		if (got < len)
			hv_snprintf(err, sizeof(err), "mem: guest-physical 0x%llx is outside %s's memory "
				    "(0-0x%llx)", (unsigned long long)(addr + got), v->cfg->name,
				    (unsigned long long)(v->mem.size - 1));
	} else {
		if (!mon_snapshot("mem", v, &st))
			return;
		struct guest_mode m;
		guest_state_mode(&st, &m);
		got = read_virtual(v, &m, addr, buf, (size_t)len, err, sizeof(err));
	}
	dump(addr, buf, got);
	if (err[0])
		mon_printf("%s\n", err);
}

const struct monitor_cmd mon_cmd_mem = {
	"mem", "NAME ADDR [LEN]",
	"hex dump of guest-virtual ADDR, or guest-physical pADDR; LEN 64, at most 256",
	2, 3, run_mem,
};
