// SPDX-License-Identifier: GPL-2.0
/*
 * The process mapping model (user/enrich/procmaps.c) driven by hand, then for real: a copy of this
 * binary is exec'd, prints an address and exits at once; the kernel's records alone must
 * symbolize it afterwards, and a file replaced since must not. Invoked as "--exit-child" the
 * binary is that child.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "tests/unit/fixtures_process.h"
#include "procmaps.h"
#include "symbolize.h"

#define MS 1000000ULL

static struct pm_map map(uint64_t start, uint64_t end, uint64_t pgoff, const char *path)
{
	return (struct pm_map){ .start = start, .end = end, .pgoff = pgoff, .path = path };
}

static void expect_map(const struct pm_map *m, uint64_t start, uint64_t end, uint64_t pgoff,
		       const char *path)
{
	assert_int_equal(m->start, start);
	assert_int_equal(m->end, end);
	assert_int_equal(m->pgoff, pgoff);
	assert_string_equal(m->path, path);
}

static struct procmaps *model(unsigned int max_procs, unsigned int max_maps)
{
	struct pm_limits lim = { max_procs, max_maps, 1000 * MS };
	struct procmaps *pm = procmaps__new(&lim);

	assert_non_null(pm);
	return pm;
}

/* A mapping over others replaces what it covers: split, trimmed at either end, or removed. */
static void test_overlap(void **state)
{
	struct procmaps *pm = model(16, 16);
	struct pm_map m;
	struct pm_view v;

	(void)state;
	procmaps__exec(pm, 1, 100);
	m = map(0x1000, 0x9000, 0, "/a");
	procmaps__mmap(pm, 2, 100, &m);
	m = map(0x10000, 0x12000, 0x3000, "/b");
	procmaps__mmap(pm, 3, 100, &m);
	m = map(0x3000, 0x4000, 0, "/c"); /* splits /a */
	procmaps__mmap(pm, 4, 100, &m);
	assert_true(procmaps__get(pm, 100, &v));
	assert_int_equal(v.n, 4);
	expect_map(&v.maps[0], 0x1000, 0x3000, 0, "/a");
	expect_map(&v.maps[1], 0x3000, 0x4000, 0, "/c");
	expect_map(&v.maps[2], 0x4000, 0x9000, 0x3000, "/a");
	expect_map(&v.maps[3], 0x10000, 0x12000, 0x3000, "/b");
	m = map(0x8000, 0x11000, 0, "/d"); /* trims /a's tail and /b's head */
	procmaps__mmap(pm, 5, 100, &m);
	m = map(0x0, 0x3000, 0, "/e"); /* covers the first /a entirely */
	procmaps__mmap(pm, 6, 100, &m);
	assert_true(procmaps__get(pm, 100, &v));
	assert_int_equal(v.n, 5);
	expect_map(&v.maps[0], 0x0, 0x3000, 0, "/e");
	expect_map(&v.maps[1], 0x3000, 0x4000, 0, "/c");
	expect_map(&v.maps[2], 0x4000, 0x8000, 0x3000, "/a");
	expect_map(&v.maps[3], 0x8000, 0x11000, 0, "/d");
	expect_map(&v.maps[4], 0x11000, 0x12000, 0x4000, "/b");
	procmaps__free(pm);
}

/* fork shares the parent's mappings; a change on either side stays on that side. */
static void test_fork_copies(void **state)
{
	struct procmaps *pm = model(16, 16);
	struct pm_map m = map(0x1000, 0x2000, 0, "/bin/sh");
	struct pm_view v;
	uint64_t gen;

	(void)state;
	procmaps__exec(pm, 1, 10);
	procmaps__mmap(pm, 2, 10, &m);
	procmaps__fork(pm, 3, 11, 10);
	procmaps__fork(pm, 3, 10, 10); /* a thread: nothing */
	assert_true(procmaps__get(pm, 11, &v));
	assert_true(v.alive);
	assert_int_equal(v.n, 1);
	expect_map(&v.maps[0], 0x1000, 0x2000, 0, "/bin/sh");
	gen = v.gen;
	m = map(0x5000, 0x6000, 0, "/lib/x.so");
	procmaps__mmap(pm, 4, 11, &m);
	assert_true(procmaps__get(pm, 11, &v));
	assert_int_equal(v.n, 2);
	assert_int_not_equal(v.gen, gen);
	assert_true(procmaps__get(pm, 10, &v));
	assert_int_equal(v.n, 1);
	m = map(0x7000, 0x8000, 0, "/lib/y.so");
	procmaps__mmap(pm, 5, 10, &m);
	assert_true(procmaps__get(pm, 11, &v));
	assert_int_equal(v.n, 2);
	expect_map(&v.maps[1], 0x5000, 0x6000, 0, "/lib/x.so");
	procmaps__free(pm);
}

