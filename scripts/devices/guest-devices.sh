#!/bin/bash
# Runs INSIDE the harness VM after guest-probe.sh set up tgt's library and logged in (scripts/test-devices runs
# both in one boot). Checks Capstan's device layer on the real kernel stack:
#   udev rules (udev/61-capstan-tape.rules): /dev/tape/by-id/scsi-<serial>-sg links to the right sg nodes, group tape;
#   capstan devices: drives and changer by serial, matched to configured Devices (by-id link and /dev/nstN);
#   capstan changer (native SCSI over SG_IO): inventory with DVCID serials matched to Devices, load, unload, transfer;
#   capstan tape on /dev/nstN: status, weof, rewind, fsf, bsf, eod, read-label of a Bacula label;
#   Changer Command: Debian's /etc/bacula/scripts/mtx-changer on the changer's sg node through capstan changer;
#   no configuration: capstan changer and capstan tape on the changer and drives udev shows (like mtx -f, mt -f);
#   hotplug: a LUN deleted and rescanned, then an iSCSI logout, seen by `capstan devices --watch` (udev monitor).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CAPSTAN=${CAPSTAN:-$ROOT/.build/debug/capstan}
FIXTURES=${FIXTURES:-$ROOT/Tests/Fixtures/bacula-9.6.7}
IQN=iqn.2024-01.test.vtl:lib1
PORTAL=127.0.0.1:3260
W=/run/capstan-devices
mkdir -p "$W"
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd  # the harness guest's /dev lacks it; <(...) needs it
failures=0
t() { printf '[%6.2fs] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$*"; }
check() {  # check "what" command...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "  ok:   $what"; else echo "  FAIL: $what"; failures=$((failures + 1)); fi
}
sg_of() { lsscsi -g | awk -v a="[$1]" '$1==a{print $NF}'; }  # sg node of SCSI address H:C:T:L
link_ok() {  # link_ok SERIAL ADDRESS: by-id -sg link resolves to that address's sg node, node group tape
  local link=/dev/tape/by-id/scsi-$1-sg
  [ -L "$link" ] && [ "$(readlink -f "$link")" = "$(sg_of "$2")" ] && [ "$(stat -c %G "$(readlink -f "$link")")" = tape ]
}

t "udev rules: links after login"
ls -l /dev/tape/by-id/ | sed 's/^/    /'
check "scsi-DRV00001-sg -> sg of 0:0:0:1, group tape" link_ok DRV00001 0:0:0:1
check "scsi-DRV00002-sg -> sg of 0:0:0:2, group tape" link_ok DRV00002 0:0:0:2
check "scsi-LIB00001-sg -> sg of 0:0:0:3, group tape" link_ok LIB00001 0:0:0:3
check "the controller LUN (type 12) gets no link" bash -c "! ls /dev/tape/by-id/ | grep -q -- '-sg$' || [ \$(ls /dev/tape/by-id/ | grep -c -- '-sg$') = 3 ]"

# Drive Index deliberately crossed against the LUN order: matching must go by serial.
cat > "$W/sd.conf" <<CONF
Storage { Name = vm-sd; Working Directory = $W; Pid Directory = $W }
Director { Name = vm-dir; Password = x }
Messages { Name = Standard }
Autochanger { Name = Library; Device = Drive-A, Drive-B; Changer Device = /dev/tape/by-id/scsi-LIB00001-sg; Changer Command = "capstan:native" }
Device { Name = Drive-A; Media Type = LTO-6; Archive Device = /dev/tape/by-id/scsi-DRV00002-nst; Drive Index = 0; Autochanger = yes }
Device { Name = Drive-B; Media Type = LTO-6; Archive Device = /dev/nst0; Drive Index = 1; Autochanger = yes }
CONF

t "capstan devices"
"$CAPSTAN" devices -c "$W/sd.conf" --json > "$W/devices.json"
j() { tr -d ' \n' < "$1"; }
check "devices --json: DRV00001 on /dev/nst0 + /dev/sg1 is Drive-B" grep -q '"device":"Drive-B","node":{[^}]*"genericNode":"/dev/sg1"[^}]*"serial":"DRV00001"[^}]*"tapeNode":"/dev/nst0"' <(j "$W/devices.json")
check "devices --json: DRV00002 on /dev/nst1 is Drive-A" grep -q '"device":"Drive-A","node":{[^}]*"serial":"DRV00002"[^}]*"tapeNode":"/dev/nst1"' <(j "$W/devices.json")
check "devices --json: changer LIB00001 on /dev/sg3 is Autochanger Library" grep -q '"autochanger":"Library","node":{[^}]*"genericNode":"/dev/sg3"[^}]*"serial":"LIB00001"' <(j "$W/devices.json")
check "devices --json: nothing configured is missing" grep -q '"missing":\[\]' <(j "$W/devices.json")

t "capstan changer (native SCSI)"
"$CAPSTAN" changer -c "$W/sd.conf" inventory --json > "$W/inv0.json"
check "inventory: drive 0 (element 500) is DRV00001 = Drive-B, by DVCID" grep -q '"address":500,"device":"Drive-B","drive":0,"full":false,"node":"/dev/nst0","serial":"DRV00001"' <(j "$W/inv0.json")
check "inventory: drive 1 (element 501) is DRV00002 = Drive-A (tgt's cut DVCID, by prefix)" grep -q '"address":501,"device":"Drive-A","drive":1,"full":false,"node":"/dev/nst1","serial":"DRV00002"' <(j "$W/inv0.json")
check "inventory: 10 slots, 2 of them import/export" test "$(grep -o '"importExport":' <(j "$W/inv0.json") | wc -l)-$(grep -o '"importExport":true' <(j "$W/inv0.json") | wc -l)" = 10-2
check "changer load 1 0" "$CAPSTAN" changer -c "$W/sd.conf" load 1 0
"$CAPSTAN" changer -c "$W/sd.conf" inventory > "$W/inv1.txt"
sed 's/^/    /' "$W/inv1.txt"
check "inventory: drive 0 holds E00001L6 from slot 1, serial DRV00001 = Drive-B" grep -q '^D:0:F:1:E00001L6  serial=DRV00001  Device="Drive-B"' "$W/inv1.txt"

t "capstan tape on /dev/nst0 (Drive-B)"
dd if="$FIXTURES/TAPE01.vtape" of="$W/label.blk" bs=1 skip=24 count=1024 status=none
check "rewind" "$CAPSTAN" tape -c "$W/sd.conf" --device Drive-B rewind
check "a Bacula label block written with dd" dd if="$W/label.blk" of=/dev/nst0 bs=1024 status=none
check "weof 1" "$CAPSTAN" tape -c "$W/sd.conf" --device Drive-B weof
"$CAPSTAN" tape -c "$W/sd.conf" --device Drive-B read-label --json > "$W/label.json"
sed 's/^/    /' "$W/label.json"
check "read-label: TAPE01" grep -q '"volumeName" : "TAPE01"' "$W/label.json"
check "fsf 1: file 1 block 0" grep -q '^file 1 block 0' <("$CAPSTAN" tape -c "$W/sd.conf" --device Drive-B fsf 1)
"$CAPSTAN" tape --device DRV00001 status --json > "$W/status.json"
check "status --json by serial (no config): online, file 1" grep -q '"file":1,"online":true' <(j "$W/status.json")
check "bsf 1" "$CAPSTAN" tape -c "$W/sd.conf" --device Drive-B bsf 1
check "eod" "$CAPSTAN" tape -c "$W/sd.conf" --device Drive-B eod
check "rewind: BOT" grep -q 'BOT' <("$CAPSTAN" tape -c "$W/sd.conf" --device Drive-B rewind)
check "weof on the empty drive (Drive-A) fails, no hang" bash -c "! timeout 20 '$CAPSTAN' tape -c '$W/sd.conf' --device Drive-A weof"
check "changer unload 0 (back to slot 1)" grep -q 'slot 1' <("$CAPSTAN" changer -c "$W/sd.conf" unload 0)
check "changer transfer 3 9 (to an import/export slot)" "$CAPSTAN" changer -c "$W/sd.conf" transfer 3 9
check "inventory: I:9 holds E00003L6" grep -q '^I:9:F:E00003L6' <("$CAPSTAN" changer -c "$W/sd.conf")

t "Changer Command: Debian's mtx-changer"
cat > "$W/sd-mtx.conf" <<CONF
Storage { Name = vm-sd; Working Directory = $W; Pid Directory = $W }
Director { Name = vm-dir; Password = x }
Messages { Name = Standard }
Autochanger { Name = Mtx; Device = M0, M1; Changer Device = $(sg_of 0:0:0:3); Changer Command = "/etc/bacula/scripts/mtx-changer %c %o %S %a %d" }
Device { Name = M0; Media Type = LTO-6; Archive Device = /dev/tape/by-id/scsi-DRV00001-nst; Drive Index = 0 }
Device { Name = M1; Media Type = LTO-6; Archive Device = /dev/tape/by-id/scsi-DRV00002-nst; Drive Index = 1 }
CONF
"$CAPSTAN" changer -c "$W/sd-mtx.conf" inventory > "$W/mtx0.txt"
sed 's/^/    /' "$W/mtx0.txt"
check "mtx-changer listall: slot 1 E00001L6, I:9 E00003L6" bash -c "grep -q '^S:1:F:E00001L6' '$W/mtx0.txt' && grep -q '^I:9:F:E00003L6' '$W/mtx0.txt'"
check "mtx-changer load 4 1" "$CAPSTAN" changer -c "$W/sd-mtx.conf" load 4 1
check "native inventory agrees: drive 1 (Drive-A) holds E00004L6 from slot 4" grep -q '^D:1:F:4:E00004L6  serial=DRV00002  Device="Drive-A"' <("$CAPSTAN" changer -c "$W/sd.conf")
# a failing load while drive 1 is full (mtx-changer waits for the drive to be ONLINE even after a failure)
out=$("$CAPSTAN" changer -c "$W/sd-mtx.conf" load 2 1 2>&1); rc=$?
echo "    $out"
check "mtx-changer load 2 into the full drive 1: exit 1, the error names the command line" \
  bash -c "[ $rc = 1 ] && grep -q 'mtx-changer $(sg_of 0:0:0:3) load 2 /dev/tape/by-id/scsi-DRV00002-nst 1. exited' <<< \"\$0\"" "$out"
check "mtx-changer unload 1 (to slot 4)" "$CAPSTAN" changer -c "$W/sd-mtx.conf" unload 1
check "mtx-changer listall: S:4:F:E00004L6, drive 1 empty" bash -c "'$CAPSTAN' changer -c '$W/sd-mtx.conf' > '$W/mtx1.txt' && grep -q '^S:4:F:E00004L6' '$W/mtx1.txt' && grep -q '^D:1:E' '$W/mtx1.txt'"

t "no configuration: capstan changer and capstan tape on what udev shows (as mtx -f and mt -f)"
check "there is no /etc/capstan/capstan-sd.conf" test ! -e /etc/capstan/capstan-sd.conf
"$CAPSTAN" changer status --json > "$W/bare0.json" 2> "$W/bare0.err"
sed 's/^/    /' "$W/bare0.err"
check "changer status --json: the only changer, LIB00001" grep -q '"autochanger":"changerLIB00001"' <(j "$W/bare0.json")
check "changer status --json: slot 1 holds E00001L6" grep -q '"address":1000,"barcode":"E00001L6","full":true,"importExport":false,"slot":1' <(j "$W/bare0.json")
check "changer status --json: import/export slot 9 holds E00003L6" grep -q '"address":10,"barcode":"E00003L6","full":true,"importExport":true,"slot":9' <(j "$W/bare0.json")
check "changer status --json: 10 slots, 2 import/export, 2 drives with their serials" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["slots"]) == 10 and sum(s["importExport"] for s in r["slots"]) == 2
assert sorted(d["serial"] for d in r["drives"]) == ["DRV00001", "DRV00002"]' "$W/bare0.json"
check "changer load 1 0" "$CAPSTAN" changer load 1 0
check "status: drive 0 holds E00001L6 from slot 1" grep -q '^D:0:F:1:E00001L6  serial=DRV00001' <("$CAPSTAN" changer status)
"$CAPSTAN" tape status --device DRV00001 > "$W/bare-tape.txt" 2>&1; rc=$?
sed 's/^/    /' "$W/bare-tape.txt"
check "tape status --device DRV00001 answers: online" bash -c "[ $rc = 0 ] && grep -q ONLINE '$W/bare-tape.txt'"
"$CAPSTAN" tape status > "$W/bare-two.txt" 2>&1; rc=$?
sed 's/^/    /' "$W/bare-two.txt"
check "tape status with two drives and no name: exit 1, lists both and says how to pick" \
  bash -c "[ $rc = 1 ] && grep -q 'udev shows 2 tape drives: DRV00001 (/dev/nst0' '$W/bare-two.txt' && grep -q -- '--device' '$W/bare-two.txt'"
