"""Trusted-side stand-ins for what a student's notebook defined: every use becomes a request to the agent.

A test cell run by the trusted runner sees the student's names bound to:

- plain data (arrays, numbers, strings, lists/dicts of those, Keras models rebuilt from config + weights)
  fetched at the start of the test cell (:meth:`Session.fetch`);
- :class:`RemoteCallable` for a function or class: calling it sends the arguments to the sandbox
  (:meth:`Session.call`) and brings back plain data; it has ``__fclab_call__`` (contract, section 5);
- :class:`RemoteObject` for any other object (an instance of a class the student wrote): attribute
  reads, method calls, item access, ``len`` and iteration are forwarded; nothing else (no ``__eq__``,
  no ``__array__``: a hostile object cannot compare equal to anything or pose as an array here).

The :class:`Session` also forwards the seeds a test cell set (``np.random.seed``,
``keras.utils.set_random_seed``, ``tf.random.set_seed``, recorded by :func:`record_seeds`) with the next
call, prints what the student's code printed (so it lands in the test cell's outputs), and raises what it
raised. Replies are decoded with :mod:`autograder.sandboxed.wire` only: nothing from the sandbox is
unpickled, imported, executed or called here.
"""

import builtins
import json
import sys

import numpy as np

from autograder.sandboxed import wire

from fclab.checks._calls import CallOutcome, ErrorInfo  # the contract (fclab.checks, section 5)
from fclab.checks._exercise import OUTSIDE_EXERCISE, active_exercise


class AnswerError(Exception):
    """The student's code raised an exception that is not one of Python's built-in ones (its name is kept)."""


class Session:
    """One submission's proxies, talking to the agent through ``ask(request dict) -> reply dict``."""

    def __init__(self, ask):
        self._ask = ask
        self.seeds = []
        self.shared = {}  # functions the protected setup cells define: the kernel ran the same cells

    def request(self, request):
        """Send one request; print the student's output; return the reply (raises the student's error)."""
        reply = self._ask(request)
        if reply.get("stdout"):
            sys.stdout.write(str(reply["stdout"]))
        if reply.get("stderr"):
            sys.stderr.write(str(reply["stderr"]))
        return reply

    def decode(self, data):
        return wire.decode(data, self._remote)

    def _remote(self, handle, type_name, is_callable):
        cls = RemoteCallable if is_callable else RemoteObject
        return cls(self, {"handle": handle}, type_name)

    def encode(self, value):
        return wire.encode(value, self._crossing_fallback)

    def _crossing_fallback(self, value):
        name = getattr(value, "__name__", None)
        if isinstance(name, str) and self.shared.get(name) is value:
            return {"$global": name}
        return _crossing_fallback(value)

    def fetch(self, name):
        """The value the student's notebook bound to ``name`` (plain data or a proxy)."""
        reply = self.request({"op": "get", "name": name})
        if "error" in reply:
            raise_student_error(reply["error"])
        value = self.decode(reply["value"])
        if isinstance(value, RemoteCallable):
            object.__setattr__(value, "_type", name)  # messages say "<add_bias from the student's notebook>"
        return value

    def call(self, target, args, kwargs, forbid=(), watch_inputs=True):
        """Call the student's function/object in the sandbox -> :class:`CallOutcome`."""
        request = {"op": "call", "target": target, "args": self.encode(tuple(args)),
                   "kwargs": self.encode(dict(kwargs)), "forbid": list(forbid), "watch_inputs": bool(watch_inputs),
                   "seeds": self.seeds}
        self.seeds = []
        reply = self.request(request)
        self._write_back(args, kwargs, reply.get("updates", []))
        error = reply.get("error")
        info = None if error is None else ErrorInfo(
            str(error.get("type", "Exception")), str(error.get("message", "")), str(error.get("traceback", "")),
            error.get("explanation") and str(error["explanation"]))
        value = None if error is not None else self.decode(reply.get("value"))
        return CallOutcome(value=value, error=info, forbidden=tuple(str(f) for f in reply.get("forbidden", [])),
                           mutated=tuple(str(m) for m in reply.get("mutated", [])),
                           stdout=str(reply.get("call_stdout", "")),
                           warnings=tuple(str(w) for w in reply.get("warnings", [])[:100]))

    def _write_back(self, args, kwargs, updates):
        """Arrays and Keras models the test passed in take the state they have after the call (a Keras
        model: its weights, and the compile config the student's code gave it)."""
        if not isinstance(updates, list):
            return
        for entry in updates:
            if not (isinstance(entry, list) and len(entry) == 2):
                continue
            key, data = entry
            target = args[key] if isinstance(key, int) and 0 <= key < len(args) else kwargs.get(key)
            if isinstance(target, np.ndarray) and isinstance(data, dict) and "$npy" in data:
                new = wire.array_from_text(data["$npy"])
                if new.shape == target.shape and target.flags.writeable and not np.array_equal(new, target,
                                                                                              equal_nan=True):
                    target[...] = new
            elif wire.is_keras(target) and isinstance(data, dict) and "$keras" in data:
                weights = [wire.array_from_text(w) for w in data["$keras"].get("weights", [])]
                old = target.get_weights()
                if len(weights) == len(old) and all(w.shape == o.shape for w, o in zip(weights, old)):
                    target.set_weights(weights)
                if not getattr(target, "compiled", False):
                    wire.compile_from_wire(target, data["$keras"])

    def ask_value(self, request):
        reply = self.request(request)
        if "error" in reply:
            raise_student_error(reply["error"])
        return self.decode(reply.get("value"))


