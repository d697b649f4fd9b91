#!/usr/bin/env python3
"""Reference resizes for tst_llava_next: what PIL's bicubic resize (the resampling Hugging Face's
CLIP and LLaVA-NeXT image processors use on 8-bit images) makes of two small test images.

Needs only Debian packages (python3-pil, python3-numpy); not part of the build. Writes
tests/model/parity/pil_bicubic.safetensors (uint8 tensors, a few KiB), which is committed:

    /usr/bin/python3 tests/model/parity/make_pil_resize_fixture.py tests/model/parity/pil_bicubic.safetensors

Tensors: "<image>" the source [H, W, 3]; "<image>@<W>x<H>" PIL's resize of it to W x H.
"""
import json
import struct
import sys

import numpy as np
import PIL
from PIL import Image

SIZES = [(67, 50), (32, 24), (36, 36), (21, 48), (64, 13)]  # (width, height): up, down, squash, mixed


def images():
    rng = np.random.default_rng(2024)
    noise = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    y, x = np.mgrid[0:48, 0:64]
    # Smooth ramps with hard edges: a bicubic resize overshoots there.
    edges = np.stack([(x * 4) % 256, np.where((x // 8 + y // 8) % 2 == 0, 250, 5), (x + 3 * y) % 256], -1).astype(np.uint8)
    return {"noise": noise, "edges": edges}


def main(path):
    tensors = {}
    for name, a in images().items():
        tensors[name] = a
        for w, h in SIZES:
            tensors[f"{name}@{w}x{h}"] = np.asarray(Image.fromarray(a).resize((w, h), Image.BICUBIC))
    header, data = {}, b""
    for name, t in tensors.items():
        raw = np.ascontiguousarray(t).tobytes()
        header[name] = {"dtype": "U8", "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header["__metadata__"] = {"pil": PIL.__version__}
    blob = json.dumps(header).encode()
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob + data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/model/parity/pil_bicubic.safetensors")
