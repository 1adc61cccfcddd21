"""Step 7, Parallel: the same job function on N local worker processes or on a dask.distributed cluster.

Local workers come from a *forkserver* (``concurrent.futures.ProcessPoolExecutor``): the server imports
the grading code once and every worker is forked from it, so workers start fast and inherit nothing from
the main process (no open gradebook, no threads, no file descriptors a kernel could reach).
``--cluster ADDRESS`` hands the same ``run_job`` to a ``dask.distributed.Client``; the workers there
need this repository and bubblewrap like the local machine.
"""

import concurrent.futures
import multiprocessing
import os

from autograder import lifetime


class LocalPool:
    """``workers`` processes on this machine (default: one per core)."""

    def __init__(self, workers=None):
        self.workers = workers or os.cpu_count() or 1
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["autograder.pipeline"])
        self.executor = concurrent.futures.ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                                               initializer=lifetime.die_with,
                                                               initargs=(os.getpid(),))  # no orphan workers
        self.jobs = {}

    @property
    def pending(self):
        return bool(self.jobs)

    def submit(self, fn, job, priority=0):
        self.jobs[self.executor.submit(fn, job)] = job

    def next_done(self):
        """Block until at least one job finished; return ``[(job, future), ...]``."""
        done, _ = concurrent.futures.wait(list(self.jobs), return_when=concurrent.futures.FIRST_COMPLETED)
        return [(self.jobs.pop(f), f) for f in done]

    def close(self):
        self.executor.shutdown(wait=True, cancel_futures=True)

    def describe(self):
        return f"{self.workers} local worker process(es)"


class DaskPool:
    """Jobs on a dask.distributed scheduler at ``address`` (e.g. ``tcp://host:8786``)."""

    def __init__(self, address):
        from distributed import Client, as_completed

        self.owns_client = not isinstance(address, Client)
        self.client = Client(address) if self.owns_client else address
        self.completed = as_completed()
        self.jobs = {}

    @property
    def pending(self):
        return bool(self.jobs)

    def submit(self, fn, job, priority=0):
        future = self.client.submit(fn, job, pure=False, priority=priority)
        self.jobs[future.key] = job
        self.completed.add(future)

    def next_done(self):
        """Block until a job finished; return ``[(job, future)]``."""
        future = next(self.completed)
        return [(self.jobs.pop(future.key), future)]

    def close(self):
        if self.owns_client:
            self.client.close()

    def describe(self):
        workers = len(self.client.scheduler_info().get("workers", {}))
        return f"dask cluster at {self.client.scheduler.address} ({workers} worker(s))"


def make_pool(workers=None, cluster=None):
    """A :class:`DaskPool` when ``cluster`` (address or Client) is given, else a :class:`LocalPool`."""
    return DaskPool(cluster) if cluster is not None else LocalPool(workers)
