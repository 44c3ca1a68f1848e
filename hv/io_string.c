/* INS/OUTS with and without REP (see io_string.h). */
#include "arch/x86/cpu.h"
#include "hv/fmt.h"
#include "hv/guest_fetch.h"
#include "hv/guest_walk.h"
#include "hv/insn_len.h"
#include "hv/io_string.h"
#include "hv/lib.h"
#include "hv/vio.h"

#define RFLAGS_DF BIT(10)
#define RFLAGS_VM BIT(17)
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14

struct str_op {
	struct vcpu *v;
	struct guest_mode m;
	bool in, rep, long64;
	unsigned size;  /* element: 1, 2 or 4 bytes */
	unsigned asize; /* address size: 2, 4 or 8 bytes */
	uint64_t amask;
	uint16_t port;
	enum guest_seg seg;
	struct guest_segment s;
};

/* A register written at address size asize: a 16-bit write keeps bits 63:16, a 32-bit one
 * zero-extends (SDM vol. 1 3.4.1.1). */
static uint64_t reg_write(uint64_t old, uint64_t val, unsigned asize)
{
	if (asize == 2)
		return (old & ~0xffffull) | (val & 0xffff);
	if (asize == 4)
		return (uint32_t)val;
	return val;
}

static enum guest_seg override_seg(uint8_t prefix)
{
	switch (prefix) {
	case 0x26:
		return SEG_ES;
	case 0x2e:
		return SEG_CS;
	case 0x36:
		return SEG_SS;
	case 0x64:
		return SEG_FS;
	case 0x65:
		return SEG_GS;
	default:
		return SEG_DS; /* 0x3e, or no override: DS is OUTS's default */
	}
}

/*
 * What the exit information left open (the address size without it; OUTS's segment:
 * SVM fills the SEG field only with decode assists, VMX's instruction information is
 * there only with IA32_VMX_BASIC[54]), from the instruction's prefixes, which must agree
 * with what the exit did report. 0, or -1 with the guest stopped.
 */
static int decode_open_fields(struct str_op *op, int *seg)
{
	uint8_t code[INSN_MAX_LEN];
	struct insn_info info;
	size_t got = guest_insn_fetch(&op->v->mem, &op->m, code);
	int len = insn_decode(code, got, (enum insn_mode)op->m.cs_bits, &info);
	const char *why = NULL;
	if (len <= 0)
		why = "cannot be fetched or decoded";
	else if (info.map != INSN_MAP_1BYTE || info.opcode < 0x6c || info.opcode > 0x6f)
		why = "is not INS or OUTS";
	else if ((info.opcode < 0x6e) != op->in)
		why = "is not the direction the exit reports";
	else if ((info.opcode & 1 ? info.osz / 8 : 1) != op->size)
		why = "has another operand size than the exit reports";
	else if (op->asize && info.asz / 8 != op->asize)
		why = "has another address size than the exit reports";
	if (why) {
		vcpu_stop(op->v, "string I/O exit (port 0x%x): the instruction at RIP 0x%llx %s",
			  op->port, (unsigned long long)op->m.rip, why);
		return -1;
	}
	op->asize = info.asz / 8;
	if (*seg < 0)
		*seg = (int)override_seg(info.seg);
	return 0;
}

static void inject(struct str_op *op, uint8_t vector, uint32_t error, uint64_t cr2)
{
	op->v->be->inject_fault(op->v, vector, error, cr2);
}

/*
 * Outside 64-bit mode: may bytes [off, last] of the segment be accessed (write or read)?
 * Protected mode: the segment must be usable, writable data for a write, data or
 * readable code for a read (SDM vol. 3A 5.4.1, 5.5 for types); every mode checks the
 * limit, expand-down data segments from above it (5.3). 0, or the fault's vector.
 */
