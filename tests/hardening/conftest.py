"""Fixtures for the hardening tests: real servers (in-process and as ``aisci-tui serve`` subprocesses),
a TLS front, small HTTP pages, a TCP proxy that can stall, a pseudo-terminal, and process helpers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.pty import sized_env
from tests.waiting import until  # noqa: F401  (the hardening tests import it from here)

#: Cases each fuzz test really ran, by name (added up by tests/hardening/test_fuzz_total.py).
FUZZ_COUNTS: dict[str, int] = {}
#: The README's "10,000 fuzz cases in all", and the tests that make them up.
FUZZ_BUDGET = 10_000
FUZZ_PARTS = ("generated envelopes", "mutated guide messages", "store streams")

API_KEY = "hardening-key-9bX4q7LmZt2w"
JWT_SECRET = "hardening-jwt-secret-0123456789abcdef-long"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``soak`` tests run only when asked for (``pytest -m soak``)."""
    if "soak" in (config.getoption("markexpr", "") or ""):
        return
    skip = pytest.mark.skip(reason="long soak test; run with `pytest -m soak`")
    for item in items:
        if "soak" in item.keywords and "hardening" in str(item.fspath):
            item.add_marker(skip)


# -- processes ----------------------------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any AISCI_* variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AISCI_")}
    env.update(extra)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "aisci_tui", *args]


@dataclass
class ServeProcess:
    """``aisci-tui serve`` running in a child process."""

    args: list[str]
    env: dict[str, str]
    port: int
    log: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    outputs: list[tuple[bytes, bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout: float = 15.0) -> None:
        self.proc = subprocess.Popen(
            cli("serve", "--port", str(self.port), *self.args),
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise AssertionError(f"serve exited with {self.proc.returncode}: {err.decode()[-500:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return
            time.sleep(0.02)
        raise AssertionError("serve did not start listening")

    def kill(self) -> None:
        """SIGKILL: no close frames, no goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.outputs.append(self.proc.communicate(timeout=10))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.outputs.append(self.proc.communicate(timeout=10))
            except subprocess.TimeoutExpired:
                self.kill()


async def run_cli(
    *args: str, env: dict[str, str], timeout: float = 30.0, cwd: Path | None = None
) -> tuple[int, str, str]:
    """Run ``aisci-tui ARGS`` to the end; (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        *cli(*args),
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


# -- TLS -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def _make_with_cryptography(folder: Path) -> Certificate:
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aisci-tui test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def _make_with_openssl(folder: Path) -> Certificate:
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(paths.key),
            "-out",
            str(paths.cert),
            "-days",
            "2",
            "-subj",
            "/CN=aisci-tui test",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return paths


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 (cryptography if installed, else the openssl command)."""
    import shutil

    folder = tmp_path_factory.mktemp("tls")
    try:
        return _make_with_cryptography(folder)
    except ImportError:
        pass
    if shutil.which("openssl") is None:
        pytest.skip("neither the cryptography package nor the openssl command is available to make a certificate")
    return _make_with_openssl(folder)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, gate: asyncio.Event) -> None:
    try:
        while data := await reader.read(65536):
            await gate.wait()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


class TcpProxy:
    """A loopback TCP proxy to ``target``; :meth:`stall` stops forwarding without closing anything.

    With ``tls`` it also terminates TLS, so a plain server can be reached as ``wss://``.
    """

    def __init__(self, target_port: int, tls: ssl.SSLContext | None = None) -> None:
        self.target_port = target_port
        self.tls = tls
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            with contextlib.suppress(Exception):
                writer.transport.abort()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def url(self, scheme: str = "ws") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/ws"

    def stall(self) -> None:
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._writers += [writer, up_writer]
        for coro in (_pipe(reader, up_writer, self.flowing), _pipe(up_reader, writer, self.flowing)):
            task = asyncio.create_task(coro)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


@contextlib.asynccontextmanager
async def http_page(status: int, body: str, content_type: str = "text/html") -> AsyncIterator[str]:
    """A tiny HTTP/1.1 server answering every request with ``status`` and ``body``; yields its ws:// URL."""
    reason = {200: "OK", 404: "Not Found"}.get(status, "Status")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.readuntil(b"\r\n\r\n")
            data = body.encode()
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
                + data
            )
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ws"
    finally:
        server.close()


# -- sources --------------------------------------------------------------------------------------


class ListSource:
    """Yields the given items, then waits until closed (a live source that went quiet)."""

    def __init__(self, items: list[Any], label: str = "list") -> None:
        self.items = items
        self.label = label
        self._closed = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[Any]:
        for n, item in enumerate(self.items):
            yield item
            if n % 64 == 0:
                await asyncio.sleep(0)
        await self._closed.wait()

    async def aclose(self) -> None:
        self._closed.set()


# -- a pseudo-terminal ----------------------------------------------------------------------------


class Terminal:
    """A child process on a pseudo-terminal of a given size; keeps every byte it writes."""

    def __init__(
        self, argv: list[str], env: dict[str, str], cols: int = 160, rows: int = 48, cwd: Path | None = None
    ) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.output = bytearray()
        pid, fd = pty.fork()
        if pid == 0:  # the child becomes the command
            try:
                if cwd is not None:
                    os.chdir(cwd)
                os.execvpe(argv[0], argv, sized_env(env))
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def read_for(self, seconds: float) -> None:
        """Collect output for ``seconds``."""
        import select

        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def type(self, keys: str, wait: float = 0.3) -> None:
        for key in keys:
            os.write(self.fd, key.encode())
            self.read_for(wait)

    def close(self, timeout: float = 10.0) -> int:
        """Wait for the child to end (killing it after ``timeout``); its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.read_for(0.05)
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            self.read_for(0.05)
        os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)
