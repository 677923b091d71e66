//! Identifiers as types: an account's id cannot be passed where a market's is expected, and ids
//! have no arithmetic. Each is its number on the wire (JSON, the journal's postcard records, the
//! snapshots): `#[serde(transparent)]`, and `Display`/`FromStr`/`Debug` as the bare number, so
//! nothing written before ids were types reads or prints differently.

/// Declares an id type over an unsigned integer. Public so other crates declare theirs the same
/// way (API keys in the sequencer's registry).
#[macro_export]
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl $name {
            pub const MIN: $name = $name(<$inner>::MIN);
            pub const MAX: $name = $name(<$inner>::MAX);

            /// The number the id is written as.
            #[inline]
            pub const fn get(self) -> $inner {
                self.0
            }

            /// The id written as `value`, if it fits the id's width (a wider number from JSON).
            pub fn from_u64(value: u64) -> Option<$name> {
                <$inner>::try_from(value).ok().map($name)
            }

            /// The id after this one, for ids handed out in sequence.
            pub fn next(self) -> $name {
                $name(self.0.checked_add(1).expect(concat!(stringify!($name), "s are not exhausted")))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        // As the bare number, so messages and logs read as they did when ids were integers.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> Result<$name, Self::Err> {
                text.parse().map($name)
            }
        }

        impl From<$inner> for $name {
            fn from(value: $inner) -> $name {
                $name(value)
            }
        }

        impl From<$name> for $inner {
            fn from(id: $name) -> $inner {
                id.0
            }
        }
    };
}

id_type!(
    /// An account that holds collateral and positions.
    AccountId(u64)
);
id_type!(
    /// A market (binary, categorical or scalar).
    MarketId(u32)
);
id_type!(
    /// An order; assigned by the sequencer, strictly increasing.
    OrderId(u64)
);
id_type!(
    /// A trade (one fill between a maker and a taker); assigned by the engine in sequence.
    TradeId(u64)
);

#[cfg(feature = "openapi")]
mod schemas {
    //! Ids are integers in the API's schemas, described once each.
    use super::*;
    use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
    use utoipa::openapi::{KnownFormat, RefOr, Schema};

    fn integer(format: KnownFormat, description: &str) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(format)))
            .minimum(Some(0))
            .description(Some(description))
            .into()
    }

    macro_rules! schema {
        ($name:ident, $format:ident, $description:literal) => {
            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    integer(KnownFormat::$format, $description)
                }
            }
            impl utoipa::ToSchema for $name {}
        };
    }

    schema!(AccountId, Int64, "An account's id.");
    schema!(MarketId, Int32, "A market's id.");
    schema!(OrderId, Int64, "An order's id, assigned by the venue in increasing order.");
    schema!(TradeId, Int64, "A trade's id, assigned by the venue in sequence.");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_number_in_json_text_and_debug() {
        let id = AccountId(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<AccountId>("42").unwrap(), id);
        assert_eq!((id.to_string(), format!("{id:?}")), ("42".to_string(), "42".to_string()));
        assert_eq!("7".parse::<MarketId>().unwrap(), MarketId(7));
        assert!("-1".parse::<MarketId>().is_err());
    }
}
