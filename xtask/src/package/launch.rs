//! Starting a service's commands as systemd would, on a machine where
//! systemd does not run: its user and group, a clean environment with its
//! `EnvironmentFile=`, its working and state directories, its umask and file
//! limit, no new privileges and no capabilities (through util-linux's
//! `setpriv`). What needs systemd itself (the `Protect*=` sandbox, the
//! system call filter, address families) is not applied here; the check
//! verifies those settings with `systemd-analyze` instead.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use super::systemd::{Unit, command_line, environment_file};

/// Settings the launcher honours; any other `[Service]` key must be one
/// systemd-analyze checks, or the check fails (see `check_understood`).
const HONOURED: &[&str] = &[
    "Type",
    "User",
    "Group",
    "EnvironmentFile",
    "ExecStart",
    "ExecStartPost",
    "WorkingDirectory",
    "StateDirectory",
    "StateDirectoryMode",
    "UMask",
    "LimitNOFILE",
    "NoNewPrivileges",
    "CapabilityBoundingSet",
    "AmbientCapabilities",
];

/// How systemd would start one of a unit's commands.
#[derive(Debug, Clone)]
pub struct Launch {
    pub user: String,
    pub group: String,
    pub environment: Vec<(String, String)>,
    pub working_directory: Option<PathBuf>,
    pub umask: Option<u32>,
    pub open_files: Option<u64>,
    /// `StateDirectory=` names under /var/lib, and their mode.
    pub state_directories: Vec<String>,
    pub state_directory_mode: String,
    /// `ExecStart=` then `ExecStartPost=` lines, each split into arguments.
    pub commands: Vec<Vec<String>>,
}

