#!/usr/bin/env bash
# The shell steps of examples/ci/github-actions.yml, run on this machine without GitHub: the
# same sparkmodes commands in the same order (a test checks each one is here), with a temp
# file as the job summary. GitHub's own actions are stood in for: the toolchains are yours,
# the image archive is loaded when present; the artifact upload and the tracker are skipped.
#
#   examples/ci/run-locally.sh                     # as in CI: base image debian:bookworm-slim
#   BASE_IMAGE=my/base BIN_DIR=target/debug examples/ci/run-locally.sh
#
# BIN_DIR: use the sparkmodes binary there instead of `cargo build --release`.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CI=true
export BASE_IMAGE="${BASE_IMAGE:-debian:bookworm-slim}"
export GITHUB_STEP_SUMMARY="${GITHUB_STEP_SUMMARY:-$(mktemp -t step-summary.XXXXXX)}"
images_tar="${IMAGES_TAR:-$HOME/sparkmodes-images.tar}"

step() { printf '\n== %s\n' "$1" >&2; }

if [ -e reports/ci ]; then
    echo "run-locally: reports/ci exists (an earlier run): move or remove it first" >&2
    exit 2
fi

step "Build sparkmodes"
if [ -n "${BIN_DIR:-}" ]; then
    export PATH="$(cd "$BIN_DIR" && pwd):$PATH"
else
    cargo build --release --locked
    export PATH="${CARGO_TARGET_DIR:-$PWD/target}/release:$PATH"
fi

step "Load the cached images, or build them"
if [ -f "$images_tar" ]; then
    docker load -i "$images_tar"
elif ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    docker pull "$BASE_IMAGE"
fi
sparkmodes images build --spark 3.5.9 --base-image "$BASE_IMAGE"

step "Smoke run"
status=0
sparkmodes run smoke -q --run-id ci --base-image "$BASE_IMAGE" || status=$?

step "Compare with the saved baseline"
if [ "$status" -eq 0 ]; then
    if [ -d ci/baselines/smoke ]; then
        sparkmodes compare smoke reports/ci --baselines ci/baselines || status=$?
    else
        echo "no baseline in ci/baselines/smoke: save one with sparkmodes baseline save smoke reports/ci --baselines ci/baselines"
    fi
fi

step "Job summary ($GITHUB_STEP_SUMMARY)"
cat "$GITHUB_STEP_SUMMARY"
step "Tracker input: reports/ci/benchmark-action.json, report: reports/ci (exit $status)"
exit "$status"
