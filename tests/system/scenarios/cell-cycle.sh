# SPDX-License-Identifier: GPL-2.0-only
# cell-cycle: create/start/destroy a cell 20 times: no leak of pool pages,
# CPUs or sysfs entries; the inmate ran every time.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g cell-cycle 20 4
guest_wait g
n=$(hv_console_count g "Hello from tiny-demo")
[ "$n" = 20 ] || fail "tiny-demo said hello $n times, expected 20"
hv_console_clean g
