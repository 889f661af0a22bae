"""The sample-data and workers commands: help, and clear errors for bad input."""

from click.testing import CliRunner
from groundtruth_operator.cli import main


def test_help_documents_the_options() -> None:
    runner = CliRunner()
    simulate = runner.invoke(main, ["workers", "simulate", "--help"])
    assert simulate.exit_code == 0
    for option in ("--endpoint", "--workteam", "--workers", "--accuracy", "--seed", "--until-done"):
        assert option in simulate.output
    sample = runner.invoke(main, ["sample-data", "--help"])
    assert sample.exit_code == 0 and "--bucket" in sample.output


def test_sample_data_refuses_unknown_or_too_few_labels() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["sample-data", "--bucket", "b", "--labels", "circle,blob"])
    assert result.exit_code == 2
    assert "need at least 2 distinct shapes" in result.output
    result = runner.invoke(main, ["sample-data", "--bucket", "b", "--labels", "circle"])
    assert result.exit_code == 2


def test_simulate_names_a_missing_workteam(local_gt) -> None:
    result = CliRunner().invoke(
        main,
        ["workers", "simulate", "--endpoint", local_gt.endpoint, "--workteam", "no-such-team"],
        env=local_gt.env,
    )
    assert result.exit_code == 1
    assert "Work team 'no-such-team' not found" in result.output


def test_simulate_refuses_an_accuracy_outside_0_1() -> None:
    result = CliRunner().invoke(
        main, ["workers", "simulate", "--workteam", "t", "--accuracy", "1.5"]
    )
    assert result.exit_code == 2 and "--accuracy" in result.output
