/*
 * misbehave mode=forbidden: the instructions README's containment paragraph forbids a
 * guest, tried one by one from "insn=" on the command line (default: VMRUN on AMD, VMXON on
 * Intel). Each one either stops the guest (the hypervisor names it; this code never sees
 * the outcome) or, when the command line marks it ":ud", must raise #UD in the guest, after
 * which the next one is tried:
 *   insn=vmfunc:ud,getsec:ud,vmclear    VMFUNC and GETSEC raise #UD, VMCLEAR stops the guest
 * Which outcome is right for which instruction on which CPU is the test case's business
 * (tests/emu); the guest only checks that it got the one it was told.
 *   AMD (APM vol. 2 15.5-15.9, vol. 3): VMRUN, VMLOAD, VMSAVE take rAX = a page-aligned
 *     VMCB address; STGI, CLGI; SKINIT takes EAX = the SLB; INVLPGA takes rAX = an address,
 *     ECX = an ASID; RSM. The guest's EFER.SVME is 1 in the CPU (a VMRUN requirement), so
 *     the intercept check is reached.
 *   Intel (SDM vol. 3C 25.1.2, 25.1.3, the instructions' pages in vol. 2): VMXON, VMCLEAR,
 *     VMPTRLD, VMPTRST take a 64-bit memory operand, VMREAD/VMWRITE a field encoding,
 *     INVEPT/INVVPID a type and a 128-bit descriptor; VMLAUNCH, VMRESUME, VMXOFF; VMFUNC
 *     (EAX = 0, EPTP switching) is #UD unless the hypervisor enables VM functions; GETSEC is
 *     #UD while CR4.SMXE = 0, so the guest first tries to set it.
 */
#include "forbidden.h"
#include "cpu.h"
#include "fixup.h"
#include "printf.h"
#include "string.h"

/* A 4 KiB-aligned page for the VMCB / VMXON region / VMCS operands. */
static uint8_t vm_page[4096] __attribute__((aligned(4096)));
static uint64_t vm_page_pa; /* the 64-bit memory operand of VMXON, VMCLEAR, VMPTRLD, VMPTRST */
static uint64_t descriptor[2]; /* INVEPT/INVVPID: all-context type with a zero descriptor */

/* Runs INSN; a fault there resumes right after it (fixup.h). */
#define TRY(insn, ...)                                                                  \
	__asm__ volatile("1: " insn "\n2:\n\t" FIXUP_ENTRY("1b", "2b") : : __VA_ARGS__ : "memory", \
			 "cc")

static void vmrun(void) { TRY("vmrun %%eax", "a"(vm_page)); }
static void vmload(void) { TRY("vmload %%eax", "a"(vm_page)); }
static void vmsave(void) { TRY("vmsave %%eax", "a"(vm_page)); }
static void stgi(void) { TRY("stgi", "a"(0)); }
static void clgi(void) { TRY("clgi", "a"(0)); }
static void skinit(void) { TRY("skinit %%eax", "a"(vm_page)); }
static void invlpga(void) { TRY("invlpga %%eax, %%ecx", "a"(vm_page), "c"(0)); }
static void rsm(void) { TRY("rsm", "a"(0)); }

static void vmxon(void) { TRY("vmxon %0", "m"(vm_page_pa)); }
static void vmclear(void) { TRY("vmclear %0", "m"(vm_page_pa)); }
static void vmptrld(void) { TRY("vmptrld %0", "m"(vm_page_pa)); }
static void vmptrst(void) { TRY("vmptrst %0", "m"(vm_page_pa)); }
static void vmread(void) { TRY("vmread %%eax, %%ecx", "a"(0x6800u /* guest CR0 */)); }
static void vmwrite(void) { TRY("vmwrite %%ecx, %%eax", "a"(0x6800u), "c"(0)); }
static void vmlaunch(void) { TRY("vmlaunch", "a"(0)); }
static void vmresume(void) { TRY("vmresume", "a"(0)); }
static void vmxoff(void) { TRY("vmxoff", "a"(0)); }
static void invept(void) { TRY("invept %0, %%eax", "m"(descriptor), "a"(2)); }
static void invvpid(void) { TRY("invvpid %0, %%eax", "m"(descriptor), "a"(2)); }
static void vmfunc(void) { TRY("vmfunc", "a"(0), "c"(0)); }
static void getsec(void) { TRY("getsec", "a"(0 /* CAPABILITIES */), "b"(0)); }

