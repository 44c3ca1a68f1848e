/* The core's answer to each normalized exit, with the fake backend. */
#include <string.h>
#include "arch/x86/msr_index.h"
#include "hv/vio.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"


TEST(exit_cpuid_uses_guest_view)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	struct vm_exit e = fake_exit(EXIT_CPUID, 2);
	v->gprs.rax = 0x40000000;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, 0x40000010); /* up to the frequency leaf */
	CHECK(!memcmp(&v->gprs.rbx, "HvTy", 4) && !memcmp(&v->gprs.rcx, "peOn", 4) &&
	      !memcmp(&v->gprs.rdx, "eX86", 4)); /* all 12 bytes of "HvTypeOneX86" */
	v->gprs.rax = 0x40000001;
	hv_handle_exit(v, &e);
	CHECK_EQ(v->gprs.rbx, 3); /* pinned CPU */
	CHECK_EQ(v->gprs.rcx, 4); /* MiB */
	v->gprs.rax = 1;
	hv_handle_exit(v, &e);
	CHECK(v->gprs.rcx & CPUID_1_ECX_HYPERVISOR);
	CHECK(!(v->gprs.rcx & CPUID_1_ECX_VMX));
	CHECK(!(v->gprs.rcx & CPUID_1_ECX_OSXSAVE));
	((struct fake_guest *)v->arch)->mode.cr4 = 1u << 18;
	v->gprs.rax = 1;
	hv_handle_exit(v, &e);
	CHECK(v->gprs.rcx & CPUID_1_ECX_OSXSAVE); /* follows the guest's CR4 */
	CHECK_EQ(v->exits[EXIT_CPUID], 4);
	fake_vcpu_free(v);
}

TEST(exit_cpuid_ospke_follows_guest_cr4_pke)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	struct vm_exit e = fake_exit(EXIT_CPUID, 2);
	/* The fake host's 7.0 ECX has OSPKE set (its OS's state): the guest sees its own. */
	v->gprs.rax = 7;
	v->gprs.rcx = 0;
	hv_handle_exit(v, &e);
	CHECK(!(v->gprs.rcx & CPUID_7_ECX_OSPKE));
	((struct fake_guest *)v->arch)->mode.cr4 = 1u << 22; /* CR4.PKE */
	v->gprs.rax = 7;
	v->gprs.rcx = 0;
	hv_handle_exit(v, &e);
	CHECK(v->gprs.rcx & CPUID_7_ECX_OSPKE);
	v->gprs.rax = 7;
	v->gprs.rcx = 1; /* only subleaf 0 carries OSPKE */
	hv_handle_exit(v, &e);
	CHECK(!(v->gprs.rcx & CPUID_7_ECX_OSPKE));
	v->gprs.rax = 1;
	hv_handle_exit(v, &e);
	CHECK(!(v->gprs.rcx & CPUID_1_ECX_OSXSAVE)); /* CR4.PKE does not set OSXSAVE */
	fake_vcpu_free(v);
}

TEST(exit_hypercall_ping_and_unknown)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	struct vm_exit e = fake_exit(EXIT_HYPERCALL, 3);
	v->gprs.rax = 0;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, 0);
	v->gprs.rax = 77;
	hv_handle_exit(v, &e);
	CHECK_EQ(v->gprs.rax, ~0ull);
	fake_vcpu_free(v);
}

static struct vm_exit io(uint16_t port, uint8_t size, bool in)
{
	struct vm_exit e = fake_exit(EXIT_IO, 1);
	e.io.port = port;
	e.io.size = size;
	e.io.in = in;
	return e;
}

