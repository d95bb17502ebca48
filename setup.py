"""The optional native cores; everything else is in pyproject.toml.

- ``normalize/_cmap.c``: the normalization passes (see normalize/_native.py);
- ``normalize/_chash.c``: word shingle hashes and MinHash minimums (see
  normalize/shingles.py and normalize/minhash.py), at -O3 so that its hot loop
  is vectorized.

Both are ``optional``: where no C compiler is found the install goes on
without them and tanqiya runs the same computations in numpy.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "normalize._cmap",
            sources=["normalize/_cmap.c"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
        Extension(
            "normalize._chash",
            sources=["normalize/_chash.c"],
            extra_compile_args=["-O3"],
            optional=True,
        ),
    ]
)
