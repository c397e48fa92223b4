//! The console's chat sink: cards and thread messages printed as text. A
//! terminal cannot edit what it printed, so the progress checklist is shown
//! a line per step by default (for scripts) or, quiet, as a thread reader
//! sees it.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::domain::ids::{ChannelId, ChannelName, JobId, Platform, UserRef};
use crate::domain::job::{Conversation, MessageRef};
use crate::i18n::Locale;
use crate::ports::chat::{Button, ButtonStyle, Card, ChatError, ChatSink, Living, Note, Tone};
use crate::ports::error::ErrorKind;
use crate::t;

/// Where the console writes; shared by the input loop and the sink.
pub type SharedOut = Arc<Mutex<Box<dyn Write + Send>>>;

pub fn stdout() -> SharedOut {
    Arc::new(Mutex::new(Box::new(std::io::stdout())))
}

pub(super) fn write(out: &SharedOut, text: &str) {
    if let Ok(mut w) = out.lock() {
        let _ = writeln!(w, "{text}");
        let _ = w.flush();
    }
}

fn icon(tone: Tone) -> &'static str {
    match tone {
        Tone::Waiting => "⏳",
        Tone::Working => "⚙",
        Tone::Success => "✅",
        Tone::Failure => "❌",
        Tone::Neutral => "•",
    }
}

