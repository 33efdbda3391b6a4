#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# completion/bulkhead: table rows (command line as typed, the completions
# expected) against a fake sysfs with three cells and a directory of
# files; then the verbs it offers against those `bulkhead --help` lists,
# so a new command without completion fails. Run from the build
# directory's tests/unit (BULKHEAD_SRC as in test_build_graph.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$here/../.." && pwd)
src=${BULKHEAD_SRC:-$(cd "$build/.." && pwd)}
[ -f "$src/completion/bulkhead" ] || { echo "no completion/bulkhead in $src (set BULKHEAD_SRC)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 rows=0

export BULKHEAD_SYSFS=$tmp/sysfs
for c in 0:qemu-q35 1:apic-demo 2:ivshmem-demo; do
	mkdir -p "$BULKHEAD_SYSFS/cells/${c%%:*}"
	echo "${c#*:}" >"$BULKHEAD_SYSFS/cells/${c%%:*}/name"
done
mkdir -p "$tmp/files/sub"
touch "$tmp/files/a.cell" "$tmp/files/b.cell" "$tmp/files/x.bin" "$tmp/files/notes.txt" "$tmp/files/y.c"
cd "$tmp/files" || exit 1
# shellcheck source=/dev/null
source "$src/completion/bulkhead"

# complete LINE: the completions for LINE, sorted, on one line.
complete_line() {
	read -r -a COMP_WORDS <<<"$1"
	COMP_CWORD=${#COMP_WORDS[@]}
	case $1 in
	*" ") COMP_WORDS+=("") ;;
	*) COMP_CWORD=$((COMP_CWORD - 1)) ;;
	esac
	COMPREPLY=()
	_bulkhead
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# row LINE EXPECTED
row() {
	local got
	rows=$((rows + 1))
	got=$(complete_line "$1")
	[ "$got" = "$2" ] || { echo "FAIL: '$1': got '$got', expected '$2'"; fail=1; }
}

row "bulkhead " "--help --version cell config console disable enable hardware help"
row "bulkhead ce" "cell"
row "bulkhead cell " "create destroy list load shutdown start stats"
row "bulkhead cell start " "1 2 apic-demo ivshmem-demo"
row "bulkhead cell destroy ap" "apic-demo"
row "bulkhead cell stats " "0 1 2 apic-demo ivshmem-demo qemu-q35"
row "bulkhead enable " "a.cell b.cell sub/"
row "bulkhead cell create b" "b.cell"
row "bulkhead cell load apic-demo " "sub/ x.bin"
row "bulkhead cell load apic-demo x.bin -" "--address -a"
row "bulkhead cell load apic-demo x.bin -a " ""
row "bulkhead config " "check create"
row "bulkhead config check a.cell " "a.cell b.cell sub/"
row "bulkhead config create --c" "--cell"
row "bulkhead config create --cell " "a.cell b.cell sub/"
row "bulkhead config create -o " "sub/ y.c"
row "bulkhead config create --mem-hv " ""
row "bulkhead hardware " "check"
row "bulkhead hardware check " "a.cell b.cell sub/"
row "bulkhead console -" "--follow -f"
row "bulkhead disable " ""

# Against the CLI's own usage text: every verb and every cell command.
cli=$build/tools/bulkhead
if [ -x "$cli" ]; then
	help=$("$cli" --help)
	verbs=$(echo "$help" | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\).*/\1/p' | sort -u | tr '\n' ' ')
	offered=" $(complete_line "bulkhead ") "
	for v in $verbs; do
		case $offered in *" $v "*) ;; *) echo "FAIL: bulkhead --help has '$v', completion does not offer it"; fail=1 ;; esac
	done
	for group in cell config; do
		subs=$(echo "$help" | sed -n "s/^  $group \([a-z][a-z]*\).*/\1/p" | sort -u | tr '\n' ' ')
		offered=" $(complete_line "bulkhead $group ") "
		for v in $subs; do
			case $offered in *" $v "*) ;; *) echo "FAIL: bulkhead --help has '$group $v', completion does not offer it"; fail=1 ;; esac
		done
	done
else
	echo "FAIL: $cli not built"
	fail=1
fi

[ $fail = 0 ] && echo "$rows completion rows and the --help verbs as expected"
exit $fail
