/* XSAVE area geometry (hv/xsave_layout.c) and the area allocator (hv/xsave_alloc.c). */
#include <stdlib.h>
#include <string.h>
#include "hv/xcr0_policy.h"
#include "hv/xsave_alloc.h"
#include "tests/host/harness.h"
#include "tests/host/xfd_model.h"
#include "tests/host/xsave_test_env.h"

/* (0xD,0).EBX and (0xD,1).EBX hold 576, the size for the boot-time XCR0 = 3: any code
 * that took them for the permitted set's size would fail these tests. */
#define LEAF0 { 0, 0, { 0xd, 0, 0, 0 } }, { 1, 0, { 0, 0, CPUID_1_ECX_XSAVE, 0 } }

#define AVX { 0xd, 2, { 256, 576, 0, 0 } }
#define PKRU { 0xd, 9, { 8, 2688, 0, 0 } }
#define AVX512 { 0xd, 5, { 64, 1088, 0, 0 } }, { 0xd, 6, { 512, 1152, 0, 0 } }, \
	{ 0xd, 7, { 1024, 1664, 0, 0 } }

/* QEMU 7.2 TCG -cpu max: x87 SSE AVX BNDREGS BNDCSR PKRU; XSAVEOPT, no XSAVEC. */
static const struct fake_cpuid_entry qemu_tcg[] = {
	LEAF0, { 0xd, 0, { 0x21f, 576, 2696, 0 } }, { 0xd, 1, { 0x5, 576, 0, 0 } }, AVX,
	{ 0xd, 3, { 64, 960, 0, 0 } }, { 0xd, 4, { 64, 1024, 0, 0 } }, PKRU,
};
/* Bochs 2.7 corei7_skylake_x: x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM; XSAVEC, XSAVES. */
static const struct fake_cpuid_entry bochs_skx[] = {
	LEAF0, { 0xd, 0, { 0xe7, 576, 2688, 0 } }, { 0xd, 1, { 0xf, 576, 0, 0 } }, AVX, AVX512,
};
/* A hybrid part: big cores with AVX-512, small cores without (with or without XSAVEC). */
static const struct fake_cpuid_entry hybrid_big[] = {
	LEAF0, { 0xd, 0, { 0x2e7, 576, 2696, 0 } }, { 0xd, 1, { 0xf, 576, 0, 0 } }, AVX, AVX512, PKRU,
};
#define SMALL_CORE(d1_eax) \
	LEAF0, { 0xd, 0, { 0x207, 576, 2696, 0 } }, { 0xd, 1, { d1_eax, 576, 0, 0 } }, AVX, PKRU
static const struct fake_cpuid_entry hybrid_small[] = { SMALL_CORE(0xf) };
static const struct fake_cpuid_entry hybrid_small_noc[] = { SMALL_CORE(0x1) };
/* Broken tables. */
static const struct fake_cpuid_entry no_xsave[] = {
	{ 0, 0, { 0xd, 0, 0, 0 } }, { 1, 0, { 0, 0, 0, 0 } }, { 0xd, 0, { 3, 576, 576, 0 } },
};
static const struct fake_cpuid_entry zero_size[] = {
	LEAF0, { 0xd, 0, { 0x7, 576, 832, 0 } }, { 0xd, 2, { 0, 576, 0, 0 } } };
static const struct fake_cpuid_entry past_ecx[] = { LEAF0, { 0xd, 0, { 0x7, 576, 576, 0 } }, AVX };
/* Bochs 2.7 tigerlake: PKRU (9) listed in (0xD,0) EAX, (0xD,9) all zero. */
static const struct fake_cpuid_entry undescribed[] = {
	LEAF0, { 0xd, 0, { 0x2e7, 576, 2696, 0 } }, { 0xd, 1, { 0xf, 576, 0, 0 } }, AVX, AVX512,
};

#define SOURCE(fn, t)                                                \
	static struct cpuid_value fn(uint32_t leaf, uint32_t subleaf) \
	{                                                            \
		return xm_cpuid_lookup(t, ARRAY_SIZE(t), leaf, subleaf); \
	}
SOURCE(src_qemu, qemu_tcg)
SOURCE(src_bochs, bochs_skx)
SOURCE(src_big, hybrid_big)
SOURCE(src_small, hybrid_small)
SOURCE(src_small_noc, hybrid_small_noc)
SOURCE(src_no_xsave, no_xsave)
SOURCE(src_zero_size, zero_size)
SOURCE(src_past_ecx, past_ecx)
SOURCE(src_undescribed, undescribed)

