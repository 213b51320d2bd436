//! The `sparkmodes` binary: everything is in the library; this only turns its exit code into
//! the process status.

fn main() -> std::process::ExitCode {
    sparkmodes::cli::main().into()
}
