# privatelink-bot, English. Every sentence a person reads in chat or on the
# console. Keys and placeables must match locales/zh-CN/bot.ftl (a test
# checks); provider error messages are passed through as they are.

## Plumbing

verbatim = { $text }
list = { $items }
list-separator = { "; " }
# What we were doing, then the provider's own words (never translated).
error-with-cause = { $what }: { $cause }

## Ids and the parser

id-invalid = { $value } is not { $what }: expected { $expected }
id-vpc = a VPC id
id-subnet = a subnet id
id-sg = a security group id
id-vpce = a VPC endpoint id
id-expected-ec2 = { $prefix }- followed by 8 or 17 lowercase hex digits
id-project = a Zilliz Cloud project id
id-expected-project = proj- followed by lowercase letters and digits
id-cluster = a Zilliz Cloud cluster id
id-expected-cluster = an id such as in01-3e5ad8adc38c2f1
id-aws-region = an AWS region
id-expected-aws-region = a region such as us-west-2 or cn-northwest-1
id-zilliz-region = a Zilliz Cloud AWS region id
id-expected-zilliz-region = aws- followed by an AWS region, such as aws-us-west-2
id-account = an AWS account id
id-expected-account = 12 digits, such as 123456789012
id-role = an IAM role ARN
id-expected-role = arn:aws:iam::<12-digit account>:role/<name> (or arn:aws-cn:…)
id-job = a job id
id-expected-job = PL- followed by a number, such as PL-1042
id-user = a user id
id-expected-user = 1 to 64 ASCII letters, digits, '_', '.', '-' or '@'
id-zone = a Route 53 hosted zone id
id-expected-zone = up to 32 capital letters and digits, such as Z1YSHQZHG15GKL
id-channel = a chat channel id
id-expected-channel = 1 to 80 characters, no spaces
id-channel-name = a chat channel name
id-expected-channel-name = # and 1 to 100 characters, no spaces

parse-field-problem = `{ $field }`: { $problem }
parse-usage = Usage: { $usage }
parse-no-command = no command given
parse-no-such-help = there is no command { $topic } to explain
parse-help-one-topic = help takes at most one command name
parse-unknown-command = unknown command { $command }
parse-job-required = a job id is required
parse-one-job = give exactly one job id
parse-bad-filter = { $filter } is not a filter: use mine, pending, running, failed or all
parse-one-filter = give at most one filter
parse-not-an-argument = { $word } is not an argument: write key=value or --key value
parse-unknown-key = unknown key { $key }: expected project, region, vpc, subnets, sg, clusters or role
parse-given-twice = given more than once
parse-required = is required
parse-empty-value = has an empty value
parse-empty-item = has an empty item in { $value }
parse-listed-twice = lists { $item } twice
parse-too-many-items = lists { $count } items; at most { $max }
parse-partition-mismatch = is in the { $role_partition } partition but region { $region } is in the { $region_partition } partition

## Help

help-intro = privatelink-bot sets up AWS PrivateLink from your VPC to Zilliz Cloud Dedicated clusters.
help-flags = Arguments may also be written --key value.
help-create = Check the request against AWS and Zilliz Cloud, then post an approval card. Once approved, the bot creates the VPC endpoint, registers it with the project, and sets up a Route 53 private hosted zone with an alias record per cluster.
help-plan = Run the same checks as create and show the plan. Nothing is stored or created.
help-status = Show a job's state, its steps and the resources it created.
help-list = List jobs (default: mine).
help-cancel = Withdraw a pending request, or stop a running job at its next step.
help-retry = Run a failed job again from the step that failed.
help-rollback = Remove what a failed or cancelled job created, newest first.
help-delete = Tear down a private link that a job set up.
help-help = Show this help, or one command's.

## Steps and states

step = { $number }/8 { $what }
step-resolve-service = resolve the Zilliz endpoint service
step-ensure-endpoint = ensure the VPC endpoint
step-ensure-registration = register the endpoint with the Zilliz project
step-wait-accepted = wait for the endpoint to be accepted
step-read-addresses = read the clusters' private link addresses
step-ensure-zones = ensure the private hosted zones
step-upsert-records = upsert the alias records
step-verify = verify the end state

state-pending-approval = pending approval
state-approved = approved, queued
state-running = running step { $step }
state-succeeded = succeeded
state-failed = failed at step { $step }: { $error }
state-cancelled = cancelled
state-rejected = rejected
state-expired = expired before approval
state-rolling-back = rolling back
state-deleting = deleting
state-rollback-failed = rollback failed: { $error }
state-delete-failed = delete failed: { $error }
state-rolled-back = rolled back
state-deleted = deleted

