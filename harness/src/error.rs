//! Errors that end a command, and the one place each becomes an exit code ([`Error::exit`]):
//! the code follows from what went wrong (an input refused, a machine that cannot run it, an
//! output that could not be written), never from the command that met it. Wrong results and
//! regressions are not errors: they are verdicts ([`Exit`]) carried beside the records.

use std::process::ExitCode;

/// Exit codes, the same for every subcommand (README, "Exit codes"): 0 ok, 2 bad input or
/// setup failure, 3 wrong result / broken promise / nothing to vouch for, 4 performance
/// regression, 5 the verdict stands but an output could not be written. A panic exits 101, a
/// signal 128 + its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Ok = 0,
    Setup = 2,
    WrongResult = 3,
    Regression = 4,
    Output = 5,
}

impl Exit {
    /// The verdict in words, for the line that says an output failed but the verdict stands.
    pub fn words(self) -> &'static str {
        match self {
            Exit::Ok => "passed",
            Exit::Setup => "refused",
            Exit::WrongResult => "wrong result or nothing to vouch for",
            Exit::Regression => "slower",
            Exit::Output => "outputs not written",
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the user gave (a flag, a file, a directory, a scenario or manifest value)
    /// cannot be used; the message names it and what to give instead.
    #[error("{0}")]
    Input(String),
    /// This machine cannot run what was asked (Docker, Java, a Python, an image, a cluster).
    #[error("{0}")]
    Setup(String),
    /// The command's verdict is decided (and was printed), but an output could not be written.
    #[error("{0}")]
    Output(String),
    /// Anything else that stopped the command; treated like a setup failure.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input(msg.into())
    }

    pub fn setup(msg: impl Into<String>) -> Self {
        Error::Setup(msg.into())
    }

    /// For `map_err` on the output stage.
    pub fn output(e: impl std::fmt::Display) -> Self {
        Error::Output(format!("{e:#}"))
    }

    /// The one mapping from what went wrong to the exit code.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Input(_) | Error::Setup(_) | Error::Other(_) => Exit::Setup,
            Error::Output(_) => Exit::Output,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Other(e.into())
    }
}

/// The verdict of a command whose outputs were written after it was printed: the verdict when
/// they were, else exit 5 naming the failure and the verdict it could not record.
pub fn after_outputs(verdict: Exit, written: anyhow::Result<()>) -> Result<Exit> {
    written.map(|()| verdict).map_err(|e| {
        Error::Output(format!(
            "{e:#} (the verdict printed above stands: {}, exit {} had the outputs been written)",
            verdict.words(),
            verdict as u8
        ))
    })
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
