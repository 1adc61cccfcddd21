"""The kernel-side end of the sandbox channel: runs the student's code on behalf of the trusted runner.

Loaded by path into the student's kernel before any cell runs (:func:`autograder.kernel.agent_expression`)
and bound as ``__fclab_agent__`` in the user namespace. The engine sends one JSON request per
``user_expressions`` evaluation (``__fclab_agent__.handle('<json>')``); the reply is one JSON string.
Values cross with :mod:`wire` (this folder's codec): whatever is not plain data stays here as an *opaque
handle*, an id into :attr:`Agent.handles`.

Requests (``op``):

- ``get`` ``name``: the value the student's notebook bound to ``name``;
- ``call`` ``target`` (``{"name"}`` or ``{"handle"}``), ``args``, ``kwargs``, ``forbid``, ``watch_inputs``,
  ``seeds``: call it under ``fclab.checks._calls.call_watched`` (forbidden-call profiler, input-mutation
  watch, stdout capture) when that exists here, else under this module's plain watch; arrays and Keras
  models given as arguments come back in ``updates`` so the caller can write their new state back;
- ``getattr`` / ``getitem`` / ``len`` / ``iter`` / ``repr`` on a handle.

Every reply holds ``stdout`` and ``stderr`` (what the student's code printed while serving it), and either
``value`` or ``error`` (``{"type", "message", "traceback", "explanation"}``). Nothing here is trusted: the
student's code runs in this process and may change anything in it; the trusted side reads the reply as
plain data only.
"""

import contextlib
import importlib.util
import io
import json
import os
import traceback

import numpy as np


