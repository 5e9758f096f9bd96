// SPDX-License-Identifier: GPL-2.0
/*
 * ioband messages and status.  A message that fails logs why (rate-limited)
 * and changes nothing.  Messages to one target are serialised by msg_lock.
 */
#include "dm-ioband.h"

#include <linux/slab.h>

#define DM_MSG_PREFIX "ioband"

static bool target_has_defaults(struct ioband_target *t)
{
	struct ioband_device *dp = t->dp;

	return t->type == &ioband_type_none && !t->ngroups &&
	       dp->policy == ioband_policy_default &&
	       dp->token_base == IOBAND_DEFAULT_TOKEN &&
	       t->defgrp.weight == IOBAND_DEFAULT_WEIGHT && !t->defgrp.capped &&
	       !t->defgrp.floored && !t->defgrp.idle_class &&
	       !t->defgrp.write_weight;
}

static void emit_stats(struct ioband_group *gp, char *result,
		       unsigned int maxlen, unsigned int *szp)
{
	unsigned int sz = *szp;
	int i;

	for (i = 0; i < 2; i++)
		DMEMIT(" %llu %llu %llu", gp->stat[i].reqs, gp->stat[i].delayed,
		       gp->stat[i].sectors);
	*szp = sz;
}

static void emit_ima(struct ioband_target *t, char *result,
		     unsigned int maxlen, unsigned int *szp)
{
	struct ioband_device *dp = t->dp;
	unsigned int sz = *szp;

	DMEMIT(",device_name=%s,device_group=%u,io_throttle=%u,io_limit=%u,type=%s,policy=%s;",
	       t->dev->name, dp->id, dp->set_throttle, dp->set_limit,
	       t->type->name, dp->policy->name);
	*szp = sz;
}

/* " limit <id>:<caps>", " floor ..." and " class <id>:idle" of @gp */
static void emit_group_limits(struct ioband_group *gp, char *result,
			      unsigned int maxlen, unsigned int *szp)
{
	unsigned int sz = *szp;
	char id[24];

	if (gp->is_default)
		strscpy(id, "-1", sizeof(id));
	else
		snprintf(id, sizeof(id), "%llu", gp->id);
	if (gp->capped) {
		DMEMIT(" limit %s:", id);
		sz = ioband_cap_emit(&gp->caps, result, maxlen, sz);
	}
	if (gp->floored) {
		DMEMIT(" floor %s:", id);
		sz = ioband_cap_emit(&gp->floor, result, maxlen, sz);
	}
	if (gp->idle_class)
		DMEMIT(" class %s:idle", id);
	if (gp->write_weight)
		DMEMIT(" write_weight %s:%u", id, gp->write_weight);
	*szp = sz;
}

/* The limits of every group, default group first */
static void emit_table_limits(struct ioband_target *t, char *result,
			      unsigned int maxlen, unsigned int *szp)
{
	struct ioband_group *gp;

	emit_group_limits(&t->defgrp, result, maxlen, szp);
	list_for_each_entry(gp, &t->groups, tgt_entry)
		emit_group_limits(gp, result, maxlen, szp);
}

void ioband_status(struct dm_target *ti, status_type_t type,
		   unsigned int status_flags, char *result, unsigned int maxlen)
{
	struct ioband_target *t = ti->private;
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;
	unsigned int sz = 0;

	spin_lock_irq(&dp->lock);
	switch (type) {
	case STATUSTYPE_INFO:
		DMEMIT("%u -1", dp->id);
		emit_stats(&t->defgrp, result, maxlen, &sz);
		list_for_each_entry(gp, &t->groups, tgt_entry) {
			DMEMIT(" %llu", gp->id);
			emit_stats(gp, result, maxlen, &sz);
		}
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %u %u %u", t->dev->name, dp->id, dp->set_throttle,
		       dp->set_limit);
		if (target_has_defaults(t))
			break;
		DMEMIT(" %s %s %u :%u", t->type->name, dp->policy->name,
		       dp->token_base, t->defgrp.weight);
		list_for_each_entry(gp, &t->groups, tgt_entry)
			DMEMIT(" %llu:%u", gp->id, gp->weight);
		emit_table_limits(t, result, maxlen, &sz);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		emit_ima(t, result, maxlen, &sz);
		break;
	}
	spin_unlock_irq(&dp->lock);
}

