/* misbehave mode=forbidden: the forbidden instructions, from "insn=" (forbidden.c). */
#ifndef MISBEHAVE_FORBIDDEN_H
#define MISBEHAVE_FORBIDDEN_H

#include "guest.h"

#define EXIT_NOT_STOPPED 0x77u
#define EXIT_BAD_MODE 0x78u

/* Tries each instruction of `list` ("name[:ud],..."; NULL: VMRUN or VMXON by vendor).
 * Returns only if none stopped the guest: EXIT_PASS when every one was marked :ud and
 * raised #UD, EXIT_NOT_STOPPED when one had another outcome, EXIT_BAD_MODE for a bad list. */
uint32_t forbidden_instructions(const char *list);

#endif
