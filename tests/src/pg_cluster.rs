//! A PostgreSQL cluster of the test's own, for tests that stop the database.
//!
//! The shared server named by `TEST_DATABASE_URL` must never be stopped by a test: every other
//! test uses it. A test that needs to see the database go away (readiness turning 503, the pool
//! recovering after a restart) starts a [`PgCluster`] instead: a fresh `initdb` in a temporary
//! directory, listening on a free TCP port of 127.0.0.1 with trust authentication, which the test
//! may [`stop`](PgCluster::stop) and [`start_again`](PgCluster::start_again) at will, and which is
//! stopped and removed when dropped.
//!
//! The server binaries are found through `PG_BINDIR` if set, else `pg_config --bindir`, else the
//! newest `/usr/lib/postgresql/*/bin`. PostgreSQL refuses to run as root, so when the tests run as
//! root every command runs as the `postgres` OS user (`runuser -u postgres --`), which then owns
//! the directory; the temporary directory (`$TMPDIR`, else `/tmp`) must be reachable by that user.
//!
//! Everything here blocks (it runs `initdb` and `pg_ctl` with [`std::process::Command`] and waits
//! for them): about a second to start, a fraction of one to stop. From async code call it inside
//! [`tokio::task::spawn_blocking`], or accept the short block of the test's runtime thread. The
//! cluster runs with `fsync=off`: it is thrown away, and it never has to survive a power loss.

use std::{
    fs,
    net::{Ipv4Addr, TcpListener},
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
    process::{Command, Output},
};

use anyhow::{bail, ensure, Context};

/// How long `pg_ctl` waits for the server to start or stop, in seconds.
const PG_CTL_TIMEOUT_SECS: &str = "60";
/// Attempts at starting on a fresh port, should another process take the one picked meanwhile.
const PORT_ATTEMPTS: usize = 5;

/// A PostgreSQL cluster in a temporary directory, running on `127.0.0.1:`[`port`](Self::port).
///
/// Dropping it stops the server (immediate shutdown) and removes the directory.
#[derive(Debug)]
pub struct PgCluster {
    /// The temporary directory: the data directory, the Unix socket and the server log.
    dir: PathBuf,
    bindir: PathBuf,
    /// Run the binaries through `runuser -u postgres --` (we are root).
    as_postgres: bool,
    port: u16,
    running: bool,
}

