"""Data sets of the course: the XOR sets of the COMP 755 lecture and MNIST.

MNIST comes in two forms behind one function, :func:`load_mnist`:

* ``"subset"``: 5,000 real MNIST training digits (500 per class) bundled in ``helpers/data/``
  (see ``helpers/data/PROVENANCE.md``), split with a seeded stratified split. Needs no network;
  notebooks and CI use it.
* ``"full"``: the official 60,000 / 10,000 set, downloaded on first use from the mirrors in
  :data:`MNIST_MIRRORS` (or ``$BACKPROP_MNIST_MIRRORS``), checked against known sha256 sums and
  cached in ``$BACKPROP_DATA`` or ``~/.cache/backprop-course``.

Inputs are float32 in [0, 1] of shape ``(N, 784)`` (rows are images, like every batch in the
course); labels are int64 of shape ``(N,)``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.request
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .layers import one_hot  # re-exported: one_hot(y, num_classes=10) for MNIST labels

# The mirror list, checksums and timeout (MNIST_MIRRORS, MNIST_FILES, TIMEOUT) are settings of this
# module, not star-exported: change them as ``helpers.data.MNIST_MIRRORS``.
__all__ = [
    "xor_table",
    "noisy_xor",
    "MNIST",
    "load_mnist",
    "stratified_split",
    "download_mnist",
    "read_idx",
    "one_hot",
    "MNISTDownloadError",
    "MNISTFallbackWarning",
]

# --------------------------------------------------------------------------------------------
# XOR (COMP 755, lecture 22)
# --------------------------------------------------------------------------------------------


def xor_table() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR inputs and their labels.

    Returns ``X`` float64 of shape ``(4, 2)`` (one row per input, in the order the lecture's loop
    visits them: (0,0), (0,1), (1,0), (1,1)) and ``y`` int64 of shape ``(4,)``: ``[0, 1, 1, 0]``.

    Example:
        >>> X, y = xor_table()
        >>> X.tolist(), y.tolist()
        ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return X, y


def noisy_xor(n: int = 1000, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The noisy XOR training set of COMP 755: corners of the unit square plus Gaussian noise.

    Built as in the lecture: each coordinate is 0 or 1 with probability ½, then
    ``noise * N(0, 1)`` is added, and the label is ``(x1 > 0.5) XOR (x2 > 0.5)`` computed on the
    *noisy* point (so a point pushed across 0.5 takes the label of the quadrant it lands in).
    The lecture builds ``x`` as ``(2, N)`` columns; here rows are points.

    Args:
        n: number of points (positive int).
        noise: standard deviation of the noise (>= 0).
        seed: seed of ``np.random.default_rng``; the same seed gives the same set.

    Returns:
        ``X`` float64 of shape ``(n, 2)`` and ``y`` int64 of shape ``(n,)`` with values 0 or 1.

    Example:
        >>> X, y = noisy_xor(1000, noise=0.1, seed=0)
        >>> X.shape, y.shape, sorted(set(y.tolist()))
        ((1000, 2), (1000,), [0, 1])
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"noisy_xor: n must be a positive int, got {n!r}")
    if (isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating))
            or not np.isfinite(noise) or noise < 0):
        raise ValueError(f"noisy_xor: noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    corners = (rng.random((2, n)) > 0.5).astype(np.float64)
    x = corners + noise * rng.standard_normal((2, n))
    y = np.logical_xor(x[0] > 0.5, x[1] > 0.5).astype(np.int64)
    return np.ascontiguousarray(x.T), y


# --------------------------------------------------------------------------------------------
# MNIST
# --------------------------------------------------------------------------------------------

#: Base URLs tried in order; each must serve the four files below. ``$BACKPROP_MNIST_MIRRORS``
#: (URLs separated by commas or spaces) replaces this list.
MNIST_MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]

#: The four official files and their sha256 sums (the same in many independent public sources;
#: sizes 9,912,422 / 28,881 / 1,648,877 / 4,542 bytes; see helpers/data/PROVENANCE.md).
#: Downloads are in this order.
MNIST_FILES: dict[str, str] = {
    "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

#: Seconds to wait for a mirror to answer before trying the next one.
TIMEOUT = 30.0

_SUBSET_FILE = Path(__file__).with_name("data") / "mnist_subset.npz"
_CHUNK = 1 << 16


class MNISTDownloadError(OSError):
    """No mirror delivered a file with the expected checksum (offline, mirror down, corrupt)."""


class MNISTFallbackWarning(UserWarning):
    """``load_mnist(source="auto")`` could not get the full set and used the bundled subset."""


class MNIST(NamedTuple):
    """MNIST as ``(X_train, y_train, X_test, y_test)``; ``.source`` is "subset" or "full".

    ``X_*`` are float32 in [0, 1] of shape ``(N, 784)``, ``y_*`` int64 of shape ``(N,)``.
    Unpacks like a tuple: ``X_train, y_train, X_test, y_test = load_mnist()``.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    source = "subset"  # a class attribute, not a field: unpacking gives the four arrays

    def __repr__(self) -> str:
        return (f"MNIST(source={self.source!r}, X_train={self.X_train.shape}, "
                f"X_test={self.X_test.shape})")


