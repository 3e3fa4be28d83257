//! Likely data mistakes in a valid problem: warnings, not errors. Each names the record (by id
//! only) and the field, and says what looks wrong.

use super::geo::Location;
use super::problem::Problem;
use super::referral::Service;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A likely data mistake that is still valid input. Returned with the schedule
/// ([`crate::Schedule::warnings`]) and printed in its summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "warning")]
pub enum InputWarning {
    /// A site's `location` falls outside the United Kingdom while most patients' homes with a
    /// location are inside it; `swapped` when the two numbers the other way round would be
    /// inside (latitude and longitude swapped). Travel to the site is measured as given.
    SiteOutsideUk {
        /// The site.
        site: String,
        /// Latitude and longitude look swapped.
        swapped: bool,
    },
    /// A referral's `home` falls outside the United Kingdom while most sites with a location
    /// are inside it (0, 0 is outside too); `swapped` when the two numbers the other way round
    /// would be inside. Travel from the home is measured as given, so `max_travel_km` may keep
    /// the patient from every site.
    HomeOutsideUk {
        /// The referral.
        referral: String,
        /// Latitude and longitude look swapped.
        swapped: bool,
    },
    /// A site has no `location` (a FHIR `Location` without `position`): travel to it is not
    /// measured, so it counts as no distance in the objective and no `max_travel_km` keeps a
    /// patient away from it.
    SiteWithoutLocation {
        /// The site.
        site: String,
    },
    /// No slot offers the service of some referrals, but a slot offers one that differs only in
    /// case or in a prefix before the code (`C_110` beside `110`): those referrals can never be
    /// booked as the input stands.
    ServiceNotOffered {
        /// The service the referrals ask for, as written.
        service: String,
        /// The service a slot offers that looks like the same one.
        offered: String,
        /// The first referral (input order) asking for it.
        first_referral: String,
        /// How many referrals ask for it.
        referrals: usize,
    },
    /// A pinned booking is in a slot of another service (pinned bookings are kept whatever the
    /// candidate rules say).
    PinnedOtherService {
        /// The referral.
        referral: String,
        /// The slot.
        slot: String,
    },
    /// A pinned booking is in a slot whose status is `blocked` or `booked` (a cancelled list,
    /// a broken scanner): it is kept, as pinned bookings are, but the patient may have no
    /// appointment to come to.
    PinnedInSlotNotFree {
        /// The referral.
        referral: String,
        /// The slot.
        slot: String,
    },
}

impl fmt::Display for InputWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputWarning::SiteOutsideUk { site, swapped } => {
                write!(f, "site `{site}`: `location` is outside the UK while the patients' homes are inside it")?;
                if *swapped {
                    write!(f, " (latitude and longitude look swapped)")?;
                }
                Ok(())
            }
            InputWarning::HomeOutsideUk { referral, swapped } => {
                write!(f, "referral `{referral}`: `home` is outside the UK while the sites are inside it")?;
                if *swapped {
                    write!(f, " (latitude and longitude look swapped)")?;
                }
                Ok(())
            }
            InputWarning::SiteWithoutLocation { site } => write!(
                f,
                "site `{site}`: no `location`, so travel to it is not measured"
            ),
            InputWarning::ServiceNotOffered {
                service,
                offered,
                first_referral,
                referrals,
            } => {
                write!(f, "referral `{first_referral}`")?;
                if *referrals > 1 {
                    write!(f, " (and {} more)", referrals - 1)?;
                }
                write!(f, ": `service` {service} is offered by no slot, but {offered} is: the same code written another way?")
            }
            InputWarning::PinnedInSlotNotFree { referral, slot } => write!(
                f,
                "referral `{referral}`: `existing_booking` is pinned to slot `{slot}`, which is not free (blocked or booked): kept, but check the patient still has an appointment"
            ),
            InputWarning::PinnedOtherService { referral, slot } => write!(
                f,
                "referral `{referral}`: `existing_booking` is pinned to slot `{slot}` of another service"
            ),
        }
    }
}

/// Whether a location is inside a box around the United Kingdom (49.8 to 60.9 degrees north,
/// 8.7 degrees west to 1.8 degrees east: Great Britain, Northern Ireland and the islands).
fn in_uk(latitude: f64, longitude: f64) -> bool {
    (49.8..=60.9).contains(&latitude) && (-8.7..=1.8).contains(&longitude)
}

