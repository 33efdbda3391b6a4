source "$(dirname "$0")/../lib.sh"
GUEST_APPEND=$HV_MEMMAP
guest_start g hv-smoke "" 4
guest_wait g
