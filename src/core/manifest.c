/*
 * manifest: JSON mapping of struct manifest.  The encoding is the contract
 * users and scripts read (CONTRACT.md, criuctl(1)); decoding reads back
 * what restore and list need and tolerates fields it does not know.
 */
#include "manifest.h"

#include "flags.h"

#include "jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void manifest_format_time(char *dst, size_t size, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(dst, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *opt_string(const char *s)
{
	return s[0] ? json_text(s) : json_null();
}

/* "options": every flag of the table with a key (flags.h), by that key. */
static json_t *opts_to_json(const struct criu_opts *o)
{
	json_t *j = json_object();

	for (size_t i = 0; j && flag_at(i); i++) {
		const struct criu_flag *f = flag_at(i);
		const void *v = flag_field_const(o, f);
		json_t *value = NULL;

		switch (f->kind) {
		case FLAG_BOOL: value = json_boolean(*(const int *)v); break;
		case FLAG_CHOICE: value = opt_string(v); break;
		case FLAG_DURATION: value = json_real(*(const double *)v); break;
		case FLAG_LIST:
		case FLAG_RAW: value = json_strv(v); break;
		case FLAG_ALWAYS: continue;
		}
		json_object_set_new(j, f->key, value);
	}
	return j;
}

static json_t *tree_to_json(const struct manifest *m)
{
	json_t *procs = json_array();

	for (size_t i = 0; procs && i < m->n_procs; i++) {
		const struct manifest_proc *p = &m->procs[i];

		json_t *o = json_pack("{s:i, s:i, s:i, s:i, s:o}", "pid", p->pid, "ppid", p->ppid,
				      "pgid", p->pgid, "sid", p->sid, "comm", json_text(p->comm));

		if (o)
			cmdline_to_json(o, "cmdline", p->cmdline, p->cmdline_len);
		json_array_append_new(procs, o);
	}
	return json_pack("{s:i, s:b, s:o}", "root_pid", m->root_pid, "own_pid_namespace",
			 m->own_pidns, "processes", procs);
}

static json_t *stats_to_json(const struct stats *s)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < s->n; i++)
		json_object_set_new(o, s->f[i].name, json_integer((json_int_t)s->f[i].value));
	return o;
}

static json_t *mounts_to_json(const struct manifest *m)
{
	json_t *ext = json_array();

	for (size_t i = 0; ext && i < m->n_ext; i++)
		json_array_append_new(
			ext,
			json_pack("{s:o, s:o, s:o}", "mountpoint", json_text(m->ext[i].point),
				  "key", json_text(m->ext[i].key), "source",
				  m->ext[i].source[0] ? json_text(m->ext[i].source) : json_null()));
	return json_pack("{s:b, s:o, s:o}", "own_namespace", m->own_mntns, "root",
			 m->root_source[0] ? json_text(m->root_source) : json_null(), "external",
			 ext);
}

/* NULL (no "files" key) for a manifest that is not sealed (yet). */
static json_t *files_to_json(const struct manifest *m)
{
	json_t *a = m->sealed ? json_array() : NULL;

	for (size_t i = 0; a && i < m->n_files; i++) {
		char hex[33];

		manifest_hex(m->files[i].xxh128, hex);
		json_array_append_new(a, json_pack("{s:o, s:I, s:s}", "path",
						   json_text(m->files[i].path), "size",
						   (json_int_t)m->files[i].size, "xxh128", hex));
	}
	return a;
}

/* Every string through json_text(): jansson refuses text that is not UTF-8,
 * and the criu version comes from criu's log, the kernel from uname, the rest
 * maybe from a manifest read back; one bad byte must not cost the manifest
 * (a dump whose manifest cannot be written is not committed). */
