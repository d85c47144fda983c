/*
 * Fuzzes criu_log (and phase, which reads its lines): any text as a CRIU
 * log, line by line (timestamp, restore pid prefix, level tag, source),
 * then the decisive lines of a failure, the run id and version read from
 * the head, success detection and the lock table name check.  A dump
 * writes the version into its manifest: that must work whatever it is.
 */
#include "fuzz.h"

#include "criu_log.h"
#include "manifest.h"
#include "phase.h"

static void check_line(const struct log_line *l, const char *buf, size_t size)
{
	fuzz_check(l->msg >= buf && l->msg + l->msg_len <= buf + size);
	fuzz_check(memchr(l->src, '\0', sizeof(l->src)) != NULL);
	fuzz_check(l->pid >= 0);
	(void)criu_log_harmless(l);
}

/* As commit_dump() does: the log's version into the manifest, written. */
static void check_manifest_version(const char *buf, size_t size)
{
	static struct manifest m;
	json_t *j;

	criu_log_version(buf, size, m.criu_version, sizeof(m.criu_version));
	j = manifest_to_json(&m);
	fuzz_check(j != NULL);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *p = buf;
	enum phase phase = PHASE_STARTING;
	struct strv lines = {0};
	struct log_line l;
	char word[48], tiny[4];
	int n;

	while (criu_log_next(&p, buf + size, &l)) {
		check_line(&l, buf, size);
		phase = phase_next(phase, &l);
	}
	fuzz_check(phase_name(phase) && phase_id(phase));
	n = criu_log_decisive(buf, size, 8, &lines);
	fuzz_check(n >= 0 && (size_t)n == lines.n && lines.n <= 8);
	for (size_t i = 0; i < lines.n; i++)
		fuzz_check(fuzz_printable(lines.v[i]));
	strv_free(&lines);

	criu_log_version(buf, size, tiny, sizeof(tiny));
	check_manifest_version(buf, size);
	criu_log_run_id(buf, size, tiny, sizeof(tiny));
	criu_log_run_id(buf, size, word, sizeof(word));
	(void)criu_lock_table_of(word, word);
	(void)criu_log_succeeded(buf, size);
	return 0;
}
