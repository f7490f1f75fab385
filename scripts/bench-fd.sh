#!/usr/bin/env bash
# bench-fd.sh — issue #12: capstan-fd against the real bacula-fd, driven by one real bacula-dir (SQLite catalog),
# writing into the real bacula-sd and into capstan-sd, all on 127.0.0.1.
#
# Data: (a) one 2 GiB file of random data, (b) 20,000 files of 4–64 KiB random data (20 directories × 1000).
# Cases: big-md5 (a, signature MD5), small-md5 (b, MD5), big-gzip (a, GZIP6 + MD5, on data that compresses: the
# random file's first half repeated), restore (a restored from the big-md5 backup). For every repetition, every
# case and every SD it runs the job with bacula-fd (A) and with capstan-fd (B): A B in odd repetitions, B A in even.
#
# Per job: wall time (bconsole "run" → terminal JobStatus, polled every 0.2 s), JobBytes, ReadBytes, the FD's CPU
# seconds (utime + stime of all its threads from /proc/PID/stat) and CPU s per GiB read, and the CPU of
# everything else on the machine during the job (other_cores; the machine is shared).
#
# Output: bench-results/bench-fd-<stamp>.csv (one line per job) and .txt (medians, ratios capstan/bacula).
# Everything else lives in a temporary directory removed at exit, after every process started here is stopped by PID.
#
# Usage:  scripts/bench-fd.sh
# Env:    REPS=3   CASES="big-md5 small-md5 big-gzip restore"   SDS="bacula capstan"
#         SMALL=1  quick run: 256 MiB file, 2,000 small files     BIG_MIB, SMALL_FILES  sizes explicitly
#         SKIP_BUILD=1  use the existing .build/release/capstan-fd   WORK_BASE=/var/tmp   KEEP_WORK=1
#         CAPSTAN_FD, CAPSTAN_SD  other binaries (with SKIP_BUILD=1), e.g. a copy of an earlier build for A/B
#         JOB_TIMEOUT=1800
#         CACHE=warm    before each backup job the case's data is read into the page cache (both FDs read from
#                       memory: bacula-fd drops a file's pages when it closes it, so without this the FD that runs
#                       after it reads from disk); CACHE=cold drops the data's pages instead (both read from disk)
#         CASES=restore alone first makes one (uncounted) big-md5 backup per FD and SD, then restores it
#         PERF_DIR=DIR  record `perf record` (cpu-clock, call graphs) of capstan-fd during each of its jobs into
#                       DIR/<case>-<sd>-<rep>.data (perf report -i FILE --no-children --sort dso,sym), and its
#                       context switches (wake-ups) with `perf stat` into DIR/<case>-<sd>-<rep>.stat
#         FDS="bacula-fd capstan-fd"  the File daemons to run (in this order within a pair)
#         STRACE_DIR=DIR  strace both FDs during each job: STRACE=count (default) `strace -f -c` into
#                       DIR/<case>-<fd>-<sd>-<rep>.count (and the SD's into .sd-count); STRACE=trace a timed trace (-f -tt -T) of the file and
#                       socket writes, syncs, fadvise, truncates, opens into DIR/<case>-<fd>-<sd>-<rep>.trace
#                       (strace slows the traced FD: use it for syscall counts and patterns, not for speed)
#         TCPDUMP_DIR=DIR  capture the packets of the FD's and the SD's ports (snap length 160: headers and the start
#                       of each payload) during each job into DIR/<case>-<fd>-<sd>-<rep>.pcap: the job's timeline
#                       (Director→FD commands, FD↔SD session, end of job), segment sizes, windows, ACK timing
#         THREADS_DIR=DIR  per-thread CPU seconds of each FD during each job (utime+stime from
#                       /proc/PID/task/*/stat, sampled at every status poll so that threads which end during the
#                       job count too, less their last poll interval) into DIR/<case>-<fd>-<sd>-<rep>.threads
# Also per job (with tcpdump installed): session_s, session_MBps — the FD↔SD data connection's life (from its SYN
# to its last packet) and ReadBytes over it: the FD's own part of the job, without the Director's part (2–4 s of a
# 1 GiB job: queueing, SD and FD connections, catalog), which wall_s and MBps include.
# Each job starts once `status dir` says "No Jobs running" (the Director may still be ending the previous job after
# the terminal JobStatus the bench polls for). Back-to-back jobs still alternate between a fast and a slow start
# (1.5–2.4 s apart, whichever FD), so the FDs take turns going first in a pair: A B, then B A.
# Also per job: disk_mb (MB the disk holding the work directory wrote during the job, /proc/diskstats: the whole
# machine's, other processes included),
# disk_read_mb (what it read: the SD's volume or the backup's data not in the page cache), dirty_mb (the page
# cache's Dirty + Writeback at the job's end, /proc/meminfo), fd_io_write_mb (the FD's write_bytes from
# /proc/PID/io: what it dirtied in the page cache — not what reached the disk), sd_cpu_s (the SD's CPU seconds).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-3}
CASES=${CASES:-big-md5 small-md5 big-gzip restore}
SDS=${SDS:-bacula capstan}
FDS=${FDS:-bacula-fd capstan-fd}
if [ "${SMALL:-0}" = 1 ]; then BIG_MIB=${BIG_MIB:-256}; SMALL_FILES=${SMALL_FILES:-2000}; fi
BIG_MIB=${BIG_MIB:-2048}
SMALL_FILES=${SMALL_FILES:-20000}
JOB_TIMEOUT=${JOB_TIMEOUT:-1800}
CLK_TCK=$(getconf CLK_TCK)

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

