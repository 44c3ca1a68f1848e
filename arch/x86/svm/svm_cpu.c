/* Turning SVM on for one CPU (AMD APM vol. 2 15.4 "Enabling SVM"). */
#include "arch/x86/cpu.h"
#include "arch/x86/msr_index.h"
#include "arch/x86/svm/svm.h"
#include "hv/fmt.h"
#include "hv/page_alloc.h"
#include "hv/percpu.h"

#define CPUID_8000000A_EDX_NP BIT(0)
#define CPUID_8000000A_EDX_NRIP BIT(3)
#define CPUID_8000000A_EDX_FLUSH_BY_ASID BIT(6)
#define VM_CR_LOCK BIT(3)
#define VM_CR_SVMDIS BIT(4)

bool svm_supported(void)
{
	if (cpuid(0x80000000u, 0).eax < 0x8000000au)
		return false;
	return (cpuid(0x80000001u, 0).ecx & BIT(2)) &&
	       (cpuid(0x8000000au, 0).edx & CPUID_8000000A_EDX_NP);
}

int svm_cpu_enable(struct percpu *pc, char *err, size_t errlen)
{
	if (!svm_supported()) {
		hv_snprintf(err, errlen, "SVM with nested paging is not available on cpu %u", pc->index);
		return -1;
	}
	/* APM vol. 2 15.30.1: SVMDIS can be cleared while VM_CR.LOCK is 0. */
	uint64_t vm_cr = rdmsr(MSR_VM_CR);
	if ((vm_cr & VM_CR_SVMDIS) && !(vm_cr & VM_CR_LOCK))
		wrmsr(MSR_VM_CR, vm_cr & ~VM_CR_SVMDIS);
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		hv_snprintf(err, errlen, "SVM is disabled by the firmware (VM_CR.SVMDIS) on cpu %u",
			    pc->index);
		return -1;
	}
	struct svm_cpu *sc = (struct svm_cpu *)(uintptr_t)page_alloc(&hv_pool, 1, PAGE_SIZE);
	uint64_t hsave = page_alloc(&hv_pool, 1, PAGE_SIZE);
	if (!sc || !hsave) {
		hv_snprintf(err, errlen, "out of hypervisor memory enabling SVM on cpu %u", pc->index);
		return -1;
	}
	uint32_t edx = cpuid(0x8000000au, 0).edx;
	sc->nrip = edx & CPUID_8000000A_EDX_NRIP;
	sc->flush_by_asid = edx & CPUID_8000000A_EDX_FLUSH_BY_ASID;
	sc->hsave_pa = hsave;
	sc->tables = pc->arch;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave);
	pc->virt = sc;
	return 0;
}
