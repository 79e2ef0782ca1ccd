// SPDX-License-Identifier: GPL-2.0
/*
 * The process mapping model. Each process holds a reference to a sorted set of executable file
 * mappings; fork shares the parent's set and the first change after it copies (a fork storm
 * copies nothing). Records come from one PERF_COUNT_SW_DUMMY event per CPU (what `perf record`
 * uses to follow mappings): the kernel reports only executable mappings without mmap_data, so
 * the cost is a few records per exec, none per page fault or anonymous mmap. munmap is not
 * reported; a later mapping over the same range replaces what it overlaps.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "lru.h"
#include "procmaps.h"

#define PROC_BUCKETS 4096
#define RING_PAGES 64 /* per CPU: 256 KiB, ~300 process starts per ms of backlog */

struct pm_set {
	unsigned int ref, n, cap;
	struct pm_map *maps; /* paths malloc'd, one per map */
};

struct pm_proc {
	uint32_t pid;
	bool alive;
	bool complete; /* seen from its start (fork/exec) or read from /proc */
	uint64_t gen, exit_ns;
	struct pm_set *set;
	struct pm_proc *dprev, *dnext; /* dead, in exit order */
};

struct pm_ring {
	int fd;
	struct perf_event_mmap_page *meta;
	char *data;
	uint64_t head, tail;
	void *copy; /* a record that wraps around the ring's end, made contiguous */
	size_t copy_cap;
};

struct procmaps {
	struct pm_limits lim;
	struct lru *procs; /* struct pm_proc by pid, bounded by max_procs */
	struct pm_proc *dead_head, *dead_tail;
	uint64_t gen_seq;
	struct pm_stats st;
	struct pm_ring *rings;
	unsigned int nrings;
	size_t data_size, page_size;
};

/* ---- mapping sets ---- */

static struct pm_set *set_new(void)
{
	struct pm_set *s = calloc(1, sizeof(*s));

	if (s)
		s->ref = 1;
	return s;
}

static void set_put(struct pm_set *s)
{
	if (!s || --s->ref)
		return;
	for (unsigned int i = 0; i < s->n; i++)
		free((char *)s->maps[i].path);
	free(s->maps);
	free(s);
}

static int set_reserve(struct pm_set *s, unsigned int n)
{
	struct pm_map *maps;
	unsigned int cap;

	if (n <= s->cap)
		return 0;
	cap = s->cap ? 2 * s->cap : 16;
	while (cap < n)
		cap *= 2;
	maps = realloc(s->maps, cap * sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	s->maps = maps;
	s->cap = cap;
	return 0;
}

/* Insert a copy of m at index i (path duplicated). */
static int set_insert_at(struct pm_set *s, unsigned int i, const struct pm_map *m)
{
	char *path = strdup(m->path);

	if (!path || set_reserve(s, s->n + 1)) {
		free(path);
		return -ENOMEM;
	}
	memmove(&s->maps[i + 1], &s->maps[i], (s->n - i) * sizeof(*s->maps));
	s->maps[i] = *m;
	s->maps[i].path = path;
	s->n++;
	return 0;
}

static struct pm_set *set_clone(const struct pm_set *src)
{
	struct pm_set *s = set_new();

	if (!s)
		return NULL;
	for (unsigned int i = 0; i < src->n; i++)
		if (set_insert_at(s, i, &src->maps[i])) {
			set_put(s);
			return NULL;
		}
	return s;
}

static void set_remove_at(struct pm_set *s, unsigned int i)
{
	free((char *)s->maps[i].path);
	memmove(&s->maps[i], &s->maps[i + 1], (s->n - i - 1) * sizeof(*s->maps));
	s->n--;
}

/* Cut [start, end) out of every mapping, as a new mmap over it does (MAP_FIXED semantics). */
static int set_punch(struct pm_set *s, uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < s->n;) {
		struct pm_map *m = &s->maps[i];

		if (m->end <= start || m->start >= end) {
			i++;
			continue;
		}
		if (m->start < start && m->end > end) {
			/* split: the tail after the hole becomes its own mapping */
			struct pm_map tail = *m;

			tail.pgoff += end - m->start;
			tail.start = end;
			m->end = start;
			return set_insert_at(s, i + 1, &tail);
		}
		if (m->start < start) {
			m->end = start;
			i++;
		} else if (m->end > end) {
			m->pgoff += end - m->start;
			m->start = end;
			i++;
		} else {
			set_remove_at(s, i);
		}
	}
	return 0;
}

