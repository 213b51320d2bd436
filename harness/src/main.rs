fn main() -> std::process::ExitCode {
    sparkmodes::cli::main().into()
}
