/*
 * XSAVE area geometry (Intel SDM vol. 1 ch. 13): where each state component
 * lives in the standard and the compacted format, and how big an area must be
 * for a given set of components. Everything is computed from the
 * per-component CPUID leaves (0xD, i): CPUID.(0xD,0).EBX and (0xD,1).EBX
 * describe the *current* XCR0 / XCR0|IA32_XSS only and are never used as
 * sizes; (0xD,0).ECX is used solely as a cross-check upper bound.
 *
 * Pure logic: no XSAVE/XRSTOR is executed here (the arch layer does that).
 */
#ifndef HV_XSAVE_LAYOUT_H
#define HV_XSAVE_LAYOUT_H

#include <stddef.h>
#include "hv/cpuid_policy.h"
#include "hv/types.h"

#define XSAVE_LEGACY_SIZE 512u /* FXSAVE image: x87 + SSE (13.4.1) */
#define XSAVE_HEADER_SIZE 64u  /* XSTATE_BV, XCOMP_BV, reserved (13.4.2) */
#define XSAVE_EXT_OFFSET 576u  /* first byte of the extended region (13.4.3) */
#define XSAVE_ALIGN 64u        /* XSAVE* / XRSTOR* #GP on a misaligned area */
#define XSAVE_NCOMP 63         /* components 0..62; XCOMP_BV bit 63 is the format bit */
#define XCOMP_BV_COMPACTED BIT(63)

/* Architectural init values (13.6; vol. 3 table 10-1 for x87/MXCSR at reset/FNINIT). */
#define XSAVE_INIT_FCW 0x037Fu
#define XSAVE_INIT_MXCSR 0x1F80u

/* Legacy region: the 64-bit (REX.W) FXSAVE layout (vol. 1 table 10-2, vol. 2A FXSAVE). */
struct xsave_legacy {
	uint16_t fcw;          /* x87 control word */
	uint16_t fsw;          /* x87 status word */
	uint8_t ftw;           /* abridged tag word: bit i = 1 means ST(i) valid; 0 = all empty */
	uint8_t reserved1;
	uint16_t fop;
	uint64_t fip;
	uint64_t fdp;
	uint32_t mxcsr;
	uint32_t mxcsr_mask;   /* written by FXSAVE/XSAVE, ignored by (X)RSTOR */
	uint8_t st[8][16];     /* ST0-ST7 / MM0-MM7: 10 bytes used of each 16 */
	uint8_t xmm[16][16];   /* XMM0-XMM15 */
	uint8_t reserved2[48]; /* 416..463 */
	uint8_t available[48]; /* 464..511: never written by XSAVE* (13.4.1) */
};
_Static_assert(sizeof(struct xsave_legacy) == XSAVE_LEGACY_SIZE, "legacy region is 512 bytes");
_Static_assert(offsetof(struct xsave_legacy, fcw) == 0, "FCW");
_Static_assert(offsetof(struct xsave_legacy, fsw) == 2, "FSW");
_Static_assert(offsetof(struct xsave_legacy, ftw) == 4, "FTW");
_Static_assert(offsetof(struct xsave_legacy, fop) == 6, "FOP");
_Static_assert(offsetof(struct xsave_legacy, fip) == 8, "FIP");
_Static_assert(offsetof(struct xsave_legacy, fdp) == 16, "FDP");
_Static_assert(offsetof(struct xsave_legacy, mxcsr) == 24, "MXCSR");
_Static_assert(offsetof(struct xsave_legacy, mxcsr_mask) == 28, "MXCSR_MASK");
_Static_assert(offsetof(struct xsave_legacy, st) == 32, "ST0");
_Static_assert(offsetof(struct xsave_legacy, xmm) == 160, "XMM0");
_Static_assert(offsetof(struct xsave_legacy, available) == 464, "software-available bytes");

