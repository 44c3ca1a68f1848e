/* The per-guest cap on "logged once" messages (hv/log_once.h). */
#include "hv/log.h"
#include "hv/log_once.h"
#include "hv/vcpu.h"

bool log_once_allowed(struct vcpu *v)
{
	struct log_once *l = &v->log_once;
	if (l->printed < LOG_ONCE_MAX) {
		l->printed++;
		return true;
	}
	if (!l->suppressed++)
		hv_printf("hv: guest %s: further logged-once messages suppressed (%u printed; the "
			  "count is in the end-of-run summary)\n", v->cfg->name, LOG_ONCE_MAX);
	return false;
}
