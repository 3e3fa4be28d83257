//! Locations and great-circle distance.

use serde::{Deserialize, Serialize};

/// Mean radius of the Earth in kilometres (IUGG mean radius R1), used for great-circle distance.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point in WGS84 coordinates, in degrees.
///
/// Latitude must lie in -90..=90 and longitude in -180..=180; [`crate::Problem::check`] rejects
/// anything else with [`crate::Error::InvalidField`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Latitude in degrees north, -90..=90.
    pub latitude: f64,
    /// Longitude in degrees east, -180..=180.
    pub longitude: f64,
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
