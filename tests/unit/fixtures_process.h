/* SPDX-License-Identifier: GPL-2.0 */
/* A copy of the running test binary, for the tests that exec it in a child (test_procmaps.c,
 * test_symbolize.c): a file that can be deleted or replaced under a process that ran it. */
#ifndef ALLOCFAIL_TESTS_FIXTURES_PROCESS_H
#define ALLOCFAIL_TESTS_FIXTURES_PROCESS_H

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

/* /proc/self/exe copied to a new executable /tmp/NAME-XXXXXX; its path, for the caller to
 * unlink and free. The descriptors are close-on-exec: a child forked meanwhile gets neither. */
static inline char *copy_self(const char *name)
{
	char path[64];
	int src, dst;
	struct stat st;

	snprintf(path, sizeof(path), "/tmp/%s-XXXXXX", name);
	src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	dst = mkostemp(path, O_CLOEXEC);
	assert_true(src >= 0 && dst >= 0);
	assert_int_equal(fstat(src, &st), 0);
	assert_int_equal(sendfile(dst, src, NULL, st.st_size), st.st_size);
	assert_int_equal(fchmod(dst, 0700), 0);
	close(src);
	close(dst);
	return strdup(path);
}

#endif
