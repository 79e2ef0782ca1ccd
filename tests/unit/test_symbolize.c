// SPDX-License-Identifier: GPL-2.0
/*
 * Symbolizer and string pool. The symbolizer is run on this very binary (built -O2 -g), on libc,
 * on libstdc++ (demangling), on the running kernel's kallsyms, and on a copy of this binary that
 * a child execs and that is deleted and reaped before the lookup (snapshot survival). Invoked as
 * "--child" the binary is that child: it prints an address and waits to be killed.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "tests/unit/fixtures_process.h"
#include "kallsyms.h"
#include "strpool.h"
#include "symbolize.h"

#define CAP (2 * AF_MAX_STACK)

/* ---- functions to find again ---- */

static const int my_func_line = __LINE__ + 1;
__attribute__((noipa)) int my_func(int x)
{
	volatile int acc = 0;

	for (int i = 0; i < x; i++)
		acc += i * x;
	return acc;
}

static volatile int leaf_line, helper_call_line;
static volatile uint64_t leaf_ret;

__attribute__((noipa)) int leaf(int line)
{
	leaf_line = line;
	leaf_ret = (uint64_t)__builtin_return_address(0);
	return line & 3;
}

static inline __attribute__((always_inline)) int inl_helper(int x, int line)
{
	helper_call_line = line;
	return leaf(__LINE__) * x + 3;
}

__attribute__((noipa)) int outer(int x)
{
	int r = x * 5;

	r += inl_helper(x, __LINE__);
	return r * 7;
}

/* ---- helpers ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static const char *self_name(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	assert_true(n > 0);
	path[n] = '\0';
	return strrchr(path, '/') + 1;
}

static struct symbolizer *new_symbolizer(void)
{
	struct symbolizer *s = symbolizer__new();

	assert_non_null(s);
	return s;
}

/* The last frame of the stack: the physical one when a single address was given. */
static const struct frame *last(const struct stack *st)
{
	assert_true(st->n > 0);
	return &st->frames[st->n - 1];
}

static void expect_my_func(const struct frame *f, uint64_t addr, const char *objsuffix)
{
	assert_int_equal(f->addr, addr);
	assert_non_null(f->sym);
	assert_string_equal(f->sym, "my_func");
	assert_int_equal(f->off, 4);
	assert_non_null(f->obj);
	assert_true(ends_with(f->obj, objsuffix));
	assert_non_null(f->file);
	assert_true(f->file[0] == '/'); /* joined with the comp_dir */
	assert_true(ends_with(f->file, "/tests/unit/test_symbolize.c"));
	assert_in_range(f->line, my_func_line, my_func_line + 8);
	assert_false(f->inlined);
}

/* A pid nothing runs under: the highest free one below pid_max. */
static uint32_t unused_pid(void)
{
	char buf[32];
	long max = 32768;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			max = strtol(buf, NULL, 10);
		fclose(f);
	}
	for (long pid = max - 1; pid > 1; pid--)
		if (kill(pid, 0) && errno == ESRCH)
			return pid;
	fail_msg("no free pid");
	return 0;
}

/* ---- string pool ---- */

static void test_strpool_interns(void **state)
{
	struct strpool *p = strpool__new();
	const char *a, *b, *c;
	char buf[32], *big;

	(void)state;
	assert_non_null(p);
	snprintf(buf, sizeof(buf), "hello");
	a = strpool__intern(p, buf);
	buf[0] = 'j';
	b = strpool__intern(p, "hello");
	c = strpool__intern_len(p, "hello world", 5);
	assert_ptr_equal(a, b);
	assert_ptr_equal(a, c);
	assert_string_equal(a, "hello");
	assert_null(strpool__intern(p, NULL));
	assert_string_equal(strpool__intern(p, ""), "");
	assert_int_equal(strpool__count(p), 2);

	/* enough strings to grow the table several times and fill many chunks */
	for (int i = 0; i < 20000; i++) {
		snprintf(buf, sizeof(buf), "sym_%d", i);
		assert_string_equal(strpool__intern(p, buf), buf);
	}
	assert_int_equal(strpool__count(p), 20002);
	assert_ptr_equal(strpool__intern(p, "hello"), a);
	assert_string_equal(strpool__intern(p, "sym_12345"), "sym_12345");

	big = malloc(100000);
	assert_non_null(big);
	memset(big, 'x', 99999);
	big[99999] = '\0';
	assert_string_equal(strpool__intern(p, big), big);
	free(big);
	assert_string_equal(strpool__intern(p, "after_big"), "after_big");
	strpool__free(p);
	strpool__free(NULL);
}

