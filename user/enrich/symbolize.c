// SPDX-License-Identifier: GPL-2.0
/*
 * Process addresses (the kernel's are user/load/kallsyms.c's) through one libdwfl session per
 * process, cached by pid with LRU eviction, that says which file an address is in: built from
 * the mapping model (user/enrich/procmaps.h) when it knows the process, so the process may have
 * exited, else from /proc/PID/maps. Symbols, lines and inline frames are then read from one
 * session per file (by build-id), shared by every process mapping it. Every string handed out is
 * interned, so frames outlive the sessions they came from.
 *
 * Over 1,000 lines on purpose: the per-process sessions, the sessions built from the model and
 * the per-file ones are one cache with one budget and one eviction order (struct symbolizer),
 * and a frame's lookup crosses all three; split, each part would need the others' internals.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "common.h"
#include "lru.h"
#include "procmaps.h"
#include "strpool.h"
#include "symbolize.h"

#define STACK_CAP (sizeof(((struct stack *)0)->frames) / sizeof(struct frame))
#define PROC_BUCKETS 512
/* A live process whose snapshot misses an address is re-read at most this often (dlopen). */
#define REFRESH_NS 1000000000ULL

typedef char *(*demangle_fn)(const char *mangled, char *buf, size_t *len, int *status);

/* What tells two processes behind one pid apart: start time (pid reuse) and auxv (exec). */
struct proc_id {
	bool valid;
	unsigned long long start;
	uint64_t auxv_hash;
};

/* An address range whose file is no longer the one the process mapped (replaced since). */
struct changed {
	uint64_t start, end;
	const char *obj; /* interned "PATH [changed]" */
};

struct proc {
	uint32_t pid;
	Dwfl *dwfl;
	struct proc_id id;
	uint64_t taken_ns;
	uint64_t model_gen; /* 0: read from /proc; else the mapping model's generation */
	struct changed *changed;
	unsigned int nchanged;
};

/*
 * One file's symbols and DWARF, shared by every process that maps it: a session of its own
 * with the file at its link-time addresses, keyed by build-id. Process sessions then only say
 * which file an address is in and where; libc's tables are read once, not once per process.
 */
#define FILE_CACHE_MAX 64
#define FILE_BUCKETS 64
/* What the cached files may hold, by their sections' (decompressed) sizes: libdw keeps a file's
 * compressed debug sections decompressed in memory (libc's: 10 MiB), so a count alone would let
 * 64 such files take 640 MiB. The most recent file is kept whatever its size. */
#define FILE_CACHE_BYTES (32ULL << 20)
#define BUILD_ID_MAX 64

/* Cached by build-id, weighing file_weight(). */
struct shared_file {
	Dwfl *dwfl;
	Dwfl_Module *mod;
};

