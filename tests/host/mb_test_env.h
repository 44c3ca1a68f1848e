/* Guest memory with guard pages on both sides, for the multiboot loader tests. */
#ifndef TESTS_HOST_MB_TEST_ENV_H
#define TESTS_HOST_MB_TEST_ENV_H

#include "hv/multiboot_load.h"

#define GUARD 4096
#define FILL 0xCC     /* guest memory before loading */
#define GUARD_BYTE 0x5A

struct env {
	uint8_t *raw;
	struct guest_mem mem;
	struct mb_boot_state st;
	char err[256];
};

struct env *env_new(uint64_t size);
/* True when nothing outside the guest memory was written. */
bool env_guards_ok(const struct env *e);
void env_free(struct env *e);
/* multiboot_load with cmdline "root=/dev/x quiet" and loader name "hv-test". */
int env_load(struct env *e, const uint8_t *img, size_t size, const struct mb_module_img *mods,
	     unsigned nmods);

#endif