/* ---- user space ---- */

static void test_user_own_function(void **state)
{
	struct symbolizer *s = new_symbolizer();
	uint64_t addr = (uint64_t)&my_func + 4;
	struct stack st = {};

	(void)state;
	symbolizer__user_stack(s, getpid(), &addr, 1, &st);
	assert_int_equal(st.n, 1);
	expect_my_func(&st.frames[0], addr, self_name());
	assert_false(st.truncated);
	symbolizer__free(s);
}

static void test_user_inline_frames(void **state)
{
	struct symbolizer *s = new_symbolizer();
	struct stack st = {};
	uint64_t addrs[2];

	(void)state;
	outer(2);
	addrs[0] = (uint64_t)&my_func + 4;
	addrs[1] = leaf_ret; /* a return address in outer(), inside the inlined inl_helper() */
	symbolizer__user_stack(s, getpid(), addrs, 2, &st);
	assert_int_equal(st.n, 3);
	expect_my_func(&st.frames[0], addrs[0], self_name());

	assert_int_equal(st.frames[1].addr, leaf_ret);
	assert_string_equal(st.frames[1].sym, "inl_helper");
	assert_true(st.frames[1].inlined);
	assert_true(ends_with(st.frames[1].file, "test_symbolize.c"));
	assert_int_equal(st.frames[1].line, leaf_line);

	assert_int_equal(st.frames[2].addr, leaf_ret);
	assert_string_equal(st.frames[2].sym, "outer");
	assert_false(st.frames[2].inlined);
	assert_int_equal(st.frames[2].off, leaf_ret - (uint64_t)&outer);
	assert_true(ends_with(st.frames[2].file, "test_symbolize.c"));
	assert_int_equal(st.frames[2].line, helper_call_line);
	assert_ptr_equal(st.frames[2].obj, st.frames[1].obj);
	symbolizer__free(s);
}

static void test_user_libc(void **state)
{
	struct symbolizer *s = new_symbolizer();
	uint64_t addr = (uint64_t)&getpid;
	struct stack st = {};
	const struct frame *f;

	(void)state;
	symbolizer__user_stack(s, getpid(), &addr, 1, &st);
	f = last(&st);
	assert_non_null(f->sym);
	assert_non_null(strstr(f->sym, "getpid"));
	assert_int_equal(f->off, 0);
	assert_non_null(f->obj);
	assert_non_null(strstr(f->obj, "libc"));
	symbolizer__free(s);
}

/* libstdc++'s own symbols are mangled: they come back demangled if it can be loaded. */
static void test_user_demangle(void **state)
{
	struct symbolizer *s = new_symbolizer();
	struct stack st = {};
	void *h, *fn;
	uint64_t addr;

	(void)state;
	h = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		symbolizer__free(s);
		skip();
	}
	fn = dlsym(h, "_ZNKSt9exception4whatEv");
	assert_non_null(fn);
	addr = (uint64_t)fn;
	symbolizer__user_stack(s, getpid(), &addr, 1, &st);
	assert_string_equal(last(&st)->sym, "std::exception::what() const");
	assert_non_null(strstr(last(&st)->obj, "libstdc++"));
	symbolizer__free(s);
	dlclose(h);
}

static void test_user_unknown_pid(void **state)
{
	struct symbolizer *s = new_symbolizer();
	uint64_t addrs[3] = { (uint64_t)&my_func + 4, (uint64_t)&getpid, 0x1234 };
	uint32_t pid = unused_pid();
	struct stack st = {};

	(void)state;
	assert_int_equal(symbolizer__snapshot(s, pid), -ENOENT);
	symbolizer__user_stack(s, pid, addrs, 3, &st);
	assert_int_equal(st.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(st.frames[i].addr, addrs[i]);
		assert_null(st.frames[i].sym);
		assert_null(st.frames[i].obj);
		assert_null(st.frames[i].file);
		assert_int_equal(st.frames[i].line, 0);
	}
	assert_int_equal(symbolizer__nr_procs(s), 0);
	symbolizer__free(s);
}

