//! Typed identifiers of the records a caller sends.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The identifier as the caller wrote it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

id_type!(
    /// Identifier of a referral (one waiting-list entry: one appointment to book).
    ReferralId
);
id_type!(
    /// Pseudonymous patient identifier. Two referrals with the same patient id belong to one
    /// person: they may never overlap in time. It is never written to logs or error messages.
    PatientId
);
id_type!(
    /// Identifier of a site (a hospital, community diagnostic centre or independent-sector provider).
    SiteId
);
id_type!(
    /// Identifier of a slot (an appointment slot, clinic or session of capacity).
    SlotId
);
id_type!(
    /// A capability that a slot or site offers and a referral may require, for example
    /// `wheelchair_access`, `contrast`, `general_anaesthetic` or `interpreter_polish`.
    /// Matching is exact and case-sensitive.
    Capability
);
