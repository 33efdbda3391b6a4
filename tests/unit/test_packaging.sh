#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make deb, then the packages as a user gets them: all four built and
# lintian-clean (mk/deb.sh fails otherwise), unpacked into a scratch root
# with the files each must hold, the .pc and a program linked against the
# packaged library; and bulkhead-dkms's sources built and installed by
# DKMS itself for every kernel that has headers (Debian's and the
# backports one `make deps` adds), warning-free. DKMS runs in a private
# mount namespace whose /etc/dkms/framework.conf points its trees into
# the scratch directory, so the system's DKMS state is never touched.
# Run from the build directory's tests/unit (BULKHEAD_SRC as in
# test_build_graph.sh). Exit 77 when DKMS cannot be isolated (no unshare).
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$here/../.." && pwd)
src=${BULKHEAD_SRC:-$(cd "$build/.." && pwd)}
[ -f "$src/Makefile" ] || { echo "no Makefile in $src (set BULKHEAD_SRC)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
version=$(sh "$src/mk/version.sh" "$src")
# libcellmsg's soname major: the package name and the files follow it.
abi=$(sed -n 's/^CELLMSG_ABI *:= *//p' "$src/mk/install.mk")
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

make -s -C "$src" BUILD="$build" deb >"$tmp/deb.log" 2>&1 ||
	{ tail -n 30 "$tmp/deb.log"; echo "make deb failed"; exit 1; }
grep '^deb: lintian:' "$tmp/deb.log" | grep -v 'root privileges'

# ---- the packages and what each holds ---------------------------------------
root=$tmp/root
for p in bulkhead bulkhead-dkms libcellmsg$abi libcellmsg-dev; do
	deb=$(ls "$build"/deb/"${p}"_"${version}"_*.deb 2>/dev/null)
	[ -f "$deb" ] || { bad "no $p package"; continue; }
	dpkg-deb -x "$deb" "$root"
	dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/$p.files"
done
has() {
	local p=$1
	shift
	for f; do
		grep -qx "$f" "$tmp/$p.files" || bad "$p lacks $f"
	done
}
L=/usr/lib/$multiarch
has bulkhead /usr/sbin/bulkhead /usr/bin/ivshmem-ping /usr/bin/bulkhead-bench \
	/lib/firmware/bulkhead.bin /usr/share/bulkhead/configs/qemu-q35.cell \
	/usr/share/bulkhead/inmates/cellmsg-echo.bin /usr/share/man/man8/bulkhead.8.gz \
	/usr/share/man/man1/ivshmem-ping.1.gz /usr/share/man/man1/bulkhead-bench.1.gz \
	/usr/share/bash-completion/completions/bulkhead
has bulkhead-dkms /usr/src/bulkhead-$version/dkms.conf /usr/src/bulkhead-$version/Makefile \
	/usr/src/bulkhead-$version/driver/main.c /usr/src/bulkhead-$version/ivshmem-uio/uio_ivshmem.c \
	/usr/src/bulkhead-$version/include/bulkhead/ivshmem.h
has libcellmsg$abi $L/libcellmsg.so.$abi.0.0 $L/libcellmsg.so.$abi
has libcellmsg-dev $L/libcellmsg.so $L/libcellmsg.a $L/pkgconfig/libcellmsg.pc \
	/usr/include/cellmsg/cellmsg.h /usr/include/bulkhead/cellmsg_wire.h \
	/usr/share/man/man7/libcellmsg.7.gz /usr/share/man/man3/cellmsg_open.3.gz
# One package per file: nothing shipped twice.
dups=$(cat "$tmp"/*.files | grep -v '/$' | sort | uniq -d | grep -v '^/usr/share/doc/$')
[ -z "$dups" ] || bad "shipped by two packages: $(echo "$dups" | head -n 3 | tr '\n' ' ')"
dpkg-deb -f "$build/deb/libcellmsg-dev_${version}_"*.deb Depends | grep -q "libcellmsg$abi (= $version)" ||
	bad "libcellmsg-dev does not depend on its libcellmsg$abi"
dpkg-deb -f "$build/deb/bulkhead-dkms_${version}_all.deb" Depends | grep -q dkms ||
	bad "bulkhead-dkms does not depend on dkms"
dpkg-deb -f "$build/deb/bulkhead_${version}_"*.deb Depends | grep -q dkms &&
	bad "bulkhead depends on dkms (dh_dkms applied to every package)"

# ---- the packaged library from a program ------------------------------------
export PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_LIBDIR=$root$L/pkgconfig:/usr/lib/$multiarch/pkgconfig:/usr/share/pkgconfig
flags=$(pkg-config --cflags --libs libcellmsg) || bad "pkg-config does not find the packaged libcellmsg.pc"
# shellcheck disable=SC2086
if cc -o "$tmp/hello" "$src/libcellmsg/examples/hello_host.c" $flags >"$tmp/cc.log" 2>&1; then
	out=$(LD_LIBRARY_PATH=$root$L timeout 30 "$tmp/hello" 2>&1) || bad "the example failed: $out"
	LD_LIBRARY_PATH=$root$L ldd "$tmp/hello" | grep -q "$root$L/libcellmsg.so.$abi" ||
		bad "the example did not load the packaged library"
else
	cat "$tmp/cc.log"
	bad "the example does not build against the packaged headers and library"
fi

# ---- DKMS: build and install for every kernel with headers -----------------
kernels=$("$src/mk/kver.sh" --all | tr '\n' ' ')
if ! command -v dkms >/dev/null; then
	bad "dkms not installed (make deps)"
elif ! unshare --mount true 2>/dev/null; then
	echo "cannot make a private mount namespace for DKMS (unshare --mount)"
	[ $fail = 0 ] && exit 77
else
	mkdir -p "$tmp/dkms" "$tmp/lib-modules"
	for k in $kernels; do
		mkdir -p "$tmp/lib-modules/$k"
		ln -s "/lib/modules/$k/build" "$tmp/lib-modules/$k/build"
	done
	cat >"$tmp/framework.conf" <<-EOF
		source_tree="$root/usr/src"
		dkms_tree="$tmp/dkms"
		install_tree="$tmp/lib-modules"
		mok_signing_key="$tmp/mok.key"
		mok_certificate="$tmp/mok.pub"
	EOF
	cat >"$tmp/dkms.sh" <<-EOF
		set -e
		mount --bind "$tmp/framework.conf" /etc/dkms/framework.conf
		dkms add -m bulkhead -v $version
		for k in $kernels; do
			dkms build -m bulkhead -v $version -k \$k
			dkms install -m bulkhead -v $version -k \$k --no-depmod
		done
		dkms status -m bulkhead
	EOF
	# DKMS runs make as a user's shell would: not as a submake of ours
	# (a parent's -j2 makes make warn "-j2 forced in submake").
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		unshare --mount --propagation private bash "$tmp/dkms.sh" >"$tmp/dkms.log" 2>&1 ||
		{ tail -n 30 "$tmp/dkms.log"; bad "DKMS could not build or install the modules"; }
	for k in $kernels; do
		for m in bulkhead uio_ivshmem; do
			ko=$(ls "$tmp/lib-modules/$k/updates/dkms/$m.ko"* 2>/dev/null | head -n 1)
			if [ -z "$ko" ]; then
				bad "DKMS installed no $m for $k"
				continue
			fi
			[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$k" ] || bad "$m for $k has vermagic $(modinfo -F vermagic "$ko")"
		done
		log=$tmp/dkms/bulkhead/$version/$k/x86_64/log/make.log
		[ -f "$log" ] || log=$(ls "$tmp"/dkms/bulkhead/"$version"/build/make.log 2>/dev/null)
		if grep -qiE 'warning:|error:' "$log" 2>/dev/null; then
			grep -iE 'warning:|error:' "$log" | head -n 5
			bad "the modules do not build warning-free for $k"
		fi
	done
	[ $fail = 0 ] && echo "DKMS built and installed both modules for: $kernels"
fi

[ $fail = 0 ] && echo "packages, packaged library and DKMS as expected"
exit $fail