static int msg_attach(struct ioband_target *t, const char *arg)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;
	u64 id;

	if (t->type == &ioband_type_none) {
		DMWARN_LIMIT("attach: group type is none: set one with \"type\" first");
		return -EINVAL;
	}
	if (ioband_parse_id(t->type, arg, &id)) {
		DMWARN_LIMIT("attach: invalid %s ID \"%s\"", t->type->name, arg);
		return -EINVAL;
	}
	if (t->ngroups >= IOBAND_MAX_GROUPS) {
		DMWARN_LIMIT("attach: too many groups (%u)", IOBAND_MAX_GROUPS);
		return -ENOSPC;
	}
	/* the tree changes only under msg_lock: no race with the check */
	if (ioband_group_find(t, id)) {
		DMWARN_LIMIT("attach: group %llu is already attached", id);
		return -EEXIST;
	}
	gp = kzalloc(sizeof(*gp), GFP_KERNEL);
	if (!gp)
		return -ENOMEM;
	ioband_group_init(gp, t, id, IOBAND_DEFAULT_WEIGHT);
	if (t->type->hierarchical && ioband_cgroup_link_new(t, gp)) {
		kfree(gp);
		DMWARN_LIMIT("attach: cgroup %llu would nest attached cgroups more than %u deep",
			     id, IOBAND_MAX_NESTING);
		return -EINVAL;
	}

	spin_lock_irq(&dp->lock);
	ioband_group_insert(t, gp);
	if (t->type->hierarchical)
		ioband_cgroup_commit_links(t);
	if (t->active) {
		ioband_group_join_domain(dp, gp);
		ioband_recalc_shares(dp);
	}
	spin_unlock_irq(&dp->lock);
	/* sleepers whose bios now belong to the new group look again */
	wake_up_all(&dp->waitq);
	return 0;
}

static bool group_drained(struct ioband_device *dp, struct ioband_group *gp)
{
	bool done;

	spin_lock_irq(&dp->lock);
	done = !gp->held && !gp->inflight;
	spin_unlock_irq(&dp->lock);
	return done;
}

/* Unlinks the group; the caller waits for its bios without msg_lock. */
static int msg_detach(struct ioband_target *t, const char *arg,
		      struct ioband_group **dying)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;
	u64 id;

	if (!strcmp(arg, "-1")) {
		DMWARN_LIMIT("detach: the default group cannot be detached");
		return -EINVAL;
	}
	if (kstrtou64(arg, 10, &id)) {
		DMWARN_LIMIT("detach: invalid group ID \"%s\"", arg);
		return -EINVAL;
	}
	spin_lock_irq(&dp->lock);
	gp = ioband_group_find(t, id);
	if (!gp) {
		spin_unlock_irq(&dp->lock);
		DMWARN_LIMIT("detach: group %llu is not attached", id);
		return -EINVAL;
	}
	/* new bios go to the default group; held ones drain unthrottled */
	rb_erase(&gp->node, &t->tree);
	list_del_init(&gp->tgt_entry);
	t->ngroups--;
	if (t->type->hierarchical)
		ioband_cgroup_unlink(t, gp);
	gp->dying = true;
	ioband_group_leave_domain(dp, gp);
	ioband_recalc_shares(dp);
	spin_unlock_irq(&dp->lock);

	ioband_wake_and_dispatch(dp);
	*dying = gp;
	return 0;
}

static int msg_type(struct ioband_target *t, const char *arg)
{
	const struct ioband_type *type = ioband_type_find(arg);

	if (!type) {
		DMWARN_LIMIT("type: unknown type \"%s\" (none, user, uid, gid, pid, pgrp, cgroup)",
			     arg);
		return -EINVAL;
	}
	if (type == t->type)
		return 0;
	if (t->ngroups) {
		DMWARN_LIMIT("type: %u groups are attached: detach them first", t->ngroups);
		return -EBUSY;
	}
	WRITE_ONCE(t->type, type);
	return 0;
}

