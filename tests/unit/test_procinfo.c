// SPDX-License-Identifier: GPL-2.0
/*
 * The readers of system state on fixed text: /proc/meminfo, the vm sysctls, the huge page pools
 * and both memory cgroup versions, from a fixture tree in a temporary directory; then a smoke
 * test on this machine's own /proc.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "tests/unit/fixtures_system.h"
#include "procinfo.h"

static const char meminfo[] = "MemTotal:       24683620 kB\n"
			      "MemFree:        24373068 kB\n"
			      "MemAvailable:   24346168 kB\n"
			      "Buffers:            1424 kB\n"
			      "Cached:            80936 kB\n"
			      "SwapTotal:         1048572 kB\n"
			      "SwapFree:          1000000 kB\n"
			      "CommitLimit:    12341808 kB\n"
			      "Committed_AS:      68028 kB\n"
			      "VmallocTotal:   34359738367 kB\n"
			      "HugePages_Total:       8\n"
			      "HugePages_Free:        6\n"
			      "HugePages_Rsvd:        2\n"
			      "HugePages_Surp:        0\n"
			      "Hugepagesize:       2048 kB\n"
			      "Hugetlb:           16384 kB\n";

static void test_parse_value(void **state)
{
	static const struct {
		const char *text;
		int err;
		int64_t val;
	} cases[] = {
		{ "65530\n", 0, 65530 },
		{ "max\n", 0, -1 },
		{ "max", 0, -1 },
		{ "  12\n", 0, 12 },
		{ "-3\n", 0, -3 },
		{ "9223372036854771712\n", 0, 9223372036854771712LL },
		{ "abc\n", -EINVAL, 0 },
		{ "\n", -EINVAL, 0 },
		{ "12abc\n", -EINVAL, 0 },
		{ "maximum\n", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 0;
		int err = procinfo__parse_value(cases[i].text, &v);

		if (err != cases[i].err || (!err && v != cases[i].val))
			fail_msg("\"%s\": err %d val %lld", cases[i].text, err, (long long)v);
	}
}

static void test_parse_meminfo(void **state)
{
	struct sysinfo si;
	FILE *f = fmemopen((void *)meminfo, sizeof(meminfo) - 1, "r");

	(void)state;
	assert_non_null(f);
	memset(&si, 0xff, sizeof(si)); /* all -1 */
	assert_int_equal(sysinfo__parse_meminfo(f, &si), 11);
	fclose(f);
	assert_int_equal(si.mem_total_kb, 24683620);
	assert_int_equal(si.mem_free_kb, 24373068);
	assert_int_equal(si.mem_available_kb, 24346168);
	assert_int_equal(si.swap_total_kb, 1048572);
	assert_int_equal(si.swap_free_kb, 1000000);
	assert_int_equal(si.commit_limit_kb, 12341808);
	assert_int_equal(si.committed_as_kb, 68028);
	assert_int_equal(si.hugepages_total, 8);
	assert_int_equal(si.hugepages_free, 6);
	assert_int_equal(si.hugepages_rsvd, 2);
	assert_int_equal(si.hugepage_size_kb, 2048);
	assert_int_equal(si.overcommit_memory, -1); /* not a meminfo field: untouched */
}

/* ---- a fixture tree: root/proc/..., root/sys/... ---- */

static int setup_root(void **state)
{
	(void)state;
	return make_root("procinfo");
}

static int teardown_root(void **state)
{
	(void)state;
	return remove_root();
}

static void put_system(void)
{
	put("proc/meminfo", meminfo);
	put_vm_sysctls(2, 80);
	put("sys/module/kernel/parameters/ignore_rlimit_data", "Y\n");
	/* written largest first: the reader sorts them */
	put_hugepage_pool(1048576, 1, 1, 0, 0, 0);
	/* nr_overcommit_hugepages missing: -1 */
	put_hugepage_pool(2048, 8, 6, 2, 0, -1);
}

