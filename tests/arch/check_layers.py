#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check the includes of src/, drivers/ and asm/ against the layers of
docs/architecture.md.

Usage: check_layers.py [--top DIR] [--doc FILE]
       check_layers.py --self-test [unittest options]

The ```layers block of the document lists folders, lowest first.  Every
quoted #include of a *.c, *.h or *.S file under src/, drivers/ and asm/ is
resolved as the compiler does here (the includer's folder, then -Isrc, then
-I<top>) and must name a file of the includer's own folder or of a folder
listed above it; a folder marked [sealed: A B] may be included from outside
only by folders A and B; src/util/log.h only by the folders on the log:
line (reported, but a breach only when the line starts with "enforce").
An include that resolves to no file is an error, except "config.h"
(autoconf's, in the build directory).  Include circles between files, and
between folders, are errors too.

Prints one FILE:LINE: message per breach.  Exit status: 0 clean, 1 on any
breach, 2 if the block is malformed or missing.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from collections import deque

SCANNED = ("asm", "drivers", "src")
SUFFIXES = (".c", ".h", ".S")
LOG_HEADER = "src/util/log.h"
AUTOCONF_HEADER = "config.h"

FENCE_RE = re.compile(r"^(`{3,}|~{3,})\s*(\S*)")
FOLDER_RE = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")
LINE_RE = re.compile(r"^(\S+)\s+(.*?)\s*(?:\[([^\]]*)\])?$")
LOG_RE = re.compile(r"^(?:(\S+)\s+)?log:(.*)$")
INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.M)


class BlockError(Exception):
    """The layers block is missing or malformed: DOC:LINE: message."""


class Layers:
    """The rules of one layers block."""

    def __init__(self, order, sealed, log_folders, log_enforced):
        self.order = order                  # folders, lowest first
        self.rank = {f: i for i, f in enumerate(order)}
        self.sealed = sealed                # folder -> folders allowed in
        self.log_folders = log_folders      # None: no log: line
        self.log_enforced = log_enforced
        self._longest_first = sorted(order, key=len, reverse=True)

    def folder_of(self, path):
        """The longest listed folder that holds PATH (relative to the top)."""
        d = os.path.dirname(path)
        for f in self._longest_first:
            if d == f or d.startswith(f + "/"):
                return f
        return None


def _folder(token, doc, lineno):
    if not FOLDER_RE.match(token) or any(p in (".", "..") for p in token.split("/")):
        raise BlockError(f"{doc}:{lineno}: \"{token}\" is not a folder path")
    return token


def parse_block(text, doc):
    """Parse the one ```layers block of TEXT; raises BlockError."""
    block = None
    fence = None
    for lineno, line in enumerate(text.splitlines(), 1):
        m = FENCE_RE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                if m.group(2) == "layers":
                    if block is not None:
                        raise BlockError(f"{doc}:{lineno}: a second layers block")
                    block = []
                    inside = True
                else:
                    inside = False
            continue
        bare = line.strip()
        if len(bare) >= len(fence) and bare == fence[0] * len(bare):
            fence = None                    # a closing fence has no info string
            continue
        if inside:
            block.append((lineno, line))
    if fence is not None:
        raise BlockError(f"{doc}: a code block is not closed")
    if block is None:
        raise BlockError(f"{doc}: no ```layers block")

    order, seen, sealed = [], {}, {}
    log_folders, log_enforced, log_line = None, False, None
    for lineno, line in block:
        line = line.strip()
        if not line:
            continue
        m = LOG_RE.match(line)
        if m:
            if m.group(1) not in (None, "enforce"):
                raise BlockError(f"{doc}:{lineno}: \"{m.group(1)} log:\": "
                                 "only \"enforce\" may come before log:")
            if log_line is not None:
                raise BlockError(f"{doc}:{lineno}: a second log: line "
                                 f"(the first is on line {log_line})")
            log_line = lineno
            log_enforced = m.group(1) == "enforce"
            log_folders = [_folder(t, doc, lineno) for t in m.group(2).split()]
            continue
        m = LINE_RE.match(line)
        folder = _folder(m.group(1) if m else line, doc, lineno)
        if not m or not m.group(2):
            raise BlockError(f"{doc}:{lineno}: {folder}: say in a few words "
                             "what the folder holds")
        if folder in seen:
            raise BlockError(f"{doc}:{lineno}: {folder} is listed twice "
                             f"(first on line {seen[folder]})")
        seen[folder] = lineno
        order.append(folder)
        attr = m.group(3)
        if attr is not None:
            name, _, rest = attr.partition(":")
            allowed = rest.split()
            if name.strip() != "sealed" or not allowed:
                raise BlockError(f"{doc}:{lineno}: [{attr}]: expected "
                                 "[sealed: FOLDER...]")
            sealed[folder] = (lineno, [_folder(t, doc, lineno) for t in allowed])
    if not order:
        raise BlockError(f"{doc}: the layers block lists no folder")
    for folder, (lineno, allowed) in sealed.items():
        for f in allowed:
            if f not in seen:
                raise BlockError(f"{doc}:{lineno}: sealed: {f} is not a listed folder")
    for f in log_folders or ():
        if f not in seen:
            raise BlockError(f"{doc}:{log_line}: log: {f} is not a listed folder")
    return Layers(order, {f: a for f, (_, a) in sealed.items()},
                  log_folders, log_enforced)


