# SPDX-License-Identifier: GPL-2.0-only
# Guest half of `make run`: two guests greet each other through the shared
# memory, then ping-pong doorbells. Args: ROLE(a|b) ROUNDS
. /tests/guest/lib.sh
role=$1 rounds=$2
if [ "$role" = a ]; then peer=1 mine=4096 theirs=8192; else peer=0 mine=8192 theirs=4096; fi

load_uio_ivshmem >/dev/null
ivshmem-ping info
echo "guest $role: writing a greeting, ringing peer $peer, waiting for its answer"
if [ "$role" = a ]; then
	must ivshmem-ping -t 60000 pingpong $peer 1 0 \
		then write $mine "hello from guest a (ID 0)" then ring $peer \
		then wait then read $theirs \
		then pingpong $peer "$rounds" 512
else
	must ivshmem-ping -t 60000 pingpong $peer 1 0 \
		then wait then read $theirs \
		then write $mine "hello back from guest b (ID 1)" then ring $peer \
		then pingpong $peer "$rounds" 512
fi
