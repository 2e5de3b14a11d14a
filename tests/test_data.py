"""Tests of helpers.data: XOR sets, the bundled MNIST subset, IDX parsing and the download path.

The download tests never touch the internet: they serve small IDX files that they build
themselves from a ThreadingHTTPServer on 127.0.0.1 (port 0, stopped by the fixture), pass the
checksums of those files, and cache into tmp_path.
"""

import gzip
import hashlib
import http.server
import re
import socket
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import data
from helpers.data import (
    MNIST,
    MNIST_FILES,
    MNISTDownloadError,
    MNISTFallbackWarning,
    load_mnist,
    noisy_xor,
    read_idx,
    stratified_split,
    xor_table,
)

ROOT = Path(__file__).resolve().parents[1]
N_TRAIN, N_TEST = 100, 20


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch):
    """Whatever a test forgets to pass, downloads go to a closed local port, never outside."""
    monkeypatch.setenv("BACKPROP_MNIST_MIRRORS", f"http://127.0.0.1:{_closed_port()}/")
    monkeypatch.setattr(data, "MNIST_MIRRORS", [f"http://127.0.0.1:{_closed_port()}/"])
    monkeypatch.setenv("no_proxy", "*")  # a proxy set in the environment must not see 127.0.0.1
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setattr(data, "TIMEOUT", 10.0)


