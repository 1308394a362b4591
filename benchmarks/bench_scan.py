"""``efs-doctor scan`` as a whole process, against the YAML parsing floor and Checkov.

Every measurement is a fresh process (interpreter start, imports, reading the files,
output), run several times on a generated corpus (``benchmarks/corpus.py``); the table gives
the median, min and max wall time, the median CPU time (user + system, workers included)
and the peak RSS. Bytecode is cached (as after ``pip install``) and files are in the page
cache: one unrecorded warm-up run comes first. Peak RSS is the largest ``ru_maxrss`` the
kernel reports for the process (read by ``/usr/bin/time``), or, when the process starts
workers, the peak of the summed RSS of the process tree (sampled every 20 ms from
``/proc``; shared pages count once per process, so this overstates). ``busy`` is how many
CPUs other processes used just before a run: wall times mean little when it is not ~0.

- **efs-doctor**: ``efs-doctor scan DIR`` (text report to a file), N = 500 and 5,000 files,
  and 50,000 with ``--large``;
- **parsing floor**: a Python process that reads the same files and loads every document
  with PyYAML's ``CSafeLoader`` (libyaml) and nothing else: what any YAML-reading Python
  tool pays before it does any work;
- **Checkov**: ``checkov -d DIR --framework kubernetes --quiet`` on the same directory, when
  installed (``--checkov PATH``, the throwaway venv ``--install-checkov`` makes, or PATH);
- ``efs-doctor --version`` (cold start) and ``efs-doctor scan examples/seed-incident``;
- with ``--dump N``: one ``kubectl get -o yaml`` List of N objects (a cluster dump).

    .venv/bin/python -m benchmarks [--large] [--runs N] [--install-checkov] [--no-checkov]
                                   [--dump N] [--wait-idle SECONDS] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from benchmarks import corpus, monorepo

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
CHECKOV_VENV = Path(tempfile.gettempdir()) / "efs-doctor-checkov"
SMALL, MEDIUM, LARGE = 500, 5_000, 50_000

# The parsing floor: read the files efs-doctor reads (same suffixes, same walk) and load
# every document with libyaml; count them so nothing is optimised away.
FLOOR = """
import os, sys, yaml
loader = yaml.CSafeLoader
count = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(files):
        if name.endswith((".yaml", ".yml", ".json")):
            with open(os.path.join(root, name), encoding="utf-8") as handle:
                for _ in yaml.load_all(handle.read(), Loader=loader):
                    count += 1
print(count)
"""


@dataclass
class Measure:
    """Runs of one command: wall seconds, CPU seconds, peak RSS (KiB) per run."""

    label: str
    files: int | None
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    tree_kib: list[int] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)  # other processes' CPUs just before
    target_s: float | None = None
    target_mb: float | None = None
    target_faster: float | None = None  # times faster than the peer (Checkov)
    target_floor: float | None = None  # at most this many times the floor's time
    floor_name: str = "the floor"
    short: str = ""  # the name in other rows' ratios

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def peak_mb(self) -> float:
        return max(*self.rss_kib, *self.tree_kib) / 1024


def _descendants_rss_kib(pid: int) -> tuple[int, int]:
    """(how many, summed VmRSS) of the descendants of ``pid``."""
    total = count = 0
    pending = _children(pid)
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        count += 1
                        break
        except (OSError, ValueError):
            continue
        pending.extend(_children(current))
    return count, total


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found.extend(int(child) for child in handle.read().split())
    except (OSError, ValueError):
        pass
    return found


def child_env(workdir: Path) -> dict[str, str]:
    """The environment of measured processes: bytecode cached, as after ``pip install``.

    A wheel install compiles every module; a source checkout run with
    ``PYTHONDONTWRITEBYTECODE`` would instead compile all of efs-doctor on every start. The
    cache goes to a prefix under the work directory, never into the source tree."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    return env


ENV: dict[str, str] = dict(os.environ)
# Seconds to wait, before each run, for other processes to leave the CPUs (--wait-idle).
WAIT_IDLE = {"seconds": 0.0}


