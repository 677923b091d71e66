//! The categories a market, event or series is filed under: a fixed list, so that browsing by
//! category finds everything (free text would split "Crypto" from "crypto" and "Cryptocurrency").

use serde::{Deserialize, Serialize};

/// A category. New ones are appended, never inserted: the journal stores a category by its
/// position in this list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Politics,
    Elections,
    Economics,
    Financials,
    Crypto,
    Companies,
    ScienceTechnology,
    ClimateWeather,
    Sports,
    Culture,
    World,
    Health,
    #[default]
    Other,
}

/// Every category, in display order.
pub const CATEGORIES: [Category; 13] = [
    Category::Politics,
    Category::Elections,
    Category::Economics,
    Category::Financials,
    Category::Crypto,
    Category::Companies,
    Category::ScienceTechnology,
    Category::ClimateWeather,
    Category::Sports,
    Category::Culture,
    Category::World,
    Category::Health,
    Category::Other,
];

impl Category {
    /// The name the API uses (`science_technology`).
    pub fn id(self) -> &'static str {
        match self {
            Category::Politics => "politics",
            Category::Elections => "elections",
            Category::Economics => "economics",
            Category::Financials => "financials",
            Category::Crypto => "crypto",
            Category::Companies => "companies",
            Category::ScienceTechnology => "science_technology",
            Category::ClimateWeather => "climate_weather",
            Category::Sports => "sports",
            Category::Culture => "culture",
            Category::World => "world",
            Category::Health => "health",
            Category::Other => "other",
        }
    }

    /// The name people read ("Science and Technology"), also the Kalshi surface's category.
    pub fn title(self) -> &'static str {
        match self {
            Category::Politics => "Politics",
            Category::Elections => "Elections",
            Category::Economics => "Economics",
            Category::Financials => "Financials",
            Category::Crypto => "Crypto",
            Category::Companies => "Companies",
            Category::ScienceTechnology => "Science and Technology",
            Category::ClimateWeather => "Climate and Weather",
            Category::Sports => "Sports",
            Category::Culture => "Culture",
            Category::World => "World",
            Category::Health => "Health",
            Category::Other => "Other",
        }
    }

    /// The category named `id`, as [`Category::id`] spells it.
    pub fn from_id(id: &str) -> Option<Category> {
        CATEGORIES.into_iter().find(|c| c.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_serde_names_and_round_trip() {
        for category in CATEGORIES {
            assert_eq!(serde_json::to_string(&category).unwrap(), format!("\"{}\"", category.id()));
            assert_eq!(Category::from_id(category.id()), Some(category));
        }
        assert_eq!(Category::from_id("Crypto"), None);
        let refused = serde_json::from_str::<Category>("\"cryptocurrency\"").unwrap_err().to_string();
        assert!(refused.contains("unknown variant"), "{refused}");
    }

    /// The journal stores a category by its position: the list is append-only.
    #[test]
    fn positions_are_fixed() {
        assert_eq!(postcard::to_allocvec(&Category::Politics).unwrap(), [0]);
        assert_eq!(postcard::to_allocvec(&Category::Crypto).unwrap(), [4]);
        assert_eq!(postcard::to_allocvec(&Category::Other).unwrap(), [12]);
    }
}