static void test_read_root(void **state)
{
	struct sysinfo si;

	(void)state;
	put_system();
	assert_int_equal(sysinfo__read_root(root, &si), 0);
	assert_true(si.page_size > 0);
	assert_int_equal(si.overcommit_memory, 2);
	assert_int_equal(si.overcommit_ratio, 80);
	assert_int_equal(si.overcommit_kbytes, 0);
	assert_int_equal(si.admin_reserve_kbytes, 8192);
	assert_int_equal(si.user_reserve_kbytes, 131072);
	assert_int_equal(si.max_map_count, 65530);
	assert_int_equal(si.mmap_min_addr, 65536);
	assert_int_equal(si.ignore_rlimit_data, 1);
	assert_int_equal(si.mem_total_kb, 24683620);
	assert_int_equal(si.committed_as_kb, 68028);
	assert_int_equal(si.nhstates, 2);
	assert_int_equal(si.hstates[0].size_kb, 2048);
	assert_int_equal(si.hstates[0].total, 8);
	assert_int_equal(si.hstates[0].free, 6);
	assert_int_equal(si.hstates[0].rsvd, 2);
	assert_int_equal(si.hstates[0].overcommit, -1);
	assert_int_equal(si.hstates[1].size_kb, 1048576);
	assert_int_equal(si.hstates[1].total, 1);
	assert_true(si.read_ns > 0);
}

/* Missing sources are -1, and the first missing one is the error. */
static void test_read_root_missing(void **state)
{
	char empty[PATH_MAX];
	struct sysinfo si;

	(void)state;
	snprintf(empty, sizeof(empty), "%s/nothing", root);
	assert_int_equal(sysinfo__read_root(empty, &si), -ENOENT);
	assert_int_equal(si.mem_total_kb, -1);
	assert_int_equal(si.max_map_count, -1);
	assert_int_equal(si.ignore_rlimit_data, -1);
	assert_int_equal(si.hugepages_total, -1);
	assert_int_equal(si.nhstates, 0);
	assert_true(si.page_size > 0);
}

static void test_settings_equal(void **state)
{
	struct sysinfo a, b;

	(void)state;
	put_system();
	assert_int_equal(sysinfo__read_root(root, &a), 0);
	b = a;
	/* counters move all the time: not a change */
	b.mem_free_kb += 1000;
	b.committed_as_kb += 1000;
	b.hstates[0].free = 0;
	b.read_ns += 5;
	assert_true(sysinfo__settings_equal(&a, &b));
	b.max_map_count = 262144;
	assert_false(sysinfo__settings_equal(&a, &b));
	b = a;
	b.overcommit_memory = 0;
	assert_false(sysinfo__settings_equal(&a, &b));
	b = a;
	b.hstates[1].total = 2;
	assert_false(sysinfo__settings_equal(&a, &b));
	b = a;
	b.swap_total_kb = 0;
	assert_false(sysinfo__settings_equal(&a, &b));
}

/* On this machine's /proc: the first refresh reads, the next one within the period does not. */
static void test_refresh(void **state)
{
	struct sysinfo si;
	int64_t first;

	(void)state;
	memset(&si, 0, sizeof(si));
	assert_int_equal(sysinfo__refresh(&si, 0), 1);
	assert_true(si.mem_total_kb > 0);
	assert_true(si.max_map_count > 0);
	assert_true(si.overcommit_memory >= 0 && si.overcommit_memory <= 2);
	assert_true(si.commit_limit_kb > 0);
	first = si.read_ns;
	assert_int_equal(sysinfo__refresh(&si, first + 1000000), 0);
	assert_int_equal(si.read_ns, first); /* not re-read */
	/* due again: re-read, and the settings have not changed in the meantime */
	assert_int_equal(sysinfo__refresh(&si, first + SYSINFO_REFRESH_MS * 1000000LL), 0);
	assert_true(si.read_ns > first);
}