for p in /usr/sbin/bacula-dir /usr/sbin/bacula-sd /usr/sbin/bacula-fd /usr/sbin/bconsole /usr/bin/sqlite3 \
    /usr/share/bacula-director/make_sqlite3_tables; do
    [ -e "$p" ] || die "missing $p (Debian: bacula-director-sqlite3 bacula-sd bacula-fd bacula-console sqlite3)"
done

CAPSTAN_FD=${CAPSTAN_FD:-$ROOT/.build/release/capstan-fd}
CAPSTAN_SD=${CAPSTAN_SD:-$ROOT/.build/release/capstan-sd}
WANT_CSD=0; case " $SDS " in *" capstan "*) WANT_CSD=1 ;; esac
WANT_CFD=0; case " $FDS " in *" capstan-fd "*) WANT_CFD=1 ;; esac
if [ "${SKIP_BUILD:-0}" != 1 ] && [ $((WANT_CFD + WANT_CSD)) -gt 0 ]; then
    log "building capstan-fd$([ $WANT_CSD = 1 ] && echo " and capstan-sd") (release)"
    (cd "$ROOT" && swift build -c release --product capstan-fd >"$ROOT/.build/bench-fd-build.log" 2>&1 \
        && { [ $WANT_CSD = 0 ] || swift build -c release --product capstan-sd >>"$ROOT/.build/bench-fd-build.log" 2>&1; }) \
        || { tail -20 "$ROOT/.build/bench-fd-build.log" >&2; die "release build failed"; }
fi
{ [ $WANT_CFD = 0 ] || [ -x "$CAPSTAN_FD" ]; } && { [ $WANT_CSD = 0 ] || [ -x "$CAPSTAN_SD" ]; } || die "build with: swift build -c release (capstan-fd, capstan-sd)"

WORK_BASE=${WORK_BASE:-/var/tmp}
W=$(mktemp -d "$WORK_BASE/bench-fd.XXXXXX")
PIDS=()
declare -A PID
stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$? i
    trap - EXIT INT TERM
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
    if [ "${KEEP_WORK:-0}" = 1 ]; then log "kept $W"; else rm -rf "$W"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_daemon() { local role=$1; shift; "$@" >"$W/log/$role.out" 2>&1 & PID[$role]=$!; PIDS+=("$!"); log "started $role pid=$!"; }
listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
wait_port() {
    local i
    for i in $(seq 1 300); do
        listening "$1" && return 0
        kill -0 "${PID[$2]}" 2>/dev/null || { cat "$W/log/$2.out" >&2; die "$2 exited"; }
        sleep 0.1
    done
    die "$2 did not listen on $1"
}
free_port() {
    local p i
    for i in $(seq 1 200); do
        p=$((20000 + RANDOM % 30000))
        case " ${CHOSEN_PORTS:-} " in *" $p "*) continue ;; esac
        if ! listening "$p"; then CHOSEN_PORTS="${CHOSEN_PORTS:-} $p"; echo "$p"; return 0; fi
    done
    die "no free port"
}