static uint8_t segment_fault(const struct str_op *op, uint64_t off, uint64_t last, bool write)
{
	uint8_t vec = op->seg == SEG_SS ? VEC_SS : VEC_GP;
	const struct guest_segment *s = &op->s;
	unsigned type = SEG_ATTR_TYPE(s->attr);
	bool code = type & 8;
	bool protected_mode = (op->m.cr0 & CR0_PE) && !(op->m.rflags & RFLAGS_VM);
	if (protected_mode) {
		if (s->unusable || !(s->attr & SEG_ATTR_P) || !(s->attr & SEG_ATTR_S))
			return vec;
		if (write ? code || !(type & 2) : code && !(type & 2))
			return vec;
	}
	if (!code && (type & 4)) {
		/* expand-down: offsets above the limit, up to 0xFFFF or 0xFFFFFFFF by D/B */
		uint64_t upper = s->attr & SEG_ATTR_DB ? 0xffffffffull : 0xffffull;
		return off > s->limit && last <= upper ? 0 : vec;
	}
	return last <= s->limit ? 0 : vec;
}

static bool canonical(uint64_t la)
{
	/* 48-bit linear addresses: guests get no 5-level paging (guest_walk.h). */
	return (uint64_t)((int64_t)(la << 16) >> 16) == la;
}

/*
 * The guest-physical bytes of the element at offset off: gpa[0] for the first n0 bytes,
 * gpa[1] for the rest (an element crossing a page). 0; 1 with a fault injected; -1 with
 * the guest stopped. *linear is the element's linear address.
 */