struct symbolizer {
	struct strpool *pool;
	struct lru *files; /* struct shared_file by build-id, within FILE_CACHE_MAX and a budget */
	struct lru *procs; /* struct proc by pid, within symbolizer__set_max_procs() */
	Dwfl_Callbacks cb;
	struct procmaps *pm; /* NULL: only /proc */
	char *debuginfo_path; /* NULL: libdwfl's default, which includes /usr/lib/debug */
	char debug_root[PATH_MAX]; /* debug files by build-id for files gone or replaced */
	void *cxx_handle;
	demangle_fn demangle;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct frame *push_frame(struct stack *out, uint64_t addr)
{
	struct frame *f;

	if (out->n >= STACK_CAP) {
		out->truncated = true;
		return NULL;
	}
	f = &out->frames[out->n++];
	memset(f, 0, sizeof(*f));
	f->addr = addr;
	return f;
}

/* A return address points after the call; the call itself is one byte earlier. */
static uint64_t lookup_pc(uint64_t addr, unsigned int i)
{
	return i && addr ? addr - 1 : addr;
}

/* ---- process identity ---- */

static ssize_t read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

static uint64_t hash_buf(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int proc_identity(uint32_t pid, struct proc_id *id)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int field;

	memset(id, 0, sizeof(*id));
	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	/* comm may hold spaces and parentheses: fields count from the last ')'; starttime is 22 */
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -EINVAL;
	id->start = strtoull(p + 1, NULL, 10);
	/* auxv holds the entry point, AT_RANDOM's stack address...: an exec changes it */
	snprintf(path, sizeof(path), "/proc/%u/auxv", pid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	id->auxv_hash = hash_buf(buf, n);
	id->valid = true;
	return 0;
}

static bool same_process(const struct proc_id *a, const struct proc_id *b)
{
	return a->valid && b->valid && a->start == b->start && a->auxv_hash == b->auxv_hash;
}

/* ---- per-process libdwfl sessions ---- */

/* A regular file, or -1: stat first, as a device or FIFO might block in open. */
static int open_regular(const char *path, struct stat *st)
{
	if (stat(path, st) || !S_ISREG(st->st_mode))
		return -1;
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * A module whose file was deleted or replaced since it was mapped (an upgrade, a temporary
 * binary): its mapping at base is still reachable through /proc/PID/map_files.
 */
static int open_deleted(uint32_t pid, Dwarf_Addr base, char *path, size_t size,
			struct stat *st)
{
	char dir[64], prefix[32];
	struct dirent *de;
	int fd = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%u/map_files", pid);
	snprintf(prefix, sizeof(prefix), "%llx-", (unsigned long long)base);
	d = opendir(dir);
	if (!d)
		return -1;
	while (fd < 0 && (de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix))) {
			snprintf(path, size, "%s/%s", dir, de->d_name);
			fd = open_regular(path, st);
		}
	closedir(d);
	return fd;
}

/*
 * Open a module through the process's own root, so a process in another mount namespace gets
 * its own libraries. The name reported is the plain path when both are the same file, so a
 * .gnu_debuglink is still searched beside it after the process is gone.
 */
static int find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
		    char **file_name, Elf **elfp)
{
	uint32_t pid = (uintptr_t)*userdata;
	struct stat st, plain;
	char path[PATH_MAX + 32];
	int fd;

	if (!pid || name[0] != '/')
		return dwfl_linux_proc_find_elf(mod, userdata, name, base, file_name, elfp);
	snprintf(path, sizeof(path), "/proc/%u/root%s", pid, name);
	fd = open_regular(path, &st);
	if (fd < 0)
		fd = open_deleted(pid, base, path, sizeof(path), &st);
	if (fd < 0)
		return dwfl_linux_proc_find_elf(mod, userdata, name, base, file_name, elfp);
	if (!stat(name, &plain) && plain.st_dev == st.st_dev && plain.st_ino == st.st_ino)
		*file_name = strdup(name);
	else
		*file_name = strdup(path);
	if (!*file_name) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Tag each module with its pid (for find_elf) and open its ELF file now, while it exists. */
static int open_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
		       void *arg)
{
	Dwarf_Addr bias;

	(void)name;
	(void)start;
	*userdata = arg;
	dwfl_module_getelf(mod, &bias); /* failure is not fatal: symbols just stay unknown */
	return DWARF_CB_OK;
}

static int dwfl_for_pid(struct symbolizer *s, uint32_t pid, Dwfl **out)
{
	Dwfl *dwfl = dwfl_begin(&s->cb);
	int ret;

	if (!dwfl)
		return -ENOMEM;
	dwfl_report_begin(dwfl);
	ret = dwfl_linux_proc_report(dwfl, pid);
	if (ret) {
		dwfl_end(dwfl);
		return ret > 0 ? -ret : -EIO;
	}
	if (dwfl_report_end(dwfl, NULL, NULL)) {
		dwfl_end(dwfl);
		return -EIO;
	}
	dwfl_getmodules(dwfl, open_module, (void *)(uintptr_t)pid, 0);
	*out = dwfl;
	return 0;
}

/* Replace p's session by a fresh one; p keeps its old one if that fails. */
static int proc_retake(struct symbolizer *s, struct proc *p)
{
	struct proc_id id;
	Dwfl *dwfl;
	int err;

	proc_identity(p->pid, &id);
	err = dwfl_for_pid(s, p->pid, &dwfl);
	if (err)
		return err;
	dwfl_end(p->dwfl);
	p->dwfl = dwfl;
	p->id = id;
	p->taken_ns = now_ns();
	p->model_gen = 0;
	free(p->changed);
	p->changed = NULL;
	p->nchanged = 0;
	return 0;
}

static struct proc *proc_lookup(struct symbolizer *s, uint32_t pid)
{
	return lru__find(s->procs, &pid, sizeof(pid));
}

static void proc_drop(void *ctx, void *entry, bool evicted)
{
	struct proc *p = entry;

	(void)ctx;
	(void)evicted;
	dwfl_end(p->dwfl);
	free(p->changed);
}

/* A new session for pid, the most recent; the least recently used goes beyond max_procs. */
static int proc_create(struct symbolizer *s, uint32_t pid, struct proc **out)
{
	struct proc_id id;
	struct proc *p;
	Dwfl *dwfl;
	int err;

	proc_identity(pid, &id);
	err = dwfl_for_pid(s, pid, &dwfl);
	if (err)
		return err;
	p = lru__insert(s->procs, &pid, sizeof(pid), 0);
	if (!p) {
		dwfl_end(dwfl);
		return -ENOMEM;
	}
	p->pid = pid;
	p->id = id;
	p->dwfl = dwfl;
	p->taken_ns = now_ns();
	*out = p;
	return 0;
}

/* ---- sessions from the mapping model: the process may be gone ---- */

/* The model's view of pid when it is to be trusted over /proc: always for a process that is
 * gone; for a live one unless the kernel lost records (a mapping may be missing then). */
static bool model_usable(struct symbolizer *s, uint32_t pid, struct pm_view *v)
{
	struct pm_stats st;

	if (!s->pm || !procmaps__get(s->pm, pid, v))
		return false;
	if (!v->alive)
		return true;
	procmaps__stats(s->pm, &st);
	return !st.lost;
}

/* The file the process mapped, through its own root while it lives (its mount namespace),
 * else by the path the kernel reported. name gets the path to report (debuglink search). */
static int open_mapped(uint32_t pid, bool alive, const struct pm_map *m, char *name,
		       size_t size)
{
	static const char deleted[] = " (deleted)";
	char path[PATH_MAX + 32];
	struct stat st, plain;
	size_t len;
	int fd = -1;

	snprintf(name, size, "%s", m->path);
	len = strlen(name);
	if (len > sizeof(deleted) - 1 && !strcmp(name + len - (sizeof(deleted) - 1), deleted))
		name[len - (sizeof(deleted) - 1)] = '\0';
	if (alive) {
		snprintf(path, sizeof(path), "/proc/%u/root%s", pid, name);
		fd = open_regular(path, &st);
		if (fd < 0)
			fd = open_deleted(pid, m->start, path, sizeof(path), &st);
		if (fd >= 0 && (stat(name, &plain) || plain.st_dev != st.st_dev ||
				plain.st_ino != st.st_ino))
			snprintf(name, size, "%s", path);
	}
	if (fd < 0)
		fd = open_regular(name, &st);
	return fd;
}

/* Is this the file the process mapped? By build-id when the kernel gave one, else by inode
 * (only: btrfs and overlayfs show stat() another device number than the mapping's). */
static bool is_mapped_file(int fd, Elf *elf, const struct pm_map *m)
{
	const void *id;
	struct stat st;
	ssize_t n;

	if (m->build_id_len) {
		n = dwelf_elf_gnu_build_id(elf, &id);
		return n == m->build_id_len && !memcmp(id, m->build_id, n);
	}
	if (m->ino)
		return !fstat(fd, &st) && st.st_ino == m->ino;
	return true;
}

/* The load bias that puts the file's segment holding m->pgoff at m->start. ld.so maps each
 * PT_LOAD from its page-aligned offset; p_vaddr - p_offset may differ between segments. */
static bool map_bias(Elf *elf, const struct pm_map *m, uint64_t *bias)
{
	uint64_t page = getpagesize();
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t n;

	if (!gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &n))
		return false;
	if (eh.e_type == ET_EXEC) {
		*bias = 0;
		return true;
	}
	if (eh.e_type != ET_DYN)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (m->pgoff >= (ph.p_offset & ~(page - 1)) &&
		    m->pgoff < ph.p_offset + ph.p_filesz) {
			*bias = m->start - m->pgoff + ph.p_offset - ph.p_vaddr;
			return true;
		}
	}
	/* a separate debug file has no file contents (p_filesz 0): the mapping is taken to start
	 * where the executable segment does, as ld.so maps it */
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
			*bias = m->start - (ph.p_vaddr & ~(page - 1));
			return true;
		}
	return false;
}

