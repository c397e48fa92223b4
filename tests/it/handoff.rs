//! Handing a link over to Terraform: `export` posts the file in the job's
//! thread with the "Hand over to Terraform" button; once handed over,
//! `delete` and Repair refuse and leave every resource in moto as it was,
//! the drift watch still tells a drift (without a Repair button), and
//! `adopt` takes the link back. The audit log has both.

use aws_sdk_route53::types::ChangeAction;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::ports::chat::Action;

use crate::drift::alias_by_hand;
use crate::harness::Harness;

#[tokio::test]
async fn a_handed_over_link_is_reported_not_touched_until_it_is_taken_back() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    let reply = h.say("alice", &format!("export {id}")).await;
    assert!(reply.text.contains("is in its thread"), "{}", reply.text);
    let told = h.transcript().await;
    let file = h.config.console.exports.join(format!(
        "privatelink-{}.tf",
        id.to_string().to_ascii_lowercase()
    ));
    assert!(
        told.contains(&format!("file written: {}", file.display())),
        "{told}"
    );
    let text = std::fs::read_to_string(&file).expect("the export is written");
    assert!(text.contains("import {"), "{text}");
    assert!(
        told.contains(&format!("[!Hand over to Terraform: `handover {id}`]")),
        "{told}"
    );
    let refused = h.say("carol", &format!("export {id}")).await;
    assert!(
        refused.text.contains("Only the requester"),
        "{}",
        refused.text
    );

    let handed = h.click("bob", Action::HandOver, id).await;
    assert!(
        handed.text.contains("Handed over to Terraform"),
        "{}",
        handed.text
    );
    assert!(matches!(h.state(id), JobState::HandedOver { .. }));
    let calls = h.sandbox.proxy.lock().actions.len();
    let refused = h.say("bob", &format!("delete {id}")).await;
    assert!(
        refused.text.contains("managed by Terraform since"),
        "{}",
        refused.text
    );
    h.app().engine.wait(id).await;
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("untouched");
    let after: Vec<String> = h.sandbox.proxy.lock().actions[calls..].to_vec();
    assert!(after.iter().all(|a| !a.starts_with("Delete")), "{after:?}");

    alias_by_hand(&h, id, ChangeAction::Delete).await;
    h.app().watch.sweep().await;
    assert_eq!(h.app().watch.sweep().await.drifted, 1);
    let drifted = h.transcript().await;
    assert_eq!(drifted.matches("has drifted").count(), 1, "{drifted}");
    assert!(
        drifted.contains("managed by Terraform: `terraform plan`"),
        "{drifted}"
    );
    assert!(!drifted.contains("[*Repair"), "{drifted}");
    let repair = h.click("bob", Action::Repair, id).await;
    assert!(
        repair.text.contains("only a succeeded job's link"),
        "{}",
        repair.text
    );

    let back = h.say("bob", &format!("adopt {id}")).await;
    assert!(
        back.text.contains("Taken back from Terraform"),
        "{}",
        back.text
    );
    assert_eq!(h.state(id), JobState::Succeeded);
    let audit = h.app().store.audit_log(Some(id)).await.expect("audit");
    let words: Vec<&str> = audit.iter().map(|e| e.action.word()).collect();
    assert!(
        words.contains(&"hand_over") && words.contains(&"take_back"),
        "{words:?}"
    );
}

#[tokio::test]
async fn over_slack_the_export_is_a_file_shared_in_the_jobs_thread() {
    use privatelink_bot::domain::job::JobState;
    let bot = crate::slack_bot::SlackBot::start().await;
    let (ts, id) = crate::slack_thread::approved_job(&bot).await;
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;
    assert_eq!(
        bot.command("UALICE", &format!("export {id}"), "T3").await,
        200
    );
    let calls = bot
        .slack
        .recorder()
        .wait_for("the export shared in the thread", |calls| {
            calls.iter().any(|c| {
                c.method == "chat.postMessage"
                    && c.body["thread_ts"] == ts.as_str()
                    && c.body["text"]
                        .as_str()
                        .is_some_and(|t| t.contains("Terraform for"))
            })
        })
        .await;
    let shared: Vec<_> = calls
        .iter()
        .filter(|c| c.method == "files.completeUploadExternal")
        .collect();
    assert_eq!(shared.len(), 1, "one file: {shared:#?}");
    assert_eq!(shared[0].body["thread_ts"], ts.as_str());
    let file = &shared[0].body["shared"][0];
    let name = format!("privatelink-{}.tf", id.to_string().to_ascii_lowercase());
    assert_eq!(file["name"], name.as_str());
    let text = file["content"].as_str().unwrap_or_default();
    assert!(
        text.contains("import {") && text.contains("aws_vpc_endpoint"),
        "{text}"
    );
    let hand_over = calls.iter().any(|c| {
        c.method == "chat.postMessage" && c.body.to_string().contains(&format!("handover:{id}"))
    });
    assert!(hand_over, "the note carries the Hand over button");
}

#[tokio::test]
async fn over_discord_the_export_is_an_attachment_in_the_jobs_thread() {
    use crate::discord_bot::{DiscordBot, OPS_ROLE, click, command};
    use privatelink_bot::domain::job::JobState;
    let bot = DiscordBot::start().await;
    let (card, id) = bot.create("1001", "111").await;
    let approve = click("1003", "333", &[OPS_ROLE], &format!("approve:{id}"), &card);
    assert_eq!(bot.post(&approve).await.status(), 200);
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;
    let export = command("1004", "111", "export", &[("job", &id.to_string())]);
    assert_eq!(bot.post(&export).await.status(), 200);
    let calls = bot
        .discord
        .wait_for("the export in the thread", |calls| {
            calls.iter().any(|c| {
                c.path == format!("/channels/{card}/messages")
                    && c.body["files"].as_array().is_some_and(|f| !f.is_empty())
            })
        })
        .await;
    let posted = calls
        .iter()
        .find(|c| c.body["files"].as_array().is_some_and(|f| !f.is_empty()))
        .expect("the message with the file");
    let file = &posted.body["files"][0];
    let name = format!("privatelink-{}.tf", id.to_string().to_ascii_lowercase());
    assert_eq!(file["filename"], name.as_str());
    let text = file["content"].as_str().unwrap_or_default();
    assert!(text.contains("import {"), "{text}");
    assert!(
        posted.body["content"]
            .as_str()
            .is_some_and(|t| t.contains("Terraform for")),
        "{:?}",
        posted.body
    );
    assert!(posted.body.to_string().contains(&format!("handover:{id}")));
}

#[tokio::test]
async fn a_job_sharing_a_handed_over_endpoint_leaves_it_to_terraform_when_deleted() {
    let h = Harness::start_with(2, |_| {}, None).await;
    let clusters = h.sandbox.clusters.clone();
    let (a, b) = (h.link(&clusters[..1]).await, h.link(&clusters[1..]).await);
    let endpoint = h.job(a).resources().endpoint.clone().expect("endpoint").id;
    h.click("bob", Action::HandOver, a).await;
    let deleting = h.say("bob", &format!("delete {b}")).await;
    assert!(deleting.text.contains("Deleting"), "{}", deleting.text);
    h.app().engine.wait(b).await;
    assert_eq!(h.state(b), JobState::Deleted);
    let told = h.transcript().await;
    assert!(
        told.contains(&format!("managed by Terraform (handed over with {a})")),
        "{told}"
    );
    let end = h.end_state().await;
    assert_eq!(
        end.endpoints.len(),
        1,
        "the endpoint stays: {:?}",
        end.endpoints
    );
    assert_eq!(end.endpoints[0].0, endpoint.to_string());
}