def _load_wire():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wire.py")
    spec = importlib.util.spec_from_file_location("autograder_sandboxed_wire", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wire = _load_wire()
MAX_ITER = 10_000


class Agent:
    """The request handler bound in the kernel (see module docstring).

    Args:
        namespace: the notebook's user namespace (``get_ipython().user_ns``).
    """

    def __init__(self, namespace):
        self.namespace = namespace
        self.handles = {}
        self._ids = {}
        self._out = io.StringIO()

    # -- the channel --------------------------------------------------------------------------------------
    def handle(self, text):
        """One JSON request -> one JSON reply (never raises)."""
        out, err = io.StringIO(), io.StringIO()
        self._out = out
        try:
            request = json.loads(text)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                reply = getattr(self, "op_" + request["op"])(request)
        except BaseException as exc:  # KeyboardInterrupt too: the engine interrupted a call that ran too long
            reply = {"error": _error_info(exc)}
        reply["stdout"], reply["stderr"] = out.getvalue()[-wire.MAX_TEXT:], err.getvalue()[-wire.MAX_TEXT:]
        try:
            return json.dumps(reply)
        except (TypeError, ValueError) as exc:
            return json.dumps({"error": _error_info(exc), "stdout": reply["stdout"], "stderr": reply["stderr"]})

    def encode(self, value):
        return wire.encode(value, self._as_handle)

    def decode(self, data):
        return wire.decode(data, self._from_handle, on_ref=wire.resolve_ref,
                           on_keras=lambda body: wire.keras_from_wire(body, strict=False), on_global=self._global)

    def _global(self, name):
        if name not in self.namespace:
            raise NameError(f"the notebook's {name!r} is not defined in the kernel (did its cell run?)")
        return self.namespace[name]

    def _as_handle(self, value):
        key = id(value)
        if key not in self._ids:
            self._ids[key] = len(self.handles) + 1
            self.handles[self._ids[key]] = value
        return {"$handle": self._ids[key], "type": type(value).__name__, "callable": callable(value)}

    def _from_handle(self, number, type_name, is_callable):
        if number not in self.handles:
            raise wire.CannotCross(f"no object with handle {number} in this kernel")
        return self.handles[number]

    # -- operations ---------------------------------------------------------------------------------------
    def op_get(self, request):
        name = request["name"]
        if name not in self.namespace:
            raise NameError(f"name {name!r} is not defined in the notebook (did its cell run without an error?)")
        return {"value": self.encode(self.namespace[name])}

    def op_call(self, request):
        target = request["target"]
        fn = self.namespace[target["name"]] if "name" in target else self.handles[target["handle"]]
        args = list(self.decode(request["args"]))
        kwargs = self.decode(request["kwargs"])
        _seed(request.get("seeds", []))
        outcome = _call(fn, args, kwargs, request.get("forbid", []), request.get("watch_inputs", True))
        if outcome["stdout"] and outcome["stdout"] not in self._out.getvalue():
            print(outcome["stdout"], end="")  # the call's own output reaches the test cell once, as in the lab
        reply = {"forbidden": list(outcome["forbidden"]), "mutated": list(outcome["mutated"]),
                 "call_stdout": outcome["stdout"], "warnings": [str(w)[:1000] for w in outcome.get("warnings", ())],
                 "updates": self._updates(args, kwargs)}
        if outcome["error"] is not None:
            reply["error"] = outcome["error"]
        else:
            reply["value"] = self.encode(outcome["value"])
        return reply

    def _updates(self, args, kwargs):
        """New state of array and Keras arguments: ``[[position or name, encoded value], ...]``."""
        updates = []
        for key, value in list(enumerate(args)) + list(kwargs.items()):
            if type(value) is np.ndarray or wire.is_keras(value):
                try:
                    updates.append([key, wire.encode(value, self._as_handle)])
                except wire.CannotCross:
                    continue
        return updates

    def op_getattr(self, request):
        return {"value": self.encode(getattr(self.handles[request["handle"]], request["name"]))}

    def op_getitem(self, request):
        return {"value": self.encode(self.handles[request["handle"]][self.decode(request["key"])])}

    def op_len(self, request):
        return {"value": int(len(self.handles[request["handle"]]))}

    def op_iter(self, request):
        items = []
        for item in self.handles[request["handle"]]:
            if len(items) >= MAX_ITER:
                raise wire.CannotCross(f"an iterable of more than {MAX_ITER} items")
            items.append(item)
        return {"value": self.encode(items)}

    def op_repr(self, request):
        return {"value": repr(self.handles[request["handle"]])[:2000]}


def _seed(seeds):
    """Seeds the test cell set on the trusted side since the previous call, applied here in order."""
    for kind, value in seeds:
        if kind == "numpy":
            np.random.seed(value)
        elif kind == "keras":
            import keras

            keras.utils.set_random_seed(value)
        elif kind == "tensorflow":
            import tensorflow as tf

            tf.random.set_seed(value)


def _call(fn, args, kwargs, forbid, watch_inputs):
    """``{"value", "error", "forbidden", "mutated", "stdout", "warnings"}`` of one watched call.

    There is no unwatched way: when the kernel's ``fclab.checks._calls`` cannot be imported (a student's
    code broke it), the call is not made and fails with that reason.
    """
    try:
        from fclab.checks._calls import call_watched
    except Exception as exc:  # noqa: BLE001 - any way the import fails ends the same
        raise RuntimeError(f"the grader's call watch is missing in this kernel (fclab.checks._calls could not "
                           f"be imported: {type(exc).__name__}: {exc}); code in the notebook removed or "
                           f"replaced it") from None
    outcome = call_watched(fn, tuple(args), dict(kwargs), list(forbid), watch_inputs=watch_inputs)
    error = outcome.error
    return {"value": outcome.value, "forbidden": tuple(outcome.forbidden), "mutated": tuple(outcome.mutated),
            "stdout": outcome.stdout, "warnings": tuple(getattr(outcome, "warnings", ()))[:100],
            "error": None if error is None else {
                "type": error.type_name, "message": str(error.message)[:wire.MAX_TEXT],
                "traceback": str(error.traceback_text)[-20000:],
                "explanation": error.explanation and str(error.explanation)[:5000]}}


def _error_info(exc):
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"type": type(exc).__name__, "message": str(exc)[:wire.MAX_TEXT], "traceback": text[-20000:],
            "explanation": None}


def install(namespace):
    """Bind a fresh :class:`Agent` as ``__fclab_agent__`` in ``namespace``; returns it."""
    agent = Agent(namespace)
    namespace["__fclab_agent__"] = agent
    return agent
