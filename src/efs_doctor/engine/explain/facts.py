"""Facts an error text carries: ids, mount arguments, region, credentials source, versions."""

from __future__ import annotations

import re

from efs_doctor.engine.explain.model import CredentialsSource, Facts, MountArguments
from efs_doctor.engine.explain.timing import mount_seconds
from efs_doctor.engine.mount.golang import parse_go_bool

# not followed by a mask (`fs-0123abcd****`: the user hid the rest, the id is not fs-0123abcd)
_FS_ID = re.compile(r"(?<![\w-])fs-([0-9a-f]{8,40})(?![0-9a-z*#])")
# Ids users redact or truncate before posting: fs-xxxx, fs-XXXXXXXX, fs-***, fs-0123..., fs-<id>.
_FS_REDACTED = re.compile(
    r"(?<![\w-])fs-(?:[xX*#]{3,}|<[^>\s]{1,20}>|[0-9a-f]{0,40}(?:\.\.\.|x{3,}|\*{2,}|#{2,})"
    r"|\.\.\.|\{[^}\s]*\})"
)
# An access point id inside a path (the controller's cleanup directory, a state file name)
# does not make a mount an access-point mount: only `accesspoint=` or the volume handle do.
_AP_ID = re.compile(r"(?<![\w/.-])fsap-([0-9a-f]{8,40})(?![0-9a-z])")
# DeleteVolume mounts the file system at TempMountPathPrefix + "/" + <access point id> to remove
# the access point's root directory (aws-efs-csi-driver pkg/driver/controller.go).
_CONTROLLER_MOUNT = re.compile(r"/var/lib/csi/pv/fsap-[0-9a-f]{8,40}(?![0-9a-z])")
_SERVER_PATH = re.compile(r"mounting \S+?:(/\S*) failed, reason given by server", re.IGNORECASE)
_MOUNT_ARGS = re.compile(r"Mounting arguments:\s*(?P<args>[^\n]*)")
_MOUNT_CMD = re.compile(r"\bmount(?:\.efs)?\s+(?P<args>-t\s+(?:efs|nfs4?)\s[^\n]*)")
_REGION = re.compile(
    r"\b((?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-"
    r"(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d)(?![\d])"
)
_AZ = re.compile(
    r"(?:\bin the az |\baz=|zone[=:]\s*|availability zone:? )"
    r"((?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov)?-[a-z]+-\d[a-z])\b",
    re.IGNORECASE,
)
_EXIT = re.compile(r"exit status (\d{1,3})\b")
_PV = (
    re.compile(r'for volume "([^"\s]+)"'),
    re.compile(r"kubernetes\.io~csi/([^/\s]+)/mount"),
    re.compile(r"persistentvolume[s]? \"?([a-z0-9][a-z0-9.-]*)\"?", re.IGNORECASE),
    # the PV controller's binding events (pv_controller.go syncUnboundClaim)
    re.compile(r'(?:requested volume|volume) "([^"\s]+)"(?::| already bound)'),
)
_PVC = re.compile(r'(?:ClaimName:\s+|persistentvolumeclaim "|PVC "?)([a-z0-9][a-z0-9.-]*)', re.I)
_POD_NAME = re.compile(r"^Name:\s+(\S+)", re.MULTILINE)
_POD_NS = re.compile(r"^Namespace:\s+(\S+)", re.MULTILINE)
_ASSIGNED = re.compile(r"Successfully assigned ([a-z0-9.-]+)/([a-z0-9.-]+) to (\S+)")
_NODE = re.compile(r"^Node:\s+([^/\s]+)", re.MULTILINE)
_SC = re.compile(r'StorageClass "([^"]+)"')
# Older efs-utils logged the source with a missing "%s" (logging.debug("...: ", source) in
# aws/efs-utils src/mount_efs/__init__.py), so Python's logging printed its error report instead:
# "Message: 'AWS credentials source used for IAM authentication: '" then
# "Arguments: ('webidentity:<role>,<token file>',)" (logging.Handler.handleError).
_CRED_SOURCE = re.compile(
    r"AWS credentials source used for IAM authentication:\s*"
    r"(?:'\s*Arguments:\s*\(\s*['\"])?"
    r"(?P<kind>[a-z_-]+)(?::(?P<detail>[^\s'\"]*))?",
    re.IGNORECASE,
)
_ROLE_ARN = re.compile(
    r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=.@/-]+"
)  # "," separates the token file
_PRINCIPAL = re.compile(
    r"User:\s+(arn:aws[a-z-]*:(?:sts|iam)::\d{12}:[\w+=,.@/:-]+?)\s+is not authorized"
)
_DENIED_ACTION = re.compile(r"not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)")
_MT_IP = re.compile(
    r"mount target ip address\s+\[?([0-9a-f.:]{7,45})\]?|mounttargetip=([0-9a-f.:]{7,45})", re.I
)
_DRIVER_VERSION = re.compile(
    r"aws-efs-csi-driver:v?(\d+\.\d+\.\d+)|efs-csi-driver(?: version)?[ :=]v?(\d+\.\d+\.\d+)|"
    r'driverVersion["\s:=]+v?(\d+\.\d+\.\d+)',
    re.IGNORECASE,
)
_EFS_UTILS_VERSION = re.compile(
    r"(?:amazon-efs-utils|efs-utils|mount\.efs)[ -:=v]*(?:version[ :]*)?v?(\d+\.\d+\.\d+)",
    re.IGNORECASE,
)
_ENCRYPT = re.compile(r"encryptInTransit[\"']?\s*[:=]\s*[\"']?([^\s\"',}]+)", re.IGNORECASE)
_FARGATE = re.compile(r"\bfargate\b", re.IGNORECASE)
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}(?![\w:])", re.IGNORECASE)
# Users who do not paste addresses say so in words: "IPv6", "AAAA records", "dual-stack", NAT64.
_IPV6_WORDS = re.compile(r"\bIPv6\b|\bAAAA\b|\bdual[- ]stack\b|\bNAT64\b", re.IGNORECASE)
# Users who name no access point id still say they mount through one.
# "access_point" / "AccessPoint" as Terraform (aws_efs_access_point), CloudFormation
# (AWS::EFS::AccessPoint) and ECS task definitions (accessPointId) spell the same object.
_ACCESS_POINT_WORDS = re.compile(r"\baccess[ _-]?points?\b|\bAccessPoint|\bfsap-", re.IGNORECASE)
# A file system DNS name with a quote mark inside it: no host has that name (a quote is never a
# hostname character), so the id reached the mount with its quotes ('"fs-0abc".efs.eu-west-1...').
_QUOTED_DNS_NAME = re.compile(r"""["'`]fs-[\w*#]{1,40}["'`]\.efs\.[a-z0-9.-]+""")
# The region inside a file system DNS name: fs-<id>.efs.<region>.amazonaws.com (efs-semantics.md
# §2.7), optionally after an AZ label.
_DNS_NAME_REGION = re.compile(r"fs-[\w*#]{1,40}[\"'`]?\.efs\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.", re.I)
# The node's region from its EC2 private DNS name: ip-<addr>.<region>.compute.internal, and
# ip-<addr>.ec2.internal in us-east-1 (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-naming.html).
_NODE_REGION = re.compile(
    r"\bip-[\d-]+\.(?:([a-z]{2}(?:-gov)?-[a-z]+-\d)\.compute|(ec2))\.internal\b"
)