static void test_user_unmapped_address(void **state)
{
	struct symbolizer *s = new_symbolizer();
	/* below and above every mapping: nothing may be attributed to the nearest module */
	uint64_t addrs[3] = { 0x10, 0, 0xfffffffffffff000ULL };
	struct stack st = {};

	(void)state;
	symbolizer__user_stack(s, getpid(), addrs, 3, &st);
	assert_int_equal(st.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_null(st.frames[i].sym);
		assert_null(st.frames[i].obj);
	}
	symbolizer__free(s);
}

static void test_forget(void **state)
{
	struct symbolizer *s = new_symbolizer();
	uint64_t addr = (uint64_t)&my_func + 4;
	struct stack st = {}, st2 = {};

	(void)state;
	assert_int_equal(symbolizer__snapshot(s, getpid()), 0);
	assert_int_equal(symbolizer__snapshot(s, getpid()), 0);
	assert_int_equal(symbolizer__nr_procs(s), 1);
	symbolizer__user_stack(s, getpid(), &addr, 1, &st);
	symbolizer__forget(s, getpid());
	symbolizer__forget(s, getpid());
	symbolizer__forget(s, unused_pid());
	assert_int_equal(symbolizer__nr_procs(s), 0);
	/* the strings outlive the process state */
	expect_my_func(&st.frames[0], addr, self_name());
	/* and a later lookup takes a new snapshot */
	symbolizer__user_stack(s, getpid(), &addr, 1, &st2);
	expect_my_func(&st2.frames[0], addr, self_name());
	assert_ptr_equal(st2.frames[0].sym, st.frames[0].sym);
	assert_int_equal(symbolizer__nr_procs(s), 1);
	symbolizer__free(s);
}

static void test_truncation(void **state)
{
	struct symbolizer *s = new_symbolizer();
	struct kallsyms *k;
	uint64_t addrs[CAP + 5];
	struct stack st = {};

	(void)state;
	for (unsigned int i = 0; i < CAP + 5; i++)
		addrs[i] = (uint64_t)&my_func + 4;
	symbolizer__user_stack(s, getpid(), addrs, CAP + 5, &st);
	assert_int_equal(st.n, CAP);
	assert_true(st.truncated);
	assert_string_equal(st.frames[CAP - 1].sym, "my_func");

	/* a truncation the caller recorded stays */
	st.truncated = true;
	symbolizer__user_stack(s, getpid(), addrs, 1, &st);
	assert_int_equal(st.n, 1);
	assert_true(st.truncated);
	st.truncated = false;
	k = kallsyms__open();
	assert_non_null(k);
	kallsyms__stack(k, addrs, CAP + 1, &st);
	assert_int_equal(st.n, CAP);
	assert_true(st.truncated);
	kallsyms__free(k);
	symbolizer__free(s);
}

/* ---- children: snapshot survival, exec detection, eviction ---- */

struct child {
	pid_t pid;
	int go;	     /* write end: lets the child exec */
	int out;     /* read end of the child's stdout */
	char *copy;  /* the copy of this binary it execs */
};

/* Children alive, so a failed assertion (a longjmp out of the test) does not leave them behind. */
static struct child *live[4];

static void child_track(struct child *c, bool on)
{
	for (unsigned int i = 0; i < sizeof(live) / sizeof(live[0]); i++)
		if (on ? !live[i] : live[i] == c) {
			live[i] = on ? c : NULL;
			return;
		}
}

/* A forked copy of this process that, once told to, execs a copy of this binary. */
static void child_start(struct child *c)
{
	char *argv[3] = { NULL, "--child", NULL };
	int go[2], out[2];

	c->copy = copy_self("afsym");
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (!c->pid) {
		char b;

		/* if the test dies, so does the child: it must not hold the test's output open */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (read(go[0], &b, 1) == 1 && dup2(out[1], 1) == 1 && dup2(out[1], 2) == 2) {
			argv[0] = c->copy;
			execv(c->copy, argv);
		}
		_exit(127);
	}
	close(go[0]);
	close(out[1]);
	c->go = go[1];
	c->out = out[0];
	child_track(c, true);
}