def _closed_port() -> int:
    """A local port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# XOR
# ---------------------------------------------------------------------------------------------


def test_xor_table_is_the_truth_table():
    X, y = xor_table()
    assert X.shape == (4, 2) and X.dtype == np.float64
    assert y.shape == (4,) and y.dtype == np.int64
    assert sorted(map(tuple, X.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for (x1, x2), label in zip(X.astype(int).tolist(), y.tolist()):
        assert label == (x1 ^ x2), f"XOR({x1}, {x2}) should be {x1 ^ x2}, table says {label}"


def test_noisy_xor_shapes_balance_and_determinism():
    X, y = noisy_xor()
    assert X.shape == (1000, 2) and X.dtype == np.float64
    assert y.shape == (1000,) and y.dtype == np.int64
    assert set(np.unique(y).tolist()) == {0, 1}
    assert 0.4 < y.mean() < 0.6, "the four corners are equally likely, so about half are 1"
    X2, y2 = noisy_xor(seed=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = noisy_xor(seed=1)
    assert not np.array_equal(X, X3), "a different seed must give a different set"


def test_noisy_xor_follows_the_lecture_recipe():
    """COMP 755: x = (rand(2,N) > 0.5) + 0.1 randn(2,N); y = xor(x0 > 0.5, x1 > 0.5)."""
    rng = np.random.default_rng(7)
    x = (rng.random((2, 300)) > 0.5).astype(float)
    x = x + 0.1 * rng.standard_normal((2, 300))
    y = np.logical_xor(x[0, :] > 0.5, x[1, :] > 0.5).astype(int)
    X_ours, y_ours = noisy_xor(300, noise=0.1, seed=7)
    np.testing.assert_array_equal(X_ours, x.T)
    np.testing.assert_array_equal(y_ours, y)


def test_noisy_xor_without_noise_is_the_corners():
    X, y = noisy_xor(200, noise=0.0, seed=3)
    assert set(np.unique(X).tolist()) == {0.0, 1.0}
    np.testing.assert_array_equal(y, (X[:, 0] != X[:, 1]).astype(int))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 300), noise=st.floats(0.0, 0.5), seed=st.integers(0, 2**32 - 1))
def test_noisy_xor_labels_are_the_quadrant_of_the_noisy_point(n, noise, seed):
    X, y = noisy_xor(n, noise=noise, seed=seed)
    assert X.shape == (n, 2) and y.shape == (n,)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0.5) != (X[:, 1] > 0.5)).astype(np.int64))
    # every point is near a corner: 8 standard deviations is far beyond any draw here
    assert np.all(np.abs(X - np.round(X)) <= 8 * noise)


@pytest.mark.parametrize("kwargs, words", [
    ({"n": 0}, "n must be a positive int"),
    ({"n": 2.5}, "n must be a positive int"),
    ({"noise": -0.1}, "noise must be"),
    ({"noise": float("nan")}, "noise must be"),
    ({"noise": "0.1"}, "noise must be"),
])
def test_noisy_xor_rejects_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        noisy_xor(**kwargs)


# ---------------------------------------------------------------------------------------------
# The bundled subset
# ---------------------------------------------------------------------------------------------


def test_bundled_file_matches_its_provenance():
    path = ROOT / "helpers" / "data" / "mnist_subset.npz"
    text = (ROOT / "helpers" / "data" / "PROVENANCE.md").read_text()
    pattern = r"output `helpers/data/mnist_subset.npz`, ([\d,]+) bytes,\s+sha256 `([0-9a-f]{64})`"
    m = re.search(pattern, text)
    assert m, "PROVENANCE.md must state the size and sha256 of mnist_subset.npz"
    assert path.stat().st_size == int(m.group(1).replace(",", ""))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == m.group(2)
    with np.load(path) as f:
        assert f["images"].shape == (5000, 784) and f["images"].dtype == np.uint8
        assert f["labels"].shape == (5000,) and f["labels"].dtype == np.uint8
        assert np.bincount(f["labels"], minlength=10).tolist() == [500] * 10


def test_subset_shapes_dtypes_and_ranges():
    m = load_mnist("subset")
    assert isinstance(m, MNIST) and m.source == "subset"
    X_train, y_train, X_test, y_test = m  # unpacks like a 4-tuple
    assert X_train.shape == (4000, 784) and X_test.shape == (1000, 784)
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert X_train.dtype == X_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int64
    for X in (X_train, X_test):
        assert X.min() == 0.0 and X.max() == 1.0
    # about 19% of MNIST pixels are ink; a plausible mean intensity is around 0.13
    assert 0.08 < X_train.mean() < 0.2
    assert "subset" in repr(m) and "(4000, 784)" in repr(m)


def test_subset_is_balanced_and_the_split_is_stratified():
    X_train, y_train, X_test, y_test = load_mnist("subset")
    assert np.bincount(y_train, minlength=10).tolist() == [400] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [100] * 10
    assert not np.all(np.diff(y_train) >= 0), "the training part must not be sorted by class"
    # train and test hold different images (no digit in both)
    train_rows = {row.tobytes() for row in X_train}
    assert not any(row.tobytes() in train_rows for row in X_test)
    _, y_tr, _, y_te = load_mnist("subset", test_fraction=0.1)
    assert np.bincount(y_tr).tolist() == [450] * 10 and np.bincount(y_te).tolist() == [50] * 10


def test_subset_split_is_deterministic():
    a, b = load_mnist("subset", seed=0), load_mnist("subset", seed=0)
    c = load_mnist("subset", seed=1)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.y_train, c.y_train)
    # same images in the two splits overall, only partitioned differently
    assert sorted(np.concatenate([a.y_train, a.y_test]).tolist()) == \
        sorted(np.concatenate([c.y_train, c.y_test]).tolist())


def test_subset_digits_are_real_and_labelled_right():
    """Nearest class mean reaches ~80% on real MNIST; random or shuffled labels give ~10%."""
    X_train, y_train, X_test, y_test = load_mnist("subset")
    means = np.stack([X_train[y_train == c].mean(axis=0) for c in range(10)])
    d = ((X_test[:, None, :] - means[None]) ** 2).sum(axis=2)
    accuracy = float((d.argmin(axis=1) == y_test).mean())
    assert accuracy > 0.7, f"nearest-centroid accuracy {accuracy:.2f}: labels do not fit images"


@settings(max_examples=40, deadline=None)
@given(y=st.lists(st.integers(0, 4), min_size=1, max_size=200),
       frac=st.floats(0.05, 0.95), seed=st.integers(0, 1000))
def test_stratified_split_partitions_each_class(y, frac, seed):
    y = np.array(y)
    train, test = stratified_split(y, frac, seed)
    assert train.dtype.kind == test.dtype.kind == "i"
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(len(y)))
    for c in np.unique(y):
        n_c = int((y == c).sum())
        assert int((y[test] == c).sum()) == int(round(frac * n_c))
    t2, s2 = stratified_split(y, frac, seed)
    np.testing.assert_array_equal(train, t2)
    np.testing.assert_array_equal(test, s2)


@pytest.mark.parametrize("call, words", [
    (lambda: load_mnist("everything"), "source must be"),
    (lambda: load_mnist("subset", test_fraction=1.0), "test_fraction"),
    (lambda: stratified_split(np.zeros((3, 2), int)), "shape"),
    (lambda: stratified_split(np.zeros(3), 0.5), "dtype float64"),
])
def test_bad_arguments_name_what_was_expected(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_one_hot_is_the_layers_one_hot_with_ten_classes():
    from helpers import layers

    assert data.one_hot is layers.one_hot
    y = np.array([3, 0, 9, 3])
    Y = data.one_hot(y)
    assert Y.shape == (4, 10)
    np.testing.assert_array_equal(Y.argmax(axis=1), y)
    np.testing.assert_array_equal(Y.sum(axis=1), np.ones(4))
    assert data.one_hot(y, 12).shape == (4, 12)


# ---------------------------------------------------------------------------------------------
# IDX files
# ---------------------------------------------------------------------------------------------


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode an array as an IDX file (big-endian), independently of the parser under test."""
    codes = {"u1": 0x08, "i1": 0x09, "i2": 0x0B, "i4": 0x0C, "f4": 0x0D, "f8": 0x0E}
    code = codes[array.dtype.str[1:]]
    header = bytes([0, 0, code, array.ndim]) + b"".join(
        int(s).to_bytes(4, "big") for s in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_read_idx_round_trip(dtype, tmp_path):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((3, 4, 5)) * 50).astype(dtype)
    np.testing.assert_array_equal(read_idx(idx_bytes(a)), a)
    p = tmp_path / "a.idx.gz"
    p.write_bytes(gzip.compress(idx_bytes(a)))
    out = read_idx(p)
    assert out.dtype == dtype and out.shape == (3, 4, 5)
    np.testing.assert_array_equal(out, a)


