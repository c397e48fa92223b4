//! `privatelink-bot demo`: the whole create flow in the sandbox, printed as
//! a console transcript, then checked against what moto actually holds.

use anyhow::Context;

use super::Sandbox;
use crate::app::Overrides;
use crate::chat::console::{Console, SharedOut};
use crate::secret::Secret;
use crate::serve;

fn say(out: &SharedOut, text: &str) {
    if let Ok(mut w) = out.lock() {
        let _ = writeln!(w, "{text}");
    }
}

use std::io::Write;

/// Runs the demo; an error means the end state was not verified.
pub async fn run(out: SharedOut) -> anyhow::Result<()> {
    say(
        &out,
        "== privatelink-bot sandbox: moto_server for AWS, a fake Zilliz Cloud, the console for chat ==",
    );
    let sandbox = Sandbox::start(1)
        .await
        .context("could not start the sandbox")?;
    say(
        &out,
        &format!(
            "moto at {} (behind an AWS-strict proxy at {}), fake Zilliz Cloud at {}; customer VPC {} with subnets {} and security group {}; Zilliz endpoint service {}",
            sandbox.moto.url,
            sandbox.proxy.url,
            sandbox.zilliz.url,
            sandbox.network.vpc,
            sandbox.network.subnets.join(", "),
            sandbox.network.security_group,
            sandbox.service_name
        ),
    );
    let dir = std::env::temp_dir().join(format!(
        "privatelink-bot-demo-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let result = run_in(&sandbox, &dir, out.clone()).await;
    let _ = std::fs::remove_dir_all(&dir);
    sandbox.moto.stop().await;
    result
}

async fn run_in(sandbox: &Sandbox, dir: &std::path::Path, out: SharedOut) -> anyhow::Result<()> {
    let config = sandbox.config(&dir.join("store.sled"))?;
    let args = sandbox.create_args();
    let script = format!(
        "# alice (who holds the ops approver role) asks what would happen, then asks for the link\n\
         /as alice ops\n\
         plan {args}\n\
         create {args}\n\
         # an approver may still not approve their own request\n\
         approve $last\n\
         # bob is an approver\n\
         /as bob\n\
         approve $last\n\
         /wait $last\n\
         status $last\n"
    );
    // The console is a platform like Slack or Discord, run as `serve` runs
    // them; the script is its input, and the run ends when the script does.
    let console = Console::new(
        &config.console,
        std::io::Cursor::new(script.into_bytes()),
        out.clone(),
        config.language.default,
        false,
    );
    let server = serve::assemble(
        &config,
        Secret::new(&sandbox.api_key),
        vec![Box::new(console)],
        Overrides::default(),
    )
    .await?;
    server
        .run(&config, None, std::future::pending::<()>())
        .await?;

    let state = sandbox.end_state().await?;
    say(&out, "\n== what moto holds for the VPC now ==");
    for (id, st, dns) in &state.endpoints {
        say(&out, &format!("VPC endpoint {id} ({st}), DNS {dns}"));
    }
    for (id, name) in &state.zones {
        say(&out, &format!("private hosted zone {id} {name}"));
    }
    for (zone, name, target) in &state.alias_records {
        say(&out, &format!("alias A {name} in {zone} → {target}"));
    }
    state
        .verify(&sandbox.hosts())
        .context("the end state in moto is not what the job should have left")?;
    say(
        &out,
        "\nVERIFIED: one endpoint, one private hosted zone associated with the VPC, and an alias record pointing at the endpoint, per cluster.",
    );
    Ok(())
}
