/*
 * General-purpose and system instructions, one per feature (probe_insn, arg = enum insn):
 * each is executed as a driver or compiler would use it. A fault is caught by the probe
 * runner; the step names the instruction.
 */
#include "cmdline.h"
#include "cpufeat.h"

static uint8_t line[128] __attribute__((aligned(64)));
static uint8_t line2[128] __attribute__((aligned(64)));

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* WAITPKG (Intel SDM vol. 2B UMONITOR/UMWAIT/TPAUSE): IA32_UMWAIT_CONTROL, then each
 * instruction with a deadline a few thousand TSC ticks away. */
static void waitpkg(void)
{
	step_msr("rdmsr IA32_UMWAIT_CONTROL", 0xE1);
	(void)probe_rdmsr(0xE1);
	step("umonitor");
	__asm__ volatile("umonitor %0" : : "r"(line) : "memory");
	line[0]++;
	uint64_t t = rdtsc() + 5000;
	step("umwait");
	__asm__ volatile("umwait %%ecx" : : "c"(1), "a"((uint32_t)t), "d"((uint32_t)(t >> 32)) : "cc");
	t = rdtsc() + 5000;
	step("tpause");
	__asm__ volatile("tpause %%ecx" : : "c"(1), "a"((uint32_t)t), "d"((uint32_t)(t >> 32)) : "cc");
}

