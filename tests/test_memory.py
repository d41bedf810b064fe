import sys
from pathlib import Path

import pytest

from newsweave.memory import heap_trimmer


def _anonymous_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    raise AssertionError("no RssAnon in /proc/self/status")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap")
def test_the_trimmer_returns_free_pages_from_the_middle_of_the_heap() -> None:
    # Blocks above the interpreter's small-object limit come from the C heap. Keeping every 64th
    # pins the heap's top, so what is freed below it stays resident until trimmed.
    blocks = [bytearray(2048) for _ in range(80_000)]  # about 160 MiB
    kept = blocks[::64]
    del blocks
    before = _anonymous_kib()
    heap_trimmer()()
    after = _anonymous_kib()
    assert before - after > 64 * 1024, (before, after)
    assert len(kept) == 1250
