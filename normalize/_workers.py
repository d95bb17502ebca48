"""Process pools for the batch stages (the document signatures).

Callers keep the order of their batches, so results never depend on the
number of workers.
"""

from __future__ import annotations

import multiprocessing
import signal
from multiprocessing.pool import Pool

#: What the forkserver imports once, before it forks each worker.
_PRELOAD = ["normalize.clean"]  # and through it dedup, lines, text


def start_pool(processes: int) -> Pool:
    """A pool of ``processes`` workers that ignore Ctrl-C (the caller gets
    KeyboardInterrupt and terminates them, without one traceback per worker).

    Where the platform has a ``forkserver``, the workers fork from one that
    imported tanqiya's stages once: each starts in milliseconds, instead of
    importing tanqiya and the caller's ``__main__`` again, and none inherits
    the caller's threads. Elsewhere they are spawned.
    """
    forkserver = "forkserver" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if forkserver else "spawn")
    if forkserver:
        context.set_forkserver_preload(_PRELOAD)
    return context.Pool(
        processes, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN)
    )
