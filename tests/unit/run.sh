#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Host unit tests: every build/tests/unit/test_* program (exit 0 pass,
# 1 fail, 77 skip), each under a timeout. Usage: run.sh BUILD_DIR [PREFIX]
set -u
build=${1:-build}
prefix=${2:-}
pass=0 fail=0 skip=0
export IVSHMEM_SERVER=$build/tests/tools/ivshmem-server

for t in "$build"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	case "$name" in "test_$prefix"*) ;; *) continue ;; esac
	log=$(mktemp)
	timeout 300 "$t" >"$log" 2>&1
	rc=$?
	case $rc in
	0) echo "ok - $name"; pass=$((pass + 1)) ;;
	77) echo "ok - $name # SKIP $(tail -n 1 "$log")"; skip=$((skip + 1)) ;;
	*)
		sed 's/^/# /' "$log" | tail -n 20
		reason=$(tail -n 1 "$log")
		[ $rc = 124 ] && reason="timed out after 300 s"
		echo "not ok - $name: $reason"
		fail=$((fail + 1))
		;;
	esac
	rm -f "$log"
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