static unsigned int set_lower_bound(const struct pm_set *s, uint64_t start)
{
	unsigned int lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (s->maps[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- processes ---- */

static struct pm_proc *lookup(struct procmaps *pm, uint32_t pid)
{
	return lru__find(pm->procs, &pid, sizeof(pid));
}

static bool dead_listed(struct procmaps *pm, struct pm_proc *p)
{
	return p->dprev || pm->dead_head == p;
}

static void dead_unlink(struct procmaps *pm, struct pm_proc *p)
{
	if (!dead_listed(pm, p))
		return;
	if (p->dprev)
		p->dprev->dnext = p->dnext;
	else
		pm->dead_head = p->dnext;
	if (p->dnext)
		p->dnext->dprev = p->dprev;
	else
		pm->dead_tail = p->dprev;
	p->dprev = p->dnext = NULL;
}

/* The cache lets p go: expired, pushed out by max_procs (counted if alive), or at the end. */
static void proc_drop(void *ctx, void *entry, bool evicted)
{
	struct procmaps *pm = ctx;
	struct pm_proc *p = entry;

	if (evicted && p->alive)
		pm->st.evicted++;
	dead_unlink(pm, p);
	pm->st.maps -= p->set ? p->set->n : 0;
	set_put(p->set);
}

/* Free the dead whose time is up: their events are all older than their exit. */
static void expire(struct procmaps *pm, uint64_t now_ns)
{
	while (pm->dead_head && pm->dead_head->exit_ns + pm->lim.dead_keep_ns < now_ns)
		lru__remove(pm->procs, pm->dead_head);
}

/* pid's entry, made empty for a new process image (fork, exec, /proc) if fresh is set. */
static struct pm_proc *proc_at(struct procmaps *pm, uint32_t pid, bool fresh)
{
	struct pm_proc *p = lookup(pm, pid);

	if (p) {
		lru__touch(pm->procs, p);
		if (fresh) {
			pm->st.maps -= p->set ? p->set->n : 0;
			set_put(p->set);
			p->set = NULL;
			p->complete = false;
		}
	} else {
		/* the least recently used goes beyond max_procs: any pm_proc held may be gone */
		p = lru__insert(pm->procs, &pid, sizeof(pid), 0);
		if (!p)
			return NULL;
		p->pid = pid;
	}
	p->alive = true;
	dead_unlink(pm, p);
	p->gen = ++pm->gen_seq;
	return p;
}

/* p's set, its own (copied if shared with a fork relative), created if missing. */
static struct pm_set *own_set(struct pm_proc *p)
{
	struct pm_set *s;

	if (p->set && p->set->ref == 1)
		return p->set;
	s = p->set ? set_clone(p->set) : set_new();
	if (!s)
		return NULL;
	set_put(p->set);
	p->set = s;
	return s;
}

void procmaps__mmap(struct procmaps *pm, uint64_t ts_ns, uint32_t pid, const struct pm_map *m)
{
	struct pm_proc *p;
	struct pm_set *s;
	unsigned int before;

	expire(pm, ts_ns);
	if (m->end <= m->start || !m->path)
		return;
	p = proc_at(pm, pid, false);
	if (!p || !(s = own_set(p)))
		return;
	before = s->n;
	if (set_punch(s, m->start, m->end))
		goto out;
	if (s->n >= pm->lim.max_maps) {
		pm->st.maps_dropped++;
		goto out;
	}
	set_insert_at(s, set_lower_bound(s, m->start), m);
out:
	pm->st.maps += s->n - before;
}

void procmaps__fork(struct procmaps *pm, uint64_t ts_ns, uint32_t pid, uint32_t ppid)
{
	struct pm_proc *parent, *p;

	expire(pm, ts_ns);
	if (pid == ppid) /* a thread */
		return;
	p = proc_at(pm, pid, true);
	if (!p)
		return;
	parent = lookup(pm, ppid);
	if (parent && parent->set) {
		p->set = parent->set;
		p->set->ref++;
		pm->st.maps += p->set->n;
	}
	/* a parent we never saw leaves the child unknown until it execs */
	p->complete = parent && parent->complete;
}

void procmaps__exec(struct procmaps *pm, uint64_t ts_ns, uint32_t pid)
{
	struct pm_proc *p;

	expire(pm, ts_ns);
	p = proc_at(pm, pid, true);
	if (p)
		p->complete = true;
}

void procmaps__exit(struct procmaps *pm, uint64_t ts_ns, uint32_t pid)
{
	struct pm_proc *p;

	expire(pm, ts_ns); /* first: it may free pid's entry */
	p = lookup(pm, pid);
	if (!p || !p->alive)
		return;
	p->alive = false;
	p->exit_ns = ts_ns;
	p->dprev = pm->dead_tail;
	p->dnext = NULL;
	if (pm->dead_tail)
		pm->dead_tail->dnext = p;
	else
		pm->dead_head = p;
	pm->dead_tail = p;
}

bool procmaps__get(struct procmaps *pm, uint32_t pid, struct pm_view *out)
{
	struct pm_proc *p = lookup(pm, pid);

	memset(out, 0, sizeof(*out));
	/* incomplete: a live process is better read from /proc; a dead one gives what we have */
	if (!p || (!p->complete && p->alive))
		return false;
	lru__touch(pm->procs, p);
	if (p->set) {
		out->maps = p->set->maps;
		out->n = p->set->n;
	}
	out->alive = p->alive;
	out->gen = p->gen;
	return true;
}

/* ---- /proc ---- */

/* "start-end perms offset maj:min inode   path": executable, file-backed lines only. */
static bool parse_maps_line(char *line, struct pm_map *m)
{
	unsigned long long start, end, off, ino;
	unsigned int maj, min;
	char perms[8];
	int pos = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off, &maj, &min,
		   &ino, &pos) < 7 || !pos)
		return false;
	if (strlen(perms) < 3 || perms[2] != 'x' || line[pos] != '/')
		return false;
	line[strcspn(line, "\n")] = '\0';
	*m = (struct pm_map){ .start = start, .end = end, .pgoff = off, .path = line + pos,
			      .maj = maj, .min = min, .ino = ino };
	return true;
}

int procmaps__load_maps(struct procmaps *pm, uint64_t ts_ns, uint32_t pid, const char *text)
{
	struct pm_proc *p;
	char *copy, *line, *save = NULL;
	struct pm_map m;

	expire(pm, ts_ns);
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	p = proc_at(pm, pid, true);
	if (!p) {
		free(copy);
		return -ENOMEM;
	}
	p->complete = true;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (parse_maps_line(line, &m))
			procmaps__mmap(pm, ts_ns, pid, &m);
	free(copy);
	return 0;
}

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int procmaps__seed(struct procmaps *pm, uint32_t pid)
{
	size_t len = 0, cap = 16384;
	char path[64], *buf = malloc(cap);
	ssize_t n;
	int fd, err;

	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
	}
	err = n < 0 ? -errno : 0;
	close(fd);
	buf[len] = '\0';
	/* a kernel thread has an empty maps file: nothing to keep */
	if (!err && len) {
		err = procmaps__load_maps(pm, boot_ns(), pid, buf);
		pm->st.seeded += !err;
	}
	free(buf);
	return err;
}

