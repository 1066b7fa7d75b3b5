#!/usr/bin/env python3
"""Write init/layout.ld, the static binary's order of code and read-only data, from a link map and traces.

usage: layout.py MAP ENTRY_TRACE... [-- JAIL_TRACE...] >init/layout.ld   (tests/tools/layout.sh runs it)

MAP is the link map (-Wl,-Map) of the binary the traces ran. A trace is a valgrind lackey --trace-mem=yes
log or a tests/tools/steptrace.c log (same form), one per process; a directory holds one run's logs, and
its forks share the load address of the process that executed the binary.

The kernel maps a fault's whole 64 KiB window of a file mapping, so a process's resident text is the
number of windows it touches, not the bytes it runs. A static C library's start-up touches code all over
the binary; gathered (the input sections the traces touched, first touched first), the entrypoint
touches a few windows instead of nearly all of them. In order: the entrypoint's code; the C library's
string functions by instruction-set family (a machine uses one family); what only a jail's keeper and
init ran (what both ran, then the keeper's own, then the init's own); what warder's and libev's objects call
directly (other paths), next to warder's own code, which the default order puts right after. The read-only data follows the same groups.
"""
import bisect
import os
import re
import sys

SECTION = re.compile(r"^ (\.\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)")
OUTPUT = re.compile(r"^(\.\S+)(\s+0x[0-9a-f]+\s+0x[0-9a-f]+)?\s*$")
LONE = re.compile(r"^ (\.\S+)\s*$")
ACCESS = re.compile(r"^\s*[ILSM]\s+([0-9a-f]+),")
VARIANT = re.compile(r"^\.text\.(evex|evex512|avx|avx512)(\.rtm)?$")
# Output sections the program loads (debugging information has addresses of its own, from 0).
LOADED = (".text", ".rodata", ".data", ".bss", ".tdata", ".tbss", ".init", ".fini", ".plt", ".got")
FAMILIES = ("*(.text.evex .text.evex.rtm)", "*(.text.evex512 .text.avx512)", "*(.text.avx .text.avx.rtm)")


def read_map(path):
    text = open(path).read()
    members = []  # (member, referencing file)
    head, _, body = text.partition("Linker script and memory map")
    lines = head.split("Archive member included to satisfy reference by file (symbol)")[-1].splitlines()
    for i, ln in enumerate(lines):
        if ln and not ln.startswith(" ") and i + 1 < len(lines) and lines[i + 1].startswith(" "):
            members.append((ln.strip(), lines[i + 1].split()[0]))
    rows, out, pending = [], None, None
    for ln in body.splitlines():
        m = OUTPUT.match(ln)
        if m:
            out = m.group(1)
            continue
        m = LONE.match(ln)
        if m:
            pending = m.group(1)
            continue
        m = SECTION.match(ln)
        if m:
            sec, pending = m.group(1) or pending, None
            addr, size = int(m.group(2), 16), int(m.group(3), 16)
            if sec and size and addr and out.startswith(LOADED):
                rows.append((addr, size, out, sec, m.group(4)))
    rows.sort()
    return rows, members


def pattern(f):
    """A file as a linker script pattern: archive members by archive and member, objects by path tail."""
    m = re.match(r".*/(lib[^/]*\.a)\((.*)\)$", f)
    if m:
        return "*%s:%s" % (m.group(1), m.group(2))
    m = re.match(r".*/obj/(.*)$", f)
    return "*" + (m.group(1) if m else f.rsplit("/", 1)[-1])


def own(f):
    return "/obj/" in f


def traces(paths, entry):
    """Each log with the load address of its process tree: a root's first instruction is the entry, a
    fork keeps its parent's address space. A directory holds one run's logs. Roots in the order given,
    each followed by its forks."""
    info, every = {}, set()
    for p in paths:
        run, pid, parent, first = os.path.dirname(p), None, None, None
        for ln in open(p):
            m = re.match(r"==(\d+)== Parent PID: (\d+)", ln)
            if m:
                pid, parent = m.group(1), m.group(2)
            m = ACCESS.match(ln)
            if m and ln.startswith("I"):
                first = int(m.group(1), 16)
                break
        every.add((run, pid))
        if pid and first is not None:
            info[(run, pid)] = ((run, parent), p, first)

    def root(k):
        while info[k][0] in info:
            k = info[k][0]
        return k
    roots = [k for k in info if info[k][0] not in every]
    out = []
    for r in sorted(roots, key=lambda k: paths.index(info[k][1])):
        base = info[r][2] - entry
        out += [(info[k][1], base, k, info[k][0]) for k in info if root(k) == r]
    return out


def touched(rows, starts, entry, paths, by_process=False):
    """The input sections the traces ran or read, first touched first, as (output, section, file). With
    BY_PROCESS (one run of a jail): what both the keeper (the run's first process) and its init touched
    first, then what the keeper alone touched, then what the init alone did, so that each maps the 64 KiB
    windows of its own code and the shared part's, not the other's. The init is the keeper's child whose
    tree touched most; its children (the command's vfork child shares its memory) count as the init, the
    keeper's other children (hooks' forks, the network namespace's vfork child) as the keeper."""
    seen, order, users = set(), [], {}
    logs = traces(paths, entry)
    for n, (path, base, _, _) in enumerate(logs):
        for ln in open(path):
            m = ACCESS.match(ln)
            if not m:
                continue
            a = int(m.group(1), 16) - base
            i = bisect.bisect_right(starts, a) - 1
            if i < 0 or a >= rows[i][0] + rows[i][1]:
                continue
            key = rows[i][2:]
            users.setdefault(key, set()).add(n)
            if key not in seen:
                seen.add(key)
                order.append(key)
    if not by_process or not logs:
        return order
    parent = {k: p for _, _, k, p in logs}
    index = {k: n for n, (_, _, k, _) in enumerate(logs)}
    keeper = logs[0][2]

    def top(k):  # the keeper's child K descends from (K itself), or the keeper
        while k in parent and parent[k] != keeper and parent[k] in parent:
            k = parent[k]
        return k if parent.get(k) == keeper else keeper
    size = {}
    for key, ns in users.items():
        for t in {top(logs[n][2]) for n in ns} - {keeper}:
            size[t] = size.get(t, 0) + 1
    init = max(size, key=size.get) if size else None
    owner = {n: 1 if init is not None and top(k) == init else 0 for k, n in index.items()}
    side = {key: {owner[n] for n in ns} for key, ns in users.items()}
    return ([k for k in order if len(side[k]) > 1] + [k for k in order if side[k] == {0}] +
            [k for k in order if side[k] == {1}])


