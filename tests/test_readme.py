"""The README stays true: its two set-up commands and its command list match the CLI."""

from __future__ import annotations

import re
from pathlib import Path

from spacekg.cli import COMMANDS, build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_first_screen_gives_exactly_two_setup_commands() -> None:
    first_screen = README.split("\n---\n", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", first_screen, re.S)
    commands = [line for block in blocks for line in block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    assert "spacekg build" in commands[0] and "spacekg serve" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "# 2. install" in README and "# 2\\. install" in ci


def test_command_reference_lists_every_cli_command() -> None:
    listed = set(re.findall(r"^\| `spacekg (\w+)", README, re.M))
    parser_commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert listed == set(COMMANDS) == parser_commands


def test_every_documented_exit_code_is_one_the_errors_use() -> None:
    from spacekg import errors

    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", README, re.M)}
    used = {cls.exit_code for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.SpaceKGError)}
    assert used <= documented
