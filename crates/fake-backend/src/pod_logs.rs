//! Container logs, for `GET pods/<name>/log` (`kubectl logs`, kube-rs `Api::<Pod>::logs`).
//!
//! A real API server asks the Pod's kubelet for them; the fake has no kubelet, so tests write
//! the lines a container printed ([`FakeCluster::append_container_log`]) and the fake serves
//! them with the server's checks (`ValidatePodLogOptions`, `validateContainer`, a Pod not yet
//! scheduled answering an empty log) and the kubelet's options (`tailLines`, `limitBytes`,
//! `sinceSeconds`, `sinceTime`, `timestamps`, `previous`). Logs belong to the Pod's uid, so a
//! Pod deleted and created again under its name starts with none, and a fork copies them.
//!
//! Written by hand: the log store is the kubelet's part, which no library plays.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kobj_core::{Error, FieldError, ResourceType, Result};
use kube_core::DynamicObject;
use kube_core::subresource::LogParams;
use serde_json::{Map, Value};

use crate::actions::Verb;
use crate::cluster::FakeCluster;
use crate::verbs::gate::Call;

/// One line a container printed, with the time it was written (the fake clock's).
#[derive(Clone, Debug)]
struct Line {
    at: Timestamp,
    text: String,
}

/// Which run of a container a log is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Run {
    Current,
    Previous,
}

/// The logs of every container, by Pod uid, container name and run.
#[derive(Debug, Default)]
pub(crate) struct ContainerLogs(Mutex<HashMap<(String, String, Run), Vec<Line>>>);

impl ContainerLogs {
    /// An independent copy (for [`FakeCluster::fork`]).
    pub(crate) fn fork(&self) -> Self {
        Self(Mutex::new(self.lock().clone()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String, Run), Vec<Line>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn pods() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Pod>()
}

/// The names of a Pod's containers, init containers and ephemeral containers, in the order
/// `podutil.VisitContainers` visits them (init, regular, ephemeral).
fn container_names(pod: &DynamicObject) -> Vec<&str> {
    ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .filter_map(|list| pod.data["spec"][*list].as_array())
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect()
}

/// The container a request names, or the Pod's only container (`validateContainer`).
fn resolve_container(pod: &DynamicObject, name: &str, given: Option<&str>) -> Result<String> {
    let names = container_names(pod);
    match given.filter(|c| !c.is_empty()) {
        Some(c) if names.contains(&c) => Ok(c.to_string()),
        Some(c) => Err(Error::bad_request(format!(
            "container {c} is not valid for pod {name}"
        ))),
        None => {
            let regular = pod.data["spec"]["containers"]
                .as_array()
                .map_or(&[][..], Vec::as_slice);
            match regular {
                [only] => Ok(only["name"].as_str().unwrap_or_default().to_string()),
                [] => Err(Error::bad_request(format!(
                    "pod {name} does not have a container"
                ))),
                _ => Err(Error::bad_request(format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    names.join(" ")
                ))),
            }
        }
    }
}

/// `ValidatePodLogOptions`: 422 `PodLogOptions "<pod>" is invalid: …`.
fn validate_options(name: &str, p: &LogParams) -> Result<()> {
    let mut errs = Vec::new();
    if let Some(n) = p.tail_lines.filter(|n| *n < 0) {
        errs.push(FieldError::invalid(
            "tailLines",
            n.into(),
            "must be greater than or equal to 0",
        ));
    }
    if let Some(n) = p.limit_bytes.filter(|n| *n < 1) {
        errs.push(FieldError::invalid(
            "limitBytes",
            n.into(),
            "must be greater than 0",
        ));
    }
    match (p.since_seconds, p.since_time) {
        (Some(_), Some(_)) => errs.push(FieldError::forbidden(
            "",
            "at most one of `sinceTime` or `sinceSeconds` may be specified",
        )),
        (Some(n), None) if n < 1 => errs.push(FieldError::invalid(
            "sinceSeconds",
            n.into(),
            "must be greater than 0",
        )),
        _ => {}
    }
    if errs.is_empty() {
        return Ok(());
    }
    Err(Error::invalid_kind(
        "PodLogOptions",
        "PodLogOptions",
        "",
        name,
        &errs,
    ))
}

/// The action log's parameters of a log request.
fn params_of(p: &LogParams) -> Value {
    let mut map = Map::new();
    let mut put = |k: &str, v: Value| {
        map.insert(k.to_string(), v);
    };
    if let Some(c) = &p.container {
        put("container", c.clone().into());
    }
    if let Some(n) = p.tail_lines {
        put("tailLines", n.into());
    }
    if let Some(n) = p.limit_bytes {
        put("limitBytes", n.into());
    }
    if let Some(n) = p.since_seconds {
        put("sinceSeconds", n.into());
    }
    if let Some(t) = p.since_time {
        put("sinceTime", t.to_string().into());
    }
    for (k, on) in [
        ("follow", p.follow),
        ("previous", p.previous),
        ("timestamps", p.timestamps),
    ] {
        if on {
            put(k, true.into());
        }
    }
    Value::Object(map)
}

/// A line's time as the kubelet prints it with `timestamps=true`: RFC 3339 with nine
/// fractional digits, always (`timeFormatOut`).
fn kubelet_time(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S.%NZ").to_string()
}

impl FakeCluster {
    /// Appends `text` to what `container` of the Pod `namespace/pod` printed, one line per
    /// `\n`, each stamped with the cluster clock's time (what `sinceSeconds`, `sinceTime`
    /// and `timestamps` read). A log request then answers it (`kubectl logs`, kube-rs
    /// `Api::<Pod>::logs`) once the Pod is scheduled (`spec.nodeName` set): the server
    /// answers an unscheduled Pod's log empty.
    ///
    /// ```
    /// use kobj_fake::FakeCluster;
    /// use kube_core::subresource::LogParams;
    ///
    /// let cluster = FakeCluster::new();
    /// cluster.load_objects(vec![serde_json::from_value(serde_json::json!({
    ///     "apiVersion": "v1", "kind": "Pod",
    ///     "metadata": {"name": "app", "namespace": "default"},
    ///     "spec": {"nodeName": "node-1", "containers": [{"name": "main", "image": "busybox"}]}
    /// })).unwrap()]).unwrap();
    /// cluster.append_container_log("default", "app", "main", "starting\nready\n").unwrap();
    /// let log = cluster.pod_log("default", "app", &LogParams::default()).unwrap();
    /// assert_eq!(log, "starting\nready\n");
    /// let last = LogParams { tail_lines: Some(1), ..Default::default() };
    /// assert_eq!(cluster.pod_log("default", "app", &last).unwrap(), "ready\n");
    /// ```
    ///
    /// # Errors
    /// 404 when the Pod does not exist; 400 `container <c> is not valid for pod <p>` when it
    /// has no such container.
    pub fn append_container_log(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        text: &str,
    ) -> Result<()> {
        self.append_log(namespace, pod, container, text, Run::Current)
    }