impl PgCluster {
    /// Creates a new cluster (`initdb`, trust authentication, superuser `postgres`) in a fresh
    /// temporary directory and starts it on a free port of 127.0.0.1; returns once it accepts
    /// connections.
    pub fn start() -> anyhow::Result<Self> {
        let bindir = find_bindir()?;
        let as_postgres = running_as_root()?;
        let dir =
            std::env::temp_dir().join(format!("vestegn-pg-{}", uuid::Uuid::new_v4().simple()));
        fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        // From here on the directory is ours to remove, whatever fails.
        let mut cluster = Self {
            dir,
            bindir,
            as_postgres,
            port: 0,
            running: false,
        };
        cluster.init()?;

        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            cluster.port = free_port()?;
            match cluster.pg_ctl_start() {
                Ok(()) => return Ok(cluster),
                // Another process took the port between our probe and the server's bind: again.
                Err(err) if cluster.log_tail().contains("could not bind") => last_error = Some(err),
                Err(err) => return Err(err),
            }
        }
        Err(last_error
            .unwrap_or_else(|| anyhow::anyhow!("no attempt made"))
            .context(format!(
                "starting PostgreSQL: no free port in {PORT_ATTEMPTS} attempts"
            )))
    }

    /// The connection URL: `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The TCP port the cluster listens on (the same across [`stop`](Self::stop) and
    /// [`start_again`](Self::start_again)).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the server is running (as far as this handle knows).
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// The server's log file, for a test's failure message.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    /// Stops the server (fast shutdown: open connections are closed, transactions rolled back)
    /// and waits until it is gone. Does nothing if it is not running.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        if !self.running {
            return Ok(());
        }
        self.pg_ctl_stop("fast")
    }

    /// Starts the stopped server again, on the same port and with the same data; returns once it
    /// accepts connections. Does nothing if it is running. Fails if another process has taken the
    /// port meanwhile.
    pub fn start_again(&mut self) -> anyhow::Result<()> {
        if self.running {
            return Ok(());
        }
        self.pg_ctl_start()
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// `initdb`, with the directory handed to the `postgres` user first when we are root.
    fn init(&self) -> anyhow::Result<()> {
        if self.as_postgres {
            let status = Command::new("chown")
                .arg("postgres:")
                .arg(&self.dir)
                .status()
                .context("running chown")?;
            ensure!(
                status.success(),
                "chown postgres: {} failed: {status}",
                self.dir.display()
            );
        }
        let data = self.data_dir();
        let output = self
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "--auth=trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()
            .context("running initdb")?;
        check(&output, "initdb")
    }

    fn pg_ctl_start(&mut self) -> anyhow::Result<()> {
        let dir = self
            .dir
            .to_str()
            .context("temporary directory path is not UTF-8")?;
        // pg_ctl hands the options to a shell: quote the one path in them.
        ensure!(
            !dir.contains('\''),
            "temporary directory path contains a quote: {dir}"
        );
        let options = format!(
            "-p {} -k '{dir}' -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port
        );
        // `-l`: the server writes to its log file, not to our pipes (else `output()` would wait
        // for the server to exit).
        let output = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_path())
            .args(["-o", &options, "-w", "-t", PG_CTL_TIMEOUT_SECS, "start"])
            .output()
            .context("running pg_ctl start")?;
        match check(&output, "pg_ctl start") {
            Ok(()) => {
                self.running = true;
                Ok(())
            }
            Err(err) => {
                // pg_ctl may have given up waiting on a server that is still coming up.
                let _ = self.pg_ctl_stop("immediate");
                self.running = false;
                Err(err.context(format!(
                    "PostgreSQL on port {} did not start; its log ends:\n{}",
                    self.port,
                    self.log_tail()
                )))
            }
        }
    }

    fn pg_ctl_stop(&mut self, mode: &str) -> anyhow::Result<()> {
        let output = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", mode, "-w", "-t", PG_CTL_TIMEOUT_SECS, "stop"])
            .output()
            .context("running pg_ctl stop")?;
        check(&output, "pg_ctl stop")?;
        self.running = false;
        Ok(())
    }

    /// A command for one of the server binaries, run as `postgres` when we are root, from the
    /// temporary directory (the `postgres` user may not be allowed into our working directory).
    fn command(&self, binary: &str) -> Command {
        let path = self.bindir.join(binary);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        };
        command.current_dir(&self.dir);
        command
    }

    /// The last lines of the server log, or why it cannot be read.
    fn log_tail(&self) -> String {
        match fs::read_to_string(self.log_path()) {
            Ok(log) => {
                let lines: Vec<&str> = log.lines().collect();
                lines[lines.len().saturating_sub(20)..].join("\n")
            }
            Err(err) => format!("(no log: {err})"),
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.running {
            if let Err(err) = self.pg_ctl_stop("immediate") {
                eprintln!(
                    "PgCluster: stopping the server in {}: {err:#}",
                    self.dir.display()
                );
            }
        }
        if let Err(err) = fs::remove_dir_all(&self.dir) {
            eprintln!("PgCluster: removing {}: {err}", self.dir.display());
        }
    }
}

/// Fails with the command's output unless it exited successfully.
fn check(output: &Output, what: &str) -> anyhow::Result<()> {
    if output.status.success() {
        return Ok(());
    }
    bail!(
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The directory of `initdb`, `pg_ctl` and `postgres`.
fn find_bindir() -> anyhow::Result<PathBuf> {
    let has_binaries = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();

    if let Some(dir) = std::env::var_os("PG_BINDIR") {
        let dir = PathBuf::from(dir);
        ensure!(
            has_binaries(&dir),
            "PG_BINDIR={} holds no initdb and pg_ctl",
            dir.display()
        );
        return Ok(dir);
    }
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if output.status.success() && has_binaries(&dir) {
            return Ok(dir);
        }
    }
    // Debian and Ubuntu: /usr/lib/postgresql/<major>/bin, the newest major first.
    let root = Path::new("/usr/lib/postgresql");
    let mut majors: Vec<(u32, PathBuf)> = fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|entry| {
                    let major = entry.file_name().to_str()?.parse().ok()?;
                    Some((major, entry.path().join("bin")))
                })
                .collect()
        })
        .unwrap_or_default();
    majors.sort_by_key(|(major, _)| std::cmp::Reverse(*major));
    majors
        .into_iter()
        .map(|(_, dir)| dir)
        .find(|dir| has_binaries(dir))
        .context("no PostgreSQL binaries: set PG_BINDIR, or put pg_config on PATH")
}

/// Whether this process runs as root (then PostgreSQL must run as another user).
fn running_as_root() -> anyhow::Result<bool> {
    // /proc/self belongs to the process's effective user.
    if let Ok(metadata) = fs::metadata("/proc/self") {
        return Ok(metadata.uid() == 0);
    }
    let output = Command::new("id")
        .arg("-u")
        .output()
        .context("running id -u")?;
    check(&output, "id -u")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// A TCP port of 127.0.0.1 free right now (the OS picks it; we release it at once).
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("binding 127.0.0.1:0")?;
    Ok(listener
        .local_addr()
        .context("reading the bound address")?
        .port())
}
