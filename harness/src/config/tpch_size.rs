//! How a scenario sizes a TPC-H run: its `elements` is the scale factor in thousandths for an
//! app that declares `data = "tpch"` (`10` is SF 0.01, `100` SF 0.1, `1000` SF 1), so the size
//! axis, cell labels and comparisons need nothing new; and the query numbers it may select.

/// TPC-H's queries, numbered as the benchmark numbers them.
pub const QUERIES: std::ops::RangeInclusive<u32> = 1..=22;

/// The largest scale factor made here (SF 10 is ~10 GB of Parquet: beyond a laptop's run).
pub const MAX_MILLI_SF: u64 = 10_000;

/// `10` → `0.01`, `1000` → `1`: the scale factor a size in thousandths stands for.
pub fn scale_factor(milli: u64) -> String {
    let s = format!("{:.3}", milli as f64 / 1000.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_thousandths_of_a_scale_factor() {
        assert_eq!(scale_factor(10), "0.01");
        assert_eq!(scale_factor(100), "0.1");
        assert_eq!(scale_factor(1000), "1");
        assert_eq!(scale_factor(2500), "2.5");
    }
}