def test_read_idx_errors_are_clear():
    good = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3))
    with pytest.raises(ValueError, match="bad IDX magic number.*got '00 01 08 02'"):
        read_idx(b"\x00\x01" + good[2:])
    with pytest.raises(ValueError, match="bad IDX magic number"):
        read_idx(b"\x00\x00\x07\x01" + good[4:])  # unknown type code
    with pytest.raises(ValueError, match=r"wrong size: shape \(2, 3\).*needs 6 bytes.*got 5"):
        read_idx(good[:-1])
    with pytest.raises(ValueError, match="got 7"):
        read_idx(good + b"\x00")
    with pytest.raises(ValueError, match="header says 2 dimensions"):
        read_idx(good[:9])
    with pytest.raises(ValueError, match="not a valid gzip file"):
        read_idx(gzip.compress(good)[:-6])


# ---------------------------------------------------------------------------------------------
# Download of the full set, against a local server
# ---------------------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - name fixed by http.server
        name = self.path.lstrip("/")
        self.server.hits.append(name)
        body = self.server.files.get(name)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


class FakeMirror:
    """Small MNIST-like IDX .gz files (100 train, 20 test) and their sha256 sums."""

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.arrays = {
            "train-images-idx3-ubyte.gz": rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
            "train-labels-idx1-ubyte.gz": rng.integers(0, 10, N_TRAIN, dtype=np.uint8),
            "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
            "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, N_TEST, dtype=np.uint8),
        }
        self.files = {k: gzip.compress(idx_bytes(v), mtime=0) for k, v in self.arrays.items()}
        self.checksums = {k: hashlib.sha256(v).hexdigest() for k, v in self.files.items()}
        self.hits: list[str] = []
        self.url = ""

    def check(self, m):
        """``m`` holds exactly the served arrays, as float32 in [0, 1] and int64."""
        assert m.source == "full"
        assert m.X_train.shape == (N_TRAIN, 784) and m.X_test.shape == (N_TEST, 784)
        assert m.X_train.dtype == np.float32 and m.y_train.dtype == np.int64
        a = self.arrays
        np.testing.assert_array_equal(
            m.X_train, a["train-images-idx3-ubyte.gz"].reshape(N_TRAIN, 784) / np.float32(255))
        np.testing.assert_array_equal(m.y_train, a["train-labels-idx1-ubyte.gz"])
        np.testing.assert_array_equal(
            m.X_test, a["t10k-images-idx3-ubyte.gz"].reshape(N_TEST, 784) / np.float32(255))
        np.testing.assert_array_equal(m.y_test, a["t10k-labels-idx1-ubyte.gz"])


