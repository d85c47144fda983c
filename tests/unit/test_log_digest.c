/* Unit tests of log_digest: a digest explains a log as the whole log does. */
#include "unit.h"

#include "criu_log.h"
#include "log_digest.h"
#include "verdict.h"

static const char *const logs[] = {
	"criu-3.17/check-vdso.log",
	"criu-3.17/dump-vdso.log",
	"criu-4.2.1/dump-criu-traced.log",
	"criu-4.2.1/dump-ext-unix-sk.log",
	"criu-4.2.1/dump-external-mount-fd.log",
	"criu-4.2.1/dump-fault-detach.log",
	"criu-4.2.1/dump-file-locks.log",
	"criu-4.2.1/dump-no-root-mount.log",
	"criu-4.2.1/dump-no-space.log",
	"criu-4.2.1/dump-ok.log",
	"criu-4.2.1/dump-rlimit-uid.log",
	"criu-4.2.1/dump-session-leader.log",
	"criu-4.2.1/dump-shell-job-pty.log",
	"criu-4.2.1/dump-shell-job.log",
	"criu-4.2.1/dump-tcp-iptables.log",
	"criu-4.2.1/dump-tcp-no-established.log",
	"criu-4.2.1/dump-tcp-ok.log",
	"criu-4.2.1/dump-traced.log",
	"criu-4.2.1/dump-vfork-dstate.log",
	"criu-4.2.1/predump-no-dirty-track.log",
	"criu-4.2.1/restore-no-mapping.log",
	"criu-4.2.1/restore-ok.log",
	"criu-4.2.1/restore-pid-in-use.log",
	"criu-4.2.1/restore-tcp-ok.log",
};

/* What explain reads of a log, side by side for the log and its digest. */
struct reading {
	struct verdict v;
	enum phase phase;
	char version[64];
	int criu_form;
};

static void read_log(const char *text, size_t len, struct reading *r)
{
	const struct criu_end end = {.exited = 1, .exit_status = 1};
	const char *p = text;
	struct log_line l;

	memset(r, 0, sizeof(*r));
	assert_int_equal(verdict_classify(text, len, &end, &r->v), 0);
	while (criu_log_next(&p, text + len, &l)) {
		r->phase = phase_next(r->phase, &l);
		r->criu_form |= l.has_ts || l.src[0];
	}
	criu_log_version(text, len, r->version, sizeof(r->version));
}

static void check_same(const char *row, const struct reading *want, const struct reading *got)
{
	check_str(row, got->v.id, want->v.id);
	check_int(row, got->v.evidence.n, want->v.evidence.n);
	for (size_t i = 0; i < want->v.evidence.n; i++)
		check_str(row, got->v.evidence.v[i], want->v.evidence.v[i]);
	check_int(row, got->phase, want->phase);
	check_str(row, got->version, want->version);
	check_int(row, got->criu_form, want->criu_form);
}

/* The digest of text fed in pieces of chunk bytes (0: whole). */
static void digest(const char *text, size_t len, size_t chunk, struct log_digest *d)
{
	log_digest_init(d);
	for (size_t at = 0; at < len;) {
		size_t n = chunk && chunk < len - at ? chunk : len - at;

		assert_int_equal(log_digest_feed(d, text + at, n), 0);
		at += n;
	}
	assert_int_equal(log_digest_end(d), 0);
}

/* Every fixture: the same verdict, evidence, phase and version, whatever
 * the pieces it is read in. */
static void test_fixtures_read_the_same(void **state)
{
	static const size_t chunks[] = {0, 1, 7, 4096};

	(void)state;
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		size_t len;
		char *text = fixture_read(logs[i], &len);
		struct reading want, got;

		read_log(text, len, &want);
		for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			struct log_digest d;

			digest(text, len, chunks[k], &d);
			read_log(d.text, d.len, &got);
			check_same(logs[i], &want, &got);
			check_int(logs[i], d.criu_form, want.criu_form);
			check_int(logs[i], d.phase, want.phase);
			verdict_free(&got.v);
			log_digest_free(&d);
		}
		verdict_free(&want.v);
		free(text);
	}
}

/* The fixture with n filler lines after its head: a big log. */
static char *padded(const char *rel, size_t n, size_t *len)
{
	size_t flen, head = 0, lines = 0;
	char *fix = fixture_read(rel, &flen), *out, *p;

	while (head < flen && lines < 20)
		lines += fix[head++] == '\n';
	out = malloc(flen + n * 48 + 1);
	assert_non_null(out);
	memcpy(out, fix, head);
	p = out + head;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "(00.000001) page-xfer: p 0x%zx - 0x1000\n", i);
	memcpy(p, fix + head, flen - head);
	*len = (size_t)(p - out) + flen - head;
	out[*len] = '\0';
	free(fix);
	return out;
}

