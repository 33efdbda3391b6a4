# SPDX-License-Identifier: GPL-2.0-only
# uio-rebind: guest a unbinds and rebinds uio_ivshmem while guest b rings
# it without pause (from before the first unbind to after the last). A
# doorbell that lands while the driver sets up or tears down its
# interrupts must be dropped or delivered, never oops the
# kernel (it did: a pending MSI-X message fired as request_irq() unmasked
# it, before the UIO device existed); afterwards a ping-pong still works.
source "$(dirname "$0")/../lib.sh"

sock=$W/ivshmem.sock
server_start "$sock" 1 1M "$W/shm.img"
guest_start a uio-rebind a 2 $(ivshmem_doorbell_args "$sock" 1)
wait_for_line "$W/server.log" "peer 0 joined" 20 || fail "guest a did not reach the server"
guest_start b uio-rebind b 2 $(ivshmem_doorbell_args "$sock" 1)
guest_wait a
guest_wait b
grep -a '^rebinds:' "$W/a.com2" | tr -d '\r'
grep -a '^doorbells rung:' "$W/b.com2" | tr -d '\r'
exit 0
