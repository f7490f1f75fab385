#!/bin/bash
# Runs INSIDE the harness VM (scripts/test-devices starts it, after guest-devices.sh): capstan-sd with a native SCSI
# autochanger of two st drives takes backups from Debian's real bacula-fd, driven by Debian's real bacula-dir — all
# three on the guest's loopback — and restores them byte for byte; then one drive is hot-unplugged (iSCSI logout of
# its own target) while a job writes to it, and plugged back in for the next job.
#
# tgt's library is reshaped first: drive 2 (DRV00002) moves to a target of its own, so logging out of that target
# takes exactly one drive away, as pulling a drive's cable would. Drive Index is crossed against the element order
# on purpose: the SD must find each Device's drive element by serial (DVCID), not by Drive Index.
# Last, the appliance's disk-to-tape flow: a backup on a File device is copied (a Copy job, PoolUncopiedJobs) onto a
# cartridge of its own pool through the native changer, the disk volume is purged and deleted, and the copy restores
# from the cartridge byte for byte.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIBRARY=$ROOT/scripts/devices/tape-library
# The programs under test: the build tree's by default; guest-package.sh runs this script with the installed ones.
SD=${SD:-$ROOT/.build/debug/capstan-sd}
CAPSTAN=${CAPSTAN:-$ROOT/.build/debug/capstan}
IQN1=iqn.2024-01.test.vtl:lib1
IQN2=iqn.2024-01.test.vtl:drive2
PORTAL=127.0.0.1:3260
W=/run/capstan-sd
VTL=/run/vtl-sd
SAMPLE=/usr/share/i18n        # about 17 MB in 600 files
SECOND_SAMPLE=/usr/share/zoneinfo  # symlinks and hard links
COPIED_SAMPLE=/usr/share/perl5     # about 8 MB: the Copy's job, on one 12 MB cartridge
failures=0
t() { printf '[%6.2fs] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$*"; }
check() {  # check "what" command...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "  ok:   $what"; else echo "  FAIL: $what"; failures=$((failures + 1)); fi
}
PIDS=()
finish() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  # the logs outlive the VM in the repository, which the VM mounts from the host (.vm/ is its scratch space)
  rm -rf "$ROOT/.vm/guest-sd-logs"; cp -r "$W/log" "$ROOT/.vm/guest-sd-logs" 2>/dev/null
  iscsiadm -m node --logoutall=all >/dev/null 2>&1
  "$LIBRARY" down "$VTL" >/dev/null 2>&1
}
trap finish EXIT
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

t "library: tgt with drive 2 on a target of its own"
modprobe sg; modprobe iscsi_tcp
mkdir -p /etc/udev/rules.d && cp "$ROOT/udev/61-capstan-tape.rules" /etc/udev/rules.d/ && udevadm control --reload
rm -rf "$W" "$VTL"; mkdir -p "$W"/{etc,sd,dir,fd,spool,log,disk,restore1,restore2,restore3,restore4}
# 12 MB cartridges: the 17 MB backup reaches end of medium on the first and continues on a second.
TAPES=4 TAPE_MB=12 "$LIBRARY" up "$VTL" >/dev/null || exit 1
T="tgtadm -C 7 --lld iscsi"
$T --op delete --mode logicalunit --tid 1 --lun 2 || exit 1
$T --op new --mode target --tid 2 -T "$IQN2"
$T --op new --mode logicalunit --tid 2 --lun 1 -b "$VTL/media/empty-drive2" --device-type tape
$T --op update --mode logicalunit --tid 2 --lun 1 \
  --params vendor_id=IBM,product_id=ULT3580-TD6,product_rev=G350,scsi_sn=DRV00002,removable=1
