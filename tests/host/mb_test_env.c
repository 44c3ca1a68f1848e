/* Guarded guest memory for the multiboot loader tests (tests/host/mb_test_env.h). */
#include <stdlib.h>
#include <string.h>
#include "tests/host/mb_test_env.h"

struct env *env_new(uint64_t size)
{
	struct env *e = calloc(1, sizeof(*e));
	e->raw = malloc(size + 2 * GUARD);
	memset(e->raw, GUARD_BYTE, size + 2 * GUARD);
	e->mem.base = e->raw + GUARD;
	e->mem.size = size;
	memset(e->mem.base, FILL, size);
	return e;
}

bool env_guards_ok(const struct env *e)
{
	for (size_t i = 0; i < GUARD; i++)
		if (e->raw[i] != GUARD_BYTE || e->mem.base[e->mem.size + i] != GUARD_BYTE)
			return false;
	return true;
}

void env_free(struct env *e)
{
	free(e->raw);
	free(e);
}

int env_load(struct env *e, const uint8_t *img, size_t size, const struct mb_module_img *mods,
	     unsigned nmods)
{
	e->err[0] = 0;
	return multiboot_load(&e->mem, img, size, "root=/dev/x quiet", mods, nmods, "hv-test", &e->st,
			      e->err, sizeof(e->err));
}
