"""The optional native core (normalize/_cmap.c); everything else is in pyproject.toml.

The extension is ``optional``: where no C compiler is found the install goes on
without it and tanqiya runs on its numpy engine (see normalize/_native.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "normalize._cmap",
            sources=["normalize/_cmap.c"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
