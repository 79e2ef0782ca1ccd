/* SPDX-License-Identifier: GPL-2.0 */
/* GFP flags and migratetypes by name, as the running kernel defines them. */
#ifndef ALLOCFAIL_GFP_H
#define ALLOCFAIL_GFP_H

#include <stddef.h>
#include <stdint.h>

/* Mask of one flag, e.g. "__GFP_ACCOUNT"; 0 if this kernel has no such flag. */
uint32_t gfp__mask(const char *name);
/* "GFP_KERNEL_ACCOUNT|__GFP_COMP", composites first as the kernel's show_gfp_flags() does;
 * unknown bits in hex. Returns the length like snprintf. */
int gfp__format(uint32_t gfp, char *buf, size_t len);
/* "MIGRATE_UNMOVABLE", or NULL if unknown. */
const char *gfp__migratetype_name(int mt);

#endif