fn render_buttons(buttons: &[Button]) -> String {
    buttons
        .iter()
        .map(|b| {
            let style = match b.style {
                ButtonStyle::Primary => "*",
                ButtonStyle::Danger => "!",
                ButtonStyle::Plain => "",
            };
            format!("[{style}{}: `{} {}`]", b.label, b.action.as_str(), b.job)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A card as text.
pub fn render_card(card: &Card) -> String {
    let mut s = format!("{} {}\n  {}\n", icon(card.tone), card.title, card.status);
    for (k, v) in &card.fields {
        s.push_str(&format!("  {k}: {v}\n"));
    }
    if !card.actions.is_empty() {
        s.push_str(&format!("  {}\n", card.plan_heading));
        for a in &card.actions {
            s.push_str(&format!("   - {a}\n"));
        }
    }
    for w in &card.warnings {
        s.push_str(&format!("  ⚠ {w}\n"));
    }
    if !card.buttons.is_empty() {
        s.push_str(&format!("  {}\n", render_buttons(&card.buttons)));
    }
    s.trim_end().to_owned()
}

/// Prints cards and thread messages. A card's reference is its job's
/// (`card-PL-1000`), so it means the same card after a restart.
///
/// A terminal cannot edit what it printed, so the progress checklist is
/// shown one of two ways. By default, for scripts, each step's line is
/// printed as it starts and as it finishes (`▶ step 3/8 …`, `✔ step 3/8
/// …: result`). Quiet (`console --quiet`) prints what a thread reader sees:
/// the checklist once as posted, then in its latest form just before the
/// job's next new message (the summary, a failure, a warning).
pub struct ConsoleSink {
    out: SharedOut,
    /// The language of the console's own words around cards and notes.
    locale: Locale,
    quiet: bool,
    /// Per job: the checklist's lines as last shown, and its latest text
    /// with whether that was printed (quiet).
    checklists: Mutex<HashMap<JobId, Checklist>>,
    /// Where a note's file (a Terraform export) is written.
    files: std::path::PathBuf,
}

/// A job's checklist as last posted or edited, and whether that version
/// was printed (quiet).
struct Checklist {
    latest: Note,
    printed: bool,
}

impl ConsoleSink {
    pub fn new(out: SharedOut, locale: Locale) -> Self {
        Self {
            out,
            locale,
            quiet: false,
            checklists: Mutex::default(),
            files: std::path::PathBuf::from("privatelink-exports"),
        }
    }

    /// Prints what a thread reader sees rather than every step line.
    pub fn quiet(self, quiet: bool) -> Self {
        Self { quiet, ..self }
    }

    /// Writes the files notes carry into `dir` (made when needed).
    pub fn files_in(self, dir: std::path::PathBuf) -> Self {
        Self { files: dir, ..self }
    }

    /// Writes a note's file; the line that says where, or why not.
    fn write_file(&self, file: &crate::ports::chat::Attachment) -> String {
        // Only the file's own name, never a path it might carry.
        let name = std::path::Path::new(&file.name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export.tf".to_owned());
        let path = self.files.join(name);
        let written = std::fs::create_dir_all(&self.files)
            .and_then(|()| std::fs::write(&path, &file.content));
        match written {
            Ok(()) => t!(
                self.locale,
                "console-file-written",
                path = path.display().to_string()
            ),
            Err(e) => format!("{}: {e}", path.display()),
        }
    }

    fn thread_line(&self, card: &MessageRef, note: &Note, mark: &str) -> String {
        let mut text = note.text.clone();
        if let Some(user) = &note.mention {
            text = format!("@{user} {text}");
        }
        let mut line = format!(
            "│  [{}] {mark}{}",
            t!(
                self.locale,
                "console-thread",
                job = note.job,
                card = card.id
            ),
            text.replace('\n', "\n│    ")
        );
        if let Some(file) = &note.file {
            line.push_str(&format!("\n│    📎 {}", self.write_file(file)));
        }
        if !note.buttons.is_empty() {
            line.push_str(&format!("\n│    {}", render_buttons(&note.buttons)));
        }
        line
    }

    /// Shows a checklist as posted or edited to `note`.
    fn checklist(&self, card: &MessageRef, note: &Note, posted: bool) {
        let Ok(mut all) = self.checklists.lock() else {
            return;
        };
        let before = all.insert(
            note.job,
            Checklist {
                latest: note.clone(),
                printed: posted,
            },
        );
        if self.quiet {
            if posted {
                write(&self.out, &self.thread_line(card, note, ""));
            }
            return;
        }
        let before = before.map(|b| b.latest.text).unwrap_or_default();
        for line in note.text.lines() {
            if line.starts_with(['▶', '✔']) && !before.lines().any(|b| b == line) {
                let step = Note {
                    text: line.to_owned(),
                    ..note.clone()
                };
                write(&self.out, &self.thread_line(card, &step, ""));
            }
        }
    }

    /// Quiet: the job's checklist in its latest form, if that is not what
    /// was printed last, before the job's next message.
    fn catch_up(&self, card: &MessageRef, job: JobId) {
        if !self.quiet {
            return;
        }
        let Ok(mut all) = self.checklists.lock() else {
            return;
        };
        if let Some(list) = all.get_mut(&job).filter(|l| !l.printed) {
            list.printed = true;
            write(&self.out, &self.thread_line(card, &list.latest, "↻ "));
        }
    }
}

#[async_trait]
impl ChatSink for ConsoleSink {
    /// A console channel is its name.
    async fn channel_name(
        &self,
        _platform: Platform,
        channel: &ChannelId,
    ) -> Result<ChannelName, ChatError> {
        ChannelName::parse(channel.as_str())
            .map_err(|e| ChatError::new(ErrorKind::InvalidInput, e.to_string()))
    }

    async fn channels_named(
        &self,
        _platform: Platform,
        name: &ChannelName,
    ) -> Result<Vec<ChannelId>, ChatError> {
        Ok(ChannelId::parse(name.as_str()).into_iter().collect())
    }

    async fn post_card(&self, to: &Conversation, card: &Card) -> Result<MessageRef, ChatError> {
        let id = format!("card-{}", card.job);
        write(
            &self.out,
            &format!(
                "┌─ {}\n{}",
                t!(
                    self.locale,
                    "console-card-posted",
                    card = id,
                    channel = to.channel
                ),
                render_card(card)
            ),
        );
        Ok(MessageRef {
            platform: Platform::Console,
            channel: to.channel.clone(),
            id,
        })
    }

    async fn update_card(&self, at: &MessageRef, card: &Card) -> Result<(), ChatError> {
        let buttons = if card.buttons.is_empty() {
            String::new()
        } else {
            format!(" {}", render_buttons(&card.buttons))
        };
        write(
            &self.out,
            &format!(
                "↻  {} {} {}{buttons}",
                t!(self.locale, "console-card-now", card = at.id),
                icon(card.tone),
                card.status
            ),
        );
        Ok(())
    }

    async fn post_in_thread(
        &self,
        card: &MessageRef,
        note: &Note,
    ) -> Result<MessageRef, ChatError> {
        let id = match note.living {
            Some(Living::Progress) => {
                self.checklist(card, note, true);
                format!("progress-{}", note.job)
            }
            living => {
                self.catch_up(card, note.job);
                write(&self.out, &self.thread_line(card, note, ""));
                match living {
                    Some(Living::Wait(step)) => format!("wait-{}-{}", note.job, step.number()),
                    _ => format!("note-{}", note.job),
                }
            }
        };
        Ok(MessageRef {
            platform: Platform::Console,
            channel: card.channel.clone(),
            id,
        })
    }

    async fn edit_in_thread(
        &self,
        card: &MessageRef,
        _at: &MessageRef,
        note: &Note,
    ) -> Result<(), ChatError> {
        match note.living {
            Some(Living::Progress) => self.checklist(card, note, false),
            _ => {
                self.catch_up(card, note.job);
                let mark = if self.quiet { "↻ " } else { "" };
                write(&self.out, &self.thread_line(card, note, mark));
            }
        }
        Ok(())
    }

    /// The console has one screen: privately is a line marked for `user`.
    async fn tell_privately(
        &self,
        _to: &Conversation,
        user: &UserRef,
        text: &str,
    ) -> Result<(), ChatError> {
        self.tell_directly(user, text).await
    }

    async fn tell_directly(&self, user: &UserRef, text: &str) -> Result<(), ChatError> {
        write(
            &self.out,
            &format!(
                "  ({}) {text}",
                t!(self.locale, "console-only", user = user.id)
            ),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn note(text: &str, living: Option<Living>) -> Note {
        Note {
            job: JobId::new(1000),
            text: text.to_owned(),
            tone: Tone::Working,
            buttons: Vec::new(),
            living,
            mention: None,
            file: None,
        }
    }

    /// A checklist posted, edited twice, then the summary: what prints.
    async fn thread(quiet: bool) -> String {
        let buffer = Buffer::default();
        let out: SharedOut = Arc::new(Mutex::new(Box::new(buffer.clone())));
        let sink = ConsoleSink::new(out, Locale::En).quiet(quiet);
        let card = MessageRef {
            platform: Platform::Console,
            channel: crate::domain::ids::ChannelId::parse("ops").expect("a channel"),
            id: "card-PL-1000".into(),
        };
        let list = |text: &str| note(text, Some(Living::Progress));
        let at = sink
            .post_in_thread(&card, &list("Steps: 0\n◻ step 1/8 a\n◻ step 2/8 b"))
            .await
            .unwrap();
        for text in [
            "Steps: 0\n▶ step 1/8 a\n◻ step 2/8 b",
            "Steps: 1\n✔ step 1/8 a: ok\n▶ step 2/8 b",
        ] {
            sink.edit_in_thread(&card, &at, &list(text)).await.unwrap();
        }
        let mut summary = note("✅ PL-1000 succeeded.", None);
        summary.mention = Some(UserRef::new(Platform::Console, "alice"));
        sink.post_in_thread(&card, &summary).await.unwrap();
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[tokio::test]
    async fn scripts_get_a_line_per_step_and_quiet_prints_the_thread_as_a_reader_sees_it() {
        let lines: Vec<String> = thread(false)
            .await
            .lines()
            .map(|l| l.split("] ").nth(1).unwrap_or(l).to_owned())
            .collect();
        assert_eq!(
            lines,
            [
                "▶ step 1/8 a",
                "✔ step 1/8 a: ok",
                "▶ step 2/8 b",
                "@console:alice ✅ PL-1000 succeeded."
            ]
        );
        let quiet = thread(true).await;
        assert_eq!(quiet.matches("Steps: ").count(), 2, "{quiet}");
        let last_list = quiet.find("↻ Steps: 1").expect("the latest list");
        assert!(last_list < quiet.find("succeeded").unwrap(), "{quiet}");
        assert!(
            !quiet.contains("Steps: 0\n│    ▶"),
            "no edit in between: {quiet}"
        );
    }
}