TEST(xsave_layout_qemu_tcg_standard)
{
	struct xsave_layout l;
	REQUIRE(xsave_layout_init(&l, src_qemu) == 0);
	CHECK(l.valid && xsave_has_xsaveopt(&l) && !xsave_has_xsavec(&l) && !xsave_has_xsaves(&l));
	CHECK(!xsave_has_xfd(&l) && !xsave_use_compacted(&l));
	CHECK_EQ(l.user_mask, 0x21f);
	CHECK_EQ(xsave_std_size(&l, 0x21f), 2696); /* PKRU 8@2688 */
	CHECK_EQ(xsave_std_size(&l, 0x1f), 1088);  /* BNDCSR 64@1024 */
	CHECK_EQ(xsave_std_size(&l, 0x7), 832);    /* AVX 256@576 */
	CHECK_EQ(xsave_std_size(&l, 0x3), 576);
	CHECK_EQ(xsave_offset(&l, false, 0x21f, 3), 960);
	CHECK_EQ(xsave_offset(&l, false, 0x7, 9), 2688); /* standard offsets ignore the mask */

	struct pool_env e;
	REQUIRE(pool_env_init(&e, 16, 4) == 0);
	struct xsave_area a;
	REQUIRE(xsave_area_create(&e.heap, &l, 1, 0x21f, 0x21f, &a) == XSAVE_OK);
	CHECK(!a.compacted);
	CHECK_EQ(a.size, 2696);
	CHECK_EQ((uintptr_t)a.buf % 64, 0);
	const struct xsave_legacy *lg = xsave_area_legacy(&a);
	CHECK_EQ(lg->fcw, 0x37f);
	CHECK_EQ(lg->fsw, 0);
	CHECK_EQ(lg->ftw, 0);
	CHECK_EQ(lg->mxcsr, 0x1f80);
	CHECK_EQ(xsave_area_header(&a)->xstate_bv, 0);
	CHECK_EQ(xsave_area_header(&a)->xcomp_bv, 0);
	CHECK((uint8_t *)xsave_area_component(&a, 9) == (uint8_t *)a.buf + 2688);
	CHECK(xsave_area_component(&a, 5) == NULL); /* no AVX-512 here */
	xsave_area_destroy(&e.heap, &a);
	CHECK_EQ(e.heap.bytes_in_use, 0);
	pool_env_free(&e);
}

TEST(xsave_layout_bochs_skylake_x_compacted)
{
	struct xsave_layout l;
	REQUIRE(xsave_layout_init(&l, src_bochs) == 0);
	CHECK(xsave_has_xsavec(&l) && xsave_has_xsaves(&l) && xsave_use_compacted(&l));
	CHECK_EQ(xsave_std_size(&l, 0xe7), 2688);       /* Hi16_ZMM 1024@1664 */
	CHECK_EQ(xsave_compacted_size(&l, 0xe7), 2432); /* 576 + 256 + 64 + 512 + 1024 */
	CHECK_EQ(xsave_compacted_offset(&l, 0xe7, 2), 576);
	CHECK_EQ(xsave_compacted_offset(&l, 0xe7, 5), 832);
	CHECK_EQ(xsave_compacted_offset(&l, 0xe7, 6), 896);
	CHECK_EQ(xsave_compacted_offset(&l, 0xe7, 7), 1408);
	CHECK_EQ(xsave_compacted_offset(&l, 0xe3, 5), 576); /* no AVX: opmask moves up */
	CHECK_EQ(xsave_compacted_offset(&l, 0xe7, 9), 0);   /* not supported */
	CHECK_EQ(xsave_compacted_size(&l, 0x7), 832);

	struct pool_env e;
	REQUIRE(pool_env_init(&e, 16, 4) == 0);
	struct xsave_area a;
	REQUIRE(xsave_area_create(&e.heap, &l, 1, 0xe7, 0xe7, &a) == XSAVE_OK);
	CHECK(a.compacted);
	CHECK_EQ(a.size, 2432);
	CHECK_EQ(xsave_area_header(&a)->xcomp_bv, XCOMP_BV_COMPACTED | 0xe7);
	CHECK_EQ(xsave_area_header(&a)->xstate_bv, 0);
	CHECK((uint8_t *)xsave_area_component(&a, 7) == (uint8_t *)a.buf + 1408);
	xsave_area_destroy(&e.heap, &a);
	pool_env_free(&e);
}

