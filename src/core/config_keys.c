/*
 * config_keys: the key table (config_keys.h) and what `criuctl config`
 * reads of it (config.h: config_key_section, _name, _value).
 */
#include "config_keys.h"

#include <stdio.h>
#include <string.h>

const char *const config_sync_choices[] = {"full", "none", NULL};

int config_sync_none(const struct config *c)
{
	return strcmp(c->store_sync, "none") == 0;
}

/* [store] sync is no criu flag; this row only lends it its choices. */
static const struct criu_flag sync_choice = {.kind = FLAG_CHOICE, .choices = config_sync_choices};

/* criuctl's own keys; those of criu's flags come from the flag table
 * (flags.h), [dump] and [restore] each between these. */
static const struct key before[] = {
	{"criu", "path", K_PATH, offsetof(struct config, criu_path), NULL},
	{"criu", "env", K_ENV, offsetof(struct config, criu_env), NULL},
	{"store", "root", K_PATH, offsetof(struct config, store_root), NULL},
	{"store", "keep", K_COUNT, offsetof(struct config, keep), NULL},
	{"store", "keep_failed", K_COUNT, offsetof(struct config, keep_failed), NULL},
	{"store", "sync", K_CHOICE, offsetof(struct config, store_sync), &sync_choice},
};
static const struct key after_dump[] = {
	{"dump", "auto_flags", K_BOOL, offsetof(struct config, auto_flags), NULL},
};
static const struct key after_restore[] = {
	{"restore", "root", K_PATH, offsetof(struct config, restore_root), NULL},
	{"restore", "wait", K_BOOL, offsetof(struct config, restore_wait), NULL},
	{"restore", "verify", K_BOOL, offsetof(struct config, restore_verify), NULL},
	{"kata", "root", K_PATH, offsetof(struct config, kata_root), NULL},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The n-th flag of the table that section (CONF_DUMP, CONF_RESTORE) sets. */
static const struct criu_flag *section_flag(unsigned section, size_t n)
{
	for (size_t i = 0; flag_at(i); i++)
		if ((flag_at(i)->where & section) && flag_at(i)->key && n-- == 0)
			return flag_at(i);
	return NULL;
}

static enum key_type flag_type(const struct criu_flag *f)
{
	return f->kind == FLAG_BOOL	  ? K_BOOL
	       : f->kind == FLAG_CHOICE	  ? K_CHOICE
	       : f->kind == FLAG_DURATION ? K_DURATION
					  : K_LIST;
}

static int flag_key(unsigned section, size_t n, struct key *k)
{
	const struct criu_flag *f = section_flag(section, n);

	if (!f)
		return -1;
	*k = (struct key){section == CONF_DUMP ? "dump" : "restore", f->key, flag_type(f),
			  (section == CONF_DUMP ? offsetof(struct config, dump)
						: offsetof(struct config, restore)) +
				  f->off,
			  f};
	return 0;
}

int config_key_at(size_t i, struct key *k)
{
	size_t n;

	if (i < N(before))
		return *k = before[i], 0;
	i -= N(before);
	for (n = 0; section_flag(CONF_DUMP, n); n++)
		;
	if (i < n)
		return flag_key(CONF_DUMP, i, k);
	i -= n;
	if (i < N(after_dump))
		return *k = after_dump[i], 0;
	i -= N(after_dump);
	for (n = 0; section_flag(CONF_RESTORE, n); n++)
		;
	if (i < n)
		return flag_key(CONF_RESTORE, i, k);
	i -= n;
	return i < N(after_restore) ? (*k = after_restore[i], 0) : -1;
}

long config_key_index(const char *section, const char *name, struct key *k)
{
	for (size_t i = 0; config_key_at(i, k) == 0; i++)
		if (strcmp(k->section, section) == 0 && strcmp(k->name, name) == 0)
			return (long)i;
	return -1;
}

int config_section_has_keys(const char *section)
{
	struct key k;

	for (size_t i = 0; config_key_at(i, &k) == 0; i++)
		if (strcmp(k.section, section) == 0)
			return 1;
	return 0;
}

int config_key_is_list(const struct key *k)
{
	return k->type == K_LIST || k->type == K_ENV;
}

const char *config_key_section(size_t i)
{
	struct key k;

	return config_key_at(i, &k) == 0 ? k.section : NULL;
}

const char *config_key_name(size_t i)
{
	struct key k;

	return config_key_at(i, &k) == 0 ? k.name : NULL;
}

static void join_list(const struct strv *sv, char *dst, size_t size)
{
	size_t n = 0;

	dst[0] = '\0';
	for (size_t i = 0; i < sv->n && n < size; i++)
		n += (size_t)snprintf(dst + n, size - n, "%s%s", i ? ", " : "", sv->v[i]);
}

void config_key_value(const struct config *c, size_t i, char *dst, size_t size)
{
	struct key k;
	const void *field;

	if (config_key_at(i, &k) < 0)
		return;
	field = (const char *)c + k.offset;
	switch (k.type) {
	case K_PATH:
	case K_CHOICE: snprintf(dst, size, "%s", (const char *)field); break;
	case K_BOOL: snprintf(dst, size, "%s", *(const int *)field ? "true" : "false"); break;
	case K_COUNT: snprintf(dst, size, "%d", *(const int *)field); break;
	/* Not %g: it prints 1036800 (12d) as "1.0368e+06", which no parser takes back. */
	case K_DURATION: snprintf(dst, size, "%.15g", *(const double *)field); break;
	case K_LIST:
	case K_ENV: join_list((const struct strv *)field, dst, size); break;
	}
}