struct model_build {
	Dwfl *dwfl;
	struct changed *changed;
	unsigned int nchanged;
	struct {
		const char *path;
		uint64_t bias;
	} done[64]; /* the last files reported: a file's mappings come one after another */
	unsigned int ndone;
};

static void note_changed(struct symbolizer *s, struct model_build *b, const struct pm_map *m)
{
	struct changed *c = realloc(b->changed, (b->nchanged + 1) * sizeof(*c));
	char *obj;

	if (!c)
		return;
	b->changed = c;
	if (asprintf(&obj, "%s [changed]", m->path) < 0)
		return;
	c[b->nchanged] = (struct changed){ m->start, m->end, strpool__intern(s->pool, obj) };
	b->nchanged += c[b->nchanged].obj != NULL;
	free(obj);
}

static bool reported(struct model_build *b, const char *path, uint64_t bias)
{
	for (unsigned int i = 0; i < b->ndone && i < 64; i++)
		if (b->done[i].bias == bias && !strcmp(b->done[i].path, path))
			return true;
	b->done[b->ndone % 64].path = path;
	b->done[b->ndone % 64].bias = bias;
	b->ndone++;
	return false;
}

/*
 * The separate debug file of m's build-id (as debuginfo packages install them): it keeps the
 * program headers, symbols and DWARF of a file that is gone or was replaced. -1 if none.
 */
static int open_debug_file(struct symbolizer *s, const struct pm_map *m, char *name,
			   size_t size)
{
	struct stat st;
	int len;

	if (!m->build_id_len)
		return -1;
	len = snprintf(name, size, "%s/.build-id/%02x/", s->debug_root, m->build_id[0]);
	for (int i = 1; i < m->build_id_len && len > 0 && (size_t)len < size; i++)
		len += snprintf(name + len, size - len, "%02x", m->build_id[i]);
	if (len <= 0 || (size_t)len >= size)
		return -1;
	snprintf(name + len, size - len, ".debug");
	return open_regular(name, &st);
}

