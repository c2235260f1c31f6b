//! `random_id`: random bytes presented as URL-safe base64 (the id), standard base64,
//! hexadecimal and decimal, each after an optional prefix. Import ID: `B64URL` or
//! `PREFIX,B64URL`.

use crate::resource::{
    self, check_size, error, get_str, null_keepers, require_i64, string, AttrDef, Attrs,
    ResourceDef, ResourceType,
};
use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use num_bigint::BigUint;
use rand::rngs::OsRng;
use rand::RngCore;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

pub struct Id;

/// Go's `base64.RawURLEncoding`: no padding, and lenient about the unused bits of the last
/// character when decoding.
const RAW_URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

impl ResourceType for Id {
    fn definition(&self) -> ResourceDef {
        ResourceDef {
            version: 0,
            description: "Random bytes meant as unique identifiers, in several encodings.",
            attrs: vec![
                AttrDef::keepers(),
                AttrDef::required("byte_length", Type::Number)
                    .describe("How many random bytes to produce."),
                AttrDef::optional("prefix", Type::String)
                    .describe("Text put before every encoding of the bytes, as it is."),
                AttrDef::result("b64_url", Type::String)
                    .describe("The prefix and the bytes in URL-safe base64 without padding."),
                AttrDef::result("b64_std", Type::String)
                    .describe("The prefix and the bytes in standard padded base64."),
                AttrDef::result("hex", Type::String)
                    .describe("The prefix and the bytes in hexadecimal, two digits a byte."),
                AttrDef::result("dec", Type::String)
                    .describe("The prefix and the bytes read as an unsigned big-endian number."),
                AttrDef::result("id", Type::String)
                    .describe("The bytes in URL-safe base64 without padding or prefix."),
            ],
        }
    }

    fn create(&self, planned: &Attrs) -> Result<Attrs, Diagnostics> {
        let byte_length = require_i64(planned, "byte_length")?;
        let length = check_size("byte_length", byte_length)?;
        let mut bytes = vec![0u8; length];
        OsRng.fill_bytes(&mut bytes);
        let id = RAW_URL.encode(&bytes);
        let mut state = encodings(&bytes, &id, get_str(planned, "prefix").unwrap_or(""));
        state.insert("keepers".into(), resource::get(planned, "keepers"));
        state.insert("byte_length".into(), Value::int(byte_length));
        state.insert("prefix".into(), resource::get(planned, "prefix"));
        Ok(state)
    }

    fn import(&self, id: &str) -> Result<Attrs, Diagnostics> {
        let (prefix, encoded) = match id.rfind(',') {
            Some(comma) => (&id[..comma], &id[comma + 1..]),
            None => ("", id),
        };
        let bytes = RAW_URL.decode(encoded).map_err(|e| {
            error(
                "Import Random ID Error",
                &format!("The ID is not URL-safe base64 without padding: {e}"),
            )
        })?;
        let mut state = encodings(&bytes, encoded, prefix);
        state.insert("keepers".into(), null_keepers());
        state.insert("byte_length".into(), Value::int(bytes.len() as i64));
        let prefix = if prefix.is_empty() {
            Value::Null(Type::String)
        } else {
            string(prefix)
        };
        state.insert("prefix".into(), prefix);
        Ok(state)
    }
}