@pytest.fixture
def mirror():
    """A FakeMirror served over HTTP on 127.0.0.1 for the duration of one test."""
    fake = FakeMirror()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.files, server.hits = fake.files, fake.hits
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _cache_listing(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "mnist").iterdir()) if (cache / "mnist").exists() else []


def test_download_verifies_caches_and_reuses(mirror, tmp_path):
    m = load_mnist("full", cache_dir=tmp_path, mirrors=[mirror.url],
                   checksums=mirror.checksums, quiet=True)
    mirror.check(m)
    assert sorted(mirror.hits) == sorted(mirror.files), "each file fetched exactly once"
    assert _cache_listing(tmp_path) == sorted(mirror.files), "only the four files, no temp files"
    for name, body in mirror.files.items():
        assert (tmp_path / "mnist" / name).read_bytes() == body

    hits_before = len(mirror.hits)
    m2 = load_mnist("auto", cache_dir=tmp_path, mirrors=[mirror.url],
                    checksums=mirror.checksums, quiet=True)
    mirror.check(m2)
    assert len(mirror.hits) == hits_before, "a second call must use the cache, not the server"


def test_download_shows_a_progress_bar_unless_quiet(mirror, tmp_path, capfd):
    load_mnist("full", cache_dir=tmp_path, mirrors=[mirror.url], checksums=mirror.checksums)
    err = capfd.readouterr().err
    assert all(name in err for name in mirror.files), "one bar per downloaded file"
    load_mnist("full", cache_dir=tmp_path / "again", mirrors=[mirror.url],
               checksums=mirror.checksums, quiet=True)
    assert capfd.readouterr().err == ""


