"""Folds `perf script -F comm,tid,ip,sym,dso` output into where the time went: for each sample, the innermost
CharityPromo frame and what it was calling (EF Core, SQLite, ...). Samples whose stack perf could not walk back
to a managed frame (native code built without frame pointers: SQLite, libc, the runtime, the kernel) are grouped
by the library they were in. Prints the top lines, as percentages of all samples."""
import collections
import re
import sys


def frames(path):
    stack = None
    for line in open(path, errors="replace"):
        if not line.strip():
            if stack:
                yield stack
            stack = None
        elif not line[0].isspace():
            stack = []
        elif stack is not None:
            parts = line.strip().split(" ", 1)
            stack.append(parts[1] if len(parts) > 1 else parts[0])
    if stack:
        yield stack


NATIVE = [("libe_sqlite3", "SQLite"), ("kernel", "kernel (I/O, network, scheduling)"), ("libclrjit", "JIT compiler"),
          ("libcoreclr", ".NET runtime (GC, type checks, stubs)"), ("libc.so", "libc (malloc, memcpy)")]


def short(frame):
    """`instance void [Asm] Ns.Type+<Method>d__6::MoveNext()[Tier1]` -> `Type.Method`."""
    previous = None
    while previous != frame:  # generic arguments, innermost first; keeps compiler names such as <Method>d__6
        previous, frame = frame, re.sub(r"<[^<>]*>(?![A-Za-z0-9]*__)|`\d+\[[^\[\]]*\]", "", frame)
    frame = re.sub(r"\(.*", "", frame)  # the parameter list and what follows
    m = re.search(r"\] ([\w.`+<>]+)::([\w.`|<>]+)$", frame)
    if not m:
        return frame.split(" (")[0][:60]
    name = m.group(1).split(".")[-1] + "::" + m.group(2)
    name = re.sub(r"\+<(\w+)>\w*__\d+(`\d+)?", r".\1", name)
    return re.sub(r"`\d+", "", name).replace("::MoveNext", "")


def native(frame):
    return next((label for key, label in NATIVE if key in frame), "other native code")


def main(path, top):
    counts, total = collections.Counter(), 0
    for stack in frames(path):
        total += 1
        ours = next((i for i, f in enumerate(stack) if "[CharityPromo.Api]" in f), None)
        if ours is None:
            managed = [f for f in stack if "[JIT]" in f or "] " in f and "::" in f]
            if any("Kestrel" in f for f in managed):
                counts["HTTP (Kestrel, no app frame)"] += 1
            elif managed:
                counts["other managed: " + short(managed[-1])] += 1
            else:
                counts["native: " + native(stack[0])] += 1
        else:
            counts[short(stack[ours]) + "  ->  " + (short(stack[ours - 1]) if ours > 0 else "(itself)")] += 1
    print(f"{total} samples")
    for what, n in counts.most_common(top):
        print(f"{100 * n / total:5.1f}%  {what}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25)
