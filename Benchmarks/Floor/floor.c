/*
 * The least CPU any Storage daemon can spend per GiB on this machine: a receiver that does only what every SD must
 * (read a TCP stream, put it into 1 MiB blocks, write the blocks to a file through the page cache, checksum each
 * block), measured with getrusage, beside a sender on loopback. scripts/bench-floor runs it; see docs/benchmarks.md.
 *
 *   floor receive PORT FILE MODE   reads of at most 64 KiB (as SwiftNIO reads a socket); MODE: null (read and
 *                                  drop), file (read straight into the 1 MiB block, write each full block), crc
 *                                  (file + CRC-32 of each block), copy (crc, each read copied into the block: the
 *                                  one copy a framed protocol makes an SD do)
 *   floor send PORT BYTES CHUNK    writes BYTES of random data to 127.0.0.1:PORT in writes of CHUNK bytes
 *
 * The receiver prints "MODE bytes user_s system_s" when its peer closes.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "CBlockChecksum.h"

enum { BLOCK = 1 << 20, READ = 64 << 10 };

static int fail(const char *what) {
    perror(what);
    return 1;
}

static int receive(int port, const char *path, const char *mode) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0) return fail("bind");
    if (listen(listener, 1) != 0) return fail("listen");
    printf("listening\n");
    fflush(stdout);
    int peer = accept(listener, NULL, NULL);
    if (peer < 0) return fail("accept");
    int null = strcmp(mode, "null") == 0, crc = strcmp(mode, "crc") == 0 || strcmp(mode, "copy") == 0;
    int copy = strcmp(mode, "copy") == 0;
    int file = null ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!null && file < 0) return fail("open");
    uint8_t *block = aligned_alloc(4096, BLOCK), *chunk = aligned_alloc(4096, READ);
    size_t filled = 0;
    long long total = 0;
    uint32_t checksum = 0;
    for (;;) {
        ssize_t got;
        size_t want = BLOCK - filled < READ ? BLOCK - filled : READ;
        if (null) {
            got = read(peer, chunk, READ);
        } else if (copy) {
            got = read(peer, chunk, want);
            if (got > 0) memcpy(block + filled, chunk, (size_t)got);
        } else {
            got = read(peer, block + filled, want);
        }
        if (got < 0) return fail("read");
        if (got == 0) break;
        total += got;
        if (null) continue;
        filled += (size_t)got;
        if (filled == BLOCK) {
            if (crc) checksum ^= capstan_crc32_fold(0, block, BLOCK);
            if (write(file, block, BLOCK) != BLOCK) return fail("write");
            filled = 0;
        }
    }
    if (filled > 0 && write(file, block, filled) != (ssize_t)filled) return fail("write");
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("%s %lld %.3f %.3f %u\n", mode, total, usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
        usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6, checksum);
    return 0;
}

static int send_stream(int port, long long bytes, size_t chunk) {
    int peer = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(peer, (struct sockaddr *)&address, sizeof address) != 0) return fail("connect");
    uint8_t *data = malloc(chunk);
    for (size_t i = 0; i < chunk; i++) data[i] = (uint8_t)(random() >> 7);
    for (long long sent = 0; sent < bytes;) {
        size_t want = bytes - sent < (long long)chunk ? (size_t)(bytes - sent) : chunk;
        ssize_t put = write(peer, data, want);
        if (put <= 0) return fail("write");
        sent += put;
    }
    close(peer);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "receive") == 0) return receive(atoi(argv[2]), argv[3], argv[4]);
    if (argc == 5 && strcmp(argv[1], "send") == 0) return send_stream(atoi(argv[2]), atoll(argv[3]), (size_t)atoll(argv[4]));
    fprintf(stderr, "usage: floor receive PORT FILE null|file|crc|copy | floor send PORT BYTES CHUNK\n");
    return 2;
}
