/*
 * cleanup: resources released by construction.  A local variable declared
 * with one of these is released when it goes out of scope, on every return
 * path, so a function needs neither a goto ladder nor a release before each
 * return:
 *
 *	cleanup_free char *buf = NULL;      free()
 *	cleanup_close int fd = -1;          close() when >= 0
 *	cleanup_closedir DIR *d = NULL;     closedir() when not NULL
 *	cleanup_json json_t *j = NULL;      json_decref()
 *	cleanup_strv struct strv v = {0};   strv_free()
 *
 * Initialise the variable where it is declared (NULL or -1 when there is
 * nothing yet).  To hand the resource to the caller, take it out:
 * take_ptr(buf) and take_fd(fd) return it and leave NULL or -1 behind.
 * The release keeps errno, so an error path may return -1 with the errno
 * of what failed.
 *
 * A header of the core so that every layer uses the same ones; the pure
 * core may use only cleanup_free, cleanup_json and cleanup_strv (make
 * layers checks that it calls no close()).
 */
#ifndef CRIUCTL_CLEANUP_H
#define CRIUCTL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "strv.h"

static inline void cleanup_free_ptr(void *p)
{
	int saved = errno;

	free(*(void **)p);
	errno = saved;
}

static inline void cleanup_close_fd(const int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

static inline void cleanup_close_dir(DIR **d)
{
	int saved = errno;

	if (*d)
		closedir(*d);
	errno = saved;
}

static inline void cleanup_json_decref(json_t **j)
{
	json_decref(*j);
}

#define cleanup_free	 __attribute__((cleanup(cleanup_free_ptr)))
#define cleanup_close	 __attribute__((cleanup(cleanup_close_fd)))
#define cleanup_closedir __attribute__((cleanup(cleanup_close_dir)))
#define cleanup_json	 __attribute__((cleanup(cleanup_json_decref)))
#define cleanup_strv	 __attribute__((cleanup(strv_free)))

/* The value of p, which is no longer released here (p becomes NULL). */
#define take_ptr(p)                                                                                \
	({                                                                                         \
		__typeof__(p) taken_ = (p);                                                        \
		(p) = NULL;                                                                        \
		taken_;                                                                            \
	})

/* The fd, which is no longer closed here (fd becomes -1). */
#define take_fd(fd)                                                                                \
	({                                                                                         \
		int taken_ = (fd);                                                                 \
		(fd) = -1;                                                                         \
		taken_;                                                                            \
	})

#endif
