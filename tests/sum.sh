#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs each test runner given as an argument, shows its output, and ends
# with the combined `N passed, N failed[, N skipped]` line. Exit 1 if any
# test failed or a runner ended without its summary line.
set -u
total_pass=0 total_fail=0 total_skip=0 status=0

for runner in "$@"; do
	log=$(mktemp)
	bash -c "$runner" 2>&1 | tee "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "not ok - runner '$runner' ended without a summary"
		total_fail=$((total_fail + 1))
		status=1
		continue
	fi
	set -- $line
	total_pass=$((total_pass + $1))
	total_fail=$((total_fail + $3))
	case "$line" in *skipped*) total_skip=$((total_skip + $5)) ;; esac
done

[ "$total_fail" -eq 0 ] || status=1
echo
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
exit $status