unsigned int procmaps__seed_all(struct procmaps *pm)
{
	uint64_t before = pm->st.seeded;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]))
			procmaps__seed(pm, strtoul(de->d_name, NULL, 10));
	closedir(d);
	return pm->st.seeded - before;
}

/* ---- the kernel's records ---- */

struct rec_task { /* FORK, EXIT */
	struct perf_event_header h;
	uint32_t pid, ppid, tid, ptid;
	uint64_t time;
};

struct rec_comm {
	struct perf_event_header h;
	uint32_t pid, tid;
	char comm[];
};

struct rec_mmap2 {
	struct perf_event_header h;
	uint32_t pid, tid;
	uint64_t addr, len, pgoff;
	union {
		struct {
			uint32_t maj, min;
			uint64_t ino, ino_generation;
		};
		struct {
			uint8_t build_id_size, res1;
			uint16_t res2;
			uint8_t build_id[20];
		};
	};
	uint32_t prot, flags;
	char filename[];
};

struct rec_lost {
	struct perf_event_header h;
	uint64_t id, lost;
};

/* sample_id_all with TID|TIME: every record ends with { u32 pid, tid; u64 time; }. */
#define REC_TRAILER 16

static uint64_t rec_time(const struct perf_event_header *h)
{
	uint64_t t;

	memcpy(&t, (const char *)h + h->size - 8, sizeof(t));
	return t;
}

