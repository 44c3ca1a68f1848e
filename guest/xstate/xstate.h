/* The xstate guest's parts: the init-state probe and the register-integrity run. */
#ifndef GUEST_XSTATE_H
#define GUEST_XSTATE_H

#include "guest.h"

/* XCR0 / XSAVE state-component bits (SDM vol. 1 13.1). */
#define XC_X87 0x1u
#define XC_SSE 0x2u
#define XC_AVX 0x4u
#define XC_MPX 0x18u
#define XC_AVX512 0xe0u
#define XC_PKRU 0x200u

#include "long_mode.h" /* call64: a 64-bit routine called from compatibility mode */

/*
 * Issue 15: the state a guest finds at its start. Called first thing, in compatibility
 * mode with CR4.OSXSAVE set and XCR0 = mask, before any x87/SSE/AVX register is touched.
 * Reports one group "init state"; `compacted` asks for the XSAVEC image as well.
 */
void check_init_state(uint32_t mask, bool compacted);

#endif
