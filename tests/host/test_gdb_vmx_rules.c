/* The gdb stub's VMX decisions (arch/x86/vmx/vmx_gdb_rules.c), against SDM vol. 3C: the
 * exception bitmap (24.6.3), the monitor trap flag and its allowed 1-setting (24.6.2 table
 * 24-6 bit 27, A.3.2), DR6 from a #DB exit's qualification (27.2.1 table 27-1). */
#include "arch/x86/vmx/vmx_gdb_rules.h"
#include "tests/host/harness.h"

/* vmx_vcpu.c's bitmap: #DB and #AC always, #NM while XFD is live. */
#define BASE_BITMAP ((uint32_t)(BIT(1) | BIT(17)))

TEST(vmx_gdb_bp_intercept_sets_and_clears_only_vector_3)
{
	CHECK_EQ(vmx_gdb_exception_bitmap(BASE_BITMAP, true), BASE_BITMAP | BIT(3));
	CHECK_EQ(vmx_gdb_exception_bitmap(BASE_BITMAP | BIT(3), false), BASE_BITMAP);
	CHECK_EQ(vmx_gdb_exception_bitmap(BASE_BITMAP | BIT(7), true), BASE_BITMAP | BIT(7) | BIT(3));
	CHECK_EQ(vmx_gdb_exception_bitmap(BASE_BITMAP | BIT(7) | BIT(3), false), BASE_BITMAP | BIT(7));
	/* Idempotent both ways: arm() may be called with nothing changed. */
	CHECK_EQ(vmx_gdb_exception_bitmap(BASE_BITMAP, false), BASE_BITMAP);
	CHECK_EQ(vmx_gdb_exception_bitmap(BASE_BITMAP | BIT(3), true), BASE_BITMAP | BIT(3));
	/* #DB stays intercepted whatever gdb does (the CVE-2015-8104 rule, hv_handle_exit). */
	CHECK(vmx_gdb_exception_bitmap(BASE_BITMAP, false) & BIT(1));
}

TEST(vmx_gdb_mtf_only_while_stepping_and_only_where_allowed)
{
	const uint32_t proc = 0x8401e1f2u; /* some primary controls, MTF clear */
	const uint64_t with_mtf = (uint64_t)(0xfff9fffeu) << 32;                  /* allowed-1: bit 27 set */
	const uint64_t without = (uint64_t)(0xfff9fffeu & ~(uint32_t)BIT(27)) << 32; /* bit 27 clear */
	bool ok = false;
	CHECK_EQ(vmx_gdb_proc_controls(proc, true, with_mtf, &ok), proc | BIT(27));
	CHECK(ok);
	CHECK_EQ(vmx_gdb_proc_controls(proc | BIT(27), false, with_mtf, &ok), proc);
	CHECK_EQ(vmx_gdb_proc_controls(proc, false, with_mtf, &ok), proc);
	/* The window-exiting bits vmx_events.c flips are left as they are. */
	CHECK_EQ(vmx_gdb_proc_controls(proc | BIT(2) | BIT(22), true, with_mtf, &ok),
		 proc | BIT(2) | BIT(22) | BIT(27));
	/* A CPU without the flag: never set, and the caller hears so. */
	ok = true;
	CHECK_EQ(vmx_gdb_proc_controls(proc, true, without, &ok), proc);
	CHECK(!ok);
	/* The allowed 0-settings (bits 31:0) say nothing about whether it may be 1. */
	CHECK_EQ(vmx_gdb_proc_controls(proc, true, BIT(27), &ok), proc);
	CHECK(!ok);
}

