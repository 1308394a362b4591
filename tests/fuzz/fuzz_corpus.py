"""Build the seed corpus of each fuzz target from the repository's examples and fixtures.

``python scripts/fuzz.py --build-corpus`` writes ``tests/fuzz/corpus/<target>/``; the files
are committed so that CI and every campaign start from the same seeds. Seeds are the
project's own inputs (examples, fixtures, IAM test cases, explain examples) plus a few
hand-written edge cases per target; files over 64 KiB are left out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FIXTURES = REPO / "tests" / "fixtures"
IAM_CASES = REPO / "tests" / "iam_cases"
CSI_CORPUS = REPO.parent / "shared" / "corpus" / "csi-driver-examples"
LIMIT = 64 * 1024


def _files(root: Path, *suffixes: str) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in suffixes)


def _kubernetes_yaml() -> Iterable[bytes]:
    for path in _files(EXAMPLES, ".yaml") + _files(FIXTURES / "kubernetes", ".yaml"):
        yield path.read_bytes()
    for path in _files(CSI_CORPUS, ".yaml"):
        yield path.read_bytes()
    for path in _files(FIXTURES / "iac", ".yaml", ".yml"):  # CloudFormation templates
        yield path.read_bytes()
    yield b"apiVersion: v1\nkind: List\nitems: []\n"
    yield b"---\n---\napiVersion: v1\nkind: PersistentVolume\nmetadata: {name: a}\n...\n"


def _kubernetes_json() -> Iterable[bytes]:
    for path in _files(FIXTURES / "kubernetes", ".json"):
        yield path.read_bytes()
    for path in _files(EXAMPLES, ".yaml"):
        documents = [d for d in yaml.safe_load_all(path.read_text()) if d]
        yield json.dumps({"apiVersion": "v1", "kind": "List", "items": documents}).encode()


def _aws() -> Iterable[bytes]:
    for path in _files(EXAMPLES, ".json") + _files(FIXTURES / "aws", ".json"):
        yield path.read_bytes()
    for path in _files(FIXTURES / "iac", ".json"):  # Terraform plans, CloudFormation JSON
        yield path.read_bytes()
    yield b'{"FileSystemId": "fs-0123456789abcdef0", "Error": {"Code": "PolicyNotFound"}}'


def _policies() -> Iterable[bytes]:
    for path in _files(FIXTURES / "policies", ".json"):
        yield path.read_bytes()
    for path in _files(EXAMPLES, ".json"):
        if "policy" in path.name:
            yield path.read_bytes()
    for path in _files(CSI_CORPUS, ".json"):
        yield path.read_bytes()
    for path in _files(IAM_CASES, ".yaml"):
        data = yaml.safe_load(path.read_text())
        cases = data.get("cases", []) if isinstance(data, dict) else []
        for case in cases:
            for key in ("policy", "identity_policy"):
                if isinstance(case.get(key), dict):
                    yield json.dumps(case[key], indent=2).encode()


def _handles() -> Iterable[bytes]:
    yield from (
        b"fs-0123456789abcdef0",
        b"fs-0123456789abcdef0:/data",
        b"fs-0123456789abcdef0::fsap-0123456789abcdef0",
        b"fs-0123456789abcdef0:/a/../b:fsap-0123456789abcdef0",
        b"efs:fs-0123456789abcdef0:/x:fsap-0123456789abcdef0",
        b"s3files:fs-0123456789abcdef0",
        b"efs:",
        b"[FileSystemId]",
        b"fs-e8a95a42:/dir1",
        b"fs-0123456789abcdef0:a//b/./c/:",
    )


def _options() -> Iterable[bytes]:
    yield from (
        b"fs-0123456789abcdef0\x1e\x1etls,iam\x1eus-east-1a",
        b"fs-0123456789abcdef0::fsap-0123456789abcdef0\x1eencryptInTransit=false\x1etls",
        b"efs:fs-0123456789abcdef0\x1emounttargetip=10.0.1.5\nencryptInTransit=true\x1e\x1e",
        b'fs-0123456789abcdef0\x1emounttargetipmap={"us-east-1a":"10.0.1.5"}\x1e\x1eus-east-1b',
        b"fs-0123456789abcdef0\x1ecrossaccount=true\x1eiam,awsprofile=x,tlsport=x\x1e",
        b"fs-0123456789abcdef0\x1epath=/legacy\x1eaccesspoint=fsap-0123456789abcdef0\x1e",
        b"fs-0123456789abcdef0\x1e\x1enotls,port=2049,ocsp,noocsp,awscredsuri=x\x1e",
        b"fs-0123456789abcdef0\x1e\x1ea=b=c,capath=/x,azid=use1-az1,az=us-east-1a\x1e",
    )


def _explain() -> Iterable[bytes]:
    for path in _files(FIXTURES / "explain", ".txt"):
        yield path.read_bytes()
    examples = FIXTURES / "explain" / "examples.yaml"
    if examples.is_file():
        data = yaml.safe_load(examples.read_text())
        for entries in (data or {}).values():
            for entry in entries or ():
                if isinstance(entry, dict) and isinstance(entry.get("text"), str):
                    yield entry["text"].encode()


SOURCES = {
    "kubernetes-yaml": _kubernetes_yaml,
    "kubernetes-json": _kubernetes_json,
    "aws-shapes": _aws,
    "policy": _policies,
    "volume-handle": _handles,
    "mount-options": _options,
    "explain-intake": _explain,
}


def build(corpus: Path) -> dict[str, int]:
    """Write every target's seeds (named by content hash); returns how many per target."""
    written: dict[str, int] = {}
    for target, source in SOURCES.items():
        folder = corpus / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        names = set()
        for data in source():
            if len(data) > LIMIT:
                continue
            name = hashlib.sha1(data).hexdigest()[:16]
            if name not in names:
                names.add(name)
                (folder / name).write_bytes(data)
        written[target] = len(names)
    return written
