/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The release, in one place: the CLI prints it, the Makefile reads it for
 * the packages (debian/changelog must name the same, test_packaging.sh
 * checks), the modules report it as MODULE_VERSION.
 */
#ifndef BULKHEAD_VERSION_H
#define BULKHEAD_VERSION_H

#define BULKHEAD_VERSION	"0.2.0"

#endif