static void test_memcg_v1(void **state)
{
	char dir[PATH_MAX];
	struct memcg_info mi;

	(void)state;
	put("v1/a/memory.limit_in_bytes", "536870912\n");
	put("v1/a/memory.usage_in_bytes", "536817664\n");
	put("v1/a/memory.failcnt", "42\n");
	put("v1/a/memory.oom_control", "oom_kill_disable 0\nunder_oom 1\noom_kill 3\n");
	snprintf(dir, sizeof(dir), "%s/v1/a", root);
	assert_int_equal(memcg_info__read(dir, 1, &mi), 0);
	assert_true(mi.valid);
	assert_int_equal(mi.version, 1);
	assert_int_equal(mi.limit_bytes, 536870912);
	assert_int_equal(mi.usage_bytes, 536817664);
	assert_int_equal(mi.failcnt, 42);
	assert_int_equal(mi.oom_events, 1);
	assert_int_equal(mi.oom_kill, 3);
	assert_int_equal(mi.oom_kill_disable, 0);

	/* the root's PAGE_COUNTER_MAX pages, and no oom_control: unlimited, -1 */
	put("v1/root/memory.limit_in_bytes", "9223372036854771712\n");
	put("v1/root/memory.usage_in_bytes", "1000000\n");
	snprintf(dir, sizeof(dir), "%s/v1/root", root);
	assert_int_equal(memcg_info__read(dir, 1, &mi), 0);
	assert_int_equal(mi.limit_bytes, -1);
	assert_int_equal(mi.failcnt, -1);
	assert_int_equal(mi.oom_kill, -1);
}

static void test_memcg_v2(void **state)
{
	char dir[PATH_MAX];
	struct memcg_info mi;

	(void)state;
	put("v2/b/memory.max", "268435456\n");
	put("v2/b/memory.current", "268300000\n");
	put("v2/b/memory.events", "low 0\nhigh 0\nmax 17\noom 2\noom_kill 1\noom_group_kill 0\n");
	snprintf(dir, sizeof(dir), "%s/v2/b", root);
	assert_int_equal(memcg_info__read(dir, 2, &mi), 0);
	assert_true(mi.valid);
	assert_int_equal(mi.version, 2);
	assert_int_equal(mi.limit_bytes, 268435456);
	assert_int_equal(mi.usage_bytes, 268300000);
	assert_int_equal(mi.failcnt, 17);
	assert_int_equal(mi.oom_events, 2);
	assert_int_equal(mi.oom_kill, 1); /* not oom_group_kill */
	assert_int_equal(mi.oom_kill_disable, 0);

	put("v2/c/memory.max", "max\n");
	put("v2/c/memory.current", "4096\n");
	snprintf(dir, sizeof(dir), "%s/v2/c", root);
	assert_int_equal(memcg_info__read(dir, 2, &mi), 0);
	assert_int_equal(mi.limit_bytes, -1);
	assert_int_equal(mi.failcnt, -1);

	/* no usage file: not valid */
	put("v2/d/memory.max", "max\n");
	snprintf(dir, sizeof(dir), "%s/v2/d", root);
	assert_int_equal(memcg_info__read(dir, 2, &mi), -ENOENT);
	assert_false(mi.valid);
	assert_int_equal(memcg_info__read(dir, 3, &mi), -EINVAL);
	assert_int_equal(memcg_info__read(NULL, 2, &mi), -EINVAL);
}

static void test_parse_events_file(void **state)
{
	static const char text[] = "oom_kill_disable 1\nunder_oom 0\noom_kill 0\n";
	struct memcg_info mi = { 0 };
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	(void)state;
	assert_int_equal(memcg_info__parse_oom_control(f, &mi), 3);
	fclose(f);
	assert_int_equal(mi.oom_kill_disable, 1);
}

/* This machine's memory controller root, if it has one (cgroup v1 here). */
static void test_memcg_real(void **state)
{
	struct memcg_info mi;

	(void)state;
	if (access("/sys/fs/cgroup/memory/memory.limit_in_bytes", R_OK))
		skip();
	assert_int_equal(memcg_info__read("/sys/fs/cgroup/memory", 1, &mi), 0);
	assert_int_equal(mi.limit_bytes, -1);
	assert_true(mi.usage_bytes > 0);
}