TEST(xsave_layout_spr_amx_sizes)
{
	struct xsave_layout l;
	REQUIRE(xsave_layout_init(&l, xm_cpuid_spr) == 0);
	CHECK(xsave_has_xfd(&l));
	CHECK_EQ(l.xfd_mask, XFEATURE_TILEDATA);
	CHECK_EQ(l.sup_mask, BIT(8));
	CHECK_EQ(xsave_std_size(&l, 0x602e7), 11008); /* TILEDATA 8192@2816 */
	CHECK_EQ(xsave_std_size(&l, 0x2e7), 2696);
	CHECK_EQ(xsave_compacted_size(&l, 0x602e7), 10752);
	CHECK_EQ(xsave_compacted_size(&l, 0x2e7), 2440);
	CHECK_EQ(xsave_compacted_offset(&l, 0x602e7, 9), 2432);
	CHECK_EQ(xsave_compacted_offset(&l, 0x602e7, 17), 2496); /* 2440 rounded up to 64 */
	CHECK_EQ(xsave_compacted_offset(&l, 0x602e7, 18), 2560);
	/* A supervisor component (PT) counts only in the compacted (XSAVES) format. */
	CHECK_EQ(xsave_std_size(&l, 0x602e7 | BIT(8)), 11008);
	CHECK_EQ(xsave_compacted_offset(&l, 0x602e7 | BIT(8), 9), 2560);
	CHECK_EQ(xsave_compacted_size(&l, 0x602e7 | BIT(8)), 10880);

	/* The same CPU without XSAVEC: the standard format. */
	struct xsave_layout std = l;
	std.xsavec = std.xsaves = false;
	struct pool_env e;
	REQUIRE(pool_env_init(&e, 32, 4) == 0);
	struct xsave_area a, b;
	REQUIRE(xsave_area_create(&e.heap, &l, 1, 0x602e7, 0x602e7, &a) == XSAVE_OK);
	REQUIRE(xsave_area_create(&e.heap, &std, 1, 0x602e7, 0x602e7, &b) == XSAVE_OK);
	CHECK_EQ(a.size, 10752);
	CHECK_EQ(b.size, 11008);
	CHECK((uint8_t *)xsave_area_component(&a, 18) == (uint8_t *)a.buf + 2560);
	CHECK((uint8_t *)xsave_area_component(&b, 18) == (uint8_t *)b.buf + 2816);
	/* Supervisor state needs XSAVES everywhere. */
	struct xsave_area c;
	CHECK_EQ(xsave_area_create(&e.heap, &std, 1, 0x602e7 | BIT(8), 0x7, &c), XSAVE_EINVAL);
	xsave_area_destroy(&e.heap, &a);
	xsave_area_destroy(&e.heap, &b);
	pool_env_free(&e);
}

TEST(xsave_layout_rejects_inconsistent_cpuid)
{
	struct xsave_layout l;
	CHECK_EQ(xsave_layout_init(&l, src_no_xsave), -1);
	CHECK(!l.valid);
	CHECK_EQ(xsave_layout_init(&l, src_zero_size), -1);
	CHECK_EQ(xsave_layout_init(&l, src_past_ecx), -1); /* AVX ends past (0xD,0).ECX */
	struct pool_env e;
	REQUIRE(pool_env_init(&e, 4, 1) == 0);
	struct xsave_area a;
	CHECK_EQ(xsave_area_create(&e.heap, &l, 1, 0x7, 0x7, &a), XSAVE_EINVAL);
	pool_env_free(&e);
}

