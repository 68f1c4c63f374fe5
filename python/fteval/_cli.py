"""The ``fteval`` command that the wheel puts on PATH: the same command line as the Rust binary."""

import sys

from fteval._fteval import run_cli


def main() -> None:
    """Runs ``fteval`` with this process's arguments and exits with its exit code."""
    run_cli(["fteval", *sys.argv[1:]])
