"""The guard: engine-owned code run inside the kernel right before and right after each test cell.

Points are decided outside the kernel (:mod:`autograder.decide`), but the records a test cell emits are
produced inside it, next to the student's code. The guard makes the test cell run on the kernel's
original machinery and tells the engine when that could not be ensured:

before a test cell (``pre``)
    - input transformers (cleanup, line, post) and AST transformers reset to a fresh IPython default: a
      transformer registered by the student that turns later cells into ``pass`` (or rewrites them) is
      gone;
    - IPython event callbacks defined in the notebook removed (a ``pre_run_cell`` hook could re-patch
      things after the guard); ``sys.settrace``/``setprofile`` cleared;
    - methods overridden on the shell, display publisher, display hook, kernel or session instance
      removed; functions defined in the notebook found on those classes or in ``builtins`` make the
      test *untrusted* (they cannot be restored);
    - numpy's public functions put back from the numpy submodule that defines them (the map is taken in
      the ``baseline`` phase, before any student code ran, and kept by the engine);
    - ``fclab.checks`` imported afresh (all its submodules dropped from ``sys.modules``) and the names
      the protected cells bound by ``import`` rebound (``check_close``, ``np``, ...);
    - Python threads started by the notebook reported (a thread whose target was defined in the
      notebook makes the test untrusted).
after a test cell (``post``)
    - ``fclab.checks`` functions and IPython internals changed *while the test ran* (by the student's
      function) make the test untrusted;
    - the cell's source is removed from ``linecache`` and ``sys.last_traceback`` is cleared, so later
      student cells cannot read the hidden tests back.

How it runs: as the ``user_expressions`` of an execute request with empty code. IPython returns early on
empty code without calling any input transformer, and evaluates user expressions with plain ``eval``, so
a transformer cannot stop the guard; if the guard's reply does not come back (or its HMAC is wrong) the
engine marks the test untrusted. A student who rewrites ``builtins`` or ``eval`` themselves can still
fool code in their own process; the static scan (:mod:`autograder.integrity`) flags those lines.
"""

import ast
import hashlib
import hmac
import json
import secrets

EXPRESSION = ("(lambda g: (__import__('builtins').exec(g['SRC'], g), g['RESULT'])[1])"
              "({{'__name__': '__autograder_guard__', 'SRC': {src!r}, 'PARAMS': {params!r}}})")

