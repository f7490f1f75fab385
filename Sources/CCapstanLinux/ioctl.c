#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/prctl.h>
#include "CCapstanLinux.h"

int capstan_ioctl_ptr(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }

int capstan_O_DIRECT(void) { return O_DIRECT; }

int capstan_sync_file_range(int fd, long long offset, long long count, int wait) {
    unsigned int flags = SYNC_FILE_RANGE_WRITE;
    if (wait) flags |= SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WAIT_AFTER;
    return sync_file_range(fd, (off_t)offset, (off_t)count, flags);
}

int capstan_preallocate(int fd, long long offset, long long count) {
    return fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)count);
}

void capstan_name_thread(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }
