"""The code a team tests: plain DataFrame code, the same under Spark Connect and classic."""
from pyspark.sql import functions as F


def totals(df):
    """The code under test: revenue per customer, largest first."""
    return (
        df.groupBy("customer")
        .agg(F.sum("amount").alias("revenue"))
        .orderBy(F.desc("revenue"))
    )


ROWS = [("ann", 10.0), ("bob", 5.0), ("ann", 2.5), ("cid", 7.0)]
EXPECTED = [("ann", 12.5), ("cid", 7.0), ("bob", 5.0)]
