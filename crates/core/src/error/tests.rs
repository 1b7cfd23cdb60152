//! Tests of the error model and its Status texts.

use super::*;
use kube_core::{ApiResource, GroupVersionKind};

fn widgets() -> ResourceType {
    let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
    ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "widgets"))
}

fn configmaps() -> ResourceType {
    let gvk = GroupVersionKind::gvk("", "v1", "ConfigMap");
    ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "configmaps"))
}

#[test]
fn not_found_text_and_details_follow_the_server() {
    let e = Error::not_found(&widgets(), "a");
    assert!(e.is_not_found());
    let s = e.status().unwrap();
    assert_eq!(s.code, 404);
    assert_eq!(s.message, r#"widgets.example.com "a" not found"#);
    let d = s.details.as_ref().unwrap();
    assert_eq!(
        (d.kind.as_str(), d.group.as_str(), d.name.as_str()),
        ("widgets", "example.com", "a")
    );
    // core group: no group suffix, no details.group
    let e = Error::not_found(&configmaps(), "b");
    assert_eq!(e.status().unwrap().message, r#"configmaps "b" not found"#);
    assert!(
        e.status()
            .unwrap()
            .details
            .as_ref()
            .unwrap()
            .group
            .is_empty()
    );
}

#[test]
fn conflict_and_already_exists_texts() {
    let e = Error::stale(&widgets(), "a");
    assert!(e.is_conflict() && !e.is_already_exists());
    assert_eq!(
        e.status().unwrap().message,
        "Operation cannot be fulfilled on widgets.example.com \"a\": the object has been modified; please apply your changes to the latest version and try again"
    );
    let e = Error::already_exists(&configmaps(), "x");
    assert!(e.is_already_exists() && !e.is_conflict());
    assert_eq!(e.code(), Some(409));
    assert_eq!(
        e.status().unwrap().message,
        r#"configmaps "x" already exists"#
    );
}

#[test]
fn invalid_uses_the_kind_and_joins_causes() {
    let errs = [
        FieldError::new(
            FieldErrorType::Invalid,
            "spec.r",
            Some("x".into()),
            "spec.r in body must be of type integer: \"string\"",
        ),
        FieldError::required("spec.name", ""),
    ];
    let e = Error::invalid(&widgets(), "a", &errs);
    assert!(e.is_invalid());
    assert_eq!(e.code(), Some(422));
    assert_eq!(
        e.status().unwrap().message,
        "Widget.example.com \"a\" is invalid: [spec.r: Invalid value: \"x\": spec.r in body must be of type integer: \"string\", spec.name: Required value]"
    );
    let causes = e.causes();
    assert_eq!(causes.len(), 2);
    assert_eq!(causes[0].reason, "FieldValueInvalid");
    assert_eq!(causes[0].field, "spec.r");
    assert_eq!(
        causes[0].message,
        "Invalid value: \"x\": spec.r in body must be of type integer: \"string\""
    );
    assert_eq!(causes[1].reason, "FieldValueRequired");
    assert_eq!(e.status().unwrap().details.as_ref().unwrap().kind, "Widget");
}

#[test]
fn field_error_values_print_as_the_server_prints_them() {
    let e = FieldError::invalid(
        "metadata.resourceVersion",
        serde_json::json!(0),
        "must be specified for an update",
    );
    assert_eq!(
        e.to_string(),
        "metadata.resourceVersion: Invalid value: 0: must be specified for an update"
    );
    let e = FieldError::new(
        FieldErrorType::NotSupported,
        "spec.mode",
        Some("c".into()),
        "supported values: \"a\", \"b\"",
    );
    assert_eq!(
        e.to_string(),
        "spec.mode: Unsupported value: \"c\": supported values: \"a\", \"b\""
    );
    // Required and Forbidden never print the value
    let e = FieldError::new(
        FieldErrorType::Forbidden,
        "metadata.finalizers",
        Some("x".into()),
        "no new finalizers",
    );
    assert_eq!(
        e.to_string(),
        "metadata.finalizers: Forbidden: no new finalizers"
    );
}

#[test]
fn classification_falls_back_to_the_http_code() {
    let plain_404 = Error::from_parts(404, "", "404 page not found");
    assert!(plain_404.is_not_found());
    assert_eq!(
        Error::from_parts(410, "Expired", "too old").kind(),
        ErrorKind::Expired
    );
    assert!(Error::from_parts(410, "Gone", "gone").is_expired());
    assert_eq!(
        Error::from_parts(418, "Teapot", "?").kind(),
        ErrorKind::Other
    );
    assert!(Error::timeout("x").is_timeout());
    assert_eq!(
        Error::timeout("slow").status().unwrap().message,
        "Timeout: slow"
    );
    let e = Error::too_many_requests("slow down", 3);
    assert!(e.is_too_many_requests());
    assert_eq!(e.retry_after_seconds(), Some(3));
    assert!(Error::internal("boom").is_internal());
    assert!(Error::transport("connection refused", None).is_transport());
    assert!(Error::decode("bad json", None).is_decode());
    assert_eq!(Error::config("no file", None).kind(), ErrorKind::Config);
    assert!(Error::unauthorized("Unauthorized").is_unauthorized());
    assert!(Error::method_not_allowed(&widgets(), "deletecollection").is_method_not_allowed());
    assert!(Error::unsupported_media_type(&["application/json"]).is_unsupported_media_type());
}

#[test]
fn forbidden_with_and_without_name() {
    let e = Error::forbidden(
        &widgets(),
        "a",
        "unable to create new content in namespace x because it is being terminated",
    );
    assert!(e.is_forbidden());
    assert_eq!(
        e.status().unwrap().message,
        "widgets.example.com \"a\" is forbidden: unable to create new content in namespace x because it is being terminated"
    );
    let e = Error::forbidden(&widgets(), "", "nope");
    assert_eq!(
        e.status().unwrap().message,
        "widgets.example.com is forbidden: nope"
    );
}

#[test]
fn selector_errors_become_bad_requests_with_the_parser_text() {
    let err = crate::selector::LabelSelector::parse("a in (b").unwrap_err();
    let e = Error::from(err.clone());
    assert!(e.is_bad_request());
    assert_eq!(e.status().unwrap().message, err.message());
}

#[test]
fn a_field_error_about_the_whole_object_keeps_the_empty_path() {
    // Go's `field.Error.Error()` is `"%s: %s"` of the path and the body, even for
    // `field.NewPath("")` (a static Pod given ephemeral containers).
    let e = FieldError::forbidden("", "static pods do not support ephemeral containers");
    assert_eq!(
        e.to_string(),
        ": Forbidden: static pods do not support ephemeral containers"
    );
    assert_eq!(e.to_cause().field, "");
}
