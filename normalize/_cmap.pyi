"""Types of the optional native core (normalize/_cmap.c)."""

def map_text(
    text: str,
    table: bytes,
    classes: bytes,
    expansions: dict[int, str],
    mode: int,
    abort: bool,
    ccc: bytes | None,
    /,
) -> tuple[str | None, int]: ...
def map_texts(
    texts: list[str],
    table: bytes,
    classes: bytes,
    expansions: dict[int, str],
    mode: int,
    abort: bool,
    ccc: bytes | None,
    /,
) -> tuple[list[str | None], bytes]: ...
