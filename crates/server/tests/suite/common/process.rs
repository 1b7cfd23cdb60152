//! `kobj serve` as a child process: start it, read the URL it prints, stop it with a signal.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A scratch directory removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "kobj-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `kobj serve`.
pub struct Served {
    pub child: Child,
    pub url: String,
    /// From spawning the process to the URL line on stdout.
    pub started_in: Duration,
    pub kubeconfig: PathBuf,
    pub scratch: Scratch,
}

/// Starts `kobj serve --write-kubeconfig <scratch>/kubeconfig <extra…>` and waits for the URL.
pub fn serve(extra: &[&str]) -> Served {
    let scratch = Scratch::new("serve");
    let kubeconfig = scratch.path("kubeconfig");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kobj"))
        .arg("serve")
        .arg("--write-kubeconfig")
        .arg(&kubeconfig)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kobj serve starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines
        .next()
        .expect("kobj serve prints a line")
        .expect("stdout is readable");
    let started_in = started.elapsed();
    let url = first
        .strip_prefix("kobj serve: listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Served {
        child,
        url,
        started_in,
        kubeconfig,
        scratch,
    }
}

impl Served {
    /// Sends `signal` (e.g. `-TERM`) and waits up to `within` for the exit; returns the exit
    /// status and stderr.
    pub fn stop(mut self, signal: &str, within: Duration) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut stderr) = self.child.stderr.take() {
                    let _ = stderr.read_to_string(&mut err);
                }
                return (status, err);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("kobj serve did not stop within {within:?} after {signal}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// A kube client from the written kubeconfig.
    pub async fn kube_client(&self) -> kube::Client {
        kube::Client::try_from(self.kube_config().await).unwrap()
    }

    /// The kube config from the written kubeconfig.
    pub async fn kube_config(&self) -> kube::Config {
        let kc = kube::config::Kubeconfig::read_from(&self.kubeconfig).unwrap();
        kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
