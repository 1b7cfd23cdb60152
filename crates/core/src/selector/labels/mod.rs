//! Label selectors: a port of `k8s.io/apimachinery/pkg/labels/selector.go`.
//!
//! Why hand-written: kube-core has `Selector`/`Expression` and can match them against labels,
//! but it has no parser for the selector string the API server receives, does not know the
//! `>`/`<` (`gt`/`lt`) operators, and does not validate keys and values. An in-memory backend
//! must accept and reject exactly what a cluster accepts and rejects, with the same error
//! texts, so the lexer, the parser, the validation (`content.IsLabelKey`,
//! `content.IsLabelValue`) and the `field.Error` formatting are reproduced here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector as MetaLabelSelector;

use super::{SelectorError, SelectorKind};

mod lexer;
mod parser;
#[cfg(test)]
mod tests;
mod validation;

use parser::Parser;
use validation::{ValuesKind, go_quote, new_requirement};

/// The relation a [`LabelRequirement`] puts between a label key and its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelOperator {
    /// `k=v`: the label exists and equals `v`.
    Equals,
    /// `k==v`: same as [`Equals`](Self::Equals), kept apart to print back as written.
    DoubleEquals,
    /// `k!=v`: the label is absent or differs from `v`.
    NotEquals,
    /// `k in (a,b)`: the label exists and is one of the values.
    In,
    /// `k notin (a,b)`: the label is absent or is none of the values.
    NotIn,
    /// `k`: the label exists.
    Exists,
    /// `!k`: the label is absent.
    DoesNotExist,
    /// `k>n`: the label exists, is an integer and is greater than `n`.
    GreaterThan,
    /// `k<n`: the label exists, is an integer and is less than `n`.
    LessThan,
}

/// One comma-separated term of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelRequirement {
    key: String,
    operator: LabelOperator,
    values: Vec<String>,
}

/// A parsed label selector: every requirement must hold. Empty selects everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    requirements: Vec<LabelRequirement>,
}

impl LabelRequirement {
    /// The label key (`[prefix/]name`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> LabelOperator {
        self.operator
    }

    /// The values: one for `=`, `==`, `!=`, `>`, `<`; a set for `in`/`notin` (sorted and
    /// deduplicated when parsed from a string); none for exists/does-not-exist.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    fn has_value(&self, value: &str) -> bool {
        self.values.iter().any(|v| v == value)
    }

    /// Whether `labels` satisfy this requirement (`Requirement.Matches`): `!=` and `notin`
    /// also match when the key is missing; `>`/`<` need the label to parse as an `i64`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let found = labels.get(&self.key);
        match self.operator {
            LabelOperator::In | LabelOperator::Equals | LabelOperator::DoubleEquals => {
                found.is_some_and(|v| self.has_value(v))
            }
            LabelOperator::NotIn | LabelOperator::NotEquals => {
                found.is_none_or(|v| !self.has_value(v))
            }
            LabelOperator::Exists => found.is_some(),
            LabelOperator::DoesNotExist => found.is_none(),
            LabelOperator::GreaterThan | LabelOperator::LessThan => {
                let Some(Ok(actual)) = found.map(|v| v.parse::<i64>()) else {
                    return false;
                };
                let [wanted] = self.values.as_slice() else {
                    return false;
                };
                let Ok(wanted) = wanted.parse::<i64>() else {
                    return false;
                };
                if self.operator == LabelOperator::GreaterThan {
                    actual > wanted
                } else {
                    actual < wanted
                }
            }
        }
    }
}

