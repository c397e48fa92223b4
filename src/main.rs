//! The command line: `console`, `demo`, `jobs …`, `check-config`,
//! `fake-zilliz`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use privatelink_bot::app::Overrides;
use privatelink_bot::chat::console;
use privatelink_bot::config::Config;
use privatelink_bot::domain::ids::{JobId, ProjectId, VpcId, ZillizRegion};
use privatelink_bot::domain::job::StateKey;
use privatelink_bot::ports::clock::rfc3339;
use privatelink_bot::sandbox;
use privatelink_bot::store::Stall;
use privatelink_bot::{admin, check, serve, telemetry};
use std::io::Write;

#[derive(Parser)]
#[command(
    name = "privatelink-bot",
    version,
    about = "AWS PrivateLink to Zilliz Cloud, from chat, with approval"
)]
struct Cli {
    /// The config file.
    #[arg(
        long,
        global = true,
        env = "PRIVATELINK_BOT_CONFIG",
        default_value = "config/privatelink-bot.toml"
    )]
    config: PathBuf,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve chat platforms over HTTP (Slack endpoints, /healthz) and run jobs.
    Serve {
        /// The real chat platforms over clouds that live in the process
        /// (moto and a fake Zilliz Cloud), a world per channel: try the
        /// bot in a workspace with no AWS or Zilliz credential. Also
        /// `[sandbox] enabled = true`.
        #[arg(long)]
        sandbox: bool,
    },
    /// Read /privatelink commands from stdin (scriptable); cards print as text.
    Console {
        /// Print what a thread reader sees (the progress checklist as a
        /// whole, before the job's next message) instead of a line per step.
        #[arg(long)]
        quiet: bool,
    },
    /// Run the whole create flow locally: moto for AWS, a fake Zilliz Cloud, the console for chat.
    Demo,
    /// Inspect the job store without running the bot.
    Jobs {
        #[command(subcommand)]
        what: JobsCmd,
    },
    /// Export the audit log without running the bot.
    Audit {
        #[command(subcommand)]
        what: AuditCmd,
    },
    /// Load and validate the config; with --online, prove every credential
    /// against AWS, Zilliz Cloud, Slack and Discord (read calls and DryRun
    /// only) and print a table with the fix for each failure.
    CheckConfig {
        #[arg(long)]
        online: bool,
        /// The region to check in, as requests name it.
        #[arg(long, default_value = "aws-us-west-2", requires = "online")]
        region: String,
        /// A project whose private endpoints the key must read.
        #[arg(long, requires = "online")]
        project: Option<String>,
        /// A VPC to try the DryRun and the zone listing with (default: the
        /// first one the account sees).
        #[arg(long, requires = "online")]
        vpc: Option<String>,
    },
    /// Ask a running bot's /healthz (the container's HEALTHCHECK: the image
    /// has no curl). Exit status 0 when healthy.
    Health {
        /// The URL to ask; default: /healthz on [http] listen.
        #[arg(long)]
        url: Option<String>,
    },
    /// Serve the fake Zilliz Cloud control plane, for local experiments.
    FakeZilliz {
        #[arg(long, default_value_t = 8787)]
        port: u16,
    },
}

#[derive(Subcommand)]
enum JobsCmd {
    /// Every job, one line each, optionally only those in one state.
    List {
        #[arg(long, value_parser = admin::parse_state)]
        state: Option<StateKey>,
    },
    /// One job in full (exit status 3 when there is no such job).
    Show { job: String },
    /// The audit log, optionally for one job.
    Audit { job: Option<String> },
    /// What a job made, as Terraform (import and resource blocks).
    Export {
        job: String,
        #[arg(long, value_enum, default_value = "hcl")]
        format: ExportFormat,
        /// Write `privatelink-<job>.tf` into this directory (its path is
        /// printed) rather than to stdout.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// What waits in the chat outbox, and why (the last delivery error).
    Outbox {
        /// Give up on what waits for this job (its channel is gone for
        /// good); audited. The job itself is untouched.
        #[arg(long)]
        drop: Option<String>,
    },
}

/// How an export is written: HCL, the one Terraform reads.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Hcl,
}

