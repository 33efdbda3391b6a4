# SPDX-License-Identifier: GPL-2.0-only
# hv-enable: enable the hypervisor under a running Linux on 4 CPUs, run a
# workload on every CPU, disable, and run it natively again. The
# hypervisor's console must show every CPU initialised and released.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g hv-enable 10 4
guest_wait g
hv_console_expect g "Initializing Bulkhead hypervisor" "Activating hypervisor" \
	"Shutting down hypervisor"
for cpu in 0 1 2 3; do
	hv_console_expect g " CPU $cpu... OK" " Releasing CPU $cpu"
done
hv_console_clean g
