# SPDX-License-Identifier: GPL-2.0-only
# The environment every scenario expects (sourced by run.sh and bench-run.sh):
# BUILD, KVER, KERNEL, INITRD, TOOLS, and KERNEL_TAG: empty on the
# default kernel, else KVER (the scenarios' names and log directories
# say which kernel ran). Usage: harness_env BUILD_DIR
harness_env() {
	local here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	BUILD=$(cd "$1" && pwd) || return 1
	local default
	default=$("$here/../../mk/kver.sh") || return 1
	KVER=${BULKHEAD_KVER:-$default}
	KERNEL_TAG=
	[ "$KVER" = "$default" ] || KERNEL_TAG=$KVER
	export BUILD KVER KERNEL_TAG KERNEL=/boot/vmlinuz-$KVER INITRD=$BUILD/initramfs-$KVER.cpio.gz
	export TOOLS=$BUILD/tests/tools
}
