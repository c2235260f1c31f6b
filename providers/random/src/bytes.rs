//! `random_bytes`: sensitive random bytes as base64 and hexadecimal. It has no `id`
//! attribute. Import ID: the bytes in standard base64.

use crate::resource::{
    check_size, error, get, get_i64, null_keepers, require_i64, string, AttrDef, Attrs, Replace,
    ResourceDef, ResourceType,
};
use base64::alphabet::STANDARD as STANDARD_ALPHABET;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use terrane_engine::diag::Diagnostics;
use terrane_engine::provider::framework::invalid_value;
use terrane_engine::value::{Type, Value};

pub struct Bytes;

/// Go's `base64.StdEncoding`: padded, lenient about the unused bits of the last character.
const STD: GeneralPurpose = GeneralPurpose::new(
    &STANDARD_ALPHABET,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

impl ResourceType for Bytes {
    fn definition(&self) -> ResourceDef {
        ResourceDef {
            version: 0,
            description: "Sensitive random bytes, as base64 and as hexadecimal.",
            attrs: vec![
                // Upstream uses the plain RequiresReplace here, not the keepers rule.
                AttrDef::keepers().replace(Replace::OnChange),
                AttrDef::required("length", Type::Number)
                    .describe("How many random bytes to produce (at least 1)."),
                AttrDef::result("base64", Type::String)
                    .sensitive()
                    .describe("The bytes in standard padded base64."),
                AttrDef::result("hex", Type::String)
                    .sensitive()
                    .describe("The bytes in lowercase hexadecimal, two digits a byte."),
            ],
        }
    }

    fn validate(&self, config: &Attrs) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(length) = get_i64(config, "length") {
            if length < 1 {
                diags.push(invalid_value("length", "at least 1", &length.to_string()));
            }
        }
        diags
    }

    fn create(&self, planned: &Attrs) -> Result<Attrs, Diagnostics> {
        let length = require_i64(planned, "length")?;
        let size = check_size("length", length)?;
        let mut bytes = vec![0u8; size];
        OsRng.fill_bytes(&mut bytes);
        Ok(Attrs::from([
            ("length".to_string(), Value::int(length)),
            ("keepers".to_string(), get(planned, "keepers")),
            ("base64".to_string(), string(STD.encode(&bytes))),
            ("hex".to_string(), string(hex(&bytes))),
        ]))
    }

    fn import(&self, id: &str) -> Result<Attrs, Diagnostics> {
        let bytes = STD.decode(id).map_err(|e| {
            error(
                "Import Random Bytes Error",
                &format!("The ID is not standard padded base64: {e}"),
            )
        })?;
        Ok(Attrs::from([
            ("length".to_string(), Value::int(bytes.len() as i64)),
            ("keepers".to_string(), null_keepers()),
            ("base64".to_string(), string(id)),
            ("hex".to_string(), string(hex(&bytes))),
        ]))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use terrane_engine::value::{Type, Value};

    const T: &str = "random_bytes";

    #[test]
    fn schema_shape() {
        let schema = crate::provider().schema().resources[T].clone();
        let a = &schema.block.attributes;
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            ["base64", "hex", "keepers", "length"]
        );
        assert!(a["length"].required && a["length"].force_new);
        assert!(a["base64"].computed && a["base64"].sensitive);
        assert!(a["hex"].computed && a["hex"].sensitive);
        assert!(a["keepers"].force_new);
    }

    #[tokio::test]
    async fn create_and_formats() {
        let config = config(T, &[("length", Value::int(32))]);
        let planned = plan(T, &Value::Null(Type::Dynamic), &config).await;
        assert_eq!(
            attr(&planned.planned_state, "hex"),
            Value::Unknown(Type::String)
        );
        let state = apply(
            T,
            &Value::Null(Type::Dynamic),
            &planned.planned_state,
            &config,
        )
        .await;
        let hex = str_attr(&state, "hex");
        assert_eq!(hex.len(), 64);
        assert!(hex
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(str_attr(&state, "base64").len(), 44);
        assert!(str_attr(&state, "base64").ends_with('='));
    }

    #[tokio::test]
    async fn keepers_replace_on_any_change() {
        let state = create(T, &[("length", Value::int(4))]).await;
        // Unlike the keepers rule of the other resources, an empty map replaces a null one.
        let config = config(
            T,
            &[("length", Value::int(4)), ("keepers", string_map(&[]))],
        );
        assert_eq!(replaced(&plan(T, &state, &config).await), ["keepers"]);
    }

    #[tokio::test]
    async fn validation() {
        let p = crate::provider();
        let diags = p
            .validate_resource_config(T, &config(T, &[("length", Value::int(0))]))
            .await;
        assert_eq!(
            diags.iter().next().unwrap().detail,
            "Attribute length value must be at least 1, got: 0"
        );
        let ok = p
            .validate_resource_config(T, &config(T, &[("length", Value::int(1))]))
            .await;
        assert!(ok.is_empty());
    }

    #[tokio::test]
    async fn import() {
        let p = crate::provider();
        let imported = p.import(T, "aGVsbG8=").await.unwrap();
        let state = &imported[0].state;
        assert_eq!(str_attr(state, "hex"), "68656c6c6f");
        assert_eq!(str_attr(state, "base64"), "aGVsbG8=");
        assert_eq!(attr(state, "length"), Value::int(5));
        assert_eq!(attr(state, "keepers"), Value::Null(Type::map(Type::String)));
        assert!(p.import(T, "aGVsbG8").await.is_err());
    }
}
