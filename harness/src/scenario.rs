//! PLACEHOLDER until the scenario work lands: only the cluster shape.

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClusterShape {
    pub workers: u32,
    pub worker_cores: u32,
    pub worker_memory: String,
}