GUARD_SOURCE = r'''
import builtins, hashlib, hmac, importlib, json, linecache, sys, threading, types
from IPython.core.interactiveshell import InteractiveShell

ALLOWED = ("IPython", "ipykernel", "matplotlib", "matplotlib_inline", "ipywidgets", "comm",
           "jupyter_client", "traitlets", "zmq", "tornado", "debugpy", "_sitebuiltins", "site", "pydoc")
P = json.loads(PARAMS)
R = {"restored": [], "untrusted": []}
ip = InteractiveShell._instance


def _mod(obj):
    return getattr(obj, "__module__", None) or getattr(getattr(obj, "__func__", None), "__module__", "")


def _foreign(fn):
    return not any(_mod(fn) == a or str(_mod(fn)).startswith(a + ".") for a in ALLOWED)


def _objects():
    kernel = getattr(ip, "kernel", None)
    objs = {"shell": ip, "display_pub": ip.display_pub, "displayhook": ip.displayhook}
    if kernel is not None:
        objs["kernel"], objs["session"] = kernel, kernel.session
    return objs


def _print(obj):
    """A fingerprint of a callable: where it was defined."""
    fn = getattr(obj, "__func__", obj)
    return f"{_mod(fn)}.{getattr(fn, '__qualname__', type(fn).__qualname__)}"


def _builtins_prints():
    return {name: _print(val) for name, val in list(vars(builtins).items()) if callable(val)}


def _override_prints():
    return {f"{label}.{name}": _print(val) for label, obj in _objects().items()
            for name, val in list(vars(obj).items())
            if callable(val) and isinstance(getattr(type(obj), name, None), types.FunctionType)}


def _patched_classes():
    bad = []
    for label, obj in _objects().items():
        for cls in type(obj).__mro__:
            for name, val in list(vars(cls).items()):
                if isinstance(val, types.FunctionType) and _mod(val) == "__main__":
                    bad.append(f"{cls.__name__}.{name} was replaced by a function defined in the notebook")
    base = P.get("builtins", {})
    for name, fp in _builtins_prints().items():
        if name in base and base[name] != fp:
            bad.append(f"builtins.{name} was replaced ({fp})")
    return bad


def _instance_overrides():
    found, base = [], P.get("overrides", {})
    for label, obj in _objects().items():
        for name, val in list(vars(obj).items()):
            key = f"{label}.{name}"
            if callable(val) and isinstance(getattr(type(obj), name, None), types.FunctionType) and (
                    base.get(key) != _print(val)):
                del obj.__dict__[name]
                found.append(f"{key} was overridden on the instance: removed")
    return found


def _numpy_homes():
    import numpy
    homes = {}
    spaces = {"numpy": numpy, "numpy.linalg": numpy.linalg, "numpy.testing": numpy.testing}
    owners = {}
    for modname, mod in list(sys.modules.items()):
        if modname.startswith("numpy.") and mod is not None and modname not in spaces:
            for name, val in list(vars(mod).items()):
                if callable(val):
                    owners.setdefault((id(val), name), modname)
    for space, mod in spaces.items():
        for name in dir(mod):
            val = getattr(mod, name, None)
            if not name.startswith("_") and callable(val) and (id(val), name) in owners:
                homes[f"{space}:{name}"] = owners[(id(val), name)]
    return homes


def _restore_numpy(homes):
    for key, home in homes.items():
        space, name = key.split(":")
        mod, src = sys.modules.get(space), sys.modules.get(home)
        orig = getattr(src, name, None)
        if mod is not None and orig is not None and getattr(mod, name, None) is not orig:
            setattr(mod, name, orig)
            R["restored"].append(f"{space}.{name} was replaced: restored the original")


def _fresh_checks():
    for name in [m for m in sys.modules if m == "fclab.checks" or m.startswith("fclab.checks.")]:
        del sys.modules[name]
    importlib.import_module("fclab.checks")
    return _checks_ids()


def _checks_ids():
    ids = {}
    for modname, mod in list(sys.modules.items()):
        if modname == "fclab.checks" or modname.startswith("fclab.checks."):
            for name, val in list(vars(mod).items()):
                if callable(val) and not isinstance(val, type(sys)):
                    ids[f"{modname}.{name}"] = id(val)
    return ids


def _rebind(bindings):
    for name, (module, attr) in bindings.items():
        try:
            obj = importlib.import_module(module)
            if attr:
                obj = getattr(obj, attr) if hasattr(obj, attr) else importlib.import_module(f"{module}.{attr}")
        except Exception:
            continue
        had, old = name in ip.user_ns, ip.user_ns.get(name)
        if old is not obj:
            ip.user_ns[name] = obj
            if had and (_mod(old), getattr(old, "__qualname__", type(old).__name__)) != (
                    _mod(obj), getattr(obj, "__qualname__", type(obj).__name__)):
                R["restored"].append(f"name {name!r} had been rebound in the notebook: restored "
                                     f"{module}{'.' + attr if attr else ''}")


def _reset_shell():
    from IPython.core.inputtransformer2 import TransformerManager
    cur = ip.input_transformer_manager
    fresh = TransformerManager()
    names = lambda fs: [getattr(f, "__qualname__", type(f).__qualname__) for f in fs]
    if type(cur) is not TransformerManager or names(cur.cleanup_transforms) != names(
            fresh.cleanup_transforms) or names(cur.line_transforms) != names(fresh.line_transforms):
        R["restored"].append("IPython input transformers had been changed: reset")
    ip.input_transformer_manager = fresh
    for trait in ("input_transformers_post", "ast_transformers"):
        if getattr(ip, trait):
            R["restored"].append(f"IPython {trait} had been changed: reset")
            setattr(ip, trait, [])
    for event, callbacks in ip.events.callbacks.items():
        for cb in list(callbacks):
            if _foreign(cb):
                callbacks.remove(cb)
                R["restored"].append(f"IPython event callback on {event!r} defined in the notebook: removed")
    if sys.gettrace() is not None or sys.getprofile() is not None:
        R["restored"].append("sys.settrace/setprofile hooks were set: cleared")
    sys.settrace(None)
    sys.setprofile(None)
    threading.settrace(None)
    threading.setprofile(None)
    R["restored"] += _instance_overrides()


def _threads(baseline):
    for t in threading.enumerate():
        if t.ident in baseline or not t.is_alive():
            continue
        target = getattr(t, "_target", None)
        if target is not None and _mod(target) == "__main__":
            R["untrusted"].append(f"thread {t.name!r} started by the notebook is running during the test")
        else:
            R["restored"].append(f"note: thread {t.name!r} started after the kernel's start is running")


def _scrub(cell_sha):
    caches = [linecache.cache, getattr(linecache, "_ipython_cache", {})]
    for cache in caches:
        for key, entry in list(cache.items()):
            lines = entry[2] if isinstance(entry, tuple) and len(entry) > 2 else []
            if hashlib.sha256("".join(lines).strip().encode()).hexdigest() == cell_sha:
                del cache[key]
    for attr in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, attr):
            setattr(sys, attr, None)


def run():
    phase = P["phase"]
    if phase == "baseline":
        R["numpy_homes"] = _numpy_homes()
        R["threads"] = [t.ident for t in threading.enumerate()]
        R["builtins"] = _builtins_prints()
        R["overrides"] = _override_prints()
    elif phase == "pre":
        _reset_shell()
        _restore_numpy(P.get("numpy_homes", {}))
        R["checks_ids"] = _fresh_checks()
        _rebind(P.get("bindings", {}))
        _threads(set(P.get("threads", [])))
        R["untrusted"] += _patched_classes()
    elif phase == "post":
        _scrub(P["cell_sha"])
        now = _checks_ids()
        before = P.get("checks_ids", {})
        changed = sorted(k for k in before if now.get(k) != before[k])
        if changed:
            R["untrusted"].append(f"fclab.checks was changed while the test ran: {', '.join(changed[:5])}")
        R["untrusted"] += _patched_classes()
        R["untrusted"] += [f"{m} (during the test)" for m in _instance_overrides()]
        for event, callbacks in ip.events.callbacks.items():
            if any(_foreign(cb) for cb in callbacks):
                R["untrusted"].append(f"an IPython {event!r} callback was registered during the test")
    body = json.dumps(R, sort_keys=True)
    return json.dumps({"body": body, "mac": hmac.new(P["key"].encode(), body.encode(), hashlib.sha256).hexdigest()})


RESULT = run()
'''


