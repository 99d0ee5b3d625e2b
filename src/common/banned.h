/*
 * banned.h - force-included into every translation unit (see meson.build).
 *
 * Functions that cannot respect a buffer size are poisoned, as in git's
 * banned.h and curl's checksrc: use pu_buf, snprintf or pu_strlcpy instead.
 */
#ifndef PU_BANNED_H
#define PU_BANNED_H
#include <string.h>   /* declare first, so the poison applies to call sites */
#include <stdio.h>
#pragma GCC poison sprintf vsprintf strcpy strcat gets
#endif
