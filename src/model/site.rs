//! Sites where capacity is.

use super::geo::Location;
use super::ids::{Capability, SiteId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What kind of provider a site is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// A site of an NHS trust.
    NhsTrust,
    /// A community diagnostic centre.
    CommunityDiagnosticCentre,
    /// An independent-sector provider treating NHS patients.
    IndependentSector,
}

impl Site {
    /// Great-circle distance from `home` to the site in kilometres, or `None` when the site has
    /// no location (travel not measured).
    pub fn distance_km_from(&self, home: &Location) -> Option<f64> {
        self.location.as_ref().map(|l| home.distance_km(l))
    }
}

/// A place where slots are held.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Unique site id (an ODS site code, for example).
    pub id: SiteId,
    /// Display name.
    pub name: String,
    /// Kind of provider.
    pub kind: SiteKind,
    /// Where the site is. Absent when the site's coordinates are not known (a FHIR `Location`
    /// without `position`): travel to it is then not measured, so it counts as no distance and
    /// no `max_travel_km` excludes it, and the schedule warns
    /// ([`crate::InputWarning::SiteWithoutLocation`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Capabilities every slot at the site offers (for example `wheelchair_access`).
    #[serde(default)]
    pub capabilities: BTreeSet<Capability>,
}
