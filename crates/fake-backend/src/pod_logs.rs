//! Container logs, for `GET pods/<name>/log` (`kubectl logs`, kube-rs `Api::<Pod>::logs`).
//!
//! A real API server asks the Pod's kubelet for them; the fake has no kubelet, so tests write
//! the lines a container printed ([`FakeCluster::append_container_log`]) and the fake serves
//! them with the server's checks (`ValidatePodLogOptions`, `validateContainer`, a Pod not yet
//! scheduled answering an empty log) and the kubelet's options (`tailLines`, `limitBytes`,
//! `sinceSeconds`, `sinceTime`, `timestamps`, `previous`, and `follow` until the test ends
//! the run or the Pod goes). Logs belong to the Pod's uid, so a Pod deleted and created again
//! under its name starts with none, and a fork copies them.
//!
//! Written by hand: the log store is the kubelet's part, which no library plays.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures::stream::BoxStream;
use tokio::sync::watch;

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

/// What one run of one container printed, and whether that run has ended.
#[derive(Clone, Debug, Default)]
struct Log {
    lines: Vec<Line>,
    ended: bool,
}

type Key = (String, String, Run);

/// The logs of every container, by Pod uid, container name and run, and a signal that any of
/// them changed (what following streams wait on).
#[derive(Debug)]
pub(crate) struct ContainerLogs {
    logs: Mutex<HashMap<Key, Log>>,
    changed: watch::Sender<u64>,
}

impl Default for ContainerLogs {
    fn default() -> Self {
        Self {
            logs: Mutex::default(),
            changed: watch::channel(0).0,
        }
    }
}

