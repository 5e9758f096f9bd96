// SPDX-License-Identifier: GPL-2.0
/*
 * ioband group types: who issued a bio.
 *
 * map() runs in the submitter's context for direct and synchronous I/O, so
 * the process-based types read current.  Writeback is submitted by kernel
 * threads on behalf of whoever dirtied the pages; only the cgroup type can
 * attribute it (ioband_bio_cgroup_get() in compat.h).
 */
#include "dm-ioband.h"
#include "compat.h"
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/uidgid.h>

static u64 ioband_uid(struct bio *bio)
{
	return from_kuid_munged(&init_user_ns, current_uid());
}

static u64 ioband_gid(struct bio *bio)
{
	return from_kgid_munged(&init_user_ns, current_gid());
}

static u64 ioband_pid(struct bio *bio)
{
	/* the thread group: all threads of a process (a VM, a tapdisk) */
	return task_tgid_nr(current);
}

static u64 ioband_pgrp(struct bio *bio)
{
	return task_pgrp_nr(current);
}

const struct ioband_type ioband_type_none = { "none", 0, NULL, false };

static const struct ioband_type ioband_types[] = {
	{ "user",   U32_MAX - 1, ioband_uid, false },
	{ "uid",    U32_MAX - 1, ioband_uid, false },
	{ "gid",    U32_MAX - 1, ioband_gid, false },
	{ "pid",    PID_MAX_LIMIT, ioband_pid, false },
	{ "pgrp",   PID_MAX_LIMIT, ioband_pgrp, false },
	/* map() finds the nearest attached ancestor (ioband-cgroup.c) */
	{ "cgroup", U64_MAX, NULL, true },
};

const struct ioband_type *ioband_type_find(const char *name)
{
	int i;

	if (!strcmp(name, ioband_type_none.name))
		return &ioband_type_none;
	for (i = 0; i < ARRAY_SIZE(ioband_types); i++)
		if (!strcmp(name, ioband_types[i].name))
			return &ioband_types[i];
	return NULL;
}
