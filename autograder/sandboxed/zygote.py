"""The warm-kernel zygote: runs inside the sandbox (as the init of its PID namespace), loaded by path.

Started by :class:`autograder.warm.Zygote` as ``python zygote.py '["numpy", ...]'``: imports the modules
named on the command line once, IPython and ipykernel, marks itself non-dumpable, prints ``{"ready": true}``
and then answers one JSON command per line on stdin (``spawn``, ``poll``, ``signal``, ``reset``; see
:mod:`autograder.warm`). Only the standard library and the preloaded modules: the sandbox cannot import
:mod:`autograder`.
"""

import ctypes
import importlib
import json
import os
import shutil
import signal
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
children = set()
exited = {}
CLEAN = [os.environ.get("HOME", "/home/student"), "/tmp", "/dev/shm"]


def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        exited[pid] = os.waitstatus_to_exitcode(status)


def spawn(cmd):
    pid = os.fork()
    if pid:
        children.add(pid)
        return {"pid": pid}
    try:
        os.setsid()
        libc.prctl(4, 1, 0, 0, 0)
        null = os.open(os.devnull, os.O_RDONLY)
        log = os.open(cmd["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, 65536)
        os.chdir(cmd["cwd"])
        sys.argv = ["ipykernel_launcher"] + cmd["argv"]
        import ipykernel.kernelapp

        ipykernel.kernelapp.IPKernelApp.launch_instance()
    finally:
        os._exit(0)


def reset():
    for _ in range(3):  # we are pid 1 of this namespace: kill(-1) reaches every other process in it
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        time.sleep(0.05)
        reap()
    children.clear()
    exited.clear()
    removers = {"shm": lambda i: libc.shmctl(i, 0, None), "msg": lambda i: libc.msgctl(i, 0, None),
                "sem": lambda i: libc.semctl(i, 0, 0)}  # IPC_RMID
    for kind, remove in removers.items():
        try:
            for line in open(f"/proc/sysvipc/{kind}").read().splitlines()[1:]:
                remove(int(line.split()[1]))
        except (OSError, ValueError, IndexError):
            pass
    for folder in CLEAN:
        for entry in os.listdir(folder) if os.path.isdir(folder) else []:
            path = os.path.join(folder, entry)
            try:
                shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.unlink(path)
            except OSError:
                pass
    return {"ok": True}


def main():
    sys.path[0] = ""  # as ``python -c``: the kernel's imports start in its working folder, not in this folder
    for name in json.loads(sys.argv[1]):
        try:
            importlib.import_module(name)
        except Exception as exc:
            print(json.dumps({"warning": f"preload {name}: {type(exc).__name__}: {exc}"}), flush=True)
    import IPython  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401

    libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: kernels cannot ptrace or read the zygote
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        reap()
        op = cmd["op"]
        if op == "spawn":
            reply = spawn(cmd)
        elif op == "poll":
            pid = cmd["pid"]
            reply = {"code": exited[pid] if pid in exited else None if pid in children else -9}
        elif op == "signal":
            if cmd["pid"] in children and cmd["pid"] not in exited:
                try:
                    os.kill(cmd["pid"], cmd["signal"])
                except OSError:
                    pass
            reply = {"ok": True}
        elif op == "reset":
            reply = reset()
        else:
            reply = {"error": f"unknown op {op}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
