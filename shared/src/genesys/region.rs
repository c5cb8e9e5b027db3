//! Where a Genesys org lives: the 17 region domains (PROTOCOL.md §1.1) and the URLs built from
//! a domain, or from a custom base URL so that the emulator (or a test server) can stand in.
//!
//! Every guest-facing host is `<label>.<domain>`: `webmessaging.` for the socket, `api.` for
//! history, `login.` for OAuth, `api-cdn.` for the public deployment config.

use std::fmt;
use std::str::FromStr;

/// A Genesys Cloud region, named by its AWS region id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    name: &'static str,
    domain: &'static str,
}

const REGIONS: [Region; 17] = [
    Region::new("us-east-1", "mypurecloud.com"),
    Region::new("us-east-2", "use2.us-gov-pure.cloud"),
    Region::new("us-west-2", "usw2.pure.cloud"),
    Region::new("ca-central-1", "cac1.pure.cloud"),
    Region::new("sa-east-1", "sae1.pure.cloud"),
    Region::new("mx-central-1", "mxc1.pure.cloud"),
    Region::new("eu-west-1", "mypurecloud.ie"),
    Region::new("eu-west-2", "euw2.pure.cloud"),
    Region::new("eu-central-1", "mypurecloud.de"),
    Region::new("eu-central-2", "euc2.pure.cloud"),
    Region::new("me-central-1", "mec1.pure.cloud"),
    Region::new("ap-south-1", "aps1.pure.cloud"),
    Region::new("ap-southeast-1", "apse1.pure.cloud"),
    Region::new("ap-southeast-2", "mypurecloud.com.au"),
    Region::new("ap-northeast-1", "mypurecloud.jp"),
    Region::new("ap-northeast-2", "apne2.pure.cloud"),
    Region::new("ap-northeast-3", "apne3.pure.cloud"),
];

impl Region {
    const fn new(name: &'static str, domain: &'static str) -> Region {
        Region { name, domain }
    }

    /// All 17 public regions.
    pub fn all() -> &'static [Region] {
        &REGIONS
    }

    /// The AWS region id, e.g. `eu-central-1`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The Genesys domain, e.g. `mypurecloud.de`.
    pub fn domain(&self) -> &'static str {
        self.domain
    }

    /// The region whose domain is `domain`, if it is a public one.
    pub fn from_domain(domain: &str) -> Option<Region> {
        REGIONS.iter().copied().find(|r| r.domain == domain)
    }
}

impl FromStr for Region {
    type Err = EndpointError;

