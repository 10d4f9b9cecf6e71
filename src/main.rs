//! The `protium` binary: `protium [--config PATH] [serve | check | schema … |
//! admin … | schema-vocabulary]`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use protium::admin::schema_ops;
use protium::auth::{AuthService, HashingSettings, Scope};
use protium::config::Settings;
use protium::domain::{now_unix, Email};
use protium::startup::Application;
use protium::store::audit::Actor;
use protium::store::Store;

/// Prints a line to standard output; a closed output (`protium … | head -1`)
/// ends the output quietly instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        say_raw!("{}\n", format_args!($($arg)*))
    };
}

/// Prints to standard output, ignoring a closed output.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

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
    /// Run every check start-up runs (settings, mail, SMS, schema files, the
    /// schema against the database when it exists), change nothing, then exit.
    Check,
    /// Evolve the schema of the configured database.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Admin accounts and API keys.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print the JSON Schema of the `x-protium` extension keyword.
    SchemaVocabulary,
}

#[derive(Subcommand)]
enum SchemaCommand {
    /// Validate a schema directory (default: the configured one); exit code 0 or 1.
    Check {
        /// The directory.
        dir: Option<PathBuf>,
    },
    /// Dry run against the configured database: the DDL that would run, and the
    /// stored rows that would not fit each narrowing change.
    Diff,
    /// Apply the schema: additive changes, and narrowing ones with --allow-narrowing
    /// (refused while stored rows do not fit).
    Apply {
        /// Also apply narrowing changes (tighter limits, enums, new required fields).
        #[arg(long)]
        allow_narrowing: bool,
    },
    /// Recount every counter field from the records it counts (after a
    /// restore or a hand edit of the database).
    Recount,
    /// Drop the columns of fields no longer declared (and their data) and the
    /// indexes no declaration wants; shows what goes, and drops it with --yes.
    Prune {
        /// Drop what is shown.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin account; the password is read from the terminal (or
    /// standard input), never from the command line.
    Create {
        /// The admin's email address.
        #[arg(long)]
        email: String,
    },
    /// Create an API key and print it (once).
    CreateKey {
        /// A name to recognise the key by.
        #[arg(long)]
        name: String,
        /// Comma list of scopes (users:read, users:write, records:read,
        /// records:write, schema:read, schema:write, keys:read, keys:write,
        /// audit:read) or `*`.
        #[arg(long)]
        scopes: String,
        /// Days until the key expires (default: never).
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
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
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::SchemaVocabulary => {
            say!("{:#}", protium::schema::vocabulary_schema());
            Ok(())
        }
        Command::Check => protium::startup::preflight(&settings)
            .map(|report| {
                for line in report {
                    say!("{line}");
                }
            })
            .context("checking the settings and services"),
        Command::Schema(command) => schema(&settings, command),
        Command::Admin(command) => admin(&settings, command),
        Command::Serve => serve(settings),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("protium: {}", report(&e));
            ExitCode::from(1)
        }
    }
}

/// What the command was doing and each cause below it, outermost first; a
/// cause whose words its error already shows is not repeated.
fn report(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let words = cause.to_string();
        if text.contains(&words) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&words);
    }
    text
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&settings).context("starting the server")?;
        app.run_until_stopped().await.context("serving")
    })
}

fn connect(settings: &Settings) -> anyhow::Result<Store> {
    Store::connect_for_command(&settings.database_url).context("opening the database")
}

fn schema(settings: &Settings, command: SchemaCommand) -> anyhow::Result<()> {
    let dir = &settings.schema_dir;
    match command {
        SchemaCommand::Check { dir: other } => {
            let summary = schema_ops::check(other.as_deref().unwrap_or(dir))
                .context("checking the schema")?;
            say!("{summary}");
        }
        SchemaCommand::Diff => {
            let report = schema_ops::diff(&connect(settings)?, dir)
                .context("comparing the schema with the database")?;
            say_raw!("{}", schema_ops::describe(&report, true));
        }
        SchemaCommand::Apply { allow_narrowing } => {
            let report = schema_ops::apply(&connect(settings)?, dir, allow_narrowing)
                .context("applying the schema")?;
            say_raw!("{}", schema_ops::describe(&report, false));
        }
        SchemaCommand::Recount => {
            let done = schema_ops::recount(&connect(settings)?, dir)
                .context("recounting the counter fields")?;
            for (counter, rows) in &done {
                say!("{counter}: {rows} rows recounted");
            }
            if done.is_empty() {
                say!("the schema declares no counter fields");
            }
        }
        SchemaCommand::Prune { yes } => {
            let store = connect(settings)?;
            let plans = schema_ops::prune_plan(&store, dir).context("planning what to prune")?;
            say_raw!("{}", schema_ops::describe_prune(&plans));
            if plans.is_empty() {
                return Ok(());
            }
            if !yes {
                say!("run again with --yes to drop these");
                return Ok(());
            }
            for statement in schema_ops::prune(&store, &plans).context("pruning")? {
                say!("  {statement};");
            }
            say!("pruned");
        }
    }
    Ok(())
}

/// Reads a password from the terminal without echo, or a line of standard input.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ").context("reading the password")?;
        let again = rpassword::prompt_password("again: ").context("reading the password")?;
        if first != again {
            anyhow::bail!("the two passwords differ");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn admin(settings: &Settings, command: AdminCommand) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let store = connect(settings)?;
    let auth = AuthService::new(store, settings.token_ttl, "", HashingSettings::default())
        .context("starting the account service")?;
    match command {
        AdminCommand::Create { email } => {
            let email = Email::parse(&email)?;
            let password = read_password()?;
            let password = settings.password_policy().parse("password", &password)?;
            let id = runtime
                .block_on(auth.create_admin(email.clone(), password))
                .context("creating the admin")?;
            say!("created admin {id} ({})", email.as_str());
        }
        AdminCommand::CreateKey {
            name,
            scopes,
            expires_in_days,
        } => {
            let scopes = Scope::parse_list("scopes", &[scopes])?;
            let expires_at = expires_in_days.map(|d| now_unix() + i64::from(d) * 86_400);
            let actor = Actor {
                name: format!(
                    "cli:{}",
                    std::env::var("USER").unwrap_or_else(|_| "unknown".into())
                ),
                ..Actor::default()
            };
            let created = runtime
                .block_on(auth.create_key(&name, &scopes, expires_at, actor))
                .context("creating the key")?;
            say!("{}", created.secret.expose());
            eprintln!(
                "key {} ({}) created; it is shown only now",
                created.key.id, created.key.prefix
            );
        }
    }
    Ok(())
}
