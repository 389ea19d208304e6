//! The release server as a child process, and `oha` as the load generator.

use std::{
    collections::BTreeMap,
    net::{Ipv4Addr, SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use serde_json::Value;

/// How long the server may take to answer `/readyz`.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// `oha`'s version line; fails with how to install it when it is not on `PATH`.
pub fn oha_version() -> anyhow::Result<String> {
    let output = Command::new("oha")
        .arg("--version")
        .output()
        .context("`oha` is not on PATH: install it with `cargo install oha --locked`")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The release server beside this binary (`cargo build --release -p vestegn-api -p
/// vestegn-bench` builds both; building the server from here would resolve its features under a
/// different environment and compile everything a second time).
pub fn server_beside_this_binary() -> anyhow::Result<PathBuf> {
    let binary = std::env::current_exe()?.with_file_name("vestegn");
    if !binary.exists() {
        bail!(
            "no server at {}: build it with `cargo build --release -p vestegn-api -p vestegn-bench`, \
             or give --server-bin",
            binary.display()
        );
    }
    Ok(binary)
}

/// The server under test.
pub struct Server {
    child: Child,
    pid: u32,
    address: SocketAddr,
    metrics: SocketAddr,
}

impl Server {
    /// Starts `binary` on a free loopback port over `database_url` (no seed), with `limits` as
    /// environment variables, and waits until `/readyz` answers 200.
    pub async fn start(
        binary: &Path,
        database_url: &str,
        limits: &[(&str, String)],
    ) -> anyhow::Result<Self> {
        let address = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?;
        let metrics = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?;
        let child = Command::new(binary)
            .env("DATABASE_URL", database_url)
            .env("METRICS_ADDRESS", metrics.to_string())
            .env("LOAD_SEED", "false")
            .env("BIND_ADDRESS", address.to_string())
            .env("RUST_LOG", "warn")
            .envs(limits.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let pid = child.id();
        let server = Self {
            child,
            pid,
            address,
            metrics,
        };
        let client = reqwest::Client::new();
        let ready = format!("http://{address}/readyz");
        let started = Instant::now();
        loop {
            if let Ok(response) = client.get(&ready).send().await {
                if response.status().is_success() {
                    return Ok(server);
                }
            }
            if started.elapsed() > READY_TIMEOUT {
                bail!("the server was not ready within {READY_TIMEOUT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn graphql_url(&self) -> String {
        format!("http://{}/graphql", self.address)
    }

    /// The response cache's lookups so far: hits, and all (hits, stored and uncacheable).
    pub async fn cache_lookups(&self) -> anyhow::Result<(u64, u64)> {
        let text = reqwest::get(format!("http://{}/metrics", self.metrics))
            .await?
            .text()
            .await?;
        let (mut hits, mut all) = (0, 0);
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("vestegn_response_cache_lookups_total{") {
                let count = rest
                    .rsplit_once(' ')
                    .and_then(|(_, n)| n.parse::<f64>().ok())
                    .unwrap_or(0.0) as u64;
                all += count;
                if rest.starts_with("result=\"hit\"") {
                    hits += count;
                }
            }
        }
        Ok((hits, all))
    }

    /// Resident memory now, in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        self.status_field("VmRSS")
    }

    /// The highest resident memory so far, in KiB.
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        self.status_field("VmHWM")
    }

    /// The CPU time the server has used so far (all threads), in seconds: read before and
    /// after a run, the server's own cost per request, which a busy machine disturbs far less
    /// than it disturbs throughput. (The database's own processes are not in it.)
    pub fn cpu_seconds(&self) -> anyhow::Result<CpuTime> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .context("cannot read the server's /proc stat (Linux only)")?;
        // The fields after the command name, which is in parentheses and may hold spaces:
        // utime and stime are the 14th and 15th fields of the line.
        let after_name = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .context("no command name in /proc stat")?;
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let seconds = |index: usize| -> anyhow::Result<f64> {
            let ticks: u64 = fields
                .get(index)
                .context("/proc stat is too short")?
                .parse()?;
            Ok(ticks as f64 / clock_ticks_per_second()?)
        };
        Ok(CpuTime {
            user: seconds(11)?,
            system: seconds(12)?,
        })
    }

    /// The server's system calls, by name, while `load` runs: `strace -c -f` attached to all
    /// its threads (which slows the server down: figures of such a run are counts, not speed).
    pub fn count_syscalls<T>(
        &self,
        load: impl FnOnce() -> anyhow::Result<T>,
    ) -> anyhow::Result<(T, BTreeMap<String, u64>)> {
        let summary = std::env::temp_dir().join(format!("vestegn-bench-strace-{}", self.pid));
        let mut strace = Command::new("strace")
            .args(["-c", "-f", "-p", &self.pid.to_string(), "-o"])
            .arg(&summary)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot run strace (apt-get install strace)")?;
        // Attaching to every thread takes a moment; calls before it are simply not counted.
        std::thread::sleep(Duration::from_millis(500));
        let loaded = load();
        // strace writes its summary when interrupted.
        Command::new("kill")
            .args(["-INT", &strace.id().to_string()])
            .status()?;
        strace.wait()?;
        let text = std::fs::read_to_string(&summary)
            .context("strace wrote no summary (is ptrace allowed here?)")?;
        std::fs::remove_file(&summary).ok();
        Ok((loaded?, syscall_counts(&text)))
    }

    fn status_field(&self, field: &str) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .context("cannot read the server's /proc status (Linux only)")?;
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no {field} in /proc/{}/status", self.pid))
    }
}

/// Stops the server, also when the benchmark fails half-way.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time in seconds, in the program and in the kernel on its behalf.
#[derive(Debug, Clone, Copy)]
pub struct CpuTime {
    pub user: f64,
    pub system: f64,
}

impl std::ops::Sub for CpuTime {
    type Output = CpuTime;
    fn sub(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user: self.user - earlier.user,
            system: self.system - earlier.system,
        }
    }
}

/// The calls column of `strace -c`'s table, by system call (`% time  seconds  usecs/call  calls
/// [errors]  syscall`; the errors column is empty for calls that never failed).
fn syscall_counts(summary: &str) -> BTreeMap<String, u64> {
    summary
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let name = *fields.last()?;
            let calls = fields.get(3)?.parse().ok()?;
            (fields.len() >= 5 && name != "total").then(|| (name.to_owned(), calls))
        })
        .collect()
}