impl Launch {
    /// Reads the unit at `path` and the environment files it names.
    pub fn from_unit_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let unit = Unit::parse(&text);
        let service = |key| unit.get("Service", key);
        let user = service("User").context("the unit has no User=")?.to_owned();
        let group = service("Group").unwrap_or(&user).to_owned();
        if service("NoNewPrivileges") != Some("yes") || service("CapabilityBoundingSet") != Some("")
        {
            bail!("the launcher always drops privileges; the unit must say so too");
        }
        let (home, shell) = passwd(&user)?;
        let mut environment = vec![
            (
                "PATH".to_owned(),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin".to_owned(),
            ),
            ("HOME".to_owned(), home),
            ("SHELL".to_owned(), shell),
            ("USER".to_owned(), user.clone()),
            ("LOGNAME".to_owned(), user.clone()),
        ];
        let state_dirs = unit.all("Service", "StateDirectory").join(" ");
        if let Some(first) = state_dirs.split_whitespace().next() {
            environment.push(("STATE_DIRECTORY".to_owned(), format!("/var/lib/{first}")));
        }
        for file in unit.all("Service", "EnvironmentFile") {
            let (optional, file) = match file.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, file),
            };
            match std::fs::read_to_string(file) {
                Ok(text) => environment
                    .extend(environment_file(&text).with_context(|| format!("in {file}"))?),
                Err(_) if optional => {}
                Err(error) => bail!("cannot read the environment file {file}: {error}"),
            }
        }
        let mut commands = Vec::new();
        for key in ["ExecStart", "ExecStartPost"] {
            for line in unit.all("Service", key) {
                commands.push(command_line(line)?);
            }
        }
        let umask = service("UMask")
            .map(|mask| u32::from_str_radix(mask, 8))
            .transpose()
            .context("UMask= is not octal")?;
        let open_files = service("LimitNOFILE")
            .map(str::parse)
            .transpose()
            .context("LimitNOFILE= is not a number")?;
        Ok(Self {
            user,
            group,
            environment,
            working_directory: service("WorkingDirectory").map(PathBuf::from),
            umask,
            open_files,
            state_directories: state_dirs.split_whitespace().map(str::to_owned).collect(),
            state_directory_mode: service("StateDirectoryMode").unwrap_or("0755").to_owned(),
            commands,
        })
    }

    /// Starts the service (`ExecStart=`), its output going to `log`.
    pub fn start(&self, log: &Path) -> anyhow::Result<Child> {
        self.make_state_directories()?;
        self.spawn(0, log)
    }

    /// Runs every command in order, as a `Type=oneshot` service does.
    pub fn run_all(&self, log: &Path) -> anyhow::Result<()> {
        self.make_state_directories()?;
        for index in 0..self.commands.len() {
            let status = self.spawn(index, log)?.wait()?;
            if !status.success() {
                bail!(
                    "{:?} failed ({status}); see {}",
                    self.commands[index],
                    log.display()
                );
            }
        }
        Ok(())
    }

    /// Starts command `index` (0: `ExecStart=`), its output going to `log`.
    fn spawn(&self, index: usize, log: &Path) -> anyhow::Result<Child> {
        let argv = self.commands.get(index).context("no such command")?;
        let output = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let mut command = Command::new("setpriv");
        command
            .arg(format!("--reuid={}", self.user))
            .arg(format!("--regid={}", self.group))
            .args([
                "--init-groups",
                "--no-new-privs",
                "--bounding-set=-all",
                "--inh-caps=-all",
                "--",
            ])
            .args(argv)
            .env_clear()
            .envs(self.environment.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(output.try_clone()?))
            .stderr(Stdio::from(output));
        if let Some(dir) = &self.working_directory {
            command.current_dir(dir);
        }
        let (umask, open_files) = (self.umask, self.open_files.map(within_hard_limit));
        // SAFETY: umask and setrlimit are async-signal-safe; nothing else runs here.
        unsafe {
            command.pre_exec(move || {
                if let Some(mask) = umask {
                    libc::umask(mask as libc::mode_t);
                }
                if let Some(limit) = open_files {
                    let limits = libc::rlimit {
                        rlim_cur: limit,
                        rlim_max: limit,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limits) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        command
            .spawn()
            .with_context(|| format!("cannot start {argv:?} as {}", self.user))
    }

    /// As systemd's `StateDirectory=`: /var/lib/NAME, owned by the service's user.
    fn make_state_directories(&self) -> anyhow::Result<()> {
        for name in &self.state_directories {
            let mut install = Command::new("install");
            install
                .args(["-d", "-o", &self.user, "-g", &self.group, "-m"])
                .arg(&self.state_directory_mode)
                .arg(Path::new("/var/lib").join(name));
            crate::process::execute(&mut install)?;
        }
        Ok(())
    }

    /// The value the environment gives `name` (the last one wins).
    pub fn variable(&self, name: &str) -> Option<&str> {
        self.environment
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Fails unless every `[Service]` setting of the unit is honoured by the
/// launcher or is hardening that `systemd-analyze security` reviews.
pub fn check_understood(unit: &Unit, reviewed: &[&str]) -> anyhow::Result<()> {
    let unknown: Vec<String> = unit
        .keys("Service")
        .into_iter()
        .filter(|key| !HONOURED.contains(&key.as_str()) && !reviewed.contains(&key.as_str()))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        bail!("the check neither applies nor reviews these settings: {unknown:?}")
    }
}

/// systemd raises the hard limit itself; a container may not let the check
/// go past its own, so the check stays within it and says so.
fn within_hard_limit(wanted: u64) -> u64 {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut current) } != 0 {
        return wanted;
    }
    if current.rlim_max < wanted {
        println!(
            "LimitNOFILE={wanted} is over this machine's hard limit {}; the check uses {}",
            current.rlim_max, current.rlim_max
        );
    }
    wanted.min(current.rlim_max)
}

/// The user's home directory and shell, from the password database.
fn passwd(user: &str) -> anyhow::Result<(String, String)> {
    let entry = crate::process::stdout_of(Command::new("getent").args(["passwd", user]))
        .with_context(|| format!("no user {user}"))?;
    let fields: Vec<&str> = entry.split(':').collect();
    match (fields.get(5), fields.get(6)) {
        (Some(home), Some(shell)) => Ok(((*home).to_owned(), (*shell).to_owned())),
        _ => bail!("odd passwd entry for {user}: {entry}"),
    }
}
