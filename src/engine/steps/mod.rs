//! The create steps. Each is an "ensure": it looks for what an earlier run
//! (or a crash half-way through one) left behind before it creates anything,
//! because emulators, and AWS under some failures, do not deduplicate for us.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use crate::cards;
use crate::domain::ids::JobId;
use crate::domain::job::{Job, Resources, Step};
use crate::domain::ownership::Resource;
use crate::i18n::Text;
use crate::ports::cloud::{AwsTarget, CloudError};
use crate::text;

use super::{Inner, StepError};

mod acceptance;
mod dns;
mod endpoint;

/// The prefix of every hosted zone CallerReference a job uses; a zone whose
/// reference starts with it was created by that job.
pub(crate) fn caller_reference_prefix(job: JobId) -> String {
    format!("privatelink-bot/{job}/")
}

/// The DNS name to put in the private hosted zone: the host part of the
/// cluster's private link address.
pub(crate) fn host_of(address: &str) -> Result<String, StepError> {
    let with_scheme = if address.contains("://") {
        address.to_owned()
    } else {
        format!("https://{address}")
    };
    url::Url::parse(&with_scheme)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        })
        .filter(|h| h.contains('.'))
        .ok_or_else(|| text!("err-address-without-host", address = format!("{address:?}")).into())
}

/// One poll of a wait: done, or still waiting on what it says.
pub(super) enum Waited<T> {
    Done(T),
    Still(Text),
}

/// One poll of a wait.
pub(super) type Check<'a, T> =
    Pin<Box<dyn Future<Output = Result<Waited<T>, StepError>> + Send + 'a>>;

/// `key` names what the step was doing, in the catalogue.
pub(super) fn err(key: &'static str) -> impl Fn(CloudError) -> StepError {
    move |e| StepError::call(Text::new(key, Vec::new()), e)
}

impl Inner {
    pub(super) async fn aws(&self, job: &Job) -> Result<AwsTarget, StepError> {
        self.parts
            .cloud
            .target(
                &job.request().region.aws_region(),
                job.request().role.as_ref(),
            )
            .await
            .map_err(err("err-reach-aws"))
    }

    /// Runs one step; returns the job's resources after it, and a line for
    /// the thread.
    pub(super) async fn perform(
        &self,
        job: &Job,
        step: Step,
    ) -> Result<(Resources, Text), StepError> {
        let mut res = job.resources().clone();
        let detail = match step {
            Step::ResolveService => self.resolve_service(job, &mut res).await?,
            Step::EnsureEndpoint => self.ensure_endpoint(job, &mut res).await?,
            Step::EnsureRegistration => self.ensure_registration(job, &mut res).await?,
            Step::WaitAccepted => self.wait_accepted(job, &mut res).await?,
            Step::ReadAddresses => self.read_addresses(job, &mut res).await?,
            Step::EnsureZones => self.ensure_zones(job, &mut res).await?,
            Step::UpsertRecords => self.upsert_records(job, &mut res).await?,
            Step::Verify => self.verify(job, &res).await?,
        };
        Ok((res, detail))
    }

    /// Who made a resource a job is about to adopt, in words for the thread.
    pub(super) async fn owner_of(&self, resource: &Resource) -> Result<Text, StepError> {
        let owners = self.parts.store.owners(resource).await.map_err(|e| {
            text!(
                "err-read-owners",
                resource = cards::resource_text(resource),
                error = e
            )
        })?;
        Ok(match owners.made_by {
            Some(job) => text!("owner-shared", job = job),
            None => text!("owner-not-bot"),
        })
    }

    /// Polls `check` with backoff until it yields a value, posting "still
    /// waiting" now and then, bounded by the configured timeout.
    pub(super) async fn wait_for<'a, T>(
        &self,
        job: &Job,
        step: Step,
        what: &Text,
        mut check: impl FnMut() -> Check<'a, T> + Send,
    ) -> Result<T, StepError> {
        let settings = &self.parts.settings;
        let started = Instant::now();
        let mut last_note = Instant::now();
        let mut attempt = 0;
        loop {
            let now = match check().await? {
                Waited::Done(v) => return Ok(v),
                Waited::Still(now) => now,
            };
            if started.elapsed() >= settings.wait_timeout {
                return Err(text!(
                    "err-wait-timed-out",
                    seconds = started.elapsed().as_secs(),
                    what = what.clone(),
                    now = now
                )
                .into());
            }
            if last_note.elapsed() >= settings.progress_every {
                last_note = Instant::now();
                let waiting = text!("wait-what-now", what = what.clone(), now = now);
                self.say(
                    job,
                    cards::still_waiting(job, step, started.elapsed(), &waiting),
                )
                .await;
            }
            let remaining = settings.wait_timeout.saturating_sub(started.elapsed());
            tokio::time::sleep(settings.backoff.delay(attempt).min(remaining)).await;
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_from_private_link_addresses() {
        assert_eq!(
            host_of("https://in01-abc.aws-us-west-2.vectordb.zillizcloud.com:19530").unwrap(),
            "in01-abc.aws-us-west-2.vectordb.zillizcloud.com"
        );
        assert_eq!(
            host_of("in01-abc.privatelink.example.com:19530").unwrap(),
            "in01-abc.privatelink.example.com"
        );
        assert!(host_of("https://:19530").is_err());
    }
}
