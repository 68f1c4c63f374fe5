"""The Python suite runs against the installed wheel: refuse to import fteval from the source tree."""

import os

import fteval


def pytest_report_header(config):
    return f"fteval {fteval.__version__} from {os.path.dirname(fteval.__file__)}"


def pytest_configure(config):
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if os.path.abspath(fteval.__file__).startswith(os.path.join(here, "python")):
        raise RuntimeError("fteval was imported from the source tree; install the wheel (pip install .) and run pytest from tests/python")


def installed_cli():
    """The fteval command the wheel installed next to this interpreter (or on PATH)."""
    import shutil
    import sys

    here = os.path.join(os.path.dirname(sys.executable), "fteval")
    return here if os.path.exists(here) else shutil.which("fteval")
