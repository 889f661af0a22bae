"""The root command line: help and version work without any optional part running."""

from click.testing import CliRunner
from groundtruth_operator import __version__
from groundtruth_operator.cli import main


def test_version_is_printed() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_every_subcommand() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("local", "workers", "operator", "demo", "sample-data"):
        assert name in result.output