/* The file of m, checked to be the one mapped; else its debug file by build-id; else -1, with
 * *changed set if a file was there but is another one now. */
static int open_checked(struct symbolizer *s, uint32_t pid, bool alive, const struct pm_map *m,
			char *name, size_t size, Elf **elfp, bool *changed)
{
	for (int i = 0; i < 2; i++) {
		int fd = i ? open_debug_file(s, m, name, size) : open_mapped(pid, alive, m, name,
									     size);
		Elf *elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ_MMAP, NULL);

		if (elf && is_mapped_file(fd, elf, m)) {
			*elfp = elf;
			return fd;
		}
		/* replaced since it was mapped: its symbols would be someone else's */
		*changed |= !i && elf;
		elf_end(elf);
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

static void report_map(struct symbolizer *s, uint32_t pid, bool alive, const struct pm_map *m,
		       struct model_build *b)
{
	char name[PATH_MAX + 32];
	bool ok, changed = false;
	uint64_t bias = 0;
	Elf *elf = NULL;
	int fd;

	fd = open_checked(s, pid, alive, m, name, sizeof(name), &elf, &changed);
	if (fd < 0) {
		/* gone, or another file now: its frames stay unresolved */
		if (changed)
			note_changed(s, b, m);
		return;
	}
	ok = map_bias(elf, m, &bias);
	elf_end(elf);
	/* the module is named by the mapped path, as /proc/PID/maps names it */
	if (!ok || reported(b, m->path, bias) ||
	    !dwfl_report_elf(b->dwfl, m->path, name, fd, bias, true))
		close(fd);
}

static int dwfl_from_model(struct symbolizer *s, uint32_t pid, const struct pm_view *v,
			   struct model_build *b)
{
	b->dwfl = dwfl_begin(&s->cb);
	if (!b->dwfl)
		return -ENOMEM;
	dwfl_report_begin(b->dwfl);
	for (unsigned int i = 0; i < v->n; i++)
		report_map(s, pid, v->alive, &v->maps[i], b);
	if (dwfl_report_end(b->dwfl, NULL, NULL)) {
		dwfl_end(b->dwfl);
		free(b->changed);
		return -EIO;
	}
	return 0;
}

/* pid's session from the model, rebuilt when the model changed since (exec, mmap, pid reuse). */
static struct proc *proc_get_model(struct symbolizer *s, struct proc *p, uint32_t pid,
				   const struct pm_view *v, int *err)
{
	struct model_build b = {};

	if (p && p->model_gen == v->gen) {
		lru__touch(s->procs, p);
		return p;
	}
	*err = dwfl_from_model(s, pid, v, &b);
	if (*err) {
		if (p)
			lru__remove(s->procs, p); /* what it holds is another image's */
		return NULL;
	}
	if (!p) {
		p = lru__insert(s->procs, &pid, sizeof(pid), 0);
		if (!p) {
			dwfl_end(b.dwfl);
			free(b.changed);
			*err = -ENOMEM;
			return NULL;
		}
		p->pid = pid;
	} else {
		lru__touch(s->procs, p);
	}
	dwfl_end(p->dwfl);
	free(p->changed);
	p->dwfl = b.dwfl;
	p->changed = b.changed;
	p->nchanged = b.nchanged;
	p->model_gen = v->gen;
	p->id.valid = false;
	p->taken_ns = now_ns();
	return p;
}

static const char *changed_obj(const struct proc *p, uint64_t pc)
{
	for (unsigned int i = 0; i < p->nchanged; i++)
		if (pc >= p->changed[i].start && pc < p->changed[i].end)
			return p->changed[i].obj;
	return NULL;
}

void symbolizer__set_debug_root(struct symbolizer *s, const char *dir)
{
	snprintf(s->debug_root, sizeof(s->debug_root), "%s", dir);
	lru__clear(s->procs);
}

void symbolizer__set_procmaps(struct symbolizer *s, struct procmaps *pm)
{
	s->pm = pm;
	lru__clear(s->procs); /* sessions built before may disagree with the model */
}

/*
 * The session for pid: the cached one, retaken if the pid now names another process (dropped
 * if that fails: its modules belong to someone else), or a new one. NULL if there is none.
 */
static struct proc *proc_get(struct symbolizer *s, uint32_t pid, int *err)
{
	struct proc *p = proc_lookup(s, pid);
	struct proc_id id;
	struct pm_view v;

	*err = 0;
	if (model_usable(s, pid, &v))
		return proc_get_model(s, p, pid, &v, err);
	if (!p) {
		*err = proc_create(s, pid, &p);
		return *err ? NULL : p;
	}
	if (!proc_identity(pid, &id) && !same_process(&id, &p->id)) {
		*err = proc_retake(s, p);
		if (*err) {
			lru__remove(s->procs, p);
			return NULL;
		}
	}
	lru__touch(s->procs, p);
	return p;
}

int symbolizer__snapshot(struct symbolizer *s, uint32_t pid)
{
	int err;

	proc_get(s, pid, &err);
	return err;
}

void symbolizer__forget(struct symbolizer *s, uint32_t pid)
{
	struct proc *p = proc_lookup(s, pid);

	if (p)
		lru__remove(s->procs, p);
}

void symbolizer__set_max_procs(struct symbolizer *s, unsigned int max)
{
	lru__set_limits(s->procs, max, UINT64_MAX); /* 0 taken as 1 */
}

unsigned int symbolizer__nr_procs(const struct symbolizer *s)
{
	return lru__count(s->procs);
}

/* ---- user frames ---- */

static const char *intern_name(struct symbolizer *s, const char *name)
{
	const char *ret;
	char *dem;
	int status;

	if (!name || !s->demangle || strncmp(name, "_Z", 2))
		return strpool__intern(s->pool, name);
	dem = s->demangle(name, NULL, NULL, &status);
	if (!dem || status)
		return strpool__intern(s->pool, name);
	ret = strpool__intern(s->pool, dem);
	free(dem);
	return ret;
}

/*
 * libdw joins a file name with its directory entry, but leaves it relative when that entry is
 * (DWARF 5 from gcc: "tests/unit/x.c"); such a name is relative to the CU's comp_dir. A relative
 * comp_dir (-fdebug-prefix-map, as Debian's libc has) is already in the name: keep it as it is.
 */
static const char *intern_path(struct symbolizer *s, Dwarf_Die *cu, const char *path)
{
	Dwarf_Attribute attr;
	const char *dir, *ret;
	char *full;

	if (!path || path[0] == '/' || !cu)
		return strpool__intern(s->pool, path);
	dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr));
	if (!dir || dir[0] != '/' || asprintf(&full, "%s/%s", dir, path) < 0)
		return strpool__intern(s->pool, path);
	ret = strpool__intern(s->pool, full);
	free(full);
	return ret;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name;

	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	return name;
}

