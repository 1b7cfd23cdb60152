//! Area `create`: names — generateName and name validation (rules 7, 8).

use kobj_core::ErrorKind;
use kube_core::params::ListParams;
use serde_json::json;

use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::widgets;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            generate_name_appends_five_characters,
            Create,
            [7],
            "generateName adds 5 characters from `bcdfghjklmnpqrstvwxz2456789`"
        ),
        case!(
            generate_name_truncates_long_base,
            Create,
            [7],
            "a generateName base longer than 58 characters is cut to 58"
        ),
        case!(
            generate_name_ignored_when_name_given,
            Create,
            [7],
            "generateName applies only when the name is empty"
        ),
        case!(
            generate_name_gives_distinct_names,
            Create,
            [7],
            "repeated creates with one generateName get distinct names"
        ),
        case!(
            create_without_name_invalid,
            Create,
            [8],
            "neither name nor generateName: 422 `metadata.name: Required value: name or generateName is required`"
        ),
        case!(
            create_bad_name_invalid,
            Create,
            [8],
            "a name that is not an RFC 1123 subdomain is 422 on metadata.name"
        ),
        case!(
            create_overlong_name_invalid,
            Create,
            [8],
            "a 254-character name: `must be no more than 253 characters`"
        ),
        case!(
            create_path_unsafe_names_invalid,
            Create,
            [8],
            "names `.`, `..`, and names with `/` or `%` are refused"
        ),
    ]
}

const GENERATED: &str = "bcdfghjklmnpqrstvwxz2456789";

fn check_generated(name: &str, base: &str) -> Outcome {
    let suffix = name.strip_prefix(base).ok_or_else(|| {
        Failure::new(format!(
            "generated name {name:?} does not start with {base:?}"
        ))
    })?;
    ensure(
        suffix.len() == 5 && suffix.chars().all(|c| GENERATED.contains(c)),
        || format!("generated suffix {suffix:?} of {name:?} is not 5 characters of {GENERATED:?}"),
    )
}

async fn generate_name_appends_five_characters(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = cx
        .create(
            &rt,
            "",
            json!({"metadata": {"generateName": "gen-"}, "spec": {}}),
        )
        .await?;
    check_generated(name_of(&created), "gen-")?;
    ensure_eq(
        "generateName",
        Some("gen-"),
        created.metadata.generate_name.as_deref(),
    )?;
    cx.get(&rt, name_of(&created))
        .await
        .during("get the generated name")?;
    Ok(())
}

async fn generate_name_truncates_long_base(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let base = "a".repeat(70);
    let created = cx
        .create(
            &rt,
            "",
            json!({"metadata": {"generateName": base}, "spec": {}}),
        )
        .await?;
    let name = name_of(&created);
    ensure_eq("length of the generated name", &63, &name.len())?;
    check_generated(name, &base[..58])
}

async fn generate_name_ignored_when_name_given(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = cx
        .create(
            &rt,
            "exact",
            json!({"metadata": {"generateName": "gen-"}, "spec": {}}),
        )
        .await?;
    ensure_eq("name", "exact", name_of(&created))
}

async fn generate_name_gives_distinct_names(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..10 {
        let created = cx
            .create(
                &rt,
                "",
                json!({"metadata": {"generateName": "many-"}, "spec": {}}),
            )
            .await?;
        let name = name_of(&created).to_string();
        check_generated(&name, "many-")?;
        ensure(seen.insert(name.clone()), || {
            format!("{name} was generated twice")
        })?;
    }
    let list = cx.list(&rt, &ListParams::default()).await.during("list")?;
    ensure_eq("stored objects", &10, &list.items.len())
}

async fn create_without_name_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let object = cx.object(&rt, "", json!({"spec": {}}))?;
    let err = expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_message(
        "create",
        &err,
        "Widget.conformance.kobj.dev \"\" is invalid: metadata.name: Required value: name or generateName is required",
    )?;
    expect_cause(
        "create",
        &err,
        "metadata.name",
        Some("FieldValueRequired"),
        "name or generateName is required",
    )
}

async fn create_bad_name_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    for bad in ["Bad_Name", "-leading", "trailing-", "UPPER"] {
        let object = cx.object(&rt, bad, json!({"spec": {}}))?;
        let err = expect_error(
            bad,
            cx.create_with(&rt, &object, &Default::default()).await,
            ErrorKind::Invalid,
        )?;
        expect_message_starts_with(
            bad,
            &err,
            &format!(
                "Widget.conformance.kobj.dev {bad:?} is invalid: metadata.name: Invalid value: {bad:?}: "
            ),
        )?;
        expect_cause(
            bad,
            &err,
            "metadata.name",
            Some("FieldValueInvalid"),
            "a lowercase RFC 1123 subdomain must consist of",
        )?;
    }
    Ok(())
}

async fn create_overlong_name_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let long = "a".repeat(254);
    let object = cx.object(&rt, &long, json!({"spec": {}}))?;
    let err = expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_cause(
        "create",
        &err,
        "metadata.name",
        None,
        "must be no more than 253 characters",
    )?;
    let fits = "a".repeat(253);
    cx.create(&rt, &fits, json!({"spec": {}}))
        .await
        .during("a 253-character name")?;
    Ok(())
}

async fn create_path_unsafe_names_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    for bad in [".", "..", "a/b", "a%b"] {
        let object = cx.object(&rt, bad, json!({"spec": {}}))?;
        let err = expect_error(
            bad,
            cx.create_with(&rt, &object, &Default::default()).await,
            ErrorKind::Invalid,
        )?;
        expect_cause(bad, &err, "metadata.name", None, "")?;
    }
    let list = cx.list(&rt, &ListParams::default()).await.during("list")?;
    ensure_eq("stored objects", &Vec::<String>::new(), &names(&list.items))
}