def busy_cpus(interval: float = 0.5) -> float:
    """How many CPUs other processes kept busy over ``interval`` (this one sleeps)."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]  # all, idle + iowait

    try:
        total, idle = sample()
        time.sleep(interval)
        total2, idle2 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    spent = total2 - total
    return (spent - (idle2 - idle)) / spent * (os.cpu_count() or 1) if spent else 0.0


def wait_for_idle() -> float:
    """Wait up to ``--wait-idle`` seconds for the CPUs to be idle; the background load seen."""
    deadline = time.monotonic() + WAIT_IDLE["seconds"]
    while True:
        load = busy_cpus(0.3)
        if load < 0.1 or time.monotonic() >= deadline:
            return load


def run_once(
    command: Sequence[str],
    measure: Measure,
    ok: Sequence[int] = (0,),
    env: Mapping[str, str] | None = None,
    *,
    silent: bool = False,
) -> None:
    """Run ``command`` once (stdout to a scratch file) and record wall, CPU and RSS.

    The command runs under ``/usr/bin/time`` when it exists: ``ru_maxrss`` keeps the high
    water mark of the memory a process had before ``exec``, so a child forked from this
    (bigger) Python process would report this process's size; a small C parent does not
    distort it. The summed RSS of the process tree is sampled every 20 ms, and counts only
    when the command runs more than one process (workers)."""
    background = wait_for_idle() if WAIT_IDLE["seconds"] else busy_cpus(0.1)
    timer = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "time"
        full = [timer, "-q", "-f", "%U %S %M", "-o", str(report), *command] if timer else command
        with open(Path(scratch) / "out", "wb") as out, open(Path(scratch) / "err", "wb") as err:
            start = time.perf_counter()
            process = subprocess.Popen(
                full, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env={**ENV, **(env or {})}
            )
            peak_tree = 0
            done = threading.Event()

            def sample() -> None:
                nonlocal peak_tree
                while not done.wait(0.02):
                    count, total = _descendants_rss_kib(process.pid)
                    if count > 1:
                        peak_tree = max(peak_tree, total)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            done.set()
            sampler.join()
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            tail = (Path(scratch) / "err").read_text(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(command)} exited {code}:\n{tail}")
        if not silent and (Path(scratch) / "out").stat().st_size == 0:
            raise SystemExit(f"{' '.join(command)} printed nothing")
        if timer:
            user, system, rss = report.read_text().split()[-3:]
            cpu, rss_kib = float(user) + float(system), int(rss)
        else:
            cpu, rss_kib = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    measure.wall.append(wall)
    measure.cpu.append(cpu)
    measure.rss_kib.append(rss_kib)
    measure.tree_kib.append(peak_tree)
    measure.busy.append(background)


def efs_doctor() -> list[str]:
    script = Path(sys.executable).with_name("efs-doctor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "efs_doctor"]


def find_checkov(explicit: str | None) -> str | None:
    """``--checkov``, else ``$EFS_DOCTOR_CHECKOV``, the throwaway venv, or PATH. Checkov
    lives in a venv of its own, never in efs-doctor's (its dependencies would change the
    measured tool's)."""
    explicit = explicit or os.environ.get("EFS_DOCTOR_CHECKOV")
    if explicit:
        return explicit
    venv = CHECKOV_VENV / "bin" / "checkov"
    if venv.exists():
        return str(venv)
    return shutil.which("checkov")