static int msg_weight(struct ioband_target *t, char *arg)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp = &t->defgrp;
	char *idstr, *valstr;
	unsigned int w;
	u64 id;

	ioband_split_id_value(arg, &idstr, &valstr);
	if (ioband_parse_uint(valstr, 1, IOBAND_MAX_WEIGHT, &w)) {
		DMWARN_LIMIT("weight: invalid weight \"%s\" (1 to %u)", valstr, IOBAND_MAX_WEIGHT);
		return -EINVAL;
	}
	if (idstr && strcmp(idstr, "-1") && kstrtou64(idstr, 10, &id)) {
		DMWARN_LIMIT("weight: invalid group ID \"%s\"", idstr);
		return -EINVAL;
	}
	spin_lock_irq(&dp->lock);
	if (idstr && strcmp(idstr, "-1")) {
		gp = ioband_group_find(t, id);
		if (!gp) {
			spin_unlock_irq(&dp->lock);
			DMWARN_LIMIT("weight: group %llu is not attached", id);
			return -EINVAL;
		}
	}
	ioband_group_set_weight(dp, gp, w);
	ioband_recalc_shares(dp);
	spin_unlock_irq(&dp->lock);
	wake_up_all(&dp->waitq);
	return 0;
}

/* The group "-1" (default) or an attached ID names, or NULL. */
static struct ioband_group *named_group(struct ioband_target *t,
					const char *idstr)
{
	u64 id;

	lockdep_assert_held(&t->dp->lock);
	if (!strcmp(idstr, "-1"))
		return &t->defgrp;
	if (kstrtou64(idstr, 10, &id))
		return NULL;
	return ioband_group_find(t, id);
}

/* "ID:SPEC" or "SPEC" (the default group): *idstr "-1" then */
static char *split_group(char *arg, const char **idstr)
{
	char *spec = strchr(arg, ':');

	if (!spec) {
		*idstr = "-1";
		return arg;
	}
	*spec++ = '\0';
	*idstr = arg;
	return spec;
}

/*
 * "limit [ID:]KEY=VALUE,..." or "floor [ID:]...": set a group's caps or
 * floors, "...:none" clears them; the keys not named keep their values.
 * Parsed and checked whole before any is applied.
 */
static int msg_limit(struct ioband_target *t, const char *cmd, char *arg)
{
	struct ioband_device *dp = t->dp;
	bool floor = !strcmp(cmd, "floor");
	struct ioband_caps caps, other;
	struct ioband_group *gp;
	const char *idstr;
	char *spec = split_group(arg, &idstr);
	char why[128];
	bool idle;

	spin_lock_irq(&dp->lock);
	gp = named_group(t, idstr);
	if (gp) {
		caps = floor ? gp->floor : gp->caps;
		other = floor ? gp->caps : gp->floor;
		idle = gp->idle_class;
	}
	spin_unlock_irq(&dp->lock);
	/* the group can go only by detach, which waits for msg_lock */
	if (!gp) {
		DMWARN_LIMIT("%s: group %s is not attached", cmd, idstr);
		return -EINVAL;
	}
	if (ioband_cap_parse(spec, &caps, why, sizeof(why))) {
		DMWARN_LIMIT("%s: group %s: %s", cmd, idstr, why);
		return -EINVAL;
	}
	if (floor ? ioband_floor_above_cap(&caps, &other) :
		    ioband_floor_above_cap(&other, &caps)) {
		DMWARN_LIMIT("%s: group %s: a floor would be above its cap", cmd, idstr);
		return -EINVAL;
	}
	if (floor && idle && ioband_caps_any(&caps)) {
		DMWARN_LIMIT("floor: group %s is of the idle class: it has no floor", idstr);
		return -EINVAL;
	}
	spin_lock_irq(&dp->lock);
	if (floor)
		ioband_floor_set(dp, gp, &caps);
	else
		ioband_cap_set(dp, gp, &caps);
	spin_unlock_irq(&dp->lock);
	ioband_wake_and_dispatch(dp);
	return 0;
}

