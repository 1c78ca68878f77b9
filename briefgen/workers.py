"""Forked helper processes that end with the process that started them, even on kill -9."""

from __future__ import annotations

import os
import sys


def can_fork() -> bool:
    """Whether a worker may take work off this process: forking exists, and a second core."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def fork_pool():
    """A one-worker process pool, forked, whose worker dies with this process.

    A forked worker holds both ends of its task pipe, so when its parent is killed no
    end-of-file ever comes: without this it would wait for work forever.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                               initializer=die_with_parent, initargs=(os.getpid(),))


def die_with_parent(parent: int) -> None:
    """Run in a new worker: have it killed when `parent` ends, however it ends."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1  # <linux/prctl.h>
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    else:  # elsewhere, watch for the parent's end: then this process is someone else's child
        import threading
        import time

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent ended before the request above was in place
        os._exit(1)
