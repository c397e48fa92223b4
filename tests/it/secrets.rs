//! Secrets never leave their variables: a whole flow through the real
//! binary with known token, signing secret and API key values, debug logs
//! on, then a scan of everything the bot wrote (its logs, what it sent the
//! chat API, its store on disk, the audit export and `jobs show`) for them.

use crate::binary::{SIGNING, ServeBinary, TOKEN};

/// Every file under `dir`, as bytes.
fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                out.push((path, bytes));
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_appears_in_logs_chat_store_or_exports() {
    let bot = ServeBinary::start(
        "[log]\nformat = \"json\"\nlevel = \"debug,hyper=info,h2=info,rustls=info\"\n",
        &[],
    )
    .await;
    let api_key = bot.sandbox.api_key.clone();
    let id = a_flow_with_a_forged_request(&bot).await;

    let sent: String = bot
        .slack
        .calls()
        .iter()
        .map(|c| format!("{} {}\n", c.method, c.body))
        .collect();
    let (bot, code, logs) = bot.stop().await;
    assert_eq!(code, 0, "SIGTERM is a clean stop: {logs}");

    let admin = |args: &[&str]| {
        let mut all = vec!["--config", bot.config.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        std::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
            .args(all)
            .env("SANDBOX_ZILLIZ_API_KEY", &api_key)
            .output()
            .expect("runs")
    };
    let export = admin(&["audit", "export", "--format", "jsonl"]);
    assert!(export.status.success());
    let shown = admin(&["jobs", "show", &id]);
    assert!(shown.status.success());
    let store = files(bot.dir.path());

    // The scan means something only if each place holds the flow.
    assert!(
        logs.lines().count() > 50 && logs.contains("\"level\":\"DEBUG\""),
        "{logs}"
    );
    assert!(sent.contains("succeeded"), "{sent}");
    assert!(contains(&export.stdout, "approve"));
    assert!(contains(&shown.stdout, "Succeeded"));
    assert!(
        store.iter().any(|(_, b)| contains(b, &id)),
        "the store holds the job"
    );

    for secret in [TOKEN, SIGNING, api_key.as_str()] {
        assert!(!logs.contains(secret), "a secret in the logs");
        assert!(!sent.contains(secret), "a secret sent to chat");
        assert!(
            !contains(&export.stdout, secret),
            "a secret in the audit export"
        );
        assert!(!contains(&shown.stdout, secret), "a secret in jobs show");
        for (path, bytes) in &store {
            // The config file names the variables, never their values.
            assert!(!contains(bytes, secret), "a secret in {}", path.display());
        }
    }
}

/// A forged request (its refusal is logged), then a create approved to
/// its summary: every place a secret could leak now holds something.
async fn a_flow_with_a_forged_request(bot: &ServeBinary) -> String {
    let forged = reqwest::Client::new()
        .post(format!("{}/slack/commands", bot.url))
        .header("x-slack-request-timestamp", "1")
        .header("x-slack-signature", "v0=00")
        .body("text=help")
        .send()
        .await
        .expect("answered");
    assert_eq!(forged.status(), 401);

    let create = format!("create {}", bot.sandbox.create_args());
    assert_eq!(bot.command("UALICE", &create, "S1").await.0, 200);
    let (_, id) = bot.slack.first_card().await;
    assert_eq!(bot.click("UBOB", &format!("approve:{id}"), "S2").await, 200);
    bot.slack
        .wait_for("the summary", |c| {
            c.iter().any(|c| {
                c.body["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("succeeded. Connect"))
            })
        })
        .await;
    id.to_string()
}