## Refusals and the policy

refusal-already-decided = { $job } is already { $state }; nothing to do.
refusal-already-decided-by = { $job } is already { $state } by { $by }; nothing to do.
refusal-expired = { $job } expired before anyone decided; request it again.
refusal-not-due = { $job } is not due to expire.
refusal-nothing-to-cancel = { $job } is { $state }; there is nothing to cancel.
refusal-not-retryable = { $job } is { $state }; only failed jobs can be retried.
refusal-teardown-not-retryable = { $job }'s teardown failed; retrying would re-create what it removed. Roll it back or delete it to finish the teardown.
refusal-not-rollbackable = { $job } is { $state }; only failed or cancelled jobs can be rolled back; use delete for a finished link.
refusal-not-deletable = { $job } is { $state }; only succeeded jobs can be deleted; use rollback for a failed one.
refusal-moved = { $job } moved to { $state } meanwhile

denied-not-requester = you are not allowed to request private links; ask a platform admin to add you to the bot's requesters
denied-no-roles = role={ $role } cannot be used: this bot acts with its own AWS credentials only; an admin lists the roles requests may name under [policy] roles
denied-role-not-listed = role={ $role } is not one this bot may assume; the allowed roles are { $allowed }
denied-not-approver = you are not an approver for private links, so you cannot decide { $job }
denied-self-approval = you requested { $job }; someone else must approve it
denied-cancel = only approvers may cancel { $job } now
denied-operate = only approvers may { $what } { $job }
denied-other-conversation = { $job } belongs to another channel; act on it where its card is
verb-retry = retry
verb-rollback = roll back
verb-delete = delete

## Preflight

finding-with-fix = { $finding } Fix: { $fix }
finding-needs-china-plane = { $region } is served by Zilliz Cloud China's control plane, but the bot talks to the global one ({ $url }).
finding-needs-global-plane = { $region } is served by the global Zilliz Cloud control plane, but the bot talks to Zilliz Cloud China's ({ $url }).
fix-control-plane = run a bot whose zilliz.base_url (and API key) belong to the region's control plane
finding-zilliz-services-unreadable = Could not list Zilliz Cloud endpoint services: { $error }.
fix-zilliz-credentials = check the Zilliz Cloud API key and base URL in the bot's config
finding-no-endpoint-service = Zilliz Cloud offers no private endpoint service in { $region }.
fix-pick-region = pick a region where the project's Dedicated clusters run
finding-no-cluster = Cluster { $cluster } does not exist in Zilliz Cloud.
fix-cluster-id = check the cluster id on the cluster's details page
finding-not-dedicated = Cluster { $cluster } is on the { $plan } plan; private links work for Dedicated clusters only.
fix-dedicated = upgrade the cluster to a Dedicated plan, or leave it out
finding-cluster-project = Cluster { $cluster } belongs to project { $actual }, not { $requested }.
fix-cluster-project = request the link for the cluster's own project
finding-cluster-region = Cluster { $cluster } runs in { $actual }, not { $requested }.
fix-cluster-region = request the link in the cluster's region
finding-cluster-not-running = Cluster { $cluster } is { $status }; the link applies to it once it is running again.
finding-cluster-unreadable = Could not read cluster { $cluster } from Zilliz Cloud: { $error }.
finding-aws-unreachable = Could not reach AWS in { $region }: { $error }.
fix-aws-credentials = check the bot's AWS credentials, or the role= ARN and its trust policy
finding-aws-refused = AWS refused a preflight check: { $error }.
fix-iam = check the bot's IAM permissions (config/iam-policy.json)
finding-no-vpc = VPC { $vpc } does not exist in { $region } (account { $account }).
fix-vpc-id = check the VPC id and region, or pass role= for the VPC's account
finding-dns-support-off = VPC { $vpc } has DNS resolution (enableDnsSupport) off; the private hosted zone would not resolve.
fix-dns-support = aws ec2 modify-vpc-attribute --vpc-id { $vpc } --enable-dns-support
finding-dns-hostnames-off = VPC { $vpc } has DNS hostnames (enableDnsHostnames) off.
fix-dns-hostnames = aws ec2 modify-vpc-attribute --vpc-id { $vpc } --enable-dns-hostnames
finding-service-invisible = The endpoint service { $service } is not visible to AWS account { $account }.
fix-service-invisible = ask Zilliz Cloud to allow your account on the endpoint service (see whitelistRequired), then try again
finding-no-subnet = Subnet { $subnet } does not exist.
fix-subnet-ids = check the subnet ids
finding-subnet-vpc = Subnet { $subnet } is in { $actual }, not { $vpc }.
fix-subnet-vpc = pick subnets of { $vpc }
finding-subnet-zone = Subnet { $subnet } is in { $zone }, where the endpoint service is not offered.
fix-subnet-zone = pick subnets in { $zones }
finding-subnets-same-zone = Subnets { $subnets } are all in { $zone }; an interface endpoint takes one subnet per availability zone.
fix-one-subnet-per-zone = keep one subnet per availability zone
finding-no-sg = Security group { $sg } does not exist.
fix-sg-ids = check the security group ids
finding-sg-vpc = Security group { $sg } is in { $actual }, not { $vpc }.
fix-sg-vpc = pick security groups of { $vpc }
finding-ports-closed = None of the security groups ({ $sgs }) lets TCP { $ports } in; clients in the VPC will not reach the clusters.
fix-ports-closed = add inbound rules for TCP { $ports } from your clients' CIDR
finding-dry-run-denied = The bot's AWS identity may not create the endpoint: { $why }
fix-dry-run-denied = grant ec2:CreateVpcEndpoint and ec2:CreateTags (config/iam-policy.json)

