//! The sites that may embed the widget, looked up by their public key, with each site's
//! rate limits (per client address and for the whole site).

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use civicpulse_core::config::Site;
use civicpulse_core::Catalog;
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

/// A site whose feedback could never be accepted: refused at start-up, not by each person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    #[error("gateway.sites `{site}` lists no service: none of its pages could send feedback")]
    NoServices { site: String },
    #[error("gateway.sites `{site}` lists service `{service}`, which is not in the catalog: every response about it would be refused")]
    UnknownService { site: String, service: String },
    #[error("gateway.sites `{0}` and another site share one key")]
    DuplicateKey(String),
    #[error("gateway.public.demo_site `{0}` is no site's key")]
    UnknownDemoSite(String),
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
    /// The configured sites, once each can accept its feedback: it names at least one
    /// service and every service is in the catalog. Since page feedback need not declare
    /// a channel, any catalog service can take it, whatever its channels.
    pub fn new(sites: &[Site], catalog: &Catalog) -> Result<Self, SiteError> {
        let mut by_key = HashMap::new();
        for site in sites {
            if site.services.is_empty() {
                return Err(SiteError::NoServices {
                    site: site.name.clone(),
                });
            }
            if let Some(service) = site.services.iter().find(|s| catalog.service(s).is_none()) {
                return Err(SiteError::UnknownService {
                    site: site.name.clone(),
                    service: service.clone(),
                });
            }
            let limited = Limited {
                site: site.clone(),
                per_client: RateLimiter::keyed(per_minute(site.per_client_per_minute)),
                per_site: RateLimiter::direct(per_minute(site.per_site_per_minute)),
            };
            if by_key.insert(site.key.clone(), limited).is_some() {
                return Err(SiteError::DuplicateKey(site.name.clone()));
            }
        }
        Ok(Sites {
            by_key,
            clock: DefaultClock::default(),
        })
    }

    /// Checks that the demo page's site (`gateway.public.demo_site`, empty for none) is
    /// configured.
    pub fn check_demo(&self, demo_site: &str) -> Result<(), SiteError> {
        if demo_site.is_empty() || self.by_key.contains_key(demo_site) {
            Ok(())
        } else {
            Err(SiteError::UnknownDemoSite(demo_site.to_string()))
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

    fn catalog() -> Catalog {
        Catalog::from_toml_str(include_str!("../../../../../catalog.toml")).unwrap()
    }

    fn sites(sites: &[Site]) -> Sites {
        Sites::new(sites, &catalog()).unwrap()
    }

    #[test]
    fn a_site_whose_services_cannot_take_feedback_is_refused_at_start_up() {
        // A mail-only service takes page feedback: the person need not say how they were
        // served.
        let by_mail = Site {
            services: vec!["passport-by-mail".into()],
            ..site(10, 100)
        };
        assert!(Sites::new(std::slice::from_ref(&by_mail), &catalog()).is_ok());
        let unknown = Site {
            services: vec!["passport-by-mail".into(), "passport-by-pigeon".into()],
            ..site(10, 100)
        };
        let error = Sites::new(&[unknown], &catalog()).err().unwrap();
        assert_eq!(
            error,
            SiteError::UnknownService {
                site: "canada".into(),
                service: "passport-by-pigeon".into()
            }
        );
        assert!(error.to_string().contains("not in the catalog"), "{error}");
        let empty = Site {
            services: vec![],
            ..site(10, 100)
        };
        assert!(matches!(
            Sites::new(&[empty], &catalog()),
            Err(SiteError::NoServices { .. })
        ));
        assert!(matches!(
            Sites::new(&[by_mail.clone(), by_mail.clone()], &catalog()),
            Err(SiteError::DuplicateKey(_))
        ));
        let sites = sites(&[by_mail]);
        assert!(sites.check_demo("").is_ok());
        assert!(sites.check_demo("pk-canada").is_ok());
        assert_eq!(
            sites.check_demo("pk-demo"),
            Err(SiteError::UnknownDemoSite("pk-demo".into()))
        );
    }

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
        let sites = sites(&[site(10, 100)]);
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
        let sites = sites(&[site(10, 100)]);
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
        let sites = sites(&[site(2, 3)]);
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