json_t *manifest_to_json(const struct manifest *m)
{
	return json_pack(
		"{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:o*, s:o, s:i, "
		"s:I, s:o*, s:o*}",
		"format", MANIFEST_FORMAT, "name", json_text(m->name), "created",
		json_text(m->created), "criuctl_version", json_text(m->criuctl_version),
		"criu_version", json_text(m->criu_version), "kernel", json_text(m->kernel), "tree",
		tree_to_json(m), "mounts", mounts_to_json(m), "options", opts_to_json(&m->opts),
		"auto_flags", json_strv(&m->auto_flags), "criu_argv", json_strv(&m->criu_argv),
		"duration_ms", (json_int_t)m->duration_ms, "images_bytes",
		(json_int_t)m->images_bytes, "files", files_to_json(m), "stats",
		stats_to_json(&m->stats), "pre_dumps", m->pre_dumps, "hook_wait_ms",
		(json_int_t)m->hook_wait_ms, "recovered",
		m->recovered[0] ? json_text(m->recovered) : NULL, "container",
		m->container[0] ? json_text(m->container) : NULL);
}

/* A string field cut to size at a character boundary: half a UTF-8
 * character would make the field unwritable as JSON. */
static void copy_string(char *dst, size_t size, json_t *v)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	size_t n = strlen(s);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--; /* s[n] continues a character begun before it */
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int strv_from_json(struct strv *sv, json_t *a)
{
	size_t i;
	json_t *v;

	json_array_foreach (a, i, v)
		if (json_is_string(v) && strv_push(sv, json_string_value(v)) < 0)
			return -1;
	return 0;
}

static int opts_from_json(struct criu_opts *o, json_t *j)
{
	for (size_t i = 0; flag_at(i); i++) {
		const struct criu_flag *f = flag_at(i);
		json_t *v = f->key ? json_object_get(j, f->key) : NULL;
		void *field = flag_field(o, f);

		switch (f->kind) {
		case FLAG_BOOL: *(int *)field = json_is_true(v); break;
		case FLAG_CHOICE: copy_string(field, CRIU_CHOICE_MAX, v); break;
		case FLAG_DURATION: *(double *)field = json_number_value(v); break;
		case FLAG_LIST:
		case FLAG_RAW:
			if (strv_from_json(field, v))
				return -1;
			break;
		case FLAG_ALWAYS: break;
		}
	}
	return 0;
}

static int procs_from_json(struct manifest *m, json_t *procs)
{
	size_t i, n = json_array_size(procs);
	json_t *v;

	m->procs = calloc(n ? n : 1, sizeof(*m->procs));
	if (!m->procs)
		return -1;
	json_array_foreach (procs, i, v) {
		struct manifest_proc *p = &m->procs[i];

		p->pid = (int)json_integer_value(json_object_get(v, "pid"));
		p->ppid = (int)json_integer_value(json_object_get(v, "ppid"));
		p->pgid = (int)json_integer_value(json_object_get(v, "pgid"));
		p->sid = (int)json_integer_value(json_object_get(v, "sid"));
		copy_string(p->comm, sizeof(p->comm), json_object_get(v, "comm"));
		p->cmdline_len = cmdline_from_json(v, "cmdline", p->cmdline, sizeof(p->cmdline));
	}
	m->n_procs = n;
	return 0;
}

static int mounts_from_json(struct manifest *m, json_t *j)
{
	json_t *ext = json_object_get(j, "external"), *v;
	size_t i;

	m->own_mntns = json_is_true(json_object_get(j, "own_namespace"));
	copy_string(m->root_source, sizeof(m->root_source), json_object_get(j, "root"));
	if (!json_array_size(ext))
		return 0;
	m->ext = calloc(json_array_size(ext), sizeof(*m->ext));
	if (!m->ext)
		return -1;
	json_array_foreach (ext, i, v) {
		struct ext_mount *x = &m->ext[m->n_ext++];

		copy_string(x->point, sizeof(x->point), json_object_get(v, "mountpoint"));
		copy_string(x->key, sizeof(x->key), json_object_get(v, "key"));
		copy_string(x->source, sizeof(x->source), json_object_get(v, "source"));
	}
	return 0;
}

static int fail(char *why, size_t size, const char *reason)
{
	snprintf(why, size, "%s", reason);
	return -1;
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* 1 when path stays below the directory it is relative to: not absolute,
 * and no component empty, "." or "..". */
static int path_below(const char *path)
{
	const char *p = path;

	for (;;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!p[n])
			return 1;
		p += n + 1;
	}
}

