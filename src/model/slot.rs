//! Slots: the capacity to book into.

use super::ids::{Capability, SiteId, SlotId};
use super::referral::Service;
use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Whether a slot can take bookings (after FHIR `Slot.status`).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SlotStatus {
    /// Open for booking.
    #[default]
    Free,
    /// Already full with bookings outside this problem: no capacity left.
    Booked,
    /// Not available (cancelled clinic, staff absence, maintenance).
    Blocked,
}

/// A clinic slot, scanner session or theatre list at one site for one service.
///
/// A slot runs from `start` to `end` (RFC 3339 with offset). Its NHS date is its Europe/London
/// local date ([`crate::rules::nhs_date`]). It takes at most `capacity` appointments and, when
/// `minutes_capacity` is set, appointments whose lengths add up to at most that many minutes
/// (a session that packs appointments of different lengths).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    /// Unique slot id.
    pub id: SlotId,
    /// The site the slot is at.
    pub site: SiteId,
    /// The service the slot provides.
    pub service: Service,
    /// Start, RFC 3339 with offset, for example `2026-12-01T09:00:00Z`.
    pub start: DateTime<FixedOffset>,
    /// End, RFC 3339 with offset; after `start`.
    pub end: DateTime<FixedOffset>,
    /// How many appointments the slot takes (at least 1); 1 when absent.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub capacity: u32,
    /// Total minutes of appointments the slot takes, for sessions that pack appointments of
    /// different lengths; when absent only `capacity` limits it.
    #[serde(default)]
    pub minutes_capacity: Option<u32>,
    /// Capabilities the slot offers on top of its site's.
    #[serde(default)]
    pub capabilities: BTreeSet<Capability>,
    /// Whether the slot is open.
    #[serde(default)]
    pub status: SlotStatus,
}

fn one() -> u32 {
    1
}

/// A span of time, start included, end excluded.
pub(crate) type Interval = (DateTime<FixedOffset>, DateTime<FixedOffset>);

impl Slot {
    /// Whether the slot takes more than one appointment, so that its bookings get their own
    /// start times inside it ([`Slot::place_offsets`]).
    pub(crate) fn is_multi_place(&self) -> bool {
        self.capacity > 1
    }

    /// Start offsets in minutes from the slot start of the appointments booked in it, given
    /// their lengths in the order they are seen (the policy's turn order, a patient who needs
    /// the first place ahead of it): back to back from the start. In a session packed by
    /// minutes they always fit; in a clinic counted by places, an appointment that would run
    /// past the slot end starts again at the slot start, in parallel (another room or
    /// clinician: the slot has more places than its length holds one after another).
    pub(crate) fn place_offsets(&self, durations: &[u32]) -> Vec<i64> {
        let span = self.duration_minutes();
        let mut at = 0i64;
        durations
            .iter()
            .map(|&d| {
                let d = i64::from(d);
                if self.minutes_capacity.is_none() && at + d > span {
                    at = 0;
                }
                let offset = at;
                at += d;
                offset
            })
            .collect()
    }

    /// The time an appointment of `duration_minutes` keeps the patient busy when it has the
    /// slot's first place: from the slot start for the appointment's length.
    pub(crate) fn first_interval(&self, duration_minutes: u32) -> Interval {
        (
            self.start,
            self.start + chrono::TimeDelta::minutes(i64::from(duration_minutes)),
        )
    }

    /// Every time an appointment of `duration_minutes` could keep the patient busy, wherever in
    /// the slot it is placed: its first place in a one-place slot; in a multi-place slot from
    /// the start to the latest end [`Slot::place_offsets`] can give it (the slot end in a
    /// clinic; the session's minutes, or its end if sooner, in a session packed by minutes).
    pub(crate) fn latest_interval(&self, duration_minutes: u32) -> Interval {
        if !self.is_multi_place() {
            return self.first_interval(duration_minutes);
        }
        let span = self.duration_minutes();
        let d = i64::from(duration_minutes);
        let end = match self.minutes_capacity {
            Some(m) => i64::from(m).min(span).max(d),
            None => span.max(d),
        };
        (self.start, self.start + chrono::TimeDelta::minutes(end))
    }

    /// Length of the slot in whole minutes (end minus start).
    pub fn duration_minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// How two appointments of one patient, in slots `a` and `b` with lengths `da` and `db`
/// minutes, relate in time under the one-patient-one-place rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clash {
    /// They can never overlap, wherever each is placed in its slot.
    Never,
    /// They do not overlap when the first (`FirstPlace(true)`: the one in `a`; `false`: the one
    /// in `b`) has its slot's first place: it ends by the time the other slot starts.
    FirstPlace(bool),
    /// They may overlap however they are placed: never both booked.
    Always,
}

