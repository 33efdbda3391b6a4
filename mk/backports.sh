#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Prints a deb822 sources entry for CODENAME-backports built from the
# machine's own apt sources: every stanza of /etc/apt/sources.list.d/*.sources
# (or the files given) whose Suites name the release itself lends its Types,
# URIs, Components and Signed-By; nothing else is invented, so no host name
# lives in the project. Prints nothing (exit 1) when no stanza fits.
# Usage: backports.sh [SOURCES...]
set -eu
. /etc/os-release
codename=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
[ $# -gt 0 ] || set -- /etc/apt/sources.list.d/*.sources
awk -v rel="$codename" '
function flush() {
	if (uris != "" && suite_ok && !enabled_no) {
		printf "%sTypes: %s\nURIs: %s\nSuites: %s-backports\nComponents: %s\n", sep, types, uris, rel, comps
		if (signed != "") printf "Signed-By: %s\n", signed
		sep = "\n"; found = 1
	}
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
END { flush(); exit found ? 0 : 1 }
' "$@"
