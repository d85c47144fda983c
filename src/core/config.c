/*
 * config: defaults, the inih handler and profiles (the key table is
 * config_keys.c, the value parsers config_value.c).  inih reports only the
 * line of the first handler failure, so the handler keeps the message of
 * that failure and stops; config_parse() glues "file:line: message"
 * together.
 */
#include "config.h"

#include "config_keys.h"
#include "flags.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* inih (r55) keeps at most MAX_SECTION - 1 = 49 characters of a section
 * name and drops the rest without a word; "profile." takes 8 of them. */
#define INIH_SECTION_MAX 50
#define PROFILE_NAME_MAX (INIH_SECTION_MAX - 2 - 8)
_Static_assert(PROFILE_NAME_MAX < sizeof(((struct config_profile *)0)->name), "profile name");

int config_store_fallback(const struct store_seen *s)
{
	if (s->default_exists)
		return 0;
	return s->fallback_exists || !s->default_makeable;
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->store_root, sizeof(c->store_root), "%s", STORE_DEFAULT_ROOT);
	c->auto_flags = 1;
	snprintf(c->kata_root, sizeof(c->kata_root), "%s", KATA_DEFAULT_ROOT);
	c->restore_verify = 1;
	c->keep_failed = DEFAULT_KEEP_FAILED;
	snprintf(c->store_sync, sizeof(c->store_sync), "%s", config_sync_choices[0]);
	c->dump.timeout = c->restore.timeout = DEFAULT_TIMEOUT;
	c->dump.stall_timeout = c->restore.stall_timeout = DEFAULT_STALL_TIMEOUT;
}

void config_free(struct config *c)
{
	strv_free(&c->criu_env);
	criu_opts_free(&c->dump);
	criu_opts_free(&c->restore);
	for (size_t i = 0; i < c->n_profiles; i++) {
		strv_free(&c->profiles[i].keys);
		strv_free(&c->profiles[i].values);
		free(c->profiles[i].lines);
	}
	free(c->profiles);
	c->profiles = NULL;
	c->n_profiles = 0;
}

struct parse_state {
	struct config *c;
	const char *filename;
	struct config *scratch; /* profile values are validated on it */
	unsigned char seen[CONFIG_MAX_KEYS];
	const char *next; /* the text not yet handed to inih */
	int lineno;	  /* lines handed to inih so far */
	int bad_line;	  /* the line of the handler's first failure, or 0 */
	char msg[512];	  /* its message */
};

static struct config_profile *find_profile(struct config *c, const char *name)
{
	for (size_t i = 0; i < c->n_profiles; i++)
		if (strcmp(c->profiles[i].name, name) == 0)
			return &c->profiles[i];
	return NULL;
}

static struct config_profile *add_profile(struct config *c, const char *name)
{
	struct config_profile *p = realloc(c->profiles, (c->n_profiles + 1) * sizeof(*p));

