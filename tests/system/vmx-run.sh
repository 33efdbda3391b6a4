#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the Bochs (Intel VMX + EPT) checks whose name starts with PREFIX
# and prints `ok - NAME` / `not ok - NAME: reason` / `ok - NAME # SKIP
# reason` for each, `N passed, N failed, N skipped` last.
#
# A Bochs boot takes minutes, so a check is not a boot: BOOTS below groups
# the checks into boots. A boot runs the guest halves of its selected
# checks in order (tests/system/guest/vmx.sh: check_NAME); then the host
# half of each that passed in the guest, tests/system/vmx/NAME.sh, runs
# like a QEMU scenario on that check's pieces of the two consoles,
# $BUILD/system/NAME/g.com1 (hypervisor) and g.com2 (Linux). A boot none
# of whose checks is selected is not started. Whole logs of a boot:
# $BUILD/system/bochs-N/.
# Usage: vmx-run.sh BUILD_DIR [PREFIX]
# Environment: BOCHS_TIMEOUT (seconds per boot), BOCHS_APPEND (kernel
# arguments) and the rest of tests/system/bochs.sh.
set -u
prefix=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
harness_env "${1:-build}" || exit 1
CHECK_TIMEOUT=${CHECK_TIMEOUT:-60}

# "NCPU CHECK[:ARG...] ...": one boot each. Guest arguments follow the
# check's name (vmx-cycle:CYCLES, vmx-pingpong:COUNT:SEED); the host
# half gets them as CHECK_ARGS.
BOOTS=(
	"2 vmx-boot vmx-enable vmx-apic vmx-rtos vmx-violation vmx-cycle:5 vmx-pingpong:10000:$((RANDOM + 1)) vmx-x2apic"
)

# piece FILE MARKER NAME: the lines of FILE from "MARKER NAME" up to the
# next MARKER line (COM1: BULKHEAD-SECTION; COM2: BULKHEAD-CHECK NAME BEGIN).
piece() {
	[ -f "$1" ] || return 0
	tr -d '\r' <"$1" | awk -v m="$2" -v n="$3" '
		index($0, m " ") {
			split(substr($0, index($0, m " ") + length(m) + 1), w, " ")
			on = (w[1] == n && w[2] != "SKIP")
		}
		on'
}

# at LINE: wall-clock seconds into the boot at which LINE appeared.
at() {
	grep -aF -- " $1" "$BW/g.phases" 2>/dev/null | head -n 1 | cut -d's' -f1
}

pass=0 fail=0 skip=0
report() {
	case $1 in
	ok) echo "ok - $2${3:+ ($3)}"; pass=$((pass + 1)) ;;
	skip) echo "ok - $2 # SKIP $3"; skip=$((skip + 1)) ;;
	*) echo "not ok - $2: $3"; fail=$((fail + 1)) ;;
	esac
}

boot=0
for spec in "${BOOTS[@]}"; do
	boot=$((boot + 1))
	read -r ncpu checks <<<"$spec"
	selected=
	for c in $checks; do
		case "${c%%:*}" in "$prefix"*) selected="$selected $c" ;; esac
	done
	[ -n "$selected" ] || continue

	export W=$BUILD/system/bochs-$boot
	BW=$W
	rm -rf "$W"
	mkdir -p "$W"
	start=$SECONDS
	(
		source "$here/lib.sh"
		source "$here/bochs.sh"
		bochs_start g vmx "$(echo $selected | tr ' ' ,)" "$ncpu"
		bochs_end g || { echo "$BOCHS_REASON" >"$W/reason"; exit 1; }
	) >"$W/scenario.log" 2>&1
	ended=$(cat "$W/reason" 2>/dev/null)
	up=$(at BULKHEAD-BEGIN)
	echo "# bochs boot $boot: $ncpu CPUs, Linux at /init after ${up:-?}s, ended after $((SECONDS - start))s (logs: $W)"

	# The check the boot ended in: the last one begun without a result.
	running=$(tr -d '\r' <"$BW/g.com2" 2>/dev/null | awk '
		$1 == "BULKHEAD-CHECK" && $3 == "BEGIN" { last = $2 }
		$1 == "BULKHEAD-CHECK" && $2 == last && $3 ~ /^(PASS|FAIL|SKIP)$/ { last = "" }
		END { print last }')
	for c in $selected; do
		name=${c%%:*}
		args=
		[ "$name" = "$c" ] || args=$(echo "${c#*:}" | tr : ' ')
		CW=$BUILD/system/$name
		rm -rf "$CW"
		mkdir -p "$CW"
		piece "$BW/g.com1" BULKHEAD-SECTION "$name" >"$CW/g.com1"
		piece "$BW/g.com2" BULKHEAD-CHECK "$name" >"$CW/g.com2"
		result=$(grep -aE "^BULKHEAD-CHECK $name (PASS|FAIL|SKIP)" "$BW/g.com2" 2>/dev/null |
			head -n 1 | tr -d '\r')
		t0=$(at "BULKHEAD-CHECK $name BEGIN") t1=$(at "BULKHEAD-CHECK $name P")
		took=${t1:+$((t1 - t0))s}
		case "$result" in
		*" PASS")
			if [ -f "$here/vmx/$name.sh" ]; then
				W=$CW CHECK_ARGS=$args timeout -k 5 "$CHECK_TIMEOUT" \
					bash "$here/vmx/$name.sh" >"$CW/scenario.log" 2>&1
				rc=$?
			else
				rc=0
			fi
			if [ $rc = 0 ]; then
				report ok "$name" "$took"
				[ ! -s "$CW/note" ] || sed 's/^/# /' "$CW/note"
			else
				tail -n 15 "$CW/scenario.log" | sed 's/^/# /'
				report fail "$name" "$(cat "$CW/reason" 2>/dev/null || echo "host check exit $rc") (logs: $CW)"
			fi
			;;
		*" FAIL "*) report fail "$name" "${result#* FAIL } (logs: $CW)" ;;
		*" SKIP "*) report skip "$name" "${result#* SKIP }" ;;
		*)
			if [ "$name" = "$running" ]; then
				tail -n 15 "$CW/g.com2" | sed 's/^/# /'
				report fail "$name" "${ended:-no result from the guest} (logs: $BW)"
			elif [ -n "$running" ]; then
				report skip "$name" "not run: the boot ended at $running"
			else
				running=$name
				report fail "$name" "${ended:-no result from the guest} (logs: $BW)"
			fi
			;;
		esac
	done
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
