/* writeback: see writeback.h. */
#include "writeback.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seal.h"

#define WB_FILES 256	     /* files followed; criu writes a few dozen */
#define WB_STEP	 (1ul << 20) /* write back in whole MiB: fewer, larger requests */
/* Any of these on a name after its hash was taken drops the hash. */
#define WB_CHANGES                                                                                 \
	(IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_OPEN)

struct wb_file {
	ino_t ino;
	int fd;
	off_t done; /* bytes whose writeback was started */
};

struct wb_hash {
	char name[NAME_MAX + 1];
	uint64_t size;
	unsigned char xxh128[16];
	int valid;
};

struct writeback {
	int dirfd;
	int inofd;  /* -1 without hashing */
	int wakefd; /* eventfd: writeback_stop() wakes the thread at once */
	int sync;
	char rel[64];
	pthread_t thread;
	atomic_int stop;
	int overflow; /* the event queue overflowed: no hash can be trusted */
	size_t n, n_hash;
	struct wb_file f[WB_FILES];
	struct wb_hash h[WB_FILES];
};

/* The file of inode ino, opened on first sight; NULL when the table is full
 * or it cannot be opened (then it is left to the commit). */
static struct wb_file *file_of(struct writeback *w, ino_t ino, const char *name)
{
	int fd;

	for (size_t i = 0; i < w->n; i++)
		if (w->f[i].ino == ino)
			return &w->f[i];
	if (w->n == WB_FILES)
		return NULL;
	fd = openat(w->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	w->f[w->n] = (struct wb_file){ino, fd, 0};
	return &w->f[w->n++];
}

/* One look at the directory: start the writeback of what each regular
 * file grew by, in whole steps (the tail waits for the next look or for
 * the commit).  Returns 1 when something grew. */
static int pass(struct writeback *w)
{
	int fd = openat(w->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int grew = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		struct wb_file *f;
		struct stat st;
		off_t end;

		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		f = file_of(w, de->d_ino, de->d_name);
		if (!f || fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		end = st.st_size - st.st_size % (off_t)WB_STEP;
		if (end > f->done) {
			sync_file_range(f->fd, f->done, end - f->done, SYNC_FILE_RANGE_WRITE);
			f->done = end;
			grew = 1;
		}
	}
	closedir(d);
	return grew;
}

static struct wb_hash *hash_of(struct writeback *w, const char *name, int add)
{
	for (size_t i = 0; i < w->n_hash; i++)
		if (strcmp(w->h[i].name, name) == 0)
			return &w->h[i];
	if (!add || w->n_hash == WB_FILES || strlen(name) > NAME_MAX)
		return NULL;
	snprintf(w->h[w->n_hash].name, sizeof(w->h[0].name), "%s", name);
	w->h[w->n_hash].valid = 0;
	return &w->h[w->n_hash++];
}

/* criu closed name after writing it: hash it now.  The inotify mask has no
 * IN_CLOSE_NOWRITE, and IN_OPEN drops the hash: this thread's own open
 * of the file comes back as IN_OPEN, so the hash is kept valid only after
 * that event was read (see on_event). */
static void take_hash(struct writeback *w, const char *name)
{
	struct wb_hash *h = hash_of(w, name, 1);
	int fd = openat(w->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (h)
		h->valid = 0;
	if (fd < 0)
		return;
	if (h && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    seal_hash_fd(fd, (uint64_t)st.st_size, h->xxh128) == 0) {
		h->size = (uint64_t)st.st_size;
		h->valid = -1; /* pending: valid once our own IN_OPEN has been read */
	}
	close(fd);
}

static void on_event(struct writeback *w, const struct inotify_event *ev)
{
	struct wb_hash *h;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->overflow = 1;
		return;
	}
	if (!ev->len)
		return;
	if (ev->mask & IN_CLOSE_WRITE) {
		take_hash(w, ev->name);
		return;
	}
	h = hash_of(w, ev->name, 0);
	if (!h)
		return;
	/* Our own open, which follows the hash's IN_CLOSE_WRITE, confirms the
	 * hash; anything else, or an open by someone else while we hashed
	 * (two IN_OPENs), drops it. */
	h->valid = (ev->mask & IN_OPEN) && h->valid == -1 ? 1 : 0;
}

/* Read and handle what inotify has. */
static void events(struct writeback *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(w->inofd, buf, sizeof(buf))) > 0)
		for (char *at = buf; at < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)at;

