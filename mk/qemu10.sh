#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Unpacks QEMU 10 from the backports suite into a private prefix beside the
# system's QEMU 7.2 (a system-wide install would replace 7.2: same package
# names). Needs the suite in apt's sources (mk/backports.sh) and root for
# apt-get download. mk/deps.sh runs it (docs/decisions.md).
# Usage: qemu10.sh [PREFIX] (default /opt/bulkhead/qemu10); then run
# PREFIX/bin/qemu-system-x86_64, or QEMU=that make test-system.
set -eu
prefix=${1:-/opt/bulkhead/qemu10}
. /etc/os-release
suite=$VERSION_CODENAME-backports
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"	# apt's download user must reach it
# seabios: QEMU 10 wants a newer bios-256k.bin than bookworm's.
(cd "$tmp" && apt-get download -t "$suite" qemu-system-x86 qemu-system-common \
	qemu-system-data qemu-system-gui seabios)
mkdir -p "$prefix/bin"
for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$prefix"; done
cat >"$prefix/bin/qemu-system-x86_64" <<'WRAP'
#!/bin/sh
# QEMU 10 from the private prefix: its own modules and firmware first.
p=$(cd "$(dirname "$0")/.." && pwd)
export QEMU_MODULE_DIR=$p/usr/lib/x86_64-linux-gnu/qemu
exec "$p/usr/bin/qemu-system-x86_64" -L "$p/usr/share/qemu" -L "$p/usr/share/seabios" "$@"
WRAP
chmod +x "$prefix/bin/qemu-system-x86_64"
"$prefix/bin/qemu-system-x86_64" --version | head -n 1
