/* Which injected exceptions carry an error code: one rule for both backends. */
#ifndef ARCH_X86_EXC_ERROR_CODE_H
#define ARCH_X86_EXC_ERROR_CODE_H

#include "arch/x86/cpu.h"

/*
 * Does delivering hardware exception `vector` to a guest whose CR0 is `cr0` push an error
 * code? In protected and long mode #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX do
 * (SDM vol. 3A 6.13 and table 6-1; APM vol. 2 8.4 and table 8-1). In real mode (CR0.PE =
 * 0) no exception pushes one (SDM vol. 3A 20.1.4; APM vol. 2 "Real-Mode Interrupt Control
 * Transfers"): VM entry refuses an injection that asks for one (SDM vol. 3C 26.2.1.3), and
 * SVM would push it, leaving a word on the guest's stack its handler never pops.
 */
static inline bool exc_has_error_code(unsigned vector, uint64_t cr0)
{
	if (!(cr0 & CR0_PE))
		return false;
	switch (vector) {
	case 8:
	case 10:
	case 11:
	case 12:
	case 13:
	case 14:
	case 17:
	case 21:
	case 29:
	case 30:
		return true;
	default:
		return false;
	}
}

#endif
