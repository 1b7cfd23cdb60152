//! Server-side apply (rule 26): the applied configuration merged by field ownership, the
//! fields this manager stopped applying pruned, conflicts with other managers refused unless
//! forced, and the applier's `Apply` entry recorded.

use super::*;

/// The object without `metadata.managedFields`.
fn without_managed_fields(obj: &Value) -> Value {
    let mut copy = obj.clone();
    if let Some(Value::Object(meta)) = copy.get_mut("metadata") {
        meta.remove("managedFields");
    }
    copy
}

/// Server-side apply of `applied` onto `live` (`None` creates): merges by field ownership,
/// removes fields this manager applied before but no longer applies (unless another manager
/// owns them), and records managedFields with operation `Apply`. Returns the new object.
///
/// # Errors
/// - 409 Conflict with one `FieldManagerConflict` cause per field when another manager owns a
///   field whose value the configuration changes and `force` is false.
/// - 400 BadRequest when the configuration's apiVersion or kind is not the object's, when it
///   carries managedFields, or when a keyed list item lacks its keys or repeats one.
pub fn apply(
    live: Option<&Value>,
    applied: &Value,
    ctx: &FieldManagement<'_>,
    force: bool,
) -> Result<Value> {
    apply_resetting(live, applied, ctx, force, &[])
}

/// `apps/v1, Kind=Deployment` (`/v1, Kind=Pod` for the core group), as Go prints a
/// `GroupVersionKind`.
fn group_version_kind(api_version: &str, kind: &str) -> String {
    let (g, v) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    format!("{g}/{v}, Kind={kind}")
}

/// The error of an applied configuration structured-merge-diff cannot type (`ObjectToTyped`
/// in structuredmerge.go): the configuration named by `objectGVKNN` (its own namespace and
/// name, `/web` when it gives no namespace). The handler passes the plain error on, so the
/// server answers 500 with no reason.
pub(crate) fn typed_patch_error(
    applied: &Value,
    api_version: &str,
    kind: &str,
    detail: impl std::fmt::Display,
) -> Error {
    let meta = |k: &str| {
        applied
            .get("metadata")
            .and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    Error::from_parts(
        500,
        "",
        format!(
            "failed to create typed patch object ({}/{}; {}): {detail}",
            meta("namespace"),
            meta("name"),
            group_version_kind(api_version, kind)
        ),
    )
}

/// [`apply`] for an endpoint whose strategy resets the top-level fields `reset` (`status` on
/// the main resource of a type with a status subresource, `spec` on `/status`): nobody owns
/// them through this apply and changing them is no conflict (the `IgnoredFields` the server
/// gives structured-merge-diff from the strategy's `GetResetFields`).
///
/// # Errors
/// As [`apply`].
pub fn apply_resetting(
    live: Option<&Value>,
    applied: &Value,
    ctx: &FieldManagement<'_>,
    force: bool,
    reset: &[&str],
) -> Result<Value> {
    let Value::Object(config) = applied else {
        return Err(Error::bad_request(
            "error decoding YAML: the applied configuration is not an object",
        ));
    };
    let version = config
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if version != ctx.api_version {
        return Err(Error::bad_request(format!(
            "Incorrect version specified in apply patch. Specified patch version: {version}, expected: {}",
            ctx.api_version
        )));
    }
    let kind = config.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind != ctx.kind {
        return Err(typed_patch_error(
            applied,
            ctx.api_version,
            kind,
            format!(
                "no corresponding type for {}",
                group_version_kind(ctx.api_version, kind)
            ),
        ));
    }
    if applied
        .get("metadata")
        .and_then(|m| m.get("managedFields"))
        .is_some_and(|mf| !mf.is_null())
    {
        return Err(Error::bad_request("metadata.managedFields must be nil"));
    }
    let ty = ctx.root_ty();
    // Unstripped until after the prune: structured-merge-diff prunes with the applier's set
    // as the configuration gives it (`metadata.name` included, which keeps `metadata`), and
    // the server strips server-set metadata from the result only (stripmeta.go).
    let mut config_set = to_field_set(applied, ty)
        .map_err(|e| typed_patch_error(applied, ctx.api_version, kind, e))?;
    let reset: Vec<PathElement> = reset
        .iter()
        .map(|f| PathElement::Field((*f).to_string()))
        .collect();
    for pe in &reset {
        config_set.remove_subtree(pe);
    }

    let mut entries = live
        .and_then(managed_fields_of)
        .map(|l| decode(l))
        .unwrap_or_default();
    let live_plain = live.map(without_managed_fields);
    if let (Some(existing), true) = (&live_plain, entries.is_empty()) {
        // skipNonAppliedManager: fields of an untracked object belong to `before-first-apply`.
        let mut set = changed(None, existing, ty, ctx.empty_object());
        strip_meta(&mut set);
        entries.push(Entry {
            manager: BEFORE_FIRST_APPLY.to_string(),
            operation: UPDATE.to_string(),
            api_version: ctx.api_version.to_string(),
            time: Some(ctx.time_value()),
            subresource: String::new(),
            set,
        });
    }
    let empty = Value::Object(Map::new());
    let merged = merge(
        Some(live_plain.as_ref().unwrap_or(&empty)),
        applied,
        ty,
        &mut Vec::new(),
    );

    let mut me = Entry::of_writer(ctx, APPLY, config_set);
    let (last_set, last_time) = match entries.iter().position(|e| e.same_identity(&me)) {
        Some(i) => {
            let last = entries.remove(i);
            (Some(last.set), last.time)
        }
        None => (None, None),
    };

    let new_obj = match last_set {
        Some(last) if !last.is_empty() => prune(merged, &last, &entries, &me.set, ty),
        _ => merged,
    };
    strip_meta(&mut me.set);
    // An apply that changes nothing keeps the applier's time (managedFieldsUpdater sets it
    // only when the object changed), so the entries keep their order and the write is a
    // no-op (rule 14).
    if last_time.is_some() && live_plain.as_ref() == Some(&new_obj) {
        me.time = last_time;
    }

    // `Updater.update`: what the apply adds or changes conflicts with, or (forced) is taken
    // from, the other managers; what it removes (its prune) leaves their sets: a
    // `containers` item the applier dropped goes with the field another manager set in it.
    let compared = compare(live_plain.as_ref(), &new_obj, ty, ctx.empty_object());
    let (mut diff, mut removed) = (compared.changed, compared.removed);
    strip_meta(&mut diff);
    strip_meta(&mut removed);
    for pe in &reset {
        diff.remove_subtree(pe);
        removed.remove_subtree(pe);
    }
    let mut conflicts: Vec<(usize, FieldSet)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let c = e.set.intersection(&diff);
        if !c.is_empty() {
            conflicts.push((i, c));
        }
    }
    if !conflicts.is_empty() {
        if !force {
            // `lastAppliedManager`: kubectl may take over what it client-side applied.
            let allowed = live_plain
                .as_ref()
                .and_then(|live| last_applied::allowed_conflicts(live, ctx, ty));
            let remaining: Vec<(usize, FieldSet)> = match &allowed {
                Some(allowed) => conflicts
                    .iter()
                    .map(|(i, c)| (*i, c.difference(allowed)))
                    .filter(|(_, c)| !c.is_empty())
                    .collect(),
                None => conflicts.clone(),
            };
            if !remaining.is_empty() {
                return Err(conflict_error(&entries, &remaining));
            }
        }
        for (i, c) in &conflicts {
            entries[*i].set = entries[*i].set.difference(c);
        }
    }
    if !removed.is_empty() {
        for e in &mut entries {
            e.set = e.set.difference(&removed);
        }
    }
    entries.push(me);
    cap_update_managers(&mut entries);
    let mut out = new_obj;
    encode(&mut out, entries);
    last_applied::sync_annotation(&mut out, applied, ctx);
    Ok(out)
}