def _crossing_fallback(value):
    """Trusted objects that are not plain data: proxies go back as their handle, library functions by name."""
    if isinstance(value, RemoteObject):
        target = object.__getattribute__(value, "_target")
        if "handle" in target:
            return {"$handle": target["handle"]}
    name = wire.ref_name(value) if callable(value) else None
    if name is not None:
        return {"$ref": name}
    what = getattr(value, "__qualname__", None) or type(value).__name__
    raise wire.CannotCross(
        f"{what!r} ({type(value).__name__}) cannot be passed to the student's code: only plain data (arrays, "
        f"numbers, strings, lists/dicts of those), Keras models, library functions of numpy, keras, tensorflow "
        f"or fclab, and functions a protected setup cell defines cross into the sandbox; a lambda or a "
        f"function defined in the test cell does not")


def raise_student_error(error):
    """Raise, trusted-side, what the student's code raised (a built-in type keeps its type)."""
    if not isinstance(error, dict):
        raise AnswerError("the student's code failed and its error could not be read")
    name, message = str(error.get("type", "Exception"))[:100], str(error.get("message", ""))
    trace = str(error.get("traceback", ""))
    if name == "KeyboardInterrupt":
        raise TimeoutError("the student's code ran past the cell time limit and was interrupted")
    cls = getattr(builtins, name, None)
    exc = None
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            exc = cls(message)
        except TypeError:
            exc = None
    if exc is None:
        exc = AnswerError(f"{name}: {message}")
    if trace:
        exc.add_note("raised in the student's code (in the sandbox):\n" + trace.rstrip()[-4000:])
    raise exc


