//! [`Timestamp`]: an instant as the Hub writes it (`2024-01-02T03:04:05.000Z`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Error returned when a string is not a timestamp the Hub could have sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {input:?}: expected ISO 8601 like 2024-01-02T03:04:05.000Z ({detail})")]
pub struct InvalidTimestamp {
    input: String,
    detail: String,
}

/// An instant in time, as found in Hub payloads (`lastModified`, `createdAt`, ...).
///
/// Parses the forms the Hub and its services emit: `2024-01-02T03:04:05.000Z`, without
/// the fraction or with any number of fraction digits, with a numeric offset
/// (`+02:00`), and, leniently, with no offset at all (read as UTC). Displays and
/// serializes in the Hub's own form, with milliseconds and `Z` (more fraction digits
/// only when the instant has sub-millisecond precision).
///
/// ```
/// use hf_types::Timestamp;
/// let t: Timestamp = "2024-01-02T03:04:05Z".parse()?;
/// assert_eq!(t.to_string(), "2024-01-02T03:04:05.000Z");
/// # Ok::<(), hf_types::InvalidTimestamp>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(jiff::Timestamp);

impl Timestamp {
    /// Wraps a [`jiff::Timestamp`].
    pub fn from_jiff(ts: jiff::Timestamp) -> Timestamp {
        Timestamp(ts)
    }

    /// The underlying [`jiff::Timestamp`], for arithmetic and time-zone conversion.
    pub fn as_jiff(&self) -> jiff::Timestamp {
        self.0
    }

    /// Whole seconds since the Unix epoch.
    pub fn as_second(&self) -> i64 {
        self.0.as_second()
    }
}

impl From<jiff::Timestamp> for Timestamp {
    fn from(ts: jiff::Timestamp) -> Self {
        Timestamp(ts)
    }
}

impl From<Timestamp> for jiff::Timestamp {
    fn from(ts: Timestamp) -> Self {
        ts.0
    }
}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let with_offset = match s.parse::<jiff::Timestamp>() {
            Ok(ts) => return Ok(Timestamp(ts)),
            Err(e) => e,
        };
        // Some services omit the offset; they mean UTC.
        s.parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt).ok())
            .map(Timestamp)
            .ok_or_else(|| InvalidTimestamp {
                input: s.to_owned(),
                detail: with_offset.to_string(),
            })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.subsec_nanosecond() % 1_000_000 == 0 {
            write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%S%.3fZ"))
        } else {
            write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%S%.fZ"))
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> (i64, i32) {
        let t: Timestamp = s.parse().unwrap_or_else(|e| panic!("{e}"));
        (t.as_second(), t.as_jiff().subsec_nanosecond())
    }

    #[test]
    fn parses_hub_forms() {
        let base = 1_704_164_645; // 2024-01-02T03:04:05Z
        assert_eq!(secs("2024-01-02T03:04:05.000Z"), (base, 0));
        assert_eq!(secs("2024-01-02T03:04:05Z"), (base, 0));
        assert_eq!(secs("2024-01-02T03:04:05.123Z"), (base, 123_000_000));
        assert_eq!(secs("2024-01-02T03:04:05.123456Z"), (base, 123_456_000));
        assert_eq!(secs("2024-01-02T03:04:05+00:00"), (base, 0));
        assert_eq!(secs("2024-01-02T05:04:05.5+02:00"), (base, 500_000_000));
        assert_eq!(secs("2024-01-01T22:04:05-05:00"), (base, 0));
        assert_eq!(secs("2024-01-02T03:04:05"), (base, 0));
        assert_eq!(secs("2024-01-02T03:04:05.250"), (base, 250_000_000));
        // A bare date (no offset) is midnight UTC.
        assert_eq!(secs("2024-01-02"), (base - 3 * 3600 - 4 * 60 - 5, 0));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2024-13-01T00:00:00Z",
            "1704164645",
            "03:04:05Z",
        ] {
            let err = bad.parse::<Timestamp>().unwrap_err();
            assert!(err.to_string().contains("invalid timestamp"), "{err}");
        }
    }

    #[test]
    fn displays_in_hub_form_and_round_trips() {
        let t: Timestamp = "2024-01-02T05:04:05+02:00".parse().unwrap();
        assert_eq!(t.to_string(), "2024-01-02T03:04:05.000Z");
        let fine: Timestamp = "2024-01-02T03:04:05.123456Z".parse().unwrap();
        assert_eq!(fine.to_string(), "2024-01-02T03:04:05.123456Z");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2024-01-02T03:04:05.000Z\"");
        let back: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert_eq!(Timestamp::from_jiff(t.as_jiff()), t);
        assert!(serde_json::from_str::<Timestamp>("\"nope\"").is_err());
    }
}
