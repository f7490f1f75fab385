#ifndef CCAPSTAN_LINUX_H
#define CCAPSTAN_LINUX_H
/* The Linux ioctl edge: MTIO (st driver) and SG_IO (sg driver). Swift's Glibc module includes neither header,
   and _IOR/_IOW request numbers are function-like macros, so they are exported here as functions. */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mtio.h>
#include <scsi/sg.h>
/* Extended attributes (the File daemon's xattr and ACL streams); Glibc's module does not include this header. */
#include <sys/xattr.h>
/* mallopt (the daemons keep freed packet buffers instead of trimming the heap: CapstanCLI MallocTuning). */
#include <malloc.h>
#include <sys/vfs.h>

/// The file system magic number (`statfs` f_type) of `path`, or -1 with errno set.
static inline long long capstan_fs_magic(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return (long long)(unsigned long)info.f_type;
}

static inline unsigned long capstan_MTIOCTOP(void) { return MTIOCTOP; }
static inline unsigned long capstan_MTIOCGET(void) { return MTIOCGET; }
static inline unsigned long capstan_MTIOCPOS(void) { return MTIOCPOS; }
static inline unsigned long capstan_SG_IO(void) { return SG_IO; }

static inline int capstan_GMT_EOF(long x) { return GMT_EOF(x) != 0; }
static inline int capstan_GMT_BOT(long x) { return GMT_BOT(x) != 0; }
static inline int capstan_GMT_EOT(long x) { return GMT_EOT(x) != 0; }
static inline int capstan_GMT_EOD(long x) { return GMT_EOD(x) != 0; }
static inline int capstan_GMT_ONLINE(long x) { return GMT_ONLINE(x) != 0; }
static inline int capstan_GMT_WR_PROT(long x) { return GMT_WR_PROT(x) != 0; }
static inline int capstan_GMT_DR_OPEN(long x) { return GMT_DR_OPEN(x) != 0; }

/* One non-variadic ioctl with a pointer argument: the single funnel the device layer calls. */
int capstan_ioctl_ptr(int fd, unsigned long request, void *arg);
/* The open flag O_DIRECT (spool files bypass the page cache): Glibc's module defines it only with _GNU_SOURCE, and
   its value differs between architectures, so the C side answers it. */
int capstan_O_DIRECT(void);
/* sync_file_range(2) (a virtual tape's write-behind: TapeDevices WriteBehind), declared by glibc only with
   _GNU_SOURCE. `wait` 0 starts writeback of the range (SYNC_FILE_RANGE_WRITE); 1 also waits for writeback of the
   range already under way before and after starting it (WAIT_BEFORE | WRITE | WAIT_AFTER). */
int capstan_sync_file_range(int fd, long long offset, long long count, int wait);
/* Names the calling thread as the kernel shows it (ps -L, top -H, perf): the first 15 bytes of `name`
   (prctl PR_SET_NAME, which truncates; pthread_setname_np refuses longer names). */
void capstan_name_thread(const char *name);
/* fallocate(2) with FALLOC_FL_KEEP_SIZE (TapeDevices Preallocation): allocates the blocks of the byte range without
   changing the file's size. 0, or -1 with errno (EOPNOTSUPP where the file system cannot, ENOSPC). */
int capstan_preallocate(int fd, long long offset, long long count);
/* Starts the program at `path` with posix_spawn(2): `argv` and `envp` NULL-terminated, descriptors `input`, `output`
   and `error` as its standard input, output and error, every other descriptor closed in the child
   (posix_spawn_file_actions_addclosefrom_np, close_range(2) — no walk of /proc/self/fd), no signal blocked and every
   signal at its default action; with `ownGroup` non-zero the child leads a new process group (its pgid is its pid).
   Returns 0 with the child's pid in `pid`, or the errno value of the failure (the exec's too: ENOENT, EACCES,
   ETXTBSY, ...). */
int capstan_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int input, int output, int error,
                  int ownGroup);
/* pipe2(ends, O_CLOEXEC), declared by glibc only with _GNU_SOURCE: a pipe no other child inherits. */
int capstan_pipe_cloexec(int ends[2]);
#endif
