/* The serial monitor's regs, xstate and msrs, and the cross-CPU snapshot behind them
 * (hv/monitor_cmd_regs.c, _xstate.c, _msrs.c, hv/vcpu_request.c, hv/guest_state.c). */
#include <string.h>
#include "hv/host_cpu.h"
#include "hv/monitor.h"
#include "hv/vcpu_request.h"
#include "hv/xsave_layout.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"
#include "tests/host/monitor_test_env.h"

/* beta (cpu 1, not the console CPU) in 64-bit mode with known registers. */
static void beta_state(void)
{
	struct vcpu *b = mon_env.v[1];
	struct fake_guest *g = b->arch;
	b->gprs.rax = 0x1111222233334444ull;
	b->gprs.rbx = 0xb;
	b->gprs.r15 = 0xf15;
	g->mode.rip = 0xffffffff81000123ull;
	g->mode.rflags = 0x246;
	g->mode.cr0 = 0x80050033;
	g->mode.cr3 = 0x1234000;
	g->mode.cr4 = 0x6f0;
	g->mode.efer = 0xd01;
	g->mode.cpl = 0;
	g->mode.cs_bits = 64;
	g->segs[SEG_CS] = (struct guest_segment){ 0, 0xffffffff, 0xa09b, false };
	g->state.seg[SEG_CS].sel = 0x10;
	g->state.seg[6].hidden.unusable = true; /* LDTR */
	g->state.seg[7] = (struct guest_state_seg){ 0x40, { 0xfffffe0000003000ull, 0x4087, 0x8b, false } };
	g->state.rsp = 0xffffc90000abcdefull;
	g->state.cr2 = 0x7f0000001000ull;
	g->state.gdtr = (struct guest_state_table){ 0xfffffe0000001000ull, 0x7f };
	g->state.queued.info = GUEST_EVENT_VALID | GUEST_EVENT_HAS_ERROR | (3u << 8) | 14;
	g->state.queued.error_code = 6;
	g->ev.shadow = true;
	b->lapic.nmi_pending = true;
}

TEST(monitor_regs_shows_a_snapshot_taken_on_the_guests_cpu)
{
	mon_env_setup();
	beta_state();
	uint32_t kicks = fake_kicks;
	mon_type("regs beta\r");
	struct fake_guest *g = mon_env.v[1]->arch;
	CHECK(g->snapshots == 1);
	CHECK(fake_kicks == kicks + 1 && fake_kick_apic_id == 0x11); /* beta's CPU was asked */
	CHECK(mon_env.v[1]->requests == 0);
	const char *o = mon_out();
	CHECK(strstr(o, "\nguest beta cpu 1: 64-bit code, CPL 0\n") != NULL);
	CHECK(strstr(o, "rax 1111222233334444 rbx 000000000000000b rcx 0000000000000000") != NULL);
	CHECK(strstr(o, "rsp ffffc90000abcdef\n") != NULL);
	CHECK(strstr(o, "r15 0000000000000f15\n") != NULL);
	CHECK(strstr(o, "rip ffffffff81000123 rflags 0000000000000246 PF ZF IF IOPL=0\n") != NULL);
	CHECK(strstr(o, "cr0 0000000080050033 cr2 00007f0000001000 cr3 0000000001234000 cr4 00000000000006f0\n") != NULL);
	CHECK(strstr(o, "efer 0000000000000d01 ") != NULL);
	CHECK(strstr(o, "cs   0010 base 0000000000000000 limit ffffffff attr a09b\n") != NULL);
	CHECK(strstr(o, "ldtr 0000 base 0000000000000000 limit 00000000 attr 0000 unusable\n") != NULL);
	CHECK(strstr(o, "tr   0040 base fffffe0000003000 limit 00004087 attr 008b\n") != NULL);
	CHECK(strstr(o, "gdtr base fffffe0000001000 limit 007f") != NULL);
	CHECK(strstr(o, "events: queued for the next entry: exception, vector 14, error code 0x6; "
			"interrupt shadow yes; NMI blocked no; not halted\n") != NULL);
	CHECK(strstr(o, "local APIC (virtual): NMI pending yes; highest requested interrupt none\n") != NULL);
	CHECK(strstr(o, "\nhv> ") != NULL);
	mon_env_teardown();
}