/* Let the child exec; returns the address of my_func + 4 in the new image. */
static uint64_t child_exec(struct child *c)
{
	char buf[64] = "";
	ssize_t n;

	assert_int_equal(write(c->go, "x", 1), 1);
	n = read(c->out, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	return strtoull(buf, NULL, 16);
}

static void child_reap(struct child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	c->pid = 0;
}

static void child_end(struct child *c)
{
	child_track(c, false);
	child_reap(c);
	close(c->go);
	close(c->out);
	unlink(c->copy);
	free(c->copy);
}

static int end_children(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < sizeof(live) / sizeof(live[0]); i++)
		if (live[i])
			child_end(live[i]);
	return 0;
}

static __attribute__((noreturn)) void child_main(void)
{
	printf("%llx\n", (unsigned long long)(uintptr_t)&my_func + 4);
	fflush(stdout);
	for (;;)
		pause();
}

/*
 * The snapshot taken before the exec is noticed as stale; the one taken after survives the
 * deletion of the binary and the death of the process.
 */
static void test_snapshot_survives_exit(void **state)
{
	struct symbolizer *s = new_symbolizer();
	static struct child c; /* static: end_children() may see it after a failed assertion */
	struct stack st = {};
	uint32_t pid;
	const char *copyname;
	uint64_t addr;

	(void)state;
	child_start(&c);
	copyname = strrchr(c.copy, '/') + 1;
	assert_int_equal(symbolizer__snapshot(s, c.pid), 0); /* still this binary, forked */
	addr = child_exec(&c);
	assert_int_equal(symbolizer__snapshot(s, c.pid), 0); /* exec seen: retaken */
	assert_int_equal(unlink(c.copy), 0);
	pid = c.pid;
	child_reap(&c);
	assert_int_equal(kill(pid, 0), -1);

	symbolizer__user_stack(s, pid, &addr, 1, &st);
	assert_int_equal(st.n, 1);
	expect_my_func(&st.frames[0], addr, copyname);
	assert_int_equal(symbolizer__nr_procs(s), 1);
	symbolizer__forget(s, pid);
	assert_int_equal(symbolizer__nr_procs(s), 0);
	expect_my_func(&st.frames[0], addr, copyname);
	child_end(&c);
	symbolizer__free(s);
}

/* Without a new snapshot, a lookup after exec still notices the pid names a new image. */
static void test_exec_detected_on_lookup(void **state)
{
	struct symbolizer *s = new_symbolizer();
	static struct child c;
	struct stack st = {};
	uint64_t addr;

	(void)state;
	child_start(&c);
	assert_int_equal(symbolizer__snapshot(s, c.pid), 0);
	addr = child_exec(&c);
	symbolizer__user_stack(s, c.pid, &addr, 1, &st);
	expect_my_func(&st.frames[0], addr, strrchr(c.copy, '/') + 1);
	child_end(&c);
	symbolizer__free(s);
}

/* A process running a binary deleted since it started (an upgrade) is still symbolized. */
static void test_deleted_binary(void **state)
{
	struct symbolizer *s = new_symbolizer();
	static struct child c;
	struct stack st = {};
	char name[64];
	uint64_t addr;

	(void)state;
	child_start(&c);
	addr = child_exec(&c);
	assert_int_equal(unlink(c.copy), 0);
	snprintf(name, sizeof(name), "%s (deleted)", strrchr(c.copy, '/') + 1);
	symbolizer__user_stack(s, c.pid, &addr, 1, &st);
	expect_my_func(&st.frames[0], addr, name);
	child_end(&c);
	symbolizer__free(s);
}

static bool maps_have(const char *needle)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/*
 * Debug info in a separate file named by .gnu_debuglink beside the binary is found; without it
 * the ELF symbols still name the function, and libdebuginfod (elfutils 0.188 loads it, with
 * libcurl and GnuTLS, when no debug file is found) stays out of the tracer.
 */
