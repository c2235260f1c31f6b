//! `random_uuid`, `random_uuid4` and `random_uuid7`: a random UUID in its hyphenated
//! lowercase form as both `result` and `id`. `random_uuid` is 16 random bytes without version
//! or variant bits (as upstream's go-uuid makes them); `random_uuid4` and `random_uuid7` are
//! proper version 4 and version 7 UUIDs. Import ID: the UUID.

use crate::resource::{
    error, get, null_keepers, string, AttrDef, Attrs, ResourceDef, ResourceType,
};
use rand::rngs::OsRng;
use rand::RngCore;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::Type;

/// Which of the UUID resources.
pub enum Uuid {
    /// `random_uuid`: random bytes in UUID form.
    Legacy,
    V4,
    V7,
}

impl ResourceType for Uuid {
    fn definition(&self) -> ResourceDef {
        ResourceDef {
            version: 0,
            description: match self {
                Uuid::Legacy => "A random UUID-formatted string (not a valid version 4 UUID).",
                Uuid::V4 => "A random version 4 UUID.",
                Uuid::V7 => "A version 7 UUID: a timestamp followed by random bits.",
            },
            attrs: vec![
                AttrDef::keepers(),
                AttrDef::result("result", Type::String).describe("The UUID."),
                AttrDef::result("id", Type::String).describe("The UUID."),
            ],
        }
    }

    fn create(&self, planned: &Attrs) -> Result<Attrs, Diagnostics> {
        let text = match self {
            Uuid::Legacy => {
                let mut bytes = [0u8; 16];
                OsRng.fill_bytes(&mut bytes);
                ::uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
            }
            Uuid::V4 => ::uuid::Uuid::new_v4().hyphenated().to_string(),
            Uuid::V7 => ::uuid::Uuid::now_v7().hyphenated().to_string(),
        };
        Ok(Attrs::from([
            ("keepers".to_string(), get(planned, "keepers")),
            ("result".to_string(), string(text.as_str())),
            ("id".to_string(), string(text)),
        ]))
    }

    fn import(&self, id: &str) -> Result<Attrs, Diagnostics> {
        let parsed = match self {
            Uuid::Legacy => parse_hyphenated(id),
            // Upstream's google/uuid also reads the braced, URN and bare-hex forms.
            Uuid::V4 | Uuid::V7 => ::uuid::Uuid::parse_str(id).ok(),
        };
        let text = parsed
            .ok_or_else(|| {
                error(
                    "Import Random UUID Error",
                    &format!("{id:?} is not a UUID."),
                )
            })?
            .hyphenated()
            .to_string();
        Ok(Attrs::from([
            ("keepers".to_string(), null_keepers()),
            ("result".to_string(), string(text.as_str())),
            ("id".to_string(), string(text)),
        ]))
    }
}

/// A UUID only in the 36-character hyphenated form, as go-uuid's `ParseUUID` reads it.
fn parse_hyphenated(id: &str) -> Option<::uuid::Uuid> {
    let bytes = id.as_bytes();
    if bytes.len() != 36 || [8, 13, 18, 23].iter().any(|&i| bytes[i] != b'-') {
        return None;
    }
    ::uuid::Uuid::try_parse(id).ok()
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use terrane_engine::value::{Type, Value};

    fn is_uuid_text(text: &str) -> bool {
        text.len() == 36
            && text.char_indices().all(|(i, c)| {
                if [8, 13, 18, 23].contains(&i) {
                    c == '-'
                } else {
                    c.is_ascii_digit() || ('a'..='f').contains(&c)
                }
            })
    }

    #[test]
    fn schema_shape() {
        let schema = crate::provider().schema();
        for t in ["random_uuid", "random_uuid4", "random_uuid7"] {
            let a = &schema.resources[t].block.attributes;
            assert_eq!(a.keys().collect::<Vec<_>>(), ["id", "keepers", "result"]);
            assert!(a["result"].computed && a["id"].computed && a["keepers"].force_new);
        }
    }

    #[tokio::test]
    async fn create_formats() {
        let null = Value::Null(Type::Dynamic);
        let planned = plan("random_uuid", &null, &config("random_uuid", &[])).await;
        assert_eq!(
            attr(&planned.planned_state, "id"),
            Value::Unknown(Type::String)
        );
        for t in ["random_uuid", "random_uuid4", "random_uuid7"] {
            let state = create(t, &[]).await;
            let result = str_attr(&state, "result");
            assert!(is_uuid_text(&result), "{result}");
            assert_eq!(str_attr(&state, "id"), result);
        }
        let v4 = str_attr(&create("random_uuid4", &[]).await, "id");
        assert_eq!(&v4[14..15], "4");
        let v7 = str_attr(&create("random_uuid7", &[]).await, "id");
        assert_eq!(&v7[14..15], "7");
    }

    #[tokio::test]
    async fn keepers_replace() {
        let state = create("random_uuid", &[("keepers", string_map(&[("a", "1")]))]).await;
        let same = config("random_uuid", &[("keepers", string_map(&[("a", "1")]))]);
        assert!(plan("random_uuid", &state, &same)
            .await
            .requires_replace
            .is_empty());
        let removed = config("random_uuid", &[]);
        assert_eq!(
            replaced(&plan("random_uuid", &state, &removed).await),
            ["keepers"]
        );
    }

    #[tokio::test]
    async fn import() {
        let p = crate::provider();
        let upper = "6B1AE3E1-2D2F-4C4B-9B0A-0F6F0C3E7A11";
        let state = p.import("random_uuid", upper).await.unwrap()[0]
            .state
            .clone();
        assert_eq!(str_attr(&state, "result"), upper.to_lowercase());
        assert_eq!(str_attr(&state, "id"), upper.to_lowercase());
        let bare = "6b1ae3e12d2f4c4b9b0a0f6f0c3e7a11";
        assert!(p.import("random_uuid", bare).await.is_err());
        let state = p.import("random_uuid4", bare).await.unwrap()[0]
            .state
            .clone();
        assert_eq!(
            str_attr(&state, "id"),
            "6b1ae3e1-2d2f-4c4b-9b0a-0f6f0c3e7a11"
        );
        assert!(p.import("random_uuid7", "nope").await.is_err());
    }
}
