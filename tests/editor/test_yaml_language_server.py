"""Editor support: the real yaml-language-server completes keys and flags errors from our schema.

The server (npm package, pinned in tools/node) is started over stdio; a minimal LSP
client here opens an example project (which carries the schema modeline) and a broken
copy of it, then asks for completion inside ``product:`` and waits for diagnostics.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = (
    ROOT
    / "tools"
    / "node"
    / "node_modules"
    / "yaml-language-server"
    / "bin"
    / "yaml-language-server"
)
EXAMPLE = ROOT / "examples" / "car-t-nl" / "dossier.yaml"

pytestmark = [
    pytest.mark.lsp,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(not SERVER.exists(), reason="run: npm ci --prefix tools/node"),
]


class LspClient:
    """Just enough of the Language Server Protocol: framing, requests, notifications."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["node", str(SERVER), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.messages: Queue[dict[str, Any]] = Queue()
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        stream = self.proc.stdout
        while True:
            headers: dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def send(self, payload: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        data = json.dumps({"jsonrpc": "2.0", **payload}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any], timeout: float = 30) -> Any:
        self._next_id += 1
        ident = self._next_id
        self.send({"id": ident, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == ident and "method" not in m, timeout)["result"]

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def wait(self, match: Any, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=max(0.05, deadline - time.monotonic()))
            except Empty:
                break
            if message.get("method") == "workspace/configuration":
                # the server asks for its settings: answer with validation and hover on
                items = message["params"]["items"]
                settings = {"validate": True, "completion": True, "hover": True}
                self.send({"id": message["id"], "result": [settings for _ in items]})
                continue
            if message.get("method") in {
                "client/registerCapability",
                "window/workDoneProgress/create",
            }:
                self.send({"id": message["id"], "result": None})
                continue
            if match(message):
                return message
        raise TimeoutError("no matching message from yaml-language-server")

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=5)
            self.notify("exit", {})
        except (TimeoutError, BrokenPipeError, OSError):
            pass
        finally:
            self.proc.kill()
            self.proc.wait(timeout=5)


@pytest.fixture
def client(tmp_path: Path) -> Any:
    lsp = LspClient()
    try:
        lsp.request(
            "initialize",
            {
                "processId": None,
                "rootUri": ROOT.as_uri(),
                "capabilities": {
                    "textDocument": {
                        "completion": {"completionItem": {"snippetSupport": False}},
                        "publishDiagnostics": {},
                    },
                    "workspace": {"configuration": True},
                },
            },
        )
        lsp.notify("initialized", {})
        lsp.notify(
            "workspace/didChangeConfiguration",
            {"settings": {"yaml": {"validate": True, "completion": True, "hover": True}}},
        )
        yield lsp
    finally:
        lsp.close()


def _open(client: LspClient, path: Path, text: str) -> None:
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": text}},
    )


def _diagnostics(client: LspClient, uri: str) -> list[dict[str, Any]]:
    message = client.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"]["diagnostics"]
        ),
        timeout=60,
    )
    diagnostics: list[dict[str, Any]] = message["params"]["diagnostics"]
    return diagnostics


def test_completion_offers_known_product_keys(client: LspClient) -> None:
    text = EXAMPLE.read_text("utf-8")
    lines = text.splitlines()
    product = lines.index("product:")
    # an empty line inside product: at two spaces of indentation, where a key is expected
    lines.insert(product + 1, "  ")
    _open(client, EXAMPLE, "\n".join(lines) + "\n")
    result = client.request(
        "textDocument/completion",
        {
            "textDocument": {"uri": EXAMPLE.as_uri()},
            "position": {"line": product + 1, "character": 2},
        },
        timeout=60,
    )
    items = result["items"] if isinstance(result, dict) else result
    labels = {item["label"] for item in items}
    # product keys of the schema that the example does not use yet are offered ...
    assert {"gene_editing", "highly_expanded", "combined_device", "pluripotent_derived"} <= labels
    # ... and keys already present in the mapping are not offered again
    assert "atmp_class" not in labels


def test_broken_field_gets_a_diagnostic_on_its_line(client: LspClient, tmp_path: Path) -> None:
    broken = EXAMPLE.parent / "broken-editor-test.dossier.yaml"
    text = EXAMPLE.read_text("utf-8").replace("  atmp_class: GTMP", "  atmp_class: GTMX")
    line = text.splitlines().index("  atmp_class: GTMX")
    _open(client, broken, text)  # opened in memory only: the file is never written
    diagnostics = _diagnostics(client, broken.as_uri())
    assert any(d["range"]["start"]["line"] == line for d in diagnostics), diagnostics
    assert any("GTMP" in d["message"] for d in diagnostics), diagnostics
