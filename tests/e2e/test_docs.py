"""The documentation works as written: every example in the README and in `--help` runs.

Each command example runs in-process against an archive holding the seed article and a few
small articles made here, from a folder that holds the files the examples name. The README's
Python examples (```pycon blocks) run as one doctest session in a new home, from the same folder.
"""

from __future__ import annotations

import doctest
import json
import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import REPO, SEED, Stack
from newsarchive.cli import cli

SEED_ID = "c3eaa81b31"  # the id `archive ingest seeds/ && archive search Kursk` shows on a fresh clone
OTHERS = [
    {"title": "Election in Kharkiv: turnout falls", "maintext": "Voters in Kharkiv went to the polls. " * 8,
     "date_publish": "2024-11-12T08:00:00Z", "authors": ["Anna Petrova"], "language": "en"},
    {"title": "Kremlin negotiators hint at peace talks", "maintext": "Negotiations over Kursk may begin. " * 8,
     "date_publish": "2024-11-20T10:30:00Z", "language": "en"},
    {"title": "Budget vote delayed again", "maintext": "The budget for next year and the election. " * 8,
     "date_publish": "2024-09-03", "language": "en"},
]
# Examples that are right but cannot succeed here, each with why and the exit it gets.
EXPECTED_EXIT: dict[str, int] = {
    "archive init --engine postgres": 2,  # (on an SQLite file: the postgres engine needs a server)
    "archive serve --host 0.0.0.0": 2,  # (its token comes in ARCHIVE_SERVE_TOKEN=..., which is dropped here)
}
#: Those that succeed on a server.
ON_A_SERVER = {"archive init --engine postgres"}


def command_lines(text: str) -> list[str]:
    """The `archive ...` commands of a shell snippet, a line's chain joined by " && ".

    Pipes and redirections are cut off, and a leading VAR=value
    (``ARCHIVE_HOME=/data/news``) is dropped: the example runs against the
    test's archive instead.
    """
    examples = []
    for line in text.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        chain = []
        for chained in _split(list(lexer), {"&&", ";"}):
            piped = _split(chained, {"|"})[0]
            while piped and re.fullmatch(r"[A-Z_]+=.*", piped[0]):
                piped = piped[1:]
            if piped and piped[0] in ("archive", ".venv/bin/archive"):
                chain.append(shlex.join(["archive", *_without_redirections(piped[1:])]))
        if chain:
            examples.append(" && ".join(chain))
    return examples


