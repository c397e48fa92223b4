//! The fields of a create request: each one's name in the grammar, the
//! aliases people type, and how the forms present it. The parser, the Slack
//! form and Discord's options all read them from here, so a field is added
//! in one place.

/// One field of `create` and `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Project,
    Region,
    Vpc,
    Subnets,
    SecurityGroups,
    Clusters,
    Role,
}

impl Field {
    /// In the order the forms show them.
    pub const ALL: [Field; 7] = [
        Field::Project,
        Field::Region,
        Field::Vpc,
        Field::Subnets,
        Field::SecurityGroups,
        Field::Clusters,
        Field::Role,
    ];

    /// The name in the grammar (`sg=…`), which the parser's problems and
    /// the Slack form's blocks also use.
    pub fn name(self) -> &'static str {
        match self {
            Field::Project => "project",
            Field::Region => "region",
            Field::Vpc => "vpc",
            Field::Subnets => "subnets",
            Field::SecurityGroups => "sg",
            Field::Clusters => "clusters",
            Field::Role => "role",
        }
    }

    /// The name of Discord's option, which must be a word people read in
    /// the command picker.
    pub fn option_name(self) -> &'static str {
        match self {
            Field::SecurityGroups => "security_groups",
            other => other.name(),
        }
    }

    /// The field a typed key means, with the aliases people reach for.
    pub fn from_key(key: &str) -> Option<Field> {
        Some(match key {
            "project" | "project-id" | "project_id" => Field::Project,
            "region" | "region-id" | "region_id" => Field::Region,
            "vpc" | "vpc-id" | "vpc_id" => Field::Vpc,
            "subnets" | "subnet" => Field::Subnets,
            "sg" | "sgs" | "security-groups" | "security_groups" | "security-group" => {
                Field::SecurityGroups
            }
            "clusters" | "cluster" => Field::Clusters,
            "role" | "role-arn" | "role_arn" => Field::Role,
            _ => return None,
        })
    }

    pub fn required(self) -> bool {
        self != Field::Role
    }

    /// The catalogue key of its label on the forms.
    pub fn label(self) -> &'static str {
        match self {
            Field::Project => "form-project",
            Field::Region => "form-region",
            Field::Vpc => "form-vpc",
            Field::Subnets => "form-subnets",
            Field::SecurityGroups => "form-sg",
            Field::Clusters => "form-clusters",
            Field::Role => "form-role",
        }
    }

    /// What a value looks like, for a form's placeholder.
    pub fn example(self) -> &'static str {
        match self {
            Field::Project => "proj-…",
            Field::Region => "aws-us-west-2",
            Field::Vpc => "vpc-…",
            Field::Subnets => "subnet-…,subnet-…",
            Field::SecurityGroups => "sg-…",
            Field::Clusters => "in01-…",
            Field::Role => "arn:aws:iam::123456789012:role/…",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Field;

    #[test]
    fn every_name_and_option_name_reads_back_as_its_field() {
        for field in Field::ALL {
            assert_eq!(Field::from_key(field.name()), Some(field));
            assert_eq!(Field::from_key(field.option_name()), Some(field));
        }
        assert_eq!(Field::from_key("bogus"), None);
    }
}
