// SPDX-License-Identifier: GPL-2.0
/* pidns_dead: in a new pid namespace, the first child is its init; once it has exited the
 * namespace takes no more pids, and the next fork fails in alloc_pid() with ENOMEM. */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

/* A fork-like clone: just SIGCHLD, as fork(2) would ask. */
static NOINLINE long do_fork(void)
{
	long ret = raw_syscall6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);

	if (ret == 0) /* it should not exist; leave without touching glibc's state */
		raw_syscall6(SYS_exit_group, 9, 0, 0, 0, 0, 0);
	return ret;
}

static NOINLINE int provoke_pidns_dead(void)
{
	pid_t init;

	if (unshare(CLONE_NEWPID))
		die("unshare(CLONE_NEWPID)");
	init = fork();
	if (init < 0)
		die("fork of the namespace's init");
	if (init == 0)
		_exit(0);
	if (waitpid(init, NULL, 0) != init)
		die("waitpid");
	return expect_errno("fork after the namespace's init exited", do_fork(), ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_pidns_dead();
	return status;
}
