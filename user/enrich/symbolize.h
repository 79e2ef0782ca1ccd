/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A process's addresses to frames through elfutils libdw (ELF symbols, DWARF file:line and
 * inline frames where debug info exists; the kernel's: user/load/kallsyms.h). Strings in the
 * returned frames are interned and live until symbolizer__free(), whatever is forgotten or
 * evicted before. Not thread-safe: one thread drives a symbolizer.
 */
#ifndef ALLOCFAIL_SYMBOLIZE_H
#define ALLOCFAIL_SYMBOLIZE_H

#include <elfutils/libdwfl.h>
#include <stdint.h>
#include "event.h"

/* Processes whose state is cached at once by default; the least recently used goes first. */
#define SYMBOLIZER_MAX_PROCS 256

struct symbolizer;

/* NULL if out of memory. Unsets DEBUGINFOD_URLS: symbolizing must never wait on the network. */
struct symbolizer *symbolizer__new(void);
void symbolizer__free(struct symbolizer *s); /* NULL-safe */

/*
 * Both stack functions overwrite out->n and out->frames[]. They set out->truncated when the
 * frames (inline ones included) do not fit in out->frames[], and otherwise leave it as it was,
 * so a capture limit the decoder already recorded there stays. An address that cannot be
 * resolved gives a frame with only addr set (sym, obj, file NULL): nothing is guessed.
 * frame.off is addr - symbol start, 0 for inline frames and unknown symbols.
 */

/* Read the symbols and debug info of the C library this process runs on now, from the file it
 * was loaded from (no process session, no mapping model: another thread may drive those two
 * until this returns): most processes share it, and reading it takes the first event a few
 * hundred ms otherwise. */
void symbolizer__warm_libc(struct symbolizer *s);

/* Fill out->frames from raw user addresses of process pid (innermost first). Inline frames are
 * expanded where DWARF has them, innermost first, each with the file:line of its call site;
 * the physical frame comes after its inline frames. A return address is looked up at addr - 1
 * (except the innermost frame) so the call site, not the next line, is reported. Uses the
 * pid's snapshot, taking one now if there is none; a snapshot is retaken if the pid now names
 * another process (pid reuse or exec). */
void symbolizer__user_stack(struct symbolizer *s, uint32_t pid, const uint64_t *addrs,
			    unsigned int n, struct stack *out);

/* The same for unwound program counters: exact[i] says pcs[i] is where the thread was (the
 * innermost frame, one a signal interrupted), else it is a return address, looked up at - 1. */
void symbolizer__user_pcs(struct symbolizer *s, uint32_t pid, const uint64_t *pcs,
			  const bool *exact, unsigned int n, struct stack *out);

/* The libdwfl session of pid, its modules reported, for the DWARF unwinder (user/enrich/unwind.h).
 * A snapshot older than a second that has no module at pc (the innermost instruction) is
 * retaken first, if the process lives. NULL if there is none. Valid until the next call for
 * this pid. */
Dwfl *symbolizer__user_dwfl(struct symbolizer *s, uint32_t pid, uint64_t pc);

/* The module of dwfl that really contains pc (dwfl_addrmodule alone also answers for addresses
 * past the highest module), or NULL. */
Dwfl_Module *symbolizer__module_at(Dwfl *dwfl, uint64_t pc);

struct procmaps;

/* Build a process's session from the mapping model (user/enrich/procmaps.h) whenever the model knows
 * the process, so one that exited before its event was read is still symbolized: its files
 * are opened by the paths the kernel reported and checked against the build-id (or inode)
 * the kernel saw; one gone or replaced since is read from its separate debug file by build-id
 * (DIR/.build-id/xx/yyyy.debug), if there is one, else its frames stay unresolved (a replaced
 * one's with obj "PATH [changed]").
 * Without a model, or for a process it does not know, sessions come from /proc. pm stays the
 * caller's and must outlive s. */
void symbolizer__set_procmaps(struct symbolizer *s, struct procmaps *pm);

/* Where debug files are looked up by build-id for files gone or replaced (DIR/.build-id/...);
 * default /usr/lib/debug. */
void symbolizer__set_debug_root(struct symbolizer *s, const char *dir);

/* Read the process's mappings now, while it lives (e.g. when first seen), and open its ELF
 * files, so it can be symbolized after it exits. Idempotent while the pid names the same
 * process. 0, or -errno (-ENOENT: no such process). */
int symbolizer__snapshot(struct symbolizer *s, uint32_t pid);

/* The process exited: drop its per-process state. Frames handed out before stay valid. */
void symbolizer__forget(struct symbolizer *s, uint32_t pid);

/* Cap the number of cached processes (default SYMBOLIZER_MAX_PROCS, at least 1), evicting the
 * least recently used beyond it. */
void symbolizer__set_max_procs(struct symbolizer *s, unsigned int max);

/* Number of processes cached now. */
unsigned int symbolizer__nr_procs(const struct symbolizer *s);

/* Cap the bytes the per-file sessions (shared by the processes that map a file) may hold, by
 * their files' decompressed sections (default 32 MiB); the most recent file stays whatever its
 * size. Evicts the least recently used beyond it. */
void symbolizer__set_file_budget(struct symbolizer *s, uint64_t bytes);

/* Number of files whose sessions are cached now. */
unsigned int symbolizer__nr_files(const struct symbolizer *s);

#endif
