//! The `protium` binary: `protium [--config PATH] [serve|check|schema-vocabulary]`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use protium::config::Settings;
use protium::startup::Application;

/// Schema-driven backend speaking the Hydrogen client API.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Settings file (default: ./protium.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Check the settings and schema files, then exit.
    Check,
    /// Print the JSON Schema of the `x-protium` extension keyword.
    SchemaVocabulary,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("protium: {e}");
            return ExitCode::from(2);
        }
    };
    protium::telemetry::init(&settings.log, settings.log_json);
    match cli.command.unwrap_or(Command::Serve) {
        Command::SchemaVocabulary => {
            println!("{:#}", protium::schema::vocabulary_schema());
            ExitCode::SUCCESS
        }
        Command::Check => match protium::schema::load_dir(&settings.schema_dir) {
            Ok(r) => {
                println!(
                    "ok: {} profile field(s), {} other object type(s) in {}",
                    r.profile.fields.len(),
                    r.tables.len(),
                    settings.schema_dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("protium: {e}");
                ExitCode::from(2)
            }
        },
        Command::Serve => serve(settings),
    }
}

fn serve(settings: Settings) -> ExitCode {
    let result = actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&settings).map_err(|e| e.to_string())?;
        app.run_until_stopped().await.map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("protium: {e}");
            ExitCode::from(1)
        }
    }
}
