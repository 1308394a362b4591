"""The least privilege live mode needs, derived from the calls the collectors make.

:func:`iam_policy` is built from :data:`aws_calls.CALLS` and :func:`cluster_role` from
:data:`k8s_live.LISTS`; the files in ``data/permissions/`` are these, written out, and a
test keeps them exactly equal (regenerate with ``python -m efs_doctor.sources.live_permissions
--write``). ``efs-doctor permissions`` prints the files.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from efs_doctor.sources.aws_calls import CALLS, IAM_PREFIX
from efs_doctor.sources.k8s_live import LISTS

IAM_POLICY_FILE = "iam-policy.json"
CLUSTER_ROLE_FILE = "clusterrole.yaml"
ROLE_NAME = "efs-doctor-reader"


def iam_actions() -> list[str]:
    return sorted({c.iam_action for c in CALLS if c.needs_permission})


def iam_policy() -> dict[str, Any]:
    """One statement per service, read-only actions only, in a stable order."""
    statements = []
    for service in IAM_PREFIX:
        actions = sorted(
            {c.iam_action for c in CALLS if c.service == service and c.needs_permission}
        )
        if actions:
            statements.append(
                {
                    "Sid": f"EfsDoctorRead{service.upper()}",
                    "Effect": "Allow",
                    "Action": actions,
                    "Resource": "*",
                }
            )
    return {"Version": "2012-10-17", "Statement": statements}


def cluster_role() -> dict[str, Any]:
    groups: dict[str, set[str]] = {}
    for item in LISTS:
        groups.setdefault(item.group, set()).add(item.plural)
    rules = [
        {"apiGroups": [group], "resources": sorted(plurals), "verbs": ["list"]}
        for group, plurals in sorted(groups.items())
    ]
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": ROLE_NAME},
        "rules": rules,
    }


def iam_policy_text() -> str:
    return json.dumps(iam_policy(), indent=2) + "\n"


def cluster_role_text() -> str:
    """The ClusterRole as YAML, written by hand so the file reads well and stays stable."""
    role = cluster_role()
    lines = [
        "# Read-only access efs-doctor live mode needs (generated from k8s_live.LISTS).",
        f"apiVersion: {role['apiVersion']}",
        f"kind: {role['kind']}",
        "metadata:",
        f"  name: {role['metadata']['name']}",
        "rules:",
    ]
    for rule in role["rules"]:
        group = json.dumps(rule["apiGroups"][0])
        lines.append(f"  - apiGroups: [{group}]")
        lines.append(f"    resources: [{', '.join(rule['resources'])}]")
        lines.append(f"    verbs: [{', '.join(rule['verbs'])}]")
    return "\n".join(lines) + "\n"


def data_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "permissions"


def read_data(name: str) -> str:
    from efs_doctor import data

    return data.read_text(f"permissions/{name}")


def main(argv: Sequence[str]) -> int:
    """``--write`` regenerates data/permissions; ``--check`` fails when it is stale."""
    expected = {IAM_POLICY_FILE: iam_policy_text(), CLUSTER_ROLE_FILE: cluster_role_text()}
    if "--write" in argv:
        data_dir().mkdir(parents=True, exist_ok=True)
        for name, text in expected.items():
            (data_dir() / name).write_text(text, encoding="utf-8")
        return 0
    stale = [n for n, text in expected.items() if read_data(n) != text]
    for name in stale:
        print(f"data/permissions/{name} is stale; run with --write", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
