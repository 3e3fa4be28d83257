//! Scenarios built from published NHS figures: a reproducible problem shaped like a real
//! trust's waiting list and capacity.
//!
//! [`build`] turns [`Figures`] (one provider and treatment function: patients waiting per week
//! band, monthly clock starts and stops, sites with coordinates) and a [`ScenarioConfig`] into a
//! [`Problem`]:
//! - one referral per patient waiting, its clock start spread uniformly over the days of its
//!   week band before the planning date (band 0-1: 0 to 7 days; band k: 7k+1 to 7k+7; over 104
//!   weeks: 729 to 899 days);
//! - a share equal to the published "waiting with a decision to admit" waits for an operation
//!   on a theatre list; of the others, [`ScenarioConfig::diagnostic_share`] wait for the
//!   treatment function's diagnostic test at a community diagnostic centre and the rest for an
//!   outpatient clinic;
//! - no new referrals join during the horizon (the published clock starts are kept in
//!   [`Figures`] but not modelled), so the list only shrinks;
//! - capacity over the horizon equal to the published monthly clock stops scaled to the horizon
//!   (non-admitted stops: clinic places; admitted stops: operations), held on the working days
//!   after the minimum notice (earlier slots would be booked already); no capacity figure per
//!   specialty is published for diagnostics, so the diagnostic centres get the clinics'
//!   capacity-to-demand ratio;
//! - patients placed around the sites, with the documented shares of priorities, surgical
//!   classes, requirements and unavailable periods;
//! - priority and surgical class drawn conditional on the wait, as real lists hold them: urgent
//!   suspected cancer referrals only among waits up to
//!   [`ScenarioConfig::urgent_suspected_cancer_max_wait_days`] (and on the cancer FDS and 62-day
//!   standards as well as RTT), urgent ones up to [`ScenarioConfig::urgent_max_wait_days`], P2
//!   and P3 operations up to [`ScenarioConfig::p2_max_wait_days`] and
//!   [`ScenarioConfig::p3_max_wait_days`]. Each class's share of the whole list (or of the
//!   operations) is kept; the clock starts, and so the published week-band counts, are the same
//!   whatever the mix. The limits are this crate's assumptions, not published figures: a trust
//!   seeing its urgent patients near their clinical targets, a few weeks late at most.
//!
//! The same figures, configuration and seed give the same problem, byte for byte.

mod figures;

pub use figures::{Figures, ScenarioError, SiteFigure, WEEK_BANDS};