def strip_comments(text):
    """TEXT with C comments blanked out, newlines kept (lines stay put)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(" " + "\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            # A literal ends at its closing quote or, unclosed, at the line's end.
            j = i + 1
            while j < n and text[j] not in (c, "\n"):
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1 if j < n and text[j] == c else j, n)
            out.append(text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def scan(top):
    """Yield (file, line, name) for each quoted include, files relative to TOP."""
    for root in SCANNED:
        for d, dirs, files in os.walk(os.path.join(top, root)):
            dirs.sort()
            for f in sorted(files):
                if not f.endswith(SUFFIXES):
                    continue
                path = os.path.join(d, f)
                rel = os.path.relpath(path, top).replace(os.sep, "/")
                with open(path, encoding="utf-8", errors="replace") as fp:
                    text = strip_comments(fp.read())
                for m in INCLUDE_RE.finditer(text):
                    yield rel, text.count("\n", 0, m.start()) + 1, m.group(1)


def resolve(top, includer, name):
    """The file NAME names from INCLUDER, relative to TOP; None if none."""
    for base in (os.path.dirname(includer), "src", ""):
        rel = os.path.normpath(os.path.join(base, name)).replace(os.sep, "/")
        if os.path.isabs(rel) or rel == ".." or rel.startswith("../"):
            continue                        # outside the tree: not ours
        if os.path.isfile(os.path.join(top, rel)):
            return rel
    return None


def shortest_path(graph, start, goal):
    """The shortest path START ... GOAL in GRAPH (node -> successors), or None."""
    came = {start: None}
    todo = deque([start])
    while todo:
        node = todo.popleft()
        for nxt in sorted(graph.get(node, ())):
            if nxt == goal:
                path = [nxt, node]
                while came[path[-1]] is not None:
                    path.append(came[path[-1]])
                return path[::-1]
            if nxt not in came:
                came[nxt] = node
                todo.append(nxt)
    return None


def circles(graph, edges, key):
    """The shortest circle through each edge (A, B) of EDGES, if any, each
    circle once, written from its node that KEY ranks lowest."""
    found = {}
    for a, b in edges:
        path = [b] if a == b else shortest_path(graph, b, a)
        if path is None:
            continue
        ring = [a] + path[:-1]
        i = min(range(len(ring)), key=lambda k: key(ring[k]))
        ring = ring[i:] + ring[:i]
        found.setdefault(tuple(ring), ring + [ring[0]])
    return sorted(found.values(), key=lambda p: [key(n) for n in p])


def check(top, doc):
    """Check the tree at TOP against DOC: (status, messages)."""
    try:
        with open(doc, encoding="utf-8") as fp:
            layers = parse_block(fp.read(), os.path.relpath(doc, top))
    except OSError as e:
        return 2, [f"{doc}: {e.strerror}"]
    except BlockError as e:
        return 2, [str(e)]

    msgs, status = [], 0
    log_folder = layers.folder_of(LOG_HEADER)
    files, folders, unlisted = {}, {}, set()
    for src, line, name in scan(top):
        fa = layers.folder_of(src)
        if fa is None:
            if src not in unlisted:
                unlisted.add(src)
                msgs.append(f"{src}:1: in no folder of the layers block")
                status = 1
            continue
        dst = resolve(top, src, name)
        if dst is None:
            if name != AUTOCONF_HEADER:
                msgs.append(f'{src}:{line}: includes "{name}": no such file in '
                            f"{os.path.dirname(src)}/, src/ or the top directory")
                status = 1
            continue
        files.setdefault(src, {}).setdefault(dst, line)
        fb = layers.folder_of(dst)
        if fb is None:
            where = os.path.dirname(dst) or "."
            msgs.append(f'{src}:{line}: includes "{name}" ({where}): {fa} may not '
                        f"include {where} (not a folder of the layers block)")
            status = 1
            continue
        if fb == fa:
            continue
        folders.setdefault(fa, {}).setdefault(fb, (src, line, name))
        why = []
        if layers.rank[fb] > layers.rank[fa]:
            why.append(f"{fb} is above {fa}")
        if fb in layers.sealed and fa not in layers.sealed[fb]:
            why.append(f"{fb} is sealed: only {' '.join(layers.sealed[fb])}")
        if why:
            msgs.append(f'{src}:{line}: includes "{name}" ({fb}): {fa} may not '
                        f"include {fb} ({'; '.join(why)})")
            status = 1
        if dst == LOG_HEADER and layers.log_folders is not None and \
                fa != log_folder and fa not in layers.log_folders:
            msg = (f'{src}:{line}: includes "{name}" ({fb}): {fa} may not include '
                   f"{LOG_HEADER} (only {' '.join(layers.log_folders)} may print)")
            if layers.log_enforced:
                status = 1
            else:
                msg += " [not enforced]"
            msgs.append(msg)

    file_edges = sorted((a, b) for a in files for b in files[a])
    for path in circles(files, file_edges, lambda f: f):
        msgs.append(f"{path[0]}:{files[path[0]][path[1]]}: include circle: "
                    + " -> ".join(path))
        status = 1
    # The order is total, so every circle of folders goes up somewhere: one
    # circle for each upward include that closes one, to show how it does.
    rank = layers.rank.__getitem__
    up = sorted(((a, b) for a in folders for b in folders[a] if rank(b) > rank(a)),
                key=lambda e: (rank(e[0]), rank(e[1])))
    for path in circles(folders, up, rank):
        hops = [folders[a][b] for a, b in zip(path, path[1:])]
        rest = "; ".join(f'{s}:{ln} includes "{n}"' for s, ln, n in hops[1:])
        msgs.append(f"{hops[0][0]}:{hops[0][1]}: folder circle: "
                    + " -> ".join(path) + f" ({rest})")
        status = 1
    return status, msgs


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Check the includes of src/, "
                                 "drivers/ and asm/ against docs/architecture.md.")
    ap.add_argument("--top", default=os.path.normpath(os.path.join(here, "..", "..")),
                    help="the source tree (default: this script's ../..)")
    ap.add_argument("--doc", help="the document (default: TOP/docs/architecture.md)")
    ap.add_argument("--self-test", action="store_true",
                    help="run the checker's own tests; other arguments go to unittest")
    args, rest = ap.parse_known_args(argv[1:])
    if args.self_test:
        prog = unittest.main(argv=[argv[0]] + rest, exit=False)
        return 0 if prog.result.wasSuccessful() else 1
    if rest:
        ap.error("unknown arguments: " + " ".join(rest))
    top = os.path.abspath(args.top)
    status, msgs = check(top, args.doc or os.path.join(top, "docs", "architecture.md"))
    for m in msgs:
        print(m, file=sys.stderr if status == 2 else sys.stdout)
    if status == 0:
        print(f"{os.path.basename(argv[0])}: the includes follow the layers"
              + (" (the log: line is not enforced)" if msgs else ""))
    elif status == 1:
        print(f"{os.path.basename(argv[0])}: the includes break the layers")
    return status


# Self-test: a small synthetic tree, so that it does not depend on the state
# of the real one.  Each file is a list of the names it includes.

SELF_DOC = """\
<!-- SPDX-License-Identifier: MIT -->
# Architecture

