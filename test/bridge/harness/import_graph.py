"""The import graph of a package's own modules, and its cycles: python import_graph.py <package dir>

Every <package dir>/*.py is read with ast, never run, and each import of a sibling counts,
whether at module level or inside a function (a deferred import still closes a circle, it only
hides it until the call): `from . import a`, `from .a import x`, `from <package> import a`,
`import <package>.a`. A name imported from the package that is no module of it is __init__'s.
Prints one JSON line: {"edges": {module: [modules it imports]}, "cycles": [[module, ...]]},
a cycle being a strongly connected set of two or more modules, or one that imports itself.
"""
import ast
import json
import os
import sys

root = os.path.abspath(sys.argv[1])
package = os.path.basename(root)
modules = sorted(f[:-3] for f in os.listdir(root) if f.endswith(".py"))


def target(name):
    """The module `name` (a dotted path inside the package, "" for the package) stands for."""
    first = name.split(".", 1)[0]
    return first if first in modules else "__init__"


def imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(package + "."):
                    yield target(alias.name[len(package) + 1:])
        elif isinstance(node, ast.ImportFrom):
            inside = node.level == 1 or node.level == 0 and (node.module or "").split(".", 1)[0] == package
            if not inside:
                continue
            rest = (node.module or "")[0 if node.level else len(package) + 1:]
            if rest:
                yield target(rest)
            else:
                for alias in node.names:
                    yield target(alias.name)


edges = {}
for m in modules:
    with open(os.path.join(root, m + ".py"), "rb") as f:
        edges[m] = sorted(set(imports(ast.parse(f.read(), m + ".py"))))


def components():
    """Tarjan's strongly connected components of the graph."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            out.append(sorted(group))

    for v in modules:
        if v not in index:
            visit(v)
    return out


cycles = sorted(c for c in components() if len(c) > 1 or c[0] in edges[c[0]])
print(json.dumps({"edges": edges, "cycles": cycles}))