static int element_address(struct str_op *op, uint64_t off, uint64_t gpa[2], unsigned *n0,
			   uint64_t *linear)
{
	bool write = op->in; /* INS writes memory, OUTS reads it */
	uint64_t la;
	if (op->long64) {
		/* 64-bit mode: only FS and GS have a base (SDM vol. 3A 3.4.4); no limits. */
		la = off + (op->seg == SEG_FS || op->seg == SEG_GS ? op->s.base : 0);
		if (!canonical(la) || !canonical(la + op->size - 1)) {
			inject(op, op->seg == SEG_SS ? VEC_SS : VEC_GP, 0, 0);
			return 1;
		}
	} else {
		uint8_t vec = segment_fault(op, off, off + op->size - 1, write);
		if (vec) {
			inject(op, vec, 0, 0);
			return 1;
		}
		la = (op->s.base + off) & 0xffffffffull;
	}
	*linear = la;
	unsigned access = (write ? GUEST_WALK_WRITE : 0) | (op->m.cpl == 3 ? GUEST_WALK_USER : 0);
	*n0 = (unsigned)MIN((uint64_t)op->size, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
	for (unsigned part = 0; part < 2; part++) {
		unsigned n = part ? op->size - *n0 : *n0;
		if (!n)
			break;
		uint64_t pla = part ? (op->long64 ? la + *n0 : (la + *n0) & 0xffffffffull) : la;
		uint32_t err = 0;
		int rc = guest_walk(&op->v->mem, &op->m, pla, access, &gpa[part], &err);
		if (rc == GUEST_WALK_FAULT) {
			inject(op, VEC_PF, err, pla); /* CR2: the first byte on the faulting page */
			return 1;
		}
		const char *why = rc == GUEST_WALK_UNSUPPORTED ? "5-level paging is not supported"
				  : rc ? "its page tables lie outside the partition"
				  : gpa[part] >= op->v->mem.size || n > op->v->mem.size - gpa[part]
				      ? "it is outside the partition"
				  : vlapic_mmio_covers(&op->v->lapic, gpa[part])
				      ? "it is in the local APIC page (not emulated for INS/OUTS)"
				      : NULL;
		if (why) {
			vcpu_stop(op->v, "%s at port 0x%x: memory operand at linear 0x%llx "
				  "(guest-physical 0x%llx): %s",
				  op->in ? "INS" : "OUTS", op->port, (unsigned long long)pla,
				  (unsigned long long)(rc ? 0 : gpa[part]), why);
			return -1;
		}
	}
	return 0;
}

static int setup(struct str_op *op, struct vcpu *v, const struct vm_exit *e)
{
	op->v = v;
	v->be->read_mode(v, &op->m);
	op->in = e->io.in;
	op->rep = e->io.rep;
	op->size = e->io.size;
	op->port = e->io.port;
	op->asize = e->io.addr_size;
	op->long64 = op->m.cs_bits == 64;
	/* INS always writes ES:rDI: no override applies (SDM vol. 2 INS). */
	int seg = op->in ? SEG_ES : e->io.seg;
	if ((!op->asize || seg < 0) && decode_open_fields(op, &seg))
		return -1;
	if (op->asize != 2 && op->asize != 4 && op->asize != 8) {
		vcpu_stop(v, "string I/O exit (port 0x%x): address size %u is invalid", op->port,
			  op->asize);
		return -1;
	}
	op->amask = op->asize == 8 ? ~0ull : (1ull << (8 * op->asize)) - 1;
	op->seg = (enum guest_seg)seg;
	v->be->read_segment(v, op->seg, &op->s);
	return 0;
}

/* One element: port to memory (INS) or memory to port (OUTS). ACT_SKIP when done. */
static enum exit_action transfer(struct str_op *op, const uint64_t gpa[2], unsigned n0)
{
	uint8_t *p0 = op->v->mem.base + gpa[0], *p1 = op->v->mem.base + gpa[1];
	uint64_t val = 0;
	if (op->in) {
		vio_access_slow(op->v, &val, op->port, op->size, true);
		memcpy(p0, &val, n0);
		memcpy(p1, (uint8_t *)&val + n0, op->size - n0);
		return ACT_SKIP;
	}
	memcpy(&val, p0, n0);
	memcpy((uint8_t *)&val + n0, p1, op->size - n0);
	return vio_access_slow(op->v, &val, op->port, op->size, false);
}

enum exit_action io_string_exit(struct vcpu *v, const struct vm_exit *e)
{
	struct str_op op;
	if (setup(&op, v, e))
		return ACT_STOP;
	uint64_t *index = op.in ? &v->gprs.rdi : &v->gprs.rsi;
	uint64_t count = op.rep ? v->gprs.rcx & op.amask : 1;
	if (count == 0)
		return ACT_SKIP; /* REP with rCX = 0: nothing at all, no register written */
	uint64_t todo = MIN(count, (uint64_t)IO_STRING_CHUNK), done = 0;
	bool down = op.m.rflags & RFLAGS_DF;
	enum exit_action act = ACT_SKIP;
	while (done < todo) {
		uint64_t off = *index & op.amask, gpa[2] = { 0, 0 }, linear = 0;
		unsigned n0 = 0;
		int rc = element_address(&op, off, gpa, &n0, &linear);
		if (rc) {
			act = rc > 0 ? ACT_RESUME : ACT_STOP;
			break;
		}
		if (done == 0 && e->io.has_linear && e->io.linear != linear) {
			vcpu_stop(v, "%s at port 0x%x: the CPU reports linear address 0x%llx, the "
				  "hypervisor computed 0x%llx",
				  op.in ? "INS" : "OUTS", op.port, (unsigned long long)e->io.linear,
				  (unsigned long long)linear);
			act = ACT_STOP;
			break;
		}
		act = transfer(&op, gpa, n0);
		/* SDM vol. 2 INS/OUTS: rSI/rDI step by the element size, wrapping at the
		 * address size; REP counts rCX down once per element. */
		*index = reg_write(*index, down ? off - op.size : off + op.size, op.asize);
		done++;
		if (act != ACT_SKIP)
			break; /* the exit port ended the guest */
	}
	if (op.rep)
		v->gprs.rcx = reg_write(v->gprs.rcx, count - done, op.asize);
	if (act == ACT_SKIP && op.rep && count > done)
		return ACT_RESUME; /* RIP stays: the guest runs the rest */
	return act;
}