class _FullMNIST(MNIST):
    """The official set (``source == "full"``)."""

    __slots__ = ()
    source = "full"


def read_idx(data: bytes | str | os.PathLike) -> np.ndarray:
    """Parse an IDX file (the format MNIST is distributed in), gzipped or not.

    The header is two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
    0x0D float32, 0x0E float64), the number of dimensions ``d``, then ``d`` big-endian uint32
    sizes; the values follow, big-endian.

    Args:
        data: the file's bytes, or a path to it.

    Returns:
        array of the stored shape and type, e.g. uint8 ``(60000, 28, 28)`` for training images.

    Raises:
        ValueError: bad magic number, unknown type code, or a size that does not match the data.

    Example:
        >>> read_idx(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9])).tolist()
        [7, 9]
    """
    name = "IDX data"
    if not isinstance(data, (bytes, bytearray)):
        name = str(data)
        data = Path(data).read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{name}: not a valid gzip file ({exc})") from None
    dtypes = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in dtypes:
        raise ValueError(f"{name}: bad IDX magic number: expected 00 00 <type in "
                         f"08 09 0B 0C 0D 0E> <ndim>, got {data[:4].hex(' ')!r}")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: header says {ndim} dimensions ({header} header bytes), "
                         f"but the file has only {len(data)} bytes")
    shape = tuple(int(s) for s in np.frombuffer(data, ">u4", count=ndim, offset=4))
    dtype = np.dtype(dtypes[data[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise ValueError(f"{name}: wrong size: shape {shape} of {dtype.name} needs {expected} "
                         f"bytes after the header, got {len(data) - header}")
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def stratified_split(y: np.ndarray, test_fraction: float = 0.2,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded stratified split: indices of a train and a test part with the same class mix.

    From each class ``c`` with ``n_c`` examples, ``round(test_fraction * n_c)`` chosen at random
    go to the test part, the rest to the train part; each part is then shuffled (so neither is
    sorted by class).

    Args:
        y: int labels of shape ``(N,)``.
        test_fraction: share of each class in the test part, strictly between 0 and 1.
        seed: seed of ``np.random.default_rng``; the same seed gives the same split.

    Returns:
        ``(train_idx, test_idx)``: int64 index arrays that together hold each of ``0..N-1`` once.

    Example:
        >>> tr, te = stratified_split(np.repeat(np.arange(10), 500), 0.2, seed=0)
        >>> len(tr), len(te)
        (4000, 1000)
    """
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"stratified_split: y must be int labels of shape (N,), "
                         f"got shape {y.shape} dtype {y.dtype}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"stratified_split: test_fraction must be in (0, 1), "
                         f"got {test_fraction!r}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = int(round(test_fraction * len(idx)))
        test.append(idx[:k])
        train.append(idx[k:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _cache_root(cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get("BACKPROP_DATA")
    return Path(env) if env else Path.home() / ".cache" / "backprop-course"


def _mirrors(mirrors: list[str] | None) -> list[str]:
    if mirrors is None:
        env = os.environ.get("BACKPROP_MNIST_MIRRORS", "")
        mirrors = env.replace(",", " ").split() or MNIST_MIRRORS
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    return [m if m.endswith("/") else m + "/" for m in mirrors]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _fetch(url: str, target: Path, sha256: str, quiet: bool) -> None:
    """Download ``url`` to a temporary file next to ``target``, verify, then rename it."""
    from tqdm.auto import tqdm

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
            size = resp.headers.get("Content-Length")
            with tqdm(total=int(size) if size else None, unit="B", unit_scale=True,
                      desc=target.name, disable=quiet) as bar:
                for chunk in iter(lambda: resp.read(_CHUNK), b""):
                    out.write(chunk)
                    h.update(chunk)
                    bar.update(len(chunk))
        if h.hexdigest() != sha256:
            raise MNISTDownloadError(f"checksum mismatch: expected sha256 {sha256}, "
                                     f"got {h.hexdigest()}")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def download_mnist(cache_dir: str | os.PathLike | None = None, *, mirrors: list[str] | None = None,
                   checksums: dict[str, str] | None = None, quiet: bool = False) -> Path:
    """Make sure the four MNIST files are in the cache, downloading the missing ones.

    A cached file is used only if its sha256 matches; otherwise it is fetched from the first
    mirror that delivers the right bytes. Each download goes to a temporary file in the cache
    folder and is renamed into place only after its checksum is verified, so the cache never
    holds a partial or corrupt file. Stops at the first file no mirror can deliver.

    Args:
        cache_dir: folder to cache in; default ``$BACKPROP_DATA`` or ``~/.cache/backprop-course``.
            The files go to its ``mnist/`` sub-folder.
        mirrors: base URLs to try in order; default ``$BACKPROP_MNIST_MIRRORS`` or
            :data:`MNIST_MIRRORS`.
        checksums: ``{file name: sha256}``; default :data:`MNIST_FILES` (tests pass their own).
        quiet: no progress bar.

    Returns:
        the folder holding the four verified ``.gz`` files.

    Raises:
        MNISTDownloadError: a file could not be fetched from any mirror (the message lists
            every URL tried and why it failed, and how to put the files in place by hand).

    Example:
        >>> folder = download_mnist()  # doctest: +SKIP
    """
    checksums = dict(MNIST_FILES if checksums is None else checksums)
    folder = _cache_root(cache_dir) / "mnist"
    folder.mkdir(parents=True, exist_ok=True)
    bases = _mirrors(mirrors)
    for name, sha in checksums.items():
        target = folder / name
        if target.exists():
            if _sha256(target) == sha:
                continue
            target.unlink()  # corrupt or stale: fetch again
        failures = []
        for base in bases:
            try:
                _fetch(base + name, target, sha, quiet)
                break
            except Exception as exc:  # every failure is reported below
                failures.append(f"  {base + name}: {type(exc).__name__}: {exc}")
        else:
            tried = "\n".join(failures) or "  (no mirrors given)"
            raise MNISTDownloadError(
                f"could not download {name} from any mirror:\n{tried}\n"
                f"To get the full MNIST set, connect to the internet and call "
                f"load_mnist(source='full'), or download the four files "
                f"{', '.join(checksums)} by hand (e.g. from {MNIST_MIRRORS[0]}) into {folder} "
                f"(they are checked against known sha256 sums); set BACKPROP_MNIST_MIRRORS to "
                f"use other mirrors.")
    return folder


def _as_arrays(images: np.ndarray, labels: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (N, 28, 28) or (N, 784) and labels (N,) -> float32 (N, 784) in [0, 1], int64."""
    if images.dtype != np.uint8 or images.ndim not in (2, 3) or images.shape[1:] not in (
            (28, 28), (784,)):
        raise ValueError(f"{what}: expected uint8 images of shape (N, 28, 28) or (N, 784), "
                         f"got {images.dtype} {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"{what}: expected {len(images)} labels of shape ({len(images)},), "
                         f"got shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{what}: labels must be digits 0..9, got min {labels.min()} "
                         f"max {labels.max()}")
    X = images.reshape(len(images), 784).astype(np.float32) / np.float32(255)
    return X, labels.astype(np.int64)


def _load_subset(test_fraction: float, seed: int) -> MNIST:
    with np.load(_SUBSET_FILE) as f:
        X, y = _as_arrays(f["images"], f["labels"], str(_SUBSET_FILE))
    train, test = stratified_split(y, test_fraction, seed)
    return MNIST(X[train], y[train], X[test], y[test])


def _load_full(cache_dir, mirrors, checksums, quiet) -> MNIST:
    folder = download_mnist(cache_dir, mirrors=mirrors, checksums=checksums, quiet=quiet)
    parts = []
    for split in ("train", "t10k"):
        images = read_idx(folder / f"{split}-images-idx3-ubyte.gz")
        labels = read_idx(folder / f"{split}-labels-idx1-ubyte.gz")
        parts.extend(_as_arrays(images, labels, f"MNIST {split} files in {folder}"))
    return _FullMNIST(*parts)




def load_mnist(source: str = "auto", cache_dir: str | os.PathLike | None = None,
               test_fraction: float = 0.2, seed: int = 0, quiet: bool = False, *,
               mirrors: list[str] | None = None,
               checksums: dict[str, str] | None = None) -> MNIST:
    """Load MNIST as float32 inputs in [0, 1] of shape ``(N, 784)`` and int64 labels.

    Args:
        source: ``"subset"``: the 5,000 bundled real digits, split by :func:`stratified_split`
            (4,000 / 1,000 by default); never touches the network.
            ``"full"``: the official 60,000 / 10,000 set, downloaded on first use and cached
            (raises :class:`MNISTDownloadError` if it cannot be had).
            ``"auto"``: the full set if it is cached or can be downloaded, else the subset with
            a :class:`MNISTFallbackWarning` saying what failed and how to get the full set.
        cache_dir: where the full set is cached (default ``$BACKPROP_DATA`` or
            ``~/.cache/backprop-course``).
        test_fraction: subset only: share of each class in the test part.
        seed: subset only: seed of the split. The full set keeps its official split and order.
        quiet: no download progress bar.
        mirrors: base URLs to download from (default ``$BACKPROP_MNIST_MIRRORS`` or
            :data:`MNIST_MIRRORS`).
        checksums: ``{file name: sha256}`` of the four files (default :data:`MNIST_FILES`).

    Returns:
        :class:`MNIST` ``(X_train, y_train, X_test, y_test)`` with ``.source`` "subset" or "full".

    Example:
        >>> X_train, y_train, X_test, y_test = load_mnist("subset")
        >>> X_train.shape, X_test.shape, X_train.dtype, y_train.dtype
        ((4000, 784), (1000, 784), dtype('float32'), dtype('int64'))
    """
    if source not in ("auto", "subset", "full"):
        raise ValueError(f"load_mnist: source must be 'auto', 'subset' or 'full', got {source!r}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"load_mnist: test_fraction must be in (0, 1), got {test_fraction!r}")
    if source == "subset":
        return _load_subset(test_fraction, seed)
    if source == "full":
        return _load_full(cache_dir, mirrors, checksums, quiet)
    try:
        return _load_full(cache_dir, mirrors, checksums, quiet)
    except (OSError, ValueError) as exc:
        warnings.warn(
            f"Using the bundled MNIST subset (5,000 digits) instead of the full set, because "
            f"the full set could not be loaded: {exc}", MNISTFallbackWarning, stacklevel=2)
        return _load_subset(test_fraction, seed)
