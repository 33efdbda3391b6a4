#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Builds the initramfs every system test boots: busybox-static, uio.ko from
# the installed kernel, the project's modules, static tools and the guest
# halves of the scenarios. Usage: mkinitramfs.sh BUILD_DIR KVER OUTPUT
set -euo pipefail
build=$1 kver=$2 out=$3
src=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,dev,proc,sys,tmp,modules,tests/guest}
cp /bin/busybox "$stage/bin/busybox"
file "$stage/bin/busybox" 2>/dev/null | grep -q 'statically linked' || \
	ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' || {
		echo "mkinitramfs: /bin/busybox is not static (install busybox-static)" >&2
		exit 1
	}

uio=/lib/modules/$kver/kernel/drivers/uio/uio.ko
for ext in "" .xz .zst; do
	[ -f "$uio$ext" ] || continue
	case $ext in
	"") cp "$uio" "$stage/modules/" ;;
	.xz) xz -dc "$uio$ext" >"$stage/modules/uio.ko" ;;
	.zst) zstd -dcq "$uio$ext" >"$stage/modules/uio.ko" ;;
	esac
done
[ -f "$stage/modules/uio.ko" ] || { echo "mkinitramfs: $uio not found" >&2; exit 1; }

cp "$build/modules/$kver"/*.ko "$stage/modules/"
cp "$build"/guest/* "$stage/bin/"
# The hypervisor as the driver's firmware, and the configs.
mkdir -p "$stage/lib/firmware" "$stage/configs/x2apic" "$stage/inmates"
cp "$build/hypervisor/bulkhead.bin" "$stage/lib/firmware/"
cp "$build"/configs/*.cell "$stage/configs/"
cp "$build"/configs/x2apic/*.cell "$stage/configs/x2apic/"
cp "$build"/inmates/*.bin "$stage/inmates/"
cp "$src"/guest/*.sh "$stage/tests/guest/"
cp "$src/init" "$stage/init"
chmod +x "$stage/init" "$stage"/tests/guest/*.sh

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
