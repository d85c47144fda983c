/*
 * config_keys: the configuration's keys, in the order `criuctl config`
 * shows them: criuctl's own and, for [dump] and [restore], one per row of
 * the flag table (flags.h).  Internal to config.c,
 * config_keys.c and config_value.c.
 */
#ifndef CRIUCTL_CONFIG_KEYS_H
#define CRIUCTL_CONFIG_KEYS_H

#include <stddef.h>

#include "config.h"
#include "flags.h"

enum key_type { K_PATH, K_BOOL, K_COUNT, K_DURATION, K_LIST, K_CHOICE, K_ENV };

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	/* a key of the flag table; for [store] sync a row that only carries
	 * its choices; else NULL */
	const struct criu_flag *flag;
};

/* The i-th key into *k: 0, or -1 past the last. */
int config_key_at(size_t i, struct key *k);

/* The index of [section] name, with the key in *k; -1 when unknown. */
long config_key_index(const char *section, const char *name, struct key *k);

/* 1 when a key of [section] exists. */
int config_section_has_keys(const char *section);

/* 1 for the keys that accumulate (lists, env). */
int config_key_is_list(const struct key *k);

/* config_value.c: value, checked, into k's field of target (a list key
 * appends).  0, or -1 with the reason in msg. */
int config_key_set(struct config *target, const struct key *k, const char *value, char *msg,
		   size_t msgsize);

#endif
