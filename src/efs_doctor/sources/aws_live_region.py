"""What to tell a user whose AWS region boto3 could not find: the ways that work with the
botocore installed, asked of botocore itself.

boto3 reads the region from ``--region`` (passed to the client), its environment variable,
or the profile's ``region`` in the AWS config file. The variable is ``AWS_DEFAULT_REGION``,
not the ``AWS_REGION`` the AWS CLI and the other SDKs read; boto3's maintainers call adding it
a breaking change (https://github.com/boto/boto3/issues/2574, /issues/3620), and botocore
1.44 still reads only ``AWS_DEFAULT_REGION``. So the names come from botocore's own table of
session variables at run time, and a botocore that starts reading ``AWS_REGION`` is named
correctly without a change here.
"""

from __future__ import annotations

import os


def region_variables() -> tuple[str, ...]:
    """The environment variables the installed botocore reads the region from."""
    from botocore import configprovider

    # (config file key, environment variable(s), default, conversion), botocore/configprovider.py
    table = getattr(configprovider, "BOTOCORE_DEFAUT_SESSION_VARIABLES", {})
    entry = table.get("region")
    if not isinstance(entry, tuple) or len(entry) < 2:
        return ()
    names = entry[1]
    if isinstance(names, str):
        return (names,)
    return tuple(n for n in names or () if isinstance(n, str))


def no_region_reason(profile: str | None = None) -> str:
    """The one line said when no region was found: the ways that work, and why a set
    ``AWS_REGION`` did not."""
    import botocore

    variables = region_variables()
    configure = "aws configure set region REGION" + (f" --profile {profile}" if profile else "")
    ways = ["pass --region", *(f"set {name}" for name in variables), f"run `{configure}`"]
    reason = "no AWS region: " + ", ".join(ways[:-1]) + ", or " + ways[-1]
    if os.environ.get("AWS_REGION") and "AWS_REGION" not in variables:
        reason += f"; AWS_REGION is set, but botocore {botocore.__version__} does not read it"
    return reason
