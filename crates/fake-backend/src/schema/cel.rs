//! `x-kubernetes-validations` CEL rules (apiextensions `schema/cel/validation.go`), evaluated
//! with the `cel` crate and kube-cel's Kubernetes function libraries.
//!
//! Each rule runs with `self` bound to its node (objects with properties expose escaped field
//! names, maps their keys, resource roots only `apiVersion`, `kind`, `metadata.name` and
//! `metadata.generateName`; `date-time`/`duration`/`byte` strings become timestamps, durations
//! and bytes) and, on update, `oldSelf` bound to the correlated old value. Transition rules are
//! skipped on create, and `optionalOldSelf` rules are skipped when there is no old value (cel
//! 0.13 has no optional types). Unchanged correlated nodes ratchet non-transition failures.

use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    JSONSchemaProps, ValidationRule,
};
use kobj_core::{FieldError, FieldErrorType};
use kube_cel::KubeCelExt;
use kube_cel::cel::{Context, ExecutionError, Program, Value as Cel};
use serde_json::Value;

use super::{Additional, MAX_DEPTH, Path};

mod values;
#[cfg(test)]
use values::escape;
use values::to_cel;

/// A compiled rule (or its parse error) and whether it is a transition rule.
struct Compiled {
    program: Result<Program, String>,
    uses_old_self: bool,
}

/// Programs cached per thread are dropped when the cache grows past this.
const CACHE_LIMIT: usize = 2048;

/// The largest message a `messageExpression` may produce.
const MAX_MESSAGE_BYTES: usize = 5 * 1024;

thread_local! {
    static BASE: Context<'static> = {
        let mut ctx = Context::default();
        ctx.register_all();
        ctx
    };
    static PROGRAMS: RefCell<HashMap<String, Rc<Compiled>>> = RefCell::new(HashMap::new());
}

/// Compiles `source`, from the per-thread cache when possible.
fn compile(source: &str) -> Rc<Compiled> {
    if let Some(hit) = PROGRAMS.with(|p| p.borrow().get(source).cloned()) {
        return hit;
    }
    let program = catch_unwind(|| Program::compile(source))
        .map_err(|_| "the expression could not be parsed".to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
    let uses_old_self = program
        .as_ref()
        .is_ok_and(|p| p.references().has_variable("oldSelf"));
    let compiled = Rc::new(Compiled {
        program,
        uses_old_self,
    });
    PROGRAMS.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= CACHE_LIMIT {
            p.clear();
        }
        p.insert(source.to_string(), Rc::clone(&compiled));
    });
    compiled
}

/// Evaluates all rules of `schema` against `object` (and `old` on update).
pub(crate) fn validate(
    schema: &JSONSchemaProps,
    object: &Value,
    old: Option<&Value>,
) -> Vec<FieldError> {
    if !has_rules(schema, 0) {
        return Vec::new();
    }
    BASE.with(|base| {
        let mut walker = Walker {
            base,
            errors: Vec::new(),
        };
        let unchanged = old.is_some_and(|o| o == object);
        walker.node(schema, object, old, &Path::Root, true, unchanged, 0);
        walker.errors
    })
}

/// Whether any node on the schema's spine has rules.
fn has_rules(s: &JSONSchemaProps, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    s.x_kubernetes_validations
        .as_ref()
        .is_some_and(|r| !r.is_empty())
        || super::items_of(s).is_some_and(|i| has_rules(i, depth + 1))
        || s.properties
            .iter()
            .flatten()
            .any(|(_, p)| has_rules(p, depth + 1))
        || matches!(super::additional_of(s), Some(Additional::Schema(a)) if has_rules(a, depth + 1))
}

struct Walker<'b> {
    base: &'b Context<'static>,
    errors: Vec<FieldError>,
}