    /// [`append_container_log`](Self::append_container_log) for the container's previous,
    /// terminated run: what `previous=true` (`kubectl logs --previous`) reads.
    ///
    /// # Errors
    /// As `append_container_log`.
    pub fn append_previous_container_log(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        text: &str,
    ) -> Result<()> {
        self.append_log(namespace, pod, container, text, Run::Previous)
    }

    fn append_log(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        text: &str,
        run: Run,
    ) -> Result<()> {
        let found = self.get_now(&pods(), Some(namespace), pod)?;
        let container = resolve_container(&found, pod, Some(container))?;
        let uid = found.metadata.uid.clone().unwrap_or_default();
        let at = self.clock().now();
        let mut logs = self.inner.logs.lock();
        let lines = logs.entry((uid, container, run)).or_default();
        lines.extend(text.split_inclusive('\n').map(|t| Line {
            at,
            text: t.to_string(),
        }));
        Ok(())
    }

    /// `GET pods/<name>/log`: the log of one container of a Pod, as the API server and the
    /// kubelet answer it; checked against the fault rules and recorded in the action log as
    /// a `get` of the `log` subresource. `follow` answers what has been written and ends:
    /// nothing streams.
    ///
    /// # Errors
    /// 422 `PodLogOptions "<pod>" is invalid` for a negative `tailLines`, a `limitBytes` or
    /// `sinceSeconds` below 1, or both `sinceSeconds` and `sinceTime`; 404 for a missing Pod;
    /// 400 for a container the Pod does not have, none named when it has several, or
    /// `previous` when no previous run was written (the kubelet's `previous terminated
    /// container "<c>" in pod "<p>" not found`).
    pub fn pod_log(&self, namespace: &str, name: &str, p: &LogParams) -> Result<String> {
        let rt = pods();
        let call = Call {
            verb: Verb::Get,
            rt: &rt,
            namespace: Some(namespace),
            name: Some(name),
            subresource: Some("log"),
            success: 200,
        };
        self.run_sync(
            call,
            || params_of(p),
            || Ok((self.log_now(namespace, name, p)?, 200)),
        )
    }

    fn log_now(&self, namespace: &str, name: &str, p: &LogParams) -> Result<String> {
        validate_options(name, p)?;
        let pod = self.get_now(&pods(), Some(namespace), name)?;
        let container = resolve_container(&pod, name, p.container.as_deref())?;
        if pod.data["spec"]["nodeName"]
            .as_str()
            .is_none_or(str::is_empty)
        {
            return Ok(String::new());
        }
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let run = if p.previous {
            Run::Previous
        } else {
            Run::Current
        };
        let logs = self.inner.logs.lock();
        let Some(lines) = logs.get(&(uid, container.clone(), run)) else {
            if p.previous {
                return Err(Error::bad_request(format!(
                    "previous terminated container {container:?} in pod {name:?} not found"
                )));
            }
            return Ok(String::new());
        };
        let since = match (p.since_seconds, p.since_time) {
            (Some(s), _) => Some(
                self.clock()
                    .now()
                    .checked_sub(SignedDuration::from_secs(s))
                    .unwrap_or(Timestamp::MIN),
            ),
            (None, t) => t,
        };
        let kept: Vec<&Line> = lines
            .iter()
            .filter(|l| since.is_none_or(|s| l.at >= s))
            .collect();
        let tail = p
            .tail_lines
            .and_then(|n| usize::try_from(n).ok())
            .map_or(0, |n| kept.len().saturating_sub(n));
        let mut out = String::new();
        for line in &kept[tail..] {
            if p.timestamps {
                out.push_str(&kubelet_time(line.at));
                out.push(' ');
            }
            out.push_str(&line.text);
        }
        if let Some(limit) = p.limit_bytes.and_then(|n| usize::try_from(n).ok())
            && out.len() > limit
        {
            // At a character boundary at or below the limit: the answer is text.
            let mut cut = limit;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
        }
        Ok(out)
    }
}
