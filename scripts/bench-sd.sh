#!/usr/bin/env bash
# bench-sd.sh — issue #5: capstan-sd against the real bacula-sd, with one real bacula-fd and a real bacula-dir
# (SQLite catalog), all on 127.0.0.1.
#
# Data: (a) one 2 GiB file of random data, (b) 20,000 files of 4–64 KiB random data (20 directories × 1000).
# Both Storage daemons run side by side on their own free ports, each with one File Device (volumes in two
# directories of the same temporary directory, so on the same disk), Maximum Block Size = 1048576 on both, and a
# Spool Directory. For every repetition it backs up (a) then (b), each first into bacula-sd (A) and then into
# capstan-sd (B): A B A B ... Phase "plain" runs the Jobs without spooling, phase "spool" the same Jobs with
# Spool Data = yes. Phase "tape" (capstan-sd only; bacula-sd cannot emulate a drive's speed) runs the spooled Jobs
# on a virtual tape library whose drive has Maximum Tape Rate = TAPE_RATE (docs/devices.md), and records the
# drive's average rate and its underruns from the job's drive report.
# Phase "copy" (issue #14) backs (a) up once into each SD (not measured), then copies that job
# from the SD's File Device onto a virtual tape (a second Device, Device Type = VTape, of the same SD) with a Copy
# job (Selection Type = Job, run with jobid=), A B B A A B ... (use an even REPS); the copy's JobBytes, wall time
# (run -> the control job's and the copy's end) and the SD's CPU are recorded as for a backup (no File daemon takes
# part: fd_cpu_s stays near 0; no catalog elapsed time: the Director gives a copy the times of the job it copied).
# The virtual tape is labelled once per SD and the copies append to it.
# Phase "jobs32" (issue #15, memory): JOBS32_N (32) small jobs at once into one SD (each backs up one directory of
# data set (b), 1000 files of 4-64 KiB; all append to one volume of the SD's File Device; Spool Data = JOBS32_SPOOL),
# A B A B ...; before the batch the SD's peak RSS is reset (echo 5 > /proc/PID/clear_refs) and during it VmRSS is
# sampled every 0.2 s; after it VmHWM is read. The row gives the batch's peak RSS and, for capstan-sd, the limit of
# issue #15: 64 MiB + the configured block buffers, counted as every job's block buffer (each job assembles its
# blocks in one buffer of the Maximum Block Size, as bacula-sd's do) + the drive writer's pool of the Device (8
# blocks); without the per-job buffers the limit would be 64 MiB + 8 blocks.
# Phase "tape8" (capstan-sd only, issue #15): 8 throttled clients (8 jobs of the one bacula-fd at once, each limited
# by the Job's Maximum Bandwidth) onto the rated virtual tape drive of phase "tape": spooled with each client at
# TAPE8_SPOOL_BW (together below the drive's rate), then unspooled with each at TAPE8_PLAIN_BW (together above it).
# Each job backs up one TAPE8_MIB MiB random file. The row records the drive's rate and its underruns (the data
# path's count, from the jobs' drive reports: the largest of the batch).
#
# Per job it records: wall time (bconsole "run" → terminal JobStatus in the catalog, polled every 0.2 s), Bacula's
# own elapsed time (catalog EndTime − StartTime, 1 s resolution), JobBytes, the SD's and the FD's CPU seconds
# (utime + stime of all threads from /proc/PID/stat, before/after the job) and the CPU used by everything else on
# the machine during the job (other_cores; the machine is shared), the 1-minute load average at the job's end
# (loadavg1), and the largest block length in the volume. The job's fixed costs: start_s from the Director's "run" to the first data on the SD's device (more than
# 64 KiB in its volumes and spool files: the first full block, polled every 0.05 s), and end_s from the last growth
# of the volumes (the last record on the device) to the job's terminal status.
# With spooling it also splits the job's total time into spool and despool times, two ways: from the SD's job
# messages "Spooling data ...", "Committing spooled data to Volume ... Despooling N bytes ..." and "Despooling
# elapsed time = ..." (the SD's own time stamps, 1 s resolution; they reach the Director only at the end of the
# job), and by polling the size of the SD's data spool file every 0.2 s. A job with Spool Data = yes whose
# messages have no "Spooling data" is recorded as not spooled (spooled=no), and no spool times are made up for it.
#
# Output: bench-results/bench-sd-<stamp>.csv (one line per job) and bench-results/bench-sd-<stamp>.txt (medians,
# ratios capstan/bacula). Everything else (configs, catalog, volumes, spool, data, logs) lives in a temporary
# directory that is removed at exit, after every process this script started has been stopped by its PID.
#
# Usage:  scripts/bench-sd.sh
# Env:    REPS=3             pairs per data set and phase (A B, B A, A B ...: the SDs take turns going first)
#         PHASES="plain spool tape copy jobs32 tape8"  which phases, in order (copy uses data set (a) only)
#         JOBS32_N=32, JOBS32_SPOOL=no      phase jobs32: jobs per batch, and whether they spool
#         TAPE8_MIB=256, TAPE8_SPOOL_BW="10 mb/s", TAPE8_PLAIN_BW="20 mb/s"   phase tape8: data per client, and
#                            each client's Maximum Bandwidth spooled (8x below TAPE_RATE) and unspooled (8x above)
#         SETS="big small"   which data sets
#         SMALL=1            quick reduced run: 256 MiB file, 2,000 small files (REPS still applies)
#         BIG_MIB, SMALL_FILES  data sizes explicitly (default 2048, 20000)
#         SKIP_BUILD=1       use the existing .build/release/capstan-sd
#         CAPSTAN_SD=path    the capstan-sd to run (implies SKIP_BUILD; e.g. a debug build for a smoke run)
#         TAPE_RATE="100 MB/s", TAPE_MIN_RATE="30 MB/s"   the virtual drive of phase "tape"
#         DATA_DIR=dir       reuse (or create and keep) the data sets there instead of the temporary directory
#         WORK_BASE=dir      where the temporary directory is created (default: /var/tmp)
#         JOB_TIMEOUT=1800   seconds before a job is cancelled and recorded as timed out
#         QUIET_WAIT=15      seconds at most to wait, before each job, for other load to fall below 0.3 core
#         SETTLE=5           seconds to wait, before each job, once bacula-dir reports no running job: a job run at
#                            once after a job of the same Job resource (the second of each pair) waited up to 2 s more
#                            in bacula-dir before its "Start Backup", whichever SD it was for, counted in its start_s
#         KEEP_WORK=1        keep the temporary directory (logs, configs) for inspection
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-3}
PHASES=${PHASES:-plain spool tape copy jobs32 tape8}
JOBS32_N=${JOBS32_N:-32}
JOBS32_SPOOL=${JOBS32_SPOOL:-no}
TAPE8_MIB=${TAPE8_MIB:-256}
TAPE8_SPOOL_BW=${TAPE8_SPOOL_BW:-10 mb/s}
TAPE8_PLAIN_BW=${TAPE8_PLAIN_BW:-20 mb/s}
SETS=${SETS:-big small}
if [ "${SMALL:-0}" = 1 ]; then
    BIG_MIB=${BIG_MIB:-256}
    SMALL_FILES=${SMALL_FILES:-2000}
fi
BIG_MIB=${BIG_MIB:-2048}
SMALL_FILES=${SMALL_FILES:-20000}
JOB_TIMEOUT=${JOB_TIMEOUT:-1800}
QUIET_WAIT=${QUIET_WAIT:-15}
SETTLE=${SETTLE:-5}
BLOCK=1048576
CLK_TCK=$(getconf CLK_TCK)

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
# Prerequisites: Debian's Bacula 9.6 and sqlite3; capstan-sd in release mode.

need_packages() {
    local p
    for p in /usr/sbin/bacula-dir /usr/sbin/bacula-sd /usr/sbin/bacula-fd /usr/sbin/bconsole /usr/bin/sqlite3 \
        /usr/share/bacula-director/make_sqlite3_tables /etc/bacula/scripts/query.sql; do
        [ -e "$p" ] || { NEED_APT=1; break; }
    done
    ls /usr/lib/bacula/libbaccats-sqlite3*.so >/dev/null 2>&1 || NEED_APT=1
    if [ "${NEED_APT:-0}" = 1 ]; then
        log "installing Bacula 9.6 and sqlite3 with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends \
            bacula-director bacula-director-sqlite3 bacula-sd bacula-fd bacula-console sqlite3 >&2 \
            || die "apt-get install failed"
    fi
    local version
    version=$(/usr/sbin/bacula-dir -? 2>&1 | grep -m1 Version || true)
    case $version in *"Version: 9.6"*) ;; *) log "warning: not Bacula 9.6: $version" ;; esac
}
need_packages