static void apply_mmap2(struct procmaps *pm, uint64_t ts, const struct rec_mmap2 *r)
{
	size_t room = r->h.size - sizeof(*r) - REC_TRAILER;
	struct pm_map m = { .start = r->addr, .end = r->addr + r->len, .pgoff = r->pgoff };
	char path[4096];
	size_t len;

	if (r->h.size < sizeof(*r) + REC_TRAILER || !(r->prot & PROT_EXEC))
		return;
	len = strnlen(r->filename, room);
	/* "//anon" (JIT code), "[vdso]", "[uprobes]": no file to read symbols from */
	if (!len || len >= sizeof(path) || r->filename[0] != '/' || r->filename[1] == '/')
		return;
	memcpy(path, r->filename, len);
	path[len] = '\0';
	m.path = path;
	if (r->h.misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
		m.build_id_len = r->build_id_size < PM_BUILD_ID_MAX ? r->build_id_size :
								       PM_BUILD_ID_MAX;
		memcpy(m.build_id, r->build_id, m.build_id_len);
	} else {
		m.maj = r->maj;
		m.min = r->min;
		m.ino = r->ino;
	}
	procmaps__mmap(pm, ts, r->pid, &m);
}

static void apply(struct procmaps *pm, const struct perf_event_header *h)
{
	uint64_t ts = rec_time(h);
	const struct rec_task *t = (const void *)h;

	pm->st.records++;
	switch (h->type) {
	case PERF_RECORD_MMAP2:
		apply_mmap2(pm, ts, (const void *)h);
		break;
	case PERF_RECORD_COMM:
		if (h->misc & PERF_RECORD_MISC_COMM_EXEC && h->size >= sizeof(struct rec_comm))
			procmaps__exec(pm, ts, ((const struct rec_comm *)h)->pid);
		break;
	case PERF_RECORD_FORK:
		if (h->size >= sizeof(*t))
			procmaps__fork(pm, ts, t->pid, t->ppid);
		break;
	case PERF_RECORD_EXIT:
		/* the process, not one of its threads */
		if (h->size >= sizeof(*t) && t->pid == t->tid)
			procmaps__exit(pm, ts, t->pid);
		break;
	case PERF_RECORD_LOST:
		if (h->size >= sizeof(struct rec_lost))
			pm->st.lost += ((const struct rec_lost *)h)->lost;
		break;
	default:
		break;
	}
}

/* The ring's next record, contiguous (copied if it wraps), or NULL if there is none. */
static const struct perf_event_header *ring_peek(struct pm_ring *r, size_t size)
{
	const struct perf_event_header *h;
	size_t off, first;

	for (;;) {
		if (r->tail >= r->head)
			return NULL;
		off = r->tail & (size - 1);
		h = (const void *)(r->data + off);
		if (h->size < sizeof(*h) || h->size > r->head - r->tail) {
			r->tail = r->head; /* cannot be walked: drop what is there */
			return NULL;
		}
		if (h->size >= sizeof(*h) + REC_TRAILER)
			break;
		r->tail += h->size; /* no timestamp: not one of ours */
	}
	if (off + h->size <= size)
		return h;
	if (r->copy_cap < h->size) {
		void *c = realloc(r->copy, h->size);

		if (!c)
			return NULL;
		r->copy = c;
		r->copy_cap = h->size;
	}
	first = size - off;
	memcpy(r->copy, h, first);
	memcpy((char *)r->copy + first, r->data, h->size - first);
	return r->copy;
}

void procmaps__advance(struct procmaps *pm, uint64_t until_ns)
{
	for (unsigned int i = 0; i < pm->nrings; i++)
		pm->rings[i].head = __atomic_load_n(&pm->rings[i].meta->data_head,
						    __ATOMIC_ACQUIRE);
	/* merge the CPUs' records by time: a fork on one CPU precedes the child's exec on
	 * another */
	for (;;) {
		const struct perf_event_header *best = NULL;
		struct pm_ring *from = NULL;

		for (unsigned int i = 0; i < pm->nrings; i++) {
			const struct perf_event_header *h =
				ring_peek(&pm->rings[i], pm->data_size);

			if (h && rec_time(h) <= until_ns &&
			    (!best || rec_time(h) < rec_time(best))) {
				best = h;
				from = &pm->rings[i];
			}
		}
		if (!best)
			break;
		apply(pm, best);
		from->tail += best->size;
	}
	for (unsigned int i = 0; i < pm->nrings; i++)
		__atomic_store_n(&pm->rings[i].meta->data_tail, pm->rings[i].tail,
				 __ATOMIC_RELEASE);
	expire(pm, until_ns);
}

