#!/usr/bin/env bash
# bench-dir.sh — issue 11: capstan-dir against the real bacula-dir.
#
# One File daemon and one Storage daemon (the real bacula-fd and bacula-sd by default) serve both Directors, which
# run in turn (A B A B, REPS pairs) on the same port with the same bacula-dir.conf, each run on a fresh SQLite
# catalog made by Debian's make_sqlite3_tables (capstan-dir opens it as it is). Cases:
#   tiny  a Full backup of FILES tiny files (64 bytes each, FILES/1000 directories): wall time from bconsole's
#         `run … yes` to the end of `wait`, files per second, the Director's CPU seconds (utime + stime from
#         /proc/PID/stat, before and after), and the wall time of building the restore tree of that job
#         (`restore jobid=… all done`, answered `no` at "OK to run?");
#   big   a Full backup of one BIG_MIB MiB file (random data): wall time, MB/s and the Director's CPU seconds.
# Output: one line per run, then medians and the ratios capstan/bacula. Everything lives in a temporary directory
# that is removed at exit, after every process this script started has been stopped by its PID.
#
# Usage:  scripts/bench-dir.sh
# Env:    FILES=200000        number of tiny files (0 skips the case)
#         BIG_MIB=2048        size of the big file in MiB (0 skips the case)
#         REPS=2              A B pairs per case
#         DIRECTORS="bacula capstan"  the Directors to run (one alone for profiling; ratios need both)
#         SD=bacula|capstan   the Storage daemon both Directors use (default bacula)
#         FD=bacula|capstan   the File daemon both Directors use (default bacula)
#         SKIP_BUILD=1        use the existing release build (CAPSTAN_DIR, default .build/release/capstan-dir)
#         RELEASE=dir         where the release build of capstan-dir/-sd/-fd is (default .build/release)
#         CAPSTAN_DIR=path    the capstan-dir program to measure
#         KEEP_WORK=1         keep the temporary directory
#         PORT_WAIT=60        seconds to wait for a daemon's port (a Director under valgrind on a busy machine needs more)
#         CACHE=warm|asis     warm (default): before each run, `sync` and read the case's files into the page cache, so
#                             both Directors meet the same cache. Both FDs drop each file's pages after reading it
#                             (POSIX_FADV_DONTNEED, as bacula-fd does), once the file's pages are clean: left as they
#                             are (asis), one run reads the files from memory and the next from the disk, and the
#                             FD's I/O (4-9 CPU s for the same job) decides the wall time instead of the Director
#         TREE=0              skip the restore tree after the tiny backup (its time is then 0), e.g. when the
#                             Director runs under valgrind and only the backup's instructions are wanted
#         SPOOL_ATTRIBUTES=yes|no  write `Spool Attributes` in the backup Jobs (default: not written, each
#                             Director's own default)
#         DIR_DEBUG=1         run capstan-dir with `-d 1` and print its job timeline (seconds from the job's start
#                             to: SD accepted the job, run sent, FD end report, SD end report, attributes in the
#                             catalog, job row committed) after each of its runs
#         SD_DEBUG=N FD_DEBUG=N  run the SD / FD with `-d N` (their logs, with timestamps, stay in the work
#                             directory's sd.log / fd.log; with KEEP_WORK=1 they outlive the script)
# Each run line also gives the FD's and the SD's CPU seconds during the backup (the daemons serve every run, so
# their CPU is read from /proc before and after each backup): with Capstan's FD and SD the three daemons share the
# machine's cores, so a change in their CPU per job shows up in the wall time of both Directors.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FILES=${FILES:-200000}
BIG_MIB=${BIG_MIB:-2048}
REPS=${REPS:-2}
SD=${SD:-bacula}
FD=${FD:-bacula}
DIRECTORS=${DIRECTORS:-bacula capstan}
RELEASE=${RELEASE:-$ROOT/.build/release}
CAPSTAN_DIR=${CAPSTAN_DIR:-$RELEASE/capstan-dir}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

for program in /usr/sbin/bacula-dir /usr/sbin/bacula-fd /usr/sbin/bacula-sd /usr/sbin/bconsole /usr/bin/sqlite3 /usr/bin/bc; do
    [ -x "$program" ] || die "$program is missing (scripts/install-deps installs it)"