/* exec starts from nothing; a fork of an unknown parent is unknown until it execs. */
static void test_exec_resets(void **state)
{
	struct procmaps *pm = model(16, 16);
	struct pm_map m = map(0x1000, 0x2000, 0, "/bin/sh");
	struct pm_view v;
	uint64_t gen;

	(void)state;
	procmaps__fork(pm, 1, 20, 1); /* pid 1 never seen */
	assert_false(procmaps__get(pm, 20, &v));
	procmaps__exec(pm, 2, 20);
	assert_true(procmaps__get(pm, 20, &v));
	assert_int_equal(v.n, 0);
	procmaps__mmap(pm, 3, 20, &m);
	assert_true(procmaps__get(pm, 20, &v));
	gen = v.gen;
	procmaps__exec(pm, 4, 20);
	assert_true(procmaps__get(pm, 20, &v));
	assert_int_equal(v.n, 0);
	assert_int_not_equal(v.gen, gen);
	procmaps__free(pm);
}

/* The dead stay for dead_keep_ns of record time, then go; a process only partly seen is
 * given out once dead (nothing better will come), not while it lives (/proc is better). */
static void test_exit_kept_then_freed(void **state)
{
	struct procmaps *pm = model(16, 16);
	struct pm_map m = map(0x1000, 0x2000, 0, "/usr/bin/x");
	struct pm_view v;
	struct pm_stats st;

	(void)state;
	procmaps__exec(pm, 1 * MS, 30);
	procmaps__mmap(pm, 2 * MS, 30, &m);
	procmaps__mmap(pm, 2 * MS, 31, &m); /* older than the tracer: partial */
	assert_false(procmaps__get(pm, 31, &v));
	procmaps__exit(pm, 3 * MS, 30);
	procmaps__exit(pm, 3 * MS, 31);
	assert_true(procmaps__get(pm, 30, &v));
	assert_false(v.alive);
	assert_int_equal(v.n, 1);
	assert_true(procmaps__get(pm, 31, &v));
	assert_int_equal(v.n, 1);
	procmaps__advance(pm, 500 * MS);
	assert_true(procmaps__get(pm, 30, &v));
	/* a record that comes when 30 is due (an exit again: the fork before it was lost) frees
	 * it first, then finds nothing to mark */
	procmaps__exit(pm, 1004 * MS, 30);
	assert_false(procmaps__get(pm, 30, &v));
	procmaps__advance(pm, 1004 * MS);
	assert_false(procmaps__get(pm, 31, &v));
	procmaps__stats(pm, &st);
	assert_int_equal(st.procs, 0);
	assert_int_equal(st.maps, 0);
	procmaps__free(pm);
}

/* Past max_procs the least recently used goes (counted if alive); past max_maps mappings are
 * dropped and counted. */
static void test_bounds(void **state)
{
	struct procmaps *pm = model(2, 3);
	struct pm_view v;
	struct pm_stats st;

	(void)state;
	procmaps__exec(pm, 1, 40);
	procmaps__exec(pm, 1, 41);
	assert_true(procmaps__get(pm, 40, &v)); /* 40 is now the most recent */
	procmaps__exec(pm, 2, 42);		/* evicts 41 */
	assert_false(procmaps__get(pm, 41, &v));
	assert_true(procmaps__get(pm, 40, &v));
	assert_true(procmaps__get(pm, 42, &v));
	for (unsigned int i = 0; i < 5; i++) {
		struct pm_map m = map(0x1000 * (i + 1), 0x1000 * (i + 2), 0, "/lib/l.so");

		procmaps__mmap(pm, 3, 40, &m);
	}
	assert_true(procmaps__get(pm, 40, &v));
	assert_int_equal(v.n, 3);
	procmaps__stats(pm, &st);
	assert_int_equal(st.procs, 2);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.maps_dropped, 2);
	assert_int_equal(st.maps, 3);
	procmaps__free(pm);
}