## The plan

plan-account-of-bot = of the bot's credentials
plan-allow-account = Allow AWS account { $account } into { $service } (Zilliz Cloud requires it: whitelistRequired; add-only, harmless to repeat)
plan-create-endpoint = Create an interface VPC endpoint in { $vpc } to { $service } (subnets { $subnets }, security groups { $sgs }), private DNS off
plan-register = Register the endpoint with Zilliz Cloud project { $project } in { $region }
plan-zone = Create a Route 53 private hosted zone for { $cluster }'s private link host, associated with { $vpc }, with an alias A record to the endpoint
plan-heading = Plan (nothing was stored or created):
plan-account = AWS account: { $account }
plan-blocking = BLOCKING: { $finding }
plan-warning = warning: { $finding }
plan-clean = Preflight found nothing to fix.

## The card

card-title = Private link { $job }: { $vpc } → Zilliz Cloud { $region }
card-plan = Plan:
card-warnings = Preflight warnings
confirm-title = Are you sure?
confirm-deny = Cancel
button-approve = Approve
button-reject = Reject
button-retry = Retry
button-rollback = Roll back
button-cancel = Cancel
confirm-approve = Approve { $job }? The bot will create AWS resources in the account shown.
confirm-rollback = Remove everything { $job } created?
status-waiting = Waiting for approval (expires { $expires })
status-approved-by = Approved by { $by }, queued
status-running-by = Approved by { $by }, running step { $step }
status-rejected-by = Rejected by { $by }
status-cancelled-by = Cancelled by { $by }
field-requester = Requester
field-project = Project
field-region = Region
field-vpc = VPC
field-subnets = Subnets
field-security-groups = Security groups
field-clusters = Clusters
field-account = AWS account
field-role = Role
field-endpoint = Endpoint
value-unknown = unknown
value-zilliz-service = the Zilliz endpoint service

## The thread

decided-approved = Approved
decided-rejected = Rejected
decided-retrying = Retrying
decided-rolling-back = Rolling back
decided-deleting = Deleting
note-decided = { $what } by { $by }.
progress-heading = Steps of { $job }: { $done } of { $total } done
progress-done = ✔ step { $step }: { $detail }
progress-running = ▶ step { $step }
progress-failed = ✘ step { $step }: { $error }
progress-waiting = ◻ step { $step }
note-still-waiting = … still waiting at step { $step } ({ $elapsed }): { $what }
duration-seconds = { $n } s
duration-minutes = { $n } min
duration-hours = { $h } h { $m } min
note-step-failed = ✘ step { $step } failed: { $error }
    Retry runs the job again from this step; Roll back removes what it created.
note-rollback-failed = ✘ Rollback failed: { $error }
    Roll back (or `/privatelink delete { $job }`) runs the teardown again; what is already gone is skipped.
note-delete-failed = ✘ Delete failed: { $error }
    Roll back (or `/privatelink delete { $job }`) runs the teardown again; what is already gone is skipped.
note-cancelled = Cancelled. Resources created so far are kept; `/privatelink rollback { $job }` removes them.
note-succeeded = ✅ { $job } succeeded. Connect through:
note-resources = Resources:
note-rolled-back-all = Rolled back: everything { $job } created is gone.
note-rolled-back-some = Rolled back: what { $job } held alone is gone; the rest stays.
note-deleted-all = Deleted: everything { $job } created is gone.
note-deleted-some = Deleted: what { $job } held alone is gone; the rest stays.
note-kept = • kept ({ $why }): { $resource }
note-card-overdue = Your request { $job } is stored and waiting for approval, but its card could not be posted in the channel yet ({ $error }). The bot keeps trying; `/privatelink status { $job }` shows the request, and approvers can act on it by id.