$T --op update --mode logicalunit --tid 2 --lun 1 --params online=0
$T --op update --mode logicalunit --tid 1 --lun 3 --params element_type=4,address=501,tid=2,lun=1
$T --op bind --mode target --tid 2 -I ALL
pgrep -x iscsid >/dev/null || iscsid || exit 1
iscsiadm -m discovery -t sendtargets -p "$PORTAL" >/dev/null
iscsiadm -m node -T "$IQN1" -p "$PORTAL" --login >/dev/null || exit 1
iscsiadm -m node -T "$IQN2" -p "$PORTAL" --login >/dev/null || exit 1
udevadm settle --timeout=60
lsscsi -g | sed 's/^/    /'
DRIVE2_NODE=$(readlink -f /dev/tape/by-id/scsi-DRV00002-nst)
check "both drives and the changer are on the kernel stack" \
  test -e /dev/tape/by-id/scsi-DRV00001-nst -a -e /dev/tape/by-id/scsi-DRV00002-nst -a -e /dev/tape/by-id/scsi-LIB00001-sg

SD_PORT=9103; DIR_PORT=9101; FD_PORT=9102; METRICS_PORT=9180
# Drive-1 is element 500 (drive 0) but has Drive Index 1; Drive-2 the reverse. Drive-2 is named by its st node.
cat > "$W/etc/capstan-sd.conf" <<CONF
Storage {
  Name = vm-sd; SDPort = $SD_PORT; SDAddress = 127.0.0.1; WorkingDirectory = $W/sd; Pid Directory = $W/sd
  Maximum Concurrent Jobs = 10; Metrics Port = $METRICS_PORT; Metrics Address = 127.0.0.1
}
Director { Name = vm-dir; Password = "sd-password" }
Autochanger {
  Name = Library; Device = Drive-1, Drive-2
  Changer Device = /dev/tape/by-id/scsi-LIB00001-sg; Changer Command = "capstan:native"
}
Device {
  Name = Drive-1; Media Type = LTO-6; Device Type = Tape; Archive Device = /dev/tape/by-id/scsi-DRV00001-nst
  Autochanger = yes; Drive Index = 1; Automatic Mount = yes; Always Open = yes; Removable Media = yes
  Random Access = no; Maximum Block Size = 262144; Spool Directory = $W/spool; Maximum Concurrent Jobs = 1
  Maximum Changer Wait = 30
}
Device {
  Name = Drive-2; Media Type = LTO-6; Device Type = Tape; Archive Device = $DRIVE2_NODE
  Autochanger = yes; Drive Index = 0; Automatic Mount = yes; Always Open = yes; Removable Media = yes
  Random Access = no; Maximum Block Size = 262144; Spool Directory = $W/spool; Maximum Concurrent Jobs = 1
  Maximum Changer Wait = 30
}
Device {
  Name = Disk-1; Media Type = File; Device Type = File; Archive Device = $W/disk; LabelMedia = yes
  Random Access = yes; Automatic Mount = yes; Removable Media = no; Always Open = no; Maximum Concurrent Jobs = 5
}
Messages { Name = Standard; director = vm-dir = all }
CONF
cat > "$W/etc/bacula-fd.conf" <<CONF
FileDaemon { Name = vm-fd; FDport = $FD_PORT; FDAddress = 127.0.0.1; WorkingDirectory = $W/fd; Pid Directory = $W/fd }
Director { Name = vm-dir; Password = "fd-password" }
Messages { Name = Standard; director = vm-dir = all, !skipped, !restored }
CONF
mkfifo "$W/stream.fifo"
cat > "$W/etc/bacula-dir.conf" <<CONF
Director {
  Name = vm-dir; DIRport = $DIR_PORT; DirAddress = 127.0.0.1; QueryFile = "/etc/bacula/scripts/query.sql"
  WorkingDirectory = $W/dir; PidDirectory = $W/dir; Password = "console-password"; Messages = Standard
}
Catalog { Name = MyCatalog; dbname = "bacula"; dbuser = ""; dbpassword = "" }
Client { Name = vm-fd; Address = 127.0.0.1; FDPort = $FD_PORT; Catalog = MyCatalog; Password = "fd-password" }
Autochanger {
  Name = Library; Address = 127.0.0.1; SDPort = $SD_PORT; Password = "sd-password"; Device = Library
  Media Type = LTO-6; Maximum Concurrent Jobs = 10
}
Storage {
  Name = Drive2; Address = 127.0.0.1; SDPort = $SD_PORT; Password = "sd-password"; Device = Drive-2
  Media Type = LTO-6; Maximum Concurrent Jobs = 10
}
Storage {
  Name = Disk; Address = 127.0.0.1; SDPort = $SD_PORT; Password = "sd-password"; Device = Disk-1
  Media Type = File; Maximum Concurrent Jobs = 10
}
Pool { Name = Tapes; Pool Type = Backup; Recycle = no; AutoPrune = no; Volume Retention = 1 year }
Pool {
  Name = Disk; Pool Type = Backup; Recycle = no; AutoPrune = no; Label Format = "Disk-"; Storage = Disk
  Next Pool = Copies
}
Pool { Name = Copies; Pool Type = Backup; Storage = Library; Recycle = no; AutoPrune = no }
FileSet { Name = Sample; Include { Options { signature = MD5 } File = "$SAMPLE" } }
FileSet { Name = Second; Include { Options { signature = MD5 } File = "$SECOND_SAMPLE" } }
FileSet { Name = Copied; Include { Options { signature = MD5 } File = "$COPIED_SAMPLE" } }
FileSet { Name = Stream; Include { Options { readfifo = yes } File = "$W/stream.fifo" } }
JobDefs {
  Name = Defaults; Type = Backup; Level = Full; Client = vm-fd; Pool = Tapes; Messages = Standard
  Write Bootstrap = "$W/dir/%n-%i.bsr"
}
Job { Name = LibraryBackup; JobDefs = Defaults; FileSet = Sample; Storage = Library; Spool Data = yes }
Job { Name = StreamOnDrive2; JobDefs = Defaults; FileSet = Stream; Storage = Drive2; Spool Data = no }
Job { Name = AfterReplug; JobDefs = Defaults; FileSet = Second; Storage = Drive2; Spool Data = no }
Job { Name = DiskBackup; JobDefs = Defaults; FileSet = Copied; Storage = Disk; Pool = Disk; Spool Data = no }
Job {
  Name = CopyToTape; Type = Copy; Selection Type = PoolUncopiedJobs; Pool = Disk; Client = vm-fd; FileSet = Copied
  Storage = Disk; Messages = Standard
}
Job { Name = Restore; Type = Restore; Client = vm-fd; FileSet = Sample; Storage = Library; Pool = Tapes; Messages = Standard; Where = $W/restore1 }
Messages { Name = Standard; console = all, !skipped, !saved; catalog = all; append = "$W/log/messages.log" = all }
CONF
cat > "$W/etc/bconsole.conf" <<CONF
Director { Name = vm-dir; DIRport = $DIR_PORT; Address = 127.0.0.1; Password = "console-password" }
CONF
sed -e "s|^cd /var/lib/bacula|cd '$W/dir'|" -e "s|XXX_DBNAME_XXX|bacula|" \
  /usr/share/bacula-director/make_sqlite3_tables > "$W/dir/make-catalog.sh"