mkdir -p "$W"/{log,dir,bfd,cfd,bsd,csd,vol-bacula,vol-capstan,restore}
DIR_PORT=$(free_port); CHOSEN_PORTS=" $DIR_PORT"
BFD_PORT=$(free_port); CHOSEN_PORTS="$CHOSEN_PORTS $BFD_PORT"
CFD_PORT=$(free_port); CHOSEN_PORTS="$CHOSEN_PORTS $CFD_PORT"
BSD_PORT=$(free_port); CHOSEN_PORTS="$CHOSEN_PORTS $BSD_PORT"
CSD_PORT=$(free_port); CHOSEN_PORTS="$CHOSEN_PORTS $CSD_PORT"
# The block device the work directory is on (for the disk writes of a job), e.g. vda.
DISK=$(lsblk -no PKNAME "$(df --output=source "$W" | tail -1)" 2>/dev/null | head -1)
[ -n "$DISK" ] || DISK=$(basename "$(df --output=source "$W" | tail -1)")

DATA=$W/data
mkdir -p "$DATA/big" "$DATA/gzip" "$DATA/small"
wants() { case " $CASES " in *" $1 "*) return 0 ;; esac; return 1; }  # only the data the chosen cases use
log "generating data for: $CASES"
dd if=/dev/urandom of="$DATA/big/random.bin" bs=1M count="$BIG_MIB" status=none
if wants big-gzip; then
# Compressible: lines of text with a counter (GZIP6 gets ~4:1, like logs and source trees).
awk -v n=$((BIG_MIB * 1048576 / 64)) 'BEGIN { for (i = 0; i < n; i++) printf "%012d the quick brown fox jumps over the lazy dog ..\n", i }' \
    >"$DATA/gzip/text.log"
fi
if wants small-md5; then
RANDOM=20240601
i=0
for ((d = 0; d * 1000 < SMALL_FILES; d++)); do
    mkdir -p "$DATA/small/d$d"
    for ((f = 0; f < 1000 && i < SMALL_FILES; f++, i++)); do
        echo "d$d/f$f.bin $((4096 + (RANDOM * 32768 + RANDOM) % 61441))"
    done
done >"$W/sizes.txt"
# One random stream cut into the small files (fast: one reader).
python3 - "$DATA/small" "$W/sizes.txt" <<'PY'
import os, sys
root, sizes = sys.argv[1], sys.argv[2]
with open("/dev/urandom", "rb") as rnd, open(sizes) as f:
    for line in f:
        name, size = line.split()
        with open(os.path.join(root, name), "wb") as out:
            out.write(rnd.read(int(size)))
PY
fi
sync