static void test_debuglink(void **state)
{
	struct symbolizer *s = new_symbolizer();
	static struct child c;
	struct stack st = {};
	char cmd[512], debug[64];
	uint64_t addr;

	(void)state;
	assert_false(maps_have("libdebuginfod"));
	child_start(&c);
	snprintf(debug, sizeof(debug), "%s.debug", c.copy);
	snprintf(cmd, sizeof(cmd), "objcopy --only-keep-debug %s %s && objcopy --strip-debug "
		 "--add-gnu-debuglink=%s %s", c.copy, debug, debug, c.copy);
	assert_int_equal(system(cmd), 0);
	addr = child_exec(&c);
	symbolizer__user_stack(s, c.pid, &addr, 1, &st);
	expect_my_func(&st.frames[0], addr, strrchr(c.copy, '/') + 1);
	child_end(&c);
	symbolizer__free(s);

	/* the same stripped binary, its debug file gone */
	s = new_symbolizer();
	child_start(&c);
	snprintf(cmd, sizeof(cmd), "objcopy --strip-debug --add-gnu-debuglink=%s %s", debug,
		 c.copy);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(unlink(debug), 0);
	addr = child_exec(&c);
	symbolizer__user_stack(s, c.pid, &addr, 1, &st);
	assert_string_equal(st.frames[0].sym, "my_func");
	assert_null(st.frames[0].file);
	assert_false(maps_have("libdebuginfod"));
	child_end(&c);
	symbolizer__free(s);
}

static void test_lru_eviction(void **state)
{
	struct symbolizer *s = new_symbolizer();
	uint64_t addr = (uint64_t)&my_func + 4;
	struct stack st = {};
	static struct child a, b;

	(void)state;
	child_start(&a);
	child_start(&b);
	symbolizer__set_max_procs(s, 2);
	assert_int_equal(symbolizer__snapshot(s, getpid()), 0);
	symbolizer__user_stack(s, getpid(), &addr, 1, &st);
	assert_int_equal(symbolizer__snapshot(s, a.pid), 0);
	assert_int_equal(symbolizer__snapshot(s, getpid()), 0); /* self is now the most recent */
	assert_int_equal(symbolizer__snapshot(s, b.pid), 0);	 /* evicts a */
	assert_int_equal(symbolizer__nr_procs(s), 2);
	child_end(&a);
	/* a was evicted and has exited: no snapshot, nothing invented */
	symbolizer__user_stack(s, a.pid, &addr, 1, &st);
	assert_null(st.frames[0].sym);
	child_end(&b);
	symbolizer__set_max_procs(s, 1);
	assert_int_equal(symbolizer__nr_procs(s), 1);
	/* self survived both evictions */
	symbolizer__user_stack(s, getpid(), &addr, 1, &st);
	expect_my_func(&st.frames[0], addr, self_name());
	symbolizer__free(s);
}

/* The per-file sessions are bounded by bytes: with a budget of one byte only the latest file
 * stays, and a file evicted is read again when needed. */
static void test_file_budget(void **state)
{
	struct symbolizer *s = new_symbolizer();
	uint64_t own = (uint64_t)&my_func + 4, libc = (uint64_t)&getpid;
	struct stack st = {};

	(void)state;
	symbolizer__user_stack(s, getpid(), &own, 1, &st);
	symbolizer__user_stack(s, getpid(), &libc, 1, &st);
	assert_int_equal(symbolizer__nr_files(s), 2);
	symbolizer__set_file_budget(s, 1);
	assert_int_equal(symbolizer__nr_files(s), 1);
	symbolizer__user_stack(s, getpid(), &own, 1, &st);
	assert_int_equal(symbolizer__nr_files(s), 1);
	expect_my_func(&st.frames[0], own, self_name());
	symbolizer__user_stack(s, getpid(), &libc, 1, &st);
	assert_int_equal(symbolizer__nr_files(s), 1);
	assert_non_null(strstr(last(&st)->sym, "getpid"));
	symbolizer__free(s);
}

/* ---- kernel ---- */

/* The address of a kernel text symbol, from kallsyms; 0 if hidden or absent. */
static uint64_t kallsyms_addr(const char *name)
{
	unsigned long long addr = 0;
	char line[512], sym[256], type;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 && !strcmp(sym, name))
			break;
		else
			addr = 0;
	fclose(f);
	return addr;
}

