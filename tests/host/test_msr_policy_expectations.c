/*
 * The security-relevant MSRs, with the handling this project promises for each written out
 * here by hand (README "What a guest gets", docs/msr-policy.md, the manuals' reasons), not
 * taken from hv/msr_policy.c: checked against the policy lookup, the checked-in
 * docs/msr-policy.md row, the SVM MSR permission map and the VMX MSR bitmap. Changing one
 * MSR's handling in the table fails here even when the doc is regenerated with it.
 */
#include <stdlib.h>
#include <string.h>
#include "arch/x86/svm/svm_msrpm.h"
#include "arch/x86/vmx/vmx_msr_bitmap.h"
#include "hv/msr_policy.h"
#include "tests/host/doc_check.h"
#include "tests/host/harness.h"

/* The doc's handling names, spelled out: P passthrough, F dedicated field, E emulated,
 * D denied (#GP). */
static const char *const doc_name[] = { ['P'] = "passthrough", ['F'] = "dedicated field",
					['E'] = "emulated", ['D'] = "denied (#GP)" };

static const struct {
	uint32_t msr;
	char read, write;
	const char *what;
} expect[] = {
	{ 0x10, 'P', 'F', "TSC: reads native with the offset, writes move the offset" },
	{ 0x1b, 'E', 'E', "IA32_APIC_BASE: the virtual local APIC" },
	{ 0x3a, 'D', 'D', "IA32_FEATURE_CONTROL: VMX/SMX enabling is the hypervisor's" },
	{ 0x48, 'D', 'D', "IA32_SPEC_CTRL: not offered (CPUID hides IBRS/STIBP/SSBD)" },
	{ 0x49, 'D', 'D', "IA32_PRED_CMD: not offered" },
	{ 0x79, 'D', 'D', "IA32_BIOS_UPDT_TRIG: no microcode updates from a guest" },
	{ 0x8b, 'E', 'E', "IA32_BIOS_SIGN_ID: microcode signature reads 0" },
	{ 0x9b, 'D', 'D', "IA32_SMM_MONITOR_CTL: SMM is the firmware's" },
	{ 0x9e, 'D', 'D', "IA32_SMBASE: SMM is the firmware's" },
	{ 0x3b, 'D', 'D', "IA32_TSC_ADJUST: hidden in CPUID, denied" },
	{ 0x10a, 'D', 'D', "IA32_ARCH_CAPABILITIES: not offered" },
	{ 0x10b, 'D', 'D', "IA32_FLUSH_CMD: not offered" },
	{ 0x174, 'P', 'P', "IA32_SYSENTER_CS: guest-owned" },
	{ 0x176, 'P', 'P', "IA32_SYSENTER_EIP: guest-owned" },
	{ 0x1a0, 'E', 'E', "IA32_MISC_ENABLE: emulated" },
	{ 0x1c4, 'E', 'E', "IA32_XFD: intercepted (writes pass through once used, at run time)" },
	{ 0x1c5, 'E', 'E', "IA32_XFD_ERR: always intercepted" },
	{ 0x1f2, 'D', 'D', "IA32_SMRR_PHYSBASE: SMM is the firmware's" },
	{ 0x1f3, 'D', 'D', "IA32_SMRR_PHYSMASK: SMM is the firmware's" },
	{ 0xfe, 'E', 'D', "IA32_MTRRCAP: read-only, no MTRRs" },
	{ 0x200, 'D', 'D', "IA32_MTRR_PHYSBASE0: no variable MTRRs" },
	{ 0x20f, 'D', 'D', "IA32_MTRR_PHYSMASK7: no variable MTRRs" },
	{ 0x250, 'D', 'D', "IA32_MTRR_FIX64K_00000: no fixed MTRRs" },
	{ 0x26f, 'D', 'D', "IA32_MTRR_FIX4K_F8000: no fixed MTRRs" },
	{ 0x2ff, 'E', 'E', "IA32_MTRR_DEF_TYPE: kept per guest" },
	{ 0x277, 'F', 'F', "IA32_PAT: the VMCB/VMCS field" },
	{ 0x480, 'D', 'D', "IA32_VMX_BASIC: VMX hidden" },
	{ 0x491, 'D', 'D', "IA32_VMX_VMFUNC: VMX hidden" },
	{ 0x6e0, 'E', 'E', "IA32_TSC_DEADLINE: the virtual APIC timer" },
	{ 0x6e1, 'D', 'D', "IA32_PKRS: PKS hidden" },
	{ 0x802, 'E', 'E', "x2APIC ID: the virtual local APIC" },
	{ 0xc0000080, 'F', 'F', "EFER: the VMCB/VMCS field (SVME forced, hidden)" },
	{ 0xc0000081, 'P', 'P', "STAR: guest-owned" },
	{ 0xc0000082, 'P', 'P', "LSTAR: guest-owned" },
	{ 0xc0000083, 'P', 'P', "CSTAR: guest-owned" },
	{ 0xc0000084, 'P', 'P', "SFMASK: guest-owned" },
	{ 0xc0000100, 'P', 'P', "FS_BASE: guest-owned" },
	{ 0xc0000102, 'P', 'P', "KERNEL_GS_BASE: guest-owned" },
	{ 0xc0000103, 'P', 'P', "TSC_AUX: guest-owned" },
	{ 0xc0000104, 'D', 'D', "AMD TSC_RATIO: the hypervisor's" },
	{ 0xc0010015, 'D', 'D', "AMD HWCR: the hypervisor's" },
	{ 0xc0010055, 'E', 'E', "AMD INT_PENDING_MSG: reads 0, no C1E (Linux reads it unguarded)" },
	{ 0xc0010111, 'D', 'D', "AMD SMM_BASE: SMM is the firmware's" },
	{ 0xc0010112, 'D', 'D', "AMD SMM_ADDR: SMM is the firmware's" },
	{ 0xc0010113, 'D', 'D', "AMD SMM_MASK: SMM is the firmware's" },
	{ 0xc0010114, 'D', 'D', "AMD VM_CR: SVM control is the hypervisor's" },
	{ 0xc0010116, 'D', 'D', "AMD SMM_CTL: SMM is the firmware's" },
	{ 0xc0010117, 'D', 'D', "AMD VM_HSAVE_PA: SVM control is the hypervisor's" },
};

