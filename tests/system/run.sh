#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the QEMU system scenarios (tests/system/scenarios/NAME.sh) whose
# name starts with PREFIX, one at a time, each under a timeout, and prints
# `ok - NAME` / `not ok - NAME: reason` and `N passed, N failed` last.
# Usage: run.sh BUILD_DIR [PREFIX...]; GUEST_MODE (lib.sh) runs them on
# another machine, with their logs under BUILD_DIR/system/MODE/;
# BULKHEAD_KVER on another kernel than the default (logs under
# BUILD_DIR/system/KVER/).
set -u
build=${1:-build}
shift
prefixes=$*
mode=${GUEST_MODE:-}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
harness_env "$build" || exit 1
SCENARIO_TIMEOUT=${SCENARIO_TIMEOUT:-600}

pass=0 fail=0 skip=0
for s in "$here"/scenarios/*.sh; do
	name=$(basename "$s" .sh)
	wanted=
	for prefix in ${prefixes:-""}; do
		case "$name" in "$prefix"*) wanted=1 ;; esac
	done
	[ -n "$wanted" ] || continue
	export W=$BUILD/system/${mode:+$mode/}${KERNEL_TAG:+$KERNEL_TAG/}$name
	name=$name${mode:+ [$mode]}${KERNEL_TAG:+ [$KERNEL_TAG]}
	rm -rf "$W"
	mkdir -p "$W"
	start=$SECONDS
	timeout -k 10 "$SCENARIO_TIMEOUT" bash "$s" >"$W/scenario.log" 2>&1
	rc=$?
	took=$((SECONDS - start))
	# Boot retries (lib.sh's guest_boot) are shown even when the scenario passes.
	grep -aE '^# guest .* (stalled|died) before /init' "$W/scenario.log"
	case $rc in
	0) echo "ok - $name (${took}s)"; pass=$((pass + 1)) ;;
	77) echo "ok - $name # SKIP $(cat "$W/reason" 2>/dev/null)"; skip=$((skip + 1)) ;;
	*)
		reason=$(cat "$W/reason" 2>/dev/null)
		[ $rc = 124 ] && reason="scenario timed out after ${SCENARIO_TIMEOUT}s"
		tail -n 15 "$W/scenario.log" | sed 's/^/# /'
		# The hypervisor's console says why a cell stopped: CI shows only this.
		for con in "$W"/*.com1; do
			[ -s "$con" ] || continue
			tr -d '\r' <"$con" | tail -n 8 | sed "s|^|# $(basename "$con"): |"
		done
		echo "not ok - $name: ${reason:-exit code $rc} (logs: $W)"
		fail=$((fail + 1))
		;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
