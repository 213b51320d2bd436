"""pytest fixtures for a real Spark: `sparkmodes cluster up --connect --json` started as a
subprocess, once per session. It prints one JSON document when the cluster and its Spark
Connect server are ready; the fixtures read it and hand out a Connect session (`spark`) and
a classic session on the same cluster (`classic_spark`, in its own module: see there). At the end of the session the
subprocess gets SIGINT (Ctrl-C) and removes every container; if pytest itself is killed, the kernel
ends the subprocess too (it asks for its parent's death signal).

Settings (environment):
  SPARKMODES_BIN       the sparkmodes binary (default: `sparkmodes` on PATH)
  SPARKMODES_SPARK     the Spark line (default 4.1.4; Connect needs 4.x)
  SPARKMODES_ENDPOINTS a document printed by an earlier `cluster up --json` (a CI step):
                       use that cluster instead of starting one
"""
import json
import os
import signal
import subprocess
import time

import pytest


@pytest.fixture(scope="session")
def sparkmodes_cluster():
    given = os.environ.get("SPARKMODES_ENDPOINTS")
    if given:
        yield json.loads(given)
        return
    command = [
        os.environ.get("SPARKMODES_BIN", "sparkmodes"),
        "cluster", "up", "--connect", "--json",
        "--spark", os.environ.get("SPARKMODES_SPARK", "4.1.4"),
    ]
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"{' '.join(command)} exited {proc.wait()} before it was ready")
    endpoints = json.loads(line)
    print(f"sparkmodes cluster + Connect server ready in {time.monotonic() - started:.1f}s")
    try:
        yield endpoints
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)


@pytest.fixture(scope="session")
def spark(sparkmodes_cluster):
    """A Spark Connect session (`SPARK_REMOTE` of the document). From here on the process is
    in Connect mode: `pyspark.sql.functions` build Connect expressions."""
    from pyspark.sql import SparkSession

    session = SparkSession.builder.remote(sparkmodes_cluster["spark_remote"]).getOrCreate()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def classic_spark(sparkmodes_cluster):
    """A classic session: the driver in this process, its executors on the cluster (they call
    back the cluster network's gateway, `driver_host`). PySpark runs one kind of session per
    process at a time, so classic tests live in a module of their own that runs before the
    Connect ones (test_classic.py < test_connect.py), and the session ends with the module."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(sparkmodes_cluster["master"])
        .appName("pytest-classic")
        .config("spark.driver.host", sparkmodes_cluster["driver_host"])
        .config("spark.driver.bindAddress", sparkmodes_cluster["driver_host"])
        .config("spark.executor.memory", "512m")
    )
    if sparkmodes_cluster.get("secret"):
        builder = builder.config("spark.authenticate", "true").config(
            "spark.authenticate.secret", sparkmodes_cluster["secret"]
        )
    session = builder.getOrCreate()
    yield session
    session.stop()
