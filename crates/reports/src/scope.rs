//! Which services a report covers: the ones named, or a jurisdiction's, or all.

use civicpulse_core::Catalog;

/// The service ids a report covers; empty means every catalog service. Unknown ids and a
/// jurisdiction without services are errors that name them.
pub fn services(
    catalog: &Catalog,
    named: &[String],
    jurisdiction: Option<&str>,
) -> Result<Vec<String>, String> {
    if let Some(unknown) = named.iter().find(|id| catalog.service(id).is_none()) {
        return Err(format!("unknown service `{unknown}`"));
    }
    let Some(jurisdiction) = jurisdiction else {
        return Ok(named.to_vec());
    };
    let chosen: Vec<String> = catalog
        .services
        .iter()
        .filter(|s| s.jurisdiction == jurisdiction)
        .filter(|s| named.is_empty() || named.contains(&s.id))
        .map(|s| s.id.clone())
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "no service of jurisdiction `{jurisdiction}`{}",
            if named.is_empty() {
                ""
            } else {
                " among those named"
            }
        ));
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"
        [[calendars]]
        id = "ca"
        [[services]]
        id = "federal"
        name = "F"
        category = "c"
        jurisdiction = "CA"
        channels = ["web"]
        time_zone = "America/Toronto"
        calendar = "ca"
        [[services]]
        id = "ontario"
        name = "O"
        category = "c"
        jurisdiction = "CA-ON"
        channels = ["web"]
        time_zone = "America/Toronto"
        calendar = "ca"
    "#;

    #[test]
    fn a_jurisdiction_selects_its_services_and_mistakes_are_named() {
        let catalog = Catalog::from_toml_str(CATALOG).unwrap();
        assert_eq!(services(&catalog, &[], None).unwrap(), Vec::<String>::new());
        assert_eq!(services(&catalog, &[], Some("CA-ON")).unwrap(), ["ontario"]);
        assert!(services(&catalog, &["nope".into()], None)
            .unwrap_err()
            .contains("`nope`"));
        assert!(services(&catalog, &["federal".into()], Some("CA-ON"))
            .unwrap_err()
            .contains("among those named"));
        assert!(services(&catalog, &[], Some("US"))
            .unwrap_err()
            .contains("`US`"));
    }
}
