//! The note that carries a job's Terraform: what the file is, what to do
//! with it, and the button that hands the link over once it is merged.

use super::button;
use super::notes::note;
use crate::domain::job::{Job, JobState};
use crate::ports::chat::{Action, Attachment, Note, Tone};
use crate::t;

/// The export of `job` as a note in its thread, `file` attached; the
/// "Hand over to Terraform" button while the bot still manages it.
pub fn exported(job: &Job, file: Attachment) -> Note {
    let locale = job.locale();
    let text = t!(
        locale,
        "note-exported",
        job = job.id(),
        file = file.name.as_str()
    );
    let buttons = match job.state() {
        JobState::Succeeded => vec![button(job.id(), Action::HandOver, locale)],
        _ => Vec::new(),
    };
    Note {
        buttons,
        file: Some(file),
        ..note(job.id(), Tone::Neutral, text)
    }
}
