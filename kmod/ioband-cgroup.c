// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup type's hierarchy.  A bio belongs to the group of the nearest
 * attached ancestor of its cgroup, the cgroup itself included, and failing
 * that to the default group.  Each group also knows the group of its own
 * nearest attached ancestor (->parent): that nests the shares (see
 * ioband_recalc_shares()).
 *
 * map() finds a cgroup's group through a small cache per target, so a bio
 * walks up the cgroup tree only when its cgroup was not seen since the
 * last attach or detach (or another cgroup took its slot).  Links between
 * groups are made in process context (messages, ctr), where a cgroup can
 * be found by its ID.  A group whose cgroup does not exist at that moment
 * sits at the top level until the next attach, detach or reload.
 *
 * A target's tree of groups changes only under its msg_lock (and dp->lock)
 * or before it is live, so the linking code reads it under msg_lock alone.
 */
#include "dm-ioband.h"
#include "compat.h"

#include <linux/cgroup.h>
#include <linux/hash.h>

#define DM_MSG_PREFIX "ioband"

/* The group of @cg or of its nearest attached ancestor, or NULL. */
static struct ioband_group *walk_up(struct ioband_target *t, struct cgroup *cg)
{
	struct ioband_group *gp;

	/* @cg is referenced, and a cgroup pins its ancestors */
	for (; cg; cg = cgroup_parent(cg)) {
		gp = ioband_group_find(t, cgroup_id(cg));
		if (gp)
			return gp;
	}
	return NULL;
}

/* The group a bio of @cg (referenced by the caller) belongs to. */
struct ioband_group *ioband_cgroup_group(struct ioband_target *t,
					 struct cgroup *cg)
{
	u64 id = cgroup_id(cg);
	unsigned int i = hash_64(id, IOBAND_CG_CACHE_BITS);
	struct ioband_group *gp;

	lockdep_assert_held(&t->dp->lock);
	if (t->cg_cache[i].gp && t->cg_cache[i].id == id)
		return t->cg_cache[i].gp;
	gp = t->ngroups ? walk_up(t, cg) : NULL;
	t->cg_cache[i].id = id;
	t->cg_cache[i].gp = gp ?: &t->defgrp;
	return t->cg_cache[i].gp;
}

/* Groups were attached or detached: every cgroup is looked up afresh. */
void ioband_cgroup_cache_clear(struct ioband_target *t)
{
	lockdep_assert_held(&t->dp->lock);
	memset(t->cg_cache, 0, sizeof(t->cg_cache));
}

/* The cgroup @gp is attached for, referenced, or NULL if there is none. */
static struct cgroup *group_cgroup(struct ioband_group *gp)
{
	struct cgroup *cg = cgroup_get_from_id(gp->id);

	return IS_ERR(cg) ? NULL : cg;
}

/* Attached groups above @gp, following ->link; stops past the bound. */
static unsigned int link_depth(struct ioband_group *gp)
{
	unsigned int depth = 0;

	while ((gp = gp->link) && depth < IOBAND_MAX_NESTING)
		depth++;
	return depth;
}

static int check_nesting(struct ioband_target *t, struct ioband_group *extra)
{
	struct ioband_group *gp;

	list_for_each_entry(gp, &t->groups, tgt_entry)
		if (link_depth(gp) >= IOBAND_MAX_NESTING)
			return -EINVAL;
	if (extra && link_depth(extra) >= IOBAND_MAX_NESTING)
		return -EINVAL;
	return 0;
}

/*
 * @gp is about to be attached to @t: set ->link of every group to what its
 * parent will be.  Groups whose cgroup lies below @gp's and whose parent
 * was above it move under @gp.  -EINVAL: attached cgroups would nest more
 * than IOBAND_MAX_NESTING deep.
 */
int ioband_cgroup_link_new(struct ioband_target *t, struct ioband_group *gp)
{
	struct cgroup *cg = group_cgroup(gp), *c;
	struct ioband_group *g;

	lockdep_assert_held(&t->msg_lock);
	list_for_each_entry(g, &t->groups, tgt_entry)
		g->link = g->parent;
	gp->link = NULL;
	if (!cg)
		return 0;
	gp->link = walk_up(t, cgroup_parent(cg));
	list_for_each_entry(g, &t->groups, tgt_entry) {
		if (g->parent != gp->link)
			continue;
		c = group_cgroup(g);
		if (!c)
			continue;
		if (cgroup_is_descendant(c, cg))
			g->link = gp;
		cgroup_put(c);
	}
	cgroup_put(cg);
	return check_nesting(t, gp);
}

/* ctr: link every group of a target that is not live yet. */
int ioband_cgroup_link_all(struct ioband_target *t)
{
	struct ioband_group *gp;
	struct cgroup *cg;

	list_for_each_entry(gp, &t->groups, tgt_entry) {
		cg = group_cgroup(gp);
		gp->link = cg ? walk_up(t, cgroup_parent(cg)) : NULL;
		if (cg)
			cgroup_put(cg);
	}
	return check_nesting(t, NULL);
}

/* The links set by ioband_cgroup_link_*() take effect. */
void ioband_cgroup_commit_links(struct ioband_target *t)
{
	struct ioband_group *gp;

	lockdep_assert_held(&t->dp->lock);
	list_for_each_entry(gp, &t->groups, tgt_entry)
		gp->parent = gp->link;
	ioband_cgroup_cache_clear(t);
}

/* @gp was taken off @t's groups: its children move up to its parent. */
void ioband_cgroup_unlink(struct ioband_target *t, struct ioband_group *gp)
{
	struct ioband_group *g;

	lockdep_assert_held(&t->dp->lock);
	list_for_each_entry(g, &t->groups, tgt_entry)
		if (g->parent == gp)
			g->parent = gp->parent;
	gp->parent = NULL;
	ioband_cgroup_cache_clear(t);
}
