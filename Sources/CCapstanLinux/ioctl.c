#include "CCapstanLinux.h"

int capstan_ioctl_ptr(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