resource-endpoint = VPC endpoint { $endpoint }
resource-registration = Zilliz registration of { $endpoint } in { $project }
resource-zone = hosted zone { $zone }
resource-record = alias record { $host } in { $zone }
verdict-removed = removed
verdict-still-used = still used by { $jobs }
verdict-not-bot = not created by the bot
origin-created = created
origin-adopted = adopted
line-endpoint = VPC endpoint { $endpoint } ({ $origin })
line-endpoint-dns = Endpoint DNS name { $name }
line-registration = Zilliz registration in { $project } ({ $origin })
line-cluster = { $cluster }: private link { $address }
line-cluster-zone = , hosted zone { $zone }
line-cluster-record = , alias A { $host } → endpoint

## Step details and step errors

detail-endpoint-service = endpoint service { $service }
detail-endpoint-service-allowed = endpoint service { $service }; allowed AWS account { $account } into it (whitelistRequired)
detail-endpoint-in-place = { $endpoint } already in place ({ $state })
detail-endpoint-found = found { $endpoint } created earlier by this job
detail-endpoint-adopted = adopted existing endpoint { $endpoint } to { $service } ({ $owner })
detail-endpoint-created = created { $endpoint } ({ $state })
detail-already-registered = { $endpoint } already registered with { $project }
detail-registered = registered { $endpoint } with { $project }
detail-registered-despite = registered { $endpoint } with { $project } (Zilliz answered: { $answer })
detail-accepted = { $endpoint } is available and accepted
detail-hosts = private link hosts: { $hosts }
detail-zone-found = found zone { $zone } for { $host }
detail-zone-created = created zone { $zone } for { $host }
detail-with-owner = { $detail } ({ $owner })
detail-record = { $host } → { $target }
detail-verified = { $endpoint } available; { $count } alias record(s) point at it
owner-shared = made by { $job }; shared, removed with its last user
owner-not-bot = not made by the bot; it stays on teardown
wait-accepted = { $endpoint } to be accepted
wait-not-listed = not listed yet
wait-aws-and-zilliz = AWS says { $aws }, Zilliz Cloud says { $zilliz }
wait-no-address = { $cluster } has no private link address yet; Zilliz Cloud says { $zilliz }
wait-address = { $cluster }'s private link address
wait-cluster-status = Zilliz Cloud shows { $cluster } as { $status }
wait-what-now = { $what }; { $now }

