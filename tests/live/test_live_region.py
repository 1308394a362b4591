"""The advice when no AWS region is found names what works with the installed botocore
(issue 21 item 2): each way it names gives boto3 a region, and ``AWS_REGION``, which botocore
1.44 does not read (https://github.com/boto/boto3/issues/3620), is not offered."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import botocore
import pytest

from efs_doctor.sources.aws_live import AwsOptions, AwsRun, AwsTargets, make_clients
from efs_doctor.sources.aws_live_region import no_region_reason, region_variables
from efs_doctor.sources.live_records import Collection, Inconclusive


@pytest.fixture
def no_region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No region anywhere: no AWS_* variable, an empty AWS config file (returned)."""
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    config = tmp_path / "aws-config"
    config.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    return config


@pytest.mark.parametrize("name", ["AWS_DEFAULT_REGION", "AWS_REGION"])
def test_the_variables_named_are_the_ones_botocore_reads(
    name: str, no_region: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert boto3.session.Session().region_name is None
    monkeypatch.setenv(name, "eu-north-1")
    read = boto3.session.Session().region_name == "eu-north-1"
    assert read == (name in region_variables()), botocore.__version__


def test_without_a_region_the_reason_says_what_works(
    no_region: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "AWS_REGION" in region_variables():  # a botocore that reads it would have found it
        pytest.skip(f"botocore {botocore.__version__} reads AWS_REGION")
    monkeypatch.setenv("AWS_REGION", "eu-north-1")  # set, as for the AWS CLI, and not read
    collection = Collection()
    AwsRun(AwsOptions(), collection).finish(AwsTargets())
    reason = (
        "no AWS region: pass --region, set AWS_DEFAULT_REGION, or run `aws configure set region "
        f"REGION`; AWS_REGION is set, but botocore {botocore.__version__} does not read it"
    )
    assert collection.inconclusive == [Inconclusive("aws", reason)]
    assert no_region_reason("prod").endswith(
        "`aws configure set region REGION --profile prod`; AWS_REGION is set, but botocore "
        f"{botocore.__version__} does not read it"
    )


def test_each_way_the_reason_names_gives_a_region(
    no_region: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert make_clients(AwsOptions(region="eu-west-3"), None)[1] == "eu-west-3"  # --region
    for name in region_variables():
        with monkeypatch.context() as scoped:
            scoped.setenv(name, "eu-south-1")
            assert make_clients(AwsOptions(), None)[1] == "eu-south-1"
    # what `aws configure set region eu-central-2 --profile prod` writes
    no_region.write_text("[profile prod]\nregion = eu-central-2\n")
    assert make_clients(AwsOptions(profile="prod"), None)[1] == "eu-central-2"