impl ContainerLogs {
    /// An independent copy (for [`FakeCluster::fork`]).
    pub(crate) fn fork(&self) -> Self {
        Self {
            logs: Mutex::new(self.lock().clone()),
            changed: watch::channel(0).0,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Log>> {
        self.logs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes one log and wakes the streams following any.
    fn change(&self, key: Key, f: impl FnOnce(&mut Log)) {
        f(self.lock().entry(key).or_default());
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// How often a following stream looks whether its Pod is still there when no line comes.
const FOLLOW_RECHECK: Duration = Duration::from_millis(200);

/// Where a log request reads, and how it prints what it reads.
#[derive(Clone, Debug)]
struct Reader {
    namespace: String,
    pod: String,
    key: Key,
    timestamps: bool,
    /// What `limitBytes` leaves to send.
    budget: Option<usize>,
}

impl Reader {
    /// `lines` as the kubelet prints them, within what is left of `limitBytes`.
    fn print<'l>(&mut self, lines: impl IntoIterator<Item = &'l Line>) -> String {
        let mut out = String::new();
        for line in lines {
            if self.timestamps {
                out.push_str(&kubelet_time(line.at));
                out.push(' ');
            }
            out.push_str(&line.text);
        }
        if let Some(budget) = self.budget.as_mut() {
            if out.len() > *budget {
                // At a character boundary at or below the limit: the answer is text.
                let mut cut = *budget;
                while !out.is_char_boundary(cut) {
                    cut -= 1;
                }
                out.truncate(cut);
            }
            *budget -= out.len();
        }
        out
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
        let key = self.log_key(namespace, pod, container, run)?;
        let at = self.clock().now();
        self.inner.logs.change(key, |log| {
            log.lines.extend(text.split_inclusive('\n').map(|t| Line {
                at,
                text: t.to_string(),
            }));
        });
        Ok(())
    }

    /// Ends the current run of `container` of the Pod `namespace/pod`, as when it exits:
    /// requests following its log (`follow=true`, `kubectl logs -f`) finish once they have
    /// sent every line. (They also finish when the Pod is deleted.)
    ///
    /// # Errors
    /// As [`append_container_log`](Self::append_container_log).
    pub fn end_container_log(&self, namespace: &str, pod: &str, container: &str) -> Result<()> {
        let key = self.log_key(namespace, pod, container, Run::Current)?;
        self.inner.logs.change(key, |log| log.ended = true);
        Ok(())
    }

    /// The log of a run of a container of an existing Pod (404 for the Pod, 400 for the
    /// container), by the Pod's uid.
    fn log_key(&self, namespace: &str, pod: &str, container: &str, run: Run) -> Result<Key> {
        let found = self.get_now(&pods(), Some(namespace), pod)?;
        let container = resolve_container(&found, pod, Some(container))?;
        let uid = found.metadata.uid.clone().unwrap_or_default();
        Ok((uid, container, run))
    }

    /// `GET pods/<name>/log`: the log of one container of a Pod, as the API server and the
    /// kubelet answer it; checked against the fault rules and recorded in the action log as
    /// a `get` of the `log` subresource. `follow` is ignored here: this answers what has been
    /// written ([`pod_log_stream`](Self::pod_log_stream) follows).
    ///
    /// # Errors
    /// 422 `PodLogOptions "<pod>" is invalid` for a negative `tailLines`, a `limitBytes` or
    /// `sinceSeconds` below 1, or both `sinceSeconds` and `sinceTime`; 404 for a missing Pod;
    /// 400 for a container the Pod does not have, none named when it has several, or
    /// `previous` when no previous run was written (the kubelet's `previous terminated
    /// container "<c>" in pod "<p>" not found`).
    pub fn pod_log(&self, namespace: &str, name: &str, p: &LogParams) -> Result<String> {
        self.log_request(namespace, name, p).map(|(text, _)| text)
    }

    /// [`pod_log`](Self::pod_log) as a stream of text chunks that, with `follow`, goes on
    /// with each line written after the request until the container's run ends
    /// ([`end_container_log`](Self::end_container_log)) or the Pod is deleted, as
    /// `kubectl logs -f` reads it. Without `follow`, or for a Pod not scheduled or a
    /// previous run, it holds what `pod_log` answers and ends.
    ///
    /// # Errors
    /// As `pod_log`, before the stream starts.
    pub fn pod_log_stream(
        &self,
        namespace: &str,
        name: &str,
        p: &LogParams,
    ) -> Result<BoxStream<'static, String>> {
        use futures::StreamExt;
        let (first, reader) = self.log_request(namespace, name, p)?;
        let head = futures::stream::iter((!first.is_empty()).then_some(first));
        let Some(reader) = reader.filter(|_| p.follow) else {
            return Ok(head.boxed());
        };
        let next = reader.next_line;
        let follow = Follow {
            cluster: self.clone(),
            changed: self.inner.logs.changed.subscribe(),
            reader: reader.reader,
            next,
        };
        Ok(head
            .chain(futures::stream::unfold(follow, Follow::step))
            .boxed())
    }

    /// One log request through the fault rules and the action log: the text so far, and
    /// where a following stream goes on from.
    fn log_request(
        &self,
        namespace: &str,
        name: &str,
        p: &LogParams,
    ) -> Result<(String, Option<Resume>)> {
        let rt = pods();
        let call = Call {
            verb: Verb::Get,
            rt: &rt,
            namespace: Some(namespace),
            name: Some(name),
            subresource: Some("log"),
            selected_name: None,
            success: 200,
        };
        self.run_sync(
            call,
            || params_of(p),
            || Ok((self.log_now(namespace, name, p)?, 200)),
        )
    }

    fn log_now(
        &self,
        namespace: &str,
        name: &str,
        p: &LogParams,
    ) -> Result<(String, Option<Resume>)> {
        validate_options(name, p)?;
        let pod = self.get_now(&pods(), Some(namespace), name)?;
        let container = resolve_container(&pod, name, p.container.as_deref())?;
        if pod.data["spec"]["nodeName"]
            .as_str()
            .is_none_or(str::is_empty)
        {
            return Ok((String::new(), None));
        }
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let run = if p.previous {
            Run::Previous
        } else {
            Run::Current
        };
        let mut reader = Reader {
            namespace: namespace.to_string(),
            pod: name.to_string(),
            key: (uid, container.clone(), run),
            timestamps: p.timestamps,
            budget: p.limit_bytes.and_then(|n| usize::try_from(n).ok()),
        };
        let logs = self.inner.logs.lock();
        let Some(log) = logs.get(&reader.key) else {
            if p.previous {
                return Err(Error::bad_request(format!(
                    "previous terminated container {container:?} in pod {name:?} not found"
                )));
            }
            return Ok((
                String::new(),
                (!p.previous).then_some(Resume {
                    reader,
                    next_line: 0,
                }),
            ));
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
        let kept: Vec<&Line> = log
            .lines
            .iter()
            .filter(|l| since.is_none_or(|s| l.at >= s))
            .collect();
        let tail = p
            .tail_lines
            .and_then(|n| usize::try_from(n).ok())
            .map_or(0, |n| kept.len().saturating_sub(n));
        let text = reader.print(kept[tail..].iter().copied());
        let next_line = log.lines.len();
        let resume = (!p.previous && !log.ended).then_some(Resume { reader, next_line });
        Ok((text, resume))
    }
}

/// Where a following stream goes on from: the line after the last one sent.
struct Resume {
    reader: Reader,
    next_line: usize,
}

/// A following stream's state between chunks.
struct Follow {
    cluster: FakeCluster,
    changed: watch::Receiver<u64>,
    reader: Reader,
    next: usize,
}

impl Follow {
    /// The next chunk: the lines written since the last, once there are any; `None` once
    /// the run has ended and everything was sent, the Pod is gone, or `limitBytes` is spent.
    async fn step(mut self) -> Option<(String, Self)> {
        loop {
            if self.reader.budget == Some(0) {
                return None;
            }
            let (chunk, ended) = {
                let logs = self.cluster.inner.logs.lock();
                let log = logs.get(&self.reader.key);
                let lines = log.map_or(&[][..], |l| &l.lines[self.next.min(l.lines.len())..]);
                self.next += lines.len();
                (self.reader.print(lines), log.is_some_and(|l| l.ended))
            };
            if !chunk.is_empty() {
                return Some((chunk, self));
            }
            if ended || !self.pod_is_there() {
                return None;
            }
            // A change to any log, or a while without one (the Pod may have been deleted).
            let _ = tokio::time::timeout(FOLLOW_RECHECK, self.changed.changed()).await;
        }
    }

    /// Whether the Pod the stream reads is still the one it started on.
    fn pod_is_there(&self) -> bool {
        self.cluster
            .get_now(&pods(), Some(&self.reader.namespace), &self.reader.pod)
            .is_ok_and(|p| p.metadata.uid.as_deref() == Some(self.reader.key.0.as_str()))
    }
}
