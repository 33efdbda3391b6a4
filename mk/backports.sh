#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Prints a deb822 sources entry for CODENAME-backports built from the
# machine's own apt sources: every deb822 stanza (*.sources) whose Suites
# name the release itself lends its Types, URIs, Components and Signed-By;
# so does every one-line "deb [signed-by=...] URI CODENAME COMPONENTS" of
# the one-line files (sources.list, *.list). Nothing else is invented, so
# no host name lives in the project. Prints nothing (exit 1) when nothing
# fits.
# Usage: backports.sh [FILE...] (default: apt's own files; a name ending
# in .sources is read as deb822, any other as one-line)
set -eu
. /etc/os-release
codename=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
[ $# -gt 0 ] || set -- /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list
deb822= oneline=
for f in "$@"; do
	[ -f "$f" ] || continue
	case $f in
	*.sources) deb822="$deb822 $f" ;;
	*) oneline="$oneline $f" ;;
	esac
done

# Both readers print one record per line: TYPES|URIS|COMPONENTS|SIGNED-BY.
emit='function emit(t, u, c, s) { print t "|" u "|" c "|" s }'
# shellcheck disable=SC2086
{
	[ -z "$deb822" ] || awk "$emit"'
	function flush() {
		if (uris != "" && suite_ok && !enabled_no)
			emit(types, uris, comps, signed)
		types = "deb"; uris = ""; comps = "main"; signed = ""; suite_ok = 0; enabled_no = 0
	}
	BEGIN { flush() }
	/^[ \t]*#/ { next }
	/^[ \t]*$/ { flush(); next }
	{
		key = tolower($1); sub(/:$/, "", key)
		val = $0; sub(/^[^:]*:[ \t]*/, "", val)
		if (key == "types") types = val
		else if (key == "uris") uris = val
		else if (key == "components") comps = val
		else if (key == "signed-by") signed = val
		else if (key == "enabled" && tolower(val) == "no") enabled_no = 1
		else if (key == "suites") { n = split(val, s, /[ \t]+/); for (i = 1; i <= n; i++) if (s[i] == rel) suite_ok = 1 }
	}
	END { flush() }
	' rel="$codename" $deb822
	[ -z "$oneline" ] || awk "$emit"'
	$1 == "deb" {
		signed = ""; i = 2
		if ($2 ~ /^\[/) {
			for (; i <= NF; i++) {
				opt = $i; sub(/^\[/, "", opt); sub(/\]$/, "", opt)
				if (opt ~ /^signed-by=/) { signed = opt; sub(/^signed-by=/, "", signed) }
				if ($i ~ /\]$/) { i++; break }
			}
		}
		if ($(i + 1) != rel) next
		comps = $(i + 2)
		for (j = i + 3; j <= NF; j++) comps = comps " " $j
		emit("deb", $i, comps, signed)
	}
	' rel="$codename" $oneline
} | awk -v rel="$codename" '
	BEGIN { FS = "|" }
	{
		printf "%sTypes: %s\nURIs: %s\nSuites: %s-backports\nComponents: %s\n", sep, $1, $2, rel, $3
		if ($4 != "") printf "Signed-By: %s\n", $4
		sep = "\n"; found = 1
	}
	END { exit found ? 0 : 1 }'
