//! The one type for every name that becomes a directory or file name: scenario names, config
//! names, run ids, baseline names, app names. A name is checked once, where it enters (clap
//! flags, scenario and manifest files), so no later stage can meet a newline, a `/`, a `..` or
//! a name longer than a directory entry holds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A plain name: 1 to [`Name::MAX`] bytes of ASCII letters, digits, `.`, `_` and `-`, not
/// starting with `.` (so never `.`, `..` or hidden). Long enough for any real name, short
/// enough that a default run id (`<scenario>-YYYYMMDD-HHMMSS`) stays a valid directory name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    pub const MAX: usize = 128;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Name {
    type Err = String;

    fn from_str(s: &str) -> Result<Name, String> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if s.is_empty() || s.len() > Name::MAX || s.starts_with('.') || !s.chars().all(allowed) {
            return Err(format!(
                "must be 1 to {} letters, digits, '.', '_' or '-', not starting with '.', got {s:?}",
                Name::MAX
            ));
        }
        Ok(Name(s.to_string()))
    }
}

impl TryFrom<String> for Name {
    type Error = String;

    fn try_from(s: String) -> Result<Name, String> {
        s.parse()
    }
}

impl From<Name> for String {
    fn from(n: Name) -> String {
        n.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<std::path::Path> for Name {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_pass_and_everything_else_is_named() {
        for ok in [
            "smoke",
            "smoke-20250101-120000",
            "a.b_c-1",
            &"x".repeat(Name::MAX),
        ] {
            assert_eq!(ok.parse::<Name>().unwrap().as_str(), ok);
        }
        let long = "x".repeat(Name::MAX + 1);
        for bad in [
            "", ".", "..", ".hidden", "a/b", "a\nb", "a\u{7}b", "é", "a b", &long,
        ] {
            let e = bad.parse::<Name>().unwrap_err();
            assert!(e.contains("letters, digits"), "{bad:?}: {e}");
            assert!(!e.contains('\n'), "one line: {e:?}");
        }
    }
}