			on_event(w, ev);
			at += sizeof(*ev) + ev->len;
		}
}

/* Every WRITEBACK_PERIOD_MS while the images grow; while they do not (criu
 * collecting, waiting, stuck), less and less often, up to WB_IDLE_MS, so
 * that a stalled criu costs criuctl no CPU. */
#define WB_IDLE_MS 320

static void *run(void *arg)
{
	struct writeback *w = arg;
	int ms = WRITEBACK_PERIOD_MS;

	while (!atomic_load(&w->stop)) {
		struct pollfd p[2] = {{w->wakefd, POLLIN, 0}, {w->inofd, POLLIN, 0}};

		if (w->sync)
			ms = pass(w)		   ? WRITEBACK_PERIOD_MS
			     : ms * 2 > WB_IDLE_MS ? WB_IDLE_MS
						   : ms * 2;
		if (poll(p, w->inofd >= 0 ? 2 : 1, ms) > 0 && (p[1].revents & POLLIN))
			events(w);
	}
	return NULL;
}

/* The thread blocks every signal: criuctl's are the main thread's
 * (interrupt.h), as libuv's own threads do. */
static int start_thread(struct writeback *w)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, run, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

struct writeback *writeback_start(const char *dir, const char *rel, int sync, int hash)
{
	struct writeback *w = calloc(1, sizeof(*w));

	if (!w || (!sync && !hash)) {
		free(w);
		return NULL;
	}
	w->sync = sync;
	w->inofd = -1;
	w->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	snprintf(w->rel, sizeof(w->rel), "%s", rel);
	w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dirfd >= 0 && hash) {
		w->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (w->inofd >= 0 &&
		    inotify_add_watch(w->inofd, dir, IN_CLOSE_WRITE | WB_CHANGES | IN_ONLYDIR) <
			    0) {
			close(w->inofd);
			w->inofd = -1;
		}
	}
	if (w->dirfd < 0 || w->wakefd < 0 || start_thread(w) != 0) {
		if (w->wakefd >= 0)
			close(w->wakefd);
		if (w->inofd >= 0)
			close(w->inofd);
		if (w->dirfd >= 0)
			close(w->dirfd);
		free(w);
		return NULL;
	}
	return w;
}

/* The hashes still valid, as image files named rel/NAME. */
static void collect(struct writeback *w, struct image_file **known, size_t *n_known)
{
	struct image_file *v = w->n_hash && !w->overflow ? calloc(w->n_hash, sizeof(*v)) : NULL;
	size_t n = 0;

	for (size_t i = 0; v && i < w->n_hash; i++) {
		if (w->h[i].valid != 1 ||
		    (size_t)snprintf(v[n].path, sizeof(v[n].path), "%s/%s", w->rel, w->h[i].name) >=
			    sizeof(v[n].path))
			continue;
		v[n].size = w->h[i].size;
		memcpy(v[n].xxh128, w->h[i].xxh128, sizeof(v[n].xxh128));
		n++;
	}
	if (!n) {
		free(v);
		v = NULL;
	}
	*known = v;
	*n_known = n;
}

void writeback_stop(struct writeback *w, struct image_file **known, size_t *n_known)
{
	if (known) {
		*known = NULL;
		*n_known = 0;
	}
	if (!w)
		return;
	atomic_store(&w->stop, 1);
	eventfd_write(w->wakefd, 1); /* else the thread sees stop within WB_IDLE_MS */
	pthread_join(w->thread, NULL);
	close(w->wakefd);
	if (w->inofd >= 0) {
		/* criu has ended: the last of its events are in the queue. */
		events(w);
		if (known)
			collect(w, known, n_known);
		close(w->inofd);
	}
	for (size_t i = 0; i < w->n; i++)
		close(w->f[i].fd);
	close(w->dirfd);
	free(w);
}
