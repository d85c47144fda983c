/*
 * manifest_decode: reading a manifest back (manifest_from_json()).  It
 * takes what restore and list need, tolerates fields it does not know,
 * refuses a newer format, and checks what restore hands criu or names in
 * its messages (pids, paths below the images directory, flag values, the
 * sealed files' hashes) before anything uses it.
 */
#include "manifest.h"

#include "flags.h"

#include "jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
