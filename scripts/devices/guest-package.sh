#!/bin/bash
# Runs INSIDE the test VM (guest-probe.sh calls it last): the Debian package as a user installs it.
#   dpkg -i capstan_*.deb (built on the host by scripts/package; DEB names it): programs, units, rules, manuals,
#     conffiles and the capstan user in group tape are in place; the installed units pass systemd-analyze verify;
#   guest-sd.sh with the INSTALLED /usr/sbin/capstan-sd and /usr/bin/capstan: backup and restore on tgt's library
#     through the native changer, a Copy job from a File device onto a cartridge, real bacula-dir and bacula-fd;
#   dpkg -r leaves only the conffiles; dpkg -P leaves nothing.
# The VM's root is an overlay in RAM: nothing installed here reaches the host.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEB=${DEB:-$(ls "$ROOT"/.build/package/capstan_*_amd64.deb 2>/dev/null | tail -1)}
W=/run/capstan-package
failures=0
t() { printf '[%6.2fs] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$*"; }
check() {  # check "what" command...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "  ok:   $what"; else echo "  FAIL: $what"; failures=$((failures + 1)); fi
}
mkdir -p "$W"
[ -f "$DEB" ] || { echo "  FAIL: no package to install (scripts/package writes .build/package/capstan_*_amd64.deb)"; exit 1; }

# man-db's dpkg trigger re-indexes every manual page of the guest's root on each install and removal: 217 s of
# `dpkg -i` and 107 s of `dpkg -r` under TCG, against 77 s and 6 s without it (measured 2026-12-04). The package's
# own pages are checked with `man -w` below, which reads the files, not the index. The root is a RAM overlay, so
# the host's man-db keeps its setting.
rm -f /var/lib/man-db/auto-update
t "dpkg -i $(basename "$DEB")"
check "the package's scripts and depends are satisfied (dpkg -i exits 0)" dpkg -i "$DEB"
dpkg -L capstan | sort > "$W/files.txt"
dpkg-query -W -f '${Conffiles}\n' capstan | awk 'NF {print $1}' | sort > "$W/conffiles.txt"
sed 's/^/    /' "$W/conffiles.txt"
for program in /usr/sbin/capstan-sd /usr/sbin/capstan-dir /usr/sbin/capstan-fd /usr/bin/capstan; do
  check "$program is installed and runs (--version)" bash -c "[ \"\$($program --version)\" = \"\$(dpkg-query -W -f '\${Version}' capstan)\" ]"
done
check "the daemons are links to the one binary, /usr/bin/capstan" bash -c "
  for d in capstan-sd capstan-dir capstan-fd; do [ -L /usr/sbin/\$d ] && [ \"\$(readlink -f /usr/sbin/\$d)\" = /usr/bin/capstan ] || exit 1; done"
check "no Swift runtime library is needed at run time" bash -c "! ldd /usr/sbin/capstan-sd | grep -q -i swift"
check "the example configurations are conffiles and check clean" bash -c "
  [ \$(wc -l < '$W/conffiles.txt') = 4 ] && /usr/sbin/capstan-sd -t -c /etc/capstan/capstan-sd.conf &&
  /usr/sbin/capstan-dir -t -c /etc/capstan/capstan-dir.conf && /usr/sbin/capstan-fd -t -c /etc/capstan/capstan-fd.conf"
check "configurations with passwords are root:capstan 0640" test "$(stat -c %U:%G:%a /etc/capstan/capstan-sd.conf)" = root:capstan:640
check "the capstan system user exists and is in group tape" bash -c "id capstan && id -nG capstan | tr ' ' '\n' | grep -qx tape"
check "manual pages: capstan-sd(8) and capstan(1)" bash -c "man -w 8 capstan-sd && man -w 1 capstan && zcat /usr/share/man/man8/capstan-sd.8.gz | grep -q '^.Dt CAPSTAN-SD 8'"
check "udev rule in /lib/udev/rules.d" test -f /lib/udev/rules.d/61-capstan-tape.rules
check "tmpfiles made the state directories" bash -c "[ -d /var/lib/capstan ] && [ \$(stat -c %U /var/lib/capstan) = capstan ]"
check "capstan-sd.service is enabled for multi-user.target" test -L /etc/systemd/system/multi-user.target.wants/capstan-sd.service
systemd-analyze verify --man=no /lib/systemd/system/capstan-sd.service /lib/systemd/system/capstan-dir.service \
  /lib/systemd/system/capstan-fd.service > "$W/verify.txt" 2>&1; rc=$?
sed 's/^/    /' "$W/verify.txt"
check "the installed units pass systemd-analyze verify, silently" bash -c "[ $rc = 0 ] && [ ! -s '$W/verify.txt' ]"
out=$(/usr/bin/capstan changer status 2>&1 | head -3)
echo "    capstan changer status (installed example configuration, no Autochanger): ${out%%$'\n'*}"

t "guest-sd.sh with the installed capstan-sd and capstan"
SD=/usr/sbin/capstan-sd CAPSTAN=/usr/bin/capstan "$ROOT/scripts/devices/guest-sd.sh" || failures=$((failures + 1))

t "dpkg -r capstan"
check "dpkg -r exits 0" dpkg -r capstan
left=$(while read -r f; do { [ -f "$f" ] || [ -L "$f" ]; } && [ ! -d "$f" ] && echo "$f"; done < "$W/files.txt" |
  grep -v -x -F -f "$W/conffiles.txt")
[ -z "$left" ] || echo "$left" | sed 's/^/    left: /'
check "dpkg -r leaves none of the package's files but the conffiles" test -z "$left"
check "dpkg -r keeps the conffiles" bash -c "while read -r f; do [ -f \"\$f\" ] || exit 1; done < '$W/conffiles.txt'"
check "dpkg -r leaves no unit enabled" test ! -e /etc/systemd/system/multi-user.target.wants/capstan-sd.service

t "dpkg -P capstan"
check "dpkg -P exits 0" dpkg -P capstan
left=$(cat "$W/files.txt" "$W/conffiles.txt" | while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done)
for d in /etc/capstan /var/lib/capstan /var/lib/capstan-fd /var/spool/capstan /var/log/capstan /srv/capstan \
  /var/lib/systemd/deb-systemd-helper-enabled/capstan-sd.service.dsh-also; do
  [ -e "$d" ] && left="$left $d"
done
[ -z "$left" ] || echo "    left: $left"
check "dpkg -P leaves nothing of the package" test -z "$left"
check "dpkg knows no capstan package any more" bash -c "! dpkg-query -W capstan"

t "guest-package: $failures failed"
[ "$failures" = 0 ]