```c
#include "not/a/layer.h"
```

```layers
asm          kernels
src/util     helpers
src/queue    a library for deliver only   [sealed: src/deliver]
drivers      drivers
src/deliver  delivery
src/daemon   the daemon
src          main.c

{log}log: src/deliver src/daemon src
```
"""

SELF_TREE = {
    "asm/k.h": [],
    "asm/generic/ref.h": ["asm/k.h"],
    "asm/generic/k.c": ["ref.h"],
    "asm/aarch64/asm.h": [],
    "asm/aarch64/ema.S": ["asm.h"],
    "src/util/le.h": ["asm/k.h"],
    "src/util/log.h": [],
    "src/util/log.c": ["log.h"],
    "src/queue/queue.h": ["util/le.h"],
    "src/queue/queue.c": ["queue.h", "config.h"],
    "drivers/driver.h": ["asm/k.h"],
    "drivers/sim.c": ["driver.h", "util/le.h"],
    "src/deliver/spool.h": ["queue/queue.h", "drivers/driver.h"],
    "src/deliver/outbox.h": ["spool.h"],
    "src/deliver/spool.c": ["spool.h", "util/log.h"],
    "src/daemon/gateway.h": ["deliver/outbox.h"],
    "src/daemon/gateway.c": ["gateway.h", "util/log.h"],
    "src/main.c": ["daemon/gateway.h", "util/log.h"],
    # Not scanned: tests and benchmarks include what they test.
    "tests/queue/check_queue.c": ["queue/queue.h", "daemon/gateway.h"],
    "bench/queue_bench.c": ["queue/queue.h"],
}


class SelfTest(unittest.TestCase):
    def setUp(self):
        self.top = tempfile.mkdtemp(prefix="check_layers.")
        self.addCleanup(shutil.rmtree, self.top)
        for path, names in SELF_TREE.items():
            self.write(path, "".join(f'#include "{n}"\n' for n in names))
        # Commented-out includes do not count.
        self.append("src/util/log.c", '/* #include "daemon/gateway.h" */\n'
                    '/*\n#include "daemon/gateway.h"\n */\n'
                    '// #include "daemon/gateway.h"\n'
                    'static const char s[] = "/*", q = \'"\';\n')
        self.set_doc()

    def write(self, path, body):
        full = os.path.join(self.top, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as fp:
            fp.write("/* SPDX-License-Identifier: MIT */\n" + body)

    def append(self, path, text):
        """Append TEXT to PATH; the number of its first line."""
        with open(os.path.join(self.top, path), "r+", encoding="utf-8") as fp:
            n = fp.read().count("\n")
            fp.write(text)
        return n + 1

    def include(self, path, name):
        return self.append(path, f'#include "{name}"\n')

    def line_of(self, path, name):
        with open(os.path.join(self.top, path), encoding="utf-8") as fp:
            for n, line in enumerate(fp, 1):
                if line == f'#include "{name}"\n':
                    return n
        self.fail(f"{path} does not include {name}")

    def set_doc(self, text=None, log=""):
        self.doc = os.path.join(self.top, "docs", "architecture.md")
        os.makedirs(os.path.dirname(self.doc), exist_ok=True)
        with open(self.doc, "w", encoding="utf-8") as fp:
            fp.write(SELF_DOC.format(log=log) if text is None else text)

    def check(self, status):
        got, msgs = check(self.top, self.doc)
        self.assertEqual(got, status, "\n".join(msgs))
        return msgs

    def test_clean(self):
        self.assertEqual(self.check(0), [])

    def test_upward(self):
        n = self.include("src/util/log.c", "daemon/gateway.h")
        g = self.line_of("src/daemon/gateway.c", "util/log.h")
        self.assertEqual(self.check(1), [
            f'src/util/log.c:{n}: includes "daemon/gateway.h" (src/daemon): '
            "src/util may not include src/daemon (src/daemon is above src/util)",
            f"src/util/log.c:{n}: folder circle: src/util -> src/daemon -> "
            f'src/util (src/daemon/gateway.c:{g} includes "util/log.h")'])

    def test_upward_from_assembly(self):
        n = self.include("asm/aarch64/ema.S", "util/le.h")
        k = self.line_of("src/util/le.h", "asm/k.h")
        self.assertEqual(self.check(1), [
            f'asm/aarch64/ema.S:{n}: includes "util/le.h" (src/util): '
            "asm may not include src/util (src/util is above asm)",
            f"asm/aarch64/ema.S:{n}: folder circle: asm -> src/util -> asm "
            f'(src/util/le.h:{k} includes "asm/k.h")'])

    def test_upward_through_a_longer_circle(self):
        n = self.include("src/queue/queue.h", "deliver/outbox.h")
        s = self.line_of("src/deliver/spool.h", "queue/queue.h")
        msgs = self.check(1)
        self.assertIn(f'src/queue/queue.h:{n}: includes "deliver/outbox.h" '
                      "(src/deliver): src/queue may not include src/deliver "
                      "(src/deliver is above src/queue)", msgs)
        self.assertIn(f"src/queue/queue.h:{n}: folder circle: src/queue -> "
                      f'src/deliver -> src/queue (src/deliver/spool.h:{s} includes '
                      '"queue/queue.h")', msgs)
        o = self.line_of("src/deliver/outbox.h", "spool.h")
        self.assertIn(f"src/deliver/outbox.h:{o}: include circle: src/deliver/outbox.h"
                      " -> src/deliver/spool.h -> src/queue/queue.h -> "
                      "src/deliver/outbox.h", msgs)
        self.assertEqual(len(msgs), 3, msgs)

    def test_sealed(self):
        n = self.include("src/daemon/gateway.c", "queue/queue.h")
        m = self.include("src/util/log.c", "queue/queue.h")
        msgs = self.check(1)
        self.assertIn(f'src/daemon/gateway.c:{n}: includes "queue/queue.h" (src/queue): '
                      "src/daemon may not include src/queue "
                      "(src/queue is sealed: only src/deliver)", msgs)
        self.assertIn(f'src/util/log.c:{m}: includes "queue/queue.h" (src/queue): '
                      "src/util may not include src/queue (src/queue is above "
                      "src/util; src/queue is sealed: only src/deliver)", msgs)

    def test_header_circle(self):
        self.include("src/deliver/spool.h", "outbox.h")
        n = self.line_of("src/deliver/outbox.h", "spool.h")
        self.assertEqual(self.check(1), [
            f"src/deliver/outbox.h:{n}: include circle: src/deliver/outbox.h -> "
            "src/deliver/spool.h -> src/deliver/outbox.h"])

    def test_header_includes_itself(self):
        n = self.include("src/util/le.h", "util/le.h")
        self.assertEqual(self.check(1), [
            f"src/util/le.h:{n}: include circle: src/util/le.h -> src/util/le.h"])

    def test_unresolved(self):
        n = self.include("src/daemon/gateway.c", "nosuch.h")
        self.assertEqual(self.check(1), [
            f'src/daemon/gateway.c:{n}: includes "nosuch.h": no such file in '
            "src/daemon/, src/ or the top directory"])

    def test_outside_the_layers(self):
        self.write("tests/mocks/fake.h", "")
        n = self.include("drivers/sim.c", "tests/mocks/fake.h")
        self.assertEqual(self.check(1), [
            f'drivers/sim.c:{n}: includes "tests/mocks/fake.h" (tests/mocks): drivers '
            "may not include tests/mocks (not a folder of the layers block)"])

    def test_resolution_order(self):
        # The includer's folder comes first, then src/, then the top: these
        # decoys would each be a breach if they were found.
        self.write("src/util/daemon/gateway.h", "")
        self.include("src/util/log.c", "daemon/gateway.h")
        self.write("util/le.h", "")
        self.check(0)
        os.remove(os.path.join(self.top, "src/util/daemon/gateway.h"))
        self.check(1)

    def test_log_rule(self):
        n = self.include("drivers/sim.c", "util/log.h")
        msg = (f'drivers/sim.c:{n}: includes "util/log.h" (src/util): drivers may not '
               "include src/util/log.h (only src/deliver src/daemon src may print)")
        self.assertEqual(self.check(0), [msg + " [not enforced]"])
        self.set_doc(log="enforce ")
        self.assertEqual(self.check(1), [msg])

    def test_malformed(self):
        good = SELF_DOC.format(log="")
        cases = {
            "no block": (good.replace("```layers", "```text"), "no ```layers block"),
            "twice": (good.replace("src/daemon   the", "src/util   the"),
                      "src/util is listed twice (first on line 10)"),
            "sealed": (good.replace("sealed: src/deliver", "sealed: src/delivery"),
                       ":11: sealed: src/delivery is not a listed folder"),
            "attribute": (good.replace("sealed:", "private:"),
                          ":11: [private: src/deliver]: expected [sealed: FOLDER...]"),
            "description": (good.replace("drivers      drivers", "drivers"),
                            ":12: drivers: say in a few words"),
            "log": (good.replace("log:", "log: src/mqtt"),
                    ":17: log: src/mqtt is not a listed folder"),
            "keyword": (good.replace("log:", "always log:"),
                        ":17: \"always log:\": only \"enforce\""),
            "path": (good.replace("src/util     helpers", "src/../x  helpers"),
                     ':10: "src/../x" is not a folder path'),
        }
        for name, (text, want) in cases.items():
            with self.subTest(name):
                self.set_doc(text)
                msgs = self.check(2)
                self.assertEqual(len(msgs), 1, msgs)
                self.assertIn(want, msgs[0])

    def test_command_line(self):
        cmd = [sys.executable, os.path.abspath(__file__), "--top", self.top]
        run = lambda: subprocess.run(cmd, capture_output=True, text=True)
        p = run()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        n = self.include("src/daemon/gateway.c", "queue/queue.h")
        p = run()
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertTrue(p.stdout.startswith(f"src/daemon/gateway.c:{n}: "), p.stdout)
        self.set_doc("")
        p = run()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("no ```layers block", p.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
