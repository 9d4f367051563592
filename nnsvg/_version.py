"""The package version, read by the build and by ``nnsvg --version``."""

__version__ = "0.1.0"