check "changer unload 0" "$CAPSTAN" changer unload 0
"$CAPSTAN" changer status > "$W/bare1.txt"
check "status: drive 0 empty, slot 1 holds E00001L6 again" bash -c "grep -q '^D:0:E' '$W/bare1.txt' && grep -q '^S:1:F:E00001L6' '$W/bare1.txt'"
# the probe left E00002L6 in slot 8: bring it home and free slot 5 first
check "changer transfer 5 7 and 8 2 (slot 5 free, E00002L6 home in slot 2)" \
  bash -c "'$CAPSTAN' changer transfer 5 7 && '$CAPSTAN' changer transfer 8 2"
check "changer transfer 2 5" "$CAPSTAN" changer transfer 2 5
"$CAPSTAN" changer status > "$W/bare2.txt"
check "status: slot 5 holds E00002L6, slot 2 is empty" bash -c "grep -q '^S:5:F:E00002L6' '$W/bare2.txt' && grep -q '^S:2:E' '$W/bare2.txt'"
check "changer --device LIB00001 (by serial) transfers them back" \
  bash -c "'$CAPSTAN' changer --device LIB00001 transfer 5 2 && '$CAPSTAN' changer --device /dev/tape/by-id/scsi-LIB00001-sg transfer 7 5"
out=$("$CAPSTAN" changer --changer Library status 2>&1); rc=$?
echo "    $out"
check "--changer without a configuration: one line naming the file looked for" \
  bash -c "[ $rc = 1 ] && [ \$(printf '%s\n' \"\$0\" | wc -l) = 1 ] && grep -q '/etc/capstan/capstan-sd.conf does not exist; pass -c FILE' <<< \"\$0\"" "$out"