[ -n "${CAPSTAN_SD:-}" ] && SKIP_BUILD=1
CAPSTAN_SD=${CAPSTAN_SD:-$ROOT/.build/release/capstan-sd}
TAPE_RATE=${TAPE_RATE:-100 MB/s}
TAPE_MIN_RATE=${TAPE_MIN_RATE:-30 MB/s}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building capstan-sd (release); this takes several minutes on 2 cores the first time"
    (cd "$ROOT" && swift build -c release --product capstan-sd 2>&1 | tail -3 >&2) || die "release build failed"
fi
[ -x "$CAPSTAN_SD" ] || die "no $CAPSTAN_SD (build with: swift build -c release --product capstan-sd)"

# ---------------------------------------------------------------------------------------------------------------
# Temporary directory, processes started here, cleanup.

WORK_BASE=${WORK_BASE:-/var/tmp}
W=$(mktemp -d "$WORK_BASE/bench-sd.XXXXXX")
PIDS=()          # every daemon started here
declare -A PID   # role -> pid

stop_pid() {  # pid : SIGTERM, wait up to 10 s, then SIGKILL
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
    if [ "${KEEP_WORK:-0}" = 1 ]; then
        log "kept $W"
    else
        rm -rf "$W"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_daemon() {  # role program args...
    local role=$1; shift
    "$@" >"$W/log/$role.out" 2>&1 &
    PID[$role]=$!
    PIDS+=("$!")
    log "started $role pid=$! ($1)"
}

listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
wait_port() {  # port role : ss, not a test connect (Bacula logs a Security Alert for a Hello-less connection)
    local i
    for i in $(seq 1 300); do
        listening "$1" && return 0
        kill -0 "${PID[$2]}" 2>/dev/null || { cat "$W/log/$2.out" >&2; die "$2 exited"; }
        sleep 0.1
    done
    cat "$W/log/$2.out" >&2
    die "$2 did not listen on 127.0.0.1:$1"
}

free_port() {  # a port nothing listens on, never 9101-9103, not already chosen
    local p i
    for i in $(seq 1 200); do
        p=$((20000 + RANDOM % 30000))
        case " ${CHOSEN_PORTS:-} " in *" $p "*) continue ;; esac
        if ! listening "$p"; then CHOSEN_PORTS="${CHOSEN_PORTS:-} $p"; echo "$p"; return 0; fi
    done
    die "no free port found"
}

mkdir -p "$W"/{log,dir,fd,bsd,csd,vol-bacula,vol-capstan,spool-bacula,spool-capstan,tape-bacula,tape-capstan,tape-rated}
DIR_PORT=$(free_port); CHOSEN_PORTS=" $DIR_PORT"
FD_PORT=$(free_port); CHOSEN_PORTS="$CHOSEN_PORTS $FD_PORT"
BSD_PORT=$(free_port); CHOSEN_PORTS="$CHOSEN_PORTS $BSD_PORT"
CSD_PORT=$(free_port); CHOSEN_PORTS="$CHOSEN_PORTS $CSD_PORT"
log "work directory $W; ports dir=$DIR_PORT fd=$FD_PORT bacula-sd=$BSD_PORT capstan-sd=$CSD_PORT"

# ---------------------------------------------------------------------------------------------------------------
# Data sets.

DATA=${DATA_DIR:-$W/data}
mkdir -p "$DATA"
BIG_FILE=$DATA/big/random.bin
SMALL_DIR=$DATA/small
TAPE8_FILE=$DATA/tape8/random.bin
gen_data() {
    if [ ! -f "$BIG_FILE" ] || [ "$(stat -c %s "$BIG_FILE")" != $((BIG_MIB * 1048576)) ]; then
        log "generating (a): $BIG_MIB MiB of random data"
        mkdir -p "$DATA/big"
        dd if=/dev/urandom of="$BIG_FILE.tmp" bs=1M count="$BIG_MIB" status=none
        mv "$BIG_FILE.tmp" "$BIG_FILE"
    fi
    if [[ " $PHASES " == *" tape8 "* ]] && { [ ! -f "$TAPE8_FILE" ] || [ "$(stat -c %s "$TAPE8_FILE")" != $((TAPE8_MIB * 1048576)) ]; }; then
        log "generating phase tape8's data: $TAPE8_MIB MiB of random data"
        mkdir -p "$DATA/tape8"
        dd if=/dev/urandom of="$TAPE8_FILE.tmp" bs=1M count="$TAPE8_MIB" status=none
        mv "$TAPE8_FILE.tmp" "$TAPE8_FILE"
    fi
    if { [[ " $SETS " == *" small "* ]] || [[ " $PHASES " == *" jobs32 "* ]]; } \
        && [ ! -f "$DATA/.small-complete-$SMALL_FILES" ]; then
        log "generating (b): $SMALL_FILES files of 4-64 KiB"
        rm -rf "$SMALL_DIR" "$SMALL_DIR.tmp"
        mkdir -p "$SMALL_DIR.tmp"
        # One random stream cut into files whose sizes come from a seeded sequence (reproducible sizes).
        local n=$SMALL_FILES d f i=0 sz
        RANDOM=20240601
        {
            for ((d = 0; d * 1000 < n; d++)); do
                for ((f = 0; f < 1000 && i < n; f++, i++)); do
                    sz=$((4096 + (RANDOM * 32768 + RANDOM) % 61441))
                    printf 'd%02d/f%03d.bin %s\n' "$d" "$f" "$sz"
                done
            done
        } >"$W/small-sizes.txt"
        (cd "$SMALL_DIR.tmp" && cut -d/ -f1 "$W/small-sizes.txt" | sort -u | xargs mkdir -p)
        while read -r name size; do
            head -c "$size" /dev/urandom >"$SMALL_DIR.tmp/$name"
        done <"$W/small-sizes.txt"
        mv "$SMALL_DIR.tmp" "$SMALL_DIR"
        rm -f "$DATA"/.small-complete-*
        : >"$DATA/.small-complete-$SMALL_FILES"
    fi
    BIG_BYTES=$(stat -c %s "$BIG_FILE")
    SMALL_BYTES=0 small_count=0
    if [ -d "$SMALL_DIR" ]; then
        SMALL_BYTES=$(find "$SMALL_DIR" -type f -name '*.bin' -printf '%s\n' | awk '{s += $1} END {printf "%.0f", s}')
        small_count=$(find "$SMALL_DIR" -type f -name '*.bin' | wc -l)
    fi
    log "data: (a) $BIG_BYTES bytes in 1 file, (b) $SMALL_BYTES bytes in $small_count files"
}
gen_data

# ---------------------------------------------------------------------------------------------------------------
# Configurations: one Director, one File daemon, two Storage daemons (bacula-sd = A, capstan-sd = B).

sd_conf() {  # name port workdir volumes spool mediatype tape-directory
    cat <<EOF
Storage {
  Name = $1; SDPort = $2; SDAddress = 127.0.0.1
  WorkingDirectory = "$3"; Pid Directory = "$3"; Maximum Concurrent Jobs = 40
}
Director { Name = bench-dir; Password = "bench-sd-password" }
Device {
  Name = FileDev; Media Type = $6; Archive Device = "$4"; Device Type = File
  LabelMedia = yes; Random Access = yes; AutomaticMount = yes; RemovableMedia = no; AlwaysOpen = no
  Maximum Block Size = $BLOCK
  Spool Directory = "$5"
}
Device {
  Name = TapeDev; Media Type = Tape$6; Archive Device = "$7/drive.vtape"; Device Type = VTape
  LabelMedia = yes; Random Access = no; AutomaticMount = yes; RemovableMedia = no; AlwaysOpen = yes
  Maximum Block Size = $BLOCK
}
Messages { Name = Standard; director = bench-dir = all }
EOF
}
# The virtual tapes start blank: an empty file (bacula-sd's vtape reports "No medium" for a missing one).
: >"$W/tape-bacula/drive.vtape"; : >"$W/tape-capstan/drive.vtape"
sd_conf bench-bacula-sd "$BSD_PORT" "$W/bsd" "$W/vol-bacula" "$W/spool-bacula" FileBacula "$W/tape-bacula" >"$W/bacula-sd.conf"
sd_conf bench-capstan-sd "$CSD_PORT" "$W/csd" "$W/vol-capstan" "$W/spool-capstan" FileCapstan "$W/tape-capstan" >"$W/capstan-sd.conf"
# Phase "tape": capstan-sd's virtual tape library, one drive with a rated speed (cartridges in tape-rated/).
cat >>"$W/capstan-sd.conf" <<EOF
Autochanger {
  Name = RatedLib; Device = RatedDrive
  Changer Device = "virtual:$W/tape-rated?slots=32&cartridges=0"; Changer Command = ""
}
Device {
  Name = RatedDrive; Media Type = RatedCapstan; Device Type = VTape; Archive Device = "$W/tape-rated/drive-0.vtape"
  Autochanger = yes; Drive Index = 0; LabelMedia = yes; Random Access = no; Removable Media = yes
  AutomaticMount = yes; AlwaysOpen = yes; Maximum Block Size = $BLOCK
  Spool Directory = "$W/spool-capstan"
  Maximum Tape Rate = $TAPE_RATE; Minimum Tape Rate = $TAPE_MIN_RATE
}
EOF

