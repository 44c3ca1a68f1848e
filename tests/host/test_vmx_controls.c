/* VMX controls from capability MSRs (arch/x86/vmx/vmx_controls.c), SDM vol. 3C A.3-A.5. */
#include <string.h>
#include "arch/x86/vmx/vmx_controls.h"
#include "arch/x86/vmx/vmx_vmcs.h"
#include "tests/host/harness.h"

/* must-be-1 bits in 31:0, may-be-1 bits in 63:32 */
static uint64_t cap(uint32_t must1, uint32_t may1)
{
	return (uint64_t)may1 << 32 | must1;
}

/* A CPU that allows every control; TRUE MSRs (BASIC[55]) so default1 bits may be 0. */
static struct vmx_caps generous(void)
{
	struct vmx_caps c = {
		.basic = 1ull << 55,
		.pin = cap(0, ~0u),
		.proc = cap(0, ~0u),
		.proc2 = cap(0, ~0u),
		.exit = cap(0, ~0u),
		.entry = cap(0, ~0u),
		.misc = 2ull << 25,
		.ept_vpid = EPT_CAP_WALK_4 | EPT_CAP_WB | EPT_CAP_INVEPT | EPT_CAP_INVEPT_SINGLE |
			    EPT_CAP_INVEPT_ALL | VPID_CAP_INVVPID | VPID_CAP_INVVPID_SINGLE,
	};
	return c;
}

TEST(vmx_controls_required_and_optional_set)
{
	struct vmx_caps c = generous();
	struct vmx_controls v;
	char err[128] = "";
	REQUIRE(vmx_controls_compute(&c, &v, err, sizeof(err)) == 0);
	CHECK(v.proc2 & PROC2_ENABLE_EPT);
	CHECK(v.proc2 & PROC2_ENABLE_VPID);
	CHECK(v.proc2 & PROC2_UNRESTRICTED_GUEST);
	CHECK(v.proc2 & PROC2_ENABLE_XSAVES);
	CHECK(v.proc & PROC_USE_MSR_BITMAPS);
	CHECK(v.exit & EXIT_LOAD_EFER);
	CHECK(v.entry & ENTRY_LOAD_PAT);
	/* Run-time controls start clear; CR3 exiting is pointless with EPT. */
	CHECK(!(v.entry & ENTRY_IA32E_MODE_GUEST));
	CHECK(!(v.proc & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING)));
	/* Physical interrupts exit, acknowledged: never delivered through the guest's IDT. */
	CHECK(v.pin & PIN_EXTERNAL_INTERRUPT_EXITING);
	CHECK(v.exit & EXIT_ACK_INTERRUPT_ON_EXIT);
	CHECK(v.proc & PROC_USE_TPR_SHADOW); /* the guest's CR8 never reaches the physical TPR */
	CHECK(v.invept_single);
	CHECK(v.invvpid && v.invvpid_single);
	CHECK_EQ(v.msr_list_max, 512 * 3);
}

TEST(vmx_controls_must_be_one_and_may_be_one_honoured)
{
	struct vmx_caps c = generous();
	/* Without TRUE MSRs the CR3 exits are default1 and forced on; an optional control
	 * the CPU cannot set is simply left out. */
	c.proc = cap(PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING | 0x0401e172u, ~0u);
	c.proc2 = cap(0, ~(uint32_t)PROC2_ENABLE_XSAVES);
	struct vmx_controls v;
	char err[128] = "";
	REQUIRE(vmx_controls_compute(&c, &v, err, sizeof(err)) == 0);
	CHECK((v.proc & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING)) ==
	      (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING));
	CHECK(!(v.proc2 & PROC2_ENABLE_XSAVES));
	/* Whatever is chosen, every bit obeys the capability MSR (A.3.2). */
	CHECK_EQ(v.proc & (uint32_t)c.proc, (uint32_t)c.proc);
	CHECK_EQ(v.proc2 & ~(uint32_t)(c.proc2 >> 32), 0);
}

