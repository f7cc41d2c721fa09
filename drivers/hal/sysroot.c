/* SPDX-License-Identifier: MIT */
#include "sysroot.h"

#include <stdlib.h>

const char *sgw_sysroot(void)
{
	const char *root = getenv("SENSORGW_SYSROOT");

	return root ? root : "";
}
