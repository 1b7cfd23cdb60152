//! The Python client test (kubernetes_asyncio, what the seed's class is built on) against the
//! `kobj serve` binary, run as part of `cargo test`: `tests/python/run.sh` creates
//! `tests/python/.venv`, installs `requirements.txt` into it, starts the binary, runs pytest
//! and stops the server.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn kubernetes_asyncio_against_kobj_serve() {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/run.sh");
    let out = Command::new("bash")
        .arg(&script)
        .env("KOBJ_BIN", env!("CARGO_BIN_EXE_kobj"))
        .output()
        .expect("run tests/python/run.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "python test failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.contains(" passed") && !l.contains("failed")),
        "pytest reported no passing tests:\n{stdout}"
    );
}
