//! Errors that end a command, and the exit code each maps to (documented in README.md, one
//! variant per documented meaning).

use std::process::ExitCode;

/// Exit codes: 0 ok, 2 bad input or setup failed, 3 wrong result or refusal change,
/// 4 performance regression, 5 runs done but an output could not be written. A panic exits
/// 101, a signal 128 + its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Setup = 2,
    WrongResult = 3,
    Regression = 4,
    Output = 5,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// Wrong results and regressions are verdicts, not errors: they travel as [`Exit`] values
/// beside the records that show them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input or an environment that cannot run the harness; the message names what to fix.
    #[error("{0}")]
    Setup(String),
    /// The runs are done and their records kept, but a later output (environment.json, a
    /// comparison, the report) could not be written.
    #[error("runs finished and records kept, but writing the outputs failed: {0}")]
    Output(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    pub fn setup(msg: impl Into<String>) -> Self {
        Error::Setup(msg.into())
    }

    /// For `map_err` on the output stage.
    pub fn output(e: impl std::fmt::Display) -> Self {
        Error::Output(format!("{e:#}"))
    }

    pub fn exit(&self) -> Exit {
        match self {
            Error::Setup(_) | Error::Other(_) => Exit::Setup,
            Error::Output(_) => Exit::Output,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Other(e.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
