/* tarball: see tarball.h. */
#include "tarball.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_PATH  255 /* image_file's path holds 255 bytes */
#define MAX_DEPTH 8   /* pre/N/ images are 3 deep; nothing criu writes goes deeper */

/* The files of a checkpoint kept at the archive's top, as they are named
 * in the checkpoint directory too. */
static const char *const top_files[] = {
	"manifest.json", "dump.log", "restore.log", "stats-dump", "config.dump", "spec.dump", NULL,
};

static const struct {
	const char *end;
	enum tarball_kind kind;
} endings[] = {
	{".tar.zst", TARBALL_ZSTD},
	{".tar.gz", TARBALL_GZIP},
	{".tgz", TARBALL_GZIP},
	{".tar", TARBALL_TAR},
};

static size_t ending_len(const char *file, enum tarball_kind *kind)
{
	size_t len = strlen(file);

	for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
		size_t n = strlen(endings[i].end);

		if (len > n && strcmp(file + len - n, endings[i].end) == 0 &&
		    file[len - n - 1] != '/') {
			if (kind)
				*kind = endings[i].kind;
			return n;
		}
	}
	return 0;
}

enum tarball_kind tarball_kind_of(const char *file)
{
	enum tarball_kind k = TARBALL_UNKNOWN;

	ending_len(file, &k);
	return k;
}

const char *tarball_kind_name(enum tarball_kind k)
{
	switch (k) {
	case TARBALL_TAR: return "tar";
	case TARBALL_GZIP: return "gzip";
	case TARBALL_ZSTD: return "zstd";
	case TARBALL_UNKNOWN: break;
	}
	return "unknown";
}

static int plan_set(struct tarball_plan *p, enum tarball_action a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int plan_set(struct tarball_plan *p, enum tarball_action a, const char *fmt, ...)
{
	va_list ap;

	p->action = a;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The archive path in into out ("a/b", no leading "./", no empty
 * components) and its depth.  Returns 0, 1 for the archive's root itself
 * ("." or "./"), or -1 with p refused.
 */
static int normalize(const char *in, char *out, size_t size, int *depth, struct tarball_plan *p)
{
	size_t o = 0;

	*depth = 0;
	if (!in || !*in)
		return plan_set(p, TB_REFUSE, "an entry with an empty path");
	if (in[0] == '/')
		return plan_set(p, TB_REFUSE, "an absolute path");
	while (in[0] == '.' && in[1] == '/')
		for (in += 2; *in == '/'; in++)
			;
	if (!*in || strcmp(in, ".") == 0)
		return 1;
	while (*in) {
		size_t n = strcspn(in, "/");

		if (n == 0) {
			in++;
			continue;
		}
		if ((n == 1 && in[0] == '.') || (n == 2 && in[0] == '.' && in[1] == '.'))
			return plan_set(p, TB_REFUSE, "a '%s' component", n == 1 ? "." : "..");
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
				return plan_set(p, TB_REFUSE, "a control character in the path");
		if (o + n + 1 >= size || o + n + 1 > MAX_PATH)
			return plan_set(p, TB_REFUSE, "a path longer than 255 bytes");
		if (++*depth > MAX_DEPTH)
			return plan_set(p, TB_REFUSE, "a path deeper than 8 directories");
		if (o)
			out[o++] = '/';
		memcpy(out + o, in, n);
		o += n;
		in += n;
	}
	out[o] = '\0';
	return 0;
}

/* Whether a symbolic link at path (depth components) to target stays below
 * the archive's root, read without following anything. */
static int link_stays_inside(int depth, const char *target)
{
	int at = depth - 1; /* the link's directory */

	if (!*target || target[0] == '/')
		return 0;
	while (*target) {
		size_t n = strcspn(target, "/");

		if (n == 2 && target[0] == '.' && target[1] == '.') {
			if (--at < 0)
				return 0;
		} else if (n && !(n == 1 && target[0] == '.')) {
			at++;
		}
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)target[i] < 0x20 || target[i] == 0x7f)
				return 0;
		target += n;
		if (*target == '/')
			target++;
	}
	return 1;
}

static int is_top_file(const char *path)
{
	for (size_t i = 0; top_files[i]; i++)
		if (strcmp(path, top_files[i]) == 0)
			return 1;
	return 0;
}

