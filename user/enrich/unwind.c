// SPDX-License-Identifier: GPL-2.0
/*
 * libdwfl unwinds a thread through Dwfl_Thread_Callbacks: here the thread is the one the failure
 * stopped, its registers and stack the copy BPF made. Memory inside the copy comes from it,
 * read-only segments of the modules from their files (as mapped, so the same bytes), anything
 * else is unknown: the stack then ends there, and why is said.
 */
#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <string.h>
#include "symbolize.h"
#include "unwind.h"

/*
 * The unwinding in progress. libdwfl keeps the callbacks' argument for the Dwfl's lifetime,
 * which may outlast any handle of ours, so the callbacks find their job here instead.
 */
static __thread struct job {
	uint32_t tid;
	const struct af_utail *t;
	struct unwound *out;
	Dwfl *dwfl;
	bool read_past_copy; /* a read above the copied bytes failed while unwinding this frame */
	bool stopped;	     /* the frame callback ended the walk, out->end says why */
} *job;

/* A word of a module's read-only loaded segment, from its file: what the process has there. */
static bool read_module(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result)
{
	Dwfl_Module *mod = symbolizer__module_at(dwfl, addr);
	GElf_Addr bias, va;
	size_t phnum, size;
	const char *image;
	GElf_Phdr ph;
	Elf *elf;

	if (!mod || !(elf = dwfl_module_getelf(mod, &bias)) || elf_getphdrnum(elf, &phnum))
		return false;
	image = elf_rawfile(elf, &size);
	va = addr - bias;
	for (size_t i = 0; image && i < phnum; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD || (ph.p_flags & PF_W) ||
		    va < ph.p_vaddr || va - ph.p_vaddr + sizeof(*result) > ph.p_filesz ||
		    ph.p_offset + (va - ph.p_vaddr) + sizeof(*result) > size)
			continue;
		memcpy(result, image + ph.p_offset + (va - ph.p_vaddr), sizeof(*result));
		return true;
	}
	return false;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	const struct af_utail *t = job->t;
	uint64_t sp = t->regs[AF_UREG_SP];

	(void)arg;
	if (addr >= sp && addr - sp <= t->len && t->len - (addr - sp) >= sizeof(*result)) {
		memcpy(result, t->stack + (addr - sp), sizeof(*result));
		return true;
	}
	if (read_module(dwfl, addr, result))
		return true;
	if (addr >= sp)
		job->read_past_copy = true;
	return false;
}

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)arg;
	if (*thread_argp)
		return 0;
	*thread_argp = job;
	return job->tid;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)tid;
	(void)arg;
	*thread_argp = job;
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	const struct af_utail *t = ((struct job *)thread_arg)->t;
	Dwarf_Word regs[AF_NR_UREGS];

	/* AF_UREG_* are the DWARF numbers; 16 is the return address column, the pc here */
	for (int i = 0; i < AF_NR_UREGS; i++)
		regs[i] = t->regs[i];
	if (!dwfl_thread_state_registers(thread, 0, AF_NR_UREGS, regs))
		return false;
	dwfl_thread_state_register_pc(thread, t->regs[AF_UREG_IP]);
	return true;
}

static const Dwfl_Thread_Callbacks callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static int stop(struct job *j, enum stack_end end)
{
	j->out->end = end;
	j->stopped = true;
	return DWARF_CB_ABORT;
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct job *j = arg;
	struct unwound *out = j->out;
	bool exact = false;
	Dwarf_Addr pc;

	if (out->n == UNWIND_MAX_FRAMES)
		return stop(j, STACK_END_MAX_DEPTH);
	/* asking whether pc is exact unwinds this frame: the reads of that count from here */
	j->read_past_copy = false;
	if (!dwfl_frame_pc(state, &pc, &exact))
		return stop(j, STACK_END_UNWIND_ERROR);
	out->pc[out->n] = pc;
	out->exact[out->n] = exact;
	out->n++;
	/* JIT code or anonymous memory: no CFI to go on, and guessing could invent callers */
	if (!symbolizer__module_at(j->dwfl, exact || !pc ? pc : pc - 1))
		return stop(j, STACK_END_UNKNOWN_REGION);
	return DWARF_CB_OK;
}

int unwind__stack(Dwfl *dwfl, uint32_t tid, const struct af_utail *t, struct unwound *out)
{
	struct job j = { .tid = tid, .t = t, .out = out, .dwfl = dwfl };
	int ret;

	out->n = 0;
	out->end = STACK_END_UNKNOWN;
	if (!(t->flags & AF_UT_REGS) || t->len > t->cap)
		return -ENODATA;
	if (dwfl_pid(dwfl) < 0 && !dwfl_attach_state(dwfl, NULL, tid, &callbacks, NULL))
		return -ENOEXEC;
	job = &j;
	ret = dwfl_getthread_frames(dwfl, tid, frame_cb, &j);
	job = NULL;
	if (!out->n)
		return -ENOEXEC;
	if (j.stopped)
		return 0;
	/* libdwfl takes an unreadable return address for the end of the stack: it is not */
	if (j.read_past_copy)
		out->end = STACK_END_COPY_EXHAUSTED;
	else
		out->end = ret == 0 ? STACK_END_COMPLETE : STACK_END_UNWIND_ERROR;
	return 0;
}