def expression(phase, **params):
    """``(expression, key)``: the user expression that runs the guard, and its HMAC key."""
    key = secrets.token_hex(16)
    payload = json.dumps(dict(params, phase=phase, key=key))
    return EXPRESSION.format(src=GUARD_SOURCE, params=payload), key


def parse_reply(reply, key):
    """The guard's report from an execute_reply, or ``{"error": why}`` when it did not run as written."""
    if reply is None:
        return {"error": "the guard got no reply from the kernel"}
    content = reply.get("content", {})
    if content.get("status") != "ok":
        return {"error": f"the guard request failed in the kernel: {content.get('ename')}: "
                         f"{str(content.get('evalue'))[:200]}"}
    result = content.get("user_expressions", {}).get("guard", {})
    if result.get("status") != "ok":
        return {"error": f"the guard raised {result.get('ename')}: {str(result.get('evalue'))[:200]}"}
    try:
        outer = json.loads(ast.literal_eval(result["data"]["text/plain"]))
        body, mac = outer["body"], outer["mac"]
    except (KeyError, ValueError, SyntaxError, TypeError) as exc:
        return {"error": f"the guard's reply was not readable ({type(exc).__name__})"}
    if not hmac.compare_digest(mac, hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()):
        return {"error": "the guard's reply was forged (HMAC mismatch)"}
    return json.loads(body)


def cell_sha(source):
    """What the ``post`` phase compares linecache entries with."""
    return hashlib.sha256(source.strip().encode()).hexdigest()