void probe_insn(const struct feat *f)
{
	uint32_t a = 0, c = 0, d = 0;
	static uint64_t slot;
	static const uint16_t data_sel = 0x10;
	static uint8_t desc[16] __attribute__((aligned(16)));

	switch ((enum insn)f->arg) {
	case I_X87:
		step("fninit; fld1; fldz; faddp; fstp");
		__asm__ volatile("fninit; fld1; fldz; faddp; fstp %%st(0)" ::: "memory");
		break;
	case I_TSC:
		step("rdtsc");
		(void)rdtsc();
		break;
	case I_CX8:
		step("lock cmpxchg8b");
		slot = 0;
		__asm__ volatile("lock cmpxchg8b %0" : "+m"(slot), "+a"(a), "+d"(d) : "b"(1), "c"(0) : "cc");
		if (slot != 1)
			probe_wrong("CMPXCHG8B did not store");
		break;
	case I_CMOV:
		step("cmovz");
		__asm__ volatile("xor %0, %0; cmovz %1, %0" : "+r"(a) : "r"(5u) : "cc");
		if (a != 5)
			probe_wrong("CMOVZ did not move");
		break;
	case I_CLFLUSH:
		step("clflush");
		__asm__ volatile("clflush %0" : "+m"(line[0]));
		break;
	case I_POPCNT:
		step("popcnt");
		__asm__ volatile("popcnt %1, %0" : "=r"(a) : "r"(0xf0f0u) : "cc");
		if (a != 8)
			probe_wrong("POPCNT counted wrong");
		break;
	case I_MOVBE:
		step("movbe");
		slot = 0x11223344u;
		__asm__ volatile("movbe %1, %0" : "=r"(a) : "m"(slot));
		if (a != 0x44332211u)
			probe_wrong("MOVBE did not swap");
		break;
	case I_LZCNT:
		step("lzcnt");
		__asm__ volatile("lzcnt %1, %0" : "=r"(a) : "r"(1u) : "cc");
		if (a != 31)
			probe_wrong("LZCNT counted wrong (BSR semantics?)");
		break;
	case I_BMI1:
		step("andn; blsr; tzcnt");
		__asm__ volatile("andn %2, %1, %0; blsr %2, %0; tzcnt %2, %0" : "=&r"(a) : "r"(3u), "r"(8u) : "cc");
		if (a != 3)
			probe_wrong("TZCNT counted wrong");
		break;
	case I_BMI2:
		step("pdep; shlx; rorx; mulx");
		__asm__ volatile("pdep %2, %1, %0; shlx %2, %1, %0; rorx $3, %1, %0; mulx %1, %0, %0"
				 : "=&r"(a) : "r"(3u), "r"(8u), "d"(2u) : "cc");
		break;
	case I_ADX:
		step("adcx; adox");
		__asm__ volatile("adcx %1, %0; adox %1, %0" : "+r"(a) : "r"(1u) : "cc");
		break;
	case I_RDRAND:
		step("rdrand");
		__asm__ volatile("rdrand %0" : "=r"(a) : : "cc");
		break;
	case I_RDSEED:
		step("rdseed");
		__asm__ volatile("rdseed %0" : "=r"(a) : : "cc");
		break;
	case I_RDTSCP:
	case I_RDPID:
		/* Both return IA32_TSC_AUX (the OS's CPU number): set it, read it back. */
		step_msr("rdmsr IA32_TSC_AUX", 0xC0000103u);
		slot = probe_rdmsr(0xC0000103u);
		step_msr("wrmsr IA32_TSC_AUX", 0xC0000103u);
		probe_wrmsr(0xC0000103u, 0x5a);
		if (f->arg == I_RDTSCP) {
			step("rdtscp");
			__asm__ volatile("rdtscp" : "=a"(a), "=d"(d), "=c"(c));
		} else {
			step("rdpid");
			__asm__ volatile("rdpid %0" : "=r"(c));
		}
		if (c != 0x5a)
			probe_wrong("it did not return IA32_TSC_AUX");
		step_msr("wrmsr IA32_TSC_AUX (restore)", 0xC0000103u);
		probe_wrmsr(0xC0000103u, slot);
		break;
	case I_CLFLUSHOPT:
		step("clflushopt");
		__asm__ volatile("clflushopt %0" : "+m"(line[0]));
		break;
	case I_CLWB:
		step("clwb");
		__asm__ volatile("clwb %0" : "+m"(line[0]));
		break;
	case I_INVPCID:
		step("invpcid (type 2: all contexts, with globals)");
		__asm__ volatile("invpcid %0, %1" : : "m"(desc), "r"(2u) : "memory");
		break;
	case I_SERIALIZE:
		step("serialize");
		__asm__ volatile("serialize" ::: "memory");
		break;
	case I_HLE:
		step("xacquire lock inc; xrelease lock dec");
		__asm__ volatile("xacquire lock incl %0; xrelease lock decl %0" : "+m"(slot));
		break;
	case I_RTM:
		step("xbegin; xend (an abort is not a fault)");
		__asm__ volatile("xbegin 1f; xend; 1:" : "+a"(a) : : "memory");
		break;
	case I_TSXLDTRK:
		step("xbegin; xsusldtrk; xresldtrk; xend");
		__asm__ volatile("xbegin 1f; xsusldtrk; xresldtrk; xend; 1:" : "+a"(a) : : "memory");
		break;
	case I_MOVDIRI:
		step("movdiri");
		__asm__ volatile("movdiri %1, %0" : "=m"(slot) : "r"(7u));
		break;
	case I_MOVDIR64B:
		step("movdir64b");
		__asm__ volatile("movdir64b %1, %0" : : "r"(line2), "m"(*(const uint8_t(*)[64])line) : "memory");
		break;
	case I_CLDEMOTE:
		step("cldemote");
		__asm__ volatile("cldemote %0" : "+m"(line[0]));
		break;
	case I_PREFETCHWT1:
		step("prefetchwt1");
		__asm__ volatile("prefetchwt1 %0" : : "m"(line[0]));
		break;
	case I_PREFETCHW:
		step("prefetchw");
		__asm__ volatile("prefetchw %0" : : "m"(line[0]));
		break;
	case I_WBNOINVD:
		step("wbnoinvd");
		__asm__ volatile("wbnoinvd" ::: "memory");
		break;
	case I_VERW:
		step("verw (MD_CLEAR's buffer clearing)");
		__asm__ volatile("verw %0" : : "m"(data_sel) : "cc");
		break;
	case I_MONITOR:
		step("monitor");
		__asm__ volatile("monitor" : : "a"(line), "c"(0), "d"(0) : "memory");
		line[0]++; /* triggers the monitor: MWAIT falls through */
		if (cmdline_has("native")) /* QEMU TCG's MWAIT is HLT: it would never wake */
			break;
		step("mwait");
		__asm__ volatile("mwait" : : "a"(0), "c"(0) : "memory");
		break;
	case I_MONITORX:
		step("monitorx");
		__asm__ volatile("monitorx" : : "a"(line), "c"(0), "d"(0) : "memory");
		line[0]++;
		step("mwaitx (timer 10000)");
		__asm__ volatile("mwaitx" : : "a"(0xf0), "b"(10000), "c"(2) : "memory");
		break;
	case I_WAITPKG:
		waitpkg();
		break;
	case I_HRESET:
		step("hreset $0");
		__asm__ volatile("hreset $0" : : "a"(0) : "memory");
		break;
	case I_WRMSRNS:
		step_msr("rdmsr", 0x175);
		slot = probe_rdmsr(0x175);
		step_msr("wrmsrns (the value read)", 0x175);
		__asm__ volatile("wrmsrns" : : "c"(0x175), "a"((uint32_t)slot), "d"((uint32_t)(slot >> 32)));
		break;
	case I_RDPRU:
		step("rdpru 0 (MPERF), 1 (APERF)");
		__asm__ volatile("rdpru" : "=a"(a), "=d"(d) : "c"(0));
		__asm__ volatile("rdpru" : "=a"(a), "=d"(d) : "c"(1));
		break;
	case I_CLZERO:
		step("clzero");
		__asm__ volatile("clzero" : : "a"(line) : "memory");
		break;
	case I_MCOMMIT:
		step_msr("rdmsr EFER", 0xC0000080u);
		slot = probe_rdmsr(0xC0000080u);
		step_msr("wrmsr EFER.MCOMMIT", 0xC0000080u);
		probe_wrmsr(0xC0000080u, slot | 1u << 17);
		step("mcommit");
		__asm__ volatile("mcommit" ::: "memory", "cc");
		probe_wrmsr(0xC0000080u, slot);
		break;
	case I_INVLPGB:
		step("invlpgb (everything)");
		__asm__ volatile("invlpgb" : : "a"(0), "c"(0), "d"(0) : "memory");
		step("tlbsync");
		__asm__ volatile("tlbsync" ::: "memory");
		break;
	case I_ALTMOVCR8:
		/* LOCK MOV CR0 is MOV CR8 (the TPR) outside 64-bit mode. */
		step("lock mov to cr0 (CR8 = 5)");
		__asm__ volatile(".byte 0xf0, 0x0f, 0x22, 0xc0" : : "a"(5) : "memory");
		step("lock mov from cr0 (read CR8)");
		__asm__ volatile(".byte 0xf0, 0x0f, 0x20, 0xc0" : "=a"(a));
		if (a != 5)
			probe_wrong("CR8 does not read back what was written");
		step("lock mov to cr0 (CR8 = 0)");
		__asm__ volatile(".byte 0xf0, 0x0f, 0x22, 0xc0" : : "a"(0) : "memory");
		break;
	case I_TBM:
		step("blcfill; bextr imm");
		__asm__ volatile("blcfill %1, %0; bextr $0x0404, %1, %0" : "=&r"(a) : "r"(7u) : "cc");
		break;
	case I_LAHF:
		step("lahf; sahf");
		__asm__ volatile("lahf; sahf" : "+a"(a) : : "cc");
		break;
	}
}