sh "$W/dir/make-catalog.sh" >/dev/null 2>&1

listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
wait_port() { for _ in $(seq 1 600); do listening "$1" && return 0; sleep 0.1; done; return 1; }
console() { printf '%s\n' "$@" | timeout 120 "$CAPSTAN" console -c "$W/etc/bconsole.conf" 2>&1; }
sql() { sqlite3 -cmd ".timeout 20000" -separator ' ' "$W/dir/bacula.db" "$1"; }
job_status() { sql "SELECT JobStatus FROM Job WHERE JobId=$1"; }
# wait_job JOBID SECONDS: until the job has ended (any final status); prints the status
wait_job() {
  local s
  for _ in $(seq 1 $(( $2 * 2 ))); do
    s=$(job_status "$1"); case "$s" in T|E|e|f|A) echo "$s"; return 0 ;; esac; sleep 0.5
  done
  echo "${s:-?}"; return 1
}
queue() {  # prints the JobId; gives up the scenario when the Director queued nothing
  local id
  id=$(console "$1" | tee -a "$W/log/console.log" | sed -n 's/.*Job queued\. JobId=\([0-9]*\).*/\1/p')
  [ -n "$id" ] || { echo "  FAIL: the Director did not queue: $1" >&2; return 1; }
  echo "$id"
}
stop() {  # ends the scenario early with the logs
  echo "---- capstan-sd.log (tail)"; tail -40 "$W/log/capstan-sd.log"
  echo "---- messages.log (tail)"; tail -40 "$W/log/messages.log"
  echo "---- tgtd.log (tail)"; tail -20 "$VTL/tgtd.log"
  echo "---- kernel (tail)"; dmesg | tail -25
  t "guest-sd: stopped early, $failures failed"; exit 1
}

