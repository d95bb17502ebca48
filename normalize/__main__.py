"""The ``tanqiya`` console script and ``python -m normalize``.

It starts the CLI (:func:`normalize.cli.run`) with one OpenBLAS thread unless
the environment sets another number: tanqiya never multiplies large matrices,
and numpy's import then skips starting a BLAS thread per core (20 ms of every
run), which the worker processes would otherwise be forked beside.
"""

from __future__ import annotations

import os


def main() -> None:
    """Run the ``tanqiya`` command."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from normalize.cli import run  # after the variable: it imports numpy

    run()


if __name__ == "__main__":
    main()
