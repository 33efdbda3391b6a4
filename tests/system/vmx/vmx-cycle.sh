# SPDX-License-Identifier: GPL-2.0-only
# vmx-cycle (host half; guest: guest/cell-cycle.sh with bochs-tiny-demo on
# CPU 1, which checks CPU, pool and sysfs after every cycle): tiny-demo
# ran every cycle and the hypervisor reported nothing.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

read -r cycles <<<"${CHECK_ARGS:-5}"
n=$(hv_console_count g "Hello from tiny-demo")
[ "$n" = "$cycles" ] || fail "tiny-demo said hello $n times, expected $cycles"
hv_console_clean g