TEST(vmx_db_exit_dr6_takes_the_qualification_bits)
{
	/* DR6's reserved-1 bits as after reset (0xFFFF0FF0) and a stale B1 from an earlier #DB:
	 * a data breakpoint in DR0 (qualification B0). */
	CHECK_EQ(vmx_db_exit_dr6(0xffff0ff2ull, BIT(0)), 0xffff0ff1ull);
	/* Single step: BS (bit 14), sticky B bits cleared, RTM stays 1 (no RTM, active low). */
	CHECK_EQ(vmx_db_exit_dr6(0xffff0ff8ull, BIT(14)), 0xffff4ff0ull);
	/* BD (bit 13) with B3. */
	CHECK_EQ(vmx_db_exit_dr6(0xffff0ff0ull, BIT(13) | BIT(3)), 0xffff2ff8ull);
	/* RTM: qualification bit 16 set means DR6.RTM (bit 16) clear. */
	CHECK_EQ(vmx_db_exit_dr6(0xffff0ff0ull, BIT(16) | BIT(2)), 0xfffe0ff4ull);
	/* Bits outside B0-B3/BD/BS/RTM in the qualification (reserved) never reach DR6. */
	CHECK_EQ(vmx_db_exit_dr6(0xffff0ff0ull, BIT(4) | BIT(12) | BIT(15)), 0xffff0ff0ull);
	/* A BS already in DR6 (the guest single-stepped before) stays: sticky. */
	CHECK_EQ(vmx_db_exit_dr6(0xffff4ff0ull, BIT(1)), 0xffff4ff2ull);
}

/* The step's mode: the monitor trap flag where its allowed 1-setting is 1 (A.3.2), else TF. */
TEST(vmx_gdb_step_prefers_mtf_and_falls_back_to_tf)
{
	CHECK_EQ(vmx_gdb_step_mode((uint64_t)0xfff9fffeu << 32), VMX_STEP_MTF);
	CHECK_EQ(vmx_gdb_step_mode((uint64_t)(0xfff9fffeu & ~(uint32_t)BIT(27)) << 32), VMX_STEP_TF);
	/* Bochs 2.7 corei7_skylake_x: no bit 27 in the allowed 1-settings; allowed-0 ignored. */
	CHECK_EQ(vmx_gdb_step_mode(((uint64_t)0xf7f9fffeu << 32) | BIT(27)), VMX_STEP_TF);
	/* The controls agree: the flag is set exactly in MTF mode. */
	bool ok;
	CHECK_EQ(vmx_gdb_proc_controls(0, true, (uint64_t)0xf7f9fffeu << 32, &ok), 0u);
}

#define TF BIT(8)
#define STI BIT(0)
#define MOVSS BIT(1)
#define NMIBLK BIT(3)
#define BS BIT(14)

static struct vmx_dbg_state st(uint64_t rflags, uint64_t is, uint64_t pending)
{
	return (struct vmx_dbg_state){ rflags, is, pending };
}

/* SDM vol. 3C 26.3.1.5: with blocking by STI or MOV SS, pending BS must equal RFLAGS.TF. */
static bool entry_consistent(struct vmx_dbg_state s)
{
	if (!(s.interruptibility & (STI | MOVSS)))
		return true;
	return !!(s.pending_dbg & BS) == !!(s.rflags & TF);
}

TEST(vmx_gdb_tf_on_keeps_the_guests_tf_and_drops_the_shadow)
{
	bool gtf = true;
	struct vmx_dbg_state s = vmx_gdb_tf_on(st(0x202, 0, 0), &gtf);
	CHECK(!gtf);
	CHECK_EQ(s.rflags, 0x302u);
	CHECK_EQ(s.interruptibility, 0u);
	CHECK_EQ(s.pending_dbg, 0u);
	/* The guest steps itself: its TF is reported, RFLAGS unchanged. */
	s = vmx_gdb_tf_on(st(0x302, 0, 0), &gtf);
	CHECK(gtf);
	CHECK_EQ(s.rflags, 0x302u);
	/* Inside an STI or MOV SS shadow: the shadow goes (else VM entry would need BS, a #DB
	 * before the instruction); virtual-NMI blocking stays. */
	s = vmx_gdb_tf_on(st(0x202, STI | NMIBLK, 0), &gtf);
	CHECK_EQ(s.interruptibility, NMIBLK);
	CHECK(entry_consistent(s));
	s = vmx_gdb_tf_on(st(0x202, MOVSS, 0), &gtf);
	CHECK_EQ(s.interruptibility, 0u);
	CHECK(entry_consistent(s));
	/* The guest's own pending single-step trap stays pending. */
	s = vmx_gdb_tf_on(st(0x302, STI, BS), &gtf);
	CHECK_EQ(s.pending_dbg, BS);
	CHECK(entry_consistent(s));
}