err-reach-aws = could not reach AWS
err-address-without-host = Zilliz returned a private link address with no host: { $address }
err-read-owners = could not read who uses { $resource }: { $error }
err-wait-timed-out = timed out after { $seconds }s waiting for { $what } ({ $now })
err-job-unreadable = { $job } could not be read again
err-record-resources = could not record the job's resources: { $error }
err-zilliz-list-services = Zilliz Cloud did not list endpoint services
err-no-endpoint-service = Zilliz Cloud offers no endpoint service in { $region }
err-account-id = could not read the AWS account id
err-zilliz-whitelist = Zilliz Cloud did not allow the AWS account in
err-service-unknown = the endpoint service is not known yet
err-no-endpoint = the job has no VPC endpoint yet
err-describe-endpoint = could not describe the endpoint
err-tagged-endpoints = could not look up tagged endpoints
err-vpc-endpoints = could not look up endpoints in the VPC
err-create-endpoint = could not create the VPC endpoint
err-registration-refused = Zilliz Cloud refused the registration
err-zilliz-list-endpoints = Zilliz Cloud did not list the project's endpoints
err-endpoint-gone = { $endpoint } no longer exists
err-endpoint-state = { $endpoint } is { $state }
err-zilliz-reports = Zilliz Cloud reports { $endpoint } as { $status }
err-zilliz-describe-cluster = Zilliz Cloud did not describe the cluster
err-cluster-gone = cluster { $cluster } no longer exists
err-list-zones = could not list hosted zones
err-several-zones = { $count } private hosted zones named { $host } are associated with { $vpc } ({ $zones }); remove all but one
err-zone-conflict-hidden = could not create the private hosted zone: a zone named { $host } is already associated with { $vpc } in a way this account cannot see (another account's zone, or a shared VPC); disassociate it or link from that account
err-create-zone = could not create the private hosted zone
err-no-dns-name = { $endpoint } has no DNS name to point at
err-no-zone-recorded = no hosted zone recorded for { $cluster }
err-upsert-record = could not upsert the alias record
err-endpoint-not-available = { $endpoint } is { $state }, not available
err-zone-not-associated = zone { $zone } for { $host } is not associated with { $vpc }
err-read-record = could not read the alias record
err-record-wrong = the alias record for { $host } does not point at { $target }
err-delete-record = could not delete the alias record
err-delete-zone = could not delete the hosted zone
err-delete-endpoint = could not delete the VPC endpoint

## Answers to the person who acted

reply-slow-down = You are sending commands faster than the bot takes them from one person; nothing was done. Wait a few seconds and try again.
reply-busy = The bot is busy right now and did not take this in; nothing was changed. Try again in a moment.
reply-store-failed = The bot could not read or write its state; nothing was changed. The error is in the bot's log.
reply-no-such-job = There is no job { $job }.
reply-no-jobs = No jobs.
reply-slot-busy = { $other } is already { $state } for { $vpc } in { $region }; only one job per VPC and region runs at a time. Wait for it, or cancel it first.
reply-nothing-stored = { $why }; nothing was stored.
reply-preflight-refused = Preflight refused the request; nothing was stored:
reply-slot-taken = { $other } took this VPC and region a moment ago; only one job per VPC and region runs at a time.
reply-created = { $job } is waiting for approval; its card is going to the channel. An approver other than you must approve it.
reply-slot-active = { $other } is active on the same VPC and region; wait for it to finish first.
reply-cancelled = { $job } is cancelled.
reply-cancel-running = { $job } will stop after its current step; resources made so far are kept until you roll it back.
reply-rejected = You rejected { $job }.
reply-approved = You approved { $job }; it is running.
reply-acted = { $what } { $job }.
status-requested = Requested by { $by } at { $at }; { $vpc } in { $region } for { $clusters }
status-card-unposted =   (its card not posted yet: chat has not taken it; the bot keeps trying)
status-step-done = step { $step } — done
status-step-done-note = step { $step } — done: { $note }
status-step-started = step { $step } — started
word-pending-approval = pending_approval
word-approved = approved
word-running = running
word-succeeded = succeeded
word-repairing = repairing
word-handed-over = handed_over
word-failed = failed
word-cancelled = cancelled
word-rejected = rejected
word-expired = expired
word-rolling-back = rolling_back
word-deleting = deleting
word-teardown-failed = teardown_failed
word-rolled-back = rolled_back
word-deleted = deleted
list-line = { $job } { $state } { $vpc } { $region } { $clusters } (by { $by })

## The console's own words

console-card-posted = card { $card } in #{ $channel }
console-card-now = card { $card } now:
console-thread = { $job } thread of { $card }
console-only = only { $user }
console-only-you = only you
console-not-utf8 = that line is not valid UTF-8 text; it was ignored
console-expired = expired: { $jobs }

## Chat forms (Slack's create form)

form-title = New private link
form-submit = Check and request
form-close = Cancel
form-failed = Could not open the form ({ $error }). Type the command instead:
    { $usage }
form-project = Zilliz Cloud project id
form-region = Zilliz Cloud region
form-vpc = VPC id
form-subnets = Subnet ids (one per availability zone, comma separated)
form-sg = Security group ids (comma separated)
form-clusters = Dedicated cluster ids (comma separated)
form-role = IAM role ARN to assume (optional)

## Discord's slash command (descriptions, at most 100 characters)

slash-command = AWS PrivateLink to Zilliz Cloud, with approval
slash-create = Request a private link (needs approval)
slash-plan = Check a request and show the plan; nothing is created
slash-status = Show a job
slash-cancel = Cancel a job
slash-retry = Retry a failed job
slash-rollback = Roll back a failed job
slash-delete = Delete a private link
slash-help = How to use the bot
slash-option-job = Job id, such as PL-1042
slash-option-filter = Which jobs
slash-option-command = A command

## The real services at their worst
finding-service-not-yet-visible = The endpoint service { $service } requires a whitelist and is not visible to AWS account { $account } yet. Step 1 allows the account in and waits for AWS to show the service; the subnets' zones are checked then.
wait-service-visible = AWS to show { $service } to account { $account }
wait-service-invisible = not visible yet (allowing an account in takes a little while to reach AWS)
err-describe-service = AWS did not describe the endpoint service
err-describe-subnets = AWS did not describe the subnets
err-subnets-outside-service = the endpoint service is not offered in the zones of { $subnets }; it is offered in { $zones }: roll back and ask again with subnets in those zones
err-endpoint-rejected = Zilliz Cloud rejected the connection from { $endpoint }. A rejected endpoint cannot be resubmitted: roll back (which deletes it), check the project and region with Zilliz Cloud support, then ask again
err-endpoint-failed = AWS could not create { $endpoint } (state failed; often no free addresses in a subnet). Roll back, check the subnets, then retry
err-zone-foreign = a private hosted zone for { $host } ({ $zone }) owned by { $owner } is already associated with { $vpc }: the bot cannot write into it nor add its own. Ask its owner to add the alias record or to disassociate it, then retry
wait-dns-in-sync = Route 53 change { $change } to reach every DNS server
wait-dns-pending = PENDING
err-read-change = Route 53 did not say how change is propagating
err-zilliz-deregister = Zilliz Cloud did not deregister the endpoint
note-step-warning = ⚠ step { $step }: { $warning }
blocked-not-in-channel = the bot is not in the channel: invite it there (in Slack, /invite @privatelink-bot; in Discord, give its role access to the channel)
blocked-channel-gone = the channel does not exist any more, or the bot cannot see it: make the request again from a channel the bot is in
blocked-archived = the channel is archived: unarchive it, or make the request again from another channel
blocked-no-permission = the bot lacks a permission in the channel: give it the permission to post there
blocked-message-gone = the job's card was deleted: a fresh card is posted
note-delivery-blocked = The messages of { $job } cannot be posted in { $channel }: { $why }. The job itself goes on; its card and thread appear there by themselves once that is fixed. `/privatelink status { $job }` shows where it stands meanwhile.
status-delivery-blocked = ⚠ Its messages wait: { $why }.

# Drift: a fact of a working link that no longer holds.
drift-endpoint-gone = the VPC endpoint is gone
drift-endpoint-not-available = the VPC endpoint is { $state }, not available
drift-endpoint-renamed = the VPC endpoint's regional DNS name is not the one the records point at
drift-registration-gone = the endpoint is no longer registered with the Zilliz project
drift-registration-failed = the Zilliz registration is { $status }
drift-zone-detached = the private zone for { $host } is no longer associated with the VPC
drift-alias-gone = the alias record { $host } was deleted
drift-alias-repointed = the alias record { $host } now points at { $to }
drift-address-changed = the private link address of { $cluster } changed
status-drifted = ⚠ Drifted: { $what }
status-drifted-more = ⚠ Drifted: { $what } (and { $more } more)
note-drifted = ⚠ { $job } has drifted: what made the link work no longer holds.
note-restored = ✅ { $job } holds again: every fact the watch checks is back in shape.
status-checked-in-shape = Drift watch: in shape at { $at }.
status-checked-drifted = Drift watch: drifted, as of { $at }:
status-check-denied = Drift watch could not read { $fact }: { $why }
help-verify = Check a succeeded job's link now, as the drift watch does: the endpoint, the Zilliz registration, the zones, the alias records and the clusters' addresses.
slash-verify = Check a job's link now
reply-verify-in-shape = { $job } is in shape: every fact the watch checks holds.
reply-verify-drifted = { $job } has drifted (told in its thread once the next check sees it too):
reply-verify-not-succeeded = { $job } is { $state }: only a succeeded job's link is checked.
reply-verify-moved = { $job } changed while it was checked; ask again.
reply-verify-read-failed = Could not read { $fact } this time ({ $why }); the watch tries again.
status-check-whitelist-unread = Drift watch: the account's whitelisting is not checked (Zilliz Cloud has no way to read it).
status-drifted-shared = ⚠ Drifted: { $what } (the shared endpoint; told in { $job }'s thread)
drift-ports-closed = the security groups no longer let port { $ports } in (connections will time out)
fact-endpoint = the VPC endpoint
fact-registration = the Zilliz registration
fact-zone = the private hosted zones
fact-alias = the alias records
fact-address = the clusters' addresses
fact-ports = the security groups

# Repair and accept: putting a drifted link back, or leaving it as it is.
state-repairing = repairing, at step { $step }
refusal-not-repairable = { $job } is { $state }: only a succeeded job's link is repaired or accepted.
refusal-nothing-to-repair = { $job } has nothing the bot can put back: what drifted is not the bot's to change (accept it, or fix it by hand).
refusal-nothing-to-accept = { $job } has no drift to accept.
verb-repair = repair
verb-accept = accept the drift of
button-repair = Repair
button-accept = Accept as is
confirm-repair = Repair { $job } as its drift note lists? The bot changes cloud resources.
confirm-accept = Accept { $job } as it is now? The watch will stop telling this drift while it stays so.
decided-repairing = Repairing
decided-accepted = Accepted as is (the watch stops telling this drift)
repair-new-endpoint = create a new VPC endpoint to { $service } in { $vpc } in place of { $old } (new private addresses; an endpoint is billed by the hour)
repair-register-new = register the new endpoint with project { $project } and wait for it to be accepted
repair-register = register { $endpoint } with project { $project } again
repair-read-addresses = read the clusters' private link addresses again: a cluster whose host moved gets a zone for the new host, and the zone the bot made for the old one is deleted
repair-zone = associate zone { $zone } ({ $host }) with { $vpc } again
repair-upsert = UPSERT alias { $host } in { $zone } → { $target }
repair-upsert-new = UPSERT alias { $host } in { $zone } → the new endpoint
repair-verify = verify the link end to end
note-drift-repair = Repair will:{ $changes }
note-drift-repair-approval = It makes a new endpoint: an approver other than { $requester } must click Repair.
note-drift-no-repair = The bot did not make what drifted here, so it cannot put it back: fix it by hand, or accept it as is.
note-repaired = ✅ { $job } is repaired and verified.
note-repair-failed = ❌ The repair of { $job } failed at { $step }: { $error }. The link is as the watch found it; Repair tries again.
note-repair-shared = { $job } shared the endpoint { $other }'s repair replaced: it moves onto the new one and points its aliases at it.
denied-repair-new-endpoint = Repairing { $job } makes a new endpoint, which needs an approval as a create does: an approver other than the requester must click Repair.
note-drift-repair-there = The endpoint is { $other }'s: Repair in { $other }'s thread moves this link onto the new one too.
err-associate-zone = Could not associate zone { $zone } with the VPC again
repair-upsert-all = UPSERT every cluster's alias record → { $target }
refusal-repair-elsewhere = { $job } shares { $other }'s endpoint: Repair in { $other }'s thread makes it again once and moves { $job } onto it.

# Handing a link over to Terraform.
state-handed-over = handed over to Terraform by { $by }
status-handed-over = 🔁 Handed over to Terraform by { $by } on { $at }
refusal-managed-by-terraform = { $job } is managed by Terraform since { $since }: the bot does not change it. Run `terraform destroy` there, or `/privatelink adopt { $job }` to take it back first.
refusal-not-handable = { $job } is { $state }: only a succeeded link is handed over to Terraform.
refusal-not-handed-over = { $job } is { $state }: only a link handed over to Terraform is taken back.
note-drift-terraform = The link is managed by Terraform: `terraform plan` shows the change that puts it back.

# Export to Terraform.
help-export = Post the Terraform for what a job made in its thread: import blocks with the documented ids, resources that reference each other, the Zilliz registration checked. The requester and approvers may ask.
help-adopt = Take a link handed over to Terraform back under the bot's care (approvers).
slash-export = Export a job's link as Terraform
slash-adopt = Take a link back from Terraform
verb-hand-over = hand over to Terraform
verb-adopt = take back from Terraform
button-hand-over = Hand over to Terraform
confirm-hand-over = Hand { $job } over to Terraform? From then on the bot will not delete, roll back or repair it; the drift watch only reports.
decided-handed-over = Handed over to Terraform
decided-taken-back = Taken back from Terraform
note-exported = The Terraform for { $job } is attached ({ $file }): import blocks bring the endpoint, zones and records into your state, and the first `terraform plan` should show no change. Once it is merged and applied, hand the link over so that the bot stops managing it.
reply-exported = The Terraform for { $job } is in its thread ({ $file }).
reply-export-not-succeeded = { $job } is { $state }: only a finished link is exported.
reply-export-no-link = { $job } has no endpoint recorded: nothing to export.
denied-export = Only the requester of { $job } and approvers may export it.
console-file-written = file written: { $path }
verdict-terraform = managed by Terraform (handed over with { $jobs })

# Guardrails per channel and account.
denied-no-rule = No rule of the policy covers a request from { $channel } for AWS account { $account }, region { $region }, project { $project }: nothing was stored. An administrator can add a [[policy.rule]] that does.
denied-name-unread = The rule "{ $rule }" names channels by name, and the bot could not read the name of { $channel }: it cannot tell whether that rule applies, so no later rule stands in for it. Nothing was stored; try again once the platform answers.
policy-name-unread = { $place }: cannot tell. The rule "{ $rule }" names channels by name and this channel's name could not be read, so no later rule is tried.
policy-other-name-unread = the bot does not read the name of another channel for a policy question; ask in that channel
denied-rule-requester = The rule "{ $rule }" that covers this request does not let you ask for it; nothing was stored.
refusal-already-approved = { $by } has already approved { $job }: each approver counts once.
status-waiting-approvals = Waiting for approval: { $have } of { $need } ({ $by }); expires { $expires }
note-approval-counted = Approval { $have } of { $need } by { $by }.
reply-approval-counted = Your approval of { $job } is counted: { $have } of { $need }.
denied-no-rule-here = No rule of the policy covers requests from { $channel }: nothing was stored. An administrator can add a [[policy.rule]] with that channel.
channel-name-unread = (Rules that name channels by name ({ $platform }:#name) could not be tried here: the bot could not read this channel's name: { $why })
note-counted = { $by } asks: { $what } ({ $have } of { $need } approvals; it starts on the last).
help-policy = Which guardrail applies in a channel (this one by default), for an AWS account, region and project: who may ask, who approves, how many approvals each change needs.
slash-policy = Which guardrail applies where
slash-option-channel = Channel, as <platform>:<id> (this one if left out)
slash-option-account = AWS account id
slash-option-policy-region = Zilliz region, such as aws-us-west-2
slash-option-policy-project = Zilliz project id
parse-bad-policy-part = { $part } is neither a channel (<platform>:<id>), an AWS account (12 digits), a Zilliz region (aws-…) nor a project (proj-…)
policy-any = any
policy-where = { $channel }, account { $account }, region { $region }, project { $project }
policy-none = No rule covers { $place }: a request from there is refused. An administrator can add a [[policy.rule]] that does.
policy-rule = Rule "{ $rule }" applies to { $place }. It covers channels { $channels }; accounts { $accounts }; regions { $regions }; projects { $projects }. Requesters: { $requesters }. Approvers: { $approvers }. Approvals needed: create { $create }, delete { $delete }, repair { $repair }.
help-sandbox = The sandbox's world in this channel and the line that links it; reset starts the channel over; scenario <name> makes the next job meet a real-world failure: whitelist-required, slow-acceptance, rejected, throttled, chat-outage, drift. Only where the bot runs with serve --sandbox.
slash-sandbox = Try the bot in this channel's sandbox world
slash-option-sandbox-action = show (default), reset, scenarios or scenario
slash-option-scenario = The failure the next job meets
parse-no-such-scenario = There is no scenario { $scenario }: choose one of { $names }.
parse-bad-sandbox = Write sandbox, sandbox reset, sandbox scenarios or sandbox scenario <name> (one of { $names }).
scenario-whitelist-required = the Zilliz project has not allowed your AWS account in: the job allows it, and Zilliz accepts the connection only after
scenario-slow-acceptance = Zilliz takes its time to accept the connection: the job waits, and says so
scenario-rejected = Zilliz's side rejects the connection: the job stops and says what to do
scenario-throttled = AWS throttles the next calls (RequestLimitExceeded): the job backs off and carries on
scenario-chat-outage = the next messages in this channel fail to post: they arrive late, in order, once chat recovers
scenario-drift = the alias record of this channel's last finished link is deleted now: the drift watch tells it and offers Repair
sandbox-off = Sandbox commands work only where the bot runs with `privatelink-bot serve --sandbox`; this one talks to real clouds.
sandbox-welcome = 🧪 This channel has a sandbox world of its own (nothing in it is real, and it lives as long as the bot runs): VPC { $vpc } in { $region } with subnets { $subnets } and security group { $sg }; Zilliz project { $project } with clusters { $clusters }. To link them, paste:
    { $line }
    Then try `/privatelink sandbox scenario <name>` to make the next job meet a real-world failure (`/privatelink help sandbox` lists them), or `/privatelink sandbox reset` to start over.
sandbox-reset-done = 🧪 This channel starts over in a new world; jobs of the old one stay in `list all`.
sandbox-armed = 🧪 Armed: { $scenario }: { $what }.
sandbox-scenarios = 🧪 Scenarios (`/privatelink sandbox scenario <name>`):
sandbox-drift-done = 🧪 Deleted the alias { $host } of { $job } by hand; the drift watch checks every { $every } and tells it in the job's thread after two checks (or run `/privatelink verify { $job }` now).
sandbox-drift-none = 🧪 There is no finished link in this channel's world yet: create one first, then ask for drift.
sandbox-failed = 🧪 The sandbox could not do that: { $why }
sandbox-mark = 🧪 SANDBOX · nothing here is real
