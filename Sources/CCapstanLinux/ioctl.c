#define _GNU_SOURCE
#include <fcntl.h>
#include "CCapstanLinux.h"

int capstan_ioctl_ptr(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }

int capstan_O_DIRECT(void) { return O_DIRECT; }