/// The computed attributes for some bytes, their URL-safe base64 text and a prefix.
fn encodings(bytes: &[u8], id: &str, prefix: &str) -> Attrs {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let dec = BigUint::from_bytes_be(bytes).to_string();
    Attrs::from([
        ("b64_url".to_string(), string(format!("{prefix}{id}"))),
        (
            "b64_std".to_string(),
            string(format!("{prefix}{}", STANDARD.encode(bytes))),
        ),
        ("hex".to_string(), string(format!("{prefix}{hex}"))),
        ("dec".to_string(), string(format!("{prefix}{dec}"))),
        ("id".to_string(), string(id)),
    ])
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use terrane_engine::number::Number;
    use terrane_engine::value::{Type, Value};

    const T: &str = "random_id";

    #[tokio::test]
    async fn schema_shape() {
        let schema = crate::provider().schema().resources[T].clone();
        assert_eq!(schema.version, 0);
        let a = &schema.block.attributes;
        assert!(a["byte_length"].required && a["byte_length"].force_new);
        assert_eq!(a["byte_length"].ty, Type::Number);
        assert!(a["prefix"].optional && a["prefix"].force_new && !a["prefix"].computed);
        assert!(a["keepers"].optional && a["keepers"].force_new);
        assert_eq!(a["keepers"].ty, Type::map(Type::String));
        for name in ["b64_url", "b64_std", "hex", "dec", "id"] {
            assert!(a[name].computed && !a[name].optional && !a[name].sensitive);
        }
        assert_eq!(a.len(), 8);
    }

    #[tokio::test]
    async fn plan_create_leaves_results_unknown() {
        let config = config(T, &[("byte_length", Value::int(4))]);
        let plan = plan(T, &Value::Null(Type::Dynamic), &config).await;
        for name in ["b64_url", "b64_std", "hex", "dec", "id"] {
            assert_eq!(
                attr(&plan.planned_state, name),
                Value::Unknown(Type::String)
            );
        }
        assert_eq!(attr(&plan.planned_state, "byte_length"), Value::int(4));
        assert!(plan.requires_replace.is_empty());
    }

    #[tokio::test]
    async fn apply_encodes_the_same_bytes() {
        let state = create(
            T,
            &[("byte_length", Value::int(8)), ("prefix", "p-".into())],
        )
        .await;
        let id = str_attr(&state, "id");
        assert_eq!(id.len(), 11);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(str_attr(&state, "b64_url"), format!("p-{id}"));
        let hex = str_attr(&state, "hex");
        assert_eq!(hex.len(), 2 + 16);
        let bytes = u64::from_str_radix(&hex[2..], 16).unwrap();
        assert_eq!(str_attr(&state, "dec"), format!("p-{bytes}"));
        assert_eq!(str_attr(&state, "b64_std").len(), 2 + 12);
        assert_eq!(
            attr(&state, "keepers"),
            Value::Null(Type::map(Type::String))
        );
    }

    #[tokio::test]
    async fn keepers_and_arguments_replace() {
        let keepers = string_map(&[("a", "1")]);
        let state = create(
            T,
            &[("byte_length", Value::int(4)), ("keepers", keepers.clone())],
        )
        .await;
        let same = config(T, &[("byte_length", Value::int(4)), ("keepers", keepers)]);
        let unchanged = plan(T, &state, &same).await;
        assert!(unchanged.requires_replace.is_empty());
        assert_eq!(unchanged.planned_state, state);

        let new_keepers = config(
            T,
            &[
                ("byte_length", Value::int(4)),
                ("keepers", string_map(&[("a", "2")])),
            ],
        );
        assert_eq!(replaced(&plan(T, &state, &new_keepers).await), ["keepers"]);
        let longer = config(
            T,
            &[
                ("byte_length", Value::int(5)),
                ("keepers", string_map(&[("a", "1")])),
            ],
        );
        assert_eq!(replaced(&plan(T, &state, &longer).await), ["byte_length"]);
    }

    #[tokio::test]
    async fn numbers_must_be_whole_and_sizes_bounded() {
        let null = Value::Null(Type::Dynamic);
        let half = Value::number(Number::parse("1.5").unwrap());
        let config_half = config(T, &[("byte_length", half)]);
        assert!(plan(T, &null, &config_half).await.diagnostics.has_errors());
        let diags = crate::provider()
            .validate_resource_config(T, &config_half)
            .await;
        assert_eq!(
            diags.iter().next().unwrap().summary,
            "Value Conversion Error"
        );

        let huge = config(T, &[("byte_length", Value::int(1 << 21))]);
        let planned = plan(T, &null, &huge).await;
        assert!(!planned.diagnostics.has_errors());
        let applied = try_apply(T, &null, &planned.planned_state, &huge).await;
        assert!(applied.diagnostics.has_errors());
        let negative = config(T, &[("byte_length", Value::int(-1))]);
        let planned = plan(T, &null, &negative).await;
        let applied = try_apply(T, &null, &planned.planned_state, &negative).await;
        assert!(applied.diagnostics.has_errors());
        // No bytes is allowed, as upstream allows it.
        let empty = create(T, &[("byte_length", Value::int(0))]).await;
        assert_eq!(str_attr(&empty, "id"), "");
        assert_eq!(str_attr(&empty, "dec"), "0");
    }

    #[tokio::test]
    async fn read_keeps_the_state() {
        let state = create(T, &[("byte_length", Value::int(2))]).await;
        let read = crate::provider().read(T, &state, &[]).await.unwrap();
        assert_eq!(read, Some((state, vec![])));
    }

    #[tokio::test]
    async fn import_with_and_without_prefix() {
        let p = crate::provider();
        let imported = p.import(T, "p-,AAEC_w").await.unwrap();
        let state = &imported[0].state;
        assert_eq!(str_attr(state, "id"), "AAEC_w");
        assert_eq!(str_attr(state, "b64_url"), "p-AAEC_w");
        assert_eq!(str_attr(state, "b64_std"), "p-AAEC/w==");
        assert_eq!(str_attr(state, "hex"), "p-000102ff");
        assert_eq!(str_attr(state, "dec"), "p-66303");
        assert_eq!(str_attr(state, "prefix"), "p-");
        assert_eq!(attr(state, "byte_length"), Value::int(4));

        let imported = p.import(T, "7cM").await.unwrap();
        let state = &imported[0].state;
        assert_eq!(attr(state, "prefix"), Value::Null(Type::String));
        assert_eq!(str_attr(state, "hex"), "edc3");
        assert_eq!(str_attr(state, "dec"), "60867");

        // The last comma separates the prefix.
        let imported = p.import(T, "a,b,AQ").await.unwrap();
        assert_eq!(str_attr(&imported[0].state, "prefix"), "a,b");
        assert!(p.import(T, "not base64!").await.is_err());
        assert!(p.import(T, "AQ==").await.is_err());
        // Like Go, the unused low bits of the last character are ignored.
        let imported = p.import(T, "AR").await.unwrap();
        assert_eq!(str_attr(&imported[0].state, "hex"), "01");
        assert_eq!(str_attr(&imported[0].state, "id"), "AR");
    }

    #[tokio::test]
    async fn upgrade_from_current_version_decodes() {
        let raw = serde_json::json!({
            "id": "AQ", "byte_length": 1, "b64_url": "AQ", "b64_std": "AQ==", "hex": "01",
            "dec": "1", "prefix": null, "keepers": {"k": "v"}, "legacy": true
        });
        let state = crate::provider().upgrade_state(T, 0, &raw).await.unwrap();
        assert_eq!(str_attr(&state, "hex"), "01");
        assert_eq!(attr(&state, "keepers"), string_map(&[("k", "v")]));
        assert_eq!(state.as_mapping().unwrap().len(), 8);
        assert!(crate::provider().upgrade_state(T, 1, &raw).await.is_err());
    }
}
