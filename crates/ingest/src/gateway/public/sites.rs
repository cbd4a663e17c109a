//! The sites that may embed the widget, looked up by their public key, with each site's
//! rate limits (per client address and for the whole site).

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use civicpulse_core::config::Site;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

/// Why a site refused a submission before reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    UnknownSite,
    OriginNotAllowed(String),
    OriginRequired,
    ServiceNotAllowed(String),
    /// Too many submissions; try again after this long.
    RateLimited {
        retry_after: Duration,
        per: Limit,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Client,
    Site,
}

struct Limited {
    site: Site,
    per_client: RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>,
    per_site: RateLimiter<NotKeyed, InMemoryState, DefaultClock>,
}

/// Every configured site, by key.
pub struct Sites {
    by_key: HashMap<String, Limited>,
    clock: DefaultClock,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least one"))
}

impl Sites {
    pub fn new(sites: &[Site]) -> Self {
        let by_key = sites
            .iter()
            .map(|site| {
                (
                    site.key.clone(),
                    Limited {
                        site: site.clone(),
                        per_client: RateLimiter::keyed(per_minute(site.per_client_per_minute)),
                        per_site: RateLimiter::direct(per_minute(site.per_site_per_minute)),
                    },
                )
            })
            .collect();
        Sites {
            by_key,
            clock: DefaultClock::default(),
        }
    }

    /// Whether any site's pages may call the endpoint from `origin` (the CORS answer; the
    /// submission itself is checked against its own site).
    pub fn any_allows_origin(&self, origin: &str) -> bool {
        self.by_key
            .values()
            .any(|l| l.site.origins.iter().any(|o| o == origin))
    }

    /// The site named by `key`, once the request's origin, the service and the rate
    /// limits allow this submission. `own_origin` is the gateway's own (its form page);
    /// a browser always sends `Origin` on a POST, so a request without one is no page's.
    pub fn admit(
        &self,
        key: &str,
        origin: Option<&str>,
        own_origin: Option<&str>,
        service_id: &str,
        client: IpAddr,
    ) -> Result<&Site, Refusal> {
        let limited = self.by_key.get(key).ok_or(Refusal::UnknownSite)?;
        let site = &limited.site;
        match origin {
            None => return Err(Refusal::OriginRequired),
            Some(origin) if Some(origin) == own_origin => {}
            Some(origin) if site.origins.iter().any(|o| o == origin) => {}
            Some(origin) => return Err(Refusal::OriginNotAllowed(origin.to_string())),
        }
        if !site.services.iter().any(|s| s == service_id) {
            return Err(Refusal::ServiceNotAllowed(service_id.to_string()));
        }
        let now = self.clock.now();
        if let Err(not_until) = limited.per_client.check_key(&client) {
            return Err(Refusal::RateLimited {
                retry_after: not_until.wait_time_from(now),
                per: Limit::Client,
            });
        }
        if let Err(not_until) = limited.per_site.check() {
            return Err(Refusal::RateLimited {
                retry_after: not_until.wait_time_from(now),
                per: Limit::Site,
            });
        }
        Ok(site)
    }

    /// The site of `key`, for pages that only show the form.
    pub fn get(&self, key: &str) -> Option<&Site> {
        self.by_key.get(key).map(|l| &l.site)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(per_client: u32, per_site: u32) -> Site {
        Site {
            name: "canada".into(),
            key: "pk-canada".into(),
            origins: vec!["https://www.canada.ca".into()],
            services: vec!["passport-in-person".into()],
            per_client_per_minute: per_client,
            per_site_per_minute: per_site,
        }
    }

    const ALICE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const BOB: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    fn admit(
        sites: &Sites,
        origin: Option<&str>,
        service: &str,
        client: IpAddr,
    ) -> Result<(), Refusal> {
        sites
            .admit("pk-canada", origin, Some("http://gateway"), service, client)
            .map(|_| ())
    }

    #[test]
    fn a_known_site_from_its_origin_on_its_service_is_admitted() {
        let sites = Sites::new(&[site(10, 100)]);
        assert_eq!(
            admit(
                &sites,
                Some("https://www.canada.ca"),
                "passport-in-person",
                ALICE
            ),
            Ok(())
        );
        assert_eq!(
            admit(&sites, Some("http://gateway"), "passport-in-person", ALICE),
            Ok(()),
            "the gateway's own form"
        );
    }

    #[test]
    fn wrong_key_origin_or_service_is_refused_by_name() {
        let sites = Sites::new(&[site(10, 100)]);
        assert_eq!(
            sites
                .admit(
                    "guess",
                    Some("https://www.canada.ca"),
                    None,
                    "passport-in-person",
                    ALICE
                )
                .map(|_| ()),
            Err(Refusal::UnknownSite)
        );
        assert_eq!(
            admit(
                &sites,
                Some("https://evil.example"),
                "passport-in-person",
                ALICE
            ),
            Err(Refusal::OriginNotAllowed("https://evil.example".into()))
        );
        assert_eq!(
            admit(&sites, None, "passport-in-person", ALICE),
            Err(Refusal::OriginRequired)
        );
        assert_eq!(
            admit(
                &sites,
                Some("https://www.canada.ca"),
                "old-age-security",
                ALICE
            ),
            Err(Refusal::ServiceNotAllowed("old-age-security".into()))
        );
        assert!(sites.any_allows_origin("https://www.canada.ca"));
        assert!(!sites.any_allows_origin("https://evil.example"));
    }

    #[test]
    fn one_client_is_limited_before_the_site_and_others_go_on() {
        let sites = Sites::new(&[site(2, 3)]);
        let origin = Some("https://www.canada.ca");
        assert!(admit(&sites, origin, "passport-in-person", ALICE).is_ok());
        assert!(admit(&sites, origin, "passport-in-person", ALICE).is_ok());
        match admit(&sites, origin, "passport-in-person", ALICE) {
            Err(Refusal::RateLimited {
                retry_after,
                per: Limit::Client,
            }) => {
                assert!(
                    retry_after > Duration::ZERO && retry_after <= Duration::from_secs(30),
                    "{retry_after:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(
            admit(&sites, origin, "passport-in-person", BOB).is_ok(),
            "another client"
        );
        assert!(matches!(
            admit(&sites, origin, "passport-in-person", BOB),
            Err(Refusal::RateLimited {
                per: Limit::Site,
                ..
            })
        ));
    }
}