/* Where the inlined instance die was called from. */
static void call_site(struct symbolizer *s, Dwarf_Die *die, const char **file, int *line)
{
	Dwarf_Attribute attr;
	Dwarf_Files *files;
	Dwarf_Word val;
	Dwarf_Die cu;
	size_t nfiles;

	*file = NULL;
	*line = 0;
	if (!dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &val))
		*line = val;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &val) ||
	    !dwarf_diecu(die, &cu, NULL, NULL) || dwarf_getsrcfiles(&cu, &files, &nfiles) ||
	    val >= nfiles)
		return;
	*file = intern_path(s, &cu, dwarf_filesrc(files, val, NULL, NULL));
}

/*
 * The function-like scopes around pc, innermost first, as physically nested (inlined
 * instances, then the subprogram). dwarf_getscopes follows an inlined instance into its
 * abstract origin, so the nesting is read again from the innermost DIE.
 */
static int func_scopes(Dwarf_Die *cu, Dwarf_Addr dwpc, Dwarf_Die **out)
{
	Dwarf_Die *scopes = NULL, *chain = NULL;
	int n, nfunc = 0;

	n = dwarf_getscopes(cu, dwpc, &scopes);
	if (n > 0)
		n = dwarf_getscopes_die(&scopes[0], &chain);
	free(scopes);
	for (int i = 0; i < n; i++) {
		int tag = dwarf_tag(&chain[i]);

		if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_subprogram ||
		    tag == DW_TAG_entry_point)
			chain[nfunc++] = chain[i];
	}
	if (!nfunc) {
		free(chain);
		chain = NULL;
	}
	*out = chain;
	return nfunc;
}

/* What one physical frame resolves to: its module, its ELF symbol, where pc is. */
struct uloc {
	uint64_t addr, pc;
	const char *obj;
	const char *file;
	int line;
};

static void line_at(struct symbolizer *s, Dwfl_Module *mod, Dwarf_Die *cu, struct uloc *u)
{
	Dwfl_Line *l = dwfl_module_getsrc(mod, u->pc);
	const char *file;

	if (!l)
		return;
	file = dwfl_lineinfo(l, NULL, &u->line, NULL, NULL, NULL);
	u->file = intern_path(s, cu, file);
}

/* Emit the inline frames for u, innermost first, leaving u at the outermost call site. False
 * when out is full. */
static bool push_inlines(struct symbolizer *s, Dwarf_Die *chain, int n, struct uloc *u,
			 struct stack *out)
{
	for (int i = 0; i < n && dwarf_tag(&chain[i]) == DW_TAG_inlined_subroutine; i++) {
		struct frame *f = push_frame(out, u->addr);

		if (!f)
			return false;
		f->sym = intern_name(s, die_name(&chain[i]));
		f->obj = u->obj;
		f->file = u->file;
		f->line = u->line;
		f->inlined = true;
		/* the next frame out is at this instance's call site */
		call_site(s, &chain[i], &u->file, &u->line);
	}
	return true;
}

static Dwarf_Die *outer_subprogram(Dwarf_Die *chain, int n)
{
	return n > 0 && dwarf_tag(&chain[n - 1]) != DW_TAG_inlined_subroutine ? &chain[n - 1] :
										 NULL;
}

