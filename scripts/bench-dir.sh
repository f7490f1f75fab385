#!/usr/bin/env bash
# bench-dir.sh — issue 11: capstan-dir against the real bacula-dir on many tiny files.
#
# One real bacula-fd and one real bacula-sd (File device) serve both Directors, which run one after the other on
# the same port with the same bacula-dir.conf and each its own SQLite catalog (made by Debian's
# make_sqlite3_tables; capstan-dir opens it as it is). For each Director (real first, then Capstan) it:
#   1. runs a Full backup of FILES tiny files (64 bytes each, FILES/1000 directories) and records the wall time
#      from bconsole's `run … yes` to the end of `wait`, and the files per second;
#   2. builds the restore tree of that job (`restore jobid=1 … all done`, answered `no` at "OK to run?") and
#      records the wall time of that console session.
# Output: one line per Director and the ratios (capstan / bacula). Everything lives in a temporary directory that
# is removed at exit, after every process this script started has been stopped by its PID.
#
# Usage:  scripts/bench-dir.sh
# Env:    FILES=200000        number of tiny files
#         SKIP_BUILD=1        use the existing capstan-dir (CAPSTAN_DIR, default .build/release/capstan-dir)
#         CAPSTAN_DIR=path    the capstan-dir program to measure
#         KEEP_WORK=1         keep the temporary directory
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FILES=${FILES:-200000}
CAPSTAN_DIR=${CAPSTAN_DIR:-$ROOT/.build/release/capstan-dir}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

for program in /usr/sbin/bacula-dir /usr/sbin/bacula-fd /usr/sbin/bacula-sd /usr/sbin/bconsole /usr/bin/sqlite3; do
    [ -x "$program" ] || die "$program is missing (apt-get install bacula-director-sqlite3 bacula-fd bacula-sd bacula-console)"
done
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building capstan-dir (release)"
    (cd "$ROOT" && swift build -c release --product capstan-dir >&2)
fi
[ -x "$CAPSTAN_DIR" ] || die "$CAPSTAN_DIR is not built"

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
    for _ in $(seq 1 150); do
        if python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "nothing listens on port $1"
}

DIR_PORT=$(free_port); FD_PORT=$(free_port); SD_PORT=$(free_port)
mkdir -p "$WORK/data" "$WORK/volumes" "$WORK/fd" "$WORK/sd" "$WORK/restore"

log "making $FILES tiny files"
python3 - "$WORK/data" "$FILES" <<'EOF'
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
for index in range(count):
    directory = os.path.join(root, "d%04d" % (index // 1000))
    if index % 1000 == 0:
        os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "f%06d" % index), "wb") as f:
        f.write(b"%064d" % index)
EOF

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
director_conf() {  # $1 = working directory, $2 = volume name prefix (each Director labels its own volumes)
    cat <<EOF
Director { Name = bench-dir; DIRport = $DIR_PORT; DirAddress = 127.0.0.1; QueryFile = "/etc/bacula/scripts/query.sql"
           WorkingDirectory = "$1"; PidDirectory = "$1"; Password = "console-password"; Messages = Standard }
Catalog { Name = MyCatalog; dbname = "bacula"; dbuser = ""; dbpassword = "" }
Client { Name = bench-fd; Address = 127.0.0.1; FDPort = $FD_PORT; Catalog = MyCatalog; Password = "fd-password"; AutoPrune = no }
Storage { Name = BenchStorage; Address = 127.0.0.1; SDPort = $SD_PORT; Password = "sd-password"; Device = FileDev; Media Type = File }
Pool { Name = BenchPool; Pool Type = Backup; Label Format = "$2-"; Recycle = no; AutoPrune = no; Maximum Volume Jobs = 1 }
FileSet { Name = BenchSet; Include { Options { signature = MD5 } File = "$WORK/data" } }
Job { Name = Bench; Type = Backup; Level = Full; Client = bench-fd; FileSet = BenchSet; Storage = BenchStorage; Pool = BenchPool; Messages = Standard }
Job { Name = BenchRestore; Type = Restore; Client = bench-fd; FileSet = BenchSet; Storage = BenchStorage; Pool = BenchPool
      Messages = Standard; Where = "$WORK/restore" }
Messages { Name = Standard; console = all, !skipped, !saved; append = "$1/messages.log" = all }
EOF
}
cat > "$WORK/bconsole.conf" <<EOF
Director { Name = bench-dir; DIRport = $DIR_PORT; Address = 127.0.0.1; Password = "console-password" }
EOF

/usr/sbin/bacula-sd -f -c "$WORK/sd.conf" >"$WORK/sd.log" 2>&1 & PIDS+=($!)
/usr/sbin/bacula-fd -f -c "$WORK/fd.conf" >"$WORK/fd.log" 2>&1 & PIDS+=($!)
wait_port "$SD_PORT"; wait_port "$FD_PORT"

now() { date +%s.%N; }
results=()
for kind in bacula capstan; do
    dir="$WORK/dir-$kind"
    mkdir -p "$dir"
    director_conf "$dir" "$kind" > "$dir/dir.conf"
    (cd "$dir" && sed -e "s|cd /var/lib/bacula|cd '$dir'|" -e 's/XXX_DBNAME_XXX/bacula/' \
        /usr/share/bacula-director/make_sqlite3_tables > make.sh && sh make.sh >/dev/null 2>&1)
    if [ "$kind" = bacula ]; then program=/usr/sbin/bacula-dir; else program=$CAPSTAN_DIR; fi
    "$program" -f -c "$dir/dir.conf" >"$dir/director.log" 2>&1 & pid=$!; PIDS+=($pid)
    wait_port "$DIR_PORT"
    log "$kind: Full backup of $FILES files"
    start=$(now)
    printf 'run job=Bench yes\nwait\n' | /usr/sbin/bconsole -c "$WORK/bconsole.conf" >"$dir/backup.out"
    backup=$(echo "$(now) - $start" | bc)
    row=$(sqlite3 "$dir/bacula.db" "SELECT JobStatus, JobFiles FROM Job WHERE JobId=1")
    [ "${row%%|*}" = T ] || die "$kind backup did not end OK: $row (see $dir)"
    log "$kind: restore tree"
    start=$(now)
    printf 'restore client=bench-fd jobid=1 all done\nno\n' | /usr/sbin/bconsole -c "$WORK/bconsole.conf" >"$dir/tree.out"
    tree=$(echo "$(now) - $start" | bc)
    grep -q "files inserted into the tree" "$dir/tree.out" || die "$kind built no restore tree (see $dir/tree.out)"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rate=$(echo "scale=1; ${row##*|} / $backup" | bc)
    results+=("$kind $backup $rate $tree")
    printf '%-8s backup %8.2f s  %9.1f files/s  restore tree %6.2f s\n' "$kind" "$backup" "$rate" "$tree"
done
read -r _ bb br bt <<<"${results[0]}"
read -r _ cb cr ct <<<"${results[1]}"
printf 'throughput capstan/bacula = %.2f (target >= 1.5); capstan restore tree %.2f s (target < 5 s)\n' \
    "$(echo "scale=3; $cr / $br" | bc)" "$ct"
