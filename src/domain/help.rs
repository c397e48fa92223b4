//! The words of the command grammar for people: each sub-command's usage
//! line and what it does, as `help` prints them and as parse errors quote
//! them. The grammar itself is `command.rs`.

pub const USAGE_CREATE: &str = "/privatelink create project=<proj-…> region=<aws-…> vpc=<vpc-…> subnets=<subnet-…,…> sg=<sg-…,…> clusters=<cluster id,…> [role=<IAM role ARN>]";
pub const USAGE_PLAN: &str = "/privatelink plan project=<proj-…> region=<aws-…> vpc=<vpc-…> subnets=<subnet-…,…> sg=<sg-…,…> clusters=<cluster id,…> [role=<IAM role ARN>]";
pub const USAGE_STATUS: &str = "/privatelink status <job id, e.g. PL-1042>";
pub const USAGE_LIST: &str = "/privatelink list [mine|pending|running|failed|all]";
pub const USAGE_CANCEL: &str = "/privatelink cancel <job id>";
pub const USAGE_RETRY: &str = "/privatelink retry <job id>";
pub const USAGE_ROLLBACK: &str = "/privatelink rollback <job id>";
pub const USAGE_DELETE: &str = "/privatelink delete <job id>";
pub const USAGE_HELP: &str = "/privatelink help [command]";
pub const USAGE_ANY: &str =
    "/privatelink create|plan|status|list|cancel|retry|rollback|delete|help …";

/// The sub-commands, their usage line and what they do, for `help`.
pub const SUBCOMMANDS: &[(&str, &str, &str)] = &[
    (
        "create",
        USAGE_CREATE,
        "Check the request against AWS and Zilliz Cloud, then post an approval card. Once approved, the bot creates the VPC endpoint, registers it with the project, and sets up a Route 53 private hosted zone with an alias record per cluster.",
    ),
    (
        "plan",
        USAGE_PLAN,
        "Run the same checks as create and show the plan. Nothing is stored or created.",
    ),
    (
        "status",
        USAGE_STATUS,
        "Show a job's state, its steps and the resources it created.",
    ),
    ("list", USAGE_LIST, "List jobs (default: mine)."),
    (
        "cancel",
        USAGE_CANCEL,
        "Withdraw a pending request, or stop a running job at its next step.",
    ),
    (
        "retry",
        USAGE_RETRY,
        "Run a failed job again from the step that failed.",
    ),
    (
        "rollback",
        USAGE_ROLLBACK,
        "Remove what a failed or cancelled job created, newest first.",
    ),
    (
        "delete",
        USAGE_DELETE,
        "Tear down a private link that a job set up.",
    ),
    ("help", USAGE_HELP, "Show this help, or one command's."),
];

/// The help text for one command, or for all of them.
pub fn help(topic: Option<&str>) -> String {
    match topic.and_then(|t| SUBCOMMANDS.iter().find(|(name, _, _)| *name == t)) {
        Some((_, usage, what)) => format!("{usage}\n{what}"),
        None => {
            let mut out = String::from(
                "privatelink-bot sets up AWS PrivateLink from your VPC to Zilliz Cloud Dedicated clusters.\n",
            );
            for (_, usage, what) in SUBCOMMANDS {
                out.push_str(&format!("• {usage}\n    {what}\n"));
            }
            out.push_str("Arguments may also be written --key value.");
            out
        }
    }
}