cat >"$W/fd.conf" <<EOF
FileDaemon {
  Name = bench-fd; FDport = $FD_PORT; FDAddress = 127.0.0.1
  WorkingDirectory = "$W/fd"; Pid Directory = "$W/fd"; Maximum Concurrent Jobs = 40
}
Director { Name = bench-dir; Password = "bench-fd-password" }
Messages { Name = Standard; director = bench-dir = all, !skipped, !restored }
EOF

# The Director runs one job at a time (Maximum Concurrent Jobs = 1), except in phases jobs32 and tape8, for which it
# is restarted with 40 (dir_conf 40; the Client, Storage and batch Job resources allow 40 throughout).
dir_conf() {  # director's Maximum Concurrent Jobs
cat <<EOF
Director {
  Name = bench-dir; DIRport = $DIR_PORT; DirAddress = 127.0.0.1
  QueryFile = "/etc/bacula/scripts/query.sql"; WorkingDirectory = "$W/dir"; PidDirectory = "$W/dir"
  Password = "bench-console-password"; Messages = Daemon; Maximum Concurrent Jobs = $1
}
Catalog { Name = MyCatalog; dbname = "bacula"; dbuser = ""; dbpassword = "" }
Client {
  Name = bench-fd; Address = 127.0.0.1; FDPort = $FD_PORT; Catalog = MyCatalog; Password = "bench-fd-password"
  AutoPrune = no; Maximum Concurrent Jobs = 40
}
Storage {
  Name = BaculaSD; Address = 127.0.0.1; SDPort = $BSD_PORT; Password = "bench-sd-password"
  Device = FileDev; Media Type = FileBacula; Maximum Concurrent Jobs = 40
}
Storage {
  Name = CapstanSD; Address = 127.0.0.1; SDPort = $CSD_PORT; Password = "bench-sd-password"
  Device = FileDev; Media Type = FileCapstan; Maximum Concurrent Jobs = 40
}
Storage {
  Name = BaculaTape; Address = 127.0.0.1; SDPort = $BSD_PORT; Password = "bench-sd-password"
  Device = TapeDev; Media Type = TapeFileBacula
}
Storage {
  Name = CapstanTape; Address = 127.0.0.1; SDPort = $CSD_PORT; Password = "bench-sd-password"
  Device = TapeDev; Media Type = TapeFileCapstan
}
Storage {
  Name = CapstanRated; Address = 127.0.0.1; SDPort = $CSD_PORT; Password = "bench-sd-password"
  Device = RatedLib; Media Type = RatedCapstan; Maximum Concurrent Jobs = 40
}
Pool {
  Name = Bench; Pool Type = Backup; Label Format = "Vol-"; Recycle = no; AutoPrune = no; Maximum Volume Jobs = 1
}
Pool {
  Name = CopySourceBacula; Pool Type = Backup; Label Format = "SrcB-"; Recycle = no; AutoPrune = no
  Storage = BaculaSD; Next Pool = CopyTapeBacula
}
Pool {
  Name = CopySourceCapstan; Pool Type = Backup; Label Format = "SrcC-"; Recycle = no; AutoPrune = no
  Storage = CapstanSD; Next Pool = CopyTapeCapstan
}
Pool {
  Name = Batch; Pool Type = Backup; Label Format = "Batch-"; Recycle = no; AutoPrune = no
  Maximum Volume Jobs = $JOBS32_N
}
Pool { Name = CopyTapeBacula; Pool Type = Backup; Storage = BaculaTape; Recycle = no; AutoPrune = no }
Pool { Name = CopyTapeCapstan; Pool Type = Backup; Storage = CapstanTape; Recycle = no; AutoPrune = no }
FileSet { Name = BigSet; Include { Options { signature = MD5 } File = "$DATA/big" } }
FileSet { Name = SmallSet; Include { Options { signature = MD5 } File = "$SMALL_DIR" } }
FileSet { Name = Jobs32Set; Include { Options { signature = MD5 } File = "$SMALL_DIR/d00" } }
FileSet { Name = Tape8Set; Include { Options { signature = MD5 } File = "$DATA/tape8" } }
JobDefs {
  Name = BenchDefs; Type = Backup; Level = Full; Client = bench-fd; Storage = BaculaSD; Pool = Bench
  Messages = Standard; Write Bootstrap = "$W/dir/%n-%i.bsr"
}
Job { Name = Big; JobDefs = BenchDefs; FileSet = BigSet; Spool Data = no }
Job { Name = Small; JobDefs = BenchDefs; FileSet = SmallSet; Spool Data = no }
Job { Name = BigSpool; JobDefs = BenchDefs; FileSet = BigSet; Spool Data = yes }
Job { Name = SmallSpool; JobDefs = BenchDefs; FileSet = SmallSet; Spool Data = yes }
Job {
  Name = Jobs32; JobDefs = BenchDefs; FileSet = Jobs32Set; Pool = Batch; Spool Data = $JOBS32_SPOOL
  Maximum Concurrent Jobs = 40; Allow Duplicate Jobs = yes
}
Job {
  Name = Tape8Spool; JobDefs = BenchDefs; FileSet = Tape8Set; Storage = CapstanRated; Pool = Batch; Spool Data = yes
  Maximum Bandwidth = $TAPE8_SPOOL_BW; Maximum Concurrent Jobs = 40; Allow Duplicate Jobs = yes
}
Job {
  Name = Tape8Plain; JobDefs = BenchDefs; FileSet = Tape8Set; Storage = CapstanRated; Pool = Batch; Spool Data = no
  Maximum Bandwidth = $TAPE8_PLAIN_BW; Maximum Concurrent Jobs = 40; Allow Duplicate Jobs = yes
}
Job { Name = CopySourceBacula; JobDefs = BenchDefs; FileSet = BigSet; Storage = BaculaSD; Pool = CopySourceBacula }
Job { Name = CopySourceCapstan; JobDefs = BenchDefs; FileSet = BigSet; Storage = CapstanSD; Pool = CopySourceCapstan }
Job {
  Name = CopyBacula; Type = Copy; Selection Type = Job; Selection Pattern = "^CopySourceBacula$"
  Client = bench-fd; FileSet = BigSet; Pool = CopySourceBacula; Storage = BaculaSD; Messages = Standard
}
Job {
  Name = CopyCapstan; Type = Copy; Selection Type = Job; Selection Pattern = "^CopySourceCapstan$"
  Client = bench-fd; FileSet = BigSet; Pool = CopySourceCapstan; Storage = CapstanSD; Messages = Standard
}
Messages {
  Name = Standard; console = all, !skipped, !saved; catalog = all
  append = "$W/dir/messages.log" = all, !skipped, !saved
}
Messages { Name = Daemon; console = all, !skipped, !saved; append = "$W/dir/messages.log" = all, !skipped, !saved }
EOF
}
dir_conf 1 >"$W/dir.conf"

cat >"$W/bconsole.conf" <<EOF
Director { Name = bench-dir; DIRport = $DIR_PORT; Address = 127.0.0.1; Password = "bench-console-password" }
EOF

# The SQLite catalog: Debian's script hard-codes "cd /var/lib/bacula" and a db_name placeholder.
sed -e "s|^cd /var/lib/bacula|cd '$W/dir'|" -e "s|XXX_DBNAME_XXX|bacula|" \
    /usr/share/bacula-director/make_sqlite3_tables >"$W/make-catalog.sh"
sh "$W/make-catalog.sh" >"$W/log/make-catalog.out" 2>&1 || true
[ -s "$W/dir/bacula.db" ] || { cat "$W/log/make-catalog.out" >&2; die "catalog not created"; }

