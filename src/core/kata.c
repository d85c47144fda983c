/*
 * kata: config.json, cgroupsPath and the init of a Kata container (kata.h).
 */
#include "kata.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kata_cid_valid(const char *cid)
{
	size_t n = strlen(cid);

	if (n == 0 || n > 128 || cid[0] == '.' || cid[0] == '-')
		return 0;
	return strspn(cid, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
	       n;
}

static const char *str_at(json_t *j, const char *a, const char *b)
{
	json_t *v = json_object_get(j, a);

	if (b)
		v = json_object_get(v, b);
	return json_string_value(v);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* Strings of a JSON array into sv; anything else in it is skipped. */
static int strings_into(json_t *a, struct strv *sv)
{
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *s = json_string_value(json_array_get(a, i));

		if (s && strv_push(sv, s) < 0)
			return -1;
	}
	return 0;
}

static int is_bind(json_t *m, const char *type)
{
	json_t *opts = json_object_get(m, "options");

	if (strcmp(type, "bind") == 0)
		return 1;
	for (size_t i = 0; i < json_array_size(opts); i++) {
		const char *o = json_string_value(json_array_get(opts, i));

		if (o && (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0))
			return 1;
	}
	return 0;
}

static int parse_mounts(json_t *a, struct kata_spec *s)
{
	s->mounts = calloc(json_array_size(a) + 1, sizeof(*s->mounts));
	if (!s->mounts)
		return -1;
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *m = json_array_get(a, i);
		const char *dest = str_at(m, "destination", NULL), *type = str_at(m, "type", NULL);
		struct kata_mount *k = &s->mounts[s->n_mounts];

		if (!dest || dest[0] != '/')
			continue; /* kata-agent too refuses it; nothing to name */
		k->dest = strdup(dest);
		k->source = dup_or_empty(str_at(m, "source", NULL));
		k->type = dup_or_empty(type);
		s->n_mounts++;
		if (!k->dest || !k->source || !k->type)
			return -1;
		k->bind = is_bind(m, k->type);
	}
	return 0;
}

static int parse_namespaces(json_t *a, struct strv *sv)
{
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *n = json_array_get(a, i);
		const char *type = str_at(n, "type", NULL), *path = str_at(n, "path", NULL);
		int rc;

		if (!type)
			continue;
		rc = path && *path ? strv_pushf(sv, "%s=%s", type, path) : strv_push(sv, type);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int fail_why(char *why, size_t size, const char *msg)
{
	snprintf(why, size, "%s", msg);
	return -1;
}

int kata_spec_parse(const char *text, size_t len, struct kata_spec *s, char *why, size_t why_size)
{
	json_error_t jerr;
	json_t *j, *linux_;
	const char *root;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	j = json_loadb(text, len, 0, &jerr);
	if (!j) {
		snprintf(why, why_size, "invalid JSON at line %d: %s", jerr.line, jerr.text);
		return -1;
	}
	root = str_at(j, "root", "path");
	linux_ = json_object_get(j, "linux");
	if (!json_object_get(j, "ociVersion") && !root)
		rc = fail_why(why, why_size, "not an OCI runtime spec (no ociVersion, no root)");
	else if (!root || !*root)
		rc = fail_why(why, why_size, "no root.path");
	else if (!json_array_size(json_object_get(json_object_get(j, "process"), "args")))
		rc = fail_why(why, why_size, "no process.args");
	else if (!(s->root = strdup(root)) ||
		 !(s->cgroups_path = dup_or_empty(str_at(linux_, "cgroupsPath", NULL))) ||
		 strings_into(json_object_get(json_object_get(j, "process"), "args"), &s->args) <
			 0 ||
		 parse_mounts(json_object_get(j, "mounts"), s) < 0 ||
		 strings_into(json_object_get(linux_, "maskedPaths"), &s->masked) < 0 ||
		 parse_namespaces(json_object_get(linux_, "namespaces"), &s->ns) < 0)
		rc = fail_why(why, why_size, "out of memory");
	else
		rc = 0;
	s->root_readonly = json_is_true(json_object_get(json_object_get(j, "root"), "readonly"));
	s->terminal = json_is_true(json_object_get(json_object_get(j, "process"), "terminal"));
	json_decref(j);
	return rc;
}

void kata_spec_free(struct kata_spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].dest);
		free(s->mounts[i].source);
		free(s->mounts[i].type);
	}
	free(s->mounts);
	free(s->root);
	free(s->cgroups_path);
	strv_free(&s->args);
	strv_free(&s->masked);
	strv_free(&s->ns);
	memset(s, 0, sizeof(*s));
}

/* systemd's slice path: "a-b-c.slice" lies in "a.slice/a-b.slice/"; "-.slice"
 * is the root. */
