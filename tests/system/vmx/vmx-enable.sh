# SPDX-License-Identifier: GPL-2.0-only
# vmx-enable (host half; guest: check_vmx_enable in guest/vmx.sh, which
# runs guest/hv-enable.sh twice): the hypervisor initialised and released
# every CPU, was activated and shut down twice, and reported nothing.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

hv_console_expect g "Initializing Bulkhead hypervisor" "Activating hypervisor" \
	"Shutting down hypervisor"
for cpu in 0 1; do
	hv_console_expect g " CPU $cpu... OK" " Releasing CPU $cpu"
done
hv_console_cycles g 2
hv_console_clean g
