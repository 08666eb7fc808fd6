"""``python -m chipkg.bench``: one measurement (``--phase NAME KEY=VALUE …``) or the whole bench."""

from chipkg.bench.commands import main

main()
