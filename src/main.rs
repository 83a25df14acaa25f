use std::process::ExitCode;

fn main() -> ExitCode {
    quire::cli::main()
}