t "hotplug: udev monitor through capstan devices --watch"
"$CAPSTAN" devices -c "$W/sd.conf" --watch 60 > "$W/watch.log" 2>&1 &
watcher=$!
for _ in $(seq 50); do grep -q 'Autochanger' "$W/watch.log" && break; sleep 0.1; done
t "delete LUN 2 (Drive-A)"
echo 1 > /sys/class/scsi_device/0:0:0:2/device/delete; udevadm settle
check "after delete: scsi-DRV00002-sg link gone" test ! -e /dev/tape/by-id/scsi-DRV00002-sg
echo '0 0 2' > /sys/class/scsi_host/host0/scan; udevadm settle
t "rescanned LUN 2"
check "after rescan: scsi-DRV00002-sg -> sg of 0:0:0:2 again" link_ok DRV00002 0:0:0:2
iscsiadm -m node -T "$IQN" -p "$PORTAL" --logout >/dev/null 2>&1; udevadm settle
t "logged out"
check "after logout: no -sg links left" bash -c "! ls /dev/tape/by-id/*-sg"
for _ in $(seq 30); do [ "$(grep -c disappeared "$W/watch.log")" -ge 3 ] && break; sleep 0.1; done
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
sed 's/^/    /' "$W/watch.log" | grep -v '^    \(drive\|changer\)'
check "monitor: Drive-A disappeared (DRV00002)" grep -q '^disappeared Drive-A serial=DRV00002' "$W/watch.log"
check "monitor: Drive-A appeared again on its st node" grep -q '^appeared Drive-A serial=DRV00002 node=/dev/nst1' "$W/watch.log"
check "monitor: logout takes Drive-B (tracked by serial DRV00001) away" grep -q '^disappeared Drive-B serial=DRV00001' "$W/watch.log"
check "monitor: events in order (Drive-A gone, back, gone)" test "$(awk '/ Drive-A /{printf "%s ", $1}' "$W/watch.log")" = "disappeared appeared disappeared "

t "guest-devices: $failures failed"
[ "$failures" = 0 ]
