"""The in-tree nfs volume's options against the EFS user guide's recommended NFS mount
options (https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-nfs-mount-settings.html;
nfsvers=4.1 from https://docs.aws.amazon.com/efs/latest/ug/mount-helper-setting.html)."""

from __future__ import annotations

from efs_doctor.engine.mount.kernel_client import parse_options, recommended_gaps

RECOMMENDED = "nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport"


def test_the_recommended_options_leave_no_gap() -> None:
    assert recommended_gaps(parse_options((RECOMMENDED,))) == []


def test_options_one_per_entry_or_comma_joined_read_the_same() -> None:
    assert parse_options(tuple(RECOMMENDED.split(","))) == parse_options((RECOMMENDED,))


def test_vers_is_nfsvers() -> None:
    options = parse_options(("vers=4.1", "rsize=1048576", "wsize=1048576", "hard"))
    gaps = recommended_gaps(options)
    assert "nfsvers=4.1 not set" not in gaps
    assert gaps == ["timeo=600 not set", "retrans=2 not set", "noresvport not set"]


def test_different_values_and_soft_are_named() -> None:
    options = parse_options(("nfsvers=4.0,rsize=65536,soft,timeo=600,retrans=2,noresvport",))
    gaps = recommended_gaps(options)
    assert "nfsvers=4.0 (recommended 4.1)" in gaps
    assert "rsize=65536 (recommended 1048576)" in gaps
    assert "hard not set" in gaps
    assert "soft (recommended hard)" in gaps


def test_no_options_lists_every_recommendation() -> None:
    assert len(recommended_gaps({})) == 7
