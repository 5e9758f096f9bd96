// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: its load loses the only pointer to an allocation, so
 * that a kmemleak scan in the debug kernel reports it and the test bed can
 * show that a leak fails a run.  Never shipped.
 */
#include <linux/module.h>
#include <linux/slab.h>

static int __init ioband_leak_test_init(void)
{
	void *p = kmalloc(1024, GFP_KERNEL);

	/* a pointer left only in a dead stack slot is no reference */
	if (p)
		memset(p, 0x5a, 1024);
	p = NULL;
	return 0;
}

static void __exit ioband_leak_test_exit(void)
{
}

module_init(ioband_leak_test_init);
module_exit(ioband_leak_test_exit);
MODULE_DESCRIPTION("ioband test bed: leaks one allocation");
MODULE_LICENSE("GPL");