static void test_kernel(void **state)
{
	struct kallsyms *s = kallsyms__open();
	uint64_t addrs[5], base = kallsyms_addr("do_syscall_64"), start, end;
	struct stack st = {};

	(void)state;
	assert_non_null(s);
	if (!base) {
		kallsyms__free(s);
		skip();
	}
	addrs[0] = base;	  /* innermost: looked up as is */
	addrs[1] = base + 5;	  /* return address: looked up at base + 4 */
	addrs[2] = base + 1;	  /* return address: looked up at base itself */
	addrs[3] = 0;		  /* nothing there */
	addrs[4] = ~0xffULL;	  /* far above the last symbol: not attributed to it */
	kallsyms__stack(s, addrs, 5, &st);
	assert_int_equal(st.n, 5);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(st.frames[i].addr, addrs[i]);
		assert_string_equal(st.frames[i].sym, "do_syscall_64");
		assert_string_equal(st.frames[i].obj, "[kernel]");
		assert_null(st.frames[i].file);
		assert_false(st.frames[i].inlined);
	}
	assert_int_equal(st.frames[0].off, 0);
	assert_int_equal(st.frames[1].off, 5);
	assert_int_equal(st.frames[2].off, 1);
	for (int i = 3; i < 5; i++) {
		assert_null(st.frames[i].sym);
		assert_null(st.frames[i].obj);
	}
	/* the table is kept: a second stack gives the very same strings */
	kallsyms__stack(s, addrs, 1, &st);
	assert_int_equal(st.n, 1);
	assert_string_equal(st.frames[0].sym, "do_syscall_64");
	/* a function's text: up to the next symbol */
	assert_int_equal(kallsyms__func(s, "do_syscall_64", &start, &end), 0);
	assert_int_equal(start, base);
	assert_true(end > base);
	assert_int_equal(kallsyms__func(s, "no such function, surely", &start, &end), -ENOENT);
	kallsyms__free(s);
}

/* As nobody, kallsyms shows zeros: frames stay bare, and that is said once on stderr. */
static void test_kernel_hidden(void **state)
{
	uint64_t addrs[2] = { 0xffffffff81000010ULL, 0xffffffff81000020ULL };
	char buf[1024] = "", *p;
	int err[2], status, said = 0;
	ssize_t n, len = 0;
	pid_t pid;

	(void)state;
	if (geteuid())
		skip();
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct kallsyms *s;
		struct stack st = {};

		if (dup2(err[1], 2) != 2 || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		if (kallsyms_addr("do_syscall_64"))
			_exit(77); /* this kernel shows addresses to anyone */
		s = kallsyms__open();
		for (int i = 0; s && i < 2; i++) {
			kallsyms__stack(s, addrs, 2, &st);
			if (st.n != 2 || st.frames[0].sym || st.frames[1].obj)
				_exit(1);
		}
		kallsyms__free(s);
		_exit(0);
	}
	close(err[1]);
	while ((n = read(err[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(err[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
	for (p = buf; (p = strstr(p, "kptr_restrict")); p++)
		said++;
	assert_int_equal(said, 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strpool_interns),
		cmocka_unit_test(test_user_own_function),
		cmocka_unit_test(test_user_inline_frames),
		cmocka_unit_test(test_user_libc),
		cmocka_unit_test(test_user_demangle),
		cmocka_unit_test(test_user_unknown_pid),
		cmocka_unit_test(test_user_unmapped_address),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test_teardown(test_snapshot_survives_exit, end_children),
		cmocka_unit_test_teardown(test_exec_detected_on_lookup, end_children),
		cmocka_unit_test_teardown(test_deleted_binary, end_children),
		cmocka_unit_test_teardown(test_debuglink, end_children),
		cmocka_unit_test_teardown(test_lru_eviction, end_children),
		cmocka_unit_test(test_file_budget),
		cmocka_unit_test(test_kernel),
		cmocka_unit_test(test_kernel_hidden),
	};

	if (argc == 2 && !strcmp(argv[1], "--child"))
		child_main();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
