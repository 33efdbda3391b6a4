#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# One home per fact: each fact below is written down in one file, and
# everyone else includes it. Greps the source tree (git ls-files, or find
# outside git) and fails naming file and line of any second definition.
# Tests (tests/unit, tests/system), docs and configs (data describing a
# machine, checked by the hypervisor) are not searched: they write values
# out on purpose. Text after "/*" is a comment and does not count. Before the tree, the check runs on a
# scratch tree holding one duplicate of each fact and must fail there, or
# it proves nothing.
# Usage: test_one_home.sh [SOURCE_TREE]; from the unit runner the source
# tree is BULKHEAD_SRC or the build directory's parent.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# In the source tree (tests/unit) or in the build directory's tests/unit.
if [ -f "$here/../../include/bulkhead/hypercall.h" ]; then
	default=$(cd "$here/../.." && pwd)
else
	default=$(cd "$here/../../.." && pwd)
fi
src=${1:-${BULKHEAD_SRC:-$default}}
[ -f "$src/include/bulkhead/hypercall.h" ] || { echo "no source tree at $src (set BULKHEAD_SRC)"; exit 1; }

# NAME|HOMES|EXTENDED-REGEX|FILE-GLOBS: what matches REGEX in a file
# matching one of the globs may only be in one of the (space-separated)
# HOMES.
FACTS=$(cat <<'EOF'
errno|include/bulkhead/errno.h|^\s*#\s*define\s+E[A-Z0-9]+\s+[0-9]|*.c *.h *.S
pci-config|common/include/common/pci.h|^\s*#\s*define\s+\w+\s+\(?\s*0x(0*cf[8c]|0*3[4c]|8000000+u?)\b|*.c *.h
pci-config-names|common/include/common/pci.h|^\s*#\s*define\s+(PCI_[A-Z0-9_]+|MSIX_CTRL\w*|MSIX_ENTRY\w*)\s+\(?\s*(0x)?[0-9]|*.c *.h
msi-address|common/include/common/x86_apic.h|^([^/]|/[^*])*0xfee00000|*.c *.h *.S
bar-placement|inmates/lib/x86/inmate.h|^([^/]|/[^*])*0xfc000000|*.c *.h
sysfs-root|include/bulkhead/sysfs.h|"/sys/devices/bulkhead|*.c *.h
bench-max-msg|include/bulkhead/bench_proto.h|^\s*#\s*define\s+\w*MAX_MSG\w*\s+\(?\s*[0-9]|*.c *.h
bench-mode|include/bulkhead/bench_proto.h|^\s*#\s*define\s+\w+\s+"BH-MODE|'B',\s*'H',\s*'-'|*.c *.h
hypercall-asm|include/bulkhead/hypercall.h|^\s*#\s*define\s+\w*(HC|HYPERCALL|VMMCALL|VMCALL|REPORT)\w*\s+[0-9]|\$[0-9]+\b.*BH_(HC|REPORT)_|*.S
exit-names|include/bulkhead/hypercall.h include/bulkhead/sysfs.h|"vmexits_|\bvmexits_[a-z]+\s*,|"cpuid"\s*,\s*"msr"|*.c *.h
version-reader|mk/version.sh|BULKHEAD_VERSION\[\[|*.sh *.mk Makefile
pm-timer-port|inmates/lib/x86/inmate.h|^\s*#\s*define\s+PM_TIMER_PORT\s|*.c *.h
EOF
)

# files ROOT: the tracked files, outside tests/unit, tests/system, docs.
files() {
	if git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$1" ls-files
	else
		(cd "$1" && find . -type f -not -path './build/*' | sed 's|^\./||')
	fi | grep -vE '^(tests/unit|tests/system|docs|configs)/|\.md$'
}

# check ROOT: prints one line per second definition; returns 1 if any.
check() {
	local root=$1 list found=0 name homes rest regex globs glob f hits
	list=$(files "$root")
	while IFS='|' read -r name homes rest; do
		[ -n "$name" ] || continue
		globs=${rest##*|}
		regex=${rest%|*}
		# The files this fact is looked for in, its homes left out.
		candidates=()
		for f in $list; do
			case " $homes " in *" $f "*) continue ;; esac
			for glob in $globs; do
				# shellcheck disable=SC2254
				case $f in $glob) candidates+=("$f"); break ;; esac
			done
		done
		[ ${#candidates[@]} -gt 0 ] || continue
		hits=$(cd "$root" && grep -nHE -- "$regex" "${candidates[@]}" 2>/dev/null | cut -c1-110)
		if [ -n "$hits" ]; then
			echo "$hits" | sed "s|\$|  [$name: its home is $homes]|"
			found=1
		fi
	done <<<"$FACTS"
	return $found
}

# The check must catch a duplicate of every fact.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/inmates/lib/x86" "$tmp/tools" "$tmp/mk"
cat >"$tmp/mk/dup.sh" <<'EOF'
v=$(sed -n 's/^#define BULKHEAD_VERSION[[:space:]]*"\(.*\)"/\1/p' include/bulkhead/version.h)
EOF
cat >"$tmp/tools/dup.c" <<'EOF'
#define EINVAL 22
#define PCI_DATA_PORT 0xcfc
#define MSIX_CTRL_ENABLE 0x8000
unsigned long apic = 0xfee00000;
unsigned long bars = 0xfc000000;
#define PM_TIMER_PORT 0x608
const char *root = "/sys/devices/bulkhead";
#define MAX_MSG (256 * 1024)
#define MODE_MAGIC "BH-MODE"
const char *stat = "vmexits_mmio";
EOF
cat >"$tmp/inmates/lib/x86/dup.S" <<'EOF'
#define VMMCALL_CELL_REPORT 10
	mov	$1, %edi		/* BH_REPORT_FAILED */
EOF
check "$tmp" >"$tmp/out"
for name in $(echo "$FACTS" | cut -d'|' -f1); do
	grep -q "\[$name:" "$tmp/out" || { echo "FAIL: the check misses a duplicate $name"; exit 1; }
done

if ! check "$src"; then
	echo "FAIL: facts defined outside their home (above)"
	exit 1
fi
echo "every fact has one home ($(echo "$FACTS" | wc -l) checked; the check catches duplicates)"
