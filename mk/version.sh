#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Prints the product's version, BULKHEAD_VERSION of
# include/bulkhead/version.h: the one reader of it for make, the .deb
# and the tests. Usage: version.sh [SOURCE_TREE] (default: this script's).
src=${1:-$(dirname "$0")/..}
sed -n 's/^#define BULKHEAD_VERSION[[:space:]]*"\(.*\)"/\1/p' "$src/include/bulkhead/version.h"
