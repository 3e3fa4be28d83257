//! A seeded generator of realistic booking problems, for benchmarks, examples and tests.
//!
//! Sites sit on a grid over a square region of England; slots are spread evenly over the sites
//! and the working days of the horizon; patients live anywhere in the region and travel up to a
//! radius chosen so that each has about [`InstanceConfig::candidates_per_referral`] candidate
//! slots (and always at least their nearest site). Clock starts follow a waiting list whose
//! waits are exponentially distributed. The same configuration gives the same problem, byte
//! for byte, on every machine (ChaCha8 seeded from the configuration's seed).

use crate::model::{
    DiagnosticTest, Location, PatientId, Policy, Problem, Referral, ReferralId, ReferralPriority,
    Service, Site, SiteId, SiteKind, Slot, SlotId, SlotStatus, WaitingTimeStandard,
};
use chrono::{Days, NaiveDate, TimeZone, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Shape of a generated instance.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceConfig {
    /// Number of referrals.
    pub referrals: usize,
    /// Number of slots.
    pub slots: usize,
    /// Number of sites (at least 1).
    pub sites: usize,
    /// Appointments per slot (count capacity, at least 1).
    pub slot_capacity: u32,
    /// Target average number of candidate slots per referral.
    pub candidates_per_referral: usize,
    /// When true, slots are 4-hour sessions packing appointments of 30, 60 or 90 minutes
    /// (sizes 1-3 in a capacity of 8 half hours) into
    /// `minutes_capacity` = 240 (a generalised assignment problem, solved by the MIP backend).
    pub sessions: bool,
    /// Horizon in days from the planning date 2026-12-01.
    pub horizon_days: u32,
    /// Mean wait at the planning date, in days (exponentially distributed).
    pub mean_wait_days: f64,
    /// Random seed.
    pub seed: u64,
}

impl InstanceConfig {
    /// A capacity-only instance: `referrals` referrals, `slots` slots of capacity 4 at
    /// `slots / 20` sites, about 30 candidates each, a 6-week horizon.
    pub fn capacity_only(referrals: usize, slots: usize, seed: u64) -> Self {
        Self {
            referrals,
            slots,
            sites: (slots / 20).max(1),
            slot_capacity: 4,
            candidates_per_referral: 30,
            sessions: false,
            horizon_days: 42,
            mean_wait_days: 60.0,
            seed,
        }
    }
}

/// Side of the square region, in kilometres.
const REGION_KM: f64 = 200.0;
/// South-west corner of the region (the English Midlands).
const ORIGIN: (f64, f64) = (51.8, -2.9);

fn to_location(x_km: f64, y_km: f64) -> Location {
    let lat = ORIGIN.0 + y_km / 111.195;
    let lon = ORIGIN.1 + x_km / (111.195 * ORIGIN.0.to_radians().cos());
    Location::new(lat, lon)
}

/// Generates the problem described by `config`.
pub fn generate(config: &InstanceConfig) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let planning_date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
    let horizon_end = planning_date
        .checked_add_days(Days::new(u64::from(config.horizon_days.max(1) - 1)))
        .unwrap_or(planning_date);
    let service = Service::Diagnostic(DiagnosticTest::Mri);

    let n_sites = config.sites.max(1);
    let grid = (n_sites as f64).sqrt().ceil() as usize;
    let spacing = REGION_KM / grid as f64;
    let mut site_xy = Vec::with_capacity(n_sites);
    let sites: Vec<Site> = (0..n_sites)
        .map(|i| {
            let (x, y) = (
                (i % grid) as f64 * spacing + spacing / 2.0,
                (i / grid) as f64 * spacing + spacing / 2.0,
            );
            site_xy.push((x, y));
            Site {
                id: SiteId(format!("SITE{i:04}")),
                name: format!("Site {i}"),
                kind: match i % 5 {
                    0 => SiteKind::CommunityDiagnosticCentre,
                    4 => SiteKind::IndependentSector,
                    _ => SiteKind::NhsTrust,
                },
                location: Some(to_location(x, y)),
                capabilities: Default::default(),
            }
        })
        .collect();

    // Working days of the horizon.
    let days: Vec<NaiveDate> = planning_date
        .iter_days()
        .take_while(|d| *d <= horizon_end)
        .filter(|d| chrono::Datelike::weekday(d).number_from_monday() <= 5)
        .collect();
    let (length, capacity, minutes) = if config.sessions {
        (240, config.slot_capacity.max(1), Some(240))
    } else {
        (30, config.slot_capacity.max(1), None)
    };
    let slots: Vec<Slot> = (0..config.slots)
        .map(|i| {
            let site = i % n_sites;
            let k = i / n_sites;
            let day = days
                .get(k % days.len().max(1))
                .copied()
                .unwrap_or(planning_date);
            let minute = if config.sessions {
                (k / days.len().max(1)) as i64 % 2 * 240
            } else {
                (k / days.len().max(1)) as i64 % 18 * 30
            };
            let start = Utc
                .from_utc_datetime(&day.and_hms_opt(8, 0, 0).unwrap_or_default())
                .fixed_offset()
                + chrono::TimeDelta::minutes(minute);
            Slot {
                id: SlotId(format!("SLOT{i:06}")),
                site: sites[site].id.clone(),
                service: service.clone(),
                start,
                end: start + chrono::TimeDelta::minutes(length),
                capacity,
                minutes_capacity: minutes,
                capabilities: Default::default(),
                status: SlotStatus::Free,
            }
        })
        .collect();

    let density = config.slots as f64 / (REGION_KM * REGION_KM);
    let radius =
        (config.candidates_per_referral as f64 / (std::f64::consts::PI * density.max(1e-9))).sqrt();
    let referrals: Vec<Referral> = (0..config.referrals)
        .map(|i| {
            let (x, y) = (
                rng.random_range(0.0..REGION_KM),
                rng.random_range(0.0..REGION_KM),
            );
            let home = to_location(x, y);
            let nearest = sites
                .iter()
                .filter_map(|s| s.distance_km_from(&home))
                .fold(f64::INFINITY, f64::min);
            let u: f64 = rng.random_range(0.0..1.0);
            let wait = (-config.mean_wait_days * (1.0 - u).ln()).min(700.0) as u64;
            let clock_start = planning_date
                .checked_sub_days(Days::new(wait))
                .unwrap_or(planning_date);
            let p: f64 = rng.random_range(0.0..1.0);
            let priority = if p < 0.05 {
                ReferralPriority::UrgentSuspectedCancer
            } else if p < 0.25 {
                ReferralPriority::Urgent
            } else {
                ReferralPriority::Routine
            };
            let duration = if config.sessions {
                30 * rng.random_range(1..=3)
            } else {
                30
            };
            Referral {
                id: ReferralId(format!("REF{i:07}")),
                patient: PatientId(format!("PAT{i:07}")),
                service: service.clone(),
                clock_start,
                standards: vec![WaitingTimeStandard::Diagnostic6Weeks],
                priority,
                surgical_priority: None,
                duration_minutes: duration,
                earliest_date: None,
                unavailable: vec![],
                home: Some(home),
                max_travel_km: Some((radius.max(nearest + 0.5) * 100.0).round() / 100.0),
                requirements: Default::default(),
                preferred_sites: vec![],
                existing_booking: None,
                accepts_short_notice: false,
                did_not_attend: vec![],
                declined_offers: vec![],
            }
        })
        .collect();

    Problem {
        planning_date,
        horizon_end,
        policy: Policy::default(),
        sites,
        slots,
        referrals,
        pathway_steps: vec![],
    }
}

