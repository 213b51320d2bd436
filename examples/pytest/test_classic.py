"""The team's code on the classic cluster: a driver in this process, executors in containers."""
from pyspark.testing import assertDataFrameEqual

from totals import EXPECTED, ROWS, totals


def test_totals_on_the_classic_cluster(classic_spark):
    df = classic_spark.createDataFrame(ROWS, "customer string, amount double")
    expected = classic_spark.createDataFrame(EXPECTED, "customer string, revenue double")
    assertDataFrameEqual(totals(df), expected, checkRowOrder=True)
    # The work ran on the cluster's executors, not in a local master.
    assert classic_spark.sparkContext.master.startswith("spark://")