/// The unit of the CPU times in `/proc/<pid>/stat` (`getconf CLK_TCK`; 100 on Linux as built).
fn clock_ticks_per_second() -> anyhow::Result<f64> {
    let output = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .context("cannot run getconf")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().parse()?)
}

/// What one `oha` run measured.
pub struct LoadResult {
    /// Requests answered with 200.
    pub answered: u64,
    /// Requests answered with 200, per second.
    pub requests_per_sec: f64,
    /// Seconds; NaN when no request was answered within the run.
    pub p50: f64,
    /// Seconds.
    pub p99: f64,
    /// Responses other than 200, and requests that got no response.
    pub errors: u64,
    /// What the errors were, e.g. `36× HTTP 503`; empty when none.
    pub error_kinds: String,
}

/// Sends `body` to `url` from `clients` concurrent connections for `duration` (blocks: run it
/// with nothing else to do, or off the async threads).
pub fn oha(
    url: &str,
    body: &str,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<LoadResult> {
    let output = Command::new("oha")
        .args(["--no-tui", "--output-format", "json", "-m", "POST"])
        .args(["-H", "content-type: application/json"])
        .args(["-c", &clients.to_string()])
        .args(["-z", &format!("{}ms", duration.as_millis().max(1))])
        .args(["-d", body, url])
        .stdin(Stdio::null())
        .output()
        .context("cannot run oha")?;
    if !output.status.success() {
        bail!("oha failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let report: Value = serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "oha's output is not JSON: {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })?;
    // Requests cut off by the end of the run ("aborted due to deadline") are not errors.
    let mut kinds: Vec<(String, u64)> = Vec::new();
    for (map, label) in [
        (&report["statusCodeDistribution"], "HTTP "),
        (&report["errorDistribution"], ""),
    ] {
        for (key, count) in map.as_object().into_iter().flatten() {
            if key != "200" && !key.contains("deadline") {
                kinds.push((format!("{label}{key}"), count.as_u64().unwrap_or(0)));
            }
        }
    }
    let seconds = |value: &Value| value.as_f64().unwrap_or(f64::NAN);
    let answered = report["statusCodeDistribution"]["200"]
        .as_u64()
        .unwrap_or(0);
    Ok(LoadResult {
        answered,
        // Answered requests only: oha's own figure also counts those cut off at the end.
        requests_per_sec: answered as f64 / seconds(&report["summary"]["total"]),
        p50: seconds(&report["latencyPercentiles"]["p50"]),
        p99: seconds(&report["latencyPercentiles"]["p99"]),
        errors: kinds.iter().map(|(_, count)| count).sum(),
        error_kinds: kinds
            .iter()
            .map(|(kind, count)| format!("{count}× {kind}"))
            .collect::<Vec<_>>()
            .join(", "),
    })
}
