#!/bin/sh
# SPDX-License-Identifier: MIT
# The layering rule of docs/architecture.md: the checker's own tests on a
# synthetic tree first (a broken checker is a hard error, not a verdict),
# then the checker on this tree's src/, drivers/ and asm/.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
py=/usr/bin/python3
checker=$top/tests/arch/check_layers.py
[ -x "$py" ] || { echo "SKIP: $py is missing" >&2; exit 77; }

"$py" "$checker" --self-test || exit 99
"$py" "$checker" --top "$top"
st=$?
[ $st = 2 ] && exit 99   # the layers block is malformed
exit $st