static enum msr_handling handling(char c)
{
	return c == 'P' ? MSR_PASSTHROUGH : c == 'F' ? MSR_FIELD : c == 'E' ? MSR_EMULATED : MSR_DENY;
}

/* The checked-in doc's row covering msr: its read and write columns, or false when no row
 * covers it. Rows: "| 0xLO | name | read | write | ..." or "| 0xLO-0xHI | ...". */
static bool doc_row(const char *doc, uint32_t msr, char *rd, char *wr, size_t cap)
{
	for (const char *l = doc; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		unsigned long lo, hi;
		char *end;
		if (strncmp(l, "| 0x", 4))
			continue;
		lo = hi = strtoul(l + 2, &end, 16);
		if (*end == '-')
			hi = strtoul(end + 1, &end, 16);
		if (msr < lo || msr > hi)
			continue;
		const char *c = end;
		for (int col = 1; col < 4; col++) { /* skip to the read column (3rd), read 3rd and 4th */
			c = strchr(c, '|');
			if (!c)
				return false;
			c += 2;
			if (col >= 2) {
				char *dst = col == 2 ? rd : wr;
				size_t n = strcspn(c, "|");
				while (n && c[n - 1] == ' ')
					n--;
				snprintf(dst, cap, "%.*s", (int)n, c);
			}
		}
		return true;
	}
	return false;
}

static bool in_svm_map(uint32_t m)
{
	return m < 0x2000 || (m >= 0xc0000000u && m < 0xc0002000u) || (m >= 0xc0010000u && m < 0xc0012000u);
}

static bool in_vmx_bitmap(uint32_t m)
{
	return m < 0x2000 || (m >= 0xc0000000u && m < 0xc0002000u);
}

TEST(msr_security_relevant_handling_as_promised)
{
	char *doc = doc_read("docs/msr-policy.md");
	REQUIRE(doc != NULL); /* run from the repository root */
	CHECK(strstr(doc, "Any MSR not listed is denied: the guest gets #GP.") != NULL);
	static uint8_t msrpm[SVM_MSRPM_SIZE], bitmap[VMX_MSR_BITMAP_SIZE];
	svm_msrpm_build(msrpm);
	vmx_msr_bitmap_build(bitmap);
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		const char want[2] = { expect[i].read, expect[i].write };
		uint32_t m = expect[i].msr;
		char col[2][64] = { "", "" };
		bool row = doc_row(doc, m, col[0], col[1], sizeof(col[0]));
		for (int w = 0; w < 2; w++) {
			int before = 0;
			enum msr_handling h = handling(want[w]);
			if (msr_handling_for(m, w) != h) {
				printf("    0x%x %s: the table says %s on %s\n", m, expect[i].what,
				       msr_handling_name(msr_handling_for(m, w)), w ? "write" : "read");
				before++;
			}
			/* The doc: a row saying the same, or (denied only) no row at all. */
			if (row ? strcmp(col[w], doc_name[(int)want[w]]) : want[w] != 'D') {
				printf("    0x%x %s: docs/msr-policy.md says '%s' on %s\n", m, expect[i].what,
				       row ? col[w] : "(no row)", w ? "write" : "read");
				before++;
			}
			bool pass = want[w] == 'P';
			if (in_svm_map(m) && svm_msrpm_intercepts(msrpm, m, w) == pass) {
				printf("    0x%x %s: SVM map wrong on %s\n", m, expect[i].what, w ? "write" : "read");
				before++;
			}
			if (in_vmx_bitmap(m) && vmx_msr_bitmap_intercepts(bitmap, m, w) == pass) {
				printf("    0x%x %s: VMX bitmap wrong on %s\n", m, expect[i].what, w ? "write" : "read");
				before++;
			}
			CHECK_EQ(before, 0);
		}
	}
	free(doc);
}
