# SPDX-License-Identifier: GPL-2.0-only
# cellmsg-poll: 100,000 checked messages and their echoes between two
# guests through libcellmsg's uio backend, both sides busy-polling.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cellmsg.sh"
cellmsg_pair poll poll 100000
