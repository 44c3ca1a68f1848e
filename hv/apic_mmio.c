/*
 * xAPIC MMIO emulation (hv/apic_mmio.h). The page is absent from the nested page
 * tables, so every access exits as a nested page fault (APM vol. 2 15.25.6; SDM
 * vol. 3C 28.3.3.2 for EPT violations) with the guest-physical address; neither
 * emulator here provides decode assists, so the instruction is read and decoded here.
 */
#include "hv/apic_mmio.h"
#include "hv/fmt.h"
#include "hv/guest_fetch.h"
#include "hv/host_cpu.h"
#include "hv/mmio_decode.h"

/* struct guest_gprs field of a GPR in encoding order (SDM vol. 2, table 2-2 and
 * 2.2.1.2); rSP lives in the VMCB/VMCS and has no field: NULL. */
static uint64_t *gpr(struct guest_gprs *g, unsigned reg)
{
	uint64_t *const by_number[16] = {
		&g->rax, &g->rcx, &g->rdx, &g->rbx, NULL, &g->rbp, &g->rsi, &g->rdi,
		&g->r8, &g->r9, &g->r10, &g->r11, &g->r12, &g->r13, &g->r14, &g->r15,
	};
	return by_number[reg & 15];
}

static void stop(struct vcpu *v, const struct vm_exit *e, const struct guest_mode *m,
		 const uint8_t *code, size_t got, const char *why)
{
	char hex[3 * 10 + 4] = "";
	size_t n = 0;
	for (size_t i = 0; i < got && i < 10; i++)
		n += (size_t)hv_snprintf(hex + n, sizeof(hex) - n, "%s%02x", i ? " " : "", code[i]);
	if (got > 10)
		hv_snprintf(hex + n, sizeof(hex) - n, " ..");
	vcpu_stop(v, "local APIC %s at 0x%llx by the instruction at RIP 0x%llx [%s]: %s",
		  e->npf.write ? "write" : "read", (unsigned long long)e->npf.gpa,
		  (unsigned long long)m->rip, hex, why);
}

enum exit_action apic_mmio_exit(struct vcpu *v, struct vm_exit *e)
{
	struct guest_mode m;
	uint8_t code[INSN_MAX_LEN];
	struct mmio_insn d;
	v->be->read_mode(v, &m);
	if (e->npf.fetch) {
		vcpu_stop(v, "instruction fetch from the local APIC page at 0x%llx (RIP 0x%llx)",
			  (unsigned long long)e->npf.gpa, (unsigned long long)m.rip);
		return ACT_STOP;
	}
	size_t got = guest_insn_fetch(&v->mem, &m, code);
	int rc = mmio_decode(code, got, (enum insn_mode)m.cs_bits, &d);
	if (rc < 0) {
		stop(v, e, &m, code, got, mmio_decode_strerror(rc));
		return ACT_STOP;
	}
	uint32_t off = (uint32_t)(e->npf.gpa & (VLAPIC_PAGE_SIZE - 1));
	uint64_t *reg = d.has_imm ? NULL : gpr(&v->gprs, d.reg);
	const char *why = NULL;
	if (d.write != e->npf.write)
		why = d.write ? "the instruction writes but the exit reports a read"
			      : "the instruction reads but the exit reports a write";
	else if (off + d.size > VLAPIC_PAGE_SIZE)
		why = "the access crosses the end of the page";
	else if (!d.has_imm && !reg)
		why = "rSP as the register operand is not emulated";
	if (why) {
		stop(v, e, &m, code, (size_t)d.len, why);
		return ACT_STOP;
	}
	uint64_t now = host_rdtsc() + v->tsc_offset; /* the guest's TSC */
	if (d.write) {
		vlapic_mmio_write(&v->lapic, off, d.size, mmio_store_value(&d, reg ? *reg : 0), now);
	} else {
		uint64_t val = 0;
		vlapic_mmio_read(&v->lapic, off, d.size, &val, now);
		*reg = mmio_load_result(&d, *reg, val);
	}
	e->insn_len = d.len;
	return ACT_SKIP;
}
