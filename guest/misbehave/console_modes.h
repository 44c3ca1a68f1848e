/* misbehave's console modes (console_modes.c): ports, flood, timed. */
#ifndef MISBEHAVE_CONSOLE_MODES_H
#define MISBEHAVE_CONSOLE_MODES_H

#include "guest.h"

/* Runs `mode` if it is one of these and returns true with the exit status in *status. */
bool console_mode(const char *mode, uint32_t *status);

#endif