def install_checkov() -> str:
    """Checkov into a throwaway venv under the temp directory (pip from PyPI)."""
    print(f"installing Checkov into {CHECKOV_VENV} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
    pip = [str(CHECKOV_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "checkov"], check=True)
    return str(CHECKOV_VENV / "bin" / "checkov")


def checkov_version(checkov: str) -> str:
    found = subprocess.run([checkov, "--version"], capture_output=True, text=True, check=False)
    return found.stdout.strip() or "?"


def generated(folder: Path, make: Callable[[Path], T]) -> T | None:
    """What ``make`` returns after making ``folder``, or None when a complete one is already
    there (a stamp file written last marks it complete)."""
    stamp = folder / ".complete"
    if stamp.exists():
        return None
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    made = make(folder)
    stamp.write_text(f"{made}\n")
    return made


def corpus_dir(base: Path, files: int, seed: int) -> Path:
    """A generated corpus of ``files`` files, reused when ``base`` already holds it."""
    folder = base / f"corpus-{files}-seed{seed}"
    start = time.perf_counter()
    made = generated(folder, lambda path: corpus.generate(path, files, seed))
    if made is not None:
        print(
            f"corpus: {made.files:,} files, {made.documents:,} documents, "
            f"{made.bytes / 1e6:.1f} MB, {made.k8s_objects:,} Kubernetes objects "
            f"(generated in {time.perf_counter() - start:.1f} s) -> {folder}",
            file=sys.stderr,
        )
    return folder


def dump_dir(base: Path, objects: int, seed: int) -> Path:
    """A generated ``kubectl get -o yaml`` dump of ``objects`` objects (reused)."""
    folder = base / f"dump-{objects}-seed{seed}"
    if generated(folder, lambda path: corpus.generate_dump(path, objects, seed)) is not None:
        print(f"dump: one List of {objects:,} objects -> {folder}", file=sys.stderr)
    return folder


def fmt_row(m: Measure, floor: Measure | None, checkov: Measure | None) -> str:
    """One table row: the figures, the ratios to ``floor`` (the floor, or the bare
    interpreter for ``--version``) and to ``checkov`` (the peer), and the verdict."""
    files = f"{m.files:,}" if m.files else "-"
    over = m.median / floor.median if floor and floor is not m else None
    faster = checkov.median / m.median if checkov and checkov is not m else None
    ratios = []
    if over is not None and floor is not None:
        cpu_over = statistics.median(m.cpu) / max(statistics.median(floor.cpu), 1e-3)
        ratios.append(f"{over:.2f}x {m.floor_name} (CPU {cpu_over:.2f}x)")
    if faster is not None and checkov is not None:
        ratios.append(f"{faster:.1f}x faster than {checkov.short or checkov.label}")
    verdicts: list[str] = []  # one per target: a row can meet one and miss another

    def judge(met: bool, wanted: str) -> None:
        verdicts.append(f"{'met' if met else 'NOT met'}: {wanted}")

    if m.target_s is not None:
        judge(m.median <= m.target_s, f"<= {m.target_s:g} s")
    if m.target_floor is not None:
        judge(over is not None and over <= m.target_floor, f"<= {m.target_floor:g}x {m.floor_name}")
    if m.target_mb is not None:
        judge(m.peak_mb <= m.target_mb, f"<= {m.target_mb:g} MB")
    if m.target_faster is not None:
        if faster is None:
            verdicts.append(f">= {m.target_faster:g}x the peer: not measured (not installed)")
        else:
            judge(faster >= m.target_faster, f">= {m.target_faster:g}x the peer")
    verdict = "; ".join(verdicts)
    cells = [
        m.label,
        files,
        f"{m.median:.3f}",
        f"{min(m.wall):.3f}",
        f"{max(m.wall):.3f}",
        f"{statistics.median(m.cpu):.3f}",
        f"{m.peak_mb:.0f}",
        f"{max(m.busy, default=0.0):.1f}",
        "; ".join(ratios),
        verdict,
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| command | files | median s | min s | max s | CPU s | peak RSS MB | busy | ratio | target |\n"
    "|---|--:|--:|--:|--:|--:|--:|--:|---|---|"
)


def monorepo_dir(base: Path, files: int) -> Path:
    """A generated GitOps monorepo (``benchmarks/monorepo.py``) of ``files`` files, reused."""
    folder = base / f"monorepo-{files}-seed{monorepo.SEED}"
    made = generated(folder, lambda path: monorepo.generate(path, files))
    if made is not None:
        print(f"monorepo: {monorepo.describe(made)} -> {folder}", file=sys.stderr)
    return folder


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--large", action="store_true", help="also N = 50,000 files")
    parser.add_argument(
        "--sizes", type=int, nargs="+", help=f"corpus sizes (default {SMALL} {MEDIUM})"
    )
    parser.add_argument(
        "--corpus",
        choices=("platform", "monorepo", "both"),
        default="both",
        help="the platform corpus (corpus.py), the GitOps monorepo (monorepo.py), or both",
    )
    parser.add_argument("--seed", type=int, default=corpus.SEED)
    parser.add_argument("--workdir", type=Path, help="keep generated corpora here (reused)")
    parser.add_argument(
        "--checkov", metavar="PATH", help="the checkov executable (or $EFS_DOCTOR_CHECKOV)"
    )
    parser.add_argument(
        "--install-checkov",
        action="store_true",
        help=f"install Checkov into a throwaway venv ({CHECKOV_VENV}) first",
    )
    parser.add_argument("--no-checkov", action="store_true", help="do not run Checkov")
    parser.add_argument(
        "--checkov-runs", type=int, default=3, help="runs of Checkov per size (default 3)"
    )
    parser.add_argument(
        "--kustomize-runs",
        type=int,
        default=1,
        help="runs of Checkov's kustomize framework per monorepo size (default 1: minutes each)",
    )
    parser.add_argument(
        "--dump",
        type=int,
        metavar="OBJECTS",
        help="also scan one kubectl List of OBJECTS objects (a cluster dump)",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each run, wait up to SECONDS for other processes to leave the CPUs",
    )
    return parser.parse_args(argv)


Row = tuple[Measure, Measure | None, Measure | None]


def checkov_measure(checkov: str, framework: str, folder: Path, size: int, runs: int) -> Measure:
    """Checkov's ``framework`` on ``folder`` (``--skip-download``: no Prisma Cloud calls,
    which would only add network waits to its time)."""
    measure = Measure(f"`checkov -d DIR --framework {framework}`", size)
    measure.short = f"Checkov ({framework})"
    command = [checkov, "-d", str(folder), "--framework", framework, "--quiet", "--skip-download"]
    for _ in range(runs):
        run_once(command, measure, ok=(0, 1))
    return measure


def platform_rows(
    args: argparse.Namespace, folders: dict[int, Path], checkov: str | None
) -> list[Row]:
    """The platform corpus (issue 8): the scan against the floor and Checkov."""
    tool, python = efs_doctor(), sys.executable
    rows: list[Row] = []
    for size, folder in folders.items():
        scan = Measure("`efs-doctor scan` (platform corpus)", size)
        if size == SMALL:
            scan.target_s = 0.25
        elif size == MEDIUM:
            scan.target_s, scan.target_mb, scan.target_faster = 1.0, 150, 30
        floor = Measure("parsing floor (CSafeLoader)", size)
        runs = args.runs if size < LARGE else max(1, min(args.runs, 3))
        run_once([python, "-c", FLOOR, str(folder)], Measure("warm-up", None))  # page cache
        for _ in range(runs):  # interleaved, so a load spike hits both alike
            run_once([*tool, "scan", str(folder)], scan, ok=(0, 1))
            run_once([python, "-c", FLOOR, str(folder)], floor)
        checked = None
        if checkov and size <= MEDIUM:
            checked = checkov_measure(checkov, "kubernetes", folder, size, args.checkov_runs)
        rows += [(scan, floor, checked), (floor, None, None)]
        if checked:
            rows.append((checked, floor, None))
    return rows


def monorepo_rows(
    args: argparse.Namespace, folders: dict[int, Path], checkov: str | None, workdir: Path
) -> list[Row]:
    """The GitOps monorepo (issue 22): the scan as users run it (rendering on, the render
    cache filled by an earlier run), the same with an empty render cache (every unit worth
    it rendered by kustomize), with ``--no-render`` (every file parsed as objects), the
    floor, and Checkov's Kubernetes and kustomize frameworks on the same tree."""
    tool, python = efs_doctor(), sys.executable
    warm = {"XDG_CACHE_HOME": str(workdir / "render-cache")}
    rows: list[Row] = []
    for size, folder in folders.items():
        scan = Measure("`efs-doctor scan` (monorepo, render cache filled)", size)
        scan.target_floor = 0.8 if size >= MEDIUM else 1.0
        if size == MEDIUM:
            scan.target_mb, scan.target_faster = 150, 30
        cold = Measure("`efs-doctor scan` (monorepo, empty render cache)", size)
        if size == MEDIUM:
            cold.target_faster = 10
        raw = Measure("`efs-doctor scan --no-render` (monorepo)", size)
        floor = Measure("parsing floor (CSafeLoader)", size)
        runs = args.runs if size < LARGE else max(1, min(args.runs, 3))
        run_once([python, "-c", FLOOR, str(folder)], Measure("warm-up", None))  # page cache
        run_once([*tool, "scan", str(folder)], Measure("warm-up", None), ok=(0, 1), env=warm)
        for run in range(runs):  # interleaved, so a load spike hits all alike
            run_once([*tool, "scan", str(folder)], scan, ok=(0, 1), env=warm)
            run_once([python, "-c", FLOOR, str(folder)], floor)
            run_once([*tool, "scan", "--no-render", str(folder)], raw, ok=(0, 1))
            if run < max(1, runs // 2):  # kustomize processes: slow, fewer runs
                empty = workdir / f"render-cache-empty-{size}-{run}"
                shutil.rmtree(empty, ignore_errors=True)
                run_once(
                    [*tool, "scan", str(folder)],
                    cold,
                    ok=(0, 1),
                    env={"XDG_CACHE_HOME": str(empty)},
                )
                shutil.rmtree(empty, ignore_errors=True)
        k8s = kustomize = None
        if checkov and size <= MEDIUM:
            k8s = checkov_measure(checkov, "kubernetes", folder, size, args.checkov_runs)
            kustomize = checkov_measure(checkov, "kustomize", folder, size, args.kustomize_runs)
        rows += [(scan, floor, k8s), (cold, floor, kustomize), (raw, floor, k8s)]
        rows.append((floor, None, None))
        if k8s and kustomize:
            rows += [(k8s, floor, None), (kustomize, floor, None)]
        elif checkov is None and size <= MEDIUM:
            for framework in ("kubernetes", "kustomize"):
                missing = Measure(f"`checkov -d DIR --framework {framework}`: not installed", size)
                rows.append((missing, None, None))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    WAIT_IDLE["seconds"] = args.wait_idle
    sizes = args.sizes or [SMALL, MEDIUM]
    if args.large and LARGE not in sizes:
        sizes.append(LARGE)

    checkov = None
    if not args.no_checkov:
        checkov = install_checkov() if args.install_checkov else find_checkov(args.checkov)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="efs-doctor-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    platform_folders = (
        {size: corpus_dir(workdir, size, args.seed) for size in sizes}
        if args.corpus in ("platform", "both")
        else {}
    )
    monorepo_folders = (
        {size: monorepo_dir(workdir, size) for size in sizes}
        if args.corpus in ("monorepo", "both")
        else {}
    )
    ENV.clear()
    ENV.update(child_env(workdir))
    tool = efs_doctor()
    python = sys.executable

    version = subprocess.run([*tool, "--version"], capture_output=True, text=True, check=True)
    print(
        f"# {version.stdout.strip()}; Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.2f}"
    )
    if checkov:
        print(f"# Checkov {checkov_version(checkov)} ({checkov})")
    elif not args.no_checkov:
        print(
            "# Checkov not installed ($EFS_DOCTOR_CHECKOV, --checkov PATH, or "
            "--install-checkov into a throwaway venv)"
        )

    rows: list[Row] = []
    bare = Measure("bare interpreter (`python -c pass`)", None)
    cold = Measure("`efs-doctor --version`", None, target_s=0.1, target_floor=3)
    cold.floor_name = "`python -c pass`"
    seed = ROOT / "examples" / "seed-incident"
    example = Measure(
        "`efs-doctor scan examples/seed-incident`",
        sum(1 for p in seed.rglob("*") if p.suffix in (".yaml", ".json")),
        target_s=0.3,
    )
    run_once([*tool, "scan", str(seed)], Measure("warm-up", None), ok=(1,))
    for _ in range(max(args.runs, 10)):
        run_once([python, "-c", "pass"], bare, silent=True)
        run_once([*tool, "--version"], cold)
        run_once([*tool, "scan", str(seed)], example, ok=(1,))
    rows += [(bare, None, None), (cold, bare, None), (example, None, None)]
    rows += platform_rows(args, platform_folders, checkov)
    rows += monorepo_rows(args, monorepo_folders, checkov, workdir)

    if args.dump:
        folder = dump_dir(workdir, args.dump, args.seed)
        count = sum(1 for p in folder.rglob("*") if p.suffix in (".yaml", ".json"))
        dumped = Measure(f"`efs-doctor scan` of one List of {args.dump:,} objects", count)
        floor = Measure("parsing floor (CSafeLoader)", count)
        for _ in range(max(1, min(args.runs, 3))):
            run_once([*tool, "scan", str(folder)], dumped, ok=(0, 1))
            run_once([python, "-c", FLOOR, str(folder)], floor)
        rows += [(dumped, floor, None), (floor, None, None)]

    print()
    print(HEADER)
    for measure, floor_of, checkov_of in rows:
        if measure.wall:
            print(fmt_row(measure, floor_of, checkov_of))
        else:
            print(f"| {measure.label} | {measure.files or '-'} |" + " |" * 8)
    print()
    print(
        f"{args.runs} runs per row (Checkov: {args.checkov_runs}, its kustomize framework: "
        f"{args.kustomize_runs}; an empty render cache: half the runs; --version and the "
        f"example: {max(args.runs, 10)}), each a fresh process; CPU s = median user+system; "
        f"busy = CPUs other processes used just before a run (worst run); "
        f"ratio: time over the parsing floor (or the bare interpreter), and the peer's time "
        f"over efs-doctor's. Load average at the end {os.getloadavg()[0]:.2f} "
        f"(1, 5, 15 min: {', '.join(f'{v:.1f}' for v in os.getloadavg())})."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
