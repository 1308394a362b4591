"""Live-mode fixtures: moto's ThreadedMotoServer and the fake Kubernetes API, on 127.0.0.1."""

from __future__ import annotations

import logging
import os
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_kube import FakeKube

pytest.importorskip("moto")
pytest.importorskip("lightkube")

from live_helpers import AWS_ENV


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # loading moto's AMI catalogue makes every EC2 reset take seconds; the seed needs none
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A clean moto account; this process's boto3 reaches it through AWS_ENDPOINT_URL."""
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).read()
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/efs-doctor-test-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/efs-doctor-test-credentials")
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    return moto_url


@pytest.fixture
def kube_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the kubeconfig goes; KUBECONFIG points there (and never at ~/.kube/config)."""
    path = tmp_path / "kubeconfig.json"
    monkeypatch.setenv("KUBECONFIG", str(path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    return path


__all__ = ["FakeKube"]