static int perf_open(int cpu, bool build_id)
{
	struct perf_event_attr a = {
		.size = sizeof(a),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_DUMMY,
		.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME,
		.mmap = 1,
		.mmap2 = 1,
		.comm = 1,
		.comm_exec = 1,
		.task = 1,
		.sample_id_all = 1,
		.use_clockid = 1,
		.clockid = CLOCK_BOOTTIME, /* the clock of the BPF events' ts_ns */
		.build_id = build_id,
		.watermark = 1,
		.wakeup_watermark = RING_PAGES * 4096 / 2, /* we poll; wake nobody early */
	};
	int fd = syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int procmaps__open_perf(struct procmaps *pm)
{
	int ncpus = libbpf_num_possible_cpus();
	bool build_id = true;
	int err = -ENODEV;

	if (ncpus <= 0)
		return ncpus ? ncpus : -ENODEV;
	pm->rings = calloc(ncpus, sizeof(*pm->rings));
	if (!pm->rings)
		return -ENOMEM;
	pm->page_size = sysconf(_SC_PAGESIZE);
	pm->data_size = RING_PAGES * pm->page_size;
	for (int cpu = 0; cpu < ncpus; cpu++) {
		struct pm_ring *r = &pm->rings[pm->nrings];
		void *base;
		int fd = perf_open(cpu, build_id);

		/* build_id needs 5.12: without it the records name the inode instead */
		if (fd == -EINVAL && build_id) {
			build_id = false;
			fd = perf_open(cpu, false);
		}
		if (fd == -ENODEV) /* an offline CPU */
			continue;
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		base = mmap(NULL, pm->page_size + pm->data_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);
		if (base == MAP_FAILED) {
			err = -errno;
			close(fd);
			goto fail;
		}
		r->fd = fd;
		r->meta = base;
		r->data = (char *)base + pm->page_size;
		pm->nrings++;
	}
	if (!pm->nrings)
		goto fail;
	vlog("mappings: perf dummy events on %u CPUs%s", pm->nrings,
	     build_id ? ", with build-ids" : ", without build-ids (kernel < 5.12)");
	return 0;
fail:
	while (pm->nrings) {
		struct pm_ring *r = &pm->rings[--pm->nrings];

		munmap(r->meta, pm->page_size + pm->data_size);
		close(r->fd);
	}
	free(pm->rings);
	pm->rings = NULL;
	return err;
}

bool procmaps__has_perf(const struct procmaps *pm)
{
	return pm->nrings > 0;
}

/* ---- lifetime ---- */

struct procmaps *procmaps__new(const struct pm_limits *lim)
{
	struct procmaps *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return NULL;
	pm->lim = (struct pm_limits){ PM_DEFAULT_MAX_PROCS, PM_DEFAULT_MAX_MAPS,
				      PM_DEFAULT_DEAD_KEEP_NS };
	if (lim)
		pm->lim = *lim;
	if (!pm->lim.max_procs)
		pm->lim.max_procs = 1;
	pm->procs = lru__new(sizeof(struct pm_proc), PROC_BUCKETS, proc_drop, pm);
	if (!pm->procs) {
		free(pm);
		return NULL;
	}
	lru__set_limits(pm->procs, pm->lim.max_procs, UINT64_MAX);
	return pm;
}

void procmaps__stats(const struct procmaps *pm, struct pm_stats *st)
{
	*st = pm->st;
	st->procs = lru__count(pm->procs);
}

void procmaps__free(struct procmaps *pm)
{
	if (!pm)
		return;
	lru__free(pm->procs);
	for (unsigned int i = 0; i < pm->nrings; i++) {
		munmap(pm->rings[i].meta, pm->page_size + pm->data_size);
		close(pm->rings[i].fd);
		free(pm->rings[i].copy);
	}
	free(pm->rings);
	free(pm);
}