def _split(words: list[str], separators: set[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for word in words:
        if word in separators:
            parts.append([])
        else:
            parts[-1].append(word)
    return parts


def _without_redirections(words: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in (">", ">>", "<"):
            skip = True
        else:
            kept.append(word)
    return kept


def readme_blocks() -> list[tuple[str, str]]:
    """The README's fenced blocks: (language, text)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```([a-z]*)\n(.*?)^```", readme, flags=re.S | re.M)


def readme_examples() -> list[str]:
    return [command for language, block in readme_blocks() if language != "pycon" for command in command_lines(block)]


def help_examples(command: click.Command) -> list[str]:
    """The lines after "Examples:" in a command's help, up to the next blank line."""
    match = re.search(r"Examples:\n((?:[ \t]+\S.*\n?)+)", command.help or "")
    return command_lines(match.group(1)) if match else []


def commands() -> dict[str, click.Command]:
    """Every command of `archive`, each loaded as running it would."""
    context = click.Context(cli)
    return {name: command for name in cli.list_commands(context) if (command := cli.get_command(context, name))}


def all_examples() -> list[str]:
    examples = readme_examples() + help_examples(cli)
    examples += [example for command in commands().values() for example in help_examples(command)]
    return list(dict.fromkeys(examples))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, stack: Stack) -> tuple[Path, str | None]:
    """A working folder with the files the examples name, and an archive (``home``, and its database on a server)
    made from them."""
    folder = tmp_path_factory.mktemp("docs")
    (folder / "seeds").mkdir()
    shutil.copy(SEED, folder / "seeds")
    sport = folder / "corpora" / "bbc" / "sport"
    sport.mkdir(parents=True)
    (sport / "001.txt").write_text(
        "Arsenal win at home\n\nArsenal beat their rivals on Sunday.\n\nThe match ended two goals to one.\n",
        encoding="utf-8",
    )
    ukr = folder / "downloads" / "ukr"
    ukr.mkdir(parents=True)
    (ukr / "001.txt").write_text(
        "Kyiv trams run again\nThe city's trams are back.\n12 November 2024 07:45\nService resumed at dawn.\n",
        encoding="utf-8",
    )
    (folder / "export.dump").write_text(
        json.dumps({"title": "A dumped article", "maintext": "Text from a dump file. " * 5}) + "\n", encoding="utf-8"
    )
    (folder / "others.jsonl").write_text("".join(json.dumps(item) + "\n" for item in OTHERS), encoding="utf-8")
    home = str(folder / "home")
    database = stack.database()
    runner = CliRunner(env=stack.settings(database))
    for args in (["ingest", folder / "seeds"], ["ingest", "--source", "werstka", folder / "others.jsonl"]):
        result = runner.invoke(cli, ["--home", home, *map(str, args), "--json"])
        assert result.exit_code == 0, result.output
    (folder / "others.jsonl").unlink()
    found = runner.invoke(cli, ["--home", home, "search", "title:ultimatum", "--json"])
    assert [hit["id"] for hit in json.loads(found.stdout)["hits"]] == [SEED_ID], (
        "the seed article's id changed (its text or date is hashed differently): "
        "put the new one in the README, the --help examples and SEED_ID"
    )
    return folder, database


@pytest.mark.parametrize("example", all_examples())
def test_every_documented_example_runs(
    example: str,
    template: tuple[Path, str | None],
    tmp_path: Path,
    archive_home: Path,
    archive,
    monkeypatch: pytest.MonkeyPatch,
    stack: Stack,
) -> None:
    folder, database = template
    workspace = tmp_path / "work"
    shutil.copytree(folder, workspace, ignore=shutil.ignore_patterns("home"))
    shutil.copytree(folder / "home", archive_home)
    for name, value in stack.settings(stack.copy(database)).items():  # (on a server, a copy of its database too)
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(workspace)
    served = _serve_briefly(monkeypatch)
    for command in example.split(" && "):
        served.clear()
        server = stack.server is not None and command in ON_A_SERVER
        archive(*shlex.split(command)[1:], expect=0 if server else EXPECTED_EXIT.get(command, 0))
        if command.startswith("archive serve") and command not in EXPECTED_EXIT:
            assert served, f"{command} did not get as far as serving"


def _serve_briefly(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """`archive serve` examples run up to where the server would start listening (its options read, the
    archive opened), not forever: what they would serve is recorded in the list returned."""
    from newsarchive.web import server

    class Listening:
        def getsockname(self) -> tuple[str, int]:
            return ("127.0.0.1", 8000)

    served: list[dict[str, object]] = []
    monkeypatch.setattr(server, "listen", lambda host, port: Listening())
    monkeypatch.setattr(server, "run", lambda settings, listening, **options: served.append({"settings": settings, **options}))
    monkeypatch.setattr("webbrowser.open", lambda url: True)
    return served


def test_the_examples_are_found() -> None:
    examples = all_examples()
    assert f"archive show {SEED_ID}" in examples and "archive ingest seeds/" in examples
    assert "archive info --json" in examples  # (ARCHIVE_HOME=/data/news dropped)
    assert "archive search budget --json" in examples  # (| jq ... cut off)
    assert command_lines("python3 -m venv .venv && .venv/bin/archive ingest seeds/ # here\njq . x") == [
        "archive ingest seeds/"
    ]


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_has_help_with_examples(name: str, archive) -> None:
    assert re.search(r"\n\s+Examples:\n", archive(name, "--help").stdout)
    examples = help_examples(commands()[name])
    assert any(example.startswith(f"archive {name}") for example in examples), examples


def test_the_python_examples_run(
    template: tuple[Path, str | None], tmp_path: Path, archive_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = "".join(block for language, block in readme_blocks() if language == "pycon")
    assert "newsarchive.open()" in session
    workspace = tmp_path / "work"
    shutil.copytree(template[0], workspace, ignore=shutil.ignore_patterns("home"))
    monkeypatch.chdir(workspace)
    assert not archive_home.exists()  # (the examples make it)
    test = doctest.DocTestParser().get_doctest(session, {}, "README.md python examples", "README.md", 0)
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=report.append)
    assert runner.failures == 0 and runner.tries > 5, "".join(report)


def architecture_paths() -> list[tuple[str, list[Path]]]:
    """Every folder and module the README's Architecture section names, with where each may be.

    A name is looked for in the repository, in the package and in the folders named before it in
    its paragraph (the diagram counts as one): ``discover.py`` after ``reading/`` is ``reading/discover.py``.
    """
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    package = REPO / "src" / "newsarchive"
    named: list[tuple[str, list[Path]]] = []
    pieces = re.split(r"(^```.*?^```)", section, flags=re.S | re.M)
    paragraphs = [part for piece in pieces for part in ([piece] if piece.startswith("```") else piece.split("\n\n"))]
    for paragraph in paragraphs:
        if paragraph.startswith("```"):
            words = [word.strip(",()") for word in paragraph.split()]
        else:
            words = re.findall(r"`([^`\s]+)`", paragraph)
        folders = [REPO, package]
        for word in words:
            if not re.fullmatch(r"[\w./]+(?:/|\.py)", word):
                continue
            named.append((word, list(folders)))
            if word.endswith("/"):
                folders += [base / word for base in folders if (base / word).is_dir() and base / word not in folders]
    return named


def test_every_path_the_architecture_section_names_exists() -> None:
    named = architecture_paths()
    words = {word for word, _ in named}
    assert {"reading/", "formats/sniff.py", "engines/protocol.py", "query/tree.py", "highlight.py"} <= words
    missing = [
        word for word, folders in named
        if not any((folder / word).exists() for folder in folders)
    ]
    assert not missing, f"the README's Architecture section names paths that do not exist: {missing}"
