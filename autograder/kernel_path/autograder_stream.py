"""The kernel's stdout/stderr, capped in bytes per execute request before anything is published on iopub.

Loaded inside the sandbox (this folder is bound read-only and put on the kernel's ``PYTHONPATH``) through
ipykernel's own setting, ``--IPKernelApp.outstream_class=autograder_stream.CappedOutStream``: a 200 MB
``print`` then leaves the kernel as at most ``AUTOGRADER_STREAM_BYTES`` bytes plus one marker line, so the
worker never receives it whole. A submission that bypasses this (writing to the iopub socket itself) is
stopped by the worker's transport limit (``zmq.MAXMSGSIZE``, :meth:`autograder.sandbox.Sandbox.client_context`).
"""

import os

from ipykernel.iostream import OutStream

MARKER = "\n[autograder: output truncated in the kernel: more than {cap} bytes of {name} in this cell]\n"


class CappedOutStream(OutStream):
    """ipykernel's OutStream; each execute request may write ``AUTOGRADER_STREAM_BYTES`` bytes (UTF-8)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cap = int(os.environ.get("AUTOGRADER_STREAM_BYTES", "0")) or None
        self._request, self._spent = None, 0

    def write(self, string):
        if self._cap is None or not isinstance(string, str):
            return super().write(string)
        request = self.parent_header.get("msg_id") if isinstance(self.parent_header, dict) else None
        if request != self._request:
            self._request, self._spent = request, 0
        if self._spent >= self._cap:
            return len(string)
        room = self._cap - self._spent
        data = string.encode("utf-8", "surrogatepass")
        if len(data) <= room:
            self._spent += len(data)
            return super().write(string)
        self._spent = self._cap
        super().write(data[:room].decode("utf-8", "ignore") + MARKER.format(cap=self._cap, name=self.name))
        return len(string)