static void push_physical(struct symbolizer *s, Dwfl_Module *mod, Dwarf_Die *subprogram,
			  Dwarf_Addr bias, struct uloc *u, struct stack *out)
{
	struct frame *f = push_frame(out, u->addr);
	const char *name;
	Dwarf_Addr entry;
	GElf_Off off;
	GElf_Sym sym;

	if (!f)
		return;
	f->obj = u->obj;
	f->file = u->file;
	f->line = u->line;
	name = dwfl_module_addrinfo(mod, u->pc, &off, &sym, NULL, NULL, NULL);
	if (name) {
		f->sym = intern_name(s, name);
		f->off = off + (u->addr - u->pc);
	} else if (subprogram) {
		/* no ELF symbol (stripped): DWARF still names the function */
		f->sym = intern_name(s, die_name(subprogram));
		if (!dwarf_entrypc(subprogram, &entry))
			f->off = u->addr - (entry + bias);
	}
}

/* The module's path as the process mapped it; libdwfl's "[vdso: PID]" becomes "[vdso]". */
static const char *module_name(struct symbolizer *s, Dwfl_Module *mod)
{
	const char *name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

	if (name && !strncmp(name, "[vdso", 5))
		name = "[vdso]";
	return strpool__intern(s->pool, name);
}

/* ---- files shared between processes ---- */

static void file_drop(void *ctx, void *entry, bool evicted)
{
	struct shared_file *f = entry;

	(void)ctx;
	(void)evicted;
	dwfl_end(f->dwfl);
}

void symbolizer__set_file_budget(struct symbolizer *s, uint64_t bytes)
{
	lru__set_limits(s->files, FILE_CACHE_MAX, bytes);
}

unsigned int symbolizer__nr_files(const struct symbolizer *s)
{
	return lru__count(s->files);
}

static uint64_t elf_weight(Elf *elf)
{
	uint64_t sum = 0;
	Elf_Scn *scn = NULL;

	while (elf && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		GElf_Chdr ch;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		sum += (sh.sh_flags & SHF_COMPRESSED) && gelf_getchdr(scn, &ch) ? ch.ch_size :
										   sh.sh_size;
	}
	return sum;
}

/* What a file's session may come to hold: its sections and its debug file's, decompressed. */
static uint64_t file_weight(Dwfl_Module *mod)
{
	Dwarf_Addr bias;
	Elf *main = dwfl_module_getelf(mod, &bias);
	Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
	Elf *debug = dw ? dwarf_getelf(dw) : NULL;

	return elf_weight(main) + (debug != main ? elf_weight(debug) : 0);
}

/* Open path's shared session and cache it under its build-id, which must be id if id is not
 * NULL; the least recently used files go to make room for it. NULL if it cannot be had. */
static struct shared_file *shared_file_open(struct symbolizer *s, const char *path,
					    const unsigned char *id, int idlen)
{
	const unsigned char *got;
	struct shared_file *f;
	Dwfl_Module *mod;
	GElf_Addr vaddr;
	Dwfl *dwfl;
	int gotlen;

	if (!path || path[0] != '/')
		return NULL;
	dwfl = dwfl_begin(&s->cb);
	if (!dwfl)
		return NULL;
	dwfl_report_begin(dwfl);
	/* at its link-time addresses: bias 0 */
	mod = dwfl_report_elf(dwfl, path, path, -1, 0, true);
	if (dwfl_report_end(dwfl, NULL, NULL) || !mod)
		goto fail;
	gotlen = dwfl_module_build_id(mod, &got, &vaddr);
	if (gotlen <= 0 || gotlen > BUILD_ID_MAX || (id && (gotlen != idlen ||
							    memcmp(got, id, idlen))))
		goto fail;
	f = lru__insert(s->files, got, gotlen, file_weight(mod));
	if (!f)
		goto fail;
	f->dwfl = dwfl;
	f->mod = mod;
	return f;
fail:
	dwfl_end(dwfl);
	return NULL;
}

/* The shared session of the file with this build-id, opened from path (checked to still have
 * it) if it is not cached yet. NULL if it cannot be had. */
static struct shared_file *shared_file(struct symbolizer *s, const unsigned char *id, int idlen,
				       const char *path)
{
	struct shared_file *f = lru__find(s->files, id, idlen);

	if (f) {
		lru__touch(s->files, f);
		return f;
	}
	return shared_file_open(s, path, id, idlen);
}

/* Where to look pc up: the shared session of mod's file, with *delta added to go from the
 * process's addresses to the file's; else mod itself (no build-id, or the file is gone). */
