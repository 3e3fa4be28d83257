//! Locations and great-circle distance.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Mean radius of the Earth in kilometres (IUGG mean radius R1), used for great-circle distance.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point in WGS84 coordinates, in degrees.
///
/// Latitude must lie in -90..=90 and longitude in -180..=180; [`crate::Problem::check`] rejects
/// anything else with [`crate::Error::InvalidField`]. In JSON it is only ever the object
/// `{"latitude": ..., "longitude": ...}`: a two-number array is refused, since GeoJSON writes
/// `[longitude, latitude]` and either order would be read silently.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Location {
    /// Latitude in degrees north, -90..=90.
    #[schemars(range(min = -90.0, max = 90.0))]
    pub latitude: f64,
    /// Longitude in degrees east, -180..=180.
    #[schemars(range(min = -180.0, max = 180.0))]
    pub longitude: f64,
}

impl<'de> Deserialize<'de> for Location {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        struct Fields {
            latitude: f64,
            longitude: f64,
        }
        struct ObjectOnly;
        impl<'de> serde::de::Visitor<'de> for ObjectOnly {
            type Value = Location;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object {\"latitude\": degrees north, \"longitude\": degrees east}")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Location, A::Error> {
                let f = Fields::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Location::new(f.latitude, f.longitude))
            }
        }
        deserializer.deserialize_map(ObjectOnly)
    }
}

impl Location {
    /// A location from latitude and longitude in degrees.
    pub fn new(latitude: f64, longitude: f64) -> Self {
        Self {
            latitude,
            longitude,
        }
    }

    /// Great-circle (haversine) distance to `other`, in kilometres.
    pub fn distance_km(&self, other: &Location) -> f64 {
        let (lat1, lat2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.longitude - self.longitude).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }

    /// Whether [`distance_km`](Self::distance_km) to `other` is certainly more than `km`
    /// kilometres, judged from the latitudes alone: the meridian arc between the two parallels
    /// is never longer than the great circle, and the margin (a millionth of a metre plus a
    /// billionth of `km`) covers the rounding of either formula. A cheap test that lets a
    /// search skip far sites without computing their distance; `false` says nothing.
    pub fn certainly_farther_than(&self, other: &Location, km: f64) -> bool {
        let meridian = (other.latitude - self.latitude).abs().to_radians() * EARTH_RADIUS_KM;
        meridian > km * (1.0 + 1e-9) + 1e-9
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let a = Location::new(51.0, 0.0);
        let b = Location::new(52.0, 0.0);
        // 2 * pi * 6371.0088 / 360 = 111.195 km
        assert!((a.distance_km(&b) - 111.195).abs() < 0.001);
    }

    #[test]
    fn the_latitude_test_only_says_farther_when_it_is() {
        let london = Location::new(51.5073, -0.1277);
        let manchester = Location::new(53.4774, -2.2309);
        // 261.25 km apart, of which 1.9701 degrees of latitude: 219.06 km of meridian.
        assert!(london.certainly_farther_than(&manchester, 219.0));
        assert!(!london.certainly_farther_than(&manchester, 219.1));
        assert!(!london.certainly_farther_than(&manchester, 261.3));
        // Due east: no latitude difference, so never certain.
        let east = Location::new(51.5073, 5.0);
        assert!(!london.certainly_farther_than(&east, 1.0));
        // Exactly one degree of latitude is the whole distance: not certainly farther than it.
        let (a, b) = (Location::new(51.0, 0.0), Location::new(52.0, 0.0));
        assert!(!a.certainly_farther_than(&b, a.distance_km(&b)));
    }

    #[test]
    fn london_to_manchester() {
        // Charing Cross (51.5073, -0.1277) to Manchester Piccadilly (53.4774, -2.2309): the
        // haversine formula worked separately (Python, R = 6371.0088 km) gives 261.2505 km.
        let london = Location::new(51.5073, -0.1277);
        let manchester = Location::new(53.4774, -2.2309);
        let d = london.distance_km(&manchester);
        assert!((d - 261.2505).abs() < 0.001, "{d}");
        assert!(london.distance_km(&london).abs() < 1e-9);
    }
}