sd_conf() {
    cat <<EOF
Storage { Name = $1; SDPort = $2; SDAddress = 127.0.0.1; WorkingDirectory = "$3"; Pid Directory = "$3"; Maximum Concurrent Jobs = 5 }
Director { Name = bench-dir; Password = "bench-sd-password" }
Device {
  Name = FileDev; Media Type = $5; Archive Device = "$4"; Device Type = File
  LabelMedia = yes; Random Access = yes; AutomaticMount = yes; RemovableMedia = no; AlwaysOpen = no
  Maximum Block Size = 1048576
}
Messages { Name = Standard; director = bench-dir = all }
EOF
}
sd_conf bench-bacula-sd "$BSD_PORT" "$W/bsd" "$W/vol-bacula" FileBacula >"$W/bacula-sd.conf"
sd_conf bench-capstan-sd "$CSD_PORT" "$W/csd" "$W/vol-capstan" FileCapstan >"$W/capstan-sd.conf"
fd_conf() {
    cat <<EOF
FileDaemon { Name = $1; FDport = $2; FDAddress = 127.0.0.1; WorkingDirectory = "$3"; Pid Directory = "$3" }
Director { Name = bench-dir; Password = "bench-fd-password" }
Messages { Name = Standard; director = bench-dir = all, !skipped, !restored }
EOF
}
fd_conf bacula-fd "$BFD_PORT" "$W/bfd" >"$W/bacula-fd.conf"
fd_conf capstan-fd "$CFD_PORT" "$W/cfd" >"$W/capstan-fd.conf"
cat >"$W/dir.conf" <<EOF
Director {
  Name = bench-dir; DIRport = $DIR_PORT; DirAddress = 127.0.0.1
  QueryFile = "/etc/bacula/scripts/query.sql"; WorkingDirectory = "$W/dir"; PidDirectory = "$W/dir"
  Password = "bench-console-password"; Messages = Daemon; Maximum Concurrent Jobs = 1
}
Catalog { Name = MyCatalog; dbname = "bacula"; dbuser = ""; dbpassword = "" }
Client { Name = bacula-fd; Address = 127.0.0.1; FDPort = $BFD_PORT; Catalog = MyCatalog; Password = "bench-fd-password"; AutoPrune = no }
Client { Name = capstan-fd; Address = 127.0.0.1; FDPort = $CFD_PORT; Catalog = MyCatalog; Password = "bench-fd-password"; AutoPrune = no }
Storage { Name = BaculaSD; Address = 127.0.0.1; SDPort = $BSD_PORT; Password = "bench-sd-password"; Device = FileDev; Media Type = FileBacula }
Storage { Name = CapstanSD; Address = 127.0.0.1; SDPort = $CSD_PORT; Password = "bench-sd-password"; Device = FileDev; Media Type = FileCapstan }
Pool { Name = Bench; Pool Type = Backup; Label Format = "Vol-"; Recycle = no; AutoPrune = no; Maximum Volume Jobs = 1 }
FileSet { Name = BigSet; Include { Options { signature = MD5 } File = "$DATA/big" } }
FileSet { Name = SmallSet; Include { Options { signature = MD5 } File = "$DATA/small" } }
FileSet { Name = GzipSet; Include { Options { signature = MD5; compression = GZIP6 } File = "$DATA/gzip" } }
JobDefs { Name = BenchDefs; Type = Backup; Level = Full; Client = bacula-fd; Storage = BaculaSD; Pool = Bench; Messages = Standard }
Job { Name = big-md5; JobDefs = BenchDefs; FileSet = BigSet }
Job { Name = small-md5; JobDefs = BenchDefs; FileSet = SmallSet }
Job { Name = big-gzip; JobDefs = BenchDefs; FileSet = GzipSet }
Job { Name = Restore; Type = Restore; Client = bacula-fd; FileSet = BigSet; Storage = BaculaSD; Pool = Bench; Messages = Standard; Where = "$W/restore" }
Messages { Name = Standard; console = all, !skipped, !saved, !restored; catalog = all; append = "$W/dir/messages.log" = all, !skipped, !saved, !restored }
Messages { Name = Daemon; console = all, !skipped, !saved; append = "$W/dir/messages.log" = all, !skipped, !saved }
EOF
echo "Director { Name = bench-dir; DIRport = $DIR_PORT; Address = 127.0.0.1; Password = \"bench-console-password\" }" >"$W/bconsole.conf"
sed -e "s|^cd /var/lib/bacula|cd '$W/dir'|" -e "s|XXX_DBNAME_XXX|bacula|" /usr/share/bacula-director/make_sqlite3_tables >"$W/make-catalog.sh"
sh "$W/make-catalog.sh" >"$W/log/make-catalog.out" 2>&1 || true
[ -s "$W/dir/bacula.db" ] || die "catalog not created"

start_daemon bacula-sd /usr/sbin/bacula-sd -f -c "$W/bacula-sd.conf"
[ $WANT_CSD = 0 ] || start_daemon capstan-sd "$CAPSTAN_SD" -f -c "$W/capstan-sd.conf"
start_daemon bacula-fd /usr/sbin/bacula-fd -f -c "$W/bacula-fd.conf"
[ $WANT_CFD = 0 ] || start_daemon capstan-fd "$CAPSTAN_FD" -f -c "$W/capstan-fd.conf"
wait_port "$BSD_PORT" bacula-sd; [ $WANT_CSD = 0 ] || wait_port "$CSD_PORT" capstan-sd; wait_port "$BFD_PORT" bacula-fd
[ $WANT_CFD = 0 ] || wait_port "$CFD_PORT" capstan-fd
start_daemon dir /usr/sbin/bacula-dir -f -c "$W/dir.conf"
wait_port "$DIR_PORT" dir