def code(order, done):
    """Linker script lines for the code of ORDER: warder's by function (and, for a build without
    -ffunction-sections, by object), the libraries' by object."""
    text = [(s, f) for o, s, f in order if o.startswith(".text") and not VARIANT.match(s)]
    lines = []
    for s, f in text:
        p = pattern(f)
        if own(f):
            lines.append("    %s(%s)" % (p, s))
        elif p not in done:
            lines.append("    %s(.text .text.*)" % p)
            done.add(p)
    for p in dict.fromkeys(pattern(f) for s, f in text if own(f)):
        if p not in done:
            lines.append("    %s(.text .text.startup)" % p)
            done.add(p)
    return lines


def data(order, done):
    """Read-only data: what the traces read, and all that of each object whose code they ran: its strings
    (the kernel reads a path or a name it is passed, not the traced code) and its tables."""
    lines = []
    for o, s, f in order:
        p = pattern(f)
        if o.startswith(".rodata"):
            if own(f) and p + s not in done and p not in done:
                lines.append("    %s(%s)" % (p, s))
                done.add(p + s)
            elif not own(f) and p not in done:
                lines.append("    %s(.rodata .rodata.*)" % p)
                done.add(p)
        elif o.startswith(".text") and not VARIANT.match(s) and p not in done:
            # All of it: -fdata-sections names a table after itself, not after the function using it.
            lines.append("    %s(.rodata .rodata.*)" % p)
            done.add(p)
    return lines


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit("usage: layout.py MAP TRACE... [-- TRACE...]")
    rows, members = read_map(args[0])
    starts = [r[0] for r in rows]
    entry = next(r[0] for r in rows if r[3] == ".text" and r[4].endswith("rcrt1.o"))
    groups, cur = [], []
    for a in args[1:] + ["--"]:
        if a == "--":
            groups.append(touched(rows, starts, entry, cur, by_process=bool(groups)) if cur else [])
            cur = []
        else:
            cur.append(a)
    lines = ["/* Generated by tests/tools/layout.sh (tests/tools/layout.py): traces of the entrypoint, then of",
             "   a jail's keeper and init. */", "SECTIONS", "{", "  .text.warder.hot :", "  {"]
    done = set()
    lines += ["    /* the entrypoint */"] + code(groups[0], done)
    # Run outside valgrind only: the vDSO's set-up (valgrind gives none: a link map and a symbol lookup),
    # and the lock taken on some exits (seen in `perf record -e exceptions:page_fault_user`).
    for p in ("*libc.a:dl-object.o", "*libc.a:dl-lookup.o", "*libc.a:dl-setup_hash.o", "*libc.a:dl-misc.o",
              "*libc.a:dl-minimal-malloc.o", "*libc.a:pthread_mutex_lock.o", "*libc.a:pthread_mutex_unlock.o"):
        if p not in done:
            lines.append("    %s(.text .text.*)" % p)
            done.add(p)
    lines += ["    /* the string functions, by instruction set */"] + ["    " + fam for fam in FAMILIES]
    lines.append("    /* a jail's keeper and init */")
    for g in groups[1:]:
        lines += code(g, done)
    lines.append("    /* what warder and libev call directly, run above or not */")
    for member, by in members:
        p = pattern(member)
        if "libc.a(" in member and (own(by) or "libev.a" in by) and p not in done:
            lines.append("    %s(.text .text.*)" % p)
            done.add(p)
    lines += ["  }", "}", "INSERT BEFORE .text;", "", "SECTIONS", "{", "  .rodata.warder.hot :", "  {"]
    done = set()
    lines += data(groups[0], done)
    # Tables no code object owns, read through pointers the traces of code do not show; last (below), the
    # C locale's character classes: 56 KiB of wide-character tables around the 1 KiB isalpha() reads.
    # The vector constants, merged across objects (one pool serves the string functions of every
    # family), and the built-in devfs rules every jail with a /dev reads.
    lines.append("    *libc.a:itoa-digits.o(.rodata .rodata.*)")
    lines.append("    *(.rodata.cst4 .rodata.cst8 .rodata.cst16 .rodata.cst32 .rodata.cst64)")
    lines.append("    *gen/devfs_default_rules.o(.rodata .rodata.*)")
    done.update(("*libc.a:itoa-digits.o", "*libc.a:C-ctype.o", "*gen/devfs_default_rules.o"))
    for g in groups[1:]:
        lines += data(g, done)
    lines.append("    *libc.a:C-ctype.o(.rodata .rodata.*)")
    # After .rodata: placed before it, the section would fall in the executable segment.
    lines += ["  }", "}", "INSERT AFTER .rodata;"]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
