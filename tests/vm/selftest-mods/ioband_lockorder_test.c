// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: its load takes two mutexes in one order and then in
 * the other, never at the same time from two threads, so nothing
 * deadlocks; lockdep in the debug kernel still reports the possible
 * circular locking, and the test bed shows that such a report fails a run.
 * Never shipped.
 */
#include <linux/module.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(ioband_test_a);
static DEFINE_MUTEX(ioband_test_b);

static int __init ioband_lockorder_test_init(void)
{
	mutex_lock(&ioband_test_a);
	mutex_lock(&ioband_test_b);
	mutex_unlock(&ioband_test_b);
	mutex_unlock(&ioband_test_a);

	mutex_lock(&ioband_test_b);
	mutex_lock(&ioband_test_a);
	mutex_unlock(&ioband_test_a);
	mutex_unlock(&ioband_test_b);
	return 0;
}

static void __exit ioband_lockorder_test_exit(void)
{
}

module_init(ioband_lockorder_test_init);
module_exit(ioband_lockorder_test_exit);
MODULE_DESCRIPTION("ioband test bed: takes two locks in both orders");
MODULE_LICENSE("GPL");
