/* The SVM intercept vectors as the VMCB's raw bytes, checked against AMD APM vol. 2
 * appendix B table B-1 (offsets 0x008 exceptions, 0x00C/0x010/0x014 instruction intercepts),
 * with bit positions written here from the manual, independently of svm_vmcb.h's names:
 * what README's "Containment" and "What a guest gets" promise must be intercepted. */
#include <string.h>
#include "arch/x86/svm/svm_intercepts.h"
#include "tests/host/harness.h"

static uint32_t vmcb_dword(const struct vmcb_control *c, unsigned offset)
{
	const uint8_t *b = (const uint8_t *)c + offset;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

struct raw_intercept {
	unsigned offset, bit;
	const char *what;
};

/* Table B-1: 0x00C bit n, 0x010 bit n; 0x008 bit n = exception vector n. */
static const struct raw_intercept must_intercept[] = {
	{ 0x008, 1, "#DB (CVE-2015-8104)" },
	{ 0x008, 17, "#AC (CVE-2015-5307)" },
	{ 0x00C, 0, "INTR (physical interrupts are the host's)" },
	{ 0x00C, 1, "NMI" },
	{ 0x00C, 3, "INIT" },
	{ 0x00C, 15, "RDPMC (carried out by the core)" },
	{ 0x00C, 18, "CPUID" },
	{ 0x00C, 19, "RSM (forbidden)" },
	{ 0x00C, 22, "INVD (carried out on the partition)" },
	{ 0x00C, 24, "HLT" },
	{ 0x00C, 26, "INVLPGA (forbidden)" },
	{ 0x00C, 27, "IOIO_PROT" },
	{ 0x00C, 28, "MSR_PROT" },
	{ 0x00C, 31, "shutdown (triple fault)" },
	{ 0x010, 0, "VMRUN (forbidden; must be set, APM 15.5.1)" },
	{ 0x010, 1, "VMMCALL (the hypercall)" },
	{ 0x010, 2, "VMLOAD (forbidden)" },
	{ 0x010, 3, "VMSAVE (forbidden)" },
	{ 0x010, 4, "STGI (forbidden)" },
	{ 0x010, 5, "CLGI (forbidden)" },
	{ 0x010, 6, "SKINIT (forbidden)" },
	{ 0x010, 9, "WBINVD/WBNOINVD" },
	{ 0x010, 10, "MONITOR/MONITORX" },
	{ 0x010, 11, "MWAIT/MWAITX" },
	{ 0x010, 12, "MWAIT armed" },
	{ 0x010, 13, "XSETBV (XCR0 policy)" },
};

TEST(svm_intercepts_raw_vmcb_bits_apm_b1)
{
	for (int invlpgb = 0; invlpgb < 2; invlpgb++) {
		struct vmcb_control c;
		memset(&c, 0, sizeof(c));
		svm_intercepts_init(&c, invlpgb);
		for (size_t i = 0; i < sizeof(must_intercept) / sizeof(must_intercept[0]); i++) {
			const struct raw_intercept *r = &must_intercept[i];
			bool set = vmcb_dword(&c, r->offset) >> r->bit & 1;
			if (!set)
				printf("    not intercepted: %s (VMCB 0x%03x bit %u)\n", r->what, r->offset,
				       r->bit);
			CHECK(set);
		}
		/* 0x014 bits 0, 1, 4: INVLPGB, illegal INVLPGB, TLBSYNC where the CPU has them;
		 * reserved (0) otherwise. */
		CHECK_EQ(vmcb_dword(&c, 0x014), invlpgb ? 0x13u : 0u);
		/* Exceptions other than #DB and #AC stay the guest's own (README). */
		CHECK_EQ(vmcb_dword(&c, 0x008), (1u << 1) | (1u << 17));
	}
}
