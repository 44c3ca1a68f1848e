/* The exception-fixup table lookup (see fixup.h). */
#include "fixup.h"

/* Bounds of the table, from guest.ld. */
extern const struct fixup_entry __fixup_start[], __fixup_end[];

/* Written from the exception handler, read by the code that armed it. */
static volatile uint32_t last_vector = FIXUP_NONE;
static volatile uint32_t last_error;
static volatile uint32_t last_eip;
static volatile uint32_t catch_eip; /* fixup_catch_all(): 0 = disarmed */

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

void fixup_catch_all(uint32_t resume_eip)
{
	catch_eip = resume_eip;
}

uint32_t fixup_fault_eip(void)
{
	return last_eip;
}

static void record(struct trap_frame *f, uint32_t resume)
{
	last_vector = f->vector;
	last_error = f->error_code;
	last_eip = f->eip;
	f->eip = resume;
}

bool fixup_handle(struct trap_frame *f)
{
	for (const struct fixup_entry *e = __fixup_start; e < __fixup_end; e++) {
		if (e->fault_eip == f->eip) {
			record(f, e->resume_eip);
			return true;
		}
	}
	if (catch_eip) {
		record(f, catch_eip);
		catch_eip = 0;
		return true;
	}
	return false;
}