static Dwfl_Module *lookup_module(struct symbolizer *s, Dwfl_Module *mod, uint64_t *delta)
{
	const unsigned char *id;
	const char *mainfile = NULL;
	struct shared_file *f;
	GElf_Addr vaddr;
	Dwarf_Addr bias;
	int idlen;

	*delta = 0;
	if (!dwfl_module_getelf(mod, &bias))
		return mod;
	idlen = dwfl_module_build_id(mod, &id, &vaddr);
	if (idlen <= 0 || idlen > BUILD_ID_MAX)
		return mod;
	dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
	f = shared_file(s, id, idlen, mainfile);
	if (!f)
		return mod;
	*delta = -bias;
	return f->mod;
}

/* The frames of u, in mod's own addresses: its inline frames, then the physical one. */
static void file_frames(struct symbolizer *s, Dwfl_Module *mod, struct uloc *u,
			struct stack *out)
{
	Dwarf_Die *cu, *chain = NULL;
	Dwarf_Addr bias = 0;
	int n = 0;

	cu = dwfl_module_addrdie(mod, u->pc, &bias);
	line_at(s, mod, cu, u);
	if (cu)
		n = func_scopes(cu, u->pc - bias, &chain);
	if (push_inlines(s, chain, n, u, out))
		push_physical(s, mod, outer_subprogram(chain, n), bias, u, out);
	free(chain);
}

static void user_frames(struct symbolizer *s, Dwfl_Module *pmod, struct uloc *u,
			struct stack *out)
{
	Dwfl_Module *mod;
	unsigned int first = out->n;
	uint64_t delta;

	if (!pmod) {
		push_frame(out, u->addr);
		return;
	}
	u->obj = module_name(s, pmod);
	mod = lookup_module(s, pmod, &delta);
	/* in the file's addresses from here on; the frames get the process's back below */
	u->addr += delta;
	u->pc += delta;
	file_frames(s, mod, u, out);
	for (unsigned int i = first; i < out->n; i++)
		out->frames[i].addr -= delta;
}

/* dwfl_addrmodule also answers for addresses past the highest module: check the bounds. */
Dwfl_Module *symbolizer__module_at(Dwfl *dwfl, uint64_t pc)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
	Dwarf_Addr start, end;

	if (!mod || !dwfl_module_info(mod, NULL, &start, &end, NULL, NULL, NULL, NULL) ||
	    pc < start || pc >= end)
		return NULL;
	return mod;
}

/* Modules missing an address: maybe mapped after the snapshot (dlopen). Retake it if alive. */
static Dwfl_Module *addrmodule(struct symbolizer *s, struct proc *p, uint64_t pc, bool *retaken)
{
	Dwfl_Module *mod = symbolizer__module_at(p->dwfl, pc);

	/* the model follows mmap: a session built from it needs no refresh */
	if (mod || *retaken || p->model_gen || now_ns() - p->taken_ns < REFRESH_NS)
		return mod;
	*retaken = true;
	if (proc_retake(s, p))
		return NULL;
	return symbolizer__module_at(p->dwfl, pc);
}

/* exact[i]: addrs[i] is looked up as is; NULL: only the innermost one is. */
static void user_stack(struct symbolizer *s, uint32_t pid, const uint64_t *addrs,
		       const bool *exact, unsigned int n, struct stack *out)
{
	bool retaken = false;
	struct proc *p = NULL;
	int err;

	out->n = 0;
	if (n)
		p = proc_get(s, pid, &err);
	for (unsigned int i = 0; i < n; i++) {
		struct uloc u = { .addr = addrs[i],
				  .pc = exact && exact[i] ? addrs[i] : lookup_pc(addrs[i], i || exact) };

		if (out->n >= STACK_CAP) {
			out->truncated = true;
			break;
		}
		unsigned int before = out->n;
		Dwfl_Module *mod = p ? addrmodule(s, p, u.pc, &retaken) : NULL;

		user_frames(s, mod, &u, out);
		if (!mod && p && out->n == before + 1)
			out->frames[before].obj = changed_obj(p, u.pc);
	}
}

void symbolizer__warm_libc(struct symbolizer *s)
{
	struct stack *st;
	struct shared_file *f;
	struct uloc u = {};
	Dl_info info;

	/* A static binary has no shared C library to share. Straight to the file's shared
	 * session, by the path it was loaded from: no process session, no mapping model. */
	if (!getauxval(AT_BASE) || !dladdr((void *)&getpid, &info) || !info.dli_fname ||
	    !(f = shared_file_open(s, info.dli_fname, NULL, 0)))
		return;
	/* a symbol, a line and its scopes read now: what the first event would wait for */
	u.addr = u.pc = (uintptr_t)&getpid - (uintptr_t)info.dli_fbase;
	st = malloc(sizeof(*st));
	if (st) {
		st->n = 0;
		file_frames(s, f->mod, &u, st);
	}
	free(st);
}

void symbolizer__user_stack(struct symbolizer *s, uint32_t pid, const uint64_t *addrs,
			    unsigned int n, struct stack *out)
{
	user_stack(s, pid, addrs, NULL, n, out);
}

void symbolizer__user_pcs(struct symbolizer *s, uint32_t pid, const uint64_t *pcs,
			  const bool *exact, unsigned int n, struct stack *out)
{
	user_stack(s, pid, pcs, exact, n, out);
}

