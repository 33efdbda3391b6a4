#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Prints the layout an application compiles into itself from libcellmsg's
# installed headers: every struct named cellmsg_* (the API's and the wire
# structs the inline fast paths read), its size and each member's offset,
# from the DWARF of a file that includes them all. libcellmsg/abi/N.layout
# holds the layout of soname major N (CELLMSG_ABI); test_abi_layout.sh
# compares. Usage: abi-layout.sh [SOURCE_TREE [INCLUDE_DIR]] (the include
# dir defaults to the tree's libcellmsg/include; the test points it at a
# changed copy to see the check fail). CC as usual.
set -eu
src=${1:-$(dirname "$0")/..}
inc=${2:-$src/libcellmsg/include}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
	for h in cellmsg host loop pubsub uio; do
		echo "#include <cellmsg/$h.h>"
	done
} >"$tmp/abi.c"
${CC:-cc} -g -fno-eliminate-unused-debug-types -c -I"$inc" -I"$src/include" \
	-o "$tmp/abi.o" "$tmp/abi.c"
readelf --debug-dump=info "$tmp/abi.o" | awk '
	# <depth><offset>: Abbrev Number: n (DW_TAG_...) opens an entry.
	/^ *<[0-9]+><[0-9a-f]+>:/ {
		depth = substr($1, 2, index($1, ">") - 2) + 0
		tag = $NF; gsub(/[()]/, "", tag)
		if (depth <= 1) struct = ""
		pending = ""
		if (depth == 1 && tag == "DW_TAG_structure_type")
			pending = "struct"
		else if (depth == 2 && struct != "" && tag == "DW_TAG_member")
			pending = "member"
		name = ""
		next
	}
	/DW_AT_name/ { name = $NF; if (pending == "struct" && name ~ /^cellmsg_/) struct = name; next }
	/DW_AT_byte_size/ && pending == "struct" && struct != "" { print struct, "size", $NF; next }
	/DW_AT_data_member_location/ && pending == "member" { print struct "." name, $NF; next }
' | sort -u
