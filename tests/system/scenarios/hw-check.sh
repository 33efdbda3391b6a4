# SPDX-License-Identifier: GPL-2.0-only
# hw-check: `bulkhead hardware check` under QEMU -cpu EPYC with and
# without the memmap= reservation (exit 0 and enable works; exit 1 and
# enable fails for the reason it gave); hv-nosvm checks the CPUs
# without SVM, NPT or VMX.
source "$(dirname "$0")/../lib.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start reserved hw-check reserved 2
guest_wait reserved
GUEST_APPEND=
guest_start none hw-check none 2
guest_wait none
