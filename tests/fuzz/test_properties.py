"""Property-based tests (Hypothesis) of the input surfaces, beside the byte-level fuzzer.

Where the mutation fuzzer mostly breaks syntax, these generate well-formed input with
arbitrary content: real example objects with any field replaced by any JSON value, policy
documents built from the grammar's parts, volume handles and mount options from their
alphabets, pasted text made of real error fragments. Profile ``ci`` runs a few dozen
examples per property; ``HYPOTHESIS_PROFILE=long`` thousands (see conftest.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from fuzz_structure import paths, replace_at
from fuzz_targets import SEED_INCIDENT, check_problems, scratch_dir
from hypothesis import assume, given
from hypothesis import strategies as st
from report_checks import check_outcomes, check_report

from efs_doctor.api import analyze, load_inventory, mount_chains
from efs_doctor.engine.explain import explain
from efs_doctor.engine.iam import (
    CLIENT_ACTIONS,
    NfsRequest,
    evaluate_client_access,
    lint_policy,
    parse_policy,
)
from efs_doctor.engine.mount import simulate_all
from efs_doctor.engine.mount.options import CsiMount, build_csi_mount
from efs_doctor.engine.mount.versions import Version, Versions
from efs_doctor.model.volume_handle import VolumeHandleError, parse_volume_handle

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


def _documents(folder: str) -> list[tuple[str, list[Any]]]:
    found = []
    for path in sorted((SEED_INCIDENT / folder).iterdir()):
        if path.suffix == ".yaml":
            found.append((path.name, [d for d in yaml.safe_load_all(path.read_text()) if d]))
        elif path.suffix == ".json":
            found.append((path.name, [json.loads(path.read_text())]))
    return found


K8S = _documents("k8s")
AWS = _documents("aws")


def _other_files(folder: str, except_name: str) -> list[str]:
    return [
        str(p)
        for p in sorted((SEED_INCIDENT / folder).iterdir())
        if p.suffix in (".yaml", ".json") and p.name != except_name
    ] + [str(p) for p in sorted((SEED_INCIDENT / ("aws" if folder == "k8s" else "k8s")).iterdir())]


def _run_everything(files: list[str], fuzzed: str) -> None:
    """Load, scan and simulate as the CLI does; the problems, the report and the outcomes
    must hold their properties (report_checks), not merely not raise."""
    inventory = load_inventory(files)
    check_problems(inventory.problems, fuzzed)
    chains = mount_chains(inventory)
    check_report(analyze(inventory), chains, inventory.files)
    check_outcomes(chains, simulate_all(inventory, chains))


@given(data=st.data(), as_json=st.booleans())
def test_any_value_in_any_manifest_field_is_handled(data: st.DataObject, as_json: bool) -> None:
    name, documents = data.draw(st.sampled_from(K8S))
    candidates = paths(documents)
    path = data.draw(st.sampled_from(candidates))
    value = data.draw(JSON_VALUES)
    mutated = replace_at(documents, path, value)
    target = scratch_dir() / (Path(name).stem + (".json" if as_json else ".yaml"))
    if as_json:
        target.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": mutated}))
    else:
        target.write_text(yaml.safe_dump_all(mutated, allow_unicode=True))
    _run_everything([str(target), *_other_files("k8s", name)], str(target))


@given(data=st.data())
def test_any_value_in_any_aws_answer_field_is_handled(data: st.DataObject) -> None:
    name, documents = data.draw(st.sampled_from(AWS))
    path = data.draw(st.sampled_from(paths(documents[0])))
    mutated = replace_at(documents[0], path, data.draw(JSON_VALUES))
    target = scratch_dir() / name
    target.write_text(json.dumps(mutated))
    _run_everything([str(target), *_other_files("aws", name)], str(target))


# ---- policies ---------------------------------------------------------------------------------

ACTIONS = st.sampled_from(
    [
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
        "elasticfilesystem:ClientRootAccess",
        "elasticfilesystem:Client*",
        "elasticfilesystem:*",
        "*",
        "elasticfilesystem:clientmount",
        "s3:GetObject",
        "elasticfilesystem:Client?ount",
    ]
)
PRINCIPALS = st.sampled_from(
    [
        "*",
        {"AWS": "*"},
        {"AWS": "arn:aws:iam::123456789012:root"},
        {"AWS": ["arn:aws:iam::123456789012:role/app", "123456789012"]},
        {"Service": "ec2.amazonaws.com"},
        {"AWS": "arn:aws:sts::123456789012:assumed-role/app/s"},
    ]
)
CONDITION_KEYS = st.sampled_from(
    [
        "aws:SecureTransport",
        "elasticfilesystem:AccessedViaMountTarget",
        "elasticfilesystem:AccessPointArn",
        "aws:SourceIp",
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:CurrentTime",
        "aws:username",
    ]
)
OPERATORS = st.sampled_from(
    [
        "Bool",
        "StringEquals",
        "StringLike",
        "StringNotEquals",
        "ArnLike",
        "ArnNotEquals",
        "IpAddress",
        "NotIpAddress",
        "DateLessThan",
        "NumericGreaterThan",
        "Null",
        "ForAnyValue:StringLike",
        "ForAllValues:StringEquals",
        "StringEqualsIfExists",
        "BoolIfExists",
        "Unknown",
    ]
)
CONDITION_VALUES = st.one_of(
    st.sampled_from(["true", "false", "10.0.0.0/8", "2026-01-01T00:00:00Z", "1", "*", "arn:*"]),
    JSON_SCALARS,
    st.lists(JSON_SCALARS, max_size=3),
)
STATEMENT = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny"]) | JSON_SCALARS},
    optional={
        "Sid": st.text(max_size=8),
        "Principal": PRINCIPALS | JSON_VALUES,
        "Action": ACTIONS | st.lists(ACTIONS, max_size=3) | JSON_VALUES,
        "NotAction": ACTIONS,
        "Resource": st.sampled_from(["*", "arn:aws:elasticfilesystem:*:*:file-system/*"]),
        "Condition": st.dictionaries(
            OPERATORS, st.dictionaries(CONDITION_KEYS, CONDITION_VALUES, max_size=2), max_size=2
        ),
    },
)
POLICY = st.fixed_dictionaries(
    {"Statement": st.lists(STATEMENT, max_size=4) | STATEMENT},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17", "x"]), "Id": st.text()},
)
REQUESTS = st.builds(
    NfsRequest,
    file_system=st.just(
        "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0"
    ),
    principal=st.sampled_from(
        [
            "anonymous",
            "arn:aws:iam::123456789012:role/app",
            "arn:aws:sts::123456789012:assumed-role/app/s",
            "arn:aws:iam::210987654321:user/u",
        ]
    ),
    secure_transport=st.booleans(),
    source_ip=st.sampled_from([None, "10.1.2.3", "192.0.2.1"]),
)


@given(document=POLICY | JSON_VALUES, request=REQUESTS)
def test_any_policy_document_is_read_linted_and_evaluated(document: Any, request: Any) -> None:
    parsed = parse_policy(document, kind="resource")
    lint_policy(parsed)
    for problem in parsed.problems:
        assert "\n" not in problem.format("p.json")
    if not parsed.ok:
        return
    first = evaluate_client_access(parsed, True, (), request)
    again = evaluate_client_access(parsed, True, (), request)
    for action in CLIENT_ACTIONS:
        decision = first.decisions[action]
        assert decision.decision in ("allow", "deny", "indeterminate")
        assert decision.decision == again.decisions[action].decision  # no hidden state


VALID_STATEMENT = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Principal": PRINCIPALS,
        "Action": ACTIONS | st.lists(ACTIONS, min_size=1, max_size=3),
        "Resource": st.sampled_from(["*", "arn:aws:elasticfilesystem:*:*:file-system/*"]),
    },
    optional={
        "Condition": st.dictionaries(
            st.sampled_from(["Bool", "StringLike", "ArnLike", "IpAddress", "Null"]),
            st.dictionaries(CONDITION_KEYS, st.sampled_from(["true", "*", "10.0.0.0/8"])),
            max_size=2,
        )
    },
)


@given(request=REQUESTS, extra=st.lists(VALID_STATEMENT, max_size=3))
def test_a_deny_everything_statement_always_wins(request: Any, extra: list[Any]) -> None:
    """An unconditional Deny of every action to every principal denies every client action,
    whatever else the policy allows (IAM evaluation logic: an explicit deny always wins,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""
    deny = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}
    parsed = parse_policy({"Version": "2012-10-17", "Statement": [*extra, deny]})
    assume(parsed.ok)
    result = evaluate_client_access(parsed, True, (), request)
    for action in CLIENT_ACTIONS:
        assert result.decisions[action].decision == "deny", result.decisions[action]