/* Where the normalized path goes: 1 with dest set for the images
 * (checkpoint/ -> images/, pre/), 2 for a top file, 0 when not part of a
 * checkpoint. */
static int map_path(const char *path, char *dest, size_t size)
{
	if (strcmp(path, "checkpoint") == 0 || strncmp(path, "checkpoint/", 11) == 0) {
		snprintf(dest, size, "images%s", path + 10);
		return 1;
	}
	if (strcmp(path, "pre") == 0 || strncmp(path, "pre/", 4) == 0) {
		snprintf(dest, size, "%s", path);
		return 1;
	}
	if (is_top_file(path)) {
		/* Staged under another name until the import is checked: an
		 * attempt with manifest.json and a good dump.log is a dump
		 * criuctl decided to commit, for whoever finds it (recover.h). */
		int staged = strcmp(path, "manifest.json") == 0 || strcmp(path, "dump.log") == 0;

		snprintf(dest, size, "%s%s", staged ? TARBALL_STAGED : "", path);
		return 2;
	}
	return 0;
}

/* The hard link's target: a file taken among the images. */
static int judge_hardlink(const struct tarball_entry *e, struct tarball_plan *p)
{
	char path[MAX_PATH + 1];
	int depth;
	struct tarball_plan why = {0};

	if (!e->link || normalize(e->link, path, sizeof(path), &depth, &why) != 0)
		return plan_set(p, TB_REFUSE, "a hard link out of the archive (to '%s')",
				e->link ? e->link : "");
	if (map_path(path, p->link, sizeof(p->link)) != 1 || strcmp(p->link, "images") == 0 ||
	    strcmp(p->link, "pre") == 0)
		return plan_set(p, TB_REFUSE, "a hard link to '%s', which is not an image", path);
	return 0;
}

static int judge_kind(const struct tarball_entry *e, int depth, struct tarball_plan *p)
{
	if (e->type == TB_OTHER)
		return plan_set(p, TB_REFUSE, "a device node, fifo or socket");
	if (e->mode & 06000)
		return plan_set(p, TB_REFUSE, "a setuid or setgid bit (mode %s)",
				(e->mode & 04000) ? "u+s" : "g+s");
	if (e->type == TB_SYMLINK && !link_stays_inside(depth, e->link ? e->link : ""))
		return plan_set(p, TB_REFUSE, "a symbolic link out of the archive (to '%s')",
				e->link ? e->link : "");
	if (e->type == TB_HARDLINK)
		return judge_hardlink(e, p);
	if (e->type == TB_FILE && e->size < 0)
		return plan_set(p, TB_REFUSE, "a negative size");
	return 0;
}

static int judge_bounds(const struct tarball_bounds *b, const struct tarball_totals *t,
			const struct tarball_entry *e, struct tarball_plan *p)
{
	char n[32];

	if (t->files + 1 > b->max_files) {
		snprintf(n, sizeof(n), "%llu", (unsigned long long)b->max_files);
		return plan_set(p, TB_BOUND, "more than %s entries", n);
	}
	if (e->type == TB_FILE && (uint64_t)e->size > b->max_bytes - t->bytes) {
		snprintf(n, sizeof(n), "%llu", (unsigned long long)b->max_bytes);
		return plan_set(p, TB_BOUND, "more than %s bytes of files", n);
	}
	return 0;
}

/* The mapped entry's type against where it goes. */
static void judge_place(const struct tarball_entry *e, const char *path, int where,
			struct tarball_plan *p)
{
	int is_dir_place = strcmp(p->dest, "images") == 0 || strcmp(p->dest, "pre") == 0;

	p->action = TB_TAKE;
	if (where == 0) {
		plan_set(p, TB_LEAVE, "'%s' is not part of a checkpoint: left out", path);
		return;
	}
	if (where == 2 && e->type != TB_FILE)
		plan_set(p, TB_REFUSE, "'%s' must be a regular file", path);
	else if (is_dir_place && e->type != TB_DIR)
		plan_set(p, TB_REFUSE, "'%s' must be a directory", path);
	else if (e->type == TB_SYMLINK)
		snprintf(p->link, sizeof(p->link), "%s", e->link);
}

