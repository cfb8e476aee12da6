#!/usr/bin/env bash
# bench/bench_rename.sh BUILD_DIR
#
# The rename engine against the tools people use instead, in one script (same machine, same
# moment; the ratios are what docs/performance.md records):
#   1. preview of 100,000 files with 5 modules: the planner alone (bench_preview, in-process)
#      and `oncutf-cli preview --json` end to end against `find DIR` listing the same files
#                                                                          goal: planner < 0.3 s
#   2. apply of a simple rename to 100,000 empty files, journal included, against Perl
#      `rename 's/^file/photo_file/'` on the same files                   goal: at least as fast
#   3. renaming 2,000 photos by capture date end to end (read metadata, plan, apply) against
#      exiftool '-FileName<DateTimeOriginal' -d %Y%m%d_%H%M%S%%-c.%%e      goal: >= 20x faster
# Every run starts from freshly created files. Never part of ctest.
set -euo pipefail

build=${1:?usage: bench_rename.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "$build" && pwd)
cli=$build/src/cli/oncutf-cli
[ -x "$cli" ] || { echo "bench_rename: $cli not found (build the oncutf-cli target)" >&2; exit 1; }
for tool in exiftool file-rename; do
  command -v $tool >/dev/null || { echo "bench_rename: $tool not installed (scripts/install-deps.sh)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/oncutf-bench-rename.XXXXXX")
trap 'rm -rf "$work"' EXIT

exec python3 - "$cli" "$build" "$root" "$work" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time

cli, build, root, work = sys.argv[1:5]
env = dict(os.environ)
env['ONCUTF_DB'] = os.path.join(work, 'bench.db')
RUNS = 3


def fresh_empty(folder, n):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for i in range(n):
        open(os.path.join(folder, 'file%06d.dat' % i), 'wb').close()


def timed(argv, **kw):
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, **kw)
    return time.perf_counter() - start


def median(fn, runs=RUNS):
    return statistics.median(fn() for _ in range(runs))


def line(name, seconds, note=''):
    print('%-66s %8.3f s  %s' % (name, seconds, note))


# ---- 1. preview of 100k files, 5 modules
big = os.path.join(work, 'big')
fresh_empty(big, 100_000)
recipe5 = os.path.join(work, 'five.json')
with open(recipe5, 'w') as f:
    json.dump({'modules': [
        {'type': 'metadata', 'field': 'file:mtime', 'format': '%Y%m%d'},
        {'type': 'text', 'text': '_'},
        {'type': 'counter', 'start': 1, 'step': 1, 'padding': 6, 'scope': 'per_folder'},
        {'type': 'text', 'text': '_'},
        {'type': 'replace', 'find': 'file', 'replace': 'img', 'regex': False, 'case_sensitive': True},
    ], 'final_transform': {'case': 'upper'}}, f)
planner = os.path.join(build, 'bench', 'bench_preview')
if os.access(planner, os.X_OK):
    out = subprocess.run([planner, '100000'], stdout=subprocess.PIPE, text=True, check=True).stdout
    sys.stdout.write(out)
t_find = median(lambda: timed(['find', big, '-type', 'f']))
t_prev = median(lambda: timed([cli, 'preview', '--json', '--recipe', recipe5, big]))
line('find DIR (100,000 files, listing only)', t_find)
line('oncutf-cli preview --json, 5 modules, 100,000 files (end to end)', t_prev,
     '%.2fx the time of find' % (t_prev / t_find))

# ---- 2. apply a simple rename to 100k empty files
simple = os.path.join(work, 'simple.json')
with open(simple, 'w') as f:
    json.dump({'modules': [{'type': 'text', 'text': 'photo_'}, {'type': 'original_name'}]}, f)


def run_perl():
    fresh_empty(big, 100_000)
    # Perl rename gets every name in one process (xargs -0 packs them), as a user would run it.
    start = time.perf_counter()
    subprocess.run('find . -name "file*" -print0 | xargs -0 file-rename "s/^\\.\\/file/.\\/photo_file/"',
                   shell=True, cwd=big, check=True, env=env)
    return time.perf_counter() - start


def run_oncutf():
    fresh_empty(big, 100_000)
    return timed([cli, 'apply', '--recipe', simple, big])


t_perl = median(run_perl)
assert len([n for n in os.listdir(big) if n.startswith('photo_file')]) == 100_000
t_apply = median(run_oncutf)
assert len([n for n in os.listdir(big) if n.startswith('photo_file')]) == 100_000
line('Perl rename, 100,000 empty files', t_perl)
line('oncutf-cli apply (journaled), 100,000 empty files', t_apply, '%.2fx faster than Perl rename' % (t_perl / t_apply))

# ---- 3. 2,000 photos by capture date, end to end
photos = os.path.join(work, 'photos')
template = os.path.join(work, 'template')
subprocess.run([sys.executable, os.path.join(root, 'tests', 'data', 'make_fixtures.py'), '--bench', '2000', template],
               check=True)
bydate = os.path.join(work, 'bydate.json')
with open(bydate, 'w') as f:
    json.dump({'modules': [{'type': 'metadata', 'field': 'EXIF:DateTimeOriginal', 'format': '%Y%m%d_%H%M%S'}],
               'on_conflict': 'suffix', 'suffix': '-{n}'}, f)


def fresh_photos():
    shutil.rmtree(photos, ignore_errors=True)
    shutil.copytree(template, photos)
    # The metadata cache must not help: a fresh database for every oncutf run.
    for suffix in ('', '-wal', '-shm'):
        try:
            os.remove(env['ONCUTF_DB'] + suffix)
        except FileNotFoundError:
            pass


def run_exiftool():
    fresh_photos()
    return timed(['exiftool', '-q', '-q', '-FileName<DateTimeOriginal', '-d', '%Y%m%d_%H%M%S%%-c.%%e', photos])


def run_bydate():
    fresh_photos()
    return timed([cli, 'apply', '--recipe', bydate, photos])


t_et = median(run_exiftool, 1)
renamed = sorted(os.listdir(photos))
t_od = median(run_bydate)
ours = sorted(os.listdir(photos))
assert len(ours) == 2000 and len(renamed) == 2000, (len(ours), len(renamed))
line("exiftool '-FileName<DateTimeOriginal', 2,000 photos", t_et)
line('oncutf-cli apply by capture date (metadata, plan, apply), 2,000', t_od, '%.1fx faster than exiftool' % (t_et / t_od))
PY