static const struct forbidden_insn {
	const char *name; /* as the hypervisor's stop line names it; lower case on the command line */
	enum cpu_vendor vendor;
	void (*run)(void);
} insns[] = {
	{ "VMRUN", VENDOR_AMD, vmrun },		{ "VMLOAD", VENDOR_AMD, vmload },
	{ "VMSAVE", VENDOR_AMD, vmsave },	{ "STGI", VENDOR_AMD, stgi },
	{ "CLGI", VENDOR_AMD, clgi },		{ "SKINIT", VENDOR_AMD, skinit },
	{ "INVLPGA", VENDOR_AMD, invlpga },	{ "RSM", VENDOR_AMD, rsm },
	{ "VMXON", VENDOR_INTEL, vmxon },	{ "VMCLEAR", VENDOR_INTEL, vmclear },
	{ "VMPTRLD", VENDOR_INTEL, vmptrld },	{ "VMPTRST", VENDOR_INTEL, vmptrst },
	{ "VMREAD", VENDOR_INTEL, vmread },	{ "VMWRITE", VENDOR_INTEL, vmwrite },
	{ "VMLAUNCH", VENDOR_INTEL, vmlaunch }, { "VMRESUME", VENDOR_INTEL, vmresume },
	{ "VMXOFF", VENDOR_INTEL, vmxoff },	{ "INVEPT", VENDOR_INTEL, invept },
	{ "INVVPID", VENDOR_INTEL, invvpid },	{ "VMFUNC", VENDOR_INTEL, vmfunc },
	{ "GETSEC", VENDOR_INTEL, getsec },
};

#define CR4_SMXE (1u << 14)

/* GETSEC is #UD while CR4.SMXE = 0 (SDM vol. 2 GETSEC): a guest out to reach SMX sets it
 * first. Says whether the CPU took it (a #GP, or a CR4 that reads back without it: not). */
static void try_enable_smx(void)
{
	uint32_t cr4 = read_cr4() | CR4_SMXE;
	fixup_arm();
	__asm__ volatile("1: mov %0, %%cr4\n2:\n\t" FIXUP_ENTRY("1b", "2b") : : "r"(cr4) : "memory");
	uint32_t vec = fixup_take();
	if (vec != FIXUP_NONE)
		printf("misbehave: setting CR4.SMXE raised %s: GETSEC can only be #UD\n", trap_name(vec));
	else
		printf("misbehave: CR4.SMXE %s\n",
		       read_cr4() & CR4_SMXE ? "set: GETSEC must stop the guest" : "did not stick");
}

static const struct forbidden_insn *find(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(insns); i++) {
		const char *n = insns[i].name;
		size_t k = 0;
		while (k < len && n[k] && (name[k] == n[k] || name[k] == n[k] + ('a' - 'A')))
			k++;
		if (k == len && !n[k])
			return &insns[i];
	}
	return NULL;
}

/* One instruction; returns only if it did not stop the guest. True if the outcome is the
 * one expected (expect_ud: #UD in the guest). */
static bool try_one(const struct forbidden_insn *f, bool expect_ud)
{
	if (f->run == getsec)
		try_enable_smx();
	printf("misbehave: %s (%s)\n", f->name,
	       expect_ud ? "must raise #UD in the guest" : "must stop the guest");
	fixup_arm();
	f->run();
	uint32_t vec = fixup_take();
	if (vec == FIXUP_NONE) {
		printf("misbehave: %s completed in the guest: NOT STOPPED\n", f->name);
		return false;
	}
	printf("misbehave: %s raised %s in the guest%s\n", f->name, trap_name(vec),
	       expect_ud && vec == VEC_UD ? ", as expected" : ": NOT STOPPED");
	return expect_ud && vec == VEC_UD;
}

uint32_t forbidden_instructions(const char *list)
{
	vm_page_pa = (uint32_t)vm_page;
	if (!list)
		list = cpu_vendor() == VENDOR_AMD ? "vmrun" : "vmxon";
	char spec[64]; /* cmdline_value's buffer is reused by the next lookup */
	size_t n = strlen(list);
	if (n >= sizeof(spec))
		n = sizeof(spec) - 1;
	memcpy(spec, list, n);
	spec[n] = 0;
	printf("misbehave: forbidden instructions: %s\n", spec);
	for (char *p = spec; *p;) {
		char *end = p;
		while (*end && *end != ',')
			end++;
		bool last = !*end;
		*end = 0; /* p is now one "name[:ud]" */
		char *colon = p;
		while (*colon && *colon != ':')
			colon++;
		bool expect_ud = strcmp(colon, ":ud") == 0;
		const struct forbidden_insn *f = find(p, (size_t)(colon - p));
		if (!f || (*colon && !expect_ud)) {
			printf("misbehave: '%s' in insn=: want a forbidden instruction's name, "
			       "optionally with :ud\n", p);
			return EXIT_BAD_MODE;
		}
		if (f->vendor != cpu_vendor()) {
			printf("misbehave: %s is not an instruction of this CPU's vendor\n", f->name);
			return EXIT_BAD_MODE;
		}
		if (!try_one(f, expect_ud))
			return EXIT_NOT_STOPPED;
		p = last ? end : end + 1;
	}
	printf("misbehave: every instruction raised #UD in the guest, as expected\n");
	return EXIT_PASS;
}