use crate::model::{
    Capability, DiagnosticTest, Location, PatientId, Policy, Problem, Referral, ReferralId,
    ReferralPriority, Service, Site, SiteId, SiteKind, Slot, SlotId, SlotStatus, SurgicalPriority,
    UnavailablePeriod, WaitingTimeStandard,
};
use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, TimeDelta, TimeZone, Weekday};
use chrono_tz::Europe::London;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Average days in a month (365.25 / 12), to scale monthly flows to a horizon.
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// The parameters of a scenario. Every field has a documented default ([`Default`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScenarioConfig {
    /// Random seed. Default 2026.
    pub seed: u64,
    /// The planning date: the end of the month the figures describe. Default 2026-04-30.
    pub planning_date: NaiveDate,
    /// Horizon in weeks after the planning date. Default 6.
    pub horizon_weeks: u32,
    /// Capacity multiplier on the published monthly clock stops (1.0: the activity of April
    /// 2026). Default 1.0.
    pub capacity_factor: f64,
    /// Share of referrals that are urgent suspected cancer. Default 0.01.
    pub urgent_suspected_cancer_share: f64,
    /// Share of referrals that are urgent. Default 0.12.
    pub urgent_share: f64,
    /// Shares of surgical classes P2, P3 among operations (the rest P4). Default 0.10, 0.30.
    pub surgical_p2_p3_shares: (f64, f64),
    /// Urgent suspected cancer referrals are drawn among those waiting at most this many days
    /// at the planning date, keeping their share of the list. Default 56 (8 weeks: past the
    /// 28-day FDS, before the 62-day standard). An assumption.
    pub urgent_suspected_cancer_max_wait_days: u64,
    /// Urgent referrals are drawn among those waiting at most this many days. Default 91 (13
    /// weeks: "within a few months"). An assumption.
    pub urgent_max_wait_days: u64,
    /// P2 operations are drawn among those waiting at most this many days. Default 42 (P2's
    /// one month plus two weeks). An assumption.
    pub p2_max_wait_days: u64,
    /// P3 operations are drawn among those waiting at most this many days. Default 182 (26
    /// weeks, twice P3's three months: on a backlogged list many P3 patients wait past their
    /// target, and fewer than 30% of operations wait under 4 months). An assumption.
    pub p3_max_wait_days: u64,
    /// Share of non-admitted referrals whose next step is a diagnostic test (the treatment
    /// function's test, [`diagnostic_test_for`]) rather than a clinic; 0 for treatment functions
    /// without one. Only their RTT clock is modelled (the DM01 request date is not published).
    /// Default 0.10.
    pub diagnostic_share: f64,
    /// Patients placed around the sites with this standard deviation in kilometres, north and
    /// east. Default 6.
    pub spread_km: f64,
    /// The farthest a patient will travel, in kilometres. Default 40.
    pub max_travel_km: f64,
    /// Share of patients needing wheelchair access (offered by NHS sites, not the independent
    /// provider). Default 0.05.
    pub wheelchair_share: f64,
    /// Share of patients with one unavailable period of 7 to 14 days inside the horizon.
    /// Default 0.10.
    pub unavailable_share: f64,
    /// Include an independent-sector provider (at an illustrative location: the centre of the
    /// trust's and board's sites) taking
    /// [`ScenarioConfig::independent_sector_share`] of clinics and theatre lists. Default true.
    pub independent_sector: bool,
    /// Share of clinics and theatre lists held at the independent-sector provider. Default 0.15.
    pub independent_sector_share: f64,
    /// Patients per clinic session. Default 12.
    pub clinic_size: u32,
    /// When true theatre lists pack operations of different lengths by minutes (a generalised
    /// assignment problem for the MIP backend; recommended with HiGHS); when false each list has
    /// a fixed number of places (4 day cases or 3 inpatient operations), as lists are commonly
    /// templated. Default false.
    pub theatre_packing: bool,
    /// Minimum notice in days. Default 7.
    pub min_notice_days: u32,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        Self {
            seed: 2026,
            planning_date: NaiveDate::from_ymd_opt(2026, 4, 30).unwrap_or_default(),
            horizon_weeks: 6,
            capacity_factor: 1.0,
            urgent_suspected_cancer_share: 0.01,
            urgent_share: 0.12,
            surgical_p2_p3_shares: (0.10, 0.30),
            urgent_suspected_cancer_max_wait_days: 56,
            urgent_max_wait_days: 91,
            p2_max_wait_days: 42,
            p3_max_wait_days: 182,
            diagnostic_share: 0.10,
            spread_km: 6.0,
            max_travel_km: 40.0,
            wheelchair_share: 0.05,
            unavailable_share: 0.10,
            independent_sector: true,
            independent_sector_share: 0.15,
            clinic_size: 12,
            theatre_packing: false,
            min_notice_days: 7,
        }
    }
}

/// A built scenario: the problem and the capacity it was given.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The problem to solve.
    pub problem: Problem,
    /// Figures it was built from.
    pub figures: Figures,
    /// Clinic places over the horizon (non-admitted clock stops scaled).
    pub clinic_places: u32,
    /// Operations over the horizon (admitted clock stops scaled).
    pub theatre_places: u32,
    /// Diagnostic appointments over the horizon.
    pub diagnostic_places: u32,
}

