#!/usr/bin/env bash
# The steps of the efs-doctor GitHub Action (action.yml): `run.sh install|scan|gate`.
# Inputs arrive as EFS_DOCTOR_* environment variables, never spliced into the script; results
# go to GITHUB_OUTPUT. GitHub sets GITHUB_ACTION_PATH, RUNNER_TEMP and GITHUB_OUTPUT; the
# tests set them too and run these steps on the bundled examples
# (tests/e2e/test_github_action.py).
set -euo pipefail

die() {
  echo "::error title=efs-doctor::$1"
  exit "${2:-1}"
}

output() {
  echo "$1=$2" >>"$GITHUB_OUTPUT"
}

check_fail_on() {
  case "${EFS_DOCTOR_FAIL_ON:-never}" in
    never | high | critical) ;;
    *) die "fail-on must be high, critical or never, not '${EFS_DOCTOR_FAIL_ON}'" 2 ;;
  esac
}

install() {
  check_fail_on
  local python="${EFS_DOCTOR_PYTHON:-python3}" venv="$RUNNER_TEMP/efs-doctor-venv" spec
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
    || die "efs-doctor needs Python 3.11 or later as '$python' (add actions/setup-python before this action)"
  if [ -n "${EFS_DOCTOR_VERSION:-}" ]; then
    # A version, not pip options: "--index-url=..." must not reach pip.
    [[ "$EFS_DOCTOR_VERSION" =~ ^[0-9][0-9A-Za-z.+!-]*$ ]] \
      || die "version must be a release such as 0.2.0, not '$EFS_DOCTOR_VERSION'" 2
    spec="efs-doctor==$EFS_DOCTOR_VERSION"
  else
    spec="$GITHUB_ACTION_PATH"
  fi
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$spec"
  "$venv/bin/efs-doctor" --version
  output bin "$venv/bin/efs-doctor"
}

scan() {
  local bin="${EFS_DOCTOR_BIN:?install runs first}" sarif="$RUNNER_TEMP/efs-doctor.sarif"
  local -a paths=() config=() words=()
  local line status
  while IFS= read -r line; do
    read -ra words <<<"$line"
    paths+=("${words[@]}")
  done <<<"${EFS_DOCTOR_PATHS:-}"
  if [ -n "${EFS_DOCTOR_CONFIG:-}" ]; then
    config=(--config "$EFS_DOCTOR_CONFIG")
  fi
  # The readable report for the job log; the SARIF file for code scanning.
  set +e
  "$bin" scan "${config[@]}" --format text --color always -- "${paths[@]}"
  "$bin" scan "${config[@]}" --format sarif --output "$sarif" -- "${paths[@]}"
  status=$?
  set -e
  if [ "$status" -ge 2 ]; then
    die "efs-doctor scan exited $status: a usage error, no usable input or a bug (see above)" "$status"
  fi
  output sarif-file "$sarif"
  output exit-code "$status"
  output findings "$("$(dirname "$bin")/python" -c \
    'import json, sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["results"]))' "$sarif")"
  output source-root "$(git rev-parse --show-toplevel 2>/dev/null || pwd)"
}

gate() {
  check_fail_on
  [ "${EFS_DOCTOR_FAIL_ON:-never}" = never ] && return 0
  local bin="${EFS_DOCTOR_BIN:?install runs first}" count
  # Severity order is efs-doctor's own (findings.Severity), not a second copy here.
  count="$("$(dirname "$bin")/python" - "$EFS_DOCTOR_SARIF" "$EFS_DOCTOR_FAIL_ON" <<'PY'
import json
import sys

from efs_doctor.findings import Severity

threshold = Severity(sys.argv[2])
results = json.load(open(sys.argv[1], encoding="utf-8"))["runs"][0]["results"]
print(sum(Severity(r["properties"]["severity"]).at_least(threshold) for r in results))
PY
)"
  if [ "$count" -gt 0 ]; then
    die "$count finding(s) at or above $EFS_DOCTOR_FAIL_ON (fail-on)"
  fi
  echo "efs-doctor: no finding at or above $EFS_DOCTOR_FAIL_ON"
}

case "${1:-}" in
  install | scan | gate) "$1" ;;
  *) die "usage: run.sh install|scan|gate" 2 ;;
esac