Dwfl *symbolizer__user_dwfl(struct symbolizer *s, uint32_t pid, uint64_t pc)
{
	bool retaken = false;
	struct proc *p;
	int err;

	p = proc_get(s, pid, &err);
	if (!p)
		return NULL;
	addrmodule(s, p, pc, &retaken);
	return p->dwfl;
}

/* ---- lifetime ---- */

static bool exists(const char *dir, const char *sub, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s%s%s", dir, sub, name) >= (int)sizeof(path))
		return true; /* cannot tell: let libdw look */
	return !stat(path, &st);
}

/*
 * Is there a file libdw's standard lookup would find, with its default path (":.debug:
 * /usr/lib/debug"): DEBUG/.build-id/xx/rest.debug, or the debuglink name (else FILE.debug)
 * beside the file, in its .debug/, or under /usr/lib/debug?
 */
static bool debug_file_may_exist(Dwfl_Module *mod, const char *file_name,
				 const char *debuglink_file)
{
	char dir[PATH_MAX], name[NAME_MAX + 8], hex[2 * BUILD_ID_MAX + 8];
	const unsigned char *id;
	const char *base;
	GElf_Addr vaddr;
	int idlen, len = 0;

	idlen = dwfl_module_build_id(mod, &id, &vaddr);
	if (idlen > 0 && idlen <= BUILD_ID_MAX) {
		len = snprintf(hex, sizeof(hex), "%02x/", id[0]);
		for (int i = 1; i < idlen; i++)
			len += snprintf(hex + len, sizeof(hex) - len, "%02x", id[i]);
		snprintf(hex + len, sizeof(hex) - len, ".debug");
		if (exists("/usr/lib/debug/.build-id/", "", hex))
			return true;
	}
	/* a .gnu_debugaltlink (no CRC) or an absolute link: left to libdw as they come */
	if (debuglink_file && (debuglink_file[0] == '/' || strchr(debuglink_file, '/')))
		return true;
	if (!file_name || !(base = strrchr(file_name, '/')))
		return true;
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - file_name + 1), file_name);
	if (debuglink_file)
		snprintf(name, sizeof(name), "%s", debuglink_file);
	else
		snprintf(name, sizeof(name), "%s.debug", base + 1);
	return exists(dir, "", name) || exists(dir, ".debug/", name) ||
	       exists("/usr/lib/debug", dir, name);
}

/*
 * libdw's standard lookup (build-id, then .gnu_debuglink), run only when a file it would look
 * for exists: when it finds none, elfutils 0.188 dlopens libdebuginfod as a last resort, even
 * with DEBUGINFOD_URLS unset, which maps libcurl, GnuTLS and libcrypto into the tracer (8 MiB
 * resident) for the first binary without debug info.
 */
static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			  GElf_Addr base, const char *file_name, const char *debuglink_file,
			  GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	if (!debug_file_may_exist(mod, file_name, debuglink_file))
		return -1;
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name,
					    debuglink_file, debuglink_crc, debuginfo_file_name);
}

/*
 * C++ names: __cxa_demangle from libstdc++ if the system has it, loaded at run time so the
 * binary needs no C++ runtime. Not in a static binary (no dynamic loader, AT_BASE 0): a
 * dlopen()ed libstdc++ would bring its own libc, whose malloc'd result we could not free.
 */
static void load_demangler(struct symbolizer *s)
{
	if (!getauxval(AT_BASE))
		return;
	s->cxx_handle = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
	if (s->cxx_handle)
		s->demangle = (demangle_fn)dlsym(s->cxx_handle, "__cxa_demangle");
}

struct symbolizer *symbolizer__new(void)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->pool = strpool__new();
	if (!s->pool) {
		free(s);
		return NULL;
	}
	s->procs = lru__new(sizeof(struct proc), PROC_BUCKETS, proc_drop, s);
	s->files = lru__new(sizeof(struct shared_file), FILE_BUCKETS, file_drop, s);
	if (!s->procs || !s->files) {
		symbolizer__free(s);
		return NULL;
	}
	lru__set_limits(s->procs, SYMBOLIZER_MAX_PROCS, UINT64_MAX);
	lru__set_limits(s->files, FILE_CACHE_MAX, FILE_CACHE_BYTES);
	strcpy(s->debug_root, "/usr/lib/debug");
	s->cb.find_elf = find_elf;
	s->cb.find_debuginfo = find_debuginfo;
	s->cb.debuginfo_path = &s->debuginfo_path;
	/* libdwfl would otherwise download missing debug info, stalling every event behind it */
	unsetenv("DEBUGINFOD_URLS");
	load_demangler(s);
	return s;
}

void symbolizer__free(struct symbolizer *s)
{
	if (!s)
		return;
	lru__free(s->procs);
	lru__free(s->files);
	if (s->cxx_handle)
		dlclose(s->cxx_handle);
	strpool__free(s->pool);
	free(s);
}
