#!/bin/bash
# Runs INSIDE the harness VM (scripts/test-devices starts it): tgt's library on the guest's loopback, an iSCSI
# login so the real st, ch and sg drivers bind, then capstan-scsi-probe drives the changer by SG_IO and the
# drive through /dev/nst0; then guest-devices.sh checks discovery, hotplug, the udev rules and the capstan tools, and
# guest-tape-volume.sh reads a real Bacula volume written onto a cartridge (capstan ls/extract/tape eod, bls), and
# guest-package.sh installs the Debian package and runs guest-sd.sh with the installed capstan-sd on the library with
# the real bacula-dir and bacula-fd (backup, restore, hotplug), then removes and purges the package.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIBRARY=$ROOT/scripts/devices/tape-library
PROBE=${PROBE:-$ROOT/.build/debug/capstan-scsi-probe}
IQN=iqn.2024-01.test.vtl:lib1
PORTAL=127.0.0.1:3260
t() { printf '[%6.2fs] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$*"; }

t "modules, Capstan's udev rules, library, login"
modprobe sg; modprobe iscsi_tcp
mkdir -p /etc/udev/rules.d && cp "$ROOT/udev/61-capstan-tape.rules" /etc/udev/rules.d/ && udevadm control --reload
rm -rf /run/vtl; "$LIBRARY" up /run/vtl || exit 1
iscsid || exit 1
iscsiadm -m discovery -t sendtargets -p "$PORTAL" >/dev/null
iscsiadm -m node -T "$IQN" -p "$PORTAL" --login >/dev/null
udevadm settle --timeout=60
lsscsi -g
CHANGER_SG=$(lsscsi -g | awk '$2=="mediumx"{print $NF; exit}')
TAPE_SG=$(lsscsi -g | awk '$2=="tape"{print $NF; exit}')
ls -l /dev/tape/by-id/ 2>/dev/null
t "capstan-scsi-probe $CHANGER_SG /dev/nst0 $TAPE_SG"
"$PROBE" "$CHANGER_SG" /dev/nst0 "$TAPE_SG"; rc=$?
t "probe exit $rc"
"$ROOT/scripts/devices/guest-devices.sh" || rc=1
"$ROOT/scripts/devices/guest-tape-volume.sh" || rc=1
iscsiadm -m node -T "$IQN" -p "$PORTAL" --logout >/dev/null 2>&1
"$LIBRARY" down /run/vtl >/dev/null 2>&1
"$ROOT/scripts/devices/guest-package.sh" || rc=1
exit $rc
