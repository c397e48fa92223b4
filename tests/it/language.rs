//! The bot in simplified Chinese: the real binary's console, configured
//! with `[language] default = "zh-CN"`, through a whole flow on moto and
//! the fake Zilliz Cloud. Every sentence (replies, parse errors, refusals,
//! the card, the thread, the status) comes from the zh-CN catalogue, and
//! none of the English one's shows through.

use std::process::Stdio;
use std::time::Duration;

use privatelink_bot::i18n::leaks::shown_text;
use privatelink_bot::sandbox::Sandbox;
use tokio::io::AsyncWriteExt;

use crate::harness::store_path;

#[tokio::test]
async fn a_whole_console_flow_speaks_chinese() {
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("bot.toml");
    let text = format!(
        "{}\n[language]\ndefault = \"zh-CN\"\n",
        sandbox.config_text(&store_path(&dir))
    );
    std::fs::write(&config, text).expect("config written");

    let args = sandbox.create_args();
    let script = format!(
        "/as alice\n\
         create vpc=vpc-1\n\
         create {args}\n\
         approve $last\n\
         /as bob\n\
         approve $last\n\
         /wait $last\n\
         status $last\n\
         list all\n\
         retry $last\n"
    );
    let t = console_output(&sandbox, &config, &script).await;
    for said in CHINESE_SAID {
        assert!(t.contains(said), "missing {said:?} in:\n{t}");
    }
    for english in ENGLISH {
        assert!(!t.contains(english), "English {english:?} in:\n{t}");
    }
}

/// What the flow must say, in Chinese, from every part of the bot.
const CHINESE_SAID: &[&str] = &[
    // the parser, naming fields, with the usage line
    "`vpc`：\"vpc-1\" 不是 VPC ID：应为 vpc- 后跟 8 位或 17 位小写十六进制数字",
    "`subnets`：为必填项",
    "用法：/privatelink create",
    // the reply to the requester, and the refusal of self-approval
    "PL-1000 正在等待审批",
    "你不是私网连接的审批人，不能处理 PL-1000",
    // the card, its fields, its buttons and its updates
    "卡片 card-PL-1000，位于 #",
    "私网连接 PL-1000：",
    "申请人: console:alice",
    "计划：",
    "[*批准: `approve PL-1000`] [!拒绝: `reject PL-1000`]",
    "卡片 card-PL-1000 现在： ⚙ 已由 console:bob 批准",
    "你批准了 PL-1000；它正在运行。",
    // the thread
    "已批准，操作人 console:bob。",
    "▶ 步骤 1/8 解析 Zilliz 终端节点服务",
    "✔ 步骤 8/8 验证最终状态",
    "✅ PL-1000 已成功。通过以下地址连接：",
    "卡片 card-PL-1000 现在： ✅ 已成功",
    // status, list and a refused transition
    "由 console:alice 于",
    "步骤 3/8 将终端节点注册到 Zilliz 项目 — 完成",
    "PL-1000 已成功",
    "（申请人 console:alice）",
    "PL-1000 当前为已成功；只有失败的任务可以重试。",
];

/// English a zh-CN console must not show (and no unrendered placeable).
const ENGLISH: &[&str] = &[
    "Waiting for approval",
    "is not a VPC id",
    "Usage:",
    "Approved by",
    "succeeded",
    "step 1/8",
    "Plan:",
    "only you",
    "Requester",
    "{$",
];

/// The console binary run through `script`: what it printed, once it ended
/// at the end of its input.
async fn console_output(sandbox: &Sandbox, config: &std::path::Path, script: &str) -> String {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
        .args(["--config", &config.display().to_string(), "console"])
        .env("SANDBOX_ZILLIZ_API_KEY", &sandbox.api_key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(script.as_bytes()).await.expect("script");
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the console ends at the end of its input")
        .expect("its output");
    let t = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{t}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t
}

#[tokio::test]
async fn a_chinese_slack_workspace_runs_a_whole_flow_in_chinese() {
    let bot = crate::slack_bot::SlackBot::start_full(
        &["slack:UBOB"],
        |c| {
            if let Some(slack) = c.slack.as_mut() {
                slack
                    .workspace_languages
                    .insert("T0".into(), privatelink_bot::i18n::Locale::ZhCn);
            }
        },
        None,
    )
    .await;
    assert_eq!(bot.command("UALICE", &bot.create_args(), "T1").await, 200);
    assert!(bot.ephemeral("T1").await.contains("正在等待审批"));
    let (card_ts, id) = bot.card().await;
    bot.click("UBOB", &format!("approve:{id}"), "T2", &card_ts)
        .await;
    bot.wait_state(id, |s| {
        *s == privatelink_bot::domain::job::JobState::Succeeded
    })
    .await;
    bot.server().app.delivery.settled().await;
    let (_, status) = bot
        .command_answer("UALICE", &format!("status {id}"), "T3")
        .await;

    let mut shown = status;
    for c in bot.slack.calls() {
        shown.push_str(&shown_text(&c.body));
    }
    for said in [
        "私网连接 PL-1000",
        "*计划*",
        "批准",
        "已批准，操作人 slack:UBOB。",
        "▶ 步骤 1/8 解析 Zilliz 终端节点服务",
        "✔ 步骤 8/8 验证最终状态",
        "✅ PL-1000 已成功。通过以下地址连接：",
        "已成功",
        "步骤 3/8 将终端节点注册到 Zilliz 项目 — 完成",
    ] {
        assert!(shown.contains(said), "missing {said:?} in:\n{shown}");
    }
    let leaked = privatelink_bot::i18n::leaks::english_leaks(&shown);
    assert!(leaked.is_empty(), "English {leaked:?} in:\n{shown}");
}

#[tokio::test]
async fn a_chinese_discord_guild_runs_a_whole_flow_in_chinese() {
    let mut bot = crate::discord::DiscordBot::start().await;
    bot.locale = Some("zh-CN".into());
    let (card_id, id) = bot.create("1", "111").await;
    assert!(bot.ephemeral_reply("1").await.contains("正在等待审批"));
    bot.post(&crate::discord::click(
        "2",
        "222",
        &[],
        &format!("approve:{id}"),
        &card_id,
    ))
    .await;
    bot.wait_state(id, |s| {
        *s == privatelink_bot::domain::job::JobState::Succeeded
    })
    .await;
    bot.server.app.delivery.settled().await;

    // What people see: messages, embeds, buttons and thread names (the
    // command's registration, read by Discord's client, is not among them).
    let mut shown = String::new();
    for c in bot.discord.calls().iter().filter(|c| c.method != "PUT") {
        shown.push_str(&shown_text(&c.body));
    }
    for said in [
        "私网连接 PL-1000",
        "计划：",
        "批准",
        "已批准，操作人 discord:222。",
        "▶ 步骤 1/8 解析 Zilliz 终端节点服务",
        "✅ PL-1000 已成功。通过以下地址连接：",
    ] {
        assert!(shown.contains(said), "missing {said:?} in:\n{shown}");
    }
    let leaked = privatelink_bot::i18n::leaks::english_leaks(&shown);
    assert!(leaked.is_empty(), "English {leaked:?} in:\n{shown}");
}
