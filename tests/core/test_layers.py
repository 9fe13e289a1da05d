"""The layering the README's layout section draws, checked on the source: each package imports
only those below it, siblings never import each other, no module imports another of ours
inside a function (unless a comment on that line names an outside reason), and the import
graph has no cycle."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL = ("app", "admin", "widget", "tasks")

# Bottom first. A unit (a package under app/, or a module of app/'s own) imports only units of
# lower layers; units of one layer are siblings and never import each other.
LAYERS = [
    {"app.config", "app.errors", "app.clock", "app.logs", "app.extensions",
     "app.embedded_speedups", "app.embedded_indexes",
     "app.embedded_reads"},
    {"app.embedded_store", "app.models"},
    {"app.db", "app.events"},
    {"app.lib", "app.migrate"},
    {"app.live", "app.messaging"},
    {"app.accounts"},
    {"app.businesses"},
    {"app.channels", "app.conversations"},
    {"app.bot"},
    {"app.notifications"},
    {"app.backoffice"},
]
# The views, jobs and wiring on top may import anything below and one another.
TOP = {"app", "app.listeners", "app.api", "app.web", "app.cli", "app.sessions",
       "app.compression", "admin", "widget", "tasks"}


def modules():
    for top in TOP_LEVEL:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def module_exists(name):
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imported(tree, own):
    """(module imported, line, inside a function) of ours, for every import in `tree`."""
    functions = [node for node in ast.walk(tree)
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    nested = {id(inner) for function in functions for inner in ast.walk(function)
              if isinstance(inner, ast.Import | ast.ImportFrom)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" if module_exists(f"{node.module}.{alias.name}")
                     else node.module for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in TOP_LEVEL and name != own:
                yield name, node.lineno, id(node) in nested


def unit(name):
    """app.conversations.messages -> app.conversations; app.clock -> app.clock."""
    parts = name.split(".")
    if parts[0] != "app":
        return parts[0]
    return ".".join(parts[:2]) if len(parts) > 1 else "app"


def rank(name):
    for number, layer in enumerate(LAYERS):
        if unit(name) in layer:
            return number
    assert unit(name) in TOP, f"{unit(name)} is in no layer: add it to LAYERS or TOP"
    return len(LAYERS)


def graph():
    found = {}
    for name, path in modules():
        source = path.read_text()
        found[name] = (path, source.splitlines(), list(imported(ast.parse(source), name)))
    return found


def test_every_package_imports_only_the_layers_below_it():
    wrong = []
    for name, (path, _lines, imports) in graph().items():
        for target, line, _nested in imports:
            if unit(target) == unit(name) or rank(name) == len(LAYERS):
                continue
            if rank(target) >= rank(name):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert wrong == []


def test_no_import_of_our_modules_inside_a_function_without_a_reason():
    hidden = []
    for path, lines, imports in graph().values():
        for target, line, nested in imports:
            if nested and "#" not in lines[line - 1]:
                hidden.append(f"{path.relative_to(ROOT)}:{line} imports {target} in a function")
    assert hidden == []


def test_the_import_graph_has_no_cycle():
    found = graph()
    edges = {name: {target for target, _line, nested in imports if not nested}
             for name, (_path, _lines, imports) in found.items()}
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


DOMAIN_PACKAGES = ("lib", "live", "messaging", "accounts", "businesses", "conversations",
                   "channels", "bot", "notifications", "backoffice")


def test_the_public_functions_of_the_packages_are_annotated():
    bare = []
    for package in DOMAIN_PACKAGES:
        for path in sorted((ROOT / "app" / package).glob("*.py")):
            tree = ast.parse(path.read_text())
            functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
            for cls in tree.body:
                if isinstance(cls, ast.ClassDef) and not cls.name.startswith("_"):
                    functions += [node for node in cls.body if isinstance(node, ast.FunctionDef)]
            for function in functions:
                if function.name.startswith("_") and function.name != "__init__":
                    continue
                arguments = [a for a in function.args.args + function.args.kwonlyargs
                             if a.arg not in ("self", "cls")]
                if any(a.annotation is None for a in arguments) or (
                        function.returns is None and function.name != "__init__"):
                    bare.append(f"{path.relative_to(ROOT)}:{function.lineno} {function.name}")
    assert bare == []
