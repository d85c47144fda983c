/*
 * manifest: JSON mapping of struct manifest.  The encoding is the contract
 * users and scripts read (CONTRACT.md, criuctl(1)); decoding
 * (manifest_decode.c) reads back what restore and list need and tolerates
 * fields it does not know.  Also the sealed files' helpers: hex of a hash,
 * order, comparison.
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