done
case "$SD" in bacula|capstan) ;; *) die "SD must be bacula or capstan" ;; esac
case "$FD" in bacula|capstan) ;; *) die "FD must be bacula or capstan" ;; esac
case "${SPOOL_ATTRIBUTES:-}" in
    "") SPOOL_LINE="" ;;
    yes|no) SPOOL_LINE="; Spool Attributes = $SPOOL_ATTRIBUTES" ;;
    *) die "SPOOL_ATTRIBUTES must be yes or no" ;;
esac
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    products=(--product capstan-dir)
    [ "$SD" = capstan ] && products+=(--product capstan-sd)
    [ "$FD" = capstan ] && products+=(--product capstan-fd)
    for product in "${products[@]}"; do
        [ "$product" = --product ] && continue
        log "building $product (release)"
        (cd "$ROOT" && swift build -c release --product "$product" >&2)
    done
fi
[ -x "$CAPSTAN_DIR" ] || die "$CAPSTAN_DIR is not built"
if [ "$SD" = capstan ]; then SD_PROGRAM=$RELEASE/capstan-sd; else SD_PROGRAM=/usr/sbin/bacula-sd; fi
if [ "$FD" = capstan ]; then FD_PROGRAM=$RELEASE/capstan-fd; else FD_PROGRAM=/usr/sbin/bacula-fd; fi
[ -x "$SD_PROGRAM" ] || die "$SD_PROGRAM is not built"
[ -x "$FD_PROGRAM" ] || die "$FD_PROGRAM is not built"

