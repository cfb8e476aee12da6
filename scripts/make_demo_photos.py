#!/usr/bin/env python3
"""Builds the demo's photo folder: small valid images with real EXIF written by ExifTool.

    make_demo_photos.py OUTDIR

What a photographer's card dump looks like, with the awkward parts a renamer must survive:
two cameras (Canon EOS R5 and Nikon Z 6), bursts of several shots in one second (told apart by
SubSecTimeOriginal), RAW+JPG+XMP sets (the .NEF/.CR3 here are small TIFFs: ExifTool and Exiv2 read
their EXIF the same way), Greek names, spaces, a name starting with '-', a name that is not
UTF-8, a photo without a capture date, and an Artist tag holding '../' and a newline. One
ExifTool run writes every tag (an argument file with one -execute per image).
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'data'))
from make_fixtures import jpeg, tiff  # noqa: E402  (the same byte-exact image authoring)

CANON = ['-Make=Canon', '-Model=Canon EOS R5', '-LensModel=RF24-105mm F4 L IS USM']
NIKON = ['-Make=NIKON CORPORATION', '-Model=NIKON Z 6', '-LensModel=NIKKOR Z 24-70mm f/4 S']


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = os.fsencode(argv[1])
    commands = []

    def write(folder, name, data, args, mtime):
        d = os.path.join(out, os.fsencode(folder))
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name if isinstance(name, bytes) else os.fsencode(name))
        with open(path, 'wb') as f:
            f.write(data)
        if args:
            commands.append((['-overwrite_original', '-q', '-q', '-P'] + args, path))
        return path, mtime

    stamped = []
    # Crete, Canon, 2024-06-12: a burst of 4 in one second, then single shots.
    shots = [('10:15:00', '00'), ('10:15:00', '25'), ('10:15:00', '50'), ('10:15:00', '75')]
    shots += [('11:%02d:%02d' % (i, i * 7 % 60), '00') for i in range(8)]
    for i, (time, sub) in enumerate(shots, start=1):
        stamped.append(write('2024-06 Κρήτη (Crete)', 'IMG_%04d.JPG' % (100 + i), jpeg(32, 24),
                             CANON + ['-DateTimeOriginal=2024:06:12 ' + time, '-SubSecTimeOriginal=' + sub,
                                      '-OffsetTimeOriginal=+03:00'], 1718180000 + i))
    for i in range(1, 4):
        stamped.append(write('2024-06 Κρήτη (Crete)', 'Παραλία %02d.jpg' % i, jpeg(24, 16),
                             CANON + ['-DateTimeOriginal=2024:06:13 18:%02d:00' % (i * 3)], 1718290000 + i))
    # Summer trip, Nikon, two days, RAW+JPG+XMP sets (the RAW is the main file).
    for i in range(1, 7):
        day = 14 if i <= 3 else 15
        date = '2024:08:%02d 09:%02d:%02d' % (day, i, i * 5)
        args = NIKON + ['-DateTimeOriginal=' + date, '-Artist=Ανδρέας']
        stamped.append(write('2024-08 Summer trip', 'DSC_%04d.NEF' % (200 + i), tiff(16, 12), args, 1723600000 + i))
        stamped.append(write('2024-08 Summer trip', 'DSC_%04d.JPG' % (200 + i), jpeg(32, 24), args, 1723600000 + i))
        xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
               '<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="%d"/></rdf:RDF></x:xmpmeta>\n' % (i % 5))
        stamped.append(write('2024-08 Summer trip', 'DSC_%04d.xmp' % (200 + i), xmp.encode(), None, 1723600000 + i))
    # Odd names and odd values.
    odd = [
        ('-rf.jpg', CANON + ['-DateTimeOriginal=2025:01:02 08:00:00']),
        ('with  two  spaces.jpg', NIKON + ['-DateTimeOriginal=2025:01:02 08:00:01']),
        (b'caf\xe9.jpg', NIKON + ['-DateTimeOriginal=2025:01:02 08:00:02']),      # not UTF-8
        ('no date.jpg', CANON),                                                   # no capture date
        ('evil artist.jpg', CANON + ['-DateTimeOriginal=2025:01:02 08:00:03', '-Artist=../../etc\nroot']),
    ]
    for i, (name, args) in enumerate(odd):
        stamped.append(write('2025 odd names', name, jpeg(16, 16), args, 1735800000 + i))

    # One ExifTool run for every image: an argument file with one -execute per image.
    argfile = os.path.join(out, b'.exiftool-args')
    with open(argfile, 'wb') as f:
        for args, path in commands:
            for arg in args:
                f.write(arg.replace('\n', '&#xa;').encode() + b'\n' if arg.startswith('-Artist=') and '\n' in arg
                        else arg.encode() + b'\n')
            if any('\n' in a for a in args):
                f.write(b'-E\n')  # HTML entities, so the newline survives the one-arg-per-line file
            f.write(path + b'\n-execute\n')
    subprocess.run(['exiftool', '-charset', 'filename=UTF8', '-@', argfile], check=True)
    os.remove(argfile)
    for path, mtime in stamped:
        os.utime(path, (mtime, mtime))
    print(len(stamped))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