TEST(vmx_gdb_tf_off_gives_the_guest_its_own_tf_back)
{
	/* The step ended at a #DB exit: TF off again, nothing pending. */
	struct vmx_dbg_state s = vmx_gdb_tf_off(st(0x346, 0, 0), false, false);
	CHECK_EQ(s.rflags, 0x246u);
	CHECK_EQ(s.pending_dbg, 0u);
	/* The guest had TF: it stays. */
	s = vmx_gdb_tf_off(st(0x346, 0, 0), true, false);
	CHECK_EQ(s.rflags, 0x346u);
	/* An instruction the hypervisor carried out under gdb's TF made BS pending
	 * (vmx_advance_rip): not the guest's, so taken back; with the guest's TF it stays, and
	 * the guest gets its #DB after the instruction, as on bare metal (17.3.1.4). */
	s = vmx_gdb_tf_off(st(0x302, 0, BS), false, false);
	CHECK_EQ(s.pending_dbg, 0u);
	CHECK_EQ(s.rflags, 0x202u);
	s = vmx_gdb_tf_off(st(0x302, 0, BS), true, false);
	CHECK_EQ(s.pending_dbg, BS);
	/* Other pending bits (B0-B3, BD, RTM) are never touched. */
	s = vmx_gdb_tf_off(st(0x302, 0, BS | BIT(0) | BIT(16)), false, false);
	CHECK_EQ(s.pending_dbg, BIT(0) | BIT(16));
	/* A POPF or IRET that loaded TF = 0 during the step: TF = 0 is now the guest's. */
	s = vmx_gdb_tf_off(st(0x202, 0, 0), true, false);
	CHECK_EQ(s.rflags, 0x202u);
}

TEST(vmx_gdb_tf_off_keeps_entry_consistent_under_sti_and_mov_ss)
{
	/* The stepped instruction was STI (or MOV SS): its shadow is set at the #DB exit. */
	struct vmx_dbg_state s = vmx_gdb_tf_off(st(0x302, STI, 0), false, false);
	CHECK_EQ(s.rflags & TF, 0u);
	CHECK_EQ(s.pending_dbg & BS, 0u);
	CHECK(entry_consistent(s));
	s = vmx_gdb_tf_off(st(0x302, MOVSS, BS), false, false);
	CHECK(entry_consistent(s));
	CHECK_EQ(s.pending_dbg, 0u);
	/* The guest steps itself and no #DB is injected for it: its trap is pending (BS). */
	s = vmx_gdb_tf_off(st(0x302, STI, 0), true, false);
	CHECK_EQ(s.pending_dbg, BS);
	CHECK(entry_consistent(s));
	/* Its #DB is injected instead: no BS beside it, and the delivery ends the shadow. */
	s = vmx_gdb_tf_off(st(0x302, STI | NMIBLK, 0), true, true);
	CHECK_EQ(s.pending_dbg, 0u);
	CHECK_EQ(s.interruptibility, NMIBLK);
	CHECK_EQ(s.rflags, 0x302u);
	CHECK(entry_consistent(s));
	/* Every combination enters: TF on and off, shadow or not, BS or not. */
	for (unsigned m = 0; m < 32; m++) {
		struct vmx_dbg_state in = st(m & 1 ? 0x302 : 0x202, (m & 2 ? STI : 0) | (m & 4 ? MOVSS : 0),
					     m & 8 ? BS : 0);
		bool gtf;
		CHECK(entry_consistent(vmx_gdb_tf_on(in, &gtf)));
		CHECK(entry_consistent(vmx_gdb_tf_off(in, m & 16, false)));
		CHECK(entry_consistent(vmx_gdb_tf_off(in, m & 16, true)));
	}
}
