"""Where the client's credential comes from, fetched afresh each time it is needed.

Sources, first match wins: ``--token-command CMD`` (run each time, no shell),
``--token-file PATH`` (re-read each time), ``AISCI_TOKEN`` (a JWT),
``AISCI_API_KEY``. A token from a file or command is sent as a JWT when it
has a JWT's shape and as an API key otherwise. Values never appear in a
``repr``, an exception or a log record.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from aisci_tui.logging_setup import add_secret

ENV_TOKEN = "AISCI_TOKEN"
ENV_API_KEY = "AISCI_API_KEY"

HOW_TO_PROVIDE = (
    "No credentials found: set AISCI_API_KEY (for example `AISCI_API_KEY=... aisci-tui events`) "
    "or AISCI_TOKEN in the environment, or pass --token-file PATH or --token-command CMD."
)

_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class CredentialError(Exception):
    """The credential could not be obtained; the message is a sentence for a person."""


class NoCredentials(CredentialError):
    def __init__(self, message: str = HOW_TO_PROVIDE):
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Credential:
    """One credential value and how to send it (``token`` = JWT, ``api_key``)."""

    kind: Literal["token", "api_key"]
    value: str = field(repr=False)

    def auth_data(self) -> dict[str, str]:
        return {self.kind: self.value}

    def __repr__(self) -> str:
        return f"Credential(kind={self.kind!r}, value=<redacted>)"

    __str__ = __repr__


def looks_like_jwt(value: str) -> bool:
    return bool(_JWT_SHAPE.match(value))


def loose_permissions(path: Path) -> str | None:
    """A warning if ``path`` is accessible by group or others (as ssh warns), else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & 0o077:
        return (
            f"The token file {path} is accessible by other users (mode {stat.S_IMODE(mode):04o}); "
            f"run `chmod 600 {path}`."
        )
    return None


class Credentials:
    """A credential source; :meth:`get` returns the current value every time it is called."""

    def __init__(
        self,
        *,
        token: str | None = None,
        api_key: str | None = None,
        token_file: str | os.PathLike[str] | None = None,
        token_command: str | None = None,
        command_timeout: float = 15.0,
    ):
        self._static: Credential | None = None
        self._file = Path(token_file).expanduser() if token_file else None
        try:
            self._argv = shlex.split(token_command) if token_command else None
        except ValueError as exc:
            raise CredentialError(f"The --token-command could not be split into words ({exc}).") from None
        self._timeout = command_timeout
        self.warnings: list[str] = []
        if self._argv is not None:
            if not self._argv:
                raise CredentialError("The --token-command is empty.")
            self.source = f"token command `{self._argv[0]}`"
        elif self._file is not None:
            self.source = f"token file {self._file}"
            if not self._file.is_file():
                raise CredentialError(f"The token file {self._file} does not exist or is not a file.")
            if warning := loose_permissions(self._file):
                self.warnings.append(warning)
        elif token:
            self._static = Credential("token", token.strip())
            self.source = ENV_TOKEN
        elif api_key:
            self._static = Credential("api_key", api_key.strip())
            self.source = ENV_API_KEY
        else:
            raise NoCredentials()
        if self._static is not None:
            add_secret(self._static.value)

    @classmethod
    def from_env_or_files(
        cls,
        token_file: str | os.PathLike[str] | None = None,
        token_command: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Credentials:
        """Credentials from the options or the environment; raises :class:`NoCredentials`."""
        env = os.environ if env is None else env
        return cls(
            token=env.get(ENV_TOKEN) or None,
            api_key=env.get(ENV_API_KEY) or None,
            token_file=token_file,
            token_command=token_command,
        )

    @property
    def refreshable(self) -> bool:
        """True when :meth:`get` may return a different value later."""
        return self._static is None

    async def get(self) -> Credential:
        """The credential to use now; raises :class:`CredentialError` with a readable sentence."""
        if self._static is not None:
            return self._static
        value = await (self._run_command() if self._argv is not None else self._read_file())
        add_secret(value)
        return Credential("token" if looks_like_jwt(value) else "api_key", value)

    async def _read_file(self) -> str:
        assert self._file is not None
        try:
            text = await asyncio.to_thread(self._file.read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            raise CredentialError(f"Could not read the token file {self._file}: {reason}.") from None
        return _first_line(text, f"The token file {self._file} is empty.")

    async def _run_command(self) -> str:
        assert self._argv is not None
        name = self._argv[0]
        try:
            proc = await asyncio.create_subprocess_exec(
                *self._argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError as exc:
            raise CredentialError(f"Could not run the token command `{name}`: {exc.strerror or exc}.") from None
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), self._timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise CredentialError(f"The token command `{name}` did not finish within {self._timeout:g} s.") from None
        if proc.returncode != 0:
            raise CredentialError(f"The token command `{name}` failed with exit status {proc.returncode}.")
        try:
            text = out.decode("utf-8")
        except UnicodeDecodeError:
            raise CredentialError(f"The token command `{name}` printed something that is not text.") from None
        return _first_line(text, f"The token command `{name}` printed no token.")


def _first_line(text: str, empty_message: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    raise CredentialError(empty_message)
