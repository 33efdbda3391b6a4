#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make install (and install-dkms) into a scratch DESTDIR, then what a user of the installed
# tree relies on: the files, the firmware and CLI as built, libcellmsg's
# exports against its headers (version script) and a man page for every
# public function, headers that compile alone, the .pc, a program built
# with `pkg-config --cflags --libs libcellmsg` and run against the
# installed shared library, man pages that render without warnings and
# name every command and option the programs' --help shows; then
# make uninstall must leave no file behind. Run from the build
# directory's tests/unit (the unit runner does; BULKHEAD_SRC as in
# test_build_graph.sh).
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$here/../.." && pwd)
src=${BULKHEAD_SRC:-$(cd "$build/.." && pwd)}
[ -f "$src/Makefile" ] || { echo "no Makefile in $src (set BULKHEAD_SRC)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
# The default PREFIX, so that nothing in the build tree is remade.
P=$root/usr/local
fail=0
bad() { echo "FAIL: $*"; fail=1; }

make -s -C "$src" BUILD="$build" DESTDIR="$root" install install-dkms >"$tmp/install.log" 2>&1 ||
	{ tail -n 20 "$tmp/install.log"; echo "make install failed"; exit 1; }

# ---- the files -------------------------------------------------------------
version=$(sh "$src/mk/version.sh" "$src")
# libcellmsg's soname major: the package name and the files follow it.
abi=$(sed -n 's/^CELLMSG_ABI *:= *//p' "$src/mk/install.mk")
kver=${BULKHEAD_KVER:-$("$src/mk/kver.sh")}
for f in "$P/sbin/bulkhead" "$P/bin/ivshmem-ping" "$P/bin/bulkhead-bench" \
	"$root/lib/firmware/bulkhead.bin" "$P/share/bulkhead/configs/qemu-q35.cell" \
	"$P/share/bulkhead/configs/src/qemu-q35.c" "$P/share/bulkhead/inmates/cellmsg-echo.bin" \
	"$P/share/bulkhead/histogram.gp" "$P/lib/libcellmsg.a" "$P/lib/libcellmsg.so.$abi.0.0" \
	"$P/lib/pkgconfig/libcellmsg.pc" "$P/include/cellmsg/cellmsg.h" \
	"$P/include/bulkhead/cellmsg_wire.h" "$P/share/man/man8/bulkhead.8.gz" \
	"$P/share/man/man7/libcellmsg.7.gz" "$P/share/man/man3/cellmsg_send.3.gz" \
	"$P/share/doc/libcellmsg/PROTOCOL.md" "$P/share/bash-completion/completions/bulkhead" \
	"$root/usr/src/bulkhead-$version/dkms.conf"; do
	[ -f "$f" ] || bad "not installed: ${f#"$root"}"
done
for m in bulkhead uio_ivshmem; do
	ls "$root/lib/modules/$kver/extra/$m.ko"* >/dev/null 2>&1 ||
		bad "module $m not installed under /lib/modules/$kver/extra"
done
[ "$(readlink "$P/lib/libcellmsg.so")" = libcellmsg.so.$abi ] || bad "libcellmsg.so does not point at the soname"
[ "$(readlink "$P/lib/libcellmsg.so.$abi")" = libcellmsg.so.$abi.0.0 ] || bad "libcellmsg.so.$abi does not point at the library"
[ -e "$P/include/cellmsg/inmate.h" ] && bad "the inmate backend's header is installed without its library"
cmp -s "$root/lib/firmware/bulkhead.bin" "$build/hypervisor/bulkhead.bin" || bad "installed firmware differs from the build's"
"$P/sbin/bulkhead" --version | grep -q "^bulkhead $version " || bad "installed bulkhead --version does not say $version"
modinfo -F version "$root/lib/modules/$kver/extra/uio_ivshmem.ko"* 2>/dev/null | grep -qx "$version" ||
	bad "uio_ivshmem.ko's MODULE_VERSION is not $version"

# ---- the library's interface -------------------------------------------------
soname=$(readelf -d "$P/lib/libcellmsg.so.$abi.0.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libcellmsg.so.$abi ] || bad "soname is '$soname', expected libcellmsg.so.$abi"
nm -D --defined-only "$P/lib/libcellmsg.so.$abi.0.0" | awk '$2 == "T" {print $3}' | sed 's/@.*//' |
	sort >"$tmp/exported"
headers=$(ls "$P"/include/cellmsg/*.h)
# Public functions: declared or defined inline at the start of a line.
# shellcheck disable=SC2086
grep -ohE '^[A-Za-z_][A-Za-z0-9_ *]*[ *]\**cellmsg_[a-z0-9_]+\(' $headers |
	sed -E 's/.*[ *](cellmsg_[a-z0-9_]+)\($/\1/' | sort -u >"$tmp/public"
inline=$(grep -ohE '^(__CELLMSG_INLINE|static inline) [^(]*[ *]cellmsg_[a-z0-9_]+\(' $headers |
	sed -E 's/.*[ *](cellmsg_[a-z0-9_]+)\($/\1/' | sort -u)
[ "$(wc -l <"$tmp/public")" -ge 40 ] || bad "found only $(wc -l <"$tmp/public") public functions in the headers"
while read -r s; do
	case $s in
	__cellmsg_*) grep -qw "$s" $headers || bad "exported $s is not called from the headers" ;;
	*) grep -qx "$s" "$tmp/public" || bad "exported $s is declared in no installed header" ;;
	esac
done <"$tmp/exported"
while read -r f; do
	grep -qx "$f" "$tmp/exported" || echo "$inline" | grep -qx "$f" ||
		bad "public $f is neither exported nor inline"
	[ -f "$P/share/man/man3/$f.3.gz" ] || bad "public $f has no man page (add it to libcellmsg/API.md)"
done <"$tmp/public"

for h in "$P"/include/cellmsg/*.h "$P"/include/bulkhead/*.h; do
	rel=${h#"$P/include/"}
	echo "#include <$rel>" | cc -std=gnu11 -Wall -Werror -fsyntax-only -I"$P/include" -x c - \
		>"$tmp/cc.log" 2>&1 || { head -n 5 "$tmp/cc.log"; bad "installed <$rel> does not compile alone"; }
done

# ---- pkg-config and a program built against the installed tree -------------------
export PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_LIBDIR=$P/lib/pkgconfig:/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig
flags=$(pkg-config --cflags --libs libcellmsg) || bad "pkg-config does not know libcellmsg"
[ "$(pkg-config --modversion libcellmsg)" = "$version" ] || bad "libcellmsg.pc's version is not $version"
pkg-config --static --libs libcellmsg | grep -q -- -luring || bad "pkg-config --static --libs lacks liburing"
# shellcheck disable=SC2086
cc -o "$tmp/hello" "$src/libcellmsg/examples/hello_host.c" $flags >"$tmp/cc.log" 2>&1 ||
	{ cat "$tmp/cc.log"; bad "the example does not build with pkg-config's flags"; }
if [ -x "$tmp/hello" ]; then
	readelf -d "$tmp/hello" | grep -q "NEEDED.*\\[libcellmsg.so.$abi\\]" || bad "the example is not linked against libcellmsg.so.$abi"
	out=$(LD_LIBRARY_PATH=$P/lib timeout 30 "$tmp/hello" 2>&1) || bad "the example failed: $out"
	LD_LIBRARY_PATH=$P/lib ldd "$tmp/hello" | grep -q "$P/lib/libcellmsg.so.$abi" ||
		bad "the example did not load the installed library"
	echo "example against the installed library: $(echo "$out" | tail -n 1)"
fi

# ---- man pages -------------------------------------------------------------------------
pages=$(cd "$P/share/man" && ls man*/*.gz)
for p in $pages; do
	w=$(cd "$P/share/man" && LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
	[ -z "$w" ] || bad "man $p: $w"
done
man8=$(zcat "$P/share/man/man8/bulkhead.8.gz")
# The commands of `bulkhead --help`: the first words of its command lines.
"$P/sbin/bulkhead" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\( [a-z][a-z]*\)\?\).*/\1/p' |
	sed 's/ [A-Z].*//' >"$tmp/verbs"
[ "$(wc -l <"$tmp/verbs")" -ge 10 ] || bad "read only $(wc -l <"$tmp/verbs") commands from bulkhead --help"
while read -r v; do
	w1=${v%% *} w2=${v#* }
	[ "$w1" = "$v" ] && w2=
	echo "$man8" | grep -qE "^\.?(\\\\fB|\.B )?$w1( |\\\\fR \\\\fB)?$w2" || bad "bulkhead.8 does not describe '$v'"
done <"$tmp/verbs"
for tool in ivshmem-ping bulkhead-bench; do
	page=$(zcat "$P/share/man/man1/$tool.1.gz")
	for o in $("$P/bin/$tool" -h | grep -oE '^  -[A-Za-z]' | tr -d ' '); do
		# An item of OPTIONS: the line after .TP starts with the option.
		echo "$page" | grep -q "^\\\\fB\\\\$o\\\\fR\|^\.B \\\\$o" || bad "$tool.1 lacks option $o"
	done
done
for c in $("$P/bin/ivshmem-ping" -h | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\).*/\1/p'); do
	zcat "$P/share/man/man1/ivshmem-ping.1.gz" | grep -qE "^(\\\\fB|\.B )$c" || bad "ivshmem-ping.1 lacks command $c"
done

# ---- uninstall ---------------------------------------------------------------------------
make -s -C "$src" BUILD="$build" DESTDIR="$root" uninstall uninstall-dkms >"$tmp/uninstall.log" 2>&1 ||
	{ tail -n 20 "$tmp/uninstall.log"; bad "make uninstall failed"; }
left=$(find "$root" -not -type d)
[ -z "$left" ] || bad "make uninstall left: $(echo "$left" | sed "s|$root||" | head -n 5 | tr '\n' ' ')"

[ $fail = 0 ] && echo "install, library, man pages and uninstall as expected"
exit $fail
