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