TEST(vmx_controls_missing_required_control_named)
{
	struct vmx_caps c = generous();
	c.proc2 = cap(0, ~(uint32_t)PROC2_UNRESTRICTED_GUEST);
	struct vmx_controls v;
	char err[128] = "";
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "unrestricted guest") != NULL);
	CHECK(strstr(err, "secondary processor-based") != NULL);
}

TEST(vmx_controls_interrupt_exiting_required)
{
	struct vmx_caps c = generous();
	c.exit = cap(0, ~(uint32_t)EXIT_ACK_INTERRUPT_ON_EXIT);
	struct vmx_controls v;
	char err[128] = "";
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "acknowledge interrupt on exit") != NULL);
	c = generous();
	c.pin = cap(0, ~(uint32_t)PIN_EXTERNAL_INTERRUPT_EXITING);
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "external-interrupt exiting") != NULL);
	CHECK(strstr(err, "pin-based") != NULL);
}

TEST(vmx_controls_dynamic_control_must_be_clearable)
{
	struct vmx_caps c = generous();
	c.entry = cap(ENTRY_IA32E_MODE_GUEST, ~0u);
	struct vmx_controls v;
	char err[128] = "";
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "IA-32e mode guest") != NULL);
}

TEST(vmx_controls_missing_ept_capability_named)
{
	struct vmx_caps c = generous();
	c.ept_vpid &= ~(uint64_t)EPT_CAP_WB;
	struct vmx_controls v;
	char err[128] = "";
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "write-back") != NULL);
	c = generous();
	c.ept_vpid &= ~(uint64_t)(EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL);
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "INVEPT type") != NULL);
}

TEST(vmx_controls_vpid_needs_invvpid)
{
	struct vmx_caps c = generous();
	c.ept_vpid &= ~(uint64_t)VPID_CAP_INVVPID;
	struct vmx_controls v;
	char err[128] = "";
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "INVVPID") != NULL);
	c = generous();
	c.ept_vpid &= ~(uint64_t)VPID_CAP_INVVPID_SINGLE;
	c.ept_vpid |= VPID_CAP_INVVPID_ALL;
	REQUIRE(vmx_controls_compute(&c, &v, err, sizeof(err)) == 0);
	CHECK(v.invvpid && !v.invvpid_single);
}

TEST(vmx_controls_cache_and_pmu_exits)
{
	/* WBINVD/WBNOINVD and RDPMC exit so the core carries them out (docs/cache-and-pmu.md). */
	struct vmx_caps c = generous();
	struct vmx_controls v;
	char err[128] = "";
	REQUIRE(vmx_controls_compute(&c, &v, err, sizeof(err)) == 0);
	CHECK(v.proc2 & PROC2_WBINVD_EXITING);
	CHECK(v.proc & PROC_RDPMC_EXITING);
	/* A CPU that cannot exit on WBINVD is refused by name: a guest would flush the caches
	 * every partition shares. */
	c.proc2 = cap(0, ~(uint32_t)PROC2_WBINVD_EXITING);
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "WBINVD exiting") != NULL);
	c = generous();
	c.proc = cap(0, ~(uint32_t)PROC_RDPMC_EXITING);
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "RDPMC exiting") != NULL);
}

/* EFER and PAT: the dedicated load controls when the CPU has both, else the autoload lists
 * with all three of the MSR's controls clear (arch/x86/vmx/vmx_efer_pat.c). */
