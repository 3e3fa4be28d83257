//! Slots: the capacity to book into.

use super::ids::{Capability, SiteId, SlotId};
use super::referral::Service;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Whether a slot can take bookings (after FHIR `Slot.status`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// The time a booking of `duration_minutes` in this slot keeps the patient busy, for the
    /// "one patient, one place" rule: from the slot start for the appointment's length in a
    /// count-only slot; the whole session when the slot packs appointments by minutes (the
    /// appointment time inside it is decided after solving).
    pub(crate) fn busy_interval(&self, duration_minutes: u32) -> Interval {
        if self.minutes_capacity.is_some() {
            (self.start, self.end)
        } else {
            (
                self.start,
                self.start + chrono::TimeDelta::minutes(i64::from(duration_minutes)),
            )
        }
    }

    /// Length of the slot in whole minutes (end minus start).
    pub fn duration_minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}
