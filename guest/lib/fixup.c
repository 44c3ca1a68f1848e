/* The exception-fixup table lookup (see fixup.h). */
#include "fixup.h"

/* Bounds of the table, from guest.ld. */
extern const struct fixup_entry __fixup_start[], __fixup_end[];

/* Written from the exception handler, read by the code that armed it. */
static volatile uint32_t last_vector = FIXUP_NONE;
static volatile uint32_t last_error;

void fixup_arm(void)
{
	last_vector = FIXUP_NONE;
	last_error = 0;
}

uint32_t fixup_take(void)
{
	uint32_t v = last_vector;
	last_vector = FIXUP_NONE;
	return v;
}

uint32_t fixup_error_code(void)
{
	return last_error;
}

bool fixup_handle(struct trap_frame *f)
{
	for (const struct fixup_entry *e = __fixup_start; e < __fixup_end; e++) {
		if (e->fault_eip == f->eip) {
			last_vector = f->vector;
			last_error = f->error_code;
			f->eip = e->resume_eip;
			return true;
		}
	}
	return false;
}
