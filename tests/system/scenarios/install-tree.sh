# SPDX-License-Identifier: GPL-2.0-only
# install-tree: what `make install` gives, used as the README's
# walkthrough uses it. The host installs into a staging root (default
# PREFIX, modules for the guest's kernel, depmod'ed there, with the
# kernel's uio.ko and the C libraries the installed programs need), packs
# it as a second cpio archive behind the test initramfs, and the guest
# runs only installed files: modprobe bulkhead, enable with the installed
# system config, a cell from the installed config and inmate, modprobe
# uio_ivshmem, the installed bulkhead-bench against it, destroy, disable,
# modprobe -r.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"
src=$(cd "$(dirname "$0")/../../.." && pwd)
root=$W/root

make -s -C "$src" BUILD="$BUILD" KVER="$KVER" DESTDIR="$root" install >"$W/install.log" 2>&1 ||
	fail "make install failed (log: $W/install.log)"
mods=$root/lib/modules/$KVER
# busybox's modprobe reads plain .ko files.
for z in "$mods"/extra/*.ko.xz; do [ -e "$z" ] && xz -d "$z"; done
for z in "$mods"/extra/*.ko.zst; do [ -e "$z" ] && zstd -dq --rm "$z"; done
uio=/lib/modules/$KVER/kernel/drivers/uio/uio.ko
mkdir -p "$mods/kernel/drivers/uio"
if [ -f "$uio" ]; then cp "$uio" "$mods/kernel/drivers/uio/"
elif [ -f "$uio.xz" ]; then xz -dc "$uio.xz" >"$mods/kernel/drivers/uio/uio.ko"
else zstd -dcq "$uio.zst" >"$mods/kernel/drivers/uio/uio.ko" || fail "no uio.ko for $KVER"
fi
depmod -b "$root" "$KVER" || fail "depmod on the staged tree failed"
# The installed programs are dynamically linked: their libraries go along.
for exe in "$root"/usr/local/sbin/* "$root"/usr/local/bin/*; do
	ldd "$exe" | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$W/installed.cpio.gz" ||
	fail "could not pack the installed tree"
cat "$INITRD" "$W/installed.cpio.gz" >"$W/initrd.gz"
INITRD=$W/initrd.gz

GUEST_APPEND=$HV_MEMMAP
guest_start g install-tree "" 4
guest_wait g
grep -a '^poll ' "$W/g.com2" | tr -d '\r' | head -n 2
hv_console_clean g