TEST(exit_io_uart_unknown_ports_and_exit_port)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	struct vm_exit e = io(0x3fd, 1, true); /* LSR */
	v->gprs.rax = 0x1234567800ull;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, 0x1234567860ull); /* THRE|TEMT, upper bytes kept */
	e = io(0x3ff, 1, false);
	v->gprs.rax = 0x5a;
	hv_handle_exit(v, &e);
	e = io(0x3ff, 1, true);
	hv_handle_exit(v, &e);
	CHECK_EQ(v->gprs.rax & 0xff, 0x5a); /* scratch register */
	e = io(0x510, 2, true);
	v->gprs.rax = ~0ull << 32;
	hv_handle_exit(v, &e);
	CHECK_EQ(v->gprs.rax, (~0ull << 32) | 0xffff);
	e = io(0x510, 4, true);
	v->gprs.rax = ~0ull;
	hv_handle_exit(v, &e);
	CHECK_EQ(v->gprs.rax, 0xffffffffull); /* IN EAX zero-extends */
	CHECK(v->ports_seen[0x510 >> 3] & (1 << (0x510 & 7)));
	e = io(0x3f8, 1, false);
	e.io.string = true;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(strstr(v->end.reason, "string I/O") != NULL);
	fake_vcpu_free(v);

	v = fake_vcpu_new(4 << 20);
	e = io(EXIT_PORT, 4, false);
	v->gprs.rax = 0xffffffff00000000ull | 7;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK_EQ(v->end.kind, GUEST_FAILED);
	CHECK_EQ(v->end.status, 7);
	fake_vcpu_free(v);
	v = fake_vcpu_new(4 << 20);
	v->gprs.rax = 0;
	hv_handle_exit(v, &e);
	CHECK_EQ(v->end.kind, GUEST_PASSED);
	fake_vcpu_free(v);
	/* 38 (QEMU-style status 77) is skipped; its neighbours and a value whose status would
	 * wrap to 77 in 32 bits fail. */
	static const struct {
		uint64_t rax;
		enum guest_end_kind kind;
	} conv[] = { { 38, GUEST_SKIPPED }, { 37, GUEST_FAILED }, { 39, GUEST_FAILED },
		     { 0x80000026ull, GUEST_FAILED }, { 0x80000000ull, GUEST_FAILED },
		     { 0xffffffff00000000ull, GUEST_PASSED } };
	for (size_t i = 0; i < sizeof(conv) / sizeof(conv[0]); i++) {
		v = fake_vcpu_new(4 << 20);
		v->gprs.rax = conv[i].rax;
		CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
		CHECK_EQ(v->end.kind, conv[i].kind);
		CHECK_EQ(v->end.status, (uint32_t)conv[i].rax);
		fake_vcpu_free(v);
	}
	CHECK_EQ(EXIT_STATUS_OF(38), 77);
	CHECK_EQ(EXIT_STATUS_OF(0x80000000u), 0x100000001ull);
}

static enum exit_action msr(struct vcpu *v, uint32_t index, bool write, uint64_t val)
{
	struct vm_exit e = fake_exit(write ? EXIT_MSR_WRITE : EXIT_MSR_READ, 2);
	e.msr.index = index;
	v->gprs.rcx = index;
	v->gprs.rax = (uint32_t)val;
	v->gprs.rdx = val >> 32;
	return hv_handle_exit(v, &e);
}

TEST(exit_msr_policy_paths)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	struct fake_guest *g = v->arch;
	CHECK_EQ(msr(v, MSR_VM_HSAVE_PA, false, 0), ACT_INJECT_GP);
	CHECK_EQ(msr(v, MSR_VM_CR, true, 0), ACT_INJECT_GP);
	CHECK_EQ(msr(v, 0x12345678, false, 0), ACT_INJECT_GP);
	CHECK_EQ(msr(v, MSR_VMX_BASIC, false, 0), ACT_INJECT_GP);
	/* Dedicated-field MSRs go to the backend. */
	CHECK_EQ(msr(v, MSR_PAT, true, 0x0007040600070406ull), ACT_SKIP);
	CHECK_EQ(g->pat, 0x0007040600070406ull);
	CHECK_EQ(msr(v, MSR_PAT, false, 0), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, 0x00070406);
	CHECK_EQ(v->gprs.rdx, 0x00070406);
	CHECK_EQ(g->field_writes, 1);
	/* Emulated MSRs stay in the core. */
	CHECK_EQ(msr(v, MSR_APIC_BASE, false, 0), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, 0xfee00900);
	CHECK_EQ(msr(v, MSR_APIC_BASE, true, 0xfec00900), ACT_INJECT_GP); /* base move refused */
	CHECK_EQ(msr(v, MSR_MTRR_DEF_TYPE, true, 0xc06), ACT_SKIP);
	CHECK_EQ(msr(v, MSR_MTRR_DEF_TYPE, false, 0), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, 0xc06);
	CHECK_EQ(msr(v, MSR_MTRR_DEF_TYPE, true, 2), ACT_INJECT_GP);
	CHECK_EQ(msr(v, MSR_DEBUGCTL, true, 1), ACT_INJECT_GP);
	CHECK_EQ(msr(v, MSR_MISC_ENABLE, false, 0), ACT_SKIP);
	CHECK(v->gprs.rax & 1);
	/* A passthrough MSR that exits anyway is a hypervisor bug: stop loudly. */
	CHECK_EQ(msr(v, MSR_LSTAR, true, 0), ACT_STOP);
	CHECK(strstr(v->end.reason, "passthrough") != NULL);
	fake_vcpu_free(v);
}

