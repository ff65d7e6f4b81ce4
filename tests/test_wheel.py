"""The default model loads from a built wheel, not only from the checkout."""

import os
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_default_model_ships_in_the_wheel(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), ROOT],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = list(wheels.glob("stancekit-*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    code = (
        "import stancekit, sys\n"
        "assert stancekit.__file__.startswith(sys.argv[1]), stancekit.__file__\n"
        "table = stancekit.score_article('Keir Starmer said Britain was ready to send "
        "troops to Ukraine. The Kremlin warned that any Western troops there would be "
        "legitimate targets.')\n"
        "print(dict(zip(table.actor, table.stance)))\n"
        "print(len(stancekit.datasets.load_troops()))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    proc = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "'Keir Starmer': 'favor'" in proc.stdout
    assert "'Russia': 'against'" in proc.stdout