/* "write_weight [ID:]WEIGHT", or "...:same" for the group's weight */
static int msg_write_weight(struct ioband_target *t, char *arg)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;
	const char *idstr;
	char *val = split_group(arg, &idstr);
	unsigned int w = 0;

	if (strcmp(val, "same") &&
	    ioband_parse_uint(val, 1, IOBAND_MAX_WEIGHT, &w)) {
		DMWARN_LIMIT("write_weight: group %s: invalid weight \"%s\" (1 to %u, or same)",
			     idstr, val, IOBAND_MAX_WEIGHT);
		return -EINVAL;
	}
	spin_lock_irq(&dp->lock);
	gp = named_group(t, idstr);
	if (gp)
		gp->write_weight = w;
	spin_unlock_irq(&dp->lock);
	if (!gp) {
		DMWARN_LIMIT("write_weight: group %s is not attached", idstr);
		return -EINVAL;
	}
	return 0;
}

/* "class [ID:]idle" or "class [ID:]normal" */
static int msg_class(struct ioband_target *t, char *arg)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;
	const char *idstr;
	char *cls = split_group(arg, &idstr);
	bool idle = !strcmp(cls, "idle");
	int r = 0;

	if (!idle && strcmp(cls, "normal")) {
		DMWARN_LIMIT("class: group %s: unknown class \"%s\" (normal, idle)",
			     idstr, cls);
		return -EINVAL;
	}
	spin_lock_irq(&dp->lock);
	gp = named_group(t, idstr);
	if (!gp)
		r = -ENOENT;
	else if (idle && gp->floored)
		r = -EINVAL;
	else
		ioband_class_set(dp, gp, idle);
	spin_unlock_irq(&dp->lock);
	if (r == -ENOENT)
		DMWARN_LIMIT("class: group %s is not attached", idstr);
	else if (r)
		DMWARN_LIMIT("class: group %s has a floor: lift it first", idstr);
	if (r)
		return -EINVAL;
	ioband_wake_and_dispatch(dp);
	return 0;
}

/* "auto" or a number; 128 is auto too (see IOBAND_AUTO_LIMIT) */
static int parse_limit(const char *arg, unsigned int *v)
{
	if (!strcmp(arg, "auto")) {
		*v = IOBAND_AUTO_LIMIT;
		return 0;
	}
	return ioband_parse_uint(arg, 1, IOBAND_MAX_LIMIT, v);
}

/* Domain-wide numbers: token, io_throttle, io_limit. */
static int msg_domain(struct ioband_target *t, const char *cmd, const char *arg)
{
	struct ioband_device *dp = t->dp;
	bool limit = !strcmp(cmd, "io_limit");
	unsigned int v;
	int r = 0;

	if (!strcmp(cmd, "token")) {
		if (ioband_parse_uint(arg, 1, IOBAND_MAX_TOKEN, &v)) {
			DMWARN_LIMIT("token: invalid value \"%s\" (1 to %u)",
				     arg, IOBAND_MAX_TOKEN);
			return -EINVAL;
		}
	} else if (limit ? parse_limit(arg, &v) :
		   ioband_parse_uint(arg, 1, IOBAND_MAX_LIMIT, &v)) {
		DMWARN_LIMIT("%s: invalid value \"%s\" (1 to %u%s)", cmd, arg,
			     IOBAND_MAX_LIMIT, limit ? ", or auto" : "");
		return -EINVAL;
	}

	spin_lock_irq(&dp->lock);
	if (!strcmp(cmd, "token")) {
		dp->token_base = v;
		ioband_recalc_shares(dp);
	} else if (!ioband_throttle_below_limit(limit ? dp->set_throttle : v,
						limit ? v : dp->set_limit)) {
		r = -EINVAL;
	} else {
		ioband_set_throttle_limit(dp, limit ? dp->set_throttle : v,
					  limit ? v : dp->set_limit);
	}
	spin_unlock_irq(&dp->lock);
	if (r) {
		DMWARN_LIMIT("%s: %u must be %s than io_%s", cmd, v,
			     limit ? "greater" : "less",
			     limit ? "throttle" : "limit");
		return r;
	}
	ioband_wake_and_dispatch(dp);
	return 0;
}