	if (!p)
		return NULL;
	c->profiles = p;
	p = &c->profiles[c->n_profiles++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	return p;
}

/* [profile.NAME] key = value: checked now (on a scratch config), applied on demand. */
static int apply_profile_key(struct parse_state *st, const char *pname, const char *name,
			     const char *value)
{
	struct key k;
	long i = config_key_index("dump", name, &k);
	struct config_profile *p;
	int *lines;

	if (!*pname || strchr(pname, ' '))
		return snprintf(st->msg, sizeof(st->msg), "bad profile name '%s'", pname), 0;
	/* inih cuts longer section names short, silently: the name may be cut. */
	if (strlen(pname) > PROFILE_NAME_MAX)
		return snprintf(st->msg, sizeof(st->msg),
				"profile name '%s...' is too long (at most %d characters)", pname,
				PROFILE_NAME_MAX),
		       0;
	if (i < 0)
		return snprintf(st->msg, sizeof(st->msg),
				"unknown key '%s' in [profile.%s] (profiles take [dump] keys)",
				name, pname),
		       0;
	p = find_profile(st->c, pname);
	if (!p && !(p = add_profile(st->c, pname)))
		return snprintf(st->msg, sizeof(st->msg), "out of memory"), 0;
	if (!config_key_is_list(&k) && strv_contains(&p->keys, name))
		return snprintf(st->msg, sizeof(st->msg), "%s: given twice in [profile.%s]", name,
				pname),
		       0;
	if (config_key_set(st->scratch, &k, value, st->msg, sizeof(st->msg)) < 0)
		return 0;
	/* realloc() may have moved the old block: keep the new one at once. */
	lines = realloc(p->lines, (p->keys.n + 1) * sizeof(*lines));
	if (lines)
		p->lines = lines;
	if (!lines || strv_push(&p->keys, name) < 0 || strv_push(&p->values, value) < 0)
		return snprintf(st->msg, sizeof(st->msg), "out of memory"), 0;
	p->lines[p->keys.n - 1] = st->lineno;
	return 1;
}

static int apply(struct parse_state *st, const char *section, const char *name, const char *value)
{
	struct key k;
	long i;

	if (strncmp(section, "profile.", 8) == 0)
		return apply_profile_key(st, section + 8, name, value);
	i = config_key_index(section, name, &k);
	if (i >= 0) {
		if (st->seen[i]++ && !config_key_is_list(&k))
			return snprintf(st->msg, sizeof(st->msg), "%s: given twice in [%s]", name,
					section),
			       0;
		if (config_key_set(st->c, &k, value, st->msg, sizeof(st->msg)) < 0)
			return 0;
		snprintf(st->c->origin[i], CONFIG_ORIGIN_MAX, "%s:%d", st->filename, st->lineno);
		return 1;
	}
	if (config_section_has_keys(section))
		return snprintf(st->msg, sizeof(st->msg), "unknown key '%s' in [%s]", name,
				section),
		       0;
	snprintf(st->msg, sizeof(st->msg), "unknown section [%s]", section);
	return 0;
}

/*
 * inih goes on after a failing line and returns the number of the first
 * one, which may be a syntax error the handler never saw: keep the message
 * of the handler's first failure and its line, and ignore what follows.
 */
static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;

	if (st->bad_line || apply(st, section, name, value))
		return 1;
	st->bad_line = st->lineno;
	return 0;
}

/* inih's line reader (as ini_parse_string's), counting lines for handler(). */
static char *read_line(char *buf, int size, void *stream)
{
	struct parse_state *st = stream;
	int n = 0;

	if (!*st->next || size < 2)
		return NULL;
	while (n < size - 1 && st->next[n]) {
		buf[n] = st->next[n];
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	st->next += n;
	st->lineno++;
	/* inih's buffer holds size - 1 characters: what does not fit would come
	 * back as a line of its own, with every line number after it off by one.
	 * A long comment is harmless; a long setting is an error, not cut short. */
	if (n == size - 1 && buf[n - 1] != '\n' && *st->next) {
		size_t rest = strcspn(st->next, "\n");
		const char *first = buf + strspn(buf, " \t");

		if (rest && !st->bad_line && *first != '#' && *first != ';') {
			st->bad_line = st->lineno;
			snprintf(st->msg, sizeof(st->msg),
				 "line longer than %d characters (a list can go on over "
				 "repeated keys)",
				 size - 1);
		}
		st->next += rest + (st->next[rest] == '\n');
	}
	return buf;
}

/*
 * Section headers, checked before inih runs: inih only tells the handler
 * about sections that hold keys, so an empty unknown section would pass and
 * an empty [profile.NAME] would not exist.  Returns 0, or the line of the
 * first unknown section (its message in st->msg).
 */
static int check_sections(struct parse_state *st, const char *text)
{
	static const char *const known[] = {"criu", "store", "dump", "restore", "kata", NULL};
	const char *p = text, *line;
	size_t len;
	int lineno = 0;

	while (text_next_line(&p, text + strlen(text), &line, &len)) {
		char name[128];
		const char *close;
		int ok = 0;

		lineno++;
		while (len && (*line == ' ' || *line == '\t'))
			line++, len--;
		close = len ? memchr(line, ']', len) : NULL;
		if (!len || *line != '[' || !close || close - line - 1 >= (long)sizeof(name))
			continue; /* not a header (inih reports malformed ones) */
		snprintf(name, sizeof(name), "%.*s", (int)(close - line - 1), line + 1);
		for (size_t i = 0; known[i]; i++)
			ok |= strcmp(name, known[i]) == 0;
		if (!ok && strncmp(name, "profile.", 8) == 0) {
			const char *pname = name + 8;

			if (!*pname || strchr(pname, ' '))
				snprintf(st->msg, sizeof(st->msg), "bad profile name '%s'", pname);
			else if (strlen(pname) > PROFILE_NAME_MAX)
				snprintf(st->msg, sizeof(st->msg),
					 "profile name '%s' is too long (at most %d characters)",
					 pname, PROFILE_NAME_MAX);
			else
				ok = find_profile(st->c, pname) || add_profile(st->c, pname);
			if (!ok)
				return lineno;
		}
		if (!ok) {
			snprintf(st->msg, sizeof(st->msg), "unknown section [%s]", name);
			return lineno;
		}
	}
	return 0;
}

/* The line of the first NUL byte of text[0..len), or 0: inih and the
 * section check stop at a NUL, and would take what follows for no text. */
static int nul_line(const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);
	int line = 1;

	if (!nul)
		return 0;
	for (const char *p = text; p < nul; p++)
		line += *p == '\n';
	return line;
}