# ---- volume handles and mount options ---------------------------------------------------------

HEX = st.text(alphabet="0123456789abcdef", min_size=8, max_size=40)
HANDLE_TEXT = st.text(alphabet="efs:3ilfap-0123456789abcdef/.[]<> \n\x00", max_size=60)


@given(text=HANDLE_TEXT | st.text(max_size=80))
def test_any_handle_parses_or_is_rejected_with_the_drivers_message(text: str) -> None:
    try:
        handle = parse_volume_handle(text)
    except VolumeHandleError as error:
        message = str(error)
        assert message.startswith("volume ID '")
        return
    assert re.fullmatch(r"fs-[0-9a-f]{8,40}", handle.file_system_id)
    assert handle.mount_source.startswith(handle.file_system_id + ":")


@given(
    fs=HEX,
    ap=st.none() | HEX,
    path=st.sampled_from(["", "/", "/a", "a/b/", "/a/../b", "//x", "./y"]),
    prefix=st.booleans(),
)
def test_well_formed_handles_round_trip(fs: str, ap: str | None, path: str, prefix: bool) -> None:
    text = ("efs:" if prefix else "") + f"fs-{fs}"
    if path or ap:
        text += f":{path}"
    if ap:
        text += f":fsap-{ap}"
    handle = parse_volume_handle(text)
    assert handle.file_system_id == f"fs-{fs}"
    assert handle.access_point_id == (f"fsap-{ap}" if ap else None)
    assert handle.subpath
    assert ".." not in handle.subpath.split("/")[1:]