impl Walker<'_> {
    #[allow(clippy::too_many_arguments)]
    fn node(
        &mut self,
        s: &JSONSchemaProps,
        x: &Value,
        old: Option<&Value>,
        path: &Path<'_>,
        resource_root: bool,
        unchanged: bool,
        depth: usize,
    ) {
        if x.is_null() || depth > MAX_DEPTH {
            return;
        }
        if let Some(rules) = s
            .x_kubernetes_validations
            .as_deref()
            .filter(|r| !r.is_empty())
        {
            self.rules(s, rules, x, old, path, resource_root, unchanged);
        }
        match x {
            Value::Array(items) => {
                let Some(item_schema) = super::items_of(s) else {
                    return;
                };
                let is_map_list = s.x_kubernetes_list_type.as_deref() == Some("map");
                let old_items = old.and_then(Value::as_array);
                for (i, item) in items.iter().enumerate() {
                    let old_item = if is_map_list {
                        old_items.and_then(|o| super::validate::correlate_item(s, item, o))
                    } else {
                        None
                    };
                    let item_unchanged = if is_map_list {
                        old_item == Some(item)
                    } else {
                        unchanged
                    };
                    let embedded = super::is_embedded(item_schema);
                    self.node(
                        item_schema,
                        item,
                        old_item,
                        &path.index(i),
                        embedded,
                        item_unchanged,
                        depth + 1,
                    );
                }
            }
            Value::Object(map) => {
                let correlatable = s.x_kubernetes_map_type.as_deref() != Some("atomic");
                let old_map = old.and_then(Value::as_object).filter(|_| correlatable);
                let child_unchanged =
                    |k: &str, v: &Value| old_map.and_then(|o| o.get(k)) == Some(v);
                if let Some(Additional::Schema(additional)) = super::additional_of(s) {
                    for (k, v) in map {
                        let old_v = old_map.and_then(|o| o.get(k));
                        let embedded = super::is_embedded(additional);
                        self.node(
                            additional,
                            v,
                            old_v,
                            &path.key(k),
                            embedded,
                            child_unchanged(k, v),
                            depth + 1,
                        );
                    }
                }
                if let Some(properties) = &s.properties {
                    for (k, v) in map {
                        if let Some(prop) = properties.get(k) {
                            let old_v = old_map.and_then(|o| o.get(k));
                            let embedded = super::is_embedded(prop);
                            self.node(
                                prop,
                                v,
                                old_v,
                                &path.field(k),
                                embedded,
                                child_unchanged(k, v),
                                depth + 1,
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn rules(
        &mut self,
        s: &JSONSchemaProps,
        rules: &[ValidationRule],
        x: &Value,
        old: Option<&Value>,
        path: &Path<'_>,
        resource_root: bool,
        unchanged: bool,
    ) {
        let ty = super::type_of(s);
        let self_value = to_cel(x, Some(s), resource_root, 0);
        let mut old_value: Option<Cel> = None;
        for rule in rules {
            let compiled = compile(&rule.rule);
            let program = match &compiled.program {
                Ok(p) => p,
                Err(err) => {
                    self.errors.push(FieldError::invalid(
                        path.field_path(),
                        Value::String(ty.to_string()),
                        format!("rule compile error: {err}"),
                    ));
                    continue;
                }
            };
            let optional_old_self = rule.optional_old_self == Some(true);
            if (compiled.uses_old_self || optional_old_self) && old.is_none() {
                continue;
            }
            let mut ctx = self.base.new_inner_scope();
            ctx.add_variable_from_value("self", self_value.clone());
            if let Some(o) = old {
                let o = old_value.get_or_insert_with(|| to_cel(o, Some(s), resource_root, 0));
                ctx.add_variable_from_value("oldSelf", o.clone());
            }
            let result = catch_unwind(AssertUnwindSafe(|| program.execute(&ctx)));
            let passed = match result {
                Ok(Ok(Cel::Bool(true))) => true,
                Ok(Ok(_)) => false,
                Ok(Err(err)) => {
                    self.errors.push(FieldError::invalid(
                        path.field_path(),
                        Value::String(ty.to_string()),
                        evaluation_error(&err, rule),
                    ));
                    continue;
                }
                Err(_) => {
                    self.errors.push(FieldError::invalid(
                        path.field_path(),
                        Value::String(ty.to_string()),
                        format!(
                            "internal error evaluating rule: {}",
                            rule_error_string(rule)
                        ),
                    ));
                    continue;
                }
            };
            if passed || (!compiled.uses_old_self && unchanged) {
                continue;
            }
            let detail = rule
                .message_expression
                .as_deref()
                .filter(|m| !m.trim().is_empty())
                .and_then(|expr| message_expression(expr, &ctx))
                .unwrap_or_else(|| rule_message_or_default(rule));
            let mut field = path.field_path();
            if let Some(fp) = rule.field_path.as_deref().filter(|f| !f.is_empty())
                && let Some(normalized) = normalize_field_path(fp, s)
            {
                field = if matches!(path, Path::Root) {
                    normalized
                } else {
                    format!("{field}.{normalized}")
                };
            }
            let value = (!matches!(x, Value::Object(_) | Value::Array(_))).then(|| x.clone());
            self.errors.push(match rule.reason.as_deref() {
                Some("FieldValueForbidden") => FieldError::forbidden(field, detail),
                Some("FieldValueRequired") => FieldError::required(field, detail),
                Some("FieldValueDuplicate") => {
                    FieldError::new(FieldErrorType::Duplicate, field, value, "")
                }
                _ => FieldError::new(FieldErrorType::Invalid, field, value, detail),
            });
        }
    }
}

/// The text of a rule that failed to evaluate.
fn evaluation_error(err: &ExecutionError, rule: &ValidationRule) -> String {
    let rule_text = rule_error_string(rule);
    let go_text = match err {
        ExecutionError::NoSuchKey(key) => format!("no such key: {key}"),
        ExecutionError::DivisionByZero(_) => "division by zero".to_string(),
        ExecutionError::RemainderByZero(_) => "modulus by zero".to_string(),
        ExecutionError::Overflow(..) => "integer overflow".to_string(),
        ExecutionError::IndexOutOfBounds(index) => {
            format!("index out of bounds: {}", cel_text(index))
        }
        ExecutionError::UndeclaredReference(name) => format!("undeclared reference to '{name}'"),
        ExecutionError::NoSuchOverload
        | ExecutionError::UnsupportedBinaryOperator(..)
        | ExecutionError::UnsupportedUnaryOperator(..)
        | ExecutionError::ValuesNotComparable(..)
        | ExecutionError::UnexpectedType { .. }
        | ExecutionError::UnsupportedTargetType { .. }
        | ExecutionError::NotSupportedAsMethod { .. } => {
            return format!(
                "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: {rule_text}"
            );
        }
        other => other.to_string(),
    };
    format!("{go_text} evaluating rule: {rule_text}")
}

fn cel_text(value: &Cel) -> String {
    match value {
        Cel::Int(i) => i.to_string(),
        Cel::UInt(u) => u.to_string(),
        other => format!("{other:?}"),
    }
}

/// The failure detail: the trimmed message, else `failed rule: <rule>`.
fn rule_message_or_default(rule: &ValidationRule) -> String {
    match rule
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(message) => message.to_string(),
        None => format!("failed rule: {}", rule_error_string(rule)),
    }
}

/// `ruleErrorString`: the trimmed message if set, else the trimmed rule.
fn rule_error_string(rule: &ValidationRule) -> String {
    match rule
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(message) => message.to_string(),
        None => rule.rule.trim().to_string(),
    }
}

/// Evaluates a `messageExpression`; `None` when it fails or gives an unusable message.
fn message_expression(expr: &str, ctx: &Context<'_>) -> Option<String> {
    let compiled = compile(expr);
    let program = compiled.program.as_ref().ok()?;
    let result = catch_unwind(AssertUnwindSafe(|| program.execute(ctx)))
        .ok()?
        .ok()?;
    let Cel::String(text) = result else {
        return None;
    };
    let trimmed = text.trim();
    (!trimmed.is_empty() && trimmed.len() <= MAX_MESSAGE_BYTES && !trimmed.contains('\n'))
        .then(|| trimmed.to_string())
}

/// `ValidFieldPath`: the rule's `fieldPath` as a field path relative to the node (`a.b`,
/// `m[key]`), or `None` when it does not name a field of the schema.
fn normalize_field_path(field_path: &str, s: &JSONSchemaProps) -> Option<String> {
    let mut out = String::new();
    let mut schema = s;
    let mut rest = field_path;
    let step = |name: &str, out: &mut String, schema: &mut &JSONSchemaProps| -> Option<()> {
        if let Some(properties) = &schema.properties {
            *schema = properties.get(name)?;
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(name);
        } else if let Some(Additional::Schema(a)) = super::additional_of(schema) {
            *schema = a;
            out.push('[');
            out.push_str(name);
            out.push(']');
        } else {
            return None;
        }
        Some(())
    };
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[', ']']).unwrap_or(after.len());
            if end == 0 {
                return None;
            }
            step(&after[..end], &mut out, &mut schema)?;
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("['") {
            let mut end = None;
            let bytes = after.as_bytes();
            for i in 0..bytes.len() {
                if bytes[i] == b'\'' && (i == 0 || bytes[i - 1] != b'\\') {
                    end = Some(i);
                    break;
                }
            }
            let end = end?;
            let name = after[..end].replace("\\'", "'").replace("\\\\", "\\");
            let after_quote = after[end + 1..].strip_prefix(']')?;
            step(&name, &mut out, &mut schema)?;
            rest = after_quote;
        } else {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The CRD-time checks of a node's `x-kubernetes-validations` (rules present, messages
/// single-line, reasons known, expressions parse).
pub(crate) fn check_rules(
    s: &JSONSchemaProps,
    path: &str,
    _is_root: bool,
    errs: &mut Vec<FieldError>,
) {
    const REASONS: &[&str] = &[
        "FieldValueDuplicate",
        "FieldValueForbidden",
        "FieldValueInvalid",
        "FieldValueRequired",
    ];
    for (i, rule) in s.x_kubernetes_validations.iter().flatten().enumerate() {
        let at = |field: &str| format!("{path}.x-kubernetes-validations[{i}].{field}");
        let trimmed_rule = rule.rule.trim();
        let message = rule.message.as_deref().unwrap_or("");
        let trimmed_message = message.trim();
        if trimmed_rule.is_empty() {
            errs.push(FieldError::required(at("rule"), "rule is not specified"));
        } else if !message.is_empty() && trimmed_message.is_empty() {
            errs.push(FieldError::invalid(
                at("message"),
                Value::String(message.to_string()),
                "message must be non-empty if specified",
            ));
        } else if trimmed_message.contains(['\n', '\r']) {
            errs.push(FieldError::invalid(
                at("message"),
                Value::String(message.to_string()),
                "message must not contain line breaks",
            ));
        } else if trimmed_rule.contains(['\n', '\r']) && trimmed_message.is_empty() {
            errs.push(FieldError::required(
                at("message"),
                "message must be specified if rule contains line breaks",
            ));
        }
        if let Some(reason) = rule.reason.as_deref()
            && !REASONS.contains(&reason)
        {
            errs.push(super::structural::not_supported(
                at("reason"),
                reason,
                REASONS,
            ));
        }
        let rule_json = || serde_json::to_value(rule).unwrap_or(Value::Null);
        if !trimmed_rule.is_empty()
            && let Err(err) = &compile(&rule.rule).program
        {
            errs.push(FieldError::invalid(
                at("rule"),
                rule_json(),
                format!("compilation failed: {err}"),
            ));
        }
        if let Some(expr) = rule
            .message_expression
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            && let Err(err) = &compile(expr).program
        {
            errs.push(FieldError::invalid(
                at("messageExpression"),
                rule_json(),
                format!("messageExpression compilation failed: {err}"),
            ));
        }
    }
}

#[cfg(test)]
#[path = "cel_tests.rs"]
mod tests;