/* Every group of the domain starts afresh under the new policy. */
static void set_policy(struct ioband_device *dp, const struct ioband_policy *p)
{
	struct ioband_group *gp;

	spin_lock_irq(&dp->lock);
	dp->policy = p;
	list_for_each_entry(gp, &dp->groups, dom_entry)
		ioband_policy_group_init(dp, gp);
	ioband_recalc_shares(dp);
	spin_unlock_irq(&dp->lock);
	ioband_wake_and_dispatch(dp);
}

static int msg_policy(struct ioband_target *t, const char *arg)
{
	const struct ioband_policy *p = ioband_policy_find(arg);

	if (p) {
		set_policy(t->dp, p);
		return 0;
	}
	DMWARN_LIMIT("policy: unknown policy \"%s\" (weight, weight-iosize, fair, fair-iosize)",
		     arg);
	return -EINVAL;
}

static void msg_reset(struct ioband_target *t)
{
	struct ioband_group *gp;

	spin_lock_irq(&t->dp->lock);
	memset(t->defgrp.stat, 0, sizeof(t->defgrp.stat));
	list_for_each_entry(gp, &t->groups, tgt_entry)
		memset(gp->stat, 0, sizeof(gp->stat));
	spin_unlock_irq(&t->dp->lock);
}

/*
 * "shares": each group's share of the device group as configured (every
 * group busy), nesting included, for the status to show.  One record per
 * group, default group first: <id>:<parent id or ->:<millionths>.
 */
static int msg_shares(struct ioband_target *t, char *result,
		      unsigned int maxlen)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;
	unsigned int sz = 0;
	u64 top;

	spin_lock_irq(&dp->lock);
	top = ioband_configured_top(dp);
	DMEMIT("-1:-:%llu", ioband_configured_share(&t->defgrp, top));
	list_for_each_entry(gp, &t->groups, tgt_entry) {
		DMEMIT(" %llu:", gp->id);
		if (gp->parent)
			DMEMIT("%llu", gp->parent->id);
		else
			DMEMIT("-");
		DMEMIT(":%llu", ioband_configured_share(gp, top));
	}
	spin_unlock_irq(&dp->lock);
	/* 1: the result buffer holds the answer */
	return 1;
}

/*
 * "settings": the domain's settings as set and as in effect, for status to
 * show what an auto io_limit became.  One line of key=value pairs; new keys
 * go at the end.
 */
static int msg_settings(struct ioband_target *t, char *result,
			unsigned int maxlen)
{
	struct ioband_device *dp = t->dp;
	unsigned int sz = 0;

	spin_lock_irq(&dp->lock);
	DMEMIT("policy=%s token=%u io_throttle=%u io_limit=%u io_limit_auto=%d",
	       dp->policy->name, dp->token_base, dp->set_throttle,
	       dp->set_limit, dp->set_limit == IOBAND_AUTO_LIMIT);
	DMEMIT(" effective_io_throttle=%u effective_io_limit=%u queue_depth=%u nowait_again=%llu",
	       dp->io_throttle, dp->io_limit, t->depth, t->nowait_again);
	DMEMIT(" rotational=%d turns=%llu antic_kept=%llu antic_expired=%llu",
	       dp->rotational, dp->turns, dp->antic_kept, dp->antic_expired);
	spin_unlock_irq(&dp->lock);
	return 1;
}

