"""Microcontroller builds of the exported model, run and counted under QEMU.

One toolchain layer for the tests (``tests/test_mcu.py``: bit-exact logits on
Cortex-M0+, M4 and M7) and the ``mcu`` benchmark (flash, RAM, instructions per
window):

* :data:`TARGETS`: Cortex-M0+, M4, M7 (``arm-none-eabi-gcc``, ``qemu-arm``) and
  RV32IMC (``riscv64-unknown-elf-gcc`` with picolibc, ``qemu-riscv32``);
* :func:`build`: cross-compiles every ``.c`` that :func:`skmicrobi.export_c`
  wrote, plus the freestanding ``harness.c`` (own ``_start``, Linux system calls
  only), with ``-fstack-usage -fcallgraph-info=su``, and links an ELF;
* :func:`run`: int16 windows in, int32 logits out, the contract of
  :func:`skmicrobi.export.run_c`, under QEMU user mode;
* :func:`count`: exact executed-instruction counts per window and per function,
  from the TCG plugin ``insn_plugin.c`` (built here with the host compiler);
* :func:`flash` and :func:`ram`: section sizes of the cross-compiled objects,
  and scratch + stack + input bytes.

QEMU 7.2's ``qemu-arm`` lists the M-profile CPUs but cannot start a Linux
program on them (an assertion on the guest address space), so the Arm targets
run on ``-cpu max``, which executes every Thumb-2 and DSP instruction the
M-profile compilers emit. The counts are therefore ISA-level counts of the
code compiled for each core: how many instructions it executes, not cycles.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skmicrobi.export import macro_prefix

HERE = Path(__file__).parent
HARNESS = HERE / "harness.c"
PLUGIN_SOURCE = HERE / "insn_plugin.c"

#: Flags every build gets: the generated code must be clean ISO C99.
STRICT_CFLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic")

#: Harness functions (everything else executed belongs to the model's call tree,
#: C library and libgcc helpers included).
_HARNESS_SYMBOL = re.compile(r"(_start|mcuh_\w+)\Z")


@dataclass(frozen=True)
class Target:
    """A cross-compilation target and the QEMU that runs its programs.

    Attributes
    ----------
    name : str
        Key in :data:`TARGETS`.
    title : str
        Name in tables.
    prefix : str
        Toolchain prefix (``arm-none-eabi-``).
    cflags : tuple of str
        Code-generation flags (CPU, instruction set, ABI).
    qemu : str
        QEMU user-mode program.
    qemu_cpu : str
        Its ``-cpu`` choice.
    clock_mhz : int
        Clock of a typical part, for the time *estimate* only.
    clock_note : str
        Which part that clock is from.
    compile_flags : tuple of str
        Extra flags for compiling only (C library headers).
    link_flags : tuple of str
        Flags for linking the ELF.
    libc : str
        File that shows the C library is installed (newlib's ``libc.a``,
        ``picolibc.specs``).
    """

    name: str
    title: str
    prefix: str
    cflags: tuple[str, ...]
    qemu: str
    qemu_cpu: str
    clock_mhz: int
    clock_note: str
    compile_flags: tuple[str, ...] = ()
    link_flags: tuple[str, ...] = ()
    libc: str = "libc.a"

    @property
    def cc(self) -> str:
        """The cross C compiler."""
        return self.prefix + "gcc"

    def tool(self, name: str) -> str:
        """A binutils program of this toolchain (``size``, ``nm``, ``objdump``)."""
        return self.prefix + name

    def missing(self) -> list[str]:
        """Programs (and the C library) of this target that are not installed."""
        needed = (self.cc, self.tool("size"), self.tool("nm"), self.tool("objdump"),
                  self.qemu)
        absent = [p for p in needed if shutil.which(p) is None]
        if self.cc not in absent and not _finds(self.cc, self.cflags, self.libc):
            absent.append(f"{self.libc} of {self.cc}")
        return absent

    def available(self) -> bool:
        """Whether compiler, binutils and QEMU are all installed."""
        return not self.missing()


@functools.cache
def _finds(cc: str, cflags: tuple[str, ...], file: str) -> bool:
    """Whether ``cc -print-file-name=file`` finds ``file`` (not just echoes it)."""
    try:
        out = subprocess.run([cc, *cflags, f"-print-file-name={file}"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and os.sep in out.stdout.strip()


_ARM_LINK = ("-nostdlib", "-static")
# Newlib (Arm) and picolibc (RISC-V) supply only memcpy/memset if the generated
# code calls them; libgcc supplies helpers such as __aeabi_lmul.
_ARM_LIBS = ("-lc", "-lgcc")

#: The targets, by name. Clocks are of common parts and serve only the
#: clearly labelled millisecond estimate.
TARGETS: dict[str, Target] = {
    "cortex-m0plus": Target(
        "cortex-m0plus", "Cortex-M0+", "arm-none-eabi-",
        ("-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"), "qemu-arm", "max",
        48, "48 MHz (e.g. SAMD21, STM32L0 at 32 MHz)",
        link_flags=_ARM_LINK,
    ),
    "cortex-m4": Target(
        "cortex-m4", "Cortex-M4", "arm-none-eabi-",
        ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft"), "qemu-arm", "max",
        80, "80 MHz (e.g. STM32L4, nRF52 at 64 MHz)",
        link_flags=_ARM_LINK,
    ),
    "cortex-m7": Target(
        "cortex-m7", "Cortex-M7", "arm-none-eabi-",
        ("-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=soft"), "qemu-arm", "max",
        216, "216 MHz (e.g. STM32F7)",
        link_flags=_ARM_LINK,
    ),
    "rv32imc": Target(
        "rv32imc", "RV32IMC", "riscv64-unknown-elf-",
        ("-march=rv32imc", "-mabi=ilp32"), "qemu-riscv32", "rv32",
        160, "160 MHz (e.g. ESP32-C3)",
        # picolibc's headers and libraries; its linker script (flash at
        # 0x10000000, RAM at 0x20000000) loads fine in QEMU user mode, and
        # -nostartfiles keeps its crt0 out: the harness has its own _start.
        compile_flags=("--specs=picolibc.specs",),
        link_flags=("--specs=picolibc.specs", "-nostartfiles", "-static"),
        libc="picolibc.specs",
    ),
}
#: The Arm targets the tests must cover.
ARM_TARGETS = ("cortex-m0plus", "cortex-m4", "cortex-m7")


def _run(cmd: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(map(str, cmd)), capture_output=True, **kwargs)
    if proc.returncode != 0:
        err = proc.stderr
        if isinstance(err, bytes):
            err = err.decode(errors="replace")
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{err}"
        )
    return proc


def _target(target: str | Target) -> Target:
    if isinstance(target, Target):
        return target
    try:
        return TARGETS[target]
    except KeyError:
        known = sorted(TARGETS)
        raise ValueError(f"Unknown target {target!r}; known: {known}") from None


# -- the exported model ------------------------------------------------------------
def _header_macros(header: Path, up: str) -> dict[str, int]:
    text = header.read_text()
    macros = {}
    for key in ("N_CHANNELS", "N_TIMEPOINTS", "N_CLASSES", "SCRATCH_BYTES",
                "INPUT_BITS"):
        m = re.search(rf"^#define {up}_{key}\s+\(?\s*(\d+)", text, flags=re.M)
        if m is None:
            raise ValueError(f"{header} does not define {up}_{key}")
        macros[key.lower()] = int(m.group(1))
    return macros


# -- building ----------------------------------------------------------------------
@dataclass
class Build:
    """A linked harness program and the objects it was made of.

    Attributes
    ----------
    target : Target
    opt : str
        Optimisation flag (``-Os``, ``-O2``).
    flags : tuple of str
        Every compile flag after the target's.
    elf : Path
        The program.
    name : str
        The model's C name.
    model_object : Path
        Object of ``name.c`` (the model's constants and its glue).
    kernel_objects : tuple of Path
        Objects of the other exported ``.c`` files (the kernels).
    sizes : dict
        ``n_channels``, ``n_timepoints``, ``n_classes``, ``scratch_bytes`` from
        the header.
    """

    target: Target
    opt: str
    flags: tuple[str, ...]
    elf: Path
    name: str
    model_object: Path
    kernel_objects: tuple[Path, ...]
    sizes: dict = field(default_factory=dict)

    @property
    def n_classes(self) -> int:
        """Logits per window."""
        return self.sizes["n_classes"]

    @property
    def input_bits(self) -> int:
        """Width of one input value: 16 (int16) or 8 (int8)."""
        return self.sizes["input_bits"]

    @property
    def input_shape(self) -> tuple[int, int]:
        """``(n_channels, n_timepoints)`` of one window."""
        return self.sizes["n_channels"], self.sizes["n_timepoints"]


def _split_paths(
    paths: Sequence[str | os.PathLike], name: str | None
) -> tuple[str, Path, Path, list[Path]]:
    paths = [Path(p) for p in paths]
    if name is None:
        headers = [p for p in paths if p.suffix == ".h"]
        named = [h for h in headers if h.with_suffix(".c") in paths]
        if not named:
            raise ValueError(f"No name.h beside a name.c among {list(map(str, paths))}")
        name = named[0].stem
    header = next((p for p in paths if p.name == f"{name}.h"), None)
    source = next((p for p in paths if p.name == f"{name}.c"), None)
    if header is None or source is None:
        raise ValueError(f"{name}.h and {name}.c must be among the exported paths")
    kernels = [p for p in paths if p.suffix == ".c" and p != source]
    return name, header, source, kernels


def build(
    target: str | Target,
    opt: str,
    paths: Sequence[str | os.PathLike],
    *,
    flags: Sequence[str] = (),
    directory: str | os.PathLike | None = None,
    name: str | None = None,
) -> Build:
    """Cross-compile the exported model with the harness and link an ELF.

    Parameters
    ----------
    target : str or Target
        A key of :data:`TARGETS`.
    opt : str
        Optimisation flag, e.g. ``"-Os"``, ``"-O2"``.
    paths : sequence of path
        What :func:`skmicrobi.export_c` returned; every ``.c`` is compiled with
        ``-I`` the export folder.
    flags : sequence of str, default=()
        More compile flags (e.g. ``-DNAME_PORTABLE``), after
        :data:`STRICT_CFLAGS`.
    directory : path, optional
        Where objects, ``.su``/``.ci`` files and the ELF go; by default a folder
        named after target, flags and optimisation beside the exported files.
    name : str, optional
        The model's C name; by default the stem of the ``.h`` that has a ``.c``.

    Returns
    -------
    Build

    Raises
    ------
    RuntimeError
        If a compiler or the linker fails (with its messages), or a tool is
        missing.
    """
    tgt = _target(target)
    if tgt.missing():
        raise RuntimeError(f"{tgt.title}: missing {', '.join(tgt.missing())}")
    name, header, source, kernels = _split_paths(paths, name)
    flags = (opt, *STRICT_CFLAGS, *flags)
    if directory is None:
        tag = hashlib.sha1(" ".join(flags).encode()).hexdigest()[:8]
        directory = source.parent / f"mcu-{tgt.name}{opt}-{tag}"
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    compile_cmd = [tgt.cc, *tgt.cflags, *tgt.compile_flags, *flags,
                   "-I", str(source.parent)]
    objects = []
    for c_file in [source, *kernels]:
        obj = out / (c_file.stem + ".o")
        _run([*compile_cmd, "-fstack-usage", "-fcallgraph-info=su",
              "-c", c_file, "-o", obj], cwd=out)
        objects.append(obj)
    up = macro_prefix(name)
    harness_obj = out / "mcuh_harness.o"
    # -fomit-frame-pointer: Thumb's frame pointer is r7, the syscall number's
    # register, so the harness would not compile at -O0 without it.
    _run([*compile_cmd, "-fomit-frame-pointer", f'-DMCUH_HEADER="{name}.h"',
          f"-DMCUH_NAME={name}",
          f"-DMCUH_UP={up}",
          "-c", HARNESS, "-o", harness_obj])
    elf = out / f"{name}.elf"
    libs = _ARM_LIBS if tgt.qemu == "qemu-arm" else ()
    _run([tgt.cc, *tgt.cflags, *tgt.link_flags, "-o", elf, harness_obj, *objects,
          *libs])
    return Build(tgt, opt, tuple(flags), elf, name, objects[0], tuple(objects[1:]),
                 _header_macros(header, up))


# -- running -----------------------------------------------------------------------
@dataclass
class Execution:
    """What one QEMU run of a harness produced."""

    logits: np.ndarray
    #: Stack high-water mark below ``_start``'s frame, bytes (painted stack).
    stack_bytes: int
    #: ``(vaddr, n_insns, executions)`` per translated block, when counted.
    blocks: list[tuple[int, int, int]] | None = None


def _windows(build: Build, q: np.ndarray) -> np.ndarray:
    q = np.asarray(q)
    if q.ndim != 3 or q.shape[1:] != build.input_shape:
        raise ValueError(
            f"q must have shape (n, {build.input_shape[0]}, {build.input_shape[1]}),"
            f" got {q.shape}"
        )
    return np.ascontiguousarray(q, dtype="<i2" if build.input_bits == 16 else "i1")


def execute(
    build: Build, q: np.ndarray, *, count: bool = False, qemu_args: Sequence[str] = ()
) -> Execution:
    """Run the harness under QEMU on int16 windows ``q``.

    Parameters
    ----------
    build : Build
    q : ndarray of int16, shape (n, n_channels, n_timepoints)
    count : bool, default=False
        Load the instruction-counting plugin.
    qemu_args : sequence of str, default=()
        More QEMU options (``-singlestep``: one instruction per block).

    Returns
    -------
    Execution
    """
    data = _windows(build, q).tobytes()
    cmd = [build.target.qemu, "-cpu", build.target.qemu_cpu, *qemu_args]
    with tempfile.TemporaryDirectory() as tmp:
        counts = Path(tmp) / "blocks.txt"
        if count:
            cmd += ["-plugin", f"{plugin()},out={counts}"]
        proc = _run([*cmd, build.elf], input=data)
        blocks = None
        if count:
            lines = counts.read_text().splitlines()
            blocks = [(int(a, 16), int(n), int(e))
                      for a, n, e in (line.split() for line in lines)]
    m = re.search(rb"mcu-stack-bytes: 0x([0-9a-f]{8})", proc.stderr)
    if m is None:
        raise RuntimeError(f"{build.elf}: no stack report on stderr: {proc.stderr!r}")
    expected = len(q) * build.n_classes * 4
    if len(proc.stdout) != expected:
        raise RuntimeError(
            f"{build.elf}: {len(proc.stdout)} bytes of logits, expected {expected}"
        )
    logits = np.frombuffer(proc.stdout, dtype="<i4").reshape(len(q), -1)
    return Execution(logits.astype(np.int32), int(m.group(1), 16), blocks)


def run(build: Build, q: np.ndarray) -> np.ndarray:
    """Logits of the cross-compiled model on int16 windows, computed under QEMU.

    The contract of :func:`skmicrobi.export.run_c`: ``q`` of shape
    ``(n, n_channels, n_timepoints)`` in, int32 ``(n, n_classes)`` out.
    """
    return execute(build, q).logits


# -- counting ----------------------------------------------------------------------
def _cache_dir() -> Path:
    path = Path(tempfile.gettempdir()) / f"skmicrobi-mcu-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def plugin() -> Path:
    """The instruction-counting QEMU plugin, compiled with the host compiler once.

    Cached in the temporary folder under the hash of its source.
    """
    source = PLUGIN_SOURCE.read_bytes()
    so = _cache_dir() / f"insn_plugin-{hashlib.sha1(source).hexdigest()[:12]}.so"
    if not so.exists():
        compiler = shutil.which(os.environ.get("CC", "cc"))
        if compiler is None:
            raise RuntimeError("No host C compiler (cc or $CC) for the QEMU plugin.")
        tmp = so.with_suffix(f".{os.getpid()}.tmp")
        _run([compiler, "-shared", "-fPIC", "-O2", "-std=c11", "-Wall", "-Wextra",
              "-Werror", "-o", tmp, PLUGIN_SOURCE])
        os.replace(tmp, so)
    return so


def symbols(build: Build) -> list[tuple[int, int, str]]:
    """Sized code symbols of the ELF: ``(address, size, name)``, by address."""
    out = _run([build.target.tool("nm"), "-S", "--defined-only", build.elf],
               text=True).stdout
    syms = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[2] in "tTwW":
            addr = int(fields[0], 16) & ~1  # Thumb bit
            syms.append((addr, int(fields[1], 16), fields[3]))
    return sorted(syms)


def attribute(
    blocks: Sequence[tuple[int, int, int]], syms: Sequence[tuple[int, int, str]]
) -> dict[str, int]:
    """Executed instructions per function: each block counts for the symbol
    holding its first instruction (blocks end at branches, so never cross
    functions); blocks outside every sized symbol count as ``"?"``."""
    starts = np.array([s[0] for s in syms], dtype=np.int64)
    per: dict[str, int] = defaultdict(int)
    for vaddr, n, executions in blocks:
        if executions == 0:
            continue
        i = int(np.searchsorted(starts, vaddr, side="right")) - 1
        if i >= 0 and vaddr < syms[i][0] + syms[i][1]:
            per[syms[i][2]] += n * executions
        else:
            per["?"] += n * executions
    return dict(per)


def model_functions(per_function: dict[str, int]) -> dict[str, int]:
    """Drop the harness's own functions from :func:`attribute`'s result."""
    return {f: n for f, n in per_function.items() if not _HARNESS_SYMBOL.match(f)}


@dataclass
class Count:
    """Exact executed instructions of the model, per window and per function."""

    #: Instructions of the model's call tree for each window, in order.
    per_window: list[int]
    #: Instructions per function, summed over the windows.
    functions: dict[str, int]
    #: Stack high-water mark over the windows, bytes.
    stack_bytes: int
    #: Logits, as :func:`run` gives them.
    logits: np.ndarray

    def hottest(self, k: int = 5) -> list[tuple[str, int, float]]:
        """The ``k`` functions with most instructions: name, count, share."""
        total = sum(self.functions.values())
        top = sorted(self.functions.items(), key=lambda kv: -kv[1])[:k]
        return [(f, n, n / total) for f, n in top]


def count(build: Build, q: np.ndarray) -> Count:
    """Count, exactly, the instructions the model executes on each window.

    Each window runs in its own QEMU process with the counting plugin. A
    window's count is every executed instruction outside the harness's own
    functions (``_start`` and the ``mcuh_*`` helpers, whatever of them the
    compiler kept): the model's functions and the C library and libgcc
    helpers they call. Translation, system calls and process start-up are not
    guest instructions and are not counted, so the count does not depend on the
    host, on how many windows a process runs, or on the run.
    """
    syms = symbols(build)
    per_window, functions, stack, logits = [], defaultdict(int), 0, []
    for window in _windows(build, q):
        ex = execute(build, window[None], count=True)
        per = attribute(ex.blocks, syms)
        model = model_functions(per)
        per_window.append(sum(model.values()))
        for f, n in model.items():
            functions[f] += n
        stack = max(stack, ex.stack_bytes)
        logits.append(ex.logits)
    return Count(per_window, dict(functions), stack, np.concatenate(logits))


#: ARMv7E-M DSP instructions of dual 16-bit multiply-accumulate kernels.
DUAL_MAC_MNEMONICS = frozenset({
    "smlad", "smladx", "smuad", "smuadx", "smlald", "smlaldx", "sxtb16", "sxtab16",
    "pkhbt", "pkhtb",
})


def dual_mac_instructions(build: Build) -> dict[str, int]:
    """How often each :data:`DUAL_MAC_MNEMONICS` instruction appears in the
    exported objects' code (``objdump -d``; static occurrences, not executions).
    """
    found: dict[str, int] = defaultdict(int)
    for obj in (build.model_object, *build.kernel_objects):
        out = _run([build.target.tool("objdump"), "-d", obj], text=True).stdout
        for line in out.splitlines():
            fields = line.split("\t")
            if len(fields) >= 3:
                mnemonic = fields[2].strip().split(".")[0].lower()
                if mnemonic in DUAL_MAC_MNEMONICS:
                    found[mnemonic] += 1
    return dict(sorted(found.items()))


# -- flash and RAM -----------------------------------------------------------------
def section_sizes(build: Build, obj: Path) -> dict[str, int]:
    """``text``, ``rodata``, ``data``, ``bss`` bytes of one object (``size -A``)."""
    out = _run([build.target.tool("size"), "-A", obj], text=True).stdout
    sizes = dict.fromkeys(("text", "rodata", "data", "bss"), 0)
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 2 or not fields[1].isdigit():
            continue
        for kind in sizes:
            if fields[0] == f".{kind}" or fields[0].startswith(f".{kind}."):
                sizes[kind] += int(fields[1])
        # small-data sections of RISC-V: .srodata, .sdata, .sbss
        for kind in ("rodata", "data", "bss"):
            if fields[0] == f".s{kind}" or fields[0].startswith(f".s{kind}."):
                sizes[kind] += int(fields[1])
    return sizes


def flash(build: Build) -> dict:
    """Flash bytes of the exported code as compiled for the target.

    Returns
    -------
    dict
        ``code`` (``.text`` of every exported object), ``constants``
        (``.rodata + .data`` of every exported object), ``total``, and the
        sections of the model object (``model``) and of the kernel objects
        summed (``kernels``); the harness and libraries are not included.
    """
    model = section_sizes(build, build.model_object)
    kernels = dict.fromkeys(model, 0)
    for obj in build.kernel_objects:
        for k, v in section_sizes(build, obj).items():
            kernels[k] += v
    code = model["text"] + kernels["text"]
    constants = sum(model[k] + kernels[k] for k in ("rodata", "data"))
    return {"code": code, "constants": constants, "total": code + constants,
            "model": model, "kernels": kernels}


_NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
_EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
_BYTES = re.compile(r"(\d+) bytes \((static|dynamic|dynamic,bounded)\)")


def static_stack(build: Build) -> dict:
    """Worst-case stack of ``name_predict`` from GCC's call graphs (``.ci``).

    The deepest path through the call graph of the exported objects
    (``-fcallgraph-info=su``), each function's frame from ``-fstack-usage``.
    Functions outside the exported objects (``memcpy``, ``memset``, libgcc
    helpers) have no frame size here; they are listed in ``external`` and not
    included (the measured high-water mark of :func:`count` includes them).

    Returns
    -------
    dict
        ``bytes``, ``path`` (function names, outermost first), ``external``,
        ``dynamic`` (functions whose frame GCC could not bound).
    """
    frames: dict[str, int] = {}
    dynamic, edges = set(), defaultdict(set)
    for obj in (build.model_object, *build.kernel_objects):
        ci = obj.with_suffix(".ci")
        text = ci.read_text()
        for title, label in _NODE.findall(text):
            m = _BYTES.search(label.replace("\\n", "\n"))
            if m:
                frames[title] = int(m.group(1))
                if m.group(2) != "static":
                    dynamic.add(title)
        for src, dst in _EDGE.findall(text):
            edges[src].add(dst)
    external = sorted({d for ds in edges.values() for d in ds} - set(frames))
    memo: dict[str, tuple[int, list[str]]] = {}

    def deepest(fn: str, seen: tuple[str, ...]) -> tuple[int, list[str]]:
        if fn in seen:
            raise ValueError(f"recursion through {fn}: no static stack bound")
        if fn not in memo:
            best = (0, [])
            for callee in edges.get(fn, ()):
                if callee in frames:
                    best = max(best, deepest(callee, (*seen, fn)))
            memo[fn] = (frames[fn] + best[0], [fn, *best[1]])
        return memo[fn]

    entry = f"{build.name}_predict"
    if entry not in frames:
        raise ValueError(f"{entry} not found in the call graphs")
    total, path = deepest(entry, ())
    return {"bytes": total, "path": [p.split(":")[-1] for p in path],
            "external": external, "dynamic": sorted(dynamic)}


def ram(build: Build, stack_bytes: int) -> dict:
    """RAM of one prediction: caller-owned scratch, stack and the input window.

    ``stack_bytes`` is a measured high-water mark (:attr:`Count.stack_bytes`);
    the logits (4 bytes per class) are not included.
    """
    c, t = build.input_shape
    scratch = build.sizes["scratch_bytes"]
    window = build.input_bits // 8 * c * t
    return {"scratch": scratch, "stack": stack_bytes, "input": window,
            "total": scratch + stack_bytes + window}
