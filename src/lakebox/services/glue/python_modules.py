"""`--additional-python-modules`: the packages a Glue job asks for, installed with pip before it runs.

As on Glue (2.0 and later): the argument is a comma-separated list of pip requirements
(`awswrangler==3.9.1`, `pyjanitor`) and of `s3://` paths to wheels, and
`--python-modules-installer-option` passes options to pip (`--upgrade`, `--index-url URL`,
`--no-index` ...). The packages go into a folder of their own that comes first on the driver's
import path, so they win over the versions lakebox runs with, as the job's own modules win on Glue.

Installs are cached by what was asked (the requirements, the options, the wheels' bytes and the
Python version) under `<data>/.lakebox/glue/python-modules/`, so only the first run of a job pays for
the download; a folder is used only once its install finished (it is renamed into place). Without
access to the package index, only wheels from S3 (with `--no-index`) can be installed; a failed
install fails the run with pip's own last lines as the ErrorMessage.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Callable

log = logging.getLogger("lakebox.glue")

#: Seconds an install may take before the run fails.
INSTALL_TIMEOUT = 900


class InstallError(Exception):
    """pip could not install the modules; the message says why."""


def requested(arguments: dict) -> tuple[list[str], list[str]]:
    """(requirements and s3:// wheel paths, pip options) from a run's arguments."""
    specs = [part.strip() for part in (arguments.get("--additional-python-modules") or "").split(",") if part.strip()]
    options = shlex.split(arguments.get("--python-modules-installer-option") or "")
    return specs, options


def install(data_dir: Path, specs: list[str], options: list[str], fetch: Callable[[str, Path], str]) -> str:
    """The folder holding the installed modules, installing them first unless a previous run did.

    `fetch(uri, folder)` copies an s3:// wheel into `folder` and returns its local path.
    """
    root = Path(data_dir) / ".lakebox" / "glue" / "python-modules"
    staging = root / f".tmp-{uuid.uuid4().hex}"
    wheels = staging / "wheels"
    wheels.mkdir(parents=True)
    try:
        local = [fetch(spec, wheels) if spec.startswith("s3://") else spec for spec in specs]
        digest = hashlib.sha256(f"{sys.version_info[:2]}|{options}|".encode())
        for spec, path in zip(specs, local):
            digest.update(spec.encode() + b"|")
            if spec.startswith("s3://"):
                digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
        final = root / digest.hexdigest()[:32]
        if final.is_dir():
            return str(final)
        target = staging / "site"
        command = [sys.executable, "-m", "pip", "install", "--target", str(target), "--no-input",
                   "--disable-pip-version-check", "--no-warn-script-location", *options, *local]
        log.info("glue: installing --additional-python-modules %s", " ".join(specs))
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
                                  env={**os.environ, "PIP_NO_INPUT": "1"})
        except subprocess.TimeoutExpired:
            raise InstallError(f"Installing --additional-python-modules took more than {INSTALL_TIMEOUT} s") from None
        if done.returncode != 0:
            lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
            raise InstallError("Installing --additional-python-modules failed: " + " | ".join(lines[-3:])[:1500])
        try:
            os.rename(target, final)
        except OSError:
            if not final.is_dir():  # not a concurrent run that finished the same install first
                raise
        return str(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prepare_modules(data_dir: Path, arguments: dict, fetch: Callable[[str, Path], str]) -> list[str]:
    """The import path entries a run's `--additional-python-modules` need (none when it asks for none)."""
    specs, options = requested(arguments)
    if not specs:
        return []
    return [install(data_dir, specs, options, fetch)]
