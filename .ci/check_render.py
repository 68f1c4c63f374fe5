"""Checks a report rendered by headless Chromium: the DOM holds every plot, and the screenshot
is not blank. Standard library only (the PNG is decoded by hand)."""
import re
import struct
import sys
import zlib

# Plot kinds the check report must show, with the least count of each.
REQUIRED = {"confusion": 2, "forest": 1, "roc": 1, "pr": 1, "calibration": 1, "loss": 1, "leakage": 1}


def png_pixels(path):
    """Width, height, channels and unfiltered rows of an 8-bit RGB(A) PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG format depth={depth} colour={colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows


def main(dom_path, png_path):
    dom = open(dom_path, encoding="utf-8").read()
    counts = {k: len(re.findall(r'data-plot="%s"' % k, dom)) for k in REQUIRED}
    missing = {k: (counts[k], n) for k, n in REQUIRED.items() if counts[k] < n}
    assert not missing, f"plots missing from the rendered DOM (found, needed): {missing}"
    assert "<script" not in dom.lower(), "the report must not need JavaScript"
    for word in ("NEEDS ATTENTION", "Reasons", "overfitting", "wrong_metric", "test_leakage"):
        assert word in dom, f"the rendered DOM lacks {word!r}"
    width, height, channels, rows = png_pixels(png_path)
    total = inked = 0
    colours = set()
    for line in rows[::4]:
        for x in range(0, width * channels, channels * 4):
            r, g, b = line[x], line[x + 1], line[x + 2]
            total += 1
            colours.add((r >> 4, g >> 4, b >> 4))
            if r < 235 or g < 235 or b < 235:
                inked += 1
    share = inked / total
    print(f"rendered: {width}x{height} px, {100 * share:.1f}% of sampled pixels inked, {len(colours)} colours; plots {counts}")
    assert share > 0.03, f"the screenshot is blank ({100 * share:.2f}% inked)"
    assert len(colours) > 8, f"the screenshot has only {len(colours)} colours"


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