int config_parse(struct config *c, const char *text, size_t len, const char *filename,
		 struct cc_err *e)
{
	struct parse_state st = {.c = c, .next = text, .filename = filename};
	int line;

	snprintf(c->file, sizeof(c->file), "%s", filename);
	line = nul_line(text, len);
	if (line) {
		err_set(e, CC_EXIT_USAGE, "config-invalid", "%s:%d: a NUL byte: not a text file",
			filename, line);
		err_remedy(e, "Give criuctl.conf(5), a text file.");
		return -1;
	}
	line = check_sections(&st, text);
	if (line) {
		err_set(e, CC_EXIT_USAGE, "config-invalid", "%s:%d: %s", filename, line, st.msg);
		err_remedy(e,
			   "Sections are [criu], [store], [dump], [restore] and [profile.NAME].");
		return -1;
	}
	st.scratch = calloc(1, sizeof(*st.scratch));
	if (!st.scratch)
		return err_set(e, CC_EXIT_ENV, "out-of-memory", "out of memory");
	line = ini_parse_stream(read_line, &st, handler, &st);
	config_free(st.scratch);
	free(st.scratch);
	/* The first failure: the handler's or read_line()'s, or inih's syntax error. */
	if (st.bad_line && (line == 0 || st.bad_line <= line))
		line = st.bad_line;
	else if (line == 0)
		return 0;
	else
		snprintf(st.msg, sizeof(st.msg), "syntax error");
	err_set(e, CC_EXIT_USAGE, "config-invalid", "%s:%d: %s", filename, line, st.msg);
	err_remedy(e, "Fix the line; criuctl.conf(5) lists every key.");
	return -1;
}

int config_apply_profile(struct config *c, const char *name, struct cc_err *e)
{
	struct config_profile *p = find_profile(c, name);
	struct parse_state st = {.c = c};
	unsigned char cleared[CONFIG_MAX_KEYS] = {0};
	struct key k;

	if (!p) {
		err_set(e, CC_EXIT_USAGE, "no-such-profile", "no [profile.%s] in %s", name,
			c->file[0] ? c->file : "the configuration (no config file was read)");
		err_remedy(e, "'criuctl config' shows the configuration; profiles are "
			      "[profile.NAME] sections.");
		return -1;
	}
	for (size_t j = 0; j < p->keys.n; j++) {
		long i = config_key_index("dump", p->keys.v[j], &k);

		/* A profile's list replaces the [dump] list, it does not extend it. */
		if (config_key_is_list(&k) && !cleared[i]++)
			strv_free((struct strv *)((char *)c + k.offset));
		if (config_key_set(c, &k, p->values.v[j], st.msg, sizeof(st.msg)) < 0)
			return err_set(e, CC_EXIT_USAGE, "config-invalid", "%s", st.msg);
		snprintf(c->origin[i], CONFIG_ORIGIN_MAX, "%s:%d [profile.%s]", c->file,
			 p->lines[j], name);
	}
	return 0;
}
