//! The repair's part of the life cycle: `Succeeded → Repairing →
//! Succeeded`. A repair runs the create steps again from the earliest one
//! whose fact drifted (`drift::repair::plan`); each is an ensure, so a
//! crash resumes it as it resumes a create. A failed repair leaves the
//! link as the watch found it: `Succeeded`, still told drifted, to be
//! repaired again, accepted, or deleted.

use super::lifecycle::{Outcome, Refusal, Transition, count};
use super::{Job, JobState, Resources, Step};
use crate::domain::drift::repair;

impl Job {
    /// Repair, a shared endpoint's repair, or accepting a drift.
    pub(super) fn apply_repair(&mut self, t: Transition) -> Result<Outcome, Refusal> {
        let id = self.id;
        if self.state != JobState::Succeeded {
            return Err(Refusal::NotRepairable {
                job: id,
                state: self.state.clone(),
            });
        }
        match t {
            Transition::Repair { by, .. } => {
                let plan = repair::plan(self).ok_or(Refusal::NothingToRepair(id))?;
                // A shared endpoint is made again once, by the job that
                // tells its drift; this one follows onto the new one.
                if let (true, Some(other)) = (plan.recreates_endpoint, self.health.endpoint_told_by)
                {
                    return Err(Refusal::RepairElsewhere { job: id, other });
                }
                let needed = self.repair_needs(&plan);
                if !count(id, &mut self.guard.repairing, by, needed)? {
                    return Ok(Outcome::Recorded);
                }
                self.start_repair(plan.from);
                Ok(Outcome::Moved)
            }
            // The other job made a new endpoint in this VPC: this one
            // finds it (it adopts it, as a create adopts an endpoint
            // already there) and points its own aliases at it.
            Transition::RepairShared { .. } => {
                self.start_repair(Step::EnsureEndpoint);
                Ok(Outcome::Moved)
            }
            Transition::AcceptDrift { .. } if self.health.is_drifted() => {
                self.health.accept();
                Ok(Outcome::Recorded)
            }
            Transition::AcceptDrift { .. } => Err(Refusal::NothingToAccept(id)),
            _ => Err(Refusal::Moved {
                job: id,
                state: self.state.clone(),
            }),
        }
    }

    /// How many distinct approvals `plan` needs: the rule's for a repair,
    /// or what a create takes when it makes a new endpoint, if more.
    pub fn repair_needs(&self, plan: &repair::Plan) -> u8 {
        let needed = self.guard.needed;
        match plan.recreates_endpoint {
            true => needed.repair.max(needed.create),
            false => needed.repair,
        }
    }

    fn start_repair(&mut self, from: Step) {
        self.state = JobState::Repairing { step: from };
        self.health.replaced = None;
    }

    /// The engine's record of a repair's steps: each finished step moves
    /// to the next, the last back to `Succeeded`; a failed one ends the
    /// repair where the link stands.
    pub(super) fn apply_repair_step(&mut self, t: Transition) -> Result<Outcome, Refusal> {
        let running = match &self.state {
            JobState::Repairing { step } => *step,
            state => {
                return Err(Refusal::Moved {
                    job: self.id,
                    state: state.clone(),
                });
            }
        };
        match t {
            Transition::FinishStep {
                step, resources, ..
            } if step == running => {
                self.note_replaced(&resources);
                self.resources = resources;
                self.state = match step.next() {
                    Some(next) => JobState::Repairing { step: next },
                    None => {
                        self.health.repaired();
                        JobState::Succeeded
                    }
                };
                Ok(Outcome::Moved)
            }
            Transition::FailStep { step, .. } if step == running => {
                self.state = JobState::Succeeded;
                Ok(Outcome::Moved)
            }
            _ => Err(Refusal::Moved {
                job: self.id,
                state: self.state.clone(),
            }),
        }
    }

    /// Remembers the endpoint a repair replaced, for the jobs sharing it.
    fn note_replaced(&mut self, after: &Resources) {
        let before = self.resources.endpoint.as_ref().map(|e| &e.id);
        let now = after.endpoint.as_ref().map(|e| &e.id);
        if let (Some(before), Some(now)) = (before, now)
            && before != now
        {
            self.health.replaced = Some(before.clone());
        }
    }
}

#[cfg(test)]
#[path = "repair_tests.rs"]
mod tests;