/usr/sbin/bacula-sd -t -c "$W/bacula-sd.conf" || die "bacula-sd.conf rejected"
"$CAPSTAN_SD" -t -c "$W/capstan-sd.conf" || die "capstan-sd.conf rejected"
/usr/sbin/bacula-fd -t -c "$W/fd.conf" || die "fd.conf rejected"
/usr/sbin/bacula-dir -t -c "$W/dir.conf" || die "dir.conf rejected"

start_daemon bacula-sd /usr/sbin/bacula-sd -f -c "$W/bacula-sd.conf"
start_daemon capstan-sd "$CAPSTAN_SD" -f -c "$W/capstan-sd.conf"
start_daemon fd /usr/sbin/bacula-fd -f -c "$W/fd.conf"
wait_port "$BSD_PORT" bacula-sd; wait_port "$CSD_PORT" capstan-sd; wait_port "$FD_PORT" fd
start_daemon dir /usr/sbin/bacula-dir -f -c "$W/dir.conf"
wait_port "$DIR_PORT" dir

# ---------------------------------------------------------------------------------------------------------------
# Measuring one job.

console() { printf '%b\n' "$1" | timeout 600 /usr/sbin/bconsole -c "$W/bconsole.conf"; }
sql() { sqlite3 -cmd ".timeout 20000" -separator ' ' "$W/dir/bacula.db" "$1"; }
cpu_s() {  # pid : utime + stime of all threads, seconds (fields 14 and 15; comm may hold spaces)
    local s; s=$(<"/proc/$1/stat"); s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    awk -v u="${12}" -v t="${13}" -v k="$CLK_TCK" 'BEGIN { printf "%.2f", (u + t) / k }'
}
loadavg1() { cut -d' ' -f1 /proc/loadavg; }
device_bytes() {  # sd : bytes in that SD's volumes, tape cartridges and spool files now
    # shellcheck disable=SC2046
    find "$W/vol-$1" "$W/spool-$1" $([ "$1" = capstan ] && echo "$W/tape-rated") -maxdepth 2 -type f \
        \( -name '*.spool' -o -name 'Vol-*' -o -name '*.vtape' \) -printf '%s\n' 2>/dev/null \
        | awk '{ s += $1 } END { printf "%.0f", s }'
}
volume_bytes() {  # sd : bytes in that SD's volumes and cartridges (not spool files)
    # shellcheck disable=SC2046
    find "$W/vol-$1" $([ "$1" = capstan ] && echo "$W/tape-rated") -maxdepth 2 -type f \
        \( -name 'Vol-*' -o -name '*.vtape' \) -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'
}
busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
now() { echo "$EPOCHREALTIME"; }
wait_quiet() {  # at most QUIET_WAIT s, until other load < 0.3 core over 1.5 s
    local end=$((SECONDS + QUIET_WAIT)) a b
    while [ $SECONDS -lt $end ]; do
        a=$(busy_jiffies); sleep 1.5; b=$(busy_jiffies)
        [ $((b - a)) -lt $((CLK_TCK * 45 / 100)) ] && return 0
    done
    log "machine busy (other load >= 0.3 core); running anyway (see other_cores)"
}
vol_dir() { [ "$1" = bacula ] && echo "$W/vol-bacula" || echo "$W/vol-capstan"; }
volumes_of_job() {
    sql "select distinct VolumeName from Media m join JobMedia jm on m.MediaId = jm.MediaId where jm.JobId = $1"
}
# The largest block length among a volume's first 8 blocks (the length is the big-endian uint32 at byte 4 of a
# Bacula block header), so the table shows that both SDs really wrote 1 MiB blocks.
max_block() {
    local file=$1 off=0 n len max=0 size
    size=$(stat -c %s "$file" 2>/dev/null || echo 0)
    for n in 1 2 3 4 5 6 7 8; do
        [ $((off + 24)) -le "$size" ] || break
        len=$(od -An -tu1 -j $((off + 4)) -N 4 "$file" | awk '{print (($1 * 256 + $2) * 256 + $3) * 256 + $4}')
        [ "$len" -gt 0 ] 2>/dev/null || break
        [ "$len" -gt "$max" ] && max=$len
        off=$((off + len))
    done
    echo "$max"
}
# The Director's message log from byte LOG_OFFSET on (JobIds are unique, but this also keeps each grep small).
job_log() { tail -c +$((LOG_OFFSET + 1)) "$W/dir/messages.log" 2>/dev/null || true; }
msg_time() {  # jobid text : epoch seconds of the first such message ("YYYY-MM-DD HH:MM:SS<host> JobId N: text")
    local line
    line=$(grep -m1 -F "JobId $1: $2" "$W/log/job-$1.log" || true)
    [ -n "$line" ] && date -d "${line:0:19}" +%s
    return 0
}
spool_bytes() {  # sd : bytes in that SD's data spool files now
    find "$W/spool-$1" -maxdepth 1 -name '*.data.*' -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'
}
hms_to_s() { awk -F: '{ print ($1 * 3600) + ($2 * 60) + $3 }' <<<"$1"; }

CSV_HEADER="phase,dataset,sd,rep,jobid,status,files,bytes,wall_s,elapsed_s,MBps_wall,MBps_elapsed,sd_cpu_s,sd_cpu_s_per_GiB,fd_cpu_s,other_cores,block_bytes,spooled,spool_msg_s,despool_msg_s,spool_poll_s,despool_poll_s,spooled_bytes,start_s,end_s,loadavg1,drive_Bps,underruns,jobs,peak_rss_kib,rss_limit_kib"

