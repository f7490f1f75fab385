#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>
#include "CCapstanLinux.h"

/* A descriptor at 3 or above that refers to the same file as `fd`, close-on-exec (the caller closes it): so that
   dup2 onto 0, 1 and 2 in the child never overwrites a source still to be duplicated. */
static int above_standard(int fd, int *duplicate) {
    *duplicate = -1;
    if (fd >= 3) return fd;
    *duplicate = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    return *duplicate;
}

int capstan_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int input, int output, int error,
                  int ownGroup) {
    int copies[3] = {-1, -1, -1};
    int sources[3] = {input, output, error};
    int result = 0;
    for (int target = 0; target < 3 && result == 0; target++) {
        sources[target] = above_standard(sources[target], &copies[target]);
        if (sources[target] < 0) result = errno;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int haveActions = 0, haveAttributes = 0;
    if (result == 0) result = posix_spawn_file_actions_init(&actions);
    if (result == 0) haveActions = 1;
    for (int target = 0; target < 3 && result == 0; target++)
        result = posix_spawn_file_actions_adddup2(&actions, sources[target], target);
    /* close_range(3, ~0) in the child: nothing of the parent's reaches the program but its three standard streams */
    if (result == 0) result = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (result == 0) result = posix_spawnattr_init(&attributes);
    if (result == 0) haveAttributes = 1;
    sigset_t none, every;
    sigemptyset(&none);
    sigfillset(&every);
    /* the program starts with no signal blocked and every signal at its default action (a daemon ignores SIGPIPE,
       and an ignored signal would otherwise stay ignored across exec) */
    if (result == 0) result = posix_spawnattr_setsigmask(&attributes, &none);
    if (result == 0) result = posix_spawnattr_setsigdefault(&attributes, &every);
    /* ownGroup: the program leads a process group of its own (its pid), so that whatever it starts can be signalled
       with it */
    if (result == 0 && ownGroup) result = posix_spawnattr_setpgroup(&attributes, 0);
    if (result == 0)
        result = posix_spawnattr_setflags(
            &attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (ownGroup ? POSIX_SPAWN_SETPGROUP : 0));
    if (result == 0) result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    if (haveAttributes) posix_spawnattr_destroy(&attributes);
    if (haveActions) posix_spawn_file_actions_destroy(&actions);
    for (int target = 0; target < 3; target++)
        if (copies[target] >= 0) close(copies[target]);
    return result;
}

int capstan_pipe_cloexec(int ends[2]) { return pipe2(ends, O_CLOEXEC); }
