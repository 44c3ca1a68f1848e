/* CPUID as the hypervisor presents it: present, virtualization hidden, identified. */
#include "selftest.h"
#include "cpu.h"
#include "printf.h"
#include "string.h"

#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_80000001_ECX_SVM (1u << 2)
#define HV_LEAF_BASE 0x40000000u
#define HV_LEAF_INFO 0x40000001u
#define HV_SIGNATURE "HvTypeOneX86"
#define HV_INTERFACE_VERSION 1

void test_cpuid(const struct selftest_env *env)
{
	char vendor[13];
	group_begin("cpuid");

	cpu_vendor_string(vendor);
	struct cpuid_regs l1 = cpuid(1, 0);
	uint32_t max_ext = cpuid(0x80000000, 0).eax;
	struct cpuid_regs e1 = max_ext >= 0x80000001 ? cpuid(0x80000001, 0) : (struct cpuid_regs){ 0 };
	printf("selftest: cpuid: vendor \"%s\", leaf 1 ecx=%08x, leaf 0x80000001 ecx=%08x\n", vendor,
	       l1.ecx, e1.ecx);

	check_hv(env, l1.ecx & CPUID_1_ECX_HYPERVISOR, "cpuid: hypervisor-present bit (1.ECX[31]) set");
	/* QEMU's -cpu max offers SVM itself, so these two are hypervisor-only too. */
	check_hv(env, !(l1.ecx & CPUID_1_ECX_VMX), "cpuid: VMX (1.ECX[5]) hidden");
	check_hv(env, !(e1.ecx & CPUID_80000001_ECX_SVM), "cpuid: SVM (0x80000001.ECX[2]) hidden");

	struct cpuid_regs hv = cpuid(HV_LEAF_BASE, 0);
	char sig[13];
	memcpy(sig, &hv.ebx, 4);
	memcpy(sig + 4, &hv.ecx, 4);
	memcpy(sig + 8, &hv.edx, 4);
	sig[12] = '\0';
	check_hv(env, hv.eax >= HV_LEAF_INFO, "cpuid: 0x40000000.EAX >= 0x40000001");
	check_hv(env, memcmp(sig, HV_SIGNATURE, 12) == 0, "cpuid: 0x40000000 signature is HvTypeOneX86");
	if (env->native) {
		skip("cpuid: 0x40000001 interface version");
		skip("cpuid: 0x40000001 memory size");
		group_end();
		return;
	}

	struct cpuid_regs info = cpuid(HV_LEAF_INFO, 0);
	printf("selftest: cpuid: signature \"%s\", interface %u, pinned to physical CPU %u, %u MiB\n",
	       sig, info.eax, info.ebx, info.ecx);
	check_eq(info.eax, HV_INTERFACE_VERSION, "cpuid: 0x40000001 interface version is 1");
	if (env->ram_end)
		check_eq(info.ecx, env->ram_end / MIB, "cpuid: 0x40000001 memory size matches mem_upper");
	else
		skip("cpuid: 0x40000001 memory size (mem_upper unknown)");
	group_end();
}