console() { printf '%b\n' "$1" | timeout 600 /usr/sbin/bconsole -c "$W/bconsole.conf"; }
sql() { sqlite3 -cmd ".timeout 20000" -separator ' ' "$W/dir/bacula.db" "$1"; }
cpu_s() { local s; s=$(<"/proc/$1/stat"); s=${s##*) }; set -- $s; awk -v u="${12}" -v t="${13}" -v k="$CLK_TCK" 'BEGIN { printf "%.2f", (u + t) / k }'; }
disk_sectors() { awk -v d="$DISK" '$3 == d { print $10; exit }' /proc/diskstats; }
disk_read_sectors() { awk -v d="$DISK" '$3 == d { print $6; exit }' /proc/diskstats; }
dirty_kb() { awk '/^(Dirty|Writeback):/ { s += $2 } END { print s + 0 }' /proc/meminfo; }
io_write_bytes() { awk '/^write_bytes:/ { print $2 }' "/proc/$1/io"; }
thread_cpu() {  # one line per thread: tid name cpu-ticks
    local t s
    for t in /proc/"$1"/task/*; do
        s=$(<"$t/stat") || continue
        printf '%s %s ' "${t##*/}" "$(tr ' ' _ <"$t/comm")"
        s=${s##*) }; set -- $s; echo $((${12} + ${13}))
    done
}
# "seconds," of the FD↔SD data connection in a pcap: the connection on the SD's port that carried the most payload,
# from its first to its last packet.
session_time() {
    python3 - "$1" "$2" <<'PY' 2>/dev/null || echo ","
import struct, sys
path, sd_port = sys.argv[1], int(sys.argv[2])
conns = {}
with open(path, "rb") as f:
    head = f.read(24)
    nano = struct.unpack("<I", head[:4])[0] == 0xA1B23C4D
    link = struct.unpack("<I", head[20:24])[0]
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        sec, frac, cap, _ = struct.unpack("<IIII", h)
        data = f.read(cap)
        ip = data[{1: 14, 113: 16}.get(link, 0):]
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        sport, dport = struct.unpack(">HH", tcp[:4])
        if sd_port not in (sport, dport):
            continue
        payload = struct.unpack(">H", ip[2:4])[0] - ihl - (tcp[12] >> 4) * 4
        t = sec + frac / (1e9 if nano else 1e6)
        c = conns.setdefault((sport, dport) if sport != sd_port else (dport, sport), [t, t, 0])
        c[1] = t
        c[2] += payload
first, last, _ = max(conns.values(), key=lambda c: c[2])
print(f"{last - first:.2f},")
PY
}
busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
# The last big-md5 backup that fd wrote into sd (run_case runs in a subshell: ask the catalog, not a variable).
last_backup() {
    local media=FileBacula; [ "$2" = capstan ] && media=FileCapstan
    sql "select max(j.JobId) from Job j join Client c on c.ClientId = j.ClientId join JobMedia jm on jm.JobId = j.JobId
         join Media m on m.MediaId = jm.MediaId where j.Name = 'big-md5' and j.JobStatus = 'T' and c.Name = '$1'
         and m.MediaType = '$media'"
}

# Puts the files below $1 into the page cache (CACHE=warm) or drops them from it (CACHE=cold).
prepare_cache() {
    python3 - "$1" "${CACHE:-warm}" <<'PY'
import os, sys
root, mode = sys.argv[1], sys.argv[2]
for parent, _, names in os.walk(root):
    for name in names:
        fd = os.open(os.path.join(parent, name), os.O_RDONLY)
        try:
            if mode == "cold":
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            else:
                while os.read(fd, 1 << 20):
                    pass
        finally:
            os.close(fd)
PY
}

run_case() {  # case fd sd rep
    local c=$1 fd=$2 sd=$3 rep=$4 storage cmd id st f0 f1 b0 b1 t0 t1 row deadline source
    storage=BaculaSD; [ "$sd" = capstan ] && storage=CapstanSD
    if [ "$c" = restore ]; then
        source=$(last_backup "$fd" "$sd")
        if [ -z "$source" ]; then  # CASES=restore alone: make the backup to restore first (not counted)
            log "no big-md5 backup of $fd into $sd yet: running one first (not counted)"
            run_case big-md5 "$fd" "$sd" setup >/dev/null
            source=$(last_backup "$fd" "$sd")
        fi
        [ -n "$source" ] || { log "no backup to restore for $fd/$sd"; return 0; }
        rm -rf "$W/restore"; mkdir -p "$W/restore"
        cmd="restore client=$fd storage=$storage jobid=$source where=$W/restore all done yes"
    else
        cmd="run job=$c client=$fd storage=$storage level=Full yes"
    fi
    # The Director may still be ending the previous job after the terminal JobStatus this script polls for: start
    # only once it reports no running job.
    local settle
    for settle in $(seq 1 150); do console "status dir" | grep -q "No Jobs running" && break; sleep 0.2; done
    sync
    case $c in big-md5) prepare_cache "$DATA/big" ;; small-md5) prepare_cache "$DATA/small" ;; big-gzip) prepare_cache "$DATA/gzip" ;; esac
    local perf_pid=
    if [ -n "${PERF_DIR:-}" ] && [ "$fd" = capstan-fd ]; then
        mkdir -p "$PERF_DIR"
        perf record -q -e cpu-clock -g -p "${PID[$fd]}" -o "$PERF_DIR/$c-$sd-$rep.data" >/dev/null 2>&1 &
        perf_pid=$!
        perf stat -e task-clock,context-switches,cpu-migrations -p "${PID[$fd]}" -o "$PERF_DIR/$c-$sd-$rep.stat" >/dev/null 2>&1 &
        perf_pid="$perf_pid $!"
        sleep 0.5
    fi
    local tracer= tag="$c-$fd-$sd-$rep"
    if [ -n "${STRACE_DIR:-}" ]; then
        mkdir -p "$STRACE_DIR"
        if [ "${STRACE:-count}" = trace ]; then
            strace -f -tt -T -e trace=write,writev,sendmsg,sendto,pwrite64,pwritev,fsync,fdatasync,fadvise64,sync_file_range,openat,close,ftruncate,fallocate,lseek \
                -o "$STRACE_DIR/$tag.trace" -p "${PID[$fd]}" >/dev/null 2>&1 &
        else
            strace -f -c -o "$STRACE_DIR/$tag.count" -p "${PID[$fd]}" >/dev/null 2>&1 &
        fi
        tracer=$!
        if [ "${STRACE:-count}" = count ]; then  # and the SD's system calls for this FD's stream
            local sdpid=${PID[bacula-sd]}; [ "$sd" = capstan ] && sdpid=${PID[capstan-sd]}
            strace -f -c -o "$STRACE_DIR/$tag.sd-count" -p "$sdpid" >/dev/null 2>&1 &
            tracer="$tracer $!"
        fi
        sleep 1
    fi
    local dumper= pcap_dir=${TCPDUMP_DIR:-$W/pcap}
    if command -v tcpdump >/dev/null; then
        mkdir -p "$pcap_dir"
        local sd_port=$BSD_PORT fd_port=$BFD_PORT; [ "$sd" = capstan ] && sd_port=$CSD_PORT; [ "$fd" = capstan-fd ] && fd_port=$CFD_PORT
        tcpdump -i lo -U -B 65536 -s 160 -w "$pcap_dir/$tag.pcap" "tcp port $sd_port or tcp port $fd_port" >/dev/null 2>&1 &
        dumper=$!
        sleep 1
    fi
    [ -z "${THREADS_DIR:-}" ] || { mkdir -p "$THREADS_DIR"; thread_cpu "${PID[$fd]}" >"$THREADS_DIR/$tag.before"; }
    local d0 d1 w0 w1 r0 r1 s0 s1 sdpid=${PID[bacula-sd]}
    [ "$sd" = capstan ] && sdpid=${PID[capstan-sd]}
    d0=$(disk_sectors); r0=$(disk_read_sectors); w0=$(io_write_bytes "${PID[$fd]}")
    s0=$(cpu_s "$sdpid")
    f0=$(cpu_s "${PID[$fd]}"); b0=$(busy_jiffies); t0=$EPOCHREALTIME
    [ -z "${TCPDUMP_DIR:-}" ] || echo "run $t0" >"$TCPDUMP_DIR/$tag.times"
    id=$(console "$cmd" | sed -n 's/.*Job queued\. JobId=\([0-9]*\).*/\1/p' | tail -1)
    [ -n "$id" ] || die "not queued: $cmd"
    deadline=$((SECONDS + JOB_TIMEOUT))
    while :; do
        st=$(sql "select JobStatus from Job where JobId = $id")
        case $st in T | E | e | f | A | W) break ;; esac
        [ $SECONDS -lt $deadline ] || { console "cancel jobid=$id yes" >/dev/null; st=timeout; break; }
        [ -z "${THREADS_DIR:-}" ] || thread_cpu "${PID[$fd]}" >>"$THREADS_DIR/$tag.after"
        sleep 0.2
    done
    t1=$EPOCHREALTIME; f1=$(cpu_s "${PID[$fd]}"); b1=$(busy_jiffies)
    [ -z "${TCPDUMP_DIR:-}" ] || echo "terminal $t1" >>"$TCPDUMP_DIR/$tag.times"
    d1=$(disk_sectors); r1=$(disk_read_sectors); w1=$(io_write_bytes "${PID[$fd]}")
    s1=$(cpu_s "$sdpid")
    local dirty; dirty=$(dirty_kb)
    if [ -n "${THREADS_DIR:-}" ]; then
        thread_cpu "${PID[$fd]}" >>"$THREADS_DIR/$tag.after"
        awk -v tck="$CLK_TCK" 'NR == FNR { b[$1] = $3; next } { if ($3 > last[$1]) last[$1] = $3; name[$1] = $2 }
            END { for (t in last) printf "%-8s %-32s %7.2f s\n", t, name[t], (last[t] - b[t]) / tck }' \
            "$THREADS_DIR/$tag.before" "$THREADS_DIR/$tag.after" | sort -k3 -g -r >"$THREADS_DIR/$tag.threads"
    fi
    local session=","
    if [ -n "$dumper" ]; then
        kill -INT "$dumper" 2>/dev/null || true; wait "$dumper" 2>/dev/null || true
        session=$(session_time "$pcap_dir/$tag.pcap" "$([ "$sd" = capstan ] && echo "$CSD_PORT" || echo "$BSD_PORT")")
        [ -n "${TCPDUMP_DIR:-}" ] || rm -f "$pcap_dir/$tag.pcap"
    fi
    local p; for p in $tracer; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    local p; for p in $perf_pid; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    row=$(sql "select JobFiles, JobBytes, ReadBytes from Job where JobId = $id")
    if [ "$c" != big-md5 ] && [ "$c" != restore ]; then
        for vol in $(sql "select distinct VolumeName from Media m join JobMedia jm on m.MediaId = jm.MediaId where jm.JobId = $id"); do
            rm -f "$W/vol-$sd/$vol"
        done
    fi
    [ "$st" = T ] || { log "job $id ($c, $fd, $sd-sd) ended $st"; grep -F "JobId $id:" "$W/dir/messages.log" | tail -20 >&2 || true; }
    awk -v c="$c" -v fd="$fd" -v sd="$sd" -v rep="$rep" -v id="$id" -v st="$st" -v row="$row" -v t0="$t0" -v t1="$t1" \
        -v f0="$f0" -v f1="$f1" -v b0="$b0" -v b1="$b1" -v tck="$CLK_TCK" -v d0="${d0:-0}" -v d1="${d1:-0}" -v w0="${w0:-0}" \
        -v w1="${w1:-0}" -v dirty="$dirty" -v r0="${r0:-0}" -v r1="${r1:-0}" -v s0="$s0" -v s1="$s1" -v session="$session" '
      BEGIN { split(row, r, " "); split(session, sess, ","); files = r[1] + 0; bytes = r[2] + 0; read = r[3] + 0; if (read == 0) read = bytes
              wall = t1 - t0; fdc = f1 - f0; other = ((b1 - b0) / tck - fdc) / wall; if (other < 0) other = 0
              printf "%s,%s,%s,%s,%s,%s,%.0f,%.0f,%.0f,%.2f,%.1f,%.2f,%.2f,%.2f,%.0f,%.0f,%.0f,%.0f,%.2f,%s,%s\n", c, fd, sd, rep, id, st, files, bytes, read,
                wall, read / wall / 1e6, fdc, (read > 0 ? fdc / (read / 1073741824) : 0), other,
                (d1 - d0) * 512 / 1e6, dirty * 1024 / 1e6, (w1 - w0) / 1e6, (r1 - r0) * 512 / 1e6, s1 - s0,
                sess[1], (sess[1] > 0 ? sprintf("%.1f", read / sess[1] / 1e6) : "") }'
}

