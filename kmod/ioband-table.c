// SPDX-License-Identifier: GPL-2.0
/*
 * The ioband table line, and the constructor and destructor it drives.
 *
 * Table:  <dev> <device-group-id> [<io_throttle> [<io_limit>]]
 *   or    <dev> <device-group-id> <io_throttle> <io_limit> <type> <policy>
 *         <token> :<default-weight> [<id>:<weight>]...
 *         [limit|floor <id>:<rates>]... [class <id>:idle]...
 *         [write_weight <id>:<weight>]...
 *
 * Bad input fails with ti->error naming the argument, and nothing applied.
 */
#include "dm-ioband.h"

#include <linux/blkdev.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/stringify.h>

#define DM_MSG_PREFIX "ioband"

/* a table line has 2 to 4 arguments, or 8 and more (the long form) */
#define IOBAND_SHORT_ARGS	4
#define IOBAND_LONG_ARGS	8
/* one line, so that it can be found with grep */
#define IOBAND_TABLE_USAGE "Expected <dev> <device-group-id> [<io_throttle> [<io_limit>]] or <dev> <device-group-id> <io_throttle> <io_limit> <type> <policy> <token> :<weight> [<id>:<weight>]... [limit|floor <id>:<rates>]... [class <id>:idle]... [write_weight <id>:<weight>]..."

/*
 * Each limit is written once, here; the error spells it.  0 means "default"
 * for io_throttle, io_limit and token, as in dm-ioband 1.x table lines; an
 * io_limit of 0 or 128 (IOBAND_AUTO_LIMIT) follows the device's depth.
 */
#define DEFAULTABLE_ARG(what, lowest, max) { 0, max,			\
	"Invalid " what " (expected " #lowest " to " __stringify(max)	\
	", 0 for the default)" }

static const struct dm_arg devgroup_arg = {
	0, IOBAND_MAX_DEVGROUP,
	"Invalid device-group ID (expected 0 to " __stringify(IOBAND_MAX_DEVGROUP) ")"
};

static const struct dm_arg throttle_arg =
	DEFAULTABLE_ARG("io_throttle", 1, IOBAND_MAX_THROTTLE);
/* io_limit 1 never passes the io_throttle check: the error says 2 */
static const struct dm_arg limit_arg =
	DEFAULTABLE_ARG("io_limit", 2, IOBAND_MAX_LIMIT);
static const struct dm_arg token_arg =
	DEFAULTABLE_ARG("token", 1, IOBAND_MAX_TOKEN);

static const struct dm_arg default_weight_arg = {
	1, IOBAND_MAX_WEIGHT,
	"Invalid default weight (expected :<weight>, weight 1 to "
	__stringify(IOBAND_MAX_WEIGHT) ")"
};

static const struct dm_arg group_weight_arg = {
	1, IOBAND_MAX_WEIGHT,
	"Invalid group (expected <id>:<weight>, id valid for the type, weight 1 to "
	__stringify(IOBAND_MAX_WEIGHT) ")"
};

