/*
 * XFD as the product runs it (tests/host/xfd_guest_env.h: the same intercepts and the same
 * hv/xfd_state.c calls as hv/xstate.c) against the same guest on bare metal: a long
 * pseudo-random run of everything a guest does with XFD, where every value the guest can
 * observe (RDMSR results, #GP, #NM and its XFD_ERR, component contents) must be what bare
 * metal gives. Under both readings of how an #NM sets XFD_ERR (xfd_model.h).
 */
#include "arch/x86/msr_index.h"
#include "hv/xcr0_policy.h"
#include "tests/host/harness.h"
#include "tests/host/xfd_guest_env.h"

static uint32_t next(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* A guest-chosen XFD/XFD_ERR value: mostly the XFD-capable bits, sometimes an invalid one. */
static uint64_t pick_bits(uint32_t r)
{
	static const uint64_t vals[] = { 0, TILE, TCFG, TILE | TCFG, TILE, 0, BIT(19), TILE | BIT(2) };
	return vals[r % 8];
}

TEST(xfd_random_guest_matches_bare_metal)
{
	static const enum xm_err_rule rules[] = { XM_ERR_LOAD, XM_ERR_ACCUMULATE };
	for (unsigned r = 0; r < 2; r++) {
		struct env bare, virt;
		env_init(&bare, xm_cpuid_spr_xfd2, GUEST_XCR0, rules[r], false);
		env_init(&virt, xm_cpuid_spr_xfd2, GUEST_XCR0, rules[r], true);
		REQUIRE(virt.x.enabled);
		uint32_t seed = 7 + r;
		int mismatches = 0, nms = 0, reads = 0, direct_writes = 0;
		for (int step = 0; step < 4000 && mismatches < 5; step++) {
			uint32_t op = next(&seed) % 8, arg = next(&seed);
			uint64_t b = 0, v = 0;
			int vexits = virt.exits;
			switch (op) {
			case 0: case 1: /* write XFD (the common one: a guest OS's context switch) */
				b = (uint64_t)g_wrmsr(&bare, MSR_XFD, pick_bits(arg));
				v = (uint64_t)g_wrmsr(&virt, MSR_XFD, pick_bits(arg));
				direct_writes += virt.exits == vexits;
				break;
			case 2: /* write XFD_ERR (an #NM handler clears it) */
				b = (uint64_t)g_wrmsr(&bare, MSR_XFD_ERR, pick_bits(arg) & ~BIT(19));
				v = (uint64_t)g_wrmsr(&virt, MSR_XFD_ERR, pick_bits(arg) & ~BIT(19));
				break;
			case 3: case 4: /* read XFD or XFD_ERR */
				b = g_rdmsr(&bare, op == 3 ? MSR_XFD : MSR_XFD_ERR);
				v = g_rdmsr(&virt, op == 3 ? MSR_XFD : MSR_XFD_ERR);
				reads++;
				break;
			case 5: case 6: { /* use tiles, tile config or AVX */
				static const uint64_t need[] = { TILE, TCFG, TILE | TCFG, XFEATURE_AVX };
				uint64_t n = need[arg % 4];
				b = g_use(&bare, n, arg);
				v = g_use(&virt, n, arg);
				nms += v == XM_NM_GUEST;
				for (unsigned i = 0; i < 64; i++)
					if (bare.m.value[i] != virt.m.value[i])
						mismatches++;
				break;
			}
			default: /* an exit that has nothing to do with XFD */
				g_other_exit(&virt);
				break;
			}
			if (b != v) {
				printf("    rule %u step %d op %u arg 0x%x: bare metal 0x%llx, hv 0x%llx\n", r,
				       step, op, arg, (unsigned long long)b, (unsigned long long)v);
				mismatches++;
			}
		}
		CHECK_EQ(mismatches, 0);
		CHECK_EQ(virt.m.guest_nm, bare.m.guest_nm);
		CHECK_EQ(virt.m.bad_calls, 0);
		CHECK_EQ(virt.m.host_nm, 0);
		/* The run did exercise what it is for. */
		CHECK(nms > 100);
		CHECK(reads > 500);
		CHECK(direct_writes > 100);
	}
}
