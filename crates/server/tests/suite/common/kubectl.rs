//! kubectl pointed at a `kobj serve` child: its own kubeconfig and cache, no proxy.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

use super::process::{Scratch, Served, serve};

/// kubectl for one served fake.
pub struct Kubectl {
    pub kubeconfig: PathBuf,
    pub cache: PathBuf,
}

impl Kubectl {
    /// kubectl for `served`, with a cache in its scratch directory.
    pub fn for_served(served: &Served) -> Self {
        Self {
            kubeconfig: served.kubeconfig.clone(),
            cache: served.scratch.path("kube-cache"),
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("kubectl");
        c.args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("KUBECACHEDIR", &self.cache)
            .env_remove("HTTPS_PROXY")
            .env_remove("HTTP_PROXY");
        c
    }

    /// Runs kubectl with `stdin` (if any) and waits for it.
    pub fn output(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        child.wait_with_output().unwrap()
    }

    /// Runs kubectl, asserts success, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_with(args, None)
    }

    /// [`ok`](Self::ok) with `stdin`.
    pub fn ok_with(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.output(args, stdin);
        assert!(
            out.status.success(),
            "kubectl {}: {}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs kubectl, asserts failure, returns stderr.
    pub fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.output(args, stdin);
        assert!(
            !out.status.success(),
            "kubectl {} succeeded",
            args.join(" ")
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// `kubectl <args> -o json`, parsed.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// Starts kubectl with piped stdout and stderr.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// `kubectl get <args>` as rows of cells (the header first). kubectl pads columns with
    /// at least three spaces, so a cell never holds two spaces in a row.
    pub fn table(&self, args: &[&str]) -> Vec<Vec<String>> {
        let mut all = vec!["get"];
        all.extend(args);
        self.ok(&all)
            .lines()
            .map(|line| {
                line.split("  ")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .collect()
    }
}

/// Whether kubectl is installed.
pub fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether a kubectl test of `what` can run; where kubectl is not installed, says it is
/// skipped. CI machines have kubectl, so there its absence is a failure, not a skip.
fn kubectl_or_skip(what: &str) -> bool {
    if kubectl_available() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "kubectl is not installed, and CI is set"
    );
    println!("{what}: skipped (kubectl is not installed)");
    false
}

/// A served fake and kubectl for it, or `None` (with a note) where kubectl is not installed.
pub fn served_kubectl(what: &str, args: &[&str]) -> Option<(Served, Kubectl)> {
    if !kubectl_or_skip(what) {
        return None;
    }
    let served = serve(args);
    let k = Kubectl::for_served(&served);
    Some((served, k))
}

/// `cluster` served in-process (so the test can still write into it) and kubectl for it,
/// with the scratch directory holding kubectl's files; `None` as [`served_kubectl`].
pub async fn in_process_kubectl(
    what: &str,
    cluster: &kobj_fake::FakeCluster,
) -> Option<(kobj_server::Running, Kubectl, Scratch)> {
    if !kubectl_or_skip(what) {
        return None;
    }
    let running = kobj_server::start(cluster.clone(), Default::default())
        .await
        .unwrap();
    let scratch = Scratch::new(&what.replace(' ', "-"));
    let kubeconfig = scratch.path("kubeconfig");
    running.write_kubeconfig(&kubeconfig).unwrap();
    let k = Kubectl {
        kubeconfig,
        cache: scratch.path("kube-cache"),
    };
    Some((running, k, scratch))
}
