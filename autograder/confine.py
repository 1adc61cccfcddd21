"""Run a command inside a pids cgroup: ``python -I -S confine.py CGROUP_FOLDER -- COMMAND ...``.

The first process of every sandbox (see :mod:`autograder.cgroup`): it moves itself into the cgroup, then
``exec``\\ s the command (``bwrap ...``), so the sandbox and everything it forks are counted there from the
very first instruction on; no process of the sandbox ever runs outside its limit. Started by path with
``-I -S`` (no site packages, no environment): it needs nothing but :mod:`os` and starts in milliseconds.
"""

import os
import sys


def main(argv):
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write("usage: confine.py CGROUP_FOLDER -- COMMAND [ARG ...]\n")
        return 2
    folder, command = argv[0], argv[2:]
    try:
        with open(os.path.join(folder, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    except OSError as exc:
        sys.stderr.write(f"autograder confine: cannot enter the pids cgroup {folder}: {exc}; not starting "
                         f"{command[0]} without its process limit\n")
        return 126
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
