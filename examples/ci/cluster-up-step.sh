#!/usr/bin/env bash
# A CI step that needs a real Spark Connect server (or a classic cluster) for its own tests:
# start `sparkmodes cluster up` in the background, wait until it has written its env file
# (written whole, once everything is ready), source it, run the tests, and stop the cluster
# however the step ends. SPARK_REMOTE is what PySpark's Connect client reads.
set -euo pipefail
spark="${SPARK_VERSION:-4.1.4}"
env_file=$(mktemp -u)
sparkmodes cluster up --connect --spark "$spark" --env-file "$env_file" 2>cluster-up.log &
up=$!
trap 'kill -INT "$up" 2>/dev/null; wait "$up" || true' EXIT
until [ -s "$env_file" ]; do
  kill -0 "$up" 2>/dev/null || { cat cluster-up.log; exit 1; }
  sleep 1
done
set -a
. "$env_file"
set +a
echo "Spark Connect at $SPARK_REMOTE, master $SPARK_MASTER"
[ "$#" -gt 0 ] || set -- python -m pytest
"$@"
