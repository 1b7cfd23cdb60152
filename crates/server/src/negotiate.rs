//! Content negotiation (rule 54): the first supported entry of `Accept` wins; none supported
//! is a 406. Also the request `Content-Type` of bodies and patches (rule 23).

use kobj_core::{Error, PatchValue, Result};
use kube_core::params::Patch;
use serde_json::Value;

/// What a response is rendered as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// `application/json`.
    Json,
    /// `application/yaml`.
    Yaml,
    /// `application/json;as=Table;g=meta.k8s.io;v=v1` (or `v1beta1`).
    Table,
    /// `application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1`.
    PartialMetadata,
    /// `application/json;as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2`.
    AggregatedDiscovery,
}

/// Which alternative representations an endpoint offers besides plain JSON and YAML.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Offers {
    /// Tables and partial object metadata (GET, list, watch of resources).
    pub tables: bool,
    /// Aggregated discovery (`/api`, `/apis`).
    pub aggregated_discovery: bool,
    /// YAML (not on watch streams).
    pub yaml: bool,
}

/// The first acceptable format of `accept` (a missing or empty header means JSON).
///
/// # Errors
/// 406 NotAcceptable when no entry is supported.
pub(crate) fn negotiate(accept: Option<&str>, offers: Offers) -> Result<Format> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(Format::Json);
    };
    for entry in accept.split(',') {
        let mut parts = entry.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let mut as_kind = None;
        let mut group = None;
        let mut version = None;
        for p in parts {
            let Some((k, v)) = p.split_once('=') else {
                continue;
            };
            let v = v.trim().trim_matches('"');
            match k.trim() {
                "as" => as_kind = Some(v),
                "g" => group = Some(v),
                "v" => version = Some(v),
                _ => {}
            }
        }
        let json_like = matches!(media.as_str(), "application/json" | "application/*" | "*/*");
        if media == "application/yaml" && offers.yaml && as_kind.is_none() {
            return Ok(Format::Yaml);
        }
        if !json_like {
            continue;
        }
        match (as_kind, group, version) {
            (None, _, _) => return Ok(Format::Json),
            (Some("Table"), Some("meta.k8s.io"), Some("v1" | "v1beta1")) if offers.tables => {
                return Ok(Format::Table);
            }
            (
                Some("PartialObjectMetadata" | "PartialObjectMetadataList"),
                Some("meta.k8s.io"),
                Some("v1" | "v1beta1"),
            ) if offers.tables => return Ok(Format::PartialMetadata),
            (Some("APIGroupDiscoveryList"), Some("apidiscovery.k8s.io"), Some("v2"))
                if offers.aggregated_discovery =>
            {
                return Ok(Format::AggregatedDiscovery);
            }
            _ => {}
        }
    }
    let accepted = if offers.yaml {
        "application/json, application/yaml"
    } else {
        "application/json"
    };
    Err(Error::from_parts(
        406,
        "NotAcceptable",
        format!("only the following media types are accepted: {accepted}"),
    ))
}

/// The media type of a `Content-Type` header without parameters, lower-cased.
pub(crate) fn media_type(content_type: Option<&str>) -> Option<String> {
    content_type
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|m| !m.is_empty())
}

/// The body types built-in kinds accept.
const BUILTIN_BODY_TYPES: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
];

/// Decodes a POST or PUT body: JSON by default, YAML when the Content-Type says so, and
/// protobuf for the built-in kinds kubectl's typed clients create (see `proto.rs`).
///
/// # Errors
/// 415 for another media type, 400 for a body that does not decode to an object.
pub(crate) fn decode_object(
    content_type: Option<&str>,
    body: &[u8],
    custom: bool,
) -> Result<Value> {
    let media = media_type(content_type).unwrap_or_else(|| "application/json".into());
    let value: Value = match media.as_str() {
        "application/json" | "*/*" => serde_json::from_slice(body).map_err(|e| {
            Error::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })?,
        "application/yaml" => serde_yaml::from_slice(body).map_err(|e| {
            Error::bad_request(format!("couldn't get version/kind; yaml parse error: {e}"))
        })?,
        crate::proto::MEDIA_TYPE if !custom => crate::proto::decode(body, BUILTIN_BODY_TYPES)?,
        _ => {
            let accepted: &[&str] = if custom {
                &["application/json", "application/yaml"]
            } else {
                BUILTIN_BODY_TYPES
            };
            return Err(Error::unsupported_media_type(accepted));
        }
    };
    if !value.is_object() {
        return Err(Error::bad_request(
            "couldn't get version/kind; json parse error: the body is not a JSON object",
        ));
    }
    Ok(value)
}

