#!/bin/bash
# Runs INSIDE the harness VM after guest-devices.sh (which ends with an iSCSI logout); guest-probe.sh calls it.
# A real Bacula volume on a real st node: logs in again, loads a fresh cartridge (E00005L6) into drive 0, writes the
# fixture TAPE01.vtape onto it record by record with its filemarks (vtape-to-drive.py, variable block mode), then
#   capstan ls on the node reports what it reports on the .vtape file (label, both sessions, addresses, totals);
#   capstan extract -b TapeJob-3.bsr restores job 3 (reading from BOT, record spacing within file 0);
#   capstan extract -b TapeLzoJob-4.bsr restores job 4 (bootstrap at 6:0: rewind + file spacing);
#   capstan tape eod: st's count after MTEOM is 8388607 on tgt (mt shows it), Capstan counts and lands on file 7
#   (from that unknown position and from file 2);
#   Debian's bls (bacula-sd) on the same node lists the same job session records as it did on the vtape image.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CAPSTAN=${CAPSTAN:-$ROOT/.build/debug/capstan}
FIXTURES=${FIXTURES:-$ROOT/Tests/Fixtures/bacula-9.6.7}
IQN=iqn.2024-01.test.vtl:lib1
PORTAL=127.0.0.1:3260
W=/run/capstan-tape-volume
rm -rf "$W"; mkdir -p "$W"
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
failures=0
t() { printf '[%6.2fs] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$*"; }
check() {  # check "what" command...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "  ok:   $what"; else echo "  FAIL: $what"; failures=$((failures + 1)); fi
}

t "tape volume: login again, load E00005L6 into drive 0"
iscsiadm -m node -T "$IQN" -p "$PORTAL" --login >/dev/null
udevadm settle --timeout=60
for _ in $(seq 50); do [ -e /dev/tape/by-id/scsi-DRV00001-nst ] && [ -e /dev/tape/by-id/scsi-LIB00001-sg ] && break; sleep 0.1; done
NST=$(readlink -f /dev/tape/by-id/scsi-DRV00001-nst)
cat > "$W/sd.conf" <<CONF
Storage { Name = vm-sd; Working Directory = $W; Pid Directory = $W }
Director { Name = vm-dir; Password = x }
Messages { Name = Standard }
Autochanger { Name = Library; Device = Drive-0; Changer Device = /dev/tape/by-id/scsi-LIB00001-sg; Changer Command = "capstan:native" }
Device { Name = Drive-0; Media Type = LTO-6; Archive Device = /dev/tape/by-id/scsi-DRV00001-nst; Drive Index = 0; Autochanger = yes }
CONF
echo "    drive 0 is $NST"
check "changer load 5 0 (E00005L6, a blank cartridge)" "$CAPSTAN" changer -c "$W/sd.conf" load 5 0
"$CAPSTAN" tape --device "$NST" wait --timeout 30 > "$W/wait.txt" 2>&1; wrc=$?
sed 's/^/    wait: /' "$W/wait.txt"
check "capstan tape wait (waitUntilReady) on the loaded drive: online at once" bash -c "[ $wrc = 0 ] && grep -q ONLINE '$W/wait.txt'"
EMPTY=$(readlink -f /dev/tape/by-id/scsi-DRV00002-nst)
start=$(date +%s)
"$CAPSTAN" tape --device "$EMPTY" wait --timeout 3 > "$W/wait-empty.txt" 2>&1; wrc=$?; took=$(( $(date +%s) - start ))
sed 's/^/    wait (empty drive): /' "$W/wait-empty.txt"
check "capstan tape wait on the empty drive: fails after about 3 s, naming $EMPTY and the time waited" \
  bash -c "[ $wrc != 0 ] && [ $took -ge 3 ] && [ $took -le 10 ] && grep -q '$EMPTY: the drive reported no cartridge online after waiting 3' '$W/wait-empty.txt'"
sg_read_block_limits "$(readlink -f /dev/tape/by-id/scsi-DRV00001-sg)" 2>&1 | sed 's/^/    block limits: /'

t "write TAPE01.vtape onto $NST (variable blocks, filemarks)"
mt -f "$NST" setblk 0 && mt -f "$NST" rewind
python3 "$ROOT/scripts/devices/vtape-to-drive.py" "$FIXTURES/TAPE01.vtape" "$NST" > "$W/write.txt" 2>&1; wrc=$?
sed 's/^/    /' "$W/write.txt"
check "vtape-to-drive.py: 7 tape files (4 3 3 3 3 3 1 records), each closed by a filemark" \
  bash -c "[ $wrc = 0 ] && [ \"\$(grep -o '^file [0-9]*: [0-9]* records' '$W/write.txt' | awk '{printf \"%s \", \$3}')\" = '4 3 3 3 3 3 1 ' ] && ! grep -q 'closes it' '$W/write.txt'"
for bs in 1048576 2097152 4194304 4259840; do  # information: the largest single read the kernel lets through
  mt -f "$NST" rewind
  if dd if="$NST" of=/dev/null bs=$bs count=1 2>"$W/dd.err"; then r="ok"; else r=$(tail -1 "$W/dd.err"); fi
  echo "    read($bs) at 0:0: $r"
done
dmesg | grep -E 'st[0-9]+:|st 0:0:0' | tail -3 | sed 's/^/    dmesg: /'
mt -f "$NST" rewind

t "capstan ls $NST"
"$CAPSTAN" ls "$FIXTURES/TAPE01.vtape" > "$W/ls-vtape.txt" 2>&1
"$CAPSTAN" ls "$NST" > "$W/ls-tape.txt" 2>&1; lrc=$?
sed 's/^/    /' "$W/ls-tape.txt"
check "ls on the drive: exit 0, container 'tape drive'" bash -c "[ $lrc = 0 ] && head -1 '$W/ls-tape.txt' | grep -q '^Volume $NST (tape drive)'"
check "ls on the drive = ls on the .vtape (label, sessions 3 and 4, addresses, totals)" \
  cmp <(tail -n +2 "$W/ls-vtape.txt") <(tail -n +2 "$W/ls-tape.txt")
check "ls on the drive: two sessions, JobId 3 and JobId 4, both Status=T" \
  bash -c "[ \$(grep -c '^Session .*JobId=[34] ' '$W/ls-tape.txt') = 2 ] && [ \$(grep -c 'Status=T' '$W/ls-tape.txt') = 2 ]"

md5() { md5sum "$1" 2>/dev/null | cut -d' ' -f1; }
D=tmp/volfmt-research/data
t "capstan extract -b TapeJob-3.bsr $NST"
"$CAPSTAN" extract -b "$FIXTURES/TapeJob-3.bsr" "$NST" "$W/job3" > "$W/job3.txt" 2>&1; erc=$?
sed 's/^/    /' "$W/job3.txt"
check "extract job 3: exit 0, 8 files restored" bash -c "[ $erc = 0 ] && grep -qx '8 files restored.' '$W/job3.txt'"
check "job 3: hello.txt md5 80719dff54a5b8b56fbde150fb3a265d" test "$(md5 "$W/job3/$D/hello.txt")" = 80719dff54a5b8b56fbde150fb3a265d
check "job 3: sparse.img md5 d117722101c42f599a03ffc5007023c8" test "$(md5 "$W/job3/$D/sparse.img")" = d117722101c42f599a03ffc5007023c8
check "job 3: sub/numbers.bin md5 59f08777fcd1aa2b8e0c8f892cfaae09" test "$(md5 "$W/job3/$D/sub/numbers.bin")" = 59f08777fcd1aa2b8e0c8f892cfaae09
check "job 3: hard-hello.txt is a hard link to hello.txt, link-to-hello -> hello.txt" \
  bash -c "[ \"\$(stat -c %i '$W/job3/$D/hello.txt')\" = \"\$(stat -c %i '$W/job3/$D/hard-hello.txt')\" ] && [ \"\$(readlink '$W/job3/$D/link-to-hello')\" = hello.txt ]"

t "capstan extract -b TapeLzoJob-4.bsr $NST (bootstrap starts at 6:0)"
mt -f "$NST" rewind; mt -f "$NST" fsf 2  # head in file 2: the stream must rewind for the label, then space 6 files
"$CAPSTAN" extract -b "$FIXTURES/TapeLzoJob-4.bsr" "$NST" "$W/job4" > "$W/job4.txt" 2>&1; erc=$?
sed 's/^/    /' "$W/job4.txt"
check "extract job 4: exit 0, 3 files restored" bash -c "[ $erc = 0 ] && grep -qx '3 files restored.' '$W/job4.txt'"
check "job 4 (LZO): sub/numbers.bin md5 59f08777fcd1aa2b8e0c8f892cfaae09, hello.txt md5 80719dff54a5b8b56fbde150fb3a265d" \
  bash -c "[ \"\$(md5sum < '$W/job4/$D/sub/numbers.bin' | cut -d' ' -f1)\" = 59f08777fcd1aa2b8e0c8f892cfaae09 ] && [ \"\$(md5sum < '$W/job4/$D/hello.txt' | cut -d' ' -f1)\" = 80719dff54a5b8b56fbde150fb3a265d ]"

t "end of data: st's count vs capstan tape eod"
mt -f "$NST" rewind; mt -f "$NST" eod; mt -f "$NST" status > "$W/mt-eod.txt" 2>&1
sed 's/^/    /' "$W/mt-eod.txt"
check "quirk 11 still there: after mt eod st's file number is 8388607 or -1" grep -Eq 'File number=(8388607|-1),' "$W/mt-eod.txt"
"$CAPSTAN" tape --device "$NST" eod > "$W/eod.txt" 2>&1; erc=$?
"$CAPSTAN" tape --device "$NST" status > "$W/status.txt" 2>&1
sed 's/^/    eod:    /' "$W/eod.txt"; sed 's/^/    status: /' "$W/status.txt"
check "capstan tape eod: file 7 block 0 (counted: 7 filemarks)" bash -c "[ $erc = 0 ] && grep -q '^file 7 block 0 ' '$W/eod.txt'"
check "capstan tape status afterwards (new process): file 7 block 0" grep -q '^file 7 block 0 .*ONLINE' "$W/status.txt"
check "mt status agrees: File number=7, block number=0" bash -c "mt -f '$NST' status | grep -q 'File number=7, block number=0'"
mt -f "$NST" rewind; mt -f "$NST" fsf 2
"$CAPSTAN" tape --device "$NST" eod > "$W/eod2.txt" 2>&1; erc=$?
sed 's/^/    eod from file 2: /' "$W/eod2.txt"
check "capstan tape eod from file 2 (st would say 2 + 8388607): file 7 block 0" \
  bash -c "[ $erc = 0 ] && grep -q '^file 7 block 0 ' '$W/eod2.txt'"
mt -f "$NST" rewind

t "Debian's bls on $NST"
mkdir -p "$W/bls"
cat > "$W/bls.conf" <<CONF
Storage { Name = vm-bls-sd; WorkingDirectory = "$W/bls"; Pid Directory = "$W/bls" }
Device {
  Name = Drive0; Media Type = LTO-6; Archive Device = $NST; Device Type = Tape
  AutomaticMount = yes; AlwaysOpen = no; RemovableMedia = yes; RandomAccess = no
  Maximum Block Size = 1048576   # bls reads into this: more than twice tgt's 64512-byte records (quirk 8)
}
Messages { Name = Standard; stdout = all }
CONF
timeout 120 bls -c "$W/bls.conf" -V TAPE01 -j Drive0 > "$W/bls.txt" 2>&1; brc=$?
sed 's/^/    /' "$W/bls.txt" | head -40
sessions() { grep -A1 'Job Session Record:' | grep -v '^--$' | sed 's/^[^:]*bls JobId 0: //'; }
awk '/^===== bls -j -V TAPE01 FixtureVTape/{on=1; next} /^=====/{on=0} on' "$FIXTURES/README.txt" | sessions > "$W/bls-expected.txt"
sessions < "$W/bls.txt" > "$W/bls-got.txt"
check "bls: exit 0, label TAPE01 read from the drive" bash -c "[ $brc = 0 ] && grep -q 'Ready to read from volume \"TAPE01\"' '$W/bls.txt'"
check "bls -j on the drive: the same 4 session records (JobId 3, 4; File:blk, totals) as on the vtape (README)" \
  bash -c "[ \$(grep -c 'Job Session Record' '$W/bls-expected.txt') = 4 ] && cmp '$W/bls-expected.txt' '$W/bls-got.txt'"
mt -f "$NST" rewind

t "guest-tape-volume: $failures failed"
[ "$failures" = 0 ]
