#!/usr/bin/env bash
# A stand-in for `exiftool -stay_open True -@ -` that misbehaves on request, for the tests of the
# ExifTool process and pool. It speaks the same argument-file protocol (one argument per line,
# -echo4 TEXT, -executeN answered by "{readyN}") and answers each file with a one-tag JSON array
# ({"Fake:Name": <file name>}; test file names must not need JSON escaping), except:
#   *hang*        stops itself for good (SIGSTOP): the caller's timeout must kill it
#   *crash*       exits at once
#   *hang-once*   hangs only the first time (it leaves <file>.hung behind), so a retry succeeds
#   *crash-once*  exits only the first time (<file>.crashed)
# Written in bash rather than Python so that a restart costs milliseconds on a loaded machine.

files=()
echo4=()
previous=""
while IFS= read -r arg; do
  arg=${arg%$'\r'}
  if [[ $previous == -echo4 ]]; then
    echo4+=("$arg")
    previous=""
    continue
  fi
  if [[ $previous == -stay_open && $arg == False ]]; then
    exit 0
  fi
  previous=$arg
  case $arg in
    -execute*)
      out=""
      for f in "${files[@]}"; do
        name=${f##*/}
        if [[ $name == *hang-once* ]]; then
          if [[ ! -e $f.hung ]]; then : > "$f.hung"; kill -STOP $$; fi
        elif [[ $name == *hang* ]]; then
          kill -STOP $$
        fi
        if [[ $name == *crash-once* ]]; then
          if [[ ! -e $f.crashed ]]; then : > "$f.crashed"; exit 3; fi
        elif [[ $name == *crash* ]]; then
          exit 3
        fi
        out+="${out:+, }{\"SourceFile\": \"$f\", \"Fake:Name\": \"$name\"}"
      done
      [[ -n $out ]] && printf '[%s]\n' "$out"
      for text in "${echo4[@]}"; do printf '%s\n' "$text" >&2; done
      printf '{ready%s}\n' "${arg#-execute}"
      files=()
      echo4=()
      previous=""
      ;;
    -*) ;;
    *) files+=("$arg") ;;
  esac
done
