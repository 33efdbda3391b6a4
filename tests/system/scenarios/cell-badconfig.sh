# SPDX-License-Identifier: GPL-2.0-only
# cell-badconfig: broken cell configs (memory over Linux's kernel, a CPU
# that does not exist, a CPU in two cells) and an image larger than its
# region are refused with clear errors, by the CLI and again by the driver
# or the hypervisor; nothing leaks; a good cell still runs afterwards.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g cell-badconfig "" 4
guest_wait g
hv_console_expect g "Hello from tiny-demo"
hv_console_lacks g 'stopped:'
