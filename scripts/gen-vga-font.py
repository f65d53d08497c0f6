#!/usr/bin/env python3
"""Generates the code page 437 fonts of the VGA and the BIOS:
devices/vga_font.c (C tables) and bios/font8x8.inc, font8x14.inc,
font8x16.inc (NASM), from fonts that Debian packages ship:

  8x14, 8x16  Terminus Font (xfonts-terminus-dos, IBM-437 encoding),
              Copyright (c) 2010-2014 Dimitar Toshkov Zhekov,
              SIL Open Font License 1.1 (see LICENSE.fonts).
  8x8         printable ASCII from Spleen 5x8 (fonts-spleen),
              Copyright (c) 2018-2020 Frederic Cambus, BSD-2-Clause;
              box drawing and block elements drawn here; the remaining
              symbols reduced from Terminus Font 6x12 (IBM-437).

The result is a modified version of both fonts (the OFL counts a format
change as one), so it does not carry the name "Terminus Font".  Run after
`apt-get install xfonts-terminus-dos fonts-spleen`; with an argument it
writes into that directory instead of the source tree (the test that the
committed files are current uses this).
"""
import gzip
import os
import struct
import sys

FONT_DIR = '/usr/share/fonts/X11/misc'
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')


def load_pcf(path):
    """Returns {code: list of rows}, each row an int with bit 0 = leftmost
    pixel, and the font's cell width.  Reads the X11 PCF format: table of
    contents, metrics, bitmaps, encodings."""
    d = gzip.open(path).read()
    if d[:4] != b'\x01fcp':
        raise SystemExit(f'{path}: not a PCF font')
    toc = {}
    for i in range(struct.unpack('<I', d[4:8])[0]):
        kind, _fmt, _size, off = struct.unpack('<IIII', d[8 + 16 * i:24 + 16 * i])
        toc[kind] = off

    def header(kind):
        off = toc[kind]
        fmt = struct.unpack('<I', d[off:off + 4])[0]
        return fmt, '>' if fmt & 4 else '<', off + 4

    fmt, e, o = header(1 << 2)  # PCF_METRICS
    metrics = []
    if fmt & 0x100:  # compressed
        count = struct.unpack(e + 'H', d[o:o + 2])[0]
        o += 2
        for _ in range(count):
            l, r, w, a, de = (v - 0x80 for v in d[o:o + 5])
            o += 5
            metrics.append((l, r, w, a, de))
    else:
        count = struct.unpack(e + 'I', d[o:o + 4])[0]
        o += 4
        for _ in range(count):
            metrics.append(struct.unpack(e + '5h', d[o:o + 10]))
            o += 12
    fmt, e, o = header(1 << 3)  # PCF_BITMAPS
    count = struct.unpack(e + 'I', d[o:o + 4])[0]
    o += 4
    offsets = struct.unpack(e + '%dI' % count, d[o:o + 4 * count])
    o += 4 * count
    sizes = struct.unpack(e + '4I', d[o:o + 16])
    bits = d[o + 16:o + 16 + sizes[fmt & 3]]
    pad = 1 << (fmt & 3)
    msb_bit = bool(fmt & 8)
    if (fmt >> 4) & 3:
        raise SystemExit(f'{path}: unsupported bitmap unit')
    fmt, e, o = header(1 << 5)  # PCF_BDF_ENCODINGS
    min_col, max_col, min_byte, max_byte, _default = struct.unpack(e + '5H', d[o:o + 10])
    o += 10
    glyphs = {}
    cell_width = 0
    for hi in range(min_byte, max_byte + 1):
        for lo in range(min_col, max_col + 1):
            g = struct.unpack(e + 'H', d[o:o + 2])[0]
            o += 2
            if g == 0xFFFF:
                continue
            l, r, w, a, de = metrics[g]
            if l != 0:
                raise SystemExit(f'{path}: glyph with a left bearing')
            cell_width = max(cell_width, w)
            stride = ((r - l + 7) // 8 + pad - 1) // pad * pad
            rows = []
            for y in range(a + de):
                row = 0
                for x in range(r - l):
                    byte = bits[offsets[g] + y * stride + x // 8]
                    if (byte >> (7 - x % 8) if msb_bit else byte >> (x % 8)) & 1:
                        row |= 1 << x
                rows.append(row)
            glyphs[(hi << 8) | lo] = rows
    return glyphs, cell_width


# Code page 437 as Unicode.  0x01-0x1F and 0x7F are the graphic symbols the
# PC's character generator shows there, not control characters.
CP437_LOW = ('\u0000☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼')


def cp437_char(code):
    if code < 0x20:
        return CP437_LOW[code]
    if code == 0x7F:
        return '⌂'
    return bytes([code]).decode('cp437')


def to_msb(row, width, shift):
    """Converts a row with bit 0 = leftmost pixel into a VGA font byte
    (bit 7 = leftmost), shifted right by `shift` pixels."""
    out = 0
    for x in range(width):
        if (row >> x) & 1 and x + shift < 8:
            out |= 0x80 >> (x + shift)
    return out


def reduce_rows(rows, height):
    """Shrinks a glyph to `height` rows: blank rows at the edges go first,
    then one of two equal neighbouring rows, then the closest pair merges."""
    rows = list(rows)
    while len(rows) > height and (rows[0] == 0 or rows[-1] == 0):
        if rows[-1] == 0 and (len(rows) % 2 or rows[0] != 0):
            rows.pop()
        else:
            rows.pop(0)
    while len(rows) > height:
        mid = len(rows) / 2
        pairs = [i for i in range(1, len(rows)) if rows[i] == rows[i - 1]]
        if pairs:
            i = min(pairs, key=lambda k: abs(k - mid))
            del rows[i]
            continue
        i = min(range(1, len(rows)), key=lambda k: (bin(rows[k] ^ rows[k - 1]).count('1'), abs(k - mid)))
        rows[i - 1] |= rows[i]
        del rows[i]
    pad = height - len(rows)
    return [0] * (pad // 2) + rows + [0] * (pad - pad // 2)


# Box drawing: (up, down, left, right) arms, 0 none, 1 single, 2 double.
BOX_ARMS = {
    0xB3: (1, 1, 0, 0), 0xB4: (1, 1, 1, 0), 0xB5: (1, 1, 2, 0), 0xB6: (2, 2, 1, 0),
    0xB7: (0, 2, 1, 0), 0xB8: (0, 1, 2, 0), 0xB9: (2, 2, 2, 0), 0xBA: (2, 2, 0, 0),
    0xBB: (0, 2, 2, 0), 0xBC: (2, 0, 2, 0), 0xBD: (2, 0, 1, 0), 0xBE: (1, 0, 2, 0),
    0xBF: (0, 1, 1, 0), 0xC0: (1, 0, 0, 1), 0xC1: (1, 0, 1, 1), 0xC2: (0, 1, 1, 1),
    0xC3: (1, 1, 0, 1), 0xC4: (0, 0, 1, 1), 0xC5: (1, 1, 1, 1), 0xC6: (1, 1, 0, 2),
    0xC7: (2, 2, 0, 1), 0xC8: (2, 0, 0, 2), 0xC9: (0, 2, 0, 2), 0xCA: (2, 0, 2, 2),
    0xCB: (0, 2, 2, 2), 0xCC: (2, 2, 0, 2), 0xCD: (0, 0, 2, 2), 0xCE: (2, 2, 2, 2),
    0xCF: (1, 0, 2, 2), 0xD0: (2, 0, 1, 1), 0xD1: (0, 1, 2, 2), 0xD2: (0, 2, 1, 1),
    0xD3: (2, 0, 0, 1), 0xD4: (1, 0, 0, 2), 0xD5: (0, 1, 0, 2), 0xD6: (0, 2, 0, 1),
    0xD7: (2, 2, 1, 1), 0xD8: (1, 1, 2, 2), 0xD9: (1, 0, 1, 0), 0xDA: (0, 1, 0, 1),
}


def arm_segments(arm, leading, cross, cross_leading, cross_trailing, centre, rail, length):
    """The lines of one arm of a box-drawing character along one axis, as
    (position across, start, end) triples.  `leading` says the arm runs
    from coordinate 0 to the centre (up or left); `cross` is the style of
    the perpendicular line and cross_leading/cross_trailing which of its
    arms exist.  A double crossing leaves the middle open; at a double
    corner or tee the inner rail stops at the other line's inner rail and
    the outer one at its outer rail; a single arm meeting a double line
    stops at its near side."""
    near, far = (centre - 1, centre + 1) if leading else (centre + 1, centre - 1)
    segments = []
    for r in ((rail,) if arm == 1 else (rail - 1, rail + 1)):
        if cross == 2 and arm == 2 and not (cross_leading and cross_trailing):
            side = -1 if cross_leading else 1
            end = near if (r - rail) * side > 0 else far
        elif cross == 2:
            end = near
        elif cross == 1:
            end = centre
        else:
            end = centre if arm == 1 else (length - 1 if leading else 0)
        segments.append((r, 0, end) if leading else (r, end, length - 1))
    return segments


def box_glyph(arms, height):
    """Draws a box-drawing character in an 8-wide cell.  Single lines run
    through column 3 and row height/2 - 1; double lines one pixel either
    side; each arm reaches from the cell edge to the centre."""
    up, down, left, right = arms
    cx, cy = 3, height // 2 - 1
    px = set()
    for arm, leading in ((up, True), (down, False)):
        if arm:
            for x, y0, y1 in arm_segments(arm, leading, max(left, right), left, right, cy, cx, height):
                px.update((x, y) for y in range(y0, y1 + 1))
    for arm, leading in ((left, True), (right, False)):
        if arm:
            for y, x0, x1 in arm_segments(arm, leading, max(up, down), up, down, cx, cy, 8):
                px.update((x, y) for x in range(x0, x1 + 1))
    return [sum(0x80 >> x for x in range(8) if (x, y) in px) for y in range(height)]


def block_glyph(code, height):
    half = height // 2
    shades = {0xB0: (0x88, 0x22), 0xB1: (0xAA, 0x55), 0xB2: (0xDD, 0x77)}
    if code in shades:
        return [shades[code][y % 2] for y in range(height)]
    return {
        0xDB: [0xFF] * height,
        0xDC: [0] * half + [0xFF] * (height - half),
        0xDD: [0xF0] * height,
        0xDE: [0x0F] * height,
        0xDF: [0xFF] * half + [0] * (height - half),
        0xFE: [0] * 2 + [0x3C] * (height - 4) + [0] * 2 if height > 8 else [0, 0, 0x3C, 0x3C, 0x3C, 0x3C, 0, 0],
    }.get(code)


def font_8x8():
    spleen, spleen_w = load_pcf(f'{FONT_DIR}/spleen-5x8.pcf.gz')
    small, small_w = load_pcf(f'{FONT_DIR}/ter-u12n_ibm437.pcf.gz')
    out = []
    for code in range(256):
        u = ord(cp437_char(code))
        block = block_glyph(code, 8)
        if code in BOX_ARMS:
            out.append(box_glyph(BOX_ARMS[code], 8))
        elif block:
            out.append(block)
        elif code == 0 or code == 0x20 or code == 0xFF:
            out.append([0] * 8)
        elif any(spleen.get(u, ())):  # Spleen 5x8 maps Latin-1 to blank glyphs
            out.append([to_msb(r, spleen_w, 1) for r in spleen[u]])
        else:
            rows = small.get(code, [0] * 12)
            out.append(reduce_rows([to_msb(r, small_w, 1) for r in rows], 8))
    return out


def font_terminus(height):
    glyphs, width = load_pcf(f'{FONT_DIR}/ter-u{height}n_ibm437.pcf.gz')
    return [[to_msb(r, width, 0) for r in glyphs.get(code, [0] * height)] for code in range(256)]


NOTICE = """Code page 437 fonts for the VGA and the BIOS, generated by
scripts/gen-vga-font.py; do not edit.
  8x14, 8x16: derived from Terminus Font, Copyright (c) 2010-2014 Dimitar
    Toshkov Zhekov, licensed under the SIL Open Font License 1.1 (the text
    is in LICENSE.fonts); this converted version is not Terminus Font.
  8x8: ASCII from Spleen 5x8, Copyright (c) 2018-2020 Frederic Cambus, BSD-2-Clause
    (the text is in LICENSE.fonts), with box drawing and blocks drawn by
    the script and other symbols reduced from Terminus Font 6x12."""


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else ROOT
    os.makedirs(os.path.join(out, 'devices'), exist_ok=True)
    os.makedirs(os.path.join(out, 'bios'), exist_ok=True)
    fonts = {8: font_8x8(), 14: font_terminus(14), 16: font_terminus(16)}
    with open(os.path.join(out, 'devices/vga_font.c'), 'w') as f:
        f.write('/* ' + NOTICE.replace('\n', '\n * ') + ' */\n')
        f.write('#include "vga_font.h"\n')
        for h, glyphs in fonts.items():
            f.write(f'\nconst uint8_t vga_font8x{h}[256 * {h}] = {{\n')
            for code, rows in enumerate(glyphs):
                f.write('    ' + ', '.join(f'0x{b:02X}' for b in rows) + f', /* 0x{code:02X} */\n')
            f.write('};\n')
    for h, glyphs in fonts.items():
        with open(os.path.join(out, f'bios/font8x{h}.inc'), 'w') as f:
            f.write('; ' + NOTICE.replace('\n', '\n; ') + '\n')
            f.write(f'; 256 glyphs of {h} bytes, bit 7 = leftmost pixel.\n')
            for code, rows in enumerate(glyphs):
                f.write('    db ' + ','.join(f'0x{b:02X}' for b in rows) + f' ; 0x{code:02X}\n')


if __name__ == '__main__':
    main()