/// The DM01 test that patients of a treatment function most often wait for, where one is
/// clear: general surgery CT, urology cystoscopy, trauma and orthopaedics MRI, ENT audiology,
/// gastroenterology colonoscopy, cardiology echocardiography, respiratory medicine sleep
/// studies, neurology MRI, rheumatology and gynaecology non-obstetric ultrasound. Other
/// treatment functions (ophthalmology, dermatology, ...) have no DM01 test in the scenario.
pub fn diagnostic_test_for(treatment_function: &str) -> Option<DiagnosticTest> {
    match treatment_function.trim_start_matches("C_") {
        "100" => Some(DiagnosticTest::Ct),
        "101" => Some(DiagnosticTest::Cystoscopy),
        "110" | "400" => Some(DiagnosticTest::Mri),
        "120" => Some(DiagnosticTest::AudiologyAssessment),
        "301" => Some(DiagnosticTest::Colonoscopy),
        "320" => Some(DiagnosticTest::Echocardiography),
        "340" => Some(DiagnosticTest::SleepStudies),
        "410" | "502" => Some(DiagnosticTest::NonObstetricUltrasound),
        _ => None,
    }
}

/// Days-waited range of week band `k`, both ends included.
pub fn band_days(k: usize) -> (u64, u64) {
    match k {
        0 => (0, 7),
        k if k >= WEEK_BANDS - 1 => (729, 899),
        k => (7 * k as u64 + 1, 7 * k as u64 + 7),
    }
}

fn places(monthly: u32, days: u32, factor: f64) -> u32 {
    (f64::from(monthly) * f64::from(days) / DAYS_PER_MONTH * factor.max(0.0)).round() as u32
}

fn local(date: NaiveDate, hour: u32, minute: u32) -> DateTime<FixedOffset> {
    let naive = date.and_hms_opt(hour, minute, 0).unwrap_or_default();
    London
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.fixed_offset())
        .unwrap_or_else(|| naive.and_utc().fixed_offset())
}

fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.random_range(0.0..1.0) < p
}

/// A home `spread_km` (standard deviation, north and east) around `centre`.
pub(crate) fn home_around(centre: Location, spread_km: f64, rng: &mut ChaCha8Rng) -> Location {
    let (dn, de) = (normal(rng) * spread_km, normal(rng) * spread_km);
    Location::new(
        (centre.latitude + dn / 111.195).clamp(-90.0, 90.0),
        (centre.longitude + de / (111.195 * centre.latitude.to_radians().cos()))
            .clamp(-180.0, 180.0),
    )
}

