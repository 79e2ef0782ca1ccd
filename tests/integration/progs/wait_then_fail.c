// SPDX-License-Identifier: GPL-2.0
/* For the -p filter: writes its pid ($AF_PIDFILE), waits for SIGUSR1, then fails an mmap
 * longer than TASK_SIZE. Lets a test start the tracer on a process that already runs. */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <signal.h>
#include <sys/mman.h>

static NOINLINE long do_late_map(void)
{
	return raw_syscall6(SYS_mmap, 0, 1L << 48, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static NOINLINE int fail_when_told(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		die("sigprocmask");
	note_self(); /* only now: the test signals as soon as it sees the pid */
	if (sigwait(&set, &sig))
		die("sigwait");
	return expect_errno("mmap 256 TiB", do_late_map(), ENOMEM);
}

int main(void)
{
	int status = fail_when_told();

	return status;
}