/// Number of integrated care boards in England (`shared/data/README.md`).
pub const INTEGRATED_CARE_BOARDS: usize = 42;

/// Travel limit of [`england_diagnostics`], in kilometres.
const MAX_TRAVEL_KM: f64 = 150.0;

/// An England-scale diagnostic waiting list: `referrals` referrals spread evenly over
/// [`INTEGRATED_CARE_BOARDS`] boards × the 15 DM01 tests ([`DiagnosticTest::ALL`]), each list a
/// capacity-only instance of [`InstanceConfig::capacity_only`] shape (slots of capacity 4, a
/// quarter as many slots as referrals, about 30 candidates each, 6 weeks) with its own sites.
/// Travel is limited to 150 km (or the nearest site, if farther) and the boards sit on a 7 × 6
/// grid of regions 4° of latitude by 12° of longitude apart (not England's geography: far
/// enough that no patient reaches another board's sites), so every list is an independent
/// component.
/// Ids are prefixed `B07-mri-`; the same `referrals` and `seed` give the same problem.
pub fn england_diagnostics(referrals: usize, seed: u64) -> Problem {
    let lists = INTEGRATED_CARE_BOARDS * DiagnosticTest::ALL.len();
    let mut out: Option<Problem> = None;
    for list in 0..lists {
        let (board, test) = (
            list / DiagnosticTest::ALL.len(),
            DiagnosticTest::ALL[list % DiagnosticTest::ALL.len()],
        );
        let n = referrals / lists + usize::from(list < referrals % lists);
        let config = InstanceConfig::capacity_only(
            n,
            (n / 4).max(1),
            seed.wrapping_mul(1_000).wrapping_add(list as u64),
        );
        let mut part = generate(&config);
        let name = serde_json::to_value(test)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let prefix = format!("B{board:02}-{name}-");
        let shift = |l: &mut Location| {
            *l = Location::new(
                l.latitude + 4.0 * (board / 7) as f64,
                l.longitude + 12.0 * (board % 7) as f64,
            );
        };
        let sites = part.sites.clone();
        for site in &mut part.sites {
            site.id = SiteId(format!("{prefix}{}", site.id));
            if let Some(l) = &mut site.location {
                shift(l);
            }
        }
        for slot in &mut part.slots {
            slot.id = SlotId(format!("{prefix}{}", slot.id));
            slot.site = SiteId(format!("{prefix}{}", slot.site));
            slot.service = Service::Diagnostic(test);
        }
        for r in &mut part.referrals {
            r.id = ReferralId(format!("{prefix}{}", r.id));
            r.patient = PatientId(format!("{prefix}{}", r.patient));
            r.service = Service::Diagnostic(test);
            if let Some(home) = &mut r.home {
                let nearest = sites
                    .iter()
                    .filter_map(|site| site.distance_km_from(home))
                    .fold(f64::INFINITY, f64::min);
                r.max_travel_km = r
                    .max_travel_km
                    .map(|km| km.min(MAX_TRAVEL_KM.max(nearest + 0.5)));
                shift(home);
            }
        }
        match &mut out {
            None => out = Some(part),
            Some(all) => {
                all.sites.append(&mut part.sites);
                all.slots.append(&mut part.slots);
                all.referrals.append(&mut part.referrals);
            }
        }
    }
    out.unwrap_or_else(|| generate(&InstanceConfig::capacity_only(0, 0, seed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_problem() {
        let config = InstanceConfig::capacity_only(200, 60, 7);
        let a = generate(&config).to_json();
        assert_eq!(a, generate(&config).to_json());
        let other = generate(&InstanceConfig { seed: 8, ..config });
        assert_ne!(a, other.to_json());
    }

    #[test]
    fn generated_problem_is_valid_and_sized() {
        let config = InstanceConfig::capacity_only(300, 100, 1);
        let p = generate(&config);
        p.check().unwrap();
        assert_eq!(
            (p.referrals.len(), p.slots.len(), p.sites.len()),
            (300, 100, 5)
        );
        assert!(p.slots.iter().all(|s| s.capacity == 4));
    }

    #[test]
    fn england_lists_are_independent_components() {
        // 1,300 referrals over 630 lists: 40 lists of 3 and 590 of 2.
        let p = england_diagnostics(1_300, 1);
        p.check().unwrap();
        assert_eq!(p.referrals.len(), 1_300);
        assert_eq!(p.referrals[0].id.as_str(), "B00-mri-REF0000000");
        let prepared = crate::prepare(&p).unwrap();
        assert_eq!(prepared.component_count(), 630);
    }
}
