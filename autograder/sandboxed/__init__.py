"""Engine code that runs *inside* the sandbox (bound read-only into it and loaded there by path).

- :mod:`~autograder.sandboxed.wire`: the plain-data codec both sides of the sandbox channel use (JSON,
  ``.npy`` without pickle, Keras config + weights, opaque handles);
- :mod:`~autograder.sandboxed.agent`: the kernel-side end of the channel (calls the student's functions
  for the trusted runner, keeps the table of opaque handles);
- :mod:`~autograder.sandboxed.zygote`: the warm-kernel zygote (imports TensorFlow once, forks kernels).

Nothing in this folder imports :mod:`autograder` (the sandbox cannot see it); the trusted side imports
:mod:`~autograder.sandboxed.wire` as a normal module.
"""