    /// Parses an AWS region id (`eu-central-1`), case-insensitively.
    fn from_str(name: &str) -> Result<Region, EndpointError> {
        let wanted = name.trim().to_ascii_lowercase();
        REGIONS
            .iter()
            .copied()
            .find(|r| r.name == wanted)
            .ok_or_else(|| EndpointError::UnknownRegion(name.to_owned()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Why endpoints could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Not one of the 17 region ids.
    #[error("unknown region '{0}' (expected one of: {list})", list = region_names())]
    UnknownRegion(String),
    /// Not a plausible host name.
    #[error("'{0}' is not a domain name (expected e.g. mypurecloud.de)")]
    InvalidDomain(String),
    /// Not an http(s) URL.
    #[error("'{0}' is not an http:// or https:// base URL")]
    InvalidBaseUrl(String),
}

fn region_names() -> String {
    REGIONS
        .iter()
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The base URLs a guest client and a helper server need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    websocket_base: String,
    api_base: String,
    login_base: String,
    config_base: String,
}

impl Endpoints {
    /// The endpoints of a public region.
    pub fn for_region(region: Region) -> Endpoints {
        Endpoints::from_valid_domain(region.domain())
    }

    /// The endpoints of any Genesys domain (including non-public ones).
    pub fn for_domain(domain: &str) -> Result<Endpoints, EndpointError> {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let plausible = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !plausible {
            return Err(EndpointError::InvalidDomain(domain));
        }
        Ok(Endpoints::from_valid_domain(&domain))
    }

    fn from_valid_domain(domain: &str) -> Endpoints {
        Endpoints {
            websocket_base: format!("wss://webmessaging.{domain}"),
            api_base: format!("https://api.{domain}"),
            login_base: format!("https://login.{domain}"),
            config_base: format!("https://api-cdn.{domain}"),
        }
    }

    /// Every endpoint on one server, e.g. `http://127.0.0.1:8080` for the emulator: the
    /// socket at `ws://…/v1`, history, OAuth and config under the same origin.
    pub fn custom(base_url: &str) -> Result<Endpoints, EndpointError> {
        let base = base_url.trim().trim_end_matches('/');
        let websocket_base = if let Some(rest) = base.strip_prefix("http://") {
            format!("ws://{rest}")
        } else if let Some(rest) = base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else {
            return Err(EndpointError::InvalidBaseUrl(base_url.to_owned()));
        };
        if websocket_base.ends_with("//") {
            return Err(EndpointError::InvalidBaseUrl(base_url.to_owned()));
        }
        Ok(Endpoints {
            websocket_base,
            api_base: base.to_owned(),
            login_base: base.to_owned(),
            config_base: base.to_owned(),
        })
    }

    /// The guest socket URL for `deployment_id`: `wss://webmessaging.<domain>/v1?deploymentId=…`.
    pub fn websocket_url(&self, deployment_id: &str) -> String {
        format!(
            "{}/v1?deploymentId={}",
            self.websocket_base,
            encode_query_value(deployment_id)
        )
    }

    /// The platform API base, e.g. `https://api.mypurecloud.de` (history lives here).
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The OAuth host, e.g. `https://login.mypurecloud.de`.
    pub fn login_base(&self) -> &str {
        &self.login_base
    }

    /// The client-credentials token URL.
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token", self.login_base)
    }

    /// The public deployment configuration (no auth needed).
    pub fn deployment_config_url(&self, deployment_id: &str) -> String {
        format!(
            "{}/webdeployments/v1/deployments/{}/config.json",
            self.config_base,
            encode_query_value(deployment_id)
        )
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters. Deployment ids are UUIDs, so
/// this only matters for hostile or mistyped input.
fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_seventeen_regions_build_webmessaging_urls() {
        assert_eq!(Region::all().len(), 17);
        for region in Region::all() {
            let url = Endpoints::for_region(*region).websocket_url("d");
            assert_eq!(
                url,
                format!("wss://webmessaging.{}/v1?deploymentId=d", region.domain())
            );
        }
    }

    #[test]
    fn region_names_parse_case_insensitively_and_unknown_ones_list_the_choices() {
        let region: Region = "EU-Central-1".parse().unwrap();
        assert_eq!(region.domain(), "mypurecloud.de");
        let error = "eu-mars-1".parse::<Region>().unwrap_err().to_string();
        assert!(
            error.contains("eu-mars-1") && error.contains("ap-northeast-3"),
            "{error}"
        );
    }

    #[test]
    fn domain_endpoints_use_the_documented_host_labels() {
        let endpoints = Endpoints::for_domain("mypurecloud.de").unwrap();
        assert_eq!(endpoints.api_base(), "https://api.mypurecloud.de");
        assert_eq!(
            endpoints.token_url(),
            "https://login.mypurecloud.de/oauth/token"
        );
        assert_eq!(
            endpoints.deployment_config_url("abc"),
            "https://api-cdn.mypurecloud.de/webdeployments/v1/deployments/abc/config.json"
        );
        assert!(Endpoints::for_domain("not a domain").is_err());
        assert!(Endpoints::for_domain("localhost").is_err());
    }

    #[test]
    fn custom_base_puts_every_endpoint_on_one_origin() {
        let endpoints = Endpoints::custom("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            endpoints.websocket_url("d-1"),
            "ws://127.0.0.1:8080/v1?deploymentId=d-1"
        );
        assert_eq!(endpoints.token_url(), "http://127.0.0.1:8080/oauth/token");
        assert_eq!(
            Endpoints::custom("https://x.example")
                .unwrap()
                .websocket_url("d"),
            "wss://x.example/v1?deploymentId=d"
        );
        assert!(Endpoints::custom("ftp://x").is_err());
        assert!(Endpoints::custom("http://").is_err());
    }

    #[test]
    fn deployment_ids_are_percent_encoded_in_urls() {
        let url = Endpoints::for_domain("a.b").unwrap().websocket_url("x&y=z");
        assert!(url.ends_with("deploymentId=x%26y%3Dz"), "{url}");
    }
}
