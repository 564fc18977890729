#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""expect_lint.py - the shell tests' assertions check all they say.

`expect "what" CMD ARGS...` (test/e2e/lib.sh and the suites' own copies)
runs one simple command.  Written as `expect "what" [ A ] && grep B`, the
shell runs `expect "what" [ A ]` and then grep on its own: B is never
asserted, and the test cannot fail on it.  This lint finds every expect
statement with a top-level && or || after it and fails, naming
them; `if A && B; then ok=y; else ok=n; fi; expect "what" [ $ok = y ]`
is the form that asserts both.

Usage: expect_lint.py SRCDIR  (exit 0 clean, 1 with the places on stdout)
"""
import os
import re
import sys


def statement(lines, i):
    """the expect statement starting at line I, continued over lines that
    end in a backslash, && or ||; and the index of its last line"""
    text = lines[i]
    while (text.rstrip().endswith("\\") or text.rstrip().endswith("&&")
           or text.rstrip().endswith("||")) and i + 1 < len(lines):
        i += 1
        text += "\n" + lines[i]
    return text, i


def top_level_list(text):
    """whether TEXT has && or || outside quotes, $( ) and ( )"""
    stack = []
    k = 0
    while k < len(text):
        c = text[k]
        top = stack[-1] if stack else None
        if top == "'":
            if c == "'":
                stack.pop()
        elif c == "\\":
            k += 1
        elif top == '"':
            if c == '"':
                stack.pop()
            elif text.startswith("$(", k):
                stack.append("(")
                k += 1
        else:
            if c == "'":
                stack.append("'")
            elif c == '"':
                stack.append('"')
            elif c == "(":
                stack.append("(")
            elif c == ")" and top == "(":
                stack.pop()
            elif c == "#" and top is None and (k == 0 or text[k - 1] in " \t\n"):
                # a comment to the end of its line
                while k < len(text) and text[k] != "\n":
                    k += 1
                continue
            elif top is None and (text.startswith("&&", k) or
                                  text.startswith("||", k)):
                return True
        k += 1
    return False


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "."
    bad = []
    nfiles = nexp = 0
    for root, _, files in os.walk(os.path.join(src, "test")):
        for name in sorted(files):
            if not name.endswith(".sh"):
                continue
            path = os.path.join(root, name)
            nfiles += 1
            lines = open(path, encoding="utf-8").read().split("\n")
            i = 0
            while i < len(lines):
                if re.match(r"\s*expect\s+\"", lines[i]):
                    nexp += 1
                    text, last = statement(lines, i)
                    if top_level_list(text):
                        bad.append("%s:%d: %s" % (os.path.relpath(path, src),
                                   i + 1, lines[i].strip()[:90]))
                    i = last
                i += 1
    for b in bad:
        print(b)
    print("expect_lint: %d files, %d expect statements, %d that assert "
          "only their first command" % (nfiles, nexp, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
