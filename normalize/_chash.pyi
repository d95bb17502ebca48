"""Types of the optional native core of the fast MinHash mode (normalize/_chash.c)."""

from _typeshed import ReadableBuffer, WriteableBuffer

def word_shingles(texts: list[str], ngram: int, /) -> tuple[bytearray, bytearray]: ...
def affine_min(
    values: ReadableBuffer,
    offsets: ReadableBuffer,
    a: ReadableBuffer,
    b: ReadableBuffer,
    out: WriteableBuffer,
    wide: bool,
    /,
) -> None: ...
