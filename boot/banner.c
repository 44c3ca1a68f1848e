/* The start-up banner: what this machine offers the hypervisor. */
#include "arch/x86/cpu.h"
#include "boot/boot.h"
#include "boot/efi.h"
#include "hv/host_cpu.h"
#include "hv/lib.h"
#include "hv/log.h"

extern char ImageBase[]; /* linker.ld: where the firmware loaded hv.efi */

void boot_print_banner(void)
{
	char vendor[13], brand[49];
	struct cpuid_regs r = cpuid(0, 0);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = 0;
	brand[0] = 0;
	if (cpuid(0x80000000u, 0).eax >= 0x80000004u) {
		for (uint32_t i = 0; i < 3; i++) {
			struct cpuid_regs b = cpuid(0x80000002u + i, 0);
			memcpy(brand + 16 * i, &b, 16);
		}
		brand[48] = 0;
	}
	uint32_t sig = cpuid(1, 0).eax;
	uint32_t family = ((sig >> 8) & 0xf) + (((sig >> 8) & 0xf) == 0xf ? (sig >> 20) & 0xff : 0);
	uint32_t model = ((sig >> 4) & 0xf) | (((sig >> 8) & 0xf) >= 6 ? ((sig >> 16) & 0xf) << 4 : 0);

	bool svm = cpuid(0x80000001u, 0).ecx & BIT(2);
	uint32_t svm_edx = svm ? cpuid(0x8000000au, 0).edx : 0;
	uint32_t svm_asids = svm ? cpuid(0x8000000au, 0).ebx : 0;
	bool vmx = cpuid(1, 0).ecx & BIT(5);
	/* EPT is allowed-1 bit 1 of PROCBASED_CTLS2, which exists only when PROCBASED_CTLS allows
	 * secondary controls (Intel SDM vol. 3D A.3.2, A.3.3). */
	bool ept = vmx && (rdmsr(0x482) & BIT(63)) && (rdmsr(0x48b) & BIT(33));
	uint64_t xcr0 = host_xcr0_supported();
	uint32_t xsave_ext = cpuid(0, 0).eax >= 0xd ? cpuid(0xd, 1).eax : 0;
	uint64_t top, usable;
	efi_memory_summary(&top, &usable);

	hv_printf("\nhv %s: bare-metal type-1 hypervisor (UEFI, x86-64)\n", HV_VERSION);
	/* An address minus this is its offset in hv.so (addr2line, gdb's add-symbol-file -o;
	 * tests/bench/exit_promise.sh sets its breakpoints from it). */
	hv_printf("hv: image loaded at 0x%llx\n", (unsigned long long)(uintptr_t)ImageBase);
	hv_printf("hv: cpu %s family 0x%x model 0x%x stepping %u: %s\n", vendor, family, model,
		  sig & 0xf, brand[0] ? brand : "(no brand string)");
	hv_printf("hv: svm %s (npt %s, nrip %s, %u asids), vmx %s (ept %s)\n", svm ? "yes" : "no",
		  svm_edx & 1 ? "yes" : "no", svm_edx & BIT(3) ? "yes" : "no", svm_asids,
		  vmx ? "yes" : "no", ept ? "yes" : "no");
	hv_printf("hv: xsave features 0x%llx (xsaveopt %s, xsavec %s, xsaves %s)\n",
		  (unsigned long long)xcr0, xsave_ext & 1 ? "yes" : "no",
		  xsave_ext & 2 ? "yes" : "no", xsave_ext & 8 ? "yes" : "no");
	hv_printf("hv: memory %llu MiB usable, top of RAM 0x%llx\n",
		  (unsigned long long)(usable >> 20), (unsigned long long)top);
}
