/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * QEMU's edu PCI device (docs/specs/edu.rst in QEMU), the DMA engine the
 * IOMMU tests drive: from root Linux (tests/system/guest/edu-dma.c) and
 * from an inmate it is passed to (inmates/demos/x86/edu-demo.c). BAR0
 * registers; the device's 4 KiB buffer is at EDU_BUF in its own address
 * space, reached only by its DMA.
 */
#ifndef COMMON_EDU_H
#define COMMON_EDU_H

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_BAR_SIZE	0x100000
#define EDU_ID		0x00	/* 0x010000ed: version 1.0 */
#define EDU_LIVENESS	0x04	/* reads back what was written, inverted */
#define EDU_IRQ_STATUS	0x24	/* raised interrupt bits */
#define EDU_IRQ_RAISE	0x60	/* bits to raise: the MSI (or INTx) goes out */
#define EDU_IRQ_ACK	0x64	/* bits to clear */
#define EDU_DMA_SRC	0x80	/* 64 bits each */
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1	/* set to start, clear when done */
#define EDU_CMD_TO_RAM	0x2	/* direction: device buffer to RAM */
#define EDU_BUF		0x40000
#define EDU_BUF_SIZE	4096

#endif /* COMMON_EDU_H */