def parse_mount_arguments(raw: str) -> MountArguments:
    """Split ``-t efs -o a,b fs-..:/ /target`` (kubelet's 'Mounting arguments')."""
    tokens = raw.split()
    fs_type: str | None = None
    options: list[str] = []
    positional: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "-t" and index + 1 < len(tokens):
            fs_type = tokens[index + 1]
            index += 2
            continue
        if token == "-o" and index + 1 < len(tokens):
            options.extend(part for part in tokens[index + 1].split(",") if part)
            index += 2
            continue
        if not token.startswith("-"):
            positional.append(token)
        index += 1
    source = positional[0] if positional else None
    target = positional[1] if len(positional) > 1 else None
    return MountArguments(raw.strip(), fs_type, tuple(options), source, target)


def _first_group(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    return next((group for group in match.groups() if group), None)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def extract_facts(clean: str) -> Facts:
    """Every fact the normalised text carries; absent facts stay None."""
    facts = Facts()
    fs_ids = _unique([f"fs-{m.group(1)}" for m in _FS_ID.finditer(clean)])
    facts.file_system_ids = fs_ids
    facts.file_system_id = fs_ids[0] if fs_ids else None
    facts.redacted = _unique([m.group(0) for m in _FS_REDACTED.finditer(clean)])
    if facts.file_system_id is None and facts.redacted:
        facts.file_system_id = facts.redacted[0]
    ap = _AP_ID.search(clean)
    facts.access_point_id = f"fsap-{ap.group(1)}" if ap else None

    args_match = _MOUNT_ARGS.search(clean) or _MOUNT_CMD.search(clean)
    if args_match is not None:
        args = parse_mount_arguments(args_match.group("args"))
        facts.mount_arguments = args
        facts.mount_options = list(args.options)
        for option in args.options:
            name, _, value = option.partition("=")
            if name == "accesspoint" and value and facts.access_point_id is None:
                facts.access_point_id = value
            if name == "region" and value:
                facts.region = value

    facts.availability_zone = _first_group(_AZ.search(clean))
    if facts.region is None:
        region = _REGION.search(clean)
        if region is not None:
            facts.region = region.group(1)
        elif facts.availability_zone:
            facts.region = facts.availability_zone[:-1]

    exits = _EXIT.findall(clean)
    facts.exit_status = int(exits[-1]) if exits else None
    for pattern in _PV:
        pv = pattern.search(clean)
        if pv is not None:
            facts.pv = pv.group(1)
            break
    facts.pvc = _first_group(_PVC.search(clean))
    facts.storage_class = _first_group(_SC.search(clean))
    assigned = _ASSIGNED.search(clean)
    pod_name, pod_namespace = _POD_NAME.search(clean), _POD_NS.search(clean)
    if pod_name is not None:
        namespace = pod_namespace.group(1) if pod_namespace else "default"
        facts.pod = f"{namespace}/{pod_name.group(1)}"
    elif assigned is not None:
        facts.pod = f"{assigned.group(1)}/{assigned.group(2)}"
    node = _NODE.search(clean)
    facts.node = node.group(1) if node else (assigned.group(3) if assigned else None)

    cred = _CRED_SOURCE.search(clean)
    if cred is not None:
        detail = cred.group("detail") or ""
        role = _ROLE_ARN.search(detail)
        facts.credentials_source = CredentialsSource(
            cred.group("kind").lower(), detail, role.group(0) if role else None
        )
    facts.principal = _first_group(_PRINCIPAL.search(clean))
    facts.denied_action = _first_group(_DENIED_ACTION.search(clean))
    facts.mount_target_ip = _first_group(_MT_IP.search(clean))
    facts.driver_version = _first_group(_DRIVER_VERSION.search(clean))
    facts.efs_utils_version = _first_group(_EFS_UTILS_VERSION.search(clean))
    encrypt = _ENCRYPT.search(clean)
    # The driver reads the attribute with Go's ParseBool (efs-semantics.md §3.3).
    facts.encrypt_in_transit = None if encrypt is None else parse_go_bool(encrypt.group(1))
    facts.fargate = _FARGATE.search(clean) is not None
    facts.ipv6 = _IPV6.search(clean) is not None or _IPV6_WORDS.search(clean) is not None
    facts.controller_mount = _CONTROLLER_MOUNT.search(clean) is not None
    facts.access_point_words = _ACCESS_POINT_WORDS.search(clean) is not None
    quoted = _QUOTED_DNS_NAME.search(clean)
    facts.quoted_dns_name = quoted.group(0) if quoted else None
    dns_region = _DNS_NAME_REGION.search(clean)
    facts.dns_name_region = dns_region.group(1).lower() if dns_region else None
    node_region = _NODE_REGION.search(clean)
    if node_region is not None:
        facts.node_region = node_region.group(1) or "us-east-1"
    server_path = _SERVER_PATH.search(clean)
    facts.server_path = server_path.group(1) if server_path else None
    facts.mount_seconds = mount_seconds(clean)
    return facts