OPTION = st.sampled_from(
    [
        "tls",
        "iam",
        "notls",
        "ro",
        "nfsvers=4.1",
        "port=2049",
        "tlsport=x",
        "accesspoint=fsap-0123456789abcdef0",
        "awscredsuri=/x",
        "awsprofile=p",
        "ocsp",
        "noocsp",
        "capath=/c",
        "azid=use1-az1",
        "a=b=c",
        "TLS",
    ]
) | st.text(max_size=12)
ATTRIBUTES = st.dictionaries(
    st.sampled_from(
        ["encryptInTransit", "mounttargetip", "mounttargetipmap", "crossaccount", "path", "x"]
    )
    | st.text(max_size=8),
    st.sampled_from(["true", "false", "10.0.0.1", '{"us-east-1a":"10.0.0.2"}', "[[[]]]"])
    | st.text(max_size=20),
    max_size=3,
)


@given(
    handle=st.sampled_from(
        [
            "fs-0123456789abcdef0",
            "fs-0123456789abcdef0::fsap-0123456789abcdef0",
            "efs:fs-0123456789abcdef0:/d",
        ]
    )
    | HANDLE_TEXT,
    attributes=ATTRIBUTES,
    flags=st.lists(OPTION, max_size=6),
    read_only=st.booleans(),
    old=st.booleans(),
)
def test_option_merge_never_crashes_and_keeps_its_invariants(
    handle: str, attributes: dict[str, str], flags: list[str], read_only: bool, old: bool
) -> None:
    versions = Versions(
        Version(1, 3, 0) if old else Version(3, 4, 1),
        Version(1, 31, 0) if old else Version(3, 2, 0),
        "test",
        "test",
    )
    merged = build_csi_mount(
        handle, attributes, flags, read_only, versions=versions, node_zone="us-east-1a"
    )
    if not isinstance(merged, CsiMount):
        assert merged.message
        return
    assert len(merged.options) == len(set(merged.options))  # the driver de-duplicates
    if merged.handle.access_point_id:  # an access point forces tls (§3.4 step 4)
        assert "tls" in merged.options
    if read_only:
        assert "ro" in merged.options


# ---- explain ----------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        'MountVolume.SetUp failed for volume "pv" : rpc error: code = Internal desc = ',
        "mount.nfs4: access denied by server while mounting 127.0.0.1:/",
        "Output: b'mount.nfs4: Connection timed out'",
        'Failed to resolve "fs-0123456789abcdef0.efs.us-east-1.amazonaws.com"',
        "Mounting arguments: -t efs -o tls,iam fs-0123456789abcdef0:/ /mnt",
        "Warning  FailedMount  3m  kubelet  ",
        "\\n",
        "\x1b[31m",
        "&quot;",
        "b'\\xff\\x00'",
        "exit status 32",
        "\n",
    ]
)


@given(parts=st.lists(FRAGMENTS | st.text(max_size=40), max_size=12))
def test_any_pasted_text_is_explained_with_ranked_bounded_scores(parts: list[str]) -> None:
    explanation = explain("".join(parts))
    json.dumps(explanation.to_json())
    scores = [cause.score for cause in explanation.causes]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def _reference_glob(pattern: str, value: str) -> bool:
    """IAM's ``*``/``?`` as a set of pattern positions, one character at a time: obviously
    right, and slow."""
    states = _close_stars({0}, pattern)
    for char in value:
        following: set[int] = set()
        for i in states:
            if i < len(pattern) and pattern[i] == "*":
                following.add(i)
            elif i < len(pattern) and pattern[i] in ("?", char):
                following.add(i + 1)
        states = _close_stars(following, pattern)
    return len(pattern) in states


def _close_stars(states: set[int], pattern: str) -> set[int]:
    """A star may match nothing: every position after a run of stars is reachable too."""
    closed = set(states)
    for start in states:
        position = start
        while position < len(pattern) and pattern[position] == "*":
            position += 1
            closed.add(position)
    return closed


@given(
    pattern=st.text(alphabet="ab*?.", max_size=12),
    value=st.text(alphabet="ab.", max_size=14),
    ignore_case=st.booleans(),
)
def test_iam_glob_matching_agrees_with_a_reference_matcher(
    pattern: str, value: str, ignore_case: bool
) -> None:
    """The star_join translation (atomic groups, issue 9) decides exactly what the plain
    definition of IAM wildcards decides."""
    from efs_doctor.engine.iam.wildcard import glob_match

    assert glob_match(pattern, value, ignore_case) == _reference_glob(pattern, value)
