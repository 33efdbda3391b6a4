#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# One Bochs boot for debugging: runs tests/system/guest/TEST.sh with ARGS
# (comma list) from the initramfs (`make build` after editing it) on NCPU
# emulated CPUs and keeps everything in DIR: g.com1 (hypervisor), g.com2
# (Linux), g.bochs, g.bochslog, g.phases, g.bochsrc, g.iso.
# Usage: bochs-boot.sh TEST [ARGS [NCPU [DIR]]]
#   e.g. bochs-boot.sh vmx vmx-boot,vmx-enable   (checks of guest/vmx.sh)
# Environment: BUILD (default build), BOCHS_TIMEOUT, BOCHS_APPEND, ...
# (tests/system/bochs.sh). Exit 0 when the guest passed.
set -u
[ $# -ge 1 ] || { sed -n '3,11p' "$0"; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
harness_env "${BUILD:-build}" || exit 1
export W=${4:-$BUILD/system/bochs-debug}
mkdir -p "$W"
W=$(cd "$W" && pwd)
source "$here/lib.sh"
source "$here/bochs.sh"
echo "bochs-boot: $1 ${2:-} on ${3:-2} CPUs, logs in $W"
bochs_start g "$1" "${2:-}" "${3:-2}"
bochs_wait g
echo "bochs-boot: guest passed ($(tail -n 1 "$W/g.phases"))"
