# SPDX-License-Identifier: GPL-2.0-only
# cellmsg-block: 100,000 checked messages and their echoes between two
# guests through libcellmsg's uio backend, both sides sleeping on the
# doorbell; the echo side waits in the io_uring event loop (cellmsg/loop.h).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cellmsg.sh"
cellmsg_pair block loop 100000