run_job() {  # phase dataset sd rep
    local phase=$1 ds=$2 sd=$3 rep=$4 job storage sdpid fdpid s0 f0 b0 t0 t1 s1 f1 b1 id out st deadline
    local row vol blk=0 spooled=no spool_msg="" despool_msg="" sbytes="" sz
    local p_start="" p_grow="" p_end="" p_max=0 spool_poll="" despool_poll=""
    local d0 dv dvmax=-1 first_data="" last_data="" tick=0 start_s="" end_s="" load drive_rate="" underruns=""
    job=Big; [ "$ds" = small ] && job=Small
    [ "$phase" != plain ] && job=${job}Spool
    storage=BaculaSD; [ "$sd" = capstan ] && storage=CapstanSD
    [ "$phase" = tape ] && storage=CapstanRated
    sdpid=${PID[$sd-sd]}; fdpid=${PID[fd]}
    kill -0 "$sdpid" 2>/dev/null || die "$sd-sd is gone (see $W/log/$sd-sd.out)"
    # The Director may still be ending the previous job after the terminal JobStatus polled for below: start only
    # once it reports no running job.
    local settle
    for settle in $(seq 1 150); do console "status dir" | grep -q "No Jobs running" && break; sleep 0.2; done
    sync; wait_quiet; sleep "$SETTLE"
    LOG_OFFSET=$(stat -c %s "$W/dir/messages.log" 2>/dev/null || echo 0)
    d0=$(device_bytes "$sd")
    s0=$(cpu_s "$sdpid"); f0=$(cpu_s "$fdpid"); b0=$(busy_jiffies); t0=$(now)
    out=$(console "run job=$job storage=$storage level=Full yes")
    id=$(sed -n 's/.*Job queued\. JobId=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)
    [ -n "$id" ] || { printf '%s\n' "$out" >&2; die "job not queued: $job on $storage"; }
    deadline=$((SECONDS + JOB_TIMEOUT))
    while :; do
        # fixed costs: the first data on the device (or its spool), the last growth of the volumes
        if [ -z "$first_data" ] && [ $(($(device_bytes "$sd") - d0)) -gt 65536 ]; then first_data=$(now); fi
        dv=$(volume_bytes "$sd")
        if [ "$dv" -gt "$dvmax" ]; then dvmax=$dv; last_data=$(now); fi
        tick=$((tick + 1))
        if [ $((tick % 4)) -ne 1 ]; then sleep 0.05; continue; fi
        st=$(sql "select JobStatus from Job where JobId = $id")
        if [ "$phase" != plain ] && [ -z "$p_end" ]; then
            # The data spool file (<sd>.data.<jobid>.<job>.<device>.spool) grows while the SD spools and is
            # truncated or removed once it has been despooled to the volume.
            sz=$(spool_bytes "$sd")
            if [ "$sz" -gt "$p_max" ]; then
                [ -z "$p_start" ] && p_start=$(now)
                p_max=$sz; p_grow=$(now)
            elif [ "$p_max" -gt 0 ] && [ "$sz" -lt "$p_max" ]; then
                p_end=$(now)
            fi
        fi
        case $st in T | E | e | f | A | W) break ;; esac
        if [ $SECONDS -ge $deadline ]; then
            log "job $id ran past JOB_TIMEOUT=$JOB_TIMEOUT s; cancelling it"
            console "cancel jobid=$id yes" >/dev/null || true
            for _ in $(seq 1 150); do
                st=$(sql "select JobStatus from Job where JobId = $id")
                case $st in T | E | e | f | A) break ;; esac
                sleep 0.2
            done
            st=timeout
            break
        fi
        sleep 0.05
    done
    t1=$(now); s1=$(cpu_s "$sdpid"); f1=$(cpu_s "$fdpid"); b1=$(busy_jiffies); load=$(loadavg1)
    [ -n "$first_data" ] && start_s=$(awk -v a="$t0" -v b="$first_data" 'BEGIN { printf "%.2f", b - a }')
    [ -n "$last_data" ] && end_s=$(awk -v a="$last_data" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    sleep 0.5  # the last job messages reach the log just after the status
    row=$(sql "select JobFiles, JobBytes, strftime('%s', EndTime) - strftime('%s', StartTime) from Job where JobId = $id")
    job_log | grep -F "JobId $id: " >"$W/log/job-$id.log" || true
    if [ "$sd" = capstan ]; then  # capstan-sd's drive report: "..., average rate N bytes/s, drive underruns=N."
        drive_rate=$(sed -n 's/.*average rate \([0-9,]*\) bytes\/s.*/\1/p' "$W/log/job-$id.log" | tail -1 | tr -d ,)
        underruns=$(sed -n 's/.*drive underruns=\([0-9]*\).*/\1/p' "$W/log/job-$id.log" | tail -1)
    fi
    if [ "$phase" != plain ]; then
        if grep -qF "JobId $id: Spooling data" "$W/log/job-$id.log"; then
            spooled=yes
            # The SD stamps each job message with its own time (1 s resolution); the messages reach the
            # Director's log only at the end of the job, so their arrival cannot be timed.
            spool_msg=$(awk -v a="$(msg_time "$id" "Spooling data")" -v b="$(msg_time "$id" "Committing spooled data")" \
                'BEGIN { if (a != "" && b != "") print b - a }')
            despool_msg=$(grep -F "JobId $id: Despooling elapsed time = " "$W/log/job-$id.log" \
                | sed -n 's/.*Despooling elapsed time = \([0-9:]*\).*/\1/p' \
                | while read -r hms; do hms_to_s "$hms"; done | awk '{s += $1} END {if (NR) print s}')
            sbytes=$(grep -F "JobId $id: Committing spooled data" "$W/log/job-$id.log" \
                | sed -n 's/.*Despooling \([0-9,]*\) bytes.*/\1/p' | tr -d , | awk '{s += $1} END {if (NR) printf "%.0f", s}')
            [ -n "$p_start" ] && [ -n "$p_grow" ] \
                && spool_poll=$(awk -v a="$p_start" -v b="$p_grow" 'BEGIN { printf "%.1f", b - a }')
            [ -n "$p_grow" ] && [ -z "$p_end" ] && p_end=$t1
            [ -n "$p_grow" ] && [ -n "$p_end" ] \
                && despool_poll=$(awk -v a="$p_grow" -v b="$p_end" 'BEGIN { printf "%.1f", b - a }')
        else
            spooled=no
        fi
    else
        spooled=-
    fi
    # Only the volume file goes: "delete volume" would also delete the Job rows, and SQLite would then hand out
    # the same JobId again. The Media rows stay (status Used: Maximum Volume Jobs = 1), so no volume is reused.
    # (phase tape: the cartridges stay in the virtual library until the work directory goes)
    [ "$phase" = tape ] || for vol in $(volumes_of_job "$id"); do
        [ -f "$(vol_dir "$sd")/$vol" ] && blk=$(max_block "$(vol_dir "$sd")/$vol")
        rm -f "$(vol_dir "$sd")/$vol"
    done
    rm -f "$W/spool-$sd"/*.spool 2>/dev/null || true
    if [ "$st" != T ]; then
        log "job $id ($job on $sd-sd) ended with status $st; its messages:"
        tail -30 "$W/log/job-$id.log" >&2 || true
    fi
    awk -v phase="$phase" -v ds="$ds" -v sd="$sd" -v rep="$rep" -v id="$id" -v st="$st" -v row="$row" \
        -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v f0="$f0" -v f1="$f1" -v b0="$b0" -v b1="$b1" \
        -v tck="$CLK_TCK" -v blk="$blk" -v spooled="$spooled" -v spm="$spool_msg" -v dspm="$despool_msg" \
        -v spp="$spool_poll" -v dspp="$despool_poll" -v sb="$sbytes" -v ss="$start_s" -v es="$end_s" \
        -v load="$load" -v drate="$drive_rate" -v ur="$underruns" '
      BEGIN { split(row, r, " "); files = r[1] + 0; bytes = r[2] + 0; el = r[3] + 0
              wall = t1 - t0; sdc = s1 - s0; fdc = f1 - f0
              other = ((b1 - b0) / tck - sdc - fdc) / wall; if (other < 0) other = 0
              gib = bytes / 1073741824
              printf "%s,%s,%s,%s,%s,%s,%.0f,%.0f,%.2f,%.0f,%.1f,%s,%.2f,%s,%.2f,%.2f,%.0f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,,,\n",
                phase, ds, sd, rep, id, st, files, bytes, wall, el, bytes / wall / 1e6,
                (el > 0 ? sprintf("%.1f", bytes / el / 1e6) : ""), sdc,
                (gib > 0 ? sprintf("%.2f", sdc / gib) : ""), fdc, other, blk, spooled, spm, dspm, spp, dspp, sb,
                ss, es, load, drate, ur }'
}

# Phase "copy": a Copy job of the (a) backup from the SD's File Device to its virtual tape.

wait_terminal() {  # jobid seconds : prints the job's final status (or what it has when the time is up)
    local st deadline=$((SECONDS + $2))
    while :; do
        st=$(sql "select JobStatus from Job where JobId = $1")
        case $st in T | E | e | f | A | W) echo "$st"; return 0 ;; esac
        [ $SECONDS -ge $deadline ] && { echo "${st:-?}"; return 1; }
        sleep 0.2
    done
}
declare -A COPY_SOURCE  # sd -> JobId of the backup that the copies copy
prepare_copies() {  # once per SD: the source backup (not measured) and the virtual tape's label
    local sd Sd id out st
    for sd in bacula capstan; do
        Sd=Bacula; [ "$sd" = capstan ] && Sd=Capstan
        out=$(console "run job=CopySource$Sd level=Full yes")
        id=$(sed -n 's/.*Job queued\. JobId=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)
        [ -n "$id" ] || { printf '%s\n' "$out" >&2; die "copy source backup not queued on $sd-sd"; }
        st=$(wait_terminal "$id" "$JOB_TIMEOUT") || true
        [ "$st" = T ] || die "the copy source backup $id on $sd-sd ended $st"
        COPY_SOURCE[$sd]=$id
        console "label storage=${Sd}Tape volume=Tape$Sd pool=CopyTape$Sd drive=0" >"$W/log/label-$sd.out" 2>&1 || true
        [ "$(sql "select count(*) from Media where VolumeName = 'Tape$Sd'")" = 1 ] \
            || { cat "$W/log/label-$sd.out" >&2; die "the virtual tape of $sd-sd was not labelled"; }
        log "copy source on $sd-sd: JobId $id; virtual tape Tape$Sd labelled"
    done
}
run_copy() {  # sd rep : one Copy job, measured; prints its CSV line
    local sd=$1 rep=$2 Sd sdpid fdpid s0 f0 b0 t0 t1 s1 f1 b1 out control st copy="" row
    Sd=Bacula; [ "$sd" = capstan ] && Sd=Capstan
    sdpid=${PID[$sd-sd]}; fdpid=${PID[fd]}
    kill -0 "$sdpid" 2>/dev/null || die "$sd-sd is gone (see $W/log/$sd-sd.out)"
    sync; wait_quiet
    LOG_OFFSET=$(stat -c %s "$W/dir/messages.log" 2>/dev/null || echo 0)
    s0=$(cpu_s "$sdpid"); f0=$(cpu_s "$fdpid"); b0=$(busy_jiffies); t0=$(now)
    out=$(console "run job=Copy$Sd jobid=${COPY_SOURCE[$sd]} yes")
    control=$(sed -n 's/.*Job queued\. JobId=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)
    [ -n "$control" ] || { printf '%s\n' "$out" >&2; die "copy not queued on $sd-sd"; }
    st=$(wait_terminal "$control" "$JOB_TIMEOUT") || st=timeout
    # the control job ends after its copy; the copy's own row is the one measured
    copy=$(sql "select max(JobId) from Job where Type = 'C' and PriorJobId = ${COPY_SOURCE[$sd]} and JobId > $control")
    if [ -n "$copy" ]; then
        local copy_st; copy_st=$(wait_terminal "$copy" 60) || true
        [ "$st" = T ] && st=$copy_st
    fi
    t1=$(now); s1=$(cpu_s "$sdpid"); f1=$(cpu_s "$fdpid"); b1=$(busy_jiffies)
    [ -n "$copy" ] || { st=${st/T/nocopy}; copy=$control; }
    row=$(sql "select JobFiles, JobBytes, strftime('%s', EndTime) - strftime('%s', StartTime) from Job where JobId = $copy")
    if [ "$st" != T ]; then
        log "copy $copy (control $control) on $sd-sd ended with status $st; its messages:"
        job_log | grep -F -e "JobId $control: " -e "JobId $copy: " | tail -30 >&2 || true
    fi
    awk -v sd="$sd" -v rep="$rep" -v id="$copy" -v st="$st" -v row="$row" \
        -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v f0="$f0" -v f1="$f1" -v b0="$b0" -v b1="$b1" -v tck="$CLK_TCK" -v load="$(loadavg1)" '
      BEGIN { split(row, r, " "); files = r[1] + 0; bytes = r[2] + 0; el = r[3] + 0
              wall = t1 - t0; sdc = s1 - s0; fdc = f1 - f0
              other = ((b1 - b0) / tck - sdc - fdc) / wall; if (other < 0) other = 0
              gib = bytes / 1073741824
              # no elapsed_s: the Director gives a copy the StartTime and EndTime of the job it copied
              printf "copy,big,%s,%s,%s,%s,%.0f,%.0f,%.2f,,%.1f,,%.2f,%s,%.2f,%.2f,,-,,,,,,,,%s,,,,,\n",
                sd, rep, id, st, files, bytes, wall, bytes / wall / 1e6, sdc,
                (gib > 0 ? sprintf("%.2f", sdc / gib) : ""), fdc, other, load }'
}

# Phases "jobs32" and "tape8": a batch of jobs started at once, measured as one row.

rss_kib() { awk -v k="$2" '$1 == k ":" { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
# issue #15's memory limit for capstan-sd: 64 MiB + the configured block buffers: one per job (its block being
# assembled) and the drive writer's pool of the one Device the batch writes to (8 buffers), each of the Maximum
# Block Size rounded up to 1024
RSS_LIMIT_KIB=$((64 * 1024 + (JOBS32_N + 8) * ((BLOCK + 1023) / 1024)))
restart_dir() {  # director's Maximum Concurrent Jobs
    stop_pid "${PID[dir]}"
    dir_conf "$1" >"$W/dir.conf"
    start_daemon dir /usr/sbin/bacula-dir -f -c "$W/dir.conf"
    wait_port "$DIR_PORT" dir
}
run_batch() {  # phase dataset sd rep job storage count : COUNT jobs at once; prints one CSV line
    local phase=$1 ds=$2 sd=$3 rep=$4 job=$5 storage=$6 count=$7 sdpid fdpid s0 f0 b0 t0 t1 s1 f1 b1 out
    local ids id st all_t=yes peak=0 r hwm row rates ur load i cmds=""
    sdpid=${PID[$sd-sd]}; fdpid=${PID[fd]}
    kill -0 "$sdpid" 2>/dev/null || die "$sd-sd is gone (see $W/log/$sd-sd.out)"
    sync; wait_quiet
    LOG_OFFSET=$(stat -c %s "$W/dir/messages.log" 2>/dev/null || echo 0)
    echo 5 >"/proc/$sdpid/clear_refs" 2>/dev/null || log "cannot reset the peak RSS of $sd-sd (not root?)"
    for ((i = 0; i < count; i++)); do cmds+="run job=$job storage=$storage level=Full yes\n"; done
    s0=$(cpu_s "$sdpid"); f0=$(cpu_s "$fdpid"); b0=$(busy_jiffies); t0=$(now)
    out=$(console "$cmds")
    ids=$(sed -n 's/.*Job queued\. JobId=\([0-9]*\).*/\1/p' <<<"$out" | tr '\n' ' ')
    [ "$(wc -w <<<"$ids")" = "$count" ] || { printf '%s\n' "$out" >&2; die "not all $count jobs $job queued on $storage"; }
    local deadline=$((SECONDS + JOB_TIMEOUT)) done_n
    while :; do
        r=$(rss_kib "$sdpid" VmRSS); [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
        done_n=$(sql "select count(*) from Job where JobId in (${ids// /,}0) and JobStatus in ('T','E','e','f','A','W')")
        [ "$done_n" = "$count" ] && break
        if [ $SECONDS -ge $deadline ]; then
            log "batch $job ran past JOB_TIMEOUT=$JOB_TIMEOUT s; cancelling it"
            for id in $ids; do console "cancel jobid=$id yes" >/dev/null || true; done
            all_t=timeout
            break
        fi
        sleep 0.2
    done
    t1=$(now); s1=$(cpu_s "$sdpid"); f1=$(cpu_s "$fdpid"); b1=$(busy_jiffies); load=$(loadavg1)
    hwm=$(rss_kib "$sdpid" VmHWM); [ -n "$hwm" ] && [ "$hwm" -gt "$peak" ] && peak=$hwm
    sleep 0.5  # the last job messages reach the log just after the status
    for id in $ids; do
        st=$(sql "select JobStatus from Job where JobId = $id")
        [ "$st" = T ] || { [ "$all_t" = yes ] && all_t="not-T:$id=$st"; }
    done
    # files and bytes summed; elapsed from the batch's first start to its last end
    row=$(sql "select sum(JobFiles), sum(JobBytes), max(strftime('%s', EndTime)) - min(strftime('%s', StartTime)) from Job where JobId in (${ids// /,}0)")
    job_log | grep -E "JobId ($(tr ' ' '|' <<<"${ids% }")): " >"$W/log/batch-$phase-$sd-$rep.log" || true
    # the drive report of the data path (its counters cover every job of the batch): the largest
    rates=$(sed -n 's/.*average rate \([0-9,]*\) bytes\/s.*/\1/p' "$W/log/batch-$phase-$sd-$rep.log" | tr -d , | sort -g | tail -1)
    ur=$(sed -n 's/.*drive underruns=\([0-9]*\).*/\1/p' "$W/log/batch-$phase-$sd-$rep.log" | sort -g | tail -1)
    if [ "$all_t" != yes ]; then
        log "batch $job on $sd-sd: $all_t; its last messages:"
        tail -30 "$W/log/batch-$phase-$sd-$rep.log" >&2 || true
    fi
    [ "$all_t" = yes ] && all_t=T
    # the batch's volume files go (their Media rows are marked Used, so no name is used again)
    if [ "$phase" = jobs32 ]; then
        for vol in $(sql "select distinct VolumeName from Media m join JobMedia jm on m.MediaId = jm.MediaId where jm.JobId in (${ids// /,}0)"); do
            rm -f "$(vol_dir "$sd")/$vol"
            sql "update Media set VolStatus = 'Used' where VolumeName = '$vol'" >/dev/null
        done
    fi
    rm -f "$W/spool-$sd"/*.spool 2>/dev/null || true
    local limit=""; [ "$sd" = capstan ] && limit=$RSS_LIMIT_KIB
    local spooled=no; [ "$job" = Tape8Spool ] || { [ "$phase" = jobs32 ] && [ "$JOBS32_SPOOL" = yes ]; } && spooled=yes
    awk -v phase="$phase" -v ds="$ds" -v sd="$sd" -v rep="$rep" -v id="$(awk '{print $1 "-" $NF}' <<<"$ids")" \
        -v st="$all_t" -v row="$row" -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v f0="$f0" -v f1="$f1" \
        -v b0="$b0" -v b1="$b1" -v tck="$CLK_TCK" -v load="$load" -v drate="$rates" -v ur="$ur" -v n="$count" \
        -v peak="$peak" -v limit="$limit" -v spooled="$spooled" '
      BEGIN { split(row, r, " "); files = r[1] + 0; bytes = r[2] + 0; el = r[3] + 0
              wall = t1 - t0; sdc = s1 - s0; fdc = f1 - f0
              other = ((b1 - b0) / tck - sdc - fdc) / wall; if (other < 0) other = 0
              gib = bytes / 1073741824
              printf "%s,%s,%s,%s,%s,%s,%.0f,%.0f,%.2f,%.0f,%.1f,%s,%.2f,%s,%.2f,%.2f,,%s,,,,,,,,%s,%s,%s,%s,%s,%s\n",
                phase, ds, sd, rep, id, st, files, bytes, wall, el, bytes / wall / 1e6,
                (el > 0 ? sprintf("%.1f", bytes / el / 1e6) : ""), sdc,
                (gib > 0 ? sprintf("%.2f", sdc / gib) : ""), fdc, other, spooled, load, drate, ur, n, peak, limit }'
}

# ---------------------------------------------------------------------------------------------------------------
# The runs: for each phase, REPS × ((a) A B, (b) A B); the copy phase REPS × (A B, then B A) of (a).

mkdir -p "$ROOT/bench-results"
STAMP=$(date +%Y%m%d-%H%M%S)
CSV=$ROOT/bench-results/bench-sd-$STAMP.csv
SUMMARY=$ROOT/bench-results/bench-sd-$STAMP.txt
echo "$CSV_HEADER" >"$CSV"
log "results: $CSV"
log "volumes on: $(df --output=source,target "$W/vol-bacula" | tail -1) (both SDs)"
START=$SECONDS
for phase in $PHASES; do
    case $phase in plain | spool | tape | copy | jobs32 | tape8) ;;
    *) die "unknown phase $phase (plain, spool, tape, copy, jobs32, tape8)" ;; esac
    if [ "$phase" = jobs32 ] || [ "$phase" = tape8 ]; then
        restart_dir 40
        for rep in $(seq 1 "$REPS"); do
            if [ "$phase" = jobs32 ]; then
                for sd in bacula capstan; do
                    storage=BaculaSD; [ "$sd" = capstan ] && storage=CapstanSD
                    line=$(run_batch jobs32 small32 "$sd" "$rep" Jobs32 "$storage" "$JOBS32_N")
                    echo "$line" >>"$CSV"
                    log "$line"
                done
            else
                for ds in spool8 plain8; do
                    job=Tape8Spool; [ "$ds" = plain8 ] && job=Tape8Plain
                    line=$(run_batch tape8 "$ds" capstan "$rep" "$job" CapstanRated 8)
                    echo "$line" >>"$CSV"
                    log "$line"
                done
            fi
        done
        restart_dir 1
        continue
    fi
    if [ "$phase" = copy ]; then
        prepare_copies
        for rep in $(seq 1 "$REPS"); do
            # A B B A ...: bacula-dir waits seconds longer before the second of two back-to-back copies contacts
            # its SD (whichever SD that is), so the order alternates
            order="bacula capstan"; [ $((rep % 2)) = 0 ] && order="capstan bacula"
            for sd in $order; do
                line=$(run_copy "$sd" "$rep")
                echo "$line" >>"$CSV"
                log "$line"
            done
        done
        continue
    fi
    for rep in $(seq 1 "$REPS"); do
        for ds in $SETS; do
            case $ds in big | small) ;; *) die "unknown data set $ds (big, small)" ;; esac
            # A B, then B A: bacula-dir starts the second of two back-to-back jobs seconds later than the first
            # (whichever SD it uses; 5.2 against 2.6 s from run to the first data, 2026-12-03), so the SDs take
            # turns going first.
            sds="bacula capstan"; [ $((rep % 2)) = 0 ] && sds="capstan bacula"
            [ "$phase" = tape ] && sds=capstan
            for sd in $sds; do
                line=$(run_job "$phase" "$ds" "$sd" "$rep")
                echo "$line" >>"$CSV"
                log "$line"
            done
        done
    done
done
RUN_SECONDS=$((SECONDS - START))

# ---------------------------------------------------------------------------------------------------------------
# Summary: medians of the jobs that ended T, and ratios capstan/bacula.

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() {  # phase dataset sd column-name -> values of the T jobs
    awk -F, -v p="$1" -v d="$2" -v s="$3" -v c="$4" '
        NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
        $1 == p && $2 == d && $3 == s && $6 == "T" && $k[c] != "" { print $k[c] }' "$CSV"
}
med() { col "$@" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b + 0 != 0) printf "%.2f", a / b; else printf "-" }'; }
{
    echo "capstan-sd vs bacula-sd (issue #5) — $(date -Is)"
    echo "host: $(nproc) cores, $(uname -r); volumes on $(df --output=source "$W/vol-bacula" | tail -1) for both SDs;"
    echo "Maximum Block Size = $BLOCK on both Devices; one bacula-fd, bacula-dir with SQLite; MD5 signatures."
    echo "data: (a) $BIG_BYTES bytes in one random file; (b) $SMALL_BYTES bytes in $SMALL_FILES files of 4-64 KiB."
    echo "REPS=$REPS (pairs A=bacula-sd, B=capstan-sd, in turns A B, B A); medians over jobs that ended T; run took ${RUN_SECONDS} s."
    echo "MB/s wall = JobBytes / (bconsole run -> terminal status); MB/s job = JobBytes / catalog elapsed (1 s res.)."
    echo "SD CPU = utime+stime of the SD process during the job; other = CPU of everything else, in cores."
    echo "block = largest block length among the volume's first 8 blocks (read back from the volume file)."
    echo "load = the 1-minute load average at the job's end (the machine's other work shows in it and in 'other')."
    echo "start s = Director's run -> first data on the SD's device or spool; end s = last growth of the volume ->"
    echo "the job's terminal status (the job's fixed costs; polled every 0.05 s, the status every 0.2 s)."
    for phase in $PHASES; do
        if [ "$phase" = jobs32 ]; then
            echo
            echo "== phase: jobs32 ($JOBS32_N jobs at once into one SD, 1000 files of 4-64 KiB each, Spool Data ="
            echo "   $JOBS32_SPOOL; peak RSS = the SD's VmHWM over the batch, reset before it; limit (capstan-sd) ="
            echo "   64 MiB + the block buffers: one per job and the Device's pool of 8, each of the Maximum Block Size)"
            printf '%-8s %3s %9s %8s %9s %9s %10s %10s %7s\n' sd n "MB/s wall" "wall s" "SDcpu s" "SDcpu/GiB" \
                "peak MiB" "limit MiB" other
            for sd in bacula capstan; do
                printf '%-8s %3s %9s %8s %9s %9s %10s %10s %7s\n' "$sd" "$(col jobs32 small32 "$sd" jobid | wc -l)" \
                    "$(med jobs32 small32 "$sd" MBps_wall)" "$(med jobs32 small32 "$sd" wall_s)" \
                    "$(med jobs32 small32 "$sd" sd_cpu_s)" "$(med jobs32 small32 "$sd" sd_cpu_s_per_GiB)" \
                    "$(col jobs32 small32 "$sd" peak_rss_kib | sort -g | tail -1 | awk '{ printf "%.1f", $1 / 1024 }')" \
                    "$(col jobs32 small32 "$sd" rss_limit_kib | head -1 | awk '{ printf "%.1f", $1 / 1024 }')" \
                    "$(med jobs32 small32 "$sd" other_cores)"
            done
            printf '%-8s     throughput(wall) %s   SD CPU/GiB %s   peak RSS %s\n' "ratio c/b" \
                "$(ratio "$(med jobs32 small32 capstan MBps_wall)" "$(med jobs32 small32 bacula MBps_wall)")" \
                "$(ratio "$(med jobs32 small32 capstan sd_cpu_s_per_GiB)" "$(med jobs32 small32 bacula sd_cpu_s_per_GiB)")" \
                "$(ratio "$(col jobs32 small32 capstan peak_rss_kib | sort -g | tail -1)" "$(col jobs32 small32 bacula peak_rss_kib | sort -g | tail -1)")"
            echo "   (peak MiB: the largest over the batches)"
            continue
        fi
        if [ "$phase" = tape8 ]; then
            echo
            echo "== phase: tape8 (capstan-sd only: 8 clients at once onto the virtual drive with Maximum Tape Rate ="
            echo "   $TAPE_RATE, Minimum Tape Rate = $TAPE_MIN_RATE; spool8: Spool Data = yes, each client at"
            echo "   $TAPE8_SPOOL_BW; plain8: no spooling, each client at $TAPE8_PLAIN_BW; $TAPE8_MIB MiB per client)"
            printf '%-7s %3s %9s %8s %9s %12s %10s %7s %6s\n' set n "MB/s wall" "wall s" "SDcpu/GiB" "drive MB/s" \
                underruns other load
            for ds in spool8 plain8; do
                printf '%-7s %3s %9s %8s %9s %12s %10s %7s %6s\n' "$ds" "$(col tape8 "$ds" capstan jobid | wc -l)" \
                    "$(med tape8 "$ds" capstan MBps_wall)" "$(med tape8 "$ds" capstan wall_s)" \
                    "$(med tape8 "$ds" capstan sd_cpu_s_per_GiB)" \
                    "$(col tape8 "$ds" capstan drive_Bps | awk '{ print $1 / 1e6 }' | median)" \
                    "$(col tape8 "$ds" capstan underruns | awk '{ s += $1 } END { print s + 0 }')" \
                    "$(med tape8 "$ds" capstan other_cores)" "$(med tape8 "$ds" capstan loadavg1)"
            done
            echo "   (n: batches of 8 jobs; underruns: the sum over the batches; drive MB/s: the drive's average rate)"
            continue
        fi
        if [ "$phase" = tape ]; then
            echo
            echo "== phase: tape (capstan-sd only: Spool Data = yes onto a virtual tape library drive with"
            echo "   Maximum Tape Rate = $TAPE_RATE, Minimum Tape Rate = $TAPE_MIN_RATE)"
            printf '%-6s %3s %9s %8s %9s %12s %10s %7s %6s\n' set n "MB/s wall" "wall s" "SDcpu/GiB" "drive MB/s" \
                underruns other load
            for ds in $SETS; do
                printf '%-6s %3s %9s %8s %9s %12s %10s %7s %6s\n' "$ds" "$(col tape "$ds" capstan jobid | wc -l)" \
                    "$(med tape "$ds" capstan MBps_wall)" "$(med tape "$ds" capstan wall_s)" \
                    "$(med tape "$ds" capstan sd_cpu_s_per_GiB)" \
                    "$(col tape "$ds" capstan drive_Bps | awk '{ print $1 / 1e6 }' | median)" \
                    "$(col tape "$ds" capstan underruns | awk '{ s += $1 } END { print s + 0 }')" \
                    "$(med tape "$ds" capstan other_cores)" "$(med tape "$ds" capstan loadavg1)"
            done
            echo "   (underruns: the sum over the phase's jobs; drive MB/s: the drive's average rate, median)"
            continue
        fi
        echo
        case $phase in
        spool) echo "== phase: spool (Spool Data = yes)" ;;
        copy) echo "== phase: copy (Copy job of (a): File Device -> virtual tape of the same SD; no FD)" ;;
        *) echo "== phase: $phase (no spooling)" ;;
        esac
        phase_sets=$SETS; [ "$phase" = copy ] && phase_sets=big
        printf '%-6s %-8s %3s %9s %9s %8s %9s %9s %8s %7s %8s\n' set sd n "MB/s wall" "MB/s job" "wall s" \
            "SDcpu s" "SDcpu/GiB" "FDcpu s" other block
        for ds in $phase_sets; do
            for sd in bacula capstan; do
                printf '%-6s %-8s %3s %9s %9s %8s %9s %9s %8s %7s %8s\n' "$ds" "$sd" \
                    "$(col "$phase" "$ds" "$sd" jobid | wc -l)" \
                    "$(med "$phase" "$ds" "$sd" MBps_wall)" "$(med "$phase" "$ds" "$sd" MBps_elapsed)" \
                    "$(med "$phase" "$ds" "$sd" wall_s)" "$(med "$phase" "$ds" "$sd" sd_cpu_s)" \
                    "$(med "$phase" "$ds" "$sd" sd_cpu_s_per_GiB)" "$(med "$phase" "$ds" "$sd" fd_cpu_s)" \
                    "$(med "$phase" "$ds" "$sd" other_cores)" "$(med "$phase" "$ds" "$sd" block_bytes)"
            done
            for sd in bacula capstan; do
                printf '%-6s %-8s     fixed cost: start %s s, end %s s; load %s\n' "$ds" "$sd" \
                    "$(med "$phase" "$ds" "$sd" start_s)" "$(med "$phase" "$ds" "$sd" end_s)" \
                    "$(med "$phase" "$ds" "$sd" loadavg1)"
            done
            printf '%-6s %-8s     throughput(wall) %s   throughput(job) %s   SD CPU/GiB %s\n' "$ds" "ratio c/b" \
                "$(ratio "$(med "$phase" "$ds" capstan MBps_wall)" "$(med "$phase" "$ds" bacula MBps_wall)")" \
                "$(ratio "$(med "$phase" "$ds" capstan MBps_elapsed)" "$(med "$phase" "$ds" bacula MBps_elapsed)")" \
                "$(ratio "$(med "$phase" "$ds" capstan sd_cpu_s_per_GiB)" "$(med "$phase" "$ds" bacula sd_cpu_s_per_GiB)")"
        done
        if [ "$phase" = spool ]; then
            echo "-- the job's total time against its spool and despool times (medians, seconds)"
            echo "   msg: from the SD's job messages (its own time stamps, 1 s resolution): spool = \"Spooling data\" to"
            echo "        \"Committing spooled data\"; despool = the SD's \"Despooling elapsed time\"."
            echo "   poll: from the data spool file, polled every 0.2 s: spool = while it grows; despool = from its last"
            echo "        growth until it is truncated or removed (or the job ends). rest = total - spool - despool (poll)."
            printf '%-6s %-8s %9s %8s %9s %11s %10s %12s %7s\n' set sd spooled "total s" "spool msg" "despool msg" \
                "spool poll" "despool poll" "rest s"
            for ds in $SETS; do
                for sd in bacula capstan; do
                    yes_n=$(awk -F, -v d="$ds" -v s="$sd" '$1 == "spool" && $2 == d && $3 == s && $18 == "yes"' "$CSV" | wc -l)
                    all_n=$(awk -F, -v d="$ds" -v s="$sd" '$1 == "spool" && $2 == d && $3 == s' "$CSV" | wc -l)
                    total=$(med spool "$ds" "$sd" wall_s)
                    spp=$(med spool "$ds" "$sd" spool_poll_s); dspp=$(med spool "$ds" "$sd" despool_poll_s)
                    rest=$(awk -v t="$total" -v a="$spp" -v b="$dspp" \
                        'BEGIN { if (t != "" && a != "" && b != "") printf "%.1f", t - a - b }')
                    printf '%-6s %-8s %9s %8s %9s %11s %10s %12s %7s\n' "$ds" "$sd" "$yes_n of $all_n" "$total" \
                        "$(med spool "$ds" "$sd" spool_msg_s)" "$(med spool "$ds" "$sd" despool_msg_s)" \
                        "$spp" "$dspp" "$rest"
                done
            done
            for sd in bacula capstan; do
                n=$(awk -F, -v s="$sd" '$1 == "spool" && $3 == s && $18 == "no"' "$CSV" | wc -l)
                [ "$n" -gt 0 ] && echo "NOTE: $sd-sd did not spool in $n job(s) with Spool Data = yes: no \"Spooling data\"" \
                    "message in those jobs' messages; it wrote the volume directly, so it has no spool/despool times."
            done
        fi
    done
    if [[ " $PHASES " == *" plain "* ]] && [[ " $PHASES " == *" spool "* ]]; then
        echo
        echo "== spooled against unspooled (issue #15: a spooled job at least 0.95x the unspooled one's throughput)"
        for ds in $SETS; do
            for sd in bacula capstan; do
                printf '%-6s %-8s throughput(wall) spool/plain %s   SD CPU/GiB spool/plain %s\n' "$ds" "$sd" \
                    "$(ratio "$(med spool "$ds" "$sd" MBps_wall)" "$(med plain "$ds" "$sd" MBps_wall)")" \
                    "$(ratio "$(med spool "$ds" "$sd" sd_cpu_s_per_GiB)" "$(med plain "$ds" "$sd" sd_cpu_s_per_GiB)")"
            done
        done
    fi
    bad=$(awk -F, 'NR > 1 && $6 != "T"' "$CSV" | wc -l)
    [ "$bad" -gt 0 ] && echo && echo "WARNING: $bad job(s) did not end T (see the CSV); they are left out of the medians."
    echo
    echo "CSV: $CSV"
} | tee "$SUMMARY"
