//! Block Kit for the core's neutral messages: the approval card and thread
//! notes. Written as Slack's documented JSON and checked by deserializing
//! into slack-morphism's typed blocks.

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use crate::ports::chat::{Button, ButtonStyle, Card, Note, Tone};

fn emoji(tone: Tone) -> &'static str {
    match tone {
        Tone::Waiting => ":hourglass_flowing_sand:",
        Tone::Working => ":gear:",
        Tone::Success => ":white_check_mark:",
        Tone::Failure => ":x:",
        Tone::Neutral => ":white_circle:",
    }
}

/// Escapes text for mrkdwn: `&`, `<` and `>` are control characters there.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A button's value: only the action and the job id.
pub fn button_value(b: &Button) -> String {
    crate::ports::chat::button_value(b.action, b.job)
}

fn button(b: &Button) -> Value {
    let mut v = json!({
        "type": "button",
        "action_id": format!("privatelink_{}", b.action.as_str()),
        "text": { "type": "plain_text", "text": b.label },
        "value": button_value(b),
    });
    match b.style {
        ButtonStyle::Primary => v["style"] = json!("primary"),
        ButtonStyle::Danger => v["style"] = json!("danger"),
        ButtonStyle::Plain => {}
    }
    if let Some(question) = &b.confirm {
        v["confirm"] = json!({
            "title": { "type": "plain_text", "text": b.confirm_title.chars().take(100).collect::<String>() },
            "text": { "type": "mrkdwn", "text": escape(question) },
            "confirm": { "type": "plain_text", "text": b.label },
            "deny": { "type": "plain_text", "text": b.deny_label.chars().take(30).collect::<String>() },
        });
    }
    v
}

fn blocks(values: Vec<Value>) -> Vec<SlackBlock> {
    values
        .into_iter()
        .filter_map(|v| match serde_json::from_value::<SlackBlock>(v.clone()) {
            Ok(b) => Some(b),
            Err(e) => {
                tracing::error!(error = %e, block = %v, "a Block Kit block did not match Slack's model");
                None
            }
        })
        .collect()
}

/// The card as Block Kit, plus the fallback text notifications show.
pub fn card(card: &Card) -> SlackMessageContent {
    let mut out = vec![
        json!({ "type": "header", "text": { "type": "plain_text", "text": card.title.chars().take(150).collect::<String>() } }),
        json!({ "type": "section", "text": { "type": "mrkdwn", "text": format!("{} *{}*", emoji(card.tone), escape(&card.status)) } }),
    ];
    // Slack allows ten fields per section.
    for chunk in card.fields.chunks(10) {
        let fields: Vec<Value> = chunk
            .iter()
            .map(|(k, v)| json!({ "type": "mrkdwn", "text": format!("*{}*\n{}", escape(k), escape(v)) }))
            .collect();
        out.push(json!({ "type": "section", "fields": fields }));
    }
    if !card.actions.is_empty() {
        let plan: Vec<String> = card
            .actions
            .iter()
            .map(|a| format!("• {}", escape(a)))
            .collect();
        out.push(json!({ "type": "section", "text": { "type": "mrkdwn", "text": format!("*{}*\n{}", escape(card.plan_heading.trim_end_matches([':', '：'])), plan.join("\n")) } }));
    }
    if !card.warnings.is_empty() {
        out.push(json!({ "type": "context", "elements": [ { "type": "mrkdwn", "text": format!("*{}*", escape(&card.warnings_heading)) } ] }));
    }
    for w in &card.warnings {
        out.push(json!({ "type": "context", "elements": [ { "type": "mrkdwn", "text": format!(":warning: {}", escape(w)) } ] }));
    }
    if !card.buttons.is_empty() {
        out.push(json!({ "type": "actions", "block_id": format!("privatelink_{}", card.job), "elements": card.buttons.iter().map(button).collect::<Vec<_>>() }));
    }
    SlackMessageContent::new()
        .with_text(format!("{}: {}", card.title, card.status))
        .with_blocks(blocks(out))
}

/// A thread note as Block Kit.
pub fn note(note: &Note) -> SlackMessageContent {
    // A mention is Slack's own markup, so it stays out of the escaping.
    let (text, fallback) = match &note.mention {
        Some(user) => (
            format!("<@{}> {}", user.id, escape(&note.text)),
            format!("<@{}> {}", user.id, note.text),
        ),
        None => (escape(&note.text), note.text.clone()),
    };
    let mut out = vec![json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } })];
    if !note.buttons.is_empty() {
        out.push(json!({ "type": "actions", "elements": note.buttons.iter().map(button).collect::<Vec<_>>() }));
    }
    SlackMessageContent::new()
        .with_text(fallback)
        .with_blocks(blocks(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::JobId;
    use crate::ports::chat::Action;

    #[test]
    fn a_card_renders_every_part_as_typed_blocks() {
        let job = JobId::new(1042);
        let c = Card {
            job,
            revision: 3,
            title: "Private link PL-1042".into(),
            status: "Waiting for approval".into(),
            tone: Tone::Waiting,
            fields: vec![("VPC".into(), "vpc-0123abcd".into())],
            actions: vec!["Create <endpoint> & zone".into()],
            warnings: vec!["ports closed".into()],
            plan_heading: "Plan:".into(),
            warnings_heading: "Preflight warnings".into(),
            buttons: vec![
                Button {
                    action: Action::Approve,
                    job,
                    label: "Approve".into(),
                    style: ButtonStyle::Primary,
                    confirm: Some("Sure?".into()),
                    confirm_title: "Are you sure?".into(),
                    deny_label: "Cancel".into(),
                },
                Button {
                    action: Action::Reject,
                    job,
                    label: "Reject".into(),
                    style: ButtonStyle::Danger,
                    confirm: None,
                    confirm_title: String::new(),
                    deny_label: String::new(),
                },
            ],
        };
        let content = card(&c);
        let blocks = content.blocks.unwrap();
        assert_eq!(
            blocks.len(),
            7,
            "header, status, fields, plan, warnings heading, warning, actions"
        );
        let json = serde_json::to_string(&blocks).unwrap();
        // The headings are the card's, in its language, never the renderer's.
        assert!(json.contains("*Plan*\\n"), "{json}");
        assert!(json.contains("*Preflight warnings*"), "{json}");
        assert!(json.contains("\"value\":\"approve:PL-1042\""), "{json}");
        assert!(json.contains("\"style\":\"danger\""));
        assert!(json.contains("&lt;endpoint&gt; &amp; zone"));
    }
}