/// A standard normal deviate (Box-Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let v: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Builds the scenario of `figures` under `config`.
pub fn build(figures: &Figures, config: &ScenarioConfig) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let planning = config.planning_date;
    let days = config.horizon_weeks.max(1) * 7;
    let horizon_end = planning
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(planning);
    let tfc = figures
        .treatment_function
        .trim_start_matches("C_")
        .to_owned();
    let clinic = Service::Outpatient(tfc.clone());
    let day_case = Service::Operation(format!("{tfc} day case"));
    let inpatient = Service::Operation(format!("{tfc} inpatient"));
    let test = diagnostic_test_for(&figures.treatment_function);
    let diagnostic_share = if test.is_some() {
        config.diagnostic_share
    } else {
        0.0
    };
    let mri = Service::Diagnostic(test.unwrap_or(DiagnosticTest::Mri));
    let wheelchair = Capability::from("wheelchair_access");

    // Sites: the trust's, the board's diagnostic centres, then the independent provider. NHS
    // sites offer wheelchair access.
    let site = |id: String, f: &SiteFigure, nhs: bool| Site {
        id: SiteId(id),
        name: f.name.clone(),
        kind: f.kind,
        location: Some(Location::new(f.latitude, f.longitude)),
        capabilities: if nhs {
            [wheelchair.clone()].into()
        } else {
            Default::default()
        },
    };
    let mut sites: Vec<Site> = figures
        .trust_sites
        .iter()
        .enumerate()
        .map(|(i, f)| site(format!("{}-{}", figures.provider_code, i + 1), f, true))
        .chain(
            figures
                .diagnostic_centres
                .iter()
                .enumerate()
                .map(|(i, f)| site(format!("CDC-{}", i + 1), f, true)),
        )
        .collect();
    let independent = config.independent_sector && !sites.is_empty();
    if independent {
        // No location is published for the independent providers a trust uses: put one at the
        // centre of the trust's and board's sites.
        let located: Vec<&Location> = sites.iter().filter_map(|s| s.location.as_ref()).collect();
        let n = located.len().max(1) as f64;
        let centre = SiteFigure {
            name: "Independent-sector provider (illustrative location)".into(),
            kind: SiteKind::IndependentSector,
            latitude: located.iter().map(|l| l.latitude).sum::<f64>() / n,
            longitude: located.iter().map(|l| l.longitude).sum::<f64>() / n,
        };
        sites.push(site("ISP-1".into(), &centre, false));
    }
    let trust: Vec<usize> = (0..figures.trust_sites.len()).collect();
    let cdc: Vec<usize> = (trust.len()..trust.len() + figures.diagnostic_centres.len()).collect();
    let isp = independent.then_some(sites.len().saturating_sub(1));
    // Treatment sites: the trust's own, or the diagnostic centres when it has none listed.
    let treating = if trust.is_empty() {
        cdc.clone()
    } else {
        trust.clone()
    };
    let imaging = if cdc.is_empty() {
        treating.clone()
    } else {
        cdc.clone()
    };

    // Referrals, band by band.
    // Exactly the published number waiting with a decision to admit wait for an operation,
    // chosen at random among all bands.
    let total = figures.total_waiting() as usize;
    let mut admitted = vec![false; total];
    admitted
        .iter_mut()
        .take(figures.incomplete_with_dta as usize)
        .for_each(|a| *a = true);
    for i in (1..total).rev() {
        admitted.swap(i, rng.random_range(0..=i));
    }
    // Every wait first (band by band, so the band counts are exact), then the chance of each
    // class among the waits it may have, so that its share of the whole is kept.
    let mut waits = Vec::with_capacity(total);
    for (k, &count) in figures.week_bands.iter().enumerate() {
        let (lo, hi) = band_days(k);
        for _ in 0..count {
            waits.push(rng.random_range(lo..=hi));
        }
    }
    let is_admitted = |i: usize| admitted.get(i).copied().unwrap_or(false);
    let eligible = |max: u64, admitted_only: bool| {
        waits
            .iter()
            .enumerate()
            .filter(|&(i, &w)| w <= max && (!admitted_only || is_admitted(i)))
            .count() as f64
    };
    let rate = |wanted: f64, among: f64| {
        if among > 0.0 {
            (wanted / among).min(1.0)
        } else {
            0.0
        }
    };
    let n = waits.len() as f64;
    let n_admitted = (0..waits.len()).filter(|&i| is_admitted(i)).count() as f64;
    let usc_wanted = config.urgent_suspected_cancer_share * n;
    let usc_rate = rate(
        usc_wanted,
        eligible(config.urgent_suspected_cancer_max_wait_days, false),
    );
    // Urgent among the eligible that did not become urgent suspected cancer.
    let urgent_among = eligible(config.urgent_max_wait_days, false)
        - usc_wanted.min(eligible(
            config.urgent_suspected_cancer_max_wait_days,
            false,
        ));
    let urgent_rate = rate(config.urgent_share * n, urgent_among);
    let (p2, p3) = config.surgical_p2_p3_shares;
    let p2_wanted = p2 * n_admitted;
    let p2_rate = rate(p2_wanted, eligible(config.p2_max_wait_days, true));
    let p3_among = eligible(config.p3_max_wait_days, true)
        - p2_wanted.min(eligible(config.p2_max_wait_days, true));
    let p3_rate = rate(p3 * n_admitted, p3_among);
    let mut referrals = Vec::new();
    let (mut n_clinic, mut n_diag) = (0u32, 0u32);
    for (i, &wait) in waits.iter().enumerate() {
        let clock_start = planning
            .checked_sub_days(Days::new(wait))
            .unwrap_or(planning);
        let priority =
            if wait <= config.urgent_suspected_cancer_max_wait_days && chance(&mut rng, usc_rate) {
                ReferralPriority::UrgentSuspectedCancer
            } else if wait <= config.urgent_max_wait_days && chance(&mut rng, urgent_rate) {
                ReferralPriority::Urgent
            } else {
                ReferralPriority::Routine
            };
        let (service, surgical, duration, mut standards) = if is_admitted(i) {
            let class = if wait <= config.p2_max_wait_days && chance(&mut rng, p2_rate) {
                SurgicalPriority::P2
            } else if wait <= config.p3_max_wait_days && chance(&mut rng, p3_rate) {
                SurgicalPriority::P3
            } else {
                SurgicalPriority::P4
            };
            let (service, duration) = if chance(&mut rng, 0.6) {
                (day_case.clone(), 15 * rng.random_range(3..=5))
            } else {
                (inpatient.clone(), 30 * rng.random_range(3..=5))
            };
            (
                service,
                Some(class),
                duration,
                vec![WaitingTimeStandard::Rtt18Weeks],
            )
        } else if chance(&mut rng, diagnostic_share) {
            // The next step of their pathway is a test; its DM01 request date is not
            // published, so only the RTT clock is modelled.
            n_diag += 1;
            (mri.clone(), None, 30, vec![WaitingTimeStandard::Rtt18Weeks])
        } else {
            n_clinic += 1;
            (
                clinic.clone(),
                None,
                20,
                vec![WaitingTimeStandard::Rtt18Weeks],
            )
        };
        if priority == ReferralPriority::UrgentSuspectedCancer {
            // On the cancer pathway as well: FDS 28 days and 62 days to treatment.
            standards.push(WaitingTimeStandard::CancerFasterDiagnosis28Days);
            standards.push(WaitingTimeStandard::Cancer62Days);
        }
        let around = if matches!(service, Service::Diagnostic(_)) {
            &imaging
        } else {
            &treating
        };
        let centre = around
            .get(rng.random_range(0..around.len().max(1)))
            .and_then(|&s| sites[s].location)
            .unwrap_or(Location::new(51.5, 0.0));
        let home = home_around(centre, config.spread_km, &mut rng);
        let requirements = if chance(&mut rng, config.wheelchair_share) {
            [wheelchair.clone()].into()
        } else {
            Default::default()
        };
        let unavailable = if chance(&mut rng, config.unavailable_share) {
            let from = planning
                .checked_add_days(Days::new(rng.random_range(1..=u64::from(days))))
                .unwrap_or(planning);
            let to = from
                .checked_add_days(Days::new(rng.random_range(6..=13)))
                .unwrap_or(from);
            vec![UnavailablePeriod { from, to }]
        } else {
            vec![]
        };
        referrals.push(Referral {
            id: ReferralId(format!("{}-{}-{:06}", figures.provider_code, tfc, i + 1)),
            patient: PatientId(format!("PT{:07}", i + 1)),
            service,
            clock_start,
            standards,
            priority,
            surgical_priority: surgical,
            duration_minutes: duration,
            earliest_date: None,
            unavailable,
            home: Some(home),
            max_travel_km: Some(config.max_travel_km),
            requirements,
            preferred_sites: vec![],
            existing_booking: None,
            accepts_short_notice: false,
            did_not_attend: vec![],
            declined_offers: vec![],
        });
    }

    // Capacity over the horizon, on working days after the planning date.
    let clinic_places = places(figures.completed_non_admitted, days, config.capacity_factor);
    let theatre_places = places(figures.completed_admitted, days, config.capacity_factor);
    let diagnostic_places = if n_clinic == 0 {
        0
    } else {
        (f64::from(clinic_places) * f64::from(n_diag) / f64::from(n_clinic)).round() as u32
    };
    // Slots inside the minimum notice would be booked already: the capacity sits on the working
    // days from the first bookable day to the horizon end.
    let working: Vec<NaiveDate> = planning
        .iter_days()
        .skip(1 + config.min_notice_days as usize)
        .take_while(|d| *d <= horizon_end)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    let mut slots = Vec::new();
    let mut next_slot = |site: usize,
                         service: &Service,
                         start: DateTime<FixedOffset>,
                         minutes: i64,
                         capacity: u32,
                         minutes_capacity: Option<u32>| {
        slots.push(Slot {
            id: SlotId(format!("SL{:06}", slots.len() + 1)),
            site: sites[site].id.clone(),
            service: service.clone(),
            start,
            end: start + TimeDelta::minutes(minutes),
            capacity,
            minutes_capacity,
            capabilities: Default::default(),
            status: SlotStatus::Free,
        });
    };
    // Round-robin over working days and sites, the independent provider taking its share.
    let site_for = |n: usize, pool: &[usize]| -> usize {
        match isp {
            Some(isp)
                if (n as f64 * config.independent_sector_share).fract()
                    + config.independent_sector_share
                    >= 1.0 =>
            {
                isp
            }
            _ => pool.get(n % pool.len().max(1)).copied().unwrap_or(0),
        }
    };
    let day_of = |n: usize, per_day: usize| {
        working
            .get((n / per_day.max(1)) % working.len().max(1))
            .copied()
            .unwrap_or(planning)
    };

    // Clinics: sessions of `clinic_size`, 09:00-12:30 and 13:30-17:00.
    let size = config.clinic_size.max(1);
    let sessions = clinic_places.div_ceil(size) as usize;
    let per_day = sessions.div_ceil(working.len().max(1)).max(1);
    for n in 0..sessions {
        let capacity = (clinic_places - (n as u32) * size).min(size);
        let hour = if n % 2 == 0 { 9 } else { 13 };
        let start = local(day_of(n, per_day), hour, if hour == 9 { 0 } else { 30 });
        next_slot(site_for(n, &treating), &clinic, start, 210, capacity, None);
    }
    // MRI at the diagnostic centres: 30-minute appointments from 08:00.
    let per_day = (diagnostic_places as usize)
        .div_ceil(working.len().max(1))
        .max(1);
    for n in 0..diagnostic_places as usize {
        let k = n % per_day;
        let site = imaging.get(k % imaging.len().max(1)).copied().unwrap_or(0);
        let start = local(day_of(n, per_day), 8, 0)
            + TimeDelta::minutes(30 * (k / imaging.len().max(1)) as i64);
        next_slot(site, &mri, start, 30, 1, None);
    }
    // Theatre lists: 60% day cases (4 per 240-minute list), 40% inpatient (3 per 540-minute
    // list); with packing, by minutes instead.
    let day_places = (f64::from(theatre_places) * 0.6).round() as u32;
    let inpatient_places = theatre_places - day_places;
    for (service, total, per_list, minutes, start_hour) in [
        (&day_case, day_places, 4u32, 240i64, 8u32),
        (&inpatient, inpatient_places, 3, 540, 8),
    ] {
        let lists = total.div_ceil(per_list) as usize;
        let per_day = lists.div_ceil(working.len().max(1)).max(1);
        for n in 0..lists {
            let capacity = (total - (n as u32) * per_list).min(per_list);
            let start = local(day_of(n, per_day), start_hour, 0);
            let (capacity, minutes_capacity) = if config.theatre_packing {
                (capacity + 2, Some((minutes as u32) * capacity / per_list))
            } else {
                (capacity, None)
            };
            next_slot(
                site_for(n, &treating),
                service,
                start,
                minutes,
                capacity,
                minutes_capacity,
            );
        }
    }

    let problem = Problem {
        planning_date: planning,
        horizon_end,
        policy: Policy {
            min_notice_days: config.min_notice_days,
            ..Policy::default()
        },
        sites,
        slots,
        referrals,
        pathway_steps: vec![],
    };
    Scenario {
        problem,
        figures: figures.clone(),
        clinic_places,
        theatre_places,
        diagnostic_places,
    }
}
