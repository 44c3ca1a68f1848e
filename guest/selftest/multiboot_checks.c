/* The boot information: magic, flags, memory sizes vs. the memory map, modules. */
#include "selftest.h"
#include "printf.h"

#define MAX_MMAP_ENTRIES 128 /* a bound, so a corrupt map cannot loop us forever */

/* The image's extent, from guest.ld: modules must not overlap it. */
extern const char __image_start[], __image_end[];

struct mmap_view {
	const struct mb_mmap_entry *e[MAX_MMAP_ENTRIES];
	unsigned n;
};

static void collect_mmap(const struct mb_info *mbi, struct mmap_view *v)
{
	uint32_t off = 0;
	v->n = 0;
	while (off + sizeof(struct mb_mmap_entry) <= mbi->mmap_length && v->n < MAX_MMAP_ENTRIES) {
		const struct mb_mmap_entry *e = mb_ptr(mbi->mmap_addr + off);
		if (e->size < sizeof(*e) - 4)
			break; /* malformed; reported by the caller via the checks */
		v->e[v->n++] = e;
		off += e->size + 4;
	}
}

/*
 * How far memory is described contiguously from `from`, following entries in
 * any order (available ones only, if `available_only`). Returns `from` if no
 * entry contains it.
 */
static uint64_t covered_until(const struct mmap_view *v, uint64_t from, bool available_only)
{
	uint64_t end = from;
	for (bool progress = true; progress;) {
		progress = false;
		for (unsigned i = 0; i < v->n; i++) {
			const struct mb_mmap_entry *e = v->e[i];
			if (available_only && e->type != MB_MMAP_AVAILABLE)
				continue;
			if (e->addr <= end && e->addr + e->len > end) {
				end = e->addr + e->len;
				progress = true;
			}
		}
	}
	return end;
}

static void check_mmap(const struct mb_info *mbi, const struct selftest_env *env)
{
	static struct mmap_view v;
	collect_mmap(mbi, &v);
	for (unsigned i = 0; i < v.n; i++)
		printf("selftest: mmap: [0x%09llx, 0x%09llx) type %u\n", v.e[i]->addr,
		       v.e[i]->addr + v.e[i]->len, v.e[i]->type);
	check(v.n > 0, "mmap: has entries");

	uint64_t low_any = covered_until(&v, 0, false);
	uint64_t low_avail = covered_until(&v, 0, true);
	uint64_t high_any = covered_until(&v, MIB, false);
	uint64_t high_avail = covered_until(&v, MIB, true);
	uint64_t lower_end = (uint64_t)mbi->mem_lower * 1024;

	check(low_any >= lower_end, "mmap: describes [0, mem_lower)");
	check(high_avail > MIB, "mmap: RAM at 1 MiB is available");
	check(high_avail <= env->ram_end, "mmap: available RAM from 1 MiB ends within mem_upper");
	check(high_any >= env->ram_end, "mmap: describes all of [1 MiB, 1 MiB + mem_upper)");
	/* QEMU's map reserves the EBDA and ACPI tables inside what mem_lower and
	 * mem_upper count; the hypervisor's partition is plain RAM end to end. */
	check_hv(env, low_avail >= lower_end, "mmap: [0, mem_lower) is available RAM");
	check_eq_hv(env, high_avail, env->ram_end, "mmap: available RAM from 1 MiB ends exactly at mem_upper");
	bool beyond = false;
	for (unsigned i = 0; i < v.n; i++)
		if (v.e[i]->type == MB_MMAP_AVAILABLE && v.e[i]->addr + v.e[i]->len > env->ram_end)
			beyond = true;
	check_hv(env, !beyond, "mmap: no available RAM beyond the partition");
}

static void check_modules(const struct mb_info *mbi, const struct selftest_env *env)
{
	const struct mb_module *m = mb_ptr(mbi->mods_addr);
	uint32_t img_start = (uint32_t)__image_start, img_end = (uint32_t)__image_end;
	bool inside = true, aligned = true, disjoint = true, clear_of_image = true, ordered = true;

	for (uint32_t i = 0; i < mbi->mods_count; i++) {
		printf("selftest: module %u: [0x%08x, 0x%08x) \"%s\"\n", i, m[i].mod_start, m[i].mod_end,
		       m[i].string ? (const char *)mb_ptr(m[i].string) : "");
		check_module_crc(i, &m[i]);
		ordered &= m[i].mod_start <= m[i].mod_end;
		inside &= m[i].mod_end <= env->ram_end;
		aligned &= m[i].mod_start % PAGE_SIZE == 0;
		clear_of_image &= m[i].mod_end <= img_start || m[i].mod_start >= img_end;
		for (uint32_t j = 0; j < i; j++)
			disjoint &= m[i].mod_end <= m[j].mod_start || m[i].mod_start >= m[j].mod_end;
	}
	check(ordered, "modules: mod_start <= mod_end");
	check(inside, "modules: lie within RAM");
	check(aligned, "modules: page-aligned (we asked for MB_PAGE_ALIGN)");
	check(disjoint, "modules: do not overlap each other");
	check(clear_of_image, "modules: do not overlap the kernel image");
}

void test_multiboot(uint32_t magic, const struct mb_info *mbi, struct selftest_env *env)
{
	group_begin("multiboot");
	if (!check_eq(magic, MB_BOOT_MAGIC, "multiboot: EAX holds the boot magic 0x2BADB002") || !mbi) {
		group_end();
		return;
	}
	env->mbi = mbi;
	printf("selftest: multiboot: info at 0x%08x, flags 0x%08x\n", (uint32_t)mbi, mbi->flags);
	/* start.asm zeroes .bss before anyone reads the info: it must not live there. */
	check((uint32_t)mbi + sizeof(*mbi) <= (uint32_t)__image_start || (uint32_t)mbi >= (uint32_t)__image_end,
	      "multiboot: info structure lies outside the kernel image");
	check(mbi->flags & MB_INFO_MEM, "multiboot: flags has MEM (mem_lower/mem_upper)");
	check(mbi->flags & MB_INFO_MMAP, "multiboot: flags has MMAP");
	check(mbi->flags & MB_INFO_CMDLINE, "multiboot: flags has CMDLINE");

	if (mbi->flags & MB_INFO_CMDLINE)
		printf("selftest: cmdline: \"%s\"\n", (const char *)mb_ptr(mbi->cmdline));
	if (mbi->flags & MB_INFO_MEM) {
		env->ram_end = (uint64_t)mbi->mem_upper * 1024 + MIB;
		printf("selftest: memory: mem_lower %u KiB, mem_upper %u KiB: RAM ends at 0x%llx\n",
		       mbi->mem_lower, mbi->mem_upper, env->ram_end);
		/* QEMU derives mem_lower from its E820 map, which reserves the EBDA (639 KiB). */
		check_eq_hv(env, mbi->mem_lower, 640, "multiboot: mem_lower is 640 KiB");
		check(mbi->mem_lower > 0 && mbi->mem_lower <= 640, "multiboot: mem_lower within (0, 640] KiB");
		check((uint32_t)__image_end <= env->ram_end, "multiboot: the kernel image lies within RAM");
		if (mbi->flags & MB_INFO_MMAP)
			check_mmap(mbi, env);
		if (mbi->flags & MB_INFO_MODS)
			check_modules(mbi, env);
	}
	group_end();
}
