//! The shape of a standalone cluster: how many workers, with how many cores and how much
//! memory each. A plain value: scenarios name it, clusters are started from it.

use serde::{Deserialize, Serialize};

/// The shape of the standalone cluster a group of runs shares.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClusterShape {
    pub workers: u32,
    pub worker_cores: u32,
    /// Spark memory string, e.g. `1g` or `512m`.
    pub worker_memory: String,
}

impl ClusterShape {
    /// The name a config gets when the scenario has no `[[configs]]`, e.g. `2w-1c-1g`.
    pub fn label(&self) -> String {
        format!(
            "{}w-{}c-{}",
            self.workers, self.worker_cores, self.worker_memory
        )
    }
}

impl Default for ClusterShape {
    fn default() -> Self {
        ClusterShape {
            workers: 2,
            worker_cores: 1,
            worker_memory: "1g".to_string(),
        }
    }
}
