/* CPU identification and the hypercall instruction, which differs by vendor. */
#include "cpu.h"
#include "fixup.h"
#include "string.h"

void cpu_vendor_string(char buf[13])
{
	struct cpuid_regs r = cpuid(0, 0);
	/* The vendor string is EBX, EDX, ECX in that order. */
	memcpy(buf, &r.ebx, 4);
	memcpy(buf + 4, &r.edx, 4);
	memcpy(buf + 8, &r.ecx, 4);
	buf[12] = '\0';
}

enum cpu_vendor cpu_vendor(void)
{
	char v[13];
	cpu_vendor_string(v);
	if (strcmp(v, "AuthenticAMD") == 0 || strcmp(v, "HygonGenuine") == 0)
		return VENDOR_AMD;
	if (strcmp(v, "GenuineIntel") == 0)
		return VENDOR_INTEL;
	return VENDOR_OTHER;
}

uint32_t hypercall(uint32_t fn)
{
	uint32_t ret;
	/* Spelled as bytes so the choice never depends on assembler support. */
	if (cpu_vendor() == VENDOR_AMD)
		__asm__ volatile(".byte 0x0f, 0x01, 0xd9" /* vmmcall */ : "=a"(ret) : "a"(fn) : "memory");
	else
		__asm__ volatile(".byte 0x0f, 0x01, 0xc1" /* vmcall */ : "=a"(ret) : "a"(fn) : "memory");
	return ret;
}

uint32_t hypercall_safe(uint32_t fn, uint32_t *ret)
{
	uint32_t eax = fn;
	fixup_arm();
	if (cpu_vendor() == VENDOR_AMD)
		__asm__ volatile("1: .byte 0x0f, 0x01, 0xd9\n2:\n\t" FIXUP_ENTRY("1b", "2b")
				 : "+a"(eax) : : "memory");
	else
		__asm__ volatile("1: .byte 0x0f, 0x01, 0xc1\n2:\n\t" FIXUP_ENTRY("1b", "2b")
				 : "+a"(eax) : : "memory");
	uint32_t vec = fixup_take();
	*ret = eax;
	return vec == FIXUP_NONE ? 0 : vec;
}
