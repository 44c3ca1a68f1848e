/* The TSC at a guest's start and exit, for the emulator tests (tsc_marks.c). */
#ifndef GUEST_TSC_MARKS_H
#define GUEST_TSC_MARKS_H

#include "guest.h"

/* "NAME: TSC at WHEN 0x...", only with "tsc-marks" on the command line. */
void tsc_mark(const char *when);

#endif
