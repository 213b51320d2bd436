//! The data seed a scenario hands its app (`{seed}`, `SPARKMODES_SEED`): NumPy's legacy
//! `np.random.seed` takes 0 ..= 2³² − 1 and fails on anything else, so a larger seed would pass
//! load and fail every run later. The type holds only what the app can take.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seed(u32);

impl Seed {
    pub const DEFAULT: Seed = Seed(42);

    pub fn get(self) -> u64 {
        u64::from(self.0)
    }

    /// From the number a scenario wrote, with the bound in the message.
    pub fn from_number(v: i128) -> Result<Seed, String> {
        u32::try_from(v).map(Seed).map_err(|_| {
            format!(
                "must be between 0 and {} (what NumPy's seed accepts), got {v}",
                u32::MAX
            )
        })
    }
}

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_is_what_numpy_takes() {
        assert_eq!(Seed::from_number(0).unwrap().get(), 0);
        assert_eq!(
            Seed::from_number(4_294_967_295).unwrap().get(),
            4_294_967_295
        );
        for bad in [-1, 4_294_967_296, i128::from(u64::MAX)] {
            assert!(
                Seed::from_number(bad).unwrap_err().contains("NumPy"),
                "{bad}"
            );
        }
    }
}