/* "files": absent in manifests written before sealing (m->sealed stays 0);
 * otherwise every entry must be whole: a file list that lies is damage. */
static int files_from_json(struct manifest *m, json_t *a, char *why, size_t why_size)
{
	size_t i;
	json_t *v;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return fail(why, why_size, "files is not an array");
	m->files = calloc(json_array_size(a) ? json_array_size(a) : 1, sizeof(*m->files));
	if (!m->files)
		return fail(why, why_size, "out of memory");
	json_array_foreach (a, i, v) {
		struct image_file *f = &m->files[i];
		const char *path = json_string_value(json_object_get(v, "path"));
		const char *hex = json_string_value(json_object_get(v, "xxh128"));
		json_t *size = json_object_get(v, "size");

		if (!path || !path[0] || strlen(path) >= sizeof(f->path) || !hex ||
		    strlen(hex) != 32 || strspn(hex, "0123456789abcdef") != 32 ||
		    !json_is_integer(size) || json_integer_value(size) < 0) {
			snprintf(why, why_size, "files[%zu] is not a path, size and xxh128", i);
			return -1;
		}
		if (!path_below(path)) {
			snprintf(why, why_size,
				 "files[%zu]: '%s' is not a path below the checkpoint", i, path);
			return -1;
		}
		snprintf(f->path, sizeof(f->path), "%s", path);
		f->size = (uint64_t)json_integer_value(size);
		for (size_t k = 0; k < sizeof(f->xxh128); k++)
			f->xxh128[k] =
				(unsigned char)(hexval(hex[2 * k]) << 4 | hexval(hex[2 * k + 1]));
	}
	m->n_files = json_array_size(a);
	qsort(m->files, m->n_files, sizeof(*m->files), manifest_file_cmp);
	m->sealed = 1;
	return 0;
}

/* What restore hands criu from the manifest, or names in its messages:
 * only what criuctl itself writes there. */
static int check_restore_inputs(const struct manifest *m, char *why, size_t why_size)
{
	static const char key_chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

	if (!name_valid(m->name))
		return snprintf(why, why_size, "name '%s' is not a checkpoint name", m->name), -1;
	if (m->root_source[0] && m->root_source[0] != '/')
		return snprintf(why, why_size, "mounts.root '%s' is not an absolute path",
				m->root_source),
		       -1;
	for (size_t i = 0; i < m->n_ext; i++) {
		const struct ext_mount *x = &m->ext[i];

		if (!x->key[0] || x->key[strspn(x->key, key_chars)])
			return snprintf(why, why_size,
					"mounts.external[%zu]: key '%s' is not a key", i, x->key),
			       -1;
		if (x->source[0] && x->source[0] != '/')
			return snprintf(why, why_size,
					"mounts.external[%zu]: source '%s' is not an absolute path",
					i, x->source),
			       -1;
	}
	if ((m->opts.manage_cgroups[0] && !criu_manage_cgroups_valid(m->opts.manage_cgroups)) ||
	    (m->opts.network_lock[0] && !criu_network_lock_valid(m->opts.network_lock)))
		return fail(why, why_size, "options: manage_cgroups or network_lock is not a mode");
	return 0;
}

/* "format": absent (1), or a number this criuctl knows.  0, -1 or -2 (newer). */
static int check_format(json_t *root, char *why, size_t why_size)
{
	json_t *f = json_object_get(root, "format");

	if (!f)
		return 0;
	if (!json_is_integer(f) || json_integer_value(f) < 1)
		return fail(why, why_size, "format is not a positive integer");
	if (json_integer_value(f) <= MANIFEST_FORMAT)
		return 0;
	snprintf(why, why_size, "format %lld is newer than criuctl %s reads (up to %d)",
		 (long long)json_integer_value(f), CRIUCTL_VERSION, MANIFEST_FORMAT);
	return -2;
}