fn location_in_uk(l: &Location) -> bool {
    in_uk(l.latitude, l.longitude)
}

/// A service's code for comparing: lower case, and for a clinic or an operation without a
/// prefix ending in `_` or `-` (`C_110` and `c-110` are `110`).
fn loose(service: &Service) -> String {
    match service {
        Service::Diagnostic(_) => service.to_string(),
        Service::Outpatient(code) | Service::Operation(code) => {
            let lower = code.to_lowercase();
            let code = lower.rsplit(['_', '-']).next().unwrap_or(&lower).to_owned();
            let kind = if matches!(service, Service::Outpatient(_)) {
                "outpatient"
            } else {
                "operation"
            };
            format!("{kind} {code}")
        }
    }
}

impl Problem {
    /// The likely data mistakes in this problem, in this order: sites outside the UK (site input
    /// order), homes outside the UK (referral input order), sites without a location (site input order), services no slot offers that look like one a slot does (first referral order),
    /// pinned bookings in a slot of another service or one not free (referral order). Empty for clean input.
    /// The problem need not have passed [`Problem::check`]; records it cannot resolve (a slot
    /// id that does not exist) are left to its errors.
    pub fn warnings(&self) -> Vec<InputWarning> {
        let mut out = Vec::new();
        let homes: Vec<&Location> = self
            .referrals
            .iter()
            .filter_map(|r| r.home.as_ref())
            .collect();
        let homes_in_uk = homes.iter().filter(|h| location_in_uk(h)).count();
        if homes_in_uk * 2 > homes.len() {
            for site in &self.sites {
                let Some(l) = &site.location else { continue };
                if !location_in_uk(l) {
                    out.push(InputWarning::SiteOutsideUk {
                        site: site.id.to_string(),
                        swapped: in_uk(l.longitude, l.latitude),
                    });
                }
            }
        }

        let site_points: Vec<&Location> = self
            .sites
            .iter()
            .filter_map(|s| s.location.as_ref())
            .collect();
        let sites_in_uk = site_points.iter().filter(|l| location_in_uk(l)).count();
        if sites_in_uk * 2 > site_points.len() {
            for r in &self.referrals {
                let Some(h) = &r.home else { continue };
                if !location_in_uk(h) {
                    out.push(InputWarning::HomeOutsideUk {
                        referral: r.id.to_string(),
                        swapped: in_uk(h.longitude, h.latitude),
                    });
                }
            }
        }

        for site in self.sites.iter().filter(|s| s.location.is_none()) {
            out.push(InputWarning::SiteWithoutLocation {
                site: site.id.to_string(),
            });
        }

        let offered: BTreeSet<&Service> = self.slots.iter().map(|s| &s.service).collect();
        let mut offered_loose: BTreeMap<String, &Service> = BTreeMap::new();
        for s in &offered {
            offered_loose.entry(loose(s)).or_insert(s);
        }
        // Per service no slot offers: (first referral, count), in first-referral order.
        let mut missing: Vec<(&Service, &str, usize)> = Vec::new();
        for r in &self.referrals {
            if offered.contains(&r.service) {
                continue;
            }
            match missing.iter_mut().find(|(s, _, _)| *s == &r.service) {
                Some(entry) => entry.2 += 1,
                None => missing.push((&r.service, r.id.as_str(), 1)),
            }
        }
        for (service, first, count) in missing {
            if let Some(similar) = offered_loose.get(&loose(service)) {
                out.push(InputWarning::ServiceNotOffered {
                    service: service.to_string(),
                    offered: similar.to_string(),
                    first_referral: first.to_owned(),
                    referrals: count,
                });
            }
        }

        let slots: BTreeMap<&str, &super::Slot> =
            self.slots.iter().map(|s| (s.id.as_str(), s)).collect();
        for r in &self.referrals {
            let Some(b) = r.existing_booking.as_ref().filter(|b| b.pinned) else {
                continue;
            };
            let Some(slot) = slots.get(b.slot.as_str()) else {
                continue;
            };
            if slot.service != r.service {
                out.push(InputWarning::PinnedOtherService {
                    referral: r.id.to_string(),
                    slot: b.slot.to_string(),
                });
            }
            if slot.status != super::SlotStatus::Free {
                out.push(InputWarning::PinnedInSlotNotFree {
                    referral: r.id.to_string(),
                    slot: b.slot.to_string(),
                });
            }
        }
        out
    }
}