/// Removes what the applier owned before and no longer applies, unless someone owns it
/// (`Updater.prune`, `addBackOwnedItems`, `addBackDanglingItems`).
fn prune(merged: Value, last: &FieldSet, others: &[Entry], mine: &FieldSet, ty: Ty<'_>) -> Value {
    let lenient = |v: &Value| {
        let mut s = crate::patch::typed::to_field_set_lenient(v, ty);
        ensure_named_fields(&mut s, ty);
        s
    };
    let mut last = last.clone();
    ensure_named_fields(&mut last, ty);
    let mut pruned = merged.clone();
    remove_items(&mut pruned, &last, ty);

    let mut managed = mine.clone();
    for e in others {
        managed.union_with(&e.set);
    }
    ensure_named_fields(&mut managed, ty);
    let merged_set = lenient(&merged);
    let mut keep = lenient(&pruned);
    keep.union_with(&managed);
    let mut pruned = merged.clone();
    remove_items(&mut pruned, &merged_set.difference(&keep), ty);

    let dangling = merged_set.difference(&lenient(&pruned)).intersection(&last);
    let mut out = merged;
    remove_items(&mut out, &dangling, ty);
    out
}

/// The 409 for apply conflicts, worded as upstream `conflict.go` words it.
fn conflict_error(entries: &[Entry], conflicts: &[(usize, FieldSet)]) -> Error {
    let mut flat: Vec<(&Entry, String)> = Vec::new();
    let mut sorted: Vec<&(usize, FieldSet)> = conflicts.iter().collect();
    sorted.sort_by_key(|(i, _)| entries[*i].identifier());
    for (i, set) in sorted {
        for p in set.paths() {
            flat.push((&entries[*i], path_string(&p)));
        }
    }
    let message = if let [(e, p)] = flat.as_slice() {
        format!(
            "Apply failed with 1 conflict: conflict with {}: {p}",
            e.printed()
        )
    } else {
        let mut lines = Vec::new();
        let mut current: Option<String> = None;
        for (e, p) in &flat {
            let id = e.identifier();
            if current.as_deref() != Some(&id) {
                lines.push(format!("conflicts with {}:", e.printed()));
                current = Some(id);
            }
            lines.push(format!("- {p}"));
        }
        format!(
            "Apply failed with {} conflicts: {}",
            flat.len(),
            lines.join("\n")
        )
    };
    let causes = flat
        .iter()
        .map(|(e, p)| StatusCause {
            reason: "FieldManagerConflict".to_string(),
            message: format!("conflict with {}", e.printed()),
            field: p.clone(),
        })
        .collect();
    Error::from_parts(409, "Conflict", message).with_details(StatusDetails {
        causes,
        ..empty_details()
    })
}