/* /proc/PID/maps: executable file lines only, paths with spaces kept whole. */
static void test_load_maps(void **state)
{
	static const char text[] =
		"55d0a000-55d0b000 r--p 00000000 fe:01 1234    /usr/bin/my prog\n"
		"55d0b000-55d0c000 r-xp 00001000 fe:01 1234    /usr/bin/my prog\n"
		"7f000000-7f100000 rw-p 00000000 00:00 0 \n"
		"7f200000-7f300000 r-xp 00026000 fe:01 99    /usr/lib/libc.so.6\n"
		"7ffc0000-7ffc2000 r-xp 00000000 00:00 0    [vdso]\n";
	struct procmaps *pm = model(16, 16);
	struct pm_view v;

	(void)state;
	assert_int_equal(procmaps__load_maps(pm, 1, 50, text), 0);
	assert_true(procmaps__get(pm, 50, &v));
	assert_true(v.alive);
	assert_int_equal(v.n, 2);
	expect_map(&v.maps[0], 0x55d0b000, 0x55d0c000, 0x1000, "/usr/bin/my prog");
	assert_int_equal(v.maps[0].maj, 0xfe);
	assert_int_equal(v.maps[0].min, 1);
	assert_int_equal(v.maps[0].ino, 1234);
	expect_map(&v.maps[1], 0x7f200000, 0x7f300000, 0x26000, "/usr/lib/libc.so.6");
	procmaps__free(pm);
}

/* ---- for real: the kernel's records ---- */

__attribute__((noipa)) int exit_fast(int x)
{
	volatile int acc = x;

	return acc * 3;
}

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Exec path as "--exit-child", which writes exit_fast's address to the pipe and exits at
 * once; reaped before returning. */
static uint64_t run_exit_child(const char *path, uint32_t *pid)
{
	char buf[32] = "";
	int fds[2];
	pid_t c;

	assert_int_equal(pipe(fds), 0);
	c = fork();
	assert_true(c >= 0);
	if (!c) {
		dup2(fds[1], 1);
		execl(path, path, "--exit-child", NULL);
		_exit(127);
	}
	close(fds[1]);
	assert_true(read(fds[0], buf, sizeof(buf) - 1) > 0);
	close(fds[0]);
	assert_int_equal(waitpid(c, NULL, 0), c);
	*pid = c;
	return strtoull(buf, NULL, 16);
}

static struct procmaps *perf_model(void)
{
	struct procmaps *pm = procmaps__new(NULL);
	int err;

	assert_non_null(pm);
	err = procmaps__open_perf(pm);
	if (err == -EACCES || err == -EPERM || err == -ENOENT || err == -ENOSYS) {
		procmaps__free(pm);
		return NULL;
	}
	assert_int_equal(err, 0);
	return pm;
}

/* The replaced file's debug file, by its build-id under a debug root: the names come back.
 * This binary has the copy's build-id, so its debug part stands in for the copy's. False when
 * the kernel gave no build-id. */