int ioband_parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	unsigned int v;

	if (kstrtouint(s, 10, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int ioband_parse_id(const struct ioband_type *type, const char *s, u64 *out)
{
	u64 v;

	if (kstrtou64(s, 10, &v) || v > type->max_id)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "ID:VAL" (the seed also took '=' and ','); *idstr is NULL for "VAL" */
void ioband_split_id_value(char *s, char **idstr, char **valstr)
{
	char *sep = strpbrk(s, ":=,");

	if (!sep) {
		*idstr = NULL;
		*valstr = s;
		return;
	}
	*sep = '\0';
	*idstr = s;
	*valstr = sep + 1;
}

/*
 * dm_read_arg() for a string: same table, same error.  Not dm_read_arg()
 * itself: its sscanf("%u") wraps 4294967296 to 0, which would pass as
 * "default", and rejects the "+5" kstrtouint() has always taken.
 */
static int read_uint(const struct dm_arg *arg, const char *s,
		     unsigned int *v, char **error)
{
	if (!s || ioband_parse_uint(s, arg->min, arg->max, v)) {
		*error = arg->error;
		return -EINVAL;
	}
	return 0;
}

static int read_arg(const struct dm_arg *arg, struct dm_arg_set *as,
		    unsigned int *v, char **error)
{
	return read_uint(arg, dm_shift_arg(as), v, error);
}

struct ioband_args {
	const char *dev;
	unsigned int devgroup;
	struct ioband_settings set;
	const struct ioband_type *type;		/* NULL: not given */
	unsigned int default_weight;
	bool long_form;
	unsigned int ngroups;
	u64 *ids;
	unsigned int *weights;
	struct ioband_limits deflim;	/* the default group's */
	struct ioband_limits *lims;	/* each group's, as ids */
};

/* <dev> <device-group-id> [<io_throttle> [<io_limit>]] */
static int parse_short(struct dm_arg_set *as, struct ioband_args *a,
		       char **error)
{
	bool limit_given = as->argc > 3;

	a->dev = dm_shift_arg(as);
	if (read_arg(&devgroup_arg, as, &a->devgroup, error))
		return -EINVAL;
	if (as->argc && read_arg(&throttle_arg, as, &a->set.throttle, error))
		return -EINVAL;
	if (as->argc && read_arg(&limit_arg, as, &a->set.limit, error))
		return -EINVAL;
	if (!limit_given &&
	    !ioband_throttle_below_limit(a->set.throttle, IOBAND_DEFAULT_LIMIT)) {
		*error = "io_throttle must be below io_limit (default 128): give a larger io_limit";
		return -EINVAL;
	}
	if (a->set.throttle && a->set.limit &&
	    !ioband_throttle_below_limit(a->set.throttle, a->set.limit)) {
		*error = "io_limit must be greater than io_throttle";
		return -EINVAL;
	}
	return 0;
}

/* <type> <policy> <token> :<default-weight> */
static int parse_long(struct dm_arg_set *as, struct ioband_args *a,
		      char **error)
{
	const char *w;

	a->type = ioband_type_find(dm_shift_arg(as));
	if (!a->type) {
		*error = "Unknown group type (expected none, user, uid, gid, pid, pgrp or cgroup)";
		return -EINVAL;
	}
	a->set.policy = ioband_policy_find(dm_shift_arg(as));
	if (!a->set.policy) {
		*error = "Unknown policy (expected weight, weight-iosize, fair or fair-iosize)";
		return -EINVAL;
	}
	if (read_arg(&token_arg, as, &a->set.token, error))
		return -EINVAL;
	w = dm_shift_arg(as);
	if (w[0] != ':')
		w = NULL;
	return read_uint(&default_weight_arg, w ? w + 1 : NULL,
			 &a->default_weight, error);
}

/* The words that follow the groups: each takes an <id>:<value> */
static bool is_limit_word(const char *w)
{
	return !strcmp(w, "limit") || !strcmp(w, "floor") ||
	       !strcmp(w, "class") || !strcmp(w, "write_weight");
}

static const struct dm_arg write_weight_arg = {
	1, IOBAND_MAX_WEIGHT,
	"Invalid write_weight (expected <id>:<weight>, weight 1 to "
	__stringify(IOBAND_MAX_WEIGHT) ")"
};

/* [<id>:<weight>]..., up to the first "limit" */
static int parse_groups(struct dm_arg_set *as, struct ioband_args *a,
			char **error)
{
	unsigned int i, j;

	for (i = 0; i < as->argc; i++)
		if (is_limit_word(as->argv[i]))
			break;
	a->ngroups = i;
	if (!a->ngroups)
		return 0;
	if (a->type == &ioband_type_none) {
		*error = "Groups need a group type other than none";
		return -EINVAL;
	}
	if (a->ngroups > IOBAND_MAX_GROUPS) {
		*error = "Too many groups";
		return -EINVAL;
	}
	a->ids = kcalloc(a->ngroups, sizeof(*a->ids), GFP_KERNEL);
	a->weights = kcalloc(a->ngroups, sizeof(*a->weights), GFP_KERNEL);
	a->lims = kcalloc(a->ngroups, sizeof(*a->lims), GFP_KERNEL);
	if (!a->ids || !a->weights || !a->lims) {
		*error = "Cannot allocate memory for groups";
		return -ENOMEM;
	}
	for (i = 0; i < a->ngroups; i++) {
		char *idstr, *valstr;

		ioband_split_id_value(as->argv[i], &idstr, &valstr);
		if (!idstr || ioband_parse_id(a->type, idstr, &a->ids[i])) {
			*error = group_weight_arg.error;
			return -EINVAL;
		}
		if (read_uint(&group_weight_arg, valstr, &a->weights[i], error))
			return -EINVAL;
		for (j = 0; j < i; j++) {
			if (a->ids[j] == a->ids[i]) {
				*error = "Duplicate group ID";
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* The limits of group @idstr ("-1": the default group) of the line, or NULL. */
static struct ioband_limits *line_limits(struct ioband_args *a,
					 const char *idstr)
{
	unsigned int i;
	u64 id;

	if (!strcmp(idstr, "-1"))
		return &a->deflim;
	if (ioband_parse_id(a->type, idstr, &id))
		return NULL;
	for (i = 0; i < a->ngroups; i++)
		if (a->ids[i] == id)
			return &a->lims[i];
	return NULL;
}

/* "limit" or "floor" <spec> for @l: each once at most */
static int parse_rates(const char *word, const char *id, char *spec,
		       struct ioband_limits *l, char **error)
{
	struct ioband_caps *rates = word[0] == 'l' ? &l->caps : &l->floor;
	struct ioband_caps c = {};
	char why[128];

	if (ioband_caps_any(rates)) {
		*error = "Duplicate limit or floor for a group";
		return -EINVAL;
	}
	if (ioband_cap_parse(spec, &c, why, sizeof(why))) {
		/* ti->error is a constant: the details go to the log */
		DMWARN("table: %s for group %s: %s", word, id, why);
		*error = "Invalid limit or floor (expected <id>:<key>=<value>,... with keys "
			 IOBAND_CAP_KEYS "; see the kernel log)";
		return -EINVAL;
	}
	*rates = c;
	return 0;
}

/* A group's limits must agree: no floor above a cap, no floor when idle. */
static int check_limits(const struct ioband_limits *l, char **error)
{
	if (ioband_floor_above_cap(&l->floor, &l->caps)) {
		*error = "A floor is above its group's cap";
		return -EINVAL;
	}
	if (l->idle_class && ioband_caps_any(&l->floor)) {
		*error = "A group of the idle class cannot have a floor";
		return -EINVAL;
	}
	return 0;
}

/* [limit|floor <id>:<caps>]... [class <id>:idle|normal]..., after the groups */
static int parse_limits(struct dm_arg_set *as, struct ioband_args *a,
			char **error)
{
	struct ioband_limits *l;
	const char *word;
	char *arg, *spec;
	unsigned int i;
	int r;

	dm_consume_args(as, a->ngroups);
	while (as->argc) {
		word = dm_shift_arg(as);
		if (!is_limit_word(word) || !as->argc) {
			*error = "Expected limit, floor, class or write_weight after the groups";
			return -EINVAL;
		}
		/* dm_shift_arg() gives it const: the line's words are ours */
		arg = as->argv[0];
		dm_consume_args(as, 1);
		spec = strchr(arg, ':');
		if (spec)
			*spec++ = '\0';
		l = spec ? line_limits(a, arg) : NULL;
		if (!l) {
			*error = "Invalid limit (expected <id>:<value>, id -1 or a group above)";
			return -EINVAL;
		}
		if (word[0] == 'w') {
			r = read_uint(&write_weight_arg, spec, &l->write_weight,
				      error);
			if (r)
				return r;
		} else if (word[0] != 'c') {
			r = parse_rates(word, arg, spec, l, error);
			if (r)
				return r;
		} else if (!strcmp(spec, "idle") || !strcmp(spec, "normal")) {
			l->idle_class = spec[0] == 'i';
		} else {
			*error = "Invalid class (expected class <id>:idle or <id>:normal)";
			return -EINVAL;
		}
	}
	for (i = 0; i < a->ngroups; i++)
		if (check_limits(&a->lims[i], error))
			return -EINVAL;
	return check_limits(&a->deflim, error);
}

static int parse_table(struct dm_target *ti, unsigned int argc, char **argv,
		       struct ioband_args *a)
{
	struct dm_arg_set as = { .argc = argc, .argv = argv };
	struct dm_arg_set rest;
	int r;

	memset(a, 0, sizeof(*a));
	a->default_weight = IOBAND_DEFAULT_WEIGHT;
	if (argc < 2 || (argc > IOBAND_SHORT_ARGS && argc < IOBAND_LONG_ARGS)) {
		ti->error = IOBAND_TABLE_USAGE;
		return -EINVAL;
	}
	a->long_form = argc >= IOBAND_LONG_ARGS;
	/* the short form's four arguments lead the long form too */
	as.argc = min(argc, IOBAND_SHORT_ARGS);
	rest.argc = argc - as.argc;
	rest.argv = argv + as.argc;
	r = parse_short(&as, a, &ti->error);
	if (r || !a->long_form)
		return r;
	r = parse_long(&rest, a, &ti->error);
	if (r)
		return r;
	r = parse_groups(&rest, a, &ti->error);
	if (r)
		return r;
	return parse_limits(&rest, a, &ti->error);
}

/*
 * A plain table line on a device that already has an ioband target here
 * keeps that target's type and groups: LVM and dmsetup reload tables
 * without knowing what was configured by messages.
 */
static void group_limits(struct ioband_group *gp, struct ioband_limits *l)
{
	l->caps = gp->caps;
	l->floor = gp->floor;
	l->idle_class = gp->idle_class;
	l->write_weight = gp->write_weight;
}

static int inherit_config(struct ioband_target *t, struct ioband_target *old)
{
	struct ioband_limits l;
	struct ioband_group *gp;
	int r = 0;

	mutex_lock(&old->msg_lock);
	t->type = old->type;
	t->defgrp.weight = old->defgrp.weight;
	group_limits(&old->defgrp, &l);
	ioband_group_set_limits(&t->defgrp, &l);
	list_for_each_entry(gp, &old->groups, tgt_entry) {
		if (gp->dying)
			continue;
		group_limits(gp, &l);
		r = ioband_target_add_group(t, gp->id, gp->weight, &l);
		if (r)
			break;
	}
	mutex_unlock(&old->msg_lock);
	return r;
}

static struct ioband_target *target_alloc(struct dm_target *ti,
					  const struct ioband_args *a)
{
	struct ioband_target *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->ti = ti;
	mutex_init(&t->msg_lock);
	t->tree = RB_ROOT;
	INIT_LIST_HEAD(&t->groups);
	INIT_LIST_HEAD(&t->entry);
	t->type = a->type ?: &ioband_type_none;
	ioband_group_init(&t->defgrp, t, 0, a->default_weight);
	t->defgrp.is_default = true;
	ioband_group_set_limits(&t->defgrp, &a->deflim);
	return t;
}

/*
 * Join the domain: one the line creates starts with what the line says;
 * an existing one changes only when the table goes live (resume).
 */
static int target_join(struct ioband_target *t, const struct ioband_args *a)
{
	struct ioband_device *dp;
	bool created;

	lockdep_assert_held(&ioband_mutex);
	dp = ioband_device_get(a->devgroup, &created);
	if (!dp) {
		t->ti->error = "Cannot allocate memory for device group";
		return -ENOMEM;
	}
	t->dp = dp;
	if (!ioband_throttle_below_limit(a->set.throttle ?: dp->set_throttle,
					 a->set.limit ?: dp->set_limit)) {
		t->ti->error = "io_limit must be greater than io_throttle of the device group";
		ioband_device_put(dp);
		return -EINVAL;
	}
	t->want = a->set;
	if (created) {
		spin_lock_irq(&dp->lock);
		ioband_apply_settings(t);
		spin_unlock_irq(&dp->lock);
	}
	return 0;
}

static int target_add_groups(struct ioband_target *t,
			     const struct ioband_args *a)
{
	struct ioband_target *old;
	unsigned int i;
	int r = 0;

	old = a->long_form ? NULL : ioband_find_predecessor(t);
	if (old) {
		r = inherit_config(t, old);
	} else {
		for (i = 0; i < a->ngroups && !r; i++)
			r = ioband_target_add_group(t, a->ids[i], a->weights[i],
						    &a->lims[i]);
	}
	if (r) {
		ioband_target_free_groups(t);
		t->ti->error = "Cannot allocate memory for groups";
		return r;
	}
	if (t->type->hierarchical && ioband_cgroup_link_all(t)) {
		ioband_target_free_groups(t);
		t->ti->error = "Attached cgroups nest more than "
			__stringify(IOBAND_MAX_NESTING) " deep";
		return -EINVAL;
	}
	spin_lock_irq(&t->dp->lock);
	if (t->type->hierarchical)
		ioband_cgroup_commit_links(t);
	spin_unlock_irq(&t->dp->lock);
	return 0;
}

/*
 * Writeback sends bios of several MiB, each dozens of requests to the disk:
 * counted as one, they would never fill io_limit nor wait their turn.  So
 * dm core splits bios to about the size of the disk's requests, at aligned
 * boundaries, so that aligned smaller I/O stays whole.
 */
static sector_t split_sectors(struct dm_dev *dev)
{
	unsigned int max = queue_max_sectors(bdev_get_queue(dev->bdev));

	return rounddown_pow_of_two(max(max, 8U));
}

int ioband_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct ioband_target *t;
	struct ioband_args a;
	int r;

	r = parse_table(ti, argc, argv, &a);
	if (r)
		goto out_args;
	t = target_alloc(ti, &a);
	if (!t) {
		ti->error = "Cannot allocate memory for ioband target";
		r = -ENOMEM;
		goto out_args;
	}
	r = dm_get_device(ti, a.dev, dm_table_get_mode(ti->table), &t->dev);
	if (r) {
		ti->error = "Device lookup failed";
		goto out_free;
	}
	/* a zone takes its writes in order; groups would reorder them */
	if (bdev_is_zoned(t->dev->bdev)) {
		ti->error = "Zoned devices are not supported (ioband reorders writes)";
		r = -EINVAL;
		goto out_put;
	}
	r = dm_set_target_max_io_len(ti, split_sectors(t->dev));
	if (r)
		goto out_put;

	mutex_lock(&ioband_mutex);
	r = target_join(t, &a);
	if (r)
		goto out_unlock;
	r = target_add_groups(t, &a);
	if (r) {
		ioband_device_put(t->dp);
		goto out_unlock;
	}
	ioband_target_publish(t);
	mutex_unlock(&ioband_mutex);

	ti->private = t;
	ti->num_flush_bios = 1;
	ti->num_discard_bios = 1;
	ti->num_secure_erase_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->per_io_data_size = sizeof(struct ioband_bio);
	ti->accounts_remapped_io = true;
	kfree(a.ids);
	kfree(a.weights);
	kfree(a.lims);
	return 0;

out_unlock:
	mutex_unlock(&ioband_mutex);
out_put:
	dm_put_device(ti, t->dev);
out_free:
	kfree(t);
out_args:
	kfree(a.ids);
	kfree(a.weights);
	kfree(a.lims);
	return r;
}

void ioband_dtr(struct dm_target *ti)
{
	struct ioband_target *t = ti->private;

	/* dm suspended us first: nothing is held or in flight */
	ioband_target_leave_domain(t);
	mutex_lock(&ioband_mutex);
	ioband_target_unpublish(t);
	ioband_target_free_groups(t);
	dm_put_device(ti, t->dev);
	ioband_device_put(t->dp);
	mutex_unlock(&ioband_mutex);
	kfree(t);
}