static void emit_limits(struct ioband_group *gp, char *result,
			unsigned int maxlen, unsigned int *szp)
{
	unsigned int sz = *szp;
	u64 wait_ns = gp->cap_wait_ns;

	/* a group parked now has waited since it was parked, too */
	if (gp->parked)
		wait_ns += ktime_get_ns() - gp->parked_at;
	sz = ioband_cap_emit(&gp->caps, result, maxlen, sz);
	DMEMIT(":%llu:%llu:%d:", gp->cap_waits, div_u64(wait_ns, NSEC_PER_USEC),
	       gp->parked);
	sz = ioband_cap_emit(&gp->floor, result, maxlen, sz);
	DMEMIT(":%llu:%s",
	       div_u64(ioband_floor_lag(gp, ktime_get_ns()), NSEC_PER_USEC),
	       gp->idle_class ? "idle" : "normal");
	*szp = sz;
}

/*
 * "limits": each group's caps, floors and class, default group first, one
 * record per group: <id>:<caps or none>:<times parked>:<us parked>:<parked
 * now (0/1)>:<floors or none>:<us behind its floors>:<normal or idle>.
 */
static int msg_limits(struct ioband_target *t, char *result,
		      unsigned int maxlen)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;
	unsigned int sz = 0;

	spin_lock_irq(&dp->lock);
	DMEMIT("-1:");
	emit_limits(&t->defgrp, result, maxlen, &sz);
	list_for_each_entry(gp, &t->groups, tgt_entry) {
		DMEMIT(" %llu:", gp->id);
		emit_limits(gp, result, maxlen, &sz);
	}
	spin_unlock_irq(&dp->lock);
	return 1;
}

/* A "<command> <value>" message, under msg_lock. */
static int run_message(struct ioband_target *t, const char *cmd, char *arg,
		       struct ioband_group **dying)
{
	lockdep_assert_held(&t->msg_lock);
	if (!strcmp(cmd, "type"))
		return msg_type(t, arg);
	if (!strcmp(cmd, "attach"))
		return msg_attach(t, arg);
	if (!strcmp(cmd, "detach"))
		return msg_detach(t, arg, dying);
	if (!strcmp(cmd, "weight"))
		return msg_weight(t, arg);
	if (!strcmp(cmd, "token") || !strcmp(cmd, "io_throttle") ||
	    !strcmp(cmd, "io_limit"))
		return msg_domain(t, cmd, arg);
	if (!strcmp(cmd, "policy"))
		return msg_policy(t, arg);
	if (!strcmp(cmd, "limit") || !strcmp(cmd, "floor"))
		return msg_limit(t, cmd, arg);
	if (!strcmp(cmd, "class"))
		return msg_class(t, arg);
	if (!strcmp(cmd, "write_weight"))
		return msg_write_weight(t, arg);
	DMWARN_LIMIT("%s: unknown message \"%s\"",
		     dm_table_device_name(t->ti->table), cmd);
	return -EINVAL;
}

int ioband_message(struct dm_target *ti, unsigned int argc, char **argv,
		   char *result, unsigned int maxlen)
{
	struct ioband_target *t = ti->private;
	const char *cmd = argc ? argv[0] : "";
	struct ioband_group *dying = NULL;
	int r;

	if (argc == 1 && !strcmp(cmd, "reset")) {
		msg_reset(t);
		return 0;
	}
	if (argc == 1 && !strcmp(cmd, "shares"))
		return msg_shares(t, result, maxlen);
	if (argc == 1 && !strcmp(cmd, "settings"))
		return msg_settings(t, result, maxlen);
	if (argc == 1 && !strcmp(cmd, "limits"))
		return msg_limits(t, result, maxlen);
	if (argc != 2) {
		DMWARN_LIMIT("%s: message must be %s or \"<command> <value>\"",
			     dm_table_device_name(ti->table),
			     "reset, shares, settings, limits");
		return -EINVAL;
	}

	mutex_lock(&t->msg_lock);
	r = run_message(t, cmd, argv[1], &dying);
	mutex_unlock(&t->msg_lock);

	/*
	 * detach returns once the group's bios are done.  The table cannot
	 * go away meanwhile: the message ioctl holds a reference to it.
	 */
	if (dying) {
		wait_event(t->dp->waitq, group_drained(t->dp, dying));
		kfree(dying);
	}
	return r;
}
