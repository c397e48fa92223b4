//! Moto's answers as strict AWS gives them: endpoint states held at
//! `pendingAcceptance` (or `rejected`, `failed`) as the provider decides,
//! small pages, Route 53 changes `PENDING` before `INSYNC`, and zones of
//! other owners listed beside the caller's.

use super::*;

impl Strict {
    /// Moto's successful answer as AWS would give it.
    pub(in crate::sandbox::aws_proxy) fn rewrite(
        &mut self,
        action: &str,
        path: &str,
        form: &[(String, String)],
        text: &str,
    ) -> Option<String> {
        match action {
            "DescribeVpcEndpoints" if Self::pages_endpoints(form) => {
                let states = self.endpoint_states(text);
                Some(self.endpoints_page(form, &states))
            }
            "CreateVpcEndpoint" | "DescribeVpcEndpoints" => Some(self.endpoint_states(text)),
            "ChangeResourceRecordSets" | "CreateHostedZone" => Some(self.pending_change(text)),
            "ListHostedZonesByVPC" => Some(self.zones_page(path, text)),
            _ => None,
        }
    }

    /// Endpoints to a provider's service: `pendingAcceptance` until it
    /// accepts, `rejected` if it refuses; any endpoint can be `failed`.
    fn endpoint_states(&mut self, xml: &str) -> String {
        if self.fail_new_endpoints
            && xml.contains("<CreateVpcEndpointResponse")
            && let Some(id) = xml_value(xml, "vpcEndpointId")
        {
            self.failed_endpoints.insert(id.to_owned());
        }
        let provider = self
            .provider
            .as_ref()
            .map(|p| p.lock().unwrap_or_else(|e| e.into_inner()));
        let mut out = String::with_capacity(xml.len());
        let mut rest = xml;
        while let Some(start) = rest.find("<vpcEndpointId>") {
            let (before, item) = rest.split_at(start);
            out.push_str(before);
            let end = item
                .find("</ownerId>")
                .or_else(|| item.find("</vpcEndpoint>"))
                .unwrap_or(item.len());
            let (this, after) = item.split_at(end);
            let id = xml_value(this, "vpcEndpointId").unwrap_or_default();
            let service = xml_value(this, "serviceName").unwrap_or_default();
            let state = if self.failed_endpoints.contains(id) {
                Some("failed")
            } else {
                provider
                    .as_ref()
                    .filter(|p| p.offers(service))
                    .and_then(|p| match p.acceptance(id) {
                        Acceptance::Accepted => None,
                        Acceptance::Pending => Some("pendingAcceptance"),
                        Acceptance::Rejected => Some("rejected"),
                    })
            };
            match state {
                Some(s) => out.push_str(
                    &this.replace("<state>available</state>", &format!("<state>{s}</state>")),
                ),
                None => out.push_str(this),
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }

    /// One page of a filtered `DescribeVpcEndpoints`, `nextToken` when more.
    fn endpoints_page(&mut self, form: &[(String, String)], xml: &str) -> String {
        const START: &str = "<item><vpcEndpointId>";
        let Some((head, rest)) = xml.split_once("<vpcEndpointSet>") else {
            return xml.to_owned();
        };
        let Some((set, tail)) = rest.split_once("</vpcEndpointSet>") else {
            return xml.to_owned();
        };
        let items: Vec<String> = set
            .split(START)
            .filter(|i| !i.is_empty())
            .map(|i| format!("{START}{i}"))
            .collect();
        let field = |name: &str| form_value(form, name);
        let (page, _, next) = self.page(
            &items,
            field("MaxResults"),
            field("NextToken"),
            self.endpoints_page_size,
        );
        let next = next
            .map(|t| format!("<nextToken>{t}</nextToken>"))
            .unwrap_or_default();
        format!("{head}<vpcEndpointSet>{page}</vpcEndpointSet>{next}{tail}")
    }

    /// The page of `items` a caller asked for (its own maximum, capped at
    /// `cap`; from the proxy's `page-N` token): the items joined, the size
    /// used, and the token of the next page if there is one.
    fn page(
        &mut self,
        items: &[String],
        asked: Option<&str>,
        token: Option<&str>,
        cap: usize,
    ) -> (String, usize, Option<String>) {
        let size = asked
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(usize::MAX)
            .min(cap.max(1));
        let from = token
            .and_then(|v| v.strip_prefix("page-"))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        if from > 0 {
            self.later_pages += 1;
        }
        let page: String = items.iter().skip(from).take(size).cloned().collect();
        let end = from.saturating_add(size);
        let next = (end < items.len()).then(|| format!("page-{end}"));
        (page, size, next)
    }

    /// A change is `PENDING` when submitted; `GetChange` tells when in sync.
    fn pending_change(&mut self, xml: &str) -> String {
        let Some((head, tail)) = xml.split_once("<ChangeInfo>") else {
            return xml.to_owned();
        };
        if let Some(id) = xml_value(tail, "Id") {
            self.changes
                .insert(last_segment(id).to_owned(), Instant::now());
        }
        format!(
            "{head}<ChangeInfo>{}",
            tail.replacen("<Status>INSYNC</Status>", "<Status>PENDING</Status>", 1)
        )
    }

    /// One page of the VPC's zones, with the foreign ones among them.
    fn zones_page(&mut self, path: &str, xml: &str) -> String {
        const OPEN: &str = "<HostedZoneSummary>";
        const CLOSE: &str = "</HostedZoneSummary>";
        let mut summaries: Vec<String> = Vec::new();
        let mut rest = xml;
        while let Some((_, after)) = rest.split_once(OPEN) {
            let Some((body, after)) = after.split_once(CLOSE) else {
                break;
            };
            summaries.push(format!("{OPEN}{body}{CLOSE}"));
            rest = after;
        }
        for z in &self.foreign_zones {
            let owner = match &z.owner {
                ZoneOwner::Account(a) => format!("<OwningAccount>{a}</OwningAccount>"),
                ZoneOwner::Service(s) => format!("<OwningService>{s}</OwningService>"),
            };
            summaries.push(format!(
                "{OPEN}<HostedZoneId>{}</HostedZoneId><Name>{}</Name><Owner>{owner}</Owner>{CLOSE}",
                z.id, z.name
            ));
        }
        let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let param = |name: &str| {
            query.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                k.eq_ignore_ascii_case(name).then_some(v)
            })
        };
        let (page, size, next) = self.page(
            &summaries,
            param("maxitems"),
            param("nexttoken"),
            self.zones_page_size,
        );
        let next = next
            .map(|t| format!("<NextToken>{t}</NextToken>"))
            .unwrap_or_default();
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ListHostedZonesByVPCResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><HostedZoneSummaries>{page}</HostedZoneSummaries><MaxItems>{size}</MaxItems>{next}</ListHostedZonesByVPCResponse>"
        )
    }
}
