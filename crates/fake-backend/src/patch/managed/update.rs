//! managedFields after a non-apply write (create, update, patch): the writer's Update entry
//! takes the fields it set or changed from every other manager, and the fields it removed
//! leave every manager. A read-modify-write whose changes the writer alone already owns, and
//! that removes nothing, keeps the stored list as it is, retimed.

use std::sync::LazyLock;

use serde_json::Value;

use either::Either;

use crate::store::JsonRead;

use super::super::compare::{compare, compare_from};
use super::super::fieldset::{FieldSet, PathElement};
use super::{
    Entry, FieldManagement, MAX_UPDATE_MANAGERS, UPDATE, cap_update_managers, decode, encode,
    encoded_seconds, encoded_sort_key, entry_json, managed_fields_of, strip_meta,
    write_managed_fields,
};

/// Records, after a non-apply write (create, update, patch), that `ctx.manager` with operation
/// `Update` owns the fields it set or changed, removing them from other managers; writes
/// `metadata.managedFields` into `new`.
pub fn track_update(old: Option<&Value>, new: &mut Value, ctx: &FieldManagement<'_>) {
    track_update_from(old, new, ctx);
}

/// [`track_update`] from an old version given as a tree or read in place (a stored
/// encoding, decoded only if the general path is needed).
pub(crate) fn track_update_from<'a>(
    old: Option<impl JsonRead<'a>>,
    new: &mut Value,
    ctx: &FieldManagement<'_>,
) {
    if let Some(old) = old
        && keep_stored_ownership(old, new, ctx)
    {
        return;
    }
    let old = old.map(JsonRead::to_value);
    track_every_entry(old.as_deref(), new, ctx);
}

/// [`track_update`]'s general path: every entry decoded, changed, and encoded again.
pub(super) fn track_every_entry(old: Option<&Value>, new: &mut Value, ctx: &FieldManagement<'_>) {
    let incoming = managed_fields_of(new).filter(|l| !l.is_empty() && ctx.subresource.is_none());
    let mut entries = match incoming {
        Some(list) => decode(list),
        None => old
            .and_then(managed_fields_of)
            .map(|l| decode(l))
            .unwrap_or_default(),
    };
    // A new object with no ownership to carry over: its manager owns every field it sets,
    // written straight from the object (the same JSON as the general path below).
    if old.is_none()
        && entries.is_empty()
        && let Some(fields) =
            super::super::fields_v1::of_new_object(new, ctx.root_ty(), ctx.empty_object())
    {
        let list = if fields.is_empty() {
            Vec::new()
        } else {
            // The writer's entry (`Entry::of_writer`), written without the decoded entry's
            // own copies of its strings.
            vec![entry_json(
                ctx.manager,
                UPDATE,
                ctx.api_version,
                Some(ctx.time_value()),
                ctx.subresource.unwrap_or(""),
                Value::Object(fields),
            )]
        };
        write_managed_fields(new, list);
        return;
    }
    // skipNonAppliedManager: an existing object nobody tracks stays untracked on update.
    if old.is_some() && entries.is_empty() {
        encode(new, entries);
        return;
    }
    let ty = ctx.root_ty();
    // A built-in object is compared as the server's Go struct is, with its kind's empty
    // object's fields (`compare`).
    let compared = compare(old, new, ty, ctx.empty_object());
    let (mut diff, mut removed) = (compared.changed, compared.removed);
    strip_meta(&mut diff);
    strip_meta(&mut removed);
    // `Updater.update`: what the write removed leaves every manager's set, the writer's
    // included (an entry left empty goes: `encode` drops it).
    if !removed.is_empty() {
        for e in &mut entries {
            e.set = e.set.difference(&removed);
        }
    }
    // The writer takes what it set or changed from everyone, and its entry the write's time
    // (managedFieldsUpdater: only when it took something).
    if !diff.is_empty() {
        for e in &mut entries {
            e.set = e.set.difference(&diff);
        }
        let me = Entry::of_writer(ctx, UPDATE, diff);
        match entries.iter_mut().find(|e| e.same_identity(&me)) {
            Some(existing) => {
                existing.set.union_with(&me.set);
                existing.time = me.time;
            }
            None => entries.push(me),
        }
        cap_update_managers(&mut entries);
    }
    encode(new, entries);
}

