// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "common.h"
#include "outfile.h"

struct outfile {
	FILE *f;
	int fd;
	const char *path; /* NULL: standard output */
	bool pipe;	  /* standard output is a pipe or socket: EPIPE, not SIGPIPE */
	int err;	  /* the first failed write's errno */
	uint64_t written; /* bytes that reached the file */
	uint64_t lines;	  /* of them, those up to the last newline */
};

/* Why an open that failed failed, in words a user can act on. */
static void open_why(const char *path, int err, char *why, size_t len)
{
	struct stat st;

	/* a link of another user in a sticky directory may answer EACCES before ELOOP */
	if (err == ELOOP || (err == EACCES && !lstat(path, &st) && S_ISLNK(st.st_mode)))
		snprintf(why, len, "it is a symbolic link; outputs are not written through one");
	else if (err == ENXIO) /* O_NONBLOCK on a FIFO without a reader */
		snprintf(why, len, "it is not a regular file (a FIFO)");
	/* protected_regular: a file of another user in a sticky directory */
	else if (err == EACCES && !lstat(path, &st) && st.st_uid != geteuid())
		snprintf(why, len, "it is owned by another user (uid %u)", st.st_uid);
	else
		snprintf(why, len, "%s", strerror(err));
}

/* /dev/null takes anything at once and keeps nothing: `-o /dev/null` stays allowed */
static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3;
}

int outfile__create(const char *path, mode_t mode, char *why, size_t len)
{
	/* no O_TRUNC: a file that is refused is left as it was */
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
	struct stat st;
	int err;

	if (fd < 0) {
		err = errno;
		open_why(path, err, why, len);
		errno = err;
		return -1;
	}
	if (fstat(fd, &st)) {
		err = errno;
		snprintf(why, len, "%s", strerror(err));
	} else if (!S_ISREG(st.st_mode) && !is_dev_null(&st)) {
		err = EINVAL;
		snprintf(why, len, "it is not a regular file");
	} else if (st.st_uid != geteuid()) {
		err = EPERM;
		snprintf(why, len, "it is owned by another user (uid %u)", st.st_uid);
	} else if ((S_ISREG(st.st_mode) && ftruncate(fd, 0)) || (S_ISREG(st.st_mode) && (st.st_mode & 07777) != mode && fchmod(fd, mode)) ||
		   fcntl(fd, F_SETFL, 0)) {
		err = errno;
		snprintf(why, len, "%s", strerror(err));
	} else {
		return fd;
	}
	close(fd);
	errno = err;
	return -1;
}

const char *outfile__name(const struct outfile *f)
{
	return f->path ? f->path : "standard output";
}

static void note_written(struct outfile *o, const char *buf, size_t n)
{
	const char *nl = memrchr(buf, '\n', n);

	o->written += n;
	if (nl)
		o->lines = o->written - n + (nl - buf) + 1;
}

/*
 * A write to a pipe whose reader is gone raises SIGPIPE, which would end the tracer before the
 * failure is said and the other outputs end: blocked around the write, the signal that write
 * raised is taken back, and EPIPE is what the write returns.
 */
static ssize_t write_once(struct outfile *o, const char *buf, size_t n)
{
	static const struct timespec now;
	sigset_t pipe_sig, old;
	ssize_t ret;
	int err;

	if (!o->pipe)
		return write(o->fd, buf, n);
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, &old);
	ret = write(o->fd, buf, n);
	err = errno;
	if (ret < 0 && err == EPIPE)
		sigtimedwait(&pipe_sig, NULL, &now);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return ret;
}

static ssize_t watched_write(void *cookie, const char *buf, size_t size)
{
	struct outfile *o = cookie;
	size_t done = 0;

	if (o->err)
		return -1;
	while (done < size) {
		ssize_t n = write_once(o, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->err = n < 0 ? errno : ENOSPC;
			elog("cannot write %s: %s; the other outputs go on", outfile__name(o),
			     strerror(o->err));
			errno = o->err;
			return done ? (ssize_t)done : -1;
		}
		note_written(o, buf + done, n);
		done += n;
	}
	return done;
}

static int watched_close(void *cookie)
{
	struct outfile *o = cookie;

	return o->path ? close(o->fd) : 0;
}

struct outfile *outfile__open(const char *path)
{
	static const cookie_io_functions_t io = { .write = watched_write, .close = watched_close };
	struct outfile *o = calloc(1, sizeof(*o));
	struct stat st;
	char why[128];

	if (!o) {
		elog("cannot write %s: %s", path ? path : "standard output", strerror(ENOMEM));
		return NULL;
	}
	o->path = path;
	o->fd = path ? outfile__create(path, 0600, why, sizeof(why)) : STDOUT_FILENO;
	if (o->fd < 0) {
		elog("cannot write %s: %s", path, why);
		free(o);
		return NULL;
	}
	o->pipe = !path && !fstat(o->fd, &st) && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
	o->f = fopencookie(o, "w", io);
	if (!o->f) {
		elog("cannot write %s: %s", outfile__name(o), strerror(errno));
		if (path)
			close(o->fd);
		free(o);
		return NULL;
	}
	return o;
}

FILE *outfile__stream(const struct outfile *f)
{
	return f->f;
}

int outfile__error(const struct outfile *f)
{
	return f->err;
}

uint64_t outfile__whole_lines(const struct outfile *f)
{
	return f->lines;
}

int outfile__truncate(struct outfile *f, uint64_t size)
{
	return f->path && ftruncate(f->fd, size) ? -errno : 0;
}

int outfile__close(struct outfile *o)
{
	bool said;
	int err;

	if (!o)
		return 0;
	said = o->err;
	err = fclose(o->f) ? (o->err ? o->err : errno) : o->err;
	if (err && !said)
		elog("cannot write %s: %s", outfile__name(o), strerror(err));
	free(o);
	return -err;
}

int outfile__reopen(struct outfile *o)
{
	char why[128];
	int fd;

	if (!o->path)
		return 0;
	fflush(o->f); /* what is buffered belongs to the old file */
	fd = outfile__create(o->path, 0600, why, sizeof(why));
	if (fd < 0) {
		elog("cannot reopen %s: %s; writing on to the old file", o->path, why);
		return -errno;
	}
	close(o->fd);
	o->fd = fd;
	return 0;
}
