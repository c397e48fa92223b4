//! Discord components for the core's neutral messages: the card as an embed
//! with buttons (custom ids carry only the action and the job id), notes as
//! plain messages in the card's thread.

use serenity::all::{ButtonStyle as DiscordStyle, Colour};
use serenity::builder::{CreateActionRow, CreateButton, CreateEmbed};

use crate::ports::chat::{Button, ButtonStyle, Card, Note, Tone};

/// Discord's limit on a message's content.
const MAX_CONTENT: usize = 2000;

fn colour(tone: Tone) -> Colour {
    match tone {
        Tone::Waiting => Colour::GOLD,
        Tone::Working => Colour::BLUE,
        Tone::Success => Colour::DARK_GREEN,
        Tone::Failure => Colour::RED,
        Tone::Neutral => Colour::LIGHT_GREY,
    }
}

pub fn custom_id(b: &Button) -> String {
    crate::ports::chat::button_value(b.action, b.job)
}

pub fn buttons(buttons: &[Button]) -> Vec<CreateActionRow> {
    if buttons.is_empty() {
        return Vec::new();
    }
    let row = buttons
        .iter()
        .map(|b| {
            let style = match b.style {
                ButtonStyle::Primary => DiscordStyle::Success,
                ButtonStyle::Danger => DiscordStyle::Danger,
                ButtonStyle::Plain => DiscordStyle::Secondary,
            };
            CreateButton::new(custom_id(b)).label(&b.label).style(style)
        })
        .collect();
    vec![CreateActionRow::Buttons(row)]
}

pub fn embed(card: &Card) -> CreateEmbed {
    let mut e = CreateEmbed::new()
        .title(card.title.chars().take(256).collect::<String>())
        .description(card.status.clone())
        .colour(colour(card.tone));
    for (k, v) in card.fields.iter().take(20) {
        e = e.field(k, v.chars().take(1024).collect::<String>(), true);
    }
    if !card.actions.is_empty() {
        let plan: String = card.actions.iter().map(|a| format!("• {a}\n")).collect();
        e = e.field(
            card.plan_heading.chars().take(256).collect::<String>(),
            plan.chars().take(1024).collect::<String>(),
            false,
        );
    }
    if !card.warnings.is_empty() {
        let w: String = card.warnings.iter().map(|w| format!("⚠ {w}\n")).collect();
        e = e.field(
            card.warnings_heading.chars().take(256).collect::<String>(),
            w.chars().take(1024).collect::<String>(),
            false,
        );
    }
    e
}

pub fn content(note: &Note) -> String {
    let text = &match &note.mention {
        Some(user) => format!("<@{}> {}", user.id, note.text),
        None => note.text.clone(),
    };
    if text.chars().count() <= MAX_CONTENT {
        text.clone()
    } else {
        let mut t: String = text.chars().take(MAX_CONTENT - 1).collect();
        t.push('…');
        t
    }
}
