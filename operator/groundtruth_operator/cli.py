"""The `groundtruth` command line: one entry point for every part of the project.

Subcommand groups live next to the code they drive and are imported only when used, so
`groundtruth --help` stays fast and a broken optional part cannot take the whole CLI down.
"""

from __future__ import annotations

import importlib

import click

from groundtruth_operator import __version__

# name -> "module:attribute" of a click command or group.
SUBCOMMANDS: dict[str, str] = {
    "local": "groundtruth_local.cli:local",
    "workers": "groundtruth_local.workers.cli:workers",
    "sample-data": "groundtruth_local.sample_data:sample_data",
    "operator": "groundtruth_operator.operator_cli:operator",
    "demo": "groundtruth_operator.demo:demo",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            # Not every part exists in every checkout yet; say so instead of a traceback.
            if error.name and module_name.startswith(error.name):
                return _unavailable(cmd_name, module_name)
            raise
        command: click.Command = getattr(module, attribute)
        return command


def _unavailable(cmd_name: str, module_name: str) -> click.Command:
    @click.command(cmd_name, help=f"(unavailable: {module_name} is not installed)")
    def unavailable() -> None:
        raise click.ClickException(f"`groundtruth {cmd_name}` needs {module_name}.")

    return unavailable


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="groundtruth")
def main() -> None:
    """Declarative SageMaker Ground Truth labeling: operator, local Ground Truth and demo."""
