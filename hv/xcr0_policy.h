/* Which XCR0 values a guest may set with XSETBV (Intel SDM vol. 1 13.3; vol. 2B XSETBV). */
#ifndef HV_XCR0_POLICY_H
#define HV_XCR0_POLICY_H

#include "hv/types.h"

#define XFEATURE_X87 BIT(0)
#define XFEATURE_SSE BIT(1)
#define XFEATURE_AVX BIT(2)
#define XFEATURE_BNDREGS BIT(3)
#define XFEATURE_BNDCSR BIT(4)
#define XFEATURE_OPMASK BIT(5)
#define XFEATURE_ZMM_HI256 BIT(6)
#define XFEATURE_HI16_ZMM BIT(7)
#define XFEATURE_PKRU BIT(9)
#define XFEATURE_TILECFG BIT(17)
#define XFEATURE_TILEDATA BIT(18)
#define XFEATURE_AVX512 (XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM)
#define XFEATURE_MPX (XFEATURE_BNDREGS | XFEATURE_BNDCSR)
#define XFEATURE_AMX (XFEATURE_TILECFG | XFEATURE_TILEDATA)
/* The user-state components this hypervisor knows (SDM vol. 1 13.1, 13.3). The
 * other bits are supervisor components (PT, PASID, CET, HDC, UINTR, LBR, HWP:
 * IA32_XSS only) or reserved; XSETBV refuses them in XCR0. */
#define XCR0_USER_STATE (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_MPX | \
			 XFEATURE_AVX512 | XFEATURE_PKRU | XFEATURE_AMX)

/* true when val obeys the architectural rules and sets only bits in allowed. */
bool xcr0_valid(uint64_t val, uint64_t allowed);
/* A guest's permitted XCR0 bits: configured (or everything but AMX), limited to the hardware's. */
uint64_t xcr0_guest_allowed(uint64_t supported, bool configured, uint64_t configured_bits);

#endif
