//! What a scoped reader may see of the peers its services are compared with. Benchmarks
//! are computed over every service, so a scoped token reads the same figures as everyone;
//! but a median or a pooled change drawn from only one or two services outside its scope
//! would let it work out another government's figure, so those are withheld.

use std::collections::HashSet;

use civicpulse_core::Catalog;
use civicpulse_reports::records::InterventionRecord;

use crate::auth::Caller;
use crate::wire;

/// A scoped reader sees a peers' figure only when at least this many peers outside its
/// scope stand behind it.
pub const MIN_PEERS_OUTSIDE_SCOPE: usize = 3;

/// Withholds each row's benchmark (and a judgement made against it alone) when between one
/// and [`MIN_PEERS_OUTSIDE_SCOPE`] − 1 peers outside the caller's scope have a figure in the
/// same period, group and dimension. `rows` must hold the peers' rows too: call it before
/// narrowing them to the caller's services. The (service, dimension) of each row withheld.
pub fn withhold_revealing_benchmarks(
    catalog: &Catalog,
    caller: &Caller,
    rows: &mut [wire::Cell],
) -> HashSet<(String, String)> {
    let mut withheld = HashSet::new();
    if !caller.is_scoped() {
        return withheld;
    }
    let measured: HashSet<(String, String, String, String)> = rows
        .iter()
        .filter(|c| c.value.is_some())
        .map(|c| key(c, &c.service_id))
        .collect();
    for row in rows.iter_mut() {
        let Some(service) = catalog.service(&row.service_id) else {
            continue;
        };
        if row.benchmark.is_none() || !caller.sees(&row.service_id) {
            continue;
        }
        let outside = catalog
            .peers(service)
            .filter(|peer| !caller.sees(&peer.id) && measured.contains(&key(row, &peer.id)))
            .count();
        if outside == 0 || outside >= MIN_PEERS_OUTSIDE_SCOPE {
            continue;
        }
        row.benchmark = None;
        withheld.insert((row.service_id.clone(), row.dimension.clone()));
        if row.target.is_none() {
            row.status = wire::Status::NoReference;
            row.status_level = -1;
        }
        append_note(
            &mut row.note,
            &format!(
                "benchmark withheld: fewer than {MIN_PEERS_OUTSIDE_SCOPE} peer services \
                 outside this token's scope"
            ),
        );
    }
    withheld
}

fn key(cell: &wire::Cell, service_id: &str) -> (String, String, String, String) {
    (
        cell.period.clone(),
        service_id.to_string(),
        cell.group.clone(),
        cell.dimension.clone(),
    )
}

/// An intervention's pooled peers as a scoped reader sees them: the peers outside its scope
/// are counted, not named, and their pooled change (and the difference-in-differences
/// built on it) is withheld when fewer than [`MIN_PEERS_OUTSIDE_SCOPE`] of them are pooled.
pub fn narrow_intervention(caller: &Caller, record: &mut InterventionRecord) {
    if !caller.is_scoped() || record.peers.is_empty() {
        return;
    }
    let (inside, outside): (Vec<String>, Vec<String>) = record
        .peers
        .split(',')
        .map(str::to_string)
        .partition(|peer| caller.sees(peer));
    if outside.is_empty() {
        return;
    }
    record.peers = inside.join(",");
    append_note(
        &mut record.note,
        &format!(
            "pooled with {} peer services outside this token's scope, not named",
            outside.len()
        ),
    );
    if outside.len() < MIN_PEERS_OUTSIDE_SCOPE {
        record.peer_change = None;
        record.did = None;
        record.did_ci_low = None;
        record.did_ci_high = None;
        record.did_verdict = "withheld".into();
        // The note may describe the peers' evidence (their counts): it goes too.
        record.note = format!(
            "the peers' change is withheld: fewer than {MIN_PEERS_OUTSIDE_SCOPE} pooled peer \
             services outside this token's scope"
        );
    }
}

fn append_note(note: &mut String, more: &str) {
    if note.is_empty() {
        *note = more.to_string();
    } else {
        note.push_str("; ");
        note.push_str(more);
    }
}
