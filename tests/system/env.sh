# SPDX-License-Identifier: GPL-2.0-only
# The environment every scenario expects (sourced by run.sh and bench-run.sh):
# BUILD, KVER, KERNEL, INITRD, TOOLS. Usage: harness_env BUILD_DIR
harness_env() {
	local here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	BUILD=$(cd "$1" && pwd) || return 1
	KVER=${BULKHEAD_KVER:-$("$here/../../mk/kver.sh")} || return 1
	export BUILD KVER KERNEL=/boot/vmlinuz-$KVER INITRD=$BUILD/initramfs.cpio.gz
	export TOOLS=$BUILD/tests/tools
}
