"""``python -m nnsvg``: the same as the ``nnsvg`` command."""

from nnsvg.cli import main

if __name__ == "__main__":
    main()
