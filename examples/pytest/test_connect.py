"""The team's code under Spark Connect, checked with `pyspark.testing.assertDataFrameEqual`."""
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from totals import EXPECTED, ROWS, totals


def test_totals_under_spark_connect(spark):
    df = spark.createDataFrame(ROWS, "customer string, amount double")
    expected = spark.createDataFrame(EXPECTED, "customer string, revenue double")
    assertDataFrameEqual(totals(df), expected, checkRowOrder=True)


def test_a_python_udf_runs_on_the_executors(spark):
    shout = F.udf(lambda s: s.upper(), "string")
    df = spark.createDataFrame([("ann",), ("bob",)], "name string").select(shout("name").alias("n"))
    assertDataFrameEqual(df, spark.createDataFrame([("ANN",), ("BOB",)], "n string"))
