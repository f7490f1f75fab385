#!/bin/bash
# Capture real replies of tgt's SMC changer and SSC drive (scripts/devices/tape-library)
# as hex lines for Tests/SCSITests/Fixtures/tgt-replies.txt. Needs tgt and libiscsi-dev (scripts/install-deps).
# Usage: scripts/scsi-capture/capture-fixtures.sh [OUT]   (about 2 s)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIBRARY=$ROOT/scripts/devices/tape-library
OUT=${1:-$ROOT/Tests/SCSITests/Fixtures/tgt-replies.txt}
WORK=$(mktemp -d /tmp/capstan-capture.XXXXXX)
export PORTAL=${PORTAL:-127.0.0.1:3263} CONTROL_PORT=${CONTROL_PORT:-13}
IQN=iqn.2024-01.test.vtl:lib1
cc -O2 -Wall -o "$WORK/scsi-capture" "$ROOT/scripts/scsi-capture/scsi-capture.c" -liscsi
"$LIBRARY" up "$WORK/vtl" >/dev/null
trap '"$LIBRARY" down "$WORK/vtl" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
C="$WORK/scsi-capture iscsi://$PORTAL/$IQN/3"
D="$WORK/scsi-capture iscsi://$PORTAL/$IQN/1"
{
echo "# tgt $(dpkg-query -W -f '${Version}' tgt 2>/dev/null) replies, captured by scripts/scsi-capture on $(date -u +%F)"
echo "# library: picker 1, slots 1000+8 (E00001L6..E00006L6 in 1000..1005), I/E 10+2, drives 500+2 (LUN 1, 2)"
$C changer.inquiry 255 12000000ff00 \
   changer.vpd80 255 12018000ff00 \
   changer.vpd83 255 12018300ff00 \
   changer.modesense6.1d 255 1a081d00ff00 \
   changer.modesense10.1d 255 5a081d0000000000ff00 \
   changer.res.transport 65535 b811000000ff0100ffff0000 \
   changer.res.slots 65535 b812000000ff0100ffff0000 \
   changer.res.ie 65535 b813000000ff0100ffff0000 \
   changer.res.drives 65535 b814000000ff0100ffff0000 \
   changer.res.drives.nodvcid 65535 b814000000ff0000ffff0000 \
   changer.res.slots.novoltag 65535 b802000000ff0000ffff0000 \
   changer.res.slots.alloc64 64 b812000000ff010000400000 \
   changer.initialize 0 070000000000 \
   changer.move.slot1000-drive500 0 a500000103e801f400000000 \
   changer.res.drives.loaded 65535 b814000000ff0100ffff0000 \
   changer.res.slots.after-load 65535 b812000000ff0100ffff0000 \
   changer.move.empty-source 0 a500000103ef01f500000000 \
   changer.move.full-destination 0 a500000103e901f400000000 \
   changer.logsense.2e 1024 4d006e00000000040000 \
   changer.tur 0 000000000000 \
   changer.prevent 0 1e0000000100 \
   changer.allow 0 1e0000000000
$D drive.inquiry 255 12000000ff00 \
   drive.vpd80 255 12018000ff00 \
   drive.vpd83 255 12018300ff00 \
   drive.tur.loaded 0 000000000000 \
   drive.rewind 0 010000000000 \
   drive.readposition.short 20 34000000000000000000 \
   drive.readposition.long 32 34060000000000000000 \
   drive.logsense.2e 1024 4d006e00000000040000 \
   drive.readattribute 4096 8c000000000000000000000010000000 \
   drive.requestsense 252 03000000fc00
$C drive.prevent.same-session 0 1:1e0000000100 \
   changer.move.drive500-slot1007.prevented 0 a500000101f403ef00000000 \
   drive.allow.same-session 0 1:1e0000000000 \
   changer.move.drive500-slot1007 0 a500000101f403ef00000000 \
   changer.res.drives.empty-again 65535 b814000000ff0100ffff0000
$D drive.tur.empty 0 000000000000 \
   drive.read.no-medium 65536 080000010000
} >"$OUT"
echo "wrote $(grep -vc '^#' "$OUT") replies to $OUT"
