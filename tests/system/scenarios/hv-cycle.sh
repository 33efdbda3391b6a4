# SPDX-License-Identifier: GPL-2.0-only
# hv-cycle: enable/disable 20 times in a row; the pool usage after each
# enable stays at its baseline and the driver unloads at the end.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g hv-cycle 20 4
guest_wait g
hv_console_cycles g 20
hv_console_clean g