static void test_big_log_bounded(void **state)
{
	static const char *const rels[] = {"criu-4.2.1/dump-tcp-no-established.log",
					   "criu-4.2.1/dump-ok.log"};

	(void)state;
	for (size_t i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		size_t len, flen;
		char *big = padded(rels[i], 50000, &len), *fix = fixture_read(rels[i], &flen);
		struct reading want, got;
		struct log_digest d;

		read_log(fix, flen, &want);
		digest(big, len, 65536, &d);
		if (d.len > flen + 64)
			fail_msg("%s: a digest of %zu bytes of a %zu-byte log", rels[i], d.len,
				 len);
		read_log(d.text, d.len, &got);
		check_same(rels[i], &want, &got);
		verdict_free(&want.v);
		verdict_free(&got.v);
		log_digest_free(&d);
		free(big);
		free(fix);
	}
}

/* Lines that would each be kept (errors that match a signature), far past
 * LOG_DIGEST_MAX: the digest stops growing, yet keeps the final line. */
static void test_cap(void **state)
{
	static const char line[] = "(00.1) Error (x.c:1): Can't fork for 14: File exists\n";
	static const char final[] = "(00.2) Error (criu/cr-restore.c:2612): Restoring FAILED.\n";
	struct log_digest d;

	(void)state;
	log_digest_init(&d);
	for (size_t i = 0; i < 2 * LOG_DIGEST_MAX / (sizeof(line) - 1); i++)
		assert_int_equal(log_digest_feed(&d, line, sizeof(line) - 1), 0);
	assert_int_equal(log_digest_feed(&d, final, sizeof(final) - 1), 0);
	assert_int_equal(log_digest_end(&d), 0);
	if (d.len > LOG_DIGEST_MAX + (LOG_DIGEST_TAIL + 1) * LOG_DIGEST_LINE_MAX)
		fail_msg("digest of %zu bytes", d.len);
	assert_non_null(strstr(d.text, "Restoring FAILED."));
	assert_int_equal(d.phase, PHASE_FAILED);
	log_digest_free(&d);
}

static void test_edges(void **state)
{
	static char longline[3 * LOG_DIGEST_LINE_MAX];
	struct log_digest d;

	(void)state;
	digest("", 0, 0, &d);
	assert_int_equal(d.len, 0);
	assert_string_equal(d.text, "");
	assert_int_equal(d.criu_form, 0);
	log_digest_free(&d);

	/* The last line without its '\n' is a line; NULs and garbage stay bytes. */
	digest("a\n(00.1) b", 10, 3, &d);
	assert_string_equal(d.text, "a\n(00.1) b\n");
	assert_int_equal(d.criu_form, 1);
	log_digest_free(&d);
	digest("x\0y\n\xff\n", 6, 1, &d);
	assert_int_equal(d.len, 6);
	assert_memory_equal(d.text, "x\0y\n\xff\n", 6);
	log_digest_free(&d);

	/* A line longer than LOG_DIGEST_LINE_MAX is cut, the next one whole. */
	memset(longline, 'x', sizeof(longline));
	longline[sizeof(longline) - 1] = '\n';
	log_digest_init(&d);
	assert_int_equal(log_digest_feed(&d, longline, sizeof(longline)), 0);
	assert_int_equal(log_digest_feed(&d, "next\n", 5), 0);
	assert_int_equal(log_digest_end(&d), 0);
	assert_int_equal(d.len, LOG_DIGEST_LINE_MAX + 1 + 5);
	assert_string_equal(d.text + LOG_DIGEST_LINE_MAX + 1, "next\n");
	log_digest_free(&d);
}

/* The head and the last LOG_DIGEST_TAIL lines are there, in order; what
 * lies between and matters to nothing is not. */
static void test_head_and_tail(void **state)
{
	struct log_digest d;
	char line[32], want[LOG_DIGEST_TAIL * 16] = "";
	size_t n = 0;

	(void)state;
	log_digest_init(&d);
	for (int i = 0; i < 1000; i++) {
		int k = snprintf(line, sizeof(line), "line %d\n", i);

		assert_int_equal(log_digest_feed(&d, line, (size_t)k), 0);
		if (i >= 1000 - LOG_DIGEST_TAIL)
			n += (size_t)snprintf(want + n, sizeof(want) - n, "line %d\n", i);
	}
	assert_int_equal(log_digest_end(&d), 0);
	assert_memory_equal(d.text, "line 0\nline 1\n", 14);
	assert_non_null(strstr(d.text, "line 400\n")); /* within the first 4 KiB */
	assert_null(strstr(d.text, "line 700\n"));
	assert_true(d.len >= n);
	assert_string_equal(d.text + d.len - n, want);
	log_digest_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_read_the_same),
		cmocka_unit_test(test_big_log_bounded),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_head_and_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
