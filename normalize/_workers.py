"""Process pools for the batch stages (the document signatures).

Callers keep the order of their batches, so results never depend on the
number of workers.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from concurrent.futures import Future
from multiprocessing.pool import Pool

#: What the forkserver imports once, before it forks each worker: the
#: caller's main module (else every worker imports it again, ``tanqiya``'s
#: CLI included) and tanqiya's stages.
_PRELOAD = ["__main__", "normalize.clean"]  # and through it dedup, lines, text


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


class BackgroundPool:
    """:func:`start_pool` in a background thread. Starting the workers takes
    a few tenths of a second (the forkserver imports tanqiya first); the
    caller does the first batches itself meanwhile, whenever :attr:`ready`
    is False, so a small input never waits for workers it hardly needs.

    >>> pool = BackgroundPool(2)
    >>> pool.get().apply(abs, (-3,))
    3
    >>> pool.terminate()
    """

    def __init__(self, processes: int) -> None:
        self._future: Future[Pool] = Future()
        threading.Thread(
            target=self._start, args=(processes,), name="tanqiya-pool-start", daemon=True
        ).start()

    def _start(self, processes: int) -> None:
        try:
            self._future.set_result(start_pool(processes))
        except BaseException as error:  # handed to whoever calls get()
            self._future.set_exception(error)

    @property
    def ready(self) -> bool:
        """Whether :meth:`get` returns at once (the workers are up, or
        starting them failed and :meth:`get` raises why)."""
        return self._future.done()

    def get(self) -> Pool:
        """The pool, once its workers are up."""
        return self._future.result()

    def terminate(self) -> None:
        """Stop the workers, waiting for them to be up first (a worker still
        starting when this process exits would fail, loudly)."""
        if self._future.exception() is None:
            self._future.result().terminate()
