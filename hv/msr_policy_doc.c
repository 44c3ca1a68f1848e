/* The MSR policy table rendered as Markdown: docs/msr-policy.md is exactly this output. */
#include "hv/fmt.h"
#include "hv/msr_policy.h"

struct out {
	char *buf;
	size_t size, len;
};

static void emit(struct out *o, const char *fmt, const char *a, const char *b, const char *c,
		 const char *d, const char *e, const char *f)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	int n = hv_snprintf(o->buf ? o->buf + o->len : NULL, room, fmt, a, b, c, d, e, f);
	o->len += n > 0 ? (size_t)n : 0;
}

size_t msr_policy_markdown(char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	emit(&o, "# MSR policy\n\nGenerated from `msr_rules` in hv/msr_policy.c by `make msr-doc`; "
		 "a unit test checks that this file matches the table. The same table generates the "
		 "SVM MSR permission map and the VMX MSR bitmap (tests check them bit for bit). Any "
		 "MSR not listed is denied: the guest gets #GP.\n\n"
		 "| MSR | name | read | write | AMD SVM | Intel VMX | why |\n"
		 "| --- | --- | --- | --- | --- | --- | --- |\n",
		 "", "", "", "", "", "");
	for (size_t i = 0; i < msr_rule_count; i++) {
		const struct msr_rule *r = &msr_rules[i];
		char range[32];
		if (r->first == r->last)
			hv_snprintf(range, sizeof(range), "0x%x", r->first);
		else
			hv_snprintf(range, sizeof(range), "0x%x-0x%x", r->first, r->last);
		emit(&o, "| %s | %s | %s ", range, r->name,
		     msr_handling_name((enum msr_handling)r->read), "", "", "");
		emit(&o, "| %s | %s | %s | %s |\n", msr_handling_name((enum msr_handling)r->write),
		     r->svm, r->vmx, r->why, "", "");
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return o.len;
}