TEST(xsave_heap_alignment_reuse_and_chunks)
{
	struct pool_env e;
	REQUIRE(pool_env_init(&e, 16, 1) == 0);
	CHECK_EQ(e.pool.free_pages, 15);
	uint8_t *a = xsave_heap_alloc(&e.heap, 100);
	uint8_t *b = xsave_heap_alloc(&e.heap, 64);
	REQUIRE(a && b);
	CHECK_EQ((uintptr_t)a % 64, 0);
	CHECK(b == a + 128); /* 100 bytes take two granules */
	CHECK_EQ(e.heap.bytes_in_use, 192);
	CHECK_EQ(xsave_heap_free(&e.heap, a, 100), 0);
	CHECK_EQ(xsave_heap_free(&e.heap, a, 100), -1); /* double free */
	CHECK_EQ(xsave_heap_free(&e.heap, a + 8, 64), -1); /* misaligned */
	CHECK(xsave_heap_alloc(&e.heap, 128) == a);       /* first fit reuses the hole */
	/* A block larger than a chunk: the heap takes a bigger chunk from the pool. */
	uint8_t *big = xsave_heap_alloc(&e.heap, 11008);
	REQUIRE(big != NULL);
	CHECK_EQ(e.heap.nchunks, 2);
	CHECK_EQ((uintptr_t)big % 64, 0);
	CHECK(all_bytes(big, 0, 11008));
	CHECK_EQ(xsave_heap_free(&e.heap, big, 11008), 0);
	xsave_alloc_destroy(&e.heap);
	CHECK_EQ(e.pool.free_pages, 16); /* every page back */
	free(e.mem);
}

TEST(xsave_grow_spr_amx_copies_state_and_frees_old_block)
{
	struct xsave_layout l;
	REQUIRE(xsave_layout_init(&l, xm_cpuid_spr) == 0);
	struct pool_env e;
	REQUIRE(pool_env_init(&e, 32, 4) == 0);
	struct xsave_area a;
	REQUIRE(xsave_area_create(&e.heap, &l, 1, 0x602e7, 0x2e7, &a) == XSAVE_OK);
	CHECK_EQ(a.size, 2440);
	CHECK(xsave_area_component(&a, 18) == NULL);
	/* A saved image as XSAVEC would leave it: every component in use but AVX. */
	xsave_area_legacy(&a)->xmm[15][3] = 0x5a;
	xsave_area_legacy(&a)->fcw = 0x27f;
	fill_component(&a, 2, 0x22); /* AVX not in use: its bytes are stale and need not move */
	fill_component(&a, 5, 0x55);
	fill_component(&a, 6, 0x66);
	fill_component(&a, 7, 0x77);
	fill_component(&a, 9, 0x99);
	xsave_area_header(&a)->xstate_bv = 0x2e3;
	void *old = a.buf;

	REQUIRE(xsave_area_grow(&e.heap, &a, XFEATURE_AMX) == XSAVE_OK);
	CHECK(a.buf != old);
	CHECK_EQ(a.size, 10752);
	CHECK_EQ(a.mask, 0x602e7);
	CHECK_EQ(xsave_area_header(&a)->xcomp_bv, XCOMP_BV_COMPACTED | 0x602e7);
	CHECK_EQ(xsave_area_header(&a)->xstate_bv, 0x2e3); /* AMX starts in its init state */
	CHECK_EQ(xsave_area_legacy(&a)->xmm[15][3], 0x5a);
	CHECK_EQ(xsave_area_legacy(&a)->fcw, 0x27f);
	CHECK(all_bytes(xsave_area_component(&a, 5), 0x55, 64));
	CHECK(all_bytes(xsave_area_component(&a, 6), 0x66, 512));
	CHECK(all_bytes(xsave_area_component(&a, 7), 0x77, 1024));
	CHECK(all_bytes(xsave_area_component(&a, 9), 0x99, 8));
	CHECK(all_bytes(xsave_area_component(&a, 2), 0, 256));
	CHECK((uint8_t *)xsave_area_component(&a, 18) == (uint8_t *)a.buf + 2560);
	CHECK(all_bytes(xsave_area_component(&a, 18), 0, 8192));
	/* The old block went back to the heap: only the new one is in use, and the next
	 * allocation of that size lands where the old one was. */
	CHECK_EQ(e.heap.bytes_in_use, 10752);
	void *again = xsave_heap_alloc(&e.heap, 2440);
	CHECK(again == old);
	xsave_heap_free(&e.heap, again, 2440);
	/* Growing to what is already there is a no-op. */
	void *cur = a.buf;
	CHECK_EQ(xsave_area_grow(&e.heap, &a, XFEATURE_TILEDATA), XSAVE_OK);
	CHECK(a.buf == cur);
	xsave_area_destroy(&e.heap, &a);
	pool_env_free(&e);
}

