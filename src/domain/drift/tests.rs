//! The drift rules, one row per fact broken by hand, and the two rules
//! that keep chat quiet.

use super::*;
use crate::domain::ids::EndpointId;
use crate::domain::job::{ClusterDns, EndpointRecord, Origin};

const NAME: &str = "vpce-0123456789abcdef0-abcd.vpce-svc-0abc.us-west-2.vpce.amazonaws.com";
const HOST: &str = "in01-abc123-privatelink.aws-us-west-2.vectordb.zillizcloud.com";
const ADDRESS: &str =
    "https://in01-abc123-privatelink.aws-us-west-2.vectordb.zillizcloud.com:19531";

fn zone(id: &str) -> ZoneId {
    ZoneId::parse(id).expect("a zone id")
}

fn cluster() -> ClusterId {
    ClusterId::parse("in01-abc123").expect("a cluster id")
}

/// What a verified job recorded.
fn made() -> Resources {
    Resources {
        endpoint_service: Some("com.amazonaws.vpce.us-west-2.vpce-svc-0abc".into()),
        whitelist_required: false,
        endpoint: Some(EndpointRecord {
            id: EndpointId::parse("vpce-0123456789abcdef0").expect("id"),
            origin: Origin::Created,
            dns_name: Some(NAME.into()),
            hosted_zone_id: Some(zone("Z1YSHQZHG15GKL")),
        }),
        registration: Some(Origin::Created),
        clusters: vec![ClusterDns {
            cluster: cluster(),
            private_link_address: ADDRESS.into(),
            host: HOST.into(),
            zone_id: Some(zone("Z0PRIVATE")),
            zone_origin: Some(Origin::Created),
            record: true,
        }],
    }
}

/// What a sweep reads of a link in shape.
fn in_shape() -> Observed {
    Observed {
        endpoint: Read::Seen(Some(SeenEndpoint {
            state: EndpointState::Available,
            regional: Some((format!("{NAME}."), zone("Z1YSHQZHG15GKL"))),
        })),
        registration: Read::Seen(Some(RegistrationStatus::parse("running"))),
        dns: vec![SeenDns {
            host: HOST.into(),
            zone_associated: Read::Seen(true),
            alias: Read::Seen(Some(SeenAlias {
                dns_name: NAME.to_uppercase(),
                zone: zone("Z1YSHQZHG15GKL"),
            })),
        }],
        addresses: vec![(cluster(), Read::Seen(Some(ADDRESS.into())))],
        ports_closed: Read::Seen(Vec::new()),
    }
}