/* XSAVE header at byte 512 (13.4.2). The reserved bytes must be zero or XRSTOR* #GPs. */
struct xsave_header {
	uint64_t xstate_bv; /* bit i = 1: component i is saved in the area (else in its init state) */
	uint64_t xcomp_bv;  /* bit 63 = compacted format; bits 62:0 = components laid out */
	uint64_t reserved[6];
};
_Static_assert(sizeof(struct xsave_header) == XSAVE_HEADER_SIZE, "XSAVE header is 64 bytes");
_Static_assert(offsetof(struct xsave_header, xcomp_bv) == 8, "XCOMP_BV");

/* One state component, from CPUID.(0xD, i) (13.2). */
struct xsave_component {
	uint32_t size;   /* EAX */
	uint32_t offset; /* EBX: standard-format offset (0 for supervisor components) */
	bool supervisor; /* ECX[0]: managed through IA32_XSS, only XSAVES/XRSTORS handle it */
	bool align64;    /* ECX[1]: 64-byte aligned in the compacted format */
	bool xfd;        /* ECX[2]: can be armed in IA32_XFD (13.14) */
};

/* What one CPU kind reports. Hybrid machines have one layout per kind. */
struct xsave_layout {
	bool valid;            /* XSAVE present and leaf 0xD self-consistent */
	bool xsaveopt, xsavec, xsaves, xfd; /* CPUID.(0xD,1).EAX bits 0, 1, 3, 4 */
	uint64_t user_mask;    /* CPUID.(0xD,0) EDX:EAX: components XCR0 can enable */
	uint64_t sup_mask;     /* CPUID.(0xD,1) EDX:ECX: components IA32_XSS can enable */
	uint64_t xfd_mask;     /* components with ECX[2] set (0 when the CPU has no XFD) */
	uint32_t max_std_size; /* CPUID.(0xD,0).ECX: only a cross-check bound */
	struct xsave_component comp[64];
};

/* Read leaf 0xD through cpuid. 0 on success, -1 (layout invalid) when the CPU has no
 * XSAVE or its leaves contradict each other. */
int xsave_layout_init(struct xsave_layout *l, cpuid_source_fn cpuid);

/* Every component this CPU can manage (XCR0 and IA32_XSS bits). */
static inline uint64_t xsave_supported(const struct xsave_layout *l)
{
	return l->user_mask | l->sup_mask;
}
static inline bool xsave_has_xsaveopt(const struct xsave_layout *l) { return l->xsaveopt; }
static inline bool xsave_has_xsavec(const struct xsave_layout *l) { return l->xsavec; }
static inline bool xsave_has_xsaves(const struct xsave_layout *l) { return l->xsaves; }
static inline bool xsave_has_xfd(const struct xsave_layout *l) { return l->xfd; }
/* The format the hypervisor uses on this CPU: compacted where XSAVEC exists. */
static inline bool xsave_use_compacted(const struct xsave_layout *l) { return l->xsavec; }

/* Standard format (XSAVE/XRSTOR): max over user components in mask of offset+size,
 * at least 576. Supervisor components cannot be held in this format and are ignored. */
uint32_t xsave_std_size(const struct xsave_layout *l, uint64_t mask);
/* Compacted format (XSAVEC/XSAVES, XCOMP_BV = bit63 | mask): 576 + components in
 * ascending order, each 64-byte aligned when its ECX[1] says so (13.4.3). */
uint32_t xsave_compacted_size(const struct xsave_layout *l, uint64_t mask);
/* Offset of component i (2..62) in a compacted area whose XCOMP_BV[62:0] is mask;
 * 0 when i is not in mask or not supported. */
uint32_t xsave_compacted_offset(const struct xsave_layout *l, uint64_t mask, unsigned i);
/* Either format. Standard offsets do not depend on mask (but i must be a user component). */
uint32_t xsave_size(const struct xsave_layout *l, bool compacted, uint64_t mask);
uint32_t xsave_offset(const struct xsave_layout *l, bool compacted, uint64_t mask, unsigned i);

#endif
