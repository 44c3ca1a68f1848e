/* The hypercall ABI: function 0 is a no-op "ping", unknown functions fail. */
#include "selftest.h"
#include "cpu.h"
#include "printf.h"

#define HC_PING 0
#define HC_UNKNOWN 0x7EADBEEFu /* far beyond any function the hypervisor will define */
#define HC_ERR_UNKNOWN 0xFFFFFFFFu

/* One hypercall check; an exception (a hypercall the hypervisor did not
 * intercept raises #UD) is a failure, not the end of the report. */
static void check_call(uint32_t fn, uint32_t expected, const char *what)
{
	uint32_t ret = 0;
	uint32_t vec = hypercall_safe(fn, &ret);
	if (vec)
		printf("selftest:      hypercall 0x%x raised vector %u\n", fn, vec);
	check(vec == 0, what);
	if (vec == 0)
		check_eq(ret, expected, what);
}

void test_hypercall(const struct selftest_env *env)
{
	group_begin("hypercall");
	if (env->native) { /* without a hypervisor VMCALL/VMMCALL raise #UD */
		skip("hypercall: ping");
		skip("hypercall: unknown function");
	} else {
		check_call(HC_PING, 0, "hypercall: ping (EAX=0) returns 0");
		check_call(HC_UNKNOWN, HC_ERR_UNKNOWN, "hypercall: unknown function returns 0xFFFFFFFF");
	}
	group_end();
}
