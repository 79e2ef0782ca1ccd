// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "child.h"
#include "common.h"

struct child {
	pid_t pid;
	int go_fd;  /* write end: closing it releases the child */
	int err_fd; /* read end: the child's exec errno, or EOF when exec succeeded */
	bool released, reaped;
};

static void __attribute__((noreturn)) child_main(int go, int errw, char **argv, pid_t parent)
{
	char c;
	int err;

	/* the tracer's handlers are not the held child's: a stop during start-up must not make it
	 * say or remove what the tracer does */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	/* The command never outlives the tracer, whatever ends it (SIGKILL too): the signal is
	 * kept across exec. A parent gone before the prctl() is seen by the pid check. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);
	/* a parent that dies before releasing us must not leave us running untraced */
	if (read(go, &c, 1) != 0)
		_exit(127);
	close(go);
	execvp(argv[0], argv);
	err = errno;
	if (write(errw, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

struct child *child__spawn_held(char **argv)
{
	struct child *c = calloc(1, sizeof(*c));
	int go[2], errp[2];
	pid_t parent;

	if (!c || pipe2(go, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		elog("cannot start %s: %s", argv[0], strerror(errno));
		free(c);
		return NULL;
	}
	parent = getpid();
	c->pid = fork();
	if (c->pid < 0) {
		elog("cannot fork: %s", strerror(errno));
		free(c);
		return NULL;
	}
	if (c->pid == 0) {
		close(go[1]);
		close(errp[0]);
		child_main(go[0], errp[1], argv, parent);
	}
	close(go[0]);
	close(errp[1]);
	c->go_fd = go[1];
	c->err_fd = errp[0];
	return c;
}

pid_t child__pid(const struct child *c)
{
	return c->pid;
}

int child__release(struct child *c)
{
	ssize_t n;
	int err = 0;

	close(c->go_fd);
	c->go_fd = -1;
	c->released = true;
	n = read(c->err_fd, &err, sizeof(err));
	close(c->err_fd);
	c->err_fd = -1;
	if (n == sizeof(err)) {
		elog("cannot run the command: %s", strerror(err));
		return -err;
	}
	return 0;
}

bool child__reaped(struct child *c, bool block, int *exit_code)
{
	int status;
	pid_t r;

	if (c->reaped)
		return true;
	do
		r = waitpid(c->pid, &status, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r != c->pid)
		return false;
	c->reaped = true;
	*exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return true;
}

void child__kill(struct child *c, int sig)
{
	if (!c->reaped)
		kill(c->pid, sig);
}

void child__free(struct child *c)
{
	int code;

	if (!c)
		return;
	if (!c->released) {
		kill(c->pid, SIGKILL);
		child__reaped(c, true, &code);
	}
	if (c->go_fd >= 0)
		close(c->go_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	free(c);
}