/// The strict decoding errors of a JSON body's repeated keys, in document order: `duplicate
/// field "x"` for each key an object repeats (sigs.k8s.io/json's strict decode of an
/// unstructured body names the key alone). Written by hand because serde_json keeps the last
/// value of a repeated key without saying so; a body that does not parse has none (its
/// syntax error is reported elsewhere).
pub(crate) fn duplicate_fields(body: &[u8]) -> Vec<String> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use std::cell::RefCell;

    struct Scan<'a>(&'a RefCell<Vec<String>>);

    impl<'de> DeserializeSeed<'de> for Scan<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Scan<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
            while seq.next_element_seed(Scan(self.0))?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if seen.contains(&key) {
                    self.0.borrow_mut().push(format!("duplicate field {key:?}"));
                } else {
                    seen.insert(key);
                }
                map.next_value_seed(Scan(self.0))?;
            }
            Ok(())
        }
    }

    let found = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_slice(body);
    // Nesting is bounded by serde_json's recursion limit, as for the body's own decode.
    if Scan(&found).deserialize(&mut de).is_err() {
        return Vec::new();
    }
    found.into_inner()
}

/// The patch types a resource accepts (rule 23), in the order the server lists them.
pub(crate) fn patch_types(custom: bool) -> &'static [&'static str] {
    if custom {
        &[
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/apply-patch+yaml",
        ]
    } else {
        &[
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/strategic-merge-patch+json",
            "application/apply-patch+yaml",
        ]
    }
}

