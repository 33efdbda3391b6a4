#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the libcellmsg fuzz target for a bounded time (FUZZ_SECONDS, default
# 60) from the corpus kept in tests/fuzz/corpus; new inputs go to
# build/fuzz/corpus. Fails on any crash, sanitizer report or abort.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$here/../.." && pwd)
src=${BULKHEAD_SRC:-$(cd "$build/.." && pwd)}
fuzzer=$build/fuzz/fuzz_cellmsg
[ -x "$fuzzer" ] || { echo "fuzz target not built (needs clang and libclang-rt-14-dev)"; exit 77; }
mkdir -p "$build/fuzz/corpus" "$build/fuzz/artifacts"
"$fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -timeout=10 \
	-artifact_prefix="$build/fuzz/artifacts/" \
	"$build/fuzz/corpus" "$src/tests/fuzz/corpus" >"$build/fuzz/last.log" 2>&1
rc=$?
tail -n 3 "$build/fuzz/last.log"
[ $rc -eq 0 ] || { grep -m1 -E 'ERROR|SUMMARY|deadly' "$build/fuzz/last.log"; exit 1; }