TEST(monitor_regs_of_the_console_cpus_own_guest_needs_no_request)
{
	mon_env_setup();
	uint32_t kicks = fake_kicks;
	((struct fake_guest *)mon_env.v[0]->arch)->mode.rip = 0x100010;
	mon_type("regs alpha\r");
	CHECK(fake_kicks == kicks);
	CHECK(((struct fake_guest *)mon_env.v[0]->arch)->snapshots == 1);
	CHECK(strstr(mon_out(), "guest alpha cpu 0: 32-bit code, CPL 0\n") != NULL);
	CHECK(strstr(mon_out(), "rip 0000000000100010 ") != NULL);
	mon_env_teardown();
}

TEST(monitor_regs_bad_names_and_guests_without_live_state)
{
	mon_env_setup();
	mon_type("regs nosuch\r");
	CHECK(!strcmp(mon_answer(), "regs: no guest named 'nosuch' (guests lists them)\nhv> "));
	mon_env.v[2]->end.kind = GUEST_PASSED;
	mon_type("regs gamma\r");
	CHECK(!strcmp(mon_answer(), "regs: guest gamma is not running (finished: passed): it has no "
				 "live state\nhv> "));
	mon_env.v[2]->end.kind = GUEST_RUNNING;
	mon_env.v[2]->start_tsc = 0;
	mon_type("xstate gamma\r");
	CHECK(strstr(mon_out(), "xstate: guest gamma is not running (not started yet)") != NULL);
	mon_type("msrs gamma\r");
	CHECK(strstr(mon_out(), "msrs: guest gamma is not running (not started yet)") != NULL);
	mon_env_teardown();
}

TEST(monitor_a_cpu_that_does_not_answer_costs_only_the_timeout)
{
	mon_env_setup();
	struct vcpu *b = mon_env.v[1];
	mon_env.answer = false;
	fake_tsc_step = 5 * FAKE_TSC_KHZ; /* 5 ms per TSC read */
	mon_type("regs beta\r");
	CHECK(!strcmp(mon_answer(), "regs: no answer from cpu 1 within 500 ms (guest beta)\nhv> "));
	CHECK(b->requests == VCPU_REQ_SNAPSHOT); /* still asked */
	/* The late answer to the abandoned request must not serve the next one. */
	((struct fake_guest *)b->arch)->mode.rip = 0xdead;
	CHECK(vcpu_take_requests(b) == 0);
	((struct fake_guest *)b->arch)->mode.rip = 0xbeef;
	mon_type("regs beta\r");
	CHECK(strstr(mon_out(), "no answer from cpu 1") != NULL);
	CHECK(strstr(mon_out(), "dead") == NULL);
	mon_env.answer = true;
	mon_type("regs beta\r");
	CHECK(strstr(mon_out(), "rip 000000000000beef ") != NULL);
	mon_env_teardown();
}

TEST(monitor_snapshot_request_reports_a_guest_that_ends_while_waiting)
{
	mon_env_setup();
	struct vcpu *b = mon_env.v[1];
	mon_env.answer = false;
	b->end.kind = GUEST_STOPPED; /* ends before answering */
	struct guest_state st;
	CHECK(vcpu_request_snapshot(b, 0, &st, 1000) == VCPU_SNAP_NOT_RUNNING);
	b->end.kind = GUEST_RUNNING;
	fake_tsc_step = FAKE_TSC_KHZ;
	CHECK(vcpu_request_snapshot(b, 0, &st, 1000) == VCPU_SNAP_NO_ANSWER);
	mon_env.answer = true;
	fake_tsc_step = 0;
	CHECK(vcpu_request_snapshot(b, 0, &st, 1000) == VCPU_SNAP_OK);
	mon_env_teardown();
}

