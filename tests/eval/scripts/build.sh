#!/bin/sh
# Rebuilds tests/eval/{dev,test}.jsonl from the labelling passes (kept outside the repository
# while labelling, in LABELS_DIR): the six drawn batches with their labels, the two collections of
# other public official texts, and the default rule pack's labels.
set -eu
dir=${1:?usage: build.sh LABELS_DIR}
here=$(dirname "$0")
python3 "$here/assemble.py" "$here/.." --rules "$dir/rules-labels.jsonl" \
  $(for b in 1 2 3 4 5 6; do echo "$dir/batch-$b.jsonl:$dir/labels-$b.jsonl"; done) \
  "$dir/external.jsonl" "$dir/external-2.jsonl"
