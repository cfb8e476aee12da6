#!/usr/bin/env python3
"""Generates the metadata engine's test fixtures into a directory, at test time.

No binary blob is committed: the images are authored here byte by byte (a baseline JPEG, a PNG, a
TIFF, a lossless WebP, all tiny and valid), then ExifTool writes the tags, all in ONE exiftool run
(an argument file with one -execute per image) so generating the set takes well under a second.

    make_fixtures.py OUTDIR              the test set plus OUTDIR/manifest.json
    make_fixtures.py --bench N OUTDIR    N small tagged JPEGs for bench/bench_metadata.sh

manifest.json lists every entry as {"name_hex": <file name bytes in hex>, "kind": ...}; names are
given in hex because some are not UTF-8 or hold a newline. Kinds: "tagged" (an image with tags),
"plain" (an image without tags), "odd" (bad input: empty, truncated, corrupt, mislabelled, odd
names), "dir" (a directory named like an image), "sidecar" (a companion file, not to be read).
"""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib


# ---------------------------------------------------------------- image authoring

def _segment(marker, payload):
    return b'\xff' + bytes([marker]) + struct.pack('>H', len(payload) + 2) + payload


def jpeg(width, height, comment_bytes=0):
    """A valid baseline greyscale JPEG whose every block is flat grey.

    Huffman tables with a single 2-bit code each: DC difference 0 and end-of-block, so the
    entropy-coded data is 4 bits per 8x8 block. An optional COM segment pads the file to a size.
    """
    dqt = _segment(0xDB, b'\x00' + bytes([1] * 64))
    sof = _segment(0xC0, struct.pack('>BHHB', 8, height, width, 1) + b'\x01\x11\x00')
    bits = bytes([0, 1] + [0] * 14)
    dht = _segment(0xC4, b'\x00' + bits + b'\x00' + b'\x10' + bits + b'\x00')
    sos = _segment(0xDA, b'\x01\x01\x00\x00\x3f\x00')
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    nbits = 4 * blocks
    data = bytearray((nbits + 7) // 8)
    pad = len(data) * 8 - nbits
    if pad:
        data[-1] = (1 << pad) - 1
    com = b''
    while comment_bytes > 0:
        chunk = min(comment_bytes, 60000)
        com += _segment(0xFE, b'x' * chunk)
        comment_bytes -= chunk
    return b'\xff\xd8' + dqt + sof + dht + com + sos + bytes(data) + b'\xff\xd9'


def png(width, height):
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    raw = b''.join(b'\x00' + b'\x80' * width for _ in range(height))
    ihdr = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(raw))
            + chunk(b'IEND', b''))