enum tarball_action tarball_judge(const struct tarball_bounds *b, struct tarball_totals *t,
				  const struct tarball_entry *e, struct tarball_plan *p)
{
	char path[MAX_PATH + 1];
	int depth, rc;

	memset(p, 0, sizeof(*p));
	rc = normalize(e->path, path, sizeof(path), &depth, p);
	if (rc < 0)
		return p->action;
	if (rc == 1 && e->type != TB_DIR) {
		plan_set(p, TB_REFUSE, "the archive's root as a non-directory");
		return p->action;
	}
	if (judge_kind(e, depth, p) < 0 || judge_bounds(b, t, e, p) < 0)
		return p->action;
	if (rc == 1)
		plan_set(p, TB_LEAVE, "the archive's root directory");
	else
		judge_place(e, path, map_path(path, p->dest, sizeof(p->dest)), p);
	if (p->action == TB_REFUSE)
		return p->action;
	t->files++;
	if (e->type == TB_FILE)
		t->bytes += (uint64_t)e->size;
	return p->action;
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void tarball_default_name(char *dst, const char *file)
{
	const char *base = strrchr(file, '/');
	size_t len, o = 0;

	base = base ? base + 1 : file;
	len = strlen(base) - ending_len(base, NULL);
	for (size_t i = 0; i < len && o < NAME_MAX_LEN; i++) {
		char c = base[i];

		if (o == 0 && !is_alnum(c))
			continue;
		dst[o++] = is_alnum(c) || c == '.' || c == '-' || c == '_' ? c : '_';
	}
	dst[o] = '\0';
	if (!o)
		snprintf(dst, NAME_MAX_LEN + 1, "imported");
}

json_t *tarball_config_dump(const struct manifest *m)
{
	/* checkpointctl reads podman's config.dump: times as RFC 3339. */
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", m->name, "name", m->name,
			 "rootfsImageName", "", "runtime", "criu", "createdTime", m->created,
			 "checkpointedTime", m->created);
}

/* The root task's argv (its cmdline's NUL-ended words). */
static json_t *root_args(const struct manifest *m)
{
	json_t *args = json_array();

	for (size_t i = 0; args && i < m->n_procs; i++) {
		const struct manifest_proc *p = &m->procs[i];

		if (p->pid != m->root_pid)
			continue;
		for (size_t at = 0; at < p->cmdline_len;) {
			size_t n = strnlen(p->cmdline + at, p->cmdline_len - at);

			json_array_append_new(args, json_stringn(p->cmdline + at, n));
			at += n + 1;
		}
		break;
	}
	return args;
}

json_t *tarball_spec_dump(const struct manifest *m)
{
	/* checkpointctl picks the engine by io.container.manager: "libpod"
	 * reads config.dump, which this archive has in podman's form. */
	return json_pack("{s:s, s:{s:o, s:s}, s:{s:s}, s:{s:s, s:s}}", "ociVersion", "1.0.2",
			 "process", "args", root_args(m), "cwd", "/", "root", "path",
			 m->root_source[0] ? m->root_source : "/", "annotations",
			 "io.container.manager", "libpod", "org.criuctl.checkpoint", m->name);
}

static int rfc3339_z(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return 0;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			;
	return s[i] == 'Z' && !s[i + 1] && strncmp(s, "0001-", 5) != 0;
}

void tarball_config_time(const char *text, size_t len, char *dst, size_t size)
{
	static const char *const keys[] = {"checkpointedTime", "createdTime"};
	json_t *j = json_loadb(text, len, 0, NULL);

	dst[0] = '\0';
	for (size_t i = 0; j && i < 2 && !dst[0]; i++) {
		const char *s = json_string_value(json_object_get(j, keys[i]));

		if (s && rfc3339_z(s))
			snprintf(dst, size, "%.19sZ", s);
	}
	json_decref(j);
}

int tarball_parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	uint64_t v = 0;
	const char *u;
	int shift = 0;

	if (!(*s >= '0' && *s <= '9'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s) {
		u = strchr(units, *s);
		if (!u || s[1])
			return -1;
		shift = 10 * (int)(u - units + 1);
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*bytes = v << shift;
	return 0;
}
