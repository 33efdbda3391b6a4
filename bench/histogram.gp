# SPDX-License-Identifier: GPL-2.0-only
# Latency histogram of bulkhead-bench's samples (-S FILE):
#   gnuplot -e "samples='samples.csv'; out='latency.png'" bench/histogram.gp
# One curve per case (floor, raw, poll, adaptive, doorbell, irq), round-trip
# time on a log scale, 20 bins per decade, share of round trips per bin.
if (!exists("samples")) samples = 'samples.csv'
if (!exists("out")) out = 'latency.png'

set terminal pngcairo size 1000,600 noenhanced
set output out
set datafile separator ','
set key autotitle columnhead
set title 'bulkhead-bench: round-trip time, root cell <-> inmate'
set xlabel 'round trip (us)'
set ylabel 'share of round trips'
set logscale x
set grid
set key top right

bins_per_decade = 20.0
bin(us) = 10 ** (floor(log10(us) * bins_per_decade) / bins_per_decade)
cases = 'floor raw poll adaptive doorbell irq'

# Round trips per case, for the shares.
do for [c in cases] {
	stats samples using (strcol(1) eq c ? 1 : 0) nooutput
	eval sprintf('n_%s = STATS_sum', c)
}
total(c) = value(sprintf('n_%s', c))

plot for [c in cases] samples \
	using (strcol(1) eq c ? bin($3 / 1000.0) : NaN):(total(c) > 0 ? 1.0 / total(c) : 0) \
	smooth frequency with steps linewidth 2 title c
