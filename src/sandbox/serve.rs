//! `privatelink-bot serve --sandbox` (or `[sandbox] enabled = true`): the
//! real Slack and Discord adapters over clouds that live in the process
//! (`playground`), so a team can try the whole flow in its own workspace
//! before giving the bot a single AWS or Zilliz credential.
//!
//! It refuses to start where a real credential is configured, uses a
//! store of its own (marked sandbox; never the production path), and marks
//! every card and note it posts.

use std::sync::Arc;

use anyhow::Context;

use super::marked::{ChatOutages, Marked};
use super::playground::Clouds;
use crate::app::Overrides;
use crate::cloud::aws::AwsSettings;
use crate::config::Config;
use crate::ports::chat::ChatSink;
use crate::secret::{Secret, SecretSource};
use crate::serve::{self, Secrets, Server};
use crate::store::StoreKind;

/// The environment variables through which the AWS SDK would find real
/// credentials, or be pointed at a real AWS.
pub const AWS_CREDENTIAL_VARIABLES: [&str; 10] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
];

/// Refuses the sandbox where a real credential is configured (`env`, the
/// process's environment): the sandbox would never use it, and a person
/// who set one may think they are not in the sandbox. Names the
/// variables, never their values. An `AWS_ENDPOINT_URL…` is refused too:
/// it points the SDK somewhere other than the sandbox's moto.
pub fn refuse_real_credentials(config: &Config, env: &[(String, String)]) -> anyhow::Result<()> {
    let set = |name: &str| env.iter().any(|(k, v)| k == name && !v.is_empty());
    let mut aws: Vec<&str> = AWS_CREDENTIAL_VARIABLES
        .into_iter()
        .filter(|v| set(v))
        .collect();
    aws.extend(
        env.iter()
            .filter(|(k, v)| k.starts_with("AWS_ENDPOINT_URL") && !v.is_empty())
            .map(|(k, _)| k.as_str()),
    );
    if !aws.is_empty() {
        anyhow::bail!(
            "the sandbox refuses to start with real AWS credentials or endpoints configured ({} set): it never talks to AWS, and a credential in reach is one mistake away from a real account. Unset {} and start it again",
            aws.join(", "),
            if aws.len() == 1 { "it" } else { "them" }
        );
    }
    let zilliz = &config.zilliz.api_key_env;
    if set(zilliz) {
        anyhow::bail!(
            "the sandbox refuses to start with a Zilliz Cloud API key configured ({zilliz} is set): it never talks to Zilliz Cloud. Unset {zilliz} and start it again"
        );
    }
    Ok(())
}

/// The config `serve` runs with in the sandbox: the user's chat sections
/// and policy, the sandbox's store, clouds and watch.
pub fn sandbox_config(config: &Config, clouds: &Clouds) -> Config {
    let mut c = config.clone();
    c.store.path = config.sandbox.store.clone();
    c.store.kind = StoreKind::Sandbox;
    c.zilliz.base_url = clouds.zilliz.url.clone();
    c.zilliz.cloud = None;
    c.aws = AwsSettings {
        endpoint_url: Some(clouds.proxy.url.clone()),
        emulator_credentials: true,
        // moto would create an endpoint on a DryRun CreateVpcEndpoint.
        dry_run_preflight: false,
        role_external_ids: Default::default(),
        ..config.aws.clone()
    };
    c.watch.interval = config.sandbox.watch_interval;
    c
}

/// A sandbox ready to serve: the server, and its clouds (stopped when
/// dropped).
pub struct SandboxServer {
    pub server: Server,
    pub clouds: Arc<Clouds>,
    pub config: Config,
}

/// Builds the sandbox from `config`, after the refusals; `env` is the
/// environment (tests give their own), `chat` the platforms' secrets.
pub async fn build(
    config: &Config,
    env: &[(String, String)],
    chat: SecretSource,
) -> anyhow::Result<SandboxServer> {
    refuse_real_credentials(config, env)?;
    let absolute = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    anyhow::ensure!(
        absolute(&config.sandbox.store) != absolute(&config.store.path),
        "[sandbox] store and [store] path are both {}: the sandbox needs a store of its own",
        config.store.path.display()
    );
    crate::store::start_sandbox_over(&config.sandbox.store).with_context(|| {
        format!(
            "the sandbox store {} cannot be used",
            config.sandbox.store.display()
        )
    })?;
    let outages = Arc::new(ChatOutages::default());
    let clouds =
        Arc::new(Clouds::start(outages.clone()).await.context(
            "could not start the sandbox's clouds (moto_server and the fake Zilliz Cloud)",
        )?);
    let sandboxed = sandbox_config(config, &clouds);
    let secrets = Secrets {
        zilliz_api_key: Secret::new(&clouds.api_key),
        chat,
    };
    let wrap: serve::ChatWrap = Arc::new(move |inner: Arc<dyn ChatSink>| {
        Arc::new(Marked::new(inner, outages.clone())) as Arc<dyn ChatSink>
    });
    let overrides = Overrides {
        playground: Some(clouds.clone()),
        ..Overrides::default()
    };
    let server = serve::build_wrapped(&sandboxed, secrets, overrides, Some(wrap)).await?;
    Ok(SandboxServer {
        server,
        clouds,
        config: sandboxed,
    })
}

/// Runs the sandbox until Ctrl-C or SIGTERM.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let env: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| {
            Some((
                k.into_string().ok()?,
                v.into_string().unwrap_or_else(|_| "(not UTF-8)".to_owned()),
            ))
        })
        .collect();
    let sandbox = build(config, &env, SecretSource::environment()).await?;
    tracing::warn!(
        store = %sandbox.config.store.path.display(),
        "SANDBOX: AWS is moto and Zilliz Cloud a fake, both inside this process; nothing is real, and the worlds end with it"
    );
    let listen = sandbox.config.http.clone().unwrap_or_default().listen;
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let result = sandbox
        .server
        .run(&sandbox.config, Some(listener), serve::stop_signal())
        .await;
    if let Ok(clouds) = Arc::try_unwrap(sandbox.clouds) {
        clouds.moto.stop().await;
    }
    result
}
