#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make deb: the Debian packages (debian/), built with dpkg-buildpackage
# in a copy of the source tree under OUTDIR, so that the build leaves the
# tree alone and the .debs land in OUTDIR (not in the tree's parent);
# then lintian, which must report no errors.
# Usage: deb.sh OUTDIR   (prints the .debs it made)
set -eu
out=$1
src=$(cd "$(dirname "$0")/.." && pwd)
version=$(sh "$src/mk/version.sh" "$src")
changelog=$(sed -n '1s/^bulkhead (\([^)]*\)).*/\1/p' "$src/debian/changelog")
if [ "$changelog" != "$version" ]; then
	echo "deb: debian/changelog says $changelog, include/bulkhead/version.h $version:" \
		"add a changelog entry (dch -v $version)" >&2
	exit 1
fi
for tool in dpkg-buildpackage dh dh_dkms lintian; do
	command -v $tool >/dev/null || { echo "deb: $tool not found (run 'make deps')" >&2; exit 1; }
done

rm -rf "$out"
tree=$out/bulkhead-$version
mkdir -p "$tree"
# The files git knows (tracked, or new and not ignored); a tree without
# git: everything but build outputs.
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -C "$tree" -xf -
else
	(cd "$src" && tar --exclude=./build --exclude='*.o' --exclude='*.ko' -cf - .) | tar -C "$tree" -xf -
fi

(cd "$tree" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
changes=$(ls "$out"/bulkhead_"$version"_*.changes)
# Errors fail; warnings are shown.
lintian --fail-on error \
	"$changes" >"$out/lintian.log" 2>&1 || {
	cat "$out/lintian.log" >&2
	echo "deb: lintian reports errors (above)" >&2
	exit 1
}
sed 's/^/deb: lintian: /' "$out/lintian.log" >&2
ls "$out"/*.deb