t "daemons: capstan-sd, bacula-fd, bacula-dir"
"$SD" -t -c "$W/etc/capstan-sd.conf" || { echo "  FAIL: capstan-sd.conf does not check"; exit 1; }
"$SD" -f -d 50 -c "$W/etc/capstan-sd.conf" > "$W/log/capstan-sd.log" 2>&1 & PIDS+=($!)
/usr/sbin/bacula-fd -f -c "$W/etc/bacula-fd.conf" > "$W/log/bacula-fd.log" 2>&1 & PIDS+=($!)
wait_port $SD_PORT && wait_port $FD_PORT || { echo "  FAIL: daemons did not listen"; tail "$W"/log/*.log; exit 1; }
/usr/sbin/bacula-dir -f -c "$W/etc/bacula-dir.conf" > "$W/log/bacula-dir.log" 2>&1 & PIDS+=($!)
wait_port $DIR_PORT || { echo "  FAIL: bacula-dir did not listen"; tail "$W"/log/*.log; exit 1; }

t "label barcodes (drive=0 is Drive-2, whose drive is element 501)"
console "label barcodes storage=Library pool=Tapes slots=1-3 drive=0 yes" "yes" > "$W/log/label.log"
sed 's/^/    /' "$W/log/label.log" | grep -i 'label\|error' | head -8
check "three cartridges labelled by barcode into the catalog" test "$(sql "SELECT COUNT(*) FROM Media WHERE VolumeName LIKE 'E0000_L6'")" = 3
console "label barcodes storage=Library pool=Copies slots=4 drive=0 yes" "yes" > "$W/log/label-copies.log"
check "the fourth cartridge (E00004L6) labelled into the pool Copies" \
  test "$(sql "SELECT COUNT(*) FROM Media JOIN Pool USING (PoolId) WHERE VolumeName = 'E00004L6' AND Pool.Name = 'Copies'")" = 1
[ "$failures" = 0 ] || stop

t "full backup of $SAMPLE through the library"
backup=$(queue "run job=LibraryBackup yes") || stop
status=$(wait_job "$backup" 600)
check "LibraryBackup (JobId $backup) terminated OK: $status" test "$status" = T
[ "$status" = T ] || stop
volume=$(sql "SELECT VolumeName FROM Media JOIN JobMedia USING (MediaId) WHERE JobId=$backup LIMIT 1")
echo "    volume $volume; SD log:"
grep -E "loading|unloading|opened drive|appending" "$W/log/capstan-sd.log" | sed 's/^/      /' | tail -6
check "the SD loaded the cartridge the Director chose ($volume) by its barcode" \
  grep -q "loading $volume from slot" "$W/log/capstan-sd.log"
check "the blocks went through the st driver to the cartridge (tgt's $volume grew past 8 MB)" \
  test "$(du -k "$VTL/media/$volume" | cut -f1)" -gt 8000
volumes=$(sql "SELECT group_concat(VolumeName || ':' || VolStatus, ' ') FROM Media WHERE MediaId IN (SELECT MediaId FROM JobMedia WHERE JobId=$backup)")
echo "    volumes of the backup: $volumes"
check "end of medium on the 12 MB cartridge: the job continued on a second one, the first is Full" \
  bash -c "[ \$(wc -w <<< '$volumes') = 2 ] && grep -q ':Full' <<< '$volumes'"
check "capstan_drive_bytes_written_total is non-zero on the metrics port" \
  bash -c "curl -s http://127.0.0.1:$METRICS_PORT/metrics | grep -E '^capstan_drive_bytes_written_total\\{device=\"Drive-[12]\"\\} [1-9]'"

t "restore and compare"
restore=$(queue "restore client=vm-fd fileset=Sample jobid=$backup where=$W/restore1 all done yes") || stop
status=$(wait_job "$restore" 600)
check "restore (JobId $restore) terminated OK: $status" test "$status" = T
check "the restored tree is byte-identical to $SAMPLE" diff -r --no-dereference "$SAMPLE" "$W/restore1$SAMPLE"

t "hotplug: a job streams to Drive-2, then drive 2's target is logged out"
stream=$(queue "run job=StreamOnDrive2 yes") || stop
# The FD reads the fifo until it closes: a trickle of data keeps the job sending, as a client in mid-backup does.
( while :; do head -c 200000 /dev/urandom; sleep 0.3; done ) > "$W/stream.fifo" 2>/dev/null & trickle=$!
for _ in $(seq 1 240); do
  console "status storage=Drive2" > "$W/log/status-running.txt"
  grep -q "JobId=$stream" "$W/log/status-running.txt" && grep -q 'Bytes=[1-9]' "$W/log/status-running.txt" && break
  sleep 0.5
done
check "the stream job (JobId $stream) is writing on Drive-2" grep -q "Device \"Drive-2\"" "$W/log/status-running.txt"
logout_at=$(cut -d' ' -f1 /proc/uptime)
iscsiadm -m node -T "$IQN2" -p "$PORTAL" --logout >/dev/null
offline_after=none
for _ in $(seq 1 40); do
  if curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | grep -q '^capstan_drive_online{device="Drive-2"} 0'; then
    offline_after=$(awk -v a="$logout_at" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN{printf "%.1f", b-a}'); break
  fi
  sleep 0.25
done
echo "    Drive-2 offline $offline_after s after the logout"
check "the SD marked Drive-2 offline within 5 s of the logout" awk -v s="$offline_after" 'BEGIN{exit !(s != "none" && s <= 5)}'
console "status storage=Drive2" > "$W/log/status-offline.txt"
check "status storage shows Drive-2 OFFLINE with its serial" grep -q "OFFLINE: drive with serial DRV00002" "$W/log/status-offline.txt"
status=$(wait_job "$stream" 60)
kill "$trickle" 2>/dev/null; wait "$trickle" 2>/dev/null
check "the job on the unplugged drive ended in error, no hang: status $status" bash -c "[ '$status' = E ] || [ '$status' = f ]"
grep -E "offline|failing job" "$W/log/capstan-sd.log" | sed 's/^/      /' | head -4

t "hotplug: drive 2's target logged in again"
login_at=$(cut -d' ' -f1 /proc/uptime)
iscsiadm -m node -T "$IQN2" -p "$PORTAL" --login >/dev/null
udevadm settle --timeout=60
online_after=none
for _ in $(seq 1 40); do
  if curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | grep -q '^capstan_drive_online{device="Drive-2"} 1'; then
    online_after=$(awk -v a="$login_at" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN{printf "%.1f", b-a}'); break
  fi
  sleep 0.25
done
echo "    Drive-2 online $online_after s after the login, on $(readlink -f /dev/tape/by-id/scsi-DRV00002-nst)"
check "the SD has Drive-2 back online" test "$online_after" != none
"$CAPSTAN" devices -c "$W/etc/capstan-sd.conf" --json | tr -d ' \n' > "$W/log/devices.json"
check "capstan devices: Drive-2 is DRV00002 again" grep -q '"device":"Drive-2","node":{[^}]*"serial":"DRV00002"' "$W/log/devices.json"
after=$(queue "run job=AfterReplug yes") || stop
status=$(wait_job "$after" 600)
check "the next job on Drive-2 (JobId $after) terminated OK: $status" test "$status" = T
check "it ran on Drive-2" grep -q "JobId $after: Using Device \"Drive-2\" to write" "$W/log/messages.log"
restore=$(queue "restore client=vm-fd fileset=Second jobid=$after where=$W/restore2 all done yes") || stop
status=$(wait_job "$restore" 600)
check "its restore (JobId $restore) terminated OK: $status" test "$status" = T
check "the restored tree is identical to $SECOND_SAMPLE" diff -r --no-dereference "$SECOND_SAMPLE" "$W/restore2$SECOND_SAMPLE"

t "what was acknowledged before the unplug is still there"
restore=$(queue "restore client=vm-fd fileset=Sample jobid=$backup where=$W/restore3 all done yes") || stop
status=$(wait_job "$restore" 600)
check "the first backup restores again (JobId $restore): $status" test "$status" = T
check "and is still byte-identical to $SAMPLE" diff -r --no-dereference "$SAMPLE" "$W/restore3$SAMPLE"
curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | grep '^capstan_drive_\(online\|tapealert\)' | sed 's/^/    /'
check "TapeAlert was asked of the drives through their sg nodes (tgt has no LOG SENSE: supported 0)" \
  bash -c "curl -s http://127.0.0.1:$METRICS_PORT/metrics | grep -q '^capstan_drive_tapealert_supported{device=\"Drive-1\"} 0'"

t "disk to tape: a backup on the File device Disk-1, copied onto a cartridge of the pool Copies"
disk_backup=$(queue "run job=DiskBackup yes") || stop
status=$(wait_job "$disk_backup" 600)
check "DiskBackup of $COPIED_SAMPLE (JobId $disk_backup) terminated OK: $status" test "$status" = T
[ "$status" = T ] || stop
disk_volume=$(sql "SELECT VolumeName FROM Media JOIN JobMedia USING (MediaId) WHERE JobId=$disk_backup LIMIT 1")
check "its volume ($disk_volume) is a file on Disk-1" test -s "$W/disk/$disk_volume"
control=$(queue "run job=CopyToTape yes") || stop
status=$(wait_job "$control" 600)
check "the Copy job (JobId $control, PoolUncopiedJobs) terminated OK: $status" test "$status" = T
console "wait" > /dev/null  # the control job's row can end before its copy's: the Director's wait for all jobs
copy=$(sql "SELECT JobId FROM Job WHERE Type='C' AND JobStatus='T' AND PriorJobId=$disk_backup")
check "a copy of JobId $disk_backup is in the catalog (JobId ${copy:-none})" test -n "$copy"
[ -n "$copy" ] || stop
copy_media=$(sql "SELECT group_concat(VolumeName, ' ') FROM Media WHERE MediaId IN (SELECT MediaId FROM JobMedia WHERE JobId=$copy)")
echo "    the copy's volumes: $copy_media; SD log:"
grep -E "loading E00004L6|Copy|copy" "$W/log/capstan-sd.log" | sed 's/^/      /' | tail -4
check "the copy is on the cartridge E00004L6 alone" test "$copy_media" = E00004L6
check "the SD loaded E00004L6 from its slot through the native changer" grep -q "loading E00004L6 from slot" "$W/log/capstan-sd.log"
check "the blocks went through the st driver to the cartridge (tgt's E00004L6 grew past 5 MB)" \
  test "$(du -k "$VTL/media/E00004L6" | cut -f1)" -gt 5000
check "the copy has the original's files: $(sql "SELECT JobFiles FROM Job WHERE JobId=$copy") of $(sql "SELECT JobFiles FROM Job WHERE JobId=$disk_backup")" \
  test "$(sql "SELECT JobFiles FROM Job WHERE JobId=$copy")" = "$(sql "SELECT JobFiles FROM Job WHERE JobId=$disk_backup")"

t "the disk volume purged and deleted; the copy restored from the cartridge"
console "purge volume=$disk_volume yes" >> "$W/log/console.log"
rm -f "$W/disk/$disk_volume"
restore=$(queue "restore client=vm-fd fileset=Copied jobid=$copy where=$W/restore4 all done yes") || stop
status=$(wait_job "$restore" 600)
check "the restore of the copy (JobId $restore) terminated OK: $status" test "$status" = T
check "it read the cartridge E00004L6" grep -q "Ready to read from volume \"E00004L6\"" "$W/log/messages.log"
check "the restored tree is byte-identical to $COPIED_SAMPLE" diff -r --no-dereference "$COPIED_SAMPLE" "$W/restore4$COPIED_SAMPLE"

if [ "$failures" != 0 ]; then
  echo "---- capstan-sd.log (tail)"; tail -40 "$W/log/capstan-sd.log"
  echo "---- messages.log (tail)"; tail -40 "$W/log/messages.log"
fi
t "guest-sd: $failures failed"
[ "$failures" = 0 ]
