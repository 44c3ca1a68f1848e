/* The xAPIC page through the core's EXIT_NPF path (hv/apic_mmio.c) onto the real vlapic. */
#include <string.h>
#include "arch/x86/cpu.h"
#include "hv/vlapic_regs.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

#define APIC 0xfee00000ull

static struct vcpu *apic_vcpu(void)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	vlapic_init(&v->lapic, 0, 1000000, 1000000);
	return v;
}

static struct guest_mode *mode(struct vcpu *v)
{
	return &((struct fake_guest *)v->arch)->mode;
}

/* Put code at guest-physical gpa and point RIP (flat 32-bit, paging off) at it. */
static void code_at(struct vcpu *v, uint64_t gpa, const void *bytes, size_t n)
{
	memset(v->mem.base + gpa, 0xcc, 16);
	memcpy(v->mem.base + gpa, bytes, n);
	mode(v)->rip = gpa - mode(v)->cs_base;
}

static enum exit_action npf(struct vcpu *v, uint64_t gpa, bool write, struct vm_exit *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = EXIT_NPF;
	e->npf.gpa = gpa;
	e->npf.write = write;
	return hv_handle_exit(v, e);
}

TEST(apic_mmio_32bit_absolute_writes_and_reads)
{
	struct vcpu *v = apic_vcpu();
	struct vm_exit e;
	code_at(v, 0x1000, "\xc7\x05\x80\x00\xe0\xfe\x30\x00\x00\x00", 10); /* movl $0x30, TPR */
	CHECK_EQ(npf(v, APIC + APIC_TPR, true, &e), ACT_SKIP);
	CHECK_EQ(e.insn_len, 10);
	CHECK_EQ(v->lapic.tpr, 0x30);
	code_at(v, 0x1000, "\x8b\x15\x80\x00\xe0\xfe", 6); /* mov edx, [TPR] */
	v->gprs.rdx = ~0ull;
	CHECK_EQ(npf(v, APIC + APIC_TPR, false, &e), ACT_SKIP);
	CHECK_EQ(e.insn_len, 6);
	CHECK_EQ(v->gprs.rdx, 0x30); /* a 32-bit destination zero-extends */
	code_at(v, 0x1000, "\x8a\x35\x80\x00\xe0\xfe", 6); /* mov dh, [TPR] */
	v->gprs.rdx = 0x1111;
	CHECK_EQ(npf(v, APIC + APIC_TPR, false, &e), ACT_SKIP);
	CHECK_EQ(v->gprs.rdx, 0x3011); /* a byte destination merges */
	code_at(v, 0x1000, "\xa1\x30\x00\xe0\xfe", 5); /* mov eax, [version] */
	CHECK_EQ(npf(v, APIC + APIC_LVR, false, &e), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, VLAPIC_VERSION);
	code_at(v, 0x1000, "\x89\x1d\x80\x00\xe0\xfe", 6); /* mov [TPR], ebx */
	v->gprs.rbx = 0xaaaaaaaa000000e0ull;
	CHECK_EQ(npf(v, APIC + APIC_TPR, true, &e), ACT_SKIP);
	CHECK_EQ(v->lapic.tpr, 0xe0);
	CHECK_EQ(v->exits[EXIT_NPF], 5);
	CHECK_EQ(v->end.kind, GUEST_RUNNING);
	fake_vcpu_free(v);
}

/* 4-level paging: RIP in the upper half, identity-mapped 2 MiB page at 0 behind it. */
static void long_mode(struct vcpu *v)
{
	uint64_t *pml4 = (uint64_t *)(v->mem.base + 0x10000);
	uint64_t *pdpt = (uint64_t *)(v->mem.base + 0x11000);
	uint64_t *pd = (uint64_t *)(v->mem.base + 0x12000);
	pml4[256] = 0x11000 | 3;
	pdpt[0] = 0x12000 | 3;
	pd[0] = 0x83;
	struct guest_mode *m = mode(v);
	m->cr0 = CR0_PG | 0x11;
	m->cr3 = 0x10000;
	m->cr4 = CR4_PAE;
	m->efer = EFER_LME | EFER_LMA;
	m->cs_bits = 64;
	m->cs_base = 0;
}

static void code64(struct vcpu *v, const void *bytes, size_t n)
{
	memset(v->mem.base + 0x2000, 0xcc, 16);
	memcpy(v->mem.base + 0x2000, bytes, n);
	mode(v)->rip = 0xffff800000002000ull;
}

