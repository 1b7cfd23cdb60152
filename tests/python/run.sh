#!/usr/bin/env bash
# The Python client test of `kobj serve`: builds the `kobj` binary, creates tests/python/.venv
# and installs requirements.txt into it, starts `kobj serve` with a kubeconfig in a scratch
# directory, runs pytest with KUBECONFIG pointing at it, and stops the server (SIGTERM) on
# the way out, whatever happened.
#
#   tests/python/run.sh            # from anywhere; honours CARGO_TARGET_DIR
#   KOBJ_BIN=/path/to/kobj tests/python/run.sh   # use an already built binary
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ -z "${KOBJ_BIN:-}" ]]; then
    (cd "$root" && cargo build --quiet -p kobj-server --bin kobj)
    KOBJ_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/kobj"
fi

if [[ ! -x "$here/.venv/bin/python" ]]; then
    python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"

work="$(mktemp -d)"
"$KOBJ_BIN" serve --write-kubeconfig "$work/kubeconfig" >"$work/stdout" 2>"$work/stderr" &
pid=$!
cleanup() {
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 200); do
    if grep -q "listening on" "$work/stdout"; then
        break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "kobj serve exited early:" >&2
        cat "$work/stderr" >&2
        exit 1
    fi
    sleep 0.05
done
grep -q "listening on" "$work/stdout" || { echo "kobj serve did not start" >&2; exit 1; }
sed -n 1p "$work/stdout"

cd "$here"
KUBECONFIG="$work/kubeconfig" "$here/.venv/bin/python" -m pytest -q -p no:cacheprovider "$here/test_kobj_serve.py" "$@"
