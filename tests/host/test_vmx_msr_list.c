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
	struct vmx_msr_autoload a = { .load_only = 0 };
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

static void fresh_autoload(struct vmx_msr_autoload *a, uint32_t capacity)
{
	*a = (struct vmx_msr_autoload){ .load_only = 0 };
	vmx_msr_list_init(&a->guest, store, capacity);
	vmx_msr_list_init(&a->host, store2, capacity);
}

/* Intercepted MSRs (EFER/PAT without their load controls) are loaded at entry and exit but
 * never stored: they stay behind the stored ones, and the store count leaves them out. */
TEST(vmx_msr_switch_intercepted_are_load_only_at_the_end)
{
	struct vmx_msr_autoload a;
	fresh_autoload(&a, 8);
	REQUIRE(vmx_msr_switch_set_intercepted(&a, MSR_EFER, 0x1, 0xd01) == 0);
	REQUIRE(vmx_msr_switch_set(&a, MSR_A, 0x10, 0x20) == 0);
	REQUIRE(vmx_msr_switch_set_intercepted(&a, MSR_PAT, 0x7, 0x6) == 0);
	REQUIRE(vmx_msr_switch_set(&a, MSR_B, 0x11, 0x21) == 0);
	CHECK_EQ(a.guest.count, 4);
	CHECK_EQ(a.load_only, 2);
	CHECK_EQ(vmx_msr_store_count(&a), 2);
	static const uint32_t order[] = { MSR_A, MSR_B, MSR_EFER, MSR_PAT };
	static const uint64_t gval[] = { 0x10, 0x11, 0x1, 0x7 }, hval[] = { 0x20, 0x21, 0xd01, 0x6 };
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(store[i].index, order[i]);
		CHECK_EQ(store2[i].index, order[i]);
		CHECK_EQ(store[i].value, gval[i]);
		CHECK_EQ(store2[i].value, hval[i]);
		CHECK_EQ(store[i].reserved, 0);
	}
	/* An MSR keeps its kind: a stored one cannot become load-only and back. */
	CHECK(vmx_msr_switch_set(&a, MSR_EFER, 0, 0) == -1); /* EFER is never a stored entry */
	CHECK(vmx_msr_switch_set_intercepted(&a, MSR_A, 0, 0) == -1);
	CHECK_EQ(store[0].value, 0x10);
	/* Removing a load-only entry shrinks the tail, a stored one the head. */
	REQUIRE(vmx_msr_switch_remove(&a, MSR_EFER) == 0);
	CHECK_EQ(a.load_only, 1);
	CHECK_EQ(vmx_msr_store_count(&a), 2);
	REQUIRE(vmx_msr_switch_remove(&a, MSR_A) == 0);
	CHECK_EQ(a.load_only, 1);
	CHECK_EQ(vmx_msr_store_count(&a), 1);
	CHECK_EQ(store[0].index, MSR_B);
	CHECK_EQ(store[1].index, MSR_PAT);
	CHECK_EQ(store2[1].index, MSR_PAT);
	/* SYSENTER and DEBUGCTL always have their fields; the unloadable ones stay out. */
	CHECK(vmx_msr_switch_set_intercepted(&a, MSR_SYSENTER_CS, 0, 0) == -1);
	CHECK(vmx_msr_switch_set_intercepted(&a, MSR_DEBUGCTL, 0, 0) == -1);
	CHECK(vmx_msr_switch_set_intercepted(&a, MSR_FS_BASE, 0, 0) == -1);
	CHECK(vmx_msr_switch_set_intercepted(&a, 0x808, 0, 0) == -1);
	CHECK_EQ(a.guest.count, 2);
}

TEST(vmx_msr_switch_intercepted_full_lists)
{
	struct vmx_msr_autoload a;
	fresh_autoload(&a, 1);
	REQUIRE(vmx_msr_switch_set_intercepted(&a, MSR_PAT, 1, 2) == 0);
	CHECK(vmx_msr_switch_set_intercepted(&a, MSR_EFER, 1, 2) == -1);
	CHECK_EQ(a.load_only, 1);
	CHECK_EQ(a.guest.count, 1);
	CHECK_EQ(a.host.count, 1);
	CHECK(vmx_msr_switch_set_intercepted(&a, MSR_PAT, 3, 4) == 0); /* update when full */
	CHECK_EQ(store[0].value, 3);
	CHECK_EQ(store2[0].value, 4);
}

/* Only while the values differ outside the ignored bits; the count (and so a VMWRITE)
 * changes only when the entry comes or goes. */
TEST(vmx_msr_switch_if_differs)
{
	struct vmx_msr_autoload a;
	fresh_autoload(&a, 8);
	vmx_msr_list_take_dirty(&a.guest);
	vmx_msr_list_take_dirty(&a.host);
	const uint64_t ignore = (1u << 0) | (1u << 8) | (1u << 10); /* SCE, LME, LMA */
	CHECK_EQ(vmx_msr_switch_if_differs(&a, MSR_EFER, 0x501, 0xd00, ignore), 1); /* NXE */
	CHECK_EQ(a.guest.count, 1);
	CHECK_EQ(a.load_only, 1);
	CHECK_EQ(store[0].value, 0x501);
	CHECK_EQ(store2[0].value, 0xd00);
	CHECK(vmx_msr_list_take_dirty(&a.guest));
	CHECK(vmx_msr_list_take_dirty(&a.host));
	CHECK_EQ(vmx_msr_switch_if_differs(&a, MSR_EFER, 0x001, 0xd00, ignore), 1);
	CHECK_EQ(store[0].value, 0x001); /* in place */
	CHECK(!vmx_msr_list_take_dirty(&a.guest));
	/* Only ignored bits differ: out of the lists. */
	CHECK_EQ(vmx_msr_switch_if_differs(&a, MSR_EFER, 0x801, 0xd00, ignore), 0);
	CHECK_EQ(a.guest.count, 0);
	CHECK_EQ(a.host.count, 0);
	CHECK_EQ(a.load_only, 0);
	CHECK(vmx_msr_list_take_dirty(&a.guest));
	CHECK_EQ(vmx_msr_switch_if_differs(&a, MSR_EFER, 0x900, 0xd00, ignore), 0);
	CHECK(!vmx_msr_list_take_dirty(&a.guest)); /* absent and staying absent: nothing */
	/* No ignored bits (PAT): any difference switches. */
	CHECK_EQ(vmx_msr_switch_if_differs(&a, MSR_PAT, 0x0007040600070106ull,
					   0x0007040600070406ull, 0), 1);
	CHECK_EQ(vmx_msr_switch_if_differs(&a, MSR_PAT, 0x0007040600070406ull,
					   0x0007040600070406ull, 0), 0);
	CHECK_EQ(a.guest.count, 0);
	CHECK_EQ(vmx_msr_switch_if_differs(&a, MSR_SYSENTER_CS, 1, 2, 0), -1);
}
