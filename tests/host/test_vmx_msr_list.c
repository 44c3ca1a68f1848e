#include "arch/x86/msr_index.h"
#include "arch/x86/vmx/vmx_msr_list.h"
#include "tests/host/harness.h"

#define MSR_A 0x48  /* SPEC_CTRL */
#define MSR_B 0x1c4 /* XFD */
#define MSR_C 0x1c5 /* XFD_ERR */
#define MSR_D 0xda0 /* XSS */

static struct vmx_msr_entry store[8] __attribute__((aligned(16)));
static struct vmx_msr_entry store2[8] __attribute__((aligned(16)));

static void fresh(struct vmx_msr_list *l, uint32_t capacity)
{
	vmx_msr_list_init(l, store, capacity);
	vmx_msr_list_take_dirty(l); /* as after the first VMCS sync */
}

TEST(vmx_msr_list_add_and_find)
{
	struct vmx_msr_list l;
	fresh(&l, 8);
	REQUIRE(vmx_msr_list_set(&l, MSR_A, 0x1111) == 0);
	REQUIRE(vmx_msr_list_set(&l, MSR_B, 0x2222) == 0);
	CHECK_EQ(l.count, 2);
	CHECK_EQ(store[0].index, MSR_A);
	CHECK_EQ(store[0].reserved, 0);
	CHECK_EQ(store[0].value, 0x1111);
	CHECK_EQ(store[1].index, MSR_B);
	CHECK_EQ(vmx_msr_list_find(&l, MSR_B)->value, 0x2222);
	CHECK(vmx_msr_list_find(&l, MSR_C) == NULL);
}

TEST(vmx_msr_list_update_in_place_and_duplicate_add)
{
	struct vmx_msr_list l;
	fresh(&l, 8);
	vmx_msr_list_set(&l, MSR_A, 1);
	vmx_msr_list_set(&l, MSR_B, 2);
	vmx_msr_list_take_dirty(&l);
	/* Adding an MSR that is already there updates it: no second entry, count unchanged. */
	REQUIRE(vmx_msr_list_set(&l, MSR_A, 0xabcd) == 0);
	CHECK_EQ(l.count, 2);
	CHECK_EQ(store[0].index, MSR_A);
	CHECK_EQ(store[0].value, 0xabcd);
	CHECK(!vmx_msr_list_take_dirty(&l));
}

TEST(vmx_msr_list_remove_preserves_order)
{
	struct vmx_msr_list l;
	fresh(&l, 8);
	vmx_msr_list_set(&l, MSR_A, 1);
	vmx_msr_list_set(&l, MSR_B, 2);
	vmx_msr_list_set(&l, MSR_C, 3);
	vmx_msr_list_set(&l, MSR_D, 4);
	REQUIRE(vmx_msr_list_remove(&l, MSR_B) == 0);
	CHECK_EQ(l.count, 3);
	CHECK_EQ(store[0].index, MSR_A);
	CHECK_EQ(store[1].index, MSR_C);
	CHECK_EQ(store[1].value, 3);
	CHECK_EQ(store[2].index, MSR_D);
	CHECK_EQ(store[2].value, 4);
	CHECK(vmx_msr_list_remove(&l, MSR_B) == -1); /* already gone */
	REQUIRE(vmx_msr_list_remove(&l, MSR_D) == 0); /* the last one */
	CHECK_EQ(l.count, 2);
	REQUIRE(vmx_msr_list_remove(&l, MSR_A) == 0); /* the first one */
	CHECK_EQ(l.count, 1);
	CHECK_EQ(store[0].index, MSR_C);
}

TEST(vmx_msr_list_capacity_limit)
{
	struct vmx_msr_list l;
	fresh(&l, 2);
	CHECK(vmx_msr_list_set(&l, MSR_A, 1) == 0);
	CHECK(vmx_msr_list_set(&l, MSR_B, 2) == 0);
	CHECK(vmx_msr_list_set(&l, MSR_C, 3) == -1);
	CHECK_EQ(l.count, 2);
	CHECK(vmx_msr_list_set(&l, MSR_B, 5) == 0); /* updating still works when full */
	CHECK_EQ(store[1].value, 5);
	CHECK(vmx_msr_list_remove(&l, MSR_A) == 0);
	CHECK(vmx_msr_list_set(&l, MSR_C, 3) == 0); /* room again */
	CHECK_EQ(store[1].index, MSR_C);
}

TEST(vmx_msr_list_count_dirty_tracking)
{
	struct vmx_msr_list l;
	vmx_msr_list_init(&l, store, 8);
	CHECK(vmx_msr_list_take_dirty(&l));  /* a new list's count (0) must reach the VMCS once */
	CHECK(!vmx_msr_list_take_dirty(&l));
	vmx_msr_list_set(&l, MSR_A, 1);
	CHECK(vmx_msr_list_take_dirty(&l));  /* add */
	vmx_msr_list_set(&l, MSR_A, 2);
	CHECK(!vmx_msr_list_take_dirty(&l)); /* update in place */
	vmx_msr_list_set(&l, MSR_EFER, 0);
	CHECK(!vmx_msr_list_take_dirty(&l)); /* refused */
	vmx_msr_list_remove(&l, MSR_B);
	CHECK(!vmx_msr_list_take_dirty(&l)); /* absent */
	vmx_msr_list_remove(&l, MSR_A);
	CHECK(vmx_msr_list_take_dirty(&l));  /* remove */
}

/* SDM vol. 3C 26.4/27.4 make these fail the load; the dedicated-field MSRs do not belong here. */
TEST(vmx_msr_list_refuses_unloadable_and_field_msrs)
{
	struct vmx_msr_list l;
	fresh(&l, 8);
	static const uint32_t refused[] = { MSR_FS_BASE, MSR_GS_BASE, 0x800, 0x8ff, 0x9b, 0x9e,
					    MSR_EFER, MSR_PAT, MSR_SYSENTER_CS, MSR_SYSENTER_ESP,
					    MSR_SYSENTER_EIP, MSR_DEBUGCTL };
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK(vmx_msr_list_set(&l, refused[i], 0) == -1);
	CHECK_EQ(l.count, 0);
	CHECK(vmx_msr_list_set(&l, MSR_KERNEL_GS_BASE, 0) == 0);
}

TEST(vmx_msr_switch_keeps_both_lists_in_step)
{
	struct vmx_msr_autoload a;
	vmx_msr_list_init(&a.guest, store, 2);
	vmx_msr_list_init(&a.host, store2, 2);
	CHECK(vmx_msr_switch_set(&a, MSR_A, 0x10, 0x20) == 0);
	CHECK(vmx_msr_switch_set(&a, MSR_B, 0x11, 0x21) == 0);
	CHECK(vmx_msr_switch_set(&a, MSR_C, 0x12, 0x22) == -1); /* full: nothing half-added */
	CHECK_EQ(a.guest.count, 2);
	CHECK_EQ(a.host.count, 2);
	CHECK(vmx_msr_switch_set(&a, MSR_A, 0x30, 0x40) == 0);
	CHECK_EQ(store[0].value, 0x30);
	CHECK_EQ(store2[0].value, 0x40);
	CHECK(vmx_msr_switch_remove(&a, MSR_A) == 0);
	CHECK_EQ(a.guest.count, 1);
	CHECK_EQ(a.host.count, 1);
	CHECK_EQ(store[0].index, MSR_B);
	CHECK_EQ(store2[0].index, MSR_B);
	CHECK(vmx_msr_switch_remove(&a, MSR_A) == -1);
}