class RemoteObject:
    """An object that lives in the student's kernel (see module docstring)."""

    __slots__ = ("_session", "_target", "_type")

    def __init__(self, session, target, type_name):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_type", type_name)

    def _handle(self):
        target = object.__getattribute__(self, "_target")
        if "handle" not in target:  # a name: resolve it to the object it is bound to now
            reply = self._session.fetch(target["name"])
            if not isinstance(reply, RemoteObject):
                return None
            return object.__getattribute__(reply, "_target")["handle"]
        return target["handle"]

    def __getattr__(self, name):
        if name.startswith("__") or name.startswith("_repr_") or name.startswith("_ipython"):
            raise AttributeError(name)  # no dunder protocol of the student's object is ever used here
        return self._session.ask_value({"op": "getattr", "handle": self._handle(), "name": name})

    def __setattr__(self, name, value):
        raise TypeError(f"cannot set {name!r} on the student's {self._type} from a test (it lives in the sandbox)")

    def __getitem__(self, key):
        return self._session.ask_value({"op": "getitem", "handle": self._handle(), "key": self._session.encode(key)})

    def __len__(self):
        value = self._session.ask_value({"op": "len", "handle": self._handle()})
        if not isinstance(value, int) or value < 0:
            raise TypeError(f"len() of the student's {self._type} is not a count")
        return value

    def __bool__(self):
        return True  # as any object without __bool__ or __len__; asking the student's object is not needed

    def __iter__(self):
        items = self._session.ask_value({"op": "iter", "handle": self._handle()})
        return iter(items if isinstance(items, list) else [])

    def __call__(self, *args, **kwargs):
        """A plain call from a test (``add_bias(X, b)``), watched as ``ex.call`` is: a forbidden call (the
        exercise block's list) or an array argument changed in place fails the test. Otherwise an answer
        that zeroes the test's arrays would make an expected value computed after the call agree with it.
        A test that wants the in-place change (and gets the arrays' new state back) says so with
        ``checks.exercise(..., watch_inputs=False)``."""
        watcher = active_exercise() or OUTSIDE_EXERCISE
        outcome = self.__fclab_call__(args, kwargs, tuple(watcher.forbid), bool(watcher.watch_inputs))
        if outcome.error is not None:
            raise_student_error({"type": outcome.error.type_name, "message": outcome.error.message,
                                 "traceback": outcome.error.traceback_text})
        if outcome.forbidden or outcome.mutated:
            watcher.verdict(self, outcome)  # raises the AssertionError that names the call or the changed input
        return outcome.value

    def __fclab_call__(self, args, kwargs, forbid, watch_inputs):
        """Contract section 5: run the call in the sandbox under ``call_watched`` -> CallOutcome."""
        return self._session.call(object.__getattribute__(self, "_target"), args, kwargs, forbid, watch_inputs)

    def __repr__(self):
        return f"<{self._type} from the student's notebook>"

    def __reduce__(self):
        raise TypeError(f"the student's {self._type} cannot be copied or pickled by a test")


class RemoteCallable(RemoteObject):
    """A function or class of the student's notebook: calling it calls it in the sandbox."""

    __slots__ = ()

    def __repr__(self):
        target = object.__getattribute__(self, "_target")
        return f"<{target.get('name') or self._type} from the student's notebook>"

    @property
    def __name__(self):
        return self._type


def reply_from_text(text, limit=wire.MAX_ARRAY_BYTES * 2):
    """The agent's JSON reply -> dict (a non-dict or oversized reply is an error reply)."""
    if not isinstance(text, str) or len(text) > limit:
        return {"error": {"type": "ValueError", "message": "the reply from the student's kernel was too large"}}
    try:
        reply = json.loads(text)
    except ValueError:
        return {"error": {"type": "ValueError", "message": "the reply from the student's kernel was not JSON"}}
    return reply if isinstance(reply, dict) else {"error": {"type": "ValueError",
                                                            "message": "the reply was not a JSON object"}}


SEED_FUNCTIONS = (("numpy", "numpy.random", "seed"), ("keras", "keras.utils", "set_random_seed"),
                  ("tensorflow", "tensorflow.random", "set_seed"))


def record_seeds(session):
    """Wrap the seed functions of the modules imported so far so each call is also forwarded (idempotent)."""
    for kind, module_name, attr in SEED_FUNCTIONS:
        module = sys.modules.get(module_name)
        original = getattr(module, attr, None) if module is not None else None
        if original is None or getattr(original, "_fclab_recorder", False):
            continue

        def recorder(seed=None, *args, _original=original, _kind=kind, **kwargs):
            session_ref = recorder_state["session"]
            outer = not recorder_state["inside"]
            recorder_state["inside"] = True
            try:
                result = _original(seed, *args, **kwargs)
            finally:
                recorder_state["inside"] = not outer
            if outer and session_ref is not None and (seed is None or isinstance(seed, (int, np.integer))):
                session_ref.seeds.append([_kind, None if seed is None else int(seed)])
            return result

        recorder._fclab_recorder = True
        setattr(module, attr, recorder)
    recorder_state["session"] = session


recorder_state = {"session": None, "inside": False}
