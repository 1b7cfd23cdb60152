//! The QoS class the Pod strategy records on create: `ComputePodQOS` of
//! `pkg/apis/core/helper/qos/qos.go` (Kubernetes 1.35, `PodLevelResources` and
//! `PodLevelResourcesFixKubeletQOSClass` on).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// `Guaranteed`, `Burstable` or `BestEffort` for the pod `spec`.
pub(crate) fn pod_qos(spec: &Map<String, Value>) -> &'static str {
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    let mut guaranteed = true;
    let pod_level = spec
        .get("resources")
        .and_then(Value::as_object)
        .filter(|r| pod_level_set(r));
    if let Some(resources) = pod_level {
        add(&mut requests, resources.get("requests"));
        if let Some(Value::Object(l)) = resources.get("limits")
            && !l.is_empty()
        {
            let found = add(&mut limits, resources.get("limits"));
            if found < 2 {
                guaranteed = false;
            }
        }
    } else {
        for list in ["containers", "initContainers"] {
            let Some(Value::Array(containers)) = spec.get(list) else {
                continue;
            };
            for c in containers {
                let resources = c.get("resources");
                add(&mut requests, resources.and_then(|r| r.get("requests")));
                let found = add(&mut limits, resources.and_then(|r| r.get("limits")));
                if found < 2 {
                    guaranteed = false;
                }
            }
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed
        && requests.len() == limits.len()
        && requests.iter().all(|(k, v)| limits.get(k) == Some(v))
    {
        return "Guaranteed";
    }
    "Burstable"
}

/// `isPodLevelResourcesSet`: pod-level requests or limits name a resource supported at
/// pod level (cpu, memory, hugepages-*).
fn pod_level_set(resources: &Map<String, Value>) -> bool {
    ["requests", "limits"].iter().any(|k| {
        resources
            .get(*k)
            .and_then(Value::as_object)
            .is_some_and(|m| {
                m.keys()
                    .any(|n| n == "cpu" || n == "memory" || n.starts_with("hugepages-"))
            })
    })
}

/// Adds the positive cpu and memory quantities of `list` to `into`; returns how many of
/// the two it had.
fn add(into: &mut BTreeMap<&'static str, i128>, list: Option<&Value>) -> usize {
    let Some(Value::Object(list)) = list else {
        return 0;
    };
    let mut found = 0;
    for name in ["cpu", "memory"] {
        let Some(q) = list.get(name).and_then(quantity_nanos) else {
            continue;
        };
        if q > 0 {
            found += 1;
            *into.entry(name).or_insert(0) += q;
        }
    }
    found
}

/// A quantity (`"500m"`, `"1Gi"`, `"1e3"`, `2`) in billionths, rounded up; `None` if it
/// does not parse.
pub(crate) fn quantity_nanos(v: &Value) -> Option<i128> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let text = text.as_str();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-')))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let (negative, number) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number.strip_prefix('+').unwrap_or(number)),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    // value = digits * 10^(exp10 - frac.len()) * 2^exp2
    let (exp10, exp2): (i32, u32) = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        s if s.starts_with(['e', 'E']) => (s[1..].parse().ok()?, 0),
        _ => return None,
    };
    let digits: String = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    let mantissa: i128 = if digits.is_empty() {
        0
    } else if digits.len() > 30 {
        return None;
    } else {
        digits.parse().ok()?
    };
    let scale = exp10 + 9 - i32::try_from(frac.len()).ok()?;
    let mut value = mantissa.checked_mul(1i128.checked_shl(exp2)?)?;
    if scale >= 0 {
        value = value.checked_mul(10i128.checked_pow(u32::try_from(scale).ok()?)?)?;
    } else {
        let div = 10i128.checked_pow(u32::try_from(-scale).ok()?)?;
        value = (value + div - 1) / div;
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{pod_qos, quantity_nanos};

    fn qos(spec: Value) -> &'static str {
        pod_qos(spec.as_object().unwrap_or(&serde_json::Map::new()))
    }

    #[test]
    fn quantities() {
        for (text, nanos) in [
            ("1", 1_000_000_000i128),
            ("500m", 500_000_000),
            ("0.5", 500_000_000),
            ("1Ki", 1_024_000_000_000),
            ("1Gi", 1_073_741_824_000_000_000),
            ("1e3", 1_000_000_000_000),
            ("1k", 1_000_000_000_000),
            ("1n", 1),
            ("0", 0),
        ] {
            assert_eq!(quantity_nanos(&json!(text)), Some(nanos), "{text}");
        }
        assert_eq!(quantity_nanos(&json!(2)), Some(2_000_000_000));
        assert_eq!(quantity_nanos(&json!("abc")), None);
        assert_eq!(quantity_nanos(&json!("1Zi")), None);
        assert_eq!(quantity_nanos(&json!({})), None);
    }

    #[test]
    fn classes() {
        assert_eq!(qos(json!({"containers": [{"name": "c"}]})), "BestEffort");
        let full = json!({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1000m", "memory": "1Gi"}});
        assert_eq!(
            qos(json!({"containers": [{"resources": full}]})),
            "Guaranteed"
        );
        // Every container needs cpu and memory limits.
        assert_eq!(
            qos(json!({"containers": [{"resources": full}, {"name": "bare"}]})),
            "Burstable"
        );
        assert_eq!(
            qos(
                json!({"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m", "memory": "1Gi"}}}]})
            ),
            "Burstable"
        );
        // Zero quantities and other resources do not count.
        assert_eq!(
            qos(
                json!({"containers": [{"resources": {"requests": {"cpu": "0", "ephemeral-storage": "1Gi"}}}]})
            ),
            "BestEffort"
        );
        // Pod-level resources decide when set.
        assert_eq!(
            qos(
                json!({"resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}},
                "containers": [{"name": "c"}]})
            ),
            "Guaranteed"
        );
        assert_eq!(qos(json!({"containers": "x"})), "BestEffort");
    }
}