/// A fact broken by hand: its name, the break, and the drift it is.
type Broken = (&'static str, fn(&mut Observed), Vec<Drift>);

/// One row per fact, as a person would break it.
fn broken_by_hand() -> Vec<Broken> {
    vec![
        ("in shape", |_| {}, vec![]),
        (
            "endpoint deleted",
            |o| o.endpoint = Read::Seen(None),
            vec![Drift::EndpointGone],
        ),
        (
            "endpoint rejected",
            |o| {
                o.endpoint = Read::Seen(Some(SeenEndpoint {
                    state: EndpointState::Rejected,
                    regional: None,
                }))
            },
            vec![Drift::EndpointNotAvailable("rejected".into())],
        ),
        (
            "endpoint deleted, still listed",
            |o| {
                o.endpoint = Read::Seen(Some(SeenEndpoint {
                    state: EndpointState::Deleted,
                    regional: None,
                }))
            },
            vec![Drift::EndpointGone],
        ),
        (
            "endpoint renamed",
            |o| {
                o.endpoint = Read::Seen(Some(SeenEndpoint {
                    state: EndpointState::Available,
                    regional: Some(("vpce-other.example.com".into(), zone("Z1YSHQZHG15GKL"))),
                }))
            },
            vec![Drift::EndpointRenamed],
        ),
        (
            "registration removed",
            |o| o.registration = Read::Seen(None),
            vec![Drift::RegistrationGone],
        ),
        (
            "registration failed",
            |o| o.registration = Read::Seen(Some(RegistrationStatus::parse("failed"))),
            vec![Drift::RegistrationFailed("failed".into())],
        ),
        (
            "zone disassociated",
            |o| o.dns[0].zone_associated = Read::Seen(false),
            vec![Drift::ZoneDetached { host: HOST.into() }],
        ),
        (
            "alias deleted",
            |o| o.dns[0].alias = Read::Seen(None),
            vec![Drift::AliasGone { host: HOST.into() }],
        ),
        (
            "address changed",
            |o| o.addresses[0].1 = Read::Seen(Some("https://elsewhere:19531".into())),
            vec![Drift::AddressChanged {
                cluster: "in01-abc123".into(),
            }],
        ),
        (
            "port closed",
            |o| o.ports_closed = Read::Seen(vec![19531]),
            vec![Drift::PortsClosed {
                ports: "19531".into(),
            }],
        ),
        (
            "address gone",
            |o| o.addresses[0].1 = Read::Seen(None),
            vec![Drift::AddressChanged {
                cluster: "in01-abc123".into(),
            }],
        ),
    ]
}

#[test]
fn each_fact_broken_by_hand_is_named_and_nothing_else() {
    let alias = |to: &str| {
        Read::Seen(Some(SeenAlias {
            dns_name: to.into(),
            zone: zone("Z1YSHQZHG15GKL"),
        }))
    };
    for (name, break_it, expected) in broken_by_hand() {
        let mut observed = in_shape();
        break_it(&mut observed);
        let check = judge(&made(), &observed);
        assert_eq!(check.drifted, expected, "{name}");
        assert!(check.denied.is_empty() && check.failed.is_empty(), "{name}");
    }
    let mut observed = in_shape();
    observed.dns[0].alias = alias("elsewhere.example.com");
    assert_eq!(
        judge(&made(), &observed).drifted,
        vec![Drift::AliasRepointed {
            host: HOST.into(),
            to: "elsewhere.example.com".into()
        }]
    );
}

#[test]
fn a_refused_or_failed_read_is_never_drift() {
    let mut observed = in_shape();
    observed.endpoint = Read::Denied("UnauthorizedOperation".into());
    observed.dns[0].alias = Read::Failed("Throttling".into());
    let check = judge(&made(), &observed);
    assert!(check.drifted.is_empty(), "{check:?}");
    assert_eq!(
        check.denied,
        vec![(Fact::Endpoint, "UnauthorizedOperation".into())]
    );
    assert_eq!(check.failed, vec![(Fact::Alias, "Throttling".into())]);
}

#[test]
fn a_drift_counts_when_two_checks_in_a_row_saw_it() {
    let gone = Drift::AliasGone { host: HOST.into() };
    assert!(confirmed(&[], std::slice::from_ref(&gone)).is_empty());
    assert_eq!(
        confirmed(std::slice::from_ref(&gone), std::slice::from_ref(&gone)),
        vec![gone.clone()]
    );
    assert!(confirmed(std::slice::from_ref(&gone), &[]).is_empty());
}

#[test]
fn the_same_fact_in_other_words_is_one_drift() {
    let deleting = vec![Drift::EndpointNotAvailable("deleting".into())];
    let deleted = vec![Drift::EndpointNotAvailable("deleted".into())];
    assert_eq!(confirmed(&deleting, &deleted), deleted);
    assert_eq!(news(&deleting, &deleted), News::Quiet, "not told again");
    let moved = |to: &str| Drift::AliasRepointed {
        host: HOST.into(),
        to: to.into(),
    };
    assert_eq!(confirmed(&[moved("a")], &[moved("b")]), vec![moved("b")]);
}

#[test]
fn drift_is_told_once_until_it_is_restored_or_changes() {
    let gone = vec![Drift::AliasGone { host: HOST.into() }];
    let worse = vec![Drift::AliasGone { host: HOST.into() }, Drift::EndpointGone];
    assert_eq!(news(&[], &[]), News::Quiet);
    assert_eq!(news(&[], &gone), News::Drifted(gone.clone()));
    assert_eq!(news(&gone, &gone), News::Quiet);
    assert_eq!(news(&gone, &worse), News::Drifted(worse.clone()));
    assert_eq!(news(&worse, &[]), News::Restored);
}

#[test]
fn every_drift_is_said_in_both_languages() {
    use crate::i18n::Locale;
    let all = [
        Drift::EndpointGone,
        Drift::EndpointNotAvailable("rejected".into()),
        Drift::EndpointRenamed,
        Drift::RegistrationGone,
        Drift::RegistrationFailed("failed".into()),
        Drift::ZoneDetached { host: HOST.into() },
        Drift::AliasGone { host: HOST.into() },
        Drift::AliasRepointed {
            host: HOST.into(),
            to: "x".into(),
        },
        Drift::AddressChanged {
            cluster: "in01-abc123".into(),
        },
        Drift::PortsClosed {
            ports: "19531".into(),
        },
    ];
    for fact in [
        Fact::Endpoint,
        Fact::Registration,
        Fact::Zone,
        Fact::Alias,
        Fact::Address,
        Fact::Ports,
    ] {
        for locale in Locale::ALL {
            let said = fact.text().render(locale);
            assert!(!said.starts_with("fact-"), "{fact:?} in {locale:?}: {said}");
        }
    }
    for d in all {
        for locale in Locale::ALL {
            let said = d.text().render(locale);
            assert!(
                !said.is_empty() && !said.contains("{$"),
                "{d:?} in {locale:?}: {said}"
            );
        }
    }
}
