//! Raw deserialization of an app manifest: types only; every value check happens in
//! `validate`.

use serde::Deserialize;

fn default_result() -> String {
    "result.csv".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApp {
    pub(super) name: String,
    #[serde(default)]
    pub(super) description: String,
    pub(super) entry: Option<String>,
    pub(super) module: Option<String>,
    #[serde(default)]
    pub(super) py_files: Vec<String>,
    #[serde(default)]
    pub(super) args: Vec<String>,
    #[serde(default)]
    pub(super) packages: Vec<String>,
    pub(super) modes: Option<Vec<String>>,
    #[serde(default)]
    pub(super) size_knob: bool,
    #[serde(default = "default_result")]
    pub(super) result: String,
    pub(super) master: Option<RawMaster>,
    pub(super) data: Option<String>,
    pub(super) check: Option<RawCheck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMaster {
    pub(super) file: String,
    pub(super) key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheck {
    pub(super) builtin: Option<String>,
    pub(super) command: Option<Vec<String>>,
    pub(super) expected: Option<String>,
    pub(super) tolerance: Option<f64>,
    pub(super) ordered: Option<bool>,
}