def test_corrupt_download_is_rejected_and_leaves_nothing(mirror, tmp_path):
    name = "train-images-idx3-ubyte.gz"  # fetched first, so nothing else is cached either
    body = bytearray(mirror.files[name])
    body[len(body) // 2] ^= 0xFF
    mirror.files[name] = bytes(body)
    with pytest.raises(MNISTDownloadError, match="checksum mismatch") as err:
        load_mnist("full", cache_dir=tmp_path, mirrors=[mirror.url],
                   checksums=mirror.checksums, quiet=True)
    assert name in str(err.value) and mirror.url + name in str(err.value)
    assert _cache_listing(tmp_path) == [], "no partial, corrupt or temporary file may stay"


def test_corrupt_download_in_auto_mode_falls_back_to_the_subset(mirror, tmp_path):
    mirror.files["t10k-labels-idx1-ubyte.gz"] = b"not the file"
    with pytest.warns(MNISTFallbackWarning, match="checksum mismatch"):
        m = load_mnist("auto", cache_dir=tmp_path, mirrors=[mirror.url],
                       checksums=mirror.checksums, quiet=True)
    assert m.source == "subset" and m.X_train.shape == (4000, 784)
    # the three good files are verified and kept; the bad one is not there, nor any temp file
    assert _cache_listing(tmp_path) == sorted(set(mirror.files) - {"t10k-labels-idx1-ubyte.gz"})


def test_first_mirror_down_second_mirror_used(mirror, tmp_path):
    down = f"http://127.0.0.1:{_closed_port()}/"
    m = load_mnist("full", cache_dir=tmp_path, mirrors=[down, mirror.url],
                   checksums=mirror.checksums, quiet=True)
    mirror.check(m)
    assert sorted(mirror.hits) == sorted(mirror.files)


def test_mirror_without_the_file_is_skipped(mirror, tmp_path):
    missing = mirror.url + "nothing-here/"  # answers 404 for every file
    m = load_mnist("full", cache_dir=tmp_path, mirrors=[missing, mirror.url],
                   checksums=mirror.checksums, quiet=True)
    mirror.check(m)
    assert sum(h.startswith("nothing-here/") for h in mirror.hits) == 4


def test_offline_falls_back_to_the_subset_with_a_warning(tmp_path):
    mirrors = [f"http://127.0.0.1:{_closed_port()}/", f"http://127.0.0.1:{_closed_port()}/"]
    with pytest.warns(MNISTFallbackWarning) as record:
        m = load_mnist("auto", cache_dir=tmp_path, mirrors=mirrors, quiet=True)
    message = str(record[0].message)
    assert "bundled MNIST subset" in message
    assert "Connection refused" in message or "refused" in message.lower()
    assert all(u in message for u in mirrors), "the warning names every URL that failed"
    assert "load_mnist(source='full')" in message and str(tmp_path / "mnist") in message
    assert m.source == "subset"
    for u, v in zip(m, load_mnist("subset")):
        np.testing.assert_array_equal(u, v)
    assert _cache_listing(tmp_path) == []


def test_offline_full_raises_a_clear_error(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "full" must not silently fall back
        with pytest.raises(MNISTDownloadError, match="could not download train-images"):
            load_mnist("full", cache_dir=tmp_path, quiet=True)  # mirrors: the closed test port


def test_environment_chooses_mirrors_and_cache(mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_MNIST_MIRRORS", f"http://127.0.0.1:{_closed_port()}/ {mirror.url}")
    monkeypatch.setenv("BACKPROP_DATA", str(tmp_path / "env-cache"))
    m = load_mnist("full", checksums=mirror.checksums, quiet=True)
    mirror.check(m)
    assert _cache_listing(tmp_path / "env-cache") == sorted(mirror.files)


def test_corrupt_cached_file_is_fetched_again(mirror, tmp_path):
    load_mnist("full", cache_dir=tmp_path, mirrors=[mirror.url], checksums=mirror.checksums,
               quiet=True)
    (tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz").write_bytes(b"garbage")
    hits_before = len(mirror.hits)
    m = load_mnist("full", cache_dir=tmp_path, mirrors=[mirror.url],
                   checksums=mirror.checksums, quiet=True)
    mirror.check(m)
    assert mirror.hits[hits_before:] == ["t10k-images-idx3-ubyte.gz"]


def test_files_placed_by_hand_are_used_offline(tmp_path):
    fake = FakeMirror(seed=5)
    (tmp_path / "mnist").mkdir()
    for name, body in fake.files.items():
        (tmp_path / "mnist" / name).write_bytes(body)
    fake.check(load_mnist("full", cache_dir=tmp_path, checksums=fake.checksums, quiet=True))


def test_default_checksums_are_the_official_sha256_sums():
    assert list(MNIST_FILES) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", s) for s in MNIST_FILES.values())
    provenance = (ROOT / "helpers" / "data" / "PROVENANCE.md").read_text()
    for name, sha in MNIST_FILES.items():
        assert f"| {name} |" in provenance and sha in provenance, name
