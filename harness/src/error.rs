//! Errors that end a command, and the exit code each maps to (documented in README.md).

use std::process::ExitCode;

/// Exit codes: 0 ok, 2 bad input or setup failed, 3 wrong result or refusal change,
/// 4 performance regression. A panic exits 101, a signal 128 + its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Setup = 2,
    WrongResult = 3,
    Regression = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input or an environment that cannot run the harness; the message names what to fix.
    #[error("{0}")]
    Setup(String),
    /// A run produced a wrong result, or a refusal did not happen.
    #[error("{0}")]
    WrongResult(String),
    #[error("{0}")]
    Regression(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    pub fn setup(msg: impl Into<String>) -> Self {
        Error::Setup(msg.into())
    }

    pub fn exit(&self) -> Exit {
        match self {
            Error::Setup(_) | Error::Other(_) => Exit::Setup,
            Error::WrongResult(_) => Exit::WrongResult,
            Error::Regression(_) => Exit::Regression,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Other(e.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
