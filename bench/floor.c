// SPDX-License-Identifier: GPL-2.0
/*
 * build/bench/floor OBJ READY_FILE: attach floor.bpf.c's empty sys_exit program (tp_btf, else
 * raw_tp), create READY_FILE, and hold it until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Load the object with only `name` enabled; NULL if the kernel refuses it. */
static struct bpf_link *attach_only(const char *path, const char *name, struct bpf_object **out)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	struct bpf_link *link;

	if (!obj)
		return NULL;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), name));
	prog = bpf_object__find_program_by_name(obj, name);
	if (!prog || bpf_object__load(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	link = bpf_program__attach(prog);
	if (!link) {
		bpf_object__close(obj);
		return NULL;
	}
	*out = obj;
	return link;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj = NULL;
	struct bpf_link *link;
	const char *kind = "tp_btf";
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FLOOR.BPF.O READY_FILE\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	link = attach_only(argv[1], "floor_btf", &obj);
	if (!link) {
		kind = "raw_tp";
		link = attach_only(argv[1], "floor_raw", &obj);
	}
	if (!link) {
		fprintf(stderr, "floor: cannot attach an empty sys_exit program: %s\n",
			strerror(errno));
		return 1;
	}
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "floor: cannot create %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	close(fd);
	printf("floor: %s/sys_exit attached\n", kind);
	fflush(stdout);
	while (!stop)
		pause();
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