#[derive(Subcommand)]
enum AuditCmd {
    /// The audit log, oldest first, as JSON lines or CSV on stdout.
    Export {
        /// Only events at or after this time (RFC 3339).
        #[arg(long, value_parser = admin::parse_since)]
        since: Option<u64>,
        /// Only events of this job.
        #[arg(long)]
        job: Option<String>,
        #[arg(long, value_enum)]
        format: admin::Format,
    },
}

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(run_main());
    // The console's reader of standard input blocks a thread until input
    // ends: a stop by signal (SIGTERM, Ctrl-C) must not wait for it, as
    // dropping the runtime would.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}

async fn run_main() -> ExitCode {
    let cli = Cli::parse();
    // The config's [log] applies to the commands that run the bot; the
    // others (and a config that does not load) log as people read it.
    let quiet = matches!(cli.command, Cmd::Demo | Cmd::Console { .. });
    let mut log = match &cli.command {
        Cmd::Serve { .. } | Cmd::Console { .. } => {
            Config::load(&cli.config).map(|c| c.log).unwrap_or_default()
        }
        _ => telemetry::LogSettings::default(),
    };
    if quiet && log.level == telemetry::LogSettings::default().level {
        log.level = "warn".to_owned();
    }
    telemetry::init(&log);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.chain().any(|cause| cause.is::<Stall>()) => {
            eprintln!("error: {e:#}; exiting so that a supervisor restarts the bot");
            // At once: returning would drop the runtime, which waits for the
            // very store operation that is stuck.
            std::process::exit(EXIT_STORE_STALLED)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            match e.downcast_ref::<admin::AdminError>() {
                Some(a) => ExitCode::from(a.exit_status()),
                None => ExitCode::FAILURE,
            }
        }
    }
}

/// The exit status when the store's liveness bound tripped (EX_SOFTWARE).
const EXIT_STORE_STALLED: i32 = 70;

async fn run(cli: Cli) -> anyhow::Result<()> {
    let path = &cli.config;
    match cli.command {
        Cmd::Demo => sandbox::demo::run(console::stdout()).await,
        Cmd::Serve { sandbox } => {
            let config = Config::load(path)?;
            if sandbox || config.sandbox.enabled {
                return sandbox::serve::run(&config).await;
            }
            let secrets = serve::Secrets::from_env(&config)?;
            serve::run(&config, secrets).await
        }
        Cmd::Console { quiet } => run_console(&Config::load(path)?, quiet).await,
        Cmd::CheckConfig {
            online,
            region,
            project,
            vpc,
        } => check_config(&Config::load(path)?, online, &region, project, vpc).await,
        Cmd::Jobs { what } => jobs(&Config::load(path)?, what).await,
        Cmd::Audit {
            what: AuditCmd::Export { since, job, format },
        } => {
            let config = Config::load(path)?;
            let store = config.store.open(config.store.options()).await?;
            let job = job_arg(job.as_deref())?;
            let mut out = std::io::stdout().lock();
            let n = admin::export_audit(&store, since, job, format, &mut out).await?;
            eprintln!("{n} audit event(s) exported");
            Ok(())
        }
        Cmd::Health { url } => health(path, url).await,
        Cmd::FakeZilliz { port } => fake_zilliz(port).await,
    }
}

/// A job id given on the command line, if any; a bad one is a usage error.
fn job_arg(job: Option<&str>) -> anyhow::Result<Option<JobId>> {
    Ok(job
        .map(JobId::parse)
        .transpose()
        .map_err(|e| admin::AdminError::Usage(e.to_string()))?)
}

