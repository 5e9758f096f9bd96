// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: its load prints a kernel WARNING so the test bed can
 * show that a warning in the guest's log fails a run.  Never shipped.
 */
#include <linux/module.h>
#include <linux/bug.h>

static int __init ioband_warn_test_init(void)
{
	WARN(1, "ioband_warn_test: deliberate warning for the runner self-test\n");
	return 0;
}

static void __exit ioband_warn_test_exit(void)
{
}

module_init(ioband_warn_test_init);
module_exit(ioband_warn_test_exit);
MODULE_DESCRIPTION("ioband test bed: provokes one WARNING");
MODULE_LICENSE("GPL");
