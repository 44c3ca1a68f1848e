/* Multiboot v1 loader: fuzzing of valid images. */
#include <stdint.h>
#include <string.h>
#include "hv/multiboot.h"
#include "tests/host/harness.h"
#include "tests/host/mb_image_builder.h"
#include "tests/host/mb_test_env.h"

static uint8_t img[IMG_CAP];

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Mutate valid images at random; each try must load or fail cleanly, never write outside mem. */
TEST(mb_fuzz)
{
	static uint8_t base_img[IMG_CAP], work[IMG_CAP];
	static const uint32_t vals[] = { 0, 1, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0x100000,
					 0x3FF000, 0x400000, 0xFFFFF000, 0x1000, 0x2BADB002 };
	const struct mb_module_img mod = { "module!", 7, "m" };
	struct env *e = env_new(MIB(4));
	unsigned ok = 0, bad = 0;

	for (int kind = 0; kind < 3; kind++) {
		size_t n;
		if (kind == 2)
			aout_image(img, 0x1040, 0x201800, 0x205000, &n);
		else
			n = build_elf(img, kind, 0x100010, k32, 3, 0x1C0, MB_HF_MEMINFO);
		memcpy(base_img, img, IMG_CAP);
		for (int iter = 0; iter < 4000; iter++) {
			memcpy(work, base_img, n);
			int edits = 1 + (int)(rnd() % 4);
			for (int k = 0; k < edits; k++) {
				/* Mostly the headers, where the interesting fields are. */
				size_t span = rnd() % 4 ? (kind == 2 ? 0x1070 : 0x200) : n;
				size_t off = rnd() % span;
				if (kind == 2 && span != n)
					off = 0x1040 + rnd() % 0x30;
				if (rnd() % 2) {
					uint32_t v = rnd() % 3 ? vals[rnd() % ARRAY_SIZE(vals)] : (uint32_t)rnd();
					off &= ~(size_t)3;
					if (off + 4 <= n)
						memcpy(work + off, &v, 4);
				} else {
					work[off] = (uint8_t)rnd();
				}
			}
			/* Keep the checksum right half the time so the loaders proper get exercised. */
			size_t hoff = kind == 2 ? 0x1040 : 0x1C0;
			if (rnd() % 2) {
				uint32_t w[2];
				memcpy(w, work + hoff, 8);
				put32(work, hoff + 8, 0u - w[0] - w[1]);
			}
			size_t len = rnd() % 8 ? n : rnd() % (n + 1);
			int rc = env_load(e, work, len, &mod, 1);
			if (rc == 0) {
				ok++;
				CHECK(e->st.entry >= e->st.kernel_start && e->st.entry < e->st.kernel_end);
				CHECK(e->st.kernel_end <= MIB(4) && e->st.mbi_gpa + 116 <= MIB(4));
			} else {
				bad++;
				CHECK(e->err[0] != 0);
			}
			if (!env_guards_ok(e)) {
				test_fail(__FILE__, __LINE__, "guard region written");
				env_free(e);
				return;
			}
		}
	}
	CHECK(ok > 100 && bad > 100);
	env_free(e);
}