mkdir -p "$ROOT/bench-results"
STAMP=$(date +%Y%m%d-%H%M%S)
CSV=$ROOT/bench-results/bench-fd-$STAMP.csv
SUMMARY=$ROOT/bench-results/bench-fd-$STAMP.txt
echo "case,fd,sd,rep,jobid,status,files,jobbytes,readbytes,wall_s,MBps,fd_cpu_s,fd_cpu_s_per_GiB,other_cores,disk_mb,dirty_mb,fd_io_write_mb,disk_read_mb,sd_cpu_s,session_s,session_MBps" >"$CSV"
log "results: $CSV"
# Back-to-back jobs alternate between a fast and a slow start in the Director (1.5–2.4 s apart, whichever FD:
# measured with FDS="bacula-fd bacula-fd capstan-fd capstan-fd", the second of each pair was the slow one), so the
# FDs take turns going first: A B in odd repetitions, B A in even ones.
for rep in $(seq 1 "$REPS"); do
    order=$FDS
    [ $((rep % 2)) = 1 ] || order=$(echo $FDS | awk '{ for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "") }')
    for c in $CASES; do
        for sd in $SDS; do
            for fd in $order; do
                line=$(run_case "$c" "$fd" "$sd" "$rep")
                [ -n "$line" ] && { echo "$line" >>"$CSV"; log "$line"; }
            done
        done
    done
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { awk -F, -v c="$1" -v f="$2" -v s="$3" -v k="$4" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == c && $2 == f && $3 == s && $6 == "T" { print $col[k] }' "$CSV" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b + 0 != 0) printf "%.2f", a / b; else printf "-" }'; }
{
    echo "capstan-fd vs bacula-fd (issue #12) — $(date -Is); $(nproc) cores (shared); REPS=$REPS; CACHE=${CACHE:-warm}; medians of jobs that ended T"
    echo "data: big ${BIG_MIB} MiB random; gzip ${BIG_MIB} MiB text; small $SMALL_FILES files of 4-64 KiB"
    printf '%-10s %-8s %-11s %9s %12s %9s %10s %7s\n' case sd fd "MB/s" "session MB/s" "FD cpu s" "cpu s/GiB" other
    for c in $CASES; do
        for sd in $SDS; do
            for fd in $FDS; do
                printf '%-10s %-8s %-11s %9s %12s %9s %10s %7s\n' "$c" "$sd" "$fd" "$(med "$c" "$fd" "$sd" MBps)" "$(med "$c" "$fd" "$sd" session_MBps)" \
                    "$(med "$c" "$fd" "$sd" fd_cpu_s)" "$(med "$c" "$fd" "$sd" fd_cpu_s_per_GiB)" "$(med "$c" "$fd" "$sd" other_cores)"
            done
            printf '%-10s %-8s ratio c/b   throughput %s   session %s   cpu/GiB %s\n' "$c" "$sd" \
                "$(ratio "$(med "$c" capstan-fd "$sd" MBps)" "$(med "$c" bacula-fd "$sd" MBps)")" \
                "$(ratio "$(med "$c" capstan-fd "$sd" session_MBps)" "$(med "$c" bacula-fd "$sd" session_MBps)")" \
                "$(ratio "$(med "$c" capstan-fd "$sd" fd_cpu_s_per_GiB)" "$(med "$c" bacula-fd "$sd" fd_cpu_s_per_GiB)")"
        done
    done
} | tee "$SUMMARY"
