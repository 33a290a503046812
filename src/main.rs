use std::process::ExitCode;

use clap::Parser;

#[actix_web::main]
async fn main() -> ExitCode {
    opinto_registry::cli::run(opinto_registry::cli::Cli::parse()).await
}