int manifest_from_json(const char *text, size_t len, struct manifest *m, char *why, size_t why_size)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);
	json_t *tree;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!root) {
		snprintf(why, why_size, "invalid JSON at line %d: %s", jerr.line, jerr.text);
		return -1;
	}
	/* A newer format may lack or change any field below: look no further. */
	rc = check_format(root, why, why_size);
	tree = json_object_get(root, "tree");
	if (rc == 0 &&
	    (!json_is_string(json_object_get(root, "name")) ||
	     !json_is_string(json_object_get(root, "created")) || !json_is_object(tree) ||
	     !json_is_array(json_object_get(tree, "processes"))))
		rc = fail(why, why_size, "missing name, created or tree");
	if (rc == 0) {
		copy_string(m->name, sizeof(m->name), json_object_get(root, "name"));
		copy_string(m->created, sizeof(m->created), json_object_get(root, "created"));
		copy_string(m->criuctl_version, sizeof(m->criuctl_version),
			    json_object_get(root, "criuctl_version"));
		copy_string(m->criu_version, sizeof(m->criu_version),
			    json_object_get(root, "criu_version"));
		copy_string(m->kernel, sizeof(m->kernel), json_object_get(root, "kernel"));
		m->root_pid = (int)json_integer_value(json_object_get(tree, "root_pid"));
		m->own_pidns = json_is_true(json_object_get(tree, "own_pid_namespace"));
		m->duration_ms = json_integer_value(json_object_get(root, "duration_ms"));
		m->images_bytes =
			(uint64_t)json_integer_value(json_object_get(root, "images_bytes"));
		m->pre_dumps = (int)json_integer_value(json_object_get(root, "pre_dumps"));
		m->hook_wait_ms = json_integer_value(json_object_get(root, "hook_wait_ms"));
		copy_string(m->recovered, sizeof(m->recovered), json_object_get(root, "recovered"));
		copy_string(m->container, sizeof(m->container), json_object_get(root, "container"));
		if (procs_from_json(m, json_object_get(tree, "processes")) ||
		    opts_from_json(&m->opts, json_object_get(root, "options")) ||
		    strv_from_json(&m->criu_argv, json_object_get(root, "criu_argv")) ||
		    strv_from_json(&m->auto_flags, json_object_get(root, "auto_flags")) ||
		    mounts_from_json(m, json_object_get(root, "mounts")))
			rc = fail(why, why_size, "out of memory");
		if (rc == 0)
			rc = files_from_json(m, json_object_get(root, "files"), why, why_size);
		if (rc == 0)
			rc = check_restore_inputs(m, why, why_size);
	}
	json_decref(root);
	if (rc)
		manifest_free(m);
	return rc;
}

void manifest_free(struct manifest *m)
{
	free(m->procs);
	m->procs = NULL;
	m->n_procs = 0;
	criu_opts_free(&m->opts);
	strv_free(&m->criu_argv);
	strv_free(&m->auto_flags);
	free(m->ext);
	m->ext = NULL;
	m->n_ext = 0;
	free(m->files);
	m->files = NULL;
	m->n_files = 0;
}

void manifest_hex(const unsigned char xxh128[16], char dst[33])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t k = 0; k < 16; k++) {
		dst[2 * k] = digits[xxh128[k] >> 4];
		dst[2 * k + 1] = digits[xxh128[k] & 15];
	}
	dst[32] = '\0';
}

int manifest_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct image_file *)a)->path, ((const struct image_file *)b)->path);
}

enum file_damage manifest_compare_files(const struct image_file *want, size_t n_want,
					const struct image_file *got, size_t n_got, size_t *at,
					const struct image_file **found)
{
	for (size_t i = 0; i < n_want; i++) {
		const struct image_file *g =
			bsearch(&want[i], got, n_got, sizeof(*got), manifest_file_cmp);

		*at = i;
		*found = g;
		if (!g)
			return DAMAGE_MISSING;
		if (g->size != want[i].size)
			return DAMAGE_SIZE;
		if (memcmp(g->xxh128, want[i].xxh128, sizeof(g->xxh128)) != 0)
			return DAMAGE_HASH;
	}
	*found = NULL;
	return DAMAGE_NONE;
}
