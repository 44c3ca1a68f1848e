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
		 const uint8_t *code, size_t got, const char *dev, const char *why)
{
	char hex[3 * 10 + 4] = "";
	size_t n = 0;
	for (size_t i = 0; i < got && i < 10; i++)
		n += (size_t)hv_snprintf(hex + n, sizeof(hex) - n, "%s%02x", i ? " " : "", code[i]);
	if (got > 10)
		hv_snprintf(hex + n, sizeof(hex) - n, " ..");
	vcpu_stop(v, "%s %s at 0x%llx by the instruction at RIP 0x%llx [%s]: %s", dev,
		  e->npf.write ? "write" : "read", (unsigned long long)e->npf.gpa,
		  (unsigned long long)m->rip, hex, why);
}

/* The device behind the page: a read or a write of size bytes at offset. */
struct mmio_dev {
	const char *name; /* for stop messages: "local APIC" */
	uint32_t page_size;
	void (*read)(struct vcpu *v, uint32_t off, unsigned size, uint64_t *val);
	void (*write)(struct vcpu *v, uint32_t off, unsigned size, uint64_t val);
};

static enum exit_action mmio_exit(struct vcpu *v, struct vm_exit *e, const struct mmio_dev *dev)
{
	struct guest_mode m;
	uint8_t code[INSN_MAX_LEN];
	struct mmio_insn d;
	v->be->read_mode(v, &m);
	if (e->npf.fetch) {
		vcpu_stop(v, "instruction fetch from the %s page at 0x%llx (RIP 0x%llx)", dev->name,
			  (unsigned long long)e->npf.gpa, (unsigned long long)m.rip);
		return ACT_STOP;
	}
	size_t got = guest_insn_fetch(&v->mem, &m, code);
	int rc = mmio_decode(code, got, (enum insn_mode)m.cs_bits, &d);
	if (rc < 0) {
		stop(v, e, &m, code, got, dev->name, mmio_decode_strerror(rc));
		return ACT_STOP;
	}
	uint32_t off = (uint32_t)(e->npf.gpa & (dev->page_size - 1));
	uint64_t *reg = d.has_imm ? NULL : gpr(&v->gprs, d.reg);
	const char *why = NULL;
	if (d.write != e->npf.write)
		why = d.write ? "the instruction writes but the exit reports a read"
			      : "the instruction reads but the exit reports a write";
	else if (off + d.size > dev->page_size)
		why = "the access crosses the end of the page";
	else if (!d.has_imm && !reg)
		why = "rSP as the register operand is not emulated";
	if (why) {
		stop(v, e, &m, code, (size_t)d.len, dev->name, why);
		return ACT_STOP;
	}
	if (d.write) {
		dev->write(v, off, d.size, mmio_store_value(&d, reg ? *reg : 0));
	} else {
		uint64_t val = 0;
		dev->read(v, off, d.size, &val);
		*reg = mmio_load_result(&d, *reg, val);
	}
	e->insn_len = d.len;
	return ACT_SKIP;
}

/* The local APIC at the guest's TSC. */
static void lapic_read(struct vcpu *v, uint32_t off, unsigned size, uint64_t *val)
{
	vlapic_mmio_read(&v->lapic, off, size, val, host_rdtsc() + v->tsc_offset);
}

static void lapic_write(struct vcpu *v, uint32_t off, unsigned size, uint64_t val)
{
	vlapic_mmio_write(&v->lapic, off, size, val, host_rdtsc() + v->tsc_offset);
}

static const struct mmio_dev lapic_dev = { "local APIC", VLAPIC_PAGE_SIZE, lapic_read, lapic_write };

enum exit_action apic_mmio_exit(struct vcpu *v, struct vm_exit *e)
{
	return mmio_exit(v, e, &lapic_dev);
}

static void ioapic_read(struct vcpu *v, uint32_t off, unsigned size, uint64_t *val)
{
	*val = vioapic_mmio_read(&v->ioapic, off, size);
}

static void ioapic_write(struct vcpu *v, uint32_t off, unsigned size, uint64_t val)
{
	vioapic_mmio_write(&v->ioapic, &v->lapic, off, size, val);
}

static const struct mmio_dev ioapic_dev = { "I/O APIC", VIOAPIC_PAGE_SIZE, ioapic_read, ioapic_write };

enum exit_action ioapic_mmio_exit(struct vcpu *v, struct vm_exit *e)
{
	return mmio_exit(v, e, &ioapic_dev);
}
