"""The static half of "implement it yourself": find forbidden references in an answer's source text.

:func:`scan` parses the answer (after IPython's transformation, so ``%magic`` lines parse), follows every
dotted name (``ref.dense``, ``backward.dense_backward``, ``keras.layers.Dense``) through the namespace the
answer runs in and through the answer's own imports, and reports those that resolve to a forbidden object
— called or merely referenced (an alias ``f = ref.dense`` is caught too). Only real modules are followed
(never a student object), so the scan runs nothing of the answer. Obfuscated references (``getattr`` with
computed strings, ``importlib``) are the dynamic watch's job (:mod:`fclab.checks._calls`) and the
autograder's integrity scan's.
"""

import ast
import dataclasses
import importlib
import types

from fclab.checks._calls import resolve

FOLLOWED_PACKAGES = ("fclab", "keras", "tensorflow", "numpy", "scipy", "sklearn")


@dataclasses.dataclass(frozen=True)
class Finding:
    """A forbidden reference: the text as written, its line in the answer, and what it resolves to."""

    text: str
    line: int
    target: str


def _followable(module_name):
    return module_name.split(".")[0] in FOLLOWED_PACKAGES


def _dotted(node):
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_getattr(node):
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) >= 2)


def _folded(node):
    """The string constant ``node`` spells, joined with ``+`` or as an f-string of constants, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _folded(node.left), _folded(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values)
    return None


def _parse(source):
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # IPython missing or the transformation failed: parse as plain Python
        pass
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _local_imports(tree):
    """``{name: module object}`` for the answer's own ``import``/``from ... import`` of followed packages."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _followable(alias.name):
                    continue
                try:
                    module = importlib.import_module(alias.name)
                    top = importlib.import_module(alias.name.split(".")[0])
                except ImportError:
                    continue
                if alias.asname:
                    bound[alias.asname] = module
                else:
                    bound[alias.name.split(".")[0]] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and _followable(node.module):
            for alias in node.names:
                if alias.name == "*":
                    continue
                try:
                    bound[alias.asname or alias.name] = resolve(f"{node.module}.{alias.name}")
                except ValueError:
                    continue
    return bound


def _lookup(dotted, namespace):
    """Follow ``dotted`` through ``namespace``, stepping only through modules of followed packages."""
    head, *rest = dotted.split(".")
    obj = namespace.get(head)
    if obj is None:
        return None
    for attr in rest:
        if not (isinstance(obj, types.ModuleType) and _followable(obj.__name__)) and not isinstance(obj, type):
            return None
        if isinstance(obj, type) and not _followable(getattr(obj, "__module__", "") or ""):
            return None
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            return None
    return obj


def scan(source, namespace, forbid):
    """Forbidden references in ``source`` -> ``[Finding]`` (empty when clean or unparsable).

    Args:
        source: the answer's source text (a function or a whole solution cell).
        namespace: ``{name: object}`` the answer's names resolve against (the notebook's globals; only
            module objects and classes of followed packages in it are stepped through).
        forbid: dotted names of forbidden callables.
    """
    if not source or not forbid:
        return []
    tree = _parse(source)
    if tree is None:
        return []
    targets = {}
    for dotted in forbid:
        targets[id(resolve(dotted))] = dotted
    names = {k: v for k, v in (namespace or {}).items()
             if isinstance(v, (types.ModuleType, type)) or callable(v)}
    names.update(_local_imports(tree))
    findings, seen = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(getattr(node, "ctx", None), ast.Load):
            text = _dotted(node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            text = node.id
        elif _is_getattr(node):  # getattr(ref, "de" + "nse"): the name is spelled in pieces
            base, attr = _dotted(node.args[0]), _folded(node.args[1])
            text = f"{base}.{attr}" if base and attr and attr.isidentifier() else None
        else:
            continue
        if text is None:
            continue
        obj = _lookup(text, names)
        target = targets.get(id(obj)) if obj is not None else None
        if target is not None and (text, node.lineno) not in seen:
            seen.add((text, node.lineno))
            findings.append(Finding(text, node.lineno, target))
    for node in ast.walk(tree):  # from fclab.reference import dense  (the import itself)
        if isinstance(node, ast.ImportFrom) and node.module and _followable(node.module):
            for alias in node.names:
                try:
                    obj = resolve(f"{node.module}.{alias.name}")
                except ValueError:
                    continue
                if id(obj) in targets and (alias.name, node.lineno) not in seen:
                    seen.add((alias.name, node.lineno))
                    findings.append(Finding(f"from {node.module} import {alias.name}", node.lineno,
                                            targets[id(obj)]))
    return sorted(findings, key=lambda f: f.line)
