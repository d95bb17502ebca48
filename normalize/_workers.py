"""Process pools for the batch stages (every pass of ``tanqiya clean``, the
document signatures of ``tanqiya dedup``).

Callers keep the order of their batches, so results never depend on the
number of workers.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from multiprocessing.pool import AsyncResult, Pool
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

#: tasks waiting per worker: enough that a worker finds one when it is done,
#: whichever task the caller waits for (tasks of one kind differ in length)
_IN_FLIGHT = 4

#: What the forkserver imports once, before it forks each worker: the
#: caller's main module (else every worker imports it again, ``tanqiya``'s
#: CLI included) and tanqiya's stages.
_PRELOAD = ["__main__", "normalize.clean"]  # and through it dedup, lines, text


def start_pool(processes: int, warm_up: Callable[[], object] | None = None) -> Pool:
    """A pool of ``processes`` workers that ignore Ctrl-C (the caller gets
    KeyboardInterrupt and terminates them, without one traceback per worker)
    and each call ``warm_up()`` first, if given: whatever a worker builds on
    its first task (a plan's tables) is built while the caller reads that task.

    On Linux, called from a process with no other thread, the workers are
    forked from it: they start in milliseconds with everything it imported
    and built (a plan's tables among them). Otherwise, where the platform has
    a ``forkserver``, they fork from one that imported tanqiya's stages once
    (each starts without importing tanqiya and the caller's ``__main__``
    again, and none inherits the caller's threads); elsewhere they are spawned.
    """
    return _pool_context().Pool(processes, initializer=_start_worker, initargs=(warm_up,))


def _start_worker(warm_up: Callable[[], object] | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool stops workers with it
    if warm_up is not None:
        # a failure here would end the worker, and the pool would start
        # another one, forever; the first task meets the same error and
        # reports it
        with contextlib.suppress(Exception):
            warm_up()


def _forks_safely() -> bool:
    """Whether a fork here is safe: Linux (macOS's system libraries are not
    fork-safe) and no thread but this one, whose locks a child would inherit
    held."""
    return sys.platform == "linux" and threading.active_count() == 1


def _pool_context() -> multiprocessing.context.BaseContext:
    if _forks_safely():
        return multiprocessing.get_context("fork")
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


class BackgroundPool:
    """:func:`start_pool`, in a background thread unless the workers can be
    forked from here (then at once: a fork takes milliseconds, and a thread
    would make it unsafe). Starting a forkserver's workers takes a few tenths
    of a second (it imports tanqiya first); the caller does the first batches
    itself meanwhile, whenever :attr:`ready` is False, so a small input never
    waits for workers it hardly needs.

    >>> pool = BackgroundPool(2)
    >>> pool.get().apply(abs, (-3,))
    3
    >>> pool.terminate()
    """

    def __init__(self, processes: int, warm_up: Callable[[], object] | None = None) -> None:
        self._future: Future[Pool] = Future()
        if _forks_safely():
            self._start(processes, warm_up)
            return
        threading.Thread(
            target=self._start,
            args=(processes, warm_up),
            name="tanqiya-pool-start",
            daemon=True,
        ).start()

    def _start(self, processes: int, warm_up: Callable[[], object] | None) -> None:
        try:
            self._future.set_result(start_pool(processes, warm_up))
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


class Workers:
    """``count`` worker processes, started on first need (:meth:`start`) and
    shared by the :class:`OrderedTasks` queues of the stages that use them.

    >>> Workers(1).start() is None  # one process: everything runs here
    True
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: BackgroundPool | None = None

    def __repr__(self) -> str:
        return f"Workers({self.count})"

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.terminate()

    def start(self, warm_up: Callable[[], object] | None = None) -> BackgroundPool | None:
        """Start the processes now (the first task does otherwise): forked at
        once where :func:`start_pool` can, else in the background; each calls
        ``warm_up()`` (picklable) first. None when ``count`` is 1; when they
        are already up, the running pool."""
        if self._pool is None and self.count > 1:
            self._pool = BackgroundPool(self.count, warm_up)
        return self._pool

    def terminate(self) -> None:
        """Stop the processes (tasks still in them are lost); :meth:`start`
        makes new ones."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None


class OrderedTasks(Generic[R]):
    """Batch tasks run in :class:`Workers` (or here when there is one
    process, or while the workers are still starting), their results handed
    back in the order the tasks were given: the output never depends on the
    number of workers. At most ``4 * count`` tasks wait in the workers at
    once, so the caller reads its input no further ahead than that.

    >>> tasks = OrderedTasks[int](Workers(1))
    >>> [*tasks.submit(abs, -1), *tasks.submit(abs, -2), *tasks.drain()]
    [1, 2]
    """

    def __init__(self, workers: Workers) -> None:
        self.workers = workers
        self._pending: deque[AsyncResult[R]] = deque()

    def submit(self, work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> list[R]:
        """Run ``work(*args, **kwargs)``; return the results now due, in
        order (this one's at once when it ran here)."""
        pool = self.workers.start()
        if pool is None or (not pool.ready and not self._pending):  # no workers up: here
            return [work(*args, **kwargs)]
        self._pending.append(pool.get().apply_async(work, args, kwargs))
        due = []
        while len(self._pending) >= _IN_FLIGHT * self.workers.count:
            due.append(self._pending.popleft().get())
        return due

    def map(self, work: Callable[..., R], arguments: Iterable[tuple[object, ...]]) -> Iterator[R]:
        """``work(*args)`` for each of ``arguments`` (read lazily, one
        tuple at a time as results come back), the results in order."""
        for args in arguments:
            yield from self.submit(work, *args)
        yield from self.drain()

    def drain(self) -> list[R]:
        """Wait for the tasks still in the workers; their results, in order."""
        due = [result.get() for result in self._pending]
        self._pending.clear()
        return due

    def clear(self) -> None:
        """Forget the tasks still pending (after :meth:`Workers.terminate`)."""
        self._pending.clear()