/* BPF's snapshot over what cgroupfs gave: limits and usage from the snapshot, counters kept. */
static void test_memcg_at_failure(void **state)
{
	struct af_memcg_snap snap = {
		.memcg_id = 9, .usage = 3 << 20, .limit = AF_MEMCG_UNLIMITED, .bind_id = 5,
		.bind_usage = 32 << 20, .bind_limit = 32 << 20, .bind_level = 1, .levels = 3,
		.flags = AF_MS_VALID,
	};
	struct memcg_info mi = { .valid = true, .version = 2, .limit_bytes = -1,
				 .usage_bytes = 0, .failcnt = 4, .oom_events = 1, .oom_kill = 0 };

	(void)state;
	memcg_info__at_failure(&mi, &snap, 2, "/p");
	assert_true(mi.valid && mi.at_failure);
	assert_int_equal(mi.usage_bytes, 3 << 20);
	assert_int_equal(mi.limit_bytes, -1);
	assert_int_equal(mi.failcnt, 4);
	assert_int_equal(mi.bind_level, 1);
	assert_string_equal(mi.bind_path, "/p");
	assert_int_equal(mi.bind_limit_bytes, 32 << 20);
	assert_int_equal(mi.bind_usage_bytes, 32 << 20);
	assert_false(mi.bind_memsw || mi.memsw_read || mi.truncated);

	/* v1: memsw read, the binding limit a memsw one, the walk stopped below the root */
	snap.flags = AF_MS_VALID | AF_MS_MEMSW | AF_MS_BIND_MEMSW | AF_MS_TRUNCATED;
	memcg_info__at_failure(&mi, &snap, 1, "/p");
	assert_true(mi.bind_memsw && mi.memsw_read && mi.truncated);
	snap.flags = AF_MS_VALID | AF_MS_MEMSW;
	memcg_info__at_failure(&mi, &snap, 1, "/p");
	assert_true(mi.memsw_read);
	assert_false(mi.bind_memsw || mi.truncated);
	/* a memsw flag without a binding level means nothing */
	snap.flags = AF_MS_VALID | AF_MS_BIND_MEMSW;
	snap.bind_id = 0;
	memcg_info__at_failure(&mi, &snap, 1, "/p");
	assert_false(mi.bind_memsw);
	snap.bind_id = 5;
	snap.flags = AF_MS_VALID;

	/* the cgroup was gone when read: the snapshot alone, counters unknown */
	memset(&mi, 0, sizeof(mi));
	snap.bind_id = 0;
	memcg_info__at_failure(&mi, &snap, 1, "/p");
	assert_true(mi.valid && mi.at_failure);
	assert_int_equal(mi.version, 1);
	assert_int_equal(mi.failcnt, -1);
	assert_int_equal(mi.oom_kill_disable, -1);
	assert_int_equal(mi.bind_level, -1);
	assert_null(mi.bind_path);
	assert_int_equal(mi.bind_limit_bytes, -1);

	/* no snapshot (no memory controller): nothing changes */
	memset(&mi, 0, sizeof(mi));
	snap.flags = 0;
	memcg_info__at_failure(&mi, &snap, 2, NULL);
	assert_false(mi.valid || mi.at_failure);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_value),
		cmocka_unit_test(test_parse_meminfo),
		cmocka_unit_test(test_read_root),
		cmocka_unit_test(test_read_root_missing),
		cmocka_unit_test(test_settings_equal),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_memcg_v1),
		cmocka_unit_test(test_memcg_v2),
		cmocka_unit_test(test_parse_events_file),
		cmocka_unit_test(test_memcg_at_failure),
		cmocka_unit_test(test_memcg_real),
	};

	return cmocka_run_group_tests(tests, setup_root, teardown_root);
}
