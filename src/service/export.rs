//! `export <job>`: the Terraform for what a job made, built from its
//! record and the owners table (never a scan), posted as a file in the
//! job's thread with the "Hand over to Terraform" button; the asker is
//! told where it went.

use super::{Reply, Service, store_failed};
use crate::cards;
use crate::domain::ids::JobId;
use crate::domain::job::JobState;
use crate::domain::policy::Actor;
use crate::i18n::Locale;
use crate::ports::chat::{Attachment, Outgoing};
use crate::store::Admission;
use crate::t;
use crate::terraform::{self, NotExportable};

impl Service {
    pub(super) async fn export(&self, actor: &Actor, id: JobId, locale: Locale) -> Reply {
        let job = match self.p.store.get(id).await {
            Ok(Some(job)) => job,
            Ok(None) => return Reply::say(t!(locale, "reply-no-such-job", job = id)),
            Err(e) => return store_failed(e, locale),
        };
        // Resource ids are the requester's and the approvers' to see.
        if actor.user != *job.requester() && !self.p.policy.is_approver_of(actor, &job) {
            return Reply::say(t!(locale, "denied-export", job = id));
        }
        if !matches!(
            job.state(),
            JobState::Succeeded | JobState::HandedOver { .. }
        ) {
            let state = job.state().text();
            return Reply::say(t!(
                locale,
                "reply-export-not-succeeded",
                job = id,
                state = state
            ));
        }
        let makers = match self.p.store.makers(&job).await {
            Ok(m) => m,
            Err(e) => return store_failed(e, locale),
        };
        let export = match terraform::export(&job, &makers) {
            Ok(export) => export,
            Err(NotExportable::NoLink(id)) => {
                return Reply::say(t!(locale, "reply-export-no-link", job = id));
            }
        };
        let file = Attachment {
            name: export.file_name.clone(),
            content: export.text,
        };
        let note = Outgoing::Note(cards::exported(&job, file));
        let now = self.p.clock.now();
        match self
            .p
            .store
            .say(Admission::Intake, id, vec![note], now)
            .await
        {
            Ok(()) => Reply::say(t!(
                locale,
                "reply-exported",
                job = id,
                file = export.file_name.as_str()
            )),
            Err(e) => store_failed(e, locale),
        }
    }
}