/// The update of a read-modify-write loop, without decoding and re-encoding every entry: the
/// stored list is carried over (absent from the body, or sent back unchanged) and either the
/// update changes nothing or the writer's own Update entry alone already owns every field it
/// changes. No field set changes then; at most the writer's entry gets the write's time and
/// the list is sorted again. The result is what the general path of [`track_update`] writes,
/// because every stored list was written by [`encode`] (no duplicate identifiers, no empty
/// sets, sorted, at most [`MAX_UPDATE_MANAGERS`] entries). Returns false, with `new`
/// unchanged, when a condition does not hold.
pub(super) fn keep_stored_ownership<'a, J: JsonRead<'a>>(
    old: J,
    new: &mut Value,
    ctx: &FieldManagement<'_>,
) -> bool {
    // The stored list is read in place (the old version may be a stored encoding).
    let Some(stored) = old.get("metadata").and_then(|m| m.get("managedFields")) else {
        return false;
    };
    let stored_len = stored.items().map_or(0, Iterator::count);
    if stored_len == 0 {
        return false;
    }
    // Whether the body carries a list of its own (it must then be the stored one, as the
    // diff below tells).
    let sent_back = ctx.subresource.is_none()
        && new
            .get("metadata")
            .and_then(|m| m.get("managedFields"))
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty());
    if stored_len > MAX_UPDATE_MANAGERS {
        return false;
    }
    let entries = || stored.items().into_iter().flatten();
    // An entry's manager, operation, apiVersion and subresource ("" when absent), read in
    // one pass over its members.
    let identity = |entry: J| {
        let mut id = [""; 4];
        for (k, v) in entry.members().into_iter().flatten() {
            let slot = match k {
                "manager" => 0,
                "operation" => 1,
                "apiVersion" => 2,
                "subresource" => 3,
                _ => continue,
            };
            id[slot] = v.as_str().unwrap_or("");
        }
        id
    };
    let writer = [
        ctx.manager,
        UPDATE,
        ctx.api_version,
        ctx.subresource.unwrap_or(""),
    ];
    let compared = compare_from(old, new, ctx.root_ty(), ctx.empty_object());
    let mut diff = compared.changed;
    if sent_back && managed_fields_differ(&diff) {
        return false;
    }
    // A write that removes a field takes it from the managers that own it: the general path.
    let mut removed = compared.removed;
    strip_meta(&mut removed);
    if !removed.is_empty() {
        return false;
    }
    strip_meta(&mut diff);
    let mine = if diff.is_empty() {
        None
    } else {
        let Some(mine) = entries().position(|e| identity(e) == writer) else {
            return false;
        };
        for (i, entry) in entries().enumerate() {
            // Read from the entry's fieldsV1 along the diff's paths, not decoded whole.
            let fields = entry
                .get("fieldsV1")
                .map_or(Either::Left(&Value::Null), Either::Right);
            let unchanged = if i == mine {
                diff.within_fields_v1(fields)
            } else {
                diff.disjoint_from_fields_v1(fields)
            };
            if !unchanged {
                return false;
            }
        }
        Some(mine)
    };
    let mut list = if sent_back {
        match new
            .get_mut("metadata")
            .and_then(|m| m.get_mut("managedFields"))
            .map(Value::take)
        {
            Some(Value::Array(list)) => list,
            _ => return false,
        }
    } else {
        match stored.to_value().into_owned() {
            Value::Array(list) => list,
            _ => return false,
        }
    };
    if let Some(mine) = mine {
        if let Some(entry) = list.get_mut(mine).and_then(Value::as_object_mut) {
            crate::meta::set_member(entry, "time", ctx.time_value());
        }
        // As `encode` sorts (stably, each time parsed once).
        if list.len() > 1 {
            let mut keyed: Vec<(i64, Value)> =
                list.into_iter().map(|e| (encoded_seconds(&e), e)).collect();
            keyed.sort_by(|(ps, p), (qs, q)| {
                encoded_sort_key(p, *ps).cmp(&encoded_sort_key(q, *qs))
            });
            list = keyed.into_iter().map(|(_, e)| e).collect();
        }
    }
    write_managed_fields(new, list);
    true
}

/// Whether the diff of an update (before `strip_meta`) says the body's managedFields differ
/// from the stored ones. `managedFields` is an atomic list of `ObjectMeta` (for built-ins and
/// custom resources alike, `typeinfo`), so any difference is the member itself, found by the
/// same comparison of the stored list with the body's that the diff made anyway.
fn managed_fields_differ(diff: &FieldSet) -> bool {
    static METADATA: LazyLock<PathElement> =
        LazyLock::new(|| PathElement::Field("metadata".into()));
    static MANAGED_FIELDS: LazyLock<PathElement> =
        LazyLock::new(|| PathElement::Field("managedFields".into()));
    diff.child(&METADATA).is_some_and(|meta| {
        meta.has_member(&MANAGED_FIELDS) || meta.child(&MANAGED_FIELDS).is_some()
    })
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
