//! RBAC bindings: printers.go's `printRoleBinding` and `printClusterRoleBinding` with
//! `rbac.SubjectsStrings`. Roles and ClusterRoles have no printers.go handler and get the
//! default `Name`/`Created At` table.

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::fields::{self, list, string};
use super::format::age;
use super::{AGE, Col, NAME, Printer, Row, descriptions as d, text};

/// `roleBindingsColumnDefinitions`.
const ROLE_BINDING_COLUMNS: &[Col] = &[
    NAME,
    text("Role", d::RB_ROLE_REF),
    AGE,
    text("Users", "Users in the roleBinding").wide(),
    text("Groups", "Groups in the roleBinding").wide(),
    text("ServiceAccounts", "ServiceAccounts in the roleBinding").wide(),
];

/// The RoleBinding printer.
pub(super) const ROLE_BINDING: Printer = Printer::new(ROLE_BINDING_COLUMNS, print_binding);

/// `clusterRoleBindingsColumnDefinitions`.
const CLUSTER_ROLE_BINDING_COLUMNS: &[Col] = &[
    NAME,
    text("Role", d::CRB_ROLE_REF),
    AGE,
    text("Users", "Users in the clusterRoleBinding").wide(),
    text("Groups", "Groups in the clusterRoleBinding").wide(),
    text(
        "ServiceAccounts",
        "ServiceAccounts in the clusterRoleBinding",
    )
    .wide(),
];

/// The ClusterRoleBinding printer.
pub(super) const CLUSTER_ROLE_BINDING: Printer =
    Printer::new(CLUSTER_ROLE_BINDING_COLUMNS, print_binding);

/// `printRoleBinding` and `printClusterRoleBinding`: the role as `Kind/name`, then the
/// users, groups and service accounts (`namespace/name`), each joined by `, `.
fn print_binding(obj: &Value, now: Timestamp) -> Row {
    let (mut users, mut groups, mut accounts) = (Vec::new(), Vec::new(), Vec::new());
    for subject in list(obj, "subjects") {
        let name = string(subject, "name");
        match string(subject, "kind") {
            "ServiceAccount" => accounts.push(format!("{}/{name}", string(subject, "namespace"))),
            "User" => users.push(name.to_string()),
            "Group" => groups.push(name.to_string()),
            _ => {}
        }
    }
    vec![
        json!(fields::name(obj)),
        json!(format!(
            "{}/{}",
            string(obj, "roleRef.kind"),
            string(obj, "roleRef.name")
        )),
        json!(age(obj, now)),
        json!(users.join(", ")),
        json!(groups.join(", ")),
        json!(accounts.join(", ")),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_list_their_subjects() {
        let now = "2024-05-01T12:00:00Z".parse().unwrap();
        let rb = json!({"metadata": {"name": "rb", "creationTimestamp": "2024-05-01T10:00:00Z"},
            "roleRef": {"kind": "ClusterRole", "name": "view"},
            "subjects": [
                {"kind": "User", "name": "alice"}, {"kind": "Group", "name": "devs"},
                {"kind": "ServiceAccount", "namespace": "ci", "name": "bot"},
                {"kind": "User", "name": "bob"}, {"kind": "Robot", "name": "r2"}]});
        assert_eq!(
            print_binding(&rb, now).cells,
            [
                json!("rb"),
                json!("ClusterRole/view"),
                json!("120m"),
                json!("alice, bob"),
                json!("devs"),
                json!("ci/bot"),
            ]
        );
        assert_eq!(
            print_binding(&json!({"subjects": 3}), now).cells[1..6],
            [
                json!("/"),
                json!("<unknown>"),
                json!(""),
                json!(""),
                json!("")
            ]
        );
    }
}