TEST(xsave_grow_standard_format_keeps_offsets)
{
	struct xsave_layout l;
	REQUIRE(xsave_layout_init(&l, xm_cpuid_spr) == 0);
	l.xsavec = l.xsaves = false;
	struct pool_env e;
	REQUIRE(pool_env_init(&e, 32, 4) == 0);
	struct xsave_area a;
	REQUIRE(xsave_area_create(&e.heap, &l, 1, 0x602e7, 0x2e7, &a) == XSAVE_OK);
	CHECK_EQ(a.size, 2696);
	fill_component(&a, 2, 0x22);
	fill_component(&a, 7, 0x77);
	fill_component(&a, 9, 0x99);
	xsave_area_header(&a)->xstate_bv = 0x287;
	REQUIRE(xsave_area_grow(&e.heap, &a, XFEATURE_AMX) == XSAVE_OK);
	CHECK_EQ(a.size, 11008);
	CHECK_EQ(xsave_area_header(&a)->xcomp_bv, 0);
	CHECK_EQ(xsave_area_header(&a)->xstate_bv, 0x287);
	CHECK(all_bytes((uint8_t *)a.buf + 576, 0x22, 256));
	CHECK(all_bytes((uint8_t *)a.buf + 1664, 0x77, 1024));
	CHECK(all_bytes((uint8_t *)a.buf + 2688, 0x99, 8));
	CHECK(all_bytes((uint8_t *)a.buf + 2816, 0, 8192));
	xsave_area_destroy(&e.heap, &a);
	pool_env_free(&e);
}

TEST(xsave_grow_compacted_moves_later_components)
{
	/* Adding AVX-512 in the middle moves PKRU from 832 to 2432. */
	struct xsave_layout l;
	REQUIRE(xsave_layout_init(&l, xm_cpuid_spr) == 0);
	struct pool_env e;
	REQUIRE(pool_env_init(&e, 32, 4) == 0);
	struct xsave_area a;
	REQUIRE(xsave_area_create(&e.heap, &l, 1, 0x602e7, 0x207, &a) == XSAVE_OK);
	CHECK_EQ(a.size, 840);
	CHECK((uint8_t *)xsave_area_component(&a, 9) == (uint8_t *)a.buf + 832);
	fill_component(&a, 2, 0x22);
	fill_component(&a, 9, 0x99);
	xsave_area_header(&a)->xstate_bv = 0x207;
	REQUIRE(xsave_area_grow(&e.heap, &a, XFEATURE_AVX512) == XSAVE_OK);
	CHECK_EQ(a.size, 2440);
	CHECK((uint8_t *)xsave_area_component(&a, 9) == (uint8_t *)a.buf + 2432);
	CHECK(all_bytes((uint8_t *)a.buf + 576, 0x22, 256));
	CHECK(all_bytes((uint8_t *)a.buf + 2432, 0x99, 8));
	CHECK(all_bytes((uint8_t *)a.buf + 832, 0, 1600)); /* AVX-512 region: init */
	CHECK_EQ(xsave_area_header(&a)->xcomp_bv, XCOMP_BV_COMPACTED | 0x2e7);
	xsave_area_destroy(&e.heap, &a);
	pool_env_free(&e);
}

TEST(xsave_hybrid_area_sized_as_maximum)
{
	struct xsave_layout big, small, small_noc;
	REQUIRE(xsave_layout_init(&big, src_big) == 0);
	REQUIRE(xsave_layout_init(&small, src_small) == 0);
	REQUIRE(xsave_layout_init(&small_noc, src_small_noc) == 0);
	CHECK_EQ(xsave_compacted_size(&big, 0x2e7), 2440);
	CHECK_EQ(xsave_compacted_size(&small, 0x2e7), 840); /* AVX-512 absent: PKRU at 832 */
	struct pool_env e;
	REQUIRE(pool_env_init(&e, 32, 4) == 0);
	/* A guest on a small core of a machine with big cores too: room for the big
	 * cores' layout, header for what its own core has. */
	struct xsave_layout kinds[2] = { small, big };
	struct xsave_area a;
	REQUIRE(xsave_area_create(&e.heap, kinds, 2, 0x2e7, 0x2e7, &a) == XSAVE_OK);
	CHECK(a.compacted);
	CHECK_EQ(a.size, 2440);
	CHECK_EQ(a.mask, 0x207);
	CHECK_EQ(xsave_area_header(&a)->xcomp_bv, XCOMP_BV_COMPACTED | 0x207);
	CHECK((uint8_t *)xsave_area_component(&a, 9) == (uint8_t *)a.buf + 832);
	xsave_area_destroy(&e.heap, &a);
	/* On a big core: the big layout, same size. */
	struct xsave_layout kinds2[2] = { big, small };
	REQUIRE(xsave_area_create(&e.heap, kinds2, 2, 0x2e7, 0x2e7, &a) == XSAVE_OK);
	CHECK_EQ(a.size, 2440);
	CHECK_EQ(a.mask, 0x2e7);
	xsave_area_destroy(&e.heap, &a);
	/* One kind without XSAVEC: the standard format everywhere, max standard size. */
	struct xsave_layout kinds3[2] = { big, small_noc };
	REQUIRE(xsave_area_create(&e.heap, kinds3, 2, 0x2e7, 0x2e7, &a) == XSAVE_OK);
	CHECK(!a.compacted);
	CHECK_EQ(a.size, 2696);
	xsave_area_destroy(&e.heap, &a);
	pool_env_free(&e);
}

