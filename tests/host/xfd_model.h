/*
 * A model of one logical processor's XFD-related behaviour (Intel SDM vol. 1
 * 13.14, 13.7-13.10), for host tests of hv/xfd_state.c: XCR0, IA32_XFD,
 * IA32_XFD_ERR, per-component init tracking (XINUSE) and contents, #NM from
 * XFD, XSAVE/XSAVEC and XRSTOR on real buffers laid out by hv/xsave_layout.
 * No emulator available here has XFD, so this is what the sequences are
 * checked against. A component's contents are stood in for by 8 bytes.
 */
#ifndef TESTS_HOST_XFD_MODEL_H
#define TESTS_HOST_XFD_MODEL_H

#include "hv/xfd_state.h"
#include "hv/xsave_layout.h"
#include "tests/host/fake_arch.h"

/* How an XFD #NM sets XFD_ERR. The SDM says the register is "loaded with" XFD AND
 * the components the faulting instruction needs; the issue text and tglx describe
 * it as additive. hv/xfd_state.c must be faithful under either. */
enum xm_err_rule { XM_ERR_LOAD, XM_ERR_ACCUMULATE };

enum xm_fault {
	XM_NONE,
	XM_UD,       /* component not enabled in XCR0 */
	XM_GP,       /* WRMSR of an unsupported bit, bad XSAVE header or alignment */
	XM_NM_EXIT,  /* #NM in the guest, intercepted: the model is now in host mode */
	XM_NM_GUEST, /* #NM delivered to the guest's own handler */
	XM_NM_HOST,  /* #NM while the hypervisor ran */
};

struct xfd_model {
	uint64_t xcr0, xfd, xfd_err;
	uint64_t xinuse;    /* bit i: component i not in its init state */
	uint64_t value[64]; /* contents of component i (0 = init) */
	bool has_xfd;
	uint64_t xfd_capable; /* CPUID.(0xD,i).ECX[2] */
	enum xm_err_rule err_rule;
	bool guest_mode, xfd_write_intercept, nm_intercept;
	/* what the hypervisor did through xm_ops */
	int rdmsr_calls, wrmsr_calls, wrmsr_xfd, wrmsr_xfd_err, intercept_calls;
	int bad_calls;   /* MSR op that would #GP, or made while in guest mode */
	int host_nm;     /* #NM raised in host mode */
	uint64_t host_nm_xfd_err; /* XFD_ERR as a host #NM handler would read it */
	int guest_nm;    /* #NMs that reached the guest's handler */
	int init_loads;  /* XRSTORs of the init image at guest start (tests/host/xfd_guest_env.c) */
};

extern const struct xfd_ops xm_ops; /* ctx = struct xfd_model * */

void xm_init(struct xfd_model *m, const struct xsave_layout *l, uint64_t xcr0, enum xm_err_rule r);
static inline void xm_vmentry(struct xfd_model *m) { m->guest_mode = true; }
static inline void xm_vmexit(struct xfd_model *m) { m->guest_mode = false; }

/* An instruction in the current mode that needs components `need` and writes val into
 * each (val 0 would leave them non-init too: XINUSE is set). */
enum xm_fault xm_use(struct xfd_model *m, uint64_t need, uint64_t val);
/* WRMSR/RDMSR executed in the current mode, not intercepted. */
enum xm_fault xm_wrmsr(struct xfd_model *m, uint32_t msr, uint64_t val);
uint64_t xm_rdmsr(const struct xfd_model *m, uint32_t msr);
/* XSAVE (standard) or XSAVEC (compacted) with EDX:EAX = rfbm into buf. */
enum xm_fault xm_xsave(struct xfd_model *m, const struct xsave_layout *l, void *buf,
		       bool compacted, uint64_t rfbm);
/* XRSTOR, standard or compacted form by XCOMP_BV[63]. */
enum xm_fault xm_xrstor(struct xfd_model *m, const struct xsave_layout *l, const void *buf,
			uint64_t rfbm);

/* Synthetic CPUID tables shared by the tests. */
struct cpuid_value xm_cpuid_lookup(const struct fake_cpuid_entry *t, size_t n, uint32_t leaf,
				   uint32_t subleaf);
/* Sapphire-Rapids-like: XCR0 0x602e7 (AVX-512, PKRU, AMX), XSS PT, XSAVEC/XSAVES/XFD;
 * TILECFG 64@2752 and TILEDATA 8192@2816, both 64-byte aligned; only TILEDATA is
 * XFD-capable. Standard size with AMX 11008. */
struct cpuid_value xm_cpuid_spr(uint32_t leaf, uint32_t subleaf);
/* The same but TILECFG XFD-capable too (synthetic: two XFD bits to accumulate). */
struct cpuid_value xm_cpuid_spr_xfd2(uint32_t leaf, uint32_t subleaf);

#endif