TEST(apic_mmio_64bit_through_the_guest_page_tables)
{
	struct vcpu *v = apic_vcpu();
	struct vm_exit e;
	long_mode(v);
	code64(v, "\x44\x89\x07", 3); /* mov [rdi], r8d */
	v->gprs.r8 = 0xffffffff00000040ull;
	CHECK_EQ(npf(v, APIC + APIC_TPR, true, &e), ACT_SKIP);
	CHECK_EQ(e.insn_len, 3);
	CHECK_EQ(v->lapic.tpr, 0x40);
	code64(v, "\x44\x8b\x0f", 3); /* mov r9d, [rdi] */
	v->gprs.r9 = ~0ull;
	CHECK_EQ(npf(v, APIC + APIC_TPR, false, &e), ACT_SKIP);
	CHECK_EQ(v->gprs.r9, 0x40);
	code64(v, "\x0f\xb6\x47\x01", 4); /* movzx eax, byte [rdi+1] */
	v->gprs.rax = ~0ull;
	CHECK_EQ(npf(v, APIC + APIC_LVR + 2, false, &e), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, (VLAPIC_VERSION >> 16) & 0xff);
	/* The timer starts at the guest's TSC: host TSC + offset. */
	v->tsc_offset = 0x100000000ull;
	fake_tsc = 5000000;
	code64(v, "\xc7\x07\x00\x10\x00\x00", 6); /* movl $0x1000, [rdi] */
	CHECK_EQ(npf(v, APIC + APIC_TIMER_ICR, true, &e), ACT_SKIP);
	CHECK_EQ(v->lapic.timer_icr, 0x1000);
	CHECK_EQ(v->lapic.timer_start, 5000000 + 0x100000000ull);
	CHECK_EQ(v->end.kind, GUEST_RUNNING);
	fake_vcpu_free(v);
}

TEST(apic_mmio_16bit_code_with_prefixes)
{
	struct vcpu *v = apic_vcpu();
	struct vm_exit e;
	mode(v)->cs_bits = 16;
	mode(v)->cs_base = 0x10000;
	code_at(v, 0x10100, "\x67\x66\xa1\x80\x00\xe0\xfe", 7); /* mov eax, [dword 0xfee00080] */
	v->lapic.tpr = 0x20;
	v->gprs.rax = ~0ull;
	CHECK_EQ(npf(v, APIC + APIC_TPR, false, &e), ACT_SKIP);
	CHECK_EQ(e.insn_len, 7);
	CHECK_EQ(v->gprs.rax, 0x20);
	code_at(v, 0x10100, "\xa1\x80\x00", 3); /* mov ax, [0x80] (DS based at 0xfee00000) */
	CHECK_EQ(npf(v, APIC + APIC_TPR, false, &e), ACT_SKIP);
	CHECK_EQ(e.insn_len, 3);
	CHECK_EQ(v->gprs.rax, 0x20);
	fake_vcpu_free(v);
}

static void check_stops(const char *bytes, size_t n, uint64_t gpa, bool write, const char *want1,
			const char *want2)
{
	struct vcpu *v = apic_vcpu();
	struct vm_exit e;
	code_at(v, 0x1000, bytes, n);
	CHECK_EQ(npf(v, gpa, write, &e), ACT_STOP);
	CHECK_EQ(v->end.kind, GUEST_STOPPED);
	if (!strstr(v->end.reason, want1) || !strstr(v->end.reason, want2))
		printf("  reason \"%s\" lacks \"%s\"/\"%s\"\n", v->end.reason, want1, want2);
	CHECK(strstr(v->end.reason, want1) && strstr(v->end.reason, want2));
	CHECK(strlen(v->end.reason) < sizeof(v->end.reason) - 1); /* one line, not truncated */
	fake_vcpu_free(v);
}

TEST(apic_mmio_stops_on_what_it_cannot_emulate)
{
	check_stops("\xf0\x89\x07", 3, APIC + 0x80, true, "[f0 89 07 cc cc", "LOCK prefix");
	check_stops("\x01\x07", 2, APIC + 0x80, true, "[01 07", "not a MOV");
	check_stops("\x8b\x07", 2, APIC + 0x80, true, "[8b 07]", "reads but the exit reports a write");
	check_stops("\x89\x07", 2, APIC + 0x80, false, "[89 07]", "writes but the exit reports a read");
	check_stops("\x89\x27", 2, APIC + 0x80, true, "[89 27]", "rSP");
	check_stops("\x89\x07", 2, APIC + 0xffe, true, "0xfee00ffe", "crosses the end");
	check_stops("\x8b\x07", 2, 0x10000000, false, "read of guest-physical 0x10000000", "outside");

	struct vcpu *v = apic_vcpu();
	struct vm_exit e;
	long_mode(v);
	mode(v)->rip = 0x00007f0000000000ull; /* not mapped */
	CHECK_EQ(npf(v, APIC + 0x80, false, &e), ACT_STOP);
	CHECK(strstr(v->end.reason, "[]: instruction bytes cut short") != NULL);
	fake_vcpu_free(v);

	v = apic_vcpu();
	memset(&e, 0, sizeof(e));
	e.kind = EXIT_NPF;
	e.npf.gpa = APIC + 0x80;
	e.npf.fetch = true;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(strstr(v->end.reason, "instruction fetch from the local APIC page") != NULL);
	fake_vcpu_free(v);
}