def tiff(width, height, header_extra=b''):
    """A little-endian 8-bit greyscale TIFF with one strip. header_extra goes right after the
    8-byte header (a CR2 signature, for instance), before IFD0."""
    pixels = b'\x80' * (width * height)
    entries = [(256, 3, width), (257, 3, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
               (273, 4, 0), (277, 3, 1), (278, 3, height), (279, 4, len(pixels))]
    ifd_offset = 8 + len(header_extra)
    data_offset = ifd_offset + 2 + len(entries) * 12 + 4
    out = b'II*\x00' + struct.pack('<I', ifd_offset) + header_extra + struct.pack('<H', len(entries))
    for tag, kind, value in entries:
        if tag == 273:
            value = data_offset
        if kind == 3:
            out += struct.pack('<HHIHH', tag, kind, 1, value, 0)
        else:
            out += struct.pack('<HHII', tag, kind, 1, value)
    return out + struct.pack('<I', 0) + pixels


class _Bits:
    def __init__(self):
        self.value = 0
        self.count = 0

    def put(self, value, nbits):
        self.value |= (value & ((1 << nbits) - 1)) << self.count
        self.count += nbits

    def data(self):
        return self.value.to_bytes((self.count + 7) // 8, 'little')


def webp(width, height):
    """A lossless (VP8L) WebP of one grey colour: every prefix code is a one-symbol simple code,
    so the pixels themselves take no bits."""
    b = _Bits()
    b.put(0x2F, 8)
    b.put(width - 1, 14)
    b.put(height - 1, 14)
    b.put(0, 1)          # no alpha hint
    b.put(0, 3)          # version 0
    b.put(0, 1)          # no transform
    b.put(0, 1)          # no colour cache
    b.put(0, 1)          # no meta prefix codes
    for symbol in (0x80, 0x80, 0x80, 0xFF):   # green, red, blue, alpha
        b.put(1, 1)      # simple code
        b.put(0, 1)      # one symbol
        b.put(1, 1)      # 8-bit symbol
        b.put(symbol, 8)
    b.put(1, 1)          # distance code: simple, one 1-bit symbol 0
    b.put(0, 1)
    b.put(0, 1)
    b.put(0, 1)
    payload = b.data()
    chunk = b'VP8L' + struct.pack('<I', len(payload)) + payload + (b'\x00' if len(payload) % 2 else b'')
    return b'RIFF' + struct.pack('<I', 4 + len(chunk)) + b'WEBP' + chunk


# ---------------------------------------------------------------- the test set

CANON = [
    '-Make=Canon', '-Model=Canon EOS R5', '-LensModel=RF24-70mm F2.8 L IS USM', '-LensMake=Canon',
    '-DateTimeOriginal=2024:06:15 14:30:05', '-SubSecTimeOriginal=123', '-OffsetTimeOriginal=+02:00',
    '-CreateDate=2024:06:15 14:30:05', '-SubSecTimeDigitized=12', '-OffsetTimeDigitized=+02:00',
    '-ModifyDate=2024:06:16 09:00:00', '-OffsetTime=+03:00', '-SubSecTime=5',
    '-ISO=400', '-FNumber=2.8', '-ExposureTime=1/200', '-FocalLength=50', '-Orientation#=1',
    '-Artist=Ζωή Χατζή', '-Copyright=© 2024 Ζωή Χατζή', '-ImageDescription=Λευκός Πύργος, Θεσσαλονίκη',
    '-Software=Digital Photo Professional 4',
    '-GPSLatitude=40.64', '-GPSLatitudeRef=N', '-GPSLongitude=22.9444', '-GPSLongitudeRef=E',
    '-GPSAltitude=12.5', '-GPSAltitudeRef=0',
]
NIKON = [
    '-Make=NIKON CORPORATION   ', '-Model=NIKON Z 6_2', '-LensModel=NIKKOR Z 24-70mm f/4 S',
    '-DateTimeOriginal=2023:12:31 23:59:59', '-SubSecTimeOriginal=050', '-OffsetTimeOriginal=-05:00',
    '-CreateDate=2023:12:31 23:59:59', '-ModifyDate=2024:01:02 08:15:00',
    '-ISO=12800', '-FNumber=0.95', '-ExposureTime=2.5', '-FocalLength=24.5', '-Orientation#=6',
    '-Artist=Jane Doe  ', '-Copyright=Jane Doe\nEditor Inc.', '-ImageDescription=   ',
    '-GPSLatitude=33.8688', '-GPSLatitudeRef=S', '-GPSLongitude=151.2093', '-GPSLongitudeRef=W',
    '-GPSAltitude=3.25', '-GPSAltitudeRef#=1',
]
SONY_MINIMAL = ['-Make=SONY', '-Model=ILCE-7M3', '-DateTimeOriginal=2022:02:02 02:02:02',
                '-ExposureTime=0.3333333', '-FNumber=16', '-FocalLength=35', '-ISO=100']


def _exposure(value, extra=()):
    return ['-Make=FUJIFILM', '-Model=X-T4', '-DateTimeOriginal=2021:07:04 12:00:00',
            '-ExposureTime=' + value] + list(extra)


TAGGED_JPEGS = [
    # name, (width, height, padding), exiftool arguments
    ('canon_r5.jpg', (64, 48, 11000), CANON),
    ('nikon_z6.jpg', (40, 30, 1800), NIKON),
    ('sony_minimal.jpg', (16, 16, 0), SONY_MINIMAL),
    ('exposure_8000.jpg', (8, 8, 0), _exposure('1/8000', ['-FNumber=1.2', '-ISO=100 200'])),
    ('exposure_quarter.jpg', (8, 8, 0), _exposure('0.25', ['-FocalLength=0', '-Orientation#=3'])),
    ('exposure_long.jpg', (8, 8, 0), _exposure('30', ['-FNumber=22', '-Orientation#=8',
                                                       '-GPSLatitude=59.999999999', '-GPSLatitudeRef=N',
                                                       '-GPSLongitude=0', '-GPSLongitudeRef=E',
                                                       '-GPSAltitude=0', '-GPSAltitudeRef=0'])),
    ('exposure_odd.jpg', (8, 8, 0), _exposure('1.3', ['-FNumber=5.65', '-FocalLength=105.25',
                                                      '-Orientation#=2', '-SubSecTimeOriginal=7  '])),
    ('big_2mb.jpg', (8, 8, 2100000), _exposure('1/60')),
]


def _bench_jpeg(path):
    with open(path, 'wb') as f:
        f.write(jpeg(32, 24))


def build_test_set(out, exiftool):
    entries = []

    def add(name, kind):
        entries.append({'name_hex': (name if isinstance(name, bytes) else name.encode()).hex(), 'kind': kind})

    commands = []

    def tag(name, args):
        commands.append(['-E', '-overwrite_original', '-q', '-q'] + args + [os.path.join(out, name)])

    for name, (w, h, pad), args in TAGGED_JPEGS:
        with open(os.path.join(out, name), 'wb') as f:
            f.write(jpeg(w, h, pad))
        tag(name, args)
        add(name, 'tagged')

    with open(os.path.join(out, 'thumbnail.jpg'), 'wb') as f:
        f.write(jpeg(48, 32))
    with open(os.path.join(out, '.thumb_source.jpg'), 'wb') as f:
        f.write(jpeg(16, 8))
    tag('thumbnail.jpg', ['-Make=Panasonic', '-Model=DC-GH5', '-Orientation#=1', '-XMP-dc:Title=With an XMP packet',
                          '-XMP-xmp:Rating=4',
                          '-ThumbnailImage<=' + os.path.join(out, '.thumb_source.jpg')])
    add('thumbnail.jpg', 'tagged')

    with open(os.path.join(out, 'plain.jpg'), 'wb') as f:
        f.write(jpeg(24, 16))
    add('plain.jpg', 'plain')

    for name, data in (('exif.png', png(20, 10)), ('exif.tif', tiff(20, 10)), ('exif.webp', webp(20, 10)),
                       ('exif.dng', tiff(12, 6)), ('exif.nef', tiff(14, 6))):
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
        tag(name, CANON[:20])
        add(name, 'tagged')
    for name, data in (('plain.png', png(7, 5)), ('plain.webp', webp(9, 3)), ('plain.tif', tiff(5, 7))):
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
        add(name, 'plain')

    # Sidecars: an XMP companion and a Sony NonRealTimeMeta XML, for the merge tests.
    with open(os.path.join(out, 'with_sidecar.jpg'), 'wb') as f:
        f.write(jpeg(16, 16))
    tag('with_sidecar.jpg', ['-Make=Canon', '-Model=Canon EOS R6'])
    add('with_sidecar.jpg', 'tagged')
    commands.append(['-q', '-q', '-o', os.path.join(out, 'with_sidecar.xmp'),
                     '-XMP-dc:Creator=Sidecar Person', '-XMP-dc:Rights=Sidecar Rights',
                     '-XMP-tiff:Make=NotThisMake', '-XMP-exif:DateTimeOriginal=2020:05:06 07:08:09.25+03:00',
                     '-XMP-dc:Title=From the sidecar'])
    add('with_sidecar.xmp', 'sidecar')
    sony_xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<NonRealTimeMeta xmlns="urn:schemas-professionalDisc:nonRealTimeMeta:ver.2.00" '
                'lastUpdate="2024-03-01T10:11:12+01:00">\n'
                '  <Duration value="250"/>\n'
                '  <CreationDate value="2024-03-01T10:11:12+01:00"/>\n'
                '  <VideoFormat><VideoFrame videoCodec="AVC_3840_2160_HP@L51" captureFps="25p" '
                'formatFps="25p"/><VideoLayout pixel="3840" numOfVerticalLine="2160" aspectRatio="16:9"/>'
                '</VideoFormat>\n'
                '  <Device manufacturer="Sony" modelName="ILCE-7SM3" serialNo="1234567"/>\n'
                '  <AcquisitionRecord><Group name="LensUnitMetadataSet">'
                '<Item name="LensZoom35mmStillCameraEquivalent" value="24mm"/></Group></AcquisitionRecord>\n'
                '</NonRealTimeMeta>\n')
    with open(os.path.join(out, 'C0001.MP4'), 'wb') as f:
        f.write(b'\x00\x00\x00\x18ftypXAVC\x00\x00\x00\x00XAVCmp42iso2' + b'\x00\x00\x00\x08free')
    add('C0001.MP4', 'odd')
    with open(os.path.join(out, 'C0001M01.XML'), 'w', encoding='utf-8') as f:
        f.write(sony_xml)
    add('C0001M01.XML', 'sidecar')

    # Bad input.
    open(os.path.join(out, 'empty.jpg'), 'wb').close()
    add('empty.jpg', 'odd')
    os.mkdir(os.path.join(out, 'folder.jpg'))
    add('folder.jpg', 'dir')
    with open(os.path.join(out, 'notes.txt'), 'w') as f:
        f.write('not an image\n')
    add('notes.txt', 'odd')
    shutil.copy(os.path.join(out, 'plain.png'), os.path.join(out, 'png_named.jpg'))
    add('png_named.jpg', 'odd')
    # Odd names get a byte copy of the tagged Canon JPEG once ExifTool has written it (below).
    copies = [b'noextension', b'trailing.', b'new\nline.jpg', b'-leading-dash.jpg', b'caf\xe9.jpg',
              b'space name .jpg']
    for name in copies:
        add(name, 'odd')

    # One exiftool process writes every tag.
    argfile = os.path.join(out, '.exiftool-args')
    with open(argfile, 'w', encoding='utf-8') as f:
        for i, command in enumerate(commands):
            for arg in command:
                # -E decodes HTML entities: the way to put a newline into one argument line.
                f.write(arg.replace('&', '&amp;').replace('\n', '&#10;'))
                f.write('\n')
            if i + 1 < len(commands):
                f.write('-execute\n')
    subprocess.run([exiftool, '-@', argfile], check=True)
    os.unlink(argfile)
    os.unlink(os.path.join(out, '.thumb_source.jpg'))
    canon = open(os.path.join(out, 'canon_r5.jpg'), 'rb').read()
    for name in copies:
        with open(os.path.join(out.encode(), name), 'wb') as f:
            f.write(canon)
    with open(os.path.join(out, 'truncated.jpg'), 'wb') as f:
        f.write(canon[:300])
    add('truncated.jpg', 'odd')
    corrupt = bytearray(canon)
    # Overwrite IFD0's entry count and the entries after it with 0xff: the EXIF block is garbage.
    tiff_start = canon.index(b'Exif\x00\x00') + 6
    for i in range(tiff_start + 8, tiff_start + 80):
        corrupt[i] = 0xFF
    with open(os.path.join(out, 'corrupt.jpg'), 'wb') as f:
        f.write(bytes(corrupt))
    add('corrupt.jpg', 'odd')
    with open(os.path.join(out, 'garbage.jpg'), 'wb') as f:
        f.write(b'\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*\xff\xff\xff\xff' + b'\x00' * 40)
    add('garbage.jpg', 'odd')

    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(entries, f, indent=1)


def build_bench_set(out, count, exiftool):
    template = os.path.join(out, '.template.jpg')
    with open(template, 'wb') as f:
        f.write(jpeg(32, 24))
    subprocess.run([exiftool, '-q', '-q', '-overwrite_original'] + CANON + [template], check=True)
    data = open(template, 'rb').read()
    os.unlink(template)
    for i in range(count):
        with open(os.path.join(out, 'IMG_%05d.jpg' % i), 'wb') as f:
            f.write(data)


def main(argv):
    exiftool = os.environ.get('ONCUTF_EXIFTOOL', 'exiftool')
    if len(argv) == 4 and argv[1] == '--bench':
        os.makedirs(argv[3], exist_ok=True)
        build_bench_set(argv[3], int(argv[2]), exiftool)
        return 0
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    os.makedirs(argv[1], exist_ok=True)
    build_test_set(argv[1], exiftool)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