/// Decodes a PATCH body by its Content-Type. `strict_decode` is whether the request's
/// `fieldValidation` is Warn (the default) or Strict: the patch handler (`applyJSPatch`) then
/// decodes a JSON or merge patch strictly first, and words its refusals
/// `error decoding patch: …`.
///
/// # Errors
/// 415 for an unsupported patch type (rule 23); 400 for a body that does not decode; 413 for
/// a JSON Patch of more than 10,000 operations (rule 25).
pub(crate) fn decode_patch(
    content_type: Option<&str>,
    body: &[u8],
    custom: bool,
    strict_decode: bool,
) -> Result<PatchValue> {
    let media = media_type(content_type).unwrap_or_default();
    let accepted = patch_types(custom);
    if !accepted.contains(&media.as_str()) {
        return Err(Error::unsupported_media_type(accepted));
    }
    let decoding = |e: String| {
        let strict = strict_decode && media != "application/strategic-merge-patch+json";
        Error::bad_request(if strict {
            format!("error decoding patch: {e}")
        } else {
            e
        })
    };
    let json = |body: &[u8]| -> Result<Value> {
        serde_json::from_slice(body).map_err(|e| decoding(e.to_string()))
    };
    match media.as_str() {
        "application/json-patch+json" => {
            // evanphx/json-patch's `DecodePatch` (the server's): a list of objects, each kept
            // as raw members; what an operation holds is only looked at when it is applied.
            let raw = json(body)?;
            let go_type = |v: &Value| match v {
                Value::Object(_) => "object",
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "bool",
                Value::Null => "null",
            };
            let ops = match &raw {
                // `null` decodes as an empty patch.
                Value::Null => return Ok(Patch::Json(json_patch::Patch(Vec::new()))),
                Value::Array(ops) => ops,
                // The strict decode's target is `[]handlers.jsonPatchOp`; evanphx/json-patch's
                // `DecodePatch` (fieldValidation=Ignore) decodes into `jsonpatch.Patch`.
                other if strict_decode => {
                    return Err(decoding(format!(
                        "json: cannot unmarshal {} into Go value of type []handlers.jsonPatchOp",
                        go_type(other)
                    )));
                }
                other => {
                    return Err(Error::bad_request(format!(
                        "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
                        go_type(other)
                    )));
                }
            };
            if ops.len() > 10_000 {
                return Err(Error::request_entity_too_large(format!(
                    "The allowed maximum operations in a JSON patch is 10000, got {}",
                    ops.len()
                )));
            }
            if let Some(item) = ops.iter().find(|op| !op.is_object() && !op.is_null()) {
                return Err(if strict_decode {
                    decoding(format!(
                        "json: cannot unmarshal {} into Go value of type handlers.jsonPatchOp",
                        go_type(item)
                    ))
                } else {
                    Error::bad_request(format!(
                        "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                        go_type(item)
                    ))
                });
            }
            if strict_decode {
                // `jsonPatchOp`'s string fields take a string or null.
                for op in ops.iter().filter_map(Value::as_object) {
                    for field in ["op", "path", "from"] {
                        if let Some(v) = op.get(field).filter(|v| !v.is_string() && !v.is_null()) {
                            return Err(decoding(format!(
                                "json: cannot unmarshal {} into Go struct field jsonPatchOp.{field} of type string",
                                go_type(v)
                            )));
                        }
                    }
                }
            }
            // An operation the crate cannot read (an unknown `op`, no `path`, no `value`)
            // is one the server's library fails to apply: the same 422 as a failed operation.
            serde_json::from_value::<json_patch::Patch>(raw)
                .map(Patch::Json)
                .map_err(|e| {
                    tracing::debug!(target: "kobj_server", "json patch not applicable: {e}");
                    Error::patch_rejected(None)
                })
        }
        "application/merge-patch+json" => Ok(Patch::Merge(json(body)?)),
        "application/strategic-merge-patch+json" => Ok(Patch::Strategic(json(body)?)),
        _ => {
            let value: Value = match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(_) => serde_yaml::from_slice(body)
                    .map_err(|e| Error::bad_request(format!("error decoding YAML: {e}")))?,
            };
            Ok(Patch::Apply(value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUBECTL_GET: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    const ALL: Offers = Offers {
        tables: true,
        aggregated_discovery: false,
        yaml: true,
    };

    #[test]
    fn first_supported_entry_wins() {
        assert_eq!(negotiate(Some(KUBECTL_GET), ALL).unwrap(), Format::Table);
        assert_eq!(
            negotiate(Some(KUBECTL_GET), Offers::default()).unwrap(),
            Format::Json
        );
        assert_eq!(negotiate(None, ALL).unwrap(), Format::Json);
        assert_eq!(negotiate(Some("*/*"), ALL).unwrap(), Format::Json);
        assert_eq!(
            negotiate(Some("application/yaml"), ALL).unwrap(),
            Format::Yaml
        );
        assert_eq!(
            negotiate(
                Some("application/vnd.kubernetes.protobuf, application/json"),
                ALL
            )
            .unwrap(),
            Format::Json
        );
        let aggregated =
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
        let offers = Offers {
            aggregated_discovery: true,
            ..Offers::default()
        };
        assert_eq!(
            negotiate(Some(aggregated), offers).unwrap(),
            Format::AggregatedDiscovery
        );
        assert_eq!(negotiate(Some(aggregated), ALL).unwrap(), Format::Json);
    }

    #[test]
    fn nothing_supported_is_406() {
        let e = negotiate(Some("application/json;as=Table;v=v9;g=meta.k8s.io"), ALL).unwrap_err();
        assert_eq!(e.code(), Some(406));
        assert_eq!(
            e.status().unwrap().message,
            "only the following media types are accepted: application/json, application/yaml"
        );
        assert!(negotiate(Some("text/html"), ALL).is_err());
    }

    #[test]
    fn patch_content_types() {
        assert!(matches!(
            decode_patch(
                Some("application/merge-patch+json; charset=utf-8"),
                b"{}",
                true,
                false
            )
            .unwrap(),
            Patch::Merge(_)
        ));
        assert!(matches!(
            decode_patch(Some("application/apply-patch+yaml"), b"a: 1\n", true, false).unwrap(),
            Patch::Apply(_)
        ));
        assert!(matches!(
            decode_patch(
                Some("application/json-patch+json"),
                br#"[{"op":"add","path":"/a","value":1}]"#,
                true,
                false
            )
            .unwrap(),
            Patch::Json(_)
        ));
        let e = decode_patch(
            Some("application/strategic-merge-patch+json"),
            b"{}",
            true,
            false,
        )
        .unwrap_err();
        assert!(e.is_unsupported_media_type());
        assert!(
            e.status().unwrap().message.ends_with(
                "accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
            )
        );
        assert!(
            decode_patch(
                Some("application/strategic-merge-patch+json"),
                b"{}",
                false,
                false
            )
            .is_ok()
        );
        assert!(
            decode_patch(None, b"{}", false, false)
                .unwrap_err()
                .is_unsupported_media_type()
        );
        assert!(
            decode_patch(Some("application/json-patch+json"), b"{", true, false)
                .unwrap_err()
                .is_bad_request()
        );
        let many = format!(
            "[{}]",
            vec![r#"{"op":"test","path":"/a","value":1}"#; 10_001].join(",")
        );
        assert_eq!(
            decode_patch(
                Some("application/json-patch+json"),
                many.as_bytes(),
                true,
                false
            )
            .unwrap_err()
            .code(),
            Some(413)
        );
        // As evanphx/json-patch decodes and applies: the shape is checked first (400), an
        // operation it cannot apply is a 422, `null` an empty patch.
        let code_and_message = |body: &str| {
            let e = decode_patch(
                Some("application/json-patch+json"),
                body.as_bytes(),
                true,
                false,
            )
            .unwrap_err();
            (
                e.code(),
                e.status().map(|s| s.message.clone()).unwrap_or_default(),
            )
        };
        assert_eq!(
            code_and_message(r#"{"op":"add"}"#),
            (
                Some(400),
                "json: cannot unmarshal object into Go value of type jsonpatch.Patch".to_string()
            )
        );
        assert_eq!(
            code_and_message("[1]"),
            (
                Some(400),
                "json: cannot unmarshal number into Go value of type jsonpatch.Operation"
                    .to_string()
            )
        );
        for not_applicable in [
            r#"[{"op":"bogus","path":"/data/a"}]"#,
            r#"[{"op":"add","value":1}]"#,
        ] {
            assert_eq!(
                code_and_message(not_applicable),
                (
                    Some(422),
                    "the server rejected our request due to an error in our request".to_string()
                )
            );
        }
        assert!(matches!(
            decode_patch(Some("application/json-patch+json"), b"null", true, false),
            Ok(Patch::Json(p)) if p.0.is_empty()
        ));
    }

    #[test]
    fn repeated_keys_are_found_in_document_order() {
        assert_eq!(
            duplicate_fields(br#"{"b":1,"a":{"x":1,"x":2},"b":[{"y":1,"y":2}],"b":3}"#),
            [
                "duplicate field \"x\"",
                "duplicate field \"b\"",
                "duplicate field \"y\"",
                "duplicate field \"b\""
            ]
        );
        assert!(duplicate_fields(br#"{"a":1,"b":{"a":2}}"#).is_empty());
        assert!(duplicate_fields(b"{bad").is_empty());
    }

    /// With fieldValidation Warn (the default) or Strict, `applyJSPatch` decodes the body
    /// strictly first: into `[]handlers.jsonPatchOp` or a map, `error decoding patch: …`.
    #[test]
    fn strictly_decoded_patch_bodies() {
        let refusal = |media: &str, body: &str| {
            let e = decode_patch(Some(media), body.as_bytes(), true, true).unwrap_err();
            (
                e.code(),
                e.status().map(|s| s.message.clone()).unwrap_or_default(),
            )
        };
        let json_patch = "application/json-patch+json";
        for (body, message) in [
            (
                "{}",
                "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp",
            ),
            (
                "[1]",
                "error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp",
            ),
            (
                r#"[{"op":5,"path":"/a"}]"#,
                "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string",
            ),
            (
                r#"[{"op":"add","path":["a"],"value":1}]"#,
                "error decoding patch: json: cannot unmarshal array into Go struct field jsonPatchOp.path of type string",
            ),
        ] {
            assert_eq!(
                refusal(json_patch, body),
                (Some(400), message.to_string()),
                "{body}"
            );
        }
        let (code, message) = refusal("application/merge-patch+json", "{bad");
        assert_eq!(code, Some(400));
        assert!(message.starts_with("error decoding patch: "), "{message}");
        // A strategic merge patch is not decoded first.
        let (_, message) = refusal("application/strategic-merge-patch+json", "{bad");
        assert!(!message.starts_with("error decoding patch: "), "{message}");
        // A null operation decodes (as Go's zero struct); applying it is what fails (422).
        assert_eq!(refusal(json_patch, "[null]").0, Some(422));
    }

    #[test]
    fn object_bodies() {
        assert!(decode_object(None, br#"{"a":1}"#, true).is_ok());
        assert!(decode_object(Some("application/yaml"), b"a: 1\n", true).is_ok());
        assert!(
            decode_object(Some("text/plain"), b"a", true)
                .unwrap_err()
                .is_unsupported_media_type()
        );
        assert!(
            decode_object(None, b"[1]", true)
                .unwrap_err()
                .is_bad_request()
        );
    }
}
