"""SIGKILL during `spacekg build`: whatever the moment, `current` stays on a complete release.

The console script builds a copy of the tiny project again and again and is killed with SIGKILL: at random moments
across a whole build (a fixed seed, printed), and right when the publish step reaches a point of interest
(the scratch folder, its dumps, its store, its manifest, the renamed release, the switched link). After
each kill `current` points at the release it pointed at before, or at a complete new one if the kill
came after the switch; every release ever published is byte-identical to what it was; and the next
build succeeds and leaves no scratch folder or pending link behind.

Where the kills landed goes to test-artifacts/faults.json. The last tests pin what SIGKILL cannot show:
the flush order that protects a release from a power loss, the removal of every leftover of an
interrupted build, and a releases folder that cannot be written.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import SPACEKG, cli_environment, record_figures, release_fingerprint, run_cli_build
from spacekg.cli import main
from spacekg.errors import BuildInProgress, SpaceKGError
from spacekg.pipeline import build
from spacekg.settings import Settings
from spacekg.store.releases import BUILDING_PREFIX, CURRENT, LOCK_FILE, current_release, publish

SEED = 20261122
RANDOM_KILLS = 2  # at a random moment of an unchanged rebuild (validation report reused)
CHANGED_INPUT_KILLS = 1  # at a random moment of a rebuild whose input changed (validation runs again)
EXTRA_KILLS = 3  # further random ones, run only while fewer than MIN_KILLS builds were killed
MIN_KILLS = 8  # builds that finish before their kill do not count
# Points of the publish step to kill at, each checked for by polling the releases folder.
PUBLISH_POINTS = ("scratch folder created", "dumps being written", "store being loaded", "manifest written",
                  "release renamed into place", "current switched")

# The stage a build was in, from the last progress line it printed before it was killed.
# Validation starts first and runs beside reasoning and loading (Jena in its own process); then dumps and the switch.
STAGES = (("reading ontology", "read"), ("mapping", "map"), ("asserted graph", "validate"), ("validating with", "validate"),
          ("validating against", "validate and reason"), ("reasoning", "validate and reason"), ("inferred graph", "validate and load"),
          ("loading the store", "validate and load"), ("validation:", "dumps, store, manifest, switch"),
          ("writing dumps", "dumps, store, manifest, switch"), ("published release", "after the switch"))


@dataclass
class Kill:
    """One killed build: what triggered the kill, the stage it was in, and what it left."""

    trigger: str
    delay: float
    stage: str
    outcome: str


def stage_of(stderr: str) -> str:
    last = [line[2:] for line in stderr.splitlines() if line.startswith("· ")]
    if not last:
        return "start-up (imports, settings)"
    return next((stage for prefix, stage in STAGES if last[-1].startswith(prefix)), last[-1])


def releases_in(releases: Path) -> set[str]:
    return {path.name for path in releases.iterdir() if path.is_dir() and not path.is_symlink() and not path.name.startswith(".")}


def verify_complete(release: Path) -> None:
    """A release is complete: manifest, dumps matching SHA256SUMS and manifest, and a store with the manifest's counts."""
    manifest = json.loads((release / "release.json").read_text(encoding="utf-8"))
    assert manifest["release_id"] == release.name
    sums = dict(reversed(line.split("  ")) for line in (release / "dumps" / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    assert sums == manifest["dumps"]
    for name, digest in sums.items():
        assert hashlib.sha256((release / "dumps" / name).read_bytes()).hexdigest() == digest, name
    store = ox.Store.read_only(str(release / "store"))
    counts = {str(row["g"].value): int(row["n"].value) for row in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    assert counts == {graph: n for graph, n in manifest["graphs"].items() if n}
    del store


def publish_point(releases: Path, point: str, known: set[str], current_before: str) -> Callable[[], bool]:
    """A check that is true once the build has reached `point` of the publish step (stale scratch folders aside)."""
    stale = set(releases.glob(BUILDING_PREFIX + "*"))

    def scratch() -> list[Path]:
        return [path for path in releases.glob(BUILDING_PREFIX + "*") if path not in stale]

    checks: dict[str, Callable[[], bool]] = {
        "scratch folder created": lambda: bool(scratch()),
        "dumps being written": lambda: any((s / "dumps").exists() for s in scratch()),
        "store being loaded": lambda: any((s / "store").exists() for s in scratch()),
        "manifest written": lambda: any((s / "release.json").exists() for s in scratch()),
        "release renamed into place": lambda: bool(releases_in(releases) - known),
        "current switched": lambda: os.readlink(releases / CURRENT) != current_before,
    }
    return checks[point]


def kill_build(project: Path, trigger: str, delay: float, reached: Callable[[], bool] | None) -> tuple[int, str, float]:
    """Start `spacekg build`, SIGKILL it after `delay` seconds or once `reached()`; return (exit status, stderr, seconds)."""
    with tempfile.TemporaryFile() as stderr:
        started = time.monotonic()
        process = subprocess.Popen([str(SPACEKG), "--project", str(project), "build"], stdout=subprocess.DEVNULL, stderr=stderr,
                                   cwd=project, env=cli_environment(measured=False), start_new_session=True)
        if reached is None:
            time.sleep(delay)
        else:
            while process.poll() is None and not reached() and time.monotonic() - started < 120:
                time.sleep(0.001)
        try:
            os.killpg(process.pid, signal.SIGKILL)  # a build that already exited is a zombie until waited: no effect
        except ProcessLookupError:
            pass
        code = process.wait()
        stderr.seek(0)
        return code, stderr.read().decode(errors="replace"), time.monotonic() - started


@pytest.mark.slow
def test_sigkill_at_any_point_of_a_build_leaves_current_on_a_complete_release(tiny_project: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Slow by nature: each of its 9 to 12 kills is a whole `spacekg build` process (start-up, imports and a build of the
    tiny project, a second or two), started and killed one after the other, and then checked byte for byte."""
    # Every release stays, so that each one can be checked byte for byte after every kill (pruning has its own tests).
    monkeypatch.setenv("SPACEKG_KEEP_RELEASES", "0")
    project, releases = tiny_project.project_dir, tiny_project.releases
    suite_started = time.monotonic()
    # Unmeasured by coverage, like the builds it kills: the random kill moments are drawn from these builds' times.
    first = run_cli_build(project, measured=False)  # validation runs: the longest build
    assert first.code == 0, first.stderr
    second = run_cli_build(project, measured=False)  # unchanged inputs: the validation report is reused
    assert second.code == 0, second.stderr
    previous = os.readlink(releases / CURRENT)
    published = {name: release_fingerprint(releases / name) for name in releases_in(releases)}
    print(f"kill schedule seed {SEED}; builds take {first.seconds:.1f} s (validating) and {second.seconds:.1f} s (report reused)")

    rng = random.Random(SEED)
    schedule = ([("random", rng.uniform(0.0, second.seconds), False) for _ in range(RANDOM_KILLS)]
                + [("random, input changed", rng.uniform(0.0, first.seconds), True) for _ in range(CHANGED_INPUT_KILLS)]
                + [(point, 0.0, False) for point in PUBLISH_POINTS])
    rng.shuffle(schedule)
    schedule += [("random, extra", rng.uniform(0.0, second.seconds), False) for _ in range(EXTRA_KILLS)]
    events = project / "data" / "events.csv"
    original_events = events.read_bytes()
    kills: list[Kill] = []
    finished_before_kill = 0
    for run, (trigger, delay, change_input) in enumerate(schedule):
        if run >= len(schedule) - EXTRA_KILLS and len(kills) >= MIN_KILLS:
            break
        # A blank line changes the file's checksum, hence the validation key, but not a single record.
        events.write_bytes(original_events + b"\n" if change_input else original_events)
        reached = publish_point(releases, trigger, set(published), previous) if trigger in PUBLISH_POINTS else None
        stale = set(releases.glob(BUILDING_PREFIX + "*"))  # left by an earlier kill; this build removes them when it publishes
        code, stderr, _ = kill_build(project, trigger, delay, reached)
        current = os.readlink(releases / CURRENT)
        new = releases_in(releases) - set(published)
        if code == 0:  # the build ended before the kill: a normal release
            finished_before_kill += 1
            outcome = "finished before the kill"
        else:
            assert code == -signal.SIGKILL, stderr
            assert "Traceback" not in stderr, stderr
            if current != previous:
                outcome = "killed after the switch: current is the new release"
            elif new:
                outcome = "killed between rename and switch: new release left unpublished"
            elif set(releases.glob(BUILDING_PREFIX + "*")) - stale:
                outcome = "killed while filling the scratch folder"
            else:
                outcome = "killed before publishing"
            kills.append(Kill(trigger, round(delay, 3), stage_of(stderr), outcome))
        assert current == previous or current in new, f"current points at {current}, neither the previous release nor a new one"
        verify_complete(releases / current)
        assert release_fingerprint(releases / previous) == published[previous], f"release {previous} changed after a kill ({trigger})"
        for name in new:  # complete releases that the kill left, switched in or not, must never change either
            verify_complete(releases / name)
            published[name] = release_fingerprint(releases / name)
        previous = current

    events.write_bytes(original_events)
    final = run_cli_build(project)
    assert final.code == 0, final.stderr
    assert not list(releases.glob(BUILDING_PREFIX + "*")), "a stale scratch folder survived the next build"
    assert not list(releases.glob(f".{CURRENT}-*")), "a stale pending link survived the next build"
    verify_complete(releases / os.readlink(releases / CURRENT))
    for name, fingerprint in published.items():
        assert release_fingerprint(releases / name) == fingerprint

    assert len(kills) >= MIN_KILLS, f"only {len(kills)} builds were killed; {finished_before_kill} finished first"
    by_stage = Counter(kill.stage for kill in kills)
    by_outcome = Counter(kill.outcome for kill in kills)
    print(f"{len(kills)} kills survived; by stage {dict(by_stage)}; by outcome {dict(by_outcome)}")
    record_figures("sigkill", {
        "seed": SEED, "kills_survived": len(kills), "finished_before_kill": finished_before_kill,
        "build_seconds": {"validating": round(first.seconds, 1), "report_reused": round(second.seconds, 1)},
        "kills_by_stage": dict(sorted(by_stage.items())), "kills_by_outcome": dict(sorted(by_outcome.items())),
        "kills": [kill.__dict__ for kill in kills], "test_seconds": round(time.monotonic() - suite_started, 1)})


def test_a_release_is_flushed_to_disk_before_it_is_switched_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression for the power-loss window, which SIGKILL cannot show: without fsync a crash after the
    switch could leave `current` on files that never reached the disk. The operating system's fsync is
    observed (and still called) to check that publish flushes every file, then the folders bottom-up,
    then the releases folder after the rename and again after the switch."""
    flushed: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        flushed.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    def fill(folder: Path) -> dict[str, object]:
        (folder / "dumps").mkdir()
        (folder / "dumps" / "spacekg.nq").write_text("", encoding="utf-8")
        return {"graphs": {}}

    monkeypatch.setattr(os, "fsync", recording_fsync)
    releases = tmp_path.resolve() / "releases"
    release = publish(releases, "r1", fill)
    scratch = str(releases / ".building-r1")
    assert flushed == [scratch + "/release.json", scratch + "/dumps/spacekg.nq", scratch + "/dumps", scratch, str(releases), str(releases)]
    assert release.path == releases / "r1" and os.readlink(releases / CURRENT) == "r1"


def test_the_next_publish_removes_stale_scratch_folders_and_pending_links(tmp_path: Path) -> None:
    """Regression: a kill between creating the new `current` link and renaming it over the old one left a
    `.current-<id>` link that no later build removed (only a build of the same id would have)."""
    releases = tmp_path / "releases"

    def fill(folder: Path) -> dict[str, object]:
        (folder / "positions.json").write_text("{}", encoding="utf-8")
        return {"graphs": {}}

    publish(releases, "r1", fill)
    (releases / f"{BUILDING_PREFIX}r2" / "store").mkdir(parents=True)  # a build killed while filling its scratch folder
    os.symlink("r1", releases / f".{CURRENT}-r3")  # a build killed just before the switch
    publish(releases, "r4", fill)
    assert sorted(path.name for path in releases.iterdir()) == sorted([LOCK_FILE, CURRENT, "r1", "r4"])
    assert os.readlink(releases / CURRENT) == "r4"


def test_a_releases_folder_that_cannot_be_written_is_a_clear_error_and_no_traceback(
        tiny_project: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tiny_project.project_dir / "var"
    blocker.write_text("a file where the releases folder should be\n", encoding="utf-8")
    code = main(["--project", str(tiny_project.project_dir), "build"])
    err = capsys.readouterr().err
    assert code == SpaceKGError.exit_code, err
    assert "Traceback" not in err, err
    assert f"error: the release could not be written in {tiny_project.releases}: Not a directory" in err
    assert "fix: check the free space and permissions of the releases folder" in err
    assert blocker.read_text(encoding="utf-8") == "a file where the releases folder should be\n"


def test_a_second_build_while_one_is_publishing_is_refused_and_harms_nothing(tiny_project: Settings) -> None:
    first = build(tiny_project)
    before = release_fingerprint(tiny_project.releases)
    with open(tiny_project.releases / LOCK_FILE, "a") as held:  # what a running build holds while it publishes
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(BuildInProgress, match="another build is publishing into"):
            build(tiny_project)
        assert main(["--project", str(tiny_project.project_dir), "build"]) == BuildInProgress.exit_code == 75
    assert current_release(tiny_project.releases).release_id == first.release_id
    assert release_fingerprint(tiny_project.releases) == before
    assert build(tiny_project).release_id != first.release_id  # the lock ended with its holder