/// The console is one platform among others, through the same run as
/// `serve`: `/healthz` and `/metrics` when [http] asks for them.
async fn run_console(config: &Config, quiet: bool) -> anyhow::Result<()> {
    let console = console::Console::new(
        &config.console,
        tokio::io::BufReader::new(tokio::io::stdin()),
        console::stdout(),
        config.language.default,
        quiet,
    );
    let server = serve::assemble(
        config,
        config.zilliz.api_key()?,
        vec![Box::new(console)],
        Overrides::default(),
    )
    .await?;
    let listener = match &config.http {
        Some(http) => Some(tokio::net::TcpListener::bind(&http.listen).await?),
        None => None,
    };
    server.run(config, listener, serve::stop_signal()).await
}

async fn check_config(
    config: &Config,
    online: bool,
    region: &str,
    project: Option<String>,
    vpc: Option<String>,
) -> anyhow::Result<()> {
    if !online {
        config.zilliz.api_key()?;
        println!(
            "config OK: store {}, Zilliz Cloud {}, {} approver rule(s); check-config --online proves the credentials",
            config.store.path.display(),
            config.zilliz.base_url,
            config.policy.approvers.len()
        );
        return Ok(());
    }
    let scope = check::Scope {
        region: ZillizRegion::parse(region)?,
        project: project.as_deref().map(ProjectId::parse).transpose()?,
        vpc: vpc.as_deref().map(VpcId::parse).transpose()?,
    };
    let report = check::online(config, &scope).await;
    print!("{}", report.render());
    if report.failed() {
        anyhow::bail!("the configuration does not work yet; fix the rows marked FAIL");
    }
    Ok(())
}

async fn jobs(config: &Config, what: JobsCmd) -> anyhow::Result<()> {
    let store = config.store.open(config.store.options()).await?;
    let mut out = std::io::stdout().lock();
    match what {
        JobsCmd::List { state } => admin::list(&store, state, &mut out).await?,
        JobsCmd::Show { job } => admin::show(&store, &job, &mut out).await?,
        JobsCmd::Export {
            job,
            format: ExportFormat::Hcl,
            out: dir,
        } => admin::export_terraform(&store, &job, dir.as_deref(), &mut out).await?,
        JobsCmd::Outbox { drop: None } => admin::outbox(&store, &mut out).await?,
        JobsCmd::Outbox { drop: Some(job) } => admin::drop_outbox(&store, &job, &mut out).await?,
        JobsCmd::Audit { job } => {
            for e in store.audit_log(job_arg(job.as_deref())?).await? {
                let job = e.job.map(|j| j.to_string()).unwrap_or_default();
                // Escaped: a record from an older version may hold
                // characters a terminal would act on.
                let show = privatelink_bot::domain::ids::printable;
                writeln!(
                    out,
                    "{} {job} {} {} {}",
                    rfc3339(e.at),
                    show(&e.actor.to_string()),
                    show(e.action.word()),
                    show(&e.outcome.to_string())
                )?;
            }
        }
    }
    Ok(())
}

/// Asks a running bot's `/healthz` (the container's HEALTHCHECK).
async fn health(config: &std::path::Path, url: Option<String>) -> anyhow::Result<()> {
    let url = match url {
        Some(u) => u,
        None => {
            let config = Config::load(config)?;
            let listen = config.http.unwrap_or_default().listen;
            // A wildcard listen address is asked on loopback.
            let listen = listen.replace("0.0.0.0", "127.0.0.1");
            format!("http://{listen}/healthz")
        }
    };
    let answer = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()?
        .get(&url)
        .send()
        .await?;
    let status = answer.status();
    let text = answer.text().await.unwrap_or_default();
    if !status.is_success() {
        anyhow::bail!("{url} answered {status}: {text}");
    }
    println!("{text}");
    Ok(())
}

async fn fake_zilliz(port: u16) -> anyhow::Result<()> {
    let key = std::env::var("ZILLIZ_API_KEY").unwrap_or_else(|_| "sandbox".to_owned());
    let fake = sandbox::fake_zilliz::FakeZilliz::start_on(
        ([127, 0, 0, 1], port).into(),
        &key,
        Default::default(),
    )
    .await?;
    println!(
        "fake Zilliz Cloud on {} (empty state); Ctrl-C stops it",
        fake.url
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
