//! One mechanism for the Hub's string enums that may grow new values.

/// Declares a string enum whose unknown values parse into an `Unknown(String)` case
/// instead of failing, so a new value on the Hub never breaks deserialization.
///
/// Generates the enum (with `Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord`),
/// `as_str`, `is_unknown`, `KNOWN`, `From<&str>`, `From<String>`, an infallible
/// `FromStr`, `Display`, and serde as the bare string.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every value this version knows, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire form of the value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other,
                }
            }

            /// Whether this is a value this version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match $name::from(s.as_str()) {
                    $name::Unknown(_) => $name::Unknown(s),
                    known => known,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok($name::from(s.into_owned()))
            }
        }
    };
}
pub(crate) use open_enum;

#[cfg(test)]
#[allow(unreachable_pub)] // the macro always declares a `pub` enum
mod tests {
    open_enum! {
        /// Test enum.
        pub enum Color {
            /// Red.
            Red = "red",
            /// Dark blue.
            DarkBlue = "dark-blue",
        }
    }

    #[test]
    fn known_and_unknown_values() {
        assert_eq!(Color::from("red"), Color::Red);
        assert_eq!("dark-blue".parse::<Color>().unwrap(), Color::DarkBlue);
        let other = Color::from("green");
        assert!(other.is_unknown());
        assert_eq!(other.as_str(), "green");
        assert_eq!(Color::KNOWN, &[Color::Red, Color::DarkBlue]);
        assert_eq!(Color::DarkBlue.to_string(), "dark-blue");
    }

    #[test]
    fn serde_round_trip_keeps_unknown() {
        let v: Vec<Color> = serde_json::from_str(r#"["red","purple"]"#).unwrap();
        assert_eq!(v, [Color::Red, Color::Unknown("purple".into())]);
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"["red","purple"]"#);
        assert!(serde_json::from_str::<Color>("3").is_err());
    }
}