/* The fake CPU with XGETBV ECX=1 added (CPUID.(0xD,1).EAX[2]). */
static struct cpuid_value xinuse_cpuid(uint32_t leaf, uint32_t subleaf)
{
	fake_cpuid_override = NULL;
	struct cpuid_value r = host_cpuid(leaf, subleaf);
	fake_cpuid_override = xinuse_cpuid;
	if (leaf == 0xd && subleaf == 1)
		r.eax |= BIT(2);
	return r;
}

TEST(monitor_xstate_shows_xcr0_sizes_format_and_components_in_use)
{
	mon_env_setup();
	static struct xsave_layout layout;
	CHECK(xsave_layout_init(&layout, host_cpuid) == 0);
	fake_cpuid_override = xinuse_cpuid;
	struct vcpu *b = mon_env.v[1];
	b->xcr0 = 0x7;
	b->xcr0_allowed = 0x7;
	b->xs.has_area = true;
	b->xs.area = (struct xsave_area){ NULL, 0x340, 0x7, false, 0x7, 0x7, &layout, 1 };
	fake_xcr0 = 0x7;
	fake_xinuse = 0x3; /* AVX in its init state */
	mon_type("xstate beta\r");
	const char *o = mon_out();
	CHECK(strstr(o, "\nguest beta cpu 1: XCR0 0x7 (x87 SSE AVX), permitted 0x7\n") != NULL);
	CHECK(strstr(o, "IA32_XSS 0x0 (denied to guests: #GP)\n") != NULL);
	CHECK(strstr(o, "IA32_XFD, IA32_XFD_ERR: not offered (this CPU has no XFD)\n") != NULL);
	CHECK(strstr(o, "XSAVE size for XCR0: 832 bytes standard format (no XSAVEC: no compacted format)\n") != NULL);
	CHECK(strstr(o, "hypervisor's copy: 832 bytes, standard format, laid out for 0x7\n") != NULL);
	CHECK(strstr(o, "in use (XINUSE, not in their init state): 0x3 (x87 SSE)\n") != NULL);
	/* Without XGETBV ECX=1 it says so instead of guessing. */
	fake_cpuid_override = NULL;
	mon_type("xstate beta\r");
	CHECK(strstr(mon_out(), "in use: unknown (this CPU has no XGETBV with ECX = 1)\n") != NULL);
	CHECK(strstr(mon_out(), "XINUSE") == NULL);
	fake_xinuse = 0;
	mon_env_teardown();
}

TEST(monitor_msrs_shows_the_policy_with_current_values)
{
	mon_env_setup();
	beta_state();
	struct vcpu *b = mon_env.v[1];
	b->msr_mtrr_def_type = 0xc06;
	((struct fake_guest *)b->arch)->state.lstar = 0xffffffff81e00000ull;
	((struct fake_guest *)b->arch)->pat = 0x0007040600070406ull;
	mon_type("msrs beta\r");
	const char *o = mon_out();
	CHECK(strstr(o, "\nguest beta cpu 1: MSR policy (anything not listed: denied, #GP)\n") != NULL);
	CHECK(strstr(o, "  0x2ff                   MTRR_DEF_TYPE          emulated: 0xc06\n") != NULL);
	CHECK(strstr(o, "  0xc0000080              EFER                   dedicated field: 0xd01\n") != NULL);
	CHECK(strstr(o, "  0x3a                    FEATURE_CONTROL        denied (#GP)\n") != NULL);
	CHECK(strstr(o, "  0xc0000081-0xc0000084   STAR/LSTAR/CSTAR/SFMASK passthrough: 0x0 0xffffffff81e00000 0x0 0x0\n") != NULL);
	CHECK(strstr(o, "  0x1b                    APIC_BASE              emulated: 0xfee00") != NULL);
	CHECK(strstr(o, "PLATFORM_ID            read emulated, write denied (#GP): 0x0\n") != NULL);
	mon_env_teardown();
}