TEST(exit_hlt_stops_with_reason)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	struct vm_exit e = fake_exit(EXIT_HLT, 1);
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(strstr(v->end.reason, "HLT with interrupts disabled") != NULL);
	fake_vcpu_free(v);
	v = fake_vcpu_new(4 << 20);
	((struct fake_guest *)v->arch)->mode.rflags = 0x202;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(strstr(v->end.reason, "nothing armed to wake the guest") != NULL);
	fake_vcpu_free(v);
}

TEST(exit_containment_reasons)
{
	struct vcpu *v = fake_vcpu_new(8 << 20);
	struct vm_exit e = fake_exit(EXIT_NPF, 0);
	e.npf.gpa = 0x800000;
	e.npf.write = true;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(!strcmp(v->end.reason, "write of guest-physical 0x800000 outside its 8 MiB partition"));
	/* The first reason wins. */
	e = fake_exit(EXIT_SHUTDOWN, 0);
	hv_handle_exit(v, &e);
	CHECK(strstr(v->end.reason, "0x800000") != NULL);
	fake_vcpu_free(v);
	v = fake_vcpu_new(4 << 20);
	e = fake_exit(EXIT_SHUTDOWN, 0);
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK_EQ(v->end.kind, GUEST_STOPPED);
	CHECK(!strcmp(v->end.reason, "triple fault (shutdown)"));
	fake_vcpu_free(v);
	v = fake_vcpu_new(4 << 20);
	e = fake_exit(EXIT_FORBIDDEN, 0);
	e.name = "VMRUN";
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(!strcmp(v->end.reason, "forbidden instruction VMRUN"));
	fake_vcpu_free(v);
	v = fake_vcpu_new(4 << 20);
	e = fake_exit(EXIT_UNKNOWN, 0);
	e.name = "SVM exit";
	e.arch_code = 0x99;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(!strcmp(v->end.reason, "unhandled exit SVM exit (code 0x99)"));
	CHECK_EQ(v->end.kind, GUEST_STOPPED);
	fake_vcpu_free(v);
}

TEST(exit_xsetbv_policy)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	struct vm_exit e = fake_exit(EXIT_XSETBV, 3);
	v->gprs.rcx = 0;
	v->gprs.rax = 0x7;
	v->gprs.rdx = 0;
	fake_xsetbv_calls = 0;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(fake_xcr0, 0x7);
	CHECK_EQ(v->xcr0, 0x7);
	v->gprs.rax = 0x5; /* AVX without SSE */
	CHECK_EQ(hv_handle_exit(v, &e), ACT_INJECT_GP);
	v->gprs.rax = 0x1f; /* MPX: not permitted */
	CHECK_EQ(hv_handle_exit(v, &e), ACT_INJECT_GP);
	v->gprs.rax = 0x3;
	v->gprs.rcx = 1; /* XCR1 is not writable with XSETBV */
	CHECK_EQ(hv_handle_exit(v, &e), ACT_INJECT_GP);
	CHECK_EQ(fake_xsetbv_calls, 1);
	fake_vcpu_free(v);
}

TEST(exit_skip_without_length_decodes_guest_code)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	struct fake_guest *g = v->arch;
	/* CPUID with a redundant operand-size prefix at 0x1000, paging off. */
	v->mem.base[0x1000] = 0x66;
	v->mem.base[0x1001] = 0x0f;
	v->mem.base[0x1002] = 0xa2;
	g->mode.rip = 0x1000;
	struct vm_exit e = fake_exit(EXIT_CPUID, 0);
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(e.insn_len, 3);
	/* RIP outside the partition: the guest is stopped, not the hypervisor. */
	g->mode.rip = 0x7ffffff0;
	e = fake_exit(EXIT_CPUID, 0);
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(strstr(v->end.reason, "cannot fetch or decode") != NULL);
	fake_vcpu_free(v);
}