TEST(xsave_grow_out_of_memory_leaves_area_intact)
{
	struct xsave_layout l;
	REQUIRE(xsave_layout_init(&l, xm_cpuid_spr) == 0);
	struct pool_env e;
	REQUIRE(pool_env_init(&e, 2, 2) == 0); /* the heap holds the whole pool: 8 KiB */
	struct xsave_area a;
	REQUIRE(xsave_area_create(&e.heap, &l, 1, 0x602e7, 0x2e7, &a) == XSAVE_OK);
	fill_component(&a, 7, 0x77);
	xsave_area_header(&a)->xstate_bv = 0x83;
	struct xsave_area before = a;
	uint8_t *snap = malloc(a.size);
	REQUIRE(snap != NULL);
	memcpy(snap, a.buf, a.size);
	uint64_t in_use = e.heap.bytes_in_use;

	CHECK_EQ(xsave_area_grow(&e.heap, &a, XFEATURE_AMX), XSAVE_ENOMEM);
	CHECK(memcmp(&a, &before, sizeof(a)) == 0);
	CHECK(memcmp(a.buf, snap, a.size) == 0);
	CHECK_EQ(e.heap.bytes_in_use, in_use);
	/* Still a good area: it can be grown once memory is there (here: a bigger pool). */
	free(snap);
	xsave_area_destroy(&e.heap, &a);
	pool_env_free(&e);
}

TEST(xsave_grow_rejects_unpermitted_and_corrupt_headers)
{
	struct xsave_layout l;
	REQUIRE(xsave_layout_init(&l, xm_cpuid_spr) == 0);
	struct pool_env e;
	REQUIRE(pool_env_init(&e, 32, 4) == 0);
	struct xsave_area a;
	REQUIRE(xsave_area_create(&e.heap, &l, 1, 0x2e7, 0x7, &a) == XSAVE_OK);
	CHECK_EQ(xsave_area_grow(&e.heap, &a, XFEATURE_AMX), XSAVE_EINVAL); /* not permitted */
	CHECK_EQ(xsave_area_create(&e.heap, &l, 1, 0x7, 0x207, &a), XSAVE_EINVAL);
	xsave_area_header(&a)->xstate_bv = XFEATURE_PKRU; /* outside XCOMP_BV */
	void *buf = a.buf;
	CHECK_EQ(xsave_area_grow(&e.heap, &a, XFEATURE_PKRU), XSAVE_EINVAL);
	CHECK(a.buf == buf);
	xsave_area_header(&a)->xstate_bv = 0x3;
	xsave_area_header(&a)->reserved[2] = 1;
	CHECK_EQ(xsave_area_grow(&e.heap, &a, XFEATURE_PKRU), XSAVE_EINVAL);
	xsave_area_init_image(&a);
	CHECK_EQ(xsave_area_grow(&e.heap, &a, XFEATURE_PKRU), XSAVE_OK);
	xsave_area_destroy(&e.heap, &a);
	pool_env_free(&e);
}

/* A component the CPU lists but does not describe is left out, not a reason to give up
 * on XSAVE altogether. */
TEST(xsave_layout_drops_undescribed_component)
{
	struct xsave_layout l;
	REQUIRE(xsave_layout_init(&l, src_undescribed) == 0);
	CHECK(l.valid);
	CHECK_EQ(l.user_mask, 0xe7);
	CHECK_EQ(xsave_layout_init(&l, src_zero_size), -1); /* described, but with size 0 */
}