WORK=$(mktemp -d /var/tmp/bench-dir.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
    if [ "${KEEP_WORK:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {
    for _ in $(seq 1 "$((${PORT_WAIT:-60} * 10))"); do
        if python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "nothing listens on port $1"
}
# CPU seconds (utime + stime of all threads) of process $1.
cpu_seconds() {
    local s; s=$(<"/proc/$1/stat"); s=${s##*) }
    read -r -a f <<<"$s"
    echo "scale=2; (${f[11]} + ${f[12]}) / $(getconf CLK_TCK)" | bc
}
now() { date +%s.%N; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

DIR_PORT=$(free_port); FD_PORT=$(free_port); SD_PORT=$(free_port)
mkdir -p "$WORK/tiny" "$WORK/big" "$WORK/volumes" "$WORK/fd" "$WORK/sd" "$WORK/restore"

if [ "$FILES" -gt 0 ]; then
    log "making $FILES tiny files"
    python3 - "$WORK/tiny" "$FILES" <<'EOF'
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
for index in range(count):
    directory = os.path.join(root, "d%04d" % (index // 1000))
    if index % 1000 == 0:
        os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "f%06d" % index), "wb") as f:
        f.write(b"%064d" % index)
EOF
fi
if [ "$BIG_MIB" -gt 0 ]; then
    log "making a $BIG_MIB MiB file"
    head -c "$((BIG_MIB * 1048576))" /dev/urandom >"$WORK/big/big.bin"
fi

cat > "$WORK/fd.conf" <<EOF
FileDaemon { Name = bench-fd; FDport = $FD_PORT; FDAddress = 127.0.0.1; WorkingDirectory = "$WORK/fd"; Pid Directory = "$WORK/fd" }
Director { Name = bench-dir; Password = "fd-password" }
Messages { Name = Standard; director = bench-dir = all, !skipped, !restored }
EOF
cat > "$WORK/sd.conf" <<EOF
Storage { Name = bench-sd; SDPort = $SD_PORT; SDAddress = 127.0.0.1; WorkingDirectory = "$WORK/sd"; Pid Directory = "$WORK/sd" }
Director { Name = bench-dir; Password = "sd-password" }
Device { Name = FileDev; Media Type = File; Archive Device = "$WORK/volumes"; Device Type = File; LabelMedia = yes
         Random Access = yes; AutomaticMount = yes; RemovableMedia = no; AlwaysOpen = no }
Messages { Name = Standard; director = bench-dir = all }
EOF
director_conf() {  # $1 = working directory, $2 = volume name prefix (each run labels its own volumes)
    cat <<EOF
Director { Name = bench-dir; DIRport = $DIR_PORT; DirAddress = 127.0.0.1; QueryFile = "/etc/bacula/scripts/query.sql"
           WorkingDirectory = "$1"; PidDirectory = "$1"; Password = "console-password"; Messages = Standard }
Catalog { Name = MyCatalog; dbname = "bacula"; dbuser = ""; dbpassword = "" }
Client { Name = bench-fd; Address = 127.0.0.1; FDPort = $FD_PORT; Catalog = MyCatalog; Password = "fd-password"; AutoPrune = no }
Storage { Name = BenchStorage; Address = 127.0.0.1; SDPort = $SD_PORT; Password = "sd-password"; Device = FileDev; Media Type = File }
Pool { Name = BenchPool; Pool Type = Backup; Label Format = "$2-"; Recycle = no; AutoPrune = no; Maximum Volume Jobs = 1 }
FileSet { Name = TinySet; Include { Options { signature = MD5 } File = "$WORK/tiny" } }
FileSet { Name = BigSet; Include { Options { signature = MD5 } File = "$WORK/big" } }
Job { Name = tiny; Type = Backup; Level = Full; Client = bench-fd; FileSet = TinySet; Storage = BenchStorage; Pool = BenchPool; Messages = Standard $SPOOL_LINE }
Job { Name = big; Type = Backup; Level = Full; Client = bench-fd; FileSet = BigSet; Storage = BenchStorage; Pool = BenchPool; Messages = Standard $SPOOL_LINE }
Job { Name = BenchRestore; Type = Restore; Client = bench-fd; FileSet = TinySet; Storage = BenchStorage; Pool = BenchPool
      Messages = Standard; Where = "$WORK/restore" }
Messages { Name = Standard; console = all, !skipped, !saved; append = "$1/messages.log" = all }
EOF
}
cat > "$WORK/bconsole.conf" <<EOF
Director { Name = bench-dir; DIRport = $DIR_PORT; Address = 127.0.0.1; Password = "console-password" }
EOF

SD_ARGS=(); [ -n "${SD_DEBUG:-}" ] && SD_ARGS=(-d "$SD_DEBUG")
FD_ARGS=(); [ -n "${FD_DEBUG:-}" ] && FD_ARGS=(-d "$FD_DEBUG")
"$SD_PROGRAM" -f -c "$WORK/sd.conf" "${SD_ARGS[@]}" >"$WORK/sd.log" 2>&1 & SD_PID=$!; PIDS+=($SD_PID)
"$FD_PROGRAM" -f -c "$WORK/fd.conf" "${FD_ARGS[@]}" >"$WORK/fd.log" 2>&1 & FD_PID=$!; PIDS+=($FD_PID)
wait_port "$SD_PORT"; wait_port "$FD_PORT"

# One run: $1 = case (tiny|big), $2 = Director (bacula|capstan), $3 = run number. Appends a line to $WORK/runs:
# case director seconds rate director-cpu-seconds tree-seconds
run_once() {
    local case=$1 kind=$2 number=$3 dir program pid start wall cpu0 cpu1 row rate tree=0
    dir="$WORK/run-$case-$kind-$number"
    mkdir -p "$dir"
    director_conf "$dir" "$case$kind$number" > "$dir/dir.conf"
    (cd "$dir" && sed -e "s|cd /var/lib/bacula|cd '$dir'|" -e 's/XXX_DBNAME_XXX/bacula/' \
        /usr/share/bacula-director/make_sqlite3_tables > make.sh && sh make.sh >/dev/null 2>&1)
    local debug=()
    if [ "$kind" = bacula ]; then program=/usr/sbin/bacula-dir; else program=$CAPSTAN_DIR; fi
    if [ "$kind" = capstan ] && [ -n "${DIR_DEBUG:-}" ]; then debug=(-d "$DIR_DEBUG"); fi
    "$program" -f -c "$dir/dir.conf" "${debug[@]}" >"$dir/director.log" 2>&1 & pid=$!; PIDS+=($pid)
    wait_port "$DIR_PORT"
    if [ "${CACHE:-warm}" = warm ]; then
        sync
        find "$WORK/$case" -type f -print0 | xargs -0 cat >/dev/null
    fi
    cpu0=$(cpu_seconds "$pid")
    local fd0 sd0 fd1 sd1
    fd0=$(cpu_seconds "$FD_PID"); sd0=$(cpu_seconds "$SD_PID")
    start=$(now)
    printf 'run job=%s yes\nwait\n' "$case" | /usr/sbin/bconsole -c "$WORK/bconsole.conf" >"$dir/backup.out"
    wall=$(echo "$(now) - $start" | bc)
    cpu1=$(cpu_seconds "$pid")
    fd1=$(cpu_seconds "$FD_PID"); sd1=$(cpu_seconds "$SD_PID")
    row=$(sqlite3 "$dir/bacula.db" "SELECT JobStatus, JobFiles, JobBytes FROM Job WHERE JobId=1")
    [ "${row%%|*}" = T ] || die "$kind $case backup did not end OK: $row (see $dir)"
    if [ "$case" = tiny ] && [ "${TREE:-1}" = 0 ]; then
        rate=$(echo "scale=1; $(cut -d'|' -f2 <<<"$row") / $wall" | bc)
    elif [ "$case" = tiny ]; then
        rate=$(echo "scale=1; $(cut -d'|' -f2 <<<"$row") / $wall" | bc)
        start=$(now)
        printf 'restore client=bench-fd jobid=1 all done\nno\n' | /usr/sbin/bconsole -c "$WORK/bconsole.conf" >"$dir/tree.out"
        tree=$(echo "$(now) - $start" | bc)
        grep -q "files inserted into the tree" "$dir/tree.out" || die "$kind built no restore tree (see $dir/tree.out)"
    else
        rate=$(echo "scale=1; $(cut -d'|' -f3 <<<"$row") / 1000000 / $wall" | bc)
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true
    if [ "${#debug[@]}" -gt 0 ]; then grep -o 'timeline .*\|first file attributes.*\|waited .*' "$dir/director.log" >&2 || true; fi
    rm -f "$WORK"/volumes/*
    local cpu; cpu=$(echo "$cpu1 - $cpu0" | bc)
    echo "$case $kind $wall $rate $cpu $tree" >>"$WORK/runs"
    printf '%-5s %-8s #%d  wall %8.2f s  %10.1f %s  Director CPU %6.2f s  FD CPU %6.2f s  SD CPU %6.2f s  restore tree %5.2f s  (load %s)\n' \
        "$case" "$kind" "$number" "$wall" "$rate" "$([ "$case" = tiny ] && echo files/s || echo MB/s)" "$cpu" \
        "$(echo "$fd1 - $fd0" | bc)" "$(echo "$sd1 - $sd0" | bc)" "$tree" "$(cut -d' ' -f1 /proc/loadavg)"
}

cases=()
[ "$FILES" -gt 0 ] && cases+=(tiny)
[ "$BIG_MIB" -gt 0 ] && cases+=(big)
log "SD=$SD FD=$FD REPS=$REPS SPOOL_ATTRIBUTES=${SPOOL_ATTRIBUTES:-default} CACHE=${CACHE:-warm} cases: ${cases[*]}"
for case in "${cases[@]}"; do
    for number in $(seq 1 "$REPS"); do
        for kind in $DIRECTORS; do
            log "$case: $kind run $number"
            run_once "$case" "$kind" "$number"
        done
    done
done

[ "$DIRECTORS" = "bacula capstan" ] || exit 0
echo
echo "medians of $REPS runs each (SD=$SD, FD=$FD, SPOOL_ATTRIBUTES=${SPOOL_ATTRIBUTES:-default}); ratios capstan/bacula (throughput: higher is better; CPU: lower)"
for case in "${cases[@]}"; do
    field() { awk -v c="$case" -v k="$1" -v f="$2" '$1==c && $2==k {print $f}' "$WORK/runs" | median; }
    bw=$(field bacula 3); cw=$(field capstan 3)
    bc_=$(field bacula 5); cc=$(field capstan 5)
    bt=$(field bacula 6); ct=$(field capstan 6)
    printf '%-5s wall bacula %7.2f s capstan %7.2f s  throughput ratio %.2f   Director CPU bacula %6.2f s capstan %6.2f s ratio %.2f' \
        "$case" "$bw" "$cw" "$(echo "scale=3; $bw / $cw" | bc)" "$bc_" "$cc" "$(echo "scale=3; $cc / ($bc_ + 0.001)" | bc)"
    [ "$case" = tiny ] && printf '   restore tree bacula %.2f s capstan %.2f s' "$bt" "$ct"
    echo
done
echo "targets (issue 11): tiny throughput ratio >= 1.5; restore tree of $FILES files < 5 s"
