// SPDX-License-Identifier: GPL-2.0
/* GFP names as the kernel prints them, and /proc/buddyinfo parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "frag.h"
#include "gfp.h"

/* These masks have the same value in 6.1's #defines and 6.18's BTF enum, so the test holds on
 * either kind of kernel. */
static void test_gfp_names(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(gfp__mask("__GFP_ACCOUNT"), 0x400000);
	assert_int_equal(gfp__mask("__GFP_NOWARN"), 0x2000);
	assert_int_equal(gfp__mask("__GFP_NO_SUCH_FLAG"), 0);
	gfp__format(0xcc0, buf, sizeof(buf));
	assert_string_equal(buf, "GFP_KERNEL");
	gfp__format(0x400cc0, buf, sizeof(buf));
	assert_string_equal(buf, "GFP_KERNEL_ACCOUNT");
	gfp__format(0x400cc0 | 0x40000 | 0x2000, buf, sizeof(buf));
	assert_string_equal(buf, "GFP_KERNEL_ACCOUNT|__GFP_NOWARN|__GFP_COMP");
	gfp__format(0x20 | 0x800, buf, sizeof(buf));
	assert_string_equal(buf, "GFP_ATOMIC");
	gfp__format(0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	gfp__format(0x80000000u | 0xcc0, buf, sizeof(buf));
	assert_string_equal(buf, "GFP_KERNEL|0x80000000");
	/* a short buffer truncates, never overflows */
	assert_true(gfp__format(0x400cc0, buf, 4) > 3);
	assert_string_equal(buf, "GFP");
	assert_string_equal(gfp__migratetype_name(0), "MIGRATE_UNMOVABLE");
	assert_string_equal(gfp__migratetype_name(1), "MIGRATE_MOVABLE");
	assert_null(gfp__migratetype_name(-1));
}

static void test_buddyinfo_line(void **state)
{
	uint64_t b[AF_NR_ORDERS];
	char zone[AF_ZONE_NAME_LEN];
	int node;

	(void)state;
	assert_int_equal(frag__parse_buddyinfo_line("Node 0, zone   Normal   3127   1743   1108"
						    "    626    485    320    151     80     40"
						    "     19    364 \n",
						    &node, zone, sizeof(zone), b),
			 0);
	assert_int_equal(node, 0);
	assert_string_equal(zone, "Normal");
	assert_int_equal(b[0], 3127);
	assert_int_equal(b[10], 364);
	/* fewer orders than we hold: the rest are zero */
	assert_int_equal(frag__parse_buddyinfo_line("Node 1, zone DMA 1 2\n", &node, zone,
						    sizeof(zone), b),
			 0);
	assert_int_equal(node, 1);
	assert_int_equal(b[1], 2);
	assert_int_equal(b[2], 0);
	assert_int_not_equal(frag__parse_buddyinfo_line("garbage\n", &node, zone, sizeof(zone), b),
			     0);
	assert_int_not_equal(frag__parse_buddyinfo_line("Node 0, zone Normal\n", &node, zone,
							sizeof(zone), b),
			     0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gfp_names),
		cmocka_unit_test(test_buddyinfo_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