TEST(vmx_controls_efer_pat_dedicated_or_lists)
{
	struct vmx_caps c = generous();
	struct vmx_controls v;
	char err[128] = "";
	REQUIRE(vmx_controls_compute(&c, &v, err, sizeof(err)) == 0);
	CHECK(!v.efer_lists && !v.pat_lists);
	CHECK((v.entry & (ENTRY_LOAD_EFER | ENTRY_LOAD_PAT)) == (ENTRY_LOAD_EFER | ENTRY_LOAD_PAT));
	CHECK((v.exit & (EXIT_LOAD_EFER | EXIT_SAVE_EFER | EXIT_LOAD_PAT | EXIT_SAVE_PAT)) ==
	      (EXIT_LOAD_EFER | EXIT_SAVE_EFER | EXIT_LOAD_PAT | EXIT_SAVE_PAT));

	/* [hv] debug_vmx_msr_lists: a CPU without any of the six (before Nehalem). */
	vmx_caps_hide_efer_pat_controls(&c);
	REQUIRE(vmx_controls_compute(&c, &v, err, sizeof(err)) == 0);
	CHECK(v.efer_lists && v.pat_lists);
	CHECK(!(v.entry & (ENTRY_LOAD_EFER | ENTRY_LOAD_PAT)));
	CHECK(!(v.exit & (EXIT_LOAD_EFER | EXIT_SAVE_EFER | EXIT_LOAD_PAT | EXIT_SAVE_PAT)));
	CHECK(strcmp(v.efer_missing, "VM-entry") == 0);
	CHECK(strcmp(v.pat_missing, "VM-entry") == 0);
	CHECK(v.exit & EXIT_HOST_ADDR_SPACE_SIZE); /* the rest is untouched */

	/* Only the VM-exit load control of EFER missing: EFER through the lists (its entry
	 * control cleared too), PAT still through its fields. */
	c = generous();
	c.exit = cap(0, ~(uint32_t)EXIT_LOAD_EFER);
	REQUIRE(vmx_controls_compute(&c, &v, err, sizeof(err)) == 0);
	CHECK(v.efer_lists && !v.pat_lists);
	CHECK(strcmp(v.efer_missing, "VM-exit") == 0);
	CHECK(!(v.entry & ENTRY_LOAD_EFER) && !(v.exit & EXIT_SAVE_EFER));
	CHECK(v.entry & ENTRY_LOAD_PAT);
	CHECK(v.exit & EXIT_LOAD_PAT);

	/* A half the CPU forces on cannot be cleared: refused by name. */
	c = generous();
	c.entry = cap(ENTRY_LOAD_PAT, ~0u);
	c.exit = cap(0, ~(uint32_t)EXIT_LOAD_PAT);
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "load IA32_PAT") != NULL);
}

/* Event delivery (arch/x86/vmx/vmx_events.c): virtual NMIs always on, the two window
 * controls left clear but settable and clearable; a CPU without one is refused by name. */
TEST(vmx_controls_event_delivery)
{
	struct vmx_caps c = generous();
	struct vmx_controls v;
	char err[128] = "";
	REQUIRE(vmx_controls_compute(&c, &v, err, sizeof(err)) == 0);
	CHECK(v.pin & PIN_VIRTUAL_NMIS);
	CHECK(v.pin & PIN_NMI_EXITING); /* virtual NMIs need it (SDM vol. 3C 26.2.1.1) */
	CHECK(!(v.proc & (PROC_INTERRUPT_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING)));

	c.pin = cap(0, ~(uint32_t)PIN_VIRTUAL_NMIS);
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "'virtual NMIs'") != NULL);
	CHECK(strstr(err, "pin-based") != NULL);

	c = generous();
	c.proc = cap(0, ~(uint32_t)PROC_INTERRUPT_WINDOW_EXITING);
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "'interrupt-window exiting'") != NULL);
	CHECK(strstr(err, "primary processor-based") != NULL);

	c = generous();
	c.proc = cap(0, ~(uint32_t)PROC_NMI_WINDOW_EXITING);
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "'NMI-window exiting'") != NULL);

	/* A window control the CPU forces on would exit before every instruction. */
	c = generous();
	c.proc = cap(PROC_NMI_WINDOW_EXITING, ~0u);
	CHECK(vmx_controls_compute(&c, &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot clear control 'NMI-window exiting'") != NULL);
}
