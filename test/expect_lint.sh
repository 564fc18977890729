# SPDX-License-Identifier: BSD-2-Clause
# expect_lint.sh - every shell test's `expect` asserts all it says: none
# is followed by a && or || that the shell would run outside it.
exec python3 "${top_srcdir:-.}/test/expect_lint.py" "${top_srcdir:-.}"