impl fmt::Display for LabelRequirement {
    /// `Requirement.String()`: `in`/`notin` values printed sorted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operator == LabelOperator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let (op, parens) = match self.operator {
            LabelOperator::Equals => ("=", false),
            LabelOperator::DoubleEquals => ("==", false),
            LabelOperator::NotEquals => ("!=", false),
            LabelOperator::In => (" in ", true),
            LabelOperator::NotIn => (" notin ", true),
            LabelOperator::GreaterThan => (">", false),
            LabelOperator::LessThan => ("<", false),
            LabelOperator::Exists | LabelOperator::DoesNotExist => return Ok(()),
        };
        f.write_str(op)?;
        if parens {
            f.write_str("(")?;
        }
        let mut sorted: Vec<&str> = self.values.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        f.write_str(&sorted.join(","))?;
        if parens {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl LabelSelector {
    /// Parses a selector string exactly as `labels.Parse` does. An empty string (or one of
    /// only whitespace) selects everything.
    pub fn parse(selector: &str) -> Result<Self, SelectorError> {
        let mut requirements = Parser::new(selector)
            .parse()
            .map_err(|m| SelectorError::new(SelectorKind::Label, m))?;
        // `sort.Sort(ByKey(items))`; Go's sort is unstable but insertion-sorts short slices,
        // so a stable sort gives the same order for every realistic selector.
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self { requirements })
    }

    /// The requirements, sorted by key.
    pub fn requirements(&self) -> &[LabelRequirement] {
        &self.requirements
    }

    /// Whether the selector has no requirement and so selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether every requirement holds for `labels`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// A selector of `key=value` requirements, one per entry (`labels.SelectorFromSet`, no
    /// validation), as `matchLabels` means.
    pub fn from_map(labels: &BTreeMap<String, String>) -> Self {
        let requirements = labels
            .iter()
            .map(|(k, v)| LabelRequirement {
                key: k.clone(),
                operator: LabelOperator::Equals,
                values: vec![v.clone()],
            })
            .collect();
        Self { requirements }
    }

    /// Converts a `metav1.LabelSelector` the way `metav1.LabelSelectorAsSelector` does:
    /// `matchLabels` become `=` requirements, `matchExpressions` use `In`, `NotIn`, `Exists`
    /// and `DoesNotExist`; every requirement is validated as `labels.NewRequirement` does.
    /// An empty selector selects everything.
    pub fn from_label_selector(sel: &MetaLabelSelector) -> Result<Self, SelectorError> {
        let err = |m: String| SelectorError::new(SelectorKind::Label, m);
        let mut requirements = Vec::new();
        for (k, v) in sel.match_labels.iter().flatten() {
            requirements.push(
                new_requirement(k, LabelOperator::Equals, vec![v.clone()], ValuesKind::Slice)
                    .map_err(err)?,
            );
        }
        for expr in sel.match_expressions.iter().flatten() {
            let op = match expr.operator.as_str() {
                "In" => LabelOperator::In,
                "NotIn" => LabelOperator::NotIn,
                "Exists" => LabelOperator::Exists,
                "DoesNotExist" => LabelOperator::DoesNotExist,
                // helpers.go: fmt.Errorf("%q is not a valid pod selector operator", expr.Operator)
                other => {
                    return Err(err(format!(
                        "{} is not a valid pod selector operator",
                        go_quote(other)
                    )));
                }
            };
            // `append([]string(nil), expr.Values...)` is nil when there are no values.
            let values = expr.values.clone().unwrap_or_default();
            let kind = if values.is_empty() {
                ValuesKind::Nil
            } else {
                ValuesKind::Slice
            };
            requirements.push(new_requirement(&expr.key, op, values, kind).map_err(err)?);
        }
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self { requirements })
    }

    /// The equivalent kube-core selector, for `ListParams::labels_from`.
    ///
    /// Returns `None` when the selector uses `>` or `<`: kube-core's `Expression` has no
    /// variant for them, so such a selector cannot be expressed (send its
    /// [`Display`](fmt::Display) string instead).
    pub fn to_kube_selector(&self) -> Option<kube_core::Selector> {
        use kube_core::Expression;
        self.requirements
            .iter()
            .map(|r| {
                let key = r.key.clone();
                let first = || r.values.first().cloned().unwrap_or_default();
                let set = || r.values.iter().cloned().collect::<BTreeSet<_>>();
                Some(match r.operator {
                    LabelOperator::Equals | LabelOperator::DoubleEquals => {
                        Expression::Equal(key, first())
                    }
                    LabelOperator::NotEquals => Expression::NotEqual(key, first()),
                    LabelOperator::In => Expression::In(key, set()),
                    LabelOperator::NotIn => Expression::NotIn(key, set()),
                    LabelOperator::Exists => Expression::Exists(key),
                    LabelOperator::DoesNotExist => Expression::DoesNotExist(key),
                    LabelOperator::GreaterThan | LabelOperator::LessThan => return None,
                })
            })
            .collect()
    }
}

impl FromStr for LabelSelector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for LabelSelector {
    /// The canonical string (`internalSelector.String()`): requirements sorted by key, joined
    /// by `,`; empty for the select-everything selector.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}