static bool from_debug_file(struct symbolizer *s, struct procmaps *pm, uint32_t pid,
			    uint64_t addr, const char *copy)
{
	char root[] = "/tmp/afdbg-XXXXXX", dir[64], file[256], cmd[512];
	const struct pm_map *m = NULL;
	struct stack st = {};
	struct pm_view v;
	int len;

	assert_true(procmaps__get(pm, pid, &v));
	for (unsigned int i = 0; i < v.n; i++)
		if (!strcmp(v.maps[i].path, copy))
			m = &v.maps[i];
	assert_non_null(m);
	if (!m->build_id_len)
		return false; /* a kernel without build-ids in its records (< 5.12) */
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/.build-id", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/.build-id/%02x", root, m->build_id[0]);
	assert_int_equal(mkdir(dir, 0700), 0);
	len = snprintf(file, sizeof(file), "%s/", dir);
	for (int i = 1; i < m->build_id_len; i++)
		len += snprintf(file + len, sizeof(file) - len, "%02x", m->build_id[i]);
	snprintf(file + len, sizeof(file) - len, ".debug");
	snprintf(cmd, sizeof(cmd), "objcopy --only-keep-debug /proc/%d/exe %s", getpid(), file);
	assert_int_equal(system(cmd), 0);
	symbolizer__set_debug_root(s, root);
	symbolizer__user_stack(s, pid, &addr, 1, &st);
	unlink(file);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/.build-id", root);
	rmdir(dir);
	rmdir(root);
	assert_int_equal(st.n, 1);
	assert_non_null(st.frames[0].sym);
	assert_string_equal(st.frames[0].sym, "exit_fast");
	assert_string_equal(st.frames[0].obj, copy);
	return true;
}

static void test_dead_process_symbolized(void **state)
{
	struct procmaps *pm = perf_model();
	struct symbolizer *s;
	struct stack st = {};
	struct pm_view v;
	char *copy;
	uint32_t pid;
	uint64_t addr, t0;
	bool by_build_id;

	(void)state;
	if (!pm)
		skip(); /* perf_event_open refused (not root) */
	s = symbolizer__new();
	assert_non_null(s);
	symbolizer__set_procmaps(s, pm);
	copy = copy_self("afpm");
	t0 = boot_ns();
	addr = run_exit_child(copy, &pid);
	assert_int_equal(kill(pid, 0), -1); /* gone */
	/* records wait until an event as late as them comes */
	procmaps__advance(pm, t0);
	assert_false(procmaps__get(pm, pid, &v));
	procmaps__advance(pm, boot_ns());
	assert_true(procmaps__get(pm, pid, &v));
	assert_false(v.alive);
	assert_true(v.n >= 2); /* the copy, ld.so, libc... */
	symbolizer__user_stack(s, pid, &addr, 1, &st);
	assert_int_equal(st.n, 1);
	assert_non_null(st.frames[0].sym);
	assert_string_equal(st.frames[0].sym, "exit_fast");
	assert_string_equal(st.frames[0].obj, copy);
	assert_non_null(st.frames[0].file);
	assert_true(strstr(st.frames[0].file, "test_procmaps.c") != NULL);

	/* the same again after the file was replaced by another binary: not its names */
	addr = run_exit_child(copy, &pid);
	assert_int_equal(unlink(copy), 0);
	{
		int in = open("/bin/true", O_RDONLY), out = open(copy, O_WRONLY | O_CREAT, 0700);
		struct stat sb;

		assert_true(in >= 0 && out >= 0 && !fstat(in, &sb));
		assert_int_equal(sendfile(out, in, NULL, sb.st_size), sb.st_size);
		close(in);
		close(out);
	}
	procmaps__advance(pm, boot_ns());
	symbolizer__user_stack(s, pid, &addr, 1, &st);
	assert_int_equal(st.n, 1);
	assert_null(st.frames[0].sym);
	assert_non_null(st.frames[0].obj);
	assert_true(strstr(st.frames[0].obj, "[changed]") != NULL);
	by_build_id = from_debug_file(s, pm, pid, addr, copy);
	unlink(copy);
	free(copy);
	symbolizer__free(s);
	procmaps__free(pm);
	if (!by_build_id) {
		print_message("skipping the debug file by build-id: the kernel gave none\n");
		skip();
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_fork_copies),
		cmocka_unit_test(test_exec_resets),
		cmocka_unit_test(test_exit_kept_then_freed),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_load_maps),
		cmocka_unit_test(test_dead_process_symbolized),
	};

	if (argc == 2 && !strcmp(argv[1], "--exit-child")) {
		printf("%llx\n", (unsigned long long)(uintptr_t)&exit_fast + 4);
		fflush(stdout);
		_exit(exit_fast(1) == 3 ? 0 : 1);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