/// How appointments of one patient in `a` (length `da` minutes) and `b` (`db`) clash: the
/// latest intervals apart is [`Clash::Never`]; else, when the one in the slot that starts
/// first ends, from that slot's start, by the other slot's start, it needs the first place
/// ([`Clash::FirstPlace`]; only a multi-place slot gets here); otherwise [`Clash::Always`].
pub(crate) fn clash(a: &Slot, da: u32, b: &Slot, db: u32) -> Clash {
    let (ia, ib) = (a.latest_interval(da), b.latest_interval(db));
    if ia.1 <= ib.0 || ib.1 <= ia.0 {
        return Clash::Never;
    }
    let a_first = a.start <= b.start;
    let (early, d, late) = if a_first { (a, da, b) } else { (b, db, a) };
    // A one-place early slot whose appointment ends by the late start was `Never` above.
    if early.first_interval(d).1 <= late.start {
        Clash::FirstPlace(a_first)
    } else {
        Clash::Always
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(start: &str, end: &str, capacity: u32, minutes: Option<u32>) -> Slot {
        Slot {
            id: SlotId("S".into()),
            site: SiteId("X".into()),
            service: Service::Diagnostic(crate::model::DiagnosticTest::Mri),
            start: format!("2026-12-10T{start}:00Z").parse().unwrap(),
            end: format!("2026-12-10T{end}:00Z").parse().unwrap(),
            capacity,
            minutes_capacity: minutes,
            capabilities: BTreeSet::new(),
            status: SlotStatus::Free,
        }
    }

    fn hm(t: DateTime<FixedOffset>) -> String {
        t.format("%H:%M").to_string()
    }

    #[test]
    fn places_of_a_clinic_and_of_a_session() {
        // Twelve 15-minute appointments fill 09:00-12:00 one after another.
        let clinic = slot("09:00", "12:00", 12, None);
        assert_eq!(clinic.place_offsets(&[15, 15, 15]), vec![0, 15, 30]);
        // Twelve 20-minute appointments in 13:30-17:00 (210 minutes): ten fit one after
        // another, the 11th and 12th run in parallel from the start.
        let long = slot("13:30", "17:00", 12, None);
        let offsets = long.place_offsets(&[20; 12]);
        assert_eq!(
            offsets,
            vec![0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 0, 20]
        );
        // Four 75-minute operations on a 240-minute list: three in turn, the fourth in parallel.
        let list = slot("08:00", "12:00", 4, None);
        assert_eq!(list.place_offsets(&[75; 4]), vec![0, 75, 150, 0]);
        // Three rooms in parallel: each 30-minute appointment fills the slot.
        let rooms = slot("09:00", "09:30", 3, None);
        assert_eq!(rooms.place_offsets(&[30, 30, 30]), vec![0, 0, 0]);
        // A session packs back to back.
        let session = slot("09:00", "13:00", 6, Some(240));
        assert_eq!(session.place_offsets(&[30, 60, 60]), vec![0, 30, 90]);
    }

    #[test]
    fn latest_intervals() {
        let clinic = slot("09:00", "12:00", 12, None);
        let (start, end) = clinic.latest_interval(15);
        assert_eq!((hm(start), hm(end)), ("09:00".into(), "12:00".into()));
        let session = slot("09:00", "13:00", 6, Some(120));
        assert_eq!(hm(session.latest_interval(30).1), "11:00");
        let single = slot("12:00", "12:30", 1, None);
        assert_eq!(hm(single.latest_interval(20).1), "12:20");
    }

    #[test]
    fn clashes_of_one_patient() {
        let session = slot("09:00", "13:00", 6, Some(240));
        let mri = slot("12:00", "12:30", 1, None);
        let early_ct = slot("09:15", "09:45", 1, None);
        let afternoon = slot("14:00", "14:30", 1, None);
        // Out by 09:30 when first: needs the session's first place.
        assert_eq!(clash(&session, 30, &mri, 30), Clash::FirstPlace(true));
        assert_eq!(clash(&mri, 30, &session, 30), Clash::FirstPlace(false));
        // 09:00 + 30 minutes runs past 09:15: never both.
        assert_eq!(clash(&session, 30, &early_ct, 30), Clash::Always);
        assert_eq!(clash(&session, 30, &afternoon, 30), Clash::Never);
        assert_eq!(clash(&mri, 30, &afternoon, 30), Clash::Never);
    }
}
