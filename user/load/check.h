/* SPDX-License-Identifier: GPL-2.0 */
/* `allocfail check`: what this kernel offers, and the hook each failure source will use. */
#ifndef ALLOCFAIL_CHECK_H
#define ALLOCFAIL_CHECK_H

#include <stdbool.h>

int check__run(bool json); /* exit status */

#endif