static int slice_path(const char *slice, struct strv *parts)
{
	size_t n = strlen(slice);
	const char *dash;

	if (strcmp(slice, "-.slice") == 0)
		return 0;
	if (n < 6 || strcmp(slice + n - 6, ".slice") != 0)
		return strv_push(parts, slice); /* not a slice name: as it is */
	for (dash = strchr(slice, '-'); dash && dash < slice + n - 6; dash = strchr(dash + 1, '-'))
		if (strv_pushf(parts, "%.*s.slice", (int)(dash - slice), slice) < 0)
			return -1;
	return strv_push(parts, slice);
}

/* "slice:prefix:name" (each part [\w.-]*, kata-agent's regex): the scope. */
static int systemd_dir(const char *p, const char *cid, struct strv *out)
{
	const char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	struct strv parts = {0};
	char slice[256], buf[4096];
	size_t n = 0;
	int rc;

	if (!c2 || strchr(c2 + 1, ':') || strchr(p, '/'))
		return 0;
	if (strlen(p) == 2) /* "::": kata-agent's own default */
		return strv_pushf(out, "/system.slice/kata_agent-%s.scope", cid);
	snprintf(slice, sizeof(slice), "%.*s", (int)(c1 - p), p);
	if (slice_path(slice[0] ? slice : "system.slice", &parts) < 0)
		return strv_free(&parts), -1;
	buf[0] = '\0';
	for (size_t i = 0; i < parts.n && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "/%s", parts.v[i]);
	strv_free(&parts);
	rc = strv_pushf(out, "%s/%.*s-%s.scope", buf, (int)(c2 - c1 - 1), c1 + 1, c2 + 1);
	return rc;
}

int kata_cgroup_dirs(const char *cgroups_path, const char *cid, struct strv *out)
{
	const char *p = cgroups_path ? cgroups_path : "";
	size_t before = out->n;
	char *colon;

	if (!*p)
		return strv_pushf(out, "/%s", cid);
	if (systemd_dir(p, cid, out) < 0)
		return -1;
	if (out->n > before) { /* the cgroupfs driver's reading of the same */
		if (strv_pushf(out, "%s%s", p[0] == '/' ? "" : "/", p) < 0)
			return -1;
		for (colon = out->v[out->n - 1]; (colon = strchr(colon, ':'));)
			*colon = '/';
		return 0;
	}
	return strv_pushf(out, "%s%s", p[0] == '/' ? "" : "/", p);
}

enum kata_args_match kata_args_match(const struct strv *argv, const struct strv *args)
{
	const char *a, *b;

	if (!argv || !argv->n || !args->n)
		return KATA_ARGS_DIFFER;
	if (argv->n == args->n) {
		size_t i = 0;

		while (i < args->n && strcmp(argv->v[i], args->v[i]) == 0)
			i++;
		if (i == args->n)
			return KATA_ARGS_SAME;
	}
	/* The program by its last component: execvp() may have found it on PATH. */
	a = strrchr(argv->v[0], '/');
	b = strrchr(args->v[0], '/');
	return strcmp(a ? a + 1 : argv->v[0], b ? b + 1 : args->v[0]) == 0 ? KATA_ARGS_SAME_PROGRAM
									   : KATA_ARGS_DIFFER;
}

/* 1 when a is a better init than b. */
static int better(const struct kata_candidate *a, const struct kata_candidate *b,
		  const struct strv *args)
{
	enum kata_args_match ma = kata_args_match(a->argv, args),
			     mb = kata_args_match(b->argv, args);

	if (ma != mb)
		return ma > mb;
	return a->start < b->start || (a->start == b->start && a->pid < b->pid);
}

long kata_pick_init(const struct kata_candidate *c, size_t n, const struct strv *args,
		    int need_args)
{
	long best = -1;

	for (size_t i = 0; i < n; i++)
		if (c[i].nspid == 1 &&
		    (!need_args || kata_args_match(c[i].argv, args) != KATA_ARGS_DIFFER) &&
		    (best < 0 || better(&c[i], &c[best], args)))
			best = (long)i;
	if (best >= 0)
		return best;
	/* A pod-shared pid namespace: no init of its own. */
	for (size_t i = 0; i < n; i++)
		if (c[i].parent_is_agent && kata_args_match(c[i].argv, args) != KATA_ARGS_DIFFER &&
		    (best < 0 || better(&c[i], &c[best], args)))
			best = (long)i;
	return best;
}

int kata_external_mounts(const struct kata_spec *s, struct ext_mount **ext, size_t *n_ext)
{
	*n_ext = 0;
	*ext = calloc(s->n_mounts + 1, sizeof(**ext));
	if (!*ext)
		return -1;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct kata_mount *m = &s->mounts[i];
		struct ext_mount *x = &(*ext)[*n_ext];

		if (!m->bind || !m->source[0])
			continue;
		snprintf(x->point, sizeof(x->point), "%s", m->dest);
		mountinfo_key(m->dest, x->key, sizeof(x->key));
		snprintf(x->source, sizeof(x->source), "%s", m->source);
		(*n_ext)++;
	}
	return 0;
}
